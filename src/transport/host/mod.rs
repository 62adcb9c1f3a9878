//! Work on a node's host behind the transport: the tenants' filestores
//! (shell commands over the node's SSH master, or on this machine) and
//! PostgreSQL's own client programs run against the node.

pub mod apphost;
pub mod filestore;
pub mod manifests;
pub mod odoo;
pub mod pgtool;
pub mod space;

/// The remote shell's line running `sh -c script sh ARGS...`: every word
/// quoted (paths and names are arguments, never part of the script).
pub fn remote_shell_line(script: &str, args: &[&str]) -> String {
    let mut line = format!("sh -c {} sh", sh_quote(script));
    for a in args {
        line.push(' ');
        line.push_str(&sh_quote(a));
    }
    line
}

/// Quotes a word for a POSIX shell.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
