//! Where a node's password comes from: `password`, `password_env`, else
//! libpq's `$PGPASSWORD` and pass file; and the warning about a
//! `password_env` variable that is not set.

use std::path::Path;

use super::{Host, Node};
use crate::error::Result;
use crate::pgpass::PassFile;

/// Where a node's password comes from (never the password itself in Debug).
#[derive(Clone)]
pub enum PasswordSource {
    Inline(String),
    /// `password_env`: the variable's name, and whether the key is in
    /// `[defaults]` (not in the node's own table).
    Env {
        var: String,
        in_defaults: bool,
    },
    /// `$PGPASSWORD`, then the libpq pass file.
    Default,
}

impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::Inline(_) => f.write_str("Inline(<redacted>)"),
            PasswordSource::Env { var, .. } => write!(f, "Env({var})"),
            PasswordSource::Default => f.write_str("Default"),
        }
    }
}

impl Node {
    /// The password for a connection to `db`, in libpq's order: the
    /// inventory's `password` / `password_env` (libpq's connection-string
    /// password), then a non-empty `$PGPASSWORD`, then the pass file. An
    /// empty password counts as none (libpq: "no password supplied"), and so
    /// does a `password_env` variable that is not set (warned about once per
    /// run: [`Node::password_env_unset`]).
    pub fn password_for(&self, db: &str, passfile: &PassFile) -> Result<Option<Vec<u8>>> {
        let given = match &self.password {
            PasswordSource::Inline(p) => Some(p.clone()),
            PasswordSource::Env { var, .. } => std::env::var(var).ok(),
            PasswordSource::Default => None,
        };
        if let Some(p) = given.filter(|p| !p.is_empty()) {
            return Ok(Some(p.into_bytes()));
        }
        if let Some(p) = std::env::var_os("PGPASSWORD").filter(|v| !v.is_empty()) {
            return Ok(Some(std::os::unix::ffi::OsStringExt::into_vec(p)));
        }
        let host = match &self.host {
            Host::Tcp(h) => h.clone(),
            Host::Socket(p) => p.display().to_string(),
        };
        let is_socket = matches!(self.host, Host::Socket(_));
        Ok(passfile
            .lookup(&host, is_socket, self.port, db, &self.user)
            .filter(|p| !p.is_empty()))
    }

    /// The variable named by `password_env` when it is not set (or not
    /// UTF-8), and whether the key is in `[defaults]`: the node then
    /// connects as libpq does without a password (`$PGPASSWORD`, else the
    /// pass file).
    pub fn password_env_unset(&self) -> Option<(&str, bool)> {
        match &self.password {
            PasswordSource::Env { var, in_defaults } if std::env::var(var).is_err() => {
                Some((var.as_str(), *in_defaults))
            }
            _ => None,
        }
    }
}

/// One warning per `password_env` variable that is not set, naming the
/// nodes that use it and where the key is (`[defaults]` or the nodes' own
/// tables): those nodes connect as libpq does when no password is given.
pub fn password_env_warnings(inventory: &Path, nodes: &[Node]) -> Vec<String> {
    let mut unset: Vec<(&str, bool, Vec<&str>)> = Vec::new();
    for n in nodes {
        if let Some((var, in_defaults)) = n.password_env_unset() {
            match unset
                .iter_mut()
                .find(|(v, d, _)| *v == var && *d == in_defaults)
            {
                Some((_, _, names)) => names.push(&n.name),
                None => unset.push((var, in_defaults, vec![&n.name])),
            }
        }
    }
    let pass_file = PassFile::path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.pgpass (no $HOME)".into());
    unset
        .into_iter()
        .map(|(var, in_defaults, names)| {
            let key = if in_defaults {
                "[defaults]".to_string()
            } else {
                format!(
                    "the [[node]] table{} of {}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )
            };
            format!(
                "password_env = \"{var}\" in {key} of {}: {var} is not set, so node{} {} connect{} as libpq does when no password is given ($PGPASSWORD, else the pass file {pass_file}); set {var} or remove the key",
                inventory.display(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                if names.len() == 1 { "s" } else { "" },
            )
        })
        .collect()
}
