//! Issue 14: `create` from a template, `duplicate`, `rename`, `drop`/`undrop`/`purge`,
//! with a real filestore directory, against real PostgreSQL; passlib checks the
//! admin password.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use serde_json::Value;

use crate::fixtures::{create_tenant, icp, password_hash, TenantSpec};
use crate::harness::{passlib_check, tenantctl_with_home, write_inventory};
use crate::world::{assert_recovered, json_of, write_files, Inventory, Run, Ssh, World, FILES};

/// A cluster with template `tmpl12` (Odoo 12 shaped: 25000 rounds, quick to hash)
/// marked IS_TEMPLATE / ALLOW_CONNECTIONS false, carrying keys a new customer must
/// not inherit, and its filestore.
fn env(extra: &str) -> World {
    World::builder()
        .node("n1")
        .tenant("tmpl12", TenantSpec::for_major(12))
        .sql(
            "tmpl12",
            "INSERT INTO ir_config_parameter (key, value) VALUES \
               ('database.enterprise_code', 'M1234'), ('database.expiration_date', '2027-01-01'), \
               ('tenant.suspended', 'false'), ('tenant.suspended_reason', 'old');",
        )
        .sql(
            "tmpl12",
            "UPDATE ir_config_parameter SET value = '2020-01-01 00:00:00' WHERE key = 'database.create_date'",
        )
        .sql(
            "postgres",
            "ALTER DATABASE tmpl12 IS_TEMPLATE true; ALTER DATABASE tmpl12 ALLOW_CONNECTIONS false",
        )
        .files("tmpl12")
        .default_key("base_url", "https://{tenant}.example.com")
        .extra(extra)
        .build()
}

/// The template's parameters (it refuses connections: look through a copy).
fn template_params(t: &World) -> BTreeMap<String, String> {
    t.c.sql("postgres", "CREATE DATABASE tmplpeek TEMPLATE tmpl12");
    let p = t.params("tmplpeek");
    t.c.sql("postgres", "DROP DATABASE tmplpeek");
    p
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Same content as the template's files, hard-linked (same inode): the temp dir
/// is one file system.
fn assert_filestore_copy(root: &Path, from: &str, to: &str) {
    for (p, body) in FILES {
        let a = root.join(from).join(p);
        let b = root.join(to).join(p);
        assert_eq!(
            std::fs::read_to_string(&b).unwrap(),
            body,
            "{}",
            b.display()
        );
        assert_eq!(
            std::fs::metadata(&a).unwrap().ino(),
            std::fs::metadata(&b).unwrap().ino(),
            "{} is a hard link of {}",
            b.display(),
            a.display()
        );
    }
}

#[test]
fn create_makes_new_identities_passwords_odoo_verifies_and_linked_filestores() {
    let t = env("");
    let tmpl = template_params(&t);
    let n = 20;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut step_secs = 0.0;
    let t0 = std::time::Instant::now();
    for i in 0..n {
        let name = format!("cust{i:02}");
        let pw = format!("S3cret-pass-{i}");
        let a = t
            .cmd()
            .args([
                "create",
                &format!("n1/{name}"),
                "--from",
                "tmpl12",
                "--admin-login",
                &format!("boss@{name}.example"),
                "--company",
                &format!("Customer {i} Ltd"),
                "--password-stdin",
                "--yes",
                "-o",
                "json",
            ])
            .write_stdin(format!("{pw}\n"))
            .assert()
            .code(0);
        let v = json_of(&a);
        assert_eq!(v["outcome"], "changed", "{v}");
        assert_eq!(v["action"], "create");
        assert_eq!(v["from"], "tmpl12");
        assert_eq!(v["filestore"], "linked");
        assert_eq!(v["login"], format!("boss@{name}.example"));
        step_secs += v["seconds"].as_f64().unwrap();
        // A new customer has no login history (the template's is not its).
        assert_eq!(t.c.sql(&name, "SELECT count(*) FROM res_users_log"), "0");
        let p = t.params(&name);
        for k in ["database.secret", "database.uuid", "database.create_date"] {
            assert_ne!(p.get(k), tmpl.get(k), "{name}: {k} regenerated");
        }
        assert_eq!(p["database.secret"].len(), 36);
        seen.push((p["database.secret"].clone(), p["database.uuid"].clone()));
        assert_eq!(
            p["web.base.url"],
            format!("https://{name}.example.com"),
            "{name}"
        );
        assert_eq!(p["web.base.url.freeze"], "True");
        for gone in [
            "database.enterprise_code",
            "database.expiration_date",
            "tenant.suspended",
            "tenant.suspended_reason",
        ] {
            assert!(!p.contains_key(gone), "{name}: {gone} removed");
        }
        assert_eq!(
            t.c.sql(&name, "SELECT c.name || '|' || p.name FROM res_company c JOIN res_partner p ON p.id = c.partner_id JOIN res_users u ON u.company_id = c.id WHERE u.login LIKE 'boss@%'"),
            format!("Customer {i} Ltd|Customer {i} Ltd")
        );
        if i < 3 {
            let hash = password_hash(&t.c, &name, &format!("boss@{name}.example")).unwrap();
            assert!(hash.starts_with("$pbkdf2-sha512$25000$"), "{hash}");
            let verdict = passlib_check(&hash, &pw, 12);
            assert!(verdict.verifies && !verdict.needs_update, "{verdict:?}");
        }
        assert_filestore_copy(&t.fs, "tmpl12", &name);
        // Connectable like any tenant, not a template.
        assert_eq!(
            t.c.sql("postgres", &format!("SELECT datallowconn::text || datistemplate::text FROM pg_database WHERE datname = '{name}'")),
            "truefalse"
        );
    }
    let secs = t0.elapsed().as_secs_f64();
    // Side by side: the bare CREATE DATABASE ... TEMPLATE plus `cp -al`.
    let tb = std::time::Instant::now();
    for i in 0..5 {
        t.c.sql(
            "postgres",
            &format!("CREATE DATABASE bare{i} TEMPLATE tmpl12"),
        );
        std::process::Command::new("cp")
            .arg("-al")
            .arg(t.fs.join("tmpl12"))
            .arg(t.fs.join(format!("bare{i}")))
            .status()
            .unwrap();
    }
    let bare = tb.elapsed().as_secs_f64() / 5.0;
    eprintln!(
        "MEASURE {n} creations in {secs:.2}s ({:.3}s each, whole process); bare CREATE DATABASE + cp -al {bare:.3}s; steps inside tenantctl (mean) {:.3}s",
        secs / n as f64,
        step_secs / n as f64
    );
    for i in 0..5 {
        t.c.sql("postgres", &format!("DROP DATABASE bare{i}"));
        std::fs::remove_dir_all(t.fs.join(format!("bare{i}"))).unwrap();
    }
    let mut uniq = seen.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), n, "every creation has its own secret and uuid");
    let secrets: std::collections::HashSet<_> = seen.iter().map(|s| &s.0).collect();
    let uuids: std::collections::HashSet<_> = seen.iter().map(|s| &s.1).collect();
    assert_eq!((secrets.len(), uuids.len()), (n, n));

    // `list` shows the new tenants (and not the template).
    let a = t.cmd().args(["list", "-o", "json"]).assert().success();
    let listed = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        listed.contains("\"cust00\"") && listed.contains("\"cust19\""),
        "{listed}"
    );
    assert!(!listed.contains("\"tmpl12\""), "{listed}");

    // One audit line per creation.
    let audit = t.audit();
    assert_eq!(
        audit
            .iter()
            .filter(|l| l["action"] == "create" && l["outcome"] == "changed")
            .count(),
        n
    );

    // --generate prints the password alone on stdout.
    let a = t
        .cmd()
        .args([
            "create",
            "n1/gen1",
            "--from",
            "tmpl12",
            "--generate",
            "--yes",
        ])
        .assert()
        .code(0);
    let pw = String::from_utf8_lossy(&a.get_output().stdout)
        .trim()
        .to_string();
    assert_eq!(pw.len(), 20, "{pw}");
    let hash = password_hash(&t.c, "gen1", "admin").unwrap();
    assert!(passlib_check(&hash, &pw, 12).verifies);

    // Dry run: the plan, nothing made.
    let before = t.dbs();
    let a = t
        .cmd()
        .args([
            "create",
            "n1/dry1",
            "--from",
            "tmpl12",
            "--generate",
            "--dry-run",
        ])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        out.contains("CREATE DATABASE dry1 TEMPLATE tmpl12"),
        "{out}"
    );
    assert_eq!(t.dbs(), before);
    assert!(!t.fs.join("dry1").exists());
}

#[test]
fn refusals_exit_2_and_change_nothing() {
    let t = env("");
    create_tenant(&t.c, "busy", &TenantSpec::for_major(12));
    create_tenant(&t.c, "taken", &TenantSpec::for_major(12));
    let before_dbs = t.dbs();
    let before_fs = t.fs_entries();
    let check = |args: &[&str], needle: &str| {
        let a = t
            .cmd()
            .args(args)
            .write_stdin("Pass-word-123\n")
            .assert()
            .code(2);
        let err = stderr(&a);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(t.dbs(), before_dbs, "{args:?}");
        assert_eq!(t.fs_entries(), before_fs, "{args:?}");
    };
    let create = |name: &str, from: &str| -> Vec<String> {
        ["create", name, "--from", from, "--password-stdin", "--yes"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let v = create("n1/taken", "tmpl12");
    check(&v.iter().map(String::as_str).collect::<Vec<_>>(), "exists");
    let v = create("n1/-bad name", "tmpl12");
    check(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "not a valid Odoo database name",
    );
    let long = format!("n1/{}", "x".repeat(64));
    let v = create(&long, "tmpl12");
    check(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "at most 63",
    );
    let v = create("n1/new1", "nosuchtemplate");
    check(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "does not exist",
    );
    // A filestore directory already there for the new name.
    std::fs::create_dir_all(t.fs.join("stale")).unwrap();
    let before_fs2 = t.fs_entries();
    let a = t
        .cmd()
        .args(create("n1/stale", "tmpl12"))
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(2);
    assert!(stderr(&a).contains("filestore directory"), "{}", stderr(&a));
    assert_eq!(t.fs_entries(), before_fs2);
    std::fs::remove_dir(t.fs.join("stale")).unwrap();

    // A template with an open connection: refused without --force...
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _ = t.c.try_sql("busy", "SELECT pg_sleep(8)");
        });
        let t_wait = std::time::Instant::now();
        while t.c.connections_to("busy") < 1 && t_wait.elapsed().as_secs() < 5 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let v = create("n1/fromlive", "busy");
        check(
            &v.iter().map(String::as_str).collect::<Vec<_>>(),
            "open connections",
        );
        // ...and --force ends them, as Odoo's duplicate does.
        let mut v = create("n1/fromlive", "busy");
        v.push("--force".into());
        t.cmd()
            .args(&v)
            .write_stdin("Pass-word-123\n")
            .assert()
            .code(0);
        assert!(t.c.db_exists("fromlive"));
    });
    t.c.sql("postgres", "DROP DATABASE fromlive");
    std::fs::remove_dir_all(t.fs.join("fromlive")).ok();

    // No filestore setting: refused naming the key, unless --no-filestore.
    std::fs::create_dir_all(t.dir.path().join("bare")).unwrap();
    let bare = write_inventory(&t.dir.path().join("bare"), &[("n1", &t.c)], "");
    let a = t
        .cmd_inv(&bare)
        .args(create("n1/nofs", "tmpl12"))
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(2);
    assert!(stderr(&a).contains("`filestore`"), "{}", stderr(&a));
    assert_eq!(t.dbs(), before_dbs);
    let mut v = create("n1/nofs", "tmpl12");
    v.push("--no-filestore".into());
    t.cmd_inv(&bare)
        .args(&v)
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(0);
    assert!(t.c.db_exists("nofs"));
    assert!(!t.fs.join("nofs").exists());
    t.c.sql("postgres", "DROP DATABASE nofs");

    // drop of a tenant that is not suspended; rename onto a taken name.
    check(&["drop", "busy", "--yes"], "not suspended");
    check(&["rename", "busy", "taken", "--yes"], "exists");
    check(
        &["rename", "busy", "bad name", "--yes"],
        "not a valid Odoo database name",
    );
    check(&["duplicate", "busy", "taken", "--yes"], "exists");
    // Refusals are audited.
    assert!(t
        .audit()
        .iter()
        .any(|l| l["outcome"] == "refused" && l["action"] == "drop"));
}

#[test]
fn a_failure_or_ctrl_c_at_a_step_leaves_nothing_behind() {
    let t = env("");
    let before_dbs = t.dbs();
    let before_fs = t.fs_entries();
    // The identity step fails: the admin login is another user's (unique login).
    let a = t
        .cmd()
        .args([
            "create",
            "n1/fail1",
            "--from",
            "tmpl12",
            "--admin-login",
            "user1",
            "--password-stdin",
            "--yes",
            "-o",
            "json",
        ])
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(1);
    let v = json_of(&a);
    assert_eq!(v["outcome"], "failed", "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("nothing changed"),
        "{v}"
    );
    assert_eq!(t.dbs(), before_dbs);
    assert_eq!(t.fs_entries(), before_fs);

    // The filestore step fails after the copy (its owner does not exist).
    let bad_owner = t.dir.path().join("owner.toml");
    std::fs::write(
        &bad_owner,
        std::fs::read_to_string(&t.inv).unwrap().replacen(
            "[defaults]\n",
            "[defaults]\nfilestore_owner = \"no-such-user-tc\"\n",
            1,
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &bad_owner,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let a = t
        .cmd_inv(&bad_owner)
        .args([
            "create",
            "n1/fail2",
            "--from",
            "tmpl12",
            "--password-stdin",
            "--yes",
        ])
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(1);
    assert!(stderr(&a).contains("filestore"), "{}", stderr(&a));
    assert_eq!(t.dbs(), before_dbs);
    assert_eq!(t.fs_entries(), before_fs);

    // Ctrl-C before each step: everything done so far is undone, exit 130.
    // (The filestore is copied during the identity step.)
    for step in ["database", "mark", "identity", "rename", "done"] {
        let (code, rest) = interrupt_at(&t, step, libc::SIGINT, "intr");
        assert_eq!(code, Some(130), "step {step}: {rest}");
        assert_eq!(t.dbs(), before_dbs, "step {step}: {rest}");
        assert_eq!(t.fs_entries(), before_fs, "step {step}: {rest}");
    }

    // kill -9 at each step: only a staging name can be left (never NAME
    // half-made), and the next create on the node removes it. "mark" is
    // between CREATE DATABASE and its comment: the database carries no
    // record yet, only the local one written before the CREATE.
    let records = t.dir.path().join(".local/state/tenantctl/building");
    for step in ["mark", "identity", "rename"] {
        let (code, rest) = interrupt_at(&t, step, libc::SIGKILL, "killed");
        assert_eq!(code, None, "step {step}: {rest}");
        assert!(
            !t.c.db_exists("killed"),
            "step {step}: never half-made under its name"
        );
        let left: Vec<String> = t
            .dbs()
            .into_iter()
            .filter(|d| !before_dbs.contains(d))
            .collect();
        assert!(
            left.iter().all(|d| d.starts_with("killed.creating-")),
            "{left:?}"
        );
        if step == "mark" {
            assert_eq!(left.len(), 1, "step {step}: {rest}");
            let comment = t.c.column(
                "postgres",
                &format!(
                    "SELECT coalesce(shobj_description(oid, 'pg_database'), '-') FROM pg_database WHERE datname = '{}'",
                    left[0]
                ),
            );
            assert_eq!(comment, vec!["-".to_string()], "unmarked at this step");
            assert_eq!(
                std::fs::read_dir(&records).unwrap().count(),
                1,
                "the local record is there"
            );
        }
        // `check` names what the killed run left.
        let a = t.cmd().args(["check", "-o", "json"]).assert();
        let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
        for d in &left {
            assert!(
                out.contains(&format!(
                    "database \\\"{d}\\\" was left by a tenantctl run that was killed"
                )),
                "step {step}: {out}"
            );
        }
        let v = create_json(&t, "n1/killed");
        if !left.is_empty() {
            assert!(v["warnings"].to_string().contains("killed"), "{v}");
            // Audited: the staging database removed, by the create.
            let rec = t.recovered();
            let last = rec.last().expect("a recover entry");
            assert_recovered(last, "create");
            assert_eq!(last["tenant"], "killed", "{last}");
            assert!(
                last["reason"]
                    .to_string()
                    .contains(&format!("removed the staging database {}", left[0])),
                "step {step}: {last}"
            );
        }
        let mut want = before_dbs.clone();
        want.push("killed".into());
        want.sort();
        assert_eq!(t.dbs(), want, "step {step}");
        let mut want_fs = before_fs.clone();
        want_fs.push("killed".into());
        want_fs.sort();
        assert_eq!(t.fs_entries(), want_fs, "step {step}");
        t.c.sql("postgres", "DROP DATABASE killed");
        std::fs::remove_dir_all(t.fs.join("killed")).unwrap();
        assert_eq!(
            std::fs::read_dir(&records).unwrap().count(),
            0,
            "step {step}: no local record is left"
        );
    }

    // A database named like a build but with no record (another user's or
    // host's run, or someone else's): warned about, never dropped.
    t.c.sql("postgres", "CREATE DATABASE \"other.creating-0123abcd\"");
    let v = create_json(&t, "n1/after");
    assert!(
        v["warnings"]
            .to_string()
            .contains("other.creating-0123abcd")
            && v["warnings"].to_string().contains("no record"),
        "{v}"
    );
    assert!(t.c.db_exists("other.creating-0123abcd"));
    t.c.sql("postgres", "DROP DATABASE \"other.creating-0123abcd\"");
    t.c.sql("postgres", "DROP DATABASE after");
    std::fs::remove_dir_all(t.fs.join("after")).unwrap();
}

/// `create SPEC --from tmpl12` with a password, `-o json`, exit 0: its JSON.
fn create_json(t: &World, spec: &str) -> Value {
    create_json_with(t.run(), spec)
}

/// [`create_json`] run by `cmd` (another inventory).
fn create_json_with(run: Run, spec: &str) -> Value {
    run.args([
        "create",
        spec,
        "--from",
        "tmpl12",
        "--password-stdin",
        "--yes",
    ])
    .args(["-o", "json"])
    .stdin("Pass-word-123\n")
    .run()
    .json()
}

/// Runs `create n1/<name>` paused before `step`, sends `sig` there; the exit
/// code and stderr.
fn interrupt_at(t: &World, step: &str, sig: i32, name: &str) -> (Option<i32>, String) {
    crate::harness::interrupt_at(
        t.dir.path(),
        &t.inv,
        &[
            "create",
            &format!("n1/{name}"),
            "--from",
            "tmpl12",
            "--password-stdin",
            "--yes",
        ],
        b"Pass-word-123\n",
        step,
        sig,
    )
}

/// rename, drop, undrop rename the database, then its filestore directory;
/// purge drops the database, then removes the directory. A kill -9 between
/// the two leaves a tenant without its attachments (or an orphan
/// directory): the next lifecycle command on the node finishes the step
/// from the local record written before the first one, and says so.
#[test]
fn a_kill_between_a_database_and_its_filestore_is_finished_by_the_next_run() {
    let t = env("");
    create_tenant(&t.c, "movco", &TenantSpec::for_major(16));
    write_files(&t.fs.join("movco"));
    let records = t.dir.path().join(".local/state/tenantctl/building");
    let mut n = 0;
    // Kills `args` before its filestore step; the next run (a create on the
    // node) finishes it: its warning, no record left.
    let mut killed_then_finished = |args: &[&str], want: &str| {
        let (code, rest) = crate::harness::interrupt_at(
            t.dir.path(),
            &t.inv,
            args,
            b"",
            "filestore",
            libc::SIGKILL,
        );
        assert_eq!(code, None, "{args:?}: {rest}");
        assert_eq!(
            std::fs::read_dir(&records).unwrap().count(),
            1,
            "{args:?}: the record"
        );
        let a = t.cmd().args(["check", "-o", "json"]).assert();
        let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
        assert!(
            out.contains("was killed between") && out.contains("the next create"),
            "{args:?}: {out}"
        );
        n += 1;
        let v = create_json(&t, &format!("n1/next{n}"));
        assert!(v["warnings"].to_string().contains(want), "{args:?}: {v}");
        // Audited, one entry each: by the create, on the moved database.
        let rec = t.recovered();
        assert_eq!(rec.len(), n, "{args:?}: {rec:?}");
        assert_recovered(&rec[n - 1], "create");
        assert!(
            rec[n - 1]["tenant"].as_str().unwrap().starts_with("mov2")
                && rec[n - 1]["reason"].to_string().contains(want),
            "{args:?}: {}",
            rec[n - 1]
        );
        assert_eq!(std::fs::read_dir(&records).unwrap().count(), 0, "{args:?}");
        let a = t.cmd().args(["check", "-o", "json"]).assert();
        let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
        assert!(!out.contains("was killed"), "{args:?}: {out}");
    };
    let has_files = |db: &str| {
        std::fs::read_to_string(t.fs.join(db).join(FILES[0].0)).ok() == Some(FILES[0].1.to_string())
    };

    killed_then_finished(&["rename", "movco", "mov2", "--yes"], "moved the filestore");
    assert!(t.c.db_exists("mov2") && !t.c.db_exists("movco"));
    assert!(has_files("mov2") && !t.fs.join("movco").exists());

    t.cmd()
        .args(["suspend", "mov2", "--reason", "closing", "--yes"])
        .assert()
        .code(0);
    killed_then_finished(&["drop", "mov2", "--yes"], "moved the filestore");
    let gone: Vec<String> = t
        .dbs()
        .into_iter()
        .filter(|d| d.starts_with("mov2.dropped-"))
        .collect();
    assert_eq!(gone.len(), 1, "{:?}", t.dbs());
    assert!(has_files(&gone[0]) && !t.fs.join("mov2").exists());

    killed_then_finished(&["undrop", "mov2", "--yes"], "moved the filestore");
    assert!(t.c.db_exists("mov2") && !t.c.db_exists(&gone[0]));
    assert!(has_files("mov2") && !t.fs.join(&gone[0]).exists());

    // A later drop stamp than the first drop's (a clock the test sets, debug builds).
    t.cmd()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "5")
        .args(["drop", "mov2", "--yes"])
        .assert()
        .code(0);
    let gone: Vec<String> = t
        .dbs()
        .into_iter()
        .filter(|d| d.starts_with("mov2.dropped-"))
        .collect();
    killed_then_finished(
        &["purge", "mov2", "--now", "--yes"],
        "removed the filestore",
    );
    assert!(!t.c.db_exists(&gone[0]) && !t.fs.join(&gone[0]).exists());
    assert!(!t.fs_entries().iter().any(|e| e.starts_with("mov")));
}

#[test]
fn duplicate_with_and_without_neutralize() {
    let t = env("");
    create_tenant(&t.c, "acme", &TenantSpec::for_major(16));
    t.c.sql("acme", "INSERT INTO ir_config_parameter (key, value) VALUES ('database.enterprise_code', 'E1'), ('tenant.suspended_reason', 'x')");
    write_files(&t.fs.join("acme"));
    let src = t.params("acme");

    let a = t
        .cmd()
        .args(["duplicate", "acme", "acme-copy", "--yes", "-o", "json"])
        .assert()
        .code(0);
    let v = json_of(&a);
    assert_eq!(v["outcome"], "changed", "{v}");
    let p = t.params("acme-copy");
    for k in ["database.secret", "database.uuid"] {
        assert_ne!(p[k], src[k]);
    }
    // A copy keeps the subscription, not tenantctl's records.
    assert_eq!(p["database.enterprise_code"], "E1");
    // A copy of the same customer keeps its login history.
    assert_eq!(
        t.c.sql("acme-copy", "SELECT count(*) FROM res_users_log"),
        t.c.sql("acme", "SELECT count(*) FROM res_users_log")
    );
    assert_ne!(t.c.sql("acme", "SELECT count(*) FROM res_users_log"), "0");
    assert!(!p.contains_key("tenant.suspended_reason"));
    assert_eq!(p["web.base.url"], "https://acme-copy.example.com");
    assert!(!p.contains_key("database.is_neutralized"));
    // The fixture's jobs (odoo-facts §8): 4 of 5 on; 1 of 2 mail servers on.
    assert_eq!(
        t.c.sql("acme-copy", "SELECT count(*) FROM ir_cron WHERE active"),
        "4"
    );
    assert_filestore_copy(&t.fs, "acme", "acme-copy");

    let a = t
        .cmd()
        .args([
            "duplicate",
            "n1/acme",
            "acme-staging",
            "--neutralize",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .code(0);
    let v = json_of(&a);
    assert_eq!(v["outcome"], "changed", "{v}");
    let s = "acme-staging";
    assert_eq!(
        icp(&t.c, s, "database.is_neutralized").as_deref(),
        Some("true")
    );
    assert_eq!(
        t.c.sql(
            s,
            "SELECT string_agg(cron_name, ',' ORDER BY id) FROM ir_cron WHERE active"
        ),
        "Base: Auto-vacuum internal data"
    );
    assert_eq!(
        t.c.sql(
            s,
            "SELECT string_agg(smtp_host, ',' ORDER BY id) FROM ir_mail_server WHERE active"
        ),
        "invalid"
    );
    assert_eq!(
        t.c.sql(s, "SELECT count(*) FROM ir_mail_server WHERE NOT active"),
        "2"
    );
    assert_eq!(
        t.c.sql(s, "SELECT count(*) FROM fetchmail_server WHERE active"),
        "0"
    );
    // The source is untouched.
    assert_eq!(
        t.c.sql("acme", "SELECT count(*) FROM ir_cron WHERE active"),
        "4"
    );
    assert_eq!(t.params("acme"), src);
    assert_filestore_copy(&t.fs, "acme", s);
}

/// Odoo's neutralization runs the `data/neutralize.sql` of every installed
/// module (odoo-facts §7): the banner and ribbon views on, payment providers
/// and carriers out of production, the website's domain gone, per version;
/// modules that are not installed are left alone, and a tenant without a
/// module's tables still neutralizes.
#[test]
fn duplicate_neutralizes_installed_modules_as_odoo() {
    use crate::fixtures::{
        CARRIER_API, CARRIER_FIXED, PROVIDER_DEMO, PROVIDER_OFF, PROVIDER_STRIPE, PROVIDER_WIRE,
        VIEW_BANNER, VIEW_LAYOUT, VIEW_RIBBON,
    };
    let t = env("");
    for major in [16, 19] {
        let src = format!("shop{major}");
        let copy = format!("shop{major}-staging");
        create_tenant(
            &t.c,
            &src,
            &TenantSpec {
                shop_modules: true,
                ..TenantSpec::for_major(major)
            },
        );
        let q = |db: &str, sql: &str| t.c.sql(db, sql);
        let state = |db: &str| {
            (
                q(db, "SELECT string_agg(id || '=' || active, ',' ORDER BY id) FROM ir_ui_view"),
                q(db, "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM payment_provider"),
                q(db, "SELECT string_agg(id || '=' || prod_environment || '/' || active, ',' ORDER BY id) FROM delivery_carrier"),
            )
        };
        let before = state(&src);

        // The dry run names the modules and changes nothing.
        let a = t
            .cmd()
            .args([
                "duplicate",
                &src,
                &copy,
                "--neutralize",
                "--dry-run",
                "-o",
                "json",
            ])
            .assert()
            .code(0);
        let v = json_of(&a);
        assert_eq!(v["outcome"], "would-change", "{v}");
        assert_eq!(
            v["neutralized_modules"],
            serde_json::json!(["base", "delivery", "mail", "payment", "web", "website"]),
            "{v}"
        );
        let a = t
            .cmd()
            .args(["duplicate", &src, &copy, "--neutralize", "--dry-run"])
            .assert()
            .code(0);
        let out = String::from_utf8_lossy(&a.get_output().stdout).to_string()
            + &String::from_utf8_lossy(&a.get_output().stderr);
        assert!(
            out.contains(&format!(
                "neutralize as Odoo {major} does, the data/neutralize.sql of the installed modules: base, delivery, mail, payment, web, website"
            )),
            "{out}"
        );
        assert_eq!(
            q(
                "postgres",
                &format!("SELECT count(*) FROM pg_database WHERE datname = '{copy}'")
            ),
            "0"
        );

        let a = t
            .cmd()
            .args([
                "duplicate",
                &src,
                &copy,
                "--neutralize",
                "--yes",
                "-o",
                "json",
            ])
            .assert()
            .code(0);
        let v = json_of(&a);
        assert_eq!(v["outcome"], "changed", "{v}");
        assert_eq!(
            v["neutralized_modules"],
            serde_json::json!(["base", "delivery", "mail", "payment", "web", "website"]),
            "{v}"
        );
        let c = copy.as_str();
        // web: the "This database is neutralized" banner; website: its ribbon.
        assert_eq!(
            q(
                c,
                "SELECT string_agg(id || '=' || active, ',' ORDER BY id) FROM ir_ui_view"
            ),
            format!("{VIEW_LAYOUT}=true,{VIEW_BANNER}=true,{VIEW_RIBBON}=true")
        );
        // payment: every provider not in test is disabled.
        assert_eq!(
            q(c, "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM payment_provider"),
            format!(
                "{PROVIDER_STRIPE}=disabled,{PROVIDER_WIRE}=disabled,{PROVIDER_DEMO}=test,{PROVIDER_OFF}=disabled"
            )
        );
        // delivery: out of production; 16 archives every carrier, 17+ only
        // those of a carrier API.
        let fixed_active = if major == 16 { "false" } else { "true" };
        assert_eq!(
            q(c, "SELECT string_agg(id || '=' || prod_environment || '/' || active, ',' ORDER BY id) FROM delivery_carrier"),
            format!("{CARRIER_FIXED}=false/{fixed_active},{CARRIER_API}=false/false")
        );
        // website: no domain; 17+ also no CDN and robots.txt disallows all.
        assert_eq!(q(c, "SELECT coalesce(domain, 'NULL') FROM website"), "NULL");
        let (cdn, robots) = if major == 16 {
            ("true", "User-agent: *")
        } else {
            ("false", "User-agent: *\nDisallow: /")
        };
        assert_eq!(q(c, "SELECT cdn_activated::text FROM website"), cdn);
        assert_eq!(q(c, "SELECT robots_txt FROM website"), robots);
        // mail: templates no longer force a mail server.
        assert_eq!(
            q(
                c,
                "SELECT count(*) FROM mail_template WHERE mail_server_id IS NOT NULL"
            ),
            "0"
        );
        // auth_oauth is not installed: its statement does not run.
        assert_eq!(
            q(c, "SELECT enabled::text FROM auth_oauth_provider"),
            "true"
        );
        // base's part as before.
        assert_eq!(
            icp(&t.c, c, "database.is_neutralized").as_deref(),
            Some("true")
        );
        // The source is untouched.
        assert_eq!(state(&src), before);
        assert_eq!(
            q(&src, "SELECT domain FROM website"),
            "https://shop.tenant.example"
        );
    }

    // A tenant whose installed web and mail have no tables here (the plain
    // fixture) still neutralizes, saying what was skipped.
    create_tenant(&t.c, "bare19", &TenantSpec::for_major(19));
    let a = t
        .cmd()
        .args([
            "duplicate",
            "bare19",
            "bare19-staging",
            "--neutralize",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .code(0);
    let v = json_of(&a);
    assert_eq!(v["outcome"], "changed", "{v}");
    assert_eq!(
        v["neutralized_modules"],
        serde_json::json!(["base", "mail"]),
        "{v}"
    );
    let lines = v["neutralized"].to_string();
    assert!(
        lines.contains("web: one statement skipped, no table ir_ui_view (module data absent)"),
        "{lines}"
    );
    assert_eq!(
        icp(&t.c, "bare19-staging", "database.is_neutralized").as_deref(),
        Some("true")
    );

    // The guard covers the tables of the modules' statements: a trigger on
    // payment_provider refuses the neutralized copy (nothing left behind),
    // not a plain one.
    t.c.sql(
        "shop19",
        "CREATE FUNCTION public.zz_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER zz_noop BEFORE UPDATE ON public.payment_provider FOR EACH ROW EXECUTE FUNCTION public.zz_noop();",
    );
    let a = t
        .cmd()
        .args([
            "duplicate",
            "shop19",
            "shop19-b",
            "--neutralize",
            "--yes",
            "-o",
            "json",
        ])
        .assert();
    let v = json_of(&a);
    assert_eq!(v["outcome"], "refused", "{v}");
    assert!(
        v.to_string()
            .contains("trigger zz_noop on payment_provider"),
        "{v}"
    );
    assert_eq!(
        t.c.sql(
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop19-b%'"
        ),
        "0"
    );
    t.cmd()
        .args(["duplicate", "shop19", "shop19-c", "--yes", "-o", "json"])
        .assert()
        .code(0);
}

#[test]
fn rename_drop_undrop_purge_with_filestore() {
    let t = env("");
    create_tenant(&t.c, "oldco", &TenantSpec::for_major(12));
    write_files(&t.fs.join("oldco"));
    t.c.sql(
        "oldco",
        "UPDATE ir_config_parameter SET value = 'https://oldco.example.com' WHERE key = 'web.base.url'",
    );
    t.cmd()
        .args(["rename", "oldco", "newco", "--yes"])
        .assert()
        .code(0);
    assert!(!t.c.db_exists("oldco") && t.c.db_exists("newco"));
    assert!(!t.fs.join("oldco").exists());
    assert_eq!(
        std::fs::read_to_string(t.fs.join("newco").join(FILES[0].0)).unwrap(),
        FILES[0].1
    );
    assert_eq!(
        icp(&t.c, "newco", "web.base.url").as_deref(),
        Some("https://newco.example.com")
    );

    // drop needs a suspended tenant.
    t.cmd()
        .args(["suspend", "newco", "--reason", "closing", "--yes"])
        .assert()
        .code(0);
    let a = t
        .cmd()
        .args(["drop", "newco", "--yes", "-o", "json"])
        .assert()
        .code(0);
    let v = json_of(&a);
    let gone = v["dropped_name"].as_str().unwrap().to_string();
    assert!(
        gone.starts_with("newco.dropped-") && gone.ends_with('Z') && gone.len() == 5 + 25,
        "{gone}"
    );
    assert!(!t.c.db_exists("newco"));
    assert_eq!(
        t.c.sql(
            "postgres",
            &format!("SELECT datallowconn FROM pg_database WHERE datname = '{gone}'")
        ),
        "f"
    );
    assert!(t.fs.join(&gone).join(FILES[0].0).exists() && !t.fs.join("newco").exists());
    // Not listed as a tenant; listed as dropped.
    let a = t.cmd().args(["list", "-o", "json"]).assert().success();
    assert!(!String::from_utf8_lossy(&a.get_output().stdout).contains("newco"));
    let a = t
        .cmd()
        .args(["list", "--dropped", "-o", "json"])
        .assert()
        .success();
    let v = json_of(&a);
    assert_eq!(v[0]["tenant"], "newco");
    assert_eq!(v[0]["database"], gone.as_str());
    assert_eq!(v[0]["purgeable"], false);

    // undrop restores it, filestore and all (still suspended).
    t.cmd().args(["undrop", "newco", "--yes"]).assert().code(0);
    assert!(t.c.db_exists("newco") && !t.c.db_exists(&gone));
    assert!(t.fs.join("newco").join(FILES[0].0).exists());
    assert_eq!(
        icp(&t.c, "newco", "tenant.suspended").as_deref(),
        Some("true")
    );

    // Drop again; purge refuses inside the retention, then --now purges.
    // A later drop stamp than the first drop's (a clock the test sets, debug builds).
    t.cmd()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "5")
        .args(["drop", "newco", "--yes"])
        .assert()
        .code(0);
    let before = t.dbs();
    let a = t.cmd().args(["purge", "newco", "--yes"]).assert().code(2);
    assert!(stderr(&a).contains("drop_retention"), "{}", stderr(&a));
    assert_eq!(t.dbs(), before);
    // Without a terminal and without --yes: refused.
    t.cmd().args(["purge", "newco", "--now"]).assert().code(2);
    assert_eq!(t.dbs(), before);
    t.cmd()
        .args(["purge", "newco", "--now", "--yes"])
        .assert()
        .code(0);
    assert!(!t.dbs().iter().any(|d| d.starts_with("newco")));
    assert!(!t.fs_entries().iter().any(|d| d.starts_with("newco")));

    // With a drop_retention that has passed, purge needs no --now.
    let short = t.dir.path().join("short.toml");
    std::fs::write(
        &short,
        std::fs::read_to_string(&t.inv).unwrap().replacen(
            "[defaults]\n",
            "[defaults]\ndrop_retention = \"1s\"\n",
            1,
        ),
    )
    .unwrap();
    std::fs::set_permissions(&short, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    create_tenant(&t.c, "shortlived", &TenantSpec::for_major(12));
    t.cmd_inv(&short)
        .args(["drop", "shortlived", "--force", "--yes"])
        .assert()
        .code(0);
    // Purged as if 3 s later (the test's clock, debug builds): the 1 s retention is over.
    t.cmd_inv(&short)
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "3")
        .args(["purge", "shortlived", "--yes"])
        .assert()
        .code(0);
    assert!(!t.dbs().iter().any(|d| d.starts_with("shortlived")));
    let actions: Vec<String> = t
        .audit()
        .iter()
        .filter(|l| l["outcome"] == "changed")
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect();
    for a in ["rename", "drop", "undrop", "purge"] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}

#[test]
fn create_drop_purge_over_an_ssh_node_run_filestore_commands_through_its_master() {
    use crate::harness::Sshd;
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let t = env("");
    let run = tempfile::Builder::new()
        .prefix("tl")
        .tempdir_in("/tmp")
        .unwrap();
    let inv = t.write_inventory(
        "ssh.toml",
        &Inventory::default()
            .default_key("filestore", t.fs.as_path())
            .node_at("s1", "127.0.0.1", t.c.port())
            .node_ssh(Ssh::to(&sshd)),
    );
    let cmd = || {
        let mut c = tenantctl_with_home(t.dir.path());
        c.env("XDG_RUNTIME_DIR", run.path()).arg("-i").arg(&inv);
        c
    };
    let logins = || sshd.log().matches("Accepted publickey").count();
    let l0 = logins();
    let v = create_json_with(
        Run::new(t.home())
            .env("XDG_RUNTIME_DIR", run.path())
            .inv(&inv),
        "s1/viassh",
    );
    assert_eq!(v["via"], "ssh", "{v}");
    assert_eq!(v["filestore"], "linked", "{v}");
    assert_filestore_copy(&t.fs, "tmpl12", "viassh");
    // One SSH login for the run: PostgreSQL and the filestore share the master.
    assert_eq!(logins() - l0, 1, "{}", sshd.log());
    // The filestore check runs over SSH too: a taken directory refuses.
    std::fs::create_dir_all(t.fs.join("blocked")).unwrap();
    let before = t.dbs();
    cmd()
        .args([
            "create",
            "s1/blocked",
            "--from",
            "tmpl12",
            "--password-stdin",
            "--yes",
        ])
        .write_stdin("Pass-word-123\n")
        .assert()
        .code(2);
    assert_eq!(t.dbs(), before);
    cmd()
        .args(["drop", "s1/viassh", "--force", "--yes"])
        .assert()
        .code(0);
    assert!(!t.fs.join("viassh").exists());
    cmd()
        .args(["purge", "s1/viassh", "--now", "--yes"])
        .assert()
        .code(0);
    assert!(!t.dbs().iter().any(|d| d.starts_with("viassh")));
    assert!(!t.fs_entries().iter().any(|d| d.starts_with("viassh")));
}

#[test]
fn bulk_create_from_a_csv_with_secrets_file() {
    let t = env("");
    create_tenant(&t.c, "taken", &TenantSpec::for_major(12));
    let csv = t.dir.path().join("new-customers.csv");
    std::fs::write(
        &csv,
        "name,admin_login,company\n# a comment\nn1/alpha,ops@alpha.example,\"Alpha, Inc.\"\nbeta,,Beta\ntaken,x@y,Z\n",
    )
    .unwrap();
    let secrets = t.dir.path().join("secrets.csv");
    let a = t
        .cmd()
        .args(["bulk", "create", "--from"])
        .arg(&csv)
        .args(["--header", "--template", "tmpl12", "--secrets-file"])
        .arg(&secrets)
        .args(["--yes", "-o", "json"])
        .assert()
        .code(3);
    let v = json_of(&a);
    let outcomes: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["changed", "changed", "refused"], "{v}");
    assert_eq!(
        t.c.sql("alpha", "SELECT name FROM res_company"),
        "Alpha, Inc."
    );
    let lines = std::fs::read_to_string(&secrets).unwrap();
    let alpha = lines.lines().find(|l| l.starts_with("n1,alpha,")).unwrap();
    let pw = alpha.split(',').nth(3).unwrap();
    let hash = password_hash(&t.c, "alpha", "ops@alpha.example").unwrap();
    assert!(passlib_check(&hash, pw, 12).verifies);
    assert!(
        lines.lines().any(|l| l.starts_with("n1,beta,admin,")),
        "{lines}"
    );
    assert_filestore_copy(&t.fs, "tmpl12", "beta");
}

#[test]
fn bulk_drop_and_bulk_purge() {
    let t = env("");
    for n in ["bd1", "bd2"] {
        create_tenant(&t.c, n, &TenantSpec::for_major(12));
        write_files(&t.fs.join(n));
    }
    t.c.sql(
        "bd1",
        "INSERT INTO ir_config_parameter (key, value) VALUES ('tenant.suspended', 'true')",
    );
    let list = t.dir.path().join("closing.txt");
    std::fs::write(&list, "# closing accounts\nbd1\nn1/bd2\n").unwrap();
    let a = t
        .cmd()
        .args(["bulk", "drop", "--from"])
        .arg(&list)
        .args(["--yes", "-o", "json"])
        .assert()
        .code(3);
    let v = json_of(&a);
    assert_eq!(v["results"][0]["outcome"], "changed", "{v}");
    assert_eq!(v["results"][1]["outcome"], "refused", "{v}");
    assert!(t.c.db_exists("bd2") && !t.c.db_exists("bd1"));
    let gone = v["results"][0]["dropped_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(t.fs.join(&gone).is_dir());
    // The one --from format (issue 23): a header and a named column, a
    // bad line a failed row of its own while the others run.
    let export = t.dir.path().join("export.csv");
    std::fs::write(&export, "id,database,why\n1,\"bd2\",not suspended\n2,,x\n").unwrap();
    let a = t
        .cmd()
        .args(["bulk", "drop", "--header", "--column", "database", "--from"])
        .arg(&export)
        .args(["--yes", "-o", "json"])
        .assert()
        .code(1);
    let v = json_of(&a);
    assert_eq!(v["results"][0]["tenant"], "bd2", "{v}");
    assert_eq!(v["results"][0]["outcome"], "refused", "{v}");
    assert_eq!(v["results"][1]["outcome"], "failed", "{v}");
    assert_eq!(v["results"][1]["line"], 3, "{v}");
    assert!(
        v["results"][1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("export.csv:3:")),
        "{v}"
    );
    std::fs::write(&list, "bd1\n").unwrap();
    t.cmd()
        .args(["bulk", "purge", "--from"])
        .arg(&list)
        .args(["--yes"])
        .assert()
        .code(2);
    // As `bulk purge --help` shows: `list --dropped -o csv` piped in.
    let dropped = t
        .cmd()
        .args(["list", "--dropped", "-o", "csv"])
        .assert()
        .code(0);
    let csv = String::from_utf8_lossy(&dropped.get_output().stdout).into_owned();
    assert!(csv.starts_with("node,tenant,database,"), "{csv}");
    t.cmd()
        .args([
            "bulk", "purge", "--now", "--from", "-", "--header", "--column", "database",
        ])
        .args(["--yes"])
        .write_stdin(csv)
        .assert()
        .code(0);
    assert!(!t.dbs().iter().any(|d| d.starts_with("bd1")));
    assert!(!t.fs.join(&gone).exists());
}

#[test]
fn a_tenant_blocked_by_its_suspension_is_dropped_renamed_and_undropped_still_blocked() {
    let t = env("");
    create_tenant(&t.c, "blk", &TenantSpec::for_major(16));
    write_files(&t.fs.join("blk"));
    t.cmd()
        .args([
            "suspend",
            "blk",
            "--reason",
            "unpaid",
            "--layers",
            "+connections",
            "--yes",
        ])
        .assert()
        .code(0);
    let allow = |db: &str| {
        t.c.sql(
            "postgres",
            &format!("SELECT datallowconn FROM pg_database WHERE datname = '{db}'"),
        )
    };
    assert_eq!(allow("blk"), "f");
    t.cmd()
        .args(["rename", "blk", "blk2", "--yes"])
        .assert()
        .code(0);
    assert_eq!(allow("blk2"), "f", "a rename keeps the block");
    t.cmd().args(["drop", "blk2", "--yes"]).assert().code(0);
    t.cmd().args(["undrop", "blk2", "--yes"]).assert().code(0);
    assert_eq!(allow("blk2"), "f", "undrop keeps the block");
    assert!(t.fs.join("blk2").join(FILES[0].0).exists());
    // The suspension's own record survived: reactivate lifts it.
    t.cmd()
        .args(["reactivate", "blk2", "--yes"])
        .assert()
        .code(0);
    assert_eq!(allow("blk2"), "t");
}

/// Two connection slots (a node's `max_connections = 2`, `--concurrency 2`)
/// are enough for every command that holds the maintenance database while it
/// opens the new one; one slot is refused up front with the reason (that
/// second connection would wait for ever for the slot the first one holds).
#[test]
fn two_connection_commands_finish_on_two_slots_and_refuse_one() {
    // restore gives what it makes to the Odoo role (`db_owner`).
    let t = env("max_connections = 2\ndb_owner = \"odoo\"");
    t.c.create_role_attrs("odoo", "odoo-pass", "CREATEDB");
    let bound = std::time::Duration::from_secs(120);
    let run = |inv: &Path, conc: &str, args: &[&str], stdin: Option<&str>| {
        let mut c = t.cmd_inv(inv);
        c.args(["--concurrency", conc])
            .args(args)
            .args(["-o", "json"]);
        if args[0] != "backup" {
            c.arg("--yes");
        }
        if let Some(s) = stdin {
            c.write_stdin(s.to_string());
        }
        let out = c.timeout(bound).assert().get_output().clone();
        assert!(
            out.status.code().is_some(),
            "{args:?} killed after {bound:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let ok = |inv: &Path, args: &[&str], stdin: Option<&str>| {
        let out = run(inv, "2", args, stdin);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let inv = t.inv.clone();
    let v = ok(
        &inv,
        &["create", "n1/one1", "--from", "tmpl12", "--password-stdin"],
        Some("S3cret-pass-1\n"),
    );
    assert_eq!(v["outcome"], "changed", "{v}");
    let v = ok(
        &inv,
        &["duplicate", "n1/one1", "one2", "--neutralize"],
        None,
    );
    assert_eq!(v["outcome"], "changed", "{v}");
    let v = ok(&inv, &["rename", "n1/one2", "one3"], None);
    assert_eq!(v["outcome"], "changed", "{v}");
    let f = t.dir.path().join("one1.zip");
    let v = ok(
        &inv,
        &["backup", "n1/one1", "-f", f.to_str().unwrap()],
        None,
    );
    assert_eq!(v["outcome"], "unchanged", "{v}");
    let v = ok(&inv, &["restore", "n1/one4", f.to_str().unwrap()], None);
    assert_eq!(v["outcome"], "changed", "{v}");
    let v = ok(&inv, &["drop", "n1/one4", "--force"], None);
    assert_eq!(v["outcome"], "changed", "{v}");

    // One slot: refused with the reason, nothing made.
    let one = t.dir.path().join("one.toml");
    std::fs::write(
        &one,
        std::fs::read_to_string(&inv)
            .unwrap()
            .replace("max_connections = 2", "max_connections = 1"),
    )
    .unwrap();
    std::fs::set_permissions(&one, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before =
        t.c.column("postgres", "SELECT datname FROM pg_database ORDER BY 1");
    let out = run(
        &one,
        "2",
        &["create", "n1/one5", "--from", "tmpl12", "--password-stdin"],
        Some("S3cret-pass-5\n"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("max_connections") && err.contains("nothing changed"),
        "{err}"
    );
    // --concurrency 1 is a usage error (exit 2, README's table), for every
    // lifecycle command, before anything is read.
    let f = t.dir.path().join("one1.zip");
    for args in [
        &["create", "n1/one5", "--from", "tmpl12", "--password-stdin"][..],
        &["duplicate", "n1/one1", "one6"],
        &["drop", "n1/one1", "--force"],
        &["restore", "n1/one7", f.to_str().unwrap()],
    ] {
        let out = run(&inv, "1", args, Some("S3cret-pass-5\n"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("--concurrency must be 2 or more (it is 1)"),
            "{err}"
        );
    }
    assert_eq!(
        t.c.column("postgres", "SELECT datname FROM pg_database ORDER BY 1"),
        before
    );
}

/// `bulk drop` reuses one maintenance-database connection for all its lines
/// (counted by PostgreSQL: `pg_stat_database.sessions` of the maintenance
/// database), and the run still works at two connection slots.
#[test]
fn bulk_drop_reuses_the_maintenance_connection() {
    let t = env("max_connections = 2");
    let names: Vec<String> = (0..6).map(|i| format!("re{i}")).collect();
    for n in &names {
        create_tenant(&t.c, n, &TenantSpec::for_major(12));
        t.c.sql(
            n,
            "INSERT INTO ir_config_parameter (key, value) VALUES ('tenant.suspended', 'true')",
        );
    }
    let list = t.dir.path().join("closing.txt");
    std::fs::write(&list, names.join("\n") + "\n").unwrap();
    let sessions = || -> i64 {
        t.c.sql(
            "template1",
            "SELECT sessions FROM pg_stat_database WHERE datname = 'postgres'",
        )
        .parse()
        .unwrap()
    };
    let before = sessions();
    let a = t
        .cmd()
        .args(["bulk", "drop", "--from"])
        .arg(&list)
        .args(["--yes", "-o", "json"])
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(0);
    let v = json_of(&a);
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["outcome"], "changed", "{v}");
    }
    for n in &names {
        assert!(!t.c.db_exists(n), "{n}");
    }
    // Stats reach the shared counters when a session ends: wait until the
    // count stops moving.
    let mut used = sessions() - before;
    for _ in 0..30 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let now = sessions() - before;
        if now == used && used > 0 {
            break;
        }
        used = now;
    }
    // Per line, resolving the name lists the node: two short sessions of
    // their own (measured). The drops share one kept maintenance connection:
    // 2 per line + 1; a new maintenance connection per line would make it
    // 3 per line.
    let n = names.len() as i64;
    assert!(
        (1..=2 * n + 1).contains(&used),
        "{used} sessions on the maintenance database for {n} drops"
    );
}

/// Issue 23: every write's dry run gives its plan as data (`plan.summary`,
/// `plan.steps`) in `-o json`, the same lines the text dry run prints, and
/// changes nothing.
#[test]
fn every_write_dry_run_gives_its_plan_as_json() {
    let t = env("");
    create_tenant(&t.c, "acme", &TenantSpec::for_major(12));
    write_files(&t.fs.join("acme"));
    let dbs = t.dbs();
    let plan = |args: &[&str], stdin: Option<&str>| -> Value {
        let mut c = t.cmd();
        c.args(args).args(["--dry-run", "-o", "json"]);
        if let Some(s) = stdin {
            c.write_stdin(s);
        }
        let v = json_of(&c.assert().code(0));
        assert_eq!(v["outcome"], "would-change", "{args:?}: {v}");
        assert_eq!(v["dry_run"], true, "{args:?}: {v}");
        let p = v["plan"].clone();
        let verb = match args[0] {
            "passwd" => "set the password",
            v => v,
        };
        assert!(
            p["summary"].as_str().is_some_and(|s| s.starts_with(verb)),
            "{args:?}: {v}"
        );
        p
    };
    let steps = |p: &Value| -> Vec<String> {
        p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let p = plan(
        &["create", "newco", "--from", "tmpl12", "--password-stdin"],
        Some("Pass-word-123\n"),
    );
    assert!(
        steps(&p)[0].starts_with("CREATE DATABASE newco TEMPLATE tmpl12"),
        "{p}"
    );
    let p = plan(&["duplicate", "acme", "acme-copy"], None);
    assert!(
        steps(&p).iter().any(|s| s.starts_with("copy filestore")),
        "{p}"
    );
    let p = plan(&["rename", "acme", "acme2"], None);
    assert!(
        steps(&p)
            .iter()
            .any(|s| s.contains("ALTER DATABASE RENAME")),
        "{p}"
    );
    let p = plan(
        &["passwd", "acme", "--password-stdin"],
        Some("Pass-word-123\n"),
    );
    assert!(p["summary"].as_str().unwrap().contains("admin"), "{p}");
    let p = plan(&["suspend", "acme", "--reason", "unpaid"], None);
    let s = steps(&p);
    assert!(s[0].starts_with("users: switch off"), "{p}");
    assert!(
        s.last()
            .unwrap()
            .starts_with("write ICP tenant.suspended='true'"),
        "{p}"
    );
    // Nothing of the dry runs was made or changed.
    assert_eq!(t.dbs(), dbs);
    assert_eq!(icp(&t.c, "acme", "tenant.suspended"), None);

    // The writes of a suspended and of a dropped tenant.
    t.cmd()
        .args(["suspend", "acme", "--reason", "closing", "--yes"])
        .assert()
        .code(0);
    let p = plan(&["reactivate", "acme"], None);
    assert!(steps(&p)[0].starts_with("users: switch on"), "{p}");
    let p = plan(&["drop", "acme"], None);
    assert!(
        steps(&p)
            .iter()
            .any(|s| s.starts_with("rename to acme.dropped-")),
        "{p}"
    );
    t.cmd().args(["drop", "acme", "--yes"]).assert().code(0);
    let p = plan(&["undrop", "acme"], None);
    assert_eq!(steps(&p)[0], "rename back to acme", "{p}");
    let p = plan(&["purge", "acme", "--now"], None);
    assert_eq!(steps(&p)[0], "DROP DATABASE", "{p}");
    // The text dry run prints the same steps.
    let a = t
        .cmd()
        .args(["purge", "acme", "--now", "--dry-run"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        out.contains("would purge n1/") && out.contains("\n  - DROP DATABASE"),
        "{out}"
    );
}

/// A duplicate gets a new identity as Odoo's own does (odoo-facts §6):
/// `database.uuid` is a time-based (version 1) uuid, and with auth_oauth
/// installed the odoo.com provider's `client_id` follows it (auth_oauth's
/// `ir.config_parameter.init(force=True)`); other providers keep theirs.
/// Without the module installed, its table is left alone.
#[test]
fn duplicate_sets_a_uuid1_and_the_odoo_com_oauth_client_id() {
    let t = env("");
    let spec = TenantSpec {
        shop_modules: true,
        ..TenantSpec::for_major(16)
    };
    create_tenant(&t.c, "acme", &spec);
    t.c.sql(
        "acme",
        "INSERT INTO auth_oauth_provider (id, name, enabled, client_id) \
         VALUES (2, 'Odoo.com Accounts', true, 'source-uuid'); \
         INSERT INTO ir_model_data (module, name, model, res_id) \
         VALUES ('auth_oauth', 'provider_openerp', 'auth.oauth.provider', 2)",
    );
    let providers = |db: &str| {
        t.c.sql(
            db,
            "SELECT string_agg(id || '=' || client_id, ',' ORDER BY id) FROM auth_oauth_provider",
        )
    };
    // Not installed: nothing of it changes.
    t.cmd()
        .args(["duplicate", "acme", "copy1", "--yes"])
        .assert()
        .code(0);
    assert_eq!(providers("copy1"), "1=client-1,2=source-uuid");
    let uuid = t.params("copy1")["database.uuid"].clone();
    assert_eq!(&uuid[14..15], "1", "a version 1 uuid: {uuid}");
    assert_ne!(uuid, t.params("acme")["database.uuid"]);
    // Installed: the odoo.com provider's client_id is the copy's uuid.
    t.c.sql(
        "acme",
        "UPDATE ir_module_module SET state = 'installed' WHERE name = 'auth_oauth'",
    );
    t.cmd()
        .args(["duplicate", "acme", "copy2", "--yes"])
        .assert()
        .code(0);
    let uuid = t.params("copy2")["database.uuid"].clone();
    assert_eq!(providers("copy2"), format!("1=client-1,2={uuid}"));
    assert_eq!(providers("acme"), "1=client-1,2=source-uuid");
}

/// 17.0's mail neutralization empties `mail_partner_device` with a DELETE,
/// not Odoo 17.0's `TRUNCATE ... CASCADE`, which emptied every table with a
/// many2one to it (odoo/odoo#241535): a custom table referencing a device
/// keeps its rows, the reference set to NULL by its own foreign key.
#[test]
fn neutralize_17_keeps_the_rows_that_reference_a_push_device() {
    let t = env("");
    create_tenant(&t.c, "m17", &TenantSpec::for_major(17));
    t.c.sql(
        "m17",
        "CREATE TABLE mail_partner_device (id serial PRIMARY KEY, endpoint varchar); \
         CREATE TABLE mail_notification_web_push (id serial PRIMARY KEY, \
           user_device integer REFERENCES mail_partner_device(id) ON DELETE CASCADE); \
         CREATE TABLE x_device_note (id serial PRIMARY KEY, \
           device_id integer REFERENCES mail_partner_device(id) ON DELETE SET NULL, note text); \
         INSERT INTO mail_partner_device (id, endpoint) VALUES (1, 'https://push.example/1'); \
         INSERT INTO mail_notification_web_push (user_device) VALUES (1); \
         INSERT INTO x_device_note (device_id, note) VALUES (1, 'kept')",
    );
    let a = t
        .cmd()
        .args([
            "duplicate",
            "m17",
            "m17-staging",
            "--neutralize",
            "--yes",
            "-o",
            "json",
        ])
        .assert()
        .code(0);
    let v = json_of(&a);
    assert!(
        v["neutralized_modules"]
            .as_array()
            .is_some_and(|m| m.iter().any(|x| x == "mail")),
        "{v}"
    );
    let q = |sql: &str| t.c.sql("m17-staging", sql);
    assert_eq!(q("SELECT count(*) FROM mail_partner_device"), "0");
    assert_eq!(q("SELECT count(*) FROM mail_notification_web_push"), "0");
    assert_eq!(
        q("SELECT note || '/' || coalesce(device_id::text, 'NULL') FROM x_device_note"),
        "kept/NULL"
    );
    // The source keeps its devices.
    assert_eq!(
        t.c.sql("m17", "SELECT count(*) FROM mail_partner_device"),
        "1"
    );
}

/// The identity transaction of a copy reads `ir_model_data` (auth_oauth's
/// provider) and `ir_module_module`: a tenant that puts a view calling its
/// own function in their place gets a refusal (exit 2, nothing made), not
/// its function run with tenantctl's privileges.
#[test]
fn duplicate_refuses_a_view_in_place_of_a_table_it_reads() {
    let t = env("");
    let spec = TenantSpec {
        shop_modules: true,
        ..TenantSpec::for_major(16)
    };
    create_tenant(&t.c, "acme", &spec);
    t.c.sql(
        "acme",
        "CREATE TABLE spied (who text); \
         CREATE FUNCTION spy() RETURNS boolean LANGUAGE sql AS \
           $$ INSERT INTO public.spied VALUES (current_user); SELECT true $$; \
         ALTER TABLE ir_model_data RENAME TO ir_model_data_real; \
         CREATE VIEW ir_model_data AS SELECT * FROM ir_model_data_real WHERE public.spy()",
    );
    let a = t
        .cmd()
        .args(["duplicate", "acme", "acme-copy", "--yes", "-o", "json"])
        .assert()
        .code(2);
    let v = json_of(&a);
    assert_eq!(v["outcome"], "refused", "{v}");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("ir_model_data") && e.contains("not a plain table")),
        "{v}"
    );
    assert!(!t.dbs().iter().any(|d| d == "acme-copy"), "nothing made");
    assert_eq!(t.c.sql("acme", "SELECT count(*) FROM spied"), "0");
}
