//! The statements `health` runs in a tenant, each next to the Odoo
//! behaviour it relies on, and the shapes of their answers. Times: Odoo
//! stores naive UTC timestamps (`now() AT TIME ZONE 'utc'`). `ONLY`: the
//! rows Odoo itself reads, not those of inheritance children. Every
//! statement is bounded: aggregates, and lists cut with `LIMIT`.

use tokio_postgres::Row;

use crate::model::LayerSet;

/// Odoo treats a database as its own when `ir_module_module` has an
/// installed `base` with a `latest_version` (odoo/service/db.py). Modules
/// left `to upgrade` / `to install` / `to remove` make Odoo's cron workers
/// skip the database ("Skipping database ... modules to install/upgrade/
/// remove", odoo/addons/base/models/ir_cron.py) and 13/16 run the upgrade in
/// the next web request (`state` has an index, index=True in Odoo; one scan
/// gives their number and names, at most as many as modules exist). OCA
/// `queue_job` is in use when its module is installed. The ICP keys read:
/// tenantctl's suspension record (`tenant.suspended`, `_layers`,
/// `_cron_ids`), `database.is_neutralized` (set by `odoo-bin neutralize`,
/// 16+), `web.base.url`, `database.expiration_date` (Enterprise). Active
/// users as `list` counts them (id 1, `__system__`, is never active).
/// Whether `ir_cron` has the columns of 18+ (`failure_count`,
/// `first_failure_date`) is read from its row type (the keys of an all-NULL
/// row of it as JSON), which costs no plan of a catalog query.
///
/// Written for a fresh session (every tenant is one): each operator and
/// function has argument types it takes as they are (`text = ANY (text[])`,
/// `float8 * interval`), so PostgreSQL finds it with one catalog lookup
/// instead of weighing every candidate of its name, and a table is read in
/// as few subqueries as the answers allow.
pub const BASE_SQL: &str = "SELECT \
     coalesce((SELECT latest_version FROM ONLY public.ir_module_module WHERE name = 'base' AND state = 'installed'), ''), \
     p.n, p.names, \
     EXISTS (SELECT FROM ONLY public.ir_module_module WHERE name = 'queue_job' AND state = 'installed'), \
     coalesce((SELECT json_object_agg(key, value) FROM ONLY public.ir_config_parameter \
        WHERE key::text = ANY ('{tenant.suspended,tenant.suspended_layers,tenant.suspended_cron_ids,\
database.is_neutralized,web.base.url,database.expiration_date}'::text[])), '{}')::text, \
     (SELECT count(*) FROM ONLY public.res_users WHERE active AND id <> 1), \
     to_regclass('public.ir_cron_trigger') IS NOT NULL, \
     (SELECT to_jsonb(x) ?& '{failure_count,first_failure_date}'::text[] \
        FROM (SELECT (NULL::public.ir_cron).*) x), \
     to_regclass('public.queue_job') IS NOT NULL \
     FROM (SELECT count(*) AS n, array_agg(name::text || ' (' || state::text || ')' ORDER BY name) AS names \
           FROM ONLY public.ir_module_module \
           WHERE state::text = ANY ('{to upgrade,to install,to remove}'::text[])) p";

#[derive(Debug, Clone, Default)]
pub struct Base {
    pub version: String,
    pub pending: i64,
    pub pending_names: Option<String>,
    pub queue_job: bool,
    pub icp: std::collections::BTreeMap<String, String>,
    pub active_users: i64,
    /// Which of the version- and module-dependent statements apply: the
    /// others are not sent (their checks are n/a, as when a statement names
    /// a table or column the tenant lacks).
    pub has: Has,
}

/// The tables and columns the tenant has, of those only some versions or
/// modules have.
#[derive(Debug, Clone, Copy, Default)]
pub struct Has {
    /// `ir_cron_trigger` (14+).
    pub triggers: bool,
    /// `ir_cron.failure_count` and `first_failure_date` (18+).
    pub failures: bool,
    /// The `queue_job` table (OCA's module).
    pub queue_job: bool,
}

/// The first statement of a tenant's read: [`BASE_SQL`] joined with the
/// one row each of [`CRONS_SQL`] ($1) and [`SERVERS_SQL`]: they read tables
/// every Odoo version has (`base` makes `ir_cron` and `ir_mail_server`), so
/// one statement carries them, as plain columns (no JSON to build and
/// parse).
pub fn first_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT * FROM ({BASE_SQL}) b CROSS JOIN ({CRONS_SQL}) c CROSS JOIN ({SERVERS_SQL}) s"
        )
    })
}

/// The answers of [`first_sql`].
pub struct First {
    pub base: Base,
    pub crons: Crons,
    pub servers: Servers,
}

impl First {
    pub fn parse(rows: Vec<Row>) -> Option<First> {
        let r = rows.first()?;
        Some(First {
            base: Base::parse_row(r)?,
            crons: Crons {
                active: r.get(9),
                overdue: r.get(10),
                oldest_key: r.get(11),
            },
            servers: Servers {
                active: r.get(12),
                standins: r.get::<_, Option<Vec<i64>>>(13).unwrap_or_default(),
            },
        })
    }
}

impl Base {
    fn parse_row(r: &Row) -> Option<Base> {
        let icp: String = r.get(4);
        // Sorted by name; the first ten are shown.
        let names: Option<Vec<String>> = r.get(2);
        Some(Base {
            version: r.get(0),
            pending: r.get(1),
            pending_names: names.map(|v| v.iter().take(10).cloned().collect::<Vec<_>>().join(", ")),
            queue_job: r.get(3),
            icp: serde_json::from_str(&icp).unwrap_or_default(),
            active_users: r.get(5),
            has: Has {
                triggers: r.get(6),
                failures: r.get(7),
                queue_job: r.get(8),
            },
        })
    }

    pub fn icp(&self, key: &str) -> Option<&str> {
        self.icp.get(key).map(String::as_str)
    }

    /// The jobs tenantctl's `crons` layer switched off (JSON array of ids).
    pub fn suspended_cron_ids(&self) -> Vec<i64> {
        self.icp(crate::odoo::keys::SUSPENDED_CRON_IDS)
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default()
    }

    /// The layers of tenantctl's suspension (users only when not recorded).
    pub fn layers(&self) -> LayerSet {
        crate::odoo::suspension::recorded_layers(self.icp(crate::odoo::keys::SUSPENDED_LAYERS))
    }
}

/// A job's interval as Odoo adds it (`_intervalTypes`: minutes, hours,
/// days, weeks, months; `work_days` up to 13 counts as days).
#[cfg_attr(not(test), allow(dead_code))]
const EVERY: &str = "interval_number * CASE interval_type \
     WHEN 'minutes' THEN interval '1 minute' WHEN 'hours' THEN interval '1 hour' \
     WHEN 'weeks' THEN interval '7 days' WHEN 'months' THEN interval '1 month' \
     ELSE interval '1 day' END";

/// Odoo's cron workers run an active job when its `nextcall` has passed and
/// then move `nextcall` past now by whole intervals (`_reschedule_later`).
/// An active job whose `nextcall` is older than one interval plus the grace
/// ($1 seconds) was not run: no cron worker serves the database, or it is
/// stuck. Columns `active`, `nextcall`, `interval_number`, `interval_type`,
/// `cron_name` exist in 12–19. The oldest of them, in the same pass: the
/// least text `nextcall id name` (timestamps and the zero-padded id sort as
/// text as they do as values), read by [`Crons::oldest`].
pub const CRONS_SQL: &str = "SELECT count(*), count(*) FILTER (WHERE late), \
       min(nextcall::text || ' ' || lpad(id::text, 10, '0') || ' ' || coalesce(cron_name::text, '')) FILTER (WHERE late) \
     FROM (SELECT id, cron_name, nextcall, \
       nextcall < (now() AT TIME ZONE 'utc') - $1 * interval '1 second' - \
         interval_number::float8 * CASE interval_type \
           WHEN 'minutes' THEN interval '1 minute' WHEN 'hours' THEN interval '1 hour' \
           WHEN 'weeks' THEN interval '7 days' WHEN 'months' THEN interval '1 month' \
           ELSE interval '1 day' END AS late \
       FROM ONLY public.ir_cron WHERE active) c";

/// 14+: a row of `ir_cron_trigger` makes its job due at `call_at`
/// whatever its `nextcall` (Odoo's workers select jobs with `nextcall <=
/// now` or a trigger with `call_at <= now`, and delete the triggers a run
/// consumed). An active job with a trigger older than the grace ($1
/// seconds) was not run. Odoo's autovacuum removes triggers older than a
/// week. Absent before 14: n/a.
pub const TRIGGERS_SQL: &str = "SELECT count(DISTINCT t.cron_id)::int8, \
     to_char(min(t.call_at), 'YYYY-MM-DD HH24:MI') \
     FROM ONLY public.ir_cron_trigger t JOIN ONLY public.ir_cron c ON c.id = t.cron_id \
     WHERE c.active AND t.call_at < (now() AT TIME ZONE 'utc') - make_interval(secs => $1)";

#[derive(Debug, Clone, Default)]
pub struct Triggers {
    pub jobs: i64,
    pub since: Option<String>,
}

impl Triggers {
    pub fn parse(rows: Vec<Row>) -> Triggers {
        rows.first()
            .map(|r| Triggers {
                jobs: r.get(0),
                since: r.get(1),
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Crons {
    pub active: i64,
    pub overdue: i64,
    /// `nextcall id name` of the oldest overdue job (see [`CRONS_SQL`]).
    pub oldest_key: Option<String>,
}

impl Crons {
    /// The oldest overdue job as the evidence names it: `name (id N, due
    /// YYYY-MM-DD HH:MI UTC)`.
    pub fn oldest(&self) -> Option<String> {
        let mut it = self.oldest_key.as_deref()?.splitn(4, ' ');
        let (date, time, id) = (it.next()?, it.next()?, it.next()?);
        let id: i64 = id.parse().ok()?;
        let name = it.next().unwrap_or("");
        Some(format!(
            "{name} (id {id}, due {date} {} UTC)",
            time.get(..5).unwrap_or(time)
        ))
    }
}

/// A job being run holds its `ir_cron` row lock for the whole run (13: `FOR
/// UPDATE`, 16–18: `FOR NO KEY UPDATE`; odoo-facts §8). Locking a row
/// writes the locker's transaction id into the row's `xmax`, and that
/// transaction's backend shows it as `pg_stat_activity.backend_xid`: the
/// join finds the worker without taking any lock (`pg_locks` lists row
/// locks only while someone waits for them). Odoo 19 locks with a
/// multixact (`KEY SHARE` plus its own lock): `xmax` is then a multixact id
/// and matches no backend, so a long run on 19 shows only as a session idle
/// in transaction (`pg.idle_in_transaction`). $1: the limit in seconds.
/// `pg_stat_get_activity` is what the view `pg_stat_activity` reads, without
/// the view's joins to `pg_database` and `pg_authid` (cheaper to plan).
pub const RUNNING_SQL: &str = "SELECT c.id::int8, coalesce(c.cron_name::text, ''), a.pid, \
     extract(epoch FROM now() - a.xact_start)::int8 \
     FROM ONLY public.ir_cron c JOIN pg_catalog.pg_stat_get_activity(NULL::integer) a ON a.backend_xid = c.xmax \
     WHERE c.xmax <> '0'::xid \
       AND a.datid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) \
       AND a.pid <> pg_backend_pid() \
       AND a.xact_start < now() - make_interval(secs => $1) \
     ORDER BY a.xact_start, c.id LIMIT 10";

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Running {
    pub id: i64,
    pub name: String,
    pub pid: i32,
    pub secs: i64,
}

impl Running {
    pub fn parse(rows: Vec<Row>) -> Vec<Running> {
        rows.iter()
            .map(|r| Running {
                id: r.get(0),
                name: r.get(1),
                pid: r.get(2),
                secs: r.get(3),
            })
            .collect()
    }
}

/// Odoo 18+ (`failure_count`, `first_failure_date`; absent before: n/a):
/// a failed run adds one to `failure_count` and sets `first_failure_date`
/// when it was 0; a success resets both (`_update_failure_count`).
pub const FAILING_SQL: &str = "SELECT count(*)::int8, coalesce(max(failure_count), 0)::int8, \
     (SELECT coalesce(cron_name::text, '') || ' (id ' || id || ': ' || failure_count || ' failures since ' \
        || coalesce(to_char(first_failure_date, 'YYYY-MM-DD HH24:MI'), '?') || ' UTC)' \
      FROM ONLY public.ir_cron WHERE active AND failure_count > 0 ORDER BY failure_count DESC, id LIMIT 1) \
     FROM ONLY public.ir_cron WHERE active AND failure_count > 0";

#[derive(Debug, Clone, Default)]
pub struct Failing {
    pub count: i64,
    pub max_failures: i64,
    pub worst: Option<String>,
}

impl Failing {
    pub fn parse(rows: Vec<Row>) -> Failing {
        rows.first()
            .map(|r| Failing {
                count: r.get(0),
                max_failures: r.get(1),
                worst: r.get(2),
            })
            .unwrap_or_default()
    }
}

/// Odoo 18+ switches a job off when it failed at least 5 times
/// (`MIN_FAILURE_COUNT_BEFORE_DEACTIVATION`) and its first failure is more
/// than 7 days old (`MIN_DELTA_BEFORE_DEACTIVATION`), with one raw
/// `UPDATE ir_cron SET failure_count = 0, first_failure_date = NULL,
/// active = false` (no `write_date`), after rescheduling it past now. What
/// it leaves: an inactive job, counters reset, and a last success
/// (`lastcall`, set only on success) more than 7 days plus one interval
/// before its `nextcall`. A job switched off by hand keeps `nextcall` about
/// one interval after its last success (or has never run: `lastcall`
/// NULL), so it is not listed. Jobs tenantctl's suspension switched off are
/// told apart by its record (`tenant.suspended_cron_ids`), after this.
pub const DEACTIVATED_SQL: &str =
    "SELECT id::int8, coalesce(cron_name::text, ''), to_char(lastcall, 'YYYY-MM-DD HH24:MI') \
     FROM ONLY public.ir_cron \
     WHERE NOT active AND coalesce(failure_count, 0) = 0 AND first_failure_date IS NULL \
       AND lastcall IS NOT NULL AND nextcall > lastcall + interval '7 days' + \
         (interval_number * CASE interval_type \
           WHEN 'minutes' THEN interval '1 minute' WHEN 'hours' THEN interval '1 hour' \
           WHEN 'weeks' THEN interval '7 days' WHEN 'months' THEN interval '1 month' \
           ELSE interval '1 day' END) \
     ORDER BY id LIMIT 50";

#[derive(Debug, Clone)]
pub struct Deactivated {
    pub id: i64,
    pub name: String,
    pub lastcall: String,
}

impl Deactivated {
    pub fn parse(rows: Vec<Row>) -> Vec<Deactivated> {
        rows.iter()
            .map(|r| Deactivated {
                id: r.get(0),
                name: r.get(1),
                lastcall: r.get(2),
            })
            .collect()
    }
}

/// `mail_mail` is Odoo's outgoing queue: `state = 'outgoing'` until the
/// job `mail.ir_cron_mail_scheduler_action` sends it, `exception` when
/// sending failed, with the reason in `failure_reason`; Odoo never retries
/// an exception (odoo-facts §8). $1: the age of queued mail, $2: the window
/// of failures (seconds). Mail scheduled for later (`scheduled_date`, whose
/// type changed across versions) is counted by its `create_date`. Bounded:
/// `state` has no index in Odoo, so only the newest 10,000 mails are read
/// (backwards on the primary key, `id` grows with time): a stuck queue
/// leaves its newest mails outgoing, and recent failures are recent rows.
pub const MAIL_SQL: &str = "SELECT count(*) FILTER (WHERE stuck), left(min(create_date) FILTER (WHERE stuck)::text, 19), \
       count(*) FILTER (WHERE failed), left(min(write_date) FILTER (WHERE failed)::text, 19), \
       (array_agg(failure_reason ORDER BY write_date DESC, id DESC) FILTER (WHERE failed))[1] \
     FROM (SELECT id, create_date, write_date, failure_reason, \
       state = 'outgoing' AND create_date < (now() AT TIME ZONE 'utc') - $1 * interval '1 second' AS stuck, \
       state = 'exception' AND write_date > (now() AT TIME ZONE 'utc') - $2 * interval '1 second' AS failed \
     FROM ONLY public.mail_mail ORDER BY id DESC LIMIT 10000) newest";

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub stuck: i64,
    pub stuck_since: Option<String>,
    pub failed: i64,
    pub failed_since: Option<String>,
    pub reason: Option<String>,
}

impl Mail {
    pub fn parse(rows: Vec<Row>) -> Mail {
        rows.first()
            .map(|r| Mail {
                stuck: r.get(0),
                stuck_since: r.get(1),
                failed: r.get(2),
                failed_since: r.get(3),
                reason: r.get(4),
            })
            .unwrap_or_default()
    }
}

/// With no active `ir_mail_server`, Odoo sends through the SMTP server of
/// its configuration file (default localhost:25). An active server whose
/// host is `invalid` is the stand-in of tenantctl's mail layer (or of a
/// neutralization): with it, every mail fails into `exception` and is lost.
pub const SERVERS_SQL: &str = "SELECT count(*) FILTER (WHERE active), \
     array_agg(id::int8 ORDER BY id) FILTER (WHERE active AND smtp_host = 'invalid') \
     FROM ONLY public.ir_mail_server";

#[derive(Debug, Clone, Default)]
pub struct Servers {
    pub active: i64,
    pub standins: Vec<i64>,
}

/// OCA `queue_job` (queue_job/job.py, models/queue_job.py): table
/// `queue_job`, `state` in wait_dependencies, pending, enqueued, started,
/// done, cancelled, failed; `date_created`, `date_started`, `eta` (not run
/// before). Jobs waiting past their `eta` for longer than $1 seconds, and
/// started ones not done after $1, mean the jobrunner does not serve the
/// database or a worker died mid-job.
pub const QUEUE_SQL: &str = "WITH q AS (SELECT state, date_created, date_started, eta FROM ONLY public.queue_job \
       WHERE state IN ('failed', 'pending', 'enqueued', 'started')), \
     lim AS (SELECT (now() AT TIME ZONE 'utc') - make_interval(secs => $1) AS t) \
     SELECT count(*) FILTER (WHERE state = 'failed')::int8, \
       count(*) FILTER (WHERE state IN ('pending', 'enqueued') AND date_created < lim.t \
                        AND (eta IS NULL OR eta < lim.t))::int8, \
       to_char(min(date_created) FILTER (WHERE state IN ('pending', 'enqueued') AND date_created < lim.t \
                        AND (eta IS NULL OR eta < lim.t)), 'YYYY-MM-DD HH24:MI'), \
       count(*) FILTER (WHERE state = 'started' AND date_started < lim.t)::int8 \
     FROM q, lim GROUP BY lim.t";

#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub failed: i64,
    pub pending_old: i64,
    pub oldest: Option<String>,
    pub started_stuck: i64,
}

impl Queue {
    pub fn parse(rows: Vec<Row>) -> Queue {
        rows.first()
            .map(|r| Queue {
                failed: r.get(0),
                pending_old: r.get(1),
                oldest: r.get(2),
                started_stuck: r.get(3),
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_oldest_job_is_read_back_from_its_key() {
        let c = |k: &str| super::Crons {
            oldest_key: Some(k.into()),
            ..Default::default()
        };
        assert_eq!(
            c("2026-12-01 00:00:00 0000000001 Mail: Email Queue Manager")
                .oldest()
                .as_deref(),
            Some("Mail: Email Queue Manager (id 1, due 2026-12-01 00:00 UTC)")
        );
        // Fractional seconds; a name as Odoo 16+ stores it (JSON); no name.
        assert_eq!(
            c("2026-12-01 09:30:00.5 0000000042 {\"en_US\": \"A b\"}")
                .oldest()
                .as_deref(),
            Some("{\"en_US\": \"A b\"} (id 42, due 2026-12-01 09:30 UTC)")
        );
        assert_eq!(
            c("2026-12-01 09:30:00 0000000007 ").oldest().as_deref(),
            Some(" (id 7, due 2026-12-01 09:30 UTC)")
        );
        assert_eq!(super::Crons::default().oldest(), None);
    }

    #[test]
    fn the_interval_is_spelt_once() {
        // The CASE of EVERY is repeated inside the const statements.
        let every = super::EVERY.split_once("CASE").unwrap().1;
        for s in [super::CRONS_SQL, super::DEACTIVATED_SQL] {
            let norm = |x: &str| x.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(norm(s).contains(&norm(every)), "{s}");
        }
    }
}
