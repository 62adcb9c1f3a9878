//! Real-sized tenants (issue 17): some tenants of node 1 get several hundred
//! generated tables with their indexes, and some `res_users_log` rows by the
//! hundred thousand (SQL generate_series, no dump); then the per-tenant cost
//! of list, show and a write (suspend + reactivate) on each shape, loopback,
//! and the server time of `pg_database_size` and of `show`'s last-login query.

use super::*;

/// Extra tables of a "real-sized" tenant (each with a primary key, two more
/// indexes and a few rows), as a production Odoo database has 500-1500.
pub(crate) const EXTRA_TABLES: usize = 400;

/// The shapes: a tenant of node 1 (tenants go round-robin over the `k`
/// nodes), what it gets (tables, login rows).
pub(crate) fn shapes(k: usize) -> Vec<(String, usize, usize)> {
    vec![
        (tenant_name(1), 0, 0),
        (tenant_name(1 + k), EXTRA_TABLES, 0),
        (tenant_name(1 + 2 * k), EXTRA_TABLES, 100_000),
        (tenant_name(1 + 3 * k), EXTRA_TABLES, 500_000),
    ]
}

/// Makes node 1's tenants of `shapes()` real-sized.
pub(crate) fn grow(c: &Cluster, k: usize) {
    for (db, tables, logins) in shapes(k) {
        let t0 = Instant::now();
        if tables > 0 {
            add_tables(c, &db, tables);
        }
        if logins > 0 {
            // Internal users log in; portal users never do. `id` grows with
            // time, as in Odoo.
            c.sql(
                &db,
                &format!(
                    "WITH u AS (SELECT array_agg(id ORDER BY id) a FROM public.res_users WHERE NOT share AND active AND id <> 1) \
                     INSERT INTO public.res_users_log (create_uid, create_date, write_uid, write_date) \
                     SELECT u.a[1 + (g::int8 * 7919) % array_length(u.a, 1)], \
                            timestamp '2020-01-01' + g * interval '5 minutes', 1, \
                            timestamp '2020-01-01' + g * interval '5 minutes' \
                     FROM u, generate_series(1, {logins}) g;\n\
                     ANALYZE public.res_users_log;"
                ),
            );
        }
        c.sql(&db, "VACUUM ANALYZE");
        eprintln!(
            "fleet: {db}: +{tables} tables, +{logins} login rows in {:.1}s",
            t0.elapsed().as_secs_f64()
        );
    }
}

/// Adds `tables` generated `x_model_N` tables (primary key, two more
/// indexes, 20 rows each) to `db`.
pub(crate) fn add_tables(c: &Cluster, db: &str, tables: usize) {
    c.sql(
        db,
        &format!(
            "DO $$ BEGIN FOR i IN 1..{tables} LOOP \
             EXECUTE format('CREATE TABLE public.x_model_%s (id serial PRIMARY KEY, name varchar, \
               res_id integer, state varchar, amount numeric, create_uid integer, create_date timestamp, \
               write_uid integer, write_date timestamp)', i); \
             EXECUTE format('CREATE INDEX ON public.x_model_%s (res_id)', i); \
             EXECUTE format('CREATE INDEX ON public.x_model_%s (state, create_date)', i); \
             EXECUTE format('INSERT INTO public.x_model_%s (name, res_id, state, amount, create_date) \
               SELECT ''r'' || g, g, ''draft'', g, now() FROM generate_series(1, 20) g', i); \
             END LOOP; END $$"
        ),
    );
}

pub(crate) struct SizedRow {
    pub(crate) db: String,
    pub(crate) tables: usize,
    pub(crate) logins: i64,
    pub(crate) size_mb: f64,
    pub(crate) size_ms: f64,
    pub(crate) list: f64,
    pub(crate) show: f64,
    pub(crate) write: f64,
    pub(crate) last_login_ms: f64,
    pub(crate) last_login_jit_ms: f64,
    pub(crate) last_login_old_ms: f64,
}

/// `show`'s per-user last login before issue 17 (the query kept here only
/// to measure it next to the library's).
const LAST_LOGIN_OLD: &str = "SELECT (SELECT to_char(max(l.create_date), 'YYYY-MM-DD') FROM public.res_users_log l WHERE l.create_uid = u.id) FROM public.res_users u WHERE u.id <> 1";

/// Server time of `q` (median of 3), with `jit = off` as `show` sets it
/// (`jit_off`) or the server's default.
fn server_ms(c: &Cluster, db: &str, q: &str, jit_off: bool) -> f64 {
    let set = if jit_off { "SET jit = off;\n" } else { "" };
    let r = c.sql(
        db,
        &format!(
            "{set}CREATE FUNCTION pg_temp.bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $f$ \
             DECLARE t0 timestamptz := clock_timestamp(); r record; \
             BEGIN FOR r IN EXECUTE q LOOP END LOOP; \
             RETURN 1000 * extract(epoch FROM clock_timestamp() - t0); END $f$;\n\
             SELECT pg_temp.bench_ms($q${q}$q$), pg_temp.bench_ms($q${q}$q$), pg_temp.bench_ms($q${q}$q$);"
        ),
    );
    let v: Vec<f64> = r
        .lines()
        .last()
        .unwrap_or("")
        .split('|')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    median(v)
}

pub(crate) fn measure(fleet: &Fleet, home: &Path, inv: &Path, work: &Path) -> Vec<SizedRow> {
    let c = &fleet.clusters[0];
    let node = c.name().to_string();
    let runs = 5;
    let mut rows = Vec::new();
    for (db, tables, _) in shapes(fleet.clusters.len()) {
        let target = format!("{node}/{db}");
        let wall = |args: &[&str]| -> f64 {
            median(
                (0..runs)
                    .map(|_| {
                        let f = run_measured(&mut tenantctl(home, inv, args), work, None);
                        must(
                            &format!("sized: tenantctl {}", args.join(" ")),
                            exited_ok(&f),
                        );
                        f.sample.wall
                    })
                    .collect(),
            )
        };
        let list = wall(&["-o", "json", "list", "--match", &db]);
        let show = wall(&["-o", "json", "show", &target]);
        let write = median(
            (0..runs)
                .map(|_| {
                    let f = run_measured(
                        &mut tenantctl(
                            home,
                            inv,
                            &[
                                "-o", "json", "suspend", &target, "--reason", "sized", "--yes",
                            ],
                        ),
                        work,
                        None,
                    );
                    must("sized: suspend", exited_ok(&f));
                    let g = run_measured(
                        &mut tenantctl(home, inv, &["-o", "json", "reactivate", &target, "--yes"]),
                        work,
                        None,
                    );
                    must(
                        "sized: reactivate",
                        if g.ok() { Ok(()) } else { Err(g.stderr_tail()) },
                    );
                    f.sample.wall + g.sample.wall
                })
                .collect(),
        );
        let logins: i64 = c
            .sql(&db, "SELECT count(*) FROM public.res_users_log")
            .trim()
            .parse()
            .unwrap_or(-1);
        let size: f64 = c
            .sql(&db, "SELECT pg_database_size(current_database())")
            .trim()
            .parse()
            .unwrap_or(0.0);
        let size_ms = server_ms(
            c,
            "postgres",
            &format!(
                "SELECT pg_database_size(oid) FROM pg_database WHERE datname = '{}'",
                db.replace('\'', "''")
            ),
            false,
        );
        rows.push(SizedRow {
            tables,
            logins,
            size_mb: size / 1048576.0,
            size_ms,
            list,
            show,
            write,
            last_login_ms: server_ms(c, &db, &tenantctl::odoo::details::last_login_sql(), true),
            last_login_jit_ms: server_ms(
                c,
                &db,
                &tenantctl::odoo::details::last_login_sql(),
                false,
            ),
            last_login_old_ms: server_ms(c, &db, LAST_LOGIN_OLD, false),
            db,
        });
    }
    rows
}

pub(crate) fn print(rows: &[SizedRow]) {
    println!("\n### real-sized tenants (node 1, loopback)\n");
    println!("| tenant | extra tables | res_users_log rows | size | pg_database_size (server) | list --match (wall) | show (wall) | suspend + reactivate (wall) | show's last-login query: now / now with JIT on / before (server) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let base = rows.first();
    let rel = |v: f64, b: f64| format!("{} s ({:+.0}%)", secs(v), 100.0 * (v / b - 1.0));
    for r in rows {
        let b = base.expect("a row");
        println!(
            "| {} | {} | {} | {:.0} MB | {:.2} ms | {} | {} | {} | {:.2} / {:.2} / {:.2} ms |",
            r.db,
            r.tables,
            r.logins,
            r.size_mb,
            r.size_ms,
            rel(r.list, b.list),
            rel(r.show, b.show),
            rel(r.write, b.write),
            r.last_login_ms,
            r.last_login_jit_ms,
            r.last_login_old_ms,
        );
    }
    println!();
    println!("- Medians of 5 runs of the whole tenantctl process against one tenant (percentages: against the first row, same run). Extra tables: {EXTRA_TABLES} generated `x_model_N` tables, each with a primary key, two more indexes and 20 rows; login rows: generate_series, internal users only (portal users never log in), `id` growing with time; all in SQL, no dump.");
    println!("- pg_database_size: server time of one call for that database (median of 3, warm caches). `list` prints sizes and pays it per tenant; the other commands list names without sizes.");
    println!("- show's last-login query: the per-user last login alone, server time (median of 3): the library's `details::last_login_sql()` with `jit = off` as `show` now runs it, the same with the server's default JIT, and `max(create_date)` over each user's rows as before issue 17 (server default, as `show` ran it).");
}
