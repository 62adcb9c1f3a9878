//! `restore`: builds the database under a staging name (like `create`),
//! loads the file as a role that is not a superuser, gives it a new
//! identity (`--copy`) and the filestore, then renames both to NAME; any
//! failure or Ctrl-C undoes every step.

use std::path::Path;
use std::sync::Arc;

use crate::ops::details::RestoreDetails;
use anyhow::anyhow;

use super::files::{filestore_tar, inspect, Kind};
use super::host::{files_sh, unpack_filestore};
use super::load::{load, load_as, probe_login, LoadAs, MetaCommand};
use super::{ask_plan, begun, Halt, BLOCKED_KEY};
use crate::config::RestoreOpts;
use crate::error::Result;
use crate::odoo::backup as ob;
use crate::odoo::layers::{self, Blocked};
use crate::odoo::lifecycle::{self as lc, check_db_name, Identity};
use crate::odoo::loader;
use crate::ops::lifecycle::{ask_then_run, Asked, Single};
use crate::ops::lifecycle::{
    base, building, clean_stale, e, filestore_for, maintenance, node_for, pattern_url,
    staging_name, staging_note, two_connections, undone, verify_identity, Each, Steps, Stop, Undo,
    Work,
};
use crate::ops::Ctx;
use crate::ops::{Op, Outcome, Plan, Report};
use crate::transport::host::filestore::Filestore;
use crate::transport::host::pgtool::{self, PgTool};
use crate::transport::{Conn, NodeLink};

/// Refuses a zip whose filestore's declared size exceeds the free space of
/// the node's filestore root (measured on the node's host).
async fn check_space(
    link: &NodeLink,
    fs: Option<&Filestore>,
    kind: &Kind,
) -> std::result::Result<(), String> {
    let (Some(fs), Kind::Zip { fs_bytes, .. }) = (fs, kind) else {
        return Ok(());
    };
    let root = fs.root.to_string_lossy();
    let out = files_sh(link, r#"df -Pk "$1" | awk 'NR==2 {print $4}'"#, &[&root])
        .await
        .map_err(|x| format!("the free space of {}: {x:#}", fs.root.display()))?;
    let free = out
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("the free space of {}: df said {:?}", fs.root.display(), out))?
        .saturating_mul(1024);
    if *fs_bytes > free {
        return Err(format!(
            "the archive's filestore declares {fs_bytes} bytes, the filestore root {} has {free} bytes free",
            fs.root.display()
        ));
    }
    Ok(())
}

/// `tenantctl restore NODE/NAME FILE`: on a terminal without `--yes`, the
/// plan of the same work run as a dry run, confirmed first (see
/// [`ask_then_run`]); then a run of one target through the runner.
pub async fn restore(ctx: &Arc<Ctx>, o: &RestoreOpts) -> Result<u8> {
    two_connections(ctx)?;
    let (link, name) = node_for(ctx, &o.target)?;
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let who = format!("{}/{}", link.name(), name);
    let each = Restore {
        ctx: ctx.clone(),
        o: o.clone(),
        link,
        name,
        confirmed: None,
    };
    let job = || crate::ops::Job::for_spec(who.clone());
    ask_then_run(ctx, Op::Restore, log, job, each, false).await
}

/// The work of `restore` for its one target: the options, the node and
/// name decided before the run, and the plan the operator confirmed, which
/// the run must make again or refuse.
#[derive(Clone)]
struct Restore {
    ctx: Arc<Ctx>,
    o: RestoreOpts,
    link: Arc<NodeLink>,
    name: String,
    confirmed: Option<Plan>,
}

impl Single for Restore {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.o.dry_run, self.o.yes)
    }
    /// The run must make the plan confirmed again, or refuse.
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        let who = format!("{}/{}", self.link.name(), self.name);
        let a = ask_plan(&self.ctx, plan, &format!("restore {who}?"), &who);
        if matches!(a, Asked::Go) {
            self.confirmed = plan.plan.clone();
        }
        Ok(a)
    }
}

impl Each for Restore {
    fn one(self: Arc<Self>, _job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            let (link, name, o) = (&self.link, self.name.as_str(), &self.o);
            let who = format!("{}/{}", link.name(), name);
            let mut r = base(link, name, Op::Restore);
            *r.details.restore() = RestoreDetails {
                file: o.file.display().to_string(),
                mode: if o.keep_identity { "move" } else { "copy" },
                ..Default::default()
            };
            let (r, starts) = begun(r, o.dry_run, stopped, &who);
            if !starts {
                return r;
            }
            let confirmed = self.confirmed.as_ref();
            restore_one(&self.ctx, o, link, name, &who, r, confirmed)
                .await
                .0
        })
    }
}

/// One restore of `o.file` as `name` on `link` (also the second half of a
/// move): checks, plan, then the steps; refused before any change when the
/// plan is not the `confirmed` one (the file changed since it was shown).
pub(super) async fn restore_one(
    ctx: &Ctx,
    o: &RestoreOpts,
    link: &Arc<NodeLink>,
    name: &str,
    who: &str,
    mut r: Report,
    confirmed: Option<&Plan>,
) -> (Report, bool) {
    let refuse = |r: Report, m: String| Halt::refused(who, m).end(r);
    let (kind, fs_files, fs, blocked) = match check_file(o, link, name, who, &mut r) {
        Ok(x) => x,
        Err(h) => return h.end(r),
    };
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return Halt::failed(who, format!("{x:#}; nothing changed")).end(r),
    };
    let prog = match check_tools(&maint, &kind, who).await {
        Ok(p) => p,
        Err(h) => return h.end(r),
    };
    let who_loads = match load_as(link, &maint, o.owner_hint.as_deref()).await {
        Ok(Ok(l)) => l,
        Ok(Err(m)) => return refuse(r, format!("{m}; nothing changed")),
        Err(x) => return Halt::failed(who, format!("{x:#}; nothing changed")).end(r),
    };
    r.details.restore().owner = Some(who_loads.owner().to_string());
    if let Err(h) = check_free(link, &maint, fs.as_ref(), &kind, name, who).await {
        return h.end(r);
    }
    let base_url = if o.keep_identity {
        None
    } else {
        pattern_url(link, name)
    };
    let job = Job {
        name,
        loads: who_loads,
        file: &o.file,
        custom: prog == "pg_restore",
        keep_identity: o.keep_identity,
        base_url,
        fs_files,
        blocked,
    };
    let plan = job.plan(who, fs.as_ref());
    if job.blocked.is_some() {
        r.details.restore().blocked = true;
    }
    r.details.restore().filestore_files = Some(fs_files);
    if o.dry_run {
        return (r.would(plan), false);
    }
    if confirmed.is_some_and(|c| *c != plan) {
        return refuse(
            r,
            format!(
                "the restore is no longer the one confirmed ({} or the node changed meanwhile; now: {}); nothing changed",
                o.file.display(),
                plan.steps.join("; ")
            ),
        );
    }
    run_restore(ctx, link, &maint, fs.as_ref(), who, &job, r).await
}

/// The file's checks (nothing on the node yet): its kind, its number of
/// filestore files, the node's filestore when there are any, and
/// tenantctl's record of a blocked tenant from its manifest (whose
/// `db_name` and `version` go into the report).
fn check_file(
    o: &RestoreOpts,
    link: &Arc<NodeLink>,
    name: &str,
    who: &str,
    r: &mut Report,
) -> std::result::Result<(Kind, u64, Option<Filestore>, Option<Blocked>), Halt> {
    if let Err(m) = check_db_name(name) {
        return Err(Halt::refused(who, format!("{m}; nothing changed")));
    }
    let kind = match inspect(&o.file, link.node.lifecycle.restore_max_ratio) {
        Ok(k) => k,
        Err(m) => return Err(Halt::refused(who, format!("{m}; nothing changed"))),
    };
    let fs_files = match &kind {
        Kind::Zip { files, .. } => *files,
        Kind::Custom => 0,
    };
    let fs = if fs_files > 0 {
        match filestore_for(link, o.no_filestore) {
            Ok(f) => f,
            Err(m) => return Err(Halt::refused(who, m)),
        }
    } else {
        None
    };
    let mut blocked = None;
    if let Kind::Zip {
        manifest: Some(m), ..
    } = &kind
    {
        let d = r.details.restore();
        d.manifest_db_name = m.get("db_name").cloned();
        d.manifest_version = m.get("version").cloned();
        blocked = m
            .get(BLOCKED_KEY)
            .and_then(|b| serde_json::from_value::<Blocked>(b.clone()).ok())
            .filter(|b| b.tenantctl == "suspended");
    }
    Ok((kind, fs_files, fs, blocked))
}

/// The program that loads the file (`psql` for a zip, `pg_restore` for a
/// custom archive), refused when it is older than the server or `psql` has
/// no `\restrict`.
async fn check_tools(
    maint: &Conn,
    kind: &Kind,
    who: &str,
) -> std::result::Result<&'static str, Halt> {
    let server_major = match ob::server_version(&maint.client, maint.deadline).await {
        Ok((_, m)) => m,
        Err(x) => return Err(Halt::failed(who, format!("{x:#}; nothing changed"))),
    };
    let prog = match kind {
        Kind::Zip { .. } => "psql",
        Kind::Custom => "pg_restore",
    };
    if let Err(m) = pgtool::client_major(prog, server_major) {
        return Err(Halt::refused(who, format!("{m}; nothing changed")));
    }
    if prog == "psql" {
        if let Err(m) = pgtool::psql_restrict_ok() {
            return Err(Halt::refused(who, format!("{m}; nothing changed")));
        }
    }
    Ok(prog)
}

/// Refuses a name taken on the node (database or filestore directory) and
/// a filestore larger than the room for it.
async fn check_free(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    kind: &Kind,
    name: &str,
    who: &str,
) -> std::result::Result<(), Halt> {
    match lc::db_info(&maint.client, name, maint.deadline).await {
        Ok(Some(_)) => {
            return Err(Halt::refused(
                who,
                format!(
                    "a database named {} exists on the node; restore never overwrites one; nothing changed",
                    e(name)
                ),
            ))
        }
        Ok(None) => {}
        Err(x) => return Err(Halt::failed(who, format!("{x:#}; nothing changed"))),
    }
    if let Some(fs) = fs {
        let checked = async {
            fs.check_root().await?;
            fs.exists(name).await
        }
        .await;
        match checked {
            Ok(false) => {}
            Ok(true) => {
                return Err(Halt::refused(
                    who,
                    format!(
                        "the filestore directory {} exists; nothing changed",
                        fs.show(name)
                    ),
                ))
            }
            Err(x) => return Err(Halt::failed(who, format!("{x:#}; nothing changed"))),
        }
    }
    if let Err(m) = check_space(link, fs, kind).await {
        return Err(Halt::refused(who, format!("{m}; nothing changed")));
    }
    Ok(())
}

/// The confirmed restore: stale staging leftovers removed, then the steps,
/// all undone on a failure or a Ctrl-C.
async fn run_restore(
    ctx: &Ctx,
    link: &Arc<NodeLink>,
    maint: &Conn,
    fs: Option<&Filestore>,
    who: &str,
    job: &Job<'_>,
    mut r: Report,
) -> (Report, bool) {
    clean_stale(link, maint, fs, &mut r).await;
    let mut steps = Steps::new(link, maint, fs, ctx, who);
    let t0 = std::time::Instant::now();
    match do_restore(&mut steps, job).await {
        Ok(()) => {
            r.details.restore().seconds = Some(t0.elapsed().as_secs_f64());
            let r = r.ok(
                Outcome::Changed,
                format!(
                    "restore: {who} from {} in {:.1}s ({}, {})",
                    job.file.display(),
                    t0.elapsed().as_secs_f64(),
                    if job.keep_identity {
                        "identity kept (--move)"
                    } else {
                        "new identity (--copy)"
                    },
                    if steps.fs.is_some() {
                        format!("{} filestore files", job.fs_files)
                    } else {
                        "no filestore".to_string()
                    }
                ),
            );
            (r, false)
        }
        Err(stop) => undone(&mut steps, r, who, stop).await,
    }
}

struct Job<'a> {
    name: &'a str,
    /// Whose session runs the file's SQL, and who owns the result.
    loads: LoadAs,
    file: &'a Path,
    custom: bool,
    keep_identity: bool,
    base_url: Option<String>,
    fs_files: u64,
    /// Block the restored tenant with this record.
    blocked: Option<Blocked>,
}

impl Job<'_> {
    /// What the restore does, shown before the confirmation (and by a dry
    /// run).
    fn plan(&self, who: &str, fs: Option<&Filestore>) -> Plan {
        let name = self.name;
        let mut plan = Plan::new(format!("restore {who} from {}", self.file.display()))
            .step(format!("CREATE DATABASE {} TEMPLATE template0", e(name)))
            .step(format!(
                "load {}, {}",
                if self.custom {
                    "the archive with pg_restore --exit-on-error"
                } else {
                    "dump.sql with psql -v ON_ERROR_STOP=1 behind \\restrict (no psql command of the file runs)"
                },
                self.loads.describe()
            ));
        if self.keep_identity {
            plan = plan.step("keep database.uuid, database.secret (--move: the same tenant)");
        } else {
            plan = plan.step("new database.secret, database.uuid, database.create_date (--copy)");
            if let Some(u) = &self.base_url {
                plan = plan.step(format!("web.base.url = {} (frozen)", e(u)));
            }
        }
        plan = match (fs, self.fs_files) {
            (Some(fs), n) => plan.step(format!(
                "filestore: {n} files to {}{}",
                fs.show(name),
                fs.owner
                    .as_deref()
                    .map(|o| format!(" (owner {})", e(o)))
                    .unwrap_or_default()
            )),
            (None, 0) => plan.step("no filestore in the backup"),
            (None, n) => plan.step(format!("filestore ({n} files) left out (--no-filestore)")),
        };
        if self.blocked.is_some() {
            plan = plan.step(
                "blocked from connections, as the backed-up tenant was (suspension layer `connections`; reactivate unblocks it)",
            );
        }
        plan
    }
}

/// Runs a restore step by step (the caller undoes on error): database →
/// load → identity → filestore → rename.
async fn do_restore(steps: &mut Steps<'_>, j: &Job<'_>) -> std::result::Result<(), Stop> {
    let d = steps.maint.deadline;
    let link = steps.link;
    let staging = staging_name(j.name);
    steps.next("database").await?;
    let m = steps.maint;
    let loader = make_loader(steps, &j.loads).await?;
    let db_owner = match &loader {
        Some((role, _)) => role.clone(),
        None => j.loads.owner().to_string(),
    };
    let create = async {
        ob::create_empty(&m.client, &staging, &db_owner, d)
            .await
            .map_err(|x| anyhow!("CREATE DATABASE {}: {x:#}", e(&staging)))
    };
    steps.made_staging(&staging, j.name, create).await?;
    steps.next("load").await?;
    load_file(steps, j, &staging, loader.as_ref()).await?;
    if let Some((role, _)) = &loader {
        steps.next("owner").await?;
        hand_over(steps, j, &staging, role).await?;
    }
    if !j.keep_identity {
        steps.next("identity").await?;
        new_identity(steps, j, &staging).await?;
    }
    if let Some(fs) = steps.fs {
        if j.fs_files > 0 {
            steps.next("filestore").await?;
            steps.done.push(Undo::RemoveDir(staging.clone()));
            let file = j.file.to_path_buf();
            unpack_filestore(link, fs, &staging, move |input| filestore_tar(&file, input)).await?;
        }
    }
    steps.next("rename").await?;
    steps.publish(&staging, j.name).await?;
    if let Some(b) = &j.blocked {
        // Undone by the rename back and the drop of the staging database.
        layers::block(&steps.maint.client, j.name, b, steps.maint.deadline).await?;
    }
    steps.next("done").await?;
    Ok(())
}

/// The temporary loader role (its name and password) when the file runs
/// as one, made with its local record and its undo step.
async fn make_loader(
    steps: &mut Steps<'_>,
    loads: &LoadAs,
) -> std::result::Result<Option<(String, String)>, Stop> {
    let (d, link, m) = (steps.maint.deadline, steps.link, steps.maint);
    let loader = match loads {
        LoadAs::Loader { operator, .. } => {
            let (role, password) = loader::new_loader();
            let record = match building::Intent::write_then(link, &role, building::Then::Role) {
                Ok(i) => Some(i),
                Err(x) => {
                    steps.ctx.printer.warn(format!(
                        "the local record of the role {} could not be written ({x}); a kill -9 before \
                         it is dropped would leave it (check lists such roles)",
                        e(&role)
                    ));
                    None
                }
            };
            if let Err(x) = loader::create_role(&m.client, &role, &password, operator, d).await {
                if let Some(i) = record {
                    i.clear();
                }
                return Err(anyhow!("CREATE ROLE {}: {x:#}", e(&role)).into());
            }
            steps.done.push(Undo::DropRole(role.clone(), record));
            Some((role, password))
        }
        LoadAs::Owner(_) => None,
    };
    Ok(loader)
}

/// Loads the file into `staging` in a blocking thread, as the loader role
/// (which must be let in first) or as the operator.
async fn load_file(
    steps: &Steps<'_>,
    j: &Job<'_>,
    staging: &str,
    loader: Option<&(String, String)>,
) -> std::result::Result<(), Stop> {
    let link = steps.link;
    let login = loader.map(|(u, p)| (u.as_str(), p.as_str()));
    let tool = PgTool::for_db_as(link, &steps.ctx.transport, staging, login).await?;
    if let Some((role, _)) = loader {
        // The node must let the loader in on tenantctl's route; never fall
        // back to the operator's role.
        let probe_tool = PgTool::for_db_as(link, &steps.ctx.transport, staging, login).await?;
        let probed = tokio::task::spawn_blocking(move || probe_login(&probe_tool))
            .await
            .map_err(|x| anyhow!("psql: {x}"))?;
        if let Err(m) = probed {
            return Err(Stop::Refused(format!(
                "the node does not let tenantctl's temporary loader role {} log in ({m}): a backup's SQL \
                 runs only in a session of a role that is not a superuser. Allow password (scram-sha-256) \
                 logins for roles named tenantctl_load_* in pg_hba.conf on tenantctl's route, or run \
                 tenantctl as the tenant's Odoo role (not a superuser, inventory `user`) so that the file \
                 runs as that role",
                e(role)
            )));
        }
    }
    let file = j.file.to_path_buf();
    let custom = j.custom;
    let db = staging.to_string();
    tokio::task::spawn_blocking(move || load(&tool, &file, custom, &db))
        .await
        .map_err(|x| anyhow!("loading: {x}"))?
        .map_err(|x| match x.downcast::<MetaCommand>() {
            Ok(m) => Stop::Refused(m.0),
            Err(x) => Stop::Failed(x),
        })?;
    Ok(())
}

/// Gives every object the loader `role` made, then the database, to the
/// owner, and drops the role.
async fn hand_over(
    steps: &mut Steps<'_>,
    j: &Job<'_>,
    staging: &str,
    role: &str,
) -> std::result::Result<(), Stop> {
    let (d, link, m) = (steps.maint.deadline, steps.link, steps.maint);
    let owner = j.loads.owner();
    let conn = link
        .connect(staging, &steps.ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the restored database"))?;
    loader::hand_over_objects(&conn.client, role, owner, conn.deadline)
        .await
        .map_err(|x| x.context(format!("giving the restored objects to {}", e(owner))))?;
    drop(conn);
    lc::wait_no_sessions(&m.client, staging, d).await?;
    loader::hand_over_database(&m.client, staging, owner, d)
        .await
        .map_err(|x| x.context(format!("giving {} to {}", e(staging), e(owner))))?;
    // The file could rewrite the comment of the database it owned.
    let note = staging_note(j.name, None);
    lc::set_comment(&m.client, staging, Some(&note), d).await?;
    loader::drop_role(&m.client, role, d).await?;
    steps.role_dropped(role);
    Ok(())
}

/// `--copy`: the restored database's new secret and uuid (and frozen
/// `web.base.url`), read back.
async fn new_identity(
    steps: &Steps<'_>,
    j: &Job<'_>,
    staging: &str,
) -> std::result::Result<(), Stop> {
    let mut conn = steps
        .link
        .connect(staging, &steps.ctx.transport)
        .await
        .map_err(|x| x.context("connecting to the restored database"))?;
    let id = Identity {
        base_url: j.base_url.clone(),
        ..Default::default()
    };
    let regen = lc::regenerate(
        &mut conn.client,
        &id,
        steps.ctx.global.allow_triggers,
        conn.deadline,
    )
    .await?;
    verify_identity(
        &conn,
        &[
            ("database.secret", &regen.secret),
            ("database.uuid", &regen.uuid),
        ],
    )
    .await?;
    Ok(())
}
