//! `tenantctl bulk suspend|reactivate|passwd`: the single-tenant operations
//! over many tenants, each its own transaction with exactly the semantics of
//! the single command, run concurrently within the connection limits.

use std::collections::HashSet;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::anyhow;
use serde::Serialize;
use tokio::task::JoinSet;

use super::ops::{self, Audit, Done, Outcome};
use super::suspend::check_reason;
use super::{confirm, Ctx};
use crate::audit::{operator, AuditLog};
use crate::config::{BulkAction, BulkOpts, Output, StatusFilter};
use crate::error::{Error, Result, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL};
use crate::interrupt::Guard;
use crate::inventory::PasswordScheme;
use crate::odoo::probe::{self, Probe};
use crate::odoo::suspension::{self, ReactivatePlan, Restore};
use crate::odoo::{password, users};
use crate::output::{csv_line, one_line, out, out_json};
use crate::targetfile;
use crate::targets::{self, Target};

/// One entry of the run, in input order.
struct Item {
    /// Line of the --from file, if any.
    line: Option<usize>,
    /// What the user typed (or node/db for selector runs).
    spec: String,
    target: Option<Target>,
    /// Per-tenant reason (suspend).
    reason: Option<String>,
    /// Set when the entry failed before execution (unknown name, bad line...).
    done: Option<Done>,
}

#[derive(Clone)]
enum Action {
    Suspend,
    Reactivate(Restore),
    Passwd {
        length: usize,
        login: Option<String>,
        secrets: Arc<Secrets>,
    },
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Suspend => "suspend",
            Action::Reactivate(_) => "reactivate",
            Action::Passwd { .. } => "passwd",
        }
    }
}

/// The `--secrets-file` of `bulk passwd --generate`: created with mode 0600,
/// never overwritten; a line is written right after each commit.
struct Secrets {
    file: Option<Mutex<File>>,
}

impl Secrets {
    fn create(path: &Path) -> Result<Secrets> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::usage(anyhow!(
                        "--secrets-file {} exists; refusing to overwrite it (nothing changed)",
                        path.display()
                    ))
                } else {
                    Error::usage(anyhow!(
                        "--secrets-file {}: {e} (nothing changed)",
                        path.display()
                    ))
                }
            })?;
        writeln!(f, "node,tenant,login,password")
            .map_err(|e| Error::usage(anyhow!("--secrets-file {}: {e}", path.display())))?;
        Ok(Secrets {
            file: Some(Mutex::new(f)),
        })
    }

    fn write(&self, t: &Target, login: &str, pw: &str) -> std::io::Result<()> {
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(|p| p.into_inner());
            writeln!(f, "{}", csv_line(&[t.link.name(), &t.db, login, pw]))?;
            f.sync_data()?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct ResultRow<'a> {
    line: Option<usize>,
    node: Option<&'a str>,
    tenant: &'a str,
    action: &'static str,
    outcome: &'static str,
    users: usize,
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "no_ids")]
    missing_users: &'a [i64],
}

#[derive(Serialize, Default)]
struct Summary {
    changed: usize,
    unchanged: usize,
    failed: usize,
    skipped: usize,
    #[serde(skip_serializing_if = "is_zero")]
    would_change: usize,
}

fn no_ids(v: &&[i64]) -> bool {
    v.is_empty()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Refused counts as failed in reports and exit codes (nothing changed, but
/// the tenant did not get what was asked).
fn public_outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Refused => "failed",
        o => o.as_str(),
    }
}

fn read_from(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::usage(anyhow!("--from -: reading stdin: {e}")))?;
    } else {
        buf = std::fs::read(path)
            .map_err(|e| Error::usage(anyhow!("--from {}: {e}", path.display())))?;
    }
    Ok(buf)
}

pub async fn run(ctx: &Ctx, o: &BulkOpts) -> Result<u8> {
    let started = Instant::now();
    let g = &ctx.global;
    let selectors =
        o.pattern.is_some() || o.status.is_some() || !g.nodes.is_empty() || !g.labels.is_empty();
    if o.from.is_none() && !o.all_matching {
        return Err(Error::usage(anyhow!(if selectors {
            "selectors without --from need --all-matching, so that a typo cannot act on a whole fleet (nothing changed)"
        } else {
            "name the targets: --from FILE (or - for stdin), or selectors (--match, --status, --node, --label) with --all-matching"
        })));
    }
    let matcher = match &o.pattern {
        Some(p) => Some(
            globset::Glob::new(p)
                .map_err(|e| Error::usage(anyhow!("--match {p:?}: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    if let BulkAction::Suspend { reason: Some(r) } = &o.action {
        check_reason(r).map_err(|e| Error::usage(anyhow!("--reason: {e}")))?;
    }
    let lines = match &o.from {
        Some(p) => Some(targetfile::parse(&read_from(p)?)),
        None => None,
    };
    if let (BulkAction::Suspend { reason: None }, Some(lines)) = (&o.action, &lines) {
        if let Some(l) = lines.iter().flatten().find(|l| l.extra.is_none()) {
            return Err(Error::usage(anyhow!(
                "line {} ({}) has no reason: give --reason or a second column (nothing changed)",
                l.no,
                l.spec
            )));
        }
    }
    if let (BulkAction::Suspend { reason: None }, None) = (&o.action, &lines) {
        return Err(Error::usage(anyhow!(
            "bulk suspend needs --reason (or --from with a reason column)"
        )));
    }
    let action = match &o.action {
        BulkAction::Suspend { .. } => Action::Suspend,
        BulkAction::Reactivate { all_internal } => Action::Reactivate(if *all_internal {
            Restore::AllInternal
        } else {
            Restore::Recorded
        }),
        BulkAction::Passwd {
            length,
            secrets_file,
            login,
        } => Action::Passwd {
            length: *length,
            login: login.clone(),
            secrets: Arc::new(if o.dry_run {
                Secrets { file: None }
            } else {
                Secrets::create(secrets_file)?
            }),
        },
    };
    let log = if o.dry_run {
        None
    } else {
        Some(Arc::new(ctx.audit_log()?))
    };

    // Resolve the targets.
    let scans = targets::scan(&ctx.links, &ctx.transport).await;
    let all_nodes: Vec<String> = ctx.inventory.nodes.iter().map(|n| n.name.clone()).collect();
    let default_reason = match &o.action {
        BulkAction::Suspend { reason } => reason.clone(),
        _ => None,
    };
    let mut items: Vec<Item> = Vec::new();
    match &lines {
        Some(lines) => {
            for l in lines {
                match l {
                    Err(bad) => items.push(Item {
                        line: Some(bad.no),
                        spec: bad.text.clone(),
                        target: None,
                        reason: None,
                        done: Some(Done::failed(format!("line {}: {}", bad.no, bad.error))),
                    }),
                    Ok(l) => {
                        let reason = l.extra.clone().or_else(|| default_reason.clone());
                        let (target, done) = match targets::resolve_in(&l.spec, &scans, &all_nodes)
                        {
                            Ok(t) => (Some(t), None),
                            Err(e) => (
                                None,
                                Some(Done::failed(format!("line {}: {}", l.no, e.message()))),
                            ),
                        };
                        let done = match (&action, &reason, done) {
                            (Action::Suspend, Some(r), None) => check_reason(r)
                                .err()
                                .map(|e| Done::failed(format!("line {}: {e}", l.no))),
                            (_, _, d) => d,
                        };
                        items.push(Item {
                            line: Some(l.no),
                            spec: l.spec.clone(),
                            target: if done.is_none() { target } else { None },
                            reason,
                            done,
                        });
                    }
                }
            }
        }
        None => {
            for s in &scans {
                match &s.result {
                    Ok(cands) => {
                        for c in cands {
                            items.push(Item {
                                line: None,
                                spec: format!("{}/{}", s.link.name(), c.name),
                                target: Some(Target {
                                    link: s.link.clone(),
                                    db: c.name.clone(),
                                }),
                                reason: default_reason.clone(),
                                done: None,
                            });
                        }
                    }
                    Err(e) => items.push(Item {
                        line: None,
                        spec: format!("{}/*", s.link.name()),
                        target: None,
                        reason: None,
                        done: Some(Done::failed(e.clone())),
                    }),
                }
            }
        }
    }
    // --match, then duplicates collapsed (first occurrence kept).
    let mut seen = HashSet::new();
    items.retain(|it| match &it.target {
        Some(t) => {
            matcher.as_ref().is_none_or(|m| m.is_match(&t.db))
                && seen.insert((t.link.name().to_string(), t.db.clone()))
        }
        None => true,
    });
    // Selector runs skip databases that are not Odoo tenants; --status needs
    // the state. With a plan to show (confirmation, dry run) that is known
    // first; with --yes each tenant is probed on the connection that then
    // runs it (one connection per tenant instead of two).
    let needs_probe = lines.is_none() || o.status.is_some();
    let mut deferred = None;
    if needs_probe && (o.dry_run || !o.yes) {
        filter_by_probe(ctx, &mut items, o.status, lines.is_some()).await;
    } else if needs_probe {
        deferred = Some(Filter {
            status: o.status,
            from_file: lines.is_some(),
        });
    }

    let targets_n = items.iter().filter(|i| i.done.is_none()).count();
    print_plan(ctx, &action, &items, o.dry_run);
    if o.dry_run {
        let dones = run_all(ctx, &items, &action, None, None, None, true).await;
        return Ok(report(ctx, &action, &items, dones, started, false, true));
    }
    if targets_n > 0
        && !o.yes
        && !confirm(&format!(
            "{} {targets_n} tenants?",
            capitalised(action.name())
        ))?
    {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let guard = Guard::install();
    let by = operator();
    let dones = run_all(
        ctx,
        &items,
        &action,
        log.map(|l| (l, by)),
        Some(guard.clone()),
        deferred,
        false,
    )
    .await;
    Ok(report(
        ctx,
        &action,
        &items,
        dones,
        started,
        guard.interrupted(),
        false,
    ))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Probes each target (one connection, one round trip) to drop non-Odoo
/// databases (selector runs) and apply `--status`.
async fn filter_by_probe(
    ctx: &Ctx,
    items: &mut Vec<Item>,
    status: Option<StatusFilter>,
    from_file: bool,
) {
    let mut set = JoinSet::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(t) = it.target.clone() {
            let tr = ctx.transport.clone();
            set.spawn(async move {
                let r = async {
                    let conn = t.link.connect(&t.db, &tr).await?;
                    probe::summary(&conn).await
                }
                .await;
                (i, r)
            });
        }
    }
    let mut drop_idx = HashSet::new();
    while let Some(Ok((i, r))) = set.join_next().await {
        let it = &mut items[i];
        match r {
            Ok(Probe::NotOdoo) if !from_file => {
                drop_idx.insert(i);
            }
            Ok(Probe::NotOdoo) => {
                it.done = Some(Done::failed(format!("{}: not an Odoo database", it.spec)));
                it.target = None;
            }
            Ok(Probe::Tenant(s)) => {
                let keep = match status {
                    None | Some(StatusFilter::All) => true,
                    Some(StatusFilter::Active) => !s.suspended,
                    Some(StatusFilter::Suspended) => s.suspended,
                };
                if !keep {
                    drop_idx.insert(i);
                }
            }
            Err(e) => {
                it.done = Some(Done::failed(format!("{}: {e:#}", it.spec)));
                it.target = None;
            }
        }
    }
    let mut i = 0;
    items.retain(|_| {
        let keep = !drop_idx.contains(&i);
        i += 1;
        keep
    });
}

/// The plan on stderr: tenants per node and the first few names.
fn print_plan(ctx: &Ctx, action: &Action, items: &[Item], dry_run: bool) {
    let mut per_node: Vec<(String, Vec<&str>)> = Vec::new();
    for it in items {
        if let (Some(t), None) = (&it.target, &it.done) {
            match per_node.iter_mut().find(|(n, _)| n == t.link.name()) {
                Some((_, v)) => v.push(&t.db),
                None => per_node.push((t.link.name().to_string(), vec![&t.db])),
            }
        }
    }
    let total: usize = per_node.iter().map(|(_, v)| v.len()).sum();
    let bad = items.iter().filter(|i| i.done.is_some()).count();
    let mut s = format!(
        "{}bulk {}: {total} tenant{} on {} node{}",
        if dry_run { "dry run: " } else { "" },
        action.name(),
        if total == 1 { "" } else { "s" },
        per_node.len(),
        if per_node.len() == 1 { "" } else { "s" }
    );
    for (n, v) in &per_node {
        let first: Vec<&str> = v.iter().take(5).copied().collect();
        s.push_str(&format!(
            "\n  {n}: {} ({}{})",
            v.len(),
            first.join(", "),
            if v.len() > 5 { ", …" } else { "" }
        ));
    }
    if bad > 0 {
        s.push_str(&format!(
            "\n  {bad} entries cannot be run (see the results)"
        ));
    }
    ctx.printer.info(s);
}

/// Runs (or, for a dry run, plans) every resolved item concurrently; returns
/// one `Done` per item, in input order.
async fn run_all(
    ctx: &Ctx,
    items: &[Item],
    action: &Action,
    audit: Option<(Arc<AuditLog>, String)>,
    guard: Option<Guard>,
    filter: Option<Filter>,
    dry_run: bool,
) -> Vec<Option<Done>> {
    let total = items.iter().filter(|i| i.done.is_none()).count() as u64;
    let bar = progress(ctx, total);
    let mut dones: Vec<Option<Done>> = items.iter().map(|i| i.done.clone()).collect();
    let rc = Arc::new(RunCtx {
        tr: ctx.transport.clone(),
        action: action.clone(),
        audit,
        guard,
        filter,
        dry_run,
    });
    let mut set = JoinSet::new();
    for (i, it) in items.iter().enumerate() {
        let (Some(t), None) = (it.target.clone(), &it.done) else {
            continue;
        };
        let reason = it.reason.clone().unwrap_or_default();
        let rc = rc.clone();
        set.spawn(async move { (i, one(&t, &reason, &rc).await) });
    }
    let mut done_n = 0u64;
    let mut failed_n = 0u64;
    let mut dropped = vec![false; items.len()];
    while let Some(joined) = set.join_next().await {
        let Ok((i, d)) = joined else { continue };
        done_n += 1;
        // Dropped by the deferred filter (not Odoo, other status): no row.
        let Some(d) = d else {
            dropped[i] = true;
            if let Some(b) = &bar {
                b.set_position(done_n);
            }
            continue;
        };
        if matches!(d.outcome, Outcome::Failed | Outcome::Refused) {
            failed_n += 1;
        }
        let line = format!(
            "{}: {}{}",
            items[i].spec,
            d.outcome.as_str(),
            d.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        match &bar {
            Some(b) => {
                b.set_position(done_n);
                b.set_message(format!("{failed_n} failed"));
            }
            None if !ctx.printer.quiet && !dry_run => {
                eprintln!("tenantctl: [{done_n}/{total}] {}", one_line(&line, 300))
            }
            None => {}
        }
        dones[i] = Some(d);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    dones
        .into_iter()
        .zip(dropped)
        .map(|(d, dropped)| {
            if dropped {
                None
            } else {
                Some(d.unwrap_or_else(|| Done::failed("not run".into())))
            }
        })
        .collect()
}

/// What every tenant task of a run shares.
struct RunCtx {
    tr: Arc<crate::transport::Transport>,
    action: Action,
    audit: Option<(Arc<AuditLog>, String)>,
    guard: Option<Guard>,
    filter: Option<Filter>,
    dry_run: bool,
}

/// A selection applied on each tenant's own connection (see `run`).
#[derive(Clone, Copy)]
struct Filter {
    status: Option<StatusFilter>,
    from_file: bool,
}

fn progress(ctx: &Ctx, total: u64) -> Option<indicatif::ProgressBar> {
    if ctx.printer.quiet || !std::io::stderr().is_terminal() || total < 2 {
        return None;
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} {per_sec} ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// One tenant: connect, then plan (dry run) or run the operation.
async fn one(t: &Target, reason: &str, rc: &RunCtx) -> Option<Done> {
    let who = t.display();
    let mut conn = match t.link.connect(&t.db, &rc.tr).await {
        Ok(c) => c,
        Err(e) => return Some(Done::failed(format!("{who}: connect: {e:#}"))),
    };
    if let Some(f) = rc.filter {
        // Only --status needs the state before running (one cheap read of the
        // tenant.* keys); whether the database is Odoo's shows in the
        // operation's own first read, so no separate probe is spent on it.
        if let Some(status) = f.status.filter(|s| *s != StatusFilter::All) {
            match suspension::state(&conn.client).await {
                Ok(st) => {
                    let keep = match status {
                        StatusFilter::Active => !st.suspended(),
                        StatusFilter::Suspended => st.suspended(),
                        StatusFilter::All => true,
                    };
                    if !keep {
                        return None;
                    }
                }
                Err(e) if crate::odoo::is_not_odoo(&e) && !f.from_file => return None,
                Err(e) => return Some(Done::from_error(format!("{who}: {e:#}"), &e)),
            }
        }
        let d = one_on(&mut conn, t, reason, rc).await;
        if d.not_odoo && !f.from_file {
            return None;
        }
        return Some(d);
    }
    Some(one_on(&mut conn, t, reason, rc).await)
}

/// One tenant on an open connection.
async fn one_on(conn: &mut crate::transport::Conn, t: &Target, reason: &str, rc: &RunCtx) -> Done {
    let who = t.display();
    let action = &rc.action;
    if rc.dry_run {
        return plan_one(conn, t, action).await;
    }
    if rc.guard.as_ref().is_some_and(Guard::interrupted) {
        return Done::new(
            Outcome::Skipped,
            0,
            format!("{who}: not started (interrupted)"),
        );
    }
    let Some((log, by)) = &rc.audit else {
        return Done::failed("no audit log".into());
    };
    let audit = Audit { log, operator: by };
    match action {
        Action::Suspend => ops::suspend(conn, t, reason, &audit).await,
        Action::Reactivate(r) => ops::reactivate(conn, t, *r, &audit).await,
        Action::Passwd {
            length,
            login,
            secrets,
        } => {
            let user = match users::passwd_target(&conn.client, login.as_deref()).await {
                Ok(Some(u)) if u.id != 1 => u,
                Ok(Some(_)) => {
                    return ops::refused(
                        t,
                        "passwd",
                        format!("{who}: refusing to set the password of __system__ (id 1)"),
                        None,
                        &audit,
                    )
                }
                Ok(None) => {
                    return ops::refused(
                        t,
                        "passwd",
                        format!(
                            "{who}: no such user ({})",
                            login.as_deref().unwrap_or("base.user_admin")
                        ),
                        None,
                        &audit,
                    )
                }
                Err(e) => return Done::from_error(format!("{who}: {e:#}"), &e),
            };
            if let Err(e) =
                crate::odoo::argon2_guard::allow(&conn.client, t.link.node.password_scheme).await
            {
                return ops::refused(t, "passwd", format!("{who}: {e:#}"), None, &audit);
            }
            let len = (*length).max(user.min_length.unwrap_or(super::passwd::DEFAULT_MIN_LENGTH));
            let pw = password::generate(len);
            let scheme: PasswordScheme = t.link.node.password_scheme;
            let rounds = password::rounds_for(user.icp_rounds.as_deref());
            let pw2 = pw.clone();
            let hash =
                match tokio::task::spawn_blocking(move || password::hash(scheme, &pw2, rounds))
                    .await
                {
                    Ok(h) => h,
                    Err(e) => return Done::failed(format!("{who}: hashing: {e}")),
                };
            let mut d = ops::set_password(conn, t, &user, &hash, &audit).await;
            if d.outcome == Outcome::Changed {
                if let Err(e) = secrets.write(t, &user.login, &pw) {
                    d.outcome = Outcome::Failed;
                    d.error = Some(format!(
                        "the password was changed but could not be written to the secrets file ({e}); rerun bulk passwd for this tenant"
                    ));
                }
            }
            d
        }
    }
}

/// What the operation would do to one tenant (read-only).
async fn plan_one(conn: &crate::transport::Conn, t: &Target, action: &Action) -> Done {
    let who = t.display();
    match action {
        Action::Passwd { login, .. } => {
            match users::passwd_target(&conn.client, login.as_deref()).await {
                Ok(Some(u)) if u.id != 1 => Done::new(
                    Outcome::WouldChange,
                    1,
                    format!("{who}: would set the password of {}", u.login),
                ),
                Ok(_) => {
                    let mut d = Done::new(Outcome::Refused, 0, String::new());
                    d.error = Some(format!(
                        "no such user ({})",
                        login.as_deref().unwrap_or("base.user_admin")
                    ));
                    d
                }
                Err(e) => Done::failed(format!("{e:#}")),
            }
        }
        Action::Suspend | Action::Reactivate(_) => {
            let st = match suspension::state(&conn.client).await {
                Ok(s) => s,
                Err(e) => return Done::failed(format!("{e:#}")),
            };
            match action {
                Action::Suspend if st.suspended() => {
                    Done::new(Outcome::Unchanged, 0, format!("{who}: already suspended"))
                }
                Action::Suspend => match suspension::users_to_suspend(&conn.client).await {
                    Ok(u) => Done::new(
                        Outcome::WouldChange,
                        u.len(),
                        format!("{who}: would switch off {} users", u.len()),
                    ),
                    Err(e) => Done::failed(format!("{e:#}")),
                },
                Action::Reactivate(_) if !st.suspended() => {
                    Done::new(Outcome::Unchanged, 0, format!("{who}: not suspended"))
                }
                Action::Reactivate(r) => {
                    match suspension::users_to_reactivate(&conn.client, &st, *r).await {
                        Ok(ReactivatePlan::Users { users, missing }) => {
                            let mut d = Done::new(
                                Outcome::WouldChange,
                                users.len(),
                                format!("{who}: would switch on {} users", users.len()),
                            );
                            d.missing = missing;
                            d
                        }
                        Ok(ReactivatePlan::NoRecord) => {
                            let mut d = Done::new(Outcome::Refused, 0, String::new());
                            d.error = Some("suspended without a record of users; needs --restore-users all-internal".into());
                            d
                        }
                        Ok(ReactivatePlan::BadRecord(e)) => {
                            let mut d = Done::new(Outcome::Refused, 0, String::new());
                            d.error = Some(format!("unreadable record of users: {e}"));
                            d
                        }
                        Err(e) => Done::failed(format!("{e:#}")),
                    }
                }
                Action::Passwd { .. } => unreachable!("handled above"),
            }
        }
    }
}

/// Prints the results in input order and the summary; returns the exit code.
fn report(
    ctx: &Ctx,
    action: &Action,
    items: &[Item],
    dones: Vec<Option<Done>>,
    started: Instant,
    interrupted: bool,
    dry_run: bool,
) -> u8 {
    // Items dropped by a deferred filter have no Done and no row.
    let kept: Vec<(&Item, Done)> = items
        .iter()
        .zip(dones)
        .filter_map(|(it, d)| d.map(|d| (it, d)))
        .collect();
    let mut sum = Summary::default();
    for (_, d) in &kept {
        match d.outcome {
            Outcome::Changed => sum.changed += 1,
            Outcome::Unchanged => sum.unchanged += 1,
            Outcome::Failed | Outcome::Refused => sum.failed += 1,
            Outcome::Skipped => sum.skipped += 1,
            Outcome::WouldChange => sum.would_change += 1,
        }
    }
    let rows: Vec<ResultRow> = kept
        .iter()
        .map(|(it, d)| ResultRow {
            line: it.line,
            node: it.target.as_ref().map(|t| t.link.name()),
            tenant: it
                .target
                .as_ref()
                .map(|t| t.db.as_str())
                .unwrap_or(&it.spec),
            action: action.name(),
            outcome: public_outcome(d.outcome),
            users: d.users,
            error: d.error.as_deref(),
            missing_users: &d.missing,
        })
        .collect();
    let p = &ctx.printer;
    match p.format {
        Output::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                results: &'a [ResultRow<'a>],
                summary: &'a Summary,
                dry_run: bool,
            }
            out_json(&Doc {
                results: &rows,
                summary: &sum,
                dry_run,
            });
        }
        Output::Csv => {
            out(&csv_line(&[
                "line", "node", "tenant", "action", "outcome", "users", "error",
            ]));
            for r in &rows {
                out(&csv_line(&[
                    r.line.map(|l| l.to_string()).unwrap_or_default(),
                    r.node.unwrap_or_default().to_string(),
                    r.tenant.to_string(),
                    r.action.to_string(),
                    r.outcome.to_string(),
                    r.users.to_string(),
                    r.error.unwrap_or_default().to_string(),
                ]));
            }
        }
        Output::Table => {
            let mut t = p.table(&["NODE", "TENANT", "OUTCOME", "USERS", "ERROR"]);
            for r in &rows {
                let color = match r.outcome {
                    "failed" => Some(comfy_table::Color::Red),
                    "changed" | "would-change" => Some(comfy_table::Color::Green),
                    _ => None,
                };
                t.add_row(vec![
                    p.cell(r.node.unwrap_or("-"), None),
                    p.cell(r.tenant, None),
                    p.cell(r.outcome, color),
                    p.cell(r.users, None),
                    p.cell(r.error.map(|e| one_line(e, 120)).unwrap_or_default(), None),
                ]);
            }
            if !rows.is_empty() {
                out(&crate::output::render(&t));
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let line = if dry_run {
        format!("dry run: bulk {}: {} would change, {} unchanged, {} failed; nothing changed ({secs:.1}s)", action.name(), sum.would_change, sum.unchanged, sum.failed)
    } else {
        format!(
            "bulk {}: {} changed, {} unchanged, {} failed{} of {} in {secs:.1}s",
            action.name(),
            sum.changed,
            sum.unchanged,
            sum.failed,
            if sum.skipped > 0 {
                format!(", {} not started (interrupted)", sum.skipped)
            } else {
                String::new()
            },
            rows.len()
        )
    };
    if sum.failed > 0 {
        p.error(&line);
    } else {
        p.info(format!("tenantctl: {line}"));
    }
    if interrupted {
        return EXIT_INTERRUPTED;
    }
    let ok = sum.changed + sum.unchanged + sum.would_change;
    if sum.failed == 0 {
        EXIT_OK
    } else if ok == 0 {
        EXIT_FAILED
    } else {
        EXIT_PARTIAL
    }
}
