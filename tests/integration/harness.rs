//! Test harness: throwaway PostgreSQL clusters, a throwaway sshd, the `tenantctl`
//! command with a controlled environment, and the passlib oracle.
//!
//! Everything runs on loopback with ports picked at run time and one private temp dir per
//! server, so tests in the same binary can run in parallel threads.
//!
//! Running as root (CI does): PostgreSQL refuses to run as root, so `initdb`/`pg_ctl`
//! run through `runuser -u postgres --` on temp dirs owned by `postgres`; `psql` (the
//! client) runs as the current user and connects over the Unix socket as `postgres`
//! (trust auth on local sockets). TCP connections (what tenantctl uses) need the
//! password [`SUPERUSER_PASSWORD`] (scram-sha-256).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[path = "pg_server.rs"]
mod pg_server;
/// Password of the `postgres` superuser of every test cluster (TCP, scram-sha-256).
#[path = "timing.rs"]
pub mod timing;
#[path = "tty.rs"]
pub mod tty;
use pg_server::{pg_ctl_start, pg_start_fresh, pg_stop, pristine_source};

pub const SUPERUSER_PASSWORD: &str = "postgres";
/// Environment variable named by `password_env` in [`write_inventory`]; [`tenantctl`]
/// sets it to [`SUPERUSER_PASSWORD`].
pub const PASSWORD_ENV: &str = "TC_TEST_PGPASSWORD";

const SSHD: &str = "/usr/sbin/sshd";

// ---------------------------------------------------------------------------------------
// small process helpers
// ---------------------------------------------------------------------------------------

fn run_output(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs `cmd`, panics with its output when it fails; returns stdout.
fn run_ok(cmd: &mut Command) -> String {
    let out = run_output(cmd);
    if !out.status.success() {
        panic!(
            "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// True when the test process runs as root (uid 0).
pub fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| run_ok(Command::new("id").arg("-u")).trim() == "0")
}

/// The current OS user name (`id -un`), e.g. "root".
pub fn current_user() -> String {
    static USER: OnceLock<String> = OnceLock::new();
    USER.get_or_init(|| run_ok(Command::new("id").arg("-un")).trim().to_string())
        .clone()
}

/// (uid, gid) of the `postgres` OS user.
fn postgres_ids() -> (u32, u32) {
    static IDS: OnceLock<(u32, u32)> = OnceLock::new();
    *IDS.get_or_init(|| {
        let uid = run_ok(Command::new("id").args(["-u", "postgres"]));
        let gid = run_ok(Command::new("id").args(["-g", "postgres"]));
        (
            uid.trim().parse().expect("uid of postgres"),
            gid.trim().parse().expect("gid of postgres"),
        )
    })
}

fn chown_tree_to_postgres(path: &Path) {
    let (uid, gid) = postgres_ids();
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree_to_postgres(&entry.unwrap().path());
        }
    }
}

static ISSUED_PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();

/// A free loopback TCP port: bind 127.0.0.1:0, note the port, release it. Ports handed
/// out before in this process are never handed out again (servers retry on a clash
/// with another process).
pub fn free_port() -> u16 {
    let issued = ISSUED_PORTS.get_or_init(|| Mutex::new(HashSet::new()));
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        if issued.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// Short private temp dir under /tmp (Unix socket paths are limited to 108 bytes).
fn short_tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .expect("create temp dir under /tmp")
}

/// Where cluster dirs go: `$TC_TEST_TMPDIR`, else /dev/shm when it is a writable
/// tmpfs (on the CI VM copying a data dir and CREATE DATABASE are ~10x faster there
/// than on disk), else /tmp. Kept short: the socket lives there too.
fn cluster_base_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(d) = std::env::var_os("TC_TEST_TMPDIR") {
            return PathBuf::from(d);
        }
        let shm = Path::new("/dev/shm");
        let usable = shm.is_dir()
            && tempfile::Builder::new()
                .prefix("tcprobe")
                .tempdir_in(shm)
                .is_ok();
        if usable {
            shm.to_path_buf()
        } else {
            PathBuf::from("/tmp")
        }
    })
}

/// Sends `signal` (e.g. "TERM", "KILL") to `pid` and all its descendants.
fn kill_tree(pid: u32, signal: &str) {
    let mut pids = vec![pid];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for e in entries.flatten() {
                let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                    continue;
                };
                // pid (comm) state ppid ...: comm may contain spaces and ')'.
                let Some(rest) = stat.rfind(')').map(|p| &stat[p + 1..]) else {
                    continue;
                };
                let ppid = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok());
                if ppid == Some(parent) && !pids.contains(&child) {
                    pids.push(child);
                }
            }
        }
        i += 1;
    }
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .args(pids.iter().map(|p| p.to_string()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

// ---------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------

/// Directory of the PostgreSQL server binaries: `initdb` on PATH, else
/// `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
pub fn pg_bindir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(path) = std::env::var_os("PATH") {
            for d in std::env::split_paths(&path) {
                let initdb = d.join("initdb");
                if initdb.is_file() {
                    // Debian links /usr/local/bin/initdb etc. into the versioned dir:
                    // take the real dir so pg_ctl/postgres/psql come from one version.
                    let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
                    return real.parent().unwrap().to_path_buf();
                }
            }
        }
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
            if out.status.success() {
                let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
                if d.join("initdb").is_file() {
                    return d;
                }
            }
        }
        let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((v, bin))
            })
            .collect();
        candidates.sort();
        candidates.pop().map(|(_, d)| d).unwrap_or_else(|| {
            panic!("no PostgreSQL server binaries (initdb) found: install postgresql (scripts/test.sh does)")
        })
    })
}

fn pg_bin(name: &str) -> PathBuf {
    let p = pg_bindir().join(name);
    if p.is_file() {
        p
    } else {
        // psql may live elsewhere (client package only in the versioned dir)
        PathBuf::from(name)
    }
}

/// A command for a PostgreSQL server binary, run as `postgres` when we are root.
fn pg_server_cmd(name: &str, cwd: &Path) -> Command {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_bin(name));
        c
    } else {
        Command::new(pg_bin(name))
    };
    // postgres must be able to stat its cwd
    cmd.current_dir(cwd);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    cmd.env("LC_ALL", "C");
    cmd
}

/// Cleans up after test processes that died without dropping their servers (Ctrl-C:
/// pg_ctl detaches the postmaster with setsid, so it outlives the test process).
/// Every server dir holds `owner.pid`; a dir whose owner process is gone is stopped
/// and removed. Runs once per test process.
fn reap_orphans() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for base in [cluster_base_dir(), Path::new("/tmp")] {
            let Ok(entries) = std::fs::read_dir(base) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !(name.starts_with("tc") || name.starts_with("ts")) {
                    continue;
                }
                let dir = e.path();
                let Ok(owner) = std::fs::read_to_string(dir.join("owner.pid")) else {
                    continue;
                };
                let owner = owner.trim();
                if owner.is_empty() || Path::new("/proc").join(owner).exists() {
                    continue;
                }
                if dir.join("data/postmaster.pid").exists() {
                    let _ = pg_server_cmd("pg_ctl", &dir)
                        .arg("-D")
                        .arg(dir.join("data"))
                        .args(["-m", "immediate", "-w", "-s", "stop"])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                }
                if let Ok(pid) = std::fs::read_to_string(dir.join("sshd.pid")) {
                    if let Ok(pid) = pid.trim().parse::<u32>() {
                        if std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                            .is_ok_and(|c| c.contains("sshd"))
                        {
                            kill_tree(pid, "KILL");
                        }
                    }
                }
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    });
}

fn write_owner_pid(dir: &Path) {
    std::fs::write(dir.join("owner.pid"), std::process::id().to_string()).unwrap();
}

static CLUSTER_SEQ: AtomicU64 = AtomicU64::new(0);

/// A throwaway PostgreSQL cluster on 127.0.0.1:<port> with its socket in its own dir.
/// Superuser `postgres`, password [`SUPERUSER_PASSWORD`] over TCP, trust over the socket.
/// Dropping it stops the server (immediate) and removes the dir.
pub struct Cluster {
    name: String,
    id: u64,
    dir: Option<tempfile::TempDir>,
    port: u16,
    running: AtomicBool,
    /// Template databases built by the fixtures, per spec key (see fixtures.rs).
    pub(crate) templates: Mutex<HashMap<String, String>>,
}

impl Cluster {
    /// Starts a new cluster. `name` only labels it in messages.
    pub fn start(name: &str) -> Cluster {
        Cluster::start_with(name, crate::fixtures::cached_templates())
    }

    /// Starts a new cluster that has the fixtures' `templates` from the
    /// start (see [`crate::fixtures::cached_for`]).
    pub fn start_with(name: &str, templates: &crate::fixtures::CachedTemplates) -> Cluster {
        timing::touch();
        reap_orphans();
        let pristine = pristine_source(templates);
        Cluster::start_from(name, &pristine, templates.entries())
    }

    /// Starts a cluster on a copy of the data dir `source` holding the
    /// fixtures' `templates` (key, name).
    fn start_from(name: &str, source: &Path, templates: HashMap<String, String>) -> Cluster {
        let t0 = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("tc")
            .tempdir_in(cluster_base_dir())
            .expect("create cluster temp dir");
        write_owner_pid(dir.path());
        let data = dir.path().join("data");
        run_ok(Command::new("cp").arg("-a").arg(source).arg(&data));
        if is_root() {
            // `cp -a` kept postgres as owner of the data; the socket dir must be its too
            let (uid, gid) = postgres_ids();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut last_err = String::new();
        for _attempt in 0..8 {
            let port = free_port();
            let conf = format!(
                "\n# tenantctl test harness\n\
                 listen_addresses = '127.0.0.1'\n\
                 port = {port}\n\
                 unix_socket_directories = '{}'\n\
                 fsync = off\n\
                 full_page_writes = off\n\
                 synchronous_commit = off\n\
                 max_connections = 200\n\
                 shared_buffers = 32MB\n\
                 log_min_messages = warning\n",
                dir.path().display()
            );
            // postgresql.auto.conf is read last: our values win over any earlier attempt
            std::fs::write(data.join("postgresql.auto.conf"), conf).unwrap();
            if is_root() {
                chown_tree_to_postgres(&data.join("postgresql.auto.conf"));
            }
            match pg_start_fresh(dir.path()) {
                Ok(()) => {
                    let c = Cluster {
                        name: name.to_string(),
                        id: CLUSTER_SEQ.fetch_add(1, Ordering::SeqCst),
                        dir: Some(dir),
                        port,
                        running: AtomicBool::new(true),
                        templates: Mutex::new(templates),
                    };
                    c.wait_ready();
                    if std::env::var_os("TC_TEST_VERBOSE").is_some() {
                        eprintln!(
                            "cluster {name}: port {port}, dir {}, started in {:?}",
                            c.socket_dir().display(),
                            t0.elapsed()
                        );
                    }
                    return c;
                }
                Err(e) => last_err = e,
            }
        }
        panic!("cluster {name}: PostgreSQL did not start: {last_err}");
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.try_sql("postgres", "SELECT 1") {
                Ok(_) => return,
                Err(e) if Instant::now() > deadline => {
                    panic!("cluster {} not ready: {e}\n{}", self.name, self.log())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    fn dir_path(&self) -> &Path {
        self.dir.as_ref().expect("cluster dir").path()
    }

    /// Label given to [`Cluster::start`].
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Unique number of this cluster within the test process.
    pub fn id(&self) -> u64 {
        self.id
    }
    /// TCP port on 127.0.0.1 (also the socket's `.s.PGSQL.<port>` suffix).
    pub fn port(&self) -> u16 {
        self.port
    }
    /// Always "127.0.0.1".
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }
    /// Directory holding the Unix socket `.s.PGSQL.<port>`.
    pub fn socket_dir(&self) -> &Path {
        self.dir_path()
    }
    /// The cluster's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir_path().join("data")
    }
    /// The server log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir_path().join("log")).unwrap_or_default()
    }
    /// Whether the server is running (as far as this handle knows).
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Stops the server (fast shutdown): the node is "down" until [`Cluster::restart`].
    pub fn stop(&self) {
        if !self.running.swap(false, Ordering::SeqCst) {
            return;
        }
        if let Err(e) = pg_stop(&self.data_dir(), libc::SIGINT) {
            panic!("cluster {}: {e}", self.name);
        }
    }

    /// Starts the server again (stopping it first if it runs), same port and dir.
    pub fn restart(&self) {
        self.stop();
        let mut last = String::new();
        // the port can be briefly busy (TIME_WAIT is fine for listen, but be patient)
        for _ in 0..20 {
            match pg_ctl_start(self.dir_path()) {
                Ok(()) => {
                    self.running.store(true, Ordering::SeqCst);
                    self.wait_ready();
                    return;
                }
                Err(e) => {
                    last = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        panic!("cluster {}: restart failed: {last}", self.name);
    }

    fn psql_cmd(&self, db: &str) -> Command {
        let mut cmd = Command::new(pg_bin("psql"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PG") {
                cmd.env_remove(k);
            }
        }
        // PGDATABASE rather than -d: a -d value containing '=' would be parsed as a
        // connection string; the environment variable is always taken literally.
        cmd.env("PGDATABASE", db)
            .env("PGCONNECT_TIMEOUT", "10")
            .env("PGCLIENTENCODING", "UTF8")
            .arg("-X")
            .arg("-h")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn psql_run(&self, db: &str, sql: &str, extra: &[&str]) -> Result<String, String> {
        let mut cmd = self.psql_cmd(db);
        cmd.args(extra);
        // SQL goes through stdin: statements run one by one (CREATE DATABASE works),
        // and nothing (passwords...) shows on a command line.
        let mut child = cmd.spawn().map_err(|e| format!("cannot run psql: {e}"))?;
        let mut stdin = child.stdin.take().unwrap();
        let sql_owned = sql.to_string();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(sql_owned.as_bytes());
        });
        let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
        let _ = writer.join();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "psql on db {db:?} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Runs `sql` (one or more statements) as superuser in `db`; returns the unaligned,
    /// tuples-only output (`|` between columns, one row per line), trailing newline
    /// trimmed. On error returns psql's stderr.
    pub fn try_sql(&self, db: &str, sql: &str) -> Result<String, String> {
        self.psql_run(db, sql, &["-F", "|"])
            .map(|s| s.trim_end_matches('\n').to_string())
    }

    /// Like [`Cluster::try_sql`], panics (with psql's stderr) on error.
    pub fn sql(&self, db: &str, sql: &str) -> String {
        self.try_sql(db, sql)
            .unwrap_or_else(|e| panic!("cluster {}: {e}\nSQL: {sql}", self.name))
    }

    /// Runs `sql` in `db` over TCP (127.0.0.1, scram-sha-256) as `user` with `password`,
    /// like tenantctl connects. Err(psql's stderr) on failure (e.g. bad password).
    pub fn tcp_sql_as(
        &self,
        user: &str,
        password: &str,
        db: &str,
        sql: &str,
    ) -> Result<String, String> {
        let mut cmd = Command::new(pg_bin("psql"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PG") {
                cmd.env_remove(k);
            }
        }
        cmd.env("PGDATABASE", db)
            .env("PGPASSWORD", password)
            .env("PGSSLMODE", "disable")
            .env("PGCONNECT_TIMEOUT", "10")
            .args(["-X", "-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-U")
            .arg(user)
            .args([
                "-w",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-A",
                "-t",
                "-F",
                "|",
                "-c",
                sql,
            ]);
        let out = run_output(&mut cmd);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout)
                .trim_end_matches('\n')
                .to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Rows of the result, columns split. Uses the ASCII unit separator (0x1f) between
    /// columns and the record separator (0x1e) between rows, so values may contain
    /// `|` and newlines. NULL comes back as "". Panics on error.
    pub fn rows(&self, db: &str, sql: &str) -> Vec<Vec<String>> {
        self.rows_sep(db, sql, '\x1f')
    }

    /// [`Cluster::rows`] with a chosen column separator (rows stay 0x1e-separated).
    pub fn rows_sep(&self, db: &str, sql: &str, sep: char) -> Vec<Vec<String>> {
        let out = self
            .psql_run(db, sql, &["-F", &sep.to_string(), "-R", "\x1e"])
            .unwrap_or_else(|e| panic!("cluster {}: {e}\nSQL: {sql}", self.name));
        let out = out.strip_suffix('\n').unwrap_or(&out);
        if out.is_empty() {
            return Vec::new();
        }
        out.split('\x1e')
            .map(|row| row.split(sep).map(str::to_string).collect())
            .collect()
    }

    /// The first column of every row.
    pub fn column(&self, db: &str, sql: &str) -> Vec<String> {
        self.rows(db, sql)
            .into_iter()
            .map(|mut r| r.swap_remove(0))
            .collect()
    }

    /// Creates a LOGIN role with a password: SUPERUSER when `superuser`, else CREATEDB
    /// (like a typical Odoo role).
    pub fn create_role(&self, name: &str, password: &str, superuser: bool) {
        let attrs = if superuser { "SUPERUSER" } else { "CREATEDB" };
        self.create_role_attrs(name, password, attrs);
    }

    /// Creates a LOGIN role with a password and extra role attributes (`attrs` is raw
    /// SQL, e.g. "NOCREATEDB CONNECTION LIMIT 5").
    pub fn create_role_attrs(&self, name: &str, password: &str, attrs: &str) {
        self.sql(
            "postgres",
            &format!(
                "CREATE ROLE {} LOGIN {attrs} PASSWORD {}",
                quote_ident(name),
                quote_literal(password)
            ),
        );
    }

    /// Whether database `db` exists.
    pub fn db_exists(&self, db: &str) -> bool {
        self.sql(
            "postgres",
            &format!(
                "SELECT count(*) FROM pg_database WHERE datname = {}",
                quote_literal(db)
            ),
        ) == "1"
    }

    /// Names of all databases except template0/template1/postgres and the fixture
    /// templates (`tmpl_*`, which are `datistemplate`), sorted.
    pub fn user_databases(&self) -> Vec<String> {
        self.column(
            "postgres",
            "SELECT datname FROM pg_database WHERE NOT datistemplate \
             AND datname <> 'postgres' ORDER BY datname",
        )
    }

    /// Number of backends connected to `db` (other than the asking one).
    pub fn connections_to(&self, db: &str) -> i64 {
        self.sql(
            "postgres",
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = {} \
                 AND pid <> pg_backend_pid()",
                quote_literal(db)
            ),
        )
        .parse()
        .unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.dir.is_some() && self.running.swap(false, Ordering::SeqCst) {
            let _ = pg_stop(&self.data_dir(), libc::SIGQUIT);
        }
        // TempDir's drop removes the dir (we are root or the owner)
    }
}

/// SQL identifier quoting: `"` around, inner `"` doubled.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// SQL string literal quoting (standard_conforming_strings): `'` around, inner `'` doubled.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

// ---------------------------------------------------------------------------------------
// sshd
// ---------------------------------------------------------------------------------------

/// A throwaway OpenSSH server on 127.0.0.1:<port> accepting one generated client key
/// for the current user (root in CI). Dropping it kills it and its sessions.
pub struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    child: Mutex<Option<Child>>,
}

impl Sshd {
    /// Starts sshd, or returns None (printing why) when not running as root.
    /// Panics when /usr/sbin/sshd is missing.
    pub fn try_start() -> Option<Sshd> {
        if !Path::new(SSHD).is_file() {
            panic!("{SSHD} missing: install openssh-server (scripts/test.sh does)");
        }
        if !is_root() {
            eprintln!(
                "skipping sshd test: sshd needs root to log users in (tests run as root in CI)"
            );
            return None;
        }
        Some(Self::start_inner())
    }

    /// Starts sshd; panics when it cannot (not root, no sshd).
    pub fn start() -> Sshd {
        Self::try_start().expect("Sshd::start needs root")
    }

    fn start_inner() -> Sshd {
        reap_orphans();
        let dir = short_tempdir("ts");
        let d = dir.path();
        write_owner_pid(d);
        let keygen = |file: &str, comment: &str| {
            run_ok(
                Command::new("ssh-keygen")
                    .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
                    .arg(d.join(file)),
            );
        };
        keygen("host_ed25519", "tc-test-host");
        keygen("id_ed25519", "tc-test-client");
        keygen("wrong_ed25519", "tc-test-wrong");
        let client_pub = std::fs::read_to_string(d.join("id_ed25519.pub")).unwrap();
        std::fs::write(d.join("authorized_keys"), client_pub).unwrap();
        std::fs::set_permissions(
            d.join("authorized_keys"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let host_pub = std::fs::read_to_string(d.join("host_ed25519.pub")).unwrap();
        let host_pub: Vec<&str> = host_pub.split_whitespace().collect();
        let _ = std::fs::create_dir_all("/run/sshd");
        let _ = std::fs::set_permissions("/run/sshd", std::fs::Permissions::from_mode(0o755));

        let mut last_err = String::new();
        for _attempt in 0..8 {
            let port = free_port();
            std::fs::write(
                d.join("known_hosts"),
                format!("[127.0.0.1]:{port} {} {}\n", host_pub[0], host_pub[1]),
            )
            .unwrap();
            let config = format!(
                "ListenAddress 127.0.0.1:{port}\n\
                 HostKey {dir}/host_ed25519\n\
                 PidFile {dir}/sshd.pid\n\
                 AuthorizedKeysFile {dir}/authorized_keys\n\
                 StrictModes no\n\
                 UsePAM no\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\n\
                 PermitRootLogin prohibit-password\n\
                 AllowTcpForwarding yes\n\
                 AllowStreamLocalForwarding yes\n\
                 MaxSessions 100\n\
                 MaxStartups 100:30:200\n\
                 UseDNS no\n\
                 PrintMotd no\n\
                 PermitUserEnvironment no\n\
                 LogLevel VERBOSE\n\
                 Subsystem sftp internal-sftp\n",
                dir = d.display()
            );
            std::fs::write(d.join("sshd_config"), config).unwrap();
            let log = std::fs::File::create(d.join("sshd.log")).unwrap();
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(d.join("sshd_config"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {SSHD}: {e}"));
            // ready when it answers with its banner
            let deadline = Instant::now() + Duration::from_secs(20);
            let ready = loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_err = format!(
                        "sshd exited ({status}): {}",
                        std::fs::read_to_string(d.join("sshd.log")).unwrap_or_default()
                    );
                    break false;
                }
                if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; 8];
                    if s.read_exact(&mut buf).is_ok() && &buf[..4] == b"SSH-" {
                        break true;
                    }
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_err = format!(
                        "sshd not answering on port {port}: {}",
                        std::fs::read_to_string(d.join("sshd.log")).unwrap_or_default()
                    );
                    break false;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            if ready {
                return Sshd {
                    dir,
                    port,
                    child: Mutex::new(Some(child)),
                };
            }
        }
        panic!("sshd did not start: {last_err}");
    }

    /// Port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }
    /// Always "127.0.0.1".
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }
    /// OS user to log in as (the current user, e.g. "root").
    pub fn user(&self) -> String {
        current_user()
    }
    /// Private key accepted by this sshd (no passphrase).
    pub fn identity_file(&self) -> PathBuf {
        self.dir.path().join("id_ed25519")
    }
    /// A valid private key that this sshd does NOT accept.
    pub fn wrong_identity_file(&self) -> PathBuf {
        self.dir.path().join("wrong_ed25519")
    }
    /// known_hosts with this sshd's host key for `[127.0.0.1]:<port>`.
    pub fn known_hosts_file(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }
    /// The sshd's private dir (config, keys, sshd.log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// sshd's log so far (LogLevel VERBOSE).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// Stops sshd and every session it spawned (for "host down" tests). Idempotent.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            kill_tree(child.id(), "KILL");
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether sshd is running.
    pub fn is_running(&self) -> bool {
        self.child.lock().unwrap().is_some()
    }

    /// Runs `ssh ... user@127.0.0.1 <remote_cmd>` with this server's key and known_hosts
    /// (BatchMode, no user config); returns the output.
    pub fn ssh(&self, identity: &Path, remote_cmd: &str) -> Output {
        run_output(
            Command::new("ssh")
                .args([
                    "-F",
                    "/dev/null",
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "IdentitiesOnly=yes",
                ])
                .arg("-o")
                .arg(format!(
                    "UserKnownHostsFile={}",
                    self.known_hosts_file().display()
                ))
                .args(["-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10"])
                .arg("-i")
                .arg(identity)
                .arg("-p")
                .arg(self.port.to_string())
                .arg(format!("{}@127.0.0.1", self.user()))
                .arg(remote_cmd)
                .env_remove("SSH_AUTH_SOCK")
                .stdin(Stdio::null()),
        )
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------
// tenantctl command, inventory
// ---------------------------------------------------------------------------------------

/// Per-process HOME for [`tenantctl`]: `<target tmp>/tc-home-<pid>`, emptied on first use.
pub fn test_home() -> &'static Path {
    timing::touch();
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let root = target_tmpdir();
        // remove homes of test processes that are gone
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("tc-home-") {
                    if !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let home = root.join(format!("tc-home-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        home
    })
}

/// `tenantctl` with a controlled environment and the per-process [`test_home`].
/// See [`tenantctl_with_home`].
pub fn tenantctl() -> assert_cmd::Command {
    tenantctl_with_home(test_home())
}

/// `tenantctl` with a controlled environment: every `PG*`, `TENANTCTL_*` and
/// `SSH_AUTH_SOCK` variable removed; `HOME`, `XDG_CONFIG_HOME` (`<home>/.config`),
/// `XDG_STATE_HOME` (`<home>/.local/state`), `XDG_CACHE_HOME`, `XDG_RUNTIME_DIR`
/// pointed into `home` (so no user file leaks in, and tests that need their own state
/// can pass their own dir); `NO_COLOR=1`, `TZ=UTC`, `TC_TEST_PGPASSWORD=postgres`.
/// Note: ssh reads ~/.ssh of the passwd entry, not $HOME: give it explicit files.
pub fn tenantctl_with_home(home: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(tenantctl_process(home))
}

/// The same as a plain [`Command`] (for tests that spawn, signal or measure it).
pub fn tenantctl_process(home: &Path) -> Command {
    timing::touch();
    let mut cmd = Command::new(tenantctl_bin());
    for (k, _) in std::env::vars_os() {
        let k_str = k.to_string_lossy();
        if k_str.starts_with("PG")
            || k_str.starts_with("TENANTCTL_")
            || k_str.starts_with("XDG_")
            || k_str == "SSH_AUTH_SOCK"
            || k_str == "RUST_LOG"
        {
            cmd.env_remove(&k);
        }
    }
    for sub in [".config", ".local/state", ".cache", "run"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    let _ = std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env(PASSWORD_ENV, SUPERUSER_PASSWORD);
    cmd
}

/// Runs `tenantctl -i INV ARGS` (environment of [`tenantctl_with_home`],
/// `stdin` written to it) in a debug build paused before `step`
/// (`TENANTCTL_DEBUG_PAUSE_BEFORE`), sends `sig` once it says it is there;
/// the exit code (None: killed) and stderr. The pause lasts until that
/// signal: a Ctrl-C wakes it (the run's guard counted it), a kill ends it;
/// `TENANTCTL_DEBUG_RELEASE` names a file never created, so the hook never
/// gives up early (bounded by the hook's own 120 s).
pub fn interrupt_at(
    home: &Path,
    inv: &Path,
    args: &[&str],
    stdin: &[u8],
    step: &str,
    sig: i32,
) -> (Option<i32>, String) {
    let mut child = tenantctl_process(home)
        .env("TENANTCTL_DEBUG_PAUSE_BEFORE", step)
        .env("TENANTCTL_DEBUG_RELEASE", home.join("run/never-released"))
        .arg("-i")
        .arg(inv)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let mut err = child.stderr.take().unwrap();
    // Wait for the pause message, then signal.
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let t0 = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("pausing before") {
        let n = err.read(&mut buf).unwrap();
        assert!(
            n > 0 && t0.elapsed().as_secs() < 60,
            "step {step}: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    // The guard's handler is registered before any step (Guard::install).
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
    let out = child.wait_with_output().unwrap();
    let mut rest = String::from_utf8_lossy(&seen).into_owned();
    let _ = err.read_to_string(&mut rest);
    (out.status.code(), rest)
}

/// [`tenantctl`] reading the inventory `inv` (`-i inv`).
pub fn tenantctl_on(inv: &Path) -> assert_cmd::Command {
    let mut cmd = tenantctl();
    cmd.arg("-i").arg(inv);
    cmd
}

/// Runs `cmd`, which must exit with `code`; its stdout as text.
pub fn stdout_of(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let a = cmd.assert().code(code);
    String::from_utf8(a.get_output().stdout.clone()).expect("stdout is UTF-8")
}

/// Runs `cmd`, which must exit with `code`; its stderr as text.
pub fn stderr_of(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let a = cmd.assert().code(code);
    String::from_utf8(a.get_output().stderr.clone()).expect("stderr is UTF-8")
}

/// Whether `tool` can be run (it answers `--version`).
pub fn have_tool(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

/// Runs `sh -c command_line` on a pseudo-terminal (util-linux `script`) of 80
/// columns (`stty cols 80`, and `COLUMNS=80`) with `XDG_STATE_HOME=state`,
/// typing the lines of `input`, each after `pause` (time for the program to
/// reach its prompt: a pty discards nothing, but echo settings apply when the
/// prompt is up). Returns the exit code and the screen.
pub fn on_a_pty(
    command_line: &str,
    state: &Path,
    input: &str,
    pause: Duration,
) -> (Option<i32>, String) {
    on_a_pty_driven(command_line, state, |stdin| {
        for line in input.lines() {
            std::thread::sleep(pause);
            writeln!(stdin, "{line}").unwrap();
        }
    })
}

/// [`on_a_pty`], with `drive` writing to the terminal (what is typed: `\x03`
/// is Ctrl-C) before it is closed.
pub fn on_a_pty_driven(
    command_line: &str,
    state: &Path,
    drive: impl FnOnce(&mut std::process::ChildStdin),
) -> (Option<i32>, String) {
    let mut tty = tty::Tty::start(command_line, state);
    drive(tty.stdin());
    tty.close()
}

/// Reads `child`'s stderr (piped) until `n` lines satisfy `counts`, then calls
/// `then`, reads the rest of stderr and waits for the child. Returns those lines
/// (with their newline), the rest of stderr, and its output (stdout; stderr read).
pub fn after_lines(
    mut child: Child,
    n: usize,
    counts: impl Fn(&str) -> bool,
    then: impl FnOnce(&Child),
) -> (Vec<String>, String, Output) {
    use std::io::BufRead;
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let mut line = String::new();
    while seen.len() < n && err.read_line(&mut line).unwrap() > 0 {
        if counts(&line) {
            seen.push(line.clone());
        }
        line.clear();
    }
    then(&child);
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    (seen, rest, child.wait_with_output().unwrap())
}

/// [`after_lines`] sending SIGINT (Ctrl-C) after the `n` lines.
pub fn interrupt_after(
    child: Child,
    n: usize,
    counts: impl Fn(&str) -> bool,
) -> (Vec<String>, String, Output) {
    after_lines(child, n, counts, |c| {
        let sent = Command::new("kill")
            .args(["-INT", &c.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -INT {}", c.id());
    })
}

/// Writes `<dir>/nodes.toml` (mode 0600) with one `[[node]]` per cluster, then `extra`
/// verbatim. Returns its path.
///
/// ```toml
/// [defaults]
/// user = "postgres"
/// password_env = "TC_TEST_PGPASSWORD"
/// sslmode = "disable"
///
/// [[node]]
/// name = "n1"
/// host = "127.0.0.1"
/// port = 54321
/// ```
pub fn write_inventory(dir: &Path, clusters: &[(&str, &Cluster)], extra: &str) -> PathBuf {
    let mut s = format!(
        "[defaults]\nuser = \"postgres\"\npassword_env = \"{PASSWORD_ENV}\"\nsslmode = \"disable\"\n"
    );
    for (name, c) in clusters {
        s.push_str(&format!(
            "\n[[node]]\nname = {}\nhost = \"{}\"\nport = {}\n",
            toml_string(name),
            c.host(),
            c.port()
        ));
    }
    if !extra.is_empty() {
        s.push('\n');
        s.push_str(extra);
        if !extra.ends_with('\n') {
            s.push('\n');
        }
    }
    let path = dir.join("nodes.toml");
    std::fs::write(&path, s).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// A TOML basic string literal.
pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------
// passlib oracle
// ---------------------------------------------------------------------------------------

/// The Python with passlib: `$TENANTCTL_TEST_PYTHON`, else `<repo>/.venv/bin/python`.
pub fn python() -> PathBuf {
    let p = match std::env::var_os("TENANTCTL_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
    };
    if !p.exists() {
        panic!(
            "{} missing: run scripts/test.sh to create the venv",
            p.display()
        );
    }
    p
}

/// What Odoo's passlib CryptContext says about a stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasslibVerdict {
    /// `password` verifies against `hash` (a login would succeed).
    pub verifies: bool,
    /// The context deems the hash deprecated: Odoo rewrites it at the next login.
    pub needs_update: bool,
    /// Scheme passlib identified: "pbkdf2_sha512", "plaintext" (anything that is not
    /// pbkdf2, e.g. argon2), or None (NULL/empty hash).
    pub identified: Option<String>,
}

/// Asks passlib (Odoo's CryptContext for `odoo_major`, default rounds) about `hash`.
/// Panics if passlib raises (malformed hash): use [`try_passlib_check`] to test that.
pub fn passlib_check(hash: &str, password: &str, odoo_major: u32) -> PasslibVerdict {
    try_passlib_check(Some(hash), password, odoo_major, None)
        .unwrap_or_else(|e| panic!("passlib rejected hash {hash:?}: {e}"))
}

/// Full form: `hash` None = NULL column; `rounds` = ICP `password.hashing.rounds`
/// (16+). Err(message) when passlib raises, as Odoo's login would.
pub fn try_passlib_check(
    hash: Option<&str>,
    password: &str,
    odoo_major: u32,
    rounds: Option<u32>,
) -> Result<PasslibVerdict, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/passlib_check.py");
    let input = serde_json::json!({
        "hash": hash,
        "password": password,
        "odoo_major": odoo_major,
        "rounds": rounds,
    })
    .to_string();
    // The oracle's answer depends on its input only: kept for the test
    // process (the fixtures' hashes are asked about again and again, each
    // answer at 600000 rounds costs a third of a second).
    static ANSWERS: OnceLock<Mutex<HashMap<String, Result<PasslibVerdict, String>>>> =
        OnceLock::new();
    let answers = ANSWERS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(a) = answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&input)
    {
        return a.clone();
    }
    let answer = run_passlib_check(&script, &input);
    let mut answers = answers.lock().unwrap_or_else(|e| e.into_inner());
    answers.insert(input, answer.clone());
    answer
}

fn run_passlib_check(script: &Path, input: &str) -> Result<PasslibVerdict, String> {
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python().display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        panic!(
            "passlib_check.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "passlib_check.py output {:?}: {e}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    if let Some(err) = v.get("error") {
        return Err(err.as_str().unwrap_or_default().to_string());
    }
    Ok(PasslibVerdict {
        verifies: v["verifies"].as_bool().expect("verifies"),
        needs_update: v["needs_update"].as_bool().expect("needs_update"),
        identified: v["identified"].as_str().map(str::to_string),
    })
}

/// Cargo's per-target scratch directory; outside integration tests (the demo
/// example reuses this harness) `target/tmp`.
pub fn target_tmpdir() -> PathBuf {
    match option_env!("CARGO_TARGET_TMPDIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp"),
    }
}

/// The tenantctl binary under test (outside integration tests: next to the
/// running executable's target directory).
pub fn tenantctl_bin() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_tenantctl") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debug/tenantctl"),
    }
}
