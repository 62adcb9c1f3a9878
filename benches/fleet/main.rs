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
mod latency;
mod measure;
mod opts;
mod proxy;
mod report;
mod setup;
mod sized;

use competitors::*;
use fixtures::TenantSpec;
use harness::{quote_ident, toml_string, Cluster, Sshd, PASSWORD_ENV, SUPERUSER_PASSWORD};
use measure::*;
use opts::*;
use report::*;
use setup::*;

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

/// tenantctl's node listing and per-tenant list query, from the library
/// (src/odoo/probe.rs): the benchmark cannot drift from them.
const CANDIDATES_SQL: &str = tenantctl::odoo::probe::CANDIDATES_SQL;
const LIST_SQL: &str = tenantctl::odoo::probe::SUMMARY_SQL;

/// tenantctl's suspension (lock, state, switch users off and record them,
/// commit, cache signal) as one multi-statement simple query: one round trip.
/// This is the floor's rewrite of src/odoo/suspension.rs's statements (the
/// library runs them as separate extended-protocol statements), so it is the
/// one SQL text kept here.
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
            if o.sized && si == 0 {
                sized::grow(&fleet.clusters[0], fleet.clusters.len());
            }
            created = total;
            // Settle the writes of setup before measuring.
            for c in &fleet.clusters {
                c.sql("postgres", "CHECKPOINT");
            }
            // SAFETY: sync has no preconditions.
            unsafe { libc::sync() };
        }
        if o.latency_only {
            continue;
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

    let sized_rows = if o.sized {
        eprintln!("fleet: real-sized tenants");
        sized::measure(&fleet, &home, &inv_direct, &work)
    } else {
        Vec::new()
    };
    let latency_rows = if o.latency_ms.is_empty() {
        Vec::new()
    } else {
        latency::run(
            &latency::Ctx {
                fleet: &fleet,
                home: &home,
                work: &work,
                scratch: scratch.path(),
                pw_file: &pw_file,
                tenants: created,
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
    if !sized_rows.is_empty() {
        sized::print(&sized_rows);
    }
    if !latency_rows.is_empty() {
        latency::print(&latency_rows, o.nodes);
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
