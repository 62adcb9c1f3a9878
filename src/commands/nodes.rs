//! `tenantctl nodes`: the inventory as tenantctl resolved it: the file it
//! came from, and per node its address, route, labels and where its password
//! comes from (never the password). Contacts no node.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Global, Output};
use crate::error::{Result, EXIT_OK};
use crate::inventory::{Host, HostKeyCheck, Node, PasswordSource};
use crate::output::{csv_line, out, out_json, Col, Printer};
use crate::pgpass::PassFile;

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Route {
    Direct,
    Ssh {
        /// `[user@]host[:port]` of the SSH host.
        host: String,
        /// ProxyJump hops, in order.
        jump: Vec<String>,
        identity_file: Option<String>,
        known_hosts_file: Option<String>,
        /// strict | accept-new
        host_key_check: &'static str,
        config_file: Option<String>,
        /// How long the ssh master is kept after a run for the next one
        /// (`control_persist`); None: it ends with the run.
        control_persist: Option<String>,
    },
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Route::Direct => f.write_str("direct"),
            Route::Ssh {
                host,
                jump,
                control_persist,
                ..
            } => {
                write!(f, "SSH via {host}")?;
                if !jump.is_empty() {
                    write!(f, " (jump {})", jump.join(" → "))?;
                }
                match control_persist {
                    Some(d) => write!(f, ", master kept {d}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Where a node's password comes from.
#[derive(Debug, Serialize)]
pub struct Password {
    /// inventory | password_env | pass-file | PGPASSWORD | none
    pub source: &'static str,
    /// The variable named by `password_env`, and whether it is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<bool>,
    /// The pass file consulted (source pass-file, PGPASSWORD or none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `password_env` whose variable is not set: where the password comes
    /// from instead, as libpq without a password (pass-file | PGPASSWORD |
    /// none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<&'static str>,
}

impl std::fmt::Display for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.source {
            "inventory" => f.write_str("inventory"),
            "password_env" => {
                write!(f, "password_env {}", self.env.as_deref().unwrap_or("?"))?;
                match self.fallback {
                    _ if self.set == Some(true) => Ok(()),
                    Some("pass-file") => write!(
                        f,
                        " (not set: pass file {})",
                        self.file.as_deref().unwrap_or("?")
                    ),
                    Some("PGPASSWORD") => f.write_str(" (not set: PGPASSWORD)"),
                    _ => f.write_str(" (not set; no PGPASSWORD, no pass file line)"),
                }
            }
            "pass-file" => write!(f, "pass file {}", self.file.as_deref().unwrap_or("?")),
            "PGPASSWORD" => f.write_str("PGPASSWORD"),
            _ => write!(
                f,
                "none (no line in {}, PGPASSWORD not set)",
                self.file.as_deref().unwrap_or("no pass file")
            ),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NodeInfo {
    pub name: String,
    /// PostgreSQL's `host:port` (as seen from the SSH host when routed).
    pub address: String,
    pub user: String,
    pub maintenance_db: String,
    pub sslmode: crate::inventory::SslMode,
    pub route: Route,
    pub labels: BTreeMap<String, String>,
    pub password: Password,
    /// `null`: not in the inventory, sized from the server's free slots when
    /// the node is listed (README, `max_connections`).
    pub max_connections: Option<usize>,
    pub exclude: Vec<String>,
    /// What `suspend` switches off on this node.
    pub suspend_layers: Vec<&'static str>,
    /// none | session | transaction
    pub pgbouncer: &'static str,
    /// `direct_host`/`direct_port`: PostgreSQL itself behind a PgBouncer,
    /// where create/duplicate/rename/drop/backup/restore connect (None:
    /// those are refused on a PgBouncer node, and not needed elsewhere).
    pub direct_address: Option<String>,
    /// The lifecycle settings (issue 14).
    pub filestore: Option<String>,
    pub filestore_owner: Option<String>,
    /// node | odoo: where `filestore` is reached (`filestore_host`).
    pub filestore_host: &'static str,
    pub template: Option<String>,
    pub base_url: Option<String>,
    /// humantime, e.g. `30days`.
    pub drop_retention: String,
    /// How `upgrade` runs Odoo for this node's tenants (the `odoo` table).
    pub odoo: Option<OdooInfo>,
}

/// The `odoo` table as resolved.
#[derive(Debug, Serialize)]
pub struct OdooInfo {
    pub command: Vec<String>,
    /// local | node | ssh
    pub host: &'static str,
    /// For `host: ssh`: the application host's route, as a node's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh: Option<Route>,
    /// humantime, e.g. `30m`.
    pub timeout: String,
    pub max_parallel: usize,
    pub addons_path: Vec<String>,
}

impl OdooInfo {
    /// The ODOO column: where it runs.
    fn cell(&self) -> String {
        match (&self.ssh, self.host) {
            (Some(r), _) => r.to_string().replacen("SSH via ", "ssh ", 1),
            (None, "node") => "the node's SSH host".into(),
            _ => "this machine".into(),
        }
    }
}

impl NodeInfo {
    /// The PGBOUNCER column: the mode, and where the lifecycle commands go.
    fn pgbouncer_cell(&self) -> String {
        match (self.pgbouncer, &self.direct_address) {
            ("none", _) => "none".into(),
            (mode, Some(d)) => format!("{mode}; lifecycle via {d}"),
            (mode, None) => format!("{mode}; no direct_port (lifecycle refused)"),
        }
    }
}

/// How the inventory was found.
fn found_by(global: &Global) -> &'static str {
    if global.inventory.is_some() {
        "--inventory"
    } else if std::env::var_os("TENANTCTL_INVENTORY").is_some_and(|v| !v.is_empty()) {
        "$TENANTCTL_INVENTORY"
    } else {
        "search"
    }
}

/// Where a node without a password of its own gets one, in libpq's order:
/// a non-empty $PGPASSWORD, then the pass file.
fn without_password(n: &Node, pf: &PassFile) -> &'static str {
    let (host, socket) = match &n.host {
        Host::Tcp(h) => (h.clone(), false),
        Host::Socket(p) => (p.display().to_string(), true),
    };
    if std::env::var_os("PGPASSWORD").is_some_and(|v| !v.is_empty()) {
        "PGPASSWORD"
    } else if pf
        .lookup(&host, socket, n.port, &n.maintenance_db, &n.user)
        .is_some_and(|p| !p.is_empty())
    {
        "pass-file"
    } else {
        "none"
    }
}

fn password(n: &Node, pf: &PassFile) -> Password {
    let file = PassFile::path().map(|p| p.display().to_string());
    match &n.password {
        PasswordSource::Inline(_) => Password {
            source: "inventory",
            env: None,
            set: None,
            file: None,
            fallback: None,
        },
        PasswordSource::Env { var, .. } => {
            // Unset: connections go on as libpq's without a password.
            let fallback = n.password_env_unset().map(|_| without_password(n, pf));
            Password {
                source: "password_env",
                env: Some(var.clone()),
                set: Some(fallback.is_none()),
                file: fallback.and(file),
                fallback,
            }
        }
        PasswordSource::Default => Password {
            source: without_password(n, pf),
            env: None,
            set: None,
            file,
            fallback: None,
        },
    }
}

/// A node's (or the Odoo host's) SSH route.
fn route(ssh: Option<&crate::inventory::SshSettings>) -> Route {
    match ssh {
        None => Route::Direct,
        Some(s) => Route::Ssh {
            host: s.destination(),
            jump: s
                .jump
                .as_deref()
                .map(|j| j.split(',').map(|h| h.trim().to_string()).collect())
                .unwrap_or_default(),
            identity_file: s.identity_file.as_ref().map(|p| p.display().to_string()),
            known_hosts_file: s.known_hosts_file.as_ref().map(|p| p.display().to_string()),
            host_key_check: match s.host_key_check {
                HostKeyCheck::Strict => "strict",
                HostKeyCheck::AcceptNew => "accept-new",
            },
            config_file: s.config_file.as_ref().map(|p| p.display().to_string()),
            control_persist: s
                .control_persist
                .map(|d| humantime::format_duration(d).to_string()),
        },
    }
}

fn odoo(o: &crate::inventory::OdooRun) -> OdooInfo {
    use crate::inventory::OdooHost;
    OdooInfo {
        command: o.command.clone(),
        host: match o.host {
            OdooHost::Local => "local",
            OdooHost::Node => "node",
            OdooHost::Ssh(_) => "ssh",
        },
        ssh: match &o.host {
            OdooHost::Ssh(s) => Some(route(Some(s))),
            _ => None,
        },
        timeout: humantime::format_duration(o.timeout).to_string(),
        max_parallel: o.max_parallel,
        addons_path: o.addons_path.clone(),
    }
}

fn info(n: &Node, pf: &PassFile) -> NodeInfo {
    let route = route(n.ssh.as_ref());
    NodeInfo {
        name: n.name.clone(),
        address: n.address(),
        user: n.user.clone(),
        maintenance_db: n.maintenance_db.clone(),
        sslmode: n.sslmode,
        route,
        labels: n.labels.clone(),
        password: password(n, pf),
        max_connections: (!n.max_connections_auto
            || n.pooler != crate::transport::startup::Pooler::None)
            .then_some(n.max_connections),
        exclude: n.exclude.clone(),
        suspend_layers: n.suspend_layers.names(),
        pgbouncer: match n.pooler {
            crate::transport::startup::Pooler::None => "none",
            crate::transport::startup::Pooler::Session => "session",
            crate::transport::startup::Pooler::Transaction => "transaction",
        },
        direct_address: n.direct.as_ref().map(|(h, port)| h.address(*port)),
        filestore: n
            .lifecycle
            .filestore
            .as_ref()
            .map(|p| p.display().to_string()),
        filestore_owner: n.lifecycle.filestore_owner.clone(),
        filestore_host: match n.lifecycle.filestore_host {
            crate::inventory::FilestoreHost::Node => "node",
            crate::inventory::FilestoreHost::Odoo => "odoo",
        },
        template: n.lifecycle.template.clone(),
        base_url: n.lifecycle.base_url.clone(),
        drop_retention: humantime::format_duration(n.lifecycle.drop_retention).to_string(),
        odoo: n.lifecycle.odoo.as_ref().map(odoo),
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    inventory: String,
    /// --inventory | $TENANTCTL_INVENTORY | search (./nodes.toml, then the XDG config directory)
    found_by: &'static str,
    nodes: &'a [NodeInfo],
}

pub fn run(global: &Global) -> Result<u8> {
    let p = Printer::new(global);
    let path = crate::inventory::locate(global.inventory.as_deref())?;
    if let Some(n) = crate::inventory::shadow_notice(global.inventory.is_some(), &path) {
        p.warn_always(n);
    }
    let inv = crate::inventory::load(&path)?;
    let selected = crate::targets::select_nodes(&inv, &global.nodes, &global.labels)?;
    let pf = PassFile::load();
    if let Some(w) = &pf.warning {
        p.warn(w);
    }
    let nodes: Vec<NodeInfo> = selected.iter().map(|n| info(n, &pf)).collect();
    let shown = std::fs::canonicalize(&inv.path).unwrap_or_else(|_| inv.path.clone());
    let labels = |n: &NodeInfo| {
        n.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    match p.format {
        Output::Json => out_json(&Doc {
            inventory: shown.display().to_string(),
            found_by: found_by(global),
            nodes: &nodes,
        }),
        Output::Csv => {
            p.csv_header(&["node", "address", "user", "route", "labels", "password"]);
            for n in &nodes {
                out(&csv_line(&[
                    n.name.clone(),
                    n.address.clone(),
                    n.user.clone(),
                    n.route.to_string(),
                    labels(n),
                    n.password.to_string(),
                ]));
            }
        }
        Output::Table => {
            if !p.no_headers {
                out(&crate::output::esc(&format!(
                    "Inventory: {} ({})",
                    shown.display(),
                    match crate::inventory::found_by(global.inventory.is_some(), &inv.path) {
                        "current directory" =>
                            "./nodes.toml in the current directory, searched before the config directory",
                        "config directory" => "the config directory",
                        other => other,
                    }
                )));
                out("");
            }
            let mut t = p.table(&[
                Col::key("NODE"),
                Col::key("ADDRESS"),
                Col::key("USER"),
                Col::free("ROUTE"),
                Col::free("LABELS"),
                Col::free("PASSWORD"),
                Col::key("SSLMODE").wide(),
                Col::key("MAX CONN").wide(),
                Col::free("EXCLUDE").wide(),
                Col::key("LAYERS").wide(),
                Col::free("PGBOUNCER").wide(),
                Col::free("FILESTORE").wide(),
                Col::key("TEMPLATE").wide(),
                Col::free("BASE URL").wide(),
                Col::key("RETENTION").wide(),
                Col::free("ODOO").wide(),
            ]);
            for n in &nodes {
                t.row([
                    n.name.clone(),
                    n.address.clone(),
                    n.user.clone(),
                    n.route.to_string(),
                    labels(n),
                    n.password.to_string(),
                    serde_json::to_value(n.sslmode)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    n.max_connections
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "auto".into()),
                    n.exclude.join(","),
                    n.suspend_layers.join(","),
                    n.pgbouncer_cell(),
                    match (&n.filestore, &n.filestore_owner) {
                        (Some(f), Some(o)) => format!("{f} (owner {o})"),
                        (Some(f), None) => f.clone(),
                        (None, _) => "-".into(),
                    } + if n.filestore_host == "odoo" && n.filestore.is_some() {
                        " on the Odoo host"
                    } else {
                        ""
                    },
                    n.template.clone().unwrap_or_else(|| "-".into()),
                    n.base_url.clone().unwrap_or_else(|| "-".into()),
                    crate::output::spaced_units(&n.drop_retention),
                    n.odoo
                        .as_ref()
                        .map(OdooInfo::cell)
                        .unwrap_or_else(|| "-".into()),
                ]);
            }
            p.print_table(&t);
        }
    }
    Ok(EXIT_OK)
}
