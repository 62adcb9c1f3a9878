//! Nodes behind SSH (issue 4), against a real OpenSSH server on loopback and
//! real PostgreSQL clusters: the same results as direct nodes, host-key
//! policy, per-node failures, clean shutdown (also on SIGINT and SIGKILL),
//! 50 connections through one tunnel, TLS end to end inside the tunnel.
//!
//! Every test gives tenantctl its own short `XDG_RUNTIME_DIR` (where the
//! tunnels' private directories go) and checks after each command that it
//! is empty again and that no process mentions it (the ssh masters and any
//! ssh still connecting have it on their command line).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{
    create_tenant, login_possible, login_works, user_states, TenantSpec, ADMIN_PASSWORD,
};
use crate::harness::{free_port, pg_bindir, tenantctl_process, toml_string, Cluster, Sshd};
use crate::world::{json_of as json, Inventory};

/// What an SSH test adds to a world: its HOME (audit log...) and a short
/// runtime dir under /tmp (the tunnels' sockets), checked to be left empty,
/// with the inventory in HOME. The clusters come from the harness; the
/// inventory's `[defaults]` are [`Inventory`]'s.
struct Tunnels {
    home: tempfile::TempDir,
    run: tempfile::TempDir,
    inv: PathBuf,
}

impl Tunnels {
    fn new() -> Tunnels {
        let home = tempfile::tempdir().unwrap();
        // Short, under /tmp: the tunnels' socket paths must stay < 108 bytes.
        let run = tempfile::Builder::new()
            .prefix("tr")
            .tempdir_in("/tmp")
            .unwrap();
        let inv = home.path().join("nodes.toml");
        Tunnels { home, run, inv }
    }

    /// The inventory: the harness's `[defaults]`, then `nodes` (TOML text).
    fn write_inventory(&self, nodes: &str) {
        Inventory::default().extra(nodes).write(&self.inv);
    }

    /// tenantctl (the harness's environment) with this runtime dir and inventory.
    fn process(&self) -> Command {
        let mut c = tenantctl_process(self.home.path());
        c.env("XDG_RUNTIME_DIR", self.run.path())
            .arg("-i")
            .arg(&self.inv);
        c
    }

    fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.process())
    }

    /// The same, as a plain process (for signals), in its own process group
    /// like a job started from a shell.
    fn spawn(&self, args: &[&str]) -> Child {
        use std::os::unix::process::CommandExt;
        self.process()
            .process_group(0)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Nothing of the tunnels remains: no directory, no process.
    fn assert_clean(&self, after: &str) {
        let left: Vec<String> = std::fs::read_dir(self.run.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.is_empty(),
            "after {after}: left in the runtime dir: {left:?}"
        );
        let procs = processes_mentioning(self.run.path());
        assert!(procs.is_empty(), "after {after}: processes left: {procs:?}");
    }
}

/// (pid, command line) of live processes whose command line contains `needle`.
fn processes_mentioning(needle: &Path) -> Vec<(u32, String)> {
    let needle = needle.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(true);
        if cmd.contains(&needle) && !zombie {
            out.push((pid, cmd));
        }
    }
    out
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// `[[node]]` reached through `sshd` with its accepted key and known_hosts;
/// `extra_ssh` goes into its `[node.ssh]` table.
fn ssh_node(name: &str, host: &str, port: u16, sshd: &Sshd, extra_ssh: &str) -> String {
    ssh_node_with(name, host, port, "", sshd, extra_ssh)
}

/// [`ssh_node`] with `extra_node` lines in the `[[node]]` table itself.
fn ssh_node_with(
    name: &str,
    host: &str,
    port: u16,
    extra_node: &str,
    sshd: &Sshd,
    extra_ssh: &str,
) -> String {
    format!(
        "[[node]]\nname = {}\nhost = {}\nport = {port}\n{extra_node}\n[node.ssh]\nhost = \"127.0.0.1\"\nport = {}\nuser = {}\nidentity_file = {}\nknown_hosts_file = {}\n{extra_ssh}\n",
        toml_string(name),
        toml_string(host),
        sshd.port(),
        toml_string(&sshd.user()),
        toml_string(&sshd.identity_file().to_string_lossy()),
        toml_string(&sshd.known_hosts_file().to_string_lossy()),
    )
}

fn direct_node(name: &str, c: &Cluster) -> String {
    format!(
        "[[node]]\nname = {}\nhost = \"127.0.0.1\"\nport = {}\n",
        toml_string(name),
        c.port()
    )
}

/// How many SSH logins sshd accepted so far.
fn logins(sshd: &Sshd) -> usize {
    sshd.log().matches("Accepted publickey").count()
}

fn rows_of<'a>(v: &'a Value, node: &str) -> Vec<&'a Value> {
    v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["node"] == node)
        .collect()
}

/// A row without what differs between two nodes holding the same tenants.
fn comparable(row: &Value) -> Value {
    let mut r = row.clone();
    let m = r.as_object_mut().unwrap();
    for k in ["node", "via", "size_bytes"] {
        m.remove(k);
    }
    r
}

fn start_sshd() -> Option<Sshd> {
    Sshd::try_start()
}

/// The common set-up: an sshd, a cluster `name` behind it holding the tenant
/// `nova`, and a fresh [`Tunnels`]; `None` (the test skips) without sshd.
fn nova_behind_ssh(name: &str) -> Option<(Sshd, Cluster, Tunnels)> {
    let sshd = start_sshd()?;
    let s = Cluster::start(name);
    create_tenant(&s, "nova", &TenantSpec::default());
    Some((sshd, s, Tunnels::new()))
}

/// Makes an ed25519 key pair at `path` (and `path`.pub) with `passphrase`.
fn ssh_keygen(path: &Path, passphrase: &str) {
    run_ok(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", passphrase, "-f"])
            .arg(path),
    );
}

/// Runs `c`, which must succeed (else panics with its stderr).
fn run_ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Nodes `s` (the cluster `s` behind `sshd`) and `hang`, direct on `silent`
/// (a [`silent_port`]) and given up after 10 s: it keeps a listing going.
fn s_and_hang(s: &Cluster, sshd: &Sshd, silent: u16) -> String {
    format!(
        "{}\n[[node]]\nname = \"hang\"\nhost = \"127.0.0.1\"\nport = {silent}\nconnect_timeout = \"10s\"\n",
        ssh_node("s", "127.0.0.1", s.port(), sshd, ""),
    )
}

// ---------------------------------------------------------------------------

#[test]
fn ssh_and_direct_nodes_give_the_same_results() {
    let Some(sshd) = start_sshd() else { return };
    let d = Cluster::start("direct");
    let s = Cluster::start("behind-ssh");
    for c in [&d, &s] {
        create_tenant(c, "acme", &TenantSpec::default());
        create_tenant(c, "nova", &TenantSpec::for_major(19));
        create_tenant(
            c,
            "umbrella",
            &TenantSpec {
                suspended_by_old_agent: true,
                ..TenantSpec::for_major(12)
            },
        );
    }
    let w = Tunnels::new();
    // `s` by TCP from the SSH host, `sock` by the cluster's Unix socket there.
    w.write_inventory(&format!(
        "{}\n{}\n{}",
        direct_node("d", &d),
        ssh_node("s", "127.0.0.1", s.port(), &sshd, ""),
        ssh_node(
            "sock",
            &s.socket_dir().to_string_lossy(),
            s.port(),
            &sshd,
            ""
        ),
    ));

    // list: the same rows through both, `via` says how.
    let before = logins(&sshd);
    let a = w.cmd().args(["list", "-o", "json"]).assert().success();
    w.assert_clean("list");
    assert_eq!(logins(&sshd) - before, 2, "one SSH connection per ssh node");
    let v = json(&a);
    assert_eq!(v["errors"], serde_json::json!([]));
    let (rd, rs, rsock) = (rows_of(&v, "d"), rows_of(&v, "s"), rows_of(&v, "sock"));
    assert_eq!(rd.len(), 3, "{v:#}");
    assert!(rd.iter().all(|r| r["via"] == "direct"));
    assert!(rs.iter().chain(&rsock).all(|r| r["via"] == "ssh"));
    let cd: Vec<Value> = rd.iter().map(|r| comparable(r)).collect();
    let cs: Vec<Value> = rs.iter().map(|r| comparable(r)).collect();
    let csock: Vec<Value> = rsock.iter().map(|r| comparable(r)).collect();
    assert_eq!(cd, cs);
    assert_eq!(cd, csock);
    // The table works the same way; --verbose says how each node was reached.
    let a = w.cmd().args(["-v", "list"]).assert().success();
    w.assert_clean("list (table)");
    let table = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert_eq!(table.lines().count(), 1 + 9, "{table}");
    let err = stderr(&a);
    for want in [
        format!("node d (127.0.0.1:{}, direct): listed", d.port()),
        format!("node s (127.0.0.1:{}, ssh): listed", s.port()),
        format!(
            "node sock ({}/.s.PGSQL.{}, ssh): listed",
            s.socket_dir().display(),
            s.port()
        ),
    ] {
        assert!(err.contains(&want), "{want:?} in:\n{err}");
    }

    let ours = |v: &Value| {
        let mut v = v.clone();
        let m = v.as_object_mut().unwrap();
        assert!(m.remove("node").is_some());
        assert!(m.remove("via").is_some());
        v
    };

    // passwd through both: same result, and Odoo's check accepts the new one.
    let mut results = Vec::new();
    for (node, c) in [("d", &d), ("s", &s)] {
        let a = w
            .cmd()
            .args([
                "passwd",
                &format!("{node}/acme"),
                "--password-stdin",
                "-o",
                "json",
            ])
            .write_stdin("N3w-secret-pass\n")
            .assert()
            .success();
        w.assert_clean("passwd");
        let v = json(&a);
        assert_eq!(v["via"], if node == "d" { "direct" } else { "ssh" });
        assert!(login_works(c, "acme", "admin", "N3w-secret-pass", 16));
        assert!(!login_works(c, "acme", "admin", ADMIN_PASSWORD, 16));
        results.push(ours(&v));
    }
    assert_eq!(results[0], results[1]);

    // suspend / reactivate through both: same results, same users.
    for action in ["suspend", "reactivate"] {
        let mut results = Vec::new();
        for (node, c) in [("d", &d), ("s", &s)] {
            let target = format!("{node}/nova");
            let mut args = vec![action, target.as_str(), "--yes", "-o", "json"];
            if action == "suspend" {
                args.extend(["--reason", "unpaid"]);
            }
            let a = w.cmd().args(&args).assert().success();
            w.assert_clean(action);
            let v = json(&a);
            assert_eq!(v["outcome"], "changed", "{v:#}");
            assert_eq!(
                login_possible(c, "nova", "admin"),
                action == "reactivate",
                "{node}: {action}"
            );
            results.push(ours(&v));
        }
        assert_eq!(results[0], results[1], "{action}");
    }
    assert_eq!(user_states(&d, "nova"), user_states(&s, "nova"));

    // --verbose names how the tenant's node is reached.
    let a = w
        .cmd()
        .args([
            "-v",
            "suspend",
            "s/acme",
            "--reason",
            "x",
            "--yes",
            "--dry-run",
        ])
        .assert()
        .success();
    w.assert_clean("suspend --dry-run");
    assert!(
        stderr(&a).contains("on node s (127.0.0.1:"),
        "{}",
        stderr(&a)
    );
    assert!(stderr(&a).contains(", ssh)"), "{}", stderr(&a));
}

#[test]
fn host_key_policy_strict_refuses_accept_new_records() {
    let Some(sshd) = start_sshd() else { return };
    let d = Cluster::start("direct");
    let s = Cluster::start("behind-ssh");
    create_tenant(&d, "acme", &TenantSpec::default());
    create_tenant(&s, "nova", &TenantSpec::default());
    let w = Tunnels::new();
    let kh = w.home.path().join("known_hosts");
    std::fs::write(&kh, "").unwrap();
    let node = |policy: &str| {
        ssh_node("s", "127.0.0.1", s.port(), &sshd, policy).replace(
            &toml_string(&sshd.known_hosts_file().to_string_lossy()),
            &toml_string(&kh.to_string_lossy()),
        )
    };
    let key_known = || {
        Command::new("ssh-keygen")
            .arg("-F")
            .arg(format!("[127.0.0.1]:{}", sshd.port()))
            .arg("-f")
            .arg(&kh)
            .output()
            .unwrap()
            .status
            .success()
    };

    // Unknown key, strict (the default): refused with ssh's reason, the other
    // node listed, exit 3; a write changes nothing.
    w.write_inventory(&format!("{}\n{}", direct_node("d", &d), node("")));
    let a = w.cmd().args(["list", "-o", "json"]).assert().code(3);
    w.assert_clean("refused list");
    let v = json(&a);
    assert_eq!(rows_of(&v, "d").len(), 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["errors"][0]["node"], "s");
    let err = v["errors"][0]["error"].as_str().unwrap();
    // Named: the SSH host (not only PostgreSQL's address behind it), the
    // known-hosts file, the fix, and an ssh command doing what tenantctl did.
    let dest = format!("{}@127.0.0.1:{}", sshd.user(), sshd.port());
    assert!(
        err.starts_with(&format!("node s (127.0.0.1:{} via ssh {dest}): ", s.port()))
            && err.contains(&format!(
                "ssh: the host key of SSH host {dest} is unknown: not in {}",
                kh.display()
            ))
            && err.contains(&format!(
                "`ssh-keyscan -p {} 127.0.0.1 >> {}`",
                sshd.port(),
                kh.display()
            ))
            && err.contains("host_key_check = \"accept-new\"")
            && err.contains("(Host key verification failed)"),
        "{err}"
    );
    let (_, repro) = err.split_once("; to reproduce: ").expect("an ssh command");
    assert!(
        repro.starts_with("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i "),
        "{repro}"
    );
    // The suggested command reproduces the failure, and succeeds with the
    // real known-hosts file.
    let run_repro = |cmd: &str| {
        Command::new("sh")
            .args(["-c", cmd])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let out = run_repro(repro);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Host key verification failed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed = repro.replace(
        &kh.display().to_string(),
        &sshd.known_hosts_file().display().to_string(),
    );
    let out = run_repro(&fixed);
    assert!(
        out.status.success(),
        "{fixed}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stderr(&a).contains("is unknown: not in"), "{}", stderr(&a));
    assert_eq!(stderr(&a).lines().count(), 1, "one line: {}", stderr(&a));
    let users = user_states(&s, "nova");
    let a = w
        .cmd()
        .args(["suspend", "s/nova", "--reason", "x", "--yes"])
        .assert()
        .failure();
    w.assert_clean("refused suspend");
    assert!(stderr(&a).contains("is unknown: not in"), "{}", stderr(&a));
    assert_eq!(user_states(&s, "nova"), users, "nothing changed");
    assert!(!key_known(), "strict records nothing");

    // accept-new: accepted and recorded; strict then accepts it too.
    w.write_inventory(&format!(
        "{}\n{}",
        direct_node("d", &d),
        node("host_key_check = \"accept-new\"")
    ));
    let a = w.cmd().args(["list", "-o", "json"]).assert().success();
    w.assert_clean("accept-new list");
    assert_eq!(rows_of(&json(&a), "s").len(), 1);
    assert!(key_known(), "accept-new records the key");
    assert!(
        stderr(&a).contains("node s: ssh: Permanently added")
            && stderr(&a).contains(&kh.display().to_string()),
        "a newly added key is reported, as ssh does: {}",
        stderr(&a)
    );
    w.write_inventory(&format!("{}\n{}", direct_node("d", &d), node("")));
    w.cmd().args(["list", "-o", "json"]).assert().success();
    w.assert_clean("strict list, key known");
    // -v: how the node is reached and how long the SSH login took.
    let a = w
        .cmd()
        .args(["-v", "list", "-o", "json"])
        .assert()
        .success();
    w.assert_clean("verbose list");
    let e = stderr(&a);
    assert!(
        e.contains(&format!("node s: opening ssh to {dest}"))
            && e.contains("node s: ssh master pid"),
        "{e}"
    );

    // A changed key is refused under both policies.
    let other = w.home.path().join("other_host_key");
    ssh_keygen(&other, "");
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let fields: Vec<&str> = other_pub.split_whitespace().collect();
    std::fs::write(
        &kh,
        format!("[127.0.0.1]:{} {} {}\n", sshd.port(), fields[0], fields[1]),
    )
    .unwrap();
    for policy in ["", "host_key_check = \"accept-new\""] {
        w.write_inventory(&format!("{}\n{}", direct_node("d", &d), node(policy)));
        let a = w.cmd().args(["list", "-o", "json"]).assert().code(3);
        w.assert_clean("changed key");
        let v = json(&a);
        let err = v["errors"][0]["error"].as_str().unwrap();
        assert!(
            err.contains("has CHANGED from the one recorded in")
                && err.contains("may be an attack")
                && err.contains(&format!("ssh-keygen -R '[127.0.0.1]:{}' -f", sshd.port()))
                && !err.contains("is unknown"),
            "{policy}: {err}"
        );
    }
}

#[test]
fn ssh_failures_are_clear_per_node_errors() {
    let Some(sshd) = start_sshd() else { return };
    let Some(down) = start_sshd() else { return };
    down.stop();
    let d = Cluster::start("direct");
    let s = Cluster::start("behind-ssh");
    create_tenant(&d, "acme", &TenantSpec::default());
    create_tenant(&s, "nova", &TenantSpec::default());
    let w = Tunnels::new();
    // A key sshd accepts but that needs a passphrase, with no agent.
    let locked = w.home.path().join("locked_ed25519");
    ssh_keygen(&locked, "a passphrase");
    let mut ak = std::fs::OpenOptions::new()
        .append(true)
        .open(sshd.dir().join("authorized_keys"))
        .unwrap();
    ak.write_all(&std::fs::read(locked.with_extension("pub")).unwrap())
        .unwrap();
    let with_key = |name: &str, key: &Path| {
        ssh_node(name, "127.0.0.1", s.port(), &sshd, "").replace(
            &toml_string(&sshd.identity_file().to_string_lossy()),
            &toml_string(&key.to_string_lossy()),
        )
    };
    let closed = free_port();
    w.write_inventory(&format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        direct_node("d", &d),
        ssh_node("ok", "127.0.0.1", s.port(), &sshd, ""),
        with_key("wrongkey", &sshd.wrong_identity_file()),
        with_key("passphrase", &locked),
        ssh_node("sshdown", "127.0.0.1", s.port(), &down, ""),
        ssh_node("pgdown", "127.0.0.1", closed, &sshd, ""),
    ));
    let a = w
        .cmd()
        .args(["list", "-o", "json"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(3);
    w.assert_clean("list with failing nodes");
    let v = json(&a);
    assert_eq!(rows_of(&v, "d").len(), 1, "{v:#}");
    assert_eq!(rows_of(&v, "ok").len(), 1, "{v:#}");
    let errors: Vec<(String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"].as_str().unwrap().to_string(),
                e["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let nodes: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(nodes, ["passphrase", "pgdown", "sshdown", "wrongkey"]);
    let dest = |d: &Sshd| format!("{}@127.0.0.1:{}", d.user(), d.port());
    let expect = [
        ("passphrase", format!("ssh: SSH host {}: {}@127.0.0.1: Permission denied (publickey); to reproduce: ssh ", dest(&sshd), sshd.user())),
        ("pgdown", format!("ssh: the SSH host cannot reach PostgreSQL at 127.0.0.1:{closed}: connect failed: Connection refused")),
        ("sshdown", format!("ssh: SSH host {}: connect to host 127.0.0.1 port {}: Connection refused; to reproduce: ssh ", dest(&down), down.port())),
        ("wrongkey", format!("ssh: SSH host {}: {}@127.0.0.1: Permission denied (publickey); to reproduce: ssh ", dest(&sshd), sshd.user())),
    ];
    for ((node, err), (n, want)) in errors.iter().zip(expect.iter()) {
        assert_eq!(node, n);
        assert!(
            err.starts_with(&format!("node {node} (")) && err.contains(want.as_str()),
            "{node}: {err}\nwanted: {want}"
        );
        assert!(!err.contains('\n'), "one line: {err}");
    }
    // One stderr line per failing node, nothing else.
    assert_eq!(stderr(&a).lines().count(), 4, "{}", stderr(&a));

    // PostgreSQL down behind a live sshd, for a write: exit 1, clear reason.
    let a = w
        .cmd()
        .args([
            "--node",
            "pgdown",
            "suspend",
            "pgdown/nova",
            "--reason",
            "x",
            "--yes",
        ])
        .assert()
        .code(1);
    w.assert_clean("suspend on a node whose PostgreSQL is down");
    assert!(
        stderr(&a).contains("cannot reach PostgreSQL at 127.0.0.1:"),
        "{}",
        stderr(&a)
    );
}

/// Waits until `cond` holds (panics with `what` after `limit`).
fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < until, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

/// A TCP port that accepts connections and never says a word (neither
/// PostgreSQL nor SSH): the kernel completes the handshakes, nobody reads.
fn silent_port() -> (std::net::TcpListener, u16) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

#[test]
fn sigint_mid_listing_closes_every_tunnel() {
    let Some((sshd, s, w)) = nova_behind_ssh("behind-ssh") else {
        return;
    };
    let (_silent, silent) = silent_port();
    // `s` answers at once; `hang` (direct) and `hangssh` (an SSH host that
    // never answers) keep the listing going for 10 s.
    w.write_inventory(&format!(
        "{}\n\
         [[node]]\nname = \"hangssh\"\nhost = \"127.0.0.1\"\nport = 5432\n\
         [node.ssh]\nhost = \"127.0.0.1\"\nport = {silent}\nconnect_timeout = \"10s\"\n",
        s_and_hang(&s, &sshd, silent),
    ));
    let child = w.spawn(&["list", "-o", "json"]);
    let pid = child.id();
    // Wait for the tunnel of `s` to be up and the ssh to `hangssh` to be
    // waiting for its banner, then Ctrl-C.
    wait_until(
        Duration::from_secs(10),
        "tunnel up and ssh connecting",
        || {
            let procs = processes_mentioning(w.run.path());
            let forward = std::fs::read_dir(w.run.path()).unwrap().flatten().any(|d| {
                std::fs::read_dir(d.path())
                    .map(|it| {
                        it.flatten()
                            .any(|f| f.file_name().to_string_lossy().starts_with(".s.PGSQL."))
                    })
                    .unwrap_or(false)
            });
            forward
                && procs
                    .iter()
                    .any(|(_, c)| c.contains(&format!("-p {silent}")))
        },
    );
    std::thread::sleep(Duration::from_millis(300));
    signal(pid, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    w.assert_clean("SIGINT mid-listing");
}

#[test]
fn sigkill_leaves_no_master_running_and_the_next_run_tidies_up() {
    let Some((sshd, s, w)) = nova_behind_ssh("behind-ssh") else {
        return;
    };
    let (_silent, silent) = silent_port();
    w.write_inventory(&s_and_hang(&s, &sshd, silent));
    let child = w.spawn(&["list", "-o", "json"]);
    wait_until(Duration::from_secs(10), "ssh master up", || {
        !processes_mentioning(w.run.path()).is_empty()
    });
    std::thread::sleep(Duration::from_millis(300));
    signal(child.id(), "KILL");
    let _ = child.wait_with_output();
    // No close() ran: the master notices its run is gone and exits on its
    // own after a few seconds instead of living forever.
    wait_until(
        Duration::from_secs(30),
        "orphaned ssh master to exit",
        || processes_mentioning(w.run.path()).is_empty(),
    );
    assert_eq!(
        std::fs::read_dir(w.run.path()).unwrap().count(),
        1,
        "the killed run's directory is still there"
    );
    // The next run that opens a tunnel removes it.
    w.write_inventory(&ssh_node("s", "127.0.0.1", s.port(), &sshd, ""));
    w.cmd().args(["list"]).assert().success();
    w.assert_clean("the next run");
}

#[test]
fn fifty_concurrent_connections_through_one_tunnel() {
    let Some(sshd) = start_sshd() else { return };
    let s = Cluster::start("behind-ssh");
    // 50 databases whose `res_users` the test locks: each probe then waits
    // on the lock with its connection open, and we see all 50 at once.
    s.sql("postgres", "CREATE DATABASE c_tmpl");
    s.sql(
        "c_tmpl",
        "CREATE TABLE res_users (id int, active bool, share bool)",
    );
    let names: Vec<String> = (0..50).map(|i| format!("c{i:02}")).collect();
    let create: String = names
        .iter()
        .map(|n| format!("CREATE DATABASE {n} TEMPLATE c_tmpl;\n"))
        .collect();
    s.sql("postgres", &create);
    let psql = pg_bindir().join("psql");
    let mut holders: Vec<Child> = names
        .iter()
        .map(|db| {
            let mut c = Command::new(&psql)
                .args(["-X", "-q", "-h"])
                .arg(s.socket_dir())
                .args(["-p", &s.port().to_string(), "-U", "postgres", "-d", db])
                .env("PGAPPNAME", "lock_holder")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            c.stdin
                .as_mut()
                .unwrap()
                .write_all(b"BEGIN; LOCK TABLE res_users IN ACCESS EXCLUSIVE MODE;\n")
                .unwrap();
            c
        })
        .collect();
    wait_until(Duration::from_secs(20), "50 locks held", || {
        s.sql(
            "postgres",
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = 'lock_holder' AND l.mode = 'AccessExclusiveLock' \
             AND l.locktype = 'relation' AND l.granted",
        ) == "50"
    });
    let w = Tunnels::new();
    w.write_inventory(&ssh_node_with(
        "s",
        "127.0.0.1",
        s.port(),
        "max_connections = 50\nexclude = [\"c_tmpl\"]",
        &sshd,
        "",
    ));
    let before = logins(&sshd);
    let child = w.spawn(&[
        "--concurrency",
        "64",
        "list",
        "--all-databases",
        "-o",
        "json",
    ]);
    let waiting = || -> i64 {
        s.sql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tenantctl' \
             AND wait_event_type = 'Lock'",
        )
        .parse()
        .unwrap()
    };
    wait_until(
        Duration::from_secs(30),
        "50 tenantctl connections waiting",
        || waiting() == 50,
    );
    for mut h in holders.drain(..) {
        drop(h.stdin.take());
        let _ = h.wait();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(rows_of(&v, "s").len(), 50);
    assert_eq!(logins(&sshd) - before, 1, "all through one SSH connection");
    w.assert_clean("50 connections");
}

/// Makes a CA and a server certificate for `sans` in `dir`; returns
/// (ca.crt, server.crt, server.key).
fn make_certs(dir: &Path, sans: &str) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| run_ok(Command::new("openssl").args(args).current_dir(dir));
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=tenantctl test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=pg-private",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        format!(
            "basicConstraints=critical,CA:FALSE\nsubjectAltName={sans}\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.crt"),
        dir.join("server.crt"),
        dir.join("server.key"),
    )
}

#[test]
fn tls_runs_end_to_end_inside_the_tunnel_and_verifies_the_real_host_name() {
    let Some((sshd, s, w)) = nova_behind_ssh("tls-behind-ssh") else {
        return;
    };
    let (ca, crt, key) = make_certs(w.home.path(), "IP:127.0.0.1,DNS:pg-private.internal");
    for (f, name) in [(&crt, "server.crt"), (&key, "server.key")] {
        let to = s.data_dir().join(name);
        std::fs::copy(f, &to).unwrap();
        let ok = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&to)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    s.sql(
        "postgres",
        "ALTER SYSTEM SET ssl = on; ALTER SYSTEM SET log_connections = on; SELECT pg_reload_conf();",
    );
    wait_until(Duration::from_secs(10), "ssl on", || {
        s.sql("postgres", "SHOW ssl") == "on"
    });
    let ssl_logins = || s.log().matches("SSL enabled").count();
    let node = |host: &str, mode: &str| {
        ssh_node_with(
            "s",
            host,
            s.port(),
            &format!(
                "sslmode = \"{mode}\"\nsslrootcert = {}",
                toml_string(&ca.to_string_lossy())
            ),
            &sshd,
            "",
        )
    };

    // verify-full against the node's own name, 127.0.0.1 (in the certificate).
    w.write_inventory(&node("127.0.0.1", "verify-full"));
    let before = ssl_logins();
    let a = w.cmd().args(["list", "-o", "json"]).assert().success();
    w.assert_clean("verify-full list");
    assert_eq!(rows_of(&json(&a), "s").len(), 1);
    assert!(
        ssl_logins() >= before + 2,
        "maintenance db and tenant over TLS"
    );

    // `localhost` reaches the same server but is not in the certificate:
    // verify-full refuses (the name checked is the node's, not the socket's);
    // verify-ca and require accept.
    w.write_inventory(&node("localhost", "verify-full"));
    let a = w.cmd().args(["list", "-o", "json"]).assert().code(1);
    w.assert_clean("verify-full, wrong name");
    let err = json(&a)["errors"][0]["error"].as_str().unwrap().to_string();
    assert!(err.contains("localhost") || err.contains("name"), "{err}");
    for mode in ["verify-ca", "require"] {
        w.write_inventory(&node("localhost", mode));
        let before = ssl_logins();
        w.cmd().args(["list", "-o", "json"]).assert().success();
        w.assert_clean(mode);
        assert!(ssl_logins() >= before + 2, "{mode}: over TLS");
    }
}

#[test]
fn a_jump_host_gets_the_same_batch_mode_and_host_key_policy() {
    let Some((sshd, s, w)) = nova_behind_ssh("behind-jump") else {
        return;
    };
    // The SSH host is reached through a jump host: the same sshd, named
    // `localhost` there (ssh refuses a jump host equal to the destination),
    // which forwards to itself. The jump ssh gets identity, known_hosts and
    // BatchMode from the generated ssh_config only.
    let jump = format!("jump = \"{}@localhost:{}\"", sshd.user(), sshd.port());
    let known = std::fs::read_to_string(sshd.known_hosts_file()).unwrap();
    let both = w.home.path().join("known_hosts_both");
    std::fs::write(
        &both,
        format!("{known}{}", known.replace("[127.0.0.1]", "[localhost]")),
    )
    .unwrap();
    let known_both = |node: String| {
        node.replace(
            &toml_string(&sshd.known_hosts_file().to_string_lossy()),
            &toml_string(&both.to_string_lossy()),
        )
    };
    w.write_inventory(&known_both(ssh_node(
        "s",
        "127.0.0.1",
        s.port(),
        &sshd,
        &jump,
    )));
    let before = logins(&sshd);
    let a = w.cmd().args(["list", "-o", "json"]).assert().success();
    w.assert_clean("list through a jump host");
    assert_eq!(rows_of(&json(&a), "s").len(), 1);
    assert_eq!(
        logins(&sshd) - before,
        2,
        "the jump host, then the SSH host"
    );

    // An unknown jump host key under strict: refused, never a prompt.
    let kh = w.home.path().join("known_hosts_target_only");
    std::fs::write(&kh, &known).unwrap();
    w.write_inventory(&ssh_node("s", "127.0.0.1", s.port(), &sshd, &jump).replace(
        &toml_string(&sshd.known_hosts_file().to_string_lossy()),
        &toml_string(&kh.to_string_lossy()),
    ));
    let a = w
        .cmd()
        .args(["list", "-o", "json"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(1);
    w.assert_clean("jump host refused");
    let err = json(&a)["errors"][0]["error"].as_str().unwrap().to_string();
    assert!(err.contains("ssh: ") && err.contains("jump host"), "{err}");
}

// ---------------------------------------------------------------------------
// control_persist: a master kept between runs (issue 17)
// ---------------------------------------------------------------------------

/// Ends the kept masters of a test's runtime dir, also when it fails.
struct KillKept<'a>(&'a Path);

impl Drop for KillKept<'_> {
    fn drop(&mut self) {
        for (pid, _) in processes_mentioning(self.0) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// `-v list -o json`, which must succeed and list the one tenant; its stderr
/// (what the run said about the master).
fn verbose_list_of_one(w: &Tunnels) -> String {
    let a = w
        .cmd()
        .args(["-v", "list", "-o", "json"])
        .assert()
        .success();
    assert_eq!(json(&a)["tenants"].as_array().unwrap().len(), 1);
    stderr(&a)
}

/// Pids of the ssh masters living under the runtime dir.
fn masters(w: &Tunnels) -> Vec<u32> {
    processes_mentioning(w.run.path())
        .into_iter()
        .filter(|(_, c)| c.contains(" -M "))
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn control_persist_reuses_the_master_replaces_a_stale_one_and_not_across_settings() {
    let Some((sshd, s, w)) = nova_behind_ssh("behind-ssh") else {
        return;
    };
    let _kill = KillKept(w.run.path());

    // Without the key: nothing left after the run.
    w.write_inventory(&ssh_node("s", "127.0.0.1", s.port(), &sshd, ""));
    w.cmd().args(["list"]).assert().success();
    w.assert_clean("a run without control_persist");

    let keep = "control_persist = \"2m\"\n";
    w.write_inventory(&ssh_node("s", "127.0.0.1", s.port(), &sshd, keep));
    let n = w.cmd().args(["nodes", "-o", "json"]).assert().success();
    assert_eq!(json(&n)["nodes"][0]["route"]["control_persist"], "2m");
    let n = w.cmd().args(["nodes"]).assert().success();
    assert!(
        String::from_utf8_lossy(&n.get_output().stdout).contains("master kept 2m"),
        "{}",
        String::from_utf8_lossy(&n.get_output().stdout)
    );

    // First run: opens the master and leaves it running.
    let before = logins(&sshd);
    let e = verbose_list_of_one(&w);
    assert!(e.contains("kept 2m after the run"), "{e}");
    assert!(e.contains("left running for the next run"), "{e}");
    assert_eq!(logins(&sshd) - before, 1);
    let first = masters(&w);
    assert_eq!(first.len(), 1, "one kept master: {first:?}");
    let parent = w.run.path().join("tctl-u0");
    let mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(&parent), 0o700);

    // Second run: the same master, no new SSH login.
    let e = verbose_list_of_one(&w);
    assert!(
        e.contains(&format!("ssh master pid {} reused", first[0])),
        "{e}"
    );
    assert_eq!(logins(&sshd) - before, 1, "the second run logged in again");
    assert_eq!(masters(&w), first);

    // The master killed: its socket is stale; a fresh master, run succeeds.
    signal(first[0], "KILL");
    wait_until(Duration::from_secs(10), "master gone", || {
        masters(&w).is_empty()
    });
    let e = verbose_list_of_one(&w);
    assert!(e.contains("is stale"), "{e}");
    assert!(!e.contains("reused"), "{e}");
    assert_eq!(logins(&sshd) - before, 2);
    let second = masters(&w);
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);

    // Another identity file (the same key under another name): another
    // connection, not the kept master.
    let id2 = w.home.path().join("id2");
    std::fs::copy(sshd.identity_file(), &id2).unwrap();
    let other = ssh_node("s", "127.0.0.1", s.port(), &sshd, keep).replace(
        &format!(
            "identity_file = {}",
            toml_string(&sshd.identity_file().to_string_lossy())
        ),
        &format!("identity_file = {}", toml_string(&id2.to_string_lossy())),
    );
    assert!(other.contains("id2"));
    w.write_inventory(&other);
    let a = w.cmd().args(["-v", "list"]).assert().success();
    let e = stderr(&a);
    assert!(!e.contains("reused"), "{e}");
    assert_eq!(logins(&sshd) - before, 3);
    let now = masters(&w);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&second[0]));
    // And back: the first settings' master is found again.
    w.write_inventory(&ssh_node("s", "127.0.0.1", s.port(), &sshd, keep));
    let a = w.cmd().args(["-v", "list"]).assert().success();
    assert!(
        stderr(&a).contains(&format!("ssh master pid {} reused", second[0])),
        "{}",
        stderr(&a)
    );
    assert_eq!(logins(&sshd) - before, 3);
}

#[test]
fn control_persist_refuses_a_foreign_socket_and_an_open_directory() {
    let Some((sshd, s, w)) = nova_behind_ssh("behind-ssh") else {
        return;
    };
    let _kill = KillKept(w.run.path());
    w.write_inventory(&ssh_node(
        "s",
        "127.0.0.1",
        s.port(),
        &sshd,
        "control_persist = \"2m\"\n",
    ));
    w.cmd().args(["list"]).assert().success();
    let parent = w.run.path().join("tctl-u0");
    let dirs: Vec<PathBuf> = std::fs::read_dir(&parent)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let first = masters(&w);
    assert_eq!(first.len(), 1);

    // The control socket handed to another user: not used, replaced.
    let pg_uid: u32 = String::from_utf8(
        Command::new("id")
            .args(["-u", "postgres"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    std::os::unix::fs::lchown(dirs[0].join("master"), Some(pg_uid), None).unwrap();
    let before = logins(&sshd);
    let e = verbose_list_of_one(&w);
    assert!(
        e.contains("refusing the control socket")
            && e.contains(&format!("owned by uid {pg_uid}, not by us")),
        "{e}"
    );
    assert!(!e.contains("reused"), "{e}");
    assert_eq!(logins(&sshd) - before, 1);
    let second = masters(&w);
    assert_eq!(second.len(), 1, "the refused master is ended: {second:?}");
    assert_ne!(second, first);

    // The per-user directory opened to others: no master kept there, this
    // run uses one of its own and leaves nothing new behind.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let e = verbose_list_of_one(&w);
    assert!(
        e.contains("mode 0755: open to other users") && e.contains("for this run only"),
        "{e}"
    );
    assert!(!e.contains("reused"), "{e}");
    assert_eq!(logins(&sshd) - before, 2);
    assert_eq!(masters(&w), second);
    let left: Vec<_> = std::fs::read_dir(w.run.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("tctl-u0")]);
}
