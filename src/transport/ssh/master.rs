//! The ssh master of a tunnel: a per-run one (the `openssh` crate's native
//! mux), or with `control_persist` one kept between runs (started with
//! `ssh -M -f`, reused by later runs); the forward requested from it, and
//! its shutdown.

use std::io;
use std::num::NonZeroUsize;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use openssh::{ControlPersist, ForwardType, KnownHosts, Session, SessionBuilder, Socket};

use crate::error::chain;
use crate::inventory::HostKeyCheck;

use super::config::ssh_config;
use super::diagnose::{add_jump_note, launch_error, master_failure, read_from};
use super::dirs::{
    lock_dir, make_private_dir_somewhere, persist_key, private_dir_ok, remove_any, socket_ok,
    write_private,
};
use super::mux::MuxConn;
use super::procscan::{end_processes, pids_mentioning, process_alive};
use super::{Open, Remote, SshError, SshErrorKind, Tunnel, ORPHAN_GRACE, SERVER_ALIVE_INTERVAL};

impl Tunnel {
    /// Starts the master, holds a mux connection to it, requests the forward.
    pub(super) async fn open(&self) -> Result<Open, SshError> {
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
        let Some(target) = self.target() else {
            self.detail(format!(
                "ssh master pid {master_pid} up in {} ms (commands only)",
                t_master.as_millis()
            ));
            return Ok(Open::new(session, mux, master_pid, dir, ctl, socket, None));
        };
        let t1 = Instant::now();
        session
            .request_port_forward(
                ForwardType::Local,
                Socket::UnixSocket {
                    path: socket.as_path().into(),
                },
                target,
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
    pub(super) async fn open_persistent(
        &self,
        parent: &Path,
        keep: Duration,
    ) -> Result<Open, SshError> {
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
                        "ssh master pid {master_pid} reused (control_persist {keep_text}, {}); {}",
                        ctl.display(),
                        self.forward_text(&socket)
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
            "ssh master pid {master_pid} up in {} ms, kept {keep_text} after the run (control_persist); {}",
            t_master.as_millis(),
            self.forward_text(&socket)
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
        if let Some(target) = self.target() {
            session
                .request_port_forward(
                    ForwardType::Local,
                    Socket::UnixSocket {
                        path: socket.into(),
                    },
                    target,
                )
                .await
                .map_err(|e| format!("cannot forward to {}: {}", self.remote, chain(&e)))?;
        }
        Ok((session, mux, pid))
    }

    /// `forward <socket> -> <remote>`, or that there is none, for `-v`.
    fn forward_text(&self, socket: &Path) -> String {
        match self.remote {
            Remote::Commands => "commands only".into(),
            _ => format!("forward {} -> {}", socket.display(), self.remote),
        }
    }

    /// Where the forward goes; None for a master of remote commands only.
    fn target(&self) -> Option<Socket<'_>> {
        match &self.remote {
            Remote::Tcp { host, port } => Some(Socket::TcpSocket {
                host: host.as_str().into(),
                port: *port,
            }),
            Remote::Unix(p) => Some(Socket::UnixSocket {
                path: p.as_path().into(),
            }),
            Remote::Commands => None,
        }
    }
}

/// Ends a master: asks it to stop listening (openssh's `Session::close`,
/// which also removes the crate's directory), then to exit at once even if
/// forwarded connections are still open (Ctrl-C mid-listing), waits until the
/// process is gone (signals if it lingers), removes the private directory.
pub(super) async fn shutdown(mut o: Open) {
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
