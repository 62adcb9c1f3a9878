//! The rest of a tenant's life (issue 14): `create` from a template,
//! `duplicate`, `rename`, `drop` (soft), `undrop`, `purge`, `list --dropped`,
//! `bulk create`. Each is a run of one target ending in the pipeline's one
//! [`Report`], its [`Outcome`] and [`super::pipeline::verdict`] (through
//! [`report::single`] / [`report::bulk`]), with an audit line.
//!
//! Every step that changes something records how to undo it; a failure or a
//! Ctrl-C at any step undoes what was done, in reverse order, so that
//! nothing is left behind (no half-made database, no orphan filestore).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{anyhow, bail};
use serde_json::{json, Value};

use super::pipeline::{report, Outcome, Report};
use super::{confirm, Ctx};
use crate::audit::{now_rfc3339, AuditLog, Record};
use crate::config::{CreateOpts, LifecycleAction, LifecycleOpts, Output, PasswordInput};
use crate::error::{Error, Result, EXIT_FAILED};
use crate::filestore::{self, Copied, Filestore, SafeName};
use crate::interrupt::Guard;
use crate::odoo::lifecycle::{self as lc, check_db_name, Identity, MAX_NAME};
use crate::odoo::{password, suspension, users, WriteError};
use crate::output::{esc, out, out_checked, out_json};
use crate::transport::{Conn, NodeLink};

/// `backup` and `restore` (issue 15).
mod archive;
pub use archive::{backup, bulk_backup, move_tenant, restore};
mod building;
use building::Then;

/// Tenant-controlled or operator text in messages.
fn e(s: &str) -> String {
    esc(s).into_owned()
}

/// A test hook, compiled into debug builds only (the integration tests run
/// the dev-profile binary; `cargo build --release`, `cargo install` and the
/// benchmark's binary have none): `TENANTCTL_DEBUG_PAUSE_BEFORE=<step>`
/// sleeps 3 s before that step, so that the "kill or Ctrl-C at each step
/// leaves nothing behind" tests stop the process exactly between two steps.
/// Kept rather than replaced by a lock the test holds: several of those
/// points have no lock to hold (between `CREATE DATABASE` and its comment,
/// around the filestore shell commands, after the rename).
#[cfg(debug_assertions)]
async fn pause_point(step: &str) {
    if std::env::var("TENANTCTL_DEBUG_PAUSE_BEFORE").is_ok_and(|s| s == step) {
        eprintln!("tenantctl: pausing before step {step}");
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
}

/// Release builds: no hook.
#[cfg(not(debug_assertions))]
async fn pause_point(_step: &str) {}

/// The run's one Ctrl-C guard, installed when the first change starts.
fn run_guard() -> Guard {
    static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();
    GUARD.get_or_init(Guard::install).clone()
}

/// One done step and how to undo it.
enum Undo {
    DropDb(String),
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
struct Steps<'a> {
    link: &'a Arc<NodeLink>,
    maint: &'a Conn,
    fs: Option<&'a Filestore>,
    ctx: &'a Ctx,
    done: Vec<Undo>,
    guard: Guard,
    /// `node/tenant`, and when the first step started (`-v` times steps).
    who: String,
    t0: std::time::Instant,
}

impl<'a> Steps<'a> {
    fn new(
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
    async fn made_staging(
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
    async fn publish(&mut self, staging: &str, name: &str) -> anyhow::Result<()> {
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
    fn role_dropped(&mut self, role: &str) {
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
    async fn next(&self, step: &str) -> std::result::Result<(), anyhow::Error> {
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
    async fn undo(&mut self) -> Vec<String> {
        let d = self.maint.deadline;
        let c = &self.maint.client;
        let mut left = Vec::new();
        while let Some(u) = self.done.pop() {
            let r = match &u {
                Undo::DropDb(db) => lc::drop_database(c, db, d)
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
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// How a failed run ends: a refusal (exit 2) or a failure.
enum Stop {
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
    fn of_write(w: WriteError, what: &'static str) -> Stop {
        match w {
            WriteError::Refused(m) => Stop::Refused(m),
            WriteError::NotCommitted { error, .. } | WriteError::CommitLost { error, .. } => {
                Stop::Failed(error.context(what))
            }
        }
    }
}

/// Reads back the regenerated keys of a new database: each must be the value
/// written.
async fn verify_identity(conn: &Conn, want: &[(&str, &String)]) -> std::result::Result<(), Stop> {
    let got = lc::identity(&conn.client, conn.deadline).await?;
    for (k, v) in want {
        if !got.iter().any(|(gk, gv)| gk == k && gv == *v) {
            return Err(Stop::Failed(anyhow!(
                "after the commit {k} is not the value written"
            )));
        }
    }
    Ok(())
}

impl From<anyhow::Error> for Stop {
    fn from(e: anyhow::Error) -> Self {
        Stop::Failed(e)
    }
}

/// Undoes a failed run and makes its report.
async fn undone(steps: &mut Steps<'_>, r: Report, who: &str, stop: Stop) -> (Report, bool) {
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

/// Writes the audit line of a lifecycle result.
fn audited(log: Option<&AuditLog>, r: &mut Report) {
    if let Some(log) = log {
        audit_line(log, r, None);
    }
}

/// Appends `r`'s audit line with `reason` (a backup: its checksum and file);
/// a write error ends up in the report.
fn audit_line(log: &AuditLog, r: &mut Report, reason: Option<&str>) {
    let operator = crate::audit::operator();
    let rec = Record {
        time: now_rfc3339(),
        operator: &operator,
        action: r.action,
        node: r.node.as_deref().unwrap_or("-"),
        tenant: &r.tenant,
        outcome: r.outcome.as_str(),
        reason,
        users: None,
        login: r.login.as_deref(),
        error: r.error.clone(),
    };
    if let Err(x) = log.append(&rec) {
        r.audit_error = Some(format!("{x:#}"));
    }
}

/// Audits (unless a dry run) and prints one result; the exit code.
fn finish(
    ctx: &Ctx,
    log: Option<&AuditLog>,
    mut r: Report,
    interrupted: bool,
    secret_on_stdout: bool,
) -> u8 {
    if r.dry_run != Some(true) {
        audited(log, &mut r);
    }
    report::single(ctx, &r, interrupted, secret_on_stdout)
}

fn base(link: &Arc<NodeLink>, tenant: &str, action: &'static str) -> Report {
    let mut r = Report::new(None, tenant, action);
    r.node = Some(link.name().to_string());
    r.via = Some(link.via);
    r
}

/// The node of `NODE/NAME`, or the only selected node for `NAME`.
fn node_for(ctx: &Ctx, spec: &str) -> Result<(Arc<NodeLink>, String)> {
    let (link, name) = node_of(ctx, spec)?;
    super::direct_only(&link)?;
    Ok((link, name))
}

fn node_of(ctx: &Ctx, spec: &str) -> Result<(Arc<NodeLink>, String)> {
    crate::targets::check_name(spec)?;
    let (node, name) = crate::targets::split_spec(spec, &ctx.links);
    match node {
        Some(n) => Ok((
            ctx.links
                .iter()
                .find(|l| l.name() == n)
                .expect("split_spec found it")
                .clone(),
            name.to_string(),
        )),
        None if ctx.links.len() == 1 => Ok((ctx.links[0].clone(), name.to_string())),
        None => Err(Error::usage(anyhow!(
            "{spec:?}: say which node: NODE/NAME (nodes: {})",
            ctx.links
                .iter()
                .map(|l| l.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The node's filestore, a refusal when it needs one and has none, or None
/// with `--no-filestore`.
fn filestore_for(
    link: &Arc<NodeLink>,
    no_filestore: bool,
) -> std::result::Result<Option<Filestore>, String> {
    if no_filestore {
        return Ok(None);
    }
    match Filestore::of(link) {
        Some(f) => Ok(Some(f)),
        None => Err(filestore::missing(link.name())),
    }
}

/// The node's maintenance database. The lifecycle commands hold it while
/// they open the database they make or change (two connections at once):
/// with a limit of one slot that second connection would wait for ever for
/// the slot the first one holds, so it is refused up front instead.
async fn maintenance<'a>(ctx: &'a Ctx, link: &Arc<NodeLink>) -> anyhow::Result<Maint<'a>> {
    let node = link.connection_limit();
    if node < 2 || ctx.global.concurrency < 2 {
        bail!(
            "node {}: this command holds the maintenance database while it opens the tenant's database, \
             two connections at once, but {}; nothing changed",
            link.name(),
            if node < 2 {
                format!("the node allows {node} (max_connections in the inventory): set 2 or more")
            } else {
                format!(
                    "--concurrency is {}: use 2 or more",
                    ctx.global.concurrency
                )
            }
        );
    }
    let key = format!("{}\0{}", link.name(), link.place());
    let kept = ctx
        .maint_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&key);
    let conn = match kept {
        Some(mut c)
            if !c.client.is_closed()
                && crate::odoo::answers(&c.client, std::time::Duration::from_secs(2)).await =>
        {
            link.reacquire(&mut c, &ctx.transport).await?;
            c
        }
        _ => link
            .connect(&link.node.maintenance_db, &ctx.transport)
            .await
            .map_err(|x| x.context(format!("node {} maintenance database", link.name())))?,
    };
    Ok(Maint {
        conn: Some(conn),
        ctx,
        key,
    })
}

/// The lifecycle commands hold the maintenance database while they open
/// the database they make or change (see [`maintenance`]): `--concurrency 1`
/// cannot run them, a usage error (exit 2) before anything is read.
pub(crate) fn two_connections(ctx: &Ctx) -> Result<()> {
    if ctx.global.concurrency < 2 {
        return Err(Error::usage(anyhow!(
            "this command holds the node's maintenance database while it opens the tenant's, two \
             connections at once: --concurrency must be 2 or more (it is {})",
            ctx.global.concurrency
        )));
    }
    Ok(())
}

/// A node's maintenance-database connection, reused within the run: when
/// dropped it gives its connection slots back and is kept (one per node
/// route) for the next command step that needs it — `bulk create`, `bulk
/// drop`, `bulk purge`, `move` and the steps of one command connect once.
/// Kept idle without slots, it never holds a slot another connection of the
/// run waits for; taken again, it waits for slots as a new one would.
/// Nothing session-level is set on it (each statement stands alone).
struct Maint<'a> {
    conn: Option<Conn>,
    ctx: &'a Ctx,
    key: String,
}

impl std::ops::Deref for Maint<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl Drop for Maint<'_> {
    fn drop(&mut self) {
        let Some(mut c) = self.conn.take() else {
            return;
        };
        if c.client.is_closed() {
            return;
        }
        c.release_slots();
        let mut cache = self
            .ctx
            .maint_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache.entry(std::mem::take(&mut self.key)).or_insert(c);
    }
}

/// Runs a lifecycle command.
pub async fn run(ctx: &Ctx, o: &LifecycleOpts) -> Result<u8> {
    two_connections(ctx)?;
    match &o.action {
        LifecycleAction::Create(c) => create(ctx, o, c).await,
        LifecycleAction::Duplicate {
            tenant,
            new,
            neutralize,
            force,
        } => duplicate(ctx, o, tenant, new, *neutralize, *force).await,
        LifecycleAction::Rename { tenant, new } => rename(ctx, o, tenant, new).await,
        LifecycleAction::Drop { tenant, force } => drop_tenant(ctx, o, tenant, *force).await,
        LifecycleAction::Undrop { tenant, force } => undrop(ctx, o, tenant, *force).await,
        LifecycleAction::Purge { tenant, now } => purge(ctx, o, tenant, *now).await,
        LifecycleAction::BulkCreate {
            from,
            template,
            length,
            secrets_file,
            force,
        } => {
            bulk_create(
                ctx,
                o,
                from,
                template.as_deref(),
                *length,
                secrets_file,
                *force,
            )
            .await
        }
        LifecycleAction::BulkDrop { from, force } => {
            bulk_lifecycle(ctx, o, from, "drop", *force).await
        }
        LifecycleAction::BulkPurge { from, now } => {
            bulk_lifecycle(ctx, o, from, "purge", *now).await
        }
    }
}

// ------------------------------------------------------------------ passwords

/// Where the new admin password comes from.
#[derive(Clone)]
enum Pw {
    Given(String),
    Generate(usize),
}

fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|x| Error::usage(anyhow!("reading the password from stdin: {x}")))?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if pw.is_empty() {
        return Err(Error::usage(anyhow!(
            "--password-stdin: stdin gave an empty password; nothing changed"
        )));
    }
    Ok(pw.to_string())
}

fn prompt_twice(who: &str) -> Result<String> {
    let a = rpassword::prompt_password(format!("New admin password for {who}: "))
        .map_err(|x| Error::usage(anyhow!("reading the password from the terminal: {x}")))?;
    let b = rpassword::prompt_password("Repeat it: ")
        .map_err(|x| Error::usage(anyhow!("reading the password from the terminal: {x}")))?;
    if a != b {
        return Err(Error::usage(anyhow!(
            "the two passwords differ; nothing changed"
        )));
    }
    Ok(a)
}

// ------------------------------------------------------------------ copies

/// What a copy (create, duplicate) sets in the new database.
struct CopySpec {
    source: String,
    new: String,
    force: bool,
    base_url: Option<String>,
    admin_login: Option<String>,
    company: Option<String>,
    password: Option<Pw>,
    new_customer: bool,
    neutralize: bool,
}

/// The checks of a copy before anything is done (the source, and the
/// node's staging databases for the clean-up); a refusal's text.
async fn check_copy(
    maint: &Conn,
    fs: Option<&Filestore>,
    c: &CopySpec,
    what: &str,
) -> anyhow::Result<std::result::Result<(lc::DbInfo, Vec<(String, Option<String>)>), String>> {
    let d = maint.deadline;
    if let Err(m) = check_db_name(&c.new) {
        return Ok(Err(format!("{m}; nothing changed")));
    }
    // One round trip for the three questions (tokio-postgres pipelines
    // queries polled together), and the filestore checked meanwhile.
    let files = async {
        match fs {
            Some(fs) => fs.check_free(&c.new).await.map(Some),
            None => Ok(None),
        }
    };
    let (new_db, src, n, free, building) = tokio::try_join!(
        lc::db_info(&maint.client, &c.new, d),
        lc::db_info(&maint.client, &c.source, d),
        lc::sessions(&maint.client, &c.source, d),
        files,
        // For the clean-up before the copy (`clean_stale`), in the same
        // round trip.
        lc::creating(&maint.client, d)
    )?;
    if new_db.is_some() {
        return Ok(Err(format!(
            "a database named {} exists on the node; nothing changed",
            e(&c.new)
        )));
    }
    let Some(src) = src else {
        return Ok(Err(format!(
            "{what} {} does not exist on the node; nothing changed",
            e(&c.source)
        )));
    };
    if n > 0 && !c.force {
        return Ok(Err(format!(
            "{what} {} has {n} open connections (a live tenant?); PostgreSQL cannot copy a database in use. \
             Rerun with --force to end them as Odoo's duplicate does, or use a template marked IS_TEMPLATE with ALLOW_CONNECTIONS false; nothing changed",
            e(&c.source)
        )));
    }
    if let (Some(fs), Some(false)) = (fs, free) {
        return Ok(Err(format!(
            "the filestore directory {} exists; nothing changed",
            fs.show(&c.new)
        )));
    }
    if let Some(u) = &c.base_url {
        if !(u.starts_with("http://") || u.starts_with("https://"))
            || u.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Ok(Err(format!(
                "--base-url {}: expected an http:// or https:// URL; nothing changed",
                e(u)
            )));
        }
    }
    for (flag, v) in [("--admin-login", &c.admin_login), ("--company", &c.company)] {
        if let Some(v) = v {
            if v.trim().is_empty() || v.chars().any(|c| c.is_control()) || v.chars().count() > 256 {
                return Ok(Err(format!(
                    "{flag} {}: empty, too long, or with control characters; nothing changed",
                    e(v)
                )));
            }
        }
    }
    Ok(Ok((src, building)))
}

/// What a done copy reports.
struct Made {
    regenerated: lc::Regenerated,
    login: Option<String>,
    generated: Option<String>,
    filestore: Option<Copied>,
}

use crate::odoo::versions::EARLY_ROUNDS;

/// The admin password and its hash, started while PostgreSQL copies the
/// template (PBKDF2 at 600000 rounds is ~0.3 s of one core, about as long
/// as the copy of a real-sized template).
struct EarlyHash {
    password: String,
    hash: tokio::task::JoinHandle<String>,
}

fn early_hash(pw: &Pw, scheme: crate::inventory::PasswordScheme) -> EarlyHash {
    let password = match pw {
        Pw::Given(p) => p.clone(),
        Pw::Generate(len) => password::generate(*len),
    };
    let p = password.clone();
    EarlyHash {
        password,
        hash: tokio::task::spawn_blocking(move || password::hash(scheme, &p, EARLY_ROUNDS)),
    }
}

/// Runs a copy step by step (the caller undoes on error):
/// database (the password hashed meanwhile) → identity (one transaction)
/// and filestore, at the same time → rename.
async fn do_copy(
    steps: &mut Steps<'_>,
    c: &CopySpec,
    src: &lc::DbInfo,
    early: Option<EarlyHash>,
) -> std::result::Result<Made, Stop> {
    let d = steps.maint.deadline;
    // Built under a staging name, renamed at the end: NAME only ever
    // appears complete. A run killed outright (kill -9) leaves the staging
    // database/directory, which the next create/duplicate on the node
    // removes (see `clean_stale`).
    let staging = staging_name(&c.new);
    steps.next("database").await?;
    // Started before the checks when the password was known then.
    let early = early.or_else(|| {
        c.password
            .as_ref()
            .map(|pw| early_hash(pw, steps.link.node.password_scheme))
    });
    if c.force {
        lc::end_sessions(&steps.maint.client, &c.source, d).await?;
    }
    let m = steps.maint;
    let create = async {
        lc::create_from(&m.client, &staging, &c.source, &src.owner, d)
            .await
            .map_err(|x| {
                anyhow!(
                    "CREATE DATABASE {} TEMPLATE {}: {x:#}",
                    e(&staging),
                    e(&c.source)
                )
            })
    };
    steps.made_staging(&staging, &c.new, create).await?;
    steps.next("identity").await?;
    // The filestore is copied while the new database gets its identity:
    // both are undone by name, and both are awaited before anything is
    // decided, so a failure of either undoes both.
    if steps.fs.is_some() {
        steps.done.push(Undo::RemoveDir(staging.clone()));
    }
    let files = async {
        match steps.fs {
            Some(fs) => Some(fs.copy(&c.source, &staging).await),
            None => None,
        }
    };
    let (made, files) = tokio::join!(identity_step(steps, c, &staging, early), files);
    let mut copy = made?;
    if let Some(f) = files {
        copy.filestore = Some(f?);
    }
    steps.next("rename").await?;
    steps.publish(&staging, &c.new).await?;
    steps.next("done").await?;
    Ok(copy)
}

/// The new database's identity, admin and company, in one transaction, then
/// verified by reading it back.
async fn identity_step(
    steps: &Steps<'_>,
    c: &CopySpec,
    staging: &str,
    early: Option<EarlyHash>,
) -> std::result::Result<Made, Stop> {
    let link = steps.link;
    let mut copy = Made {
        regenerated: Default::default(),
        login: None,
        generated: None,
        filestore: None,
    };
    let mut conn = link
        .connect(staging, &steps.ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the new database"))?;
    let mut id = Identity {
        base_url: c.base_url.clone(),
        company: c.company.clone(),
        new_customer: c.new_customer,
        neutralize: c.neutralize,
        admin: None,
    };
    if let (Some(pw), Some(early)) = (&c.password, early) {
        let u = users::passwd_target(&conn.client, None)
            .await?
            .ok_or_else(|| {
                Stop::Refused("the template has no admin user (xmlid base.user_admin)".into())
            })?;
        let login = c.admin_login.clone().unwrap_or_else(|| u.login.clone());
        let min = u.min_length.unwrap_or(super::passwd::DEFAULT_MIN_LENGTH);
        let pw = match pw {
            Pw::Given(p) => {
                super::pipeline::passwd::check_policy(p, &login, u.min_length)
                    .map_err(Stop::Refused)?;
                p.clone()
            }
            // The early password, unless the tenant's policy wants a longer one.
            Pw::Generate(len) if *len >= min => early.password.clone(),
            Pw::Generate(len) => password::generate((*len).max(min)),
        };
        if let Pw::Generate(_) = &c.password.as_ref().expect("some") {
            copy.generated = Some(pw.clone());
        }
        let rounds = super::pipeline::passwd::rounds_of(&u);
        let scheme = link.node.password_scheme;
        let hash = if rounds == EARLY_ROUNDS && pw == early.password {
            early.hash.await.map_err(|x| anyhow!("hashing: {x}"))?
        } else {
            // The early hash is left to finish on its thread, unused.
            drop(early.hash);
            tokio::task::spawn_blocking(move || password::hash(scheme, &pw, rounds))
                .await
                .map_err(|x| anyhow!("hashing: {x}"))?
        };
        id.admin = Some((u.id, u.login.clone(), c.admin_login.clone(), hash));
        copy.login = Some(login);
    }
    copy.regenerated = lc::regenerate(
        &mut conn.client,
        &id,
        steps.ctx.global.allow_triggers,
        conn.deadline,
    )
    .await?;
    verify_identity(
        &conn,
        &[
            ("database.create_date", &copy.regenerated.create_date),
            ("database.secret", &copy.regenerated.secret),
            ("database.uuid", &copy.regenerated.uuid),
        ],
    )
    .await?;
    Ok(copy)
}

/// The comment of a database being built: tenantctl's record of the build
/// (`clean_stale` reads it), by this process on this host.
fn staging_note(name: &str, snapshot_of: Option<&str>) -> String {
    let mut rec = json!({
        "name": name, "pid": std::process::id(), "host": crate::audit::hostname(), "at": now_rfc3339(),
    });
    if let Some(s) = snapshot_of {
        rec["snapshot_of"] = json!(s);
    }
    json!({ "tenantctl_creating": rec }).to_string()
}

/// The marker of a database or filestore directory being built.
const CREATING: &str = ".creating-";

/// `NAME.creating-<8 hex>` within 63 bytes (random: concurrent runs never
/// share one).
fn staging_name(name: &str) -> String {
    let mut b = [0u8; 4];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    let tag: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let keep = MAX_NAME - CREATING.len() - tag.len();
    let mut cut = name.len().min(keep);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{CREATING}{tag}", &name[..cut])
}

/// Removes what runs killed outright left on the node: staging databases
/// (and their filestore directories) recorded by a tenantctl process of
/// this host that is gone, in their comment or, for one killed between its
/// `CREATE DATABASE` and that comment, in the local record written before
/// it ([`building`]). Others are only warned about.
async fn clean_stale(link: &NodeLink, maint: &Conn, fs: Option<&Filestore>, r: &mut Report) {
    clean_stale_known(link, maint, fs, r, None).await
}

/// [`clean_stale`] with the node's staging databases already read
/// ([`lc::creating`], with the checks).
async fn clean_stale_known(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    existing: Option<Vec<(String, Option<String>)>>,
) {
    if let Err(x) = finish_killed(link, maint, fs, r, existing).await {
        r.warnings
            .push(format!("looking for leftovers of killed runs: {x:#}"));
    }
}

async fn finish_killed(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    existing: Option<Vec<(String, Option<String>)>>,
) -> anyhow::Result<()> {
    let existing = match existing {
        Some(e) => e,
        None => lc::creating(&maint.client, maint.deadline).await?,
    };
    for (db, comment) in &existing {
        let (pid, local) = match leftover(link, db, comment.as_deref()) {
            Leftover::Killed { pid, local } => (pid, local),
            Leftover::Live => continue,
            Leftover::Elsewhere { host, .. } => {
                r.warnings.push(format!(
                    "{} is being built (or was left) by tenantctl on {}; not touched",
                    e(db),
                    e(&host)
                ));
                continue;
            }
            Leftover::Unrecorded => {
                r.warnings.push(format!(
                    "{} looks like a database tenantctl builds but carries no record of it \
                     (a run of another user or host killed right after its CREATE DATABASE?); \
                     not touched: drop it by hand if no tenantctl run is making it",
                    e(db)
                ));
                continue;
            }
        };
        lc::drop_database(&maint.client, db, maint.deadline).await?;
        if let Some(fs) = fs {
            fs.remove(db).await?;
        }
        if let Some(path) = local {
            let _ = std::fs::remove_file(path);
        }
        r.warnings.push(format!(
            "removed {} left by a tenantctl run that was killed (pid {pid})",
            e(db)
        ));
    }
    let d = maint.deadline;
    for (path, rec) in building::dead_records(link) {
        match &rec.then {
            // The CREATE failed, or the database was dropped again: nothing
            // to remove but the record.
            Then::Build => {
                if !existing.iter().any(|(db, _)| *db == rec.db) {
                    let _ = std::fs::remove_file(path);
                }
            }
            // Killed between renaming the database and its filestore: the
            // directory follows the database, when the node shows exactly
            // that state (the database renamed, the directory not).
            Then::Move {
                from,
                allow,
                allowed_before,
            } => {
                let Some(fs) = fs else { continue };
                let now = lc::db_info(&maint.client, &rec.db, d).await?;
                let before = lc::db_info(&maint.client, from, d).await?;
                let renamed = now.is_some() && before.is_none();
                // Blocked by a suspension since (its record in the
                // comment): left alone.
                let unblocked_by_us = |i: &lc::DbInfo| {
                    !i.allow_connections
                        && i.comment
                            .as_deref()
                            .and_then(crate::odoo::layers::Blocked::parse)
                            .is_none()
                };
                if now.is_none() && *allowed_before && before.as_ref().is_some_and(unblocked_by_us)
                {
                    r.warnings.push(format!(
                        "{} was left not allowing connections by a tenantctl run (pid {}) killed before it renamed it; \
                         not changed: allow them (ALTER DATABASE ... ALLOW_CONNECTIONS true) if it should take them",
                        e(from),
                        rec.pid
                    ));
                }
                if renamed && fs.exists(from).await? && !fs.exists(&rec.db).await? {
                    fs.rename(from, &rec.db).await?;
                    r.warnings.push(format!(
                        "moved the filestore {} to {}: a tenantctl run (pid {}) was killed after renaming database {} to {}",
                        fs.show(from),
                        fs.show(&rec.db),
                        rec.pid,
                        e(from),
                        e(&rec.db)
                    ));
                }
                if renamed && *allow && now.as_ref().is_some_and(unblocked_by_us) {
                    lc::allow_connections(&maint.client, &rec.db, true, d).await?;
                    r.warnings.push(format!(
                        "allowed connections to {} again: a tenantctl run (pid {}) was killed before it did",
                        e(&rec.db),
                        rec.pid
                    ));
                }
                let _ = std::fs::remove_file(path);
            }
            // Killed before it dropped its loader role (the databases it
            // owned were removed above).
            Then::Role => {
                if !crate::odoo::loader::is_loader_name(&rec.db) {
                    continue;
                }
                for db in crate::odoo::loader::owned_databases(&maint.client, &rec.db, d).await? {
                    lc::drop_database(&maint.client, &db, d).await?;
                    if let Some(fs) = fs {
                        fs.remove(&db).await?;
                    }
                }
                match crate::odoo::loader::drop_role(&maint.client, &rec.db, d).await {
                    Ok(()) => {
                        r.warnings.push(format!(
                            "dropped the role {} left by a tenantctl restore (pid {}) that was killed",
                            e(&rec.db),
                            rec.pid
                        ));
                        let _ = std::fs::remove_file(path);
                    }
                    Err(x) => r.warnings.push(format!(
                        "the role {} left by a killed tenantctl restore (pid {}) could not be dropped: {x:#}",
                        e(&rec.db),
                        rec.pid
                    )),
                }
            }
            // Killed between dropping the database and its filestore.
            Then::Remove => {
                let Some(fs) = fs else { continue };
                if lc::db_info(&maint.client, &rec.db, d).await?.is_none()
                    && fs.exists(&rec.db).await?
                {
                    fs.remove(&rec.db).await?;
                    r.warnings.push(format!(
                        "removed the filestore {}: a tenantctl run (pid {}) was killed after purging its database",
                        fs.show(&rec.db),
                        rec.pid
                    ));
                }
                let _ = std::fs::remove_file(path);
            }
        }
    }
    Ok(())
}

/// A record's steps are over: done, or undone with nothing left behind.
/// (With something left, the record stays for the next run to look at.)
fn settled(record: Option<building::Intent>, r: &Report) {
    if let Some(i) = record {
        if r.outcome != Outcome::Unknown {
            i.clear();
        }
    }
}

/// Whose a database named like a build (`NAME.creating-<hex>`) is.
pub(crate) enum Leftover {
    /// Recorded (its comment, or the local record written before its
    /// `CREATE`) by a tenantctl process of this host that is gone.
    Killed {
        pid: u32,
        local: Option<std::path::PathBuf>,
    },
    /// Recorded by a process of this host that is running.
    Live,
    /// Recorded by tenantctl on another host (`at`: when, as recorded).
    Elsewhere { host: String, at: Option<String> },
    /// No record at all (another user's or host's run killed right after
    /// its `CREATE DATABASE`, or not tenantctl's).
    Unrecorded,
}

/// What the record of `db` (its comment, then the local one) says.
pub(crate) fn leftover(link: &NodeLink, db: &str, comment: Option<&str>) -> Leftover {
    let rec = comment
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| v.get("tenantctl_creating").cloned());
    let local = building::find(link, db);
    let (pid, host, at) = match (&rec, &local) {
        (Some(rec), _) => (
            rec.get("pid").and_then(Value::as_u64).unwrap_or(0) as u32,
            rec.get("host")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            rec.get("at").and_then(Value::as_str).map(str::to_string),
        ),
        (None, Some((_, l))) => (l.pid, l.host.clone(), Some(l.at.clone())),
        (None, None) => return Leftover::Unrecorded,
    };
    if host != crate::audit::hostname() {
        return Leftover::Elsewhere { host, at };
    }
    if building::alive(pid) {
        return Leftover::Live;
    }
    Leftover::Killed {
        pid,
        local: local.map(|(p, _)| p),
    }
}

/// What `check` says of the local records of killed runs on `link` that
/// wait for the next lifecycle command on the node (moves and removals of
/// filestore directories).
pub(crate) fn pending_steps(link: &NodeLink) -> Vec<String> {
    building::dead_records(link)
        .into_iter()
        .filter_map(|(_, rec)| match rec.then {
            Then::Build => None,
            Then::Move { from, .. } => Some(format!(
                "a tenantctl run (pid {}, {}) was killed between renaming database {} to {} and moving its filestore; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node finishes it",
                rec.pid,
                e(&rec.at),
                e(&from),
                e(&rec.db)
            )),
            Then::Remove => Some(format!(
                "a tenantctl run (pid {}, {}) was killed between purging database {} and removing its filestore; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node removes it",
                rec.pid,
                e(&rec.at),
                e(&rec.db)
            )),
            Then::Role => Some(format!(
                "a tenantctl restore (pid {}, {}) was killed before dropping its temporary loader role {}; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node drops it",
                rec.pid,
                e(&rec.at),
                e(&rec.db)
            )),
        })
        .collect()
}

/// The local record of a database step followed by a filestore step (see
/// [`building`]): None without a filestore (nothing would follow), or when
/// it cannot be written (said, and the command goes on).
fn record_then(
    ctx: &Ctx,
    link: &NodeLink,
    fs: Option<&Filestore>,
    db: &str,
    then: Then,
) -> Option<building::Intent> {
    fs?;
    match building::Intent::write_then(link, db, then) {
        Ok(i) => Some(i),
        Err(x) => {
            ctx.printer.warn(format!(
                "the local record of the change of {} could not be written ({x}); a kill -9 between its database and filestore steps would not be finished by the next run",
                e(db)
            ));
            None
        }
    }
}

fn copy_plan(
    c: &CopySpec,
    link: &NodeLink,
    fs: Option<&Filestore>,
    what: &str,
    neutralize: Option<&crate::odoo::neutralize::Plan>,
) -> String {
    let mut p = format!(
        "{what} {}/{} from {}:\n  - CREATE DATABASE {} TEMPLATE {}{}\n  - new database.secret, database.uuid, database.create_date",
        link.name(),
        e(&c.new),
        e(&c.source),
        e(&c.new),
        e(&c.source),
        if c.force { " (ending its open connections first)" } else { "" }
    );
    if let Some(u) = &c.base_url {
        p.push_str(&format!("\n  - web.base.url = {} (frozen)", e(u)));
    }
    if c.new_customer {
        p.push_str("\n  - remove database.enterprise_code, database.expiration_date/_reason and tenant.* keys");
    } else {
        p.push_str("\n  - remove tenant.* keys");
    }
    if c.password.is_some() {
        p.push_str(&format!(
            "\n  - admin login {}, new password",
            c.admin_login
                .as_deref()
                .map(e)
                .unwrap_or_else(|| "kept".into())
        ));
    }
    if let Some(co) = &c.company {
        p.push_str(&format!("\n  - company name {}", e(co)));
    }
    if c.neutralize {
        p.push_str("\n  - neutralize: scheduled actions off (but base.autovacuum_job), mail servers off plus a dummy one, fetchmail off, database.is_neutralized");
        match neutralize {
            Some(n) if !n.modules.is_empty() => p.push_str(&format!(
                "\n  - neutralize as Odoo {} does, the data/neutralize.sql of the installed modules: {}",
                n.major.unwrap_or_default(),
                neutralized_names(n).join(", ")
            )),
            Some(n) => p.push_str(&format!(
                "\n  - no installed module has statements of its own (Odoo {})",
                n.major
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "version unknown".into())
            )),
            None => p.push_str(
                "\n  - and the data/neutralize.sql of every installed module tenantctl knows (web, website, payment, delivery...; see README)",
            ),
        }
    }
    match fs {
        Some(fs) => p.push_str(&format!(
            "\n  - copy filestore {} to {} (hard links where possible)",
            fs.show(&c.source),
            fs.show(&c.new)
        )),
        None => p.push_str("\n  - filestore left alone (--no-filestore)"),
    }
    p
}

/// The installed modules of a copy's source and its neutralization plan.
async fn source_modules(
    ctx: &Ctx,
    link: &NodeLink,
    source: &str,
) -> anyhow::Result<crate::odoo::neutralize::Plan> {
    let conn = link
        .connect(source, &ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the source"))?;
    crate::odoo::neutralize::plan(&conn.client, conn.deadline)
        .await
        .map_err(|x| x.context("reading the source's installed modules"))
}

/// The modules a neutralization plan names in the result: base and mail
/// (done by tenantctl's own code) and those of the plan.
fn neutralized_names(p: &crate::odoo::neutralize::Plan) -> Vec<String> {
    p.reported(p.names().iter().map(|s| s.to_string()))
}

/// The whole of create/duplicate for one copy; the report, whether
/// interrupted, the generated password.
async fn copy_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    link: &Arc<NodeLink>,
    c: &CopySpec,
    action: &'static str,
    what: &str,
    interactive: bool,
) -> (Report, bool, Option<String>) {
    let who = format!("{}/{}", link.name(), c.new);
    let mut r = base(link, &c.new, action);
    r.extra.insert("from".into(), json!(c.source));
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let fs = match filestore_for(link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return (r.fail(Outcome::Refused, format!("{who}: {m}")), false, None),
    };
    if let Err(m) = SafeName::new(&c.source) {
        return (r.fail(Outcome::Refused, format!("{who}: {m}")), false, None);
    }
    // The admin password's hash starts now when the password is known (not
    // one prompted for after the plan), beside the connection, the checks
    // and the copy: it is the longest single step of a create. A dry run
    // hashes nothing; `bulk create` (not interactive) starts each hash with
    // its copy, once the node's connection limit lets that in, so that the
    // hashes of a whole file do not all compete for the cores at once.
    let early = match &c.password {
        Some(Pw::Given(p)) if p.is_empty() => None,
        Some(pw) if interactive && !o.dry_run => Some(early_hash(pw, link.node.password_scheme)),
        _ => None,
    };
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => {
            return (
                r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                false,
                None,
            )
        }
    };
    let (src, building) = match check_copy(&maint, fs.as_ref(), c, what).await {
        Ok(Ok(s)) => s,
        Ok(Err(m)) => return (r.fail(Outcome::Refused, format!("{who}: {m}")), false, None),
        Err(x) => {
            return (
                r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                false,
                None,
            )
        }
    };
    // A dry run names the modules whose neutralization would run (the
    // source's installed modules); the real run reads them from the copy.
    let modules = if c.neutralize && o.dry_run {
        match source_modules(ctx, link, &c.source).await {
            Ok(p) => Some(p),
            Err(x) => {
                return (
                    r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
                    false,
                    None,
                )
            }
        }
    } else {
        None
    };
    let plan = copy_plan(c, link, fs.as_ref(), action, modules.as_ref());
    if o.dry_run {
        if let Some(m) = &modules {
            r.extra
                .insert("neutralized_modules".into(), json!(neutralized_names(m)));
        }
        return (
            r.ok(
                Outcome::WouldChange,
                format!("dry run: would {plan}\nNothing changed."),
            ),
            false,
            None,
        );
    }
    if interactive && !o.yes {
        ctx.printer.info(&plan);
        match confirm(&format!("{action} {who}?")) {
            Ok(true) => {}
            Ok(false) => {
                return (
                    r.fail(Outcome::Refused, format!("{who}: aborted; nothing changed")),
                    false,
                    None,
                )
            }
            Err(x) => {
                return (
                    r.fail(Outcome::Refused, format!("{who}: {x:#}")),
                    false,
                    None,
                )
            }
        }
    }
    let mut c2 = CopySpec {
        ..copy_spec_clone(c)
    };
    if let Some(Pw::Given(p)) = &c.password {
        if p.is_empty() {
            match prompt_twice(&who) {
                Ok(p) => c2.password = Some(Pw::Given(p)),
                Err(x) => {
                    return (
                        r.fail(Outcome::Refused, format!("{who}: {x:#}")),
                        false,
                        None,
                    )
                }
            }
        }
    }
    clean_stale_known(link, &maint, fs.as_ref(), &mut r, Some(building)).await;
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let t0 = std::time::Instant::now();
    match do_copy(&mut steps, &c2, &src, early).await {
        Ok(copy) => {
            r.login = copy.login.clone();
            r.users = usize::from(copy.login.is_some());
            r.extra
                .insert("seconds".into(), json!(t0.elapsed().as_secs_f64()));
            if let Some(u) = &c2.base_url {
                r.extra.insert("base_url".into(), json!(u));
            }
            if let Some(f) = copy.filestore {
                r.extra.insert("filestore".into(), json!(f));
            }
            if !copy.regenerated.removed_keys.is_empty() {
                r.extra
                    .insert("removed_keys".into(), json!(copy.regenerated.removed_keys));
            }
            if c2.neutralize {
                r.extra
                    .insert("neutralized".into(), json!(copy.regenerated.neutralized));
                r.extra.insert(
                    "neutralized_modules".into(),
                    json!(copy.regenerated.neutralized_modules),
                );
            }
            r.warnings.extend(copy.regenerated.warnings.clone());
            let fs_text = match copy.filestore {
                Some(Copied::Linked) => "filestore copied as hard links",
                Some(Copied::Copied) => "filestore copied",
                Some(Copied::NoSource) => "the source has no filestore directory",
                None => "filestore left alone",
            };
            // A generated password is shown before the run counts as done:
            // one that cannot be handed over undoes the creation.
            if let Some(pw) = &copy.generated {
                if interactive && ctx.printer.format != Output::Json {
                    if let Err(x) = out_checked(pw) {
                        let (r, i) = undone(
                            &mut steps,
                            r,
                            &who,
                            Stop::Failed(anyhow!(
                                "the generated password could not be printed: {x}"
                            )),
                        )
                        .await;
                        return (r, i, None);
                    }
                }
            }
            let r = r.ok(
                Outcome::Changed,
                format!(
                    "{action}: {who} from {} in {:.1}s ({fs_text}{})",
                    e(&c2.source),
                    t0.elapsed().as_secs_f64(),
                    if c2.neutralize {
                        format!(
                            ", neutralized: {}",
                            copy.regenerated.neutralized_modules.join(", ")
                        )
                    } else {
                        String::new()
                    }
                ),
            );
            // Done: a Ctrl-C now stops only what follows (bulk).
            (r, false, copy.generated)
        }
        Err(stop) => {
            let (r, i) = undone(&mut steps, r, &who, stop).await;
            (r, i, None)
        }
    }
}

fn copy_spec_clone(c: &CopySpec) -> CopySpec {
    CopySpec {
        source: c.source.clone(),
        new: c.new.clone(),
        force: c.force,
        base_url: c.base_url.clone(),
        admin_login: c.admin_login.clone(),
        company: c.company.clone(),
        password: c.password.clone(),
        new_customer: c.new_customer,
        neutralize: c.neutralize,
    }
}

fn pattern_url(link: &NodeLink, name: &str) -> Option<String> {
    link.node
        .lifecycle
        .base_url
        .as_ref()
        .map(|p| p.replace("{tenant}", name))
}

async fn create(ctx: &Ctx, o: &LifecycleOpts, c: &CreateOpts) -> Result<u8> {
    let (link, name) = node_for(ctx, &c.target)?;
    let template = c
        .from
        .clone()
        .or_else(|| link.node.lifecycle.template.clone())
        .ok_or_else(|| {
            Error::usage(anyhow!(
                "no template: pass --from TEMPLATE or set `template` for node {} in the inventory",
                link.name()
            ))
        })?;
    let pw = match c.password {
        PasswordInput::Generate(n) => {
            if ctx.printer.format == Output::Json {
                return Err(Error::usage(anyhow!(
                    "--generate prints the new password alone on stdout; it cannot be combined with -o json"
                )));
            }
            Pw::Generate(n)
        }
        PasswordInput::Stdin => Pw::Given(read_stdin_line()?),
        PasswordInput::Prompt => {
            if !o.dry_run && !std::io::stdin().is_terminal() {
                return Err(Error::usage(anyhow!(
                    "stdin is not a terminal, so I cannot prompt for the admin password; use --password-stdin or --generate"
                )));
            }
            // Asked after the confirmation.
            Pw::Given(String::new())
        }
    };
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let spec = CopySpec {
        source: template,
        base_url: c.base_url.clone().or_else(|| pattern_url(&link, &name)),
        new: name,
        force: c.force,
        admin_login: c.admin_login.clone(),
        company: c.company.clone(),
        password: Some(pw),
        new_customer: true,
        neutralize: false,
    };
    let (r, interrupted, generated) =
        copy_one(ctx, o, &link, &spec, "create", "template", true).await;
    Ok(finish(
        ctx,
        log.as_ref(),
        r,
        interrupted,
        generated.is_some(),
    ))
}

async fn duplicate(
    ctx: &Ctx,
    o: &LifecycleOpts,
    tenant: &str,
    new: &str,
    neutralize: bool,
    force: bool,
) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let t = ctx.resolve_for_write(tenant).await?;
    super::direct_only(&t.link)?;
    let spec = CopySpec {
        source: t.db.clone(),
        new: new.to_string(),
        force,
        base_url: pattern_url(&t.link, new),
        admin_login: None,
        company: None,
        password: None,
        new_customer: false,
        neutralize,
    };
    let (r, interrupted, _) = copy_one(ctx, o, &t.link, &spec, "duplicate", "tenant", true).await;
    Ok(finish(ctx, log.as_ref(), r, interrupted, false))
}

// ------------------------------------------------------------------ rename

async fn rename(ctx: &Ctx, o: &LifecycleOpts, tenant: &str, new: &str) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let t = ctx.resolve_for_write(tenant).await?;
    super::direct_only(&t.link)?;
    let link = &t.link;
    let who = t.display();
    let mut r = base(link, &t.db, "rename");
    r.extra.insert("new_name".into(), json!(new));
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let done = |r: Report| Ok(finish(ctx, log.as_ref(), r, false, false));
    let fs = match filestore_for(link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
    };
    if let Err(m) = SafeName::new(&t.db) {
        return done(r.fail(Outcome::Refused, m));
    }
    if let Err(m) = check_db_name(new) {
        return done(r.fail(Outcome::Refused, format!("{who}: {m}; nothing changed")));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let d = maint.deadline;
    let was_allowed = match lc::db_info(&maint.client, &t.db, d).await {
        Ok(Some(i)) => i.allow_connections,
        Ok(None) => {
            return done(r.fail(
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let pre = async {
        if lc::db_info(&maint.client, new, d).await?.is_some() {
            return anyhow::Ok(Some(format!(
                "a database named {} exists on the node; nothing changed",
                e(new)
            )));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(new).await? {
                return Ok(Some(format!(
                    "the filestore directory {} exists; nothing changed",
                    fs.show(new)
                )));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => {}
        Ok(Some(m)) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
    // web.base.url follows the rename when it follows the node's pattern.
    let url_change = match (pattern_url(link, &t.db), pattern_url(link, new)) {
        (Some(old_url), Some(new_url)) => match link.connect(&t.db, &ctx.transport).await {
            Ok(conn) => match lc::base_url(&conn.client, conn.deadline).await {
                Ok(Some(cur)) if cur == old_url => Some((old_url, new_url)),
                _ => None,
            },
            Err(_) => None,
        },
        _ => None,
    };
    let plan = format!(
        "rename {who} to {}:\n  - end its sessions, ALTER DATABASE RENAME{}{}",
        e(new),
        match &fs {
            Some(fs) => format!("\n  - move {} to {}", fs.show(&t.db), fs.show(new)),
            None => "\n  - filestore left alone (--no-filestore)".into(),
        },
        match &url_change {
            Some((_, u)) => format!("\n  - web.base.url = {}", e(u)),
            None => String::new(),
        }
    );
    if o.dry_run {
        return done(r.ok(
            Outcome::WouldChange,
            format!("dry run: would {plan}\nNothing changed."),
        ));
    }
    if !o.yes {
        ctx.printer.info(&plan);
        if !confirm(&format!("Rename {who} to {}?", e(new)))? {
            ctx.printer.info("aborted; nothing changed");
            return Ok(EXIT_FAILED);
        }
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        new,
        Then::Move {
            from: t.db.clone(),
            allow: was_allowed,
            allowed_before: was_allowed,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let work = async {
        steps.next("database").await?;
        // No new session may come in between ending them and the rename
        // (a tenant blocked by its suspension stays blocked).
        lc::allow_connections(&maint.client, &t.db, false, d).await?;
        steps
            .done
            .push(Undo::AllowConnections(t.db.clone(), was_allowed));
        lc::end_sessions(&maint.client, &t.db, d).await?;
        lc::rename(&maint.client, &t.db, new, d).await?;
        // Undone newest first: rename back, then allow connections again.
        steps.done.push(Undo::RenameDb {
            from: new.to_string(),
            to: t.db.clone(),
        });
        if was_allowed {
            lc::allow_connections(&maint.client, new, true, d).await?;
        }
        let mut moved = false;
        if let Some(fs) = steps.fs {
            steps.next("filestore").await?;
            moved = fs.rename(&t.db, new).await?;
            if moved {
                steps.done.push(Undo::MoveDir {
                    from: new.to_string(),
                    to: t.db.clone(),
                });
            }
        }
        if let Some((old_url, new_url)) = &url_change {
            steps.next("base_url").await?;
            let mut conn = link.connect(new, &ctx.transport).await?;
            lc::set_base_url(
                &mut conn.client,
                new_url,
                ctx.global.allow_triggers,
                conn.deadline,
            )
            .await
            .map_err(|w| Stop::of_write(w, "web.base.url"))?;
            steps.done.push(Undo::BaseUrl {
                db: new.to_string(),
                url: old_url.clone(),
            });
        }
        steps.next("done").await?;
        std::result::Result::<bool, Stop>::Ok(moved)
    };
    let res = work.await;
    let (r, interrupted) = match res {
        Ok(moved) => {
            r.tenant = new.to_string();
            r.extra.insert("old_name".into(), json!(t.db));
            if let Some((_, u)) = &url_change {
                r.extra.insert("base_url".into(), json!(u));
            }
            (
                r.ok(
                    Outcome::Changed,
                    format!(
                        "renamed {who} to {}{}{}",
                        e(new),
                        if moved { ", filestore moved" } else { "" },
                        if url_change.is_some() {
                            ", web.base.url updated"
                        } else {
                            ""
                        }
                    ),
                ),
                false,
            )
        }
        Err(stop) => undone(&mut steps, r, &who, stop).await,
    };
    settled(record, &r);
    Ok(finish(ctx, log.as_ref(), r, interrupted, false))
}

// ------------------------------------------------------------------ drop

/// The marker of a tenantctl drop in a database name.
const DROPPED: &str = ".dropped-";
/// `YYYYMMDDTHHMMSSZ`
const STAMP_LEN: usize = 16;

/// `NAME.dropped-20261201T120000Z`; NAME is cut to fit PostgreSQL's 63 bytes
/// (the full name is in the database's comment).
fn dropped_name(name: &str, stamp: &str) -> String {
    let keep = MAX_NAME - DROPPED.len() - STAMP_LEN;
    let mut cut = name.len().min(keep);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{DROPPED}{stamp}", &name[..cut])
}

/// Now as `YYYYMMDDTHHMMSSZ` (UTC).
fn stamp_now() -> String {
    let s = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    s.replace(['-', ':'], "")
}

/// The drop time and name part of a dropped name.
fn parse_dropped(db: &str) -> Option<(String, SystemTime)> {
    let i = db.rfind(DROPPED)?;
    let stamp = &db[i + DROPPED.len()..];
    if stamp.len() != STAMP_LEN {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[9..11],
        &stamp[11..13],
        &stamp[13..15]
    );
    let t = humantime::parse_rfc3339(&rfc).ok()?;
    Some((db[..i].to_string(), t))
}

/// The original name recorded in a dropped database's comment.
fn original_name(db: &str, comment: Option<&str>) -> Option<String> {
    comment
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| {
            v.get("tenantctl_dropped")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        })
        .or_else(|| parse_dropped(db).map(|(n, _)| n))
}

async fn drop_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    tenant: &str,
    force: bool,
    interactive: bool,
    moved_to: Option<&str>,
) -> Result<Option<(Report, bool)>> {
    let t = ctx.resolve_for_write(tenant).await?;
    super::direct_only(&t.link)?;
    let link = &t.link;
    let who = t.display();
    let mut r = base(link, &t.db, "drop");
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let done = |r: Report| Ok(Some((r, false)));
    let fs = match filestore_for(link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
    };
    if let Err(m) = SafeName::new(&t.db) {
        return done(r.fail(Outcome::Refused, m));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    // A tenant blocked by the `connections` suspension layer is suspended
    // (its record is in the database's comment; it cannot be connected to).
    let info = match lc::db_info(&maint.client, &t.db, maint.deadline).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return done(r.fail(
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let blocked = info
        .comment
        .as_deref()
        .and_then(crate::odoo::layers::Blocked::parse)
        .is_some();
    let suspended = if blocked {
        Ok(true)
    } else {
        match link.connect(&t.db, &ctx.transport).await {
            Ok(conn) => suspension::state(&conn.client).await.map(|s| s.suspended()),
            Err(x) => Err(x),
        }
    };
    match suspended {
        Ok(true) => {}
        Ok(false) if force => r.warnings.push("the tenant is not suspended (--force)".into()),
        Ok(false) => {
            return done(r.fail(
                Outcome::Refused,
                format!("{who}: refusing to drop a tenant that is not suspended (suspend it first, or pass --force); nothing changed"),
            ))
        }
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
    let d = maint.deadline;
    let stamp = stamp_now();
    let gone = dropped_name(&t.db, &stamp);
    r.extra.insert("dropped_name".into(), json!(gone));
    let pre = async {
        if lc::db_info(&maint.client, &gone, d).await?.is_some() {
            return anyhow::Ok(Some(format!("{} exists; nothing changed", e(&gone))));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(&gone).await? {
                return Ok(Some(format!("{} exists; nothing changed", fs.show(&gone))));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => {}
        Ok(Some(m)) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
    let retention = link.node.lifecycle.drop_retention;
    let plan = format!(
        "drop {who} (soft, reversible with undrop):\n  - ALLOW_CONNECTIONS false, end its sessions\n  - rename to {}{}\n  - purgeable after {}",
        e(&gone),
        match &fs {
            Some(fs) => format!("\n  - move {} to {}", fs.show(&t.db), fs.show(&gone)),
            None => "\n  - filestore left alone (--no-filestore)".into(),
        },
        crate::output::duration(retention)
    );
    if o.dry_run {
        return done(r.ok(
            Outcome::WouldChange,
            format!("dry run: would {plan}\nNothing changed."),
        ));
    }
    if interactive && !o.yes {
        ctx.printer.info(&plan);
        if !confirm(&format!("Drop {who}?"))? {
            return Ok(None);
        }
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        &gone,
        Then::Move {
            from: t.db.clone(),
            allow: false,
            allowed_before: info.allow_connections,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    // What undrop restores: the name, the comment (a suspension's block
    // record) and whether connections were allowed.
    let mut rec = json!({
        "name": t.db, "at": now_rfc3339(), "by": crate::audit::operator(),
        "previous_comment": info.comment, "allow_connections": info.allow_connections,
    });
    if let Some(to) = moved_to {
        rec["moved_to"] = json!(to);
    }
    let note = json!({ "tenantctl_dropped": rec }).to_string();
    let work = async {
        steps.next("database").await?;
        lc::allow_connections(&maint.client, &t.db, false, d).await?;
        steps.done.push(Undo::AllowConnections(t.db.clone(), true));
        lc::end_sessions(&maint.client, &t.db, d).await?;
        lc::rename_and_comment(&maint.client, &t.db, &gone, Some(&note), d).await?;
        steps.done.push(Undo::RenameDb {
            from: gone.clone(),
            to: t.db.clone(),
        });
        steps
            .done
            .push(Undo::Comment(gone.clone(), info.comment.clone()));
        let mut moved = false;
        if let Some(fs) = steps.fs {
            steps.next("filestore").await?;
            moved = fs.rename(&t.db, &gone).await?;
            if moved {
                steps.done.push(Undo::MoveDir {
                    from: gone.clone(),
                    to: t.db.clone(),
                });
            }
        }
        steps.next("done").await?;
        std::result::Result::<bool, Stop>::Ok(moved)
    };
    let (r, interrupted) = match work.await {
        Ok(moved) => (
            r.ok(
                Outcome::Changed,
                format!(
                    "dropped {who}: now {} (no connections){}; `tenantctl undrop {}` restores it, `tenantctl purge` deletes it after {}",
                    e(&gone),
                    if moved { ", filestore moved alongside" } else { "" },
                    e(&t.db),
                    crate::output::duration(retention)
                ),
            ),
            false,
        ),
        Err(stop) => undone(&mut steps, r, &who, stop).await,
    };
    settled(record, &r);
    Ok(Some((r, interrupted)))
}

/// A dropped tenant found on a node.
struct Dropped {
    link: Arc<NodeLink>,
    db: String,
    name: String,
    at: Option<SystemTime>,
}

/// Every dropped tenant of the selected nodes (nodes that cannot be asked
/// are warned about).
async fn all_dropped(ctx: &Ctx) -> Vec<Dropped> {
    let mut out = Vec::new();
    for link in &ctx.links {
        let found = async {
            let m = maintenance(ctx, link).await?;
            lc::dropped(&m.client, m.deadline).await
        };
        match found.await {
            Ok(rows) => {
                for (db, comment) in rows {
                    out.push(Dropped {
                        link: link.clone(),
                        name: original_name(&db, comment.as_deref()).unwrap_or_else(|| db.clone()),
                        at: parse_dropped(&db).map(|(_, t)| t),
                        db,
                    });
                }
            }
            Err(x) => ctx.printer.warn(format!("node {}: {x:#}", link.name())),
        }
    }
    out
}

/// The one dropped tenant `spec` names (its name or its dropped name).
async fn find_dropped(ctx: &Ctx, spec: &str) -> Result<Dropped> {
    crate::targets::check_name(spec)?;
    let (node, name) = crate::targets::split_spec(spec, &ctx.links);
    let mut hits: Vec<Dropped> = all_dropped(ctx)
        .await
        .into_iter()
        .filter(|d| node.is_none_or(|n| d.link.name() == n))
        .filter(|d| d.db == name || d.name == name)
        .collect();
    match hits.len() {
        1 => {
            let d = hits.pop().expect("one");
            super::direct_only(&d.link)?;
            Ok(d)
        }
        0 => Err(Error::usage(anyhow!(
            "no dropped tenant {} on the selected nodes (see `tenantctl list --dropped`)",
            e(spec)
        ))),
        _ => Err(Error::usage(anyhow!(
            "{} names several dropped tenants: {}; give the dropped name (NODE/NAME.dropped-...)",
            e(spec),
            hits.iter()
                .map(|d| format!("{}/{}", d.link.name(), d.db))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `list --dropped`.
pub async fn list_dropped(ctx: &Ctx) -> Result<u8> {
    let all = all_dropped(ctx).await;
    let now = SystemTime::now();
    let rows: Vec<Value> = all
        .iter()
        .map(|d| {
            let purge_after = d.at.map(|t| t + d.link.node.lifecycle.drop_retention);
            json!({
                "node": d.link.name(),
                "tenant": d.name,
                "database": d.db,
                "dropped_at": d.at.map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                "purge_after": purge_after.map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                "purgeable": purge_after.is_some_and(|t| t <= now),
            })
        })
        .collect();
    match ctx.printer.format {
        Output::Json => out_json(&rows),
        Output::Csv => {
            ctx.printer
                .csv_header(&["node", "tenant", "database", "dropped_at", "purge_after"]);
            for r in &rows {
                out(&crate::output::csv_line(&[
                    r["node"].as_str().unwrap_or(""),
                    r["tenant"].as_str().unwrap_or(""),
                    r["database"].as_str().unwrap_or(""),
                    r["dropped_at"].as_str().unwrap_or(""),
                    r["purge_after"].as_str().unwrap_or(""),
                ]));
            }
        }
        Output::Table => {
            let p = &ctx.printer;
            let mut t = p.table(&[
                crate::output::Col::key("NODE"),
                crate::output::Col::key("TENANT"),
                crate::output::Col::key("DROPPED AS"),
                crate::output::Col::key("DROPPED AT"),
                crate::output::Col::key("PURGE AFTER"),
            ]);
            for r in &rows {
                t.row([
                    r["node"].as_str().unwrap_or(""),
                    r["tenant"].as_str().unwrap_or(""),
                    r["database"].as_str().unwrap_or(""),
                    r["dropped_at"].as_str().unwrap_or("-"),
                    r["purge_after"].as_str().unwrap_or("-"),
                ]);
            }
            if rows.is_empty() {
                p.info("no dropped tenants");
            } else {
                p.print_table(&t);
            }
        }
    }
    Ok(crate::error::EXIT_OK)
}

async fn undrop(ctx: &Ctx, o: &LifecycleOpts, spec: &str, force: bool) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let dt = find_dropped(ctx, spec).await?;
    let link = &dt.link;
    let who = format!("{}/{}", link.name(), dt.db);
    let mut r = base(link, &dt.name, "undrop");
    r.extra.insert("dropped_name".into(), json!(dt.db));
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let done = |r: Report| Ok(finish(ctx, log.as_ref(), r, false, false));
    let fs = match filestore_for(link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
    };
    if let Err(m) = SafeName::new(&dt.db) {
        return done(r.fail(Outcome::Refused, m));
    }
    if let Err(m) = check_db_name(&dt.name) {
        return done(r.fail(Outcome::Refused, format!("{who}: {m}; nothing changed")));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let d = maint.deadline;
    let info = match lc::db_info(&maint.client, &dt.db, d).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return done(r.fail(
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let pre = async {
        if lc::db_info(&maint.client, &dt.name, d).await?.is_some() {
            return anyhow::Ok(Some(format!(
                "a database named {} exists (a new tenant took the name?); nothing changed",
                e(&dt.name)
            )));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(&dt.name).await? {
                return Ok(Some(format!(
                    "the filestore directory {} exists; nothing changed",
                    fs.show(&dt.name)
                )));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => {}
        Ok(Some(m)) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
    // The drop's note: the comment and connection state before the drop.
    let note = info
        .comment
        .as_deref()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| v.get("tenantctl_dropped").cloned());
    let previous = note
        .as_ref()
        .and_then(|n| n.get("previous_comment")?.as_str().map(str::to_string));
    let allow = note
        .as_ref()
        .and_then(|n| n.get("allow_connections")?.as_bool())
        .unwrap_or(true);
    // Dropped by `move`: the copy on the other node is the same tenant
    // (identity kept); bringing this one back would run two live copies.
    if let Some(to) = note
        .as_ref()
        .and_then(|n| n.get("moved_to")?.as_str().map(str::to_string))
    {
        let m = format!(
            "{who} was moved to {}: that copy is the live tenant, with the same identity \
             (database.uuid, database.secret); undropping this one would run two live copies of one tenant",
            e(&to)
        );
        if !force {
            return done(r.fail(
                Outcome::Refused,
                format!(
                    "{m}. Purge this one, or drop {} first and rerun with --force; nothing changed",
                    e(&to)
                ),
            ));
        }
        r.warnings.push(format!("{m} (--force)"));
    }
    let plan = format!(
        "undrop {who}: rename back to {}, allow connections, move its filestore back",
        e(&dt.name)
    );
    if o.dry_run {
        return done(r.ok(
            Outcome::WouldChange,
            format!("dry run: would {plan}. Nothing changed."),
        ));
    }
    if !o.yes && !confirm(&format!("{plan}?"))? {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        &dt.name,
        Then::Move {
            from: dt.db.clone(),
            allow,
            allowed_before: false,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let work = async {
        steps.next("database").await?;
        lc::rename_and_comment(&maint.client, &dt.db, &dt.name, previous.as_deref(), d).await?;
        steps.done.push(Undo::RenameDb {
            from: dt.name.clone(),
            to: dt.db.clone(),
        });
        steps
            .done
            .push(Undo::Comment(dt.name.clone(), info.comment.clone()));
        if let Some(fs) = steps.fs {
            steps.next("filestore").await?;
            if fs.rename(&dt.db, &dt.name).await? {
                steps.done.push(Undo::MoveDir {
                    from: dt.name.clone(),
                    to: dt.db.clone(),
                });
            }
        }
        steps.next("connections").await?;
        if allow {
            lc::allow_connections(&maint.client, &dt.name, true, d).await?;
        }
        std::result::Result::<(), Stop>::Ok(())
    };
    let (r, interrupted) = match work.await {
        Ok(()) => (
            r.ok(
                Outcome::Changed,
                format!("undropped {who}: it is {} again (still suspended if it was; `tenantctl reactivate` switches it on)", e(&dt.name)),
            ),
            false,
        ),
        Err(stop) => undone(&mut steps, r, &who, stop).await,
    };
    settled(record, &r);
    Ok(finish(ctx, log.as_ref(), r, interrupted, false))
}

/// On a terminal: the operator types the tenant's name. Without one:
/// `--yes` is required.
fn confirm_purge(name: &str, who: &str, yes: bool) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        if yes {
            return Ok(true);
        }
        return Err(Error::usage(anyhow!(
            "stdin is not a terminal, so I cannot ask you to type the tenant's name; pass --yes (nothing changed)"
        )));
    }
    eprint!("Purge {who} for good (database and filestore, no undo)? Type the tenant's name ({}) to confirm: ", e(name));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|x| Error::usage(anyhow!("reading the answer: {x}")))?;
    Ok(line.trim_end_matches(['\n', '\r']) == name)
}

async fn purge_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    spec: &str,
    now: bool,
    interactive: bool,
) -> Result<Option<(Report, bool)>> {
    let dt = find_dropped(ctx, spec).await?;
    let link = &dt.link;
    let who = format!("{}/{}", link.name(), dt.db);
    let mut r = base(link, &dt.name, "purge");
    r.extra.insert("dropped_name".into(), json!(dt.db));
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let done = |r: Report| Ok(Some((r, false)));
    let fs = match filestore_for(link, o.no_filestore) {
        Ok(f) => f,
        Err(m) => return done(r.fail(Outcome::Refused, format!("{who}: {m}"))),
    };
    if let Err(m) = SafeName::new(&dt.db) {
        return done(r.fail(Outcome::Refused, m));
    }
    let retention = link.node.lifecycle.drop_retention;
    let after = dt.at.map(|t| t + retention);
    if !now {
        match after {
            Some(a) if a <= SystemTime::now() => {}
            Some(a) => {
                return done(r.fail(
                    Outcome::Refused,
                    format!(
                        "{who}: dropped less than drop_retention ({}) ago; purgeable after {} (or pass --now); nothing changed",
                        crate::output::duration(retention),
                        humantime::format_rfc3339_seconds(a)
                    ),
                ))
            }
            None => return done(r.fail(Outcome::Refused, format!("{who}: no drop time in its name; pass --now; nothing changed"))),
        }
    }
    let plan = format!(
        "purge {who}: DROP DATABASE{}",
        match &fs {
            Some(fs) => format!(", rm -rf {}", fs.show(&dt.db)),
            None => " (filestore left alone: --no-filestore)".into(),
        }
    );
    if o.dry_run {
        return done(r.ok(
            Outcome::WouldChange,
            format!("dry run: would {plan}. Nothing changed."),
        ));
    }
    if interactive {
        ctx.printer.info(&plan);
    }
    if interactive && !confirm_purge(&dt.name, &who, o.yes)? {
        return done(r.fail(
            Outcome::Refused,
            format!("{who}: the name typed does not match; nothing changed"),
        ));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return done(r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    // From here a Ctrl-C lets the purge finish (database, then filestore).
    let _guard = run_guard();
    let record = record_then(ctx, link, fs.as_ref(), &dt.db, Then::Remove);
    pause_point("database").await;
    if let Err(x) = lc::drop_database(&maint.client, &dt.db, maint.deadline).await {
        if let Some(i) = record {
            i.clear();
        }
        return done(r.fail(
            Outcome::Failed,
            format!("{who}: DROP DATABASE: {x:#}; nothing changed"),
        ));
    }
    if let Some(fs) = &fs {
        pause_point("filestore").await;
        if let Err(x) = fs.remove(&dt.db).await {
            // The record stays: the next run on the node removes it.
            return done(r.fail(
                Outcome::Failed,
                format!("{who}: the database is purged but its filestore {} could not be removed: {x:#}", fs.show(&dt.db)),
            ));
        }
    }
    if let Some(i) = record {
        i.clear();
    }
    done(r.ok(
        Outcome::Changed,
        format!("purged {who}: database and filestore deleted"),
    ))
}

async fn drop_tenant(ctx: &Ctx, o: &LifecycleOpts, tenant: &str, force: bool) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    match drop_one(ctx, o, tenant, force, true, None).await? {
        Some((r, i)) => Ok(finish(ctx, log.as_ref(), r, i, false)),
        None => {
            ctx.printer.info("aborted; nothing changed");
            Ok(EXIT_FAILED)
        }
    }
}

async fn purge(ctx: &Ctx, o: &LifecycleOpts, spec: &str, now: bool) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    match purge_one(ctx, o, spec, now, true).await? {
        Some((r, i)) => Ok(finish(ctx, log.as_ref(), r, i, false)),
        None => Ok(EXIT_FAILED),
    }
}

/// Targets of `bulk drop|purge --from`: the first column of each line.
fn bulk_targets(from: &std::path::Path) -> Result<Vec<(usize, String)>> {
    let text = if from == std::path::Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|x| Error::usage(anyhow!("--from -: {x}")))?;
        s
    } else {
        std::fs::read_to_string(from)
            .map_err(|x| Error::usage(anyhow!("--from {}: {x}", from.display())))?
    };
    let v: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i, parse_line(l).swap_remove(0)))
        .filter(|(i, n)| !(*i == 1 && (n == "name" || n == "tenant")))
        .collect();
    if v.is_empty() {
        return Err(Error::usage(anyhow!(
            "--from {}: no tenants",
            from.display()
        )));
    }
    Ok(v)
}

/// `bulk drop` / `bulk purge`: one confirmation for the run, then each
/// tenant as the single command does it, in file order.
async fn bulk_lifecycle(
    ctx: &Ctx,
    o: &LifecycleOpts,
    from: &std::path::Path,
    action: &'static str,
    flag: bool,
) -> Result<u8> {
    let targets = bulk_targets(from)?;
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    if !o.dry_run {
        let ok = if action == "purge" && std::io::stdin().is_terminal() {
            eprint!(
                "Purge {n} dropped tenants for good (no undo)? Type their number ({n}) to confirm: ",
                n = targets.len()
            );
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            line.trim() == targets.len().to_string()
        } else if !o.yes {
            confirm(&format!("{action} {} tenants?", targets.len()))?
        } else {
            true
        };
        if !ok {
            ctx.printer.info("aborted; nothing changed");
            return Ok(EXIT_FAILED);
        }
    }
    let t0 = std::time::Instant::now();
    let mut reports = Vec::new();
    let mut interrupted = false;
    for (line, spec) in targets {
        interrupted |= !o.dry_run && run_guard().interrupted();
        let mut r = if interrupted {
            Report::new(None, &spec, action).ok(Outcome::Skipped, "not started (interrupted)")
        } else {
            let res = match action {
                "drop" => drop_one(ctx, o, &spec, flag, false, None).await,
                _ => purge_one(ctx, o, &spec, flag, false).await,
            };
            match res {
                Ok(Some((r, i))) => {
                    interrupted |= i;
                    r
                }
                Ok(None) => Report::new(None, &spec, action).fail(Outcome::Refused, "aborted"),
                Err(x) => Report::new(None, &spec, action).fail(
                    if x.is_usage() {
                        Outcome::Refused
                    } else {
                        Outcome::Failed
                    },
                    format!("{spec}: {x:#}"),
                ),
            }
        };
        r.line = Some(line);
        if !o.dry_run {
            audited(log.as_ref(), &mut r);
        }
        reports.push(r);
    }
    Ok(report::bulk(
        ctx,
        action,
        &reports,
        t0.elapsed().as_secs_f64(),
        interrupted,
        o.dry_run,
    ))
}

// ------------------------------------------------------------------ bulk create

/// One line of `bulk create --from`: name[,admin_login[,company]].
fn parse_line(line: &str) -> Vec<String> {
    // A small CSV reader: double quotes, "" inside quotes.
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().expect("one").push('"');
            }
            ('"', q) => quoted = !q,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().expect("one").push(c),
        }
    }
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

async fn bulk_create(
    ctx: &Ctx,
    o: &LifecycleOpts,
    from: &std::path::Path,
    template: Option<&str>,
    length: usize,
    secrets_file: &std::path::Path,
    force: bool,
) -> Result<u8> {
    let text = if from == std::path::Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|x| Error::usage(anyhow!("--from -: {x}")))?;
        s
    } else {
        std::fs::read_to_string(from)
            .map_err(|x| Error::usage(anyhow!("--from {}: {x}", from.display())))?
    };
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let f = parse_line(l);
        if i == 0 && f[0].eq_ignore_ascii_case("name") {
            continue;
        }
        let (link, name) =
            node_for(ctx, &f[0]).map_err(|x| x.context(format!("--from line {}", i + 1)))?;
        let opt = |k: usize| f.get(k).filter(|v| !v.is_empty()).cloned();
        entries.push((i + 1, link, name, opt(1), opt(2)));
    }
    if entries.is_empty() {
        return Err(Error::usage(anyhow!(
            "--from {}: no tenants",
            from.display()
        )));
    }
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let secrets = if o.dry_run {
        None
    } else {
        Some(super::pipeline::passwd::Secrets::create(secrets_file)?)
    };
    if !o.dry_run && !o.yes && !confirm(&format!("Create {} tenants?", entries.len()))? {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let t0 = std::time::Instant::now();
    let mut reports = Vec::new();
    let mut interrupted = false;
    for (line, link, name, login, company) in entries {
        let Some(tmpl) = template
            .map(str::to_string)
            .or_else(|| link.node.lifecycle.template.clone())
        else {
            let mut r = base(&link, &name, "create").fail(
                Outcome::Refused,
                format!(
                    "{}/{name}: no template: pass --template or set `template` for the node",
                    link.name()
                ),
            );
            r.line = Some(line);
            reports.push(r);
            continue;
        };
        if interrupted {
            let mut r =
                base(&link, &name, "create").ok(Outcome::Skipped, "not started (interrupted)");
            r.line = Some(line);
            reports.push(r);
            continue;
        }
        let spec = CopySpec {
            source: tmpl,
            base_url: pattern_url(&link, &name),
            new: name.clone(),
            force,
            admin_login: login,
            company,
            password: Some(Pw::Generate(length)),
            new_customer: true,
            neutralize: false,
        };
        // The password goes to the secrets file, not stdout.
        let (mut r, i, generated) =
            copy_one(ctx, o, &link, &spec, "create", "template", false).await;
        r.line = Some(line);
        if let (Some(pw), Some(s)) = (&generated, &secrets) {
            let login = r.login.clone().unwrap_or_default();
            if let Err(x) = s.write_line(link.name(), &name, &login, pw, "done") {
                r.warnings.push(format!("the secrets file could not be written ({x}); the tenant was created, set a password with `tenantctl passwd`"));
            }
        }
        if r.dry_run != Some(true) {
            audited(log.as_ref(), &mut r);
        }
        interrupted |= i;
        reports.push(r);
    }
    Ok(report::bulk(
        ctx,
        "create",
        &reports,
        t0.elapsed().as_secs_f64(),
        interrupted,
        o.dry_run,
    ))
}
