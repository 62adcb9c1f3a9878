//! Shell completion: the scripts of `tenantctl completions` (clap's static
//! script with dynamic glue around it) and the `__complete` protocol they
//! call: node names from the inventory, tenant names and `NODE/` prefixes
//! from the cache that `list` writes ([`crate::tenant_cache`]). Completion
//! never connects to a node.
//!
//! Tenant names are chosen by tenants (database names), and completion output
//! is read by shells: only plain names ([`is_plain`]) are ever printed,
//! everything else is left out.

use std::path::{Path, PathBuf};

use super::Cli;
use crate::tenant_cache::{self, is_plain};

/// What the word being completed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A node name (`--node`, `move`'s target node).
    Node,
    /// `TENANT` or `NODE/TENANT`.
    Tenant,
    /// `NODE/NAME` of a database that does not exist yet: only `NODE/`.
    NodePrefix,
}

/// A completion request, as [`completion_request`] parsed it from the
/// shell's words.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: Kind,
    /// The partial word.
    pub current: String,
    /// `-i/--inventory` given on the command line being completed.
    pub inventory: Option<PathBuf>,
}
/// What the last of `words` (the words after `tenantctl`, the last one
/// being completed) is, from the command's own definition: the value of
/// `--node` or `--tenant`, or a positional argument named `tenant`
/// (TENANT or NODE/TENANT), `node` (a node) or `target` (NODE/NAME of a new
/// database). `None`: nothing dynamic to offer (an option, a subcommand,
/// another value), the static completion applies.
pub fn completion_request(words: &[String]) -> Option<Request> {
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
/// Candidates are plain names only ([`is_plain`]), so
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
/// The candidates for `req`, one per line for the shell: node names from
/// the inventory's `nodes`, tenants from the cache, all plain names that
/// start with the partial word. Unqualified tenant names come with the
/// `NODE/` prefixes; after `NODE/`, that node's tenants.
pub fn candidates(req: &Request, inventory: &Path, nodes: &[String]) -> Vec<String> {
    let cur = req.current.as_str();
    let nodes: Vec<&String> = nodes.iter().filter(|n| is_plain(n)).collect();
    let mut out: Vec<String> = Vec::new();
    match req.kind {
        Kind::Node => out.extend(nodes.iter().map(|n| n.to_string())),
        Kind::NodePrefix => out.extend(nodes.iter().map(|n| format!("{n}/"))),
        Kind::Tenant => {
            let cache = tenant_cache::cached(inventory);
            let of = |n: &str| -> Vec<String> {
                cache
                    .get(n)
                    .map(|v| v.iter().filter(|t| is_plain(t)).cloned().collect())
                    .unwrap_or_default()
            };
            match cur.split_once('/') {
                Some((n, _)) if nodes.iter().any(|x| *x == n) => {
                    out.extend(of(n).into_iter().map(|t| format!("{n}/{t}")));
                }
                Some(_) => {}
                None => {
                    for n in &nodes {
                        out.extend(of(n));
                    }
                    out.extend(nodes.iter().map(|n| format!("{n}/")));
                }
            }
        }
    }
    out.retain(|c| c.starts_with(cur));
    out.sort();
    out.dedup();
    out
}
#[cfg(test)]
mod tests {
    use super::{completion_request, Kind};

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
