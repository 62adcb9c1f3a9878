//! Suspension layers beyond users: scheduled jobs, mail, and the database's
//! connections (odoo-facts §4, §8).
//!
//! - `crons`: Odoo runs each `ir_cron` job as its `user_id` whether or not
//!   that user is active, so archiving users does not stop them (mail queue,
//!   fetchmail, the tenant's own jobs). Every active job is switched off and
//!   recorded; reactivation switches on exactly the recorded ids (a job
//!   switched off on purpose before stays off). A job being run holds its row
//!   lock for the whole run: the UPDATE waits at most the node's
//!   `statement_timeout` (`lock_timeout`), then the suspension fails naming
//!   the running job, with nothing changed.
//! - `mail`: with no active `ir_mail_server`, Odoo sends through the SMTP
//!   server of its configuration file, so switching servers off does not stop
//!   mail. tenantctl switches them off and adds one active stand-in server
//!   whose host is `invalid`: nothing leaves, and mail a request sends at once
//!   fails into `mail_mail.state = 'exception'`, which Odoo never retries;
//!   reactivation deletes the stand-in, switches the recorded servers back on
//!   and puts mail that failed while suspended back to `outgoing` (sent at the
//!   next queue run). Incoming `fetchmail_server`s are switched off too.
//! - `connections`: `ALTER DATABASE ... ALLOW_CONNECTIONS false` drops the
//!   database from Odoo's database list (no XML-RPC, no jobs, on every
//!   version; Odoo needs no restart when it is allowed again) and existing
//!   sessions are ended. Recorded in the database's comment, which tenantctl
//!   reads from the node's catalog without connecting to the tenant.

use std::time::Duration;

use anyhow::anyhow;
use serde::{Deserialize, Serialize};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient};

use super::within;
use crate::error::{pg_error, sqlstate};

pub use crate::model::LayerSet;

/// What the mail layer switched off, recorded in ICP `tenant.suspended_mail`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    /// `ir_mail_server` ids switched off.
    pub servers: Vec<i64>,
    /// `fetchmail_server` ids switched off.
    pub fetchmail: Vec<i64>,
    /// The stand-in server tenantctl added.
    pub standin: Option<i64>,
    /// Server time (naive UTC) from which failed mail is requeued.
    pub since: Option<String>,
}

/// Which of the tables a layer touches exist in this tenant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tables {
    pub ir_cron: bool,
    pub ir_mail_server: bool,
    pub fetchmail_server: bool,
    pub mail_mail: bool,
    /// `ir_mail_server.smtp_authentication` exists (15+, NOT NULL).
    pub smtp_authentication: bool,
}

const TABLES_SQL: &str = "SELECT to_regclass('public.ir_cron') IS NOT NULL, \
     to_regclass('public.ir_mail_server') IS NOT NULL, \
     to_regclass('public.fetchmail_server') IS NOT NULL, \
     to_regclass('public.mail_mail') IS NOT NULL, \
     EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.ir_mail_server') \
             AND attname = 'smtp_authentication' AND NOT attisdropped)";

pub async fn tables(client: &impl GenericClient, d: Duration) -> anyhow::Result<Tables> {
    let rows = within(d, client.query_typed(TABLES_SQL, &[])).await?;
    let r = rows.first().ok_or_else(|| anyhow!("no row"))?;
    Ok(Tables {
        ir_cron: r.get(0),
        ir_mail_server: r.get(1),
        fetchmail_server: r.get(2),
        mail_mail: r.get(3),
        smtp_authentication: r.get(4),
    })
}

/// Waits for a running job's row lock at most this long, then fails with
/// SQLSTATE 55P03 instead of hanging. Sent inside the suspension's
/// transaction (in its first round trip, after the tenant lock).
pub fn lock_timeout_sql(d: Duration) -> String {
    format!("SET LOCAL lock_timeout = {}", d.as_millis().max(1))
}

/// `ONLY`: without it PostgreSQL also writes the rows of the table's
/// inheritance children and fires their triggers (see `guard`); reads use
/// `ONLY` too, to see exactly the rows the writes change.
const CRONS_OFF_SQL: &str =
    "UPDATE ONLY public.ir_cron SET active = false WHERE active RETURNING id::int8";

/// The jobs whose row another session holds (a job being run): the active
/// ones that `SKIP LOCKED` does not return. Autocommit: the locks it takes
/// end with the statement.
const BUSY_CRONS_SQL: &str = "SELECT id::int8, coalesce(cron_name::text, '') FROM ONLY public.ir_cron \
     WHERE active AND id NOT IN (SELECT id FROM ONLY public.ir_cron WHERE active FOR NO KEY UPDATE SKIP LOCKED) \
     ORDER BY id";

/// A failed cron switch-off that waited for a running job: its text names
/// the job (read after the rollback).
#[derive(Debug)]
pub struct CronBusy;

impl std::fmt::Display for CronBusy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a scheduled job is running and holds its ir_cron row")
    }
}

impl std::error::Error for CronBusy {}

/// Switches every active job off (inside the suspension's transaction, whose
/// `lock_timeout` ([`lock_timeout_sql`]) bounds the wait for a running job).
pub async fn crons_off(tx: &impl GenericClient, d: Duration) -> anyhow::Result<Vec<i64>> {
    match tokio::time::timeout(d, tx.query_typed(CRONS_OFF_SQL, &[])).await {
        Ok(Ok(rows)) => Ok(rows.iter().map(|r| r.get(0)).collect()),
        Ok(Err(e))
            if sqlstate(&e).is_some_and(|c| {
                *c == crate::error::SqlState::LOCK_NOT_AVAILABLE
                    || *c == crate::error::SqlState::QUERY_CANCELED
            }) =>
        {
            Err(anyhow::Error::new(CronBusy).context(format!("{:#}", pg_error(&e))))
        }
        Ok(Err(e)) => Err(pg_error(&e).context("switching scheduled jobs off")),
        Err(_) => Err(anyhow::Error::new(super::Timeout(d))),
    }
}

/// The running jobs, for the message of a [`CronBusy`] failure.
pub async fn busy_crons(client: &Client, d: Duration) -> anyhow::Result<Vec<(i64, String)>> {
    let rows = within(d, client.query_typed(BUSY_CRONS_SQL, &[])).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Switches on exactly the recorded jobs.
const CRONS_ON_SQL: &str =
    "UPDATE ONLY public.ir_cron SET active = true WHERE id = ANY($1) AND NOT active RETURNING id::int8";

pub async fn crons_on(
    tx: &impl GenericClient,
    ids: &[i64],
    d: Duration,
) -> anyhow::Result<Vec<i64>> {
    let rows = within(d, tx.query_typed(CRONS_ON_SQL, &[(&ids, Type::INT8_ARRAY)])).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

const MAIL_SERVERS_OFF_SQL: &str = "UPDATE ONLY public.ir_mail_server SET active = false \
     WHERE active AND id <> coalesce($1, 0) RETURNING id::int8";
const FETCHMAIL_OFF_SQL: &str =
    "UPDATE ONLY public.fetchmail_server SET active = false WHERE active RETURNING id::int8";
const STANDIN_EXISTS_SQL: &str =
    "SELECT EXISTS (SELECT 1 FROM ONLY public.ir_mail_server WHERE id = $1 AND active)";
const NOW_SQL: &str = "SELECT (now() AT TIME ZONE 'utc')::text";

/// Whether the recorded stand-in exists and is active (else a suspension
/// adds a new one).
pub async fn standin_active(
    client: &impl GenericClient,
    id: i64,
    d: Duration,
) -> anyhow::Result<bool> {
    within(
        d,
        client.query_typed(STANDIN_EXISTS_SQL, &[(&id, Type::INT8)]),
    )
    .await
    .map(|rows| rows.first().is_some_and(|r| r.get::<_, bool>(0)))
}

/// The stand-in outgoing server: host `invalid` (RFC 6761: never resolves),
/// so that Odoo neither sends nor falls back to its configuration file's
/// SMTP server; sequence 0 puts it first.
fn standin_sql(t: &Tables) -> String {
    let (auth_col, auth_val) = if t.smtp_authentication {
        (", smtp_authentication", ", 'login'")
    } else {
        ("", "")
    };
    format!(
        "INSERT INTO public.ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, sequence, active{auth_col}, \
         create_uid, create_date, write_uid, write_date) \
         VALUES ('tenantctl: tenant suspended, mail is held', 'invalid', 25, 'none', 0, true{auth_val}, \
         1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc') RETURNING id::int8"
    )
}

/// What [`mail_off`] did now: servers switched off (outgoing and incoming;
/// the stand-in is not one of them), and whether it added the stand-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailOff {
    pub switched_off: usize,
    pub standin_added: bool,
}

impl MailOff {
    /// Whether anything changed.
    pub fn any(self) -> bool {
        self.switched_off > 0 || self.standin_added
    }
}

/// Switches outgoing and incoming mail off, merging into `prev`. Its
/// statements do not depend on each other's results: they are pipelined
/// (one round trip; the server runs them in this order, so the stand-in is
/// added after the servers are switched off). Only a recorded stand-in that
/// is gone costs a second round trip (adding a new one).
pub async fn mail_off(
    tx: &impl GenericClient,
    t: &Tables,
    prev: &MailRecord,
    d: Duration,
) -> anyhow::Result<(MailRecord, MailOff)> {
    let mut rec = prev.clone();
    let mut n = MailOff::default();
    let standin = standin_sql(t);
    let (servers, standin_ok, added, fetch, now) = tokio::join!(
        biased;
        async {
            if !t.ir_mail_server {
                return Ok(vec![]);
            }
            within(
                d,
                tx.query_typed(MAIL_SERVERS_OFF_SQL, &[(&prev.standin, Type::INT8)]),
            )
            .await
            .map(|rows| rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<i64>>())
            .map_err(|e| e.context("switching mail servers off"))
        },
        async {
            match (t.ir_mail_server, prev.standin) {
                (true, Some(id)) => {
                    within(d, tx.query_typed(STANDIN_EXISTS_SQL, &[(&id, Type::INT8)]))
                        .await
                        .map(|rows| rows.first().is_some_and(|r| r.get::<_, bool>(0)))
                }
                _ => Ok(false),
            }
        },
        async {
            if !t.ir_mail_server || prev.standin.is_some() {
                return Ok(None);
            }
            within(d, tx.query_typed(&standin, &[]))
                .await
                .map(|rows| rows.first().map(|r| r.get::<_, i64>(0)))
                .map_err(|e| e.context("adding the stand-in mail server"))
        },
        async {
            if !t.fetchmail_server {
                return Ok(vec![]);
            }
            within(d, tx.query_typed(FETCHMAIL_OFF_SQL, &[]))
                .await
                .map(|rows| rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<i64>>())
                .map_err(|e| e.context("switching fetchmail servers off"))
        },
        async {
            if prev.since.is_some() {
                return Ok(None);
            }
            within(d, tx.query_typed(NOW_SQL, &[]))
                .await
                .map(|rows| rows.first().map(|r| r.get::<_, String>(0)))
        },
    );
    if t.ir_mail_server {
        let ids = servers?;
        n.switched_off += ids.len();
        rec.servers.extend(ids);
        let standin_ok = standin_ok?;
        if let Some(id) = added? {
            rec.standin = Some(id);
            n.standin_added = true;
        } else if !standin_ok {
            let rows = within(d, tx.query_typed(&standin, &[]))
                .await
                .map_err(|e| e.context("adding the stand-in mail server"))?;
            rec.standin = rows.first().map(|r| r.get(0));
            n.standin_added = true;
        }
    }
    if t.fetchmail_server {
        let ids = fetch?;
        n.switched_off += ids.len();
        rec.fetchmail.extend(ids);
    }
    if rec.since.is_none() {
        rec.since = now?;
    }
    rec.servers.sort_unstable();
    rec.servers.dedup();
    rec.fetchmail.sort_unstable();
    rec.fetchmail.dedup();
    Ok((rec, n))
}

const STANDIN_DELETE_SQL: &str = "DELETE FROM ONLY public.ir_mail_server WHERE id = $1";
const MAIL_SERVERS_ON_SQL: &str =
    "UPDATE ONLY public.ir_mail_server SET active = true WHERE id = ANY($1) AND NOT active RETURNING id::int8";
const FETCHMAIL_ON_SQL: &str =
    "UPDATE ONLY public.fetchmail_server SET active = true WHERE id = ANY($1) AND NOT active RETURNING id::int8";
/// Mail that failed while suspended (against the stand-in, or never tried
/// because the queue job was off and then failed) goes back to the queue:
/// Odoo never retries `exception` by itself.
const REQUEUE_SQL: &str =
    "UPDATE ONLY public.mail_mail SET state = 'outgoing', failure_reason = NULL \
     WHERE state = 'exception' AND write_date >= $1::timestamp RETURNING id::int8";

/// Restores exactly what [`mail_off`] recorded; returns (servers and
/// fetchmail switched on, mails requeued). The statements are independent:
/// pipelined, one round trip.
pub async fn mail_on(
    tx: &impl GenericClient,
    t: &Tables,
    rec: &MailRecord,
    d: Duration,
) -> anyhow::Result<(usize, usize)> {
    let (deleted, servers, fetch, requeued) = tokio::join!(
        biased;
        async {
            match (t.ir_mail_server, rec.standin) {
                (true, Some(id)) => within(
                    d,
                    tx.execute_typed(STANDIN_DELETE_SQL, &[(&id, Type::INT8)]),
                )
                .await
                .map(|_| ())
                .map_err(|e| e.context("removing the stand-in mail server")),
                _ => Ok(()),
            }
        },
        async {
            if !t.ir_mail_server {
                return Ok(0);
            }
            within(
                d,
                tx.query_typed(MAIL_SERVERS_ON_SQL, &[(&rec.servers, Type::INT8_ARRAY)]),
            )
            .await
            .map(|r| r.len())
        },
        async {
            if !t.fetchmail_server {
                return Ok(0);
            }
            within(
                d,
                tx.query_typed(FETCHMAIL_ON_SQL, &[(&rec.fetchmail, Type::INT8_ARRAY)]),
            )
            .await
            .map(|r| r.len())
        },
        async {
            match (t.mail_mail, &rec.since) {
                (true, Some(since)) => {
                    within(d, tx.query_typed(REQUEUE_SQL, &[(since, Type::TEXT)]))
                        .await
                        .map(|r| r.len())
                        .map_err(|e| e.context("requeueing mail"))
                }
                _ => Ok(0),
            }
        },
    );
    deleted?;
    let on = servers? + fetch?;
    Ok((on, requeued?))
}

/// What a reactivation would switch on (its dry run), counted with the
/// conditions of [`crons_on`] and [`mail_on`]: recorded jobs and servers
/// still there and off, and the mail that failed since the suspension. A
/// table the tenant lacks ([`Tables`]) is not read and counts 0.
const WOULD_CRONS_SQL: &str =
    "SELECT count(*)::int8 FROM ONLY public.ir_cron WHERE id = ANY($1) AND NOT active";
const WOULD_MAIL_SERVERS_SQL: &str =
    "SELECT count(*)::int8 FROM ONLY public.ir_mail_server WHERE id = ANY($1) AND NOT active";
const WOULD_FETCHMAIL_SQL: &str =
    "SELECT count(*)::int8 FROM ONLY public.fetchmail_server WHERE id = ANY($1) AND NOT active";
const WOULD_REQUEUE_SQL: &str = "SELECT count(*)::int8 FROM ONLY public.mail_mail \
     WHERE state = 'exception' AND write_date >= $1::timestamp";

/// What a reactivation would switch on: (jobs, mail and fetchmail servers,
/// mails requeued). Independent reads, pipelined.
pub async fn would_switch_on(
    client: &impl GenericClient,
    t: &Tables,
    cron_ids: &[i64],
    rec: Option<&MailRecord>,
    d: Duration,
) -> anyhow::Result<(usize, usize, usize)> {
    let count = |sql: &'static str, ids: &[i64], present: bool| {
        let ids = ids.to_vec();
        async move {
            if !present {
                return Ok(0usize);
            }
            let rows = within(d, client.query_typed(sql, &[(&ids, Type::INT8_ARRAY)])).await?;
            Ok::<usize, anyhow::Error>(rows.first().map_or(0, |r| r.get::<_, i64>(0) as usize))
        }
    };
    let none = MailRecord::default();
    let m = rec.unwrap_or(&none);
    let (crons, servers, fetch, requeue) = tokio::join!(
        biased;
        count(WOULD_CRONS_SQL, cron_ids, t.ir_cron),
        count(WOULD_MAIL_SERVERS_SQL, &m.servers, rec.is_some() && t.ir_mail_server),
        count(WOULD_FETCHMAIL_SQL, &m.fetchmail, rec.is_some() && t.fetchmail_server),
        async {
            match (&m.since, rec.is_some() && t.mail_mail) {
                (Some(since), true) => {
                    let rows = within(
                        d,
                        client.query_typed(WOULD_REQUEUE_SQL, &[(since, Type::TEXT)]),
                    )
                    .await?;
                    Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as usize))
                }
                _ => Ok::<usize, anyhow::Error>(0),
            }
        },
    );
    Ok((crons?, servers? + fetch?, requeue?))
}

const ACTIVE_CRONS_SQL: &str = "SELECT id::int8 FROM ONLY public.ir_cron WHERE active ORDER BY id";
const ACTIVE_MAIL_SERVERS_SQL: &str =
    "SELECT id::int8 FROM ONLY public.ir_mail_server WHERE active AND id <> coalesce($1, 0) ORDER BY id";
const ACTIVE_FETCHMAIL_SQL: &str =
    "SELECT id::int8 FROM ONLY public.fetchmail_server WHERE active ORDER BY id";

/// What is active again of recorded layers (drift): active jobs, active mail
/// servers other than the stand-in, active fetchmail. Independent reads:
/// pipelined, one round trip (or none, pipelined with the caller's own).
pub async fn strays(
    client: &impl GenericClient,
    t: &Tables,
    layers: LayerSet,
    mail: &MailRecord,
    d: Duration,
) -> anyhow::Result<Vec<String>> {
    let ids =
        |rows: Vec<tokio_postgres::Row>| -> Vec<i64> { rows.iter().map(|r| r.get(0)).collect() };
    let (crons, servers, fetch) = tokio::join!(
        biased;
        async {
            if !(layers.crons && t.ir_cron) {
                return Ok(vec![]);
            }
            within(d, client.query_typed(ACTIVE_CRONS_SQL, &[])).await.map(ids)
        },
        async {
            if !(layers.mail && t.ir_mail_server) {
                return Ok(vec![]);
            }
            within(
                d,
                client.query_typed(ACTIVE_MAIL_SERVERS_SQL, &[(&mail.standin, Type::INT8)]),
            )
            .await
            .map(ids)
        },
        async {
            if !(layers.mail && t.fetchmail_server) {
                return Ok(vec![]);
            }
            within(d, client.query_typed(ACTIVE_FETCHMAIL_SQL, &[])).await.map(ids)
        },
    );
    let mut out = Vec::new();
    for (what, found) in [
        ("scheduled jobs", crons?),
        ("mail servers", servers?),
        ("fetchmail servers", fetch?),
    ] {
        if !found.is_empty() {
            out.push(format!("{what} {found:?} are active"));
        }
    }
    Ok(out)
}

/// What a suspension would switch off (plans): active jobs, active mail
/// servers and fetchmail servers.
/// `standin`: the recorded stand-in server (of a suspended tenant), which is
/// not counted: what [`mail_off`] would switch off.
pub async fn active_counts(
    client: &impl GenericClient,
    t: &Tables,
    standin: Option<i64>,
    d: Duration,
) -> anyhow::Result<(usize, usize)> {
    let count = |sql: &'static str| async move {
        within(d, client.query_typed(sql, &[]))
            .await
            .map(|r| r.first().map(|r| r.get::<_, i64>(0) as usize).unwrap_or(0))
    };
    let crons = if t.ir_cron {
        count("SELECT count(*) FROM ONLY public.ir_cron WHERE active").await?
    } else {
        0
    };
    let mut mail = 0;
    if t.ir_mail_server {
        mail += within(
            d,
            client.query_typed(
                "SELECT count(*) FROM ONLY public.ir_mail_server WHERE active AND id <> coalesce($1, 0)",
                &[(&standin, Type::INT8)],
            ),
        )
        .await
        .map(|r| r.first().map(|r| r.get::<_, i64>(0) as usize).unwrap_or(0))?;
    }
    if t.fetchmail_server {
        mail += count("SELECT count(*) FROM ONLY public.fetchmail_server WHERE active").await?;
    }
    Ok((crons, mail))
}

// ---------------------------------------------------------------- connections

/// The record of a blocked tenant, kept in the database's comment (readable
/// from `pg_database` on the maintenance database without connecting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// Always `"suspended"`: marks the comment as tenantctl's.
    pub tenantctl: String,
    pub reason: Option<String>,
    pub at: Option<String>,
    pub by: Option<String>,
    /// The comment the database had before, restored at reactivation.
    pub previous_comment: Option<String>,
}

impl Blocked {
    pub fn parse(comment: &str) -> Option<Blocked> {
        serde_json::from_str::<Blocked>(comment)
            .ok()
            .filter(|b| b.tenantctl == "suspended")
    }
}

/// Whether the connected role may `ALTER DATABASE` (owner, member of the
/// owner role, or superuser), and the database's comment and owner.
const CAN_ALTER_SQL: &str = "SELECT pg_has_role(d.datdba, 'MEMBER') OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false), \
     pg_get_userbyid(d.datdba)::text, shobj_description(d.oid, 'pg_database'), d.datallowconn \
     FROM pg_database d WHERE d.datname = $1";

pub struct DbState {
    pub can_alter: bool,
    pub owner: String,
    pub comment: Option<String>,
    pub allow_connections: bool,
}

pub async fn db_state(maint: &Client, db: &str, d: Duration) -> anyhow::Result<DbState> {
    let rows = within(d, maint.query_typed(CAN_ALTER_SQL, &[(&db, Type::TEXT)])).await?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow!("database {db:?} not found on the node"))?;
    Ok(DbState {
        can_alter: r.get(0),
        owner: r.get(1),
        comment: r.get(2),
        allow_connections: r.get(3),
    })
}

fn ident(s: &str) -> String {
    postgres_protocol::escape::escape_identifier(s)
}

fn literal(s: &str) -> String {
    postgres_protocol::escape::escape_literal(s)
}

/// Blocks the database: no new connection (superusers included), the
/// record in its comment, then every existing session ended. DDL cannot take
/// bind parameters: the name and the comment are escaped with PostgreSQL's
/// own quoting rules (postgres-protocol).
pub async fn block(maint: &Client, db: &str, rec: &Blocked, d: Duration) -> anyhow::Result<usize> {
    let comment = serde_json::to_string(rec).expect("record serialises");
    let sql = format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS false; COMMENT ON DATABASE {} IS {}",
        ident(db),
        ident(db),
        literal(&comment)
    );
    super::mark_sent();
    within(d, maint.batch_execute(&sql))
        .await
        .map_err(|e| e.context("blocking connections"))?;
    end_sessions(maint, db, d).await
}

/// Ends every session of `db` (Odoo's own duplicate does the same before
/// copying a database); counts those of clients other than tenantctl
/// (its own connection to the tenant, still open after the commit, is not
/// a client's session).
const END_SESSIONS_SQL: &str = "SELECT count(*) FILTER (WHERE s.ended AND s.app IS DISTINCT FROM 'tenantctl') \
     FROM (SELECT application_name AS app, pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
           WHERE datname = $1 AND pid <> pg_backend_pid()) s";

pub async fn end_sessions(maint: &Client, db: &str, d: Duration) -> anyhow::Result<usize> {
    let rows = within(d, maint.query_typed(END_SESSIONS_SQL, &[(&db, Type::TEXT)])).await?;
    Ok(rows
        .first()
        .map(|r| r.get::<_, i64>(0) as usize)
        .unwrap_or(0))
}

/// Allows connections again and restores the previous comment.
pub async fn unblock(
    maint: &Client,
    db: &str,
    rec: Option<&Blocked>,
    d: Duration,
) -> anyhow::Result<()> {
    let comment = match rec.and_then(|r| r.previous_comment.as_deref()) {
        Some(c) => literal(c),
        None => "NULL".into(),
    };
    let sql = format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true; COMMENT ON DATABASE {} IS {}",
        ident(db),
        ident(db),
        comment
    );
    super::mark_sent();
    within(d, maint.batch_execute(&sql))
        .await
        .map_err(|e| e.context("allowing connections again"))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_layers() {
        let d = LayerSet::DEFAULT;
        assert_eq!(
            LayerSet::parse("users,crons", d).unwrap().names(),
            ["users", "crons"]
        );
        assert_eq!(
            LayerSet::parse("+connections", d).unwrap().names(),
            ["users", "crons", "mail", "connections"]
        );
        assert!(LayerSet::parse("users,+mail", d).is_err());
        assert!(LayerSet::parse("crons", d).is_err());
        assert!(LayerSet::parse("users,email", d).is_err());
    }
    #[test]
    fn blocked_comment() {
        let b = Blocked {
            tenantctl: "suspended".into(),
            reason: Some("unpaid".into()),
            at: None,
            by: None,
            previous_comment: Some("x".into()),
        };
        let s = serde_json::to_string(&b).unwrap();
        assert_eq!(Blocked::parse(&s), Some(b));
        assert_eq!(Blocked::parse("{\"tenantctl\":\"other\"}"), None);
        assert_eq!(Blocked::parse("a note"), None);
    }
}
