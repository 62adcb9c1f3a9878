//! The plan stage: what a write would do to one target, read-only (dry
//! runs): the same refusals as a real run, the privileges it needs, and the
//! users it would switch.

use super::exec;
use super::passwd as pw;
use super::{Action, Outcome, Plan, Report, Run};
use crate::odoo::guard;
use crate::odoo::keys;
use crate::odoo::layers::LayerSet;
use crate::odoo::privileges::{self, Write};
use crate::odoo::signal::Changed;
use crate::odoo::suspension::{self, ReactivatePlan, Restore};
use crate::odoo::users;
use crate::output::{count, esc};
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
            let e = exec::name_lock_holder(conn, e).await;
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
    r.details.set_signal(r.action, st.signals.describe(changed));
    if !run.allow_triggers {
        match guard::findings(&conn.client, &st.signals.touched(base_tables)).await {
            Ok(f) if !f.is_empty() => {
                return r.fail(
                    Outcome::Refused,
                    format!("dry run: {who}: would be refused: {}", guard::refusal(&f)),
                )
            }
            Ok(_) => {}
            Err(e) => {
                let e = exec::name_lock_holder(conn, e).await;
                return r.fail(Outcome::Failed, format!("{who}: {e:#}"));
            }
        }
    }
    let tables = crate::odoo::layers::tables(&conn.client, conn.deadline)
        .await
        .ok();
    match privileges::probe(&conn.client, write, st.signals, tables.as_ref()).await {
        Ok(None) => {}
        Ok(Some(why)) => {
            return r.fail(
                Outcome::Failed,
                format!("dry run: {who}: would fail: {why}; nothing changed"),
            )
        }
        Err(e) => {
            let e = exec::name_lock_holder(conn, e).await;
            return r.fail(Outcome::Failed, format!("{who}: {e:#}"));
        }
    }
    // The real run takes the tenant lock: say who holds it now, if anyone
    // (the dry run itself only reads and does not wait for it).
    if let Ok(h) = crate::odoo::lock_holders(&conn.client, conn.deadline).await {
        if !h.is_empty() {
            r.warnings.push(format!(
                "the tenant lock is held by {}; the real run waits for it at most the node's statement_timeout",
                h.join("; ")
            ));
        }
    }
    match &run.action {
        Action::Suspend { layers } => {
            let layers = match exec::layers_for(t, layers.as_deref()) {
                Ok(l) => l,
                Err(e) => return r.fail(Outcome::Refused, format!("dry run: {who}: {e}")),
            };
            if layers.connections {
                if let Err(m) = super::blocked::can_block(t, run).await {
                    return r.fail(Outcome::Refused, format!("dry run: {who}: {m}"));
                }
            }
            plan_suspend(conn, &who, &st, layers, r).await
        }
        Action::Reactivate(restore) => plan_reactivate(conn, &who, &st, *restore, r).await,
        Action::Passwd { login, .. } => plan_passwd(conn, t, &who, login.as_deref(), r).await,
    }
}

/// What a passwd would do: the same refusals as a real run, the user and
/// the hash.
async fn plan_passwd(
    conn: &Conn,
    t: &Target,
    who: &str,
    login: Option<&str>,
    mut r: Report,
) -> Report {
    match users::passwd_target(&conn.client, login).await {
        Err(e) => failed(conn, who, r, e).await,
        Ok(u) => {
            if let Some(m) = pw::refusal_for(u.as_ref(), login, who) {
                return r.fail(Outcome::Refused, format!("dry run: {m}"));
            }
            match crate::odoo::argon2_guard::refusal(&conn.client, t.link.node.password_scheme)
                .await
            {
                Ok(None) => {}
                Ok(Some(m)) => return r.fail(Outcome::Refused, format!("dry run: {who}: {m}")),
                Err(e) => return failed(conn, who, r, e).await,
            }
            let u = u.expect("refusal_for refuses a missing user");
            r.details.passwd().login = Some(u.login.clone());
            r.users = 1;
            r.warnings
                .extend(pw::passwd_notes(&u, t.link.node.password_scheme));
            let rounds = pw::rounds_of(&u);
            r.would(
                Plan::new(format!(
                    "set the password of {} (id {}) on {who}",
                    esc(&u.login),
                    u.id
                ))
                .step(format!("hash it with pbkdf2-sha512, {rounds} rounds"))
                .step(format!(
                    "then signal {}",
                    u.signals.describe(Changed::Users)
                )),
            )
        }
    }
}

async fn plan_suspend(
    conn: &Conn,
    who: &str,
    st: &suspension::State,
    layers: LayerSet,
    r: Report,
) -> Report {
    let users = match suspension::users_to_suspend(&conn.client).await {
        Ok(u) => u,
        Err(e) => return failed(conn, who, r, e).await,
    };
    let a = match active(conn, st, layers).await {
        Ok(x) => x,
        Err(e) => return failed(conn, who, r, e).await,
    };
    let (crons, mail, adds_standin) = (a.crons, a.mail, a.adds_standin);
    if st.suspended()
        && users.is_empty()
        && crons == 0
        && mail == 0
        && !adds_standin
        && !layers.connections
    {
        let mut r = r.ok(
            Outcome::Unchanged,
            format!(
                "dry run: {who} is already suspended since {} ({}) and nothing of its layers is active; nothing would change",
                st.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
                esc(st.get(keys::SUSPENDED_REASON).unwrap_or("no reason recorded"))
            ),
        );
        let d = r.details.suspend();
        d.suspended_at = st.get(keys::SUSPENDED_AT).map(str::to_string);
        d.suspended_reason = st.get(keys::SUSPENDED_REASON).map(str::to_string);
        return r;
    }
    let (plan, skipped) = suspend_plan(who, st, layers, &users, &a);
    let mut r = r.would(plan);
    r.users = users.len();
    r.details.suspend().layers = Some(super::LayerCounts {
        users: users.len(),
        portal_users: users.iter().filter(|u| u.portal).count(),
        crons,
        mail,
        standin: adds_standin,
        connections: layers.connections,
        requeued: None,
        skipped,
    });
    if !layers.connections {
        r.warnings.extend(
            exec::xmlrpc_warning(
                st.version
                    .as_deref()
                    .and_then(crate::odoo::major_from_version),
                "full access",
            )
            .map(|w| format!("{w}; add --layers +connections to block the database")),
        );
    }
    r
}

/// What of a suspend's layers is active in the tenant.
struct Active {
    tables: crate::odoo::layers::Tables,
    /// Active jobs and mail servers the suspend would switch off (0 for a
    /// layer not asked for or without its tables).
    crons: usize,
    mail: usize,
    /// Whether the suspend would add the stand-in mail server.
    adds_standin: bool,
}

/// Reads what of `layers` is active, as the real run decides it.
async fn active(conn: &Conn, st: &suspension::State, layers: LayerSet) -> anyhow::Result<Active> {
    // What the real run decides from (suspension::suspend): what is active
    // but the recorded stand-in, and whether a stand-in must be added (none
    // recorded, or the recorded one is gone or off).
    let standin = st.suspended().then(|| st.mail_record().standin).flatten();
    let (tables, (crons, mail), standin_ok) = async {
        let d = conn.deadline;
        let t = crate::odoo::layers::tables(&conn.client, d).await?;
        let c = crate::odoo::layers::active_counts(&conn.client, &t, standin, d).await?;
        let ok = match standin {
            Some(id) if t.ir_mail_server => {
                crate::odoo::layers::standin_active(&conn.client, id, d).await?
            }
            _ => false,
        };
        anyhow::Ok((t, c, ok))
    }
    .await?;
    let crons = if layers.crons && tables.ir_cron {
        crons
    } else {
        0
    };
    let mail_applies = layers.mail && (tables.ir_mail_server || tables.fetchmail_server);
    let mail = if mail_applies { mail } else { 0 };
    let adds_standin = mail_applies && tables.ir_mail_server && !standin_ok;
    Ok(Active {
        tables,
        crons,
        mail,
        adds_standin,
    })
}

/// The plan of a suspend, and the layers it skips for want of their tables.
fn suspend_plan(
    who: &str,
    st: &suspension::State,
    layers: LayerSet,
    users: &[suspension::UserRef],
    a: &Active,
) -> (Plan, Vec<&'static str>) {
    let (tables, crons, mail, adds_standin) = (&a.tables, a.crons, a.mail, a.adds_standin);
    let mut plan = Plan::new(format!(
        "suspend {who} (layers {})",
        layers.names().join(", ")
    ));
    plan = plan.step(format!(
        "users: switch off {} (id 1 excluded){}",
        count(users.len(), "active user", "active users"),
        if st.suspended() {
            " and merge them into the existing record"
        } else {
            ""
        }
    ));
    for u in users {
        plan = plan.step(format!("user {} (id {})", esc(&u.login), u.id));
    }
    let mut skipped = Vec::new();
    if layers.crons {
        plan = plan.step(if tables.ir_cron {
            format!(
                "crons: switch off {} (ir_cron)",
                count(crons, "active scheduled job", "active scheduled jobs")
            )
        } else {
            skipped.push("crons");
            "crons: skipped, the tenant has no ir_cron table".into()
        });
    }
    if layers.mail {
        plan = plan.step(if tables.ir_mail_server || tables.fetchmail_server {
            format!(
                "mail: switch off {}{}",
                count(mail, "active mail/fetchmail server", "active mail/fetchmail servers"),
                if adds_standin {
                    " and add an active stand-in server (host `invalid`) so nothing is sent, not even through Odoo's configuration-file SMTP fallback"
                } else {
                    "; tenantctl's stand-in server (host `invalid`) is in place"
                }
            )
        } else {
            skipped.push("mail");
            "mail: skipped, the tenant has no ir_mail_server/fetchmail_server table".into()
        });
    }
    if layers.connections {
        plan = plan.step(
            "connections: then ALTER DATABASE ... ALLOW_CONNECTIONS false and end its sessions",
        );
    }
    plan = plan.step(format!(
        "write ICP {}='true', {}, {}, {}, {} (the user ids above) and the layer records; then signal {}",
        keys::SUSPENDED,
        keys::SUSPENDED_REASON,
        keys::SUSPENDED_AT,
        keys::SUSPENDED_BY,
        keys::SUSPENDED_USER_IDS,
        st.signals.describe(Changed::UsersAndParams)
    ));
    (plan, skipped)
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
        Err(e) => failed(conn, who, r, e).await,
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
            let mut plan = Plan::new(format!("reactivate {who}")).step(format!(
                "users: switch on {} ({})",
                count(users.len(), "user", "users"),
                if restore == Restore::AllInternal {
                    "every internal user but __system__, templates and public"
                } else {
                    "exactly those recorded at suspension"
                }
            ));
            for u in &users {
                plan = plan.step(format!("user {} (id {})", esc(&u.login), u.id));
            }
            if !missing.is_empty() {
                plan = plan.step(format!(
                    "recorded ids that are not users of the tenant (ignored): {missing:?}"
                ));
            }
            if !excluded.is_empty() {
                plan = plan.step(format!(
                    "recorded ids never switched on (__system__, templates, public user): {excluded:?}"
                ));
            }
            plan = plan.step(format!(
                "write ICP {}='false', {}, {}, delete {}; then signal {}",
                keys::SUSPENDED,
                keys::REACTIVATED_AT,
                keys::REACTIVATED_BY,
                keys::SUSPENDED_USER_IDS,
                st.signals.describe(Changed::UsersAndParams)
            ));
            let (plan, layers) = match reactivate_layers(conn, st, plan, &users).await {
                Ok(x) => x,
                Err(e) => return failed(conn, who, r, e).await,
            };
            let mut r = r.would(plan);
            r.users = users.len();
            let d = r.details.reactivate();
            d.layers = Some(layers);
            d.missing_users = Some(missing);
            d.excluded_users = Some(excluded);
            r
        }
    }
}

/// The recorded layers a reactivation would switch on (as the real run
/// counts them: jobs and servers still there and off, failed mail since
/// the suspension), as plan steps and counts.
async fn reactivate_layers(
    conn: &Conn,
    st: &suspension::State,
    mut plan: Plan,
    users: &[suspension::UserRef],
) -> anyhow::Result<(Plan, super::LayerCounts)> {
    let recorded = st.layers();
    let d = conn.deadline;
    let t = crate::odoo::layers::tables(&conn.client, d).await?;
    let cron_ids = if recorded.crons {
        st.ids(keys::SUSPENDED_CRON_IDS)
    } else {
        vec![]
    };
    let rec = recorded.mail.then(|| st.mail_record());
    let (crons, mail, requeued) =
        crate::odoo::layers::would_switch_on(&conn.client, &t, &cron_ids, rec.as_ref(), d).await?;
    if recorded.crons {
        plan = plan.step(format!(
            "scheduled jobs: switch on {} of the {} recorded",
            count(crons, "job", "jobs"),
            cron_ids.len()
        ));
    }
    if let Some(rec) = &rec {
        plan = plan.step(format!(
            "mail: switch on {}{}, requeue {} that failed while suspended",
            count(mail, "server", "servers"),
            if rec.standin.is_some() {
                ", remove tenantctl's stand-in server"
            } else {
                ""
            },
            count(requeued, "mail", "mails")
        ));
    }
    let counts = super::LayerCounts {
        users: users.len(),
        portal_users: users.iter().filter(|u| u.portal).count(),
        crons,
        mail,
        standin: false,
        connections: false,
        requeued: Some(requeued),
        skipped: vec![],
    };
    Ok((plan, counts))
}

/// A plan that could not be made: the error, naming who holds the locks a
/// statement that ran out of time waited for.
async fn failed(conn: &Conn, who: &str, r: Report, e: anyhow::Error) -> Report {
    let e = exec::name_lock_holder(conn, e).await;
    r.fail(Outcome::Failed, format!("{who}: {e:#}"))
}
