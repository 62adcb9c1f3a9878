use std::path::Path;

use super::*;
use crate::error::Result;

fn p(text: &str) -> Result<Inventory> {
    parse(Path::new("nodes.toml"), text, 0o600)
}

#[test]
fn direct_route_of_a_pgbouncer_node() {
    let inv = p(r#"
[defaults]
port = 6432
pgbouncer = "transaction"
direct_port = 5432
[[node]]
name = "a"
host = "pgb1"
[[node]]
name = "b"
host = "pgb2"
direct_host = "/run/postgresql"
[[node]]
name = "c"
host = "db3"
"#)
    .unwrap();
    assert_eq!(inv.nodes[0].direct, Some((Host::Tcp("pgb1".into()), 5432)));
    assert_eq!(
        inv.nodes[1].direct,
        Some((Host::Socket("/run/postgresql".into()), 5432))
    );
    let inv = p("[[node]]\nname = \"a\"\nhost = \"db\"\n").unwrap();
    assert_eq!(inv.nodes[0].direct, None);
    let inv = p("[[node]]\nname = \"a\"\nhost = \"db\"\ndirect_host = \"pg\"\n").unwrap();
    assert_eq!(inv.nodes[0].direct, Some((Host::Tcp("pg".into()), 5432)));
}

#[test]
fn defaults_and_overrides() {
    let inv = p(r#"
[defaults]
user = "odoo"
port = 6432
exclude = ["test_*"]
[[node]]
name = "a"
host = "/run/postgresql"
[[node]]
name = "b"
host = "db2"
port = 5433
connect_timeout = "2s"
"#)
    .unwrap();
    assert_eq!(inv.nodes.len(), 2);
    assert_eq!(inv.nodes[0].port, 6432);
    assert_eq!(inv.nodes[0].host, Host::Socket("/run/postgresql".into()));
    assert_eq!(inv.nodes[1].port, 5433);
    assert_eq!(inv.nodes[1].connect_timeout, Duration::from_secs(2));
    assert!(inv.nodes[1].is_excluded("test_x"));
    assert!(inv.nodes[1].is_excluded("template1"));
    assert!(!inv.nodes[1].is_excluded("acme"));
    assert_eq!(
        inv.nodes[1].excluded_by("test_x").as_deref(),
        Some("the inventory's exclude pattern \"test_*\"")
    );
    assert!(inv.nodes[1]
        .excluded_by("postgres")
        .unwrap()
        .contains("built-in"));
    assert_eq!(inv.nodes[1].excluded_by("acme"), None);
}

#[test]
fn errors_name_line_and_column() {
    let e = p("[[node]]\nname = \"a\"\nbogus = 1\n").unwrap_err();
    assert!(
        format!("{e:#}").starts_with("inventory nodes.toml:3:1: unknown field `bogus`"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\nsslmode = \"sometimes\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("nodes.toml:3:11"), "{e:#}");
    let e = p("[[node]]\nname = \"a\"\n[[node]]\nname = \"a\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:4:8: duplicate node name"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\nstatement_timeout = \"soon\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:3:21: invalid duration"),
        "{e:#}"
    );
}

#[test]
fn ssh_table_merges_over_defaults_key_by_key() {
    let inv = p(r#"
[defaults.ssh]
user = "ops"
identity_file = "/keys/fleet"
known_hosts_file = "/keys/known_hosts"
connect_timeout = "3s"
control_persist = "10m"
[[node]]
name = "direct"
host = "db1"
[[node]]
name = "private"
host = "127.0.0.1"
[node.ssh]
host = "pg2.internal"
port = 2222
host_key_check = "accept-new"
jump = "ops@bastion:22"
[[node]]
name = "sock"
host = "/run/postgresql"
ssh = { host = "pg3", user = "root", config_file = "/etc/fleet/ssh_config" }
"#)
    .unwrap();
    // [defaults.ssh] without a host holds shared settings only.
    assert_eq!(inv.nodes[0].ssh, None);
    let s = inv.nodes[1].ssh.as_ref().unwrap();
    assert_eq!(s.host, "pg2.internal");
    assert_eq!(s.port, Some(2222));
    assert_eq!(s.user.as_deref(), Some("ops"));
    assert_eq!(s.identity_file, Some(PathBuf::from("/keys/fleet")));
    assert_eq!(s.known_hosts_file, Some(PathBuf::from("/keys/known_hosts")));
    assert_eq!(s.host_key_check, HostKeyCheck::AcceptNew);
    assert_eq!(s.jump.as_deref(), Some("ops@bastion:22"));
    assert_eq!(s.connect_timeout, Duration::from_secs(3));
    assert_eq!(s.control_persist, Some(Duration::from_secs(600)));
    assert_eq!(s.destination(), "ops@pg2.internal:2222");
    let s = inv.nodes[2].ssh.as_ref().unwrap();
    assert_eq!(s.user.as_deref(), Some("root"));
    assert_eq!(s.port, None);
    assert_eq!(s.host_key_check, HostKeyCheck::Strict);
    assert_eq!(s.config_file, Some(PathBuf::from("/etc/fleet/ssh_config")));
    assert_eq!(inv.nodes[2].host, Host::Socket("/run/postgresql".into()));

    // A host in [defaults.ssh]: every node goes through it.
    let inv =
        p("[defaults.ssh]\nhost = \"bastion\"\n[[node]]\nname = \"a\"\nhost = \"10.0.0.5\"\n")
            .unwrap();
    let s = inv.nodes[0].ssh.as_ref().unwrap();
    assert_eq!(s.host, "bastion");
    assert_eq!(s.connect_timeout, SSH_CONNECT_TIMEOUT);
}

#[test]
fn ssh_table_errors_name_line_and_column() {
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nidentity = \"k\"\n").unwrap_err();
    assert!(
        format!("{e:#}").starts_with("inventory nodes.toml:5:1: unknown field `identity`"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nhost_key_check = \"no\"\n")
        .unwrap_err();
    assert!(format!("{e:#}").contains("nodes.toml:5:18"), "{e:#}");
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nuser = \"b\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:3:1: node a: the ssh table needs `host`"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"-oProxyCommand=sh\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:4:8: node a: ssh host"),
        "{e:#}"
    );
    let e =
        p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\njump = \"x,y;reboot\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:5:8: node a: ssh jump host"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nconnect_timeout = \"100ms\"\n")
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:5:19: ssh connect_timeout"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\ncontrol_persist = \"500ms\"\n")
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:5:19: ssh control_persist must be at least 1s"),
        "{e:#}"
    );
    let ok = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\n").unwrap();
    assert_eq!(ok.nodes[0].ssh.as_ref().unwrap().control_persist, None);
    let e = p("[[node]]\nname = \"a\"\n[node.ssh]\nhost = \"b\"\nport = 0\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:5:8: ssh port"),
        "{e:#}"
    );
}

#[test]
fn lifecycle_keys() {
    let inv = p(r#"
[defaults]
filestore = "/var/lib/odoo/filestore"
base_url = "https://{tenant}.example.com"
[[node]]
name = "a"
template = "tmpl16"
drop_retention = "7d"
filestore_owner = "odoo"
restore_max_ratio = 50
[[node]]
name = "b"
"#)
    .unwrap();
    assert_eq!(inv.nodes[0].lifecycle.restore_max_ratio, 50);
    assert_eq!(inv.nodes[1].lifecycle.restore_max_ratio, RESTORE_MAX_RATIO);
    let e = p("[[node]]\nname = \"a\"\nrestore_max_ratio = 0\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("restore_max_ratio must be at least 1"),
        "{e:#}"
    );
    let a = &inv.nodes[0].lifecycle;
    assert_eq!(a.filestore, Some(PathBuf::from("/var/lib/odoo/filestore")));
    assert_eq!(a.template.as_deref(), Some("tmpl16"));
    assert_eq!(a.drop_retention, Duration::from_secs(7 * 86400));
    assert_eq!(a.filestore_owner.as_deref(), Some("odoo"));
    let b = &inv.nodes[1].lifecycle;
    assert_eq!(b.drop_retention, DROP_RETENTION);
    assert_eq!(b.base_url.as_deref(), Some("https://{tenant}.example.com"));
    let e = p("[[node]]\nname = \"a\"\nbase_url = \"https://x.example.com\"\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("nodes.toml:3:12: node a: base_url"),
        "{e:#}"
    );
    let e = p("[[node]]\nname = \"a\"\nfilestore = \"rel/path\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("nodes.toml:3:13"), "{e:#}");
}

#[test]
fn connect_timeout_takes_libpq_seconds() {
    let t = |v: &str| {
        p(&format!("[[node]]\nname = \"a\"\nconnect_timeout = {v}\n"))
            .map(|i| i.nodes[0].connect_timeout)
    };
    assert_eq!(t("5").unwrap(), Duration::from_secs(5));
    assert_eq!(t("\"5s\"").unwrap(), Duration::from_secs(5));
    assert_eq!(t("\"1500ms\"").unwrap(), Duration::from_millis(1500));
    let e = format!("{:#}", t("0").unwrap_err());
    assert!(
        e.contains("nodes.toml:3:19") && e.contains("at least 1 second"),
        "{e}"
    );
    let e = format!("{:#}", t("1.5").unwrap_err());
    assert!(e.contains("whole seconds"), "{e}");
    assert!(t("\"soon\"").is_err());
}

#[test]
fn inline_password_needs_private_file() {
    let text = "[[node]]\nname = \"a\"\npassword = \"x\"\n";
    assert!(parse(Path::new("n.toml"), text, 0o600).is_ok());
    let e = parse(Path::new("n.toml"), text, 0o644).unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains("readable by group or others"), "{msg}");
    assert!(!msg.contains("\"x\""));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// Any text: no panic, and an error is one line naming the file.
    #[test]
    fn any_text(text in "(\\PC|\n|\\[|\\]|=|\"){0,300}") {
        if let Err(e) = parse(Path::new("f.toml"), &text, 0o600) {
            let m = format!("{e:#}");
            proptest::prop_assert!(m.starts_with("inventory f.toml"), "{}", m);
            proptest::prop_assert!(!m.contains('\n'), "{}", m);
        }
    }

    /// Generated valid inventories keep their nodes, names and ports.
    #[test]
    fn valid_inventories(nodes in proptest::collection::btree_map("[a-z][a-z0-9-]{0,12}", 1u16..65535, 1..6)) {
        let mut text = String::from("[defaults]\nuser = \"odoo\"\n");
        for (n, p) in &nodes {
            text.push_str(&format!("[[node]]\nname = \"{n}\"\nport = {p}\n"));
        }
        let inv = parse(Path::new("f.toml"), &text, 0o600).unwrap();
        let got: Vec<(String, u16)> = inv.nodes.iter().map(|n| (n.name.clone(), n.port)).collect();
        let want: Vec<(String, u16)> = nodes.into_iter().collect();
        proptest::prop_assert_eq!(got, want);
    }
}

#[test]
fn odoo_host_is_local_node_or_an_ssh_table_of_its_own() {
    use super::OdooHost;
    let host = |t: &str| {
        p(&format!(
            "[defaults.ssh]\nuser = \"ops\"\nidentity_file = \"/k/id\"\n\
             [defaults.odoo]\ncommand = [\"/opt/odoo/odoo-bin\"]\n{t}\n\
             [[node]]\nname = \"a\"\nhost = \"10.0.0.5\"\n"
        ))
        .map(|i| i.nodes[0].lifecycle.odoo.clone().unwrap().host)
    };
    assert_eq!(host("").unwrap(), OdooHost::Local);
    assert_eq!(host("host = \"local\"").unwrap(), OdooHost::Local);
    // Its own host; the other keys from [defaults.ssh].
    let OdooHost::Ssh(s) =
        host("host = { host = \"app1\", port = 2222, known_hosts_file = \"/k/kh\" }").unwrap()
    else {
        panic!("an ssh table");
    };
    assert_eq!(
        (s.host.as_str(), s.port, s.user.as_deref()),
        ("app1", Some(2222), Some("ops"))
    );
    assert_eq!(s.identity_file, Some(PathBuf::from("/k/id")));
    assert_eq!(s.known_hosts_file, Some(PathBuf::from("/k/kh")));
    // Errors name the line and column of the odoo table's key.
    let e = host("host = { user = \"odoo\" }").unwrap_err();
    assert!(
        format!("{e:#}")
            .contains("nodes.toml:6:8: node a: odoo.host: the ssh table needs its own `host`"),
        "{e:#}"
    );
    let e = host("host = { host = \"app1\", identity = \"k\" }").unwrap_err();
    assert!(
        format!("{e:#}").contains("unknown field `identity`"),
        "{e:#}"
    );
    let e = host("host = { host = \"-oProxyCommand=sh\" }").unwrap_err();
    assert!(format!("{e:#}").contains("ssh host"), "{e:#}");
    let e = host("host = \"app1\"").unwrap_err();
    assert!(format!("{e:#}").contains("or an ssh table"), "{e:#}");
    let e = host("host = 3").unwrap_err();
    assert!(format!("{e:#}").contains("nodes.toml:6:8"), "{e:#}");
    // "node" needs the node's own ssh table.
    let e = p("[defaults.odoo]\ncommand = [\"x\"]\nhost = \"node\"\n[[node]]\nname = \"a\"\n")
        .unwrap_err();
    assert!(format!("{e:#}").contains("has no ssh table"), "{e:#}");
}

#[test]
fn filestore_host_is_the_node_or_where_odoo_runs() {
    use super::FilestoreHost;
    let odoo = "[defaults.odoo]\ncommand = [\"/opt/odoo/odoo-bin\"]\nhost = { host = \"app1\" }\n";
    let inv = |t: &str| {
        p(&format!(
            "[defaults]\nfilestore = \"~/fs\"\n{t}\n[[node]]\nname = \"a\"\nhost = \"10.0.0.5\"\n"
        ))
    };
    let n = inv("").unwrap();
    assert_eq!(n.nodes[0].lifecycle.filestore_host, FilestoreHost::Node);
    let i = inv(&format!("filestore_host = \"odoo\"\n{odoo}")).unwrap();
    let l = &i.nodes[0].lifecycle;
    assert_eq!(l.filestore_host, FilestoreHost::Odoo);
    // On Odoo's SSH host `~/` is not this machine's home.
    assert_eq!(l.filestore, Some(PathBuf::from("~/fs")));
    let e = inv("filestore_host = \"odoo\"").unwrap_err();
    assert!(format!("{e:#}").contains("needs an `odoo` table"), "{e:#}");
    let e = inv(&format!("filestore_host = \"app\"\n{odoo}")).unwrap_err();
    assert!(format!("{e:#}").contains("nodes.toml:3:18"), "{e:#}");
}
