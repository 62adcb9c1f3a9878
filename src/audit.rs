//! The audit log: one JSON line per change or refusal, appended to
//! `$XDG_STATE_HOME/tenantctl/audit.jsonl` (default `~/.local/state/...`),
//! overridable by `--audit-log` or the inventory's `audit_log`. It never holds
//! a password or a hash.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use serde::Serialize;

/// The name of `uid` in the password database (getpwuid_r: files, LDAP,
/// whatever NSS is configured with).
fn user_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: pw, buf and out live for the call; getpwuid_r writes only
    // within buf (its length is passed) and sets out to &pw or NULL.
    let rc =
        unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() || pw.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points into buf, NUL-terminated by getpwuid_r.
    let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

/// The effective uid's name (libpq's default database user).
pub fn effective_user() -> String {
    // SAFETY: geteuid cannot fail.
    let uid = unsafe { libc::geteuid() };
    user_name(uid).unwrap_or_else(|| format!("uid{uid}"))
}

/// The OS user running tenantctl: the real uid's name in the password
/// database (never `$USER`, which anyone can set); behind sudo (real uid 0
/// with `SUDO_UID`), the user who ran sudo.
pub fn os_user() -> String {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let uid = if uid == 0 {
        std::env::var("SUDO_UID")
            .ok()
            .and_then(|v| v.parse::<libc::uid_t>().ok())
            .unwrap_or(0)
    } else {
        uid
    };
    user_name(uid).unwrap_or_else(|| format!("uid{uid}"))
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// `user@host`; behind sudo, the user who ran sudo.
pub fn operator() -> String {
    format!("{}@{}", os_user(), hostname())
}

/// Now, RFC 3339 UTC to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub time: String,
    pub operator: &'a str,
    pub action: &'a str,
    pub node: &'a str,
    pub tenant: &'a str,
    /// changed | unchanged | refused | failed | unknown | not-signalled | drift | skipped
    pub outcome: &'a str,
    /// The command that did it, when the action is not its own (`recover`:
    /// the lifecycle command that finished or undid a killed run's work).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An open audit log. Opened before any change, so that a command that cannot
/// record what it does changes nothing.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    pub fn default_path() -> PathBuf {
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
            })
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("tenantctl").join("audit.jsonl")
    }

    /// Opens (creating with mode 0600, in a 0700 directory) for appending.
    /// A symlink is not followed (O_NOFOLLOW), and a file or directory that
    /// others could write is refused: its lines could be forged or removed.
    pub fn open(path: &Path) -> anyhow::Result<AuditLog> {
        // The directory: the invoking user's, writable by nobody else (or
        // sticky: then nobody else can remove or replace our file); a
        // directory of another user (even sticky, like a shared /tmp-like
        // one) is refused: its owner could swap the log.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private::make_dir(dir, dir, crate::private::Want::StickyDir).map_err(|why| {
                anyhow::anyhow!("audit log directory {why}; use a directory of your own")
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    anyhow::anyhow!(
                        "audit log {} is a symlink; refusing to follow it",
                        path.display()
                    )
                } else {
                    anyhow::Error::new(e).context(format!("audit log {}", path.display()))
                }
            })?;
        let meta = file
            .metadata()
            .with_context(|| format!("audit log {}", path.display()))?;
        if !meta.is_file() {
            anyhow::bail!("audit log {} is not a regular file", path.display());
        }
        if let Err(why) = crate::private::check_meta(&meta, crate::private::Want::File) {
            anyhow::bail!("audit log {}: {why}; chmod go-w it", path.display());
        }
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends one line (one write call, O_APPEND: lines of concurrent
    /// tenantctl processes do not interleave).
    pub fn append(&self, rec: &Record<'_>) -> anyhow::Result<()> {
        let mut line = serde_json::to_string(rec).context("audit record")?;
        line.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(line.as_bytes())
            .and_then(|()| f.flush())
            .with_context(|| {
                format!(
                    "audit log {}: the line could not be written",
                    self.path.display()
                )
            })
    }
}

/// One line of the audit log as read back (`tenantctl log`, `show`).
#[derive(Debug, Clone, serde::Deserialize, Serialize)]
pub struct Entry {
    pub time: String,
    pub operator: String,
    pub action: String,
    pub node: String,
    pub tenant: String,
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What reading the audit log found.
#[derive(Debug, Default)]
pub struct Read {
    /// The entries in file order (oldest first).
    pub entries: Vec<Entry>,
    /// `line N: why` for each line that is not an entry.
    pub bad: Vec<String>,
    /// False when the file does not exist (nothing was ever recorded there).
    pub exists: bool,
}

/// Reads the audit log at `path`; a missing file is an empty log.
pub fn read(path: &Path) -> anyhow::Result<Read> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::default()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("audit log {}", path.display())))
        }
    };
    let mut r = Read {
        exists: true,
        ..Read::default()
    };
    for (i, line) in String::from_utf8_lossy(&text).lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(e) => r.entries.push(e),
            Err(e) => r.bad.push(format!("line {}: {e}", i + 1)),
        }
    }
    Ok(r)
}

/// The audit log a run uses: `--audit-log`, else the inventory's
/// `audit_log`, else [`AuditLog::default_path`].
pub fn resolve_path(flag: Option<&Path>, inventory: Option<&Path>) -> PathBuf {
    flag.or(inventory)
        .map(Path::to_path_buf)
        .unwrap_or_else(AuditLog::default_path)
}
