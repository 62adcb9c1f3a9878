//! The user whose password `passwd` changes, and the change itself.

use std::time::Duration;

use anyhow::anyhow;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::signal::{Signals, DETECT_COLUMNS};
use super::{guard, within, within_any, WriteError};
use crate::error::{pg_error, sqlstate};

/// What `passwd` needs to know before writing.
#[derive(Debug, Clone)]
pub struct PasswdTarget {
    pub id: i64,
    pub login: String,
    pub active: bool,
    /// `res_users.totp_secret` is set (auth_totp): the second factor stays.
    pub totp: bool,
    /// ICP `auth_password_policy.minlength` (module auth_password_policy).
    pub min_length: Option<usize>,
    /// ICP `password.hashing.rounds` (Odoo 16+).
    pub icp_rounds: Option<String>,
    pub version: String,
    pub suspended: bool,
    pub signals: Signals,
    /// The most common rounds among the pbkdf2 hashes of the tenant (12–15).
    pub common_rounds: Option<String>,
    /// The rounds of the hash of the user who logged in last (16+).
    pub last_login_rounds: Option<String>,
}

impl PasswdTarget {
    pub fn major(&self) -> Option<u32> {
        super::major_from_version(&self.version)
    }
}

/// The target user: by login, or the one behind xmlid `base.user_admin`
/// (its login may be an e-mail; its id is 2 in practice but is resolved
/// through ir_model_data, never assumed). `totp_secret` exists only when
/// auth_totp is installed: its presence (and grant) is read from pg_attribute
/// first ([`super::totp::totp_column`]), and at most `totp_secret IS
/// NOT NULL` is read, never the secret or a whole row. The rounds Odoo uses
/// (odoo-facts §2): on 12–15 those of Odoo's own hashes in the database; on
/// 16+ Odoo rewrites a user's hash to the configured rounds at each login,
/// so the hash of the user with the newest `res_users_log` row (`id` grows
/// with time and is indexed: no scan of the login history) carries them.
fn target_sql(totp: super::totp::Totp) -> String {
    let totp = totp.flag_sql("u");
    format!(
        "SELECT u.id::int8, u.login, coalesce(u.active, false), {totp}, \
         (SELECT value FROM ONLY public.ir_config_parameter WHERE key = 'auth_password_policy.minlength'), \
         (SELECT value FROM ONLY public.ir_config_parameter WHERE key = 'password.hashing.rounds'), \
         (SELECT latest_version FROM ONLY public.ir_module_module WHERE name = 'base' AND state = 'installed'), \
         (SELECT value FROM ONLY public.ir_config_parameter WHERE key = 'tenant.suspended'), \
         {DETECT_COLUMNS}, \
         (SELECT split_part(h.password, '$', 3) FROM ONLY public.res_users h \
           WHERE h.password LIKE '$pbkdf2-sha512$%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1), \
         (SELECT split_part(l.password, '$', 3) FROM ONLY public.res_users l \
           WHERE l.password LIKE '$pbkdf2-sha512$%' \
             AND l.id = (SELECT create_uid FROM ONLY public.res_users_log ORDER BY id DESC LIMIT 1)) \
         FROM ONLY public.res_users u \
         WHERE CASE WHEN $1::text IS NULL \
                    THEN u.id = (SELECT res_id FROM ONLY public.ir_model_data \
                                 WHERE module = 'base' AND name = 'user_admin' AND model = 'res.users' LIMIT 1) \
                    ELSE u.login = $1 END \
         ORDER BY u.id LIMIT 1"
    )
}

pub async fn passwd_target(
    client: &Client,
    login: Option<&str>,
) -> anyhow::Result<Option<PasswdTarget>> {
    let totp = super::totp::totp_column(client).await?;
    let rows = match client
        .query_typed(&target_sql(totp), &[(&login, Type::TEXT)])
        .await
    {
        Ok(r) => r,
        Err(e) if sqlstate(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) => {
            return Err(anyhow::Error::new(super::NotOdoo(
                "no res_users / ir_model_data table",
            )))
        }
        Err(e) => return Err(pg_error(&e)),
    };
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let version: Option<String> = r.get(6);
    Ok(Some(PasswdTarget {
        id: r.get(0),
        login: r.get(1),
        active: r.get(2),
        totp: r.get::<_, Option<bool>>(3).unwrap_or(false),
        min_length: r
            .get::<_, Option<String>>(4)
            .and_then(|v| v.trim().parse().ok()),
        icp_rounds: r.get(5),
        version: version
            .ok_or_else(|| anyhow::Error::new(super::NotOdoo("no installed `base` module")))?,
        suspended: super::probe::is_true(r.get::<_, Option<String>>(7).as_deref()),
        signals: Signals::from_flags([r.get(8), r.get(9), r.get(10), r.get(11)]),
        common_rounds: r.get(12),
        last_login_rounds: r.get(13),
    }))
}

/// Odoo writes the hash with a raw `UPDATE res_users SET password=%s WHERE
/// id=%s` (res_users.py `_set_encrypted_password`), without touching
/// write_date; so do we. The login guard makes a concurrent rename fail
/// loudly instead of changing someone else's password.
/// `ONLY`: without it PostgreSQL also writes the rows of the table's
/// inheritance children and fires their triggers (see `guard`); reads use
/// `ONLY` too, to see exactly the rows the writes change.
const SET_PASSWORD_SQL: &str =
    "UPDATE ONLY public.res_users SET password = $1 WHERE id = $2 AND login = $3";

/// The tables passwd writes (and the signaling tables of 19+).
pub const WRITTEN_TABLES: [&str; 1] = ["res_users"];

/// Writes the hash in its own transaction, under the tenant lock that
/// suspend/reactivate take, with the trigger guard before and after the
/// write. `before_commit` runs last (it shows or stores a generated
/// password): if it fails, the transaction is rolled back. The caller
/// signals after this.
pub async fn set_password(
    client: &mut Client,
    target: &PasswdTarget,
    hash: &str,
    allow_triggers: bool,
    deadline: Duration,
    before_commit: impl FnOnce() -> std::io::Result<()>,
) -> Result<i32, WriteError> {
    let tx = within(deadline, client.transaction())
        .await
        .map_err(|e| WriteError::before(e.context("begin"), None))?;
    let tables = target.signals.touched(&WRITTEN_TABLES);
    let check = |when: &'static str, d: Duration| {
        let tables = tables.clone();
        let tx = &tx;
        async move {
            if allow_triggers {
                return Ok(vec![]);
            }
            within_any(d, guard::findings(tx, &tables))
                .await
                .map_err(|e| e.context(when))
        }
    };
    let verdict = |found: anyhow::Result<Vec<guard::Finding>>, pid: i32| match found {
        Err(e) => Err(WriteError::before(e, Some(pid))),
        Ok(f) if f.is_empty() => Ok(()),
        Ok(f) => Err(WriteError::Refused(guard::refusal(&f))),
    };
    // Pipelined (the server runs them in this order): the tenant lock and the
    // guard before writing, which therefore looks under the lock.
    let (pid, found) = super::behind_lock(
        super::lock(&tx, deadline),
        check("before writing", deadline * 2),
        deadline,
    )
    .await?;
    let fail = |e: anyhow::Error| WriteError::before(e, Some(pid));
    verdict(found, pid)?;
    // Pipelined: the update and the guard after it (our ROW EXCLUSIVE lock
    // is held when it runs, see `guard`).
    let params: [(&(dyn tokio_postgres::types::ToSql + Sync), Type); 3] = [
        (&hash, Type::TEXT),
        (&target.id, Type::INT8),
        (&target.login, Type::TEXT),
    ];
    let (n, found) = tokio::join!(
        biased;
        within(deadline, tx.execute_typed(SET_PASSWORD_SQL, &params)),
        check("after writing", deadline),
    );
    let n = n.map_err(|e| fail(e.context("updating res_users.password")))?;
    if n != 1 {
        let _ = within(deadline, tx.rollback()).await;
        return Err(fail(anyhow!(
            "user {} (id {}) changed meanwhile; nothing written",
            target.login,
            target.id
        )));
    }
    verdict(found, pid)?;
    if let Err(e) = before_commit() {
        let _ = within(deadline, tx.rollback()).await;
        return Err(fail(anyhow!(
            "the new password could not be shown or stored ({e}); rolled back"
        )));
    }
    super::commit(tx, deadline, Some(pid)).await?;
    Ok(pid)
}

const HASH_SQL: &str = "SELECT password FROM ONLY public.res_users WHERE id = $1";

/// The stored hash of a user (verification after the commit, settling a lost
/// acknowledgement).
pub async fn stored_hash(
    client: &Client,
    id: i64,
    deadline: Duration,
) -> anyhow::Result<Option<String>> {
    let rows = within(deadline, client.query_typed(HASH_SQL, &[(&id, Type::INT8)])).await?;
    Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)))
}
