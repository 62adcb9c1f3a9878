//! `upgrade` (issue 27): Odoo's `-u` on a copy, swapped in when verified,
//! else the tenant left exactly as it was. Odoo is the stand-in
//! `odoo-standin.sh`, which does to the database what `-u` does according
//! to odoo-facts §9, or fails as Odoo can (a non-zero exit, exit 0 with
//! modules left pending or with an ERROR line, a hang with a long statement).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixtures::TenantSpec;
use crate::harness::{interrupt_at, pg_bindir, tenantctl_process, Cluster};
use crate::world::{assert_recovered, World, FILES};

/// A world with tenant `acme` (Odoo 16, attachments) whose node runs the
/// stand-in as its Odoo command.
pub(crate) fn world() -> World {
    with_odoo(
        World::builder()
            .node("n1")
            .tenant("acme", TenantSpec::for_major(16))
            .files("acme")
            .build(),
    )
}

/// `w` whose node runs the stand-in as its Odoo command.
pub(crate) fn with_odoo(w: World) -> World {
    let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/odoo-standin.sh");
    let cmd = [
        "sh".to_string(),
        standin.display().to_string(),
        pg_bindir().join("psql").display().to_string(),
        w.c.socket_dir().display().to_string(),
        w.c.port().to_string(),
        w.fs.display().to_string(),
    ];
    let list = cmd
        .iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "{}\n[defaults.odoo]\ncommand = [{list}]\ntimeout = \"2m\"\n",
        std::fs::read_to_string(&w.inv).unwrap()
    );
    std::fs::write(&w.inv, text).unwrap();
    w
}

/// Everything of `db` that an upgrade could change: its dump (schema,
/// data, owners, privileges), its pg_database row and comment.
pub(crate) fn state(c: &Cluster, db: &str) -> String {
    let out = Command::new(pg_bindir().join("pg_dump"))
        .args(["-h"])
        .arg(c.socket_dir())
        .args(["-p", &c.port().to_string(), "-U", "postgres", "-d", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = c.sql(
        "postgres",
        &format!(
            "SELECT datallowconn, datacl, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{db}'"
        ),
    );
    // pg_dump's `\restrict` keys are random per run.
    let dump: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .map(str::to_string)
        .collect();
    // Rows in a dump follow their physical order, which an UPDATE moves.
    let mut dump = dump;
    dump.sort();
    format!("{row}\n{}", dump.join("\n"))
}

/// Asserts `db` is as `before` says, showing the first differing lines.
pub(crate) fn same(c: &Cluster, db: &str, before: &str, what: &str) {
    let now = state(c, db);
    if now != before {
        let diff: Vec<String> = before
            .lines()
            .zip(now.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!("{what}: {db} changed:\n{}", diff.join("\n"));
    }
}

pub(crate) fn dbs_like(w: &World, marker: &str) -> Vec<String> {
    w.dbs().into_iter().filter(|d| d.contains(marker)).collect()
}

pub(crate) fn version(c: &Cluster, db: &str, module: &str) -> String {
    c.sql(
        db,
        &format!("SELECT latest_version FROM ir_module_module WHERE name = '{module}'"),
    )
}

#[test]
fn a_verified_copy_is_swapped_in_and_the_original_kept() {
    let w = world();
    // A hardened node: PUBLIC may not connect; the copy must get that too.
    w.c.sql(
        "postgres",
        "REVOKE ALL ON DATABASE acme FROM PUBLIC; GRANT CONNECT ON DATABASE acme TO PUBLIC",
    );
    let acl = w.c.sql(
        "postgres",
        "SELECT datacl FROM pg_database WHERE datname = 'acme'",
    );
    let reg =
        w.c.sql("acme", "SELECT last_value FROM base_registry_signaling");
    // Another tenant of the same role, which the running Odoo lists.
    let owner = w.c.sql(
        "postgres",
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'acme'",
    );
    w.c.sql(
        "postgres",
        &format!("CREATE DATABASE other TEMPLATE acme OWNER \"{owner}\""),
    );
    let args = w.home().join("standin.args");
    let listed = w.home().join("standin.listdbs");
    let ran = w
        .run()
        .env("TC_STANDIN_ARGS", &args)
        .env("TC_STANDIN_LISTDBS", &listed)
        .args(["upgrade", "acme", "-u", "web,mail", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .json_at("/action", "upgrade")
        .run();
    let v = ran.json();
    let pre = v["pre_upgrade"].as_str().unwrap().to_string();
    assert!(
        pre.starts_with("acme.pre-upgrade-") && pre.ends_with('Z'),
        "{pre}"
    );
    assert_eq!(v["versions"][0]["name"], "mail");
    assert_eq!(v["versions"][0]["before"], "16.0.1.10");
    assert_eq!(v["versions"][0]["after"], "16.0.1.10.1");
    assert_eq!(v["odoo_exit"], 0);
    // Odoo got the copy's name and the one-shot flags (odoo-facts §9).
    let got = std::fs::read_to_string(&args).unwrap();
    let copy = v["copy"].as_str().unwrap();
    for want in [
        &format!("-d\n{copy}\n"),
        "-u\nweb,mail\n",
        "--stop-after-init\n",
        "--no-http\n",
        "--workers\n0\n",
        "--max-cron-threads\n0\n",
        "--limit-memory-hard\n0\n",
        "--logfile=\n",
    ] {
        assert!(got.contains(want), "{want:?} in {got}");
    }
    // While Odoo upgraded the copy, the running Odoo's list of databases
    // (its cron workers, selector and routing) had neither the blocked
    // tenant nor the copy: its scheduled jobs never ran on the copy.
    assert_eq!(std::fs::read_to_string(&listed).unwrap(), "other\n");
    // The tenant is the upgraded copy, open, with the original's privileges.
    assert_eq!(version(&w.c, "acme", "mail"), "16.0.1.10.1");
    assert_eq!(
        w.c.sql("acme", "SELECT note FROM standin_upgraded"),
        "upgraded"
    );
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
        ),
        "t"
    );
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datacl FROM pg_database WHERE datname = 'acme'"
        ),
        acl
    );
    // The registry signal moved: workers reload the new registry.
    let now: i64 =
        w.c.sql("acme", "SELECT last_value FROM base_registry_signaling")
            .parse()
            .unwrap();
    assert!(now > reg.parse::<i64>().unwrap(), "{now} after {reg}");
    // Its filestore: the old files (hard links) and the new one.
    assert!(w.fs.join("acme").join(FILES[0].0).exists());
    assert!(w
        .fs
        .join("acme/ff/ff00000000000000000000000000000000000001")
        .exists());
    // The original is kept, untouched, blocked, listed as dropped.
    assert_eq!(
        w.c.sql(
            "postgres",
            &format!("SELECT datallowconn FROM pg_database WHERE datname = '{pre}'")
        ),
        "f"
    );
    w.c.sql(
        "postgres",
        &format!("ALTER DATABASE \"{pre}\" ALLOW_CONNECTIONS true"),
    );
    assert_eq!(version(&w.c, &pre, "mail"), "16.0.1.10");
    w.c.sql(
        "postgres",
        &format!("ALTER DATABASE \"{pre}\" ALLOW_CONNECTIONS false"),
    );
    assert!(w.fs.join(&pre).join(FILES[0].0).exists());
    assert!(!w.fs.join(&pre).join("ff").exists());
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
    let dropped = w
        .run()
        .args(["list", "--dropped", "-o", "json"])
        .run()
        .json();
    assert_eq!(dropped[0]["database"], pre.as_str());
    assert_eq!(dropped[0]["tenant"], "acme");
    let audit = w.audit();
    assert_eq!(audit.last().unwrap()["action"], "upgrade");
    assert_eq!(audit.last().unwrap()["outcome"], "upgraded");
}

#[test]
fn every_failure_leaves_the_tenant_as_it_was_and_keeps_the_copy() {
    let w = world();
    let before = state(&w.c, "acme");
    for (i, (mode, says)) in [
        ("fail", "Odoo exited with status 1"),
        // The first error and what was raised, not the last line.
        ("fail", "the first: 2026"),
        ("fail", "raised: Exception: standin: a migration raised"),
        ("exit0-pending", "modules left pending by the run"),
        ("exit0-error", "ERROR/CRITICAL line"),
    ]
    .into_iter()
    .enumerate()
    {
        let ran = w
            .run()
            .env("TC_STANDIN_MODE", mode)
            // each run its own stamp (a clock the test sets, debug builds)
            .env("TENANTCTL_DEBUG_NOW_OFFSET", (i * 10).to_string())
            .args(["upgrade", "acme", "-u", "mail", "--yes", "-o", "json"])
            .code(1)
            .json_at("/outcome", "failed")
            .run();
        let v = ran.json();
        assert!(
            v["error"].as_str().unwrap().contains(says),
            "{mode}: {}",
            v["error"]
        );
        let failed = v["failed_copy"].as_str().unwrap();
        assert!(failed.starts_with("acme.upgrade-failed-"), "{failed}");
        assert!(w.c.db_exists(failed));
        same(&w.c, "acme", &before, mode);
        assert_eq!(
            w.c.sql(
                "postgres",
                &format!("SELECT datallowconn FROM pg_database WHERE datname = '{failed}'")
            ),
            "f"
        );
        assert!(!w.fs.join("acme/ff").exists(), "{mode}");
    }
    assert_eq!(dbs_like(&w, ".upgrade-failed-").len(), 5);
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
    assert_eq!(dbs_like(&w, ".pre-upgrade-"), Vec::<String>::new());
}

#[test]
fn a_hung_run_is_killed_at_the_deadline_with_its_sessions() {
    let w = world();
    let before = state(&w.c, "acme");
    let pidfile = w.home().join("standin.pid");
    let ran = w
        .run()
        .env("TC_STANDIN_MODE", "hang")
        .env("TC_STANDIN_PIDFILE", &pidfile)
        .args([
            "upgrade",
            "acme",
            "-u",
            "mail",
            "--timeout",
            "3s",
            "--yes",
            "-o",
            "json",
        ])
        .code(1)
        .json_at("/outcome", "failed")
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
    assert!(!alive(pid), "the stand-in {pid} still runs");
    // Its long statement on the copy was ended too.
    assert_eq!(
        w.c.sql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()"),
        "0"
    );
    same(&w.c, "acme", &before, "after");
}

pub(crate) fn alive(pid: i32) -> bool {
    // SAFETY: kill(pid, 0) only checks for the process; a zombie is gone.
    let status = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    (unsafe { libc::kill(pid, 0) } == 0) && !status.contains(") Z ")
}

#[test]
fn ctrl_c_during_odoo_kills_it_and_leaves_the_tenant_as_it_was() {
    let w = world();
    let before = state(&w.c, "acme");
    let pidfile = w.home().join("standin.pid");
    let mut child = tenantctl_process(w.home())
        .env("TC_STANDIN_MODE", "hang")
        .env("TC_STANDIN_PIDFILE", &pidfile)
        .arg("-i")
        .arg(&w.inv)
        .args(["upgrade", "acme", "-u", "mail", "--yes", "-o", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The stand-in writes its pid when it starts: Odoo is running.
    let t0 = Instant::now();
    while !pidfile.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the stand-in never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let _ = child.stdin.take();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid), "the stand-in {pid} still runs");
    // The Ctrl-C names the upgrade in flight (not "nothing in flight").
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stopping, deadline in") && err.contains(": n1/acme"),
        "{err}"
    );
    same(&w.c, "acme", &before, "after");
    assert_eq!(dbs_like(&w, ".upgrade-failed-").len(), 1);
}

#[test]
fn a_run_killed_before_its_swap_is_undone_and_one_killed_in_it_finished() {
    let w = world();
    let before = state(&w.c, "acme");
    let args = ["upgrade", "acme", "-u", "mail", "--yes"];
    // Killed once Odoo's run is verified, before the swap: the next
    // lifecycle command on the node undoes it.
    let (code, err) = interrupt_at(w.home(), &w.inv, &args, b"", "swap", libc::SIGKILL);
    assert_eq!(code, None, "{err}");
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
        ),
        "f"
    );
    let ran = w.run().args(["check"]).any_code().run();
    assert!(
        format!("{}{}", ran.stdout, ran.stderr).contains("a tenantctl upgrade (pid"),
        "{}{}",
        ran.stdout,
        ran.stderr
    );
    w.run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "5")
        .args(["upgrade", "acme", "-u", "mail", "--dry-run"])
        .stderr_has("finishes or undoes first")
        .run();
    // The list shows it as being upgraded, blocked.
    w.run()
        .args(["list", "-o", "json"])
        .json_at("/tenants/0/status", "upgrading")
        .json_at("/tenants/0/tenant", "acme")
        .stdout_lacks("upgrading-")
        .run();
    // The copy was left invalid (a DROP DATABASE cut short earlier, as a
    // statement timeout does on a busy node): only DROP works on it.
    let copy = dbs_like(&w, ".upgrading-").pop().unwrap();
    w.c.sql(
        "postgres",
        &format!(
            "UPDATE pg_database SET datconnlimit = -2, datistemplate = false, datallowconn = false \
             WHERE datname = '{copy}'"
        ),
    );
    // A real lifecycle command cleans up first: here an upgrade that fails.
    w.run()
        .env("TC_STANDIN_MODE", "fail")
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .code(1)
        .stderr_has("undid the upgrade of acme")
        .run();
    same(&w.c, "acme", &before, "after");
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
    // The undoing is audited: what was found (the killed run), what was
    // done, by which command.
    let rec = w.recovered();
    assert_eq!(rec.len(), 1, "{rec:?}");
    assert_recovered(&rec[0], "upgrade");
    assert_eq!(rec[0]["tenant"], "acme");
    let reason = rec[0]["reason"].as_str().unwrap();
    for want in [
        "undid the upgrade of acme",
        "killed before its swap",
        &format!("removed the copy {copy}"),
        "gave acme back its comment and its connections",
    ] {
        assert!(reason.contains(want), "{want}: {reason}");
    }
    w.run()
        .args(["log", "--action", "recover"])
        .stdout_has("recover (by upgrade)")
        .stdout_has("undid the upgrade of acme")
        .run();

    // Killed between the databases' swap (one transaction) and the
    // filestore's: the next run finishes the swap (the copy had been
    // verified).
    let (code, err) = interrupt_at(
        w.home(),
        &w.inv,
        &["upgrade", "acme", "-u", "mail", "--yes"],
        b"",
        "swap-files",
        libc::SIGKILL,
    );
    assert_eq!(code, None, "{err}");
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
        ),
        "f"
    );
    assert_eq!(dbs_like(&w, ".pre-upgrade-").len(), 1);
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
    let new_file =
        w.fs.join("acme/ff/ff00000000000000000000000000000000000001");
    assert!(!new_file.exists(), "the filestore was not swapped yet");
    w.run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "20")
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .stderr_has("finished the upgrade of acme")
        .run();
    assert_eq!(
        w.c.sql("acme", "SELECT count(*) FROM standin_upgraded"),
        "1"
    );
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
        ),
        "t"
    );
    assert!(new_file.exists());
    assert_eq!(dbs_like(&w, ".pre-upgrade-").len(), 2);
    let rec = w.recovered();
    assert_eq!(rec.len(), 2, "{rec:?}");
    assert_recovered(&rec[1], "upgrade");
    assert_eq!(rec[1]["tenant"], "acme");
    let reason = rec[1]["reason"].as_str().unwrap();
    for want in [
        "finished the upgrade of acme",
        "killed during its swap",
        "moved the filestore",
        "allowed connections to acme",
        "the original is kept as acme.pre-upgrade-",
    ] {
        assert!(reason.contains(want), "{want}: {reason}");
    }
}

#[test]
fn refusals_and_the_dry_run_change_nothing() {
    let w = world();
    let before = state(&w.c, "acme");
    let dbs = w.dbs();
    // A module the database does not have installed: Odoo would exit 0
    // having done nothing (odoo-facts §9).
    w.run()
        .args(["upgrade", "acme", "-u", "sale", "--yes"])
        .code(2)
        .stderr_has("module sale is uninstalled, not installed")
        .run();
    w.run()
        .args(["upgrade", "acme", "-u", "no_such", "--yes"])
        .code(2)
        .stderr_has("not known to the database")
        .run();
    // A module left pending by an earlier run.
    w.c.sql(
        "acme",
        "UPDATE ir_module_module SET state = 'to upgrade' WHERE name = 'web'",
    );
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .code(2)
        .stderr_has("web (to upgrade)")
        .run();
    w.c.sql(
        "acme",
        "UPDATE ir_module_module SET state = 'installed' WHERE name = 'web'",
    );
    w.run()
        .args(["upgrade", "acme", "-u", "mail;drop", "--yes"])
        .code(2)
        .run();
    let ran = w
        .run()
        .args(["upgrade", "acme", "-u", "mail", "--dry-run", "-o", "json"])
        .json_at("/outcome", "would-change")
        .run();
    assert!(ran.stdout.contains("CREATE DATABASE"), "{}", ran.stdout);
    // Without the node's odoo table.
    let bare = w.dir.path().join("bare.toml");
    let text = std::fs::read_to_string(&w.inv).unwrap();
    std::fs::write(&bare, &text[..text.find("[defaults.odoo]").unwrap()]).unwrap();
    crate::run::Run::new(w.home())
        .inv(&bare)
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .code(2)
        .stderr_has("no `odoo` setting")
        .run();
    // A role that may create databases could copy the upgrade's copy (a
    // template while Odoo works on it): refused.
    w.c.sql("postgres", "CREATE ROLE cloner CREATEDB");
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .code(2)
        .stderr_has("role(s) cloner may create databases")
        .run();
    w.c.sql("postgres", "DROP ROLE cloner");
    same(&w.c, "acme", &before, "after");
    assert_eq!(w.dbs(), dbs);
}

#[test]
fn bulk_upgrade_stops_when_a_canary_fails_and_goes_on_after_it() {
    let w = with_odoo(
        World::builder()
            .node("n1")
            .tenants(&[
                ("t1", TenantSpec::for_major(16)),
                ("t2", TenantSpec::for_major(13)),
                ("t3", TenantSpec::for_major(19)),
            ])
            .filestore()
            .build(),
    );
    let list = w.home().join("tenants.txt");
    std::fs::write(&list, "t1\nt2\nt3\n").unwrap();
    let before: Vec<String> = ["t1", "t2", "t3"].iter().map(|t| state(&w.c, t)).collect();
    // The first canary fails: nothing else is started.
    // `bulk upgrade --canary 1` with the stand-in failing on `fail_for`:
    // the outcomes in file order.
    let bulk = |fail_for: &str, offset: &str, code: i32| -> Vec<String> {
        let v = w
            .run()
            .env("TC_STANDIN_FAIL_FOR", fail_for)
            .env("TENANTCTL_DEBUG_NOW_OFFSET", offset)
            .args(["bulk", "upgrade", "--from"])
            .arg(&list)
            .args(["-u", "base", "--canary", "1", "--yes", "-o", "json"])
            .code(code)
            .run()
            .json();
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["outcome"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(bulk("t1", "0", 1), ["failed", "skipped", "skipped"]);
    for (t, b) in ["t1", "t2", "t3"].iter().zip(&before) {
        same(&w.c, t, b, "after a failed canary");
    }
    // The same without a file: the first tenant the selector picks is the
    // canary (not every one of them).
    let v = w
        .run()
        .env("TC_STANDIN_FAIL_FOR", "t1")
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "5")
        .args(["bulk", "upgrade", "--all-matching", "--match", "t*"])
        .args(["-u", "base", "--canary", "1", "--yes", "-o", "json"])
        .code(1)
        .run()
        .json();
    let outcomes: Vec<(&str, &str)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["tenant"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [("t1", "failed"), ("t2", "skipped"), ("t3", "skipped")],
        "{v}"
    );
    // The count scripts read is there when it is 0 too.
    assert_eq!(v["summary"]["upgraded"], 0, "{v}");
    for (t, b) in ["t1", "t2", "t3"].iter().zip(&before) {
        same(&w.c, t, b, "after a failed canary of a selector run");
    }
    // A canary that passes: a later failure stops nothing (exit 3: partial).
    assert_eq!(bulk("t2", "10", 3), ["upgraded", "failed", "upgraded"]);
    same(&w.c, "t2", &before[1], "a failed tenant after the canary");
    // Each family's version moved (13: its log option is `--logfile /dev/stderr`).
    assert_eq!(version(&w.c, "t1", "base"), "16.0.1.3.1");
    assert_eq!(version(&w.c, "t3", "base"), "19.0.1.3.1");
    // Every result is audited, the skipped ones too.
    assert_eq!(
        w.audit()
            .iter()
            .filter(|l| l["action"] == "upgrade")
            .count(),
        9
    );
    // 13 gets its own memory and log options: it applies a 0 memory limit
    // as it is (MemoryError; the stand-in fails so, as real 13.0 did).
    let args = w.home().join("standin13.args");
    // A module that depends on the requested one is upgraded with it, and
    // reported so.
    let v = w
        .run()
        .env("TC_STANDIN_ARGS", &args)
        .env("TC_STANDIN_ALSO", "mail")
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "20")
        .args(["upgrade", "t2", "-u", "base", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .run()
        .json();
    let moved: Vec<&str> = v["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["base", "mail"], "{v}");
    let got = std::fs::read_to_string(&args).unwrap();
    for want in ["--limit-memory-hard\n-1\n", "--logfile\n/dev/stderr\n"] {
        assert!(got.contains(want), "{want:?} in {got}");
    }
    assert_eq!(version(&w.c, "t2", "base"), "13.0.1.3.1");
}

#[test]
fn bulk_upgrade_runs_a_few_per_node_at_once_and_the_canaries_first() {
    let names = ["p1", "p2", "p3", "p4", "p5"];
    let specs: Vec<(&str, TenantSpec)> = names
        .iter()
        .map(|n| (*n, TenantSpec::for_major(16)))
        .collect();
    let w = with_odoo(
        World::builder()
            .node("n1")
            .tenants(&specs)
            .filestore()
            .build(),
    );
    let list = w.home().join("tenants.txt");
    std::fs::write(&list, names.join("\n") + "\n").unwrap();
    // What each stand-in run saw running beside it.
    let seen = |args: &[&str], offset: &str| -> Vec<u32> {
        let meet = tempfile::tempdir().unwrap();
        let v = w
            .run()
            .env("TC_STANDIN_MEET", meet.path())
            .env("TENANTCTL_DEBUG_NOW_OFFSET", offset)
            .args(["bulk", "upgrade", "--from"])
            .arg(&list)
            .args(["-u", "base", "--yes", "-o", "json"])
            .args(args)
            .run()
            .json();
        assert_eq!(v["summary"]["upgraded"], 5, "{v}");
        std::fs::read_to_string(meet.path().join("seen"))
            .unwrap()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect()
    };
    // Two at once on the node, never more.
    let s = seen(&["--per-node", "2"], "0");
    assert_eq!(s.len(), 5);
    assert!(s.contains(&2) && s.iter().all(|n| *n <= 2), "{s:?}");
    // A canary runs alone: the others start once it is upgraded.
    let s = seen(&["--per-node", "2", "--canary", "1"], "60");
    assert_eq!(s[0], 1, "{s:?}");
    assert!(s.contains(&2) && s.iter().all(|n| *n <= 2), "{s:?}");
    // The tenants a pattern picks on the selected nodes, without a file
    // (the kept originals and failed copies are not tenants).
    let v = w
        .run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "120")
        .args(["bulk", "upgrade", "--all-matching", "--match", "p[12]"])
        .args(["-u", "base", "--yes", "-o", "json"])
        .run()
        .json();
    let done: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["p1", "p2"], "{v}");
    assert_eq!(v["summary"]["upgraded"], 2, "{v}");
}

#[test]
fn a_suspended_blocked_tenant_is_upgraded_on_its_copy_and_stays_suspended() {
    let w = world();
    w.run()
        .args([
            "suspend",
            "acme",
            "--reason",
            "unpaid",
            "--layers",
            "+connections",
            "--yes",
        ])
        .run();
    let comment = w.c.sql(
        "postgres",
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'acme'",
    );
    assert!(comment.contains("suspended"), "{comment}");
    // `-u all`: every installed module; the modules are read on the copy
    // (the tenant takes no connection).
    let v = w
        .run()
        .args(["upgrade", "acme", "-u", "all", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .run()
        .json();
    let names: Vec<&str> = v["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"base") && names.contains(&"mail") && !names.contains(&"sale"),
        "{names:?}"
    );
    // Still blocked by its suspension, with the suspension's own record.
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
        ),
        "f"
    );
    assert_eq!(
        w.c.sql(
            "postgres",
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'acme'"
        ),
        comment
    );
    // Reactivating it opens the upgraded database.
    w.run().args(["reactivate", "acme", "--yes"]).run();
    assert_eq!(
        w.c.sql("acme", "SELECT note FROM standin_upgraded"),
        "upgraded"
    );
    assert_eq!(version(&w.c, "acme", "base"), "16.0.1.3.1");
}

#[test]
fn rollback_swaps_the_kept_original_back_and_keeps_the_upgraded_one() {
    let w = world();
    let before = state(&w.c, "acme");
    // Nothing to roll back to yet.
    w.run()
        .args(["upgrade", "--rollback", "acme", "--yes"])
        .code(2)
        .stderr_has("no kept pre-upgrade copy of acme")
        .run();
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .run();
    assert_eq!(version(&w.c, "acme", "mail"), "16.0.1.10.1");
    w.run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "--rollback", "acme", "--dry-run"])
        .stdout_has("undrop acme.pre-upgrade-")
        .run();
    let v = w
        .run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "--rollback", "acme", "--yes", "-o", "json"])
        .json_at("/outcome", "changed")
        .run()
        .json();
    let aside = v["rolled_back_as"].as_str().unwrap().to_string();
    assert!(aside.starts_with("acme.dropped-"), "{aside}");
    // The tenant is the original again, as it was before the upgrade.
    same(&w.c, "acme", &before, "after the rollback");
    assert!(!w.fs.join("acme/ff").exists());
    assert!(w.fs.join(&aside).join("ff").exists());
    assert_eq!(dbs_like(&w, ".pre-upgrade-"), Vec::<String>::new());
    assert!(w.c.db_exists(&aside));
}

#[test]
fn continue_finishes_what_an_earlier_run_left_pending_on_the_copy() {
    let w = world();
    // An earlier `-u` outside tenantctl stopped half-way (odoo-facts §9).
    w.c.sql(
        "acme",
        "UPDATE ir_module_module SET state = 'to upgrade' WHERE name = 'mail'",
    );
    let before = state(&w.c, "acme");
    w.run()
        .args(["upgrade", "acme", "-u", "web", "--yes"])
        .code(2)
        .stderr_has("modules left pending by an earlier run: mail (to upgrade)")
        .stderr_has("--continue")
        .run();
    same(&w.c, "acme", &before, "refused");
    // --continue: Odoo finishes it on the copy, the copy verified as usual.
    w.run()
        .args([
            "upgrade",
            "acme",
            "-u",
            "web",
            "--continue",
            "--yes",
            "-o",
            "json",
        ])
        .json_at("/outcome", "upgraded")
        .run();
    assert_eq!(
        w.c.sql(
            "acme",
            "SELECT count(*) FROM ir_module_module WHERE state IN ('to upgrade', 'to install', 'to remove')"
        ),
        "0"
    );
    assert_eq!(version(&w.c, "acme", "web"), "16.0.1.0.1");
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(bytes: u64) -> SmallDisk {
        let dir = std::env::temp_dir().join(format!("tc-space-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes},mode=0700")])
            .arg("tmpfs")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(ok.success(), "mount tmpfs (the tests run as root)");
        let ok = Command::new("chown")
            .arg("postgres")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(ok.success());
        SmallDisk(dir)
    }

    fn resize(&self, bytes: u64) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={bytes}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_copy_that_does_not_fit_on_its_file_system_is_refused() {
    let w = world();
    let size: u64 =
        w.c.sql("postgres", "SELECT pg_database_size('acme')")
            .parse()
            .unwrap();
    // The tenant on a file system with room for half a copy more.
    let disk = SmallDisk::mount(size + size / 2);
    w.c.sql(
        "postgres",
        &format!("CREATE TABLESPACE small LOCATION '{}'", disk.0.display()),
    );
    w.c.sql("postgres", "ALTER DATABASE acme SET TABLESPACE small");
    let before = state(&w.c, "acme");
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--dry-run"])
        .code(2)
        .stderr_has("not enough free space for the copy")
        .run();
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--yes"])
        .code(2)
        .stderr_has("not enough free space for the copy")
        .run();
    same(&w.c, "acme", &before, "refused");
    assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new());
    // With room, the plan says how much and the upgrade runs.
    disk.resize(size * 4);
    w.run()
        .args(["upgrade", "acme", "-u", "mail", "--dry-run"])
        .stdout_has("about ")
        .stdout_has(" MB needed")
        .run();
    w.run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "acme", "-u", "mail", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .run();
    // Off the small disk before it goes.
    for db in dbs_like(&w, ".pre-upgrade-") {
        w.c.sql("postgres", &format!("DROP DATABASE \"{db}\""));
    }
    w.c.sql("postgres", "ALTER DATABASE acme SET TABLESPACE pg_default");
    w.c.sql("postgres", "DROP TABLESPACE small");
}

#[test]
fn a_run_killed_after_the_block_or_after_the_copy_is_undone_by_the_next() {
    let w = world();
    let before = state(&w.c, "acme");
    let hardlink = w.fs.join("acme");
    for (i, step) in ["copy", "odoo"].iter().enumerate() {
        let args = ["upgrade", "acme", "-u", "mail", "--yes"];
        let (code, err) = interrupt_at(w.home(), &w.inv, &args, b"", step, libc::SIGKILL);
        assert_eq!(code, None, "{step}: {err}");
        // Blocked, and at "odoo" the copy and its hard-linked files made.
        assert_eq!(
            w.c.sql(
                "postgres",
                "SELECT datallowconn FROM pg_database WHERE datname = 'acme'"
            ),
            "f",
            "{step}"
        );
        let copies = dbs_like(&w, ".upgrading-");
        assert_eq!(
            copies.len(),
            usize::from(*step == "odoo"),
            "{step}: {copies:?}"
        );
        // The next lifecycle command on the node undoes it, then runs.
        let ran = w
            .run()
            .env("TENANTCTL_DEBUG_NOW_OFFSET", format!("{}", 10 * (i + 1)))
            .args(["upgrade", "acme", "-u", "mail", "--dry-run"])
            .run();
        assert!(
            ran.stderr.contains("finishes or undoes first"),
            "{step}: {}",
            ran.stderr
        );
        w.run()
            .env("TC_STANDIN_MODE", "fail")
            .env(
                "TENANTCTL_DEBUG_NOW_OFFSET",
                format!("{}", 10 * (i + 1) + 5),
            )
            .args(["upgrade", "acme", "-u", "mail", "--yes"])
            .code(1)
            .stderr_has("undid the upgrade of acme")
            .run();
        same(&w.c, "acme", &before, step);
        assert_eq!(dbs_like(&w, ".upgrading-"), Vec::<String>::new(), "{step}");
        // Only the tenant's own directory and the failed runs' kept
        // copies are left in the filestore (no copy of the killed run).
        let dirs: Vec<String> = std::fs::read_dir(&w.fs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".upgrading-"))
            .collect();
        assert_eq!(dirs, Vec::<String>::new(), "{step}");
        assert!(hardlink.is_dir());
    }
}
