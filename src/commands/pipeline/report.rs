//! The report stage: one JSON object or line for a single command, a table
//! and a summary for bulk; the exit code from [`super::verdict`].

use serde::Serialize;

use super::{verdict, Outcome, Report, Summary};
use crate::commands::Ctx;
use crate::config::Output;
use crate::output::{csv_line, out, out_json, Col, Tint};

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

#[derive(Serialize)]
struct Doc<'a> {
    results: &'a [Report],
    summary: &'a Summary,
    dry_run: bool,
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
    let p = &ctx.printer;
    match p.format {
        Output::Json => out_json(&Doc {
            results: reports,
            summary: &sum,
            dry_run,
        }),
        Output::Csv => {
            out(&csv_line(&[
                "line", "node", "tenant", "action", "outcome", "users", "error",
            ]));
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
        Output::Table => {
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
    }
    for r in reports {
        if let Some(e) = &r.audit_error {
            p.error(e);
        }
    }
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
    let line = if dry_run {
        format!(
            "dry run: bulk {action}: {} would change, {} unchanged, {} failed{others}; nothing changed ({secs:.1}s)",
            sum.would_change, sum.unchanged, sum.failed
        )
    } else {
        format!(
            "bulk {action}: {} changed, {} unchanged, {} failed{others} of {} in {secs:.1}s",
            sum.changed,
            sum.unchanged,
            sum.failed,
            reports.len()
        )
    };
    if sum.problems() + sum.refused > 0 {
        p.error(&line);
    } else {
        p.info(format!("tenantctl: {line}"));
    }
    verdict(&sum, interrupted)
}
