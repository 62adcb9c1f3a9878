//! Issue 23: a single lifecycle command asks before its run (the plan of a
//! dry run), on a terminal (a pty, util-linux `script`): Ctrl-C at the
//! question ends the process at once with nothing changed and no audit
//! line, and what the question showed is what the run does.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{tenantctl_bin, write_inventory, Cluster, PASSWORD_ENV, SUPERUSER_PASSWORD};

/// A tenant `acme` on node n1, and the state directory (audit log) of the
/// runs.
struct One {
    c: Cluster,
    dir: tempfile::TempDir,
    inv: std::path::PathBuf,
}

fn one() -> One {
    let c = Cluster::start("lp");
    create_tenant(&c, "acme", &TenantSpec::for_major(16));
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], "");
    One { c, dir, inv }
}

impl One {
    fn dbs(&self) -> Vec<String> {
        self.c.column(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres','template0','template1') ORDER BY 1",
        )
    }
    fn audit_lines(&self) -> usize {
        let p = self.dir.path().join("tenantctl/audit.jsonl");
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    }
    /// `tenantctl -i INV ARGS` on a pty.
    fn on_a_pty(&self, args: &str) -> (Child, Arc<Mutex<Vec<u8>>>) {
        let line = format!(
            "stty cols 80 rows 24 2>/dev/null; exec {} -i {} {args}",
            tenantctl_bin().display(),
            self.inv.display()
        );
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env(PASSWORD_ENV, SUPERUSER_PASSWORD)
            .env("XDG_STATE_HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script(1) from util-linux");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut out = child.stdout.take().unwrap();
        let s = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        (child, screen)
    }
}

fn text(screen: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&screen.lock().unwrap()).into_owned()
}

/// Waits (at most a minute) until the screen shows `what`.
fn wait_for(screen: &Arc<Mutex<Vec<u8>>>, what: &str) {
    let t0 = Instant::now();
    while !text(screen).contains(what) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no {what:?} on the screen: {}",
            text(screen)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits (at most a minute, stdin still open: no end of input answers the
/// question) for the process to end; its exit status.
fn ended(child: &mut Child, screen: &Arc<Mutex<Vec<u8>>>) -> Option<i32> {
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            std::thread::sleep(Duration::from_millis(200));
            return s.code();
        }
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running a minute after: {}", text(screen));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Ctrl-C at the confirmation of `drop`, `rename` and `purge` (their plan
/// shown) ends the process at once, killed by SIGINT (no handler counts it
/// yet), with nothing changed and no audit line.
#[test]
fn lifecycle_ctrl_c_at_the_confirmation_ends_at_once_with_nothing_changed() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = one();
    for (args, question) in [
        ("drop acme --force --no-filestore", "Drop n1/acme? [y/N]"),
        (
            "rename acme acme2 --no-filestore",
            "Rename n1/acme to acme2? [y/N]",
        ),
    ] {
        ctrl_c_at(&t, args, question, 0);
    }
    // purge: at the tenant's name to type, --yes or not.
    let (mut child, screen) = t.on_a_pty("drop acme --force --no-filestore --yes");
    assert_eq!(ended(&mut child, &screen), Some(0), "{}", text(&screen));
    let dropped = t.dbs().into_iter().find(|d| d.starts_with("acme.dropped-"));
    let dropped = dropped.unwrap_or_else(|| panic!("not dropped: {}", text(&screen)));
    for args in [
        "purge acme --now --no-filestore",
        "purge acme --now --no-filestore --yes",
    ] {
        ctrl_c_at(&t, args, "Type the tenant's name (acme) to confirm:", 1);
    }
    assert!(t.dbs().contains(&dropped));
}

/// Runs `args` on a pty, presses Ctrl-C at `question`: the process is
/// killed by SIGINT, no database changed, the audit log still has `lines`.
fn ctrl_c_at(t: &One, args: &str, question: &str, lines: usize) {
    let before = t.dbs();
    let (mut child, screen) = t.on_a_pty(args);
    wait_for(&screen, question);
    let mut tty = child.stdin.take().unwrap();
    tty.write_all(b"\x03").unwrap();
    tty.flush().unwrap();
    let code = ended(&mut child, &screen);
    drop(tty);
    let shown = text(&screen);
    // script(1) -e reports a child killed by SIGINT as 128 + 2.
    assert_eq!(code, Some(130), "{args}: {shown}");
    assert!(
        !shown.contains("aborted") && !shown.contains("interrupted"),
        "{args}: ended by a handler, not by the signal: {shown}"
    );
    assert_eq!(t.dbs(), before, "{args}: {shown}");
    assert_eq!(t.audit_lines(), lines, "{args}: {shown}");
}

/// The dropped name `drop` shows in its plan (asked) is the name the run
/// gives the database, even when the answer comes seconds later (the
/// name's stamp is decided once, before the question).
#[test]
fn lifecycle_the_confirmed_drop_plan_is_what_runs() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = one();
    let (mut child, screen) = t.on_a_pty("drop acme --force --no-filestore");
    wait_for(&screen, "Drop n1/acme? [y/N]");
    // A stamp taken when the run starts would name another second.
    std::thread::sleep(Duration::from_millis(2100));
    let mut tty = child.stdin.take().unwrap();
    tty.write_all(b"y\r").unwrap();
    tty.flush().unwrap();
    let code = ended(&mut child, &screen);
    drop(tty);
    let shown = text(&screen);
    assert_eq!(code, Some(0), "{shown}");
    let name_after = |marker: &str| {
        let i = shown
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker:?}: {shown}"))
            + marker.len();
        shown[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
            .collect::<String>()
    };
    let planned = name_after("rename to ");
    let done = name_after("now ");
    assert!(planned.starts_with("acme.dropped-"), "{shown}");
    assert_eq!(planned, done, "{shown}");
    let dbs = t.dbs();
    assert!(
        dbs.contains(&planned) && !dbs.contains(&"acme".to_string()),
        "{dbs:?}: {shown}"
    );
    assert_eq!(t.audit_lines(), 1, "{shown}");
}

/// Without `--yes` the plan comes first (the same work as a dry run): one
/// that is refused (a tenant not suspended) is the command's result as a
/// real run's (no `dry_run`, no `plan`), exit 2, with its one audit line.
#[test]
fn lifecycle_a_refused_plan_is_the_result_audited_once() {
    let t = one();
    let a = crate::harness::tenantctl_with_home(t.dir.path())
        .env("XDG_STATE_HOME", t.dir.path())
        .arg("-i")
        .arg(&t.inv)
        .args(["drop", "acme", "--no-filestore", "-o", "json"])
        .write_stdin("")
        .assert()
        .code(2);
    let out = a.get_output();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(v["outcome"], "refused", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("not suspended"),
        "{v}"
    );
    assert!(v.get("dry_run").is_none() && v.get("plan").is_none(), "{v}");
    assert_eq!(t.audit_lines(), 1, "{v}");
    assert!(t.dbs().contains(&"acme".to_string()));
}
