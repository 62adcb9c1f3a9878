//! The per-tenant write operations after planning and confirmation, shared by
//! the single-tenant commands and `bulk`: run the transaction, send the cache
//! signal after the commit, append the audit line, and describe the outcome.

use crate::audit::{now_rfc3339, AuditLog, Record};
use crate::odoo::keys;
use crate::odoo::signal::{self, Changed};
use crate::odoo::suspension::{self, ReactivateOutcome, Restore, SuspendOutcome};
use crate::odoo::users::{self, PasswdTarget};
use crate::targets::Target;
use crate::transport::Conn;

/// What happened to one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Changed,
    Unchanged,
    /// Refused by a rule (nothing changed): e.g. an old-agent suspension
    /// without a restore policy, a password against the policy.
    Refused,
    Failed,
    /// Not started (Ctrl-C).
    Skipped,
    /// Dry run: would be changed.
    WouldChange,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changed => "changed",
            Outcome::Unchanged => "unchanged",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::WouldChange => "would-change",
        }
    }
}

/// The result of one operation on one tenant.
#[derive(Debug, Clone)]
pub struct Done {
    pub outcome: Outcome,
    /// Users switched off/on (suspend/reactivate), 1 for passwd.
    pub users: usize,
    /// Recorded users that no longer exist (reactivate).
    pub missing: Vec<i64>,
    /// The cache signal sent (or that would be sent).
    pub signal: Option<&'static str>,
    pub error: Option<String>,
    /// Human sentence.
    pub message: String,
    /// For `unchanged` suspensions: since when and why.
    pub suspended_at: Option<String>,
    pub suspended_reason: Option<String>,
    /// The database turned out not to be an Odoo tenant (nothing attempted,
    /// not audited; `bulk` selector runs drop it).
    pub not_odoo: bool,
}

impl Done {
    pub fn failed(error: String) -> Done {
        Done {
            outcome: Outcome::Failed,
            users: 0,
            missing: vec![],
            signal: None,
            message: error.clone(),
            error: Some(error),
            suspended_at: None,
            suspended_reason: None,
            not_odoo: false,
        }
    }

    /// A failure; `not_odoo` set when the error says the database is not Odoo's.
    pub fn from_error(message: String, e: &anyhow::Error) -> Done {
        let mut d = Done::failed(message);
        d.not_odoo = crate::odoo::is_not_odoo(e);
        d
    }

    pub fn new(outcome: Outcome, users: usize, message: String) -> Done {
        Done {
            outcome,
            users,
            missing: vec![],
            signal: None,
            error: None,
            message,
            suspended_at: None,
            suspended_reason: None,
            not_odoo: false,
        }
    }
}

/// Audit context of one operation.
pub struct Audit<'a> {
    pub log: &'a AuditLog,
    pub operator: &'a str,
}

impl Audit<'_> {
    fn write(&self, t: &Target, action: &str, d: &Done, reason: Option<&str>, login: Option<&str>) {
        if d.not_odoo {
            // Not a tenant: nothing was attempted, nothing to record.
            return;
        }
        let rec = Record {
            time: now_rfc3339(),
            operator: self.operator,
            action,
            node: t.link.name(),
            tenant: &t.db,
            outcome: d.outcome.as_str(),
            reason,
            users: (d.outcome == Outcome::Changed).then_some(d.users),
            login,
            error: d.error.clone(),
        };
        if let Err(e) = self.log.append(&rec) {
            eprintln!("tenantctl: {e:#}");
        }
    }
}

/// Suspends (idempotent), signals after the commit, audits.
pub async fn suspend(conn: &mut Conn, t: &Target, reason: &str, audit: &Audit<'_>) -> Done {
    let who = t.display();
    let d = match suspension::suspend(&mut conn.client, reason, audit.operator, &now_rfc3339())
        .await
    {
        Err(e) => Done::from_error(format!("{who}: suspend failed, nothing changed: {e:#}"), &e),
        Ok(SuspendOutcome::AlreadySuspended(st)) => {
            // Repeat the signal: an earlier run may have committed and lost its
            // connection before signalling. It only clears caches.
            let sig = signal::send(&conn.client, st.signals, Changed::UsersAndParams).await;
            let mut d = Done::new(
                Outcome::Unchanged,
                match st.recorded_ids() {
                    Some(Ok(ids)) => ids.len(),
                    _ => 0,
                },
                format!(
                    "{who} is already suspended since {} ({}){}; nothing changed",
                    st.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
                    st.get(keys::SUSPENDED_REASON)
                        .map(|r| format!("reason: {r}"))
                        .unwrap_or_else(|| "no reason recorded".into()),
                    st.get(keys::SUSPENDED_BY)
                        .map(|b| format!(", by {b}"))
                        .unwrap_or_default(),
                ),
            );
            d.suspended_at = st.get(keys::SUSPENDED_AT).map(str::to_string);
            d.suspended_reason = st.get(keys::SUSPENDED_REASON).map(str::to_string);
            d.signal = Some(st.signals.describe(Changed::UsersAndParams));
            if let Err(e) = sig {
                d.error = Some(format!("cache signal: {e:#}"));
            }
            d
        }
        Ok(SuspendOutcome::Changed { user_ids, signals }) => {
            let sig = signal::send(&conn.client, signals, Changed::UsersAndParams).await;
            let mut d = Done::new(
                Outcome::Changed,
                user_ids.len(),
                format!(
                    "suspended {who}: {} users switched off and recorded; cache signal {} sent",
                    user_ids.len(),
                    signals.describe(Changed::UsersAndParams)
                ),
            );
            d.signal = Some(signals.describe(Changed::UsersAndParams));
            if let Err(e) = sig {
                d.error = Some(format!(
                    "suspended, but the cache signal failed: {e:#}; running Odoo workers may still accept cached sessions; rerun to signal again"
                ));
            }
            d
        }
    };
    audit.write(t, "suspend", &d, Some(reason), None);
    d
}

/// The refusal text for a suspension without a usable record of users.
pub fn no_record_message(who: &str, bad: Option<&str>) -> String {
    let why = match bad {
        Some(e) => format!("its record of users ({}) is unreadable: {e}", keys::SUSPENDED_USER_IDS),
        None => format!(
            "it was suspended without a record of which users were active ({} is missing; the old node agent suspended it this way)",
            keys::SUSPENDED_USER_IDS
        ),
    };
    format!(
        "{who}: refusing to reactivate: {why}. To switch on every internal user except __system__, the templates and the public user (users archived on purpose come back too), rerun with --restore-users all-internal. Nothing changed"
    )
}

/// Reactivates (idempotent), signals after the commit, audits.
pub async fn reactivate(conn: &mut Conn, t: &Target, restore: Restore, audit: &Audit<'_>) -> Done {
    let who = t.display();
    let d = match suspension::reactivate(&mut conn.client, restore, audit.operator, &now_rfc3339())
        .await
    {
        Err(e) => Done::from_error(
            format!("{who}: reactivate failed, nothing changed: {e:#}"),
            &e,
        ),
        Ok(ReactivateOutcome::NotSuspended(_)) => Done::new(
            Outcome::Unchanged,
            0,
            format!("{who} is not suspended; nothing changed"),
        ),
        Ok(ReactivateOutcome::NoRecord) => {
            let m = no_record_message(&who, None);
            let mut d = Done::new(Outcome::Refused, 0, m.clone());
            d.error = Some(m);
            d
        }
        Ok(ReactivateOutcome::BadRecord(e)) => {
            let m = no_record_message(&who, Some(&e));
            let mut d = Done::new(Outcome::Refused, 0, m.clone());
            d.error = Some(m);
            d
        }
        Ok(ReactivateOutcome::Changed {
            user_ids,
            missing,
            signals,
            restore,
        }) => {
            let sig = signal::send(&conn.client, signals, Changed::UsersAndParams).await;
            let mut d = Done::new(
                Outcome::Changed,
                user_ids.len(),
                format!(
                    "reactivated {who}: {} users switched on{}; cache signal {} sent",
                    user_ids.len(),
                    if restore == Restore::AllInternal {
                        " (all internal users)"
                    } else {
                        " (exactly those recorded)"
                    },
                    signals.describe(Changed::UsersAndParams)
                ),
            );
            if !missing.is_empty() {
                d.message.push_str(&format!(
                    "; recorded users that no longer exist were skipped: {missing:?}"
                ));
            }
            d.missing = missing;
            d.signal = Some(signals.describe(Changed::UsersAndParams));
            if let Err(e) = sig {
                d.error = Some(format!("reactivated, but the cache signal failed: {e:#}"));
            }
            d
        }
    };
    audit.write(t, "reactivate", &d, None, None);
    d
}

/// Writes an already computed hash, signals after the commit, audits.
pub async fn set_password(
    conn: &mut Conn,
    t: &Target,
    user: &PasswdTarget,
    hash: &str,
    audit: &Audit<'_>,
) -> Done {
    let who = t.display();
    let d = match users::set_password(&mut conn.client, user, hash).await {
        Err(e) => Done::failed(format!("{who}: nothing changed: {e:#}")),
        Ok(()) => {
            let sig = signal::send(&conn.client, user.signals, Changed::Users).await;
            let mut d = Done::new(
                Outcome::Changed,
                1,
                format!(
                    "password of {} (id {}) on {who} changed; cache signal {} sent",
                    user.login,
                    user.id,
                    user.signals.describe(Changed::Users)
                ),
            );
            d.signal = Some(user.signals.describe(Changed::Users));
            if let Err(e) = sig {
                d.error = Some(format!(
                    "password changed, but the cache signal failed: {e:#}; Odoo workers may accept the old password until they restart"
                ));
            }
            d
        }
    };
    audit.write(t, "passwd", &d, None, Some(&user.login));
    d
}

/// Audits a refusal decided before any transaction (policy, unknown login).
pub fn refused(
    t: &Target,
    action: &str,
    message: String,
    login: Option<&str>,
    audit: &Audit<'_>,
) -> Done {
    let mut d = Done::new(Outcome::Refused, 0, message.clone());
    d.error = Some(message);
    audit.write(t, action, &d, None, login);
    d
}
