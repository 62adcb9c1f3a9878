//! Odoo-shaped tenant databases (12.0 to 19.0), built with plain SQL from what Odoo's
//! own source creates: real table/column names, types, NOT NULL/UNIQUE/CHECK
//! constraints with Odoo's constraint names, the xmlids of the special users, the
//! `ir_config_parameter` keys Odoo sets at database creation, and the cache signaling
//! objects of each version family.
//!
//! Layout of a tenant made by [`create_tenant`] (ids are stable for a given spec, but
//! tests should resolve special users through `ir_model_data`, as tenantctl must):
//!
//! | id | login | active | share | password | xmlid (base.) |
//! |---|---|---|---|---|---|
//! | 1 | `__system__` | false | false | NULL | user_root |
//! | 2 | admin (`spec.admin_login`) | true | false | hash of [`ADMIN_PASSWORD`] | user_admin |
//! | 3 | `public` | false | true | NULL | public_user |
//! | 4 | `default` (12–18 only) | false | false | NULL | default_user |
//! | next | `portaltemplate` | false | true | NULL | template_portal_user_id |
//! | next.. | `user1`..`userN` | true | false | hash of [`USER_PASSWORD`] | |
//! | next.. | `portal1`..`portalM` | true | true | hash of [`USER_PASSWORD`] | |
//! | next.. | `archived1`..`archivedK` | false | false | hash of [`USER_PASSWORD`] | |
//!
//! - `user1` (or admin when there are no internal users) has `totp_secret` set (14+,
//!   where `auth_totp` exists; 12/13 have no `totp_secret` column at all).
//! - `res_users_apikeys` exists from 14 on (API keys came with 14.0): admin and `user1`
//!   have one key each; 12/13 have no such table.
//! - Hashes: 16+ `$pbkdf2-sha512$600000$...`, 12–15 `$pbkdf2-sha512$25000$...`
//!   (passlib's default rounds, what those versions write).
//! - `res_users_log`: admin's newest row is exactly `spec.last_login` (so the tenant's
//!   last login = `max(create_date)` = `spec.last_login`); other users have older rows;
//!   no rows at all when `last_login` is None.
//! - ICP: `database.secret`, `database.uuid`, `database.create_date` are fresh per
//!   tenant (regenerated after cloning the template, as Odoo's duplicate does),
//!   `web.base.url`, `base.login_cooldown_after`, `base.login_cooldown_duration`,
//!   `base.template_portal_user_id`; `tenant.suspended` = 'true' when
//!   `spec.suspended_by_old_agent`; `auth_password_policy.minlength` when
//!   `spec.password_policy_minlength` is set (module installed too).
//! - `spec.shop_modules` (16+): website, payment and delivery installed with the
//!   tables their `neutralize.sql` writes (see `neutralize_data_sql`).
//! - Each cluster keeps one template database per distinct spec (`tmpl_<hash>`, marked
//!   `datistemplate` and `ALLOW_CONNECTIONS false`, so Odoo's own database list would
//!   not show it either); tenants are `CREATE DATABASE .. TEMPLATE` copies of it.
//!   The default spec's template is in every cluster from its start: it is built
//!   once into the harness's cached pristine data directory ([`cached_templates`]).

use crate::harness::{quote_ident, quote_literal, write_inventory, Cluster};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// Password of the admin user of every fixture tenant.
pub const ADMIN_PASSWORD: &str = "admin";
/// Password of every other fixture user with a password.
pub const USER_PASSWORD: &str = "user-pass";

/// passlib `pbkdf2_sha512` hash of "admin" at 600000 rounds (Odoo 16+ default).
pub const ADMIN_HASH_600K: &str = "$pbkdf2-sha512$600000$wzhnjPF.DyHE2JvTGkPIeQ$9N1uejHg7JoDDRvZSi5GmhB0zZ9Cdro/7BVjJpBBHhqjuqux7ZrPRRbaSmsA9hyYsK3LyQZm6XoXUYf6Vk3WyQ";
/// passlib `pbkdf2_sha512` hash of "admin" at 25000 rounds (Odoo 12–15, passlib default).
pub const ADMIN_HASH_25K: &str = "$pbkdf2-sha512$25000$4nzP2TvnvNc6JySEEOIcww$QkjwEMA0L0FE6lydYOnz./yTpIVFqHp9Cll2DMFywg2ncqyz9NZtHqKyfJ9t7npWr5qKI60IqpUC2N24j9tpGw";
/// passlib `pbkdf2_sha512` hash of "user-pass" at 600000 rounds.
pub const USER_HASH_600K: &str = "$pbkdf2-sha512$600000$yrl3bo1xbi3lHMN4b80ZIw$yB0b90w3azZ.wJTr4fOCWvdGGJTdwmqb2HUzaAQ4eadEqvFHfZWdO8xVLIknjy/3p5uu0WscCZBDk3vHMUiqNg";
/// passlib `pbkdf2_sha512` hash of "user-pass" at 25000 rounds.
pub const USER_HASH_25K: &str = "$pbkdf2-sha512$25000$K8XYO4eQck7Jec/5H4OQcg$9L2WZK5aG4PSOSs2UrTxO9X9aXJ7BW1CZuhTcrPQy.aeeOMx4WQ79qmP7BulHzCjPA8.NYsolCUshqCXfFf3GQ";

/// API keys of the fixture (14+): (owner, name, clear key, stored hash). Odoo stores
/// `index` = first 8 chars of the key and `key` = pbkdf2_sha512 (6000 rounds) of it.
pub const API_KEYS: [(&str, &str, &str, &str); 2] = [
    (
        "admin",
        "backup script",
        "3f1c0a9b5e7d42c68a0b1d2e3f405162738495a6",
        "$pbkdf2-sha512$6000$zNnbew/BmJOSknIuBeD8nw$nsqjMXCU/5R96fO/t0jffCLRGu6wVq4uRoL4075eZCHj/s3GnAlP5r7jm06H4BBLnZj1dh27pBYZyguhN.YORg",
    ),
    (
        "user1",
        "integration",
        "b7e2d4f6a8c01e3f5a7b9c1d2e4f60718293a4b5",
        "$pbkdf2-sha512$6000$2luLUYoRwnjPGQNgTOk9pw$h3PhvhanhPbJyPD7oLfsSLx1n4CgVsZV9OOGwKZntW37fmUsEBpm4FiJvQKFB6PcjZEZQw6Lx12wi5Itsw/wIw",
    ),
];

/// TOTP secret stored for the 2FA user.
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Default `spec.last_login` (UTC, Odoo's `%Y-%m-%d %H:%M:%S`).
pub const DEFAULT_LAST_LOGIN: &str = "2026-11-01 10:00:00";

/// What kind of Odoo tenant to build.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantSpec {
    /// 12..=19
    pub odoo_major: u32,
    /// Login of base.user_admin (Odoo uses "admin" or the e-mail given at creation).
    pub admin_login: String,
    /// Active internal users besides admin: `user1..userN`.
    pub internal_users: usize,
    /// Active portal users (share = true): `portal1..portalM`.
    pub portal_users: usize,
    /// Archived internal users (active = false on purpose): `archived1..archivedK`.
    pub archived_users: usize,
    /// Newest `res_users_log.create_date` (UTC, 'YYYY-MM-DD HH:MM:SS'); None = nobody
    /// ever logged in.
    pub last_login: Option<String>,
    /// An older suspension tool left ICP `tenant.suspended` = 'true' (users untouched).
    pub suspended_by_old_agent: bool,
    /// Install `auth_password_policy` with this ICP `auth_password_policy.minlength`.
    pub password_policy_minlength: Option<u32>,
    /// 16+: `website`, `payment` and `delivery` installed, with the tables
    /// their `data/neutralize.sql` writes (and `ir_ui_view`, `mail_template`
    /// of web and mail), see [`neutralize_data_sql`].
    pub shop_modules: bool,
}

impl Default for TenantSpec {
    fn default() -> Self {
        TenantSpec {
            odoo_major: 16,
            admin_login: "admin".into(),
            internal_users: 3,
            portal_users: 2,
            archived_users: 1,
            last_login: Some(DEFAULT_LAST_LOGIN.into()),
            suspended_by_old_agent: false,
            password_policy_minlength: None,
            shop_modules: false,
        }
    }
}

impl TenantSpec {
    /// Default spec for another Odoo major.
    pub fn for_major(odoo_major: u32) -> Self {
        TenantSpec {
            odoo_major,
            ..Default::default()
        }
    }
}

/// (active internal users excluding id 1, active portal users) of a fresh tenant:
/// what `count(*) FILTER (WHERE active AND NOT share)` / `(WHERE active AND share)` give.
pub fn expected_counts(spec: &TenantSpec) -> (usize, usize) {
    (1 + spec.internal_users, spec.portal_users)
}

/// `latest_version` of module `base` for a major, e.g. "16.0.1.3".
pub fn base_version(odoo_major: u32) -> String {
    format!("{odoo_major}.0.1.3")
}

/// The cache signaling objects Odoo creates, per family: (name, is_table).
/// 12–16 sequences; 17–18 sequences per cache; 19+ tables `orm_signaling_*`.
pub fn signaling_objects(odoo_major: u32) -> Vec<(String, bool)> {
    match odoo_major {
        ..=16 => vec![
            ("base_registry_signaling".into(), false),
            ("base_cache_signaling".into(), false),
        ],
        17 | 18 => {
            let mut v = vec![("base_registry_signaling".to_string(), false)];
            let mut caches = vec!["default", "assets", "templates", "routing"];
            if odoo_major >= 18 {
                caches.push("groups");
            }
            v.extend(
                caches
                    .into_iter()
                    .map(|c| (format!("base_cache_signaling_{c}"), false)),
            );
            v
        }
        _ => [
            "registry",
            "default",
            "assets",
            "templates",
            "routing",
            "groups",
            "stable",
        ]
        .into_iter()
        .map(|c| (format!("orm_signaling_{c}"), true))
        .collect(),
    }
}

/// The object tenantctl must bump after changing res_users/ICP (Odoo's cache signaling per version family).
pub fn cache_signal_object(odoo_major: u32) -> &'static str {
    match odoo_major {
        ..=16 => "base_cache_signaling",
        17 | 18 => "base_cache_signaling_default",
        _ => "orm_signaling_default",
    }
}

/// Current value of every signaling object present in `db` (sequence `last_value`,
/// or `max(id)` of a signaling table), by name. Compare before/after a command.
pub fn signal_counters(cluster: &Cluster, db: &str) -> BTreeMap<String, i64> {
    let objs = cluster.rows(
        db,
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND (c.relname IN ('base_registry_signaling', 'base_cache_signaling') \
         OR c.relname LIKE 'base\\_cache\\_signaling\\_%' \
         OR (c.relname LIKE 'orm\\_signaling\\_%' AND c.relkind = 'r')) ORDER BY 1",
    );
    let mut out = BTreeMap::new();
    for r in objs {
        let q = if r[1] == "S" {
            format!("SELECT last_value FROM {}", quote_ident(&r[0]))
        } else {
            format!("SELECT coalesce(max(id), 0) FROM {}", quote_ident(&r[0]))
        };
        out.insert(r[0].clone(), cluster.sql(db, &q).parse().unwrap());
    }
    out
}

/// Value of ICP `key`, None when absent.
pub fn icp(cluster: &Cluster, db: &str, key: &str) -> Option<String> {
    let rows = cluster.rows(
        db,
        &format!(
            "SELECT value FROM ir_config_parameter WHERE key = {}",
            quote_literal(key)
        ),
    );
    rows.into_iter().next().map(|mut r| r.swap_remove(0))
}

/// Tenant's last login: `max(res_users_log.create_date)` as 'YYYY-MM-DD HH:MM:SS'.
pub fn last_login(cluster: &Cluster, db: &str) -> Option<String> {
    let v = cluster.sql(
        db,
        "SELECT to_char(max(create_date), 'YYYY-MM-DD HH24:MI:SS') FROM res_users_log",
    );
    (!v.is_empty()).then_some(v)
}

/// Odoo's login rule in SQL: a user with this login exists among **active** users
/// (portal users included) and has a password set. (Whether the hash verifies is
/// [`login_works`].)
pub fn login_possible(cluster: &Cluster, db: &str, login: &str) -> bool {
    cluster.sql(
        db,
        &format!(
            "SELECT EXISTS (SELECT 1 FROM res_users WHERE login = {} AND active \
             AND password IS NOT NULL AND password <> '')",
            quote_literal(login)
        ),
    ) == "t"
}

/// Full login emulation: [`login_possible`] and passlib (Odoo's CryptContext for
/// `odoo_major`, rounds from ICP `password.hashing.rounds`) verifies `password`.
/// A malformed hash (passlib raises: Odoo answers a server error) gives false.
pub fn login_works(
    cluster: &Cluster,
    db: &str,
    login: &str,
    password: &str,
    odoo_major: u32,
) -> bool {
    if !login_possible(cluster, db, login) {
        return false;
    }
    let hash = cluster.sql(
        db,
        &format!(
            "SELECT password FROM res_users WHERE login = {} AND active",
            quote_literal(login)
        ),
    );
    let rounds = icp(cluster, db, "password.hashing.rounds").and_then(|r| r.parse().ok());
    crate::harness::try_passlib_check(Some(&hash), password, odoo_major, rounds)
        .map(|v| v.verifies)
        .unwrap_or(false)
}

/// Stored password hash of `login` (None when NULL or no such user).
pub fn password_hash(cluster: &Cluster, db: &str, login: &str) -> Option<String> {
    let rows = cluster.rows(
        db,
        &format!(
            "SELECT password IS NULL, password FROM res_users WHERE login = {}",
            quote_literal(login)
        ),
    );
    rows.into_iter()
        .next()
        .filter(|r| r[0] == "f")
        .map(|mut r| r.swap_remove(1))
}

/// (id, login, active, share) of every user, by id.
pub fn user_states(cluster: &Cluster, db: &str) -> Vec<(i64, String, bool, bool)> {
    cluster
        .rows(
            db,
            "SELECT id, login, coalesce(active, false), coalesce(share, false) FROM res_users ORDER BY id",
        )
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].clone(), r[2] == "t", r[3] == "t"))
        .collect()
}

/// res_users id of `base.<xmlid>` (e.g. "user_admin", "public_user"), via ir_model_data.
pub fn xmlid_user(cluster: &Cluster, db: &str, xmlid: &str) -> Option<i64> {
    let v = cluster.sql(
        db,
        &format!(
            "SELECT res_id FROM ir_model_data WHERE module = 'base' AND model = 'res.users' AND name = {}",
            quote_literal(xmlid)
        ),
    );
    v.parse().ok()
}

/// Creates a plain, non-Odoo database (one unrelated table).
pub fn create_plain_db(cluster: &Cluster, name: &str) {
    cluster.sql(
        "postgres",
        &format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            quote_ident(name)
        ),
    );
    cluster.sql(
        name,
        "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); \
         INSERT INTO notes (body) VALUES ('not an Odoo database');",
    );
}

/// Creates an Odoo-shaped tenant database `dbname` (any name: quoted properly) owned
/// by `postgres`.
/// A cluster `cluster` holding the tenants `dbs` ([`TenantSpec::default`]) and an
/// inventory naming it `node`, in a fresh temp dir: (cluster, dir, inventory).
pub fn tenants_on_one_node<S: AsRef<str>>(
    cluster: &str,
    node: &str,
    dbs: &[S],
) -> (Cluster, tempfile::TempDir, PathBuf) {
    let c = Cluster::start(cluster);
    for db in dbs {
        create_tenant(&c, db.as_ref(), &TenantSpec::default());
    }
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), &[(node, &c)], "");
    (c, dir, inv)
}

pub fn create_tenant(cluster: &Cluster, dbname: &str, spec: &TenantSpec) {
    create_tenant_inner(cluster, dbname, spec, None);
}

/// Like [`create_tenant`], but the database and every table/sequence in it are owned
/// by role `owner` (as when an Odoo server's role created it).
pub fn create_tenant_owned(cluster: &Cluster, dbname: &str, spec: &TenantSpec, owner: &str) {
    create_tenant_inner(cluster, dbname, spec, Some(owner));
}

fn create_tenant_inner(cluster: &Cluster, dbname: &str, spec: &TenantSpec, owner: Option<&str>) {
    create_tenants(cluster, &[(dbname, spec, owner)]);
}

/// Creates the tenants `(database, spec, owner: None for postgres)` on
/// `cluster` as [`create_tenant`] and [`create_tenant_owned`] do, with one
/// psql session for all of them (the `CREATE DATABASE`s, then each
/// tenant's fresh identity via `\c`) instead of two per tenant.
pub fn create_tenants(cluster: &Cluster, tenants: &[(&str, &TenantSpec, Option<&str>)]) {
    if tenants.is_empty() {
        return;
    }
    let t0 = std::time::Instant::now();
    // Hold the cluster's template lock while cloning: CREATE DATABASE refuses a template
    // that another session is using, and the template is built only once.
    let mut templates = cluster.templates.lock().unwrap_or_else(|e| e.into_inner());
    let mut create = String::new();
    for (dbname, spec, owner) in tenants {
        assert!(
            (12..=19).contains(&spec.odoo_major),
            "odoo_major {} outside 12..=19",
            spec.odoo_major
        );
        let key = template_key(spec);
        let tmpl = match templates.get(&key) {
            Some(t) => t.clone(),
            None => {
                let t = template_name(spec);
                build_template(cluster, &t, spec);
                templates.insert(key, t.clone());
                t
            }
        };
        let owner_sql = owner
            .map(|o| format!(" OWNER {}", quote_ident(o)))
            .unwrap_or_default();
        let _ = writeln!(
            create,
            "CREATE DATABASE {} ENCODING 'unicode' TEMPLATE {}{owner_sql}{};",
            quote_ident(dbname),
            quote_ident(&tmpl),
            file_copy(cluster)
        );
    }
    // psql runs the statements of its input one by one (CREATE DATABASE
    // cannot run inside a transaction block); then, in the same session,
    // each tenant's fresh identity via `\connect`.
    let mut own_session = Vec::new();
    for (dbname, _, owner) in tenants {
        match psql_connect_line(dbname) {
            Some(connect) => {
                create.push_str(&connect);
                create.push_str(&identity_sql(*owner));
            }
            // A name psql would read as a connection string: its own session.
            None => own_session.push((dbname, owner)),
        }
    }
    cluster.sql("postgres", &create);
    drop(templates);
    for (dbname, owner) in own_session {
        cluster.sql(dbname, &identity_sql(*owner));
    }
    if std::env::var_os("TC_TEST_VERBOSE").is_some() {
        eprintln!("{} tenant(s) created in {:?}", tenants.len(), t0.elapsed());
    }
}

/// ` STRATEGY FILE_COPY` where the server has it (15+): copying the
/// template's files is about twice as fast as the default WAL_LOG for these
/// small databases (the checkpoint it needs is cheap with `fsync = off`).
fn file_copy(cluster: &Cluster) -> &'static str {
    static SINCE_15: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let since_15 = *SINCE_15.get_or_init(|| {
        let v = cluster.sql("postgres", "SHOW server_version_num");
        v.trim().parse::<u32>().is_ok_and(|n| n >= 150_000)
    });
    if since_15 {
        " STRATEGY FILE_COPY"
    } else {
        ""
    }
}

/// psql's `\connect` to database `db` (keeping host, port and user), as a
/// line of a script, for names of letters, digits, `_`, `-` and `.` only;
/// None for any other (psql would read quotes in it, or take a name with
/// `=` for a connection string): the caller opens a session of its own,
/// which takes the name literally (`PGDATABASE`).
pub fn psql_connect_line(db: &str) -> Option<String> {
    let plain = !db.is_empty()
        && db
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| format!("\\connect '{db}'\n"))
}

/// SQL run in a fresh copy of a template: its own identity (and owner).
fn identity_sql(owner: Option<&str>) -> String {
    // Fresh identity per tenant, as Odoo's duplicate does (odoo/service/db.py).
    let mut post = String::from(
        "UPDATE ir_config_parameter SET value = md5(random()::text || clock_timestamp()::text)::uuid::text \
           WHERE key IN ('database.secret', 'database.uuid');\n\
         UPDATE ir_config_parameter SET value = to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') \
           WHERE key = 'database.create_date';\n",
    );
    if let Some(o) = owner {
        let _ = write!(
            post,
            "ALTER SCHEMA public OWNER TO {o};\n\
             DO $$ DECLARE r record; BEGIN\n\
               FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n\
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'm', 'p')\n\
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))\n\
               LOOP\n\
                 EXECUTE format('ALTER %s %I OWNER TO %I',\n\
                   CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,\n\
                   r.relname, {lit});\n\
               END LOOP;\n\
             END $$;\n",
            o = quote_ident(o),
            lit = quote_literal(o)
        );
    }
    post
}

/// SQL for one user row (and its partner, groups, xmlids).
struct FixtureUser {
    login: String,
    name: String,
    active: bool,
    share: bool,
    password: Option<&'static str>,
    xmlid: Option<&'static str>,
    partner_xmlid: Option<&'static str>,
    groups: &'static [i64],
    totp: bool,
    /// res_users_log rows: offsets before spec.last_login
    logins_before: Vec<&'static str>,
}

const G_USER: i64 = 1;
const G_PORTAL: i64 = 2;
const G_PUBLIC: i64 = 3;
const G_SYSTEM: i64 = 4;

/// Key of a spec's template in `Cluster::templates`.
pub fn template_key(spec: &TenantSpec) -> String {
    format!("{spec:?}")
}

/// Name of a spec's template database: `tmpl_<major>_<hash of the spec>`.
fn template_name(spec: &TenantSpec) -> String {
    let mut h = DefaultHasher::new();
    spec.hash(&mut h);
    format!("tmpl_{}_{:016x}", spec.odoo_major, h.finish())
}

/// The three scripts that build template `tmpl` for `spec`: (in `postgres`)
/// make the database, (in it) the tenant, (in `postgres`) hide it.
fn template_scripts(tmpl: &str, spec: &TenantSpec) -> [String; 3] {
    let t = quote_ident(tmpl);
    [
        format!(
            "DROP DATABASE IF EXISTS {t}; CREATE DATABASE {t} ENCODING 'UTF8' TEMPLATE template0"
        ),
        tenant_sql(spec),
        // Hide it like template0: Odoo's list skips datistemplate / no-connection databases.
        format!("ALTER DATABASE {t} IS_TEMPLATE true; ALTER DATABASE {t} ALLOW_CONNECTIONS false"),
    ]
}

/// Builds template `tmpl` for `spec` in `cluster` (hidden as the fixtures' are).
pub fn build_template(cluster: &Cluster, tmpl: &str, spec: &TenantSpec) {
    let [create, tenant, hide] = template_scripts(tmpl, spec);
    cluster.sql("postgres", &create);
    cluster.sql(tmpl, &tenant);
    cluster.sql("postgres", &hide);
}

/// Templates a cluster starts with: built once into one of the harness's
/// cached pristine data directories (`harness::pristine_datadir`), so a
/// test's first tenant of such a spec is a copy, not a build. Every cluster
/// has the default spec's (most tests' tenants, Odoo 16); a world's cluster
/// also has the default spec of each other major its tenants have
/// ([`cached_for`]). `templates`: (spec, template database name);
/// `fingerprint`: of every script that builds them, which names the cached
/// data directory: a change to the fixture SQL (or to the set) builds a new
/// one instead of reusing a stale one.
pub struct CachedTemplates {
    pub templates: Vec<(TenantSpec, String)>,
    pub fingerprint: u64,
}

impl CachedTemplates {
    /// A new cluster's `Cluster::templates`.
    pub fn entries(&self) -> HashMap<String, String> {
        let e = self.templates.iter();
        e.map(|(spec, name)| (template_key(spec), name.clone()))
            .collect()
    }

    /// Builds those `cluster` has not (a cached data directory's one-time
    /// server).
    pub fn build(&self, cluster: &Cluster) {
        let have = cluster.templates.lock().unwrap().clone();
        for (spec, name) in &self.templates {
            if !have.contains_key(&template_key(spec)) {
                build_template(cluster, name, spec);
            }
        }
    }
}

/// The templates every cluster starts with: the default spec's.
pub fn cached_templates() -> &'static CachedTemplates {
    cached_for(&BTreeSet::new())
}

/// The major of `spec` when it is that major's default spec (a template a
/// cluster can start with), else None.
pub fn cacheable_major(spec: &TenantSpec) -> Option<u32> {
    (*spec == TenantSpec::for_major(spec.odoo_major)).then_some(spec.odoo_major)
}

/// The default spec's template and that of the default spec of each of
/// `majors`.
pub fn cached_for(majors: &BTreeSet<u32>) -> &'static CachedTemplates {
    type Sets = HashMap<BTreeSet<u32>, &'static CachedTemplates>;
    static SETS: std::sync::OnceLock<std::sync::Mutex<Sets>> = std::sync::OnceLock::new();
    let mut set = majors.clone();
    set.insert(TenantSpec::default().odoo_major);
    let sets = SETS.get_or_init(Default::default);
    let mut sets = sets.lock().unwrap_or_else(|e| e.into_inner());
    sets.entry(set.clone()).or_insert_with(|| {
        let mut templates = Vec::new();
        let mut h = DefaultHasher::new();
        for m in set {
            let spec = TenantSpec::for_major(m);
            let name = template_name(&spec);
            name.hash(&mut h);
            template_scripts(&name, &spec).hash(&mut h);
            templates.push((spec, name));
        }
        let fingerprint = h.finish();
        Box::leak(Box::new(CachedTemplates {
            templates,
            fingerprint,
        }))
    })
}

/// The whole SQL script building a tenant for `spec` in an empty database.
pub fn tenant_sql(spec: &TenantSpec) -> String {
    let m = spec.odoo_major;
    let has_totp = m >= 14;
    let has_apikeys = m >= 14;
    // Translatable fields became jsonb in 16.0.
    let tr = if m >= 16 { "jsonb" } else { "varchar" };
    let tr_text = if m >= 16 { "jsonb" } else { "text" };
    let trv = |s: &str| -> String {
        if m >= 16 {
            quote_literal(&serde_json::json!({ "en_US": s }).to_string())
        } else {
            quote_literal(s)
        }
    };
    let (admin_hash, user_hash) = if m >= 16 {
        (ADMIN_HASH_600K, USER_HASH_600K)
    } else {
        (ADMIN_HASH_25K, USER_HASH_25K)
    };
    let created = "'2025-01-15 08:00:00'";
    let mut s = String::new();

    // ---- schema ------------------------------------------------------------------
    let _ = write!(
        s,
        r#"
SET client_min_messages = warning;
CREATE TABLE res_currency (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    symbol varchar NOT NULL,
    rounding numeric,
    decimal_places integer,
    active boolean,
    position varchar,
    currency_unit_label varchar,
    currency_subunit_label varchar,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone,
    CONSTRAINT res_currency_unique_name UNIQUE (name),
    CONSTRAINT res_currency_rounding_gt_zero CHECK (rounding > 0)
);
CREATE TABLE res_partner (
    id serial NOT NULL PRIMARY KEY,
    name varchar,
    company_id integer,
    create_date timestamp without time zone,
    {display_name_col} varchar,
    title integer,
    parent_id integer REFERENCES res_partner(id) ON DELETE SET NULL,
    ref varchar,
    lang varchar,
    tz varchar,
    user_id integer,
    vat varchar,
    website varchar,
    comment text,
    active boolean,
    employee boolean,
    function varchar,
    type varchar,
    street varchar,
    zip varchar,
    city varchar,
    email varchar,
    phone varchar,
    mobile varchar,
    is_company boolean,
    partner_share boolean,
    commercial_partner_id integer REFERENCES res_partner(id) ON DELETE SET NULL,
    create_uid integer,
    write_uid integer,
    write_date timestamp without time zone,
    CONSTRAINT res_partner_check_name CHECK (type = 'contact' AND name IS NOT NULL OR type != 'contact')
);
CREATE INDEX res_partner_email_index ON res_partner (email);
CREATE TABLE res_company (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE RESTRICT,
    currency_id integer NOT NULL REFERENCES res_currency(id) ON DELETE RESTRICT,
    sequence integer,
    parent_id integer REFERENCES res_company(id) ON DELETE SET NULL,
    email varchar,
    phone varchar,
    active boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone,
    CONSTRAINT res_company_name_uniq UNIQUE (name)
);
ALTER TABLE res_partner ADD CONSTRAINT res_partner_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
CREATE TABLE res_users (
    id serial NOT NULL PRIMARY KEY,
    company_id integer NOT NULL REFERENCES res_company(id) ON DELETE RESTRICT,
    partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE RESTRICT,
    active boolean DEFAULT true,
    create_date timestamp without time zone,
    login varchar NOT NULL,
    password varchar,
    action_id integer,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    signature text,
    share boolean,
    write_date timestamp without time zone,
    notification_type varchar NOT NULL,
    odoobot_state varchar,{totp_col}
    CONSTRAINT res_users_login_key UNIQUE (login),
    CONSTRAINT res_users_notification_type CHECK (notification_type = 'email' OR NOT share)
);
CREATE INDEX res_users_partner_id_index ON res_users (partner_id);
CREATE TABLE res_groups (
    id serial NOT NULL PRIMARY KEY,
    name {tr} NOT NULL,
    comment {tr_text},
    share boolean,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    create_date timestamp without time zone,
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    write_date timestamp without time zone
);
CREATE TABLE res_groups_users_rel (
    gid integer NOT NULL REFERENCES res_groups(id) ON DELETE CASCADE,
    uid integer NOT NULL REFERENCES res_users(id) ON DELETE CASCADE,
    PRIMARY KEY (gid, uid)
);
CREATE INDEX res_groups_users_rel_uid_gid_idx ON res_groups_users_rel (uid, gid);
CREATE TABLE ir_model_data (
    id serial NOT NULL PRIMARY KEY,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    create_date timestamp without time zone DEFAULT (now() at time zone 'UTC'),
    write_date timestamp without time zone DEFAULT (now() at time zone 'UTC'),
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    noupdate boolean DEFAULT false,
    name varchar NOT NULL,
    module varchar NOT NULL,
    model varchar NOT NULL,
    res_id integer
);
CREATE UNIQUE INDEX ir_model_data_module_name_uniq_index ON ir_model_data (module, name);
CREATE INDEX ir_model_data_model_res_id_index ON ir_model_data (model, res_id);
CREATE TABLE ir_module_module (
    id serial NOT NULL PRIMARY KEY,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    create_date timestamp without time zone,
    write_date timestamp without time zone,
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    website varchar,
    summary {tr},
    name varchar NOT NULL,
    author varchar,
    icon varchar,
    state varchar(16),
    latest_version varchar,
    shortdesc {tr},
    category_id integer,
    description {tr_text},
    application boolean,
    demo boolean,
    web boolean,
    license varchar(32),
    sequence integer,
    auto_install boolean,
    to_buy boolean,
    maintainer varchar,
    contributors text,
    published_version varchar,
    url varchar,
    CONSTRAINT ir_module_module_name_uniq UNIQUE (name)
);
CREATE INDEX ir_module_module_state_index ON ir_module_module (state);
CREATE TABLE ir_config_parameter (
    id serial NOT NULL PRIMARY KEY,
    key varchar NOT NULL,
    value text NOT NULL,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    create_date timestamp without time zone,
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    write_date timestamp without time zone,
    CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key)
);
CREATE TABLE res_users_log (
    id serial NOT NULL PRIMARY KEY,
    create_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    create_date timestamp without time zone,
    write_uid integer REFERENCES res_users(id) ON DELETE SET NULL,
    write_date timestamp without time zone
);
CREATE INDEX res_users_log_create_uid_idx ON res_users_log (create_uid);
"#,
        display_name_col = if m >= 17 {
            "complete_name"
        } else {
            "display_name"
        },
        totp_col = if has_totp {
            "\n    totp_secret varchar,"
        } else {
            ""
        },
    );
    if has_apikeys {
        let _ = write!(
            s,
            r#"
CREATE TABLE res_users_apikeys (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    user_id integer NOT NULL REFERENCES res_users(id) ON DELETE CASCADE,
    scope varchar,
    index varchar(8) NOT NULL CHECK (char_length(index) = 8),
    key varchar NOT NULL,
    create_date timestamp without time zone DEFAULT (now() at time zone 'utc'){exp}
);
CREATE INDEX res_users_apikeys_user_id_index_idx ON res_users_apikeys (user_id, index);
"#,
            exp = if m >= 17 {
                ",\n    expiration_date timestamp without time zone"
            } else {
                ""
            }
        );
    }
    // Cache/registry signaling (odoo/modules/registry.py): created with one nextval /
    // one row each, as Odoo's setup_signaling does.
    for (name, is_table) in signaling_objects(m) {
        if is_table {
            let _ = writeln!(
                s,
                "CREATE TABLE {name} (id SERIAL PRIMARY KEY, date TIMESTAMP DEFAULT now());\n\
                 INSERT INTO {name} DEFAULT VALUES;"
            );
        } else {
            let _ = writeln!(
                s,
                "CREATE SEQUENCE {name} INCREMENT BY 1 START WITH 1;\nSELECT nextval('{name}');"
            );
        }
    }

    // ---- data ----------------------------------------------------------------------
    let _ = write!(
        s,
        r#"
INSERT INTO res_currency (id, name, symbol, rounding, decimal_places, active, position, create_date, write_date)
VALUES (1, 'EUR', '€', 0.01, 2, true, 'after', {created}, {created}),
       (2, 'USD', '$', 0.01, 2, true, 'before', {created}, {created});
INSERT INTO res_partner (id, name, {dn}, active, type, is_company, partner_share, email, lang, tz, commercial_partner_id, create_date, write_date)
VALUES (1, 'My Company', 'My Company', true, 'contact', true, false, 'info@yourcompany.example.com', 'en_US', 'Europe/Brussels', 1, {created}, {created});
INSERT INTO res_company (id, name, partner_id, currency_id, sequence, email, active, create_date, write_date)
VALUES (1, 'My Company', 1, 1, 10, 'info@yourcompany.example.com', true, {created}, {created});
UPDATE res_partner SET company_id = 1 WHERE id = 1;
INSERT INTO res_groups (id, name, share, create_date, write_date) VALUES
    ({G_USER}, {gu}, false, {created}, {created}),
    ({G_PORTAL}, {gp}, true, {created}, {created}),
    ({G_PUBLIC}, {gpub}, true, {created}, {created}),
    ({G_SYSTEM}, {gs}, false, {created}, {created});
"#,
        dn = if m >= 17 {
            "complete_name"
        } else {
            "display_name"
        },
        gu = trv("Internal User"),
        gp = trv("Portal"),
        gpub = trv("Public"),
        gs = trv("Settings"),
    );

    let mut users: Vec<FixtureUser> = Vec::new();
    users.push(FixtureUser {
        login: "__system__".into(),
        name: "OdooBot".into(),
        active: false,
        share: false,
        password: None,
        xmlid: Some("user_root"),
        partner_xmlid: Some("partner_root"),
        groups: &[G_USER, G_SYSTEM],
        totp: false,
        logins_before: vec![],
    });
    users.push(FixtureUser {
        login: spec.admin_login.clone(),
        name: "Administrator".into(),
        active: true,
        share: false,
        password: Some(admin_hash),
        xmlid: Some("user_admin"),
        partner_xmlid: Some("partner_admin"),
        groups: &[G_USER, G_SYSTEM],
        totp: spec.internal_users == 0 && has_totp,
        logins_before: vec!["0 seconds", "3 days", "40 days"],
    });
    users.push(FixtureUser {
        login: "public".into(),
        name: "Public user".into(),
        active: false,
        share: true,
        password: None,
        xmlid: Some("public_user"),
        partner_xmlid: Some("public_partner"),
        groups: &[G_PUBLIC],
        totp: false,
        logins_before: vec![],
    });
    if m <= 18 {
        users.push(FixtureUser {
            login: "default".into(),
            name: "Default User Template".into(),
            active: false,
            share: false,
            password: None,
            xmlid: Some("default_user"),
            partner_xmlid: Some("default_user_res_partner"),
            groups: &[G_USER],
            totp: false,
            logins_before: vec![],
        });
    }
    users.push(FixtureUser {
        login: "portaltemplate".into(),
        name: "Portal User Template".into(),
        active: false,
        share: true,
        password: None,
        xmlid: Some("template_portal_user_id"),
        partner_xmlid: Some("template_portal_user_id_res_partner"),
        groups: &[G_PORTAL],
        totp: false,
        logins_before: vec![],
    });
    const INTERNAL_LOGINS: [&str; 5] = [
        "1 hour",
        "1 day 2 hours",
        "2 days 3 hours",
        "5 days",
        "9 days",
    ];
    for i in 1..=spec.internal_users {
        users.push(FixtureUser {
            login: format!("user{i}"),
            name: format!("Internal User {i}"),
            active: true,
            share: false,
            password: Some(user_hash),
            xmlid: None,
            partner_xmlid: None,
            groups: &[G_USER],
            totp: i == 1 && has_totp,
            logins_before: vec![INTERNAL_LOGINS[(i - 1) % INTERNAL_LOGINS.len()], "30 days"],
        });
    }
    for j in 1..=spec.portal_users {
        users.push(FixtureUser {
            login: format!("portal{j}"),
            name: format!("Portal User {j}"),
            active: true,
            share: true,
            password: Some(user_hash),
            xmlid: None,
            partner_xmlid: None,
            groups: &[G_PORTAL],
            totp: false,
            logins_before: if j % 2 == 1 { vec!["6 days"] } else { vec![] },
        });
    }
    for k in 1..=spec.archived_users {
        users.push(FixtureUser {
            login: format!("archived{k}"),
            name: format!("Archived User {k}"),
            active: false,
            share: false,
            password: Some(user_hash),
            xmlid: None,
            partner_xmlid: None,
            groups: &[G_USER],
            totp: false,
            logins_before: vec!["200 days"],
        });
    }

    let mut xmlids: Vec<(String, &str, i64)> = vec![
        ("main_company".into(), "res.company", 1),
        ("main_partner".into(), "res.partner", 1),
        ("EUR".into(), "res.currency", 1),
        ("USD".into(), "res.currency", 2),
        ("group_user".into(), "res.groups", G_USER),
        ("group_portal".into(), "res.groups", G_PORTAL),
        ("group_public".into(), "res.groups", G_PUBLIC),
        ("group_system".into(), "res.groups", G_SYSTEM),
    ];
    let mut partner_rows = Vec::new();
    let mut user_rows = Vec::new();
    let mut rel_rows = Vec::new();
    let mut log_rows = Vec::new();
    let mut ids_by_login = BTreeMap::new();
    for (idx, u) in users.iter().enumerate() {
        let uid = idx as i64 + 1;
        let pid = idx as i64 + 2; // partner 1 is the company
        ids_by_login.insert(u.login.clone(), uid);
        let email = if u.login.contains('@') {
            u.login.clone()
        } else {
            format!("{}@example.com", u.login.trim_matches('_'))
        };
        partner_rows.push(format!(
            "({pid}, {name}, {name}, 1, {active}, 'contact', false, {share}, {email}, 'en_US', {pid}, {created}, {created})",
            name = quote_literal(&u.name),
            active = u.login != "public",
            share = u.share,
            email = quote_literal(&email),
        ));
        // mail: portal/public users must get e-mails (CHECK res_users_notification_type)
        let notification = if uid == 2 { "inbox" } else { "email" };
        let totp = if has_totp {
            format!(
                ", {}",
                if u.totp {
                    quote_literal(TOTP_SECRET)
                } else {
                    "NULL".into()
                }
            )
        } else {
            String::new()
        };
        user_rows.push(format!(
            "({uid}, 1, {pid}, {active}, {created}, {login}, {pw}, 1, 1, {share}, {created}, '{notification}'{totp})",
            active = u.active,
            login = quote_literal(&u.login),
            pw = u.password.map(quote_literal).unwrap_or_else(|| "NULL".into()),
            share = u.share,
        ));
        for g in u.groups {
            rel_rows.push(format!("({g}, {uid})"));
        }
        if let Some(x) = u.xmlid {
            xmlids.push((x.to_string(), "res.users", uid));
        }
        if let Some(x) = u.partner_xmlid {
            xmlids.push((x.to_string(), "res.partner", pid));
        }
        if let Some(last) = &spec.last_login {
            for before in &u.logins_before {
                log_rows.push(format!(
                    "({uid}, timestamp {ts} - interval '{before}', {uid}, timestamp {ts} - interval '{before}')",
                    ts = quote_literal(last)
                ));
            }
        }
    }
    let totp_col = if has_totp { ", totp_secret" } else { "" };
    let dn = if m >= 17 {
        "complete_name"
    } else {
        "display_name"
    };
    let _ = write!(
        s,
        "INSERT INTO res_partner (id, name, {dn}, company_id, active, type, is_company, partner_share, email, lang, commercial_partner_id, create_date, write_date) VALUES\n    {};\n\
         INSERT INTO res_users (id, company_id, partner_id, active, create_date, login, password, create_uid, write_uid, share, write_date, notification_type{totp_col}) VALUES\n    {};\n\
         UPDATE res_partner SET create_uid = 1, write_uid = 1;\n\
         UPDATE res_company SET create_uid = 1, write_uid = 1;\n\
         INSERT INTO res_groups_users_rel (gid, uid) VALUES {};\n",
        partner_rows.join(",\n    "),
        user_rows.join(",\n    "),
        rel_rows.join(", "),
    );
    if !log_rows.is_empty() {
        let _ = writeln!(
            s,
            // In time order, as Odoo inserts them: `id` grows with time.
            "INSERT INTO res_users_log (create_uid, create_date, write_uid, write_date) \
             SELECT * FROM (VALUES\n    {}) AS v(cu, cd, wu, wd) ORDER BY cd;",
            log_rows.join(",\n    ")
        );
    }
    if has_apikeys {
        for (owner, name, clear, hash) in API_KEYS {
            let Some(uid) = ids_by_login.get(if owner == "admin" {
                spec.admin_login.as_str()
            } else {
                owner
            }) else {
                continue;
            };
            let _ = writeln!(
                s,
                "INSERT INTO res_users_apikeys (name, user_id, scope, index, key, create_date) \
                 VALUES ({}, {uid}, 'rpc', {}, {}, {created});",
                quote_literal(name),
                quote_literal(&clear[..8]),
                quote_literal(hash)
            );
        }
    }

    // modules: (name, state, installed?, application, shortdesc)
    let mut modules: Vec<(&str, bool, bool, &str)> = vec![
        ("base", true, false, "Base"),
        ("web", true, false, "Web"),
        ("base_setup", true, false, "Initial Setup Tools"),
        ("bus", true, false, "IM Bus"),
        ("mail", true, false, "Discuss"),
        ("contacts", true, true, "Contacts"),
        ("portal", true, false, "Customer Portal"),
        ("auth_signup", true, false, "Signup"),
        ("sale", false, true, "Sales"),
        ("crm", false, true, "CRM"),
        ("account", false, true, "Invoicing"),
    ];
    if has_totp {
        modules.push(("auth_totp", true, false, "Two-Factor Authentication (TOTP)"));
    }
    modules.push((
        "auth_password_policy",
        spec.password_policy_minlength.is_some(),
        false,
        "Password Policy",
    ));
    if spec.shop_modules {
        assert!(m >= 16, "shop_modules: payment_provider is 16+");
        modules.push(("website", true, true, "Website"));
        modules.push(("payment", true, false, "Payment Engine"));
        modules.push(("delivery", true, false, "Delivery Costs"));
        // Its table is there but the module is not installed: its
        // neutralization must not run.
        modules.push(("auth_oauth", false, false, "OAuth2 Authentication"));
    }
    for (i, (name, installed, app, desc)) in modules.iter().enumerate() {
        let version = if *installed {
            let patch = match *name {
                "base" => "1.3".to_string(),
                "mail" => "1.10".to_string(),
                _ => "1.0".to_string(),
            };
            quote_literal(&format!("{m}.0.{patch}"))
        } else {
            "NULL".into()
        };
        let _ = writeln!(
            s,
            "INSERT INTO ir_module_module (id, name, state, latest_version, shortdesc, summary, application, demo, web, \
             license, sequence, auto_install, to_buy, author, create_uid, write_uid, create_date, write_date) \
             VALUES ({id}, {n}, '{state}', {version}, {sd}, {sd}, {app}, false, true, 'LGPL-3', 100, false, false, 'Odoo S.A.', 1, 1, {created}, {created});",
            id = i + 1,
            n = quote_literal(name),
            state = if *installed { "installed" } else { "uninstalled" },
            sd = trv(desc),
        );
        xmlids.push((format!("module_{name}"), "ir.module.module", i as i64 + 1));
    }

    let template_portal = ids_by_login["portaltemplate"];
    let mut params: Vec<(&str, String)> = vec![
        (
            "database.secret",
            "00000000-0000-4000-8000-000000000000".into(),
        ),
        (
            "database.uuid",
            "00000000-0000-4000-8000-000000000001".into(),
        ),
        ("database.create_date", "2025-01-15 08:00:00".into()),
        ("web.base.url", "http://localhost:8069".into()),
        ("base.login_cooldown_after", "10".into()),
        ("base.login_cooldown_duration", "60".into()),
        ("base.template_portal_user_id", template_portal.to_string()),
    ];
    if let Some(len) = spec.password_policy_minlength {
        params.push(("auth_password_policy.minlength", len.to_string()));
    }
    if spec.suspended_by_old_agent {
        params.push(("tenant.suspended", "true".into()));
    }
    for (k, v) in params {
        let _ = writeln!(
            s,
            "INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
             VALUES ({}, {}, 1, {created}, 1, {created});",
            quote_literal(k),
            quote_literal(&v)
        );
    }
    for (name, model, res_id) in &xmlids {
        let _ = writeln!(
            s,
            "INSERT INTO ir_model_data (name, module, model, res_id, noupdate, create_uid, write_uid, create_date, write_date) \
             VALUES ({}, 'base', '{model}', {res_id}, {noupdate}, 1, 1, {created}, {created});",
            quote_literal(name),
            noupdate = model == &"res.users" || model == &"res.partner",
        );
    }
    // serial sequences past the explicit ids
    for t in [
        "res_currency",
        "res_partner",
        "res_company",
        "res_users",
        "res_groups",
        "ir_module_module",
    ] {
        let _ = writeln!(s, "SELECT setval('{t}_id_seq', (SELECT max(id) FROM {t}));");
    }
    s.push_str(&jobs_and_mail_sql(m));
    if spec.shop_modules {
        s.push_str(&neutralize_data_sql());
    }
    s
}

/// Ids of the rows of [`neutralize_data_sql`].
pub const VIEW_LAYOUT: i64 = 1;
pub const VIEW_BANNER: i64 = 2;
pub const VIEW_RIBBON: i64 = 3;
pub const PROVIDER_STRIPE: i64 = 1;
pub const PROVIDER_WIRE: i64 = 2;
pub const PROVIDER_DEMO: i64 = 3;
pub const PROVIDER_OFF: i64 = 4;
pub const CARRIER_FIXED: i64 = 1;
pub const CARRIER_API: i64 = 2;

/// What Odoo 16+'s `neutralize.sql` of web, mail, website, payment,
/// delivery and auth_oauth write, in the columns they use (Odoo's source,
/// odoo-facts §7): the views `web.neutralize_banner` and
/// `website.neutralize_ribbon` inactive as installed (`web.layout` active),
/// payment providers in every state, a fixed-price carrier and one of a
/// carrier API in production, a website with a domain, a mail template with
/// its own mail server, an enabled OAuth provider.
fn neutralize_data_sql() -> String {
    r#"
CREATE TABLE ir_ui_view (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    model varchar,
    key varchar,
    priority integer NOT NULL,
    type varchar,
    arch_db jsonb,
    inherit_id integer REFERENCES ir_ui_view(id) ON DELETE CASCADE,
    mode varchar NOT NULL,
    active boolean,
    website_id integer,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO ir_ui_view (id, name, key, priority, type, inherit_id, mode, active) VALUES
    (1, 'Web layout', 'web.layout', 16, 'qweb', NULL, 'primary', true),
    (2, 'Neutralize banner', 'web.neutralize_banner', 16, 'qweb', 1, 'extension', false),
    (3, 'Neutralize ribbon', 'website.neutralize_ribbon', 16, 'qweb', 1, 'extension', false);
SELECT setval('ir_ui_view_id_seq', 3);
CREATE TABLE mail_template (
    id serial NOT NULL PRIMARY KEY,
    name jsonb,
    model varchar,
    mail_server_id integer REFERENCES ir_mail_server(id) ON DELETE SET NULL,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO mail_template (id, name, model, mail_server_id) VALUES
    (1, '{"en_US": "Order confirmation"}', 'sale.order', 1),
    (2, '{"en_US": "Invoice"}', 'account.move', NULL);
CREATE TABLE website (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    domain varchar,
    cdn_activated boolean,
    robots_txt text,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO website (id, name, domain, cdn_activated, robots_txt) VALUES
    (1, 'Tenant shop', 'https://shop.tenant.example', true, 'User-agent: *');
CREATE TABLE payment_provider (
    id serial NOT NULL PRIMARY KEY,
    name jsonb NOT NULL,
    code varchar NOT NULL,
    state varchar NOT NULL,
    company_id integer NOT NULL,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO payment_provider (id, name, code, state, company_id) VALUES
    (1, '{"en_US": "Stripe"}', 'stripe', 'enabled', 1),
    (2, '{"en_US": "Wire Transfer"}', 'custom', 'enabled', 1),
    (3, '{"en_US": "Demo"}', 'demo', 'test', 1),
    (4, '{"en_US": "PayPal"}', 'paypal', 'disabled', 1);
CREATE TABLE delivery_carrier (
    id serial NOT NULL PRIMARY KEY,
    name jsonb NOT NULL,
    delivery_type varchar NOT NULL,
    prod_environment boolean,
    active boolean,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO delivery_carrier (id, name, delivery_type, prod_environment, active) VALUES
    (1, '{"en_US": "Standard delivery"}', 'fixed', false, true),
    (2, '{"en_US": "Express (carrier API)"}', 'easypost', true, true);
CREATE TABLE auth_oauth_provider (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    enabled boolean,
    client_id varchar,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO auth_oauth_provider (id, name, enabled, client_id) VALUES
    (1, 'Google OAuth2', true, 'client-1');
"#
    .to_string()
}

/// Ids of the scheduled jobs and mail objects every fixture tenant has.
pub const CRON_MAIL_QUEUE: i64 = 1;
pub const CRON_AUTOVACUUM: i64 = 2;
pub const CRON_FETCHMAIL: i64 = 3;
pub const CRON_TENANT_REPORT: i64 = 4;
/// Switched off on purpose by the tenant: must stay off after reactivation.
pub const CRON_OFF_ON_PURPOSE: i64 = 5;
pub const MAIL_SERVER_MAIN: i64 = 1;
/// Switched off on purpose.
pub const MAIL_SERVER_OLD: i64 = 2;
pub const FETCHMAIL_INBOX: i64 = 1;
/// Switched off on purpose.
pub const FETCHMAIL_OLD: i64 = 2;

/// `ir_cron`, `ir_mail_server`, `fetchmail_server` and `mail_mail` as in
/// odoo-facts §8 (columns of 16; `numbercall` up to 16, `lastcall` 16+,
/// `failure_count` 19; `smtp_authentication` NOT NULL from 15).
fn jobs_and_mail_sql(m: u32) -> String {
    let extra_cron = match m {
        ..=15 => "numbercall integer,",
        16 => "numbercall integer, lastcall timestamp,",
        17 | 18 => "lastcall timestamp,",
        _ => "lastcall timestamp, failure_count integer DEFAULT 0,",
    };
    let auth = if m >= 15 {
        "smtp_authentication varchar NOT NULL,"
    } else {
        ""
    };
    let auth_v = if m >= 15 { "'login', " } else { "" };
    let auth_c = if m >= 15 { "smtp_authentication, " } else { "" };
    format!(
        r#"
CREATE TABLE ir_cron (
    id serial NOT NULL PRIMARY KEY,
    ir_actions_server_id integer NOT NULL,
    cron_name varchar,
    user_id integer NOT NULL REFERENCES res_users(id),
    active boolean,
    interval_number integer,
    interval_type varchar,
    nextcall timestamp NOT NULL,
    priority integer,
    {extra_cron}
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO ir_cron (id, ir_actions_server_id, cron_name, user_id, active, interval_number, interval_type, nextcall, priority) VALUES
    (1, 11, 'Mail: Email Queue Manager', 1, true, 1, 'hours', '2026-12-01 00:00:00', 5),
    (2, 12, 'Base: Auto-vacuum internal data', 1, true, 1, 'days', '2026-12-01 00:00:00', 5),
    (3, 13, 'Mail: Fetchmail Service', 1, true, 5, 'minutes', '2026-12-01 00:00:00', 5),
    (4, 14, 'Tenant: nightly sales report', 2, true, 1, 'days', '2026-12-01 00:00:00', 5),
    (5, 15, 'Tenant: old import (switched off on purpose)', 2, false, 1, 'days', '2026-12-01 00:00:00', 5);
SELECT setval('ir_cron_id_seq', 5);
INSERT INTO ir_model_data (name, module, model, res_id, noupdate) VALUES
    ('ir_cron_mail_scheduler_action', 'mail', 'ir.cron', 1, true),
    ('autovacuum_job', 'base', 'ir.cron', 2, true);
CREATE TABLE ir_mail_server (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    smtp_host varchar,
    smtp_port integer NOT NULL,
    smtp_user varchar,
    smtp_pass varchar,
    smtp_encryption varchar NOT NULL,
    {auth}
    from_filter varchar,
    sequence integer,
    active boolean,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO ir_mail_server (id, name, smtp_host, smtp_port, smtp_encryption, {auth_c}sequence, active) VALUES
    (1, 'Main SMTP', 'smtp.tenant.example', 587, 'starttls', {auth_v}10, true),
    (2, 'Old SMTP (off on purpose)', 'old.tenant.example', 25, 'none', {auth_v}20, false);
SELECT setval('ir_mail_server_id_seq', 2);
CREATE TABLE fetchmail_server (
    id serial NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    active boolean,
    state varchar,
    server varchar,
    port integer,
    server_type varchar NOT NULL DEFAULT 'imap',
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO fetchmail_server (id, name, active, state, server, port) VALUES
    (1, 'Inbox', true, 'done', 'imap.tenant.example', 993),
    (2, 'Old inbox (off on purpose)', false, 'draft', 'old.tenant.example', 993);
SELECT setval('fetchmail_server_id_seq', 2);
CREATE TABLE mail_mail (
    id serial NOT NULL PRIMARY KEY,
    state varchar,
    failure_reason text,
    email_to text,
    body_html text,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
INSERT INTO mail_mail (state, email_to, failure_reason, create_date, write_date) VALUES
    ('outgoing', 'customer@example.com', NULL, '2026-11-30 10:00:00', '2026-11-30 10:00:00'),
    ('exception', 'bounced@example.com', 'mailbox full', '2026-10-01 10:00:00', '2026-10-01 10:00:00'),
    ('sent', 'old@example.com', NULL, '2026-09-01 10:00:00', '2026-09-01 10:00:00');
"#
    )
}
