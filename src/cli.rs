//! Command-line interface (clap). Nothing outside this file sees clap types:
//! [`Cli::into_config`] turns them into plain configuration for the core.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Config, Global};

const AFTER_HELP: &str = "\
Inventory: --inventory, $TENANTCTL_INVENTORY, ./nodes.toml, $XDG_CONFIG_HOME/tenantctl/nodes.toml.
Exit codes: 0 ok, 1 failed, 2 usage/config/input error (nothing changed), 3 partial, 130 interrupted.";

/// Operate the tenants (Odoo databases) of a multi-tenant Odoo SaaS across PostgreSQL nodes.
#[derive(Debug, Parser)]
#[command(name = "tenantctl", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Node inventory (TOML)
    #[arg(short = 'i', long, global = true, value_name = "PATH")]
    pub inventory: Option<PathBuf>,
    /// Only these nodes (repeatable)
    #[arg(long = "node", global = true, value_name = "NAME")]
    pub nodes: Vec<String>,
    /// Only nodes with this label (repeatable; all must match)
    #[arg(long = "label", global = true, value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Output format (wide: a table with every column, nothing truncated)
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputArg::Table)]
    pub output: OutputArg,
    /// Tables and CSV without their header line
    #[arg(long, global = true)]
    pub no_headers: bool,
    /// Most PostgreSQL connections open at once, over all nodes
    #[arg(long, global = true, default_value_t = 64, value_name = "N", value_parser = parse_concurrency)]
    pub concurrency: usize,
    /// Colour: auto (terminal and no NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// More detail on stderr (which node, how reached)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Audit log file (default $XDG_STATE_HOME/tenantctl/audit.jsonl)
    #[arg(long, global = true, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Write even when the tenant put triggers, rules or its own functions on
    /// the tables tenantctl writes (they run with tenantctl's privileges)
    #[arg(long, global = true)]
    pub allow_triggers: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputArg {
    Table,
    Wide,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the tenants of every node with their status
    #[command(after_help = "Examples:
  tenantctl list
  tenantctl list --status suspended -o json
  tenantctl --node pg2 list --match 'acme*' --sort size")]
    List(ListArgs),
    /// Change a tenant user's password (default: the admin user, base.user_admin)
    #[command(
        after_help = "The new password comes from a no-echo prompt (asked twice) on a terminal,
from --password-stdin, or from --generate. It is never taken from the command line.
Hashes are passlib pbkdf2_sha512 as stock Odoo verifies them; argon2id only when the
inventory says password_scheme = \"argon2id\" (stock Odoo CANNOT verify argon2).

Examples:
  tenantctl passwd acme
  printf '%s\\n' \"$NEWPASS\" | \\
      tenantctl passwd pg1/acme --login ops@acme.example --password-stdin
  tenantctl passwd acme --generate --length 24"
    )]
    Passwd(PasswdArgs),
    /// Suspend a tenant (e.g. for non-payment): switch off its active users, recording who they were
    #[command(after_help = "Examples:
  tenantctl suspend acme --reason 'invoice 2026-0042 unpaid'
  tenantctl suspend pg2/acme --reason 'non-payment' --yes
  tenantctl suspend acme --reason 'non-payment' --dry-run")]
    Suspend(SuspendArgs),
    /// Reactivate a suspended tenant: switch on exactly the users recorded at suspension
    #[command(after_help = "Examples:
  tenantctl reactivate acme
  tenantctl reactivate pg2/acme --yes -o json
  # suspended by the old agent (no record of its users):
  tenantctl reactivate oldtenant --restore-users all-internal")]
    Reactivate(ReactivateArgs),
    /// Everything about one tenant: node, version, size, suspension, users
    #[command(
        after_help = "-o csv prints the users only, one per line (id,login,name,type,admin,active,two_factor,last_login,builtin).

Examples:
  tenantctl show acme
  tenantctl show pg2/acme -o json | \\
      jq '.users[] | select(.active and .type == \"internal\")'"
    )]
    Show {
        /// TENANT or NODE/TENANT
        tenant: String,
    },
    /// The same over many tenants, for scripts and cron (suspend, reactivate, passwd)
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// Check every node: reachable, authenticated, version, latency, tenants, privileges
    #[command(
        after_help = "Changes nothing: privileges are checked with has_*_privilege and statements
that match no row inside a rolled-back transaction. Also reports what killed lifecycle runs
left on a node: staging databases (NAME.creating-<hex>) whose run is gone, and filestore
steps that the next lifecycle command on the node finishes.
Exit 0 when every node is fine, 3 when some are not, 1 when none is.

Examples:
  tenantctl check
  tenantctl check -q || exit 1        # CI smoke check: one line per problem
  tenantctl --label env=prod check -o json"
    )]
    Check,
    /// Read the audit log: who changed which tenant, when, with what outcome
    #[command(
        after_help = "Reads the local audit log only (--audit-log, the inventory's audit_log, else
$XDG_STATE_HOME/tenantctl/audit.jsonl); no node is contacted. --node filters by node.

Examples:
  tenantctl log --tenant acme
  tenantctl log --since 7d --action suspend
  tenantctl --node pg2 log --since 2026-11-01T00:00:00Z -o json | \\
      jq '.entries[] | select(.outcome != \"changed\")'"
    )]
    Log(LogArgs),
    /// The resolved inventory: where it came from, how each node is reached, where its password comes from
    #[command(
        after_help = "Contacts no node and never prints a password, only where it comes from.

Examples:
  tenantctl nodes
  tenantctl nodes -o json | \\
      jq '.nodes[] | select(.route.kind == \"ssh\") | .name'"
    )]
    Nodes,
    /// Create a tenant from a template database (Odoo's duplicate, plus a new identity)
    #[command(after_help = "Examples:
  tenantctl create pg1/acme --from tmpl16 --admin-login admin@acme.example \\
      --company 'ACME Ltd' --generate --yes
  printf '%s\\n' \"$PW\" | \\
      tenantctl create pg1/acme --password-stdin --yes -o json
  tenantctl create pg1/acme --from tmpl16 --generate --dry-run")]
    Create(CreateArgs),
    /// Copy a tenant on its node (e.g. a staging copy), optionally neutralized
    #[command(after_help = "Examples:
  tenantctl duplicate acme acme-staging --neutralize --force --yes")]
    Duplicate(DuplicateArgs),
    /// Rename a tenant: its database, its filestore, its web.base.url
    #[command(after_help = "Examples:
  tenantctl rename acme acme-corp --yes")]
    Rename(RenameArgs),
    /// Soft-drop a (suspended) tenant: blocked, renamed NAME.dropped-<UTC time>, kept until purged
    #[command(after_help = "Examples:
  tenantctl drop acme --yes
  tenantctl list --dropped")]
    Drop(DropArgs),
    /// Restore a soft-dropped tenant under its name
    Undrop(UndropArgs),
    /// Delete a soft-dropped tenant for good (database and filestore) after drop_retention
    #[command(
        after_help = "On a terminal you type the tenant's name; without one, pass --yes.
Examples:
  tenantctl purge acme
  tenantctl purge pg1/acme --now --yes"
    )]
    Purge(PurgeArgs),
    /// Back a tenant up in Odoo's format (zip: dump.sql, filestore/, manifest.json) or as a pg_dump archive
    #[command(
        after_help = "Runs the system pg_dump (its major version must be >= the server's).
Examples:
  tenantctl backup acme --dir /backups
  tenantctl backup pg1/acme -f acme.dump --format dump"
    )]
    Backup(BackupArgs),
    /// Restore a backup (tenantctl's or Odoo's zip, or a pg_dump archive) as a new database
    #[command(
        after_help = "--copy (default) gives the restored tenant a new database.uuid/secret/create_date;
--move keeps them (the same tenant, moved). Never overwrites an existing database.
Examples:
  tenantctl restore pg2/acme acme_20261201T020000Z.zip --move --yes
  tenantctl restore pg1/acme-test acme.zip --dry-run"
    )]
    Restore(RestoreArgs),
    /// Move a (suspended) tenant to another node: backup, restore as --move, verify, soft-drop the source
    #[command(after_help = "Examples:
  tenantctl move acme pg2 --dry-run
  tenantctl move acme pg2 --yes")]
    Move(MoveArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    #[command(after_help = "Examples:
  tenantctl completions bash > /etc/bash_completion.d/tenantctl
  tenantctl completions zsh > \"${fpath[1]}/_tenantctl\"
  tenantctl completions fish > ~/.config/fish/completions/tenantctl.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), or write one page per command into a directory
    #[command(after_help = "Examples:
  tenantctl man > /usr/local/share/man/man1/tenantctl.1
  tenantctl man bulk-suspend | man -l -
  # tenantctl.1, tenantctl-list.1, ...:
  sudo tenantctl man --dir /usr/local/share/man/man1")]
    Man {
        /// The page of this command (list, bulk-suspend, ...); default: tenantctl(1)
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        page: Option<String>,
        /// Write every page (tenantctl.1, tenantctl-list.1, ...) into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// What the last of `words` (the words after `tenantctl`, the last one
/// being completed) is, from the command's own definition: the value of
/// `--node` or `--tenant`, or a positional argument named `tenant`
/// (TENANT or NODE/TENANT), `node` (a node) or `target` (NODE/NAME of a new
/// database). `None`: nothing dynamic to offer (an option, a subcommand,
/// another value), the static completion applies.
pub fn completion_request(words: &[String]) -> Option<crate::complete::Request> {
    use crate::complete::{Kind, Request};
    let (current, before) = words.split_last()?;
    let mut root = <Cli as clap::CommandFactory>::command();
    root.build();
    let mut cmd = &root;
    let mut positional = 0usize;
    let mut value_for: Option<String> = None;
    let mut inventory: Option<PathBuf> = None;
    let mut only_positionals = false;
    let takes_value = |a: &clap::Arg| a.get_action().takes_values();
    for w in before {
        if let Some(id) = value_for.take() {
            // bash splits `--node=pg` at `=` (COMP_WORDBREAKS): `--node`, `=`, `pg`.
            if w == "=" {
                value_for = Some(id);
                continue;
            }
            if id == "inventory" {
                inventory = Some(PathBuf::from(w));
            }
            continue;
        }
        if !only_positionals && w == "--" {
            only_positionals = true;
            continue;
        }
        if !only_positionals && w.starts_with("--") {
            let (name, inline) = match w[2..].split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (&w[2..], None),
            };
            if let Some(a) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) {
                match inline {
                    Some(v) if a.get_id() == "inventory" => inventory = Some(PathBuf::from(v)),
                    None if takes_value(a) => value_for = Some(a.get_id().to_string()),
                    _ => {}
                }
            }
            continue;
        }
        if !only_positionals && w.len() > 1 && w.starts_with('-') {
            // A cluster of short flags; the first one that takes a value
            // takes the rest of the word, or the next word.
            for (i, c) in w[1..].char_indices() {
                if let Some(a) = cmd.get_arguments().find(|a| a.get_short() == Some(c)) {
                    if takes_value(a) {
                        let rest = &w[1 + i + c.len_utf8()..];
                        if rest.is_empty() {
                            value_for = Some(a.get_id().to_string());
                        } else if a.get_id() == "inventory" {
                            inventory = Some(PathBuf::from(rest));
                        }
                        break;
                    }
                }
            }
            continue;
        }
        if positional == 0 && !only_positionals {
            if let Some(sub) = cmd.find_subcommand(w) {
                cmd = sub;
                continue;
            }
        }
        positional += 1;
    }
    let kind_of = |id: &str| match id {
        "nodes" | "node" => Some(Kind::Node),
        "tenant" => Some(Kind::Tenant),
        "target" => Some(Kind::NodePrefix),
        _ => None,
    };
    let kind = match value_for {
        Some(id) => kind_of(&id)?,
        None if current.starts_with('-') && !only_positionals => return None,
        None => {
            if cmd.has_subcommands() {
                return None;
            }
            let arg = cmd.get_positionals().nth(positional)?;
            kind_of(arg.get_id().as_str())?
        }
    };
    Some(Request {
        kind,
        current: current.clone(),
        inventory,
    })
}

/// The shell functions that ask `tenantctl __complete` for node names,
/// tenant names and `NODE/` prefixes, put around clap's static script: the
/// dynamic answer wins when there is one, else clap's completion runs.
/// Candidates are plain names only ([`crate::complete::is_plain`]), so
/// nothing in them is shell syntax.
fn dynamic_glue(shell: clap_complete::Shell, script: String) -> String {
    use clap_complete::Shell;
    match shell {
        Shell::Bash => {
            let register = script
                .rfind("\nif [[ \"${BASH_VERSINFO[0]}\"")
                .unwrap_or(script.len());
            let (body, tail) = script.split_at(register);
            format!(
                "{body}
# Node names, tenant names and NODE/ prefixes from `tenantctl __complete`
# (the inventory and the cache `tenantctl list` writes; no network).
_tenantctl_dynamic() {{
    local -a dyn=()
    local line
    while IFS= read -r line; do
        dyn+=( \"$line\" )
    done < <(\"${{COMP_WORDS[0]}}\" __complete -- \"${{COMP_WORDS[@]:1:COMP_CWORD}}\" 2>/dev/null)
    if [[ ${{#dyn[@]}} -gt 0 ]]; then
        COMPREPLY=( \"${{dyn[@]}}\" )
        if [[ ${{#dyn[@]}} -eq 1 && ${{dyn[0]}} == */ ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi
    _tenantctl \"$@\"
}}
{}",
                tail.replace("complete -F _tenantctl ", "complete -F _tenantctl_dynamic ")
            )
        }
        Shell::Zsh => {
            let script = script.replacen("\n_tenantctl() {\n", "\n_tenantctl_static() {\n", 1);
            let register = script
                .rfind("\nif [ \"$funcstack[1]\" = \"_tenantctl\" ]")
                .unwrap_or(script.len());
            let (body, tail) = script.split_at(register);
            format!(
                "{body}
# Node names, tenant names and NODE/ prefixes from `tenantctl __complete`
# (the inventory and the cache `tenantctl list` writes; no network); else
# clap's completion above.
_tenantctl() {{
    local -a dyn slash plain
    dyn=(${{(f)\"$(${{words[1]}} __complete -- \"${{(@)words[2,CURRENT]}}\" 2>/dev/null)\"}})
    if (( ${{#dyn}} )); then
        slash=(${{(M)dyn:#*/}})
        plain=(${{dyn:#*/}})
        (( ${{#plain}} )) && compadd -- \"${{plain[@]}}\"
        (( ${{#slash}} )) && compadd -S '' -- \"${{slash[@]}}\"
        return 0
    fi
    _tenantctl_static \"$@\"
}}
{tail}"
            )
        }
        Shell::Fish => format!(
            "{script}
# Node names, tenant names and NODE/ prefixes from `tenantctl __complete`
# (the inventory and the cache `tenantctl list` writes; no network).
function __fish_tenantctl_dynamic
    set -l tokens (commandline -opc) (commandline -ct)
    command $tokens[1] __complete -- $tokens[2..-1] 2>/dev/null
end
complete -c tenantctl -f -a '(__fish_tenantctl_dynamic)'
complete -c tenantctl -l node -r -f -a '(__fish_tenantctl_dynamic)'
complete -c tenantctl -n '__fish_tenantctl_using_subcommand log' -l tenant -r -f -a '(__fish_tenantctl_dynamic)'
"
        ),
        _ => script,
    }
}

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tenantctl", &mut buf);
    let script = dynamic_glue(shell, String::from_utf8_lossy(&buf).into_owned());
    let _ = out.write_all(script.as_bytes());
}

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

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Suspend many tenants
    #[command(after_help = "Examples:
  tenantctl bulk suspend --from overdue.csv --reason 'non-payment' --yes
  tenantctl bulk suspend --from billing-export.csv --header --column tenant \\
      --reason-column note --yes -o json
  tenantctl bulk suspend --from export.csv --header --column database \\
      --reason-column note --reason unpaid --failed-to retry.csv
  tenantctl --node pg3 bulk suspend --all-matching --match 'trial-*' \\
      --reason 'trial ended' --dry-run")]
    Suspend(BulkSuspendArgs),
    /// Reactivate many tenants
    #[command(after_help = "Examples:
  tenantctl bulk reactivate --from paid-today.txt --yes
  tenantctl bulk reactivate --all-matching --status suspended \\
      --match 'acme-*' --dry-run")]
    Reactivate(BulkReactivateArgs),
    /// Set generated admin passwords on many tenants, written to a private CSV file
    #[command(after_help = "Examples:
  tenantctl bulk passwd --from rotate.txt \\
      --secrets-file ~/rotation-2026-11.csv --failed-to retry.csv --yes
  # only those not done:
  tenantctl bulk passwd --from retry.csv \\
      --secrets-file ~/rotation-2026-11b.csv --yes")]
    Passwd(BulkPasswdArgs),
    /// Create many tenants from a CSV file: name[,admin_login[,company]] (NODE/NAME or NAME)
    #[command(after_help = "Examples:
  tenantctl bulk create --from new-customers.csv --template tmpl16 \\
      --secrets-file ~/new-2026-12.csv --yes")]
    Create(BulkCreateArgs),
    /// Soft-drop many (suspended) tenants: one TENANT or NODE/TENANT per line
    #[command(after_help = "Examples:
  tenantctl bulk drop --from closed-accounts.txt --yes")]
    Drop(BulkDropArgs),
    /// Back up every tenant of the selected nodes (nightly): one file per tenant in DIR
    #[command(after_help = "Examples:
  tenantctl bulk backup --all-matching --dir /backups --keep 7
  tenantctl --node pg1 bulk backup --all-matching --match 'acme-*' \\
      --dir /backups --format dump")]
    Backup(BulkBackupArgs),
    /// Purge many dropped tenants (after drop_retention unless --now)
    #[command(
        after_help = "On a terminal you type the number of tenants; without one, pass --yes.
Examples:
  tenantctl --no-headers list --dropped -o csv | cut -d, -f1,2 | tr , / | \\
      tenantctl bulk purge --from - --yes"
    )]
    Purge(BulkPurgeArgs),
}

#[derive(Debug, Args)]
pub struct BulkDropArgs {
    /// One TENANT or NODE/TENANT per line ('-' = stdin); # comments
    #[arg(long, value_name = "FILE", required = true)]
    pub from: PathBuf,
    /// Drop tenants that are not suspended
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct BulkPurgeArgs {
    /// One dropped tenant (name or dropped name, NODE/ allowed) per line ('-' = stdin)
    #[arg(long, value_name = "FILE", required = true)]
    pub from: PathBuf,
    /// Do not wait for the nodes' drop_retention
    #[arg(long)]
    pub now: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

/// Flags of every lifecycle command.
#[derive(Debug, Args)]
pub struct LifecycleFlags {
    /// Leave filestores alone (no `filestore` setting needed)
    #[arg(long)]
    pub no_filestore: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Check everything and show the plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// NODE/NAME (NAME alone when one node is selected)
    pub target: String,
    /// Template database on the same node (default: the node's `template`)
    #[arg(long, value_name = "TEMPLATE")]
    pub from: Option<String>,
    /// web.base.url (default: the node's base_url pattern)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// New login of the admin user (default: the template's)
    #[arg(long, value_name = "LOGIN")]
    pub admin_login: Option<String>,
    /// Company name (the main company and its partner)
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
    /// Read the admin password from the first line of stdin
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate the admin password and print it once on stdout
    #[arg(long)]
    pub generate: bool,
    /// Length of a generated password
    #[arg(long, default_value_t = 20, requires = "generate", value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// Use a template with open connections, ending them (as Odoo's duplicate does)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct DuplicateArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The copy's name (same node)
    pub new: String,
    /// As Odoo 16+: scheduled actions and mail servers off, database.is_neutralized, and the neutralize.sql of every installed module (banner view, payment, delivery...)
    #[arg(long)]
    pub neutralize: bool,
    /// End the tenant's open connections (as Odoo's duplicate does)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The new name
    pub new: String,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct DropArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// Drop a tenant that is not suspended
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct UndropArgs {
    /// The dropped tenant: its name or its dropped name (NODE/ allowed)
    pub tenant: String,
    /// Undrop a tenant that `move` copied to another node (its copy there
    /// is the same tenant: only when that copy is gone)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackupFormatArg {
    /// Odoo's zip: dump.sql, filestore/, manifest.json
    Zip,
    /// pg_dump's custom format, without the filestore
    Dump,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The backup file (default: DIR/<tenant>_<UTC time>.zip or .dump)
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Where the default file name goes (default: the current directory)
    #[arg(long, value_name = "DIR", conflicts_with = "file")]
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "zip")]
    pub format: BackupFormatArg,
    /// Leave the filestore out (zip)
    #[arg(long)]
    pub no_filestore: bool,
}

#[derive(Debug, Args)]
pub struct BulkBackupArgs {
    /// Where the files go (<tenant>_<UTC time>.zip|.dump)
    #[arg(long, value_name = "DIR", required = true)]
    pub dir: PathBuf,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Required: the selectors (--node/--label/--match) pick the tenants
    #[arg(long)]
    pub all_matching: bool,
    /// Keep the newest N backups of each tenant in DIR, remove the older ones
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,
    #[arg(long, value_enum, default_value = "zip")]
    pub format: BackupFormatArg,
    /// Leave the filestores out (zip)
    #[arg(long)]
    pub no_filestore: bool,
    /// List the tenants that would be backed up; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct MoveArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The node to move it to
    pub node: String,
    /// Move a tenant that is not suspended (what changes after the backup is lost)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// NODE/NAME (NAME alone when one node is selected)
    pub target: String,
    /// The backup: a zip (tenantctl's or Odoo's) or a pg_dump custom archive
    pub file: PathBuf,
    /// New identity (database.uuid, database.secret, database.create_date), as Odoo's "copy" (default)
    #[arg(long, conflicts_with = "move_")]
    pub copy: bool,
    /// Keep the identity: the same tenant, moved
    #[arg(long = "move", id = "move_")]
    pub move_: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// The dropped tenant: its name or its dropped name (NODE/ allowed)
    pub tenant: String,
    /// Do not wait for the node's drop_retention
    #[arg(long)]
    pub now: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct BulkCreateArgs {
    /// CSV: name[,admin_login[,company]] per line ('-' = stdin); # comments
    #[arg(long, value_name = "FILE", required = true)]
    pub from: PathBuf,
    /// Template (default: each node's `template`)
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Length of the generated admin passwords
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password
    #[arg(long, required = true, value_name = "PATH")]
    pub secrets_file: PathBuf,
    /// Use templates with open connections, ending them
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub flags: LifecycleFlags,
}

#[derive(Debug, Args)]
pub struct BulkTargets {
    /// Targets: CSV, one TENANT or NODE/TENANT per record ('-' = stdin); # comments
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The first record of --from is a header (skipped; names usable in --column)
    #[arg(long, requires = "from")]
    pub header: bool,
    /// Column of --from holding the tenant: 1-based number or header name [default: 1]
    #[arg(long, value_name = "N|NAME", requires = "from", value_parser = parse_column)]
    pub column: Option<crate::targetfile::Column>,
    /// Column of --from holding the reason: number or header name [default: 2, when present]
    #[arg(long, value_name = "N|NAME", requires = "from", value_parser = parse_column)]
    pub reason_column: Option<crate::targetfile::Column>,
    /// After the run, write the targets not done (failed, refused, unknown, skipped...) as a --from file (mode 0600)
    #[arg(long, value_name = "FILE")]
    pub failed_to: Option<PathBuf>,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Only tenants in this state
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Required when selectors (--match/--status/--node/--label) pick the targets without --from
    #[arg(long)]
    pub all_matching: bool,
    /// While a node cannot be reached, act on unqualified names where found (tenant names
    /// are unique across the fleet: `tenantctl check`); that node's tenants are skipped
    #[arg(long)]
    pub skip_unreachable: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Print the per-tenant plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_column(s: &str) -> std::result::Result<crate::targetfile::Column, String> {
    crate::targetfile::Column::parse(s)
}

#[derive(Debug, Args)]
pub struct BulkSuspendArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// Reason for every tenant whose line has none (no or an empty reason column; 1..500 characters)
    #[arg(long)]
    pub reason: Option<String>,
    /// Suspension layers instead of the node's `suspend_layers`:
    /// users,crons,mail,connections; `+connections` adds to them
    #[arg(long, value_name = "LAYERS", allow_hyphen_values = true)]
    pub layers: Option<String>,
}

#[derive(Debug, Args)]
pub struct BulkReactivateArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// For tenants suspended without a record of users (the old agent)
    #[arg(long, value_enum, value_name = "POLICY")]
    pub restore_users: Option<RestoreArg>,
}

#[derive(Debug, Args)]
pub struct BulkPasswdArgs {
    #[command(flatten)]
    pub targets: BulkTargets,
    /// Accepted and ignored: bulk passwd always generates
    #[arg(long, hide = true)]
    pub generate: bool,
    /// Length of the generated passwords (raised to a tenant's minimum)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// New CSV file (mode 0600, never overwritten) receiving node,tenant,login,password
    #[arg(long, required = true, value_name = "PATH")]
    pub secrets_file: PathBuf,
    /// The user's login (default: the user behind xmlid base.user_admin)
    #[arg(long)]
    pub login: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tenants
    #[arg(long, value_enum, default_value_t = StatusArg::All)]
    pub status: StatusArg,
    /// Only tenants whose name matches this glob
    #[arg(long = "match", value_name = "GLOB")]
    pub pattern: Option<String>,
    /// Sort order
    #[arg(long, value_enum, default_value_t = SortArg::Node)]
    pub sort: SortArg,
    /// Also show databases that are not Odoo tenants (status not-odoo)
    #[arg(long)]
    pub all_databases: bool,
    /// Show the soft-dropped tenants instead (see drop, undrop, purge)
    #[arg(long)]
    pub dropped: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Active,
    Suspended,
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Node,
    Size,
    LastLogin,
    Users,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// The user's login (default: the user behind xmlid base.user_admin)
    #[arg(long)]
    pub login: Option<String>,
    /// Read the new password from the first line of stdin
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate a random password and print it once on stdout
    #[arg(long)]
    pub generate: bool,
    /// Length of a generated password
    #[arg(long, default_value_t = 20, requires = "generate", value_parser = clap::value_parser!(u16).range(8..=256))]
    pub length: u16,
    /// Check everything and show what would be done; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SuspendArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// Why (stored in the tenant and the audit log; 1..500 characters)
    #[arg(long, required = true)]
    pub reason: String,
    /// Suspension layers instead of the node's `suspend_layers`:
    /// users,crons,mail,connections; `+connections` adds to them
    #[arg(long, value_name = "LAYERS", allow_hyphen_values = true)]
    pub layers: Option<String>,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Show who would be switched off and which keys written; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ReactivateArgs {
    /// TENANT or NODE/TENANT
    pub tenant: String,
    /// For tenants suspended without a record of users (the old agent):
    /// switch on every internal user except __system__, templates and public
    #[arg(long, value_enum, value_name = "POLICY")]
    pub restore_users: Option<RestoreArg>,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Show who would be switched on; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only entries about this TENANT or NODE/TENANT
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only entries of the last DURATION (7d, 12h, 30m) or since an RFC 3339 time
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<std::time::SystemTime>,
    /// Only entries of this action
    #[arg(long, value_enum)]
    pub action: Option<ActionArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ActionArg {
    Suspend,
    Reactivate,
    Passwd,
}

/// At least 1: with 0 no connection could ever open.
fn parse_concurrency(v: &str) -> Result<usize, String> {
    match v.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1 (0 would let no connection open)".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{v:?}: {e}")),
    }
}

/// `7d` (before now) or `2026-11-01T00:00:00Z`.
fn parse_since(v: &str) -> Result<std::time::SystemTime, String> {
    if let Ok(d) = humantime::parse_duration(v.trim()) {
        return std::time::SystemTime::now()
            .checked_sub(d)
            .ok_or_else(|| format!("{v:?} reaches before 1970"));
    }
    humantime::parse_rfc3339_weak(v.trim().trim_end_matches('Z')).map_err(|_| {
        format!(
            "{v:?}: expected a duration (7d, 12h, 30m) or an RFC 3339 time (2026-11-01T00:00:00Z)"
        )
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RestoreArg {
    AllInternal,
}

impl Cli {
    /// What clap cannot say: an output format that means nothing for the
    /// command (a usage error, exit 2, before anything runs).
    pub fn check(&self) -> Result<(), String> {
        let name = match &self.command {
            Command::Passwd(_) => "passwd",
            Command::Suspend(_) => "suspend",
            Command::Reactivate(_) => "reactivate",
            _ => return Ok(()),
        };
        if matches!(self.global.output, OutputArg::Csv) {
            return Err(format!(
                "-o csv is not available for {name} (one result, not rows); use -o json, or bulk {name} for CSV"
            ));
        }
        Ok(())
    }

    /// Plain configuration for the core.
    pub fn into_config(self) -> Config {
        let g = self.global;
        let global = Global {
            inventory: g.inventory,
            nodes: g.nodes,
            labels: g.labels,
            output: match g.output {
                OutputArg::Table | OutputArg::Wide => config::Output::Table,
                OutputArg::Json => config::Output::Json,
                OutputArg::Csv => config::Output::Csv,
            },
            wide: matches!(g.output, OutputArg::Wide),
            no_headers: g.no_headers,
            concurrency: g.concurrency,
            color: match g.color {
                ColorArg::Auto => config::Color::Auto,
                ColorArg::Always => config::Color::Always,
                ColorArg::Never => config::Color::Never,
            },
            verbose: g.verbose,
            quiet: g.quiet,
            audit_log: g.audit_log,
            allow_triggers: g.allow_triggers,
        };
        let command = match self.command {
            Command::List(a) => config::Command::List(config::ListOpts {
                status: status_filter(a.status),
                pattern: a.pattern,
                sort: match a.sort {
                    SortArg::Name => config::Sort::Name,
                    SortArg::Node => config::Sort::Node,
                    SortArg::Size => config::Sort::Size,
                    SortArg::LastLogin => config::Sort::LastLogin,
                    SortArg::Users => config::Sort::Users,
                },
                all_databases: a.all_databases,
                dropped: a.dropped,
            }),
            Command::Passwd(a) => config::Command::Passwd(config::PasswdOpts {
                tenant: a.tenant,
                login: a.login,
                source: if a.generate {
                    config::PasswordInput::Generate(a.length as usize)
                } else if a.password_stdin {
                    config::PasswordInput::Stdin
                } else {
                    config::PasswordInput::Prompt
                },
                dry_run: a.dry_run,
            }),
            Command::Suspend(a) => config::Command::Suspend(config::SuspendOpts {
                tenant: a.tenant,
                reason: a.reason,
                layers: a.layers,
                yes: a.yes,
                dry_run: a.dry_run,
            }),
            Command::Reactivate(a) => config::Command::Reactivate(config::ReactivateOpts {
                tenant: a.tenant,
                all_internal: matches!(a.restore_users, Some(RestoreArg::AllInternal)),
                yes: a.yes,
                dry_run: a.dry_run,
            }),
            Command::Bulk(BulkCommand::Create(a)) => lifecycle(
                config::LifecycleAction::BulkCreate {
                    from: a.from,
                    template: a.template,
                    length: a.length as usize,
                    secrets_file: a.secrets_file,
                    force: a.force,
                },
                a.flags,
            ),
            Command::Bulk(BulkCommand::Drop(a)) => lifecycle(
                config::LifecycleAction::BulkDrop {
                    from: a.from,
                    force: a.force,
                },
                a.flags,
            ),
            Command::Bulk(BulkCommand::Purge(a)) => lifecycle(
                config::LifecycleAction::BulkPurge {
                    from: a.from,
                    now: a.now,
                },
                a.flags,
            ),
            Command::Bulk(BulkCommand::Backup(a)) => {
                config::Command::BulkBackup(config::BulkBackupOpts {
                    dir: a.dir,
                    pattern: a.pattern,
                    all_matching: a.all_matching,
                    keep: a.keep.map(|k| k as usize),
                    format: match a.format {
                        BackupFormatArg::Zip => config::BackupFormat::Zip,
                        BackupFormatArg::Dump => config::BackupFormat::Dump,
                    },
                    no_filestore: a.no_filestore,
                    dry_run: a.dry_run,
                })
            }
            Command::Create(a) => lifecycle(
                config::LifecycleAction::Create(config::CreateOpts {
                    target: a.target,
                    from: a.from,
                    base_url: a.base_url,
                    admin_login: a.admin_login,
                    company: a.company,
                    password: if a.generate {
                        config::PasswordInput::Generate(a.length as usize)
                    } else if a.password_stdin {
                        config::PasswordInput::Stdin
                    } else {
                        config::PasswordInput::Prompt
                    },
                    force: a.force,
                }),
                a.flags,
            ),
            Command::Duplicate(a) => lifecycle(
                config::LifecycleAction::Duplicate {
                    tenant: a.tenant,
                    new: a.new,
                    neutralize: a.neutralize,
                    force: a.force,
                },
                a.flags,
            ),
            Command::Rename(a) => lifecycle(
                config::LifecycleAction::Rename {
                    tenant: a.tenant,
                    new: a.new,
                },
                a.flags,
            ),
            Command::Drop(a) => lifecycle(
                config::LifecycleAction::Drop {
                    tenant: a.tenant,
                    force: a.force,
                },
                a.flags,
            ),
            Command::Undrop(a) => lifecycle(
                config::LifecycleAction::Undrop {
                    tenant: a.tenant,
                    force: a.force,
                },
                a.flags,
            ),
            Command::Purge(a) => lifecycle(
                config::LifecycleAction::Purge {
                    tenant: a.tenant,
                    now: a.now,
                },
                a.flags,
            ),
            Command::Bulk(b) => {
                let (action, t) = match b {
                    BulkCommand::Suspend(a) => (
                        config::BulkAction::Suspend {
                            reason: a.reason,
                            layers: a.layers,
                        },
                        a.targets,
                    ),
                    BulkCommand::Reactivate(a) => (
                        config::BulkAction::Reactivate {
                            all_internal: matches!(a.restore_users, Some(RestoreArg::AllInternal)),
                        },
                        a.targets,
                    ),
                    BulkCommand::Create(_)
                    | BulkCommand::Drop(_)
                    | BulkCommand::Purge(_)
                    | BulkCommand::Backup(_) => {
                        unreachable!("matched above")
                    }
                    BulkCommand::Passwd(a) => (
                        config::BulkAction::Passwd {
                            length: a.length as usize,
                            secrets_file: a.secrets_file,
                            login: a.login,
                        },
                        a.targets,
                    ),
                };
                config::Command::Bulk(config::BulkOpts {
                    action,
                    from: t.from,
                    layout: crate::targetfile::Layout {
                        header: t.header,
                        column: t.column,
                        reason_column: t.reason_column,
                    },
                    failed_to: t.failed_to,
                    pattern: t.pattern,
                    status: t.status.map(status_filter),
                    all_matching: t.all_matching,
                    skip_unreachable: t.skip_unreachable,
                    yes: t.yes,
                    dry_run: t.dry_run,
                })
            }
            Command::Move(a) => config::Command::Move(config::MoveOpts {
                tenant: a.tenant,
                node: a.node,
                force: a.force,
                no_filestore: a.flags.no_filestore,
                yes: a.flags.yes,
                dry_run: a.flags.dry_run,
            }),
            Command::Backup(a) => config::Command::Backup(config::BackupOpts {
                tenant: a.tenant,
                file: a.file,
                dir: a.dir,
                format: match a.format {
                    BackupFormatArg::Zip => config::BackupFormat::Zip,
                    BackupFormatArg::Dump => config::BackupFormat::Dump,
                },
                no_filestore: a.no_filestore,
            }),
            Command::Restore(a) => config::Command::Restore(config::RestoreOpts {
                target: a.target,
                file: a.file,
                keep_identity: a.move_,
                no_filestore: a.flags.no_filestore,
                yes: a.flags.yes,
                dry_run: a.flags.dry_run,
                owner_hint: None,
            }),
            Command::Check => config::Command::Check,
            Command::Show { tenant } => config::Command::Show { tenant },
            Command::Log(a) => config::Command::Log(config::LogOpts {
                tenant: a.tenant,
                since: a.since,
                action: a.action.map(|a| {
                    match a {
                        ActionArg::Suspend => "suspend",
                        ActionArg::Reactivate => "reactivate",
                        ActionArg::Passwd => "passwd",
                    }
                    .to_string()
                }),
            }),
            Command::Nodes => config::Command::Nodes,
            Command::Completions { .. } | Command::Man { .. } => {
                unreachable!("handled before configuration")
            }
        };
        Config { global, command }
    }
}

fn lifecycle(action: config::LifecycleAction, f: LifecycleFlags) -> config::Command {
    config::Command::Lifecycle(config::LifecycleOpts {
        action,
        no_filestore: f.no_filestore,
        yes: f.yes,
        dry_run: f.dry_run,
    })
}

fn status_filter(s: StatusArg) -> config::StatusFilter {
    match s {
        StatusArg::Active => config::StatusFilter::Active,
        StatusArg::Suspended => config::StatusFilter::Suspended,
        StatusArg::All => config::StatusFilter::All,
    }
}

#[cfg(test)]
mod completion_tests {
    use super::completion_request;
    use crate::complete::Kind;

    fn kind(words: &[&str]) -> Option<Kind> {
        let w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        completion_request(&w).map(|r| r.kind)
    }

    #[test]
    fn what_the_word_being_completed_is() {
        assert_eq!(kind(&["show", ""]), Some(Kind::Tenant));
        assert_eq!(kind(&["-o", "json", "show", "ac"]), Some(Kind::Tenant));
        assert_eq!(kind(&["show", "acme", ""]), None);
        assert_eq!(kind(&["--node", ""]), Some(Kind::Node));
        assert_eq!(kind(&["--node", "=", "p"]), Some(Kind::Node));
        assert_eq!(kind(&["bulk", "suspend", "--node", "pg"]), Some(Kind::Node));
        assert_eq!(kind(&["bulk", "suspend", ""]), None);
        assert_eq!(kind(&["bulk", ""]), None);
        assert_eq!(kind(&["log", "--tenant", ""]), Some(Kind::Tenant));
        assert_eq!(kind(&["move", "acme", ""]), Some(Kind::Node));
        assert_eq!(kind(&["create", ""]), Some(Kind::NodePrefix));
        assert_eq!(kind(&["restore", "pg1/x", ""]), None);
        assert_eq!(kind(&["suspend", "--reason", "x", ""]), Some(Kind::Tenant));
        assert_eq!(kind(&["suspend", "--reason", ""]), None);
        assert_eq!(kind(&["show", "-"]), None);
        assert_eq!(kind(&[""]), None);
        let w: Vec<String> = ["-i", "/x/nodes.toml", "show", ""]
            .map(String::from)
            .to_vec();
        let r = completion_request(&w).unwrap();
        assert_eq!(
            r.inventory.as_deref(),
            Some(std::path::Path::new("/x/nodes.toml"))
        );
        let w: Vec<String> = ["--inventory=/y.toml", "show", ""]
            .map(String::from)
            .to_vec();
        let r = completion_request(&w).unwrap();
        assert_eq!(
            r.inventory.as_deref(),
            Some(std::path::Path::new("/y.toml"))
        );
    }
}
