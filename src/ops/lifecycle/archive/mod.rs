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

pub(in crate::ops::lifecycle) use backup::bulk_targets;
pub use backup::{backup, bulk_backup};
pub use moving::move_tenant;
pub use restore::restore;

use crate::ops::lifecycle::{confirm, shown, Asked};
use crate::ops::{Ctx, Outcome, Report};

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

/// The question of a single `restore` or `move`, after its plan (the same
/// work run as a dry run, see [`crate::ops::lifecycle::ask_then_run`]):
/// `[y/N]`. No, or no terminal to ask on, is the command's refusal (audited,
/// exit 2, nothing changed), as these commands have always answered it.
fn ask_plan(ctx: &Ctx, plan: &Report, question: &str, who: &str) -> Asked {
    shown(ctx, plan);
    match confirm(question) {
        Ok(true) => Asked::Go,
        Ok(false) => Asked::Refused(format!("{who}: aborted; nothing changed")),
        Err(x) => Asked::Refused(format!("{who}: {x:#}")),
    }
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
