//! The commands. Each takes the run's [`Ctx`] and returns an exit code.

pub mod bulk;
pub mod check;
pub mod health;
pub mod list;
pub mod log;
pub mod nodes;
pub mod passwd;
pub mod show;
pub mod suspend;

pub use crate::ops::context::Ctx;
