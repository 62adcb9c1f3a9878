//! Databases the role may not CONNECT to (another application's, on a shared
//! node) are not tenants and not errors.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fixtures::{create_plain_db, create_tenant, TenantSpec};
use crate::harness::{tenantctl_with_home, Cluster};
use crate::world::grant_minimal;

/// A node where the inventory's role (`tc_ops`, not a superuser) may use
/// acme only: foreign_odoo (an Odoo database) and otherapp have CONNECT
/// revoked from PUBLIC. (cluster, dir, inventory).
pub(crate) fn node_without_connect(name: &str) -> (Cluster, tempfile::TempDir, PathBuf) {
    let c = Cluster::start(name);
    create_tenant(&c, "acme", &TenantSpec::default());
    create_tenant(&c, "foreign_odoo", &TenantSpec::default());
    create_plain_db(&c, "otherapp");
    c.create_role("tc_ops", "ops-pass", false);
    c.sql(
        "postgres",
        "REVOKE CONNECT ON DATABASE acme, foreign_odoo, otherapp FROM PUBLIC",
    );
    grant_minimal(&c, "acme", "tc_ops");
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("nodes.toml");
    std::fs::write(
        &inv,
        format!(
            "[[node]]\nname = \"n1\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"tc_ops\"\npassword_env = \"OPS_PW\"\nsslmode = \"disable\"\n",
            c.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    (c, dir, inv)
}

/// Runs tenantctl as `tc_ops` on [`node_without_connect`]'s inventory:
/// (exit code, stdout, stderr).
pub(crate) fn run_as_ops(dir: &Path, inv: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tenantctl_with_home(dir)
        .arg("-i")
        .arg(inv)
        .env("OPS_PW", "ops-pass")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn databases_without_connect_are_skipped_and_shown_as_no_access() {
    let (c, dir, inv) = node_without_connect("noaccess");
    let run = |args: &[&str]| run_as_ops(dir.path(), &inv, args);
    let (code, out, err) = run(&["list", "-o", "json"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme"]);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);

    let (code, out, err) = run(&["list", "--all-databases", "-o", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<(String, String)> = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tenant"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("acme", "active"),
        ("foreign_odoo", "no-access"),
        ("otherapp", "no-access"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(rows, want);
    let (code, out, _) = run(&["list", "--all-databases"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("no-access"), "{out}");

    let (code, out, err) = run(&["check", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nodes"][0]["ok"], true, "{out}");
    assert_eq!(v["nodes"][0]["tenants"], 1, "{out}");

    // Nobody connected to the databases the role may not use.
    assert!(
        !c.log().contains("permission denied for database"),
        "{}",
        c.log()
    );
}

/// Issue 24: naming a database the role may not CONNECT to says so (exit
/// 2), not "unknown tenant"; in a bulk file too; nothing connects to it.
#[test]
fn did_you_mean_a_database_the_role_cannot_connect_to() {
    let (c, dir, inv) = node_without_connect("dymacc");
    let run = |args: &[&str]| run_as_ops(dir.path(), &inv, args);
    let want = "database \"otherapp\" on node n1 exists, but role \"tc_ops\" may not connect to it (no CONNECT privilege)";
    for args in [
        vec!["show", "otherapp"],
        vec!["show", "n1/otherapp"],
        vec!["suspend", "otherapp", "--reason", "x", "--yes"],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("unknown tenant"), "{args:?}: {err}");
    }
    let list = dir.path().join("batch.txt");
    std::fs::write(&list, "foreign_odoo\nacme\n").unwrap();
    let (code, out, err) = run(&[
        "bulk",
        "suspend",
        "--from",
        list.to_str().unwrap(),
        "--reason",
        "x",
        "--yes",
        "-o",
        "json",
    ]);
    assert_ne!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let e = v["results"][0]["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("database \"foreign_odoo\" on node n1 exists, but role \"tc_ops\" may not connect to it"),
        "{v:#}"
    );
    assert!(
        !c.log().contains("permission denied for database"),
        "{}",
        c.log()
    );
}
