//! `tenantctl suspend` and `tenantctl reactivate` for one tenant: a run of
//! one target through the pipeline ([`super::pipeline`]).

use std::sync::Arc;

use anyhow::anyhow;

use super::Ctx;
use crate::config::{ReactivateOpts, SuspendOpts};
use crate::error::{Error, Result, EXIT_FAILED};
use crate::odoo::suspension::Restore;
use crate::ops::prompt::confirm;
use crate::ops::{run, Action, Job, Run};
use crate::output::count;

/// Most characters in a suspension reason.
pub const MAX_REASON: usize = 500;

/// 1..500 characters of any Unicode; newlines and tabs are kept verbatim,
/// other control characters are refused (they garble terminals and logs).
pub fn check_reason(reason: &str) -> std::result::Result<(), String> {
    if reason.trim().is_empty() {
        return Err("the reason is empty; say why the tenant is suspended".into());
    }
    let n = reason.chars().count();
    if n > MAX_REASON {
        return Err(format!(
            "the reason has {n} characters; at most {MAX_REASON}"
        ));
    }
    if let Some(c) = reason
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(format!(
            "the reason contains the control character U+{:04X}",
            c as u32
        ));
    }
    Ok(())
}

/// Resolves and connects; a connection failure prints the JSON failure
/// object (when asked for JSON) and fails.
pub async fn open(
    ctx: &Ctx,
    spec: &str,
    action: crate::ops::Op,
) -> Result<(crate::targets::Target, crate::transport::Conn)> {
    let target = ctx.resolve_for_write(spec).await?;
    match target.link.connect(&target.db, &ctx.transport).await {
        Ok(c) => Ok((target, c)),
        Err(e) => {
            let who = target.display();
            let r = crate::ops::Report::new(Some(&target), spec, action).fail(
                crate::ops::Outcome::Failed,
                format!("{who}: connect: {e:#}; nothing changed"),
            );
            if ctx.printer.format == crate::config::Output::Json {
                crate::output::out_json(&r);
            }
            Err(Error::failed(anyhow!("{}", r.message)))
        }
    }
}

/// The run of one target; the report printed, the exit code returned.
async fn run_one(ctx: &Ctx, run: Run, job: Job) -> Result<u8> {
    Ok(run::run_single(ctx, job, Arc::new(run), false).await)
}

/// Resolves and connects; a tenant that refuses connections (one blocked
/// by the `connections` layer) is left to the pipeline, which reads its
/// record from the node's catalog.
async fn target_and_conn(
    ctx: &Ctx,
    spec: &str,
) -> Result<(crate::targets::Target, Option<crate::transport::Conn>)> {
    let target = ctx.resolve_for_write(spec).await?;
    let conn = target.link.connect(&target.db, &ctx.transport).await.ok();
    Ok((target, conn))
}

pub async fn suspend(ctx: &Ctx, o: &SuspendOpts) -> Result<u8> {
    check_reason(&o.reason).map_err(|e| Error::usage(anyhow!("--reason: {e}")))?;
    if let Some(l) = &o.layers {
        crate::odoo::layers::LayerSet::parse(l, crate::odoo::layers::LayerSet::DEFAULT)
            .map_err(|e| Error::usage(anyhow!("--layers: {e}")))?;
    }
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let (target, conn) = target_and_conn(ctx, &o.tenant).await?;
    let action = Action::Suspend {
        layers: o.layers.clone(),
    };
    if let (false, false, Some(conn)) = (o.dry_run, o.yes, &conn) {
        if !ask_with_plan(ctx, conn, &target, action.clone(), Some(&o.reason)).await? {
            ctx.printer.info("aborted; nothing changed");
            return Ok(EXIT_FAILED);
        }
    }
    let run = ctx.run(action, log, o.dry_run);
    let mut job = Job::for_target(target, o.tenant.clone(), Some(o.reason.clone()));
    job.conn = conn;
    run_one(ctx, run, job).await
}

pub async fn reactivate(ctx: &Ctx, o: &ReactivateOpts) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let (target, conn) = target_and_conn(ctx, &o.tenant).await?;
    let who = target.display();
    let restore = if o.all_internal {
        Restore::AllInternal
    } else {
        Restore::Recorded
    };
    if !o.dry_run && !o.yes {
        match &conn {
            Some(conn) => {
                let action = Action::Reactivate(restore);
                if !ask_with_plan(ctx, conn, &target, action, None).await? {
                    ctx.printer.info("aborted; nothing changed");
                    return Ok(EXIT_FAILED);
                }
            }
            None => {
                if !confirm(&format!(
                    "Reactivate {who}: it accepts no connections (blocked?); allow them again and restore its recorded layers?"
                ))? {
                    ctx.printer.info("aborted; nothing changed");
                    return Ok(EXIT_FAILED);
                }
            }
        }
    }
    let run = ctx.run(Action::Reactivate(restore), log, o.dry_run);
    let mut job = Job::for_target(target, o.tenant.clone(), None);
    job.conn = conn;
    run_one(ctx, run, job).await
}

/// Before a suspend or reactivate on a terminal: the dry run's plan of the
/// same action on the same connection, asked as one question with its
/// counts (users, scheduled jobs, mail servers, connections). No question
/// when nothing would change or the run will refuse or fail: the pipeline
/// reports that.
async fn ask_with_plan(
    ctx: &Ctx,
    conn: &crate::transport::Conn,
    target: &crate::targets::Target,
    action: Action,
    reason: Option<&str>,
) -> Result<bool> {
    let dry = ctx.run(action, None, true);
    let who = target.display();
    let base = crate::ops::Report::new(Some(target), &who, dry.action.name());
    let mut plan = crate::ops::plan::plan_one(conn, target, &dry, base, reason).await;
    match plan.outcome {
        crate::ops::Outcome::WouldChange => {}
        // A plan that could not be made (a lock held, a lost connection) is
        // never a reason to skip the question: nothing is run unasked.
        crate::ops::Outcome::Failed | crate::ops::Outcome::Unknown => {
            return Err(Error::failed(anyhow!(
                "{}; nothing changed",
                plan.error.as_deref().unwrap_or(&plan.message)
            )));
        }
        // Nothing would change, or the run refuses: it reports that.
        _ => return Ok(true),
    }
    let question = match dry.action {
        Action::Suspend { .. } => {
            let l = plan.details.suspend().layers.take().unwrap_or_default();
            let mut parts = vec![count(l.users, "active user", "active users")];
            if l.crons > 0 {
                parts.push(count(l.crons, "scheduled job", "scheduled jobs"));
            }
            if l.mail > 0 {
                parts.push(count(l.mail, "mail server", "mail servers"));
            }
            format!(
                "Suspend {who}: switch off {}{}, and record them?",
                parts.join(", "),
                if l.connections {
                    ", block its connections"
                } else {
                    ""
                }
            )
        }
        _ => format!(
            "Reactivate {who}: switch on {} and the recorded layers?",
            count(plan.users, "user", "users")
        ),
    };
    confirm(&question)
}
