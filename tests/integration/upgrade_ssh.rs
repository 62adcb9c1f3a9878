//! `upgrade` with Odoo on another host (issue 27): the node's own SSH host
//! (`odoo.host = "node"`), or an SSH host of its own (`odoo.host = { ssh
//! table }`, the application servers), the harness's sshd standing for
//! both. The remote side gets none of our environment: a stand-in mode
//! goes into the command itself (`env MODE=...`).

use crate::fixtures::TenantSpec;
use crate::harness::Sshd;
use crate::upgrade::{alive, dbs_like, same, state, version, with_odoo};
use crate::world::{Inventory, Ssh, World};

#[test]
fn odoo_runs_on_the_nodes_ssh_host_and_is_killed_there() {
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let w = crate::upgrade::world();
    let (run, odoo) = ssh_run(&w);
    // The remote side gets no environment of ours: a mode goes into the
    // command itself.
    let inventory = |file: &str, env: &str| {
        w.write_inventory(
            file,
            &Inventory::default()
                .default_key("filestore", w.fs.as_path())
                .node_at("s1", "127.0.0.1", w.c.port())
                .node_ssh(Ssh::to(&sshd))
                .extra(&format!(
                    "{}host = \"node\"\n",
                    odoo.replacen("command = [", &format!("command = [\"env\", {env}"), 1)
                )),
        )
    };
    let inv = inventory("ssh.toml", "");
    let logins = || sshd.log().matches("Accepted publickey").count();
    let l0 = logins();
    let v = crate::run::Run::new(w.home())
        .env("XDG_RUNTIME_DIR", run.path())
        .inv(&inv)
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .json_at("/via", "ssh")
        .run()
        .json();
    assert_eq!(v["versions"][0]["after"], "16.0.1.10.1");
    assert!(w
        .fs
        .join("acme/ff/ff00000000000000000000000000000000000001")
        .exists());
    // PostgreSQL, the filestore and Odoo's run share the one SSH master.
    assert_eq!(logins() - l0, 1, "{}", sshd.log());
    // A hung run there is killed there (its pid came back over SSH).
    let before = state(&w.c, "acme");
    let pidfile = w.home().join("standin.pid");
    let hang = inventory(
        "ssh-hang.toml",
        &format!(
            "\"TC_STANDIN_MODE=hang\", \"TC_STANDIN_PIDFILE={}\", ",
            pidfile.display()
        ),
    );
    let ran = crate::run::Run::new(w.home())
        .env("XDG_RUNTIME_DIR", run.path())
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .inv(&hang)
        .args([
            "upgrade",
            "s1/acme",
            "-u",
            "mail",
            "--timeout",
            "3s",
            "--yes",
            "-o",
            "json",
        ])
        .code(1)
        .run();
    assert!(ran.json()["error"]
        .as_str()
        .unwrap()
        .contains("did not finish in time"));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid), "the stand-in {pid} still runs on the SSH host");
    same(&w.c, "acme", &before, "after a hung run over SSH");
}

/// A short private XDG_RUNTIME_DIR for the run's ssh masters (their
/// control sockets must fit a socket path), and `w`'s `[defaults.odoo]`
/// table (the stand-in), to append to an inventory of the test's own.
fn ssh_run(w: &World) -> (tempfile::TempDir, String) {
    let run = tempfile::Builder::new()
        .prefix("tu")
        .tempdir_in("/tmp")
        .unwrap();
    let text = std::fs::read_to_string(&w.inv).unwrap();
    let odoo = text[text.find("[defaults.odoo]").unwrap()..].to_string();
    (run, odoo)
}

/// The `odoo.host` table of the harness's sshd.
fn odoo_host(sshd: &Sshd, port: u16) -> String {
    let s = Ssh::to(sshd);
    format!(
        "host = {{ host = \"{}\", port = {port}, user = \"{}\", identity_file = \"{}\", known_hosts_file = \"{}\", connect_timeout = \"2s\" }}\n",
        s.host,
        s.user,
        s.identity_file.display(),
        s.known_hosts_file.display()
    )
}

#[test]
fn odoo_runs_on_an_ssh_host_of_its_own_one_master_for_every_node() {
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let w = with_odoo(
        World::builder()
            .node("n1")
            .tenants(&[
                ("acme", TenantSpec::for_major(16)),
                ("t2", TenantSpec::for_major(16)),
            ])
            .files("acme")
            .build(),
    );
    let (run, odoo) = ssh_run(&w);
    // Two nodes reached directly (the same server, each with one tenant),
    // Odoo on the application host for both: [defaults.odoo].
    let inventory = |file: &str, env: &str, program: Option<&str>, port: u16| {
        let mut odoo = odoo.replacen("command = [", &format!("command = [\"env\", {env}"), 1);
        if let Some(p) = program {
            odoo = format!("[defaults.odoo]\ncommand = [\"{p}\"]\n");
        }
        w.write_inventory(
            file,
            &Inventory::default()
                .default_key("filestore", w.fs.as_path())
                .node_at("s1", "127.0.0.1", w.c.port())
                .node_key("exclude", crate::world::Toml::Raw("[\"t2\"]".into()))
                .node_at("s2", "127.0.0.1", w.c.port())
                .node_key("exclude", crate::world::Toml::Raw("[\"acme\"]".into()))
                .extra(&format!("{odoo}{}", odoo_host(&sshd, port))),
        )
    };
    let tenantctl = |inv: &std::path::Path, offset: &str| {
        crate::run::Run::new(w.home())
            .env("XDG_RUNTIME_DIR", run.path())
            .env("TENANTCTL_DEBUG_NOW_OFFSET", offset)
            .inv(inv)
    };
    let logins = || sshd.log().matches("Accepted publickey").count();
    let inv = inventory("app.toml", "", None, sshd.port());
    // `nodes` shows where each node's Odoo runs (contacting nothing).
    let dest = format!("{}@{}:{}", sshd.user(), sshd.host(), sshd.port());
    let v = tenantctl(&inv, "0")
        .args(["nodes", "-o", "json"])
        .run()
        .json();
    assert_eq!(v["nodes"][1]["odoo"]["host"], "ssh", "{v}");
    assert_eq!(v["nodes"][1]["odoo"]["ssh"]["host"], dest.as_str(), "{v}");
    assert_eq!(v["nodes"][1]["odoo"]["timeout"], "2m", "{v}");
    tenantctl(&inv, "0")
        .args(["nodes", "-o", "wide"])
        .stdout_has(&format!("ssh {dest}"))
        .run();
    // The plan says where Odoo runs, and that its command was found there.
    let l0 = logins();
    let plan = tenantctl(&inv, "0")
        .args(["upgrade", "s1/acme", "-u", "mail", "--dry-run"])
        .run()
        .stdout;
    let there = format!(
        "on ssh {}@{}:{} (found there)",
        sshd.user(),
        sshd.host(),
        sshd.port()
    );
    assert!(plan.contains(&there), "{plan}");
    assert_eq!(logins() - l0, 1, "{}", sshd.log());
    // Both nodes' tenants upgraded there through one SSH master (the
    // nodes themselves are reached directly: no other login).
    let list = w.home().join("both.txt");
    std::fs::write(&list, "s1/acme\ns2/t2\n").unwrap();
    let l0 = logins();
    let v = tenantctl(&inv, "10")
        .args(["bulk", "upgrade", "--from"])
        .arg(&list)
        .args(["-u", "mail", "--yes", "-o", "json"])
        .run()
        .json();
    assert_eq!(v["summary"]["upgraded"], 2, "{v}");
    assert_eq!(logins() - l0, 1, "{}", sshd.log());
    assert_eq!(version(&w.c, "acme", "mail"), "16.0.1.10.1");
    assert_eq!(version(&w.c, "t2", "mail"), "16.0.1.10.1");
    assert!(w
        .fs
        .join("acme/ff/ff00000000000000000000000000000000000001")
        .exists());
    // A command not there is refused before anything changes.
    let before = state(&w.c, "acme");
    let missing = inventory(
        "missing.toml",
        "",
        Some("/nonexistent/odoo-bin"),
        sshd.port(),
    );
    tenantctl(&missing, "20")
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes"])
        .code(2)
        .stderr_has(&format!(
            "the Odoo command /nonexistent/odoo-bin is not found on ssh {}@",
            sshd.user()
        ))
        .run();
    same(&w.c, "acme", &before, "after a refusal");
    assert!(dbs_like(&w, "upgrading").is_empty());
    // An application host that cannot be reached: a failure naming ssh's
    // reason, nothing changed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = inventory("down.toml", "", None, port);
    tenantctl(&down, "30")
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes"])
        .code(1)
        .stderr_has("Connection refused")
        .stderr_has("nothing changed")
        .run();
    same(&w.c, "acme", &before, "after an unreachable Odoo host");
    // A hung run there is killed there at the deadline.
    let pidfile = w.home().join("app.pid");
    let hang = inventory(
        "app-hang.toml",
        &format!(
            "\"TC_STANDIN_MODE=hang\", \"TC_STANDIN_PIDFILE={}\", ",
            pidfile.display()
        ),
        None,
        sshd.port(),
    );
    let ran = tenantctl(&hang, "40")
        .args(["upgrade", "s2/t2", "-u", "mail", "--timeout", "3s", "--yes"])
        .code(1)
        .run();
    assert!(
        ran.stderr.contains("did not finish in time"),
        "{}",
        ran.stderr
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        !alive(pid),
        "the stand-in {pid} still runs on the Odoo host"
    );
    // tenantctl killed outright while Odoo runs there: the run ends with
    // it (the channel's stdin closes), as a local run does.
    let _ = std::fs::remove_file(&pidfile);
    let mut child = crate::harness::tenantctl_process(w.home())
        .env("XDG_RUNTIME_DIR", run.path())
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "50")
        .arg("-i")
        .arg(&hang)
        .args(["upgrade", "s2/t2", "-u", "mail", "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    let pid: i32 = loop {
        match std::fs::read_to_string(&pidfile).map(|p| p.trim().parse()) {
            Ok(Ok(p)) => break p,
            _ if t0.elapsed().as_secs() < 60 => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            _ => panic!("the stand-in did not start"),
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let t0 = std::time::Instant::now();
    while alive(pid) && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        !alive(pid),
        "the stand-in {pid} outlived tenantctl on the Odoo host"
    );
    // The next lifecycle command on the node undoes what the killed run left.
    tenantctl(&inv, "60")
        .args(["upgrade", "s2/t2", "-u", "mail", "--yes"])
        .stderr_has("undid the upgrade of t2")
        .run();
}

#[test]
fn a_filestore_on_the_odoo_host_is_handled_there() {
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let w = crate::upgrade::world();
    let (run, odoo) = ssh_run(&w);
    // The node is reached directly; its files are where Odoo runs.
    let inventory = |file: &str, root: &std::path::Path| {
        w.write_inventory(
            file,
            &Inventory::default()
                .default_key("filestore", root)
                .default_key("filestore_host", "odoo")
                .node_at("s1", "127.0.0.1", w.c.port())
                .extra(&format!("{odoo}{}", odoo_host(&sshd, sshd.port()))),
        )
    };
    let tenantctl = |inv: &std::path::Path| {
        crate::run::Run::new(w.home())
            .env("XDG_RUNTIME_DIR", run.path())
            .inv(inv)
    };
    // A root that is not there is looked for on the Odoo host.
    let before = state(&w.c, "acme");
    let gone = inventory("gone.toml", std::path::Path::new("/nonexistent/filestore"));
    tenantctl(&gone)
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes"])
        .code(1)
        .stderr_has(&format!(
            "/nonexistent/filestore on the Odoo host (ssh {}@{}:{})",
            sshd.user(),
            sshd.host(),
            sshd.port()
        ))
        .stderr_has("nothing changed")
        .run();
    same(&w.c, "acme", &before, "after a refusal");
    // The copy, the swap: every filestore command in that host's sessions.
    let inv = inventory("files.toml", &w.fs);
    let sessions = || sshd.log().matches("Starting session").count();
    let (l0, s0) = (sshd.log().matches("Accepted publickey").count(), sessions());
    tenantctl(&inv)
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .run();
    assert!(w
        .fs
        .join("acme/ff/ff00000000000000000000000000000000000001")
        .exists());
    assert_eq!(version(&w.c, "acme", "mail"), "16.0.1.10.1");
    assert_eq!(
        sshd.log().matches("Accepted publickey").count() - l0,
        1,
        "{}",
        sshd.log()
    );
    // Odoo's check and run are 2; the filestore's check, copy and swap 3 more.
    assert!(sessions() - s0 >= 5, "{}", sshd.log());
    assert_eq!(dbs_like(&w, ".pre-upgrade-").len(), 1);
}

/// The pids of processes whose command line mentions `dir` (our ssh
/// master's private directory is under it).
fn mentioning(dir: &std::path::Path) -> Vec<i32> {
    let needle = dir.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&needle))
                .unwrap_or(false)
        })
        .collect()
}

#[test]
fn a_lost_ssh_master_fails_the_run_and_never_falls_back_to_a_connection_of_its_own() {
    use std::io::Read as _;
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let w = crate::upgrade::world();
    let (run, odoo) = ssh_run(&w);
    let inv = w.write_inventory(
        "lost.toml",
        &Inventory::default()
            .default_key("filestore", w.fs.as_path())
            .node_at("s1", "127.0.0.1", w.c.port())
            .extra(&format!("{odoo}{}", odoo_host(&sshd, sshd.port()))),
    );
    let before = state(&w.c, "acme");
    // Paused before Odoo's run (the master is open: the command was
    // looked for); the master is killed, then the run goes on.
    let release = w.home().join("release");
    let mut child = crate::harness::tenantctl_process(w.home())
        .env("XDG_RUNTIME_DIR", run.path())
        .env("TENANTCTL_DEBUG_PAUSE_BEFORE", "odoo")
        .env("TENANTCTL_DEBUG_RELEASE", &release)
        .arg("-i")
        .arg(&inv)
        .args(["upgrade", "s1/acme", "-u", "mail", "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("pausing before") {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let masters = mentioning(run.path());
    assert!(
        !masters.is_empty(),
        "no ssh master under {}",
        run.path().display()
    );
    for pid in &masters {
        // SAFETY: kill(2) on an ssh process of this test's run.
        unsafe {
            libc::kill(*pid, libc::SIGKILL);
        }
    }
    // Gone before the run goes on (a kill is delivered asynchronously; a
    // master dying while a command starts is `ProxyCommand=false`'s case).
    let t0 = std::time::Instant::now();
    while masters.iter().any(|p| alive(*p)) && t0.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::write(&release, "").unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let stderr = String::from_utf8_lossy(&seen).into_owned() + &rest;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("was lost (its ssh master, pid"), "{stderr}");
    // Refused before Odoo's run: no command went anywhere on its own
    // (ssh would have connected to port 22 of the host, not through the
    // master, and the run failed there).
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert!(!stderr.contains("not swapped in"), "{stderr}");
    same(&w.c, "acme", &before, "after a lost connection");
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
}
