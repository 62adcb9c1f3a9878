//! One `[[node]]` table resolved over `[defaults]` into a [`Node`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_spanned::Spanned;

use super::parse::at;
use super::raw::RawSettings;
use super::ssh::merge_ssh;
use super::{
    expand_home, Host, Lifecycle, Node, PasswordScheme, PasswordSource, SslMode,
    DEFAULT_MAX_CONNECTIONS, DROP_RETENTION, RESTORE_MAX_RATIO,
};
use crate::error::Result;
use crate::model::LayerSet;

/// The `i`th `[[node]]` table `n` over `defaults`, every setting resolved;
/// `seen` holds the names of the nodes before it.
pub(super) fn resolve(
    path: &Path,
    text: &str,
    mode: u32,
    i: usize,
    n: &RawSettings,
    defaults: &RawSettings,
    seen: &mut HashSet<String>,
) -> Result<Node> {
    let (name, name_str) = name(path, text, i, n, seen)?;
    check_inline_password(path, text, mode, defaults, n)?;
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    let host = host(pick(&n.host, &defaults.host).unwrap_or_else(|| "localhost".into()));
    let max_conn = max_connections(path, text, defaults, n)?;
    let exclude: Vec<String> = n
        .exclude
        .clone()
        .or_else(|| defaults.exclude.clone())
        .unwrap_or_default();
    let exclude_set = exclude_set(path, text, name, &name_str, &exclude)?;
    let password = password(defaults, n);
    let ssh = merge_ssh(path, text, &name_str, defaults.ssh.as_ref(), n.ssh.as_ref())?;
    let lifecycle = lifecycle(path, text, &name_str, defaults, n)?;
    let suspend_layers = suspend_layers(path, text, defaults, n)?;
    let health = health(path, text, &name_str, defaults, n)?;
    let mut labels = defaults.labels.clone().unwrap_or_default();
    labels.extend(n.labels.clone().unwrap_or_default());
    Ok(Node {
        name: name_str,
        port: n.port.or(defaults.port).unwrap_or(5432),
        user: pick(&n.user, &defaults.user).unwrap_or_else(default_user),
        maintenance_db: pick(&n.maintenance_db, &defaults.maintenance_db)
            .unwrap_or_else(|| "postgres".into()),
        sslmode: n.sslmode.or(defaults.sslmode).unwrap_or(SslMode::Prefer),
        sslrootcert: pick(&n.sslrootcert, &defaults.sslrootcert).map(|p| expand_home(&p)),
        sslcert: pick(&n.sslcert, &defaults.sslcert).map(|p| expand_home(&p)),
        sslkey: pick(&n.sslkey, &defaults.sslkey).map(|p| expand_home(&p)),
        connect_timeout: n
            .connect_timeout
            .or(defaults.connect_timeout)
            .map(|d| d.0)
            .unwrap_or(Duration::from_secs(5)),
        statement_timeout: n
            .statement_timeout
            .or(defaults.statement_timeout)
            .map(|d| d.0)
            .unwrap_or(Duration::from_secs(30)),
        max_connections: max_conn
            .map(|m| *m.get_ref() as usize)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS),
        max_connections_auto: max_conn.is_none(),
        exclude,
        exclude_set,
        password,
        labels,
        password_scheme: n
            .password_scheme
            .or(defaults.password_scheme)
            .unwrap_or(PasswordScheme::Pbkdf2Sha512),
        suspend_layers,
        pooler: n.pgbouncer.or(defaults.pgbouncer).unwrap_or_default(),
        direct: direct(defaults, n, &host),
        host,
        ssh,
        lifecycle,
        health,
    })
}

/// `health`: the thresholds of `tenantctl health`, `[defaults.health]` then
/// the node's `health` key by key; each value as the command line's `--set`
/// takes it (durations as text, numbers, `copies` as an array of globs).
fn health(
    path: &Path,
    text: &str,
    node: &str,
    d: &RawSettings,
    n: &RawSettings,
) -> Result<crate::model::Health> {
    let mut h = crate::model::Health::default();
    for table in [&d.health, &n.health].into_iter().flatten() {
        for (key, v) in table {
            let value = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Array(a) if key == "copies" => {
                    let mut pats = Vec::new();
                    for x in a {
                        match x.as_str() {
                            Some(p) if !p.contains(',') => pats.push(p.to_string()),
                            _ => {
                                return Err(at(
                                    path,
                                    text,
                                    Some(v.span()),
                                    format!("health.{key}: expected an array of glob strings without commas"),
                                ))
                            }
                        }
                    }
                    pats.join(",")
                }
                other => {
                    return Err(at(
                        path,
                        text,
                        Some(v.span()),
                        format!("health.{key}: unexpected {}", other.type_str()),
                    ))
                }
            };
            h.set(key, &value)
                .map_err(|e| at(path, text, Some(v.span()), format!("health.{e}")))?;
        }
    }
    h.check()
        .map_err(|e| at(path, text, None, format!("node {node}: health: {e}")))?;
    Ok(h)
}

/// A `host` value: a Unix-socket directory when it starts with `/`.
fn host(h: String) -> Host {
    if h.starts_with('/') {
        Host::Socket(PathBuf::from(h))
    } else {
        Host::Tcp(h)
    }
}

/// The node's `name` (and its span): present, non-empty, without '/', and
/// not the name of a node before it.
fn name<'a>(
    path: &Path,
    text: &str,
    i: usize,
    n: &'a RawSettings,
    seen: &mut HashSet<String>,
) -> Result<(&'a Spanned<String>, String)> {
    let name = match &n.name {
        Some(s) => s,
        None => {
            return Err(at(
                path,
                text,
                None,
                format!("[[node]] number {} has no `name`", i + 1),
            ));
        }
    };
    let name_str = name.get_ref().trim().to_string();
    if name_str.is_empty() || name_str.contains('/') {
        return Err(at(
            path,
            text,
            Some(name.span()),
            "node name must be non-empty and must not contain '/'",
        ));
    }
    if !seen.insert(name_str.clone()) {
        return Err(at(
            path,
            text,
            Some(name.span()),
            format!("duplicate node name {name_str:?}; node names must be unique"),
        ));
    }
    Ok((name, name_str))
}

/// An inline `password` (the node's or `[defaults]`') only in a file that
/// group and others cannot read.
fn check_inline_password(
    path: &Path,
    text: &str,
    mode: u32,
    defaults: &RawSettings,
    n: &RawSettings,
) -> Result<()> {
    let readable_by_others = mode & 0o077 != 0;
    for (source, pw) in [
        ("[defaults]", &defaults.password),
        ("this node", &n.password),
    ] {
        if let Some(pw) = pw {
            if readable_by_others {
                return Err(at(
                    path,
                    text,
                    Some(pw.span()),
                    format!(
                        "inline password ({source}) in a file readable by group or others (mode {:o}); run `chmod 600 {}` or use password_env / ~/.pgpass",
                        mode & 0o777,
                        path.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `max_connections` (at least 1), if the inventory sets it.
fn max_connections<'a>(
    path: &Path,
    text: &str,
    defaults: &'a RawSettings,
    n: &'a RawSettings,
) -> Result<Option<&'a Spanned<u32>>> {
    let max_conn = n
        .max_connections
        .as_ref()
        .or(defaults.max_connections.as_ref());
    if let Some(m) = max_conn {
        if *m.get_ref() == 0 {
            return Err(at(
                path,
                text,
                Some(m.span()),
                "max_connections must be at least 1",
            ));
        }
    }
    Ok(max_conn)
}

/// The `exclude` glob patterns, compiled.
fn exclude_set(
    path: &Path,
    text: &str,
    name: &Spanned<String>,
    name_str: &str,
    exclude: &[String],
) -> Result<globset::GlobSet> {
    let mut gs = globset::GlobSetBuilder::new();
    for pat in exclude {
        let g = globset::GlobBuilder::new(pat)
            .literal_separator(false)
            .build()
            .map_err(|e| {
                at(
                    path,
                    text,
                    name.span().into(),
                    format!("node {name_str}: bad exclude pattern {pat:?}: {e}"),
                )
            })?;
        gs.add(g);
    }
    gs.build().map_err(|e| {
        at(
            path,
            text,
            None,
            format!("node {name_str}: exclude patterns: {e}"),
        )
    })
}

/// `password`, else `password_env`, else libpq's own sources.
fn password(defaults: &RawSettings, n: &RawSettings) -> PasswordSource {
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    if let Some(p) = n.password.as_ref().or(defaults.password.as_ref()) {
        PasswordSource::Inline(p.get_ref().clone())
    } else if let Some(var) = pick(&n.password_env, &defaults.password_env) {
        PasswordSource::Env {
            var,
            in_defaults: n.password_env.is_none(),
        }
    } else {
        PasswordSource::Default
    }
}

/// `suspend_layers`, default users, crons, mail.
fn suspend_layers(
    path: &Path,
    text: &str,
    defaults: &RawSettings,
    n: &RawSettings,
) -> Result<LayerSet> {
    Ok(
        match n
            .suspend_layers
            .as_ref()
            .or(defaults.suspend_layers.as_ref())
        {
            None => LayerSet::DEFAULT,
            Some(l) => LayerSet::parse(&l.get_ref().join(","), LayerSet::DEFAULT)
                .map_err(|e| at(path, text, Some(l.span()), format!("suspend_layers: {e}")))?,
        },
    )
}

/// `direct_host`/`direct_port`: PostgreSQL itself behind a PgBouncer `host`
/// (the host defaults to the node's, the port to 5432).
fn direct(defaults: &RawSettings, n: &RawSettings, host: &Host) -> Option<(Host, u16)> {
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    match (
        pick(&n.direct_host, &defaults.direct_host),
        n.direct_port.or(defaults.direct_port),
    ) {
        (None, None) => None,
        (h, p) => Some((
            match h {
                Some(h) if h.starts_with('/') => Host::Socket(PathBuf::from(h)),
                Some(h) => Host::Tcp(h),
                None => host.clone(),
            },
            p.unwrap_or(5432),
        )),
    }
}

/// The lifecycle keys of a node over `[defaults]`.
fn lifecycle(
    path: &Path,
    text: &str,
    node: &str,
    d: &RawSettings,
    n: &RawSettings,
) -> Result<Lifecycle> {
    let odoo = n
        .odoo
        .as_ref()
        .or(d.odoo.as_ref())
        .map(|o| {
            odoo(
                path,
                text,
                node,
                o,
                n.ssh.is_some() || d.ssh.is_some(),
                d.ssh.as_ref(),
            )
        })
        .transpose()?;
    let filestore_host = filestore_host(path, text, node, d, n, odoo.as_ref())?;
    // A path on this machine gets `~/` expanded.
    let local = match (filestore_host, odoo.as_ref().map(|o| &o.host)) {
        (super::FilestoreHost::Odoo, Some(super::OdooHost::Local)) => true,
        (super::FilestoreHost::Odoo, _) => false,
        (super::FilestoreHost::Node, _) => n.ssh.is_none() && d.ssh.is_none(),
    };
    let filestore = n
        .filestore
        .as_ref()
        .or(d.filestore.as_ref())
        .map(|f| filestore(path, text, node, f, local))
        .transpose()?;
    let owner = n
        .filestore_owner
        .as_ref()
        .or(d.filestore_owner.as_ref())
        .map(|o| filestore_owner(path, text, node, o))
        .transpose()?;
    let base_url = match n.base_url.as_ref().or(d.base_url.as_ref()) {
        Some(b) => {
            let s = b.get_ref();
            if !s.contains("{tenant}") || !(s.starts_with("http://") || s.starts_with("https://")) {
                return Err(at(
                    path,
                    text,
                    Some(b.span()),
                    format!("node {node}: base_url {s:?} must start with http:// or https:// and contain {{tenant}}"),
                ));
            }
            Some(s.clone())
        }
        None => None,
    };
    let db_owner = match n.db_owner.as_ref().or(d.db_owner.as_ref()) {
        Some(o) => {
            let s = o.get_ref();
            if s.is_empty() || s.len() > 63 || s.chars().any(|c| c.is_control()) {
                return Err(at(
                    path,
                    text,
                    Some(o.span()),
                    format!("node {node}: db_owner {s:?} is not a PostgreSQL role name"),
                ));
            }
            Some(s.clone())
        }
        None => None,
    };
    let restore_max_ratio = match n
        .restore_max_ratio
        .as_ref()
        .or(d.restore_max_ratio.as_ref())
    {
        Some(r) if *r.get_ref() == 0 => {
            return Err(at(
                path,
                text,
                Some(r.span()),
                format!("node {node}: restore_max_ratio must be at least 1"),
            ))
        }
        Some(r) => *r.get_ref(),
        None => RESTORE_MAX_RATIO,
    };
    Ok(Lifecycle {
        odoo,
        db_owner,
        restore_max_ratio,
        filestore,
        filestore_host,
        filestore_owner: owner,
        template: n.template.clone().or_else(|| d.template.clone()),
        base_url,
        drop_retention: n
            .drop_retention
            .or(d.drop_retention)
            .map(|d| d.0)
            .unwrap_or(DROP_RETENTION),
    })
}

/// The `odoo` table (issue 27): a non-empty command whose program is an
/// absolute path or a bare name, the host it runs on, its limits.
fn odoo(
    path: &Path,
    text: &str,
    node: &str,
    o: &Spanned<super::raw::RawOdoo>,
    has_ssh: bool,
    defaults_ssh: Option<&Spanned<super::raw::RawSsh>>,
) -> Result<super::OdooRun> {
    use super::raw::RawOdooHost;
    let raw = o.get_ref();
    let bad = |span: Option<std::ops::Range<usize>>, m: String| {
        at(
            path,
            text,
            span.or(Some(o.span())),
            format!("node {node}: odoo.{m}"),
        )
    };
    let command = match &raw.command {
        Some(c) if !c.get_ref().is_empty() => c.get_ref().clone(),
        Some(c) => return Err(bad(Some(c.span()), "command must not be empty".into())),
        None => return Err(bad(None, "command is missing (e.g. command = [\"/opt/odoo/odoo-bin\", \"-c\", \"/etc/odoo/odoo.conf\"])".into())),
    };
    if command
        .iter()
        .any(|a| a.chars().any(|c| c == '\0' || c == '\n'))
    {
        let span = raw.command.as_ref().map(|c| c.span());
        return Err(bad(
            span,
            "command: an argument has a NUL or a newline".into(),
        ));
    }
    let host = match raw.host.as_ref().map(|h| (h.get_ref(), h.span())) {
        None => super::OdooHost::Local,
        Some((RawOdooHost::Name(s), _)) if s == "local" => super::OdooHost::Local,
        Some((RawOdooHost::Name(s), span)) if s == "node" => {
            if !has_ssh {
                return Err(bad(Some(span), "host = \"node\" runs Odoo on the node's SSH host, but the node has no ssh table; use \"local\" or an ssh table of its own".into()));
            }
            super::OdooHost::Node
        }
        Some((RawOdooHost::Name(_), span)) => {
            return Err(bad(
                Some(span),
                "host: expected \"local\" (this machine), \"node\" (the node's SSH host) \
                 or an ssh table ({ host = \"app1\", user = \"odoo\" })"
                    .into(),
            ))
        }
        Some((RawOdooHost::Ssh(t), span)) => {
            // Its own host; the other keys fall back to [defaults.ssh]
            // (the shared key, known_hosts, jump host), never the node's.
            if t.host.is_none() {
                return Err(bad(
                    Some(span),
                    "host: the ssh table needs its own `host`".into(),
                ));
            }
            let own = Spanned::new(span, (**t).clone());
            match super::ssh::merge_ssh(path, text, node, defaults_ssh, Some(&own))? {
                Some(s) => super::OdooHost::Ssh(s),
                None => {
                    return Err(bad(
                        Some(own.span()),
                        "host: the ssh table needs its own `host`".into(),
                    ))
                }
            }
        }
    };
    let max_parallel = match &raw.max_parallel {
        Some(m) if *m.get_ref() == 0 => {
            return Err(bad(
                Some(m.span()),
                "max_parallel must be at least 1".into(),
            ))
        }
        Some(m) => *m.get_ref() as usize,
        None => 2,
    };
    Ok(super::OdooRun {
        command,
        host,
        timeout: raw
            .timeout
            .as_ref()
            .map(|t| t.0)
            .unwrap_or(super::ODOO_TIMEOUT),
        max_parallel,
        addons_path: raw.addons_path.clone().unwrap_or_default(),
    })
}

/// `filestore_host`: "node" (default) or "odoo", which needs an `odoo` table.
fn filestore_host(
    path: &Path,
    text: &str,
    node: &str,
    d: &RawSettings,
    n: &RawSettings,
    odoo: Option<&super::OdooRun>,
) -> Result<super::FilestoreHost> {
    let Some(h) = n.filestore_host.as_ref().or(d.filestore_host.as_ref()) else {
        return Ok(super::FilestoreHost::Node);
    };
    let bad = |m: &str| {
        at(
            path,
            text,
            Some(h.span()),
            format!("node {node}: filestore_host {m}"),
        )
    };
    match h.get_ref().as_str() {
        "node" => Ok(super::FilestoreHost::Node),
        "odoo" if odoo.is_some() => Ok(super::FilestoreHost::Odoo),
        "odoo" => Err(bad("= \"odoo\" needs an `odoo` table (where Odoo runs)")),
        _ => Err(bad(
            "must be \"node\" (the node's SSH host, or this machine) or \"odoo\" (where the odoo table runs Odoo)",
        )),
    }
}

/// `filestore`: an absolute path (`~/` expanded unless it is on an SSH host).
fn filestore(
    path: &Path,
    text: &str,
    node: &str,
    f: &Spanned<String>,
    local: bool,
) -> Result<PathBuf> {
    let s = f.get_ref();
    if !s.starts_with('/') && !s.starts_with("~/") || s.chars().any(|c| c.is_control()) {
        return Err(at(
            path,
            text,
            Some(f.span()),
            format!("node {node}: filestore {s:?} must be an absolute path"),
        ));
    }
    Ok(if local {
        expand_home(s)
    } else {
        PathBuf::from(s)
    })
}

/// `filestore_owner`: an OS user name.
fn filestore_owner(path: &Path, text: &str, node: &str, o: &Spanned<String>) -> Result<String> {
    let s = o.get_ref();
    if s.is_empty()
        || s.starts_with('-')
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(at(
            path,
            text,
            Some(o.span()),
            format!("node {node}: filestore_owner {s:?} is not a user name"),
        ));
    }
    Ok(s.clone())
}

/// libpq's default user: `$PGUSER`, else the OS user.
fn default_user() -> String {
    std::env::var("PGUSER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(crate::audit::effective_user)
}
