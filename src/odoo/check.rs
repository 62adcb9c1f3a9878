//! Read-only checks for `tenantctl check`: what the node is, and whether the
//! role may do what passwd/suspend/reactivate do, without changing anything.

use anyhow::anyhow;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::error::{pg_error, sqlstate};

#[derive(Debug, Clone)]
pub struct NodeInfo {
    pub server_version: String,
    pub user: String,
    pub superuser: bool,
}

const NODE_INFO_SQL: &str =
    "SELECT current_setting('server_version'), current_user, coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)";

pub async fn node_info(client: &Client) -> anyhow::Result<NodeInfo> {
    let rows = super::probe::simple_rows(client, NODE_INFO_SQL).await?;
    let r = rows.first().ok_or_else(|| anyhow!("no row"))?;
    Ok(NodeInfo {
        server_version: r.get(0).unwrap_or_default().to_string(),
        user: r.get(1).unwrap_or_default().to_string(),
        superuser: r.get(2) == Some("t"),
    })
}

/// One round trip, inside a transaction that is rolled back:
/// - the reads of `list` (ir_module_module, res_users, res_users_log, ICP);
/// - the writes of passwd/suspend/reactivate as statements that match no row
///   (`WHERE false`): PostgreSQL checks table and column privileges when the
///   statement starts, whatever the rows, so a missing grant fails here exactly
///   as it would in the real command, and nothing is written;
/// - sequence privileges with has_sequence_privilege, because `nextval` is not
///   transactional: calling it would signal Odoo's workers (a change).
///   Odoo 12–16 signal with base_cache_signaling, 17–18 with
///   base_cache_signaling_default, 19+ by inserting into orm_signaling_*.
const TENANT_PROBE_SQL: &str = "BEGIN; \
     SELECT (SELECT latest_version FROM public.ir_module_module WHERE name = 'base' AND state = 'installed'), \
            (SELECT count(*) FROM public.res_users WHERE active), \
            (SELECT max(create_date) FROM public.res_users_log), \
            (SELECT count(*) FROM public.ir_model_data WHERE module = 'base' AND model = 'res.users'); \
     UPDATE public.res_users SET active = active, password = password WHERE false; \
     INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
            SELECT 'tenantctl.check', '', 1, now(), 1, now() WHERE false; \
     UPDATE public.ir_config_parameter SET value = value, write_uid = 1, write_date = now() WHERE false; \
     DELETE FROM public.ir_config_parameter WHERE false; \
     SELECT has_sequence_privilege(pg_get_serial_sequence('public.ir_config_parameter', 'id'), 'USAGE, UPDATE'), \
            CASE WHEN to_regclass('public.orm_signaling_stable') IS NOT NULL THEN \
                      has_table_privilege('public.orm_signaling_stable', 'INSERT') \
                  AND has_table_privilege('public.orm_signaling_default', 'INSERT') \
                  AND has_sequence_privilege(pg_get_serial_sequence('public.orm_signaling_stable', 'id'), 'USAGE, UPDATE') \
                  AND has_sequence_privilege(pg_get_serial_sequence('public.orm_signaling_default', 'id'), 'USAGE, UPDATE') \
                 WHEN to_regclass('public.base_cache_signaling_default') IS NOT NULL THEN \
                      has_sequence_privilege('public.base_cache_signaling_default', 'USAGE, UPDATE') \
                 WHEN to_regclass('public.base_cache_signaling') IS NOT NULL THEN \
                      has_sequence_privilege('public.base_cache_signaling', 'USAGE, UPDATE') \
            END; \
     ROLLBACK";

/// What the probe found for one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCheck {
    Ok,
    NotOdoo,
    /// Something the mutating commands need is missing (one line each).
    Problems(Vec<String>),
}

pub async fn tenant(client: &Client) -> anyhow::Result<TenantCheck> {
    let msgs = match client.simple_query(TENANT_PROBE_SQL).await {
        Ok(m) => m,
        Err(e) if sqlstate(&e) == Some("42P01") => return Ok(TenantCheck::NotOdoo),
        // 42501 insufficient_privilege: the server names the table.
        Err(e) if sqlstate(&e) == Some("42501") => {
            return Ok(TenantCheck::Problems(vec![format!("{}", pg_error(&e))]))
        }
        Err(e) => return Err(pg_error(&e)),
    };
    let rows: Vec<_> = msgs
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .collect();
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err(anyhow!("privilege probe returned no rows"));
    };
    if first.get(0).is_none_or(str::is_empty) {
        return Ok(TenantCheck::NotOdoo);
    }
    let mut problems = Vec::new();
    if last.get(0) != Some("t") {
        problems.push(
            "no USAGE on the ir_config_parameter id sequence (suspend/reactivate cannot record)"
                .to_string(),
        );
    }
    match last.get(1) {
        Some("t") => {}
        Some(_) => problems.push("no privilege to send Odoo's cache signal (USAGE on base_cache_signaling* or INSERT on orm_signaling_*)".into()),
        None => problems.push("no cache signaling objects found (not an Odoo 12+ schema?)".into()),
    }
    Ok(if problems.is_empty() {
        TenantCheck::Ok
    } else {
        TenantCheck::Problems(problems)
    })
}
