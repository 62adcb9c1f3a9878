//! `move`: backs a tenant up, restores it on another node keeping its
//! identity, verifies the copy, then soft-drops the source.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use serde_json::Value;

use super::backup::backup_one;
use super::host::filestore_size;
use super::restore::restore_one;
use super::{ask_plan, begun, Halt};
use crate::audit::AuditLog;
use crate::config::{
    BackupFormat, BackupOpts, LifecycleAction, LifecycleOpts, MoveOpts, RestoreOpts,
};
use crate::error::{Error, Result};
use crate::odoo::backup as ob;
use crate::odoo::lifecycle as lc;
use crate::ops::lifecycle::{ask_then_run, Asked, Single};
use crate::ops::lifecycle::{
    audited, base, drop_one, e, filestore_for, maintenance, two_connections, Each, Work,
};
use crate::ops::Ctx;
use crate::ops::{Op, Outcome, Plan, Report};
use crate::targets::Target;
use crate::transport::host::filestore::{Filestore, SafeName};
use crate::transport::NodeLink;

/// `tenantctl move TENANT NODE2`: backs up, restores on NODE2 as `--move`,
/// verifies, then soft-drops the source. On a terminal without `--yes`, the
/// plan of the same work run as a dry run is confirmed first (see
/// [`ask_then_run`]); then a run of one target through the runner.
pub async fn move_tenant(ctx: &Arc<Ctx>, o: &MoveOpts) -> Result<u8> {
    two_connections(ctx)?;
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let t = ctx.resolve_for_write(&o.tenant).await?;
    let Some(to) = ctx.links.iter().find(|l| l.name() == o.node).cloned() else {
        return Err(Error::target(anyhow!(
            "node {:?} is not among the selected nodes ({})",
            o.node,
            ctx.links
                .iter()
                .map(|l| l.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    crate::ops::direct_only(&t.link)?;
    crate::ops::direct_only(&to)?;
    if Arc::ptr_eq(&to, &t.link) {
        return Err(Error::usage(anyhow!(
            "{} is already on node {}",
            t.display(),
            o.node
        )));
    }
    let who = format!("{} -> {}/{}", t.display(), to.name(), t.db);
    let each = Move {
        ctx: ctx.clone(),
        o: o.clone(),
        t,
        to,
        log: log.clone(),
    };
    let job = || crate::ops::Job::for_spec(who.clone());
    ask_then_run(ctx, Op::Move, log, job, each, false).await
}

/// The work of `move` for its one target: the options, the source and the
/// destination resolved before the run (what was confirmed), and the audit
/// log of the source's drop.
#[derive(Clone)]
struct Move {
    ctx: Arc<Ctx>,
    o: MoveOpts,
    t: Target,
    to: Arc<NodeLink>,
    log: Option<Arc<AuditLog>>,
}

impl Single for Move {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.o.dry_run, self.o.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        let who = format!("{} -> {}/{}", self.t.display(), self.to.name(), self.t.db);
        Ok(ask_plan(&self.ctx, plan, &format!("move {who}?"), &who))
    }
}

impl Each for Move {
    fn one(self: Arc<Self>, _job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            let (t, to) = (&self.t, &self.to);
            let who = format!("{} -> {}/{}", t.display(), to.name(), t.db);
            let mut r = base(to, &t.db, Op::Move);
            r.details.moved().from = t.display();
            let (r, starts) = begun(r, self.o.dry_run, stopped, &who);
            if !starts {
                return r;
            }
            let log = self.log.as_deref();
            move_one(&self.ctx, &self.o, t, to, &who, r, log).await.0
        })
    }
}

/// One move: checks, plan, then copy, verify, soft-drop.
async fn move_one(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
    mut r: Report,
    log: Option<&AuditLog>,
) -> (Report, bool) {
    let src = match check_move(ctx, o, t, to, who).await {
        Ok(s) => s,
        Err(h) => return h.end(r),
    };
    let (size, files, fbytes) = (src.size, src.files, src.fbytes);
    let d = r.details.moved();
    d.database_bytes = Some(size);
    d.filestore_files = Some(files);
    d.filestore_bytes = Some(fbytes);
    let plan = Plan::new(format!("move {who}"))
        .step(format!(
            "back up {} (database {size} bytes, filestore {files} files, {fbytes} bytes)",
            t.display()
        ))
        .step(format!(
            "restore on {} keeping its identity (--move)",
            to.name()
        ))
        .step("verify users, module versions, attachments, filestore files")
        .step(format!(
            "soft-drop {} (see `drop`; undrop restores it)",
            t.display()
        ));
    if o.dry_run {
        return (r.would(plan), false);
    }
    let staged = match copy_out(ctx, o, t, who, &src.safe).await {
        Ok(s) => s,
        Err(h) => return h.end(r),
    };
    let owner = src.owner.clone();
    if let Err(h) = restore_in(ctx, o, t, to, who, staged, owner, &mut r).await {
        return h.end(r);
    }
    if let Err(h) = verify_copy(ctx, t, to, who, &src).await {
        return h.end(r);
    }
    if let Err(h) = drop_source(ctx, o, t, to, who, &mut r, log).await {
        return h.end(r);
    }
    let suspended = src.suspended;
    if suspended {
        r.details.moved().next = Some(format!("tenantctl reactivate {}/{}", to.name(), t.db));
    }
    (
        r.ok(
            Outcome::Changed,
            format!(
                "moved {who}: {files} filestore files, identity kept, verified; source soft-dropped{}",
                if suspended {
                    format!(
                        ". {}/{} is still suspended, as it was: `tenantctl reactivate {}/{}` brings it back",
                        to.name(),
                        e(&t.db),
                        to.name(),
                        e(&t.db)
                    )
                } else {
                    String::new()
                }
            ),
        ),
        false,
    )
}

/// The checked source of a move.
struct Source {
    safe: SafeName,
    fs_src: Option<Filestore>,
    fs_dst: Option<Filestore>,
    /// Marked suspended (else moved with --force).
    suspended: bool,
    /// The database's size in bytes.
    size: i64,
    /// What the copy is compared with ([`ob::fingerprint`]).
    before: Value,
    /// The filestore's files and bytes.
    files: u64,
    fbytes: u64,
    /// The source's owner, which the copy gets.
    owner: String,
}

/// The checks of a move before anything changes: the source quiet
/// (suspended, or `--force`) and readable, the name free on the
/// destination.
async fn check_move(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
) -> std::result::Result<Source, Halt> {
    let safe = SafeName::new(&t.db).map_err(|m| Halt::refused(who, m))?;
    let fs_src = filestore_for(&t.link, o.no_filestore).map_err(|m| Halt::refused(who, m))?;
    let fs_dst = filestore_for(to, o.no_filestore).map_err(|m| Halt::refused(who, m))?;
    // The source must be quiet: what changes after the backup would be lost.
    let (suspended, size, before) = source_state(ctx, t, who).await?;
    if !suspended && !o.force {
        return Err(Halt::refused(
            who,
            "refusing to move a tenant that is not suspended (what changes after the backup would be lost; suspend it first, or pass --force); nothing changed",
        ));
    }
    let (files, fbytes) = match &fs_src {
        Some(fs) => match filestore_size(&t.link, fs, &t.db).await {
            Ok(x) => x,
            Err(x) => {
                return Err(Halt::failed(
                    who,
                    format!("filestore: {x:#}; nothing changed"),
                ))
            }
        },
        None => (0, 0),
    };
    let failed = |x: anyhow::Error| Halt::failed(who, format!("{x:#}; nothing changed"));
    // The copy belongs to the source's owner (unless the destination sets
    // `db_owner`): Odoo's role, never tenantctl's.
    let owner = match maintenance(ctx, &t.link).await {
        Ok(m) => match lc::db_info(&m.client, &t.db, m.deadline).await {
            Ok(Some(i)) => i.owner,
            Ok(None) => {
                return Err(Halt::failed(
                    who,
                    format!("{} is gone; nothing changed", t.display()),
                ))
            }
            Err(x) => return Err(failed(x)),
        },
        Err(x) => return Err(failed(x)),
    };
    match maintenance(ctx, to).await {
        Ok(m) => match lc::db_info(&m.client, &t.db, m.deadline).await {
            Ok(Some(_)) => {
                return Err(Halt::refused(
                    who,
                    format!(
                        "node {} already has a database named {}; nothing changed",
                        to.name(),
                        e(&t.db)
                    ),
                ))
            }
            Ok(None) => {}
            Err(x) => return Err(failed(x)),
        },
        Err(x) => return Err(failed(x)),
    }
    Ok(Source {
        safe,
        fs_src,
        fs_dst,
        suspended,
        size,
        before,
        files,
        fbytes,
        owner,
    })
}

/// Whether the source is suspended, its size and its fingerprint, read on
/// a connection to it; a blocked source is refused.
async fn source_state(
    ctx: &Ctx,
    t: &Target,
    who: &str,
) -> std::result::Result<(bool, i64, Value), Halt> {
    let conn = match t.link.connect(&t.db, &ctx.transport).await {
        Ok(c) => c,
        Err(x) => {
            let blocked = match maintenance(ctx, &t.link).await {
                Ok(m) => matches!(lc::db_info(&m.client, &t.db, m.deadline).await,
                    Ok(Some(i)) if !i.allow_connections),
                Err(_) => false,
            };
            if blocked {
                return Err(Halt::refused(
                    who,
                    "is blocked (ALLOW_CONNECTIONS false, e.g. suspension layer `connections`): move reads and \
                     verifies the source and the copy, which tenantctl does not do behind a block. Allow \
                     connections (ALTER DATABASE .. ALLOW_CONNECTIONS true; its users stay switched off), move \
                     it, then `tenantctl suspend NODE2/TENANT --layers +connections`; or back it up (from a \
                     snapshot) and restore it; nothing changed",
                ));
            }
            return Err(Halt::failed(who, format!("{x:#}; nothing changed")));
        }
    };
    let s = crate::odoo::suspension::state(&conn.client)
        .await
        .map(|s| s.suspended());
    let size = ob::database_size(&conn.client, &t.db, conn.deadline).await;
    let fp = ob::fingerprint(&conn.client, conn.deadline).await;
    match (s, size, fp) {
        (Ok(s), Ok(z), Ok(f)) => Ok((s, z, f)),
        (Err(x), _, _) | (_, Err(x), _) | (_, _, Err(x)) => {
            Err(Halt::failed(who, format!("{x:#}; nothing changed")))
        }
    }
}

/// The move's backup, in a private directory removed after the restore.
struct Staged {
    tmpdir: PathBuf,
    file: PathBuf,
}

fn cleanup(d: &Path) {
    let _ = std::fs::remove_dir_all(d);
}

/// Backs the source up into a private directory (not audited on its own).
async fn copy_out(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    who: &str,
    safe: &SafeName,
) -> std::result::Result<Staged, Halt> {
    let tmpdir = match crate::transport::host::pgtool::private_dir() {
        Ok(d) => d,
        Err(x) => return Err(Halt::failed(who, format!("{x:#}; nothing changed"))),
    };
    let file = tmpdir.join(format!("{safe}.zip"));
    let bo = BackupOpts {
        tenant: t.db.clone(),
        file: Some(file.clone()),
        dir: None,
        format: BackupFormat::Zip,
        no_filestore: o.no_filestore,
    };
    // The backup step is not audited on its own: the move's line says it.
    let quiet = match AuditLog::open(&tmpdir.join("audit.jsonl")) {
        Ok(l) => l,
        Err(x) => {
            cleanup(&tmpdir);
            return Err(Halt::failed(who, format!("{x:#}; nothing changed")));
        }
    };
    let b = backup_one(ctx, t, &bo, &quiet, false)
        .await
        .expect("not skipped");
    if !b.outcome.is_ok() {
        cleanup(&tmpdir);
        let interrupted = b.outcome == Outcome::Skipped;
        return Err(Halt {
            outcome: b.outcome,
            msg: format!("{who}: backup: {}", b.error.unwrap_or_default()),
            interrupted,
        });
    }
    Ok(Staged { tmpdir, file })
}

/// Restores the backup on `to` as `--move` (identity kept, owned by the
/// source's `owner`), then removes the private directory. The work of
/// killed runs that the restore finished first goes into `r` (its audit
/// lines).
#[allow(clippy::too_many_arguments)]
async fn restore_in(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
    staged: Staged,
    owner: String,
    r: &mut Report,
) -> std::result::Result<(), Halt> {
    let ro = RestoreOpts {
        target: format!("{}/{}", to.name(), t.db),
        file: staged.file.clone(),
        keep_identity: true,
        no_filestore: o.no_filestore,
        yes: true,
        dry_run: false,
        owner_hint: Some(owner),
    };
    let rr = base(to, &t.db, crate::ops::Op::Restore);
    let (mut rr, interrupted) = restore_one(ctx, &ro, to, &t.db, who, rr, None).await;
    r.recovered.append(&mut rr.recovered);
    cleanup(&staged.tmpdir);
    if rr.outcome != Outcome::Changed {
        return Err(Halt {
            outcome: rr.outcome,
            msg: rr.error.unwrap_or_default(),
            interrupted,
        });
    }
    Ok(())
}

/// Compares the copy with the source (users, modules, attachments,
/// filestore files); a copy that differs or cannot be read is removed.
async fn verify_copy(
    ctx: &Ctx,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
    src: &Source,
) -> std::result::Result<(), Halt> {
    let (before, files, fs_dst) = (&src.before, src.files, &src.fs_dst);
    // Verify the copy before the source goes.
    let verified = async {
        let conn = to.connect(&t.db, &ctx.transport).await?;
        let after = ob::fingerprint(&conn.client, conn.deadline).await?;
        let mut diff = Vec::new();
        for k in ["users", "modules", "attachments"] {
            if before[k] != after[k] {
                diff.push(k.to_string());
            }
        }
        if let (Some(_), Some(fs)) = (&src.fs_src, fs_dst) {
            let (n, _) = filestore_size(to, fs, &t.db).await?;
            if n != files {
                diff.push(format!("filestore files ({n} instead of {files})"));
            }
        }
        anyhow::Ok(diff)
    }
    .await;
    let drop_copy = || async {
        if let Ok(m) = maintenance(ctx, to).await {
            let _ = lc::drop_database(&m.client, &t.db, m.deadline).await;
        }
        if let Some(fs) = fs_dst {
            let _ = fs.remove(&t.db).await;
        }
    };
    match verified {
        Ok(d) if d.is_empty() => Ok(()),
        Ok(d) => {
            drop_copy().await;
            Err(Halt::failed(
                who,
                format!(
                    "the copy on {} differs from the source ({}); copy removed, source untouched",
                    to.name(),
                    d.join(", ")
                ),
            ))
        }
        Err(x) => {
            drop_copy().await;
            Err(Halt::failed(
                who,
                format!("verifying the copy: {x:#}; copy removed, source untouched"),
            ))
        }
    }
}

/// Soft-drops the source (its dropped name into `r`); a source that could
/// not be dropped leaves both, said as an unknown outcome.
async fn drop_source(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
    r: &mut Report,
    log: Option<&AuditLog>,
) -> std::result::Result<(), Halt> {
    let both = || Halt {
        outcome: Outcome::Unknown,
        msg: format!("{who}: copied and verified; source NOT dropped (both exist now)"),
        interrupted: false,
    };
    // Soft-drop the source (reversible with undrop).
    let lo = LifecycleOpts {
        action: LifecycleAction::Drop {
            tenant: t.display(),
            force: true,
        },
        no_filestore: o.no_filestore,
        yes: true,
        dry_run: false,
    };
    let moved_to = format!("{}/{}", to.name(), t.db);
    match drop_one(ctx, &lo, &t.display(), true, false, Some(&moved_to)).await {
        Ok(Some((mut d, _))) if d.outcome == Outcome::Changed => {
            if d.dry_run.is_none() {
                audited(log, &mut d);
            }
            if let crate::ops::Details::Drop(x) = &d.details {
                r.details.moved().source_dropped_as = Some(x.dropped_name.clone());
            }
            Ok(())
        }
        Ok(Some((mut d, _))) => {
            r.recovered.append(&mut d.recovered);
            r.warnings.push(format!(
                "the copy on {} is verified, but the source could not be soft-dropped: {}",
                to.name(),
                d.error.unwrap_or_default()
            ));
            Err(both())
        }
        Ok(None) | Err(_) => Err(both()),
    }
}
