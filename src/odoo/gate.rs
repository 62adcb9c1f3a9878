//! The check every connection to a tenant database passes before tenantctl
//! reads anything in it: nothing the tenant attached to the tables tenantctl
//! reads may make PostgreSQL run the tenant's code while tenantctl plans or
//! runs a read.
//!
//! A `SELECT` is not inert. When PostgreSQL plans a query on a table it
//! loads the table's index expressions and predicates and its statistics
//! expressions and folds their constant parts: a zero-argument function the
//! tenant declared `IMMUTABLE` runs then, as the role that reads (tenantctl,
//! often a superuser), and may call any other function (measured on
//! PostgreSQL 15: a partial index `WHERE public.f() = 1` on
//! `ir_config_parameter` ran `f` as `postgres` when a superuser counted the
//! table's rows). A view in place of a table runs whatever it selects; a
//! child table is planned with its parent (reads without `ONLY`); a column
//! of a type the tenant made brings its casts into tenantctl's expressions.
//! Stock Odoo makes none of these on its tables (odoo-facts §5, §6): its
//! tables are plain, its indexes and constraints use PostgreSQL's own
//! functions, and functions of extensions a superuser installed (`pg_trgm`,
//! `unaccent`) count as PostgreSQL's.
//!
//! The statements read only `pg_catalog`, so they run nothing of the
//! tenant. A cheap first look ([`FIRST_LOOK_SQL`]) is sent with the session
//! settings, in the connection's first round trip; only when it sees
//! something does the closer look ([`GATE_SQL`]) run, in a second one, and
//! name what it finds. A connection that fails the check is never handed
//! out, so no command can read before it. In the same round trip, sessions on servers that have it
//! (12.20, 13.16, 14.13, 15.8, 16.4, 17 and later) get
//! `restrict_nonsystem_relation_kind = 'view, foreign-table'` (PostgreSQL's
//! own guard for pg_dump): a view put in place of a table after the check is
//! an error, never run. Row security needs no check: the session setting
//! `row_security = off` (see `transport`) makes reading a table with
//! policies an error for any role that does not bypass them.
//!
//! What stays open: an index or statistics object the tenant creates in the
//! milliseconds between this check and a read (CREATE INDEX does not wait for
//! a reader's lock), and a view swapped in on a server without the setting.
//! Writes check their tables again under their locks (`guard`); the
//! least-privilege role of docs/security.md bounds what such code could do.

use tokio_postgres::SimpleQueryMessage;

use super::guard::Finding;
use crate::model::Pooler;
use crate::transport::{OnConnect, Verdict};

/// Every table of schema `public` that tenantctl names in a statement (a
/// unit test keeps this list complete): the ones it reads and the ones it
/// writes (the write guard checks those again, inside the write).
pub const TABLES: [&str; 38] = [
    "account_edi_proxy_client_user",
    "auth_oauth_provider",
    "base_cache_signaling",
    "base_cache_signaling_default",
    "certificate_certificate",
    "certificate_key",
    "delivery_carrier",
    "fetchmail_server",
    "google_calendar_credentials",
    "iap_account",
    "ir_act_server",
    "ir_attachment",
    "ir_config_parameter",
    "ir_cron",
    "ir_cron_trigger",
    "ir_mail_server",
    "ir_model_data",
    "ir_module_module",
    "ir_ui_view",
    "mail_mail",
    "mail_notification_web_push",
    "mail_partner_device",
    "mail_push",
    "mail_push_device",
    "mail_template",
    "microsoft_calendar_credentials",
    "orm_signaling_default",
    "orm_signaling_stable",
    "payment_provider",
    "pos_payment_method",
    "queue_job",
    "res_company",
    "res_groups_users_rel",
    "res_partner",
    "res_users",
    "res_users_log",
    "res_users_settings",
    "website",
];

/// The first look, cheap (one index scan of `pg_depend`, one of
/// `pg_class`): is there anything at all the closer look ([`GATE_SQL`])
/// could find? A tenant function (or operator) that an index, a constraint,
/// a statistics object or a cast of the database depends on, or one of
/// [`TABLES`] that is not a plain table or has (had) a child. A stock Odoo
/// database has none, so the closer look (a few ms of planning) runs only
/// when needed. Functions of extensions count here (a trigram index on
/// `unaccent`, PostGIS's casts): the closer look tells them apart.
///
/// The same statement sets `restrict_nonsystem_relation_kind` where the
/// server knows it (`$LOCAL`: `true` inside PgBouncer's transaction, where a
/// session setting would outlive tenantctl's client); `current_setting(..,
/// true)` is NULL where it does not exist.
const FIRST_LOOK_SQL: &str = "SELECT CASE WHEN pg_catalog.current_setting('restrict_nonsystem_relation_kind', true) IS NOT NULL \
       THEN pg_catalog.set_config('restrict_nonsystem_relation_kind', 'view, foreign-table', $LOCAL) END, \
     EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
       WHERE d.refclassid IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_operator'::pg_catalog.regclass) \
         AND d.refobjid >= 16384 \
         AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_constraint'::pg_catalog.regclass, \
                           'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, 'pg_catalog.pg_cast'::pg_catalog.regclass)) \
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::pg_catalog.regnamespace \
                AND c.relname = ANY ($TABLES::text[]) AND (c.relkind NOT IN ('r', 'S') OR c.relhassubclass))";

/// Columns: kind, name, table, where (as [`Finding`]). `$TABLES`: the
/// array literal of [`TABLES`].
///
/// - `rel`: the tables and, recursively, their inheritance children and
///   partitions (a read without `ONLY` plans them too; stock Odoo has none).
/// - `obj`: what the planner folds: index expressions and predicates,
///   statistics objects, constraints (constraint exclusion), reaching their
///   functions and operators through `pg_depend`.
/// - casts: a column whose type (or a domain's base type) the tenant made
///   brings its casts into tenantctl's expressions: an implicit cast to
///   `text` runs its function when tenantctl compares the column.
///
/// Functions below 16384 are PostgreSQL's own; members of an extension owned
/// by a superuser count as PostgreSQL's (the write guard's rule, see `guard`).
const GATE_SQL: &str = "WITH RECURSIVE rel(oid, root, name, relkind, depth) AS ( \
       SELECT c.oid, c.relname::text, c.relname::text, c.relkind::text, 0 \
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE n.nspname = 'public' AND c.relname = ANY ($TABLES::text[]) \
       UNION ALL \
       SELECT c.oid, rel.root, c.oid::pg_catalog.regclass::text || ' (child of ' || rel.name || ')', c.relkind::text, rel.depth + 1 \
       FROM rel JOIN pg_catalog.pg_inherits h ON h.inhparent = rel.oid JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid \
       WHERE rel.depth < 32), \
     obj(classid, objid, root, what) AS ( \
       SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, rel.root, 'index ' || ic.relname::text || ' on ' || rel.name \
       FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
       UNION ALL \
       SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid, rel.root, 'constraint ' || k.conname::text || ' on ' || rel.name \
       FROM rel JOIN pg_catalog.pg_constraint k ON k.conrelid = rel.oid \
       UNION ALL \
       SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, s.oid, rel.root, 'statistics ' || s.stxname::text || ' on ' || rel.name \
       FROM rel JOIN pg_catalog.pg_statistic_ext s ON s.stxrelid = rel.oid), \
     coltype(typ, root, col) AS ( \
       SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, rel.root, rel.name || '.' || a.attname::text \
       FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
       WHERE a.attnum > 0 AND NOT a.attisdropped AND a.atttypid >= 16384) \
     SELECT 'not a table', rel.relkind, rel.root, rel.name FROM rel WHERE rel.relkind NOT IN ('r', 'S') \
     UNION ALL $OBJ_FUNCTIONS \
     UNION ALL SELECT 'function', p.oid::pg_catalog.regprocedure::text, coltype.root, \
            'cast from ' || coltype.typ::pg_catalog.regtype::text || ' of ' || coltype.col \
       FROM coltype JOIN pg_catalog.pg_cast k ON k.castsource = coltype.typ \
       JOIN pg_catalog.pg_proc p ON p.oid = k.castfunc \
       WHERE p.oid >= 16384 AND NOT $SUPERUSER_EXTENSION_MEMBER \
     ORDER BY 3, 1, 4, 2";

/// The refusal: what was found, in the tenant's words (escaped when shown).
#[derive(Debug, Clone)]
pub struct Unsafe(pub Vec<Finding>);

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list: Vec<String> = self.0.iter().map(|x| x.to_string()).collect();
        write!(
            f,
            "refusing to read this database: it has {} that PostgreSQL would run with tenantctl's privileges \
             when tenantctl reads its tables: {}. Stock Odoo has none of these; remove them, or rerun with \
             --allow-triggers if they are known and trusted. Nothing was read or changed",
            if self.0.len() == 1 { "an object" } else { "objects" },
            list.join("; ")
        )
    }
}

impl std::error::Error for Unsafe {}

/// The check as the transport runs it after connecting.
#[derive(Debug, Default)]
pub struct Gate;

impl Gate {
    fn tables_literal() -> String {
        // Fixed names of this module (lower-case letters, digits, `_`): no
        // quoting needed inside the array literal.
        format!("'{{{}}}'", TABLES.join(","))
    }
}

impl OnConnect for Gate {
    fn sql(&self, pooler: Pooler) -> String {
        let local = if pooler == Pooler::Transaction {
            "true"
        } else {
            "false"
        };
        FIRST_LOOK_SQL
            .replace("$LOCAL", local)
            .replace("$TABLES", &Self::tables_literal())
    }

    fn verdict(&self, messages: &[SimpleQueryMessage]) -> Verdict {
        // The first look's one row (the session settings before it, behind
        // PgBouncer, return none).
        let seen = messages.iter().rev().find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(1) == Some("t")),
            _ => None,
        });
        match seen {
            Some(false) => Verdict::Pass,
            Some(true) => Verdict::Inspect(
                GATE_SQL
                    .replace("$OBJ_FUNCTIONS", &super::guard::obj_functions())
                    .replace(
                        "$SUPERUSER_EXTENSION_MEMBER",
                        super::guard::SUPERUSER_EXTENSION_MEMBER,
                    )
                    .replace("$TABLES", &Self::tables_literal()),
            ),
            None => Verdict::Refuse(anyhow::anyhow!("the database check returned no answer")),
        }
    }

    fn inspected(&self, messages: &[SimpleQueryMessage]) -> anyhow::Result<()> {
        let found: Vec<Finding> = messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some(Finding {
                    kind: r.get(0).unwrap_or_default().to_string(),
                    name: r.get(1).unwrap_or_default().to_string(),
                    table: r.get(2).unwrap_or_default().to_string(),
                    on: r.get(3).unwrap_or_default().to_string(),
                }),
                _ => None,
            })
            .collect();
        if found.is_empty() {
            Ok(())
        } else {
            Err(anyhow::Error::new(crate::error::Refusal(
                Unsafe(found).to_string(),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `public.<table>` named anywhere in the sources is checked.
    #[test]
    fn every_table_named_in_a_statement_is_checked() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = std::collections::BTreeSet::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("public.") {
                    let name: String = text[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                        .collect();
                    // `public.d` is a domain in a comment of guard.rs.
                    if name.len() > 1 && !TABLES.contains(&name.as_str()) {
                        missing.insert(name);
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in gate::TABLES: {missing:?}");
        let mut sorted = TABLES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, TABLES, "keep TABLES sorted");
    }
}
