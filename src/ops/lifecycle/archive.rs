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
//!   `--copy` the identity of [`lc::regenerate`], the filestore streamed as
//!   a tar to `tar -x` on the node's host and given to `filestore_owner`,
//!   then both renamed to NAME. Any failure or Ctrl-C undoes every step; a
//!   kill -9 leaves a staging name that the next create/duplicate/restore on
//!   the node removes.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{
    base, building, clean_stale, confirm, e, filestore_for, finish, maintenance, node_for,
    pattern_url, pause_point, run_guard, staging_name, staging_note, stamp_now, undone,
    verify_identity, Interrupted, Steps, Stop, Undo,
};

use crate::commands::Ctx;
use crate::config::{
    BackupFormat, BackupOpts, BulkBackupOpts, LifecycleAction, LifecycleOpts, MoveOpts, RestoreOpts,
};
use crate::error::{Error, Result};
use crate::filestore::{self, Filestore, SafeName};
use crate::interrupt::Guard;
use crate::odoo::backup as ob;
use crate::odoo::layers::{self, Blocked};
use crate::odoo::lifecycle::{self as lc, check_db_name, Identity};
use crate::odoo::loader;
use crate::ops::{report, Outcome, Report};
use crate::pgtool::{self, PgTool};
use crate::targets::Target;
use crate::transport::NodeLink;

// ------------------------------------------------------------------ backup

/// The tenant of `backup`: a database blocked by hand (ALLOW_CONNECTIONS
/// false without tenantctl's record) is not listed by the nodes, so it is
/// looked for by name; it is dumped from a snapshot as the blocked tenants
/// are (see [`Snapshot`]).
async fn backup_target(ctx: &Ctx, spec: &str) -> Result<Target> {
    match ctx.resolve(spec).await {
        Ok(t) => {
            crate::commands::direct_only(&t.link)?;
            Ok(t)
        }
        Err(err) => {
            let (node, name) = crate::targets::split_spec(spec, &ctx.links);
            for link in ctx
                .links
                .iter()
                .filter(|l| node.is_none_or(|n| l.name() == n))
            {
                let Ok(m) = maintenance(ctx, link).await else {
                    continue;
                };
                if let Ok(Some(info)) = lc::db_info(&m.client, name, m.deadline).await {
                    if !info.allow_connections && !info.is_template {
                        return Ok(Target {
                            link: link.clone(),
                            db: info.name,
                        });
                    }
                }
            }
            Err(err)
        }
    }
}

/// The private copy a blocked tenant is dumped from: the tenant stays
/// blocked (nothing lets Odoo back in), the copy is reachable by
/// tenantctl's role only ([`lc::snapshot`]) and dropped when the dump is
/// written or failed. Named like a database being built, with its record in
/// the comment, so that the next create/duplicate/restore on the node
/// removes one a kill -9 left behind.
struct Snapshot {
    name: String,
    /// tenantctl's record of the block (suspension layer `connections`),
    /// carried in the zip's manifest so that a restore blocks the copy too.
    blocked: Option<Blocked>,
}

impl Snapshot {
    /// None when `db` is not blocked (the connection failed for another
    /// reason, said by the caller).
    async fn take(ctx: &Ctx, t: &Target) -> anyhow::Result<Option<Snapshot>> {
        let m = maintenance(ctx, &t.link).await?;
        let (blocked, owner) = match lc::db_info(&m.client, &t.db, m.deadline).await? {
            Some(info) if !info.allow_connections => {
                (info.comment.as_deref().and_then(Blocked::parse), info.owner)
            }
            _ => return Ok(None),
        };
        let name = staging_name(&t.db);
        let note = staging_note(&t.db, Some(&t.db));
        // The local record covers a kill between its CREATE and its
        // comment; kept when making it failed (the next clean-up removes a
        // record whose database is gone, or the database it left).
        let intent = building::Intent::write(&t.link, &name);
        if let Err(x) = &intent {
            ctx.printer.warn(format!(
                "the local record of {} could not be written ({x}); a kill -9 right after its \
                 CREATE DATABASE would leave it unmarked",
                e(&name)
            ));
        }
        let made = async {
            lc::snapshot(&m.client, &name, &t.db, &owner, m.deadline).await?;
            pause_point("snapshot-mark").await;
            lc::open_snapshot(&m.client, &name, &owner, &note, m.deadline).await
        };
        made.await.map_err(|x| {
                anyhow!(
                    "{}/{} is blocked (ALLOW_CONNECTIONS false) and is dumped from a snapshot, \
                     which could not be made (PostgreSQL lets only a superuser or the database's owner \
                     copy it): {x:#}",
                    t.link.name(),
                    e(&t.db)
                )
            })?;
        if let Ok(i) = intent {
            i.clear();
        }
        Ok(Some(Snapshot { name, blocked }))
    }

    /// Drops the copy (on a new maintenance connection: the node's
    /// connection slots are not held meanwhile). What could not be dropped
    /// is returned as a warning.
    async fn remove(self, ctx: &Ctx, t: &Target) -> Option<String> {
        let r = match maintenance(ctx, &t.link).await {
            Ok(m) => lc::drop_database(&m.client, &self.name, m.deadline).await,
            Err(x) => Err(x),
        };
        r.err().map(|x| {
            format!(
                "the snapshot {} was not dropped ({x:#}); drop it, or the next create/duplicate/restore on {} does",
                e(&self.name),
                t.link.name()
            )
        })
    }
}

/// `tenantctl backup TENANT`.
pub async fn backup(ctx: &Ctx, o: &BackupOpts) -> Result<u8> {
    let log = ctx.audit_log()?;
    let t = backup_target(ctx, &o.tenant).await?;
    let guard = run_guard();
    let r = backup_one(ctx, &t, o, &log, false)
        .await
        .expect("not skipped: skip_not_odoo is false");
    Ok(report::single(ctx, &r, guard.interrupted(), false))
}

/// `tenantctl bulk backup --all-matching --dir DIR [--keep N]`: every
/// Odoo tenant of the selected nodes (matching `--match`), in parallel
/// within `--concurrency` and each node's `max_connections` (a backup holds
/// a connection slot of its node while pg_dump runs), then `--keep`.
pub async fn bulk_backup(ctx: &Ctx, o: &BulkBackupOpts) -> Result<u8> {
    let started = std::time::Instant::now();
    if !o.all_matching {
        return Err(Error::usage(anyhow!(
            "bulk backup picks its tenants with the selectors (--node, --label, --match): pass --all-matching to confirm"
        )));
    }
    let matcher = match &o.pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|x| Error::usage(anyhow!("--match {p:?}: {x}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    if !o.dir.is_dir() {
        return Err(Error::usage(anyhow!(
            "--dir {}: not a directory",
            o.dir.display()
        )));
    }
    let log = Arc::new(ctx.audit_log()?);
    let scans = crate::targets::scan(&ctx.links, &ctx.transport).await;
    let mut reports = Vec::new();
    let mut targets = Vec::new();
    for s in &scans {
        match &s.result {
            Ok(cands) => {
                for c in cands {
                    if matcher.as_ref().is_none_or(|m| m.is_match(&c.name)) {
                        targets.push(Target {
                            link: s.link.clone(),
                            db: c.name.clone(),
                        });
                    }
                }
            }
            Err(x) => {
                let mut r = base(
                    &s.link,
                    &format!("{}/*", s.link.name()),
                    crate::ops::Op::Backup,
                );
                r = r.fail(Outcome::Failed, x.clone());
                reports.push(r);
            }
        }
    }
    // A name that is not a valid Odoo name never becomes a file name
    // (issue 22): skipped, said.
    targets.retain(|t| match SafeName::new(&t.db) {
        Ok(_) => true,
        Err(m) => {
            let msg = format!("{}: skipped: {m}", e(&t.display()));
            ctx.printer.warn(msg.clone());
            reports.push(base(&t.link, &t.db, crate::ops::Op::Backup).fail(Outcome::Skipped, msg));
            false
        }
    });
    // Tenants of a PgBouncer node without a direct route: refused each
    // (pg_dump needs PostgreSQL itself), the others backed up.
    targets.retain(|t| match crate::commands::direct_only(&t.link) {
        Ok(()) => true,
        Err(x) => {
            reports.push(
                base(&t.link, &t.db, crate::ops::Op::Backup)
                    .fail(Outcome::Refused, format!("{}: {x:#}", t.display())),
            );
            false
        }
    });
    if o.dry_run {
        for t in &targets {
            let r = base(&t.link, &t.db, crate::ops::Op::Backup);
            let mut r = r.ok(
                Outcome::WouldChange,
                format!(
                    "dry run: would back up {} to {}",
                    t.display(),
                    o.dir.display()
                ),
            );
            r.dry_run = Some(true);
            reports.push(r);
        }
        return Ok(report::bulk(ctx, "backup", &reports, 0.0, false, true));
    }
    ctx.printer.info(format!(
        "backing up {} databases to {}",
        targets.len(),
        o.dir.display()
    ));
    let guard = run_guard();
    let opts = BackupOpts {
        tenant: String::new(),
        file: None,
        dir: Some(o.dir.clone()),
        format: o.format,
        no_filestore: o.no_filestore,
    };
    let mut done: Vec<(usize, Report)> = Vec::new();
    let limit = Arc::new(tokio::sync::Semaphore::new(ctx.global.concurrency.max(1)));
    let total = targets.len() as u64;
    let bar = crate::ops::run::progress_bar(ctx, total);
    if let Some(b) = &bar {
        b.tick();
    }
    // Every job runs on this task: plain cells count them.
    let (finished, not_ok) = (std::cell::Cell::new(0u64), std::cell::Cell::new(0u64));
    let (finished, not_ok, bar) = (&finished, &not_ok, &bar);
    // Each job borrows the Ctx: all run on this task (the dumps themselves in
    // blocking threads), at most `--concurrency` at once.
    let mut futs = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let limit = limit.clone();
        let (log, opts, guard) = (log.clone(), opts.clone(), guard.clone());
        futs.push(async move {
            let _slot = limit.acquire_owned().await.ok()?;
            if guard.interrupted() {
                let r = base(&t.link, &t.db, crate::ops::Op::Backup);
                return Some((
                    i,
                    r.fail(Outcome::Skipped, format!("{}: interrupted", t.display())),
                ));
            }
            let mut r = backup_one(ctx, t, &opts, &log, true).await?;
            if let (Some(keep), true) = (o.keep, r.outcome.is_ok()) {
                match prune(&o.dir, &t.db, keep) {
                    Ok(removed) if !removed.is_empty() => {
                        r.extra.insert("pruned".into(), json!(removed));
                    }
                    Ok(_) => {}
                    Err(x) => r.warnings.push(format!("--keep {keep}: {x:#}")),
                }
            }
            // As the other bulk runs: a bar on a terminal, else plain lines
            // as tenants finish (cron mail, logs); the table at the end.
            let n = finished.get() + 1;
            finished.set(n);
            if !r.outcome.is_ok() {
                not_ok.set(not_ok.get() + 1);
            }
            match &bar {
                Some(b) => {
                    b.set_position(n);
                    crate::ops::run::bar_message(
                        b,
                        &format!(
                            "ETA {}; {} not ok",
                            indicatif::HumanDuration(b.eta()),
                            not_ok.get()
                        ),
                    );
                }
                None if !ctx.printer.quiet => eprintln!(
                    "tenantctl: [{n}/{total}] {}",
                    crate::output::esc(&crate::ops::run::progress_line(&t.display(), &r))
                ),
                None => {}
            }
            Some((i, r))
        });
    }
    done.extend(futures_join(futs).await.into_iter().flatten());
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    done.sort_by_key(|(i, _)| *i);
    reports.extend(done.into_iter().map(|(_, r)| r));
    Ok(report::bulk(
        ctx,
        "backup",
        &reports,
        started.elapsed().as_secs_f64(),
        guard.interrupted(),
        false,
    ))
}

/// Runs futures concurrently on the current task, results in order.
async fn futures_join<F: std::future::Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_some() {
                continue;
            }
            match f.as_mut().poll(cx) {
                std::task::Poll::Ready(v) => out[i] = Some(v),
                std::task::Poll::Pending => pending = true,
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|v| v.expect("polled to completion"))
        .collect()
}

/// Removes the older backups of `tenant` in `dir` (its default names
/// `<tenant>_<UTC time>.zip|.dump`), keeping the newest `keep`; the removed
/// names.
fn prune(dir: &Path, tenant: &str, keep: usize) -> anyhow::Result<Vec<String>> {
    let mut mine: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if is_backup_of(&name, tenant) {
            mine.push(name);
        }
    }
    // The UTC times sort as text; zip and dump of one time side by side.
    mine.sort();
    let n = mine.len().saturating_sub(keep);
    let old: Vec<String> = mine.into_iter().take(n).collect();
    for f in &old {
        std::fs::remove_file(dir.join(f))?;
    }
    Ok(old)
}

/// `<tenant>_YYYYMMDDTHHMMSSZ.zip` or `.dump`.
fn is_backup_of(name: &str, tenant: &str) -> bool {
    let Some(rest) = name.strip_prefix(tenant).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    let Some(stamp) = rest
        .strip_suffix(".zip")
        .or_else(|| rest.strip_suffix(".dump"))
    else {
        return false;
    };
    let b = stamp.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// One backup: its report (audited), or None when `skip_not_odoo` and the
/// database is not an Odoo tenant (selector runs).
async fn backup_one(
    ctx: &Ctx,
    t: &Target,
    o: &BackupOpts,
    log: &crate::audit::AuditLog,
    skip_not_odoo: bool,
) -> Option<Report> {
    let who = t.display();
    let mut r = base(&t.link, &t.db, crate::ops::Op::Backup);
    macro_rules! stop {
        ($outcome:expr, $msg:expr) => {{
            r = r.fail($outcome, $msg);
            super::audit_line(log, &mut r, None);
            return Some(r);
        }};
    }
    let name = match SafeName::new(&t.db) {
        Ok(n) => n,
        Err(m) => stop!(Outcome::Refused, m),
    };
    let with_fs = o.format == BackupFormat::Zip && !o.no_filestore;
    let fs = if with_fs {
        match Filestore::of(&t.link) {
            Some(f) => Some(f),
            None => stop!(Outcome::Refused, filestore::missing(t.link.name())),
        }
    } else {
        None
    };
    // Held until the dump is written: pg_dump's connection counts in the
    // node's max_connections. A blocked tenant is dumped from a snapshot.
    let guard = run_guard();
    let mut snapshot = None;
    let conn = match t.link.connect(&t.db, &ctx.transport).await {
        Ok(c) => c,
        Err(x) => match Snapshot::take(ctx, t).await {
            Ok(Some(s)) => {
                let name = s.name.clone();
                snapshot = Some(s);
                match t.link.connect(&name, &ctx.transport).await {
                    Ok(c) => c,
                    Err(x) => {
                        if let Some(w) = snapshot.take().unwrap().remove(ctx, t).await {
                            r.warnings.push(w);
                        }
                        stop!(Outcome::Failed, format!("{who}: {x:#}; nothing written"))
                    }
                }
            }
            Ok(None) => stop!(Outcome::Failed, format!("{who}: {x:#}; nothing written")),
            Err(y) => stop!(Outcome::Failed, format!("{who}: {y:#}; nothing written")),
        },
    };
    let made = backup_from(
        ctx,
        t,
        &name,
        o,
        Source {
            conn: &conn,
            snapshot: snapshot.as_ref(),
            fs: fs.as_ref(),
        },
        &guard,
        skip_not_odoo,
    )
    .await;
    drop(conn);
    if let Some(s) = snapshot {
        if let Some(w) = s.remove(ctx, t).await {
            r.warnings.push(w);
        }
        if made.is_ok() {
            r.extra.insert("snapshot".into(), json!(true));
        }
    }
    let Written {
        path,
        ext,
        made,
        seconds,
    } = match made {
        Ok(w) => w,
        Err(Some((outcome, msg))) => stop!(outcome, msg),
        Err(None) => return None,
    };
    r.extra
        .insert("file".into(), json!(path.display().to_string()));
    r.extra.insert("format".into(), json!(ext));
    r.extra.insert("bytes".into(), json!(made.bytes));
    r.extra.insert("sha256".into(), json!(made.sha256));
    r.extra.insert("seconds".into(), json!(seconds));
    if with_fs {
        r.extra.insert("filestore_files".into(), json!(made.files));
    }
    r.warnings.extend(made.warnings.clone());
    let from_snapshot = r.extra.contains_key("snapshot");
    r = r.ok(
        Outcome::Unchanged,
        format!(
            "backup: {who} -> {} ({} bytes{}, {:.1}s{})\nsha256 {}",
            path.display(),
            made.bytes,
            if with_fs {
                format!(", {} filestore files", made.files)
            } else {
                String::new()
            },
            seconds,
            if from_snapshot {
                "; blocked: dumped from a private snapshot, the tenant stayed blocked"
            } else {
                ""
            },
            made.sha256
        ),
    );
    super::audit_line(
        log,
        &mut r,
        Some(&format!("sha256:{} file:{}", made.sha256, path.display())),
    );
    Some(r)
}

/// The manifest key of tenantctl's record of a blocked tenant (Odoo's
/// restore reads only `dump.sql` and `filestore/`, other keys are ignored).
const BLOCKED_KEY: &str = "tenantctl_blocked";

/// What a backup reads: the connection (to the tenant or its snapshot),
/// the snapshot of a blocked tenant, the node's filestore.
struct Source<'a> {
    conn: &'a crate::transport::Conn,
    snapshot: Option<&'a Snapshot>,
    fs: Option<&'a Filestore>,
}

/// A written backup.
struct Written {
    path: PathBuf,
    ext: &'static str,
    made: Made,
    seconds: f64,
}

/// The dump of `t` (read through `conn`, from `snapshot` when the tenant is
/// blocked) into its final file: Err(None) when `skip_not_odoo` and the
/// database is not an Odoo tenant, Err(Some) how it failed (nothing written).
#[allow(clippy::too_many_arguments)]
async fn backup_from(
    ctx: &Ctx,
    t: &Target,
    name: &SafeName,
    o: &BackupOpts,
    src: Source<'_>,
    guard: &Guard,
    skip_not_odoo: bool,
) -> std::result::Result<Written, Option<(Outcome, String)>> {
    let Source { conn, snapshot, fs } = src;
    let who = t.display();
    let source = snapshot.map_or(t.db.as_str(), |s| s.name.as_str());
    macro_rules! fail {
        ($outcome:expr, $msg:expr) => {{
            return Err(Some(($outcome, $msg)));
        }};
    }
    if skip_not_odoo {
        if let Ok(crate::odoo::probe::Probe::NotOdoo) = crate::odoo::probe::summary(conn).await {
            return Err(None);
        }
    }
    let mut manifest = match ob::manifest(&conn.client, &t.db, conn.deadline).await {
        Ok(m) => m,
        Err(x) => fail!(Outcome::Failed, format!("{who}: {x:#}; nothing written")),
    };
    let mut warnings = Vec::new();
    if let Some(b) = snapshot.and_then(|s| s.blocked.as_ref()) {
        match o.format {
            BackupFormat::Zip => {
                manifest[BLOCKED_KEY] = json!(Blocked {
                    previous_comment: None,
                    ..b.clone()
                });
            }
            BackupFormat::Dump => warnings.push(
                "the tenant is blocked (suspension layer `connections`); a custom-format dump cannot carry that \
                 record, so a restore of this file is not blocked (use the zip format, or suspend the restored \
                 tenant with --layers +connections)"
                    .to_string(),
            ),
        }
    }
    let server_major = match ob::server_version(&conn.client, conn.deadline).await {
        Ok((_, m)) => m,
        Err(x) => fail!(Outcome::Failed, format!("{who}: {x:#}; nothing written")),
    };
    if let Err(m) = pgtool::client_major("pg_dump", server_major) {
        fail!(Outcome::Refused, format!("{who}: {m}; nothing written"));
    }
    let ext = match o.format {
        BackupFormat::Zip => "zip",
        BackupFormat::Dump => "dump",
    };
    // The default name: of the validated name only, checked to stay in
    // the directory.
    let path = match &o.file {
        Some(f) => f.clone(),
        None => match filestore::inside(
            o.dir.as_deref().unwrap_or(Path::new(".")),
            &format!("{name}_{}.{ext}", stamp_now()),
        ) {
            Ok(p) => p,
            Err(m) => fail!(Outcome::Refused, format!("{who}: {m}")),
        },
    };
    if path.exists() {
        fail!(
            Outcome::Refused,
            format!(
                "{who}: {} exists; tenantctl never overwrites a backup; nothing written",
                path.display()
            )
        );
    }
    let Some(fname) = path.file_name().map(|f| f.to_string_lossy().into_owned()) else {
        fail!(
            Outcome::Refused,
            format!(
                "{who}: {}: not a file name; nothing written",
                path.display()
            )
        );
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        fail!(
            Outcome::Refused,
            format!(
                "{who}: {} is not a directory; nothing written",
                dir.display()
            )
        );
    }
    let tmp = dir.join(format!(".{fname}.partial-{}", std::process::id()));
    let tool = match PgTool::for_db(&t.link, &ctx.transport, source).await {
        Ok(x) => x,
        Err(x) => fail!(Outcome::Failed, format!("{who}: {x:#}; nothing written")),
    };
    let fs_cmd = match fs {
        Some(fs) => {
            let d = fs.dir(name).to_string_lossy().into_owned();
            match t
                .link
                .shell_command(
                    r#"[ -d "$1" ] || exit 0; cd "$1" && exec tar -cf - ."#,
                    &[&d],
                )
                .await
            {
                Ok(c) => Some(c),
                Err(x) => fail!(Outcome::Failed, format!("{who}: {x:#}; nothing written")),
            }
        }
        None => None,
    };
    super::pause_point("dump").await;
    let t0 = std::time::Instant::now();
    let format = o.format;
    let tmp2 = tmp.clone();
    let g2 = guard.clone();
    let made = tokio::task::spawn_blocking(move || {
        write_backup(&tool, format, &tmp2, fs_cmd, &manifest, &|| {
            g2.interrupted()
        })
    })
    .await
    .map_err(|x| anyhow!("backup: {x}"))
    .and_then(|x| x);
    let made = match made {
        Ok(m) if !guard.interrupted() => m,
        Ok(_) | Err(_) => {
            let _ = std::fs::remove_file(&tmp);
            let interrupted = guard.interrupted();
            let msg = match made {
                Err(x) if !interrupted => format!("{who}: {x:#}; no backup file written"),
                _ => format!("{who}: interrupted; no backup file written"),
            };
            fail!(
                if interrupted {
                    Outcome::Skipped
                } else {
                    Outcome::Failed
                },
                msg
            );
        }
    };
    // No overwrite, even of a file that appeared meanwhile.
    if let Err(x) = std::fs::hard_link(&tmp, &path).or_else(|x| {
        if path.exists() {
            Err(x)
        } else {
            std::fs::rename(&tmp, &path)
        }
    }) {
        let _ = std::fs::remove_file(&tmp);
        fail!(
            Outcome::Failed,
            format!("{who}: {}: {x}; no backup file written", path.display())
        );
    }
    let _ = std::fs::remove_file(&tmp);
    let seconds = t0.elapsed().as_secs_f64();
    let mut made = made;
    made.warnings.extend(warnings);
    Ok(Written {
        path,
        ext,
        made,
        seconds,
    })
}

/// A written backup file.
struct Made {
    bytes: u64,
    sha256: String,
    files: u64,
    warnings: Vec<String>,
}

/// Collects a child's stderr in a thread (so that a full pipe cannot stall
/// it) and returns its last error line (psql and pg_restore follow an
/// `ERROR:` with `DETAIL:`/`HINT:`/`CONTEXT:` lines), else its last
/// non-empty line.
fn stderr_tail(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut err = child.stderr.take();
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        let lines = || s.lines().rev().map(str::trim).filter(|l| !l.is_empty());
        lines()
            .find(|l| l.contains("ERROR:") || l.contains("error:") || l.contains("FATAL:"))
            .or_else(|| lines().next())
            .unwrap_or("")
            .to_string()
    })
}

fn wait_ok(
    mut child: Child,
    err: std::thread::JoinHandle<String>,
    what: &str,
) -> anyhow::Result<()> {
    let status = child
        .wait()
        .with_context(|| format!("waiting for {what}"))?;
    let tail = err.join().unwrap_or_default();
    if !status.success() {
        if tail.is_empty() {
            bail!("{what} failed ({status})");
        }
        bail!("{what} failed ({status}): {tail}");
    }
    Ok(())
}

fn create_private(path: &Path) -> anyhow::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Writes the whole backup to `tmp` (blocking); its size and SHA-256.
fn write_backup(
    tool: &PgTool,
    format: BackupFormat,
    tmp: &Path,
    fs_cmd: Option<std::process::Command>,
    manifest: &Value,
    interrupted: &dyn Fn() -> bool,
) -> anyhow::Result<Made> {
    let file = create_private(tmp)?;
    let mut made = Made {
        bytes: 0,
        sha256: String::new(),
        files: 0,
        warnings: vec![],
    };
    let mut dump = tool.command("pg_dump");
    dump.arg("--no-owner")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match format {
        BackupFormat::Dump => {
            dump.arg("--format=custom");
            let mut child = dump.spawn().context("starting pg_dump")?;
            let err = stderr_tail(&mut child);
            let mut out = child.stdout.take().expect("piped");
            let mut w = BufWriter::new(file);
            std::io::copy(&mut out, &mut w).context("writing the dump")?;
            wait_ok(child, err, "pg_dump")?;
            w.into_inner()
                .map_err(|x| anyhow!("writing the dump: {}", x.error()))?
                .sync_all()?;
        }
        BackupFormat::Zip => {
            use zip::write::SimpleFileOptions;
            // Deflate level 1: every level reads back the same (Odoo's
            // manager writes zlib's default, 6); compressing is what the zip
            // costs beyond pg_dump, and level 1 costs less CPU for a somewhat
            // larger file (67 vs 59 MB for the benchmark's 2.4 GB tenant,
            // docs/performance.md, lifecycle).
            let opts = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(1))
                .large_file(true)
                .unix_permissions(0o644);
            let mut z = zip::ZipWriter::new(BufWriter::new(file));
            dump.arg("--format=plain");
            z.start_file("dump.sql", opts)?;
            let mut child = dump.spawn().context("starting pg_dump")?;
            let err = stderr_tail(&mut child);
            let mut out = child.stdout.take().expect("piped");
            std::io::copy(&mut out, &mut z).context("writing dump.sql")?;
            wait_ok(child, err, "pg_dump")?;
            if interrupted() {
                bail!(Interrupted);
            }
            if let Some(mut cmd) = fs_cmd {
                cmd.stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                let mut child = cmd.spawn().context("starting tar for the filestore")?;
                let err = stderr_tail(&mut child);
                let out = child.stdout.take().expect("piped");
                let mut ar = tar::Archive::new(out);
                let dir_opts = opts.unix_permissions(0o755);
                for entry in ar.entries().context("reading the filestore tar")? {
                    let mut entry = entry.context("reading the filestore tar")?;
                    let p = entry.path()?.to_string_lossy().into_owned();
                    let rel = p.trim_start_matches("./").trim_end_matches('/');
                    if rel.is_empty() || rel == "." {
                        continue;
                    }
                    if rel.split('/').any(|c| c == ".." || c.is_empty()) {
                        made.warnings.push(format!("filestore: skipped {}", e(rel)));
                        continue;
                    }
                    match entry.header().entry_type() {
                        tar::EntryType::Directory => {
                            z.add_directory(format!("filestore/{rel}/"), dir_opts)?;
                        }
                        tar::EntryType::Regular | tar::EntryType::Continuous => {
                            z.start_file(format!("filestore/{rel}"), opts)?;
                            std::io::copy(&mut entry, &mut z)
                                .with_context(|| format!("copying filestore/{rel}"))?;
                            made.files += 1;
                        }
                        _ => made.warnings.push(format!(
                            "filestore: skipped {} (not a regular file)",
                            e(rel)
                        )),
                    }
                }
                wait_ok(child, err, "tar (filestore)")?;
            }
            z.start_file("manifest.json", opts)?;
            serde_json::to_writer_pretty(&mut z, manifest)?;
            let w = z.finish().context("finishing the zip")?;
            w.into_inner()
                .map_err(|x| anyhow!("writing the zip: {}", x.error()))?
                .sync_all()?;
        }
    }
    let (bytes, sha) = sha256_of(tmp)?;
    made.bytes = bytes;
    made.sha256 = sha;
    Ok(made)
}

fn sha256_of(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, h.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

// ------------------------------------------------------------------ restore

/// What a backup file holds.
enum Kind {
    /// A zip in Odoo's layout; `fs_bytes`: the declared uncompressed size
    /// of its filestore.
    Zip {
        files: u64,
        fs_bytes: u64,
        manifest: Option<Value>,
    },
    /// `pg_dump --format=custom`.
    Custom,
}

/// The largest `manifest.json` a restore reads.
const MANIFEST_MAX: u64 = 1 << 20;

/// A zip from outside is hostile until checked (issue 22): only regular
/// files and directories (no symlink or device in the external attributes),
/// `dump.sql` and `manifest.json` regular files, `manifest.json` at most
/// [`MANIFEST_MAX`], and an overall compression ratio of at most
/// `max_ratio` (the inventory's `restore_max_ratio`). The declared sizes
/// are checked here, the real ones while the entries stream
/// ([`Declared`]). The declared size of the filestore.
fn check_zip<R: Read + std::io::Seek>(
    z: &mut zip::ZipArchive<R>,
    max_ratio: u64,
) -> std::result::Result<u64, String> {
    let (mut packed, mut unpacked, mut fs_bytes) = (0u64, 0u64, 0u64);
    for i in 0..z.len() {
        let f = z.by_index_raw(i).map_err(|x| format!("entry {i}: {x}"))?;
        let name = f.name().to_string();
        let kind = f.unix_mode().map(|m| m & libc::S_IFMT);
        let plain = matches!(
            kind,
            None | Some(0) | Some(libc::S_IFREG) | Some(libc::S_IFDIR)
        );
        if f.is_symlink() || !plain {
            return Err(format!(
                "entry {name:?} is not a regular file or directory (mode {:o}); refusing the archive",
                f.unix_mode().unwrap_or(0)
            ));
        }
        if matches!(name.as_str(), "dump.sql" | "manifest.json")
            && (f.is_dir() || kind == Some(libc::S_IFDIR))
        {
            return Err(format!("entry {name:?} is not a regular file"));
        }
        if name == "manifest.json" && f.size() > MANIFEST_MAX {
            return Err(format!(
                "manifest.json declares {} bytes (at most {MANIFEST_MAX} are read); refusing the archive",
                f.size()
            ));
        }
        packed = packed.saturating_add(f.compressed_size());
        unpacked = unpacked.saturating_add(f.size());
        if name.starts_with("filestore/") {
            fs_bytes = fs_bytes.saturating_add(f.size());
        }
    }
    if unpacked > packed.max(1).saturating_mul(max_ratio) {
        return Err(format!(
            "the archive expands {unpacked} bytes from {packed} (more than {max_ratio}:1, the node's restore_max_ratio); \
             refusing what looks like a zip bomb"
        ));
    }
    Ok(fs_bytes)
}

/// An entry's reader that fails once it yields more than the entry's
/// declared size (a zip's sizes are the sender's word).
struct Declared<R> {
    inner: R,
    left: u64,
    name: String,
}

impl<R: Read> Read for Declared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte past the declared size is enough to know.
        let want = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "{}: expands beyond its declared size; aborted",
                self.name
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Refuses a zip whose filestore's declared size exceeds the free space of
/// the node's filestore root (measured on the node's host).
async fn check_space(
    link: &NodeLink,
    fs: Option<&Filestore>,
    kind: &Kind,
) -> std::result::Result<(), String> {
    let (Some(fs), Kind::Zip { fs_bytes, .. }) = (fs, kind) else {
        return Ok(());
    };
    let root = fs.root.to_string_lossy();
    let out = node_sh(link, r#"df -Pk "$1" | awk 'NR==2 {print $4}'"#, &[&root])
        .await
        .map_err(|x| format!("the free space of {}: {x:#}", fs.root.display()))?;
    let free = out
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("the free space of {}: df said {:?}", fs.root.display(), out))?
        .saturating_mul(1024);
    if *fs_bytes > free {
        return Err(format!(
            "the archive's filestore declares {fs_bytes} bytes, the filestore root {} has {free} bytes free",
            fs.root.display()
        ));
    }
    Ok(())
}

/// Reads a backup file's layout; a refusal when it is none we know.
fn inspect(path: &Path, max_ratio: u64) -> std::result::Result<Kind, String> {
    let f = File::open(path).map_err(|x| format!("{}: {x}", path.display()))?;
    if pgtool::is_custom_dump(path).map_err(|x| format!("{}: {x}", path.display()))? {
        return Ok(Kind::Custom);
    }
    let mut z = zip::ZipArchive::new(f).map_err(|x| {
        format!(
            "{}: neither a zip nor a pg_dump custom archive ({x})",
            path.display()
        )
    })?;
    if z.index_for_name("dump.sql").is_none() {
        return Err(format!(
            "{}: a zip without dump.sql is not an Odoo backup (expected dump.sql, filestore/, manifest.json)",
            path.display()
        ));
    }
    let fs_bytes = check_zip(&mut z, max_ratio).map_err(|m| format!("{}: {m}", path.display()))?;
    let mut files = 0;
    for i in 0..z.len() {
        if let Some(n) = z.name_for_index(i) {
            if n.starts_with("filestore/") && !n.ends_with('/') {
                files += 1;
            }
        }
    }
    let manifest = match z.by_name("manifest.json") {
        Ok(m) => Some(
            serde_json::from_reader::<_, Value>(Declared {
                left: m.size().min(MANIFEST_MAX),
                inner: m,
                name: "manifest.json".into(),
            })
            .map_err(|x| format!("{}: manifest.json: {x}", path.display()))?,
        ),
        Err(_) => None,
    };
    Ok(Kind::Zip {
        files,
        fs_bytes,
        manifest,
    })
}

/// `tenantctl restore NODE/NAME FILE`.
pub async fn restore(ctx: &Ctx, o: &RestoreOpts) -> Result<u8> {
    super::two_connections(ctx)?;
    let (link, name) = node_for(ctx, &o.target)?;
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let who = format!("{}/{}", link.name(), name);
    let mut r = base(&link, &name, crate::ops::Op::Restore);
    r.extra
        .insert("file".into(), json!(o.file.display().to_string()));
    r.extra.insert(
        "mode".into(),
        json!(if o.keep_identity { "move" } else { "copy" }),
    );
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let (r, interrupted) = restore_one(ctx, o, &link, &name, &who, r).await;
    Ok(finish(ctx, log.as_ref(), r, interrupted, false))
}

async fn restore_one(
    ctx: &Ctx,
    o: &RestoreOpts,
    link: &Arc<NodeLink>,
    name: &str,
    who: &str,
    mut r: Report,
) -> (Report, bool) {
    let refuse = |r: Report, m: String| (r.fail(Outcome::Refused, format!("{who}: {m}")), false);
    if let Err(m) = check_db_name(name) {
        return refuse(r, format!("{m}; nothing changed"));
    }
    let kind = match inspect(&o.file, link.node.lifecycle.restore_max_ratio) {
        Ok(k) => k,
        Err(m) => return refuse(r, format!("{m}; nothing changed")),
    };
    let fs_files = match &kind {
        Kind::Zip { files, .. } => *files,
        Kind::Custom => 0,
    };
    let fs = if fs_files > 0 {
        match filestore_for(link, o.no_filestore) {
            Ok(f) => f,
            Err(m) => return refuse(r, m),
        }
    } else {
        None
    };
    let mut blocked = None;
    if let Kind::Zip {
        manifest: Some(m), ..
    } = &kind
    {
        for k in ["db_name", "version"] {
            if let Some(v) = m.get(k) {
                r.extra.insert(format!("manifest_{k}"), v.clone());
            }
        }
        blocked = m
            .get(BLOCKED_KEY)
            .and_then(|b| serde_json::from_value::<Blocked>(b.clone()).ok())
            .filter(|b| b.tenantctl == "suspended");
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => {
            return (
                r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                false,
            )
        }
    };
    let d = maint.deadline;
    let server_major = match ob::server_version(&maint.client, d).await {
        Ok((_, m)) => m,
        Err(x) => {
            return (
                r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                false,
            )
        }
    };
    let prog = match kind {
        Kind::Zip { .. } => "psql",
        Kind::Custom => "pg_restore",
    };
    if let Err(m) = pgtool::client_major(prog, server_major) {
        return refuse(r, format!("{m}; nothing changed"));
    }
    if prog == "psql" {
        if let Err(m) = pgtool::psql_restrict_ok() {
            return refuse(r, format!("{m}; nothing changed"));
        }
    }
    let who_loads = match load_as(link, &maint, o.owner_hint.as_deref()).await {
        Ok(Ok(l)) => l,
        Ok(Err(m)) => return refuse(r, format!("{m}; nothing changed")),
        Err(x) => {
            return (
                r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                false,
            )
        }
    };
    r.extra.insert("owner".into(), json!(who_loads.owner()));
    match lc::db_info(&maint.client, name, d).await {
        Ok(Some(_)) => {
            return refuse(
                r,
                format!(
                    "a database named {} exists on the node; restore never overwrites one; nothing changed",
                    e(name)
                ),
            )
        }
        Ok(None) => {}
        Err(x) => return (r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")), false),
    }
    if let Some(fs) = &fs {
        let checked = async {
            fs.check_root().await?;
            fs.exists(name).await
        }
        .await;
        match checked {
            Ok(false) => {}
            Ok(true) => {
                return refuse(
                    r,
                    format!(
                        "the filestore directory {} exists; nothing changed",
                        fs.show(name)
                    ),
                )
            }
            Err(x) => {
                return (
                    r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                    false,
                )
            }
        }
    }
    if let Err(m) = check_space(link, fs.as_ref(), &kind).await {
        return refuse(r, format!("{m}; nothing changed"));
    }
    let base_url = if o.keep_identity {
        None
    } else {
        pattern_url(link, name)
    };
    let mut plan = format!(
        "restore {who} from {}:\n  - CREATE DATABASE {} TEMPLATE template0\n  - load {}, {}",
        o.file.display(),
        e(name),
        match prog {
            "psql" => "dump.sql with psql -v ON_ERROR_STOP=1 behind \\restrict (no psql command of the file runs)",
            _ => "the archive with pg_restore --exit-on-error",
        },
        who_loads.describe()
    );
    if o.keep_identity {
        plan.push_str("\n  - keep database.uuid, database.secret (--move: the same tenant)");
    } else {
        plan.push_str("\n  - new database.secret, database.uuid, database.create_date (--copy)");
        if let Some(u) = &base_url {
            plan.push_str(&format!("\n  - web.base.url = {} (frozen)", e(u)));
        }
    }
    match (&fs, fs_files) {
        (Some(fs), n) => plan.push_str(&format!(
            "\n  - filestore: {n} files to {}{}",
            fs.show(name),
            fs.owner
                .as_deref()
                .map(|o| format!(" (owner {})", e(o)))
                .unwrap_or_default()
        )),
        (None, 0) => plan.push_str("\n  - no filestore in the backup"),
        (None, n) => plan.push_str(&format!(
            "\n  - filestore ({n} files) left out (--no-filestore)"
        )),
    }
    if blocked.is_some() {
        plan.push_str(
            "\n  - blocked from connections, as the backed-up tenant was (suspension layer `connections`; reactivate unblocks it)",
        );
        r.extra.insert("blocked".into(), json!(true));
    }
    r.extra.insert("filestore_files".into(), json!(fs_files));
    if o.dry_run {
        return (
            r.ok(
                Outcome::WouldChange,
                format!("dry run: would {plan}\nNothing changed."),
            ),
            false,
        );
    }
    if !o.yes {
        ctx.printer.info(&plan);
        match confirm(&format!("restore {who}?")) {
            Ok(true) => {}
            Ok(false) => return refuse(r, "aborted; nothing changed".into()),
            Err(x) => return refuse(r, format!("{x:#}")),
        }
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, who);
    let t0 = std::time::Instant::now();
    let job = Job {
        name,
        loads: who_loads,
        file: &o.file,
        custom: prog == "pg_restore",
        keep_identity: o.keep_identity,
        base_url,
        fs_files,
        blocked,
    };
    match do_restore(&mut steps, &job).await {
        Ok(()) => {
            r.extra
                .insert("seconds".into(), json!(t0.elapsed().as_secs_f64()));
            let r = r.ok(
                Outcome::Changed,
                format!(
                    "restore: {who} from {} in {:.1}s ({}, {})",
                    o.file.display(),
                    t0.elapsed().as_secs_f64(),
                    if o.keep_identity {
                        "identity kept (--move)"
                    } else {
                        "new identity (--copy)"
                    },
                    if steps.fs.is_some() {
                        format!("{fs_files} filestore files")
                    } else {
                        "no filestore".to_string()
                    }
                ),
            );
            (r, false)
        }
        Err(stop) => undone(&mut steps, r, who, stop).await,
    }
}

struct Job<'a> {
    name: &'a str,
    /// Whose session runs the file's SQL, and who owns the result.
    loads: LoadAs,
    file: &'a Path,
    custom: bool,
    keep_identity: bool,
    base_url: Option<String>,
    fs_files: u64,
    /// Block the restored tenant with this record.
    blocked: Option<Blocked>,
}

/// Runs a restore step by step (the caller undoes on error): database →
/// load → identity → filestore → rename.
async fn do_restore(steps: &mut Steps<'_>, j: &Job<'_>) -> std::result::Result<(), Stop> {
    let d = steps.maint.deadline;
    let link = steps.link;
    let staging = staging_name(j.name);
    steps.next("database").await?;
    let m = steps.maint;
    let loader = match &j.loads {
        LoadAs::Loader { operator, .. } => {
            let (role, password) = loader::new_loader();
            let record = match building::Intent::write_then(link, &role, building::Then::Role) {
                Ok(i) => Some(i),
                Err(x) => {
                    steps.ctx.printer.warn(format!(
                        "the local record of the role {} could not be written ({x}); a kill -9 before \
                         it is dropped would leave it (check lists such roles)",
                        e(&role)
                    ));
                    None
                }
            };
            if let Err(x) = loader::create_role(&m.client, &role, &password, operator, d).await {
                if let Some(i) = record {
                    i.clear();
                }
                return Err(anyhow!("CREATE ROLE {}: {x:#}", e(&role)).into());
            }
            steps.done.push(Undo::DropRole(role.clone(), record));
            Some((role, password))
        }
        LoadAs::Owner(_) => None,
    };
    let db_owner = match &loader {
        Some((role, _)) => role.clone(),
        None => j.loads.owner().to_string(),
    };
    let create = async {
        ob::create_empty(&m.client, &staging, &db_owner, d)
            .await
            .map_err(|x| anyhow!("CREATE DATABASE {}: {x:#}", e(&staging)))
    };
    steps.made_staging(&staging, j.name, create).await?;
    steps.next("load").await?;
    let login = loader.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
    let tool = PgTool::for_db_as(link, &steps.ctx.transport, &staging, login).await?;
    if let Some((role, _)) = &loader {
        // The node must let the loader in on tenantctl's route; never fall
        // back to the operator's role.
        let probe_tool = PgTool::for_db_as(link, &steps.ctx.transport, &staging, login).await?;
        let probed = tokio::task::spawn_blocking(move || probe_login(&probe_tool))
            .await
            .map_err(|x| anyhow!("psql: {x}"))?;
        if let Err(m) = probed {
            return Err(Stop::Refused(format!(
                "the node does not let tenantctl's temporary loader role {} log in ({m}): a backup's SQL \
                 runs only in a session of a role that is not a superuser. Allow password (scram-sha-256) \
                 logins for roles named tenantctl_load_* in pg_hba.conf on tenantctl's route, or run \
                 tenantctl as the tenant's Odoo role (not a superuser, inventory `user`) so that the file \
                 runs as that role",
                e(role)
            )));
        }
    }
    let file = j.file.to_path_buf();
    let custom = j.custom;
    let db = staging.clone();
    tokio::task::spawn_blocking(move || load(&tool, &file, custom, &db))
        .await
        .map_err(|x| anyhow!("loading: {x}"))?
        .map_err(|x| match x.downcast::<MetaCommand>() {
            Ok(m) => Stop::Refused(m.0),
            Err(x) => Stop::Failed(x),
        })?;
    if let Some((role, _)) = &loader {
        steps.next("owner").await?;
        let owner = j.loads.owner();
        let conn = link
            .connect(&staging, &steps.ctx.transport)
            .await
            .map_err(|x| x.context("connecting to the restored database"))?;
        loader::hand_over_objects(&conn.client, role, owner, conn.deadline)
            .await
            .map_err(|x| x.context(format!("giving the restored objects to {}", e(owner))))?;
        drop(conn);
        lc::wait_no_sessions(&m.client, &staging, d).await?;
        loader::hand_over_database(&m.client, &staging, owner, d)
            .await
            .map_err(|x| x.context(format!("giving {} to {}", e(&staging), e(owner))))?;
        // The file could rewrite the comment of the database it owned.
        let note = staging_note(j.name, None);
        lc::set_comment(&m.client, &staging, Some(&note), d).await?;
        loader::drop_role(&m.client, role, d).await?;
        steps.role_dropped(role);
    }
    if !j.keep_identity {
        steps.next("identity").await?;
        let mut conn = link
            .connect(&staging, &steps.ctx.transport)
            .await
            .map_err(|x| x.context("connecting to the restored database"))?;
        let id = Identity {
            base_url: j.base_url.clone(),
            ..Default::default()
        };
        let regen = lc::regenerate(
            &mut conn.client,
            &id,
            steps.ctx.global.allow_triggers,
            conn.deadline,
        )
        .await?;
        verify_identity(
            &conn,
            &[
                ("database.secret", &regen.secret),
                ("database.uuid", &regen.uuid),
            ],
        )
        .await?;
    }
    if let Some(fs) = steps.fs {
        if j.fs_files > 0 {
            steps.next("filestore").await?;
            steps.done.push(Undo::RemoveDir(staging.clone()));
            unpack_filestore(link, fs, &staging, j.file).await?;
        }
    }
    steps.next("rename").await?;
    steps.publish(&staging, j.name).await?;
    if let Some(b) = &j.blocked {
        // Undone by the rename back and the drop of the staging database.
        layers::block(&steps.maint.client, j.name, b, steps.maint.deadline).await?;
    }
    steps.next("done").await?;
    Ok(())
}

/// Loads the dump into `db` (blocking): `dump.sql` of a zip piped into
/// `psql`, or `pg_restore` on a custom archive.
fn load(tool: &PgTool, file: &Path, custom: bool, db: &str) -> anyhow::Result<()> {
    if custom {
        let mut c = tool.command("pg_restore");
        c.args(["--no-owner", "--exit-on-error", "-d", db])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().context("starting pg_restore")?;
        let err = stderr_tail(&mut child);
        return wait_ok(child, err, "pg_restore");
    }
    let mut z = zip::ZipArchive::new(File::open(file)?)?;
    let mut c = tool.command("psql");
    // `-f -`: psql's messages then name the line ("psql:<stdin>:N: ...").
    c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().context("starting psql")?;
    let err = stderr_tail(&mut child);
    let key = pgtool::restrict_key();
    let copied = {
        let mut input =
            std::io::BufWriter::with_capacity(1 << 16, child.stdin.take().expect("piped"));
        let entry = z.by_name("dump.sql")?;
        let fed = pgtool::feed_restricted(
            std::io::BufReader::with_capacity(1 << 16, entry),
            &mut input,
            &key,
        );
        fed.and_then(|d| input.flush().map(|()| d))
    };
    // psql stopping early (an error) closes its stdin: its own message
    // says why.
    let dropped = copied.as_ref().map(|d| d.as_slice()).unwrap_or(&[]);
    wait_ok(child, err, "psql (dump.sql)").map_err(|x| meta_command_refused(x, dropped))?;
    copied.context("feeding dump.sql to psql")?;
    Ok(())
}

/// psql's refusal of a meta-command behind `\restrict` ("psql:<stdin>:N:
/// error: backslash commands are restricted ..."), said with the line of
/// dump.sql; other errors as they are.
fn meta_command_refused(x: anyhow::Error, dropped: &[u64]) -> anyhow::Error {
    let text = format!("{x:#}");
    if !text.contains("backslash commands are restricted") {
        return x;
    }
    let line = text
        .split("<stdin>:")
        .nth(1)
        .and_then(|t| t.split(':').next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .map(|n| format!(" at line {}", pgtool::original_line(n, dropped)))
        .unwrap_or_default();
    anyhow::Error::new(MetaCommand(format!(
        "dump.sql holds a psql meta-command (a line starting with a backslash){line}: refused, a backup's SQL \
         never runs psql commands (\\! would run a shell command on this machine)"
    )))
}

/// A backup file tried a psql meta-command: a refusal (exit 2), everything
/// undone.
#[derive(Debug)]
struct MetaCommand(String);

impl std::fmt::Display for MetaCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MetaCommand {}

/// Whose session loads a file, and who owns the result.
enum LoadAs {
    /// A temporary role ([`loader`]), then everything to `owner`.
    Loader {
        owner: String,
        operator: loader::Operator,
    },
    /// The operator's own role, which is the owner and not a superuser (as
    /// Odoo's own restore runs `psql` with Odoo's credentials).
    Owner(String),
}

impl LoadAs {
    fn owner(&self) -> &str {
        match self {
            LoadAs::Loader { owner, .. } | LoadAs::Owner(owner) => owner,
        }
    }

    fn describe(&self) -> String {
        match self {
            LoadAs::Loader { owner, .. } => format!(
                "as a temporary role tenantctl_load_… (not a superuser, dropped afterwards); every object then owned by {}",
                e(owner)
            ),
            LoadAs::Owner(owner) => format!("as {} (tenantctl's role, not a superuser), which owns it", e(owner)),
        }
    }
}

/// Who owns a restored database: the node's `db_owner`, else `hint` (the
/// source's owner, for `move`), else the owner of the node's `template`,
/// else the operator's role when it is not a superuser. The owner must
/// exist and not be a superuser (a superuser's tenant would run the
/// tenant's `SECURITY DEFINER` functions as superuser). The file runs as a
/// loader role when the operator can make one (superuser or CREATEROLE),
/// else as the operator when it is the owner; otherwise refused. `Ok(Err)`
/// is a refusal.
async fn load_as(
    link: &NodeLink,
    maint: &crate::transport::Conn,
    hint: Option<&str>,
) -> anyhow::Result<std::result::Result<LoadAs, String>> {
    let d = maint.deadline;
    let op = loader::operator(&maint.client, d).await?;
    let from_template = match &link.node.lifecycle.template {
        Some(t) => lc::db_info(&maint.client, t, d).await?.map(|i| i.owner),
        None => None,
    };
    let owner = link
        .node
        .lifecycle
        .db_owner
        .clone()
        .or_else(|| hint.map(str::to_string))
        .or(from_template)
        .or_else(|| (!op.superuser).then(|| op.name.clone()));
    let Some(owner) = owner else {
        return Ok(Err(format!(
            "node {}: tenantctl connects as the superuser {}, and a restored database must belong to the \
             tenant's Odoo role, not to a superuser: set `db_owner` (the role Odoo connects as) for the node \
             in the inventory",
            link.name(),
            e(&op.name)
        )));
    };
    match loader::role_superuser(&maint.client, &owner, d).await? {
        None => {
            return Ok(Err(format!(
                "node {}: the owner role {} does not exist on the node",
                link.name(),
                e(&owner)
            )))
        }
        Some(true) => {
            return Ok(Err(format!(
                "node {}: the owner role {} is a superuser: the tenant's own functions would run as superuser; \
                 set `db_owner` to Odoo's role (not a superuser)",
                link.name(),
                e(&owner)
            )))
        }
        Some(false) => {}
    }
    if op.superuser || op.createrole {
        return Ok(Ok(LoadAs::Loader {
            owner,
            operator: op,
        }));
    }
    if op.name == owner {
        return Ok(Ok(LoadAs::Owner(owner)));
    }
    Ok(Err(format!(
        "node {}: tenantctl's role {} can neither make a temporary loader role (it has no CREATEROLE) nor is \
         it the owner {}: a backup's SQL runs only as a role that is not a superuser and owns the new database; \
         connect as {} or give tenantctl's role CREATEROLE",
        link.name(),
        e(&op.name),
        e(&owner),
        e(&owner)
    )))
}

/// `psql -c 'SELECT 1'` with the tool's settings: "" or psql's last line.
fn probe_login(tool: &PgTool) -> std::result::Result<(), String> {
    let out = tool
        .command("psql")
        .args(["-X", "-q", "-A", "-t", "-c", "SELECT 1"])
        .stdin(Stdio::null())
        .output()
        .map_err(|x| format!("starting psql: {x}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(String::from_utf8_lossy(&out.stderr)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("psql failed")
        .trim()
        .to_string())
}

/// Streams the zip's `filestore/` as a tar into `tar -x` on the node's host
/// (locally or over SSH), into `<root>/<dir>`, then gives it to the owner.
async fn unpack_filestore(
    link: &NodeLink,
    fs: &Filestore,
    dir: &str,
    file: &Path,
) -> anyhow::Result<()> {
    let d = fs.dir(&SafeName::new(dir).map_err(|m| anyhow!(m))?);
    let d = d.to_string_lossy();
    // $1 the directory, $2 the owner (empty: none).
    let script = r#"if [ -e "$1" ] || [ -L "$1" ]; then printf '%s exists\n' "$1" >&2; exit 1; fi
        mkdir "$1" && cd "$1" && tar -xf - --no-same-owner || exit 1
        if [ -n "$2" ]; then chown -R "$2" "$1"; fi"#;
    let owner = fs.owner.clone().unwrap_or_default();
    let mut cmd = link.shell_command(script, &[&d, &owner]).await?;
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("starting tar for the filestore")?;
        let err = stderr_tail(&mut child);
        let fed = (|| -> anyhow::Result<()> {
            let input = child.stdin.take().expect("piped");
            let mut z = zip::ZipArchive::new(File::open(&file)?)?;
            let mut b = tar::Builder::new(input);
            for i in 0..z.len() {
                let mut entry = z.by_index(i)?;
                let Some(rel) = entry.name().strip_prefix("filestore/").map(str::to_string) else {
                    continue;
                };
                if rel.is_empty() || entry.is_dir() {
                    continue;
                }
                if rel.starts_with('/') || rel.split('/').any(|c| c == ".." || c.is_empty()) {
                    bail!("filestore entry {:?}: not a relative path", rel);
                }
                if !entry.is_file() {
                    bail!("filestore entry {:?}: not a regular file", rel);
                }
                let mut h = tar::Header::new_gnu();
                h.set_size(entry.size());
                h.set_mode(0o644);
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mtime(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|x| x.as_secs())
                        .unwrap_or(0),
                );
                let declared = entry.size();
                let mut body = Declared {
                    inner: &mut entry,
                    left: declared,
                    name: format!("filestore/{rel}"),
                };
                b.append_data(&mut h, &rel, &mut body)
                    .with_context(|| format!("filestore/{rel}"))?;
            }
            b.into_inner()?.flush()?;
            Ok(())
        })();
        let waited = wait_ok(child, err, "tar -x (filestore)");
        waited?;
        fed
    })
    .await
    .map_err(|x| anyhow!("filestore: {x}"))?
}

// ------------------------------------------------------------------ move

/// Runs `script` on the node's host; its trimmed stdout.
async fn node_sh(link: &NodeLink, script: &str, args: &[&str]) -> anyhow::Result<String> {
    let mut cmd = link.shell_command(script, args).await?;
    let out = tokio::task::spawn_blocking(move || cmd.stdin(Stdio::null()).output())
        .await
        .map_err(|x| anyhow!("{x}"))??;
    if !out.status.success() {
        bail!(
            "{}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("a shell command failed")
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// (files, bytes) of `<root>/<db>` on the node's host (0, 0 without one).
async fn filestore_size(link: &NodeLink, fs: &Filestore, db: &str) -> anyhow::Result<(u64, u64)> {
    let d = fs.dir(&SafeName::new(db).map_err(|m| anyhow!(m))?);
    let out = node_sh(
        link,
        r#"if [ -d "$1" ]; then echo $(find "$1" -type f | wc -l) $(du -sk "$1" | cut -f1); else echo 0 0; fi"#,
        &[&d.to_string_lossy()],
    )
    .await?;
    let mut it = out
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap_or(0));
    Ok((it.next().unwrap_or(0), it.next().unwrap_or(0) * 1024))
}

/// `tenantctl move TENANT NODE2`: backs up, restores on NODE2 as `--move`,
/// verifies, then soft-drops the source.
pub async fn move_tenant(ctx: &Ctx, o: &MoveOpts) -> Result<u8> {
    super::two_connections(ctx)?;
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let t = ctx.resolve_for_write(&o.tenant).await?;
    let Some(to) = ctx.links.iter().find(|l| l.name() == o.node).cloned() else {
        return Err(Error::usage(anyhow!(
            "node {:?} is not among the selected nodes ({})",
            o.node,
            ctx.links
                .iter()
                .map(|l| l.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    crate::commands::direct_only(&t.link)?;
    crate::commands::direct_only(&to)?;
    if Arc::ptr_eq(&to, &t.link) {
        return Err(Error::usage(anyhow!(
            "{} is already on node {}",
            t.display(),
            o.node
        )));
    }
    let who = format!("{} -> {}/{}", t.display(), to.name(), t.db);
    let mut r = base(&to, &t.db, crate::ops::Op::Move);
    r.extra.insert("from".into(), json!(t.display()));
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let (r, interrupted) = move_one(ctx, o, &t, &to, &who, r, log.as_ref()).await;
    Ok(finish(ctx, log.as_ref(), r, interrupted, false))
}

async fn move_one(
    ctx: &Ctx,
    o: &MoveOpts,
    t: &Target,
    to: &Arc<NodeLink>,
    who: &str,
    mut r: Report,
    log: Option<&crate::audit::AuditLog>,
) -> (Report, bool) {
    let refuse = |r: Report, m: String| (r.fail(Outcome::Refused, format!("{who}: {m}")), false);
    let failed = |r: Report, m: String| (r.fail(Outcome::Failed, format!("{who}: {m}")), false);
    let safe = match SafeName::new(&t.db) {
        Ok(n) => n,
        Err(m) => return refuse(r, m),
    };
    let fs_src = match filestore_for(&t.link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return refuse(r, m),
    };
    let fs_dst = match filestore_for(to, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return refuse(r, m),
    };
    // The source must be quiet: what changes after the backup would be lost.
    let (suspended, size, before) = {
        let conn = match t.link.connect(&t.db, &ctx.transport).await {
            Ok(c) => c,
            Err(x) => {
                let blocked = match maintenance(ctx, &t.link).await {
                    Ok(m) => matches!(lc::db_info(&m.client, &t.db, m.deadline).await,
                        Ok(Some(i)) if !i.allow_connections),
                    Err(_) => false,
                };
                if blocked {
                    return refuse(
                        r,
                        "is blocked (ALLOW_CONNECTIONS false, e.g. suspension layer `connections`): move reads and \
                         verifies the source and the copy, which tenantctl does not do behind a block. Allow \
                         connections (ALTER DATABASE .. ALLOW_CONNECTIONS true; its users stay switched off), move \
                         it, then `tenantctl suspend NODE2/TENANT --layers +connections`; or back it up (from a \
                         snapshot) and restore it; nothing changed"
                            .into(),
                    );
                }
                return failed(r, format!("{x:#}; nothing changed"));
            }
        };
        let s = crate::odoo::suspension::state(&conn.client)
            .await
            .map(|s| s.suspended());
        let size = ob::database_size(&conn.client, &t.db, conn.deadline).await;
        let fp = ob::fingerprint(&conn.client, conn.deadline).await;
        match (s, size, fp) {
            (Ok(s), Ok(z), Ok(f)) => (s, z, f),
            (Err(x), _, _) | (_, Err(x), _) | (_, _, Err(x)) => {
                return failed(r, format!("{x:#}; nothing changed"))
            }
        }
    };
    if !suspended && !o.force {
        return refuse(
            r,
            "refusing to move a tenant that is not suspended (what changes after the backup would be lost; suspend it first, or pass --force); nothing changed".into(),
        );
    }
    let (files, fbytes) = match &fs_src {
        Some(fs) => match filestore_size(&t.link, fs, &t.db).await {
            Ok(x) => x,
            Err(x) => return failed(r, format!("filestore: {x:#}; nothing changed")),
        },
        None => (0, 0),
    };
    // The copy belongs to the source's owner (unless the destination sets
    // `db_owner`): Odoo's role, never tenantctl's.
    let src_owner = match maintenance(ctx, &t.link).await {
        Ok(m) => match lc::db_info(&m.client, &t.db, m.deadline).await {
            Ok(Some(i)) => i.owner,
            Ok(None) => return failed(r, format!("{} is gone; nothing changed", t.display())),
            Err(x) => return failed(r, format!("{x:#}; nothing changed")),
        },
        Err(x) => return failed(r, format!("{x:#}; nothing changed")),
    };
    match maintenance(ctx, to).await {
        Ok(m) => match lc::db_info(&m.client, &t.db, m.deadline).await {
            Ok(Some(_)) => {
                return refuse(
                    r,
                    format!(
                        "node {} already has a database named {}; nothing changed",
                        to.name(),
                        e(&t.db)
                    ),
                )
            }
            Ok(None) => {}
            Err(x) => return failed(r, format!("{x:#}; nothing changed")),
        },
        Err(x) => return failed(r, format!("{x:#}; nothing changed")),
    }
    r.extra.insert("database_bytes".into(), json!(size));
    r.extra.insert("filestore_files".into(), json!(files));
    r.extra.insert("filestore_bytes".into(), json!(fbytes));
    let plan = format!(
        "move {who}:\n  - back up {} (database {size} bytes, filestore {files} files, {fbytes} bytes)\n  - restore on {} keeping its identity (--move)\n  - verify users, module versions, attachments, filestore files\n  - soft-drop {} (see `drop`; undrop restores it)",
        t.display(),
        to.name(),
        t.display()
    );
    if o.dry_run {
        return (
            r.ok(
                Outcome::WouldChange,
                format!("dry run: would {plan}\nNothing changed."),
            ),
            false,
        );
    }
    if !o.yes {
        ctx.printer.info(&plan);
        match confirm(&format!("move {who}?")) {
            Ok(true) => {}
            Ok(false) => return refuse(r, "aborted; nothing changed".into()),
            Err(x) => return refuse(r, format!("{x:#}")),
        }
    }
    let tmpdir = match crate::pgtool::private_dir() {
        Ok(d) => d,
        Err(x) => return failed(r, format!("{x:#}; nothing changed")),
    };
    let cleanup = |d: &Path| {
        let _ = std::fs::remove_dir_all(d);
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
    let quiet = match crate::audit::AuditLog::open(&tmpdir.join("audit.jsonl")) {
        Ok(l) => l,
        Err(x) => {
            cleanup(&tmpdir);
            return failed(r, format!("{x:#}; nothing changed"));
        }
    };
    let b = backup_one(ctx, t, &bo, &quiet, false)
        .await
        .expect("not skipped");
    if !b.outcome.is_ok() {
        cleanup(&tmpdir);
        let interrupted = b.outcome == Outcome::Skipped;
        return (
            r.fail(
                b.outcome,
                format!("{who}: backup: {}", b.error.unwrap_or_default()),
            ),
            interrupted,
        );
    }
    let ro = RestoreOpts {
        target: format!("{}/{}", to.name(), t.db),
        file: file.clone(),
        keep_identity: true,
        no_filestore: o.no_filestore,
        yes: true,
        dry_run: false,
        owner_hint: Some(src_owner),
    };
    let rr = base(to, &t.db, crate::ops::Op::Restore);
    let (rr, interrupted) = restore_one(ctx, &ro, to, &t.db, who, rr).await;
    cleanup(&tmpdir);
    if rr.outcome != Outcome::Changed {
        return (
            r.fail(rr.outcome, rr.error.unwrap_or_default()),
            interrupted,
        );
    }
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
        if let (Some(_), Some(fs)) = (&fs_src, &fs_dst) {
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
        if let Some(fs) = &fs_dst {
            let _ = fs.remove(&t.db).await;
        }
    };
    match verified {
        Ok(d) if d.is_empty() => {}
        Ok(d) => {
            drop_copy().await;
            return failed(
                r,
                format!(
                    "the copy on {} differs from the source ({}); copy removed, source untouched",
                    to.name(),
                    d.join(", ")
                ),
            );
        }
        Err(x) => {
            drop_copy().await;
            return failed(
                r,
                format!("verifying the copy: {x:#}; copy removed, source untouched"),
            );
        }
    }
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
    match super::drop_one(ctx, &lo, &t.display(), true, false, Some(&moved_to)).await {
        Ok(Some((mut d, _))) if d.outcome == Outcome::Changed => {
            if d.dry_run.is_none() {
                super::audited(log, &mut d);
            }
            if let Some(n) = d.extra.get("dropped_name").cloned() {
                r.extra.insert("source_dropped_as".into(), n);
            }
        }
        Ok(Some((d, _))) => {
            r.warnings.push(format!(
                "the copy on {} is verified, but the source could not be soft-dropped: {}",
                to.name(),
                d.error.unwrap_or_default()
            ));
            return (
                r.fail(
                    Outcome::Unknown,
                    format!("{who}: copied and verified; source NOT dropped (both exist now)"),
                ),
                false,
            );
        }
        Ok(None) | Err(_) => {
            return (
                r.fail(
                    Outcome::Unknown,
                    format!("{who}: copied and verified; source NOT dropped (both exist now)"),
                ),
                false,
            );
        }
    }
    if suspended {
        r.extra.insert(
            "next".into(),
            json!(format!("tenantctl reactivate {}/{}", to.name(), t.db)),
        );
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

#[cfg(test)]
mod tests {
    use super::is_backup_of;

    #[test]
    fn backup_names_of_one_tenant() {
        assert!(is_backup_of("acme_20261201T020000Z.zip", "acme"));
        assert!(is_backup_of("acme_20261201T020000Z.dump", "acme"));
        assert!(!is_backup_of("acme_x_20261201T020000Z.zip", "acme"));
        assert!(!is_backup_of("acme_20261201T020000Z.zip.partial", "acme"));
        assert!(!is_backup_of(
            ".acme_20261201T020000Z.zip.partial-12",
            "acme"
        ));
        assert!(!is_backup_of("acme_2026120XT020000Z.zip", "acme"));
        assert!(!is_backup_of("acme2_20261201T020000Z.zip", "acme"));
    }
}
