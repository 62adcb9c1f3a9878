//! `tenantctl list`, inventory handling and tenant addressing, against real
//! PostgreSQL clusters.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::fixtures::{create_tenant, expected_counts, tenants_on_one_node, TenantSpec};
use crate::harness::{
    free_port, stderr_of, stdout_of, tenantctl, tenantctl_on, write_inventory, Cluster,
};
use crate::world::{Toml, World};

const ODD: &str = "Ténant \"q\"; x";

/// Two nodes: a = acme (16), globex (12, never logged in), ODD (17), a plain
/// database; b = initech (19), umbrella (16, suspended by the old agent).
fn fleet() -> World {
    World::builder()
        .node("a")
        .tenant("acme", TenantSpec::default())
        .tenant(
            "globex",
            TenantSpec {
                odoo_major: 12,
                internal_users: 5,
                portal_users: 0,
                last_login: None,
                ..Default::default()
            },
        )
        .tenant(ODD, TenantSpec::for_major(17))
        .plain_db("notodoo")
        .node("b")
        .tenant("initech", TenantSpec::for_major(19))
        .tenant(
            "umbrella",
            TenantSpec {
                suspended_by_old_agent: true,
                ..Default::default()
            },
        )
        .build()
}

/// The fleet's inventory with `extra` TOML after its nodes (`nodes.toml`).
fn inventory(f: &World, extra: &str) -> std::path::PathBuf {
    f.write_inventory("nodes.toml", &f.inventory.clone().extra(extra))
}

fn json_of(out: impl AsRef<[u8]>) -> Value {
    let out = out.as_ref();
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn tenant<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {v:#}"))
}

#[test]
fn list_every_tenant_of_two_nodes_in_three_formats() {
    let f = fleet();
    let inv = inventory(&f, "");
    let out = stdout_of(tenantctl_on(&inv).args(["list", "-o", "json"]), 0);
    let v = json_of(&out);
    let names: Vec<&str> = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["acme", "globex", ODD, "initech", "umbrella"],
        "sorted by node then name; no non-Odoo db"
    );
    assert_eq!(v["errors"], serde_json::json!([]));

    let acme = tenant(&v, "acme");
    let (int, portal) = expected_counts(&TenantSpec::default());
    assert_eq!(acme["node"], "a");
    assert_eq!(acme["status"], "active");
    assert_eq!(acme["users"], int as i64);
    assert_eq!(acme["portal_users"], portal as i64);
    assert_eq!(acme["odoo_version"], "16.0");
    assert_eq!(acme["last_login"], "2026-11-01T10:00:00Z");
    assert_eq!(acme["suspended_at"], Value::Null);
    let real_size: i64 =
        f.c.sql("postgres", "SELECT pg_database_size('acme')")
            .parse()
            .unwrap();
    let listed = acme["size_bytes"].as_i64().unwrap();
    assert!(
        (listed - real_size).abs() < 1024 * 1024,
        "size {listed} vs {real_size}"
    );

    let globex = tenant(&v, "globex");
    assert_eq!(globex["odoo_version"], "12.0");
    assert_eq!(globex["users"], 6);
    assert_eq!(globex["portal_users"], 0);
    assert_eq!(globex["last_login"], Value::Null);
    assert_eq!(tenant(&v, ODD)["odoo_version"], "17.0");
    assert_eq!(tenant(&v, "initech")["odoo_version"], "19.0");
    assert_eq!(tenant(&v, "initech")["node"], "b");
    let umbrella = tenant(&v, "umbrella");
    assert_eq!(umbrella["status"], "suspended");

    // Table: header and one line per tenant, human sizes, no colour (NO_COLOR).
    let out = stdout_of(tenantctl_on(&inv).arg("list"), 0);
    let table = out;
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].contains("NODE") && lines[0].contains("LAST LOGIN"),
        "{table}"
    );
    // umbrella was suspended by the old agent, without time or reason: the
    // SINCE and REASON columns, empty in every row, take no width.
    assert!(
        !lines[0].contains("REASON") && !lines[0].contains("SINCE"),
        "{table}"
    );
    assert_eq!(lines.len(), 6, "{table}");
    assert!(
        table.contains(ODD) && table.contains("KiB") || table.contains("MiB"),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "no escape codes when piped");

    // CSV: header + rows, the odd name quoted per RFC 4180.
    let out = stdout_of(tenantctl_on(&inv).args(["list", "-o", "csv"]), 0);
    let csv = out;
    assert!(csv.starts_with("node,tenant,status,users,portal_users,size_bytes,odoo_version,last_login,suspended_at,suspended_reason\n"));
    assert_eq!(csv.lines().count(), 6);
    // Not a valid Odoo name: listed, as `unsafe-name` (issue 22).
    assert!(
        csv.contains("a,\"Ténant \"\"q\"\"; x\",unsafe-name,"),
        "{csv}"
    );
    assert!(csv.contains("a,acme,active,4,2,"), "{csv}");

    // --all-databases shows the plain database as not-odoo.
    let out = stdout_of(
        tenantctl_on(&inv).args(["list", "--all-databases", "-o", "json"]),
        0,
    );
    let v = json_of(&out);
    assert_eq!(tenant(&v, "notodoo")["status"], "not-odoo");
    assert_eq!(tenant(&v, "notodoo")["users"], Value::Null);
}

#[test]
fn list_filters_and_sorting() {
    let f = fleet();
    let inv = inventory(&f, "");
    let names = |args: &[&str]| -> Vec<String> {
        let out = stdout_of(tenantctl_on(&inv).args(args).args(["-o", "json"]), 0);
        json_of(&out)["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tenant"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&["list", "--status", "suspended"]), vec!["umbrella"]);
    // The odd name is `unsafe-name`, not active (issue 22).
    assert_eq!(names(&["list", "--status", "active"]).len(), 3);
    assert_eq!(names(&["list", "--match", "*i*"]), vec!["initech"]);
    assert_eq!(names(&["list", "--match", "[ag]*"]), vec!["acme", "globex"]);
    assert_eq!(names(&["--node", "b", "list"]), vec!["initech", "umbrella"]);
    assert_eq!(
        names(&["list", "--sort", "name"]),
        vec!["acme", "globex", "initech", ODD, "umbrella"]
    );
    assert_eq!(names(&["list", "--sort", "users"])[0], "globex");
    assert_eq!(
        names(&["list", "--sort", "last-login"]).last().unwrap(),
        "globex"
    );

    // Labels select nodes.
    let inv2 = write_inventory(
        f.dir.path(),
        &[],
        &format!(
            "[[node]]\nname = \"a\"\nhost = \"127.0.0.1\"\nport = {}\nlabels = {{ region = \"eu\" }}\n\n[[node]]\nname = \"b\"\nhost = \"127.0.0.1\"\nport = {}\nlabels = {{ region = \"us\" }}\n",
            f.c.port(),
            f.node("b").port()
        ),
    );
    let out = stdout_of(
        tenantctl_on(&inv2).args(["--label", "region=us", "list", "-o", "json"]),
        0,
    );
    let v = json_of(&out);
    assert!(v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["node"] == "b"));
    tenantctl_on(&inv2)
        .args(["--node", "zz", "list"])
        .assert()
        .code(2);

    // exclude patterns hide tenants.
    let inv3 = write_inventory(f.dir.path(), &[], &format!("[[node]]\nname = \"a\"\nhost = \"127.0.0.1\"\nport = {}\nexclude = [\"glob*\", \"acme\"]\n", f.c.port()));
    let out = stdout_of(tenantctl_on(&inv3).args(["list", "-o", "json"]), 0);
    let v = json_of(&out);
    assert_eq!(v["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(v["tenants"][0]["tenant"], ODD);
}

#[test]
fn a_dead_node_does_not_stop_the_listing() {
    let f = fleet();
    let dead = free_port();
    let inv = inventory(&f, &format!("[[node]]\nname = \"dead\"\nhost = \"127.0.0.1\"\nport = {dead}\nconnect_timeout = \"2s\"\n"));
    let a = tenantctl_on(&inv)
        .args(["list", "-o", "json"])
        .assert()
        .code(3);
    let out = a.get_output();
    let v = json_of(&out.stdout);
    assert_eq!(
        v["tenants"].as_array().unwrap().len(),
        5,
        "the live nodes are listed"
    );
    assert_eq!(v["errors"][0]["node"], "dead");
    let err = v["errors"][0]["error"].as_str().unwrap();
    assert!(
        err.contains(&format!("127.0.0.1:{dead}")) && err.contains("refused"),
        "{err}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("tenantctl: node dead (127.0.0.1:")),
        "{stderr}"
    );
    assert!(!stderr.contains("db error"), "{stderr}");

    // A stopped cluster: same, and all nodes down is a failure (exit 1).
    f.node("b").stop();
    tenantctl_on(&inv).args(["list"]).assert().code(3);
    let only_dead = write_inventory(f.dir.path(), &[("b", f.node("b"))], "");
    tenantctl_on(&only_dead).args(["list"]).assert().code(1);
}

#[test]
fn wrong_password_is_reported_with_the_server_message() {
    let (_a, _dir, inv) = tenants_on_one_node("a", "a", &["acme"]);
    let stderr = stderr_of(
        tenantctl_on(&inv)
            .arg("list")
            .env("TC_TEST_PGPASSWORD", "wrong"),
        1,
    );
    assert!(
        stderr.contains("password authentication failed for user \"postgres\""),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong"),
        "the password never appears: {stderr}"
    );
    // A write with every node failing: said as it is, without advising
    // NODE/TENANT, which would fail alike (issue 24).
    let stderr = stderr_of(
        tenantctl_on(&inv)
            .args(["suspend", "acme", "--reason", "x", "--yes"])
            .env("TC_TEST_PGPASSWORD", "wrong"),
        1,
    );
    assert!(
        stderr.contains("no node could be searched")
            && stderr.contains("password authentication failed")
            && !stderr.contains("NODE/TENANT"),
        "{stderr}"
    );
}

#[test]
fn passwords_from_pgpass_and_pgpassword() {
    let a = Cluster::start("a");
    create_tenant(&a, "acme", &TenantSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("nodes.toml");
    std::fs::write(&inv, format!("[[node]]\nname = \"a\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"postgres\"\nsslmode = \"disable\"\n", a.port())).unwrap();
    let pgpass = dir.path().join("pgpass");
    // First matching line wins; escapes and wildcards as libpq.
    std::fs::write(
        &pgpass,
        format!(
            "# comment\nother:*:*:*:nope\n127.0.0.1:{}:*:postgres:postgres\n*:*:*:*:wrong\n",
            a.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    tenantctl_on(&inv)
        .arg("list")
        .env("PGPASSFILE", &pgpass)
        .assert()
        .success();
    // Group-readable pass file: ignored like libpq (with a warning), so auth fails.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = stderr_of(tenantctl_on(&inv).arg("list").env("PGPASSFILE", &pgpass), 1);
    assert!(out.contains("has group or world access"));
    // $PGPASSWORD comes after the pass file.
    tenantctl_on(&inv)
        .arg("list")
        .env("PGPASSFILE", dir.path().join("none"))
        .env("PGPASSWORD", "postgres")
        .assert()
        .success();
    // Inventory found through $TENANTCTL_INVENTORY.
    tenantctl()
        .arg("list")
        .env("TENANTCTL_INVENTORY", &inv)
        .env("PGPASSWORD", "postgres")
        .assert()
        .success();
}

#[test]
fn inventory_errors_exit_2_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "[[node]]\nname = \"a\"\nhots = \"x\"\n",
            ":3:1: unknown field `hots`",
        ),
        (
            "[[node]]\nname = \"a\"\n[[node]]\nname = \"a\"\n",
            ":4:8: duplicate node name \"a\"",
        ),
        (
            "[[node]]\nname = \"a\"\nconnect_timeout = \"5 parsecs\"\n",
            ":3:19: invalid duration",
        ),
        (
            "[[node]]\nname = \"a\"\nsslmode = \"maybe\"\n",
            ":3:11: unknown variant `maybe`",
        ),
        (
            "[[node]]\nname = \"a\"\nport = \"5432\"\n",
            ":3:8: invalid type",
        ),
        ("[[node]\nname = \"a\"\n", ":1:"),
        ("", "the file is empty"),
        ("[defaults]\nuser = \"x\"\n", "no [[node]] table"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("inv{i}.toml"));
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let stderr = stderr_of(tenantctl_on(&p).arg("list"), 2);
        assert!(
            stderr.starts_with("tenantctl: inventory ") && stderr.contains(want),
            "case {i}: want {want:?}, got {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
    // Missing file.
    let out = stderr_of(tenantctl_on(&dir.path().join("nope.toml")).arg("list"), 2);
    assert!(out.contains("cannot read"));
    // Inline password in a world-readable file.
    let p = dir.path().join("open.toml");
    std::fs::write(&p, "[[node]]\nname = \"a\"\npassword = \"s3cret\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = stderr_of(tenantctl_on(&p).arg("list"), 2);
    assert!(
        stderr.contains(":3:12: inline password") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"));
    // No inventory at all.
    let empty = tempfile::tempdir().unwrap();
    let msg = stderr_of(
        tenantctl()
            .current_dir(empty.path())
            .env("XDG_CONFIG_HOME", empty.path().join("cfg"))
            .env_remove("TENANTCTL_INVENTORY")
            .arg("list"),
        2,
    );
    assert!(msg.contains("no inventory found"), "{msg}");
    // The resolved paths it tried, not `$XDG_CONFIG_HOME/...`.
    let xdg = empty.path().join("cfg/tenantctl/nodes.toml");
    assert!(msg.contains(&xdg.display().to_string()), "{msg}");
    assert!(!msg.contains("$XDG_CONFIG_HOME"), "{msg}");
}

#[test]
fn tenant_addressing_ambiguous_unknown_and_odd_names() {
    let f = fleet();
    create_tenant(f.node("b"), "acme", &TenantSpec::default());
    let inv = inventory(&f, "");
    let stderr = stderr_of(
        tenantctl_on(&inv).args(["suspend", "acme", "--reason", "x", "--dry-run"]),
        2,
    );
    assert!(stderr.contains("a/acme, b/acme"), "{stderr}");
    tenantctl_on(&inv)
        .args(["suspend", "b/acme", "--reason", "x", "--dry-run"])
        .assert()
        .success();
    let stderr = stderr_of(
        tenantctl_on(&inv).args(["suspend", "acmee", "--reason", "x", "--dry-run"]),
        2,
    );
    assert!(
        stderr.contains("unknown tenant \"acmee\"; closest: acme"),
        "{stderr}"
    );
    tenantctl_on(&inv)
        .args(["suspend", "", "--reason", "x", "--dry-run"])
        .assert()
        .code(2);
    tenantctl_on(&inv)
        .args(["suspend", &"x".repeat(10_000), "--reason", "x", "--dry-run"])
        .assert()
        .code(2);
    // A plain (non-Odoo) database is not a tenant to write to.
    let out = stderr_of(
        tenantctl_on(&inv).args(["suspend", "notodoo", "--reason", "x", "--yes"]),
        1,
    );
    assert!(out.contains("not an Odoo database"));
    // The odd name works with and without the node prefix.
    tenantctl_on(&inv)
        .args(["suspend", ODD, "--reason", "x", "--dry-run"])
        .assert()
        .success();
    tenantctl_on(&inv)
        .args(["suspend", &format!("a/{ODD}"), "--reason", "x", "--dry-run"])
        .assert()
        .success();
}

/// `list --dropped` leaves out what the node's `exclude` patterns leave out,
/// by the dropped database's name or by its tenant's, as `list` does; so
/// do `undrop` and `purge`.
#[test]
fn list_dropped_leaves_out_excluded_databases() {
    let w = World::builder()
        .node("n1")
        .node_key("exclude", Toml::Raw(r#"["*_test", "old.*"]"#.into()))
        .tenant("acme", TenantSpec::default())
        .plain_db("keep.dropped-20260101T000000Z")
        .plain_db("acme_test.dropped-20260101T000000Z")
        .plain_db("old.dropped-20260101T000000Z")
        .build();
    let v = w
        .run()
        .args(["list", "--dropped", "-o", "json"])
        .run()
        .json();
    let dbs: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["database"].as_str().unwrap())
        .collect();
    assert_eq!(dbs, ["keep.dropped-20260101T000000Z"], "{v}");
    w.run()
        .args(["list", "--dropped"])
        .stdout_lacks("acme_test")
        .stdout_lacks("old.dropped")
        .run();
    w.run()
        .args(["purge", "acme_test", "--now", "--yes"])
        .code(2)
        .stderr_has("no dropped tenant")
        .run();
    assert!(w
        .dbs()
        .contains(&"acme_test.dropped-20260101T000000Z".to_string()));
}
