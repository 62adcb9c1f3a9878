//! The measurements at one fleet size: the floor, tenantctl's list, bulk
//! suspend/reactivate, list over SSH and passwd next to the psql loop, and
//! (at the first size, unless --no-breakdown) where the time goes.

use super::*;

/// What the measurements collect for the report.
pub(crate) struct Collected {
    pub(crate) lines: Vec<Line>,
    pub(crate) breakdown: Vec<Breakdown>,
    pub(crate) notes: Vec<String>,
    pub(crate) ssh_unavailable: Option<String>,
    pub(crate) list_rss: Vec<(usize, f64)>,
    pub(crate) load_seen: Vec<String>,
    /// (CPU seconds of other processes, wall seconds) while measuring.
    pub(crate) foreign: (f64, f64),
}

impl Collected {
    pub(crate) fn new(env: &start::Env, o: &Opts) -> Collected {
        Collected {
            lines: Vec::new(),
            breakdown: Vec::new(),
            notes: Vec::new(),
            ssh_unavailable: match (&env.sshd, o.ssh) {
                (_, false) => Some("not measured (--no-ssh)".into()),
                (None, true) => Some("ssh: not available (sshd needs root)".into()),
                (Some(_), true) => None,
            },
            list_rss: Vec::new(),
            load_seen: Vec::new(),
            foreign: (0.0, 0.0),
        }
    }
}

/// Measures the fleet at `scale` × --tenants tenants (`si`: index of the
/// size in --scale).
pub(crate) fn measure(
    env: &start::Env,
    fx: &fixed::Fixed,
    o: &Opts,
    si: usize,
    scale: usize,
    col: &mut Collected,
) {
    let total = o.tenants * scale;
    let start::Env {
        fleet,
        home,
        sshd,
        inv_direct,
        inv_ssh,
        inv_unix,
        tcp_nodes,
        unix_nodes,
        work,
        pw_file,
        ..
    } = env;
    let (hash_runs, passlib, pure_tc) = (fx.hash_runs, &fx.passlib, &fx.pure_tc);
    let Collected {
        lines,
        breakdown,
        notes,
        ssh_unavailable,
        list_rss,
        load_seen,
        foreign,
    } = col;
    eprintln!("fleet: measuring {total} tenants ({} runs)", o.runs);
    let psql_here = o.psql_scales.contains(&scale);
    let mut s_floor = Vec::new();
    let mut s_list = Vec::new();
    let mut s_health = Vec::new();
    let mut s_plist = Vec::new();
    let mut s_susp = Vec::new();
    let mut s_react = Vec::new();
    let mut s_psusp = Vec::new();
    let mut s_preact = Vec::new();
    let mut s_ssh = Vec::new();
    // --baseline: list, bulk suspend, bulk reactivate of the other binary.
    let (mut b_list, mut b_susp, mut b_react) = (Vec::new(), Vec::new(), Vec::new());
    // --baseline: this build's list without the read gate (--allow-triggers
    // skips it), to tell the gate's cost from the rest.
    let mut s_list_ungated = Vec::new();
    // --baseline: this build's list again, next to the two above.
    let mut s_list_paired = Vec::new();
    let mut floor_lat = (0u128, 0u128, 0u128);
    for run in 0..o.runs {
        let t_run = Instant::now();
        let f = fleet.measure(&mut floor_cmd("tcp", tcp_nodes), work, None);
        if !f.ok() || floor_stat(&f.stdout(), "connections") != total as u128 {
            panic!("fleet: floor failed: {} {}", f.stdout(), f.stderr_tail());
        }
        let out = f.stdout();
        floor_lat.0 += floor_stat(&out, "connections");
        floor_lat.1 += floor_stat(&out, "connect_us");
        floor_lat.2 += floor_stat(&out, "query_us");
        s_floor.push(f.sample);

        // `list` and `health` back to back, in an order that alternates
        // between runs (the machine's load drifts; the ratio is what counts).
        for which in [run % 2, 1 - run % 2] {
            if which == 0 {
                let f = fleet.measure(
                    &mut tenantctl(home, inv_direct, &["-o", "json", "list"]),
                    work,
                    None,
                );
                match check_list(&f, total, "direct") {
                    Ok(v) if run == 0 && si == 0 => {
                        let t = &v["tenants"][0];
                        notes.push(format!(
                            "Each tenant is the fixture's Odoo 16 tenant with {} active internal users (admin + 150), {} portal users, 20 archived users plus the built-in ones, and their `res_users_log` rows; `list` reads them (first row: users {}, portal {}, size {} bytes).",
                            t["users"], t["portal_users"], t["users"], t["portal_users"], t["size_bytes"]
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => panic!("fleet: tenantctl list: {e}"),
                }
                s_list.push(f.sample);
            } else {
                // `health` on the same fleet, same connections (issue 26): exit 3
                // (the fixture's jobs are overdue) with every tenant checked.
                let f = fleet.measure(
                    &mut tenantctl(home, inv_direct, &["-o", "json", "health"]),
                    work,
                    None,
                );
                let v: serde_json::Value = serde_json::from_str(&f.stdout()).unwrap_or_default();
                if !matches!(f.status, 0 | 3)
                    || v["summary"]["tenants"] != total
                    || v["summary"]["errors"] != 0
                {
                    panic!(
                        "fleet: tenantctl health: exit {}: {}",
                        f.status,
                        f.stderr_tail()
                    );
                }
                s_health.push(f.sample);
            }
        }

        if run < o.psql_runs && psql_here {
            let f = fleet.measure(&mut psql_loop("list", &fleet.clusters), work, None);
            let n = f.stdout().lines().count();
            if !f.ok() || n != total {
                panic!(
                    "fleet: psql loop list: exit {}, {n} lines: {}",
                    f.status,
                    f.stderr_tail()
                );
            }
            s_plist.push(f.sample);
        }

        let f = fleet.measure(&mut tenantctl(home, inv_direct, &BULK_SUSPEND), work, None);
        must("tenantctl bulk suspend", check_bulk(&f, total));
        s_susp.push(f.sample);
        let f = fleet.measure(
            &mut tenantctl(home, inv_direct, &BULK_REACTIVATE),
            work,
            None,
        );
        must("tenantctl bulk reactivate", check_bulk(&f, total));
        s_react.push(f.sample);

        if run < o.psql_runs && psql_here {
            let f = fleet.measure(&mut psql_loop("suspend", &fleet.clusters), work, None);
            must("psql loop suspend", exited_ok(&f));
            must(
                "psql loop suspend state",
                check_state(&fleet.clusters, true),
            );
            s_psusp.push(f.sample);
            let f = fleet.measure(&mut psql_loop("reactivate", &fleet.clusters), work, None);
            must("psql loop reactivate", exited_ok(&f));
            must(
                "psql loop reactivate state",
                check_state(&fleet.clusters, false),
            );
            s_preact.push(f.sample);
        }

        if let Some(bin) = &o.baseline {
            let run_base = |args: &[&str]| {
                fleet.measure(&mut tenantctl_at(bin, home, inv_direct, args), work, None)
            };
            // The three lists back to back, in an order that alternates
            // between runs (a row's position in the run moves it by more
            // than the differences measured here).
            let mut order = [0u8, 1, 2];
            if run % 2 == 1 {
                order.reverse();
            }
            for k in order {
                let (f, what) = match k {
                    0 => (
                        fleet.measure(
                            &mut tenantctl(home, inv_direct, &["-o", "json", "list"]),
                            work,
                            None,
                        ),
                        "list",
                    ),
                    1 => (
                        fleet.measure(
                            &mut tenantctl(
                                home,
                                inv_direct,
                                &["--allow-triggers", "-o", "json", "list"],
                            ),
                            work,
                            None,
                        ),
                        "list --allow-triggers",
                    ),
                    _ => (run_base(&["-o", "json", "list"]), "baseline list"),
                };
                if let Err(e) = check_list(&f, total, "direct") {
                    panic!("fleet: {what}: {e}");
                }
                match k {
                    0 => s_list_paired.push(f.sample),
                    1 => s_list_ungated.push(f.sample),
                    _ => b_list.push(f.sample),
                }
            }
            let f = run_base(&BULK_SUSPEND);
            must("baseline bulk suspend", check_bulk(&f, total));
            b_susp.push(f.sample);
            let f = run_base(&BULK_REACTIVATE);
            must("baseline bulk reactivate", check_bulk(&f, total));
            b_react.push(f.sample);
        }

        if ssh_unavailable.is_none() {
            let f = fleet.measure(
                &mut tenantctl(home, inv_ssh, &["-o", "json", "list"]),
                work,
                None,
            );
            match check_list(&f, total, "ssh") {
                Ok(_) => s_ssh.push(f.sample),
                Err(e) => {
                    let first = e.lines().last().unwrap_or("").to_string();
                    eprintln!("fleet: list over ssh failed: {e}");
                    *ssh_unavailable = Some(format!("ssh: not available ({first})"));
                }
            }
        }
        eprintln!(
            "fleet: {total} tenants: run {}/{} done in {:.1}s",
            run + 1,
            o.runs,
            t_run.elapsed().as_secs_f64()
        );
    }
    let (mut other, mut walls) = (0.0, 0.0);
    for x in [
        &s_floor, &s_list, &s_health, &s_plist, &s_susp, &s_react, &s_psusp, &s_preact, &s_ssh,
    ]
    .into_iter()
    .flatten()
    {
        other += (x.machine_cpu - x.client_cpu - x.server_cpu - x.sshd_cpu).max(0.0);
        walls += x.wall;
    }
    foreign.0 += other;
    foreign.1 += walls;
    load_seen.push(format!("{:.2} at {total} tenants", other / walls.max(1e-9)));
    let floor = stats(&s_floor);
    let list = stats(&s_list);
    if let Some(l) = &list {
        list_rss.push((total, l.rss_mb));
    }
    // A row of the main table, compared with the floor.
    let line = |op: &str, tc: Option<Stats>, other: Option<Stats>| Line {
        op: op.into(),
        tenants: total,
        tc,
        other,
        other_label: "",
        floor: floor.clone(),
        vs_direct: None,
        unavailable: None,
    };
    lines.push(line("`list -o json`", list.clone(), stats(&s_plist)));
    lines.push(line(
        "`bulk suspend --all-matching`",
        stats(&s_susp),
        stats(&s_psusp),
    ));
    lines.push(line(
        "`bulk reactivate --all-matching`",
        stats(&s_react),
        stats(&s_preact),
    ));
    if let Some(bin) = &o.baseline {
        let name = bin.display();
        for (op, now, base) in [
            ("`list -o json`", &s_list_paired, &b_list),
            (
                "`list -o json` without the read gate (--allow-triggers)",
                &s_list_ungated,
                &b_list,
            ),
            ("`bulk suspend --all-matching`", &s_susp, &b_susp),
            ("`bulk reactivate --all-matching`", &s_react, &b_react),
        ] {
            if std::ptr::eq(now, &s_list_ungated) {
                lines.push(line(op, stats(now), None));
            } else {
                lines.push(line(&format!("{op} (baseline {name})"), stats(base), None));
            }
            if let (Some(n), Some(b)) = (stats(now), stats(base)) {
                notes.push(format!(
                    "{op} at {total} tenants: this build {} s, baseline {name} {} s, ratio {:.3} (median wall, same runs, interleaved).",
                    secs(n.wall),
                    secs(b.wall),
                    n.wall / b.wall
                ));
            }
        }
    }
    lines.push(Line {
        vs_direct: list.as_ref().map(|l| l.wall),
        unavailable: if s_ssh.is_empty() {
            ssh_unavailable.clone()
        } else {
            None
        },
        ..line("`list -o json` via SSH", stats(&s_ssh), None)
    });

    // passwd on one tenant of a fleet of this size.
    let mut s_pw = Vec::new();
    for _ in 0..hash_runs {
        let f = fleet.measure(
            &mut tenantctl(
                home,
                inv_direct,
                &["passwd", "n1/t00001", "--password-stdin"],
            ),
            work,
            Some(pw_file),
        );
        must("tenantctl passwd", exited_ok(&f));
        s_pw.push(f.sample);
    }
    lines.push(Line {
        op: "`passwd n1/t00001 --password-stdin` (1 hash, 600000 rounds)".into(),
        tenants: total,
        tc: stats(&s_pw),
        other: passlib.clone(),
        other_label: "passlib",
        floor: None,
        vs_direct: None,
        unavailable: None,
    });
    let (with_size, without_size) = node_listing_ms(&fleet.clusters);
    if let Some(st) = stats(&s_pw) {
        breakdown.push(Breakdown {
            op: format!("passwd (1 tenant of {total})"),
            tool: "tenantctl",
            tenants: 1,
            s: st,
            extra: format!(
                "hash alone in process: {} s; the node's listing query (resolving n1/t00001) takes {with_size:.0} ms of server time, {without_size:.0} ms without `pg_database_size`",
                secs(median(pure_tc.clone()))
            ),
        });
    }
    notes.push(format!(
        "Listing a node's databases (the first query of list, bulk and passwd; {} databases per node): {with_size:.0} ms of server time with `pg_database_size` (as tenantctl asks), {without_size:.0} ms without (mean of the nodes, server-side timing).",
        total / o.nodes
    ));

    let n = floor_lat.0.max(1) as f64;
    let floor_note = format!(
        "mean connect {:.2} ms, mean SELECT 1 {:.2} ms (under load, {} at once)",
        floor_lat.1 as f64 / n / 1000.0,
        floor_lat.2 as f64 / n / 1000.0,
        CONCURRENCY.min(node_max() * o.nodes)
    );
    for (op, tool, s, extra) in [
        (
            "connect + `SELECT 1`",
            "floor (TCP, scram)",
            &s_floor,
            floor_note,
        ),
        ("list", "tenantctl", &s_list, String::new()),
        (
            "health",
            "tenantctl",
            &s_health,
            health_note(&s_health, &s_list),
        ),
        ("list", "psql loop", &s_plist, String::new()),
        ("bulk suspend", "tenantctl", &s_susp, String::new()),
        ("bulk suspend", "psql loop", &s_psusp, String::new()),
        ("bulk reactivate", "tenantctl", &s_react, String::new()),
        ("bulk reactivate", "psql loop", &s_preact, String::new()),
        ("list via SSH", "tenantctl", &s_ssh, ssh_note(&s_ssh)),
    ] {
        if let Some(st) = stats(s) {
            breakdown.push(Breakdown {
                op: op.into(),
                tool,
                tenants: total,
                s: st,
                extra,
            });
        }
    }

    // Transport breakdown at the first scale: the same work over the Unix
    // socket with trust authentication (no TCP, no SCRAM).
    if si == 0 && o.breakdown {
        eprintln!("fleet: breakdown: Unix socket, trust auth");
        let mut s_uf = Vec::new();
        let mut s_ul = Vec::new();
        for _ in 0..o.runs {
            let f = fleet.measure(&mut floor_cmd("unix", unix_nodes), work, None);
            if !f.ok() {
                panic!("fleet: floor (unix) failed: {}", f.stderr_tail());
            }
            s_uf.push(f.sample);
            let f = fleet.measure(
                &mut tenantctl(home, inv_unix, &["-o", "json", "list"]),
                work,
                None,
            );
            if let Err(e) = check_list(&f, total, "direct") {
                panic!("fleet: tenantctl list (unix): {e}");
            }
            s_ul.push(f.sample);
        }
        // The minimal client doing the same SQL work as tenantctl, each
        // tenant's work in one round trip.
        eprintln!("fleet: breakdown: the same SQL from the minimal client");
        let mut s_fl = Vec::new();
        let mut s_fs = Vec::new();
        let mut s_fr = Vec::new();
        for _ in 0..o.runs {
            for (sql, v, state) in [
                (LIST_SQL.to_string(), &mut s_fl, None),
                (one_trip(SUSPEND_SQL_ONE_TRIP), &mut s_fs, Some(true)),
                (one_trip(REACTIVATE_SQL_ONE_TRIP), &mut s_fr, Some(false)),
            ] {
                let mut cmd = floor_cmd("tcp", tcp_nodes);
                cmd.env("FLOOR_SQL", sql);
                let f = fleet.measure(&mut cmd, work, None);
                if !f.ok() || floor_stat(&f.stdout(), "connections") != total as u128 {
                    panic!(
                        "fleet: floor with SQL failed: {} {}",
                        f.stdout(),
                        f.stderr_tail()
                    );
                }
                if let Some(susp) = state {
                    must("floor SQL state", check_state(&fleet.clusters, susp));
                }
                v.push(f.sample);
            }
        }
        // The list query as the first statement of a connection (cold:
        // the backend loads the catalog entries of every table and index
        // it touches, during parse analysis and planning) and again on
        // that connection (warm); SELECT 1 likewise. psql over the Unix
        // socket, one tenant after the other, round trips as psql times them.
        let dbs: Vec<String> = (0..10).map(|j| tenant_name(1 + j * o.nodes)).collect();
        let (lc, lw) = cold_warm_ms(&fleet.clusters[0], &dbs, LIST_SQL);
        let (sc, sw) = cold_warm_ms(&fleet.clusters[0], &dbs, "SELECT 1");
        notes.push(format!(
            "The list query as the first statement of a connection takes {lc:.2} ms, the same query again on that connection {lw:.2} ms (SELECT 1: {sc:.2} / {sw:.2} ms; medians over 10 tenants one after the other, psql round trips over the Unix socket): a fresh backend first loads the catalog entries of the 4 tables and their indexes that the query reads."
        ));
        let direct_v = run_measured(
            &mut tenantctl(home, inv_direct, &["-v", "-o", "json", "list"]),
            work,
            None,
        );
        let err = std::fs::read_to_string(&direct_v.stderr).unwrap_or_default();
        notes.push(format!(
            "`tenantctl -v list` direct says: {}.",
            err.lines()
                .filter(|l| l.contains("listed in"))
                .map(|l| format!("`{}`", l.trim_start_matches("tenantctl: ")))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        if let Some(s) = &sshd {
            let t: Vec<f64> = (0..5)
                .map(|_| {
                    let t0 = Instant::now();
                    let out = s.ssh(&s.identity_file(), "true");
                    assert!(out.status.success(), "ssh true: {out:?}");
                    t0.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            notes.push(format!(
                "One `ssh host true` to the local sshd (connection, key exchange, authentication, a session, exit) takes {:.0} ms (median of 5); tenantctl opens one master per node.",
                median(t)
            ));
        }
        if let Some(inv) = ssh_ok_inventory(ssh_unavailable, inv_ssh) {
            let f = run_measured(
                &mut tenantctl(home, inv, &["-v", "-o", "json", "list"]),
                work,
                None,
            );
            let err = std::fs::read_to_string(&f.stderr).unwrap_or_default();
            let ssh_lines: Vec<&str> = err
                .lines()
                .filter(|l| l.contains("ssh master") || l.contains("listed in"))
                .collect();
            notes.push(format!(
                "`tenantctl -v list` over SSH says: {}.",
                ssh_lines
                    .iter()
                    .map(|l| format!("`{}`", l.trim_start_matches("tenantctl: ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        for (op, tool, s) in [
            ("connect + `SELECT 1`", "floor (Unix socket, trust)", &s_uf),
            ("list", "tenantctl (Unix socket, trust)", &s_ul),
            ("connect + list query", "floor + same SQL", &s_fl),
            (
                "connect + suspend in 1 round trip",
                "floor + same SQL",
                &s_fs,
            ),
            (
                "connect + reactivate in 1 round trip",
                "floor + same SQL",
                &s_fr,
            ),
        ] {
            if let Some(st) = stats(s) {
                breakdown.push(Breakdown {
                    op: op.into(),
                    tool,
                    tenants: total,
                    s: st,
                    extra: String::new(),
                });
            }
        }
    }
}

/// `health` against `list` on the same fleet (issue 26: at most 1.3x).
fn health_note(health: &[Sample], list: &[Sample]) -> String {
    match (stats(health), stats(list)) {
        (Some(h), Some(l)) if l.wall > 0.0 => {
            format!("{:.2}x the wall time of `list`", h.wall / l.wall)
        }
        _ => String::new(),
    }
}
