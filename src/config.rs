//! Plain configuration of a run, built from the command line by `cli.rs`.

use std::path::PathBuf;

use crate::output::Printer;
pub use crate::output::{Color, Output};

#[derive(Debug)]
pub struct Global {
    pub inventory: Option<PathBuf>,
    pub nodes: Vec<String>,
    pub labels: Vec<String>,
    pub output: Output,
    /// `-o wide`: tables (output `Table`) with every column, untruncated.
    pub wide: bool,
    /// `--no-headers`: tables without their header line.
    pub no_headers: bool,
    pub concurrency: usize,
    pub color: Color,
    pub verbose: bool,
    pub quiet: bool,
    pub audit_log: Option<PathBuf>,
    /// `--allow-triggers`: write even with tenant triggers/rules/functions.
    pub allow_triggers: bool,
}

impl Global {
    fn format_is_table(&self) -> bool {
        self.output == Output::Table
    }
}

impl Printer {
    /// How this run prints: colour only in tables.
    pub fn new(g: &Global) -> Printer {
        let color = crate::output::color_on(g.color) && g.format_is_table();
        Printer {
            format: g.output,
            color,
            verbose: g.verbose,
            quiet: g.quiet,
            wide: g.wide,
            no_headers: g.no_headers,
            width: crate::output::stdout_width(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Active,
    Suspended,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    Node,
    Size,
    LastLogin,
    Users,
}

#[derive(Debug)]
pub struct ListOpts {
    pub status: StatusFilter,
    pub pattern: Option<String>,
    pub sort: Sort,
    pub all_databases: bool,
    /// `--dropped`: the soft-dropped tenants instead (issue 14).
    pub dropped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordInput {
    Prompt,
    Stdin,
    Generate(usize),
}

#[derive(Debug)]
pub struct PasswdOpts {
    pub tenant: String,
    pub login: Option<String>,
    pub source: PasswordInput,
    pub dry_run: bool,
}

#[derive(Debug)]
pub struct SuspendOpts {
    pub tenant: String,
    pub reason: String,
    /// `--layers` as typed (parsed per node: `+x` adds to its default).
    pub layers: Option<String>,
    pub yes: bool,
    pub dry_run: bool,
}

#[derive(Debug)]
pub struct ReactivateOpts {
    pub tenant: String,
    pub all_internal: bool,
    pub yes: bool,
    pub dry_run: bool,
}

#[derive(Debug)]
pub enum BulkAction {
    Suspend {
        reason: Option<String>,
        layers: Option<String>,
    },
    Reactivate {
        all_internal: bool,
    },
    Passwd {
        length: usize,
        secrets_file: PathBuf,
        login: Option<String>,
    },
}

#[derive(Debug)]
pub struct BulkOpts {
    pub action: BulkAction,
    pub from: Option<PathBuf>,
    /// How to read `from`: header, tenant and reason columns.
    pub layout: crate::targetfile::Layout,
    /// Where to write the targets not done, for a rerun.
    pub failed_to: Option<PathBuf>,
    pub pattern: Option<String>,
    pub status: Option<StatusFilter>,
    pub all_matching: bool,
    /// Unqualified names act where found while some nodes cannot be
    /// searched; what may be on those nodes is skipped.
    pub skip_unreachable: bool,
    pub yes: bool,
    pub dry_run: bool,
}

/// `tenantctl log`: filters over the audit log (`--node` is the global one).
#[derive(Debug)]
pub struct LogOpts {
    pub tenant: Option<String>,
    pub since: Option<std::time::SystemTime>,
    pub action: Option<String>,
}

/// `tenantctl health` (issue 26).
#[derive(Debug)]
pub struct HealthOpts {
    /// TENANT or NODE/TENANT; empty: every tenant.
    pub tenants: Vec<String>,
    pub pattern: Option<String>,
    /// `--set KEY=VALUE`, over each node's `[health]`.
    pub set: Vec<(String, String)>,
    /// `--textfile PATH`: the Prometheus text, written atomically.
    pub textfile: Option<PathBuf>,
    /// `-o prometheus`.
    pub prometheus: bool,
}

#[derive(Debug)]
pub enum Command {
    List(ListOpts),
    Health(HealthOpts),
    Passwd(PasswdOpts),
    Suspend(SuspendOpts),
    Reactivate(ReactivateOpts),
    Bulk(BulkOpts),
    Check,
    Show {
        tenant: String,
    },
    Log(LogOpts),
    Nodes,
    /// create, duplicate, rename, drop, undrop, purge (issue 14).
    Lifecycle(LifecycleOpts),
    /// `backup TENANT` (issue 15).
    Backup(BackupOpts),
    /// `restore NODE/NAME FILE` (issue 15).
    Restore(RestoreOpts),
    /// `bulk backup --all-matching --dir DIR` (issue 15).
    BulkBackup(BulkBackupOpts),
    /// `move TENANT NODE2` (issue 15).
    Move(MoveOpts),
}

// ---------------------------------------------------------------- issue 15

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupFormat {
    /// Odoo's zip: dump.sql, filestore/, manifest.json.
    Zip,
    /// `pg_dump --format=custom`, without the filestore.
    Dump,
}

#[derive(Debug, Clone)]
pub struct BackupOpts {
    pub tenant: String,
    /// `-f FILE`.
    pub file: Option<PathBuf>,
    /// `--dir DIR` (default: the current directory).
    pub dir: Option<PathBuf>,
    pub format: BackupFormat,
    pub no_filestore: bool,
}

#[derive(Debug, Clone)]
pub struct RestoreOpts {
    pub target: String,
    pub file: PathBuf,
    /// `--move`: keep database.uuid/secret; else `--copy` (default).
    pub keep_identity: bool,
    pub no_filestore: bool,
    pub yes: bool,
    pub dry_run: bool,
    /// `move`: the source database's owner, the owner of the copy unless
    /// the destination node sets `db_owner`.
    pub owner_hint: Option<String>,
}

#[derive(Debug)]
pub struct Config {
    pub global: Global,
    pub command: Command,
}

// ---------------------------------------------------------------- issue 14

/// What every lifecycle command shares.
#[derive(Debug, Clone)]
pub struct LifecycleOpts {
    pub action: LifecycleAction,
    /// `--no-filestore`: leave filestores alone.
    pub no_filestore: bool,
    pub yes: bool,
    pub dry_run: bool,
}

#[derive(Debug, Clone)]
pub enum LifecycleAction {
    Create(CreateOpts),
    Duplicate {
        tenant: String,
        new: String,
        neutralize: bool,
        force: bool,
    },
    Rename {
        tenant: String,
        new: String,
    },
    /// `upgrade TENANT -u MODULES` (issue 27).
    Upgrade(UpgradeOpts),
    /// `upgrade --rollback TENANT`: the kept pre-upgrade copy swapped back.
    UpgradeRollback {
        tenant: String,
    },
    /// `bulk upgrade --from FILE -u MODULES [--canary N]`: `tenant` unused.
    BulkUpgrade {
        from: UpgradeTargets,
        layout: crate::targetfile::Layout,
        up: UpgradeOpts,
        /// Upgrade the first N first; stop the run when one of them fails.
        canary: Option<usize>,
        /// Odoo runs at once per node (None: each node's `max_parallel`).
        per_node: Option<usize>,
        /// `--failed-to FILE`: the targets not done, for a rerun.
        failed_to: Option<PathBuf>,
    },
    Drop {
        tenant: String,
        force: bool,
    },
    Undrop {
        tenant: String,
        /// Also a tenant `move` copied to another node.
        force: bool,
    },
    Purge {
        tenant: String,
        now: bool,
    },
    /// `bulk drop --from FILE [--force]`.
    BulkDrop {
        from: PathBuf,
        layout: crate::targetfile::Layout,
        force: bool,
        /// `--failed-to FILE`: the targets not done, for a rerun.
        failed_to: Option<PathBuf>,
    },
    /// `bulk purge --from FILE [--now]`.
    BulkPurge {
        from: PathBuf,
        layout: crate::targetfile::Layout,
        now: bool,
        /// `--failed-to FILE`: the targets not done, for a rerun.
        failed_to: Option<PathBuf>,
    },
    /// `bulk create --from FILE` (name, admin login, company columns).
    BulkCreate {
        from: PathBuf,
        layout: crate::targetfile::Layout,
        template: Option<String>,
        length: usize,
        secrets_file: PathBuf,
        force: bool,
        /// `--failed-to FILE`: the targets not done, for a rerun.
        failed_to: Option<PathBuf>,
    },
}

/// What `upgrade` upgrades.
#[derive(Debug, Clone)]
pub struct UpgradeOpts {
    pub tenant: String,
    pub modules: Modules,
    /// `--timeout`: over the node's `odoo.timeout`.
    pub timeout: Option<std::time::Duration>,
    /// `--continue`: finish what an earlier run left pending (on the copy)
    /// instead of refusing.
    pub resume: bool,
}

/// The tenants of `bulk upgrade`.
#[derive(Debug, Clone)]
pub enum UpgradeTargets {
    /// `--from FILE`.
    From(PathBuf),
    /// `--all-matching [--match GLOB]`: the selected nodes' tenants.
    AllMatching(Option<String>),
}

/// `-u`: module names, `all`, or `outdated` (the installed modules whose
/// manifest version is newer than the database's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modules {
    All,
    Named(Vec<String>),
    Outdated,
}

#[derive(Debug, Clone)]
pub struct CreateOpts {
    /// `NODE/NAME` (NAME alone with one node selected).
    pub target: String,
    pub from: Option<String>,
    pub base_url: Option<String>,
    pub admin_login: Option<String>,
    pub company: Option<String>,
    pub password: PasswordInput,
    pub force: bool,
}

#[derive(Debug, Clone)]
pub struct BulkBackupOpts {
    pub dir: PathBuf,
    pub pattern: Option<String>,
    pub all_matching: bool,
    /// `--keep N`: older backups of each tenant in `dir` removed.
    pub keep: Option<usize>,
    pub format: BackupFormat,
    pub no_filestore: bool,
    pub dry_run: bool,
}

#[derive(Debug, Clone)]
pub struct MoveOpts {
    pub tenant: String,
    pub node: String,
    /// Move a tenant that is not suspended.
    pub force: bool,
    pub no_filestore: bool,
    pub yes: bool,
    pub dry_run: bool,
}
