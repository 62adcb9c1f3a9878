//! `bulk` and `check` against real clusters.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::fixtures::{create_tenant, icp, login_works, user_states, TenantSpec};
use crate::harness::{
    after_lines, free_port, interrupt_after, tenantctl_with_home, write_inventory, Cluster,
};
use crate::world::{coherent, json_of as json, snapshots, Snapshot, States, World};

/// Nodes `a` (tenants a000.., Odoo 16) and `b` (b000.., Odoo 17 and 19).
fn two(per_node: usize) -> World {
    let mut w = World::builder().node("a");
    for i in 0..per_node {
        w = w.tenant(&format!("a{i:03}"), TenantSpec::default());
    }
    w = w.node("b");
    for i in 0..per_node {
        let major = if i % 2 == 0 { 17 } else { 19 };
        w = w.tenant(&format!("b{i:03}"), TenantSpec::for_major(major));
    }
    w.build()
}

/// The cluster of a tenant of [`two`], by its name.
fn cluster<'a>(t: &'a World, db: &str) -> &'a Cluster {
    t.node(if db.starts_with('a') { "a" } else { "b" })
}

/// Snapshots of tenants of [`two`] (one psql session per node).
fn snaps(t: &World, dbs: &[String]) -> Vec<Snapshot> {
    let mut out: Vec<Option<Snapshot>> = vec![None; dbs.len()];
    for node in ["a", "b"] {
        let (idx, names): (Vec<usize>, Vec<&String>) = dbs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.starts_with(node))
            .unzip();
        if names.is_empty() {
            continue;
        }
        for (i, s) in idx.into_iter().zip(snapshots(t.node(node), &names)) {
            out[i] = Some(s);
        }
    }
    out.into_iter().map(Option::unwrap).collect()
}

fn states(t: &World, dbs: &[String]) -> Vec<States> {
    snaps(t, dbs).into_iter().map(|s| s.users).collect()
}

/// [`crate::world::coherent`] for each tenant; how many are suspended.
fn count_suspended(t: &World, dbs: &[String], before: &[States]) -> usize {
    let snaps = snaps(t, dbs);
    dbs.iter()
        .zip(&snaps)
        .zip(before)
        .filter(|((d, s), b)| coherent(d, s, b))
        .count()
}

#[test]
fn bulk_suspend_from_a_billing_export_then_reactivate_exactly() {
    let t = two(16);
    let all: Vec<String> = (0..16)
        .flat_map(|i| [format!("a{i:03}"), format!("b{i:03}")])
        .collect();
    let before = states(&t, &all);
    // One tenant is already suspended.
    t.cmd()
        .args(["suspend", "a003", "--reason", "earlier", "--yes"])
        .assert()
        .success();
    let mut file = String::from("# overdue tenants\r\n");
    for (i, d) in all.iter().enumerate() {
        if i % 3 == 0 {
            file.push_str(&format!("{d},\"invoice {i}, unpaid\"\r\n"));
        } else {
            file.push_str(&format!("{d}\n"));
        }
    }
    file.push_str("a001\n\nnope-tenant\nb/b002\n");
    let list = t.dir.path().join("overdue.csv");
    std::fs::write(&list, file).unwrap();
    let a = t
        .cmd()
        .args(["bulk", "suspend", "--from"])
        .arg(&list)
        .args(["--reason", "non-payment", "--yes", "-o", "json"])
        .assert()
        .code(3);
    let v = json(&a);
    let results = v["results"].as_array().unwrap();
    // Input order; duplicates collapsed (a001 and b/b002 appear once each).
    assert_eq!(results.len(), 33, "{v:#}");
    assert_eq!(results[0]["tenant"], "a000");
    assert_eq!(results[0]["line"], 2);
    let by = |name: &str| {
        results
            .iter()
            .find(|r| r["tenant"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by("a003")["outcome"], "unchanged");
    assert_eq!(by("a000")["outcome"], "changed");
    let bad = by("nope-tenant");
    assert_eq!(bad["outcome"], "failed");
    assert!(bad["error"].as_str().unwrap().contains("unknown tenant"));
    assert_eq!(
        v["summary"],
        serde_json::json!({"changed": 31, "unchanged": 1, "refused": 0, "failed": 1, "skipped": 0,
                           "unknown": 0, "not_signalled": 0, "drift": 0})
    );
    assert_eq!(
        icp(&t.c, "a000", "tenant.suspended_reason").as_deref(),
        Some("invoice 0, unpaid")
    );
    assert_eq!(
        icp(&t.c, "a001", "tenant.suspended_reason").as_deref(),
        Some("non-payment")
    );
    assert_eq!(
        icp(&t.c, "a003", "tenant.suspended_reason").as_deref(),
        Some("earlier"),
        "never overwritten"
    );
    let stderr = String::from_utf8_lossy(&a.get_output().stderr);
    assert!(
        stderr.contains("bulk suspend: 31 changed, 1 unchanged, 1 failed"),
        "{stderr}"
    );
    assert_eq!(
        count_suspended(&t, &all, &before),
        all.len(),
        "all suspended"
    );
    let audit = t.audit();
    assert_eq!(
        audit
            .iter()
            .filter(|l| l["action"] == "suspend" && l["outcome"] == "changed")
            .count(),
        32
    );

    // Reactivate all from stdin: every tenant exactly as before.
    let input: String = all.iter().map(|d| format!("{d}\n")).collect();
    let a = t
        .cmd()
        .args(["bulk", "reactivate", "--from", "-", "--yes", "-o", "json"])
        .write_stdin(input)
        .assert()
        .success();
    assert_eq!(json(&a)["summary"]["changed"], 32);
    assert_eq!(states(&t, &all), before);
}

#[test]
fn selectors_need_all_matching_and_dry_run_changes_nothing() {
    let t = two(3);
    let all: Vec<String> = (0..3)
        .flat_map(|i| [format!("a{i:03}"), format!("b{i:03}")])
        .collect();
    let before = states(&t, &all);
    let a = t
        .cmd()
        .args(["bulk", "suspend", "--match", "a*", "--reason", "x", "--yes"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("--all-matching"));
    t.cmd()
        .args(["--node", "a", "bulk", "suspend", "--reason", "x", "--yes"])
        .assert()
        .code(2);
    t.cmd()
        .args(["bulk", "suspend", "--reason", "x", "--yes"])
        .assert()
        .code(2);
    // No terminal and no --yes.
    t.cmd()
        .args([
            "bulk",
            "suspend",
            "--all-matching",
            "--match",
            "a*",
            "--reason",
            "x",
        ])
        .assert()
        .code(2);
    // Dry run: full plan, nothing changed.
    let a = t
        .cmd()
        .args([
            "bulk",
            "suspend",
            "--all-matching",
            "--match",
            "a*",
            "--reason",
            "x",
            "--dry-run",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let v = json(&a);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["outcome"] == "would-change" && r["users"] == 6));
    assert_eq!(states(&t, &all), before);
    assert!(all
        .iter()
        .all(|d| icp(cluster(&t, d), d, "tenant.suspended").is_none()));
    assert!(t.audit().is_empty());
    // --status and --node select; non-Odoo databases are skipped by selectors.
    crate::fixtures::create_plain_db(t.node("b"), "b-plain");
    let a = t
        .cmd()
        .args([
            "--node",
            "b",
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .success();
    assert_eq!(json(&a)["summary"]["changed"], 3);
    let a = t
        .cmd()
        .args([
            "bulk",
            "reactivate",
            "--all-matching",
            "--status",
            "suspended",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let v = json(&a);
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    assert_eq!(states(&t, &all), before);
}

#[test]
fn sigint_during_a_bulk_run_leaves_no_tenant_half_changed() {
    let n = 100;
    let names: Vec<String> = (0..n).map(|i| format!("a{i:03}")).collect();
    let t = World::builder()
        .node("a")
        .tenants(
            &names
                .iter()
                .map(|n| (n.as_str(), TenantSpec::default()))
                .collect::<Vec<_>>(),
        )
        .build();
    let before = states(&t, &names);
    let child = crate::world::spawn(
        &t.inv,
        t.dir.path(),
        &[
            "--concurrency",
            "2",
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "sigint",
            "--yes",
            "-o",
            "json",
        ],
    );
    let (_, rest, out) = interrupt_after(child, 10, |l| l.contains("] a"));
    assert_eq!(out.status.code(), Some(130), "{rest}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed = v["summary"]["changed"].as_u64().unwrap();
    let skipped = v["summary"]["skipped"].as_u64().unwrap();
    assert!(changed >= 10 && skipped > 0, "{}", v["summary"]);
    let suspended = count_suspended(&t, &names, &before) as u64;
    assert_eq!(suspended, changed, "exactly the reported tenants changed");
    // A rerun completes the rest.
    let a = t
        .cmd()
        .args([
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "sigint",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let v = json(&a);
    assert_eq!(
        v["summary"]["changed"].as_u64().unwrap(),
        n as u64 - changed
    );
    assert_eq!(v["summary"]["unchanged"].as_u64().unwrap(), changed);
}

#[test]
fn a_node_dying_mid_run_fails_its_tenants_only() {
    let t = two(12);
    let all: Vec<String> = (0..12)
        .flat_map(|i| [format!("a{i:03}"), format!("b{i:03}")])
        .collect();
    let before = states(&t, &all);
    let child = crate::world::spawn(
        &t.inv,
        t.dir.path(),
        &[
            "--concurrency",
            "1",
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "dying",
            "--yes",
            "-o",
            "json",
        ],
    );
    // Two tenants of `b` done: `b` stops.
    let (_, rest, out) = after_lines(
        child,
        2,
        |l| l.contains("] b/b") || l.contains("] b0"),
        |_| t.node("b").stop(),
    );
    assert_eq!(out.status.code(), Some(3), "{rest}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    for r in results.iter().filter(|r| r["node"] == "a") {
        assert_eq!(r["outcome"], "changed", "{r}");
    }
    let failed: Vec<&Value> = results
        .iter()
        .filter(|r| r["outcome"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    assert!(failed.iter().all(|r| r["node"] == "b"));
    let err0 = failed[0]["error"].as_str().unwrap();
    assert!(
        err0.contains("b/b")
            && (err0.contains("refused")
                || err0.contains("terminat")
                || err0.contains("closed")
                || err0.contains("reset")
                || err0.contains("shutting down")),
        "{err0}"
    );
    t.node("b").restart();
    count_suspended(&t, &all, &before);
}

#[test]
fn bulk_passwd_generate_writes_a_private_secrets_file() {
    let t = two(3);
    let secrets = t.dir.path().join("secrets.csv");
    let a = t
        .cmd()
        .args([
            "bulk",
            "passwd",
            "--all-matching",
            "--generate",
            "--secrets-file",
        ])
        .arg(&secrets)
        .args(["--yes", "-o", "json"])
        .assert()
        .success();
    assert_eq!(
        std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&secrets).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("node,tenant,login,password,status"));
    // A pending line before each commit, a done line after it.
    let all: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(all.iter().filter(|r| r[4] == "pending").count(), 6);
    let rows: Vec<Vec<&str>> = all.into_iter().filter(|r| r[4] == "done").collect();
    assert_eq!(rows.len(), 6);
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string()
        + &String::from_utf8_lossy(&a.get_output().stderr);
    let audit =
        std::fs::read_to_string(t.dir.path().join(".local/state/tenantctl/audit.jsonl")).unwrap();
    for r in &rows {
        let (db, login, pw) = (r[1], r[2], r[3]);
        assert_eq!(pw.len(), 20);
        let major = if db.starts_with('a') {
            16
        } else if db == "b001" {
            19
        } else {
            17
        };
        assert!(login_works(cluster(&t, db), db, login, pw, major), "{db}");
        assert!(
            !out.contains(pw) && !audit.contains(pw),
            "no secret outside the file"
        );
    }
    // Never overwritten.
    t.cmd()
        .args([
            "bulk",
            "passwd",
            "--all-matching",
            "--generate",
            "--secrets-file",
        ])
        .arg(&secrets)
        .arg("--yes")
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&secrets).unwrap(), text);
}

#[test]
fn check_reports_healthy_dead_and_underprivileged_nodes() {
    let good = Cluster::start("good");
    let weak = Cluster::start("weak");
    create_tenant(&good, "acme", &TenantSpec::default());
    create_tenant(&weak, "globex", &TenantSpec::for_major(19));
    weak.create_role("tc_ops", "ops-pass", false);
    crate::world::grant_minimal(&weak, "globex", "tc_ops");
    let dir = tempfile::tempdir().unwrap();
    let dead = free_port();
    let extra = format!(
        "[[node]]\nname = \"weak\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"tc_ops\"\npassword_env = \"OPS_PW\"\n\n[[node]]\nname = \"dead\"\nhost = \"127.0.0.1\"\nport = {dead}\n",
        weak.port()
    );
    let inv = write_inventory(dir.path(), &[("good", &good)], &extra);
    let cmd = || {
        let mut c = tenantctl_with_home(dir.path());
        c.arg("-i").arg(&inv).env("OPS_PW", "ops-pass");
        c
    };
    // With the documented grants the weak role passes.
    let a = cmd()
        .args(["--node", "good", "--node", "weak", "check", "-o", "json"])
        .assert()
        .success();
    let v = json(&a);
    assert_eq!(v["nodes"][0]["ok"], true);
    assert_eq!(v["nodes"][0]["tenants"], 1);
    assert!(v["nodes"][0]["server_version"]
        .as_str()
        .unwrap()
        .starts_with(|c: char| c.is_ascii_digit()));
    assert!(v["nodes"][0]["latency_ms"].as_f64().is_some());
    assert_eq!(v["nodes"][1]["ok"], true, "{v:#}");
    assert_eq!(v["nodes"][1]["superuser"], false);
    // Without UPDATE on res_users: reported, nothing changed.
    weak.sql("globex", "REVOKE UPDATE ON res_users FROM tc_ops");
    let before = user_states(&weak, "globex");
    let a = cmd().args(["check", "-o", "json"]).assert().code(3);
    let v = json(&a);
    assert_eq!(v["nodes"][0]["ok"], true);
    let w = &v["nodes"][1];
    assert_eq!(w["ok"], false);
    assert!(
        w["problems"][0]
            .as_str()
            .unwrap()
            .contains("permission denied for table res_users"),
        "{w}"
    );
    let d = &v["nodes"][2];
    assert_eq!(
        (d["ok"].as_bool(), d["reachable"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(user_states(&weak, "globex"), before);
    // -q: one line per problem, nothing on stdout.
    let a = cmd().args(["check", "-q"]).assert().code(3);
    assert!(a.get_output().stdout.is_empty());
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    // One line per command that would fail (passwd, reactivate, suspend), one for the dead node.
    assert_eq!(stderr.lines().count(), 4, "{stderr}");
    assert!(stderr.lines().all(|l| l.starts_with("tenantctl: node ")));
    // All nodes bad: exit 1.
    cmd().args(["--node", "dead", "check"]).assert().code(1);
}

/// Issue 24: one node down for maintenance. Bare names from a billing
/// export are refused (nothing changed, exit 2) naming the node and
/// `--skip-unreachable`; with it they act where found and the down node's
/// tenants are `skipped` (exit 3). `check` reports a name on two nodes.
#[test]
fn a_node_down_refuses_bare_names_unless_skip_unreachable() {
    let t = two(2);
    let dbs: Vec<String> = ["a000", "a001", "b000", "b001"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // A name on both nodes: `check` proves uniqueness, or reports this.
    create_tenant(&t.c, "dup", &TenantSpec::default());
    create_tenant(t.node("b"), "dup", &TenantSpec::default());
    let a = t.cmd().args(["check", "-o", "json"]).assert();
    let v = json(&a);
    for n in v["nodes"].as_array().unwrap() {
        let probs = n["problems"].to_string();
        let other = if n["node"] == "a" { "b" } else { "a" };
        assert!(
            probs.contains("tenant name \\\"dup\\\" is also on node ")
                && probs.contains(&format!("node {other}:")),
            "{n}"
        );
        assert_eq!(n["ok"], false, "{n}");
    }
    t.c.sql("postgres", "DROP DATABASE dup");
    t.node("b").sql("postgres", "DROP DATABASE dup");
    t.cmd().args(["check"]).assert().success();

    t.node("b").stop();
    let file = t.dir.path().join("paid.csv");
    std::fs::write(&file, "a000\na001\nb000\n").unwrap();
    let before = states(&t, &dbs[..2]);
    // Without the flag: every bare name refused, nothing changed, exit 2.
    let a = t
        .cmd()
        .args([
            "bulk", "suspend", "--reason", "unpaid", "--yes", "-o", "json", "--from",
        ])
        .arg(&file)
        .assert()
        .code(2);
    let v = json(&a);
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 3, "{v}");
    for row in r {
        assert_eq!(row["outcome"], "refused", "{row}");
        let e = row["error"].as_str().unwrap();
        assert!(
            e.contains("node b could not be searched") && e.contains("--skip-unreachable"),
            "{e}"
        );
    }
    assert_eq!(states(&t, &dbs[..2]), before, "nothing changed");
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert_eq!(
        err.matches("node b could not be searched:").count(),
        1,
        "the node's error said once: {err}"
    );

    // With it: acted where found; the down node's tenants skipped, named
    // or not; exit 3.
    std::fs::write(&file, "a000\na001\nb000\nb/b001\n").unwrap();
    let a = t
        .cmd()
        .args([
            "bulk",
            "suspend",
            "--skip-unreachable",
            "--reason",
            "unpaid",
            "--yes",
            "-o",
            "json",
            "--from",
        ])
        .arg(&file)
        .assert()
        .code(3);
    let v = json(&a);
    let r = v["results"].as_array().unwrap();
    let outcomes: Vec<&str> = r.iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        ["changed", "changed", "skipped", "skipped"],
        "{v}"
    );
    assert!(
        r[2]["error"].as_str().unwrap().contains("node b"),
        "{}",
        r[2]
    );
    for db in &dbs[..2] {
        assert_eq!(icp(&t.c, db, "tenant.suspended").as_deref(), Some("true"));
    }
    // Selectors: the down node's `b/*` is skipped too.
    let a = t
        .cmd()
        .args([
            "bulk",
            "reactivate",
            "--all-matching",
            "--skip-unreachable",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .code(3);
    let v = json(&a);
    let r = v["results"].as_array().unwrap();
    let got: Vec<(String, &str)> = r
        .iter()
        .map(|x| (x["tenant"].to_string(), x["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("\"a000\"".to_string(), "changed"),
            ("\"a001\"".to_string(), "changed"),
            ("\"b/*\"".to_string(), "skipped"),
        ],
        "{v}"
    );
    t.node("b").restart();
    for db in &dbs[2..] {
        assert_ne!(
            icp(t.node("b"), db, "tenant.suspended").as_deref(),
            Some("true")
        );
    }
}

/// `bulk upgrade --all-matching` leaves out the databases it matches that
/// are not Odoo tenants, as `bulk suspend --all-matching` does (not
/// reported, not counted, not audited, nothing run on them); a `--from`
/// file that names one still refuses that line.
#[test]
fn bulk_upgrade_selectors_leave_out_databases_that_are_not_odoo() {
    let w = crate::upgrade::with_odoo(
        World::builder()
            .node("n1")
            .tenant("acme", TenantSpec::for_major(16))
            .files("acme")
            .plain_db("reports")
            .build(),
    );
    for dry in [true, false] {
        let v = w
            .run()
            .args(["bulk", "upgrade", "--all-matching", "-u", "base", "--yes"])
            .args(if dry { &["--dry-run"][..] } else { &[][..] })
            .args(["-o", "json"])
            .run()
            .json();
        let tenants: Vec<&str> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["tenant"].as_str().unwrap())
            .collect();
        assert_eq!(tenants, ["acme"], "dry run {dry}: {v}");
        assert_eq!(v["summary"]["failed"], 0, "{v}");
        assert_eq!(v["summary"]["refused"], 0, "{v}");
    }
    assert!(
        !w.audit().iter().any(|l| l["tenant"] == "reports"),
        "{:?}",
        w.audit()
    );
    let list = w.home().join("list.txt");
    std::fs::write(&list, "reports\n").unwrap();
    let v = w
        .run()
        .args(["bulk", "upgrade", "--from"])
        .arg(&list)
        .args(["-u", "base", "--yes", "-o", "json"])
        .any_code()
        .run()
        .json();
    assert_eq!(v["results"][0]["tenant"], "reports", "{v}");
    assert_eq!(v["results"][0]["outcome"], "refused", "{v}");
    assert!(
        v["results"][0]["error"]
            .to_string()
            .contains("not an Odoo database"),
        "{v}"
    );
}
