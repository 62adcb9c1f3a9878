//! `tenantctl health`: what is quietly broken inside every tenant (issue
//! 26). Read-only, built as `list`: nodes and tenants in parallel within the
//! connection limits, one connection and one round trip per tenant
//! (`odoo::health::read`), plus one statement per node on its maintenance
//! database for PostgreSQL's own figures (`odoo::health::pg`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use anyhow::anyhow;
use tokio::task::JoinSet;

use super::Ctx;
use crate::config::HealthOpts;
use crate::error::{Error, Result, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL};
use crate::model::Health;
use crate::odoo::health::{self as h, pg::DbFigures};
use crate::output::health::{HealthError, Summary, TenantHealth};
use crate::targets::{node_databases, split_spec};
use crate::transport::{NodeLink, Transport};

/// Which tenants: `TENANT`/`NODE/TENANT` arguments and `--match`.
struct Filter {
    specs: Vec<(Option<String>, String)>,
    glob: Option<globset::GlobMatcher>,
}

impl Filter {
    fn wants(&self, node: &str, db: &str) -> bool {
        self.glob.as_ref().is_none_or(|g| g.is_match(db))
            && (self.specs.is_empty()
                || self
                    .specs
                    .iter()
                    .any(|(n, t)| t == db && n.as_deref().is_none_or(|n| n == node)))
    }
}

/// What one node gave.
#[derive(Default)]
struct NodeResult {
    rows: Vec<TenantHealth>,
    errors: Vec<HealthError>,
    xid: Vec<(String, String, i64)>,
}

pub async fn run(ctx: &Ctx, opts: &HealthOpts) -> Result<u8> {
    let t0 = Instant::now();
    let filter = Arc::new(filter(ctx, opts)?);
    let mut set = JoinSet::new();
    for link in &ctx.links {
        let th = thresholds(&link.node.health, &opts.set, link.name())?;
        let (link, t, filter) = (link.clone(), ctx.transport.clone(), filter.clone());
        set.spawn(async move { check_node(&link, &t, &filter, Arc::new(th)).await });
    }
    let mut all = NodeResult::default();
    while let Some(j) = set.join_next().await {
        let mut r = j.map_err(|e| Error::failed(anyhow!("a node's task failed: {e}")))?;
        all.rows.append(&mut r.rows);
        all.errors.append(&mut r.errors);
        all.xid.append(&mut r.xid);
    }
    let NodeResult {
        mut rows,
        mut errors,
        mut xid,
    } = all;
    missing_specs(&filter, &rows, &errors)?;
    rows.sort_by(|a, b| (b.severity, &a.node, &a.tenant).cmp(&(a.severity, &b.node, &b.tenant)));
    errors.sort_by(|a, b| (&a.node, &a.tenant).cmp(&(&b.node, &b.tenant)));
    xid.sort();
    let unhealthy = rows
        .iter()
        .filter(|r| !r.report.findings.is_empty())
        .count();
    let summary = Summary {
        tenants: rows.len(),
        healthy: rows.len() - unhealthy,
        unhealthy,
        errors: errors.len(),
        duration_seconds: t0.elapsed().as_secs_f64(),
    };
    let nodes: Vec<String> = ctx.links.iter().map(|l| l.name().to_string()).collect();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let prom = crate::output::health::prometheus(&rows, &errors, &nodes, &xid, &summary, now);
    if let Some(path) = &opts.textfile {
        crate::output::prometheus::write_atomic(path, &prom)
            .map_err(|e| Error::failed(anyhow!("--textfile {}: {e}", path.display())))?;
        ctx.printer.detail(format!("wrote {}", path.display()));
    }
    if opts.prometheus {
        crate::output::out(prom.trim_end());
        for e in &errors {
            ctx.printer.error(&e.error);
        }
    } else {
        crate::output::health::print(&ctx.printer, &rows, &errors, &summary);
    }
    Ok(verdict(&summary))
}

/// 0 every tenant healthy; 3 some unhealthy or not checked; 1 nothing
/// could be checked (every node down, every tenant failed).
fn verdict(s: &Summary) -> u8 {
    if s.errors > 0 && s.tenants == 0 {
        EXIT_FAILED
    } else if s.errors > 0 || s.unhealthy > 0 {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }
}

fn filter(ctx: &Ctx, opts: &HealthOpts) -> Result<Filter> {
    let glob = match &opts.pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|e| Error::usage(anyhow!("--match {p:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let mut specs = Vec::new();
    for s in &opts.tenants {
        crate::targets::check_name(s)?;
        let (n, t) = split_spec(s, &ctx.links);
        specs.push((n.map(str::to_string), t.to_string()));
    }
    Ok(Filter { specs, glob })
}

/// A node's `[health]` with `--set` over it.
fn thresholds(base: &Health, set: &[(String, String)], node: &str) -> Result<Health> {
    let mut th = base.clone();
    for (k, v) in set {
        th.set(k, v)
            .map_err(|e| Error::usage(anyhow!("--set {k}={v}: {e}")))?;
    }
    th.check()
        .map_err(|e| Error::usage(anyhow!("node {node}: health thresholds: {e}")))?;
    Ok(th)
}

/// A named tenant found on no node that answered (when every node
/// answered: a usage error, as for the other commands).
fn missing_specs(f: &Filter, rows: &[TenantHealth], errors: &[HealthError]) -> Result<()> {
    if errors.iter().any(|e| e.tenant.is_none()) {
        return Ok(());
    }
    for (n, t) in &f.specs {
        let seen = rows
            .iter()
            .any(|r| &r.tenant == t && n.as_deref().is_none_or(|n| n == r.node))
            || errors
                .iter()
                .any(|e| e.tenant.as_deref() == Some(t.as_str()));
        if !seen {
            return Err(Error::target(anyhow!(
                "no tenant {:?}{} on the selected nodes",
                crate::output::esc(t),
                n.as_ref()
                    .map(|n| format!(" on node {n}"))
                    .unwrap_or_default()
            )));
        }
    }
    Ok(())
}

async fn check_node(
    link: &Arc<NodeLink>,
    t: &Arc<Transport>,
    f: &Filter,
    th: Arc<Health>,
) -> NodeResult {
    let mut res = NodeResult::default();
    let node = link.name().to_string();
    // PostgreSQL's figures are read next to the node's listing, before the
    // tenants: they say which databases have a transaction old enough for
    // a job to be held too long (only those get that statement).
    let figures = async {
        let c = link.connect(&link.node.maintenance_db, t).await?;
        h::pg::read(&c, c.deadline, &th).await
    };
    let (cands, figures) = tokio::join!(
        node_databases(link, t, crate::odoo::probe::Sizes::Without),
        figures
    );
    let cands = match cands {
        Ok(c) => c,
        Err(e) => {
            res.errors.push(HealthError {
                node,
                tenant: None,
                error: format!("{e:#}"),
            });
            return res;
        }
    };
    let figures: BTreeMap<String, DbFigures> = match figures {
        Ok(f) => f,
        Err(e) => {
            res.errors.push(HealthError {
                node: node.clone(),
                tenant: Some(link.node.maintenance_db.clone()),
                error: format!("PostgreSQL's figures (pg.* checks): {e:#}"),
            });
            BTreeMap::new()
        }
    };
    let figures = Arc::new(figures);
    let mut set = JoinSet::new();
    for c in cands
        .into_iter()
        .filter(|c| c.connect && f.wants(&node, &c.name))
    {
        let (link, t, th) = (link.clone(), t.clone(), th.clone());
        // Without the node's figures: read it (as if it had one).
        let running = figures.get(&c.name).is_none_or(|f| f.long_xacts > 0);
        set.spawn(async move {
            let r = check_tenant(&link, &t, &c, &th, running).await;
            (c.name, r)
        });
    }
    let mut done = Vec::new();
    while let Some(j) = set.join_next().await {
        if let Ok(x) = j {
            done.push(x);
        }
    }
    for (name, r) in done.drain(..) {
        match r {
            Ok(Some(mut row)) => {
                let fig = figures.get(&name);
                if let Some(fg) = fig {
                    res.xid.push((node.clone(), name.clone(), fg.xid_age));
                }
                row.report.add_pg(fig, &th, &name);
                row.severity = row.report.worst();
                row.status = if row.report.findings.is_empty() {
                    "healthy"
                } else {
                    "unhealthy"
                };
                res.rows.push(row);
            }
            Ok(None) => {}
            Err(e) => res.errors.push(HealthError {
                node: node.clone(),
                tenant: Some(name),
                error: format!("{e:#}"),
            }),
        }
    }
    res
}

/// One tenant's row before the `pg.*` checks; `None`: not an Odoo database.
async fn check_tenant(
    link: &NodeLink,
    t: &Transport,
    c: &crate::odoo::probe::Candidate,
    th: &Health,
    running: bool,
) -> anyhow::Result<Option<TenantHealth>> {
    let mut row = TenantHealth {
        node: link.name().to_string(),
        tenant: c.name.clone(),
        status: "healthy",
        odoo_version: None,
        suspended: false,
        blocked: false,
        severity: None,
        report: h::Report::default(),
    };
    // Blocked by the connections layer: nothing inside can be read (and
    // nothing runs there); PostgreSQL's figures still apply.
    if c.blocked.is_some() {
        row.suspended = true;
        row.blocked = true;
        return Ok(Some(row));
    }
    // Blocked while `upgrade` works on a copy: nothing to read now.
    if c.upgrading.is_some() {
        row.blocked = true;
        return Ok(Some(row));
    }
    let conn = link.connect(&c.name, t).await?;
    let read = match h::read(&conn, conn.deadline, th, running).await? {
        h::Tenant::NotOdoo => return Ok(None),
        h::Tenant::Odoo(r) => r,
    };
    let rep = h::evaluate(
        &read,
        &h::Context {
            th,
            tenant: &c.name,
            base_url: link.node.lifecycle.base_url.as_deref(),
            now: SystemTime::now(),
        },
    );
    row.odoo_version = Some(crate::odoo::series_from_version(read.version()));
    row.suspended = read.suspended();
    row.report = rep;
    Ok(Some(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(tenants: usize, unhealthy: usize, errors: usize) -> Summary {
        Summary {
            tenants,
            healthy: tenants - unhealthy,
            unhealthy,
            errors,
            duration_seconds: 0.0,
        }
    }

    #[test]
    fn exit_codes() {
        assert_eq!(verdict(&summary(3, 0, 0)), EXIT_OK);
        assert_eq!(verdict(&summary(0, 0, 0)), EXIT_OK);
        assert_eq!(verdict(&summary(3, 1, 0)), EXIT_PARTIAL);
        assert_eq!(verdict(&summary(3, 0, 1)), EXIT_PARTIAL);
        // Every node down, or every tenant failed: nothing checked.
        assert_eq!(verdict(&summary(0, 0, 2)), EXIT_FAILED);
    }

    #[test]
    fn filters_by_name_node_and_glob() {
        let f = Filter {
            specs: vec![(None, "acme".into()), (Some("pg2".into()), "globex".into())],
            glob: None,
        };
        assert!(f.wants("pg1", "acme") && f.wants("pg2", "globex"));
        assert!(!f.wants("pg1", "globex") && !f.wants("pg1", "initech"));
        let g = Filter {
            specs: vec![],
            glob: Some(globset::Glob::new("a*").unwrap().compile_matcher()),
        };
        assert!(g.wants("pg1", "acme") && !g.wants("pg1", "globex"));
    }
}
