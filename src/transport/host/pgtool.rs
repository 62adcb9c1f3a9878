//! PostgreSQL's own client programs (`pg_dump`, `pg_restore`, `psql`) run
//! by `backup` and `restore` (issue 15) against a node's database.
//!
//! - They run on this machine and reach the node the way tenantctl does:
//!   directly (host, port, sslmode, sslrootcert of the node), or through the
//!   node's SSH tunnel, whose forward is a local Unix socket
//!   `<dir>/.s.PGSQL.<port>` (`PGHOST=<dir>`, `PGPORT=<port>`).
//! - The password never appears in argv: it is written to a private pass
//!   file (mode 0600 in a 0700 directory, removed on drop) named by
//!   `PGPASSFILE`. Variables that could redirect the tools (`PGPASSWORD`,
//!   `PGSERVICE`, ...) are removed from their environment.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context};

use crate::inventory::{Host, SslMode};
use crate::transport::{NodeLink, Transport};

/// Variables of libpq that the tools must not inherit from the operator's
/// environment (they would override or redirect what we set).
const CLEARED: [&str; 12] = [
    "PGPASSWORD",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGHOSTADDR",
    "PGOPTIONS",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGSSLCRL",
    "PGTARGETSESSIONATTRS",
    "PGREQUIRESSL",
    "PGGSSENCMODE",
    "PGCHANNELBINDING",
];

/// The settings to run a tool against one database of a node.
pub struct PgTool {
    env: Vec<(&'static str, String)>,
    /// The private directory holding the pass file; removed on drop.
    dir: Option<PathBuf>,
}

impl Drop for PgTool {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Escapes a pass-file field (`:` and `\`); passwords are bytes, as libpq
/// reads them.
fn pass_field(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 4);
    for &b in s {
        if b == b'\\' || b == b':' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// A new private (0700) directory under the temp dir.
pub fn private_dir() -> anyhow::Result<PathBuf> {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).map_err(|e| anyhow!("random: {e}"))?;
    let tag: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("tenantctl-pg-{tag}"));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

impl PgTool {
    /// The settings for `db` on `link` (opens the SSH tunnel if needed).
    pub async fn for_db(link: &NodeLink, t: &Transport, db: &str) -> anyhow::Result<PgTool> {
        PgTool::for_db_as(link, t, db, None).await
    }

    /// The same, authenticated as `login` (user, password) instead of the
    /// node's role: the loader role of a restore (see `odoo::loader`).
    pub async fn for_db_as(
        link: &NodeLink,
        t: &Transport,
        db: &str,
        login: Option<(&str, &str)>,
    ) -> anyhow::Result<PgTool> {
        let n = &link.node;
        let mut env: Vec<(&'static str, String)> = vec![
            ("PGPORT", n.port.to_string()),
            (
                "PGUSER",
                login.map_or_else(|| n.user.clone(), |l| l.0.to_string()),
            ),
            ("PGDATABASE", db.to_string()),
            ("PGAPPNAME", "tenantctl".into()),
            (
                "PGCONNECT_TIMEOUT",
                n.connect_timeout.as_secs().max(2).to_string(),
            ),
        ];
        match link.tool_socket_dir().await? {
            // The forward is a Unix socket: libpq does no TLS on it (the SSH
            // connection carries it encrypted).
            Some(dir) => {
                env.push(("PGHOST", dir.display().to_string()));
                env.push(("PGSSLMODE", "disable".into()));
            }
            None => {
                match &n.host {
                    Host::Tcp(h) => env.push(("PGHOST", h.clone())),
                    Host::Socket(p) => env.push(("PGHOST", p.display().to_string())),
                }
                env.push((
                    "PGSSLMODE",
                    match n.sslmode {
                        SslMode::Disable => "disable",
                        SslMode::Prefer => "prefer",
                        SslMode::Require => "require",
                        SslMode::VerifyCa => "verify-ca",
                        SslMode::VerifyFull => "verify-full",
                    }
                    .into(),
                ));
                if let Some(ca) = &n.sslrootcert {
                    env.push(("PGSSLROOTCERT", ca.display().to_string()));
                }
            }
        }
        let mut tool = PgTool { env, dir: None };
        let password = match login {
            Some((_, pw)) => Some(pw.as_bytes().to_vec()),
            None => n
                .password_for(db, t.passfile())
                .map_err(|e| anyhow!(e.message()))?,
        };
        let dir = private_dir()?;
        tool.dir = Some(dir.clone());
        let file = dir.join("pgpass");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)
            .with_context(|| format!("creating {}", file.display()))?;
        if let Some(pw) = password {
            f.write_all(b"*:*:*:*:")?;
            f.write_all(&pass_field(&pw))?;
            f.write_all(b"\n")?;
        }
        tool.env.push(("PGPASSFILE", file.display().to_string()));
        Ok(tool)
    }

    /// `prog` with these settings (and nothing from the operator's libpq
    /// environment that could redirect it).
    pub fn command(&self, prog: &str) -> Command {
        let mut c = Command::new(prog);
        for v in CLEARED {
            c.env_remove(v);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }
}

/// The major version of a client program (`pg_dump --version` →
/// "pg_dump (PostgreSQL) 16.4 (Debian ...)" → 16); an error that says what
/// to install when it is missing.
pub fn client_major(prog: &str, server_major: u32) -> Result<u32, String> {
    let fix = format!(
        "install PostgreSQL's client programs of version {server_major} or later, e.g. `apt-get install postgresql-client-{server_major}`, and put them on PATH"
    );
    let out = match Command::new(prog).arg("--version").output() {
        Ok(o) if o.status.success() => o,
        Ok(o) => return Err(format!("`{prog} --version` failed ({}); {fix}", o.status)),
        Err(e) => return Err(format!("{prog} not found on PATH ({e}); {fix}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let major = parse_major(&text)
        .ok_or_else(|| format!("cannot read the version of {prog} from {text:?}; {fix}"))?;
    if major < server_major {
        return Err(format!(
            "{prog} is version {major}, older than the server ({server_major}): it cannot dump it; {fix}"
        ));
    }
    Ok(major)
}

/// The first number after "(PostgreSQL)" (or the first version-like word).
pub fn parse_major(text: &str) -> Option<u32> {
    let rest = match text.find(')') {
        Some(i) => &text[i + 1..],
        None => text,
    };
    rest.split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .and_then(|w| {
            w.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok())
        })
}

/// psql's `\restrict KEY` (the fix of CVE-2025-8714): in that mode psql
/// refuses every meta-command (`\!`, `\connect`, `\o`, `\copy .. program`,
/// ...) but `\unrestrict KEY`. It came with 13.22, 14.19, 15.14, 16.10,
/// 17.6 and 18.0; an older psql would run a backup file's `\! cmd` on this
/// machine, so it is refused.
pub fn psql_restrict_ok() -> Result<(), String> {
    let fix = "install a PostgreSQL client of 13.22, 14.19, 15.14, 16.10, 17.6, 18.0 or later \
               (psql's \\restrict, which keeps a backup file's psql commands from running) and put it on PATH";
    let out = match Command::new("psql").arg("--version").output() {
        Ok(o) if o.status.success() => o,
        Ok(o) => return Err(format!("`psql --version` failed ({}); {fix}", o.status)),
        Err(e) => return Err(format!("psql not found on PATH ({e}); {fix}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    match parse_version(&text) {
        Some(v) if knows_restrict(v) => Ok(()),
        Some((major, minor)) => Err(format!(
            "psql is version {major}.{minor}, which does not know \\restrict: a backup file's psql commands \
             (\\! runs a shell command on this machine) could not be kept from running; {fix}"
        )),
        None => Err(format!("cannot read the version of psql from {text:?}; {fix}")),
    }
}

fn knows_restrict((major, minor): (u32, u32)) -> bool {
    match major {
        0..=12 => false,
        13 => minor >= 22,
        14 => minor >= 19,
        15 => minor >= 14,
        16 => minor >= 10,
        17 => minor >= 6,
        _ => true,
    }
}

/// (major, minor) after "(PostgreSQL)": "psql (PostgreSQL) 15.18 (Debian ..)"
/// → (15, 18); "18beta1" → (18, 0).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let major = parse_major(text)?;
    let rest = match text.find(')') {
        Some(i) => &text[i + 1..],
        None => text,
    };
    let word = rest
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let minor = word
        .split('.')
        .nth(1)
        .and_then(|m| {
            m.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|d| d.parse().ok())
        })
        .unwrap_or(0);
    Some((major, minor))
}

/// A random key for `\restrict`.
pub fn restrict_key() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Feeds a plain SQL dump to psql behind tenantctl's own `\restrict KEY`
/// (the first line psql reads): no meta-command of the file runs, and a
/// line that tries one stops psql ("backslash commands are restricted").
/// A dump of pg_dump 13.22+/14.19+/15.14+/16.10+/17.6+ carries its own
/// `\restrict K` / `\unrestrict K` pair; those lines (alone on their line,
/// outside COPY data) are left out, as they would be refused. Returns the
/// numbers of the lines left out, for [`original_line`].
pub fn feed_restricted(
    mut from: impl std::io::BufRead,
    to: &mut impl Write,
    key: &str,
) -> std::io::Result<Vec<u64>> {
    to.write_all(format!("\\restrict {key}\n").as_bytes())?;
    let mut dropped = Vec::new();
    let mut line = Vec::with_capacity(8192);
    let mut n = 0u64;
    let mut in_copy = false;
    loop {
        line.clear();
        if from.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        n += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if in_copy {
            in_copy = text != b"\\.";
        } else if text.starts_with(b"COPY ") && text.ends_with(b" FROM stdin;") {
            in_copy = true;
        } else if is_dump_restrict(text) {
            dropped.push(n);
            continue;
        }
        to.write_all(&line)?;
    }
    Ok(dropped)
}

/// `\restrict KEY` or `\unrestrict KEY` as pg_dump writes them.
fn is_dump_restrict(text: &[u8]) -> bool {
    let rest = text
        .strip_prefix(b"\\restrict ")
        .or_else(|| text.strip_prefix(b"\\unrestrict "));
    rest.is_some_and(|k| !k.is_empty() && k.iter().all(|b| b.is_ascii_alphanumeric()))
}

/// The line of the file that psql's line `fed` (1-based, our `\restrict`
/// being line 1) came from, given the lines [`feed_restricted`] left out.
pub fn original_line(fed: u64, dropped: &[u64]) -> u64 {
    let mut o = fed.saturating_sub(1);
    for d in dropped {
        if *d <= o {
            o += 1;
        }
    }
    o
}

/// Whether `path` looks like a PostgreSQL custom-format archive.
pub fn is_custom_dump(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut b = [0u8; 5];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut b)?;
    Ok(n == 5 && &b == b"PGDMP")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major("pg_dump (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(parse_major("garbage"), None);
    }

    #[test]
    fn restrict_versions() {
        assert_eq!(
            parse_version("psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some((15, 18))
        );
        assert_eq!(parse_version("psql (PostgreSQL) 18beta1"), Some((18, 0)));
        assert!(knows_restrict((15, 14)));
        assert!(!knows_restrict((15, 13)));
        assert!(!knows_restrict((12, 99)));
        assert!(knows_restrict((18, 0)));
    }

    #[test]
    fn feeding_keeps_copy_data_and_drops_the_dumps_own_restrict() {
        let dump = b"\\restrict abcDEF123\nSET x = 1;\nCOPY t (a) FROM stdin;\n\\restrict zz\n\\.\n\\! id\n\\unrestrict abcDEF123\n";
        let mut out = Vec::new();
        let dropped = feed_restricted(&dump[..], &mut out, "K").unwrap();
        assert_eq!(dropped, vec![1, 7]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\\restrict K\nSET x = 1;\nCOPY t (a) FROM stdin;\n\\restrict zz\n\\.\n\\! id\n"
        );
        // psql's line 6 (`\\! id`) is the file's line 6: our line 1 added,
        // the file's line 1 left out.
        assert_eq!(original_line(6, &dropped), 6);
        assert_eq!(original_line(2, &dropped), 2);
        assert_eq!(original_line(2, &[]), 1);
    }

    #[test]
    fn pass_fields() {
        assert_eq!(pass_field(br"a:b\c"), br"a\:b\\c".to_vec());
    }
}
