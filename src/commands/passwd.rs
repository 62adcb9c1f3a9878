//! `tenantctl passwd`: set a tenant user's password the way Odoo stores it.

use std::io::{BufRead, IsTerminal};

use anyhow::anyhow;

use super::ops::{self, Audit, Outcome};
use super::{fail, Ctx, WriteResult};
use crate::audit::operator;
use crate::config::{Output, PasswdOpts, PasswordInput};
use crate::error::{Error, Result, EXIT_INTERRUPTED, EXIT_OK};
use crate::interrupt::Guard;
use crate::inventory::PasswordScheme;
use crate::odoo::password;
use crate::odoo::signal::Changed;
use crate::odoo::users;
use crate::output::{out, out_json};

/// Odoo's password policy default when `auth_password_policy` is absent is
/// none at all; tenantctl asks for at least this many characters.
pub const DEFAULT_MIN_LENGTH: usize = 8;

/// Checks the new password against the tenant's policy.
pub fn check_policy(pw: &str, login: &str, min_length: Option<usize>) -> Result<()> {
    let min = min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    let n = pw.chars().count();
    if n == 0 {
        return Err(Error::usage(anyhow!(
            "the new password is empty; nothing changed"
        )));
    }
    if n < min {
        return Err(Error::usage(anyhow!(
            "the new password has {n} characters; this tenant requires at least {min}{}; nothing changed",
            if min_length.is_some() { " (auth_password_policy.minlength)" } else { "" }
        )));
    }
    if pw == login {
        return Err(Error::usage(anyhow!(
            "the new password equals the login; nothing changed"
        )));
    }
    Ok(())
}

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

fn prompt_twice(login: &str, who: &str) -> Result<String> {
    let a = rpassword::prompt_password(format!("New password for {login} on {who}: "))
        .map_err(|e| Error::usage(anyhow!("reading the password from the terminal: {e}")))?;
    let b = rpassword::prompt_password("Repeat it: ")
        .map_err(|e| Error::usage(anyhow!("reading the password from the terminal: {e}")))?;
    if a != b {
        return Err(Error::usage(anyhow!(
            "the two passwords differ; nothing changed"
        )));
    }
    Ok(a)
}

pub async fn run(ctx: &Ctx, o: &PasswdOpts) -> Result<u8> {
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
        Some(ctx.audit_log()?)
    };
    let target = ctx.resolve(&o.tenant).await?;
    let who = target.display();
    // A piped password is known now: hash it (~0.3 s at Odoo's minimum
    // rounds) while the tenant is connected and read; redone below only if
    // the tenant configures more rounds.
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
    let mut res = WriteResult::new(&target, "passwd");
    let mut conn = match target.link.connect(&target.db, &ctx.transport).await {
        Ok(c) => c,
        Err(e) => {
            return Err(fail(
                ctx,
                &mut res,
                Error::failed(e.context(format!("{who}: connect"))),
            ))
        }
    };
    let user = match users::passwd_target(&conn.client, o.login.as_deref()).await {
        Ok(Some(u)) => u,
        Ok(None) => {
            let what = match &o.login {
                Some(l) => format!("no user with login {l:?}"),
                None => "no user behind xmlid base.user_admin".to_string(),
            };
            return Err(fail(
                ctx,
                &mut res,
                Error::usage(anyhow!("{who}: {what}; nothing changed")),
            ));
        }
        Err(e) => return Err(fail(ctx, &mut res, Error::failed(e.context(who.clone())))),
    };
    res.login = Some(user.login.clone());
    if user.id == 1 {
        return Err(fail(
            ctx,
            &mut res,
            Error::usage(anyhow!("{who}: refusing to set the password of __system__ (id 1), which never logs in; nothing changed")),
        ));
    }
    let by = operator();
    if let Err(e) = argon2_refusal(&target, &conn, &user.login, log.as_ref(), &by).await {
        return Err(fail(ctx, &mut res, e));
    }
    let new_pw = match (o.source, piped) {
        (_, Some(p)) => p,
        (PasswordInput::Generate(len), _) => {
            let min = user.min_length.unwrap_or(DEFAULT_MIN_LENGTH);
            if len < min {
                return Err(fail(
                    ctx,
                    &mut res,
                    Error::usage(anyhow!(
                        "--length {len} is below this tenant's minimum of {min}"
                    )),
                ));
            }
            password::generate(len)
        }
        _ => prompt_twice(&user.login, &who)?,
    };
    if let Err(e) = check_policy(&new_pw, &user.login, user.min_length) {
        let e = e.context(who.clone());
        if let Some(log) = &log {
            ops::refused(
                &target,
                "passwd",
                format!("{e:#}"),
                Some(&user.login),
                &Audit { log, operator: &by },
            );
        }
        return Err(fail(ctx, &mut res, e));
    }
    let scheme = target.link.node.password_scheme;
    let rounds = password::rounds_for(user.icp_rounds.as_deref());
    let scheme_text = match scheme {
        PasswordScheme::Pbkdf2Sha512 => format!("pbkdf2-sha512, {rounds} rounds"),
        PasswordScheme::Argon2id => "argon2id (stock Odoo cannot verify it)".to_string(),
    };
    res.signal = Some(user.signals.describe(Changed::Users));
    if o.dry_run {
        res.outcome = "unchanged";
        res.dry_run = Some(true);
        res.users = 1;
        let text = format!(
            "dry run: would set the password of {} (id {}) on {who} ({scheme_text}), then signal {}. Nothing changed.",
            user.login,
            user.id,
            user.signals.describe(Changed::Users)
        );
        return Ok(finish(ctx, &res, &text));
    }
    let log = log.expect("audit log is open when not a dry run");
    let generated = matches!(o.source, PasswordInput::Generate(_)).then(|| new_pw.clone());
    // Hashing takes ~0.3 s at 600000 rounds: off the async threads, before
    // the transaction starts, so no lock is held meanwhile.
    let early = match early {
        Some(h) => Some(
            h.await
                .map_err(|e| Error::failed(anyhow!("hashing: {e}")))?,
        ),
        None => None,
    };
    let hash = match early {
        Some((r, h)) if r == rounds || scheme == PasswordScheme::Argon2id => h,
        _ => tokio::task::spawn_blocking(move || password::hash(scheme, &new_pw, rounds))
            .await
            .map_err(|e| Error::failed(anyhow!("hashing: {e}")))?,
    };
    let guard = Guard::install();
    let d = ops::set_password(
        &mut conn,
        &target,
        &user,
        &hash,
        &Audit {
            log: &log,
            operator: &by,
        },
    )
    .await;
    drop(hash);
    if d.outcome != Outcome::Changed {
        return Err(fail(ctx, &mut res, Error::failed(anyhow!("{}", d.message))));
    }
    res.outcome = "changed";
    res.users = 1;
    if let Some(e) = &d.error {
        ctx.printer.error(format!("{who}: {e}"));
    }
    let mut notes = Vec::new();
    if user.totp {
        notes.push(
            "the user has two-factor authentication (auth_totp); the second factor stays"
                .to_string(),
        );
    }
    if !user.active {
        notes.push(
            "the user is archived (inactive) and cannot log in until reactivated".to_string(),
        );
    }
    if user.suspended {
        notes.push("the tenant is suspended".to_string());
    }
    if scheme == PasswordScheme::Argon2id {
        notes.push(
            "hashed with argon2id as the inventory says: stock Odoo cannot verify it".to_string(),
        );
    }
    let text = format!(
        "password of {} (id {}) on {who} changed ({scheme_text}); cache signal {} sent",
        user.login,
        user.id,
        user.signals.describe(Changed::Users)
    );
    if let Some(pw) = generated {
        // The generated password, once, alone on stdout; the rest on stderr.
        out(&pw);
        ctx.printer.info(&text);
        for n in &notes {
            ctx.printer.info(format!("note: {n}"));
        }
        return Ok(EXIT_OK);
    }
    let code = finish(ctx, &res, &text);
    for n in &notes {
        ctx.printer.info(format!("note: {n}"));
    }
    Ok(if guard.interrupted() {
        EXIT_INTERRUPTED
    } else {
        code
    })
}

fn finish(ctx: &Ctx, res: &WriteResult, text: &str) -> u8 {
    match ctx.printer.format {
        Output::Json => out_json(res),
        _ => out(text),
    }
    EXIT_OK
}

/// `password_scheme = "argon2id"` without evidence that the tenant's Odoo
/// verifies argon2: refused (exit 2), audited (see odoo/argon2_guard.rs).
async fn argon2_refusal(
    target: &crate::targets::Target,
    conn: &crate::transport::Conn,
    login: &str,
    log: Option<&crate::audit::AuditLog>,
    by: &str,
) -> Result<()> {
    let scheme = target.link.node.password_scheme;
    match crate::odoo::argon2_guard::allow(&conn.client, scheme).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let e = e.context(target.display());
            if let Some(log) = log {
                ops::refused(
                    target,
                    "passwd",
                    format!("{e:#}"),
                    Some(login),
                    &Audit { log, operator: by },
                );
            }
            Err(e)
        }
    }
}
