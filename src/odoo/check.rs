//! Read-only checks for `tenantctl check`: what the node is, and whether the
//! role may do what passwd/suspend/reactivate do, without changing anything.

use anyhow::anyhow;
use tokio_postgres::Client;

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

/// What the probe found for one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCheck {
    Ok,
    NotOdoo,
    /// Something the mutating commands need is missing (one line each).
    Problems(Vec<String>),
}

/// Every command's statements, in a transaction that is rolled back
/// ([`super::privileges::verify`]): `Ok` means every command works here.
pub async fn tenant(client: &Client) -> anyhow::Result<TenantCheck> {
    Ok(match super::privileges::verify(client).await? {
        super::privileges::Verdict::NotOdoo => TenantCheck::NotOdoo,
        super::privileges::Verdict::Problems(p) if p.is_empty() => TenantCheck::Ok,
        super::privileges::Verdict::Problems(p) => TenantCheck::Problems(p),
    })
}
