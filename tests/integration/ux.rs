//! Operator experience: `show`, completions, man page, help, colour manners.

use serde_json::Value;

use crate::fixtures::{create_tenant, tenants_on_one_node, TenantSpec};
use crate::harness::{
    have_tool, on_a_pty, stdout_of, tenantctl, tenantctl_on, write_inventory, Cluster,
};
use crate::world::World;

#[test]
fn show_tells_everything_but_secrets() {
    let (_c, dir, inv) = tenants_on_one_node("s", "n1", &["acme"]);
    tenantctl_on(&inv)
        .args(["--audit-log"])
        .arg(dir.path().join("a.jsonl"))
        .args(["suspend", "acme", "--reason", "unpaid", "--yes"])
        .assert()
        .success();
    let a = tenantctl_on(&inv)
        .args(["show", "acme", "-o", "json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["status"], "suspended");
    assert_eq!(v["suspended_reason"], "unpaid");
    assert_eq!(v["recorded_users"], 6);
    assert_eq!(v["odoo_version"], "16.0");
    assert!(v["created_at"].as_str().is_some());
    assert!(v["company"].as_str().is_some());
    let users = v["users"].as_array().unwrap();
    assert!(
        users.iter().all(|u| u["login"] != "__system__"),
        "id 1 hidden"
    );
    let admin = users.iter().find(|u| u["login"] == "admin").unwrap();
    assert_eq!(admin["last_login"], "2026-11-01T10:00:00Z");
    assert_eq!(admin["type"], "internal");
    assert!(
        users.iter().any(|u| u["two_factor"] == true),
        "2FA user shown"
    );
    assert!(users.iter().any(|u| u["type"] == "portal"));
    let raw = String::from_utf8_lossy(&a.get_output().stdout);
    assert!(
        !raw.contains("pbkdf2") && !raw.contains("JBSWY3DP"),
        "no hash, no TOTP secret"
    );
    // Table form renders, without escape codes when piped.
    let a = tenantctl_on(&inv)
        .args(["show", "n1/acme"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout);
    assert!(
        text.contains("Status:      suspended") && text.contains("LOGIN") && text.contains("user1"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (_c, _dir, inv) = tenants_on_one_node("c", "n1", &["acme"]);
    let plain = stdout_of(tenantctl_on(&inv).arg("list"), 0);
    assert!(!plain.contains('\u{1b}'));
    let coloured = stdout_of(tenantctl_on(&inv).args(["--color", "always", "list"]), 0);
    assert!(
        coloured.contains('\u{1b}'),
        "--color always colours even when piped"
    );
    let json = stdout_of(
        tenantctl_on(&inv).args(["--color", "always", "list", "-o", "json"]),
        0,
    );
    assert!(!json.contains('\u{1b}'), "JSON is never coloured");
    let csv = stdout_of(
        tenantctl_on(&inv).args(["--color", "always", "list", "-o", "csv"]),
        0,
    );
    assert!(!csv.contains('\u{1b}'), "CSV is never coloured");
}

#[test]
fn committed_completions_and_man_page_are_up_to_date() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, file) in [
        (vec!["completions", "bash"], "completions/tenantctl.bash"),
        (vec!["completions", "zsh"], "completions/tenantctl.zsh"),
        (vec!["completions", "fish"], "completions/tenantctl.fish"),
        (vec!["man"], "completions/tenantctl.1"),
        (
            vec!["man", "bulk-suspend"],
            "completions/tenantctl-bulk-suspend.1",
        ),
    ] {
        let out = tenantctl()
            .args(&args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let committed = std::fs::read(root.join(file)).unwrap_or_default();
        assert!(
            out == committed,
            "{file} is out of date: regenerate with `cargo run -- {} > {file}`",
            args.join(" ")
        );
    }
    // One page per command, each with FILES and ENVIRONMENT; the committed
    // set is exactly the generated one.
    let dir = tempfile::tempdir().unwrap();
    let a = tenantctl()
        .arg("man")
        .arg("--dir")
        .arg(dir.path())
        .assert()
        .success();
    let listed = String::from_utf8_lossy(&a.get_output().stdout)
        .lines()
        .count();
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("tenantctl") && n.ends_with(".1"))
            .collect();
        v.sort();
        v
    };
    let generated = names(dir.path());
    assert_eq!(listed, generated.len());
    for want in [
        "tenantctl.1",
        "tenantctl-list.1",
        "tenantctl-show.1",
        "tenantctl-bulk-passwd.1",
        "tenantctl-log.1",
        "tenantctl-nodes.1",
        "tenantctl-man.1",
    ] {
        assert!(generated.iter().any(|g| g == want), "{want}: {generated:?}");
    }
    assert_eq!(
        names(&root.join("completions")),
        generated,
        "regenerate with `cargo run -- man --dir completions`"
    );
    for g in &generated {
        let page = std::fs::read_to_string(dir.path().join(g)).unwrap();
        assert!(
            page.contains(".SH FILES") && page.contains(".SH ENVIRONMENT"),
            "{g}"
        );
        assert!(
            std::fs::read_to_string(root.join("completions").join(g)).unwrap() == page,
            "completions/{g} is out of date: regenerate with `cargo run -- man --dir completions`"
        );
    }
    let top = std::fs::read_to_string(dir.path().join("tenantctl.1")).unwrap();
    assert!(
        top.contains("tenantctl\\-list(1)") || top.contains("tenantctl-list(1)"),
        "{top}"
    );
}

#[test]
fn help_of_every_command_renders_with_examples() {
    for cmd in [
        vec!["--help"],
        vec!["list", "--help"],
        vec!["show", "--help"],
        vec!["passwd", "--help"],
        vec!["suspend", "--help"],
        vec!["reactivate", "--help"],
        vec!["bulk", "--help"],
        vec!["bulk", "suspend", "--help"],
        vec!["bulk", "reactivate", "--help"],
        vec!["bulk", "passwd", "--help"],
        vec!["check", "--help"],
        vec!["log", "--help"],
        vec!["nodes", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let a = tenantctl().args(&cmd).assert().success();
        let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
        assert!(text.contains("Usage: tenantctl"), "{cmd:?}: {text}");
        if cmd.len() > 1 && cmd[0] != "bulk" || cmd.len() > 2 {
            assert!(text.contains("Example"), "{cmd:?} has examples: {text}");
        }
    }
    assert!(String::from_utf8_lossy(
        &tenantctl()
            .args(["passwd", "--help"])
            .assert()
            .success()
            .get_output()
            .stdout
    )
    .contains("CANNOT verify argon2"));
    // Global options under their own heading, after the command's own.
    let help = String::from_utf8_lossy(
        &tenantctl()
            .args(["list", "--help"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .to_string();
    let own = help.find("--status").unwrap();
    let heading = help
        .find("\nGlobal options:\n")
        .expect("a Global options heading");
    let global = help.find("--inventory").unwrap();
    assert!(own < heading && heading < global, "{help}");
    // bulk passwd always generates: no --generate to pass.
    let help = String::from_utf8_lossy(
        &tenantctl()
            .args(["bulk", "passwd", "--help"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .to_string();
    assert!(!help.contains("--generate"), "{help}");
    // Usage errors exit 2.
    tenantctl()
        .args(["list", "--sort", "nonsense"])
        .assert()
        .code(2);
    tenantctl().args(["suspend", "acme"]).assert().code(2);
}

#[test]
fn sample_inventories_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["nodes.toml", "examples/inventory.toml"] {
        // Parsing succeeds when the only complaint is the unknown --node.
        let a = tenantctl_on(&root.join(f))
            .args(["--node", "no-such-node", "list"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&a.get_output().stderr);
        assert!(
            stderr.contains("unknown node \"no-such-node\""),
            "{f}: {stderr}"
        );
    }
}

#[test]
fn example_scripts_run_against_real_clusters() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for s in ["examples/nightly-suspend.sh", "examples/ci-smoke-check.sh"] {
        assert!(
            std::process::Command::new("bash")
                .arg("-n")
                .arg(root.join(s))
                .status()
                .unwrap()
                .success(),
            "{s}"
        );
    }
    let (c, dir, inv) = tenants_on_one_node("ex", "n1", &["acme", "globex", "initech"]);
    let csv = dir.path().join("overdue.csv");
    std::fs::write(&csv, "acme,\"invoice 7, unpaid\"\nglobex\nnope\n").unwrap();
    let run = |script: &str, args: &[&std::path::Path]| {
        std::process::Command::new("bash")
            .arg(root.join(script))
            .args(args)
            .env("TENANTCTL", crate::harness::tenantctl_bin())
            .env("TENANTCTL_INVENTORY", &inv)
            .env("TC_TEST_PGPASSWORD", "postgres")
            .env("XDG_STATE_HOME", dir.path())
            .output()
            .unwrap()
    };
    let out = run("examples/nightly-suspend.sh", &[&csv]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("changed: 2") && stdout.contains("failed: 1") && stdout.contains("nope"),
        "{stdout}"
    );
    assert_eq!(
        crate::fixtures::icp(&c, "acme", "tenant.suspended_reason").as_deref(),
        Some("invoice 7, unpaid")
    );
    let out = run("examples/ci-smoke-check.sh", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

/// Runs tenantctl on a pseudo-terminal (util-linux `script`), typing `input`.
pub fn on_a_terminal(
    inv: &std::path::Path,
    home: &std::path::Path,
    args: &str,
    input: &str,
) -> (Option<i32>, String) {
    let cmd = format!(
        "{} -i {} {args}",
        crate::harness::tenantctl_bin().display(),
        inv.display()
    );
    on_a_pty(&cmd, home, input, std::time::Duration::from_millis(400))
}

#[test]
fn prompts_and_confirmations_on_a_terminal() {
    if !have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let (c, dir, inv) = tenants_on_one_node("tty", "n1", &["acme"]);
    let terminal = |args: &str| {
        let cmd = format!(
            "exec {} -i {} {args}",
            crate::harness::tenantctl_bin().display(),
            inv.display()
        );
        crate::harness::tty::Tty::start(&cmd, dir.path())
    };
    // passwd asks twice without echo; pairs of (new, repeated) typed.
    let passwd = |pairs: &[(&str, &str)]| {
        let mut tty = terminal("passwd acme");
        for (new, again) in pairs {
            tty.answer_hidden("New password for admin on n1/acme", new);
            tty.answer_hidden("Repeat it", again);
        }
        tty.finish()
    };
    let (code, screen) = passwd(&[("typed-secret-1", "typed-secret-1")]);
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("New password for admin on n1/acme") && screen.contains("Repeat it"),
        "{screen}"
    );
    assert!(!screen.contains("typed-secret-1"), "no echo: {screen}");
    assert!(crate::fixtures::login_works(
        &c,
        "acme",
        "admin",
        "typed-secret-1",
        16
    ));
    // Three times two different entries: exit 2, nothing written.
    let (code, screen) = passwd(&[("typed-secret-2", "typed-secret-3"); 3]);
    assert_eq!(code, Some(2), "{screen}");
    assert!(
        screen.contains("try again (2 left)")
            && screen.contains("try again (1 left)")
            && screen.contains("differ 3 times; nothing changed"),
        "{screen}"
    );
    assert!(crate::fixtures::login_works(
        &c,
        "acme",
        "admin",
        "typed-secret-1",
        16
    ));
    // A mistyped repetition is asked again.
    let (code, screen) = passwd(&[
        ("typed-secret-4", "typed-secret-5"),
        ("typed-secret-4", "typed-secret-4"),
    ]);
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("try again (2 left)"), "{screen}");
    assert!(crate::fixtures::login_works(
        &c,
        "acme",
        "admin",
        "typed-secret-4",
        16
    ));
    // suspend asks [y/N]: "n" changes nothing, "y" suspends.
    let mut tty = terminal("suspend acme --reason tty");
    tty.answer("[y/N]", "n");
    let (code, screen) = tty.finish();
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains("[y/N]") && screen.contains("aborted; nothing changed"),
        "{screen}"
    );
    assert_eq!(crate::fixtures::icp(&c, "acme", "tenant.suspended"), None);
    let mut tty = terminal("suspend acme --reason tty");
    tty.answer("[y/N]", "y");
    let (code, _) = tty.finish();
    assert_eq!(code, Some(0));
    assert_eq!(
        crate::fixtures::icp(&c, "acme", "tenant.suspended").as_deref(),
        Some("true")
    );
}

pub fn have_script() -> bool {
    have_tool("script")
}

#[test]
fn tables_fit_80_columns_without_breaking_names() {
    if !have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let long = "trial-0011";
    let (_c, dir, inv) = tenants_on_one_node("w80", "n1", &[long, "acme"]);
    let reason = "invoice 2026-0042 unpaid after three reminders; contact billing@example.com before reactivating";
    tenantctl_on(&inv)
        .env("XDG_STATE_HOME", dir.path())
        .args(["suspend", long, "--reason", reason, "--yes"])
        .assert()
        .success();
    let (code, screen) = on_a_terminal(&inv, dir.path(), "list", "");
    assert_eq!(code, Some(0), "{screen}");
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines[0].starts_with("NODE  TENANT"), "{screen}");
    for l in &lines {
        assert!(l.chars().count() <= 80, "fits 80 columns: {l:?}\n{screen}");
    }
    let row = lines
        .iter()
        .find(|l| l.contains(long))
        .unwrap_or_else(|| panic!("the whole name on one line: {screen}"));
    assert!(row.contains("suspended") && row.ends_with('…'), "{row}");
    assert!(
        !screen.contains("VIA") && !screen.contains("PORTAL"),
        "VIA, PORTAL only with -o wide: {screen}"
    );
    // -o wide: nothing truncated, the extra column; --no-headers.
    let (_, screen) = on_a_terminal(&inv, dir.path(), "list -o wide --no-headers", "");
    assert!(
        screen.contains(reason) && screen.contains("direct"),
        "{screen}"
    );
    assert!(!screen.contains("TENANT"), "{screen}");
    // Piped: nothing truncated.
    let a = tenantctl_on(&inv).arg("list").assert().success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains(reason) && !text.contains('…'), "{text}");
    // Nothing suspended: the SINCE and REASON columns take no width.
    let a = tenantctl_on(&inv)
        .args(["list", "--status", "active"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        !text.contains("REASON") && !text.contains("SINCE"),
        "{text}"
    );
}

/// `show` on Odoo 12–13 (no auth_totp) says 2FA `n/a`; built-in users (the
/// default user template, the portal template, the public user, resolved by
/// their xmlids) are listed apart; a database left out by an exclude pattern
/// or not Odoo at all is refused with exit 2 saying which.
#[test]
fn show_two_factor_builtin_users_excluded_and_non_odoo() {
    use crate::fixtures::{create_plain_db, xmlid_user};
    let c = Cluster::start("shw");
    create_tenant(&c, "t13", &TenantSpec::for_major(13));
    create_tenant(&c, "t16", &TenantSpec::for_major(16));
    create_tenant(&c, "acme_test", &TenantSpec::for_major(16));
    create_plain_db(&c, "notodoo");
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], "");
    // The exclude pattern goes into [defaults] (write_inventory writes it first).
    let text = std::fs::read_to_string(&inv).unwrap().replacen(
        "[defaults]\n",
        "[defaults]\nexclude = [\"staging_*\", \"*_test\"]\n",
        1,
    );
    std::fs::write(&inv, text).unwrap();
    let run = |args: &[&str]| {
        let o = tenantctl_on(&inv).args(args).output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let json = |db: &str| -> Value {
        let (code, out, err) = run(&["show", db, "-o", "json"]);
        assert_eq!(code, Some(0), "{db}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    // The users tables: the rows under the first LOGIN header (the people)
    // and under the second one (after "Built-in users"), each ending at a
    // blank line.
    let tables = |t: &str| -> (Vec<String>, Vec<String>) {
        let mut found: Vec<Vec<String>> = Vec::new();
        let mut inside = false;
        for l in t.lines() {
            if l.starts_with("LOGIN ") {
                found.push(Vec::new());
                inside = true;
            } else if l.is_empty() {
                inside = false;
            } else if inside {
                found.last_mut().unwrap().push(l.to_string());
            }
        }
        let mut it = found.into_iter();
        (it.next().unwrap_or_default(), it.next().unwrap_or_default())
    };

    // 13: no second factor in that Odoo at all.
    let v = json("t13");
    assert_eq!(v["two_factor_supported"], false, "{v}");
    let (_, t, _) = run(&["show", "t13"]);
    let (main, builtin) = tables(&t);
    assert!(main.len() >= 4, "{t}");
    let words = |row: &str| -> Vec<String> { row.split_whitespace().map(String::from).collect() };
    for row in main.iter().chain(&builtin) {
        let w = words(row);
        assert!(
            w.iter().any(|x| x == "n/a") && !w.iter().any(|x| x == "on" || x == "off"),
            "{row}\n{t}"
        );
    }

    // 16: 2FA exists; user1 has it on.
    let v = json("t16");
    assert_eq!(v["two_factor_supported"], true, "{v}");
    let users = v["users"].as_array().unwrap();
    let by_login = |l: &str| users.iter().find(|u| u["login"] == l).unwrap().clone();
    assert_eq!(by_login("user1")["two_factor"], true, "{v}");
    let (_, t, _) = run(&["show", "t16"]);
    let (main, builtin) = tables(&t);
    let row = |rows: &[String], login: &str| {
        rows.iter()
            .find(|r| r.split_whitespace().next() == Some(login))
            .cloned()
    };
    let user1 = words(&row(&main, "user1").unwrap_or_else(|| panic!("{t}")));
    assert!(user1.iter().any(|x| x == "on"), "{t}");
    let admin = words(&row(&main, "admin").unwrap_or_else(|| panic!("{t}")));
    assert!(admin.iter().any(|x| x == "off"), "{t}");
    // Built-in users: by xmlid (the oracle reads ir_model_data itself).
    for (login, xmlid, label) in [
        ("default", "default_user", "default-user"),
        (
            "portaltemplate",
            "template_portal_user_id",
            "portal-template",
        ),
        ("public", "public_user", "public-user"),
    ] {
        let u = by_login(login);
        assert_eq!(
            Some(u["id"].as_i64().unwrap()),
            xmlid_user(&c, "t16", xmlid)
        );
        assert_eq!(u["builtin"], label, "{u}");
        assert!(
            row(&main, login).is_none(),
            "{login} not among the people: {t}"
        );
        let r = row(&builtin, login).unwrap_or_else(|| panic!("{login} listed apart: {t}"));
        assert!(r.contains(label), "{r}");
    }
    for login in ["admin", "user1", "portal1"] {
        assert_eq!(by_login(login)["builtin"], Value::Null);
        assert!(row(&main, login).is_some(), "{login}: {t}");
    }
    assert_eq!(builtin.len(), 3, "{t}");

    // Excluded by a pattern: exit 2, which pattern; nothing about "unknown".
    let (code, out, err) = run(&["show", "acme_test"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("excluded") && err.contains("\"*_test\"") && !err.contains("unknown"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = run(&["show", "n1/postgres"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("built-in exclusion"), "{err}");
    // Not Odoo: exit 2 with a clear message.
    let (code, out, err) = run(&["show", "notodoo"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("n1/notodoo") && err.contains("not an Odoo database"),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");
}

/// Two nodes: pg1 with acme and wayne-enterprises, pg2 with initech.
fn two_nodes() -> World {
    World::builder()
        .node("pg1")
        .tenant("acme", TenantSpec::default())
        .tenant("wayne-enterprises", TenantSpec::default())
        .node("pg2")
        .tenant("initech", TenantSpec::default())
        .build()
}

/// Issue 24: a unique prefix (`wayne` → `wayne-enterprises`) is suggested,
/// never acted on: a write and `show` alike are refused (exit 2) naming the
/// full name; nothing changed.
#[test]
fn did_you_mean_a_unique_prefix_is_suggested_never_acted_on() {
    let w = two_nodes();
    let (pg1, dir, inv) = (&w.c, &w.dir, &w.inv);
    let want = "unknown tenant \"wayne\"; did you mean wayne-enterprises? (the only name starting with wayne; names are never completed)";
    for args in [
        vec!["suspend", "wayne", "--reason", "x", "--yes"],
        vec!["show", "wayne"],
        vec!["suspend", "pg1/wayne", "--reason", "x", "--yes"],
    ] {
        let err = crate::harness::stderr_of(
            tenantctl_on(inv)
                .env("XDG_STATE_HOME", dir.path())
                .args(&args),
            2,
        );
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(
        crate::fixtures::icp(pg1, "wayne-enterprises", "tenant.suspended"),
        None,
        "nothing changed"
    );
}

/// Issue 24: `pg2/acme` when acme is on pg1 says where it is.
#[test]
fn did_you_mean_the_node_that_holds_the_tenant() {
    let w = two_nodes();
    let (pg1, dir, inv) = (&w.c, &w.dir, &w.inv);
    for args in [
        vec!["show", "pg2/acme"],
        vec!["suspend", "pg2/acme", "--reason", "x", "--yes"],
    ] {
        let err = crate::harness::stderr_of(
            tenantctl_on(inv)
                .env("XDG_STATE_HOME", dir.path())
                .args(&args),
            2,
        );
        assert!(
            err.contains(
                "unknown tenant \"acme\" on node pg2: acme is on pg1 (name it as pg1/acme)"
            ),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        crate::fixtures::icp(pg1, "acme", "tenant.suspended"),
        None,
        "nothing changed"
    );
    // A name on no node: the closest names of the named node, as before.
    let err = crate::harness::stderr_of(tenantctl_on(inv).args(["show", "pg2/initec"]), 2);
    assert!(
        err.contains("unknown tenant \"initec\"; did you mean initech?"),
        "{err}"
    );
}

/// `man`'s output without its overstrike (bold `X\bX`, underline `_\bX`).
fn plain_man(bytes: &[u8]) -> String {
    let mut out = String::new();
    for c in String::from_utf8_lossy(bytes).chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out
}

/// The example lines of `--help` (under `Examples:`), trimmed.
fn help_examples(args: &[&str]) -> Vec<String> {
    let help = String::from_utf8_lossy(
        &tenantctl()
            .args(args)
            .arg("--help")
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .to_string();
    help.split_once("\nExamples:\n")
        .map(|(_, ex)| {
            ex.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 24: every man page that has examples in `--help` carries them in an
/// EXAMPLES section, line for line as typed (not filled into a paragraph),
/// and at 80 columns they fit.
#[test]
fn man_pages_carry_the_help_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let have_man = have_tool("man");
    let mut checked = 0;
    for cmd in [
        vec!["list"],
        vec!["show"],
        vec!["passwd"],
        vec!["suspend"],
        vec!["reactivate"],
        vec!["check"],
        vec!["log"],
        vec!["nodes"],
        vec!["create"],
        vec!["bulk", "suspend"],
        vec!["bulk", "passwd"],
        vec!["completions"],
    ] {
        let examples = help_examples(&cmd);
        assert!(!examples.is_empty(), "{cmd:?} --help has examples");
        let page = root.join(format!("completions/tenantctl-{}.1", cmd.join("-")));
        let roff = std::fs::read_to_string(&page).unwrap();
        assert!(
            roff.contains("\n.SH EXAMPLES\n"),
            "{}: {roff}",
            page.display()
        );
        assert!(!roff.contains(".SH EXTRA"), "{}", page.display());
        if !have_man {
            continue;
        }
        let o = std::process::Command::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let text = plain_man(&o.stdout);
        let section: Vec<&str> = text
            .split("\nEXAMPLES\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no EXAMPLES: {text}", page.display()))
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .collect();
        let shown: Vec<String> = section
            .iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(shown, examples, "{}:\n{text}", page.display());
        for l in &section {
            assert!(l.chars().count() <= 80, "{}: {l:?}", page.display());
        }
        checked += 1;
    }
    assert!(!have_man || checked == 12);
}

/// Issue 24: README's install steps put the man pages where `man` finds
/// them (MANPATH, set in ~/.bashrc), and say that bash completion needs the
/// bash-completion package.
#[test]
fn man_pages_found_as_readme_installs_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let install = readme
        .split("\n## Install\n")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        install.contains("`bash-completion` package"),
        "README's Install names the bash-completion package: {install}"
    );
    let steps: Vec<&str> = install
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .filter(|l| !l.contains("# not run"))
        .filter(|l| l.contains("man") || l.starts_with("mkdir "))
        .collect();
    assert!(steps.len() >= 3, "{steps:?}");
    if !have_tool("man") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let bin_dir = crate::harness::tenantctl_bin()
        .parent()
        .unwrap()
        .to_path_buf();
    let run = |script: &str| {
        std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", script])
            .current_dir(home)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("HOME", home)
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap()
    };
    for s in &steps {
        let o = run(s);
        assert!(o.status.success(), "{s}: {o:?}");
    }
    // A new login shell reads ~/.bashrc.
    let o = run("source ~/.bashrc; man -w tenantctl-list && MANWIDTH=80 man tenantctl-suspend");
    assert!(o.status.success(), "man finds the pages: {o:?}");
    let text = plain_man(&o.stdout);
    assert!(
        text.starts_with(&format!(
            "{}/.local/share/man/man1/tenantctl-list.1",
            home.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("EXAMPLES") && text.contains("tenantctl suspend acme --reason"),
        "{text}"
    );
}

/// Issue 24: inside the clone the sample `./nodes.toml` wins over the
/// user's own inventory: `nodes` and every inventory error name the file that
/// was read (absolute), and one notice on stderr says that the user's own
/// file is not used.
#[test]
fn inventory_in_the_current_directory_is_named_and_noticed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let clone = dir.path().join("clone");
    std::fs::create_dir_all(home.join(".config/tenantctl")).unwrap();
    std::fs::create_dir_all(&clone).unwrap();
    std::fs::copy(root.join("nodes.toml"), clone.join("nodes.toml")).unwrap();
    let sample = clone.join("nodes.toml");
    let own = home.join(".config/tenantctl/nodes.toml");
    let run = |args: &[&str]| {
        let o = crate::harness::tenantctl_with_home(&home)
            .current_dir(&clone)
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let notices = |err: &str| {
        err.lines()
            .filter(|l| l.contains("from the current directory, not your"))
            .count()
    };
    // Without a file of the user's own: no notice, but the file is named.
    let (code, out, err) = run(&["nodes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(notices(&err), 0, "{err}");
    assert!(
        out.contains(&format!("Inventory: {}", sample.display()))
            && out.contains("./nodes.toml in the current directory"),
        "{out}"
    );
    // With one: exactly one notice naming both files.
    std::fs::write(
        &own,
        "[[node]]\nname = \"mine\"\nhost = \"db.mine.example\"\n",
    )
    .unwrap();
    for args in [
        vec!["nodes"],
        vec!["nodes", "-o", "json"],
        vec!["--label", "env=nowhere", "list"],
        vec!["--node", "mine", "list"],
    ] {
        let (_, out, err) = run(&args);
        assert_eq!(notices(&err), 1, "{args:?}: {err}");
        let notice = err
            .lines()
            .find(|l| l.contains("not your"))
            .unwrap()
            .to_string();
        assert!(
            notice.contains(&sample.display().to_string())
                && notice.contains(&own.display().to_string()),
            "{notice}"
        );
        if args[0] != "nodes" {
            assert!(
                err.contains(&format!("inventory {}", sample.display())),
                "{args:?}: the error names the file read: {err}"
            );
        } else {
            assert!(out.contains(&sample.display().to_string()), "{out}");
        }
    }
    // An inventory error in ./nodes.toml names it absolutely.
    std::fs::write(&sample, "[[node]]\nname = \"x\"\nbogus = 1\n").unwrap();
    let (code, _, err) = run(&["list"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("inventory {}:3:1", sample.display())),
        "{err}"
    );
    // -i names the user's file: no notice.
    let (code, _, err) = run(&["-i", own.to_str().unwrap(), "nodes"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(notices(&err), 0, "{err}");
}
