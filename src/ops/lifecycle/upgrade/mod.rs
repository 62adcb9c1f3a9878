//! `upgrade` (issue 27): `odoo-bin -u` on a copy of the tenant, swapped in
//! only when the copy is verified; otherwise the tenant is left exactly as
//! it was (odoo-facts §9: a `-u` is not atomic and its exit status does not
//! say whether it worked).
//!
//! Under the tenant's block (the connections layer's mechanism, recorded in
//! the database's comment and in a local record): `CREATE DATABASE
//! <tenant>.upgrading-<stamp> TEMPLATE <tenant>`, the filestore hard-linked,
//! Odoo run on the copy under a deadline, the copy verified (states, marks,
//! log), then the swap: the original renamed `<tenant>.pre-upgrade-<stamp>`
//! (soft-dropped: `list --dropped`, `undrop`, `purge`), the copy renamed to
//! the tenant, the filestore directories likewise, connections allowed as
//! before. A failed, timed-out or interrupted run keeps its copy as
//! `<tenant>.upgrade-failed-<stamp>` (soft-dropped) and unblocks the
//! original. A run killed outright is finished (its swap had begun) or
//! undone (it had not) by the next lifecycle command on the node.

use super::*;
use crate::config::{Modules, UpgradeOpts};
use crate::inventory::OdooRun;
use crate::odoo::upgrade as up;
use crate::transport::host::odoo::Place;

mod bulk;
mod killed;
mod outdated;
mod rollback;
pub(super) use rollback::rollback;
mod steps;
pub(super) use bulk::bulk_upgrade;
pub(super) use killed::{
    busy_upgrading, finish_killed_upgrade, upgrading, upgrading_record, KilledUpgrade,
};

/// `upgrade TENANT -u MODULES`: the tenant resolved, then asked (the plan
/// of a dry run) and run as one target.
pub(super) async fn upgrade(ctx: &Arc<Ctx>, o: &LifecycleOpts, u: &UpgradeOpts) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    if !o.dry_run {
        finish_killed_first(ctx, o, log.as_ref()).await?;
    }
    let t = ctx.resolve_for_write(&u.tenant).await?;
    crate::ops::direct_only(&t.link)?;
    let each = Upgrading {
        ctx: ctx.clone(),
        opts: o.clone(),
        up: u.clone(),
        who: t.display(),
    };
    let job = || crate::ops::Job::for_target(t.clone(), u.tenant.clone(), None);
    ask_then_run(ctx, Op::Upgrade, log.map(Arc::new), job, each, false).await
}

/// Runs killed outright on a selected node are finished or undone before
/// the tenant is looked up: one killed in its swap left no database under
/// the tenant's name until then. What was done is said as warnings and
/// written to the audit log (`log`: the run's; a line that cannot be
/// written ends the command, exit 1).
async fn finish_killed_first(ctx: &Ctx, o: &LifecycleOpts, log: Option<&AuditLog>) -> Result<()> {
    for link in &ctx.links {
        if building::dead_records(link).is_empty() {
            continue;
        }
        let mut r = base(link, "", Op::Upgrade);
        match maintenance(ctx, link).await {
            Ok(maint) => {
                let fs = filestore_for(link, o.no_filestore).ok().flatten();
                clean_stale(link, &maint, fs.as_ref(), &mut r).await;
            }
            Err(x) => r.warnings.push(format!(
                "node {}: finishing the work of killed runs: {x:#}",
                link.name()
            )),
        }
        if let Some(log) = log {
            crate::ops::audit::write_recovered(log, &crate::audit::operator(), &mut r);
        }
        for w in r.warnings {
            ctx.printer.warn(w);
        }
        if let Some(x) = r.audit_error {
            return Err(Error::failed(anyhow!(x)));
        }
    }
    Ok(())
}

/// One upgrade: the tenant (the job's target) and what to upgrade.
#[derive(Clone)]
struct Upgrading {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    up: UpgradeOpts,
    who: String,
}

impl Each for Upgrading {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            match &job.target {
                Some(t) if !stopped => upgrade_one(&self.ctx, &self.opts, &self.up, t).await,
                _ => not_started(&job, Op::Upgrade),
            }
        })
    }
}

impl Single for Upgrading {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        let q = format!(
            "Upgrade {} ({}) on a copy and swap it in? The tenant is blocked meanwhile.",
            self.who,
            module_list(&self.up.modules)
        );
        confirmed(&q)
    }
}

/// `a,b` or `all`, as `-u` takes it.
fn module_list(m: &Modules) -> String {
    match m {
        Modules::All => "all".into(),
        Modules::Named(n) => n.join(","),
        Modules::Outdated => "outdated".into(),
    }
}

fn module_names(m: &Modules) -> Option<&[String]> {
    match m {
        Modules::All | Modules::Outdated => None,
        Modules::Named(n) => Some(n),
    }
}

/// Whether the node has room for the copy: its files on the database's
/// file system (the data directory, or its tablespace's) and, for the
/// default tablespace, as much WAL (PostgreSQL 15+ copies with
/// `STRATEGY WAL_LOG`, and `pg_wal` is usually on that file system; a
/// full `pg_wal` stops the whole node). `df` runs where PostgreSQL does:
/// over the node's SSH master, or locally for a node on this machine.
/// What the plan says of it; a refusal's text when there is no room.
async fn free_space(
    link: &Arc<NodeLink>,
    maint: &Conn,
    db: &str,
    size: Option<i64>,
) -> std::result::Result<String, String> {
    use crate::transport::host::space;
    let Some(size) = size.and_then(|s| u64::try_from(s).ok()) else {
        return Ok("free space not checked: the copy's size is not known".into());
    };
    if !space::shell_on_database_host(link) {
        return Ok("free space not checked: no shell on the database's host (no ssh table)".into());
    }
    let (dir, default_space) = match up::data_dir(&maint.client, db, maint.deadline).await {
        Ok((Some(d), default)) if !d.is_empty() => (d, default),
        Ok(_) => {
            return Ok("free space not checked: the data directory is readable only by superusers and pg_read_all_settings".into())
        }
        Err(x) => return Ok(format!("free space not checked: {x:#}")),
    };
    let need = if default_space {
        size * 2
    } else {
        size + size / 10
    };
    let mb = |b: u64| b / (1024 * 1024);
    match space::free_bytes(link, &dir).await {
        Ok(free) if free < need => Err(format!(
            "not enough free space for the copy: {} MB free in {}, the copy needs about {} MB ({}); free some space first",
            mb(free),
            e(&dir),
            mb(need),
            if default_space { "its files and as much WAL" } else { "its files" }
        )),
        Ok(free) => Ok(format!(
            "free space: {} MB in {}, about {} MB needed",
            mb(free),
            e(&dir),
            mb(need)
        )),
        Err(x) => Ok(format!("free space not checked: {x:#}")),
    }
}

/// What the checks found, for the steps.
pub(super) struct Pre {
    /// The free-space check, as the plan says it.
    pub space: String,
    pub info: lc::DbInfo,
    pub acl: up::DbAcl,
    pub size: Option<i64>,
    pub copy: String,
    pub pre: String,
    pub failed: String,
    /// The modules before, read on the tenant; None when it does not allow
    /// connections (suspended): then they are read on the copy.
    pub before: Option<up::ModulesState>,
}

/// The upgrade of `t`: checks, plan (a dry run stops there), steps.
async fn upgrade_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    u: &UpgradeOpts,
    t: &crate::targets::Target,
) -> Report {
    let link = &t.link;
    let who = t.display();
    let mut r = base(link, &t.db, Op::Upgrade);
    r.details.upgrade().modules = match &u.modules {
        Modules::Named(n) => n.clone(),
        m => vec![module_list(m)],
    };
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let Some(run) = link.node.lifecycle.odoo.clone() else {
        return r.fail(
            Outcome::Refused,
            format!(
                "{who}: node {} has no `odoo` setting (how to run Odoo, e.g. odoo = {{ command = [\"/opt/odoo/odoo-bin\", \"-c\", \"/etc/odoo/odoo.conf\"] }} in [defaults] or the node); nothing changed",
                link.name()
            ),
        );
    };
    let fs = match checked_filestore(link, o.no_filestore, &t.db, &who) {
        Ok(f) => f,
        Err(m) => return r.fail(Outcome::Refused, m),
    };
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    if !o.dry_run {
        // A run killed outright is finished or undone first.
        clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    } else if !building::dead_records(link).is_empty() {
        r.warnings.push(
            "a tenantctl run killed on this node left work the real run finishes or undoes first (see `tenantctl check`)".into(),
        );
    }
    let u = &match outdated::resolve(ctx, &maint, &run, u, t, &mut r).await {
        Ok(u) => u,
        Err((Outcome::Unchanged, m)) => return r.ok(Outcome::Unchanged, m),
        Err((outcome, m)) => return r.fail(outcome, m),
    };
    let place = ctx.odoo_place(link, &run);
    let pre = match preflight(ctx, t, (&run, &place), &maint, fs.as_ref(), u, &mut r).await {
        Ok(p) => p,
        Err((outcome, m)) => return r.fail(outcome, m),
    };
    r.details.upgrade().size_bytes = pre.size;
    r.details.upgrade().copy = Some(pre.copy.clone());
    if o.dry_run {
        return r.would(plan(&who, &t.db, u, (&run, &place), fs.as_ref(), &pre));
    }
    let record = match building::Intent::write_then(
        link,
        &t.db,
        Then::Upgrade {
            copy: pre.copy.clone(),
            pre: pre.pre.clone(),
            failed: pre.failed.clone(),
            allowed_before: pre.info.allow_connections,
            previous_comment: pre.info.comment.clone(),
        },
    ) {
        Ok(i) => Some(i),
        Err(x) => {
            return r.fail(
                Outcome::Failed,
                format!("{who}: the local record of the upgrade could not be written ({x}); nothing changed"),
            )
        }
    };
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let r = steps::run(&mut steps, &run, u, &t.db, &pre, r).await;
    settled(record, &r);
    r
}

/// The checks before anything changes: the tenant there and not being
/// upgraded, no per-database settings a copy would lose, the names of the
/// copy and of what is kept free, the modules (when the tenant can be
/// read: first, so that a database without Odoo is found before the other
/// checks, see [`modules_before`]). A refusal's or failure's outcome and
/// text.
async fn preflight(
    ctx: &Ctx,
    t: &crate::targets::Target,
    (run, place): (&OdooRun, &Place),
    maint: &Conn,
    fs: Option<&Filestore>,
    u: &UpgradeOpts,
    r: &mut Report,
) -> std::result::Result<Pre, (Outcome, String)> {
    let (link, db, who) = (&t.link, t.db.as_str(), &t.display());
    let d = maint.deadline;
    let failed = |x: anyhow::Error| (Outcome::Failed, format!("{who}: {x:#}; nothing changed"));
    let refused = |m: String| (Outcome::Refused, format!("{who}: {m}; nothing changed"));
    let stamp = stamp_now();
    let copy = aside_name(db, UPGRADING, &stamp);
    let pre = aside_name(db, PRE_UPGRADE, &stamp);
    let failed_name = aside_name(db, UPGRADE_FAILED, &stamp);
    let names = [copy.as_str(), pre.as_str(), failed_name.as_str()];
    // The maintenance database's answers in one round trip (pipelined),
    // beside one shell run for the filestore.
    let files = async {
        match fs {
            Some(fs) => fs.taken(&names).await,
            None => Ok(Vec::new()),
        }
    };
    // And whether the Odoo command is there (once per run and place).
    let program = &run.command[0];
    let ((info, acl, taken, cloners), files, found) = tokio::join!(
        async {
            tokio::join!(
                lc::db_info(&maint.client, db, d),
                up::db_acl(&maint.client, db, d),
                lc::taken(&maint.client, &names, d),
                up::cloners(&maint.client, db, d),
            )
        },
        files,
        ctx.odoo_hosts.program_found(place, program)
    );
    match found {
        Ok(true) => {}
        Ok(false) => {
            return Err(refused(format!(
                "the Odoo command {} is not found {} (not an executable file, or not in the PATH there): see odoo.command",
                e(program),
                place.describe()
            )))
        }
        Err(m) => return Err((Outcome::Failed, format!("{who}: {m}; nothing changed"))),
    }
    let info = match info.map_err(failed)? {
        Some(i) => i,
        None => return Err(refused("gone meanwhile".into())),
    };
    // One killed outright on this host is finished or undone by the real
    // run first (`clean_stale`); a dry run says so and plans from here.
    let killed = |n: &up::Upgrading| n.host == crate::audit::hostname() && !building::alive(n.pid);
    if let Some(n) = info
        .comment
        .as_deref()
        .and_then(upgrading_record)
        .filter(|n| !killed(n))
    {
        return Err(refused(format!(
            "an upgrade by tenantctl (pid {} on {}, {}) has not finished: the next lifecycle command on the node after it ends finishes or undoes it",
            n.pid,
            e(&n.host),
            e(&n.at)
        )));
    }
    let before = modules_before(ctx, t, info.allow_connections, u, r).await?;
    let acl = acl.map_err(failed)?;
    let space = free_space(link, maint, db, acl.size)
        .await
        .map_err(refused)?;
    if acl.settings > 0 {
        return Err(refused(
            "it has per-database settings (ALTER DATABASE .. SET), which a copy made with CREATE DATABASE .. TEMPLATE does not carry; move them to the role or the configuration first".into(),
        ));
    }
    let cloners = cloners.map_err(failed)?;
    if !cloners.is_empty() {
        return Err(refused(format!(
            "role(s) {} may create databases (CREATEDB or CREATEROLE) and so could copy the tenant's data while Odoo upgrades its copy (a template database, so that the running Odoo leaves it alone); take it from them (ALTER ROLE .. NOCREATEDB NOCREATEROLE) first",
            cloners.iter().map(|r| e(r)).collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some(n) = taken.map_err(failed)?.first() {
        return Err(refused(format!("a database named {} exists", e(n))));
    }
    if let (Some(fs), Some(n)) = (fs, files.map_err(failed)?.first()) {
        return Err(refused(format!("{} exists", fs.show(n))));
    }
    Ok(Pre {
        space,
        size: acl.size,
        info,
        acl,
        copy,
        pre,
        failed: failed_name,
        before,
    })
}

/// The modules before, read on the tenant (None when it does not allow
/// connections: they are read on the copy then); refused when they do not
/// allow the upgrade. A database without Odoo is refused and marked
/// (`not_odoo`: a selector run leaves it out, as `bulk suspend` does).
async fn modules_before(
    ctx: &Ctx,
    t: &crate::targets::Target,
    allowed: bool,
    u: &UpgradeOpts,
    r: &mut Report,
) -> std::result::Result<Option<up::ModulesState>, (Outcome, String)> {
    if !allowed {
        return Ok(None);
    }
    let who = t.display();
    let state = async {
        let conn = t.link.connect(&t.db, &ctx.transport).await?;
        up::modules_state(&conn.client, module_names(&u.modules), conn.deadline).await
    };
    let state = match state.await {
        Ok(s) => s,
        Err(x) => {
            r.not_odoo = crate::odoo::is_not_odoo(&x);
            let refused = r.not_odoo || crate::error::refusal_in(&x).is_some();
            let outcome = if refused {
                Outcome::Refused
            } else {
                Outcome::Failed
            };
            return Err((outcome, format!("{who}: {x:#}; nothing changed")));
        }
    };
    r.not_odoo = state.base_version.is_none();
    let problems = module_problems(&state, &u.modules, false, u.resume);
    if !problems.is_empty() {
        return Err((
            Outcome::Refused,
            format!("{who}: {}; nothing changed", problems.join("; ")),
        ));
    }
    Ok(Some(state))
}

/// Why the modules do not allow an upgrade: a requested module that is not
/// installed (Odoo exits 0 and does nothing for it, odoo-facts §9), a
/// module left pending by an earlier run, Odoo 19's unfinished-update mark.
/// `after`: read on the copy after Odoo's run, which then left what is
/// pending; `resume` (before the run, `--continue`): what an earlier run
/// left pending is Odoo's to finish on the copy (it processes every
/// pending module on start), not a refusal.
pub(super) fn module_problems(
    s: &up::ModulesState,
    m: &Modules,
    after: bool,
    resume: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if s.base_version.is_none() {
        out.push("no installed `base` module: not an Odoo database".into());
    }
    if let Modules::Named(names) = m {
        for n in names {
            match s.requested.iter().find(|x| &x.name == n) {
                Some(x) if x.state == "installed" => {}
                Some(x) if resume && !after && up::PENDING_STATES.contains(&x.state.as_str()) => {}
                Some(x) => out.push(format!("module {} is {}, not installed", e(n), e(&x.state))),
                None => out.push(format!("module {} is not known to the database", e(n))),
            }
        }
    }
    if !s.pending.is_empty() && after {
        out.push(format!(
            "modules left pending by the run: {} (module code missing from the addons path, or a failure: see the log)",
            s.pending
                .iter()
                .map(|x| format!("{} ({})", e(&x.name), e(&x.state)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if !s.pending.is_empty() && !resume {
        out.push(format!(
            "modules left pending by an earlier run: {} (Odoo's cron workers skip such a database; --continue finishes them on the copy)",
            s.pending
                .iter()
                .map(|x| format!("{} ({})", e(&x.name), e(&x.state)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if s.partially_updated && (after || !resume) {
        out.push(if after {
            "base.partially_updated_database is set: the update did not finish".into()
        } else {
            "base.partially_updated_database is set: an earlier update did not finish".into()
        });
    }
    out
}

/// The plan of an upgrade.
fn plan(
    who: &str,
    db: &str,
    u: &UpgradeOpts,
    (run, place): (&OdooRun, &Place),
    fs: Option<&Filestore>,
    p: &Pre,
) -> Plan {
    let size = p
        .size
        .map(|b| format!(" ({} MB)", b / (1024 * 1024)))
        .unwrap_or_default();
    let mut plan = Plan::new(format!(
        "upgrade {who}: -u {} on a copy, swapped in when verified",
        e(&module_list(&u.modules))
    ))
    .step("ALLOW_CONNECTIONS false, end its sessions (recorded in its comment)")
    .step(format!(
        "CREATE DATABASE {} TEMPLATE {}{size}; {}",
        e(&p.copy),
        e(db),
        p.space
    ));
    if let Some(fs) = fs {
        plan = plan.step(format!("hard-link {} to {}", fs.show(db), fs.show(&p.copy)));
    }
    if p.before.is_none() {
        plan = plan.step("read the modules on the copy (the tenant does not allow connections)");
    }
    let timeout = u.timeout.unwrap_or(run.timeout);
    plan.step(format!(
        "run {} -d {} -u {} --stop-after-init ... {} (found there), at most {}",
        e(&run.command.join(" ")),
        e(&p.copy),
        e(&module_list(&u.modules)),
        place.describe(),
        crate::output::duration(timeout)
    ))
    .step(format!(
        "verify the copy: exit 0, no module pending, no ERROR/CRITICAL in the log{}",
        if run.addons_path.is_empty() {
            ""
        } else {
            ", each module at its manifest version"
        }
    ))
    .step(format!(
        "swap: {} becomes {} (kept, soft-dropped), the copy becomes {}; connections as before",
        e(db),
        e(&p.pre),
        e(db)
    ))
    .step(format!(
        "on failure: the copy kept as {}, {} unblocked unchanged",
        e(&p.failed),
        e(db)
    ))
}
