//! Runs the node's Odoo command (`odoo-bin ... -d DB -u MODS
//! --stop-after-init`) for `upgrade` (issue 27): on this machine, on the
//! node's SSH host or on an SSH host of its own, the arguments passed as
//! words (never inside a shell string), everything it prints kept in a log
//! file, under a deadline, and killed (SIGTERM, then SIGKILL) when the
//! deadline passes or the run is stopped.
//!
//! A local run is its own process group (Ctrl-C at the terminal reaches
//! tenantctl, which decides) and dies with tenantctl (`PR_SET_PDEATHSIG`).
//! A run on an SSH host ([`REMOTE_SCRIPT`]) first prints its pid, which is
//! what a kill is sent to over the same SSH master; and it dies with
//! tenantctl too: the channel's stdin stays open while tenantctl lives, and
//! its end (tenantctl killed, the terminal hung up, the connection lost)
//! makes a watcher there end the run.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::apphost::CommandHost;
use crate::transport::NodeLink;

/// How long a run gets between SIGTERM and SIGKILL (Odoo with `--workers
/// 0` ends on SIGTERM; odoo-facts §9).
pub const TERM_GRACE: Duration = Duration::from_secs(10);

/// The first line a run on the SSH host prints on stderr: its pid.
const PID_LINE: &str = "tenantctl-odoo-pid ";

/// The remote side of a run: Odoo in the background (stdin /dev/null), its
/// pid printed first, a watcher reading the channel's stdin (which
/// tenantctl never writes or closes before the run ends) that sends
/// SIGTERM, then SIGKILL, when it ends; the shell's status is Odoo's. A
/// non-interactive shell gives a background job /dev/null as stdin unless
/// told otherwise, hence fd 3.
///
/// An argument [`HARD_LIMIT_WORD`] becomes the shell's hard address-space
/// limit in bytes there (`-1` when unlimited): what Odoo up to 15 must be
/// given to lift its own (odoo-facts §9), known only on that host.
const REMOTE_SCRIPT: &str = r#"for a; do
  shift
  if [ "$a" = "@RLIMIT_AS_HARD@" ]; then
    a=$(ulimit -H -v)
    if [ "$a" = unlimited ]; then a=-1; else a=$((a * 1024)); fi
  fi
  set -- "$@" "$a"
done
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
printf 'tenantctl-odoo-pid %s\n' "$child" >&2
{ cat >/dev/null; kill -s TERM "$child"; sleep 10; kill -s KILL "$child"; } <&3 >/dev/null 2>&1 &
watcher=$!
exec 3<&-
wait "$child"
status=$?
kill "$watcher" 2>/dev/null
exit "$status""#;

/// See [`REMOTE_SCRIPT`].
pub const HARD_LIMIT_WORD: &str = "@RLIMIT_AS_HARD@";

/// Where the command runs.
#[derive(Clone)]
pub enum Place {
    Local,
    /// The node's SSH host.
    Node(Arc<NodeLink>),
    /// An SSH host of its own (`odoo.host = { ssh table }`).
    Host(Arc<CommandHost>),
}

impl Place {
    /// `sh -c script sh ARGS...` there (on this machine for `Local`).
    pub async fn shell_command(
        &self,
        script: &str,
        args: &[&str],
    ) -> anyhow::Result<std::process::Command> {
        match self {
            Place::Local => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c").arg(script).arg("sh").args(args);
                Ok(c)
            }
            Place::Node(link) => link.shell_command(script, args).await,
            Place::Host(h) => h.shell_command(script, args).await,
        }
    }

    /// Why commands can no longer run there (the SSH connection was lost),
    /// if so.
    pub fn lost(&self) -> Option<String> {
        match self {
            Place::Local => None,
            Place::Node(link) => link.ssh_lost(),
            Place::Host(h) => h.lost(),
        }
    }

    /// One key per place, for what a run learns of it once.
    pub fn key(&self) -> String {
        match self {
            Place::Local => "local".into(),
            Place::Node(link) => format!("node\0{}", link.name()),
            Place::Host(h) => format!("ssh\0{}", h.describe()),
        }
    }

    /// Where, for plans and messages.
    pub fn describe(&self) -> String {
        match self {
            Place::Local => "on this machine".into(),
            Place::Node(link) => match link.ssh_route() {
                Some(r) => format!("on the node's SSH host ({r})"),
                None => "on the node's SSH host".into(),
            },
            Place::Host(h) => format!("on {}", h.describe()),
        }
    }
}

/// Whether `program` can be started at `place`: an absolute path to an
/// executable file, or a name the shell finds in its PATH there (the
/// issue's pre-flight: "the Odoo command is reachable"). Ok(false) when it
/// is not there; an error when the place cannot be reached (the SSH cause).
pub async fn program_found(place: &Place, program: &str) -> anyhow::Result<bool> {
    if matches!(place, Place::Local) {
        // Here: no shell to start (the benchmark's upgrade runs locally).
        return Ok(found_here(program));
    }
    const SCRIPT: &str = r#"case "$1" in
  /*) [ -f "$1" ] && [ -x "$1" ] ;;
  *) command -v "$1" >/dev/null 2>&1 ;;
esac"#;
    let mut c = tokio::process::Command::from(place.shell_command(SCRIPT, &[program]).await?);
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), c.output())
        .await
        .map_err(|_| anyhow!("no answer within 60 s {}", place.describe()))?
        .context("cannot run sh")?;
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        // 255: ssh's own failure (the connection), with its reason.
        _ => Err(anyhow!(
            "looking for the Odoo command {}: {}",
            place.describe(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// [`program_found`] on this machine, as `command -v` decides: a name
/// with a `/` is that file, else the first in PATH; an executable file.
fn found_here(program: &str) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    let executable = |p: &std::path::Path| {
        let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: access(2) on a NUL-terminated path.
        p.is_file() && unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0
    };
    if program.contains('/') {
        return executable(std::path::Path::new(program));
    }
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|d| !program.is_empty() && executable(&d.join(program)))
    })
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It exited by itself: its code (None when a signal ended it).
    Exited(Option<i32>),
    /// The deadline passed: it was killed.
    TimedOut,
    /// Stopped (Ctrl-C): it was killed.
    Stopped,
    /// The SSH connection it ran over was lost (ssh's own exit 255, its
    /// master gone): why. The watcher there ends the run (its input ended).
    Lost(String),
}

/// A run in progress.
struct Running {
    child: tokio::process::Child,
    /// A remote run's channel input, held open until the run ends (its end
    /// ends the run: [`REMOTE_SCRIPT`]); out of `child`, whose `wait`
    /// would close it first.
    _input: Option<tokio::process::ChildStdin>,
    /// The pid to signal: the local child's group, or the remote pid.
    pid: Option<u32>,
    place: Place,
}

impl Running {
    async fn signal(&self, sig: &str) {
        let Some(pid) = self.pid else { return };
        match &self.place {
            Place::Local => {
                let s = if sig == "KILL" {
                    libc::SIGKILL
                } else {
                    libc::SIGTERM
                };
                // SAFETY: kill(2) on the child's own process group.
                unsafe {
                    libc::kill(-(pid as i32), s);
                }
            }
            remote => {
                let script = r#"kill -s "$1" "$2" 2>/dev/null; exit 0"#;
                if let Ok(c) = remote.shell_command(script, &[sig, &pid.to_string()]).await {
                    let mut c = tokio::process::Command::from(c);
                    c.stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null());
                    let _ = c.status().await;
                }
            }
        }
    }

    /// SIGTERM, then SIGKILL after [`TERM_GRACE`]; waits for the end.
    async fn kill(&mut self) {
        self.signal("TERM").await;
        if tokio::time::timeout(TERM_GRACE, self.child.wait())
            .await
            .is_err()
        {
            self.signal("KILL").await;
            let _ = self.child.kill().await;
        }
        let _ = self.child.wait().await;
    }
}

/// Starts `argv` at `place`, its stdout and stderr piped.
async fn spawn(place: &Place, argv: &[String]) -> anyhow::Result<tokio::process::Child> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| anyhow!("the Odoo command is empty"))?;
    let mut c = match place {
        Place::Local => {
            let mut c = tokio::process::Command::new(program);
            c.args(args).process_group(0);
            // SAFETY: prctl(2) only, between fork and exec: the child gets
            // SIGKILL when tenantctl dies (a kill -9 leaves no Odoo run
            // behind on a copy it no longer watches).
            unsafe {
                c.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                    Ok(())
                });
            }
            c
        }
        remote => {
            let mut c = tokio::process::Command::from(
                remote
                    .shell_command(
                        REMOTE_SCRIPT,
                        &argv.iter().map(String::as_str).collect::<Vec<_>>(),
                    )
                    .await?,
            );
            // Held open by the child handle until the run ends.
            c.stdin(Stdio::piped());
            c
        }
    };
    if matches!(place, Place::Local) {
        c.stdin(Stdio::null());
    }
    c.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c.spawn()
        .with_context(|| format!("cannot run the Odoo command {}", crate::text::esc(program)))
}

/// Runs `argv` at `place`, everything it prints written to `log` (an open
/// file), for at most `timeout`; killed when `stop` completes first. How it
/// ended.
pub async fn run(
    place: &Place,
    argv: &[String],
    file: std::fs::File,
    timeout: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<Ended> {
    let mut child = spawn(place, argv).await?;
    let remote_pid = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let out = child.stdout.take().map(|o| {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(o).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                let _ = tx.send(l);
            }
        })
    });
    let err = child.stderr.take().map(|e| {
        let (tx, pid) = (tx.clone(), remote_pid.clone());
        tokio::spawn(async move {
            let mut lines = BufReader::new(e).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                match l.strip_prefix(PID_LINE).and_then(|p| p.trim().parse().ok()) {
                    Some(p) if pid.load(std::sync::atomic::Ordering::SeqCst) == 0 => {
                        pid.store(p, std::sync::atomic::Ordering::SeqCst)
                    }
                    _ => {
                        let _ = tx.send(l);
                    }
                }
            }
        })
    });
    drop(tx);
    let writer = tokio::spawn(async move {
        use std::io::Write;
        // A local file: each line written at once (a reader of the log sees
        // the run as it goes).
        let mut f = file;
        while let Some(mut l) = rx.recv().await {
            l.push('\n');
            if f.write_all(l.as_bytes()).is_err() {
                break;
            }
        }
    });
    let local_pid = child.id();
    let input = child.stdin.take();
    let mut running = Running {
        _input: input,
        child,
        pid: None,
        place: place.clone(),
    };
    let pid_of = |r: &Running| match r.place {
        Place::Local => local_pid,
        Place::Node(_) | Place::Host(_) => {
            Some(remote_pid.load(std::sync::atomic::Ordering::SeqCst)).filter(|p| *p != 0)
        }
    };
    tokio::pin!(stop);
    let ended = tokio::select! {
        st = running.child.wait() => Ended::Exited(st.context("waiting for the Odoo command")?.code()),
        _ = tokio::time::sleep(timeout) => Ended::TimedOut,
        _ = &mut stop => Ended::Stopped,
    };
    let ended = match (ended, place.lost()) {
        (Ended::Exited(Some(255)), Some(why)) => Ended::Lost(why),
        (e, _) => e,
    };
    if !matches!(ended, Ended::Exited(_) | Ended::Lost(_)) {
        running.pid = pid_of(&running);
        running.kill().await;
    }
    // The log is complete once both pipes are closed (bounded: a process
    // the command left behind may hold them).
    let drained = async {
        for t in [out, err].into_iter().flatten() {
            let _ = t.await;
        }
        let _ = writer.await;
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drained).await;
    Ok(ended)
}

/// This process's hard limit on its address space (`RLIMIT_AS`), which a
/// command it starts inherits; None when there is none.
pub fn hard_memory_limit() -> Option<u64> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut r) } == 0;
    (ok && r.rlim_max != libc::RLIM_INFINITY).then_some(r.rlim_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remote_script_prints_the_line_the_reader_looks_for() {
        assert!(REMOTE_SCRIPT.contains(&format!("printf '{PID_LINE}%s\\n'")));
        assert!(REMOTE_SCRIPT.contains(&format!("\"{HARD_LIMIT_WORD}\"")));
    }

    #[test]
    fn a_program_here_is_found_as_the_shell_finds_it() {
        assert!(found_here("sh"));
        assert!(found_here("/bin/sh"));
        assert!(!found_here("/nonexistent/odoo-bin"));
        assert!(!found_here("no-such-program-tc"));
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("odoo-bin");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        assert!(!found_here(plain.to_str().unwrap()), "not executable");
        std::fs::set_permissions(&plain, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        assert!(found_here(plain.to_str().unwrap()));
        assert!(!found_here("/etc"), "a directory");
        assert!(!found_here(""));
    }

    /// The script with a shell of this machine: the word becomes the
    /// shell's hard limit, the other arguments stay as they are.
    #[test]
    fn the_remote_script_puts_in_the_hard_limit() {
        // Its input open, as tenantctl holds it (its end ends the run).
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v 4000000; {REMOTE_SCRIPT}"))
            .args(["sh", "printf", "%s|", "a b", HARD_LIMIT_WORD, "-x"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let input = child.stdin.take();
        let out = child.wait_with_output().unwrap();
        drop(input);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "a b|4096000000|-x|");
    }
}
