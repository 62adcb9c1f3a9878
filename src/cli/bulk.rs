//! The `bulk` commands and their options: the same writes over many
//! tenants (`suspend`, `reactivate`, `passwd`, `create`, `drop`, `purge`),
//! and `bulk backup`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::lifecycle::{BackupFormatArg, LifecycleFlags};
use super::reads::StatusArg;
use super::writes::RestoreArg;
#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Suspend many tenants
    #[command(after_help = "Examples:
  tenantctl bulk suspend --from overdue.csv --reason 'non-payment' --yes
  tenantctl bulk suspend --from billing-export.csv --header --column tenant \\
      --reason-column note --yes -o json
  tenantctl bulk suspend --from export.csv --header --column database \\
      --reason-column note --reason unpaid --failed-to retry.csv
  tenantctl --node pg3 bulk suspend --all-matching --match 'trial-*' \\
      --reason 'trial ended' --dry-run")]
    Suspend(BulkSuspendArgs),
    /// Reactivate many tenants
    #[command(after_help = "Examples:
  tenantctl bulk reactivate --from paid-today.txt --yes
  tenantctl bulk reactivate --all-matching --status suspended \\
      --match 'acme-*' --dry-run")]
    Reactivate(BulkReactivateArgs),
    /// Set generated admin passwords on many tenants, written to a private CSV file
    #[command(after_help = "Examples:
  tenantctl bulk passwd --from rotate.txt \\
      --secrets-file ~/rotation-2026-11.csv --failed-to retry.csv --yes
  # only those not done:
  tenantctl bulk passwd --from retry.csv \\
      --secrets-file ~/rotation-2026-11b.csv --yes")]
    Passwd(BulkPasswdArgs),
    /// Create many tenants from a CSV file: name[,admin_login[,company]] (NODE/NAME or NAME)
    #[command(after_help = "Examples:
  tenantctl bulk create --from new-customers.csv --template tmpl16 \\
      --secrets-file ~/new-2026-12.csv --failed-to retry.csv --yes")]
    Create(BulkCreateArgs),
    /// Soft-drop many (suspended) tenants: one TENANT or NODE/TENANT per line
    #[command(after_help = "Examples:
  tenantctl bulk drop --from closed-accounts.txt --failed-to retry.txt --yes")]
    Drop(BulkDropArgs),
    /// Back up every tenant of the selected nodes (nightly): one file per tenant in DIR
    #[command(after_help = "Examples:
  tenantctl bulk backup --all-matching --dir /backups --keep 7
  tenantctl --node pg1 bulk backup --all-matching --match 'acme-*' \\
      --dir /backups --format dump")]
    Backup(BulkBackupArgs),
    /// Purge many dropped tenants (after drop_retention unless --now)
    #[command(
        after_help = "On a terminal you type the number of tenants; without one, pass --yes.
Examples:
  tenantctl list --dropped -o csv | \\
      tenantctl bulk purge --from - --header --column database --yes"
    )]
    Purge(BulkPurgeArgs),
    /// Upgrade modules on many tenants, each on a copy swapped in when verified (see `upgrade`)
    #[command(after_help = "Examples:
  tenantctl bulk upgrade --from t.txt -u sale --canary 2 --per-node 3 --yes
  tenantctl --node pg3 bulk upgrade --all-matching --match 'trial-*' -u all
  tenantctl list -o csv | \\
      tenantctl bulk upgrade --from - --header --column tenant -u all --dry-run
  tenantctl bulk upgrade --from t.txt -u sale --canary 2 \\
      --failed-to retry.txt --yes
  # only those not upgraded (failed, or not started after a canary failed):
  tenantctl bulk upgrade --from retry.txt -u sale --yes")]
    Upgrade(BulkUpgradeArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("targets").required(true).args(["from", "all_matching"])))]
pub struct BulkUpgradeArgs {
    /// Targets: CSV, one TENANT or NODE/TENANT per record ('-' = stdin); # comments
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The first record of --from is a header (skipped; names usable in --column)
    #[arg(long, requires = "from")]
    pub header: bool,
    /// Column of --from holding the tenant: 1-based number or header name [default: 1]
    #[arg(long, value_name = "N|NAME", requires = "from", value_parser = parse_column)]
    pub column: Option<crate::targetfile::Column>,
    /// Every tenant of the selected nodes (--node, --label), or those --match picks; databases that are not Odoo tenants are left out
    #[arg(long, conflicts_with = "from")]
    pub all_matching: bool,
    /// With --all-matching: only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB", requires = "all_matching")]
    pub pattern: Option<String>,
    /// Modules to upgrade, comma-separated, `all`, or `outdated` (those whose manifest in odoo.addons_path is newer)
    #[arg(short = 'u', long = "modules", value_name = "MODULES", required = true, value_parser = super::lifecycle::parse_modules)]
    pub modules: crate::config::Modules,
    /// Kill each Odoo run after this long (default: the node's odoo.timeout, else 30m)
    #[arg(long, value_name = "DURATION", value_parser = super::lifecycle::parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Upgrade the first N tenants first; when one of them is not upgraded, stop (the rest are skipped)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub canary: Option<u32>,
    /// Finish what an earlier run left pending (modules `to upgrade`/`to install`/`to remove`) instead of refusing
    #[arg(long = "continue")]
    pub resume: bool,
    /// Odoo runs at once on each node (default: the node's odoo.max_parallel, else 2)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_node: Option<u32>,
    /// After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct BulkDropArgs {
    #[command(flatten)]
    pub from: FromFile,
    /// Drop tenants that are not suspended
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct BulkPurgeArgs {
    #[command(flatten)]
    pub from: FromFile,
    /// Do not wait for the nodes' drop_retention
    #[arg(long)]
    pub now: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}
#[derive(Debug, Args)]
pub struct BulkCreateArgs {
    /// New tenants: CSV, NAME[,ADMIN_LOGIN[,COMPANY]] (NAME or NODE/NAME) per record ('-' = stdin); # comments
    #[arg(long, value_name = "FILE", required = true)]
    pub from: PathBuf,
    /// The first record of --from is a header (skipped)
    #[arg(long)]
    pub header: bool,
    /// Template (default: each node's `template`)
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Length of the generated admin passwords
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password
    #[arg(long, required = true, value_name = "PATH")]
    pub secrets_file: PathBuf,
    /// Use templates with open connections, ending them
    #[arg(long)]
    pub force: bool,
    /// After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

/// The `--from` file of `bulk drop` and `bulk purge`: the format of every
/// bulk command's `--from`.
#[derive(Debug, Args)]
pub struct FromFile {
    /// Targets: CSV, one TENANT or NODE/TENANT per record ('-' = stdin); # comments
    #[arg(long, value_name = "FILE", required = true)]
    pub from: PathBuf,
    /// The first record of --from is a header (skipped; names usable in --column)
    #[arg(long)]
    pub header: bool,
    /// Column of --from holding the tenant: 1-based number or header name [default: 1]
    #[arg(long, value_name = "N|NAME", value_parser = parse_column)]
    pub column: Option<crate::targetfile::Column>,
    /// After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
}

impl FromFile {
    pub fn layout(&self) -> crate::targetfile::Layout {
        crate::targetfile::Layout {
            header: self.header,
            column: self.column.clone(),
            reason_column: None,
            shape: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct BulkTargets {
    /// Targets: CSV, one TENANT or NODE/TENANT per record ('-' = stdin); # comments
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The first record of --from is a header (skipped; names usable in --column)
    #[arg(long, requires = "from")]
    pub header: bool,
    /// Column of --from holding the tenant: 1-based number or header name [default: 1]
    #[arg(long, value_name = "N|NAME", requires = "from", value_parser = parse_column)]
    pub column: Option<crate::targetfile::Column>,
    /// Column of --from holding the reason: number or header name [default: 2, when present]
    #[arg(long, value_name = "N|NAME", requires = "from", value_parser = parse_column)]
    pub reason_column: Option<crate::targetfile::Column>,
    /// After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Only tenants in this state
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Required when selectors (--match/--status/--node/--label) pick the targets without --from
    #[arg(long)]
    pub all_matching: bool,
    /// While a node cannot be reached, act on unqualified names where found (tenant names
    /// are unique across the fleet: `tenantctl check`); that node's tenants are skipped
    #[arg(long)]
    pub skip_unreachable: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Print the per-tenant plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_column(s: &str) -> std::result::Result<crate::targetfile::Column, String> {
    crate::targetfile::Column::parse(s)
}

#[derive(Debug, Args)]
pub struct BulkSuspendArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// Reason for every tenant whose line has none (no or an empty reason column; 1..500 characters)
    #[arg(long)]
    pub reason: Option<String>,
    /// Suspension layers instead of the node's `suspend_layers`:
    /// users,crons,mail,connections; `+connections` adds to them
    #[arg(long, value_name = "LAYERS", allow_hyphen_values = true)]
    pub layers: Option<String>,
}

#[derive(Debug, Args)]
pub struct BulkReactivateArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// For tenants suspended without a record of users (the old agent)
    #[arg(long, value_enum, value_name = "POLICY")]
    pub restore_users: Option<RestoreArg>,
}

#[derive(Debug, Args)]
pub struct BulkPasswdArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// Accepted and ignored: bulk passwd always generates
    #[arg(long, hide = true)]
    pub generate: bool,
    /// Length of the generated passwords (raised to a tenant's minimum)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password
    #[arg(long, required = true, value_name = "PATH")]
    pub secrets_file: PathBuf,
    /// The user's login (default: the user behind xmlid base.user_admin)
    #[arg(long)]
    pub login: Option<String>,
}
#[derive(Debug, Args)]
pub struct BulkBackupArgs {
    /// Where the files go (<tenant>_<UTC time>.zip|.dump)
    #[arg(long, value_name = "DIR", required = true)]
    pub dir: PathBuf,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Required: the selectors (--node/--label/--match) pick the tenants
    #[arg(long)]
    pub all_matching: bool,
    /// Keep the newest N backups of each tenant in DIR, remove the older ones
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
    #[arg(long, value_enum, default_value = "zip")]
    pub format: BackupFormatArg,
    /// Leave the filestores out (zip)
    #[arg(long)]
    pub no_filestore: bool,
    /// List the tenants that would be backed up; write nothing
    #[arg(long)]
    pub dry_run: bool,
}
