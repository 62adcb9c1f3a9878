//! The competitors: the floor (this binary as the smallest client) and the
//! psql loops (benches/psql-loop.sh, sequential and `xargs -P`).

#![allow(unused_imports)]
use super::*;

/// `fleet --floor-worker tcp|unix PER_NODE GLOBAL HOST PORT [HOST PORT...]`:
/// per node one connection to `postgres` listing pg_database, then one
/// connection per database running `SELECT 1`, at most PER_NODE at once per
/// node and GLOBAL in all (tenantctl's limits). Password from
/// $TC_TEST_PGPASSWORD (scram over TCP; unix: trust). Prints counts and
/// summed latencies; exits 1 if any connection failed.
pub(crate) fn floor_worker(args: &[String]) -> std::process::ExitCode {
    use tokio::sync::Semaphore;
    let mode = args[0].clone();
    let per_node: usize = args[1].parse().expect("per-node limit");
    let global: usize = args[2].parse().expect("global limit");
    let nodes: Vec<(String, u16)> = args[3..]
        .chunks(2)
        .map(|c| (c[0].clone(), c[1].parse().expect("port")))
        .collect();
    let password = std::env::var(PASSWORD_ENV).unwrap_or_default();
    let sql: Arc<str> = std::env::var("FLOOR_SQL")
        .unwrap_or_else(|_| "SELECT 1".into())
        .into();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (ok, failed, connect_us, query_us) = rt.block_on(async move {
        let global = Arc::new(Semaphore::new(global));
        let cfg_for = move |host: &str, port: u16, db: &str| {
            let mut cfg = tokio_postgres::Config::new();
            if mode == "unix" {
                cfg.host_path(host);
            } else {
                cfg.host(host);
            }
            cfg.port(port).user("postgres").password(&password).dbname(db);
            // tenantctl's startup parameters (transport/mod.rs), so that the
            // server does the same work for the floor as for tenantctl.
            if let Ok(o) = std::env::var("FLOOR_OPTIONS") {
                cfg.options(&o);
            }
            if let Ok(a) = std::env::var("FLOOR_APPLICATION_NAME") {
                cfg.application_name(&a);
            }
            cfg
        };
        let mut nodes_set = tokio::task::JoinSet::new();
        for (host, port) in nodes {
            let global = global.clone();
            let sql = sql.clone();
            let cfg_for = cfg_for.clone();
            nodes_set.spawn(async move {
                let node = Arc::new(Semaphore::new(per_node));
                let mut res = (0u64, 0u64, 0u128, 0u128);
                let dbs: Vec<String> = {
                    let _n = node.clone().acquire_owned().await.unwrap();
                    let _g = global.clone().acquire_owned().await.unwrap();
                    let (client, conn) = match cfg_for(&host, port, "postgres")
                        .connect(tokio_postgres::NoTls)
                        .await
                    {
                        Ok(x) => x,
                        Err(e) => {
                            eprintln!("floor: {host}:{port}/postgres: {e}");
                            res.1 += 1;
                            return res;
                        }
                    };
                    tokio::spawn(conn);
                    let msgs = client
                        .simple_query(
                            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn",
                        )
                        .await
                        .expect("pg_database");
                    msgs.iter()
                        .filter_map(|m| match m {
                            tokio_postgres::SimpleQueryMessage::Row(r) => {
                                r.get(0).map(str::to_string)
                            }
                            _ => None,
                        })
                        .filter(|d| d != "postgres")
                        .collect()
                };
                let mut set = tokio::task::JoinSet::new();
                for db in dbs {
                    let node = node.clone();
                    let global = global.clone();
                    let cfg = cfg_for(&host, port, &db);
                    let sql = sql.clone();
                    set.spawn(async move {
                        let _n = node.acquire_owned().await.unwrap();
                        let _g = global.acquire_owned().await.unwrap();
                        let t0 = Instant::now();
                        let (client, conn) = match cfg.connect(tokio_postgres::NoTls).await {
                            Ok(x) => x,
                            Err(e) => return Err(format!("{db}: {e}")),
                        };
                        tokio::spawn(conn);
                        let t1 = Instant::now();
                        client
                            .simple_query(&sql)
                            .await
                            .map_err(|e| format!("{db}: {e}"))?;
                        Ok((t1 - t0, t1.elapsed()))
                    });
                }
                while let Some(r) = set.join_next().await {
                    match r {
                        Ok(Ok((c, q))) => {
                            res.0 += 1;
                            res.2 += c.as_micros();
                            res.3 += q.as_micros();
                        }
                        Ok(Err(e)) => {
                            eprintln!("floor: {e}");
                            res.1 += 1;
                        }
                        Err(e) => {
                            eprintln!("floor: task: {e}");
                            res.1 += 1;
                        }
                    }
                }
                res
            });
        }
        let mut tot = (0u64, 0u64, 0u128, 0u128);
        while let Some(r) = nodes_set.join_next().await {
            let r = r.expect("node task");
            tot.0 += r.0;
            tot.1 += r.1;
            tot.2 += r.2;
            tot.3 += r.3;
        }
        tot
    });
    rt.shutdown_background();
    println!("connections={ok} failed={failed} connect_us={connect_us} query_us={query_us}");
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

pub(crate) fn psql_loop(mode: &str, clusters: &[Cluster]) -> Command {
    let ports: Vec<u16> = clusters.iter().map(|c| c.port()).collect();
    psql_loop_on(mode, &ports, None)
}

/// benches/psql-loop.sh on 127.0.0.1 at these ports, running tenantctl's own
/// statements from the library where the script runs one as it is (the node
/// listing, the list query, the tenant lock's key, the Odoo 12-16 cache
/// signal); `parallel`: `xargs -P N` per node, every
/// node at once, instead of one database after the other.
pub(crate) fn psql_loop_on(mode: &str, ports: &[u16], parallel: Option<usize>) -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/psql-loop.sh");
    let mut cmd = Command::new("bash");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("PGPASSWORD", SUPERUSER_PASSWORD)
        .env("PGUSER", "postgres")
        .env("REASON", "bench: psql loop")
        .env("BY", "bench@localhost")
        .env("SUMMARY_SQL", LIST_SQL)
        .env("CANDIDATES_SQL", CANDIDATES_SQL)
        .env("LOCK_KEY", tenantctl::odoo::TENANT_LOCK_KEY.to_string())
        .env("SIGNAL_SQL", signal_sql())
        .env_remove("PARALLEL");
    if let Some(n) = parallel {
        cmd.env("PARALLEL", n.to_string());
    }
    cmd.arg(script)
        .arg(mode)
        .arg("127.0.0.1")
        .args(ports.iter().map(|p| p.to_string()));
    cmd
}

pub(crate) fn floor_cmd(mode: &str, nodes: &[(String, u16)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.env(PASSWORD_ENV, SUPERUSER_PASSWORD)
        .arg("--floor-worker")
        .arg(mode)
        .arg(node_max().to_string())
        .arg(CONCURRENCY.to_string());
    for (h, p) in nodes {
        cmd.arg(h).arg(p.to_string());
    }
    cmd
}

/// The cache signal of the benchmark's tenants (Odoo 16: 12-16 family), from
/// the library (src/odoo/signal.rs).
pub(crate) fn signal_sql() -> &'static str {
    use tenantctl::odoo::signal::{Changed, Signals};
    Signals::from_flags([true, false, false, false])
        .statement(Changed::UsersAndParams)
        .expect("12-16 has a signal")
}
