//! Which nodes a run touches (`--node`, `--label`) and which database a
//! `TENANT` or `NODE/TENANT` argument names.

use std::sync::Arc;

use anyhow::anyhow;
use tokio::task::JoinSet;

use crate::error::{Error, Result};
use crate::inventory::{Inventory, Node};
use crate::odoo::probe::{self, Candidate};
use crate::text::esc;
use crate::transport::{NodeLink, Transport};

/// The nodes selected by `--node` (repeatable) and `--label key=value` (all
/// must match). No selector: every node.
pub fn select_nodes(inv: &Inventory, names: &[String], labels: &[String]) -> Result<Vec<Node>> {
    for n in names {
        if !inv.nodes.iter().any(|node| &node.name == n) {
            let known: Vec<&str> = inv.nodes.iter().map(|n| n.name.as_str()).collect();
            return Err(Error::usage(anyhow!(
                "unknown node {n:?} (inventory {} has: {})",
                inv.path.display(),
                known.join(", ")
            )));
        }
    }
    let mut wanted = Vec::new();
    for l in labels {
        let (k, v) = l
            .split_once('=')
            .ok_or_else(|| Error::usage(anyhow!("--label {l:?}: expected KEY=VALUE")))?;
        wanted.push((k.to_string(), v.to_string()));
    }
    let nodes: Vec<Node> = inv
        .nodes
        .iter()
        .filter(|n| names.is_empty() || names.contains(&n.name))
        .filter(|n| wanted.iter().all(|(k, v)| n.labels.get(k) == Some(v)))
        .cloned()
        .collect();
    if nodes.is_empty() {
        let mut have: Vec<String> = inv
            .nodes
            .iter()
            .flat_map(|n| n.labels.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        have.sort();
        have.dedup();
        let hint = if wanted.is_empty() {
            String::new()
        } else if have.is_empty() {
            "; no node of the inventory has labels".to_string()
        } else {
            format!("; labels in the inventory: {}", have.join(", "))
        };
        return Err(Error::usage(anyhow!(
            "no node of inventory {} matches the --node/--label selection{hint}",
            inv.path.display()
        )));
    }
    Ok(nodes)
}

/// The candidate tenant databases of a node: one query on its maintenance
/// database, then the node's `exclude` patterns and the always-excluded names.
/// Databases the role may not CONNECT to are not tenants (another
/// application's databases on a shared node): left out, never an error.
pub async fn node_candidates(
    link: &NodeLink,
    t: &Transport,
    sizes: probe::Sizes,
) -> anyhow::Result<Vec<Candidate>> {
    let mut all = node_databases(link, t, sizes).await?;
    all.retain(|c| c.connect);
    Ok(all)
}

/// Like [`node_candidates`], with the databases the role may not CONNECT to
/// (`connect == false`), for `list --all-databases`.
pub async fn node_databases(
    link: &NodeLink,
    t: &Transport,
    sizes: probe::Sizes,
) -> anyhow::Result<Vec<Candidate>> {
    Ok(node_databases_split(link, t, sizes).await?.0)
}

/// The node's databases as [`node_databases`], and apart the names of those
/// its `exclude` patterns (or the always-excluded names) leave out.
pub async fn node_databases_split(
    link: &NodeLink,
    t: &Transport,
    sizes: probe::Sizes,
) -> anyhow::Result<(Vec<Candidate>, Vec<String>)> {
    let conn = link
        .connect(&link.node.maintenance_db, t)
        .await
        .map_err(|e| e.context(format!("node {} ({})", link.name(), link.place())))?;
    // The node's free connection slots, pipelined with the listing (same
    // round trip): they size its connection limit (README, max_connections).
    let (all, cap) = tokio::join!(
        biased;
        probe::candidates(&conn, sizes),
        probe::capacity(&conn),
    );
    if let Ok(cap) = cap {
        link.size_from(probe::auto_limit(&cap));
    }
    let all = all.map_err(|e| {
        e.context(format!(
            "node {} ({}): listing databases",
            link.name(),
            link.node.address()
        ))
    })?;
    let (excluded, kept): (Vec<Candidate>, Vec<Candidate>) = all
        .into_iter()
        .partition(|c| link.node.is_excluded(&c.name));
    Ok((kept, excluded.into_iter().map(|c| c.name).collect()))
}

/// A resolved tenant: the node and the database name.
#[derive(Clone)]
pub struct Target {
    pub link: Arc<NodeLink>,
    pub db: String,
}

impl Target {
    /// `node/tenant`, for messages.
    pub fn display(&self) -> String {
        format!("{}/{}", self.link.name(), self.db)
    }
}

/// Checks a tenant name as typed by a user or read from a file.
pub fn check_name(spec: &str) -> Result<()> {
    if spec.is_empty() {
        return Err(Error::usage(anyhow!("empty tenant name")));
    }
    if spec.contains('\0') {
        return Err(Error::usage(anyhow!("tenant name contains a NUL byte")));
    }
    if spec.len() > 200 {
        return Err(Error::usage(anyhow!(
            "tenant name of {} bytes is too long (PostgreSQL database names have at most 63)",
            spec.len()
        )));
    }
    Ok(())
}

/// Splits `NODE/TENANT` when the part before the first `/` names a node of the
/// inventory; otherwise the whole text is the database name (names may
/// contain `/`).
pub fn split_spec<'a>(spec: &'a str, links: &[Arc<NodeLink>]) -> (Option<&'a str>, &'a str) {
    if let Some((node, db)) = spec.split_once('/') {
        if links.iter().any(|l| l.name() == node) {
            return (Some(node), db);
        }
    }
    (None, spec)
}

/// What one node holds: its candidate databases, or why it could not be asked.
pub struct Scan {
    pub link: Arc<NodeLink>,
    pub result: Result<Vec<Candidate>, String>,
    /// The node refused us at the SSH level (host key, authentication): a
    /// configuration matter (exit 2), not an outage.
    pub refused: bool,
    /// Databases of the node that its exclude patterns leave out (so that
    /// naming one says so instead of "unknown tenant").
    pub excluded: Vec<String>,
    /// Databases of the node the role may not CONNECT to (not tenants of
    /// this role: naming one says so instead of "unknown tenant").
    pub no_access: Vec<String>,
}

/// Lists the candidate databases of every given node, concurrently.
pub async fn scan(links: &[Arc<NodeLink>], t: &Arc<Transport>) -> Vec<Scan> {
    scan_within(links, t, None).await
}

/// [`scan`], each node given at most `limit` (a node that takes longer is
/// one that could not be searched).
async fn scan_within(
    links: &[Arc<NodeLink>],
    t: &Arc<Transport>,
    limit: Option<std::time::Duration>,
) -> Vec<Scan> {
    let mut set = JoinSet::new();
    for (i, link) in links.iter().enumerate() {
        let link = link.clone();
        let t = t.clone();
        set.spawn(async move {
            let listing = node_databases_split(&link, &t, probe::Sizes::Without);
            let r = match limit {
                None => listing.await,
                Some(d) => tokio::time::timeout(d, listing)
                    .await
                    .unwrap_or_else(|_| Err(anyhow!("no answer within {d:?}"))),
            };
            let refused = r
                .as_ref()
                .err()
                .is_some_and(crate::transport::ssh::is_refusal);
            let (result, excluded, no_access) = match r {
                Ok((cands, excluded)) => {
                    let (cands, none): (Vec<Candidate>, Vec<Candidate>) =
                        cands.into_iter().partition(|c| c.connect);
                    (
                        Ok(cands),
                        excluded,
                        none.into_iter().map(|c| c.name).collect(),
                    )
                }
                Err(e) => (Err(format!("{e:#}")), Vec::new(), Vec::new()),
            };
            (
                i,
                Scan {
                    link,
                    result,
                    refused,
                    excluded,
                    no_access,
                },
            )
        });
    }
    let mut out: Vec<(usize, Scan)> = Vec::with_capacity(links.len());
    while let Some(r) = set.join_next().await {
        if let Ok(x) = r {
            out.push(x);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, s)| s).collect()
}

/// Why a name did not resolve.
#[derive(Debug, Clone)]
pub enum Unresolved {
    /// Unknown, ambiguous or malformed: the user's input is wrong (exit 2).
    Input(String),
    /// Not found, and some nodes could not be searched (exit 1).
    Unreachable(String),
    /// An unqualified name for a write while some nodes could not be
    /// searched: refused by rule, nothing changed (outcome `refused`).
    Refused(String),
    /// `--skip-unreachable`: the tenant may be on a node that could not be
    /// searched; not run (outcome `skipped`).
    Skipped(String),
}

impl Unresolved {
    pub fn message(&self) -> &str {
        match self {
            Unresolved::Input(m)
            | Unresolved::Unreachable(m)
            | Unresolved::Refused(m)
            | Unresolved::Skipped(m) => m,
        }
    }
}

/// What a name is resolved for: which decides what an unqualified name does
/// while some nodes could not be searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A read: the one reachable match, the others warned about.
    Read,
    /// A single write command: refused (name it as NODE/TENANT).
    Write,
    /// A line of `bulk --from`: refused, naming `--skip-unreachable`.
    Bulk,
    /// `bulk --skip-unreachable` (tenant names are unique across the
    /// fleet): act where found, skip what may be on the unsearched nodes.
    BulkSkipUnreachable,
}

impl Purpose {
    fn write(self) -> bool {
        self != Purpose::Read
    }
}

/// `node b` / `nodes b, c`, for messages.
fn nodes_phrase(names: &[&str]) -> String {
    format!(
        "node{} {}",
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// Resolves `TENANT` / `NODE/TENANT` among scanned nodes.
/// A write ([`Purpose`]): an unqualified name is refused while any node
/// could not be searched, unless `--skip-unreachable` accepts the risk.
pub fn resolve_in(
    spec: &str,
    scans: &[Scan],
    all_nodes: &[String],
    purpose: Purpose,
) -> Result<Target, Unresolved> {
    let name = parse_spec(spec, scans, all_nodes)?;
    let mut found = search(scans, name.node, name.db);
    let unknown_node = unknown_node(&name, all_nodes);
    refuse_unsearched(&name, purpose, &found, unknown_node.as_deref())?;
    let db = name.db;
    match found.hits.len() {
        1 => Ok(Target {
            link: found.hits.remove(0),
            db: db.to_string(),
        }),
        0 => Err(not_found(&name, scans, &found, unknown_node, purpose)),
        _ => {
            let both: Vec<String> = found
                .hits
                .iter()
                .map(|l| format!("{}/{db}", l.name()))
                .collect();
            Err(Unresolved::Input(format!(
                "tenant {db:?} exists on several nodes: {}; name one as NODE/TENANT",
                both.join(", ")
            )))
        }
    }
}

/// A `TENANT` / `NODE/TENANT` argument taken apart.
#[derive(Clone, Copy)]
struct Name<'a> {
    /// As typed.
    spec: &'a str,
    /// The NODE part, when it names a selected node.
    node: Option<&'a str>,
    /// The database name.
    db: &'a str,
}

/// Checks the argument and splits off a NODE part that names a selected node
/// (a NODE of the inventory that is not selected is an error).
fn parse_spec<'a>(
    spec: &'a str,
    scans: &[Scan],
    all_nodes: &[String],
) -> Result<Name<'a>, Unresolved> {
    check_name(spec).map_err(|e| Unresolved::Input(e.message()))?;
    let links: Vec<Arc<NodeLink>> = scans.iter().map(|s| s.link.clone()).collect();
    let (node, db) = split_spec(spec, &links);
    if node.is_none() {
        if let Some((n, _)) = spec.split_once('/') {
            if all_nodes.iter().any(|a| a == n) {
                return Err(Unresolved::Input(format!(
                    "node {n:?} is not among the selected nodes (--node/--label)"
                )));
            }
        }
    }
    check_name(db).map_err(|e| Unresolved::Input(e.message()))?;
    Ok(Name { spec, node, db })
}

/// What the scans of the nodes (of `node`, when named) say about `db`.
struct Search<'a> {
    /// The nodes that hold it.
    hits: Vec<Arc<NodeLink>>,
    /// Why nodes could not be searched.
    errors: Vec<String>,
    /// Every node that could not be searched refused us at the SSH level.
    all_refused: bool,
    /// Every candidate name seen (for "did you mean").
    names: Vec<&'a str>,
    /// The nodes that could not be searched.
    down: Vec<&'a str>,
    /// How many nodes were to be searched.
    searched: usize,
}

fn search<'a>(scans: &'a [Scan], node: Option<&str>, db: &str) -> Search<'a> {
    let mut hits = Vec::new();
    let mut errors = Vec::new();
    let mut all_refused = true;
    let mut names: Vec<&str> = Vec::new();
    let mut down: Vec<&str> = Vec::new();
    let mut searched = 0;
    for s in scans
        .iter()
        .filter(|s| node.is_none_or(|n| s.link.name() == n))
    {
        searched += 1;
        all_refused &= s.result.is_ok() || s.refused;
        match &s.result {
            Ok(cands) => {
                for c in cands {
                    if c.name == db {
                        hits.push(s.link.clone());
                    }
                    names.push(&c.name);
                }
            }
            Err(e) => {
                errors.push(e.clone());
                down.push(s.link.name());
            }
        }
    }
    Search {
        hits,
        errors,
        all_refused,
        names,
        down,
        searched,
    }
}

/// NODE/TENANT whose NODE is no node (a database name may hold a `/`, so
/// it is also looked up as a whole): the message saying so.
fn unknown_node(name: &Name, all_nodes: &[String]) -> Option<String> {
    let Name { spec, node, .. } = *name;
    (node.is_none())
        .then(|| spec.split_once('/'))
        .flatten()
        .map(|(n, _)| {
            let close = closest(n, all_nodes);
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!("; closest: {}", close.join(", "))
            };
            format!(
                "unknown node {n:?} in {spec:?} (nodes: {}){hint}",
                all_nodes.join(", ")
            )
        })
}

/// An unqualified name while some nodes could not be searched: refused for
/// a write, skipped by `--skip-unreachable` when it is on no reachable node.
fn refuse_unsearched(
    name: &Name,
    purpose: Purpose,
    found: &Search,
    unknown_node: Option<&str>,
) -> Result<(), Unresolved> {
    let Name { node, db, .. } = *name;
    let Search {
        hits,
        errors,
        all_refused,
        down,
        ..
    } = found;
    let write = purpose.write();
    if let (true, Some(m), false) = (write && hits.is_empty(), &unknown_node, errors.is_empty()) {
        return Err(Unresolved::Input(format!(
            "{m}; as a database name it is refused while some nodes could not be searched: {}. Nothing changed",
            errors.join("; ")
        )));
    }
    match purpose {
        _ if node.is_some() || errors.is_empty() => {}
        // No node answered: naming one would not help.
        Purpose::Write if down.len() == found.searched => {
            return Err(Unresolved::Unreachable(format!(
                "{db:?}: no node could be searched: {}. Nothing changed",
                errors.join("; ")
            )));
        }
        Purpose::Write => {
            return Err(Unresolved::Refused(format!(
                "refusing to act on the unqualified name {db:?} while {} could not be searched (the tenant may be there): {}; name it as NODE/TENANT. Nothing changed",
                nodes_phrase(down),
                errors.join("; ")
            )));
        }
        // The nodes' errors are said once for the run (bulk), not per line.
        Purpose::Bulk => {
            let found = match hits.as_slice() {
                [] => "the tenant may be there".to_string(),
                hs => format!(
                    "found on {}, it may be there too",
                    nodes_phrase(&hs.iter().map(|l| l.name()).collect::<Vec<_>>())
                ),
            };
            return Err(Unresolved::Refused(format!(
                "refusing to act on the unqualified name {db:?} while {} could not be searched ({found}): name it as NODE/TENANT, or pass --skip-unreachable if tenant names are unique across the fleet (`tenantctl check` reports names on several nodes). Nothing changed",
                nodes_phrase(down),
            )));
        }
        Purpose::BulkSkipUnreachable if hits.is_empty() && !all_refused => {
            return Err(Unresolved::Skipped(format!(
                "{db:?} is on none of the reachable nodes and {} could not be searched (--skip-unreachable)",
                nodes_phrase(down),
            )));
        }
        Purpose::Read | Purpose::BulkSkipUnreachable => {}
    }
    Ok(())
}

/// Why `db` is on none of the searched nodes.
fn not_found(
    name: &Name,
    scans: &[Scan],
    found: &Search,
    unknown_node: Option<String>,
    purpose: Purpose,
) -> Unresolved {
    let Name { spec, node, db } = *name;
    let Search {
        errors,
        all_refused,
        names,
        ..
    } = found;
    let all_refused = *all_refused;
    let skip = purpose == Purpose::BulkSkipUnreachable;
    // NODE/TENANT on a node that could not be asked: the node is the
    // matter, not the tenant.
    if node.is_some() && !errors.is_empty() {
        let n = node.unwrap_or_default();
        let msg = format!(
            "node {n:?} is unreachable, so tenant {db:?} could not be looked up: {}",
            errors.join("; ")
        );
        if all_refused {
            Unresolved::Input(msg)
        } else if skip {
            Unresolved::Skipped(format!(
                "node {n:?} is unreachable (--skip-unreachable): {}",
                errors.join("; ")
            ))
        } else {
            Unresolved::Unreachable(msg)
        }
    } else if unknown_node.is_some() {
        let mut msg = unknown_node.unwrap_or_default();
        if !errors.is_empty() {
            msg.push_str(&format!(
                "; some nodes could not be searched for a database named {spec:?}: {}",
                errors.join("; ")
            ));
        }
        Unresolved::Input(msg)
    } else if !errors.is_empty() {
        let msg = format!(
            "tenant {db:?} not found on the reachable nodes, and some nodes could not be searched: {}",
            errors.join("; ")
        );
        // Only SSH refusals (host key, authentication): fix the configuration.
        if all_refused {
            Unresolved::Input(msg)
        } else {
            Unresolved::Unreachable(msg)
        }
    } else if excluded_on(scans, node, db).is_some() {
        let (n, why) = excluded_on(scans, node, db).unwrap_or_default();
        Unresolved::Input(format!(
            "database {db:?} on node {n} is not a tenant: it is excluded by {why}"
        ))
    } else if no_access_on(scans, node, db).is_some() {
        let (n, user) = no_access_on(scans, node, db).unwrap_or_default();
        Unresolved::Input(format!(
            "database {db:?} on node {n} exists, but role {user:?} may not connect to it (no CONNECT privilege), so it is not a tenant tenantctl can reach: grant CONNECT to {user:?} or name the tenant on another node"
        ))
    } else if node.is_some() && !elsewhere(scans, node, db).is_empty() {
        // NODE/TENANT: the tenant is on other nodes.
        let n = node.unwrap_or_default();
        let on = elsewhere(scans, node, db);
        let specs: Vec<String> = on.iter().map(|o| format!("{o}/{}", esc(db))).collect();
        Unresolved::Input(format!(
            "unknown tenant {db:?} on node {n}: {} is on {} (name it as {})",
            esc(db),
            on.join(", "),
            specs.join(" or ")
        ))
    } else {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        Unresolved::Input(format!("unknown tenant {db:?}{}", did_you_mean(db, &names)))
    }
}

/// The first scanned node (of `node`, when named) whose exclude patterns
/// leave out a database named `db`: (node, which pattern).
fn excluded_on(scans: &[Scan], node: Option<&str>, db: &str) -> Option<(String, String)> {
    scans
        .iter()
        .filter(|s| node.is_none_or(|n| s.link.name() == n))
        .filter(|s| s.excluded.iter().any(|e| e == db))
        .find_map(|s| Some((s.link.name().to_string(), s.link.node.excluded_by(db)?)))
}

/// The first scanned node (of `node`, when named) that holds a database
/// named `db` the role may not CONNECT to: (node, the role).
fn no_access_on(scans: &[Scan], node: Option<&str>, db: &str) -> Option<(String, String)> {
    scans
        .iter()
        .filter(|s| node.is_none_or(|n| s.link.name() == n))
        .find(|s| s.no_access.iter().any(|e| e == db))
        .map(|s| (s.link.name().to_string(), s.link.node.user.clone()))
}

/// The scanned nodes other than `node` that hold the tenant `db`.
fn elsewhere<'a>(scans: &'a [Scan], node: Option<&str>, db: &str) -> Vec<&'a str> {
    scans
        .iter()
        .filter(|s| node.is_some_and(|n| s.link.name() != n))
        .filter(|s| {
            s.result
                .as_ref()
                .is_ok_and(|cands| cands.iter().any(|c| c.name == db))
        })
        .map(|s| s.link.name())
        .collect()
}

/// How long each other node is given, when a `NODE/TENANT` is not on
/// `NODE`, to say where the tenant is (only on that error's path).
const ELSEWHERE_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Finds the one database a `TENANT` or `NODE/TENANT` argument names.
/// On several nodes: usage error listing them. Unknown: usage error with the
/// closest names. When some nodes cannot be searched and the name is not
/// found elsewhere, the run fails (exit 1) naming them. Returns the errors of
/// nodes that could not be searched, for a warning.
pub async fn resolve_one(
    spec: &str,
    links: &[Arc<NodeLink>],
    all_nodes: &[String],
    t: &Arc<Transport>,
    purpose: Purpose,
) -> Result<(Target, Vec<String>)> {
    check_name(spec)?;
    // Only the named node is asked when the spec names one.
    let (node, _) = split_spec(spec, links);
    let search: Vec<Arc<NodeLink>> = links
        .iter()
        .filter(|l| node.is_none_or(|n| l.name() == n))
        .cloned()
        .collect();
    let scans = scan(&search, t).await;
    let unsearched: Vec<String> = scans
        .iter()
        .filter_map(|s| s.result.as_ref().err().cloned())
        .collect();
    let mut r = resolve_in(spec, &scans, all_nodes, purpose);
    // Not on the named node: the other nodes are asked, to say where it is.
    if let (Err(Unresolved::Input(_)), Some(n), [only]) = (&r, node, scans.as_slice()) {
        if only.result.is_ok() && links.len() > 1 {
            let others: Vec<Arc<NodeLink>> =
                links.iter().filter(|l| l.name() != n).cloned().collect();
            let mut all = scans;
            all.extend(scan_within(&others, t, Some(ELSEWHERE_WITHIN)).await);
            r = resolve_in(spec, &all, all_nodes, purpose);
        }
    }
    match r {
        Ok(t) => Ok((t, unsearched)),
        Err(Unresolved::Input(m)) => Err(Error::target(anyhow!(m))),
        Err(Unresolved::Refused(m)) => Err(Error::Refused(m)),
        Err(Unresolved::Unreachable(m) | Unresolved::Skipped(m)) => {
            Err(Error::Unreachable(anyhow!(m)))
        }
    }
}

/// Up to three names closest to `name` (edit distance, a swap of two
/// letters one edit, case ignored), for "did you mean".
pub fn closest(name: &str, names: &[String]) -> Vec<String> {
    let limit = (name.chars().count() / 2).max(2);
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (strsim::damerau_levenshtein(&lower, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// The "did you mean" of an unknown `name` among `names`, to append to the
/// message (empty when nothing is close): the one name it is a prefix of
/// (case ignored; only suggested, never acted on), else the names it is a
/// prefix of and the closest ones, at most three. Names are escaped.
pub(crate) fn did_you_mean(name: &str, names: &[String]) -> String {
    let lower = name.to_lowercase();
    let mut longer: Vec<&String> = names
        .iter()
        .filter(|n| n.as_str() != name && n.to_lowercase().starts_with(&lower))
        .collect();
    longer.sort();
    longer.dedup();
    if let [only] = longer.as_slice() {
        return format!(
            "; did you mean {}? (the only name starting with {}; names are never completed)",
            esc(only),
            esc(name)
        );
    }
    let mut close: Vec<String> = longer.into_iter().cloned().collect();
    for c in closest(name, names) {
        if !close.contains(&c) {
            close.push(c);
        }
    }
    close.truncate(3);
    if close.is_empty() {
        String::new()
    } else {
        let close: Vec<String> = close.iter().map(|c| esc(c).into_owned()).collect();
        format!("; closest: {}", close.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn closest_names() {
        let names: Vec<String> = ["acme", "acne", "globex", "initech"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("acmee", &names), vec!["acme", "acne"]);
        assert_eq!(
            closest("gloebx", &names),
            vec!["globex"],
            "a swap is one edit"
        );
        assert!(closest("zzzzzzzzzz", &names).is_empty());
    }
    #[test]
    fn did_you_mean_prefix_and_escapes() {
        let names: Vec<String> = ["wayne-enterprises", "acme", "acme-eu", "evil\u{1b}[2J"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            did_you_mean("Wayne", &names),
            "; did you mean wayne-enterprises? (the only name starting with Wayne; names are never completed)"
        );
        assert_eq!(did_you_mean("acm", &names), "; closest: acme, acme-eu");
        assert_eq!(did_you_mean("evil", &names), "; did you mean evil\\x1b[2J? (the only name starting with evil; names are never completed)");
        assert_eq!(did_you_mean("zzzzzzzz", &names), "");
    }
    #[test]
    fn names() {
        assert!(check_name("").is_err());
        assert!(check_name("a\0b").is_err());
        assert!(check_name(&"x".repeat(10_000)).is_err());
        assert!(check_name("Ténant \"q\"; x").is_ok());
    }
}
