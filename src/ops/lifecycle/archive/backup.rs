//! `backup` and `bulk backup`: the system `pg_dump` into Odoo's zip (or
//! its custom format), the filestore streamed in from the node's host; a
//! blocked tenant dumped from a private snapshot.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use serde_json::{json, Value};

use super::files::{write_backup, Made};
use super::host::tar_command;
use super::snapshot::Snapshot;
use super::BLOCKED_KEY;
use crate::audit::AuditLog;
use crate::config::{BackupFormat, BackupOpts, BulkBackupOpts};
use crate::error::{Error, Result};
use crate::interrupt::Guard;
use crate::odoo::backup as ob;
use crate::odoo::layers::Blocked;
use crate::odoo::lifecycle as lc;
use crate::ops::lifecycle::{audit_line, base, e, maintenance, pause_point, run_guard, stamp_now};
use crate::ops::Ctx;
use crate::ops::{report, Outcome, Report};
use crate::targets::Target;
use crate::transport::host::filestore::{self, Filestore, SafeName};
use crate::transport::host::pgtool::{self, PgTool};
use crate::transport::Conn;

/// The tenant of `backup`: a database blocked by hand (ALLOW_CONNECTIONS
/// false without tenantctl's record) is not listed by the nodes, so it is
/// looked for by name; it is dumped from a snapshot as the blocked tenants
/// are (see [`Snapshot`]).
async fn backup_target(ctx: &Ctx, spec: &str) -> Result<Target> {
    match ctx.resolve(spec).await {
        Ok(t) => {
            crate::ops::direct_only(&t.link)?;
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

/// `tenantctl backup TENANT`: a run of one target through the runner, the
/// same work as a tenant of `bulk backup` ([`Backups`]).
pub async fn backup(ctx: &Arc<Ctx>, o: &BackupOpts) -> Result<u8> {
    let log = Arc::new(ctx.audit_log()?);
    let t = backup_target(ctx, &o.tenant).await?;
    let spec = t.display();
    let run = Arc::new(Backups {
        ctx: ctx.clone(),
        o: o.clone(),
        keep: None,
        skip_not_odoo: false,
        log,
        guard: run_guard(),
    });
    let job = crate::ops::Job::for_target(t, spec, None);
    Ok(crate::ops::run::run_single(ctx, job, run, false).await)
}

/// `tenantctl bulk backup --all-matching --dir DIR [--keep N]`: every
/// Odoo tenant of the selected nodes (matching `--match`), in parallel
/// within `--concurrency` and each node's `max_connections` (a backup holds
/// a connection slot of its node while pg_dump runs), then `--keep`.
pub async fn bulk_backup(ctx: &Arc<Ctx>, o: &BulkBackupOpts) -> Result<u8> {
    let started = std::time::Instant::now();
    let matcher = check_bulk(o)?;
    let log = Arc::new(ctx.audit_log()?);
    let (mut reports, targets) = bulk_targets(ctx, matcher.as_ref(), crate::ops::Op::Backup).await;
    if o.dry_run {
        for t in &targets {
            let r = base(&t.link, &t.db, crate::ops::Op::Backup);
            reports.push(r.would(crate::ops::Plan::new(format!(
                "back up {} to {}",
                t.display(),
                o.dir.display()
            ))));
        }
        return Ok(report::bulk(ctx, "backup", &reports, 0.0, false, true));
    }
    ctx.printer.info(format!(
        "backing up {} databases to {}",
        targets.len(),
        o.dir.display()
    ));
    let guard = run_guard();
    let jobs = targets
        .into_iter()
        .map(|t| {
            let spec = t.display();
            crate::ops::Job::for_target(t, spec, None)
        })
        .collect();
    let run = Arc::new(Backups {
        ctx: ctx.clone(),
        o: BackupOpts {
            tenant: String::new(),
            file: None,
            dir: Some(o.dir.clone()),
            format: o.format,
            no_filestore: o.no_filestore,
        },
        keep: o.keep,
        skip_not_odoo: true,
        log,
        guard: guard.clone(),
    });
    reports.extend(crate::ops::run::run_all(ctx, jobs, run, true).await);
    Ok(report::bulk(
        ctx,
        "backup",
        &reports,
        started.elapsed().as_secs_f64(),
        guard.interrupted(),
        false,
    ))
}

/// The options of `bulk backup` that are usage errors; the `--match`
/// pattern.
fn check_bulk(o: &BulkBackupOpts) -> Result<Option<globset::GlobMatcher>> {
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
    Ok(matcher)
}

/// The tenants of the selected nodes that `matcher` matches, and the
/// reports of the nodes that could not be scanned and of the tenants
/// skipped or refused.
pub(in crate::ops::lifecycle) async fn bulk_targets(
    ctx: &Ctx,
    matcher: Option<&globset::GlobMatcher>,
    op: crate::ops::Op,
) -> (Vec<Report>, Vec<Target>) {
    let scans = crate::targets::scan(&ctx.links, &ctx.transport).await;
    let mut reports = Vec::new();
    let mut targets = Vec::new();
    for s in &scans {
        match &s.result {
            Ok(cands) => {
                for c in cands {
                    if matcher.is_none_or(|m| m.is_match(&c.name)) {
                        targets.push(Target {
                            link: s.link.clone(),
                            db: c.name.clone(),
                        });
                    }
                }
            }
            Err(x) => {
                let mut r = base(&s.link, &format!("{}/*", s.link.name()), op);
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
            reports.push(base(&t.link, &t.db, op).fail(Outcome::Skipped, msg));
            false
        }
    });
    // Tenants of a PgBouncer node without a direct route: refused each
    // (pg_dump needs PostgreSQL itself), the others backed up.
    targets.retain(|t| match crate::ops::direct_only(&t.link) {
        Ok(()) => true,
        Err(x) => {
            reports.push(
                base(&t.link, &t.db, op).fail(Outcome::Refused, format!("{}: {x:#}", t.display())),
            );
            false
        }
    });
    (reports, targets)
}

/// `backup` and `bulk backup` as an operation of the runner: each tenant
/// dumped by [`backup_one`] (then `--keep`), at most `--concurrency` at once
/// (the dumps run outside the connection slots), in input order; in a
/// selector run a database that is not Odoo's is left out. A backup in
/// flight at a second Ctrl-C is waited for (its file is written under a
/// temporary name, then renamed).
struct Backups {
    ctx: Arc<Ctx>,
    /// Each backup's options (`bulk backup`: its `--dir`, `--format`,
    /// `--no-filestore`).
    o: BackupOpts,
    /// `bulk backup --keep N`.
    keep: Option<usize>,
    /// A selector run (`bulk backup`): a database that is not Odoo's is
    /// left out.
    skip_not_odoo: bool,
    log: Arc<AuditLog>,
    guard: Guard,
}

impl crate::ops::Operation for Backups {
    fn op(&self) -> crate::ops::Op {
        crate::ops::Op::Backup
    }
    fn dry_run(&self) -> bool {
        false
    }
    fn guard(&self) -> Option<&Guard> {
        Some(&self.guard)
    }
    fn at_once(&self) -> Option<usize> {
        Some(self.ctx.global.concurrency)
    }
    fn journaled(&self) -> bool {
        true
    }
    fn run_one(
        self: Arc<Self>,
        job: crate::ops::Job,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Report>> + Send>> {
        Box::pin(async move {
            let t = job.target.expect("backup jobs have their target");
            if self.guard.interrupted() {
                let r = base(&t.link, &t.db, crate::ops::Op::Backup);
                return Some(r.fail(Outcome::Skipped, format!("{}: interrupted", t.display())));
            }
            self.one(&t).await
        })
    }
    fn audit(&self, mut r: Report) -> Report {
        audit_line(&self.log, &mut r, None);
        r
    }
}

impl Backups {
    /// One tenant's backup (audited), then `--keep` for it; None: left out
    /// (not Odoo's).
    async fn one(&self, t: &Target) -> Option<Report> {
        let mut r = backup_one(&self.ctx, t, &self.o, &self.log, self.skip_not_odoo).await?;
        let dir = self.o.dir.as_deref().unwrap_or(Path::new("."));
        if let (Some(keep), true) = (self.keep, r.outcome.is_ok()) {
            match prune(dir, &t.db, keep) {
                Ok(removed) if !removed.is_empty() => {
                    r.details.backup().pruned = Some(removed);
                }
                Ok(_) => {}
                Err(x) => r.warnings.push(format!("--keep {keep}: {x:#}")),
            }
        }
        Some(r)
    }
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
pub(super) async fn backup_one(
    ctx: &Ctx,
    t: &Target,
    o: &BackupOpts,
    log: &AuditLog,
    skip_not_odoo: bool,
) -> Option<Report> {
    let who = t.display();
    let mut r = base(&t.link, &t.db, crate::ops::Op::Backup);
    macro_rules! stop {
        ($outcome:expr, $msg:expr) => {{
            r = r.fail($outcome, $msg);
            audit_line(log, &mut r, None);
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
    let (conn, snapshot) = match connect_source(ctx, t, &mut r.warnings).await {
        Ok(x) => x,
        Err(msg) => stop!(Outcome::Failed, msg),
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
            r.details.backup().snapshot = true;
        }
    }
    let written = match made {
        Ok(w) => w,
        Err(Some((outcome, msg))) => stop!(outcome, msg),
        Err(None) => return None,
    };
    Some(written_report(r, log, &who, with_fs, written))
}

/// The connection a backup reads through: to the tenant, or to a snapshot
/// of it when it is blocked. Err: why not (a snapshot that was made is
/// dropped again, what could not be dropped in `warnings`).
async fn connect_source(
    ctx: &Ctx,
    t: &Target,
    warnings: &mut Vec<String>,
) -> std::result::Result<(Conn, Option<Snapshot>), String> {
    let who = t.display();
    match t.link.connect(&t.db, &ctx.transport).await {
        Ok(c) => Ok((c, None)),
        Err(x) => match Snapshot::take(ctx, t).await {
            Ok(Some(s)) => match t.link.connect(&s.name, &ctx.transport).await {
                Ok(c) => Ok((c, Some(s))),
                Err(x) => {
                    if let Some(w) = s.remove(ctx, t).await {
                        warnings.push(w);
                    }
                    Err(format!("{who}: {x:#}; nothing written"))
                }
            },
            Ok(None) => Err(format!("{who}: {x:#}; nothing written")),
            Err(y) => Err(format!("{who}: {y:#}; nothing written")),
        },
    }
}

/// The report of a written backup (audited with its checksum and file).
fn written_report(
    mut r: Report,
    log: &AuditLog,
    who: &str,
    with_fs: bool,
    written: Written,
) -> Report {
    let Written {
        path,
        ext,
        made,
        seconds,
    } = written;
    let d = r.details.backup();
    d.file = Some(path.display().to_string());
    d.format = Some(ext.to_string());
    d.bytes = Some(made.bytes);
    d.sha256 = Some(made.sha256.clone());
    d.seconds = Some(seconds);
    if with_fs {
        d.filestore_files = Some(made.files);
    }
    let from_snapshot = d.snapshot;
    r.warnings.extend(made.warnings.clone());
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
    audit_line(
        log,
        &mut r,
        Some(&format!("sha256:{} file:{}", made.sha256, path.display())),
    );
    r
}

/// What a backup reads: the connection (to the tenant or its snapshot),
/// the snapshot of a blocked tenant, the node's filestore.
struct Source<'a> {
    conn: &'a Conn,
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

/// How a backup failed: its outcome and message (nothing written).
type Failure = (Outcome, String);

/// The dump of `t` (read through `conn`, from `snapshot` when the tenant is
/// blocked) into its final file: Err(None) when `skip_not_odoo` and the
/// database is not an Odoo tenant, Err(Some) how it failed (nothing written).
async fn backup_from(
    ctx: &Ctx,
    t: &Target,
    name: &SafeName,
    o: &BackupOpts,
    src: Source<'_>,
    guard: &Guard,
    skip_not_odoo: bool,
) -> std::result::Result<Written, Option<Failure>> {
    let Source { conn, snapshot, fs } = src;
    let who = t.display();
    let source = snapshot.map_or(t.db.as_str(), |s| s.name.as_str());
    let nothing_written =
        |x: anyhow::Error| Some((Outcome::Failed, format!("{who}: {x:#}; nothing written")));
    if skip_not_odoo {
        if let Ok(crate::odoo::probe::Probe::NotOdoo) = crate::odoo::probe::summary(conn).await {
            return Err(None);
        }
    }
    let (manifest, warnings) = read_manifest(t, o, conn, snapshot).await.map_err(Some)?;
    check_pg_dump(conn, &who).await.map_err(Some)?;
    let (path, ext, tmp) = backup_path(o, name, &who).map_err(Some)?;
    let tool = PgTool::for_db(&t.link, &ctx.transport, source)
        .await
        .map_err(nothing_written)?;
    let fs_cmd = match fs {
        Some(fs) => Some(
            tar_command(&t.link, fs, name)
                .await
                .map_err(nothing_written)?,
        ),
        None => None,
    };
    pause_point("dump").await;
    let t0 = std::time::Instant::now();
    let mut made = write_tmp(tool, o.format, &tmp, fs_cmd, manifest, guard, &who)
        .await
        .map_err(Some)?;
    put_in_place(&tmp, &path, &who).map_err(Some)?;
    let seconds = t0.elapsed().as_secs_f64();
    made.warnings.extend(warnings);
    Ok(Written {
        path,
        ext,
        made,
        seconds,
    })
}

/// The zip's `manifest.json` (with tenantctl's record of the block when
/// the tenant is blocked), and the warning of a custom-format dump of a
/// blocked tenant, which cannot carry that record.
async fn read_manifest(
    t: &Target,
    o: &BackupOpts,
    conn: &Conn,
    snapshot: Option<&Snapshot>,
) -> std::result::Result<(Value, Vec<String>), Failure> {
    let who = t.display();
    let mut manifest = match ob::manifest(&conn.client, &t.db, conn.deadline).await {
        Ok(m) => m,
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing written"))),
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
    Ok((manifest, warnings))
}

/// Refuses a system pg_dump older than the server.
async fn check_pg_dump(conn: &Conn, who: &str) -> std::result::Result<(), Failure> {
    let server_major = match ob::server_version(&conn.client, conn.deadline).await {
        Ok((_, m)) => m,
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing written"))),
    };
    if let Err(m) = pgtool::client_major("pg_dump", server_major) {
        return Err((Outcome::Refused, format!("{who}: {m}; nothing written")));
    }
    Ok(())
}

/// The backup's file (`--file`, else the default name in `--dir`), its
/// extension, and the name it is written under until complete; refused
/// when it exists or its directory does not.
fn backup_path(
    o: &BackupOpts,
    name: &SafeName,
    who: &str,
) -> std::result::Result<(PathBuf, &'static str, PathBuf), Failure> {
    let refuse = |m: String| Err((Outcome::Refused, m));
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
            Err(m) => return refuse(format!("{who}: {m}")),
        },
    };
    if path.exists() {
        return refuse(format!(
            "{who}: {} exists; tenantctl never overwrites a backup; nothing written",
            path.display()
        ));
    }
    let Some(fname) = path.file_name().map(|f| f.to_string_lossy().into_owned()) else {
        return refuse(format!(
            "{who}: {}: not a file name; nothing written",
            path.display()
        ));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return refuse(format!(
            "{who}: {} is not a directory; nothing written",
            dir.display()
        ));
    }
    let tmp = dir.join(format!(".{fname}.partial-{}", std::process::id()));
    Ok((path, ext, tmp))
}

/// Writes the backup to `tmp` in a blocking thread; a failure or a Ctrl-C
/// removes it.
async fn write_tmp(
    tool: PgTool,
    format: BackupFormat,
    tmp: &Path,
    fs_cmd: Option<std::process::Command>,
    manifest: Value,
    guard: &Guard,
    who: &str,
) -> std::result::Result<Made, Failure> {
    let tmp2 = tmp.to_path_buf();
    let g2 = guard.clone();
    let made = tokio::task::spawn_blocking(move || {
        write_backup(&tool, format, &tmp2, fs_cmd, &manifest, &|| {
            g2.interrupted()
        })
    })
    .await
    .map_err(|x| anyhow!("backup: {x}"))
    .and_then(|x| x);
    match made {
        Ok(m) if !guard.interrupted() => Ok(m),
        Ok(_) | Err(_) => {
            let _ = std::fs::remove_file(tmp);
            let interrupted = guard.interrupted();
            let msg = match made {
                Err(x) if !interrupted => format!("{who}: {x:#}; no backup file written"),
                _ => format!("{who}: interrupted; no backup file written"),
            };
            Err((
                if interrupted {
                    Outcome::Skipped
                } else {
                    Outcome::Failed
                },
                msg,
            ))
        }
    }
}

/// Gives the written `tmp` its name `path`.
fn put_in_place(tmp: &Path, path: &Path, who: &str) -> std::result::Result<(), Failure> {
    // No overwrite, even of a file that appeared meanwhile.
    if let Err(x) = std::fs::hard_link(tmp, path).or_else(|x| {
        if path.exists() {
            Err(x)
        } else {
            std::fs::rename(tmp, path)
        }
    }) {
        let _ = std::fs::remove_file(tmp);
        return Err((
            Outcome::Failed,
            format!("{who}: {}: {x}; no backup file written", path.display()),
        ));
    }
    let _ = std::fs::remove_file(tmp);
    Ok(())
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
