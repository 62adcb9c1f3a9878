//! `tenantctl suspend` and `tenantctl reactivate` for one tenant.

use anyhow::anyhow;

use super::ops::{self, Audit, Done, Outcome};
use super::{confirm, fail, Ctx, WriteResult};
use crate::audit::operator;
use crate::config::{Output, ReactivateOpts, SuspendOpts};
use crate::error::{Error, Result, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::interrupt::Guard;
use crate::odoo::keys;
use crate::odoo::signal::Changed;
use crate::odoo::suspension::{self, ReactivatePlan, Restore};
use crate::output::{out, out_json};
use crate::targets::Target;

/// Most characters in a suspension reason.
pub const MAX_REASON: usize = 500;

/// 1..500 characters of any Unicode; newlines and tabs are kept verbatim,
/// other control characters are refused (they garble terminals and logs).
pub fn check_reason(reason: &str) -> std::result::Result<(), String> {
    if reason.trim().is_empty() {
        return Err("the reason is empty; say why the tenant is suspended".into());
    }
    let n = reason.chars().count();
    if n > MAX_REASON {
        return Err(format!(
            "the reason has {n} characters; at most {MAX_REASON}"
        ));
    }
    if let Some(c) = reason
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(format!(
            "the reason contains the control character U+{:04X}",
            c as u32
        ));
    }
    Ok(())
}

/// Prints a single-tenant result and maps it to the exit code.
fn report(ctx: &Ctx, mut res: WriteResult, d: &Done, guard: Option<&Guard>) -> Result<u8> {
    res.outcome = match d.outcome {
        Outcome::Changed => "changed",
        Outcome::Unchanged | Outcome::Skipped | Outcome::WouldChange => "unchanged",
        Outcome::Refused | Outcome::Failed => "failed",
    };
    res.users = d.users;
    res.signal = d.signal;
    res.error = d.error.clone();
    if !d.missing.is_empty() || res.action == "reactivate" {
        res.missing_users = Some(d.missing.clone());
    }
    res.suspended_at = d.suspended_at.clone();
    res.suspended_reason = d.suspended_reason.clone();
    match d.outcome {
        Outcome::Refused => {
            if ctx.printer.format == Output::Json {
                out_json(&res);
            }
            return Err(Error::usage(anyhow!("{}", d.message)));
        }
        Outcome::Failed => {
            if ctx.printer.format == Output::Json {
                out_json(&res);
            }
            return Err(Error::failed(anyhow!("{}", d.message)));
        }
        _ => {}
    }
    match ctx.printer.format {
        Output::Json => out_json(&res),
        _ => out(&d.message),
    }
    if let Some(e) = &d.error {
        ctx.printer.error(format!("{}: {e}", res.node));
    }
    Ok(if guard.is_some_and(Guard::interrupted) {
        EXIT_INTERRUPTED
    } else {
        EXIT_OK
    })
}

/// Resolves and connects, printing the JSON failure object when that fails.
async fn open(
    ctx: &Ctx,
    spec: &str,
    action: &'static str,
) -> Result<(Target, crate::transport::Conn, WriteResult)> {
    let target = ctx.resolve(spec).await?;
    let mut res = WriteResult::new(&target, action);
    match target.link.connect(&target.db, &ctx.transport).await {
        Ok(c) => Ok((target, c, res)),
        Err(e) => {
            let who = target.display();
            Err(fail(
                ctx,
                &mut res,
                Error::failed(e.context(format!("{who}: connect"))),
            ))
        }
    }
}

pub async fn suspend(ctx: &Ctx, o: &SuspendOpts) -> Result<u8> {
    check_reason(&o.reason).map_err(|e| Error::usage(anyhow!("--reason: {e}")))?;
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let (target, mut conn, mut res) = open(ctx, &o.tenant, "suspend").await?;
    let who = target.display();
    let state = match suspension::state(&conn.client).await {
        Ok(s) => s,
        Err(e) => return Err(fail(ctx, &mut res, Error::failed(e.context(who)))),
    };
    let by = operator();
    let users = if state.suspended() {
        vec![]
    } else {
        match suspension::users_to_suspend(&conn.client).await {
            Ok(u) => u,
            Err(e) => return Err(fail(ctx, &mut res, Error::failed(e.context(who)))),
        }
    };
    if o.dry_run {
        res.dry_run = Some(true);
        let d = if state.suspended() {
            Done::new(
                Outcome::Unchanged,
                0,
                format!(
                    "dry run: {who} is already suspended since {} ({}); nothing would change",
                    state.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
                    state
                        .get(keys::SUSPENDED_REASON)
                        .unwrap_or("no reason recorded")
                ),
            )
        } else {
            let mut text = format!(
                "dry run: would suspend {who}: switch off {} active users (id 1 excluded):\n",
                users.len()
            );
            for u in &users {
                text.push_str(&format!("  - {} (id {})\n", u.login, u.id));
            }
            text.push_str(&format!(
                "and write ICP {}='true', {}, {}, {}, {} (the ids above); then signal {}. Nothing changed.",
                keys::SUSPENDED,
                keys::SUSPENDED_REASON,
                keys::SUSPENDED_AT,
                keys::SUSPENDED_BY,
                keys::SUSPENDED_USER_IDS,
                state.signals.describe(Changed::UsersAndParams)
            ));
            let mut d = Done::new(Outcome::Unchanged, users.len(), text);
            d.signal = Some(state.signals.describe(Changed::UsersAndParams));
            d
        };
        return report(ctx, res, &d, None);
    }
    if !state.suspended()
        && !o.yes
        && !confirm(&format!(
            "Suspend {who}: switch off {} active users and record them?",
            users.len()
        ))?
    {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let log = log.expect("audit log is open when not a dry run");
    let guard = Guard::install();
    let d = ops::suspend(
        &mut conn,
        &target,
        &o.reason,
        &Audit {
            log: &log,
            operator: &by,
        },
    )
    .await;
    report(ctx, res, &d, Some(&guard))
}

pub async fn reactivate(ctx: &Ctx, o: &ReactivateOpts) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let (target, mut conn, mut res) = open(ctx, &o.tenant, "reactivate").await?;
    let who = target.display();
    let state = match suspension::state(&conn.client).await {
        Ok(s) => s,
        Err(e) => return Err(fail(ctx, &mut res, Error::failed(e.context(who)))),
    };
    let by = operator();
    let restore = if o.all_internal {
        Restore::AllInternal
    } else {
        Restore::Recorded
    };
    let plan = if state.suspended() {
        match suspension::users_to_reactivate(&conn.client, &state, restore).await {
            Ok(p) => Some(p),
            Err(e) => return Err(fail(ctx, &mut res, Error::failed(e.context(who)))),
        }
    } else {
        None
    };
    let users = match &plan {
        None => vec![],
        Some(ReactivatePlan::Users { users, missing }) => {
            res.missing_users = Some(missing.clone());
            users.clone()
        }
        Some(ReactivatePlan::NoRecord) | Some(ReactivatePlan::BadRecord(_)) => {
            let bad = match &plan {
                Some(ReactivatePlan::BadRecord(e)) => Some(e.as_str()),
                _ => None,
            };
            let msg = ops::no_record_message(&who, bad);
            let d = match &log {
                Some(log) => ops::refused(
                    &target,
                    "reactivate",
                    msg,
                    None,
                    &Audit { log, operator: &by },
                ),
                None => {
                    let mut d = Done::new(Outcome::Refused, 0, msg.clone());
                    d.error = Some(msg);
                    d
                }
            };
            return report(ctx, res, &d, None);
        }
    };
    if o.dry_run {
        res.dry_run = Some(true);
        let text = if plan.is_none() {
            format!("dry run: {who} is not suspended; nothing would change")
        } else {
            let mut text = format!(
                "dry run: would reactivate {who}: switch on {} users ({}):\n",
                users.len(),
                if o.all_internal {
                    "every internal user but __system__, templates and public"
                } else {
                    "exactly those recorded at suspension"
                }
            );
            for u in &users {
                text.push_str(&format!("  + {} (id {})\n", u.login, u.id));
            }
            if let Some(missing) = res.missing_users.as_ref().filter(|m| !m.is_empty()) {
                text.push_str(&format!(
                    "recorded users that no longer exist (skipped): {missing:?}\n"
                ));
            }
            text.push_str(&format!(
                "and write ICP {}='false', {}, {}, delete {}; then signal {}. Nothing changed.",
                keys::SUSPENDED,
                keys::REACTIVATED_AT,
                keys::REACTIVATED_BY,
                keys::SUSPENDED_USER_IDS,
                state.signals.describe(Changed::UsersAndParams)
            ));
            text
        };
        let mut d = Done::new(Outcome::Unchanged, users.len(), text);
        d.signal = Some(state.signals.describe(Changed::UsersAndParams));
        return report(ctx, res, &d, None);
    }
    if plan.is_some()
        && !o.yes
        && !confirm(&format!(
            "Reactivate {who}: switch on {} users?",
            users.len()
        ))?
    {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let log = log.expect("audit log is open when not a dry run");
    let guard = Guard::install();
    let d = ops::reactivate(
        &mut conn,
        &target,
        restore,
        &Audit {
            log: &log,
            operator: &by,
        },
    )
    .await;
    report(ctx, res, &d, Some(&guard))
}
