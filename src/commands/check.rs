//! `tenantctl check`: a smoke check of every selected node for CI and
//! monitoring. Changes nothing.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tokio::task::JoinSet;

use super::Ctx;
use crate::config::Output;
use crate::error::{Result, EXIT_FAILED, EXIT_OK, EXIT_PARTIAL};
use crate::odoo::check::{self, TenantCheck};
use crate::odoo::lifecycle as lc;
use crate::odoo::{guard, neutralize, suspension, users};

/// The tables the write commands touch: passwd, suspend/reactivate (with
/// their layers), a duplicate's identity step (with the tables of every
/// module's neutralization), and the signaling tables of
/// 19+ (a table a tenant lacks matches nothing).
fn checked_tables() -> Vec<&'static str> {
    let mut t: Vec<&'static str> = users::WRITTEN_TABLES
        .iter()
        .chain(&suspension::WRITTEN_TABLES)
        .chain(&lc::WRITTEN_TABLES)
        .chain(&["orm_signaling_default", "orm_signaling_stable"])
        .copied()
        .chain(neutralize::all_tables())
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// The commands that refuse while something is on `table`.
fn refused_by(table: &str) -> String {
    let signal = table.starts_with("orm_signaling_");
    let mut c = Vec::new();
    if users::WRITTEN_TABLES.contains(&table) || signal {
        c.push("passwd");
    }
    if suspension::WRITTEN_TABLES.contains(&table) || signal {
        c.push("suspend, reactivate");
    }
    if lc::WRITTEN_TABLES.contains(&table) {
        c.push("duplicate");
    } else if neutralize::all_tables().contains(&table) {
        c.push("duplicate --neutralize");
    }
    if table == "ir_config_parameter" {
        c.push("rename");
    }
    c.join(", ")
}
use crate::output::{csv_line, out, out_json, Col, Tint};
use crate::targets::node_candidates;
use crate::transport::{NodeLink, Transport, Via};

#[derive(Debug, Clone, Serialize)]
pub struct NodeCheck {
    pub node: String,
    pub via: Via,
    pub address: String,
    pub ok: bool,
    pub reachable: bool,
    pub authenticated: bool,
    pub server_version: Option<String>,
    pub role: Option<String>,
    pub superuser: Option<bool>,
    /// Time to open a connection (TCP/TLS/auth), milliseconds.
    pub connect_ms: Option<f64>,
    /// Best of three `SELECT 1` round trips, milliseconds.
    pub latency_ms: Option<f64>,
    /// Odoo tenants found; null when the node could not be asked.
    pub tenants: Option<usize>,
    /// Their names, for the completion cache (None: the node was not listed).
    #[serde(skip)]
    pub tenant_names: Option<Vec<String>>,
    /// Every database an unqualified name may resolve to (the node's
    /// candidates), for names found on several nodes.
    #[serde(skip)]
    pub candidates: Vec<String>,
    pub problems: Vec<String>,
}

pub async fn run(ctx: &Ctx) -> Result<u8> {
    let mut set = JoinSet::new();
    for (i, link) in ctx.links.iter().enumerate() {
        let link = link.clone();
        let t = ctx.transport.clone();
        set.spawn(async move { (i, check_node(&link, &t).await) });
    }
    let mut results: Vec<(usize, NodeCheck)> = Vec::new();
    // A panicked task never drops the results of the others.
    while let Some(j) = set.join_next().await {
        match j {
            Ok(r) => results.push(r),
            Err(e) => ctx.printer.error(format!("check: internal error: {e}")),
        }
    }
    results.sort_by_key(|(i, _)| *i);
    let mut nodes: Vec<NodeCheck> = results.into_iter().map(|(_, n)| n).collect();
    same_names(&mut nodes);
    ctx.remember_tenants(
        nodes
            .iter()
            .filter_map(|n| {
                let names = n.tenant_names.clone()?;
                Some((n.node.clone(), crate::tenant_cache::Learnt::All(names)))
            })
            .collect(),
    );
    print(ctx, &nodes);
    for n in nodes.iter().filter(|n| n.superuser == Some(true)) {
        ctx.printer.warn(format!(
            "node {}: connected as superuser {}: a trigger or function a tenant puts on its tables would run with superuser rights if tenantctl wrote with --allow-triggers, and a mistake has no limit; least privilege: use a role with only the grants in docs/security.md (\"Least privilege\")",
            n.node,
            n.role.as_deref().unwrap_or("?")
        ));
    }
    let bad = nodes.iter().filter(|n| !n.ok).count();
    Ok(if bad == 0 {
        EXIT_OK
    } else if bad == nodes.len() {
        EXIT_FAILED
    } else {
        EXIT_PARTIAL
    })
}

/// A tenant name on several of the nodes checked is a problem of each of
/// them: an unqualified name is then ambiguous, and `bulk
/// --skip-unreachable` (act where found while a node is down) relies on
/// names unique across the fleet. A clean `check` of every node proves it.
fn same_names(nodes: &mut [NodeCheck]) {
    let mut on: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for n in nodes.iter() {
        for db in &n.candidates {
            on.entry(db.as_str()).or_default().push(n.node.as_str());
        }
    }
    let mut found: Vec<(String, String)> = Vec::new();
    for (db, where_) in on.iter().filter(|(_, v)| v.len() > 1) {
        for n in where_ {
            let others: Vec<&str> = where_.iter().copied().filter(|o| o != n).collect();
            found.push((
                n.to_string(),
                format!(
                    "tenant name {db:?} is also on node{} {}: a name without its node is ambiguous, and bulk --skip-unreachable needs names unique across the fleet (name it as NODE/TENANT, or rename one)",
                    if others.len() == 1 { "" } else { "s" },
                    others.join(", ")
                ),
            ));
        }
    }
    for (node, problem) in found {
        if let Some(n) = nodes.iter_mut().find(|n| n.node == node) {
            n.problems.push(problem);
            n.ok = false;
        }
    }
}

async fn check_node(link: &Arc<NodeLink>, t: &Arc<Transport>) -> NodeCheck {
    let mut c = NodeCheck {
        node: link.name().to_string(),
        via: link.via,
        address: link.node.address(),
        ok: false,
        reachable: false,
        authenticated: false,
        server_version: None,
        role: None,
        superuser: None,
        connect_ms: None,
        latency_ms: None,
        tenants: None,
        tenant_names: None,
        candidates: vec![],
        problems: vec![],
    };
    let t0 = Instant::now();
    let conn = match link.connect(&link.node.maintenance_db, t).await {
        Ok(conn) => conn,
        Err(e) => {
            let msg = format!("{e:#}");
            // SQLSTATE class 28: the server answered and refused the login.
            c.reachable = msg.contains("(SQLSTATE 28");
            c.problems.push(format!("connect: {msg}"));
            return c;
        }
    };
    c.connect_ms = Some(ms(t0));
    c.reachable = true;
    c.authenticated = true;
    server_facts(&conn, &mut c).await;
    leftovers(link, &conn, &mut c.problems).await;
    drop(conn);
    let cands = match node_candidates(link, t, crate::odoo::probe::Sizes::Without).await {
        Ok(v) => v,
        Err(e) => {
            c.problems.push(format!("{e:#}"));
            return c;
        }
    };
    c.candidates = cands.iter().map(|c| c.name.clone()).collect();
    let mut set = JoinSet::new();
    for cand in cands {
        let link = link.clone();
        let t = t.clone();
        set.spawn(async move {
            let r = check_tenant(&link, &t, &cand).await;
            (cand.name, r)
        });
    }
    gather_tenants(set, &mut c).await;
    c.ok = c.problems.is_empty();
    c
}

/// The server's version, our role and whether it is a superuser, and the
/// best of three round trips.
async fn server_facts(conn: &crate::transport::Conn, c: &mut NodeCheck) {
    match check::node_info(conn).await {
        Ok(info) => {
            c.server_version = Some(info.server_version);
            c.role = Some(info.user);
            c.superuser = Some(info.superuser);
        }
        Err(e) => c.problems.push(format!("{e:#}")),
    }
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t1 = Instant::now();
        if conn.simple_query("SELECT 1").await.is_ok() {
            best = best.min(ms(t1));
        }
    }
    c.latency_ms = (best < f64::MAX).then_some(best);
}

/// One database of the node: whether it is a tenant, and its problems.
async fn check_tenant(
    link: &NodeLink,
    t: &Transport,
    cand: &crate::odoo::probe::Candidate,
) -> anyhow::Result<TenantCheck> {
    if cand.blocked.is_some() || cand.upgrading.is_some() {
        // Suspended with the connections layer, or blocked while an
        // upgrade works (a killed one is said by `pending_steps`):
        // nothing to connect to, by design.
        return anyhow::Ok(TenantCheck::Ok);
    }
    let conn = link.connect(&cand.name, t).await?;
    // What the tenant put on the tables tenantctl writes: the
    // writes refuse while it is there (see odoo::guard). Looked
    // at first: the privilege probe runs the writes' statements
    // (matching no row), and PostgreSQL fires statement-level
    // triggers even for zero rows, with our privileges; a
    // rollback does not undo what such a trigger does outside
    // the database (COPY ... TO PROGRAM, dblink).
    let found = guard::findings(&conn.client, &checked_tables()).await?;
    let c = if found.is_empty() {
        let c = check::tenant(&conn).await?;
        // (The privilege probe may have left its transaction aborted.)
        let _ = conn.client.simple_query("ROLLBACK").await;
        c
    } else {
        match crate::odoo::probe::summary(&conn.client).await? {
            crate::odoo::probe::Probe::NotOdoo => TenantCheck::NotOdoo,
            _ => TenantCheck::Problems(vec![
                "privileges not probed: the probe would run the writes' statements with the objects below on their tables"
                    .into(),
            ]),
        }
    };
    if c == TenantCheck::NotOdoo {
        return Ok(c);
    }
    let mut problems = match c {
        TenantCheck::Problems(p) => p,
        _ => vec![],
    };
    problems.extend(found.iter().map(|f| {
        format!(
            "{f}: {} refuse unless --allow-triggers",
            refused_by(&f.table)
        )
    }));
    problems.extend(drift(&conn).await?);
    // `health` reads more of the tenant (read-only, outside the probe's
    // transaction: a statement for a table or column this version lacks is
    // n/a there, and would abort a transaction); what it may not read is a
    // problem here, as health reports that tenant as not checked.
    let th = crate::model::Health::default();
    // Every statement health may send, the held jobs' among them.
    if let Err(e) = crate::odoo::health::read(&conn.client, conn.deadline, &th, true).await {
        problems.push(format!("health: {e:#}"));
    }
    anyhow::Ok(if problems.is_empty() {
        TenantCheck::Ok
    } else {
        TenantCheck::Problems(problems)
    })
}

/// The tenants' answers into the node's check: their count, their names
/// (when every database answered) and their problems.
async fn gather_tenants(
    mut set: JoinSet<(String, anyhow::Result<TenantCheck>)>,
    c: &mut NodeCheck,
) {
    let mut problems = Vec::new();
    let mut tenants = 0;
    let mut names = Vec::new();
    let mut all_answered = true;
    while let Some(joined) = set.join_next().await {
        let (db, r) = match joined {
            Ok(x) => x,
            Err(e) => {
                problems.push(format!("internal error: {e}"));
                all_answered = false;
                continue;
            }
        };
        match r {
            Ok(TenantCheck::Ok) => {
                tenants += 1;
                names.push(db);
            }
            Ok(TenantCheck::NotOdoo) => {}
            Ok(TenantCheck::Problems(p)) => {
                tenants += 1;
                names.push(db.clone());
                problems.extend(p.into_iter().map(|p| format!("database {db:?}: {p}")));
            }
            Err(e) => {
                problems.push(format!("database {db:?}: {e:#}"));
                all_answered = false;
            }
        }
    }
    problems.sort();
    c.tenants = Some(tenants);
    // Only a node whose every database answered replaces its cached names
    // (a database that failed may well be a tenant).
    c.tenant_names = all_answered.then_some(names);
    c.problems.extend(problems);
}

/// What killed lifecycle runs left on the node: staging databases
/// (`NAME.creating-<hex>`) provably left (their run is gone), recorded on
/// another host more than a day ago, or with no record; and the local
/// records of filestore steps waiting for the next lifecycle command. A
/// build in progress is not a problem.
async fn leftovers(link: &NodeLink, conn: &crate::transport::Conn, problems: &mut Vec<String>) {
    use crate::ops::lifecycle::{leftover, pending_steps, Leftover};
    let rows = match crate::odoo::lifecycle::creating(&conn.client, conn.deadline).await {
        Ok(rows) => rows,
        Err(e) => {
            problems.push(format!("looking for databases left by killed runs: {e:#}"));
            return;
        }
    };
    for (db, comment) in rows {
        match leftover(link, &db, comment.as_deref()) {
            Leftover::Killed { pid, .. } => problems.push(format!(
                "database {db:?} was left by a tenantctl run that was killed (pid {pid}); \
                 the next lifecycle command on the node (create, duplicate, restore, rename, drop, undrop, purge) removes it"
            )),
            Leftover::Live => {}
            Leftover::Elsewhere { host, at } => {
                let old = at
                    .as_deref()
                    .and_then(|a| humantime::parse_rfc3339_weak(a).ok())
                    .and_then(|t| t.elapsed().ok())
                    .is_none_or(|age| age > std::time::Duration::from_secs(86400));
                if old {
                    problems.push(format!(
                        "database {db:?} has been built by tenantctl on {host:?} since {} (or was left by a run killed there, \
                         which the next lifecycle command on the node from that host removes)",
                        at.as_deref().unwrap_or("an unknown time")
                    ));
                }
            }
            Leftover::Unrecorded => problems.push(format!(
                "database {db:?} is named like a database tenantctl builds but carries no record of it; \
                 drop it by hand if no tenantctl run is making it"
            )),
        }
    }
    problems.extend(pending_steps(link));
    match crate::odoo::loader::stale_loaders(&conn.client, conn.deadline).await {
        Ok(roles) => problems.extend(roles.into_iter().map(|r| {
            format!(
                "role {r:?} is a temporary loader role of a tenantctl restore that ran over an hour ago \
                 (killed before it dropped it?); the next lifecycle command on the node from the host that ran it \
                 drops it, or drop it by hand: DROP OWNED BY {r}; DROP ROLE {r}"
            )
        })),
        Err(e) => problems.push(format!("looking for loader roles left by killed restores: {e:#}")),
    }
}

/// A tenant marked suspended with something of a recorded layer active
/// again (a user switched on by hand, a job re-enabled by a module update),
/// or a tenant not marked suspended whose users are all archived.
async fn drift(conn: &crate::transport::Conn) -> anyhow::Result<Vec<String>> {
    use crate::odoo::{layers, suspension};
    let st = suspension::state(&conn.client).await?;
    let (active, _) = suspension::observed(&conn.client, conn.deadline).await?;
    if !st.suspended() {
        return Ok(if active.is_empty() {
            vec!["drift: not suspended, but every user is archived".into()]
        } else {
            vec![]
        });
    }
    let mut out = Vec::new();
    if !active.is_empty() {
        out.push(format!("users {active:?} are active"));
    }
    let tables = layers::tables(&conn.client, conn.deadline).await?;
    out.extend(
        layers::strays(
            &conn.client,
            &tables,
            st.layers(),
            &st.mail_record(),
            conn.deadline,
        )
        .await?,
    );
    Ok(out
        .into_iter()
        .map(|d| format!("drift: suspended, but {d}; `tenantctl suspend` switches them off again"))
        .collect())
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

fn print(ctx: &Ctx, nodes: &[NodeCheck]) {
    let p = &ctx.printer;
    // -q: one line per problem, nothing else (for CI logs).
    if p.quiet {
        for n in nodes {
            for pr in &n.problems {
                p.error(format!("node {} ({}): {pr}", n.node, n.address));
            }
        }
        return;
    }
    match p.format {
        Output::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                nodes: &'a [NodeCheck],
            }
            out_json(&Doc { nodes });
        }
        Output::Csv => {
            p.csv_header(&[
                "node",
                "via",
                "ok",
                "server_version",
                "connect_ms",
                "latency_ms",
                "tenants",
                "problems",
            ]);
            for n in nodes {
                out(&csv_line(&[
                    n.node.clone(),
                    n.via.to_string(),
                    n.ok.to_string(),
                    n.server_version.clone().unwrap_or_default(),
                    n.connect_ms.map(|v| v.to_string()).unwrap_or_default(),
                    n.latency_ms.map(|v| v.to_string()).unwrap_or_default(),
                    n.tenants.map(|t| t.to_string()).unwrap_or_default(),
                    n.problems.join("; "),
                ]));
            }
        }
        Output::Table => {
            let mut t = p.table(&[
                Col::key("NODE"),
                Col::key("VIA"),
                Col::key("STATUS"),
                Col::free("POSTGRES"),
                Col::key("CONNECT"),
                Col::key("LATENCY"),
                Col::key("TENANTS"),
                Col::key("PROBLEMS"),
                Col::key("ADDRESS").wide(),
                Col::key("ROLE").wide(),
            ]);
            for n in nodes {
                let status = if n.ok {
                    "ok"
                } else if !n.reachable {
                    "unreachable"
                } else if !n.authenticated {
                    "auth failed"
                } else {
                    "problems"
                };
                let tint = if n.ok { Tint::Green } else { Tint::Red };
                let ms = |v: Option<f64>| v.map(precise_ms).unwrap_or_else(|| "-".into());
                let plain = |s: String| (s, None);
                t.row_tinted([
                    plain(n.node.clone()),
                    plain(n.via.to_string()),
                    (status.to_string(), Some(tint)),
                    plain(n.server_version.clone().unwrap_or_else(|| "-".into())),
                    plain(ms(n.connect_ms)),
                    plain(ms(n.latency_ms)),
                    plain(n.tenants.map_or_else(|| "-".into(), |t| t.to_string())),
                    plain(n.problems.len().to_string()),
                    plain(n.address.clone()),
                    plain(n.role.clone().unwrap_or_else(|| "-".into())),
                ]);
            }
            p.print_table(&t);
            for n in nodes {
                for pr in &n.problems {
                    p.error(format!("node {} ({}): {pr}", n.node, n.address));
                }
            }
        }
    }
}

/// Milliseconds with two significant digits or more: `0.087 ms`, `1.4 ms`,
/// `23 ms` (a loopback round trip is well under 0.1 ms).
fn precise_ms(v: f64) -> String {
    if v < 1.0 {
        format!("{v:.3} ms")
    } else if v < 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}
