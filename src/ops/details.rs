//! What each write adds to its result, one type per operation: the JSON
//! fields beside the common ones of [`super::Report`] (README, "JSON
//! output"). A field is absent until the run reaches the step that knows it
//! (a dry run has `from` and no `seconds`).

use serde::Serialize;

use crate::transport::host::filestore::Copied;

/// The fields of one operation's result, flattened into the report's JSON:
/// a write on users' before its `plan`, a lifecycle write's after it (see
/// [`Details::on_users`]).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(untagged)]
pub enum Details {
    /// Nothing known yet (or a lifecycle write that failed before its first
    /// step).
    #[default]
    None,
    /// passwd, bulk passwd.
    Passwd(PasswdDetails),
    Suspend(SuspendDetails),
    Reactivate(ReactivateDetails),
    /// create, duplicate, bulk create.
    Copy(CopyDetails),
    Rename(RenameDetails),
    Upgrade(UpgradeDetails),
    /// drop, undrop, purge.
    Drop(DropDetails),
    Backup(BackupDetails),
    Restore(RestoreDetails),
    Move(MoveDetails),
}

/// `passwd`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PasswdDetails {
    /// The user whose password is (or would be) set. Written by the report
    /// before the other fields (see [`Details::login`]).
    #[serde(skip)]
    pub login: Option<String>,
    /// The cache signal sent (or that would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<&'static str>,
}

/// `suspend`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuspendDetails {
    /// The cache signal sent (or that would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<&'static str>,
    /// An earlier suspension's, when the tenant already was suspended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_reason: Option<String>,
    /// Per layer, what was (or would be) switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<LayerCounts>,
}

/// `reactivate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReactivateDetails {
    /// Recorded ids that are not users of the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_users: Option<Vec<i64>>,
    /// Recorded ids never switched on: id 1, the templates, the public user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_users: Option<Vec<i64>>,
    /// The cache signal sent (or that would be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<&'static str>,
    /// Per layer, what was (or would be) switched on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<LayerCounts>,
}

/// Per layer, what a suspend or reactivate switched (JSON `layers`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerCounts {
    pub users: usize,
    /// Of `users`, portal users (`share`); the others are internal users,
    /// what `list` counts.
    pub portal_users: usize,
    pub crons: usize,
    /// Mail and fetchmail servers switched off (suspend) or on (reactivate);
    /// tenantctl's stand-in is not one of them.
    pub mail: usize,
    /// Suspend: tenantctl's stand-in outgoing server (host `invalid`) added
    /// (or, in a dry run, to be added).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub standin: bool,
    /// The database blocked (suspend) or unblocked (reactivate).
    pub connections: bool,
    /// Mail put back in the queue at reactivation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requeued: Option<usize>,
    /// Layers whose tables the tenant lacks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<&'static str>,
}

/// `create` and `duplicate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CopyDetails {
    /// The new admin login. Written by the report before the other fields
    /// (see [`Details::login`]).
    #[serde(skip)]
    pub login: Option<String>,
    /// The template or source tenant.
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore: Option<Copied>,
    /// Identity keys removed from the copy (`ir_config_parameter`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_keys: Vec<String>,
    /// `--neutralize`: what was switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neutralized: Option<Vec<String>>,
    /// `--neutralize`: the modules whose statements ran (or would run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neutralized_modules: Option<Vec<String>>,
}

/// `rename`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenameDetails {
    pub new_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// The new web.base.url, when it followed the node's pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

/// `upgrade` (issue 27).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpgradeDetails {
    /// The modules asked for (`["all"]` for `-u all`).
    pub modules: Vec<String>,
    /// The copy Odoo upgrades (`NAME.upgrading-<stamp>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// The original, kept (soft-dropped) as the rollback point after a
    /// swap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_upgrade: Option<String>,
    /// `--rollback`: the upgraded database, kept (soft-dropped) under this
    /// name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_back_as: Option<String>,
    /// The failed copy, kept (soft-dropped) for inspection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_copy: Option<String>,
    /// Each requested module's version before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<ModuleVersion>>,
    /// Why the copy was not swapped in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<String>>,
    /// Odoo's output, kept under the state directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// Odoo's exit status (absent when it was killed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odoo_exit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odoo_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<i64>,
}

/// A module's version before and after an upgrade.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ModuleVersion {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// `drop`, `undrop`, `purge`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DropDetails {
    /// The dropped database's name (`acme.dropped-…`).
    pub dropped_name: String,
}

/// `backup` and each row of `bulk backup`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BackupDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore_files: Option<u64>,
    /// Dumped from a snapshot copy (`--snapshot`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub snapshot: bool,
    /// Older backups removed by `--keep`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned: Option<Vec<String>>,
}

/// `restore`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RestoreDetails {
    pub file: String,
    /// `copy` (new identity) or `move` (`--keep-identity`).
    pub mode: &'static str,
    /// The manifest's `db_name` and `version` (zip backups), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_db_name: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_version: Option<serde_json::Value>,
    /// The role the database is loaded as and owned by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The backup was of a blocked (suspended) tenant: it stays blocked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore_files: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// `move`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MoveDetails {
    /// The source, `NODE/TENANT`.
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_bytes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore_files: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filestore_bytes: Option<u64>,
    /// The source's name once soft-dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_dropped_as: Option<String>,
    /// The command that reactivates a suspended tenant on its new node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `details.copy()` etc.: the operation's fields, made empty the first time.
macro_rules! variant {
    ($fn:ident, $variant:ident, $ty:ty) => {
        pub fn $fn(&mut self) -> &mut $ty {
            if !matches!(self, Details::$variant(_)) {
                *self = Details::$variant(<$ty>::default());
            }
            match self {
                Details::$variant(d) => d,
                _ => unreachable!("set just above"),
            }
        }
    };
}

impl Details {
    variant!(passwd, Passwd, PasswdDetails);
    variant!(suspend, Suspend, SuspendDetails);
    variant!(reactivate, Reactivate, ReactivateDetails);
    variant!(copy, Copy, CopyDetails);
    variant!(rename, Rename, RenameDetails);
    variant!(upgrade, Upgrade, UpgradeDetails);
    variant!(drop, Drop, DropDetails);
    variant!(backup, Backup, BackupDetails);
    variant!(restore, Restore, RestoreDetails);
    variant!(moved, Move, MoveDetails);

    /// A write on users (passwd, suspend, reactivate): the JSON has its
    /// fields before the `plan`, a lifecycle write's after it.
    pub fn on_users(&self) -> bool {
        matches!(
            self,
            Details::Passwd(_) | Details::Suspend(_) | Details::Reactivate(_)
        )
    }

    /// The login a passwd set or a copy's admin got: the audit line's
    /// `login`, and the first field of the JSON details.
    pub fn login(&self) -> Option<&str> {
        match self {
            Details::Passwd(d) => d.login.as_deref(),
            Details::Copy(d) => d.login.as_deref(),
            _ => None,
        }
    }

    /// The `connections` layer switched: a suspend that blocked the
    /// database, a reactivate that allowed its connections again.
    pub fn connections_switched(&mut self, op: super::Op) {
        let layers = match op {
            super::Op::Suspend => &mut self.suspend().layers,
            super::Op::Reactivate => &mut self.reactivate().layers,
            _ => return,
        };
        layers.get_or_insert_with(Default::default).connections = true;
    }

    /// Records the cache signal of a write on users (the variant `op`'s);
    /// the lifecycle writes send none.
    pub fn set_signal(&mut self, op: super::Op, signal: &'static str) {
        match op {
            super::Op::Passwd => self.passwd().signal = Some(signal),
            super::Op::Suspend => self.suspend().signal = Some(signal),
            super::Op::Reactivate => self.reactivate().signal = Some(signal),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flattened into a report, a variant's fields sit beside the common
    /// ones and `None` adds nothing.
    #[test]
    fn flattened_fields() {
        #[derive(Serialize)]
        struct R {
            tenant: &'static str,
            #[serde(flatten)]
            details: Details,
        }
        let none = serde_json::to_value(R {
            tenant: "a",
            details: Details::None,
        })
        .unwrap();
        assert_eq!(none, serde_json::json!({"tenant": "a"}));
        let mut d = Details::None;
        d.drop().dropped_name = "a.dropped-x".into();
        let v = serde_json::to_value(R {
            tenant: "a",
            details: d,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"tenant": "a", "dropped_name": "a.dropped-x"})
        );
    }
}
