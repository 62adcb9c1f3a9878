//! `tenantctl passwd`: set a tenant user's password the way Odoo stores it;
//! a run of one target through the pipeline ([`super::pipeline`]).

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::anyhow;

use super::Ctx;
use crate::config::{Output, PasswdOpts, PasswordInput};
use crate::error::{Error, Result};
use crate::odoo::{password, users};
use crate::ops::{self as pipeline, exec, report, run, Action, Job, Outcome, Report, Secret};

use crate::ops::passwd::DEFAULT_MIN_LENGTH;

fn check_args(ctx: &Ctx, o: &PasswdOpts) -> Result<()> {
    if o.source == PasswordInput::Prompt && !std::io::stdin().is_terminal() {
        return Err(Error::usage(anyhow!(
            "stdin is not a terminal, so I cannot prompt for the password; use --password-stdin or --generate"
        )));
    }
    if matches!(o.source, PasswordInput::Generate(_)) && ctx.printer.format == Output::Json {
        return Err(Error::usage(anyhow!(
            "--generate prints the new password alone on stdout; it cannot be combined with -o json"
        )));
    }
    if let Some(l) = &o.login {
        if l.is_empty() || l.contains('\0') {
            return Err(Error::usage(anyhow!(
                "--login is empty or contains a NUL byte"
            )));
        }
    }
    Ok(())
}

pub async fn run(ctx: &Ctx, o: &PasswdOpts) -> Result<u8> {
    check_args(ctx, o)?;
    // Read a piped password before any network work, so stdin is consumed
    // whatever happens next.
    let piped = if o.source == PasswordInput::Stdin {
        Some(crate::ops::prompt::stdin_password()?)
    } else {
        None
    };
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let target = ctx.resolve_for_write(&o.tenant).await?;
    let who = target.display();
    // A piped password is known now: hash it (~0.3 s at Odoo's usual rounds)
    // while the tenant is connected and read; redone in the run only if the
    // tenant uses other rounds.
    let early = match (&piped, o.dry_run) {
        (Some(pw), false) => {
            let (pw, scheme) = (pw.clone(), target.link.node.password_scheme);
            Some(tokio::task::spawn_blocking(move || {
                (
                    password::MIN_ROUNDS,
                    password::hash(scheme, &pw, password::MIN_ROUNDS),
                )
            }))
        }
        _ => None,
    };
    let (target, conn) = super::suspend::open(ctx, &o.tenant, crate::ops::Op::Passwd).await?;
    let run = ctx.run(
        Action::Passwd {
            login: o.login.clone(),
            secret: Secret::Generate { length: 0 },
            secrets: None,
        },
        log.clone(),
        o.dry_run,
    );
    let user = users::passwd_target(&conn.client, o.login.as_deref())
        .await
        .map_err(|e| Error::failed(e.context(who.clone())))?;
    let refuse = |m: String| -> Result<u8> {
        let mut r =
            Report::new(Some(&target), &o.tenant, crate::ops::Op::Passwd).fail(Outcome::Refused, m);
        r.details.passwd().login = user.as_ref().map(|u| u.login.clone()).or(o.login.clone());
        if !o.dry_run {
            r = exec::audited(&run, r, None);
        }
        Ok(report::single(ctx, &r, false, false))
    };
    if let Some(m) = pipeline::passwd::refusal_for(user.as_ref(), o.login.as_deref(), &who) {
        return refuse(m);
    }
    let u = user.clone().expect("refusal_for refuses a missing user");
    let secret = match choose_secret(o, piped, &u, &who)? {
        Ok(s) => s,
        Err(m) => return refuse(m),
    };
    // The early hash is used only when the tenant's rounds are the ones it
    // was made with; otherwise it is left behind (the run exits without
    // waiting for it) and the run hashes with the tenant's rounds: a 12–15
    // tenant (25000) does not wait for a 600000-round hash it cannot use.
    let early = early.filter(|_| pipeline::passwd::rounds_of(&u) == password::MIN_ROUNDS);
    let secret = match (secret, early) {
        (Secret::Given { password, .. }, Some(h)) => {
            let (rounds, hash) = h
                .await
                .map_err(|e| Error::failed(anyhow!("hashing: {e}")))?;
            Secret::Given {
                password,
                hashed: Some((rounds, Arc::new(hash))),
            }
        }
        (s, _) => s,
    };
    let generated = matches!(secret, Secret::Generate { .. }) && !o.dry_run;
    let mut run = run;
    run.action = Action::Passwd {
        login: Some(u.login.clone()),
        secret,
        secrets: None,
    };
    let mut job = Job::for_target(target, o.tenant.clone(), None);
    job.conn = Some(conn);
    Ok(run::run_single(ctx, job, Arc::new(run), generated).await)
}

/// The password to set: piped, generated, or typed on the terminal (asked
/// again while the policy refuses it); Err(why) when the policy refuses
/// what was given.
fn choose_secret(
    o: &PasswdOpts,
    piped: Option<String>,
    u: &users::PasswdTarget,
    who: &str,
) -> Result<std::result::Result<Secret, String>> {
    let min = u.min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    let secret = match (o.source, piped) {
        (_, Some(p)) => Secret::Given {
            password: Arc::new(p),
            hashed: None,
        },
        (PasswordInput::Generate(len), _) => {
            if len < min {
                return Ok(Err(format!(
                    "{who}: --length {len} is below this tenant's minimum of {min}; nothing changed"
                )));
            }
            Secret::Generate { length: len }
        }
        _ if o.dry_run => Secret::Generate { length: min },
        _ => Secret::Given {
            password: Arc::new(crate::ops::prompt::new_password(
                &format!(
                    "New password for {} on {who}: ",
                    crate::output::esc(&u.login)
                ),
                &|p| {
                    pipeline::passwd::check_policy(p, &u.login, u.min_length)
                        .map_err(|m| m.trim_end_matches("; nothing changed").to_string())
                },
            )?),
            hashed: None,
        },
    };
    if let Secret::Given { password, .. } = &secret {
        if let Err(m) = pipeline::passwd::check_policy(password, &u.login, u.min_length) {
            return Ok(Err(format!("{who}: {m}")));
        }
    }
    Ok(Ok(secret))
}
