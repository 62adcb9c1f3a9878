//! Per-test wall time for `scripts/test.sh`'s slowest-tests list (stable
//! `cargo test` has no `--report-time`). libtest runs each test on a thread
//! named after it; the first harness call of a test ([`touch`]) registers a
//! thread-local whose destructor, at the end of that thread, appends
//! `<seconds>\t<test>` to the file named by `TC_TEST_TIMES` (unset: nothing
//! is recorded). The start is the thread's own start time (from
//! `/proc/thread-self/stat`), so set-up before the first harness call counts.

use std::io::Write;
use std::time::Duration;

/// The current thread's age, from its start time in `/proc` (clock ticks
/// since boot) and `CLOCK_BOOTTIME`.
fn thread_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    // starttime is field 22 of the whole line: the 20th after the name.
    let ticks: u64 = rest.split(' ').nth(19)?.parse().ok()?;
    // SAFETY: sysconf and clock_gettime write only to their results.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as above.
    if hz <= 0 || unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } != 0 {
        return None;
    }
    let now = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    now.checked_sub(Duration::from_millis(ticks * 1000 / hz as u64))
}

struct Timer {
    file: std::path::PathBuf,
    name: String,
    started: std::time::Instant,
}

impl Drop for Timer {
    fn drop(&mut self) {
        let secs = thread_age()
            .unwrap_or_else(|| self.started.elapsed())
            .as_secs_f64();
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
        {
            // One write of one short line: appends from parallel tests do not mix.
            let _ = f.write_all(format!("{secs:.1}\t{}\n", self.name).as_bytes());
        }
    }
}

thread_local! {
    static TIMER: std::cell::OnceCell<Option<Timer>> = const { std::cell::OnceCell::new() };
}

/// Starts timing the current test, once per test thread (a no-op without
/// `TC_TEST_TIMES`, on the main thread, and on threads a test spawns that are
/// not named like a test).
pub fn touch() {
    let _ = TIMER.try_with(|t| {
        t.get_or_init(|| {
            let file = std::env::var_os("TC_TEST_TIMES")?;
            let name = std::thread::current().name()?.to_string();
            (name != "main" && name.contains("::")).then(|| Timer {
                file: file.into(),
                name,
                started: std::time::Instant::now(),
            })
        });
    });
}
