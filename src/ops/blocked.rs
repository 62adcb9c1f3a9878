//! The `connections` suspension layer in the pipeline: blocking the tenant's
//! database on the node's maintenance database after the suspension's
//! transaction committed, and reaching a blocked tenant again (reactivate
//! unblocks it first; suspend reports it unchanged).

use super::{Action, Outcome, Report, Run};
use crate::audit::now_rfc3339;
use crate::odoo::layers::{self, Blocked};
use crate::output::esc;
use crate::targets::Target;
use crate::transport::Conn;

/// What to do after a failed connection to the tenant.
pub enum Next {
    Done(Report),
    /// Unblocked: go on with this connection to the tenant.
    Run(Box<Conn>, Report),
}

async fn maint(t: &Target, run: &Run) -> anyhow::Result<Conn> {
    t.link
        .connect(&t.link.node.maintenance_db, &run.transport)
        .await
}

/// The maintenance connection for blocking, when the role may alter the
/// database (owner, member of the owner's role, or superuser).
pub async fn can_block(t: &Target, run: &Run) -> Result<Conn, String> {
    let m = maint(t, run).await.map_err(|e| {
        format!(
            "the connections layer needs the node's maintenance database: {e:#}; nothing changed"
        )
    })?;
    let st = layers::db_state(&m.client, &t.db, m.deadline)
        .await
        .map_err(|e| format!("{e:#}; nothing changed"))?;
    if !st.can_alter {
        return Err(format!(
            "the connections layer needs the right to alter database {:?} (its owner {:?}, a member of that role, or a superuser); grant it with `GRANT {} TO {}`, or suspend without it (--layers users,crons,mail). Nothing changed",
            esc(&t.db),
            esc(&st.owner),
            postgres_protocol::escape::escape_identifier(&st.owner),
            postgres_protocol::escape::escape_identifier(&t.link.node.user),
        ));
    }
    Ok(m)
}

/// Blocks the database once the other layers committed.
pub async fn block_after(
    maint: &Conn,
    t: &Target,
    run: &Run,
    reason: &str,
    mut r: Report,
) -> Report {
    if !matches!(
        r.outcome,
        Outcome::Changed | Outcome::Unchanged | Outcome::NotSignalled | Outcome::Drift
    ) {
        return r;
    }
    let who = t.display();
    let st = match layers::db_state(&maint.client, &t.db, maint.deadline).await {
        Ok(s) => s,
        Err(e) => return blocking_failed(r, &who, e),
    };
    let ours = st.comment.as_deref().and_then(Blocked::parse);
    if !st.allow_connections && ours.is_some() {
        return r;
    }
    let rec = Blocked {
        tenantctl: "suspended".into(),
        reason: Some(reason.to_string()),
        at: Some(now_rfc3339()),
        by: Some(run.operator.clone()),
        previous_comment: match ours {
            Some(o) => o.previous_comment,
            None => st.comment,
        },
    };
    match layers::block(&maint.client, &t.db, &rec, maint.deadline).await {
        Ok(ended) => {
            r.details.connections_switched(r.action);
            if r.outcome == Outcome::Unchanged {
                r.outcome = Outcome::Changed;
            }
            r.message.push_str(&format!(
                "; the database no longer accepts connections ({})",
                match ended {
                    0 => "no client was connected".to_string(),
                    n => format!("{} ended", crate::output::count(n, "session", "sessions")),
                }
            ));
            r
        }
        Err(e) => blocking_failed(r, &who, e),
    }
}

fn blocking_failed(r: Report, who: &str, e: anyhow::Error) -> Report {
    let m = format!(
        "{}; but blocking the database's connections failed: {e:#}; users, jobs and mail stay switched off; rerun to block",
        r.message
    );
    let _ = who;
    r.fail(Outcome::Drift, m)
}

/// A tenant that refused the connection may be one tenantctl blocked: read
/// its record from the node's catalog.
pub async fn on_connect_failure(t: &Target, run: &Run, base: Report, e: anyhow::Error) -> Next {
    let who = t.display();
    if let Some(r) = crate::error::refusal_in(&e) {
        return Next::Done(base.fail(Outcome::Refused, format!("{who}: {r}")));
    }
    let failed = |base: Report, extra: &str| {
        Next::Done(base.fail(
            Outcome::Failed,
            format!("{who}: connect: {e:#}{extra}; nothing changed"),
        ))
    };
    if !matches!(run.action, Action::Suspend { .. } | Action::Reactivate(_)) {
        return failed(base, "");
    }
    let Ok(m) = maint(t, run).await else {
        return failed(base, "");
    };
    let Ok(st) = layers::db_state(&m.client, &t.db, m.deadline).await else {
        return failed(base, "");
    };
    if st.allow_connections {
        return failed(base, "");
    }
    let Some(rec) = st.comment.as_deref().and_then(Blocked::parse) else {
        return failed(
            base,
            " (the database does not accept connections and has no tenantctl record: someone else blocked it)",
        );
    };
    let since = rec.at.clone().unwrap_or_else(|| "an unknown time".into());
    match &run.action {
        Action::Suspend { .. } => {
            let mut r = base.ok(
                Outcome::Unchanged,
                format!(
                    "{who} is already suspended and blocked since {since} ({}); nothing changed",
                    esc(rec.reason.as_deref().unwrap_or("no reason recorded"))
                ),
            );
            let d = r.details.suspend();
            d.suspended_at = rec.at.clone();
            d.suspended_reason = rec.reason.clone();
            Next::Done(r)
        }
        Action::Reactivate(_) if run.dry_run => {
            let mut r = base.would(
                super::Plan::new(format!("reactivate {who}"))
                    .step(format!("allow connections again (blocked since {since})"))
                    .step("then restore its recorded layers"),
            );
            r.dry_run = Some(true);
            r.details.reactivate().layers = Some(super::LayerCounts {
                connections: true,
                ..Default::default()
            });
            Next::Done(r)
        }
        Action::Reactivate(_) => {
            if !st.can_alter {
                return Next::Done(base.fail(
                    Outcome::Refused,
                    format!(
                        "{who} is blocked (connections layer) and this role may not alter the database (owner {:?}); grant it with `GRANT {} TO {}`. Nothing changed",
                        esc(&st.owner),
                        postgres_protocol::escape::escape_identifier(&st.owner),
                        postgres_protocol::escape::escape_identifier(&t.link.node.user),
                    ),
                ));
            }
            // Connections first: the other layers are restored through the
            // tenant's own connection.
            if let Err(e) = layers::unblock(&m.client, &t.db, Some(&rec), m.deadline).await {
                return Next::Done(
                    base.fail(Outcome::Failed, format!("{who}: {e:#}; nothing changed")),
                );
            }
            match t.link.connect(&t.db, &run.transport).await {
                Ok(c) => Next::Run(Box::new(c), base),
                Err(e) => Next::Done(base.fail(
                    Outcome::Drift,
                    format!("{who}: connections are allowed again, but connecting failed: {e:#}; the users, jobs and mail are still switched off: rerun reactivate"),
                )),
            }
        }
        Action::Passwd { .. } => failed(base, ""),
    }
}
