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
use tokio_postgres::{Client, GenericClient};

use super::keys;
use super::signal::{Signals, DETECT_COLUMNS};
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
fn state_sql() -> String {
    format!(
        "SELECT (SELECT latest_version FROM ir_module_module WHERE name = 'base'), \
         (SELECT json_object_agg(key, value) FROM ir_config_parameter WHERE key LIKE 'tenant.%'), \
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
) -> anyhow::Result<Vec<UserRef>> {
    // query_typed: parameters with declared types, no separate prepare round trip.
    let rows = if sql.contains("$1") {
        client.query_typed(sql, &[(&ids, Type::INT8_ARRAY)]).await
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
/// (`__system__`, always inactive; Odoo forbids activating it).
const ACTIVE_USERS_SQL: &str =
    "SELECT id::int8, login, active FROM res_users WHERE active AND id <> 1 ORDER BY id";

pub async fn users_to_suspend(client: &impl GenericClient) -> anyhow::Result<Vec<UserRef>> {
    users_where(client, ACTIVE_USERS_SQL, &[]).await
}

/// Recorded users that still exist (users deleted meanwhile are skipped).
const USERS_BY_ID_SQL: &str =
    "SELECT id::int8, login, active FROM res_users WHERE id = ANY($1) AND id <> 1 ORDER BY id";

/// `--restore-users all-internal` for suspensions without a record (the old
/// agent's): every internal user (`NOT share`) except `__system__` (id 1) and
/// the built-in templates and public user, resolved through `ir_model_data`
/// (Odoo's built-in users: base.default_user, base.public_user,
/// base.template_portal_user_id, also named by ICP base.template_portal_user_id).
const ALL_INTERNAL_SQL: &str = "SELECT id::int8, login, active FROM res_users \
     WHERE NOT share AND id <> 1 \
     AND id NOT IN (SELECT res_id FROM ir_model_data WHERE module = 'base' AND model = 'res.users' \
                    AND name IN ('user_root', 'default_user', 'public_user', 'template_portal_user_id') \
                    AND res_id IS NOT NULL) \
     AND id::text <> coalesce((SELECT value FROM ir_config_parameter WHERE key = 'base.template_portal_user_id'), '') \
     ORDER BY id";

/// How reactivation picks the users to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Exactly the users recorded at suspension.
    Recorded,
    /// Every internal user except id 1 and the built-in templates/public user.
    AllInternal,
}

/// The users a reactivation would switch on: (existing users, recorded ids
/// that no longer exist).
pub async fn users_to_reactivate(
    client: &impl GenericClient,
    st: &State,
    restore: Restore,
) -> anyhow::Result<ReactivatePlan> {
    match (restore, st.recorded_ids()) {
        (Restore::AllInternal, _) => Ok(ReactivatePlan::Users {
            users: users_where(client, ALL_INTERNAL_SQL, &[]).await?,
            missing: vec![],
        }),
        (Restore::Recorded, Some(Ok(ids))) => {
            let users = users_where(client, USERS_BY_ID_SQL, &ids).await?;
            let missing = ids
                .iter()
                .copied()
                .filter(|i| *i != 1 && !users.iter().any(|u| u.id == *i))
                .collect();
            Ok(ReactivatePlan::Users { users, missing })
        }
        (Restore::Recorded, Some(Err(e))) => Ok(ReactivatePlan::BadRecord(e)),
        (Restore::Recorded, None) => Ok(ReactivatePlan::NoRecord),
    }
}

#[derive(Debug, Clone)]
pub enum ReactivatePlan {
    Users {
        users: Vec<UserRef>,
        missing: Vec<i64>,
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
const UPSERT_PARAMS_SQL: &str = "INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
     SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc' FROM unnest($1::text[], $2::text[]) AS p(k, v) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date";

/// Serialises tenantctl's writes on this tenant for the rest of the
/// transaction (advisory locks are per database).
const LOCK_SQL: &str = "SELECT pg_advisory_xact_lock($1)";

/// Switches off every active user but id 1 and records who they were. Only
/// `active` changes on res_users (no write_date, like Odoo's raw writes), so
/// nothing else of the tenant's data is touched.
const SUSPEND_USERS_SQL: &str =
    "UPDATE res_users SET active = false WHERE active AND id <> 1 RETURNING id::int8";

/// Switches on exactly the given users, never id 1.
const REACTIVATE_USERS_SQL: &str =
    "UPDATE res_users SET active = true WHERE id = ANY($1) AND id <> 1 RETURNING id::int8";

const DROP_RECORD_SQL: &str = "DELETE FROM ir_config_parameter WHERE key = $1";

#[derive(Debug, Clone)]
pub enum SuspendOutcome {
    /// Suspended now; the ids of the users switched off.
    Changed {
        user_ids: Vec<i64>,
        signals: Signals,
    },
    /// Already suspended: nothing changed (the record of users is kept).
    AlreadySuspended(State),
}

/// Suspends in one transaction, serialised per tenant. The caller sends the
/// cache signal after this returns (i.e. after the commit).
pub async fn suspend(
    client: &mut Client,
    reason: &str,
    by: &str,
    at: &str,
) -> anyhow::Result<SuspendOutcome> {
    let tx = client.transaction().await.map_err(|e| pg_error(&e))?;
    tx.execute_typed(LOCK_SQL, &[(&super::TENANT_LOCK_KEY, Type::INT8)])
        .await
        .map_err(|e| pg_error(&e).context("lock"))?;
    // Read after the lock: a concurrent suspend that committed first is seen.
    let st = read_state(&tx).await?;
    if st.suspended() {
        tx.rollback().await.map_err(|e| pg_error(&e))?;
        return Ok(SuspendOutcome::AlreadySuspended(st));
    }
    let rows = tx
        .query_typed(SUSPEND_USERS_SQL, &[])
        .await
        .map_err(|e| pg_error(&e).context("switching users off"))?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    ids.sort_unstable();
    let ids_json = serde_json::to_string(&ids).expect("ids serialise");
    let k = [
        keys::SUSPENDED,
        keys::SUSPENDED_REASON,
        keys::SUSPENDED_AT,
        keys::SUSPENDED_BY,
        keys::SUSPENDED_USER_IDS,
    ];
    let v = ["true", reason, at, by, ids_json.as_str()];
    tx.execute_typed(
        UPSERT_PARAMS_SQL,
        &[(&&k[..], Type::TEXT_ARRAY), (&&v[..], Type::TEXT_ARRAY)],
    )
    .await
    .map_err(|e| pg_error(&e).context("recording the suspension"))?;
    tx.commit()
        .await
        .map_err(|e| pg_error(&e).context("commit"))?;
    Ok(SuspendOutcome::Changed {
        user_ids: ids,
        signals: st.signals,
    })
}

#[derive(Debug, Clone)]
pub enum ReactivateOutcome {
    NotSuspended(State),
    Changed {
        /// Users switched on.
        user_ids: Vec<i64>,
        /// Recorded users that no longer exist.
        missing: Vec<i64>,
        signals: Signals,
        restore: Restore,
    },
    /// Suspended without a record (old agent): refused, nothing changed.
    NoRecord,
    /// The record is unreadable: refused, nothing changed.
    BadRecord(String),
}

/// Reactivates in one transaction, serialised per tenant.
pub async fn reactivate(
    client: &mut Client,
    restore: Restore,
    by: &str,
    at: &str,
) -> anyhow::Result<ReactivateOutcome> {
    let tx = client.transaction().await.map_err(|e| pg_error(&e))?;
    tx.execute_typed(LOCK_SQL, &[(&super::TENANT_LOCK_KEY, Type::INT8)])
        .await
        .map_err(|e| pg_error(&e).context("lock"))?;
    let st = read_state(&tx).await?;
    if !st.suspended() {
        tx.rollback().await.map_err(|e| pg_error(&e))?;
        return Ok(ReactivateOutcome::NotSuspended(st));
    }
    let wanted: Vec<i64> = match (restore, st.recorded_ids()) {
        (Restore::AllInternal, _) => users_where(&tx, ALL_INTERNAL_SQL, &[])
            .await?
            .iter()
            .map(|u| u.id)
            .collect(),
        (Restore::Recorded, Some(Ok(ids))) => ids,
        (Restore::Recorded, Some(Err(e))) => {
            tx.rollback().await.map_err(|e| pg_error(&e))?;
            return Ok(ReactivateOutcome::BadRecord(e));
        }
        (Restore::Recorded, None) => {
            tx.rollback().await.map_err(|e| pg_error(&e))?;
            return Ok(ReactivateOutcome::NoRecord);
        }
    };
    let rows = tx
        .query_typed(REACTIVATE_USERS_SQL, &[(&wanted, Type::INT8_ARRAY)])
        .await
        .map_err(|e| pg_error(&e).context("switching users on"))?;
    let mut on: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    on.sort_unstable();
    let missing: Vec<i64> = wanted
        .iter()
        .copied()
        .filter(|i| *i != 1 && on.binary_search(i).is_err())
        .collect();
    let k = [keys::SUSPENDED, keys::REACTIVATED_AT, keys::REACTIVATED_BY];
    let v = ["false", at, by];
    tx.execute_typed(
        UPSERT_PARAMS_SQL,
        &[(&&k[..], Type::TEXT_ARRAY), (&&v[..], Type::TEXT_ARRAY)],
    )
    .await
    .map_err(|e| pg_error(&e).context("recording the reactivation"))?;
    tx.execute_typed(DROP_RECORD_SQL, &[(&keys::SUSPENDED_USER_IDS, Type::TEXT)])
        .await
        .map_err(|e| pg_error(&e))?;
    tx.commit()
        .await
        .map_err(|e| pg_error(&e).context("commit"))?;
    Ok(ReactivateOutcome::Changed {
        user_ids: on,
        missing,
        signals: st.signals,
        restore,
    })
}
