//! Local records of node changes that take several steps, written before
//! the first one, so that the next run finishes or cleans up what a kill -9
//! in between left (see `clean_stale`).
//!
//! - **Build** (create, duplicate, restore, a backup's snapshot): a database
//!   being built is marked in its comment as tenantctl's, by this process,
//!   so that the next run removes it when this one was killed outright.
//!   `COMMENT ON DATABASE` can only follow the `CREATE DATABASE` (PostgreSQL
//!   runs neither in a transaction block), so a kill -9 between the two
//!   would leave a database nothing marks; this record covers that window.
//! - **Move** (rename, drop, undrop): the database is renamed, then its
//!   filestore directory, then connections are allowed again; killed in
//!   between, the tenant would run without its attachments, or stay
//!   blocked. The next run moves the directory after the database and
//!   allows connections as the command would have.
//! - **Remove** (purge): the database is dropped, then its filestore
//!   directory; the next run removes a directory whose database is gone.
//!
//! `$XDG_STATE_HOME/tenantctl/building/<sha256>.json` (0600, in a 0700
//! directory, beside the audit log), naming the node, the database, this process and host. It is
//! removed once the steps are done or undone. Only the user and host that
//! wrote it read it (a pid is only known to be dead on its own host). What a
//! record says is checked against the node before anything is done: only
//! the state the killed run could have left is finished.
//!
//! Another local user must not plant a record (issue 22): the directories
//! `tenantctl/` and `building/` are used only when they are the invoking
//! user's and nobody else can write them, and each record only when it is a
//! regular file of that user that nobody else can write
//! ([`crate::private`]); anything else is ignored with a warning naming it.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

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
    /// What follows the database step (absent in a build's record).
    #[serde(default)]
    pub then: Then,
}

/// The step a record covers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Then {
    /// `db` is a staging database about to be created.
    #[default]
    Build,
    /// The database `from` becomes `db`, then its filestore directory;
    /// `allow`: connections to `db` are allowed at the end (rename of a
    /// tenant that allowed them, undrop of one that did before its drop).
    Move {
        from: String,
        #[serde(default)]
        allow: bool,
        /// Whether `from` allowed connections before (the command blocks
        /// it first).
        #[serde(default)]
        allowed_before: bool,
    },
    /// The database `db` is dropped, then its filestore directory.
    Remove,
    /// `db` is not a database but the loader role of a restore (see
    /// `odoo::loader`), about to be created; the next run drops it.
    Role,
    /// `db` is a tenant being upgraded (issue 27) on the copy `copy`; after
    /// the swap the original is `pre` and the copy `db`. The next run
    /// finishes a swap that began, or undoes everything before it.
    Upgrade {
        copy: String,
        pre: String,
        failed: String,
        allowed_before: bool,
        previous_comment: Option<String>,
    },
}

impl Record {
    /// Whether the process that wrote it is gone (it ran on this host).
    pub fn dead(&self) -> bool {
        self.host == crate::audit::hostname() && !alive(self.pid)
    }
}

/// Whether process `pid` of this host exists: `kill(pid, 0)` succeeds, or
/// fails with EPERM (it exists, another user's: a colleague's tenantctl on
/// the same host is not taken for a dead one).
pub(crate) fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill(pid, 0) only checks whether the process exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// (`$XDG_STATE_HOME`, `$XDG_STATE_HOME/tenantctl/building`) (default
/// `~/.local/state/...`): the records beside the audit log.
fn dirs() -> (PathBuf, PathBuf) {
    let log = crate::audit::AuditLog::default_path();
    let state_dir = log.parent().unwrap_or(Path::new("."));
    let base = state_dir.parent().unwrap_or(Path::new(".")).to_path_buf();
    (base, state_dir.join("building"))
}

fn dir() -> PathBuf {
    dirs().1
}

/// The records' directory when it exists and is private to the invoking
/// user; None (with a warning naming it when it is not private).
fn usable_dir() -> Option<PathBuf> {
    let (base, d) = dirs();
    if std::fs::symlink_metadata(&d).is_err() {
        return None;
    }
    match crate::private::check_below(&base, &d, crate::private::Want::Dir) {
        Ok(()) => Some(d),
        Err(why) => {
            crate::private::warn_once(
                &d,
                &format!("ignoring the crash records in {}: {why}", d.display()),
            );
            None
        }
    }
}

fn file_of(link: &NodeLink, db: &str, then: &Then) -> PathBuf {
    let kind = match then {
        Then::Build => "build",
        Then::Move { .. } => "move",
        Then::Remove => "remove",
        Then::Role => "role",
        Then::Upgrade { .. } => "upgrade",
    };
    let mut h = Sha256::new();
    for part in [link.name(), &link.node.address(), db, kind] {
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
        Intent::write_then(link, db, Then::Build)
    }

    /// The same for a move or a removal.
    pub fn write_then(link: &NodeLink, db: &str, then: Then) -> std::io::Result<Intent> {
        let (base, d) = dirs();
        crate::private::make_dir(&base, &d, crate::private::Want::Dir)
            .map_err(std::io::Error::other)?;
        let path = file_of(link, db, &then);
        let rec = Record {
            node: link.name().to_string(),
            address: link.node.address(),
            db: db.to_string(),
            pid: std::process::id(),
            host: crate::audit::hostname(),
            at: crate::audit::now_rfc3339(),
            then,
        };
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

/// The build record of `db` on `link`, if this user on this host wrote one.
pub(super) fn find(link: &NodeLink, db: &str) -> Option<(PathBuf, Record)> {
    usable_dir()?;
    let path = file_of(link, db, &Then::Build);
    let rec = read(&path)?;
    (rec.node == link.name()
        && rec.address == link.node.address()
        && rec.db == db
        && rec.then == Then::Build)
        .then_some((path, rec))
}

/// A record, when `path` is a regular file of the invoking user that
/// nobody else can write (else ignored, with a warning naming it), at most
/// 64 KiB.
fn read(path: &Path) -> Option<Record> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let f = match f {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            crate::private::warn_once(
                path,
                &format!("ignoring the crash record {}: {e}", path.display()),
            );
            return None;
        }
    };
    let checked = f
        .metadata()
        .map_err(|e| e.to_string())
        .and_then(|m| crate::private::check_meta(&m, crate::private::Want::File));
    if let Err(why) = checked {
        crate::private::warn_once(
            path,
            &format!("ignoring the crash record {}: {why}", path.display()),
        );
        return None;
    }
    let mut bytes = Vec::new();
    f.take(64 * 1024).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Records of `link` whose process is gone.
pub(super) fn dead_records(link: &NodeLink) -> Vec<(PathBuf, Record)> {
    let Some(d) = usable_dir() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(d) else {
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

#[cfg(test)]
mod tests {
    use super::alive;

    #[test]
    fn alive_knows_running_gone_and_impossible_pids() {
        assert!(alive(std::process::id()));
        // pid 1 exists; as another user than root, kill(1, 0) fails with
        // EPERM, which still counts as alive.
        assert!(alive(1));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!alive(pid), "reaped child {pid}");
        assert!(!alive(0) && !alive(u32::MAX));
    }
}
