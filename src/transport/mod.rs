//! How tenantctl reaches a node's PostgreSQL: connection settings, TLS, the
//! per-node and global connection limits, and (later) SSH tunnels.

pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
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
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Via::Direct => "direct",
        })
    }
}

/// Shared by all connections of a run.
pub struct Transport {
    passfile: PassFile,
    global: Arc<Semaphore>,
}

impl Transport {
    pub fn new(concurrency: usize) -> Transport {
        let passfile = PassFile::load();
        Transport {
            passfile,
            global: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }
    /// A warning about the pass file to show once, if any.
    pub fn passfile_warning(&self) -> Option<&str> {
        self.passfile.warning.as_deref()
    }
}

/// A node ready to be connected to: its settings, its connection limit, its
/// TLS configuration.
pub struct NodeLink {
    pub node: Node,
    pub via: Via,
    limit: Arc<Semaphore>,
    tls: Result<Option<MakeRustlsConnect>, String>,
}

/// An open connection to one database; holds its slots in the per-node and
/// global limits until dropped.
pub struct Conn {
    pub client: Client,
    _node_slot: OwnedSemaphorePermit,
    _global_slot: OwnedSemaphorePermit,
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
        let tls = tls::client_config(node.sslmode, node.sslrootcert.as_deref())
            .map(|c| c.map(MakeRustlsConnect::new))
            .map_err(|e| format!("{e:#}"));
        NodeLink {
            limit: Arc::new(Semaphore::new(node.max_connections)),
            via: Via::Direct,
            node,
            tls,
        }
    }

    /// Releases what the link holds open beyond single connections.
    pub async fn close(&self) {}

    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// Opens a connection to `db` on this node, waiting for a free slot in the
    /// node's `max_connections` and the run's `--concurrency`. The whole
    /// connection setup (TCP, TLS, authentication) is bounded by
    /// `connect_timeout`: a port that accepts but never answers cannot hang us.
    pub async fn connect(&self, db: &str, t: &Transport) -> anyhow::Result<Conn> {
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
        let n = &self.node;
        let mut cfg = tokio_postgres::Config::new();
        match &n.host {
            Host::Tcp(h) => cfg.host(h),
            Host::Socket(p) => cfg.host_path(p),
        };
        cfg.port(n.port)
            .user(&n.user)
            .dbname(db)
            .application_name("tenantctl")
            .connect_timeout(n.connect_timeout)
            .options(format!(
                "-c statement_timeout={}",
                n.statement_timeout.as_millis()
            ));
        if let Some(pw) = n.password_for(db, &t.passfile).map_err(|e| e.inner)? {
            cfg.password(pw);
        }
        let timeout = n.connect_timeout;
        // libpq never uses TLS over Unix-domain sockets, whatever sslmode says.
        let tls = match (&n.host, &self.tls) {
            (Host::Socket(_), _) => None,
            (_, Ok(t)) => t.clone(),
            (_, Err(e)) => return Err(anyhow!("TLS configuration: {e}")),
        };
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
        Ok(Conn {
            client,
            _node_slot: node_slot,
            _global_slot: global_slot,
        })
    }
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
