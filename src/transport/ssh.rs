//! SSH tunnels to nodes whose PostgreSQL listens only on a private address.
//!
//! One ssh master connection per node per run (the `openssh` crate, native
//! mux), opened by the first connection to that node and shared by all of
//! them. The master forwards a **local Unix socket** `.s.PGSQL.<port>` in a
//! private directory (mode 0700) to the node's `host:port` (or to its remote
//! Unix socket) as seen from the SSH host. A Unix socket rather than a local
//! TCP port: a TCP port on loopback is open to every local user, a socket in a
//! 0700 directory only to us; and ssh cannot tell us which free TCP port it
//! picked anyway.
//!
//! Lifetime. `close()` (called by `Ctx::close` after every command, on
//! success, error and Ctrl-C) stops the master, waits until its process is
//! gone and removes the directory. Beyond that:
//! - ssh forks the master into its own session (`ssh -f`), so a Ctrl-C at the
//!   terminal does not cut the tunnel under a transaction that is finishing.
//! - The master runs with `ControlPersist=<ORPHAN_GRACE>s` while we hold one
//!   idle multiplexing connection open to it for the whole run ([`MuxConn`]).
//!   ssh counts that connection as an open channel, so the idle timer never
//!   runs while we live, however long the run is idle; if tenantctl dies
//!   without closing (SIGKILL, abort), the kernel closes that connection and
//!   the master exits ORPHAN_GRACE seconds later instead of never (ssh's
//!   `ControlPersist=yes`, the crate's default). `ControlPersist` alone would
//!   end the master while the forward is still wanted.
//! - A directory left by a killed run is removed by the next run that opens a
//!   tunnel (its owner is gone and its master no longer answers).
//!
//! Errors are one line with ssh's own reason (`ssh: Host key verification
//! failed`); ssh runs in BatchMode, for jump hosts too (through a generated
//! ssh_config), so it never prompts: a key that needs a passphrase without an
//! agent, or an unknown host key under `strict`, is a refusal, not a hang.

use std::fmt;
use std::io::{self, Read as _};
use std::num::NonZeroUsize;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use openssh::{ControlPersist, ForwardType, KnownHosts, Session, SessionBuilder, Socket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::{watch, Mutex};

use crate::inventory::{Host, HostKeyCheck, Node, SshSettings};
use crate::output::Printer;

/// Seconds the master outlives a tenantctl that died without closing it.
const ORPHAN_GRACE: usize = 5;
/// Keepalive on the SSH connection: a dead SSH host is noticed within ~45 s.
const SERVER_ALIVE_INTERVAL: Duration = Duration::from_secs(15);
/// Prefix of our private directories (`tctl-<pid>-<random>`).
const DIR_PREFIX: &str = "tctl-";
/// Longest socket path the kernel takes (`sun_path` is 108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// What kind of SSH failure, for exit codes and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshErrorKind {
    /// The SSH host refused us: unknown or changed host key, authentication.
    Refused,
    /// The SSH host could not be reached, or the SSH connection broke.
    Unreachable,
    /// The SSH host is fine but could not reach the node's PostgreSQL.
    Target,
    /// A local problem (no ssh client, no temp dir), or the run is ending.
    Local,
}

/// One line: `ssh: <reason>`, the reason being ssh's own words when it gave any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshError {
    pub kind: SshErrorKind,
    pub message: String,
}

impl SshError {
    fn new(kind: SshErrorKind, message: impl Into<String>) -> SshError {
        SshError {
            kind,
            message: message.into(),
        }
    }
    fn local(message: impl Into<String>) -> SshError {
        SshError::new(SshErrorKind::Local, message)
    }
    /// A host-key or authentication refusal: a configuration matter, not an
    /// outage.
    pub fn is_refusal(&self) -> bool {
        self.kind == SshErrorKind::Refused
    }
}

/// Whether `e` (any context around it) is an SSH host-key or authentication
/// refusal, for callers that map it to exit 2 (a configuration matter).
pub fn is_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<SshError>()
            .is_some_and(SshError::is_refusal)
    })
}

impl fmt::Display for SshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh: {}", self.message)
    }
}

impl std::error::Error for SshError {}

/// The last thing ssh said (its log is several lines at most: warnings,
/// then the reason), without the `ssh: ` prefix and the final period.
fn last_line(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())?
        .trim_start_matches("ssh: ")
        .trim_end_matches('.');
    Some(line.to_string())
}

/// Classifies ssh's reason for failing to connect (`reason`: its last
/// line; `log`: all it said) and says it in terms of the SSH host, with the
/// fix and a command that reproduces the connection.
fn connect_failure(reason: &str, log: &str, s: &SshSettings) -> SshError {
    let refused = [
        "Host key verification failed",
        "Permission denied",
        "Too many authentication failures",
        "No more authentication methods",
        "host key for",
        "HOST IDENTIFICATION HAS CHANGED",
    ]
    .iter()
    .any(|p| reason.contains(p) || log.contains(p));
    let kind = if refused {
        SshErrorKind::Refused
    } else {
        SshErrorKind::Unreachable
    };
    let dest = s.destination();
    let file = known_hosts_display(s);
    let keyscan = format!(
        "ssh-keyscan{} {} >> {}",
        s.port.map(|p| format!(" -p {p}")).unwrap_or_default(),
        shell_quote(&s.host),
        shell_quote(&file)
    );
    let message = if log.contains("HOST IDENTIFICATION HAS CHANGED")
        || log.contains("has changed and you have requested strict checking")
    {
        let offending = log
            .lines()
            .find_map(|l| l.trim().strip_prefix("Offending "))
            .and_then(|l| l.split_once(" in "))
            .map(|(_, at)| at.trim().to_string())
            .unwrap_or_else(|| file.clone());
        format!(
            "the host key of SSH host {dest} has CHANGED from the one recorded in {offending}: this may be an attack (someone intercepting the connection), or the host was reinstalled; confirm the new key's fingerprint with the host's administrator, and only then replace the old one: ssh-keygen -R {} -f {} && {keyscan} ({reason})",
            shell_quote(&known_hosts_name(s)),
            shell_quote(&file),
        )
    } else if log.contains("host key is known for")
        || reason.contains("Host key verification failed")
    {
        let which = if s.jump.is_some() && !log.contains("host key is known for") {
            format!("SSH host {dest} (or of a jump host)")
        } else {
            format!("SSH host {dest}")
        };
        format!(
            "the host key of {which} is unknown: not in {file} and host_key_check = \"strict\"; after checking its fingerprint, record it with `{keyscan}`, or set host_key_check = \"accept-new\" in the node's [node.ssh] to record it on first use ({reason})"
        )
    } else {
        format!("SSH host {dest}: {reason}")
    };
    SshError::new(kind, format!("{message}; to reproduce: {}", reproduce(s)))
}

/// The known-hosts file ssh checks, for messages.
fn known_hosts_display(s: &SshSettings) -> String {
    s.known_hosts_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.ssh/known_hosts".into())
}

/// The host as a known-hosts file names it: `host`, or `[host]:port`.
fn known_hosts_name(s: &SshSettings) -> String {
    match s.port {
        Some(p) if p != 22 => format!("[{}]:{p}", s.host),
        _ => s.host.clone(),
    }
}

/// `s` as one shell word (`~/` left unquoted so that the shell expands it).
pub fn shell_quote(s: &str) -> String {
    let plain = |t: &str| {
        t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c))
    };
    if !s.is_empty() && plain(s) || s.strip_prefix("~/").is_some_and(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// An `ssh` command line that connects as tenantctl does (same identity,
/// known-hosts file and policy, jump hosts, ssh_config, BatchMode), for an
/// operator to see what ssh says.
pub fn reproduce(s: &SshSettings) -> String {
    let mut c = vec!["ssh".to_string(), "-o BatchMode=yes".to_string()];
    c.push(format!(
        "-o StrictHostKeyChecking={}",
        match s.host_key_check {
            HostKeyCheck::Strict => "yes",
            HostKeyCheck::AcceptNew => "accept-new",
        }
    ));
    if let Some(f) = &s.config_file {
        c.push(format!("-F {}", shell_quote(&f.display().to_string())));
    }
    if let Some(k) = &s.identity_file {
        c.push(format!("-i {}", shell_quote(&k.display().to_string())));
    }
    if let Some(k) = &s.known_hosts_file {
        c.push(format!(
            "-o UserKnownHostsFile={}",
            shell_quote(&k.display().to_string())
        ));
    }
    if let Some(p) = s.port {
        c.push(format!("-p {p}"));
    }
    if let Some(j) = &s.jump {
        c.push(format!("-J {}", shell_quote(j)));
    }
    let dest = match &s.user {
        Some(u) => format!("{u}@{}", s.host),
        None => s.host.clone(),
    };
    c.push(shell_quote(&dest));
    c.push("true".into());
    c.join(" ")
}

/// A master that exited: the reason from the last line ssh wrote (`log`).
fn master_failure(log: &str, s: &SshSettings) -> SshError {
    match last_line(log) {
        Some(reason) => connect_failure(&reason, log, s),
        None => SshError::new(
            SshErrorKind::Unreachable,
            format!(
                "SSH host {}: ssh exited without saying why; to reproduce: {}",
                s.destination(),
                reproduce(s)
            ),
        ),
    }
}

/// Adds where to look when the master went through a jump host: ssh runs the
/// jump ssh with its stderr where the master's goes (/dev/null).
fn add_jump_note(e: &mut SshError, s: &SshSettings) {
    if let (Some(j), false) = (&s.jump, e.kind == SshErrorKind::Local) {
        e.message.push_str(&format!(
            " (via jump host {j}, whose own messages ssh does not pass on: `ssh -J {j} ssh://{}` shows them)",
            s.destination()
        ));
    }
}

/// Turns the openssh crate's error for a failed master into one line.
fn launch_error(e: openssh::Error, s: &SshSettings) -> SshError {
    match e {
        // Spawning `ssh` itself failed (an OS error, not ssh's words).
        openssh::Error::Connect(io) if io.raw_os_error().is_some() => {
            SshError::local(format!("cannot run the ssh client: {io}"))
        }
        openssh::Error::Connect(io) => master_failure(&io.to_string(), s),
        openssh::Error::Master(io) => {
            SshError::local(format!("cannot create the control directory: {io}"))
        }
        other => SshError::new(SshErrorKind::Unreachable, chain(&other)),
    }
}

use crate::error::chain;

/// Where the node's PostgreSQL is, from the SSH host.
#[derive(Debug, Clone)]
enum Remote {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remote::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Remote::Tcp { host, port } => write!(f, "{host}:{port}"),
            Remote::Unix(p) => write!(f, "{}", p.display()),
        }
    }
}

/// What a connection needs from an open tunnel.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The forward: `<private dir>/.s.PGSQL.<port>`.
    pub socket: PathBuf,
    /// The master's log (ssh `-E`): reasons for failed forwarded connections.
    log: PathBuf,
    master_pid: u32,
    /// The master's control socket and our ssh_config (remote commands).
    control: PathBuf,
    config: PathBuf,
}

impl Endpoint {
    /// Size of the master's log now; see [`Tunnel::explain`].
    pub fn log_mark(&self) -> u64 {
        std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0)
    }
}

/// An open tunnel: what `close()` must take down.
struct Open {
    session: Option<Session>,
    mux: Option<MuxConn>,
    dir: PathBuf,
    endpoint: Endpoint,
    /// `control_persist`: the master and its directory stay after the run.
    persist: Option<Duration>,
}

impl Open {
    /// The master at `ctl` (its log beside it: `log`), our `ssh_config` in
    /// `dir`, the forward at `socket`.
    fn new(
        session: Session,
        mux: MuxConn,
        master_pid: u32,
        dir: PathBuf,
        ctl: PathBuf,
        socket: PathBuf,
        persist: Option<Duration>,
    ) -> Open {
        let endpoint = Endpoint {
            socket,
            log: ctl.with_file_name("log"),
            master_pid,
            config: dir.join("ssh_config"),
            control: ctl,
        };
        Open {
            session: Some(session),
            mux: Some(mux),
            dir,
            endpoint,
            persist,
        }
    }
}

enum State {
    Idle,
    Open(Open),
    /// Opening failed: every later connection gets the same reason at once
    /// instead of launching ssh again (one master per node per run).
    Failed(SshError),
    Closed,
}

/// The SSH tunnel of one node.
pub struct Tunnel {
    node: String,
    settings: SshSettings,
    remote: Remote,
    port: u16,
    pub(crate) printer: Option<Printer>,
    /// Held while opening, so concurrent first connections open one master.
    state: Mutex<State>,
    /// Set by `close()`: an opening in flight gives up at once.
    closing: watch::Sender<bool>,
    /// The private directory of an opening in flight (for cleanup if it is
    /// abandoned before it becomes `Open`).
    pending: StdMutex<Option<PathBuf>>,
}

impl Tunnel {
    /// The tunnel of `node`, or None when it is reached directly. Nothing is
    /// opened until the first [`Tunnel::endpoint`].
    pub fn for_node(node: &Node) -> Option<Tunnel> {
        let settings = node.ssh.clone()?;
        let remote = match &node.host {
            Host::Tcp(h) => Remote::Tcp {
                host: h.clone(),
                port: node.port,
            },
            Host::Socket(dir) => Remote::Unix(dir.join(format!(".s.PGSQL.{}", node.port))),
        };
        Some(Tunnel {
            node: node.name.clone(),
            settings,
            remote,
            port: node.port,
            printer: None,
            state: Mutex::new(State::Idle),
            closing: watch::Sender::new(false),
            pending: StdMutex::new(None),
        })
    }

    /// `user@host:port`, with the jump hosts, for messages.
    pub fn route(&self) -> String {
        match &self.settings.jump {
            Some(j) => format!("{} (jump {j})", self.settings.destination()),
            None => self.settings.destination(),
        }
    }

    fn detail(&self, msg: impl AsRef<str>) {
        if let Some(p) = &self.printer {
            p.detail(format!("node {}: {}", self.node, msg.as_ref()));
        }
    }

    /// The forward to connect to, opening the tunnel on first use.
    pub async fn endpoint(&self) -> Result<Endpoint, SshError> {
        let mut st = self.state.lock().await;
        match &*st {
            State::Open(o) => return Ok(o.endpoint.clone()),
            State::Failed(e) => return Err(e.clone()),
            State::Closed => return Err(SshError::local("the run is ending")),
            State::Idle => {}
        }
        let mut closing = self.closing.subscribe();
        if *closing.borrow() {
            *st = State::Closed;
            return Err(SshError::local("the run is ending"));
        }
        let opened = tokio::select! {
            biased;
            _ = closing.wait_for(|c| *c) => Err(SshError::local("the run is ending")),
            r = self.open_any() => r,
        };
        match opened {
            Ok(o) => {
                let ep = o.endpoint.clone();
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                *st = State::Open(o);
                Ok(ep)
            }
            Err(e) => {
                // Whatever was started (an ssh still authenticating, a master
                // whose forward failed) goes, with its directory.
                self.abandon().await;
                self.detail(format!("{e}"));
                *st = if *self.closing.borrow() {
                    State::Closed
                } else {
                    State::Failed(e.clone())
                };
                Err(e)
            }
        }
    }

    /// A per-run master, or with `control_persist` the kept one (reused or
    /// started).
    async fn open_any(&self) -> Result<Open, SshError> {
        let Some(keep) = self.settings.control_persist else {
            return self.open().await;
        };
        match persist_parent() {
            Ok(parent) => self.open_persistent(&parent, keep).await,
            Err(why) => {
                self.warn(format!(
                    "control_persist: {why}; refusing to keep a master there, using one for this run only"
                ));
                self.open().await
            }
        }
    }

    fn warn(&self, msg: impl AsRef<str>) {
        if let Some(p) = &self.printer {
            p.warn(format!("node {}: ssh: {}", self.node, msg.as_ref()));
        }
    }

    /// accept-new recorded the host key (the master's `log` says so): say so,
    /// as ssh itself does.
    fn warn_added_key(&self, log: &Path) {
        if let Some(added) = read_from(log, 0)
            .lines()
            .find(|l| l.contains("Permanently added"))
        {
            self.warn(format!(
                "{} ({})",
                added
                    .trim()
                    .trim_start_matches("Warning: ")
                    .trim_end_matches('.'),
                known_hosts_display(&self.settings)
            ));
        }
    }

    /// The master did not come up within `limit` (connect, key exchange,
    /// authentication, jump hosts).
    fn no_connection_within(&self, limit: Duration) -> SshError {
        SshError::new(
            SshErrorKind::Unreachable,
            format!(
                "no SSH connection to {} within {}",
                self.route(),
                humantime::format_duration(limit)
            ),
        )
    }

    /// Starts the master, holds a mux connection to it, requests the forward.
    async fn open(&self) -> Result<Open, SshError> {
        let s = &self.settings;
        let dir = make_private_dir_somewhere()?;
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir.clone());
        let config = dir.join("ssh_config");
        write_private(&config, &ssh_config(s))
            .map_err(|e| SshError::local(format!("cannot write {}: {e}", config.display())))?;

        let mut b = SessionBuilder::default();
        b.known_hosts_check(match s.host_key_check {
            HostKeyCheck::Strict => KnownHosts::Strict,
            HostKeyCheck::AcceptNew => KnownHosts::Add,
        })
        .control_directory(&dir)
        .config_file(&config)
        .connect_timeout(s.connect_timeout)
        .server_alive_interval(SERVER_ALIVE_INTERVAL)
        .control_persist(ControlPersist::IdleFor(
            NonZeroUsize::new(ORPHAN_GRACE).expect("non-zero"),
        ));
        if let Some(p) = s.port {
            b.port(p);
        }
        if let Some(u) = &s.user {
            b.user(u.clone());
        }
        if let Some(k) = &s.identity_file {
            b.keyfile(k);
        }
        if let Some(k) = &s.known_hosts_file {
            b.user_known_hosts_file(k);
        }
        if let Some(j) = &s.jump {
            b.jump_hosts(j.split(',').map(str::trim));
        }
        self.detail(format!("opening ssh to {}", self.route()));
        let t0 = Instant::now();
        // ssh's ConnectTimeout covers the TCP connect and the banner; this
        // bounds the rest (key exchange, authentication, jump hosts) too.
        let limit = s.connect_timeout * 2 + Duration::from_secs(5);
        let session = match tokio::time::timeout(limit, b.connect_mux(&s.host)).await {
            Err(_) => return Err(self.no_connection_within(limit)),
            Ok(r) => r.map_err(|e| {
                let mut e = launch_error(e, s);
                add_jump_note(&mut e, s);
                e
            })?,
        };
        let t_master = t0.elapsed();
        let ctl = session.control_socket().to_path_buf();
        let log = ctl.with_file_name("log");
        self.warn_added_key(&log);
        let mut mux = MuxConn::connect(&ctl).await.map_err(|e| {
            SshError::new(
                SshErrorKind::Unreachable,
                format!("the ssh master does not answer on {}: {e}", ctl.display()),
            )
        })?;
        let master_pid = mux.alive_check().await.map_err(|e| {
            SshError::new(
                SshErrorKind::Unreachable,
                format!("the ssh master does not answer: {e}"),
            )
        })?;
        let socket = dir.join(format!(".s.PGSQL.{}", self.port));
        let t1 = Instant::now();
        session
            .request_port_forward(
                ForwardType::Local,
                Socket::UnixSocket {
                    path: socket.as_path().into(),
                },
                self.target(),
            )
            .await
            .map_err(|e| {
                SshError::new(
                    SshErrorKind::Target,
                    format!("cannot forward to {}: {}", self.remote, chain(&e)),
                )
            })?;
        self.detail(format!(
            "ssh master pid {master_pid} up in {} ms; forward {} -> {} in {} us",
            t_master.as_millis(),
            socket.display(),
            self.remote,
            t1.elapsed().as_micros()
        ));
        Ok(Open::new(session, mux, master_pid, dir, ctl, socket, None))
    }

    /// `control_persist`: reuses the master kept by an earlier run in
    /// `<parent>/<key>/` (the key a hash of everything that defines the
    /// connection), or starts one there that outlives this run by `keep`
    /// once idle. A socket that does not answer, is not ours or sits in a
    /// directory that is not private is not used: a fresh master replaces it.
    async fn open_persistent(&self, parent: &Path, keep: Duration) -> Result<Open, SshError> {
        let s = &self.settings;
        let config_text = ssh_config(s);
        let dir = parent.join(persist_key(s, &self.remote, &config_text));
        if let Err(why) = private_dir_ok(&dir).or_else(|w| match dir.symlink_metadata() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            _ => Err(w),
        }) {
            self.warn(format!(
                "refusing {}: {why}; starting a fresh private one",
                dir.display()
            ));
            remove_any(&dir);
        }
        if let Err(e) = std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            if e.kind() != io::ErrorKind::AlreadyExists {
                return Err(SshError::local(format!(
                    "cannot create {}: {e}",
                    dir.display()
                )));
            }
        }
        private_dir_ok(&dir).map_err(|why| SshError::local(format!("{}: {why}", dir.display())))?;
        // One run at a time decides between reusing and starting the master.
        let _lock = lock_dir(&dir, s.connect_timeout * 2 + Duration::from_secs(5)).await?;
        let (ctl, _, log, socket) = self.kept_files(&dir);
        let keep_text = humantime::format_duration(keep).to_string();

        // Reuse.
        let reused = match socket_ok(&ctl) {
            Ok(false) => None,
            Ok(true) => match self.try_reuse(&ctl, &log, &socket).await {
                Ok((session, mux, master_pid)) => {
                    self.detail(format!(
                        "ssh master pid {master_pid} reused (control_persist {keep_text}, {}); forward {} -> {}",
                        ctl.display(),
                        socket.display(),
                        self.remote
                    ));
                    Some((session, mux, master_pid))
                }
                Err(why) => {
                    self.detail(format!(
                        "kept ssh master at {} is stale ({why}): starting a fresh one",
                        ctl.display()
                    ));
                    None
                }
            },
            Err(why) => {
                self.warn(format!(
                    "refusing the control socket {}: {why}; starting a fresh private master",
                    ctl.display()
                ));
                None
            }
        };
        let (session, mux, master_pid) = match reused {
            Some(attached) => attached,
            None => self.start_kept_master(&dir, &config_text, keep).await?,
        };
        Ok(Open::new(
            session,
            mux,
            master_pid,
            dir,
            ctl,
            socket,
            Some(keep),
        ))
    }

    /// Starts a master in `dir` (private, locked by us) that stays `keep`
    /// after its last client, attaches to it and requests the forward.
    async fn start_kept_master(
        &self,
        dir: &Path,
        config_text: &str,
        keep: Duration,
    ) -> Result<(Session, MuxConn, u32), SshError> {
        let s = &self.settings;
        let (ctl, config, log, socket) = self.kept_files(dir);
        let keep_text = humantime::format_duration(keep).to_string();
        // A fresh master: whatever the stale one left goes first.
        end_processes(&pids_mentioning(dir), Duration::from_millis(0)).await;
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_name() != "lock" {
                    remove_any(&e.path());
                }
            }
        }
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir.to_path_buf());
        write_private(&config, config_text)
            .map_err(|e| SshError::local(format!("cannot write {}: {e}", config.display())))?;
        let mut cmd = tokio::process::Command::new("ssh");
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(false)
            .arg("-E")
            .arg(&log)
            .arg("-S")
            .arg(&ctl)
            .args(["-M", "-f", "-N", "-o"])
            .arg(format!("ControlPersist={}s", keep.as_secs().max(1)))
            .args(["-F"])
            .arg(&config);
        if let Some(p) = s.port {
            cmd.arg("-p").arg(p.to_string());
        }
        if let Some(u) = &s.user {
            cmd.arg("-l").arg(u);
        }
        if s.identity_file.is_some() {
            // As the crate does for a per-run master: only that key.
            cmd.args(["-o", "IdentitiesOnly=yes"]);
        }
        if let Some(j) = &s.jump {
            cmd.arg("-J").arg(j);
        }
        cmd.arg("--").arg(&s.host);
        self.detail(format!(
            "opening ssh to {} (kept {keep_text} after the run: control_persist)",
            self.route()
        ));
        let t0 = Instant::now();
        let limit = s.connect_timeout * 2 + Duration::from_secs(5);
        match tokio::time::timeout(limit, cmd.status()).await {
            Err(_) => return Err(self.no_connection_within(limit)),
            Ok(Err(e)) => return Err(SshError::local(format!("cannot run the ssh client: {e}"))),
            Ok(Ok(st)) if !st.success() => {
                let mut e = master_failure(&read_from(&log, 0), s);
                add_jump_note(&mut e, s);
                return Err(e);
            }
            Ok(Ok(_)) => {}
        }
        let t_master = t0.elapsed();
        self.warn_added_key(&log);
        let (session, mux, master_pid) = self
            .try_reuse(&ctl, &log, &socket)
            .await
            .map_err(|why| SshError::new(SshErrorKind::Unreachable, why))?;
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        self.detail(format!(
            "ssh master pid {master_pid} up in {} ms, kept {keep_text} after the run (control_persist); forward {} -> {}",
            t_master.as_millis(),
            socket.display(),
            self.remote
        ));
        Ok((session, mux, master_pid))
    }

    /// The files of a kept master's directory: (control socket, ssh_config,
    /// log, forward).
    fn kept_files(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
        (
            dir.join("master"),
            dir.join("ssh_config"),
            dir.join("log"),
            dir.join(format!(".s.PGSQL.{}", self.port)),
        )
    }

    /// Attaches to the master at `ctl`: holds a mux connection (which keeps
    /// its idle timer stopped while we run), learns its pid, requests the
    /// forward (a master that has it already answers ok).
    async fn try_reuse(
        &self,
        ctl: &Path,
        log: &Path,
        socket: &Path,
    ) -> Result<(Session, MuxConn, u32), String> {
        let answer = async {
            let mut mux = MuxConn::connect(ctl).await?;
            let pid = mux.alive_check().await?;
            io::Result::Ok((mux, pid))
        };
        let (mux, pid) = match tokio::time::timeout(Duration::from_secs(5), answer).await {
            Err(_) => return Err("the ssh master does not answer".into()),
            Ok(Err(e)) => return Err(format!("the ssh master does not answer: {e}")),
            Ok(Ok(v)) => v,
        };
        let session = Session::resume_mux(ctl.into(), Some(log.into()));
        session
            .request_port_forward(
                ForwardType::Local,
                Socket::UnixSocket {
                    path: socket.into(),
                },
                self.target(),
            )
            .await
            .map_err(|e| format!("cannot forward to {}: {}", self.remote, chain(&e)))?;
        Ok((session, mux, pid))
    }

    fn target(&self) -> Socket<'_> {
        match &self.remote {
            Remote::Tcp { host, port } => Socket::TcpSocket {
                host: host.as_str().into(),
                port: *port,
            },
            Remote::Unix(p) => Socket::UnixSocket {
                path: p.as_path().into(),
            },
        }
    }

    /// Cleans up after an opening that did not finish: ends every process
    /// started with our directory on its command line (an ssh still
    /// connecting, its jump ssh, a master whose forward failed), then removes
    /// the directory.
    async fn abandon(&self) {
        let dir = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(dir) = dir {
            let pids = pids_mentioning(&dir);
            end_processes(&pids, Duration::from_millis(0)).await;
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    /// Why a connection through the tunnel failed, if ssh knows: the master
    /// died, or the SSH host could not connect to PostgreSQL (the master logs
    /// `channel N: open failed: connect failed: Connection refused`).
    /// `mark` is the log size before the connection was tried.
    pub fn explain(&self, ep: &Endpoint, mark: u64) -> Option<SshError> {
        let log = read_from(&ep.log, mark);
        if !process_alive(ep.master_pid) {
            let all = read_from(&ep.log, 0);
            let why = last_line(&all).unwrap_or_else(|| "no reason given".into());
            return Some(SshError::new(
                SshErrorKind::Unreachable,
                format!("the SSH connection to {} was lost: {why}", self.route()),
            ));
        }
        let line = log.lines().rfind(|l| l.contains("open failed"))?;
        let why = line
            .split_once("open failed: ")
            .map(|(_, w)| w.trim())
            .unwrap_or(line.trim());
        Some(SshError::new(
            SshErrorKind::Target,
            format!(
                "the SSH host cannot reach PostgreSQL at {}: {why}",
                self.remote
            ),
        ))
    }

    /// A command that runs `script` with the SSH host's shell over the
    /// node's master connection (opening it on first use): `ssh -S <master>`,
    /// no new authentication. Used for the filestore.
    pub async fn remote_command(&self, script: &str) -> Result<std::process::Command, SshError> {
        let ep = self.endpoint().await?;
        let mut c = std::process::Command::new("ssh");
        c.arg("-F")
            .arg(&ep.config)
            .arg("-S")
            .arg(&ep.control)
            .args(["-o", "ControlMaster=no", "-o", "BatchMode=yes", "-T"])
            .arg(&self.settings.host)
            .arg("--")
            .arg(script);
        Ok(c)
    }

    /// Takes the tunnel down: the master process is gone and the private
    /// directory removed when this returns. Idempotent.
    pub async fn close(&self) {
        self.closing.send_replace(true);
        let mut st = self.state.lock().await;
        if let State::Open(mut o) = std::mem::replace(&mut *st, State::Closed) {
            let pid = o.endpoint.master_pid;
            if let Some(keep) = o.persist {
                // Dropping our mux connection starts the master's idle timer;
                // the resumed session has nothing to tear down.
                drop(o.mux.take());
                drop(o.session.take());
                self.detail(format!(
                    "ssh master pid {pid} left running for the next run (control_persist: it exits after {} idle)",
                    humantime::format_duration(keep)
                ));
                drop(st);
                return;
            }
            let t0 = Instant::now();
            shutdown(o).await;
            self.detail(format!(
                "ssh master pid {pid} closed in {} ms",
                t0.elapsed().as_millis()
            ));
        }
        drop(st);
        self.abandon().await;
    }
}

/// Ends a master: asks it to stop listening (openssh's `Session::close`,
/// which also removes the crate's directory), then to exit at once even if
/// forwarded connections are still open (Ctrl-C mid-listing), waits until the
/// process is gone (signals if it lingers), removes the private directory.
async fn shutdown(mut o: Open) {
    if let Some(s) = o.session.take() {
        let _ = tokio::time::timeout(Duration::from_secs(2), s.close()).await;
    }
    if let Some(mut m) = o.mux.take() {
        let _ = tokio::time::timeout(Duration::from_secs(1), m.terminate()).await;
    }
    let mut pids = pids_mentioning(&o.dir);
    if !pids.contains(&o.endpoint.master_pid) && process_alive(o.endpoint.master_pid) {
        pids.push(o.endpoint.master_pid);
    }
    end_processes(&pids, Duration::from_secs(2)).await;
    let _ = std::fs::remove_dir_all(&o.dir);
}

impl Drop for Tunnel {
    /// Safety net for a path that skipped `close()` (a panic): signal the
    /// master and remove the directory, synchronously.
    fn drop(&mut self) {
        let st = std::mem::replace(self.state.get_mut(), State::Closed);
        if let State::Open(o) = st {
            if o.persist.is_some() {
                return;
            }
            let pid = o.endpoint.master_pid;
            if process_alive(pid) && cmdline_mentions(pid, &o.dir) {
                signal(pid, "TERM");
            }
            let _ = std::fs::remove_dir_all(&o.dir);
        }
        if let Some(dir) = self
            .pending
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            for pid in pids_mentioning(&dir) {
                signal(pid, "TERM");
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

// ---------------------------------------------------------------------------
// The generated ssh_config
// ---------------------------------------------------------------------------

/// The ssh_config given to ssh with `-F`. ssh passes `-F` on to the ssh it
/// runs for each jump host, and nothing else of our command line: this is how
/// BatchMode and the host-key policy reach jump hosts too. ssh keeps the
/// first value it reads for each option, so ours come first, then the user's
/// files (`config_file`, else `~/.ssh/config` and `/etc/ssh/ssh_config`, as
/// ssh reads them by default).
fn ssh_config(s: &SshSettings) -> String {
    let q = |p: &Path| format!("\"{}\"", p.display());
    let mut c = String::from(match s.control_persist {
        None => "# Written by tenantctl for one run, removed at its end.\n",
        Some(_) => "# Written by tenantctl for a master kept between runs (control_persist).\n",
    });
    c.push_str(
        "Host *\n\
         \x20 # Never prompt: a refusal is reported, not asked about.\n\
         \x20 BatchMode yes\n",
    );
    c.push_str(&format!(
        "  StrictHostKeyChecking {}\n",
        match s.host_key_check {
            HostKeyCheck::Strict => "yes",
            HostKeyCheck::AcceptNew => "accept-new",
        }
    ));
    if let Some(k) = &s.known_hosts_file {
        c.push_str(&format!("  UserKnownHostsFile {}\n", q(k)));
    }
    if let Some(k) = &s.identity_file {
        c.push_str(&format!("  IdentityFile {}\n", q(k)));
    }
    c.push_str(&format!(
        "  ConnectTimeout {}\n",
        s.connect_timeout.as_secs().max(1)
    ));
    c.push_str(&format!(
        "  ServerAliveInterval {}\n  ServerAliveCountMax 3\n",
        SERVER_ALIVE_INTERVAL.as_secs()
    ));
    c.push_str(
        "  # Jump hosts must neither become nor use a shared master that would\n\
         \x20 # outlive the run (our own master gets -M/-S on the command line).\n\
         \x20 ControlMaster no\n\
         \x20 ControlPath none\n\
         \x20 # Only our forward; no forwards, commands or tty from ssh_config.\n\
         \x20 ClearAllForwardings yes\n\
         \x20 RemoteCommand none\n\
         \x20 RequestTTY no\n\
         \x20 PermitLocalCommand no\n\
         \x20 # The log must keep the reasons we report.\n\
         \x20 LogLevel INFO\n\
         Match all\n",
    );
    match &s.config_file {
        Some(f) => c.push_str(&format!("Include {}\n", q(f))),
        None => c.push_str("Include ~/.ssh/config\nMatch all\nInclude /etc/ssh/ssh_config\n"),
    }
    c
}

// ---------------------------------------------------------------------------
// Private directories
// ---------------------------------------------------------------------------

/// Where private directories may go, best first: `$XDG_RUNTIME_DIR` (per
/// user, tmpfs), `$TMPDIR`, /tmp; only those whose paths stay within the 107
/// bytes of a socket path. The longest is ssh's temporary control socket:
/// `<base>/tctl-<pid>-<6 random>/.ssh-connection<6 random>/master.<16 chars>`.
fn base_dirs() -> Vec<PathBuf> {
    let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
    let mut v: Vec<PathBuf> = [env("XDG_RUNTIME_DIR"), env("TMPDIR")]
        .into_iter()
        .flatten()
        .filter(|p| p.is_absolute() && base_fits(p) && p.is_dir())
        .collect();
    v.push(PathBuf::from("/tmp"));
    v.dedup();
    v
}

/// A new private directory in the first usable base (after removing what
/// killed runs left there).
fn make_private_dir_somewhere() -> Result<PathBuf, SshError> {
    let mut errors = Vec::new();
    for base in base_dirs() {
        reap_stale(&base);
        match make_private_dir(&base) {
            Ok(d) => return Ok(d),
            Err(e) => errors.push(format!("{}: {e}", base.display())),
        }
    }
    Err(SshError::local(format!(
        "cannot create a private directory ({})",
        errors.join("; ")
    )))
}

// ---------------------------------------------------------------------------
// Kept masters (control_persist)
// ---------------------------------------------------------------------------

fn my_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").map(|m| m.uid()).ok()
}

/// `<base>/tctl-u<uid>` in the first usable base (`$XDG_RUNTIME_DIR`,
/// `$TMPDIR`, /tmp): this user's directory of kept masters, mode 0700,
/// created if missing. Only the first base, so that every run looks in the
/// same place. Err: why it cannot be used (not ours, not private, a symlink),
/// said to the operator.
fn persist_parent() -> Result<PathBuf, String> {
    let uid = my_uid().ok_or("cannot tell our own user id")?;
    let base = base_dirs()
        .into_iter()
        .next()
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let p = base.join(format!("{DIR_PREFIX}u{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&p) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("{}: {e}", p.display())),
    }
    private_dir_ok(&p).map_err(|w| format!("{}: {w}", p.display()))?;
    Ok(p)
}

/// Whether `dir` is a directory (not a symlink) owned by us with no access
/// for group or others ([`crate::private`]).
fn private_dir_ok(dir: &Path) -> Result<(), String> {
    crate::private::check(dir, crate::private::Want::SecretDir)
}

/// Whether a control socket is there to try: Ok(false) none, Ok(true) a
/// socket of ours, Err(why) something that must not be used.
fn socket_ok(ctl: &Path) -> Result<bool, String> {
    use std::os::unix::fs::FileTypeExt as _;
    match std::fs::symlink_metadata(ctl) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.to_string()),
        Ok(m) if !m.file_type().is_socket() => Err("not a socket".into()),
        Ok(m) if Some(m.uid()) != my_uid() => Err(format!("owned by uid {}, not by us", m.uid())),
        Ok(_) => Ok(true),
    }
}

fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// The name of a kept master's directory: a hash of everything that defines
/// the connection (user, host, port, identity, known-hosts file and policy,
/// jump hosts, timeouts, control_persist, the generated ssh_config and the
/// forward's target), so that changed settings never reuse an old master.
fn persist_key(s: &SshSettings, remote: &Remote, config: &str) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(format!("{:?}\0{remote}\0{config}", s));
    h.finalize()[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An exclusive lock on a kept master's directory: the file `<dir>/lock`
/// created with O_EXCL, naming its holder, removed on drop; one left by a
/// run that died is taken over. Two runs starting at once thus decide in
/// turn whether to reuse or start the master.
struct DirLock(PathBuf);

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn lock_dir(dir: &Path, limit: Duration) -> Result<DirLock, SshError> {
    let path = dir.join("lock");
    let me = format!("{} {}\n", std::process::id(), pid_namespace());
    let until = Instant::now() + limit;
    loop {
        match write_private(&path, &me) {
            Ok(()) => return Ok(DirLock(path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let mut it = holder.split_whitespace();
                let gone = match (it.next().and_then(|p| p.parse::<u32>().ok()), it.next()) {
                    (Some(pid), Some(ns)) => ns == pid_namespace() && !process_alive(pid),
                    // Being written this instant, or unreadable: wait.
                    _ => false,
                };
                if gone {
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                if Instant::now() >= until {
                    return Err(SshError::local(format!(
                        "{} stayed locked by another run ({}) for {}",
                        path.display(),
                        holder.trim(),
                        humantime::format_duration(limit)
                    )));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                return Err(SshError::local(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )))
            }
        }
    }
}

fn base_fits(base: &Path) -> bool {
    let dir = base.as_os_str().len() + 1 + DIR_PREFIX.len() + 7 + 1 + 6;
    dir + "/.ssh-connection".len() + 6 + "/master".len() + 17 <= MAX_SOCKET_PATH
}

/// `<base>/tctl-<pid>-<random>`, mode 0700, with an `owner` file naming this
/// process (for [`reap_stale`]).
fn make_private_dir(base: &Path) -> io::Result<PathBuf> {
    let mut last = io::Error::other("no attempt");
    for _ in 0..16 {
        let mut r = [0u8; 3];
        getrandom::getrandom(&mut r).map_err(|e| io::Error::other(e.to_string()))?;
        let p = base.join(format!(
            "{DIR_PREFIX}{}-{:02x}{:02x}{:02x}",
            std::process::id(),
            r[0],
            r[1],
            r[2]
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&p) {
            Ok(()) => {
                // The umask cannot widen 0700, but be explicit.
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700))?;
                private_dir_ok(&p)
                    .map_err(|why| io::Error::other(format!("{}: {why}", p.display())))?;
                write_private(
                    &p.join("owner"),
                    &format!("{} {}\n", std::process::id(), pid_namespace()),
                )?;
                return Ok(p);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Removes directories left by runs that died without closing (SIGKILL):
/// ours (same user, same PID namespace), whose owner process is gone and
/// whose master no longer answers. Anything uncertain is left alone.
fn reap_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let my_uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    let my_ns = pid_namespace();
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(DIR_PREFIX) {
            continue;
        }
        let dir = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&dir) else {
            continue;
        };
        if !meta.is_dir() || Some(meta.uid()) != my_uid {
            continue;
        }
        let Ok(owner) = std::fs::read_to_string(dir.join("owner")) else {
            continue;
        };
        let mut it = owner.split_whitespace();
        let (Some(pid), Some(ns)) = (it.next(), it.next()) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if ns != my_ns || process_alive(pid) || master_answers(&dir) {
            continue;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Whether a master socket under `dir` accepts connections.
fn master_answers(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .starts_with(".ssh-connection")
            && std::os::unix::net::UnixStream::connect(e.path().join("master")).is_ok()
    })
}

fn read_from(path: &Path, offset: u64) -> String {
    use std::io::Seek as _;
    let Ok(mut f) = std::fs::File::open(path) else {
        return String::new();
    };
    if f.seek(io::SeekFrom::Start(offset)).is_err() {
        return String::new();
    }
    let mut buf = Vec::new();
    let _ = f.take(1 << 20).read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/// Whether `pid` runs (a zombie does not: the master is reparented to init,
/// which may be slow to reap it).
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

fn cmdline_mentions(pid: u32, dir: &Path) -> bool {
    let needle = dir.as_os_str().as_encoded_bytes();
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| c.windows(needle.len()).any(|w| w == needle))
}

/// Live processes whose command line names `dir`: only the ssh processes of
/// this tunnel do (`-S <dir>/…/master`, `-F <dir>/ssh_config`), and `dir` is
/// unique to it.
fn pids_mentioning(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me && cmdline_mentions(pid, dir) && process_alive(pid))
        .collect()
}

/// Sends a signal with kill(1): the rare paths that need one (an ssh stuck
/// before authentication, a master that ignores the exit request) are not
/// worth an unsafe libc call.
fn signal(pid: u32, sig: &str) {
    let _ = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Waits up to `grace` for `pids` to exit by themselves, then sends TERM,
/// then KILL; returns when all are gone (or after ~3 s more).
async fn end_processes(pids: &[u32], grace: Duration) {
    let alive =
        |pids: &[u32]| -> Vec<u32> { pids.iter().copied().filter(|p| process_alive(*p)).collect() };
    let wait = |pids: Vec<u32>, d: Duration| async move {
        let until = Instant::now() + d;
        let mut left = pids;
        while !left.is_empty() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
            left = alive(&left);
        }
        left
    };
    let left = wait(alive(pids), grace).await;
    for &p in &left {
        signal(p, "TERM");
    }
    let left = wait(left, Duration::from_secs(2)).await;
    for &p in &left {
        signal(p, "KILL");
    }
    wait(left, Duration::from_secs(1)).await;
}

// ---------------------------------------------------------------------------
// The held mux connection
// ---------------------------------------------------------------------------

/// A connection to the master's control socket, speaking just enough of
/// OpenSSH's mux protocol (PROTOCOL.mux): hello, alive check (for the
/// master's pid), terminate. Holding it open is what keeps
/// `ControlPersist=<n>s` from ending the master while the run lives.
struct MuxConn(UnixStream);

const MUX_MSG_HELLO: u32 = 0x0000_0001;
const MUX_C_ALIVE_CHECK: u32 = 0x1000_0004;
const MUX_C_TERMINATE: u32 = 0x1000_0005;
const MUX_S_ALIVE: u32 = 0x8000_0005;
const MUX_VERSION: u32 = 4;

impl MuxConn {
    async fn connect(ctl: &Path) -> io::Result<MuxConn> {
        let mut c = MuxConn(UnixStream::connect(ctl).await?);
        c.send(&[MUX_MSG_HELLO, MUX_VERSION]).await?;
        let hello = c.recv().await?;
        if hello.get(..4) != Some(&MUX_MSG_HELLO.to_be_bytes()[..]) {
            return Err(io::Error::other("unexpected mux hello"));
        }
        Ok(c)
    }

    async fn send(&mut self, words: &[u32]) -> io::Result<()> {
        let mut buf = Vec::with_capacity(4 + words.len() * 4);
        buf.extend_from_slice(&((words.len() * 4) as u32).to_be_bytes());
        for w in words {
            buf.extend_from_slice(&w.to_be_bytes());
        }
        self.0.write_all(&buf).await
    }

    async fn recv(&mut self) -> io::Result<Vec<u8>> {
        let len = self.0.read_u32().await? as usize;
        if len > 256 * 1024 {
            return Err(io::Error::other("oversized mux message"));
        }
        let mut buf = vec![0; len];
        self.0.read_exact(&mut buf).await?;
        Ok(buf)
    }

    /// The master's pid.
    async fn alive_check(&mut self) -> io::Result<u32> {
        const RID: u32 = 1;
        self.send(&[MUX_C_ALIVE_CHECK, RID]).await?;
        let m = self.recv().await?;
        let word = |i: usize| {
            m.get(i * 4..i * 4 + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        match (word(0), word(1), word(2)) {
            (Some(MUX_S_ALIVE), Some(RID), Some(pid)) if pid > 0 => Ok(pid),
            _ => Err(io::Error::other("unexpected reply to the mux alive check")),
        }
    }

    /// Asks the master to exit now (`ssh -O exit`).
    async fn terminate(&mut self) -> io::Result<()> {
        self.send(&[MUX_C_TERMINATE, 2]).await?;
        let _ = self.recv().await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SshSettings {
        SshSettings {
            host: "bastion".into(),
            port: None,
            user: None,
            identity_file: None,
            known_hosts_file: None,
            host_key_check: HostKeyCheck::Strict,
            jump: None,
            config_file: None,
            connect_timeout: Duration::from_secs(10),
            control_persist: None,
        }
    }

    fn fail(log: &str, s: &SshSettings) -> SshError {
        connect_failure(&last_line(log).unwrap(), log, s)
    }

    #[test]
    fn host_key_failures_say_unknown_or_changed_with_the_fix() {
        let s = SshSettings {
            user: Some("ops".into()),
            port: Some(2222),
            known_hosts_file: Some("/etc/tc/known_hosts".into()),
            identity_file: Some("/keys/id ed".into()),
            ..settings()
        };
        let e = fail("No ED25519 host key is known for [bastion]:2222 and you have requested strict checking.\nHost key verification failed.\n", &s);
        assert!(e.is_refusal());
        let m = e.to_string();
        assert!(
            m.starts_with("ssh: the host key of SSH host ops@bastion:2222 is unknown: not in /etc/tc/known_hosts"),
            "{m}"
        );
        assert!(
            m.contains("`ssh-keyscan -p 2222 bastion >> /etc/tc/known_hosts`"),
            "{m}"
        );
        assert!(m.contains("host_key_check = \"accept-new\""), "{m}");
        assert!(
            m.ends_with("; to reproduce: ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i '/keys/id ed' -o UserKnownHostsFile=/etc/tc/known_hosts -p 2222 ops@bastion true"),
            "{m}"
        );
        let e = fail("@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\nOffending ED25519 key in /etc/tc/known_hosts:3\nHost key for [bastion]:2222 has changed and you have requested strict checking.\nHost key verification failed.\n", &s);
        assert!(e.is_refusal());
        let m = e.to_string();
        assert!(
            m.contains("has CHANGED from the one recorded in /etc/tc/known_hosts:3")
                && m.contains("may be an attack")
                && m.contains("ssh-keygen -R '[bastion]:2222' -f /etc/tc/known_hosts"),
            "{m}"
        );
        assert!(!m.contains("is unknown"), "{m}");
    }

    #[test]
    fn reasons_are_ssh_last_line() {
        let s = settings();
        let e = fail("No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n", &s);
        assert!(e.to_string().contains("(Host key verification failed)"));
        assert!(e.is_refusal());
        let e = fail(
            "ssh: connect to host 10.0.0.1 port 22: Connection refused\r\n",
            &s,
        );
        assert!(
            e.to_string().starts_with(
                "ssh: SSH host bastion: connect to host 10.0.0.1 port 22: Connection refused; to reproduce: ssh -o BatchMode=yes"
            ),
            "{e}"
        );
        assert_eq!(e.kind, SshErrorKind::Unreachable);
        let e = fail("root@h: Permission denied (publickey).", &s);
        assert!(e.is_refusal());
        assert!(last_line("\n \n").is_none());
    }

    #[test]
    fn refusals_are_recognised_through_context() {
        let s = settings();
        let e = anyhow::Error::new(fail("Host key verification failed", &s))
            .context("node s (127.0.0.1:5432)");
        assert!(is_refusal(&e));
        assert!(format!("{e:#}").starts_with(
            "node s (127.0.0.1:5432): ssh: the host key of SSH host bastion is unknown"
        ));
        let e = anyhow::Error::new(fail("connect to host h port 22: Connection refused", &s));
        assert!(!is_refusal(&e));
        assert!(!is_refusal(&anyhow::anyhow!("Permission denied")));
    }

    #[test]
    fn generated_config_puts_our_values_first() {
        let mut s = settings();
        s.known_hosts_file = Some("/k/known hosts".into());
        s.host_key_check = HostKeyCheck::AcceptNew;
        let c = ssh_config(&s);
        let batch = c.find("BatchMode yes").unwrap();
        let include = c.find("Include ~/.ssh/config").unwrap();
        assert!(batch < include);
        assert!(c.contains("StrictHostKeyChecking accept-new"));
        assert!(c.contains("UserKnownHostsFile \"/k/known hosts\""));
        assert!(c.contains("Include /etc/ssh/ssh_config"));
        s.config_file = Some("/etc/fleet/ssh_config".into());
        let c = ssh_config(&s);
        assert!(c.contains("Include \"/etc/fleet/ssh_config\""));
        assert!(!c.contains("~/.ssh/config"));
    }

    #[test]
    fn socket_paths_fit() {
        assert!(base_fits(Path::new("/run/user/1000")));
        assert!(base_fits(Path::new("/tmp")));
        assert!(!base_fits(Path::new(
            "/home/someone/with/a/rather/long/path/to/a/runtime/dir"
        )));
    }

    #[test]
    fn private_dir_is_0700_and_reaped_only_when_stale() {
        let base = std::env::temp_dir().join(format!("tctl-unit-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        let d = make_private_dir(&base).unwrap();
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // Our own, live: kept.
        reap_stale(&base);
        assert!(d.exists());
        // An owner that is gone: removed.
        std::fs::remove_file(d.join("owner")).unwrap();
        write_private(
            &d.join("owner"),
            &format!("4194303999 {}\n", pid_namespace()),
        )
        .unwrap();
        reap_stale(&base);
        assert!(!d.exists());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
