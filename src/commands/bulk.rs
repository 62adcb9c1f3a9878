//! `tenantctl bulk suspend|reactivate|passwd`: the single-tenant operations
//! over many tenants, each its own transaction with exactly the semantics of
//! the single command (the same pipeline, [`super::pipeline`]), run
//! concurrently within the connection limits. This file is the front:
//! reading the targets, the plan and the confirmation.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use anyhow::anyhow;
use tokio::task::JoinSet;

use super::suspend::check_reason;
use super::Ctx;
use crate::config::{BulkAction, BulkOpts, StatusFilter};
use crate::error::{Error, Result, EXIT_FAILED};
use crate::odoo::probe::{self, Probe};
use crate::odoo::suspension::Restore;
use crate::ops::passwd::Secrets;
use crate::ops::prompt::confirm;
use crate::ops::{failed_to, from};
use crate::ops::{report, run, Action, Filter, Job, Outcome, Report, Secret};
use crate::targetfile;
use crate::targets::{self, Target};

/// The checks on the arguments that need no network.
fn check_args(ctx: &Ctx, o: &BulkOpts) -> Result<Option<targetfile::TargetFile>> {
    let g = &ctx.global;
    let selectors =
        o.pattern.is_some() || o.status.is_some() || !g.nodes.is_empty() || !g.labels.is_empty();
    if o.from.is_none() && !o.all_matching {
        return Err(Error::usage(anyhow!(if selectors {
            "selectors without --from need --all-matching, so that a typo cannot act on a whole fleet (nothing changed)"
        } else {
            "name the targets: --from FILE (or - for stdin), or selectors (--match, --status, --node, --label) with --all-matching"
        })));
    }
    if let BulkAction::Suspend {
        reason: Some(r), ..
    } = &o.action
    {
        check_reason(r).map_err(|e| Error::usage(anyhow!("--reason: {e}")))?;
    }
    let file = match &o.from {
        Some(p) => Some(from::read(ctx, p, &o.layout)?),
        None => None,
    };
    if let (BulkAction::Suspend { reason: None, .. }, Some(f), Some(p)) =
        (&o.action, &file, &o.from)
    {
        let missing: Vec<(Option<usize>, String)> = f
            .lines
            .iter()
            .flatten()
            .filter(|l| l.extra.is_none())
            .map(|l| {
                (
                    Some(l.no),
                    format!(
                        "{} has no reason: give --reason or a reason column",
                        crate::output::esc(&l.spec)
                    ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(from::refuse(ctx, &from::source_name(p), &missing));
        }
    }
    if let (BulkAction::Suspend { reason: None, .. }, None) = (&o.action, &file) {
        return Err(Error::usage(anyhow!(
            "bulk suspend needs --reason (or --from with a reason column)"
        )));
    }
    Ok(file)
}

fn action_of(o: &BulkOpts) -> Result<Action> {
    Ok(match &o.action {
        BulkAction::Suspend { layers, .. } => {
            if let Some(l) = layers {
                crate::odoo::layers::LayerSet::parse(l, crate::odoo::layers::LayerSet::DEFAULT)
                    .map_err(|e| Error::usage(anyhow!("--layers: {e}")))?;
            }
            Action::Suspend {
                layers: layers.clone(),
            }
        }
        BulkAction::Reactivate { all_internal } => Action::Reactivate(if *all_internal {
            Restore::AllInternal
        } else {
            Restore::Recorded
        }),
        BulkAction::Passwd {
            length,
            secrets_file,
            login,
        } => Action::Passwd {
            login: login.clone(),
            secret: Secret::Generate { length: *length },
            secrets: if o.dry_run {
                None
            } else {
                Some(Arc::new(Secrets::create(secrets_file)?))
            },
        },
    })
}

pub async fn run(ctx: &Ctx, o: &BulkOpts) -> Result<u8> {
    let started = Instant::now();
    let matcher = match &o.pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|e| Error::usage(anyhow!("--match {p:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let file = check_args(ctx, o)?;
    let action = action_of(o)?;
    let src = o.from.as_deref().map(from::source_name).unwrap_or_default();
    let lines = file.as_ref().map(|f| f.lines.as_slice());
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let default_reason = match &o.action {
        BulkAction::Suspend { reason, .. } => reason.clone(),
        _ => None,
    };
    let mut jobs = resolve(
        ctx,
        &action,
        lines,
        &src,
        default_reason.clone(),
        o.skip_unreachable,
    )
    .await;
    // --match, then duplicates collapsed (first occurrence kept).
    let mut seen = HashSet::new();
    jobs.retain(|j| match &j.target {
        Some(t) if j.early.is_none() => {
            matcher.as_ref().is_none_or(|m| m.is_match(&t.db))
                && seen.insert((t.link.name().to_string(), t.db.clone()))
        }
        _ => true,
    });
    let filter = select(ctx, o, &mut jobs, lines.is_some(), action.name()).await;
    let Some(waited) = ask(ctx, o, &jobs, action.name())? else {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    };
    let with_reason = matches!(o.action, BulkAction::Suspend { .. })
        || file.as_ref().is_some_and(|f| f.has_reasons);
    let mut failed_to = failed_to::open(ctx, o.failed_to.as_deref(), o.dry_run)?.map(|f| {
        f.source(&src, failed_to::unreadable(lines.unwrap_or_default()))
            .with_reason(with_reason)
    });
    if let Some(f) = &mut failed_to {
        f.jobs(&jobs);
    }
    let name = action.name();
    let mut run = ctx.run(action, log, o.dry_run);
    run.filter = filter;
    let guard = run.guard.clone();
    let reports = run::run_all(ctx, jobs, Arc::new(run), true).await;
    let secs = (started.elapsed() - waited).as_secs_f64();
    let code = report::bulk(
        ctx,
        name.as_str(),
        &reports,
        secs,
        guard.is_some_and(|g| g.interrupted()),
        o.dry_run,
    );
    Ok(match failed_to {
        Some(f) => report::failed_to(ctx, f, name.as_str(), &reports, code),
        None => code,
    })
}

/// Selector runs skip databases that are not Odoo tenants; `--status` needs
/// the state. With a plan to show (confirmation, dry run) that is known
/// first; with `--yes` each tenant is probed on the connection that then
/// runs it (one connection per tenant instead of two): the filter it gets.
async fn select(
    ctx: &Ctx,
    o: &BulkOpts,
    jobs: &mut Vec<Job>,
    from_file: bool,
    op: crate::ops::Op,
) -> Option<Filter> {
    let needs_probe = !from_file || o.status.is_some();
    if needs_probe && (o.dry_run || !o.yes) {
        filter_by_probe(ctx, jobs, o.status, from_file, op).await;
        None
    } else if needs_probe {
        Some(Filter {
            status: o.status,
            from_file,
        })
    } else {
        None
    }
}

/// Prints the plan and asks `[y/N]` (on the terminal when stdin is the
/// target list): the time the answer took, or None when the operator said
/// no.
fn ask(
    ctx: &Ctx,
    o: &BulkOpts,
    jobs: &[Job],
    op: crate::ops::Op,
) -> Result<Option<std::time::Duration>> {
    let targets_n = jobs.iter().filter(|j| j.early.is_none()).count();
    print_plan(ctx, op.as_str(), jobs, o.dry_run);
    if o.dry_run || targets_n == 0 || o.yes {
        return Ok(Some(std::time::Duration::ZERO));
    }
    let t0 = Instant::now();
    let question = format!("{} {targets_n} tenants?", capitalised(op.as_str()));
    let yes = if o.from.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        crate::ops::prompt::confirm_on_tty(&question)?
    } else {
        confirm(&question)?
    };
    Ok(yes.then(|| t0.elapsed()))
}

/// The jobs of a run: the lines of `--from` (each resolved, bad lines failed
/// alone), or every candidate of the selected nodes.
async fn resolve(
    ctx: &Ctx,
    action: &Action,
    lines: Option<&[targetfile::Parsed]>,
    src: &str,
    default_reason: Option<String>,
    skip_unreachable: bool,
) -> Vec<Job> {
    let scans = targets::scan(&ctx.links, &ctx.transport).await;
    let all_nodes: Vec<String> = ctx.inventory.nodes.iter().map(|n| n.name.clone()).collect();
    let name = action.name();
    // Each node that could not be searched, said once (the lines refused or
    // skipped because of it name it without repeating why).
    for s in &scans {
        if let Err(e) = &s.result {
            ctx.printer.warn(format!(
                "node {} could not be searched{}: {e}",
                s.link.name(),
                if skip_unreachable {
                    "; its tenants are skipped (--skip-unreachable)"
                } else {
                    ""
                }
            ));
        }
    }
    let purpose = if skip_unreachable {
        targets::Purpose::BulkSkipUnreachable
    } else {
        targets::Purpose::Bulk
    };
    let unreachable = if skip_unreachable {
        Outcome::Skipped
    } else {
        Outcome::Failed
    };
    let failed = |line: Option<usize>, spec: &str, e: String| {
        let mut r = Report::new(None, spec, name).fail(unreachable, e);
        r.line = line;
        r
    };
    let mut jobs = Vec::new();
    let Some(lines) = lines else {
        for s in &scans {
            match &s.result {
                Ok(cands) => {
                    for c in cands {
                        let t = Target {
                            link: s.link.clone(),
                            db: c.name.clone(),
                        };
                        let spec = t.display();
                        jobs.push(Job::for_target(t, spec, default_reason.clone()));
                    }
                }
                Err(e) => jobs.push(Job {
                    line: None,
                    spec: format!("{}/*", s.link.name()),
                    target: None,
                    reason: None,
                    early: Some(failed(None, &format!("{}/*", s.link.name()), e.clone())),
                    conn: None,
                }),
            }
        }
        return jobs;
    };
    for l in lines {
        jobs.push(line_job(
            l,
            action,
            src,
            &default_reason,
            (&scans, &all_nodes, purpose),
        ));
    }
    jobs
}

/// The job of one line of the `--from` file: its target, or the early
/// report of a line that cannot run (unreadable, unresolved, a bad reason).
fn line_job(
    l: &targetfile::Parsed,
    action: &Action,
    src: &str,
    default_reason: &Option<String>,
    (scans, all_nodes, purpose): (&[targets::Scan], &[String], targets::Purpose),
) -> Job {
    let name = action.name();
    let mut outcome = Outcome::Failed;
    let (no, spec, early, target, reason) = match l {
        Err(bad) => (
            bad.no,
            bad.text.clone(),
            Some(format!("{src}:{}: {}", bad.no, bad.error)),
            None,
            None,
        ),
        Ok(l) => {
            let reason = l.extra.clone().or_else(|| default_reason.clone());
            match targets::resolve_in(&l.spec, scans, all_nodes, purpose) {
                Ok(t) => {
                    let bad = match (action, &reason) {
                        (Action::Suspend { .. }, Some(r)) => check_reason(r).err(),
                        _ => None,
                    };
                    (
                        l.no,
                        l.spec.clone(),
                        bad.map(|e| format!("{src}:{}: {e}", l.no)),
                        Some(t),
                        reason,
                    )
                }
                Err(e) => {
                    outcome = match e {
                        targets::Unresolved::Refused(_) => Outcome::Refused,
                        targets::Unresolved::Skipped(_) => Outcome::Skipped,
                        _ => Outcome::Failed,
                    };
                    (
                        l.no,
                        l.spec.clone(),
                        Some(format!("{src}:{}: {}", l.no, e.message())),
                        None,
                        reason,
                    )
                }
            }
        }
    };
    let early = early.map(|e| {
        let mut r = Report::new(target.as_ref(), &spec, name).fail(outcome, e);
        r.line = Some(no);
        r
    });
    Job {
        line: Some(no),
        spec,
        target: if early.is_none() { target } else { None },
        reason,
        early,
        conn: None,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Probes each target (one connection, one round trip) to drop non-Odoo
/// databases (selector runs) and apply `--status`.
async fn filter_by_probe(
    ctx: &Ctx,
    jobs: &mut Vec<Job>,
    status: Option<StatusFilter>,
    from_file: bool,
    action: crate::ops::Op,
) {
    let mut set = JoinSet::new();
    for (i, j) in jobs.iter().enumerate() {
        if let (Some(t), None) = (j.target.clone(), &j.early) {
            let tr = ctx.transport.clone();
            set.spawn(async move {
                let r = async {
                    let conn = t.link.connect(&t.db, &tr).await?;
                    probe::summary(&conn).await
                }
                .await;
                (i, r)
            });
        }
    }
    let mut drop_idx = HashSet::new();
    while let Some(joined) = set.join_next().await {
        let Ok((i, r)) = joined else { continue };
        let j = &mut jobs[i];
        let fail = |j: &Job, e: String| {
            let mut r = Report::new(j.target.as_ref(), &j.spec, action).fail(Outcome::Failed, e);
            r.line = j.line;
            r
        };
        match r {
            Ok(Probe::NotOdoo) if !from_file => {
                drop_idx.insert(i);
            }
            Ok(Probe::NotOdoo) => {
                j.early = Some(fail(j, format!("{}: not an Odoo database", j.spec)));
            }
            Ok(Probe::Tenant(s)) => {
                let keep = match status {
                    None | Some(StatusFilter::All) => true,
                    Some(StatusFilter::Active) => !s.suspended,
                    Some(StatusFilter::Suspended) => s.suspended,
                };
                if !keep {
                    drop_idx.insert(i);
                }
            }
            // Left to the run, which says why (and reaches a tenant blocked
            // by the connections layer through the node's catalog).
            Err(_) => {}
        }
    }
    let mut i = 0;
    jobs.retain(|_| {
        let keep = !drop_idx.contains(&i);
        i += 1;
        keep
    });
}

/// The plan on stderr: tenants per node and the first few names.
fn print_plan(ctx: &Ctx, action: &str, jobs: &[Job], dry_run: bool) {
    let mut per_node: Vec<(String, Vec<&str>)> = Vec::new();
    for j in jobs {
        if let (Some(t), None) = (&j.target, &j.early) {
            match per_node.iter_mut().find(|(n, _)| n == t.link.name()) {
                Some((_, v)) => v.push(&t.db),
                None => per_node.push((t.link.name().to_string(), vec![&t.db])),
            }
        }
    }
    let total: usize = per_node.iter().map(|(_, v)| v.len()).sum();
    let bad = jobs.iter().filter(|j| j.early.is_some()).count();
    let mut s = format!(
        "{}bulk {action}: {total} tenant{} on {} node{}",
        if dry_run { "dry run: " } else { "" },
        if total == 1 { "" } else { "s" },
        per_node.len(),
        if per_node.len() == 1 { "" } else { "s" }
    );
    for (n, v) in &per_node {
        let first: Vec<String> = v
            .iter()
            .take(5)
            .map(|d| crate::output::esc(d).into_owned())
            .collect();
        s.push_str(&format!(
            "\n  {n}: {} ({}{})",
            v.len(),
            first.join(", "),
            if v.len() > 5 { ", …" } else { "" }
        ));
    }
    if bad > 0 {
        s.push_str(&format!(
            "\n  {bad} entr{} cannot be run:",
            if bad == 1 { "y" } else { "ies" }
        ));
        for j in jobs {
            if let Some(e) = j.early.as_ref().and_then(|r| r.error.as_deref()) {
                s.push_str(&format!("\n    {}", crate::output::esc(e)));
            }
        }
    }
    ctx.printer.info(s);
}
