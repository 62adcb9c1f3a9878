//! tenantctl: operate the tenants (Odoo databases) of a multi-tenant Odoo SaaS
//! across PostgreSQL nodes.
//!
//! Layers, top to bottom (checked by `layering.rs`): cli → commands → ops →
//! config → targetfile → output → targets → odoo → transport → inventory →
//! pgpass → audit, tenant_cache, interrupt, private, model, text → error.

pub(crate) mod audit;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod interrupt;
pub(crate) mod inventory;
pub(crate) mod layering;
pub(crate) mod model;
pub mod odoo;
pub(crate) mod ops;
pub(crate) mod output;
pub(crate) mod pgpass;
pub(crate) mod private;
pub(crate) mod targetfile;
pub(crate) mod targets;
pub(crate) mod tenant_cache;
pub(crate) mod text;
pub mod transport;

// Host-side work moved behind the transport; the old paths stay.

use clap::Parser;

use crate::cli::complete;
use crate::commands::Ctx;
use crate::config::Command;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};

/// Runs tenantctl with the process arguments and returns the exit code.
pub fn run() -> u8 {
    run_from(std::env::args_os())
}

/// Runs tenantctl with the given arguments (the first is the program name).
pub fn run_from<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // `tenantctl __complete -- WORDS...`: called by the completion scripts,
    // kept out of clap's definition so that it appears in no script, help
    // or man page.
    if args.get(1).is_some_and(|a| a == "__complete") {
        return complete_words(&args[2..]);
    }
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    if let Err(m) = cli.check() {
        eprintln!("tenantctl: {m}; nothing changed");
        return EXIT_USAGE;
    }
    // Completions and the man page need neither inventory nor network.
    match &cli.command {
        // Rendered in memory, then written once: a closed pipe (`| head`)
        // ends quietly instead of panicking inside the generator.
        cli::Command::Completions { shell } => {
            let mut buf = Vec::new();
            cli::completions(*shell, &mut buf);
            output::out_bytes(&buf);
            return finish(Ok(EXIT_OK));
        }
        cli::Command::Man { page, dir: None } => {
            let mut buf = Vec::new();
            let r = cli::man(page.as_deref(), &mut buf)
                .map(|()| {
                    output::out_bytes(&buf);
                    EXIT_OK
                })
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Error::usage(anyhow::anyhow!("man: {e}")),
                    _ => Error::failed(anyhow::anyhow!("man: {e}")),
                });
            return finish(r);
        }
        cli::Command::Man {
            dir: Some(dir),
            page: _,
        } => {
            let r = cli::man_to_dir(dir)
                .map(|paths| {
                    for p in paths {
                        output::out(&output::esc(&p.display().to_string()));
                    }
                    EXIT_OK
                })
                .map_err(|e| Error::failed(anyhow::anyhow!("man: {e}")));
            return finish(r);
        }
        _ => {}
    }
    let config = cli.into_config();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tenantctl: cannot start the async runtime: {e}");
            return error::EXIT_FAILED;
        }
    };
    let result = rt.block_on(dispatch(config));
    // Do not wait for background connection tasks.
    rt.shutdown_background();
    finish(result)
}

/// Prints the completion candidates for the shell's words (after an
/// optional `--`): from the inventory and the cache only, quiet and exit 0
/// whatever happens (a shell is reading).
fn complete_words(args: &[std::ffi::OsString]) -> u8 {
    let args = match args.first() {
        Some(a) if a == "--" => &args[1..],
        _ => args,
    };
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(req) = cli::completion_request(&words) else {
        return EXIT_OK;
    };
    let Ok(path) = inventory::locate(req.inventory.as_deref()) else {
        return EXIT_OK;
    };
    let Ok(inv) = inventory::load(&path) else {
        return EXIT_OK;
    };
    let nodes: Vec<String> = inv.nodes.iter().map(|n| n.name.clone()).collect();
    let mut text = String::new();
    for c in complete::candidates(&req, &inv.path, &nodes) {
        text.push_str(&c);
        text.push('\n');
    }
    output::out_bytes(text.as_bytes());
    EXIT_OK
}

/// Renders the error once and picks the exit code; a failed write on stdout
/// (other than a closed pipe) makes a successful run exit 1.
fn finish(result: Result<u8, Error>) -> u8 {
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            if !matches!(e, Error::Interrupted) {
                eprintln!("tenantctl: {}", output::esc_lines(&format!("{e:#}")));
            }
            e.exit_code()
        }
    };
    match output::take_stdout_error() {
        Some(e) => {
            eprintln!("tenantctl: {:#}", Error::Output(e));
            code.max(error::EXIT_FAILED)
        }
        None => code,
    }
}

async fn dispatch(config: config::Config) -> Result<u8, Error> {
    // Local files only: no inventory selection, no connection.
    match &config.command {
        Command::Log(o) => return commands::log::run(&config.global, o),
        Command::Nodes => return commands::nodes::run(&config.global),
        _ => {}
    }
    let mut ctx = Ctx::new(config.global)?;
    // Databases are created, renamed, dropped and dumped on PostgreSQL
    // itself, never through PgBouncer.
    if matches!(
        &config.command,
        Command::Lifecycle(_)
            | Command::Backup(_)
            | Command::Restore(_)
            | Command::BulkBackup(_)
            | Command::Move(_)
    ) || matches!(&config.command, Command::List(o) if o.dropped)
    {
        ctx.use_direct_routes();
    }
    let ctx = std::sync::Arc::new(ctx);
    let result = run_command(&ctx, &config.command).await;
    // Close every transport (SSH masters, forwards) on success, error and Ctrl-C.
    ctx.close().await;
    result
}

async fn run_command(ctx: &std::sync::Arc<Ctx>, command: &Command) -> Result<u8, Error> {
    match command {
        // Read-only: Ctrl-C ends the run at once.
        Command::List(o) if o.dropped => crate::ops::lifecycle::list_dropped(ctx).await,
        Command::List(o) => tokio::select! {
            r = commands::list::run(ctx, o) => r,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("tenantctl: interrupted");
                Ok(EXIT_INTERRUPTED)
            }
        },
        Command::Health(o) => tokio::select! {
            r = commands::health::run(ctx, o) => r,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("tenantctl: interrupted");
                Ok(EXIT_INTERRUPTED)
            }
        },
        Command::Passwd(o) => commands::passwd::run(ctx, o).await,
        Command::Suspend(o) => commands::suspend::suspend(ctx, o).await,
        Command::Reactivate(o) => commands::suspend::reactivate(ctx, o).await,
        Command::Bulk(o) => commands::bulk::run(ctx, o).await,
        Command::Check => commands::check::run(ctx).await,
        Command::Show { tenant } => commands::show::run(ctx, tenant).await,
        Command::Log(_) | Command::Nodes => unreachable!("handled before the inventory"),
        Command::Lifecycle(o) => crate::ops::lifecycle::run(ctx, o).await,
        Command::Backup(o) => crate::ops::lifecycle::backup(ctx, o).await,
        Command::Restore(o) => crate::ops::lifecycle::restore(ctx, o).await,
        Command::BulkBackup(o) => crate::ops::lifecycle::bulk_backup(ctx, o).await,
        Command::Move(o) => crate::ops::lifecycle::move_tenant(ctx, o).await,
    }
}
