//! Running one target: connect, (dry run: plan) or run the transaction,
//! signal after the commit, verify by re-reading, settle a lost COMMIT
//! acknowledgement, write the audit line.

use std::sync::Arc;
use std::time::Duration;

use super::{Action, Job, Outcome, Report, Run};
use crate::audit::now_rfc3339;
use crate::config::StatusFilter;
use crate::odoo::layers::{self, LayerSet};
use crate::odoo::signal::{self, Changed, Signals};
use crate::odoo::suspension::{self, ReactivateOutcome, Restore, SuspendOutcome, WriteOpts};
use crate::odoo::users::{self};
use crate::odoo::{keys, settle, WriteError};
use crate::output::{count, esc};
use crate::targets::Target;
use crate::transport::Conn;

tokio::task_local! {
    /// Set (to the connection's per-statement deadline in milliseconds) once
    /// the job has its connection and starts its work: see [`tracking_started`].
    static STARTED: std::sync::Arc<std::sync::atomic::AtomicU64>;
}

/// Marks the current job started (a step of a lifecycle command), each of
/// its statements bounded by `deadline`: the first Ctrl-C names it as in
/// flight.
pub fn mark_started(deadline: std::time::Duration) {
    let ms = u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX);
    let _ = STARTED.try_with(|f| f.store(ms.max(1), std::sync::atomic::Ordering::SeqCst));
}

/// Runs `f` with `flag` telling when its job got its connection and started
/// (the deadline of each of its statements, in ms; 0 while waiting): what
/// is in flight at the first Ctrl-C.
pub async fn tracking_started<F: std::future::Future>(
    flag: std::sync::Arc<std::sync::atomic::AtomicU64>,
    f: F,
) -> F::Output {
    STARTED.scope(flag, f).await
}

impl super::Operation for Run {
    fn op(&self) -> super::Op {
        self.action.name()
    }
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn guard(&self) -> Option<&crate::interrupt::Guard> {
        self.guard.as_ref()
    }
    fn run_one(
        self: Arc<Self>,
        job: Job,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Report>> + Send>> {
        Box::pin(async move { run_job(job, &self).await })
    }
    fn audit(&self, r: Report) -> Report {
        audited(self, r, None)
    }
}

/// Runs one job to its report (the job's early report when it has one).
pub async fn run_job(job: Job, run: &Run) -> Option<Report> {
    if let Some(r) = job.early {
        return Some(r);
    }
    let t = job
        .target
        .clone()
        .expect("a job without early report has a target");
    let action = run.action.name();
    let mut base = Report::new(Some(&t), &job.spec, action);
    base.line = job.line;
    let who = t.display();
    if run.guard.as_ref().is_some_and(|g| g.interrupted()) && !run.dry_run {
        let r = base.ok(
            Outcome::Skipped,
            format!("{who}: not started (interrupted)"),
        );
        return Some(audited(run, r, job.reason.as_deref()));
    }
    // Behind PgBouncer in transaction mode, writes would lose the session
    // settings after their first commit (issue 13): refused, dry runs allowed.
    if let Some(m) = crate::transport::startup::write_refusal(&t.link.node).filter(|_| !run.dry_run)
    {
        let r = base.fail(Outcome::Refused, format!("{who}: {m}"));
        return Some(audited(run, r, job.reason.as_deref()));
    }
    let (mut conn, unblocked) = match job_conn(job.conn, &t, run, base, job.reason.as_deref()).await
    {
        Ok((c, unblocked, b)) => {
            base = b;
            (c, unblocked)
        }
        Err(r) => return Some(r),
    };
    // Waiting for a connection slot can take long: look again.
    if run.guard.as_ref().is_some_and(|g| g.interrupted()) && !run.dry_run {
        let r = base.ok(
            Outcome::Skipped,
            format!("{who}: not started (interrupted)"),
        );
        return Some(audited(run, r, job.reason.as_deref()));
    }
    let deadline_ms = u64::try_from(conn.deadline.as_millis()).unwrap_or(u64::MAX);
    let _ = STARTED.try_with(|f| f.store(deadline_ms.max(1), std::sync::atomic::Ordering::SeqCst));
    if let Some(f) = run.filter {
        match filtered(&conn, f, base).await {
            Filtered::Keep(b) => base = b,
            Filtered::Drop => return None,
            Filtered::Failed(r) => return Some(r),
        }
    }
    let r = if run.dry_run {
        super::plan::plan_one(&conn, &t, run, base, job.reason.as_deref()).await
    } else {
        let mut r = execute(&mut conn, &t, job.reason.as_deref(), run, base).await;
        if unblocked {
            r.details.connections_switched(r.action);
            r.message.push_str("; connections allowed again");
        }
        r
    };
    if r.not_odoo && run.filter.is_some_and(|f| !f.from_file) {
        return None;
    }
    if run.dry_run || r.not_odoo {
        return Some(r);
    }
    Some(audited(run, r, job.reason.as_deref()))
}

/// The job's connection (the one it came with, else a new one) and whether
/// the tenant was unblocked to get it; else the report (audited unless a
/// dry run).
async fn job_conn(
    conn: Option<Conn>,
    t: &Target,
    run: &Run,
    base: Report,
    reason: Option<&str>,
) -> std::result::Result<(Conn, bool, Report), Report> {
    match conn {
        Some(c) => Ok((c, false, base)),
        None => match t.link.connect(&t.db, &run.transport).await {
            Ok(c) => Ok((c, false, base)),
            Err(e) => match super::blocked::on_connect_failure(t, run, base, e).await {
                super::blocked::Next::Done(r) => Err(if run.dry_run {
                    r
                } else {
                    audited(run, r, reason)
                }),
                super::blocked::Next::Run(c, b) => Ok((*c, true, b)),
            },
        },
    }
}

/// The run stage proper: the action's transaction and what follows it.
async fn execute(
    conn: &mut Conn,
    t: &Target,
    reason: Option<&str>,
    run: &Run,
    base: Report,
) -> Report {
    match &run.action {
        Action::Suspend { layers } => {
            suspend(
                conn,
                t,
                reason.unwrap_or_default(),
                layers.as_deref(),
                run,
                base,
            )
            .await
        }
        Action::Reactivate(restore) => reactivate(conn, t, *restore, run, base).await,
        Action::Passwd {
            login,
            secret,
            secrets,
        } => {
            super::passwd::passwd(
                conn,
                t,
                login.as_deref(),
                secret,
                secrets.as_deref(),
                run,
                base,
            )
            .await
        }
    }
}

enum Filtered {
    Keep(Report),
    Drop,
    Failed(Report),
}

/// `bulk --yes` with selectors: `--status` needs the state before running;
/// whether the database is Odoo's shows in the operation's own first read.
async fn filtered(conn: &Conn, f: super::Filter, base: Report) -> Filtered {
    let Some(status) = f.status.filter(|s| *s != StatusFilter::All) else {
        return Filtered::Keep(base);
    };
    match suspension::state(&conn.client).await {
        Ok(st) => {
            let keep = match status {
                StatusFilter::Active => !st.suspended(),
                StatusFilter::Suspended => st.suspended(),
                StatusFilter::All => true,
            };
            if keep {
                Filtered::Keep(base)
            } else {
                Filtered::Drop
            }
        }
        Err(e) if crate::odoo::is_not_odoo(&e) && !f.from_file => Filtered::Drop,
        Err(e) => {
            let who = format!("{}/{}", base.node.clone().unwrap_or_default(), base.tenant);
            let mut r = base.fail(Outcome::Failed, format!("{who}: {e:#}"));
            r.not_odoo = crate::odoo::is_not_odoo(&e);
            Filtered::Failed(r)
        }
    }
}

/// Writes the audit line of a result (before it is reported) with the
/// run's operator; the reason is a suspension's.
pub fn audited(run: &Run, mut r: Report, reason: Option<&str>) -> Report {
    if let Some(log) = &run.audit {
        let reason = reason.filter(|_| r.action == super::Op::Suspend);
        super::audit::write(log, &run.operator, &mut r, reason);
    }
    r
}

fn opts(conn: &Conn, run: &Run, layers: LayerSet) -> WriteOpts {
    WriteOpts {
        allow_triggers: run.allow_triggers,
        deadline: conn.deadline,
        token: settle::new_token(),
        layers,
    }
}

/// The warning of Odoo 12–13 (odoo-facts §3): XML-RPC ignores `active` and
/// the cache signal there.
pub fn xmlrpc_warning(major: Option<u32>, what: &str) -> Option<String> {
    major.filter(|m| crate::odoo::versions::xmlrpc_keeps_credentials(*m)).map(|m| {
        format!(
            "Odoo {m}: XML-RPC clients that already authenticated keep {what} until Odoo's workers restart (Odoo 12-13 cache XML-RPC credentials and ignore `active`); only blocking the database cuts them off"
        )
    })
}

/// A new connection for settling, after ending our old backend (its
/// transaction rolls back unless its COMMIT went through).
pub(super) async fn reconnect(t: &Target, run: &Run, pid: Option<i32>) -> anyhow::Result<Conn> {
    let conn = t.link.connect(&t.db, &run.transport).await?;
    if let Some(pid) = pid.filter(|p| *p > 0) {
        settle::end_backend(&conn.client, pid, conn.deadline).await?;
    }
    Ok(conn)
}

/// After a failure on the client side before COMMIT, end our backend so it
/// does not hold the tenant's locks. Best effort, bounded by what one
/// connection and one statement of the node may take (its
/// `connect_timeout` and `statement_timeout` plus the margin): a node that
/// froze does not hold the run (nor an operator's Ctrl-C) longer than that,
/// and the server ends the backend anyway through
/// `idle_in_transaction_session_timeout`.
pub(super) async fn tidy(t: &Target, run: &Run, error: &anyhow::Error, pid: Option<i32>) {
    if crate::odoo::is_client_side(error) {
        let n = &t.link.node;
        let bound = n.connect_timeout + n.statement_timeout + crate::transport::DEADLINE_MARGIN;
        let _ = tokio::time::timeout(bound, reconnect(t, run, pid)).await;
    }
}

/// What to re-read after a commit.
pub(super) enum Verify {
    /// The layers that must hold (users always), with the layer tables and
    /// the mail record the write left when known (else read first).
    Suspended {
        layers: LayerSet,
        known: Option<(layers::Tables, layers::MailRecord)>,
    },
    Reactivated(Vec<i64>),
    Password {
        id: i64,
        hash: Arc<String>,
    },
}

/// The committed path: signal, then re-read. `not-signalled` and `drift`
/// say what did not hold. When the connection itself was lost after the
/// commit, both are done again on a new connection.
pub(super) async fn after_commit(
    conn: &Conn,
    t: &Target,
    run: &Run,
    signals: Signals,
    changed: Changed,
    verify: Verify,
    mut r: Report,
) -> Report {
    let signal = signals.describe(changed);
    r.details.set_signal(r.action, signal);
    let (mut sig, mut drift) = signal_and_verify(conn, run, signals, changed, &verify).await;
    let lost = |e: &anyhow::Error| crate::odoo::is_client_side(e);
    if sig.as_ref().err().is_some_and(lost) || drift.as_ref().err().is_some_and(lost) {
        if let Ok(c2) = t.link.connect(&t.db, &run.transport).await {
            (sig, drift) = signal_and_verify(&c2, run, signals, changed, &verify).await;
        }
    }
    let drift = match drift {
        Ok(d) => d,
        Err(e) => Some(format!("could not verify after the commit: {e:#}")),
    };
    // The tenant lock is still held (a session lock, see odoo::LOCK_SQL):
    // no other tenantctl run wrote in between, so a difference is drift.
    match (drift, sig) {
        (Some(d), sig) => {
            let mut e = format!("{}: committed, but the change did not hold: {d}", r.message);
            if let Err(s) = sig {
                e.push_str(&format!("; the cache signal failed too: {s:#}"));
            }
            r.fail(Outcome::Drift, e)
        }
        (None, Err(s)) => {
            let e = format!(
                "{}, but the cache signal failed: {s:#}; running Odoo workers may still serve cached credentials and sessions; rerun to signal again",
                r.message
            );
            r.fail(Outcome::NotSignalled, e)
        }
        (None, Ok(())) => {
            r.message.push_str(&format!("; cache signal {signal} sent"));
            r
        }
    }
}

/// Sends the cache signal of a suspend/reactivate (users and parameters)
/// again, or for a change that may have committed: it only clears caches.
async fn resignal(conn: &Conn, run: &Run, signals: Signals) -> anyhow::Result<()> {
    signal::send(
        &conn.client,
        signals,
        Changed::UsersAndParams,
        run.allow_triggers,
        conn.deadline,
    )
    .await
}

/// Sends the signal and re-reads: (signal result, what did not hold). The
/// signal goes first and the re-reads are pipelined behind it (one round
/// trip): the COMMIT was acknowledged before, so the signal follows it and
/// the re-reads see the committed state.
async fn signal_and_verify(
    conn: &Conn,
    run: &Run,
    signals: Signals,
    changed: Changed,
    verify: &Verify,
) -> (anyhow::Result<()>, anyhow::Result<Option<String>>) {
    let d = conn.deadline;
    let client = &conn.client;
    // Settled on a new connection: what the suspension left is read first.
    let known = match verify {
        Verify::Suspended { known: None, .. } => {
            let (st, tables) = tokio::join!(
                biased;
                suspension::state(client),
                layers::tables(client, d),
            );
            match (st, tables) {
                (Ok(st), Ok(t)) => Some((t, st.mail_record())),
                (Err(e), _) | (_, Err(e)) => {
                    let sig = signal::send(client, signals, changed, run.allow_triggers, d).await;
                    return (sig, Err(e));
                }
            }
        }
        Verify::Suspended { known: Some(k), .. } => Some(k.clone()),
        _ => None,
    };
    tokio::join!(
        biased;
        signal::send(client, signals, changed, run.allow_triggers, d),
        reread(conn, verify, known),
    )
}

/// The re-reads after a commit: what did not hold (`known`: the layer
/// tables and mail record of a suspension).
async fn reread(
    conn: &Conn,
    verify: &Verify,
    known: Option<(layers::Tables, layers::MailRecord)>,
) -> anyhow::Result<Option<String>> {
    let d = conn.deadline;
    let client = &conn.client;
    match verify {
        Verify::Suspended { layers, .. } => {
            let (tables, mail) = known.expect("read above");
            let (observed, strays) = tokio::join!(
                biased;
                suspension::observed(client, d),
                layers::strays(client, &tables, *layers, &mail, d),
            );
            let (active, flag) = observed?;
            let mut bad = Vec::new();
            if !active.is_empty() {
                bad.push(format!("users {active:?} are active again"));
            }
            if !flag {
                bad.push("the tenant is not marked suspended".to_string());
            }
            bad.extend(strays?);
            anyhow::Ok((!bad.is_empty()).then(|| format!("after the commit {}", bad.join(", "))))
        }
        Verify::Reactivated(ids) => suspension::observed(client, d).await.map(|(active, flag)| {
            let off: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|i| !active.contains(i))
                .collect();
            (!off.is_empty() || flag).then(|| {
                format!(
                    "after the commit {}{}",
                    if off.is_empty() {
                        String::new()
                    } else {
                        format!("users {off:?} are inactive again ")
                    },
                    if flag {
                        "the tenant is marked suspended again"
                    } else {
                        ""
                    }
                )
            })
        }),
        Verify::Password { id, hash } => users::stored_hash(client, *id, d).await.map(|h| {
            (h.as_deref() != Some(hash.as_str()))
                .then(|| "after the commit the stored hash is not the one written".to_string())
        }),
    }
}

/// The text of a refusal or failure from the odoo layer.
/// A failure to take the tenant lock names who holds it (another tenantctl
/// run, an operator's session); a statement that ran out of time names the
/// sessions holding locks on the tenant's tables it may have waited for
/// (an Odoo worker, a module update, an operator's open transaction). Asked
/// on the same connection, after the failure. Any other error, or no
/// answer, is returned as it is.
pub(crate) async fn name_lock_holder(conn: &Conn, error: anyhow::Error) -> anyhow::Error {
    if error
        .downcast_ref::<crate::odoo::TenantLockWait>()
        .is_some()
    {
        return match crate::odoo::lock_holders(&conn.client, conn.deadline).await {
            Ok(h) if !h.is_empty() => {
                error.context(format!("the tenant lock is held by {}", h.join("; ")))
            }
            _ => error,
        };
    }
    // Only when the server cancelled the statement (statement_timeout,
    // SQLSTATE 57014): it answers, so it can say who holds the locks. A
    // client-side deadline means the connection or the server does not
    // answer: asking there would wait one more deadline for nothing.
    let cancelled =
        crate::error::sqlstate_of(&error) == Some(&crate::error::SqlState::QUERY_CANCELED);
    if !cancelled || conn.client.is_closed() {
        return error;
    }
    match crate::odoo::table_lock_holders(&conn.client, conn.deadline).await {
        Ok(h) if !h.is_empty() => error.context(format!(
            "sessions holding locks on its tables: {}",
            h.join("; ")
        )),
        _ => error,
    }
}

pub(super) fn not_committed(who: &str, what: &str, r: Report, e: &anyhow::Error) -> Report {
    let not_odoo = crate::odoo::is_not_odoo(e);
    let mut r = r.fail(
        Outcome::Failed,
        format!("{who}: {what} failed, nothing changed: {e:#}"),
    );
    r.not_odoo = not_odoo;
    r
}

/// The layers of a suspension of `t`: `--layers` over the node's
/// `suspend_layers`.
pub(super) fn layers_for(t: &Target, text: Option<&str>) -> Result<LayerSet, String> {
    match text {
        Some(l) => {
            LayerSet::parse(l, t.link.node.suspend_layers).map_err(|e| format!("--layers: {e}"))
        }
        None => Ok(t.link.node.suspend_layers),
    }
}

async fn suspend(
    conn: &mut Conn,
    t: &Target,
    reason: &str,
    layers_text: Option<&str>,
    run: &Run,
    r: Report,
) -> Report {
    let who = t.display();
    let layers = match layers_for(t, layers_text) {
        Ok(l) => l,
        Err(e) => return r.fail(Outcome::Refused, format!("{who}: {e}; nothing changed")),
    };
    // The right to block the database is checked before anything changes.
    let maint = if layers.connections {
        match super::blocked::can_block(t, run).await {
            Ok(m) => Some(m),
            Err(m) => return r.fail(Outcome::Refused, format!("{who}: {m}")),
        }
    } else {
        None
    };
    let mut r = match suspend_write(conn, t, reason, layers, run, r).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Some(maint) = maint {
        r = super::blocked::block_after(&maint, t, run, reason, r).await;
    }
    r
}

/// The transaction of a suspend and its report; `Err` for a refusal or a
/// write that did not commit (then the database is not blocked).
async fn suspend_write(
    conn: &mut Conn,
    t: &Target,
    reason: &str,
    layers: LayerSet,
    run: &Run,
    r: Report,
) -> std::result::Result<Report, Report> {
    let who = t.display();
    let o = opts(conn, run, layers);
    Ok(
        match suspension::suspend(&mut conn.client, reason, &run.operator, &now_rfc3339(), &o).await
        {
            Ok(SuspendOutcome::AlreadySuspended(st)) => {
                already_suspended(conn, run, &who, st, r).await
            }
            Ok(SuspendOutcome::Changed {
                user_ids,
                portal,
                crons,
                mail,
                standin,
                layers: recorded,
                tables,
                mail_record,
                newly,
                signals,
                major,
            }) => {
                let mut r = r.ok(
                    Outcome::Changed,
                    suspended_message(&who, newly, (user_ids.len(), portal), crons, mail, standin),
                );
                r.users = user_ids.len();
                let counts = super::LayerCounts {
                    users: user_ids.len(),
                    portal_users: portal,
                    crons,
                    mail,
                    standin,
                    ..Default::default()
                };
                suspend_counts(&mut r, layers, &tables, counts, major);
                after_commit(
                    conn,
                    t,
                    run,
                    signals,
                    Changed::UsersAndParams,
                    Verify::Suspended {
                        layers: recorded,
                        known: Some((tables, mail_record)),
                    },
                    r,
                )
                .await
            }
            Err(WriteError::Refused(m)) => {
                return Err(r.fail(Outcome::Refused, format!("{who}: {m}")))
            }
            Err(WriteError::NotCommitted { error, pid }) => {
                return Err(suspend_not_committed(conn, t, run, &who, error, pid, r).await)
            }
            Err(WriteError::CommitLost {
                error,
                pid,
                users,
                written,
            }) => {
                let mut r = r;
                r.users = users;
                let lost = Lost::new(pid, &o, &error, &written);
                let verify = Verify::Suspended {
                    layers,
                    known: None,
                };
                settle_token(t, run, lost, r, verify, "suspend").await
            }
        },
    )
}

/// The report of a suspend that found the tenant suspended and nothing of
/// its layers active; the cache signal is sent again.
async fn already_suspended(
    conn: &Conn,
    run: &Run,
    who: &str,
    st: suspension::State,
    r: Report,
) -> Report {
    // Repeat the signal: an earlier run may have committed and lost its
    // connection before signalling. It only clears caches.
    let sig = resignal(conn, run, st.signals).await;
    let mut r = r.ok(
        Outcome::Unchanged,
        format!(
            "{who} is already suspended since {} ({}){}, and nothing of its layers is active; nothing changed",
            st.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
            st.get(keys::SUSPENDED_REASON)
                .map(|r| format!("reason: {}", esc(r)))
                .unwrap_or_else(|| "no reason recorded".into()),
            st.get(keys::SUSPENDED_BY)
                .map(|b| format!(", by {}", esc(b)))
                .unwrap_or_default(),
        ),
    );
    let d = r.details.suspend();
    d.suspended_at = st.get(keys::SUSPENDED_AT).map(str::to_string);
    d.suspended_reason = st.get(keys::SUSPENDED_REASON).map(str::to_string);
    d.signal = Some(st.signals.describe(Changed::UsersAndParams));
    d.layers = Some(Default::default());
    if let Err(e) = sig {
        r.warnings
            .push(format!("repeating the cache signal failed: {e:#}"));
    }
    r
}

/// The message of a suspend that changed the tenant.
fn suspended_message(
    who: &str,
    newly: bool,
    users: (usize, usize),
    crons: usize,
    mail: usize,
    standin: bool,
) -> String {
    format!(
        "{} {who}: {}, {}, {} switched off and recorded{}",
        if newly {
            "suspended"
        } else {
            "suspension completed on"
        },
        users_text(users),
        count(crons, "scheduled job", "scheduled jobs"),
        count(mail, "mail server", "mail servers"),
        if standin {
            "; a stand-in outgoing server (host `invalid`) holds mail"
        } else {
            ""
        }
    )
}

/// `6 users (4 internal, 2 portal)`: all users switched, and how many of
/// them are internal (what `list` counts) and portal.
fn users_text((all, portal): (usize, usize)) -> String {
    if portal == 0 {
        return count(all, "internal user", "internal users");
    }
    format!(
        "{} ({} internal, {portal} portal)",
        count(all, "user", "users"),
        all - portal
    )
}

/// The layer counts of a suspend in its report (the layers skipped for
/// want of their tables), and the XML-RPC warning when the database is not
/// blocked.
fn suspend_counts(
    r: &mut Report,
    layers: LayerSet,
    tables: &layers::Tables,
    mut counts: super::LayerCounts,
    major: Option<u32>,
) {
    if layers.crons && !tables.ir_cron {
        counts.skipped.push("crons");
    }
    if layers.mail && !tables.ir_mail_server && !tables.fetchmail_server {
        counts.skipped.push("mail");
    }
    r.details.suspend().layers = Some(counts);
    if !layers.connections {
        r.warnings.extend(
            xmlrpc_warning(major, "full access")
                .map(|w| format!("{w}; add --layers +connections to block the database")),
        );
    }
}

/// The report of a suspend that did not commit: a scheduled job holding
/// its row is named, else the client side is tidied and the holder of the
/// tenant lock named.
async fn suspend_not_committed(
    conn: &Conn,
    t: &Target,
    run: &Run,
    who: &str,
    error: anyhow::Error,
    pid: Option<i32>,
    r: Report,
) -> Report {
    if error.chain().any(|c| c.is::<layers::CronBusy>()) {
        let jobs = layers::busy_crons(&conn.client, conn.deadline)
            .await
            .unwrap_or_default();
        let names: Vec<String> = jobs
            .iter()
            .map(|(id, n)| format!("{:?} (id {id})", esc(n)))
            .collect();
        return r.fail(
            Outcome::Failed,
            format!(
                "{who}: suspend failed, nothing changed: the scheduled job{} {} is running and holds its row; waited the node's statement_timeout ({error:#}); rerun when it has finished",
                if names.len() == 1 { "" } else { "s" },
                if names.is_empty() { "(unknown)".to_string() } else { names.join(", ") }
            ),
        );
    }
    tidy(t, run, &error, pid).await;
    let error = name_lock_holder(conn, error).await;
    not_committed(who, "suspend", r, &error)
}

async fn reactivate(conn: &mut Conn, t: &Target, restore: Restore, run: &Run, r: Report) -> Report {
    let who = t.display();
    let o = opts(conn, run, LayerSet::DEFAULT);
    match suspension::reactivate(&mut conn.client, restore, &run.operator, &now_rfc3339(), &o).await
    {
        Ok(ReactivateOutcome::NotSuspended(_)) => r.ok(
            Outcome::Unchanged,
            format!("{who} is not suspended; nothing changed"),
        ),
        Ok(ReactivateOutcome::NoRecord) => r.fail(Outcome::Refused, no_record_message(&who, None)),
        Ok(ReactivateOutcome::BadRecord(e)) => {
            r.fail(Outcome::Refused, no_record_message(&who, Some(&e)))
        }
        Ok(ReactivateOutcome::Changed {
            user_ids,
            portal,
            missing,
            excluded,
            signals,
            restore,
            crons,
            mail,
            requeued,
            layers: _,
        }) => {
            let mut r = reactivated(
                r,
                &who,
                (user_ids.len(), portal),
                crons,
                mail,
                requeued,
                restore,
            );
            if !missing.is_empty() {
                r.message.push_str(&format!(
                    "; recorded ids that are not users of the tenant were ignored: {missing:?}"
                ));
            }
            if !excluded.is_empty() {
                r.message.push_str(&format!(
                    "; recorded ids never switched on (__system__, templates, public user): {excluded:?}"
                ));
            }
            r.users = user_ids.len();
            let d = r.details.reactivate();
            d.layers = Some(super::LayerCounts {
                users: user_ids.len(),
                portal_users: portal,
                crons,
                mail,
                requeued: Some(requeued),
                ..Default::default()
            });
            d.missing_users = Some(missing);
            d.excluded_users = Some(excluded);
            after_commit(
                conn,
                t,
                run,
                signals,
                Changed::UsersAndParams,
                Verify::Reactivated(user_ids),
                r,
            )
            .await
        }
        Err(WriteError::Refused(m)) => r.fail(Outcome::Refused, format!("{who}: {m}")),
        Err(WriteError::NotCommitted { error, pid }) => {
            tidy(t, run, &error, pid).await;
            let error = name_lock_holder(conn, error).await;
            not_committed(&who, "reactivate", r, &error)
        }
        Err(WriteError::CommitLost {
            error,
            pid,
            written,
            ..
        }) => {
            let lost = Lost::new(pid, &o, &error, &written);
            settle_token(t, run, lost, r, Verify::Reactivated(vec![]), "reactivation").await
        }
    }
}

/// The report of a reactivation that changed the tenant.
fn reactivated(
    r: Report,
    who: &str,
    users: (usize, usize),
    crons: usize,
    mail: usize,
    requeued: usize,
    restore: Restore,
) -> Report {
    r.ok(
        Outcome::Changed,
        format!(
            "reactivated {who}: {}, {}, {} switched on, {} queued again{}",
            users_text(users),
            count(crons, "scheduled job", "scheduled jobs"),
            count(mail, "mail server", "mail servers"),
            count(requeued, "held mail", "held mails"),
            if restore == Restore::AllInternal {
                " (all internal users)"
            } else {
                " (exactly those recorded)"
            }
        ),
    )
}

/// The refusal text for a suspension without a usable record of users.
pub fn no_record_message(who: &str, bad: Option<&str>) -> String {
    let why = match bad {
        Some(e) => format!(
            "its record of users ({}) is unreadable: {}",
            keys::SUSPENDED_USER_IDS,
            esc(e)
        ),
        None => format!(
            "it was suspended without a record of which users were active ({} is missing; the old node agent suspended it this way)",
            keys::SUSPENDED_USER_IDS
        ),
    };
    format!(
        "{who}: refusing to reactivate: {why}. To switch on every internal user except __system__, the templates and the public user (users archived on purpose come back too), rerun with --restore-users all-internal. Nothing changed"
    )
}

/// A lost COMMIT acknowledgement settled.
mod lost;
use lost::{settle_token, Lost};
