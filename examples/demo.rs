//! The main job of tenantctl on a throwaway local PostgreSQL: two local
//! clusters play two nodes with a few Odoo-shaped tenants; the demo writes an
//! inventory and runs list, suspend, reactivate, passwd, bulk and check
//! against them, then removes everything.
//!
//!     cargo run --example demo     (as root, PostgreSQL runs as the `postgres` OS user)
//!
//! It reuses the integration tests' harness (real `initdb`/`postgres`, fixture
//! tenants built from Odoo's schema facts).

#![allow(dead_code)]

#[path = "../tests/integration/fixtures.rs"]
mod fixtures;
#[path = "../tests/integration/harness.rs"]
mod harness;

use fixtures::{create_plain_db, create_tenant, TenantSpec};
use harness::{write_inventory, Cluster};

fn step(title: &str, args: &[&str], inv: &std::path::Path) -> u8 {
    println!("\n### {title}");
    // As it must be typed: each argument quoted for the shell when it needs it.
    let typed: Vec<String> = args
        .iter()
        .map(|a| tenantctl::transport::ssh::shell_quote(a))
        .collect();
    println!("$ tenantctl {}", typed.join(" "));
    let mut full = vec![
        "tenantctl".to_string(),
        "-i".into(),
        inv.display().to_string(),
    ];
    full.extend(args.iter().map(|s| s.to_string()));
    let code = tenantctl::run_from(full);
    println!("(exit {code})");
    code
}

fn main() {
    println!("Starting two throwaway PostgreSQL clusters (nodes pg1 and pg2)...");
    let pg1 = Cluster::start("pg1");
    let pg2 = Cluster::start("pg2");
    create_tenant(&pg1, "acme", &TenantSpec::default());
    create_tenant(
        &pg1,
        "globex",
        &TenantSpec {
            odoo_major: 17,
            admin_login: "it@globex.example".into(),
            internal_users: 8,
            portal_users: 4,
            ..Default::default()
        },
    );
    create_plain_db(&pg1, "reporting");
    create_tenant(&pg2, "initech", &TenantSpec::for_major(19));
    create_tenant(
        &pg2,
        "umbrella",
        &TenantSpec {
            odoo_major: 15,
            suspended_by_old_agent: true,
            last_login: None,
            ..Default::default()
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let inv = write_inventory(dir.path(), &[("pg1", &pg1), ("pg2", &pg2)], "");
    // The inventory reads the password from this variable (password_env).
    std::env::set_var("TC_TEST_PGPASSWORD", harness::SUPERUSER_PASSWORD);
    std::env::set_var("XDG_STATE_HOME", dir.path().join("state"));
    std::env::set_var("NO_COLOR", "1");
    println!(
        "\nInventory {}:\n{}",
        inv.display(),
        std::fs::read_to_string(&inv).unwrap()
    );

    step(
        "Every tenant of every node (-o wide adds PORTAL: USERS counts internal users only)",
        &["list", "-o", "wide"],
        &inv,
    );
    let (internal, portal) = fixtures::expected_counts(&TenantSpec::default());
    println!(
        "acme has {internal} internal and {portal} portal users active: suspend switches off (and reactivate back on) all {}",
        internal + portal
    );
    step(
        "Suspend a tenant for non-payment",
        &[
            "suspend",
            "acme",
            "--reason",
            "invoice 2026-0042 unpaid",
            "--yes",
        ],
        &inv,
    );
    step(
        "Suspended tenants, as JSON",
        &["list", "--status", "suspended", "-o", "json"],
        &inv,
    );
    step(
        "Suspending again changes nothing",
        &["suspend", "acme", "--reason", "again", "--yes"],
        &inv,
    );
    step(
        "Reactivate after payment: exactly the users active before",
        &["reactivate", "acme", "--yes"],
        &inv,
    );
    step(
        "A tenant suspended by the old agent has no record of users",
        &["reactivate", "umbrella", "--yes"],
        &inv,
    );
    step(
        "Change the admin password (generated, printed once)",
        &["passwd", "pg1/globex", "--generate"],
        &inv,
    );
    step(
        "Plan a bulk suspension of a node (dry run)",
        &[
            "--node",
            "pg2",
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "demo",
            "--dry-run",
        ],
        &inv,
    );
    step(
        "Reactivate it as the refusal advises (every internal user)",
        &[
            "reactivate",
            "umbrella",
            "--restore-users",
            "all-internal",
            "--yes",
        ],
        &inv,
    );
    let code = step("Smoke check of the fleet", &["check"], &inv);
    if code == 0 {
        println!(
            "check ended clean (exit 0): every node reachable, authenticated and allowed every command, no drift left. \
             Its warnings are about the demo itself: it connects as the superuser postgres, where a real fleet uses a least-privilege role."
        );
    } else {
        println!(
            "check ended with problems (exit {code}): each `tenantctl: node ...` line above names one, with the command that fixes it."
        );
    }
    let audit = dir.path().join("state/tenantctl/audit.jsonl");
    println!(
        "\n### Audit log {}\n{}",
        audit.display(),
        std::fs::read_to_string(&audit).unwrap_or_default()
    );
    println!("\nStopping the clusters and removing their files.");
}
