//! `tenantctl health`: what is quietly broken inside a tenant, read with
//! plain SELECTs (nothing is written, no row is locked).
//!
//! One connection and one round trip per tenant: the statements of
//! [`sql`] are pipelined (sent together, each in its own implicit
//! transaction), so a statement about a table or column this Odoo version
//! lacks fails alone (SQLSTATE 42P01 / 42703) and its checks are `n/a`, the
//! others answer. PostgreSQL's own figures (transaction-id age, sessions,
//! connections) are read once per node on the maintenance database
//! ([`pg`]).
//!
//! [`evaluate`] turns what was read into findings: a stable check name, a
//! severity, the evidence (tenant text, unescaped: the printer escapes it)
//! and the fix when there is one (shown, never run).

pub mod pg;
mod sql;

use std::time::Duration;

use serde::Serialize;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Client;

use crate::error::{pg_error, sqlstate, SqlState};
use crate::model::Health;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One thing wrong with a tenant.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable name, e.g. `cron.overdue` (documented in README).
    pub check: &'static str,
    pub severity: Severity,
    /// What was seen (tenant text, not escaped here).
    pub evidence: String,
    /// What the operator may run; tenantctl never runs it.
    pub fix: Option<String>,
}

/// Every check a tenant can get, in report order.
pub const CHECKS: [&str; 19] = [
    "cron.overdue",
    "cron.failing",
    "cron.deactivated_by_odoo",
    "cron.running_long",
    "mail.outgoing_stuck",
    "mail.exception",
    "mail.no_server",
    "mail.standin_left",
    "modules.pending",
    "queue_job.failed",
    "queue_job.pending_old",
    "queue_job.started_stuck",
    "config.neutralized",
    "config.base_url",
    "config.expiration",
    "suspension.drift",
    "pg.xid_age",
    "pg.idle_in_transaction",
    "pg.connections",
];

/// What one tenant's checks gave: the checks evaluated (a check without a
/// finding is healthy), those that do not apply to this version or
/// installation, and the findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub checked: Vec<&'static str>,
    pub not_applicable: Vec<&'static str>,
    pub findings: Vec<Finding>,
}

impl Report {
    fn check(&mut self, name: &'static str, finding: Option<(Severity, String, Option<String>)>) {
        self.checked.push(name);
        if let Some((severity, evidence, fix)) = finding {
            self.findings.push(Finding {
                check: name,
                severity,
                evidence,
                fix,
            });
        }
    }

    fn na(&mut self, names: &[&'static str]) {
        self.not_applicable.extend_from_slice(names);
    }

    /// Adds the node-level findings of this database (see [`pg`]).
    pub fn add_pg(&mut self, p: Option<&pg::DbFigures>, th: &Health, tenant: &str) {
        match p {
            Some(p) => pg::evaluate(self, p, th, tenant),
            None => self.na(&["pg.xid_age", "pg.idle_in_transaction", "pg.connections"]),
        }
    }

    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// What [`read`] found in a database.
#[derive(Debug, Clone)]
pub enum Tenant {
    Odoo(Box<Read>),
    NotOdoo,
}

/// The answers of the tenant's statements; `None`: the statement's table or
/// column does not exist in this version (n/a).
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub base: sql::Base,
    pub crons: Option<sql::Crons>,
    pub triggers: Option<sql::Triggers>,
    pub running: Option<Vec<sql::Running>>,
    pub failing: Option<sql::Failing>,
    pub deactivated: Option<Vec<sql::Deactivated>>,
    pub mail: Option<sql::Mail>,
    pub servers: Option<sql::Servers>,
    pub queue: Option<sql::Queue>,
}

impl Read {
    /// `ir_module_module.latest_version` of `base`.
    pub fn version(&self) -> &str {
        &self.base.version
    }
    pub fn suspended(&self) -> bool {
        super::probe::is_true(self.base.icp("tenant.suspended"))
    }
}

/// The thresholds as bind parameters (seconds).
fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// One statement with its deadline; a missing table or column (this
/// version or installation lacks it) is `Ok(None)`.
async fn maybe<T>(
    client: &Client,
    deadline: Duration,
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
    parse: impl FnOnce(Vec<tokio_postgres::Row>) -> T,
) -> anyhow::Result<Option<T>> {
    match tokio::time::timeout(deadline, client.query_typed(sql, params)).await {
        Ok(Ok(rows)) => Ok(Some(parse(rows))),
        Ok(Err(e))
            if sqlstate(&e).is_some_and(|c| {
                *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_COLUMN
            }) =>
        {
            Ok(None)
        }
        Ok(Err(e)) => Err(pg_error(&e)),
        Err(_) => Err(anyhow::Error::new(super::Timeout(deadline))),
    }
}

/// `f` when `yes`, else what a statement on a missing table gives (n/a).
async fn when<T>(
    yes: bool,
    f: impl std::future::Future<Output = anyhow::Result<Option<T>>>,
) -> anyhow::Result<Option<T>> {
    if yes {
        f.await
    } else {
        Ok(None)
    }
}

/// Reads one tenant: first, pipelined, the one statement of what every
/// version has ([`sql::first_sql`], which also says which tables and columns
/// of later versions and modules the tenant has), the mail queue and, when
/// `running` (the node saw a transaction in this database old enough to
/// matter, see [`pg::DbFigures::long_xacts`]), the jobs held by a running
/// worker; then, when any applies, the statements of later versions and
/// modules, also pipelined (a statement the tenant cannot run would cost
/// the server a parse and an error).
pub async fn read(
    client: &Client,
    deadline: Duration,
    th: &Health,
    running: bool,
) -> anyhow::Result<Tenant> {
    let grace = secs(th.cron_grace);
    let limit = secs(th.cron_running_max);
    let outgoing = secs(th.mail_outgoing_max_age);
    let window = secs(th.mail_exception_window);
    let queue = secs(th.queue_job_max_age);
    let f8 = || Type::FLOAT8;
    let p_grace = [(&grace as &(dyn ToSql + Sync), f8())];
    let p_mail = [
        (&outgoing as &(dyn ToSql + Sync), f8()),
        (&window as &(dyn ToSql + Sync), f8()),
    ];
    let p_queue = [(&queue as &(dyn ToSql + Sync), f8())];
    let p_running = [(&limit as &(dyn ToSql + Sync), f8())];
    let (first, mail, held) = tokio::join!(
        biased;
        maybe(client, deadline, sql::first_sql(), &p_grace, sql::First::parse),
        // `mail_mail` is the `mail` module's (installed in practice): sent
        // at once, n/a when the tenant lacks it.
        maybe(client, deadline, sql::MAIL_SQL, &p_mail, sql::Mail::parse),
        when(
            running,
            maybe(client, deadline, sql::RUNNING_SQL, &p_running, sql::Running::parse)
        ),
    );
    let first = match first? {
        Some(Some(f)) if !f.base.version.is_empty() => f,
        _ => return Ok(Tenant::NotOdoo),
    };
    let has = first.base.has;
    let (triggers, failing, deact, qj) = tokio::join!(
        biased;
        when(
            has.triggers,
            maybe(client, deadline, sql::TRIGGERS_SQL, &p_grace, sql::Triggers::parse)
        ),
        when(
            has.failures,
            maybe(client, deadline, sql::FAILING_SQL, &[], sql::Failing::parse)
        ),
        when(
            has.failures,
            maybe(client, deadline, sql::DEACTIVATED_SQL, &[], sql::Deactivated::parse)
        ),
        when(
            has.queue_job && first.base.queue_job,
            maybe(client, deadline, sql::QUEUE_SQL, &p_queue, sql::Queue::parse)
        ),
    );
    Ok(Tenant::Odoo(Box::new(Read {
        base: first.base,
        crons: Some(first.crons),
        triggers: triggers?,
        // Not read: no transaction of this database is old enough for a
        // job to be held longer than the limit.
        running: Some(held?.unwrap_or_default()),
        failing: failing?,
        deactivated: deact?,
        mail: mail?,
        servers: Some(first.servers),
        queue: qj?,
    })))
}

/// What a check needs beyond the database: the thresholds, the tenant's
/// name, the node's `base_url` pattern.
pub struct Context<'a> {
    pub th: &'a Health,
    pub tenant: &'a str,
    pub base_url: Option<&'a str>,
    /// Today's date on this machine, for `database.expiration_date`.
    pub now: std::time::SystemTime,
}

/// The findings of one tenant (the `pg.*` checks come from [`Report::add_pg`]).
pub fn evaluate(r: &Read, cx: &Context) -> Report {
    let mut rep = Report::default();
    if r.suspended() {
        // Jobs and mail are off on purpose: only what contradicts the
        // suspension is reported.
        suspended(&mut rep, r, cx.tenant);
        return rep;
    }
    crons(&mut rep, r);
    mail(&mut rep, r, cx.th);
    modules(&mut rep, r);
    queue(&mut rep, r);
    identity(&mut rep, r, cx);
    let all_archived = r.base.active_users == 0;
    rep.check(
        "suspension.drift",
        all_archived.then(|| {
            (
                Severity::Warning,
                "not suspended, but every user is archived (nobody can log in)".to_string(),
                Some(format!(
                    "tenantctl suspend {} --reason '...'  # if it should be suspended",
                    shell(cx.tenant)
                )),
            )
        }),
    );
    rep
}

/// A word for a shell command line, single-quoted when needed.
pub fn shell(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// An SQL string literal.
fn lit(s: &str) -> String {
    postgres_protocol::escape::escape_literal(s)
}

fn ids(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

fn suspended(rep: &mut Report, r: &Read, tenant: &str) {
    let layers = r.base.layers();
    let mut drift = Vec::new();
    if r.base.active_users > 0 {
        drift.push(format!("{} users are active", r.base.active_users));
    }
    if let (true, Some(c)) = (layers.crons, &r.crons) {
        if c.active > 0 {
            drift.push(format!("{} scheduled jobs are active", c.active));
        }
    }
    if let (true, Some(s)) = (layers.mail, &r.servers) {
        let real = s.active - s.standins.len() as i64;
        if real > 0 {
            drift.push(format!("{real} outgoing mail servers are active"));
        }
    }
    rep.check(
        "suspension.drift",
        (!drift.is_empty()).then(|| {
            (
                Severity::Critical,
                format!("suspended, but {}", drift.join("; ")),
                Some(format!(
                    "tenantctl suspend {} --reason '...'  # again: it switches off what came back",
                    shell(tenant)
                )),
            )
        }),
    );
}

fn crons(rep: &mut Report, r: &Read) {
    match &r.crons {
        Some(c) => rep.check("cron.overdue", overdue(c, r.triggers.as_ref())),
        None => rep.na(&["cron.overdue"]),
    }
    match &r.running {
        Some(v) => rep.check(
            "cron.running_long",
            v.first().map(|j| {
                (
                    Severity::Warning,
                    format!(
                        "{} jobs held by a running worker for too long; longest: {} (id {}) for {}s by backend {}",
                        v.len(),
                        j.name,
                        j.id,
                        j.secs,
                        j.pid
                    ),
                    Some(format!("SELECT pg_cancel_backend({})  -- after reading the Odoo log of that job", j.pid)),
                )
            }),
        ),
        None => rep.na(&["cron.running_long"]),
    }
    failures(rep, r);
}

/// Jobs past their `nextcall` by more than one interval and the grace, and
/// (14+) jobs with a trigger past due: no cron worker runs them.
fn overdue(
    c: &sql::Crons,
    t: Option<&sql::Triggers>,
) -> Option<(Severity, String, Option<String>)> {
    let triggered = t.map_or(0, |t| t.jobs);
    if c.overdue == 0 && triggered == 0 {
        return None;
    }
    let all = c.overdue == c.active;
    let mut ev = Vec::new();
    if c.overdue > 0 {
        ev.push(format!(
            "{} of {} active jobs overdue{}; oldest: {}",
            c.overdue,
            c.active,
            if all {
                " (no cron worker serves this database)"
            } else {
                ""
            },
            c.oldest().as_deref().unwrap_or("?")
        ));
    }
    if let Some(t) = t.filter(|t| t.jobs > 0) {
        ev.push(format!(
            "{} jobs triggered and not run, the oldest trigger due {} UTC",
            t.jobs,
            t.since.as_deref().unwrap_or("?")
        ));
    }
    Some((
        if all { Severity::Critical } else { Severity::Warning },
        ev.join("; "),
        Some("check that an Odoo server with max_cron_threads > 0 lists this database (db_name, dbfilter, list_db) and that no module is left to upgrade".into()),
    ))
}

/// Odoo 18+ counts a job's consecutive failures (`failure_count`,
/// `first_failure_date`) and switches it off after 5 failures over more
/// than 7 days, resetting both (odoo/addons/base/models/ir_cron.py
/// `_update_failure_count`).
fn failures(rep: &mut Report, r: &Read) {
    match &r.failing {
        Some(f) => rep.check(
            "cron.failing",
            (f.count > 0).then(|| {
                (
                    if f.max_failures >= 4 { Severity::Critical } else { Severity::Warning },
                    format!(
                        "{} active jobs failing; worst: {} (Odoo switches a job off after 5 failures over 7 days)",
                        f.count,
                        f.worst.as_deref().unwrap_or("?")
                    ),
                    None,
                )
            }),
        ),
        None => rep.na(&["cron.failing"]),
    }
    match &r.deactivated {
        Some(v) => {
            let recorded = r.base.suspended_cron_ids();
            let off: Vec<&sql::Deactivated> =
                v.iter().filter(|d| !recorded.contains(&d.id)).collect();
            rep.check(
                "cron.deactivated_by_odoo",
                (!off.is_empty()).then(|| {
                    let list: Vec<String> = off
                        .iter()
                        .take(5)
                        .map(|d| format!("{} (id {}, last success {})", d.name, d.id, d.lastcall))
                        .collect();
                    let all: Vec<i64> = off.iter().map(|d| d.id).collect();
                    (
                        Severity::Critical,
                        format!(
                            "{} jobs off after failing for days (as Odoo switches them off): {}",
                            off.len(),
                            list.join("; ")
                        ),
                        Some(format!(
                            "UPDATE ir_cron SET active = true WHERE id IN ({})  -- once the cause is fixed",
                            ids(&all)
                        )),
                    )
                }),
            );
        }
        None => rep.na(&["cron.deactivated_by_odoo"]),
    }
}

fn mail(rep: &mut Report, r: &Read, th: &Health) {
    match &r.mail {
        Some(m) => {
            rep.check(
                "mail.outgoing_stuck",
                (m.stuck > 0).then(|| {
                    (
                        Severity::Warning,
                        format!(
                            "{} outgoing mails queued for over {}, oldest since {}",
                            m.stuck,
                            humantime::format_duration(th.mail_outgoing_max_age),
                            m.stuck_since.as_deref().unwrap_or("?")
                        ),
                        Some("check the job 'Mail: Email Queue Manager' (mail.ir_cron_mail_scheduler_action) runs and the SMTP server answers".into()),
                    )
                }),
            );
            rep.check(
                "mail.exception",
                (m.failed > 0).then(|| {
                    (
                        Severity::Warning,
                        format!(
                            "{} mails failed since {}; latest reason: {}",
                            m.failed,
                            m.failed_since.as_deref().unwrap_or("?"),
                            m.reason.as_deref().unwrap_or("(none)")
                        ),
                        Some(format!(
                            "UPDATE mail_mail SET state = 'outgoing' WHERE state = 'exception' AND write_date >= {}  -- once the cause is fixed: Odoo never retries them",
                            lit(m.failed_since.as_deref().unwrap_or(""))
                        )),
                    )
                }),
            );
        }
        None => rep.na(&["mail.outgoing_stuck", "mail.exception"]),
    }
    match &r.servers {
        Some(s) => {
            rep.check(
                "mail.no_server",
                (s.active == 0).then(|| {
                    (
                        Severity::Warning,
                        "no active outgoing mail server: Odoo sends through the SMTP server of its configuration file (default localhost:25)".to_string(),
                        None,
                    )
                }),
            );
            rep.check(
                "mail.standin_left",
                (!s.standins.is_empty()).then(|| {
                    (
                        Severity::Critical,
                        format!(
                            "active mail server with host 'invalid' (ids {}) on a tenant not suspended: every mail fails into exception and is lost",
                            ids(&s.standins)
                        ),
                        Some(format!(
                            "UPDATE ir_mail_server SET active = false WHERE id IN ({}) AND smtp_host = 'invalid'",
                            ids(&s.standins)
                        )),
                    )
                }),
            );
        }
        None => rep.na(&["mail.no_server", "mail.standin_left"]),
    }
}

fn modules(rep: &mut Report, r: &Read) {
    let b = &r.base;
    rep.check(
        "modules.pending",
        (b.pending > 0).then(|| {
            (
                Severity::Critical,
                format!(
                    "{} modules not installed/upgraded/removed (base {}): {}; cron workers skip this database",
                    b.pending,
                    b.version,
                    b.pending_names.as_deref().unwrap_or("?")
                ),
                Some("odoo-bin -c CONF -d DB -u MODULES --stop-after-init --no-http  # on a copy first".into()),
            )
        }),
    );
}

/// OCA `queue_job`: table `queue_job`, states pending, enqueued, started,
/// done, cancelled, failed, wait_dependencies (queue_job/job.py).
fn queue(rep: &mut Report, r: &Read) {
    let names = [
        "queue_job.failed",
        "queue_job.pending_old",
        "queue_job.started_stuck",
    ];
    let q = match (&r.queue, r.base.queue_job) {
        (Some(q), true) => q,
        _ => return rep.na(&names),
    };
    rep.check(
        names[0],
        (q.failed > 0).then(|| {
            (
                Severity::Warning,
                format!("{} queue jobs failed", q.failed),
                Some("requeue them from Queue Jobs in Odoo once the cause is fixed".into()),
            )
        }),
    );
    rep.check(
        names[1],
        (q.pending_old > 0).then(|| {
            (
                Severity::Warning,
                format!(
                    "{} queue jobs waiting to run, oldest created {}: is the jobrunner running for this database?",
                    q.pending_old,
                    q.oldest.as_deref().unwrap_or("?")
                ),
                None,
            )
        }),
    );
    rep.check(
        names[2],
        (q.started_stuck > 0).then(|| {
            (
                Severity::Warning,
                format!(
                    "{} queue jobs started long ago and never finished",
                    q.started_stuck
                ),
                Some(
                    "requeue them (Odoo: Queue Jobs, Requeue) after checking the worker was killed"
                        .into(),
                ),
            )
        }),
    );
}

fn identity(rep: &mut Report, r: &Read, cx: &Context) {
    let b = &r.base;
    let neutralized = super::probe::is_true(b.icp("database.is_neutralized"));
    rep.check(
        "config.neutralized",
        (neutralized && !cx.th.is_copy(cx.tenant)).then(|| {
            (
                Severity::Critical,
                "database.is_neutralized is set on a tenant not listed in [health] copies: a neutralized copy sends no mail and runs no jobs".to_string(),
                Some("if it is a copy, add it to [health] copies; if it is production, it was restored from a neutralized copy".into()),
            )
        }),
    );
    match cx.base_url {
        Some(pattern) => {
            let want = pattern.replace("{tenant}", cx.tenant);
            let have = b.icp("web.base.url").unwrap_or("");
            let same = have.trim_end_matches('/') == want.trim_end_matches('/');
            rep.check(
                "config.base_url",
                (!same).then(|| {
                    (
                        Severity::Warning,
                        format!("web.base.url is {have:?}, the node's base_url gives {want:?}"),
                        Some(format!(
                            "UPDATE ir_config_parameter SET value = {} WHERE key = 'web.base.url'  -- and set web.base.url.freeze",
                            lit(&want)
                        )),
                    )
                }),
            );
        }
        None => rep.na(&["config.base_url"]),
    }
    rep.check(
        "config.expiration",
        expiration(b.icp("database.expiration_date"), cx),
    );
}

/// `database.expiration_date` ('YYYY-MM-DD HH:MM:SS', written by Odoo's
/// publisher cron, read by the Enterprise web client).
fn expiration(v: Option<&str>, cx: &Context) -> Option<(Severity, String, Option<String>)> {
    let v = v?.trim();
    let at = humantime::parse_rfc3339_weak(v.get(..19).unwrap_or(v)).ok()?;
    let days = match at.duration_since(cx.now) {
        Ok(d) => (d.as_secs() / 86_400) as i64,
        Err(_) => -1,
    };
    if days >= cx.th.expiration_days as i64 {
        return None;
    }
    Some(if days < 0 {
        (
            Severity::Critical,
            format!(
                "database.expiration_date {v:?} has passed: the Enterprise web client is blocked"
            ),
            Some(
                "renew the subscription (odoo.com), then let the publisher job update the date"
                    .into(),
            ),
        )
    } else {
        (
            Severity::Warning,
            format!("database.expiration_date {v:?} is within {days} days"),
            Some("renew the subscription (odoo.com)".into()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell("acme"), "acme");
        assert_eq!(shell("it's"), "'it'\\''s'");
    }

    #[test]
    fn expiration_windows() {
        let th = Health::default();
        let now = humantime::parse_rfc3339("2026-12-05T00:00:00Z").unwrap();
        let cx = Context {
            th: &th,
            tenant: "t",
            base_url: None,
            now,
        };
        assert!(expiration(Some("2027-06-01 00:00:00"), &cx).is_none());
        assert_eq!(
            expiration(Some("2026-12-20 00:00:00"), &cx).unwrap().0,
            Severity::Warning
        );
        assert_eq!(
            expiration(Some("2026-11-20 00:00:00"), &cx).unwrap().0,
            Severity::Critical
        );
        assert!(expiration(Some("junk"), &cx).is_none());
    }
}
