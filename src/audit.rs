//! The audit log: one JSON line per change or refusal, appended to
//! `$XDG_STATE_HOME/tenantctl/audit.jsonl` (default `~/.local/state/...`),
//! overridable by `--audit-log` or the inventory's `audit_log`. It never holds
//! a password or a hash.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use serde::Serialize;

/// The OS user running tenantctl (`$USER`, `$LOGNAME`, else the uid).
pub fn os_user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(u) = std::env::var(var) {
            if !u.is_empty() {
                return u;
            }
        }
    }
    // /proc/self/status has "Uid:\t<real>\t..."; fall back to the number.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| format!("uid{u}")))
        })
        .unwrap_or_else(|| "unknown".into())
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
    let user = std::env::var("SUDO_USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(os_user);
    format!("{user}@{}", hostname())
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
    /// changed | unchanged | refused | failed
    pub outcome: &'a str,
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
    pub fn open(path: &Path) -> anyhow::Result<AuditLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("audit log directory {}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("audit log {}", path.display()))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line (one write call, O_APPEND: lines of concurrent
    /// tenantctl processes do not interleave).
    pub fn append(&self, rec: &Record<'_>) -> anyhow::Result<()> {
        let mut line = serde_json::to_string(rec).context("audit record")?;
        line.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(line.as_bytes())
            .with_context(|| format!("audit log {}", self.path.display()))
    }
}
