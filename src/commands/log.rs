//! `tenantctl log`: the audit log read back, filtered by tenant, node, time
//! and action. Reads a local file only: no inventory node is contacted.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::Serialize;

use crate::audit::{self, Entry};
use crate::config::{Global, LogOpts, Output};
use crate::error::{Error, Result, EXIT_OK};
use crate::output::{csv_line, out, out_json, Col, Printer};

/// The audit log path without contacting anything: `--audit-log`, else the
/// inventory's `audit_log` (when an inventory is found), else the default.
pub fn path(global: &Global) -> Result<PathBuf> {
    if let Some(p) = &global.audit_log {
        return Ok(p.clone());
    }
    let inv = match crate::inventory::locate(global.inventory.as_deref()) {
        Ok(p) => Some(crate::inventory::load(&p)?),
        Err(_) => None,
    };
    Ok(audit::resolve_path(
        None,
        inv.as_ref().and_then(|i| i.audit_log.as_deref()),
    ))
}

/// Whether an entry is about `spec` (`TENANT` or `NODE/TENANT`).
pub fn is_about(e: &Entry, spec: &str) -> bool {
    e.tenant == spec || spec.split_once('/') == Some((e.node.as_str(), e.tenant.as_str()))
}

/// When no entry of the whole log is about `spec`: what the log does have
/// (the node where a `NODE/TENANT` is, the closest tenant names), or `None`
/// when the log has nothing close or does have entries about `spec` (the
/// other filters left them out).
fn unknown_tenant(all: &[Entry], spec: &str) -> Option<String> {
    if all.iter().any(|e| is_about(e, spec)) {
        return None;
    }
    let esc = crate::output::esc;
    // NODE/TENANT: the tenant's entries on other nodes.
    if let Some((node, db)) = spec.split_once('/') {
        let mut on: Vec<&str> = all
            .iter()
            .filter(|e| e.tenant == db && e.node != node)
            .map(|e| e.node.as_str())
            .collect();
        on.sort();
        on.dedup();
        if !on.is_empty() {
            let specs: Vec<String> = on.iter().map(|n| format!("{n}/{}", esc(db))).collect();
            return Some(format!(
                "no entries for tenant {spec:?}: the log has {} on {} (--tenant {})",
                esc(db),
                on.join(", "),
                specs.join(" or ")
            ));
        }
    }
    let mut names: Vec<String> = all.iter().map(|e| e.tenant.clone()).collect();
    names.sort();
    names.dedup();
    let db = spec.split_once('/').map_or(spec, |(_, db)| db);
    let hint = crate::targets::did_you_mean(db, &names);
    (!hint.is_empty()).then(|| format!("no entries for tenant {spec:?} in the log{hint}"))
}

/// Whether the entry's time is at or after `since` (an unparsable time is
/// kept: it is shown rather than hidden).
fn after(e: &Entry, since: SystemTime) -> bool {
    humantime::parse_rfc3339_weak(e.time.trim_end_matches('Z')).map_or(true, |t| t >= since)
}

#[derive(Serialize)]
struct Doc<'a> {
    audit_log: String,
    entries: &'a [&'a Entry],
}

pub fn run(global: &Global, opts: &LogOpts) -> Result<u8> {
    let p = Printer::new(global);
    let path = path(global)?;
    let read = audit::read(&path).map_err(Error::input)?;
    for b in &read.bad {
        p.warn(format!("audit log {}: {b}; skipped", path.display()));
    }
    let entries: Vec<&Entry> = read
        .entries
        .iter()
        .filter(|e| opts.tenant.as_deref().is_none_or(|t| is_about(e, t)))
        .filter(|e| global.nodes.is_empty() || global.nodes.contains(&e.node))
        .filter(|e| opts.action.as_deref().is_none_or(|a| e.action == a))
        .filter(|e| opts.since.is_none_or(|s| after(e, s)))
        .collect();
    if let (Some(t), true) = (opts.tenant.as_deref(), entries.is_empty()) {
        if let Some(hint) = unknown_tenant(&read.entries, t) {
            p.warn(hint);
        }
    }
    match p.format {
        Output::Json => out_json(&Doc {
            audit_log: path.display().to_string(),
            entries: &entries,
        }),
        Output::Csv => {
            p.csv_header(&[
                "time", "operator", "action", "node", "tenant", "outcome", "users", "login",
                "reason", "error", "by",
            ]);
            for e in &entries {
                out(&csv_line(&[
                    e.time.clone(),
                    e.operator.clone(),
                    e.action.clone(),
                    e.node.clone(),
                    e.tenant.clone(),
                    e.outcome.clone(),
                    e.users.map(|n| n.to_string()).unwrap_or_default(),
                    e.login.clone().unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                    e.error.clone().unwrap_or_default(),
                    e.by.clone().unwrap_or_default(),
                ]));
            }
        }
        Output::Table => {
            if entries.is_empty() {
                p.info(if read.exists {
                    format!("no matching entries in {}", path.display())
                } else {
                    format!("no audit log yet at {}", path.display())
                });
            } else {
                p.print_table(&table(&p, &entries, true));
            }
        }
    }
    p.detail(format!(
        "{} of {} entries in {}",
        entries.len(),
        read.entries.len(),
        path.display()
    ));
    Ok(EXIT_OK)
}

/// The entries as a table (`with_tenant`: NODE and TENANT columns).
pub fn table(p: &Printer, entries: &[&Entry], with_tenant: bool) -> crate::output::Table {
    let mut cols = vec![Col::key("TIME"), Col::key("OPERATOR"), Col::key("ACTION")];
    if with_tenant {
        cols.extend([Col::key("NODE"), Col::key("TENANT")]);
    }
    cols.extend([
        Col::key("OUTCOME"),
        Col::key("USERS"),
        Col::key("LOGIN"),
        Col::free("REASON"),
        Col::free("ERROR"),
    ]);
    let mut t = p.table(&cols);
    for e in entries {
        // `recover (by drop)`: the command that finished a killed run's work.
        let action = match &e.by {
            Some(by) => format!("{} (by {by})", e.action),
            None => e.action.clone(),
        };
        let mut cells = vec![e.time.clone(), e.operator.clone(), action];
        if with_tenant {
            cells.extend([e.node.clone(), e.tenant.clone()]);
        }
        cells.extend([
            e.outcome.clone(),
            e.users.map(|n| n.to_string()).unwrap_or_default(),
            e.login.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.error.clone().unwrap_or_default(),
        ]);
        t.row(cells);
    }
    t
}
