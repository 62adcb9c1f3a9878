//! `undrop`: a dropped tenant renamed back, its comment and connections as before its drop, its
//! filestore directory moved back.

use super::*;

/// `undrop NAME`: found, asked (the plan of a dry run), run as one target.
pub(in crate::ops::lifecycle) async fn undrop(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    spec: &str,
    force: bool,
) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    let dt = find_dropped(ctx, spec).await?;
    let each = Undropping {
        ctx: ctx.clone(),
        opts: o.clone(),
        force,
        found: dt,
    };
    let job = || crate::ops::Job::for_spec(spec.to_string());
    ask_then_run(ctx, Op::Undrop, log.map(Arc::new), job, each, false).await
}

/// One undrop: the dropped tenant found before the run.
#[derive(Clone)]
struct Undropping {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    force: bool,
    found: Dropped,
}

impl Each for Undropping {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Undrop);
            }
            undrop_found(&self.ctx, &self.opts, &self.found, self.force).await
        })
    }
}

impl Single for Undropping {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        let who = format!("{}/{}", self.found.link.name(), self.found.db);
        confirmed(&format!("Undrop {who}?"))
    }
}

/// The undrop of `dt`: checks, plan (a dry run stops there), steps.
pub(in crate::ops::lifecycle) async fn undrop_found(
    ctx: &Ctx,
    o: &LifecycleOpts,
    dt: &Dropped,
    force: bool,
) -> Report {
    let link = &dt.link;
    let (who, mut r) = dropped_report(dt, crate::ops::Op::Undrop, o.dry_run);
    let fs = match checked_filestore(link, o.no_filestore, &dt.db, &who) {
        Ok(f) => f,
        Err(m) => return r.fail(Outcome::Refused, m),
    };
    if let Err(m) = check_db_name(&dt.name) {
        return r.fail(Outcome::Refused, format!("{who}: {m}; nothing changed"));
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    let info = match undrop_state(&maint, fs.as_ref(), dt, &who).await {
        Ok(i) => i,
        Err((outcome, m)) => return r.fail(outcome, m),
    };
    let (note, previous, allow) = drop_record(&info);
    if let Err(m) = check_moved(note.as_ref(), &who, force, &mut r) {
        return r.fail(Outcome::Refused, m);
    }
    if o.dry_run {
        let plan = Plan::new(format!("undrop {who}"))
            .step(format!("rename back to {}", e(&dt.name)))
            .step("allow connections")
            .step("move its filestore back");
        return r.would(plan);
    }
    clean_stale(link, &maint, fs.as_ref(), &mut r).await;
    let record = record_then(
        ctx,
        link,
        fs.as_ref(),
        &dt.name,
        Then::Move {
            from: dt.db.clone(),
            allow,
            allowed_before: false,
        },
    );
    let mut steps = Steps::new(link, &maint, fs.as_ref(), ctx, &who);
    let work = undrop_steps(&mut steps, &maint, dt, previous.as_deref(), &info, allow);
    let r = match work.await {
        Ok(()) => r.ok(
            Outcome::Changed,
            format!("undropped {who}: it is {} again (still suspended if it was; `tenantctl reactivate` switches it on)", e(&dt.name)),
        ),
        Err(stop) => undone(&mut steps, r, &who, stop).await.0,
    };
    settled(record, &r);
    r
}

/// The dropped database before an undrop, once its name is known to be
/// free again (no database, no filestore directory); a refusal's or
/// failure's outcome and text.
async fn undrop_state(
    maint: &Conn,
    fs: Option<&Filestore>,
    dt: &Dropped,
    who: &str,
) -> std::result::Result<lc::DbInfo, (Outcome, String)> {
    let d = maint.deadline;
    let info = match lc::db_info(&maint.client, &dt.db, d).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return Err((
                Outcome::Refused,
                format!("{who}: gone meanwhile; nothing changed"),
            ))
        }
        Err(x) => return Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    };
    let pre = async {
        if lc::db_info(&maint.client, &dt.name, d).await?.is_some() {
            return anyhow::Ok(Some(format!(
                "a database named {} exists (a new tenant took the name?); nothing changed",
                e(&dt.name)
            )));
        }
        if let Some(fs) = &fs {
            fs.check_root().await?;
            if fs.exists(&dt.name).await? {
                return Ok(Some(format!(
                    "the filestore directory {} exists; nothing changed",
                    fs.show(&dt.name)
                )));
            }
        }
        Ok(None)
    };
    match pre.await {
        Ok(None) => Ok(info),
        Ok(Some(m)) => Err((Outcome::Refused, format!("{who}: {m}"))),
        Err(x) => Err((Outcome::Failed, format!("{who}: {x:#}; nothing changed"))),
    }
}

/// The drop's note in a dropped database's comment, the comment before the
/// drop, and whether connections were allowed.
fn drop_record(info: &lc::DbInfo) -> (Option<Value>, Option<String>, bool) {
    // The drop's note: the comment and connection state before the drop.
    let note = info
        .comment
        .as_deref()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| v.get("tenantctl_dropped").cloned());
    let previous = note
        .as_ref()
        .and_then(|n| n.get("previous_comment")?.as_str().map(str::to_string));
    let allow = note
        .as_ref()
        .and_then(|n| n.get("allow_connections")?.as_bool())
        .unwrap_or(true);
    (note, previous, allow)
}

/// A tenant dropped by `move` is undropped only with --force (a warning in
/// the report); the refusal's text.
fn check_moved(
    note: Option<&Value>,
    who: &str,
    force: bool,
    r: &mut Report,
) -> std::result::Result<(), String> {
    // Dropped by `move`: the copy on the other node is the same tenant
    // (identity kept); bringing this one back would run two live copies.
    if let Some(to) = note
        .as_ref()
        .and_then(|n| n.get("moved_to")?.as_str().map(str::to_string))
    {
        let m = format!(
            "{who} was moved to {}: that copy is the live tenant, with the same identity \
             (database.uuid, database.secret); undropping this one would run two live copies of one tenant",
            e(&to)
        );
        if !force {
            return Err(format!(
                "{m}. Purge this one, or drop {} first and rerun with --force; nothing changed",
                e(&to)
            ));
        }
        r.warnings.push(format!("{m} (--force)"));
    }
    Ok(())
}

/// The steps of an undrop, each recorded for its undo.
async fn undrop_steps(
    steps: &mut Steps<'_>,
    maint: &Conn,
    dt: &Dropped,
    previous: Option<&str>,
    info: &lc::DbInfo,
    allow: bool,
) -> std::result::Result<(), Stop> {
    let d = maint.deadline;
    steps.next("database").await?;
    lc::rename_and_comment(&maint.client, &dt.db, &dt.name, previous, d).await?;
    steps.done.push(Undo::RenameDb {
        from: dt.name.clone(),
        to: dt.db.clone(),
    });
    steps
        .done
        .push(Undo::Comment(dt.name.clone(), info.comment.clone()));
    if let Some(fs) = steps.fs {
        steps.next("filestore").await?;
        if fs.rename(&dt.db, &dt.name).await? {
            steps.done.push(Undo::MoveDir {
                from: dt.name.clone(),
                to: dt.db.clone(),
            });
        }
    }
    steps.next("connections").await?;
    if allow {
        lc::allow_connections(&maint.client, &dt.name, true, d).await?;
    }
    std::result::Result::<(), Stop>::Ok(())
}
