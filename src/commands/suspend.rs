//! `tenantctl suspend` and `tenantctl reactivate`.

use anyhow::anyhow;

use super::{audit, confirm, Ctx, WriteResult};
use crate::audit::{now_rfc3339, operator, Record};
use crate::config::{Output, ReactivateOpts, SuspendOpts};
use crate::error::{Error, Result, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::interrupt::Guard;
use crate::odoo::keys;
use crate::odoo::signal::{self, Changed};
use crate::odoo::suspension::{self, ReactivateOutcome, ReactivatePlan, Restore, SuspendOutcome};
use crate::output::{out, out_json};

/// Most characters in a suspension reason.
pub const MAX_REASON: usize = 500;

/// 1..500 characters of any Unicode; newlines and tabs are kept verbatim,
/// other control characters are refused (they garble terminals and logs).
pub fn check_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::usage(anyhow!(
            "--reason is empty; say why the tenant is suspended"
        )));
    }
    let n = reason.chars().count();
    if n > MAX_REASON {
        return Err(Error::usage(anyhow!(
            "--reason has {n} characters; at most {MAX_REASON}"
        )));
    }
    if let Some(c) = reason
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(Error::usage(anyhow!(
            "--reason contains the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(())
}

fn finish(ctx: &Ctx, res: &WriteResult, text: String, guard: Option<&Guard>) -> u8 {
    match ctx.printer.format {
        Output::Json => out_json(res),
        _ => out(&text),
    }
    if guard.is_some_and(Guard::interrupted) {
        return EXIT_INTERRUPTED;
    }
    if res.outcome == "failed" {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

pub async fn suspend(ctx: &Ctx, o: &SuspendOpts) -> Result<u8> {
    check_reason(&o.reason)?;
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let target = ctx.resolve(&o.tenant).await?;
    let who = target.display();
    let mut conn = target
        .link
        .connect(&target.db, &ctx.transport)
        .await
        .map_err(|e| Error::failed(e.context(format!("{who}: connect"))))?;
    let state = suspension::state(&conn.client)
        .await
        .map_err(|e| Error::failed(e.context(who.clone())))?;
    let mut res = WriteResult::new(&target, "suspend");
    let by = operator();
    if state.suspended() {
        return already_suspended(ctx, o, &target, &state, &mut conn, log.as_ref(), &by, res).await;
    }
    let users = suspension::users_to_suspend(&conn.client)
        .await
        .map_err(|e| Error::failed(e.context(who.clone())))?;
    if o.dry_run {
        res.outcome = "unchanged";
        res.dry_run = Some(true);
        res.users = users.len();
        res.signal = Some(state.signals.describe(Changed::UsersAndParams));
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
        return Ok(finish(ctx, &res, text, None));
    }
    if !o.yes
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
    let at = now_rfc3339();
    let outcome = suspension::suspend(&mut conn.client, &o.reason, &by, &at).await;
    let rec = |outcome: &'static str, users: Option<usize>, error: Option<String>| Record {
        time: now_rfc3339(),
        operator: &by,
        action: "suspend",
        node: target.link.name(),
        tenant: &target.db,
        outcome,
        reason: Some(&o.reason),
        users,
        login: None,
        error,
    };
    match outcome {
        Err(e) => {
            let msg = format!("{e:#}");
            audit(&log, &ctx.printer, rec("failed", None, Some(msg.clone())));
            Err(Error::failed(anyhow!(
                "{who}: suspend failed, nothing changed: {msg}"
            )))
        }
        Ok(SuspendOutcome::AlreadySuspended(st)) => {
            already_suspended(ctx, o, &target, &st, &mut conn, Some(&log), &by, res).await
        }
        Ok(SuspendOutcome::Changed { user_ids, signals }) => {
            res.outcome = "changed";
            res.users = user_ids.len();
            let sig = signal::send(&conn.client, signals, Changed::UsersAndParams).await;
            res.signal = Some(signals.describe(Changed::UsersAndParams));
            audit(
                &log,
                &ctx.printer,
                rec(
                    "changed",
                    Some(user_ids.len()),
                    sig.as_ref().err().map(|e| format!("{e:#}")),
                ),
            );
            if let Err(e) = sig {
                ctx.printer.error(format!(
                    "{who}: suspended, but the cache signal failed: {e:#}; running Odoo workers may still accept cached sessions; rerun `tenantctl suspend` to signal again"
                ));
            }
            let text = format!(
                "suspended {who}: {} users switched off and recorded; cache signal {} sent",
                user_ids.len(),
                signals.describe(Changed::UsersAndParams)
            );
            Ok(finish(ctx, &res, text, Some(&guard)))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn already_suspended(
    ctx: &Ctx,
    o: &SuspendOpts,
    target: &crate::targets::Target,
    st: &suspension::State,
    conn: &mut crate::transport::Conn,
    log: Option<&crate::audit::AuditLog>,
    by: &str,
    mut res: WriteResult,
) -> Result<u8> {
    let who = target.display();
    res.outcome = "unchanged";
    res.suspended_at = st.get(keys::SUSPENDED_AT).map(str::to_string);
    res.suspended_reason = st.get(keys::SUSPENDED_REASON).map(str::to_string);
    res.users = match st.recorded_ids() {
        Some(Ok(ids)) => ids.len(),
        _ => 0,
    };
    if o.dry_run {
        res.dry_run = Some(true);
    } else if let Some(log) = log {
        // Repeat the signal: a previous run may have committed and then lost
        // its connection before signalling. It only clears caches.
        if let Err(e) = signal::send(&conn.client, st.signals, Changed::UsersAndParams).await {
            ctx.printer.warn(format!("{who}: cache signal: {e:#}"));
        }
        audit(
            log,
            &ctx.printer,
            Record {
                time: now_rfc3339(),
                operator: by,
                action: "suspend",
                node: target.link.name(),
                tenant: &target.db,
                outcome: "unchanged",
                reason: Some(&o.reason),
                users: None,
                login: None,
                error: None,
            },
        );
    }
    let text = format!(
        "{who} is already suspended since {} ({}){}; nothing changed",
        st.get(keys::SUSPENDED_AT).unwrap_or("an unknown time"),
        st.get(keys::SUSPENDED_REASON)
            .map(|r| format!("reason: {r}"))
            .unwrap_or_else(|| "no reason recorded".into()),
        st.get(keys::SUSPENDED_BY)
            .map(|b| format!(", by {b}"))
            .unwrap_or_default(),
    );
    Ok(finish(ctx, &res, text, None))
}

pub async fn reactivate(ctx: &Ctx, o: &ReactivateOpts) -> Result<u8> {
    let log = if o.dry_run {
        None
    } else {
        Some(ctx.audit_log()?)
    };
    let target = ctx.resolve(&o.tenant).await?;
    let who = target.display();
    let mut conn = target
        .link
        .connect(&target.db, &ctx.transport)
        .await
        .map_err(|e| Error::failed(e.context(format!("{who}: connect"))))?;
    let state = suspension::state(&conn.client)
        .await
        .map_err(|e| Error::failed(e.context(who.clone())))?;
    let mut res = WriteResult::new(&target, "reactivate");
    let by = operator();
    let restore = if o.all_internal {
        Restore::AllInternal
    } else {
        Restore::Recorded
    };
    let rec = |outcome: &'static str, users: Option<usize>, error: Option<String>| Record {
        time: now_rfc3339(),
        operator: &by,
        action: "reactivate",
        node: target.link.name(),
        tenant: &target.db,
        outcome,
        reason: None,
        users,
        login: None,
        error,
    };
    if !state.suspended() {
        res.outcome = "unchanged";
        if let Some(log) = &log {
            audit(log, &ctx.printer, rec("unchanged", None, None));
        }
        return Ok(finish(
            ctx,
            &res,
            format!("{who} is not suspended; nothing changed"),
            None,
        ));
    }
    let plan = suspension::users_to_reactivate(&conn.client, &state, restore)
        .await
        .map_err(|e| Error::failed(e.context(who.clone())))?;
    let (users, missing) = match plan {
        ReactivatePlan::Users { users, missing } => (users, missing),
        ReactivatePlan::NoRecord | ReactivatePlan::BadRecord(_) => {
            let why = match plan {
                ReactivatePlan::BadRecord(e) => format!("its record of users ({}) is unreadable: {e}", keys::SUSPENDED_USER_IDS),
                _ => format!(
                    "it was suspended without a record of which users were active ({} is missing; the old node agent suspended it this way)",
                    keys::SUSPENDED_USER_IDS
                ),
            };
            let msg = format!(
                "{who}: refusing to reactivate: {why}. To switch on every internal user except __system__, the templates and the public user (users archived on purpose come back too), rerun with --restore-users all-internal. Nothing changed"
            );
            if let Some(log) = &log {
                audit(log, &ctx.printer, rec("refused", None, Some(msg.clone())));
            }
            return Err(Error::usage(anyhow!(msg)));
        }
    };
    if o.dry_run {
        res.outcome = "unchanged";
        res.dry_run = Some(true);
        res.users = users.len();
        res.missing_users = Some(missing.clone());
        res.signal = Some(state.signals.describe(Changed::UsersAndParams));
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
        if !missing.is_empty() {
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
        return Ok(finish(ctx, &res, text, None));
    }
    if !o.yes
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
    let at = now_rfc3339();
    match suspension::reactivate(&mut conn.client, restore, &by, &at).await {
        Err(e) => {
            let msg = format!("{e:#}");
            audit(&log, &ctx.printer, rec("failed", None, Some(msg.clone())));
            Err(Error::failed(anyhow!(
                "{who}: reactivate failed, nothing changed: {msg}"
            )))
        }
        Ok(ReactivateOutcome::NotSuspended(_)) => {
            res.outcome = "unchanged";
            audit(&log, &ctx.printer, rec("unchanged", None, None));
            Ok(finish(
                ctx,
                &res,
                format!("{who} is not suspended (any more); nothing changed"),
                Some(&guard),
            ))
        }
        Ok(ReactivateOutcome::NoRecord) | Ok(ReactivateOutcome::BadRecord(_)) => {
            let msg =
                format!("{who}: the record of users changed meanwhile; nothing changed; rerun");
            audit(&log, &ctx.printer, rec("refused", None, Some(msg.clone())));
            Err(Error::usage(anyhow!(msg)))
        }
        Ok(ReactivateOutcome::Changed {
            user_ids,
            missing,
            signals,
            restore: _,
        }) => {
            res.outcome = "changed";
            res.users = user_ids.len();
            res.missing_users = Some(missing.clone());
            res.signal = Some(signals.describe(Changed::UsersAndParams));
            let sig = signal::send(&conn.client, signals, Changed::UsersAndParams).await;
            audit(
                &log,
                &ctx.printer,
                rec(
                    "changed",
                    Some(user_ids.len()),
                    sig.as_ref().err().map(|e| format!("{e:#}")),
                ),
            );
            if let Err(e) = sig {
                ctx.printer.error(format!(
                    "{who}: reactivated, but the cache signal failed: {e:#}"
                ));
            }
            if !missing.is_empty() {
                ctx.printer.warn(format!(
                    "{who}: recorded users no longer exist and were skipped: {missing:?}"
                ));
            }
            let text = format!(
                "reactivated {who}: {} users switched on{}; cache signal {} sent",
                user_ids.len(),
                if o.all_internal {
                    " (all internal users)"
                } else {
                    " (exactly those recorded)"
                },
                signals.describe(Changed::UsersAndParams)
            );
            Ok(finish(ctx, &res, text, Some(&guard)))
        }
    }
}
