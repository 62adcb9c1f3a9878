//! Ctrl-C. Read-only commands stop at once (exit 130). Once a command starts
//! writing, Ctrl-C no longer kills the process: the in-flight transaction
//! finishes or rolls back, no further work starts, and the run exits 130.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set once Ctrl-C was pressed after [`Guard::install`].
#[derive(Clone)]
pub struct Guard(Arc<AtomicBool>);

impl Guard {
    /// From now on SIGINT sets the flag instead of ending the process.
    pub fn install() -> Guard {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                if !f.swap(true, Ordering::SeqCst) {
                    eprintln!("tenantctl: interrupted; letting the transaction in flight finish or roll back");
                }
            }
        });
        Guard(flag)
    }

    pub fn interrupted(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
