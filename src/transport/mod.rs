//! How tenantctl reaches a node's PostgreSQL: connection settings, TLS, the
//! per-node and global connection limits, and SSH tunnels.

pub mod host;
pub mod ssh;
pub mod startup;
pub(crate) mod tls;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::UnixStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::pg_error;
use crate::inventory::{Host, Node, SslMode};
use crate::pgpass::PassFile;

/// How a node is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Direct,
    /// Through the node's SSH tunnel ([`ssh::Tunnel`]).
    Ssh,
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Via::Direct => "direct",
            Via::Ssh => "ssh",
        })
    }
}

/// What the transport has to tell the operator besides its errors (an SSH
/// host key recorded, a tunnel opened or closed, how long that took). The
/// transport prints nothing itself: the command layer gives each link where
/// its notices go ([`NodeLink::with_notices`]) and shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A warning (shown unless the run is quiet).
    Warn(String),
    /// A detail (shown only when the run is verbose).
    Detail(String),
}

/// Where a link's [`Notice`]s go.
pub type Notices = Arc<dyn Fn(Notice) + Send + Sync>;

/// What a client allows beyond the server's own `statement_timeout` before
/// it gives up on a statement (network, a slow COMMIT).
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(2);

/// Settings of every session tenantctl opens:
/// - `search_path = pg_catalog`: a tenant owns its database and can create
///   schemas, tables, functions and operators in it; nothing it creates may
///   shadow what tenantctl reads or writes (a schema named after our role, or
///   an operator `public.=(varchar, text)` would otherwise win name
///   resolution). Every tenant table is named `public.<table>` in the odoo
///   layer; functions and operators resolve in pg_catalog only.
/// - `statement_timeout`: the node's limit per statement.
/// - `idle_in_transaction_session_timeout`: if the client vanishes inside a
///   transaction (frozen network), the server ends the session and rolls back
///   instead of holding the tenant's locks.
///
/// Sent as the startup `options`, or, for a node behind PgBouncer, as `SET` /
/// `SET LOCAL` statements right after connecting ([`startup`]).
pub fn session_settings(statement_timeout: Duration) -> Vec<(&'static str, String)> {
    let st = statement_timeout.as_millis().max(1);
    let idle = (statement_timeout + DEADLINE_MARGIN).as_millis() * 2;
    vec![
        ("search_path", "pg_catalog".to_string()),
        ("statement_timeout", st.to_string()),
        ("idle_in_transaction_session_timeout", idle.to_string()),
        // A table with row security is an error to read instead of running
        // the tenant's policies (see `odoo::gate`); 9.5+.
        ("row_security", "off".to_string()),
    ]
}

/// [`session_settings`] as libpq's `options` value.
pub fn session_options(statement_timeout: Duration) -> String {
    startup::options(&session_settings(statement_timeout))
}

/// A check every new connection passes before it is handed out: a first
/// simple query (it may hold several statements) sent right after the
/// session settings, in the same round trip, and a verdict on its rows that
/// may ask for one more query (a closer look, only when the first found
/// something). The Odoo layer supplies it (`odoo::gate`); the transport
/// knows nothing of tables.
pub trait OnConnect: Send + Sync {
    /// The first statements; `pooler` says whether a setting must be `LOCAL`.
    fn sql(&self, pooler: startup::Pooler) -> String;
    /// The verdict on the first query's messages.
    fn verdict(&self, messages: &[tokio_postgres::SimpleQueryMessage]) -> Verdict;
    /// The verdict on the closer look's messages ([`Verdict::Inspect`]).
    fn inspected(&self, messages: &[tokio_postgres::SimpleQueryMessage]) -> anyhow::Result<()>;
}

/// What [`OnConnect::verdict`] decides.
pub enum Verdict {
    Pass,
    /// The connection is refused (closed, never used).
    Refuse(anyhow::Error),
    /// Run this query and decide with [`OnConnect::inspected`].
    Inspect(String),
}

/// Shared by all connections of a run.
pub struct Transport {
    passfile: PassFile,
    global: Arc<Semaphore>,
    on_connect: Option<Arc<dyn OnConnect>>,
}

impl Transport {
    pub fn new(concurrency: usize) -> Transport {
        let passfile = PassFile::load();
        Transport {
            passfile,
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            on_connect: None,
        }
    }
    /// Every connection of the run passes `check` first.
    pub fn with_check(mut self, check: Arc<dyn OnConnect>) -> Transport {
        self.on_connect = Some(check);
        self
    }
    /// A warning about the pass file to show once, if any.
    pub fn passfile_warning(&self) -> Option<&str> {
        self.passfile.warning.as_deref()
    }
    /// The pass file read at start (for PostgreSQL's own tools, issue 15).
    pub fn passfile(&self) -> &PassFile {
        &self.passfile
    }
}

/// A node ready to be connected to: its settings, its connection limit, its
/// TLS configuration.
pub struct NodeLink {
    pub node: Node,
    pub via: Via,
    limit: Arc<Semaphore>,
    /// The limit once sized from the server (nodes without
    /// `max_connections` in the inventory, see [`NodeLink::size_from`]).
    sized: std::sync::OnceLock<usize>,
    tls: Result<Option<MakeRustlsConnect>, String>,
    /// Set for nodes with an `ssh` table; opened by the first connection.
    tunnel: Option<ssh::Tunnel>,
    /// Where the node's filestore commands run ([`NodeLink::files_command`]).
    files_at: FilesAt,
}

/// Where a node's filestore is reached (`filestore_host`).
#[derive(Clone, Default)]
pub enum FilesAt {
    /// The node's host: over its SSH master, else on this machine.
    #[default]
    Node,
    /// On this machine (Odoo runs here, with its files).
    Local,
    /// On Odoo's own SSH host (`odoo.host = { ssh table }`).
    Host(Arc<host::apphost::CommandHost>),
}

/// An open connection to one database; holds its slots in the per-node and
/// global limits until dropped (or, kept idle for reuse, until
/// [`Conn::release_slots`]).
pub struct Conn {
    pub client: Client,
    /// The client-side deadline of one statement: the node's
    /// `statement_timeout` plus [`DEADLINE_MARGIN`].
    pub deadline: Duration,
    slots: Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)>,
}

impl Conn {
    /// Gives the connection's slots back while it sits idle (a connection
    /// kept for reuse counts in the limits only while it is used; see
    /// [`NodeLink::reacquire`]).
    pub fn release_slots(&mut self) {
        self.slots = None;
    }
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl NodeLink {
    pub fn new(node: Node) -> NodeLink {
        let client_files = tls::ClientFiles {
            cert: node.sslcert.clone(),
            key: node.sslkey.clone(),
        };
        let tls = tls::client_config(node.sslmode, node.sslrootcert.as_deref(), &client_files)
            .map(|c| c.map(MakeRustlsConnect::new))
            .map_err(|e| format!("{e:#}"));
        let tunnel = ssh::Tunnel::for_node(&node);
        NodeLink {
            limit: Arc::new(Semaphore::new(node.max_connections)),
            sized: std::sync::OnceLock::new(),
            via: if tunnel.is_some() {
                Via::Ssh
            } else {
                Via::Direct
            },
            node,
            tls,
            tunnel,
            files_at: FilesAt::Node,
        }
    }

    /// The filestore is reached at `at` instead of the node's host.
    pub fn with_files_at(mut self, at: FilesAt) -> NodeLink {
        self.files_at = at;
        self
    }

    /// Where the filestore is reached.
    pub fn files_at(&self) -> &FilesAt {
        &self.files_at
    }

    /// A command running `sh -c script sh ARGS...` where the node's
    /// filestore is: the node's host ([`NodeLink::shell_command`]), this
    /// machine, or Odoo's SSH host.
    pub async fn files_command(
        &self,
        script: &str,
        args: &[&str],
    ) -> anyhow::Result<std::process::Command> {
        match &self.files_at {
            FilesAt::Node => self.shell_command(script, args).await,
            FilesAt::Local => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c").arg(script).arg("sh").args(args);
                Ok(c)
            }
            FilesAt::Host(h) => h.shell_command(script, args).await,
        }
    }

    /// Where filestore commands run, for messages.
    pub fn files_where(&self) -> String {
        match (&self.files_at, &self.tunnel) {
            (FilesAt::Node, Some(_)) => "on the SSH host".into(),
            (FilesAt::Node, None) | (FilesAt::Local, _) => "locally".into(),
            (FilesAt::Host(h), _) => format!("on the Odoo host ({})", h.describe()),
        }
    }

    /// Reports tunnel events (opened, how long it took, closed; a host key
    /// recorded) to `notices`.
    pub fn with_notices(mut self, notices: Notices) -> NodeLink {
        if let Some(t) = &mut self.tunnel {
            t.notices = Some(notices);
        }
        self
    }

    /// How the node is reached, for `--verbose`:
    /// `node a: 10.0.0.5:5432 via ssh ops@bastion:22` or `node b: db2:5432 direct`.
    pub fn describe(&self) -> String {
        match &self.tunnel {
            Some(_) => format!("node {}: {}", self.name(), self.place()),
            None => format!("node {}: {} direct", self.name(), self.node.address()),
        }
    }

    /// Where the node is, for errors: `db2:5432`, or
    /// `127.0.0.1:5432 via ssh ops@pg2:22 (jump bastion)`: an SSH failure then
    /// names the SSH host, not only the address behind it.
    pub fn place(&self) -> String {
        match &self.tunnel {
            Some(t) => format!("{} via ssh {}", self.node.address(), t.route()),
            None => self.node.address(),
        }
    }

    /// Why the node's SSH master can no longer carry commands (it ended),
    /// if so.
    pub fn ssh_lost(&self) -> Option<String> {
        self.tunnel.as_ref().and_then(|t| t.lost())
    }

    /// `ops@pg2:22` (with the jump hosts) for a node reached over SSH.
    pub fn ssh_route(&self) -> Option<String> {
        self.tunnel.as_ref().map(|t| t.route())
    }

    /// Releases what the link holds open beyond single connections: the SSH
    /// master, its forward and their private directory. Idempotent.
    pub async fn close(&self) {
        if let Some(t) = &self.tunnel {
            t.close().await;
        }
    }

    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// Sizes the node's connection limit to `want` (what the caller made of
    /// the server's free slots), once, when the inventory does not set
    /// `max_connections` (and not behind PgBouncer, whose pool the server's
    /// settings do not describe). Returns the limit now in force.
    pub fn size_from(&self, want: usize) -> usize {
        if !self.node.max_connections_auto || self.node.pooler != startup::Pooler::None {
            return self.node.max_connections;
        }
        *self.sized.get_or_init(|| {
            let have = self.node.max_connections;
            if want > have {
                self.limit.add_permits(want - have);
                want
            } else {
                // Only free permits can be forgotten (the listing holds one).
                have - self.limit.forget_permits(have - want)
            }
        })
    }

    /// The connection limit in force (after [`NodeLink::size_from`]).
    pub fn connection_limit(&self) -> usize {
        self.sized
            .get()
            .copied()
            .unwrap_or(self.node.max_connections)
    }

    /// A command running `sh -c script sh ARGS...` on the node's host: over
    /// the node's SSH master when it has one, else on this machine. Paths
    /// and names go in `args` (the script's `$1`, `$2`...), never into the
    /// script's text: over SSH every word is quoted for the remote shell.
    pub async fn shell_command(
        &self,
        script: &str,
        args: &[&str],
    ) -> anyhow::Result<std::process::Command> {
        match &self.tunnel {
            Some(t) => Ok(t
                .remote_command(&host::remote_shell_line(script, args))
                .await?),
            None => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c").arg(script).arg("sh").args(args);
                Ok(c)
            }
        }
    }

    /// The Unix-socket directory of the node's SSH forward (opening the
    /// tunnel on first use), or None for a node reached directly: external
    /// tools (pg_dump, psql) connect with `-h <dir> -p <port>` (issue 15).
    pub async fn tool_socket_dir(&self) -> anyhow::Result<Option<std::path::PathBuf>> {
        match &self.tunnel {
            Some(t) => {
                let ep = t.endpoint().await?;
                Ok(Some(
                    ep.socket.parent().unwrap_or(Path::new("/")).to_path_buf(),
                ))
            }
            None => Ok(None),
        }
    }

    /// Waits for a slot in the node's `max_connections` and one in the run's
    /// `--concurrency`.
    async fn slots(
        &self,
        t: &Transport,
    ) -> anyhow::Result<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        let node_slot = self
            .limit
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| anyhow!("connection limit closed"))?;
        let global_slot = t
            .global
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| anyhow!("connection limit closed"))?;
        Ok((node_slot, global_slot))
    }

    /// Takes slots again for a connection of this node kept idle without
    /// them ([`Conn::release_slots`]): waits as a new connection would.
    pub async fn reacquire(&self, c: &mut Conn, t: &Transport) -> anyhow::Result<()> {
        if c.slots.is_none() {
            c.slots = Some(self.slots(t).await?);
        }
        Ok(())
    }

    /// Opens a connection to `db` on this node, waiting for a free slot in the
    /// node's `max_connections` and the run's `--concurrency`. The whole
    /// connection setup (TCP, TLS, authentication) is bounded by
    /// `connect_timeout`: a port that accepts but never answers cannot hang us.
    /// For an SSH node the first call opens the tunnel (bounded by the ssh
    /// table's own `connect_timeout`); all calls then connect through it.
    pub async fn connect(&self, db: &str, t: &Transport) -> anyhow::Result<Conn> {
        self.connect_as_configured(db, t)
            .await
            .map_err(|e| self.unmarked_pgbouncer(e))
    }

    /// PgBouncer refuses the startup parameter `options` that PostgreSQL
    /// takes (our session settings travel in it): on a node not marked as a
    /// PgBouncer, that refusal says which inventory key fixes it.
    fn unmarked_pgbouncer(&self, e: anyhow::Error) -> anyhow::Error {
        let refused = self.node.pooler == startup::Pooler::None
            && e.chain()
                .any(|c| c.to_string().contains("unsupported startup parameter"));
        if !refused {
            return e;
        }
        e.context(format!(
            "node {} looks like a PgBouncer (it refuses the startup parameter `options`, which \
             PostgreSQL accepts): set `pgbouncer = \"session\"` or `pgbouncer = \"transaction\"` \
             (its pool_mode) for it in the inventory",
            self.name()
        ))
    }

    async fn connect_as_configured(&self, db: &str, t: &Transport) -> anyhow::Result<Conn> {
        // The tunnel first: when the SSH host refuses us, no slot is taken and
        // every database of the node fails at once with the same reason.
        let endpoint = match &self.tunnel {
            Some(tunnel) => Some(tunnel.endpoint().await?),
            None => None,
        };
        let slots = self.slots(t).await?;
        let n = &self.node;
        let mut cfg = tokio_postgres::Config::new();
        match (&endpoint, &n.host) {
            // Only for messages and cancel requests: a tunnel connection is
            // made on the forward's socket, below.
            (Some(ep), _) => cfg.host_path(ep.socket.parent().unwrap_or(Path::new("/"))),
            (None, Host::Tcp(h)) => cfg.host(h),
            (None, Host::Socket(p)) => cfg.host_path(p),
        };
        cfg.port(n.port)
            .user(&n.user)
            .dbname(db)
            .application_name("tenantctl")
            .connect_timeout(n.connect_timeout)
            // A dead peer or a frozen path is noticed by the kernel: TCP
            // keepalives and a user timeout end the socket (see also the
            // per-statement deadlines of `odoo::Db`).
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .keepalives_interval(Duration::from_secs(5))
            .keepalives_retries(3)
            .tcp_user_timeout(n.statement_timeout + n.connect_timeout + DEADLINE_MARGIN);
        // Startup options, or statements after connecting behind PgBouncer
        // (which refuses `options`): see startup.rs.
        let settings = session_settings(n.statement_timeout);
        let after_connect = startup::set_statements(&settings, n.pooler);
        if after_connect.is_none() {
            cfg.options(startup::options(&settings));
        }
        if let Some(pw) = n
            .password_for(db, &t.passfile)
            .map_err(|e| anyhow!(e.message()))?
        {
            cfg.password(pw);
        }
        let timeout = n.connect_timeout;
        // libpq never uses TLS over Unix-domain sockets, whatever sslmode says.
        // Through a tunnel what counts is the node's own host: the SSH host
        // connects to it over TCP, and TLS runs end to end inside the tunnel.
        let tls = match (&n.host, &self.tls) {
            (Host::Socket(_), _) => None,
            (_, Ok(t)) => t.clone(),
            (_, Err(e)) => return Err(anyhow!("TLS configuration: {e}")),
        };
        if let (Some(ep), Some(tunnel)) = (&endpoint, &self.tunnel) {
            let client = self
                .connect_tunnel(tunnel, &mut cfg, ep, tls, timeout)
                .await?;
            after_connecting(&client, after_connect.as_deref(), t, n.pooler, timeout).await?;
            return Ok(Conn {
                client,
                deadline: n.statement_timeout + DEADLINE_MARGIN,
                slots: Some(slots),
            });
        }
        let client = match tls {
            None => {
                cfg.ssl_mode(PgSslMode::Disable);
                open(&cfg, NoTls, timeout).await?
            }
            Some(tls) => {
                cfg.ssl_mode(match n.sslmode {
                    SslMode::Prefer => PgSslMode::Prefer,
                    _ => PgSslMode::Require,
                });
                open(&cfg, tls, timeout).await?
            }
        };
        after_connecting(&client, after_connect.as_deref(), t, n.pooler, timeout).await?;
        Ok(Conn {
            client,
            deadline: n.statement_timeout + DEADLINE_MARGIN,
            slots: Some(slots),
        })
    }
}

impl NodeLink {
    /// Connects through the tunnel's forward socket. With TLS, the handshake
    /// runs over that stream with the node's real host name as the server
    /// name (tokio-postgres would do no TLS at all on a Unix-socket path, and
    /// there would be no name to verify with `verify-full`).
    async fn connect_tunnel(
        &self,
        tunnel: &ssh::Tunnel,
        cfg: &mut tokio_postgres::Config,
        ep: &ssh::Endpoint,
        tls: Option<MakeRustlsConnect>,
        timeout: Duration,
    ) -> anyhow::Result<Client> {
        let n = &self.node;
        let mark = ep.log_mark();
        // A connection the tunnel dropped (the SSH host could not reach
        // PostgreSQL, the SSH connection died) gets ssh's reason; what
        // PostgreSQL itself said (a bad password...) passes unchanged.
        let explained = |e: anyhow::Error| match tunnel.explain(ep, mark) {
            Some(why) => anyhow::Error::new(why),
            None => e,
        };
        let work = async {
            let stream = UnixStream::connect(&ep.socket).await.map_err(|e| {
                explained(anyhow!("SSH tunnel socket {}: {e}", ep.socket.display()))
            })?;
            match (tls, &n.host) {
                (Some(mut make), Host::Tcp(h)) => {
                    cfg.ssl_mode(match n.sslmode {
                        SslMode::Prefer => PgSslMode::Prefer,
                        _ => PgSslMode::Require,
                    });
                    let tls = <MakeRustlsConnect as MakeTlsConnect<UnixStream>>::make_tls_connect(
                        &mut make, h,
                    )
                    .map_err(|e| anyhow!("TLS: {h:?} is not a valid server name: {e}"))?;
                    open_raw(cfg, stream, tls).await
                }
                _ => {
                    cfg.ssl_mode(PgSslMode::Disable);
                    open_raw(cfg, stream, NoTls).await
                }
            }
            .map_err(|e| match e.as_db_error() {
                Some(_) => pg_error(&e),
                None => explained(pg_error(&e)),
            })
        };
        tokio::time::timeout(timeout, work).await.map_err(|_| {
            anyhow!(
                "timed out after {} connecting through the SSH tunnel",
                humantime::format_duration(timeout)
            )
        })?
    }
}

/// The first round trip after connecting, when there is one: the session
/// settings as statements (nodes behind PgBouncer, see [`startup`]) and the
/// run's [`OnConnect`] check, bounded by the connect timeout like the rest of
/// the setup.
async fn after_connecting(
    client: &Client,
    settings: Option<&str>,
    t: &Transport,
    pooler: startup::Pooler,
    timeout: Duration,
) -> anyhow::Result<()> {
    let check = t.on_connect.as_deref();
    // what the first round trip does, for its error: the settings, the
    // database check, or both (one statement each, sent together)
    let (sql, doing) = match (settings, check) {
        (None, None) => return Ok(()),
        (Some(s), None) => (s.to_string(), "applying the session settings"),
        (None, Some(c)) => (c.sql(pooler), "checking the database"),
        (Some(s), Some(c)) => (
            format!("{s}; {}", c.sql(pooler)),
            "applying the session settings and checking the database",
        ),
    };
    let messages = tokio::time::timeout(timeout, client.simple_query(&sql))
        .await
        .map_err(|_| {
            anyhow!(
                "timed out after {} {doing}",
                humantime::format_duration(timeout)
            )
        })?
        .map_err(|e| pg_error(&e).context(doing))?;
    let Some(c) = check else { return Ok(()) };
    match c.verdict(&messages) {
        Verdict::Pass => Ok(()),
        Verdict::Refuse(e) => Err(e),
        Verdict::Inspect(sql) => {
            let messages = tokio::time::timeout(timeout, client.simple_query(&sql))
                .await
                .map_err(|_| {
                    anyhow!(
                        "timed out after {} checking the database",
                        humantime::format_duration(timeout)
                    )
                })?
                .map_err(|e| pg_error(&e).context("checking the database"))?;
            c.inspected(&messages)
        }
    }
}

/// `connect_raw` over an already connected stream; drives the connection in
/// the background.
async fn open_raw<S, T>(
    cfg: &tokio_postgres::Config,
    stream: S,
    tls: T,
) -> Result<Client, tokio_postgres::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: TlsConnect<S> + Send,
    T::Stream: Send + 'static,
    T::Future: Send,
{
    let (client, connection) = cfg.connect_raw(stream, tls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Connects with `tls`, bounded by `timeout`, and drives the connection in the
/// background.
async fn open<T>(cfg: &tokio_postgres::Config, tls: T, timeout: Duration) -> anyhow::Result<Client>
where
    T: MakeTlsConnect<Socket> + Send + 'static,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = tokio::time::timeout(timeout, cfg.connect(tls))
        .await
        .map_err(|_| {
            anyhow!(
                "timed out after {} connecting",
                humantime::format_duration(timeout)
            )
        })?
        .map_err(|e| pg_error(&e))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_say_how_their_node_is_reached() {
        let inv = crate::inventory::parse(
            Path::new("nodes.toml"),
            "[[node]]\nname = \"d\"\nhost = \"db1\"\n\
             [[node]]\nname = \"s\"\nhost = \"127.0.0.1\"\n\
             ssh = { host = \"pg2.internal\", user = \"ops\", port = 2222, jump = \"bastion\" }\n",
            0o600,
        )
        .unwrap();
        let d = NodeLink::new(inv.nodes[0].clone());
        let s = NodeLink::new(inv.nodes[1].clone());
        assert_eq!(d.via, Via::Direct);
        assert_eq!(s.via, Via::Ssh);
        assert_eq!(serde_json::to_string(&s.via).unwrap(), "\"ssh\"");
        assert_eq!(d.describe(), "node d: db1:5432 direct");
        assert_eq!(
            s.describe(),
            "node s: 127.0.0.1:5432 via ssh ops@pg2.internal:2222 (jump bastion)"
        );
    }
}
