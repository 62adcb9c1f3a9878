//! What each lifecycle write adds to its result, one type per operation:
//! the JSON fields beside the common ones of [`super::Report`] (README,
//! "JSON output"). A field is absent until the run reaches the step that
//! knows it (a dry run has `from` and no `seconds`).

use serde::Serialize;

use crate::transport::host::filestore::Copied;

/// The fields of one operation's result, flattened into the report.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(untagged)]
pub enum Details {
    /// passwd, suspend, reactivate: their fields are the report's own.
    #[default]
    None,
    /// create, duplicate, bulk create.
    Copy(CopyDetails),
    Rename(RenameDetails),
    /// drop, undrop, purge.
    Drop(DropDetails),
    Backup(BackupDetails),
    Restore(RestoreDetails),
    Move(MoveDetails),
}

/// `create` and `duplicate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CopyDetails {
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
    variant!(copy, Copy, CopyDetails);
    variant!(rename, Rename, RenameDetails);
    variant!(drop, Drop, DropDetails);
    variant!(backup, Backup, BackupDetails);
    variant!(restore, Restore, RestoreDetails);
    variant!(moved, Move, MoveDetails);
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
