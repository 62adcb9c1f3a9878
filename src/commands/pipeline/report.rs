//! Planning (dry runs, confirmations), running many targets concurrently with
//! one printer, and reporting: one JSON object or line for a single command,
//! a table and a summary for bulk.

use std::io::IsTerminal;
use std::sync::Arc;

use serde::Serialize;
use tokio::task::JoinSet;

use super::exec::{self, run_job};
use super::{verdict, Action, Job, Outcome, Report, Run, Summary};
use crate::commands::Ctx;
use crate::config::Output;
use crate::odoo::guard;
use crate::odoo::keys;
use crate::odoo::privileges::{self, Write};
use crate::odoo::signal::Changed;
use crate::odoo::suspension::{self, ReactivatePlan, Restore};
use crate::odoo::users;
use crate::output::{csv_line, esc, one_line, out, out_json};
use crate::targets::Target;
use crate::transport::Conn;

/// What a write would do to one target (read-only): the same refusals as a
/// real run (triggers, records, policy), the privileges it needs, and the
/// users it would switch.
pub async fn plan_one(
    conn: &Conn,
    t: &Target,
    run: &Run,
    mut r: Report,
    _reason: Option<&str>,
) -> Report {
    let who = t.display();
    r.dry_run = Some(true);
    let st = match suspension::state(&conn.client).await {
        Ok(s) => s,
        Err(e) => {
            let mut r = r.fail(Outcome::Failed, format!("{who}: {e:#}"));
            r.not_odoo = crate::odoo::is_not_odoo(&e);
            return r;
        }
    };
    let (write, base_tables, changed): (Write, &[&'static str], Changed) = match run.action {
        Action::Passwd { .. } => (Write::Password, &users::WRITTEN_TABLES, Changed::Users),
        _ => (
            Write::Suspension,
            &suspension::WRITTEN_TABLES,
            Changed::UsersAndParams,
        ),
    };
    r.signal = Some(st.signals.describe(changed));
    if !run.allow_triggers {
        match guard::findings(&conn.client, &guard::tables(base_tables, st.signals)).await {
            Ok(f) if !f.is_empty() => {
                return r.fail(
                    Outcome::Refused,
                    format!("dry run: {who}: would be refused: {}", guard::refusal(&f)),
                )
            }
            Ok(_) => {}
            Err(e) => return r.fail(Outcome::Failed, format!("{who}: {e:#}")),
        }
    }
    match privileges::probe(&conn.client, write, st.signals).await {
        Ok(None) => {}
        Ok(Some(why)) => {
            return r.fail(
                Outcome::Failed,
                format!("dry run: {who}: would fail: {why}; nothing changed"),
            )
        }
        Err(e) => return r.fail(Outcome::Failed, format!("{who}: {e:#}")),
    }
    match &run.action {
        Action::Suspend => plan_suspend(conn, &who, &st, r).await,
        Action::Reactivate(restore) => plan_reactivate(conn, &who, &st, *restore, r).await,
        Action::Passwd { login, .. } => {
            match users::passwd_target(&conn.client, login.as_deref()).await {
                Err(e) => r.fail(Outcome::Failed, format!("{who}: {e:#}")),
                Ok(u) => {
                    if let Some(m) = exec::refusal_for(u.as_ref(), login.as_deref(), &who) {
                        return r.fail(Outcome::Refused, format!("dry run: {m}"));
                    }
                    match crate::odoo::argon2_guard::refusal(
                        &conn.client,
                        t.link.node.password_scheme,
                    )
                    .await
                    {
                        Ok(None) => {}
                        Ok(Some(m)) => {
                            return r.fail(Outcome::Refused, format!("dry run: {who}: {m}"))
                        }
                        Err(e) => return r.fail(Outcome::Failed, format!("{who}: {e:#}")),
                    }
                    let u = u.expect("refusal_for refuses a missing user");
                    r.login = Some(u.login.clone());
                    r.users = 1;
                    r.warnings
                        .extend(exec::passwd_notes(&u, t.link.node.password_scheme));
                    let rounds = exec::rounds_of(&u);
                    r.ok(
                        Outcome::WouldChange,
                        format!(
                            "dry run: would set the password of {} (id {}) on {who} (pbkdf2-sha512, {rounds} rounds), then signal {}. Nothing changed.",
                            esc(&u.login),
                            u.id,
                            u.signals.describe(Changed::Users)
                        ),
                    )
                }
            }
        }
    }
}

async fn plan_suspend(conn: &Conn, who: &str, st: &suspension::State, r: Report) -> Report {
    let users = match suspension::users_to_suspend(&conn.client).await {
        Ok(u) => u,
        Err(e) => return r.fail(Outcome::Failed, format!("{who}: {e:#}")),
    };
    if st.suspended() && users.is_empty() {
        let mut r = r.ok(
            Outcome::Unchanged,
            format!(
                "dry run: {who} is already suspended since {} ({}) and no user is active; nothing would change",
                st.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
                esc(st.get(keys::SUSPENDED_REASON).unwrap_or("no reason recorded"))
            ),
        );
        r.suspended_at = st.get(keys::SUSPENDED_AT).map(str::to_string);
        r.suspended_reason = st.get(keys::SUSPENDED_REASON).map(str::to_string);
        return r;
    }
    let mut text = format!(
        "dry run: would suspend {who}: switch off {} active users (id 1 excluded){}:\n",
        users.len(),
        if st.suspended() {
            " and merge them into the existing record"
        } else {
            ""
        }
    );
    for u in &users {
        text.push_str(&format!("  - {} (id {})\n", esc(&u.login), u.id));
    }
    text.push_str(&format!(
        "and write ICP {}='true', {}, {}, {}, {} (the ids above); then signal {}. Nothing changed.",
        keys::SUSPENDED,
        keys::SUSPENDED_REASON,
        keys::SUSPENDED_AT,
        keys::SUSPENDED_BY,
        keys::SUSPENDED_USER_IDS,
        st.signals.describe(Changed::UsersAndParams)
    ));
    let mut r = r.ok(Outcome::WouldChange, text);
    r.users = users.len();
    r.warnings.extend(exec::xmlrpc_warning(
        st.version
            .as_deref()
            .and_then(crate::odoo::major_from_version),
        "full access",
    ));
    r
}

async fn plan_reactivate(
    conn: &Conn,
    who: &str,
    st: &suspension::State,
    restore: Restore,
    r: Report,
) -> Report {
    if !st.suspended() {
        return r.ok(
            Outcome::Unchanged,
            format!("dry run: {who} is not suspended; nothing would change"),
        );
    }
    match suspension::users_to_reactivate(&conn.client, st, restore).await {
        Err(e) => r.fail(Outcome::Failed, format!("{who}: {e:#}")),
        Ok(ReactivatePlan::NoRecord) => r.fail(
            Outcome::Refused,
            format!("dry run: {}", exec::no_record_message(who, None)),
        ),
        Ok(ReactivatePlan::BadRecord(e)) => r.fail(
            Outcome::Refused,
            format!("dry run: {}", exec::no_record_message(who, Some(&e))),
        ),
        Ok(ReactivatePlan::Users {
            users,
            missing,
            excluded,
        }) => {
            let mut text = format!(
                "dry run: would reactivate {who}: switch on {} users ({}):\n",
                users.len(),
                if restore == Restore::AllInternal {
                    "every internal user but __system__, templates and public"
                } else {
                    "exactly those recorded at suspension"
                }
            );
            for u in &users {
                text.push_str(&format!("  + {} (id {})\n", esc(&u.login), u.id));
            }
            if !missing.is_empty() {
                text.push_str(&format!(
                    "recorded ids that are not users of the tenant (ignored): {missing:?}\n"
                ));
            }
            if !excluded.is_empty() {
                text.push_str(&format!(
                    "recorded ids never switched on (__system__, templates, public user): {excluded:?}\n"
                ));
            }
            text.push_str(&format!(
                "and write ICP {}='false', {}, {}, delete {}; then signal {}. Nothing changed.",
                keys::SUSPENDED,
                keys::REACTIVATED_AT,
                keys::REACTIVATED_BY,
                keys::SUSPENDED_USER_IDS,
                st.signals.describe(Changed::UsersAndParams)
            ));
            let mut r = r.ok(Outcome::WouldChange, text);
            r.users = users.len();
            r.missing_users = Some(missing);
            r.excluded_users = Some(excluded);
            r
        }
    }
}

/// Runs (or plans) every job concurrently within the connection limits; one
/// printer (this task) draws progress and collects results in input order.
/// A panicked task is a `failed` result, never a dropped one. At the second
/// Ctrl-C the run stops: what is in flight is reported `unknown`.
pub async fn run_all(ctx: &Ctx, jobs: Vec<Job>, run: Arc<Run>, progress: bool) -> Vec<Report> {
    let n = jobs.len();
    let total = jobs.iter().filter(|j| j.early.is_none()).count() as u64;
    let bar = progress.then(|| progress_bar(ctx, total)).flatten();
    let mut slots: Vec<Option<Option<Report>>> = (0..n).map(|_| None).collect();
    let mut specs: Vec<(Option<Target>, String, Option<usize>)> = Vec::with_capacity(n);
    let mut set = JoinSet::new();
    let mut ids = std::collections::HashMap::new();
    for (i, job) in jobs.into_iter().enumerate() {
        specs.push((job.target.clone(), job.spec.clone(), job.line));
        if job.early.is_some() {
            slots[i] = Some(job.early);
            continue;
        }
        let run = run.clone();
        let h = set.spawn(async move { (i, run_job(job, &run).await) });
        ids.insert(h.id(), i);
    }
    let mut done_n = 0u64;
    let mut failed_n = 0u64;
    let second = async {
        match &run.guard {
            Some(g) => g.second().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(second);
    loop {
        let joined = tokio::select! {
            j = set.join_next_with_id() => match j { Some(j) => j, None => break },
            _ = &mut second => break,
        };
        let (i, r) = match joined {
            Ok((_, (i, r))) => (i, r),
            Err(e) => {
                let i = ids.get(&e.id()).copied().unwrap_or(0);
                let (t, spec, _) = &specs[i];
                let r = Report::new(t.as_ref(), spec, run.action.name())
                    .fail(Outcome::Failed, format!("{spec}: internal error: {e}"));
                (i, Some(r))
            }
        };
        done_n += 1;
        if let Some(r) = &r {
            if !r.outcome.is_ok() {
                failed_n += 1;
            }
            let line = format!(
                "{}: {}{}",
                r.node
                    .as_ref()
                    .map(|n| format!("{n}/{}", r.tenant))
                    .unwrap_or_else(|| r.tenant.clone()),
                r.outcome.as_str(),
                r.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
            match &bar {
                Some(b) => {
                    b.set_position(done_n);
                    b.set_message(format!("{failed_n} not ok"));
                }
                None if progress && !ctx.printer.quiet && !run.dry_run => {
                    eprintln!("tenantctl: [{done_n}/{total}] {}", one_line(&line, 300))
                }
                None => {}
            }
        }
        slots[i] = Some(r);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // Whatever did not finish (second Ctrl-C): its COMMIT may have been sent.
    set.abort_all();
    slots
        .into_iter()
        .enumerate()
        .filter_map(|(i, slot)| match slot {
            Some(r) => r,
            None => {
                let (t, spec, line) = &specs[i];
                let mut r = Report::new(t.as_ref(), spec, run.action.name()).fail(
                    Outcome::Unknown,
                    format!("{spec}: stopped by a second Ctrl-C while in flight; the change may or may not have been committed"),
                );
                r.line = *line;
                if let (Some(log), Some(t)) = (&run.audit, t) {
                    let _ = log.append(&crate::audit::Record {
                        time: crate::audit::now_rfc3339(),
                        operator: &run.operator,
                        action: r.action,
                        node: t.link.name(),
                        tenant: &t.db,
                        outcome: r.outcome.as_str(),
                        reason: None,
                        users: None,
                        login: None,
                        error: r.error.clone(),
                    });
                }
                Some(r)
            }
        })
        .collect()
}

fn progress_bar(ctx: &Ctx, total: u64) -> Option<indicatif::ProgressBar> {
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

/// Prints a single command's result and returns the exit code.
/// `secret_on_stdout`: a generated password went to stdout alone, so the
/// sentence goes to stderr.
pub fn single(ctx: &Ctx, r: &Report, interrupted: bool, secret_on_stdout: bool) -> u8 {
    let s = Summary::of(std::slice::from_ref(r));
    match ctx.printer.format {
        Output::Json => out_json(r),
        _ => {
            if r.outcome.is_ok() {
                // A generated password is alone on stdout; its sentence goes
                // to stderr.
                if secret_on_stdout {
                    ctx.printer.info(&r.message);
                } else {
                    out(&crate::output::esc_lines(&r.message));
                }
            }
        }
    }
    if !r.outcome.is_ok() {
        ctx.printer.error(r.error.as_deref().unwrap_or(&r.message));
    }
    for w in &r.warnings {
        ctx.printer.warn(w);
    }
    if let Some(e) = &r.audit_error {
        ctx.printer.error(e);
    }
    verdict(&s, interrupted)
}

#[derive(Serialize)]
struct Doc<'a> {
    results: &'a [Report],
    summary: &'a Summary,
    dry_run: bool,
}

/// Prints bulk results in input order and the summary; returns the exit code.
pub fn bulk(
    ctx: &Ctx,
    action: &str,
    reports: &[Report],
    secs: f64,
    interrupted: bool,
    dry_run: bool,
) -> u8 {
    let sum = Summary::of(reports);
    let p = &ctx.printer;
    match p.format {
        Output::Json => out_json(&Doc {
            results: reports,
            summary: &sum,
            dry_run,
        }),
        Output::Csv => {
            out(&csv_line(&[
                "line", "node", "tenant", "action", "outcome", "users", "error",
            ]));
            for r in reports {
                out(&csv_line(&[
                    r.line.map(|l| l.to_string()).unwrap_or_default(),
                    r.node.clone().unwrap_or_default(),
                    r.tenant.clone(),
                    r.action.to_string(),
                    r.outcome.as_str().to_string(),
                    r.users.to_string(),
                    r.error.clone().unwrap_or_default(),
                ]));
            }
        }
        Output::Table => {
            let mut t = p.table(&["NODE", "TENANT", "OUTCOME", "USERS", "ERROR"]);
            for r in reports {
                let color = match r.outcome {
                    o if o.is_ok() && o != Outcome::Unchanged => Some(comfy_table::Color::Green),
                    Outcome::Unchanged => None,
                    _ => Some(comfy_table::Color::Red),
                };
                t.add_row(vec![
                    p.cell(r.node.as_deref().unwrap_or("-"), None),
                    p.cell(&r.tenant, None),
                    p.cell(r.outcome.as_str(), color),
                    p.cell(r.users, None),
                    p.cell(
                        r.error
                            .as_deref()
                            .map(|e| one_line(e, 120))
                            .unwrap_or_default(),
                        None,
                    ),
                ]);
            }
            if !reports.is_empty() {
                out(&crate::output::render(&t));
            }
        }
    }
    for r in reports {
        if let Some(e) = &r.audit_error {
            p.error(e);
        }
    }
    let others = [
        ("refused", sum.refused),
        ("unknown", sum.unknown),
        ("not-signalled", sum.not_signalled),
        ("drift", sum.drift),
        ("skipped", sum.skipped),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!(", {n} {k}"))
    .collect::<String>();
    let line = if dry_run {
        format!(
            "dry run: bulk {action}: {} would change, {} unchanged, {} failed{others}; nothing changed ({secs:.1}s)",
            sum.would_change, sum.unchanged, sum.failed
        )
    } else {
        format!(
            "bulk {action}: {} changed, {} unchanged, {} failed{others} of {} in {secs:.1}s",
            sum.changed,
            sum.unchanged,
            sum.failed,
            reports.len()
        )
    };
    if sum.problems() + sum.refused > 0 {
        p.error(&line);
    } else {
        p.info(format!("tenantctl: {line}"));
    }
    verdict(&sum, interrupted)
}
