//! The options of the lifecycle commands: `create`, `duplicate`, `rename`,
//! `drop`, `undrop`, `purge`, `backup`, `restore`, `move`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
/// Flags of every lifecycle command.
#[derive(Debug, Args)]
pub struct LifecycleFlags {
    /// Leave filestores alone (no `filestore` setting needed)
    #[arg(long)]
    pub no_filestore: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Check everything and show the plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// NODE/NAME (NAME alone when one node is selected)
    pub target: String,
    /// Template database on the same node (default: the node's `template`)
    #[arg(long, value_name = "TEMPLATE")]
    pub from: Option<String>,
    /// web.base.url (default: the node's base_url pattern)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// New login of the admin user (default: the template's)
    #[arg(long, value_name = "LOGIN")]
    pub admin_login: Option<String>,
    /// Company name (the main company and its partner)
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
    /// Read the admin password from the first line of stdin
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate the admin password and print it once on stdout
    #[arg(long)]
    pub generate: bool,
    /// Length of a generated password
    #[arg(long, default_value_t = 20, requires = "generate", value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// Use a template with open connections, ending them (as Odoo's duplicate does)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct DuplicateArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The copy's name (same node)
    pub new: String,
    /// As Odoo 16+: scheduled actions and mail servers off, database.is_neutralized, and the neutralize.sql of every installed module (banner view, payment, delivery...)
    #[arg(long)]
    pub neutralize: bool,
    /// End the tenant's open connections (as Odoo's duplicate does)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The new name
    pub new: String,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// Modules to upgrade, comma-separated, `all`, or `outdated` (those whose manifest in odoo.addons_path is newer)
    #[arg(short = 'u', long = "modules", value_name = "MODULES", required_unless_present = "rollback", value_parser = parse_modules)]
    pub modules: Option<crate::config::Modules>,
    /// Kill Odoo's run after this long (default: the node's odoo.timeout, else 30m)
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Finish what an earlier run left pending (modules `to upgrade`/`to install`/`to remove`) instead of refusing
    #[arg(long = "continue")]
    pub resume: bool,
    /// Swap the kept pre-upgrade copy back in (the upgraded database is soft-dropped)
    #[arg(long, conflicts_with_all = ["modules", "timeout", "resume"])]
    pub rollback: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct DropArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// Drop a tenant that is not suspended
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct UndropArgs {
    /// The dropped tenant: its name or its dropped name (NODE/ allowed)
    pub tenant: String,
    /// Undrop a tenant that `move` copied to another node (its copy there
    /// is the same tenant: only when that copy is gone)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackupFormatArg {
    /// Odoo's zip: dump.sql, filestore/, manifest.json
    Zip,
    /// pg_dump's custom format, without the filestore
    Dump,
}
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The backup file (default: DIR/<tenant>_<UTC time>.zip or .dump)
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Where the default file name goes (default: the current directory)
    #[arg(long, value_name = "DIR", conflicts_with = "file")]
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "zip")]
    pub format: BackupFormatArg,
    /// Leave the filestore out (zip)
    #[arg(long)]
    pub no_filestore: bool,
}
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The node to move it to
    pub node: String,
    /// Move a tenant that is not suspended (what changes after the backup is lost)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// NODE/NAME (NAME alone when one node is selected)
    pub target: String,
    /// The backup: a zip (tenantctl's or Odoo's) or a pg_dump custom archive
    pub file: PathBuf,
    /// New identity (database.uuid, database.secret, database.create_date), as Odoo's "copy" (default)
    #[arg(long, conflicts_with = "move_")]
    pub copy: bool,
    /// Keep the identity: the same tenant, moved
    #[arg(long = "move", id = "move_")]
    pub move_: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// The dropped tenant: its name or its dropped name (NODE/ allowed)
    pub tenant: String,
    /// Do not wait for the node's drop_retention
    #[arg(long)]
    pub now: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

/// `--timeout`: a duration (`30m`, `2h`), more than zero.
pub(super) fn parse_timeout(v: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(v.trim()) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be more than 0".into()),
        Err(e) => Err(format!("{v:?}: {e}; expected e.g. 30m, 2h")),
    }
}

/// `-u a,b`, `-u all` or `-u outdated`: names as Odoo's (letters, digits,
/// `_`), each once.
pub(super) fn parse_modules(v: &str) -> Result<crate::config::Modules, String> {
    match v.trim() {
        "all" => return Ok(crate::config::Modules::All),
        "outdated" => return Ok(crate::config::Modules::Outdated),
        _ => {}
    }
    let mut names: Vec<String> = Vec::new();
    for m in v.split(',').map(str::trim) {
        if m.is_empty()
            || m == "all"
            || m == "outdated"
            || !m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!(
                "{v:?}: expected module names separated by commas (letters, digits, _), all, or outdated"
            ));
        }
        if !names.iter().any(|n| n == m) {
            names.push(m.to_string());
        }
    }
    Ok(crate::config::Modules::Named(names))
}
