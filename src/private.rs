//! Local state private to the invoking user (issue 22): the crash records,
//! the completion cache, the ssh control directories and the audit log's
//! directory are used only when they are this user's and nobody else can
//! write them. Another local user who could plant a file there (a shared
//! `XDG_STATE_HOME`, a sticky directory of theirs) would steer tenantctl.
//! One check for all of them: [`check`].

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a path must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A directory nobody else can write (crash records, cache).
    Dir,
    /// A directory with no access at all for others (ssh control sockets).
    SecretDir,
    /// A directory of ours; writable by others only with the sticky bit,
    /// where each file is then checked ([`Want::File`]): the audit log's
    /// directory (`/tmp`-like directories of one's own).
    StickyDir,
    /// A regular file nobody else can write.
    File,
}

/// The effective uid (the owner of what this process creates).
pub fn my_uid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether `m` (of a path not followed, or of an open file) is what `want`
/// says and private to the invoking user; else why not.
pub fn check_meta(m: &std::fs::Metadata, want: Want) -> Result<(), String> {
    let ft = m.file_type();
    let dir = want != Want::File;
    if ft.is_symlink() {
        return Err("a symlink".into());
    }
    if dir && !ft.is_dir() {
        return Err("not a directory".into());
    }
    if !dir && !ft.is_file() {
        return Err("not a regular file".into());
    }
    if m.uid() != my_uid() {
        return Err(format!(
            "owned by uid {}, not by the invoking user (uid {})",
            m.uid(),
            my_uid()
        ));
    }
    let mode = m.mode() & 0o7777;
    let open = match want {
        Want::SecretDir => mode & 0o077 != 0,
        Want::StickyDir => mode & 0o022 != 0 && mode & 0o1000 == 0,
        Want::Dir | Want::File => mode & 0o022 != 0,
    };
    if open {
        return Err(format!(
            "mode {mode:04o}: open to other users (must be {})",
            if want == Want::SecretDir {
                "0700"
            } else {
                "writable by its owner only"
            }
        ));
    }
    Ok(())
}

/// [`check_meta`] of `path` itself (a symlink is not followed).
pub fn check(path: &Path, want: Want) -> Result<(), String> {
    let m = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    check_meta(&m, want)
}

/// Creates `dir` (missing parents too, mode 0700) and checks it and every
/// directory of it below `base` (the directories tenantctl itself makes and
/// uses) with `want`. Err: the path and why, for the operator.
pub fn make_dir(base: &Path, dir: &Path, want: Want) -> Result<(), String> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    check_below(base, dir, want)
}

/// [`check`] of `dir` and of each of its parents below `base` (`base`
/// itself not: e.g. a shared, sticky `XDG_STATE_HOME`).
pub fn check_below(base: &Path, dir: &Path, want: Want) -> Result<(), String> {
    let mut p = dir;
    loop {
        check(p, want).map_err(|why| format!("{}: {why}", p.display()))?;
        match p.parent() {
            Some(up) if up != base && up.starts_with(base) => p = up,
            _ => return Ok(()),
        }
    }
}

/// Says `msg` on stderr once per path and run (the warning of a path that is
/// not used).
pub fn warn_once(path: &Path, msg: &str) {
    static SAID: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|p| p.into_inner());
    if said.iter().any(|p| p == path) {
        return;
    }
    said.push(path.to_path_buf());
    eprintln!("tenantctl: warning: {}", crate::text::esc_lines(msg));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes_and_kinds() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x");
        std::fs::create_dir(&p).unwrap();
        let set = |m| std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        set(0o700);
        assert!(check(&p, Want::Dir).is_ok() && check(&p, Want::SecretDir).is_ok());
        set(0o755);
        assert!(check(&p, Want::Dir).is_ok() && check(&p, Want::SecretDir).is_err());
        set(0o777);
        assert!(check(&p, Want::Dir).is_err() && check(&p, Want::StickyDir).is_err());
        set(0o1777);
        assert!(check(&p, Want::Dir).is_err() && check(&p, Want::StickyDir).is_ok());
        assert!(check(&p, Want::File).is_err());
        let l = d.path().join("l");
        std::os::unix::fs::symlink(&p, &l).unwrap();
        assert!(check(&l, Want::Dir).unwrap_err().contains("symlink"));
    }
}
