//! `password_scheme = "argon2id"` only for a tenant whose res_users already
//! holds argon2 hashes of users who log in (evidence that its Odoo verifies
//! them); otherwise refused, exit 2, nothing written.

use crate::fixtures::{create_tenant, password_hash, TenantSpec};
use crate::harness::{tenantctl_with_home, write_inventory, Cluster};

const ARGON2: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0123456789abcdefghijklmnopqrstuvwxyzABCDE";

#[test]
fn argon2id_only_where_the_tenant_already_verifies_argon2() {
    let c = Cluster::start("argon2");
    create_tenant(&c, "acme", &TenantSpec::default());
    create_tenant(&c, "globex", &TenantSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], "");
    std::fs::write(
        &inv,
        std::fs::read_to_string(&inv).unwrap().replace(
            "sslmode = \"disable\"\n",
            "sslmode = \"disable\"\npassword_scheme = \"argon2id\"\n",
        ),
    )
    .unwrap();
    let passwd = |db: &str, login: &str, extra: &[&str]| {
        let out = tenantctl_with_home(dir.path())
            .arg("-i")
            .arg(&inv)
            .args(["passwd", db, "--login", login, "--password-stdin"])
            .args(extra)
            .write_stdin("argon-pass-12345\n")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // No argon2 hash at all: refused, nothing written.
    let before = password_hash(&c, "acme", "admin");
    let (code, err) = passwd("acme", "admin", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("no user of this tenant has an argon2 hash"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(password_hash(&c, "acme", "admin"), before);
    // bulk passwd refuses the same way.
    let out = tenantctl_with_home(dir.path())
        .arg("-i")
        .arg(&inv)
        .args([
            "bulk",
            "passwd",
            "--all-matching",
            "--match",
            "acme",
            "--generate",
            "--yes",
            "-o",
            "json",
        ])
        .arg("--secrets-file")
        .arg(dir.path().join("secrets.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("refusing password_scheme"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(password_hash(&c, "acme", "admin"), before);

    // An argon2 hash of a user who never logged in: still no evidence.
    let uid = c.sql("acme", "SELECT id FROM res_users WHERE login = 'user1'");
    c.sql(
        "acme",
        &format!("UPDATE res_users SET password = '{ARGON2}' WHERE id = {uid}; DELETE FROM res_users_log WHERE create_uid = {uid}"),
    );
    let (code, err) = passwd("acme", "admin", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("never logged in"), "{err}");

    // ...who logged in and kept the argon2 hash: the tenant's Odoo verifies it.
    c.sql(
        "acme",
        &format!("INSERT INTO res_users_log (create_uid, create_date, write_uid, write_date) VALUES ({uid}, now(), {uid}, now())"),
    );
    let (code, err) = passwd("acme", "admin", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(password_hash(&c, "acme", "admin")
        .unwrap()
        .starts_with("$argon2id$"));
    // Another tenant on the same node still has no evidence.
    let (code, err) = passwd("globex", "admin", &["--dry-run"]);
    assert_eq!(code, Some(2), "{err}");
}
