//! `passwd` in the pipeline: the rules that refuse (policy, `__system__`,
//! unknown user), the rounds Odoo uses, the password shown or stored before
//! the commit, and settling a lost acknowledgement by the stored hash.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::anyhow;

use super::exec::{after_commit, not_committed, reconnect, tidy, xmlrpc_warning, Verify};
use super::{Outcome, Report, Run, Secret};
use crate::error::{Error, Result};
use crate::odoo::signal::Changed;
use crate::odoo::users::{self, PasswdTarget};
use crate::odoo::{password, WriteError};
use crate::output::{csv_line, esc};
use crate::targets::Target;
use crate::transport::Conn;

/// Odoo's password policy default when `auth_password_policy` is absent is
/// none at all; tenantctl asks for at least this many characters.
pub const DEFAULT_MIN_LENGTH: usize = 8;

/// The `--secrets-file` of `bulk passwd`: created with mode 0600, never
/// overwritten. Each tenant's line is written and fsynced *before* its
/// COMMIT (status `pending`) and a `done` line follows the commit: a crash
/// can leave a pending line, never a changed password without its line.
pub struct Secrets {
    file: Mutex<File>,
}

impl Secrets {
    pub fn create(path: &Path) -> Result<Secrets> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::input(anyhow!(
                        "--secrets-file {} exists; refusing to overwrite it (nothing changed)",
                        path.display()
                    ))
                } else {
                    Error::input(anyhow!(
                        "--secrets-file {}: {e} (nothing changed)",
                        path.display()
                    ))
                }
            })?;
        writeln!(f, "node,tenant,login,password,status")
            .and_then(|()| f.sync_data())
            .map_err(|e| Error::input(anyhow!("--secrets-file {}: {e}", path.display())))?;
        Ok(Secrets {
            file: Mutex::new(f),
        })
    }

    /// One line `node,tenant,login,password,status`, fsynced (bulk create).
    pub fn write_line(
        &self,
        node: &str,
        tenant: &str,
        login: &str,
        pw: &str,
        status: &str,
    ) -> std::io::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(f, "{}", csv_line(&[node, tenant, login, pw, status]))?;
        f.sync_data()
    }

    fn write(&self, t: &Target, login: &str, pw: &str, status: &str) -> std::io::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(
            f,
            "{}",
            csv_line(&[t.link.name(), &t.db, login, pw, status])
        )?;
        f.sync_data()
    }
}

/// The passwd rules that make a refusal (policy, id 1, unknown user).
pub fn refusal_for(user: Option<&PasswdTarget>, login: Option<&str>, who: &str) -> Option<String> {
    match user {
        None => Some(match login {
            Some(l) => format!("{who}: no user with login {:?}; nothing changed", esc(l)),
            None => format!("{who}: no user behind xmlid base.user_admin; nothing changed"),
        }),
        Some(u) if u.id == 1 => Some(format!(
            "{who}: refusing to set the password of __system__ (id 1), which never logs in; nothing changed"
        )),
        Some(_) => None,
    }
}

/// Checks a new password against the tenant's policy.
pub fn check_policy(
    pw: &str,
    login: &str,
    min_length: Option<usize>,
) -> std::result::Result<(), String> {
    let min = min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    let n = pw.chars().count();
    if n == 0 {
        return Err("the new password is empty; nothing changed".into());
    }
    if n < min {
        return Err(format!(
            "the new password has {n} characters; this tenant requires at least {min}{}; nothing changed",
            if min_length.is_some() { " (auth_password_policy.minlength)" } else { "" }
        ));
    }
    if pw == login {
        return Err("the new password equals the login; nothing changed".into());
    }
    Ok(())
}

/// The rounds Odoo uses for this tenant's hashes.
pub fn rounds_of(u: &PasswdTarget) -> u32 {
    password::rounds_for(
        u.major(),
        u.icp_rounds.as_deref(),
        u.common_rounds.as_deref(),
        u.last_login_rounds.as_deref(),
    )
}

pub(super) async fn passwd(
    conn: &mut Conn,
    t: &Target,
    login: Option<&str>,
    secret: &Secret,
    secrets: Option<&Secrets>,
    run: &Run,
    r: Report,
) -> Report {
    let who = t.display();
    let (user, mut r) = match passwd_user(conn, t, login, &who, r).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rounds = rounds_of(&user);
    let scheme = t.link.node.password_scheme;
    let (pw, hash) = match new_secret(secret, &user, rounds, scheme).await {
        Ok(x) => x,
        Err(m) => return r.fail(Outcome::Refused, format!("{who}: {m}")),
    };
    let generated = matches!(secret, Secret::Generate { .. });
    let print_on_stdout = generated && secrets.is_none();
    // Shown (single command) or stored (bulk) before COMMIT: a password that
    // cannot be handed over is never set.
    let before_commit = || -> std::io::Result<()> {
        if print_on_stdout {
            crate::output::out_checked(&pw)?;
        }
        if let (true, Some(s)) = (generated, secrets) {
            s.write(t, &user.login, &pw, "pending")?;
        }
        Ok(())
    };
    let scheme_text = scheme_text(scheme, rounds);
    r.users = 1;
    r.warnings.extend(passwd_notes(&user, scheme));
    let res = users::set_password(
        &mut conn.client,
        &user,
        &hash,
        run.allow_triggers,
        conn.deadline,
        before_commit,
    )
    .await;
    let text = format!(
        "password of {} (id {}) on {who} changed ({scheme_text})",
        esc(&user.login),
        user.id
    );
    let verify = Verify::Password {
        id: user.id,
        hash: hash.clone(),
    };
    let r = match res {
        Ok(_) => {
            let r = r.ok(Outcome::Changed, text);
            after_commit(conn, t, run, user.signals, Changed::Users, verify, r).await
        }
        Err(WriteError::Refused(m)) => r.fail(Outcome::Refused, format!("{who}: {m}")),
        Err(WriteError::NotCommitted { error, pid }) => {
            tidy(t, run, &error, pid).await;
            if let (true, Some(s)) = (generated, secrets) {
                let _ = s.write(t, &user.login, &pw, "not-set");
            }
            let error = super::exec::name_lock_holder(conn, error).await;
            let mut r = not_committed(&who, "passwd", r, &error);
            if print_on_stdout {
                r.warnings
                    .push("the password printed on stdout was NOT set".into());
            }
            r
        }
        Err(WriteError::CommitLost { error, pid, .. }) => {
            settle_password(t, run, pid, &user, verify, text, r, &error).await
        }
    };
    let mut r = r;
    if let (true, Some(s)) = (generated, secrets) {
        secrets_done(s, t, &user.login, &pw, &mut r);
    }
    r
}

/// The user whose password a passwd sets (`--login`, else the admin), once
/// nothing refuses it; else the report.
async fn passwd_user(
    conn: &Conn,
    t: &Target,
    login: Option<&str>,
    who: &str,
    mut r: Report,
) -> std::result::Result<(PasswdTarget, Report), Report> {
    let user = match users::passwd_target(&conn.client, login).await {
        Ok(u) => u,
        Err(e) => return Err(not_committed(who, "passwd", r, &e)),
    };
    r.details.passwd().login = user
        .as_ref()
        .map(|u| u.login.clone())
        .or(login.map(str::to_string));
    if let Some(m) = refusal_for(user.as_ref(), login, who) {
        return Err(r.fail(Outcome::Refused, m));
    }
    // argon2id only where the tenant's Odoo verifies argon2 (issue 13).
    match crate::odoo::argon2_guard::refusal(&conn.client, t.link.node.password_scheme).await {
        Ok(None) => {}
        Ok(Some(m)) => return Err(r.fail(Outcome::Refused, format!("{who}: {m}"))),
        Err(e) => return Err(not_committed(who, "passwd", r, &e)),
    }
    let user = user.expect("refusal_for refuses a missing user");
    Ok((user, r))
}

/// The new password and its hash: the given one (once the tenant's policy
/// allows it; hashed again when hashed with other rounds), or one
/// generated; the policy's refusal.
async fn new_secret(
    secret: &Secret,
    user: &PasswdTarget,
    rounds: u32,
    scheme: crate::inventory::PasswordScheme,
) -> std::result::Result<(Arc<String>, Arc<String>), String> {
    Ok(match secret {
        Secret::Given { password, hashed } => {
            check_policy(password, &user.login, user.min_length)?;
            match hashed {
                Some((h_rounds, h)) if *h_rounds == rounds => (password.clone(), h.clone()),
                _ => (
                    password.clone(),
                    Arc::new(hash_off_thread(scheme, password, rounds).await),
                ),
            }
        }
        Secret::Generate { length } => {
            let len = (*length).max(user.min_length.unwrap_or(DEFAULT_MIN_LENGTH));
            let pw = Arc::new(password::generate(len));
            let h = Arc::new(hash_off_thread(scheme, &pw, rounds).await);
            (pw, h)
        }
    })
}

/// How the hash is made, in the report's message.
fn scheme_text(scheme: crate::inventory::PasswordScheme, rounds: u32) -> String {
    match scheme {
        crate::inventory::PasswordScheme::Pbkdf2Sha512 => format!("pbkdf2-sha512, {rounds} rounds"),
        crate::inventory::PasswordScheme::Argon2id => {
            "argon2id (stock Odoo cannot verify it)".into()
        }
    }
}

/// The secrets file's done line for a generated password that committed.
fn secrets_done(s: &Secrets, t: &Target, login: &str, pw: &str, r: &mut Report) {
    if r.outcome.committed() && r.outcome != Outcome::Unknown {
        if let Err(e) = s.write(t, login, pw, "done") {
            r.warnings
                .push(format!("the secrets file's done line could not be written ({e}); its pending line holds the password"));
        }
    }
}

async fn hash_off_thread(
    scheme: crate::inventory::PasswordScheme,
    pw: &Arc<String>,
    rounds: u32,
) -> String {
    let pw = pw.clone();
    // ~0.3 s at 600000 rounds: off the async threads.
    tokio::task::spawn_blocking(move || password::hash(scheme, &pw, rounds))
        .await
        .expect("hashing does not panic")
}

/// Settles a password change whose COMMIT acknowledgement was lost: the
/// stored hash (random salt) is ours iff the commit happened.
#[allow(clippy::too_many_arguments)]
async fn settle_password(
    t: &Target,
    run: &Run,
    pid: Option<i32>,
    user: &PasswdTarget,
    verify: Verify,
    text: String,
    r: Report,
    error: &anyhow::Error,
) -> Report {
    let who = t.display();
    let Verify::Password { id, hash } = &verify else {
        unreachable!("a password is verified by its hash")
    };
    let settled = async {
        let conn = reconnect(t, run, pid).await?;
        let stored = users::stored_hash(&conn.client, *id, conn.deadline).await?;
        anyhow::Ok((conn, stored.as_deref() == Some(hash.as_str())))
    };
    match tokio::time::timeout(Duration::from_secs(60), settled).await {
        Ok(Ok((conn, true))) => {
            let mut r = r.ok(
                Outcome::Changed,
                format!("{text} (settled after a lost commit acknowledgement: {error:#})"),
            );
            r.warnings.push(format!(
                "the commit's acknowledgement was lost ({error:#}); settled on a new connection: the new password is set"
            ));
            after_commit(&conn, t, run, user.signals, Changed::Users, verify, r).await
        }
        Ok(Ok((_, false))) => r.fail(
            Outcome::Failed,
            format!(
                "{who}: the password change did not commit (settled after a lost commit acknowledgement: {error:#}); nothing changed"
            ),
        ),
        Ok(Err(e)) => r.fail(
            Outcome::Unknown,
            format!(
                "{who}: the commit of the password change was sent but its acknowledgement was lost ({error:#}) and the stored hash could not be read ({e:#}); the new password may or may not be set"
            ),
        ),
        Err(_) => r.fail(
            Outcome::Unknown,
            format!(
                "{who}: the commit of the password change was sent but its acknowledgement was lost ({error:#}) and settling it timed out; the new password may or may not be set"
            ),
        ),
    }
}

/// Notes about the user whose password changes.
pub fn passwd_notes(user: &PasswdTarget, scheme: crate::inventory::PasswordScheme) -> Vec<String> {
    let mut notes = Vec::new();
    if user.totp {
        notes.push(
            "the user has two-factor authentication (auth_totp); the second factor stays".into(),
        );
    }
    if !user.active {
        notes.push("the user is archived (inactive) and cannot log in until reactivated".into());
    }
    if user.suspended {
        notes.push("the tenant is suspended".into());
    }
    if scheme == crate::inventory::PasswordScheme::Argon2id {
        notes
            .push("hashed with argon2id as the inventory says: stock Odoo cannot verify it".into());
    }
    if let Some(w) = xmlrpc_warning(user.major(), "working with the old password") {
        notes.push(w);
    }
    notes
}
