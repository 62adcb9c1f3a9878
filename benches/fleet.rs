//! Fleet benchmark (issue 6): tenantctl against the psql loop it replaces and
//! against the floor, side by side in one run.
//!
//!     cargo bench --bench fleet -- --nodes 4 --tenants 1000 --runs 3 --scale 1,2,4
//!
//! Sets up `--nodes` throwaway PostgreSQL clusters with `--tenants` Odoo-shaped
//! tenants in all (the integration tests' harness and fixtures; tenants are
//! `CREATE DATABASE .. TEMPLATE` clones of one fixture tenant per node), then
//! measures wall time (median of `--runs`), peak RSS (wait4), client CPU and
//! server CPU of:
//!
//! - `tenantctl list -o json` over all nodes;
//! - `tenantctl bulk suspend --all-matching --yes`, then `bulk reactivate`;
//! - the same `list` with every node behind an SSH tunnel to a local sshd;
//! - `tenantctl passwd` (one hash, 600000 rounds) against Python passlib;
//! - `tenantctl --help`;
//!
//! next to the psql loop (`benches/psql-loop.sh`: one psql per database,
//! sequential) and the floor: this binary re-run as the smallest possible
//! client (tokio-postgres, one connection per tenant database at tenantctl's
//! concurrency, `SELECT 1`). It prints Markdown tables on stdout (progress on
//! stderr). Timings are reported, never asserted. Everything it starts
//! (clusters, sshd) is stopped and removed at the end, also on a panic.
//!
//! Flags: --nodes K (4), --tenants N (1000), --runs R (3), --scale 1,2,4 (1),
//! --psql-runs R (1), --psql-scales 1,2 (the first of --scale), --no-ssh,
//! --no-breakdown (skips the extra rows of "where the time goes"),
//! --data-dir DIR (default: /dev/shm when the largest size fits in a third
//! of it, else /tmp). `scripts/bench.sh` installs what a fresh machine lacks
//! and runs the README's command. Needs root for the SSH rows (sshd logs in
//! the current user); PostgreSQL then runs as the `postgres` OS user.

#![allow(dead_code)]

#[path = "../tests/integration/fixtures.rs"]
mod fixtures;
#[path = "../tests/integration/harness.rs"]
mod harness;

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fixtures::TenantSpec;
use harness::{quote_ident, toml_string, Cluster, Sshd, PASSWORD_ENV, SUPERUSER_PASSWORD};

/// tenantctl's defaults, which the floor copies: `--concurrency` and the
/// per-node `max_connections`.
const CONCURRENCY: usize = 32;
const NODE_MAX_CONNECTIONS: usize = 8;
/// Bound on any one measured command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Password used for `passwd` (policy: at least 8 characters).
const NEW_PASSWORD: &str = "bench-Pass-2026";
/// Rough disk use of one cloned tenant (PostgreSQL 15 catalogs + fixture data
/// + WAL), to choose where the clusters live.
const BYTES_PER_TENANT: u64 = 9 << 20;

/// Python passlib hashing one password as Odoo 16+ does, end to end; prints
/// the time of the hash alone and passlib's PBKDF2 backend.
const PASSLIB_SCRIPT: &str = "import sys, time
from passlib.hash import pbkdf2_sha512
from passlib.crypto.digest import PBKDF2_BACKENDS
pw = sys.stdin.readline().rstrip('\\n')
t1 = time.perf_counter()
h = pbkdf2_sha512.using(rounds=600000).hash(pw)
t2 = time.perf_counter()
assert h.startswith('$pbkdf2-sha512$600000$')
print(f'hash_s={t2 - t1:.6f} backend={PBKDF2_BACKENDS[0]}')
";

/// tenantctl's node listing (src/odoo/probe.rs CANDIDATES_SQL).
const CANDIDATES_SQL: &str = "SELECT datname, CASE WHEN has_database_privilege(oid, 'CONNECT') \
     THEN pg_database_size(oid) END \
     FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname";

/// tenantctl's per-tenant list query (src/odoo/probe.rs SUMMARY_SQL).
const LIST_SQL: &str = "SELECT \
     (SELECT latest_version FROM ir_module_module WHERE name = 'base'), \
     u.internal, u.portal, \
     (SELECT to_char(max(create_date), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM res_users_log), \
     (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended'), \
     (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_at'), \
     (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_reason') \
     FROM (SELECT count(*) FILTER (WHERE active AND NOT share AND id <> 1) AS internal, \
                  count(*) FILTER (WHERE active AND share AND id <> 1) AS portal \
           FROM res_users) u";

/// tenantctl's suspension (lock, state, switch users off and record them,
/// commit, cache signal) as one multi-statement simple query: one round trip.
const SUSPEND_SQL_ONE_TRIP: &str = "BEGIN;
SELECT pg_advisory_xact_lock(127970544626804);
WITH st AS (SELECT coalesce((SELECT value = 'true' FROM ir_config_parameter WHERE key = 'tenant.suspended'), false) AS suspended),
off AS (UPDATE res_users SET active = false WHERE active AND id <> 1 AND NOT (SELECT suspended FROM st) RETURNING id)
INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc'
FROM unnest(ARRAY['tenant.suspended', 'tenant.suspended_reason', 'tenant.suspended_at', 'tenant.suspended_by', 'tenant.suspended_user_ids'],
            ARRAY['true', 'bench: floor', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'bench@localhost',
                  (SELECT coalesce(json_agg(id ORDER BY id), '[]')::text FROM off)]) AS p(k, v)
WHERE NOT (SELECT suspended FROM st)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date;
COMMIT;
SELECT nextval('base_cache_signaling');";

/// tenantctl's reactivation as one multi-statement simple query.
const REACTIVATE_SQL_ONE_TRIP: &str = "BEGIN;
SELECT pg_advisory_xact_lock(127970544626804);
WITH st AS (SELECT coalesce((SELECT value = 'true' FROM ir_config_parameter WHERE key = 'tenant.suspended'), false) AS suspended),
switched_on AS (UPDATE res_users SET active = true WHERE (SELECT suspended FROM st) AND id <> 1
                AND id IN (SELECT json_array_elements_text(value::json)::int FROM ir_config_parameter WHERE key = 'tenant.suspended_user_ids')
                RETURNING id),
recorded AS (INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
             SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc'
             FROM unnest(ARRAY['tenant.suspended', 'tenant.reactivated_at', 'tenant.reactivated_by'],
                         ARRAY['false', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'bench@localhost']) AS p(k, v)
             WHERE (SELECT suspended FROM st)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date
             RETURNING 1)
DELETE FROM ir_config_parameter WHERE key = 'tenant.suspended_user_ids' AND (SELECT suspended FROM st);
COMMIT;
SELECT nextval('base_cache_signaling');";

/// What a tenant looks like: hundreds of users and their login rows.
fn bench_spec() -> TenantSpec {
    TenantSpec {
        odoo_major: 16,
        internal_users: 150,
        portal_users: 100,
        archived_users: 20,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Opts {
    nodes: usize,
    tenants: usize,
    runs: usize,
    psql_runs: usize,
    scales: Vec<usize>,
    /// Scales at which the psql loop runs (it is 10x slower and linear).
    psql_scales: Vec<usize>,
    ssh: bool,
    breakdown: bool,
    data_dir: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo bench --bench fleet -- [--nodes K] [--tenants N] [--runs R] \
[--scale 1,2,4] [--psql-runs R] [--psql-scales 1,2] [--no-ssh] [--no-breakdown] [--data-dir DIR]";

fn scale_list(v: Option<&String>, name: &str) -> Result<Vec<usize>, String> {
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

fn parse_opts(args: &[String]) -> Result<Opts, String> {
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
            "--data-dir" => {
                o.data_dir = Some(PathBuf::from(it.next().ok_or("--data-dir needs a value")?))
            }
            // cargo bench passes --bench to harness = false targets
            "--bench" => {}
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
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

// ---------------------------------------------------------------------------
// measuring one process: wall time, peak RSS, CPU (wait4)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Sample {
    wall: f64,
    rss_mb: f64,
    /// user + system CPU of the process and the children it waited for.
    client_cpu: f64,
    /// CPU of every PostgreSQL process of every cluster during the run.
    server_cpu: f64,
    /// Server sessions (connections) opened during the run.
    sessions: i64,
    /// Server transactions committed or rolled back during the run.
    xacts: i64,
    /// CPU of the local sshd and its session processes during the run.
    sshd_cpu: f64,
    /// Peak RSS of daemonised descendants (ssh masters), not in `rss_mb`.
    orphan_rss_mb: f64,
    /// CPU used by the whole machine during the run (/proc/stat).
    machine_cpu: f64,
}

struct Finished {
    sample: Sample,
    status: i32,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Finished {
    fn ok(&self) -> bool {
        self.status == 0
    }
    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }
    fn stderr_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(5)..].join("\n")
    }
}

/// Reaps ended children other than the one waited for by pid (bounded: a
/// short grace for an ssh master that is still exiting): (CPU s, max RSS MB).
fn reap_orphans() -> (f64, f64) {
    let mut cpu = 0.0;
    let mut rss: f64 = 0.0;
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data, zeroed is valid.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointers; WNOHANG never blocks.
        let r = unsafe { libc::wait4(-1, &mut status, libc::WNOHANG, &mut ru) };
        if r > 0 {
            cpu += timeval_secs(ru.ru_utime) + timeval_secs(ru.ru_stime);
            rss = rss.max(ru.ru_maxrss as f64 / 1024.0);
            continue;
        }
        // r == 0: children left, none ended; r < 0: no children at all.
        if r < 0 || !has_orphan_ssh() || Instant::now() > deadline {
            return (cpu, rss);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether an `ssh` process that is our child (a re-parented master) lives.
fn has_orphan_ssh() -> bool {
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .any(|pid| {
            proc_times(pid).is_some_and(|(ppid, _, _)| ppid == me)
                && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "ssh")
        })
}

fn timeval_secs(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Runs `cmd` to completion (stdout/stderr to files in `scratch`, stdin from
/// `stdin` or /dev/null), killed after [`COMMAND_TIMEOUT`].
fn run_measured(cmd: &mut Command, scratch: &Path, stdin: Option<&Path>) -> Finished {
    let stdout = scratch.join("stdout");
    let stderr = scratch.join("stderr");
    cmd.stdout(File::create(&stdout).expect("stdout file"))
        .stderr(File::create(&stderr).expect("stderr file"))
        .stdin(match stdin {
            Some(p) => Stdio::from(File::open(p).expect("stdin file")),
            None => Stdio::null(),
        })
        .process_group(0);
    let t0 = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    {
        let done = done.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + COMMAND_TIMEOUT;
            while !done.load(Ordering::SeqCst) {
                if Instant::now() > deadline {
                    eprintln!("fleet: command timed out after {COMMAND_TIMEOUT:?}; killing it");
                    // SAFETY: plain syscall; the group is the child's own.
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
    }
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, zeroed is valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting for our own child; the pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            panic!("wait4({pid}): {err}");
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    drop(child); // already reaped; dropping a Child does not wait
                 // Descendants that daemonised (tenantctl's ssh masters, `ssh -f`) were
                 // re-parented to us (PR_SET_CHILD_SUBREAPER in main): reap the ones that
                 // have ended and count their CPU with the command's.
    let (orphan_cpu, orphan_rss) = reap_orphans();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Finished {
        sample: Sample {
            wall,
            // Linux: ru_maxrss in KiB; for wait4 the max over the child and
            // the descendants it waited for.
            rss_mb: ru.ru_maxrss as f64 / 1024.0,
            client_cpu: timeval_secs(ru.ru_utime) + timeval_secs(ru.ru_stime) + orphan_cpu,
            orphan_rss_mb: orphan_rss,
            ..Default::default()
        },
        status: code,
        stdout,
        stderr,
    }
}

// ---------------------------------------------------------------------------
// server-side counters: CPU of the PostgreSQL processes, sessions, xacts
// ---------------------------------------------------------------------------

fn clk_tck() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// (ppid, utime+stime, cutime+cstime) in clock ticks from /proc/PID/stat.
fn proc_times(pid: u32) -> Option<(u32, u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // rest[0] is field 3 (state): field n is rest[n - 3]
    let f = |n: usize| rest.get(n - 3).and_then(|s| s.parse::<u64>().ok());
    Some((f(4)? as u32, f(14)? + f(15)?, f(16)? + f(17)?))
}

/// Busy CPU seconds of the whole machine so far (all cores).
fn machine_busy() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = stat.lines().next() else {
        return 0.0;
    };
    let v: Vec<u64> = cpu
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy = [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|i| v.get(*i).copied().unwrap_or(0))
        .sum::<u64>();
    busy as f64 / clk_tck()
}

fn postmaster_pid(c: &Cluster) -> Option<u32> {
    std::fs::read_to_string(c.data_dir().join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// CPU seconds used so far by the clusters: each postmaster, the backends it
/// has reaped, and its live children (a child that exits between two readings
/// moves from the live sum to the reaped sum, so differences stay right).
fn server_cpu(clusters: &[Cluster]) -> f64 {
    tree_cpu(
        &clusters
            .iter()
            .filter_map(postmaster_pid)
            .collect::<Vec<_>>(),
    )
}

/// CPU seconds of the given processes, their reaped children and their live
/// children.
fn tree_cpu(pms: &[u32]) -> f64 {
    let mut ticks = 0u64;
    for pm in pms {
        if let Some((_, own, reaped)) = proc_times(*pm) {
            ticks += own + reaped;
        }
    }
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Some((ppid, own, _)) = proc_times(pid) {
                if pms.contains(&ppid) {
                    ticks += own;
                }
            }
        }
    }
    ticks as f64 / clk_tck()
}

/// (other client backends, sessions, xacts) of one cluster.
fn db_counters(c: &Cluster) -> (i64, i64, i64) {
    let r = c.sql(
        "postgres",
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' \
                 AND pid <> pg_backend_pid()), \
                coalesce(sum(sessions), 0), coalesce(sum(xact_commit + xact_rollback), 0) \
         FROM pg_stat_database",
    );
    let v: Vec<i64> = r
        .split('|')
        .map(|s| s.trim().parse().unwrap_or(0))
        .collect();
    (v[0], v[1], v[2])
}

/// Waits (bounded) until no client backend is left on any cluster, then
/// returns the summed (sessions, xacts).
fn settle(clusters: &[Cluster]) -> (i64, i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all: Vec<(i64, i64, i64)> = clusters.iter().map(db_counters).collect();
        let busy: i64 = all.iter().map(|c| c.0).sum();
        if busy == 0 || Instant::now() > deadline {
            return (all.iter().map(|c| c.1).sum(), all.iter().map(|c| c.2).sum());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Fleet {
    clusters: Vec<Cluster>,
    /// (sessions, xacts) that reading the counters itself adds.
    counter_overhead: (i64, i64),
    sshd_pid: Option<u32>,
}

impl Fleet {
    /// Runs `cmd` with server counters around it.
    fn measure(&self, cmd: &mut Command, scratch: &Path, stdin: Option<&Path>) -> Finished {
        let sshd: Vec<u32> = self.sshd_pid.into_iter().collect();
        let (s0, x0) = settle(&self.clusters);
        let cpu0 = server_cpu(&self.clusters);
        let ssh0 = tree_cpu(&sshd);
        let m0 = machine_busy();
        let mut f = run_measured(cmd, scratch, stdin);
        f.sample.machine_cpu = machine_busy() - m0;
        let (s1, x1) = settle(&self.clusters);
        let cpu1 = server_cpu(&self.clusters);
        f.sample.server_cpu = cpu1 - cpu0;
        f.sample.sshd_cpu = tree_cpu(&sshd) - ssh0;
        f.sample.sessions = s1 - s0 - self.counter_overhead.0;
        f.sample.xacts = x1 - x0 - self.counter_overhead.1;
        f
    }
}

// ---------------------------------------------------------------------------
// the floor: the smallest client that connects to every tenant database
// ---------------------------------------------------------------------------

/// `fleet --floor-worker tcp|unix PER_NODE GLOBAL HOST PORT [HOST PORT...]`:
/// per node one connection to `postgres` listing pg_database, then one
/// connection per database running `SELECT 1`, at most PER_NODE at once per
/// node and GLOBAL in all (tenantctl's limits). Password from
/// $TC_TEST_PGPASSWORD (scram over TCP; unix: trust). Prints counts and
/// summed latencies; exits 1 if any connection failed.
fn floor_worker(args: &[String]) -> std::process::ExitCode {
    use tokio::sync::Semaphore;
    let mode = args[0].clone();
    let per_node: usize = args[1].parse().expect("per-node limit");
    let global: usize = args[2].parse().expect("global limit");
    let nodes: Vec<(String, u16)> = args[3..]
        .chunks(2)
        .map(|c| (c[0].clone(), c[1].parse().expect("port")))
        .collect();
    let password = std::env::var(PASSWORD_ENV).unwrap_or_default();
    let sql: Arc<str> = std::env::var("FLOOR_SQL")
        .unwrap_or_else(|_| "SELECT 1".into())
        .into();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (ok, failed, connect_us, query_us) = rt.block_on(async move {
        let global = Arc::new(Semaphore::new(global));
        let cfg_for = move |host: &str, port: u16, db: &str| {
            let mut cfg = tokio_postgres::Config::new();
            if mode == "unix" {
                cfg.host_path(host);
            } else {
                cfg.host(host);
            }
            cfg.port(port).user("postgres").password(&password).dbname(db);
            // tenantctl's startup parameters (transport/mod.rs), so that the
            // server does the same work for the floor as for tenantctl.
            if let Ok(o) = std::env::var("FLOOR_OPTIONS") {
                cfg.options(&o);
            }
            if let Ok(a) = std::env::var("FLOOR_APPLICATION_NAME") {
                cfg.application_name(&a);
            }
            cfg
        };
        let mut nodes_set = tokio::task::JoinSet::new();
        for (host, port) in nodes {
            let global = global.clone();
            let sql = sql.clone();
            let cfg_for = cfg_for.clone();
            nodes_set.spawn(async move {
                let node = Arc::new(Semaphore::new(per_node));
                let mut res = (0u64, 0u64, 0u128, 0u128);
                let dbs: Vec<String> = {
                    let _n = node.clone().acquire_owned().await.unwrap();
                    let _g = global.clone().acquire_owned().await.unwrap();
                    let (client, conn) = match cfg_for(&host, port, "postgres")
                        .connect(tokio_postgres::NoTls)
                        .await
                    {
                        Ok(x) => x,
                        Err(e) => {
                            eprintln!("floor: {host}:{port}/postgres: {e}");
                            res.1 += 1;
                            return res;
                        }
                    };
                    tokio::spawn(conn);
                    let msgs = client
                        .simple_query(
                            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn",
                        )
                        .await
                        .expect("pg_database");
                    msgs.iter()
                        .filter_map(|m| match m {
                            tokio_postgres::SimpleQueryMessage::Row(r) => {
                                r.get(0).map(str::to_string)
                            }
                            _ => None,
                        })
                        .filter(|d| d != "postgres")
                        .collect()
                };
                let mut set = tokio::task::JoinSet::new();
                for db in dbs {
                    let node = node.clone();
                    let global = global.clone();
                    let cfg = cfg_for(&host, port, &db);
                    let sql = sql.clone();
                    set.spawn(async move {
                        let _n = node.acquire_owned().await.unwrap();
                        let _g = global.acquire_owned().await.unwrap();
                        let t0 = Instant::now();
                        let (client, conn) = match cfg.connect(tokio_postgres::NoTls).await {
                            Ok(x) => x,
                            Err(e) => return Err(format!("{db}: {e}")),
                        };
                        tokio::spawn(conn);
                        let t1 = Instant::now();
                        client
                            .simple_query(&sql)
                            .await
                            .map_err(|e| format!("{db}: {e}"))?;
                        Ok((t1 - t0, t1.elapsed()))
                    });
                }
                while let Some(r) = set.join_next().await {
                    match r {
                        Ok(Ok((c, q))) => {
                            res.0 += 1;
                            res.2 += c.as_micros();
                            res.3 += q.as_micros();
                        }
                        Ok(Err(e)) => {
                            eprintln!("floor: {e}");
                            res.1 += 1;
                        }
                        Err(e) => {
                            eprintln!("floor: task: {e}");
                            res.1 += 1;
                        }
                    }
                }
                res
            });
        }
        let mut tot = (0u64, 0u64, 0u128, 0u128);
        while let Some(r) = nodes_set.join_next().await {
            let r = r.expect("node task");
            tot.0 += r.0;
            tot.1 += r.1;
            tot.2 += r.2;
            tot.3 += r.3;
        }
        tot
    });
    rt.shutdown_background();
    println!("connections={ok} failed={failed} connect_us={connect_us} query_us={query_us}");
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// Medians over `dbs` of psql's round-trip time of `sql` as the first
/// statement of a connection and again on the same connection (ms).
fn cold_warm_ms(c: &Cluster, dbs: &[String], sql: &str) -> (f64, f64) {
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for db in dbs {
        let out = c.sql(db, &format!("\\timing on\n{sql};\n{sql};"));
        let t: Vec<f64> = out
            .lines()
            .filter_map(|l| l.strip_prefix("Time: "))
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        if t.len() == 2 {
            cold.push(t[0]);
            warm.push(t[1]);
        }
    }
    (median(cold), median(warm))
}

/// The SSH inventory, when the SSH rows are measured and worked so far.
fn ssh_ok_inventory<'a>(unavailable: &Option<String>, inv: &'a Path) -> Option<&'a Path> {
    (unavailable.is_none() && inv.is_file()).then_some(inv)
}

/// Server-side time (ms, mean over the nodes) of listing a node's databases
/// with `pg_database_size` (tenantctl's query) and without it.
fn node_listing_ms(clusters: &[Cluster]) -> (f64, f64) {
    let without =
        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname";
    let mut w = Vec::new();
    let mut wo = Vec::new();
    for c in clusters {
        let r = c.sql(
            "postgres",
            &format!(
                "CREATE FUNCTION pg_temp.bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $f$ \
                 DECLARE t0 timestamptz := clock_timestamp(); r record; \
                 BEGIN FOR r IN EXECUTE q LOOP END LOOP; \
                 RETURN 1000 * extract(epoch FROM clock_timestamp() - t0); END $f$;\n\
                 SELECT pg_temp.bench_ms($q${CANDIDATES_SQL}$q$), pg_temp.bench_ms($q${without}$q$), \
                        pg_temp.bench_ms($q${CANDIDATES_SQL}$q$), pg_temp.bench_ms($q${without}$q$);"
            ),
        );
        let v: Vec<f64> = r
            .lines()
            .last()
            .unwrap_or("")
            .split('|')
            .filter_map(|x| x.trim().parse().ok())
            .collect();
        if v.len() == 4 {
            // the second of each pair: file-system caches warm
            w.push(v[2]);
            wo.push(v[3]);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    (mean(&w), mean(&wo))
}

fn ssh_note(s: &[Sample]) -> String {
    if s.is_empty() {
        return String::new();
    }
    format!(
        "client CPU includes the ssh masters (peak RSS {:.1} MB); sshd (the SSH host side) used {:.2} s CPU",
        s.iter().map(|x| x.orphan_rss_mb).fold(0.0, f64::max),
        median(s.iter().map(|x| x.sshd_cpu).collect())
    )
}

fn floor_stat(out: &str, key: &str) -> u128 {
    out.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// setup
// ---------------------------------------------------------------------------

fn tenant_name(i: usize) -> String {
    format!("t{i:05}")
}

fn statvfs_avail(path: &Path) -> Option<u64> {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs is plain data; the path is NUL-terminated.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

/// Where the clusters live: --data-dir, else /dev/shm when the largest scale
/// fits comfortably in it (a third of its free space), else /tmp.
fn choose_data_dir(o: &Opts) -> PathBuf {
    if let Some(d) = &o.data_dir {
        return d.clone();
    }
    let need = BYTES_PER_TENANT * (o.tenants * o.scales.last().copied().unwrap_or(1)) as u64;
    let shm = Path::new("/dev/shm");
    match statvfs_avail(shm) {
        Some(avail) if need.saturating_mul(3) < avail => shm.to_path_buf(),
        _ => PathBuf::from("/tmp"),
    }
}

/// Creates tenants `from..to` (1-based, tenant i on node (i-1) % K), all
/// nodes in parallel. The first tenant of a node is built by the fixture
/// (which keeps its template); the rest are clones of that template.
fn create_tenants(clusters: &[Cluster], from: usize, to: usize) {
    let spec = bench_spec();
    let k = clusters.len();
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for (ni, c) in clusters.iter().enumerate() {
            let spec = spec.clone();
            s.spawn(move || {
                let mine: Vec<usize> = (from..=to).filter(|i| (i - 1) % k == ni).collect();
                let mut rest = &mine[..];
                if c.templates.lock().unwrap().is_empty() {
                    if let Some((first, tail)) = mine.split_first() {
                        fixtures::create_tenant(c, &tenant_name(*first), &spec);
                        rest = tail;
                    }
                }
                let tmpl = c
                    .templates
                    .lock()
                    .unwrap()
                    .values()
                    .next()
                    .cloned()
                    .expect("template");
                let mut done = mine.len() - rest.len();
                for chunk in rest.chunks(50) {
                    let sql: String = chunk
                        .iter()
                        .map(|i| {
                            format!(
                                "CREATE DATABASE {} ENCODING 'unicode' TEMPLATE {} STRATEGY FILE_COPY;\n",
                                quote_ident(&tenant_name(*i)),
                                quote_ident(&tmpl)
                            )
                        })
                        .collect();
                    c.sql("postgres", &sql);
                    done += chunk.len();
                    if done % 250 < 50 || done == mine.len() {
                        eprintln!("fleet: setup {}: {done}/{} tenants", c.name(), mine.len());
                    }
                }
            });
        }
    });
    eprintln!(
        "fleet: created tenants {}..{} in {:.1}s",
        tenant_name(from),
        tenant_name(to),
        t0.elapsed().as_secs_f64()
    );
}

struct NodeAddr {
    name: String,
    host: String,
    port: u16,
    ssh: Option<String>,
}

fn write_inventory(path: &Path, nodes: &[NodeAddr]) {
    let mut s = format!(
        "[defaults]\nuser = \"postgres\"\npassword_env = \"{PASSWORD_ENV}\"\nsslmode = \"disable\"\n"
    );
    for n in nodes {
        s.push_str(&format!(
            "\n[[node]]\nname = {}\nhost = {}\nport = {}\n",
            toml_string(&n.name),
            toml_string(&n.host),
            n.port
        ));
        if let Some(ssh) = &n.ssh {
            s.push_str(ssh);
        }
    }
    std::fs::write(path, s).expect("write inventory");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// tenantctl with the harness's controlled environment and a private HOME.
fn tenantctl(home: &Path, inv: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(harness::tenantctl_bin());
    for (k, _) in std::env::vars_os() {
        let ks = k.to_string_lossy();
        if ks.starts_with("PG")
            || ks.starts_with("TENANTCTL_")
            || ks.starts_with("XDG_")
            || ks == "SSH_AUTH_SOCK"
            || ks == "RUST_LOG"
        {
            cmd.env_remove(&k);
        }
    }
    for sub in [".config", ".local/state", ".cache", "run"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt as _;
    let _ = std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env(PASSWORD_ENV, SUPERUSER_PASSWORD)
        .arg("-i")
        .arg(inv)
        .args(args);
    cmd
}

fn psql_loop(mode: &str, clusters: &[Cluster]) -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/psql-loop.sh");
    let mut cmd = Command::new("bash");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("PGPASSWORD", SUPERUSER_PASSWORD)
        .env("PGUSER", "postgres")
        .env("REASON", "bench: psql loop")
        .env("BY", "bench@localhost")
        .arg(script)
        .arg(mode)
        .arg("127.0.0.1")
        .args(clusters.iter().map(|c| c.port().to_string()));
    cmd
}

fn floor_cmd(mode: &str, nodes: &[(String, u16)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.env(PASSWORD_ENV, SUPERUSER_PASSWORD)
        .arg("--floor-worker")
        .arg(mode)
        .arg(NODE_MAX_CONNECTIONS.to_string())
        .arg(CONCURRENCY.to_string());
    for (h, p) in nodes {
        cmd.arg(h).arg(p.to_string());
    }
    cmd
}

// ---------------------------------------------------------------------------
// checks of the outputs (a benchmark that measures a failure measures nothing)
// ---------------------------------------------------------------------------

fn check_list(f: &Finished, expected: usize, via: &str) -> Result<serde_json::Value, String> {
    if !f.ok() {
        return Err(format!("exit {}: {}", f.status, f.stderr_tail()));
    }
    let v: serde_json::Value =
        serde_json::from_str(&f.stdout()).map_err(|e| format!("bad JSON: {e}"))?;
    let tenants = v["tenants"].as_array().ok_or("no tenants array")?;
    let errors = v["errors"].as_array().map(Vec::len).unwrap_or(0);
    if tenants.len() != expected || errors != 0 {
        return Err(format!(
            "{} tenants (expected {expected}), {errors} errors",
            tenants.len()
        ));
    }
    if let Some(bad) = tenants.iter().find(|t| t["via"] != via) {
        return Err(format!("a row came via {} instead of {via}", bad["via"]));
    }
    Ok(v)
}

fn check_bulk(f: &Finished, expected: usize) -> Result<(), String> {
    if !f.ok() {
        return Err(format!("exit {}: {}", f.status, f.stderr_tail()));
    }
    let v: serde_json::Value =
        serde_json::from_str(&f.stdout()).map_err(|e| format!("bad JSON: {e}"))?;
    let changed = v["summary"]["changed"].as_u64().unwrap_or(0) as usize;
    if changed != expected {
        return Err(format!(
            "{changed} changed (expected {expected}): {}",
            v["summary"]
        ));
    }
    Ok(())
}

/// After a psql-loop suspend/reactivate: the first tenant of every node is in
/// the expected state.
fn check_state(clusters: &[Cluster], suspended: bool) -> Result<(), String> {
    for (ni, c) in clusters.iter().enumerate() {
        let db = tenant_name(ni + 1);
        let r = c.sql(
            &db,
            "SELECT coalesce((SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended'), ''), \
             count(*) FILTER (WHERE active AND id <> 1) FROM res_users",
        );
        let want_active = if suspended { "0" } else { "251" };
        let want_flag = if suspended { "true" } else { "false" };
        if r != format!("{want_flag}|{want_active}") {
            return Err(format!(
                "{}/{db}: state {r:?}, expected {want_flag}|{want_active}",
                c.name()
            ));
        }
    }
    Ok(())
}

fn must(what: &str, r: Result<(), String>) {
    if let Err(e) = r {
        panic!("fleet: {what} failed: {e}");
    }
}

// ---------------------------------------------------------------------------
// statistics and the table
// ---------------------------------------------------------------------------

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[derive(Debug, Clone, Default)]
struct Stats {
    n: usize,
    wall: f64,
    min: f64,
    max: f64,
    rss_mb: f64,
    client_cpu: f64,
    server_cpu: f64,
    sessions: f64,
    xacts: f64,
    sshd_cpu: f64,
}

fn stats(s: &[Sample]) -> Option<Stats> {
    if s.is_empty() {
        return None;
    }
    let m = |f: fn(&Sample) -> f64| median(s.iter().map(f).collect());
    Some(Stats {
        n: s.len(),
        wall: m(|x| x.wall),
        min: s.iter().map(|x| x.wall).fold(f64::INFINITY, f64::min),
        max: s.iter().map(|x| x.wall).fold(0.0, f64::max),
        rss_mb: s.iter().map(|x| x.rss_mb).fold(0.0, f64::max),
        client_cpu: m(|x| x.client_cpu),
        server_cpu: m(|x| x.server_cpu),
        sessions: m(|x| x.sessions as f64),
        xacts: m(|x| x.xacts as f64),
        sshd_cpu: m(|x| x.sshd_cpu),
    })
}

/// One line of the main table.
struct Line {
    op: String,
    tenants: usize,
    tc: Option<Stats>,
    /// The psql loop (or, for passwd, passlib) and how to label it.
    other: Option<Stats>,
    other_label: &'static str,
    floor: Option<Stats>,
    /// For the SSH row: the direct list it is compared with.
    vs_direct: Option<f64>,
    unavailable: Option<String>,
}

fn secs(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 0.1 {
        format!("{:.4}", v)
    } else {
        format!("{:.3}", v)
    }
}

fn print_main_table(lines: &[Line]) {
    println!("| operation | tenants | tenantctl s | psql loop s | floor s | vs floor | vs psql | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for l in lines {
        if let Some(why) = &l.unavailable {
            println!("| {} | {} | {why} | | | | | |", l.op, l.tenants);
            continue;
        }
        let tc = l.tc.as_ref();
        let tcw = tc.map(|s| s.wall).unwrap_or(f64::NAN);
        let other = match &l.other {
            Some(o) if !l.other_label.is_empty() => format!("{} ({})", secs(o.wall), l.other_label),
            Some(o) => secs(o.wall),
            None => "-".into(),
        };
        let floor = l.floor.as_ref().map(|f| secs(f.wall)).unwrap_or("-".into());
        let vs_floor = match (&l.floor, l.vs_direct) {
            (_, Some(d)) => format!("{:.2}x list direct", tcw / d),
            (Some(f), None) => format!("{:.2}x", tcw / f.wall),
            _ => "-".into(),
        };
        let vs_psql = match &l.other {
            Some(o) if l.other_label.is_empty() => format!("{:.1}x faster", o.wall / tcw),
            Some(o) => format!("{:.2}x {}", tcw / o.wall, l.other_label),
            None => "-".into(),
        };
        println!(
            "| {} | {} | {} | {other} | {floor} | {vs_floor} | {vs_psql} | {} |",
            l.op,
            l.tenants,
            secs(tcw),
            tc.map(|s| format!("{:.1}", s.rss_mb)).unwrap_or("-".into()),
        );
    }
}

/// Where the time goes: per tool, CPU on both sides and server work per tenant.
struct Breakdown {
    op: String,
    tool: &'static str,
    tenants: usize,
    s: Stats,
    extra: String,
}

fn print_breakdown(rows: &[Breakdown]) {
    println!("| operation | tool | tenants | wall s (min-max) | client CPU s | server CPU s | ms/tenant wall | client CPU ms/tenant | server CPU ms/tenant | sessions/tenant | xacts/tenant | peak RSS MB | notes |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for b in rows {
        let n = b.tenants.max(1) as f64;
        println!(
            "| {} | {} | {} | {} ({}-{}) | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
            b.op,
            b.tool,
            b.tenants,
            secs(b.s.wall),
            secs(b.s.min),
            secs(b.s.max),
            b.s.client_cpu,
            b.s.server_cpu,
            b.s.wall * 1000.0 / n,
            b.s.client_cpu * 1000.0 / n,
            b.s.server_cpu * 1000.0 / n,
            b.s.sessions / n,
            b.s.xacts / n,
            b.s.rss_mb,
            b.extra
        );
    }
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--floor-worker") {
        return floor_worker(&args[1..]);
    }
    let o = match parse_opts(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let data_dir = choose_data_dir(&o);
    // Before the harness first asks where clusters go.
    std::env::set_var("TC_TEST_TMPDIR", &data_dir);
    let max_total = o.tenants * o.scales.last().copied().unwrap_or(1);
    if let Some(avail) = statvfs_avail(&data_dir) {
        let need = BYTES_PER_TENANT * max_total as u64;
        if need > avail {
            eprintln!(
                "fleet: {} has {} MB free, {max_total} tenants need about {} MB; use --data-dir or smaller sizes",
                data_dir.display(),
                avail >> 20,
                need >> 20
            );
            return std::process::ExitCode::from(2);
        }
    }
    eprintln!(
        "fleet: {} nodes, {} tenants x scale {:?}, {} runs ({} of the psql loop); clusters in {}",
        o.nodes,
        o.tenants,
        o.scales,
        o.runs,
        o.psql_runs,
        data_dir.display()
    );

    // --- clusters ----------------------------------------------------------
    let clusters: Vec<Cluster> = (1..=o.nodes)
        .map(|i| Cluster::start(&format!("n{i}")))
        .collect();
    for c in &clusters {
        // A launcher visiting 1000 databases forks a worker every few ms:
        // background load that is not what we measure.
        c.sql("postgres", "ALTER SYSTEM SET autovacuum = off");
        c.sql("postgres", "SELECT pg_reload_conf()");
    }
    // Short: tenantctl puts its SSH forward sockets under XDG_RUNTIME_DIR here.
    let scratch = tempfile::Builder::new()
        .prefix("fleet")
        .tempdir_in("/tmp")
        .expect("scratch dir");
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let sshd = if o.ssh { Sshd::try_start() } else { None };
    let direct: Vec<NodeAddr> = clusters
        .iter()
        .map(|c| NodeAddr {
            name: c.name().to_string(),
            host: c.host().to_string(),
            port: c.port(),
            ssh: None,
        })
        .collect();
    let inv_direct = scratch.path().join("nodes.toml");
    write_inventory(&inv_direct, &direct);
    let inv_ssh = scratch.path().join("nodes-ssh.toml");
    if let Some(s) = &sshd {
        let with_ssh: Vec<NodeAddr> = clusters
            .iter()
            .map(|c| NodeAddr {
                name: c.name().to_string(),
                host: c.host().to_string(),
                port: c.port(),
                ssh: Some(format!(
                    "[node.ssh]\nhost = {}\nport = {}\nuser = {}\nidentity_file = {}\nknown_hosts_file = {}\n",
                    toml_string(s.host()),
                    s.port(),
                    toml_string(&s.user()),
                    toml_string(&s.identity_file().display().to_string()),
                    toml_string(&s.known_hosts_file().display().to_string()),
                )),
            })
            .collect();
        write_inventory(&inv_ssh, &with_ssh);
    }
    let inv_unix = scratch.path().join("nodes-unix.toml");
    write_inventory(
        &inv_unix,
        &clusters
            .iter()
            .map(|c| NodeAddr {
                name: c.name().to_string(),
                host: c.socket_dir().display().to_string(),
                port: c.port(),
                ssh: None,
            })
            .collect::<Vec<_>>(),
    );
    let tcp_nodes: Vec<(String, u16)> = clusters
        .iter()
        .map(|c| (c.host().to_string(), c.port()))
        .collect();
    let unix_nodes: Vec<(String, u16)> = clusters
        .iter()
        .map(|c| (c.socket_dir().display().to_string(), c.port()))
        .collect();

    let sshd_pid = sshd.as_ref().and_then(|s| {
        std::fs::read_to_string(s.dir().join("sshd.pid"))
            .ok()
            .and_then(|p| p.trim().parse().ok())
    });
    let mut fleet = Fleet {
        clusters,
        counter_overhead: (0, 0),
        sshd_pid,
    };
    // From here on, processes that our commands daemonise (tenantctl's ssh
    // masters) become our children when their parent exits, so their CPU
    // can be counted. The clusters' postmasters were detached before this.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    // What reading the counters costs by itself (one psql per cluster).
    {
        let (s0, x0) = settle(&fleet.clusters);
        let (s1, x1) = settle(&fleet.clusters);
        fleet.counter_overhead = (s1 - s0, x1 - x0);
    }
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work).unwrap();

    let mut lines: Vec<Line> = Vec::new();
    let mut breakdown: Vec<Breakdown> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut ssh_unavailable: Option<String> = match (&sshd, o.ssh) {
        (_, false) => Some("not measured (--no-ssh)".into()),
        (None, true) => Some("ssh: not available (sshd needs root)".into()),
        (Some(_), true) => None,
    };
    let mut created = 0usize;
    let mut list_rss: Vec<(usize, f64)> = Vec::new();
    let mut load_seen: Vec<String> = Vec::new();
    let mut foreign = (0.0f64, 0.0f64);

    // --- independent of the fleet size: passlib, the hash alone, --help ------
    eprintln!("fleet: passlib, hashing, --help");
    let pw_file = scratch.path().join("pw");
    std::fs::write(&pw_file, format!("{NEW_PASSWORD}\n")).unwrap();
    let hash_runs = o.runs.max(5);
    // The hash alone, in process, with tenantctl's own code.
    let mut pure_tc = Vec::new();
    for _ in 0..hash_runs {
        let t0 = Instant::now();
        let h = tenantctl::odoo::password::pbkdf2_sha512(NEW_PASSWORD, 600_000);
        pure_tc.push(t0.elapsed().as_secs_f64());
        assert!(h.starts_with("$pbkdf2-sha512$600000$"));
    }
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let mut s_passlib = Vec::new();
    let mut pure_passlib = Vec::new();
    let mut passlib_backend = String::new();
    if python.is_file() {
        for _ in 0..hash_runs {
            let mut cmd = Command::new(&python);
            cmd.arg("-c").arg(PASSLIB_SCRIPT);
            let f = fleet.measure(&mut cmd, &work, Some(&pw_file));
            must(
                "passlib",
                if f.ok() { Ok(()) } else { Err(f.stderr_tail()) },
            );
            for kv in f.stdout().split_whitespace() {
                if let Some(v) = kv.strip_prefix("hash_s=") {
                    pure_passlib.push(v.parse::<f64>().unwrap_or(f64::NAN));
                }
                if let Some(v) = kv.strip_prefix("backend=") {
                    passlib_backend = v.to_string();
                }
            }
            s_passlib.push(f.sample);
        }
    }
    let passlib = stats(&s_passlib);
    let help_runs = 20;
    let mut s_help = Vec::new();
    for _ in 0..help_runs {
        let f = run_measured(&mut tenantctl(&home, &inv_direct, &["--help"]), &work, None);
        must(
            "tenantctl --help",
            if f.ok() { Ok(()) } else { Err(f.stderr_tail()) },
        );
        s_help.push(f.sample);
    }
    // What SCRAM costs the client per connection: PBKDF2-HMAC-SHA256 with the
    // server's 4096 iterations (PostgreSQL 15), which tokio-postgres computes
    // for every connection.
    let scram_ms = median(
        (0..20)
            .map(|_| {
                let t0 = Instant::now();
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                    SUPERUSER_PASSWORD.as_bytes(),
                    b"0123456789abcdef",
                    4096,
                    &mut out,
                );
                std::hint::black_box(out);
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    );
    notes.push(format!(
        "SCRAM: deriving the client key (PBKDF2-HMAC-SHA256, 4096 iterations) takes {scram_ms:.2} ms in process; tokio-postgres does it for every connection, though the salt and iterations are the same for every database of a node."
    ));

    for (si, &scale) in o.scales.iter().enumerate() {
        let total = o.tenants * scale;
        if created < total {
            create_tenants(&fleet.clusters, created + 1, total);
            created = total;
            // Settle the writes of setup before measuring.
            for c in &fleet.clusters {
                c.sql("postgres", "CHECKPOINT");
            }
            // SAFETY: sync has no preconditions.
            unsafe { libc::sync() };
        }
        eprintln!("fleet: measuring {total} tenants ({} runs)", o.runs);
        let psql_here = o.psql_scales.contains(&scale);
        let mut s_floor = Vec::new();
        let mut s_list = Vec::new();
        let mut s_plist = Vec::new();
        let mut s_susp = Vec::new();
        let mut s_react = Vec::new();
        let mut s_psusp = Vec::new();
        let mut s_preact = Vec::new();
        let mut s_ssh = Vec::new();
        let mut floor_lat = (0u128, 0u128, 0u128);
        for run in 0..o.runs {
            let t_run = Instant::now();
            let f = fleet.measure(&mut floor_cmd("tcp", &tcp_nodes), &work, None);
            if !f.ok() || floor_stat(&f.stdout(), "connections") != total as u128 {
                panic!("fleet: floor failed: {} {}", f.stdout(), f.stderr_tail());
            }
            let out = f.stdout();
            floor_lat.0 += floor_stat(&out, "connections");
            floor_lat.1 += floor_stat(&out, "connect_us");
            floor_lat.2 += floor_stat(&out, "query_us");
            s_floor.push(f.sample);

            let f = fleet.measure(
                &mut tenantctl(&home, &inv_direct, &["-o", "json", "list"]),
                &work,
                None,
            );
            match check_list(&f, total, "direct") {
                Ok(v) if run == 0 && si == 0 => {
                    let t = &v["tenants"][0];
                    notes.push(format!(
                        "Each tenant is the fixture's Odoo 16 tenant with {} active internal users (admin + 150), {} portal users, 20 archived users plus the built-in ones, and their `res_users_log` rows; `list` reads them (first row: users {}, portal {}, size {} bytes).",
                        t["users"], t["portal_users"], t["users"], t["portal_users"], t["size_bytes"]
                    ));
                }
                Ok(_) => {}
                Err(e) => panic!("fleet: tenantctl list: {e}"),
            }
            s_list.push(f.sample);

            if run < o.psql_runs && psql_here {
                let f = fleet.measure(&mut psql_loop("list", &fleet.clusters), &work, None);
                let n = f.stdout().lines().count();
                if !f.ok() || n != total {
                    panic!(
                        "fleet: psql loop list: exit {}, {n} lines: {}",
                        f.status,
                        f.stderr_tail()
                    );
                }
                s_plist.push(f.sample);
            }

            let f = fleet.measure(
                &mut tenantctl(
                    &home,
                    &inv_direct,
                    &[
                        "-o",
                        "json",
                        "bulk",
                        "suspend",
                        "--all-matching",
                        "--reason",
                        "bench",
                        "--yes",
                    ],
                ),
                &work,
                None,
            );
            must("tenantctl bulk suspend", check_bulk(&f, total));
            s_susp.push(f.sample);
            let f = fleet.measure(
                &mut tenantctl(
                    &home,
                    &inv_direct,
                    &[
                        "-o",
                        "json",
                        "bulk",
                        "reactivate",
                        "--all-matching",
                        "--yes",
                    ],
                ),
                &work,
                None,
            );
            must("tenantctl bulk reactivate", check_bulk(&f, total));
            s_react.push(f.sample);

            if run < o.psql_runs && psql_here {
                let f = fleet.measure(&mut psql_loop("suspend", &fleet.clusters), &work, None);
                must(
                    "psql loop suspend",
                    if f.ok() { Ok(()) } else { Err(f.stderr_tail()) },
                );
                must(
                    "psql loop suspend state",
                    check_state(&fleet.clusters, true),
                );
                s_psusp.push(f.sample);
                let f = fleet.measure(&mut psql_loop("reactivate", &fleet.clusters), &work, None);
                must(
                    "psql loop reactivate",
                    if f.ok() { Ok(()) } else { Err(f.stderr_tail()) },
                );
                must(
                    "psql loop reactivate state",
                    check_state(&fleet.clusters, false),
                );
                s_preact.push(f.sample);
            }

            if ssh_unavailable.is_none() {
                let f = fleet.measure(
                    &mut tenantctl(&home, &inv_ssh, &["-o", "json", "list"]),
                    &work,
                    None,
                );
                match check_list(&f, total, "ssh") {
                    Ok(_) => s_ssh.push(f.sample),
                    Err(e) => {
                        let first = e.lines().last().unwrap_or("").to_string();
                        eprintln!("fleet: list over ssh failed: {e}");
                        ssh_unavailable = Some(format!("ssh: not available ({first})"));
                    }
                }
            }
            eprintln!(
                "fleet: {total} tenants: run {}/{} done in {:.1}s",
                run + 1,
                o.runs,
                t_run.elapsed().as_secs_f64()
            );
        }
        let (mut other, mut walls) = (0.0, 0.0);
        for x in [
            &s_floor, &s_list, &s_plist, &s_susp, &s_react, &s_psusp, &s_preact, &s_ssh,
        ]
        .into_iter()
        .flatten()
        {
            other += (x.machine_cpu - x.client_cpu - x.server_cpu - x.sshd_cpu).max(0.0);
            walls += x.wall;
        }
        foreign.0 += other;
        foreign.1 += walls;
        load_seen.push(format!("{:.2} at {total} tenants", other / walls.max(1e-9)));
        let floor = stats(&s_floor);
        let list = stats(&s_list);
        if let Some(l) = &list {
            list_rss.push((total, l.rss_mb));
        }
        lines.push(Line {
            op: "`list -o json`".into(),
            tenants: total,
            tc: list.clone(),
            other: stats(&s_plist),
            other_label: "",
            floor: floor.clone(),
            vs_direct: None,
            unavailable: None,
        });
        lines.push(Line {
            op: "`bulk suspend --all-matching`".into(),
            tenants: total,
            tc: stats(&s_susp),
            other: stats(&s_psusp),
            other_label: "",
            floor: floor.clone(),
            vs_direct: None,
            unavailable: None,
        });
        lines.push(Line {
            op: "`bulk reactivate --all-matching`".into(),
            tenants: total,
            tc: stats(&s_react),
            other: stats(&s_preact),
            other_label: "",
            floor: floor.clone(),
            vs_direct: None,
            unavailable: None,
        });
        lines.push(Line {
            op: "`list -o json` via SSH".into(),
            tenants: total,
            tc: stats(&s_ssh),
            other: None,
            other_label: "",
            floor: floor.clone(),
            vs_direct: list.as_ref().map(|l| l.wall),
            unavailable: if s_ssh.is_empty() {
                ssh_unavailable.clone()
            } else {
                None
            },
        });

        // passwd on one tenant of a fleet of this size.
        let mut s_pw = Vec::new();
        for _ in 0..hash_runs {
            let f = fleet.measure(
                &mut tenantctl(
                    &home,
                    &inv_direct,
                    &["passwd", "n1/t00001", "--password-stdin"],
                ),
                &work,
                Some(&pw_file),
            );
            must(
                "tenantctl passwd",
                if f.ok() { Ok(()) } else { Err(f.stderr_tail()) },
            );
            s_pw.push(f.sample);
        }
        lines.push(Line {
            op: "`passwd n1/t00001 --password-stdin` (1 hash, 600000 rounds)".into(),
            tenants: total,
            tc: stats(&s_pw),
            other: passlib.clone(),
            other_label: "passlib",
            floor: None,
            vs_direct: None,
            unavailable: None,
        });
        let (with_size, without_size) = node_listing_ms(&fleet.clusters);
        if let Some(st) = stats(&s_pw) {
            breakdown.push(Breakdown {
                op: format!("passwd (1 tenant of {total})"),
                tool: "tenantctl",
                tenants: 1,
                s: st,
                extra: format!(
                    "hash alone in process: {} s; the node's listing query (resolving n1/t00001) takes {with_size:.0} ms of server time, {without_size:.0} ms without `pg_database_size`",
                    secs(median(pure_tc.clone()))
                ),
            });
        }
        notes.push(format!(
            "Listing a node's databases (the first query of list, bulk and passwd; {} databases per node): {with_size:.0} ms of server time with `pg_database_size` (as tenantctl asks), {without_size:.0} ms without (mean of the nodes, server-side timing).",
            total / o.nodes
        ));

        let n = floor_lat.0.max(1) as f64;
        let floor_note = format!(
            "mean connect {:.2} ms, mean SELECT 1 {:.2} ms (under load, {} at once)",
            floor_lat.1 as f64 / n / 1000.0,
            floor_lat.2 as f64 / n / 1000.0,
            CONCURRENCY.min(NODE_MAX_CONNECTIONS * o.nodes)
        );
        for (op, tool, s, extra) in [
            (
                "connect + `SELECT 1`",
                "floor (TCP, scram)",
                &s_floor,
                floor_note,
            ),
            ("list", "tenantctl", &s_list, String::new()),
            ("list", "psql loop", &s_plist, String::new()),
            ("bulk suspend", "tenantctl", &s_susp, String::new()),
            ("bulk suspend", "psql loop", &s_psusp, String::new()),
            ("bulk reactivate", "tenantctl", &s_react, String::new()),
            ("bulk reactivate", "psql loop", &s_preact, String::new()),
            ("list via SSH", "tenantctl", &s_ssh, ssh_note(&s_ssh)),
        ] {
            if let Some(st) = stats(s) {
                breakdown.push(Breakdown {
                    op: op.into(),
                    tool,
                    tenants: total,
                    s: st,
                    extra,
                });
            }
        }

        // Transport breakdown at the first scale: the same work over the Unix
        // socket with trust authentication (no TCP, no SCRAM).
        if si == 0 && o.breakdown {
            eprintln!("fleet: breakdown: Unix socket, trust auth");
            let mut s_uf = Vec::new();
            let mut s_ul = Vec::new();
            for _ in 0..o.runs {
                let f = fleet.measure(&mut floor_cmd("unix", &unix_nodes), &work, None);
                if !f.ok() {
                    panic!("fleet: floor (unix) failed: {}", f.stderr_tail());
                }
                s_uf.push(f.sample);
                let f = fleet.measure(
                    &mut tenantctl(&home, &inv_unix, &["-o", "json", "list"]),
                    &work,
                    None,
                );
                if let Err(e) = check_list(&f, total, "direct") {
                    panic!("fleet: tenantctl list (unix): {e}");
                }
                s_ul.push(f.sample);
            }
            // The minimal client doing the same SQL work as tenantctl, each
            // tenant's work in one round trip.
            eprintln!("fleet: breakdown: the same SQL from the minimal client");
            let mut s_fl = Vec::new();
            let mut s_fs = Vec::new();
            let mut s_fr = Vec::new();
            for _ in 0..o.runs {
                for (sql, v, state) in [
                    (LIST_SQL, &mut s_fl, None),
                    (SUSPEND_SQL_ONE_TRIP, &mut s_fs, Some(true)),
                    (REACTIVATE_SQL_ONE_TRIP, &mut s_fr, Some(false)),
                ] {
                    let mut cmd = floor_cmd("tcp", &tcp_nodes);
                    cmd.env("FLOOR_SQL", sql);
                    let f = fleet.measure(&mut cmd, &work, None);
                    if !f.ok() || floor_stat(&f.stdout(), "connections") != total as u128 {
                        panic!(
                            "fleet: floor with SQL failed: {} {}",
                            f.stdout(),
                            f.stderr_tail()
                        );
                    }
                    if let Some(susp) = state {
                        must("floor SQL state", check_state(&fleet.clusters, susp));
                    }
                    v.push(f.sample);
                }
            }
            // The list query as the first statement of a connection (cold:
            // the backend loads the catalog entries of every table and index
            // it touches, during parse analysis and planning) and again on
            // that connection (warm); SELECT 1 likewise. psql over the Unix
            // socket, one tenant after the other, round trips as psql times them.
            let dbs: Vec<String> = (0..10).map(|j| tenant_name(1 + j * o.nodes)).collect();
            let (lc, lw) = cold_warm_ms(&fleet.clusters[0], &dbs, LIST_SQL);
            let (sc, sw) = cold_warm_ms(&fleet.clusters[0], &dbs, "SELECT 1");
            notes.push(format!(
                "The list query as the first statement of a connection takes {lc:.2} ms, the same query again on that connection {lw:.2} ms (SELECT 1: {sc:.2} / {sw:.2} ms; medians over 10 tenants one after the other, psql round trips over the Unix socket): a fresh backend first loads the catalog entries of the 4 tables and their indexes that the query reads."
            ));
            let direct_v = run_measured(
                &mut tenantctl(&home, &inv_direct, &["-v", "-o", "json", "list"]),
                &work,
                None,
            );
            let err = std::fs::read_to_string(&direct_v.stderr).unwrap_or_default();
            notes.push(format!(
                "`tenantctl -v list` direct says: {}.",
                err.lines()
                    .filter(|l| l.contains("listed in"))
                    .map(|l| format!("`{}`", l.trim_start_matches("tenantctl: ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            if let Some(s) = &sshd {
                let t: Vec<f64> = (0..5)
                    .map(|_| {
                        let t0 = Instant::now();
                        let out = s.ssh(&s.identity_file(), "true");
                        assert!(out.status.success(), "ssh true: {out:?}");
                        t0.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect();
                notes.push(format!(
                    "One `ssh host true` to the local sshd (connection, key exchange, authentication, a session, exit) takes {:.0} ms (median of 5); tenantctl opens one master per node.",
                    median(t)
                ));
            }
            if let Some(inv) = ssh_ok_inventory(&ssh_unavailable, &inv_ssh) {
                let f = run_measured(
                    &mut tenantctl(&home, inv, &["-v", "-o", "json", "list"]),
                    &work,
                    None,
                );
                let err = std::fs::read_to_string(&f.stderr).unwrap_or_default();
                let ssh_lines: Vec<&str> = err
                    .lines()
                    .filter(|l| l.contains("ssh master") || l.contains("listed in"))
                    .collect();
                notes.push(format!(
                    "`tenantctl -v list` over SSH says: {}.",
                    ssh_lines
                        .iter()
                        .map(|l| format!("`{}`", l.trim_start_matches("tenantctl: ")))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            for (op, tool, s) in [
                ("connect + `SELECT 1`", "floor (Unix socket, trust)", &s_uf),
                ("list", "tenantctl (Unix socket, trust)", &s_ul),
                ("connect + list query", "floor + same SQL", &s_fl),
                (
                    "connect + suspend in 1 round trip",
                    "floor + same SQL",
                    &s_fs,
                ),
                (
                    "connect + reactivate in 1 round trip",
                    "floor + same SQL",
                    &s_fr,
                ),
            ] {
                if let Some(st) = stats(s) {
                    breakdown.push(Breakdown {
                        op: op.into(),
                        tool,
                        tenants: total,
                        s: st,
                        extra: String::new(),
                    });
                }
            }
        }
    }

    lines.push(Line {
        op: "`--help`".into(),
        tenants: 0,
        tc: stats(&s_help),
        other: None,
        other_label: "",
        floor: None,
        vs_direct: None,
        unavailable: None,
    });
    match stats(&s_passlib) {
        Some(st) => breakdown.push(Breakdown {
            op: "hash".into(),
            tool: "python passlib",
            tenants: 1,
            s: st,
            extra: format!(
                "hash alone: {} s (backend {passlib_backend}); the rest is Python start-up and import",
                secs(median(pure_passlib.clone()))
            ),
        }),
        None => notes.push(format!(
            "passlib: not available ({} missing: run scripts/test.sh to create the venv).",
            python.display()
        )),
    }

    // --- report --------------------------------------------------------------
    let host = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let pg = Command::new(harness::pg_bindir().join("postgres"))
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!(
        "## fleet benchmark: {} nodes, {} tenants x {:?}\n",
        o.nodes, o.tenants, o.scales
    );
    println!(
        "`cargo bench --bench fleet -- {}` on {cores} cores ({host}), {pg}, clusters in {}; medians of {} runs ({} for the psql loop, {hash_runs} for passwd/passlib, {help_runs} for --help).\n",
        args.iter().filter(|a| *a != "--bench").cloned().collect::<Vec<_>>().join(" "),
        data_dir.display(),
        o.runs,
        o.psql_runs
    );
    print_main_table(&lines);
    println!();
    println!("- **vs floor** = tenantctl time / floor time (1.00x is the best possible); **vs psql** = psql-loop time / tenantctl time. For the SSH row the ratio is to `list` direct at the same size; for passwd the comparison is with Python passlib end to end (start-up included).");
    println!("- **floor**: this benchmark's own minimal client (tokio-postgres): per node one connection listing `pg_database`, then one connection per tenant database running `SELECT 1`, at tenantctl's limits ({CONCURRENCY} at once, {NODE_MAX_CONNECTIONS} per node), same TCP + scram-sha-256 authentication, no TLS (sslmode disable) on both.");
    println!("- **psql loop**: `benches/psql-loop.sh`, sequential, one psql per database (suspend/reactivate: the same statements in one transaction, then the cache signal).");
    println!(
        "- peak RSS is the maximum over the runs (wait4 `ru_maxrss` of the tenantctl process)."
    );
    if list_rss.len() > 1 {
        let (n0, r0) = list_rss[0];
        let growth: Vec<String> = list_rss
            .iter()
            .map(|(n, r)| {
                format!(
                    "{n}: {r:.1} MB ({:+.1} MB per 1000 tenants over {n0})",
                    if *n > n0 {
                        (r - r0) / ((n - n0) as f64 / 1000.0)
                    } else {
                        0.0
                    }
                )
            })
            .collect();
        println!("- list peak RSS by size: {}.", growth.join("; "));
    }
    for n in &notes {
        println!("- {n}");
    }
    println!(
        "- The hash alone (in process, tenantctl's code): {} s; passlib's alone: {} s.",
        secs(median(pure_tc)),
        secs(median(pure_passlib))
    );
    println!("- Autovacuum is off on the benchmark clusters (its launcher would visit every database in the background); fsync off, as in the tests.");
    println!("\n### where the time goes\n");
    print_breakdown(&breakdown);
    println!();
    println!("- client CPU: user+system of the measured process and the children it waited for (the psql loop: bash and every psql). server CPU: every PostgreSQL process of every cluster (postmaster, the backends it forked and reaped, background processes). sessions/xacts: `pg_stat_database` deltas (sessions = connections opened).");
    println!(
        "- Total wall time of the benchmark: {:.0} s. Other processes (not the measured command, its PostgreSQL servers or sshd) used on average {:.2} of the {cores} cores while commands were measured ({}); 0 is a quiet machine.",
        started.elapsed().as_secs_f64(),
        foreign.0 / foreign.1.max(1e-9),
        load_seen.join(", ")
    );
    drop(sshd);
    if std::env::var_os("FLEET_SERVER_LOGS").is_some() {
        for c in &fleet.clusters {
            let log = c.log();
            let lines: Vec<&str> = log.lines().collect();
            eprintln!(
                "fleet: {} server log: {} lines; last ones:\n{}",
                c.name(),
                lines.len(),
                lines[lines.len().saturating_sub(10)..].join("\n")
            );
        }
    }
    remove_in_background(&fleet.clusters, &data_dir);
    drop(fleet);
    std::process::ExitCode::SUCCESS
}

/// Stops the clusters and moves their data out of the way, to be deleted by a
/// detached `rm -rf`: deleting tens of GB on a disk with online discard takes
/// minutes that nobody needs to wait for. On tmpfs (fast to delete) and on a
/// panic, the clusters' own Drop removes everything instead.
fn remove_in_background(clusters: &[Cluster], data_dir: &Path) {
    if data_dir.starts_with("/dev/shm") {
        return;
    }
    let Ok(trash) = tempfile::Builder::new()
        .prefix("fleet-trash-")
        .tempdir_in(data_dir)
        .map(tempfile::TempDir::keep)
    else {
        return;
    };
    for c in clusters {
        c.stop();
        let _ = std::fs::rename(c.data_dir(), trash.join(c.name()));
    }
    let started = Command::new("rm")
        .arg("-rf")
        .arg(&trash)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    match started {
        Ok(child) => eprintln!(
            "fleet: clusters stopped; their data ({}) is being removed in the background (rm pid {})",
            trash.display(),
            child.id()
        ),
        Err(e) => eprintln!("fleet: cannot start rm -rf {}: {e}", trash.display()),
    }
}
