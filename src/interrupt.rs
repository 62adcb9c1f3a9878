//! Ctrl-C. Read-only commands stop at once (exit 130). Once a command starts
//! writing, the first Ctrl-C starts no new work: operations in flight finish
//! or hit their deadline, the rest are `skipped`, and the run exits 130. A
//! second Ctrl-C ends the run at once: operations in flight are reported
//! `unknown` (their COMMIT may or may not have reached the server).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// Counts Ctrl-C presses after [`Guard::install`].
#[derive(Clone)]
pub struct Guard(Arc<Inner>);

struct Inner {
    presses: AtomicUsize,
    second: Notify,
}

impl Guard {
    /// From now on SIGINT is counted instead of ending the process.
    pub fn install() -> Guard {
        let inner = Arc::new(Inner {
            presses: AtomicUsize::new(0),
            second: Notify::new(),
        });
        let i = inner.clone();
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                match i.presses.fetch_add(1, Ordering::SeqCst) {
                    0 => eprintln!(
                        "tenantctl: interrupted; no new work starts, operations in flight finish or roll back (Ctrl-C again to stop at once)"
                    ),
                    _ => i.second.notify_waiters(),
                }
            }
        });
        Guard(inner)
    }

    pub fn interrupted(&self) -> bool {
        self.0.presses.load(Ordering::SeqCst) > 0
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
