//! The PostgreSQL data directories and server processes of the harness's
//! clusters: the cached pristine data dir (initdb and the fixtures' cached
//! templates, made once), and starting and stopping a server without
//! `pg_ctl -w`'s 100 ms polling.

use super::*;
use crate::fixtures::CachedTemplates;

/// A pristine data dir made once by initdb and copied for every cluster (`cp -a` is
/// ~10x faster than initdb), with the fixtures' cached `templates` in it
/// ([`crate::fixtures::CachedTemplates`]: a test's first tenant of those specs is
/// then a copy, not a build). Cached under Cargo's target tmp dir, keyed by the
/// server version and the templates' fingerprint (any change to the fixture
/// SQL builds a new one), so later test runs reuse it too.
fn pristine_datadir(templates: &CachedTemplates) -> PathBuf {
    static DIRS: OnceLock<Mutex<HashMap<u64, PathBuf>>> = OnceLock::new();
    let fingerprint = templates.fingerprint;
    // Another set starts from the default one's (initdb once).
    let default = crate::fixtures::cached_templates();
    let base = (fingerprint != default.fingerprint).then(|| pristine_datadir(default));
    // Held while building: a set is built once per process.
    let mut dirs = DIRS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    dirs.entry(fingerprint)
        .or_insert_with(|| build_pristine(templates, base.as_deref()))
        .clone()
}

/// Makes [`pristine_datadir`]'s cache when it is not there: initdb (or a
/// copy of `base`, the default set's), then the templates built by a server
/// on a copy of it.
fn build_pristine(templates: &CachedTemplates, base: Option<&Path>) -> PathBuf {
    let fingerprint = templates.fingerprint;
    let version = run_ok(Command::new(pg_bin("postgres")).arg("--version"));
    let key: String = format!("{}-{}-{}", version.trim(), pg_bindir().display(), is_root())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cache_root = target_tmpdir();
    // v3: bump when initdb's arguments or the builder below change.
    let cache = cache_root.join(format!("pg-pristine-v3-{key}-{fingerprint:016x}"));
    if cache.join("data").join("PG_VERSION").is_file() {
        return cache;
    }
    std::fs::create_dir_all(&cache_root).unwrap();
    let work = short_tempdir("tcinit");
    let (data, have) = match base {
        Some(b) => (
            b.join("data"),
            crate::fixtures::cached_templates().entries(),
        ),
        None => (initdb(work.path()), HashMap::new()),
    };
    // The cached templates, built by a server on a copy of it.
    let initdb_conf = std::fs::read(data.join("postgresql.auto.conf")).unwrap();
    let builder = Cluster::start_from("pristine", &data, have);
    templates.build(&builder);
    builder.stop();
    let built = builder.data_dir();
    // What the server left that a copy must not inherit: its settings
    // (port, socket dir) and its command line.
    std::fs::write(built.join("postgresql.auto.conf"), initdb_conf).unwrap();
    let _ = std::fs::remove_file(built.join("postmaster.opts"));
    let staging = cache_root.join(format!("pg-pristine-tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    run_ok(
        Command::new("cp")
            .arg("-a")
            .arg(&built)
            .arg(staging.join("data")),
    );
    drop(builder);
    if std::fs::rename(&staging, &cache).is_err() {
        // another test process won the race: use its copy
        let _ = std::fs::remove_dir_all(&staging);
    }
    assert!(cache.join("data").join("PG_VERSION").is_file());
    cache
}

/// A new data dir made by initdb under `work` (in /tmp: postgres may not be
/// able to enter the target dir).
fn initdb(work: &Path) -> PathBuf {
    let pwfile = work.join("pw");
    std::fs::write(&pwfile, format!("{SUPERUSER_PASSWORD}\n")).unwrap();
    if is_root() {
        chown_tree_to_postgres(work);
    }
    let data = work.join("data");
    run_ok(
        pg_server_cmd("initdb", work)
            .arg("-D")
            .arg(&data)
            .args([
                "-N",
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                // 1 MB WAL segments instead of 16: less to copy per cluster
                "--wal-segsize=1",
            ])
            .arg(format!("--pwfile={}", pwfile.display())),
    );
    data
}

/// The pristine data dir with `templates` ([`pristine_datadir`]) staged where
/// the clusters go, once per test process (from tmpfs, copying a cluster's
/// data dir is faster than from Cargo's target dir on disk); removed when the
/// process exits, else by the next run's [`reap_orphans`] (it has an
/// `owner.pid`).
pub(super) fn pristine_source(templates: &CachedTemplates) -> PathBuf {
    static STAGED: OnceLock<Mutex<HashMap<u64, PathBuf>>> = OnceLock::new();
    extern "C" fn remove_staged() {
        if let Some(staged) = STAGED.get() {
            for d in staged.lock().unwrap_or_else(|e| e.into_inner()).values() {
                let _ = d.parent().map(std::fs::remove_dir_all);
            }
        }
    }
    let mut staged = STAGED
        .get_or_init(|| {
            // SAFETY: registers a function without arguments to run at exit.
            unsafe { libc::atexit(remove_staged) };
            Default::default()
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let fingerprint = templates.fingerprint;
    staged
        .entry(fingerprint)
        .or_insert_with(|| {
            let cache = pristine_datadir(templates).join("data");
            let name = format!("tcpristine-{}-{fingerprint:016x}", std::process::id());
            let dir = cluster_base_dir().join(name);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            write_owner_pid(&dir);
            run_ok(
                Command::new("cp")
                    .arg("-a")
                    .arg(&cache)
                    .arg(dir.join("data")),
            );
            dir.join("data")
        })
        .clone()
}

/// Whether process `pid` runs (a zombie does not: nothing may reap it).
fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // pid (comm) state ...: comm may contain spaces and ')'.
        let state = stat
            .rfind(')')
            .and_then(|p| stat[p + 1..].split_whitespace().next());
        state != Some("Z")
    })
}

/// The postmaster's pid and status line from the lock file of `data`
/// (`postmaster.pid`: the pid on line 1, `ready` on line 8 once it
/// accepts connections, what `pg_ctl -w` waits for).
fn lock_file(data: &Path) -> (Option<u32>, bool) {
    let lock = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
    let lines: Vec<&str> = lock.lines().collect();
    let pid = lines.first().and_then(|l| l.trim().parse().ok());
    (pid, lines.get(7).is_some_and(|l| l.trim() == "ready"))
}

/// Starts the server of a fresh data dir as `pg_ctl -w start` does, but
/// looks every 5 ms instead of pg_ctl's 100 ms: `pg_ctl -W` launches it,
/// the lock file says when it is ready, and a postmaster that exited (a
/// port taken since it was picked) or a FATAL line in its log ends the wait
/// with the log. Only for a dir whose server never ran (no stale lock file).
pub(super) fn pg_start_fresh(dir: &Path) -> Result<(), String> {
    let (data, log) = (dir.join("data"), dir.join("log"));
    let log_from = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    let new_log = || {
        let all = std::fs::read(&log).unwrap_or_default();
        String::from_utf8_lossy(all.get(log_from as usize..).unwrap_or_default()).into_owned()
    };
    let out = run_output(
        pg_server_cmd("pg_ctl", dir)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-W", "-s", "start"]),
    );
    if !out.status.success() {
        return Err(format!(
            "pg_ctl start failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            new_log()
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = None;
    loop {
        let (pid, ready) = lock_file(&data);
        if ready {
            return Ok(());
        }
        seen = pid.or(seen);
        let exited = seen.is_some_and(|p| !process_alive(p));
        if exited || (pid.is_none() && new_log().contains("FATAL")) || Instant::now() > deadline {
            // Gone, or on its way out: let it finish before the next attempt.
            if let Some(p) = seen {
                let _ = signal_and_wait(p, libc::SIGQUIT);
            }
            return Err(format!(
                "PostgreSQL did not start\nserver log:\n{}",
                new_log()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sends `signal` to `pid` and waits (looking every 2 ms; at most 60 s)
/// until it is gone.
fn signal_and_wait(pid: u32, signal: i32) -> Result<(), String> {
    // SAFETY: kill only sends a signal.
    if unsafe { libc::kill(pid as libc::pid_t, signal) } != 0 {
        return Ok(()); // no such process: already gone
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while process_alive(pid) {
        if Instant::now() > deadline {
            return Err(format!(
                "process {pid} still runs 60 s after signal {signal}"
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

/// Stops the server of `data` as `pg_ctl stop -m fast|immediate` does
/// (`SIGINT` / `SIGQUIT` to the postmaster), but looks every 2 ms instead
/// of pg_ctl's 100 ms whether it is gone. Nothing running: nothing to do.
pub(super) fn pg_stop(data: &Path, signal: i32) -> Result<(), String> {
    match lock_file(data).0 {
        Some(pid) => signal_and_wait(pid, signal),
        None => Ok(()),
    }
}

pub(super) fn pg_ctl_start(dir: &Path) -> Result<(), String> {
    let log = dir.join("log");
    let out = run_output(
        pg_server_cmd("pg_ctl", dir)
            .arg("-D")
            .arg(dir.join("data"))
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-s", "start"]),
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "pg_ctl start failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        ))
    }
}
