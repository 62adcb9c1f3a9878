//! Everything `show` tells about one tenant, in one round trip.

use std::collections::BTreeMap;

use anyhow::anyhow;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::error::{pg_error, sqlstate};

#[derive(Debug, Clone, serde::Serialize)]
pub struct UserLine {
    pub id: i64,
    pub login: String,
    /// `res_partner.name` of the user's partner.
    pub name: String,
    /// internal (`share` false) | portal (`share` true) | public (the
    /// public user, in `base.group_public`)
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub active: bool,
    /// `res_users.totp_secret` set (auth_totp); `None` when the role may not
    /// read that column (the least-privilege grants do not include it).
    pub two_factor: Option<bool>,
    pub last_login: Option<String>,
    /// The user behind xmlid `base.user_admin` (`passwd`'s default user).
    pub admin: bool,
    /// One of Odoo's built-in users that are not people: `default-user`
    /// (the default user template, 12–18), `portal-template` or
    /// `public-user`; `None` for real users. `show` lists them apart.
    pub builtin: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Details {
    pub version: String,
    pub size_bytes: Option<i64>,
    pub company: Option<String>,
    /// `tenant.*` and `database.create_date` ICP values.
    pub params: BTreeMap<String, String>,
    pub users: Vec<UserLine>,
    /// Whether `res_users.totp_secret` exists and may be read.
    pub totp: super::totp::Totp,
}

/// The newest login of every user found in the newest 10000 rows of `res_users_log` (a backward scan of its
/// primary key: `id` grows with time, as Odoo inserts them), as the CTE
/// `recent (create_uid, last)`.
const RECENT_LOGINS: &str = "recent AS (SELECT create_uid, max(create_date) AS last \
     FROM (SELECT create_uid, create_date FROM public.res_users_log ORDER BY id DESC LIMIT 10000) w \
     GROUP BY create_uid)";

/// A user's last login (`max(res_users_log.create_date)` of that user): from
/// `recent` when the user logged in lately; otherwise (never, or long ago)
/// from that user's rows alone, through the `create_uid` index (Odoo's and
/// the fixture's). The whole table is never read per user: `show` costs the
/// same with 0 or 500k login rows (it used to read every row of every user).
const LAST_LOGIN: &str =
    "to_char(coalesce(rl.last, (SELECT max(l.create_date) FROM public.res_users_log l \
       WHERE rl.create_uid IS NULL AND l.create_uid = u.id)), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

/// The users' last logins alone (what `show` runs for them), for the
/// benchmark to time.
pub fn last_login_sql() -> String {
    format!(
        "WITH {RECENT_LOGINS} SELECT {LAST_LOGIN} FROM public.res_users u \
         LEFT JOIN recent rl ON rl.create_uid = u.id WHERE u.id <> 1"
    )
}

/// Two statements (after `SET jit = off`), one round trip (simple-query protocol):
/// - the tenant: base `latest_version`, size, the first company (res_company
///   id 1 is the main company Odoo creates), ICP `database.create_date` (set by
///   Odoo at creation) and the `tenant.*` keys;
/// - the users but `__system__` (id 1): login, partner name, `share`
///   (portal/public) or not (internal), active, 2FA (`totp_secret IS NOT
///   NULL`, only when auth_totp's column exists and is granted, found in
///   pg_attribute first; the secret itself is never read), last login
///   (see [`LAST_LOGIN`]), active internal users first.
///
/// The public user (the website runs as it) is the one in `base.group_public`
/// or behind xmlid `base.public_user`; a NULL `active` (Odoo allows it)
/// reads as inactive. The built-in template users are the ones Odoo's base
/// module creates under xmlids `base.default_user` (12–18: the template
/// copied for new internal users) and `base.template_portal_user_id` (the
/// template of portal sign-ups, also named by ICP
/// `base.template_portal_user_id`, compared as text: a value the tenant
/// wrote is never cast), resolved through `ir_model_data` (odoo-facts §4).
fn details_sql(totp: super::totp::Totp) -> String {
    let totp = totp.flag_sql("u");
    let last_login = LAST_LOGIN;
    format!("SELECT (SELECT latest_version FROM public.ir_module_module WHERE name = 'base' AND state = 'installed'), \
            pg_database_size(current_database()), \
            (SELECT name FROM public.res_company ORDER BY id LIMIT 1), \
            (SELECT json_object_agg(key, value) FROM public.ir_config_parameter \
              WHERE key LIKE 'tenant.%' OR key = 'database.create_date'); \
     WITH {RECENT_LOGINS} \
     SELECT u.id::int8, u.login, coalesce(p.name, ''), u.share, coalesce(u.active, false), \
            {totp}, \
            {last_login}, \
            u.id IN (SELECT d.res_id FROM public.ir_model_data d WHERE d.module = 'base' AND d.name = 'public_user' AND d.model = 'res.users' \
                     UNION SELECT r.uid FROM public.res_groups_users_rel r JOIN public.ir_model_data g ON g.res_id = r.gid \
                      AND g.module = 'base' AND g.name = 'group_public' AND g.model = 'res.groups'), \
            u.id IN (SELECT d.res_id FROM public.ir_model_data d WHERE d.module = 'base' AND d.name = 'user_admin' AND d.model = 'res.users'), \
            CASE WHEN u.id IN (SELECT d.res_id FROM public.ir_model_data d WHERE d.module = 'base' AND d.name = 'default_user' AND d.model = 'res.users') THEN 'default-user' \
                 WHEN u.id IN (SELECT d.res_id FROM public.ir_model_data d WHERE d.module = 'base' AND d.name = 'template_portal_user_id' AND d.model = 'res.users') \
                   OR u.id::text IN (SELECT btrim(c.value) FROM public.ir_config_parameter c WHERE c.key = 'base.template_portal_user_id') THEN 'portal-template' END \
       FROM public.res_users u LEFT JOIN public.res_partner p ON p.id = u.partner_id \
      LEFT JOIN recent rl ON rl.create_uid = u.id \
      WHERE u.id <> 1 \
      ORDER BY (coalesce(u.active, false) AND NOT u.share) DESC, coalesce(u.active, false) DESC, u.share, u.login")
}

pub async fn details(client: &Client) -> anyhow::Result<Details> {
    let totp = super::totp::totp_column(client).await?;
    // `SET jit = off` first, in the same round trip: the planner prices the
    // per-user fallback of LAST_LOGIN by the table's size and, on a tenant
    // with 500k login rows, JIT-compiles the query (about 140 ms) to run it
    // in 3 ms. The connection is this command's own.
    let sql = format!("SET jit = off; {}", details_sql(totp));
    let msgs = match client.simple_query(&sql).await {
        Ok(m) => m,
        Err(e) if sqlstate(&e) == Some(&crate::error::SqlState::UNDEFINED_TABLE) => {
            return Err(anyhow::Error::new(super::NotOdoo(
                "no ir_module_module / res_users table",
            )))
        }
        Err(e) => return Err(pg_error(&e)),
    };
    let mut sets: Vec<Vec<tokio_postgres::SimpleQueryRow>> = vec![vec![]];
    for m in msgs {
        match m {
            SimpleQueryMessage::Row(r) => sets.last_mut().expect("one set").push(r),
            SimpleQueryMessage::CommandComplete(_) => sets.push(vec![]),
            _ => {}
        }
    }
    // The SET's (empty) result comes first.
    sets.remove(0);
    let head = sets
        .first()
        .and_then(|s| s.first())
        .ok_or_else(|| anyhow!("no tenant row"))?;
    let version = head
        .get(0)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| anyhow::Error::new(super::NotOdoo("no installed `base` module")))?
        .to_string();
    let params = match head.get(3) {
        Some(j) => serde_json::from_str(j)?,
        None => BTreeMap::new(),
    };
    let users = sets
        .get(1)
        .map(|rows| {
            rows.iter()
                .map(|r| UserLine {
                    id: r.get(0).and_then(|v| v.parse().ok()).unwrap_or(0),
                    login: r.get(1).unwrap_or_default().to_string(),
                    name: r.get(2).unwrap_or_default().to_string(),
                    kind: if r.get(7) == Some("t") {
                        "public"
                    } else if r.get(3) == Some("t") {
                        "portal"
                    } else {
                        "internal"
                    },
                    active: r.get(4) == Some("t"),
                    two_factor: r.get(5).map(|v| v == "t"),
                    last_login: r.get(6).map(str::to_string),
                    admin: r.get(8) == Some("t"),
                    builtin: if r.get(7) == Some("t") {
                        Some("public-user")
                    } else {
                        match r.get(9) {
                            Some("default-user") => Some("default-user"),
                            Some("portal-template") => Some("portal-template"),
                            _ => None,
                        }
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Details {
        version,
        size_bytes: head.get(1).and_then(|v| v.parse().ok()),
        company: head.get(2).map(str::to_string),
        params,
        users,
        totp,
    })
}
