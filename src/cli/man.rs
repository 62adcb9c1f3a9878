//! The man pages (roff): clap_mangen's sections of every command, with the
//! NOTES and EXAMPLES of its `--help` and the FILES and ENVIRONMENT that
//! every page shares.

use std::path::PathBuf;

use super::Cli;
/// The FILES and ENVIRONMENT sections of every man page (roff).
const MAN_FILES_ENV: &str = r#".SH FILES
.TP
\fI./nodes.toml\fR, \fI$XDG_CONFIG_HOME/tenantctl/nodes.toml\fR (default \fI~/.config/tenantctl/nodes.toml\fR)
The node inventory, searched in this order when neither \fB\-\-inventory\fR nor \fBTENANTCTL_INVENTORY\fR names one. It must not be readable by others when it holds a password.
.TP
\fI$XDG_STATE_HOME/tenantctl/audit.jsonl\fR (default \fI~/.local/state/tenantctl/audit.jsonl\fR)
The audit log: one JSON line per change, refusal or failure of a write (mode 0600, directory 0700). Elsewhere with \fB\-\-audit\-log\fR or the inventory's \fBaudit_log\fR. Read it with \fBtenantctl log\fR.
.TP
\fI~/.pgpass\fR
libpq's password file (or \fBPGPASSFILE\fR), used for nodes without \fBpassword\fR or a set \fBpassword_env\fR variable; ignored unless mode 0600 or stricter.
.TP
\fI~/.ssh/known_hosts\fR
The SSH host keys checked for nodes reached through SSH (or the node's \fBknown_hosts_file\fR).
.SH ENVIRONMENT
.TP
\fBTENANTCTL_INVENTORY\fR
The inventory file, when \fB\-\-inventory\fR is not given.
.TP
the variable named by a node's \fBpassword_env\fR
That node's PostgreSQL password; when it is not set, the node connects as libpq does without a password (\fBPGPASSWORD\fR, else the pass file), with a warning.
.TP
\fBPGPASSWORD\fR, \fBPGPASSFILE\fR
As in libpq: the password when no other source gives one; the password file.
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_STATE_HOME\fR, \fBHOME\fR
Where the inventory is searched and the audit log written.
.TP
\fBNO_COLOR\fR
When set and not empty, no colour (unless \fB\-\-color always\fR).
.TP
\fBCOLUMNS\fR
The terminal width tables fit (default: the terminal's own).
.TP
\fBSUDO_UID\fR
Behind sudo, the audit log names the user who ran sudo.
"#;

/// A command's `after_help` split into its prose and the example lines
/// under its `Examples:` line (their common indentation removed).
pub(crate) fn split_examples(after_help: &str) -> (&str, Vec<&str>) {
    let Some(at) = after_help
        .match_indices("Examples:")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || after_help[..i].ends_with('\n'))
    else {
        return (after_help.trim(), Vec::new());
    };
    let lines: Vec<&str> = after_help[at + "Examples:".len()..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let examples = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>();
    (after_help[..at].trim(), examples)
}

/// `text` as roff words: backslashes, hyphens and quotes escaped, and a
/// line that would start with a control character made plain.
fn roff_escape(text: &str) -> String {
    let mut out = String::new();
    if text.starts_with('.') || text.starts_with('\'') {
        out.push_str("\\&");
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            c => out.push(c),
        }
    }
    out
}

/// The prose of a command's `after_help` as a NOTES section, one filled
/// paragraph per blank-line-separated block.
fn roff_notes(notes: &str) -> String {
    if notes.is_empty() {
        return String::new();
    }
    let mut out = String::from(".SH NOTES\n");
    for (i, para) in notes.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str(".PP\n");
        }
        for line in para.lines() {
            out.push_str(&roff_escape(line.trim()));
            out.push('\n');
        }
    }
    out
}

/// The examples of `--help` as an EXAMPLES section, line for line as they
/// are typed (not filled), indented less than the other sections so that
/// lines that fit `--help` at 80 columns fit `man` at 80 columns too.
fn roff_examples(examples: &[&str]) -> String {
    if examples.is_empty() {
        return String::new();
    }
    let mut out = String::from(".SH EXAMPLES\n.nf\n.in 2n\n");
    for line in examples {
        out.push_str(&roff_escape(line));
        out.push('\n');
    }
    out.push_str(".in\n.fi\n");
    out
}

/// Every man page as (file name, roff): tenantctl.1 first, then one per
/// command (tenantctl-list.1, tenantctl-bulk-suspend.1, ...), each with the
/// NOTES (the prose of `--help`), FILES, ENVIRONMENT and EXAMPLES (the
/// examples of `--help`) sections.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut buf = Vec::new();
        man.render_title(&mut buf)?;
        man.render_name_section(&mut buf)?;
        man.render_synopsis_section(&mut buf)?;
        man.render_description_section(&mut buf)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut buf)?;
        }
        if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(&mut buf)?;
        }
        let after = cmd
            .get_after_long_help()
            .or(cmd.get_after_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let (notes, examples) = split_examples(&after);
        buf.extend_from_slice(roff_notes(notes).as_bytes());
        buf.extend_from_slice(MAN_FILES_ENV.as_bytes());
        buf.extend_from_slice(roff_examples(&examples).as_bytes());
        man.render_version_section(&mut buf)?;
        pages.push((man.get_filename(), buf));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages)?;
        }
        Ok(())
    }
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    walk(&cmd, &mut pages)?;
    Ok(pages)
}

/// The man page of `page` (`list`, `bulk-suspend`; None: tenantctl(1)).
pub fn man(page: Option<&str>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let pages = man_pages()?;
    let want = match page {
        None => "tenantctl.1".to_string(),
        Some(p) => format!("tenantctl-{}.1", p.replace(' ', "-")),
    };
    match pages.iter().find(|(name, _)| *name == want) {
        Some((_, roff)) => out.write_all(roff),
        None => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "no page {:?}; pages: {}",
                page.unwrap_or_default(),
                pages
                    .iter()
                    .filter_map(|(n, _)| n.strip_prefix("tenantctl-")?.strip_suffix(".1"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Writes every page into `dir`; returns their paths.
pub fn man_to_dir(dir: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, roff) in man_pages()? {
        let path = dir.join(name);
        std::fs::write(&path, roff)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}
