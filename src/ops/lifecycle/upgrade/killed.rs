//! An upgrade's records, and the next run's work when one was killed
//! outright: a swap that began is finished (the copy had been verified), a
//! run killed before its swap is undone (the copy removed, the tenant
//! unblocked as it was).

use super::*;

/// The comment of a tenant while it is upgraded: who blocks it and why
/// (visible to `list`, `check` and other operators).
pub(super) fn upgrading_note(copy: &str) -> String {
    up::Upgrading {
        copy: copy.to_string(),
        pid: std::process::id(),
        host: crate::audit::hostname(),
        at: now_rfc3339(),
    }
    .comment()
}

/// The record of an upgrade in a database's comment, if it is one.
pub(in crate::ops::lifecycle) fn upgrading_record(comment: &str) -> Option<up::Upgrading> {
    up::Upgrading::parse(comment)
}

/// Whether an upgrade is working on the database (its record in the
/// comment).
pub(in crate::ops::lifecycle) fn upgrading(info: &lc::DbInfo) -> bool {
    info.comment.as_deref().and_then(upgrading_record).is_some()
}

/// The refusal of a lifecycle command on a tenant an upgrade works on.
pub(in crate::ops::lifecycle) fn busy_upgrading(who: &str) -> (Outcome, String) {
    (
        Outcome::Refused,
        format!("{who}: an upgrade is working on it (see `tenantctl list`); nothing changed"),
    )
}

/// The comment of the copy while Odoo works on it.
pub(super) fn copy_note(db: &str) -> String {
    json!({ "tenantctl_upgrade_copy": {
        "of": db, "pid": std::process::id(), "host": crate::audit::hostname(), "at": now_rfc3339(),
    }})
    .to_string()
}

/// The comment of what an upgrade keeps (the original after a swap, a
/// failed copy): a drop's record, so that `list --dropped`, `undrop` and
/// `purge` know it (undrop restores the tenant's comment and whether it
/// allowed connections).
pub(super) fn kept_note(db: &str, info: &lc::DbInfo, kind: &str) -> String {
    json!({ "tenantctl_dropped": {
        "name": db, "at": now_rfc3339(), "by": crate::audit::operator(),
        "previous_comment": info.comment, "allow_connections": info.allow_connections,
        "upgrade": kind,
    }})
    .to_string()
}

/// What a killed upgrade's record says.
pub(in crate::ops::lifecycle) struct KilledUpgrade<'a> {
    pub node: &'a str,
    pub tenant: &'a str,
    pub copy: &'a str,
    pub pre: &'a str,
    pub allowed_before: bool,
    pub previous_comment: Option<&'a str>,
    /// The killed run: `pid N on HOST, started AT`.
    pub run: String,
}

/// Finishes or undoes the upgrade a killed run (`k`) left, from what the
/// node shows; what was done goes into `r`'s warnings and its audit lines
/// ([`settle`]).
pub(in crate::ops::lifecycle) async fn finish_killed_upgrade(
    maint: &Conn,
    fs: Option<&Filestore>,
    r: &mut Report,
    k: &KilledUpgrade<'_>,
) -> anyhow::Result<()> {
    let (c, d) = (&maint.client, maint.deadline);
    let mut did = Vec::new();
    let copy = lc::db_info(c, k.copy, d).await;
    let pre = lc::db_info(c, k.pre, d).await;
    let (copy, pre) = match (copy, pre) {
        (Ok(c), Ok(p)) => (c, p),
        (Err(x), _) | (_, Err(x)) => {
            let found = format!(
                "the upgrade of {} that a tenantctl run ({}) killed left",
                e(k.tenant),
                k.run
            );
            return settle(r, k.node, k.tenant, &found, did, Err(x));
        }
    };
    if pre.is_some() {
        // The swap had begun: the copy was verified. Finish it.
        let done = finish_swap(maint, fs, k, copy.is_some(), &mut did).await;
        if !did.is_empty() {
            did.push(format!("the original is kept as {}", e(k.pre)));
        }
        let found = format!(
            "finished the upgrade of {} that a tenantctl run ({}) killed during its swap left",
            e(k.tenant),
            k.run
        );
        return settle(r, k.node, k.tenant, &found, did, done);
    }
    // Killed before its swap: undo.
    let done = undo(maint, fs, k, copy.is_some(), &mut did).await;
    if !did.is_empty() && done.is_ok() {
        did.push("the tenant is as it was".into());
    }
    let found = format!(
        "undid the upgrade of {} that a tenantctl run ({}) killed before its swap left",
        e(k.tenant),
        k.run
    );
    settle(r, k.node, k.tenant, &found, did, done)
}

/// The swap of a killed upgrade finished: the copy renamed to the tenant
/// (when it is still there and the tenant's name free), the filestore
/// directories likewise, connections as the tenant had them.
async fn finish_swap(
    maint: &Conn,
    fs: Option<&Filestore>,
    k: &KilledUpgrade<'_>,
    copy: bool,
    did: &mut Vec<String>,
) -> anyhow::Result<()> {
    let (c, d) = (&maint.client, maint.deadline);
    if copy && lc::db_info(c, k.tenant, d).await?.is_none() {
        lc::end_sessions(c, k.copy, d).await?;
        up::unmark_copy(c, k.copy, d).await?;
        lc::rename_and_comment(c, k.copy, k.tenant, k.previous_comment, d).await?;
        did.push(format!(
            "renamed the upgraded copy {} to {}",
            e(k.copy),
            e(k.tenant)
        ));
    }
    if let Some(fs) = fs {
        if fs.exists(k.copy).await? {
            if fs.exists(k.tenant).await? && !fs.exists(k.pre).await? {
                fs.rename(k.tenant, k.pre).await?;
            }
            if !fs.exists(k.tenant).await? {
                fs.rename(k.copy, k.tenant).await?;
                did.push(format!(
                    "moved the filestore {} to {}",
                    fs.show(k.copy),
                    fs.show(k.tenant)
                ));
            }
        }
    }
    if let Some(now) = lc::db_info(c, k.tenant, d).await? {
        // As the tenant was (blocked by a suspension: blocked), unless
        // its comment changed since.
        if now.allow_connections != k.allowed_before && now.comment.as_deref() == k.previous_comment
        {
            lc::allow_connections(c, k.tenant, k.allowed_before, d).await?;
            did.push(format!(
                "{} connections to {}",
                if k.allowed_before {
                    "allowed"
                } else {
                    "blocked"
                },
                e(k.tenant)
            ));
        }
    }
    Ok(())
}

/// A killed upgrade undone: the copy removed (database and filestore
/// directory), the tenant given back its comment and connections when the
/// upgrade's record is still in its comment.
async fn undo(
    maint: &Conn,
    fs: Option<&Filestore>,
    k: &KilledUpgrade<'_>,
    copy: bool,
    did: &mut Vec<String>,
) -> anyhow::Result<()> {
    let (c, d) = (&maint.client, maint.deadline);
    if copy {
        up::drop_copy(c, k.copy, d).await?;
        did.push(format!("removed the copy {}", e(k.copy)));
    }
    if let Some(fs) = fs {
        if fs.exists(k.copy).await? {
            fs.remove(k.copy).await?;
            if !copy {
                did.push(format!("removed the copy's filestore {}", fs.show(k.copy)));
            }
        }
    }
    if let Some(now) = lc::db_info(c, k.tenant, d).await? {
        let ours = now
            .comment
            .as_deref()
            .and_then(upgrading_record)
            .is_some_and(|n| n.copy == k.copy);
        if ours {
            up::block_with_comment(c, k.tenant, k.previous_comment, k.allowed_before, d).await?;
            did.push(format!(
                "gave {} back its comment{}",
                e(k.tenant),
                if k.allowed_before {
                    " and its connections"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(())
}
