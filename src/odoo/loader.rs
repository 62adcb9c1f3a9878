//! The role a backup file's SQL runs as (`restore`, and `move`, which
//! restores its own backup on the other node).
//!
//! A backup is written by whoever handed it over: its SQL must not run with
//! the operator's privileges (often a superuser: `ALTER ROLE .. SUPERUSER`,
//! `COPY .. TO PROGRAM`, event triggers, and every object it creates would
//! be owned by the superuser, so a `SECURITY DEFINER` function in it would
//! later run as superuser when the tenant calls it). `SET ROLE` is no
//! boundary (the file can `RESET ROLE`), so the file runs in a session
//! *authenticated* as a throw-away role made for it:
//!
//! 1. `CREATE ROLE tenantctl_load_<16 hex> LOGIN NOSUPERUSER NOCREATEDB
//!    NOCREATEROLE NOREPLICATION NOBYPASSRLS`, member of no role (it must
//!    inherit only `pg_database_owner`'s right to create in the new
//!    database's `public` schema, which it has as the owner), with a random
//!    password given to PostgreSQL as a SCRAM verifier (the password itself
//!    never reaches the server's statement log), valid for a day;
//! 2. the staging database is created owned by it (it can create in its
//!    `public` schema, owned by `pg_database_owner` since PostgreSQL 15);
//! 3. the file is loaded in its session;
//! 4. [`hand_over`]: every object it made goes to the tenant's Odoo role
//!    (`REASSIGN OWNED`), what was granted to it is taken back (`DROP
//!    OWNED`), database-level settings the file set are reset, the database
//!    is given to the Odoo role; then [`drop_role`].
//!
//! Odoo's own restore runs `psql` with Odoo's credentials, so a database it
//! restores, objects included, belongs to its role (odoo-facts §7: Odoo
//! lists only the databases its role owns, and its registry fails to load
//! on tables it does not own). The result here is the same.

use std::time::Duration;

use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::within;

fn ident(s: &str) -> String {
    postgres_protocol::escape::escape_identifier(s)
}

fn literal(s: &str) -> String {
    postgres_protocol::escape::escape_literal(s)
}

/// The prefix of every loader role; [`is_loader_name`] checks the rest.
pub const PREFIX: &str = "tenantctl_load_";

/// `tenantctl_load_<16 lowercase hex>`: only such roles are ever dropped
/// by [`drop_role`] (a name read back from a local record is checked).
pub fn is_loader_name(s: &str) -> bool {
    s.strip_prefix(PREFIX).is_some_and(|h| {
        h.len() == 16
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A new loader role's name and password (random, 32 bytes as hex).
pub fn new_loader() -> (String, String) {
    let hex = |n: usize| {
        let mut b = vec![0u8; n];
        getrandom::getrandom(&mut b).expect("the OS random number generator failed");
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    };
    (format!("{PREFIX}{}", hex(8)), hex(32))
}

/// What the operator's role may do, and who it is.
#[derive(Debug, Clone)]
pub struct Operator {
    pub name: String,
    pub superuser: bool,
    pub createrole: bool,
}

const OPERATOR_SQL: &str = "SELECT r.rolname::text, r.rolsuper, r.rolcreaterole \
     FROM pg_catalog.pg_roles r WHERE r.rolname = current_user";

pub async fn operator(client: &Client, deadline: Duration) -> anyhow::Result<Operator> {
    let rows = within(deadline, client.query_typed(OPERATOR_SQL, &[])).await?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow::anyhow!("current_user is not in pg_roles"))?;
    Ok(Operator {
        name: r.get(0),
        superuser: r.get(1),
        createrole: r.get(2),
    })
}

/// Whether role `name` exists, and whether it is a superuser.
const ROLE_SQL: &str = "SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = $1";

pub async fn role_superuser(
    client: &Client,
    name: &str,
    deadline: Duration,
) -> anyhow::Result<Option<bool>> {
    let rows = within(
        deadline,
        client.query_typed(ROLE_SQL, &[(&name, Type::TEXT)]),
    )
    .await?;
    Ok(rows.first().map(|r| r.get(0)))
}

/// Step 1. `VALID UNTIL` bounds what a role left by a killed run (and not
/// yet dropped by the next one) could be used for. The verifier, not the
/// password, is sent. A role that is not a superuser but has CREATEROLE
/// needs membership in the new role to create a database owned by it
/// (PostgreSQL 15: "must be member of role"; 16+: able to SET ROLE to it);
/// granting it changes nothing for the loader itself (it is a member of no
/// role but the implicit `pg_database_owner` of its database).
pub async fn create_role(
    client: &Client,
    name: &str,
    password: &str,
    op: &Operator,
    deadline: Duration,
) -> anyhow::Result<()> {
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let until = humantime::format_rfc3339_seconds(
        std::time::SystemTime::now() + Duration::from_secs(86_400),
    )
    .to_string();
    let mut sql = format!(
        "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION \
         NOBYPASSRLS CONNECTION LIMIT 4 PASSWORD {} VALID UNTIL {}",
        ident(name),
        literal(&verifier),
        literal(&until)
    );
    if !op.superuser {
        sql.push_str(&format!("; GRANT {} TO CURRENT_USER", ident(name)));
    }
    within(deadline, client.batch_execute(&sql)).await
}

/// Step 4, in the loaded database (`client` is connected to it as the
/// operator): objects to the Odoo role, grants to the loader removed.
/// `REASSIGN OWNED` and `DROP OWNED` run no code of the database (no
/// trigger fires on ownership changes, and only a superuser can create the
/// event triggers that could).
pub async fn hand_over_objects(
    client: &Client,
    loader: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "REASSIGN OWNED BY {l} TO {o}; DROP OWNED BY {l}",
            l = ident(loader),
            o = ident(owner)
        )),
    )
    .await
}

/// Step 4, on the maintenance database: the database to the Odoo role, and
/// the per-database settings the file may have set as its owner (`ALTER
/// DATABASE .. SET search_path ..`: they would apply to every later
/// session, tenantctl's included) reset. `pg_dump` without `--create`, as
/// Odoo runs it, writes no database-level setting, so nothing genuine is
/// lost.
pub async fn hand_over_database(
    client: &Client,
    db: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "ALTER DATABASE {d} OWNER TO {o}; ALTER DATABASE {d} RESET ALL",
            d = ident(db),
            o = ident(owner)
        )),
    )
    .await
}

/// Drops a loader role (nothing else: the name is checked).
pub async fn drop_role(client: &Client, name: &str, deadline: Duration) -> anyhow::Result<()> {
    anyhow::ensure!(is_loader_name(name), "{name:?} is not a loader role");
    within(
        deadline,
        client.batch_execute(&format!("DROP ROLE IF EXISTS {}", ident(name))),
    )
    .await
}

/// The databases a loader role owns: only the staging database of its
/// restore, which the file, as its owner, could have re-commented so that
/// it no longer reads as tenantctl's (what a killed run's cleanup drops
/// with the role).
const OWNED_SQL: &str = "SELECT d.datname::text FROM pg_catalog.pg_database d \
     JOIN pg_catalog.pg_roles r ON r.oid = d.datdba \
     WHERE r.rolname = $1 AND d.datname ~ '\\.creating-[0-9a-f]{8}$' ORDER BY 1";

pub async fn owned_databases(
    client: &Client,
    role: &str,
    deadline: Duration,
) -> anyhow::Result<Vec<String>> {
    let rows = within(
        deadline,
        client.query_typed(OWNED_SQL, &[(&role, Type::TEXT)]),
    )
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Loader roles made more than an hour ago (their `VALID UNTIL` is a day
/// after their creation): what a restore killed before dropping its own
/// left, on this host or another, for `check`. A restore running now is
/// not listed unless it has run for over an hour.
const STALE_LOADERS_SQL: &str = "SELECT r.rolname::text FROM pg_catalog.pg_roles r \
     WHERE r.rolname ~ '^tenantctl_load_[0-9a-f]{16}$' \
       AND (r.rolvaliduntil IS NULL OR r.rolvaliduntil < now() + interval '23 hours') ORDER BY 1";

pub async fn stale_loaders(client: &Client, deadline: Duration) -> anyhow::Result<Vec<String>> {
    let rows = within(deadline, client.query_typed(STALE_LOADERS_SQL, &[])).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_names() {
        let (n, p) = new_loader();
        assert!(is_loader_name(&n), "{n}");
        assert_eq!(p.len(), 64);
        assert!(!is_loader_name("tenantctl_load_"));
        assert!(!is_loader_name("postgres"));
        assert!(!is_loader_name("tenantctl_load_0123456789abcdeF"));
        assert!(!is_loader_name("tenantctl_load_0123456789abcdef0"));
    }
}
