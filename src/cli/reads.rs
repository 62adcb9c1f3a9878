//! The options of the commands that change nothing: `list` and `log`
//! (`show`, `check` and `nodes` have none of their own).

use clap::{Args, ValueEnum};
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tenants
    #[arg(long, value_enum, default_value_t = StatusArg::All)]
    pub status: StatusArg,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Sort order
    #[arg(long, value_enum, default_value_t = SortArg::Node)]
    pub sort: SortArg,
    /// Also show databases that are not Odoo tenants (status not-odoo)
    #[arg(long)]
    pub all_databases: bool,
    /// Show the soft-dropped tenants instead (see drop, undrop, purge)
    #[arg(long)]
    pub dropped: bool,
}

/// `health`: which tenants, which thresholds, where the Prometheus text goes.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Only these tenants (TENANT or NODE/TENANT; default: every tenant)
    #[arg(value_name = "TENANT")]
    pub tenants: Vec<String>,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// A threshold for this run, over the inventory's [health] (repeatable), e.g. cron_grace=2h
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write the Prometheus text to PATH, atomically (node_exporter's textfile collector)
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Active,
    Suspended,
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Node,
    Size,
    LastLogin,
    Users,
}
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only entries about this TENANT or NODE/TENANT
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only entries of the last DURATION (7d, 12h, 30m) or since an RFC 3339 time
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<std::time::SystemTime>,
    /// Only entries of this action (recover: the work of killed runs that a later command finished or undid)
    #[arg(long, value_enum)]
    pub action: Option<ActionArg>,
}

/// The `action` of an audit line: a write command's name, or `recover`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ActionArg {
    Suspend,
    Reactivate,
    Passwd,
    Create,
    Duplicate,
    Rename,
    Upgrade,
    Drop,
    Undrop,
    Purge,
    Backup,
    Restore,
    Move,
    Recover,
}
/// `7d` (before now) or `2026-11-01T00:00:00Z`.
fn parse_since(v: &str) -> Result<std::time::SystemTime, String> {
    if let Ok(d) = humantime::parse_duration(v.trim()) {
        return std::time::SystemTime::now()
            .checked_sub(d)
            .ok_or_else(|| format!("{v:?} reaches before 1970"));
    }
    humantime::parse_rfc3339_weak(v.trim().trim_end_matches('Z')).map_err(|_| {
        format!(
            "{v:?}: expected a duration (7d, 12h, 30m) or an RFC 3339 time (2026-11-01T00:00:00Z)"
        )
    })
}
