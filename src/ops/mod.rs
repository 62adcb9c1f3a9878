//! The one operation pipeline of the write commands. A single command is a
//! bulk run of one target through the same stages:
//!
//! resolve → plan → confirm → run (lock, read, write, commit) → signal →
//! verify → audit → report
//!
//! - resolving lives in `targets` and the fronts (`suspend.rs`, `passwd.rs`,
//!   `bulk.rs`);
//! - [`plan`]: what a write would do (dry runs), read-only;
//! - [`run`] runs many targets concurrently with one printer;
//! - [`exec`] runs one target: the transaction in the odoo layer, the cache
//!   signal after the commit, the re-read that verifies it, settling a lost
//!   COMMIT acknowledgement, the audit line ([`passwd`] for passwords);
//! - [`report`] prints a single result or a bulk table, once;
//! - [`verdict`] folds the outcomes into the exit code, the same for one
//!   target and for many.

pub(crate) mod audit;
pub mod blocked;
pub mod context;
pub mod details;
pub mod exec;
pub(crate) mod failed_to;
pub(crate) mod from;
pub mod lifecycle;
pub mod passwd;
pub mod plan;
pub(crate) mod prompt;
pub mod report;
pub mod run;

pub use context::{direct_only, Ctx};
pub use details::{Details, LayerCounts};

use std::sync::Arc;

use serde::Serialize;

use crate::audit::AuditLog;
use crate::error::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};
use crate::interrupt::Guard;
use crate::odoo::suspension::Restore;
use crate::targets::Target;
use crate::transport::{Conn, Transport, Via};

/// What happened to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Changed,
    /// `upgrade`: the verified copy is swapped in (a change, named as the
    /// issue's outcome is).
    Upgraded,
    Unchanged,
    /// Refused by a rule (nothing changed): triggers on the tables, an
    /// old-agent suspension without a restore policy, a password against the
    /// policy, an unknown login, an unqualified name with a node unsearched.
    Refused,
    /// Nothing changed: the operation failed before its commit.
    Failed,
    /// Not started (Ctrl-C).
    Skipped,
    /// Dry run: would be changed.
    WouldChange,
    /// The COMMIT was sent and its outcome could not be settled.
    Unknown,
    /// Committed, but the cache signal failed: Odoo's workers may still serve
    /// cached credentials.
    NotSignalled,
    /// Committed, but the re-read after the commit shows that the change did
    /// not hold (e.g. a suspended tenant with active users).
    Drift,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changed => "changed",
            Outcome::Upgraded => "upgraded",
            Outcome::Unchanged => "unchanged",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::WouldChange => "would-change",
            Outcome::Unknown => "unknown",
            Outcome::NotSignalled => "not-signalled",
            Outcome::Drift => "drift",
        }
    }

    /// Whether the target got what was asked.
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            Outcome::Changed | Outcome::Upgraded | Outcome::Unchanged | Outcome::WouldChange
        )
    }

    /// Whether the database was (or may have been) changed.
    pub fn committed(self) -> bool {
        matches!(
            self,
            Outcome::Changed
                | Outcome::Upgraded
                | Outcome::NotSignalled
                | Outcome::Drift
                | Outcome::Unknown
        )
    }
}

/// The writes of the pipeline, one per command (a `bulk` run is many runs of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    Passwd,
    Suspend,
    Reactivate,
    Create,
    Duplicate,
    Rename,
    Upgrade,
    Drop,
    Undrop,
    Purge,
    Backup,
    Restore,
    Move,
}

impl Op {
    /// The command's name: the `action` of its JSON result and audit line.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Passwd => "passwd",
            Op::Suspend => "suspend",
            Op::Reactivate => "reactivate",
            Op::Create => "create",
            Op::Duplicate => "duplicate",
            Op::Rename => "rename",
            Op::Upgrade => "upgrade",
            Op::Drop => "drop",
            Op::Undrop => "undrop",
            Op::Purge => "purge",
            Op::Backup => "backup",
            Op::Restore => "restore",
            Op::Move => "move",
        }
    }

    /// Whether its audit line counts the users it switched (the writes into
    /// `res_users`); the lifecycle commands change databases, not users.
    pub fn counts_users(self) -> bool {
        matches!(self, Op::Passwd | Op::Suspend | Op::Reactivate)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The counts a run ends with.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub changed: usize,
    /// Upgrade runs only (0 included): other commands' JSON has no such key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgraded: Option<usize>,
    pub unchanged: usize,
    pub refused: usize,
    pub failed: usize,
    pub skipped: usize,
    pub unknown: usize,
    pub not_signalled: usize,
    pub drift: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub would_change: usize,
    /// Results whose audit line could not be written.
    #[serde(skip_serializing_if = "is_zero")]
    pub audit_errors: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn of(reports: &[Report]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            match r.outcome {
                Outcome::Changed => s.changed += 1,
                Outcome::Upgraded => *s.upgraded.get_or_insert(0) += 1,
                Outcome::Unchanged => s.unchanged += 1,
                Outcome::Refused => s.refused += 1,
                Outcome::Failed => s.failed += 1,
                Outcome::Skipped => s.skipped += 1,
                Outcome::WouldChange => s.would_change += 1,
                Outcome::Unknown => s.unknown += 1,
                Outcome::NotSignalled => s.not_signalled += 1,
                Outcome::Drift => s.drift += 1,
            }
            if r.audit_error.is_some() {
                s.audit_errors += 1;
            }
            if r.action == Op::Upgrade {
                s.upgraded.get_or_insert(0);
            }
        }
        s
    }

    pub fn ok(&self) -> usize {
        self.changed + self.upgraded.unwrap_or(0) + self.unchanged + self.would_change
    }

    /// Targets that did not get what was asked, refusals apart.
    pub fn problems(&self) -> usize {
        self.failed + self.skipped + self.unknown + self.not_signalled + self.drift
    }
}

/// The exit code of a write run, for one target as for many:
/// 130 interrupted; 0 when every target is ok (and every audit line was
/// written); 2 when every target was refused (nothing changed); 1 when no
/// target is ok; 3 when some are and some are not.
pub fn verdict(s: &Summary, interrupted: bool) -> u8 {
    if interrupted {
        return EXIT_INTERRUPTED;
    }
    let not_ok = s.problems() + s.refused;
    if not_ok == 0 {
        return if s.audit_errors > 0 {
            EXIT_FAILED
        } else {
            EXIT_OK
        };
    }
    if s.ok() == 0 && s.problems() == 0 {
        return EXIT_USAGE;
    }
    if s.ok() == 0 {
        return EXIT_FAILED;
    }
    EXIT_PARTIAL
}

/// What a write would do, as data: the dry run prints it (and the prompt
/// before a change), `-o json` gives it as the result's `plan` (README, "JSON
/// output"), for change review in CI.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Plan {
    /// The write and its target, one line (`rename node1/acme to acme2`).
    pub summary: String,
    /// What it does, in order, one line each.
    pub steps: Vec<String>,
}

impl Plan {
    pub fn new(summary: impl Into<String>) -> Plan {
        Plan {
            summary: summary.into(),
            steps: Vec::new(),
        }
    }

    /// Adds the next step.
    pub fn step(mut self, step: impl Into<String>) -> Plan {
        self.steps.push(step.into());
        self
    }

    /// `summary:` and one `  - step` line per step: what the dry run and
    /// the prompt print.
    pub fn text(&self) -> String {
        let mut t = self.summary.clone();
        if !self.steps.is_empty() {
            t.push(':');
        }
        for s in &self.steps {
            t.push_str("\n  - ");
            t.push_str(s);
        }
        t
    }

    /// The dry run's sentence: `dry run: would <plan>` and `Nothing changed.`
    pub fn dry_run_text(&self) -> String {
        format!("dry run: would {}\nNothing changed.", self.text())
    }
}

/// The one result type of the write commands: the JSON object of a single
/// command and a row of `bulk` (its fields in order: [`report`]).
#[derive(Debug, Clone)]
pub struct Report {
    /// Line of the `--from` file (bulk).
    pub line: Option<usize>,
    pub node: Option<String>,
    pub tenant: String,
    pub action: Op,
    pub outcome: Outcome,
    /// Users switched off/on (or that would be), 1 for passwd.
    pub users: usize,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub via: Option<Via>,
    pub dry_run: Option<bool>,
    /// Dry runs: what the write would do.
    pub plan: Option<Plan>,
    /// Set when the audit line could not be written.
    pub audit_error: Option<String>,
    /// What the operation adds, one type per operation.
    pub details: Details,
    /// The human sentence (text mode).
    pub message: String,
    /// The database is not an Odoo tenant (selector runs drop it).
    pub not_odoo: bool,
    /// Bulk: when the result came, from the start of the run stage (after
    /// the confirmation), for the per-node summary.
    pub elapsed: Option<std::time::Duration>,
    /// Bulk: index of the job this result is for.
    pub job: Option<usize>,
    /// Work of runs killed outright that this run finished or undid first
    /// (one audit line each, written before the report's own).
    pub recovered: Vec<audit::Recovered>,
}

impl Report {
    pub fn new(target: Option<&Target>, spec: &str, action: Op) -> Report {
        Report {
            line: None,
            node: target.map(|t| t.link.name().to_string()),
            tenant: target
                .map(|t| t.db.clone())
                .unwrap_or_else(|| spec.to_string()),
            action,
            outcome: Outcome::Failed,
            users: 0,
            error: None,
            warnings: vec![],
            via: target.map(|t| t.link.via),
            dry_run: None,
            plan: None,
            audit_error: None,
            details: Details::None,
            message: String::new(),
            not_odoo: false,
            elapsed: None,
            job: None,
            recovered: Vec::new(),
        }
    }

    /// Sets an outcome that carries an error; the message is the error.
    pub fn fail(mut self, outcome: Outcome, error: impl Into<String>) -> Report {
        let e = error.into();
        self.outcome = outcome;
        self.message = e.clone();
        self.error = Some(e);
        self
    }

    /// A dry run's result: would change, with its plan.
    pub fn would(mut self, plan: Plan) -> Report {
        self.outcome = Outcome::WouldChange;
        self.message = plan.dry_run_text();
        self.dry_run = Some(true);
        self.plan = Some(plan);
        self
    }

    pub fn ok(mut self, outcome: Outcome, message: impl Into<String>) -> Report {
        self.outcome = outcome;
        self.message = message.into();
        self
    }
}

/// What a `passwd` run sets.
#[derive(Clone)]
pub enum Secret {
    /// Typed or piped by the operator (single command): the password and,
    /// when it was hashed while connecting, `(rounds, hash)`.
    Given {
        password: Arc<String>,
        hashed: Option<(u32, Arc<String>)>,
    },
    /// Generated per tenant, at least this long (and the tenant's minimum).
    Generate { length: usize },
}

/// The action of a run.
#[derive(Clone)]
pub enum Action {
    /// `layers`: `--layers` as typed, parsed per node against its
    /// `suspend_layers`.
    Suspend {
        layers: Option<String>,
    },
    Reactivate(Restore),
    Passwd {
        login: Option<String>,
        secret: Secret,
        /// bulk: the secrets file; single: the generated password goes to
        /// stdout.
        secrets: Option<Arc<passwd::Secrets>>,
    },
}

impl Action {
    pub fn name(&self) -> Op {
        match self {
            Action::Suspend { .. } => Op::Suspend,
            Action::Reactivate(_) => Op::Reactivate,
            Action::Passwd { .. } => Op::Passwd,
        }
    }
}

/// One target of a run.
pub struct Job {
    /// Line of the --from file, if any.
    pub line: Option<usize>,
    /// What the user typed (or node/db for selector runs).
    pub spec: String,
    pub target: Option<Target>,
    /// Per-tenant reason (suspend).
    pub reason: Option<String>,
    /// Set when the entry failed before execution (unknown name, bad line...).
    pub early: Option<Report>,
    /// A connection opened for planning, reused to run.
    pub conn: Option<Conn>,
}

impl Job {
    /// A job the operation resolves itself (the lifecycle commands).
    pub fn for_spec(spec: String) -> Job {
        Job {
            line: None,
            spec,
            target: None,
            reason: None,
            early: None,
            conn: None,
        }
    }

    pub fn for_target(target: Target, spec: String, reason: Option<String>) -> Job {
        Job {
            line: None,
            spec,
            target: Some(target),
            reason,
            early: None,
            conn: None,
        }
    }
}

/// A selection applied on each tenant's own connection (bulk with --yes).
#[derive(Clone, Copy)]
pub struct Filter {
    pub status: Option<crate::config::StatusFilter>,
    pub from_file: bool,
}

/// A write as the one runner ([`run::run_all`]) sees it, for one target or
/// many: what it runs for each job, and how it audits a result it had to
/// make itself (a job abandoned at the second Ctrl-C).
pub(crate) trait Operation: Send + Sync + 'static {
    /// Which write.
    fn op(&self) -> Op;
    /// A dry run: nothing is changed, nothing audited, Ctrl-C ends at once.
    fn dry_run(&self) -> bool;
    /// The run's Ctrl-C counter, once writes may start.
    fn guard(&self) -> Option<&Guard>;
    /// How many targets may run at once, in input order (1: the operations
    /// that hold two connections of a node at once; `bulk backup`: its
    /// `--concurrency`, as its dumps run outside the connection slots);
    /// None: all, within the connection limits.
    fn at_once(&self) -> Option<usize> {
        None
    }
    /// How many targets of one node may run at once, in input order (`bulk
    /// upgrade`: the node's Odoo runs); None: only [`Operation::at_once`].
    fn per_node(&self, _link: &crate::transport::NodeLink) -> Option<usize> {
        None
    }
    /// Whether its steps are journaled and undone at a Ctrl-C (the
    /// lifecycle commands): the runner then waits for the target in flight
    /// to undo itself instead of abandoning it at the second Ctrl-C.
    fn journaled(&self) -> bool {
        false
    }
    /// Runs (or plans) one job to its audited report; None drops it (a
    /// selector run met a database that is not Odoo's).
    fn run_one(
        self: Arc<Self>,
        job: Job,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Report>> + Send>>;
    /// Writes the audit line of a report the runner made.
    fn audit(&self, r: Report) -> Report;
}

/// What every target of a run shares.
pub struct Run {
    pub transport: Arc<Transport>,
    pub action: Action,
    pub audit: Option<Arc<AuditLog>>,
    pub operator: String,
    pub guard: Option<Guard>,
    pub dry_run: bool,
    pub allow_triggers: bool,
    pub filter: Option<Filter>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(outcomes: &[Outcome]) -> Summary {
        let rs: Vec<Report> = outcomes
            .iter()
            .map(|o| Report::new(None, "t", Op::Suspend).ok(*o, ""))
            .collect();
        Summary::of(&rs)
    }

    #[test]
    fn one_mapping_for_one_and_many() {
        use Outcome::*;
        assert_eq!(verdict(&s(&[Changed]), false), 0);
        assert_eq!(verdict(&s(&[Unchanged, WouldChange]), false), 0);
        assert_eq!(verdict(&s(&[Refused]), false), 2);
        assert_eq!(verdict(&s(&[Refused, Refused]), false), 2);
        assert_eq!(verdict(&s(&[Failed]), false), 1);
        assert_eq!(verdict(&s(&[NotSignalled]), false), 1);
        assert_eq!(verdict(&s(&[Drift]), false), 1);
        assert_eq!(verdict(&s(&[Unknown]), false), 1);
        assert_eq!(verdict(&s(&[Refused, Failed]), false), 1);
        assert_eq!(verdict(&s(&[Changed, NotSignalled]), false), 3);
        assert_eq!(verdict(&s(&[Changed, Refused]), false), 3);
        assert_eq!(verdict(&s(&[Changed, Skipped]), true), 130);
        assert_eq!(verdict(&s(&[]), false), 0);
    }
}
