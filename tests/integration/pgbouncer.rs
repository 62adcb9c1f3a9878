//! Every command through a real PgBouncer (default configuration: no
//! `ignore_startup_parameters`), in session and in transaction pooling.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{create_tenant, icp, login_works, password_hash, user_states, TenantSpec};
use crate::harness::{Cluster, SUPERUSER_PASSWORD};
use crate::pgbouncer_harness::PgBouncer;
use crate::world::{Inventory, Run, World};

/// Node `n1` with acme (16), nova (19) and a database of another application;
/// each test writes the inventory for the port it goes through.
fn lab() -> World {
    World::builder()
        .node("n1")
        .tenant("acme", TenantSpec::default())
        .tenant("nova", TenantSpec::for_major(19))
        .plain_db("otherapp")
        .build()
}

/// `nodes.toml`: n1 at `port` (PgBouncer's or the cluster's), `extra` TOML of n1.
fn inventory(w: &World, port: u16, extra: &str) -> PathBuf {
    let inv = Inventory::default()
        .node_at("n1", "127.0.0.1", port)
        .node_key("connect_timeout", 10i64)
        .extra(extra);
    w.write_inventory("nodes.toml", &inv)
}

/// tenantctl with `-i inv`: (exit, stdout, stderr).
fn run(w: &World, inv: &Path, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let r = Run::new(w.home())
        .inv(inv)
        .args(args)
        .stdin(stdin)
        .any_code()
        .run();
    (r.code, r.stdout, r.stderr)
}

/// [`run`], which must exit 0; its stdout.
fn ok(w: &World, inv: &Path, args: &[&str], stdin: &str) -> String {
    let (code, out, err) = run(w, inv, args, stdin);
    assert_eq!(code, Some(0), "{args:?}: {out}\n{err}");
    out
}

/// list, show, check, passwd, suspend, reactivate, bulk suspend/reactivate.
fn every_command(lab: &World, inv: &Path) {
    read_commands(lab, inv);
    write_commands(lab, inv);
}

/// list, show, check and the dry runs of the writes.
fn read_commands(lab: &World, inv: &Path) {
    let out = ok(lab, inv, &["list", "-o", "json"], "");
    let v: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme", "nova"], "{out}");
    ok(lab, inv, &["show", "acme", "-o", "json"], "");
    let out = ok(lab, inv, &["check", "-o", "json"], "");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nodes"][0]["ok"], true, "{out}");
    ok(lab, inv, &["passwd", "acme", "--generate", "--dry-run"], "");
    ok(
        lab,
        inv,
        &["suspend", "acme", "--reason", "dry", "--dry-run"],
        "",
    );
    ok(
        lab,
        inv,
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "dry",
            "--dry-run",
        ],
        "",
    );
    assert_eq!(icp(&lab.c, "acme", "tenant.suspended"), None);
}

/// passwd, suspend, reactivate, bulk suspend/reactivate.
fn write_commands(lab: &World, inv: &Path) {
    for (db, major) in [("acme", 16), ("nova", 19)] {
        let before = user_states(&lab.c, db);
        ok(
            lab,
            inv,
            &["passwd", db, "--password-stdin"],
            "bouncer-pass-1\n",
        );
        assert!(login_works(&lab.c, db, "admin", "bouncer-pass-1", major));
        ok(
            lab,
            inv,
            &["suspend", db, "--reason", "via pgbouncer", "--yes"],
            "",
        );
        assert_eq!(icp(&lab.c, db, "tenant.suspended").as_deref(), Some("true"));
        ok(lab, inv, &["reactivate", db, "--yes"], "");
        assert_eq!(user_states(&lab.c, db), before);
    }
    let before = (user_states(&lab.c, "acme"), user_states(&lab.c, "nova"));
    ok(
        lab,
        inv,
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "bulk via pgbouncer",
            "--yes",
        ],
        "",
    );
    for db in ["acme", "nova"] {
        assert_eq!(icp(&lab.c, db, "tenant.suspended").as_deref(), Some("true"));
    }
    ok(
        lab,
        inv,
        &["bulk", "reactivate", "--all-matching", "--yes"],
        "",
    );
    assert_eq!(
        (user_states(&lab.c, "acme"), user_states(&lab.c, "nova")),
        before
    );
}

/// A session holding an ACCESS EXCLUSIVE lock on acme's res_users (directly on
/// PostgreSQL) until it is terminated.
fn hold_lock(c: &Cluster) -> std::process::Child {
    let child = Command::new("psql")
        .env_remove("PGPASSFILE")
        .env("PGPASSWORD", SUPERUSER_PASSWORD)
        .env("PGAPPNAME", "lock_holder")
        .env("PGSSLMODE", "disable")
        .args(["-X", "-q", "-h", "127.0.0.1", "-p"])
        .arg(c.port().to_string())
        .args([
            "-U",
            "postgres",
            "-d",
            "acme",
            "-c",
            "BEGIN; LOCK TABLE res_users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.sql(
        "postgres",
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
         WHERE a.application_name = 'lock_holder' AND l.mode = 'AccessExclusiveLock' AND l.granted",
    ) == "0"
    {
        assert!(
            Instant::now() < deadline,
            "lock holder did not get its lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn release_lock(c: &Cluster, mut holder: std::process::Child) {
    c.sql(
        "postgres",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'",
    );
    let _ = holder.kill();
    let _ = holder.wait();
}

/// statement_timeout reaches the server through PgBouncer: a statement stuck
/// on a lock ends after 1 s with the server's reason.
fn statement_timeout_applies(lab: &World, port: u16, pooler: &str) {
    let inv = inventory(
        lab,
        port,
        &format!("pgbouncer = \"{pooler}\"\nstatement_timeout = \"1s\""),
    );
    let holder = hold_lock(&lab.c);
    let t0 = Instant::now();
    let (code, out, err) = run(lab, &inv, &["list", "--match", "acme", "-o", "json"], "");
    let took = t0.elapsed();
    release_lock(&lab.c, holder);
    assert_eq!(code, Some(3), "{out}\n{err}");
    assert!(
        err.contains("canceling statement due to statement timeout"),
        "{err}"
    );
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn every_command_works_through_pgbouncer_in_session_mode() {
    let lab = &lab();
    let pgb = PgBouncer::start(&lab.c, "session", &[], "");
    // Startup options are what PgBouncer refuses: the node must say pgbouncer.
    let plain = inventory(lab, pgb.port(), "");
    let (code, _, err) = run(lab, &plain, &["list"], "");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("unsupported startup parameter"), "{err}");
    // ... and says which inventory key fixes it (issue 24).
    assert!(
        err.contains("looks like a PgBouncer") && err.contains("pgbouncer = \"session\""),
        "{err}"
    );

    let inv = inventory(lab, pgb.port(), "pgbouncer = \"session\"");
    every_command(lab, &inv);
    // `true` means session mode.
    let inv = inventory(lab, pgb.port(), "pgbouncer = true");
    ok(lab, &inv, &["list"], "");
    statement_timeout_applies(lab, pgb.port(), "session");
}

#[test]
fn reads_work_and_writes_are_refused_through_pgbouncer_in_transaction_mode() {
    let lab = &lab();
    let pgb = PgBouncer::start(&lab.c, "transaction", &[], "");
    let inv = inventory(lab, pgb.port(), "pgbouncer = \"transaction\"");
    read_commands(lab, &inv);
    statement_timeout_applies(lab, pgb.port(), "transaction");
    // Writes need session state: refused (exit 2), nothing changed.
    let before = (
        user_states(&lab.c, "acme"),
        password_hash(&lab.c, "acme", "admin"),
    );
    for args in [
        &["passwd", "acme", "--password-stdin"][..],
        &["suspend", "acme", "--reason", "x", "--yes"],
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "x",
            "--yes",
        ],
    ] {
        let (code, out, err) = run(lab, &inv, args, "bouncer-pass-1\n");
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(
            format!("{out}{err}").contains("PgBouncer in transaction mode"),
            "{args:?}: {out}{err}"
        );
    }
    assert_eq!(
        (
            user_states(&lab.c, "acme"),
            password_hash(&lab.c, "acme", "admin")
        ),
        before
    );
    assert_eq!(icp(&lab.c, "acme", "tenant.suspended"), None);
}

/// Our settings never stay behind on a server connection that PgBouncer hands
/// to the next client (Odoo): one server connection in the pool, tenantctl
/// runs with a distinctive statement_timeout, then a client through the same
/// PgBouncer sees the server default.
#[test]
fn pgbouncer_server_connections_keep_no_tenantctl_settings() {
    let lab = &lab();
    for mode in ["session", "transaction"] {
        let pgb = PgBouncer::start(&lab.c, mode, &[], "default_pool_size = 1");
        let inv = inventory(
            lab,
            pgb.port(),
            &format!("pgbouncer = \"{mode}\"\nstatement_timeout = \"7s\"\nmax_connections = 1"),
        );
        ok(lab, &inv, &["list"], "");
        ok(lab, &inv, &["show", "acme"], "");
        ok(lab, &inv, &["check"], "");
        for db in ["acme", "postgres"] {
            let got = pgb
                .psql("postgres", SUPERUSER_PASSWORD, db, "SHOW statement_timeout")
                .unwrap_or_else(|e| panic!("{mode}: {e}\n{}", pgb.log()));
            assert_eq!(got, "0", "{mode}: tenantctl's setting leaked on {db}");
        }
    }
}

/// create, rename, backup, drop and purge on a node behind PgBouncer: without
/// a direct route each is refused (exit 2, nothing changed) naming
/// `direct_port`; with `direct_port` they reach PostgreSQL itself and work,
/// in both pool modes, while the other commands keep going through PgBouncer.
#[test]
fn lifecycle_commands_take_the_direct_route_behind_pgbouncer() {
    let lab = &lab();
    create_tenant(&lab.c, "tmpl", &TenantSpec::default());
    lab.c.sql(
        "postgres",
        "ALTER DATABASE tmpl IS_TEMPLATE true; ALTER DATABASE tmpl ALLOW_CONNECTIONS false",
    );
    let fs = lab.dir.path().join("filestore");
    std::fs::create_dir_all(fs.join("tmpl/ab")).unwrap();
    std::fs::write(fs.join("tmpl/ab/ab12"), "attachment").unwrap();
    let out = lab.dir.path().join("backups");
    std::fs::create_dir_all(&out).unwrap();
    let dbs = |c: &Cluster| {
        let mut v = c.user_databases();
        v.sort();
        v
    };
    for mode in ["session", "transaction"] {
        let pgb = PgBouncer::start(&lab.c, mode, &[], "");
        let base = format!("pgbouncer = \"{mode}\"\nfilestore = \"{}\"\n", fs.display());
        let new = format!("new-{mode}");
        let create = [
            "create",
            &format!("n1/{new}"),
            "--from",
            "tmpl",
            "--password-stdin",
            "--yes",
        ];
        let inv = inventory(lab, pgb.port(), &base);
        let before = dbs(&lab.c);
        for args in [
            &create[..],
            &["rename", "acme", "acme-renamed", "--yes"],
            &["backup", "acme", "--dir", out.to_str().unwrap()],
            &["drop", "acme", "--force", "--yes"],
            &[
                "-o",
                "json",
                "bulk",
                "backup",
                "--all-matching",
                "--dir",
                out.to_str().unwrap(),
            ],
        ] {
            let (code, stdout, err) = run(lab, &inv, args, "Pass-word-123\n");
            assert_eq!(code, Some(2), "{mode} {args:?}: {stdout}\n{err}");
            // Single commands: the one-line error; bulk: each tenant's row.
            let all = format!("{stdout}{err}");
            assert!(
                all.contains("is a PgBouncer") && all.contains("`direct_port`"),
                "{mode} {args:?}: {all}"
            );
            assert_eq!(dbs(&lab.c), before, "{mode} {args:?}");
        }
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
        assert!(!fs.join(&new).exists());

        // With the direct route: done on PostgreSQL itself.
        let inv = inventory(
            lab,
            pgb.port(),
            &format!("{base}direct_port = {}\n", lab.c.port()),
        );
        ok(lab, &inv, &create, "Pass-word-123\n");
        assert!(lab.c.db_exists(&new), "{mode}");
        assert_eq!(
            std::fs::read_to_string(fs.join(&new).join("ab/ab12")).unwrap(),
            "attachment"
        );
        // The new tenant is seen through PgBouncer by the other commands.
        let listed = ok(lab, &inv, &["list", "-o", "json"], "");
        assert!(listed.contains(&format!("\"{new}\"")), "{listed}");
        let renamed = format!("{new}-r");
        ok(lab, &inv, &["rename", &new, &renamed, "--yes"], "");
        assert!(lab.c.db_exists(&renamed) && !lab.c.db_exists(&new));
        let v: Value = serde_json::from_str(&ok(
            lab,
            &inv,
            &[
                "-o",
                "json",
                "backup",
                &renamed,
                "--dir",
                out.to_str().unwrap(),
            ],
            "",
        ))
        .unwrap();
        assert!(
            std::path::Path::new(v["file"].as_str().unwrap()).is_file(),
            "{v}"
        );
        ok(lab, &inv, &["drop", &renamed, "--force", "--yes"], "");
        assert!(!lab.c.db_exists(&renamed));
        ok(lab, &inv, &["purge", &renamed, "--now", "--yes"], "");
        assert_eq!(dbs(&lab.c), before, "{mode}: purged");
        for e in std::fs::read_dir(&out).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
    }
}
