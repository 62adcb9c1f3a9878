//! Issue 11, sections 2 and 3: one typed operation pipeline (faults: lost commit
//! acknowledgements, output errors, failed signals, frozen connections, Ctrl-C,
//! NULL `active`, one exit-code mapping) and addressing/what the operator reads
//! (unsearchable nodes, escaping, dry-run privileges). Behaviour as fixed in the
//! issue's contract; network faults come from [`crate::proxy::FaultProxy`].

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{create_tenant, icp, password_hash, user_states, TenantSpec};
use crate::harness::{free_port, passlib_check, tenantctl_bin, tenantctl_process, Cluster};
use crate::proxy::{FaultProxy, Mode};
use crate::world::{Inventory, World};

type States = Vec<(i64, String, bool, bool)>;

/// A hang guard for every tenantctl run (not a performance check).
const WATCHDOG: Duration = Duration::from_secs(90);

// ------------------------------------------------------------------------ helpers

/// tenantctl (std Command) with the harness's controlled environment
/// (see `harness::tenantctl_with_home`) and `-i inv`.
fn cmd(home: &Path, inv: &Path) -> Command {
    let mut c = tenantctl_process(home);
    c.arg("-i")
        .arg(inv)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Collects a child's stdout and stderr in threads (so a full pipe never blocks
/// it) and waits at most `limit`; a run that hangs is killed and fails the test.
struct Running {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn collect(
    mut src: impl Read + Send + 'static,
    into: Arc<Mutex<Vec<u8>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match src.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

impl Running {
    fn spawn(mut c: Command) -> Running {
        let mut child = c.spawn().expect("spawn tenantctl");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        if let Some(o) = child.stdout.take() {
            readers.push(collect(o, stdout.clone()));
        }
        if let Some(e) = child.stderr.take() {
            readers.push(collect(e, stderr.clone()));
        }
        Running {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn stderr_so_far(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn sigint(&self) {
        // SAFETY: kill(2) on our own child's pid.
        let rc = unsafe { libc::kill(self.pid(), libc::SIGINT) };
        assert_eq!(rc, 0, "kill -INT {}", self.pid());
    }

    fn wait(mut self, limit: Duration) -> Output {
        let t0 = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if t0.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "tenantctl hung for {limit:?} and was killed; stderr so far:\n{}",
                    self.stderr_so_far()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        Output {
            status,
            stdout: std::mem::take(&mut *self.stdout.lock().unwrap()),
            stderr: std::mem::take(&mut *self.stderr.lock().unwrap()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that fails while tenantctl runs leaves no process behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `c` to the end under the watchdog.
fn run(c: Command) -> Output {
    Running::spawn(c).wait(WATCHDOG)
}

/// Runs `c` with `input` on stdin, under the watchdog.
fn run_stdin(mut c: Command, input: &str) -> Output {
    c.stdin(Stdio::piped());
    let mut r = Running::spawn(c);
    let mut stdin = r.child.stdin.take().unwrap();
    let input = input.to_string();
    let w = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
    });
    let out = r.wait(WATCHDOG);
    let _ = w.join();
    out
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        let (out, err) = text(o);
        panic!("stdout is not one JSON document ({e}):\nstdout: {out}\nstderr: {err}")
    })
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// Users active before a suspension (id 1 never counts).
fn active_ids(s: &States) -> Vec<i64> {
    s.iter().filter(|u| u.2 && u.0 != 1).map(|u| u.0).collect()
}

/// Suspended by tenantctl: the flag set, every user off.
fn assert_suspended(c: &Cluster, db: &str) {
    assert_eq!(
        icp(c, db, "tenant.suspended").as_deref(),
        Some("true"),
        "{db}: tenant.suspended"
    );
    let on: Vec<String> = user_states(c, db)
        .into_iter()
        .filter(|u| u.2)
        .map(|u| u.1)
        .collect();
    assert!(on.is_empty(), "{db}: users still active: {on:?}");
}

/// Exactly as before: same users, no suspension flag.
fn assert_untouched(c: &Cluster, db: &str, before: &States) {
    assert_eq!(&user_states(c, db), before, "{db}: users as before");
    assert_eq!(icp(c, db, "tenant.suspended"), None, "{db}: no flag");
    assert_eq!(
        icp(c, db, "tenant.suspended_user_ids"),
        None,
        "{db}: no record"
    );
}

/// Waits (bounded) until no backend of `db` is left `idle in transaction`
/// (an orphaned, uncommitted transaction), panics otherwise.
fn wait_no_idle_in_transaction(c: &Cluster, db: &str) {
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' \
         AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
    );
    let t0 = Instant::now();
    while c.sql("postgres", &sql) != "0" {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "a backend of {db} stays idle in transaction"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One node's world (`nodes.toml`: straight to the cluster), a fault proxy in
/// front of it and `proxied.toml` pointing n1 at the proxy (with `node_opts`,
/// raw TOML of that node).
struct Faulty {
    w: World,
    proxy: Option<FaultProxy>,
    proxied: PathBuf,
}

impl std::ops::Deref for Faulty {
    type Target = World;
    fn deref(&self) -> &World {
        &self.w
    }
}

fn faulty(tenants: &[(&str, TenantSpec)], mode: Mode, node_opts: &str) -> Faulty {
    let w = World::one_node(tenants);
    let proxy = FaultProxy::start(w.c.port(), mode);
    let proxied = Inventory::default()
        .node_at("n1", "127.0.0.1", proxy.port())
        .extra(node_opts);
    let proxied = w.write_inventory("proxied.toml", &proxied);
    Faulty {
        w,
        proxy: Some(proxy),
        proxied,
    }
}

impl Faulty {
    fn proxy(&self) -> &FaultProxy {
        self.proxy.as_ref().expect("proxy running")
    }
    /// Through the proxy.
    fn cmd(&self) -> Command {
        cmd(self.dir.path(), &self.proxied)
    }
    /// Straight to the cluster.
    fn direct(&self) -> Command {
        cmd(self.dir.path(), &self.inv)
    }
    /// Stops the proxy: every socket it held (frozen ones too) closes.
    fn stop_proxy(&mut self) {
        self.proxy = None;
    }
}

/// `c` with arguments appended.
fn with(mut c: Command, a: &[&str]) -> Command {
    c.args(a);
    c
}

fn rows(v: &Value) -> Vec<Value> {
    v["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array: {v:#}"))
        .clone()
}

fn row<'a>(rows: &'a [Value], tenant: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["tenant"] == tenant)
        .unwrap_or_else(|| panic!("no row for {tenant}: {rows:#?}"))
}

// ------------------------------------------------------------ lost commit acks

#[test]
fn lost_commit_ack_on_suspend_is_settled_as_changed() {
    let t = faulty(&[("acme", TenantSpec::default())], Mode::CutAfterCommit, "");
    let o = run(with(
        t.cmd(),
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    ));
    let (out, err) = text(&o);
    assert_eq!(t.proxy().cuts(), 1, "the fault was injected: {err}");
    // The commit reached the server: the tenant is suspended.
    assert_suspended(&t.c, "acme");
    assert_eq!(code(&o), Some(0), "stdout: {out}\nstderr: {err}");
    let v = json(&o);
    assert_eq!(v["outcome"], "changed", "{v:#}");
    let all = format!("{out}{err}").to_lowercase();
    assert!(
        all.contains("settled") || all.contains("acknowledg"),
        "the text says it was settled after a lost acknowledgement: {out}{err}"
    );
    // The proxy still holds the cut connection's server side: only tenantctl
    // ending its old backend (as the contract says it does) frees it.
    let t0 = Instant::now();
    while t.c.connections_to("acme") != 0 {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the old backend is left: {}",
            t.c.sql(
                "postgres",
                "SELECT string_agg(application_name || ':' || state, ', ') FROM pg_stat_activity WHERE datname = 'acme'"
            )
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The tenant rewrites `tenant.write_token` (its own ir_config_parameter)
/// between tenantctl's COMMIT and the settling read after the lost
/// acknowledgement: the token alone would say "did not commit, nothing
/// changed" although the suspension committed. What the write changed (the
/// users it switched off, the record) disagrees: the outcome is `unknown`.
#[test]
fn lost_commit_ack_with_a_token_the_tenant_rewrote_is_unknown_not_nothing_changed() {
    let c = Arc::new(Cluster::start("f"));
    create_tenant(&c, "acme", &TenantSpec::default());
    let proxy = FaultProxy::start(c.port(), Mode::CutAfterCommit);
    let (c2, rewrote) = (c.clone(), Arc::new(Mutex::new(None::<String>)));
    let rewrote2 = rewrote.clone();
    proxy.on_cut(move || {
        // The COMMIT is on its way to the server: once it is visible, the
        // tenant rewrites the key (bounded wait).
        let t0 = Instant::now();
        while icp(&c2, "acme", "tenant.suspended").as_deref() != Some("true")
            && t0.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let token = icp(&c2, "acme", "tenant.write_token");
        c2.sql(
            "acme",
            "UPDATE ir_config_parameter SET value = 'the-tenant-wrote-this' WHERE key = 'tenant.write_token'",
        );
        *rewrote2.lock().unwrap() = token;
    });
    let dir = tempfile::tempdir().unwrap();
    let inv = Inventory::default()
        .node_at("n1", "127.0.0.1", proxy.port())
        .write(&dir.path().join("nodes.toml"));
    let o = run(with(
        cmd(dir.path(), &inv),
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    ));
    let (out, err) = text(&o);
    assert_eq!(proxy.cuts(), 1, "the fault was injected: {err}");
    assert!(
        rewrote.lock().unwrap().is_some(),
        "the commit reached the server and wrote a token before the tenant rewrote it"
    );
    assert_eq!(
        icp(&c, "acme", "tenant.write_token").as_deref(),
        Some("the-tenant-wrote-this")
    );
    // The commit happened: the tenant is suspended.
    assert_suspended(&c, "acme");
    let v = json(&o);
    assert_eq!(v["outcome"], "unknown", "{v:#}\nstderr: {err}");
    let all = format!("{out}{err}");
    assert!(
        !all.contains("nothing changed") && !all.contains("did not commit"),
        "must not claim that nothing changed: {all}"
    );
    assert!(all.contains("tenant.write_token"), "names the key: {all}");
    assert_ne!(code(&o), Some(0), "{all}");
}

#[test]
fn lost_commit_ack_on_passwd_generate_keeps_the_password() {
    let t = faulty(&[("acme", TenantSpec::default())], Mode::CutAfterCommit, "");
    let original = password_hash(&t.c, "acme", "admin").unwrap();
    let o = run(with(t.cmd(), &["passwd", "acme", "--generate"]));
    let (out, err) = text(&o);
    assert_eq!(t.proxy().cuts(), 1, "the fault was injected: {err}");
    let hash = password_hash(&t.c, "acme", "admin").unwrap();
    assert_ne!(hash, original, "the commit reached the server");
    assert_eq!(code(&o), Some(0), "stdout: {out}\nstderr: {err}");
    let pw = out.lines().next().unwrap_or_default();
    assert!(!pw.is_empty(), "the generated password is on stdout: {err}");
    assert!(
        passlib_check(&hash, pw, 16).verifies,
        "the printed password is the one stored"
    );
    let e = format!("{out}{err}").to_lowercase();
    assert!(
        e.contains("settled") || e.contains("acknowledg"),
        "the text says it was settled: {err}"
    );
}

// ----------------------------------------------------------------- output errors

#[test]
fn passwd_generate_into_a_full_stdout_rolls_back() {
    let w = World::one_node(&[("acme", TenantSpec::default())]);
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let original = password_hash(c, "acme", "admin").unwrap();
    let mut k = cmd(dir.path(), inv);
    k.args(["passwd", "acme", "--generate"])
        .stdout(Stdio::from(std::fs::File::create("/dev/full").unwrap()));
    let o = run(k);
    let (_, err) = text(&o);
    assert_eq!(code(&o), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        password_hash(c, "acme", "admin").unwrap(),
        original,
        "rolled back: nobody could have read the new password"
    );
}

/// A pipe whose read end is already closed: every write to it fails with EPIPE
/// (the extreme of `| head -c 10`, without depending on pipe buffer sizes).
fn closed_pipe() -> Stdio {
    let mut fds = [0i32; 2];
    // SAFETY: pipe(2) fills two fresh descriptors; we own both.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fds[0] is ours and closed once; fds[1] moves into an OwnedFd.
    unsafe {
        libc::close(fds[0]);
        Stdio::from(OwnedFd::from_raw_fd(fds[1]))
    }
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    // Literally `tenantctl completions bash | head -c 10`, tenantctl's own status.
    let o = Command::new("bash")
        .arg("-c")
        .arg("set -o pipefail; \"$0\" completions bash | head -c 10 >/dev/null")
        .arg(tenantctl_bin())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code(&o), Some(0), "{err}");
    // The reader gone before the first byte.
    let w = World::one_node(&[]);
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    for i in 0..40 {
        create_tenant(c, &format!("t{i:02}"), &TenantSpec::default());
    }
    for a in [
        vec!["completions", "bash"],
        vec!["list"],
        vec!["list", "-o", "json"],
        vec!["list", "-o", "csv"],
    ] {
        let mut k = cmd(dir.path(), inv);
        k.args(&a).stdout(closed_pipe());
        let o = run(k);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!err.contains("panicked"), "{a:?}: {err}");
        assert_eq!(code(&o), Some(0), "{a:?}: {err}");
        assert!(
            !err.contains("tenantctl:"),
            "{a:?}: a closed pipe is no error: {err}"
        );
    }
}

// ------------------------------------------------------------------ failed signal

#[test]
fn a_failed_cache_signal_is_not_signalled() {
    let w = World::one_node(&[
        ("broken", TenantSpec::default()),
        ("broken2", TenantSpec::default()),
        ("healthy", TenantSpec::default()),
    ]);
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    for db in ["broken", "broken2"] {
        // MAXVALUE must stay above MINVALUE (1): advance once, then cap there.
        let last = c.sql(db, "SELECT nextval('base_cache_signaling')");
        c.sql(
            db,
            &format!("ALTER SEQUENCE base_cache_signaling MAXVALUE {last}"),
        );
        assert!(
            c.try_sql(db, "SELECT nextval('base_cache_signaling')")
                .is_err(),
            "{db}: nextval fails after the commit"
        );
    }
    let o = run(with(
        cmd(dir.path(), inv),
        &["suspend", "broken", "--reason", "x", "--yes", "-o", "json"],
    ));
    let (out, err) = text(&o);
    assert_suspended(c, "broken");
    assert_eq!(code(&o), Some(1), "stdout: {out}\nstderr: {err}");
    assert_eq!(json(&o)["outcome"], "not-signalled", "{out}");

    let list = dir.path().join("targets.txt");
    std::fs::write(&list, "broken2\nhealthy\n").unwrap();
    let mut k = cmd(dir.path(), inv);
    k.args([
        "bulk", "suspend", "--reason", "x", "--yes", "-o", "json", "--from",
    ])
    .arg(&list);
    let o = run(k);
    let (out, err) = text(&o);
    assert_suspended(c, "broken2");
    assert_suspended(c, "healthy");
    assert_eq!(code(&o), Some(3), "stdout: {out}\nstderr: {err}");
    let r = rows(&json(&o));
    assert_eq!(row(&r, "broken2")["outcome"], "not-signalled");
    assert_eq!(row(&r, "healthy")["outcome"], "changed");
}

// -------------------------------------------------------------- frozen connection

/// The smallest deadlines that prove the point: `connect_timeout` cannot go
/// below 1 s, and a `statement_timeout` under 1 s would let a loaded machine
/// fail the statements before the frozen one.
const DEADLINES: &str = "statement_timeout = \"1s\"\nconnect_timeout = \"1s\"\n";

#[test]
fn a_frozen_connection_never_hangs_suspend() {
    let mut t = faulty(
        &[("acme", TenantSpec::default())],
        Mode::freeze_on("UPDATE"),
        DEADLINES,
    );
    let before = user_states(&t.c, "acme");
    let o = run(with(
        t.cmd(),
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    ));
    let (out, err) = text(&o);
    assert_eq!(t.proxy().freezes(), 1, "the fault was injected: {err}");
    assert_eq!(code(&o), Some(1), "stdout: {out}\nstderr: {err}");
    assert_eq!(json(&o)["outcome"], "failed", "commit never sent: {out}");
    assert_untouched(&t.c, "acme", &before);
    // The proxy still holds the frozen backend; gone with it, nothing is left.
    t.stop_proxy();
    wait_no_idle_in_transaction(&t.c, "acme");
    assert_untouched(&t.c, "acme", &before);
    // Nothing stuck: the tenant lock is free, a direct run works.
    let o = run(with(
        t.direct(),
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    assert_suspended(&t.c, "acme");
}

fn four() -> Vec<(&'static str, TenantSpec)> {
    ["t0", "t1", "t2", "t3"]
        .into_iter()
        .map(|n| (n, TenantSpec::default()))
        .collect()
}

/// The Ctrl-C tests freeze on the tenant lock (`pg_advisory_xact_lock`, the first
/// statement of the run stage: lock, read, write, commit), so the freeze is
/// certainly inside the write transaction, where Ctrl-C no longer ends the
/// process at once, and not in a read-only plan or privilege probe.
const IN_RUN: &str = "advisory";

/// `bulk suspend` of the four tenants one at a time; returns once the first
/// tenant's connection froze.
fn bulk_suspend_frozen(t: &Faulty) -> Running {
    let r = Running::spawn(with(
        t.cmd(),
        &[
            "--concurrency",
            "1",
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--yes",
            "-o",
            "json",
        ],
    ));
    assert!(
        t.proxy()
            .wait_for(Duration::from_secs(60), |p| p.freezes() == 1),
        "a tenant's connection froze: {}",
        r.stderr_so_far()
    );
    r
}

#[test]
fn first_ctrl_c_lets_the_in_flight_tenant_hit_its_deadline_and_skips_the_rest() {
    let mut t = faulty(&four(), Mode::freeze_on(IN_RUN), DEADLINES);
    let before: Vec<States> = ["t0", "t1", "t2", "t3"]
        .iter()
        .map(|d| user_states(&t.c, d))
        .collect();
    let r = bulk_suspend_frozen(&t);
    r.sigint();
    let o = r.wait(WATCHDOG);
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(130), "stdout: {out}\nstderr: {err}");
    let rs = rows(&json(&o));
    let skipped = rs.iter().filter(|r| r["outcome"] == "skipped").count();
    assert!(skipped >= 1, "the rest is skipped: {rs:#?}");
    assert!(
        rs.iter().all(|r| r["outcome"] != "changed"),
        "nothing ran to a commit: {rs:#?}"
    );
    let in_flight: Vec<&Value> = rs.iter().filter(|r| r["outcome"] != "skipped").collect();
    assert_eq!(in_flight.len(), 1, "{rs:#?}");
    assert_eq!(in_flight[0]["outcome"], "failed", "deadline before COMMIT");
    t.stop_proxy();
    for (d, b) in ["t0", "t1", "t2", "t3"].iter().zip(&before) {
        wait_no_idle_in_transaction(&t.c, d);
        assert_untouched(&t.c, d, b);
    }
}

/// `bulk suspend` of four tenants, one at a time, frozen on `freeze`, then
/// Ctrl-C twice: exit 130 at once. Returns the outcomes (stdout JSON) and
/// the audit lines' outcomes, after the proxy is gone; asserts that the
/// tenants behind the frozen one are untouched.
fn second_ctrl_c(freeze: &str) -> (Vec<String>, Vec<String>, Faulty) {
    // A deadline far beyond the watchdog: only an immediate exit passes.
    let mut t = faulty(
        &four(),
        Mode::freeze_on(freeze),
        "statement_timeout = \"300s\"\nconnect_timeout = \"3s\"\n",
    );
    let before: Vec<States> = ["t0", "t1", "t2", "t3"]
        .iter()
        .map(|d| user_states(&t.c, d))
        .collect();
    let r = bulk_suspend_frozen(&t);
    r.sigint();
    // Let the first Ctrl-C be seen (its notice on stderr, if any; bounded).
    let t0 = Instant::now();
    while !r.stderr_so_far().contains("interrupt") && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    r.sigint();
    let o = r.wait(Duration::from_secs(60));
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(130), "stdout: {out}\nstderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let outcomes: Vec<String> = rows(&json(&o))
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or_default().to_string())
        .collect();
    let audit: Vec<String> = t
        .audit()
        .iter()
        .map(|v| v["outcome"].as_str().unwrap_or_default().to_string())
        .collect();
    // With the proxy gone, the frozen transaction (its COMMIT never reached
    // the server) rolls back: every tenant is untouched.
    t.stop_proxy();
    for (d, b) in ["t0", "t1", "t2", "t3"].iter().zip(&before) {
        wait_no_idle_in_transaction(&t.c, d);
        assert_untouched(&t.c, d, b);
    }
    (outcomes, audit, t)
}

/// Only a change that was sent can be `unknown`: frozen on its tenant lock
/// (no COMMIT sent), the first tenant is `skipped` like the three waiting
/// for the one connection slot, in the output and the audit log, and all
/// four are untouched.
#[test]
fn second_ctrl_c_before_any_commit_reports_every_tenant_skipped() {
    let (outcomes, audit, _t) = second_ctrl_c(IN_RUN);
    assert_eq!(outcomes, vec!["skipped"; 4]);
    assert_eq!(audit, vec!["skipped"; 4]);
}

/// Frozen on its COMMIT, the first tenant's change was sent: `unknown`;
/// the three behind it were never started: `skipped`.
#[test]
fn second_ctrl_c_after_a_commit_was_sent_reports_that_tenant_unknown() {
    let (mut outcomes, mut audit, _t) = second_ctrl_c("COMMIT");
    // Which tenant takes the one slot first is not fixed.
    outcomes.sort();
    audit.sort();
    assert_eq!(outcomes, vec!["skipped", "skipped", "skipped", "unknown"]);
    assert_eq!(audit, vec!["skipped", "skipped", "skipped", "unknown"]);
}

// ------------------------------------------------------------------- NULL active

#[test]
fn a_null_active_user_is_read_as_inactive_everywhere() {
    let names = ["n0", "n1", "n2", "n3"];
    let w = World::one_node(
        &names
            .iter()
            .map(|n| (*n, TenantSpec::default()))
            .collect::<Vec<_>>(),
    );
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    // Odoo's `active` column has no NOT NULL: a tenant can store NULL.
    c.sql(
        "n1",
        "UPDATE res_users SET active = NULL WHERE login IN ('user1', 'admin')",
    );
    let no_panic = |what: &str, o: &Output| {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{what}: {err}");
    };
    let o = run(with(cmd(dir.path(), inv), &["list", "-o", "json"]));
    no_panic("list", &o);
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    assert_eq!(json(&o)["tenants"].as_array().unwrap().len(), 4);
    let o = run(with(cmd(dir.path(), inv), &["show", "n1", "-o", "json"]));
    no_panic("show", &o);
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    let v = json(&o);
    let u1 = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "user1")
        .unwrap()
        .clone();
    assert_eq!(u1["active"], false, "NULL reads as inactive: {u1}");
    let o = run(with(cmd(dir.path(), inv), &["check", "-o", "json"]));
    let never = dir.path().join("never.csv");
    no_panic("check", &o);
    assert_eq!(json(&o)["nodes"][0]["tenants"], 4, "{}", text(&o).0);
    let o = run(with(
        cmd(dir.path(), inv),
        &[
            "bulk",
            "passwd",
            "--all-matching",
            "--generate",
            "--secrets-file",
            never.to_str().unwrap(),
            "--dry-run",
            "-o",
            "json",
        ],
    ));
    no_panic("bulk passwd --dry-run", &o);
    assert_eq!(rows(&json(&o)).len(), 4, "every tenant reported");
    let o = run_stdin(
        with(
            cmd(dir.path(), inv),
            &["passwd", "n1", "--password-stdin", "-o", "json"],
        ),
        "a-new-long-password\n",
    );
    no_panic("passwd", &o);
    let o = run(with(
        cmd(dir.path(), inv),
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--yes",
            "-o",
            "json",
        ],
    ));
    no_panic("bulk suspend", &o);
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    let r = rows(&json(&o));
    assert_eq!(r.len(), 4, "none dropped: {r:#?}");
    for n in names {
        assert_eq!(row(&r, n)["outcome"], "changed");
        assert_eq!(icp(c, n, "tenant.suspended").as_deref(), Some("true"));
    }
    // A NULL written while suspended, among the recorded users.
    c.sql(
        "n2",
        "UPDATE res_users SET active = NULL WHERE login = 'user2'",
    );
    for a in [
        vec![
            "bulk",
            "reactivate",
            "--all-matching",
            "--dry-run",
            "-o",
            "json",
        ],
        vec![
            "bulk",
            "reactivate",
            "--all-matching",
            "--yes",
            "-o",
            "json",
        ],
    ] {
        let o = run(with(cmd(dir.path(), inv), &a));
        no_panic("bulk reactivate", &o);
        assert_eq!(code(&o), Some(0), "{a:?}: {}", text(&o).1);
        assert_eq!(rows(&json(&o)).len(), 4, "{a:?}: none dropped");
    }
}

// ------------------------------------------------------ addressing: unsearchable

#[test]
fn an_unqualified_name_refuses_while_a_node_cannot_be_searched() {
    let c = Cluster::start("live");
    create_tenant(&c, "t1", &TenantSpec::default());
    create_tenant(&c, "t2", &TenantSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let dead = free_port(); // nothing listens there
    let inv = Inventory::default()
        .node_at("n1", "127.0.0.1", c.port())
        .node_at("deadnode", "127.0.0.1", dead)
        .node_key("connect_timeout", "2s")
        .write(&dir.path().join("nodes.toml"));
    let before1 = user_states(&c, "t1");
    let before2 = user_states(&c, "t2");
    let o = run(with(
        cmd(dir.path(), &inv),
        &["suspend", "t1", "--reason", "x", "--yes"],
    ));
    let (_, err) = text(&o);
    assert_untouched(&c, "t1", &before1);
    assert_eq!(code(&o), Some(2), "{err}");
    assert!(
        err.contains("could not be searched") && err.contains("deadnode"),
        "{err}"
    );
    // Qualified: works.
    let o = run(with(
        cmd(dir.path(), &inv),
        &["suspend", "n1/t1", "--reason", "x", "--yes"],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    assert_suspended(&c, "t1");
    // bulk: the unqualified line is refused with that reason and the flag
    // that accepts the risk (issue 24); nothing changed, exit 2.
    let file = dir.path().join("targets.txt");
    std::fs::write(&file, "t2\n").unwrap();
    let mut k = cmd(dir.path(), &inv);
    k.args([
        "bulk", "suspend", "--reason", "x", "--yes", "-o", "json", "--from",
    ])
    .arg(&file);
    let o = run(k);
    let (out, err) = text(&o);
    assert_untouched(&c, "t2", &before2);
    assert_eq!(code(&o), Some(2), "stdout: {out}\nstderr: {err}");
    let r = rows(&json(&o));
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0]["outcome"], "refused");
    let e = r[0]["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("could not be searched")
            && e.contains("deadnode")
            && e.contains("--skip-unreachable"),
        "{e}"
    );
    // Read-only commands only warn.
    let o = run(with(cmd(dir.path(), &inv), &["list"]));
    assert_eq!(code(&o), Some(3), "{}", text(&o).1);
    let o = run(with(cmd(dir.path(), &inv), &["show", "t1"]));
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(0), "{err}");
    assert!(out.contains("t1"), "{out}");
    assert!(err.contains("warning") && err.contains("deadnode"), "{err}");
}

// -------------------------------------------------------------------- escaping

#[test]
fn tenant_controlled_text_is_escaped_in_tables() {
    let w = evil_fleet();
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    assert_eq!(
        c.sql(
            "acme",
            "SELECT count(*) FROM res_users WHERE login = E'evil\\x1b[31mred\\u202ex'"
        ),
        "1"
    );
    let o = run(with(cmd(dir.path(), inv), &["show", "acme"]));
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(0), "{err}");
    assert!(!o.stdout.contains(&0x1b), "raw ESC in show: {out:?}");
    assert!(!out.contains('\u{202e}'), "raw U+202E in show: {out:?}");
    assert!(
        out.contains("evil\\x1b[31mred\\u{202e}x"),
        "escaped login: {out}"
    );
    let o = run(with(cmd(dir.path(), inv), &["show", "acme", "-o", "json"]));
    assert!(!o.stdout.contains(&0x1b));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("evil\\u001b[31mred"),
        "JSON escapes as JSON does"
    );

    // A reason the tenant wrote itself (tenantctl refuses such reasons).
    let o = run(with(
        cmd(dir.path(), inv),
        &["suspend", "acme", "--reason", "unpaid", "--yes"],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    c.sql(
        "acme",
        "UPDATE ir_config_parameter SET value = E'pay\\x1b[2Jnow\\u202e!' WHERE key = 'tenant.suspended_reason'",
    );
    let o = run(with(cmd(dir.path(), inv), &["show", "acme"]));
    let (out, _) = text(&o);
    assert!(!o.stdout.contains(&0x1b), "raw ESC in show: {out:?}");
    assert!(
        out.contains("pay\\x1b[2Jnow\\u{202e}!"),
        "escaped reason: {out}"
    );
    let o = run(with(cmd(dir.path(), inv), &["list"]));
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(0), "{err}");
    assert!(!o.stdout.contains(&0x1b), "raw ESC in list: {out:?}");
    assert!(!out.contains('\u{202e}'), "raw U+202E in list: {out:?}");
    assert!(out.contains("pay\\x1b[2Jnow"), "escaped reason: {out}");
    assert!(
        out.contains("esc\\x1b[1mdb"),
        "escaped database name: {out}"
    );
    assert!(!o.stderr.contains(&0x1b), "raw ESC on stderr: {err:?}");
    // CSV stays raw (CSV quoting rules), JSON escapes.
    let o = run(with(cmd(dir.path(), inv), &["list", "-o", "json"]));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(!o.stdout.contains(&0x1b) && s.contains("\\u001b"), "{s}");
}

// ------------------------------------------------------------ dry-run privileges

#[test]
fn dry_run_checks_the_privileges_of_the_real_run() {
    let c = Cluster::start("priv");
    create_tenant(&c, "acme", &TenantSpec::default());
    c.create_role("tc_ro", "ro-pass", false);
    c.sql(
        "acme",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO tc_ro; \
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tc_ro",
    );
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("nodes.toml");
    std::fs::write(
        &inv,
        format!(
            "[[node]]\nname = \"n1\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"tc_ro\"\npassword_env = \"RO_PW\"\nsslmode = \"disable\"\n",
            c.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = user_states(&c, "acme");
    let dry = || {
        let mut k = cmd(dir.path(), &inv);
        k.env("RO_PW", "ro-pass").args([
            "suspend",
            "acme",
            "--reason",
            "x",
            "--dry-run",
            "-o",
            "json",
        ]);
        run(k)
    };
    let o = dry();
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(1), "stdout: {out}\nstderr: {err}");
    let v = json(&o);
    assert_eq!(v["outcome"], "failed", "{v:#}");
    let e = v["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("would fail") && e.contains("permission denied"),
        "{e}"
    );
    assert_untouched(&c, "acme", &before);
    // With the grants the real run needs: would-change.
    crate::world::grant_minimal(&c, "acme", "tc_ro");
    let o = dry();
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(0), "stdout: {out}\nstderr: {err}");
    assert_eq!(json(&o)["outcome"], "would-change", "{out}");
    assert_untouched(&c, "acme", &before);
}

// ------------------------------------------------------------ exit-code mapping

#[test]
fn refusals_map_to_exit_2_alone_and_in_bulk() {
    let old = TenantSpec {
        suspended_by_old_agent: true,
        ..Default::default()
    };
    let w = World::one_node(&[
        ("old1", old.clone()),
        ("old2", old),
        ("mine", TenantSpec::default()),
    ]);
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    for db in ["old1", "old2"] {
        c.sql(db, "UPDATE res_users SET active = false WHERE id <> 1");
    }
    let before1 = user_states(c, "old1");
    // A refusal alone: exit 2, outcome refused, nothing changed.
    let o = run(with(
        cmd(dir.path(), inv),
        &["reactivate", "old1", "--yes", "-o", "json"],
    ));
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(2), "{err}");
    assert_eq!(json(&o)["outcome"], "refused", "{out}");
    assert_eq!(user_states(c, "old1"), before1);
    // bulk, every target refused: exit 2.
    let o = run_stdin(
        with(
            cmd(dir.path(), inv),
            &["bulk", "reactivate", "--from", "-", "--yes", "-o", "json"],
        ),
        "old1\nold2\n",
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(2), "stdout: {out}\nstderr: {err}");
    let r = rows(&json(&o));
    assert!(r.iter().all(|r| r["outcome"] == "refused"), "{r:#?}");
    assert_eq!(user_states(c, "old1"), before1);
    // refused + changed: exit 3.
    let o = run(with(
        cmd(dir.path(), inv),
        &["suspend", "mine", "--reason", "x", "--yes"],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    let o = run_stdin(
        with(
            cmd(dir.path(), inv),
            &["bulk", "reactivate", "--from", "-", "--yes", "-o", "json"],
        ),
        "old1\nmine\n",
    );
    let (out, err) = text(&o);
    assert_eq!(code(&o), Some(3), "stdout: {out}\nstderr: {err}");
    let r = rows(&json(&o));
    assert_eq!(row(&r, "old1")["outcome"], "refused");
    assert_eq!(row(&r, "mine")["outcome"], "changed");
}

// ------------------------------------------------------------ bulk passwd secrets

#[test]
fn bulk_passwd_writes_pending_then_done_lines() {
    let names = ["s0", "s1", "s2"];
    let w = World::one_node(
        &names
            .iter()
            .map(|n| (*n, TenantSpec::default()))
            .collect::<Vec<_>>(),
    );
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let secrets = dir.path().join("secrets.csv");
    let mut k = cmd(dir.path(), inv);
    k.args([
        "bulk",
        "passwd",
        "--all-matching",
        "--generate",
        "--secrets-file",
    ])
    .arg(&secrets)
    .args(["--yes", "-o", "json"]);
    let o = run(k);
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    let body = std::fs::read_to_string(&secrets).unwrap();
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("node,tenant,login,password,status"));
    let recs: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(recs.iter().all(|r| r.len() == 5), "{body}");
    for n in names {
        let mine: Vec<&Vec<&str>> = recs.iter().filter(|r| r[1] == n).collect();
        assert_eq!(mine.len(), 2, "{n}: a pending and a done line:\n{body}");
        assert_eq!(
            (mine[0][4], mine[1][4]),
            ("pending", "done"),
            "{n}: pending first:\n{body}"
        );
        assert_eq!(mine[0][..4], mine[1][..4], "{n}: the same secret");
        let (login, pw) = (mine[0][2], mine[0][3]);
        let hash = password_hash(c, n, login).unwrap();
        assert!(passlib_check(&hash, pw, 16).verifies, "{n}: {login}");
    }
}

/// A database named with ESC (see [`evil_fleet`]).
const EVIL_DB: &str = "esc\u{1b}[1mdb";

/// Tenant `acme` with a login holding an ANSI colour sequence and a right-to-left
/// override, and tenant [`EVIL_DB`].
fn evil_fleet() -> World {
    let w = World::one_node(&[
        ("acme", TenantSpec::default()),
        (EVIL_DB, TenantSpec::default()),
    ]);
    w.c.sql(
        "acme",
        "INSERT INTO res_users (company_id, partner_id, active, create_date, login, share, notification_type) \
         SELECT company_id, partner_id, true, create_date, E'evil\\x1b[31mred\\u202ex', false, 'email' \
         FROM res_users WHERE login = 'user3'",
    );
    w
}

fn no_raw_controls(what: &str, o: &Output) {
    for (name, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let s = String::from_utf8_lossy(bytes);
        assert!(!bytes.contains(&0x1b), "{what}: raw ESC on {name}: {s:?}");
        assert!(
            !s.contains('\u{202e}'),
            "{what}: raw U+202E on {name}: {s:?}"
        );
    }
}

#[test]
fn tenant_controlled_text_is_escaped_in_plans_progress_and_errors() {
    let w = evil_fleet();
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let before = user_states(c, "acme");
    // The single command's plan lists the logins it would switch off.
    let o = run(with(
        cmd(dir.path(), inv),
        &["suspend", "acme", "--reason", "x", "--dry-run"],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    no_raw_controls("suspend --dry-run", &o);
    assert!(
        text(&o).0.contains("evil\\x1b[31mred\\u{202e}x"),
        "{}",
        text(&o).0
    );
    assert_eq!(user_states(c, "acme"), before);
    // bulk: the plan (stderr) and the results (stdout) name the database.
    let o = run(with(
        cmd(dir.path(), inv),
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--dry-run",
        ],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    no_raw_controls("bulk suspend --dry-run", &o);
    let (out, err) = text(&o);
    assert!(
        format!("{out}{err}").contains("esc\\x1b[1mdb"),
        "{out}\n{err}"
    );
    // Progress lines and the results table of a real run.
    let o = run(with(
        cmd(dir.path(), inv),
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--yes",
        ],
    ));
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    no_raw_controls("bulk suspend", &o);
    assert!(text(&o).0.contains("esc\\x1b[1mdb"), "{}", text(&o).0);
    assert_suspended(c, EVIL_DB);
    // An error line that lists tenant names ("closest: ...").
    let o = run(with(cmd(dir.path(), inv), &["show", "esc[1mdb"]));
    assert_eq!(code(&o), Some(2), "{}", text(&o).1);
    no_raw_controls("show <unknown>", &o);
}

// ------------------------------------------------------------ stdout write errors

#[test]
fn a_full_stdout_is_a_failure() {
    let w = World::one_node(&[("acme", TenantSpec::default())]);
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    for a in [
        vec!["completions", "bash"],
        vec!["list"],
        vec!["list", "-o", "json"],
        vec!["show", "acme"],
    ] {
        let mut k = cmd(dir.path(), inv);
        k.args(&a)
            .stdout(Stdio::from(std::fs::File::create("/dev/full").unwrap()));
        let o = run(k);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!err.contains("panicked"), "{a:?}: {err}");
        assert_eq!(code(&o), Some(1), "{a:?}: {err}");
    }
    assert_eq!(icp(c, "acme", "tenant.suspended"), None);
}

// ------------------------------------------------------------ passwd and the lock

/// The per-tenant advisory lock key of the contract (0x74656e616e74, "tenant").
const TENANT_LOCK_KEY: i64 = 127_978_992_397_940;

/// A psql session (application_name `lock_holder`) holding `db`'s tenant
/// lock in an open transaction, once it holds it; kill the child, end the
/// session (`pg_terminate_backend`) and drop the stdin to let it go.
pub(crate) fn hold_tenant_lock(c: &Cluster, db: &str) -> (Child, std::process::ChildStdin) {
    hold(
        c,
        db,
        &format!("SELECT pg_advisory_xact_lock({TENANT_LOCK_KEY})"),
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'lock_holder'",
    )
}

/// A psql session (application_name `lock_holder`) that runs `lock` in an
/// open transaction on `db` and sleeps, once `held` (a count) says 1.
fn hold(c: &Cluster, db: &str, lock: &str, held: &str) -> (Child, std::process::ChildStdin) {
    let mut holder = Command::new("psql")
        .args(["-X", "-q", "-h"])
        .arg(c.socket_dir())
        .args(["-p", &c.port().to_string(), "-U", "postgres", "-d", db])
        .env("PGAPPNAME", "lock_holder")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    std::io::Write::write_all(
        &mut stdin,
        format!("BEGIN; {lock}; SELECT pg_sleep(120);\n").as_bytes(),
    )
    .unwrap();
    let t0 = Instant::now();
    while c.sql(db, held) != "1" {
        assert!(t0.elapsed() < Duration::from_secs(20), "lock not taken");
        std::thread::sleep(Duration::from_millis(50));
    }
    (holder, stdin)
}

#[test]
fn passwd_waits_for_the_tenant_lock_at_most_the_statement_timeout() {
    let w = World::builder()
        .node("n1")
        .tenant("acme", TenantSpec::default())
        .node_key("statement_timeout", "1s")
        .build();
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let original = password_hash(c, "acme", "admin").unwrap();
    let (mut holder, stdin) = hold_tenant_lock(c, "acme");
    let o = run_stdin(
        with(
            cmd(dir.path(), inv),
            &["passwd", "acme", "--password-stdin", "-o", "json"],
        ),
        "a-long-new-password\n",
    );
    let (out, err) = text(&o);
    let unlocked = password_hash(c, "acme", "admin").unwrap();
    c.sql(
        "acme",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'",
    );
    let _ = holder.kill();
    let _ = holder.wait();
    drop(stdin);
    assert_eq!(
        unlocked, original,
        "nothing changed while the lock was held"
    );
    assert_eq!(code(&o), Some(1), "stdout: {out}\nstderr: {err}");
    assert_eq!(json(&o)["outcome"], "failed", "{out}");
    // The failure names what holds the lock (issue 24): the session, its
    // application and that it sits in a transaction.
    let error = json(&o)["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error.contains("tenant lock is held by pid")
            && error.contains("\"lock_holder\"")
            && error.contains("in a transaction for"),
        "{out}"
    );
    // The lock gone, the same command works.
    let o = run_stdin(
        with(
            cmd(dir.path(), inv),
            &["passwd", "acme", "--password-stdin"],
        ),
        "a-long-new-password\n",
    );
    assert_eq!(code(&o), Some(0), "{}", text(&o).1);
    assert!(
        passlib_check(
            &password_hash(c, "acme", "admin").unwrap(),
            "a-long-new-password",
            16
        )
        .verifies
    );
}

/// A dry run only reads: a tenant lock held by another write does not hold
/// it up; its plan is made, and it says who holds the lock the real run will
/// wait for. A table lock that does hold a statement up (an Odoo worker's
/// `LOCK TABLE`, a module update's `ALTER TABLE`, an open transaction) ends
/// in one `statement_timeout`, and the failure names the sessions holding
/// locks on the tenant's tables, in the dry run and the real run alike.
#[test]
fn a_locked_tenant_names_its_lock_holders_and_a_dry_run_does_not_wait() {
    let w = World::builder()
        .node("n1")
        .tenant("acme", TenantSpec::default())
        .node_key("statement_timeout", "1s")
        .build();
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let dry = [
        vec![
            "suspend",
            "acme",
            "--reason",
            "x",
            "--dry-run",
            "-o",
            "json",
        ],
        vec!["reactivate", "acme", "--dry-run", "-o", "json"],
    ];
    let (mut holder, stdin) = hold_tenant_lock(c, "acme");
    let outs: Vec<_> = dry
        .iter()
        .map(|a| (a.clone(), run(with(cmd(dir.path(), inv), a))))
        .collect();
    let _ = holder.kill();
    let _ = holder.wait();
    drop(stdin);
    end_lock_holder(c, "acme");
    for (a, o) in &outs {
        let (out, err) = text(o);
        assert_eq!(code(o), Some(0), "{a:?}\nstdout: {out}\nstderr: {err}");
        let v = json(o);
        assert!(
            v["outcome"] == "would-change" || v["outcome"] == "unchanged",
            "{a:?}: {out}"
        );
        let warned = v["warnings"].as_array().cloned().unwrap_or_default();
        assert!(
            warned.iter().any(|w| w.as_str().is_some_and(|w| w
                .contains("tenant lock is held by pid")
                && w.contains("\"lock_holder\""))),
            "{a:?}: {out}"
        );
    }
    // A table lock: the statement waits its statement_timeout, once, and
    // the failure names who holds the table.
    let (mut holder, stdin) = hold(
        c,
        "acme",
        "LOCK TABLE res_users IN ACCESS EXCLUSIVE MODE",
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' \
         AND a.application_name = 'lock_holder'",
    );
    let outs: Vec<_> = [
        dry[0].clone(),
        vec!["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    ]
    .into_iter()
    .map(|a| {
        let o = run(with(cmd(dir.path(), inv), &a));
        (a, o)
    })
    .collect();
    let _ = holder.kill();
    let _ = holder.wait();
    drop(stdin);
    end_lock_holder(c, "acme");
    for (a, o) in &outs {
        let (out, err) = text(o);
        assert_eq!(code(o), Some(1), "{a:?}\nstdout: {out}\nstderr: {err}");
        let error = json(o)["error"].as_str().unwrap_or_default().to_string();
        assert!(
            error.contains("statement timeout")
                && error.contains("sessions holding locks on its tables: pid")
                && error.contains("\"lock_holder\"")
                && error.contains("res_users AccessExclusiveLock"),
            "{a:?}: {out}"
        );
    }
    assert_eq!(icp(c, "acme", "tenant.suspended"), None);
}

/// Ends the `lock_holder` sessions of `db`.
fn end_lock_holder(c: &Cluster, db: &str) {
    c.sql(
        db,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'",
    );
}

/// At a terminal, suspend asks with the counts of its dry-run plan. When that
/// plan cannot be made (here a table lock outlasts the statement_timeout),
/// the command ends, nothing changed, instead of skipping the question and
/// running the write unasked: no write ran, so no audit line.
#[test]
fn a_plan_that_cannot_be_made_ends_the_command_instead_of_running_it_unasked() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let w = World::builder()
        .node("n1")
        .tenant("acme", TenantSpec::default())
        .node_key("statement_timeout", "1s")
        .build();
    let (c, dir, inv) = (&w.c, &w.dir, &w.inv);
    let (mut holder, stdin) = hold(
        c,
        "acme",
        "LOCK TABLE res_users IN ACCESS EXCLUSIVE MODE",
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'AccessExclusiveLock' \
         AND a.application_name = 'lock_holder'",
    );
    let command = format!(
        "exec {} -i {} suspend acme --reason unpaid",
        crate::harness::tenantctl_bin().display(),
        inv.display()
    );
    // Nobody answers: a question, if asked, reads the end of input (no).
    let (code, screen) = crate::harness::on_a_pty_driven(&command, dir.path(), |_| {});
    let _ = holder.kill();
    let _ = holder.wait();
    drop(stdin);
    end_lock_holder(c, "acme");
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains("nothing changed") && screen.contains("res_users AccessExclusiveLock"),
        "{screen}"
    );
    assert!(!screen.contains("[y/N]"), "{screen}");
    let audit =
        std::fs::read_to_string(dir.path().join("tenantctl/audit.jsonl")).unwrap_or_default();
    assert!(!audit.contains("suspend"), "no write ran: {audit}");
    assert_eq!(icp(c, "acme", "tenant.suspended"), None);
}
