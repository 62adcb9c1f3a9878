//! Telling running Odoo workers that cached data changed.
//!
//! Each Odoo worker caches session-token checks (from the user's id, login,
//! password, active and ICP `database.secret`), RPC credential checks and ICP
//! values. On every request it compares signaling counters in the database with
//! the values it last saw and clears its caches when they moved
//! (odoo/modules/registry.py, `check_signaling`). Without a signal, an
//! archived user's cached credentials keep working. The signal must come
//! *after* the commit: a worker that sees the new counter before the commit
//! re-caches the old row. We never move counters backwards or touch the
//! registry signal (that would reload every worker's whole registry).

/// Which signaling objects a tenant database has (detected per database).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// 12–16: sequence `base_cache_signaling`.
    pub base_cache: bool,
    /// 17–18: sequence `base_cache_signaling_default`.
    pub cache_default: bool,
    /// 19+: table `orm_signaling_default`.
    pub orm_default: bool,
    /// 19+: table `orm_signaling_stable` (the cache of ICP values).
    pub orm_stable: bool,
}

/// What was changed, which decides the cache to invalidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// `res_users` only (passwd).
    Users,
    /// `res_users` and `ir_config_parameter` (suspend, reactivate).
    UsersAndParams,
}

/// Columns that detect the signaling objects; appended to a tenant's context
/// query so detection costs no extra round trip. Order matches [`Signals::from_flags`].
pub const DETECT_COLUMNS: &str = "to_regclass('public.base_cache_signaling') IS NOT NULL, \
     to_regclass('public.base_cache_signaling_default') IS NOT NULL, \
     to_regclass('public.orm_signaling_default') IS NOT NULL, \
     to_regclass('public.orm_signaling_stable') IS NOT NULL";

impl Signals {
    pub fn from_flags(f: [bool; 4]) -> Signals {
        Signals {
            base_cache: f[0],
            cache_default: f[1],
            orm_default: f[2],
            orm_stable: f[3],
        }
    }

    /// The family as Odoo's cache signaling shows it.
    pub fn family(&self) -> &'static str {
        if self.orm_default || self.orm_stable {
            "19+"
        } else if self.cache_default {
            "17-18"
        } else if self.base_cache {
            "12-16"
        } else {
            "unknown"
        }
    }

    /// The one statement that invalidates the caches holding what changed, or
    /// `None` when the database has no signaling objects (not a running Odoo
    /// 12+ schema).
    pub fn statement(&self, changed: Changed) -> Option<&'static str> {
        if self.orm_default || self.orm_stable {
            // Odoo 19+: counters are rows of orm_signaling_<cache>. ICP values
            // live in the `stable` cache; signalling `stable` clears `default`
            // too. res_users-derived checks live in `default`.
            return match changed {
                Changed::UsersAndParams if self.orm_stable => {
                    Some("INSERT INTO public.orm_signaling_stable DEFAULT VALUES")
                }
                _ if self.orm_default => {
                    Some("INSERT INTO public.orm_signaling_default DEFAULT VALUES")
                }
                _ => Some("INSERT INTO public.orm_signaling_stable DEFAULT VALUES"),
            };
        }
        if self.cache_default {
            // Odoo 17–18: one sequence per cache; res_users and ICP caches are
            // in `default` (leave _assets, _templates, _routing, _groups alone).
            return Some("SELECT nextval('public.base_cache_signaling_default')");
        }
        if self.base_cache {
            // Odoo 12–16: one sequence for all ormcaches.
            return Some("SELECT nextval('public.base_cache_signaling')");
        }
        None
    }

    /// The tables a write touches (`base`), with the signaling table of
    /// Odoo 19+: what the guard (see `guard`) looks at.
    pub fn touched(&self, base: &[&'static str]) -> Vec<&'static str> {
        let mut t = base.to_vec();
        t.extend(self.tables());
        t
    }

    /// The signaling tables a signal inserts into (19+), for the trigger
    /// guard; sequences (12–18) cannot carry triggers.
    pub fn tables(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        if self.orm_default {
            t.push("orm_signaling_default");
        }
        if self.orm_stable {
            t.push("orm_signaling_stable");
        }
        t
    }

    /// A human name of the signal, for plans and JSON.
    pub fn describe(&self, changed: Changed) -> &'static str {
        match self.statement(changed) {
            Some(s) if s.contains("orm_signaling_stable") => "orm_signaling_stable",
            Some(s) if s.contains("orm_signaling_default") => "orm_signaling_default",
            Some(s) if s.contains("base_cache_signaling_default") => "base_cache_signaling_default",
            Some(_) => "base_cache_signaling",
            None => "none",
        }
    }
}

/// Sends the signal; call only after the commit of the change.
///
/// Odoo 19+ signals with an INSERT into a table, which a tenant could give a
/// trigger, a rule, or a default or domain calling its function (the INSERT
/// fills every column from its default); the write transaction checked for
/// them, and the insert runs the whole guard again (see `guard`) in its own
/// transaction, under the ROW EXCLUSIVE lock it takes first (CREATE TRIGGER
/// and ALTER TABLE need stronger locks, so nothing new can appear before the
/// INSERT), unless `--allow-triggers`.
pub async fn send(
    client: &tokio_postgres::Client,
    signals: Signals,
    changed: Changed,
    allow_triggers: bool,
    deadline: std::time::Duration,
) -> anyhow::Result<()> {
    let Some(stmt) = signals.statement(changed) else {
        return Ok(());
    };
    let context = || format!("cache signal ({stmt})");
    let table = stmt
        .strip_prefix("INSERT INTO ")
        .map(|rest| rest.trim_end_matches(" DEFAULT VALUES"));
    let Some(table) = table.filter(|_| !allow_triggers) else {
        return super::within(deadline, client.simple_query(stmt))
            .await
            .map(|_| ())
            .map_err(|e| e.context(context()));
    };
    let guarded = async {
        super::within(
            deadline,
            client.batch_execute(&format!("BEGIN; LOCK TABLE {table} IN ROW EXCLUSIVE MODE")),
        )
        .await?;
        let name = table.trim_start_matches("public.");
        let found = super::within_any(deadline, super::guard::findings(client, &[name])).await?;
        if !found.is_empty() {
            anyhow::bail!(
                "{} appeared on {table}; signal not sent",
                found
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        super::within(deadline, client.batch_execute(&format!("{stmt}; COMMIT"))).await
    };
    match guarded.await {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(e.context(context()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn per_family() {
        let s16 = Signals::from_flags([true, false, false, false]);
        assert_eq!(
            s16.statement(Changed::Users),
            Some("SELECT nextval('public.base_cache_signaling')")
        );
        let s17 = Signals::from_flags([false, true, false, false]);
        assert_eq!(
            s17.statement(Changed::UsersAndParams),
            Some("SELECT nextval('public.base_cache_signaling_default')")
        );
        let s19 = Signals::from_flags([false, false, true, true]);
        assert_eq!(
            s19.statement(Changed::Users),
            Some("INSERT INTO public.orm_signaling_default DEFAULT VALUES")
        );
        assert_eq!(
            s19.statement(Changed::UsersAndParams),
            Some("INSERT INTO public.orm_signaling_stable DEFAULT VALUES")
        );
        assert_eq!(Signals::default().statement(Changed::Users), None);
    }
}
