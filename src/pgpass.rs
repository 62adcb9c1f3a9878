//! libpq's password file (`~/.pgpass` or `$PGPASSFILE`), read exactly as libpq
//! reads it (fe-connect.c `passwordFromFile` / `pwdfMatchesString`):
//!
//! - one entry per line, `host:port:database:user:password`; lines starting
//!   with `#` and empty lines are skipped; a trailing `\r\n` is stripped;
//! - a field ends at an unescaped `:`; `\` escapes the next character (`\:`,
//!   `\\`); the password also ends at an unescaped `:` (anything after it is
//!   ignored), and a `\` at the very end of the line is kept;
//! - a field that is exactly an unescaped `*` matches anything (`\*` is a
//!   literal star);
//! - a line with fewer than four unescaped `:` matches nothing;
//! - first match wins;
//! - the host compared is the connection's `host` as given; a Unix-socket
//!   directory equal to the compiled-in default socket directory
//!   ([`DEFAULT_SOCKET_DIR`], Debian's `/var/run/postgresql`) is looked up as
//!   `localhost`; any other socket directory is looked up by its path;
//! - the file is ignored (with a warning) unless it is a plain file without
//!   group or other permission bits.
//!
//! Lines are compared as bytes, as libpq does; a file that is not UTF-8 still
//! works.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// libpq's `DEFAULT_PGSOCKET_DIR` on Debian/Ubuntu builds (`pg_config
/// --configure` shows `--with-socket-path=/var/run/postgresql`). libpq
/// compares the path as text (no canonicalisation): `/run/postgresql` is not it.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// One field of the first four: its de-escaped bytes, or a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Any,
    Exact(Vec<u8>),
}

impl Field {
    fn matches(&self, v: &[u8]) -> bool {
        match self {
            Field::Any => true,
            Field::Exact(f) => f == v,
        }
    }
}

#[derive(Clone)]
struct Entry {
    keys: [Field; 4],
    password: Vec<u8>,
}

#[derive(Default)]
pub struct PassFile {
    entries: Vec<Entry>,
    /// A warning to show once (e.g. file ignored because of its mode).
    pub warning: Option<String>,
}

impl std::fmt::Debug for PassFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PassFile({} entries)", self.entries.len())
    }
}

/// Splits one line the way `pwdfMatchesString` walks it: the first four
/// fields up to unescaped `:`, then the password up to the next unescaped `:`
/// or the end. `None` when the line has fewer than four unescaped `:`.
fn parse_line(line: &[u8]) -> Option<Entry> {
    let mut keys: Vec<Field> = Vec::with_capacity(4);
    let mut i = 0;
    while keys.len() < 4 {
        // libpq: `*` immediately followed by `:` is the wildcard.
        if line.get(i) == Some(&b'*') && line.get(i + 1) == Some(&b':') {
            keys.push(Field::Any);
            i += 2;
            continue;
        }
        let mut cur = Vec::new();
        loop {
            match line.get(i) {
                // End of line before the field's `:`: no match possible.
                None => return None,
                Some(b'\\') => {
                    // An escaped character, whatever it is. A `\` at the
                    // very end leaves nothing to escape: no `:` follows.
                    cur.push(*line.get(i + 1)?);
                    i += 2;
                }
                Some(b':') => {
                    i += 1;
                    break;
                }
                Some(&c) => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        keys.push(Field::Exact(cur));
    }
    // The password: de-escaped up to an unescaped `:` or the end; a lone `\`
    // at the end is kept (libpq: `if (*p1 == '\\' && p1[1] != '\0') ++p1`).
    let mut password = Vec::new();
    while let Some(&c) = line.get(i) {
        match c {
            b':' => break,
            b'\\' if i + 1 < line.len() => {
                password.push(line[i + 1]);
                i += 2;
            }
            _ => {
                password.push(c);
                i += 1;
            }
        }
    }
    let keys: [Field; 4] = keys.try_into().ok()?;
    Some(Entry { keys, password })
}

impl PassFile {
    /// `$PGPASSFILE`, else `~/.pgpass` (None without `$HOME`).
    pub fn path() -> Option<PathBuf> {
        match std::env::var_os("PGPASSFILE").filter(|v| !v.is_empty()) {
            Some(p) => Some(PathBuf::from(p)),
            None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")),
        }
    }

    /// Loads `$PGPASSFILE`, else `~/.pgpass`. A missing file is an empty one.
    pub fn load() -> PassFile {
        let Some(path) = PassFile::path() else {
            return PassFile::default();
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(_) => return PassFile::default(),
        };
        if !meta.is_file() {
            return PassFile {
                warning: Some(format!(
                    "password file {} is not a plain file; ignored",
                    path.display()
                )),
                ..Default::default()
            };
        }
        if meta.permissions().mode() & 0o077 != 0 {
            return PassFile {
                warning: Some(format!(
                    "password file {} has group or world access; permissions should be u=rw (0600) or less; ignored",
                    path.display()
                )),
                ..Default::default()
            };
        }
        match std::fs::read(&path) {
            Ok(bytes) => PassFile::parse_bytes(&bytes),
            Err(e) => PassFile {
                warning: Some(format!("password file {}: {e}; ignored", path.display())),
                ..Default::default()
            },
        }
    }

    pub fn parse(text: &str) -> PassFile {
        PassFile::parse_bytes(text.as_bytes())
    }

    pub fn parse_bytes(bytes: &[u8]) -> PassFile {
        let mut entries = Vec::new();
        for line in bytes.split(|&b| b == b'\n') {
            // libpq: comments are lines whose first byte is '#'; then
            // pg_strip_crlf removes trailing CR/LF; empty lines are skipped.
            if line.first() == Some(&b'#') {
                continue;
            }
            let mut line = line;
            while let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if line.is_empty() {
                continue;
            }
            if let Some(e) = parse_line(line) {
                entries.push(e);
            }
        }
        PassFile {
            entries,
            warning: None,
        }
    }

    /// The host name libpq looks up for a connection: the TCP host as given;
    /// for a Unix socket, `localhost` when it is the default socket directory,
    /// else the directory's path.
    pub fn lookup_host(host: &str, is_socket: bool) -> &str {
        if host.is_empty() || (is_socket && host == DEFAULT_SOCKET_DIR) {
            "localhost"
        } else {
            host
        }
    }

    /// The first matching password. libpq looks nothing up without a
    /// database or user name.
    pub fn lookup(
        &self,
        host: &str,
        is_socket: bool,
        port: u16,
        db: &str,
        user: &str,
    ) -> Option<Vec<u8>> {
        if db.is_empty() || user.is_empty() {
            return None;
        }
        let host = PassFile::lookup_host(host, is_socket);
        let port = port.to_string();
        let want = [
            host.as_bytes(),
            port.as_bytes(),
            db.as_bytes(),
            user.as_bytes(),
        ];
        self.entries
            .iter()
            .find(|e| e.keys.iter().zip(want).all(|(k, v)| k.matches(v)))
            .map(|e| e.password.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(f: &PassFile, host: &str, sock: bool, port: u16, db: &str, user: &str) -> Option<String> {
        f.lookup(host, sock, port, db, user)
            .map(|p| String::from_utf8(p).unwrap())
    }

    #[test]
    fn rules() {
        let f = PassFile::parse(
            "# comment\n\
             db1:5432:acme:odoo:first\n\
             db1:*:*:odoo:second\n\
             localhost:5433:*:*:sock\n\
             /tmp/pg:5433:*:*:tmpsock\n\
             we\\:ird:5432:*:*:pa\\:ss\\\\word:x\n",
        );
        assert_eq!(
            pw(&f, "db1", false, 5432, "acme", "odoo").as_deref(),
            Some("first")
        );
        assert_eq!(
            pw(&f, "db1", false, 5432, "other", "odoo").as_deref(),
            Some("second")
        );
        assert_eq!(pw(&f, "db1", false, 5432, "acme", "root"), None);
        // `localhost` matches the default socket directory only (and TCP localhost).
        assert_eq!(
            pw(&f, "/var/run/postgresql", true, 5433, "x", "y").as_deref(),
            Some("sock")
        );
        assert_eq!(
            pw(&f, "localhost", false, 5433, "x", "y").as_deref(),
            Some("sock")
        );
        assert_eq!(pw(&f, "/run/pg", true, 5433, "x", "y"), None);
        assert_eq!(
            pw(&f, "/tmp/pg", true, 5433, "x", "y").as_deref(),
            Some("tmpsock")
        );
        // The password ends at the first unescaped ':' (libpq); escapes kept out.
        assert_eq!(
            pw(&f, "we:ird", false, 5432, "x", "y").as_deref(),
            Some("pa:ss\\word")
        );
    }

    #[test]
    fn password_ends_at_unescaped_colon() {
        let f = PassFile::parse("h:5432:db:u:pw:x\n");
        assert_eq!(pw(&f, "h", false, 5432, "db", "u").as_deref(), Some("pw"));
    }

    #[test]
    fn libpq_edge_cases() {
        let f = PassFile::parse(
            "h:5432:db:u\n\
             \\*:5432:db:u:literal-star\n\
             *:5432:db:u:any\n",
        );
        // Four fields and no password field: no match; `\*` is a literal star.
        assert_eq!(
            pw(&f, "*", false, 5432, "db", "u").as_deref(),
            Some("literal-star")
        );
        assert_eq!(pw(&f, "h", false, 5432, "db", "u").as_deref(), Some("any"));
        // A star that is not the whole field is literal.
        let f = PassFile::parse("h*:5432:db:u:x\n");
        assert_eq!(pw(&f, "h", false, 5432, "db", "u"), None);
        assert_eq!(pw(&f, "h*", false, 5432, "db", "u").as_deref(), Some("x"));
        // Empty password, trailing backslash kept, CRLF stripped.
        let f = PassFile::parse("h:1:d:u:\r\nh:2:d:u:ab\\\r\n");
        assert_eq!(pw(&f, "h", false, 1, "d", "u").as_deref(), Some(""));
        assert_eq!(pw(&f, "h", false, 2, "d", "u").as_deref(), Some("ab\\"));
        // No lookup without db or user.
        let f = PassFile::parse("*:*:*:*:x\n");
        assert_eq!(pw(&f, "h", false, 1, "", "u"), None);
        // Not UTF-8: compared as bytes.
        let f = PassFile::parse_bytes(b"h:1:d\xff:u:x\n");
        assert_eq!(f.lookup("h", false, 1, "d", "u"), None);
        assert_eq!(f.entries.len(), 1);
    }
}
