//! Issue 15: `backup` and `restore` in Odoo's own backup format
//! (odoo-facts §7).
//!
//! - `backup`: the system `pg_dump` (its major version ≥ the server's)
//!   streams into the zip entry `dump.sql` (or, `--format dump`, its custom
//!   format into the file); the filestore streams in as `tar -cf -` run on
//!   the node's host (locally, or over the node's SSH master), each file
//!   copied into `filestore/<path>`; then `manifest.json`. Nothing is held
//!   in memory. The file is written under `.<name>.partial-<pid>` in the
//!   target directory and renamed when complete; its SHA-256 is printed and
//!   audited.
//! - `restore`: builds the database under a staging name (like `create`):
//!   `CREATE DATABASE .. TEMPLATE template0`, `psql -v ON_ERROR_STOP=1` fed
//!   `dump.sql` from the zip (or `pg_restore --exit-on-error`), with
//!   `--copy` the identity of
//!   [`lc::regenerate`](crate::odoo::lifecycle::regenerate), the filestore
//!   streamed as a tar to `tar -x` on the node's host and given to
//!   `filestore_owner`, then both renamed to NAME. Any failure or Ctrl-C
//!   undoes every step; a kill -9 leaves a staging name that the next
//!   create/duplicate/restore on the node removes.
//!
//! The layout: [`backup`](mod@backup) (and `bulk backup`),
//! [`restore`](mod@restore) and [`moving`] (`move`) are the commands;
//! [`files`] writes and reads the backup file, [`load`] runs its SQL as a
//! role that is not a superuser, [`host`] is the work on a node's host
//! (child processes, shell commands); [`snapshot`] is the private copy a
//! blocked tenant is backed up from.

mod backup;
mod files;
mod host;
mod load;
mod moving;
mod restore;
mod snapshot;

pub use backup::{backup, bulk_backup};
pub use moving::move_tenant;
pub use restore::restore;

use std::sync::Arc;

use crate::audit::AuditLog;
use crate::ops::lifecycle::{confirm, finish, single, Each};
use crate::ops::{Ctx, Job, Op, Outcome, Plan, Report};

/// The manifest key of tenantctl's record of a blocked tenant (Odoo's
/// restore reads only `dump.sql` and `filestore/`, other keys are ignored).
const BLOCKED_KEY: &str = "tenantctl_blocked";

/// How a restore or a move ends before it is done: its outcome, its message
/// (`who: ...`), and whether a Ctrl-C ended it.
struct Halt {
    outcome: Outcome,
    msg: String,
    interrupted: bool,
}

impl Halt {
    /// A refusal (exit 2), nothing changed: `who: m`.
    fn refused(who: &str, m: impl std::fmt::Display) -> Halt {
        Halt {
            outcome: Outcome::Refused,
            msg: format!("{who}: {m}"),
            interrupted: false,
        }
    }

    /// A failure: `who: m`.
    fn failed(who: &str, m: impl std::fmt::Display) -> Halt {
        Halt {
            outcome: Outcome::Failed,
            msg: format!("{who}: {m}"),
            interrupted: false,
        }
    }

    /// `r` ended so; whether interrupted.
    fn end(self, r: Report) -> (Report, bool) {
        (r.fail(self.outcome, self.msg), self.interrupted)
    }
}

/// The work of a single `restore` or `move` (issue 23), whose question
/// comes before its run.
trait Asked: Each + Clone {
    const OP: Op;
    /// Its `--dry-run` (the plan is the same work as a dry run) and `--yes`.
    fn dry_run_yes(&mut self) -> (&mut bool, bool);
    /// The run must honour the `plan` the operator confirmed.
    fn confirmed(&mut self, _plan: Plan) {}
}

/// A single `restore` or `move`: unless `--yes` or `--dry-run`, the plan
/// asked first ([`ask_first`]); then the run of its one target through the
/// runner ([`single`]). The exit code.
async fn ask_then_run<T: Asked>(
    ctx: &Ctx,
    log: Option<Arc<AuditLog>>,
    mut each: T,
    who: String,
) -> u8 {
    let (d, yes) = each.dry_run_yes();
    let dry_run = *d;
    if !yes && !dry_run {
        let mut dry = each.clone();
        *dry.dry_run_yes().0 = true;
        let question = format!("{} {who}?", T::OP.as_str());
        match ask_first(ctx, log.as_deref(), dry, &who, &question).await {
            Ok(plan) => each.confirmed(plan),
            Err(code) => return code,
        }
    }
    single(ctx, T::OP, dry_run, log, Job::for_spec(who), each, false).await
}

/// Before a single `restore` or `move` on a terminal (issue 23): the same
/// work run as a dry run (`dry`, read-only) makes the plan, which is shown,
/// then `question` is asked, all before the run starts (a Ctrl-C here ends
/// the process, nothing changed). Ok: the confirmed plan. Err: the command
/// ended here, its exit code, its result printed and audited as a real
/// run's: the dry run's own when it would not change anything (a refusal, a
/// failure: the checks are not run twice), or the refusal of an answer
/// other than yes.
async fn ask_first<T: Each>(
    ctx: &Ctx,
    log: Option<&AuditLog>,
    dry: T,
    who: &str,
    question: &str,
) -> std::result::Result<Plan, u8> {
    let mut r = Arc::new(dry)
        .one(Job::for_spec(who.to_string()), false)
        .await;
    r.dry_run = None;
    let plan = match (r.outcome, r.plan.take()) {
        (Outcome::WouldChange, Some(plan)) => plan,
        _ => return Err(finish(ctx, log, r, false, false)),
    };
    ctx.printer.info(plan.text());
    let refusal = match confirm(question) {
        Ok(true) => return Ok(plan),
        Ok(false) => "aborted; nothing changed".to_string(),
        Err(x) => format!("{x:#}"),
    };
    let (r, _) = Halt::refused(who, refusal).end(r);
    Err(finish(ctx, log, r, false, false))
}

/// The report of a single restore or move as its work starts (`r`, marked
/// when a dry run), and whether it starts: not when a Ctrl-C came first
/// (then the report says skipped).
fn begun(mut r: Report, dry_run: bool, stopped: bool, who: &str) -> (Report, bool) {
    if dry_run {
        r.dry_run = Some(true);
    }
    if stopped {
        let msg = format!("{who}: not started (interrupted)");
        return (r.ok(Outcome::Skipped, msg), false);
    }
    (r, true)
}
