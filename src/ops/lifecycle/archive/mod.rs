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
use crate::ops::lifecycle::{confirm, finish, Each};
use crate::ops::{Ctx, Job, Outcome, Plan, Report};

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
