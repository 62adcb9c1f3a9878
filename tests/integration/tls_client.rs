//! Client certificates (`sslcert`/`sslkey`, libpq's defaults in
//! `~/.postgresql/` and its key-permission rule), `require` with the default
//! root certificate, and `sslrootcert = "system"`, against a real PostgreSQL
//! whose pg_hba.conf asks for `clientcert=verify-full`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::fixtures::{create_tenant, TenantSpec};
use crate::harness::{is_root, tenantctl_with_home, Cluster};
use crate::tls::{enable_tls, make_ca, make_server_cert, openssl};

/// A client certificate for `cn` signed by CA `ca` (files `<name>.crt/.key`).
fn make_client_cert(dir: &Path, ca: &str, cn: &str, name: &str) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let crt = format!("{name}.crt");
    let subj = format!("/CN={cn}");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &subj,
        ],
    );
    std::fs::write(
        dir.join("client-ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    let cacrt = format!("{ca}.crt");
    let cakey = format!("{ca}.key");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &cacrt,
            "-CAkey",
            &cakey,
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "3",
            "-extfile",
            "client-ext.cnf",
        ],
    );
}

fn require_client_certs(c: &Cluster, certs: &Path) {
    let data = c.data_dir();
    std::fs::copy(certs.join("ca.crt"), data.join("root-ca.crt")).unwrap();
    if is_root() {
        let st = std::process::Command::new("chown")
            .arg("postgres:postgres")
            .arg(data.join("root-ca.crt"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let hba = data.join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).unwrap();
    std::fs::write(
        &hba,
        format!("hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-full\n{old}"),
    )
    .unwrap();
    c.sql("postgres", "ALTER SYSTEM SET ssl_ca_file = 'root-ca.crt'");
    c.sql("postgres", "SELECT pg_reload_conf()");
    std::thread::sleep(std::time::Duration::from_millis(300));
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn client_certificates_default_files_key_rules_and_system_roots() {
    let c = Cluster::start("tlscert");
    create_tenant(&c, "acme", &TenantSpec::default());
    let certs = tempfile::tempdir().unwrap();
    let cp = certs.path();
    make_ca(cp, "ca");
    make_ca(cp, "other");
    make_server_cert(cp, "ca");
    make_client_cert(cp, "ca", "postgres", "client");
    make_client_cert(cp, "ca", "somebody", "wrongcn");
    enable_tls(&c, cp);
    require_client_certs(&c, cp);

    let home = tempfile::tempdir().unwrap();
    let pgdir = home.path().join(".postgresql");
    std::fs::create_dir_all(&pgdir).unwrap();
    let run = |host: &str, mode: &str, extra: &str, env: &[(&str, &str)]| {
        let inv = home.path().join("nodes.toml");
        std::fs::write(
            &inv,
            format!(
                "[[node]]\nname = \"n1\"\nhost = \"{host}\"\nport = {}\nuser = \"postgres\"\npassword_env = \"TC_TEST_PGPASSWORD\"\nsslmode = \"{mode}\"\nconnect_timeout = 3\n{extra}\n",
                c.port()
            ),
        )
        .unwrap();
        chmod(&inv, 0o600);
        let mut cmd = tenantctl_with_home(home.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
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
    let ca = cp.join("ca.crt").display().to_string();
    let verify = format!("sslrootcert = \"{ca}\"");

    // No client certificate: the server refuses.
    let (code, err) = run("localhost", "verify-full", &verify, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("certificate"), "{err}");

    // Explicit sslcert/sslkey.
    let key = cp.join("client.key");
    chmod(&key, 0o600);
    let explicit = format!(
        "{verify}\nsslcert = \"{}\"\nsslkey = \"{}\"",
        cp.join("client.crt").display(),
        key.display()
    );
    let (code, err) = run("localhost", "verify-full", &explicit, &[]);
    assert_eq!(code, Some(0), "{err}");

    // A certificate for another user: verify-full on the server refuses it.
    let wrong = format!(
        "{verify}\nsslcert = \"{}\"\nsslkey = \"{}\"",
        cp.join("wrongcn.crt").display(),
        cp.join("wrongcn.key").display()
    );
    chmod(&cp.join("wrongcn.key"), 0o600);
    let (code, err) = run("localhost", "verify-full", &wrong, &[]);
    assert_eq!(code, Some(1), "{err}");

    // libpq's defaults: ~/.postgresql/postgresql.crt and .key.
    let dcrt = pgdir.join("postgresql.crt");
    let dkey = pgdir.join("postgresql.key");
    std::fs::copy(cp.join("client.crt"), &dcrt).unwrap();
    std::fs::copy(cp.join("client.key"), &dkey).unwrap();
    chmod(&dkey, 0o600);
    let (code, err) = run("localhost", "verify-full", &verify, &[]);
    assert_eq!(code, Some(0), "{err}");

    // Key permissions as libpq: group/other access refused...
    chmod(&dkey, 0o644);
    let (code, err) = run("localhost", "verify-full", &verify, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("has group or world access"), "{err}");
    if is_root() {
        // ...but 0640 is fine for a root-owned key...
        chmod(&dkey, 0o640);
        let (code, err) = run("localhost", "verify-full", &verify, &[]);
        assert_eq!(code, Some(0), "{err}");
        // ...and not for a key owned by another user.
        let st = std::process::Command::new("chown")
            .arg("postgres")
            .arg(&dkey)
            .status()
            .unwrap();
        assert!(st.success());
        let (code, err) = run("localhost", "verify-full", &verify, &[]);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("has group or world access"), "{err}");
        chmod(&dkey, 0o600);
        let (code, err) = run("localhost", "verify-full", &verify, &[]);
        assert_eq!(code, Some(0), "{err}");
    } else {
        chmod(&dkey, 0o600);
    }

    // require + ~/.postgresql/root.crt: the chain is verified (as libpq).
    let root = pgdir.join("root.crt");
    std::fs::copy(cp.join("other.crt"), &root).unwrap();
    let (code, err) = run("127.0.0.1", "require", "", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
    std::fs::copy(cp.join("ca.crt"), &root).unwrap();
    let (code, err) = run("127.0.0.1", "require", "", &[]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::remove_file(&root).unwrap();
    let (code, err) = run("127.0.0.1", "require", "", &[]);
    assert_eq!(code, Some(0), "{err}");

    // sslrootcert = "system": the OS trust store (here $SSL_CERT_FILE, as OpenSSL).
    let system = "sslrootcert = \"system\"";
    let (code, err) = run(
        "localhost",
        "verify-full",
        system,
        &[("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(code, Some(0), "{err}");
    let other = cp.join("other.crt").display().to_string();
    let (code, err) = run(
        "localhost",
        "verify-full",
        system,
        &[("SSL_CERT_FILE", &other)],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
    let (code, err) = run("localhost", "require", system, &[("SSL_CERT_FILE", &ca)]);
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("sslrootcert=system"), "{err}");
}
