//! The one audit writer of the pipeline: every write's result, for one
//! target or many, becomes one line of the audit log ([`crate::audit`] holds
//! the file format). A line that cannot be written is kept in the result
//! (`audit_error`) and makes the run exit non-zero (see [`super::verdict`]).

use super::Report;
use crate::audit::{now_rfc3339, AuditLog, Record};

/// The action of the audit lines of [`Recovered`] work.
pub(crate) const RECOVER: &str = "recover";

/// A piece of work that a run killed outright (`kill -9`, a crash) left,
/// finished or undone by a later lifecycle command on the node: one audit
/// line (action `recover`, `by` that command).
#[derive(Debug, Clone)]
pub(crate) struct Recovered {
    pub node: String,
    /// The tenant (or staging database, loader role) the work was on.
    pub tenant: String,
    /// What was found and what was done, as the warning says it.
    pub reason: String,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
}

/// Appends the line of `r` by `operator`, with `reason` (a suspension's
/// reason, a backup's checksum and file). Users are counted for the writes
/// into `res_users` when something was (or may have been) committed. The
/// lines of the work of killed runs that `r`'s run finished or undid first
/// ([`Report::recovered`]) come before it.
pub(crate) fn write(log: &AuditLog, operator: &str, r: &mut Report, reason: Option<&str>) {
    write_recovered(log, operator, r);
    let rec = Record {
        time: now_rfc3339(),
        operator,
        action: r.action.as_str(),
        node: r.node.as_deref().unwrap_or("-"),
        tenant: &r.tenant,
        outcome: r.outcome.as_str(),
        by: None,
        reason,
        users: (r.action.counts_users() && r.outcome.committed()).then_some(r.users),
        login: r.details.login(),
        error: r.error.clone(),
    };
    if let Err(e) = log.append(&rec) {
        r.audit_error = Some(format!("{e:#}"));
    }
}

/// Appends (once) the lines of the killed runs' work that `r`'s run
/// finished or undid: `changed`, or `failed` with the cause.
pub(crate) fn write_recovered(log: &AuditLog, operator: &str, r: &mut Report) {
    for w in std::mem::take(&mut r.recovered) {
        let rec = Record {
            time: now_rfc3339(),
            operator,
            action: RECOVER,
            node: &w.node,
            tenant: &w.tenant,
            outcome: if w.error.is_some() {
                "failed"
            } else {
                "changed"
            },
            by: Some(r.action.as_str()),
            reason: Some(&w.reason),
            users: None,
            login: None,
            error: w.error,
        };
        if let Err(e) = log.append(&rec) {
            r.audit_error = Some(format!("{e:#}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Op, Outcome};

    /// The lines of a run that finished a killed run's work: the `recover`
    /// lines first (`changed`, `failed` with its error), `by` the command,
    /// then the run's own; written once.
    #[test]
    fn recovered_work_gets_its_own_lines_before_the_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        let mut r = Report::new(None, "acme", Op::Drop).ok(Outcome::Changed, "dropped");
        r.node = Some("n1".into());
        for (tenant, error) in [
            ("old", None),
            ("other", Some("connection lost".to_string())),
        ] {
            r.recovered.push(Recovered {
                node: "n1".into(),
                tenant: tenant.into(),
                reason: format!("undid the upgrade of {tenant} (pid 7 on h, started t)"),
                error,
            });
        }
        write(&log, "ops@h", &mut r, None);
        write(&log, "ops@h", &mut r, None);
        let read = crate::audit::read(&path).unwrap();
        let lines: Vec<(&str, &str, &str, Option<&str>)> = read
            .entries
            .iter()
            .map(|e| {
                (
                    e.action.as_str(),
                    e.tenant.as_str(),
                    e.outcome.as_str(),
                    e.by.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("recover", "old", "changed", Some("drop")),
                ("recover", "other", "failed", Some("drop")),
                ("drop", "acme", "changed", None),
                ("drop", "acme", "changed", None),
            ]
        );
        assert_eq!(read.entries[1].error.as_deref(), Some("connection lost"));
        assert!(r.audit_error.is_none());
    }
}
