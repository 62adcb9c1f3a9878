//! The run's context ([`Ctx`]): the inventory, the selected nodes, the
//! connection machinery, the printer and the audit log, made once from the
//! typed configuration and shared by every command and every operation of
//! the pipeline; and the refusal of the lifecycle commands on a node behind
//! PgBouncer without a direct route ([`direct_only`]).

use std::sync::Arc;

use crate::audit::AuditLog;
use crate::config::Global;
use crate::error::{Error, Result};
use crate::inventory::Inventory;
use crate::output::Printer;
use crate::targets::{self, Target};
use crate::transport::{NodeLink, Notice, Notices, Transport};

/// Everything a command needs: the inventory, the selected nodes, the
/// connection machinery and the printer.
pub struct Ctx {
    pub global: Global,
    pub inventory: Inventory,
    pub links: Vec<Arc<NodeLink>>,
    pub transport: Arc<Transport>,
    pub printer: Printer,
    /// Maintenance-database connections kept for reuse within the run (one
    /// idle per node route, without slots; see `lifecycle::maintenance`).
    pub maint_cache: std::sync::Mutex<std::collections::HashMap<String, crate::transport::Conn>>,
    /// The SSH hosts Odoo runs on that are not a node's (`odoo.host = {
    /// ssh table }`), opened on first use.
    pub odoo_hosts: crate::transport::host::apphost::CommandHosts,
}

/// The transport's notices (SSH tunnel events), printed by the run's
/// printer: warnings as warnings, the rest as `--verbose` details.
fn notices(p: Printer) -> Notices {
    Arc::new(move |n| match n {
        Notice::Warn(m) => p.warn(m),
        Notice::Detail(m) => p.detail(m),
    })
}

/// Where `n`'s filestore is reached: the node's host, or with
/// `filestore_host = "odoo"` where its `odoo` table runs Odoo.
fn files_at(
    n: &crate::inventory::Node,
    hosts: &crate::transport::host::apphost::CommandHosts,
) -> crate::transport::FilesAt {
    use crate::inventory::{FilestoreHost, OdooHost};
    use crate::transport::FilesAt;
    match (
        n.lifecycle.filestore_host,
        n.lifecycle.odoo.as_ref().map(|o| &o.host),
    ) {
        (FilestoreHost::Odoo, Some(OdooHost::Local)) => FilesAt::Local,
        (FilestoreHost::Odoo, Some(OdooHost::Ssh(s))) => FilesAt::Host(hosts.get(s)),
        _ => FilesAt::Node,
    }
}

impl Ctx {
    pub fn new(global: Global) -> Result<Ctx> {
        let path = crate::inventory::locate(global.inventory.as_deref())?;
        let printer = Printer::new(&global);
        if let Some(n) = crate::inventory::shadow_notice(global.inventory.is_some(), &path) {
            printer.warn_always(n);
        }
        let inventory = crate::inventory::load(&path)?;
        let nodes = targets::select_nodes(&inventory, &global.nodes, &global.labels)?;
        let mut transport = Transport::new(global.concurrency);
        // Every connection is checked before anything in it is read; the
        // operator's --allow-triggers accepts the objects it would refuse.
        if !global.allow_triggers {
            transport = transport.with_check(Arc::new(crate::odoo::gate::Gate));
        }
        let transport = Arc::new(transport);
        // Kept under -q: it explains a later authentication failure.
        if let Some(w) = transport.passfile_warning() {
            printer.warn_always(w);
        }
        for w in crate::inventory::password_env_warnings(&inventory.path, &nodes) {
            printer.warn_always(w);
        }
        printer.detail(format!("inventory {}", inventory.path.display()));
        let odoo_hosts = crate::transport::host::apphost::CommandHosts::new(notices(printer));
        let links = nodes
            .into_iter()
            .map(|n| {
                let at = files_at(&n, &odoo_hosts);
                Arc::new(
                    NodeLink::new(n)
                        .with_notices(notices(printer))
                        .with_files_at(at),
                )
            })
            .collect();
        Ok(Ctx {
            global,
            inventory,
            links,
            transport,
            printer,
            maint_cache: Default::default(),
            odoo_hosts,
        })
    }

    /// Closes every node's transport (SSH master connections and forwards).
    pub async fn close(&self) {
        // The kept maintenance connections first: their sessions end before
        // the tunnels they may run through.
        self.maint_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        // In parallel: each SSH master takes ~12 ms to close.
        let mut set = tokio::task::JoinSet::new();
        for link in &self.links {
            let link = link.clone();
            set.spawn(async move { link.close().await });
        }
        let nodes = async { while set.join_next().await.is_some() {} };
        tokio::join!(nodes, self.odoo_hosts.close());
    }

    /// Where `run` (a node's `odoo` setting) runs Odoo for `link`'s tenants.
    pub fn odoo_place(
        &self,
        link: &Arc<NodeLink>,
        run: &crate::inventory::OdooRun,
    ) -> crate::transport::host::odoo::Place {
        use crate::inventory::OdooHost;
        use crate::transport::host::odoo::Place;
        match &run.host {
            OdooHost::Local => Place::Local,
            OdooHost::Node => Place::Node(link.clone()),
            OdooHost::Ssh(s) => Place::Host(self.odoo_hosts.get(s)),
        }
    }

    /// Resolves a `TENANT` / `NODE/TENANT` argument for a command that
    /// changes it: an unqualified name is refused while any selected node
    /// could not be searched (the tenant may be the one on that node).
    /// For the lifecycle commands (issues 14, 15): every node behind
    /// PgBouncer that has a direct route (`direct_host`/`direct_port`) is
    /// reached there instead, as PostgreSQL itself; the others stay as they
    /// are and are refused by [`direct_only`] when a command needs them.
    pub fn use_direct_routes(&mut self) {
        for l in &mut self.links {
            if l.node.pooler == crate::transport::startup::Pooler::None {
                continue;
            }
            if let Some((host, port)) = l.node.direct.clone() {
                let mut n = l.node.clone();
                n.host = host;
                n.port = port;
                n.pooler = crate::transport::startup::Pooler::None;
                n.direct = None;
                *l = Arc::new(
                    NodeLink::new(n)
                        .with_notices(notices(self.printer))
                        .with_files_at(l.files_at().clone()),
                );
            }
        }
    }

    pub async fn resolve_for_write(&self, spec: &str) -> Result<Target> {
        self.resolve_inner(spec, targets::Purpose::Write).await
    }

    /// A run of the pipeline: the audit log when writing, Ctrl-C counted
    /// once writes may start.
    pub fn run(
        &self,
        action: crate::ops::Action,
        audit: Option<Arc<AuditLog>>,
        dry_run: bool,
    ) -> crate::ops::Run {
        crate::ops::Run {
            transport: self.transport.clone(),
            action,
            audit,
            operator: crate::audit::operator(),
            guard: (!dry_run).then(crate::interrupt::Guard::install),
            dry_run,
            allow_triggers: self.global.allow_triggers,
            filter: None,
        }
    }

    /// Resolves a `TENANT` / `NODE/TENANT` argument to one database.
    pub async fn resolve(&self, spec: &str) -> Result<Target> {
        self.resolve_inner(spec, targets::Purpose::Read).await
    }

    async fn resolve_inner(&self, spec: &str, purpose: targets::Purpose) -> Result<Target> {
        let all: Vec<String> = self
            .inventory
            .nodes
            .iter()
            .map(|n| n.name.clone())
            .collect();
        let (target, unsearched) =
            targets::resolve_one(spec, &self.links, &all, &self.transport, purpose).await?;
        for e in unsearched {
            self.printer.warn(format!("not searched: {e}"));
        }
        self.printer.detail(format!(
            "tenant {} on node {} ({}, {})",
            target.db,
            target.link.name(),
            target.link.node.address(),
            target.link.via
        ));
        Ok(target)
    }

    /// Opens the audit log before any change: a run that cannot record what it
    /// does changes nothing.
    /// The audit log a run writes, or none for a dry run (which writes
    /// nothing).
    pub fn audit_log_unless(&self, dry_run: bool) -> Result<Option<AuditLog>> {
        if dry_run {
            return Ok(None);
        }
        self.audit_log().map(Some)
    }

    pub fn audit_log(&self) -> Result<AuditLog> {
        AuditLog::open(&self.audit_path())
            .map_err(|e| Error::input(e.context("cannot open the audit log; nothing changed")))
    }
}

impl Ctx {
    /// Records what this run learnt about the nodes' tenants in the
    /// completion cache of this inventory. Best effort: completion is a
    /// convenience, a cache that cannot be written is said under `-v` and
    /// changes nothing else.
    pub fn remember_tenants(&self, learnt: Vec<(String, crate::tenant_cache::Learnt)>) {
        let known: Vec<String> = self
            .inventory
            .nodes
            .iter()
            .map(|n| n.name.clone())
            .collect();
        match crate::tenant_cache::record(&self.inventory.path, &known, learnt) {
            Ok(p) => self
                .printer
                .detail(format!("completion cache {} written", p.display())),
            Err(e) => self
                .printer
                .detail(format!("completion cache not written: {e}")),
        }
    }

    /// The audit log this run writes to (and `show` reads).
    pub fn audit_path(&self) -> std::path::PathBuf {
        crate::audit::resolve_path(
            self.global.audit_log.as_deref(),
            self.inventory.audit_log.as_deref(),
        )
    }
}

/// Refuses (exit 2, nothing changed) a lifecycle command on a node behind
/// PgBouncer without a direct route: `CREATE/ALTER/DROP DATABASE` and
/// pg_dump need PostgreSQL itself (PgBouncer's databases map does not know a
/// new name, and the server connections it keeps open to a template or a
/// tenant make `CREATE DATABASE .. TEMPLATE`, `RENAME` and `DROP` fail with
/// "being accessed by other users").
pub fn direct_only(link: &NodeLink) -> Result<()> {
    if link.node.pooler == crate::transport::startup::Pooler::None {
        return Ok(());
    }
    Err(Error::usage(anyhow::anyhow!(
        "node {} is a PgBouncer (pgbouncer = {}): creating, copying, renaming, dropping and backing up tenants must reach PostgreSQL itself \
         (PgBouncer's databases map does not know new databases, and its pooled server connections block CREATE DATABASE .. TEMPLATE, RENAME and DROP). \
         Set `direct_port` (and `direct_host` when PostgreSQL is not on {}) for node {} in the inventory; nothing changed",
        link.name(),
        match link.node.pooler {
            crate::transport::startup::Pooler::Transaction => "\"transaction\"",
            _ => "\"session\"",
        },
        link.node.host,
        link.name()
    )))
}
