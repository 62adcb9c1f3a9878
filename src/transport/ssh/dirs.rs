//! Private directories (mode 0700) for the master's sockets, their cleanup
//! after killed runs, and the locked directories of kept masters
//! (`control_persist`).

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::inventory::SshSettings;

use super::procscan::process_alive;
use super::{Remote, SshError};

/// Prefix of our private directories (`tctl-<pid>-<random>`).
const DIR_PREFIX: &str = "tctl-";

/// Longest socket path the kernel takes (`sun_path` is 108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;

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
pub(super) fn make_private_dir_somewhere() -> Result<PathBuf, SshError> {
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
pub(super) fn persist_parent() -> Result<PathBuf, String> {
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
pub(super) fn private_dir_ok(dir: &Path) -> Result<(), String> {
    crate::private::check(dir, crate::private::Want::SecretDir)
}

/// Whether a control socket is there to try: Ok(false) none, Ok(true) a
/// socket of ours, Err(why) something that must not be used.
pub(super) fn socket_ok(ctl: &Path) -> Result<bool, String> {
    use std::os::unix::fs::FileTypeExt as _;
    match std::fs::symlink_metadata(ctl) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.to_string()),
        Ok(m) if !m.file_type().is_socket() => Err("not a socket".into()),
        Ok(m) if Some(m.uid()) != my_uid() => Err(format!("owned by uid {}, not by us", m.uid())),
        Ok(_) => Ok(true),
    }
}

pub(super) fn remove_any(p: &Path) {
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
pub(super) fn persist_key(s: &SshSettings, remote: &Remote, config: &str) -> String {
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
pub(super) struct DirLock(PathBuf);

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(super) async fn lock_dir(dir: &Path, limit: Duration) -> Result<DirLock, SshError> {
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

pub(super) fn write_private(path: &Path, text: &str) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
