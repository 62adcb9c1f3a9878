//! `upgrade --rollback TENANT`: the newest kept pre-upgrade copy
//! (`TENANT.pre-upgrade-<stamp>`) swapped back in: the upgraded tenant
//! soft-dropped (`TENANT.dropped-<stamp>`), the copy undropped under the
//! tenant's name with its comment and connections as before the upgrade,
//! the filestore directories likewise. Each half is the `drop` and `undrop`
//! that already exist, with their undo and crash records; when the second
//! fails the first is undone.

use super::*;

pub(in crate::ops::lifecycle) async fn rollback(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    spec: &str,
) -> Result<u8> {
    let log = ctx.audit_log_unless(o.dry_run)?;
    if !o.dry_run {
        finish_killed_first(ctx, o, log.as_ref()).await?;
    }
    let pre = newest_pre_upgrade(ctx, spec).await?;
    let each = RollingBack {
        ctx: ctx.clone(),
        opts: o.clone(),
        pre,
    };
    let job = || crate::ops::Job::for_spec(spec.to_string());
    ask_then_run(ctx, Op::Upgrade, log.map(Arc::new), job, each, false).await
}

/// The newest `NAME.pre-upgrade-<stamp>` of the tenant `spec` names.
async fn newest_pre_upgrade(ctx: &Ctx, spec: &str) -> Result<Dropped> {
    crate::targets::check_name(spec)?;
    let (node, name) = crate::targets::split_spec(spec, &ctx.links);
    let mut hits: Vec<Dropped> = all_dropped(ctx)
        .await
        .into_iter()
        .filter(|d| node.is_none_or(|n| d.link.name() == n))
        .filter(|d| d.name == name && d.db.contains(PRE_UPGRADE))
        .collect();
    hits.sort_by_key(|d| d.at);
    let Some(d) = hits.pop() else {
        return Err(Error::target(anyhow!(
            "no kept pre-upgrade copy of {} on the selected nodes (see `tenantctl list --dropped`)",
            e(spec)
        )));
    };
    if let Some(other) = hits.iter().find(|h| h.link.name() != d.link.name()) {
        return Err(Error::target(anyhow!(
            "{} has pre-upgrade copies on nodes {} and {}: name it as NODE/NAME",
            e(spec),
            d.link.name(),
            other.link.name()
        )));
    }
    crate::ops::direct_only(&d.link)?;
    Ok(d)
}

#[derive(Clone)]
struct RollingBack {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    pre: Dropped,
}

impl Each for RollingBack {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            if stopped {
                return not_started(&job, Op::Upgrade);
            }
            rollback_one(&self.ctx, &self.opts, &self.pre).await
        })
    }
}

impl Single for RollingBack {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        shown(&self.ctx, plan);
        confirmed(&format!(
            "Roll {}/{} back to {}?",
            self.pre.link.name(),
            e(&self.pre.name),
            e(&self.pre.db)
        ))
    }
}

/// The rollback to `pre`: the upgraded tenant dropped, `pre` undropped.
async fn rollback_one(ctx: &Ctx, o: &LifecycleOpts, pre: &Dropped) -> Report {
    let link = &pre.link;
    let who = format!("{}/{}", link.name(), pre.name);
    let mut r = base(link, &pre.name, Op::Upgrade);
    r.details.upgrade().pre_upgrade = Some(pre.db.clone());
    if o.dry_run {
        r.dry_run = Some(true);
    }
    let maint = match maintenance(ctx, link).await {
        Ok(m) => m,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    let current = match lc::db_info(&maint.client, &pre.name, maint.deadline).await {
        Ok(c) => c,
        Err(x) => return r.fail(Outcome::Failed, format!("{who}: {x:#}; nothing changed")),
    };
    drop(maint);
    let stamp = stamp_now();
    let aside = dropped_name(&pre.name, &stamp);
    if o.dry_run {
        let mut plan = Plan::new(format!("roll {who} back to {}", e(&pre.db)));
        if current.is_some() {
            plan = plan.step(format!(
                "drop the upgraded {} (soft: {})",
                e(&pre.name),
                e(&aside)
            ));
        }
        plan = plan.step(format!(
            "undrop {} as {}, its comment and connections as before the upgrade",
            e(&pre.db),
            e(&pre.name)
        ));
        return r.would(plan);
    }
    if current.is_some() {
        let t = crate::targets::Target {
            link: link.clone(),
            db: pre.name.clone(),
        };
        let (mut d, _) = drop_target(ctx, o, &t, true, &stamp, None).await;
        r.recovered.append(&mut d.recovered);
        if d.outcome != Outcome::Changed {
            return r.fail(
                d.outcome,
                format!(
                    "{who}: the upgraded database could not be set aside: {}",
                    d.error.unwrap_or_default()
                ),
            );
        }
        r.details.upgrade().rolled_back_as = Some(aside.clone());
    }
    let mut u = undrop_found(ctx, o, pre, false).await;
    r.recovered.append(&mut u.recovered);
    if u.outcome == Outcome::Changed {
        return r.ok(
            Outcome::Changed,
            format!(
                "rolled {who} back: {} is {} again{}",
                e(&pre.db),
                e(&pre.name),
                if current.is_some() {
                    format!("; the upgraded database is kept as {}", e(&aside))
                } else {
                    String::new()
                }
            ),
        );
    }
    // The pre-upgrade copy did not come back: the upgraded one does.
    let why = u.error.unwrap_or_default();
    if current.is_none() {
        return r.fail(u.outcome, format!("{who}: {why}"));
    }
    let back = Dropped {
        link: link.clone(),
        db: aside.clone(),
        name: pre.name.clone(),
        at: None,
    };
    let mut b = undrop_found(ctx, o, &back, false).await;
    r.recovered.append(&mut b.recovered);
    r.details.upgrade().rolled_back_as = None;
    if b.outcome == Outcome::Changed {
        r.fail(
            Outcome::Failed,
            format!(
                "{who}: {why}; the upgraded database is {} again, nothing changed",
                e(&pre.name)
            ),
        )
    } else {
        r.fail(
            Outcome::Unknown,
            format!(
                "{who}: {why}; and the upgraded database could not be brought back from {}: {}",
                e(&aside),
                b.error.unwrap_or_default()
            ),
        )
    }
}
