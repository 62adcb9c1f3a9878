//! `tenantctl passwd`: set a tenant user's password the way Odoo stores it;
//! a run of one target through the pipeline ([`super::pipeline`]).

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use anyhow::anyhow;

use super::Ctx;
use crate::config::{Output, PasswdOpts, PasswordInput};
use crate::error::{Error, Result};
use crate::odoo::{password, users};
use crate::ops::{self as pipeline, exec, report, run, Action, Job, Outcome, Report, Secret};

use crate::ops::passwd::DEFAULT_MIN_LENGTH;

/// One line from stdin, without its line ending.
fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::usage(anyhow!("reading the password from stdin: {e}")))?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if pw.is_empty() {
        return Err(Error::usage(anyhow!(
            "--password-stdin: stdin gave an empty password; nothing changed"
        )));
    }
    Ok(pw.to_string())
}

/// How many times a mistyped repetition is asked again.
const PROMPT_ATTEMPTS: usize = 3;

fn prompt_twice(login: &str, who: &str) -> Result<String> {
    let read = |prompt: String| {
        rpassword::prompt_password(prompt)
            .map_err(|e| Error::usage(anyhow!("reading the password from the terminal: {e}")))
    };
    for attempt in 1..=PROMPT_ATTEMPTS {
        let a = read(format!(
            "New password for {} on {who}: ",
            crate::output::esc(login)
        ))?;
        let b = read("Repeat it: ".into())?;
        if a == b {
            return Ok(a);
        }
        if attempt < PROMPT_ATTEMPTS {
            eprintln!(
                "tenantctl: the two passwords differ; try again ({} left)",
                PROMPT_ATTEMPTS - attempt
            );
        }
    }
    Err(Error::usage(anyhow!(
        "the two passwords differ {PROMPT_ATTEMPTS} times; nothing changed"
    )))
}

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
        Some(read_stdin_line()?)
    } else {
        None
    };
    let log = if o.dry_run {
        None
    } else {
        Some(Arc::new(ctx.audit_log()?))
    };
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
    let (target, conn) = super::suspend::open(ctx, &o.tenant, "passwd").await?;
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
        let mut r = Report::new(Some(&target), &o.tenant, "passwd").fail(Outcome::Refused, m);
        r.login = user.as_ref().map(|u| u.login.clone()).or(o.login.clone());
        if !o.dry_run {
            r = exec::audited(&run, &target, r, None);
        }
        Ok(report::single(ctx, &r, false, false))
    };
    if let Some(m) = pipeline::passwd::refusal_for(user.as_ref(), o.login.as_deref(), &who) {
        return refuse(m);
    }
    let u = user.clone().expect("refusal_for refuses a missing user");
    let min = u.min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    let secret = match (o.source, piped) {
        (_, Some(p)) => Secret::Given {
            password: Arc::new(p),
            hashed: None,
        },
        (PasswordInput::Generate(len), _) => {
            if len < min {
                return refuse(format!(
                    "{who}: --length {len} is below this tenant's minimum of {min}; nothing changed"
                ));
            }
            Secret::Generate { length: len }
        }
        _ if o.dry_run => Secret::Generate { length: min },
        _ => Secret::Given {
            password: Arc::new(prompt_twice(&u.login, &who)?),
            hashed: None,
        },
    };
    if let Secret::Given { password, .. } = &secret {
        if let Err(m) = pipeline::passwd::check_policy(password, &u.login, u.min_length) {
            return refuse(format!("{who}: {m}"));
        }
    }
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
    let guard = run.guard.clone();
    let mut job = Job::for_target(target, o.tenant.clone(), None);
    job.conn = Some(conn);
    let mut rs = run::run_all(ctx, vec![job], Arc::new(run), false).await;
    let r = rs.pop().expect("one job, one report");
    Ok(report::single(
        ctx,
        &r,
        guard.is_some_and(|g| g.interrupted()),
        generated,
    ))
}
