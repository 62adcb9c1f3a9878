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
//!
//! The module's files: this one holds the tunnel and its lifetime (open on
//! first use, close, the `Drop` safety net); `master.rs` starts or reuses
//! the ssh master and requests the forward, `config.rs` writes its
//! ssh_config, `mux.rs` speaks to its control socket, `dirs.rs` makes and
//! locks the private directories, `procscan.rs` finds and ends ssh
//! processes through /proc, `diagnose.rs` turns what ssh said into one line.

mod config;
mod diagnose;
mod dirs;
mod master;
mod mux;
mod procscan;

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use openssh::Session;
use tokio::sync::{watch, Mutex};

use crate::inventory::{Host, Node, SshSettings};

use super::{Notice, Notices};

pub use diagnose::{is_refusal, reproduce, shell_quote, SshError, SshErrorKind};
use dirs::persist_parent;
use master::shutdown;
use mux::MuxConn;
use procscan::{cmdline_mentions, end_processes, pids_mentioning, process_alive, signal};

/// Seconds the master outlives a tenantctl that died without closing it.
const ORPHAN_GRACE: usize = 5;

/// Keepalive on the SSH connection: a dead SSH host is noticed within ~45 s.
const SERVER_ALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// Where the node's PostgreSQL is, from the SSH host.
#[derive(Debug, Clone)]
enum Remote {
    Tcp {
        host: String,
        port: u16,
    },
    Unix(PathBuf),
    /// No forward: a master for remote commands only (the Odoo host).
    Commands,
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remote::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Remote::Tcp { host, port } => write!(f, "{host}:{port}"),
            Remote::Unix(p) => write!(f, "{}", p.display()),
            Remote::Commands => f.write_str("no forward (commands only)"),
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
    /// `node pg1` or `odoo host ops@app1:22`, for messages.
    label: String,
    settings: SshSettings,
    remote: Remote,
    port: u16,
    /// Where tunnel events go ([`super::NodeLink::with_notices`]).
    pub(crate) notices: Option<Notices>,
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
            label: format!("node {}", node.name),
            settings,
            remote,
            port: node.port,
            notices: None,
            state: Mutex::new(State::Idle),
            closing: watch::Sender::new(false),
            pending: StdMutex::new(None),
        })
    }

    /// A master to `settings` for remote commands only (no forward): the
    /// host Odoo runs on when it is neither this machine nor a node's.
    pub fn for_commands(settings: SshSettings) -> Tunnel {
        Tunnel {
            label: format!("odoo host {}", settings.destination()),
            settings,
            remote: Remote::Commands,
            port: 0,
            notices: None,
            state: Mutex::new(State::Idle),
            closing: watch::Sender::new(false),
            pending: StdMutex::new(None),
        }
    }

    /// Reports tunnel events to `notices`.
    pub fn with_notices(mut self, notices: Notices) -> Tunnel {
        self.notices = Some(notices);
        self
    }

    /// `user@host:port`, with the jump hosts, for messages.
    pub fn route(&self) -> String {
        match &self.settings.jump {
            Some(j) => format!("{} (jump {j})", self.settings.destination()),
            None => self.settings.destination(),
        }
    }

    fn detail(&self, msg: impl AsRef<str>) {
        if let Some(n) = &self.notices {
            n(Notice::Detail(format!("{}: {}", self.label, msg.as_ref())));
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
        if let Some(n) = &self.notices {
            n(Notice::Warn(format!(
                "{}: ssh: {}",
                self.label,
                msg.as_ref()
            )));
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

    /// A command that runs `script` with the SSH host's shell over the
    /// node's master connection (opening it on first use): `ssh -S <master>`,
    /// no new authentication. Used for the filestore and Odoo's runs.
    ///
    /// Only ever through the master: ssh, finding its control socket dead,
    /// would connect by itself with what our ssh_config holds (no port, user
    /// or jump host: those are on the master's command line), that is to
    /// some other host's port 22 (a real Odoo judge saw an upgrade run
    /// there). So a master that has ended is an error here, and the command
    /// carries `ProxyCommand=false`, which fails any connection of its own
    /// (a master that ends between the check and the command).
    pub async fn remote_command(&self, script: &str) -> Result<std::process::Command, SshError> {
        let ep = self.endpoint().await?;
        if !process_alive(ep.master_pid) {
            return Err(self.master_gone(ep.master_pid));
        }
        let mut c = std::process::Command::new("ssh");
        c.arg("-F")
            .arg(&ep.config)
            .arg("-S")
            .arg(&ep.control)
            .args(["-o", "ControlMaster=no", "-o", "BatchMode=yes", "-T"])
            .args(["-o", "ProxyCommand=false"])
            .arg(&self.settings.host)
            .arg("--")
            .arg(script);
        Ok(c)
    }

    fn master_gone(&self, pid: u32) -> SshError {
        SshError::new(
            SshErrorKind::Unreachable,
            format!(
                "the SSH connection to {} was lost (its ssh master, pid {pid}, has ended)",
                self.route()
            ),
        )
    }

    /// Why commands can no longer run through the open master (it has
    /// ended), if so; None while it runs or before it is opened.
    pub fn lost(&self) -> Option<String> {
        let st = self.state.try_lock().ok()?;
        match &*st {
            State::Open(o) if !process_alive(o.endpoint.master_pid) => {
                Some(self.master_gone(o.endpoint.master_pid).to_string())
            }
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::inventory::{HostKeyCheck, SshSettings};

    pub(super) fn settings() -> SshSettings {
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
}
