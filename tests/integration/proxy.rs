//! A loopback TCP fault proxy between tenantctl and a test cluster: the inventory
//! points the node at [`FaultProxy::port`], the proxy forwards to the cluster.
//!
//! Modes (switchable at any time with [`FaultProxy::set_mode`]; a new mode applies
//! to connections accepted afterwards and to open connections in `Pass`):
//! - [`Mode::Pass`]: forward both ways.
//! - [`Mode::CutAfterCommit`]: forward; when a client→server chunk contains the
//!   bytes `COMMIT`, forward that chunk, then close the client side without relaying
//!   the server's answer (the server side stays open, its bytes are read and
//!   dropped, so the commit completes on the server). Fires once: the mode then
//!   becomes `Pass`, later connections pass normally.
//! - [`Mode::FreezeOn`]: when a client→server chunk contains the pattern, that
//!   chunk is not forwarded and the connection stops forwarding in both directions,
//!   both sockets kept open (a network that went silent mid-transaction). Fires
//!   once: the mode then becomes `Pass`.
//!
//! Every loop is bounded by socket timeouts and the proxy's stop flag; dropping
//! the proxy stops the acceptor and closes every socket (frozen ones included)
//! within about a second. Loopback only.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does to the traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Pass,
    CutAfterCommit,
    FreezeOn(Vec<u8>),
}

impl Mode {
    /// `FreezeOn` a text pattern, e.g. `Mode::freeze_on("UPDATE")`.
    pub fn freeze_on(pattern: &str) -> Mode {
        Mode::FreezeOn(pattern.as_bytes().to_vec())
    }
}

struct Shared {
    target_port: u16,
    mode: Mutex<Mode>,
    stop: AtomicBool,
    connections: AtomicUsize,
    cuts: AtomicUsize,
    freezes: AtomicUsize,
    /// Run by `CutAfterCommit` after forwarding the COMMIT and before the
    /// client sees the cut (its acknowledgement is dropped meanwhile).
    on_cut: Mutex<Option<CutHook>>,
}

type CutHook = Box<dyn FnMut() + Send>;

/// A running proxy on 127.0.0.1:<port> forwarding to 127.0.0.1:<target_port>.
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

const TICK: Duration = Duration::from_millis(100);

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

impl FaultProxy {
    /// Starts a proxy in `mode` forwarding to 127.0.0.1:`target_port`.
    pub fn start(target_port: u16, mode: Mode) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy on 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            target_port,
            mode: Mutex::new(mode),
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            cuts: AtomicUsize::new(0),
            freezes: AtomicUsize::new(0),
            on_cut: Mutex::new(None),
        });
        let workers: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::new(Mutex::new(Vec::new()));
        let (s, w) = (shared.clone(), workers.clone());
        let acceptor = std::thread::spawn(move || {
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        s.connections.fetch_add(1, Ordering::SeqCst);
                        let s2 = s.clone();
                        let h = std::thread::spawn(move || serve(client, &s2));
                        w.lock().unwrap().push(h);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(TICK / 5),
                    Err(_) => std::thread::sleep(TICK / 5),
                }
            }
        });
        FaultProxy {
            port,
            shared,
            acceptor: Some(acceptor),
            workers,
        }
    }

    /// The proxy's port on 127.0.0.1 (put it in the inventory).
    pub fn port(&self) -> u16 {
        self.port
    }
    /// Always "127.0.0.1".
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }
    /// Switches the mode (and re-arms a one-shot fault).
    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }
    /// The current mode (`Pass` again once a one-shot fault fired).
    pub fn mode(&self) -> Mode {
        self.shared.mode.lock().unwrap().clone()
    }
    /// Runs `f` when `CutAfterCommit` fires: after the COMMIT went to the
    /// server, before the client's socket is closed (e.g. the tenant writes
    /// in the window between the commit and tenantctl's settling).
    pub fn on_cut(&self, f: impl FnMut() + Send + 'static) {
        *self.shared.on_cut.lock().unwrap() = Some(Box::new(f));
    }
    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
    /// Times `CutAfterCommit` fired.
    pub fn cuts(&self) -> usize {
        self.shared.cuts.load(Ordering::SeqCst)
    }
    /// Times `FreezeOn` fired.
    pub fn freezes(&self) -> usize {
        self.shared.freezes.load(Ordering::SeqCst)
    }
    /// Waits (bounded by `limit`) until `f(self)` holds; returns whether it did.
    pub fn wait_for(&self, limit: Duration, f: impl Fn(&FaultProxy) -> bool) -> bool {
        let t0 = std::time::Instant::now();
        while t0.elapsed() < limit {
            if f(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        f(self)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        let handles: Vec<JoinHandle<()>> = std::mem::take(&mut *self.workers.lock().unwrap());
        for h in handles {
            let _ = h.join();
        }
    }
}

/// What a connection's client→server pump decided.
enum Fault {
    None,
    Cut,
    Freeze,
}

/// One proxied connection. Two pumps in this thread and one helper thread; each
/// read waits at most [`TICK`], so the stop flag is seen promptly.
fn serve(client: TcpStream, s: &Arc<Shared>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", s.target_port)) else {
        return;
    };
    for sock in [&client, &server] {
        let _ = sock.set_read_timeout(Some(TICK));
        // a peer that stops reading cannot block a pump (or the proxy's drop) for long
        let _ = sock.set_write_timeout(Some(Duration::from_secs(5)));
        let _ = sock.set_nodelay(true);
    }
    // 0 running, 1 cut (client closed, server drained), 2 frozen
    let state = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // server → client
    let (mut srv_r, mut cli_w) = (server.try_clone().unwrap(), client.try_clone().unwrap());
    let (st2, done2, sh2) = (state.clone(), done.clone(), s.clone());
    let back = std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while !sh2.stop.load(Ordering::SeqCst) && !done2.load(Ordering::SeqCst) {
            if st2.load(Ordering::SeqCst) == 2 {
                std::thread::sleep(TICK);
                continue;
            }
            match srv_r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    // frozen: hold the bytes (never delivered); cut: drop them
                    if st2.load(Ordering::SeqCst) == 0 && cli_w.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
        }
        done2.store(true, Ordering::SeqCst);
    });
    // client → server
    let (mut cli_r, mut srv_w) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let mut buf = [0u8; 16384];
    while !s.stop.load(Ordering::SeqCst) && !done.load(Ordering::SeqCst) {
        if state.load(Ordering::SeqCst) != 0 {
            std::thread::sleep(TICK);
            continue;
        }
        match cli_r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                let fault = {
                    let mut m = s.mode.lock().unwrap();
                    match &*m {
                        Mode::CutAfterCommit if contains(chunk, b"COMMIT") => {
                            *m = Mode::Pass;
                            Fault::Cut
                        }
                        Mode::FreezeOn(p) if contains(chunk, p) => {
                            *m = Mode::Pass;
                            Fault::Freeze
                        }
                        _ => Fault::None,
                    }
                };
                match fault {
                    Fault::None => {
                        if srv_w.write_all(chunk).is_err() {
                            break;
                        }
                    }
                    Fault::Cut => {
                        let _ = srv_w.write_all(chunk);
                        state.store(1, Ordering::SeqCst);
                        s.cuts.fetch_add(1, Ordering::SeqCst);
                        if let Some(f) = s.on_cut.lock().unwrap().as_mut() {
                            f();
                        }
                        let _ = client.shutdown(Shutdown::Both);
                    }
                    Fault::Freeze => {
                        state.store(2, Ordering::SeqCst);
                        s.freezes.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    done.store(true, Ordering::SeqCst);
    let _ = back.join();
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}

// ------------------------------------------------------------------ self-test

/// psql over TCP through `port` (script on stdin, statements sent one by one).
#[cfg(test)]
fn psql_via(port: u16, script: &str) -> (std::process::Child, std::process::ChildStdin) {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new("psql");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .env("PGPASSWORD", crate::harness::SUPERUSER_PASSWORD)
        .env("PGSSLMODE", "disable")
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGAPPNAME", "proxy_selftest")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-p",
        ])
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run psql");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).unwrap();
    // stdin stays open with the caller: psql must not quit before its answer
    (child, stdin)
}

#[test]
fn the_fault_proxy_passes_cuts_after_commit_and_freezes() {
    use crate::harness::Cluster;
    let c = Cluster::start("proxy");
    c.sql("postgres", "CREATE TABLE proxytest (x int)");
    let idle_in_tx = || {
        c.sql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'proxy_selftest' \
             AND state LIKE 'idle in transaction%'",
        )
    };
    let wait_child = |(mut ch, stdin): (std::process::Child, std::process::ChildStdin)| {
        drop(stdin);
        let t0 = std::time::Instant::now();
        while ch.try_wait().unwrap().is_none() {
            assert!(t0.elapsed() < Duration::from_secs(30), "psql hung");
            std::thread::sleep(Duration::from_millis(20));
        }
        ch.wait_with_output().unwrap()
    };

    // Pass
    let p = FaultProxy::start(c.port(), Mode::Pass);
    let out = wait_child(psql_via(p.port(), "SELECT 40 + 2;\n\\q\n"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
    assert_eq!(p.connections(), 1);

    // CutAfterCommit: the commit happens, the client never hears of it.
    p.set_mode(Mode::CutAfterCommit);
    let out = wait_child(psql_via(
        p.port(),
        "BEGIN;\nINSERT INTO proxytest VALUES (1);\nCOMMIT;\nSELECT 'after';\n\\q\n",
    ));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("after"));
    assert_eq!(p.cuts(), 1);
    assert_eq!(p.mode(), Mode::Pass, "one shot");
    assert!(p.wait_for(Duration::from_secs(10), |_| c
        .sql("postgres", "SELECT count(*) FROM proxytest WHERE x = 1")
        == "1"));
    let out = wait_child(psql_via(p.port(), "SELECT 'later';\n\\q\n"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "later",
        "later connections pass"
    );

    // FreezeOn: nothing of the UPDATE reaches the server; the transaction stays open
    // until the proxy goes away, then rolls back.
    p.set_mode(Mode::freeze_on("UPDATE"));
    let (mut frozen, frozen_stdin) = psql_via(
        p.port(),
        "BEGIN;\nINSERT INTO proxytest VALUES (2);\nUPDATE proxytest SET x = 3;\nCOMMIT;\n",
    );
    assert!(p.wait_for(Duration::from_secs(20), |p| p.freezes() == 1));
    assert!(p.wait_for(Duration::from_secs(10), |_| idle_in_tx() == "1"));
    let _ = frozen.kill();
    let _ = frozen.wait();
    drop(frozen_stdin);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        idle_in_tx(),
        "1",
        "the server never hears of the client's end"
    );
    drop(p);
    let t0 = std::time::Instant::now();
    while idle_in_tx() != "0" {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "backend left behind"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        c.sql(
            "postgres",
            "SELECT string_agg(x::text, ',' ORDER BY x) FROM proxytest"
        ),
        "1",
        "the frozen transaction rolled back"
    );
}
