//! Suspension layers (issue: "suspension that cuts a tenant off"): users,
//! scheduled jobs, mail and connections, each switched off, recorded and
//! restored exactly, against real PostgreSQL and Odoo-shaped tenants with
//! `ir_cron`, `ir_mail_server`, `fetchmail_server` and `mail_mail`.

use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{
    create_tenant, create_tenant_owned, icp, user_states, TenantSpec, CRON_AUTOVACUUM,
    CRON_FETCHMAIL, CRON_MAIL_QUEUE, CRON_OFF_ON_PURPOSE, CRON_TENANT_REPORT, FETCHMAIL_INBOX,
    FETCHMAIL_OLD, MAIL_SERVER_MAIN, MAIL_SERVER_OLD,
};
use crate::harness::{quote_literal, tenantctl_with_home, write_inventory, Cluster, PASSWORD_ENV};
use crate::world::World;

/// One node `n1`, no tenant yet (each test makes its own), `extra` TOML after it.
fn env(extra: &str) -> World {
    World::builder().node("n1").extra(extra).build()
}

/// Runs tenantctl on `e` with `args`, any exit but a panic: the exit code,
/// stdout as JSON (Null when it is not), and both outputs for messages.
fn outcome(e: &World, args: &[&str]) -> (Option<i32>, Value, String) {
    let r = e.run().args(args).any_code().stderr_lacks("panicked").run();
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (
        r.code,
        v,
        format!("stdout: {}\nstderr: {}", r.stdout, r.stderr),
    )
}

fn actives(c: &Cluster, db: &str, table: &str) -> Vec<i64> {
    c.column(
        db,
        &format!("SELECT id FROM {table} WHERE active ORDER BY id"),
    )
    .iter()
    .map(|s| s.parse().unwrap())
    .collect()
}

fn mail_states(c: &Cluster, db: &str) -> Vec<(String, String)> {
    c.rows(db, "SELECT email_to, state FROM mail_mail ORDER BY id")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

#[test]
fn each_layer_is_switched_off_recorded_and_restored_exactly() {
    for major in [13, 16, 19] {
        let e = env("");
        create_tenant(&e.c, "acme", &TenantSpec::for_major(major));
        let users_before = user_states(&e.c, "acme");
        let mail_before = mail_states(&e.c, "acme");
        let (code, v, out) = outcome(
            &e,
            &[
                "suspend", "acme", "--reason", "unpaid", "--yes", "-o", "json",
            ],
        );
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(v["outcome"], "changed", "{out}");
        assert_eq!(v["layers"]["crons"], 4, "{out}");
        assert_eq!(
            v["layers"]["mail"], 2,
            "2 servers off (the stand-in is not a server switched off): {out}"
        );
        assert_eq!(v["layers"]["standin"], true, "{out}");
        assert_eq!(v["layers"]["connections"], false);
        // Nothing runs, nothing is sent or fetched.
        assert!(actives(&e.c, "acme", "ir_cron").is_empty());
        assert!(actives(&e.c, "acme", "fetchmail_server").is_empty());
        let servers = e.c.rows(
            "acme",
            "SELECT id, smtp_host, sequence FROM ir_mail_server WHERE active ORDER BY id",
        );
        assert_eq!(servers.len(), 1, "only the stand-in is active: {servers:?}");
        assert_eq!(servers[0][1], "invalid");
        let standin: i64 = servers[0][0].parse().unwrap();
        assert_eq!(
            icp(&e.c, "acme", "tenant.suspended_cron_ids").as_deref(),
            Some(
                format!(
                    "[{CRON_MAIL_QUEUE},{CRON_AUTOVACUUM},{CRON_FETCHMAIL},{CRON_TENANT_REPORT}]"
                )
                .as_str()
            )
        );
        let mail: Value =
            serde_json::from_str(&icp(&e.c, "acme", "tenant.suspended_mail").unwrap()).unwrap();
        assert_eq!(mail["servers"], serde_json::json!([MAIL_SERVER_MAIN]));
        assert_eq!(mail["fetchmail"], serde_json::json!([FETCHMAIL_INBOX]));
        assert_eq!(mail["standin"], standin);
        // A mail a request sent at once failed against the stand-in.
        e.c.sql(
            "acme",
            "INSERT INTO mail_mail (state, email_to, failure_reason, create_date, write_date) \
             VALUES ('exception', 'reset@example.com', 'Name or service not known', now() at time zone 'utc', now() at time zone 'utc')",
        );
        // 12–13: the XML-RPC caveat comes with a hint of the connections layer.
        let w = v["warnings"].to_string();
        assert_eq!(major <= 13, w.contains("+connections"), "{w}");

        let (code, v, out) = outcome(&e, &["reactivate", "acme", "--yes", "-o", "json"]);
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(v["layers"]["crons"], 4, "{out}");
        assert_eq!(v["layers"]["requeued"], 1, "{out}");
        assert_eq!(
            actives(&e.c, "acme", "ir_cron"),
            [
                CRON_MAIL_QUEUE,
                CRON_AUTOVACUUM,
                CRON_FETCHMAIL,
                CRON_TENANT_REPORT
            ],
            "the job switched off on purpose ({CRON_OFF_ON_PURPOSE}) stays off"
        );
        assert_eq!(
            actives(&e.c, "acme", "ir_mail_server"),
            [MAIL_SERVER_MAIN],
            "the old server ({MAIL_SERVER_OLD}) stays off, the stand-in is gone"
        );
        assert_eq!(
            e.c.sql(
                "acme",
                &format!("SELECT count(*) FROM ir_mail_server WHERE id = {standin}")
            ),
            "0"
        );
        assert_eq!(
            actives(&e.c, "acme", "fetchmail_server"),
            [FETCHMAIL_INBOX],
            "old inbox ({FETCHMAIL_OLD}) stays off"
        );
        let mut mail_after = mail_states(&e.c, "acme");
        assert_eq!(
            mail_after.pop(),
            Some(("reset@example.com".into(), "outgoing".into())),
            "mail held during the suspension goes back to the queue"
        );
        assert_eq!(mail_after, mail_before, "older mail is untouched");
        assert_eq!(user_states(&e.c, "acme"), users_before);
        for k in [
            "tenant.suspended_cron_ids",
            "tenant.suspended_mail",
            "tenant.suspended_layers",
        ] {
            assert_eq!(icp(&e.c, "acme", k), None, "{k} removed");
        }
    }
}

#[test]
fn layers_come_from_the_inventory_and_the_command_line() {
    let e = env("suspend_layers = [\"users\"]");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    create_tenant(&e.c, "nova", &TenantSpec::default());
    let (code, v, out) = outcome(
        &e,
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["crons"], 0, "{out}");
    assert_eq!(
        actives(&e.c, "acme", "ir_cron").len(),
        4,
        "the node says users only"
    );
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend",
            "nova",
            "--reason",
            "x",
            "--layers",
            "users,crons",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["crons"], 4);
    assert_eq!(v["layers"]["mail"], 0);
    assert_eq!(actives(&e.c, "nova", "ir_mail_server"), [MAIL_SERVER_MAIN]);
    // A bad layer name is a usage error, nothing changed.
    let (code, _, out) = outcome(&e, &["reactivate", "nova", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, _, out) = outcome(
        &e,
        &[
            "suspend",
            "nova",
            "--reason",
            "x",
            "--layers",
            "users,email",
            "--yes",
        ],
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("unknown suspension layer"), "{out}");
    assert_eq!(
        icp(&e.c, "nova", "tenant.suspended").as_deref(),
        Some("false")
    );
    // A tenant without the mail tables: the layer is skipped and said so.
    create_tenant(&e.c, "bare", &TenantSpec::default());
    e.c.sql(
        "bare",
        "DROP TABLE fetchmail_server; DROP TABLE ir_mail_server; DROP TABLE mail_mail",
    );
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend",
            "bare",
            "--reason",
            "x",
            "--layers",
            "+crons,+mail",
            "--dry-run",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["skipped"], serde_json::json!(["mail"]), "{out}");
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend",
            "bare",
            "--reason",
            "x",
            "--layers",
            "+crons,+mail",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["skipped"], serde_json::json!(["mail"]), "{out}");
    let (code, _, out) = outcome(&e, &["reactivate", "bare", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
}

/// Another session holding a job's row lock, as a running job does.
struct JobRunning {
    child: Child,
    _stdin: ChildStdin,
}

impl JobRunning {
    fn hold(c: &Cluster, db: &str, cron: i64) -> JobRunning {
        let mut child = Command::new("psql")
            .args(["-X", "-q", "-h"])
            .arg(c.socket_dir())
            .args(["-p", &c.port().to_string(), "-U", "postgres", "-d", db])
            .env("PGAPPNAME", "cron_worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            "BEGIN; SELECT id FROM ir_cron WHERE id = {cron} FOR NO KEY UPDATE;"
        )
        .unwrap();
        stdin.flush().unwrap();
        let t0 = Instant::now();
        while c.sql(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cron_worker' AND state = 'idle in transaction'",
        ) != "1"
        {
            assert!(t0.elapsed() < Duration::from_secs(30), "the job never took its lock");
            std::thread::sleep(Duration::from_millis(50));
        }
        JobRunning {
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for JobRunning {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_running_job_makes_suspend_fail_bounded_and_named_with_nothing_changed() {
    let e = env("statement_timeout = \"2s\"");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let users = user_states(&e.c, "acme");
    let job = JobRunning::hold(&e.c, "acme", CRON_TENANT_REPORT);
    let (code, v, out) = outcome(
        &e,
        &["suspend", "acme", "--reason", "x", "--yes", "-o", "json"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(v["outcome"], "failed", "{out}");
    let err = v["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("Tenant: nightly sales report")
            && err.contains(&format!("id {CRON_TENANT_REPORT}")),
        "the running job is named: {err}"
    );
    assert!(err.contains("nothing changed"), "{err}");
    assert_eq!(
        user_states(&e.c, "acme"),
        users,
        "one transaction: nothing changed"
    );
    assert_eq!(actives(&e.c, "acme", "ir_cron").len(), 4);
    assert_eq!(icp(&e.c, "acme", "tenant.suspended"), None);
    drop(job);
    let (code, _, out) = outcome(&e, &["suspend", "acme", "--reason", "x", "--yes"]);
    assert_eq!(code, Some(0), "after the job ended: {out}");
}

fn can_connect(c: &Cluster, db: &str) -> bool {
    c.try_sql(db, "SELECT 1").is_ok()
}

#[test]
fn the_connections_layer_blocks_the_database_and_reactivate_unblocks_it() {
    let e = env("");
    c_role(&e.c);
    create_tenant_owned(&e.c, "acme", &TenantSpec::default(), "odoo_t");
    e.c.sql(
        "postgres",
        "COMMENT ON DATABASE acme IS 'customer since 2019'",
    );
    // An open session of the tenant's role (an Odoo worker).
    let mut worker = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            &e.c.port().to_string(),
            "-U",
            "odoo_t",
            "-d",
            "acme",
        ])
        .env("PGPASSWORD", "odoo-pass")
        .env("PGAPPNAME", "odoo_worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while e.c.connections_to("acme") < 1 {
        assert!(t0.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend",
            "acme",
            "--reason",
            "unpaid 2026-12",
            "--layers",
            "+connections",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["connections"], true, "{out}");
    assert!(!can_connect(&e.c, "acme"), "superusers are refused too");
    let t0 = Instant::now();
    while e.c.sql(
        "postgres",
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'odoo_worker'",
    ) != "0"
    {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the worker's session was ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = worker.kill();
    let _ = worker.wait();
    // list, show and check still report it, from the catalog.
    let (code, v, out) = outcome(&e, &["list", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let row = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == "acme")
        .unwrap()
        .clone();
    assert_eq!(row["status"], "suspended", "{row}");
    assert_eq!(row["blocked"], true);
    assert_eq!(row["suspended_reason"], "unpaid 2026-12");
    let (code, v, out) = outcome(&e, &["show", "acme", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["blocked"], true);
    assert_eq!(v["suspended_reason"], "unpaid 2026-12");
    let (code, _, out) = outcome(&e, &["check", "-o", "json"]);
    assert_eq!(code, Some(0), "a blocked tenant is not a problem: {out}");
    // A second suspend changes nothing.
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend",
            "acme",
            "--reason",
            "x",
            "--layers",
            "+connections",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["outcome"], "unchanged", "{out}");
    // Reactivate: connections first, then the other layers; the comment back.
    let (code, v, out) = outcome(&e, &["reactivate", "acme", "--yes", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["outcome"], "changed", "{out}");
    assert_eq!(v["layers"]["connections"], true, "{out}");
    assert!(can_connect(&e.c, "acme"));
    assert_eq!(
        e.c.sql(
            "postgres",
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'acme'"
        ),
        "customer since 2019"
    );
    assert_eq!(actives(&e.c, "acme", "ir_cron").len(), 4);
    assert_eq!(
        icp(&e.c, "acme", "tenant.suspended").as_deref(),
        Some("false")
    );
}

fn c_role(c: &Cluster) {
    c.create_role("odoo_t", "odoo-pass", false);
}

#[test]
fn the_connections_layer_without_the_right_to_alter_is_refused_with_the_grant() {
    let c = Cluster::start("l");
    c.create_role("odoo_t", "odoo-pass", false);
    c.create_role("tc_ops", "ops-pass", false);
    create_tenant_owned(&c, "acme", &TenantSpec::default(), "odoo_t");
    crate::world::grant_minimal(&c, "acme", "tc_ops");
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], "user = \"tc_ops\"");
    let users = user_states(&c, "acme");
    let mut cmd = tenantctl_with_home(dir.path());
    cmd.arg("-i").arg(&inv).env(PASSWORD_ENV, "ops-pass").args([
        "suspend",
        "acme",
        "--reason",
        "x",
        "--layers",
        "+connections",
        "--yes",
        "-o",
        "json",
    ]);
    let o = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(2), "{v}");
    assert_eq!(v["outcome"], "refused");
    let err = v["error"].as_str().unwrap();
    assert!(
        err.contains("GRANT") && err.contains("odoo_t") && err.contains("tc_ops"),
        "{err}"
    );
    assert_eq!(user_states(&c, "acme"), users, "nothing changed");
    assert_eq!(actives(&c, "acme", "ir_cron").len(), 4);
    assert!(can_connect(&c, "acme"));
    // Without the connections layer the same role suspends and reactivates.
    let mut cmd = tenantctl_with_home(dir.path());
    cmd.arg("-i")
        .arg(&inv)
        .env(PASSWORD_ENV, "ops-pass")
        .args(["suspend", "acme", "--reason", "x", "--yes"]);
    assert_eq!(cmd.output().unwrap().status.code(), Some(0));
    let mut cmd = tenantctl_with_home(dir.path());
    cmd.arg("-i")
        .arg(&inv)
        .env(PASSWORD_ENV, "ops-pass")
        .args(["reactivate", "acme", "--yes"]);
    assert_eq!(cmd.output().unwrap().status.code(), Some(0));
    assert_eq!(user_states(&c, "acme"), users);
}

#[test]
fn drift_is_reported_by_check_and_list_and_suspend_cuts_it_off_again() {
    let e = env("");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    create_tenant(&e.c, "flag", &TenantSpec::default());
    let (code, _, out) = outcome(&e, &["suspend", "acme", "--reason", "x", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    // A module update re-enables a job; a user is switched on by hand.
    e.c.sql(
        "acme",
        &format!("UPDATE ir_cron SET active = true WHERE id = {CRON_MAIL_QUEUE}"),
    );
    e.c.sql(
        "acme",
        "UPDATE res_users SET active = true WHERE login = 'user1'",
    );
    // The other tenant set the flag itself.
    e.c.sql(
        "flag",
        "INSERT INTO ir_config_parameter (key, value) VALUES ('tenant.suspended', 'true')",
    );
    let (code, v, out) = outcome(&e, &["check", "-o", "json"]);
    assert_ne!(code, Some(0), "{out}");
    let problems = v["nodes"][0]["problems"].to_string();
    assert!(
        problems.contains("drift") && problems.contains("scheduled jobs"),
        "{problems}"
    );
    assert!(problems.contains("users"), "{problems}");
    let (_, _, out) = outcome(&e, &["list"]);
    assert!(out.contains("acme: drift"), "{out}");
    // suspend switches the strays off and merges them into the record.
    let (code, v, out) = outcome(
        &e,
        &[
            "suspend", "acme", "--reason", "again", "--yes", "-o", "json",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["outcome"], "changed");
    assert_eq!(v["users"], 1);
    assert_eq!(v["layers"]["crons"], 1);
    assert!(actives(&e.c, "acme", "ir_cron").is_empty());
    let (code, _, out) = outcome(&e, &["suspend", "flag", "--reason", "x", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        actives(&e.c, "flag", "ir_cron").is_empty(),
        "the flag is not the state"
    );
    let (code, _, out) = outcome(&e, &["check"]);
    assert_eq!(code, Some(0), "no drift left: {out}");
    for db in ["acme", "flag"] {
        let (code, _, out) = outcome(&e, &["reactivate", db, "--yes"]);
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(actives(&e.c, db, "ir_cron").len(), 4, "{db}");
    }
}

#[test]
fn backends_killed_during_layered_suspend_and_reactivate_never_leave_a_mixed_state() {
    let e = env("");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let users = user_states(&e.c, "acme");
    let crons = actives(&e.c, "acme", "ir_cron");
    let servers = actives(&e.c, "acme", "ir_mail_server");
    let mut killed = 0;
    let mut rng = 0x2545F4914F6CDD1Du64;
    for i in 0..24 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let op = if i % 2 == 0 { "suspend" } else { "reactivate" };
        let mut cmd = std::process::Command::new(crate::harness::tenantctl_bin());
        cmd.env("HOME", e.dir.path())
            .env(PASSWORD_ENV, crate::harness::SUPERUSER_PASSWORD)
            .arg("-i")
            .arg(&e.inv)
            .args([op, "acme", "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if op == "suspend" {
            cmd.args(["--reason", "x"]);
        }
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng % 40));
        let n = e.c.sql(
            "acme",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'tenantctl' AND pid <> pg_backend_pid()",
        );
        if n != "0" {
            killed += 1;
        }
        let t0 = Instant::now();
        while child.try_wait().unwrap().is_none() {
            assert!(t0.elapsed() < Duration::from_secs(60));
            std::thread::sleep(Duration::from_millis(20));
        }
        // Coherent: either fully suspended (every layer off) or fully active.
        let suspended = icp(&e.c, "acme", "tenant.suspended").as_deref() == Some("true");
        let a_users = user_states(&e.c, "acme").iter().filter(|u| u.2).count();
        let a_crons = actives(&e.c, "acme", "ir_cron");
        let a_servers = e.c.sql(
            "acme",
            "SELECT count(*) FROM ir_mail_server WHERE active AND smtp_host <> 'invalid'",
        );
        if suspended {
            assert_eq!(
                (a_users, a_crons.len(), a_servers.as_str()),
                (0, 0, "0"),
                "iteration {i}"
            );
        } else {
            assert_eq!(a_crons, crons, "iteration {i}");
            assert_eq!(
                actives(&e.c, "acme", "ir_mail_server"),
                servers,
                "iteration {i}"
            );
            assert_eq!(user_states(&e.c, "acme"), users, "iteration {i}");
        }
    }
    eprintln!("layered kills: {killed} of 24 runs had a backend killed");
    // Whatever the last run left, a clean reactivate restores everything.
    let (code, _, out) = outcome(&e, &["reactivate", "acme", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(actives(&e.c, "acme", "ir_cron"), crons);
    assert_eq!(actives(&e.c, "acme", "ir_mail_server"), servers);
    assert_eq!(user_states(&e.c, "acme"), users);
    let _ = quote_literal("");
}

/// A dry run and the real run that follows agree, in every state a
/// tenant's layers can be in: the outcome (`would-change` ↔ `changed`,
/// `unchanged` ↔ `unchanged`) and the counts. Counts name what was switched
/// off (tenantctl's stand-in mail server is never counted as one).
#[test]
fn dry_run_and_real_run_of_suspend_agree_on_every_layer_state() {
    let e = env("");
    create_tenant(&e.c, "acme", &TenantSpec::for_major(16));
    // A tenant with no mail server at all: its suspension switches off none.
    create_tenant(&e.c, "nomail", &TenantSpec::for_major(16));
    e.c.sql(
        "nomail",
        "DELETE FROM ir_mail_server; DELETE FROM fetchmail_server",
    );
    let suspend = |db: &str, dry: bool, layers: Option<&str>| {
        let mut args = vec!["suspend", db, "--reason", "unpaid", "--yes", "-o", "json"];
        if dry {
            args.push("--dry-run");
        }
        if let Some(l) = layers {
            args.extend(["--layers", l]);
        }
        let (code, v, out) = outcome(&e, &args);
        assert_eq!(code, Some(0), "{out}");
        v
    };
    let agree = |db: &str, state: &str, layers: Option<&str>, want: &str| -> Value {
        let plan = suspend(db, true, layers);
        let real = suspend(db, false, layers);
        let expected_real = if want == "would-change" {
            "changed"
        } else {
            want
        };
        assert_eq!(plan["outcome"], want, "{state}: dry run {plan}");
        assert_eq!(real["outcome"], expected_real, "{state}: real run {real}");
        if want == "would-change" {
            for k in ["users", "crons", "mail", "standin"] {
                assert_eq!(
                    plan["layers"][k], real["layers"][k],
                    "{state}: {k}: {plan} {real}"
                );
            }
        }
        real
    };
    let real = agree("nomail", "no mail server", None, "would-change");
    assert_eq!(real["layers"]["mail"], 0, "{real}");
    assert_eq!(real["layers"]["standin"], true, "{real}");
    agree("nomail", "suspended, nothing active", None, "unchanged");

    agree("acme", "active", None, "would-change");
    agree("acme", "suspended, nothing active", None, "unchanged");
    // A user switched on by hand: one user.
    e.c.sql(
        "acme",
        "UPDATE res_users SET active = true WHERE login = 'user1'",
    );
    let real = agree("acme", "a user on again", None, "would-change");
    assert_eq!(real["layers"]["users"], 1, "{real}");
    // A job switched on again (a module update does that).
    e.c.sql(
        "acme",
        &format!("UPDATE ir_cron SET active = true WHERE id = {CRON_MAIL_QUEUE}"),
    );
    let real = agree("acme", "a job on again", None, "would-change");
    assert_eq!(real["layers"]["crons"], 1, "{real}");
    // The tenant deleted tenantctl's stand-in: it is added again, and that
    // is a change, in the plan as in the run.
    e.c.sql(
        "acme",
        "DELETE FROM ir_mail_server WHERE smtp_host = 'invalid'",
    );
    let real = agree("acme", "stand-in gone", None, "would-change");
    assert_eq!(real["layers"]["mail"], 0, "{real}");
    assert_eq!(real["layers"]["standin"], true, "{real}");
    assert_eq!(
        e.c.sql(
            "acme",
            "SELECT count(*) FROM ir_mail_server WHERE active AND smtp_host = 'invalid'"
        ),
        "1"
    );
    agree("acme", "suspended again, nothing active", None, "unchanged");
    // Suspended with the users layer only, then with the default layers.
    e.c.sql("postgres", "CREATE DATABASE other TEMPLATE acme");
    let _ = outcome(&e, &["reactivate", "other", "--yes", "-o", "json"]);
    agree("other", "users layer only", Some("users"), "would-change");
    agree(
        "other",
        "users layer only, again",
        Some("users"),
        "unchanged",
    );
    agree("other", "crons and mail added", None, "would-change");
    agree("other", "all layers, again", None, "unchanged");
}

/// What a suspension says in words: counts in the right number, the
/// stand-in named as such, never counted as a server switched off.
#[test]
fn suspend_says_what_it_switched_in_the_right_number() {
    let e = env("");
    create_tenant(&e.c, "solo", &TenantSpec::for_major(16));
    e.c.sql(
        "solo",
        "DELETE FROM ir_mail_server; DELETE FROM fetchmail_server",
    );
    e.c.sql(
        "solo",
        "UPDATE res_users SET active = false WHERE id > 2; UPDATE ir_cron SET active = (id = (SELECT min(id) FROM ir_cron))",
    );
    let (code, _, out) = outcome(&e, &["suspend", "solo", "--reason", "unpaid", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("1 internal user, 1 scheduled job, 0 mail servers switched off and recorded; a stand-in outgoing server"),
        "{out}"
    );
    let (code, _, out) = outcome(&e, &["reactivate", "solo", "--yes"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "1 internal user, 1 scheduled job, 0 mail servers switched on, 0 held mails queued again"
        ),
        "{out}"
    );
    // Blocking with no client connected ends no client's session (the one
    // tenantctl itself had open is not counted).
    let (code, _, out) = outcome(
        &e,
        &[
            "suspend",
            "solo",
            "--reason",
            "unpaid",
            "--layers",
            "+connections",
            "--yes",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("(no client was connected)"), "{out}");
    // Blocked: its last login is not known, not "never".
    let (code, _, out) = outcome(&e, &["list"]);
    assert_eq!(code, Some(0), "{out}");
    let row = out.lines().find(|l| l.contains("solo")).unwrap_or_default();
    assert!(row.contains(" ? ") && !row.contains("never"), "{out}");
}

/// JSON says how many of the users switched are portal users
/// (`layers.portal_users`, the rest internal, what `list` counts), in the
/// dry run and in the real suspend and reactivate alike.
#[test]
fn json_counts_the_portal_users_as_the_text_does() {
    let e = env("");
    create_tenant(&e.c, "split", &TenantSpec::for_major(16));
    let active: i64 =
        e.c.sql(
            "split",
            "SELECT count(*) FROM res_users WHERE active AND id <> 1",
        )
        .trim()
        .parse()
        .unwrap();
    let portal: i64 =
        e.c.sql(
            "split",
            "SELECT count(*) FROM res_users WHERE active AND id <> 1 AND share",
        )
        .trim()
        .parse()
        .unwrap();
    assert!(
        portal >= 1 && active > portal,
        "the fixture has portal and internal users"
    );
    let args = ["suspend", "split", "--reason", "x", "-o", "json"];
    for (extra, field) in [(&["--dry-run"][..], "would"), (&["--yes"][..], "real")] {
        let mut a = args.to_vec();
        a.extend_from_slice(extra);
        let (code, v, out) = outcome(&e, &a);
        assert_eq!(code, Some(0), "{field}: {out}");
        assert_eq!(v["layers"]["users"], active, "{field}: {out}");
        assert_eq!(v["layers"]["portal_users"], portal, "{field}: {out}");
    }
    let (code, v, out) = outcome(&e, &["reactivate", "split", "--yes", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(v["layers"]["users"], active, "{out}");
    assert_eq!(v["layers"]["portal_users"], portal, "{out}");
}

/// A reactivation's dry run says what the real run then switches on: the
/// recorded jobs and mail servers still off, the mail that failed while
/// suspended (its `layers` object and its plan steps); before, the dry run
/// listed the users only.
#[test]
fn reactivate_dry_run_counts_the_layers_the_real_run_switches_on() {
    let e = env("");
    create_tenant(&e.c, "back", &TenantSpec::for_major(16));
    let (code, _, out) = outcome(
        &e,
        &["suspend", "back", "--reason", "x", "--yes", "-o", "json"],
    );
    assert_eq!(code, Some(0), "{out}");
    // A mail that failed while suspended (against the stand-in).
    e.c.sql(
        "back",
        "INSERT INTO mail_mail (state, email_to, failure_reason, create_date, write_date) \
         VALUES ('exception', 'late@example.com', 'stand-in', now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc')",
    );
    let (code, dry, out) = outcome(&e, &["reactivate", "back", "--dry-run", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let steps = dry["plan"]["steps"].to_string();
    assert!(steps.contains("scheduled jobs: switch on"), "{out}");
    assert!(
        steps.contains("requeue 1 mail that failed while suspended"),
        "{out}"
    );
    let (code, real, out) = outcome(&e, &["reactivate", "back", "--yes", "-o", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(real["layers"]["crons"].as_u64().unwrap() > 0, "{out}");
    assert!(real["layers"]["mail"].as_u64().unwrap() > 0, "{out}");
    assert_eq!(real["layers"]["requeued"], 1, "{out}");
    assert_eq!(dry["layers"], real["layers"], "dry run and run agree");
}
