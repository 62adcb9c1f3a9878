//! Where the inventory file is found.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use crate::error::{Error, Result};

/// Finds the inventory: `--inventory`, `$TENANTCTL_INVENTORY`, `./nodes.toml`,
/// `$XDG_CONFIG_HOME/tenantctl/nodes.toml` (XDG default `~/.config`).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("TENANTCTL_INVENTORY").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let local = PathBuf::from("nodes.toml");
    // Absolute, so that every message names the file that was read.
    let local_abs = std::env::current_dir()
        .map(|d| d.join("nodes.toml"))
        .unwrap_or(local.clone());
    if local.is_file() {
        return Ok(local_abs);
    }
    let mut tried = vec![local_abs];
    if let Some(p) = config_inventory() {
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p);
    }
    let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    Err(Error::input(anyhow!(
        "no inventory found (tried {}): pass --inventory PATH, set TENANTCTL_INVENTORY, or create one of those files",
        tried.join(", ")
    )))
}

/// The user's own inventory: `$XDG_CONFIG_HOME/tenantctl/nodes.toml`
/// (default `~/.config/tenantctl/nodes.toml`).
pub(crate) fn config_inventory() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|dir| dir.join("tenantctl").join("nodes.toml"))
}

/// How [`locate`] found `path`, as `nodes` says it.
pub(crate) fn found_by(explicit: bool, path: &Path) -> &'static str {
    if explicit {
        "--inventory"
    } else if std::env::var_os("TENANTCTL_INVENTORY").is_some_and(|v| !v.is_empty()) {
        "$TENANTCTL_INVENTORY"
    } else if config_inventory().as_deref() == Some(path) {
        "config directory"
    } else {
        "current directory"
    }
}

/// When the search took `./nodes.toml` while the user's own inventory in the
/// config directory also exists: a notice naming both (once per run), else
/// None.
pub fn shadow_notice(explicit: bool, path: &Path) -> Option<String> {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if found_by(explicit, path) != "current directory" {
        return None;
    }
    let own = config_inventory().filter(|p| p.is_file() && p.as_path() != path)?;
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(format!(
        "using {} from the current directory, not your {} (./nodes.toml comes first; pass --inventory {} or run elsewhere to use yours)",
        path.display(),
        own.display(),
        own.display()
    ))
}
