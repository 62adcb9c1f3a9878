//! Tenants' filestores (`<data_dir>/filestore/<dbname>`, odoo-facts §7) on the
//! node's host: reached with shell commands over the node's SSH master when
//! it has one, else on this machine. No daemon, no agent.
//!
//! Odoo's filestore is content-addressed (`<sha1[:2]>/<sha1>`): a copy made
//! of hard links is safe, so copies link when source and target are on one
//! file system and copy the files otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail};

use crate::transport::NodeLink;

/// Odoo's `DBNAME_PATTERN` (odoo/service/db.py): `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`,
/// and PostgreSQL's 63-byte limit on names.
pub fn check_db_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest: Vec<char> = chars.collect();
    if !first_ok
        || rest.is_empty()
        || !rest
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(*c))
    {
        return Err(format!(
            "{name:?} is not a valid Odoo database name (Odoo's rule: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)"
        ));
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "{name:?} has {} characters; PostgreSQL database names have at most {MAX_NAME}",
            name.len()
        ));
    }
    Ok(())
}

/// PostgreSQL's NAMEDATALEN - 1.
pub const MAX_NAME: usize = 63;

/// A database name that may become a path component: Odoo's own rule
/// (`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, [`check_db_name`]), so never `.`, `..`,
/// a `/`, a control character or anything a shell interprets. Names of
/// databases on a node are made by whoever has CREATEDB there: a filestore
/// directory or a backup file name is only ever built from this type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeName(String);

impl SafeName {
    /// `name` when it is a valid Odoo database name; else why not (the
    /// name escaped, for messages).
    pub fn new(name: &str) -> Result<SafeName, String> {
        if check_db_name(name).is_ok()
            && !matches!(name, "." | "..")
            && !name.contains('/')
            && !name.chars().any(char::is_control)
        {
            Ok(SafeName(name.to_string()))
        } else {
            Err(unsafe_name(name))
        }
    }

    /// Whether `name` is one.
    pub fn is_safe(name: &str) -> bool {
        SafeName::new(name).is_ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SafeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The refusal of a name that is not a [`SafeName`] (the name escaped).
pub fn unsafe_name(name: &str) -> String {
    format!(
        "database name {name:?} is not a valid Odoo database name (^[a-zA-Z0-9][a-zA-Z0-9_.-]+$): \
         tenantctl never makes a file or directory path of it; nothing changed"
    )
}

/// `dir/file` when `file` is one plain component and the result stays in
/// `dir` (both resolved: a symlinked `dir` is followed once, here); else why
/// not.
pub fn inside(dir: &Path, file: &str) -> Result<PathBuf, String> {
    let base = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let p = base.join(file);
    let mut comps = Path::new(file).components();
    let one = matches!(
        (comps.next(), comps.next()),
        (Some(std::path::Component::Normal(_)), None)
    );
    if !one || p.parent() != Some(base.as_path()) {
        return Err(format!(
            "{} would not be inside {}; nothing written",
            crate::text::esc(&p.to_string_lossy()),
            base.display()
        ));
    }
    Ok(p)
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

    /// `<root>/<db>`: only of a [`SafeName`].
    pub fn dir(&self, db: &SafeName) -> PathBuf {
        self.root.join(db.as_str())
    }

    /// `<root>/<db>` for a message (escaped; never used as a path).
    pub fn show(&self, db: &str) -> String {
        crate::text::esc(&format!("{}/{db}", self.root.display())).into_owned()
    }

    /// `<root>/<db>` as text for a script's argument; an error for a name
    /// that is not a [`SafeName`].
    fn arg(&self, db: &str) -> anyhow::Result<String> {
        let db = SafeName::new(db).map_err(|m| anyhow!(m))?;
        Ok(self.dir(&db).to_string_lossy().into_owned())
    }

    /// The root as text for a script's argument.
    fn root_arg(&self) -> String {
        self.root.to_string_lossy().into_owned()
    }

    /// Runs `script` with `args` as `$1`... where the filestore is; its stdout
    /// (trimmed) on success.
    async fn sh(&self, script: &str, args: &[&str]) -> anyhow::Result<String> {
        let mut cmd = self.link.files_command(script, args).await?;
        let where_ = self.link.files_where();
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
                    crate::text::esc(last.trim()).into_owned()
                }
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Whether `<root>/<db>` exists (a directory or anything else).
    pub async fn exists(&self, db: &str) -> anyhow::Result<bool> {
        let d = self.arg(db)?;
        let out = self
            .sh(
                r#"if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi"#,
                &[&d],
            )
            .await?;
        Ok(out == "yes")
    }

    /// Which of `dbs` are taken under the root (a directory or anything
    /// else), after checking the root is a directory: one shell run.
    pub async fn taken(&self, dbs: &[&str]) -> anyhow::Result<Vec<String>> {
        let mut args = vec![self.root_arg()];
        for db in dbs {
            args.push(self.arg(db)?);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self
            .sh(
                r#"[ -d "$1" ] || { printf '%s is not a directory\n' "$1" >&2; exit 1; }
                   shift; i=0
                   for d; do i=$((i+1)); if [ -e "$d" ] || [ -L "$d" ]; then echo "$i"; fi; done"#,
                &refs,
            )
            .await?;
        Ok(out
            .lines()
            .filter_map(|l| l.trim().parse::<usize>().ok())
            .filter_map(|i| dbs.get(i.wrapping_sub(1)).map(|d| d.to_string()))
            .collect())
    }

    /// The filestore side of an upgrade's swap, in one shell run:
    /// `<db>` moved to `<pre>`, then `<copy>` to `<db>` (each only when it
    /// exists; the second undone when it fails). Which of the two moved.
    pub async fn swap(&self, db: &str, copy: &str, pre: &str) -> anyhow::Result<(bool, bool)> {
        let (t, c, p) = (self.arg(db)?, self.arg(copy)?, self.arg(pre)?);
        let out = self
            .sh(
                r#"t=$1 c=$2 p=$3 a=no b=no
                   if [ -e "$p" ] || [ -L "$p" ]; then printf '%s exists\n' "$p" >&2; exit 1; fi
                   if [ -e "$t" ] || [ -L "$t" ]; then mv "$t" "$p" || exit 1; a=yes; fi
                   if [ -e "$c" ]; then
                     if [ -e "$t" ] || [ -L "$t" ]; then
                       printf '%s exists\n' "$t" >&2
                       if [ $a = yes ]; then mv "$p" "$t"; fi
                       exit 1
                     fi
                     if mv "$c" "$t"; then b=yes
                     else if [ $a = yes ]; then mv "$p" "$t"; fi; exit 1; fi
                   fi
                   echo "$a $b""#,
                &[&t, &c, &p],
            )
            .await?;
        match out.as_str() {
            "yes yes" => Ok((true, true)),
            "yes no" => Ok((true, false)),
            "no yes" => Ok((false, true)),
            "no no" => Ok((false, false)),
            other => bail!("filestore swap: unexpected answer {other:?}"),
        }
    }

    /// Checks the root is a directory (before anything is changed).
    pub async fn check_root(&self) -> anyhow::Result<()> {
        self.sh(
            r#"[ -d "$1" ] || { printf '%s is not a directory\n' "$1" >&2; exit 1; }"#,
            &[&self.root_arg()],
        )
        .await
        .map(|_| ())
    }

    /// [`Filestore::check_root`] and "`<root>/<db>` does not exist" in one
    /// shell run: true when `<db>` is free.
    pub async fn check_free(&self, db: &str) -> anyhow::Result<bool> {
        let d = self.arg(db)?;
        let out = self
            .sh(
                r#"[ -d "$1" ] || { printf '%s is not a directory\n' "$1" >&2; exit 1; }
                   if [ -e "$2" ] || [ -L "$2" ]; then echo taken; else echo free; fi"#,
                &[&self.root_arg(), &d],
            )
            .await?;
        Ok(out == "free")
    }

    /// Copies `<root>/<src>` to `<root>/<dst>` (which must not exist): hard
    /// links on one file system, a copy otherwise; then gives the copy to
    /// `filestore_owner`. On failure the partial `<dst>` is removed.
    pub async fn copy(&self, src: &str, dst: &str) -> anyhow::Result<Copied> {
        let (s, d) = (self.arg(src)?, self.arg(dst)?);
        // Hard links share their inode with the source: only the directories
        // (new) are given to the owner; copied files are all new. $3: the
        // owner, empty for none.
        let script = r#"s=$1 d=$2 o=$3
            if [ -e "$d" ] || [ -L "$d" ]; then printf '%s exists\n' "$d" >&2; exit 1; fi
            if [ ! -d "$s" ]; then echo none; exit 0; fi
            if cp -al "$s" "$d" 2>/dev/null; then how=linked
            else rm -rf "$d"; cp -a "$s" "$d" || { rm -rf "$d"; exit 1; }; how=copied; fi
            if [ -n "$o" ]; then
              if [ $how = linked ]; then find "$d" -type d -exec chown "$o" {} +
              else chown -R "$o" "$d"; fi || { rm -rf "$d"; exit 1; }
            fi
            echo $how"#;
        let owner = self.owner.clone().unwrap_or_default();
        match self.sh(script, &[&s, &d, &owner]).await?.as_str() {
            "linked" => Ok(Copied::Linked),
            "copied" => Ok(Copied::Copied),
            "none" => Ok(Copied::NoSource),
            other => bail!("filestore copy: unexpected answer {other:?}"),
        }
    }

    /// Moves `<root>/<src>` to `<root>/<dst>` (which must not exist); false
    /// when there is no `<src>`.
    pub async fn rename(&self, src: &str, dst: &str) -> anyhow::Result<bool> {
        let (s, d) = (self.arg(src)?, self.arg(dst)?);
        let out = self
            .sh(
                r#"if [ ! -e "$1" ]; then echo none; exit 0; fi
                   if [ -e "$2" ] || [ -L "$2" ]; then printf '%s exists\n' "$2" >&2; exit 1; fi
                   mv "$1" "$2" && echo moved"#,
                &[&s, &d],
            )
            .await?;
        Ok(out == "moved")
    }

    /// Removes `<root>/<db>` and everything below it.
    pub async fn remove(&self, db: &str) -> anyhow::Result<()> {
        let d = self.arg(db)?;
        self.sh(r#"rm -rf "$1""#, &[&d]).await.map(|_| ())
    }
}

/// The message of a command that needs the filestore on a node without one.
pub fn missing(node: &str) -> String {
    format!(
        "node {node} has no `filestore` setting (the directory holding the tenants' filestores, e.g. filestore = \"/var/lib/odoo/filestore\" in [defaults] or the node); set it, or pass --no-filestore to leave filestores alone. Nothing changed"
    )
}

#[cfg(test)]
mod tests {
    use super::{inside, SafeName};

    #[test]
    fn only_odoo_names_are_safe() {
        for ok in ["acme", "a1", "acme.dropped-20260101T000000Z", "x_y-z.w"] {
            assert!(SafeName::is_safe(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a",
            "../fs/victim",
            "/etc/ssl",
            "a/b",
            "-x",
            ".x",
            "a\nb",
            "a b",
            "a\u{1b}[2J",
            "Ténant",
        ] {
            let e = SafeName::new(bad).unwrap_err();
            assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
        }
    }

    #[test]
    fn backup_paths_stay_in_their_directory() {
        let d = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(d.path()).unwrap();
        assert_eq!(
            inside(d.path(), "acme_1.zip").unwrap(),
            real.join("acme_1.zip")
        );
        for bad in ["../x.zip", "/etc/x.zip", "a/b.zip", "..", "."] {
            assert!(inside(d.path(), bad).is_err(), "{bad}");
        }
    }
}
