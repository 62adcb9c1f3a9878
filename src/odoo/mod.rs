//! Everything tenantctl knows about Odoo: how to recognise a tenant database,
//! how Odoo hashes passwords, how suspension is recorded, and how running Odoo
//! workers are told that cached data changed. Every SQL statement of tenantctl
//! lives below this module, next to the Odoo behaviour it relies on.

pub mod argon2_guard;
pub mod backup;
pub mod check;
pub mod details;
pub mod gate;
pub mod guard;
pub mod health;
pub mod layers;
pub mod lifecycle;
pub mod loader;
pub mod manifest;
pub mod neutralize;
pub mod password;
pub mod privileges;
pub mod probe;
pub mod settle;
pub mod signal;
pub mod suspension;
pub mod totp;
pub mod upgrade;
pub mod users;
pub mod uuid;
pub mod versions;

/// ICP keys written by tenantctl (and, for `tenant.suspended`, by the old node
/// agent before it).
pub mod keys {
    pub const SUSPENDED: &str = "tenant.suspended";
    pub const SUSPENDED_AT: &str = "tenant.suspended_at";
    pub const SUSPENDED_BY: &str = "tenant.suspended_by";
    pub const SUSPENDED_REASON: &str = "tenant.suspended_reason";
    pub const SUSPENDED_USER_IDS: &str = "tenant.suspended_user_ids";
    /// Layer records (see `layers`): the `ir_cron` ids switched off, what the
    /// mail layer switched off (JSON object), the layers applied (JSON array).
    pub const SUSPENDED_CRON_IDS: &str = "tenant.suspended_cron_ids";
    pub const SUSPENDED_MAIL: &str = "tenant.suspended_mail";
    pub const SUSPENDED_LAYERS: &str = "tenant.suspended_layers";
    pub const REACTIVATED_AT: &str = "tenant.reactivated_at";
    pub const REACTIVATED_BY: &str = "tenant.reactivated_by";
    /// A random token written by every suspend/reactivate transaction: after a
    /// lost COMMIT acknowledgement, finding our token tells that the commit
    /// happened (see `settle`).
    pub const WRITE_TOKEN: &str = "tenant.write_token";
    /// Odoo's portal template user (also an xmlid of module base).
    pub const TEMPLATE_PORTAL_USER: &str = "base.template_portal_user_id";
    /// Set by Odoo's `auth_password_policy` module (absent when not installed).
    pub const MIN_LENGTH: &str = "auth_password_policy.minlength";
    /// Odoo 16+: `pbkdf2_sha512__rounds = max(MIN_ROUNDS, this)`.
    pub const HASHING_ROUNDS: &str = "password.hashing.rounds";
}

/// A database that Odoo would not treat as one of its own (no
/// `ir_module_module` / Odoo tables, or no installed `base`).
#[derive(Debug)]
pub struct NotOdoo(pub &'static str);

impl std::fmt::Display for NotOdoo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not an Odoo database ({})", self.0)
    }
}

impl std::error::Error for NotOdoo {}

/// Whether `e` (any context around it) says the database is not Odoo's.
pub fn is_not_odoo(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<NotOdoo>())
}

pub use versions::{major_from_version, series_from_version};

/// A statement that got no answer within its client-side deadline (the
/// server's `statement_timeout` plus a margin): the connection is frozen or
/// dead.
#[derive(Debug)]
pub struct Timeout(pub std::time::Duration);

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no answer from the server within {} (client deadline)",
            humantime::format_duration(self.0)
        )
    }
}

impl std::error::Error for Timeout {}

/// Awaits one statement with a client-side deadline; server errors keep
/// their own words ([`pg_error`](crate::error::pg_error)).
pub async fn within<T>(
    deadline: std::time::Duration,
    f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(deadline, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(crate::error::pg_error(&e)),
        Err(_) => Err(anyhow::Error::new(Timeout(deadline))),
    }
}

/// Whether a kept (idle) connection still answers at once: an empty query
/// (PostgreSQL answers EmptyQueryResponse, nothing runs). A statement of an
/// earlier step still running on it (a client-side deadline gave up on it)
/// or a dead peer makes this fail within `deadline`, and the caller opens a
/// new connection instead.
pub async fn answers(client: &tokio_postgres::Client, deadline: std::time::Duration) -> bool {
    within(deadline, client.simple_query("")).await.is_ok()
}

/// [`within`] for a future that already gives anyhow errors.
pub async fn within_any<T>(
    deadline: std::time::Duration,
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(deadline, f).await {
        Ok(r) => r,
        Err(_) => Err(anyhow::Error::new(Timeout(deadline))),
    }
}

/// Whether an error came from the client side (connection lost, deadline)
/// rather than from the server's answer.
pub fn is_client_side(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.is::<Timeout>() || c.is::<crate::error::Connection>())
}

/// How a write transaction ended when it did not return its result.
#[derive(Debug)]
pub enum WriteError {
    /// Nothing was committed: the transaction failed before COMMIT, or the
    /// server refused the COMMIT. `pid` is our backend, which may still hold
    /// the transaction open when the client gave up on a frozen connection.
    NotCommitted {
        error: anyhow::Error,
        pid: Option<i32>,
    },
    /// COMMIT was sent and no answer came: the change may or may not have
    /// committed (settle it, see [`settle`]).
    CommitLost {
        error: anyhow::Error,
        pid: Option<i32>,
        /// Users the transaction switched (for the report once settled).
        users: usize,
        /// What the transaction wrote, compared with what the database
        /// holds when settling (see [`settle::committed_signs`]).
        written: settle::Written,
    },
    /// Refused before anything was written (triggers, a record that cannot be
    /// read, ...).
    Refused(String),
}

impl WriteError {
    pub fn before(error: anyhow::Error, pid: Option<i32>) -> WriteError {
        WriteError::NotCommitted { error, pid }
    }
}

tokio::task_local! {
    /// Set by the caller around one target's work ([`tracking_sent`]).
    static SENT: std::sync::Arc<std::sync::atomic::AtomicBool>;
}

/// Runs `f` with `flag` as its marker of "a change may have reached the
/// server": [`mark_sent`] sets it just before a COMMIT or a statement that
/// commits by itself (`ALTER DATABASE`) is sent. Work stopped before that
/// changed nothing (PostgreSQL rolls back a transaction whose connection
/// goes); after it, the change may or may not have been committed.
pub async fn tracking_sent<F: std::future::Future>(
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
    f: F,
) -> F::Output {
    SENT.scope(flag, f).await
}

/// See [`tracking_sent`]; nothing outside it.
pub fn mark_sent() {
    let _ = SENT.try_with(|f| f.store(true, std::sync::atomic::Ordering::SeqCst));
}

/// Commits, telling a lost acknowledgement (client side) from a refused
/// COMMIT (server's answer: nothing committed).
pub async fn commit(
    tx: tokio_postgres::Transaction<'_>,
    deadline: std::time::Duration,
    pid: Option<i32>,
) -> Result<(), WriteError> {
    mark_sent();
    match within(deadline, tx.commit()).await {
        Ok(()) => Ok(()),
        Err(error) if is_client_side(&error) => Err(WriteError::CommitLost {
            error: error.context("commit"),
            pid,
            users: 0,
            written: settle::Written::default(),
        }),
        Err(error) => Err(WriteError::NotCommitted {
            error: error.context("commit"),
            pid,
        }),
    }
}

/// The advisory lock key that serialises tenantctl's writes on one tenant
/// (advisory locks are per database, so one fixed key serves every tenant).
/// "tenant" in ASCII.
pub const TENANT_LOCK_KEY: i64 = 0x7465_6e61_6e74;

/// Takes the tenant lock and returns our backend's pid (to end it if the
/// connection freezes). Waits at most the node's `statement_timeout` for
/// another tenantctl run on the same tenant. A session lock, not a
/// transaction lock: it is held past the COMMIT, through the cache signal and
/// the re-read that verifies the change, until the connection (used for this
/// one tenant only) closes — so what the re-read sees was not written by
/// another tenantctl run, and a difference is drift. Ending the session (a
/// lost connection, `pg_terminate_backend` when settling) releases it.
pub const LOCK_SQL: &str = "SELECT pg_advisory_lock($1), pg_backend_pid()";

/// Pipelines `rest` behind `lock` (one round trip): `lock` is sent first and
/// `rest` right behind it, so the server runs `rest` once the lock is held.
/// When the lock fails, returns at once (the rest fails with the aborted
/// transaction and is dropped); once it is held, `rest` gets at most
/// `deadline` more: no longer bound than the statements one at a time.
pub async fn behind_lock<R>(
    lock: impl std::future::Future<Output = Result<i32, WriteError>>,
    rest: impl std::future::Future<Output = R>,
    deadline: std::time::Duration,
) -> Result<(i32, R), WriteError> {
    let mut lock = std::pin::pin!(lock);
    let mut rest = std::pin::pin!(rest);
    // Polled in this order (biased): the first poll sends both.
    let first = tokio::select! {
        biased;
        pid = &mut lock => Ok(pid?),
        r = &mut rest => Err(r),
    };
    match first {
        Ok(pid) => match tokio::time::timeout(deadline, rest).await {
            Ok(r) => Ok((pid, r)),
            Err(_) => Err(WriteError::before(
                anyhow::Error::new(Timeout(deadline)),
                Some(pid),
            )),
        },
        Err(r) => Ok((lock.await?, r)),
    }
}

pub async fn lock(
    tx: &tokio_postgres::Transaction<'_>,
    deadline: std::time::Duration,
) -> Result<i32, WriteError> {
    use tokio_postgres::types::Type;
    let rows = within(
        deadline,
        tx.query_typed(LOCK_SQL, &[(&TENANT_LOCK_KEY, Type::INT8)]),
    )
    .await
    .map_err(|e| WriteError::before(e.context(TenantLockWait), None))?;
    Ok(rows.first().map(|r| r.get::<_, i32>(1)).unwrap_or(0))
}

/// The context of a failure to take the tenant lock (in its time): the
/// report then names who holds it ([`lock_holders`]).
#[derive(Debug)]
pub struct TenantLockWait;

impl std::fmt::Display for TenantLockWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("taking the tenant lock")
    }
}

/// The sessions holding this database's tenant lock ([`TENANT_LOCK_KEY`])
/// other than ours: pid, application, user, client, state, seconds in their
/// transaction, the start of their statement. Run after the failed wait (the
/// `pg_blocking_pids` of a waiting backend are these sessions, but a
/// connection cannot ask while it waits). Relies on `pg_locks` showing a
/// bigint advisory key with its high half in `classid`, its low half in
/// `objid` and `objsubid` = 1 (PostgreSQL's documentation of `pg_locks`),
/// and on `pg_stat_activity`'s row of that pid (`query` reads
/// `<insufficient privilege>` for another role's session without
/// pg_read_all_stats).
const LOCK_HOLDERS_SQL: &str = "SELECT a.pid, coalesce(a.application_name, ''), \
     coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local'), \
     coalesce(a.state, ''), coalesce(extract(epoch FROM now() - a.xact_start)::int8, -1), \
     left(coalesce(a.query, ''), 80) \
     FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
     AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
     AND l.classid = ($1 >> 32)::oid AND l.objid = ($1 & 4294967295)::oid \
     AND l.pid <> pg_backend_pid() ORDER BY a.pid";

/// Who holds the tenant lock, one text per session (see [`LOCK_HOLDERS_SQL`]).
pub async fn lock_holders(
    client: &tokio_postgres::Client,
    deadline: std::time::Duration,
) -> anyhow::Result<Vec<String>> {
    use tokio_postgres::types::Type;
    let rows = within(
        deadline,
        client.query_typed(LOCK_HOLDERS_SQL, &[(&TENANT_LOCK_KEY, Type::INT8)]),
    )
    .await?;
    Ok(rows.iter().map(holder_text).collect())
}

/// `pid N (application "a", user u, from h, state, in a transaction for Ns,
/// last statement "…")`: a row of [`LOCK_HOLDERS_SQL`] or
/// [`TABLE_LOCK_HOLDERS_SQL`], its session's text escaped.
fn holder_text(r: &tokio_postgres::Row) -> String {
    let app: String = r.get(1);
    let secs: i64 = r.get(5);
    let query: String = r.get(6);
    format!(
        "pid {} ({}user {}, from {}, {}{}{})",
        r.get::<_, i32>(0),
        if app.is_empty() {
            String::new()
        } else {
            format!("application {:?}, ", crate::text::esc(&app))
        },
        crate::text::esc(&r.get::<_, String>(2)),
        r.get::<_, String>(3),
        crate::text::esc(&r.get::<_, String>(4)),
        if secs >= 0 {
            format!(", in a transaction for {secs}s")
        } else {
            String::new()
        },
        if query.is_empty() {
            String::new()
        } else {
            format!(", last statement {:?}", crate::text::esc(&query))
        },
    )
}

/// The sessions other than ours that hold a lock on one of the tables
/// tenantctl reads or writes in this tenant, stronger than the plain read
/// lock (`AccessShareLock`): an Odoo worker or an operator's session that
/// locked a table (`LOCK TABLE`, an `ALTER TABLE` of a module update) or
/// wrote rows in a transaction still open (`RowExclusiveLock`: the rows it
/// wrote stay locked until it ends). A statement of ours that ran out of
/// time was most likely waiting for one of them; asked after the failure,
/// on the same connection (a backend cannot be asked while it waits).
/// Relies on `pg_locks` (locktype `relation`, `granted`) and
/// `pg_stat_activity` as [`LOCK_HOLDERS_SQL`] does.
const TABLE_LOCK_HOLDERS_SQL: &str = "SELECT a.pid, coalesce(a.application_name, ''), \
     coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local'), \
     coalesce(a.state, ''), coalesce(extract(epoch FROM now() - a.xact_start)::int8, -1), \
     left(coalesce(a.query, ''), 80), \
     string_agg(DISTINCT c.relname::text || ' ' || l.mode, ', ') \
     FROM pg_catalog.pg_locks l \
     JOIN pg_catalog.pg_class c ON c.oid = l.relation \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' \
     JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
     WHERE l.locktype = 'relation' AND l.granted AND l.mode <> 'AccessShareLock' \
     AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
     AND c.relname = ANY($1) AND l.pid <> pg_backend_pid() \
     GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY a.pid";

/// The tables whose locks [`table_lock_holders`] looks at: what suspend,
/// reactivate and passwd read and write, and Odoo's signaling tables (19+).
fn locked_tables() -> Vec<&'static str> {
    let mut t = suspension::WRITTEN_TABLES.to_vec();
    t.extend([
        "res_users_log",
        "orm_signaling_registry",
        "orm_signaling_cache",
    ]);
    t
}

/// Who holds a lock on the tenant's tables that a statement of ours may
/// have waited for, one text per session (see [`TABLE_LOCK_HOLDERS_SQL`]).
pub async fn table_lock_holders(
    client: &tokio_postgres::Client,
    deadline: std::time::Duration,
) -> anyhow::Result<Vec<String>> {
    use tokio_postgres::types::Type;
    let tables = locked_tables();
    let rows = within(
        deadline,
        client.query_typed(TABLE_LOCK_HOLDERS_SQL, &[(&tables, Type::TEXT_ARRAY)]),
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let locks: String = r.get(7);
            format!("{} holding {}", holder_text(r), crate::text::esc(&locks))
        })
        .collect())
}
