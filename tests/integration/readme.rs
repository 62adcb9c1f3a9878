//! Every example in README.md is run.
//!
//! The convention (also stated in README's "Development" section):
//! - Examples are fenced ```` ```console ```` blocks (indented ones too). Each line
//!   starting with `$ ` is a command, run as written by `bash` (pipes, `~`,
//!   `||` and comments included) with `set -o pipefail`, one after another in
//!   README order, against one throwaway fixture fleet built below: nodes
//!   `pg1` (label `env=prod`), `pg2`, `pg3`, as in README; the inventory at
//!   `~/.config/tenantctl/nodes.toml`, the password in `TENANTCTL_PGPASSWORD`
//!   (the first-run walkthrough), `$NEWPASS` set, and the files the examples
//!   read (`overdue.csv`, `billing-export.csv`, `export.csv`, `paid-today.txt`,
//!   `rotate.txt`) in the working directory. `tenantctl` is the binary under
//!   test, first on `PATH`.
//! - A command must exit 0, unless its comment starts with `# exit N`.
//! - A command whose comment starts with `# not run: <why>` is not run (it
//!   needs a terminal, or installs something); there must be few of them.
//! - Lines under a command up to the next `$ ` line are output that README
//!   shows: each must match a line of the command's output (stdout and
//!   stderr together), in order, other lines may come between them.
//!   Whitespace runs compare equal, and so do any two runs of digits (sizes,
//!   counts, versions); `...` stands for any text.
//! - ```` ```sh ```` blocks hold build and test commands for the machine
//!   (`cargo run --example demo`, `bash scripts/test.sh`, which CI runs itself):
//!   a `tenantctl` command there fails this test, so that no example escapes it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::fixtures::TenantSpec;
use crate::harness::{tenantctl_bin, Cluster, SUPERUSER_PASSWORD};
use crate::world::{Toml, World};

/// One `$ ` line of a console block.
#[derive(Debug)]
struct Example {
    /// README line number (1-based).
    line: usize,
    command: String,
    exit: i32,
    not_run: Option<String>,
    shown: Vec<String>,
}

/// The comment of a command line: after the first `  # ` (two spaces).
fn comment(cmd: &str) -> Option<&str> {
    cmd.find("  # ").map(|i| cmd[i + 4..].trim())
}

fn examples(readme: &str) -> (Vec<Example>, Vec<String>) {
    let mut out: Vec<Example> = Vec::new();
    let mut stray = Vec::new();
    let mut fence: Option<(String, usize)> = None; // (info, indent)
    for (i, raw) in readme.lines().enumerate() {
        let trimmed = raw.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some((info.trim().to_string(), raw.len() - trimmed.len())),
            };
            continue;
        }
        let Some((info, indent)) = &fence else {
            continue;
        };
        let line = raw.get(*indent..).unwrap_or(trimmed);
        match info.as_str() {
            "console" => {
                if let Some(cmd) = line.strip_prefix("$ ") {
                    let c = comment(cmd);
                    let exit = c
                        .and_then(|c| c.strip_prefix("exit "))
                        .and_then(|r| r.split(|ch: char| !ch.is_ascii_digit()).next())
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    out.push(Example {
                        line: i + 1,
                        command: cmd.to_string(),
                        exit,
                        not_run: c
                            .and_then(|c| c.strip_prefix("not run:"))
                            .map(|r| r.trim().to_string()),
                        shown: Vec::new(),
                    });
                } else if !line.trim().is_empty() {
                    match out.last_mut() {
                        Some(e) => e.shown.push(line.to_string()),
                        None => {
                            stray.push(format!("README.md:{}: output before any command", i + 1))
                        }
                    }
                }
            }
            "sh" | "bash" | "shell" => {
                let starts = line.trim_start();
                if starts.starts_with("tenantctl ") || starts.contains("| tenantctl ") {
                    stray.push(format!(
                        "README.md:{}: a tenantctl example in a ```{info} block (use ```console with `$ `): {line}",
                        i + 1
                    ));
                }
            }
            _ => {}
        }
    }
    (out, stray)
}

/// Whitespace runs to one space, digit runs to `0`, trimmed.
fn normalize(s: &str) -> String {
    let mut out = String::new();
    let mut last: Option<char> = None;
    for ch in s.trim().chars() {
        let c = if ch.is_ascii_digit() {
            '0'
        } else if ch.is_whitespace() {
            ' '
        } else {
            ch
        };
        if (c == '0' && last == Some('0') && ch.is_ascii_digit()) || (c == ' ' && last == Some(' '))
        {
            continue;
        }
        out.push(c);
        last = Some(c);
    }
    out
}

/// `actual` matches the shown line `shown` (see the module's convention).
fn matches(shown: &str, actual: &str) -> bool {
    let a = normalize(actual);
    let parts: Vec<String> = shown.split("...").map(normalize).collect();
    let mut rest = a.as_str();
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.trim_end().ends_with(p.as_str());
        } else {
            match rest.find(p.as_str()) {
                Some(j) => rest = &rest[j + p.len()..],
                None => return false,
            }
        }
    }
    parts.len() > 1 || rest.is_empty()
}

#[test]
fn matching_rules() {
    assert!(matches(
        "pg1   acme  suspended  0  8.2 MiB  16.0  27d ago",
        "pg1 acme suspended 0 12.5 MiB 17.0 27d ago"
    ));
    assert!(!matches("pg1 acme active", "pg1 acme suspended"));
    assert!(!matches("pg1 acme", "pg1 acme-eu"));
    assert!(matches("a ... z", "a b c z"));
    assert!(!matches("a ... z", "a b c"));
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// README's fleet ([`fleet`]): its nodes, and the reader's HOME and working
/// directory (inside the world's dir).
struct Fleet {
    w: World,
    home: PathBuf,
    work: PathBuf,
}

impl Fleet {
    fn cluster(&self, node: &str) -> &Cluster {
        self.w.node(node)
    }

    fn env(&self, cmd: &mut Command) {
        let bin_dir = tenantctl_bin().parent().unwrap().to_path_buf();
        cmd.current_dir(&self.work)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("XDG_RUNTIME_DIR", self.home.join("run"))
            .env("TENANTCTL_PGPASSWORD", SUPERUSER_PASSWORD)
            .env("NEWPASS", "correct-horse-battery-9")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env("LANG", "C.UTF-8");
    }

    /// Runs one line as README's reader would, stdout and stderr together.
    fn sh(&self, line: &str) -> (Option<i32>, String) {
        let mut cmd = Command::new("bash");
        cmd.arg("--norc")
            .arg("--noprofile")
            .arg("-c")
            .arg(format!("set -o pipefail\n{{\n{line}\n}} 2>&1"));
        self.env(&mut cmd);
        let o = cmd.output().unwrap();
        let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&o.stderr));
        (o.status.code(), text)
    }
}

/// README's fleet: pg1 (env=prod) with acme (Odoo 16; admin
/// ops@acme.example; suspended 2 minutes ago for 'invoice 2026-0042 unpaid')
/// and globex (17, 9 users); pg2 with initech (19), acme-eu (16) and
/// oldtenant (suspended by the old agent: users off, no record); pg3 with trial-a and trial-b.
/// Last logins 27 days ago.
fn fleet() -> Fleet {
    let last = humantime::format_rfc3339_seconds(
        SystemTime::now() - Duration::from_secs(27 * 86400 + 3600),
    )
    .to_string()
    .replace('T', " ")
    .trim_end_matches('Z')
    .to_string();
    let spec = |major: u32| TenantSpec {
        last_login: Some(last.clone()),
        ..TenantSpec::for_major(major)
    };
    let w = World::builder()
        .default_key("password_env", "TENANTCTL_PGPASSWORD")
        .node("pg1")
        .node_key("labels", Toml::Raw("{ env = \"prod\" }".into()))
        .tenant(
            "acme",
            TenantSpec {
                admin_login: "ops@acme.example".into(),
                ..spec(16)
            },
        )
        .tenant(
            "globex",
            TenantSpec {
                internal_users: 8,
                ..spec(17)
            },
        )
        .node("pg2")
        .tenant("initech", spec(19))
        .tenant("acme-eu", spec(16))
        .tenant(
            "oldtenant",
            TenantSpec {
                suspended_by_old_agent: true,
                ..spec(16)
            },
        )
        // What the old agent did: every user switched off, no record of whom.
        .sql(
            "oldtenant",
            "UPDATE res_users SET active = false WHERE id <> 1",
        )
        .node("pg3")
        .tenant("trial-a", spec(16))
        .tenant("trial-b", spec(16))
        .build();
    let home = w.dir.path().join("home");
    let work = w.dir.path().join("work");
    for d in [&home, &work, &home.join("run")] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::set_permissions(
        home.join("run"),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let cfg = home.join(".config/tenantctl");
    std::fs::create_dir_all(&cfg).unwrap();
    w.inventory.write(&cfg.join("nodes.toml"));
    for (file, text) in [
        ("overdue.csv", "globex\npg2/acme-eu\n"),
        // A real export: a quoted field with a comma (issue 24), which a
        // comma split (`cut -d,`) would shift into the reason.
        (
            "billing-export.csv",
            "tenant,customer,days_overdue,note\ntrial-a,\"Globex, Corp.\",45,trial ended unpaid\n",
        ),
        ("paid-today.txt", "globex\n"),
        (
            "export.csv",
            "database,plan,note\nglobex,pro,card expired\ninitech,basic,\n",
        ),
        ("rotate.txt", "acme\npg2/initech\n"),
    ] {
        std::fs::write(work.join(file), text).unwrap();
    }
    // pg3 runs "Odoo" for `upgrade`: the tests' stand-in for `odoo-bin -u`
    // (tests/integration/upgrade.rs), on pg3's cluster.
    let standin = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/odoo-standin.sh");
    let pg3 = w.node("pg3");
    let words = [
        "sh".to_string(),
        standin.display().to_string(),
        crate::harness::pg_bindir()
            .join("psql")
            .display()
            .to_string(),
        pg3.socket_dir().display().to_string(),
        pg3.port().to_string(),
        w.dir.path().join("filestore").display().to_string(),
    ];
    std::fs::create_dir_all(w.dir.path().join("filestore")).unwrap();
    let inv = cfg.join("nodes.toml");
    let mut text = std::fs::read_to_string(&inv).unwrap();
    let list = words
        .iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let fs = w.dir.path().join("filestore").display().to_string();
    // Its addons path has mail's manifest at the version the stand-in's
    // `-u mail` gives (16.0.1.10 -> 16.0.1.10.1): `-u outdated` finds mail.
    let addons = w.dir.path().join("addons");
    std::fs::create_dir_all(addons.join("mail")).unwrap();
    std::fs::write(
        addons.join("mail/__manifest__.py"),
        "{'name': 'Discuss', 'version': '1.10.1'}\n",
    )
    .unwrap();
    let addons = addons.display().to_string();
    text = text.replacen(
        "name = \"pg3\"",
        &format!(
            "name = \"pg3\"\nfilestore = {fs:?}\nodoo = {{ command = [{list}], addons_path = [{addons:?}] }}"
        ),
        1,
    );
    std::fs::write(&inv, text).unwrap();
    let f = Fleet { w, home, work };
    let (code, out) = f.sh("tenantctl suspend pg1/acme --reason 'invoice 2026-0042 unpaid' --yes");
    assert_eq!(code, Some(0), "{out}");
    let two_min_ago = rfc3339(SystemTime::now() - Duration::from_secs(150));
    f.cluster("pg1").sql(
        "acme",
        &format!(
            "UPDATE ir_config_parameter SET value = '{two_min_ago}' WHERE key = 'tenant.suspended_at'"
        ),
    );
    f
}

#[test]
fn every_readme_example_runs() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (examples, stray) = examples(&readme);
    assert!(stray.is_empty(), "{}", stray.join("\n"));
    assert!(
        examples.len() >= 30,
        "README examples found: {}",
        examples.len()
    );
    let fleet = fleet();
    let mut failures = Vec::new();
    let mut not_run = Vec::new();
    let mut ran = 0;
    for e in &examples {
        if let Some(why) = &e.not_run {
            assert!(
                !why.is_empty(),
                "README.md:{}: not run without a reason",
                e.line
            );
            let cmd = e
                .command
                .split("  # ")
                .next()
                .unwrap_or_default()
                .trim_end();
            not_run.push(format!("README.md:{}: {cmd} ({why})", e.line));
            continue;
        }
        ran += 1;
        let (code, out) = fleet.sh(&e.command);
        if code != Some(e.exit) {
            failures.push(format!(
                "README.md:{}: `{}` exited {code:?}, README expects {}:\n{out}",
                e.line, e.command, e.exit
            ));
            continue;
        }
        let mut lines = out.lines();
        for s in &e.shown {
            if !lines.any(|a| matches(s, a)) {
                failures.push(format!(
                    "README.md:{}: `{}`: the shown line\n  {s}\nis not in its output (in order):\n{out}",
                    e.line, e.command
                ));
                break;
            }
        }
    }
    println!(
        "README examples: {ran} run, {} not run:\n{}",
        not_run.len(),
        not_run.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        not_run.len() <= 5,
        "keep the examples not run few: {not_run:#?}"
    );
    // The examples did what they say (a few spot checks on the fleet).
    let icp = |node: &str, db: &str, key: &str| crate::fixtures::icp(fleet.cluster(node), db, key);
    assert_eq!(
        icp("pg2", "initech", "tenant.suspended").as_deref(),
        Some("true")
    );
    assert_eq!(
        icp("pg1", "acme", "tenant.suspended").as_deref(),
        Some("false")
    );
    assert_eq!(
        icp("pg3", "trial-a", "tenant.suspended").as_deref(),
        Some("true")
    );
    assert_eq!(
        icp("pg3", "trial-a", "tenant.suspended_reason").as_deref(),
        Some("trial ended unpaid"),
        "the reason column of billing-export.csv, quoted fields whole"
    );
    assert_ne!(
        icp("pg3", "trial-b", "tenant.suspended").as_deref(),
        Some("true")
    );
    let secrets = std::fs::read_to_string(fleet.home.join("rotation.csv")).unwrap();
    assert_eq!(
        secrets.lines().filter(|l| l.ends_with(",done")).count(),
        2,
        "{secrets}"
    );
    assert!(fleet
        .home
        .join(".local/share/man/man1/tenantctl-list.1")
        .exists());
}

/// README's first command on a fresh machine, `cargo run --example demo`
/// (issue 24): the demo's binary, built by `cargo test`, runs to the end,
/// every step exits as the demo says, and its user counts agree between
/// `list`, `suspend` and `reactivate`.
#[test]
fn the_demo_runs_and_its_counts_agree() {
    let demo = tenantctl_bin()
        .parent()
        .unwrap()
        .join("examples")
        .join("demo");
    if !demo.exists() {
        panic!(
            "{} is missing: cargo test builds the examples",
            demo.display()
        );
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(&demo)
        .env("HOME", home.path())
        .current_dir(home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}\n{err}");
    // Every step's exit code: 0, but the old agent's suspension (2).
    let exits: Vec<&str> = text.lines().filter(|l| l.starts_with("(exit ")).collect();
    assert_eq!(
        exits,
        [
            "(exit 0)", "(exit 0)", "(exit 0)", "(exit 0)", "(exit 0)", "(exit 2)", "(exit 0)",
            "(exit 0)", "(exit 0)", "(exit 0)"
        ],
        "{text}"
    );
    let all: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("acme has "))
        .and_then(|l| l.rsplit("all ").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count of acme's users: {text}"));
    let users_in = |prefix: &str| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|l| l.split(": ").nth(1))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no line {prefix}: {text}"))
    };
    assert_eq!(users_in("suspended pg1/acme"), all, "{text}");
    // ... and says how many are internal (what `list` counts) and portal.
    let acme = text.lines().find(|l| l.starts_with("acme has ")).unwrap();
    let words: Vec<&str> = acme.split(' ').collect();
    let split = format!("({} internal, {} portal)", words[2], words[5]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("suspended pg1/acme") && l.contains(&split)),
        "{split}: {text}"
    );
    assert_eq!(users_in("reactivated pg1/acme"), all, "{text}");
    assert!(
        text.contains("check ended clean (exit 0)") || text.contains("check ended with problems"),
        "{text}"
    );
}
