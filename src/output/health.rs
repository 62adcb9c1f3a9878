//! What `tenantctl health` prints: the table of unhealthy tenants (`-o
//! wide` adds the healthy ones), one line per finding under `-q`, the JSON
//! document (schema in README, "health"), CSV of the findings and the
//! Prometheus exposition.

use serde::Serialize;

use super::prometheus::Exposition;
use super::{csv_line, out, out_json, Col, Printer, Tint};
use crate::odoo::health::{Report, Severity, CHECKS};

/// One tenant's result (a JSON object of `tenants`).
#[derive(Debug, Clone, Serialize)]
pub struct TenantHealth {
    pub node: String,
    pub tenant: String,
    /// healthy | unhealthy
    pub status: &'static str,
    pub odoo_version: Option<String>,
    pub suspended: bool,
    /// Suspended with the `connections` layer: only PostgreSQL's figures.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// The worst finding's severity (none when healthy).
    pub severity: Option<Severity>,
    /// `checked`, `not_applicable`, `findings`.
    #[serde(flatten)]
    pub report: Report,
}

/// A node or a tenant that could not be checked.
#[derive(Debug, Clone, Serialize)]
pub struct HealthError {
    pub node: String,
    /// None: the whole node.
    pub tenant: Option<String>,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tenants: usize,
    pub healthy: usize,
    pub unhealthy: usize,
    pub errors: usize,
    pub duration_seconds: f64,
}

#[derive(Serialize)]
struct Document<'a> {
    tenants: &'a [TenantHealth],
    errors: &'a [HealthError],
    summary: &'a Summary,
}

pub fn print(p: &Printer, rows: &[TenantHealth], errors: &[HealthError], s: &Summary) {
    match p.format {
        super::Output::Json => out_json(&Document {
            tenants: rows,
            errors,
            summary: s,
        }),
        super::Output::Csv => {
            p.csv_header(&["node", "tenant", "severity", "check", "evidence", "fix"]);
            for r in rows {
                for f in &r.report.findings {
                    out(&csv_line(&[
                        r.node.as_str(),
                        r.tenant.as_str(),
                        f.severity.name(),
                        f.check,
                        f.evidence.as_str(),
                        f.fix.as_deref().unwrap_or(""),
                    ]));
                }
            }
        }
        super::Output::Table if p.quiet => {
            for r in rows {
                for f in &r.report.findings {
                    out(&super::esc(&format!(
                        "{}/{}: {} {}: {}",
                        r.node,
                        r.tenant,
                        f.severity.name(),
                        f.check,
                        f.evidence
                    )));
                }
            }
        }
        super::Output::Table => table(p, rows, errors, s),
    }
    for e in errors {
        p.error(match &e.tenant {
            Some(t) => format!("node {} database {t:?}: {}", e.node, e.error),
            None => format!("node {}: {}", e.node, e.error),
        });
    }
}

fn table(p: &Printer, rows: &[TenantHealth], errors: &[HealthError], s: &Summary) {
    let mut t = p.table(&[
        Col::key("NODE"),
        Col::key("TENANT"),
        Col::key("SEVERITY"),
        Col::key("CHECK"),
        Col::free("EVIDENCE"),
        Col::free("FIX").wide(),
    ]);
    for r in rows {
        if r.report.findings.is_empty() {
            if p.wide {
                t.row_tinted([
                    (r.node.clone(), None),
                    (r.tenant.clone(), None),
                    ("ok".to_string(), Some(Tint::Green)),
                    ("-".to_string(), None),
                    (
                        format!(
                            "{} checks passed, {} n/a{}",
                            r.report.checked.len(),
                            r.report.not_applicable.len(),
                            if r.suspended { " (suspended)" } else { "" }
                        ),
                        None,
                    ),
                    (String::new(), None),
                ]);
            }
            continue;
        }
        for f in &r.report.findings {
            let tint = match f.severity {
                Severity::Critical => Tint::Red,
                Severity::Warning => Tint::Grey,
            };
            t.row_tinted([
                (r.node.clone(), None),
                (r.tenant.clone(), None),
                (f.severity.name().to_string(), Some(tint)),
                (f.check.to_string(), None),
                (f.evidence.clone(), None),
                (f.fix.clone().unwrap_or_default(), None),
            ]);
        }
    }
    p.print_table(&t);
    if s.tenants == 0 && errors.is_empty() {
        p.info("no tenants");
    } else {
        p.info(format!(
            "{} tenants checked: {} healthy, {} unhealthy{} in {:.2}s",
            s.tenants,
            s.healthy,
            s.unhealthy,
            if s.errors > 0 {
                format!(", {} could not be checked", s.errors)
            } else {
                String::new()
            },
            s.duration_seconds
        ));
    }
}

/// The Prometheus exposition of a run: per tenant and check a status
/// gauge (0 healthy, 1 warning, 2 critical; checks that do not apply are
/// absent), per tenant the worst status, the transaction-id age and
/// whether it is suspended, per node whether it could be checked and its
/// errors, and the run's duration and time.
pub fn prometheus(
    rows: &[TenantHealth],
    errors: &[HealthError],
    nodes: &[String],
    xid_ages: &[(String, String, i64)],
    s: &Summary,
    now_secs: f64,
) -> String {
    let level = |sev: Option<Severity>| match sev {
        None => 0.0,
        Some(Severity::Warning) => 1.0,
        Some(Severity::Critical) => 2.0,
    };
    let who = |r: &TenantHealth| vec![("node", r.node.clone()), ("tenant", r.tenant.clone())];
    let mut checks = Vec::new();
    for r in rows {
        for c in CHECKS.iter().filter(|c| r.report.checked.contains(c)) {
            let worst = r
                .report
                .findings
                .iter()
                .filter(|f| f.check == *c)
                .map(|f| f.severity)
                .max();
            let mut l = who(r);
            l.push(("check", c.to_string()));
            checks.push((l, level(worst)));
        }
    }
    let mut e = Exposition::default();
    e.gauge(
        "tenantctl_health_check_status",
        "Health check of a tenant: 0 healthy, 1 warning, 2 critical; absent when the check does not apply.",
        &checks,
    );
    let per = |f: &dyn Fn(&TenantHealth) -> f64| -> Vec<(Vec<(&str, String)>, f64)> {
        rows.iter().map(|r| (who(r), f(r))).collect()
    };
    e.gauge(
        "tenantctl_health_tenant_status",
        "Worst finding of a tenant: 0 healthy, 1 warning, 2 critical.",
        &per(&|r| level(r.severity)),
    );
    e.gauge(
        "tenantctl_health_tenant_suspended",
        "1 when the tenant is suspended (only what contradicts the suspension is checked).",
        &per(&|r| f64::from(u8::from(r.suspended))),
    );
    let xid: Vec<_> = xid_ages
        .iter()
        .map(|(n, t, a)| (vec![("node", n.clone()), ("tenant", t.clone())], *a as f64))
        .collect();
    e.gauge(
        "tenantctl_health_xid_age",
        "age(datfrozenxid) of the tenant's database (transaction ids wrap around at 2^31).",
        &xid,
    );
    let node_errors: Vec<_> = nodes
        .iter()
        .map(|n| {
            let k = errors.iter().filter(|e| &e.node == n).count();
            (vec![("node", n.clone())], k as f64)
        })
        .collect();
    e.gauge(
        "tenantctl_health_errors",
        "Tenants of the node that could not be checked (the whole node: 1 and node_up 0).",
        &node_errors,
    );
    let up: Vec<_> = nodes
        .iter()
        .map(|n| {
            let down = errors.iter().any(|e| &e.node == n && e.tenant.is_none());
            (vec![("node", n.clone())], if down { 0.0 } else { 1.0 })
        })
        .collect();
    e.gauge(
        "tenantctl_health_node_up",
        "1 when the node's tenants could be listed.",
        &up,
    );
    e.gauge(
        "tenantctl_health_scrape_duration_seconds",
        "Wall time of the health run.",
        &[(vec![], s.duration_seconds)],
    );
    e.gauge(
        "tenantctl_health_last_run_timestamp_seconds",
        "When the health run ended (Unix time): a textfile older than its cron interval is stale.",
        &[(vec![], now_secs)],
    );
    e.text().to_string()
}
