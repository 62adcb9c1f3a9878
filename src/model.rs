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

/// The thresholds of `tenantctl health` (`[health]` of `[defaults]` or a
/// node in the inventory, then `--set KEY=VALUE`): when a check fires.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// An active job is overdue when its next call is older than its
    /// interval plus this.
    pub cron_grace: std::time::Duration,
    /// A job held by a running worker for longer than this.
    pub cron_running_max: std::time::Duration,
    /// Outgoing mail queued for longer than this.
    pub mail_outgoing_max_age: std::time::Duration,
    /// Mail that failed (state exception) within this window.
    pub mail_exception_window: std::time::Duration,
    /// `database.expiration_date` within this many days.
    pub expiration_days: u32,
    /// `age(datfrozenxid)` from which a warning, then a critical finding.
    pub xid_age_warning: i64,
    pub xid_age_critical: i64,
    /// Sessions idle in a transaction for longer than this.
    pub idle_in_transaction_max: std::time::Duration,
    /// One database's connections over this share of the node's
    /// `max_connections` (less the reserved slots).
    pub connections_share: f64,
    /// queue_job: pending/enqueued jobs older than this, started jobs
    /// running longer than this.
    pub queue_job_max_age: std::time::Duration,
    /// Tenants that are copies (globs): neutralized on purpose.
    pub copies: Vec<String>,
}

/// PostgreSQL refuses new transaction ids about 3 million before 2^31.
pub const XID_WRAPAROUND: i64 = 2_147_483_647;

impl Default for Health {
    fn default() -> Health {
        let mins = |m: u64| std::time::Duration::from_secs(m * 60);
        Health {
            cron_grace: mins(60),
            cron_running_max: mins(60),
            mail_outgoing_max_age: mins(60),
            mail_exception_window: mins(24 * 60),
            expiration_days: 30,
            xid_age_warning: 500_000_000,
            xid_age_critical: 1_500_000_000,
            idle_in_transaction_max: mins(5),
            connections_share: 0.8,
            queue_job_max_age: mins(60),
            copies: Vec::new(),
        }
    }
}

impl Health {
    /// Every key, for messages and documentation.
    pub const KEYS: [&'static str; 11] = [
        "cron_grace",
        "cron_running_max",
        "mail_outgoing_max_age",
        "mail_exception_window",
        "expiration_days",
        "xid_age_warning",
        "xid_age_critical",
        "idle_in_transaction_max",
        "connections_share",
        "queue_job_max_age",
        "copies",
    ];

    /// Sets one key from its text (durations "90m", "2h"; numbers; `copies`
    /// as comma-separated globs). The same words in the inventory and on
    /// the command line.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let v = value.trim();
        let dur = || {
            humantime::parse_duration(v).map_err(|e| {
                format!(
                    "{key}: invalid duration {v:?} ({e}); expected e.g. \"90m\", \"2h\", \"1d\""
                )
            })
        };
        let int = || {
            v.replace('_', "")
                .parse::<i64>()
                .map_err(|_| format!("{key}: expected a whole number, got {v:?}"))
        };
        match key {
            "cron_grace" => self.cron_grace = dur()?,
            "cron_running_max" => self.cron_running_max = dur()?,
            "mail_outgoing_max_age" => self.mail_outgoing_max_age = dur()?,
            "mail_exception_window" => self.mail_exception_window = dur()?,
            "idle_in_transaction_max" => self.idle_in_transaction_max = dur()?,
            "queue_job_max_age" => self.queue_job_max_age = dur()?,
            "expiration_days" => {
                self.expiration_days = u32::try_from(int()?)
                    .map_err(|_| format!("{key}: expected 0 or more days, got {v:?}"))?
            }
            "xid_age_warning" | "xid_age_critical" => {
                let n = int()?;
                if !(1..XID_WRAPAROUND).contains(&n) {
                    return Err(format!(
                        "{key}: {n} is outside 1..{XID_WRAPAROUND} (transaction ids wrap around at 2^31)"
                    ));
                }
                if key == "xid_age_warning" {
                    self.xid_age_warning = n;
                } else {
                    self.xid_age_critical = n;
                }
            }
            "connections_share" => {
                let f: f64 = v
                    .parse()
                    .map_err(|_| format!("{key}: expected a share such as 0.8, got {v:?}"))?;
                if !(f > 0.0 && f <= 1.0) {
                    return Err(format!("{key}: {f} is outside (0, 1]"));
                }
                self.connections_share = f;
            }
            "copies" => {
                let pats: Vec<String> = v
                    .split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                for p in &pats {
                    globset::Glob::new(p).map_err(|e| format!("{key}: bad pattern {p:?}: {e}"))?;
                }
                self.copies = pats;
            }
            _ => {
                return Err(format!(
                    "unknown health key {key:?}; keys: {}",
                    Health::KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// The rule between keys, checked once all are set.
    pub fn check(&self) -> Result<(), String> {
        if self.xid_age_warning >= self.xid_age_critical {
            return Err(format!(
                "xid_age_warning ({}) must be below xid_age_critical ({})",
                self.xid_age_warning, self.xid_age_critical
            ));
        }
        Ok(())
    }

    /// Whether `tenant` is a copy (`copies` globs): neutralized on purpose.
    pub fn is_copy(&self, tenant: &str) -> bool {
        self.copies.iter().any(|p| {
            globset::Glob::new(p)
                .map(|g| g.compile_matcher().is_match(tenant))
                .unwrap_or(false)
        })
    }
}

#[cfg(test)]
mod health_tests {
    use super::Health;

    #[test]
    fn keys_parse_and_refuse() {
        let mut h = Health::default();
        h.set("cron_grace", "2h").unwrap();
        assert_eq!(h.cron_grace.as_secs(), 7200);
        h.set("copies", "*-staging, *_copy").unwrap();
        assert!(h.is_copy("acme-staging") && !h.is_copy("acme"));
        assert!(h
            .set("cron_grace", "soon")
            .unwrap_err()
            .contains("invalid duration"));
        assert!(h
            .set("nope", "1")
            .unwrap_err()
            .contains("unknown health key"));
        assert!(h.set("connections_share", "1.5").is_err());
        h.set("xid_age_warning", "1_600_000_000").unwrap();
        assert!(h.check().is_err());
    }
}
