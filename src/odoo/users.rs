//! The user whose password `passwd` changes, and the change itself.

use anyhow::anyhow;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::signal::{Signals, DETECT_COLUMNS};
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
}

/// The target user: by login, or the one behind xmlid `base.user_admin`
/// (its login may be an e-mail; its id is 2 in practice but is resolved
/// through ir_model_data, never assumed). `totp_secret` exists only when
/// auth_totp is installed: its presence (and grant) is read from pg_attribute
/// first ([`super::privileges::totp_column`]), and at most `totp_secret IS
/// NOT NULL` is read, never the secret or any other column.
fn target_sql(totp: super::privileges::Totp) -> String {
    let totp = totp.flag_sql("u");
    format!(
        "SELECT u.id::int8, u.login, u.active, {totp}, \
         (SELECT value FROM ir_config_parameter WHERE key = 'auth_password_policy.minlength'), \
         (SELECT value FROM ir_config_parameter WHERE key = 'password.hashing.rounds'), \
         (SELECT latest_version FROM ir_module_module WHERE name = 'base'), \
         (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended'), \
         {DETECT_COLUMNS} \
         FROM res_users u \
         WHERE CASE WHEN $1::text IS NULL \
                    THEN u.id = (SELECT res_id FROM ir_model_data \
                                 WHERE module = 'base' AND name = 'user_admin' AND model = 'res.users') \
                    ELSE u.login = $1 END"
    )
}

pub async fn passwd_target(
    client: &Client,
    login: Option<&str>,
) -> anyhow::Result<Option<PasswdTarget>> {
    let totp = super::privileges::totp_column(client).await?;
    let rows = match client
        .query_typed(&target_sql(totp), &[(&login, Type::TEXT)])
        .await
    {
        Ok(r) => r,
        Err(e) if sqlstate(&e) == Some("42P01") => {
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
    }))
}

/// Odoo writes the hash with a raw `UPDATE res_users SET password=%s WHERE
/// id=%s` (res_users.py `_set_encrypted_password`), without touching
/// write_date; so do we. The login guard makes a concurrent rename fail
/// loudly instead of changing someone else's password.
const SET_PASSWORD_SQL: &str = "UPDATE res_users SET password = $1 WHERE id = $2 AND login = $3";

/// Writes the hash in its own transaction. The caller signals after this.
pub async fn set_password(
    client: &mut Client,
    target: &PasswdTarget,
    hash: &str,
) -> anyhow::Result<()> {
    let tx = client.transaction().await.map_err(|e| pg_error(&e))?;
    let n = tx
        .execute_typed(
            SET_PASSWORD_SQL,
            &[
                (&hash, Type::TEXT),
                (&target.id, Type::INT8),
                (&target.login, Type::TEXT),
            ],
        )
        .await
        .map_err(|e| pg_error(&e).context("updating res_users.password"))?;
    if n != 1 {
        tx.rollback().await.map_err(|e| pg_error(&e))?;
        return Err(anyhow!(
            "user {} (id {}) changed meanwhile; nothing written",
            target.login,
            target.id
        ));
    }
    tx.commit()
        .await
        .map_err(|e| pg_error(&e).context("commit"))?;
    Ok(())
}
