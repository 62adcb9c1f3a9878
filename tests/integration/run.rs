//! The one run builder of the integration tests: a [`Run`] is one tenantctl
//! invocation (arguments, stdin, environment) with what it must give (exit
//! code, stdout/stderr text, JSON), all checked together when it is run (in
//! the spirit of just's `tests/test.rs`); and a plain child process for
//! tests that signal or read a run while it goes ([`spawn`]).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::harness::tenantctl_process;

// ------------------------------------------------------------- child process

/// tenantctl as a child process with piped stdio, for tests that signal,
/// kill or read it while it runs.
pub fn spawn(inv: &std::path::Path, home: &std::path::Path, args: &[&str]) -> std::process::Child {
    Command::new(crate::harness::tenantctl_bin())
        .arg("-i")
        .arg(inv)
        .args(args)
        .env("TC_TEST_PGPASSWORD", "postgres")
        .env("XDG_STATE_HOME", home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child at most `limit` (a hang guard, not a performance check).
pub fn wait_bounded(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let t0 = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "hung for {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ------------------------------------------------------------------------ run

/// A hang guard for a run (not a performance check).
const WATCHDOG: Duration = Duration::from_secs(120);

/// One tenantctl invocation and what it must give, checked together by
/// [`Run::run`] (in the spirit of just's `tests/test.rs`).
#[must_use = "a Run does nothing until .run()"]
pub struct Run {
    cmd: Command,
    shown: Vec<String>,
    stdin: Vec<u8>,
    code: Option<i32>,
    stdout_has: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr_has: Vec<String>,
    stderr_lacks: Vec<String>,
    stdout_is: Option<String>,
    stderr_is: Option<String>,
    json: Vec<(String, Value)>,
    timeout: Duration,
}

/// What a [`Run`] gave.
#[derive(Debug)]
pub struct Ran {
    /// None: killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\nstdout: {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Run {
    /// tenantctl in the harness's controlled environment with HOME `home`.
    pub fn new(home: &Path) -> Run {
        Run {
            cmd: tenantctl_process(home),
            shown: Vec::new(),
            stdin: Vec::new(),
            code: Some(0),
            stdout_has: Vec::new(),
            stdout_lacks: Vec::new(),
            stderr_has: Vec::new(),
            stderr_lacks: Vec::new(),
            stdout_is: None,
            stderr_is: None,
            json: Vec::new(),
            timeout: WATCHDOG,
        }
    }

    /// `-i inv`.
    pub fn inv(self, inv: &Path) -> Run {
        self.arg("-i").arg(inv)
    }

    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Run {
        self.shown.push(a.as_ref().to_string_lossy().into_owned());
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env(k, v);
        self
    }

    pub fn stdin(mut self, s: impl AsRef<[u8]>) -> Run {
        self.stdin = s.as_ref().to_vec();
        self
    }

    /// The exit code it must give (default 0).
    pub fn code(mut self, c: i32) -> Run {
        self.code = Some(c);
        self
    }

    /// Any exit (or none: killed).
    pub fn any_code(mut self) -> Run {
        self.code = None;
        self
    }

    pub fn stdout_has(mut self, s: &str) -> Run {
        self.stdout_has.push(s.to_string());
        self
    }

    pub fn stdout_lacks(mut self, s: &str) -> Run {
        self.stdout_lacks.push(s.to_string());
        self
    }

    pub fn stderr_has(mut self, s: &str) -> Run {
        self.stderr_has.push(s.to_string());
        self
    }

    pub fn stderr_lacks(mut self, s: &str) -> Run {
        self.stderr_lacks.push(s.to_string());
        self
    }

    pub fn stdout_is(mut self, s: &str) -> Run {
        self.stdout_is = Some(s.to_string());
        self
    }

    pub fn stderr_is(mut self, s: &str) -> Run {
        self.stderr_is = Some(s.to_string());
        self
    }

    /// stdout is one JSON document whose value at `pointer` (RFC 6901,
    /// e.g. `/outcome`) is `want`.
    pub fn json_at(mut self, pointer: &str, want: impl Into<Value>) -> Run {
        self.json.push((pointer.to_string(), want.into()));
        self
    }

    /// The hang guard (default 120 s): a run still going is killed and fails.
    pub fn timeout(mut self, d: Duration) -> Run {
        self.timeout = d;
        self
    }

    /// Runs it and checks everything asked; panics once, with the command,
    /// its exit and both outputs, listing every expectation that failed.
    pub fn run(mut self) -> Ran {
        let ran = self.spawn_and_wait();
        let mut failed = Vec::new();
        if self.code.is_some() && ran.code != self.code {
            failed.push(format!("exit {:?}, wanted {:?}", ran.code, self.code));
        }
        let checks = [
            (&self.stdout_has, &ran.stdout, "stdout", true),
            (&self.stdout_lacks, &ran.stdout, "stdout", false),
            (&self.stderr_has, &ran.stderr, "stderr", true),
            (&self.stderr_lacks, &ran.stderr, "stderr", false),
        ];
        for (wants, text, which, has) in checks {
            for w in wants {
                if text.contains(w.as_str()) != has {
                    let how = if has { "lacks" } else { "has" };
                    failed.push(format!("{which} {how} {w:?}"));
                }
            }
        }
        for (want, got, which) in [
            (&self.stdout_is, &ran.stdout, "stdout"),
            (&self.stderr_is, &ran.stderr, "stderr"),
        ] {
            if want.as_ref().is_some_and(|w| w != got) {
                failed.push(format!("{which} is not {:?}", want.as_ref().unwrap()));
            }
        }
        if !self.json.is_empty() {
            match serde_json::from_str::<Value>(&ran.stdout) {
                Err(e) => failed.push(format!("stdout is not one JSON document: {e}")),
                Ok(v) => {
                    for (p, want) in &self.json {
                        let got = v.pointer(p);
                        if got != Some(want) {
                            failed.push(format!("JSON {p}: {got:?}, wanted {want}"));
                        }
                    }
                }
            }
        }
        assert!(
            failed.is_empty(),
            "tenantctl {}:\n  {}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.shown.join(" "),
            failed.join("\n  "),
            ran.code,
            ran.stdout,
            ran.stderr
        );
        ran
    }

    fn spawn_and_wait(&mut self) -> Ran {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tenantctl");
        let pid = child.id() as i32;
        let mut stdin = child.stdin.take().unwrap();
        let input = std::mem::take(&mut self.stdin);
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            // A run that exits without reading its stdin closes the pipe: fine.
            let _ = stdin.write_all(&input);
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let out = match rx.recv_timeout(self.timeout) {
            Ok(o) => o.expect("wait for tenantctl"),
            Err(_) => {
                // SAFETY: kill(2) on our own child's pid.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                let o = rx.recv().unwrap().unwrap();
                panic!(
                    "tenantctl {} hung for {:?} and was killed; stderr:\n{}",
                    self.shown.join(" "),
                    self.timeout,
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        };
        let _ = writer.join();
        Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
