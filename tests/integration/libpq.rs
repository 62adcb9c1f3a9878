//! libpq exactness: pass files and password precedence, with `psql` (libpq
//! itself) as the oracle on the very same files and settings, against a real
//! PostgreSQL that asks these roles for a password over TCP and over Unix
//! sockets, one of them in libpq's default socket directory.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{quote_literal, tenantctl_with_home};
use crate::world::{Inventory, World};

/// libpq's compiled-in default socket directory on Debian.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// Where a client connects: host (TCP name or socket directory) and port.
#[derive(Clone, Debug)]
struct Target {
    host: String,
    port: u16,
}

/// The environment of one attempt.
#[derive(Default, Clone, Debug)]
struct Env {
    passfile: Option<String>,
    pgpassword: Option<String>,
    /// Inventory `password_env` value (psql: the connection string's password).
    given: Option<String>,
}

/// A world whose node n1 has roles `tc_pw` (password `pw-a`) and `tc_pw2`
/// (password `a:b\c`) that need their password over TCP and local
/// sockets, and which also listens in the default socket directory when it
/// can (the bool).
fn lab() -> (Lab, bool) {
    let w = World::builder()
        .node("n1")
        .role("tc_pw", "pw-a", "NOSUPERUSER")
        .role("tc_pw2", "a:b\\c", "NOSUPERUSER")
        .build();
    let c = &w.c;
    let hba = c.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).unwrap();
    std::fs::write(
        &hba,
        format!(
            "local all tc_pw,tc_pw2 scram-sha-256\nhost all tc_pw,tc_pw2 127.0.0.1/32 scram-sha-256\n{old}"
        ),
    )
    .unwrap();
    let default_dir = Path::new(DEFAULT_SOCKET_DIR).is_dir();
    if default_dir {
        c.sql(
            "postgres",
            &format!(
                "ALTER SYSTEM SET unix_socket_directories = {}, {}",
                quote_literal(&c.socket_dir().display().to_string()),
                quote_literal(DEFAULT_SOCKET_DIR)
            ),
        );
        c.restart();
    } else {
        c.sql("postgres", "SELECT pg_reload_conf()");
    }
    (Lab(w), default_dir)
}

/// The world of [`lab`], with the two clients to compare.
struct Lab(World);

impl std::ops::Deref for Lab {
    type Target = World;
    fn deref(&self) -> &World {
        &self.0
    }
}

impl Lab {
    fn write_passfile(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        p.display().to_string()
    }

    /// Whether psql (libpq) logs in as `user`.
    fn psql(&self, t: &Target, user: &str, env: &Env) -> Result<(), String> {
        let mut cmd = Command::new("psql");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PG") {
                cmd.env_remove(k);
            }
        }
        let home = self.dir.path().join("psql-home");
        std::fs::create_dir_all(&home).unwrap();
        cmd.env("HOME", &home)
            .env("PGSSLMODE", "disable")
            .env("PGCONNECT_TIMEOUT", "5");
        if let Some(f) = &env.passfile {
            cmd.env("PGPASSFILE", f);
        }
        if let Some(p) = &env.pgpassword {
            cmd.env("PGPASSWORD", p);
        }
        let mut conninfo = format!(
            "host='{}' port={} user='{}' dbname=postgres",
            t.host, t.port, user
        );
        if let Some(p) = &env.given {
            conninfo.push_str(&format!(
                " password='{}'",
                p.replace('\\', "\\\\").replace('\'', "\\'")
            ));
        }
        let out = cmd
            .args(["-X", "-w", "-A", "-t", "-c", "SELECT 1", "-d"])
            .arg(conninfo)
            .output()
            .expect("psql");
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Whether tenantctl logs in as `user` with the same settings.
    fn tenantctl(&self, t: &Target, user: &str, env: &Env) -> Result<(), String> {
        let home = self.dir.path().join("tc-home");
        std::fs::create_dir_all(&home).unwrap();
        // Only this node's own settings: no [defaults] password to fall back on.
        let mut node = Inventory::bare()
            .node_at("n1", &t.host, t.port)
            .node_key("user", user)
            .node_key("sslmode", "disable")
            .node_key("connect_timeout", 5i64);
        if env.given.is_some() {
            node = node.node_key("password_env", "TC_LIBPQ_GIVEN");
        }
        let inv = self.write_inventory("attempt.toml", &node);
        let mut cmd = tenantctl_with_home(&home);
        if let Some(f) = &env.passfile {
            cmd.env("PGPASSFILE", f);
        }
        if let Some(p) = &env.pgpassword {
            cmd.env("PGPASSWORD", p);
        }
        if let Some(p) = &env.given {
            cmd.env("TC_LIBPQ_GIVEN", p);
        }
        let out = cmd
            .arg("-i")
            .arg(&inv)
            .args(["list", "-o", "json"])
            .output()
            .unwrap();
        if out.status.code() == Some(0) {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

/// Runs every case with psql and with tenantctl; both must agree, and agree
/// with what the case expects.
fn agree(lab: &Lab, cases: &[(&str, Target, &str, Env, bool)]) {
    let mut bad = Vec::new();
    for (what, t, user, env, want) in cases {
        let p = lab.psql(t, user, env);
        let tc = lab.tenantctl(t, user, env);
        if p.is_ok() != *want || tc.is_ok() != *want {
            bad.push(format!(
                "{what}: expected {}, psql {:?}, tenantctl {:?} ({t:?}, {env:?})",
                if *want { "login" } else { "refusal" },
                p,
                tc
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn pass_files_are_read_as_psql_reads_them() {
    let (lab, default_dir) = lab();
    let port = lab.c.port();
    let tcp = Target {
        host: "127.0.0.1".into(),
        port,
    };
    let own_sock = Target {
        host: lab.c.socket_dir().display().to_string(),
        port,
    };
    let pf = |name: &str, text: String| Env {
        passfile: Some(lab.write_passfile(name, &text)),
        ..Env::default()
    };
    let mut cases = vec![
        (
            "plain entry",
            tcp.clone(),
            "tc_pw",
            pf("plain", format!("127.0.0.1:{port}:postgres:tc_pw:pw-a\n")),
            true,
        ),
        (
            "a field ends at an unescaped colon (password then ':x')",
            tcp.clone(),
            "tc_pw",
            pf("extra", format!("127.0.0.1:{port}:postgres:tc_pw:pw-a:x\n")),
            true,
        ),
        (
            "escaped colon and backslash in the password",
            tcp.clone(),
            "tc_pw2",
            pf("escaped", format!("127.0.0.1:{port}:*:tc_pw2:a\\:b\\\\c\n")),
            true,
        ),
        (
            "wildcards, comment, CRLF",
            tcp.clone(),
            "tc_pw",
            pf("wild", "# a comment\r\n*:*:*:*:pw-a\r\n".into()),
            true,
        ),
        (
            "first match wins",
            tcp.clone(),
            "tc_pw",
            pf(
                "first",
                format!("127.0.0.1:*:*:tc_pw:wrong\n127.0.0.1:{port}:*:tc_pw:pw-a\n"),
            ),
            false,
        ),
        (
            "an escaped star is a literal star",
            tcp.clone(),
            "tc_pw",
            pf("star", "\\*:*:*:*:pw-a\n".into()),
            false,
        ),
        (
            "four fields only: no match",
            tcp.clone(),
            "tc_pw",
            pf(
                "four",
                format!("127.0.0.1:{port}:postgres:tc_pw\n*:*:*:*:wrong\n"),
            ),
            false,
        ),
        (
            "localhost does not match a non-default socket directory",
            own_sock.clone(),
            "tc_pw",
            pf("lh-own", format!("localhost:{port}:*:*:pw-a\n")),
            false,
        ),
        (
            "a socket directory matches its own path",
            own_sock.clone(),
            "tc_pw",
            pf(
                "own-path",
                format!("{}:{port}:*:*:pw-a\n", own_sock.host.replace(':', "\\:")),
            ),
            true,
        ),
    ];
    if default_dir {
        let def = Target {
            host: DEFAULT_SOCKET_DIR.into(),
            port,
        };
        cases.push((
            "localhost matches the default socket directory",
            def.clone(),
            "tc_pw",
            pf("lh-default", format!("localhost:{port}:*:*:pw-a\n")),
            true,
        ));
        cases.push((
            "the default socket directory is looked up as localhost, not by its path",
            def,
            "tc_pw",
            pf(
                "def-path",
                format!("{DEFAULT_SOCKET_DIR}:{port}:*:*:pw-a\n"),
            ),
            false,
        ));
    }
    agree(&lab, &cases);
}

#[test]
fn password_precedence_is_libpq_s() {
    let (lab, _) = lab();
    let port = lab.c.port();
    let tcp = Target {
        host: "127.0.0.1".into(),
        port,
    };
    let good = lab.write_passfile("good", format!("127.0.0.1:{port}:*:tc_pw:pw-a\n").as_str());
    let wrong = lab.write_passfile("wrong", "*:*:*:*:wrong\n");
    let env = |passfile: &str, pgpassword: Option<&str>, given: Option<&str>| Env {
        passfile: Some(passfile.to_string()),
        pgpassword: pgpassword.map(str::to_string),
        given: given.map(str::to_string),
    };
    agree(
        &lab,
        &[
            (
                "PGPASSWORD wins over the pass file",
                tcp.clone(),
                "tc_pw",
                env(&good, Some("wrong"), None),
                false,
            ),
            (
                "PGPASSWORD right, pass file wrong",
                tcp.clone(),
                "tc_pw",
                env(&wrong, Some("pw-a"), None),
                true,
            ),
            (
                "an empty PGPASSWORD counts as none",
                tcp.clone(),
                "tc_pw",
                env(&good, Some(""), None),
                true,
            ),
            (
                "the given password wins over PGPASSWORD and the pass file",
                tcp.clone(),
                "tc_pw",
                env(&wrong, Some("wrong"), Some("pw-a")),
                true,
            ),
            (
                "a wrong given password is not rescued by the others",
                tcp.clone(),
                "tc_pw",
                env(&good, Some("pw-a"), Some("wrong")),
                false,
            ),
        ],
    );
}

/// Issue 24: an unset `password_env` does not stop every command. As libpq
/// with no password given, the nodes connect with the pass file (psql agrees
/// on the very same file); one warning for the run names the variable, the
/// nodes and `[defaults]`; `nodes` shows the variable as not set and what
/// is used instead.
#[test]
fn unset_password_env_falls_back_to_the_pass_file_warned_once() {
    let (lab, _) = lab();
    let port = lab.c.port();
    let tcp = Target {
        host: "127.0.0.1".into(),
        port,
    };
    let passfile = lab.write_passfile("pgpass", &format!("127.0.0.1:{port}:*:tc_pw:pw-a\n"));
    let env = Env {
        passfile: Some(passfile.clone()),
        ..Default::default()
    };
    // libpq: no password given, the pass file's is used.
    assert_eq!(lab.psql(&tcp, "tc_pw", &env), Ok(()));
    let dir = lab.dir.path();
    let inv: PathBuf = dir.join("unset.toml");
    std::fs::write(
        &inv,
        format!(
            "[defaults]\npassword_env = \"TC_NOT_SET_ANYWHERE\"\nhost = \"127.0.0.1\"\nport = {port}\nuser = \"tc_pw\"\nsslmode = \"disable\"\nconnect_timeout = 5\n\
             [[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let home = dir.join("unset-home");
    std::fs::create_dir_all(&home).unwrap();
    let run = |args: &[&str]| {
        tenantctl_with_home(&home)
            .env("PGPASSFILE", &passfile)
            .arg("-i")
            .arg(&inv)
            .args(args)
            .output()
            .unwrap()
    };
    for args in [
        &["list", "-o", "json"][..],
        &["list", "-q"],
        &["show", "nope"],
    ] {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        let want = if args[0] == "show" { 2 } else { 0 };
        assert_eq!(out.status.code(), Some(want), "{args:?}: {err}");
        let warned: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("TC_NOT_SET_ANYWHERE"))
            .collect();
        assert_eq!(warned.len(), 1, "{args:?}: said once: {err}");
        for part in [
            "password_env = \"TC_NOT_SET_ANYWHERE\" in [defaults] of ",
            "nodes a, b connect as libpq does",
            &passfile,
        ] {
            assert!(warned[0].contains(part), "{part}: {err}");
        }
        if args[0] == "show" {
            assert!(err.contains("unknown tenant"), "connected: {err}");
        }
    }
    // `nodes` shows the variable as not set, and what is used instead.
    let out = run(&["nodes", "-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for n in v["nodes"].as_array().unwrap() {
        let pw = &n["password"];
        assert_eq!(pw["source"], "password_env", "{pw}");
        assert_eq!(pw["env"], "TC_NOT_SET_ANYWHERE", "{pw}");
        assert_eq!(pw["set"], false, "{pw}");
        assert_eq!(pw["fallback"], "pass-file", "{pw}");
    }
    let out = run(&["nodes"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("password_env TC_NOT_SET_ANYWHERE (not set: pass file"),
        "{text}"
    );
}
