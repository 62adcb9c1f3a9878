//! The SQL of a tenant's life besides suspension: creating one from a
//! template, duplicating, renaming, soft-dropping and purging (odoo-facts §7).
//! Database-level statements run on the node's maintenance database;
//! identifiers are quoted with `postgres_protocol::escape::escape_identifier`.

use std::time::Duration;

use anyhow::anyhow;
use postgres_protocol::escape::{escape_identifier as ident, escape_literal as literal};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};

use super::{guard, within, within_any, WriteError};

// The name check and its limit live with the file and directory names they
// guard (the filestore's `SafeName`).
pub use crate::transport::host::filestore::{check_db_name, MAX_NAME};

/// What the maintenance database says about a database.
#[derive(Debug, Clone)]
pub struct DbInfo {
    pub name: String,
    pub allow_connections: bool,
    pub is_template: bool,
    pub owner: String,
    /// `COMMENT ON DATABASE` (tenantctl records a drop there).
    pub comment: Option<String>,
}

/// pg_database, with the owner and the comment (pg_shdescription).
const DB_SQL: &str = "SELECT d.datname::text, d.datallowconn, d.datistemplate, \
     pg_catalog.pg_get_userbyid(d.datdba)::text, \
     pg_catalog.shobj_description(d.oid, 'pg_database') \
     FROM pg_catalog.pg_database d WHERE d.datname = $1";

pub async fn db_info(
    client: &Client,
    name: &str,
    deadline: Duration,
) -> anyhow::Result<Option<DbInfo>> {
    let rows = within(deadline, client.query_typed(DB_SQL, &[(&name, Type::TEXT)])).await?;
    Ok(rows.first().map(|r| DbInfo {
        name: r.get(0),
        allow_connections: r.get(1),
        is_template: r.get(2),
        owner: r.get(3),
        comment: r.get(4),
    }))
}

/// Which of `names` are taken on the node (pg_database), in one round trip.
const TAKEN_SQL: &str = "SELECT d.datname::text FROM pg_catalog.pg_database d \
     WHERE d.datname = ANY($1::text[]) ORDER BY 1";

pub async fn taken(
    client: &Client,
    names: &[&str],
    deadline: Duration,
) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let rows = within(
        deadline,
        client.query_typed(TAKEN_SQL, &[(&names, Type::TEXT_ARRAY)]),
    )
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Every database whose name ends like a tenantctl drop, with its comment:
/// a drop, or what an upgrade keeps (the original after a swap, a failed
/// copy).
const DROPPED_SQL: &str =
    "SELECT d.datname::text, pg_catalog.shobj_description(d.oid, 'pg_database') \
     FROM pg_catalog.pg_database d \
     WHERE d.datname ~ '\\.(dropped|pre-upgrade|upgrade-failed)-[0-9]{8}T[0-9]{6}Z$' ORDER BY 1";

pub async fn dropped(
    client: &Client,
    deadline: Duration,
) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let rows = within(deadline, client.query_typed(DROPPED_SQL, &[])).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Databases tenantctl is building (`create`, `duplicate`), with their comment.
const CREATING_SQL: &str =
    "SELECT d.datname::text, pg_catalog.shobj_description(d.oid, 'pg_database') \
     FROM pg_catalog.pg_database d WHERE d.datname ~ '\\.creating-[0-9a-f]{8}$' ORDER BY 1";

pub async fn creating(
    client: &Client,
    deadline: Duration,
) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let rows = within(deadline, client.query_typed(CREATING_SQL, &[])).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Sessions on `db` other than ours: what makes `CREATE DATABASE ... TEMPLATE`
/// fail ("source database is being accessed by other users").
const SESSIONS_SQL: &str = "SELECT count(*) FROM pg_catalog.pg_stat_activity \
     WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()";

pub async fn sessions(client: &Client, db: &str, deadline: Duration) -> anyhow::Result<i64> {
    let rows = within(
        deadline,
        client.query_typed(SESSIONS_SQL, &[(&db, Type::TEXT)]),
    )
    .await?;
    Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
}

/// Odoo's duplicate ends the other connections to the source first
/// (`_drop_conn`: `pg_terminate_backend` on every other pid of the database).
const TERMINATE_SQL: &str =
    "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity \
     WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()";

pub async fn end_sessions(client: &Client, db: &str, deadline: Duration) -> anyhow::Result<i64> {
    let rows = within(
        deadline,
        client.query_typed(TERMINATE_SQL, &[(&db, Type::TEXT)]),
    )
    .await?;
    // A backend takes a moment to go after its signal.
    wait_no_sessions(client, db, deadline).await?;
    Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
}

/// Waits (up to 5 s) until no other session is on `db`: one that is ending
/// (ours just closed, or one signalled) would make `CREATE DATABASE ..
/// TEMPLATE`, `RENAME` or `DROP` wait in PostgreSQL's own 100 ms steps
/// (`CountOtherDBBackends`), or fail after 5 s.
pub async fn wait_no_sessions(client: &Client, db: &str, deadline: Duration) -> anyhow::Result<()> {
    for _ in 0..1000 {
        if sessions(client, db, deadline).await? == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// Odoo's duplicate: `CREATE DATABASE "<new>" ENCODING 'unicode' TEMPLATE
/// "<src>"`, owned like the template (Odoo's role owns its databases). Not
/// in a transaction (PostgreSQL refuses that).
pub async fn create_from(
    client: &Client,
    new: &str,
    template: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    let sql = format!(
        "CREATE DATABASE {} ENCODING 'unicode' TEMPLATE {} OWNER {}",
        ident(new),
        ident(template),
        ident(owner)
    );
    within(deadline, client.batch_execute(&sql)).await
}

/// A private copy of a blocked database (`ALLOW_CONNECTIONS false`, the
/// `connections` suspension layer or a soft drop) for `backup`: Odoo's
/// `list_dbs` and routing skip a database that allows no connection
/// (odoo-facts §7), so the tenant itself is never opened. The copy is
/// made with `ALLOW_CONNECTIONS false`, owned like the tenant by its Odoo
/// role (`owner`; as every database tenantctl makes: a database owned by
/// tenantctl's superuser is one Odoo does not list, odoo-facts §7), its
/// `CONNECT`/`TEMPORARY` taken from PUBLIC (database ACLs are not copied
/// from a template, a new database grants them to PUBLIC) and `CONNECT`
/// from the owner too (a superuser's or the owner's own revoke removes the
/// owner's implicit right; odoo-facts §8), granted to tenantctl's role,
/// marked with `note` (what `clean_stale` reads after a kill -9), and only
/// then opened ([`open_snapshot`], the second step): the tenant's role
/// never connects to it while it is dumped.
/// PostgreSQL lets only a superuser or the source's owner clone a database
/// that is not a template. Not in a transaction (PostgreSQL refuses that).
pub async fn snapshot(
    client: &Client,
    snap: &str,
    source: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {} OWNER {} ALLOW_CONNECTIONS false",
            ident(snap),
            ident(source),
            ident(owner)
        )),
    )
    .await
}

/// The second half of [`snapshot`]: marks it with `note`, takes `CONNECT`
/// from PUBLIC, then opens it to connections; dropped again when that
/// fails.
pub async fn open_snapshot(
    client: &Client,
    snap: &str,
    owner: &str,
    note: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    let opened = within(
        deadline,
        client.batch_execute(&format!(
            "COMMENT ON DATABASE {s} IS {}; REVOKE CONNECT, TEMPORARY ON DATABASE {s} FROM PUBLIC; \
             REVOKE CONNECT ON DATABASE {s} FROM {o}; GRANT CONNECT ON DATABASE {s} TO CURRENT_USER; \
             ALTER DATABASE {s} ALLOW_CONNECTIONS true",
            literal(note),
            s = ident(snap),
            o = ident(owner)
        )),
    )
    .await;
    if let Err(x) = opened {
        // Nobody can be connected to it yet: dropped at once.
        if let Err(y) = drop_database(client, snap, deadline).await {
            return Err(x.context(format!("and dropping {snap:?} again failed: {y:#}")));
        }
        return Err(x);
    }
    Ok(())
}

/// Drops a database (after ending its sessions).
pub async fn drop_database(client: &Client, name: &str, deadline: Duration) -> anyhow::Result<()> {
    end_sessions(client, name, deadline).await?;
    within(
        deadline,
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {}", ident(name))),
    )
    .await
}

/// `ALTER DATABASE .. RENAME TO ..` (no session may be open on it).
pub async fn rename(
    client: &Client,
    old: &str,
    new: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "ALTER DATABASE {} RENAME TO {}",
            ident(old),
            ident(new)
        )),
    )
    .await
}

/// Renames a database and sets its comment (tenantctl's record: a build's
/// removed when it is published, a drop's written when it is dropped) in
/// one transaction (a simple query of two statements is one implicit
/// transaction; PostgreSQL allows both in a transaction block): the new
/// name never carries the old name's record, whatever kills the run.
pub async fn rename_and_comment(
    client: &Client,
    old: &str,
    new: &str,
    comment: Option<&str>,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "ALTER DATABASE {} RENAME TO {}; {}",
            ident(old),
            ident(new),
            comment_sql(new, comment)
        )),
    )
    .await
}

/// `COMMENT ON DATABASE db IS 'text'` (or `NULL`), the text quoted.
fn comment_sql(db: &str, comment: Option<&str>) -> String {
    let c = comment.map(literal).unwrap_or_else(|| "NULL".into());
    format!("COMMENT ON DATABASE {} IS {c}", ident(db))
}

/// `ALLOW_CONNECTIONS false` hides a database from Odoo's list and routing
/// (odoo-facts §7: `list_dbs` skips `datallowconn = false`).
pub async fn allow_connections(
    client: &Client,
    db: &str,
    allow: bool,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(
        deadline,
        client.batch_execute(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS {allow}",
            ident(db)
        )),
    )
    .await
}

/// Records (or clears) tenantctl's note on a database.
pub async fn set_comment(
    client: &Client,
    db: &str,
    comment: Option<&str>,
    deadline: Duration,
) -> anyhow::Result<()> {
    within(deadline, client.batch_execute(&comment_sql(db, comment))).await
}

/// What the new tenant gets besides Odoo's regenerated keys.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// `web.base.url` (with `web.base.url.freeze`); None keeps the source's.
    pub base_url: Option<String>,
    /// (admin user id, its current login, new login, new hash).
    pub admin: Option<(i64, String, Option<String>, String)>,
    /// `res_company.name` of the admin's company and its partner.
    pub company: Option<String>,
    /// Drop the template's enterprise code, expiration keys and `tenant.*`
    /// (create); a duplicate keeps them but the `tenant.*` keys.
    pub new_customer: bool,
    pub neutralize: bool,
}

/// What the identity transaction did.
#[derive(Debug, Clone, Default)]
pub struct Regenerated {
    pub secret: String,
    pub uuid: String,
    pub create_date: String,
    pub removed_keys: Vec<String>,
    pub neutralized: Vec<String>,
    /// The installed modules whose `data/neutralize.sql` ran (see
    /// `neutralize`).
    pub neutralized_modules: Vec<String>,
    pub warnings: Vec<String>,
}

/// The tables the identity transaction writes (with neutralization, also
/// those of the installed modules' statements, see `neutralize`).
pub const WRITTEN_TABLES: [&str; 9] = [
    "ir_config_parameter",
    "res_users",
    "res_users_log",
    "res_company",
    "res_partner",
    "ir_cron",
    "ir_mail_server",
    "fetchmail_server",
    "auth_oauth_provider",
];

/// `ir.config_parameter` upsert as `set_param` stores it (unique `key`).
const SET_PARAM_SQL: &str = "INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
     VALUES ($1, $2, 1, (now() AT TIME ZONE 'UTC'), 1, (now() AT TIME ZONE 'UTC')) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

/// [`SET_PARAM_SQL`] for several keys in one statement (`$1` keys, `$2`
/// their values, unique keys).
const SET_PARAMS_SQL: &str = "INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
     SELECT p.key, p.value, 1, (now() AT TIME ZONE 'UTC'), 1, (now() AT TIME ZONE 'UTC') \
     FROM ROWS FROM (pg_catalog.unnest($1::varchar[]), pg_catalog.unnest($2::text[])) AS p(key, value) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

/// Keys a new customer must not inherit from the template: the template's
/// subscription (click-odoo-contrib's copy removes the enterprise code too)
/// and tenantctl's own records (suspension...).
/// `ONLY`: without it PostgreSQL also writes the rows of the table's
/// inheritance children and fires their triggers (see `guard`); reads use
/// `ONLY` too, to see exactly the rows the writes change.
const REMOVE_SQL: &str = "DELETE FROM ONLY public.ir_config_parameter \
     WHERE key IN ('database.enterprise_code', 'database.expiration_date', 'database.expiration_reason') \
        OR key LIKE 'tenant.%' RETURNING key";

/// A duplicate keeps the source's subscription keys, not tenantctl's
/// records (a copy of a suspended tenant is not suspended).
const REMOVE_TENANT_SQL: &str =
    "DELETE FROM ONLY public.ir_config_parameter WHERE key LIKE 'tenant.%' RETURNING key";

/// A new customer's database has no login history: Odoo adds a
/// `res_users_log` row at each successful login (odoo-facts §2, §6), so a
/// fresh database has none; the template's rows would show its admin's last
/// login, years ago, as the new tenant's.
const CLEAR_LOGINS_SQL: &str = "DELETE FROM ONLY public.res_users_log";

/// Whether auth_oauth's table is there (the module installed, or once).
const OAUTH_TABLE_SQL: &str = "SELECT to_regclass('public.auth_oauth_provider') IS NOT NULL";

/// auth_oauth overrides `ir.config_parameter.init(force=True)` (what Odoo
/// runs on a duplicated database, 13.0 to 19.0:
/// addons/auth_oauth/models/ir_config_parameter.py): once the new
/// `database.uuid` is set, the odoo.com provider (`auth_oauth.provider_openerp`)
/// gets it as its `client_id`. Only while the module is installed (its
/// override runs only then).
const OAUTH_CLIENT_SQL: &str = "UPDATE ONLY public.auth_oauth_provider p SET client_id = $1 \
     FROM ONLY public.ir_model_data d \
     WHERE d.module = 'auth_oauth' AND d.name = 'provider_openerp' AND d.model = 'auth.oauth.provider' \
     AND d.res_id = p.id AND EXISTS (SELECT 1 FROM ONLY public.ir_module_module m \
     WHERE m.name = 'auth_oauth' AND m.state IN ('installed', 'to upgrade'))";

/// The odoo.com OAuth provider's `client_id` follows the new
/// `database.uuid`, as Odoo's duplicate does ([`OAUTH_CLIENT_SQL`]).
async fn oauth_client(tx: &Transaction<'_>, uuid: &str, deadline: Duration) -> anyhow::Result<()> {
    let has = within(deadline, tx.query_typed(OAUTH_TABLE_SQL, &[])).await?;
    if !has.first().is_some_and(|r| r.get::<_, bool>(0)) {
        return Ok(());
    }
    within(
        deadline,
        tx.execute_typed(OAUTH_CLIENT_SQL, &[(&uuid, Type::VARCHAR)]),
    )
    .await
    .map_err(|e| e.context("setting the odoo.com OAuth provider's client_id"))?;
    Ok(())
}

/// Odoo's `_set_encrypted_password` writes the hash with a raw UPDATE.
const ADMIN_SQL: &str =
    "UPDATE ONLY public.res_users SET login = $1, password = $2 WHERE id = $3 AND login = $4";

/// The company (and its partner, whose name Odoo keeps equal) of a user.
const COMPANY_SQL: &str = "UPDATE ONLY public.res_company SET name = $1 \
     WHERE id = (SELECT company_id FROM ONLY public.res_users WHERE id = $2) RETURNING partner_id";
const PARTNER_SQL: &str = "UPDATE ONLY public.res_partner SET name = $1 WHERE id = $2";
/// The stored display name of res.partner: `display_name` up to 16,
/// `complete_name` from 17.
const PARTNER_COLUMNS_SQL: &str = "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
     WHERE a.attrelid = 'public.res_partner'::pg_catalog.regclass AND a.attname IN ('display_name', 'complete_name') \
       AND NOT a.attisdropped";

/// Which of the neutralization tables exist (modules not installed, older
/// versions).
const TABLES_SQL: &str = "SELECT pg_catalog.to_regclass('public.ir_cron') IS NOT NULL, \
     pg_catalog.to_regclass('public.ir_mail_server') IS NOT NULL, \
     pg_catalog.to_regclass('public.fetchmail_server') IS NOT NULL";

/// Odoo 16+ `base/data/neutralize.sql`: every scheduled action off except
/// the autovacuum job (xmlid `base.autovacuum_job`).
const CRON_OFF_SQL: &str = "UPDATE ONLY public.ir_cron SET active = false WHERE active \
     AND id NOT IN (SELECT res_id FROM ONLY public.ir_model_data \
                    WHERE module = 'base' AND name = 'autovacuum_job' AND model = 'ir.cron')";
/// `base/data/neutralize.sql`: every outgoing mail server off.
const MAIL_OFF_SQL: &str = "UPDATE ONLY public.ir_mail_server SET active = false WHERE active";
/// Later versions also add an active dummy server with host `invalid`, so
/// that the configuration file's SMTP fallback is not used.
const MAIL_COLUMNS_SQL: &str = "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
     WHERE a.attrelid = 'public.ir_mail_server'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped";
/// `mail/data/neutralize.sql` (18): incoming mail servers off.
const FETCHMAIL_OFF_SQL: &str =
    "UPDATE ONLY public.fetchmail_server SET active = false WHERE active";

/// The guard (see `guard`) on `tables` inside `tx`: a refusal when the
/// tenant put something there; nothing with `--allow-triggers`. Run before
/// the first write and after the last one of every write into a tenant
/// database.
async fn refuse_findings(
    tx: &Transaction<'_>,
    tables: &[&str],
    allow_triggers: bool,
    deadline: Duration,
) -> Result<(), WriteError> {
    if allow_triggers {
        return Ok(());
    }
    let found = within_any(deadline, guard::findings(tx, tables))
        .await
        .map_err(|e| WriteError::before(e, None))?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(WriteError::Refused(guard::refusal(&found)))
    }
}

/// Regenerates the identity of a fresh copy in one transaction (Odoo's
/// `ir.config_parameter.init(force=True)`: `database.secret` = uuid4,
/// `database.uuid` = a new uuid, `database.create_date` = now UTC), plus
/// what a new customer needs, plus neutralization. Refuses (nothing written)
/// when the copy carries triggers, rules or functions on the tables written.
pub async fn regenerate(
    client: &mut Client,
    id: &Identity,
    allow_triggers: bool,
    deadline: Duration,
) -> Result<Regenerated, WriteError> {
    let tx = within(deadline, client.transaction())
        .await
        .map_err(|e| WriteError::before(e.context("begin"), None))?;
    let fail = |e: anyhow::Error| WriteError::before(e, None);
    // Which modules' neutralization runs decides which tables are written:
    // read before the guard, which covers them all.
    let plan = if id.neutralize {
        super::neutralize::plan(&tx, deadline)
            .await
            .map_err(|e| fail(e.context("reading the installed modules")))?
    } else {
        Default::default()
    };
    let mut tables: Vec<&str> = WRITTEN_TABLES.to_vec();
    // Read inside the transaction (auth_oauth's provider, the installed
    // modules): guarded too, so that a view or rule put in their place
    // cannot run tenant code with tenantctl's privileges.
    tables.extend(["ir_model_data", "ir_module_module"]);
    tables.extend(plan.tables());
    tables.sort_unstable();
    tables.dedup();
    refuse_findings(&tx, &tables, allow_triggers, deadline).await?;
    let mut out = Regenerated {
        secret: super::uuid::uuid4(),
        uuid: super::uuid::uuid1(),
        create_date: humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            .to_string()
            .trim_end_matches('Z')
            .replace('T', " "),
        ..Default::default()
    };
    let (keys, values) = new_params(id, &out);
    out.removed_keys = identity_writes(&tx, id, &keys, &values, deadline)
        .await
        .map_err(fail)?;
    oauth_client(&tx, &out.uuid, deadline).await.map_err(fail)?;
    if let Some((uid, _, _, _)) = &id.admin {
        if let Some(company) = &id.company {
            rename_company(&tx, company, *uid, deadline)
                .await
                .map_err(fail)?;
        }
    }
    if id.neutralize {
        neutralize(&tx, &plan, &mut out, deadline)
            .await
            .map_err(fail)?;
    }
    refuse_findings(&tx, &tables, allow_triggers, deadline).await?;
    super::commit(tx, deadline, None).await?;
    Ok(out)
}

/// The ICP keys and values the copy gets: its new identity, the base URL
/// (frozen) when given, and the neutralized flag.
fn new_params(id: &Identity, out: &Regenerated) -> (Vec<String>, Vec<String>) {
    let mut keys: Vec<String> = vec![
        "database.secret".into(),
        "database.uuid".into(),
        "database.create_date".into(),
    ];
    let mut values = vec![
        out.secret.clone(),
        out.uuid.clone(),
        out.create_date.clone(),
    ];
    if let Some(url) = &id.base_url {
        keys.push("web.base.url".into());
        values.push(url.clone());
        // Odoo rewrites web.base.url at an administrator's first login
        // unless this is set.
        keys.push("web.base.url.freeze".into());
        values.push("True".into());
    }
    if id.neutralize {
        keys.push("database.is_neutralized".into());
        values.push("true".into());
    }
    (keys, values)
}

/// The removal of the inherited keys, the new keys, the admin and (for a
/// new customer) the login history; returns the keys removed.
async fn identity_writes(
    tx: &Transaction<'_>,
    id: &Identity,
    keys: &[String],
    values: &[String],
    deadline: Duration,
) -> anyhow::Result<Vec<String>> {
    // The removal of the inherited keys, the new keys and the admin are
    // independent statements: sent together, one round trip (tokio-postgres
    // pipelines statements polled at once; inside the transaction they run
    // in the order sent, and the first to fail aborts the others).
    let removal = async {
        within(
            deadline,
            tx.query_typed(
                if id.new_customer {
                    REMOVE_SQL
                } else {
                    REMOVE_TENANT_SQL
                },
                &[],
            ),
        )
        .await
        .map_err(|e| e.context("removing inherited keys"))
    };
    let params = async {
        within(
            deadline,
            tx.execute_typed(
                SET_PARAMS_SQL,
                &[(&keys, Type::VARCHAR_ARRAY), (&values, Type::TEXT_ARRAY)],
            ),
        )
        .await
        .map_err(|e| e.context(format!("setting {}", keys.join(", "))))
    };
    let admin = async {
        let Some((uid, old, new, hash)) = &id.admin else {
            return anyhow::Ok(());
        };
        let login = new.clone().unwrap_or_else(|| old.clone());
        let n = within(
            deadline,
            tx.execute_typed(
                ADMIN_SQL,
                &[
                    (&login, Type::VARCHAR),
                    (hash, Type::VARCHAR),
                    (uid, Type::INT8),
                    (old, Type::VARCHAR),
                ],
            ),
        )
        .await
        .map_err(|e| e.context("setting the admin's login and password"))?;
        if n != 1 {
            return Err(anyhow!("the admin user (id {uid}) changed meanwhile"));
        }
        Ok(())
    };
    let logins = async {
        if !id.new_customer {
            return anyhow::Ok(0);
        }
        within(deadline, tx.execute_typed(CLEAR_LOGINS_SQL, &[]))
            .await
            .map_err(|e| e.context("clearing the template's login history"))
    };
    let (removed, _, (), _) = tokio::try_join!(removal, params, admin, logins)?;
    Ok(removed.iter().map(|r| r.get(0)).collect())
}

/// The company of the admin `uid`, its partner and the partner's stored
/// display names renamed to `company`.
async fn rename_company(
    tx: &Transaction<'_>,
    company: &str,
    uid: i64,
    deadline: Duration,
) -> anyhow::Result<()> {
    let rows = within(
        deadline,
        tx.query_typed(
            COMPANY_SQL,
            &[(&company, Type::VARCHAR), (&uid, Type::INT8)],
        ),
    )
    .await
    .map_err(|e| e.context("renaming the company"))?;
    let Some(r) = rows.first() else {
        return Ok(());
    };
    let partner: i32 = r.get(0);
    within(
        deadline,
        tx.execute_typed(
            PARTNER_SQL,
            &[(&company, Type::VARCHAR), (&partner, Type::INT4)],
        ),
    )
    .await
    .map_err(|e| e.context("renaming the company's partner"))?;
    let cols = within(deadline, tx.query_typed(PARTNER_COLUMNS_SQL, &[])).await?;
    for c in cols {
        let col: String = c.get(0);
        let sql = format!(
            "UPDATE ONLY public.res_partner SET {} = $1 WHERE id = $2",
            ident(&col)
        );
        within(
            deadline,
            tx.execute_typed(&sql, &[(&company, Type::VARCHAR), (&partner, Type::INT4)]),
        )
        .await
        .map_err(|e| e.context("renaming the company's partner"))?;
    }
    Ok(())
}

async fn neutralize(
    tx: &Transaction<'_>,
    plan: &super::neutralize::Plan,
    out: &mut Regenerated,
    deadline: Duration,
) -> anyhow::Result<()> {
    let rows = within(deadline, tx.query_typed(TABLES_SQL, &[])).await?;
    let (cron, mail, fetch): (bool, bool, bool) = rows
        .first()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .unwrap_or_default();
    if cron {
        let n = within(deadline, tx.execute_typed(CRON_OFF_SQL, &[])).await?;
        out.neutralized.push(format!(
            "{n} scheduled actions switched off (base.autovacuum_job kept)"
        ));
    } else {
        out.warnings
            .push("no ir_cron table: no scheduled actions to switch off".into());
    }
    if mail {
        let n = within(deadline, tx.execute_typed(MAIL_OFF_SQL, &[])).await?;
        out.neutralized
            .push(format!("{n} outgoing mail servers switched off"));
        let cols: Vec<String> = within(deadline, tx.query_typed(MAIL_COLUMNS_SQL, &[]))
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        // As Odoo 17+'s neutralize.sql, with the columns this version has.
        let wanted: [(&str, &str); 6] = [
            ("name", "'neutralization - disable emails'"),
            ("smtp_host", "'invalid'"),
            ("smtp_port", "1025"),
            ("smtp_encryption", "'none'"),
            ("smtp_authentication", "'login'"),
            ("active", "true"),
        ];
        let (names, values): (Vec<&str>, Vec<&str>) = wanted
            .iter()
            .filter(|(c, _)| cols.iter().any(|x| x == c))
            .map(|(c, v)| (*c, *v))
            .unzip();
        if names.contains(&"smtp_host") && names.contains(&"active") {
            let sql = format!(
                "INSERT INTO public.ir_mail_server ({}) VALUES ({})",
                names.join(", "),
                values.join(", ")
            );
            within(deadline, tx.batch_execute("SAVEPOINT dummy_mail")).await?;
            match within(deadline, tx.batch_execute(&sql)).await {
                Ok(()) => out
                    .neutralized
                    .push("an active dummy mail server with host `invalid` added".into()),
                Err(e) => {
                    within(
                        deadline,
                        tx.batch_execute("ROLLBACK TO SAVEPOINT dummy_mail"),
                    )
                    .await?;
                    out.warnings.push(format!(
                        "the dummy mail server could not be added ({e:#}); Odoo may fall back to the SMTP server of its configuration file"
                    ));
                }
            }
        } else {
            out.warnings.push(
                "ir_mail_server has no smtp_host/active column: no dummy server added".into(),
            );
        }
    } else {
        out.warnings
            .push("no ir_mail_server table: Odoo may fall back to the SMTP server of its configuration file".into());
    }
    if fetch {
        let n = within(deadline, tx.execute_typed(FETCHMAIL_OFF_SQL, &[])).await?;
        out.neutralized
            .push(format!("{n} incoming mail servers switched off"));
    }
    // Every other installed module's data/neutralize.sql.
    let done = super::neutralize::run(tx, plan, deadline).await?;
    out.neutralized.extend(done.details);
    out.neutralized_modules = plan.reported(done.modules);
    out.neutralized
        .push("database.is_neutralized = true".into());
    Ok(())
}

/// `web.base.url` of a tenant (rename keeps it when it does not follow the
/// node's pattern).
const BASE_URL_SQL: &str =
    "SELECT value FROM ONLY public.ir_config_parameter WHERE key = 'web.base.url'";

pub async fn base_url(client: &Client, deadline: Duration) -> anyhow::Result<Option<String>> {
    let rows = within(deadline, client.query_typed(BASE_URL_SQL, &[])).await?;
    Ok(rows.first().map(|r| r.get(0)))
}

/// Sets `web.base.url` (rename), in its own transaction, with the guard
/// before and after the write.
pub async fn set_base_url(
    client: &mut Client,
    url: &str,
    allow_triggers: bool,
    deadline: Duration,
) -> Result<(), WriteError> {
    let tx = within(deadline, client.transaction())
        .await
        .map_err(|e| WriteError::before(e.context("begin"), None))?;
    let tables = ["ir_config_parameter"];
    refuse_findings(&tx, &tables, allow_triggers, deadline).await?;
    within(
        deadline,
        tx.execute_typed(
            SET_PARAM_SQL,
            &[(&"web.base.url", Type::VARCHAR), (&url, Type::TEXT)],
        ),
    )
    .await
    .map_err(|e| WriteError::before(e.context("setting web.base.url"), None))?;
    refuse_findings(&tx, &tables, allow_triggers, deadline).await?;
    super::commit(tx, deadline, None).await
}

/// The ICP values of identity keys (for verification and tests).
const IDENTITY_SQL: &str = "SELECT key, value FROM ONLY public.ir_config_parameter \
     WHERE key IN ('database.secret', 'database.uuid', 'database.create_date') ORDER BY key";

pub async fn identity(
    client: &Client,
    deadline: Duration,
) -> anyhow::Result<Vec<(String, String)>> {
    let rows = within(deadline, client.query_typed(IDENTITY_SQL, &[])).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odoo_name_rule() {
        for ok in ["acme", "a1", "acme-prod.2", "A_b", &"x".repeat(63)] {
            assert!(check_db_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "-acme",
            ".x",
            "acme corp",
            "ac/me",
            "é1",
            &"x".repeat(64),
            "a\"b",
        ] {
            assert!(check_db_name(bad).is_err(), "{bad}");
        }
    }
}
