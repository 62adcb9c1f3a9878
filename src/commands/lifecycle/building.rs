//! The local record of a database about to be built, written before its
//! `CREATE DATABASE`.
//!
//! A database being built (create, duplicate, restore, a backup's snapshot)
//! is marked in its comment as tenantctl's, by this process, so that the
//! next run removes it when this one was killed outright (see
//! `clean_stale`). `COMMENT ON DATABASE` can only follow the `CREATE
//! DATABASE` (PostgreSQL runs neither in a transaction block), so a kill -9
//! between the two would leave a database nothing marks. This record covers
//! that window: `$XDG_STATE_HOME/tenantctl/building/<sha256>.json` (0600, in
//! a 0700 directory), naming the node, the database, this process and host.
//! It is removed once the comment is written (or the `CREATE` failed); one
//! whose process is gone and whose database does not exist is removed by
//! the next clean-up. Only the user and host that wrote it can read it,
//! which is the same reach as the comment's record (a pid is only known to
//! be dead on its own host).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::transport::NodeLink;

/// What the record says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Record {
    /// The node's inventory name and address: the record belongs to them.
    pub node: String,
    pub address: String,
    /// The staging database (`NAME.creating-<hex>`).
    pub db: String,
    pub pid: u32,
    pub host: String,
    pub at: String,
}

impl Record {
    /// Whether the process that wrote it is gone (it ran on this host).
    pub fn dead(&self) -> bool {
        let pid = i32::try_from(self.pid).unwrap_or(0);
        // SAFETY: kill(pid, 0) only checks whether the process exists.
        self.host == crate::audit::hostname() && pid > 0 && unsafe { libc::kill(pid, 0) } != 0
    }
}

/// `$XDG_STATE_HOME/tenantctl/building` (default `~/.local/state/...`),
/// beside the audit log.
fn dir() -> PathBuf {
    crate::audit::AuditLog::default_path()
        .parent()
        .map(|p| p.join("building"))
        .unwrap_or_else(|| PathBuf::from("building"))
}

fn file_of(link: &NodeLink, db: &str) -> PathBuf {
    let mut h = Sha256::new();
    for part in [link.name(), &link.node.address(), db] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    dir().join(format!("{hex}.json"))
}

/// A written record; [`Intent::clear`] removes it.
pub(super) struct Intent {
    path: PathBuf,
}

impl Intent {
    /// Writes the record of `db` on `link` before its `CREATE DATABASE`.
    /// An error means the record could not be written (the caller goes on
    /// without it and says so).
    pub fn write(link: &NodeLink, db: &str) -> std::io::Result<Intent> {
        let d = dir();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&d)?;
        let rec = Record {
            node: link.name().to_string(),
            address: link.node.address(),
            db: db.to_string(),
            pid: std::process::id(),
            host: crate::audit::hostname(),
            at: crate::audit::now_rfc3339(),
        };
        let path = file_of(link, db);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)?;
        f.write_all(&serde_json::to_vec(&rec).expect("a record serialises"))?;
        Ok(Intent { path })
    }

    /// The database is marked (or was never made): the record goes.
    pub fn clear(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The record of `db` on `link`, if this user on this host wrote one.
pub(super) fn find(link: &NodeLink, db: &str) -> Option<(PathBuf, Record)> {
    let path = file_of(link, db);
    let rec = read(&path)?;
    (rec.node == link.name() && rec.address == link.node.address() && rec.db == db)
        .then_some((path, rec))
}

fn read(path: &std::path::Path) -> Option<Record> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Records of `link` whose process is gone, except those of `keep`
/// (databases that exist): what a killed run left after its `CREATE`
/// failed or its database was dropped again.
pub(super) fn dead_records(link: &NodeLink) -> Vec<(PathBuf, Record)> {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| read(&p).map(|r| (p, r)))
        .filter(|(_, r)| r.node == link.name() && r.address == link.node.address() && r.dead())
        .collect()
}
