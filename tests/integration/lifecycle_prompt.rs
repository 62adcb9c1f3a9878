//! Issue 23: a single lifecycle command asks before its run (the plan of a
//! dry run), on a terminal (a pty, util-linux `script`): Ctrl-C at the
//! question ends the process at once with nothing changed and no audit
//! line, and what the question showed is what the run does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::fixtures::TenantSpec;
use crate::harness::tenantctl_bin;
use crate::harness::tty::Tty;
use crate::world::World;

/// A tenant `acme` on node n1, and the state directory (audit log) of the
/// runs.
fn one() -> World {
    World::one_node(&[("acme", TenantSpec::for_major(16))])
}

fn audit_lines(t: &World) -> usize {
    let p = t.dir.path().join("tenantctl/audit.jsonl");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .count()
}

/// `tenantctl -i INV ARGS` on a pty.
fn on_a_pty(t: &World, args: &str) -> Tty {
    let line = format!(
        "exec {} -i {} {args}",
        tenantctl_bin().display(),
        t.inv.display()
    );
    Tty::start(&line, t.dir.path())
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
    let (code, screen) = on_a_pty(&t, "drop acme --force --no-filestore --yes").finish();
    assert_eq!(code, Some(0), "{screen}");
    let dropped = t.dbs().into_iter().find(|d| d.starts_with("acme.dropped-"));
    let dropped = dropped.unwrap_or_else(|| panic!("not dropped: {screen}"));
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
fn ctrl_c_at(t: &World, args: &str, question: &str, lines: usize) {
    let before = t.dbs();
    let mut tty = on_a_pty(t, args);
    tty.wait_for(question);
    tty.type_bytes(b"\x03");
    let (code, shown) = tty.finish();
    // script(1) -e reports a child killed by SIGINT as 128 + 2.
    assert_eq!(code, Some(130), "{args}: {shown}");
    assert!(
        !shown.contains("aborted") && !shown.contains("interrupted"),
        "{args}: ended by a handler, not by the signal: {shown}"
    );
    assert_eq!(t.dbs(), before, "{args}: {shown}");
    assert_eq!(audit_lines(t), lines, "{args}: {shown}");
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
    let mut tty = on_a_pty(&t, "drop acme --force --no-filestore");
    tty.wait_for("Drop n1/acme? [y/N]");
    // The stamp (whole seconds) was taken before the question showed: a
    // stamp taken when the answer comes, in the next second, would differ.
    next_second();
    tty.type_line("y");
    let (code, shown) = tty.finish();
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
    assert_eq!(audit_lines(&t), 1, "{shown}");
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
    assert_eq!(audit_lines(&t), 1, "{v}");
    assert!(t.dbs().contains(&"acme".to_string()));
}

/// Sleeps until the wall clock's whole second changes (at most 1 s).
fn next_second() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    std::thread::sleep(Duration::from_nanos(
        1_000_000_000 - u64::from(now.subsec_nanos()) + 1_000_000,
    ));
}
