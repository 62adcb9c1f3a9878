//! The rest of a tenant's life (issue 14): `create` from a template,
//! `duplicate`, `rename`, `drop` (soft), `undrop`, `purge`, `list --dropped`,
//! `bulk create`. Each is a run of one target ending in the pipeline's one
//! [`Report`], its [`Outcome`] and [`crate::ops::verdict`] (through
//! [`report::single`] / [`report::bulk`]), with an audit line.
//!
//! Every step that changes something records how to undo it; a failure or a
//! Ctrl-C at any step undoes what was done, in reverse order, so that
//! nothing is left behind (no half-made database, no orphan filestore).

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{anyhow, bail};
use serde_json::{json, Value};

use crate::audit::{now_rfc3339, AuditLog};
use crate::config::{CreateOpts, LifecycleAction, LifecycleOpts, Output, PasswordInput};
use crate::error::{Error, Result, EXIT_FAILED};
use crate::interrupt::Guard;
use crate::odoo::lifecycle::{self as lc, check_db_name, Identity, MAX_NAME};
use crate::odoo::{password, suspension, users, WriteError};
use crate::ops::prompt::confirm;
use crate::ops::Ctx;
use crate::ops::{report, Op, Outcome, Plan, Report};
use crate::output::{esc, out, out_checked, out_json};
use crate::transport::host::filestore::{self, Copied, Filestore, SafeName};
use crate::transport::{Conn, NodeLink};

/// `backup` and `restore` (issue 15).
mod archive;
pub use archive::{backup, bulk_backup, move_tenant, restore};
mod building;
use building::Then;
mod copy;
mod drop;
mod journal;
mod recover;
mod rename;
mod upgrade;
use copy::*;
pub use drop::list_dropped;
use drop::*;
use journal::*;
use recover::*;
pub(crate) use recover::{leftover, pending_steps, Leftover};
use rename::*;

/// Tenant-controlled or operator text in messages.
fn e(s: &str) -> String {
    esc(s).into_owned()
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
    crate::ops::audit::write(log, &crate::audit::operator(), r, reason);
}

fn base(link: &Arc<NodeLink>, tenant: &str, action: crate::ops::Op) -> Report {
    let mut r = Report::new(None, tenant, action);
    r.node = Some(link.name().to_string());
    r.via = Some(link.via);
    r
}

/// The node of `NODE/NAME`, or the only selected node for `NAME`.
fn node_for(ctx: &Ctx, spec: &str) -> Result<(Arc<NodeLink>, String)> {
    let (link, name) = node_of(ctx, spec)?;
    crate::ops::direct_only(&link)?;
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
        None => Err(Error::target(anyhow!(
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

/// The node's filestore for a command on `db` (None with `--no-filestore`),
/// or the refusal's text: the node has none, or `db` is no safe directory
/// name.
fn checked_filestore(
    link: &Arc<NodeLink>,
    no_filestore: bool,
    db: &str,
    who: &str,
) -> std::result::Result<Option<Filestore>, String> {
    let fs = filestore_for(link, no_filestore).map_err(|m| format!("{who}: {m}"))?;
    SafeName::new(db)?;
    Ok(fs)
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
pub async fn run(ctx: &Arc<Ctx>, o: &LifecycleOpts) -> Result<u8> {
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
        LifecycleAction::Upgrade(u) => upgrade::upgrade(ctx, o, u).await,
        LifecycleAction::UpgradeRollback { tenant } => upgrade::rollback(ctx, o, tenant).await,
        LifecycleAction::BulkUpgrade {
            from,
            layout,
            up,
            canary,
            per_node,
            failed_to,
        } => {
            let (canary, per_node, failed_to) = (*canary, *per_node, failed_to.as_deref());
            upgrade::bulk_upgrade(ctx, o, from, layout, up, canary, per_node, failed_to).await
        }
        LifecycleAction::Drop { tenant, force } => drop_tenant(ctx, o, tenant, *force).await,
        LifecycleAction::Undrop { tenant, force } => undrop(ctx, o, tenant, *force).await,
        LifecycleAction::Purge { tenant, now } => purge(ctx, o, tenant, *now).await,
        LifecycleAction::BulkCreate {
            from,
            layout,
            template,
            length,
            secrets_file,
            force,
            failed_to,
        } => {
            let m = CreateMany {
                from,
                layout,
                template: template.as_deref(),
                length: *length,
                secrets_file,
                force: *force,
                failed_to: failed_to.as_deref(),
            };
            bulk_create(ctx, o, m).await
        }
        LifecycleAction::BulkDrop {
            from,
            layout,
            force,
            failed_to,
        } => {
            let files = (from.as_path(), layout, failed_to.as_deref());
            bulk_lifecycle(ctx, o, files, Op::Drop, *force).await
        }
        LifecycleAction::BulkPurge {
            from,
            layout,
            now,
            failed_to,
        } => {
            let files = (from.as_path(), layout, failed_to.as_deref());
            bulk_lifecycle(ctx, o, files, Op::Purge, *now).await
        }
    }
}

/// The future of one target's work.
pub(super) type Work = std::pin::Pin<Box<dyn std::future::Future<Output = Report> + Send>>;

/// What a lifecycle bulk run does for one job: the single command's work,
/// or, once `stopped` (Ctrl-C), its `skipped` report.
pub(super) trait Each: Send + Sync + 'static {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work;
    /// A selector run (no `--from` file): a database that is not an Odoo
    /// tenant (its report's `not_odoo`) is left out, neither reported nor
    /// audited, as `bulk suspend --all-matching` leaves it out.
    fn selector(&self) -> bool {
        false
    }
}

/// A lifecycle bulk run (`bulk create|drop|purge`) by the runner: each
/// target as its single command does it, one at a time in input order
/// (each holds the node's maintenance database while it opens another),
/// journaled (a target in flight at a second Ctrl-C undoes its own steps
/// rather than being abandoned), one audit line each; then the bulk report.
/// The exit code.
pub(super) async fn one_by_one<T: Each>(
    ctx: &Ctx,
    op: Op,
    o: &LifecycleOpts,
    log: Option<Arc<AuditLog>>,
    jobs: Vec<crate::ops::Job>,
    each: T,
    failed_to: Option<crate::ops::failed_to::Rerun>,
) -> u8 {
    a_few_at_a_time(ctx, op, o, log, (jobs, failed_to), each, None).await
}

/// [`one_by_one`], or a few targets of each node at once (`per_node`);
/// then the `--failed-to` file, when asked for, of the targets not done.
pub(super) async fn a_few_at_a_time<T: Each>(
    ctx: &Ctx,
    op: Op,
    o: &LifecycleOpts,
    log: Option<Arc<AuditLog>>,
    (jobs, mut failed_to): (Vec<crate::ops::Job>, Option<crate::ops::failed_to::Rerun>),
    each: T,
    per_node: Option<PerNode>,
) -> u8 {
    if let Some(f) = &mut failed_to {
        f.jobs(&jobs);
    }
    let t0 = std::time::Instant::now();
    let run = Arc::new(OneByOne {
        op,
        dry_run: o.dry_run,
        log,
        guard: (!o.dry_run).then(run_guard),
        each: Arc::new(each),
        per_node,
    });
    let reports = crate::ops::run::run_all(ctx, jobs, run.clone(), false).await;
    let interrupted = run.guard.as_ref().is_some_and(|g| g.interrupted());
    let code = report::bulk(
        ctx,
        op.as_str(),
        &reports,
        t0.elapsed().as_secs_f64(),
        interrupted,
        o.dry_run,
    );
    match failed_to {
        Some(f) => report::failed_to(ctx, f, op.as_str(), &reports, code),
        None => code,
    }
}

/// A single lifecycle command: a run of one target through the one runner
/// ([`crate::ops::run::run_single`]), the same work a `bulk` line does,
/// journaled and audited the same way. Whatever asks the operator (the
/// confirmation built from the dry run's plan, a typed name, a password)
/// happens before (see [`ask_then_run`]), so that Ctrl-C at a prompt ends
/// the process with nothing changed. A job with an early report (decided
/// before the run) is that result, audited as a real run's. The exit code.
pub(super) async fn single<T: Each>(
    ctx: &Ctx,
    op: Op,
    dry_run: bool,
    log: Option<Arc<AuditLog>>,
    mut job: crate::ops::Job,
    each: T,
    secret_on_stdout: bool,
) -> u8 {
    let run = Arc::new(OneByOne {
        op,
        dry_run,
        log,
        guard: (!dry_run && job.early.is_none()).then(run_guard),
        each: Arc::new(each),
        per_node: None,
    });
    if let Some(r) = job.early.take() {
        job.early = Some(crate::ops::Operation::audit(&*run, r));
    }
    crate::ops::run::run_single(ctx, job, run, secret_on_stdout).await
}

/// What the operator answered before a single command's run.
pub(super) enum Asked {
    /// Run it.
    Go,
    /// Not confirmed: `aborted; nothing changed`, exit 1, no audit line.
    Aborted,
    /// The command's result without a run, refused and audited (a purge
    /// whose typed name does not match, a copy not confirmed).
    Refused(String),
}

/// A single lifecycle command's work on its one target ([`Each`]), with
/// the questions asked before its run.
pub(super) trait Single: Each + Clone {
    /// Its `--dry-run` (to be set for the plan) and `--yes`.
    fn flags(&mut self) -> (&mut bool, bool);
    /// The same work as a dry run (read-only): the plan shown.
    fn dry(&self) -> Self {
        let mut d = self.clone();
        *d.flags().0 = true;
        d
    }
    /// Whether the operator is asked before the run: not a dry run, no
    /// `--yes`.
    fn asks(&mut self) -> bool {
        let (dry_run, yes) = self.flags();
        !*dry_run && !yes
    }
    /// The questions, once the plan would change something (shown by
    /// [`shown`] first); what the answers decide (a password typed) is kept
    /// for the run.
    fn ask(&mut self, plan: &Report) -> Result<Asked>;
    /// The plan phase's report as the command's result, a real run's.
    fn as_run(&self, mut r: Report) -> Report {
        r.dry_run = None;
        r.plan = None;
        r
    }
}

/// A single lifecycle command. When it [`Single::asks`]: first the plan,
/// by the same work as a dry run; one that does not come back `would
/// change` (refused, failed) is the command's result, as a real run's (the
/// checks are not run twice); otherwise the plan is shown and the operator
/// asked ([`Single::ask`]), before anything of the run starts. Then the run
/// of its one target by [`single`]. The exit code.
pub(super) async fn ask_then_run<T: Single>(
    ctx: &Ctx,
    op: Op,
    log: Option<Arc<AuditLog>>,
    job: impl Fn() -> crate::ops::Job,
    mut each: T,
    secret_on_stdout: bool,
) -> Result<u8> {
    let dry_run = *each.flags().0;
    let mut run = job();
    if each.asks() {
        let plan = Arc::new(each.dry()).one(job(), false).await;
        if plan.outcome != Outcome::WouldChange {
            run.early = Some(each.as_run(plan));
        } else {
            match each.ask(&plan)? {
                Asked::Go => {}
                Asked::Aborted => {
                    ctx.printer.info("aborted; nothing changed");
                    return Ok(EXIT_FAILED);
                }
                Asked::Refused(m) => run.early = Some(each.as_run(plan).fail(Outcome::Refused, m)),
            }
        }
    }
    Ok(single(ctx, op, dry_run, log, run, each, secret_on_stdout).await)
}

/// `[y/N]` after `question`: yes runs, no aborts.
pub(super) fn confirmed(question: &str) -> Result<Asked> {
    Ok(if confirm(question)? {
        Asked::Go
    } else {
        Asked::Aborted
    })
}

/// The plan of a dry run's report, shown before the question.
pub(super) fn shown(ctx: &Ctx, plan: &Report) {
    if let Some(p) = &plan.plan {
        ctx.printer.info(p.text());
    }
}

/// The report of a job not started: a Ctrl-C came before its turn.
pub(super) fn not_started(job: &crate::ops::Job, op: Op) -> Report {
    let mut r = Report::new(job.target.as_ref(), &job.spec, op)
        .ok(Outcome::Skipped, "not started (interrupted)");
    r.line = job.line;
    r
}

struct OneByOne<T> {
    op: Op,
    dry_run: bool,
    log: Option<Arc<AuditLog>>,
    guard: Option<Guard>,
    each: Arc<T>,
    /// A few at a time per node (`bulk upgrade`), else one at a time.
    per_node: Option<PerNode>,
}

/// How many targets of a node run at once, and of the whole run.
#[derive(Clone)]
pub(super) struct PerNode {
    pub of: Arc<dyn Fn(&NodeLink) -> usize + Send + Sync>,
    pub total: usize,
}

impl<T: Each> crate::ops::Operation for OneByOne<T> {
    fn op(&self) -> Op {
        self.op
    }
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn guard(&self) -> Option<&Guard> {
        self.guard.as_ref()
    }
    fn at_once(&self) -> Option<usize> {
        Some(self.per_node.as_ref().map_or(1, |p| p.total))
    }
    fn per_node(&self, link: &NodeLink) -> Option<usize> {
        self.per_node.as_ref().map(|p| (p.of)(link))
    }
    fn journaled(&self) -> bool {
        true
    }
    fn run_one(
        self: Arc<Self>,
        job: crate::ops::Job,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Report>> + Send>> {
        Box::pin(async move {
            let stopped = self.guard.as_ref().is_some_and(|g| g.interrupted());
            let r = self.each.clone().one(job, stopped).await;
            if r.not_odoo && self.each.selector() {
                return None;
            }
            Some(self.audit(r))
        })
    }
    fn audit(&self, mut r: Report) -> Report {
        if !self.dry_run && r.dry_run != Some(true) {
            audited(self.log.as_deref(), &mut r);
        }
        r
    }
}

// ------------------------------------------------------------------ passwords

/// Where the new admin password comes from.
#[derive(Clone)]
enum Pw {
    Given(String),
    Generate(usize),
}
