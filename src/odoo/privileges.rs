//! Whether the connected role may do what a write does, without changing
//! anything: the write's own statements matching no row (`WHERE false`) in a
//! transaction that is rolled back. PostgreSQL checks table and column
//! privileges when a statement starts, whatever the rows, so a missing grant
//! fails here exactly as in the real run. Sequences are checked with
//! `has_sequence_privilege`: `nextval` is not transactional, and calling a
//! cache-signal sequence would signal Odoo's workers.
//!
//! `check` ([`verify`]) runs, per tenant and in ONE transaction that it rolls back, each
//! command's statements, each under its own savepoint:
//! - the reads are the commands' real functions (`list`'s summary, `show`'s
//!   details, `passwd`'s target, `suspend`'s state and user list);
//! - the writes are the commands' statements with arguments that match no
//!   row (`id = -1`, empty arrays, a key that does not exist): PostgreSQL
//!   checks table and column privileges when a statement starts, whatever the
//!   rows, so a missing grant fails here exactly as in the command, and no row
//!   is changed or locked;
//! - sequences by `has_sequence_privilege` and the cache signal by privilege
//!   functions only: `nextval` is not transactional, and calling it would
//!   signal Odoo's workers (a change).
//!
//! Every table is qualified `public.` (sessions pin `search_path` to
//! `pg_catalog`, see `transport::session_settings`).

use tokio_postgres::Client;

use super::signal::Signals;
use crate::error::{pg_error, sqlstate};

/// Which write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// suspend, reactivate: res_users.active and the ICP record.
    Suspension,
    /// passwd: res_users.password.
    Password,
}

fn layer_statements(t: &super::layers::Tables) -> String {
    let mut s = String::new();
    if t.ir_cron {
        s.push_str("UPDATE ONLY public.ir_cron SET active = active WHERE false; ");
    }
    if t.ir_mail_server {
        s.push_str(
            "UPDATE ONLY public.ir_mail_server SET active = active WHERE false; \
             INSERT INTO public.ir_mail_server SELECT * FROM ONLY public.ir_mail_server WHERE false; \
             DELETE FROM ONLY public.ir_mail_server WHERE false; ",
        );
    }
    if t.fetchmail_server {
        s.push_str("UPDATE ONLY public.fetchmail_server SET active = active WHERE false; ");
    }
    if t.mail_mail {
        s.push_str(
            "UPDATE ONLY public.mail_mail SET state = 'outgoing', failure_reason = NULL WHERE false; ",
        );
    }
    s
}

fn statements(w: Write) -> &'static str {
    match w {
        Write::Suspension => {
            "UPDATE ONLY public.res_users SET active = active WHERE false; \
             INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
               SELECT 'tenant.check', '', 1, now(), 1, now() WHERE false \
               ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date; \
             DELETE FROM ONLY public.ir_config_parameter WHERE false; "
        }
        Write::Password => "UPDATE ONLY public.res_users SET password = password WHERE false; ",
    }
}

fn sequences(w: Write, s: Signals) -> String {
    let mut checks = Vec::new();
    if w == Write::Suspension {
        checks.push(
            "has_sequence_privilege(pg_get_serial_sequence('public.ir_config_parameter', 'id'), 'USAGE')"
                .to_string(),
        );
    }
    if s.base_cache {
        checks
            .push("has_sequence_privilege('public.base_cache_signaling', 'USAGE, UPDATE')".into());
    } else if s.cache_default {
        checks.push(
            "has_sequence_privilege('public.base_cache_signaling_default', 'USAGE, UPDATE')".into(),
        );
    }
    for t in s.tables() {
        checks.push(format!(
            "(has_table_privilege('public.{t}', 'INSERT') AND \
              has_sequence_privilege(pg_get_serial_sequence('public.{t}', 'id'), 'USAGE'))"
        ));
    }
    if checks.is_empty() {
        return "SELECT true".into();
    }
    format!("SELECT {}", checks.join(" AND "))
}

/// `Ok(None)` when the real run would pass the privilege checks, else the
/// server's reason.
pub async fn probe(
    client: &Client,
    w: Write,
    signals: Signals,
    tables: Option<&super::layers::Tables>,
) -> anyhow::Result<Option<String>> {
    let layers = match (w, tables) {
        (Write::Suspension, Some(t)) => layer_statements(t),
        _ => String::new(),
    };
    let sql = format!(
        "BEGIN; {}{layers}{}; ROLLBACK",
        statements(w),
        sequences(w, signals)
    );
    match client.simple_query(&sql).await {
        Ok(msgs) => {
            let ok = msgs.iter().any(|m| {
                matches!(m, tokio_postgres::SimpleQueryMessage::Row(r) if r.get(0) == Some("t"))
            });
            Ok((!ok).then(|| {
                "no USAGE on a sequence the write needs (ir_config_parameter's id sequence or the cache-signal sequence/table)"
                    .to_string()
            }))
        }
        // Out of time (a lock held by another session): not a missing
        // privilege; the caller names who holds the locks.
        Err(e) if e.code() == Some(&crate::error::SqlState::QUERY_CANCELED) => {
            let _ = client.simple_query("ROLLBACK").await;
            Err(pg_error(&e))
        }
        Err(e) if e.as_db_error().is_some() => {
            let _ = client.simple_query("ROLLBACK").await;
            Ok(Some(format!("{:#}", pg_error(&e))))
        }
        Err(e) => Err(pg_error(&e)),
    }
}

/// Privilege-equivalent forms of the write statements of passwd, suspend and
/// reactivate (src/odoo/users.rs, src/odoo/suspension/): the same tables,
/// the same columns in SET / WHERE / RETURNING / ON CONFLICT, arguments that
/// match no row. Keep in step with those statements.
const PASSWD_WRITES: &str =
    "UPDATE ONLY public.res_users SET password = '' WHERE id = -1 AND login = ''";

const SUSPEND_WRITES: &str = "\
     UPDATE ONLY public.res_users SET active = false WHERE active AND id <> 1 AND id = -1 RETURNING id::int8, share IS TRUE; \
     INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
       SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc' \
       FROM unnest('{}'::text[], '{}'::text[]) AS p(k, v) \
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

const REACTIVATE_WRITES: &str = "\
     SELECT id::int8, login, active FROM ONLY public.res_users WHERE NOT share AND id <> 1 AND id = -1 \
       AND id NOT IN (SELECT res_id FROM ONLY public.ir_model_data WHERE module = 'base' AND model = 'res.users' AND false); \
     UPDATE ONLY public.res_users SET active = true WHERE id = ANY('{}'::int8[]) AND id <> 1 RETURNING id::int8, share IS TRUE; \
     INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
       SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc' \
       FROM unnest('{}'::text[], '{}'::text[]) AS p(k, v) \
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date; \
     DELETE FROM ONLY public.ir_config_parameter WHERE key = 'tenantctl.check: no such key'";

/// Sequence and signal privileges, per Odoo family (12–16
/// base_cache_signaling; 17–18 base_cache_signaling_default; 19+ INSERT into
/// orm_signaling_default (passwd) and orm_signaling_stable (suspend,
/// reactivate), with their id sequences). Columns: ICP id sequence, passwd's
/// signal, suspend/reactivate's signal; NULL = no signaling object.
const SEQUENCES_SQL: &str = "SELECT \
     coalesce(has_sequence_privilege(pg_get_serial_sequence('public.ir_config_parameter', 'id'), 'USAGE, UPDATE'), false), \
     CASE WHEN to_regclass('public.orm_signaling_default') IS NOT NULL THEN \
               has_table_privilege('public.orm_signaling_default', 'INSERT') \
           AND coalesce(has_sequence_privilege(pg_get_serial_sequence('public.orm_signaling_default', 'id'), 'USAGE, UPDATE'), true) \
          WHEN to_regclass('public.base_cache_signaling_default') IS NOT NULL THEN \
               has_sequence_privilege('public.base_cache_signaling_default', 'USAGE, UPDATE') \
          WHEN to_regclass('public.base_cache_signaling') IS NOT NULL THEN \
               has_sequence_privilege('public.base_cache_signaling', 'USAGE, UPDATE') END, \
     CASE WHEN to_regclass('public.orm_signaling_stable') IS NOT NULL THEN \
               has_table_privilege('public.orm_signaling_stable', 'INSERT') \
           AND coalesce(has_sequence_privilege(pg_get_serial_sequence('public.orm_signaling_stable', 'id'), 'USAGE, UPDATE'), true) \
          WHEN to_regclass('public.base_cache_signaling_default') IS NOT NULL THEN \
               has_sequence_privilege('public.base_cache_signaling_default', 'USAGE, UPDATE') \
          WHEN to_regclass('public.base_cache_signaling') IS NOT NULL THEN \
               has_sequence_privilege('public.base_cache_signaling', 'USAGE, UPDATE') END";

/// What the verification found for one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    NotOdoo,
    /// One line per command that would fail, with the server's reason.
    Problems(Vec<String>),
}

/// Runs one probe under a savepoint; a server refusal becomes a problem line.
async fn step<F, T>(
    client: &Client,
    problems: &mut Vec<String>,
    what: &str,
    f: F,
) -> anyhow::Result<Option<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    client
        .batch_execute("SAVEPOINT tenantctl_check")
        .await
        .map_err(|e| pg_error(&e))?;
    let r = f.await;
    client
        .batch_execute("ROLLBACK TO SAVEPOINT tenantctl_check")
        .await
        .map_err(|e| pg_error(&e))?;
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if super::is_not_odoo(&e) => Err(e),
        Err(e) => {
            problems.push(format!("{what}: {e:#}"));
            Ok(None)
        }
    }
}

async fn exec(client: &Client, sql: &str) -> anyhow::Result<()> {
    client.batch_execute(sql).await.map_err(|e| {
        if sqlstate(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) {
            anyhow::Error::new(super::NotOdoo("a table of Odoo's schema is missing"))
        } else {
            pg_error(&e)
        }
    })
}

/// Verifies, on one tenant connection, that every command's statements are
/// allowed, changing nothing (one transaction, rolled back).
pub async fn verify(client: &Client) -> anyhow::Result<Verdict> {
    client
        .batch_execute("BEGIN; SET LOCAL lock_timeout = '2s'")
        .await
        .map_err(|e| pg_error(&e))?;
    let r = verify_in_tx(client).await;
    let _ = client.batch_execute("ROLLBACK").await;
    r
}

async fn verify_in_tx(client: &Client) -> anyhow::Result<Verdict> {
    let mut p = Vec::new();
    let not_odoo = |e: anyhow::Error| -> anyhow::Result<Verdict> {
        if super::is_not_odoo(&e) {
            Ok(Verdict::NotOdoo)
        } else {
            Err(e)
        }
    };
    match step(client, &mut p, "list", super::probe::summary(client)).await {
        Ok(Some(super::probe::Probe::NotOdoo)) => return Ok(Verdict::NotOdoo),
        Ok(_) => {}
        Err(e) => return not_odoo(e),
    }
    let checks = async {
        step(client, &mut p, "show", super::details::details(client)).await?;
        step(client, &mut p, "passwd", async {
            super::users::passwd_target(client, None).await?;
            exec(client, PASSWD_WRITES).await
        })
        .await?;
        step(client, &mut p, "suspend", async {
            super::suspension::state(client).await?;
            super::suspension::users_to_suspend(client).await?;
            exec(client, SUSPEND_WRITES).await?;
            // The layers' statements (scheduled jobs, mail) on the tables
            // this tenant has.
            let t = super::layers::tables(client, std::time::Duration::from_secs(30)).await?;
            exec(client, &layer_statements(&t)).await
        })
        .await?;
        step(
            client,
            &mut p,
            "reactivate",
            exec(client, REACTIVATE_WRITES),
        )
        .await?;
        let rows = super::probe::simple_rows(client, SEQUENCES_SQL).await?;
        let get = |i: usize| rows.first().and_then(|r| r.get(i));
        if get(0) != Some("t") {
            p.push("suspend, reactivate: no USAGE on the ir_config_parameter id sequence (cannot record the suspension)".into());
        }
        match get(1) {
            Some("t") => {}
            Some(_) => p.push("passwd: no privilege to send Odoo's cache signal (USAGE on base_cache_signaling* or INSERT on orm_signaling_default and USAGE on its id sequence)".into()),
            None => p.push("no cache signaling objects found (not an Odoo 12+ schema?)".into()),
        }
        match get(2) {
            Some("t") | None => {}
            Some(_) => p.push("suspend, reactivate: no privilege to send Odoo's cache signal (USAGE on base_cache_signaling* or INSERT on orm_signaling_stable and USAGE on its id sequence)".into()),
        }
        anyhow::Ok(())
    };
    match checks.await {
        Ok(()) => {}
        Err(e) => return not_odoo(e),
    }
    Ok(Verdict::Problems(p))
}
