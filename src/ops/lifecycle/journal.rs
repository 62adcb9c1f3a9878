//! The journal of a lifecycle run: every step that changes something records how to undo it
//! ([`Undo`]); a failure or a Ctrl-C undoes what was done, newest first ([`Steps::undo`],
//! [`undone`]), and how a run ends ([`Stop`]).

use super::*;

/// A test hook, compiled into debug builds only (the integration tests run
/// the dev-profile binary; `cargo build --release`, `cargo install` and the
/// benchmark's binary have none): `TENANTCTL_DEBUG_PAUSE_BEFORE=<step>`
/// stops before that step, so that the "kill or Ctrl-C at each step leaves
/// nothing behind" tests stop the process exactly between two steps. It says
/// so on stderr (`tenantctl: pausing before step <step>`), then waits for the
/// test: until the run's guard counts a Ctrl-C, the file named by
/// `TENANTCTL_DEBUG_RELEASE` exists (at most 120 s) or the process is
/// killed; without `TENANTCTL_DEBUG_RELEASE`, at most 3 s. Kept rather than
/// replaced by a lock the test holds: several of those points have no lock
/// to hold (between `CREATE DATABASE` and its comment, around the filestore
/// shell commands, after the rename).
#[cfg(debug_assertions)]
pub(super) async fn pause_point(step: &str) {
    use std::time::{Duration, Instant};
    if !std::env::var("TENANTCTL_DEBUG_PAUSE_BEFORE").is_ok_and(|s| s == step) {
        return;
    }
    eprintln!("tenantctl: pausing before step {step}");
    let release = std::env::var_os("TENANTCTL_DEBUG_RELEASE").map(std::path::PathBuf::from);
    let released = async {
        let Some(file) = release else {
            return tokio::time::sleep(Duration::from_secs(3)).await;
        };
        let t0 = Instant::now();
        while !file.exists() && t0.elapsed() < Duration::from_secs(120) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    match Guard::installed() {
        Some(g) => tokio::select! {
            _ = released => {}
            _ = g.first() => {}
        },
        None => released.await,
    }
}

/// Release builds: no hook.
#[cfg(not(debug_assertions))]
pub(super) async fn pause_point(_step: &str) {}

/// The time drop stamps, backup file names and drop_retention are read
/// from. A test hook in debug builds only (as [`pause_point`]):
/// `TENANTCTL_DEBUG_NOW_OFFSET=<seconds>` (may be negative) shifts it, so a
/// test gets a later stamp without sleeping for the next second.
#[cfg(debug_assertions)]
pub(super) fn clock_now() -> SystemTime {
    let now = SystemTime::now();
    let offset = std::env::var("TENANTCTL_DEBUG_NOW_OFFSET")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let by = std::time::Duration::from_secs(offset.unsigned_abs());
    if offset < 0 {
        now - by
    } else {
        now + by
    }
}

/// Release builds: the system clock.
#[cfg(not(debug_assertions))]
pub(super) fn clock_now() -> SystemTime {
    SystemTime::now()
}

/// The run's one Ctrl-C guard, installed when the first change starts.
pub(super) fn run_guard() -> Guard {
    Guard::install()
}

/// One done step and how to undo it.
pub(super) enum Undo {
    DropDb(String),
    /// An upgrade's copy (a template until it is swapped in or kept).
    DropCopy(String),
    RemoveDir(String),
    RenameDb {
        from: String,
        to: String,
    },
    MoveDir {
        from: String,
        to: String,
    },
    AllowConnections(String, bool),
    Comment(String, Option<String>),
    BaseUrl {
        db: String,
        url: String,
    },
    /// The loader role of a restore, and its local record.
    DropRole(String, Option<building::Intent>),
}

/// What a run has done so far.
pub(super) struct Steps<'a> {
    pub(super) link: &'a Arc<NodeLink>,
    pub(super) maint: &'a Conn,
    pub(super) fs: Option<&'a Filestore>,
    pub(super) ctx: &'a Ctx,
    pub(super) done: Vec<Undo>,
    pub(super) guard: Guard,
    /// `node/tenant`, and when the first step started (`-v` times steps).
    pub(super) who: String,
    t0: std::time::Instant,
}

impl<'a> Steps<'a> {
    pub(super) fn new(
        link: &'a Arc<NodeLink>,
        maint: &'a Conn,
        fs: Option<&'a Filestore>,
        ctx: &'a Ctx,
        who: &str,
    ) -> Steps<'a> {
        Steps {
            link,
            maint,
            fs,
            ctx,
            done: Vec::new(),
            guard: run_guard(),
            who: who.to_string(),
            t0: std::time::Instant::now(),
        }
    }

    /// Runs `create` (the `CREATE DATABASE <staging>`), then marks the new
    /// database (its comment) as being built for `name` by this process, so
    /// that the next run removes it if this one is killed (see
    /// `clean_stale`); undone by dropping it. The local record written
    /// before the `CREATE` ([`building`]) covers a kill between the two.
    pub(super) async fn made_staging(
        &mut self,
        staging: &str,
        name: &str,
        create: impl std::future::Future<Output = anyhow::Result<()>>,
    ) -> anyhow::Result<()> {
        let intent = match building::Intent::write(self.link, staging) {
            Ok(i) => Some(i),
            Err(x) => {
                self.ctx.printer.warn(format!(
                    "the local record of {} could not be written ({x}); a kill -9 right after its \
                     CREATE DATABASE would leave it unmarked",
                    e(staging)
                ));
                None
            }
        };
        if let Err(x) = create.await {
            // A CREATE that failed made nothing of ours.
            if let Some(i) = intent {
                i.clear();
            }
            return Err(x);
        }
        self.done.push(Undo::DropDb(staging.to_string()));
        pause_point("mark").await;
        let note = staging_note(name, None);
        lc::set_comment(
            &self.maint.client,
            staging,
            Some(&note),
            self.maint.deadline,
        )
        .await?;
        if let Some(i) = intent {
            i.clear();
        }
        Ok(())
    }

    /// The last step of a build: the staging database and filestore
    /// directory renamed to `name`, the mark removed.
    pub(super) async fn publish(&mut self, staging: &str, name: &str) -> anyhow::Result<()> {
        let (c, d) = (&self.maint.client, self.maint.deadline);
        // Our own connection to it is closed; its backend may still be ending.
        lc::wait_no_sessions(c, staging, d).await?;
        lc::rename_and_comment(c, staging, name, None, d).await?;
        self.done.push(Undo::RenameDb {
            from: name.to_string(),
            to: staging.to_string(),
        });
        if let Some(fs) = self.fs {
            if fs.rename(staging, name).await? {
                self.done.push(Undo::MoveDir {
                    from: name.to_string(),
                    to: staging.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The loader role `role` is dropped: nothing to undo, its record goes.
    pub(super) fn role_dropped(&mut self, role: &str) {
        if let Some(i) = self
            .done
            .iter()
            .position(|u| matches!(u, Undo::DropRole(r, _) if r == role))
        {
            if let Undo::DropRole(_, Some(record)) = self.done.remove(i) {
                record.clear();
            }
        }
    }

    /// Before each step: the test hook, then a Ctrl-C check.
    pub(super) async fn next(&self, step: &str) -> std::result::Result<(), anyhow::Error> {
        crate::ops::exec::mark_started(self.maint.deadline);
        self.ctx.printer.detail(format!(
            "{}: step {step} at {:.3} s",
            self.who,
            self.t0.elapsed().as_secs_f64()
        ));
        pause_point(step).await;
        if self.guard.interrupted() {
            return Err(anyhow::Error::new(Interrupted));
        }
        Ok(())
    }

    /// Undoes every step, newest first; what could not be undone, said.
    pub(super) async fn undo(&mut self) -> Vec<String> {
        let d = self.maint.deadline;
        let c = &self.maint.client;
        let mut left = Vec::new();
        while let Some(u) = self.done.pop() {
            let r = match &u {
                Undo::DropDb(db) => lc::drop_database(c, db, d)
                    .await
                    .map_err(|x| format!("database {}: {x:#}", e(db))),
                Undo::DropCopy(db) => crate::odoo::upgrade::drop_copy(c, db, d)
                    .await
                    .map_err(|x| format!("database {}: {x:#}", e(db))),
                Undo::RemoveDir(dir) => match self.fs {
                    Some(fs) => fs
                        .remove(dir)
                        .await
                        .map_err(|x| format!("filestore {}: {x:#}", fs.show(dir))),
                    None => Ok(()),
                },
                Undo::RenameDb { from, to } => {
                    let _ = lc::end_sessions(c, from, d).await;
                    lc::rename(c, from, to, d)
                        .await
                        .map_err(|x| format!("renaming {} back to {}: {x:#}", e(from), e(to)))
                }
                Undo::MoveDir { from, to } => match self.fs {
                    Some(fs) => fs.rename(from, to).await.map(|_| ()).map_err(|x| {
                        format!("moving {} back to {}: {x:#}", fs.show(from), fs.show(to))
                    }),
                    None => Ok(()),
                },
                Undo::AllowConnections(db, allow) => lc::allow_connections(c, db, *allow, d)
                    .await
                    .map_err(|x| format!("ALLOW_CONNECTIONS of {}: {x:#}", e(db))),
                Undo::Comment(db, comment) => lc::set_comment(c, db, comment.as_deref(), d)
                    .await
                    .map_err(|x| format!("comment of {}: {x:#}", e(db))),
                Undo::BaseUrl { db, url } => match self.link.connect(db, &self.ctx.transport).await
                {
                    Ok(mut conn) => lc::set_base_url(
                        &mut conn.client,
                        url,
                        self.ctx.global.allow_triggers,
                        conn.deadline,
                    )
                    .await
                    .map_err(|w| match Stop::of_write(w, "web.base.url") {
                        Stop::Refused(m) => anyhow!(m),
                        Stop::Failed(x) => x,
                    }),
                    Err(x) => Err(x),
                }
                .map_err(|x| format!("web.base.url of {}: {x:#}", e(db))),
                Undo::DropRole(role, _) => crate::odoo::loader::drop_role(c, role, d)
                    .await
                    .map_err(|x| format!("role {}: {x:#}", e(role))),
            };
            // The role is gone: its local record too.
            if let (Ok(()), Undo::DropRole(_, Some(record))) = (&r, u) {
                record.clear();
            }
            if let Err(m) = r {
                left.push(m);
            }
        }
        left
    }
}

/// The marker of a Ctrl-C between steps.
#[derive(Debug)]
pub(super) struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// How a failed run ends: a refusal (exit 2) or a failure.
pub(super) enum Stop {
    Refused(String),
    Failed(anyhow::Error),
}

impl From<WriteError> for Stop {
    fn from(w: WriteError) -> Self {
        Stop::of_write(w, "new identity")
    }
}

impl Stop {
    /// A write into the tenant database (`what`) that failed or was refused.
    pub(super) fn of_write(w: WriteError, what: &'static str) -> Stop {
        match w {
            WriteError::Refused(m) => Stop::Refused(m),
            WriteError::NotCommitted { error, .. } | WriteError::CommitLost { error, .. } => {
                Stop::Failed(error.context(what))
            }
        }
    }
}

impl From<anyhow::Error> for Stop {
    fn from(e: anyhow::Error) -> Self {
        if crate::error::refusal_in(&e).is_some() {
            return Stop::Refused(format!("{e:#}"));
        }
        Stop::Failed(e)
    }
}

/// Undoes a failed run and makes its report.
pub(super) async fn undone(
    steps: &mut Steps<'_>,
    r: Report,
    who: &str,
    stop: Stop,
) -> (Report, bool) {
    let left = steps.undo().await;
    let interrupted = matches!(&stop, Stop::Failed(x) if x.is::<Interrupted>());
    let tail = if left.is_empty() {
        "; everything done was undone, nothing changed".to_string()
    } else {
        format!(
            "; NOT everything could be undone, left behind: {}",
            left.join("; ")
        )
    };
    let r = match stop {
        Stop::Refused(m) => r.fail(Outcome::Refused, format!("{who}: {m}{tail}")),
        Stop::Failed(_) if interrupted => {
            r.fail(Outcome::Skipped, format!("{who}: interrupted{tail}"))
        }
        Stop::Failed(x) => r.fail(
            if left.is_empty() {
                Outcome::Failed
            } else {
                Outcome::Unknown
            },
            format!("{who}: {x:#}{tail}"),
        ),
    };
    (r, interrupted)
}
