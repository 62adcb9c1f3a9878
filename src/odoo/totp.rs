//! Whether `res_users.totp_secret` (module auth_totp) exists and may be
//! read: what `show`'s details and `passwd`'s target select as "the user has
//! a second factor". Its own module, below `details`, `users` and
//! `privileges`, which all use it.

use tokio_postgres::GenericClient;

/// Whether `res_users.totp_secret` (module auth_totp) exists and whether the
/// role may read it. Nothing ever reads the secret itself: at most
/// `totp_secret IS NOT NULL`, and only when the column is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Totp {
    /// No such column (auth_totp not installed): no second factor.
    Absent,
    /// The column exists and the role has SELECT on it.
    Readable,
    /// The column exists and is not granted: unknown (NULL).
    NotGranted,
}

impl Totp {
    /// The SQL expression for "this user has a second factor" (NULL when
    /// unknown), on `res_users` aliased `alias`.
    pub fn flag_sql(self, alias: &str) -> String {
        match self {
            Totp::Absent => "false".to_string(),
            Totp::NotGranted => "NULL::bool".to_string(),
            Totp::Readable => format!("{alias}.totp_secret IS NOT NULL"),
        }
    }
}

/// pg_attribute is readable by every role: existence and privilege in one
/// catalog query, without touching res_users.
const TOTP_SQL: &str = "SELECT a.attnum IS NOT NULL, \
     coalesce(has_column_privilege(c.oid, a.attnum, 'SELECT'), false) \
     FROM (SELECT pg_catalog.to_regclass('public.res_users') AS oid) c \
     LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
          AND a.attname = 'totp_secret' AND a.attnum > 0 AND NOT a.attisdropped";

pub async fn totp_column(client: &impl GenericClient) -> anyhow::Result<Totp> {
    let rows = super::probe::simple_rows(client, TOTP_SQL).await?;
    let r = rows.first();
    Ok(
        match (
            r.and_then(|r| r.get(0)) == Some("t"),
            r.and_then(|r| r.get(1)) == Some("t"),
        ) {
            (false, _) => Totp::Absent,
            (true, true) => Totp::Readable,
            (true, false) => Totp::NotGranted,
        },
    )
}
