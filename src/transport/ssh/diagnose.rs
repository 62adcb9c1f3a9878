//! What ssh said, in one line: the kinds of SSH failure, the reasons read
//! from ssh's log (a refused host key, a lost connection, a forward the SSH
//! host could not make), with the fix and a command that reproduces them.

use std::fmt;
use std::io::{self, Read as _};
use std::path::Path;
use std::time::Duration;

use crate::error::chain;
use crate::inventory::{HostKeyCheck, SshSettings};

use super::procscan::process_alive;
use super::{Endpoint, Tunnel};

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
    pub(super) fn new(kind: SshErrorKind, message: impl Into<String>) -> SshError {
        SshError {
            kind,
            message: message.into(),
        }
    }
    pub(super) fn local(message: impl Into<String>) -> SshError {
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
pub(super) fn master_failure(log: &str, s: &SshSettings) -> SshError {
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
pub(super) fn add_jump_note(e: &mut SshError, s: &SshSettings) {
    if let (Some(j), false) = (&s.jump, e.kind == SshErrorKind::Local) {
        e.message.push_str(&format!(
            " (via jump host {j}, whose own messages ssh does not pass on: `ssh -J {j} ssh://{}` shows them)",
            s.destination()
        ));
    }
}

/// Turns the openssh crate's error for a failed master into one line.
pub(super) fn launch_error(e: openssh::Error, s: &SshSettings) -> SshError {
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

impl Tunnel {
    /// accept-new recorded the host key (the master's `log` says so): say so,
    /// as ssh itself does.
    pub(super) fn warn_added_key(&self, log: &Path) {
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
    pub(super) fn no_connection_within(&self, limit: Duration) -> SshError {
        SshError::new(
            SshErrorKind::Unreachable,
            format!(
                "no SSH connection to {} within {}",
                self.route(),
                humantime::format_duration(limit)
            ),
        )
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
}

pub(super) fn read_from(path: &Path, offset: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

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
}
