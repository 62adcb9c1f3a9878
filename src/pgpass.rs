//! libpq's password file (`~/.pgpass` or `$PGPASSFILE`), with libpq's rules:
//! `host:port:database:user:password` per line, `*` matches anything, `\:` and
//! `\\` escape, first match wins, `localhost` also matches Unix-socket
//! connections, and the file is ignored (with a warning) unless it is private
//! (no group/other permission bits).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

#[derive(Default)]
pub struct PassFile {
    entries: Vec<[String; 5]>,
    /// A warning to show once (e.g. file ignored because of its mode).
    pub warning: Option<String>,
}

impl std::fmt::Debug for PassFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PassFile({} entries)", self.entries.len())
    }
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
        match std::fs::read_to_string(&path) {
            Ok(text) => PassFile::parse(&text),
            Err(e) => PassFile {
                warning: Some(format!("password file {}: {e}; ignored", path.display())),
                ..Default::default()
            },
        }
    }

    pub fn parse(text: &str) -> PassFile {
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields: Vec<String> = Vec::with_capacity(5);
            let mut cur = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            cur.push(n);
                        }
                    }
                    ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            if fields.len() == 5 {
                let arr: [String; 5] = fields.try_into().expect("five fields");
                entries.push(arr);
            }
        }
        PassFile {
            entries,
            warning: None,
        }
    }

    /// The first matching password.
    pub fn lookup(
        &self,
        host: &str,
        is_socket: bool,
        port: u16,
        db: &str,
        user: &str,
    ) -> Option<String> {
        let port = port.to_string();
        self.entries
            .iter()
            .find(|[h, p, d, u, _]| {
                let host_ok = h == "*" || h == host || (is_socket && h == "localhost");
                host_ok
                    && (p == "*" || *p == port)
                    && (d == "*" || d == db)
                    && (u == "*" || u == user)
            })
            .map(|e| e[4].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let f = PassFile::parse(
            "# comment\n\
             db1:5432:acme:odoo:first\n\
             db1:*:*:odoo:second\n\
             localhost:5433:*:*:sock\n\
             we\\:ird:5432:*:*:pa\\:ss\\\\word:x\n",
        );
        assert_eq!(
            f.lookup("db1", false, 5432, "acme", "odoo").as_deref(),
            Some("first")
        );
        assert_eq!(
            f.lookup("db1", false, 5432, "other", "odoo").as_deref(),
            Some("second")
        );
        assert_eq!(f.lookup("db1", false, 5432, "acme", "root"), None);
        assert_eq!(
            f.lookup("/run/pg", true, 5433, "x", "y").as_deref(),
            Some("sock")
        );
        assert_eq!(f.lookup("/run/pg", true, 5432, "x", "y"), None);
        assert_eq!(
            f.lookup("we:ird", false, 5432, "x", "y").as_deref(),
            Some("pa:ss\\word:x")
        );
    }
}
