//! The private snapshot a blocked tenant is backed up from.

use anyhow::anyhow;

use crate::odoo::layers::Blocked;
use crate::odoo::lifecycle as lc;
use crate::ops::lifecycle::{building, e, maintenance, pause_point, staging_name, staging_note};
use crate::ops::Ctx;
use crate::targets::Target;

/// The private copy a blocked tenant is dumped from: the tenant stays
/// blocked (nothing lets Odoo back in), the copy is reachable by
/// tenantctl's role only ([`lc::snapshot`]) and dropped when the dump is
/// written or failed. Named like a database being built, with its record in
/// the comment, so that the next create/duplicate/restore on the node
/// removes one a kill -9 left behind.
pub(super) struct Snapshot {
    pub(super) name: String,
    /// tenantctl's record of the block (suspension layer `connections`),
    /// carried in the zip's manifest so that a restore blocks the copy too.
    pub(super) blocked: Option<Blocked>,
}

impl Snapshot {
    /// None when `db` is not blocked (the connection failed for another
    /// reason, said by the caller).
    pub(super) async fn take(ctx: &Ctx, t: &Target) -> anyhow::Result<Option<Snapshot>> {
        let m = maintenance(ctx, &t.link).await?;
        let (blocked, owner) = match lc::db_info(&m.client, &t.db, m.deadline).await? {
            Some(info) if !info.allow_connections => {
                (info.comment.as_deref().and_then(Blocked::parse), info.owner)
            }
            _ => return Ok(None),
        };
        let name = staging_name(&t.db);
        let note = staging_note(&t.db, Some(&t.db));
        // The local record covers a kill between its CREATE and its
        // comment; kept when making it failed (the next clean-up removes a
        // record whose database is gone, or the database it left).
        let intent = building::Intent::write(&t.link, &name);
        if let Err(x) = &intent {
            ctx.printer.warn(format!(
                "the local record of {} could not be written ({x}); a kill -9 right after its \
                 CREATE DATABASE would leave it unmarked",
                e(&name)
            ));
        }
        let made = async {
            lc::snapshot(&m.client, &name, &t.db, &owner, m.deadline).await?;
            pause_point("snapshot-mark").await;
            lc::open_snapshot(&m.client, &name, &owner, &note, m.deadline).await
        };
        made.await.map_err(|x| {
                anyhow!(
                    "{}/{} is blocked (ALLOW_CONNECTIONS false) and is dumped from a snapshot, \
                     which could not be made (PostgreSQL lets only a superuser or the database's owner \
                     copy it): {x:#}",
                    t.link.name(),
                    e(&t.db)
                )
            })?;
        if let Ok(i) = intent {
            i.clear();
        }
        Ok(Some(Snapshot { name, blocked }))
    }

    /// Drops the copy (on a new maintenance connection: the node's
    /// connection slots are not held meanwhile). What could not be dropped
    /// is returned as a warning.
    pub(super) async fn remove(self, ctx: &Ctx, t: &Target) -> Option<String> {
        let r = match maintenance(ctx, &t.link).await {
            Ok(m) => lc::drop_database(&m.client, &self.name, m.deadline).await,
            Err(x) => Err(x),
        };
        r.err().map(|x| {
            format!(
                "the snapshot {} was not dropped ({x:#}); drop it, or the next create/duplicate/restore on {} does",
                e(&self.name),
                t.link.name()
            )
        })
    }
}
