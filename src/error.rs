//! The one error type of tenantctl and its mapping to the documented exit codes.
//!
//! Modelled on cargo-nextest's `ExpectedError`: a typed enum carried to the
//! top, where [`Error::exit_code`] is the only place that picks a number
//! (one exhaustive `match`) and `lib.rs` renders it once as
//! `tenantctl: {err:#}`. Per-target outcomes of write commands are folded into
//! an exit code by the write pipeline's `verdict`, the same function
//! for a single tenant and for `bulk`.

use std::fmt;

pub use tokio_postgres::error::SqlState;

/// Exit codes, as documented in README.md.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_PARTIAL: u8 = 3;
pub const EXIT_INTERRUPTED: u8 = 130;

/// Everything that can end a command, by cause. [`Error::exit_code`] is the
/// one place a cause becomes an exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line: a bad value, a missing or conflicting flag, no
    /// terminal to ask on; nothing was changed (exit 2).
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// A local input that cannot be used: the inventory, a `--from` file,
    /// the audit log, a secrets file; nothing was changed (exit 2).
    #[error("{0:#}")]
    Input(anyhow::Error),
    /// A tenant or node named that is not there, or is ambiguous; nothing
    /// was changed (exit 2).
    #[error("{0:#}")]
    Target(anyhow::Error),
    /// A rule of tenantctl refused the operation; nothing was changed (exit 2).
    #[error("{0}")]
    Refused(String),
    /// A node could not be reached: TCP, TLS, SSH, authentication, a
    /// connection lost (exit 1).
    #[error("{0:#}")]
    Unreachable(anyhow::Error),
    /// PostgreSQL answered with an error; its SQLSTATE stays in the chain
    /// ([`Pg`], [`Error::sqlstate`]) (exit 1).
    #[error("{0:#}")]
    Postgres(anyhow::Error),
    /// Anything else of the operation failed: Odoo's data not as expected,
    /// a tool tenantctl runs (pg_dump, psql, tar), a file being written
    /// (exit 1).
    #[error("{0:#}")]
    Failed(anyhow::Error),
    /// Writing the results failed (exit 1); a closed pipe is not an error
    /// (see the `output` module).
    #[error("writing to standard output: {0}")]
    Output(#[source] std::io::Error),
    /// Ctrl-C (exit 130).
    #[error("interrupted")]
    Interrupted,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A rule of tenantctl refused, found below the command (the check of a new
/// connection, `odoo::gate`): wherever it ends up in an error chain, the
/// operation is refused (exit 2, nothing changed), not failed.
#[derive(Debug, Clone)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// The refusal in `e`'s chain, if any.
pub fn refusal_in(e: &anyhow::Error) -> Option<&Refusal> {
    e.chain().find_map(|c| c.downcast_ref::<Refusal>())
}

impl Error {
    pub fn usage(e: impl Into<anyhow::Error>) -> Self {
        Error::Usage(e.into())
    }
    pub fn input(e: impl Into<anyhow::Error>) -> Self {
        Error::Input(e.into())
    }
    pub fn target(e: impl Into<anyhow::Error>) -> Self {
        Error::Target(e.into())
    }
    /// A failure of the operation, sorted by what its chain holds: a
    /// PostgreSQL error, a connection that failed, anything else.
    pub fn failed(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        if refusal_in(&e).is_some() {
            Error::Refused(format!("{e:#}"))
        } else if e.chain().any(|c| c.is::<Pg>()) {
            Error::Postgres(e)
        } else if e.chain().any(|c| c.is::<Connection>()) {
            Error::Unreachable(e)
        } else {
            Error::Failed(e)
        }
    }
    pub fn interrupted() -> Self {
        Error::Interrupted
    }

    /// The only place an error becomes an exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Input(_) | Error::Target(_) | Error::Refused(_) => EXIT_USAGE,
            Error::Unreachable(_) | Error::Postgres(_) | Error::Failed(_) | Error::Output(_) => {
                EXIT_FAILED
            }
            Error::Interrupted => EXIT_INTERRUPTED,
        }
    }

    /// Whether nothing was changed because of the command line, an input
    /// or a rule (exit 2).
    pub fn is_usage(&self) -> bool {
        self.exit_code() == EXIT_USAGE
    }

    /// The SQLSTATE of a PostgreSQL error.
    pub fn sqlstate(&self) -> Option<&SqlState> {
        match self {
            Error::Postgres(e) => sqlstate_of(e),
            _ => None,
        }
    }

    /// Adds context in front of the message, keeping the cause.
    pub fn context(self, what: impl fmt::Display + Send + Sync + 'static) -> Self {
        match self {
            Error::Usage(e) => Error::Usage(e.context(what)),
            Error::Input(e) => Error::Input(e.context(what)),
            Error::Target(e) => Error::Target(e.context(what)),
            Error::Unreachable(e) => Error::Unreachable(e.context(what)),
            Error::Postgres(e) => Error::Postgres(e.context(what)),
            Error::Failed(e) => Error::Failed(e.context(what)),
            Error::Refused(m) => Error::Refused(format!("{what}: {m}")),
            other @ (Error::Output(_) | Error::Interrupted) => other,
        }
    }

    /// The message without the kind (for result rows and audit lines).
    pub fn message(&self) -> String {
        format!("{self:#}")
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
        return anyhow::Error::new(Pg {
            code: db.code().clone(),
            text: s,
        });
    }
    // Non-server errors: walk the source chain ("error connecting to server:
    // Connection refused (os error 111)").
    anyhow::Error::new(Connection(chain(e)))
}

/// A PostgreSQL server error: its SQLSTATE, and the one-line message of
/// [`pg_error`] (severity, message, SQLSTATE, detail, hint).
#[derive(Debug)]
pub struct Pg {
    pub code: SqlState,
    text: String,
}

impl fmt::Display for Pg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Pg {}

/// The SQLSTATE of the PostgreSQL error in `e`'s chain, if any.
pub fn sqlstate_of(e: &anyhow::Error) -> Option<&SqlState> {
    e.chain()
        .find_map(|c| c.downcast_ref::<Pg>())
        .map(|p| &p.code)
}

/// A client-side (connection) failure, as opposed to a server's answer:
/// after COMMIT was sent, such a failure leaves the outcome unknown.
#[derive(Debug)]
pub struct Connection(pub String);

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Connection {}

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
pub fn sqlstate(e: &tokio_postgres::Error) -> Option<&SqlState> {
    e.as_db_error().map(|d| d.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn one_mapping() {
        assert_eq!(Error::usage(anyhow::anyhow!("x")).exit_code(), 2);
        assert_eq!(Error::Refused("x".into()).exit_code(), 2);
        assert_eq!(Error::failed(anyhow::anyhow!("x")).exit_code(), 1);
        assert_eq!(Error::input(anyhow::anyhow!("x")).exit_code(), 2);
        assert_eq!(Error::target(anyhow::anyhow!("x")).exit_code(), 2);
        let pg = anyhow::Error::new(Pg {
            code: SqlState::UNDEFINED_TABLE,
            text: "ERROR: relation \"x\" does not exist (SQLSTATE 42P01)".into(),
        })
        .context("reading");
        assert_eq!(sqlstate_of(&pg), Some(&SqlState::UNDEFINED_TABLE));
        let e = Error::failed(pg);
        assert!(matches!(e, Error::Postgres(_)));
        assert_eq!(e.sqlstate(), Some(&SqlState::UNDEFINED_TABLE));
        assert!(matches!(
            Error::failed(anyhow::Error::new(Connection("refused".into()))),
            Error::Unreachable(_)
        ));
        assert_eq!(Error::Interrupted.exit_code(), 130);
        let e = Error::usage(anyhow::anyhow!("root")).context("outer");
        assert_eq!(format!("{e:#}"), "outer: root");
        assert!(e.is_usage());
    }
}
