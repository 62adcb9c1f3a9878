//! What a tenant could make tenantctl run: triggers, rewrite rules, and its
//! own functions in column defaults, constraints, index expressions and
//! row-security policies of the tables a write touches.
//!
//! The tenant's Odoo role owns the tenant database, and a tenant
//! administrator can run SQL as that role (server actions). Anything such
//! code attaches to `res_users`, `ir_config_parameter` or a signaling table
//! runs with *tenantctl's* privileges when tenantctl writes there: as a
//! superuser that is privilege escalation (`ALTER ROLE ... SUPERUSER` from a
//! trigger), and a trigger can also undo or fake what tenantctl writes.
//! Stock Odoo creates no triggers or rules on these tables, and their
//! defaults only call `nextval` (odoo-facts §5, §6): whatever else is found
//! was put there by someone, so writes refuse unless the operator says
//! `--allow-triggers`.
//!
//! The check runs inside the write's transaction before the first write and
//! again after the last one: once our UPDATE/INSERT holds its ROW EXCLUSIVE
//! table lock, no new trigger can be created (CREATE TRIGGER needs SHARE ROW
//! EXCLUSIVE), so a trigger that appeared in between is seen by the second
//! check and the transaction (and whatever the trigger did in it) is rolled
//! back.

use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::error::pg_error;

/// One thing found on a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// `trigger`, `rule`, `function`, `not a table`
    pub kind: String,
    pub name: String,
    pub table: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind.as_str() {
            "function" => write!(
                f,
                "function {} used by a default, constraint, index or policy of {}",
                self.name, self.table
            ),
            "not a table" => write!(
                f,
                "{} is not a plain table (relkind {})",
                self.table, self.name
            ),
            k => write!(f, "{k} {} on {}", self.name, self.table),
        }
    }
}

/// `$1`: table names in schema `public`. Functions with an oid below
/// 16384 (FirstNormalObjectId) are PostgreSQL's own; members of an extension
/// (pg_trgm, unaccent: C code shipped with PostgreSQL) are not the tenant's.
const GUARD_SQL: &str = "WITH t AS ( \
       SELECT c.oid AS rel, c.relname::text AS relname, c.relkind::text AS relkind \
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])) \
     SELECT 'trigger', tg.tgname::text, t.relname FROM pg_catalog.pg_trigger tg JOIN t ON tg.tgrelid = t.rel \
       WHERE NOT tg.tgisinternal \
     UNION ALL \
     SELECT 'rule', r.rulename::text, t.relname FROM pg_catalog.pg_rewrite r JOIN t ON r.ev_class = t.rel \
       WHERE r.rulename <> '_RETURN' \
     UNION ALL \
     SELECT 'not a table', t.relkind, t.relname FROM t WHERE t.relkind NOT IN ('r', 'p') \
     UNION ALL \
     SELECT DISTINCT 'function', p.oid::pg_catalog.regprocedure::text, t.relname \
       FROM pg_catalog.pg_depend d \
       JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid \
       JOIN t ON t.rel = CASE d.classid \
            WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = d.objid) \
            WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid = d.objid) \
            WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = d.objid) \
            WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT po.polrelid FROM pg_catalog.pg_policy po WHERE po.oid = d.objid) \
          END \
       WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid >= 16384 \
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
                         WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid AND e.deptype = 'e') \
     ORDER BY 3, 1, 2";

/// Everything found on `tables` (names in schema `public`).
pub async fn findings(
    client: &impl GenericClient,
    tables: &[&str],
) -> anyhow::Result<Vec<Finding>> {
    let rows = client
        .query_typed(GUARD_SQL, &[(&tables, Type::TEXT_ARRAY)])
        .await
        .map_err(|e| pg_error(&e).context("looking for triggers and rules"))?;
    Ok(rows
        .iter()
        .map(|r| Finding {
            kind: r.get(0),
            name: r.get(1),
            table: r.get(2),
        })
        .collect())
}

/// The refusal text for findings.
pub fn refusal(found: &[Finding]) -> String {
    let list: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    format!(
        "refusing to write: the tenant database has {} that would run with tenantctl's privileges: {}. \
         Stock Odoo has none of these; remove them, or rerun with --allow-triggers if they are known and trusted. Nothing changed",
        if found.len() == 1 { "an object" } else { "objects" },
        list.join("; ")
    )
}

/// The tables a write touches, with the signaling table of Odoo 19+.
pub fn tables(base: &[&'static str], signals: super::signal::Signals) -> Vec<&'static str> {
    let mut t = base.to_vec();
    t.extend(signals.tables());
    t
}
