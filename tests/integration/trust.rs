//! Issue 11, sections 1 (a tenant must not steer or escape tenantctl's writes),
//! 4 (the audit log tells the truth) and 5 (Odoo fidelity), against real PostgreSQL.
//!
//! Everything in a tenant database is tenant-writable: the tenant's Odoo role owns it
//! and a tenant administrator can run SQL as that role (server actions). These tests
//! play that tenant (`SET ROLE <tenant role>`) and check that what tenantctl reports
//! is what happened, with the outcome names, exit codes and JSON fields of the
//! contract (`outcome`, `warnings`, `excluded_users`, `missing_users`, ...).
//!
//! Hashes of fixtures are made by passlib (the venv's Python), never by tenantctl;
//! passlib with each Odoo family's CryptContext is the oracle.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::{
    create_tenant, create_tenant_owned, icp, password_hash, signal_counters, user_states,
    xmlid_user, TenantSpec,
};
use crate::harness::{
    is_root, passlib_check, python, quote_literal, tenantctl_with_home, Cluster, PasslibVerdict,
};
use crate::world::World;

/// `0x74656e616e74` ("tenant"): the per-tenant advisory lock of suspend, reactivate and
/// (from issue 11 on) passwd.
const TENANT_LOCK_KEY: i64 = 127_978_992_397_940;

/// Watchdog for every tenantctl run: generous, only against a hang.
const WATCHDOG: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

/// One cluster, a private HOME (audit log under it) and an inventory naming the cluster
/// `n1` with tenantctl's default connecting role `postgres` (a superuser).
pub(crate) struct Env {
    w: World,
}

impl std::ops::Deref for Env {
    type Target = World;
    fn deref(&self) -> &World {
        &self.w
    }
}

impl Env {
    pub(crate) fn new(label: &str) -> Env {
        Env::with_extra(label, "")
    }

    /// `extra` is appended verbatim after the `[[node]]` table (so plain keys land in it).
    pub(crate) fn with_extra(_label: &str, extra: &str) -> Env {
        Env {
            w: World::builder().node("n1").extra(extra).build(),
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut c = tenantctl_with_home(self.dir.path());
        c.arg("-i").arg(&self.inv).timeout(WATCHDOG);
        c
    }

    /// Runs tenantctl with `args` (and `stdin`, if any).
    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(args, stdin, &[])
    }

    fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        self.run_env(args, stdin, env, &[])
    }

    /// With `env` set and `unset` removed from tenantctl's environment.
    fn run_env(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(&str, &str)],
        unset: &[&str],
    ) -> Run {
        let mut c = self.cmd();
        c.args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        for k in unset {
            c.env_remove(k);
        }
        if let Some(s) = stdin {
            c.write_stdin(s.to_string());
        }
        let out = c.output().expect("run tenantctl");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// [`Env::new`] with the tenant `acme` owned by `owner`, a new non-superuser
    /// role (the tenant's own, as Odoo's database user).
    pub(crate) fn with_owned_acme(label: &str, owner: &str) -> Env {
        let e = Env::new(label);
        e.c.create_role(owner, "odoo-pass", false);
        create_tenant_owned(&e.c, "acme", &TenantSpec::default(), owner);
        e
    }

    /// `suspend db --reason unpaid --yes -o json`.
    pub(crate) fn suspend_json(&self, db: &str) -> Run {
        self.run(
            &["suspend", db, "--reason", "unpaid", "--yes", "-o", "json"],
            None,
        )
    }

    /// `passwd db --login login --password-stdin -o json`, typing `password`.
    pub(crate) fn passwd_json(&self, db: &str, login: &str, password: &str) -> Run {
        self.run(
            &[
                "passwd",
                db,
                "--login",
                login,
                "--password-stdin",
                "-o",
                "json",
            ],
            Some(&format!("{password}\n")),
        )
    }

    fn audit_path(&self) -> PathBuf {
        self.dir.path().join(".local/state/tenantctl/audit.jsonl")
    }

    fn audit_lines(&self) -> Vec<Value> {
        read_audit(&self.audit_path())
    }

    /// Runs `sql` in `db` as the tenant's role (what a tenant administrator can do
    /// through Odoo's server actions).
    pub(crate) fn as_tenant(&self, db: &str, role: &str, sql: &str) {
        self.c.sql(db, &format!("SET ROLE {role};\n{sql}"));
    }
}

fn read_audit(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

/// What one tenantctl run gave.
pub(crate) struct Run {
    args: Vec<String>,
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tenantctl {:?} exited {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// Asserts the exit code; returns self for chaining.
    pub(crate) fn code(&self, want: i32) -> &Run {
        assert_eq!(self.code, Some(want), "wrong exit code: {self}");
        self
    }

    /// The one JSON object on stdout.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {self}"))
    }

    /// The JSON `error` (if any) and stderr: where a refusal's message may be.
    pub(crate) fn message(&self) -> String {
        let err = serde_json::from_str::<Value>(self.stdout.trim())
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_default();
        format!("{err}\n{}", self.stderr)
    }

    /// Exit 0 with the JSON outcome `changed`; the JSON.
    pub(crate) fn changed(&self) -> Value {
        self.code(0);
        let v = self.json();
        assert_eq!(v["outcome"], "changed", "{self}");
        v
    }

    /// The entry of the JSON array `list` whose `key` is `value`.
    fn entry(&self, list: &str, key: &str, value: &str) -> Value {
        self.json()[list]
            .as_array()
            .unwrap_or_else(|| panic!("no array {list:?}: {self}"))
            .iter()
            .find(|x| x[key] == value)
            .unwrap_or_else(|| panic!("no {list} entry with {key} {value:?}: {self}"))
            .clone()
    }

    fn no_panic(&self) -> &Run {
        assert!(
            !self.stderr.contains("panicked") && self.code != Some(101),
            "tenantctl panicked: {self}"
        );
        self
    }
}

/// The JSON `warnings` entries (empty when absent).
fn warnings(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|w| w.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON array of ids as a set.
fn id_set(v: &Value) -> BTreeSet<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array of ids: {v}"))
        .iter()
        .map(|x| x.as_i64().unwrap_or_else(|| panic!("not an id: {x}")))
        .collect()
}

/// `tenant.suspended_user_ids` as a set (panics when absent or not a JSON array).
fn recorded(c: &Cluster, db: &str) -> BTreeSet<i64> {
    let raw = icp(c, db, "tenant.suspended_user_ids").expect("tenant.suspended_user_ids");
    serde_json::from_str::<Vec<i64>>(&raw)
        .unwrap_or_else(|e| panic!("record {raw:?}: {e}"))
        .into_iter()
        .collect()
}

/// Ids of the active users but id 1 (what a suspension must switch off).
fn active_ids(states: &[(i64, String, bool, bool)]) -> BTreeSet<i64> {
    states
        .iter()
        .filter(|u| u.2 && u.0 != 1)
        .map(|u| u.0)
        .collect()
}

/// id of the user with `login` (the comparison is done as text: safe even when the
/// tenant has shadowed `=(varchar, text)` in `public`).
fn user_id(c: &Cluster, db: &str, login: &str) -> i64 {
    c.sql(
        db,
        &format!(
            "SELECT id FROM public.res_users WHERE login::pg_catalog.text OPERATOR(pg_catalog.=) {}::pg_catalog.text",
            quote_literal(login)
        ),
    )
    .parse()
    .unwrap_or_else(|e| panic!("no user {login:?} in {db}: {e}"))
}

/// (id, password or None) of every user of `public.res_users`, by id; no comparison
/// operator involved.
fn hashes_by_id(c: &Cluster, db: &str) -> Vec<(i64, Option<String>)> {
    c.rows(
        db,
        "SELECT id, password IS NULL, password FROM public.res_users ORDER BY id",
    )
    .into_iter()
    .map(|r| (r[0].parse().unwrap(), (r[1] == "f").then(|| r[2].clone())))
    .collect()
}

/// (id, active) of `schema.res_users` by id, NULL active read as false.
fn actives_in(c: &Cluster, db: &str, schema: &str) -> Vec<(i64, bool)> {
    c.rows(
        db,
        &format!("SELECT id, coalesce(active, false) FROM {schema}.res_users ORDER BY id"),
    )
    .into_iter()
    .map(|r| (r[0].parse().unwrap(), r[1] == "t"))
    .collect()
}

/// Rounds of a `$pbkdf2-sha512$<rounds>$...` hash.
fn rounds_of(hash: &str) -> u32 {
    let parts: Vec<&str> = hash.split('$').collect();
    assert!(
        parts.len() == 5 && parts[1] == "pbkdf2-sha512",
        "not a passlib pbkdf2_sha512 hash: {hash}"
    );
    parts[2]
        .parse()
        .unwrap_or_else(|e| panic!("rounds of {hash}: {e}"))
}

/// Runs the venv's Python (with passlib) with `args` and `input` on stdin; its stdout.
fn python_stdin(args: &[&std::ffi::OsStr], input: &Value) -> String {
    let mut child = Command::new(python())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python().display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A passlib `pbkdf2_sha512` hash of `password` with `rounds` (made by passlib, not by
/// tenantctl).
fn passlib_hash(password: &str, rounds: u32) -> String {
    let program = "import json, sys, warnings\n\
         warnings.simplefilter('ignore')\n\
         from passlib.hash import pbkdf2_sha512\n\
         r = json.load(sys.stdin)\n\
         print(pbkdf2_sha512.using(rounds=r['rounds']).hash(r['password']))\n";
    let h = python_stdin(
        &["-c".as_ref(), program.as_ref()],
        &serde_json::json!({"password": password, "rounds": rounds}),
    );
    assert_eq!(rounds_of(&h), rounds);
    h
}

/// The oracle (tests/oracle/passlib_check.py) with an explicit `min_rounds` (Odoo's
/// MIN_ROUNDS: 600000, 350000 on early 16.0 builds) and ICP `password.hashing.rounds`.
fn oracle(
    hash: &str,
    password: &str,
    odoo_major: u32,
    icp_rounds: Option<u32>,
    min_rounds: Option<u32>,
) -> PasslibVerdict {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/passlib_check.py");
    let out = python_stdin(
        &[script.as_os_str()],
        &serde_json::json!({
            "hash": hash,
            "password": password,
            "odoo_major": odoo_major,
            "rounds": icp_rounds,
            "min_rounds": min_rounds,
        }),
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("oracle {out:?}: {e}"));
    assert!(v.get("error").is_none(), "passlib raised: {v}");
    PasslibVerdict {
        verifies: v["verifies"].as_bool().expect("verifies"),
        needs_update: v["needs_update"].as_bool().expect("needs_update"),
        identified: v["identified"].as_str().map(str::to_string),
    }
}

/// The password-database name of `uid` (getpwuid), None when it has no entry.
fn pw_name(uid: u32) -> Option<String> {
    // SAFETY: getpwuid returns NULL or a pointer to a static passwd entry, read at
    // once; the tests of this binary do not call getpwuid concurrently elsewhere.
    unsafe {
        let pw = libc::getpwuid(uid);
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

/// Another session of the tenant database (psql over the socket, as `postgres`) that
/// holds the session-level advisory lock `key` until dropped.
struct LockHolder<'a> {
    c: &'a Cluster,
    app: String,
    child: Child,
    _stdin: ChildStdin,
}

impl<'a> LockHolder<'a> {
    fn hold(c: &'a Cluster, db: &str, key: i64) -> LockHolder<'a> {
        let app = format!("trust_lock_holder_{}", c.port());
        let mut child = Command::new("psql")
            .args(["-X", "-q", "-h"])
            .arg(c.socket_dir())
            .args(["-p", &c.port().to_string(), "-U", "postgres"])
            .env("PGDATABASE", db)
            .env("PGAPPNAME", &app)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "SELECT pg_advisory_lock({key});").unwrap();
        stdin.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let held = c.sql(
                db,
                &format!(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = {}",
                    quote_literal(&app)
                ),
            );
            if held == "1" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the lock holder never got the lock"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        LockHolder {
            c,
            app,
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for LockHolder<'_> {
    fn drop(&mut self) {
        let _ = self.c.try_sql(
            "postgres",
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = {}",
                quote_literal(&self.app)
            ),
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn assert_mentions(r: &Run, needles: &[&str]) {
    let m = r.message();
    for n in needles {
        assert!(m.contains(n), "message should mention {n:?}: {r}");
    }
}

/// A write refused because of tenant SQL: exit 2, outcome `refused`, the
/// message naming every one of `mentions`.
pub(crate) fn assert_refused(r: &Run, mentions: &[&str]) {
    r.code(2);
    assert_eq!(r.json()["outcome"], "refused", "{r}");
    assert_mentions(r, mentions);
}

/// `suspend db -o json` is refused ([`assert_refused`]) with none of `db`'s
/// users changed, the tenant not flagged suspended and `odoo_t` not made a
/// superuser. Returns the users' states (the same before and after).
pub(crate) fn suspend_refused(
    e: &Env,
    db: &str,
    mentions: &[&str],
) -> Vec<(i64, String, bool, bool)> {
    let before = user_states(&e.c, db);
    let r = e.suspend_json(db);
    assert_refused(&r, mentions);
    assert_eq!(user_states(&e.c, db), before, "nothing changed: {r}");
    assert_eq!(icp(&e.c, db, "tenant.suspended"), None, "{r}");
    assert!(!is_superuser(&e.c, "odoo_t"), "no escalation: {r}");
    before
}

pub(crate) fn is_superuser(c: &Cluster, role: &str) -> bool {
    c.sql(
        "postgres",
        &format!(
            "SELECT rolsuper FROM pg_roles WHERE rolname = {}",
            quote_literal(role)
        ),
    ) == "t"
}

// ---------------------------------------------------------------------------------------
// 1. A tenant must not be able to steer or escape tenantctl's writes
// ---------------------------------------------------------------------------------------

/// A schema named after tenantctl's role (`postgres`, first in the default
/// `search_path` "$user", public) holding a copy of res_users must not catch the
/// suspension: `public.res_users` is switched off, the copy untouched.
#[test]
fn trust_search_path_schema_named_after_the_role_does_not_catch_writes() {
    let e = Env::with_owned_acme("sp", "odoo_s");
    e.as_tenant(
        "acme",
        "odoo_s",
        "CREATE SCHEMA postgres;
         CREATE TABLE postgres.res_users AS SELECT * FROM public.res_users;
         GRANT USAGE ON SCHEMA postgres TO PUBLIC;
         GRANT ALL ON postgres.res_users TO PUBLIC;",
    );
    let public_before = actives_in(&e.c, "acme", "public");
    let copy_before = actives_in(&e.c, "acme", "postgres");
    let was_active: BTreeSet<i64> = public_before
        .iter()
        .filter(|u| u.1 && u.0 != 1)
        .map(|u| u.0)
        .collect();
    assert!(was_active.len() >= 5, "fixture has active users");

    let r = e.suspend_json("acme");
    let v = r.changed();
    assert_eq!(v["users"], was_active.len(), "{r}");
    let public_after = actives_in(&e.c, "acme", "public");
    for (id, active) in &public_after {
        assert!(!active, "public.res_users id {id} still active: {r}");
    }
    assert_eq!(
        actives_in(&e.c, "acme", "postgres"),
        copy_before,
        "the tenant's copy is untouched"
    );
    assert_eq!(recorded(&e.c, "acme"), was_active);

    // And back: exactly the users of public.res_users.
    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    r.changed();
    assert_eq!(actives_in(&e.c, "acme", "public"), public_before);
    assert_eq!(actives_in(&e.c, "acme", "postgres"), copy_before);
}

/// A tenant-made `public.=(varchar, text)` returning true (an exact match for
/// `login = $1::text`, so it would win over pg_catalog's `text = text`) must not make
/// passwd change another user's password.
#[test]
fn trust_operator_shadowing_in_public_does_not_redirect_passwd() {
    let e = Env::with_owned_acme("op", "odoo_o");
    let user2 = user_id(&e.c, "acme", "user2");
    let before = hashes_by_id(&e.c, "acme");
    e.as_tenant(
        "acme",
        "odoo_o",
        "CREATE FUNCTION public.evil_eq(varchar, text) RETURNS boolean LANGUAGE sql AS 'select true';
         CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = text, FUNCTION = public.evil_eq);",
    );
    let new = "shadow-proof-pass-1";
    let r = e.passwd_json("acme", "user2", new);
    let v = r.changed();
    assert_eq!(v["login"], "user2", "{r}");
    let after = hashes_by_id(&e.c, "acme");
    for ((id, h0), (id1, h1)) in before.iter().zip(&after) {
        assert_eq!(id, id1);
        if *id == user2 {
            let h = h1.as_deref().expect("user2 has a hash");
            assert_ne!(Some(h), h0.as_deref(), "user2's hash changed");
            assert!(passlib_check(h, new, 16).verifies, "new password verifies");
        } else {
            assert_eq!(h0, h1, "user id {id}'s hash must not change: {r}");
        }
    }
}

/// The function-shadowing variant: `public.nextval(text)` wins over
/// `pg_catalog.nextval(regclass)` for `nextval('base_cache_signaling')` (an unknown
/// literal prefers the string category), so a tenant could swallow Odoo's cache signal
/// (cached credentials keep working after a suspension). The real sequence must advance.
#[test]
fn trust_function_shadowing_in_public_does_not_swallow_the_cache_signal() {
    let e = Env::with_owned_acme("fn", "odoo_n");
    e.as_tenant(
        "acme",
        "odoo_n",
        "CREATE FUNCTION public.nextval(text) RETURNS bigint LANGUAGE sql AS 'select 0::bigint';",
    );
    let before = signal_counters(&e.c, "acme");
    let r = e.suspend_json("acme");
    r.changed();
    assert!(active_ids(&user_states(&e.c, "acme")).is_empty(), "{r}");
    let after = signal_counters(&e.c, "acme");
    assert!(
        after["base_cache_signaling"] > before["base_cache_signaling"],
        "the real base_cache_signaling advanced: {before:?} -> {after:?}: {r}"
    );
    assert_eq!(
        after["base_registry_signaling"], before["base_registry_signaling"],
        "registry untouched"
    );
}

/// The escalation of the issue: a trigger the tenant puts on a table tenantctl writes
/// runs with tenantctl's (superuser) privileges. Such triggers (and rewrite rules) make
/// every write refuse (exit 2, nothing changed, the trigger named) unless
/// --allow-triggers.
#[test]
fn trust_tenant_triggers_make_writes_refuse_unless_allowed() {
    let e = Env::with_owned_acme("tg", "odoo_t");
    create_tenant_owned(&e.c, "beta", &TenantSpec::default(), "odoo_t");
    create_tenant_owned(&e.c, "gamma", &TenantSpec::default(), "odoo_t");
    create_tenant_owned(&e.c, "delta", &TenantSpec::default(), "odoo_t");
    create_tenant_owned(&e.c, "nova", &TenantSpec::for_major(19), "odoo_t");
    let escalate_fn = "CREATE FUNCTION public.tenant_escalate() RETURNS trigger LANGUAGE plpgsql \
                       SECURITY INVOKER AS $$ BEGIN ALTER ROLE odoo_t SUPERUSER; RETURN NULL; END $$;";
    let res_users_trigger = "CREATE TRIGGER zz_escalate AFTER UPDATE ON public.res_users \
                             FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();";
    e.as_tenant(
        "acme",
        "odoo_t",
        &format!("{escalate_fn}\n{res_users_trigger}"),
    );
    let hash_before = password_hash(&e.c, "acme", "admin");

    // suspend: refused, nothing changed, trigger and table named, --allow-triggers said.
    let before = suspend_refused(
        &e,
        "acme",
        &["zz_escalate", "res_users", "--allow-triggers"],
    );
    let last = e.audit_lines().pop().expect("the refusal is audited");
    assert_eq!(
        (&last["action"], &last["outcome"]),
        (&Value::from("suspend"), &Value::from("refused"))
    );
    // Text mode: the message on stderr.
    let r = e.run(&["suspend", "acme", "--reason", "unpaid", "--yes"], None);
    r.code(2);
    assert!(
        r.stderr.contains("zz_escalate") && r.stderr.contains("--allow-triggers"),
        "{r}"
    );
    assert_eq!(user_states(&e.c, "acme"), before);

    // passwd: refused, hash unchanged.
    let r = e.run(
        &["passwd", "acme", "--password-stdin", "-o", "json"],
        Some("trigger-proof-pass\n"),
    );
    assert_refused(&r, &["zz_escalate", "res_users", "--allow-triggers"]);
    assert_eq!(password_hash(&e.c, "acme", "admin"), hash_before);
    assert!(!is_superuser(&e.c, "odoo_t"), "no escalation: {r}");

    // check lists the trigger as a problem of the tenant (JSON and text).
    let r = e.run(&["check", "-o", "json"], None);
    let v = r.json();
    assert!(
        v.to_string().contains("zz_escalate"),
        "check -o json lists the trigger: {r}"
    );
    let r = e.run(&["check"], None);
    assert!(
        r.stdout.contains("zz_escalate") || r.stderr.contains("zz_escalate"),
        "check lists the trigger: {r}"
    );

    // reactivate: a clean suspension first, then the trigger comes.
    e.as_tenant(
        "acme",
        "odoo_t",
        "DROP TRIGGER zz_escalate ON public.res_users;",
    );
    e.run(&["suspend", "acme", "--reason", "unpaid", "--yes"], None)
        .code(0);
    e.as_tenant("acme", "odoo_t", res_users_trigger);
    let suspended = user_states(&e.c, "acme");
    let record = icp(&e.c, "acme", "tenant.suspended_user_ids");
    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    assert_refused(&r, &["zz_escalate", "res_users", "--allow-triggers"]);
    assert_eq!(user_states(&e.c, "acme"), suspended, "nothing changed");
    assert_eq!(
        icp(&e.c, "acme", "tenant.suspended").as_deref(),
        Some("true")
    );
    assert_eq!(icp(&e.c, "acme", "tenant.suspended_user_ids"), record);
    assert!(!is_superuser(&e.c, "odoo_t"), "no escalation: {r}");

    // A trigger on ir_config_parameter.
    e.as_tenant(
        "beta",
        "odoo_t",
        &format!(
            "{escalate_fn}\nCREATE TRIGGER zz_icp_escalate AFTER INSERT OR UPDATE OR DELETE ON public.ir_config_parameter \
             FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();"
        ),
    );
    let beta_before = suspend_refused(
        &e,
        "beta",
        &["zz_icp_escalate", "ir_config_parameter", "--allow-triggers"],
    );

    // A rewrite rule on res_users: its action runs with tenantctl's privileges too.
    e.as_tenant(
        "gamma",
        "odoo_t",
        "CREATE FUNCTION public.escalate_now() RETURNS void LANGUAGE plpgsql AS
           $$ BEGIN ALTER ROLE odoo_t SUPERUSER; END $$;
         CREATE RULE zz_rule_escalate AS ON UPDATE TO public.res_users
           DO ALSO SELECT public.escalate_now();",
    );
    suspend_refused(
        &e,
        "gamma",
        &["zz_rule_escalate", "res_users", "--allow-triggers"],
    );

    // A trigger on a signaling table (Odoo 19: orm_signaling_*).
    e.as_tenant(
        "nova",
        "odoo_t",
        &format!(
            "{escalate_fn}\nCREATE TRIGGER zz_signal_escalate AFTER INSERT ON public.orm_signaling_stable \
             FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();\n\
             CREATE TRIGGER zz_signal_escalate AFTER INSERT ON public.orm_signaling_default \
             FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();"
        ),
    );
    suspend_refused(
        &e,
        "nova",
        &["zz_signal_escalate", "orm_signaling_", "--allow-triggers"],
    );

    // --allow-triggers (a global option, before or after the subcommand) with a
    // harmless trigger: the write proceeds and the trigger ran.
    e.as_tenant(
        "acme",
        "odoo_t",
        "DROP TRIGGER zz_escalate ON public.res_users;
         CREATE TABLE public.trig_log (n int);
         CREATE FUNCTION public.note_update() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN INSERT INTO public.trig_log VALUES (1); RETURN NULL; END $$;
         CREATE TRIGGER zz_note AFTER UPDATE ON public.res_users
           FOR EACH STATEMENT EXECUTE FUNCTION public.note_update();",
    );
    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    r.code(2);
    assert_mentions(&r, &["zz_note"]);
    let r = e.run(
        &[
            "--allow-triggers",
            "reactivate",
            "acme",
            "--yes",
            "-o",
            "json",
        ],
        None,
    );
    r.changed();
    assert_eq!(user_states(&e.c, "acme"), before, "reactivated exactly");
    let r = e.run(
        &[
            "suspend",
            "acme",
            "--reason",
            "unpaid",
            "--yes",
            "-o",
            "json",
            "--allow-triggers",
        ],
        None,
    );
    r.changed();
    assert!(active_ids(&user_states(&e.c, "acme")).is_empty());
    assert_ne!(
        e.c.sql("acme", "SELECT count(*) FROM public.trig_log"),
        "0",
        "the allowed trigger ran"
    );
    assert!(!is_superuser(&e.c, "odoo_t"));

    // bulk: the trigger tenant refused, the clean one suspended (exit 3: some ok, some
    // not); every target refused → exit 2.
    let list = e.dir.path().join("targets.txt");
    let bulk_suspend = |targets: &str| {
        std::fs::write(&list, targets).unwrap();
        e.run(
            &[
                "bulk",
                "suspend",
                "--from",
                list.to_str().unwrap(),
                "--reason",
                "unpaid",
                "--yes",
            ],
            None,
        )
    };
    let delta_before = user_states(&e.c, "delta");
    let r = bulk_suspend("beta\ndelta\n");
    r.code(3);
    assert_eq!(user_states(&e.c, "beta"), beta_before, "{r}");
    assert_eq!(icp(&e.c, "beta", "tenant.suspended"), None, "{r}");
    assert!(active_ids(&user_states(&e.c, "delta")).is_empty(), "{r}");
    assert!(!active_ids(&delta_before).is_empty());
    let r = bulk_suspend("beta\n");
    r.code(2);
    assert_eq!(user_states(&e.c, "beta"), beta_before, "{r}");
    assert!(!is_superuser(&e.c, "odoo_t"), "no escalation: {r}");
}

/// `check` with a superuser connection warns (least-privilege advice) without
/// changing the exit code; a non-superuser role gets no such warning.
#[test]
fn trust_check_as_superuser_warns_about_least_privilege() {
    let e = Env::new("su");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let r = e.run(&["check"], None);
    r.code(0);
    let warned = r.stderr.lines().any(|l| {
        let l = l.to_lowercase();
        l.contains("warning") && l.contains("superuser") && l.contains("least privilege")
    });
    assert!(warned, "a superuser warning on stderr: {r}");
    assert!(
        !r.stdout.to_lowercase().contains("least privilege"),
        "the warning goes to stderr: {r}"
    );

    // The same cluster through a role with the documented grants (docs/security.md): no such warning.
    e.c.create_role("tc_ops", "ops-pass", false);
    crate::world::grant_minimal(&e.c, "acme", "tc_ops");
    let inv = e.dir.path().join("ops.toml");
    std::fs::write(
        &inv,
        format!(
            "[[node]]\nname = \"n1\"\nhost = \"127.0.0.1\"\nport = {}\nuser = \"tc_ops\"\npassword_env = \"OPS_PW\"\nsslmode = \"disable\"\n",
            e.c.port()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = tenantctl_with_home(e.dir.path())
        .arg("-i")
        .arg(&inv)
        .arg("check")
        .env("OPS_PW", "ops-pass")
        .timeout(WATCHDOG)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        !stderr.contains("least privilege"),
        "no superuser warning for a non-superuser role: {stderr}"
    );
}

/// The flag is not the state: a tenant-set `tenant.suspended`='true' with active users
/// does not make suspend a no-op; the record is a union; "unchanged" only when nothing
/// was active.
#[test]
fn trust_suspend_follows_the_users_not_the_flag() {
    let e = Env::with_owned_acme("fl", "odoo_f");
    e.as_tenant(
        "acme",
        "odoo_f",
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('tenant.suspended', 'true');",
    );
    let before = user_states(&e.c, "acme");
    let was_active = active_ids(&before);
    assert!(was_active.len() >= 5);

    let r = e.suspend_json("acme");
    let v = r.changed();
    assert_eq!(v["users"], was_active.len(), "{r}");
    assert!(
        active_ids(&user_states(&e.c, "acme")).is_empty(),
        "every user but id 1 is off: {r}"
    );
    assert_eq!(recorded(&e.c, "acme"), was_active);

    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    r.changed();
    assert_eq!(user_states(&e.c, "acme"), before, "restored exactly");

    // Fully suspended → a second suspend is unchanged, the record intact.
    e.run(&["suspend", "acme", "--reason", "unpaid", "--yes"], None)
        .code(0);
    let r = e.run(
        &[
            "suspend", "acme", "--reason", "again", "--yes", "-o", "json",
        ],
        None,
    );
    r.code(0);
    assert_eq!(r.json()["outcome"], "unchanged", "{r}");
    assert_eq!(recorded(&e.c, "acme"), was_active);

    // While suspended the tenant switches user1 back on and drops it from the record:
    // suspend switches it off again and merges it back (union, never overwrite).
    let user1 = user_id(&e.c, "acme", "user1");
    let without: Vec<i64> = was_active.iter().copied().filter(|i| *i != user1).collect();
    e.as_tenant(
        "acme",
        "odoo_f",
        &format!(
            "UPDATE public.res_users SET active = true WHERE id = {user1};
             UPDATE public.ir_config_parameter SET value = {} WHERE key = 'tenant.suspended_user_ids';",
            quote_literal(&serde_json::to_string(&without).unwrap())
        ),
    );
    let r = e.suspend_json("acme");
    r.changed();
    assert!(active_ids(&user_states(&e.c, "acme")).is_empty(), "{r}");
    assert_eq!(recorded(&e.c, "acme"), was_active, "union of the record");
    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    r.code(0);
    assert_eq!(user_states(&e.c, "acme"), before, "restored exactly");
}

/// Reactivation never switches on id 1, base.default_user, base.public_user or the
/// portal template (xmlid or ICP base.template_portal_user_id), whatever the record
/// says; ids that are not users are reported.
#[test]
fn trust_reactivate_never_switches_on_root_templates_or_public() {
    let e = Env::new("rx");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let x = |name: &str| xmlid_user(&e.c, "acme", name).unwrap_or_else(|| panic!("base.{name}"));
    let (root, admin, default, public, portal_tmpl) = (
        x("user_root"),
        x("user_admin"),
        x("default_user"),
        x("public_user"),
        x("template_portal_user_id"),
    );
    assert_eq!(root, 1);
    // A second portal template, named only by ICP base.template_portal_user_id.
    let icp_tmpl = user_id(&e.c, "acme", "portal2");
    e.c.sql(
        "acme",
        &format!(
            "UPDATE ir_config_parameter SET value = '{icp_tmpl}' WHERE key = 'base.template_portal_user_id'"
        ),
    );
    e.run(&["suspend", "acme", "--reason", "unpaid", "--yes"], None)
        .code(0);
    let protected = BTreeSet::from([root, default, public, portal_tmpl, icp_tmpl]);
    let record = vec![root, default, public, portal_tmpl, icp_tmpl, admin, 99_999];
    e.c.sql(
        "acme",
        &format!(
            "UPDATE ir_config_parameter SET value = {} WHERE key = 'tenant.suspended_user_ids'",
            quote_literal(&serde_json::to_string(&record).unwrap())
        ),
    );
    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    let v = r.changed();
    assert_eq!(v["users"], 1, "only admin is switched on: {r}");
    let on = active_ids(&user_states(&e.c, "acme"));
    assert_eq!(on, BTreeSet::from([admin]), "only admin active: {r}");
    assert_eq!(
        e.c.sql(
            "acme",
            "SELECT coalesce(active, false) FROM res_users WHERE id = 1"
        ),
        "f"
    );
    assert_eq!(id_set(&v["excluded_users"]), protected, "{r}");
    assert_eq!(id_set(&v["missing_users"]), BTreeSet::from([99_999]), "{r}");
}

/// After the commit tenantctl re-reads: a tenant trigger that keeps user2 active during
/// the suspension makes the outcome `drift` (exit 1), never `changed`.
#[test]
fn trust_a_suspension_that_did_not_hold_is_drift() {
    let e = Env::new("dr");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    e.c.sql(
        "acme",
        "CREATE FUNCTION public.keep_user2() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN IF NEW.login = 'user2' THEN NEW.active := true; END IF; RETURN NEW; END $$;
         CREATE TRIGGER zz_keep_user2 BEFORE UPDATE ON public.res_users
           FOR EACH ROW EXECUTE FUNCTION public.keep_user2();",
    );
    let user2 = user_id(&e.c, "acme", "user2");
    let r = e.run(
        &[
            "--allow-triggers",
            "suspend",
            "acme",
            "--reason",
            "unpaid",
            "--yes",
            "-o",
            "json",
        ],
        None,
    );
    r.code(1);
    assert_eq!(r.json()["outcome"], "drift", "{r}");
    assert_eq!(
        active_ids(&user_states(&e.c, "acme")),
        BTreeSet::from([user2]),
        "committed, but user2 stayed on"
    );
    let last = e.audit_lines().pop().expect("audited");
    assert_eq!(last["action"], "suspend", "{last}");
    assert_ne!(
        last["outcome"], "changed",
        "the audit log tells the truth: {last}"
    );
}

/// passwd takes the per-tenant advisory lock: held by another session, it waits at most
/// the node's statement_timeout, then fails with nothing changed.
#[test]
fn trust_passwd_waits_for_the_tenant_lock() {
    let e = Env::with_extra("lk", "statement_timeout = \"2s\"");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let hash_before = password_hash(&e.c, "acme", "user2");
    {
        let _holder = LockHolder::hold(&e.c, "acme", TENANT_LOCK_KEY);
        let r = e.passwd_json("acme", "user2", "locked-out-pass-1");
        r.code(1);
        assert_eq!(r.json()["outcome"], "failed", "{r}");
        assert_eq!(
            password_hash(&e.c, "acme", "user2"),
            hash_before,
            "nothing changed: {r}"
        );
    }
    let r = e.passwd_json("acme", "user2", "unlocked-pass-1");
    r.changed();
    let h = password_hash(&e.c, "acme", "user2").unwrap();
    assert!(passlib_check(&h, "unlocked-pass-1", 16).verifies);
}

// ---------------------------------------------------------------------------------------
// 4. The audit log tells the truth
// ---------------------------------------------------------------------------------------

#[test]
fn trust_audit_logs_refusals_names_the_real_user_and_guards_its_file() {
    let e = Env::new("au");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let before = user_states(&e.c, "acme");
    let admin_hash = password_hash(&e.c, "acme", "admin");

    // Refusals are logged: an unknown login and __system__.
    for login in ["nosuchuser", "__system__"] {
        let n = e.audit_lines().len();
        let r = e.run(
            &["passwd", "acme", "--login", login, "--password-stdin"],
            Some("a-long-enough-pass\n"),
        );
        r.code(2);
        let lines = e.audit_lines();
        assert_eq!(lines.len(), n + 1, "one audit line for the refusal: {r}");
        let l = &lines[n];
        assert_eq!(l["outcome"], "refused", "{l}");
        assert_eq!(l["action"], "passwd", "{l}");
        assert_eq!(l["tenant"], "acme", "{l}");
    }
    assert_eq!(password_hash(&e.c, "acme", "admin"), admin_hash);
    let mode = std::fs::metadata(e.audit_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "audit file created 0600");

    // The operator is the real uid's password-database name, not $USER/$LOGNAME.
    let me = pw_name(unsafe { libc::getuid() }).expect("the test user has a passwd entry");
    let r = e.run_env(
        &["suspend", "acme", "--reason", "unpaid", "--yes"],
        None,
        &[("USER", "mallory"), ("LOGNAME", "mallory")],
        &["SUDO_UID", "SUDO_USER"],
    );
    r.code(0);
    let op = e.audit_lines().pop().unwrap()["operator"]
        .as_str()
        .unwrap()
        .to_string();
    let (user, host) = op.split_once('@').unwrap_or_else(|| panic!("{op}"));
    assert_eq!(user, me, "operator {op:?} from getpwuid, not $USER");
    assert!(!host.is_empty() && !op.contains("mallory"), "{op}");

    // Without USER/LOGNAME at all (cron, systemd): still the user's name, never "uid0".
    let r = e.run_env(
        &["reactivate", "acme", "--yes"],
        None,
        &[],
        &["USER", "LOGNAME", "SUDO_USER", "SUDO_UID"],
    );
    r.code(0);
    let op = e.audit_lines().pop().unwrap()["operator"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(op.starts_with(&format!("{me}@")), "{op}");

    // Behind sudo (real uid 0, SUDO_UID set): that uid's user.
    if is_root() {
        match pw_name(65534) {
            Some(nobody) => {
                let r = e.run_env(
                    &["suspend", "acme", "--reason", "unpaid", "--yes"],
                    None,
                    &[
                        ("USER", "mallory"),
                        ("LOGNAME", "mallory"),
                        ("SUDO_UID", "65534"),
                    ],
                    &["SUDO_USER"],
                );
                r.code(0);
                let op = e.audit_lines().pop().unwrap()["operator"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(op.starts_with(&format!("{nobody}@")), "{op}");
                e.run(&["reactivate", "acme", "--yes"], None).code(0);
            }
            None => eprintln!("uid 65534 has no passwd entry: SUDO_UID case skipped"),
        }
    }
    assert_eq!(user_states(&e.c, "acme"), before);

    let nothing_changed = |r: &Run| {
        assert_eq!(user_states(&e.c, "acme"), before, "nothing changed: {r}");
        assert_eq!(
            icp(&e.c, "acme", "tenant.suspended").as_deref(),
            Some("false"),
            "{r}"
        );
    };
    let suspend_with = |log: &Path| {
        e.run(
            &[
                "suspend",
                "acme",
                "--reason",
                "unpaid",
                "--yes",
                "--audit-log",
                log.to_str().unwrap(),
            ],
            None,
        )
    };

    // A symlink as audit log: refused (O_NOFOLLOW), the link's target untouched.
    let d = tempfile::tempdir().unwrap();
    let real = d.path().join("real.jsonl");
    std::fs::write(&real, "").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = d.path().join("audit.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = suspend_with(&link);
    r.code(2);
    assert!(r.stderr.contains("symlink"), "{r}");
    nothing_changed(&r);
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "");

    // A file writable by others or by the group: refused.
    for mode in [0o666, 0o620] {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("audit.jsonl");
        std::fs::write(&f, "").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
        let r = suspend_with(&f);
        r.code(2);
        nothing_changed(&r);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "", "{r}");
    }

    // A directory writable by others without the sticky bit: refused.
    let d = tempfile::tempdir().unwrap();
    let open_dir = d.path().join("open");
    std::fs::create_dir(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let r = suspend_with(&open_dir.join("audit.jsonl"));
    r.code(2);
    nothing_changed(&r);

    // With the sticky bit (like /tmp) it is fine.
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let f = open_dir.join("audit-sticky.jsonl");
    let r = suspend_with(&f);
    r.code(0);
    let lines = read_audit(&f);
    assert_eq!(lines.len(), 1, "{r}");
    assert_eq!(lines[0]["outcome"], "changed");
}

/// A line that cannot be written (the file hits RLIMIT_FSIZE: EFBIG, SIGXFSZ ignored)
/// is said on stderr and the exit code is not 0.
#[test]
fn trust_audit_line_that_cannot_be_written_is_an_error() {
    use std::os::unix::process::CommandExt;
    let e = Env::new("af");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    let d = tempfile::tempdir().unwrap();
    let log = d.path().join("audit.jsonl");
    let first = "{\"note\":\"the file is full from here on\"}\n";
    std::fs::write(&log, first).unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o600)).unwrap();
    let limit = first.len() as libc::rlim_t;
    let mut cmd = Command::new(crate::harness::tenantctl_bin());
    // The environment of harness::tenantctl_with_home (that one cannot take a pre_exec).
    for (k, _) in std::env::vars_os() {
        let k_str = k.to_string_lossy();
        if ["PG", "TENANTCTL_", "XDG_"]
            .iter()
            .any(|p| k_str.starts_with(p))
            || k_str == "SSH_AUTH_SOCK"
            || k_str == "RUST_LOG"
        {
            cmd.env_remove(&k);
        }
    }
    cmd.arg("-i")
        .arg(&e.inv)
        .args([
            "suspend",
            "acme",
            "--reason",
            "unpaid",
            "--yes",
            "--audit-log",
        ])
        .arg(&log)
        .env("HOME", e.dir.path())
        .env("XDG_STATE_HOME", e.dir.path().join(".local/state"))
        .env("XDG_CONFIG_HOME", e.dir.path().join(".config"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env(
            crate::harness::PASSWORD_ENV,
            crate::harness::SUPERUSER_PASSWORD,
        )
        .stdin(Stdio::null());
    // SAFETY: only async-signal-safe calls (signal, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut a = assert_cmd::Command::from_std(cmd);
    a.timeout(WATCHDOG);
    let out = a.output().unwrap();
    let r = Run {
        args: vec!["suspend (audit file full)".into()],
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    r.no_panic();
    assert!(
        r.code.is_some_and(|c| c != 0),
        "an unwritten audit line is not a success: {r}"
    );
    assert!(r.stderr.contains("audit"), "stderr says so: {r}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), first, "{r}");
}

// ---------------------------------------------------------------------------------------
// 5. Odoo fidelity
// ---------------------------------------------------------------------------------------

/// passwd writes the rounds that Odoo uses in that database (odoo-facts §2), checked
/// with each family's exact CryptContext: `needs_update` false = no rewrite at the
/// next login.
#[test]
fn trust_passwd_writes_the_rounds_odoo_uses_in_that_database() {
    let e = Env::new("hr");
    let pw = |rounds: u32| passlib_hash("user-pass", rounds);
    // The oracle itself: an early 16.0 build rewrites a 600000 hash to 350000.
    let h600 = crate::fixtures::USER_HASH_600K;
    assert!(oracle(h600, "user-pass", 16, None, Some(350_000)).needs_update);
    assert!(!oracle(h600, "user-pass", 16, None, None).needs_update);

    struct Case {
        db: &'static str,
        major: u32,
        /// SQL run on the fresh tenant.
        setup: String,
        icp: Option<u32>,
        min_rounds: Option<u32>,
        want: u32,
    }
    let admin_to = |h: &str| {
        format!(
            "UPDATE res_users SET password = {} WHERE id = (SELECT res_id FROM ir_model_data \
             WHERE module = 'base' AND name = 'user_admin')",
            quote_literal(h)
        )
    };
    let h19k = pw(19_000);
    let h30k = pw(30_000);
    let h350k = pw(350_000);
    let h400k = pw(400_000);
    let cases = vec![
        // 12–15: the most common rounds of the hashes there (Odoo's own: 25000).
        Case {
            db: "t12",
            major: 12,
            setup: String::new(),
            icp: None,
            min_rounds: None,
            want: 25_000,
        },
        Case {
            db: "t15",
            major: 15,
            setup: String::new(),
            icp: None,
            min_rounds: None,
            want: 25_000,
        },
        // no pbkdf2 hash at all → 25000
        Case {
            db: "t12none",
            major: 12,
            setup: "UPDATE res_users SET password = NULL; \
                    UPDATE res_users SET password = 'plain-text-pw' WHERE login = 'admin'"
                .into(),
            icp: None,
            min_rounds: None,
            want: 25_000,
        },
        // most common, not a constant: all but admin at 30000
        Case {
            db: "t14",
            major: 14,
            setup: format!(
                "UPDATE res_users SET password = {} WHERE password IS NOT NULL AND login <> 'admin'",
                quote_literal(&h30k)
            ),
            icp: None,
            min_rounds: None,
            want: 30_000,
        },
        // passlib 1.6's 19000 clamped to 25000
        Case {
            db: "t13",
            major: 13,
            setup: format!(
                "UPDATE res_users SET password = {} WHERE password IS NOT NULL",
                quote_literal(&h19k)
            ),
            icp: None,
            min_rounds: None,
            want: 25_000,
        },
        // early 16.0 build: the last login (admin) carries 350000
        Case {
            db: "t16early",
            major: 16,
            setup: admin_to(&h350k),
            icp: None,
            min_rounds: Some(350_000),
            want: 350_000,
        },
        // early 16.0 build with ICP 400000: the last login carries 400000
        Case {
            db: "t16early_icp",
            major: 16,
            setup: format!(
                "{}; INSERT INTO ir_config_parameter (key, value) VALUES ('password.hashing.rounds', '400000')",
                admin_to(&h400k)
            ),
            icp: Some(400_000),
            min_rounds: Some(350_000),
            want: 400_000,
        },
        // later 16.0, 17, 19: 600000
        Case {
            db: "t16",
            major: 16,
            setup: String::new(),
            icp: None,
            min_rounds: None,
            want: 600_000,
        },
        Case {
            db: "t17",
            major: 17,
            setup: String::new(),
            icp: None,
            min_rounds: None,
            want: 600_000,
        },
        Case {
            db: "t19",
            major: 19,
            setup: String::new(),
            icp: None,
            min_rounds: None,
            want: 600_000,
        },
        // ICP above the minimum wins
        Case {
            db: "t16_700k",
            major: 16,
            setup: "INSERT INTO ir_config_parameter (key, value) VALUES ('password.hashing.rounds', '700000')".into(),
            icp: Some(700_000),
            min_rounds: None,
            want: 700_000,
        },
    ];
    let specs: Vec<TenantSpec> = cases
        .iter()
        .map(|c| TenantSpec::for_major(c.major))
        .collect();
    let tenants: Vec<(&str, &TenantSpec, Option<&str>)> = cases
        .iter()
        .zip(&specs)
        .map(|(c, s)| (c.db, s, None))
        .collect();
    crate::fixtures::create_tenants(&e.c, &tenants);
    for case in cases.iter().filter(|c| !c.setup.is_empty()) {
        e.c.sql(case.db, &case.setup);
    }
    // Each case is its own tenant and mostly hashing (tenantctl's and the
    // oracle's, up to 700000 rounds): two at a time, one per core.
    let check = |case: &Case| -> Option<String> {
        let login = if case.db == "t12none" {
            "admin"
        } else {
            "user2"
        };
        let new = format!("rounds-pass-{}", case.db);
        let r = e.run(
            &[
                "passwd",
                case.db,
                "--login",
                login,
                "--password-stdin",
                "-o",
                "json",
            ],
            Some(&format!("{new}\n")),
        );
        r.changed();
        let h = password_hash(&e.c, case.db, login).expect("a hash");
        let v = oracle(&h, &new, case.major, case.icp, case.min_rounds);
        assert!(v.verifies, "{}: the new password verifies", case.db);
        let got = rounds_of(&h);
        (got != case.want || v.needs_update).then(|| {
            format!(
                "{} (Odoo {}): wrote {got} rounds, want {} (needs_update {})",
                case.db, case.major, case.want, v.needs_update
            )
        })
    };
    let failures: Vec<String> = std::thread::scope(|s| {
        let odd = cases.iter().skip(1).step_by(2);
        let other = s.spawn(|| odd.filter_map(check).collect::<Vec<_>>());
        let even = cases.iter().step_by(2);
        let mut f: Vec<String> = even.filter_map(check).collect();
        f.extend(other.join().unwrap());
        f
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `show -o json`: created_at is RFC 3339 UTC; the public user is typed `public`.
#[test]
fn trust_show_created_at_is_rfc3339_and_public_user_is_public() {
    let e = Env::new("sh");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    e.c.sql(
        "acme",
        "UPDATE ir_config_parameter SET value = '2024-01-05 10:00:00' WHERE key = 'database.create_date'",
    );
    let r = e.run(&["show", "acme", "-o", "json"], None);
    r.code(0);
    let v = r.json();
    assert_eq!(v["created_at"], "2024-01-05T10:00:00Z", "{r}");
    let users = v["users"].as_array().expect("users");
    let kind = |login: &str| {
        users
            .iter()
            .find(|u| u["login"] == login)
            .unwrap_or_else(|| panic!("no {login} in show: {r}"))["type"]
            .clone()
    };
    assert_eq!(kind("public"), "public", "{r}");
    assert_eq!(kind("portal1"), "portal", "{r}");
    assert_eq!(kind("admin"), "internal", "{r}");
}

/// A database counts as Odoo only when `base` is installed.
#[test]
fn trust_a_database_without_installed_base_is_not_a_tenant() {
    let e = Env::new("bi");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    create_tenant(&e.c, "gone", &TenantSpec::default());
    e.c.sql(
        "gone",
        "UPDATE ir_module_module SET state = 'uninstalled' WHERE name = 'base'",
    );
    let r = e.run(&["list", "-o", "json"], None);
    r.code(0);
    let v = r.json();
    let names: Vec<&str> = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme"], "{r}");
    let r = e.run(&["list", "--all-databases", "-o", "json"], None);
    r.code(0);
    let v = r.json();
    let gone = v["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"] == "gone")
        .unwrap_or_else(|| panic!("--all-databases shows every database: {r}"))
        .clone();
    assert_eq!(gone["status"], "not-odoo", "{r}");
}

/// Odoo 12–13: archived users and old passwords keep XML-RPC access until the workers
/// restart (odoo-facts §3): passwd and suspend say so (JSON `warnings`, stderr in text
/// mode); not on 16.
#[test]
fn trust_passwd_and_suspend_warn_about_xmlrpc_on_12_and_13() {
    let e = Env::new("xr");
    for major in [12, 13, 16] {
        let spec = TenantSpec::for_major(major);
        let (j, t) = (format!("j{major}"), format!("x{major}"));
        create_tenant(&e.c, &j, &spec);
        create_tenant(&e.c, &t, &spec);
        let want = major <= 13;
        let has = |ws: &[String]| ws.iter().any(|w| w.contains("XML-RPC"));

        let r = e.run(
            &["passwd", &j, "--password-stdin", "-o", "json"],
            Some("xmlrpc-pass-1\n"),
        );
        let v = r.changed();
        assert_eq!(has(&warnings(&v)), want, "passwd on {major}: {r}");
        let r = e.suspend_json(&j);
        let v = r.changed();
        assert_eq!(has(&warnings(&v)), want, "suspend on {major}: {r}");

        let r = e.run(&["passwd", &t, "--password-stdin"], Some("xmlrpc-pass-1\n"));
        r.code(0);
        assert_eq!(
            r.stderr.contains("XML-RPC"),
            want,
            "passwd text on {major}: {r}"
        );
        assert!(!r.stdout.contains("XML-RPC"), "{r}");
        let r = e.run(&["suspend", &t, "--reason", "unpaid", "--yes"], None);
        r.code(0);
        assert_eq!(
            r.stderr.contains("XML-RPC"),
            want,
            "suspend text on {major}: {r}"
        );
    }
}

/// Odoo allows a NULL res_users.active: read as inactive, never a panic; not recorded
/// at suspension, not switched on at reactivation.
#[test]
fn trust_null_active_is_inactive_and_never_a_panic() {
    let e = Env::new("nu");
    create_tenant(&e.c, "acme", &TenantSpec::default());
    create_tenant(
        &e.c,
        "old",
        &TenantSpec {
            suspended_by_old_agent: true,
            ..Default::default()
        },
    );
    let nul = user_id(&e.c, "acme", "user3");
    e.c.sql(
        "acme",
        &format!("UPDATE res_users SET active = NULL WHERE id = {nul}"),
    );
    let before = user_states(&e.c, "acme");
    let was_active = active_ids(&before);
    assert!(!was_active.contains(&nul));

    let r = e.run(&["list", "-o", "json"], None);
    r.code(0).no_panic();
    // admin, user1, user2 (user3 is NULL)
    let acme = r.entry("tenants", "tenant", "acme");
    assert_eq!(acme["users"], 3, "{r}");

    let r = e.run(&["show", "acme", "-o", "json"], None);
    r.code(0).no_panic();
    let u3 = r.entry("users", "login", "user3");
    assert_eq!(u3["active"], false, "{r}");

    e.run(&["check"], None).no_panic();

    let r = e.passwd_json("acme", "user3", "null-active-pass");
    r.no_panic().changed();
    let h = password_hash(&e.c, "acme", "user3").unwrap();
    assert!(passlib_check(&h, "null-active-pass", 16).verifies);

    let r = e.suspend_json("acme");
    let v = r.no_panic().changed();
    assert_eq!(v["users"], was_active.len(), "{r}");
    assert_eq!(
        recorded(&e.c, "acme"),
        was_active,
        "the NULL user is not recorded"
    );

    let r = e.run(&["reactivate", "acme", "--yes", "-o", "json"], None);
    r.no_panic().changed();
    assert_eq!(
        user_states(&e.c, "acme"),
        before,
        "NULL user not switched on"
    );
    assert_eq!(
        e.c.sql(
            "acme",
            &format!("SELECT active IS NULL FROM res_users WHERE id = {nul}")
        ),
        "t"
    );

    // An old agent's suspension restored with all-internal reads every internal user,
    // the NULL one too: no panic.
    e.c.sql("old", "UPDATE res_users SET active = false WHERE id <> 1");
    let archived = user_id(&e.c, "old", "archived1");
    e.c.sql(
        "old",
        &format!("UPDATE res_users SET active = NULL WHERE id = {archived}"),
    );
    e.run(&["list", "-o", "json"], None).code(0).no_panic();
    let r = e.run(
        &[
            "reactivate",
            "old",
            "--restore-users",
            "all-internal",
            "--yes",
            "-o",
            "json",
        ],
        None,
    );
    r.no_panic().changed();
    let admin = xmlid_user(&e.c, "old", "user_admin").unwrap();
    assert!(active_ids(&user_states(&e.c, "old")).contains(&admin));
}
