//! What suspend and reactivate share: their options, the first round trip
//! (tenant lock, state, guard, layer tables), the record and the guard
//! after the last write, and the commit.

use std::time::Duration;

use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};

use super::{protected_ids, read_state, State};
use crate::odoo::layers::{self, LayerSet};
use crate::odoo::signal::Signals;
use crate::odoo::{guard, keys, settle, within, WriteError};

/// Upserts ICP keys the way Odoo's `ir.config_parameter.set_param` leaves
/// them: `UNIQUE(key)` (ir_config_parameter_key_uniq) makes ON CONFLICT safe;
/// create/write dates are naive UTC and the uids are 1 (superuser), as Odoo
/// fills them.
const UPSERT_PARAMS_SQL: &str = "INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
     SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc' FROM unnest($1::text[], $2::text[]) AS p(k, v) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

const DROP_RECORD_SQL: &str = "DELETE FROM ONLY public.ir_config_parameter WHERE key = ANY($1)";

/// The tables suspend and reactivate write (and the signaling tables of 19+).
pub const WRITTEN_TABLES: [&str; 6] = [
    "res_users",
    "ir_config_parameter",
    "ir_cron",
    "ir_mail_server",
    "fetchmail_server",
    "mail_mail",
];

/// How a write runs.
#[derive(Debug, Clone)]
pub struct WriteOpts {
    /// Write even with triggers, rules or tenant functions on the tables.
    pub allow_triggers: bool,
    /// Client-side deadline of each statement.
    pub deadline: Duration,
    /// Written to ICP `tenant.write_token` with the change, to settle a lost
    /// COMMIT acknowledgement.
    pub token: String,
    /// The layers to apply (suspend); `connections` is applied by the caller
    /// after the commit.
    pub layers: LayerSet,
}

pub(super) async fn begin<'a>(
    client: &'a mut Client,
    o: &WriteOpts,
) -> Result<Transaction<'a>, WriteError> {
    within(o.deadline, client.transaction())
        .await
        .map_err(|e| WriteError::before(e.context("begin"), None))
}

/// Every table the guard may have to look at: the written ones and both
/// signaling tables of Odoo 19+. Sent before the state (which says which
/// signaling tables this tenant has) is known, so that the guard shares its
/// round trip; [`guard_verdict`] keeps only the findings on tables this
/// tenant's write touches.
fn guard_all_tables() -> Vec<&'static str> {
    Signals {
        orm_default: true,
        orm_stable: true,
        ..Signals::default()
    }
    .touched(&WRITTEN_TABLES)
}

/// The guard's statement (see `guard`), as one future of a pipeline; no
/// statement with `--allow-triggers`.
async fn guard_findings(
    tx: &Transaction<'_>,
    o: &WriteOpts,
    d: Duration,
) -> anyhow::Result<Vec<guard::Finding>> {
    if o.allow_triggers {
        return Ok(vec![]);
    }
    crate::odoo::within_any(d, guard::findings(tx, &guard_all_tables())).await
}

/// The guard's answer, before the first write or after the last one: a
/// refusal when something is found on a table this write touches.
fn guard_verdict(
    found: anyhow::Result<Vec<guard::Finding>>,
    signals: Signals,
    pid: i32,
) -> Result<(), WriteError> {
    let touched = signals.touched(&WRITTEN_TABLES);
    let found: Vec<guard::Finding> = found
        .map_err(|e| WriteError::before(e, Some(pid)))?
        .into_iter()
        .filter(|f| touched.contains(&f.table.as_str()))
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(WriteError::Refused(guard::refusal(&found)))
    }
}

/// The first round trip of a write, after BEGIN, pipelined: the tenant lock,
/// `lock_timeout` (a running job's row is waited for at most the node's
/// statement_timeout), the state, the guard before the first write, the
/// layer tables. The server runs them in this order, so everything after
/// the lock is read while it is held (a concurrent run that committed first
/// is seen); a failure aborts the transaction and the later statements fail
/// with it, so the first error in order is the one reported.
pub(super) struct Opening {
    pub pid: i32,
    pub st: State,
    pub tables: layers::Tables,
    /// The ids never switched on (reactivation only; else empty).
    pub protected: Vec<i64>,
}

pub(super) async fn opening(
    tx: &Transaction<'_>,
    o: &WriteOpts,
    with_protected: bool,
) -> Result<Opening, WriteError> {
    // Statements behind the lock wait for it (at most statement_timeout);
    // `behind_lock` bounds them to one deadline once it is held.
    let after_lock = o.deadline * 2;
    let lock_wait = o.deadline.saturating_sub(crate::transport::DEADLINE_MARGIN);
    let set_lock_timeout = layers::lock_timeout_sql(lock_wait);
    let rest = async {
        tokio::join!(
            biased;
            within(after_lock, tx.batch_execute(&set_lock_timeout)),
            crate::odoo::within_any(after_lock, read_state(tx)),
            guard_findings(tx, o, after_lock),
            layers::tables(tx, after_lock),
            async {
                if with_protected {
                    crate::odoo::within_any(after_lock, protected_ids(tx)).await
                } else {
                    Ok(vec![])
                }
            },
        )
    };
    let (pid, (set, st, found, tables, protected)) =
        crate::odoo::behind_lock(crate::odoo::lock(tx, o.deadline), rest, o.deadline).await?;
    let fail = |e: anyhow::Error| WriteError::before(e, Some(pid));
    set.map_err(fail)?;
    let st = st.map_err(fail)?;
    guard_verdict(found, st.signals, pid)?;
    let tables = tables.map_err(fail)?;
    let protected = protected.map_err(fail)?;
    Ok(Opening {
        pid,
        st,
        tables,
        protected,
    })
}

async fn upsert(
    tx: &Transaction<'_>,
    k: &[&str],
    v: &[&str],
    o: &WriteOpts,
    pid: i32,
) -> Result<(), WriteError> {
    within(
        o.deadline,
        tx.execute_typed(
            UPSERT_PARAMS_SQL,
            &[(&k, Type::TEXT_ARRAY), (&v, Type::TEXT_ARRAY)],
        ),
    )
    .await
    .map(|_| ())
    .map_err(|e| WriteError::before(e.context("recording in ir_config_parameter"), Some(pid)))
}

/// The last round trip before COMMIT, pipelined: the record (and, for a
/// reactivation, the deleted keys) then the guard after the last write,
/// which runs once our writes hold their ROW EXCLUSIVE locks (see `guard`).
pub(super) async fn record_and_guard(
    tx: &Transaction<'_>,
    k: &[&str],
    v: &[&str],
    drop: &[&str],
    signals: Signals,
    o: &WriteOpts,
    pid: i32,
) -> Result<(), WriteError> {
    let (up, dropped, found) = tokio::join!(
        biased;
        upsert(tx, k, v, o, pid),
        async {
            if drop.is_empty() {
                return Ok(());
            }
            within(
                o.deadline,
                tx.execute_typed(DROP_RECORD_SQL, &[(&drop, Type::TEXT_ARRAY)]),
            )
            .await
            .map(|_| ())
            .map_err(|e| WriteError::before(e.context("dropping the record"), Some(pid)))
        },
        guard_findings(tx, o, o.deadline),
    );
    up?;
    dropped?;
    guard_verdict(found, signals, pid)
}

/// The ICP values a write changes, with the values before (for settling).
pub(super) fn changed_params(
    st: &State,
    k: &[&str],
    v: &[&str],
    drop: &[&str],
) -> Vec<(String, Option<String>, Option<String>)> {
    let before = |key: &str| st.get(key).map(str::to_string);
    k.iter()
        .zip(v)
        .filter(|(key, _)| **key != keys::WRITE_TOKEN)
        .map(|(key, val)| (key.to_string(), Some(val.to_string()), before(key)))
        .chain(drop.iter().map(|key| (key.to_string(), None, before(key))))
        .collect()
}

/// Commits; a lost acknowledgement carries what was written (to settle it)
/// and how many users were switched.
pub(super) async fn commit(
    tx: Transaction<'_>,
    o: &WriteOpts,
    pid: i32,
    users: usize,
    written: settle::Written,
) -> Result<(), WriteError> {
    crate::odoo::commit(tx, o.deadline, Some(pid))
        .await
        .map_err(|e| match e {
            WriteError::CommitLost { error, pid, .. } => WriteError::CommitLost {
                error,
                pid,
                users,
                written,
            },
            e => e,
        })
}
