//! The steps of an upgrade: block, copy, Odoo on the copy, verify, swap;
//! or keep the failed copy and undo the rest.

use super::*;
use crate::odoo::versions::HardLimit;
use crate::ops::details::ModuleVersion;
use crate::transport::host::odoo::{self as odoo_run, Ended, Place};

/// Why a copy is not swapped in (the run itself went as tenantctl meant).
struct Rejected {
    problems: Vec<String>,
    interrupted: bool,
}

enum Fail {
    /// A step failed: everything is undone.
    Stop(Stop),
    /// Odoo's run did not verify: the copy is kept, the rest undone.
    Rejected(Rejected),
}

impl<T: Into<Stop>> From<T> for Fail {
    fn from(s: T) -> Fail {
        Fail::Stop(s.into())
    }
}

/// What a verified run leaves for the report.
struct Done {
    versions: Vec<ModuleVersion>,
}

/// Runs the steps and makes the report.
pub(super) async fn run(
    steps: &mut Steps<'_>,
    run: &OdooRun,
    u: &UpgradeOpts,
    db: &str,
    p: &Pre,
    mut r: Report,
) -> Report {
    let who = steps.who.clone();
    let t0 = std::time::Instant::now();
    match work(steps, run, u, db, p, &mut r).await {
        Ok(done) => {
            let d = r.details.upgrade();
            d.pre_upgrade = Some(p.pre.clone());
            let changes = done
                .versions
                .iter()
                .filter(|v| v.before != v.after)
                .map(|v| {
                    format!(
                        "{} {} -> {}",
                        e(&v.name),
                        e(v.before.as_deref().unwrap_or("?")),
                        e(v.after.as_deref().unwrap_or("?"))
                    )
                })
                .collect::<Vec<_>>();
            d.versions = Some(done.versions);
            r.ok(
                Outcome::Upgraded,
                format!(
                    "upgraded {who} in {:.1} s ({}); the original is kept as {} (soft-dropped: `tenantctl purge` removes it, `tenantctl undrop` brings it back once the tenant is dropped)",
                    t0.elapsed().as_secs_f64(),
                    if changes.is_empty() {
                        "no module changed version".to_string()
                    } else {
                        changes.join(", ")
                    },
                    e(&p.pre)
                ),
            )
        }
        Err(Fail::Stop(stop)) => undone(steps, r, &who, stop).await.0,
        Err(Fail::Rejected(rej)) => rejected(steps, r, &who, db, p, rej).await,
    }
}

/// The steps; `r` gets what they learn on the way (log, exit, times).
async fn work(
    steps: &mut Steps<'_>,
    run: &OdooRun,
    u: &UpgradeOpts,
    db: &str,
    p: &Pre,
    r: &mut Report,
) -> std::result::Result<Done, Fail> {
    let (maint, d) = (steps.maint, steps.maint.deadline);
    steps.next("block").await?;
    let note = killed::upgrading_note(&p.copy);
    up::block_with_comment(&maint.client, db, Some(&note), false, d).await?;
    steps.done.push(Undo::AllowConnections(
        db.to_string(),
        p.info.allow_connections,
    ));
    steps
        .done
        .push(Undo::Comment(db.to_string(), p.info.comment.clone()));
    lc::end_sessions(&maint.client, db, d).await?;
    // The database and the filestore are copied at once: neither reads
    // what the other writes.
    steps.next("copy").await?;
    if steps.fs.is_some() {
        steps.done.push(Undo::RemoveDir(p.copy.clone()));
    }
    let database = async {
        up::create_copy(&maint.client, &p.copy, db, &p.info.owner, d)
            .await
            .map_err(|x| anyhow!("CREATE DATABASE {} TEMPLATE {}: {x:#}", e(&p.copy), e(db)))?;
        lc::set_comment(&maint.client, &p.copy, Some(&killed::copy_note(db)), d).await
    };
    let files = async {
        match steps.fs {
            Some(fs) => fs.copy(db, &p.copy).await.map(|_| ()),
            None => Ok(()),
        }
    };
    let (database, files) = tokio::join!(database, files);
    if database.is_ok() || lc::db_info(&maint.client, &p.copy, d).await?.is_some() {
        steps.done.push(Undo::DropCopy(p.copy.clone()));
    }
    database?;
    files?;
    let before = match &p.before {
        Some(b) => b.clone(),
        None => {
            let b = read_modules(steps, &p.copy, &u.modules).await?;
            let problems = module_problems(&b, &u.modules, false, u.resume);
            if !problems.is_empty() {
                return Err(Fail::Stop(Stop::Refused(problems.join("; "))));
            }
            b
        }
    };
    steps.next("odoo").await?;
    let major = before
        .base_version
        .as_deref()
        .and_then(crate::odoo::versions::major_from_version)
        .unwrap_or(16);
    let (ended, log) = odoo(steps, run, u, &p.copy, major, r).await?;
    if ended == Ended::Stopped {
        // Ctrl-C: Odoo was killed; its copy is kept like a failed one's.
        return Err(Fail::Rejected(Rejected {
            problems: verify(&ended, &log, &before, &Modules::All),
            interrupted: true,
        }));
    }
    steps.next("verify").await?;
    let after = verified(steps, run, &p.copy, &u.modules, &ended, &log).await?;
    swap(steps, db, p).await?;
    Ok(Done {
        versions: versions(&before, &after),
    })
}

/// Reads the copy's modules and, when they verify, moves its registry
/// signal, on one connection: the copy carries the original's value, and
/// workers that cached the old registry reload it once the copy is in.
async fn verified(
    steps: &Steps<'_>,
    run: &OdooRun,
    copy: &str,
    m: &Modules,
    ended: &Ended,
    log: &str,
) -> std::result::Result<up::ModulesState, Fail> {
    let conn = steps.link.connect(copy, &steps.ctx.transport).await?;
    let after = up::modules_state(&conn.client, module_names(m), conn.deadline).await?;
    let mut problems = verify(ended, log, &after, m);
    problems.extend(outdated::behind(&steps.ctx.odoo_place(steps.link, run), run, &after).await);
    if !problems.is_empty() {
        return Err(Fail::Rejected(Rejected {
            problems,
            interrupted: *ended == Ended::Stopped,
        }));
    }
    up::bump_registry(&conn.client, conn.deadline).await?;
    Ok(after)
}

/// The modules of `db` (the copy), read through the read gate.
async fn read_modules(
    steps: &Steps<'_>,
    db: &str,
    m: &Modules,
) -> std::result::Result<up::ModulesState, Fail> {
    let conn = steps.link.connect(db, &steps.ctx.transport).await?;
    Ok(up::modules_state(&conn.client, module_names(m), conn.deadline).await?)
}

/// `$XDG_STATE_HOME/tenantctl/upgrade-logs/<node>_<copy>.<pid>.log`, created
/// private (0600 in 0700 directories).
fn log_file(node: &str, copy: &str) -> anyhow::Result<(std::path::PathBuf, std::fs::File)> {
    use std::os::unix::fs::OpenOptionsExt;
    let state = crate::audit::AuditLog::default_path();
    let tc = state.parent().unwrap_or(std::path::Path::new("."));
    let base = tc
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let dir = tc.join("upgrade-logs");
    crate::private::make_dir(&base, &dir, crate::private::Want::Dir).map_err(|m| anyhow!(m))?;
    let clean: String = format!("{node}_{copy}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // The pid too: a run killed (or undone) in the same second as the next
    // one had the same stamp.
    let path = dir.join(format!("{clean}.{}.log", std::process::id()));
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|x| anyhow!("{}: {x}", path.display()))?;
    Ok((path, f))
}

/// Runs Odoo on the copy; how it ended and the log's text. Every session
/// still on the copy is ended after it (a backend in a long statement
/// outlives the killed client with its locks: odoo-facts §9).
async fn odoo(
    steps: &Steps<'_>,
    run: &OdooRun,
    u: &UpgradeOpts,
    copy: &str,
    major: u32,
    r: &mut Report,
) -> std::result::Result<(Ended, String), Fail> {
    let (path, file) = log_file(steps.link.name(), copy)?;
    r.details.upgrade().log = Some(path.display().to_string());
    let mut argv = run.command.clone();
    argv.extend(
        [
            "-d",
            copy,
            "-u",
            &module_list(&u.modules),
            "--stop-after-init",
            "--no-http",
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    // The hard limit Odoo inherits: this process's for a local run; over
    // SSH the remote shell's, put in by the runner there.
    let place = steps.ctx.odoo_place(steps.link, run);
    let hard = match place {
        Place::Local => HardLimit::Known(odoo_run::hard_memory_limit()),
        Place::Node(_) | Place::Host(_) => HardLimit::Word(odoo_run::HARD_LIMIT_WORD),
    };
    argv.extend(crate::odoo::versions::odoo_memory_args(major, hard));
    argv.extend(
        crate::odoo::versions::odoo_logfile_args(major)
            .iter()
            .map(|s| s.to_string()),
    );
    let timeout = u.timeout.unwrap_or(run.timeout);
    let t0 = std::time::Instant::now();
    let ended = odoo_run::run(&place, &argv, file, timeout, steps.guard.first()).await?;
    r.details.upgrade().odoo_seconds = Some((t0.elapsed().as_secs_f64() * 1000.0).round() / 1000.0);
    if let Ended::Exited(code) = ended {
        r.details.upgrade().odoo_exit = code;
    }
    lc::end_sessions(&steps.maint.client, copy, steps.maint.deadline).await?;
    let log = std::fs::read(&path).unwrap_or_default();
    Ok((ended, String::from_utf8_lossy(&log).into_owned()))
}

/// Why the copy is not good, from how Odoo ended, its log and the copy's
/// modules (odoo-facts §9: exit 0 comes with failures too).
fn verify(ended: &Ended, log: &str, after: &up::ModulesState, m: &Modules) -> Vec<String> {
    let mut out = Vec::new();
    match ended {
        Ended::Exited(Some(0)) => {}
        Ended::Exited(Some(c)) => out.push(format!("Odoo exited with status {c}")),
        Ended::Exited(None) => out.push("Odoo was ended by a signal".into()),
        Ended::TimedOut => out.push("Odoo did not finish in time and was killed".into()),
        Ended::Stopped => out.push("interrupted: Odoo was killed".into()),
        Ended::Lost(why) => out.push(format!(
            "{why}: Odoo's run there was cut off (one that had started ends when its connection closes)"
        )),
    }
    if let Some(f) = up::log_failure(log) {
        out.push(format!(
            "{} ERROR/CRITICAL line(s) in Odoo's log, the first: {}{}",
            f.count,
            e(&f.first.chars().take(300).collect::<String>()),
            f.raised
                .map(|x| format!("; raised: {}", e(&x.chars().take(300).collect::<String>())))
                .unwrap_or_default()
        ));
    }
    let mut modules = module_problems(after, m, true, false);
    // A module the run was asked for that is gone is already said above.
    out.append(&mut modules);
    out
}

/// Each requested module's version before and after, then every other
/// installed module whose version moved (the modules that depend on a
/// requested one are upgraded with it).
fn versions(before: &up::ModulesState, after: &up::ModulesState) -> Vec<ModuleVersion> {
    let after_of = |name: &str| {
        after
            .installed
            .iter()
            .chain(&after.requested)
            .find(|a| a.name == name)
            .and_then(|a| a.version.clone())
    };
    let mut out: Vec<ModuleVersion> = before
        .requested
        .iter()
        .map(|b| ModuleVersion {
            name: b.name.clone(),
            before: b.version.clone(),
            after: after_of(&b.name),
        })
        .collect();
    for b in &before.installed {
        let now = after_of(&b.name);
        if now != b.version && !out.iter().any(|v| v.name == b.name) {
            out.push(ModuleVersion {
                name: b.name.clone(),
                before: b.version.clone(),
                after: now,
            });
        }
    }
    // Installed by the run (a new dependency).
    for a in &after.installed {
        if !before.installed.iter().any(|b| b.name == a.name)
            && !out.iter().any(|v| v.name == a.name)
        {
            out.push(ModuleVersion {
                name: a.name.clone(),
                before: None,
                after: a.version.clone(),
            });
        }
    }
    out
}

/// The swap: the original aside (soft-dropped, its record in its comment),
/// the copy under the tenant's name with the original's comment and
/// privileges, the filestore directories likewise, connections as before.
/// Each step is recorded for its undo until the last one.
async fn swap(steps: &mut Steps<'_>, db: &str, p: &Pre) -> std::result::Result<(), Fail> {
    let (maint, d) = (steps.maint, steps.maint.deadline);
    steps.next("swap").await?;
    // A new database allows connections: the copy takes none until it is
    // the tenant, and then only if the tenant did (a suspension's block
    // stays).
    tokio::try_join!(
        up::set_db_acl(&maint.client, &p.copy, &p.acl, d),
        lc::allow_connections(&maint.client, &p.copy, false, d),
        lc::end_sessions(&maint.client, &p.copy, d),
        lc::end_sessions(&maint.client, db, d),
    )?;
    let note = killed::kept_note(db, &p.info, "pre-upgrade");
    up::swap_in(
        &maint.client,
        db,
        &p.copy,
        &p.pre,
        &note,
        p.info.comment.as_deref(),
        d,
    )
    .await?;
    // Undone newest first: the copy's name back, then the tenant's.
    steps.done.push(Undo::RenameDb {
        from: p.pre.clone(),
        to: db.to_string(),
    });
    steps.done.push(Undo::RenameDb {
        from: db.to_string(),
        to: p.copy.clone(),
    });
    if let Some(fs) = steps.fs {
        steps.next("swap-files").await?;
        let (tenant_moved, copy_moved) = fs.swap(db, &p.copy, &p.pre).await?;
        if tenant_moved {
            steps.done.push(Undo::MoveDir {
                from: p.pre.clone(),
                to: db.to_string(),
            });
        }
        if copy_moved {
            steps.done.push(Undo::MoveDir {
                from: db.to_string(),
                to: p.copy.clone(),
            });
        }
    }
    // Connections once the files are in place too.
    if p.info.allow_connections {
        lc::allow_connections(&maint.client, db, true, d).await?;
    }
    // Done: nothing is undone from here.
    steps.done.clear();
    steps.next("done").await?;
    Ok(())
}

/// A copy that did not verify: kept, blocked and soft-dropped as
/// `<tenant>.upgrade-failed-<stamp>` (its filestore directory alongside),
/// then the original restored as it was.
async fn rejected(
    steps: &mut Steps<'_>,
    mut r: Report,
    who: &str,
    db: &str,
    p: &Pre,
    rej: Rejected,
) -> Report {
    let kept = keep_failed(steps, db, p).await;
    let left = steps.undo().await;
    let d = r.details.upgrade();
    d.problems = Some(rej.problems.clone());
    let kept_msg = match &kept {
        Ok(()) => {
            d.failed_copy = Some(p.failed.clone());
            format!("the copy is kept as {} (soft-dropped)", e(&p.failed))
        }
        Err(x) => format!("the copy could not be kept ({x:#}) and was removed"),
    };
    let log = d
        .log
        .clone()
        .map(|l| format!("; Odoo's log: {}", e(&l)))
        .unwrap_or_default();
    let tail = if left.is_empty() {
        format!("; {} is unchanged and unblocked", e(db))
    } else {
        format!(
            "; NOT everything could be undone, left behind: {}",
            left.join("; ")
        )
    };
    let m = format!(
        "{who}: not swapped in: {}; {kept_msg}{tail}{log}",
        rej.problems.join("; ")
    );
    let outcome = if !left.is_empty() {
        Outcome::Unknown
    } else if rej.interrupted {
        Outcome::Skipped
    } else {
        Outcome::Failed
    };
    r.fail(outcome, m)
}

/// Renames the copy aside with its drop record and moves its filestore
/// directory with it; its undo entries (drop it, remove its directory) go.
async fn keep_failed(steps: &mut Steps<'_>, db: &str, p: &Pre) -> anyhow::Result<()> {
    let (maint, d) = (steps.maint, steps.maint.deadline);
    let note = killed::kept_note(db, &p.info, "upgrade-failed");
    lc::allow_connections(&maint.client, &p.copy, false, d).await?;
    lc::end_sessions(&maint.client, &p.copy, d).await?;
    up::unmark_copy(&maint.client, &p.copy, d).await?;
    lc::rename_and_comment(&maint.client, &p.copy, &p.failed, Some(&note), d).await?;
    steps
        .done
        .retain(|u| !matches!(u, Undo::DropCopy(x) if *x == p.copy));
    if let Some(fs) = steps.fs {
        if fs.rename(&p.copy, &p.failed).await? {
            steps
                .done
                .retain(|u| !matches!(u, Undo::RemoveDir(x) if *x == p.copy));
        }
    }
    Ok(())
}
