//! Command-line interface (clap), laid out as ripgrep's `flags`:
//!
//! - [`defs`]: [`Cli`], the global options and the list of commands;
//! - [`reads`], [`writes`], [`lifecycle`], [`bulk`]: each family's options;
//! - [`convert`]: what clap cannot check, and [`Cli::into_config`], which
//!   turns clap's values into the plain configuration of [`crate::config`]
//!   (nothing outside `cli` sees clap types);
//! - [`complete`]: the completion scripts and the `__complete` protocol;
//! - [`mod@man`]: the man pages.

mod bulk;
pub(crate) mod complete;
mod convert;
mod defs;
mod lifecycle;
mod man;
mod reads;
mod writes;

pub use complete::{completion_request, completions};
pub use defs::{Cli, Command};
pub use man::{man, man_to_dir};
