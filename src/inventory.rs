//! The node inventory (`nodes.toml`): where it is found, what it may say, and
//! how it becomes a list of fully resolved [`Node`]s.
//!
//! Every error names the file, line and column, and what was expected.

use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::anyhow;
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::error::{Error, Result};
use crate::pgpass::PassFile;

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

/// A duration written as text in the inventory ("5s", "1m 30s", "500ms").
#[derive(Debug, Clone, Copy)]
struct DurationText(Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(s.trim())
            .map(DurationText)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {s:?} ({e}); expected e.g. \"5s\", \"500ms\", \"2m\""
                ))
            })
    }
}

/// `connect_timeout`: a duration text ("5s") or, as libpq's
/// `connect_timeout`, an integer number of seconds (`5` = "5s"). libpq takes 0
/// (or nothing) as "wait forever"; tenantctl always bounds the connection, so
/// 0 is refused.
#[derive(Debug, Clone, Copy)]
struct ConnectTimeout(Duration);

impl<'de> Deserialize<'de> for ConnectTimeout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(i64),
            Text(String),
        }
        let v = match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "invalid connect_timeout; expected whole seconds (e.g. 5, as libpq) or a duration such as \"5s\", \"500ms\"",
            )
        })? {
            Raw::Secs(n) if n <= 0 => {
                return Err(serde::de::Error::custom(format!(
                    "connect_timeout {n}: must be at least 1 second (libpq's 0 means wait forever; tenantctl always bounds the connection)"
                )))
            }
            Raw::Secs(n) => Duration::from_secs(n as u64),
            Raw::Text(s) => humantime::parse_duration(s.trim()).map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {s:?} ({e}); expected e.g. 5 (seconds, as libpq), \"5s\", \"500ms\""
                ))
            })?,
        };
        if v.is_zero() {
            return Err(serde::de::Error::custom(
                "connect_timeout must be more than 0 (tenantctl always bounds the connection)",
            ));
        }
        Ok(ConnectTimeout(v))
    }
}

/// Keys allowed both in `[defaults]` and in each `[[node]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    name: Option<Spanned<String>>,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    maintenance_db: Option<String>,
    sslmode: Option<SslMode>,
    sslrootcert: Option<String>,
    sslcert: Option<String>,
    sslkey: Option<String>,
    connect_timeout: Option<ConnectTimeout>,
    statement_timeout: Option<DurationText>,
    max_connections: Option<Spanned<u32>>,
    exclude: Option<Vec<String>>,
    password_env: Option<String>,
    password: Option<Spanned<String>>,
    labels: Option<BTreeMap<String, String>>,
    password_scheme: Option<PasswordScheme>,
    /// Suspension layers: users, crons, mail, connections.
    suspend_layers: Option<Spanned<Vec<String>>>,
    pgbouncer: Option<crate::model::Pooler>,
    /// PostgreSQL itself behind a PgBouncer node: where the lifecycle
    /// commands (CREATE/ALTER/DROP DATABASE, pg_dump) connect.
    direct_host: Option<String>,
    direct_port: Option<u16>,
    ssh: Option<Spanned<RawSsh>>,
    // Issue 14: the tenant lifecycle (create, duplicate, rename, drop, purge).
    filestore: Option<Spanned<String>>,
    filestore_owner: Option<Spanned<String>>,
    template: Option<String>,
    base_url: Option<Spanned<String>>,
    drop_retention: Option<DurationText>,
    /// Issue 22: the role that owns what `restore` makes (Odoo's role).
    db_owner: Option<Spanned<String>>,
    /// Issue 22: the largest overall compression ratio of a zip `restore`
    /// accepts (uncompressed : compressed).
    restore_max_ratio: Option<Spanned<u64>>,
}

/// The `ssh` table of `[defaults]` or a `[[node]]`; a node's keys win key by key.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSsh {
    host: Option<Spanned<String>>,
    port: Option<Spanned<u16>>,
    user: Option<Spanned<String>>,
    identity_file: Option<Spanned<String>>,
    known_hosts_file: Option<Spanned<String>>,
    host_key_check: Option<HostKeyCheck>,
    jump: Option<Spanned<String>>,
    config_file: Option<Spanned<String>>,
    connect_timeout: Option<Spanned<DurationText>>,
    control_persist: Option<Spanned<DurationText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    audit_log: Option<String>,
    defaults: Option<RawSettings>,
    #[serde(default)]
    node: Vec<RawSettings>,
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

/// Where a node's password comes from (never the password itself in Debug).
#[derive(Clone)]
pub enum PasswordSource {
    Inline(String),
    /// `password_env`: the variable's name, and whether the key is in
    /// `[defaults]` (not in the node's own table).
    Env {
        var: String,
        in_defaults: bool,
    },
    /// `$PGPASSWORD`, then the libpq pass file.
    Default,
}

impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::Inline(_) => f.write_str("Inline(<redacted>)"),
            PasswordSource::Env { var, .. } => write!(f, "Env({var})"),
            PasswordSource::Default => f.write_str("Default"),
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
    /// server's free connection slots ([`crate::odoo::probe::auto_limit`]).
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
}

/// The lifecycle settings of a node (`filestore`, `filestore_owner`,
/// `template`, `base_url`, `drop_retention`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// `<data_dir>/filestore` on the node's host (through its SSH when it has
    /// one, else on this machine).
    pub filestore: Option<PathBuf>,
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
}

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

    /// The password for a connection to `db`, in libpq's order: the
    /// inventory's `password` / `password_env` (libpq's connection-string
    /// password), then a non-empty `$PGPASSWORD`, then the pass file. An
    /// empty password counts as none (libpq: "no password supplied"), and so
    /// does a `password_env` variable that is not set (warned about once per
    /// run: [`Node::password_env_unset`]).
    pub fn password_for(&self, db: &str, passfile: &PassFile) -> Result<Option<Vec<u8>>> {
        let given = match &self.password {
            PasswordSource::Inline(p) => Some(p.clone()),
            PasswordSource::Env { var, .. } => std::env::var(var).ok(),
            PasswordSource::Default => None,
        };
        if let Some(p) = given.filter(|p| !p.is_empty()) {
            return Ok(Some(p.into_bytes()));
        }
        if let Some(p) = std::env::var_os("PGPASSWORD").filter(|v| !v.is_empty()) {
            return Ok(Some(std::os::unix::ffi::OsStringExt::into_vec(p)));
        }
        let host = match &self.host {
            Host::Tcp(h) => h.clone(),
            Host::Socket(p) => p.display().to_string(),
        };
        let is_socket = matches!(self.host, Host::Socket(_));
        Ok(passfile
            .lookup(&host, is_socket, self.port, db, &self.user)
            .filter(|p| !p.is_empty()))
    }

    /// The variable named by `password_env` when it is not set (or not
    /// UTF-8), and whether the key is in `[defaults]`: the node then
    /// connects as libpq does without a password (`$PGPASSWORD`, else the
    /// pass file).
    pub fn password_env_unset(&self) -> Option<(&str, bool)> {
        match &self.password {
            PasswordSource::Env { var, in_defaults } if std::env::var(var).is_err() => {
                Some((var.as_str(), *in_defaults))
            }
            _ => None,
        }
    }
}

/// The parsed inventory.
#[derive(Debug)]
pub struct Inventory {
    pub path: PathBuf,
    pub nodes: Vec<Node>,
    pub audit_log: Option<PathBuf>,
}

/// One warning per `password_env` variable that is not set, naming the
/// nodes that use it and where the key is (`[defaults]` or the nodes' own
/// tables): those nodes connect as libpq does when no password is given.
pub fn password_env_warnings(inventory: &Path, nodes: &[Node]) -> Vec<String> {
    let mut unset: Vec<(&str, bool, Vec<&str>)> = Vec::new();
    for n in nodes {
        if let Some((var, in_defaults)) = n.password_env_unset() {
            match unset
                .iter_mut()
                .find(|(v, d, _)| *v == var && *d == in_defaults)
            {
                Some((_, _, names)) => names.push(&n.name),
                None => unset.push((var, in_defaults, vec![&n.name])),
            }
        }
    }
    let pass_file = crate::pgpass::PassFile::path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.pgpass (no $HOME)".into());
    unset
        .into_iter()
        .map(|(var, in_defaults, names)| {
            let key = if in_defaults {
                "[defaults]".to_string()
            } else {
                format!(
                    "the [[node]] table{} of {}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )
            };
            format!(
                "password_env = \"{var}\" in {key} of {}: {var} is not set, so node{} {} connect{} as libpq does when no password is given ($PGPASSWORD, else the pass file {pass_file}); set {var} or remove the key",
                inventory.display(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                if names.len() == 1 { "s" } else { "" },
            )
        })
        .collect()
}

/// Finds the inventory: `--inventory`, `$TENANTCTL_INVENTORY`, `./nodes.toml`,
/// `$XDG_CONFIG_HOME/tenantctl/nodes.toml` (XDG default `~/.config`).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("TENANTCTL_INVENTORY").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let local = PathBuf::from("nodes.toml");
    // Absolute, so that every message names the file that was read.
    let local_abs = std::env::current_dir()
        .map(|d| d.join("nodes.toml"))
        .unwrap_or(local.clone());
    if local.is_file() {
        return Ok(local_abs);
    }
    let mut tried = vec![local_abs];
    if let Some(p) = config_inventory() {
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p);
    }
    let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    Err(Error::usage(anyhow!(
        "no inventory found (tried {}): pass --inventory PATH, set TENANTCTL_INVENTORY, or create one of those files",
        tried.join(", ")
    )))
}

/// The user's own inventory: `$XDG_CONFIG_HOME/tenantctl/nodes.toml`
/// (default `~/.config/tenantctl/nodes.toml`).
pub(crate) fn config_inventory() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|dir| dir.join("tenantctl").join("nodes.toml"))
}

/// How [`locate`] found `path`, as `nodes` says it.
pub(crate) fn found_by(explicit: bool, path: &Path) -> &'static str {
    if explicit {
        "--inventory"
    } else if std::env::var_os("TENANTCTL_INVENTORY").is_some_and(|v| !v.is_empty()) {
        "$TENANTCTL_INVENTORY"
    } else if config_inventory().as_deref() == Some(path) {
        "config directory"
    } else {
        "current directory"
    }
}

/// When the search took `./nodes.toml` while the user's own inventory in the
/// config directory also exists: a notice naming both (once per run), else
/// None.
pub fn shadow_notice(explicit: bool, path: &Path) -> Option<String> {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if found_by(explicit, path) != "current directory" {
        return None;
    }
    let own = config_inventory().filter(|p| p.is_file() && p.as_path() != path)?;
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(format!(
        "using {} from the current directory, not your {} (./nodes.toml comes first; pass --inventory {} or run elsewhere to use yours)",
        path.display(),
        own.display(),
        own.display()
    ))
}

/// Reads and resolves the inventory file.
pub fn load(path: &Path) -> Result<Inventory> {
    let text = std::fs::read(path)
        .map_err(|e| Error::usage(anyhow!("inventory {}: cannot read: {e}", path.display())))?;
    let text = String::from_utf8(text)
        .map_err(|_| Error::usage(anyhow!("inventory {}: not valid UTF-8", path.display())))?;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o600);
    parse(path, &text, mode)
}

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

fn at(
    path: &Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    msg: impl std::fmt::Display,
) -> Error {
    match span {
        Some(s) => {
            let (l, c) = line_col(text, s.start);
            Error::usage(anyhow!("inventory {}:{l}:{c}: {msg}", path.display()))
        }
        None => Error::usage(anyhow!("inventory {}: {msg}", path.display())),
    }
}

/// Parses inventory text. `mode` is the file's permission bits (for the inline
/// password rule).
pub fn parse(path: &Path, text: &str, mode: u32) -> Result<Inventory> {
    if text.trim().is_empty() {
        return Err(at(
            path,
            text,
            None,
            "the file is empty; expected at least one [[node]] table",
        ));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().replace('\n', " ");
        at(path, text, e.span(), msg)
    })?;
    if raw.node.is_empty() {
        return Err(at(
            path,
            text,
            None,
            "no [[node]] table; expected at least one node",
        ));
    }
    let defaults = raw.defaults.unwrap_or_default();
    if let Some(n) = &defaults.name {
        return Err(at(
            path,
            text,
            Some(n.span()),
            "`name` belongs in a [[node]] table, not in [defaults]",
        ));
    }
    let readable_by_others = mode & 0o077 != 0;
    let mut seen = HashSet::new();
    let mut nodes = Vec::new();
    for (i, n) in raw.node.into_iter().enumerate() {
        let name = match &n.name {
            Some(s) => s,
            None => {
                return Err(at(
                    path,
                    text,
                    None,
                    format!("[[node]] number {} has no `name`", i + 1),
                ));
            }
        };
        let name_str = name.get_ref().trim().to_string();
        if name_str.is_empty() || name_str.contains('/') {
            return Err(at(
                path,
                text,
                Some(name.span()),
                "node name must be non-empty and must not contain '/'",
            ));
        }
        if !seen.insert(name_str.clone()) {
            return Err(at(
                path,
                text,
                Some(name.span()),
                format!("duplicate node name {name_str:?}; node names must be unique"),
            ));
        }
        for (source, pw) in [
            ("[defaults]", &defaults.password),
            ("this node", &n.password),
        ] {
            if let Some(pw) = pw {
                if readable_by_others {
                    return Err(at(
                        path,
                        text,
                        Some(pw.span()),
                        format!(
                            "inline password ({source}) in a file readable by group or others (mode {:o}); run `chmod 600 {}` or use password_env / ~/.pgpass",
                            mode & 0o777,
                            path.display()
                        ),
                    ));
                }
            }
        }
        let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
        let host = pick(&n.host, &defaults.host).unwrap_or_else(|| "localhost".into());
        let host = if host.starts_with('/') {
            Host::Socket(PathBuf::from(host))
        } else {
            Host::Tcp(host)
        };
        let max_conn = n
            .max_connections
            .as_ref()
            .or(defaults.max_connections.as_ref());
        if let Some(m) = max_conn {
            if *m.get_ref() == 0 {
                return Err(at(
                    path,
                    text,
                    Some(m.span()),
                    "max_connections must be at least 1",
                ));
            }
        }
        let exclude: Vec<String> = n
            .exclude
            .clone()
            .or_else(|| defaults.exclude.clone())
            .unwrap_or_default();
        let mut gs = globset::GlobSetBuilder::new();
        for pat in &exclude {
            let g = globset::GlobBuilder::new(pat)
                .literal_separator(false)
                .build()
                .map_err(|e| {
                    at(
                        path,
                        text,
                        name.span().into(),
                        format!("node {name_str}: bad exclude pattern {pat:?}: {e}"),
                    )
                })?;
            gs.add(g);
        }
        let exclude_set = gs.build().map_err(|e| {
            at(
                path,
                text,
                None,
                format!("node {name_str}: exclude patterns: {e}"),
            )
        })?;
        let password = if let Some(p) = n.password.as_ref().or(defaults.password.as_ref()) {
            PasswordSource::Inline(p.get_ref().clone())
        } else if let Some(var) = pick(&n.password_env, &defaults.password_env) {
            PasswordSource::Env {
                var,
                in_defaults: n.password_env.is_none(),
            }
        } else {
            PasswordSource::Default
        };
        let ssh = merge_ssh(path, text, &name_str, defaults.ssh.as_ref(), n.ssh.as_ref())?;
        let lifecycle = lifecycle(path, text, &name_str, &defaults, &n)?;
        let suspend_layers = match n
            .suspend_layers
            .as_ref()
            .or(defaults.suspend_layers.as_ref())
        {
            None => crate::model::LayerSet::DEFAULT,
            Some(l) => crate::model::LayerSet::parse(
                &l.get_ref().join(","),
                crate::model::LayerSet::DEFAULT,
            )
            .map_err(|e| at(path, text, Some(l.span()), format!("suspend_layers: {e}")))?,
        };
        let mut labels = defaults.labels.clone().unwrap_or_default();
        labels.extend(n.labels.clone().unwrap_or_default());
        nodes.push(Node {
            name: name_str,
            port: n.port.or(defaults.port).unwrap_or(5432),
            user: pick(&n.user, &defaults.user).unwrap_or_else(default_user),
            maintenance_db: pick(&n.maintenance_db, &defaults.maintenance_db)
                .unwrap_or_else(|| "postgres".into()),
            sslmode: n.sslmode.or(defaults.sslmode).unwrap_or(SslMode::Prefer),
            sslrootcert: pick(&n.sslrootcert, &defaults.sslrootcert).map(|p| expand_home(&p)),
            sslcert: pick(&n.sslcert, &defaults.sslcert).map(|p| expand_home(&p)),
            sslkey: pick(&n.sslkey, &defaults.sslkey).map(|p| expand_home(&p)),
            connect_timeout: n
                .connect_timeout
                .or(defaults.connect_timeout)
                .map(|d| d.0)
                .unwrap_or(Duration::from_secs(5)),
            statement_timeout: n
                .statement_timeout
                .or(defaults.statement_timeout)
                .map(|d| d.0)
                .unwrap_or(Duration::from_secs(30)),
            max_connections: max_conn
                .map(|m| *m.get_ref() as usize)
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
            max_connections_auto: max_conn.is_none(),
            exclude,
            exclude_set,
            password,
            labels,
            password_scheme: n
                .password_scheme
                .or(defaults.password_scheme)
                .unwrap_or(PasswordScheme::Pbkdf2Sha512),
            suspend_layers,
            pooler: n.pgbouncer.or(defaults.pgbouncer).unwrap_or_default(),
            direct: match (
                pick(&n.direct_host, &defaults.direct_host),
                n.direct_port.or(defaults.direct_port),
            ) {
                (None, None) => None,
                (h, p) => Some((
                    match h {
                        Some(h) if h.starts_with('/') => Host::Socket(PathBuf::from(h)),
                        Some(h) => Host::Tcp(h),
                        None => host.clone(),
                    },
                    p.unwrap_or(5432),
                )),
            },
            host,
            ssh,
            lifecycle,
        });
    }
    Ok(Inventory {
        path: path.to_path_buf(),
        nodes,
        audit_log: raw.audit_log.map(|p| expand_home(&p)),
    })
}

/// The lifecycle keys of a node over `[defaults]`.
fn lifecycle(
    path: &Path,
    text: &str,
    node: &str,
    d: &RawSettings,
    n: &RawSettings,
) -> Result<Lifecycle> {
    let filestore = match n.filestore.as_ref().or(d.filestore.as_ref()) {
        Some(f) => {
            let s = f.get_ref();
            if !s.starts_with('/') && !s.starts_with("~/") || s.chars().any(|c| c.is_control()) {
                return Err(at(
                    path,
                    text,
                    Some(f.span()),
                    format!("node {node}: filestore {s:?} must be an absolute path"),
                ));
            }
            Some(if n.ssh.is_none() && d.ssh.is_none() {
                expand_home(s)
            } else {
                PathBuf::from(s)
            })
        }
        None => None,
    };
    let owner = match n.filestore_owner.as_ref().or(d.filestore_owner.as_ref()) {
        Some(o) => {
            let s = o.get_ref();
            if s.is_empty()
                || s.starts_with('-')
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                return Err(at(
                    path,
                    text,
                    Some(o.span()),
                    format!("node {node}: filestore_owner {s:?} is not a user name"),
                ));
            }
            Some(s.clone())
        }
        None => None,
    };
    let base_url = match n.base_url.as_ref().or(d.base_url.as_ref()) {
        Some(b) => {
            let s = b.get_ref();
            if !s.contains("{tenant}") || !(s.starts_with("http://") || s.starts_with("https://")) {
                return Err(at(
                    path,
                    text,
                    Some(b.span()),
                    format!("node {node}: base_url {s:?} must start with http:// or https:// and contain {{tenant}}"),
                ));
            }
            Some(s.clone())
        }
        None => None,
    };
    let db_owner = match n.db_owner.as_ref().or(d.db_owner.as_ref()) {
        Some(o) => {
            let s = o.get_ref();
            if s.is_empty() || s.len() > 63 || s.chars().any(|c| c.is_control()) {
                return Err(at(
                    path,
                    text,
                    Some(o.span()),
                    format!("node {node}: db_owner {s:?} is not a PostgreSQL role name"),
                ));
            }
            Some(s.clone())
        }
        None => None,
    };
    let restore_max_ratio = match n
        .restore_max_ratio
        .as_ref()
        .or(d.restore_max_ratio.as_ref())
    {
        Some(r) if *r.get_ref() == 0 => {
            return Err(at(
                path,
                text,
                Some(r.span()),
                format!("node {node}: restore_max_ratio must be at least 1"),
            ))
        }
        Some(r) => *r.get_ref(),
        None => RESTORE_MAX_RATIO,
    };
    Ok(Lifecycle {
        db_owner,
        restore_max_ratio,
        filestore,
        filestore_owner: owner,
        template: n.template.clone().or_else(|| d.template.clone()),
        base_url,
        drop_retention: n
            .drop_retention
            .or(d.drop_retention)
            .map(|d| d.0)
            .unwrap_or(DROP_RETENTION),
    })
}

/// Default of `ssh.connect_timeout`.
pub const SSH_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Merges a node's `ssh` table over `[defaults].ssh`, key by key. The node is
/// reached through SSH when the result names a `host`.
fn merge_ssh(
    path: &Path,
    text: &str,
    node: &str,
    defaults: Option<&Spanned<RawSsh>>,
    own: Option<&Spanned<RawSsh>>,
) -> Result<Option<SshSettings>> {
    if defaults.is_none() && own.is_none() {
        return Ok(None);
    }
    let d = defaults.map(|s| s.get_ref().clone()).unwrap_or_default();
    let o = own.map(|s| s.get_ref().clone()).unwrap_or_default();
    let Some(host) = o.host.or(d.host) else {
        return match own {
            // `[defaults.ssh]` without a host only holds shared settings.
            None => Ok(None),
            Some(t) => Err(at(
                path,
                text,
                Some(t.span()),
                format!("node {node}: the ssh table needs `host` (here or in [defaults.ssh])"),
            )),
        };
    };
    // Everything below reaches ssh's command line or its generated ssh_config,
    // and ssh hands host names of a ProxyJump to a shell: refuse anything that
    // could be read as an option, a second config line or shell syntax.
    let plain = |v: &Spanned<String>, what: &str| -> Result<String> {
        let s = v.get_ref().trim();
        let bad = s.is_empty()
            || s.starts_with('-')
            || s.chars().any(|c| {
                c.is_whitespace() || c.is_control() || "'\"`$;&|<>()\\*?!{}#%~".contains(c)
            });
        if bad {
            return Err(at(
                path,
                text,
                Some(v.span()),
                format!("node {node}: ssh {what} {s:?} is empty, starts with '-', or contains spaces or shell characters"),
            ));
        }
        Ok(s.to_string())
    };
    let file = |v: &Spanned<String>, what: &str| -> Result<PathBuf> {
        let s = v.get_ref();
        if s.is_empty() || s.chars().any(|c| c.is_control() || c == '"' || c == '%') {
            return Err(at(
                path,
                text,
                Some(v.span()),
                format!("node {node}: ssh {what} {s:?} is empty or contains a control character, '\"' or '%'"),
            ));
        }
        Ok(expand_home(s))
    };
    let host_s = plain(&host, "host")?;
    let port = match o.port.or(d.port) {
        Some(p) if *p.get_ref() == 0 => {
            return Err(at(path, text, Some(p.span()), "ssh port must be 1-65535"))
        }
        p => p.map(|p| *p.get_ref()),
    };
    let user = o.user.or(d.user).map(|u| plain(&u, "user")).transpose()?;
    let jump = match o.jump.or(d.jump) {
        Some(j) => {
            // Hops are comma-separated; each is checked like a host.
            for hop in j.get_ref().split(',') {
                plain(&Spanned::new(j.span(), hop.to_string()), "jump host")?;
            }
            Some(j.get_ref().trim().to_string())
        }
        None => None,
    };
    let connect_timeout = match o.connect_timeout.or(d.connect_timeout) {
        Some(t) if t.get_ref().0 < Duration::from_secs(1) => {
            return Err(at(
                path,
                text,
                Some(t.span()),
                "ssh connect_timeout must be at least 1s (ssh counts whole seconds)",
            ))
        }
        Some(t) => t.get_ref().0,
        None => SSH_CONNECT_TIMEOUT,
    };
    let control_persist = match o.control_persist.or(d.control_persist) {
        Some(t) if t.get_ref().0 < Duration::from_secs(1) => {
            return Err(at(
                path,
                text,
                Some(t.span()),
                "ssh control_persist must be at least 1s (ssh counts whole seconds); leave it out to end the master with the run",
            ))
        }
        Some(t) => Some(t.get_ref().0),
        None => None,
    };
    Ok(Some(SshSettings {
        host: host_s,
        port,
        user,
        identity_file: o
            .identity_file
            .or(d.identity_file)
            .map(|f| file(&f, "identity_file"))
            .transpose()?,
        known_hosts_file: o
            .known_hosts_file
            .or(d.known_hosts_file)
            .map(|f| file(&f, "known_hosts_file"))
            .transpose()?,
        host_key_check: o
            .host_key_check
            .or(d.host_key_check)
            .unwrap_or(HostKeyCheck::Strict),
        jump,
        config_file: o
            .config_file
            .or(d.config_file)
            .map(|f| file(&f, "config_file"))
            .transpose()?,
        connect_timeout,
        control_persist,
    }))
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

/// libpq's default user: `$PGUSER`, else the OS user.
fn default_user() -> String {
    std::env::var("PGUSER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(crate::audit::effective_user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Inventory> {
        parse(Path::new("nodes.toml"), text, 0o600)
    }

    #[test]
    fn direct_route_of_a_pgbouncer_node() {
        let inv = p(r#"
[defaults]
port = 6432
pgbouncer = "transaction"
direct_port = 5432
[[node]]
name = "a"
host = "pgb1"
[[node]]
name = "b"
host = "pgb2"
direct_host = "/run/postgresql"
[[node]]
name = "c"
host = "db3"
"#)
        .unwrap();
        assert_eq!(inv.nodes[0].direct, Some((Host::Tcp("pgb1".into()), 5432)));
        assert_eq!(
            inv.nodes[1].direct,
            Some((Host::Socket("/run/postgresql".into()), 5432))
        );
        let inv = p("[[node]]\nname = \"a\"\nhost = \"db\"\n").unwrap();
        assert_eq!(inv.nodes[0].direct, None);
        let inv = p("[[node]]\nname = \"a\"\nhost = \"db\"\ndirect_host = \"pg\"\n").unwrap();
        assert_eq!(inv.nodes[0].direct, Some((Host::Tcp("pg".into()), 5432)));
    }

    #[test]
    fn defaults_and_overrides() {
        let inv = p(r#"
[defaults]
user = "odoo"
port = 6432
exclude = ["test_*"]
[[node]]
name = "a"
host = "/run/postgresql"
[[node]]
name = "b"
host = "db2"
port = 5433
connect_timeout = "2s"
"#)
        .unwrap();
        assert_eq!(inv.nodes.len(), 2);
        assert_eq!(inv.nodes[0].port, 6432);
        assert_eq!(inv.nodes[0].host, Host::Socket("/run/postgresql".into()));
        assert_eq!(inv.nodes[1].port, 5433);
        assert_eq!(inv.nodes[1].connect_timeout, Duration::from_secs(2));
        assert!(inv.nodes[1].is_excluded("test_x"));
        assert!(inv.nodes[1].is_excluded("template1"));
        assert!(!inv.nodes[1].is_excluded("acme"));
        assert_eq!(
            inv.nodes[1].excluded_by("test_x").as_deref(),
            Some("the inventory's exclude pattern \"test_*\"")
        );
        assert!(inv.nodes[1]
            .excluded_by("postgres")
            .unwrap()
            .contains("built-in"));
        assert_eq!(inv.nodes[1].excluded_by("acme"), None);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = p("[[node]]\nname = \"a\"\nbogus = 1\n").unwrap_err();
        assert!(
            format!("{e:#}").starts_with("inventory nodes.toml:3:1: unknown field `bogus`"),
            "{e:#}"
        );
        let e = p("[[node]]\nname = \"a\"\nsslmode = \"sometimes\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("nodes.toml:3:11"), "{e:#}");
        let e = p("[[node]]\nname = \"a\"\n[[node]]\nname = \"a\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:4:8: duplicate node name"),
            "{e:#}"
        );
        let e = p("[[node]]\nname = \"a\"\nstatement_timeout = \"soon\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:3:21: invalid duration"),
            "{e:#}"
        );
    }

    #[test]
    fn ssh_table_merges_over_defaults_key_by_key() {
        let inv = p(r#"
[defaults.ssh]
user = "ops"
identity_file = "/keys/fleet"
known_hosts_file = "/keys/known_hosts"
connect_timeout = "3s"
control_persist = "10m"
[[node]]
name = "direct"
host = "db1"
[[node]]
name = "private"
host = "127.0.0.1"
[node.ssh]
host = "pg2.internal"
port = 2222
host_key_check = "accept-new"
jump = "ops@bastion:22"
[[node]]
name = "sock"
host = "/run/postgresql"
ssh = { host = "pg3", user = "root", config_file = "/etc/fleet/ssh_config" }
"#)
        .unwrap();
        // [defaults.ssh] without a host holds shared settings only.
        assert_eq!(inv.nodes[0].ssh, None);
        let s = inv.nodes[1].ssh.as_ref().unwrap();
        assert_eq!(s.host, "pg2.internal");
        assert_eq!(s.port, Some(2222));
        assert_eq!(s.user.as_deref(), Some("ops"));
        assert_eq!(s.identity_file, Some(PathBuf::from("/keys/fleet")));
        assert_eq!(s.known_hosts_file, Some(PathBuf::from("/keys/known_hosts")));
        assert_eq!(s.host_key_check, HostKeyCheck::AcceptNew);
        assert_eq!(s.jump.as_deref(), Some("ops@bastion:22"));
        assert_eq!(s.connect_timeout, Duration::from_secs(3));
        assert_eq!(s.control_persist, Some(Duration::from_secs(600)));
        assert_eq!(s.destination(), "ops@pg2.internal:2222");
        let s = inv.nodes[2].ssh.as_ref().unwrap();
        assert_eq!(s.user.as_deref(), Some("root"));
        assert_eq!(s.port, None);
        assert_eq!(s.host_key_check, HostKeyCheck::Strict);
        assert_eq!(s.config_file, Some(PathBuf::from("/etc/fleet/ssh_config")));
        assert_eq!(inv.nodes[2].host, Host::Socket("/run/postgresql".into()));

        // A host in [defaults.ssh]: every node goes through it.
        let inv =
            p("[defaults.ssh]\nhost = \"bastion\"\n[[node]]\nname = \"a\"\nhost = \"10.0.0.5\"\n")
                .unwrap();
        let s = inv.nodes[0].ssh.as_ref().unwrap();
        assert_eq!(s.host, "bastion");
        assert_eq!(s.connect_timeout, SSH_CONNECT_TIMEOUT);
    }

    #[test]
    fn ssh_table_errors_name_line_and_column() {
        let e =
            p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nidentity = \"k\"\n").unwrap_err();
        assert!(
            format!("{e:#}").starts_with("inventory nodes.toml:5:1: unknown field `identity`"),
            "{e:#}"
        );
        let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nhost_key_check = \"no\"\n")
            .unwrap_err();
        assert!(format!("{e:#}").contains("nodes.toml:5:18"), "{e:#}");
        let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nuser = \"b\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:3:1: node a: the ssh table needs `host`"),
            "{e:#}"
        );
        let e =
            p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"-oProxyCommand=sh\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:4:8: node a: ssh host"),
            "{e:#}"
        );
        let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\njump = \"x,y;reboot\"\n")
            .unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:5:8: node a: ssh jump host"),
            "{e:#}"
        );
        let e =
            p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nconnect_timeout = \"100ms\"\n")
                .unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:5:19: ssh connect_timeout"),
            "{e:#}"
        );
        let e =
            p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\ncontrol_persist = \"500ms\"\n")
                .unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:5:19: ssh control_persist must be at least 1s"),
            "{e:#}"
        );
        let ok = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\n").unwrap();
        assert_eq!(ok.nodes[0].ssh.as_ref().unwrap().control_persist, None);
        let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nport = 0\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:5:8: ssh port"),
            "{e:#}"
        );
    }

    #[test]
    fn lifecycle_keys() {
        let inv = p(r#"
[defaults]
filestore = "/var/lib/odoo/filestore"
base_url = "https://{tenant}.example.com"
[[node]]
name = "a"
template = "tmpl16"
drop_retention = "7d"
filestore_owner = "odoo"
restore_max_ratio = 50
[[node]]
name = "b"
"#)
        .unwrap();
        assert_eq!(inv.nodes[0].lifecycle.restore_max_ratio, 50);
        assert_eq!(inv.nodes[1].lifecycle.restore_max_ratio, RESTORE_MAX_RATIO);
        let e = p("[[node]]\nname = \"a\"\nrestore_max_ratio = 0\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("restore_max_ratio must be at least 1"),
            "{e:#}"
        );
        let a = &inv.nodes[0].lifecycle;
        assert_eq!(a.filestore, Some(PathBuf::from("/var/lib/odoo/filestore")));
        assert_eq!(a.template.as_deref(), Some("tmpl16"));
        assert_eq!(a.drop_retention, Duration::from_secs(7 * 86400));
        assert_eq!(a.filestore_owner.as_deref(), Some("odoo"));
        let b = &inv.nodes[1].lifecycle;
        assert_eq!(b.drop_retention, DROP_RETENTION);
        assert_eq!(b.base_url.as_deref(), Some("https://{tenant}.example.com"));
        let e = p("[[node]]\nname = \"a\"\nbase_url = \"https://x.example.com\"\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("nodes.toml:3:12: node a: base_url"),
            "{e:#}"
        );
        let e = p("[[node]]\nname = \"a\"\nfilestore = \"rel/path\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("nodes.toml:3:13"), "{e:#}");
    }

    #[test]
    fn connect_timeout_takes_libpq_seconds() {
        let t = |v: &str| {
            p(&format!("[[node]]\nname = \"a\"\nconnect_timeout = {v}\n"))
                .map(|i| i.nodes[0].connect_timeout)
        };
        assert_eq!(t("5").unwrap(), Duration::from_secs(5));
        assert_eq!(t("\"5s\"").unwrap(), Duration::from_secs(5));
        assert_eq!(t("\"1500ms\"").unwrap(), Duration::from_millis(1500));
        let e = format!("{:#}", t("0").unwrap_err());
        assert!(
            e.contains("nodes.toml:3:19") && e.contains("at least 1 second"),
            "{e}"
        );
        let e = format!("{:#}", t("1.5").unwrap_err());
        assert!(e.contains("whole seconds"), "{e}");
        assert!(t("\"soon\"").is_err());
    }

    #[test]
    fn inline_password_needs_private_file() {
        let text = "[[node]]\nname = \"a\"\npassword = \"x\"\n";
        assert!(parse(Path::new("n.toml"), text, 0o600).is_ok());
        let e = parse(Path::new("n.toml"), text, 0o644).unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("readable by group or others"), "{msg}");
        assert!(!msg.contains("\"x\""));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Any text: no panic, and an error is one line naming the file.
        #[test]
        fn any_text(text in "(\\PC|\n|\\[|\\]|=|\"){0,300}") {
            if let Err(e) = parse(Path::new("f.toml"), &text, 0o600) {
                let m = format!("{e:#}");
                proptest::prop_assert!(m.starts_with("inventory f.toml"), "{}", m);
                proptest::prop_assert!(!m.contains('\n'), "{}", m);
            }
        }

        /// Generated valid inventories keep their nodes, names and ports.
        #[test]
        fn valid_inventories(nodes in proptest::collection::btree_map("[a-z][a-z0-9-]{0,12}", 1u16..65535, 1..6)) {
            let mut text = String::from("[defaults]\nuser = \"odoo\"\n");
            for (n, p) in &nodes {
                text.push_str(&format!("[[node]]\nname = \"{n}\"\nport = {p}\n"));
            }
            let inv = parse(Path::new("f.toml"), &text, 0o600).unwrap();
            let got: Vec<(String, u16)> = inv.nodes.iter().map(|n| (n.name.clone(), n.port)).collect();
            let want: Vec<(String, u16)> = nodes.into_iter().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
