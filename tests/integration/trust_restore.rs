//! Issue 22, items 1–3: a customer's backup file is written by an attacker
//! until proven otherwise. Its psql meta-commands never run, its SQL runs
//! in a session of a role that is not a superuser, and what it makes (and
//! what `move` copies) belongs to the tenant's Odoo role. Against real
//! PostgreSQL, with tenantctl connected as the superuser `postgres` (common
//! and supported) and tenants owned by the non-superuser role `odoo`.

use std::path::{Path, PathBuf};

use crate::backup::{
    assert_owned_by_odoo, env, loader_roles, owners_and_odoo_reads, plain_dump, write_odoo_zip,
    Env, ODOO_PASSWORD, ODOO_ROLE,
};
use crate::fixtures::{create_tenant_owned, TenantSpec};
use crate::harness::{pg_bindir, quote_literal, tenantctl_with_home, SUPERUSER_PASSWORD};

/// `acme`'s own dump (plain, `--no-owner`, as Odoo's database manager makes
/// it), with `before` in front and `after` behind.
fn dump_with(t: &Env, before: &str, after: &str) -> Vec<u8> {
    let mut out = before.as_bytes().to_vec();
    out.extend_from_slice(&plain_dump(t, "acme"));
    out.extend_from_slice(after.as_bytes());
    out
}

fn is_superuser(t: &Env, role: &str) -> bool {
    t.c.sql(
        "postgres",
        &format!(
            "SELECT rolsuper FROM pg_roles WHERE rolname = {}",
            quote_literal(role)
        ),
    ) == "t"
}

/// What the node has besides the tenants: nothing of a failed restore may
/// stay (databases, filestore directories, loader roles).
fn nothing_left(t: &Env, before: &(Vec<String>, Vec<String>)) {
    assert_eq!(&(t.dbs(), t.fs_entries()), before);
    assert_eq!(loader_roles(&t.c), Vec::<String>::new());
}

fn zip_of(t: &Env, name: &str, dump: &[u8]) -> PathBuf {
    let f = t.out.join(name);
    write_odoo_zip(&f, dump);
    f
}

/// A second tenant whose admin login the file tries to change.
fn with_beta(t: &Env) {
    create_tenant_owned(&t.c, "beta", &TenantSpec::for_major(16), ODOO_ROLE);
}

fn beta_admin(t: &Env) -> String {
    t.c.sql("beta", "SELECT login FROM res_users WHERE id = 2")
}

#[test]
fn restore_runs_no_psql_command_of_a_customers_file() {
    let t = env();
    with_beta(&t);
    let admin = beta_admin(&t);
    let before = (t.dbs(), t.fs_entries());
    let pwned = t.dir.path().join("pwned");
    let p = pwned.display().to_string();
    // A whole line, the first of the file; one after a statement on the
    // same line (psql takes a backslash anywhere outside quotes); one that
    // tries to lift tenantctl's own \restrict; \connect to another tenant.
    let cases: Vec<(&str, String, &str)> = vec![
        ("first-line", format!("\\! id > {p}\n"), "line 1"),
        ("mid-line", format!("SELECT 1; \\! id > {p}\n"), "line 1"),
        // (a lone `\unrestrict KEY` line reads as pg_dump's own and is left
        // out: the `\!` after it is line 2)
        (
            "unrestrict",
            format!("\\unrestrict x\n\\! id > {p}\n"),
            "line 2",
        ),
        (
            "connect",
            "\\connect beta\nUPDATE res_users SET login = 'owned' WHERE id = 2;\n".to_string(),
            "line 1",
        ),
        ("output", format!("\\o {p}\nSELECT 1;\n"), "line 1"),
    ];
    for (label, head, line) in cases {
        let f = zip_of(&t, &format!("{label}.zip"), &dump_with(&t, &head, ""));
        let (code, r, err) = t.restore("n1/evil", &f, "--copy");
        assert_eq!(code, Some(2), "{label}: {err} {r}");
        let msg = r["error"].as_str().unwrap_or_default();
        assert!(
            msg.contains("meta-command") && msg.contains(line),
            "{label}: {msg}"
        );
        assert!(!pwned.exists(), "{label}: the file's shell command ran");
        assert_eq!(beta_admin(&t), admin, "{label}");
        nothing_left(&t, &before);
    }
    // At the end of a genuine dump too (after pg_dump's own \unrestrict).
    let f = zip_of(
        &t,
        "tail.zip",
        &dump_with(&t, "", &format!("\\! id > {p}\n")),
    );
    let (code, r, _) = t.restore("n1/evil", &f, "--copy");
    assert_eq!(code, Some(2), "{r}");
    assert!(!pwned.exists());
    nothing_left(&t, &before);
}

#[test]
fn restore_runs_a_files_sql_as_a_role_that_is_not_a_superuser() {
    let t = env();
    let before = (t.dbs(), t.fs_entries());
    let touched = t.dir.path().join("from-copy-program");
    // Statements only a superuser may run: each fails in the loader's
    // session, and the restore is undone.
    for (label, sql) in [
        ("alter-role", "ALTER ROLE odoo SUPERUSER;\n".to_string()),
        (
            "copy-program",
            format!(
                "COPY (SELECT 1) TO PROGRAM {};\n",
                quote_literal(&format!("touch {}", touched.display()))
            ),
        ),
        (
            "event-trigger",
            "CREATE FUNCTION public.et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n\
             CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION public.et();\n"
                .to_string(),
        ),
        ("create-role", "CREATE ROLE intruder LOGIN SUPERUSER;\n".to_string()),
    ] {
        let f = zip_of(&t, &format!("{label}.zip"), &dump_with(&t, "", &sql));
        let (code, r, err) = t.restore("n1/evil", &f, "--move");
        assert_eq!(code, Some(1), "{label}: {err} {r}");
        assert!(
            r["error"].as_str().unwrap_or_default().contains("permission denied")
                || r["error"].as_str().unwrap_or_default().contains("must be superuser")
                || r["error"].as_str().unwrap_or_default().contains("superuser"),
            "{label}: {r}"
        );
        assert!(!is_superuser(&t, ODOO_ROLE), "{label}");
        assert!(!touched.exists(), "{label}: COPY TO PROGRAM ran");
        assert_eq!(
            t.c.sql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'intruder'"),
            "0"
        );
        nothing_left(&t, &before);
    }

    // A SECURITY DEFINER function in the file: restored, owned by the
    // tenant's role, so calling it runs as that role, never as tenantctl's.
    let f = zip_of(
        &t,
        "definer.zip",
        &dump_with(
            &t,
            "",
            "CREATE FUNCTION public.escalate() RETURNS void LANGUAGE plpgsql SECURITY DEFINER \
             AS $$BEGIN EXECUTE 'ALTER ROLE odoo SUPERUSER'; END$$;\n",
        ),
    );
    let (code, r, err) = t.restore("n1/definer", &f, "--copy");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_owned_by_odoo(&t.c, "definer");
    let called = t.c.tcp_sql_as(
        ODOO_ROLE,
        ODOO_PASSWORD,
        "definer",
        "SELECT public.escalate()",
    );
    assert!(called.is_err(), "{called:?}");
    assert!(!is_superuser(&t, ODOO_ROLE));
    assert_eq!(loader_roles(&t.c), Vec::<String>::new());

    // The same through pg_restore (custom format).
    t.c.sql("postgres", "CREATE DATABASE evilsrc TEMPLATE acme");
    t.c.sql(
        "evilsrc",
        "CREATE FUNCTION public.escalate() RETURNS void LANGUAGE plpgsql SECURITY DEFINER \
         AS $$BEGIN EXECUTE 'ALTER ROLE odoo SUPERUSER'; END$$",
    );
    let custom = t.out.join("evil.dump");
    let out = std::process::Command::new(pg_bindir().join("pg_dump"))
        .args(["--no-owner", "--format=custom", "-h", t.c.host(), "-p"])
        .arg(t.c.port().to_string())
        .args(["-U", "postgres", "-f"])
        .arg(&custom)
        .arg("evilsrc")
        .env("PGPASSWORD", SUPERUSER_PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, r, err) = t.restore("n1/fromcustom", &custom, "--move");
    assert_eq!(code, Some(0), "{err} {r}");
    let (owners, _) = owners_and_odoo_reads(&t.c, "fromcustom");
    assert_eq!(owners, vec![ODOO_ROLE.to_string()]);
    let called = t.c.tcp_sql_as(
        ODOO_ROLE,
        ODOO_PASSWORD,
        "fromcustom",
        "SELECT public.escalate()",
    );
    assert!(called.is_err(), "{called:?}");
    assert!(!is_superuser(&t, ODOO_ROLE));
}

/// Where the node's pg_hba.conf does not let the loader role in on
/// tenantctl's route, restore refuses with the reason (exit 2) and leaves
/// nothing: it never falls back to the operator's role.
#[test]
fn restore_refuses_when_the_loader_role_cannot_log_in() {
    let t = env();
    let hba = t.c.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).unwrap();
    std::fs::write(
        &hba,
        format!(
            "host all postgres 127.0.0.1/32 scram-sha-256\nhost all odoo 127.0.0.1/32 scram-sha-256\n\
             host all all 127.0.0.1/32 reject\n{old}"
        ),
    )
    .unwrap();
    t.c.sql("postgres", "SELECT pg_reload_conf()");
    let before = (t.dbs(), t.fs_entries());
    let f = zip_of(&t, "genuine.zip", &dump_with(&t, "", ""));
    let (code, r, err) = t.restore("n1/blocked", &f, "--copy");
    assert_eq!(code, Some(2), "{err} {r}");
    let msg = r["error"].as_str().unwrap_or_default();
    assert!(
        msg.contains("pg_hba.conf") && msg.contains("tenantctl_load_"),
        "{msg}"
    );
    nothing_left(&t, &before);
}

/// Connected as the Odoo role itself (not a superuser, no CREATEROLE), the
/// file runs as that role, as in Odoo's own restore.
#[test]
fn restore_as_the_odoo_role_itself_runs_the_file_as_that_role() {
    let t = env();
    let inv = t.dir.path().join("as-odoo.toml");
    std::fs::write(
        &inv,
        std::fs::read_to_string(&t.inv)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("password_env"))
            .map(|l| match l {
                "user = \"postgres\"" => format!("user = \"odoo\"\npassword = \"{ODOO_PASSWORD}\""),
                l => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let f = zip_of(&t, "genuine.zip", &dump_with(&t, "", ""));
    let a = tenantctl_with_home(t.dir.path())
        .arg("-i")
        .arg(&inv)
        .args(["restore", "n1/own"])
        .arg(&f)
        .args(["--move", "--yes", "-o", "json"])
        .assert();
    let out = a.get_output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_owned_by_odoo(&t.c, "own");
    assert_eq!(loader_roles(&t.c), Vec::<String>::new());
}

/// A superuser operator without `db_owner` (nor a template) has no owner
/// to give a restored database: refused before anything is made, never
/// left to the superuser (Odoo would not list it, and its tenant's
/// functions would run as superuser).
#[test]
fn restore_without_an_owner_for_a_superuser_operator_is_refused() {
    let t = env();
    let inv: &Path = &t.inv;
    let text = std::fs::read_to_string(inv)
        .unwrap()
        .replace("db_owner = \"odoo\"\n", "");
    let bare = t.dir.path().join("bare.toml");
    std::fs::write(&bare, text).unwrap();
    let f = zip_of(&t, "genuine.zip", &dump_with(&t, "", ""));
    let before = (t.dbs(), t.fs_entries());
    let a = tenantctl_with_home(t.dir.path())
        .arg("-i")
        .arg(&bare)
        .args(["restore", "n1/noowner"])
        .arg(&f)
        .args(["--copy", "--yes"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("db_owner"), "{err}");
    nothing_left(&t, &before);
}

/// What `duplicate` and `create` make belongs, objects included, to the
/// source's (the template's) Odoo role, and a session of that role works in
/// it, as after Odoo's own duplicate.
#[test]
fn duplicate_and_create_leave_the_copy_owned_by_the_odoo_role() {
    let t = env();
    let a = t
        .cmd()
        .args(["duplicate", "acme", "acme-copy", "--yes", "-o", "json"])
        .assert();
    let out = a.get_output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_owned_by_odoo(&t.c, "acme-copy");
    let a = t
        .cmd()
        .args([
            "create",
            "n1/fresh",
            "--from",
            "acme",
            "--yes",
            "-o",
            "json",
            "--password-stdin",
        ])
        .write_stdin("a-long-enough-password-42\n")
        .assert();
    let out = a.get_output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_owned_by_odoo(&t.c, "fresh");
}

/// `command_line` on a terminal (a pty, through script(1)), in `home`'s
/// environment: once the screen shows `prompt`, `then` runs and `typed` is
/// typed; the exit code and the whole screen.
fn at_the_prompt(
    command_line: &str,
    home: &Path,
    prompt: &str,
    then: impl FnOnce(),
    typed: &[u8],
) -> (Option<i32>, String) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new("script")
        .args([
            "-qec",
            &format!("stty cols 80 rows 24 2>/dev/null; {command_line}"),
            "/dev/null",
        ])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env(crate::harness::PASSWORD_ENV, SUPERUSER_PASSWORD)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script(1) from util-linux");
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Vec::new();
    while !String::from_utf8_lossy(&screen).contains(prompt) {
        match rx.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(b) => screen.extend(b),
            Err(_) => panic!("no prompt {prompt:?}: {}", String::from_utf8_lossy(&screen)),
        }
    }
    then();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(typed).unwrap();
    stdin.flush().unwrap();
    // The terminal stays open until the command ends (its output ends).
    while let Ok(b) = rx.recv_timeout(std::time::Duration::from_secs(300)) {
        screen.extend(b);
    }
    drop(stdin);
    let code = child.wait().unwrap().code();
    reader.join().unwrap();
    (code, String::from_utf8_lossy(&screen).into_owned())
}

/// `restore n1/NAME FILE --copy` on a terminal: at its question `then`
/// runs, then `typed` is typed; the exit code and the screen.
fn restore_on_a_terminal(
    t: &Env,
    name: &str,
    file: &Path,
    then: impl FnOnce(),
    typed: &[u8],
) -> (Option<i32>, String) {
    let command = format!(
        "exec {} -i {} restore n1/{name} {} --copy",
        crate::harness::tenantctl_bin().display(),
        t.inv.display(),
        file.display()
    );
    let prompt = format!("restore n1/{name}? [y/N]");
    at_the_prompt(&command, t.dir.path(), &prompt, then, typed)
}

/// The audit lines of `t`'s runs (its home's state directory).
fn audit_lines(t: &Env) -> Vec<String> {
    std::fs::read_to_string(t.dir.path().join(".local/state/tenantctl/audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Issue 23: the question of a single restore comes before its run starts:
/// Ctrl-C at `[y/N]` ends the process at once (130), nothing made, no audit
/// line. (This held before the restore became a run of the runner too: the
/// property kept.)
#[test]
fn ctrl_c_at_the_restore_prompt_ends_it_with_nothing_changed() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = env();
    let f = t.out.join("acme.zip");
    t.backup(&["acme", "--file", f.to_str().unwrap()]);
    let before = (t.dbs(), t.fs_entries());
    let lines = audit_lines(&t).len();
    let (code, screen) = restore_on_a_terminal(&t, "stopped", &f, || {}, b"\x03");
    assert_eq!(code, Some(130), "{screen}");
    assert!(!screen.contains("aborted"), "{screen}");
    nothing_left(&t, &before);
    assert_eq!(audit_lines(&t).len(), lines, "no audit line: {screen}");
}

/// Issue 23: what the operator confirmed is what runs. The backup file is
/// replaced (another filestore) while the restore's question waits: the
/// run, which makes its plan again from the file, refuses (exit 2) before
/// any change instead of restoring what was not shown; one audit line.
/// The same file unchanged is restored (the plan made again is the one
/// confirmed).
#[test]
fn a_restore_whose_file_changed_after_the_question_is_refused() {
    if !crate::ux::have_script() {
        eprintln!("skipped: no script(1)");
        return;
    }
    let t = env();
    let shown = t.out.join("shown.zip");
    t.backup(&["acme", "--file", shown.to_str().unwrap()]);
    let extra = t.fs.join("acme/cd/cd00112233");
    std::fs::create_dir_all(extra.parent().unwrap()).unwrap();
    std::fs::write(&extra, "one more attachment").unwrap();
    let other = t.out.join("other.zip");
    t.backup(&["acme", "--file", other.to_str().unwrap()]);
    let (code, screen) = restore_on_a_terminal(&t, "same", &shown, || {}, b"y\r");
    assert_eq!(code, Some(0), "{screen}");
    assert!(t.dbs().contains(&"same".to_string()), "{screen}");
    assert_eq!(t.files("same").len(), 3, "{screen}");
    let before = (t.dbs(), t.fs_entries());
    let lines = audit_lines(&t).len();
    let swap = || std::fs::rename(&other, &shown).unwrap();
    let (code, screen) = restore_on_a_terminal(&t, "pinned", &shown, swap, b"y\r");
    assert!(screen.contains("filestore: 3 files"), "{screen}");
    assert_eq!(code, Some(2), "{screen}");
    assert!(
        screen.contains("no longer the one confirmed") && screen.contains("filestore: 4 files"),
        "{screen}"
    );
    nothing_left(&t, &before);
    let audit = audit_lines(&t);
    assert_eq!(audit.len(), lines + 1, "{audit:#?}");
    assert!(
        audit[lines].contains("\"restore\"") && audit[lines].contains("refused"),
        "{audit:#?}"
    );
}

/// Issue 23, `move acme n2` on a terminal without `--yes` (called by
/// `backup::move_copies_verifies_and_soft_drops_the_source`, whose nodes
/// these are): not `suspended`, the dry run's refusal is the command's
/// result, no question asked; suspended, the plan and the question, answered
/// no. Either way exit 2, nothing changed, one audit line (`refused`).
pub(crate) fn move_on_a_terminal(t: &Env, inv: &Path, suspended: bool) {
    if !crate::ux::have_script() {
        eprintln!("skipped the terminal part: no script(1)");
        return;
    }
    let command = format!(
        "exec {} -i {} move acme n2",
        crate::harness::tenantctl_bin().display(),
        inv.display()
    );
    let (dbs, lines) = (t.dbs(), audit_lines(t).len());
    let (shown, typed): (&str, &[u8]) = if suspended {
        ("move n1/acme -> n2/acme? [y/N]", b"n\r")
    } else {
        ("refusing to move", b"")
    };
    let (code, screen) = at_the_prompt(&command, t.dir.path(), shown, || {}, typed);
    assert_eq!(code, Some(2), "{screen}");
    if suspended {
        assert!(
            screen.contains("soft-drop n1/acme") && screen.contains("aborted; nothing changed"),
            "{screen}"
        );
    } else {
        assert!(!screen.contains("[y/N]"), "{screen}");
    }
    assert_eq!(t.dbs(), dbs, "{screen}");
    let audit = audit_lines(t);
    assert_eq!(audit.len(), lines + 1, "{audit:#?}");
    assert!(
        audit[lines].contains("\"move\"") && audit[lines].contains("refused"),
        "{audit:#?}"
    );
}
