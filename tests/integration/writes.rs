//! `passwd`, `suspend`, `reactivate`: Odoo-exact writes checked against real
//! PostgreSQL, with passlib (Odoo's CryptContext) as the oracle for hashes.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::fixtures::{
    icp, login_possible, login_works, password_hash, signal_counters, user_states, xmlid_user,
    TenantSpec, ADMIN_PASSWORD,
};
use crate::harness::tty::Tty;
use crate::harness::{passlib_check, tenantctl, tenantctl_bin};
use crate::world::{grant_minimal, json_of, World};

// ---------------------------------------------------------------- passwd

#[test]
fn passwd_writes_a_hash_odoo_verifies_for_every_family() {
    let t = World::one_node(&[
        ("t12", TenantSpec::for_major(12)),
        ("t16", TenantSpec::for_major(16)),
        ("t17", TenantSpec::for_major(17)),
        ("t19", TenantSpec::for_major(19)),
    ]);
    for (db, major) in [("t12", 12), ("t16", 16), ("t17", 17), ("t19", 19)] {
        let before = signal_counters(&t.c, db);
        let new = format!("N3w pässword '{db}\"; --");
        let a = t
            .cmd()
            .args(["passwd", db, "--password-stdin", "-o", "json"])
            .write_stdin(format!("{new}\n"))
            .assert()
            .success();
        let v = json_of(&a);
        assert_eq!(v["outcome"], "changed");
        assert_eq!(v["login"], "admin");
        let all = String::from_utf8_lossy(&a.get_output().stdout).to_string()
            + &String::from_utf8_lossy(&a.get_output().stderr);
        assert!(
            !all.contains(&new) && !all.contains("pbkdf2"),
            "no secret in output: {all}"
        );
        let hash = password_hash(&t.c, db, "admin").unwrap();
        // 12–15: the rounds of Odoo's own hashes there (the fixture's 25000);
        // 16+: the configured 600000.
        let want = if major <= 15 { "25000" } else { "600000" };
        assert!(
            hash.starts_with(&format!("$pbkdf2-sha512${want}$")),
            "{hash}"
        );
        let verdict = passlib_check(&hash, &new, major);
        assert!(verdict.verifies, "{db}: passlib verifies the new password");
        assert!(
            !verdict.needs_update,
            "{db}: no silent rehash at the next login"
        );
        assert!(
            !passlib_check(&hash, ADMIN_PASSWORD, major).verifies,
            "{db}: the old password no longer verifies"
        );
        assert!(login_works(&t.c, db, "admin", &new, major));
        // The family's cache signal advanced, the registry signal did not.
        let after = signal_counters(&t.c, db);
        let (sig, registry) = match major {
            12..=16 => ("base_cache_signaling", "base_registry_signaling"),
            17 | 18 => ("base_cache_signaling_default", "base_registry_signaling"),
            _ => ("orm_signaling_default", "orm_signaling_registry"),
        };
        assert!(
            after[sig] > before[sig],
            "{db}: {sig} advanced: {before:?} -> {after:?}"
        );
        assert_eq!(
            after[registry], before[registry],
            "{db}: registry untouched"
        );
    }
    // The audit log has the changes, never a password or hash.
    let lines = t.audit();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["action"], "passwd");
    assert_eq!(lines[0]["outcome"], "changed");
    assert_eq!(lines[0]["login"], "admin");
    let raw =
        std::fs::read_to_string(t.dir.path().join(".local/state/tenantctl/audit.jsonl")).unwrap();
    assert!(!raw.contains("pbkdf2") && !raw.contains("N3w"));
}

#[test]
fn passwd_respects_configured_rounds_policy_and_refusals() {
    let t = World::one_node(&[(
        "acme",
        TenantSpec {
            password_policy_minlength: Some(12),
            admin_login: "boss@acme.example".into(),
            ..Default::default()
        },
    )]);
    let original = password_hash(&t.c, "acme", "boss@acme.example").unwrap();
    // Policy: minlength 12 from the tenant, equal-to-login refused; exit 2, nothing written.
    for bad in ["short-pass1", "boss@acme.example"] {
        let a = t
            .cmd()
            .args(["passwd", "acme", "--password-stdin"])
            .write_stdin(format!("{bad}\n"))
            .assert()
            .code(2);
        assert!(!String::from_utf8_lossy(&a.get_output().stderr).contains(bad));
    }
    t.cmd()
        .args(["passwd", "acme", "--password-stdin"])
        .write_stdin("\n")
        .assert()
        .code(2);
    t.cmd()
        .args(["passwd", "acme", "--login", "nobody", "--password-stdin"])
        .write_stdin("long-enough-pass\n")
        .assert()
        .code(2);
    t.cmd()
        .args([
            "passwd",
            "acme",
            "--login",
            "__system__",
            "--password-stdin",
        ])
        .write_stdin("long-enough-pass\n")
        .assert()
        .code(2);
    // No terminal and no --password-stdin/--generate.
    let a = t.cmd().args(["passwd", "acme"]).assert().code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("--password-stdin"));
    assert_eq!(
        password_hash(&t.c, "acme", "boss@acme.example").unwrap(),
        original,
        "nothing written"
    );

    // ICP password.hashing.rounds above the minimum is honoured.
    t.c.sql(
        "acme",
        "INSERT INTO ir_config_parameter (key, value) VALUES ('password.hashing.rounds', '650000')",
    );
    // --dry-run writes nothing.
    t.cmd()
        .args(["passwd", "acme", "--password-stdin", "--dry-run"])
        .write_stdin("a-long-new-password\n")
        .assert()
        .success();
    assert_eq!(
        password_hash(&t.c, "acme", "boss@acme.example").unwrap(),
        original
    );
    t.cmd()
        .args(["passwd", "acme", "--password-stdin"])
        .write_stdin("a-long-new-password\r\n")
        .assert()
        .success();
    let hash = password_hash(&t.c, "acme", "boss@acme.example").unwrap();
    assert!(hash.starts_with("$pbkdf2-sha512$650000$"), "{hash}");
    assert!(login_works(
        &t.c,
        "acme",
        "boss@acme.example",
        "a-long-new-password",
        16
    ));

    // 2FA is reported and kept.
    let a = t
        .cmd()
        .args(["passwd", "acme", "--login", "user1", "--password-stdin"])
        .write_stdin("another-long-pass\n")
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("two-factor"));
    assert_eq!(
        t.c.sql(
            "acme",
            "SELECT totp_secret IS NOT NULL FROM res_users WHERE login = 'user1'"
        ),
        "t"
    );
}

#[test]
fn passwd_generate_prints_the_password_once() {
    let t = World::one_node(&[("acme", TenantSpec::default())]);
    let a = t
        .cmd()
        .args(["passwd", "acme", "--generate", "--length", "24"])
        .assert()
        .success();
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let pw = out.trim_end_matches('\n');
    assert_eq!(out.lines().count(), 1);
    assert_eq!(pw.chars().count(), 24);
    assert!(!String::from_utf8_lossy(&a.get_output().stderr).contains(pw));
    assert!(login_works(&t.c, "acme", "admin", pw, 16));
    t.cmd()
        .args(["passwd", "acme", "--generate", "-o", "json"])
        .assert()
        .code(2);
    assert!(
        !std::fs::read_to_string(t.dir.path().join(".local/state/tenantctl/audit.jsonl"))
            .unwrap()
            .contains(pw)
    );
}

// ---------------------------------------------------------------- suspend / reactivate

#[test]
fn suspend_then_reactivate_restores_exactly_the_active_users() {
    for major in [12, 16, 17, 19] {
        let t = World::one_node(&[("acme", TenantSpec::for_major(major))]);
        let before = user_states(&t.c, "acme");
        let signals_before = signal_counters(&t.c, "acme");
        let reason = "invoice '42'; DROP TABLE res_users; --\n\"unpaid\" ✓";
        let a = t
            .cmd()
            .args(["suspend", "acme", "--reason", reason, "--yes", "-o", "json"])
            .assert()
            .success();
        let v = json_of(&a);
        assert_eq!(v["outcome"], "changed");
        let was_active: Vec<i64> = before
            .iter()
            .filter(|u| u.2 && u.0 != 1)
            .map(|u| u.0)
            .collect();
        assert_eq!(v["users"], was_active.len());
        // Nobody can log in; the record is exact; the reason is verbatim.
        for (_, login, _, _) in &before {
            assert!(
                !login_possible(&t.c, "acme", login),
                "{major}: {login} can still log in"
            );
        }
        assert_eq!(
            icp(&t.c, "acme", "tenant.suspended").as_deref(),
            Some("true")
        );
        assert_eq!(
            icp(&t.c, "acme", "tenant.suspended_reason").as_deref(),
            Some(reason)
        );
        let recorded: Vec<i64> =
            serde_json::from_str(&icp(&t.c, "acme", "tenant.suspended_user_ids").unwrap()).unwrap();
        assert_eq!(recorded, was_active);
        assert!(icp(&t.c, "acme", "tenant.suspended_by")
            .unwrap()
            .contains('@'));
        assert!(icp(&t.c, "acme", "tenant.suspended_at")
            .unwrap()
            .ends_with('Z'));
        assert_eq!(
            t.c.sql("acme", "SELECT count(*) FROM ir_config_parameter WHERE key LIKE 'tenant.%' AND (create_uid <> 1 OR write_uid <> 1 OR create_date IS NULL OR write_date IS NULL)"),
            "0",
            "create/write uid and dates filled like Odoo"
        );
        let signals_mid = signal_counters(&t.c, "acme");
        let sig = match major {
            12..=16 => "base_cache_signaling",
            17 | 18 => "base_cache_signaling_default",
            _ => "orm_signaling_stable",
        };
        assert!(
            signals_mid[sig] > signals_before[sig],
            "{major}: {sig} advanced"
        );

        // Suspend again: unchanged, the record intact.
        let a = t
            .cmd()
            .args([
                "suspend", "acme", "--reason", "again", "--yes", "-o", "json",
            ])
            .assert()
            .success();
        assert_eq!(json_of(&a)["outcome"], "unchanged");
        assert_eq!(
            icp(&t.c, "acme", "tenant.suspended_reason").as_deref(),
            Some(reason)
        );
        let recorded2: Vec<i64> =
            serde_json::from_str(&icp(&t.c, "acme", "tenant.suspended_user_ids").unwrap()).unwrap();
        assert_eq!(recorded2, was_active);

        // Reactivate: exactly the users active before; archived, templates, id 1 stay off.
        let a = t
            .cmd()
            .args(["reactivate", "acme", "--yes", "-o", "json"])
            .assert()
            .success();
        let v = json_of(&a);
        assert_eq!(v["outcome"], "changed");
        assert_eq!(v["users"], was_active.len());
        assert_eq!(
            user_states(&t.c, "acme"),
            before,
            "{major}: exactly restored"
        );
        assert!(login_works(&t.c, "acme", "admin", ADMIN_PASSWORD, major));
        assert!(
            login_possible(&t.c, "acme", "portal1"),
            "portal users come back"
        );
        assert!(
            !login_possible(&t.c, "acme", "archived1"),
            "archived stay archived"
        );
        assert_eq!(
            icp(&t.c, "acme", "tenant.suspended").as_deref(),
            Some("false")
        );
        assert_eq!(icp(&t.c, "acme", "tenant.suspended_user_ids"), None);
        assert!(icp(&t.c, "acme", "tenant.reactivated_at").is_some());
        assert!(signal_counters(&t.c, "acme")[sig] > signals_mid[sig]);

        // Reactivate again: unchanged.
        let a = t
            .cmd()
            .args(["reactivate", "acme", "--yes", "-o", "json"])
            .assert()
            .success();
        assert_eq!(json_of(&a)["outcome"], "unchanged");
        assert_eq!(user_states(&t.c, "acme"), before);

        let actions: Vec<(String, String)> = t
            .audit()
            .iter()
            .map(|l| {
                (
                    l["action"].as_str().unwrap().to_string(),
                    l["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            actions,
            [
                ("suspend", "changed"),
                ("suspend", "unchanged"),
                ("reactivate", "changed"),
                ("reactivate", "unchanged")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}

#[test]
fn users_deleted_while_suspended_are_skipped_and_reported() {
    let t = World::one_node(&[("acme", TenantSpec::default())]);
    t.cmd()
        .args(["suspend", "acme", "--reason", "unpaid", "--yes"])
        .assert()
        .success();
    let gone: i64 =
        t.c.sql("acme", "SELECT id FROM res_users WHERE login = 'user2'")
            .parse()
            .unwrap();
    t.c.sql("acme", &format!("DELETE FROM res_users_log WHERE create_uid = {gone}; DELETE FROM res_users WHERE id = {gone}"));
    let a = t
        .cmd()
        .args(["reactivate", "acme", "--yes", "-o", "json"])
        .assert()
        .success();
    let v = json_of(&a);
    assert_eq!(v["missing_users"], serde_json::json!([gone]));
    assert!(login_possible(&t.c, "acme", "user1"));
}

#[test]
fn old_agent_suspensions_need_an_explicit_restore_policy() {
    let t = World::one_node(&[(
        "old",
        TenantSpec {
            suspended_by_old_agent: true,
            ..Default::default()
        },
    )]);
    // The old agent also switched users off; make that so.
    t.c.sql("old", "UPDATE res_users SET active = false WHERE id <> 1");
    let before = user_states(&t.c, "old");
    let a = t
        .cmd()
        .args(["reactivate", "old", "--yes"])
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&a.get_output().stderr).contains("--restore-users all-internal")
    );
    assert_eq!(user_states(&t.c, "old"), before, "refusal changes nothing");
    assert_eq!(t.audit().last().unwrap()["outcome"], "refused");

    let a = t
        .cmd()
        .args([
            "reactivate",
            "old",
            "--restore-users",
            "all-internal",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let v = json_of(&a);
    assert_eq!(v["outcome"], "changed");
    let after = user_states(&t.c, "old");
    let on = |login: &str| after.iter().find(|u| u.1 == login).unwrap().2;
    assert!(
        on("admin") && on("user1") && on("archived1"),
        "all internal users"
    );
    assert!(
        !on("__system__") && !on("public") && !on("portaltemplate") && !on("default"),
        "never id 1, templates, public"
    );
    assert!(!on("portal1"), "portal users are not internal");
    assert_eq!(v["users"], after.iter().filter(|u| u.2).count());
    assert_eq!(xmlid_user(&t.c, "old", "user_root"), Some(1));
}

#[test]
fn confirmation_dry_run_and_reason_rules() {
    let t = World::one_node(&[("acme", TenantSpec::default())]);
    let before = user_states(&t.c, "acme");
    // No terminal, no --yes: exit 2, nothing changed.
    let a = t
        .cmd()
        .args(["suspend", "acme", "--reason", "unpaid"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("--yes"));
    // Dry run lists who would be switched off and changes nothing.
    let a = t
        .cmd()
        .args(["suspend", "acme", "--reason", "unpaid", "--dry-run"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        out.contains("user1")
            && out.contains("tenant.suspended_user_ids")
            && out.contains("Nothing changed"),
        "{out}"
    );
    assert!(!out.contains("__system__"));
    assert_eq!(user_states(&t.c, "acme"), before);
    assert_eq!(icp(&t.c, "acme", "tenant.suspended"), None);
    // Reasons: empty, too long, control characters.
    for bad in ["", "   ", &"x".repeat(501), "bell\u{7}"] {
        t.cmd()
            .args(["suspend", "acme", "--reason", bad, "--yes"])
            .assert()
            .code(2);
    }
    t.cmd()
        .args(["suspend", "acme", "--reason", &"é".repeat(500), "--yes"])
        .assert()
        .success();
    assert_eq!(
        icp(&t.c, "acme", "tenant.suspended_reason")
            .unwrap()
            .chars()
            .count(),
        500
    );
    assert!(t.audit().iter().all(|l| l["action"] == "suspend"));
}

#[test]
fn two_concurrent_suspends_one_changes_one_is_unchanged() {
    let t = World::one_node(&[("acme", TenantSpec::default())]);
    let before = user_states(&t.c, "acme");
    let spawn = || {
        Command::new(crate::harness::tenantctl_bin())
            .arg("-i")
            .arg(&t.inv)
            .args([
                "suspend",
                "acme",
                "--reason",
                "race",
                "--yes",
                "-o",
                "json",
                "--audit-log",
            ])
            .arg(t.dir.path().join("audit.jsonl"))
            .env("TC_TEST_PGPASSWORD", "postgres")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..5 {
        let (p1, p2) = (spawn(), spawn());
        let mut outcomes: Vec<String> = [p1, p2]
            .into_iter()
            .map(|p| {
                let o = p.wait_with_output().unwrap();
                assert!(o.status.success());
                serde_json::from_slice::<Value>(&o.stdout).unwrap()["outcome"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        outcomes.sort();
        assert_eq!(outcomes, ["changed", "unchanged"]);
        let recorded: Vec<i64> =
            serde_json::from_str(&icp(&t.c, "acme", "tenant.suspended_user_ids").unwrap()).unwrap();
        let was_active: Vec<i64> = before
            .iter()
            .filter(|u| u.2 && u.0 != 1)
            .map(|u| u.0)
            .collect();
        assert_eq!(
            recorded, was_active,
            "the record is never overwritten by an empty one"
        );
        t.cmd()
            .args(["reactivate", "acme", "--yes"])
            .assert()
            .success();
        assert_eq!(user_states(&t.c, "acme"), before);
    }
}

#[test]
fn a_backend_killed_mid_transaction_leaves_the_tenant_unchanged() {
    let t = World::one_node(&[("acme", TenantSpec::default())]);
    let before = user_states(&t.c, "acme");
    // Hold a lock that the suspension's ICP upsert needs, after its UPDATE of res_users.
    let mut holder = Command::new("psql")
        .args(["-X", "-q", "-h"])
        .arg(t.c.socket_dir())
        .args([
            "-p",
            &t.c.port().to_string(),
            "-U",
            "postgres",
            "-d",
            "acme",
        ])
        .env("PGAPPNAME", "lock_holder")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    writeln!(
        stdin,
        "BEGIN; LOCK TABLE ir_config_parameter IN SHARE MODE; SELECT pg_sleep(60);"
    )
    .unwrap();
    stdin.flush().unwrap();
    // Wait for the lock to be held.
    for _ in 0..100 {
        if t.c.sql("acme", "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'ir_config_parameter' AND l.mode = 'ShareLock' AND l.granted") == "1" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let child = Command::new(crate::harness::tenantctl_bin())
        .arg("-i")
        .arg(&t.inv)
        .args([
            "suspend",
            "acme",
            "--reason",
            "killed",
            "--yes",
            "--audit-log",
        ])
        .arg(t.dir.path().join("audit.jsonl"))
        .env("TC_TEST_PGPASSWORD", "postgres")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until tenantctl's backend waits on the lock, then kill that backend.
    let mut killed = false;
    for _ in 0..200 {
        let n = t.c.sql(
            "acme",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'tenantctl' AND wait_event_type = 'Lock'",
        );
        if n == "1" {
            killed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(killed, "tenantctl's backend was seen waiting");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nothing changed") && stderr.contains("terminating connection"),
        "{stderr}"
    );
    // End the lock holder's backend (killing psql alone would leave it asleep).
    t.c.sql("acme", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'");
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(
        user_states(&t.c, "acme"),
        before,
        "rolled back: users untouched"
    );
    assert_eq!(icp(&t.c, "acme", "tenant.suspended"), None);
    // A rerun finishes the job.
    t.cmd()
        .args(["suspend", "acme", "--reason", "killed", "--yes"])
        .assert()
        .success();
    assert_eq!(
        icp(&t.c, "acme", "tenant.suspended").as_deref(),
        Some("true")
    );
}

#[test]
fn a_role_with_only_the_documented_grants_can_do_all_three() {
    let t = World::builder()
        .node("n1")
        .tenant("acme", TenantSpec::default())
        .tenant("nova", TenantSpec::for_major(19))
        .node_key("user", "tc_ops")
        .node_key("password_env", "OPS_PW")
        .build();
    let c = &t.c;
    c.create_role("tc_ops", "ops-pass", false);
    c.sql(
        "postgres",
        "REVOKE CONNECT ON DATABASE acme, nova FROM PUBLIC",
    );
    grant_minimal(c, "acme", "tc_ops");
    grant_minimal(c, "nova", "tc_ops");
    let cmd = || {
        let mut x = t.cmd();
        x.env("OPS_PW", "ops-pass");
        x
    };
    for db in ["acme", "nova"] {
        let major = if db == "nova" { 19 } else { 16 };
        let before = user_states(c, db);
        cmd().args(["list"]).assert().success();
        cmd()
            .args(["passwd", db, "--password-stdin"])
            .write_stdin("granted-pass-1\n")
            .assert()
            .success();
        assert!(login_works(c, db, "admin", "granted-pass-1", major));
        cmd()
            .args(["suspend", db, "--reason", "grants", "--yes"])
            .assert()
            .success();
        assert!(!login_possible(c, db, "admin"));
        cmd().args(["reactivate", db, "--yes"]).assert().success();
        assert_eq!(user_states(c, db), before);
    }
    // Without UPDATE on res_users the suspension fails cleanly, nothing changed.
    c.sql("acme", "REVOKE UPDATE ON res_users FROM tc_ops");
    let a = cmd()
        .args(["suspend", "acme", "--reason", "grants", "--yes"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("permission denied"));
    assert_eq!(icp(c, "acme", "tenant.suspended").as_deref(), Some("false"));
}

#[test]
fn tenant_names_and_reasons_with_quotes_semicolons_and_unicode() {
    let name = "Ünïcode 'q\"; DROP DATABASE x; --";
    let t = World::one_node(&[(name, TenantSpec::default())]);
    let before = user_states(&t.c, name);
    let reason = "line1\nline2 ; ' \" \\ %s $1 ✓";
    t.cmd()
        .args(["suspend", name, "--reason", reason, "--yes"])
        .assert()
        .success();
    assert_eq!(
        icp(&t.c, name, "tenant.suspended_reason").as_deref(),
        Some(reason)
    );
    let out = t
        .cmd()
        .args(["list", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["tenants"][0]["tenant"], name);
    assert_eq!(v["tenants"][0]["suspended_reason"], reason);
    t.cmd()
        .args(["reactivate", &format!("n1/{name}"), "--yes"])
        .assert()
        .success();
    assert_eq!(user_states(&t.c, name), before);
    t.cmd()
        .args(["passwd", name, "--login", "user1", "--password-stdin"])
        .write_stdin("pw with ' and \"; --\n")
        .assert()
        .success();
    assert!(login_works(&t.c, name, "user1", "pw with ' and \"; --", 16));
    assert_eq!(
        tenantctl()
            .arg("--version")
            .assert()
            .success()
            .get_output()
            .status
            .code(),
        Some(0)
    );
}

/// Issue 24: a typed password the policy refuses is asked again, with the
/// reason, instead of ending the run (on a terminal: a pty).
#[test]
fn passwd_asks_again_when_a_typed_password_fails_the_policy() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = World::one_node(&[("acme", TenantSpec::for_major(16))]);
    let command = format!(
        "exec {} -i {} passwd acme",
        tenantctl_bin().display(),
        t.inv.display()
    );
    let mut tty = Tty::start(&command, t.dir.path());
    for pw in ["short", "Good-pass-1234"] {
        tty.answer_hidden("New password for admin on n1/acme", pw);
        tty.answer_hidden("Repeat it", pw);
    }
    let (code, screen) = tty.finish();
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("the new password has 5 characters")
            && screen.contains("try again (2 left)"),
        "{screen}"
    );
    let hash = password_hash(&t.c, "acme", "admin").unwrap();
    assert!(
        passlib_check(&hash, "Good-pass-1234", 16).verifies,
        "{screen}"
    );
}

/// Issue 24: the suspend prompt says what would be switched off, from the
/// dry run's plan (users, scheduled jobs, mail servers).
#[test]
fn the_suspend_prompt_counts_users_jobs_and_mail_servers() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = World::one_node(&[("acme", TenantSpec::for_major(16))]);
    let command = format!(
        "exec {} -i {} suspend acme --reason unpaid",
        tenantctl_bin().display(),
        t.inv.display()
    );
    let mut tty = Tty::start(&command, t.dir.path());
    tty.answer("[y/N]", "n");
    let (code, screen) = tty.finish();
    assert_eq!(code, Some(1), "{screen}");
    let users = t.c.sql(
        "acme",
        "SELECT count(*) FROM res_users WHERE active AND id <> 1",
    );
    let crons = t.c.sql("acme", "SELECT count(*) FROM ir_cron WHERE active");
    assert!(
        screen.contains(&format!(
            "Suspend n1/acme: switch off {users} active users, {crons} scheduled jobs"
        )),
        "{screen}"
    );
    assert!(screen.contains("aborted; nothing changed"), "{screen}");
    assert_eq!(icp(&t.c, "acme", "tenant.suspended"), None);
}
