//! Command-line options and the shape of a benchmark tenant.

#![allow(unused_imports)]
use super::*;

pub(crate) fn bench_spec() -> TenantSpec {
    TenantSpec {
        odoo_major: 16,
        internal_users: 150,
        portal_users: 100,
        archived_users: 20,
        ..Default::default()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Opts {
    pub(crate) nodes: usize,
    pub(crate) tenants: usize,
    pub(crate) runs: usize,
    pub(crate) psql_runs: usize,
    pub(crate) scales: Vec<usize>,
    /// Scales at which the psql loop runs (it is 10x slower and linear).
    pub(crate) psql_scales: Vec<usize>,
    pub(crate) ssh: bool,
    pub(crate) breakdown: bool,
    pub(crate) data_dir: Option<PathBuf>,
    /// One-way delays (ms) of the latency section (empty: not measured).
    pub(crate) latency_ms: Vec<u64>,
    /// Only the latency section (and the set-up it needs).
    pub(crate) latency_only: bool,
    /// The sequential psql loop runs at delays up to this one (ms): at 25 ms
    /// it needs minutes per operation.
    pub(crate) psql_max_delay_ms: u64,
    /// Real-sized tenants on node 1 and their section.
    pub(crate) sized: bool,
    /// Only the lifecycle section (create, duplicate, backup; lifecycle.rs).
    pub(crate) lifecycle: bool,
    /// Another tenantctl binary (an older build) whose `list` and `bulk
    /// suspend`/`reactivate` run in the same runs, side by side.
    pub(crate) baseline: Option<PathBuf>,
}

pub(crate) const USAGE: &str =
    "usage: cargo bench --bench fleet -- [--nodes K] [--tenants N] [--runs R] \
[--scale 1,2,4] [--psql-runs R] [--psql-scales 1,2] [--no-ssh] [--no-breakdown] [--data-dir DIR] \
[--latency 0,5,25] [--latency-only] [--psql-max-delay MS] [--sized] [--lifecycle] [--baseline BIN]";

pub(crate) fn scale_list(v: Option<&String>, name: &str) -> Result<Vec<usize>, String> {
    let v = v.ok_or_else(|| format!("{name} needs a value"))?;
    let mut l = v
        .split(',')
        .map(|s| s.trim().parse::<usize>().ok().filter(|n| *n > 0))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| format!("{name} {v:?}: expected e.g. 1,2,4"))?;
    l.sort_unstable();
    l.dedup();
    Ok(l)
}

pub(crate) fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        nodes: 4,
        tenants: 1000,
        runs: 3,
        psql_runs: 0,
        scales: vec![1],
        psql_scales: vec![],
        ssh: true,
        breakdown: true,
        data_dir: None,
        latency_ms: vec![],
        latency_only: false,
        psql_max_delay_ms: 5,
        sized: false,
        lifecycle: false,
        baseline: None,
    };
    let mut psql_runs = None;
    let mut psql_scales = None;
    let mut it = args.iter();
    let num = |v: Option<&String>, name: &str| -> Result<usize, String> {
        v.ok_or_else(|| format!("{name} needs a value"))?
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name}: expected a positive number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--nodes" => o.nodes = num(it.next(), a)?,
            "--tenants" => o.tenants = num(it.next(), a)?,
            "--runs" => o.runs = num(it.next(), a)?,
            "--psql-runs" => psql_runs = Some(num(it.next(), a)?),
            "--scale" => o.scales = scale_list(it.next(), a)?,
            "--psql-scales" => psql_scales = Some(scale_list(it.next(), a)?),
            "--no-ssh" => o.ssh = false,
            "--no-breakdown" => o.breakdown = false,
            "--latency" => {
                let v = it.next().ok_or("--latency needs a value")?;
                o.latency_ms = v
                    .split(',')
                    .map(|s| s.trim().parse::<u64>().ok())
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| format!("--latency {v:?}: expected e.g. 0,5,25"))?;
                o.latency_ms.sort_unstable();
                o.latency_ms.dedup();
            }
            "--latency-only" => o.latency_only = true,
            "--sized" => o.sized = true,
            "--lifecycle" => o.lifecycle = true,
            "--psql-max-delay" => {
                o.psql_max_delay_ms = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--psql-max-delay needs a number of ms")?
            }
            "--data-dir" => {
                o.data_dir = Some(PathBuf::from(it.next().ok_or("--data-dir needs a value")?))
            }
            "--baseline" => {
                let b = PathBuf::from(it.next().ok_or("--baseline needs a tenantctl binary")?);
                if !b.is_file() {
                    return Err(format!("--baseline {}: no such file", b.display()));
                }
                o.baseline = Some(b)
            }
            // cargo bench passes --bench to harness = false targets
            "--bench" => {}
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if o.latency_only && o.latency_ms.is_empty() {
        o.latency_ms = vec![0, 5, 25];
    }
    if !o.latency_ms.is_empty() && o.latency_ms[0] != 0 {
        // The floor adds the loopback time: 0 ms is always measured.
        o.latency_ms.insert(0, 0);
    }
    if o.sized && o.tenants < 4 * o.nodes {
        return Err("--sized needs at least 4 tenants per node".into());
    }
    if o.tenants < o.nodes {
        return Err("--tenants must be at least --nodes".into());
    }
    // The psql loop is ~10x slower than tenantctl and linear in the tenants:
    // by default one run, at the first size only.
    o.psql_runs = psql_runs.unwrap_or(1).min(o.runs);
    o.psql_scales = psql_scales.unwrap_or_else(|| o.scales[..1].to_vec());
    Ok(o)
}
