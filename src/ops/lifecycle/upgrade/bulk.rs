//! `bulk upgrade --from FILE -u MODULES [--canary N] [--per-node N]`: each
//! tenant as the single command does it, a few of each node at once in
//! file order (`--per-node`, else the node's `odoo.max_parallel`: Odoo's
//! runs are heavy on the host that runs them), one confirmation for the
//! run; with `--canary N`, the first N are upgraded before any other
//! starts, and when one of them is not upgraded the rest are skipped.

use std::sync::atomic::{AtomicBool, Ordering};

use super::*;

#[allow(clippy::too_many_arguments)]
pub(in crate::ops::lifecycle) async fn bulk_upgrade(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    from: &crate::config::UpgradeTargets,
    layout: &crate::targetfile::Layout,
    u: &UpgradeOpts,
    canary: Option<usize>,
    per_node: Option<usize>,
    failed_to: Option<&std::path::Path>,
) -> Result<u8> {
    let selector = matches!(from, crate::config::UpgradeTargets::AllMatching(_));
    let (jobs, unreadable) = match from {
        crate::config::UpgradeTargets::From(f) => bulk_jobs(ctx, f, layout, Op::Upgrade)?,
        crate::config::UpgradeTargets::AllMatching(p) => {
            (matching_jobs(ctx, p.as_deref()).await?, Default::default())
        }
    };
    let n = jobs.iter().filter(|j| j.early.is_none()).count();
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    if !o.dry_run {
        finish_killed_first(ctx, o, log.as_deref()).await?;
        let q = format!(
            "Upgrade {} on {n} tenants, each on a copy swapped in when verified{}?",
            module_list(&u.modules),
            canary
                .map(|c| format!(" (the first {c} first: a failure among them stops the run)"))
                .unwrap_or_default()
        );
        if !o.yes && !confirm(&q)? {
            ctx.printer.info("aborted; nothing changed");
            return Ok(EXIT_FAILED);
        }
    }
    // Every target not upgraded (a canary's stop, a Ctrl-C: not started)
    // goes to the file, as the lines said or as NODE/TENANT.
    let src = match from {
        crate::config::UpgradeTargets::From(f) => crate::ops::from::source_name(f),
        crate::config::UpgradeTargets::AllMatching(_) => String::new(),
    };
    let failed_to =
        crate::ops::failed_to::open(ctx, failed_to, o.dry_run)?.map(|f| f.source(&src, unreadable));
    let jobs = resolved(ctx, jobs).await;
    let canaries: std::collections::HashSet<(Option<usize>, String)> = jobs
        .iter()
        .filter(|j| j.early.is_none())
        .take(canary.unwrap_or(0))
        .map(canary_key)
        .collect();
    let (left, _) = tokio::sync::watch::channel(canaries.len());
    let each = Many {
        ctx: ctx.clone(),
        opts: o.clone(),
        up: u.clone(),
        selector,
        canary: canaries.len(),
        canaries,
        left,
        canary_failed: AtomicBool::new(false),
    };
    // Each upgrade holds two connections of its node (the maintenance
    // database and the tenant's or the copy's) besides Odoo's own.
    let limits = PerNode {
        of: Arc::new(move |link: &NodeLink| {
            per_node
                .or(link.node.lifecycle.odoo.as_ref().map(|r| r.max_parallel))
                .unwrap_or(2)
                .min(link.connection_limit() / 2)
                .max(1)
        }),
        total: (ctx.global.concurrency / 2).max(1),
    };
    let jobs = (jobs, failed_to);
    Ok(a_few_at_a_time(ctx, Op::Upgrade, o, log, jobs, each, Some(limits)).await)
}

/// `--all-matching [--match GLOB]`: the tenants of the selected nodes (a
/// node that cannot be scanned is a failed line of its own), in the
/// nodes' order and by name.
async fn matching_jobs(ctx: &Ctx, pattern: Option<&str>) -> Result<Vec<crate::ops::Job>> {
    let matcher = match pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|x| Error::usage(anyhow!("--match {p:?}: {x}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let (reports, targets) =
        super::super::archive::bulk_targets(ctx, matcher.as_ref(), Op::Upgrade).await;
    let mut jobs: Vec<crate::ops::Job> = reports
        .into_iter()
        .map(|r| {
            let mut j = crate::ops::Job::for_spec(r.tenant.clone());
            j.early = Some(r);
            j
        })
        .collect();
    jobs.extend(targets.into_iter().map(|t| {
        let spec = t.display();
        crate::ops::Job::for_target(t, spec, None)
    }));
    if jobs.is_empty() {
        return Err(Error::input(anyhow!("--all-matching: no tenants")));
    }
    Ok(jobs)
}

/// The lines' targets, with one scan of the nodes before the run (the
/// runner counts each node's Odoo runs by them). A line that does not
/// resolve is resolved again at its turn, which makes its report.
async fn resolved(ctx: &Ctx, jobs: Vec<crate::ops::Job>) -> Vec<crate::ops::Job> {
    let all: Vec<String> = ctx.inventory.nodes.iter().map(|n| n.name.clone()).collect();
    let scans = crate::targets::scan(&ctx.links, &ctx.transport).await;
    jobs.into_iter()
        .map(|mut j| {
            if j.early.is_none() && j.target.is_none() {
                let p = crate::targets::Purpose::Write;
                if let Ok(t) = crate::targets::resolve_in(&j.spec, &scans, &all, p) {
                    if crate::ops::direct_only(&t.link).is_ok() {
                        j.target = Some(t);
                    }
                }
            }
            j
        })
        .collect()
}

/// A job's identity among the run's: its line of the file and what it
/// names (`--all-matching` jobs have no line; their `node/db` differ).
fn canary_key(j: &crate::ops::Job) -> (Option<usize>, String) {
    (j.line, j.spec.clone())
}

/// The run's tenants: the canaries first (a few of each node at once),
/// then the rest once every canary is done.
struct Many {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    up: UpgradeOpts,
    /// `--all-matching`: databases that are not Odoo tenants are left out.
    selector: bool,
    /// How many canaries, and which jobs they are ([`canary_key`]).
    canary: usize,
    canaries: std::collections::HashSet<(Option<usize>, String)>,
    /// Canaries not done yet.
    left: tokio::sync::watch::Sender<usize>,
    canary_failed: AtomicBool,
}

impl Each for Many {
    fn selector(&self) -> bool {
        self.selector
    }
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Upgrade);
            }
            if let Some(r) = job.early.clone() {
                return r;
            }
            let canary = self.canaries.contains(&canary_key(&job));
            if !canary {
                let _ = self.left.subscribe().wait_for(|n| *n == 0).await;
            }
            if self.canary_failed.load(Ordering::SeqCst) {
                let mut r = Report::new(job.target.as_ref(), &job.spec, Op::Upgrade).ok(
                    Outcome::Skipped,
                    "not started: a canary was not upgraded (--canary)",
                );
                r.line = job.line;
                return r;
            }
            let (ctx, o) = (&*self.ctx, &self.opts);
            let mut r = match line_target(ctx, &job).await {
                Ok(t) => upgrade_one(ctx, o, &self.up, &t).await,
                Err(x) => unresolved(&job.spec, Op::Upgrade, x),
            };
            r.line = job.line;
            if canary {
                // A database left out (not Odoo's) is no failed canary.
                let good = matches!(
                    r.outcome,
                    Outcome::Upgraded | Outcome::Unchanged | Outcome::WouldChange
                ) || (r.not_odoo && self.selector);
                if !good {
                    self.canary_failed.store(true, Ordering::SeqCst);
                    r.warnings.push(format!(
                        "a canary ({} in all) was not upgraded: the rest of the run is skipped",
                        self.canary
                    ));
                }
                self.left.send_modify(|n| *n = n.saturating_sub(1));
            }
            r
        })
    }
}
