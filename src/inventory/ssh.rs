//! A node's `ssh` table merged over `[defaults].ssh`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_spanned::Spanned;

use super::parse::at;
use super::raw::{DurationText, RawSsh};
use super::{expand_home, HostKeyCheck, SshSettings};
use crate::error::Result;

/// Default of `ssh.connect_timeout`.
pub const SSH_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Merges a node's `ssh` table over `[defaults].ssh`, key by key. The node is
/// reached through SSH when the result names a `host`.
pub(super) fn merge_ssh(
    path: &Path,
    text: &str,
    node: &str,
    defaults: Option<&Spanned<RawSsh>>,
    own: Option<&Spanned<RawSsh>>,
) -> Result<Option<SshSettings>> {
    if defaults.is_none() && own.is_none() {
        return Ok(None);
    }
    let d = defaults.map(|s| s.get_ref().clone()).unwrap_or_default();
    let o = own.map(|s| s.get_ref().clone()).unwrap_or_default();
    let Some(host) = o.host.or(d.host) else {
        return match own {
            // `[defaults.ssh]` without a host only holds shared settings.
            None => Ok(None),
            Some(t) => Err(at(
                path,
                text,
                Some(t.span()),
                format!("node {node}: the ssh table needs `host` (here or in [defaults.ssh])"),
            )),
        };
    };
    let plain = |v: &Spanned<String>, what: &str| plain(path, text, node, v, what);
    let file = |v: &Spanned<String>, what: &str| file(path, text, node, v, what);
    let host_s = plain(&host, "host")?;
    let port = match o.port.or(d.port) {
        Some(p) if *p.get_ref() == 0 => {
            return Err(at(path, text, Some(p.span()), "ssh port must be 1-65535"))
        }
        p => p.map(|p| *p.get_ref()),
    };
    let user = o.user.or(d.user).map(|u| plain(&u, "user")).transpose()?;
    let jump = match o.jump.or(d.jump) {
        Some(j) => {
            // Hops are comma-separated; each is checked like a host.
            for hop in j.get_ref().split(',') {
                plain(&Spanned::new(j.span(), hop.to_string()), "jump host")?;
            }
            Some(j.get_ref().trim().to_string())
        }
        None => None,
    };
    let connect_timeout = at_least_1s(
        path,
        text,
        o.connect_timeout.or(d.connect_timeout),
        "ssh connect_timeout must be at least 1s (ssh counts whole seconds)",
    )?
    .unwrap_or(SSH_CONNECT_TIMEOUT);
    let control_persist = at_least_1s(
        path,
        text,
        o.control_persist.or(d.control_persist),
        "ssh control_persist must be at least 1s (ssh counts whole seconds); leave it out to end the master with the run",
    )?;
    Ok(Some(SshSettings {
        host: host_s,
        port,
        user,
        identity_file: o
            .identity_file
            .or(d.identity_file)
            .map(|f| file(&f, "identity_file"))
            .transpose()?,
        known_hosts_file: o
            .known_hosts_file
            .or(d.known_hosts_file)
            .map(|f| file(&f, "known_hosts_file"))
            .transpose()?,
        host_key_check: o
            .host_key_check
            .or(d.host_key_check)
            .unwrap_or(HostKeyCheck::Strict),
        jump,
        config_file: o
            .config_file
            .or(d.config_file)
            .map(|f| file(&f, "config_file"))
            .transpose()?,
        connect_timeout,
        control_persist,
    }))
}

/// A duration of the ssh table, if set: at least 1s (ssh counts whole
/// seconds), else the error `msg`.
fn at_least_1s(
    path: &Path,
    text: &str,
    t: Option<Spanned<DurationText>>,
    msg: &str,
) -> Result<Option<Duration>> {
    match t {
        Some(t) if t.get_ref().0 < Duration::from_secs(1) => {
            Err(at(path, text, Some(t.span()), msg))
        }
        Some(t) => Ok(Some(t.get_ref().0)),
        None => Ok(None),
    }
}

// Everything in the ssh table reaches ssh's command line or its generated
// ssh_config, and ssh hands host names of a ProxyJump to a shell: refuse
// anything that could be read as an option, a second config line or shell
// syntax.

/// A host or user name of the ssh table: no option, no space, no shell
/// character.
fn plain(path: &Path, text: &str, node: &str, v: &Spanned<String>, what: &str) -> Result<String> {
    let s = v.get_ref().trim();
    let bad = s.is_empty()
        || s.starts_with('-')
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "'\"`$;&|<>()\\*?!{}#%~".contains(c));
    if bad {
        return Err(at(
            path,
            text,
            Some(v.span()),
            format!("node {node}: ssh {what} {s:?} is empty, starts with '-', or contains spaces or shell characters"),
        ));
    }
    Ok(s.to_string())
}

/// A file of the ssh table (written into the generated ssh_config).
fn file(path: &Path, text: &str, node: &str, v: &Spanned<String>, what: &str) -> Result<PathBuf> {
    let s = v.get_ref();
    if s.is_empty() || s.chars().any(|c| c.is_control() || c == '"' || c == '%') {
        return Err(at(
            path,
            text,
            Some(v.span()),
            format!("node {node}: ssh {what} {s:?} is empty or contains a control character, '\"' or '%'"),
        ));
    }
    Ok(expand_home(s))
}
