//! Copies: `create` from a template, `duplicate`, and `bulk create`: the new database is built
//! under a staging name, its identity regenerated, then published.

use super::*;

/// Reads back the regenerated keys of a new database: each must be the value
/// written.
pub(super) async fn verify_identity(
    conn: &Conn,
    want: &[(&str, &String)],
) -> std::result::Result<(), Stop> {
    let got = lc::identity(&conn.client, conn.deadline).await?;
    for (k, v) in want {
        if !got.iter().any(|(gk, gv)| gk == k && gv == *v) {
            return Err(Stop::Failed(anyhow!(
                "after the commit {k} is not the value written"
            )));
        }
    }
    Ok(())
}
// ------------------------------------------------------------------ copies

/// What a copy (create, duplicate) sets in the new database.
#[derive(Clone)]
pub(super) struct CopySpec {
    pub(super) source: String,
    pub(super) new: String,
    pub(super) force: bool,
    pub(super) base_url: Option<String>,
    pub(super) admin_login: Option<String>,
    pub(super) company: Option<String>,
    pub(super) password: Option<Pw>,
    pub(super) new_customer: bool,
    pub(super) neutralize: bool,
}

/// The checks of a copy before anything is done (the source, and the
/// node's staging databases for the clean-up); a refusal's text.
pub(super) async fn check_copy(
    maint: &Conn,
    fs: Option<&Filestore>,
    c: &CopySpec,
    what: &str,
) -> anyhow::Result<std::result::Result<(lc::DbInfo, Vec<(String, Option<String>)>), String>> {
    let d = maint.deadline;
    if let Err(m) = check_db_name(&c.new) {
        return Ok(Err(format!("{m}; nothing changed")));
    }
    // One round trip for the three questions (tokio-postgres pipelines
    // queries polled together), and the filestore checked meanwhile.
    let files = async {
        match fs {
            Some(fs) => fs.check_free(&c.new).await.map(Some),
            None => Ok(None),
        }
    };
    let (new_db, src, n, free, building) = tokio::try_join!(
        lc::db_info(&maint.client, &c.new, d),
        lc::db_info(&maint.client, &c.source, d),
        lc::sessions(&maint.client, &c.source, d),
        files,
        // For the clean-up before the copy (`clean_stale`), in the same
        // round trip.
        lc::creating(&maint.client, d)
    )?;
    if new_db.is_some() {
        return Ok(Err(format!(
            "a database named {} exists on the node; nothing changed",
            e(&c.new)
        )));
    }
    let Some(src) = src else {
        return Ok(Err(format!(
            "{what} {} does not exist on the node; nothing changed",
            e(&c.source)
        )));
    };
    if n > 0 && !c.force {
        return Ok(Err(format!(
            "{what} {} has {n} open connections (a live tenant?); PostgreSQL cannot copy a database in use. \
             Rerun with --force to end them as Odoo's duplicate does, or use a template marked IS_TEMPLATE with ALLOW_CONNECTIONS false; nothing changed",
            e(&c.source)
        )));
    }
    if let (Some(fs), Some(false)) = (fs, free) {
        return Ok(Err(format!(
            "the filestore directory {} exists; nothing changed",
            fs.show(&c.new)
        )));
    }
    if let Some(u) = &c.base_url {
        if !(u.starts_with("http://") || u.starts_with("https://"))
            || u.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Ok(Err(format!(
                "--base-url {}: expected an http:// or https:// URL; nothing changed",
                e(u)
            )));
        }
    }
    for (flag, v) in [("--admin-login", &c.admin_login), ("--company", &c.company)] {
        if let Some(v) = v {
            if v.trim().is_empty() || v.chars().any(|c| c.is_control()) || v.chars().count() > 256 {
                return Ok(Err(format!(
                    "{flag} {}: empty, too long, or with control characters; nothing changed",
                    e(v)
                )));
            }
        }
    }
    Ok(Ok((src, building)))
}

/// What a done copy reports.
pub(super) struct Made {
    pub(super) regenerated: lc::Regenerated,
    pub(super) login: Option<String>,
    pub(super) generated: Option<String>,
    pub(super) filestore: Option<Copied>,
}

// The rounds of the hash started before the copy exists (see
// odoo::versions::EARLY_ROUNDS); when the copy's own differ, the password
// is hashed again with them.
use crate::odoo::versions::EARLY_ROUNDS;

/// The admin password and its hash, started while PostgreSQL copies the
/// template (PBKDF2 at 600000 rounds is ~0.3 s of one core, about as long
/// as the copy of a real-sized template).
pub(super) struct EarlyHash {
    pub(super) password: String,
    pub(super) hash: tokio::task::JoinHandle<String>,
}

pub(super) fn early_hash(pw: &Pw, scheme: crate::inventory::PasswordScheme) -> EarlyHash {
    let password = match pw {
        Pw::Given(p) => p.clone(),
        Pw::Generate(len) => password::generate(*len),
    };
    let p = password.clone();
    EarlyHash {
        password,
        hash: tokio::task::spawn_blocking(move || password::hash(scheme, &p, EARLY_ROUNDS)),
    }
}

/// Runs a copy step by step (the caller undoes on error):
/// database (the password hashed meanwhile) → identity (one transaction)
/// and filestore, at the same time → rename.
pub(super) async fn do_copy(
    steps: &mut Steps<'_>,
    c: &CopySpec,
    src: &lc::DbInfo,
    early: Option<EarlyHash>,
) -> std::result::Result<Made, Stop> {
    let d = steps.maint.deadline;
    // Built under a staging name, renamed at the end: NAME only ever
    // appears complete. A run killed outright (kill -9) leaves the staging
    // database/directory, which the next create/duplicate on the node
    // removes (see `clean_stale`).
    let staging = staging_name(&c.new);
    steps.next("database").await?;
    // Started before the checks when the password was known then.
    let early = early.or_else(|| {
        c.password
            .as_ref()
            .map(|pw| early_hash(pw, steps.link.node.password_scheme))
    });
    if c.force {
        lc::end_sessions(&steps.maint.client, &c.source, d).await?;
    }
    let m = steps.maint;
    let create = async {
        lc::create_from(&m.client, &staging, &c.source, &src.owner, d)
            .await
            .map_err(|x| {
                anyhow!(
                    "CREATE DATABASE {} TEMPLATE {}: {x:#}",
                    e(&staging),
                    e(&c.source)
                )
            })
    };
    steps.made_staging(&staging, &c.new, create).await?;
    steps.next("identity").await?;
    // The filestore is copied while the new database gets its identity:
    // both are undone by name, and both are awaited before anything is
    // decided, so a failure of either undoes both.
    if steps.fs.is_some() {
        steps.done.push(Undo::RemoveDir(staging.clone()));
    }
    let files = async {
        match steps.fs {
            Some(fs) => Some(fs.copy(&c.source, &staging).await),
            None => None,
        }
    };
    let (made, files) = tokio::join!(identity_step(steps, c, &staging, early), files);
    let mut copy = made?;
    if let Some(f) = files {
        copy.filestore = Some(f?);
    }
    steps.next("rename").await?;
    steps.publish(&staging, &c.new).await?;
    steps.next("done").await?;
    Ok(copy)
}

/// The new database's identity, admin and company, in one transaction, then
/// verified by reading it back.
pub(super) async fn identity_step(
    steps: &Steps<'_>,
    c: &CopySpec,
    staging: &str,
    early: Option<EarlyHash>,
) -> std::result::Result<Made, Stop> {
    let link = steps.link;
    let mut copy = Made {
        regenerated: Default::default(),
        login: None,
        generated: None,
        filestore: None,
    };
    let mut conn = link
        .connect(staging, &steps.ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the new database"))?;
    let mut id = Identity {
        base_url: c.base_url.clone(),
        company: c.company.clone(),
        new_customer: c.new_customer,
        neutralize: c.neutralize,
        admin: None,
    };
    if let (Some(pw), Some(early)) = (&c.password, early) {
        let u = users::passwd_target(&conn.client, None)
            .await?
            .ok_or_else(|| {
                Stop::Refused("the template has no admin user (xmlid base.user_admin)".into())
            })?;
        let login = c.admin_login.clone().unwrap_or_else(|| u.login.clone());
        let min = u
            .min_length
            .unwrap_or(crate::ops::passwd::DEFAULT_MIN_LENGTH);
        let pw = match pw {
            Pw::Given(p) => {
                crate::ops::passwd::check_policy(p, &login, u.min_length).map_err(Stop::Refused)?;
                p.clone()
            }
            // The early password, unless the tenant's policy wants a longer one.
            Pw::Generate(len) if *len >= min => early.password.clone(),
            Pw::Generate(len) => password::generate((*len).max(min)),
        };
        if let Pw::Generate(_) = &c.password.as_ref().expect("some") {
            copy.generated = Some(pw.clone());
        }
        let rounds = crate::ops::passwd::rounds_of(&u);
        let scheme = link.node.password_scheme;
        let hash = if rounds == EARLY_ROUNDS && pw == early.password {
            early.hash.await.map_err(|x| anyhow!("hashing: {x}"))?
        } else {
            // The early hash is left to finish on its thread, unused.
            drop(early.hash);
            tokio::task::spawn_blocking(move || password::hash(scheme, &pw, rounds))
                .await
                .map_err(|x| anyhow!("hashing: {x}"))?
        };
        id.admin = Some((u.id, u.login.clone(), c.admin_login.clone(), hash));
        copy.login = Some(login);
    }
    copy.regenerated = lc::regenerate(
        &mut conn.client,
        &id,
        steps.ctx.global.allow_triggers,
        conn.deadline,
    )
    .await?;
    verify_identity(
        &conn,
        &[
            ("database.create_date", &copy.regenerated.create_date),
            ("database.secret", &copy.regenerated.secret),
            ("database.uuid", &copy.regenerated.uuid),
        ],
    )
    .await?;
    Ok(copy)
}

pub(super) fn copy_plan(
    c: &CopySpec,
    link: &NodeLink,
    fs: Option<&Filestore>,
    what: &str,
    neutralize: Option<&crate::odoo::neutralize::Plan>,
) -> Plan {
    let mut p = Plan::new(format!(
        "{what} {}/{} from {}",
        link.name(),
        e(&c.new),
        e(&c.source)
    ))
    .step(format!(
        "CREATE DATABASE {} TEMPLATE {}{}",
        e(&c.new),
        e(&c.source),
        if c.force {
            " (ending its open connections first)"
        } else {
            ""
        }
    ))
    .step("new database.secret, database.uuid, database.create_date");
    if let Some(u) = &c.base_url {
        p = p.step(format!("web.base.url = {} (frozen)", e(u)));
    }
    p = if c.new_customer {
        p.step(
            "remove database.enterprise_code, database.expiration_date/_reason and tenant.* keys",
        )
    } else {
        p.step("remove tenant.* keys")
    };
    if c.password.is_some() {
        p = p.step(format!(
            "admin login {}, new password",
            c.admin_login
                .as_deref()
                .map(e)
                .unwrap_or_else(|| "kept".into())
        ));
    }
    if let Some(co) = &c.company {
        p = p.step(format!("company name {}", e(co)));
    }
    if c.neutralize {
        p = p.step("neutralize: scheduled actions off (but base.autovacuum_job), mail servers off plus a dummy one, fetchmail off, database.is_neutralized");
        p = p.step(match neutralize {
            Some(n) if !n.modules.is_empty() => format!(
                "neutralize as Odoo {} does, the data/neutralize.sql of the installed modules: {}",
                n.major.unwrap_or_default(),
                neutralized_names(n).join(", ")
            ),
            Some(n) => format!(
                "no installed module has statements of its own (Odoo {})",
                n.major
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "version unknown".into())
            ),
            None => "and the data/neutralize.sql of every installed module tenantctl knows (web, website, payment, delivery...; see README)".into(),
        });
    }
    match fs {
        Some(fs) => p.step(format!(
            "copy filestore {} to {} (hard links where possible)",
            fs.show(&c.source),
            fs.show(&c.new)
        )),
        None => p.step("filestore left alone (--no-filestore)"),
    }
}

/// The installed modules of a copy's source and its neutralization plan.
pub(super) async fn source_modules(
    ctx: &Ctx,
    link: &NodeLink,
    source: &str,
) -> anyhow::Result<crate::odoo::neutralize::Plan> {
    let conn = link
        .connect(source, &ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the source"))?;
    crate::odoo::neutralize::plan(&conn.client, conn.deadline)
        .await
        .map_err(|x| x.context("reading the source's installed modules"))
}

/// The modules a neutralization plan names in the result: base and mail
/// (done by tenantctl's own code) and those of the plan.
pub(super) fn neutralized_names(p: &crate::odoo::neutralize::Plan) -> Vec<String> {
    p.reported(p.names().iter().map(|s| s.to_string()))
}

/// What `copy_one` returns: the report, whether interrupted, the generated
/// password.
type CopyOut = (Report, bool, Option<String>);

/// What the checks of a copy found, before its plan.
struct Checked<'a> {
    fs: Option<Filestore>,
    early: Option<EarlyHash>,
    maint: Maint<'a>,
    src: lc::DbInfo,
    building: Vec<(String, Option<String>)>,
    modules: Option<crate::odoo::neutralize::Plan>,
}

/// The whole of create/duplicate for one copy; the report, whether
/// interrupted, the generated password. `single`: a single command's copy
/// (its password hashed from the start, a generated one printed alone on
/// stdout before the copy counts as done), not a line of `bulk create`.
pub(super) async fn copy_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    link: &Arc<NodeLink>,
    c: &CopySpec,
    action: crate::ops::Op,
    what: &str,
    single: bool,
) -> CopyOut {
    let who = format!("{}/{}", link.name(), c.new);
    let mut r = base(link, &c.new, action);
    r.details.copy().from = c.source.clone();
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let k = match copy_checks(ctx, o, link, c, what, single, &who).await {
        Ok(k) => k,
        Err((outcome, m)) => return (r.fail(outcome, m), false, None),
    };
    if o.dry_run {
        let plan = copy_plan(c, link, k.fs.as_ref(), action.as_str(), k.modules.as_ref());
        if let Some(m) = &k.modules {
            r.details.copy().neutralized_modules = Some(neutralized_names(m));
        }
        return (r.would(plan), false, None);
    }
    clean_stale_known(link, &k.maint, k.fs.as_ref(), &mut r, Some(k.building)).await;
    let mut steps = Steps::new(link, &k.maint, k.fs.as_ref(), ctx, &who);
    let t0 = std::time::Instant::now();
    match do_copy(&mut steps, c, &k.src, k.early).await {
        Ok(copy) => copied(ctx, &mut steps, r, &who, c, copy, t0, action, single).await,
        Err(stop) => {
            let (r, i) = undone(&mut steps, r, &who, stop).await;
            (r, i, None)
        }
    }
}

/// The checks of a copy, in order: the filestore, the source's name, the
/// early hash started, the maintenance database, the copy's checks, and for
/// a dry run the modules to neutralize. A failure's outcome and text.
async fn copy_checks<'a>(
    ctx: &'a Ctx,
    o: &LifecycleOpts,
    link: &Arc<NodeLink>,
    c: &CopySpec,
    what: &str,
    single: bool,
    who: &str,
) -> std::result::Result<Checked<'a>, (Outcome, String)> {
    let fs = filestore_for(link, o.no_filestore)
        .map_err(|m| (Outcome::Refused, format!("{who}: {m}")))?;
    if let Err(m) = SafeName::new(&c.source) {
        return Err((Outcome::Refused, format!("{who}: {m}")));
    }
    // The admin password's hash starts now when the password is known (not
    // one prompted for after the plan), beside the connection, the checks
    // and the copy: it is the longest single step of a create. A dry run
    // hashes nothing; `bulk create` (not `single`) starts each hash with
    // its copy, once the node's connection limit lets that in, so that the
    // hashes of a whole file do not all compete for the cores at once.
    let early = match &c.password {
        Some(Pw::Given(p)) if p.is_empty() => None,
        Some(pw) if single && !o.dry_run => Some(early_hash(pw, link.node.password_scheme)),
        _ => None,
    };
    let failed = |x: anyhow::Error| (Outcome::Failed, format!("{who}: {x:#}; nothing changed"));
    let maint = maintenance(ctx, link).await.map_err(failed)?;
    let (src, building) = match check_copy(&maint, fs.as_ref(), c, what).await {
        Ok(Ok(s)) => s,
        Ok(Err(m)) => return Err((Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => return Err(failed(x)),
    };
    // A dry run names the modules whose neutralization would run (the
    // source's installed modules); the real run reads them from the copy.
    let modules = if c.neutralize && o.dry_run {
        Some(source_modules(ctx, link, &c.source).await.map_err(failed)?)
    } else {
        None
    };
    Ok(Checked {
        fs,
        early,
        maint,
        src,
        building,
        modules,
    })
}

/// The report of a done copy; a generated password that cannot be shown
/// undoes it.
#[allow(clippy::too_many_arguments)]
async fn copied(
    ctx: &Ctx,
    steps: &mut Steps<'_>,
    mut r: Report,
    who: &str,
    c2: &CopySpec,
    copy: Made,
    t0: std::time::Instant,
    action: crate::ops::Op,
    single: bool,
) -> CopyOut {
    record_copy(&mut r, c2, &copy, t0);
    let fs_text = match copy.filestore {
        Some(Copied::Linked) => "filestore copied as hard links",
        Some(Copied::Copied) => "filestore copied",
        Some(Copied::NoSource) => "the source has no filestore directory",
        None => "filestore left alone",
    };
    // A generated password is shown before the run counts as done:
    // one that cannot be handed over undoes the creation.
    if let Some(pw) = &copy.generated {
        if single && ctx.printer.format != Output::Json {
            if let Err(x) = out_checked(pw) {
                let (r, i) = undone(
                    steps,
                    r,
                    who,
                    Stop::Failed(anyhow!("the generated password could not be printed: {x}")),
                )
                .await;
                return (r, i, None);
            }
        }
    }
    let r = r.ok(
        Outcome::Changed,
        format!(
            "{action}: {who} from {} in {:.1}s ({fs_text}{})",
            e(&c2.source),
            t0.elapsed().as_secs_f64(),
            if c2.neutralize {
                format!(
                    ", neutralized: {}",
                    copy.regenerated.neutralized_modules.join(", ")
                )
            } else {
                String::new()
            }
        ),
    );
    // Done: a Ctrl-C now stops only what follows (bulk).
    (r, false, copy.generated)
}

/// A done copy's fields in its report: the login, the time, the base URL,
/// the filestore, the keys removed, what was neutralized, the warnings.
fn record_copy(r: &mut Report, c2: &CopySpec, copy: &Made, t0: std::time::Instant) {
    r.users = usize::from(copy.login.is_some());
    let d = r.details.copy();
    d.login.clone_from(&copy.login);
    d.seconds = Some(t0.elapsed().as_secs_f64());
    d.base_url.clone_from(&c2.base_url);
    d.filestore = copy.filestore;
    d.removed_keys.clone_from(&copy.regenerated.removed_keys);
    if c2.neutralize {
        d.neutralized = Some(copy.regenerated.neutralized.clone());
        d.neutralized_modules = Some(copy.regenerated.neutralized_modules.clone());
    }
    r.warnings.extend(copy.regenerated.warnings.clone());
}

pub(super) fn pattern_url(link: &NodeLink, name: &str) -> Option<String> {
    link.node
        .lifecycle
        .base_url
        .as_ref()
        .map(|p| p.replace("{tenant}", name))
}

/// `create NODE/NAME`: the copy decided (template, password source),
/// asked (the plan of a dry run, then the admin password prompted for),
/// run as one target.
pub(super) async fn create(ctx: &Arc<Ctx>, o: &LifecycleOpts, c: &CreateOpts) -> Result<u8> {
    let (link, name) = node_for(ctx, &c.target)?;
    let template = c
        .from
        .clone()
        .or_else(|| link.node.lifecycle.template.clone())
        .ok_or_else(|| {
            Error::usage(anyhow!(
                "no template: pass --from TEMPLATE or set `template` for node {} in the inventory",
                link.name()
            ))
        })?;
    let pw = match c.password {
        PasswordInput::Generate(n) => {
            if ctx.printer.format == Output::Json {
                return Err(Error::usage(anyhow!(
                    "--generate prints the new password alone on stdout; it cannot be combined with -o json"
                )));
            }
            Pw::Generate(n)
        }
        PasswordInput::Stdin => Pw::Given(crate::ops::prompt::stdin_password()?),
        PasswordInput::Prompt => {
            if !o.dry_run && !std::io::stdin().is_terminal() {
                return Err(Error::usage(anyhow!(
                    "stdin is not a terminal, so I cannot prompt for the admin password; use --password-stdin or --generate"
                )));
            }
            // Asked after the confirmation (see `Single for Copying`).
            Pw::Given(String::new())
        }
    };
    let log = ctx.audit_log_unless(o.dry_run)?;
    let generated = matches!(pw, Pw::Generate(_)) && !o.dry_run;
    let spec = CopySpec {
        source: template,
        base_url: c.base_url.clone().or_else(|| pattern_url(&link, &name)),
        new: name,
        force: c.force,
        admin_login: c.admin_login.clone(),
        company: c.company.clone(),
        password: Some(pw),
        new_customer: true,
        neutralize: false,
    };
    let job = || crate::ops::Job::for_spec(spec.new.clone());
    let each = Copying::single(ctx, o, Op::Create, link.clone(), spec.clone());
    ask_then_run(ctx, Op::Create, log.map(Arc::new), job, each, generated).await
}

/// `duplicate TENANT NEW`: resolved, asked (the plan of a dry run), run as
/// one target.
pub(super) async fn duplicate(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    tenant: &str,
    new: &str,
    neutralize: bool,
    force: bool,
) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    let t = ctx.resolve_for_write(tenant).await?;
    crate::ops::direct_only(&t.link)?;
    let spec = CopySpec {
        source: t.db.clone(),
        new: new.to_string(),
        force,
        base_url: pattern_url(&t.link, new),
        admin_login: None,
        company: None,
        password: None,
        new_customer: false,
        neutralize,
    };
    let job = || crate::ops::Job::for_spec(new.to_string());
    let each = Copying::single(ctx, o, Op::Duplicate, t.link.clone(), spec);
    ask_then_run(ctx, Op::Duplicate, log.map(Arc::new), job, each, false).await
}

// ------------------------------------------------------------------ bulk create

/// What `bulk create` was asked.
pub(super) struct CreateMany<'a> {
    pub(super) from: &'a std::path::Path,
    pub(super) layout: &'a crate::targetfile::Layout,
    pub(super) template: Option<&'a str>,
    pub(super) length: usize,
    pub(super) secrets_file: &'a std::path::Path,
    pub(super) force: bool,
    /// `--failed-to FILE`.
    pub(super) failed_to: Option<&'a std::path::Path>,
}

/// `bulk create` (the `--from` file, its jobs, the runner's operation).
mod bulk;
pub(super) use bulk::bulk_create;
/// One copy as a run's target: `create`, `duplicate`, a line of `bulk create`.
mod each;
use each::Copying;
