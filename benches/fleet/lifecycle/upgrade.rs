//! The upgrade rows (issue 27): `tenantctl upgrade` of a real-sized tenant
//! against the shell loop that does the same steps
//! (benches/upgrade-loop.sh), with the tests' stand-in for `odoo-bin -u`
//! (tests/integration/odoo-standin.sh) as Odoo; the stand-in's own run and
//! the bare copy (`CREATE DATABASE .. TEMPLATE` + `cp -al`) measured beside
//! them, so that what tenantctl adds beyond Odoo and the copy is seen.

use super::*;

fn standin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/odoo-standin.sh")
}

/// The Odoo command: the stand-in on cluster `c`, filestore `fs`.
fn odoo_words(c: &Cluster, fs: &Path) -> Vec<String> {
    vec![
        "sh".into(),
        standin().display().to_string(),
        crate::harness::pg_bindir()
            .join("psql")
            .display()
            .to_string(),
        c.socket_dir().display().to_string(),
        c.port().to_string(),
        fs.display().to_string(),
    ]
}

/// A tenant `db` copied from `tmpl` with its filestore (set-up, not timed).
fn tenant_from(c: &Cluster, fs: &Path, db: &str, tmpl: &str, work: &Path) {
    ok(
        "set-up copy",
        bare_copy(c.host(), c.port(), db, tmpl, fs, work),
    );
}

/// Appends the rows and a note; `inv` gets the node's `odoo` table.
#[allow(clippy::too_many_arguments)]
pub(super) fn rows(
    c: &Cluster,
    fs: &Path,
    home: &Path,
    inv: &Path,
    work: &Path,
    runs: usize,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) {
    let words = odoo_words(c, fs);
    let list = words
        .iter()
        .map(|w| format!("{w:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = std::fs::read_to_string(inv).unwrap();
    text.push_str(&format!("\n[defaults.odoo]\ncommand = [{list}]\n"));
    std::fs::write(inv, text).unwrap();
    let tmpl = "uptmpl";
    fixtures::create_tenant(c, tmpl, &bench_spec());
    sized::add_tables(c, tmpl, sized::EXTRA_TABLES);
    c.sql(tmpl, "VACUUM ANALYZE");
    c.sql("postgres", "CHECKPOINT");
    write_filestore(&fs.join(tmpl), FILES, 9);
    let mb = size_mb(c, tmpl);
    let (mut copy, mut odoo, mut tc, mut sh) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        // The copy alone.
        let b = format!("upbare{i}");
        copy.push(
            ok(
                "bare copy",
                bare_copy(c.host(), c.port(), &b, tmpl, fs, work),
            )
            .wall,
        );
        // The stand-in alone, on that copy.
        let mut cmd = Command::new(&words[0]);
        cmd.args(&words[1..])
            .args(["-d", &b, "-u", "base", "--stop-after-init"]);
        odoo.push(ok("the stand-in", run(&mut cmd, work, None)).wall);
        drop_db(c, fs, &b);
        // tenantctl and the loop, each on its own tenant, in alternating order.
        let (a, l) = (format!("upa{i}"), format!("upl{i}"));
        tenant_from(c, fs, &a, tmpl, work);
        tenant_from(c, fs, &l, tmpl, work);
        let mut order = [true, false];
        if i % 2 == 1 {
            order.reverse();
        }
        for ours in order {
            if ours {
                let r = ok(
                    "tenantctl upgrade",
                    run(
                        &mut tenantctl(
                            home,
                            inv,
                            &["-o", "json", "upgrade", &a, "-u", "base", "--yes"],
                        ),
                        work,
                        None,
                    ),
                );
                tc.push(r.wall);
            } else {
                let log = work.join("upgrade-loop.log");
                let mut cmd = Command::new("bash");
                cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/upgrade-loop.sh"))
                    .args([&l, &format!("{l}.up"), &format!("{l}.pre")])
                    .arg(fs)
                    .arg(&log)
                    .args(&words);
                sh.push(ok("the shell loop", run(pg_env(&mut cmd, c), work, None)).wall);
            }
        }
        for db in c.column(
            "postgres",
            &format!("SELECT datname FROM pg_database WHERE datname LIKE 'up_{i}%' OR datname LIKE 'upa{i}.%' OR datname LIKE 'upl{i}.%'"),
        ) {
            drop_db(c, fs, &db);
        }
    }
    let (mc, mo, mt, ms) = (median(copy), median(odoo), median(tc), median(sh));
    let size = format!("{mb:.0} MB tenant");
    rows.push(Row {
        op: format!("upgrade ({size})"),
        tool: "Odoo's run alone (the stand-in for `odoo-bin -u`)".into(),
        wall: mo,
        note: String::new(),
    });
    rows.push(Row {
        op: format!("upgrade ({size})"),
        tool: "bare `CREATE DATABASE .. TEMPLATE` + `cp -al`".into(),
        wall: mc,
        note: String::new(),
    });
    rows.push(Row {
        op: format!("upgrade ({size})"),
        tool: "shell loop: block, copy, Odoo, check, swap (benches/upgrade-loop.sh)".into(),
        wall: ms,
        note: format!("{} s beyond Odoo's run", secs(ms - mo)),
    });
    rows.push(Row {
        op: format!("upgrade ({size})"),
        tool: "`tenantctl upgrade -u base --yes`".into(),
        wall: mt,
        note: format!(
            "{:.2}x the loop; {} s beyond Odoo's run = the copy + {:.0} %",
            mt / ms,
            secs(mt - mo),
            100.0 * ((mt - mo) / mc - 1.0)
        ),
    });
    notes.push(format!(
        "`upgrade`: what tenantctl adds beyond Odoo's own run is {} s against the bare copy's {} s \
         and the shell loop's {} s (medians of {runs} runs, tenantctl and the loop in alternating order).",
        secs(mt - mo),
        secs(mc),
        secs(ms - mo)
    ));
}
