//! Recognising tenants and summarising them, in as few round trips as possible:
//! one query per node on the maintenance database, then one connection and ONE
//! round trip (simple-query protocol, no prepare) per candidate database.

use anyhow::anyhow;
use tokio_postgres::{Client, GenericClient, SimpleQueryMessage, SimpleQueryRow};

use crate::error::{pg_error, sqlstate};

/// A database of a node that may be a tenant.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub name: String,
    /// `pg_database_size`; `None` when the role may not connect to it.
    pub size_bytes: Option<i64>,
    /// Blocked by tenantctl's `connections` suspension layer: the record
    /// from the database's comment (no connection to it is possible).
    pub blocked: Option<super::layers::Blocked>,
    /// Blocked by a running (or killed) `upgrade`: the record from the
    /// database's comment (no connection to it is possible meanwhile).
    pub upgrading: Option<super::upgrade::Upgrading>,
    /// The role has CONNECT on the database. A database it may not connect
    /// to (another application's) is not a tenant of this role and is never
    /// connected to: `list --all-databases` shows it as `no-access`.
    pub connect: bool,
}

/// Odoo's own database list (odoo/service/db.py `list_dbs`) skips templates and
/// databases with `datallowconn = false` (a database with ALLOW_CONNECTIONS
/// false vanishes from Odoo's routing). `pg_database_size` needs CONNECT on the
/// database, hence the privilege check. The caller applies the node's
/// `exclude` patterns and the always-excluded names.
///
/// A database tenantctl blocked (suspension layer `connections`) has
/// `datallowconn = false` and tenantctl's record in its comment: it stays a
/// tenant (suspended, blocked), read from the catalog only; so does one
/// `upgrade` blocks while it works (its record in the comment). The copy an
/// upgrade works on (`NAME.upgrading-<stamp>`) is not a tenant: no command
/// may write to it while Odoo upgrades it.
pub const CANDIDATES_SQL: &str = "SELECT datname, CASE WHEN datallowconn AND has_database_privilege(oid, 'CONNECT') \
     THEN pg_database_size(oid) END, has_database_privilege(oid, 'CONNECT'), \
     CASE WHEN NOT datallowconn THEN shobj_description(oid, 'pg_database') END \
     FROM pg_catalog.pg_database WHERE NOT datistemplate \
       AND datname !~ '\\.upgrading-[0-9]{8}T[0-9]{6}Z$' \
       AND (datallowconn OR shobj_description(oid, 'pg_database') LIKE '{\"tenantctl\":\"suspended\"%' \
            OR shobj_description(oid, 'pg_database') LIKE '{\"tenantctl_upgrading\":%') \
     ORDER BY datname";

/// The same list without sizes: `pg_database_size` walks every database's
/// directory (about 0.16 ms of server time per database), which resolving a
/// name or running `bulk`/`check` does not need.
const NAMES_SQL: &str = "SELECT datname, NULL, has_database_privilege(oid, 'CONNECT'), \
     CASE WHEN NOT datallowconn THEN shobj_description(oid, 'pg_database') END \
     FROM pg_catalog.pg_database WHERE NOT datistemplate \
       AND datname !~ '\\.upgrading-[0-9]{8}T[0-9]{6}Z$' \
       AND (datallowconn OR shobj_description(oid, 'pg_database') LIKE '{\"tenantctl\":\"suspended\"%' \
            OR shobj_description(oid, 'pg_database') LIKE '{\"tenantctl_upgrading\":%') \
     ORDER BY datname";

/// Whether a listing needs database sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizes {
    With,
    Without,
}

pub async fn candidates(client: &Client, sizes: Sizes) -> anyhow::Result<Vec<Candidate>> {
    let sql = match sizes {
        Sizes::With => CANDIDATES_SQL,
        Sizes::Without => NAMES_SQL,
    };
    let rows = simple_rows(client, sql).await?;
    Ok(rows
        .iter()
        .map(|r| Candidate {
            name: r.get(0).unwrap_or_default().to_string(),
            size_bytes: r.get(1).and_then(|s| s.parse().ok()),
            connect: r.get(2) == Some("t"),
            blocked: r.get(3).and_then(super::layers::Blocked::parse),
            upgrading: r.get(3).and_then(super::upgrade::Upgrading::parse),
        })
        .collect())
}

/// A node's connection slots, read on the maintenance database (PostgreSQL
/// itself, not Odoo): `max_connections`, the slots kept for superusers
/// (`superuser_reserved_connections`) and, 16+, for `pg_use_reserved_connections`
/// (`reserved_connections`; absent before 16, read as 0), and the client
/// backends connected now (Odoo's workers among them; ours included).
pub const CAPACITY_SQL: &str = "SELECT current_setting('max_connections')::int8, \
     current_setting('superuser_reserved_connections')::int8, \
     coalesce(current_setting('reserved_connections', true), '0')::int8, \
     (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')::int8";

/// What [`CAPACITY_SQL`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub max_connections: i64,
    pub reserved: i64,
    pub in_use: i64,
}

impl Capacity {
    /// Slots an ordinary role can still open.
    pub fn free(&self) -> i64 {
        (self.max_connections - self.reserved - self.in_use).max(0)
    }
}

/// Most connections tenantctl opens at once on a node sized from the server.
pub const AUTO_LIMIT_MAX: usize = 32;

/// A node's default connection limit: a quarter of the slots still free
/// (what Odoo's workers and other clients leave), at least [`AUTO_LIMIT_MIN`], at most
/// [`AUTO_LIMIT_MAX`]. A quarter leaves room for Odoo to grow its pools
/// while a fleet command runs; over a network each connection spends most
/// of its time waiting for round trips, so more of them fill the latency.
pub fn auto_limit(c: &Capacity) -> usize {
    ((c.free() / 4).max(AUTO_LIMIT_MIN as i64) as usize).min(AUTO_LIMIT_MAX)
}

/// The fewest connections a node sized from the server gets: the lifecycle
/// commands hold two at once (the maintenance database and the tenant's).
pub const AUTO_LIMIT_MIN: usize = 2;

pub async fn capacity(client: &Client) -> anyhow::Result<Capacity> {
    let rows = simple_rows(client, CAPACITY_SQL).await?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow!("capacity query returned no row"))?;
    let n = |i: usize| -> anyhow::Result<i64> {
        r.get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("capacity query: column {i} unreadable"))
    };
    Ok(Capacity {
        max_connections: n(0)?,
        reserved: n(1)? + n(2)?,
        in_use: n(3)?,
    })
}

/// Everything `list` shows about one tenant.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// `ir_module_module.latest_version` of `base`, e.g. "16.0.1.3".
    pub version: String,
    pub major: Option<u32>,
    /// Active internal users (`active AND NOT share`), id 1 excluded.
    pub users: i64,
    /// Active portal users (`active AND share`).
    pub portal_users: i64,
    /// Last successful login, RFC 3339 UTC.
    pub last_login: Option<String>,
    pub suspended: bool,
    pub suspended_at: Option<String>,
    pub suspended_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Probe {
    Tenant(Summary),
    /// No `ir_module_module` table or no `base` row: Odoo itself does not
    /// treat the database as one of its own.
    NotOdoo,
}

/// Odoo treats a database as its own when `ir_module_module` has a `base` row
/// with a `latest_version` (odoo/service/db.py). Users: `share` is false for
/// internal users and true for portal/public users; id 1 is `__system__`.
/// Odoo writes a `res_users_log` row at every successful login; its
/// `create_date` is naive UTC, and `id` grows with time and is indexed, so
/// the newest row is found without reading the login history. `tenant.suspended`='true' is the suspension
/// flag (tenantctl's and the old node agent's).
pub const SUMMARY_SQL: &str = "SELECT \
     (SELECT latest_version FROM public.ir_module_module WHERE name = 'base' AND state = 'installed'), \
     u.internal, u.portal, \
     (SELECT to_char(create_date, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM public.res_users_log ORDER BY id DESC LIMIT 1), \
     (SELECT value FROM public.ir_config_parameter WHERE key = 'tenant.suspended'), \
     (SELECT value FROM public.ir_config_parameter WHERE key = 'tenant.suspended_at'), \
     (SELECT value FROM public.ir_config_parameter WHERE key = 'tenant.suspended_reason') \
     FROM (SELECT count(*) FILTER (WHERE active AND NOT share AND id <> 1) AS internal, \
                  count(*) FILTER (WHERE active AND share AND id <> 1) AS portal \
           FROM public.res_users) u";

pub async fn summary(client: &Client) -> anyhow::Result<Probe> {
    let rows = match client.simple_query(SUMMARY_SQL).await {
        Ok(msgs) => rows_of(msgs),
        // 42P01 undefined_table: no Odoo schema here.
        Err(e) if sqlstate(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) => {
            return Ok(Probe::NotOdoo)
        }
        Err(e) => return Err(pg_error(&e)),
    };
    let r = rows
        .first()
        .ok_or_else(|| anyhow!("tenant summary returned no row"))?;
    let version = match r.get(0) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => return Ok(Probe::NotOdoo),
    };
    let int = |i: usize| r.get(i).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let text = |i: usize| r.get(i).map(str::to_string);
    Ok(Probe::Tenant(Summary {
        major: super::major_from_version(&version),
        version,
        users: int(1),
        portal_users: int(2),
        last_login: text(3),
        suspended: is_true(r.get(4)),
        suspended_at: text(5),
        suspended_reason: text(6),
    }))
}

/// ICP booleans as the old agent and tenantctl write them ('true'), and as
/// Odoo writes them ('True').
pub fn is_true(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some(s) if s.eq_ignore_ascii_case("true") || s == "1")
}

pub async fn simple_rows(
    client: &impl GenericClient,
    sql: &str,
) -> anyhow::Result<Vec<SimpleQueryRow>> {
    let msgs = client.simple_query(sql).await.map_err(|e| pg_error(&e))?;
    Ok(rows_of(msgs))
}

fn rows_of(msgs: Vec<SimpleQueryMessage>) -> Vec<SimpleQueryRow> {
    msgs.into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .collect()
}
