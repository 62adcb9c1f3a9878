//! The layers of tenantctl, checked: each module may use only modules below
//! it in [`LAYERS`], so the house drawn from the imports has no circle and
//! no arrow running back up. A new top-level module must be placed here.

/// Top to bottom. A module may name (`crate::x`) the modules after it.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const LAYERS: &[&str] = &[
    "cli",          // clap, completion protocol, man pages
    "commands",     // one file per command
    "ops",          // the one write pipeline: runner, plans, journal, audit writer, prompt, --from
    "config",       // the plain typed configuration made from the command line
    "targetfile",   // the --from file format
    "output",       // printer, tables, JSON (never used by odoo or transport)
    "targets",      // which nodes and databases
    "odoo",         // all Odoo knowledge and every SQL statement; versions.rs: the quirks
    "transport",    // direct, TLS, SSH, PgBouncer startup; host/: filestore, pg_dump/psql
    "inventory",    // nodes.toml
    "pgpass",       // the libpq pass file
    "audit",        // the audit log's file format
    "tenant_cache", // the completion cache
    "interrupt",    // Ctrl-C
    "private",      // private local state (0700 directories, 0600 files)
    "model",        // plain types shared by the inventory and the layers below it
    "text",         // escaping and measuring text
    "error",        // the error type and its exit codes
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::path::Path;

    /// Code of a file without comments, string literals and its unit tests.
    fn code(src: &str) -> String {
        let src = match src.find("#[cfg(test)]\nmod tests") {
            Some(i) => &src[..i],
            None => src,
        };
        let mut out = String::new();
        let mut chars = src.chars().peekable();
        let (mut in_str, mut in_line_comment) = (false, false);
        while let Some(c) = chars.next() {
            if in_line_comment {
                if c == '\n' {
                    in_line_comment = false;
                    out.push('\n');
                }
                continue;
            }
            if in_str {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => in_line_comment = true,
                '"' => in_str = true,
                _ => out.push(c),
            }
        }
        out
    }

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn modules_use_only_the_layers_below_them() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
        let mut all = Vec::new();
        files(&src, &mut all);
        let mut wrong = Vec::new();
        for f in all {
            let rel = f.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = top.trim_end_matches(".rs").to_string();
            if matches!(top.as_str(), "lib" | "main" | "layering") {
                continue;
            }
            let Some(mine) = rank(&top) else {
                wrong.push(format!("{}: module {top} is not in LAYERS", rel.display()));
                continue;
            };
            let text = code(&std::fs::read_to_string(&f).unwrap());
            for (i, _) in text.match_indices("crate::") {
                let name: String = text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                match rank(&name) {
                    Some(r) if r < mine => wrong.push(format!(
                        "{}: {top} uses crate::{name}, a layer above it",
                        rel.display()
                    )),
                    Some(_) => {}
                    None if name.is_empty() => wrong.push(format!(
                        "{}: write crate::module::item paths (a crate::{{...}} group is not checked)",
                        rel.display()
                    )),
                    None => wrong.push(format!(
                        "{}: crate::{name} is not a module in LAYERS",
                        rel.display()
                    )),
                }
            }
        }
        wrong.sort();
        wrong.dedup();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
