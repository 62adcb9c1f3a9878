//! The node inventory (`nodes.toml`): where it is found, what it may say, and
//! how it becomes a list of fully resolved [`Node`]s.
//!
//! Every error names the file, line and column, and what was expected.
//!
//! - `mod.rs`: the resolved types ([`Node`], [`Host`], [`SshSettings`], ...);
//! - `find`: which file is read;
//! - `parse`: the file as a whole; `raw`: its TOML form;
//! - `node`: one `[[node]]` over `[defaults]`; `ssh`: its `ssh` table;
//! - `password`: where a node's password comes from.

mod find;
mod node;
mod parse;
mod password;
mod raw;
mod ssh;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

pub(crate) use find::found_by;
pub use find::{locate, shadow_notice};
pub use parse::load;
#[cfg(test)]
pub use parse::parse;
pub use password::{password_env_warnings, PasswordSource};
#[cfg(test)]
pub use ssh::SSH_CONNECT_TIMEOUT;

/// libpq's `sslmode` values, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// How `passwd` hashes new passwords on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PasswordScheme {
    /// passlib's `pbkdf2_sha512`: what stock Odoo 12–19 verifies.
    #[serde(rename = "pbkdf2-sha512")]
    Pbkdf2Sha512,
    /// Only for fleets whose Odoo was patched with an argon2-capable CryptContext.
    #[serde(rename = "argon2id")]
    Argon2id,
}

/// How ssh treats the SSH host's key (`StrictHostKeyChecking`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyCheck {
    /// The key must already be in the known-hosts file (`yes`).
    Strict,
    /// An unknown host's key is recorded on first use; a changed key is still
    /// refused (`accept-new`).
    AcceptNew,
}

/// Where a node's PostgreSQL listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Tcp(String),
    /// A Unix-socket directory (libpq: a host starting with `/`).
    Socket(PathBuf),
}

impl Host {
    /// `host:port` (`[v6]:port`), or the socket file of a directory.
    pub fn address(&self, port: u16) -> String {
        match self {
            Host::Tcp(h) if h.contains(':') => format!("[{h}]:{port}"),
            Host::Tcp(h) => format!("{h}:{port}"),
            Host::Socket(p) => format!("{}/.s.PGSQL.{port}", p.display()),
        }
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Tcp(h) => f.write_str(h),
            Host::Socket(p) => write!(f, "{}", p.display()),
        }
    }
}

/// How to reach a node through SSH (the node's `ssh` table merged over
/// `[defaults].ssh`). Unset values are left to ssh and the user's ssh_config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSettings {
    /// The SSH host (ssh's destination; an ssh_config `Host` alias works).
    pub host: String,
    /// None: ssh's choice (ssh_config, else 22).
    pub port: Option<u16>,
    /// None: ssh's choice (ssh_config, else the local user name).
    pub user: Option<String>,
    /// None: the agent and the default keys, as `ssh` does.
    pub identity_file: Option<PathBuf>,
    /// None: `~/.ssh/known_hosts`.
    pub known_hosts_file: Option<PathBuf>,
    pub host_key_check: HostKeyCheck,
    /// ProxyJump: `[user@]host[:port]`, several hops separated by commas.
    pub jump: Option<String>,
    /// An ssh_config used instead of `~/.ssh/config` and `/etc/ssh/ssh_config`.
    pub config_file: Option<PathBuf>,
    /// ssh's ConnectTimeout (whole seconds, at least 1).
    pub connect_timeout: Duration,
    /// OpenSSH's ControlPersist: keep the master this long after the run
    /// (idle) for the next run to reuse. None: the master ends with the run.
    pub control_persist: Option<Duration>,
}

impl SshSettings {
    /// `[user@]host[:port]`, for messages.
    pub fn destination(&self) -> String {
        let mut s = String::new();
        if let Some(u) = &self.user {
            s.push_str(u);
            s.push('@');
        }
        if self.host.contains(':') {
            s.push_str(&format!("[{}]", self.host));
        } else {
            s.push_str(&self.host);
        }
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s
    }
}

/// A node's connection limit before its size is read from the server (and
/// the limit behind PgBouncer, whose pool size the server does not show).
pub const DEFAULT_MAX_CONNECTIONS: usize = 8;

/// One PostgreSQL node, every setting resolved.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub host: Host,
    pub port: u16,
    pub user: String,
    pub maintenance_db: String,
    pub sslmode: SslMode,
    /// `"system"`: the OS trust store (libpq 16+).
    pub sslrootcert: Option<PathBuf>,
    /// Client certificate; `None`: `~/.postgresql/postgresql.crt` if it exists.
    pub sslcert: Option<PathBuf>,
    /// Its private key; `None`: `~/.postgresql/postgresql.key`.
    pub sslkey: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
    /// Connections open at once on this node: the inventory's value, else
    /// [`DEFAULT_MAX_CONNECTIONS`] until the node's listing reads the
    /// server's free connection slots (`odoo::probe::auto_limit`).
    pub max_connections: usize,
    /// `max_connections` is not in the inventory: sized from the server.
    pub max_connections_auto: bool,
    pub exclude: Vec<String>,
    exclude_set: globset::GlobSet,
    pub password: PasswordSource,
    pub labels: BTreeMap<String, String>,
    pub password_scheme: PasswordScheme,
    /// What `suspend` switches off (default users, crons, mail).
    pub suspend_layers: crate::model::LayerSet,
    /// Behind PgBouncer (`pgbouncer = "session"` / `"transaction"`): the
    /// session settings are sent as statements, not startup options.
    pub pooler: crate::model::Pooler,
    /// `direct_host`/`direct_port`: PostgreSQL itself when `host`/`port` is
    /// a PgBouncer; the lifecycle commands connect there (as seen from the
    /// SSH host for an SSH node).
    pub direct: Option<(Host, u16)>,
    /// Reached through this SSH host; `host`/`port` above are then as seen
    /// from the SSH host.
    pub ssh: Option<SshSettings>,
    /// Issue 14: where the tenants' filestores are, the OS user owning them,
    /// the default template, the `web.base.url` pattern and how long a
    /// dropped tenant is kept.
    pub lifecycle: Lifecycle,
    /// Issue 26: the thresholds of `health` on this node.
    pub health: crate::model::Health,
}

/// The lifecycle settings of a node (`filestore`, `filestore_owner`,
/// `template`, `base_url`, `drop_retention`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// `<data_dir>/filestore` on the node's host (through its SSH when it has
    /// one, else on this machine), or where Odoo runs ([`Lifecycle::filestore_host`]).
    pub filestore: Option<PathBuf>,
    /// Where `filestore` is reached: the node's host, or Odoo's (`filestore_host = "odoo"`:
    /// the `odoo` table's host, for Odoo on an application server with its files).
    pub filestore_host: FilestoreHost,
    /// The OS user Odoo runs as (copied files are given to it).
    pub filestore_owner: Option<String>,
    /// The default template database of `create`.
    pub template: Option<String>,
    /// e.g. `https://{tenant}.example.com`.
    pub base_url: Option<String>,
    /// Default 30 days.
    pub drop_retention: Duration,
    /// `db_owner`: the PostgreSQL role (Odoo's own, `db_user` of its
    /// configuration) that owns the databases `restore` and `move` make,
    /// objects included. Unset: the owner of `template`, or the operator's
    /// own role when it is not a superuser.
    pub db_owner: Option<String>,
    /// The largest overall compression ratio (uncompressed : compressed) of
    /// a zip `restore` accepts; default [`RESTORE_MAX_RATIO`].
    pub restore_max_ratio: u64,
    /// Issue 27: how `upgrade` runs Odoo for this node's tenants.
    pub odoo: Option<OdooRun>,
}

/// Where and how `upgrade` runs `odoo-bin` (the `odoo` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OdooRun {
    /// The program and its first arguments (`["/opt/odoo/odoo-bin", "-c",
    /// "/etc/odoo/odoo.conf"]`); tenantctl appends `-d <copy> -u ...`.
    pub command: Vec<String>,
    pub host: OdooHost,
    /// How long one run may take before it is killed (default 30 min).
    pub timeout: Duration,
    /// Odoo runs at once on this node's host (default 2).
    pub max_parallel: usize,
    /// The addons paths, for the manifest check (optional).
    pub addons_path: Vec<String>,
}

/// Where a node's filestore is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilestoreHost {
    /// The node's SSH host, or this machine for a node without one.
    #[default]
    Node,
    /// Where the node's `odoo` table runs Odoo.
    Odoo,
}

/// Where the Odoo command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OdooHost {
    /// On this machine.
    Local,
    /// On the node's own SSH host (the one its filestore is reached on).
    Node,
    /// On an SSH host of its own (an application server): its ssh table,
    /// merged over `[defaults.ssh]` key by key, `host` its own.
    Ssh(SshSettings),
}

/// Default of `odoo.timeout`.
pub const ODOO_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Default of `restore_max_ratio`: a zip that expands more than 200 times
/// its size is refused (Odoo's own backups compress a few times; a zip bomb
/// thousands of times).
pub const RESTORE_MAX_RATIO: u64 = 200;

/// Default of `drop_retention`.
pub const DROP_RETENTION: Duration = Duration::from_secs(30 * 86400);

/// Database names that are never tenants, whatever the inventory says.
pub const ALWAYS_EXCLUDED: [&str; 3] = ["postgres", "template0", "template1"];

impl Node {
    /// `host:port` as an operator would write it.
    pub fn address(&self) -> String {
        self.host.address(self.port)
    }

    /// True when the database is excluded from tenants on this node.
    pub fn is_excluded(&self, db: &str) -> bool {
        ALWAYS_EXCLUDED.contains(&db) || self.exclude_set.is_match(db)
    }

    /// Why `db` is excluded on this node, for messages: the first of the
    /// node's `exclude` patterns that matches it, or tenantctl's own list.
    pub fn excluded_by(&self, db: &str) -> Option<String> {
        if ALWAYS_EXCLUDED.contains(&db) {
            return Some(format!(
                "tenantctl's built-in exclusion ({})",
                ALWAYS_EXCLUDED.join(", ")
            ));
        }
        let first = self.exclude_set.matches(db).into_iter().min()?;
        Some(format!(
            "the inventory's exclude pattern {:?}",
            self.exclude.get(first)?
        ))
    }
}

/// The parsed inventory.
#[derive(Debug)]
pub struct Inventory {
    pub path: PathBuf,
    pub nodes: Vec<Node>,
    pub audit_log: Option<PathBuf>,
}

/// `~/x` → `$HOME/x`.
pub fn expand_home(p: &str) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/") {
        if let Some(h) = std::env::var_os("HOME") {
            return PathBuf::from(h).join(rest);
        }
    }
    PathBuf::from(p)
}
