//! `tenantctl list`: every tenant of every selected node, one connection and
//! one round trip per database, nodes and databases in parallel within the
//! per-node and global connection limits.

use std::sync::Arc;
use std::time::SystemTime;

use anyhow::anyhow;
use serde::Serialize;
use tokio::task::JoinSet;

use super::Ctx;
use crate::config::{ListOpts, Output, Sort, StatusFilter};
use crate::error::{Error, Result, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL};
use crate::odoo::probe::{self, Probe};
use crate::output::{csv_line, human_size, out, out_json, relative, Col, Tint};
use crate::targets::node_databases;
use crate::transport::{NodeLink, Transport, Via};

/// One row of the listing (the documented JSON object).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub node: String,
    pub tenant: String,
    /// active | suspended | not-odoo | no-access (the role may not CONNECT)
    /// | unsafe-name (not a valid Odoo database name: the commands that touch
    /// files refuse it, `bulk backup` skips it)
    pub status: &'static str,
    pub users: Option<i64>,
    pub portal_users: Option<i64>,
    pub size_bytes: Option<i64>,
    pub odoo_version: Option<String>,
    pub last_login: Option<String>,
    pub suspended_at: Option<String>,
    pub suspended_reason: Option<String>,
    /// Suspended with the `connections` layer: the database refuses
    /// connections (what is shown comes from the node's catalog).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// A suspended tenant with active users, or a tenant not marked
    /// suspended whose users are all archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
    pub via: Via,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeError {
    pub node: String,
    pub error: String,
}

#[derive(Serialize)]
struct Listing<'a> {
    tenants: &'a [Row],
    errors: &'a [NodeError],
}

enum Event {
    Row(Row),
    Error(NodeError),
    NodeDone {
        name: String,
        node: String,
        ok: bool,
        secs: f64,
    },
}

pub async fn run(ctx: &Ctx, opts: &ListOpts) -> Result<u8> {
    let matcher = match &opts.pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|e| Error::usage(anyhow!("--match {p:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    for link in &ctx.links {
        let link = link.clone();
        let t = ctx.transport.clone();
        let tx = tx.clone();
        let matcher = matcher.clone();
        let all_dbs = opts.all_databases;
        tokio::spawn(async move {
            let t0 = std::time::Instant::now();
            let ok = list_node(&link, &t, matcher.as_ref(), all_dbs, &tx).await;
            let _ = tx.send(Event::NodeDone {
                name: link.name().to_string(),
                node: format!("{} ({}, {})", link.name(), link.node.address(), link.via),
                ok,
                secs: t0.elapsed().as_secs_f64(),
            });
        });
    }
    drop(tx);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut nodes_ok = 0;
    let mut listed: Vec<String> = Vec::new();
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::Row(r) => rows.push(r),
            Event::Error(e) => errors.push(e),
            Event::NodeDone {
                name,
                node,
                ok,
                secs,
            } => {
                nodes_ok += usize::from(ok);
                if ok {
                    listed.push(name);
                }
                ctx.printer.detail(format!(
                    "node {node}: {} in {secs:.3}s",
                    if ok { "listed" } else { "failed" }
                ));
            }
        }
    }
    remember(ctx, &rows, listed, opts.pattern.is_some());
    rows.retain(|r| match opts.status {
        StatusFilter::All => true,
        StatusFilter::Active => r.status == "active",
        StatusFilter::Suspended => r.status == "suspended",
    });
    sort(&mut rows, opts.sort);
    for r in rows.iter().filter(|r| r.drift.is_some()) {
        ctx.printer.warn(format!(
            "{}/{}: drift: {}",
            r.node,
            r.tenant,
            r.drift.as_deref().unwrap_or_default()
        ));
    }
    errors.sort_by(|a, b| a.node.cmp(&b.node).then(a.error.cmp(&b.error)));
    print(ctx, &rows, &errors);
    Ok(if errors.is_empty() {
        EXIT_OK
    } else if nodes_ok == 0 {
        EXIT_FAILED
    } else {
        EXIT_PARTIAL
    })
}

/// Records the Odoo tenants of the nodes that answered in the completion
/// cache (all of them, or with `--match` only those seen).
fn remember(ctx: &Ctx, rows: &[Row], listed: Vec<String>, partial: bool) {
    let learnt = listed
        .into_iter()
        .map(|node| {
            let tenants: Vec<String> = rows
                .iter()
                .filter(|r| r.node == node && matches!(r.status, "active" | "suspended"))
                .map(|r| r.tenant.clone())
                .collect();
            let l = if partial {
                crate::tenant_cache::Learnt::Some(tenants)
            } else {
                crate::tenant_cache::Learnt::All(tenants)
            };
            (node, l)
        })
        .collect();
    ctx.remember_tenants(learnt);
}

/// Lists one node; returns whether the node itself answered.
/// What a tenant is: read from it, or from the catalog when it takes no
/// connection (blocked by an upgrade at work or by the connections layer).
async fn probe_one(
    link: &NodeLink,
    t: &Transport,
    c: &crate::odoo::probe::Candidate,
) -> anyhow::Result<Probe> {
    if c.upgrading.is_some() {
        return Ok(Probe::Tenant(probe::Summary::default()));
    }
    if let Some(b) = &c.blocked {
        return Ok(Probe::Tenant(probe::Summary {
            suspended: true,
            suspended_at: b.at.clone(),
            suspended_reason: b.reason.clone(),
            ..Default::default()
        }));
    }
    let conn = link.connect(&c.name, t).await?;
    probe::summary(&conn).await
}

async fn list_node(
    link: &Arc<NodeLink>,
    t: &Arc<Transport>,
    matcher: Option<&globset::GlobMatcher>,
    all_dbs: bool,
    tx: &tokio::sync::mpsc::UnboundedSender<Event>,
) -> bool {
    let cands = match node_databases(link, t, probe::Sizes::With).await {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(Event::Error(NodeError {
                node: link.name().to_string(),
                error: format!("{e:#}"),
            }));
            return false;
        }
    };
    let mut set = JoinSet::new();
    for c in cands
        .into_iter()
        .filter(|c| matcher.is_none_or(|m| m.is_match(&c.name)))
    {
        // Not this role's database: never connected to, not an error.
        if !c.connect {
            if all_dbs {
                let _ = tx.send(Event::Row(no_access_row(link, c)));
            }
            continue;
        }
        let link = link.clone();
        let t = t.clone();
        set.spawn(async move {
            let r = probe_one(&link, &t, &c).await;
            (c, r)
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok((c, r)) = joined else { continue };
        let base = Row {
            node: link.name().to_string(),
            tenant: c.name.clone(),
            status: "not-odoo",
            users: None,
            portal_users: None,
            size_bytes: c.size_bytes,
            odoo_version: None,
            last_login: None,
            suspended_at: None,
            suspended_reason: None,
            blocked: false,
            drift: None,
            via: link.via,
        };
        let ev = match r {
            Ok(Probe::Tenant(_)) if c.upgrading.is_some() => Event::Row(Row {
                status: "upgrading",
                blocked: true,
                ..base
            }),
            Ok(Probe::Tenant(s)) if c.blocked.is_some() => Event::Row(Row {
                status: "suspended",
                blocked: true,
                suspended_at: s.suspended_at,
                suspended_reason: s.suspended_reason,
                ..base
            }),
            Ok(Probe::Tenant(s)) => Event::Row(Row {
                status: if s.suspended { "suspended" } else { "active" },
                drift: drift_of(&s),
                users: Some(s.users),
                portal_users: Some(s.portal_users),
                odoo_version: Some(crate::odoo::series_from_version(&s.version)),
                last_login: s.last_login,
                suspended_at: s.suspended.then_some(s.suspended_at).flatten(),
                suspended_reason: s.suspended.then_some(s.suspended_reason).flatten(),
                ..base
            }),
            Ok(Probe::NotOdoo) if all_dbs => Event::Row(base),
            Ok(Probe::NotOdoo) => continue,
            Err(e) => Event::Error(NodeError {
                node: link.name().to_string(),
                error: format!(
                    "node {} ({}) database {:?}: {e:#}",
                    link.name(),
                    link.node.address(),
                    c.name
                ),
            }),
        };
        // A name no filestore or backup file may be made of, whatever the
        // database holds.
        let ev = match ev {
            Event::Row(row)
                if !crate::transport::host::filestore::SafeName::is_safe(&row.tenant) =>
            {
                Event::Row(Row {
                    status: "unsafe-name",
                    ..row
                })
            }
            ev => ev,
        };
        let _ = tx.send(ev);
    }
    true
}

/// Drift that the listing's one round trip shows (`check` looks at every
/// layer).
fn drift_of(s: &probe::Summary) -> Option<String> {
    let active = s.users + s.portal_users;
    if s.suspended && active > 0 {
        Some(format!("suspended, but {active} users are active"))
    } else if !s.suspended && active == 0 {
        Some("not suspended, but every user is archived".into())
    } else {
        None
    }
}

/// A database the role may not CONNECT to, for `--all-databases`.
fn no_access_row(link: &NodeLink, c: probe::Candidate) -> Row {
    Row {
        node: link.name().to_string(),
        tenant: c.name,
        status: "no-access",
        users: None,
        portal_users: None,
        size_bytes: None,
        odoo_version: None,
        last_login: None,
        suspended_at: None,
        suspended_reason: None,
        blocked: false,
        drift: None,
        via: link.via,
    }
}

fn sort(rows: &mut [Row], by: Sort) {
    // Names compare case-insensitively first, as people read them.
    let tenant = |a: &Row, b: &Row| {
        a.tenant
            .to_lowercase()
            .cmp(&b.tenant.to_lowercase())
            .then(a.tenant.cmp(&b.tenant))
    };
    let name = |a: &Row, b: &Row| tenant(a, b).then(a.node.cmp(&b.node));
    match by {
        Sort::Name => rows.sort_by(name),
        Sort::Node => rows.sort_by(|a, b| a.node.cmp(&b.node).then(tenant(a, b))),
        // Largest / busiest / most recent first; unknown last.
        Sort::Size => rows.sort_by(|a, b| b.size_bytes.cmp(&a.size_bytes).then(name(a, b))),
        Sort::Users => rows.sort_by(|a, b| b.users.cmp(&a.users).then(name(a, b))),
        Sort::LastLogin => rows.sort_by(|a, b| b.last_login.cmp(&a.last_login).then(name(a, b))),
    }
}

fn print(ctx: &Ctx, rows: &[Row], errors: &[NodeError]) {
    let p = &ctx.printer;
    match p.format {
        Output::Json => out_json(&Listing {
            tenants: rows,
            errors,
        }),
        Output::Csv => {
            p.csv_header(&[
                "node",
                "tenant",
                "status",
                "users",
                "portal_users",
                "size_bytes",
                "odoo_version",
                "last_login",
                "suspended_at",
                "suspended_reason",
            ]);
            for r in rows {
                let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
                out(&csv_line(&[
                    r.node.clone(),
                    r.tenant.clone(),
                    r.status.to_string(),
                    num(r.users),
                    num(r.portal_users),
                    num(r.size_bytes),
                    r.odoo_version.clone().unwrap_or_default(),
                    r.last_login.clone().unwrap_or_default(),
                    r.suspended_at.clone().unwrap_or_default(),
                    r.suspended_reason.clone().unwrap_or_default(),
                ]));
            }
        }
        Output::Table => {
            let now = SystemTime::now();
            let mut t = p.table(&[
                Col::key("NODE"),
                Col::key("TENANT"),
                Col::key("STATUS"),
                Col::key("USERS"),
                Col::key("PORTAL").wide(),
                Col::key("SIZE"),
                Col::free("ODOO"),
                Col::key("LAST LOGIN"),
                Col::key("SINCE"),
                Col::free("REASON"),
                Col::key("VIA").wide(),
            ]);
            for r in rows {
                let dash = || "-".to_string();
                let tint = match r.status {
                    "suspended" => Tint::Red,
                    "active" => Tint::Green,
                    _ => Tint::Grey,
                };
                let plain = |s: String| (s, None);
                t.row_tinted([
                    plain(r.node.clone()),
                    plain(r.tenant.clone()),
                    (r.status.to_string(), Some(tint)),
                    plain(r.users.map(|n| n.to_string()).unwrap_or_else(dash)),
                    plain(r.portal_users.map(|n| n.to_string()).unwrap_or_else(dash)),
                    plain(r.size_bytes.map(human_size).unwrap_or_else(dash)),
                    plain(r.odoo_version.clone().unwrap_or_else(dash)),
                    // "never" only when the users were read; a blocked or
                    // unreadable database's last login is not known.
                    plain(
                        r.last_login
                            .as_deref()
                            .map(|t| relative(t, now))
                            .unwrap_or_else(|| {
                                if r.users.is_some() { "never" } else { "?" }.into()
                            }),
                    ),
                    plain(
                        r.suspended_at
                            .as_deref()
                            .map(|t| relative(t, now))
                            .unwrap_or_default(),
                    ),
                    plain(r.suspended_reason.clone().unwrap_or_default()),
                    plain(r.via.to_string()),
                ]);
            }
            // With failing nodes, their errors say why (not "no tenants").
            if !rows.is_empty() {
                p.print_table(&t);
            } else if errors.is_empty() {
                p.info("no tenants");
            }
            if errors.is_empty() {
                p.detail(format!(
                    "{} tenants on {} nodes",
                    rows.len(),
                    ctx.links.len()
                ));
            }
        }
    }
    for e in errors {
        p.error(&e.error);
    }
}
