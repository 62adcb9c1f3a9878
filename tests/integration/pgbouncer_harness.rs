//! A throwaway PgBouncer (Debian package `pgbouncer`, /usr/sbin/pgbouncer) on
//! 127.0.0.1:<port> in front of one test cluster. PgBouncer refuses to run as
//! root: when the tests run as root it runs as the `postgres` OS user.
//! Dropping it kills it and removes its dir.

use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{free_port, is_root, Cluster, SUPERUSER_PASSWORD};

pub const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

pub struct PgBouncer {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

fn postgres_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

impl PgBouncer {
    /// Starts PgBouncer in `pool_mode` (`session` or `transaction`) with
    /// PgBouncer's defaults otherwise (no `ignore_startup_parameters`), every
    /// database forwarded to `c`, and the given (user, password) logins (plus
    /// `postgres`). `extra` is appended to the `[pgbouncer]` section.
    pub fn start(c: &Cluster, pool_mode: &str, users: &[(&str, &str)], extra: &str) -> PgBouncer {
        assert!(
            Path::new(PGBOUNCER).is_file(),
            "{PGBOUNCER} missing: install the Debian package pgbouncer (scripts/test.sh does)"
        );
        let dir = tempfile::Builder::new()
            .prefix("tcpgb")
            .tempdir_in("/tmp")
            .unwrap();
        let mut userlist = format!("\"postgres\" \"{SUPERUSER_PASSWORD}\"\n");
        for (u, p) in users {
            userlist.push_str(&format!("\"{u}\" \"{p}\"\n"));
        }
        let d = dir.path();
        std::fs::write(d.join("userlist.txt"), userlist).unwrap();
        std::fs::set_permissions(
            d.join("userlist.txt"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port();
            let ini = format!(
                "[databases]\n* = host=127.0.0.1 port={}\n\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = scram-sha-256\nauth_file = {}\npool_mode = {pool_mode}\n\
                 logfile = {}\npidfile = {}\nmax_client_conn = 500\n{extra}\n",
                c.port(),
                d.join("userlist.txt").display(),
                d.join("pgbouncer.log").display(),
                d.join("pgbouncer.pid").display(),
            );
            std::fs::write(d.join("pgbouncer.ini"), ini).unwrap();
            if is_root() {
                let (uid, gid) = postgres_ids();
                for f in ["", "userlist.txt", "pgbouncer.ini"] {
                    std::os::unix::fs::chown(d.join(f), Some(uid), Some(gid)).unwrap();
                }
            }
            let mut cmd = Command::new(PGBOUNCER);
            cmd.arg(d.join("pgbouncer.ini"))
                .current_dir(d)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if is_root() {
                let (uid, gid) = postgres_ids();
                cmd.uid(uid).gid(gid);
            }
            let mut child = cmd.spawn().expect("start pgbouncer");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return PgBouncer { child, dir, port };
                }
                if let Ok(Some(st)) = child.try_wait() {
                    last = format!(
                        "pgbouncer exited ({st}): {}",
                        std::fs::read_to_string(d.join("pgbouncer.log")).unwrap_or_default()
                    );
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = "pgbouncer did not listen within 10 s".into();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("pgbouncer did not start: {last}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pgbouncer.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Runs `sql` through PgBouncer with psql as `user`; Err(stderr) on failure.
    pub fn psql(&self, user: &str, password: &str, db: &str, sql: &str) -> Result<String, String> {
        let mut cmd = Command::new("psql");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PG") {
                cmd.env_remove(k);
            }
        }
        let out = cmd
            .env("PGPASSWORD", password)
            .env("PGSSLMODE", "disable")
            .env("PGCONNECT_TIMEOUT", "10")
            .env("PGDATABASE", db)
            .args([
                "-X",
                "-w",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
            ])
            .arg(self.port.to_string())
            .args(["-U", user, "-c", sql])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
