//! Least privilege: docs/security.md's exact grants are enough for every command on
//! 12–16, 17–18 and 19+ schemas, and `check` says ok exactly when every
//! command works (column-level grants, a missing sequence USAGE...), changing
//! nothing.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::fixtures::{icp, login_works, signal_counters, user_states, TenantSpec};
use crate::harness::{quote_ident, tenantctl_with_home, Cluster, PASSWORD_ENV};
use crate::world::World;

const ROLE: &str = "tenantctl";
const ROLE_PW: &str = "least-pass";

/// The SQL block of docs/security.md's "Least privilege" section, split into the
/// statements for every version and per family ("12-16", "17-18", "19+").
fn readme_grants() -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md"))
            .unwrap();
    let section = &readme[readme.find("## Least privilege").expect("section")..];
    let block = &section[section.find("```sql\n").expect("sql block") + 7..];
    let block = &block[..block.find("```").unwrap()];
    let mut common = Vec::new();
    let mut families: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        let stmt = line.split("--").next().unwrap().trim();
        if let Some(f) = line
            .trim()
            .strip_prefix("--")
            .and_then(|c| c.split("Odoo ").nth(1))
            .filter(|f| f.starts_with(|ch: char| ch.is_ascii_digit()))
        {
            families.push((f.trim_end_matches(':').trim().to_string(), Vec::new()));
            continue;
        }
        if stmt.is_empty() {
            continue;
        }
        match families.last_mut() {
            Some((_, v)) => v.push(stmt.to_string()),
            None => common.push(stmt.to_string()),
        }
    }
    assert_eq!(families.len(), 3, "{families:?}");
    (common, families)
}

fn family_of(major: u32) -> &'static str {
    match major {
        ..=16 => "12-16",
        17 | 18 => "17-18",
        _ => "19+",
    }
}

/// Applies the documented grants (docs/security.md) for `db` (an Odoo `major` tenant).
fn grant_readme(c: &Cluster, db: &str, major: u32) {
    let (common, families) = readme_grants();
    let fam = &families
        .iter()
        .find(|(f, _)| f == family_of(major))
        .unwrap()
        .1;
    for stmt in common.iter().chain(fam) {
        let stmt = stmt.replace("\"acme\"", &quote_ident(db));
        let target = if stmt.starts_with("GRANT CONNECT") {
            "postgres"
        } else {
            db
        };
        c.sql(target, &stmt);
    }
    for stmt in health_grants() {
        // "ON public.<table> TO": applied where the tenant has the table (the
        // block says which versions and modules have which).
        let table = stmt
            .split(" ON public.")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("ON public.<table>");
        if c.sql(
            db,
            &format!("SELECT to_regclass('public.{table}') IS NOT NULL"),
        ) == "t"
        {
            c.sql(db, &stmt);
        }
    }
}

/// The second SQL block of the "Least privilege" section: `health`'s grants.
fn health_grants() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md"))
            .unwrap();
    let section = &readme[readme
        .find("`health` changes nothing")
        .expect("health grants")..];
    let block = &section[section.find("```sql\n").expect("sql block") + 7..];
    let block = &block[..block.find("```").unwrap()];
    let stmts: Vec<String> = block
        .lines()
        .map(|l| l.split("--").next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(stmts.len() >= 4, "{stmts:?}");
    stmts
}

/// tenantctl on `w`'s node as the least-privileged [`ROLE`]: (exit, stdout, stderr).
fn run(w: &World, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let r = w
        .run()
        .env(PASSWORD_ENV, ROLE_PW)
        .args(args)
        .stdin(stdin)
        .any_code()
        .run();
    (r.code, r.stdout, r.stderr)
}

/// `check`'s problems for `db`, by command name ("list", "passwd"...).
fn check_problems(w: &World, db: &str) -> (bool, Vec<String>) {
    let (_, out, err) = run(w, &["check", "-o", "json"], "");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let node = &v["nodes"][0];
    let probs: Vec<String> = node["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .filter(|p| p.contains(&format!("database {db:?}")))
        .collect();
    (node["ok"] == true, probs)
}

/// One node `n1` reached as the least-privileged [`ROLE`], with tenants of
/// `majors` (`t<major>`) and the README's grants.
fn lab(majors: &[u32]) -> World {
    let mut b = World::builder()
        .node("n1")
        .role(ROLE, ROLE_PW, "CREATEDB")
        .sql(
            "postgres",
            "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC",
        )
        .node_key("user", ROLE);
    for m in majors {
        let db = format!("t{m}");
        b = b.tenant(&db, TenantSpec::for_major(*m)).sql(
            "postgres",
            &format!(
                "REVOKE CONNECT ON DATABASE {} FROM PUBLIC",
                quote_ident(&db)
            ),
        );
    }
    let w = b.build();
    for m in majors {
        grant_readme(&w.c, &format!("t{m}"), *m);
    }
    w
}

#[test]
fn the_readme_grants_are_enough_for_every_command_and_check_changes_nothing() {
    let majors = [12, 16, 17, 19];
    let lab = lab(&majors);
    let c = &lab.c;
    // No secret column is granted (the password column is, for the rounds
    // of Odoo's own hashes, computed on the server).
    assert_eq!(
        c.sql(
            "t16",
            &format!("SELECT has_column_privilege('{ROLE}', 'public.res_users', 'totp_secret', 'SELECT')")
        ),
        "f"
    );
    let before: Vec<_> = majors
        .iter()
        .map(|m| {
            let db = format!("t{m}");
            (
                signal_counters(c, &db),
                user_states(c, &db),
                icp(c, &db, "tenant.suspended"),
            )
        })
        .collect();
    let (code, out, err) = run(&lab, &["check", "-o", "json"], "");
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nodes"][0]["ok"], true, "{out}");
    assert_eq!(v["nodes"][0]["tenants"], majors.len(), "{out}");
    let after: Vec<_> = majors
        .iter()
        .map(|m| {
            let db = format!("t{m}");
            (
                signal_counters(c, &db),
                user_states(c, &db),
                icp(c, &db, "tenant.suspended"),
            )
        })
        .collect();
    assert_eq!(before, after, "check changed something (rows or signals)");

    let (code, out, err) = run(&lab, &["list", "-o", "json"], "");
    assert_eq!(code, Some(0), "{out}{err}");
    // health reads every tenant (exit 3: the fixtures' jobs are overdue),
    // none of them "not checked".
    let (code, out, err) = run(&lab, &["health", "-o", "json"], "");
    assert!(matches!(code, Some(0 | 3)), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert_eq!(v["summary"]["errors"], 0, "{out}");
    assert_eq!(v["summary"]["tenants"], majors.len(), "{out}");
    for m in majors {
        let db = format!("t{m}");
        let (code, out, err) = run(&lab, &["show", &db, "-o", "json"], "");
        assert_eq!(code, Some(0), "{db}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        // The 2FA flag is unknown without a grant on totp_secret (14+), and
        // simply off where the column does not exist (12).
        let tf: BTreeSet<String> = v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["two_factor"].to_string())
            .collect();
        let want = if m >= 14 { "null" } else { "false" };
        assert_eq!(tf, BTreeSet::from([want.to_string()]), "{db}: {out}");

        let states = user_states(c, &db);
        let (code, _, err) = run(
            &lab,
            &["passwd", &db, "--password-stdin"],
            "least-priv-pass-1\n",
        );
        assert_eq!(code, Some(0), "{db}: {err}");
        assert!(login_works(c, &db, "admin", "least-priv-pass-1", m));
        let (code, _, err) = run(&lab, &["suspend", &db, "--reason", "least", "--yes"], "");
        assert_eq!(code, Some(0), "{db}: {err}");
        assert_eq!(icp(c, &db, "tenant.suspended").as_deref(), Some("true"));
        let (code, _, err) = run(&lab, &["reactivate", &db, "--yes"], "");
        assert_eq!(code, Some(0), "{db}: {err}");
        assert_eq!(user_states(c, &db), states, "{db}");
    }
    // bulk, over every tenant at once.
    let states: Vec<_> = majors
        .iter()
        .map(|m| user_states(c, &format!("t{m}")))
        .collect();
    let (code, _, err) = run(
        &lab,
        &[
            "bulk",
            "suspend",
            "--all-matching",
            "--reason",
            "least",
            "--yes",
        ],
        "",
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&lab, &["bulk", "reactivate", "--all-matching", "--yes"], "");
    assert_eq!(code, Some(0), "{err}");
    let after: Vec<_> = majors
        .iter()
        .map(|m| user_states(c, &format!("t{m}")))
        .collect();
    assert_eq!(states, after);
    // With the column granted, show sees the second factor (user1 has one).
    c.sql(
        "t16",
        &format!("GRANT SELECT (totp_secret) ON public.res_users TO {ROLE}"),
    );
    let (_, out, _) = run(&lab, &["show", "t16", "-o", "json"], "");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["two_factor"] == true),
        "{out}"
    );
}

/// Each grant taken away: `check` names exactly the commands that then fail
/// (reactivate: check also covers `--restore-users all-internal`, which reads
/// `res_users.share`, so it may name reactivate where the default reactivate
/// still works; that case is listed separately).
#[test]
fn check_fails_exactly_when_a_command_would() {
    let lab = lab(&[16, 19]);
    let c = &lab.c;
    // A superuser inventory, to set up and undo suspensions around the role's runs.
    let su_inv = lab.dir.path().join("su.toml");
    std::fs::write(
        &su_inv,
        format!(
            "[[node]]\nname = \"n1\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"postgres\"\npassword_env = \"TC_SU_PW\"\nsslmode = \"disable\"\n",
            c.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&su_inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let su = |args: &[&str]| {
        let out = tenantctl_with_home(lab.dir.path())
            .arg("-i")
            .arg(&su_inv)
            .env("TC_SU_PW", crate::harness::SUPERUSER_PASSWORD)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // (database, revoke, grant, commands that fail, extra commands check names)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            "t16",
            "REVOKE UPDATE (password) ON public.res_users FROM tenantctl",
            "GRANT UPDATE (password) ON public.res_users TO tenantctl",
            &["passwd"],
            &[],
        ),
        (
            "t16",
            "REVOKE USAGE ON SEQUENCE public.ir_config_parameter_id_seq FROM tenantctl",
            "GRANT USAGE ON SEQUENCE public.ir_config_parameter_id_seq TO tenantctl",
            &["suspend", "reactivate"],
            &[],
        ),
        (
            "t16",
            "REVOKE SELECT (share) ON public.res_users FROM tenantctl",
            "GRANT SELECT (share) ON public.res_users TO tenantctl",
            // suspend and reactivate count the portal users they switch.
            &["list", "show", "suspend", "reactivate"],
            &[],
        ),
        (
            "t16",
            "REVOKE SELECT (module, name, model, res_id) ON public.ir_model_data FROM tenantctl",
            "GRANT SELECT (module, name, model, res_id) ON public.ir_model_data TO tenantctl",
            &["show", "passwd", "reactivate"],
            &[],
        ),
        (
            "t16",
            "REVOKE SELECT (id, name) ON public.res_partner FROM tenantctl",
            "GRANT SELECT (id, name) ON public.res_partner TO tenantctl",
            &["show"],
            &[],
        ),
        (
            "t19",
            "REVOKE INSERT ON public.orm_signaling_default FROM tenantctl",
            "GRANT INSERT ON public.orm_signaling_default TO tenantctl",
            &["passwd"],
            &[],
        ),
    ];
    let (ok, probs) = check_problems(&lab, "t16");
    assert!(ok && probs.is_empty(), "{probs:?}");
    for (db, revoke, grant, failing, extra) in cases {
        c.sql(db, revoke);
        let (ok, probs) = check_problems(&lab, db);
        assert!(!ok, "{revoke}: check said ok");
        let flagged: BTreeSet<&str> = ["list", "show", "passwd", "suspend", "reactivate"]
            .into_iter()
            .filter(|cmd| {
                probs.iter().any(|p| {
                    p.split(": ")
                        .nth(1)
                        .is_some_and(|head| head.split(", ").any(|h| h == *cmd))
                })
            })
            .collect();
        // What really fails.
        let states = user_states(c, db);
        let mut really = BTreeSet::new();
        let (code, _, _) = run(&lab, &["list", "--match", db], "");
        if code != Some(0) {
            really.insert("list");
        }
        let (code, _, _) = run(&lab, &["show", db], "");
        if code != Some(0) {
            really.insert("show");
        }
        // A password written without its cache signal is a failure too (Odoo's
        // workers keep the old credentials).
        let (code, _, err) = run(
            &lab,
            &["passwd", db, "--password-stdin"],
            "least-priv-pass-2\n",
        );
        if code != Some(0) || err.contains("permission denied") {
            really.insert("passwd");
        }
        let (code, _, _) = run(&lab, &["suspend", db, "--reason", "x", "--yes"], "");
        if code != Some(0) {
            really.insert("suspend");
            assert_eq!(
                user_states(c, db),
                states,
                "{revoke}: a failed suspend changed users"
            );
            su(&[
                "suspend",
                db,
                "--reason",
                "set up by the superuser",
                "--yes",
            ]);
        }
        let (code, _, _) = run(&lab, &["reactivate", db, "--yes"], "");
        if code != Some(0) {
            really.insert("reactivate");
            su(&["reactivate", db, "--yes"]);
        }
        assert_eq!(user_states(c, db), states, "{revoke}: users restored");
        let want: BTreeSet<&str> = failing.iter().copied().collect();
        assert_eq!(really, want, "{revoke}: commands that fail");
        let want_flagged: BTreeSet<&str> = failing.iter().chain(extra.iter()).copied().collect();
        assert_eq!(
            flagged, want_flagged,
            "{revoke}: check's problems {probs:?}"
        );
        c.sql(db, grant);
    }
}
