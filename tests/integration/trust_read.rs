//! Reads run nothing of the tenant (`odoo::gate`): a `SELECT` by tenantctl
//! (a superuser here, `postgres`) on a table whose index predicate, statistics
//! expression or child table's index calls the tenant's `IMMUTABLE` function
//! would run that function as the superuser while PostgreSQL plans the read;
//! a view in place of a table would run what it selects. The tenant's role
//! `odoo_t` plays the attacker: each object makes `odoo_t` a superuser when it
//! runs with a superuser's privileges. Before the gate, every command below
//! escalated it.

use crate::fixtures::TenantSpec;
use crate::world::World;

const ROLE: &str = "odoo_t";

/// `public.fold()`: IMMUTABLE (so PostgreSQL folds it while planning) and
/// calling a volatile function that escalates when run by a superuser (an
/// IMMUTABLE plpgsql function may not run ALTER ROLE itself; the volatile one
/// it calls may).
const FOLD_FN: &str = "SET ROLE odoo_t; \
     CREATE FUNCTION public.escalate() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN \
       IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN \
         ALTER ROLE odoo_t SUPERUSER; \
       END IF; RETURN true; END $$; \
     CREATE FUNCTION public.fold() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN \
       RETURN public.escalate(); END $$;";

fn world(sql: &str) -> World {
    World::builder()
        .node("n1")
        .role(ROLE, "odoo-pass", "")
        .tenant_owned("acme", TenantSpec::default(), ROLE)
        .sql("acme", FOLD_FN)
        .sql("acme", &format!("SET ROLE odoo_t; {sql}"))
        .build()
}

fn escalated(w: &World) -> bool {
    w.node("n1").sql(
        "postgres",
        "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'odoo_t'",
    ) == "t"
}

/// Every command that reads the tenant refuses it, naming `what`; none runs
/// the function.
fn every_read_refuses(w: &World, what: &str) {
    let runs: [(&[&str], i32); 7] = [
        (&["list", "-o", "json"], 3),
        (&["show", "acme", "-o", "json"], 2),
        (&["health", "acme", "-o", "json"], 1),
        (&["check", "-o", "json"], 1),
        (
            &[
                "suspend",
                "acme",
                "--reason",
                "r",
                "--dry-run",
                "-o",
                "json",
            ],
            2,
        ),
        (
            &["suspend", "acme", "--reason", "r", "--yes", "-o", "json"],
            2,
        ),
        (
            &[
                "duplicate",
                "acme",
                "acme-copy",
                "--no-filestore",
                "--yes",
                "-o",
                "json",
            ],
            2,
        ),
    ];
    for (args, code) in runs {
        let r = w.run().args(args.iter().copied()).any_code().run();
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains(what) && all.contains("refusing to read this database"),
            "{args:?} names {what:?}: {all}"
        );
        assert!(!escalated(w), "{args:?} ran the tenant's function: {all}");
        assert_eq!(r.code, Some(code), "{args:?}: {all}");
    }
    assert!(!w.dbs().iter().any(|d| d == "acme-copy"), "nothing made");
    assert_eq!(
        w.params("acme").get("tenant.suspended"),
        None,
        "not suspended"
    );
}

#[test]
fn a_partial_index_calling_the_tenants_function_is_refused_before_any_read() {
    let w = world("CREATE INDEX evil ON public.ir_config_parameter (key) WHERE public.fold();");
    every_read_refuses(
        &w,
        "function public.fold() used by index evil on ir_config_parameter",
    );
    // The operator's --allow-triggers accepts it: the read then runs it
    // (what the gate prevents), which proves the object is live.
    w.run()
        .args(["--allow-triggers", "show", "acme"])
        .any_code()
        .run();
    assert!(escalated(&w), "the planted index runs on a read");
}

#[test]
fn statistics_and_a_child_tables_index_are_refused_too() {
    let w = world(
        "CREATE STATISTICS evil_stats ON (length(login) + public.fold()::int) FROM public.res_users; \
         CREATE TABLE public.evil_child () INHERITS (public.res_users_log); \
         CREATE INDEX evil_child_idx ON public.evil_child (id) WHERE public.fold();",
    );
    let r = w.run().args(["list", "-o", "json"]).code(3).run();
    let text = r.stdout.clone();
    assert!(
        text.contains("function public.fold() used by statistics evil_stats on res_users"),
        "{text}"
    );
    assert!(
        text.contains(
            "function public.fold() used by index evil_child_idx on public.evil_child (child of res_users_log)"
        ),
        "{text}"
    );
    assert!(!escalated(&w));
}

/// A view in place of `ir_model_data`, which reactivation reads to find the
/// built-in users (and which the write guard of suspension did not cover):
/// the reactivation is refused and the view's function never runs.
#[test]
fn reactivate_refuses_a_view_in_place_of_ir_model_data() {
    let w = World::builder()
        .node("n1")
        .role(ROLE, "odoo-pass", "")
        .tenant_owned("acme", TenantSpec::default(), ROLE)
        .build();
    w.run()
        .args(["suspend", "acme", "--reason", "unpaid", "--yes"])
        .run();
    w.node("n1").sql(
        "acme",
        &format!(
            "{FOLD_FN} ALTER TABLE public.ir_model_data RENAME TO ir_model_data_real; \
             CREATE VIEW public.ir_model_data AS SELECT * FROM public.ir_model_data_real \
               WHERE public.escalate();"
        ),
    );
    let r = w
        .run()
        .args(["reactivate", "acme", "--yes", "-o", "json"])
        .code(2)
        .json_at("/outcome", "refused")
        .run();
    assert!(
        r.stdout
            .contains("ir_model_data is not a plain table (relkind v)"),
        "{}",
        r.stdout
    );
    assert!(!escalated(&w), "the view's function never ran");
    assert_eq!(
        w.params("acme").get("tenant.suspended").map(String::as_str),
        Some("true"),
        "still suspended"
    );
}
