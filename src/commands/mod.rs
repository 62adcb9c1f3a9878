//! The commands. Each takes the run's [`Ctx`] and returns an exit code.

pub mod bulk;
pub mod check;
pub mod list;
pub mod ops;
pub mod passwd;
pub mod show;
pub mod suspend;

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use anyhow::anyhow;

use crate::audit::AuditLog;
use crate::config::Global;
use crate::error::{Error, Result};
use crate::inventory::Inventory;
use crate::output::Printer;
use crate::targets::{self, Target};
use crate::transport::{NodeLink, Transport};

/// Everything a command needs: the inventory, the selected nodes, the
/// connection machinery and the printer.
pub struct Ctx {
    pub global: Global,
    pub inventory: Inventory,
    pub links: Vec<Arc<NodeLink>>,
    pub transport: Arc<Transport>,
    pub printer: Printer,
}

impl Ctx {
    pub fn new(global: Global) -> Result<Ctx> {
        let path = crate::inventory::locate(global.inventory.as_deref())?;
        let inventory = crate::inventory::load(&path)?;
        let nodes = targets::select_nodes(&inventory, &global.nodes, &global.labels)?;
        let transport = Arc::new(Transport::new(global.concurrency));
        let printer = Printer::new(&global);
        if let Some(w) = transport.passfile_warning() {
            printer.warn(w);
        }
        printer.detail(format!("inventory {}", inventory.path.display()));
        let links = nodes
            .into_iter()
            .map(|n| Arc::new(NodeLink::new(n)))
            .collect();
        Ok(Ctx {
            global,
            inventory,
            links,
            transport,
            printer,
        })
    }

    /// Closes every node's transport (SSH master connections and forwards).
    pub async fn close(&self) {
        // In parallel: each SSH master takes ~12 ms to close.
        let mut set = tokio::task::JoinSet::new();
        for link in &self.links {
            let link = link.clone();
            set.spawn(async move { link.close().await });
        }
        while set.join_next().await.is_some() {}
    }

    /// Resolves a `TENANT` / `NODE/TENANT` argument to one database.
    pub async fn resolve(&self, spec: &str) -> Result<Target> {
        let all: Vec<String> = self
            .inventory
            .nodes
            .iter()
            .map(|n| n.name.clone())
            .collect();
        let (target, unsearched) =
            targets::resolve_one(spec, &self.links, &all, &self.transport).await?;
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
    pub fn audit_log(&self) -> Result<AuditLog> {
        let path = self
            .global
            .audit_log
            .clone()
            .or_else(|| self.inventory.audit_log.clone())
            .unwrap_or_else(AuditLog::default_path);
        AuditLog::open(&path)
            .map_err(|e| Error::usage(e.context("cannot open the audit log; nothing changed")))
    }
}

/// Asks `[y/N]` on the terminal. Without a terminal on stdin the answer is an
/// error: scripts must say `--yes`.
pub fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(anyhow!(
            "stdin is not a terminal, so I cannot ask for confirmation; pass --yes (nothing changed)"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::usage(anyhow!("reading the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// The JSON object printed by the single-tenant write commands.
#[derive(Debug, serde::Serialize)]
pub struct WriteResult {
    pub node: String,
    pub tenant: String,
    pub action: &'static str,
    /// changed | unchanged | failed
    pub outcome: &'static str,
    pub users: usize,
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_users: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_reason: Option<String>,
    pub via: crate::transport::Via,
}

impl WriteResult {
    pub fn new(t: &Target, action: &'static str) -> WriteResult {
        WriteResult {
            node: t.link.name().to_string(),
            tenant: t.db.clone(),
            action,
            outcome: "failed",
            users: 0,
            error: None,
            login: None,
            dry_run: None,
            missing_users: None,
            signal: None,
            suspended_at: None,
            suspended_reason: None,
            via: t.link.via,
        }
    }
}

/// Prints the failed result object in JSON mode (stdout), then hands the
/// error back for the one-line message on stderr and the exit code.
pub fn fail(ctx: &Ctx, res: &mut WriteResult, e: Error) -> Error {
    if ctx.printer.format == crate::config::Output::Json {
        res.outcome = "failed";
        res.error = Some(format!("{e:#}"));
        crate::output::out_json(res);
    }
    e
}
