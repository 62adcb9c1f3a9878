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
//! and runs docs/performance-summary.md's command. Needs root for the SSH rows (sshd logs in
//! the current user); PostgreSQL then runs as the `postgres` OS user.
//!
//! `FLEET_HOLD=FILE`: once the tenants exist, the benchmark writes the
//! fleet's inventory, ports and tenantctl's environment into FILE and waits
//! until FILE is removed (to measure by hand on the benchmark's own fleet).

#![allow(dead_code)]

#[path = "../../tests/integration/fixtures.rs"]
mod fixtures;
#[path = "../../tests/integration/harness.rs"]
mod harness;

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod competitors;
mod fixed;
mod latency;
mod lifecycle;
mod measure;
mod opts;
mod proxy;
mod report;
mod setup;
mod sized;
mod sizes;
mod start;

use competitors::*;
use fixtures::TenantSpec;
use harness::{quote_ident, toml_string, Cluster, Sshd, PASSWORD_ENV, SUPERUSER_PASSWORD};
use measure::*;
use opts::*;
use report::*;
use setup::*;

/// tenantctl's default `--concurrency`, which the floor copies (the per-node
/// limit is sized from each server: `setup::node_limit`).
const CONCURRENCY: usize = 64;

/// The per-node limit tenantctl uses on this run's nodes (set once the
/// clusters run; see `setup::node_limit`).
static NODE_LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn node_max() -> usize {
    *NODE_LIMIT
        .get()
        .expect("node limit read after the clusters started")
}
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

/// tenantctl's node listing and per-tenant list query, from the library
/// (src/odoo/probe.rs): the benchmark cannot drift from them.
const CANDIDATES_SQL: &str = tenantctl::odoo::probe::CANDIDATES_SQL;
const LIST_SQL: &str = tenantctl::odoo::probe::SUMMARY_SQL;

/// The floor's one-round-trip SQL with the library's tenant lock key and
/// cache signal put in.
fn one_trip(sql: &str) -> String {
    sql.replace("{LOCK_KEY}", &tenantctl::odoo::TENANT_LOCK_KEY.to_string())
        .replace("{SIGNAL}", signal_sql())
}

/// tenantctl's suspension (lock, state, switch users off and record them,
/// commit, cache signal) as one multi-statement simple query: one round trip.
/// This is the floor's rewrite of src/odoo/suspension.rs's statements (the
/// library runs them as separate extended-protocol statements), so it is the
/// one SQL text kept here.
const SUSPEND_SQL_ONE_TRIP: &str = "BEGIN;
SELECT pg_advisory_xact_lock({LOCK_KEY});
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
{SIGNAL};";

/// tenantctl's reactivation as one multi-statement simple query.
const REACTIVATE_SQL_ONE_TRIP: &str = "BEGIN;
SELECT pg_advisory_xact_lock({LOCK_KEY});
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
{SIGNAL};";

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
    if o.lifecycle {
        return lifecycle::run_all(&o);
    }
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

    let env = start::start(&o);
    let mut col = sizes::Collected::new(&env, &o);
    let fx = fixed::measure(&env, &o, &mut col.notes);
    let mut created = 0usize;
    for (si, &scale) in o.scales.iter().enumerate() {
        let total = o.tenants * scale;
        if created < total {
            create_tenants(&env.fleet.clusters, created + 1, total);
            if o.sized && si == 0 {
                sized::grow(&env.fleet.clusters[0], env.fleet.clusters.len());
            }
            created = total;
            // Settle the writes of setup before measuring.
            for c in &env.fleet.clusters {
                c.sql("postgres", "CHECKPOINT");
            }
            // SAFETY: sync has no preconditions.
            unsafe { libc::sync() };
        }
        if o.latency_only {
            continue;
        }
        hold(&env);
        sizes::measure(&env, &fx, &o, si, scale, &mut col);
    }
    let start::Env {
        fleet,
        scratch,
        home,
        sshd,
        inv_direct,
        work,
        pw_file,
        ..
    } = env;
    let fixed::Fixed {
        hash_runs,
        pure_tc,
        python,
        s_passlib,
        pure_passlib,
        passlib_backend,
        help_runs,
        s_help,
        ..
    } = fx;
    let sizes::Collected {
        mut lines,
        mut breakdown,
        mut notes,
        list_rss,
        load_seen,
        foreign,
        ..
    } = col;

    let sized_rows = if o.sized {
        eprintln!("fleet: real-sized tenants");
        sized::measure(&fleet, &home, &inv_direct, &work)
    } else {
        Vec::new()
    };
    // Further sections run here on the same fleet, each returning its rows
    // and printing its own table after the report (e.g. benches/fleet/
    // lifecycle.rs: create / duplicate / backup).
    let (latency_rows, ssh_setup) = if o.latency_ms.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        latency::run(
            &latency::Ctx {
                fleet: &fleet,
                home: &home,
                work: &work,
                scratch: scratch.path(),
                pw_file: &pw_file,
                tenants: created,
                sshd: sshd.as_ref(),
            },
            &o,
        )
    };

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
    println!("- **floor**: this benchmark's own minimal client (tokio-postgres): per node one connection listing `pg_database`, then one connection per tenant database running `SELECT 1`, at tenantctl's limits ({CONCURRENCY} at once, {} per node: sized from the server as tenantctl does), same TCP + scram-sha-256 authentication, no TLS (sslmode disable) on both.", node_max());
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
    if !sized_rows.is_empty() {
        sized::print(&sized_rows);
    }
    if !latency_rows.is_empty() {
        latency::print(&latency_rows, &ssh_setup, o.nodes);
    }
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

/// `FLEET_HOLD=FILE`: once the tenants exist, writes how to reach the fleet
/// into FILE and waits until FILE is removed (for measuring by hand on the
/// benchmark's own clusters).
fn hold(env: &start::Env) {
    let Some(path) = std::env::var_os("FLEET_HOLD") else {
        return;
    };
    let model = harness::tenantctl_process(&env.home);
    let envs: Vec<String> = model
        .get_envs()
        .filter_map(|(k, v)| {
            Some(format!(
                "export {}={:?}",
                k.to_string_lossy(),
                v?.to_string_lossy()
            ))
        })
        .collect();
    let ports: Vec<String> = env
        .fleet
        .clusters
        .iter()
        .map(|c| format!("{}:{}", c.host(), c.port()))
        .collect();
    let text = format!(
        "{}\nINV={}\nPORTS=\"{}\"\n",
        envs.join("\n"),
        env.inv_direct.display(),
        ports.join(" ")
    );
    std::fs::write(&path, text).unwrap();
    eprintln!(
        "fleet: holding until {} is removed",
        Path::new(&path).display()
    );
    while Path::new(&path).exists() {
        std::thread::sleep(Duration::from_secs(2));
    }
}
