//! The inventory file as TOML gives it: every key optional, with its span
//! for messages. [`super::node`] resolves these into [`super::Node`]s.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::{HostKeyCheck, PasswordScheme, SslMode};

/// A duration written as text in the inventory ("5s", "1m 30s", "500ms").
#[derive(Debug, Clone, Copy)]
pub(super) struct DurationText(pub(super) Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(s.trim())
            .map(DurationText)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {s:?} ({e}); expected e.g. \"5s\", \"500ms\", \"2m\""
                ))
            })
    }
}

/// `connect_timeout`: a duration text ("5s") or, as libpq's
/// `connect_timeout`, an integer number of seconds (`5` = "5s"). libpq takes 0
/// (or nothing) as "wait forever"; tenantctl always bounds the connection, so
/// 0 is refused.
#[derive(Debug, Clone, Copy)]
pub(super) struct ConnectTimeout(pub(super) Duration);

impl<'de> Deserialize<'de> for ConnectTimeout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(i64),
            Text(String),
        }
        let v = match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "invalid connect_timeout; expected whole seconds (e.g. 5, as libpq) or a duration such as \"5s\", \"500ms\"",
            )
        })? {
            Raw::Secs(n) if n <= 0 => {
                return Err(serde::de::Error::custom(format!(
                    "connect_timeout {n}: must be at least 1 second (libpq's 0 means wait forever; tenantctl always bounds the connection)"
                )))
            }
            Raw::Secs(n) => Duration::from_secs(n as u64),
            Raw::Text(s) => humantime::parse_duration(s.trim()).map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {s:?} ({e}); expected e.g. 5 (seconds, as libpq), \"5s\", \"500ms\""
                ))
            })?,
        };
        if v.is_zero() {
            return Err(serde::de::Error::custom(
                "connect_timeout must be more than 0 (tenantctl always bounds the connection)",
            ));
        }
        Ok(ConnectTimeout(v))
    }
}

/// Keys allowed both in `[defaults]` and in each `[[node]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) name: Option<Spanned<String>>,
    pub(super) host: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) user: Option<String>,
    pub(super) maintenance_db: Option<String>,
    pub(super) sslmode: Option<SslMode>,
    pub(super) sslrootcert: Option<String>,
    pub(super) sslcert: Option<String>,
    pub(super) sslkey: Option<String>,
    pub(super) connect_timeout: Option<ConnectTimeout>,
    pub(super) statement_timeout: Option<DurationText>,
    pub(super) max_connections: Option<Spanned<u32>>,
    pub(super) exclude: Option<Vec<String>>,
    pub(super) password_env: Option<String>,
    pub(super) password: Option<Spanned<String>>,
    pub(super) labels: Option<BTreeMap<String, String>>,
    pub(super) password_scheme: Option<PasswordScheme>,
    /// Suspension layers: users, crons, mail, connections.
    pub(super) suspend_layers: Option<Spanned<Vec<String>>>,
    pub(super) pgbouncer: Option<crate::model::Pooler>,
    /// PostgreSQL itself behind a PgBouncer node: where the lifecycle
    /// commands (CREATE/ALTER/DROP DATABASE, pg_dump) connect.
    pub(super) direct_host: Option<String>,
    pub(super) direct_port: Option<u16>,
    pub(super) ssh: Option<Spanned<RawSsh>>,
    // Issue 14: the tenant lifecycle (create, duplicate, rename, drop, purge).
    pub(super) filestore: Option<Spanned<String>>,
    /// "node" (default) or "odoo": where the filestore is reached.
    pub(super) filestore_host: Option<Spanned<String>>,
    pub(super) filestore_owner: Option<Spanned<String>>,
    pub(super) template: Option<String>,
    pub(super) base_url: Option<Spanned<String>>,
    pub(super) drop_retention: Option<DurationText>,
    /// Issue 22: the role that owns what `restore` makes (Odoo's role).
    pub(super) db_owner: Option<Spanned<String>>,
    /// Issue 22: the largest overall compression ratio of a zip `restore`
    /// accepts (uncompressed : compressed).
    pub(super) restore_max_ratio: Option<Spanned<u64>>,
    /// Issue 26: the thresholds of `health` (`[defaults.health]`,
    /// `[node.health]`), key by key over the defaults.
    pub(super) health: Option<BTreeMap<String, Spanned<toml::Value>>>,
    /// Issue 27: where and how `upgrade` runs Odoo (`odoo = { command = [...] }`).
    pub(super) odoo: Option<Spanned<RawOdoo>>,
}

/// The `odoo` table of `[defaults]` or a `[[node]]` (issue 27); a node's
/// table replaces the defaults' as a whole.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOdoo {
    pub(super) command: Option<Spanned<Vec<String>>>,
    pub(super) host: Option<Spanned<RawOdooHost>>,
    pub(super) timeout: Option<DurationText>,
    pub(super) max_parallel: Option<Spanned<u32>>,
    pub(super) addons_path: Option<Vec<String>>,
}

/// `odoo.host`: `"local"`, `"node"`, or an ssh table of its own.
#[derive(Debug, Clone)]
pub(super) enum RawOdooHost {
    Name(String),
    Ssh(Box<RawSsh>),
}

impl<'de> Deserialize<'de> for RawOdooHost {
    /// A string or a table. The table is read by TOML's own map access, so
    /// its keys keep their spans (an untagged enum would buffer them away).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawOdooHost;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "\"local\", \"node\" or an ssh table ({ host = \"app1\", user = \"odoo\" })",
                )
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<RawOdooHost, E> {
                Ok(RawOdooHost::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<RawOdooHost, A::Error> {
                RawSsh::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|s| RawOdooHost::Ssh(Box::new(s)))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `ssh` table of `[defaults]` or a `[[node]]`; a node's keys win key by key.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSsh {
    pub(super) host: Option<Spanned<String>>,
    pub(super) port: Option<Spanned<u16>>,
    pub(super) user: Option<Spanned<String>>,
    pub(super) identity_file: Option<Spanned<String>>,
    pub(super) known_hosts_file: Option<Spanned<String>>,
    pub(super) host_key_check: Option<HostKeyCheck>,
    pub(super) jump: Option<Spanned<String>>,
    pub(super) config_file: Option<Spanned<String>>,
    pub(super) connect_timeout: Option<Spanned<DurationText>>,
    pub(super) control_persist: Option<Spanned<DurationText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) audit_log: Option<String>,
    pub(super) defaults: Option<RawSettings>,
    #[serde(default)]
    pub(super) node: Vec<RawSettings>,
}
