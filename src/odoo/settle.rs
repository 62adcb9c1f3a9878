//! Settling a write whose COMMIT acknowledgement was lost, or whose
//! connection froze: on a new connection, end our old backend if it is still
//! there (an uncommitted transaction then rolls back, a committed one stays),
//! then read what the database holds.

use std::time::{Duration, Instant};

use tokio_postgres::types::Type;
use tokio_postgres::Client;

use super::{keys, within};

/// Ends our old backend (same database, still connected) and waits until it
/// is gone. Non-superusers may end backends of their own role.
const END_BACKEND_SQL: &str = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
     WHERE pid = $1 AND datname = current_database()";
const BACKEND_GONE_SQL: &str = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)";

pub async fn end_backend(client: &Client, pid: i32, deadline: Duration) -> anyhow::Result<()> {
    within(
        deadline,
        client.query_typed(END_BACKEND_SQL, &[(&pid, Type::INT4)]),
    )
    .await?;
    let t0 = Instant::now();
    while t0.elapsed() < deadline {
        let rows = within(
            deadline,
            client.query_typed(BACKEND_GONE_SQL, &[(&pid, Type::INT4)]),
        )
        .await?;
        if rows.first().is_some_and(|r| r.get::<_, bool>(0)) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("our earlier session (backend {pid}) did not end")
}

/// The token of the last suspend/reactivate that committed on this tenant.
const TOKEN_SQL: &str = "SELECT value FROM ONLY public.ir_config_parameter WHERE key = $1";

/// Whether the suspend/reactivate that wrote `token` committed.
pub async fn token_committed(
    client: &Client,
    token: &str,
    deadline: Duration,
) -> anyhow::Result<bool> {
    let rows = within(
        deadline,
        client.query_typed(TOKEN_SQL, &[(&keys::WRITE_TOKEN, Type::TEXT)]),
    )
    .await?;
    Ok(rows
        .first()
        .and_then(|r| r.get::<_, Option<String>>(0))
        .is_some_and(|v| v == token))
}

/// What a suspend/reactivate wrote, kept to settle a lost COMMIT
/// acknowledgement. `tenant.write_token` lives in `ir_config_parameter`,
/// which the tenant can write: its absence alone does not prove that the
/// commit did not happen.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// `res_users` ids the write switched from the opposite state to
    /// `users_active` (RETURNING of `WHERE active` / `WHERE NOT active`).
    pub users: Vec<i64>,
    pub users_active: bool,
    /// `ir_cron` ids switched likewise to `crons_active`.
    pub crons: Vec<i64>,
    pub crons_active: bool,
    /// ICP keys whose value the write changed: (key, value written or None
    /// when deleted, value read before the write).
    pub params: Vec<(String, Option<String>, Option<String>)>,
}

/// Users / jobs of `$1` whose `active` is `$2` (NULL read as inactive, as
/// Odoo's login does).
const SIGN_USERS_SQL: &str =
    "SELECT coalesce(array_agg(id::int8 ORDER BY id), '{}') FROM ONLY public.res_users \
     WHERE id = ANY($1) AND coalesce(active, false) = $2";
const SIGN_CRONS_SQL: &str =
    "SELECT coalesce(array_agg(id::int8 ORDER BY id), '{}') FROM ONLY public.ir_cron \
     WHERE id = ANY($1) AND coalesce(active, false) = $2";
/// ICP values (`UNIQUE(key)`): one row per key present.
const SIGN_PARAMS_SQL: &str =
    "SELECT key::text, value::text FROM ONLY public.ir_config_parameter WHERE key = ANY($1)";

/// What the database shows that the write committed, besides the token:
/// users or jobs in the state the write left them (they were in the other
/// state before it), ICP keys holding the value written where it differs
/// from the value before. Empty when everything is as before the write.
/// One round trip (pipelined reads).
pub async fn committed_signs(
    client: &Client,
    w: &Written,
    deadline: Duration,
) -> anyhow::Result<Vec<String>> {
    let keys: Vec<&str> = w.params.iter().map(|(k, _, _)| k.as_str()).collect();
    let (users, crons, params) = tokio::join!(
        biased;
        async {
            if w.users.is_empty() {
                return Ok(vec![]);
            }
            within(
                deadline,
                client.query_typed(
                    SIGN_USERS_SQL,
                    &[(&w.users, Type::INT8_ARRAY), (&w.users_active, Type::BOOL)],
                ),
            )
            .await
            .map(|r| r.first().map(|r| r.get::<_, Vec<i64>>(0)).unwrap_or_default())
        },
        async {
            if w.crons.is_empty() {
                return Ok(vec![]);
            }
            within(
                deadline,
                client.query_typed(
                    SIGN_CRONS_SQL,
                    &[(&w.crons, Type::INT8_ARRAY), (&w.crons_active, Type::BOOL)],
                ),
            )
            .await
            .map(|r| r.first().map(|r| r.get::<_, Vec<i64>>(0)).unwrap_or_default())
        },
        async {
            if keys.is_empty() {
                return Ok(vec![]);
            }
            within(
                deadline,
                client.query_typed(SIGN_PARAMS_SQL, &[(&keys, Type::TEXT_ARRAY)]),
            )
            .await
            .map(|rows| {
                rows.iter()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, Option<String>>(1)))
                    .collect::<Vec<_>>()
            })
        },
    );
    let (users, crons, params) = (users?, crons?, params?);
    let state = |on: bool| if on { "active" } else { "inactive" };
    let mut signs = Vec::new();
    if !users.is_empty() {
        signs.push(format!(
            "users {users:?} are {} as the write left them",
            state(w.users_active)
        ));
    }
    if !crons.is_empty() {
        signs.push(format!(
            "scheduled jobs {crons:?} are {} as the write left them",
            state(w.crons_active)
        ));
    }
    for (key, new, old) in &w.params {
        if new == old {
            continue;
        }
        let live = params
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone());
        if &live == new {
            signs.push(match new {
                Some(_) => format!("{key} holds the value written"),
                None => format!("{key} is deleted as the write did"),
            });
        }
    }
    Ok(signs)
}

/// A random token for one write (16 bytes of the OS generator, hex).
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
