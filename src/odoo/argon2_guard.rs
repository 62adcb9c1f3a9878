//! `password_scheme = "argon2id"` only where the tenant's Odoo verifies
//! argon2.
//!
//! Stock Odoo's CryptContext is `['pbkdf2_sha512', 'plaintext']`: an argon2
//! string in `res_users.password` is taken as a *plaintext* password, so
//! anyone who can read `res_users` could log in by typing the stored string.
//! The evidence that a tenant's Odoo verifies argon2 is in the tenant itself:
//! argon2 hashes that users who log in still have. Stock Odoo would have
//! rewritten such a "plaintext" string as pbkdf2 at the user's next login
//! (plaintext is deprecated in its CryptContext: 12–15 `deprecated=
//! ['plaintext']`, 16+ `deprecated=['auto']`), so an argon2 hash kept by a
//! user with a login recorded after it was written shows a CryptContext that
//! verifies argon2 and keeps it. We cannot see when a hash was written; we
//! require at least one `$argon2` hash of a user (not `__system__`) who has a
//! `res_users_log` row, and refuse otherwise (exit 2), saying why.
//!
//! Needs `SELECT (id, password)` on `res_users` and `SELECT (create_uid)` on
//! `res_users_log`; only counts leave the server.

use tokio_postgres::Client;

use crate::error::pg_error;
use crate::inventory::PasswordScheme;

const EVIDENCE_SQL: &str = "SELECT \
     count(*) FILTER (WHERE u.password LIKE '$argon2%'), \
     count(*) FILTER (WHERE u.password LIKE '$argon2%' \
                        AND EXISTS (SELECT 1 FROM ONLY public.res_users_log l WHERE l.create_uid = u.id)) \
     FROM ONLY public.res_users u WHERE u.id <> 1";

/// `None` when the scheme may be written to this tenant; the refusal (to be
/// reported as refused, exit 2) when argon2id is configured without evidence.
pub async fn refusal(client: &Client, scheme: PasswordScheme) -> anyhow::Result<Option<String>> {
    if scheme != PasswordScheme::Argon2id {
        return Ok(None);
    }
    let rows = client.simple_query(EVIDENCE_SQL).await.map_err(|e| {
        pg_error(&e).context(
            "checking for argon2 hashes (password_scheme = \"argon2id\" needs SELECT (id, password) on res_users)",
        )
    })?;
    let row = rows.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
        _ => None,
    });
    let n = |i: usize| -> i64 {
        row.and_then(|r| r.get(i))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (any, used) = (n(0), n(1));
    if used > 0 {
        return Ok(None);
    }
    let why = if any == 0 {
        "no user of this tenant has an argon2 hash"
    } else {
        "its argon2 hashes belong to users who never logged in"
    };
    Ok(Some(format!(
        "refusing password_scheme \"argon2id\": {why}, so nothing shows that this tenant's Odoo verifies argon2 (stock Odoo takes an argon2 string as a plaintext password: a login fails, and typing the stored string succeeds); use \"pbkdf2-sha512\"; nothing changed"
    )))
}
