//! The settings every tenantctl session runs with, and how they reach the
//! server: as startup `options` (direct PostgreSQL), or as `SET` statements
//! right after connecting when the node is behind PgBouncer, which refuses
//! unknown startup parameters (`options` included) unless its
//! `ignore_startup_parameters` lists them.
//!
//! The settings themselves are [`super::session_settings`] (search_path
//! pinned to pg_catalog, statement_timeout,
//! idle_in_transaction_session_timeout).
//!
//! | inventory `pgbouncer` | how the settings are applied | commands |
//! |---|---|---|
//! | absent / `false` | startup `options=-c name=value ...` (no extra round trip) | all |
//! | `"session"` / `true` | `SET name = value; ...` once after connecting; PgBouncer's default `server_reset_query = DISCARD ALL` resets them when the server connection returns to the pool | all |
//! | `"transaction"` | `BEGIN; SET LOCAL name = value; ...` once after connecting: each tenantctl connection runs in one transaction, pinned to one server connection; a session `SET` would outlive us on a server connection that Odoo's clients get next | `list`, `show`, `check` and dry runs; writes are refused ([`write_refusal`]) |

pub use crate::model::Pooler;

/// libpq's `options` value: `-c name=value ...`; spaces and backslashes in a
/// value are backslash-escaped (PostgreSQL's rule for `options`).
pub fn options(settings: &[(&str, String)]) -> String {
    settings
        .iter()
        .map(|(k, v)| {
            let v = v.replace('\\', "\\\\").replace(' ', "\\ ");
            format!("-c {k}={v}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The statements that apply the settings after connecting: `SET` (session)
/// or `SET LOCAL` inside a `BEGIN` (transaction pooling). Values are quoted
/// literals; names are fixed identifiers of this module.
pub fn set_statements(settings: &[(&str, String)], pooler: Pooler) -> Option<String> {
    let set = match pooler {
        Pooler::None => return None,
        Pooler::Session => "SET",
        Pooler::Transaction => "SET LOCAL",
    };
    let mut sql = String::new();
    if pooler == Pooler::Transaction {
        sql.push_str("BEGIN; ");
    }
    for (k, v) in settings {
        sql.push_str(&format!("{set} {k} = '{}'; ", v.replace('\'', "''")));
    }
    Some(sql.trim_end().to_string())
}

/// Why a write may not run on this node, if it may not: behind PgBouncer in
/// transaction mode, only one transaction keeps tenantctl's settings (the
/// `SET LOCAL`s of [`set_statements`]), while a write spans several: its own,
/// then the verification and the cache signal after the commit, which would
/// run on whatever server connection PgBouncer picks, with the server's
/// defaults (no pinned `search_path`, no `statement_timeout`). Writes need a
/// session (session mode, or PostgreSQL directly); reads and dry runs do not.
pub fn write_refusal(node: &crate::inventory::Node) -> Option<String> {
    (node.pooler == Pooler::Transaction).then(|| {
        format!(
            "node {} is a PgBouncer in transaction mode (pgbouncer = \"transaction\"), and writes need session state: their settings must hold across the write's transaction, its verification and the cache signal; reach this node through a session-mode pool or PostgreSQL directly; nothing changed",
            node.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_key() {
        let parse = |v: &str| {
            crate::inventory::parse(
                std::path::Path::new("nodes.toml"),
                &format!("[[node]]\nname = \"a\"\npgbouncer = {v}\n"),
                0o600,
            )
            .map(|i| i.nodes[0].pooler)
        };
        assert_eq!(parse("\"session\"").unwrap(), Pooler::Session);
        assert_eq!(parse("true").unwrap(), Pooler::Session);
        assert_eq!(parse("\"transaction\"").unwrap(), Pooler::Transaction);
        assert_eq!(parse("false").unwrap(), Pooler::None);
        let e = format!("{:#}", parse("\"statement\"").unwrap_err());
        assert!(
            e.contains("nodes.toml:3:13") && e.contains("\"session\", \"transaction\""),
            "{e}"
        );
    }

    #[test]
    fn every_setting_in_every_form() {
        let s = crate::transport::session_settings(std::time::Duration::from_millis(1500));
        let names: Vec<&str> = s.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "search_path",
                "statement_timeout",
                "idle_in_transaction_session_timeout",
                "row_security"
            ]
        );
        let opts = options(&s);
        assert!(
            opts.starts_with("-c search_path=pg_catalog -c statement_timeout=1500 -c idle_in_transaction_session_timeout="),
            "{opts}"
        );
        let set = set_statements(&s, Pooler::Session).unwrap();
        assert!(
            set.starts_with("SET search_path = 'pg_catalog'; SET statement_timeout = '1500'; SET idle_in_transaction_session_timeout = '"),
            "{set}"
        );
        let local = set_statements(&s, Pooler::Transaction).unwrap();
        assert!(
            local.starts_with("BEGIN; SET LOCAL search_path = 'pg_catalog'; SET LOCAL statement_timeout = '1500'; SET LOCAL idle"),
            "{local}"
        );
        assert_eq!(
            options(&[("search_path", "a b\\c".into())]),
            "-c search_path=a\\ b\\\\c"
        );
        assert_eq!(set_statements(&s, Pooler::None), None);
    }
}
