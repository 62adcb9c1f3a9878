//! The report stage: one JSON object or line for a single command, a table
//! and a summary for bulk; the exit code from [`super::verdict`].

use serde::Serialize;

use super::{verdict, Details, Op, Outcome, Plan, Report, Summary};
use crate::config::Output;
use crate::ops::Ctx;
use crate::output::{csv_line, out, out_json, Col, Tint};
use crate::transport::Via;

/// Prints a single command's result and returns the exit code.
/// `secret_on_stdout`: a generated password went to stdout alone, so the
/// sentence goes to stderr.
pub fn single(ctx: &Ctx, r: &Report, interrupted: bool, secret_on_stdout: bool) -> u8 {
    let s = Summary::of(std::slice::from_ref(r));
    match ctx.printer.format {
        Output::Json => out_json(r),
        _ => {
            if r.outcome.is_ok() {
                // A generated password is alone on stdout; its sentence goes
                // to stderr.
                if secret_on_stdout {
                    ctx.printer.info(&r.message);
                } else {
                    out(&crate::output::esc_lines(&r.message));
                }
            }
        }
    }
    if !r.outcome.is_ok() {
        ctx.printer.error(r.error.as_deref().unwrap_or(&r.message));
    }
    for w in &r.warnings {
        ctx.printer.warn(w);
    }
    if let Some(e) = &r.audit_error {
        ctx.printer.error(e);
    }
    verdict(&s, interrupted)
}

/// A report's JSON object (README, "JSON output"): the common fields, a
/// passwd's or a copy's `login`, a write on users' fields, the `plan` and
/// `audit_error`, then a lifecycle write's fields.
#[derive(Serialize)]
struct Json<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    node: &'a Option<String>,
    tenant: &'a str,
    action: Op,
    outcome: Outcome,
    users: usize,
    error: &'a Option<String>,
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<Via>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    login: Option<&'a str>,
    #[serde(flatten)]
    on_users: Option<&'a Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'a Plan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit_error: Option<&'a str>,
    #[serde(flatten)]
    lifecycle: Option<&'a Details>,
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let on_users = self.details.on_users();
        Json {
            line: self.line,
            node: &self.node,
            tenant: &self.tenant,
            action: self.action,
            outcome: self.outcome,
            users: self.users,
            error: &self.error,
            warnings: &self.warnings,
            via: self.via,
            dry_run: self.dry_run,
            login: self.details.login(),
            on_users: on_users.then_some(&self.details),
            plan: self.plan.as_ref(),
            audit_error: self.audit_error.as_deref(),
            lifecycle: (!on_users).then_some(&self.details),
        }
        .serialize(s)
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    results: &'a [Report],
    summary: &'a Summary,
    /// Per node, in the order the nodes first appear in the results; rows
    /// without a node (unknown tenants, bad lines) under `"node": null`.
    nodes: &'a [NodeSummary],
    /// The run's time, the wait at `[y/N]` excluded.
    secs: f64,
    dry_run: bool,
}

/// The counts and the time of one node's targets.
#[derive(Debug, Serialize)]
pub struct NodeSummary {
    pub node: Option<String>,
    /// Results of this node.
    pub targets: usize,
    #[serde(flatten)]
    pub counts: Summary,
    /// From the start of the run stage to this node's last result; null
    /// when unknown (rows that never ran).
    pub secs: Option<f64>,
    /// Targets run (not skipped) per second over `secs`.
    pub per_sec: Option<f64>,
}

/// Targets that ran (a result other than `skipped`, past the resolution).
fn ran(r: &Report) -> bool {
    r.elapsed.is_some() && r.outcome != Outcome::Skipped
}

fn rate(n: usize, secs: f64) -> Option<f64> {
    (secs > 0.0 && n > 0).then(|| n as f64 / secs)
}

/// Per-node summaries, nodes in order of first appearance, the node-less
/// rows last.
pub fn per_node(reports: &[Report]) -> Vec<NodeSummary> {
    let mut keys: Vec<Option<&str>> = Vec::new();
    for r in reports {
        let k = r.node.as_deref();
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort_by_key(|k| k.is_none());
    keys.into_iter()
        .map(|k| {
            let rs: Vec<Report> = reports
                .iter()
                .filter(|r| r.node.as_deref() == k)
                .cloned()
                .collect();
            let secs = rs
                .iter()
                .filter_map(|r| r.elapsed)
                .max()
                .map(|d| d.as_secs_f64());
            let n_ran = rs.iter().filter(|r| ran(r)).count();
            NodeSummary {
                node: k.map(str::to_string),
                targets: rs.len(),
                counts: Summary::of(&rs),
                secs,
                per_sec: secs.and_then(|s| rate(n_ran, s)),
            }
        })
        .collect()
}

/// `16 changed, 0 unchanged, 0 failed, 0 skipped, 0 unknown` (+ the other
/// outcomes when there are any).
fn counts_text(s: &Summary, dry_run: bool) -> String {
    let mut parts = vec![if dry_run {
        format!("{} would change", s.would_change)
    } else {
        changed_text(s)
    }];
    parts.push(format!("{} unchanged", s.unchanged));
    parts.push(format!("{} failed", s.failed));
    parts.push(format!("{} skipped", s.skipped));
    parts.push(format!("{} unknown", s.unknown));
    for (k, n) in [
        ("refused", s.refused),
        ("not-signalled", s.not_signalled),
        ("drift", s.drift),
    ] {
        if n > 0 {
            parts.push(format!("{n} {k}"));
        }
    }
    parts.join(", ")
}

/// `N changed`, or `N upgraded` for `upgrade` (both when a run has both).
fn changed_text(s: &Summary) -> String {
    match (s.changed, s.upgraded) {
        (c, None) | (c @ 1.., Some(0)) => format!("{c} changed"),
        (0, Some(u)) => format!("{u} upgraded"),
        (c, Some(u)) => format!("{c} changed, {u} upgraded"),
    }
}

fn time_text(secs: Option<f64>, per_sec: Option<f64>) -> String {
    match (secs, per_sec) {
        (Some(s), Some(r)) => format!(" in {s:.1}s ({r:.1}/s)"),
        (Some(s), None) => format!(" in {s:.1}s"),
        _ => String::new(),
    }
}

/// Prints bulk results in input order and the summary; returns the exit code.
pub fn bulk(
    ctx: &Ctx,
    action: &str,
    reports: &[Report],
    secs: f64,
    interrupted: bool,
    dry_run: bool,
) -> u8 {
    let sum = Summary::of(reports);
    let nodes = per_node(reports);
    let p = &ctx.printer;
    match p.format {
        Output::Json => out_json(&Doc {
            results: reports,
            summary: &sum,
            nodes: &nodes,
            secs,
            dry_run,
        }),
        Output::Csv => bulk_csv(p, reports),
        Output::Table => bulk_table(p, reports),
    }
    for r in reports {
        if let Some(e) = &r.audit_error {
            p.error(e);
        }
    }
    let lines = summary_lines(action, reports, &sum, &nodes, secs, dry_run);
    let problems = sum.problems() + sum.refused > 0;
    for l in lines {
        if problems {
            p.error(&l);
        } else {
            p.info(format!("tenantctl: {l}"));
        }
    }
    verdict(&sum, interrupted)
}

/// Writes a run's `--failed-to` file (see [`super::failed_to`]) and says
/// so; the exit code: `code`, or 1 instead of 0 when it could not be
/// written.
pub(crate) fn failed_to(
    ctx: &Ctx,
    f: super::failed_to::Rerun,
    action: &str,
    reports: &[Report],
    code: u8,
) -> u8 {
    let text = f.text(action, reports);
    let path = crate::output::esc(&f.path().display().to_string()).into_owned();
    match f.commit(&text.text) {
        Ok(()) => {
            ctx.printer.info(format!(
                "tenantctl: --failed-to {path}: {} target{} to rerun",
                text.targets,
                if text.targets == 1 { "" } else { "s" }
            ));
            code
        }
        Err(e) => {
            ctx.printer.error(format!("--failed-to {path}: {e}"));
            if code == crate::error::EXIT_OK {
                crate::error::EXIT_FAILED
            } else {
                code
            }
        }
    }
}

/// `--failed-to` with `--dry-run`: nothing is run, so nothing is written.
pub(crate) fn failed_to_dry_run(ctx: &Ctx) {
    ctx.printer
        .info("--failed-to: not written by a dry run (nothing is run)");
}

/// Bulk results as CSV, in input order.
fn bulk_csv(p: &crate::output::Printer, reports: &[Report]) {
    p.csv_header(&[
        "line", "node", "tenant", "action", "outcome", "users", "error",
    ]);
    for r in reports {
        out(&csv_line(&[
            r.line.map(|l| l.to_string()).unwrap_or_default(),
            r.node.clone().unwrap_or_default(),
            r.tenant.clone(),
            r.action.to_string(),
            r.outcome.as_str().to_string(),
            r.users.to_string(),
            r.error.clone().unwrap_or_default(),
        ]));
    }
}

/// Bulk results as a table, in input order.
fn bulk_table(p: &crate::output::Printer, reports: &[Report]) {
    let mut t = p.table(&[
        Col::key("NODE"),
        Col::key("TENANT"),
        Col::key("OUTCOME"),
        Col::key("USERS"),
        Col::free("ERROR"),
        Col::key("LINE").wide(),
    ]);
    for r in reports {
        let tint = match r.outcome {
            o if o.is_ok() && o != Outcome::Unchanged => Some(Tint::Green),
            Outcome::Unchanged => None,
            _ => Some(Tint::Red),
        };
        t.row_tinted([
            (r.node.clone().unwrap_or_else(|| "-".into()), None),
            (r.tenant.clone(), None),
            (r.outcome.as_str().to_string(), tint),
            (r.users.to_string(), None),
            (r.error.clone().unwrap_or_default(), None),
            (r.line.map(|l| l.to_string()).unwrap_or_default(), None),
        ]);
    }
    p.print_table(&t);
}

/// The summary of a bulk run: its line, then one per node.
fn summary_lines(
    action: &str,
    reports: &[Report],
    sum: &Summary,
    nodes: &[NodeSummary],
    secs: f64,
    dry_run: bool,
) -> Vec<String> {
    let others = [
        ("refused", sum.refused),
        ("unknown", sum.unknown),
        ("not-signalled", sum.not_signalled),
        ("drift", sum.drift),
        ("skipped", sum.skipped),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!(", {n} {k}"))
    .collect::<String>();
    let n_ran = reports.iter().filter(|r| ran(r)).count();
    let per_sec = rate(n_ran, secs)
        .map(|r| format!(" ({r:.1}/s)"))
        .unwrap_or_default();
    let line = if dry_run {
        format!(
            "dry run: bulk {action}: {} would change, {} unchanged, {} failed{others}; nothing changed ({secs:.1}s)",
            sum.would_change, sum.unchanged, sum.failed
        )
    } else {
        format!(
            "bulk {action}: {}, {} unchanged, {} failed{others} of {} in {secs:.1}s{per_sec}",
            changed_text(sum),
            sum.unchanged,
            sum.failed,
            reports.len()
        )
    };
    let mut lines = vec![line];
    for n in nodes {
        let name = match &n.node {
            Some(n) => n.clone(),
            None => "(no node)".into(),
        };
        lines.push(format!(
            "  {name}: {} target{}: {}{}",
            n.targets,
            if n.targets == 1 { "" } else { "s" },
            counts_text(&n.counts, dry_run),
            time_text(n.secs, n.per_sec)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(r: &Report) -> Vec<String> {
        let s = serde_json::to_string(r).unwrap();
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&s).unwrap();
        // serde_json's Map is sorted without `preserve_order`: read the
        // order from the text.
        let mut ks: Vec<(usize, String)> = v
            .keys()
            .map(|k| (s.find(&format!("\"{k}\":")).unwrap(), k.clone()))
            .collect();
        ks.sort();
        ks.into_iter().map(|(_, k)| k).collect()
    }

    /// The JSON order of the README: a write on users' fields (a passwd's
    /// or a copy's login first) before the plan and the audit error, a
    /// lifecycle write's after them.
    #[test]
    fn json_field_order() {
        let common = "node tenant action outcome users error warnings";
        let mut r = Report::new(None, "t", Op::Passwd).would(Plan::new("p"));
        r.details.passwd().login = Some("admin".into());
        r.details.set_signal(Op::Passwd, "s");
        r.audit_error = Some("e".into());
        let want = format!("{common} dry_run login signal plan audit_error");
        assert_eq!(keys(&r).join(" "), want);

        let mut r = Report::new(None, "t", Op::Reactivate).would(Plan::new("p"));
        r.details.set_signal(Op::Reactivate, "s");
        r.details.connections_switched(Op::Reactivate);
        r.details.reactivate().missing_users = Some(vec![]);
        r.details.reactivate().excluded_users = Some(vec![]);
        let want = format!("{common} dry_run missing_users excluded_users signal layers plan");
        assert_eq!(keys(&r).join(" "), want);

        let mut r = Report::new(None, "t", Op::Suspend);
        r.details.connections_switched(Op::Suspend);
        r.details.suspend().suspended_reason = Some("x".into());
        r.details.set_signal(Op::Suspend, "s");
        r.audit_error = Some("e".into());
        let want = format!("{common} signal suspended_reason layers audit_error");
        assert_eq!(keys(&r).join(" "), want);

        let mut r = Report::new(None, "t", Op::Create).would(Plan::new("p"));
        r.details.copy().from = "tmpl".into();
        r.details.copy().login = Some("boss".into());
        r.audit_error = Some("e".into());
        let want = format!("{common} dry_run login plan audit_error from");
        assert_eq!(keys(&r).join(" "), want);
    }
}
