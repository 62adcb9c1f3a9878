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
//!
//! The reads (state, plans, the check after a write) are here; the two
//! transactions in `suspend` and `reactivate`, what they share in `write`.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient};

use std::time::Duration;

use super::layers::{self, LayerSet};
use super::signal::{Signals, DETECT_COLUMNS};
use super::{keys, within};
use crate::error::pg_error;

mod reactivate;
mod suspend;
mod write;

pub use reactivate::{reactivate, ReactivateOutcome};
pub use suspend::{suspend, SuspendOutcome};
pub use write::{WriteOpts, WRITTEN_TABLES};

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
        recorded_layers(self.get(keys::SUSPENDED_LAYERS))
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
            if crate::error::sqlstate_of(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) {
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
    /// `share`: a portal (or public) user, not an internal one. Odoo
    /// computes it from the groups (`res.users._compute_share`) and stores it;
    /// `list` counts the others.
    pub portal: bool,
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
            portal: r.get(3),
        })
        .collect())
}

/// Who a suspension would switch off: every active user but id 1
/// (`__system__`, always inactive; Odoo forbids activating it). Odoo allows
/// a NULL `active`; `WHERE active` reads it as inactive, as Odoo's login does.
const ACTIVE_USERS_SQL: &str =
    "SELECT id::int8, login, coalesce(active, false), share IS TRUE FROM ONLY public.res_users WHERE active AND id <> 1 ORDER BY id";

pub async fn users_to_suspend(client: &impl GenericClient) -> anyhow::Result<Vec<UserRef>> {
    users_where(client, ACTIVE_USERS_SQL, &[], &[]).await
}

/// The layers of a suspension from its record `tenant.suspended_layers`
/// (a JSON array of names); users only when there is none (a suspension
/// from before layers) or it is not one.
pub fn recorded_layers(record: Option<&str>) -> LayerSet {
    let mut set = LayerSet {
        users: true,
        ..LayerSet::default()
    };
    let names: Vec<String> = record
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    for n in names {
        let _ = set.add(&n);
    }
    set
}

/// Recorded users that still exist (users deleted meanwhile are skipped).
const USERS_BY_ID_SQL: &str =
    "SELECT id::int8, login, coalesce(active, false), share IS TRUE FROM ONLY public.res_users \
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
    "SELECT id::int8, login, coalesce(active, false), share IS TRUE FROM ONLY public.res_users \
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
