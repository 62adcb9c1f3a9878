//! Recovery of runs killed outright: staging databases and filestore directories marked by a
//! tenantctl process that is gone are removed by the next run on the node; `check` lists them.

use super::*;

/// The comment of a database being built: tenantctl's record of the build
/// (`clean_stale` reads it), by this process on this host.
pub(super) fn staging_note(name: &str, snapshot_of: Option<&str>) -> String {
    let mut rec = json!({
        "name": name, "pid": std::process::id(), "host": crate::audit::hostname(), "at": now_rfc3339(),
    });
    if let Some(s) = snapshot_of {
        rec["snapshot_of"] = json!(s);
    }
    json!({ "tenantctl_creating": rec }).to_string()
}

/// The marker of a database or filestore directory being built.
pub(super) const CREATING: &str = ".creating-";

/// `NAME.creating-<8 hex>` within 63 bytes (random: concurrent runs never
/// share one).
pub(super) fn staging_name(name: &str) -> String {
    let mut b = [0u8; 4];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    let tag: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let keep = MAX_NAME - CREATING.len() - tag.len();
    let mut cut = name.len().min(keep);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{CREATING}{tag}", &name[..cut])
}
/// Removes what runs killed outright left on the node: staging databases
/// (and their filestore directories) recorded by a tenantctl process of
/// this host that is gone, in their comment or, for one killed between its
/// `CREATE DATABASE` and that comment, in the local record written before
/// it ([`building`]). Others are only warned about.
pub(super) async fn clean_stale(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
) {
    clean_stale_known(link, maint, fs, r, None).await
}

/// [`clean_stale`] with the node's staging databases already read
/// ([`lc::creating`], with the checks).
pub(super) async fn clean_stale_known(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    existing: Option<Vec<(String, Option<String>)>>,
) {
    if let Err(x) = finish_killed(link, maint, fs, r, existing).await {
        r.warnings
            .push(format!("looking for leftovers of killed runs: {x:#}"));
    }
}

pub(super) async fn finish_killed(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    existing: Option<Vec<(String, Option<String>)>>,
) -> anyhow::Result<()> {
    let existing = match existing {
        Some(e) => e,
        None => lc::creating(&maint.client, maint.deadline).await?,
    };
    remove_killed_builds(link, maint, fs, r, &existing).await?;
    let node = link.name();
    for (path, rec) in building::dead_records(link) {
        let mut did = Vec::new();
        match &rec.then {
            // The CREATE failed, or the database was dropped again: nothing
            // to remove but the record.
            Then::Build => {
                if !existing.iter().any(|(db, _)| *db == rec.db) {
                    let _ = std::fs::remove_file(path);
                }
            }
            // Killed between renaming the database and its filestore: the
            // directory follows the database, when the node shows exactly
            // that state (the database renamed, the directory not).
            Then::Move {
                from,
                allow,
                allowed_before,
            } => {
                let Some(fs) = fs else { continue };
                let done =
                    finish_move(maint, fs, r, &rec, from, *allow, *allowed_before, &mut did).await;
                let found = format!(
                    "finished the move of {} to {} that a tenantctl run ({}) killed between its database and its filestore left",
                    e(from),
                    e(&rec.db),
                    killed_run(&rec)
                );
                settle(r, node, &rec.db, &found, did, done)?;
                let _ = std::fs::remove_file(path);
            }
            // Killed before it dropped its loader role (the databases it
            // owned were removed above).
            Then::Role => {
                if !crate::odoo::loader::is_loader_name(&rec.db) {
                    continue;
                }
                let done = finish_role(maint, fs, &rec, &mut did).await;
                let found = format!(
                    "a tenantctl restore ({}) was killed before it dropped its loader role {}",
                    killed_run(&rec),
                    e(&rec.db)
                );
                // A role that cannot be dropped yet is said and left for
                // the next run (its record stays).
                match settle(r, node, &rec.db, &found, did, done) {
                    Ok(()) => {
                        let _ = std::fs::remove_file(path);
                    }
                    Err(x) => r.warnings.push(format!("{x:#}")),
                }
            }
            // An upgrade killed outright (issue 27): finished when its swap
            // had begun, else undone.
            Then::Upgrade {
                copy,
                pre,
                allowed_before,
                previous_comment,
                ..
            } => {
                let k = super::upgrade::KilledUpgrade {
                    node,
                    tenant: &rec.db,
                    copy,
                    pre,
                    allowed_before: *allowed_before,
                    previous_comment: previous_comment.as_deref(),
                    run: killed_run(&rec),
                };
                super::upgrade::finish_killed_upgrade(maint, fs, r, &k).await?;
                let _ = std::fs::remove_file(path);
            }
            // Killed between dropping the database and its filestore.
            Then::Remove => {
                let Some(fs) = fs else { continue };
                let done = finish_remove(maint, fs, &rec, &mut did).await;
                let found = format!(
                    "a tenantctl run ({}) was killed after it purged database {}",
                    killed_run(&rec),
                    e(&rec.db)
                );
                settle(r, node, &rec.db, &found, did, done)?;
                let _ = std::fs::remove_file(path);
            }
        }
    }
    Ok(())
}

/// The killed run of a local record: `pid N on HOST, started AT`.
fn killed_run(rec: &building::Record) -> String {
    run_of(rec.pid, &rec.host, Some(&rec.at))
}

fn run_of(pid: u32, host: &str, at: Option<&str>) -> String {
    match at {
        Some(at) => format!("pid {pid} on {}, started {}", e(host), e(at)),
        None => format!("pid {pid} on {}", e(host)),
    }
}

/// One piece of a killed run's work on `tenant`, finished or undone
/// (`did`: what was done, in order): said in a warning (`found: did`) and
/// recorded for the audit log ([`Report::recovered`], action `recover`).
/// Nothing done and no error: nothing to say. An error is recorded as the
/// piece's failure, with what was done before it, and returned with `found`.
pub(super) fn settle(
    r: &mut Report,
    node: &str,
    tenant: &str,
    found: &str,
    did: Vec<String>,
    done: anyhow::Result<()>,
) -> anyhow::Result<()> {
    if did.is_empty() && done.is_ok() {
        return Ok(());
    }
    let reason = if did.is_empty() {
        found.to_string()
    } else {
        format!("{found}: {}", did.join(", "))
    };
    let error = done.as_ref().err().map(|x| format!("{x:#}"));
    if error.is_none() {
        r.warnings.push(reason.clone());
    }
    r.recovered.push(crate::ops::audit::Recovered {
        node: node.to_string(),
        tenant: tenant.to_string(),
        reason: reason.clone(),
        error,
    });
    done.map_err(|x| x.context(reason))
}

/// The staging databases (with their filestore directories and local
/// records) of runs killed outright are removed; those of live runs, of
/// other hosts and without a record are left, with a warning for the last
/// two.
async fn remove_killed_builds(
    link: &NodeLink,
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    existing: &[(String, Option<String>)],
) -> anyhow::Result<()> {
    for (db, comment) in existing {
        let (pid, at, local) = match leftover(link, db, comment.as_deref()) {
            Leftover::Killed { pid, at, local } => (pid, at, local),
            Leftover::Live => continue,
            Leftover::Elsewhere { host, .. } => {
                r.warnings.push(format!(
                    "{} is being built (or was left) by tenantctl on {}; not touched",
                    e(db),
                    e(&host)
                ));
                continue;
            }
            Leftover::Unrecorded => {
                r.warnings.push(format!(
                    "{} looks like a database tenantctl builds but carries no record of it \
                     (a run of another user or host killed right after its CREATE DATABASE?); \
                     not touched: drop it by hand if no tenantctl run is making it",
                    e(db)
                ));
                continue;
            }
        };
        // The name being built (the staging name without its marker).
        let name = db.rfind(CREATING).map_or(db.as_str(), |i| &db[..i]);
        let mut did = Vec::new();
        let done = async {
            lc::drop_database(&maint.client, db, maint.deadline).await?;
            did.push(format!("removed the staging database {}", e(db)));
            if let Some(fs) = fs {
                if fs.exists(db).await? {
                    fs.remove(db).await?;
                    did.push(format!("removed its filestore directory {}", fs.show(db)));
                }
            }
            anyhow::Ok(())
        }
        .await;
        let found = format!(
            "a tenantctl run ({}) was killed while it built {}",
            run_of(pid, &crate::audit::hostname(), at.as_deref()),
            e(name)
        );
        settle(r, link.name(), name, &found, did, done)?;
        if let Some(path) = local {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// A move (rename, drop, undrop) killed between its database and its
/// filestore directory: the directory follows the database, and
/// connections are allowed again when the run would have (`did`: what was
/// done).
#[allow(clippy::too_many_arguments)]
async fn finish_move(
    maint: &Conn,
    fs: &Filestore,
    r: &mut Report,
    rec: &building::Record,
    from: &str,
    allow: bool,
    allowed_before: bool,
    did: &mut Vec<String>,
) -> anyhow::Result<()> {
    let d = maint.deadline;
    let now = lc::db_info(&maint.client, &rec.db, d).await?;
    let before = lc::db_info(&maint.client, from, d).await?;
    let renamed = now.is_some() && before.is_none();
    // Blocked by a suspension since (its record in the
    // comment): left alone.
    let unblocked_by_us = |i: &lc::DbInfo| {
        !i.allow_connections
            && i.comment
                .as_deref()
                .and_then(crate::odoo::layers::Blocked::parse)
                .is_none()
    };
    if now.is_none() && allowed_before && before.as_ref().is_some_and(unblocked_by_us) {
        r.warnings.push(format!(
            "{} was left not allowing connections by a tenantctl run (pid {}) killed before it renamed it; \
             not changed: allow them (ALTER DATABASE ... ALLOW_CONNECTIONS true) if it should take them",
            e(from),
            rec.pid
        ));
    }
    if renamed && fs.exists(from).await? && !fs.exists(&rec.db).await? {
        fs.rename(from, &rec.db).await?;
        did.push(format!(
            "moved the filestore {} to {}",
            fs.show(from),
            fs.show(&rec.db)
        ));
    }
    if renamed && allow && now.as_ref().is_some_and(unblocked_by_us) {
        lc::allow_connections(&maint.client, &rec.db, true, d).await?;
        did.push(format!("allowed connections to {} again", e(&rec.db)));
    }
    Ok(())
}

/// A purge killed between its database and its filestore directory: the
/// directory of a database that is gone is removed.
async fn finish_remove(
    maint: &Conn,
    fs: &Filestore,
    rec: &building::Record,
    did: &mut Vec<String>,
) -> anyhow::Result<()> {
    if lc::db_info(&maint.client, &rec.db, maint.deadline)
        .await?
        .is_none()
        && fs.exists(&rec.db).await?
    {
        fs.remove(&rec.db).await?;
        did.push(format!("removed the filestore {}", fs.show(&rec.db)));
    }
    Ok(())
}

/// A restore killed before it dropped its loader role: the databases the
/// role owns, then the role.
async fn finish_role(
    maint: &Conn,
    fs: Option<&Filestore>,
    rec: &building::Record,
    did: &mut Vec<String>,
) -> anyhow::Result<()> {
    let d = maint.deadline;
    for db in crate::odoo::loader::owned_databases(&maint.client, &rec.db, d).await? {
        lc::drop_database(&maint.client, &db, d).await?;
        if let Some(fs) = fs {
            fs.remove(&db).await?;
        }
        did.push(format!("removed the database {} it owned", e(&db)));
    }
    crate::odoo::loader::drop_role(&maint.client, &rec.db, d).await?;
    did.push(format!("dropped the role {}", e(&rec.db)));
    Ok(())
}

/// A record's steps are over: done, or undone with nothing left behind.
/// (With something left, the record stays for the next run to look at.)
pub(super) fn settled(record: Option<building::Intent>, r: &Report) {
    if let Some(i) = record {
        if r.outcome != Outcome::Unknown {
            i.clear();
        }
    }
}

/// Whose a database named like a build (`NAME.creating-<hex>`) is.
pub(crate) enum Leftover {
    /// Recorded (its comment, or the local record written before its
    /// `CREATE`) by a tenantctl process of this host that is gone.
    Killed {
        pid: u32,
        /// When it started, as recorded.
        at: Option<String>,
        local: Option<std::path::PathBuf>,
    },
    /// Recorded by a process of this host that is running.
    Live,
    /// Recorded by tenantctl on another host (`at`: when, as recorded).
    Elsewhere { host: String, at: Option<String> },
    /// No record at all (another user's or host's run killed right after
    /// its `CREATE DATABASE`, or not tenantctl's).
    Unrecorded,
}

/// What the record of `db` (its comment, then the local one) says.
pub(crate) fn leftover(link: &NodeLink, db: &str, comment: Option<&str>) -> Leftover {
    let rec = comment
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|v| v.get("tenantctl_creating").cloned());
    let local = building::find(link, db);
    let (pid, host, at) = match (&rec, &local) {
        (Some(rec), _) => (
            rec.get("pid").and_then(Value::as_u64).unwrap_or(0) as u32,
            rec.get("host")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            rec.get("at").and_then(Value::as_str).map(str::to_string),
        ),
        (None, Some((_, l))) => (l.pid, l.host.clone(), Some(l.at.clone())),
        (None, None) => return Leftover::Unrecorded,
    };
    if host != crate::audit::hostname() {
        return Leftover::Elsewhere { host, at };
    }
    if building::alive(pid) {
        return Leftover::Live;
    }
    Leftover::Killed {
        pid,
        at,
        local: local.map(|(p, _)| p),
    }
}

/// What `check` says of the local records of killed runs on `link` that
/// wait for the next lifecycle command on the node (moves and removals of
/// filestore directories).
pub(crate) fn pending_steps(link: &NodeLink) -> Vec<String> {
    building::dead_records(link)
        .into_iter()
        .filter_map(|(_, rec)| match rec.then {
            Then::Build => None,
            Then::Move { from, .. } => Some(format!(
                "a tenantctl run (pid {}, {}) was killed between renaming database {} to {} and moving its filestore; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node finishes it",
                rec.pid,
                e(&rec.at),
                e(&from),
                e(&rec.db)
            )),
            Then::Remove => Some(format!(
                "a tenantctl run (pid {}, {}) was killed between purging database {} and removing its filestore; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node removes it",
                rec.pid,
                e(&rec.at),
                e(&rec.db)
            )),
            Then::Upgrade { copy, .. } => Some(format!(
                "a tenantctl upgrade (pid {}, {}) of {} was killed (its copy {}); \
                 the next create/duplicate/restore/rename/drop/undrop/purge/upgrade on the node finishes or undoes it",
                rec.pid,
                e(&rec.at),
                e(&rec.db),
                e(&copy)
            )),
            Then::Role => Some(format!(
                "a tenantctl restore (pid {}, {}) was killed before dropping its temporary loader role {}; \
                 the next create/duplicate/restore/rename/drop/undrop/purge on the node drops it",
                rec.pid,
                e(&rec.at),
                e(&rec.db)
            )),
        })
        .collect()
}

/// The local record of a database step followed by a filestore step (see
/// [`building`]): None without a filestore (nothing would follow), or when
/// it cannot be written (said, and the command goes on).
pub(super) fn record_then(
    ctx: &Ctx,
    link: &NodeLink,
    fs: Option<&Filestore>,
    db: &str,
    then: Then,
) -> Option<building::Intent> {
    fs?;
    match building::Intent::write_then(link, db, then) {
        Ok(i) => Some(i),
        Err(x) => {
            ctx.printer.warn(format!(
                "the local record of the change of {} could not be written ({x}); a kill -9 between its database and filestore steps would not be finished by the next run",
                e(db)
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A piece of a killed run's work: nothing done is nothing said; done,
    /// it is warned about and recorded; failed, it is recorded with what
    /// was done before and the error, which is returned naming it.
    #[test]
    fn settle_says_and_records_each_piece() {
        let mut r = Report::new(None, "acme", Op::Create);
        settle(&mut r, "n1", "a", "found a", vec![], Ok(())).unwrap();
        assert!(r.warnings.is_empty() && r.recovered.is_empty());
        settle(&mut r, "n1", "b", "found b", vec!["did x".into()], Ok(())).unwrap();
        assert_eq!(r.warnings, ["found b: did x"]);
        let x = settle(
            &mut r,
            "n1",
            "c",
            "found c",
            vec!["did y".into()],
            Err(anyhow!("disk full")),
        )
        .unwrap_err();
        assert_eq!(format!("{x:#}"), "found c: did y: disk full");
        assert_eq!(r.warnings.len(), 1);
        let rec: Vec<(&str, &str, Option<&str>)> = r
            .recovered
            .iter()
            .map(|w| (w.tenant.as_str(), w.reason.as_str(), w.error.as_deref()))
            .collect();
        assert_eq!(
            rec,
            [
                ("b", "found b: did x", None),
                ("c", "found c: did y", Some("disk full")),
            ]
        );
    }
}
