//! Everything tenantctl knows about Odoo: how to recognise a tenant database,
//! how Odoo hashes passwords, how suspension is recorded, and how running Odoo
//! workers are told that cached data changed. Every SQL statement of tenantctl
//! lives below this module, next to the Odoo behaviour it relies on.

pub mod argon2_guard;
pub mod check;
pub mod details;
pub mod password;
pub mod privileges;
pub mod probe;
pub mod signal;
pub mod suspension;
pub mod users;

/// ICP keys written by tenantctl (and, for `tenant.suspended`, by the old node
/// agent before it).
pub mod keys {
    pub const SUSPENDED: &str = "tenant.suspended";
    pub const SUSPENDED_AT: &str = "tenant.suspended_at";
    pub const SUSPENDED_BY: &str = "tenant.suspended_by";
    pub const SUSPENDED_REASON: &str = "tenant.suspended_reason";
    pub const SUSPENDED_USER_IDS: &str = "tenant.suspended_user_ids";
    pub const REACTIVATED_AT: &str = "tenant.reactivated_at";
    pub const REACTIVATED_BY: &str = "tenant.reactivated_by";
    /// Set by Odoo's `auth_password_policy` module (absent when not installed).
    pub const MIN_LENGTH: &str = "auth_password_policy.minlength";
    /// Odoo 16+: `pbkdf2_sha512__rounds = max(MIN_ROUNDS, this)`.
    pub const HASHING_ROUNDS: &str = "password.hashing.rounds";
}

/// A database that Odoo would not treat as one of its own (no
/// `ir_module_module` / Odoo tables, or no installed `base`).
#[derive(Debug)]
pub struct NotOdoo(pub &'static str);

impl std::fmt::Display for NotOdoo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not an Odoo database ({})", self.0)
    }
}

impl std::error::Error for NotOdoo {}

/// Whether `e` (any context around it) says the database is not Odoo's.
pub fn is_not_odoo(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<NotOdoo>())
}

/// The major version from `ir_module_module.latest_version` of `base`
/// ("16.0.1.3" → 16; Odoo's SaaS builds read "saas~17.2.1.0" → 17).
pub fn major_from_version(v: &str) -> Option<u32> {
    let v = v.trim().trim_start_matches("saas~");
    v.split('.').next()?.parse().ok()
}

/// `major.minor` (the first two dot parts), as Odoo shows its series.
pub fn series_from_version(v: &str) -> String {
    let v = v.trim().trim_start_matches("saas~");
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// The advisory lock key that serialises tenantctl's writes on one tenant
/// (advisory locks are per database, so one fixed key serves every tenant).
/// "tenant" in ASCII.
pub const TENANT_LOCK_KEY: i64 = 0x7465_6e61_6e74;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn versions() {
        assert_eq!(major_from_version("16.0.1.3"), Some(16));
        assert_eq!(major_from_version("saas~17.2.1.0"), Some(17));
        assert_eq!(major_from_version(""), None);
        assert_eq!(series_from_version("12.0.1.3"), "12.0");
    }
}
