//! Issue 22, items 4 and 5: the trigger guard covers inheritance children,
//! domains (and their base domains) of the column types, extension members of
//! an extension a non-superuser owns, and the identity step of `duplicate`.
//!
//! Against real PostgreSQL with tenantctl connected as the superuser `postgres`
//! and the tenant owned by the non-superuser role `odoo_t`; the tenant's side
//! is played as that role ([`Env::as_tenant`]). Each attack made `odoo_t` a
//! superuser before the guard knew about it.

use crate::fixtures::{create_tenant_owned, icp, password_hash, TenantSpec};
use crate::trust::{assert_refused, is_superuser, suspend_refused, Env};

/// The tenant's role in every test here (the one `suspend_refused` checks).
const ROLE: &str = "odoo_t";

/// A trigger function that makes `odoo_t` a superuser when it runs with a
/// superuser's privileges.
const ESCALATE_TRIGGER_FN: &str = "CREATE FUNCTION public.tenant_escalate() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN \
       IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN \
         ALTER ROLE odoo_t SUPERUSER; \
       END IF; RETURN NULL; END $$;";

/// The same as a boolean function of one value, for CHECK constraints: true,
/// so that the tenant's own statements (run as `odoo_t`) pass.
fn escalate_check_fn(name: &str, arg: &str) -> String {
    format!(
        "CREATE FUNCTION public.{name}(v {arg}) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN \
           IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN \
             ALTER ROLE odoo_t SUPERUSER; \
           END IF; RETURN true; END $$;"
    )
}

/// A domain whose base domain's CHECK calls `public.tenant_check(text)`.
fn evil_domain() -> String {
    format!(
        "{}\nCREATE DOMAIN public.base_domain AS text CHECK (public.tenant_check(VALUE));\n\
         CREATE DOMAIN public.evil_domain AS public.base_domain;",
        escalate_check_fn("tenant_check", "text")
    )
}

/// The text `check -o json` gives (every problem of every tenant).
fn check_text(e: &Env) -> String {
    let r = e.run(&["check", "-o", "json"], None);
    r.json().to_string()
}

/// (a) A child table of res_users (`INHERITS`) holding a copy of an active user,
/// with a trigger: `UPDATE public.res_users` without `ONLY` also updates the
/// child's row and fires the child's trigger.
#[test]
fn trust_guard_trigger_on_an_inheritance_child_refuses() {
    let e = Env::with_owned_acme("gc", ROLE);
    e.as_tenant(
        "acme",
        ROLE,
        &format!(
            "{ESCALATE_TRIGGER_FN}\n\
             CREATE TABLE public.evil () INHERITS (public.res_users);\n\
             INSERT INTO public.evil SELECT * FROM ONLY public.res_users WHERE active AND id <> 1 ORDER BY id LIMIT 1;\n\
             CREATE TRIGGER evil_tg AFTER UPDATE ON public.evil \
               FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();"
        ),
    );
    let hash_before = password_hash(&e.c, "acme", "admin");
    suspend_refused(
        &e,
        "acme",
        &[
            "trigger evil_tg on evil (inherits res_users)",
            "--allow-triggers",
        ],
    );
    let r = e.passwd_json("acme", "admin", "child-proof-pass");
    assert_refused(&r, &["trigger evil_tg on evil (inherits res_users)"]);
    assert_eq!(password_hash(&e.c, "acme", "admin"), hash_before);
    assert!(!is_superuser(&e.c, ROLE), "no escalation: {r}");
    let text = check_text(&e);
    assert!(
        text.contains("trigger evil_tg on evil (inherits res_users)"),
        "check names the child's trigger: {text}"
    );
}

/// (b) `ir_config_parameter.value` typed with a domain whose base domain has a
/// CHECK calling the tenant's function (domain constraints have `conrelid = 0`);
/// the same on `res_users.password` for passwd.
#[test]
fn trust_guard_domain_check_on_a_column_refuses() {
    let e = Env::with_owned_acme("gd", ROLE);
    create_tenant_owned(&e.c, "beta", &TenantSpec::default(), ROLE);
    e.as_tenant(
        "acme",
        ROLE,
        &format!(
            "{}\nALTER TABLE public.ir_config_parameter ALTER COLUMN value TYPE public.evil_domain;",
            evil_domain()
        ),
    );
    let via_icp = "function public.tenant_check(text) used by constraint base_domain_check of \
                   domain public.base_domain (base type of public.evil_domain) of ir_config_parameter.value";
    suspend_refused(&e, "acme", &[via_icp, "--allow-triggers"]);
    assert!(check_text(&e).contains(via_icp), "check names the domain");

    e.as_tenant(
        "beta",
        ROLE,
        &format!(
            "{}\nALTER TABLE public.res_users ALTER COLUMN password TYPE public.evil_domain;",
            evil_domain()
        ),
    );
    let hash_before = password_hash(&e.c, "beta", "admin");
    let r = e.passwd_json("beta", "admin", "domain-proof-pass");
    let via_password =
        "domain public.base_domain (base type of public.evil_domain) of res_users.password";
    assert_refused(&r, &["public.tenant_check(text)", via_password]);
    assert_eq!(password_hash(&e.c, "beta", "admin"), hash_before);
    assert!(!is_superuser(&e.c, ROLE), "no escalation: {r}");
    assert!(check_text(&e).contains(via_password), "check names it");
}

/// (c) The tenant's role creates a trusted extension (it owns it), adds its own
/// function to it (`ALTER EXTENSION ... ADD FUNCTION`: allowed to the owner of
/// both) and uses it in a CHECK constraint of res_users. Members of an
/// extension owned by a superuser stay exempt.
#[test]
fn trust_guard_member_of_an_extension_owned_by_the_tenant_refuses() {
    let e = Env::with_owned_acme("ge", ROLE);
    create_tenant_owned(&e.c, "beta", &TenantSpec::default(), ROLE);
    e.as_tenant(
        "acme",
        ROLE,
        &format!(
            "CREATE EXTENSION pgcrypto;\n{}\n\
             ALTER EXTENSION pgcrypto ADD FUNCTION public.ext_escalate(text);\n\
             ALTER TABLE public.res_users ADD CONSTRAINT ext_check CHECK (public.ext_escalate(login::text));",
            escalate_check_fn("ext_escalate", "text")
        ),
    );
    assert_eq!(
        e.c.sql(
            "acme",
            "SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'pgcrypto'"
        ),
        ROLE,
        "the extension is the tenant's"
    );
    suspend_refused(
        &e,
        "acme",
        &[
            "function public.ext_escalate(text) used by constraint ext_check on res_users",
            "--allow-triggers",
        ],
    );
    assert!(check_text(&e).contains("public.ext_escalate(text)"));

    // An extension the superuser installed: its C functions are not the tenant's.
    e.c.sql("beta", "CREATE EXTENSION pg_trgm");
    e.as_tenant(
        "beta",
        ROLE,
        "ALTER TABLE public.res_users ADD CONSTRAINT trgm_check \
           CHECK (public.similarity(login::text, login::text) >= 0);",
    );
    let r = e.suspend_json("beta");
    r.code(0);
    assert!(!is_superuser(&e.c, ROLE), "{r}");
}

/// (d) `duplicate` runs the identity step, which writes ir_config_parameter:
/// a copy of a tenant with the domain of (b), or with a child of
/// ir_config_parameter whose trigger fires when the copy's `tenant.*` keys are
/// deleted, is refused, the copy is not left behind, and nothing ran.
#[test]
fn trust_guard_duplicate_refuses_what_the_tenant_put_there() {
    let e = Env::with_owned_acme("gu", ROLE);
    create_tenant_owned(&e.c, "beta", &TenantSpec::default(), ROLE);
    e.as_tenant(
        "acme",
        ROLE,
        &format!(
            "{}\nALTER TABLE public.ir_config_parameter ALTER COLUMN value TYPE public.evil_domain;",
            evil_domain()
        ),
    );
    e.as_tenant(
        "beta",
        ROLE,
        &format!(
            "{ESCALATE_TRIGGER_FN}\n\
             CREATE TABLE public.icp_child () INHERITS (public.ir_config_parameter);\n\
             INSERT INTO public.icp_child (id, key, value) VALUES (-1, 'tenant.planted', 'x');\n\
             CREATE TRIGGER icp_tg AFTER DELETE ON public.icp_child \
               FOR EACH ROW EXECUTE FUNCTION public.tenant_escalate();"
        ),
    );
    for (src, copy, mention) in [
        (
            "acme",
            "acme-copy",
            "domain public.base_domain (base type of public.evil_domain) of ir_config_parameter.value",
        ),
        (
            "beta",
            "beta-copy",
            "trigger icp_tg on icp_child (inherits ir_config_parameter)",
        ),
    ] {
        let r = e.run(
            &[
                "duplicate",
                src,
                copy,
                "--no-filestore",
                "--yes",
                "-o",
                "json",
            ],
            None,
        );
        assert_refused(&r, &[mention, "--allow-triggers"]);
        assert!(!is_superuser(&e.c, ROLE), "no escalation: {r}");
        assert!(!e.c.db_exists(copy), "the copy is not left behind: {r}");
        assert_eq!(icp(&e.c, src, "tenant.suspended"), None);
    }
}

/// `rename` rewrites `web.base.url` when it follows the node's pattern: that
/// write into ir_config_parameter runs the guard too. Refused, the database
/// keeps its name and its URL, and nothing ran.
#[test]
fn trust_guard_rename_refuses_to_write_the_base_url() {
    let e = Env::with_extra("gr", "base_url = \"https://{tenant}.example.com\"\n");
    e.c.create_role(ROLE, "odoo-pass", false);
    create_tenant_owned(&e.c, "acme", &TenantSpec::default(), ROLE);
    e.as_tenant(
        "acme",
        ROLE,
        &format!(
            "{}\nALTER TABLE public.ir_config_parameter ALTER COLUMN value TYPE public.evil_domain;\n\
             UPDATE public.ir_config_parameter SET value = 'https://acme.example.com' WHERE key = 'web.base.url';\n\
             INSERT INTO public.ir_config_parameter (key, value) SELECT 'web.base.url', 'https://acme.example.com' \
               WHERE NOT EXISTS (SELECT 1 FROM public.ir_config_parameter WHERE key = 'web.base.url');",
            evil_domain()
        ),
    );
    let r = e.run(
        &[
            "rename",
            "acme",
            "acme-two",
            "--no-filestore",
            "--yes",
            "-o",
            "json",
        ],
        None,
    );
    assert_refused(&r, &["ir_config_parameter.value", "--allow-triggers"]);
    assert!(!is_superuser(&e.c, ROLE), "no escalation: {r}");
    assert!(e.c.db_exists("acme") && !e.c.db_exists("acme-two"), "{r}");
    assert_eq!(
        icp(&e.c, "acme", "web.base.url").as_deref(),
        Some("https://acme.example.com")
    );
}
