//! Tenants' filestores (`<data_dir>/filestore/<dbname>`, odoo-facts §7) on the
//! node's host: reached with shell commands over the node's SSH master when
//! it has one, else on this machine. No daemon, no agent.
//!
//! Odoo's filestore is content-addressed (`<sha1[:2]>/<sha1>`): a copy made
//! of hard links is safe, so copies link when source and target are on one
//! file system and copy the files otherwise.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, bail};

use crate::transport::NodeLink;

/// Quotes a word for a POSIX shell.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// How a filestore copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Copied {
    /// Hard links (one file system).
    Linked,
    /// Copied file by file (another file system).
    Copied,
    /// The source tenant has no filestore directory: nothing to copy.
    NoSource,
}

/// The filestore root of one node.
#[derive(Clone)]
pub struct Filestore {
    pub root: PathBuf,
    pub owner: Option<String>,
    link: Arc<NodeLink>,
}

impl Filestore {
    /// The node's filestore, or None when `filestore` is not set.
    pub fn of(link: &Arc<NodeLink>) -> Option<Filestore> {
        let l = &link.node.lifecycle;
        l.filestore.as_ref().map(|root| Filestore {
            root: root.clone(),
            owner: l.filestore_owner.clone(),
            link: link.clone(),
        })
    }

    /// `<root>/<db>`.
    pub fn dir(&self, db: &str) -> PathBuf {
        self.root.join(db)
    }

    fn q(&self, db: &str) -> String {
        sh_quote(&self.dir(db).to_string_lossy())
    }

    /// Runs `script` on the node's host; its stdout (trimmed) on success.
    async fn sh(&self, script: String) -> anyhow::Result<String> {
        let mut cmd = self.link.shell_command(&script).await?;
        let where_ = match self.link.via {
            crate::transport::Via::Ssh => "on the SSH host",
            crate::transport::Via::Direct => "locally",
        };
        let out =
            tokio::task::spawn_blocking(move || cmd.stdin(std::process::Stdio::null()).output())
                .await
                .map_err(|e| anyhow!("filestore command: {e}"))?
                .map_err(|e| anyhow!("filestore command: cannot run a shell {where_}: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            bail!(
                "filestore ({} {where_}): {}",
                self.root.display(),
                if last.is_empty() {
                    format!("the command failed ({})", out.status)
                } else {
                    last.trim().to_string()
                }
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Whether `<root>/<db>` exists (a directory or anything else).
    pub async fn exists(&self, db: &str) -> anyhow::Result<bool> {
        let out = self
            .sh(format!(
                "if [ -e {d} ] || [ -L {d} ]; then echo yes; else echo no; fi",
                d = self.q(db)
            ))
            .await?;
        Ok(out == "yes")
    }

    /// Checks the root is a directory (before anything is changed).
    pub async fn check_root(&self) -> anyhow::Result<()> {
        let r = sh_quote(&self.root.to_string_lossy());
        self.sh(format!(
            "[ -d {r} ] || {{ echo \"{} is not a directory\" >&2; exit 1; }}",
            self.root.display()
        ))
        .await
        .map(|_| ())
    }

    /// [`Filestore::check_root`] and "`<root>/<db>` does not exist" in one
    /// shell run: true when `<db>` is free.
    pub async fn check_free(&self, db: &str) -> anyhow::Result<bool> {
        let r = sh_quote(&self.root.to_string_lossy());
        let out = self
            .sh(format!(
                "[ -d {r} ] || {{ echo \"{} is not a directory\" >&2; exit 1; }}; \
                 if [ -e {d} ] || [ -L {d} ]; then echo taken; else echo free; fi",
                self.root.display(),
                d = self.q(db)
            ))
            .await?;
        Ok(out == "free")
    }

    /// Copies `<root>/<src>` to `<root>/<dst>` (which must not exist): hard
    /// links on one file system, a copy otherwise; then gives the copy to
    /// `filestore_owner`. On failure the partial `<dst>` is removed.
    pub async fn copy(&self, src: &str, dst: &str) -> anyhow::Result<Copied> {
        let (s, d) = (self.q(src), self.q(dst));
        // Hard links share their inode with the source: only the directories
        // (new) are given to the owner; copied files are all new.
        let chown = match &self.owner {
            Some(o) => format!(
                " && {{ if [ $how = linked ]; then find {d} -type d -exec chown {o} {{}} +; else chown -R {o} {d}; fi || {{ rm -rf {d}; exit 1; }}; }}",
                o = sh_quote(o)
            ),
            None => String::new(),
        };
        let script = format!(
            "if [ -e {d} ] || [ -L {d} ]; then echo \"{dd} exists\" >&2; exit 1; fi; \
             if [ ! -d {s} ]; then echo none; exit 0; fi; \
             if cp -al {s} {d} 2>/dev/null; then how=linked; \
             else rm -rf {d}; cp -a {s} {d} || {{ rm -rf {d}; exit 1; }}; how=copied; fi{chown} && echo $how",
            dd = self.dir(dst).display()
        );
        match self.sh(script).await?.as_str() {
            "linked" => Ok(Copied::Linked),
            "copied" => Ok(Copied::Copied),
            "none" => Ok(Copied::NoSource),
            other => bail!("filestore copy: unexpected answer {other:?}"),
        }
    }

    /// Moves `<root>/<src>` to `<root>/<dst>` (which must not exist); false
    /// when there is no `<src>`.
    pub async fn rename(&self, src: &str, dst: &str) -> anyhow::Result<bool> {
        let (s, d) = (self.q(src), self.q(dst));
        let out = self
            .sh(format!(
                "if [ ! -e {s} ]; then echo none; exit 0; fi; \
                 if [ -e {d} ] || [ -L {d} ]; then echo \"{dd} exists\" >&2; exit 1; fi; \
                 mv {s} {d} && echo moved",
                dd = self.dir(dst).display()
            ))
            .await?;
        Ok(out == "moved")
    }

    /// Removes `<root>/<db>` and everything below it.
    pub async fn remove(&self, db: &str) -> anyhow::Result<()> {
        if db.is_empty() || db.contains('/') || db == "." || db == ".." {
            bail!("refusing to remove filestore entry {db:?}");
        }
        self.sh(format!("rm -rf {}", self.q(db))).await.map(|_| ())
    }
}

/// The message of a command that needs the filestore on a node without one.
pub fn missing(node: &str) -> String {
    format!(
        "node {node} has no `filestore` setting (the directory holding the tenants' filestores, e.g. filestore = \"/var/lib/odoo/filestore\" in [defaults] or the node); set it, or pass --no-filestore to leave filestores alone. Nothing changed"
    )
}
