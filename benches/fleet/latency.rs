//! The latency section: every node behind a latency-injecting proxy
//! (proxy.rs) at each one-way delay of `--latency`, tenantctl's list, bulk
//! suspend, bulk reactivate and passwd next to the psql loops (`xargs -P 8`
//! per node, and sequential up to `--psql-max-delay`), with the round trips
//! per tenant counted at the proxy and the latency floor.

use super::*;
use proxy::Proxies;

/// Parallelism of the `xargs -P` competitor, per node.
pub(crate) const XARGS_P: usize = 8;

pub(crate) struct LatRow {
    pub(crate) op: &'static str,
    pub(crate) tool: &'static str,
    pub(crate) delay_ms: u64,
    pub(crate) tenants: usize,
    /// Connections (databases) handled at once.
    pub(crate) concurrency: usize,
    pub(crate) wall: f64,
    pub(crate) connections: u64,
    pub(crate) round_trips: u64,
}

impl LatRow {
    pub(crate) fn rt_per_tenant(&self) -> f64 {
        self.round_trips as f64 / self.tenants as f64
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) fleet: &'a Fleet,
    pub(crate) home: &'a Path,
    pub(crate) work: &'a Path,
    pub(crate) scratch: &'a Path,
    pub(crate) pw_file: &'a Path,
    pub(crate) tenants: usize,
    /// The local sshd, for `list` over SSH with the delay between the ssh
    /// client and sshd (None: --no-ssh or not root).
    pub(crate) sshd: Option<&'a Sshd>,
}

/// An inventory reaching every node through an SSH tunnel whose SSH
/// connection goes through `proxy_port` (the latency proxy in front of
/// sshd); sshd then connects to PostgreSQL directly, as a bastion next to
/// the node does. The known_hosts line names the proxy's port.
fn ssh_inventory(cx: &Ctx, s: &Sshd, proxy_port: u16, name: &str, extra: &str) -> PathBuf {
    let kh = std::fs::read_to_string(s.known_hosts_file()).expect("known_hosts");
    let kh = kh.replace(
        &format!("[127.0.0.1]:{}", s.port()),
        &format!("[127.0.0.1]:{proxy_port}"),
    );
    let kh_path = cx.scratch.join("known_hosts-latency");
    std::fs::write(&kh_path, kh).expect("write known_hosts");
    let inv = cx.scratch.join(name);
    let ssh = ssh_table("127.0.0.1", proxy_port, s, &kh_path, extra);
    write_inventory(&inv, &node_addrs(&cx.fleet.clusters, Some(&ssh)));
    inv
}

fn ok(what: &str, f: &Finished) {
    must(what, exited_ok(f));
}

/// The rows, and what one `ssh host true` through the SSH proxy took at each
/// delay (seconds).
pub(crate) fn run(cx: &Ctx, o: &Opts) -> (Vec<LatRow>, Vec<(u64, f64)>) {
    let clusters = &cx.fleet.clusters;
    let upstreams: Vec<(String, u16)> = clusters
        .iter()
        .map(|c| (c.host().to_string(), c.port()))
        .collect();
    let proxies = Proxies::start(&upstreams);
    let inv = cx.scratch.join("nodes-latency.toml");
    write_inventory(
        &inv,
        &clusters
            .iter()
            .zip(&proxies.ports)
            .map(|(c, p)| NodeAddr {
                name: c.name().to_string(),
                host: "127.0.0.1".into(),
                port: *p,
                ssh: None,
            })
            .collect::<Vec<_>>(),
    );
    let total = cx.tenants;
    let (tc_conc, _) = tenantctl_at_once(clusters);
    let ssh_proxy = cx
        .sshd
        .map(|s| Proxies::start(&[(s.host().to_string(), s.port())]));
    let inv_ssh = match (cx.sshd, &ssh_proxy) {
        (Some(s), Some(p)) => Some(ssh_inventory(
            cx,
            s,
            p.ports[0],
            "nodes-latency-ssh.toml",
            "",
        )),
        _ => None,
    };
    // The same with the masters kept between runs (control_persist).
    let inv_kept = match (cx.sshd, &ssh_proxy) {
        (Some(s), Some(p)) => Some(ssh_inventory(
            cx,
            s,
            p.ports[0],
            "nodes-latency-ssh-kept.toml",
            "control_persist = \"10m\"\n",
        )),
        _ => None,
    };
    let xargs_conc = clusters.len() * XARGS_P;
    let mut rows = Vec::new();
    let mut ssh_rows = Vec::new();
    let mut ssh_setup: Vec<(u64, f64)> = Vec::new();
    let mut measure = |op: &'static str,
                       tool: &'static str,
                       delay_ms: u64,
                       tenants: usize,
                       concurrency: usize,
                       cmd: &mut Command,
                       stdin: Option<&Path>|
     -> Finished {
        proxies.take();
        let f = run_measured(cmd, cx.work, stdin);
        let seen = proxies.take();
        rows.push(LatRow {
            op,
            tool,
            delay_ms,
            tenants,
            concurrency,
            wall: f.sample.wall,
            connections: seen.connections,
            round_trips: seen.round_trips,
        });
        f
    };
    let tc = |args: &[&str]| tenantctl(cx.home, &inv, args);
    let ports = proxies.ports.clone();
    for &d in &o.latency_ms {
        proxies.set_delay(Duration::from_millis(d));
        if let Some(p) = &ssh_proxy {
            p.set_delay(Duration::from_millis(d));
        }
        eprintln!("fleet: latency {d} ms one way, {total} tenants");
        let seq = d <= o.psql_max_delay_ms;

        let f = measure(
            "list",
            "tenantctl",
            d,
            total,
            tc_conc,
            &mut tc(&["-o", "json", "list"]),
            None,
        );
        must(
            "latency: tenantctl list",
            check_list(&f, total, "direct").map(|_| ()),
        );
        if let (Some(inv), Some(p)) = (&inv_ssh, &ssh_proxy) {
            // The delay sits between the ssh client and sshd; PostgreSQL's
            // own proxies are not used (their counters stay at 0): the round
            // trips are counted at the SSH proxy (SSH packets, not queries).
            proxies.set_delay(Duration::ZERO);
            p.take();
            let f = run_measured(
                &mut tenantctl(cx.home, inv, &["-o", "json", "list"]),
                cx.work,
                None,
            );
            let seen = p.take();
            proxies.take();
            ssh_rows.push(LatRow {
                op: "list via SSH",
                tool: "tenantctl",
                delay_ms: d,
                tenants: total,
                concurrency: tc_conc,
                wall: f.sample.wall,
                connections: seen.connections,
                round_trips: 0,
            });
            must(
                "latency: tenantctl list over ssh",
                check_list(&f, total, "ssh").map(|_| ()),
            );
            if let Some(kept) = &inv_kept {
                // A first run (not measured) opens the masters and keeps
                // them; the measured run reuses them: no SSH connection.
                // The proxy fixes a connection's delay when it accepts it:
                // the masters kept at the previous delay go first.
                end_kept_masters(&cx.home.join("run"));
                let f = run_measured(
                    &mut tenantctl(cx.home, kept, &["-o", "json", "list"]),
                    cx.work,
                    None,
                );
                must(
                    "latency: tenantctl list over ssh (keeping the masters)",
                    check_list(&f, total, "ssh").map(|_| ()),
                );
                p.take();
                let f = run_measured(
                    &mut tenantctl(cx.home, kept, &["-o", "json", "list"]),
                    cx.work,
                    None,
                );
                let seen = p.take();
                ssh_rows.push(LatRow {
                    op: SSH_KEPT,
                    tool: "tenantctl",
                    delay_ms: d,
                    tenants: total,
                    concurrency: tc_conc,
                    wall: f.sample.wall,
                    connections: seen.connections,
                    round_trips: 0,
                });
                must(
                    "latency: tenantctl list over ssh, masters reused",
                    check_list(&f, total, "ssh").map(|_| ()),
                );
            }
            // What one SSH connection costs at this delay (TCP, key exchange,
            // authentication, a session running `true`): a master's set-up.
            if let Some(s) = cx.sshd {
                let kh = cx.scratch.join("known_hosts-latency");
                let t: Vec<f64> = (0..3)
                    .map(|_| {
                        let t0 = Instant::now();
                        let out = Command::new("ssh")
                            .args([
                                "-F",
                                "/dev/null",
                                "-o",
                                "BatchMode=yes",
                                "-o",
                                "IdentitiesOnly=yes",
                            ])
                            .arg("-o")
                            .arg(format!("UserKnownHostsFile={}", kh.display()))
                            .args(["-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10"])
                            .arg("-i")
                            .arg(s.identity_file())
                            .arg("-p")
                            .arg(p.ports[0].to_string())
                            .arg(format!("{}@127.0.0.1", s.user()))
                            .arg("true")
                            .env_remove("SSH_AUTH_SOCK")
                            .stdin(Stdio::null())
                            .output()
                            .expect("ssh");
                        must(
                            "latency: ssh true",
                            if out.status.success() {
                                Ok(())
                            } else {
                                Err(String::from_utf8_lossy(&out.stderr).to_string())
                            },
                        );
                        t0.elapsed().as_secs_f64()
                    })
                    .collect();
                ssh_setup.push((d, median(t)));
            }
            p.take();
            proxies.set_delay(Duration::from_millis(d));
        }
        let f = measure(
            "list",
            "xargs -P 8",
            d,
            total,
            xargs_conc,
            &mut psql_loop_on("list", &ports, Some(XARGS_P)),
            None,
        );
        ok("latency: xargs list", &f);
        must(
            "latency: xargs list lines",
            match f.stdout().lines().count() {
                n if n == total => Ok(()),
                n => Err(format!("{n} lines, expected {total}")),
            },
        );
        if seq {
            let f = measure(
                "list",
                "psql loop",
                d,
                total,
                1,
                &mut psql_loop_on("list", &ports, None),
                None,
            );
            ok("latency: psql loop list", &f);
        }

        for (op, args) in [
            ("bulk suspend", &BULK_SUSPEND[..]),
            ("bulk reactivate", &BULK_REACTIVATE[..]),
        ] {
            let f = measure(op, "tenantctl", d, total, tc_conc, &mut tc(args), None);
            must(&format!("latency: tenantctl {op}"), check_bulk(&f, total));
        }
        let mut tools: Vec<(&'static str, Option<usize>, usize)> =
            vec![("xargs -P 8", Some(XARGS_P), xargs_conc)];
        if seq {
            tools.push(("psql loop", None, 1));
        }
        for (tool, par, conc) in tools {
            for (op, mode, suspended) in [
                ("bulk suspend", "suspend", true),
                ("bulk reactivate", "reactivate", false),
            ] {
                let f = measure(
                    op,
                    tool,
                    d,
                    total,
                    conc,
                    &mut psql_loop_on(mode, &ports, par),
                    None,
                );
                ok(&format!("latency: psql {mode}"), &f);
                must(
                    &format!("latency: psql {mode} state"),
                    check_state(clusters, suspended),
                );
            }
        }

        let f = measure(
            "passwd",
            "tenantctl",
            d,
            1,
            1,
            &mut tc(&["passwd", "n1/t00001", "--password-stdin"]),
            Some(cx.pw_file),
        );
        ok("latency: tenantctl passwd", &f);
    }
    end_kept_masters(&cx.home.join("run"));
    rows.extend(ssh_rows);
    (rows, ssh_setup)
}

const SSH_KEPT: &str = "list via SSH, master reused (control_persist)";

/// Ends the masters the control_persist runs left (`ssh -O exit` on each
/// control socket under tenantctl's runtime dir) instead of leaving them
/// for their 10 minutes.
fn end_kept_masters(run: &Path) {
    let Ok(users) = std::fs::read_dir(run) else {
        return;
    };
    for u in users.flatten() {
        if !u.file_name().to_string_lossy().starts_with("tctl-u") {
            continue;
        }
        for d in std::fs::read_dir(u.path()).into_iter().flatten().flatten() {
            let ctl = d.path().join("master");
            if ctl.exists() {
                let _ = Command::new("ssh")
                    .arg("-S")
                    .arg(&ctl)
                    .args(["-O", "exit", "kept"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = std::fs::remove_dir_all(u.path());
    }
}

/// The floor of a row: its round trips per tenant × RTT × tenants ÷
/// concurrency, plus the same command's time at 0 ms.
fn floor(r: &LatRow, rows: &[LatRow]) -> Option<f64> {
    let loopback = rows
        .iter()
        .find(|x| x.delay_ms == 0 && x.op == r.op && x.tool == r.tool)?
        .wall;
    let rtt = 2.0 * r.delay_ms as f64 / 1000.0;
    Some(r.rt_per_tenant() * rtt * r.tenants as f64 / r.concurrency as f64 + loopback)
}

pub(crate) fn print(rows: &[LatRow], ssh_setup: &[(u64, f64)], nodes: usize) {
    println!("\n### over a network with latency\n");
    println!(
        "| operation | one-way delay | tool | tenants | at once | wall | round trips / tenant | connections | latency floor | wall ÷ floor | xargs -P 8 ÷ tenantctl | psql loop ÷ tenantctl |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let find = |r: &LatRow, tool: &str| {
        rows.iter()
            .find(|x| x.op == r.op && x.delay_ms == r.delay_ms && x.tool == tool)
            .map(|x| x.wall)
    };
    let mut order: Vec<&LatRow> = rows.iter().collect();
    let op_rank = |op: &str| {
        [
            "list",
            "list via SSH",
            SSH_KEPT,
            "bulk suspend",
            "bulk reactivate",
            "passwd",
        ]
        .iter()
        .position(|o| *o == op)
        .unwrap_or(9)
    };
    let tool_rank = |t: &str| {
        ["tenantctl", "xargs -P 8", "psql loop"]
            .iter()
            .position(|o| *o == t)
            .unwrap_or(9)
    };
    order.sort_by_key(|r| (op_rank(r.op), r.delay_ms, tool_rank(r.tool)));
    for r in order {
        let fl = floor(r, rows).filter(|_| !r.op.starts_with("list via SSH"));
        let ratio = |tool: &str| match (r.tool, find(r, tool)) {
            ("tenantctl", Some(w)) => format!("{:.2}x", w / r.wall),
            _ => String::new(),
        };
        println!(
            "| {} | {} ms | {} | {} | {} | {} s | {:.1} | {} | {} | {} | {} | {} |",
            r.op,
            r.delay_ms,
            r.tool,
            r.tenants,
            r.concurrency,
            secs(r.wall),
            r.rt_per_tenant(),
            r.connections,
            fl.map(|f| format!("{} s", secs(f))).unwrap_or_default(),
            fl.map(|f| format!("{:.2}x", r.wall / f))
                .unwrap_or_default(),
            ratio("xargs -P 8"),
            ratio("psql loop"),
        );
    }
    println!();
    println!("- Every node ({nodes}) behind this benchmark's proxy (benches/fleet/proxy.rs: tokio, each direction delayed by the one-way delay, RTT = 2 × delay). One run per cell.");
    println!("- **round trips / tenant**: client→server bursts that follow a server answer, counted at the proxy over every connection of the command (the per-node listing connection included), ÷ tenants. Connection set-up (startup, SCRAM) counts.");
    println!("- **latency floor** = round trips / tenant × RTT × tenants ÷ at once + the same command's wall time at 0 ms through the proxy. **at once**: tenantctl min(--concurrency {CONCURRENCY}, the sum of the nodes' connection limits, which tenantctl sizes from each server: a quarter of its free slots, at most {}, here {} per node); xargs: nodes × {XARGS_P}; the sequential loop 1.", tenantctl::odoo::probe::AUTO_LIMIT_MAX, node_max());
    let vs_direct = |op: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.op == op)
            .filter_map(|r| {
                let direct = rows.iter().find(|x| {
                    x.op == "list" && x.tool == "tenantctl" && x.delay_ms == r.delay_ms
                })?;
                Some(format!(
                    "{} ms: {} s vs {} s direct = {:.2}x",
                    r.delay_ms,
                    secs(r.wall),
                    secs(direct.wall),
                    r.wall / direct.wall
                ))
            })
            .collect()
    };
    let ssh = vs_direct("list via SSH");
    let kept = vs_direct(SSH_KEPT);
    if !ssh.is_empty() {
        println!("- **list via SSH**: every node through an SSH tunnel (one master per node, to the local sshd), the delay put between the ssh client and sshd (a proxy in front of sshd; sshd reaches PostgreSQL directly, as a bastion next to the nodes), against `list` direct with the delay between tenantctl and PostgreSQL: {}. Its round trips are not counted (SSH packets are not queries); connections = SSH connections.", ssh.join("; "));
        let setup: Vec<String> = ssh_setup
            .iter()
            .map(|(d, t)| format!("{d} ms: {} s", secs(*t)))
            .collect();
        if !kept.is_empty() {
            println!("- **{SSH_KEPT}**: the same with `control_persist = \"10m\"` in each node's `[node.ssh]`: a first run (not measured) opens the masters and leaves them running, the measured run finds and reuses them (connections = new SSH connections: 0 when every master was reused): {}.", kept.join("; "));
        }
        println!("- One `ssh host true` through the same SSH proxy (TCP, key exchange, authentication, a session: what a master's set-up costs before the first forward; median of 3): {}. Each PostgreSQL connection through the tunnel also waits for its channel to open (one more round trip between the ssh client and sshd).", setup.join("; "));
    }
    println!("- **xargs -P 8**: `PARALLEL=8 benches/psql-loop.sh` — every node at once, on each `xargs -P 8` running one psql per database with the same SQL (list: tenantctl's query, from the library). The sequential psql loop runs at delays up to --psql-max-delay only.");
}
