//! The options of the writes on one tenant: `passwd`, `suspend`,
//! `reactivate`.

use clap::{Args, ValueEnum};
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The user's login (default: the user behind xmlid base.user_admin)
    #[arg(long)]
    pub login: Option<String>,
    /// Read the new password from the first line of stdin
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate a random password and print it once on stdout
    #[arg(long)]
    pub generate: bool,
    /// Length of a generated password
    #[arg(long, default_value_t = 20, requires = "generate", value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// Check everything and show what would be done; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SuspendArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// Why (stored in the tenant and the audit log; 1..500 characters)
    #[arg(long, required = true)]
    pub reason: String,
    /// Suspension layers instead of the node's `suspend_layers`:
    /// users,crons,mail,connections; `+connections` adds to them
    #[arg(long, value_name = "LAYERS", allow_hyphen_values = true)]
    pub layers: Option<String>,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Show who would be switched off and which keys written; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ReactivateArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// For tenants suspended without a record of users (the old agent):
    /// switch on every internal user except __system__, templates and public
    #[arg(long, value_enum, value_name = "POLICY")]
    pub restore_users: Option<RestoreArg>,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Show who would be switched on; change nothing
    #[arg(long)]
    pub dry_run: bool,
}
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RestoreArg {
    AllInternal,
}
