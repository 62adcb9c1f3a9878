//! Issue 15: `backup` and `restore` in Odoo's backup format (a zip of
//! dump.sql, filestore/ and manifest.json) and pg_dump's custom format,
//! against real PostgreSQL with a real filestore directory.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::world::{World, FILES};

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{
    pg_bindir, tenantctl_with_home, write_inventory, Cluster, PASSWORD_ENV, SUPERUSER_PASSWORD,
};

/// The keys `--copy` regenerates (and the base URL it sets).
const REGENERATED: [&str; 5] = [
    "database.secret",
    "database.uuid",
    "database.create_date",
    "web.base.url",
    "web.base.url.freeze",
];

/// The backup world: a [`World`] and the directory backups go to.
pub(crate) struct Env {
    w: World,
    pub(crate) out: PathBuf,
}

impl std::ops::Deref for Env {
    type Target = World;
    fn deref(&self) -> &World {
        &self.w
    }
}

/// A cluster with tenant `acme` (Odoo 16 shaped, owned by the Odoo role) and
/// its filestore.
pub(crate) fn env() -> Env {
    let w = World::builder()
        .node("n1")
        .role(ODOO_ROLE, ODOO_PASSWORD, "CREATEDB")
        .tenant_owned("acme", TenantSpec::for_major(16), ODOO_ROLE)
        .sql(
            "acme",
            "UPDATE ir_config_parameter SET value = '2020-01-01 00:00:00' WHERE key = 'database.create_date'",
        )
        .files("acme")
        .default_key("base_url", "https://{tenant}.example.com")
        .default_key("db_owner", "odoo")
        .build();
    let out = w.dir.path().join("backups");
    std::fs::create_dir_all(&out).unwrap();
    Env { w, out }
}

/// The tenants' Odoo role (not a superuser), as Odoo's `db_user`.
pub(crate) const ODOO_ROLE: &str = "odoo";
pub(crate) const ODOO_PASSWORD: &str = "odoo-pass";

/// Every owner of `db` and of the objects in its `public` schema (tables,
/// sequences, views, functions; `pg_database_owner`, PostgreSQL 15's owner
/// of a new database's `public` schema, is the database's owner), and whether a session of the Odoo role
/// reads its users: what Odoo needs to list and load it (odoo-facts §7).
pub(crate) fn owners_and_odoo_reads(
    c: &Cluster,
    db: &str,
) -> (Vec<String>, Result<String, String>) {
    let owners = c.column(
        db,
        "SELECT DISTINCT o FROM ( \
           SELECT pg_get_userbyid(datdba)::text AS o FROM pg_database WHERE datname = current_database() \
           UNION ALL SELECT pg_get_userbyid(c.relowner)::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' \
           UNION ALL SELECT pg_get_userbyid(p.proowner)::text FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
           UNION ALL SELECT pg_get_userbyid(n.nspowner)::text FROM pg_namespace n WHERE n.nspname = 'public') x \
         WHERE o <> 'pg_database_owner' ORDER BY 1",
    );
    let reads = c.tcp_sql_as(
        ODOO_ROLE,
        ODOO_PASSWORD,
        db,
        "SELECT count(*) FROM res_users; UPDATE ir_config_parameter SET value = value WHERE key = 'database.uuid'",
    );
    (owners, reads)
}

/// `db`'s plain dump, as Odoo's database manager makes it (`pg_dump
/// --no-owner`).
pub(crate) fn plain_dump(t: &Env, db: &str) -> Vec<u8> {
    let dump = std::process::Command::new(pg_bindir().join("pg_dump"))
        .args(["--no-owner", "-h", t.c.host(), "-p"])
        .arg(t.c.port().to_string())
        .args(["-U", "postgres", db])
        .env("PGPASSWORD", SUPERUSER_PASSWORD)
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    dump.stdout
}

/// Asserts that `db` and everything in it belongs to the Odoo role, and
/// that a session of that role works in it.
pub(crate) fn assert_owned_by_odoo(c: &Cluster, db: &str) {
    let (owners, reads) = owners_and_odoo_reads(c, db);
    assert_eq!(owners, vec![ODOO_ROLE.to_string()], "{db}");
    assert!(reads.is_ok(), "{db}: {reads:?}");
}

/// Loader roles left on the cluster (a restore drops its own).
pub(crate) fn loader_roles(c: &Cluster) -> Vec<String> {
    c.column(
        "postgres",
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'tenantctl\\_load\\_%' ORDER BY 1",
    )
}

impl Env {
    /// Every public table's row count.
    fn counts(&self, db: &str) -> BTreeMap<String, i64> {
        let tables = self.c.column(
            db,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        );
        assert!(tables.len() > 5, "{tables:?}");
        tables
            .into_iter()
            .map(|t| {
                let n = self
                    .c
                    .sql(db, &format!("SELECT count(*) FROM public.\"{t}\""))
                    .parse()
                    .unwrap();
                (t, n)
            })
            .collect()
    }
    /// A checksum of a table's rows in id order.
    /// Row counts but ir_config_parameter (compared key by key: `--copy`
    /// adds web.base.url.freeze).
    fn counts_but_icp(&self, db: &str) -> BTreeMap<String, i64> {
        let mut c = self.counts(db);
        c.remove("ir_config_parameter");
        c
    }
    fn checksum(&self, db: &str, table: &str) -> String {
        self.c.sql(
            db,
            &format!("SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM public.{table} t"),
        )
    }
    /// ICP without the keys `--copy` regenerates.
    fn stable_params(&self, db: &str) -> BTreeMap<String, String> {
        let mut p = self.params(db);
        p.retain(|k, _| !REGENERATED.contains(&k.as_str()));
        p
    }
    pub(crate) fn files(&self, db: &str) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        walk(&self.fs.join(db), "", &mut m);
        m
    }
    pub(crate) fn backup(&self, args: &[&str]) -> Value {
        self.run()
            .arg("backup")
            .args(args)
            .args(["-o", "json"])
            .run()
            .json()
    }
    pub(crate) fn restore(
        &self,
        target: &str,
        file: &Path,
        mode: &str,
    ) -> (Option<i32>, Value, String) {
        let r = self
            .run()
            .args(["restore", target])
            .arg(file)
            .args([mode, "--yes", "-o", "json"])
            .any_code()
            .run();
        let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
        (r.code, v, r.stderr)
    }
}

/// A zip in the layout of Odoo's database manager: `dump`, the fixture's
/// filestore files and a manifest.
pub(crate) fn write_odoo_zip(file: &Path, dump: &[u8]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(file).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("dump.sql", o).unwrap();
    z.write_all(dump).unwrap();
    for (p, body) in FILES {
        z.start_file(format!("filestore/{p}"), o).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.start_file("manifest.json", o).unwrap();
    z.write_all(
        br#"{"odoo_dump": "1", "db_name": "acme", "version": "16.0", "version_info": [16, 0, 0, "final", 0, ""], "major_version": "16.0", "pg_version": "15.4", "modules": {"base": "16.0.1.3"}}"#,
    )
    .unwrap();
    z.finish().unwrap();
}

fn walk(dir: &Path, prefix: &str, m: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let e = e.unwrap();
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), &format!("{name}/"), m);
        } else {
            m.insert(name, std::fs::read_to_string(e.path()).unwrap());
        }
    }
}

fn sha256_file(p: &Path) -> String {
    let mut h = Sha256::new();
    h.update(std::fs::read(p).unwrap());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn backup_round_trip_copy_and_move_keep_the_content() {
    let t = env();
    let v = t.backup(&["acme", "--dir", t.out.to_str().unwrap()]);
    assert_eq!(v["outcome"], "unchanged", "{v}");
    let file = PathBuf::from(v["file"].as_str().unwrap());
    let fname = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        fname.starts_with("acme_") && fname.ends_with("Z.zip"),
        "{fname}"
    );
    assert_eq!(v["sha256"], sha256_file(&file));
    assert_eq!(v["filestore_files"], 3);
    // Only the final file is left in the directory.
    let left: Vec<_> = std::fs::read_dir(&t.out).unwrap().collect();
    assert_eq!(left.len(), 1);

    // The zip is in Odoo's layout.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut sql = String::new();
    z.by_name("dump.sql")
        .unwrap()
        .read_to_string(&mut sql)
        .unwrap();
    assert!(sql.contains("PostgreSQL database dump"), "{}", &sql[..200]);
    assert!(!sql.contains("OWNER TO"), "--no-owner");
    let m: Value = serde_json::from_reader(z.by_name("manifest.json").unwrap()).unwrap();
    assert_eq!(m["odoo_dump"], "1");
    assert_eq!(m["db_name"], "acme");
    assert_eq!(m["version"], "16.0");
    assert_eq!(m["major_version"], "16.0");
    assert_eq!(m["version_info"][0], 16);
    assert!(m["pg_version"].as_str().unwrap().starts_with("15"), "{m}");
    assert!(
        m["modules"]["base"].as_str().unwrap().starts_with("16.0"),
        "{m}"
    );
    for (p, body) in FILES {
        let mut s = String::new();
        z.by_name(&format!("filestore/{p}"))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, body);
    }

    // The audit line carries the checksum.
    let audit = t.audit();
    let line = audit.iter().find(|l| l["action"] == "backup").unwrap();
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains(v["sha256"].as_str().unwrap()),
        "{line}"
    );

    // --copy under another name: same content, new identity.
    let (code, r, err) = t.restore("n1/acme2", &file, "--copy");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_eq!(r["outcome"], "changed", "{r}");
    assert_eq!(t.counts_but_icp("acme2"), t.counts_but_icp("acme"));
    // The fixture has no ir_attachment table; res_users and ICP are checked.
    assert_eq!(
        t.checksum("acme2", "res_users"),
        t.checksum("acme", "res_users")
    );
    assert_eq!(t.stable_params("acme2"), t.stable_params("acme"));
    assert_eq!(t.files("acme2"), t.files("acme"));
    let (a, b) = (t.params("acme"), t.params("acme2"));
    for k in ["database.uuid", "database.secret", "database.create_date"] {
        assert_ne!(a.get(k), b.get(k), "--copy regenerates {k}");
    }
    assert_eq!(b["web.base.url"], "https://acme2.example.com");
    // Owned, objects included, by the Odoo role, which can work in it, as
    // after Odoo's own restore; no loader role is left.
    assert_owned_by_odoo(&t.c, "acme2");
    assert_eq!(loader_roles(&t.c), Vec::<String>::new());
    assert_eq!(r["owner"], ODOO_ROLE, "{r}");
    // pg_dump's own \restrict pair (15.14+) is in the dump and did not stop
    // the load.
    assert!(sql.contains("\n\\restrict "), "{}", &sql[..300]);

    // --move: identity kept, every parameter the same.
    let (code, r, err) = t.restore("n1/acme3", &file, "--move");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_eq!(t.params("acme3"), t.params("acme"));
    assert_eq!(t.counts("acme3"), t.counts("acme"));
    assert_eq!(t.files("acme3"), t.files("acme"));
    assert_owned_by_odoo(&t.c, "acme3");

    // An existing target is never overwritten: exit 2, nothing changed.
    let before = (t.dbs(), t.fs_entries());
    let (code, r, _) = t.restore("n1/acme2", &file, "--move");
    assert_eq!(code, Some(2), "{r}");
    assert!(r["error"].as_str().unwrap().contains("exists"), "{r}");
    assert_eq!((t.dbs(), t.fs_entries()), before);
    // The same for an orphan filestore directory of the name.
    std::fs::create_dir(t.fs.join("orphan")).unwrap();
    let (code, r, _) = t.restore("n1/orphan", &file, "--copy");
    assert_eq!(code, Some(2), "{r}");
    assert!(!t.dbs().contains(&"orphan".to_string()));

    // Dry run: the plan, nothing made.
    let a = t
        .cmd()
        .args(["restore", "n1/dry"])
        .arg(&file)
        .arg("--dry-run")
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        out.contains("TEMPLATE template0") && out.contains("3 files"),
        "{out}"
    );
    assert!(!t.dbs().contains(&"dry".to_string()));

    // A file that exists is not overwritten by a backup.
    let a = t
        .cmd()
        .args(["backup", "acme", "-f"])
        .arg(&file)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("exists"));
}

#[test]
fn dump_format_round_trip_and_suspended_tenant() {
    let t = env();
    // A suspended tenant backs up too.
    t.cmd()
        .args(["suspend", "acme", "--reason", "unpaid", "--yes"])
        .assert()
        .code(0);
    let f = t.out.join("acme.dump");
    let v = t.backup(&["acme", "--format", "dump", "-f", f.to_str().unwrap()]);
    assert_eq!(v["format"], "dump", "{v}");
    let mut head = [0u8; 5];
    std::fs::File::open(&f)
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(&head, b"PGDMP");
    let (code, r, err) = t.restore("n1/acme4", &f, "--move");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_eq!(t.counts("acme4"), t.counts("acme"));
    assert_eq!(
        t.checksum("acme4", "res_users"),
        t.checksum("acme", "res_users")
    );
    assert_eq!(t.params("acme4"), t.params("acme"));
    // A custom archive carries no filestore.
    assert!(!t.fs_entries().contains(&"acme4".to_string()));

    // A blocked tenant (suspension layer `connections`) backs up from a
    // private snapshot: the tenant stays blocked, the snapshot is gone.
    let before = t.counts_but_icp("acme4");
    let partners = t.checksum("acme4", "res_partner");
    t.cmd()
        .args(["suspend", "n1/acme4", "--layers", "users,connections"])
        .args(["--reason", "unpaid", "--yes"])
        .assert()
        .code(0);
    let blocked = |db: &str| {
        t.c.sql(
            "postgres",
            &format!("SELECT datallowconn FROM pg_database WHERE datname = '{db}'"),
        )
    };
    assert_eq!(blocked("acme4"), "f");
    let comment = t.c.sql(
        "postgres",
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'acme4'",
    );
    let dbs = t.dbs();
    let f = t.out.join("acme4-blocked.zip");
    let v = t.backup(&["n1/acme4", "-f", f.to_str().unwrap()]);
    assert_eq!(v["snapshot"], true, "{v}");
    assert_eq!(blocked("acme4"), "f", "the tenant stayed blocked");
    assert_eq!(
        t.c.sql(
            "postgres",
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'acme4'",
        ),
        comment
    );
    assert_eq!(t.dbs(), dbs, "the snapshot was dropped");
    let (code, r, err) = t.restore("n1/acme5", &f, "--move");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_eq!(r["blocked"], true, "{r}");
    // Restored blocked, with tenantctl's record: listed as a blocked tenant.
    assert_eq!(blocked("acme5"), "f", "the restored copy is blocked too");
    let a = t.cmd().args(["list", "-o", "json"]).assert().code(0);
    let l: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let row = l["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["tenant"] == "acme5")
        .cloned()
        .unwrap_or_else(|| panic!("acme5 not listed: {l}"));
    assert_eq!(row["status"], "suspended", "{row}");
    t.c.sql("postgres", "ALTER DATABASE acme5 ALLOW_CONNECTIONS true");
    assert_eq!(t.counts_but_icp("acme5"), before);
    assert_eq!(t.checksum("acme5", "res_partner"), partners);
    let reason = t.c.sql(
        "acme5",
        "SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_reason'",
    );
    assert_eq!(reason, "unpaid", "the suspension record came along");

    // Blocked by hand (no tenantctl record): found by name, same snapshot;
    // nothing to carry, nothing said of a block.
    let dbs = t.dbs();
    t.c.sql("postgres", "ALTER DATABASE acme ALLOW_CONNECTIONS false");
    let f = t.out.join("acme-blocked.dump");
    let v = t.backup(&["n1/acme", "--format", "dump", "-f", f.to_str().unwrap()]);
    assert_eq!(v["snapshot"], true, "{v}");
    assert_eq!(blocked("acme"), "f");
    assert_eq!(t.dbs(), dbs, "the snapshot was dropped");
    t.c.sql("postgres", "ALTER DATABASE acme ALLOW_CONNECTIONS true");
}

#[test]
fn a_zip_in_odoos_own_layout_restores() {
    let t = env();
    // Built as Odoo's database manager does: plain `pg_dump --no-owner`,
    // filestore/ and manifest.json.
    let file = t.out.join("odoo.zip");
    write_odoo_zip(&file, &plain_dump(&t, "acme"));
    let (code, r, err) = t.restore("n1/fromodoo", &file, "--copy");
    assert_eq!(code, Some(0), "{err} {r}");
    assert_owned_by_odoo(&t.c, "fromodoo");
    assert_eq!(r["manifest_db_name"], "acme", "{r}");
    assert_eq!(t.counts_but_icp("fromodoo"), t.counts_but_icp("acme"));
    assert_eq!(t.stable_params("fromodoo"), t.stable_params("acme"));
    assert_eq!(t.files("fromodoo"), t.files("acme"));
    assert_ne!(
        t.params("fromodoo")["database.uuid"],
        t.params("acme")["database.uuid"]
    );

    // A zip without dump.sql is refused.
    let bad = t.out.join("bad.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        z.start_file("x.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.finish().unwrap();
    }
    let (code, r, _) = t.restore("n1/bad", &bad, "--copy");
    assert_eq!(code, Some(2), "{r}");
    assert!(r["error"].as_str().unwrap().contains("dump.sql"), "{r}");
}

#[test]
fn pg_dump_missing_or_too_old_exits_2_with_the_fix() {
    let t = env();
    let bin = t.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let a = t
        .cmd()
        .env("PATH", &bin)
        .args(["backup", "acme", "--dir"])
        .arg(&t.out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("pg_dump not found") && err.contains("apt-get install postgresql-client-15"),
        "{err}"
    );
    // Too old.
    let fake = bin.join("pg_dump");
    std::fs::write(&fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 12.9'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let a = t
        .cmd()
        .env("PATH", &bin)
        .args(["backup", "acme", "--dir"])
        .arg(&t.out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("version 12, older than the server (15)")
            && err.contains("postgresql-client-15"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&t.out).unwrap().count(), 0);
}

/// Runs tenantctl with `args` paused before `step`, sends `sig` there; the
/// exit code and stderr.
fn interrupt_at(t: &Env, args: &[&str], step: &str, sig: i32) -> (Option<i32>, String) {
    crate::harness::interrupt_at(t.dir.path(), &t.inv, args, b"", step, sig)
}

/// The snapshot a blocked tenant's backup is made from, killed between its
/// CREATE DATABASE and its mark: the local record written before the
/// CREATE names it, `check` reports it, the next lifecycle command on the
/// node removes it.
#[test]
fn a_snapshot_killed_before_its_mark_is_removed_by_the_next_run() {
    let t = env();
    let out = t.out.to_str().unwrap().to_string();
    t.cmd()
        .args(["suspend", "acme", "--layers", "users,connections"])
        .args(["--reason", "unpaid", "--yes"])
        .assert()
        .code(0);
    let before = t.dbs();
    let (code, err) = interrupt_at(
        &t,
        &["backup", "acme", "--dir", &out],
        "snapshot-mark",
        libc::SIGKILL,
    );
    assert_eq!(code, None, "{err}");
    let left: Vec<String> = t
        .dbs()
        .into_iter()
        .filter(|d| !before.contains(d))
        .collect();
    assert!(
        left.len() == 1 && left[0].starts_with("acme.creating-"),
        "{left:?}"
    );
    let comment = t.c.sql(
        "postgres",
        &format!(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '-') FROM pg_database WHERE datname = '{}'",
            left[0]
        ),
    );
    assert_eq!(comment, "-", "killed before its mark");
    let a = t.cmd().args(["check", "-o", "json"]).assert();
    let text = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        text.contains(&format!(
            "database \\\"{}\\\" was left by a tenantctl run that was killed",
            left[0]
        )),
        "{text}"
    );
    let a = t
        .cmd()
        .args(["drop", "acme", "--yes", "-o", "json"])
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!(v["warnings"].to_string().contains("removed"), "{v}");
    assert!(
        !t.dbs().iter().any(|d| d.contains(".creating-")),
        "{:?}",
        t.dbs()
    );
}

#[test]
fn a_killed_backup_or_restore_leaves_nothing() {
    let t = env();
    let out = t.out.to_str().unwrap().to_string();
    // Backup killed outright: no final file.
    let (code, _) = interrupt_at(
        &t,
        &["backup", "acme", "--dir", &out],
        "dump",
        libc::SIGKILL,
    );
    assert_eq!(code, None);
    let finals: Vec<_> = std::fs::read_dir(&t.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(finals.is_empty(), "{finals:?}");
    // Ctrl-C: nothing at all, not even the partial file.
    for e in std::fs::read_dir(&t.out).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let (code, err) = interrupt_at(&t, &["backup", "acme", "--dir", &out], "dump", libc::SIGINT);
    assert_ne!(code, Some(0), "{err}");
    assert_eq!(std::fs::read_dir(&t.out).unwrap().count(), 0, "{err}");
    let v = t.backup(&["acme", "-f", &format!("{out}/acme.zip")]);
    let file = PathBuf::from(v["file"].as_str().unwrap());
    let before = (t.dbs(), t.fs_entries());
    // Ctrl-C at each step of a restore: everything undone.
    for step in ["load", "identity", "filestore", "rename", "done"] {
        let (code, err) = interrupt_at(
            &t,
            &["restore", "n1/killed", file.to_str().unwrap(), "--yes"],
            step,
            libc::SIGINT,
        );
        assert_ne!(code, Some(0), "step {step}: {err}");
        assert_eq!((t.dbs(), t.fs_entries()), before, "step {step}: {err}");
        assert_eq!(
            loader_roles(&t.c),
            Vec::<String>::new(),
            "step {step}: {err}"
        );
    }
    // kill -9 while the file loads: its loader role is left (with the
    // staging database it owns), and the next lifecycle command drops both.
    let (code, _) = interrupt_at(
        &t,
        &["restore", "n1/killed", file.to_str().unwrap(), "--yes"],
        "load",
        libc::SIGKILL,
    );
    assert_eq!(code, None);
    assert_eq!(loader_roles(&t.c).len(), 1);
    let (code, r, err) = t.restore("n1/other", &file, "--copy");
    assert_eq!(code, Some(0), "{err} {r}");
    assert!(
        r["warnings"].to_string().contains("dropped the role"),
        "{r}"
    );
    // Audited: the role dropped, by the restore.
    let rec = t.recovered();
    let role = rec
        .iter()
        .find(|x| x["reason"].to_string().contains("dropped the role"))
        .unwrap_or_else(|| panic!("{rec:?}"));
    crate::world::assert_recovered(role, "restore");
    assert_eq!(loader_roles(&t.c), Vec::<String>::new());
    assert!(
        !t.dbs().iter().any(|d| d.starts_with("killed.")),
        "{:?}",
        t.dbs()
    );
    t.c.sql("postgres", "DROP DATABASE other");
    std::fs::remove_dir_all(t.fs.join("other")).unwrap();
    // kill -9 during a restore: the staging database and directory are left
    // under their staging name (never NAME), and the next restore removes them.
    let (code, _) = interrupt_at(
        &t,
        &["restore", "n1/killed", file.to_str().unwrap(), "--yes"],
        "rename",
        libc::SIGKILL,
    );
    assert_eq!(code, None);
    assert!(!t.dbs().contains(&"killed".to_string()));
    assert!(t.dbs().iter().any(|d| d.starts_with("killed.creating-")));
    let (code, r, err) = t.restore("n1/killed", &file, "--copy");
    assert_eq!(code, Some(0), "{err} {r}");
    assert!(r["warnings"].to_string().contains("killed"), "{r}");
    let mut want = before.0.clone();
    want.push("killed".into());
    want.sort();
    assert_eq!(t.dbs(), want);
    let mut want_fs = before.1.clone();
    want_fs.push("killed".into());
    want_fs.sort();
    assert_eq!(t.fs_entries(), want_fs);
}

#[test]
fn backup_and_restore_over_an_ssh_node_use_its_tunnel_and_master() {
    use crate::harness::{toml_string, Sshd};
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    let t = env();
    let run = tempfile::Builder::new()
        .prefix("tb")
        .tempdir_in("/tmp")
        .unwrap();
    let inv = t.dir.path().join("ssh.toml");
    std::fs::write(
        &inv,
        format!(
            "[defaults]\nuser = \"postgres\"\npassword_env = \"{PASSWORD_ENV}\"\nsslmode = \"disable\"\nfilestore = {}\ndb_owner = \"odoo\"\n\n\
             [[node]]\nname = \"s1\"\nhost = \"127.0.0.1\"\nport = {}\n[node.ssh]\nhost = \"127.0.0.1\"\nport = {}\nuser = {}\nidentity_file = {}\nknown_hosts_file = {}\n",
            toml_string(&t.fs.to_string_lossy()),
            t.c.port(),
            sshd.port(),
            toml_string(&sshd.user()),
            toml_string(&sshd.identity_file().to_string_lossy()),
            toml_string(&sshd.known_hosts_file().to_string_lossy()),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&inv, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let cmd = || {
        let mut c = tenantctl_with_home(t.dir.path());
        c.env("XDG_RUNTIME_DIR", run.path()).arg("-i").arg(&inv);
        c
    };
    let logins = || sshd.log().matches("Accepted publickey").count();
    let l0 = logins();
    let a = cmd()
        .args(["backup", "s1/acme", "-o", "json", "--dir"])
        .arg(&t.out)
        .assert();
    let out = a.get_output().clone();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["via"], "ssh", "{v}");
    assert_eq!(v["filestore_files"], 3, "{v}");
    // pg_dump (through the forward) and tar share one SSH login.
    assert_eq!(logins() - l0, 1, "{}", sshd.log());
    let file = PathBuf::from(v["file"].as_str().unwrap());
    let a = cmd()
        .args(["restore", "s1/sshcopy"])
        .arg(&file)
        .args(["--move", "--yes", "-o", "json"])
        .assert();
    let out = a.get_output().clone();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(t.params("sshcopy"), t.params("acme"));
    assert_eq!(t.counts("sshcopy"), t.counts("acme"));
    assert_eq!(t.files("sshcopy"), t.files("acme"));
}

#[test]
fn bulk_backup_backs_up_every_tenant_and_keeps_the_newest_n() {
    let t = env();
    create_tenant(&t.c, "beta", &TenantSpec::for_major(17));
    crate::fixtures::create_plain_db(&t.c, "notodoo");
    // A file of another tenant whose name starts like one: never pruned.
    std::fs::write(t.out.join("acme_x_20200101T000000Z.zip"), "x").unwrap();
    // `later`: seconds added to the clock (debug builds), so the second run's
    // file names carry a later stamp without waiting for the next second.
    let run = |later: &str| {
        let a = t
            .cmd()
            .env("TENANTCTL_DEBUG_NOW_OFFSET", later)
            .args(["bulk", "backup", "--all-matching", "--keep", "1", "--dir"])
            .arg(&t.out)
            .args(["-o", "json"])
            .assert();
        let out = a.get_output().clone();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = run("0");
    let results = v["results"].as_array().unwrap();
    let mut names: Vec<&str> = results
        .iter()
        .map(|r| r["tenant"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["acme", "beta"], "{v}");
    for r in results {
        let f = PathBuf::from(r["file"].as_str().unwrap());
        assert_eq!(r["sha256"], sha256_file(&f), "{r}");
    }
    let v2 = run("5");
    for r in v2["results"].as_array().unwrap() {
        assert_eq!(r["pruned"].as_array().unwrap().len(), 1, "{r}");
    }
    let mut files: Vec<String> = std::fs::read_dir(&t.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.contains(&"acme_x_20200101T000000Z.zip".to_string()));
    for r in v2["results"].as_array().unwrap() {
        let f = PathBuf::from(r["file"].as_str().unwrap());
        assert!(f.exists(), "the newest is kept");
    }
    // --all-matching is required.
    t.cmd()
        .args(["bulk", "backup", "--dir"])
        .arg(&t.out)
        .assert()
        .code(2);
}

#[test]
fn move_copies_verifies_and_soft_drops_the_source() {
    let t = env();
    let c2 = Cluster::start("bk2");
    c2.create_role_attrs(ODOO_ROLE, ODOO_PASSWORD, "CREATEDB");
    // The tenant's own SECURITY DEFINER function: harmless in its database
    // (it runs as the tenant's role); were the copy owned by tenantctl's
    // superuser on the new node, calling it would make the tenant superuser.
    t.c.tcp_sql_as(
        ODOO_ROLE,
        ODOO_PASSWORD,
        "acme",
        "CREATE FUNCTION public.tenant_escalate() RETURNS void LANGUAGE plpgsql SECURITY DEFINER \
         AS $$BEGIN EXECUTE 'ALTER ROLE odoo SUPERUSER'; END$$",
    )
    .unwrap();
    let fs2 = t.dir.path().join("filestore2");
    std::fs::create_dir_all(&fs2).unwrap();
    let inv = write_inventory(t.dir.path(), &[("n1", &t.c), ("n2", &c2)], "");
    let text = std::fs::read_to_string(&inv)
        .unwrap()
        .replacen(
            &format!("port = {}\n", t.c.port()),
            &format!(
                "port = {}\nfilestore = \"{}\"\n",
                t.c.port(),
                t.fs.display()
            ),
            1,
        )
        .replacen(
            &format!("port = {}\n", c2.port()),
            &format!("port = {}\nfilestore = \"{}\"\n", c2.port(), fs2.display()),
            1,
        );
    std::fs::write(&inv, text).unwrap();
    let cmd = || {
        let mut c = tenantctl_with_home(t.dir.path());
        c.arg("-i").arg(&inv);
        c
    };
    // Not suspended: refused.
    cmd().args(["move", "acme", "n2", "--yes"]).assert().code(2);
    crate::trust_restore::move_on_a_terminal(&t, &inv, false);
    cmd()
        .args(["suspend", "n1/acme", "--reason", "moving", "--yes"])
        .assert()
        .code(0);
    crate::trust_restore::move_on_a_terminal(&t, &inv, true);
    // Dry run: what and how large.
    let a = cmd()
        .args(["move", "acme", "n2", "--dry-run", "-o", "json"])
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["outcome"], "would-change", "{v}");
    assert_eq!(v["filestore_files"], 3, "{v}");
    assert!(v["database_bytes"].as_i64().unwrap() > 0, "{v}");
    let before = t.params("acme");
    let users = t.checksum("acme", "res_users");
    let a = cmd()
        .args(["move", "acme", "n2", "--yes", "-o", "json"])
        .assert();
    let out = a.get_output().clone();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "changed", "{v}");
    // It ends by saying how to bring the tenant back on its new node.
    assert_eq!(v["next"], "tenantctl reactivate n2/acme", "{v}");
    // On n2: the same tenant (identity kept), its users and its filestore.
    let p2: BTreeMap<String, String> = c2
        .rows(
            "acme",
            "SELECT key, value FROM ir_config_parameter ORDER BY key",
        )
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(p2, before);
    assert_eq!(
        c2.sql(
            "acme",
            "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM public.res_users t"
        ),
        users
    );
    let mut f2 = BTreeMap::new();
    walk(&fs2.join("acme"), "", &mut f2);
    assert_eq!(f2.len(), 3);
    // Owned by the tenant's role on n2, objects included; its function runs
    // as that role there too.
    assert_owned_by_odoo(&c2, "acme");
    let called = c2.tcp_sql_as(
        ODOO_ROLE,
        ODOO_PASSWORD,
        "acme",
        "SELECT public.tenant_escalate()",
    );
    assert!(called.is_err(), "{called:?}");
    assert_eq!(
        c2.sql(
            "postgres",
            "SELECT rolsuper FROM pg_roles WHERE rolname = 'odoo'"
        ),
        "f"
    );
    assert_eq!(loader_roles(&c2), Vec::<String>::new());
    // On n1: soft-dropped (renamed, kept until purged), the name free.
    assert!(!t.dbs().contains(&"acme".to_string()));
    assert!(
        t.dbs().iter().any(|d| d.starts_with("acme.dropped-")),
        "{:?}",
        t.dbs()
    );
    // Its undrop would make two live copies of one tenant: refused, naming
    // the copy, nothing changed.
    let before_undrop = t.dbs();
    let a = cmd().args(["undrop", "n1/acme", "--yes"]).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("moved to n2/acme") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(t.dbs(), before_undrop);
    // A name the target node has already: refused, nothing changed.
    create_tenant(&c2, "beta", &TenantSpec::for_major(16));
    create_tenant(&t.c, "beta", &TenantSpec::for_major(16));
    let a = cmd()
        .args([
            "move",
            "n1/beta",
            "n2",
            "--yes",
            "--force",
            "--no-filestore",
        ])
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&a.get_output().stderr).contains("already has"),
        "{}",
        String::from_utf8_lossy(&a.get_output().stderr)
    );
    assert!(t.dbs().contains(&"beta".to_string()));
}

/// bulk backup reports progress as the other bulk runs: plain numbered lines
/// without a terminal (cron), none with -q, a bar on a terminal.
#[test]
fn bulk_backup_progress_is_plain_lines_in_cron_and_a_bar_on_a_terminal() {
    let t = env();
    create_tenant(&t.c, "beta", &TenantSpec::for_major(17));
    let a = t
        .cmd()
        .args(["bulk", "backup", "--all-matching", "--dir"])
        .arg(&t.out)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    for n in ["[1/2] n1/", "[2/2] n1/"] {
        assert!(err.contains(&format!("tenantctl: {n}")), "{err}");
    }
    assert!(
        err.contains("n1/acme: unchanged") && err.contains("n1/beta: unchanged"),
        "{err}"
    );
    // A directory per run: backup names have one-second timestamps.
    let dir = |n: &str| {
        let d = t.out.join(n);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let a = t
        .cmd()
        .args(["-q", "bulk", "backup", "--all-matching", "--dir"])
        .arg(dir("quiet"))
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(!err.contains("[1/2]"), "{err}");
    if !crate::ux::have_script() {
        eprintln!("skipped the terminal part: no script(1)");
        return;
    }
    let (code, screen) = crate::ux::on_a_terminal(
        &t.inv,
        t.dir.path(),
        &format!("bulk backup --all-matching --dir {}", dir("tty").display()),
        "",
    );
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        !screen.contains("[1/2]") && !screen.contains("[2/2]"),
        "{screen}"
    );
    // The bar's own text (pos/len, the not-ok count, ETA).
    assert!(screen.contains("/2 ") && screen.contains("ETA"), "{screen}");
}
