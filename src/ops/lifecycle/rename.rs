//! `rename`: the database and its filestore directory, with the web.base.url when it follows
//! the node's pattern.

use super::*;

// ------------------------------------------------------------------ rename

/// `rename TENANT NEW`: the tenant resolved, then asked (the plan of a dry
/// run) and run as one target.
pub(super) async fn rename(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    tenant: &str,
    new: &str,
) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    let t = ctx.resolve_for_write(tenant).await?;
    crate::ops::direct_only(&t.link)?;
    let each = Renaming {
        ctx: ctx.clone(),
        opts: o.clone(),
        new: new.to_string(),
        who: t.display(),
    };
    let job = || crate::ops::Job::for_target(t.clone(), tenant.to_string(), None);
    ask_then_run(ctx, Op::Rename, log.map(Arc::new), job, each, false).await
}

/// One rename: the tenant (the job's target) and its new name.
#[derive(Clone)]
struct Renaming {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    new: String,
    who: String,
}

impl Each for Renaming {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            match &job.target {
                Some(t) if !stopped => rename_one(&self.ctx, &self.opts, t, &self.new).await,
                _ => not_started(&job, Op::Rename),
            }
        })
    }
}

impl Single for Renaming {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        let q = format!("Rename {} to {}?", self.who, e(&self.new));
        confirmed(&q)
    }
}

/// The rename of `t` to `new`: checks, plan (a dry run stops there), steps.
async fn rename_one(ctx: &Ctx, o: &LifecycleOpts, t: &crate::targets::Target, new: &str) -> Report {
    let link = &t.link;
    let who = t.display();
    let mut r = base(link, &t.db, crate::ops::Op::Rename);
    r.details.rename().new_name = new.to_string();
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let fs = match checked_filestore(link, o.no_filestore, &t.db, &who) {
        Ok(f) => f,
        Err(m) => return r.fail(Outcome::Refused, m),
    };
    if let Err(m) = check_db_name(new) {
        return r.fail(Outcome::Refused, format!("{who}: {m}; nothing changed"));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    let was_allowed = match rename_checks(&maint, fs.as_ref(), &t.db, new, &who).await {
        Ok(a) => a,
        Err((outcome, m)) => return r.fail(outcome, m),
    };
    let url_change = url_change(ctx, link, &t.db, new).await;
    if o.dry_run {
        return r.would(rename_plan(
            &who,
            &t.db,
            new,
            fs.as_ref(),
            url_change.as_ref(),
        ));
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        new,
        Then::Move {
            from: t.db.clone(),
            allow: was_allowed,
            allowed_before: was_allowed,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let work = rename_steps(
        &mut steps,
        &maint,
        &t.db,
        new,
        was_allowed,
        url_change.as_ref(),
    );
    let r = match work.await {
        Ok(moved) => renamed(r, &who, &t.db, new, moved, url_change.as_ref()),
        Err(stop) => undone(&mut steps, r, &who, stop).await.0,
    };
    settled(record, &r);
    r
}

/// The checks of a rename: the tenant still there (whether it allowed
/// connections), no database nor filestore directory under the new name. A
/// failure's outcome and text.
async fn rename_checks(
    maint: &Conn,
    fs: Option<&Filestore>,
    db: &str,
    new: &str,
    who: &str,
) -> std::result::Result<bool, (Outcome, String)> {
    let d = maint.deadline;
    let was_allowed = match lc::db_info(&maint.client, db, d).await {
        Ok(Some(i)) if super::upgrade::upgrading(&i) => {
            return Err(super::upgrade::busy_upgrading(who))
        }
        Ok(Some(i)) => i.allow_connections,
        Ok(None) => {
            return Err((
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let pre = async {
        if lc::db_info(&maint.client, new, d).await?.is_some() {
            return anyhow::Ok(Some(format!(
                "a database named {} exists on the node; nothing changed",
                e(new)
            )));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(new).await? {
                return Ok(Some(format!(
                    "the filestore directory {} exists; nothing changed",
                    fs.show(new)
                )));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => Ok(was_allowed),
        Ok(Some(m)) => Err((Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
}

/// The old and new web.base.url when the tenant's follows the node's
/// pattern.
async fn url_change(
    ctx: &Ctx,
    link: &Arc<NodeLink>,
    db: &str,
    new: &str,
) -> Option<(String, String)> {
    // web.base.url follows the rename when it follows the node's pattern.
    match (pattern_url(link, db), pattern_url(link, new)) {
        (Some(old_url), Some(new_url)) => match link.connect(db, &ctx.transport).await {
            Ok(conn) => match lc::base_url(&conn.client, conn.deadline).await {
                Ok(Some(cur)) if cur == old_url => Some((old_url, new_url)),
                _ => None,
            },
            Err(_) => None,
        },
        _ => None,
    }
}

/// The plan of a rename.
fn rename_plan(
    who: &str,
    db: &str,
    new: &str,
    fs: Option<&Filestore>,
    url_change: Option<&(String, String)>,
) -> Plan {
    let mut plan = Plan::new(format!("rename {who} to {}", e(new)))
        .step("end its sessions, ALTER DATABASE RENAME");
    plan = match &fs {
        Some(fs) => plan.step(format!("move {} to {}", fs.show(db), fs.show(new))),
        None => plan.step("filestore left alone (--no-filestore)"),
    };
    if let Some((_, u)) = &url_change {
        plan = plan.step(format!("web.base.url = {}", e(u)));
    }
    plan
}

/// The steps of a rename, each recorded for its undo; whether the filestore
/// directory moved.
async fn rename_steps(
    steps: &mut Steps<'_>,
    maint: &Conn,
    db: &str,
    new: &str,
    was_allowed: bool,
    url_change: Option<&(String, String)>,
) -> std::result::Result<bool, Stop> {
    let d = maint.deadline;
    let (ctx, link) = (steps.ctx, steps.link);
    steps.next("database").await?;
    // No new session may come in between ending them and the rename
    // (a tenant blocked by its suspension stays blocked).
    lc::allow_connections(&maint.client, db, false, d).await?;
    steps
        .done
        .push(Undo::AllowConnections(db.to_string(), was_allowed));
    lc::end_sessions(&maint.client, db, d).await?;
    lc::rename(&maint.client, db, new, d).await?;
    // Undone newest first: rename back, then allow connections again.
    steps.done.push(Undo::RenameDb {
        from: new.to_string(),
        to: db.to_string(),
    });
    if was_allowed {
        lc::allow_connections(&maint.client, new, true, d).await?;
    }
    let mut moved = false;
    if let Some(fs) = steps.fs {
        steps.next("filestore").await?;
        moved = fs.rename(db, new).await?;
        if moved {
            steps.done.push(Undo::MoveDir {
                from: new.to_string(),
                to: db.to_string(),
            });
        }
    }
    if let Some((old_url, new_url)) = &url_change {
        steps.next("base_url").await?;
        let mut conn = link.connect(new, &ctx.transport).await?;
        lc::set_base_url(
            &mut conn.client,
            new_url,
            ctx.global.allow_triggers,
            conn.deadline,
        )
        .await
        .map_err(|w| Stop::of_write(w, "web.base.url"))?;
        steps.done.push(Undo::BaseUrl {
            db: new.to_string(),
            url: old_url.clone(),
        });
    }
    steps.next("done").await?;
    std::result::Result::<bool, Stop>::Ok(moved)
}

/// The report of a done rename.
fn renamed(
    mut r: Report,
    who: &str,
    db: &str,
    new: &str,
    moved: bool,
    url_change: Option<&(String, String)>,
) -> Report {
    r.tenant = new.to_string();
    r.details.rename().old_name = Some(db.to_string());
    if let Some((_, u)) = &url_change {
        r.details.rename().base_url = Some(u.clone());
    }
    r.ok(
        Outcome::Changed,
        format!(
            "renamed {who} to {}{}{}",
            e(new),
            if moved { ", filestore moved" } else { "" },
            if url_change.is_some() {
                ", web.base.url updated"
            } else {
                ""
            }
        ),
    )
}
