//! Measuring one command: wall time, RSS and CPU (wait4), server CPU and
//! session counters, machine load.

#![allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    pub(crate) wall: f64,
    pub(crate) rss_mb: f64,
    /// user + system CPU of the process and the children it waited for.
    pub(crate) client_cpu: f64,
    /// CPU of every PostgreSQL process of every cluster during the run.
    pub(crate) server_cpu: f64,
    /// Server sessions (connections) opened during the run.
    pub(crate) sessions: i64,
    /// Server transactions committed or rolled back during the run.
    pub(crate) xacts: i64,
    /// CPU of the local sshd and its session processes during the run.
    pub(crate) sshd_cpu: f64,
    /// Peak RSS of daemonised descendants (ssh masters), not in `rss_mb`.
    pub(crate) orphan_rss_mb: f64,
    /// CPU used by the whole machine during the run (/proc/stat).
    pub(crate) machine_cpu: f64,
}

pub(crate) struct Finished {
    pub(crate) sample: Sample,
    pub(crate) status: i32,
    pub(crate) stdout: PathBuf,
    pub(crate) stderr: PathBuf,
}

impl Finished {
    pub(crate) fn ok(&self) -> bool {
        self.status == 0
    }
    pub(crate) fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }
    pub(crate) fn stderr_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(5)..].join("\n")
    }
}

/// Reaps ended children other than the one waited for by pid (bounded: a
/// short grace for an ssh master that is still exiting): (CPU s, max RSS MB).
pub(crate) fn reap_orphans() -> (f64, f64) {
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
pub(crate) fn has_orphan_ssh() -> bool {
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

pub(crate) fn timeval_secs(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Runs `cmd` to completion (stdout/stderr to files in `scratch`, stdin from
/// `stdin` or /dev/null), killed after [`COMMAND_TIMEOUT`].
pub(crate) fn run_measured(cmd: &mut Command, scratch: &Path, stdin: Option<&Path>) -> Finished {
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

pub(crate) fn clk_tck() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// (ppid, utime+stime, cutime+cstime) in clock ticks from /proc/PID/stat.
pub(crate) fn proc_times(pid: u32) -> Option<(u32, u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // rest[0] is field 3 (state): field n is rest[n - 3]
    let f = |n: usize| rest.get(n - 3).and_then(|s| s.parse::<u64>().ok());
    Some((f(4)? as u32, f(14)? + f(15)?, f(16)? + f(17)?))
}

/// Busy CPU seconds of the whole machine so far (all cores).
pub(crate) fn machine_busy() -> f64 {
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

pub(crate) fn postmaster_pid(c: &Cluster) -> Option<u32> {
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
pub(crate) fn server_cpu(clusters: &[Cluster]) -> f64 {
    tree_cpu(
        &clusters
            .iter()
            .filter_map(postmaster_pid)
            .collect::<Vec<_>>(),
    )
}

/// CPU seconds of the given processes, their reaped children and their live
/// children.
pub(crate) fn tree_cpu(pms: &[u32]) -> f64 {
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
pub(crate) fn db_counters(c: &Cluster) -> (i64, i64, i64) {
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
pub(crate) fn settle(clusters: &[Cluster]) -> (i64, i64) {
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

/// Medians over `dbs` of psql's round-trip time of `sql` as the first
/// statement of a connection and again on the same connection (ms).
pub(crate) fn cold_warm_ms(c: &Cluster, dbs: &[String], sql: &str) -> (f64, f64) {
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

/// Server-side time (ms, mean over the nodes) of listing a node's databases
/// with `pg_database_size` (tenantctl's query) and without it.
pub(crate) fn node_listing_ms(clusters: &[Cluster]) -> (f64, f64) {
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

pub(crate) fn floor_stat(out: &str, key: &str) -> u128 {
    out.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
