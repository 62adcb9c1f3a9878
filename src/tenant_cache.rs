//! The tenant-name cache of shell completion: the tenants of each node as
//! `list` and `check` last saw them, read by `tenantctl __complete` (the
//! command line's completion protocol) without connecting to a node.
//!
//! The cache is one JSON file per inventory,
//! `$XDG_CACHE_HOME/tenantctl/tenants-<hash of the inventory path>.json`
//! (default `~/.cache/tenantctl/...`), mode 0600 in a 0700 directory,
//! replaced atomically (a private temporary file renamed over it).
//!
//! Tenant names are chosen by tenants (database names), and completion output
//! is read by shells: only plain names ([`is_plain`]) are ever written to the
//! cache or printed, everything else is left out.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Only these names are ever cached or printed: Odoo's own rule for database
/// names (`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, odoo-facts §7, here also one
/// character), at most 63 bytes (PostgreSQL's limit). Nothing a shell would
/// interpret (spaces, quotes, `$`, backquotes, globs, newlines, escapes)
/// can pass.
pub fn is_plain(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    /// The inventory this cache belongs to (the key of the file name).
    inventory: String,
    /// Per node: its tenants as last listed.
    nodes: BTreeMap<String, Vec<String>>,
}

/// `$XDG_CACHE_HOME/tenantctl` (default `~/.cache/tenantctl`).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("tenantctl")
}

/// The inventory path as a key: absolute and resolved, so that `-i
/// nodes.toml` and `-i ./nodes.toml` share one cache.
fn key(inventory: &Path) -> String {
    std::fs::canonicalize(inventory)
        .unwrap_or_else(|_| inventory.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// The cache file of `inventory`.
pub fn cache_path(inventory: &Path) -> PathBuf {
    let digest = Sha256::digest(key(inventory).as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    cache_dir().join(format!("tenants-{hex}.json"))
}

/// Reads the cache of `inventory`: empty when absent, unreadable, not ours
/// (written for another inventory), not a plain file, or writable by
/// others.
fn read(inventory: &Path) -> Cache {
    let path = cache_path(inventory);
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
    else {
        return Cache::default();
    };
    // The cache's directory and file: the invoking user's, writable by
    // nobody else ([`crate::private`]); else ignored, said once.
    let dir = path.parent().unwrap_or(Path::new("."));
    let checked = crate::private::check(dir, crate::private::Want::Dir)
        .map_err(|why| format!("{}: {why}", dir.display()))
        .and_then(|()| {
            file.metadata()
                .map_err(|e| e.to_string())
                .and_then(|m| crate::private::check_meta(&m, crate::private::Want::File))
                .map_err(|why| format!("{}: {why}", path.display()))
        });
    if let Err(why) = checked {
        crate::private::warn_once(&path, &format!("ignoring the completion cache {why}"));
        return Cache::default();
    }
    match serde_json::from_reader::<_, Cache>(std::io::BufReader::new(file)) {
        Ok(c) if c.inventory == key(inventory) => c,
        _ => Cache::default(),
    }
}

/// The cached tenants of `inventory`, per node: none when the cache is
/// absent or ignored (see `read`).
pub fn cached(inventory: &Path) -> BTreeMap<String, Vec<String>> {
    read(inventory).nodes
}

/// What a run learnt about one node's tenants.
pub enum Learnt {
    /// Every tenant of the node: replaces what was cached.
    All(Vec<String>),
    /// Some tenants (a `--match` listing): added to what was cached.
    Some(Vec<String>),
}

/// Records tenants in the cache of `inventory`; nodes not named keep their
/// cached tenants, nodes no longer in `known_nodes` are dropped. Best
/// effort: completion is a convenience, a cache that cannot be written
/// changes nothing else (the error is returned for a `-v` line).
pub fn record(
    inventory: &Path,
    known_nodes: &[String],
    learnt: Vec<(String, Learnt)>,
) -> std::io::Result<PathBuf> {
    let mut cache = read(inventory);
    cache.inventory = key(inventory);
    cache.nodes.retain(|n, _| known_nodes.contains(n));
    for (node, l) in learnt {
        let entry = cache.nodes.entry(node).or_default();
        match l {
            Learnt::All(v) => *entry = v,
            Learnt::Some(v) => entry.extend(v),
        }
        entry.retain(|t| is_plain(t));
        entry.sort();
        entry.dedup();
    }
    let path = cache_path(inventory);
    write_atomic(&path, &serde_json::to_vec(&cache)?)?;
    Ok(path)
}

/// Writes `bytes` to `path` through a new 0600 file in the same 0700
/// directory, synced and then renamed over `path`: a reader sees the old
/// cache or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private::make_dir(dir, dir, crate::private::Want::Dir).map_err(std::io::Error::other)?;
    let mut rnd = [0u8; 8];
    getrandom::getrandom(&mut rnd).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    #[test]
    fn only_plain_names_pass() {
        for ok in ["acme", "acme-2", "t16", "a.b_c", "A1"] {
            assert!(is_plain(ok), "{ok}");
        }
        for bad in [
            "",
            "-rf",
            ".hidden",
            "a b",
            "a;b",
            "$(id)",
            "`id`",
            "a\nb",
            "a'b",
            "a\"b",
            "a*",
            "a?",
            "[a]",
            "\u{1b}[1m",
            "ä",
            "a/b",
            "a\\b",
            &"x".repeat(64),
        ] {
            assert!(!is_plain(bad), "{bad:?}");
        }
    }
}
