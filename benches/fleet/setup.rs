//! Fleet set-up: clusters, tenants, inventories, tenantctl's command line,
//! and the checks of its outputs.

#![allow(unused_imports)]
use super::*;

/// The SSH inventory, when the SSH rows are measured and worked so far.
pub(crate) fn ssh_ok_inventory<'a>(
    unavailable: &Option<String>,
    inv: &'a Path,
) -> Option<&'a Path> {
    (unavailable.is_none() && inv.is_file()).then_some(inv)
}

pub(crate) struct Fleet {
    pub(crate) clusters: Vec<Cluster>,
    /// (sessions, xacts) that reading the counters itself adds.
    pub(crate) counter_overhead: (i64, i64),
    pub(crate) sshd_pid: Option<u32>,
}

impl Fleet {
    /// Runs `cmd` with server counters around it.
    pub(crate) fn measure(
        &self,
        cmd: &mut Command,
        scratch: &Path,
        stdin: Option<&Path>,
    ) -> Finished {
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

pub(crate) fn tenant_name(i: usize) -> String {
    format!("t{i:05}")
}

pub(crate) fn statvfs_avail(path: &Path) -> Option<u64> {
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
pub(crate) fn choose_data_dir(o: &Opts) -> PathBuf {
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
pub(crate) fn create_tenants(clusters: &[Cluster], from: usize, to: usize) {
    let spec = bench_spec();
    let k = clusters.len();
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for (ni, c) in clusters.iter().enumerate() {
            let spec = spec.clone();
            s.spawn(move || {
                let mine: Vec<usize> = (from..=to).filter(|i| (i - 1) % k == ni).collect();
                let mut rest = &mine[..];
                // A cluster starts with the harness's cached templates (the
                // tests' default spec): the benchmark's spec is looked up by
                // its own key, and built with the first tenant when absent.
                let key = fixtures::template_key(&spec);
                let has = |c: &Cluster| c.templates.lock().unwrap().contains_key(&key);
                if !has(c) {
                    if let Some((first, tail)) = mine.split_first() {
                        fixtures::create_tenant(c, &tenant_name(*first), &spec);
                        rest = tail;
                    }
                }
                let tmpl = c
                    .templates
                    .lock()
                    .unwrap()
                    .get(&key)
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

/// The connection limit tenantctl gives a node of this benchmark (no
/// `max_connections` in the inventory): sized from the server's free slots
/// with the library's own rule (src/odoo/probe.rs), read the same way.
pub(crate) fn node_limit(c: &Cluster) -> usize {
    let row = c.sql("postgres", tenantctl::odoo::probe::CAPACITY_SQL);
    let v: Vec<i64> = row
        .split('|')
        .map(|x| x.trim().parse().expect("capacity column"))
        .collect();
    tenantctl::odoo::probe::auto_limit(&tenantctl::odoo::probe::Capacity {
        max_connections: v[0],
        reserved: v[1] + v[2],
        // tenantctl's own listing connection is one of the backends it sees
        in_use: v[3] + 1,
    })
}

/// How many connections tenantctl has open at once over `clusters`:
/// min(--concurrency default, the sum of the nodes' limits).
pub(crate) fn tenantctl_at_once(clusters: &[Cluster]) -> (usize, usize) {
    let per_node = clusters.iter().map(node_limit).min().unwrap_or(1);
    let total: usize = clusters.iter().map(node_limit).sum();
    (CONCURRENCY.min(total), per_node)
}

pub(crate) struct NodeAddr {
    pub(crate) name: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) ssh: Option<String>,
}

/// One node per cluster, on its TCP port; `ssh` (a `[node.ssh]` table, see
/// [`ssh_table`]) the same for every node.
pub(crate) fn node_addrs(clusters: &[Cluster], ssh: Option<&str>) -> Vec<NodeAddr> {
    clusters
        .iter()
        .map(|c| NodeAddr {
            name: c.name().to_string(),
            host: c.host().to_string(),
            port: c.port(),
            ssh: ssh.map(str::to_string),
        })
        .collect()
}

/// A `[node.ssh]` table reaching `s` at `host:port` with its key, checking
/// host keys against `known_hosts`; `extra` lines at its end.
pub(crate) fn ssh_table(
    host: &str,
    port: u16,
    s: &Sshd,
    known_hosts: &Path,
    extra: &str,
) -> String {
    format!(
        "[node.ssh]\nhost = {}\nport = {port}\nuser = {}\nidentity_file = {}\nknown_hosts_file = {}\n{extra}",
        toml_string(host),
        toml_string(&s.user()),
        toml_string(&s.identity_file().display().to_string()),
        toml_string(&known_hosts.display().to_string()),
    )
}

/// A cluster for measuring: autovacuum off (a launcher visiting 1000
/// databases forks a worker every few ms: background load that is not what
/// we measure).
pub(crate) fn quiet_cluster(name: &str) -> Cluster {
    let c = Cluster::start(name);
    c.sql("postgres", "ALTER SYSTEM SET autovacuum = off");
    c.sql("postgres", "SELECT pg_reload_conf()");
    c
}

/// `bulk suspend` and `bulk reactivate` of every tenant, JSON out.
pub(crate) const BULK_SUSPEND: [&str; 8] = [
    "-o",
    "json",
    "bulk",
    "suspend",
    "--all-matching",
    "--reason",
    "bench",
    "--yes",
];
pub(crate) const BULK_REACTIVATE: [&str; 6] = [
    "-o",
    "json",
    "bulk",
    "reactivate",
    "--all-matching",
    "--yes",
];

/// `f` exited 0 (else the end of its stderr).
pub(crate) fn exited_ok(f: &Finished) -> Result<(), String> {
    if f.ok() {
        Ok(())
    } else {
        Err(f.stderr_tail())
    }
}

pub(crate) fn write_inventory(path: &Path, nodes: &[NodeAddr]) {
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
pub(crate) fn tenantctl(home: &Path, inv: &Path, args: &[&str]) -> Command {
    let mut cmd = harness::tenantctl_process(home);
    cmd.arg("-i").arg(inv).args(args);
    cmd
}

/// [`tenantctl`] with another binary (`--baseline`): the same environment.
pub(crate) fn tenantctl_at(bin: &Path, home: &Path, inv: &Path, args: &[&str]) -> Command {
    let model = harness::tenantctl_process(home);
    let mut cmd = Command::new(bin);
    for (k, v) in model.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    if let Some(d) = model.get_current_dir() {
        cmd.current_dir(d);
    }
    cmd.arg("-i").arg(inv).args(args);
    cmd
}

pub(crate) fn check_list(
    f: &Finished,
    expected: usize,
    via: &str,
) -> Result<serde_json::Value, String> {
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

pub(crate) fn check_bulk(f: &Finished, expected: usize) -> Result<(), String> {
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
pub(crate) fn check_state(clusters: &[Cluster], suspended: bool) -> Result<(), String> {
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

pub(crate) fn must(what: &str, r: Result<(), String>) {
    if let Err(e) = r {
        panic!("fleet: {what} failed: {e}");
    }
}

/// Stops the clusters and moves their data out of the way, to be deleted by a
/// detached `rm -rf`: deleting tens of GB on a disk with online discard takes
/// minutes that nobody needs to wait for. On tmpfs (fast to delete) and on a
/// panic, the clusters' own Drop removes everything instead.
pub(crate) fn remove_in_background(clusters: &[Cluster], data_dir: &Path) {
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
