//! `drop` (soft: renamed aside and blocked), `undrop`, `purge`, `list --dropped`, and the
//! `bulk drop` / `bulk purge` loop.

use super::*;

// ------------------------------------------------------------------ drop

/// The marker of a tenantctl drop in a database name.
pub(super) const DROPPED: &str = ".dropped-";
/// `YYYYMMDDTHHMMSSZ`
pub(super) const STAMP_LEN: usize = 16;

/// The markers of what an upgrade keeps, soft-dropped as a drop is: the
/// original after a swap, a failed copy (issue 27).
pub(super) const PRE_UPGRADE: &str = ".pre-upgrade-";
pub(super) const UPGRADE_FAILED: &str = ".upgrade-failed-";
/// The copy an upgrade works on.
pub(super) const UPGRADING: &str = ".upgrading-";

/// `NAME.dropped-20261201T120000Z`; NAME is cut to fit PostgreSQL's 63 bytes
/// (the full name is in the database's comment).
pub(super) fn dropped_name(name: &str, stamp: &str) -> String {
    aside_name(name, DROPPED, stamp)
}

/// `NAME<marker><stamp>`, NAME cut to fit PostgreSQL's 63 bytes.
pub(super) fn aside_name(name: &str, marker: &str, stamp: &str) -> String {
    let keep = MAX_NAME - marker.len() - STAMP_LEN;
    let mut cut = name.len().min(keep);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{marker}{stamp}", &name[..cut])
}

/// Now as `YYYYMMDDTHHMMSSZ` (UTC).
pub(super) fn stamp_now() -> String {
    let s = humantime::format_rfc3339_seconds(clock_now()).to_string();
    s.replace(['-', ':'], "")
}

/// The drop time and name part of a dropped name.
pub(super) fn parse_dropped(db: &str) -> Option<(String, SystemTime)> {
    let (i, marker) = [DROPPED, PRE_UPGRADE, UPGRADE_FAILED]
        .into_iter()
        .filter_map(|m| db.rfind(m).map(|i| (i, m)))
        .max_by_key(|(i, _)| *i)?;
    let stamp = &db[i + marker.len()..];
    if stamp.len() != STAMP_LEN {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[9..11],
        &stamp[11..13],
        &stamp[13..15]
    );
    let t = humantime::parse_rfc3339(&rfc).ok()?;
    Some((db[..i].to_string(), t))
}

/// The original name recorded in a dropped database's comment.
pub(super) fn original_name(db: &str, comment: Option<&str>) -> Option<String> {
    comment
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| {
            v.get("tenantctl_dropped")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        })
        .or_else(|| parse_dropped(db).map(|(n, _)| n))
}

/// The drop of `tenant` as `move` calls it (`interactive` must be false:
/// the work never asks; a single `drop` asks before its run). Resolution
/// errors are errors; the report, and whether it was interrupted.
pub(super) async fn drop_one(
    ctx: &Ctx,
    o: &LifecycleOpts,
    tenant: &str,
    force: bool,
    interactive: bool,
    moved_to: Option<&str>,
) -> Result<Option<(Report, bool)>> {
    debug_assert!(!interactive, "the work never asks");
    let t = ctx.resolve_for_write(tenant).await?;
    crate::ops::direct_only(&t.link)?;
    Ok(Some(
        drop_target(ctx, o, &t, force, &stamp_now(), moved_to).await,
    ))
}

/// The soft drop of `t` under the name of `stamp`: checks, plan (a dry run
/// stops there), steps; the report, and whether it was interrupted.
pub(super) async fn drop_target(
    ctx: &Ctx,
    o: &LifecycleOpts,
    t: &crate::targets::Target,
    force: bool,
    stamp: &str,
    moved_to: Option<&str>,
) -> (Report, bool) {
    let link = &t.link;
    let who = t.display();
    let mut r = base(link, &t.db, crate::ops::Op::Drop);
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let fs = match checked_filestore(link, o.no_filestore, &t.db, &who) {
        Ok(f) => f,
        Err(m) => return (r.fail(Outcome::Refused, m), false),
    };
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => {
            let m = format!("{who}: {x:#}; nothing changed");
            return (r.fail(Outcome::Failed, m), false);
        }
    };
    let info = match drop_state(ctx, link, &maint, &t.db, &who, force, &mut r).await {
        Ok(i) => i,
        Err((outcome, m)) => return (r.fail(outcome, m), false),
    };
    let gone = dropped_name(&t.db, stamp);
    r.details.drop().dropped_name = gone.clone();
    if let Err((outcome, m)) = name_free(&maint, fs.as_ref(), &gone, &who).await {
        return (r.fail(outcome, m), false);
    }
    let retention = link.node.lifecycle.drop_retention;
    if o.dry_run {
        return (
            r.would(drop_plan(&who, &t.db, &gone, fs.as_ref(), retention)),
            false,
        );
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        &gone,
        Then::Move {
            from: t.db.clone(),
            allow: false,
            allowed_before: info.allow_connections,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let note = drop_note(&t.db, &info, moved_to);
    let work = drop_steps(&mut steps, &maint, &t.db, &gone, &note, &info);
    let (r, interrupted) = match work.await {
        Ok(moved) => (
            r.ok(
                Outcome::Changed,
                format!(
                    "dropped {who}: now {} (no connections){}; `tenantctl undrop {}` restores it, `tenantctl purge` deletes it after {}",
                    e(&gone),
                    if moved { ", filestore moved alongside" } else { "" },
                    e(&t.db),
                    crate::output::duration(retention)
                ),
            ),
            false,
        ),
        Err(stop) => undone(&mut steps, r, &who, stop).await,
    };
    settled(record, &r);
    (r, interrupted)
}

/// The tenant's database before a drop, once it is known to be suspended
/// (or --force, with a warning in the report); a refusal's or failure's
/// outcome and text.
async fn drop_state(
    ctx: &Ctx,
    link: &Arc<NodeLink>,
    maint: &Conn,
    db: &str,
    who: &str,
    force: bool,
    r: &mut Report,
) -> std::result::Result<lc::DbInfo, (Outcome, String)> {
    // A tenant blocked by the `connections` suspension layer is suspended
    // (its record is in the database's comment; it cannot be connected to).
    let info = match lc::db_info(&maint.client, db, maint.deadline).await {
        Ok(Some(i)) if super::upgrade::upgrading(&i) => {
            return Err(super::upgrade::busy_upgrading(who))
        }
        Ok(Some(i)) => i,
        Ok(None) => {
            return Err((
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let blocked = info
        .comment
        .as_deref()
        .and_then(crate::odoo::layers::Blocked::parse)
        .is_some();
    let suspended = if blocked {
        Ok(true)
    } else {
        match link.connect(db, &ctx.transport).await {
            Ok(conn) => suspension::state(&conn.client).await.map(|s| s.suspended()),
            Err(x) => Err(x),
        }
    };
    match suspended {
        Ok(true) => {}
        Ok(false) if force => r.warnings.push("the tenant is not suspended (--force)".into()),
        Ok(false) => {
            return Err((
                Outcome::Refused,
                format!("{who}: refusing to drop a tenant that is not suspended (suspend it first, or pass --force); nothing changed"),
            ))
        }
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
    Ok(info)
}

/// No database nor filestore directory has the dropped name yet.
async fn name_free(
    maint: &Conn,
    fs: Option<&Filestore>,
    gone: &str,
    who: &str,
) -> std::result::Result<(), (Outcome, String)> {
    let d = maint.deadline;
    let pre = async {
        if lc::db_info(&maint.client, gone, d).await?.is_some() {
            return anyhow::Ok(Some(format!("{} exists; nothing changed", e(gone))));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(gone).await? {
                return Ok(Some(format!("{} exists; nothing changed", fs.show(gone))));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => Ok(()),
        Ok(Some(m)) => Err((Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
}

/// The plan of a drop.
fn drop_plan(
    who: &str,
    db: &str,
    gone: &str,
    fs: Option<&Filestore>,
    retention: std::time::Duration,
) -> Plan {
    let mut plan = Plan::new(format!("drop {who} (soft, reversible with undrop)"))
        .step("ALLOW_CONNECTIONS false, end its sessions")
        .step(format!("rename to {}", e(gone)));
    plan = match &fs {
        Some(fs) => plan.step(format!("move {} to {}", fs.show(db), fs.show(gone))),
        None => plan.step("filestore left alone (--no-filestore)"),
    };
    plan.step(format!(
        "purgeable after {}",
        crate::output::duration(retention)
    ))
}

/// The comment a dropped database carries.
fn drop_note(db: &str, info: &lc::DbInfo, moved_to: Option<&str>) -> String {
    // What undrop restores: the name, the comment (a suspension's block
    // record) and whether connections were allowed.
    let mut rec = json!({
        "name": db, "at": now_rfc3339(), "by": crate::audit::operator(),
        "previous_comment": info.comment, "allow_connections": info.allow_connections,
    });
    if let Some(to) = moved_to {
        rec["moved_to"] = json!(to);
    }
    json!({ "tenantctl_dropped": rec }).to_string()
}

/// The steps of a drop, each recorded for its undo; whether the filestore
/// directory moved.
async fn drop_steps(
    steps: &mut Steps<'_>,
    maint: &Conn,
    db: &str,
    gone: &str,
    note: &str,
    info: &lc::DbInfo,
) -> std::result::Result<bool, Stop> {
    let d = maint.deadline;
    steps.next("database").await?;
    lc::allow_connections(&maint.client, db, false, d).await?;
    steps
        .done
        .push(Undo::AllowConnections(db.to_string(), true));
    lc::end_sessions(&maint.client, db, d).await?;
    lc::rename_and_comment(&maint.client, db, gone, Some(note), d).await?;
    steps.done.push(Undo::RenameDb {
        from: gone.to_string(),
        to: db.to_string(),
    });
    steps
        .done
        .push(Undo::Comment(gone.to_string(), info.comment.clone()));
    let mut moved = false;
    if let Some(fs) = steps.fs {
        steps.next("filestore").await?;
        moved = fs.rename(db, gone).await?;
        if moved {
            steps.done.push(Undo::MoveDir {
                from: gone.to_string(),
                to: db.to_string(),
            });
        }
    }
    steps.next("done").await?;
    std::result::Result::<bool, Stop>::Ok(moved)
}

/// A dropped tenant found on a node.
#[derive(Clone)]
pub(super) struct Dropped {
    pub(super) link: Arc<NodeLink>,
    pub(super) db: String,
    pub(super) name: String,
    pub(super) at: Option<SystemTime>,
}

/// Every dropped tenant of the selected nodes (nodes that cannot be asked
/// are warned about). A database the node's `exclude` patterns leave out,
/// by its own name or its tenant's, is none (as for `list`).
pub(super) async fn all_dropped(ctx: &Ctx) -> Vec<Dropped> {
    let mut out = Vec::new();
    for link in &ctx.links {
        let found = async {
            let m = maintenance(ctx, link).await?;
            lc::dropped(&m.client, m.deadline).await
        };
        match found.await {
            Ok(rows) => {
                for (db, comment) in rows {
                    let name = original_name(&db, comment.as_deref()).unwrap_or_else(|| db.clone());
                    if link.node.is_excluded(&db) || link.node.is_excluded(&name) {
                        continue;
                    }
                    out.push(Dropped {
                        link: link.clone(),
                        name,
                        at: parse_dropped(&db).map(|(_, t)| t),
                        db,
                    });
                }
            }
            Err(x) => ctx.printer.warn(format!("node {}: {x:#}", link.name())),
        }
    }
    out
}

/// The one dropped tenant `spec` names (its name or its dropped name).
pub(super) async fn find_dropped(ctx: &Ctx, spec: &str) -> Result<Dropped> {
    crate::targets::check_name(spec)?;
    let (node, name) = crate::targets::split_spec(spec, &ctx.links);
    let mut hits: Vec<Dropped> = all_dropped(ctx)
        .await
        .into_iter()
        .filter(|d| node.is_none_or(|n| d.link.name() == n))
        .filter(|d| d.db == name || d.name == name)
        .collect();
    match hits.len() {
        1 => {
            let d = hits.pop().expect("one");
            crate::ops::direct_only(&d.link)?;
            Ok(d)
        }
        0 => Err(Error::target(anyhow!(
            "no dropped tenant {} on the selected nodes (see `tenantctl list --dropped`)",
            e(spec)
        ))),
        _ => Err(Error::target(anyhow!(
            "{} names several dropped tenants: {}; give the dropped name (NODE/NAME.dropped-...)",
            e(spec),
            hits.iter()
                .map(|d| format!("{}/{}", d.link.name(), d.db))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `list --dropped`.
pub async fn list_dropped(ctx: &Ctx) -> Result<u8> {
    let all = all_dropped(ctx).await;
    let now = clock_now();
    let rows: Vec<Value> = all
        .iter()
        .map(|d| {
            let purge_after = d.at.map(|t| t + d.link.node.lifecycle.drop_retention);
            json!({
                "node": d.link.name(),
                "tenant": d.name,
                "database": d.db,
                "dropped_at": d.at.map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                "purge_after": purge_after.map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                "purgeable": purge_after.is_some_and(|t| t <= now),
            })
        })
        .collect();
    match ctx.printer.format {
        Output::Json => out_json(&rows),
        Output::Csv => {
            ctx.printer
                .csv_header(&["node", "tenant", "database", "dropped_at", "purge_after"]);
            for r in &rows {
                out(&crate::output::csv_line(&[
                    r["node"].as_str().unwrap_or(""),
                    r["tenant"].as_str().unwrap_or(""),
                    r["database"].as_str().unwrap_or(""),
                    r["dropped_at"].as_str().unwrap_or(""),
                    r["purge_after"].as_str().unwrap_or(""),
                ]));
            }
        }
        Output::Table => {
            let p = &ctx.printer;
            let mut t = p.table(&[
                crate::output::Col::key("NODE"),
                crate::output::Col::key("TENANT"),
                crate::output::Col::key("DROPPED AS"),
                crate::output::Col::key("DROPPED AT"),
                crate::output::Col::key("PURGE AFTER"),
            ]);
            for r in &rows {
                t.row([
                    r["node"].as_str().unwrap_or(""),
                    r["tenant"].as_str().unwrap_or(""),
                    r["database"].as_str().unwrap_or(""),
                    r["dropped_at"].as_str().unwrap_or("-"),
                    r["purge_after"].as_str().unwrap_or("-"),
                ]);
            }
            if rows.is_empty() {
                p.info("no dropped tenants");
            } else {
                p.print_table(&t);
            }
        }
    }
    Ok(crate::error::EXIT_OK)
}

/// Whether the drop_retention of a dropped tenant is over; the refusal's
/// text.
fn purgeable(dt: &Dropped, who: &str) -> std::result::Result<(), String> {
    let retention = dt.link.node.lifecycle.drop_retention;
    let after = dt.at.map(|t| t + retention);
    match after {
        Some(a) if a <= clock_now() => Ok(()),
        Some(a) => Err(format!(
            "{who}: dropped less than drop_retention ({}) ago; purgeable after {} (or pass --now); nothing changed",
            crate::output::duration(retention),
            humantime::format_rfc3339_seconds(a)
        )),
        None => Err(format!("{who}: no drop time in its name; pass --now; nothing changed")),
    }
}

/// The plan of a purge.
fn purge_plan(who: &str, db: &str, fs: Option<&Filestore>) -> Plan {
    let plan = Plan::new(format!("purge {who}")).step("DROP DATABASE");
    match &fs {
        Some(fs) => plan.step(format!("rm -rf {}", fs.show(db))),
        None => plan.step("filestore left alone (--no-filestore)"),
    }
}

/// `NODE/DROPPED-NAME` and the report of an undrop or purge of `dt` as its
/// work starts (marked when a dry run).
pub(super) fn dropped_report(dt: &Dropped, op: crate::ops::Op, dry_run: bool) -> (String, Report) {
    let who = format!("{}/{}", dt.link.name(), dt.db);
    let mut r = base(&dt.link, &dt.name, op);
    r.details.drop().dropped_name = dt.db.clone();
    if dry_run {
        r.dry_run = Some(true);
    }
    (who, r)
}

/// The purge of the dropped tenant `dt`: checks, plan (a dry run stops
/// there), the database then its filestore.
async fn purge_found(ctx: &Ctx, o: &LifecycleOpts, dt: &Dropped, now: bool) -> Report {
    let link = &dt.link;
    let (who, mut r) = dropped_report(dt, crate::ops::Op::Purge, o.dry_run);
    let fs = match checked_filestore(link, o.no_filestore, &dt.db, &who) {
        Ok(f) => f,
        Err(m) => return r.fail(Outcome::Refused, m),
    };
    if !now {
        if let Err(m) = purgeable(dt, &who) {
            return r.fail(Outcome::Refused, m);
        }
    }
    if o.dry_run {
        return r.would(purge_plan(&who, &dt.db, fs.as_ref()));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    // From here a Ctrl-C lets the purge finish (database, then filestore).
    let _guard = run_guard();
    let record = record_then(ctx, link, fs.as_ref(), &dt.db, Then::Remove);
    pause_point("database").await;
    if let Err(x) = lc::drop_database(&maint.client, &dt.db, maint.deadline).await {
        if let Some(i) = record {
            i.clear();
        }
        return r.fail(
            Outcome::Failed,
            format!("{who}: DROP DATABASE: {x:#}; nothing changed"),
        );
    }
    if let Some(fs) = &fs {
        pause_point("filestore").await;
        if let Err(x) = fs.remove(&dt.db).await {
            // The record stays: the next run on the node removes it.
            return r.fail(
                Outcome::Failed,
                format!("{who}: the database is purged but its filestore {} could not be removed: {x:#}", fs.show(&dt.db)),
            );
        }
    }
    if let Some(i) = record {
        i.clear();
    }
    r.ok(
        Outcome::Changed,
        format!("purged {who}: database and filestore deleted"),
    )
}

/// `drop TENANT`: resolved, asked (the plan of a dry run, whose dropped
/// name the run keeps), run as one target.
pub(super) async fn drop_tenant(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    tenant: &str,
    force: bool,
) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    let t = ctx.resolve_for_write(tenant).await?;
    crate::ops::direct_only(&t.link)?;
    let each = Dropping {
        ctx: ctx.clone(),
        opts: o.clone(),
        force,
        stamp: Some(stamp_now()),
    };
    let job = || crate::ops::Job::for_target(t.clone(), tenant.to_string(), None);
    ask_then_run(ctx, Op::Drop, log.map(Arc::new), job, each, false).await
}

/// `purge NAME`: found, asked (the plan of a dry run, then the tenant's name
/// typed on a terminal, even with `--yes`), run as one target.
pub(super) async fn purge(ctx: &Arc<Ctx>, o: &LifecycleOpts, spec: &str, now: bool) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    let dt = find_dropped(ctx, spec).await?;
    let each = Purging {
        ctx: ctx.clone(),
        opts: o.clone(),
        now,
        found: Some(dt),
    };
    let job = || crate::ops::Job::for_spec(spec.to_string());
    ask_then_run(ctx, Op::Purge, log.map(Arc::new), job, each, false).await
}

/// The jobs of `bulk drop|purge|upgrade --from`, read by the one `--from`
/// reader: a bad line is a `failed` row of its own. With them, the lines
/// that could not be read (for `--failed-to`).
pub(super) fn bulk_jobs(
    ctx: &Ctx,
    from: &std::path::Path,
    layout: &crate::targetfile::Layout,
    op: Op,
) -> Result<(Vec<crate::ops::Job>, std::collections::HashSet<usize>)> {
    let file = crate::ops::from::read(ctx, from, layout)?;
    let src = crate::ops::from::source_name(from);
    let jobs: Vec<crate::ops::Job> = file
        .lines
        .iter()
        .map(|l| match l {
            Ok(l) => {
                let mut j = crate::ops::Job::for_spec(l.spec.clone());
                j.line = Some(l.no);
                j
            }
            Err(bad) => crate::ops::from::bad_line(&src, bad, op),
        })
        .collect();
    if jobs.is_empty() {
        return Err(Error::input(anyhow!("--from {src}: no tenants")));
    }
    Ok((jobs, crate::ops::failed_to::unreadable(&file.lines)))
}

/// `bulk drop` / `bulk purge`: one confirmation for the run, then each
/// tenant as the single command does it, in file order; `files`: the
/// `--from` file, how to read it, and `--failed-to`.
pub(super) async fn bulk_lifecycle(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    (from, layout, failed_to): (
        &std::path::Path,
        &crate::targetfile::Layout,
        Option<&std::path::Path>,
    ),
    action: crate::ops::Op,
    flag: bool,
) -> Result<u8> {
    let (jobs, unreadable) = bulk_jobs(ctx, from, layout, action)?;
    let n = jobs.iter().filter(|j| j.early.is_none()).count();
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    if !o.dry_run {
        let ok = if action == Op::Purge && std::io::stdin().is_terminal() {
            let typed = crate::ops::prompt::answer(&format!(
                "Purge {n} dropped tenants for good (no undo)? Type their number ({n}) to confirm: "
            ))
            .unwrap_or_default();
            typed.trim() == n.to_string()
        } else if !o.yes {
            confirm(&format!("{action} {n} tenants?"))?
        } else {
            true
        };
        if !ok {
            ctx.printer.info("aborted; nothing changed");
            return Ok(EXIT_FAILED);
        }
    }
    let src = crate::ops::from::source_name(from);
    let failed_to =
        crate::ops::failed_to::open(ctx, failed_to, o.dry_run)?.map(|f| f.source(&src, unreadable));
    if action == Op::Drop {
        let each = Dropping {
            ctx: ctx.clone(),
            opts: o.clone(),
            force: flag,
            stamp: None,
        };
        return Ok(one_by_one(ctx, action, o, log, jobs, each, failed_to).await);
    }
    let each = Purging {
        ctx: ctx.clone(),
        opts: o.clone(),
        now: flag,
        found: None,
    };
    Ok(one_by_one(ctx, action, o, log, jobs, each, failed_to).await)
}

/// The target of a bulk line: resolved at its turn (a write's resolution),
/// unless the job already has one.
pub(super) async fn line_target(
    ctx: &Ctx,
    job: &crate::ops::Job,
) -> Result<crate::targets::Target> {
    match job.target.clone() {
        Some(t) => Ok(t),
        None => {
            let t = ctx.resolve_for_write(&job.spec).await?;
            crate::ops::direct_only(&t.link)?;
            Ok(t)
        }
    }
}

/// A tenant whose spec could not be resolved (a bulk line): its report.
pub(super) fn unresolved(spec: &str, op: Op, x: Error) -> Report {
    let outcome = if x.is_usage() {
        Outcome::Refused
    } else {
        Outcome::Failed
    };
    Report::new(None, spec, op).fail(outcome, format!("{spec}: {x:#}"))
}

/// One soft drop, of `drop` or a line of `bulk drop`: the job's target (a
/// bulk line's spec resolved at its turn), under the name of `stamp` (the
/// single command's, shown in its plan) or of the time it starts.
#[derive(Clone)]
struct Dropping {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    force: bool,
    stamp: Option<String>,
}

impl Each for Dropping {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Drop);
            }
            let (ctx, o) = (&*self.ctx, &self.opts);
            let mut r = match line_target(ctx, &job).await {
                Ok(t) => {
                    let stamp = self.stamp.clone().unwrap_or_else(stamp_now);
                    drop_target(ctx, o, &t, self.force, &stamp, None).await.0
                }
                Err(x) => unresolved(&job.spec, Op::Drop, x),
            };
            r.line = job.line;
            r
        })
    }
}

impl Single for Dropping {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        let who = format!("{}/{}", plan.node.as_deref().unwrap_or(""), plan.tenant);
        confirmed(&format!("Drop {who}?"))
    }
}

/// One purge, of `purge` (the dropped tenant found before) or a line of
/// `bulk purge` (found at its turn).
#[derive(Clone)]
struct Purging {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    now: bool,
    found: Option<Dropped>,
}

impl Each for Purging {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Purge);
            }
            let (ctx, o) = (&*self.ctx, &self.opts);
            let found = match &self.found {
                Some(d) => Ok(d.clone()),
                None => find_dropped(ctx, &job.spec).await,
            };
            let mut r = match found {
                Ok(dt) => purge_found(ctx, o, &dt, self.now).await,
                Err(x) => unresolved(&job.spec, Op::Purge, x),
            };
            r.line = job.line;
            r
        })
    }
}

impl Single for Purging {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    /// Not a dry run: on a terminal the tenant's name is typed even with
    /// `--yes`.
    fn asks(&mut self) -> bool {
        !self.opts.dry_run
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        let Some(dt) = &self.found else {
            return Ok(Asked::Go);
        };
        let who = format!("{}/{}", dt.link.name(), dt.db);
        let q = format!("Purge {who} for good (database and filestore, no undo)?");
        Ok(
            if crate::ops::prompt::type_name(&q, &dt.name, self.opts.yes)? {
                Asked::Go
            } else {
                Asked::Refused(format!(
                    "{who}: the name typed does not match; nothing changed"
                ))
            },
        )
    }
}

/// `undrop`: a dropped tenant back under its name.
mod undrop;
pub(super) use undrop::{undrop, undrop_found};
