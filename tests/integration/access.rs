//! Databases the role may not CONNECT to (another application's, on a shared
//! node) are not tenants and not errors.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::fixtures::{create_plain_db, create_tenant, TenantSpec};
use crate::harness::{tenantctl_with_home, Cluster};
use crate::writes::grant_minimal;

#[test]
fn databases_without_connect_are_skipped_and_shown_as_no_access() {
    let c = Cluster::start("noaccess");
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
    let run = |args: &[&str]| {
        let out = tenantctl_with_home(dir.path())
            .arg("-i")
            .arg(&inv)
            .env("OPS_PW", "ops-pass")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
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
