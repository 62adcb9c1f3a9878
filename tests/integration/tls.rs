//! TLS with libpq's sslmode meanings against a real PostgreSQL with a test CA.
//! The server rejects every non-TLS TCP connection (`hostnossl ... reject`),
//! so a successful command proves the connection was encrypted.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{is_root, tenantctl_with_home, Cluster};

pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for DNS:localhost (CA:FALSE, as rustls wants).
pub fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut a = vec!["req", "-x509"];
    a.extend(ec);
    let key = format!("{name}.key");
    let crt = format!("{name}.crt");
    let subj = format!("/CN=tenantctl test CA {name}");
    a.extend(["-keyout", &key, "-out", &crt, "-days", "3", "-subj", &subj]);
    a.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &a);
    dir.join(crt)
}

pub fn make_server_cert(dir: &Path, ca: &str) {
    let mut a = vec![
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    a.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &a);
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let cakey = format!("{ca}.key");
    let cacrt = format!("{ca}.crt");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &cacrt,
            "-CAkey",
            &cakey,
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "3",
            "-extfile",
            "ext.cnf",
        ],
    );
}

pub fn enable_tls(c: &Cluster, certs: &Path) {
    let data = c.data_dir();
    for f in ["server.crt", "server.key"] {
        std::fs::copy(certs.join(f), data.join(f)).unwrap();
    }
    std::fs::set_permissions(
        data.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    if is_root() {
        for f in ["server.crt", "server.key"] {
            let st = Command::new("chown")
                .arg("postgres:postgres")
                .arg(data.join(f))
                .status()
                .unwrap();
            assert!(st.success());
        }
    }
    let hba = data.join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).unwrap();
    std::fs::write(
        &hba,
        format!("hostnossl all all 127.0.0.1/32 reject\n{old}"),
    )
    .unwrap();
    c.sql("postgres", "ALTER SYSTEM SET ssl = on");
    c.sql("postgres", "SELECT pg_reload_conf()");
    for _ in 0..100 {
        if c.sql("postgres", "SHOW ssl") == "on" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("ssl did not turn on: {}", c.log());
}

#[test]
fn sslmodes_verify_encrypt_and_refuse_as_libpq() {
    let c = Cluster::start("tls");
    create_tenant(&c, "acme", &TenantSpec::default());
    let certs = tempfile::tempdir().unwrap();
    let ca = make_ca(certs.path(), "ca");
    let other_ca = make_ca(certs.path(), "other");
    make_server_cert(certs.path(), "ca");
    enable_tls(&c, certs.path());
    let dir = tempfile::tempdir().unwrap();
    let run = |host: &str, mode: &str, root: Option<&Path>| {
        let inv = dir.path().join("nodes.toml");
        let mut text = format!(
            "[[node]]\nname = \"n1\"\nhost = \"{host}\"\nport = {}\nuser = \"postgres\"\npassword_env = \"TC_TEST_PGPASSWORD\"\nsslmode = \"{mode}\"\nconnect_timeout = \"3s\"\n",
            c.port()
        );
        if let Some(r) = root {
            text.push_str(&format!("sslrootcert = \"{}\"\n", r.display()));
        }
        std::fs::write(&inv, text).unwrap();
        let out = tenantctl_with_home(dir.path())
            .arg("-i")
            .arg(&inv)
            .args(["list", "-o", "json"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // verify-full: right host name accepted, wrong one refused.
    assert_eq!(run("localhost", "verify-full", Some(&ca)).0, Some(0));
    let (code, err) = run("127.0.0.1", "verify-full", Some(&ca));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("certificate not valid for name \"127.0.0.1\""),
        "{err}"
    );
    // verify-full against another CA: refused.
    let (code, err) = run("localhost", "verify-full", Some(&other_ca));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
    // verify-ca: the chain, not the name.
    assert_eq!(run("127.0.0.1", "verify-ca", Some(&ca)).0, Some(0));
    // require and prefer encrypt (the server rejects plain TCP) without a CA.
    assert_eq!(run("127.0.0.1", "require", None).0, Some(0));
    assert_eq!(run("127.0.0.1", "prefer", None).0, Some(0));
    // disable: plain TCP, which this server refuses.
    let (code, err) = run("127.0.0.1", "disable", None);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no encryption"), "{err}");
    // verify-full with no root certificate anywhere: a clear error.
    let (code, err) = run("localhost", "verify-full", None);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("needs a root certificate"), "{err}");
}
