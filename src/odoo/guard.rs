//! What a tenant could make tenantctl run: triggers, rewrite rules, and its
//! own functions in column defaults, constraints, index expressions,
//! row-security policies, triggers, rules and domains of the tables a write
//! touches, of their inheritance children and partitions, and of the domains
//! their columns are typed with.
//!
//! The tenant's Odoo role owns the tenant database, and a tenant
//! administrator can run SQL as that role (server actions). Anything such
//! code attaches to `res_users`, `ir_config_parameter` or a signaling table
//! runs with *tenantctl's* privileges when tenantctl writes there: as a
//! superuser that is privilege escalation (`ALTER ROLE ... SUPERUSER` from a
//! trigger), and a trigger can also undo or fake what tenantctl writes.
//! Stock Odoo creates no triggers, rules, child tables or domains on these
//! tables, and their defaults only call `nextval` (odoo-facts §5, §6):
//! whatever else is found was put there by someone, so writes refuse unless
//! the operator says `--allow-triggers`.
//!
//! What PostgreSQL runs on a write, and what the guard therefore looks at:
//! - an UPDATE or DELETE without `ONLY` also writes the rows of every
//!   inheritance child (and partition) and fires *their* triggers; tenantctl
//!   writes with `ONLY`, and the guard still refuses children and partitions
//!   that carry triggers, rules or tenant functions (an INSERT into a
//!   partitioned table is routed into a partition: partitioned tables are
//!   refused as not plain);
//! - a value stored into a column whose type is a domain runs the domain's
//!   CHECK constraints (and its default on INSERT), then those of its base
//!   domain, and so on; an array or composite of a domain checks each element
//!   or attribute. Domain constraints have no `conrelid` (it is 0): they are
//!   found through the column types;
//! - an operator in an expression runs its function (`oprcode`).
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
    /// The trigger, rule or function (`schema.name(argtypes)`, with the
    /// operator it implements if any); the relkind for `not a table`.
    pub name: String,
    /// The touched table (in schema `public`) it was found through.
    pub table: String,
    /// Where it is: the table (`evil (inherits res_users)` for a child) for
    /// a trigger, rule or `not a table`; what uses the function otherwise
    /// (`constraint c on res_users`, `domain public.d of
    /// ir_config_parameter.value`...).
    pub on: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind.as_str() {
            "function" => write!(f, "function {} used by {}", self.name, self.on),
            "not a table" => write!(
                f,
                "{} is not a plain table (relkind {})",
                self.on, self.name
            ),
            k => write!(f, "{k} {} on {}", self.name, self.on),
        }
    }
}

/// JIT compilation off for the session, where the server has it (11+; no
/// row, nothing set, before). [`GUARD_SQL`]'s recursive catalog walk is
/// estimated above `jit_above_cost`, so a server built with LLVM compiles
/// it on every run: ~95 ms of a ~110 ms run, twice per write (measured with
/// `EXPLAIN (ANALYZE)` on PostgreSQL 15), for a query that reads a few
/// hundred catalog rows. The session is tenantctl's own (one per tenant
/// and run); inside a transaction that rolls back, the setting goes with it.
const JIT_OFF_SQL: &str = "SELECT pg_catalog.set_config('jit', 'off', false) \
     WHERE pg_catalog.current_setting('jit', true) IS NOT NULL";

/// `$1`: table names in schema `public`. Columns: kind, name, the touched
/// table, where (see [`Finding`]).
///
/// - `rel`: the touched tables and, recursively through `pg_inherits`, their
///   inheritance children and partitions (an UPDATE/DELETE without `ONLY`
///   writes their rows and fires their triggers; an INSERT into a
///   partitioned table is routed into a partition). `via` says how each was
///   reached. PostgreSQL forbids inheritance cycles; the depth bound is a
///   safety net.
/// - `ty`: the type of every column of those tables and, recursively, the
///   types they are made of: a domain's base type, an array's element type, a
///   composite's attribute types, a range's subtype, a multirange's range
///   (its internal dependency). Storing a value checks the constraints of
///   every domain on the way (domain constraints have `conrelid = 0`, so
///   they are reached only through the types). Types below 16384
///   (FirstNormalObjectId) are PostgreSQL's own and made of its own types.
/// - `obj`: what can call a function on a write, by its `pg_depend`
///   identity: column defaults and generated columns (`pg_attrdef`), table
///   constraints, indexes (expressions and predicates), row-security
///   policies, triggers (function and WHEN), rules, domains (their defaults,
///   `pg_type`; range types their subtype_diff, same) and domain
///   constraints. An expression's dependencies name every function it calls
///   and every operator it uses (the operator's `oprcode` runs).
///
/// Triggers: PostgreSQL's own internal ones (foreign keys, deferred unique
/// checks) call its own functions; an internal trigger calling a tenant
/// function (a clone of a partitioned table's trigger on a partition) is
/// reported. Functions with an oid below 16384 are PostgreSQL's own. A
/// member of an extension is exempt only when the extension is owned by a
/// superuser: the owner of an extension may add any function it owns to it
/// (`ALTER EXTENSION ... ADD FUNCTION`), and a non-superuser can own one
/// (CREATE EXTENSION of a trusted extension).
const GUARD_SQL: &str = "WITH RECURSIVE rel(rel, root, name, via, relkind, depth) AS ( \
       SELECT c.oid, c.relname::text, c.relname::text, ''::text COLLATE pg_catalog.\"C\", c.relkind::text, 0 \
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE n.nspname = 'public' AND c.relname = ANY($1::text[]) \
       UNION ALL \
       SELECT c.oid, rel.root, \
              CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname::text || '.' || c.relname::text END, \
              ' (' || CASE WHEN c.relispartition THEN 'partition of ' ELSE 'inherits ' END || rel.name || rel.via || ')', \
              c.relkind::text, rel.depth + 1 \
       FROM rel JOIN pg_catalog.pg_inherits i ON i.inhparent = rel.rel \
       JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE rel.depth < 32), \
     ty(typ, root, col, chain, depth) AS ( \
       SELECT a.atttypid, rel.root, rel.name || '.' || a.attname::text || rel.via, a.atttypid::pg_catalog.regtype::text COLLATE pg_catalog.\"C\", 0 \
       FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.rel \
       WHERE a.attnum > 0 AND NOT a.attisdropped \
       UNION ALL \
       SELECT s.typ, ty.root, ty.col, s.typ::pg_catalog.regtype::text || ' (' || s.how || ' ' || ty.chain || ')', ty.depth + 1 \
       FROM ty JOIN pg_catalog.pg_type t ON t.oid = ty.typ \
       CROSS JOIN LATERAL ( \
         SELECT t.typbasetype AS typ, 'base type of' AS how WHERE t.typtype = 'd' \
         UNION ALL SELECT t.typelem, 'element type of' WHERE t.typcategory = 'A' AND t.typelem <> 0 \
         UNION ALL SELECT a.atttypid, 'type of attribute ' || a.attname::text || ' of' FROM pg_catalog.pg_attribute a \
           WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
         UNION ALL SELECT r.rngsubtype, 'subtype of' FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid \
         UNION ALL SELECT d.refobjid, 'range of' FROM pg_catalog.pg_depend d \
           WHERE t.typtype = 'm' AND d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid \
             AND d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype = 'i') s \
       WHERE ty.typ >= 16384 AND ty.depth < 16), \
     obj(classid, objid, root, what) AS ( \
       SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass, ad.oid, rel.root, 'the default of ' || rel.name || '.' || a.attname::text || rel.via \
       FROM rel JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = rel.rel \
       JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum \
       UNION ALL \
       SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid, rel.root, 'constraint ' || k.conname::text || ' on ' || rel.name || rel.via \
       FROM rel JOIN pg_catalog.pg_constraint k ON k.conrelid = rel.rel \
       UNION ALL \
       SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, rel.root, 'index ' || ic.relname::text || ' on ' || rel.name || rel.via \
       FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.rel JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
       UNION ALL \
       SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass, po.oid, rel.root, 'policy ' || po.polname::text || ' on ' || rel.name || rel.via \
       FROM rel JOIN pg_catalog.pg_policy po ON po.polrelid = rel.rel \
       UNION ALL \
       SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, tg.oid, rel.root, 'trigger ' || tg.tgname::text || ' on ' || rel.name || rel.via \
       FROM rel JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = rel.rel \
       UNION ALL \
       SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid, rel.root, 'rule ' || r.rulename::text || ' on ' || rel.name || rel.via \
       FROM rel JOIN pg_catalog.pg_rewrite r ON r.ev_class = rel.rel \
       UNION ALL \
       SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, ty.root, \
              CASE t.typtype WHEN 'd' THEN 'domain ' WHEN 'r' THEN 'range type ' ELSE 'type ' END || ty.chain || ' of ' || ty.col \
       FROM ty JOIN pg_catalog.pg_type t ON t.oid = ty.typ WHERE ty.typ >= 16384 \
       UNION ALL \
       SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid, ty.root, \
              'constraint ' || k.conname::text || ' of domain ' || ty.chain || ' of ' || ty.col \
       FROM ty JOIN pg_catalog.pg_constraint k ON k.contypid = ty.typ WHERE ty.typ >= 16384) \
     SELECT 'trigger', tg.tgname::text, rel.root, rel.name || rel.via FROM pg_catalog.pg_trigger tg JOIN rel ON tg.tgrelid = rel.rel \
       WHERE NOT tg.tgisinternal OR tg.tgfoid >= 16384 \
     UNION \
     SELECT 'rule', r.rulename::text, rel.root, rel.name || rel.via FROM pg_catalog.pg_rewrite r JOIN rel ON r.ev_class = rel.rel \
       WHERE r.rulename <> '_RETURN' \
     UNION \
     SELECT 'not a table', rel.relkind, rel.root, rel.name || rel.via FROM rel WHERE rel.relkind <> 'r' \
     UNION \
     $OBJ_FUNCTIONS \
     ORDER BY 3, 1, 4, 2";

/// The tenant's functions (and operators' functions) that the objects of a
/// CTE `obj(classid, objid, root, what)` depend on (`pg_depend`): columns
/// kind, name, table, where (as [`Finding`]). Below 16384: PostgreSQL's
/// own. A member of an extension is exempt only when a superuser owns the
/// extension. Shared with the read gate (`gate`).
pub(super) const OBJ_FUNCTIONS: &str = "SELECT 'function', p.oid::pg_catalog.regprocedure::text || f.op, obj.root, obj.what \
       FROM obj CROSS JOIN LATERAL ( \
         SELECT d.refobjid AS fn, '' AS op FROM pg_catalog.pg_depend d \
           WHERE d.classid = obj.classid AND d.objid = obj.objid AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
         UNION ALL \
         SELECT o.oprcode::oid, ' (operator ' || o.oid::pg_catalog.regoperator::text || ')' FROM pg_catalog.pg_depend d \
           JOIN pg_catalog.pg_operator o ON o.oid = d.refobjid \
           WHERE d.classid = obj.classid AND d.objid = obj.objid AND d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass) f \
       JOIN pg_catalog.pg_proc p ON p.oid = f.fn \
       WHERE p.oid >= 16384 AND NOT $SUPERUSER_EXTENSION_MEMBER";

/// `p.oid` is a member of an extension a superuser owns.
pub(super) const SUPERUSER_EXTENSION_MEMBER: &str = "EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
       JOIN pg_catalog.pg_extension x ON x.oid = e.refobjid \
       JOIN pg_catalog.pg_roles xo ON xo.oid = x.extowner \
       WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid \
         AND e.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND e.deptype = 'e' \
         AND xo.rolsuper)";

/// [`OBJ_FUNCTIONS`] with its exemption spelt out.
pub(super) fn obj_functions() -> String {
    OBJ_FUNCTIONS.replace("$SUPERUSER_EXTENSION_MEMBER", SUPERUSER_EXTENSION_MEMBER)
}

/// [`GUARD_SQL`] with [`OBJ_FUNCTIONS`] in place.
fn guard_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| GUARD_SQL.replace("$OBJ_FUNCTIONS", &obj_functions()))
}

/// Everything found on `tables` (names in schema `public`).
pub async fn findings(
    client: &impl GenericClient,
    tables: &[&str],
) -> anyhow::Result<Vec<Finding>> {
    // Sent together (one round trip, run in this order): JIT off first.
    let params = [(
        &tables as &(dyn tokio_postgres::types::ToSql + Sync),
        Type::TEXT_ARRAY,
    )];
    let (jit, rows) = tokio::join!(
        client.query_typed(JIT_OFF_SQL, &[]),
        client.query_typed(guard_sql(), &params)
    );
    jit.map_err(|e| pg_error(&e).context("switching JIT off"))?;
    let rows = rows.map_err(|e| pg_error(&e).context("looking for triggers and rules"))?;
    Ok(rows
        .iter()
        .map(|r| Finding {
            kind: r.get(0),
            name: r.get(1),
            table: r.get(2),
            on: r.get(3),
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
