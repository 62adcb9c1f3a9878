//! Issue 24, "80 columns, the usual width over ssh": tables, the bulk
//! progress bar and the Ctrl-C notice fit an 80-column terminal (a pty of
//! 80 columns, `COLUMNS=80`); `--help` examples never wrap at 80 or 100
//! columns; `--no-headers` applies to `-o csv`; after the first Ctrl-C the
//! tenants in flight are named with their deadline.

use std::time::{Duration, Instant};

use crate::faults::hold_tenant_lock;
use crate::fixtures::{create_tenant, tenants_on_one_node, TenantSpec};
use crate::harness::{stdout_of, tenantctl, tenantctl_bin, tenantctl_on, write_inventory, Cluster};
use crate::ux::{have_script, on_a_terminal};

/// What a terminal of 80 columns was sent, as the lines the program wrote:
/// split at line feeds and carriage returns, escape sequences (colour,
/// cursor moves, line erasing) removed.
fn written_lines(screen: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = screen.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte; other escapes: ESC + one char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else {
            plain.push(c);
        }
    }
    // `^C` is the terminal's echo of the keystroke, not the program's.
    plain
        .replace("^C", "")
        .split(['\n', '\r'])
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// No line of `screen` (see [`written_lines`]) that `keep` selects is wider
/// than 80 columns.
fn assert_fits_80(what: &str, screen: &str, keep: impl Fn(&str) -> bool) {
    for l in written_lines(screen).into_iter().filter(|l| keep(l)) {
        assert!(
            l.chars().count() <= 80,
            "{what}: a line of {} columns wraps at 80: {l:?}\n{screen}",
            l.chars().count()
        );
    }
}

/// `list --status suspended`: with a long tenant name the key columns and
/// the free ones at their headers' width were 84 columns; the free column
/// that does not fit is left out (`-o wide` has it), no row wraps.
#[test]
fn list_of_suspended_tenants_fits_80_columns() {
    if !have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let long = "wayne-enterprises";
    let (_c, dir, inv) = tenants_on_one_node("l80", "pg1", &[long, "acme"]);
    tenantctl_on(&inv)
        .env("XDG_STATE_HOME", dir.path())
        .args([
            "suspend",
            long,
            "--reason",
            "invoice 2026-0042 unpaid",
            "--yes",
        ])
        .assert()
        .success();
    let (code, screen) = on_a_terminal(&inv, dir.path(), "list --status suspended", "");
    assert_eq!(code, Some(0), "{screen}");
    assert_fits_80("list --status suspended", &screen, |_| true);
    let lines = written_lines(&screen);
    assert!(lines[0].starts_with("NODE  TENANT"), "{screen}");
    let row = lines
        .iter()
        .find(|l| l.contains(long))
        .unwrap_or_else(|| panic!("the whole name on one line: {screen}"));
    assert!(row.contains("suspended") && row.contains("pg1"), "{row}");
    assert!(
        screen.contains("REASON") && row.contains("invoice"),
        "the reason is what a list of suspended tenants is for: {screen}"
    );
    // -o wide: every column, nothing cut.
    let (_, screen) = on_a_terminal(&inv, dir.path(), "list --status suspended -o wide", "");
    assert!(
        screen.contains("ODOO") && screen.contains("invoice 2026-0042 unpaid"),
        "{screen}"
    );
}

/// `--no-headers` drops the CSV header line of `list`, `check` and `show`.
#[test]
fn no_headers_applies_to_csv() {
    let (_c, _dir, inv) = tenants_on_one_node("nh", "n1", &["acme"]);
    for (args, header) in [
        (vec!["list"], "node,tenant,status"),
        (vec!["check"], "node,via,ok"),
        (vec!["show", "acme"], "id,login,name"),
    ] {
        let code = if args[0] == "check" { None } else { Some(0) };
        let run = |extra: &[&str]| {
            let mut cmd = tenantctl_on(&inv);
            cmd.args(extra).args(&args).args(["-o", "csv"]);
            match code {
                Some(c) => stdout_of(&mut cmd, c),
                None => String::from_utf8(cmd.output().unwrap().stdout).unwrap(),
            }
        };
        let with = run(&[]);
        assert!(with.starts_with(header), "{args:?}: {with}");
        let without = run(&["--no-headers"]);
        assert!(
            !without.contains(header) && !without.is_empty(),
            "{args:?} --no-headers -o csv: {without}"
        );
        assert_eq!(
            without.lines().count() + 1,
            with.lines().count(),
            "{args:?}: only the header goes: {without}"
        );
    }
}

/// Every subcommand's `--help`, rendered at 80 and at 100 columns: each line
/// of its Examples block is shorter than 80 columns, and a line indented
/// deeper than an example follows one that ends with `\` (clap wrapping a
/// long example put `--dry-run` alone on the next line).
#[test]
fn help_examples_never_wrap_at_80_or_100_columns() {
    let dir = tempfile::tempdir().unwrap();
    let a = tenantctl()
        .arg("man")
        .arg("--dir")
        .arg(dir.path())
        .assert()
        .success();
    let _ = a;
    let mut commands: Vec<Vec<String>> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|n| {
            n.strip_suffix(".1")
                .map(|n| n.split('-').skip(1).map(String::from).collect())
        })
        .collect();
    commands.sort();
    assert!(commands.len() > 20, "{commands:?}");
    let mut with_examples = 0;
    for cmd in &commands {
        for cols in ["80", "100"] {
            let o = tenantctl()
                .env("COLUMNS", cols)
                .env("LINES", "24")
                .args(cmd)
                .arg("--help")
                .assert()
                .success();
            let help = String::from_utf8(o.get_output().stdout.clone()).unwrap();
            let mut lines = help
                .lines()
                .skip_while(|l| l.trim_end() != "Examples:")
                .skip(1)
                .take_while(|l| !l.trim().is_empty());
            let mut previous: Option<&str> = None;
            let mut any = false;
            for l in lines.by_ref() {
                any = true;
                assert!(
                    l.chars().count() < 80,
                    "`tenantctl {} --help` at {cols} columns: example line of {} columns: {l:?}\n{help}",
                    cmd.join(" "),
                    l.chars().count()
                );
                let continued = previous.is_some_and(|p| p.trim_end().ends_with('\\'));
                let example = l.starts_with("  ") && !l.starts_with("   ");
                assert!(
                    example || (continued && l.starts_with("    ")),
                    "`tenantctl {} --help` at {cols} columns: a wrapped example line: {l:?}\n{help}",
                    cmd.join(" ")
                );
                previous = Some(l);
            }
            with_examples += usize::from(any);
        }
    }
    assert!(with_examples > 30, "{with_examples} helps with examples");
}

/// `bulk suspend` on an 80-column terminal, one tenant at a time, the last
/// one's tenant lock held by another session: the bar (long names in its
/// message) never wraps; Ctrl-C while the last tenant waits for its lock
/// prints the notice whole, and the bar then names the tenant in flight and
/// its deadline instead of an ETA.
#[test]
fn bulk_progress_and_ctrl_c_fit_80_columns_and_name_the_tenant_in_flight() {
    if !have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let c = Cluster::start("b80");
    let names: Vec<String> = (1..=4)
        .map(|i| format!("globex-corporation-eu-west-production-{i:02}"))
        .collect();
    for n in &names {
        create_tenant(&c, n, &TenantSpec::default());
    }
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[("n1", &c)], "statement_timeout = \"4s\"\n");
    let (mut holder, holder_stdin) = hold_tenant_lock(&c, &names[3]);
    let waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
    let command = format!(
        "exec {} -i {} --concurrency 1 bulk suspend --all-matching --reason unpaid --yes",
        tenantctl_bin().display(),
        inv.display()
    );
    let mut tty = crate::harness::tty::Tty::start(&command, dir.path());
    let t0 = Instant::now();
    while c.sql(&names[3], waiting) != "1" {
        assert!(t0.elapsed() < Duration::from_secs(60), "never waited");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The last tenant waits on its lock (in flight, whatever order the run
    // took): Ctrl-C (the terminal sends SIGINT), then the stopping line
    // naming it is drawn; the run ends at its deadline.
    tty.type_bytes(b"\x03");
    tty.wait_for("stopping, deadline in ");
    let (code, screen) = tty.close();
    let _ = holder.kill();
    let _ = holder.wait();
    drop(holder_stdin);
    assert_eq!(code, Some(130), "{screen}");
    // The bar, the notice, the stopping line and the results table (the
    // plan's list of names and the summary are text that may wrap).
    assert_fits_80("bulk suspend", &screen, |l| {
        l.contains(['█', '░'])
            || l.starts_with("stopping, ")
            || l.contains("interrupted")
            || l.starts_with("NODE ")
            || l.starts_with("n1 ")
    });
    let lines = written_lines(&screen);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("interrupted") && l.contains("Ctrl-C again")),
        "the notice, whole: {lines:#?}"
    );
    let who = format!("n1/{}", names[3]);
    let stopping = lines
        .iter()
        .find(|l| l.starts_with("stopping, deadline in "))
        .unwrap_or_else(|| panic!("a stopping line: {lines:#?}"));
    assert!(stopping.ends_with(&format!("s: {who}")), "{stopping}");
    assert!(
        !lines
            .iter()
            .skip_while(|l| !l.starts_with("stopping, "))
            .any(|l| l.contains("ETA")),
        "no ETA once stopping: {lines:#?}"
    );
}
