//! `tenantctl health` (issue 26) against real PostgreSQL with Odoo-shaped
//! tenants: each check family fires when its condition is built and is
//! quiet once it is fixed; the Prometheus text passes `promtool check
//! metrics`; tenant text is escaped in the table and exact in JSON.
//! Self-contained on top of the harness and fixtures as they are.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{have_tool, tenantctl_on, write_inventory, Cluster};

struct Env {
    c: Cluster,
    _dir: tempfile::TempDir,
    inv: PathBuf,
}

/// One node `n1` with these tenants (name, Odoo major), made healthy
/// ([`heal`]); `extra` goes into the inventory after the node.
fn env(tenants: &[(&str, u32)], extra: &str) -> Env {
    let c = Cluster::start("health");
    for (name, major) in tenants {
        create_tenant(&c, name, &TenantSpec::for_major(*major));
        heal(&c, name);
    }
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], extra);
    Env { c, _dir: dir, inv }
}

/// The fixture's jobs are due on 2026-12-01 and its queued mail is from
/// 2026-11-30: made current, so that a fresh tenant is healthy.
fn heal(c: &Cluster, db: &str) {
    c.sql(
        db,
        "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'utc') + interval '1 hour'; \
         UPDATE mail_mail SET create_date = now() AT TIME ZONE 'utc' WHERE state = 'outgoing'",
    );
}

impl Env {
    /// `health ARGS -o json`: exit code and document.
    fn json(&self, args: &[&str]) -> (i32, Value) {
        let out = tenantctl_on(&self.inv)
            .arg("health")
            .args(args)
            .args(["-o", "json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), v)
    }

    /// The findings of `tenant`'s check `check` (after `health ARGS`).
    fn findings(&self, tenant: &str, check: &str, args: &[&str]) -> Vec<Value> {
        let (_, v) = self.json(args);
        let t = tenant_of(&v, tenant);
        t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == check)
            .cloned()
            .collect()
    }

    fn sql(&self, db: &str, sql: &str) {
        self.c.sql(db, sql);
    }
}

fn tenant_of<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == name)
        .unwrap_or_else(|| panic!("{name} not reported: {v:#}"))
}

fn has(list: &Value, name: &str) -> bool {
    list.as_array().unwrap().iter().any(|x| x == name)
}

/// Fires (one finding of `severity`), then, after `fix`, is quiet.
fn fires_then_quiet(
    e: &Env,
    db: &str,
    check: &str,
    severity: &str,
    args: &[&str],
    fix: &str,
) -> Value {
    let f = e.findings(db, check, args);
    assert_eq!(f.len(), 1, "{check} on {db}: {f:#?}");
    assert_eq!(f[0]["severity"], severity, "{f:#?}");
    e.sql(db, fix);
    let (_, v) = e.json(args);
    let t = tenant_of(&v, db);
    assert!(has(&t["checked"], check), "{check} not checked: {t:#}");
    assert!(
        !t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["check"] == check),
        "{check} still fires after the fix: {t:#}"
    );
    f[0].clone()
}

#[test]
fn healthy_tenants_exit_0_and_versions_without_a_column_are_not_applicable() {
    let e = env(&[("t12", 12), ("t13", 13), ("t16", 16), ("t19", 19)], "");
    let (code, v) = e.json(&[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["healthy"], 4, "{v:#}");
    for t in ["t12", "t13", "t16", "t19"] {
        assert_eq!(tenant_of(&v, t)["findings"], serde_json::json!([]), "{v:#}");
    }
    // failure_count / first_failure_date came with Odoo 18: n/a before.
    assert!(has(&tenant_of(&v, "t16")["not_applicable"], "cron.failing"));
    // queue_job is not installed; no base_url pattern on the node.
    assert!(has(
        &tenant_of(&v, "t19")["not_applicable"],
        "queue_job.failed"
    ));
    assert!(has(
        &tenant_of(&v, "t19")["not_applicable"],
        "config.base_url"
    ));
    // The fixture's 19 has failure_count but not first_failure_date (as 18+
    // has both): the columns a statement needs decide, not the version.
    e.sql(
        "t19",
        "ALTER TABLE ir_cron ADD COLUMN first_failure_date timestamp",
    );
    let (_, v) = e.json(&[]);
    assert!(
        has(&tenant_of(&v, "t19")["checked"], "cron.failing"),
        "{v:#}"
    );
    assert!(has(
        &tenant_of(&v, "t19")["checked"],
        "cron.deactivated_by_odoo"
    ));
    // The table says how many are healthy; -o wide lists them.
    let out = tenantctl_on(&e.inv).args(["health"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 healthy"));
    let wide = tenantctl_on(&e.inv)
        .args(["health", "-o", "wide"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&wide.stdout);
    assert!(text.contains("t13") && text.contains("ok"), "{text}");
}

#[test]
fn scheduled_job_checks_fire_and_clear() {
    let e = env(&[("c16", 16), ("c19", 19)], "");
    e.sql(
        "c19",
        "ALTER TABLE ir_cron ADD COLUMN first_failure_date timestamp",
    );
    let now = "(now() AT TIME ZONE 'utc')";
    // One job overdue: a warning; every active job: no cron worker, critical.
    e.sql(
        "c16",
        &format!("UPDATE ir_cron SET nextcall = {now} - interval '3 days' WHERE id = 4"),
    );
    let f = fires_then_quiet(
        &e,
        "c16",
        "cron.overdue",
        "warning",
        &[],
        &format!("UPDATE ir_cron SET nextcall = {now} + interval '1 hour'"),
    );
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("nightly sales report"),
        "{f}"
    );
    e.sql(
        "c16",
        &format!("UPDATE ir_cron SET nextcall = {now} - interval '3 days'"),
    );
    fires_then_quiet(
        &e,
        "c16",
        "cron.overdue",
        "critical",
        &[],
        &format!("UPDATE ir_cron SET nextcall = {now} + interval '1 hour'"),
    );
    // Within its interval plus the grace: not overdue.
    e.sql(
        "c16",
        &format!("UPDATE ir_cron SET nextcall = {now} - interval '30 minutes' WHERE id = 3"),
    );
    assert!(e.findings("c16", "cron.overdue", &[]).is_empty());
    assert_eq!(
        e.findings("c16", "cron.overdue", &["--set", "cron_grace=1m"])
            .len(),
        1
    );
    heal(&e.c, "c16");
    // 14+: a trigger past due makes the job due whatever its nextcall.
    e.sql(
        "c16",
        "CREATE TABLE ir_cron_trigger (id serial PRIMARY KEY, cron_id integer NOT NULL REFERENCES ir_cron(id), call_at timestamp)",
    );
    e.sql("c16", &format!("INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES (4, {now} - interval '1 minute')"));
    assert!(
        e.findings("c16", "cron.overdue", &[]).is_empty(),
        "within the grace"
    );
    e.sql(
        "c16",
        &format!("UPDATE ir_cron_trigger SET call_at = {now} - interval '2 hours'"),
    );
    let f = fires_then_quiet(
        &e,
        "c16",
        "cron.overdue",
        "warning",
        &[],
        "DELETE FROM ir_cron_trigger",
    );
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("1 jobs triggered and not run"),
        "{f}"
    );

    // 18+: failing now.
    e.sql("c19", &format!("UPDATE ir_cron SET failure_count = 2, first_failure_date = {now} - interval '1 day' WHERE id = 4"));
    fires_then_quiet(
        &e,
        "c19",
        "cron.failing",
        "warning",
        &[],
        "UPDATE ir_cron SET failure_count = 0, first_failure_date = NULL",
    );
    // Switched off by Odoo after failures: counters reset, last success
    // long before the next call. Told apart from job 5 (switched off on
    // purpose, never ran) and from a job switched off by hand right after
    // a success.
    e.sql("c19", &format!(
        "UPDATE ir_cron SET active = false, lastcall = {now} - interval '9 days', nextcall = {now} + interval '1 day' WHERE id = 4; \
         UPDATE ir_cron SET active = false, lastcall = {now} - interval '2 hours', nextcall = {now} + interval '22 hours' WHERE id = 2"
    ));
    let f = fires_then_quiet(
        &e,
        "c19",
        "cron.deactivated_by_odoo",
        "critical",
        &[],
        "UPDATE ir_cron SET active = true WHERE id = 4",
    );
    assert!(f["evidence"].as_str().unwrap().contains("id 4"), "{f}");
    assert!(!f["evidence"].as_str().unwrap().contains("id 5"), "{f}");
    assert!(!f["evidence"].as_str().unwrap().contains("id 2,"), "{f}");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("UPDATE ir_cron SET active = true WHERE id IN (4)"),
        "{f}"
    );
    e.sql("c19", "UPDATE ir_cron SET active = true WHERE id = 2");

    // Held by a running worker (its row lock) for longer than the limit.
    let job = Held::new(
        &e.c,
        "c16",
        "BEGIN; SELECT id FROM ir_cron WHERE id = 3 FOR NO KEY UPDATE;",
    );
    let f = e.findings(
        "c16",
        "cron.running_long",
        &["--set", "cron_running_max=0s"],
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0]["evidence"].as_str().unwrap().contains("(id 3)"),
        "{f:#?}"
    );
    assert!(
        e.findings("c16", "cron.running_long", &[]).is_empty(),
        "1h default"
    );
    drop(job);
    assert!(e
        .findings(
            "c16",
            "cron.running_long",
            &["--set", "cron_running_max=0s"]
        )
        .is_empty());
}

#[test]
fn mail_checks_fire_and_clear_with_the_reason_escaped_in_the_table() {
    let e = env(&[("m17", 17)], "");
    let now = "(now() AT TIME ZONE 'utc')";
    e.sql("m17", &format!("UPDATE mail_mail SET create_date = {now} - interval '3 hours' WHERE state = 'outgoing'"));
    fires_then_quiet(
        &e,
        "m17",
        "mail.outgoing_stuck",
        "warning",
        &[],
        &format!("UPDATE mail_mail SET create_date = {now} WHERE state = 'outgoing'"),
    );
    // A failure reason with a terminal escape and a line break.
    e.sql(
        "m17",
        &format!(
        "INSERT INTO mail_mail (state, email_to, failure_reason, create_date, write_date) VALUES \
         ('exception', 'x@example.com', E'SMTP 550 \\x1b[31mrejected\\nsecond line', {now}, {now})"
    ),
    );
    let (code, v) = e.json(&[]);
    assert_eq!(code, 3, "{v:#}");
    let f = &tenant_of(&v, "m17")["findings"][0];
    assert_eq!(f["check"], "mail.exception");
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("SMTP 550 \u{1b}[31mrejected\nsecond line"),
        "JSON carries the text exactly: {f}"
    );
    let out = tenantctl_on(&e.inv).arg("health").output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("SMTP 550 \\x1b[31mrejected\\x0asecond line"),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "{table}");
    assert_eq!(table.lines().count(), 2, "one finding, one line: {table}");
    let quiet = tenantctl_on(&e.inv)
        .args(["health", "-q"])
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(quiet.stdout).unwrap().trim(),
        format!("n1/m17: warning mail.exception: 1 mails failed since {}; latest reason: SMTP 550 \\x1b[31mrejected\\x0asecond line",
            f["evidence"].as_str().unwrap().split("since ").nth(1).unwrap().split(';').next().unwrap())
    );
    e.sql("m17", "UPDATE mail_mail SET state = 'sent' WHERE state = 'exception' AND email_to = 'x@example.com'");
    assert_eq!(e.json(&[]).0, 0);

    e.sql("m17", "UPDATE ir_mail_server SET active = false");
    fires_then_quiet(
        &e,
        "m17",
        "mail.no_server",
        "warning",
        &[],
        "UPDATE ir_mail_server SET active = true WHERE id = 1",
    );
    // A stand-in left on a tenant that is not suspended loses every mail.
    e.sql("m17", "INSERT INTO ir_mail_server (id, name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, sequence, active) \
                  VALUES (9, 'stand-in', 'invalid', 25, 'none', 'login', 0, true)");
    let f = fires_then_quiet(
        &e,
        "m17",
        "mail.standin_left",
        "critical",
        &[],
        "UPDATE ir_mail_server SET active = false WHERE id = 9",
    );
    assert!(f["fix"].as_str().unwrap().contains("id IN (9)"), "{f}");
}

#[test]
fn module_queue_job_and_identity_checks_fire_and_clear() {
    let e = env(
        &[("p16", 16), ("p16-staging", 16)],
        "base_url = \"https://{tenant}.example.com\"\n\n[defaults.health]\ncopies = [\"*-staging\"]\nexpiration_days = 20\n",
    );
    // base_url is set on the node: the fixture's web.base.url does not match.
    for db in ["p16", "p16-staging"] {
        e.sql(db, &format!(
            "UPDATE ir_config_parameter SET value = 'https://{db}.example.com/' WHERE key = 'web.base.url'"
        ));
    }
    assert_eq!(e.json(&[]).0, 0);
    e.sql(
        "p16",
        "UPDATE ir_config_parameter SET value = 'http://localhost:8069' WHERE key = 'web.base.url'",
    );
    let f = fires_then_quiet(&e, "p16", "config.base_url", "warning", &[],
        "UPDATE ir_config_parameter SET value = 'https://p16.example.com' WHERE key = 'web.base.url'");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("'https://p16.example.com'"),
        "{f}"
    );

    e.sql("p16", "INSERT INTO ir_module_module (name, state, latest_version) VALUES ('tenant_custom', 'to install', NULL)");
    let f = fires_then_quiet(
        &e,
        "p16",
        "modules.pending",
        "critical",
        &[],
        "UPDATE ir_module_module SET state = 'installed' WHERE name = 'tenant_custom'",
    );
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("tenant_custom (to install)"),
        "{f}"
    );

    // Neutralized: a fault on p16, expected on the copy.
    for db in ["p16", "p16-staging"] {
        e.sql(db, "INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', 'true')");
    }
    assert!(e
        .findings("p16-staging", "config.neutralized", &[])
        .is_empty());
    fires_then_quiet(
        &e,
        "p16",
        "config.neutralized",
        "critical",
        &[],
        "DELETE FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
    );

    e.sql(
        "p16",
        "INSERT INTO ir_config_parameter (key, value) VALUES ('database.expiration_date', \
                  to_char(now() AT TIME ZONE 'utc' + interval '10 days', 'YYYY-MM-DD HH24:MI:SS'))",
    );
    fires_then_quiet(&e, "p16", "config.expiration", "warning", &[],
        "UPDATE ir_config_parameter SET value = to_char(now() AT TIME ZONE 'utc' + interval '300 days', 'YYYY-MM-DD HH24:MI:SS') \
         WHERE key = 'database.expiration_date'");
    assert_eq!(
        e.findings(
            "p16",
            "config.expiration",
            &["--set", "expiration_days=400"]
        )
        .len(),
        1
    );

    // queue_job: n/a until installed, then each state.
    e.sql("p16", "CREATE TABLE queue_job (id serial PRIMARY KEY, uuid varchar NOT NULL, state varchar NOT NULL, \
                  date_created timestamp, date_started timestamp, date_enqueued timestamp, date_done timestamp, eta timestamp, exc_message text)");
    let (_, v) = e.json(&[]);
    assert!(has(
        &tenant_of(&v, "p16")["not_applicable"],
        "queue_job.failed"
    ));
    e.sql("p16", "INSERT INTO ir_module_module (name, state, latest_version) VALUES ('queue_job', 'installed', '16.0.2.3.0')");
    let now = "(now() AT TIME ZONE 'utc')";
    e.sql(
        "p16",
        &format!("INSERT INTO queue_job (uuid, state, date_created) VALUES ('a', 'failed', {now})"),
    );
    fires_then_quiet(
        &e,
        "p16",
        "queue_job.failed",
        "warning",
        &[],
        "UPDATE queue_job SET state = 'done' WHERE uuid = 'a'",
    );
    e.sql("p16", &format!("INSERT INTO queue_job (uuid, state, date_created, eta) VALUES \
        ('b', 'pending', {now} - interval '3 hours', NULL), ('c', 'pending', {now} - interval '3 hours', {now} + interval '1 day')"));
    let f = fires_then_quiet(
        &e,
        "p16",
        "queue_job.pending_old",
        "warning",
        &[],
        "UPDATE queue_job SET state = 'done' WHERE uuid = 'b'",
    );
    assert!(
        f["evidence"].as_str().unwrap().starts_with("1 queue jobs"),
        "the one with a future eta waits on purpose: {f}"
    );
    e.sql("p16", &format!("INSERT INTO queue_job (uuid, state, date_created, date_started) VALUES ('d', 'started', {now} - interval '5 hours', {now} - interval '4 hours')"));
    fires_then_quiet(
        &e,
        "p16",
        "queue_job.started_stuck",
        "warning",
        &[],
        "UPDATE queue_job SET state = 'done' WHERE uuid = 'd'",
    );
}

#[test]
fn postgresql_checks_fire_and_clear() {
    let e = env(&[("g16", 16)], "");
    // Thresholds from the command line (the defaults keep the fixture quiet).
    let f = e.findings(
        "g16",
        "pg.xid_age",
        &["--set", "xid_age_warning=1", "--set", "xid_age_critical=2"],
    );
    assert_eq!(f[0]["severity"], "critical", "{f:#?}");
    assert!(
        f[0]["fix"]
            .as_str()
            .unwrap()
            .contains("vacuumdb --freeze --dbname=g16"),
        "{f:#?}"
    );
    assert!(e.findings("g16", "pg.xid_age", &[]).is_empty());

    let idle = Held::new(&e.c, "g16", "BEGIN; SELECT 1;");
    let f = e.findings(
        "g16",
        "pg.idle_in_transaction",
        &["--set", "idle_in_transaction_max=0s"],
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("health_test_holder"),
        "{f:#?}"
    );
    let f = e.findings(
        "g16",
        "pg.connections",
        &["--set", "connections_share=0.001"],
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    drop(idle);
    wait_until(|| {
        e.c.sql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'g16'",
        ) == "0"
    });
    assert!(e
        .findings(
            "g16",
            "pg.idle_in_transaction",
            &["--set", "idle_in_transaction_max=0s"]
        )
        .is_empty());
    assert!(e
        .findings(
            "g16",
            "pg.connections",
            &["--set", "connections_share=0.001"]
        )
        .is_empty());
}

#[test]
fn suspended_tenants_report_only_what_contradicts_the_suspension() {
    let e = env(&[("g16", 16), ("s16", 16), ("b16", 16)], "");
    // Not suspended, but nobody can log in.
    e.sql("g16", "UPDATE res_users SET active = false WHERE id <> 1");
    fires_then_quiet(
        &e,
        "g16",
        "suspension.drift",
        "warning",
        &[],
        "UPDATE res_users SET active = true WHERE login = 'admin'",
    );

    // Blocked by the connections layer: only PostgreSQL's figures.
    let out = tenantctl_on(&e.inv)
        .args([
            "suspend",
            "b16",
            "--reason",
            "gone",
            "--layers",
            "+connections",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, v) = e.json(&[]);
    assert_eq!(code, 0, "{v:#}");
    let b = tenant_of(&v, "b16");
    assert_eq!(
        (b["blocked"].clone(), b["suspended"].clone()),
        (Value::Bool(true), Value::Bool(true)),
        "{b:#}"
    );
    assert_eq!(
        b["checked"],
        serde_json::json!(["pg.xid_age", "pg.idle_in_transaction", "pg.connections"]),
        "{b:#}"
    );

    // Suspended by tenantctl: its jobs are off and its mail held on purpose.
    let out = tenantctl_on(&e.inv)
        .args(["suspend", "s16", "--reason", "unpaid", "--yes"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    e.sql("s16", "UPDATE ir_cron SET nextcall = '2020-01-01'");
    let (code, v) = e.json(&[]);
    assert_eq!(code, 0, "{v:#}");
    let s = tenant_of(&v, "s16");
    assert_eq!(s["suspended"], true);
    assert!(
        !has(&s["checked"], "cron.overdue") && has(&s["checked"], "suspension.drift"),
        "{s:#}"
    );
    assert!(has(&s["checked"], "pg.xid_age"), "{s:#}");
    // What contradicts it: users or jobs switched on behind its back.
    e.sql("s16", "UPDATE res_users SET active = true WHERE login = 'user1'; UPDATE ir_cron SET active = true WHERE id = 1");
    let f = fires_then_quiet(&e, "s16", "suspension.drift", "critical", &[],
        "UPDATE res_users SET active = false WHERE login = 'user1'; UPDATE ir_cron SET active = false WHERE id = 1");
    let ev = f["evidence"].as_str().unwrap();
    assert!(
        ev.contains("1 users are active") && ev.contains("1 scheduled jobs are active"),
        "{ev}"
    );
}

#[test]
fn prometheus_text_passes_promtool_and_the_textfile_is_written_whole() {
    let odd = "Ténant \"q\\\" x\nline 2";
    let e = env(&[("acme", 16), (odd, 19)], "");
    e.sql(
        "acme",
        "UPDATE ir_cron SET nextcall = '2020-01-01' WHERE id = 4",
    );
    let out = tenantctl_on(&e.inv)
        .args(["health", "-o", "prometheus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "tenantctl_health_check_status{node=\"n1\",tenant=\"acme\",check=\"cron.overdue\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("tenant=\"Ténant \\\"q\\\\\\\" x\\nline 2\",check=\"cron.overdue\"} 0"),
        "label value escaped: {text}"
    );
    assert!(
        text.contains("tenantctl_health_scrape_duration_seconds "),
        "{text}"
    );
    assert!(
        text.contains("tenantctl_health_errors{node=\"n1\"} 0"),
        "{text}"
    );
    assert!(
        !text.contains("check=\"queue_job.failed\""),
        "n/a checks are absent: {text}"
    );
    if !have_tool("promtool") {
        panic!("promtool is missing: install the Debian package prometheus (scripts/test.sh does)");
    }
    promtool(&text);
    // --textfile: the same families, written atomically, readable by all.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenantctl.prom");
    let out = tenantctl_on(&e.inv)
        .args(["health", "-q", "--textfile"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let file = std::fs::read_to_string(&path).unwrap();
    promtool(&file);
    assert!(file.contains("check=\"cron.overdue\"} 1"), "{file}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    // A node that cannot be reached: exit 1, node_up 0.
    let bad = write_inventory(
        dir.path(),
        &[],
        &format!(
            "[[node]]\nname = \"gone\"\nhost = \"127.0.0.1\"\nport = {}\n",
            crate::harness::free_port()
        ),
    );
    let out = tenantctl_on(&bad)
        .args(["health", "-o", "prometheus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("tenantctl_health_node_up{node=\"gone\"} 0"),
        "{text}"
    );
    promtool(&text);
}

#[test]
fn thresholds_are_checked_before_anything_runs() {
    let e = env(&[], "[defaults.health]\ncron_grace = \"soon\"\n");
    let out = tenantctl_on(&e.inv).arg("health").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nodes.toml:") && err.contains("health.cron_grace: invalid duration"),
        "{err}"
    );
    let e2 = env(&[], "");
    for (args, want) in [
        (vec!["health", "--set", "nope=1"], "unknown health key"),
        (
            vec!["health", "--set", "xid_age_warning=2000000000"],
            "must be below xid_age_critical",
        ),
        (
            vec!["list", "-o", "prometheus"],
            "only available for health",
        ),
        (
            vec!["health", "nosuch"],
            "no tenant \"nosuch\" on the selected nodes",
        ),
    ] {
        let out = tenantctl_on(&e2.inv).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(want),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn promtool(text: &str) {
    let mut p = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    p.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = p.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn wait_until(mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "condition never met"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A psql session that ran `sql` and stays in its transaction (a cron
/// worker running a job holds its row lock so).
struct Held {
    child: Child,
    _stdin: ChildStdin,
}

impl Held {
    fn new(c: &Cluster, db: &str, sql: &str) -> Held {
        let mut child = Command::new("psql")
            .args(["-X", "-q", "-h"])
            .arg(c.socket_dir())
            .args(["-p", &c.port().to_string(), "-U", "postgres", "-d", db])
            .env("PGAPPNAME", "health_test_holder")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{sql}").unwrap();
        stdin.flush().unwrap();
        wait_until(|| {
            c.sql(
                db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'health_test_holder' \
                 AND state = 'idle in transaction'",
            ) == "1"
        });
        Held {
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
