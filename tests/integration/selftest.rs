//! Proves the harness itself works: clusters, fixtures, passlib oracle, sshd.

use crate::fixtures::*;
use crate::harness::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn selftest_two_clusters_at_once() {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Cluster::start("a"));
        let b = s.spawn(|| Cluster::start("b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_ne!(a.port(), b.port());
    assert_ne!(a.socket_dir(), b.socket_dir());
    assert!(a.socket_dir().as_os_str().len() < 60);
    assert_eq!(a.sql("postgres", "SELECT 40 + 2"), "42");
    assert_eq!(b.sql("postgres", "SELECT current_user"), "postgres");
    assert_eq!(a.host(), "127.0.0.1");

    // TCP with the superuser password (scram), as tenantctl connects
    assert_eq!(
        a.tcp_sql_as("postgres", SUPERUSER_PASSWORD, "postgres", "SELECT 1")
            .unwrap(),
        "1"
    );
    assert!(a
        .tcp_sql_as("postgres", "wrong", "postgres", "SELECT 1")
        .is_err());
    a.create_role("odoo", "odoo-pw", false);
    assert_eq!(
        a.tcp_sql_as(
            "odoo",
            "odoo-pw",
            "postgres",
            "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
        .unwrap(),
        "t"
    );

    // sql/try_sql/rows
    assert!(a.try_sql("postgres", "SELECT * FROM nope").is_err());
    let rows = a.rows(
        "postgres",
        "SELECT 'x|y', E'multi\\nline', NULL::text UNION ALL SELECT 'b', 'c', 'd' ORDER BY 1 DESC",
    );
    assert_eq!(
        rows,
        vec![
            vec!["x|y".to_string(), "multi\nline".into(), "".into()],
            vec!["b".into(), "c".into(), "d".into()],
        ]
    );
    assert!(a.rows("postgres", "SELECT 1 WHERE false").is_empty());
    assert_eq!(a.sql("postgres", "SELECT 1, 2"), "1|2");

    // node down / up
    b.stop();
    assert!(!b.is_running());
    assert!(b.try_sql("postgres", "SELECT 1").is_err());
    b.restart();
    assert_eq!(b.sql("postgres", "SELECT 1"), "1");
    let port = b.port();
    let dir = b.socket_dir().to_path_buf();
    drop(b);
    assert!(!dir.exists(), "dir removed on drop");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

fn check_tenant(c: &Cluster, db: &str, spec: &TenantSpec) {
    let m = spec.odoo_major;
    // Odoo's own test of an Odoo database
    assert_eq!(
        c.sql(
            db,
            "SELECT latest_version FROM ir_module_module WHERE name = 'base' AND state = 'installed'"
        ),
        base_version(m)
    );
    let counts = c.rows(
        db,
        "SELECT count(*) FILTER (WHERE active AND NOT share), count(*) FILTER (WHERE active AND share) FROM res_users",
    );
    let (internal, portal) = expected_counts(spec);
    assert_eq!(
        counts[0],
        vec![internal.to_string(), portal.to_string()],
        "{db}"
    );
    for (name, is_table) in signaling_objects(m) {
        let kind = c.sql(
            db,
            &format!("SELECT relkind FROM pg_class WHERE relname = '{name}'"),
        );
        assert_eq!(kind, if is_table { "r" } else { "S" }, "{db}: {name}");
    }
    let counters = signal_counters(c, db);
    assert_eq!(counters.len(), signaling_objects(m).len(), "{counters:?}");
    assert_eq!(counters[cache_signal_object(m)], 1);
    // no signaling object of another family
    let foreign = if m >= 19 {
        "base_registry_signaling"
    } else {
        "orm_signaling_registry"
    };
    assert_eq!(
        c.sql(db, &format!("SELECT to_regclass('{foreign}') IS NULL")),
        "t"
    );

    // special users via xmlids
    assert_eq!(xmlid_user(c, db, "user_root"), Some(1));
    assert_eq!(xmlid_user(c, db, "user_admin"), Some(2));
    assert_eq!(xmlid_user(c, db, "default_user").is_some(), m <= 18);
    let portal_tmpl = xmlid_user(c, db, "template_portal_user_id").unwrap();
    assert_eq!(
        icp(c, db, "base.template_portal_user_id"),
        Some(portal_tmpl.to_string())
    );
    let states = user_states(c, db);
    assert_eq!(states[0], (1, "__system__".to_string(), false, false));
    assert_eq!(states[1], (2, spec.admin_login.clone(), true, false));
    assert!(states
        .iter()
        .any(|(id, l, a, s)| *id == portal_tmpl && l == "portaltemplate" && !a && *s));
    assert_eq!(
        states.len(),
        4 + usize::from(m <= 18) + spec.internal_users + spec.portal_users + spec.archived_users
    );

    // login rule
    assert!(login_possible(c, db, &spec.admin_login));
    assert!(!login_possible(c, db, "__system__"));
    assert!(!login_possible(c, db, "public"));
    if spec.portal_users > 0 {
        assert!(login_possible(c, db, "portal1"));
    }
    if spec.archived_users > 0 {
        assert!(!login_possible(c, db, "archived1"));
    }
    assert_eq!(last_login(c, db), spec.last_login);

    // ICP as Odoo creates it
    for key in [
        "database.secret",
        "database.uuid",
        "database.create_date",
        "web.base.url",
        "base.login_cooldown_after",
        "base.login_cooldown_duration",
    ] {
        assert!(icp(c, db, key).is_some(), "{db}: ICP {key}");
    }
    assert_eq!(
        c.sql(
            db,
            "SELECT conname FROM pg_constraint WHERE conrelid = 'ir_config_parameter'::regclass AND contype = 'u'"
        ),
        "ir_config_parameter_key_uniq"
    );
    assert_eq!(
        c.sql(
            db,
            "SELECT conname FROM pg_constraint WHERE conrelid = 'res_users'::regclass AND contype = 'u'"
        ),
        "res_users_login_key"
    );
    // totp / api keys exist from 14 on
    let totp = c.sql(
        db,
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'res_users' AND column_name = 'totp_secret'",
    );
    assert_eq!(totp == "1", m >= 14);
    if m >= 14 {
        assert_eq!(
            c.sql(
                db,
                "SELECT count(*) FROM res_users WHERE totp_secret IS NOT NULL"
            ),
            "1"
        );
        assert_eq!(
            c.sql(db, "SELECT count(*) FROM res_users_apikeys"),
            (1 + usize::from(spec.internal_users > 0)).to_string()
        );
    }
    // portal users cannot be switched to inbox notifications (mail's CHECK)
    assert!(c
        .try_sql(
            db,
            "UPDATE res_users SET notification_type = 'inbox' WHERE share"
        )
        .is_err());
}

#[test]
fn selftest_fixture_tenants_per_family() {
    let c = Cluster::start("fixtures");
    let mut secrets = Vec::new();
    for m in [12, 16, 17, 19] {
        let spec = TenantSpec::for_major(m);
        let db = format!("t{m}");
        create_tenant(&c, &db, &spec);
        check_tenant(&c, &db, &spec);
        secrets.push(icp(&c, &db, "database.secret").unwrap());
    }
    // same spec again: cloned from the cached template, fresh secret
    let spec = TenantSpec::default();
    create_tenant(&c, "t16b", &spec);
    check_tenant(&c, "t16b", &spec);
    secrets.push(icp(&c, "t16b", "database.secret").unwrap());
    let n = secrets.len();
    secrets.sort();
    secrets.dedup();
    assert_eq!(secrets.len(), n, "every tenant has its own database.secret");

    // other shapes
    let spec = TenantSpec {
        odoo_major: 18,
        admin_login: "boss@example.com".into(),
        internal_users: 0,
        portal_users: 0,
        archived_users: 3,
        last_login: None,
        suspended_by_old_agent: true,
        password_policy_minlength: Some(12),
        shop_modules: false,
    };
    create_tenant(&c, "t18", &spec);
    check_tenant(&c, "t18", &spec);
    assert_eq!(icp(&c, "t18", "tenant.suspended").as_deref(), Some("true"));
    assert_eq!(
        icp(&c, "t18", "auth_password_policy.minlength").as_deref(),
        Some("12")
    );
    assert_eq!(icp(&c, "t16", "auth_password_policy.minlength"), None);
    assert_eq!(
        c.sql(
            "t18",
            "SELECT login FROM res_users WHERE totp_secret IS NOT NULL"
        ),
        "boss@example.com"
    );

    // a plain database is not Odoo; templates are hidden like template0
    create_plain_db(&c, "plain");
    assert_eq!(
        c.sql("plain", "SELECT to_regclass('ir_module_module') IS NULL"),
        "t"
    );
    let mut expected = vec!["plain", "t12", "t16", "t16b", "t17", "t18", "t19"];
    expected.sort();
    assert_eq!(c.user_databases(), expected);
    assert_eq!(
        c.sql(
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'tmpl\\_%' AND datistemplate AND NOT datallowconn"
        ),
        "5"
    );

    // login emulation with the real hashes
    assert!(login_works(&c, "t16", "admin", ADMIN_PASSWORD, 16));
    assert!(!login_works(&c, "t16", "admin", "wrong", 16));
    assert!(login_works(&c, "t12", "user1", USER_PASSWORD, 12));
    assert!(login_works(&c, "t19", "portal1", USER_PASSWORD, 19));
    assert!(!login_works(&c, "t19", "archived1", USER_PASSWORD, 19));
    assert_eq!(password_hash(&c, "t16", "public"), None);
    assert_eq!(
        password_hash(&c, "t16", "admin").as_deref(),
        Some(ADMIN_HASH_600K)
    );
}

/// The templates clusters start with (built once into a cached pristine
/// data directory: the default spec's, and the other majors' of a world)
/// are what the fixture code builds now: the same schema and the same rows
/// (timestamps aside) as a template built in the test; a stale cache would
/// differ.
#[test]
fn selftest_cached_templates_are_what_the_fixtures_build_now() {
    let every_major = cached_for(&(12..=19).collect());
    assert_eq!(every_major.templates.len(), 8);
    let c = Cluster::start_with("cached", every_major);
    for (spec, tmpl) in &every_major.templates {
        assert_eq!(
            c.sql(
                "postgres",
                &format!(
                    "SELECT datistemplate, datallowconn FROM pg_database WHERE datname = {}",
                    quote_literal(tmpl)
                )
            ),
            "t|f",
            "{tmpl} is in a new cluster, hidden"
        );
        build_template(&c, "fresh", spec);
        for db in [tmpl.as_str(), "fresh"] {
            let db = quote_ident(db);
            c.sql(
                "postgres",
                &format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"),
            );
        }
        let (cached, now) = (schema_dump(&c, tmpl), schema_dump(&c, "fresh"));
        let diff = cached.iter().zip(&now).find(|(a, b)| a != b);
        assert!(
            cached.len() == now.len() && diff.is_none(),
            "{spec:?}: {diff:?}"
        );
        assert_eq!(table_rows(&c, tmpl), table_rows(&c, "fresh"), "{spec:?}");
        c.sql(
            "postgres",
            "ALTER DATABASE fresh IS_TEMPLATE false; DROP DATABASE fresh",
        );
    }
}

/// `pg_dump --schema-only` of `db`: its lines, without the random key of
/// pg_dump's `\restrict` pair.
fn schema_dump(c: &Cluster, db: &str) -> Vec<String> {
    let out = std::process::Command::new(pg_bindir().join("pg_dump"))
        .args(["--schema-only", "-h", c.host(), "-p"])
        .arg(c.port().to_string())
        .args(["-U", "postgres", db])
        .env("PGPASSWORD", SUPERUSER_PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = String::from_utf8(out.stdout).unwrap();
    let lines = dump
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"));
    lines.map(str::to_string).collect()
}

/// Per table of `db`'s public schema: its name, row count and a digest of
/// its rows without their timestamp columns (set by `now()` when built).
fn table_rows(c: &Cluster, db: &str) -> Vec<Vec<String>> {
    let tables = c.rows(
        db,
        "SELECT c.table_name, string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position) \
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type NOT LIKE 'timestamp%' \
         GROUP BY 1 ORDER BY 1",
    );
    assert!(tables.len() > 10, "{db}: {tables:?}");
    let queries: Vec<String> = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT {name}, count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) \
                 FROM (SELECT {cols} FROM {table}) r",
                name = quote_literal(&t[0]),
                cols = t[1],
                table = quote_ident(&t[0]),
            )
        })
        .collect();
    c.rows(db, &queries.join(" UNION ALL "))
}

#[test]
fn selftest_odd_database_names_and_owner() {
    let c = Cluster::start("odd");
    let spec = TenantSpec::default();
    for name in ["Ténant \"q\"; x", "a=b c", "UPPER case'"] {
        create_tenant(&c, name, &spec);
        check_tenant(&c, name, &spec);
        assert!(c.db_exists(name));
    }
    let mut dbs = c.user_databases();
    dbs.sort();
    assert_eq!(dbs, vec!["Ténant \"q\"; x", "UPPER case'", "a=b c"]);

    // a tenant owned by an Odoo role that can work on it over TCP
    c.create_role("odoo", "odoo-pw", false);
    create_tenant_owned(&c, "owned", &spec, "odoo");
    assert_eq!(
        c.sql(
            "postgres",
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'owned'"
        ),
        "odoo"
    );
    assert_eq!(
        c.tcp_sql_as(
            "odoo",
            "odoo-pw",
            "owned",
            "UPDATE res_users SET active = false WHERE id = 2 RETURNING login; SELECT nextval('base_cache_signaling')"
        )
        .unwrap(),
        "admin\n2"
    );
    assert_eq!(
        c.sql(
            "owned",
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') AND pg_get_userbyid(c.relowner) <> 'odoo'"
        ),
        "0"
    );
}

#[test]
fn selftest_passlib_oracle() {
    let v = passlib_check(ADMIN_HASH_600K, ADMIN_PASSWORD, 16);
    assert_eq!(
        v,
        PasslibVerdict {
            verifies: true,
            needs_update: false,
            identified: Some("pbkdf2_sha512".into())
        }
    );
    assert!(!passlib_check(ADMIN_HASH_600K, "nope", 16).verifies);
    assert!(passlib_check(USER_HASH_600K, USER_PASSWORD, 19).verifies);
    // 12-15: passlib's default rounds; a 600000 hash is fine there too
    let v = passlib_check(ADMIN_HASH_25K, ADMIN_PASSWORD, 12);
    assert!(v.verifies && !v.needs_update);
    assert!(!passlib_check(ADMIN_HASH_600K, ADMIN_PASSWORD, 15).needs_update);
    // 16+: other rounds are rewritten at next login
    assert!(passlib_check(ADMIN_HASH_25K, ADMIN_PASSWORD, 16).needs_update);
    let v = try_passlib_check(Some(ADMIN_HASH_600K), ADMIN_PASSWORD, 16, Some(700_000)).unwrap();
    assert!(v.verifies && v.needs_update);
    // argon2 is taken as a plaintext password
    let argon = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    let v = passlib_check(argon, "admin", 16);
    assert_eq!(v.identified.as_deref(), Some("plaintext"));
    assert!(!v.verifies);
    assert!(passlib_check(argon, argon, 16).verifies);
    // malformed pbkdf2 raises (Odoo: server error)
    assert!(try_passlib_check(Some("$pbkdf2-sha512$600000$abc$def"), "x", 16, None).is_err());
    // NULL password
    let v = try_passlib_check(None, "x", 16, None).unwrap();
    assert!(!v.verifies && v.identified.is_none());
    // non-ASCII passwords travel intact (JSON over stdin)
    assert!(!passlib_check(ADMIN_HASH_600K, "ädmin\"'\n", 16).verifies);
}

#[test]
fn selftest_inventory_and_command() {
    let a = Cluster::start("inv");
    let dir = tempfile::tempdir().unwrap();
    let path = write_inventory(
        dir.path(),
        &[("n1", &a), ("n\"2", &a)],
        "[extra]\nkey = 1\n",
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let parsed: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        parsed["defaults"]["password_env"].as_str(),
        Some(PASSWORD_ENV)
    );
    assert_eq!(parsed["defaults"]["sslmode"].as_str(), Some("disable"));
    let nodes = parsed["node"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[1]["name"].as_str(), Some("n\"2"));
    assert_eq!(nodes[0]["port"].as_integer(), Some(i64::from(a.port())));
    assert_eq!(parsed["extra"]["key"].as_integer(), Some(1));
    // the binary exists and the command builds (its behaviour is tested elsewhere)
    let cmd = tenantctl();
    assert!(std::path::Path::new(cmd.get_program()).is_file());
    assert!(test_home().is_dir());
}

#[test]
fn selftest_sshd() {
    let Some(sshd) = Sshd::try_start() else {
        return;
    };
    assert_eq!(sshd.user(), current_user());
    let out = sshd.ssh(&sshd.identity_file(), "true");
    assert!(
        out.status.success(),
        "ssh failed: {}\nsshd log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        sshd.log()
    );
    let out = sshd.ssh(&sshd.identity_file(), "echo hello");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello");
    let out = sshd.ssh(&sshd.wrong_identity_file(), "true");
    assert!(!out.status.success(), "wrong key must be refused");
    // exact form from the brief
    let out = std::process::Command::new("ssh")
        .arg("-i")
        .arg(sshd.identity_file())
        .arg("-o")
        .arg(format!(
            "UserKnownHostsFile={}",
            sshd.known_hosts_file().display()
        ))
        .args(["-o", "BatchMode=yes", "-p"])
        .arg(sshd.port().to_string())
        .arg(format!("{}@127.0.0.1", sshd.user()))
        .arg("true")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = sshd.port();
    sshd.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
