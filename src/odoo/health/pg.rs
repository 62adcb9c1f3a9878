//! PostgreSQL's own figures for every database of a node, read once per
//! node on its maintenance database (not Odoo: the server's catalog and
//! statistics views).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::{shell, Report, Severity};
use crate::model::{Health, XID_WRAPAROUND};

/// Per database: `age(datfrozenxid)` (PostgreSQL stops assigning
/// transaction ids about 3 million before 2^31, and autovacuum must freeze
/// before `autovacuum_freeze_max_age`); its client backends; those idle in
/// a transaction since longer than $1 seconds (their locks and snapshot
/// hold back vacuum; an Odoo cron worker is idle in transaction while it
/// runs a job) with their pids; its connection limit (`datconnlimit`, -1:
/// none) and the node's `max_connections` less the reserved slots.
/// `pg_stat_activity` shows other roles' sessions without their state
/// unless the role has `pg_read_all_stats`: such sessions count as
/// connections only. tenantctl's own sessions (`application_name`
/// `tenantctl`, this run's among them) are not counted. Last: its
/// transactions holding a transaction id (any application) that began more
/// than $2 seconds ago; a worker running a job holds the job's `ir_cron`
/// row lock in such a transaction (see `sql::RUNNING_SQL`, read only for
/// the databases that have one).
pub const NODE_SQL: &str = "WITH a AS (SELECT datid, pid, \
       state IN ('idle in transaction', 'idle in transaction (aborted)') \
         AND state_change < now() - make_interval(secs => $1) AS idle_tx, \
       extract(epoch FROM now() - state_change)::int8 AS idle_secs, \
       coalesce(application_name, '') AS app \
     FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend' \
       AND coalesce(application_name, '') <> 'tenantctl') \
     SELECT d.datname::text, age(d.datfrozenxid)::int8, \
       (SELECT count(*) FROM a WHERE a.datid = d.oid)::int8, \
       (SELECT count(*) FROM a WHERE a.datid = d.oid AND a.idle_tx)::int8, \
       coalesce((SELECT array_agg(a.pid ORDER BY a.idle_secs DESC) FROM a WHERE a.datid = d.oid AND a.idle_tx), '{}'), \
       coalesce((SELECT max(a.idle_secs) FROM a WHERE a.datid = d.oid AND a.idle_tx), 0)::int8, \
       coalesce((SELECT a.app FROM a WHERE a.datid = d.oid AND a.idle_tx ORDER BY a.idle_secs DESC LIMIT 1), ''), \
       d.datconnlimit::int8, \
       current_setting('max_connections')::int8 - current_setting('superuser_reserved_connections')::int8 \
         - coalesce(current_setting('reserved_connections', true), '0')::int8, \
       current_setting('autovacuum_freeze_max_age')::int8, \
       (SELECT count(*) FROM pg_catalog.pg_stat_activity x WHERE x.datid = d.oid \
          AND x.backend_xid IS NOT NULL AND x.xact_start < now() - make_interval(secs => $2))::int8 \
     FROM pg_catalog.pg_database d WHERE NOT d.datistemplate";

/// What [`NODE_SQL`] says of one database.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DbFigures {
    pub xid_age: i64,
    pub connections: i64,
    pub idle_in_transaction: i64,
    #[serde(skip)]
    pub idle_pids: Vec<i32>,
    #[serde(skip)]
    pub idle_longest_secs: i64,
    #[serde(skip)]
    pub idle_app: String,
    /// The database's own limit, else the node's slots.
    pub connection_limit: i64,
    #[serde(skip)]
    pub freeze_max_age: i64,
    /// Transactions holding an id that began more than half of
    /// `cron_running_max` ago (see [`NODE_SQL`]): only then can a job of
    /// the database be held longer than the limit by the time its tenant is
    /// read (the half is the margin for the time between this statement and
    /// the tenant's read).
    #[serde(skip)]
    pub long_xacts: i64,
}

/// Reads every database of the node (one statement).
pub async fn read(
    client: &Client,
    deadline: Duration,
    th: &Health,
) -> anyhow::Result<BTreeMap<String, DbFigures>> {
    let limit = th.idle_in_transaction_max.as_secs_f64();
    let long = th.cron_running_max.as_secs_f64() / 2.0;
    let rows = crate::odoo::within(
        deadline,
        client.query_typed(NODE_SQL, &[(&limit, Type::FLOAT8), (&long, Type::FLOAT8)]),
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let own: i64 = r.get(7);
            let node: i64 = r.get(8);
            (
                r.get::<_, String>(0),
                DbFigures {
                    xid_age: r.get(1),
                    connections: r.get(2),
                    idle_in_transaction: r.get(3),
                    idle_pids: r.get(4),
                    idle_longest_secs: r.get(5),
                    idle_app: r.get(6),
                    connection_limit: if own >= 0 { own.min(node) } else { node },
                    freeze_max_age: r.get(9),
                    long_xacts: r.get(10),
                },
            )
        })
        .collect())
}

/// The `pg.*` checks of one database.
pub fn evaluate(rep: &mut Report, p: &DbFigures, th: &Health, tenant: &str) {
    let sev = if p.xid_age >= th.xid_age_critical {
        Some(Severity::Critical)
    } else if p.xid_age >= th.xid_age_warning {
        Some(Severity::Warning)
    } else {
        None
    };
    rep.check(
        "pg.xid_age",
        sev.map(|s| {
            (
                s,
                format!(
                    "age(datfrozenxid) {} (wraparound at {XID_WRAPAROUND}, autovacuum_freeze_max_age {}): autovacuum is not freezing this database",
                    p.xid_age, p.freeze_max_age
                ),
                Some(format!("vacuumdb --freeze --dbname={}", shell(tenant))),
            )
        }),
    );
    rep.check(
        "pg.idle_in_transaction",
        (p.idle_in_transaction > 0).then(|| {
            let pids: Vec<String> = p.idle_pids.iter().map(i32::to_string).collect();
            (
                Severity::Warning,
                format!(
                    "{} sessions idle in a transaction for over {}; longest {}s (backend {}, application {:?})",
                    p.idle_in_transaction,
                    humantime::format_duration(th.idle_in_transaction_max),
                    p.idle_longest_secs,
                    pids.first().map(String::as_str).unwrap_or("?"),
                    p.idle_app
                ),
                Some(format!(
                    "SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[{}]) pid  -- after checking what they are",
                    pids.join(", ")
                )),
            )
        }),
    );
    let share = if p.connection_limit > 0 {
        p.connections as f64 / p.connection_limit as f64
    } else {
        0.0
    };
    rep.check(
        "pg.connections",
        (share > th.connections_share).then(|| {
            (
                if p.connections >= p.connection_limit {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                format!(
                    "{} connections of {} allowed ({:.0}%)",
                    p.connections,
                    p.connection_limit,
                    share * 100.0
                ),
                Some("lower db_maxconn / workers of the Odoo servers of this tenant, or raise max_connections".into()),
            )
        }),
    );
}
