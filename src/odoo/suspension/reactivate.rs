//! `reactivate`'s transaction.

use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};

use super::write::{begin, changed_params, commit, opening, record_and_guard, Opening, WriteOpts};
use super::{existing_ids, Restore, State};
use crate::odoo::layers::{self, LayerSet};
use crate::odoo::signal::Signals;
use crate::odoo::{keys, settle, within, WriteError};

/// Switches on exactly the given users, never a protected one (id 1, the
/// templates, the public user), whatever the record says.
const REACTIVATE_USERS_SQL: &str = "UPDATE ONLY public.res_users SET active = true \
     WHERE id = ANY($1) AND id <> 1 AND NOT (id = ANY($2)) RETURNING id::int8, share IS TRUE";

#[derive(Debug, Clone)]
pub enum ReactivateOutcome {
    NotSuspended(State),
    Changed {
        /// Users switched on.
        user_ids: Vec<i64>,
        /// Of them, portal users.
        portal: usize,
        /// Recorded ids that are not users of the tenant.
        missing: Vec<i64>,
        /// Recorded ids never switched on (id 1, templates, public user).
        excluded: Vec<i64>,
        signals: Signals,
        restore: Restore,
        /// Jobs switched on, mail servers switched on, mails requeued.
        crons: usize,
        mail: usize,
        requeued: usize,
        /// The layers that were recorded.
        layers: LayerSet,
    },
    /// Suspended without a record (old agent): refused, nothing changed.
    NoRecord,
    /// The record is unreadable: refused, nothing changed.
    BadRecord(String),
}

/// Switches on every internal user but the protected ones (`$1`), for
/// `--restore-users all-internal` (see [`ALL_INTERNAL_SQL`]).
const REACTIVATE_ALL_INTERNAL_SQL: &str = "UPDATE ONLY public.res_users SET active = true \
     WHERE share IS NOT TRUE AND id <> 1 AND NOT (id = ANY($1)) RETURNING id::int8, share IS TRUE";

/// Reactivates in one transaction, serialised per tenant.
///
/// Round trips: BEGIN; [`opening`] with the protected ids; every write, the
/// record and the guard after the last write (pipelined: what they write
/// was decided from the first round trip's reads); COMMIT.
pub async fn reactivate(
    client: &mut Client,
    restore: Restore,
    by: &str,
    at: &str,
    o: &WriteOpts,
) -> Result<ReactivateOutcome, WriteError> {
    let tx = begin(client, o).await?;
    let op = opening(&tx, o, true).await?;
    if !op.st.suspended() {
        let _ = within(o.deadline, tx.rollback()).await;
        return Ok(ReactivateOutcome::NotSuspended(op.st));
    }
    let ids = match ids_to_restore(&op.st, restore) {
        Ok(ids) => ids,
        Err(refused) => {
            let _ = within(o.deadline, tx.rollback()).await;
            return Ok(refused);
        }
    };
    let k = [
        keys::SUSPENDED,
        keys::REACTIVATED_AT,
        keys::REACTIVATED_BY,
        keys::WRITE_TOKEN,
    ];
    let v = ["false", at, by, o.token.as_str()];
    let drop = [
        keys::SUSPENDED_USER_IDS,
        keys::SUSPENDED_CRON_IDS,
        keys::SUSPENDED_MAIL,
        keys::SUSPENDED_LAYERS,
    ];
    let last = record_and_guard(&tx, &k, &v, &drop, op.st.signals, o, op.pid);
    let on = switch_on(&tx, o, &op, restore, &ids, last).await?;
    let (excluded, missing) = not_restored(&ids, &op.protected, &on.existing);
    let written = settle::Written {
        params: changed_params(&op.st, &k, &v, &drop),
        ..Default::default()
    };
    commit(tx, o, op.pid, on.users.len(), written).await?;
    Ok(ReactivateOutcome::Changed {
        user_ids: on.users,
        portal: on.portal,
        missing,
        excluded,
        signals: op.st.signals,
        restore,
        crons: on.crons,
        mail: on.mail,
        requeued: on.requeued,
        layers: op.st.layers(),
    })
}

/// The recorded ids to switch on (none for `all-internal`), or the refusal
/// when there is no readable record.
fn ids_to_restore(st: &State, restore: Restore) -> Result<Vec<i64>, ReactivateOutcome> {
    match (restore, st.recorded_ids()) {
        (Restore::AllInternal, _) => Ok(vec![]),
        (Restore::Recorded, Some(Ok(ids))) => Ok(ids),
        (Restore::Recorded, Some(Err(e))) => Err(ReactivateOutcome::BadRecord(e)),
        (Restore::Recorded, None) => Err(ReactivateOutcome::NoRecord),
    }
}

/// What the writes of the recorded layers switched on.
struct SwitchedOn {
    /// Users switched on, sorted.
    users: Vec<i64>,
    /// Of them, portal users.
    portal: usize,
    /// The recorded ids that are still users of the tenant.
    existing: Vec<i64>,
    crons: usize,
    mail: usize,
    requeued: usize,
}

/// Every write and `last` (the record and the guard after the last
/// write), pipelined: what they write was decided from the first round
/// trip's reads.
async fn switch_on(
    tx: &Transaction<'_>,
    o: &WriteOpts,
    op: &Opening,
    restore: Restore,
    ids: &[i64],
    last: impl std::future::Future<Output = Result<(), WriteError>>,
) -> Result<SwitchedOn, WriteError> {
    let fail = |e: anyhow::Error| WriteError::before(e, Some(op.pid));
    let (st, tables, protected) = (&op.st, &op.tables, &op.protected);
    let recorded = st.layers();
    let mail_rec = st.mail_record();
    let cron_ids = st.ids(keys::SUSPENDED_CRON_IDS);
    let (users, existing, crons, mail, last) = tokio::join!(
        biased;
        async {
            match restore {
                Restore::Recorded => within(
                    o.deadline,
                    tx.query_typed(
                        REACTIVATE_USERS_SQL,
                        &[(&ids, Type::INT8_ARRAY), (protected, Type::INT8_ARRAY)],
                    ),
                )
                .await,
                Restore::AllInternal => within(
                    o.deadline,
                    tx.query_typed(
                        REACTIVATE_ALL_INTERNAL_SQL,
                        &[(protected, Type::INT8_ARRAY)],
                    ),
                )
                .await,
            }
        },
        async {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            existing_ids(tx, ids).await
        },
        async {
            if recorded.crons && tables.ir_cron {
                layers::crons_on(tx, &cron_ids, o.deadline).await.map(|c| c.len())
            } else {
                Ok(0)
            }
        },
        async {
            if recorded.mail {
                layers::mail_on(tx, tables, &mail_rec, o.deadline).await
            } else {
                Ok((0, 0))
            }
        },
        last,
    );
    let users = users.map_err(|e| fail(e.context("switching users on")))?;
    let portal = users.iter().filter(|r| r.get::<_, bool>(1)).count();
    let mut on: Vec<i64> = users.iter().map(|r| r.get(0)).collect();
    on.sort_unstable();
    let existing = existing.map_err(fail)?;
    let crons = crons.map_err(fail)?;
    let (mail, requeued) = mail.map_err(fail)?;
    last?;
    Ok(SwitchedOn {
        users: on,
        portal,
        existing,
        crons,
        mail,
        requeued,
    })
}

/// The recorded ids never switched on (protected) and those that are not
/// users of the tenant (any more).
fn not_restored(ids: &[i64], protected: &[i64], existing: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let excluded: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|i| protected.binary_search(i).is_ok())
        .collect();
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|i| protected.binary_search(i).is_err() && existing.binary_search(i).is_err())
        .collect();
    (excluded, missing)
}
