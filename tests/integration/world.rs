//! The one world builder of the integration tests (the run builder is in
//! [`crate::run`], re-exported here).
//!
//! A [`World`] is PostgreSQL nodes (real clusters from the harness) with
//! tenants of given Odoo families, an optional filestore, and a typed
//! [`Inventory`] pointing at them, in a temporary HOME. A [`Run`] is one
//! tenantctl invocation (arguments, stdin, environment) with what it must
//! give (exit code, stdout/stderr text, JSON), all checked together when it
//! is run: one failure message shows the command, its exit and both outputs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fixtures::{
    cacheable_major, cached_for, create_plain_db, create_tenants, psql_connect_line, TenantSpec,
};
use crate::harness::{tenantctl_with_home, toml_string, Cluster, Sshd, PASSWORD_ENV};
pub use crate::run::{spawn, wait_bounded, Run};

// ------------------------------------------------------------------ inventory

/// A TOML value of an inventory key.
#[derive(Clone, Debug)]
pub enum Toml {
    Str(String),
    Int(i64),
    Bool(bool),
    /// TOML text as is (an inline table, an array).
    Raw(String),
}

impl Toml {
    fn render(&self) -> String {
        match self {
            Toml::Str(s) => toml_string(s),
            Toml::Int(i) => i.to_string(),
            Toml::Bool(b) => b.to_string(),
            Toml::Raw(t) => t.clone(),
        }
    }
}

impl From<&str> for Toml {
    fn from(s: &str) -> Toml {
        Toml::Str(s.to_string())
    }
}
impl From<String> for Toml {
    fn from(s: String) -> Toml {
        Toml::Str(s)
    }
}
impl From<&Path> for Toml {
    fn from(p: &Path) -> Toml {
        Toml::Str(p.display().to_string())
    }
}
impl From<i64> for Toml {
    fn from(i: i64) -> Toml {
        Toml::Int(i)
    }
}
impl From<u16> for Toml {
    fn from(i: u16) -> Toml {
        Toml::Int(i.into())
    }
}
impl From<bool> for Toml {
    fn from(b: bool) -> Toml {
        Toml::Bool(b)
    }
}

/// One `[[node]]`: name, host, port, its own keys, and how to reach it over SSH.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub keys: Vec<(String, Toml)>,
    pub ssh: Option<Ssh>,
}

/// A node's `[node.ssh]`.
#[derive(Clone, Debug)]
pub struct Ssh {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub identity_file: PathBuf,
    pub known_hosts_file: PathBuf,
}

impl Ssh {
    /// The harness's sshd, with its key and known_hosts.
    pub fn to(sshd: &Sshd) -> Ssh {
        Ssh {
            host: sshd.host().to_string(),
            port: sshd.port(),
            user: sshd.user(),
            identity_file: sshd.identity_file(),
            known_hosts_file: sshd.known_hosts_file(),
        }
    }
}

/// An inventory file: `[defaults]` (as the harness writes them: user
/// postgres, the test password variable, sslmode disable), the nodes, and
/// raw TOML appended for what has no field here. [`Inventory::text`] is the
/// same text `harness::write_inventory` writes for the same nodes.
#[derive(Clone, Debug)]
pub struct Inventory {
    pub defaults: Vec<(String, Toml)>,
    pub nodes: Vec<Node>,
    pub extra: String,
}

impl Default for Inventory {
    fn default() -> Self {
        Inventory {
            defaults: vec![
                ("user".into(), "postgres".into()),
                ("password_env".into(), PASSWORD_ENV.into()),
                ("sslmode".into(), "disable".into()),
            ],
            nodes: Vec::new(),
            extra: String::new(),
        }
    }
}

impl Inventory {
    /// An inventory with an empty `[defaults]`: each node says all it needs.
    pub fn bare() -> Inventory {
        Inventory {
            defaults: Vec::new(),
            ..Inventory::default()
        }
    }

    /// A `[defaults]` key (replaces one of the same name).
    pub fn default_key(mut self, key: &str, value: impl Into<Toml>) -> Self {
        self.defaults.retain(|(k, _)| k != key);
        self.defaults.push((key.to_string(), value.into()));
        self
    }

    /// A node at `host:port`.
    pub fn node_at(mut self, name: &str, host: &str, port: u16) -> Self {
        self.nodes.push(Node {
            name: name.to_string(),
            host: host.to_string(),
            port,
            keys: Vec::new(),
            ssh: None,
        });
        self
    }

    /// A node for a harness cluster.
    pub fn node(self, name: &str, c: &Cluster) -> Self {
        self.node_at(name, c.host(), c.port())
    }

    /// A key of the last node added.
    pub fn node_key(mut self, key: &str, value: impl Into<Toml>) -> Self {
        let n = self.nodes.last_mut().expect("node_key after a node");
        n.keys.push((key.to_string(), value.into()));
        self
    }

    /// How the last node added is reached over SSH.
    pub fn node_ssh(mut self, ssh: Ssh) -> Self {
        self.nodes.last_mut().expect("node_ssh after a node").ssh = Some(ssh);
        self
    }

    /// Raw TOML appended after the nodes.
    pub fn extra(mut self, toml: &str) -> Self {
        self.extra.push_str(toml);
        self
    }

    pub fn text(&self) -> String {
        let mut s = String::from("[defaults]\n");
        for (k, v) in &self.defaults {
            s.push_str(&format!("{k} = {}\n", v.render()));
        }
        for n in &self.nodes {
            s.push_str(&format!(
                "\n[[node]]\nname = {}\nhost = {}\nport = {}\n",
                toml_string(&n.name),
                toml_string(&n.host),
                n.port
            ));
            for (k, v) in &n.keys {
                s.push_str(&format!("{k} = {}\n", v.render()));
            }
            if let Some(ssh) = &n.ssh {
                s.push_str(&format!(
                    "[node.ssh]\nhost = {}\nport = {}\nuser = {}\nidentity_file = {}\nknown_hosts_file = {}\n",
                    toml_string(&ssh.host),
                    ssh.port,
                    toml_string(&ssh.user),
                    toml_string(&ssh.identity_file.to_string_lossy()),
                    toml_string(&ssh.known_hosts_file.to_string_lossy()),
                ));
            }
        }
        if !self.extra.is_empty() {
            s.push('\n');
            s.push_str(&self.extra);
            if !self.extra.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }

    /// Writes it to `path` (mode 0600, as tenantctl wants); the path.
    pub fn write(&self, path: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, self.text()).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path.to_path_buf()
    }
}

// ---------------------------------------------------------------------- world

/// What a node of a [`World`] is made of.
struct NodePlan {
    name: String,
    /// (database, spec, owner role: None for postgres)
    tenants: Vec<(String, TenantSpec, Option<String>)>,
    keys: Vec<(String, Toml)>,
    /// Roles made before the tenants: (name, password, attributes).
    roles: Vec<(String, String, String)>,
    /// SQL run after the tenants are made: (database, statements).
    sql: Vec<(String, String)>,
    /// Databases that are not Odoo's.
    plain: Vec<String>,
}

/// Builds a [`World`]: `World::builder().node("n1").tenant("acme",
/// TenantSpec::for_major(16)).build()`.
#[must_use]
pub struct WorldBuilder {
    nodes: Vec<NodePlan>,
    inventory: Inventory,
    filestore: bool,
    files: Vec<String>,
}

impl WorldBuilder {
    /// A new node (a cluster of its own) named `name` in the inventory.
    pub fn node(mut self, name: &str) -> Self {
        self.nodes.push(NodePlan {
            name: name.to_string(),
            tenants: Vec::new(),
            keys: Vec::new(),
            roles: Vec::new(),
            sql: Vec::new(),
            plain: Vec::new(),
        });
        self
    }

    fn last(&mut self) -> &mut NodePlan {
        self.nodes.last_mut().expect("a node first")
    }

    /// A tenant on the last node.
    pub fn tenant(mut self, db: &str, spec: TenantSpec) -> Self {
        self.last().tenants.push((db.to_string(), spec, None));
        self
    }

    /// A tenant on the last node owned by `owner` (database and objects, as
    /// when an Odoo server's role made it; see [`WorldBuilder::role`]).
    pub fn tenant_owned(mut self, db: &str, spec: TenantSpec, owner: &str) -> Self {
        let owner = Some(owner.to_string());
        self.last().tenants.push((db.to_string(), spec, owner));
        self
    }

    /// A login role on the last node (`attrs`: e.g. "CREATEDB"), made before
    /// its tenants.
    pub fn role(mut self, name: &str, password: &str, attrs: &str) -> Self {
        let r = (name.to_string(), password.to_string(), attrs.to_string());
        self.last().roles.push(r);
        self
    }

    /// A database that is not Odoo's on the last node.
    pub fn plain_db(mut self, db: &str) -> Self {
        self.last().plain.push(db.to_string());
        self
    }

    /// SQL run in `db` of the last node once its tenants are made.
    pub fn sql(mut self, db: &str, sql: &str) -> Self {
        self.last().sql.push((db.to_string(), sql.to_string()));
        self
    }

    /// The standard attachments ([`FILES`]) in `db`'s filestore directory
    /// (a filestore is set up).
    pub fn files(mut self, db: &str) -> Self {
        self.filestore = true;
        self.files.push(db.to_string());
        self
    }

    /// Tenants on the last node.
    pub fn tenants(mut self, tenants: &[(&str, TenantSpec)]) -> Self {
        for (db, spec) in tenants {
            self = self.tenant(db, spec.clone());
        }
        self
    }

    /// An inventory key of the last node.
    pub fn node_key(mut self, key: &str, value: impl Into<Toml>) -> Self {
        self.last().keys.push((key.to_string(), value.into()));
        self
    }

    /// A `[defaults]` key.
    pub fn default_key(mut self, key: &str, value: impl Into<Toml>) -> Self {
        self.inventory = self.inventory.default_key(key, value);
        self
    }

    /// Raw TOML after the nodes.
    pub fn extra(mut self, toml: &str) -> Self {
        self.inventory = self.inventory.extra(toml);
        self
    }

    /// A filestore directory `<dir>/filestore`, `filestore` in `[defaults]`.
    pub fn filestore(mut self) -> Self {
        self.filestore = true;
        self
    }

    pub fn build(self) -> World {
        let dir = tempfile::tempdir().unwrap();
        let fs = dir.path().join("filestore");
        let mut inventory = self.inventory;
        if self.filestore {
            std::fs::create_dir_all(&fs).unwrap();
            inventory = inventory.default_key("filestore", fs.as_path());
        }
        for db in &self.files {
            write_files(&fs.join(db));
        }
        let mut nodes: Vec<(String, Cluster)> = Vec::new();
        for plan in self.nodes {
            // The cluster starts with the templates of its tenants' majors.
            let t = plan.tenants.iter();
            let majors = t.filter_map(|(_, spec, _)| cacheable_major(spec)).collect();
            let c = Cluster::start_with(&plan.name, cached_for(&majors));
            for (name, password, attrs) in &plan.roles {
                c.create_role_attrs(name, password, attrs);
            }
            let tenants: Vec<(&str, &TenantSpec, Option<&str>)> = plan
                .tenants
                .iter()
                .map(|(db, spec, owner)| (db.as_str(), spec, owner.as_deref()))
                .collect();
            create_tenants(&c, &tenants);
            for db in &plan.plain {
                create_plain_db(&c, db);
            }
            for (db, sql) in &plan.sql {
                c.sql(db, sql);
            }
            inventory = inventory.node(&plan.name, &c);
            for (k, v) in plan.keys {
                inventory = inventory.node_key(&k, v);
            }
            nodes.push((plan.name, c));
        }
        let inv = inventory.write(&dir.path().join("nodes.toml"));
        assert!(!nodes.is_empty(), "a world has a node");
        let (first, c) = nodes.remove(0);
        World {
            first,
            c,
            others: nodes,
            dir,
            inv,
            inventory,
            fs,
        }
    }
}

/// A tenant's filestore (content-addressed, as Odoo writes it).
pub const FILES: [(&str, &str); 3] = [
    ("ab/ab12cd34ef", "attachment one"),
    ("ab/ab99887766", "bundle.css body { }"),
    ("0f/0f00aa11bb", "web.assets_backend.js"),
];

/// [`FILES`] under `root` (a tenant's filestore directory).
pub fn write_files(root: &Path) {
    for (p, body) in FILES {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, body).unwrap();
    }
}

/// Nodes with tenants, a HOME (`dir`) with the inventory `inv` in it. `c`
/// is the first node's cluster (most worlds have one), [`World::node`] any.
pub struct World {
    first: String,
    pub c: Cluster,
    pub others: Vec<(String, Cluster)>,
    pub dir: tempfile::TempDir,
    pub inv: PathBuf,
    pub inventory: Inventory,
    /// `<dir>/filestore`: the filestore when the world has one.
    pub fs: PathBuf,
}

impl World {
    pub fn builder() -> WorldBuilder {
        WorldBuilder {
            nodes: Vec::new(),
            inventory: Inventory::default(),
            filestore: false,
            files: Vec::new(),
        }
    }

    /// One node `n1` with `tenants`: the most common world.
    pub fn one_node(tenants: &[(&str, TenantSpec)]) -> World {
        World::builder().node("n1").tenants(tenants).build()
    }

    /// The cluster of node `name`.
    pub fn node(&self, name: &str) -> &Cluster {
        if name == self.first {
            return &self.c;
        }
        &self
            .others
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no node {name}"))
            .1
    }

    /// The HOME the runs get (state, audit log, config under it).
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// A [`Run`] of tenantctl on this world's inventory.
    pub fn run(&self) -> Run {
        Run::new(self.home()).inv(&self.inv)
    }

    /// `tenantctl -i INV` as an assert_cmd command (for tests written that way).
    pub fn cmd(&self) -> assert_cmd::Command {
        self.cmd_inv(&self.inv)
    }

    /// `tenantctl -i inv` with this world's HOME.
    pub fn cmd_inv(&self, inv: &Path) -> assert_cmd::Command {
        let mut c = tenantctl_with_home(self.home());
        c.arg("-i").arg(inv);
        c
    }

    /// Another inventory file in the world's dir (e.g. one node behind a proxy).
    pub fn write_inventory(&self, file: &str, inv: &Inventory) -> PathBuf {
        inv.write(&self.dir.path().join(file))
    }

    /// The audit log's lines, parsed.
    pub fn audit(&self) -> Vec<Value> {
        audit_lines(self.home())
    }

    /// The `recover` entries of `tenantctl log -o json`: the work of runs
    /// killed outright that later commands finished or undid.
    pub fn recovered(&self) -> Vec<Value> {
        let v = self.run().args(["log", "-o", "json"]).run().json();
        v["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["action"] == "recover")
            .cloned()
            .collect()
    }

    /// The first node's databases but postgres, template0 and template1, sorted.
    pub fn dbs(&self) -> Vec<String> {
        self.c.column(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres','template0','template1') ORDER BY 1",
        )
    }

    /// The filestore's directories, sorted (none: empty).
    pub fn fs_entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.fs)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// `db`'s ir_config_parameter on the first node, key to value.
    pub fn params(&self, db: &str) -> std::collections::BTreeMap<String, String> {
        self.c
            .rows(
                db,
                "SELECT key, value FROM ir_config_parameter ORDER BY key",
            )
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    }
}

// --------------------------------------------------------------- roles, grants

/// The grants docs/security.md documents for a non-superuser role, applied to one
/// tenant database.
pub fn grant_minimal(c: &Cluster, db: &str, role: &str) {
    c.sql(
        "postgres",
        &format!("GRANT CONNECT ON DATABASE \"{db}\" TO {role}"),
    );
    c.sql(
        db,
        &format!(
            "GRANT SELECT ON ir_module_module, ir_model_data, res_users_log TO {role};
             GRANT SELECT, UPDATE (active, password) ON res_users TO {role};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ir_config_parameter TO {role};
             GRANT USAGE ON SEQUENCE ir_config_parameter_id_seq TO {role};
             GRANT SELECT, UPDATE (active) ON ir_cron TO {role};
             GRANT SELECT, INSERT, DELETE, UPDATE (active) ON ir_mail_server TO {role};
             GRANT USAGE ON SEQUENCE ir_mail_server_id_seq TO {role};
             GRANT SELECT, UPDATE (active) ON fetchmail_server TO {role};
             GRANT SELECT, UPDATE (state, failure_reason) ON mail_mail TO {role};
             GRANT SELECT ON res_partner, res_company, res_groups_users_rel TO {role};
             DO $$ DECLARE r record; BEGIN
               FOR r IN SELECT c.relname, c.relkind FROM pg_class c
                        WHERE c.relname IN ('base_cache_signaling', 'base_cache_signaling_default')
                           OR c.relname IN ('orm_signaling_default', 'orm_signaling_stable')
                           OR c.relname IN ('orm_signaling_default_id_seq', 'orm_signaling_stable_id_seq') LOOP
                 IF r.relkind = 'S' THEN EXECUTE format('GRANT USAGE ON SEQUENCE %I TO {role}', r.relname);
                 ELSE EXECUTE format('GRANT INSERT ON TABLE %I TO {role}', r.relname); END IF;
               END LOOP; END $$;"
        ),
    );
}

// ------------------------------------------------------------------ coherence

/// A tenant's users as `fixtures::user_states` gives them.
pub type States = Vec<(i64, String, bool, bool)>;

/// What the coherence checks read of a tenant, in one query.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// As `fixtures::user_states`.
    pub users: States,
    /// ICP `tenant.suspended`.
    pub suspended: Option<String>,
    /// ICP `tenant.suspended_user_ids`.
    pub record: Option<String>,
    /// The admin's stored password (None: NULL or no such user).
    pub admin_hash: Option<String>,
}

const SNAPSHOT_SQL: &str = "SELECT json_build_object(\
     'users', (SELECT coalesce(json_agg(json_build_array(id, login, coalesce(active, false), \
                coalesce(share, false)) ORDER BY id), '[]') FROM res_users), \
     'suspended', (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended'), \
     'record', (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_user_ids'), \
     'admin_hash', (SELECT password FROM res_users WHERE login = 'admin'));\n";

fn snapshot_of(db: &str, line: &str) -> Snapshot {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{db}: {e}: {line}"));
    let text = |k: &str| v[k].as_str().map(str::to_string);
    let users = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let id = u[0].as_i64().unwrap();
            let login = u[1].as_str().unwrap().to_string();
            (id, login, u[2].as_bool().unwrap(), u[3].as_bool().unwrap())
        })
        .collect();
    Snapshot {
        users,
        suspended: text("suspended"),
        record: text("record"),
        admin_hash: text("admin_hash"),
    }
}

/// [`Snapshot`]s of the tenants `dbs` of `c`, read in one psql session.
/// (A name psql's `\connect` would not take literally gets a session of its own.)
pub fn snapshots<S: AsRef<str>>(c: &Cluster, dbs: &[S]) -> Vec<Snapshot> {
    let mut script = String::new();
    let mut batched = Vec::new();
    for db in dbs {
        if let Some(connect) = psql_connect_line(db.as_ref()) {
            script.push_str(&connect);
            script.push_str(SNAPSHOT_SQL);
            batched.push(db.as_ref());
        }
    }
    let out = if script.is_empty() {
        String::new()
    } else {
        c.sql("postgres", &script)
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), batched.len(), "one row per tenant: {out}");
    let mut rows = batched.into_iter().zip(lines);
    dbs.iter()
        .map(|db| match psql_connect_line(db.as_ref()) {
            Some(_) => {
                let (name, line) = rows.next().unwrap();
                snapshot_of(name, line)
            }
            None => snapshot_of(db.as_ref(), &c.sql(db.as_ref(), SNAPSHOT_SQL)),
        })
        .collect()
}

/// The users of each of `dbs` (as `fixtures::user_states`), in one psql session.
pub fn states_of<S: AsRef<str>>(c: &Cluster, dbs: &[S]) -> Vec<States> {
    snapshots(c, dbs).into_iter().map(|s| s.users).collect()
}

/// The coherence rule of a suspension: suspended with the exact record
/// (the users active before, id 1 never) and every user off, or exactly as
/// before (same users, no stale record). Returns true when suspended;
/// panics on anything in between.
pub fn suspended_or_untouched(c: &Cluster, db: &str, before: &States) -> bool {
    coherent(db, &snapshots(c, &[db])[0], before)
}

/// [`suspended_or_untouched`] for each of `dbs` (with its users `before`),
/// read in one psql session; how many are suspended.
pub fn count_suspended<S: AsRef<str>>(c: &Cluster, dbs: &[S], before: &[States]) -> usize {
    assert_eq!(dbs.len(), before.len());
    let snaps = snapshots(c, dbs);
    dbs.iter()
        .zip(&snaps)
        .zip(before)
        .filter(|((db, s), b)| coherent(db.as_ref(), s, b))
        .count()
}

/// The coherence rule on a [`Snapshot`] (see [`suspended_or_untouched`]).
pub fn coherent(db: &str, now: &Snapshot, before: &States) -> bool {
    match now.suspended.as_deref() {
        Some("true") => {
            let rec = now
                .record
                .as_ref()
                .unwrap_or_else(|| panic!("{db}: suspended without a record"));
            let recorded: Vec<i64> = serde_json::from_str(rec).unwrap();
            let was: Vec<i64> = before
                .iter()
                .filter(|u| u.2 && u.0 != 1)
                .map(|u| u.0)
                .collect();
            assert_eq!(recorded, was, "{db}: record exact, never empty");
            assert!(
                now.users.iter().all(|u| !u.2),
                "{db}: users off while suspended"
            );
            true
        }
        None | Some("false") => {
            assert_eq!(&now.users, before, "{db}: users exactly as before");
            assert!(now.record.is_none(), "{db}: no stale record");
            false
        }
        other => panic!("{db}: tenant.suspended = {other:?}"),
    }
}

/// An audit entry of a killed run's work on node n1 finished or undone by
/// the command `by`: `recover`, `changed`, the killed run named (pid,
/// host, start).
pub fn assert_recovered(entry: &Value, by: &str) {
    assert_eq!(entry["action"], "recover", "{entry}");
    assert_eq!(entry["node"], "n1", "{entry}");
    assert_eq!(entry["outcome"], "changed", "{entry}");
    assert_eq!(entry["by"], by, "{entry}");
    let reason = entry["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("(pid ") && reason.contains(" on ") && reason.contains(", started 20"),
        "{entry}"
    );
}

/// The audit log under `home`, one JSON value a line (none: empty).
pub fn audit_lines(home: &Path) -> Vec<Value> {
    std::fs::read_to_string(home.join(".local/state/tenantctl/audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The stdout of an assert_cmd run as one JSON document (the failure shows
/// both outputs).
pub fn json_of(a: &assert_cmd::assert::Assert) -> Value {
    let o = a.get_output();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}
