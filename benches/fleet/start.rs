//! Fleet set-up: the clusters (nodes), the scratch directory with its
//! inventories (direct, over SSH, over the Unix socket), the local sshd, and
//! what the measurements need from them.

use super::*;

/// Everything the measurements run against.
pub(crate) struct Env {
    pub(crate) fleet: Fleet,
    pub(crate) scratch: tempfile::TempDir,
    pub(crate) home: PathBuf,
    pub(crate) sshd: Option<Sshd>,
    pub(crate) inv_direct: PathBuf,
    pub(crate) inv_ssh: PathBuf,
    pub(crate) inv_unix: PathBuf,
    pub(crate) tcp_nodes: Vec<(String, u16)>,
    pub(crate) unix_nodes: Vec<(String, u16)>,
    pub(crate) work: PathBuf,
    /// The new password of `passwd` (its stdin).
    pub(crate) pw_file: PathBuf,
}

/// Starts the nodes (no tenants yet: `create_tenants` per size) and writes
/// the inventories.
pub(crate) fn start(o: &Opts) -> Env {
    // --- clusters ----------------------------------------------------------
    let clusters: Vec<Cluster> = (1..=o.nodes)
        .map(|i| quiet_cluster(&format!("n{i}")))
        .collect();
    let _ = NODE_LIMIT.set(tenantctl_at_once(&clusters).1);
    // Short: tenantctl puts its SSH forward sockets under XDG_RUNTIME_DIR here.
    let scratch = tempfile::Builder::new()
        .prefix("fleet")
        .tempdir_in("/tmp")
        .expect("scratch dir");
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let sshd = if o.ssh { Sshd::try_start() } else { None };
    let inv_direct = scratch.path().join("nodes.toml");
    write_inventory(&inv_direct, &node_addrs(&clusters, None));
    let inv_ssh = scratch.path().join("nodes-ssh.toml");
    if let Some(s) = &sshd {
        let ssh = ssh_table(s.host(), s.port(), s, &s.known_hosts_file(), "");
        write_inventory(&inv_ssh, &node_addrs(&clusters, Some(&ssh)));
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

    let pw_file = scratch.path().join("pw");
    std::fs::write(&pw_file, format!("{NEW_PASSWORD}\n")).unwrap();
    Env {
        fleet,
        scratch,
        home,
        sshd,
        inv_direct,
        inv_ssh,
        inv_unix,
        tcp_nodes,
        unix_nodes,
        work,
        pw_file,
    }
}
