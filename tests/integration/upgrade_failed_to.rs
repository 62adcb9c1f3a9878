//! `--failed-to FILE` of the lifecycle bulk runs (`bulk upgrade`, `bulk
//! drop`, `bulk create`): the file names every target not done (failed,
//! refused, unknown, not started after a canary's failure) as the write
//! bulks' file does, and a rerun `--from` it runs exactly those.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use crate::fixtures::TenantSpec;
use crate::upgrade::{version, with_odoo};
use crate::world::World;

/// (tenant, outcome) of a bulk run's results, in input order.
fn outcomes(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["tenant"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const HEAD: &str = "not done (failed, refused, unknown or skipped); rerun with --from this file";

#[test]
fn bulk_upgrade_failed_to_has_the_failed_and_the_canary_stopped_and_reruns_only_those() {
    let names = ["t1", "t2", "t3", "t4"];
    let specs: Vec<(&str, TenantSpec)> = names
        .iter()
        .map(|n| (*n, TenantSpec::for_major(16)))
        .collect();
    let w = with_odoo(
        World::builder()
            .node("n1")
            .tenants(&specs)
            .filestore()
            .build(),
    );
    // An export with a header and a named column, a line that cannot be
    // read (line 4) and an unknown tenant last.
    let list = w.home().join("export.csv");
    std::fs::write(
        &list,
        b"tenant,plan\nt1,a\nt2,b\n\xff\xfe\nt3,c\nt4,d\nnope,e\n",
    )
    .unwrap();
    let failed = w.home().join("failed.csv");
    // A dry run writes no file.
    w.run()
        .args([
            "bulk", "upgrade", "--header", "--column", "tenant", "--from",
        ])
        .arg(&list)
        .args(["-u", "base", "--dry-run", "--failed-to"])
        .arg(&failed)
        .stderr_has("--failed-to: not written by a dry run")
        .any_code()
        .run();
    assert!(!failed.exists());
    // Canaries t1 and t2: t2 fails, so t3, t4 and nope are never started.
    let v = w
        .run()
        .env("TC_STANDIN_FAIL_FOR", "t2")
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "0")
        .args([
            "bulk", "upgrade", "--header", "--column", "tenant", "--from",
        ])
        .arg(&list)
        .args(["-u", "base", "--canary", "2", "--failed-to"])
        .arg(&failed)
        .args(["--yes", "-o", "json"])
        .code(3)
        .stderr_has("failed.csv: 4 targets to rerun")
        .run()
        .json();
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("t1", "upgraded"),
            ("t2", "failed"),
            ("\u{fffd}\u{fffd}", "failed"),
            ("t3", "skipped"),
            ("t4", "skipped"),
            ("nope", "skipped"),
        ]),
        "{v}"
    );
    let text = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(
        text,
        format!(
            "# tenantctl bulk upgrade: 4 targets {HEAD}\nn1/t2\n# {}:4: failed\nn1/t3\nn1/t4\nnope\n",
            list.display()
        )
    );
    assert_eq!(
        std::fs::metadata(&failed).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(version(&w.c, "t1", "base"), "16.0.1.3.1");
    assert_eq!(version(&w.c, "t2", "base"), "16.0.1.3");
    // The rerun from the file (no header now): exactly those, t1 not again.
    let failed2 = w.home().join("failed2.csv");
    let v = w
        .run()
        .env("TENANTCTL_DEBUG_NOW_OFFSET", "10")
        .args(["bulk", "upgrade", "--from"])
        .arg(&failed)
        .args(["-u", "base", "--failed-to"])
        .arg(&failed2)
        .args(["--yes", "-o", "json"])
        .code(3)
        .run()
        .json();
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("t2", "upgraded"),
            ("t3", "upgraded"),
            ("t4", "upgraded"),
            ("nope", "refused"),
        ]),
        "{v}"
    );
    for t in names {
        assert_eq!(version(&w.c, t, "base"), "16.0.1.3.1", "{t}");
    }
    assert_eq!(
        std::fs::read_to_string(&failed2).unwrap(),
        format!("# tenantctl bulk upgrade: 1 target {HEAD}\nnope\n")
    );
}

#[test]
fn bulk_drop_failed_to_reruns_only_the_refused() {
    let w = World::builder()
        .node("n1")
        .tenants(&[
            ("d1", TenantSpec::for_major(16)),
            ("d2", TenantSpec::for_major(16)),
            ("d3", TenantSpec::for_major(16)),
        ])
        .build();
    for t in ["d1", "d3"] {
        w.c.sql(
            t,
            "INSERT INTO ir_config_parameter (key, value) VALUES ('tenant.suspended', 'true')",
        );
    }
    let list = w.home().join("closing.txt");
    std::fs::write(&list, "d1\nn1/d2\nd3\n").unwrap();
    let failed = w.home().join("failed.txt");
    // d2 is not suspended: refused, the only line of the file.
    let v = w
        .run()
        .args(["bulk", "drop", "--no-filestore", "--from"])
        .arg(&list)
        .arg("--failed-to")
        .arg(&failed)
        .args(["--yes", "-o", "json"])
        .code(3)
        .run()
        .json();
    assert_eq!(
        outcomes(&v),
        pairs(&[("d1", "changed"), ("d2", "refused"), ("d3", "changed")]),
        "{v}"
    );
    assert_eq!(
        std::fs::read_to_string(&failed).unwrap(),
        format!("# tenantctl bulk drop: 1 target {HEAD}\nn1/d2\n")
    );
    let v = w
        .run()
        .args(["bulk", "drop", "--no-filestore", "--force", "--from"])
        .arg(&failed)
        .args(["--yes", "-o", "json"])
        .run()
        .json();
    assert_eq!(outcomes(&v), pairs(&[("d2", "changed")]), "{v}");
    assert!(!w.c.db_exists("d2"));
}

#[test]
fn bulk_create_failed_to_writes_the_lines_not_done_whole() {
    let w = World::builder()
        .node("n1")
        .tenant("tmpl12", TenantSpec::for_major(12))
        .tenant("taken", TenantSpec::for_major(12))
        .files("tmpl12")
        .default_key("base_url", "https://{tenant}.example.com")
        .build();
    let csv = w.home().join("new.csv");
    std::fs::write(
        &csv,
        "name,admin_login,company\nn1/alpha,ops@alpha.example,Alpha\n\
         taken,x@y.example,\"Z, Ltd\"\nnope/beta,,Beta\n",
    )
    .unwrap();
    let failed = w.home().join("failed.csv");
    let create = |from: &std::path::Path, secrets: &str, code: i32| -> Value {
        w.run()
            .args(["bulk", "create", "--from"])
            .arg(from)
            .args(["--template", "tmpl12", "--secrets-file"])
            .arg(w.home().join(secrets))
            .arg("--failed-to")
            .arg(&failed)
            .args(["--yes", "-o", "json"])
            .args(if from == csv { &["--header"][..] } else { &[] })
            .code(code)
            .run()
            .json()
    };
    let v = create(&csv, "s1.csv", 3);
    assert_eq!(
        outcomes(&v),
        pairs(&[
            ("alpha", "changed"),
            ("taken", "refused"),
            ("nope/beta", "refused")
        ]),
        "{v}"
    );
    // Name, login and company as read (quoted again), no header.
    assert_eq!(
        std::fs::read_to_string(&failed).unwrap(),
        format!(
            "# tenantctl bulk create: 2 targets {HEAD}\ntaken,x@y.example,\"Z, Ltd\"\nnope/beta,,Beta\n"
        )
    );
    // `taken` freed, the rerun creates it with its login and company, and
    // not alpha again.
    w.c.sql("postgres", "DROP DATABASE taken");
    let retry = w.home().join("retry.csv");
    std::fs::rename(&failed, &retry).unwrap();
    let v = create(&retry, "s2.csv", 3);
    assert_eq!(
        outcomes(&v),
        pairs(&[("taken", "changed"), ("nope/beta", "refused")]),
        "{v}"
    );
    assert_eq!(w.c.sql("taken", "SELECT name FROM res_company"), "Z, Ltd");
    assert_eq!(
        std::fs::read_to_string(&failed).unwrap(),
        format!("# tenantctl bulk create: 1 target {HEAD}\nnope/beta,,Beta\n")
    );
}
