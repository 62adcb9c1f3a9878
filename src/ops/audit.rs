//! The one audit writer of the pipeline: every write's result, for one
//! target or many, becomes one line of the audit log ([`crate::audit`] holds
//! the file format). A line that cannot be written is kept in the result
//! (`audit_error`) and makes the run exit non-zero (see [`super::verdict`]).

use super::Report;
use crate::audit::{now_rfc3339, AuditLog, Record};

/// Appends the line of `r` by `operator`, with `reason` (a suspension's
/// reason, a backup's checksum and file). Users are counted for the writes
/// into `res_users` when something was (or may have been) committed.
pub(crate) fn write(log: &AuditLog, operator: &str, r: &mut Report, reason: Option<&str>) {
    let rec = Record {
        time: now_rfc3339(),
        operator,
        action: r.action.as_str(),
        node: r.node.as_deref().unwrap_or("-"),
        tenant: &r.tenant,
        outcome: r.outcome.as_str(),
        reason,
        users: (r.action.counts_users() && r.outcome.committed()).then_some(r.users),
        login: r.details.login(),
        error: r.error.clone(),
    };
    if let Err(e) = log.append(&rec) {
        r.audit_error = Some(format!("{e:#}"));
    }
}
