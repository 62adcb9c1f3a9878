//! The top of the command line: [`Cli`], the global options and the list of
//! commands ([`Command`]), each with its `--help` examples. The options of
//! each command are in the file of its family ([`super::reads`],
//! [`super::writes`], [`super::lifecycle`], [`super::bulk`]); the order of
//! the variants here is the order of `--help`, the completions and the man
//! pages.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::bulk::BulkCommand;
use super::lifecycle::{
    BackupArgs, CreateArgs, DropArgs, DuplicateArgs, MoveArgs, PurgeArgs, RenameArgs, RestoreArgs,
    UndropArgs, UpgradeArgs,
};
use super::reads::{HealthArgs, ListArgs, LogArgs};
use super::writes::{PasswdArgs, ReactivateArgs, SuspendArgs};
const AFTER_HELP: &str = "\
Inventory: --inventory, $TENANTCTL_INVENTORY, ./nodes.toml, $XDG_CONFIG_HOME/tenantctl/nodes.toml.
Exit codes: 0 ok, 1 failed, 2 usage/config/input error (nothing changed), 3 partial, 130 interrupted.";

/// Operate the tenants (Odoo databases) of a multi-tenant Odoo SaaS across PostgreSQL nodes.
#[derive(Debug, Parser)]
#[command(name = "tenantctl", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Node inventory (TOML)
    #[arg(short = 'i', long, global = true, value_name = "PATH")]
    pub inventory: Option<PathBuf>,
    /// Only these nodes (repeatable)
    #[arg(long = "node", global = true, value_name = "NAME")]
    pub nodes: Vec<String>,
    /// Only nodes with this label (repeatable; all must match)
    #[arg(long = "label", global = true, value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Output format (wide: a table with every column, nothing truncated; prometheus: health only)
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputArg::Table)]
    pub output: OutputArg,
    /// Tables and CSV without their header line
    #[arg(long, global = true)]
    pub no_headers: bool,
    /// Most PostgreSQL connections open at once, over all nodes
    #[arg(long, global = true, default_value_t = 64, value_name = "N", value_parser = parse_concurrency)]
    pub concurrency: usize,
    /// Colour: auto (terminal and no NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// More detail on stderr (which node, how reached)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)
    #[arg(long, global = true, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Write even when the tenant put triggers, rules or its own functions on
    /// the tables tenantctl writes (they run with tenantctl's privileges)
    #[arg(long, global = true)]
    pub allow_triggers: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputArg {
    Table,
    Wide,
    Json,
    Csv,
    /// Prometheus text exposition (`health` only)
    Prometheus,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the tenants of every node with their status
    #[command(after_help = "Examples:
  tenantctl list
  tenantctl list --status suspended -o json
  tenantctl --node pg2 list --match 'acme*' --sort size")]
    List(ListArgs),
    /// Change a tenant user's password (default: the admin user, base.user_admin)
    #[command(
        after_help = "The new password comes from a no-echo prompt (asked twice) on a terminal,
from --password-stdin, or from --generate. It is never taken from the command line.
Hashes are passlib pbkdf2_sha512 as stock Odoo verifies them; argon2id only when the
inventory says password_scheme = \"argon2id\" (stock Odoo CANNOT verify argon2).

Examples:
  tenantctl passwd acme
  printf '%s\\n' \"$NEWPASS\" | \\
      tenantctl passwd pg1/acme --login ops@acme.example --password-stdin
  tenantctl passwd acme --generate --length 24"
    )]
    Passwd(PasswdArgs),
    /// Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were
    #[command(after_help = "Examples:
  tenantctl suspend acme --reason 'invoice 2026-0042 unpaid'
  tenantctl suspend pg2/acme --reason 'non-payment' --yes
  tenantctl suspend acme --reason 'non-payment' --dry-run")]
    Suspend(SuspendArgs),
    /// Reactivate a suspended tenant: switch on exactly the users recorded at suspension
    #[command(after_help = "Examples:
  tenantctl reactivate acme
  tenantctl reactivate pg2/acme --yes -o json
  # suspended by the old agent (no record of its users):
  tenantctl reactivate oldtenant --restore-users all-internal")]
    Reactivate(ReactivateArgs),
    /// Everything about one tenant: node, version, size, suspension, users
    #[command(
        after_help = "-o csv prints the users only, one per line (id,login,name,type,admin,active,two_factor,last_login,builtin).

Examples:
  tenantctl show acme
  tenantctl show pg2/acme -o json | \\
      jq '.users[] | select(.active and .type == \"internal\")'"
    )]
    Show {
        /// TENANT or NODE/TENANT
        tenant: String,
    },
    /// The same over many tenants, for scripts and cron (suspend, reactivate, passwd)
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// Check every node: reachable, authenticated, version, latency, tenants, privileges
    #[command(
        after_help = "Changes nothing: privileges are checked with has_*_privilege and statements
that match no row inside a rolled-back transaction. Also reports what killed lifecycle runs
left on a node: staging databases (NAME.creating-<hex>) whose run is gone, and filestore
steps that the next lifecycle command on the node finishes.
Exit 0 when every node is fine, 3 when some are not, 1 when none is.

Examples:
  tenantctl check
  tenantctl check -q || exit 1        # CI smoke check: one line per problem
  tenantctl --label env=prod check -o json"
    )]
    Check,
    /// What is quietly broken inside each tenant: jobs, mail, modules, queue_job, identity, PostgreSQL
    #[command(
        after_help = "Read-only: one connection and one round trip per tenant, one per node for
PostgreSQL's own figures. Each finding has a severity, a stable check name, the evidence and
the fix (shown, never run). Thresholds: the inventory's [health] tables, then --set.
Exit 0 when every tenant is healthy, 3 when some are not (or some could not be checked),
1 when nothing could be checked.

Examples:
  tenantctl health
  tenantctl health acme pg2/globex -o json
  tenantctl health --set cron_grace=2h --set mail_outgoing_max_age=30m
  # cron, for node_exporter's textfile collector:
  tenantctl health -q --textfile /var/lib/node_exporter/tenantctl.prom
  tenantctl health -o prometheus | promtool check metrics"
    )]
    Health(HealthArgs),
    /// Read the audit log: who changed which tenant, when, with what outcome
    #[command(
        after_help = "Reads the local audit log only (--audit-log, the inventory's audit_log, else
$XDG_STATE_HOME/tenantctl/audit.jsonl); no node is contacted. --node filters by node.

Examples:
  tenantctl log --tenant acme
  tenantctl log --since 7d --action suspend
  tenantctl --node pg2 log --since 2026-11-01T00:00:00Z -o json | \\
      jq '.entries[] | select(.outcome != \"changed\")'"
    )]
    Log(LogArgs),
    /// The resolved inventory: where it came from, how each node is reached, where its password comes from
    #[command(
        after_help = "Contacts no node and never prints a password, only where it comes from.

Examples:
  tenantctl nodes
  tenantctl nodes -o json | \\
      jq '.nodes[] | select(.route.kind == \"ssh\") | .name'"
    )]
    Nodes,
    /// Create a tenant from a template database (Odoo's duplicate, plus a new identity)
    #[command(after_help = "Examples:
  tenantctl create pg1/acme --from tmpl16 --admin-login admin@acme.example \\
      --company 'ACME Ltd' --generate --yes
  printf '%s\\n' \"$PW\" | \\
      tenantctl create pg1/acme --password-stdin --yes -o json
  tenantctl create pg1/acme --from tmpl16 --generate --dry-run")]
    Create(CreateArgs),
    /// Copy a tenant on its node (e.g. a staging copy), optionally neutralized
    #[command(after_help = "Examples:
  tenantctl duplicate acme acme-staging --neutralize --force --yes")]
    Duplicate(DuplicateArgs),
    /// Rename a tenant: its database, its filestore, its web.base.url
    #[command(after_help = "Examples:
  tenantctl rename acme acme-corp --yes")]
    Rename(RenameArgs),
    /// Upgrade modules on a copy of the tenant (odoo-bin -u) and swap it in; on failure the tenant is left as it was
    #[command(after_help = "Examples:
  tenantctl upgrade acme -u sale,stock --dry-run
  tenantctl upgrade acme -u outdated --dry-run
  tenantctl upgrade pg1/acme -u all --timeout 45m --yes")]
    Upgrade(UpgradeArgs),
    /// Soft-drop a (suspended) tenant: blocked, renamed NAME.dropped-<UTC time>, kept until purged
    #[command(after_help = "Examples:
  tenantctl drop acme --yes
  tenantctl list --dropped")]
    Drop(DropArgs),
    /// Restore a soft-dropped tenant under its name
    Undrop(UndropArgs),
    /// Delete a soft-dropped tenant for good (database and filestore) after drop_retention
    #[command(
        after_help = "On a terminal you type the tenant's name; without one, pass --yes.
Examples:
  tenantctl purge acme
  tenantctl purge pg1/acme --now --yes"
    )]
    Purge(PurgeArgs),
    /// Back a tenant up in Odoo's format (zip: dump.sql, filestore/, manifest.json) or as a pg_dump archive
    #[command(
        after_help = "Runs the system pg_dump (its major version must be >= the server's).
Examples:
  tenantctl backup acme --dir /backups
  tenantctl backup pg1/acme -f acme.dump --format dump"
    )]
    Backup(BackupArgs),
    /// Restore a backup (tenantctl's or Odoo's zip, or a pg_dump archive) as a new database
    #[command(
        after_help = "--copy (default) gives the restored tenant a new database.uuid/secret/create_date;
--move keeps them (the same tenant, moved). Never overwrites an existing database.
Examples:
  tenantctl restore pg2/acme acme_20261201T020000Z.zip --move --yes
  tenantctl restore pg1/acme-test acme.zip --dry-run"
    )]
    Restore(RestoreArgs),
    /// Move a (suspended) tenant to another node: backup, restore as --move, verify, soft-drop the source
    #[command(after_help = "Examples:
  tenantctl move acme pg2 --dry-run
  tenantctl move acme pg2 --yes")]
    Move(MoveArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    #[command(after_help = "Examples:
  tenantctl completions bash > /etc/bash_completion.d/tenantctl
  tenantctl completions zsh > \"${fpath[1]}/_tenantctl\"
  tenantctl completions fish > ~/.config/fish/completions/tenantctl.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), or write one page per command into a directory
    #[command(after_help = "Examples:
  tenantctl man > /usr/local/share/man/man1/tenantctl.1
  tenantctl man bulk-suspend | man -l -
  # tenantctl.1, tenantctl-list.1, ...:
  sudo tenantctl man --dir /usr/local/share/man/man1")]
    Man {
        /// The page of this command (list, bulk-suspend, ...); default: tenantctl(1)
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        page: Option<String>,
        /// Write every page (tenantctl.1, tenantctl-list.1, ...) into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}
/// At least 1: with 0 no connection could ever open.
fn parse_concurrency(v: &str) -> Result<usize, String> {
    match v.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1 (0 would let no connection open)".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{v:?}: {e}")),
    }
}
