//! Suspension and reactivation of a tenant, recorded in `ir_config_parameter`
//! so that reactivation switches on exactly the users that were active.
//!
//! Odoo's login (`res_users._login`) only finds **active** users, API keys are
//! checked joined on `u.active`, and web sessions end once the cache signal is
//! sent: `active = false` on every active user is a complete suspension that
//! loses nothing. A blanket `UPDATE res_users SET active = true` on the way
//! back would switch on `__system__` (id 1, which Odoo forbids), the default
//! and portal templates, the public user and every user archived on purpose:
//! hence the record of ids.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient, Transaction};

use std::time::Duration;

use super::layers::{self, LayerSet};
use super::signal::{Signals, DETECT_COLUMNS};
use super::{guard, keys, settle, within, WriteError};
use crate::error::pg_error;

/// The suspension state of a tenant, read in one round trip.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// `base` `latest_version`, None when not an Odoo database.
    pub version: Option<String>,
    /// Every `tenant.*` ICP key.
    pub params: BTreeMap<String, String>,
    pub signals: Signals,
}

impl State {
    pub fn suspended(&self) -> bool {
        super::probe::is_true(self.params.get(keys::SUSPENDED).map(String::as_str))
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
    /// A JSON array of ids under `key` (empty when absent or unreadable).
    pub fn ids(&self, key: &str) -> Vec<i64> {
        self.get(key)
            .and_then(|v| serde_json::from_str::<Vec<i64>>(v).ok())
            .unwrap_or_default()
    }
    /// The mail layer's record.
    pub fn mail_record(&self) -> layers::MailRecord {
        self.get(keys::SUSPENDED_MAIL)
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default()
    }
    /// The layers recorded (a suspension from before layers: users only).
    pub fn layers(&self) -> LayerSet {
        let mut set = LayerSet {
            users: true,
            ..LayerSet::default()
        };
        if let Some(names) = self
            .get(keys::SUSPENDED_LAYERS)
            .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        {
            for n in names {
                let _ = set.add(&n);
            }
        }
        set
    }
    /// The ids recorded at suspension: `None` when absent (the old agent's
    /// suspensions), `Some(Err)` when present but not a JSON array of ids.
    pub fn recorded_ids(&self) -> Option<Result<Vec<i64>, String>> {
        self.get(keys::SUSPENDED_USER_IDS).map(|v| {
            serde_json::from_str::<Vec<i64>>(v)
                .map_err(|e| format!("{v:?} is not a JSON array of user ids ({e})"))
        })
    }
}

/// `json_object_agg` brings every `tenant.*` ICP key in one value.
/// Odoo treats a database as its own when `base` is installed
/// (`ir_module_module.state = 'installed'`).
fn state_sql() -> String {
    format!(
        "SELECT (SELECT latest_version FROM ONLY public.ir_module_module WHERE name = 'base' AND state = 'installed'), \
         (SELECT json_object_agg(key, value) FROM ONLY public.ir_config_parameter WHERE key LIKE 'tenant.%'), \
         {DETECT_COLUMNS}"
    )
}

async fn read_state(client: &impl GenericClient) -> anyhow::Result<State> {
    let rows = super::probe::simple_rows(client, &state_sql())
        .await
        .map_err(|e| {
            if format!("{e}").contains("42P01") {
                anyhow::Error::new(super::NotOdoo(
                    "no ir_module_module / ir_config_parameter table",
                ))
            } else {
                e
            }
        })?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow!("state query returned no row"))?;
    let version = r.get(0).filter(|v| !v.is_empty()).map(str::to_string);
    if version.is_none() {
        return Err(anyhow::Error::new(super::NotOdoo(
            "no installed `base` module in ir_module_module",
        )));
    }
    let params: BTreeMap<String, String> = match r.get(1) {
        Some(j) => serde_json::from_str(j).context("reading tenant.* parameters")?,
        None => BTreeMap::new(),
    };
    let flag = |i: usize| r.get(i) == Some("t");
    Ok(State {
        version,
        params,
        signals: Signals::from_flags([flag(2), flag(3), flag(4), flag(5)]),
    })
}

/// Reads the state without locking (plans, confirmations, dry runs).
pub async fn state(client: &impl GenericClient) -> anyhow::Result<State> {
    read_state(client).await
}

/// A user as shown in plans.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserRef {
    pub id: i64,
    pub login: String,
    pub active: bool,
}

async fn users_where(
    client: &impl GenericClient,
    sql: &str,
    ids: &[i64],
    protected: &[i64],
) -> anyhow::Result<Vec<UserRef>> {
    // query_typed: parameters with declared types, no separate prepare round trip.
    let rows = if sql.contains("$1") {
        client
            .query_typed(
                sql,
                &[(&ids, Type::INT8_ARRAY), (&protected, Type::INT8_ARRAY)],
            )
            .await
    } else if sql.contains("$2") {
        client
            .query_typed(&sql.replace("$2", "$1"), &[(&protected, Type::INT8_ARRAY)])
            .await
    } else {
        client.query_typed(sql, &[]).await
    }
    .map_err(|e| pg_error(&e))?;
    Ok(rows
        .iter()
        .map(|r| UserRef {
            id: r.get(0),
            login: r.get(1),
            active: r.get(2),
        })
        .collect())
}

/// Who a suspension would switch off: every active user but id 1
/// (`__system__`, always inactive; Odoo forbids activating it). Odoo allows
/// a NULL `active`; `WHERE active` reads it as inactive, as Odoo's login does.
const ACTIVE_USERS_SQL: &str =
    "SELECT id::int8, login, coalesce(active, false) FROM ONLY public.res_users WHERE active AND id <> 1 ORDER BY id";

pub async fn users_to_suspend(client: &impl GenericClient) -> anyhow::Result<Vec<UserRef>> {
    users_where(client, ACTIVE_USERS_SQL, &[], &[]).await
}

/// Recorded users that still exist (users deleted meanwhile are skipped).
const USERS_BY_ID_SQL: &str =
    "SELECT id::int8, login, coalesce(active, false) FROM ONLY public.res_users \
     WHERE id = ANY($1) AND id <> 1 AND NOT (id = ANY($2)) ORDER BY id";

/// Users that are never switched on, whatever a record says: `__system__`
/// (id 1; Odoo forbids activating it), the default-user template (12–18),
/// the public user (the website runs as it, always inactive) and the portal
/// template, resolved through `ir_model_data` (module `base`) and ICP
/// `base.template_portal_user_id` (odoo-facts §4).
const PROTECTED_SQL: &str = "SELECT 1::int8 UNION \
     SELECT res_id::int8 FROM ONLY public.ir_model_data WHERE module = 'base' AND model = 'res.users' \
       AND name IN ('user_root', 'default_user', 'public_user', 'template_portal_user_id') AND res_id IS NOT NULL \
     UNION SELECT value::int8 FROM ONLY public.ir_config_parameter \
       WHERE key = 'base.template_portal_user_id' AND value ~ '^[0-9]{1,18}$'";

/// The ids that are never switched on.
pub async fn protected_ids(client: &impl GenericClient) -> anyhow::Result<Vec<i64>> {
    let rows = client
        .query_typed(PROTECTED_SQL, &[])
        .await
        .map_err(|e| pg_error(&e))?;
    let mut v: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

/// `--restore-users all-internal` for suspensions without a record (the old
/// agent's): every internal user (`NOT share`) except `__system__` (id 1) and
/// the built-in templates and public user, resolved through `ir_model_data`
/// (Odoo's built-in users: base.default_user, base.public_user,
/// base.template_portal_user_id, also named by ICP base.template_portal_user_id).
const ALL_INTERNAL_SQL: &str =
    "SELECT id::int8, login, coalesce(active, false) FROM ONLY public.res_users \
     WHERE share IS NOT TRUE AND id <> 1 AND NOT (id = ANY($2)) ORDER BY id";

/// How reactivation picks the users to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Exactly the users recorded at suspension.
    Recorded,
    /// Every internal user except id 1 and the built-in templates/public user.
    AllInternal,
}

/// The users a reactivation would switch on, the recorded ids that are not
/// users of the tenant, and the recorded ids that are never switched on.
pub async fn users_to_reactivate(
    client: &impl GenericClient,
    st: &State,
    restore: Restore,
) -> anyhow::Result<ReactivatePlan> {
    let protected = protected_ids(client).await?;
    match (restore, st.recorded_ids()) {
        (Restore::AllInternal, _) => Ok(ReactivatePlan::Users {
            users: users_where(client, ALL_INTERNAL_SQL, &[], &protected).await?,
            missing: vec![],
            excluded: vec![],
        }),
        (Restore::Recorded, Some(Ok(ids))) => {
            let users = users_where(client, USERS_BY_ID_SQL, &ids, &protected).await?;
            let existing = existing_ids(client, &ids).await?;
            let excluded: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|i| protected.binary_search(i).is_ok())
                .collect();
            let missing = ids
                .iter()
                .copied()
                .filter(|i| {
                    protected.binary_search(i).is_err() && existing.binary_search(i).is_err()
                })
                .collect();
            Ok(ReactivatePlan::Users {
                users,
                missing,
                excluded,
            })
        }
        (Restore::Recorded, Some(Err(e))) => Ok(ReactivatePlan::BadRecord(e)),
        (Restore::Recorded, None) => Ok(ReactivatePlan::NoRecord),
    }
}

const EXISTING_SQL: &str =
    "SELECT id::int8 FROM ONLY public.res_users WHERE id = ANY($1) ORDER BY id";

async fn existing_ids(client: &impl GenericClient, ids: &[i64]) -> anyhow::Result<Vec<i64>> {
    let rows = client
        .query_typed(EXISTING_SQL, &[(&ids, Type::INT8_ARRAY)])
        .await
        .map_err(|e| pg_error(&e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[derive(Debug, Clone)]
pub enum ReactivatePlan {
    Users {
        users: Vec<UserRef>,
        missing: Vec<i64>,
        excluded: Vec<i64>,
    },
    /// Suspended without a record of users (the old node agent).
    NoRecord,
    /// A record that cannot be read.
    BadRecord(String),
}

/// Upserts ICP keys the way Odoo's `ir.config_parameter.set_param` leaves
/// them: `UNIQUE(key)` (ir_config_parameter_key_uniq) makes ON CONFLICT safe;
/// create/write dates are naive UTC and the uids are 1 (superuser), as Odoo
/// fills them.
const UPSERT_PARAMS_SQL: &str = "INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
     SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc' FROM unnest($1::text[], $2::text[]) AS p(k, v) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

/// Switches off every active user but id 1. Only `active` changes on
/// res_users (no write_date, like Odoo's raw writes), so nothing else of the
/// tenant's data is touched.
/// `ONLY`: without it PostgreSQL also writes the rows of the table's
/// inheritance children and fires their triggers (see `guard`); reads use
/// `ONLY` too, to see exactly the rows the writes change.
const SUSPEND_USERS_SQL: &str =
    "UPDATE ONLY public.res_users SET active = false WHERE active AND id <> 1 RETURNING id::int8";

/// Switches on exactly the given users, never a protected one (id 1, the
/// templates, the public user), whatever the record says.
const REACTIVATE_USERS_SQL: &str = "UPDATE ONLY public.res_users SET active = true \
     WHERE id = ANY($1) AND id <> 1 AND NOT (id = ANY($2)) RETURNING id::int8";

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

#[derive(Debug, Clone)]
pub enum SuspendOutcome {
    /// Users switched off now (merged into the record); `newly` when the
    /// tenant was not suspended by tenantctl before.
    Changed {
        user_ids: Vec<i64>,
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

async fn begin<'a>(client: &'a mut Client, o: &WriteOpts) -> Result<Transaction<'a>, WriteError> {
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
    super::within_any(d, guard::findings(tx, &guard_all_tables())).await
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
struct Opening {
    pid: i32,
    st: State,
    tables: layers::Tables,
    /// The ids never switched on (reactivation only; else empty).
    protected: Vec<i64>,
}

async fn opening(
    tx: &Transaction<'_>,
    o: &WriteOpts,
    with_protected: bool,
) -> Result<Opening, WriteError> {
    // Statements behind the lock wait for it (at most statement_timeout);
    // `behind_lock` bounds them to one deadline once it is held.
    let after_lock = o.deadline * 2;
    let lock_wait = o
        .deadline
        .saturating_sub(super::super::transport::DEADLINE_MARGIN);
    let set_lock_timeout = layers::lock_timeout_sql(lock_wait);
    let rest = async {
        tokio::join!(
            biased;
            within(after_lock, tx.batch_execute(&set_lock_timeout)),
            super::within_any(after_lock, read_state(tx)),
            guard_findings(tx, o, after_lock),
            layers::tables(tx, after_lock),
            async {
                if with_protected {
                    super::within_any(after_lock, protected_ids(tx)).await
                } else {
                    Ok(vec![])
                }
            },
        )
    };
    let (pid, (set, st, found, tables, protected)) =
        super::behind_lock(super::lock(tx, o.deadline), rest, o.deadline).await?;
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
async fn record_and_guard(
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
fn changed_params(
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
    let fail = |e: anyhow::Error| WriteError::before(e, Some(pid));
    let recorded = if st.suspended() {
        st.layers()
    } else {
        LayerSet::default()
    };
    let prev_mail = if st.suspended() {
        st.mail_record()
    } else {
        layers::MailRecord::default()
    };
    let do_crons = o.layers.crons && tables.ir_cron;
    let do_mail = o.layers.mail && (tables.ir_mail_server || tables.fetchmail_server);
    let (users, crons, mail) = tokio::join!(
        biased;
        within(o.deadline, tx.query_typed(SUSPEND_USERS_SQL, &[])),
        async {
            if do_crons {
                layers::crons_off(&tx, o.deadline).await
            } else {
                Ok(vec![])
            }
        },
        async {
            if do_mail {
                layers::mail_off(&tx, &tables, &prev_mail, o.deadline).await
            } else {
                Ok((prev_mail.clone(), layers::MailOff::default()))
            }
        },
    );
    let mut ids: Vec<i64> = users
        .map_err(|e| fail(e.context("switching users off")))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    ids.sort_unstable();
    let crons = crons.map_err(fail)?;
    let (mail_rec, mail_n) = mail.map_err(fail)?;
    if ids.is_empty() && crons.is_empty() && !mail_n.any() && st.suspended() {
        let _ = within(o.deadline, tx.rollback()).await;
        return Ok(SuspendOutcome::AlreadySuspended(st));
    }
    let now_layers = recorded.union(LayerSet {
        users: true,
        crons: do_crons,
        mail: do_mail,
        connections: o.layers.connections,
    });
    let mut cron_record = if st.suspended() {
        st.ids(keys::SUSPENDED_CRON_IDS)
    } else {
        vec![]
    };
    cron_record.extend(&crons);
    cron_record.sort_unstable();
    cron_record.dedup();
    let cron_json = serde_json::to_string(&cron_record).expect("ids serialise");
    let mail_json = serde_json::to_string(&mail_rec).expect("record serialises");
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
    record.extend(&ids);
    record.sort_unstable();
    record.dedup();
    let ids_json = serde_json::to_string(&record).expect("ids serialise");
    let mut k = vec![
        keys::SUSPENDED_USER_IDS,
        keys::WRITE_TOKEN,
        keys::SUSPENDED_LAYERS,
    ];
    let mut v = vec![ids_json.as_str(), o.token.as_str(), layers_json.as_str()];
    if now_layers.crons {
        k.push(keys::SUSPENDED_CRON_IDS);
        v.push(cron_json.as_str());
    }
    if now_layers.mail {
        k.push(keys::SUSPENDED_MAIL);
        v.push(mail_json.as_str());
    }
    if newly {
        k.extend([
            keys::SUSPENDED,
            keys::SUSPENDED_REASON,
            keys::SUSPENDED_AT,
            keys::SUSPENDED_BY,
        ]);
        v.extend(["true", reason, at, by]);
    }
    record_and_guard(&tx, &k, &v, &[], st.signals, o, pid).await?;
    let written = settle::Written {
        users: ids.clone(),
        users_active: false,
        crons: crons.clone(),
        crons_active: false,
        params: changed_params(&st, &k, &v, &[]),
    };
    super::commit(tx, o.deadline, Some(pid))
        .await
        .map_err(|e| match e {
            WriteError::CommitLost { error, pid, .. } => WriteError::CommitLost {
                error,
                pid,
                users: ids.len(),
                written,
            },
            e => e,
        })?;
    Ok(SuspendOutcome::Changed {
        user_ids: ids,
        crons: crons.len(),
        mail: mail_n.switched_off,
        standin: mail_n.standin_added,
        layers: now_layers,
        tables,
        mail_record: mail_rec,
        newly,
        signals: st.signals,
        major: st.version.as_deref().and_then(super::major_from_version),
    })
}

#[derive(Debug, Clone)]
pub enum ReactivateOutcome {
    NotSuspended(State),
    Changed {
        /// Users switched on.
        user_ids: Vec<i64>,
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
     WHERE share IS NOT TRUE AND id <> 1 AND NOT (id = ANY($1)) RETURNING id::int8";

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
    let Opening {
        pid,
        st,
        tables,
        protected,
    } = opening(&tx, o, true).await?;
    let fail = |e: anyhow::Error| WriteError::before(e, Some(pid));
    if !st.suspended() {
        let _ = within(o.deadline, tx.rollback()).await;
        return Ok(ReactivateOutcome::NotSuspended(st));
    }
    let ids = match (restore, st.recorded_ids()) {
        (Restore::AllInternal, _) => vec![],
        (Restore::Recorded, Some(Ok(ids))) => ids,
        (Restore::Recorded, Some(Err(e))) => {
            let _ = within(o.deadline, tx.rollback()).await;
            return Ok(ReactivateOutcome::BadRecord(e));
        }
        (Restore::Recorded, None) => {
            let _ = within(o.deadline, tx.rollback()).await;
            return Ok(ReactivateOutcome::NoRecord);
        }
    };
    let recorded = st.layers();
    let mail_rec = st.mail_record();
    let cron_ids = st.ids(keys::SUSPENDED_CRON_IDS);
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
    let (users, existing, crons, mail, last) = tokio::join!(
        biased;
        async {
            match restore {
                Restore::Recorded => within(
                    o.deadline,
                    tx.query_typed(
                        REACTIVATE_USERS_SQL,
                        &[(&ids, Type::INT8_ARRAY), (&protected, Type::INT8_ARRAY)],
                    ),
                )
                .await,
                Restore::AllInternal => within(
                    o.deadline,
                    tx.query_typed(
                        REACTIVATE_ALL_INTERNAL_SQL,
                        &[(&protected, Type::INT8_ARRAY)],
                    ),
                )
                .await,
            }
        },
        async {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            existing_ids(&tx, &ids).await
        },
        async {
            if recorded.crons && tables.ir_cron {
                layers::crons_on(&tx, &cron_ids, o.deadline).await.map(|c| c.len())
            } else {
                Ok(0)
            }
        },
        async {
            if recorded.mail {
                layers::mail_on(&tx, &tables, &mail_rec, o.deadline).await
            } else {
                Ok((0, 0))
            }
        },
        record_and_guard(&tx, &k, &v, &drop, st.signals, o, pid),
    );
    let mut on: Vec<i64> = users
        .map_err(|e| fail(e.context("switching users on")))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    on.sort_unstable();
    let existing = existing.map_err(fail)?;
    let crons = crons.map_err(fail)?;
    let (mail, requeued) = mail.map_err(fail)?;
    last?;
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
    let written = settle::Written {
        params: changed_params(&st, &k, &v, &drop),
        ..Default::default()
    };
    super::commit(tx, o.deadline, Some(pid))
        .await
        .map_err(|e| match e {
            WriteError::CommitLost { error, pid, .. } => WriteError::CommitLost {
                error,
                pid,
                users: on.len(),
                written,
            },
            e => e,
        })?;
    Ok(ReactivateOutcome::Changed {
        user_ids: on,
        missing,
        excluded,
        signals: st.signals,
        restore,
        crons,
        mail,
        requeued,
        layers: recorded,
    })
}

/// What the database shows after a write committed (the same connection,
/// a new snapshot): the users still active and the flag.
const VERIFY_SQL: &str =
    "SELECT coalesce(array_agg(id::int8 ORDER BY id) FILTER (WHERE active AND id <> 1), '{}'), \
     (SELECT value FROM ONLY public.ir_config_parameter WHERE key = 'tenant.suspended') \
     FROM ONLY public.res_users";

/// After the commit: `(active user ids but id 1, the tenant is flagged
/// suspended)`.
pub async fn observed(client: &Client, deadline: Duration) -> anyhow::Result<(Vec<i64>, bool)> {
    let rows = within(deadline, client.query_typed(VERIFY_SQL, &[])).await?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow!("verification returned no row"))?;
    let active: Vec<i64> = r.get(0);
    let flag: Option<String> = r.get(1);
    Ok((active, super::probe::is_true(flag.as_deref())))
}
