//! Issue 22, items 6 to 8: database names, local state and backup files made
//! by someone else never steer tenantctl outside the tenant, against real
//! PostgreSQL (the Odoo role makes the databases, a second OS user plants the
//! state, a customer hands over the zip).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::backup::{env, Env};
use crate::fixtures::{create_tenant_owned, TenantSpec};

/// The Odoo role of these tests (CREATEDB, not a superuser).
const ODOO: &str = "tf_odoo";
const ODOO_PW: &str = "tf-odoo-pass";

/// Names under a directory (recursively), relative.
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(d: &Path, base: &Path, out: &mut BTreeSet<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(base).unwrap().display().to_string());
            if p.is_dir() && !p.is_symlink() {
                walk(&p, base, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The backup env (tenant `acme` with its filestore, the victim), the Odoo
/// role's tenant `attacker`, and two databases the Odoo role made from it:
/// `../filestore/acme` (reaches the victim's filestore from the root) and
/// an absolute path into `outside` (a temp dir of ours standing for `/etc`).
struct Hostile {
    t: Env,
    outside: tempfile::TempDir,
    up: String,
    abs: String,
}

fn hostile() -> Hostile {
    let t = env();
    t.c.create_role(ODOO, ODOO_PW, false);
    create_tenant_owned(&t.c, "attacker", &TenantSpec::for_major(16), ODOO);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("ssl");
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("key.pem"), "the operator's key").unwrap();
    let up = "../filestore/acme".to_string();
    let abs = secret.display().to_string();
    for name in [&up, &abs] {
        t.c.tcp_sql_as(
            ODOO,
            ODOO_PW,
            "postgres",
            &format!(
                "CREATE DATABASE {} TEMPLATE attacker",
                crate::harness::quote_ident(name)
            ),
        )
        .unwrap();
    }
    Hostile {
        t,
        outside,
        up,
        abs,
    }
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn trust_files_bulk_backup_skips_unsafe_names_and_writes_nothing_outside_dir() {
    let h = hostile();
    let t = &h.t;
    let (fs_before, outside_before) = (tree(&t.fs), tree(h.outside.path()));
    let a = t
        .cmd()
        .args(["bulk", "backup", "--all-matching", "--dir"])
        .arg(&t.out)
        .args(["-o", "json"])
        .assert();
    let err = stderr(&a);
    assert_eq!(
        tree(&t.fs),
        fs_before,
        "nothing written in the filestore root: {err}"
    );
    assert_eq!(
        tree(h.outside.path()),
        outside_before,
        "nothing written outside --dir: {err}"
    );
    for name in [&h.up, &h.abs] {
        assert!(
            err.contains("warning") && err.contains(&format!("{name:?}")),
            "{name}: {err}"
        );
    }
    // The others are backed up, into --dir.
    let made: Vec<String> = tree(&t.out).into_iter().collect();
    assert!(
        made.iter().any(|f| f.starts_with("acme_"))
            && made.iter().any(|f| f.starts_with("attacker_")),
        "{made:?} {err}"
    );
    assert!(made.iter().all(|f| !f.contains('/')), "{made:?}");
}

#[test]
fn trust_files_backup_of_an_unsafe_name_is_refused() {
    let h = hostile();
    let t = &h.t;
    let (fs_before, outside_before) = (tree(&t.fs), tree(h.outside.path()));
    for name in [&h.up, &h.abs] {
        let a = t
            .cmd()
            .arg("backup")
            .arg(format!("n1/{name}"))
            .arg("--dir")
            .arg(&t.out)
            .assert();
        let err = stderr(&a);
        a.code(2);
        assert!(err.contains("not a valid Odoo database name"), "{err}");
    }
    assert!(tree(&t.out).is_empty());
    assert_eq!(tree(&t.fs), fs_before);
    assert_eq!(tree(h.outside.path()), outside_before);
}

#[test]
fn trust_files_drop_of_an_unsafe_name_is_refused_and_the_victim_keeps_its_files() {
    let h = hostile();
    let t = &h.t;
    let victim = t.files("acme");
    assert!(!victim.is_empty());
    let spec = format!("n1/{}", h.up);
    t.cmd()
        .args(["suspend", &spec, "--reason", "closing", "--yes"])
        .assert()
        .code(0);
    let a = t.cmd().args(["drop", &spec, "--yes"]).assert();
    let err = stderr(&a);
    a.code(2);
    assert!(err.contains("not a valid Odoo database name"), "{err}");
    assert_eq!(t.files("acme"), victim, "{err}");
    assert!(t.c.db_exists(&h.up));
    assert_eq!(t.fs_entries(), ["acme"]);
}

#[test]
fn trust_files_list_shows_unsafe_names() {
    let h = hostile();
    let a = h.t.cmd().args(["list", "-o", "json"]).assert().code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let status = |name: &str| {
        v["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["tenant"] == name)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status(&h.up).as_deref(), Some("unsafe-name"), "{v}");
    assert_eq!(status(&h.abs).as_deref(), Some("unsafe-name"), "{v}");
    assert_eq!(status("acme").as_deref(), Some("active"), "{v}");
    // The table escapes the name like any tenant text.
    h.t.c
        .tcp_sql_as(
            ODOO,
            ODOO_PW,
            "postgres",
            "CREATE DATABASE \"evil\x1b[2Jname\" TEMPLATE attacker",
        )
        .unwrap();
    let a = h.t.cmd().arg("list").assert().code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        !out.contains('\x1b') && out.contains("unsafe-name"),
        "{out}"
    );
}

// ------------------------------------------------------------------ local state

/// A second OS user for the planted state (`postgres` runs the clusters).
const OTHER: &str = "postgres";

fn as_other(args: &[&str]) {
    let st = Command::new("runuser")
        .args(["-u", OTHER, "--"])
        .args(args)
        .status()
        .unwrap();
    assert!(st.success(), "{args:?}");
}

/// The address tenantctl records for node `n1` (see `Node::address`).
fn address(t: &Env) -> String {
    let host = t.c.host();
    if host.starts_with('/') {
        format!("{host}/.s.PGSQL.{}", t.c.port())
    } else {
        format!("{host}:{}", t.c.port())
    }
}

#[test]
fn trust_files_a_crash_record_planted_by_another_user_is_ignored() {
    let t = env();
    // `victim`'s filestore (its database lives elsewhere) and the tenant
    // `attacker` without one: a record saying "killed between renaming
    // victim to attacker and its filestore" would move the files over.
    std::fs::create_dir_all(t.fs.join("victim/ab")).unwrap();
    std::fs::write(t.fs.join("victim/ab/secret"), "victim's attachment").unwrap();
    create_tenant_owned(&t.c, "attacker", &TenantSpec::for_major(16), "postgres");
    // A shared sticky state directory (like /tmp), the operator's
    // XDG_STATE_HOME; the other user makes tenantctl/building in it first.
    let shared = t.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::set_permissions(t.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let building = shared.join("tenantctl/building");
    let record = building.join("planted.json");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let rec = serde_json::json!({
        "node": "n1", "address": address(&t), "db": "attacker",
        "pid": 4_194_000, "host": host, "at": "2026-01-01T00:00:00Z",
        "then": {"kind": "move", "from": "victim", "allow": false, "allowed_before": false}
    });
    as_other(&["mkdir", "-p", building.to_str().unwrap()]);
    as_other(&[
        "chmod",
        "-R",
        "0755",
        shared.join("tenantctl").to_str().unwrap(),
    ]);
    let staged = t.dir.path().join("rec.json");
    std::fs::write(&staged, rec.to_string()).unwrap();
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o644)).unwrap();
    as_other(&["cp", staged.to_str().unwrap(), record.to_str().unwrap()]);
    // The operator's next lifecycle command (its audit log elsewhere).
    let own = t.dir.path().join("own");
    let a = t
        .cmd()
        .env("XDG_STATE_HOME", &shared)
        .arg("--audit-log")
        .arg(own.join("audit.jsonl"))
        .args(["rename", "acme", "acme2", "--yes"])
        .assert();
    let err = stderr(&a);
    a.code(0);
    assert!(
        err.contains("warning") && err.contains(&building.display().to_string()),
        "{err}"
    );
    assert!(t.fs.join("victim/ab/secret").exists(), "{err}");
    assert!(!t.fs.join("attacker").exists(), "{err}");
    assert!(record.exists(), "a planted record is not ours to remove");

    // A record file of another user in the operator's own directory: also
    // ignored.
    let mine = t.dir.path().join("mine");
    let b2 = mine.join("tenantctl/building");
    std::fs::create_dir_all(&b2).unwrap();
    for d in [&mine.join("tenantctl"), &b2] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let rec2 = b2.join("planted.json");
    std::fs::copy(&staged, &rec2).unwrap();
    let uid = Command::new("id").args(["-u", OTHER]).output().unwrap();
    let uid: u32 = String::from_utf8_lossy(&uid.stdout).trim().parse().unwrap();
    std::os::unix::fs::chown(&rec2, Some(uid), None).unwrap();
    let a = t
        .cmd()
        .env("XDG_STATE_HOME", &mine)
        .args(["rename", "acme2", "acme3", "--yes"])
        .assert();
    let err = stderr(&a);
    a.code(0);
    assert!(err.contains(&rec2.display().to_string()), "{err}");
    assert!(t.fs.join("victim/ab/secret").exists(), "{err}");
    assert!(!t.fs.join("attacker").exists(), "{err}");
}

#[test]
fn trust_files_the_audit_log_refuses_a_sticky_directory_of_another_user() {
    let t = env();
    let shared = t.dir.path().join("theirs");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let uid = Command::new("id").args(["-u", OTHER]).output().unwrap();
    let uid: u32 = String::from_utf8_lossy(&uid.stdout).trim().parse().unwrap();
    std::os::unix::fs::chown(&shared, Some(uid), None).unwrap();
    let a = t
        .cmd()
        .arg("--audit-log")
        .arg(shared.join("audit.jsonl"))
        .args(["suspend", "acme", "--reason", "x", "--yes"])
        .assert();
    let err = stderr(&a);
    a.code(2);
    assert!(err.contains(&shared.display().to_string()), "{err}");
    assert!(!shared.join("audit.jsonl").exists());
}

// ------------------------------------------------------------------ archives

/// A zip of tenantctl's own backup of `acme` (dump.sql, manifest.json) with
/// `extra` entries written by `add`.
fn hostile_zip(
    t: &Env,
    name: &str,
    add: impl FnOnce(&mut zip::ZipWriter<std::fs::File>),
) -> PathBuf {
    let v = t.backup(&[
        "acme",
        "--file",
        t.out.join("base.zip").to_str().unwrap(),
        "--no-filestore",
    ]);
    let base = PathBuf::from(v["file"].as_str().unwrap());
    let mut src = zip::ZipArchive::new(std::fs::File::open(&base).unwrap()).unwrap();
    let file = t.out.join(name);
    let mut z = zip::ZipWriter::new(std::fs::File::create(&file).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("dump.sql", o).unwrap();
    let mut dump = Vec::new();
    src.by_name("dump.sql")
        .unwrap()
        .read_to_end(&mut dump)
        .unwrap();
    z.write_all(&dump).unwrap();
    add(&mut z);
    z.finish().unwrap();
    std::fs::remove_file(&base).unwrap();
    file
}

/// Restores `file` as `n1/restored`: exit code and stderr; asserts that
/// nothing was written (no database, no filestore directory).
fn restore_leaves_nothing(t: &Env, file: &Path) -> (Option<i32>, String) {
    let (dbs, fs) = (t.dbs(), t.fs_entries());
    let (code, _, err) = t.restore("n1/restored", file, "--copy");
    assert_eq!(t.dbs(), dbs, "{err}");
    assert_eq!(t.fs_entries(), fs, "{err}");
    (code, err)
}

fn manifest(z: &mut zip::ZipWriter<std::fs::File>) {
    z.start_file("manifest.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(br#"{"odoo_dump": "1", "db_name": "acme", "version": "16.0"}"#)
        .unwrap();
}

#[test]
fn trust_files_a_zip_bomb_is_refused_with_nothing_written() {
    let t = env();
    let inv = std::fs::read_to_string(&t.inv).unwrap();
    std::fs::write(
        &t.inv,
        inv.replacen("[defaults]\n", "[defaults]\nrestore_max_ratio = 20\n", 1),
    )
    .unwrap();
    let file = hostile_zip(&t, "bomb.zip", |z| {
        manifest(z);
        z.start_file(
            "filestore/ab/zeros",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&vec![0u8; 16 << 20]).unwrap();
    });
    assert!(std::fs::metadata(&file).unwrap().len() < 1 << 20);
    let (code, err) = restore_leaves_nothing(&t, &file);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("zip bomb"), "{err}");
}

/// Sets the declared uncompressed size of entry `name` to `size` in its
/// local header and in the central directory.
fn lie_about_size(file: &Path, name: &str, size: u32) {
    let mut b = std::fs::read(file).unwrap();
    let mut patched = 0;
    let mut i = 0;
    while i + 46 < b.len() {
        let sig = &b[i..i + 4];
        let (name_len_at, name_at, size_at) = match sig {
            b"PK\x03\x04" => (26, 30, 22),
            b"PK\x01\x02" => (28, 46, 24),
            _ => {
                i += 1;
                continue;
            }
        };
        let n = u16::from_le_bytes([b[i + name_len_at], b[i + name_len_at + 1]]) as usize;
        if b.get(i + name_at..i + name_at + n) == Some(name.as_bytes()) {
            b[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        i += 4;
    }
    assert_eq!(patched, 2);
    std::fs::write(file, b).unwrap();
}

#[test]
fn trust_files_an_entry_larger_than_declared_is_aborted() {
    let t = env();
    // Past its declared 16 bytes the entry carries a tar header of its own:
    // fed to `tar -x` as is, it smuggles a symlink the zip never declared.
    let mut body = b"A".repeat(16);
    body.resize(512, 0);
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_path("ab/sneaky").unwrap();
    h.set_link_name("/etc/passwd").unwrap();
    h.set_size(0);
    h.set_mode(0o777);
    h.set_cksum();
    body.extend_from_slice(h.as_bytes());
    body.extend_from_slice(&[0u8; 1024]);
    let file = hostile_zip(&t, "liar.zip", |z| {
        manifest(z);
        z.start_file(
            "filestore/ab/liar",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&body).unwrap();
    });
    lie_about_size(&file, "filestore/ab/liar", 16);
    let (code, err) = restore_leaves_nothing(&t, &file);
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("beyond its declared size"), "{err}");
}

#[test]
fn trust_files_a_symlink_entry_is_refused() {
    let t = env();
    let file = hostile_zip(&t, "link.zip", |z| {
        manifest(z);
        z.add_symlink(
            "filestore/ab/link",
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    });
    let (code, err) = restore_leaves_nothing(&t, &file);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file or directory"), "{err}");
}

#[test]
fn trust_files_an_oversized_manifest_is_refused() {
    let t = env();
    let file = hostile_zip(&t, "manifest.zip", |z| {
        z.start_file("manifest.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        // 2 MiB that do not compress (a ratio refusal is not what is tested).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut body = String::from("{\"pad\": \"");
        while body.len() < 2 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push_str(&format!("{x:016x}"));
        }
        body.push_str("\"}");
        z.write_all(body.as_bytes()).unwrap();
    });
    let (code, err) = restore_leaves_nothing(&t, &file);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("manifest.json declares"), "{err}");
}

/// A small file system mounted for one test (tmpfs; needs root, as CI runs),
/// unmounted when dropped.
struct SmallFs(PathBuf);

impl SmallFs {
    fn mount(dir: &Path, kib: u32) -> Option<SmallFs> {
        if !crate::harness::is_root() {
            eprintln!("skipped: mounting a small tmpfs needs root");
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount -t tmpfs {}", dir.display());
        Some(SmallFs(dir.to_path_buf()))
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A filestore whose declared size exceeds the free space of the node's
/// filestore root is refused before anything is made (the sizes are
/// incompressible, so no ratio check trips first).
#[test]
fn trust_files_a_filestore_larger_than_the_free_space_is_refused() {
    let t = env();
    let root = t.dir.path().join("small-root");
    let Some(_fs) = SmallFs::mount(&root, 1024) else {
        return;
    };
    let inv = std::fs::read_to_string(&t.inv).unwrap();
    std::fs::write(
        &t.inv,
        inv.replace(
            &format!("filestore = \"{}\"", t.fs.display()),
            &format!("filestore = \"{}\"", root.display()),
        ),
    )
    .unwrap();
    // 2 MiB that deflate cannot shrink.
    let mut noise = vec![0u8; 2 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in noise.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let file = hostile_zip(&t, "big.zip", |z| {
        manifest(z);
        z.start_file(
            "filestore/ab/noise",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&noise).unwrap();
    });
    let dbs = t.dbs();
    let (code, _, err) = t.restore("n1/restored", &file, "--copy");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("bytes free"), "{err}");
    assert_eq!(t.dbs(), dbs);
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
}
