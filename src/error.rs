//! The one error type of tenantctl and its mapping to the documented exit codes.
//!
//! 0 ok, 1 failed, 2 usage/config/input error (nothing changed), 3 partial
//! (some targets failed), 130 interrupted.

use std::fmt;

/// Exit codes, as documented in README.md.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_PARTIAL: u8 = 3;
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The operation was tried and failed (exit 1).
    Failed,
    /// Bad usage, configuration or input; nothing was changed (exit 2).
    Usage,
    /// Ctrl-C (exit 130).
    Interrupted,
}

/// An error with its exit-code class. Displayed with `{:#}` it prints the whole
/// cause chain on one line (`what: why: root cause`).
#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub inner: anyhow::Error,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn usage(e: impl Into<anyhow::Error>) -> Self {
        Error {
            kind: Kind::Usage,
            inner: e.into(),
        }
    }
    pub fn failed(e: impl Into<anyhow::Error>) -> Self {
        Error {
            kind: Kind::Failed,
            inner: e.into(),
        }
    }
    pub fn interrupted() -> Self {
        Error {
            kind: Kind::Interrupted,
            inner: anyhow::anyhow!("interrupted"),
        }
    }
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::Failed => EXIT_FAILED,
            Kind::Usage => EXIT_USAGE,
            Kind::Interrupted => EXIT_INTERRUPTED,
        }
    }
    /// Adds context in front of the message, keeping the kind.
    pub fn context(self, what: impl fmt::Display + Send + Sync + 'static) -> Self {
        Error {
            kind: self.kind,
            inner: self.inner.context(what),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{:#}", self.inner)
        } else {
            write!(f, "{}", self.inner)
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::failed(e)
    }
}

/// `bail_usage!("...")`: return a usage error (exit 2).
#[macro_export]
macro_rules! bail_usage {
    ($($t:tt)*) => {
        return Err($crate::error::Error::usage(anyhow::anyhow!($($t)*)))
    };
}

/// Turns a tokio-postgres error into a one-line message with the server's own
/// words (severity, SQLSTATE, message, detail, hint) instead of a bare "db error".
pub fn pg_error(e: &tokio_postgres::Error) -> anyhow::Error {
    if let Some(db) = e.as_db_error() {
        let mut s = format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        );
        if let Some(d) = db.detail() {
            s.push_str(&format!("; detail: {d}"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        return anyhow::anyhow!(s);
    }
    // Non-server errors: walk the source chain ("error connecting to server:
    // Connection refused (os error 111)").
    anyhow::anyhow!(chain(e))
}

/// An error and its sources on one line, without repeating a source that the
/// outer message already contains.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let m = inner.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = inner.source();
    }
    s
}

/// The SQLSTATE of a server error, if any.
pub fn sqlstate(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().map(|d| d.code().code())
}
