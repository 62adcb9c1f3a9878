//! The ssh processes of a tunnel, found and ended through /proc.

use std::path::Path;
use std::time::{Duration, Instant};

/// Whether `pid` runs (a zombie does not: the master is reparented to init,
/// which may be slow to reap it).
pub(super) fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

pub(super) fn cmdline_mentions(pid: u32, dir: &Path) -> bool {
    let needle = dir.as_os_str().as_encoded_bytes();
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| c.windows(needle.len()).any(|w| w == needle))
}

/// Live processes whose command line names `dir`: only the ssh processes of
/// this tunnel do (`-S <dir>/…/master`, `-F <dir>/ssh_config`), and `dir` is
/// unique to it.
pub(super) fn pids_mentioning(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me && cmdline_mentions(pid, dir) && process_alive(pid))
        .collect()
}

/// Sends a signal with kill(1): the rare paths that need one (an ssh stuck
/// before authentication, a master that ignores the exit request) are not
/// worth an unsafe libc call.
pub(super) fn signal(pid: u32, sig: &str) {
    let _ = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Waits up to `grace` for `pids` to exit by themselves, then sends TERM,
/// then KILL; returns when all are gone (or after ~3 s more).
pub(super) async fn end_processes(pids: &[u32], grace: Duration) {
    let alive =
        |pids: &[u32]| -> Vec<u32> { pids.iter().copied().filter(|p| process_alive(*p)).collect() };
    let wait = |pids: Vec<u32>, d: Duration| async move {
        let until = Instant::now() + d;
        let mut left = pids;
        while !left.is_empty() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
            left = alive(&left);
        }
        left
    };
    let left = wait(alive(pids), grace).await;
    for &p in &left {
        signal(p, "TERM");
    }
    let left = wait(left, Duration::from_secs(2)).await;
    for &p in &left {
        signal(p, "KILL");
    }
    wait(left, Duration::from_secs(1)).await;
}
