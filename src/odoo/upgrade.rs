//! What `upgrade` (issue 27) reads and writes around an `odoo-bin -u` run
//! (odoo-facts §9): the modules' states and versions before and after, the
//! marks that say a run did not finish, the database-level state a copy
//! made with `CREATE DATABASE .. TEMPLATE` does not inherit, and the
//! registry signal of a swapped-in database.
//!
//! Everything read here comes from a tenant database, written by the
//! tenant: module names and versions are only compared and shown escaped.

use std::time::Duration;

use postgres_protocol::escape::{escape_identifier as ident, escape_literal as literal};
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::within;

/// The record in the comment of a tenant `upgrade` blocks while it works
/// (`{"tenantctl_upgrading": {...}}`): who, since when, on which copy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Upgrading {
    pub copy: String,
    pub pid: u32,
    pub host: String,
    pub at: String,
}

impl Upgrading {
    /// The record of a database's comment, if it is one.
    pub fn parse(comment: &str) -> Option<Upgrading> {
        let v: serde_json::Value = serde_json::from_str(comment).ok()?;
        serde_json::from_value(v.get("tenantctl_upgrading")?.clone()).ok()
    }

    /// The comment that records it.
    pub fn comment(&self) -> String {
        serde_json::json!({ "tenantctl_upgrading": self }).to_string()
    }
}

/// One row of `ir_module_module`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Module {
    pub name: String,
    pub state: String,
    /// The version the database is at (`latest_version`; NULL for a module
    /// never installed).
    pub version: Option<String>,
}

/// The module states Odoo leaves while an upgrade is pending: cron workers
/// skip such a database for good ("Skipping database ... modules to
/// install/upgrade/remove"), and 13/16 run the pending upgrade inside the
/// next web request (odoo-facts §9).
pub const PENDING_STATES: [&str; 3] = ["to upgrade", "to install", "to remove"];

/// What a database says about its modules before or after a run.
#[derive(Debug, Clone, Default)]
pub struct ModulesState {
    /// The modules asked for (all installed ones for `-u all`), by name.
    pub requested: Vec<Module>,
    /// Any module in a pending state.
    pub pending: Vec<Module>,
    /// Odoo 19 sets ICP `base.partially_updated_database` while an update
    /// has not finished (odoo-facts §9).
    pub partially_updated: bool,
    /// `base`'s `latest_version` (the Odoo major comes from it).
    pub base_version: Option<String>,
    /// Every installed module (`-u mail` also upgrades the modules that
    /// depend on `mail`: their versions are reported too).
    pub installed: Vec<Module>,
}

/// The requested modules (`$1`; NULL: every installed module).
const REQUESTED_SQL: &str = "SELECT name::text, state::text, latest_version::text \
     FROM public.ir_module_module \
     WHERE CASE WHEN $1::text[] IS NULL THEN state = 'installed' ELSE name = ANY($1::text[]) END \
     ORDER BY name";

/// Modules in a pending state (`ir_module_module.state` is indexed).
const PENDING_SQL: &str = "SELECT name::text, state::text, latest_version::text \
     FROM public.ir_module_module \
     WHERE state IN ('to upgrade', 'to install', 'to remove') ORDER BY name";

/// `base`'s version, and whether Odoo 19's unfinished-update mark is set.
const MARKS_SQL: &str = "SELECT \
     (SELECT latest_version::text FROM public.ir_module_module WHERE name = 'base'), \
     EXISTS (SELECT 1 FROM public.ir_config_parameter WHERE key = 'base.partially_updated_database')";

fn module(r: &tokio_postgres::Row) -> Module {
    Module {
        name: r.get(0),
        state: r.get(1),
        version: r.get(2),
    }
}

/// Reads the state of `names` (None: every installed module) in one round
/// trip (the three statements pipelined). A database without Odoo's
/// `ir_module_module` (42P01 undefined_table) is [`super::NotOdoo`].
pub async fn modules_state(
    client: &Client,
    names: Option<&[String]>,
    deadline: Duration,
) -> anyhow::Result<ModulesState> {
    let names: Option<Vec<String>> = names.map(<[String]>::to_vec);
    let p: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 1] = [(&names, Type::TEXT_ARRAY)];
    let none: Option<Vec<String>> = None;
    let all: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 1] = [(&none, Type::TEXT_ARRAY)];
    let (requested, pending, marks, installed) = within(deadline, async {
        tokio::try_join!(
            client.query_typed(REQUESTED_SQL, &p),
            client.query_typed(PENDING_SQL, &[]),
            client.query_typed(MARKS_SQL, &[]),
            client.query_typed(REQUESTED_SQL, &all),
        )
    })
    .await
    .map_err(|e| {
        if crate::error::sqlstate_of(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) {
            anyhow::Error::new(super::NotOdoo("no ir_module_module table"))
        } else {
            e
        }
    })?;
    let marks = marks.first();
    Ok(ModulesState {
        installed: installed.iter().map(module).collect(),
        requested: requested.iter().map(module).collect(),
        pending: pending.iter().map(module).collect(),
        base_version: marks.and_then(|r| r.get(0)),
        partially_updated: marks.is_some_and(|r| r.get(1)),
    })
}

/// Odoo's workers compare the registry sequence with the value they loaded
/// their registry at and reload when it moved (`check_signaling`,
/// odoo/modules/registry.py). 12–18 keep it in the sequence
/// `base_registry_signaling`; 13 and 16 do not move it after a
/// command-line `-u`, and the copy carries the original's value, so workers
/// would keep serving the old registry (a new field fails) until it moves
/// (odoo-facts §9). 19 moves `orm_signaling_registry` itself. Sequences
/// carry no triggers: `nextval` runs no tenant code. Whether it moved.
const BUMP_REGISTRY_SQL: &str = "SELECT pg_catalog.nextval(c.oid) FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'public' AND c.relname = 'base_registry_signaling' AND c.relkind = 'S'";

pub async fn bump_registry(client: &Client, deadline: Duration) -> anyhow::Result<bool> {
    let rows = within(deadline, client.query_typed(BUMP_REGISTRY_SQL, &[])).await?;
    Ok(!rows.is_empty())
}

/// Blocks a database and records why in its comment, in one transaction
/// (a simple query of two statements is one implicit transaction): the
/// connections layer's mechanism (`ALLOW_CONNECTIONS false` hides it from
/// Odoo's list and routing, odoo-facts §7), so a crash leaves it visible.
pub async fn block_with_comment(
    maint: &Client,
    db: &str,
    comment: Option<&str>,
    allow: bool,
    deadline: Duration,
) -> anyhow::Result<()> {
    let c = comment.map(literal).unwrap_or_else(|| "NULL".into());
    within(
        deadline,
        maint.batch_execute(&format!(
            "ALTER DATABASE {db} ALLOW_CONNECTIONS {allow}; COMMENT ON DATABASE {db} IS {c}",
            db = ident(db)
        )),
    )
    .await
}

/// The copy Odoo upgrades: `CREATE DATABASE copy TEMPLATE db`, owned by
/// the tenant's role (Odoo's `-u` creates objects in the schema `public`,
/// which on PostgreSQL 15+ only the database's owner may: a copy owned by
/// another role fails with "permission denied for schema public"), marked
/// `IS_TEMPLATE`: every Odoo's `list_dbs` (13 to 19) lists only
/// `NOT datistemplate AND datallowconn` databases of its role, so the
/// running Odoo's cron workers, database selector and routing leave the
/// copy alone (a running Odoo 13/19 ran the tenant's scheduled jobs on an
/// unmarked copy, one mail sent twice: seen on real Odoo, issue 27), while
/// `odoo-bin -d copy` still connects to it (seen on 16).
pub async fn create_copy(
    maint: &Client,
    copy: &str,
    db: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        maint.batch_execute(&format!(
            "CREATE DATABASE {} ENCODING 'unicode' TEMPLATE {} OWNER {} IS_TEMPLATE true",
            ident(copy),
            ident(db),
            ident(owner)
        )),
    )
    .await
}

/// Whether the copy exists and whether it is valid: a `DROP DATABASE`
/// interrupted half-way leaves it invalid (`datconnlimit = -2`, PostgreSQL
/// 15.4+), and an invalid database can only be dropped (any `ALTER` of it
/// fails "cannot alter invalid database").
const COPY_STATE_SQL: &str =
    "SELECT d.datconnlimit <> -2 FROM pg_catalog.pg_database d WHERE d.datname = $1";

/// Drops an upgrade's copy: unmarked as a template and blocked first (a
/// template cannot be dropped) unless a drop interrupted earlier left it
/// invalid, then dropped without the session's statement timeout and with
/// a long deadline: `DROP DATABASE` waits for a checkpoint, which can take
/// longer than a statement timeout on a busy node, and a drop cut short
/// leaves an invalid database behind (seen: the next runs could not alter
/// it).
pub async fn drop_copy(maint: &Client, copy: &str, deadline: Duration) -> anyhow::Result<()> {
    let rows = within(
        deadline,
        maint.query_typed(COPY_STATE_SQL, &[(&copy, Type::TEXT)]),
    )
    .await?;
    let Some(valid) = rows.first().map(|r| r.get::<_, bool>(0)) else {
        return Ok(());
    };
    if valid {
        within(
            deadline,
            maint.batch_execute(&format!(
                "ALTER DATABASE {c} IS_TEMPLATE false; ALTER DATABASE {c} ALLOW_CONNECTIONS false",
                c = ident(copy)
            )),
        )
        .await?;
    }
    super::lifecycle::end_sessions(maint, copy, deadline).await?;
    let long = deadline.max(Duration::from_secs(600));
    within(long, maint.batch_execute("SET statement_timeout = 0")).await?;
    let dropped = within(
        long,
        maint.batch_execute(&format!("DROP DATABASE IF EXISTS {}", ident(copy))),
    )
    .await;
    let reset = within(deadline, maint.batch_execute("RESET statement_timeout")).await;
    dropped.and(reset)
}

/// Unmarks a copy as a template (before it is kept as a failed copy).
pub async fn unmark_copy(maint: &Client, copy: &str, deadline: Duration) -> anyhow::Result<()> {
    within(
        deadline,
        maint.batch_execute(&format!("ALTER DATABASE {} IS_TEMPLATE false", ident(copy))),
    )
    .await
}

/// Roles besides superusers, the owner of the tenant `$1` and tenantctl's own
/// role that could copy the upgrade's copy while it is a template: any role
/// with CREATEDB may `CREATE DATABASE .. TEMPLATE` a database marked
/// `IS_TEMPLATE`, and a CREATEROLE role (before PostgreSQL 16) may give
/// itself CREATEDB. On a node where each tenant has its own role, such a
/// role would reach another tenant's data.
const CLONERS_SQL: &str = "SELECT r.rolname::text FROM pg_catalog.pg_roles r \
     WHERE (r.rolcreatedb OR r.rolcreaterole) AND NOT r.rolsuper \
     AND r.rolname <> current_user \
     AND r.oid <> ALL (SELECT d.datdba FROM pg_catalog.pg_database d WHERE d.datname = $1) \
     ORDER BY 1";

pub async fn cloners(maint: &Client, db: &str, deadline: Duration) -> anyhow::Result<Vec<String>> {
    let rows = within(
        deadline,
        maint.query_typed(CLONERS_SQL, &[(&db, Type::TEXT)]),
    )
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Where a database's files are, to check the free space before copying
/// it: its tablespace's directory, or the data directory for the default
/// tablespace (readable by superusers and `pg_read_all_settings` only:
/// None otherwise); and whether it is the default tablespace (with
/// `pg_wal`, as a rule, on its file system).
const DATA_DIR_SQL: &str = "SELECT CASE WHEN t.spcname = 'pg_default' THEN \
     CASE WHEN r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'pg_read_all_settings', 'MEMBER') \
     THEN pg_catalog.current_setting('data_directory') END \
     ELSE pg_catalog.pg_tablespace_location(t.oid) END, t.spcname = 'pg_default' \
     FROM pg_catalog.pg_database d \
     JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace \
     JOIN pg_catalog.pg_roles r ON r.rolname = current_user \
     WHERE d.datname = $1";

pub async fn data_dir(
    maint: &Client,
    db: &str,
    deadline: Duration,
) -> anyhow::Result<(Option<String>, bool)> {
    let rows = within(
        deadline,
        maint.query_typed(DATA_DIR_SQL, &[(&db, Type::TEXT)]),
    )
    .await?;
    Ok(rows.first().map_or((None, true), |r| (r.get(0), r.get(1))))
}

/// The swap of an upgrade, in one transaction (a simple query of several
/// statements is one implicit transaction; `ALTER DATABASE .. RENAME`,
/// `COMMENT` and `ALLOW_CONNECTIONS` are all transactional): `db` becomes
/// `pre` with `pre_comment`, `copy` (no longer a template) becomes `db`
/// with `comment` (both still blocked). All of it or nothing: there is no
/// moment without a database under the tenant's name, which is all Odoo
/// routes by (odoo-facts §7). Neither database may have a session open
/// (PostgreSQL refuses to rename one that has).
pub async fn swap_in(
    maint: &Client,
    db: &str,
    copy: &str,
    pre: &str,
    pre_comment: &str,
    comment: Option<&str>,
    deadline: Duration,
) -> anyhow::Result<()> {
    let c = comment.map(literal).unwrap_or_else(|| "NULL".into());
    let sql = format!(
        "ALTER DATABASE {copy} IS_TEMPLATE false; \
         ALTER DATABASE {db} RENAME TO {pre}; COMMENT ON DATABASE {pre} IS {pc}; \
         ALTER DATABASE {copy} RENAME TO {db}; COMMENT ON DATABASE {db} IS {c}",
        db = ident(db),
        pre = ident(pre),
        copy = ident(copy),
        pc = literal(pre_comment),
    );
    within(deadline, maint.batch_execute(&sql)).await
}

/// A database's privileges (`datacl`) and whether it has per-database
/// settings (`ALTER DATABASE .. SET`): `CREATE DATABASE .. TEMPLATE` copies
/// neither, so a swapped-in copy must get them again.
const DB_ACL_SQL: &str = "SELECT d.datacl IS NULL, \
     (SELECT count(*) FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid), \
     CASE WHEN pg_catalog.has_database_privilege(d.oid, 'CONNECT') \
     THEN pg_catalog.pg_database_size(d.oid) END \
     FROM pg_catalog.pg_database d WHERE d.datname = $1";

/// Each grant of a database's `datacl` but the owner's own (grantee NULL:
/// PUBLIC).
const DB_GRANTS_SQL: &str = "SELECT CASE WHEN a.grantee = 0 THEN NULL \
     ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END, a.privilege_type::text, a.is_grantable \
     FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a \
     WHERE d.datname = $1 AND a.grantee <> d.datdba ORDER BY 1, 2";

/// One grant on a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// None: PUBLIC.
    pub grantee: Option<String>,
    pub privilege: String,
    pub grantable: bool,
}

/// What a database carries besides its contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbAcl {
    /// `datacl` is NULL: the defaults (owner all, PUBLIC `CONNECT, TEMP`).
    pub default: bool,
    /// Every grant but the owner's own.
    pub grants: Vec<Grant>,
    /// Rows of `pg_db_role_setting` for the database.
    pub settings: i64,
    /// Its size in bytes (None when the role may not know it).
    pub size: Option<i64>,
}

pub async fn db_acl(maint: &Client, db: &str, deadline: Duration) -> anyhow::Result<DbAcl> {
    let p: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 1] = [(&db, Type::TEXT)];
    let (head, grants) = within(deadline, async {
        tokio::try_join!(
            maint.query_typed(DB_ACL_SQL, &p),
            maint.query_typed(DB_GRANTS_SQL, &p),
        )
    })
    .await?;
    let r = head
        .first()
        .ok_or_else(|| anyhow::anyhow!("database {db:?} not found on the node"))?;
    Ok(DbAcl {
        default: r.get(0),
        settings: r.get(1),
        size: r.get(2),
        grants: grants
            .iter()
            .map(|g| Grant {
                grantee: g.get(0),
                privilege: g.get(1),
                grantable: g.get(2),
            })
            .collect(),
    })
}

/// Gives `db` the privileges `acl` lists (read from the database it
/// replaces): nothing for the defaults, else everything revoked from PUBLIC
/// and each grant made again, in one transaction. Privilege names come from
/// PostgreSQL's own `aclexplode`, checked against the database privileges;
/// role names are quoted.
pub async fn set_db_acl(
    maint: &Client,
    db: &str,
    acl: &DbAcl,
    deadline: Duration,
) -> anyhow::Result<()> {
    if acl.default {
        return Ok(());
    }
    let mut sql = format!("REVOKE ALL ON DATABASE {} FROM PUBLIC", ident(db));
    for g in &acl.grants {
        if !matches!(g.privilege.as_str(), "CONNECT" | "CREATE" | "TEMPORARY") {
            anyhow::bail!("unexpected database privilege {:?}", g.privilege);
        }
        sql.push_str(&format!(
            "; GRANT {} ON DATABASE {} TO {}{}",
            g.privilege,
            ident(db),
            g.grantee
                .as_deref()
                .map(ident)
                .unwrap_or_else(|| "PUBLIC".into()),
            if g.grantable {
                " WITH GRANT OPTION"
            } else {
                ""
            }
        ));
    }
    within(deadline, maint.batch_execute(&sql)).await
}

/// The Odoo log lines that mean a run failed even when it exited 0: Odoo's
/// log format is `<date> <time>,<ms> <pid> <LEVEL> <db> <logger>: <msg>`
/// (odoo/netsvc.py); ERROR and CRITICAL lines come with a NOT NULL that
/// could not be applied and with a module that failed (odoo-facts §9).
pub fn is_error_line(line: &str) -> bool {
    let mut w = line.split_whitespace();
    let (Some(date), Some(time), Some(pid), Some(level)) = (w.next(), w.next(), w.next(), w.next())
    else {
        return false;
    };
    date.len() == 10
        && date.as_bytes()[4] == b'-'
        && time.contains(',')
        && pid.bytes().all(|b| b.is_ascii_digit())
        && matches!(level, "ERROR" | "CRITICAL")
}

/// Whether a line starts a record of Odoo's log (`<date> <time>,<ms>
/// <pid> <LEVEL> ...`); the lines between records are a traceback's.
fn is_record_line(line: &str) -> bool {
    let mut w = line.split_whitespace();
    let (Some(date), Some(time), Some(pid)) = (w.next(), w.next(), w.next()) else {
        return false;
    };
    date.len() == 10
        && date.as_bytes()[4] == b'-'
        && time.contains(',')
        && pid.bytes().all(|b| b.is_ascii_digit())
}

/// What Odoo's log says of a failed run.
#[derive(Debug, PartialEq, Eq)]
pub struct LogFailure {
    /// ERROR and CRITICAL records.
    pub count: usize,
    /// The first of them (what failed first; the last is usually
    /// "Failed to initialize database").
    pub first: String,
    /// The exception of the first traceback after an error record
    /// (`Exception: ...`, the traceback's last line).
    pub raised: Option<String>,
}

pub fn log_failure(log: &str) -> Option<LogFailure> {
    let lines: Vec<&str> = log.lines().collect();
    let errors: Vec<usize> = (0..lines.len())
        .filter(|&i| is_error_line(lines[i]))
        .collect();
    let first = *errors.first()?;
    let raised = errors.iter().find_map(|&i| {
        let block: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| !is_record_line(l))
            .copied()
            .collect();
        if !block.iter().any(|l| l.starts_with("Traceback")) {
            return None;
        }
        block
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with(' '))
            .map(|l| l.trim().to_string())
    });
    Some(LogFailure {
        count: errors.len(),
        first: lines[first].trim().to_string(),
        raised,
    })
}

#[cfg(test)]
mod tests {
    use super::{is_error_line, log_failure};

    #[test]
    fn a_failure_is_its_first_error_and_the_exception_raised() {
        let log = "2026-12-06 02:59:20,863 10983 INFO t odoo.modules.migration: module tc_judge: Running migration [>1.4] pre-migrate
2026-12-06 03:00:35,936 10983 WARNING t odoo.modules.loading: Transient module states were reset
2026-12-06 03:00:35,938 10983 ERROR t odoo.modules.registry: Failed to load registry
Traceback (most recent call last):
  File \"/opt/odoo/odoo/modules/registry.py\", line 90, in new
    odoo.modules.load_modules(registry, force_demo, status, update_module)
Exception: judge: fail after 75 s
2026-12-06 03:00:35,940 10983 CRITICAL t odoo.service.server: Failed to initialize database `t`.
Traceback (most recent call last):
  File \"/opt/odoo/odoo/service/server.py\", line 1299, in preload_registries
Exception: judge: fail after 75 s
";
        let f = log_failure(log).unwrap();
        assert_eq!(f.count, 2);
        assert!(f.first.ends_with("Failed to load registry"), "{}", f.first);
        assert_eq!(
            f.raised.as_deref(),
            Some("Exception: judge: fail after 75 s")
        );
        assert_eq!(
            log_failure("2026-12-06 03:00:35,936 1 INFO t x: fine\n"),
            None
        );
        let no_tb =
            log_failure("2026-12-06 03:00:35,936 1 ERROR t odoo.schema: unable to set NOT NULL\n")
                .unwrap();
        assert_eq!((no_tb.count, no_tb.raised), (1, None));
    }

    #[test]
    fn error_lines_are_odoos_error_and_critical_records() {
        assert!(is_error_line(
            "2026-12-05 10:00:00,123 4242 ERROR acme odoo.schema: Table 'x': unable to set NOT NULL on column 'y'"
        ));
        assert!(is_error_line(
            "2026-12-05 10:00:00,123 4242 CRITICAL acme odoo.service.server: Failed to initialize database `acme`."
        ));
        assert!(!is_error_line(
            "2026-12-05 10:00:00,123 4242 WARNING acme odoo.modules.loading: module x: not installable"
        ));
        assert!(!is_error_line("Traceback (most recent call last):"));
        assert!(!is_error_line("ERROR: something in a message"));
    }
}
