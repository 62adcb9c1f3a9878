//! `upgrade -u outdated` and the manifest check (issue 27): the manifests
//! in the node's `odoo.addons_path`, read as Python literals (never
//! executed) where Odoo runs, against each module's `latest_version`. Odoo
//! is the stand-in `odoo-standin.sh`, told by `TC_STANDIN_VERSIONS` which
//! version each module's code would give it.

use std::path::{Path, PathBuf};

use crate::upgrade::{dbs_like, same, state, version, world};
use crate::world::World;

/// Writes `<dir>/<module>/<file>` with `text`.
fn manifest(dir: &Path, module: &str, file: &str, text: &str) {
    std::fs::create_dir_all(dir.join(module)).unwrap();
    std::fs::write(dir.join(module).join(file), text).unwrap();
}

/// Two addons paths: `a` (first) and `b`. The tenant (Odoo 16) has base
/// 16.0.1.3, mail 16.0.1.10, web, contacts and portal 16.0.1.0, and other
/// modules in no path.
fn addons(w: &World) -> (PathBuf, PathBuf) {
    let (a, b) = (w.home().join("addons a"), w.home().join("addons-b"));
    manifest(
        &a,
        "base",
        "__manifest__.py",
        "{'name': 'Base', 'version': '1.3'}",
    );
    manifest(
        &a,
        "web",
        "__manifest__.py",
        "# -*- coding: utf-8 -*-\n{\n    'name': 'Web',\n    'version': '1.' '1',  # newer\n    'depends': ['base',],\n}\n",
    );
    // The first path wins: this one is never read.
    manifest(&b, "web", "__manifest__.py", "{'version': '9.0'}");
    // 1.9 < 1.10 as Odoo compares versions (not as text).
    manifest(&a, "mail", "__manifest__.py", "{'version': '16.0.1.9'}");
    // No version: Odoo's default 1.0, which the tenant has.
    manifest(&b, "contacts", "__manifest__.py", "{'name': \"Contacts\"}");
    // The old manifest name, still read by Odoo.
    manifest(&b, "portal", "__openerp__.py", "{'version': u'''1.0.1'''}");
    (a, b)
}

/// The inventory's `odoo` table names `paths`.
fn with_paths(w: &World, paths: &[&Path]) {
    let list = paths
        .iter()
        .map(|p| format!("{:?}", p.display().to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    let text = std::fs::read_to_string(&w.inv).unwrap();
    assert!(text.trim_end().ends_with("timeout = \"2m\""), "{text}");
    std::fs::write(&w.inv, format!("{text}addons_path = [{list}]\n")).unwrap();
}

fn versions_file(w: &World, lines: &str) -> PathBuf {
    let f = w.home().join("versions.txt");
    std::fs::write(&f, lines).unwrap();
    f
}

#[test]
fn outdated_upgrades_exactly_the_modules_whose_manifest_is_newer() {
    let w = world();
    let (a, b) = addons(&w);
    with_paths(&w, &[&a, &b]);
    let vf = versions_file(&w, "portal 16.0.1.0.1\nweb 16.0.1.1\n");
    let args = w.home().join("standin.args");
    // The dry run shows the resolved list and the modules in no path.
    let ran = w
        .run()
        .args([
            "upgrade",
            "acme",
            "-u",
            "outdated",
            "--dry-run",
            "-o",
            "json",
        ])
        .json_at("/outcome", "would-change")
        .run();
    let v = ran.json();
    assert_eq!(v["modules"], serde_json::json!(["portal", "web"]));
    assert!(ran.stdout.contains("-u portal,web"), "{}", ran.stdout);
    let warned = v["warnings"].to_string();
    assert!(
        warned.contains("in no addons path") && warned.contains("bus"),
        "{warned}"
    );
    assert!(!args.exists());
    let v = w
        .run()
        .env("TC_STANDIN_ARGS", &args)
        .env("TC_STANDIN_VERSIONS", &vf)
        .args(["upgrade", "acme", "-u", "outdated", "--yes", "-o", "json"])
        .json_at("/outcome", "upgraded")
        .run()
        .json();
    assert_eq!(v["modules"], serde_json::json!(["portal", "web"]));
    // Odoo was given exactly those.
    let got = std::fs::read_to_string(&args).unwrap();
    assert!(got.contains("-u\nportal,web\n"), "{got}");
    assert_eq!(version(&w.c, "acme", "web"), "16.0.1.1");
    assert_eq!(version(&w.c, "acme", "portal"), "16.0.1.0.1");
    assert_eq!(version(&w.c, "acme", "mail"), "16.0.1.10");
    // Now every module is at its manifest version: nothing is touched (no
    // block, no copy, no Odoo run).
    std::fs::remove_file(&args).unwrap();
    let before = state(&w.c, "acme");
    let dbs = w.dbs();
    w.run()
        .env("TC_STANDIN_ARGS", &args)
        .args(["upgrade", "acme", "-u", "outdated", "--yes"])
        .stdout_has("nothing to upgrade: every installed module is at its manifest version")
        .run();
    assert!(!args.exists(), "Odoo ran");
    same(&w.c, "acme", &before, "nothing outdated");
    assert_eq!(w.dbs(), dbs);
    // bulk upgrade takes it too.
    let list = w.home().join("tenants.txt");
    std::fs::write(&list, "acme\n").unwrap();
    w.run()
        .args(["bulk", "upgrade", "--from"])
        .arg(&list)
        .args(["-u", "outdated", "--yes", "-o", "json"])
        .json_at("/results/0/outcome", "unchanged")
        .run();
    same(&w.c, "acme", &before, "bulk, nothing outdated");
}

#[test]
fn a_run_that_leaves_a_module_below_its_manifest_is_not_swapped_in() {
    let w = world();
    let (a, b) = addons(&w);
    manifest(&a, "mail", "__manifest__.py", "{'version': '1.11'}");
    with_paths(&w, &[&a, &b]);
    // Odoo exits 0 but mail's code was not the one the manifest names.
    let vf = versions_file(&w, "web 16.0.1.1\n");
    let before = state(&w.c, "acme");
    let ran = w
        .run()
        .env("TC_STANDIN_VERSIONS", &vf)
        .args(["upgrade", "acme", "-u", "web,mail", "--yes", "-o", "json"])
        .code(1)
        .json_at("/outcome", "failed")
        .run();
    let err = ran.json()["error"].as_str().unwrap().to_string();
    assert!(
        err.contains("module mail is at 16.0.1.10 after the run, its manifest says 16.0.1.11"),
        "{err}"
    );
    assert!(!err.contains("module web"), "{err}");
    same(&w.c, "acme", &before, "after a rejected run");
    let kept = dbs_like(&w, "upgrade-failed");
    assert_eq!(kept.len(), 1, "{kept:?}");
    // `-u all`: every installed module a path holds is checked; those in
    // no path (bus, ...) are not.
    let vf = versions_file(
        &w,
        "base 16.0.1.3\nweb 16.0.1.1\ncontacts 16.0.1.0\nportal 16.0.1.0.1\n",
    );
    let ran = w
        .run()
        .env("TC_STANDIN_VERSIONS", &vf)
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["upgrade", "acme", "-u", "all", "--yes", "-o", "json"])
        .code(1)
        .run();
    let problems = ran.json()["problems"].to_string();
    assert!(
        problems.contains("module mail is at 16.0.1.10 after the run, its manifest says 16.0.1.11"),
        "{problems}"
    );
    assert_eq!(problems.matches("after the run").count(), 1, "{problems}");
    same(&w.c, "acme", &before, "after a rejected -u all");
}

#[test]
fn hostile_manifests_are_refused_and_never_executed() {
    let w = world();
    let (a, b) = addons(&w);
    let pwned = w.home().join("pwned");
    let before = state(&w.c, "acme");
    let dbs = w.dbs();
    // Without addons paths there is nothing to compare with.
    w.run()
        .args(["upgrade", "acme", "-u", "outdated", "--yes"])
        .code(2)
        .stderr_has("needs odoo.addons_path")
        .run();
    with_paths(&w, &[&a, &b]);
    let deep = "{'version': '1.1', 'x': ".to_string() + &"[".repeat(5000) + &"]".repeat(5000) + "}";
    let huge = format!(
        "{{'version': '1.1', 'description': '{}'}}",
        "x".repeat(2 << 20)
    );
    for (text, why) in [
        (
            format!(
                "{{'version': __import__('os').system('touch {}')}}",
                pwned.display()
            ),
            "not a literal (a call): __import__",
        ),
        (deep, "nested deeper than"),
        (huge, "larger than"),
    ] {
        manifest(&a, "web", "__manifest__.py", &text);
        w.run()
            .args(["upgrade", "acme", "-u", "outdated", "--yes"])
            .code(2)
            .stderr_has(&format!("{}/web/__manifest__.py: refused", a.display()))
            .stderr_has(why)
            .stderr_has("never executed")
            .run();
    }
    assert!(!pwned.exists());
    same(&w.c, "acme", &before, "after the refusals");
    assert_eq!(w.dbs(), dbs);
}

#[test]
fn outdated_reads_the_manifests_on_the_nodes_ssh_host() {
    use crate::harness::Sshd;
    use crate::world::{Inventory, Ssh};
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let w = world();
    let (a, b) = addons(&w);
    let vf = versions_file(&w, "portal 16.0.1.0.1\nweb 16.0.1.1\n");
    let run = tempfile::Builder::new()
        .prefix("tu")
        .tempdir_in("/tmp")
        .unwrap();
    let text = std::fs::read_to_string(&w.inv).unwrap();
    let odoo = text[text.find("[defaults.odoo]").unwrap()..].to_string();
    let odoo = odoo.replacen(
        "command = [",
        &format!(
            "command = [\"env\", \"TC_STANDIN_VERSIONS={}\", ",
            vf.display()
        ),
        1,
    );
    let inv = w.write_inventory(
        "ssh.toml",
        &Inventory::default()
            .default_key("filestore", w.fs.as_path())
            .node_at("s1", "127.0.0.1", w.c.port())
            .node_ssh(Ssh::to(&sshd))
            .extra(&format!(
                "{odoo}host = \"node\"\naddons_path = [{:?}, {:?}]\n",
                a.display().to_string(),
                b.display().to_string()
            )),
    );
    // Sessions sshd starts on the one master: the manifests are read by one.
    let sessions = || sshd.log().matches("Starting session: command").count();
    let dry = |modules: &str| {
        let s0 = sessions();
        crate::run::Run::new(w.home())
            .env("XDG_RUNTIME_DIR", run.path())
            .inv(&inv)
            .args([
                "upgrade",
                "s1/acme",
                "-u",
                modules,
                "--dry-run",
                "-o",
                "json",
            ])
            .json_at("/outcome", "would-change")
            .run();
        sessions() - s0
    };
    assert_eq!(dry("outdated"), dry("web") + 1, "{}", sshd.log());
    let v = crate::run::Run::new(w.home())
        .env("XDG_RUNTIME_DIR", run.path())
        .inv(&inv)
        .args([
            "upgrade", "s1/acme", "-u", "outdated", "--yes", "-o", "json",
        ])
        .json_at("/outcome", "upgraded")
        .json_at("/via", "ssh")
        .run()
        .json();
    assert_eq!(v["modules"], serde_json::json!(["portal", "web"]));
    assert_eq!(version(&w.c, "acme", "web"), "16.0.1.1");
}
