//! The inventory file read: TOML errors and rules about the whole file, with
//! the file, line and column of every error.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::anyhow;

use super::raw::RawFile;
use super::{expand_home, node, Inventory};
use crate::error::{Error, Result};

/// Reads and resolves the inventory file.
pub fn load(path: &Path) -> Result<Inventory> {
    let text = std::fs::read(path)
        .map_err(|e| Error::input(anyhow!("inventory {}: cannot read: {e}", path.display())))?;
    let text = String::from_utf8(text)
        .map_err(|_| Error::input(anyhow!("inventory {}: not valid UTF-8", path.display())))?;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o600);
    parse(path, &text, mode)
}

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// An inventory error at `span` (file, line and column), or about the whole
/// file.
pub(super) fn at(
    path: &Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    msg: impl std::fmt::Display,
) -> Error {
    match span {
        Some(s) => {
            let (l, c) = line_col(text, s.start);
            Error::input(anyhow!("inventory {}:{l}:{c}: {msg}", path.display()))
        }
        None => Error::input(anyhow!("inventory {}: {msg}", path.display())),
    }
}

/// Parses inventory text. `mode` is the file's permission bits (for the inline
/// password rule).
pub fn parse(path: &Path, text: &str, mode: u32) -> Result<Inventory> {
    let raw = read_raw(path, text)?;
    let defaults = raw.defaults.unwrap_or_default();
    if let Some(n) = &defaults.name {
        return Err(at(
            path,
            text,
            Some(n.span()),
            "`name` belongs in a [[node]] table, not in [defaults]",
        ));
    }
    let mut seen = HashSet::new();
    let mut nodes = Vec::new();
    for (i, n) in raw.node.into_iter().enumerate() {
        nodes.push(node::resolve(
            path, text, mode, i, &n, &defaults, &mut seen,
        )?);
    }
    Ok(Inventory {
        path: path.to_path_buf(),
        nodes,
        audit_log: raw.audit_log.map(|p| expand_home(&p)),
    })
}

/// The TOML of the file, with at least one `[[node]]`.
fn read_raw(path: &Path, text: &str) -> Result<RawFile> {
    if text.trim().is_empty() {
        return Err(at(
            path,
            text,
            None,
            "the file is empty; expected at least one [[node]] table",
        ));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().replace('\n', " ");
        at(path, text, e.span(), msg)
    })?;
    if raw.node.is_empty() {
        return Err(at(
            path,
            text,
            None,
            "no [[node]] table; expected at least one node",
        ));
    }
    Ok(raw)
}
