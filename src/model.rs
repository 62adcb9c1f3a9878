//! Plain data types shared by the layers: the inventory reads them, Odoo and
//! the transports act on them. No knowledge of how they are applied here
//! (the SQL of the suspension layers is in `odoo::layers`, the PgBouncer
//! session settings in `transport::startup`).

use serde::{Deserialize, Serialize};

/// Which layers a suspension applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayerSet {
    pub users: bool,
    pub crons: bool,
    pub mail: bool,
    pub connections: bool,
}

impl LayerSet {
    /// The default of `suspend_layers`.
    pub const DEFAULT: LayerSet = LayerSet {
        users: true,
        crons: true,
        mail: true,
        connections: false,
    };

    /// `users,crons,mail,connections`; a leading `+` on every item adds to
    /// `base` instead (`+connections`).
    pub fn parse(text: &str, base: LayerSet) -> Result<LayerSet, String> {
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Err("no layer named; use users, crons, mail, connections".into());
        }
        let adding = items.iter().all(|i| i.starts_with('+'));
        if !adding && items.iter().any(|i| i.starts_with('+')) {
            return Err("mix of `+layer` and `layer`: either add to the node's layers (+x,+y) or name them all".into());
        }
        let mut set = if adding { base } else { LayerSet::default() };
        for i in items {
            set.add(i.trim_start_matches('+'))?;
        }
        if !set.users {
            return Err("the users layer cannot be left out: it is what stops logins".into());
        }
        Ok(set)
    }

    pub fn add(&mut self, name: &str) -> Result<(), String> {
        match name {
            "users" => self.users = true,
            "crons" => self.crons = true,
            "mail" => self.mail = true,
            "connections" => self.connections = true,
            other => {
                return Err(format!(
                    "unknown suspension layer {other:?}; layers: users, crons, mail, connections"
                ))
            }
        }
        Ok(())
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, n) in [
            (self.users, "users"),
            (self.crons, "crons"),
            (self.mail, "mail"),
            (self.connections, "connections"),
        ] {
            if on {
                v.push(n);
            }
        }
        v
    }

    pub fn union(self, o: LayerSet) -> LayerSet {
        LayerSet {
            users: self.users || o.users,
            crons: self.crons || o.crons,
            mail: self.mail || o.mail,
            connections: self.connections || o.connections,
        }
    }
}

/// Whether, and how, a node is reached through PgBouncer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pooler {
    /// PostgreSQL itself (or a pooler that accepts `options`).
    #[default]
    None,
    /// PgBouncer `pool_mode = session`.
    Session,
    /// PgBouncer `pool_mode = transaction`.
    Transaction,
}

impl<'de> Deserialize<'de> for Pooler {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Mode(String),
        }
        let bad = || {
            serde::de::Error::custom(
                "invalid pgbouncer; expected \"session\", \"transaction\", true (= \"session\") or false",
            )
        };
        match Raw::deserialize(d).map_err(|_| bad())? {
            Raw::Flag(false) => Ok(Pooler::None),
            Raw::Flag(true) => Ok(Pooler::Session),
            Raw::Mode(m) => match m.as_str() {
                "session" => Ok(Pooler::Session),
                "transaction" => Ok(Pooler::Transaction),
                _ => Err(bad()),
            },
        }
    }
}
