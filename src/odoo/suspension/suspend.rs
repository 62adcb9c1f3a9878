//! `suspend`'s transaction.

use tokio_postgres::{Client, Transaction};

use super::write::{begin, changed_params, commit, opening, record_and_guard, Opening, WriteOpts};
use super::State;
use crate::odoo::layers::{self, LayerSet};
use crate::odoo::signal::Signals;
use crate::odoo::{keys, settle, within, WriteError};

/// Switches off every active user but id 1. Only `active` changes on
/// res_users (no write_date, like Odoo's raw writes), so nothing else of the
/// tenant's data is touched.
/// `ONLY`: without it PostgreSQL also writes the rows of the table's
/// inheritance children and fires their triggers (see `guard`); reads use
/// `ONLY` too, to see exactly the rows the writes change.
const SUSPEND_USERS_SQL: &str =
    "UPDATE ONLY public.res_users SET active = false WHERE active AND id <> 1 RETURNING id::int8, share IS TRUE";

#[derive(Debug, Clone)]
pub enum SuspendOutcome {
    /// Users switched off now (merged into the record); `newly` when the
    /// tenant was not suspended by tenantctl before.
    Changed {
        user_ids: Vec<i64>,
        /// Of them, portal users (`share`: Odoo's portal and public users;
        /// `list` counts internal users only).
        portal: usize,
        /// Jobs switched off now.
        crons: usize,
        /// Mail servers switched off now (the stand-in is not counted).
        mail: usize,
        /// Whether the stand-in mail server was added now.
        standin: bool,
        /// The layers now recorded.
        layers: LayerSet,
        tables: layers::Tables,
        /// The mail layer's record as written (verification after the commit).
        mail_record: layers::MailRecord,
        newly: bool,
        signals: Signals,
        /// The Odoo major (12–13 need a warning about XML-RPC).
        major: Option<u32>,
    },
    /// Suspended and nothing active: nothing changed (the record is kept).
    AlreadySuspended(State),
}

/// Suspends in one transaction, serialised per tenant. Idempotency follows
/// the observed state, not the flag (which the tenant can write itself):
/// whatever is still active is switched off and merged into the record;
/// `AlreadySuspended` only when the tenant is marked suspended and nothing
/// was active. The caller signals after this returns (after the commit).
///
/// Round trips: BEGIN; [`opening`]; the writes of every layer (pipelined:
/// none depends on another's result); [`record_and_guard`]; COMMIT.
pub async fn suspend(
    client: &mut Client,
    reason: &str,
    by: &str,
    at: &str,
    o: &WriteOpts,
) -> Result<SuspendOutcome, WriteError> {
    let tx = begin(client, o).await?;
    let Opening {
        pid, st, tables, ..
    } = opening(&tx, o, false).await?;
    let recorded = if st.suspended() {
        st.layers()
    } else {
        LayerSet::default()
    };
    let do_crons = o.layers.crons && tables.ir_cron;
    let do_mail = o.layers.mail && (tables.ir_mail_server || tables.fetchmail_server);
    let off = switch_off(&tx, o, &st, &tables, do_crons, do_mail, pid).await?;
    if off.ids.is_empty() && off.crons.is_empty() && !off.mail_n.any() && st.suspended() {
        let _ = within(o.deadline, tx.rollback()).await;
        return Ok(SuspendOutcome::AlreadySuspended(st));
    }
    let now_layers = recorded.union(LayerSet {
        users: true,
        crons: do_crons,
        mail: do_mail,
        connections: o.layers.connections,
    });
    let (k, values, newly) = record(&st, &off, now_layers, &o.token, [reason, at, by]);
    let v: Vec<&str> = values.iter().map(String::as_str).collect();
    record_and_guard(&tx, &k, &v, &[], st.signals, o, pid).await?;
    let written = settle::Written {
        users: off.ids.clone(),
        users_active: false,
        crons: off.crons.clone(),
        crons_active: false,
        params: changed_params(&st, &k, &v, &[]),
    };
    commit(tx, o, pid, off.ids.len(), written).await?;
    Ok(SuspendOutcome::Changed {
        user_ids: off.ids,
        portal: off.portal,
        crons: off.crons.len(),
        mail: off.mail_n.switched_off,
        standin: off.mail_n.standin_added,
        layers: now_layers,
        tables,
        mail_record: off.mail_rec,
        newly,
        signals: st.signals,
        major: st
            .version
            .as_deref()
            .and_then(crate::odoo::major_from_version),
    })
}

/// What the writes of the layers switched off.
struct SwitchedOff {
    /// Users switched off, sorted.
    ids: Vec<i64>,
    /// Of them, portal users.
    portal: usize,
    /// Jobs switched off.
    crons: Vec<i64>,
    /// The mail layer's record (merged with a previous suspension's).
    mail_rec: layers::MailRecord,
    mail_n: layers::MailOff,
}

/// The writes of every layer, pipelined (none depends on another's result).
async fn switch_off(
    tx: &Transaction<'_>,
    o: &WriteOpts,
    st: &State,
    tables: &layers::Tables,
    do_crons: bool,
    do_mail: bool,
    pid: i32,
) -> Result<SwitchedOff, WriteError> {
    let fail = |e: anyhow::Error| WriteError::before(e, Some(pid));
    let prev_mail = if st.suspended() {
        st.mail_record()
    } else {
        layers::MailRecord::default()
    };
    let (users, crons, mail) = tokio::join!(
        biased;
        within(o.deadline, tx.query_typed(SUSPEND_USERS_SQL, &[])),
        async {
            if do_crons {
                layers::crons_off(tx, o.deadline).await
            } else {
                Ok(vec![])
            }
        },
        async {
            if do_mail {
                layers::mail_off(tx, tables, &prev_mail, o.deadline).await
            } else {
                Ok((prev_mail.clone(), layers::MailOff::default()))
            }
        },
    );
    let users = users.map_err(|e| fail(e.context("switching users off")))?;
    let portal = users.iter().filter(|r| r.get::<_, bool>(1)).count();
    let mut ids: Vec<i64> = users.iter().map(|r| r.get(0)).collect();
    ids.sort_unstable();
    let crons = crons.map_err(fail)?;
    let (mail_rec, mail_n) = mail.map_err(fail)?;
    Ok(SwitchedOff {
        ids,
        portal,
        crons,
        mail_rec,
        mail_n,
    })
}

/// The ICP keys and values that record the suspension, and whether it is
/// a new one (`reason_at_by` are written only then).
fn record(
    st: &State,
    off: &SwitchedOff,
    now_layers: LayerSet,
    token: &str,
    reason_at_by: [&str; 3],
) -> (Vec<&'static str>, Vec<String>, bool) {
    let mut cron_record = if st.suspended() {
        st.ids(keys::SUSPENDED_CRON_IDS)
    } else {
        vec![]
    };
    cron_record.extend(&off.crons);
    cron_record.sort_unstable();
    cron_record.dedup();
    let cron_json = serde_json::to_string(&cron_record).expect("ids serialise");
    let mail_json = serde_json::to_string(&off.mail_rec).expect("record serialises");
    let layers_json = serde_json::to_string(&now_layers.names()).expect("names serialise");
    // A record of tenantctl's own (flag and a readable list) is merged into;
    // anything else (the tenant's own flag, an old agent's, an unreadable
    // list) starts a new suspension.
    let previous = match (st.suspended(), st.recorded_ids()) {
        (true, Some(Ok(prev))) => Some(prev),
        _ => None,
    };
    let newly = previous.is_none();
    let mut record = previous.unwrap_or_default();
    record.extend(&off.ids);
    record.sort_unstable();
    record.dedup();
    let ids_json = serde_json::to_string(&record).expect("ids serialise");
    let mut k = vec![
        keys::SUSPENDED_USER_IDS,
        keys::WRITE_TOKEN,
        keys::SUSPENDED_LAYERS,
    ];
    let mut v = vec![ids_json, token.to_string(), layers_json];
    if now_layers.crons {
        k.push(keys::SUSPENDED_CRON_IDS);
        v.push(cron_json);
    }
    if now_layers.mail {
        k.push(keys::SUSPENDED_MAIL);
        v.push(mail_json);
    }
    if newly {
        let [reason, at, by] = reason_at_by;
        k.extend([
            keys::SUSPENDED,
            keys::SUSPENDED_REASON,
            keys::SUSPENDED_AT,
            keys::SUSPENDED_BY,
        ]);
        v.extend(["true", reason, at, by].map(str::to_string));
    }
    (k, v, newly)
}
