//! Who loads a backup's SQL and how: a temporary loader role (or the
//! operator when it owns the result), never a superuser; `psql` behind
//! `\restrict` for a zip's `dump.sql`, `pg_restore` for a custom archive.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use anyhow::Context;

use super::host::{stderr_tail, wait_ok};
use crate::odoo::lifecycle as lc;
use crate::odoo::loader;
use crate::ops::lifecycle::e;
use crate::transport::host::pgtool::{self, PgTool};
use crate::transport::NodeLink;

/// Loads the dump into `db` (blocking): `dump.sql` of a zip piped into
/// `psql`, or `pg_restore` on a custom archive.
pub(super) fn load(tool: &PgTool, file: &Path, custom: bool, db: &str) -> anyhow::Result<()> {
    if custom {
        let mut c = tool.command("pg_restore");
        c.args(["--no-owner", "--exit-on-error", "-d", db])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().context("starting pg_restore")?;
        let err = stderr_tail(&mut child);
        return wait_ok(child, err, "pg_restore");
    }
    let mut z = zip::ZipArchive::new(File::open(file)?)?;
    let mut c = tool.command("psql");
    // `-f -`: psql's messages then name the line ("psql:<stdin>:N: ...").
    c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = c.spawn().context("starting psql")?;
    let err = stderr_tail(&mut child);
    let key = pgtool::restrict_key();
    let copied = {
        let mut input =
            std::io::BufWriter::with_capacity(1 << 16, child.stdin.take().expect("piped"));
        let entry = z.by_name("dump.sql")?;
        let fed = pgtool::feed_restricted(
            std::io::BufReader::with_capacity(1 << 16, entry),
            &mut input,
            &key,
        );
        fed.and_then(|d| input.flush().map(|()| d))
    };
    // psql stopping early (an error) closes its stdin: its own message
    // says why.
    let dropped = copied.as_ref().map(|d| d.as_slice()).unwrap_or(&[]);
    wait_ok(child, err, "psql (dump.sql)").map_err(|x| meta_command_refused(x, dropped))?;
    copied.context("feeding dump.sql to psql")?;
    Ok(())
}

/// psql's refusal of a meta-command behind `\restrict` ("psql:<stdin>:N:
/// error: backslash commands are restricted ..."), said with the line of
/// dump.sql; other errors as they are.
fn meta_command_refused(x: anyhow::Error, dropped: &[u64]) -> anyhow::Error {
    let text = format!("{x:#}");
    if !text.contains("backslash commands are restricted") {
        return x;
    }
    let line = text
        .split("<stdin>:")
        .nth(1)
        .and_then(|t| t.split(':').next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .map(|n| format!(" at line {}", pgtool::original_line(n, dropped)))
        .unwrap_or_default();
    anyhow::Error::new(MetaCommand(format!(
        "dump.sql holds a psql meta-command (a line starting with a backslash){line}: refused, a backup's SQL \
         never runs psql commands (\\! would run a shell command on this machine)"
    )))
}

/// A backup file tried a psql meta-command: a refusal (exit 2), everything
/// undone.
#[derive(Debug)]
pub(super) struct MetaCommand(pub(super) String);

impl std::fmt::Display for MetaCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MetaCommand {}

/// Whose session loads a file, and who owns the result.
pub(super) enum LoadAs {
    /// A temporary role ([`loader`]), then everything to `owner`.
    Loader {
        owner: String,
        operator: loader::Operator,
    },
    /// The operator's own role, which is the owner and not a superuser (as
    /// Odoo's own restore runs `psql` with Odoo's credentials).
    Owner(String),
}

impl LoadAs {
    pub(super) fn owner(&self) -> &str {
        match self {
            LoadAs::Loader { owner, .. } | LoadAs::Owner(owner) => owner,
        }
    }

    pub(super) fn describe(&self) -> String {
        match self {
            LoadAs::Loader { owner, .. } => format!(
                "as a temporary role tenantctl_load_… (not a superuser, dropped afterwards); every object then owned by {}",
                e(owner)
            ),
            LoadAs::Owner(owner) => format!("as {} (tenantctl's role, not a superuser), which owns it", e(owner)),
        }
    }
}

/// Who owns a restored database: the node's `db_owner`, else `hint` (the
/// source's owner, for `move`), else the owner of the node's `template`,
/// else the operator's role when it is not a superuser. The owner must
/// exist and not be a superuser (a superuser's tenant would run the
/// tenant's `SECURITY DEFINER` functions as superuser). The file runs as a
/// loader role when the operator can make one (superuser or CREATEROLE),
/// else as the operator when it is the owner; otherwise refused. `Ok(Err)`
/// is a refusal.
pub(super) async fn load_as(
    link: &NodeLink,
    maint: &crate::transport::Conn,
    hint: Option<&str>,
) -> anyhow::Result<std::result::Result<LoadAs, String>> {
    let d = maint.deadline;
    let op = loader::operator(&maint.client, d).await?;
    let from_template = match &link.node.lifecycle.template {
        Some(t) => lc::db_info(&maint.client, t, d).await?.map(|i| i.owner),
        None => None,
    };
    let owner = link
        .node
        .lifecycle
        .db_owner
        .clone()
        .or_else(|| hint.map(str::to_string))
        .or(from_template)
        .or_else(|| (!op.superuser).then(|| op.name.clone()));
    let Some(owner) = owner else {
        return Ok(Err(format!(
            "node {}: tenantctl connects as the superuser {}, and a restored database must belong to the \
             tenant's Odoo role, not to a superuser: set `db_owner` (the role Odoo connects as) for the node \
             in the inventory",
            link.name(),
            e(&op.name)
        )));
    };
    match loader::role_superuser(&maint.client, &owner, d).await? {
        None => {
            return Ok(Err(format!(
                "node {}: the owner role {} does not exist on the node",
                link.name(),
                e(&owner)
            )))
        }
        Some(true) => {
            return Ok(Err(format!(
                "node {}: the owner role {} is a superuser: the tenant's own functions would run as superuser; \
                 set `db_owner` to Odoo's role (not a superuser)",
                link.name(),
                e(&owner)
            )))
        }
        Some(false) => {}
    }
    if op.superuser || op.createrole {
        return Ok(Ok(LoadAs::Loader {
            owner,
            operator: op,
        }));
    }
    if op.name == owner {
        return Ok(Ok(LoadAs::Owner(owner)));
    }
    Ok(Err(format!(
        "node {}: tenantctl's role {} can neither make a temporary loader role (it has no CREATEROLE) nor is \
         it the owner {}: a backup's SQL runs only as a role that is not a superuser and owns the new database; \
         connect as {} or give tenantctl's role CREATEROLE",
        link.name(),
        e(&op.name),
        e(&owner),
        e(&owner)
    )))
}

/// `psql -c 'SELECT 1'` with the tool's settings: "" or psql's last line.
pub(super) fn probe_login(tool: &PgTool) -> std::result::Result<(), String> {
    let out = tool
        .command("psql")
        .args(["-X", "-q", "-A", "-t", "-c", "SELECT 1"])
        .stdin(Stdio::null())
        .output()
        .map_err(|x| format!("starting psql: {x}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(String::from_utf8_lossy(&out.stderr)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("psql failed")
        .trim()
        .to_string())
}
