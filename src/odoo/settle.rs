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
const TOKEN_SQL: &str = "SELECT value FROM public.ir_config_parameter WHERE key = $1";

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

/// A random token for one write (16 bytes of the OS generator, hex).
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
