//! Host-side shell work of backup, restore and move: the child processes
//! (pg_dump, psql, pg_restore, tar) and their stderr, and the shell commands
//! run on a node's host (locally, or over the node's SSH master). Kept apart
//! from the archive logic so that it can move behind the transport.

use std::io::Read;
use std::process::{Child, Stdio};

use anyhow::{anyhow, bail, Context};

use crate::transport::host::filestore::{Filestore, SafeName};
use crate::transport::NodeLink;

/// Collects a child's stderr in a thread (so that a full pipe cannot stall
/// it) and returns its last error line (psql and pg_restore follow an
/// `ERROR:` with `DETAIL:`/`HINT:`/`CONTEXT:` lines), else its last
/// non-empty line.
pub(super) fn stderr_tail(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut err = child.stderr.take();
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        let lines = || s.lines().rev().map(str::trim).filter(|l| !l.is_empty());
        lines()
            .find(|l| l.contains("ERROR:") || l.contains("error:") || l.contains("FATAL:"))
            .or_else(|| lines().next())
            .unwrap_or("")
            .to_string()
    })
}

pub(super) fn wait_ok(
    mut child: Child,
    err: std::thread::JoinHandle<String>,
    what: &str,
) -> anyhow::Result<()> {
    let status = child
        .wait()
        .with_context(|| format!("waiting for {what}"))?;
    let tail = err.join().unwrap_or_default();
    if !status.success() {
        if tail.is_empty() {
            bail!("{what} failed ({status})");
        }
        bail!("{what} failed ({status}): {tail}");
    }
    Ok(())
}

/// Runs `script` where the node's filestore is; its trimmed stdout.
pub(super) async fn files_sh(
    link: &NodeLink,
    script: &str,
    args: &[&str],
) -> anyhow::Result<String> {
    let mut cmd = link.files_command(script, args).await?;
    let out = tokio::task::spawn_blocking(move || cmd.stdin(Stdio::null()).output())
        .await
        .map_err(|x| anyhow!("{x}"))??;
    if !out.status.success() {
        bail!(
            "{}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("a shell command failed")
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// (files, bytes) of `<root>/<db>` on the node's host (0, 0 without one).
pub(super) async fn filestore_size(
    link: &NodeLink,
    fs: &Filestore,
    db: &str,
) -> anyhow::Result<(u64, u64)> {
    let d = fs.dir(&SafeName::new(db).map_err(|m| anyhow!(m))?);
    let out = files_sh(
        link,
        r#"if [ -d "$1" ]; then echo $(find "$1" -type f | wc -l) $(du -sk "$1" | cut -f1); else echo 0 0; fi"#,
        &[&d.to_string_lossy()],
    )
    .await?;
    let mut it = out
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap_or(0));
    Ok((it.next().unwrap_or(0), it.next().unwrap_or(0) * 1024))
}

/// Streams the zip's `filestore/` as a tar into `tar -x` on the node's host
/// (locally or over SSH), into `<root>/<dir>`, then gives it to the owner.
/// `feed` writes the tar into tar's stdin (in a blocking thread).
pub(super) async fn unpack_filestore(
    link: &NodeLink,
    fs: &Filestore,
    dir: &str,
    feed: impl FnOnce(std::process::ChildStdin) -> anyhow::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    let d = fs.dir(&SafeName::new(dir).map_err(|m| anyhow!(m))?);
    let d = d.to_string_lossy();
    // $1 the directory, $2 the owner (empty: none).
    let script = r#"if [ -e "$1" ] || [ -L "$1" ]; then printf '%s exists\n' "$1" >&2; exit 1; fi
        mkdir "$1" && cd "$1" && tar -xf - --no-same-owner || exit 1
        if [ -n "$2" ]; then chown -R "$2" "$1"; fi"#;
    let owner = fs.owner.clone().unwrap_or_default();
    let mut cmd = link.files_command(script, &[&d, &owner]).await?;
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("starting tar for the filestore")?;
        let err = stderr_tail(&mut child);
        let fed = feed(child.stdin.take().expect("piped"));
        let waited = wait_ok(child, err, "tar -x (filestore)");
        waited?;
        fed
    })
    .await
    .map_err(|x| anyhow!("filestore: {x}"))?
}

/// `tar -cf -` of the tenant's filestore directory, to run on the node's
/// host (an empty output when it has none).
pub(super) async fn tar_command(
    link: &NodeLink,
    fs: &Filestore,
    name: &SafeName,
) -> anyhow::Result<std::process::Command> {
    let d = fs.dir(name).to_string_lossy().into_owned();
    link.files_command(
        r#"[ -d "$1" ] || exit 0; cd "$1" && exec tar -cf - ."#,
        &[&d],
    )
    .await
}
