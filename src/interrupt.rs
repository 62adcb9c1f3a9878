//! Ctrl-C. Read-only commands stop at once (exit 130). Once a command starts
//! writing, the first Ctrl-C starts no new work: operations in flight finish
//! or hit their deadline, the rest are `skipped`, and the run exits 130. A
//! second Ctrl-C ends the run at once: operations in flight are reported
//! `unknown` (their COMMIT may or may not have reached the server).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Counts Ctrl-C presses after [`Guard::install`].
#[derive(Clone)]
pub struct Guard(Arc<Inner>);

/// The process's one guard, once installed.
static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();

struct Inner {
    presses: AtomicUsize,
    first: Notify,
    second: Notify,
    /// The progress bar on the terminal, if any: the notice is printed
    /// above it (a line written under a bar is cut by its next redraw).
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

/// The first Ctrl-C's notice, fitted to the terminal (stderr) width.
fn notice() -> String {
    crate::text::one_line(
        "tenantctl: interrupted; no new work starts (Ctrl-C again to stop at once)",
        crate::text::stderr_width().saturating_sub(1),
    )
}

impl Guard {
    /// From now on SIGINT is counted instead of ending the process. One
    /// guard per process: every caller gets the same counter.
    pub fn install() -> Guard {
        GUARD.get_or_init(Guard::counting).clone()
    }

    /// The guard, if one is installed (the debug builds' pause hook wakes
    /// at its first Ctrl-C).
    #[cfg(debug_assertions)]
    pub fn installed() -> Option<Guard> {
        GUARD.get().cloned()
    }

    fn counting() -> Guard {
        let inner = Arc::new(Inner {
            presses: AtomicUsize::new(0),
            first: Notify::new(),
            second: Notify::new(),
            bar: Mutex::new(None),
        });
        let i = inner.clone();
        // Registered here, before the guard is returned: a Ctrl-C right
        // after `install` is counted, never the default "end the process".
        let sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        tokio::spawn(async move {
            let Ok(mut sigint) = sigint else { return };
            while sigint.recv().await.is_some() {
                match i.presses.fetch_add(1, Ordering::SeqCst) {
                    0 => {
                        let bar = i.bar.lock().ok().and_then(|b| b.clone());
                        match bar {
                            Some(b) => b.suspend(|| eprintln!("{}", notice())),
                            None => eprintln!("{}", notice()),
                        }
                        i.first.notify_waiters();
                    }
                    _ => i.second.notify_waiters(),
                }
            }
        });
        Guard(inner)
    }

    pub fn interrupted(&self) -> bool {
        self.0.presses.load(Ordering::SeqCst) > 0
    }

    /// The bar the notice is printed above (None when it is gone).
    pub fn set_bar(&self, bar: Option<indicatif::ProgressBar>) {
        if let Ok(mut b) = self.0.bar.lock() {
            *b = bar;
        }
    }

    /// Resolves at the first Ctrl-C (at once if it was pressed).
    pub async fn first(&self) {
        loop {
            let n = self.0.first.notified();
            if self.interrupted() {
                return;
            }
            n.await;
        }
    }

    /// Resolves at the second Ctrl-C.
    pub async fn second(&self) {
        loop {
            let n = self.0.second.notified();
            if self.0.presses.load(Ordering::SeqCst) > 1 {
                return;
            }
            n.await;
        }
    }
}
