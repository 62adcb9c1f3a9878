//! Operator commands of issue 16: `log`, `show`'s recent changes, `nodes`.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{tenantctl, tenantctl_with_home, write_inventory, Cluster};
use crate::world::json_of as json;

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

#[test]
fn log_reads_the_audit_log_with_filters_and_show_lists_recent_changes() {
    let c = Cluster::start("log");
    for t in ["acme", "globex"] {
        create_tenant(&c, t, &TenantSpec::default());
    }
    let home = tempfile::tempdir().unwrap();
    let inv = write_inventory(home.path(), &[("n1", &c)], "");
    let run = |args: &[&str]| {
        tenantctl_with_home(home.path())
            .arg("-i")
            .arg(&inv)
            .args(args)
            .assert()
    };
    run(&["suspend", "acme", "--reason", "invoice 7 unpaid", "--yes"]).success();
    run(&["reactivate", "n1/acme", "--yes"]).success();
    run(&["passwd", "globex", "--generate"]).success();
    // An old entry and a damaged line, as a long-lived log may hold.
    let path = home.path().join(".local/state/tenantctl/audit.jsonl");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.insert_str(0, "{\"time\":\"2020-01-01T00:00:00Z\",\"operator\":\"old@host\",\"action\":\"suspend\",\"node\":\"n1\",\"tenant\":\"acme\",\"outcome\":\"changed\",\"reason\":\"2020\"}\nnot json\n");
    std::fs::write(&path, text).unwrap();

    let a = run(&["log", "-o", "json"]).success();
    let v = json(&a);
    assert_eq!(v["audit_log"], path.display().to_string());
    let all = v["entries"].as_array().unwrap();
    assert_eq!(all.len(), 4, "{v}");
    assert!(
        String::from_utf8_lossy(&a.get_output().stderr).contains("line 2"),
        "the damaged line is named"
    );
    let n = |args: &[&str]| {
        json(&run(args).success())["entries"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(n(&["log", "--tenant", "acme", "-o", "json"]), 3);
    assert_eq!(
        n(&["log", "--tenant", "n1/acme", "--since", "7d", "-o", "json"]),
        2
    );
    assert_eq!(n(&["log", "--action", "passwd", "-o", "json"]), 1);
    assert_eq!(
        n(&["log", "--since", "2019-06-01T00:00:00Z", "-o", "json"]),
        4
    );
    assert_eq!(n(&["--node", "n2", "log", "-o", "json"]), 0);
    run(&["log", "--since", "last tuesday"]).code(2);
    // Table: the reason and the outcome; no password ever.
    let a = run(&["log", "--tenant", "acme", "--since", "1h"]).success();
    let t = stdout(&a);
    assert!(
        t.starts_with("TIME") && t.contains("invoice 7 unpaid") && t.contains("reactivate"),
        "{t}"
    );
    assert!(!t.contains("2020"), "--since 1h hides the old entry: {t}");

    // show: the tenant's latest entries, oldest first.
    let v = json(&run(&["show", "acme", "-o", "json"]).success());
    let audit = v["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 3, "{v}");
    assert_eq!(audit[2]["action"], "reactivate");
    // Times with their zone; the admin user marked.
    let t = stdout(&run(&["show", "acme"]).success());
    let reactivated = t
        .lines()
        .find(|l| l.starts_with("Reactivated: "))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(
        reactivated.contains("Z (") && reactivated.contains(" ago) by "),
        "{reactivated}"
    );
    let admin_row = t
        .lines()
        .find(|l| l.starts_with("admin "))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(admin_row.contains("internal (admin)"), "{t}");
    assert_eq!(
        t.matches("(admin)").count(),
        1,
        "only the admin user is marked: {t}"
    );
    let users = v["users"].as_array().unwrap();
    assert!(users.iter().all(|u| u["admin"] == (u["login"] == "admin")));
    let t = stdout(&run(&["show", "globex"]).success());
    assert!(
        t.contains("Recent changes (") && t.contains("passwd"),
        "{t}"
    );
    assert!(!t.contains("invoice 7"), "only globex's entries: {t}");
}

#[test]
fn nodes_shows_routes_and_password_sources_never_passwords() {
    let home = tempfile::tempdir().unwrap();
    let passfile = home.path().join("pgpass");
    std::fs::write(&passfile, "db3.example:5432:*:odoo:from-the-pass-file\n").unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let inv = home.path().join("nodes.toml");
    std::fs::write(
        &inv,
        r#"[defaults]
user = "odoo"
sslmode = "disable"

[[node]]
name = "pg1"
host = "db1.example"
password_env = "FLEET_PW"
labels = { env = "prod", region = "eu" }

[[node]]
name = "pg2"
host = "127.0.0.1"
port = 5433
password = "inline-secret-value"
[node.ssh]
host = "pg2.internal"
user = "tenantops"
jump = "ops@bastion1,ops@bastion2:2222"
known_hosts_file = "/etc/tenantctl/known_hosts"

[[node]]
name = "pg3"
host = "db3.example"

[[node]]
name = "pg4"
host = "db4.example"
port = 6432
pgbouncer = "transaction"
direct_port = 5432
filestore = "/var/lib/odoo/filestore"
filestore_owner = "odoo"
template = "tmpl17"
base_url = "https://{tenant}.example.com"
drop_retention = "7d"

[[node]]
name = "pg5"
host = "db5.example"
pgbouncer = "session"
"#,
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = |args: &[&str]| {
        tenantctl()
            .env("PGPASSFILE", &passfile)
            .env("TENANTCTL_INVENTORY", &inv)
            .env("FLEET_PW", "env-secret-value")
            .args(args)
            .assert()
            .success()
    };
    let v = json(&run(&["nodes", "-o", "json"]));
    assert_eq!(v["inventory"], inv.display().to_string());
    assert_eq!(v["found_by"], "$TENANTCTL_INVENTORY");
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["route"]["kind"], "direct");
    assert_eq!(nodes[0]["password"]["source"], "password_env");
    assert_eq!(nodes[0]["password"]["env"], "FLEET_PW");
    assert_eq!(nodes[0]["password"]["set"], true);
    assert_eq!(nodes[0]["labels"]["region"], "eu");
    assert_eq!(nodes[1]["address"], "127.0.0.1:5433");
    assert_eq!(nodes[1]["route"]["kind"], "ssh");
    assert_eq!(nodes[1]["route"]["host"], "tenantops@pg2.internal");
    assert_eq!(
        nodes[1]["route"]["jump"],
        serde_json::json!(["ops@bastion1", "ops@bastion2:2222"])
    );
    assert_eq!(
        nodes[1]["route"]["known_hosts_file"],
        "/etc/tenantctl/known_hosts"
    );
    assert_eq!(nodes[1]["password"]["source"], "inventory");
    assert_eq!(nodes[2]["password"]["source"], "pass-file");
    assert_eq!(nodes[2]["password"]["file"], passfile.display().to_string());
    assert_eq!(nodes[3]["password"]["source"], "none");
    assert_eq!(
        nodes[0]["suspend_layers"],
        serde_json::json!(["users", "crons", "mail"])
    );
    assert_eq!(nodes[0]["pgbouncer"], "none");
    assert_eq!(nodes[0]["direct_address"], serde_json::Value::Null);
    assert_eq!(nodes[0]["filestore"], serde_json::Value::Null);
    assert_eq!(nodes[0]["drop_retention"], "30days");
    // The PgBouncer node's direct route and the lifecycle settings.
    assert_eq!(nodes[3]["pgbouncer"], "transaction");
    assert_eq!(nodes[3]["direct_address"], "db4.example:5432");
    assert_eq!(nodes[3]["filestore"], "/var/lib/odoo/filestore");
    assert_eq!(nodes[3]["filestore_owner"], "odoo");
    assert_eq!(nodes[3]["template"], "tmpl17");
    assert_eq!(nodes[3]["base_url"], "https://{tenant}.example.com");
    assert_eq!(nodes[3]["drop_retention"], "7days");
    let w = stdout(&run(&["nodes", "-o", "wide"]));
    assert!(
        w.contains("transaction; lifecycle via db4.example:5432")
            && w.contains("session; no direct_port (lifecycle refused)")
            && w.contains("/var/lib/odoo/filestore (owner odoo)")
            && w.contains("https://{tenant}.example.com")
            // The table reads as words; JSON keeps humantime's form.
            && w.contains("7 days"),
        "{w}"
    );
    let t = stdout(&run(&["nodes"]));
    assert!(
        t.starts_with(&format!("Inventory: {}", inv.display())),
        "{t}"
    );
    assert!(
        t.contains("SSH via tenantops@pg2.internal (jump ops@bastion1 → ops@bastion2:2222)")
            && t.contains("password_env FLEET_PW")
            && t.contains("env=prod,region=eu"),
        "{t}"
    );
    for out in [t, v.to_string(), stdout(&run(&["nodes", "-o", "csv"]))] {
        assert!(
            !out.contains("secret-value") && !out.contains("from-the-pass-file"),
            "never a password: {out}"
        );
    }
    // PGPASSWORD when nothing else gives one; --node selects.
    let a = tenantctl()
        .env("TENANTCTL_INVENTORY", &inv)
        .env("PGPASSWORD", "x")
        .args(["--node", "pg4", "nodes", "-o", "json"])
        .assert()
        .success();
    let v = json(&a);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(v["nodes"][0]["password"]["source"], "PGPASSWORD");
}

#[test]
fn node_slash_tenant_says_unknown_node_or_unreachable_node() {
    let c = Cluster::start("nt");
    create_tenant(&c, "acme", &TenantSpec::default());
    let home = tempfile::tempdir().unwrap();
    let down = crate::harness::free_port();
    let inv = write_inventory(
        home.path(),
        &[("n1", &c)],
        &format!("[[node]]\nname = \"n2\"\nhost = \"127.0.0.1\"\nport = {down}\nconnect_timeout = \"2s\"\n"),
    );
    let run = |args: &[&str]| {
        tenantctl_with_home(home.path())
            .arg("-i")
            .arg(&inv)
            .args(args)
            .assert()
    };
    let err = |a: &assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    // An unknown node: a usage error naming the node, with the closest names.
    for args in [
        vec!["show", "n3/acme"],
        vec!["suspend", "n3/acme", "--reason", "x", "--yes"],
    ] {
        let a = run(&args).code(2);
        let e = err(&a);
        assert!(
            e.contains("unknown node \"n3\" in \"n3/acme\" (nodes: n1, n2); closest: n1, n2"),
            "{args:?}: {e}"
        );
        assert!(!e.contains("unknown tenant"), "{e}");
    }
    // A node that is down: unreachable (exit 1), not "tenant not found".
    for args in [
        vec!["show", "n2/acme"],
        vec!["suspend", "n2/acme", "--reason", "x", "--yes"],
    ] {
        let a = run(&args).code(1);
        let e = err(&a);
        assert!(
            e.contains("node \"n2\" is unreachable, so tenant \"acme\" could not be looked up: node n2 (127.0.0.1:"),
            "{args:?}: {e}"
        );
        assert!(!e.contains("not found"), "{e}");
    }
    // Bulk: a long error is whole in the table when piped (cron mail); on a terminal at 80 columns it is cut with `…`.
    let from = home.path().join("targets.txt");
    std::fs::write(&from, "acme\n").unwrap();
    let args = format!("bulk suspend --from {} --reason x --yes", from.display());
    let a = tenantctl_with_home(home.path())
        .arg("-i")
        .arg(&inv)
        .args(args.split(' '))
        .assert()
        .failure();
    let whole = "(`tenantctl check` reports names on several nodes). Nothing changed";
    let t = stdout(&a);
    assert!(t.contains(whole) && !t.contains('…'), "{t}");
    if crate::ux::have_script() {
        let (_, screen) = crate::ux::on_a_terminal(&inv, home.path(), &args, "");
        let row = screen
            .lines()
            .find(|l| l.starts_with("-  ") || l.contains("acme  "))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(row.trim_end().ends_with('…'), "{screen}");
        assert!(row.trim_end().chars().count() <= 80, "{screen}");
    }
    // The live node still answers.
    run(&["show", "n1/acme", "-o", "json"]).success();
    // check: what could not be counted is null / "-", not 0.
    let a = run(&["check", "-o", "json"]).code(3);
    let v = json(&a);
    assert_eq!(v["nodes"][0]["tenants"], 1, "{v}");
    assert_eq!(v["nodes"][1]["tenants"], Value::Null, "{v}");
    assert_eq!(v["nodes"][1]["latency_ms"], Value::Null, "{v}");
    let a = run(&["check"]).code(3);
    let t = stdout(&a);
    let row: Vec<&str> = t
        .lines()
        .find(|l| l.starts_with("n2 "))
        .unwrap_or_else(|| panic!("{t}"))
        .split_whitespace()
        .collect();
    assert_eq!(
        row,
        ["n2", "direct", "unreachable", "-", "-", "-", "-", "1"],
        "{t}"
    );
    assert_eq!(crate::fixtures::icp(&c, "acme", "tenant.suspended"), None);
}

#[test]
fn meaningless_options_are_refused_before_anything_runs() {
    let home = tempfile::tempdir().unwrap();
    let err = |args: &[&str]| {
        let a = tenantctl_with_home(home.path())
            .args(["-i", "/nonexistent/nodes.toml"])
            .args(args)
            .assert()
            .code(2);
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    let e = err(&["--concurrency", "0", "list"]);
    assert!(e.contains("at least 1"), "{e}");
    for cmd in [
        vec!["suspend", "acme", "--reason", "x", "--yes"],
        vec!["reactivate", "acme", "--yes"],
        vec!["passwd", "acme", "--generate"],
    ] {
        let mut args = vec!["-o", "csv"];
        args.extend(&cmd);
        let e = err(&args);
        assert!(
            e.contains(&format!("-o csv is not available for {}", cmd[0])),
            "{cmd:?}: {e}"
        );
        assert!(
            !e.contains("inventory"),
            "refused before the inventory: {e}"
        );
    }
}

#[test]
fn smaller_defects_labels_failing_nodes_quiet_warnings_old_agent_latency() {
    let c = Cluster::start("small");
    create_tenant(
        &c,
        "oldie",
        &TenantSpec {
            suspended_by_old_agent: true,
            ..Default::default()
        },
    );
    let home = tempfile::tempdir().unwrap();
    let down = crate::harness::free_port();
    let inv = write_inventory(
        home.path(),
        &[("n1", &c)],
        &format!("[[node]]\nname = \"n2\"\nhost = \"127.0.0.1\"\nport = {down}\nconnect_timeout = \"2s\"\nlabels = {{ env = \"prod\", region = \"eu\" }}\n"),
    );
    let run = |args: &[&str]| {
        tenantctl_with_home(home.path())
            .arg("-i")
            .arg(&inv)
            .args(args)
            .assert()
    };
    let err = |a: &assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    // A mistyped label lists the labels that exist.
    let e = err(&run(&["--label", "env=prdo", "list"]).code(2));
    assert!(
        e.contains("labels in the inventory: env=prod, region=eu"),
        "{e}"
    );
    // Every selected node failing: its error, and no "no tenants" line.
    let a = run(&["--node", "n2", "list"]).code(1);
    let e = err(&a);
    assert!(!e.contains("no tenants") && e.contains("node n2"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    // -q keeps the warning that explains a later failure.
    let pgpass = home.path().join("pgpass");
    std::fs::write(&pgpass, "*:*:*:*:x\n").unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let a = tenantctl_with_home(home.path())
        .arg("-i")
        .arg(&inv)
        .env("PGPASSFILE", &pgpass)
        .args(["-q", "--node", "n1", "list"])
        .assert()
        .success();
    assert!(
        err(&a).contains("warning: password file") && err(&a).contains("ignored"),
        "{}",
        err(&a)
    );
    // An old-agent suspension: no time and no "by -".
    let t = stdout(&run(&["show", "oldie"]).success());
    let line = t
        .lines()
        .find(|l| l.starts_with("Suspended:"))
        .unwrap_or_else(|| panic!("{t}"));
    assert_eq!(
        line, "Suspended:   yes, no time recorded (old agent)",
        "{t}"
    );
    // check: a loopback round trip shows its digits, not "0.0 ms" (the
    // old agent's tenant is a problem for check: drift).
    let t = stdout(&run(&["--node", "n1", "check"]).code(1));
    let row: Vec<&str> = t
        .lines()
        .find(|l| l.starts_with("n1 "))
        .unwrap_or_else(|| panic!("{t}"))
        .split_whitespace()
        .collect();
    let units: Vec<usize> = (0..row.len()).filter(|&i| row[i] == "ms").collect();
    let latency = row[units[1] - 1];
    assert!(
        latency != "0.0" && latency != "0.000" && latency.parse::<f64>().unwrap() > 0.0,
        "{t}"
    );
}

/// Issue 24: `log --tenant` with a name the log does not have says what it
/// has: the closest names, the one a prefix stands for, the node a
/// `NODE/TENANT` is on. Reads the log only.
#[test]
fn did_you_mean_for_log_tenant() {
    let (_c, home, inv) =
        crate::fixtures::tenants_on_one_node("dymlog", "pg1", &["acme", "wayne-enterprises"]);
    let log = home.path().join("audit.jsonl");
    for t in ["acme", "wayne-enterprises"] {
        tenantctl_with_home(home.path())
            .arg("-i")
            .arg(&inv)
            .arg("--audit-log")
            .arg(&log)
            .args(["suspend", t, "--reason", "x", "--yes"])
            .assert()
            .success();
    }
    let run = |tenant: &str| {
        let a = tenantctl_with_home(home.path())
            .arg("--audit-log")
            .arg(&log)
            .args(["log", "--tenant", tenant])
            .assert()
            .success();
        String::from_utf8_lossy(&a.get_output().stderr).to_string()
    };
    let e = run("acmee");
    assert!(
        e.contains("no entries for tenant \"acmee\" in the log; closest: acme"),
        "{e}"
    );
    let e = run("wayne");
    assert!(
        e.contains("no entries for tenant \"wayne\" in the log; did you mean wayne-enterprises?"),
        "{e}"
    );
    let e = run("pg2/acme");
    assert!(
        e.contains(
            "no entries for tenant \"pg2/acme\": the log has acme on pg1 (--tenant pg1/acme)"
        ),
        "{e}"
    );
    // A name the log has: no hint.
    let e = run("pg1/acme");
    assert!(!e.contains("no entries"), "{e}");
}
