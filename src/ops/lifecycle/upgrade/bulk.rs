//! `bulk upgrade --from FILE -u MODULES [--canary N]`: each tenant as the
//! single command does it, one at a time in file order (each holds the
//! node's maintenance database and an Odoo run), one confirmation for the
//! run; with `--canary N`, when one of the first N is not upgraded the rest
//! are skipped.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::*;

pub(in crate::ops::lifecycle) async fn bulk_upgrade(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    from: &std::path::Path,
    layout: &crate::targetfile::Layout,
    u: &UpgradeOpts,
    canary: Option<usize>,
) -> Result<u8> {
    let jobs = bulk_jobs(ctx, from, layout, Op::Upgrade)?;
    let n = jobs.iter().filter(|j| j.early.is_none()).count();
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    if !o.dry_run {
        finish_killed_first(ctx, o).await;
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
    let each = Many {
        ctx: ctx.clone(),
        opts: o.clone(),
        up: u.clone(),
        canary: canary.unwrap_or(0),
        started: AtomicUsize::new(0),
        canary_failed: AtomicBool::new(false),
    };
    Ok(one_by_one(ctx, Op::Upgrade, o, log, jobs, each).await)
}

/// The run's tenants, in file order (the runner runs one at a time).
struct Many {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    up: UpgradeOpts,
    /// How many of the first tenants are canaries (0: none).
    canary: usize,
    started: AtomicUsize,
    canary_failed: AtomicBool,
}

impl Each for Many {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Upgrade);
            }
            if let Some(r) = job.early.clone() {
                return r;
            }
            if self.canary_failed.load(Ordering::SeqCst) {
                let mut r = Report::new(job.target.as_ref(), &job.spec, Op::Upgrade).ok(
                    Outcome::Skipped,
                    "not started: a canary was not upgraded (--canary)",
                );
                r.line = job.line;
                return r;
            }
            let i = self.started.fetch_add(1, Ordering::SeqCst);
            let (ctx, o) = (&*self.ctx, &self.opts);
            let mut r = match line_target(ctx, &job).await {
                Ok(t) => upgrade_one(ctx, o, &self.up, &t).await,
                Err(x) => unresolved(&job.spec, Op::Upgrade, x),
            };
            r.line = job.line;
            let good = matches!(
                r.outcome,
                Outcome::Upgraded | Outcome::Unchanged | Outcome::WouldChange
            );
            if i < self.canary && !good {
                self.canary_failed.store(true, Ordering::SeqCst);
                r.warnings.push(format!(
                    "canary {} of {} was not upgraded: the rest of the run is skipped",
                    i + 1,
                    self.canary
                ));
            }
            r
        })
    }
}
