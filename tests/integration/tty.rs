//! A command on a pseudo-terminal (util-linux `script`), driven by what it
//! shows instead of by the clock: [`Tty::wait_for`] waits for a prompt on
//! the screen, [`Tty::answer_hidden`] also waits until the terminal stops
//! echoing (a password prompt turns echo off only after printing itself, so
//! a line typed at once would show), and [`Tty::finish`] waits for the end.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{PASSWORD_ENV, SUPERUSER_PASSWORD};

/// How long a prompt or the end may take (a hang guard, not a performance check).
const LIMIT: Duration = Duration::from_secs(60);

/// A command running on a pty of 80 columns.
pub struct Tty {
    child: Child,
    stdin: Option<ChildStdin>,
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Where the next [`Tty::wait_for`] starts looking.
    seen: usize,
    /// The pty's slave side (found from `script`'s child), for echo checks.
    slave: Option<PathBuf>,
}

impl Tty {
    /// Runs `sh -c command_line` on a pty (`stty cols 80`, `COLUMNS=80`)
    /// with `XDG_STATE_HOME=state`.
    pub fn start(command_line: &str, state: &Path) -> Tty {
        let mut child = Command::new("script")
            .args([
                "-qec",
                &format!("stty cols 80 rows 24 2>/dev/null; {command_line}"),
                "/dev/null",
            ])
            .env(PASSWORD_ENV, SUPERUSER_PASSWORD)
            .env("XDG_STATE_HOME", state)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "80")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script(1) from util-linux");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut out = child.stdout.take().unwrap();
        let s = screen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Tty {
            stdin: child.stdin.take(),
            child,
            screen,
            reader: Some(reader),
            seen: 0,
            slave: None,
        }
    }

    /// The screen so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until `text` shows after what the last wait found; moves past it.
    pub fn wait_for(&mut self, text: &str) {
        let t0 = Instant::now();
        loop {
            {
                let s = self.screen.lock().unwrap();
                let rest = String::from_utf8_lossy(&s[self.seen.min(s.len())..]).into_owned();
                if let Some(i) = rest.find(text) {
                    self.seen += rest[..i + text.len()].len();
                    return;
                }
            }
            if t0.elapsed() > LIMIT || self.child.try_wait().unwrap().is_some() {
                // One last look: the output may have come with the end.
                std::thread::sleep(Duration::from_millis(50));
                let s = self.screen();
                assert!(
                    s[self.seen.min(s.len())..].contains(text),
                    "no {text:?} on the screen:\n{s}"
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The terminal's input, to write to directly.
    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("stdin open")
    }

    /// Types `line` and Enter.
    pub fn type_line(&mut self, line: &str) {
        self.type_bytes(format!("{line}\r").as_bytes());
    }

    /// Types raw bytes (e.g. `\x03`, Ctrl-C).
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        self.stdin().write_all(bytes).unwrap();
        self.stdin().flush().unwrap();
    }

    /// Waits for `prompt`, then types `line`.
    pub fn answer(&mut self, prompt: &str, line: &str) {
        self.wait_for(prompt);
        self.type_line(line);
    }

    /// Waits for the password prompt `prompt` and for the terminal to stop
    /// echoing, then types `line`.
    pub fn answer_hidden(&mut self, prompt: &str, line: &str) {
        self.wait_for(prompt);
        self.wait_echo_off();
        self.type_line(line);
    }

    /// Waits until the pty no longer echoes what is typed.
    pub fn wait_echo_off(&mut self) {
        let t0 = Instant::now();
        loop {
            if self.slave.is_none() {
                self.slave = slave_of(self.child.id());
            }
            if let Some(false) = self.slave.as_deref().and_then(echoes) {
                return;
            }
            assert!(
                t0.elapsed() < LIMIT,
                "the terminal still echoes:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the command to end (stdin left open: no end of input
    /// answers a question), then closes the terminal; the exit code and the
    /// whole screen.
    pub fn finish(mut self) -> (Option<i32>, String) {
        let t0 = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if t0.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("still running after {LIMIT:?}:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        drop(self.stdin.take());
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        (status.code(), self.screen())
    }

    /// Closes the terminal's input (end of input), then as [`Tty::finish`].
    pub fn close(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        self.finish()
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        // A test that fails while the command runs leaves no process behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The pty slave of `script`'s child (its standard input), once it runs.
fn slave_of(script: u32) -> Option<PathBuf> {
    let kids = std::fs::read_to_string(format!("/proc/{script}/task/{script}/children")).ok()?;
    let kid = kids.split_whitespace().next()?;
    let p = std::fs::read_link(format!("/proc/{kid}/fd/0")).ok()?;
    p.starts_with("/dev/pts").then_some(p)
}

/// Whether the terminal `slave` echoes input (None: cannot tell).
fn echoes(slave: &Path) -> Option<bool> {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(slave)
        .ok()?;
    // SAFETY: tcgetattr writes only into `t`; the fd is open for the call.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(f.as_raw_fd(), &mut t) } != 0 {
        return None;
    }
    Some(t.c_lflag & libc::ECHO != 0)
}
