//! From clap's values to the plain configuration of [`crate::config`]: what
//! clap cannot check ([`Cli::check`]), then one function per command or
//! family of commands ([`Cli::into_config`] dispatches). Nothing outside
//! `cli` sees clap types.

use super::bulk::{BulkCommand, BulkTargets};
use super::defs::{Cli, ColorArg, Command, GlobalArgs, OutputArg};
use super::lifecycle::{
    BackupArgs, BackupFormatArg, CreateArgs, DropArgs, DuplicateArgs, LifecycleFlags, MoveArgs,
    PurgeArgs, RenameArgs, RestoreArgs, UndropArgs, UpgradeArgs,
};
use super::reads::{HealthArgs, ListArgs, LogArgs, SortArg, StatusArg};
use super::writes::{PasswdArgs, ReactivateArgs, RestoreArg, SuspendArgs};
use crate::config::{self, Config, Global};

impl Cli {
    /// What clap cannot say: an output format that means nothing for the
    /// command (a usage error, exit 2, before anything runs).
    pub fn check(&self) -> Result<(), String> {
        let health = matches!(self.command, Command::Health(_));
        if matches!(self.global.output, OutputArg::Prometheus) && !health {
            return Err(
                "-o prometheus is only available for health; use -o json for other commands".into(),
            );
        }
        if let Command::Health(a) = &self.command {
            for kv in &a.set {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--set {kv:?}: expected KEY=VALUE"))?;
                crate::model::Health::default()
                    .set(k.trim(), v)
                    .map_err(|e| format!("--set {kv:?}: {e}"))?;
            }
        }
        let name = match &self.command {
            Command::Passwd(_) => "passwd",
            Command::Suspend(_) => "suspend",
            Command::Reactivate(_) => "reactivate",
            _ => return Ok(()),
        };
        if matches!(self.global.output, OutputArg::Csv) {
            return Err(format!(
                "-o csv is not available for {name} (one result, not rows); use -o json, or bulk {name} for CSV"
            ));
        }
        Ok(())
    }

    /// Plain configuration for the core.
    pub fn into_config(self) -> Config {
        let prometheus = matches!(self.global.output, OutputArg::Prometheus);
        let command = match self.command {
            Command::Health(a) => health(a, prometheus),
            c => command(c),
        };
        Config {
            global: global(self.global),
            command,
        }
    }
}

fn global(g: GlobalArgs) -> Global {
    Global {
        inventory: g.inventory,
        nodes: g.nodes,
        labels: g.labels,
        output: match g.output {
            OutputArg::Table | OutputArg::Wide => config::Output::Table,
            OutputArg::Json => config::Output::Json,
            OutputArg::Csv => config::Output::Csv,
            // Printed by `health` itself; messages as for a table.
            OutputArg::Prometheus => config::Output::Table,
        },
        wide: matches!(g.output, OutputArg::Wide),
        no_headers: g.no_headers,
        concurrency: g.concurrency,
        color: match g.color {
            ColorArg::Auto => config::Color::Auto,
            ColorArg::Always => config::Color::Always,
            ColorArg::Never => config::Color::Never,
        },
        verbose: g.verbose,
        quiet: g.quiet,
        audit_log: g.audit_log,
        allow_triggers: g.allow_triggers,
    }
}

/// The command's options, by family: reads, writes on one tenant, lifecycle,
/// bulk.
fn command(c: Command) -> config::Command {
    match c {
        Command::List(a) => list(a),
        Command::Show { tenant } => config::Command::Show { tenant },
        Command::Check => config::Command::Check,
        Command::Log(a) => log(a),
        Command::Nodes => config::Command::Nodes,
        Command::Passwd(a) => passwd(a),
        Command::Suspend(a) => suspend(a),
        Command::Reactivate(a) => reactivate(a),
        Command::Bulk(b) => bulk(b),
        Command::Create(a) => create(a),
        Command::Duplicate(a) => duplicate(a),
        Command::Rename(a) => rename(a),
        Command::Upgrade(a) => upgrade(a),
        Command::Drop(a) => drop_tenant(a),
        Command::Undrop(a) => undrop(a),
        Command::Purge(a) => purge(a),
        Command::Move(a) => move_tenant(a),
        Command::Backup(a) => backup(a),
        Command::Restore(a) => restore(a),
        Command::Health(a) => health(a, false),
        Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("handled before configuration")
        }
    }
}

// Reads.

fn list(a: ListArgs) -> config::Command {
    config::Command::List(config::ListOpts {
        status: status_filter(a.status),
        pattern: a.pattern,
        sort: match a.sort {
            SortArg::Name => config::Sort::Name,
            SortArg::Node => config::Sort::Node,
            SortArg::Size => config::Sort::Size,
            SortArg::LastLogin => config::Sort::LastLogin,
            SortArg::Users => config::Sort::Users,
        },
        all_databases: a.all_databases,
        dropped: a.dropped,
    })
}

/// `--set` was checked by [`Cli::check`]; the pairs are applied over each
/// node's `[health]`.
fn health(a: HealthArgs, prometheus: bool) -> config::Command {
    config::Command::Health(config::HealthOpts {
        tenants: a.tenants,
        pattern: a.pattern,
        set: a
            .set
            .iter()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.to_string()))
            .collect(),
        textfile: a.textfile,
        prometheus,
    })
}

fn log(a: LogArgs) -> config::Command {
    config::Command::Log(config::LogOpts {
        tenant: a.tenant,
        since: a.since,
        action: a
            .action
            .and_then(|a| clap::ValueEnum::to_possible_value(&a).map(|v| v.get_name().to_string())),
    })
}

fn status_filter(s: StatusArg) -> config::StatusFilter {
    match s {
        StatusArg::Active => config::StatusFilter::Active,
        StatusArg::Suspended => config::StatusFilter::Suspended,
        StatusArg::All => config::StatusFilter::All,
    }
}

// Writes on one tenant.

fn passwd(a: PasswdArgs) -> config::Command {
    config::Command::Passwd(config::PasswdOpts {
        tenant: a.tenant,
        login: a.login,
        source: password_input(a.generate, a.password_stdin, a.length),
        dry_run: a.dry_run,
    })
}

/// `--layers` stays the text typed: each node resolves it against its own
/// `suspend_layers` (`+x` adds to them).
fn suspend(a: SuspendArgs) -> config::Command {
    config::Command::Suspend(config::SuspendOpts {
        tenant: a.tenant,
        reason: a.reason,
        layers: a.layers,
        yes: a.yes,
        dry_run: a.dry_run,
    })
}

fn reactivate(a: ReactivateArgs) -> config::Command {
    config::Command::Reactivate(config::ReactivateOpts {
        tenant: a.tenant,
        all_internal: all_internal(a.restore_users),
        yes: a.yes,
        dry_run: a.dry_run,
    })
}

/// `--generate` (with `--length`), else `--password-stdin`, else the prompt.
fn password_input(generate: bool, stdin: bool, length: u16) -> config::PasswordInput {
    if generate {
        config::PasswordInput::Generate(length as usize)
    } else if stdin {
        config::PasswordInput::Stdin
    } else {
        config::PasswordInput::Prompt
    }
}

fn all_internal(restore_users: Option<RestoreArg>) -> bool {
    matches!(restore_users, Some(RestoreArg::AllInternal))
}

// Lifecycle.

fn lifecycle(action: config::LifecycleAction, f: LifecycleFlags) -> config::Command {
    config::Command::Lifecycle(config::LifecycleOpts {
        action,
        no_filestore: f.no_filestore,
        yes: f.yes,
        dry_run: f.dry_run,
    })
}

fn create(a: CreateArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Create(config::CreateOpts {
            target: a.target,
            from: a.from,
            base_url: a.base_url,
            admin_login: a.admin_login,
            company: a.company,
            password: password_input(a.generate, a.password_stdin, a.length),
            force: a.force,
        }),
        a.flags,
    )
}

fn duplicate(a: DuplicateArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Duplicate {
            tenant: a.tenant,
            new: a.new,
            neutralize: a.neutralize,
            force: a.force,
        },
        a.flags,
    )
}

fn rename(a: RenameArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Rename {
            tenant: a.tenant,
            new: a.new,
        },
        a.flags,
    )
}

fn upgrade(a: UpgradeArgs) -> config::Command {
    let action = match a.modules {
        Some(modules) if !a.rollback => config::LifecycleAction::Upgrade(config::UpgradeOpts {
            tenant: a.tenant,
            modules,
            timeout: a.timeout,
            resume: a.resume,
        }),
        // clap: -u is required without --rollback and conflicts with it
        _ => config::LifecycleAction::UpgradeRollback { tenant: a.tenant },
    };
    lifecycle(action, a.flags)
}

fn drop_tenant(a: DropArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Drop {
            tenant: a.tenant,
            force: a.force,
        },
        a.flags,
    )
}

fn undrop(a: UndropArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Undrop {
            tenant: a.tenant,
            force: a.force,
        },
        a.flags,
    )
}

fn purge(a: PurgeArgs) -> config::Command {
    lifecycle(
        config::LifecycleAction::Purge {
            tenant: a.tenant,
            now: a.now,
        },
        a.flags,
    )
}

fn move_tenant(a: MoveArgs) -> config::Command {
    config::Command::Move(config::MoveOpts {
        tenant: a.tenant,
        node: a.node,
        force: a.force,
        no_filestore: a.flags.no_filestore,
        yes: a.flags.yes,
        dry_run: a.flags.dry_run,
    })
}

fn backup(a: BackupArgs) -> config::Command {
    config::Command::Backup(config::BackupOpts {
        tenant: a.tenant,
        file: a.file,
        dir: a.dir,
        format: backup_format(a.format),
        no_filestore: a.no_filestore,
    })
}

fn restore(a: RestoreArgs) -> config::Command {
    config::Command::Restore(config::RestoreOpts {
        target: a.target,
        file: a.file,
        keep_identity: a.move_,
        no_filestore: a.flags.no_filestore,
        yes: a.flags.yes,
        dry_run: a.flags.dry_run,
        owner_hint: None,
    })
}

fn backup_format(f: BackupFormatArg) -> config::BackupFormat {
    match f {
        BackupFormatArg::Zip => config::BackupFormat::Zip,
        BackupFormatArg::Dump => config::BackupFormat::Dump,
    }
}

// Bulk.

/// `bulk create`, `drop` and `purge` are lifecycle runs, `bulk backup` its
/// own command; `suspend`, `reactivate` and `passwd` share [`bulk_targets`].
fn bulk(b: BulkCommand) -> config::Command {
    match b {
        BulkCommand::Create(a) => lifecycle(
            config::LifecycleAction::BulkCreate {
                from: a.from,
                layout: crate::targetfile::Layout {
                    header: a.header,
                    shape: Some(crate::targetfile::Shape::NEW_TENANT),
                    ..Default::default()
                },
                template: a.template,
                length: a.length as usize,
                secrets_file: a.secrets_file,
                force: a.force,
                failed_to: a.failed_to,
            },
            a.flags,
        ),
        BulkCommand::Drop(a) => lifecycle(
            config::LifecycleAction::BulkDrop {
                layout: a.from.layout(),
                failed_to: a.from.failed_to,
                from: a.from.from,
                force: a.force,
            },
            a.flags,
        ),
        BulkCommand::Upgrade(a) => lifecycle(
            config::LifecycleAction::BulkUpgrade {
                layout: crate::targetfile::Layout {
                    header: a.header,
                    column: a.column,
                    reason_column: None,
                    shape: None,
                },
                from: match (a.from, a.all_matching) {
                    (Some(f), _) => config::UpgradeTargets::From(f),
                    // clap: one of --from and --all-matching
                    (None, _) => config::UpgradeTargets::AllMatching(a.pattern),
                },
                up: config::UpgradeOpts {
                    tenant: String::new(),
                    modules: a.modules,
                    timeout: a.timeout,
                    resume: a.resume,
                },
                canary: a.canary.map(|n| n as usize),
                per_node: a.per_node.map(|n| n as usize),
                failed_to: a.failed_to,
            },
            a.flags,
        ),
        BulkCommand::Purge(a) => lifecycle(
            config::LifecycleAction::BulkPurge {
                layout: a.from.layout(),
                failed_to: a.from.failed_to,
                from: a.from.from,
                now: a.now,
            },
            a.flags,
        ),
        BulkCommand::Backup(a) => config::Command::BulkBackup(config::BulkBackupOpts {
            dir: a.dir,
            pattern: a.pattern,
            all_matching: a.all_matching,
            keep: a.keep.map(|k| k as usize),
            format: backup_format(a.format),
            no_filestore: a.no_filestore,
            dry_run: a.dry_run,
        }),
        BulkCommand::Suspend(a) => bulk_targets(
            config::BulkAction::Suspend {
                reason: a.reason,
                layers: a.layers,
            },
            a.targets,
        ),
        BulkCommand::Reactivate(a) => bulk_targets(
            config::BulkAction::Reactivate {
                all_internal: all_internal(a.restore_users),
            },
            a.targets,
        ),
        BulkCommand::Passwd(a) => bulk_targets(
            config::BulkAction::Passwd {
                length: a.length as usize,
                secrets_file: a.secrets_file,
                login: a.login,
            },
            a.targets,
        ),
    }
}

fn bulk_targets(action: config::BulkAction, t: BulkTargets) -> config::Command {
    config::Command::Bulk(config::BulkOpts {
        action,
        from: t.from,
        layout: crate::targetfile::Layout {
            header: t.header,
            column: t.column,
            reason_column: t.reason_column,
            shape: None,
        },
        failed_to: t.failed_to,
        pattern: t.pattern,
        status: t.status.map(status_filter),
        all_matching: t.all_matching,
        skip_unreachable: t.skip_unreachable,
        yes: t.yes,
        dry_run: t.dry_run,
    })
}
