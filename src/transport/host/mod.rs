//! Work on a node's host behind the transport: the tenants' filestores
//! (shell commands over the node's SSH master, or on this machine) and
//! PostgreSQL's own client programs run against the node.

pub mod filestore;
pub mod manifests;
pub mod odoo;
pub mod pgtool;
pub mod space;

/// Quotes a word for a POSIX shell.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
