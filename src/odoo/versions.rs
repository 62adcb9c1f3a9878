//! What tenantctl knows about the differences between Odoo versions, in one
//! table: every behaviour that depends on the Odoo major read from
//! `ir_module_module.latest_version` of `base` (odoo-facts §2, §3).
//!
//! Not here, because they are found per database rather than from the
//! version: the cache-signaling objects (12–16 `base_cache_signaling`,
//! 17–18 `base_cache_signaling_default`, 19+ `orm_signaling_*`: see
//! `signal`), columns that appeared in some version (`smtp_authentication`,
//! ...: see `layers` and `lifecycle`), Odoo's built-in users (found by
//! xmlid: see `details`). The per-version statements of `odoo-bin
//! neutralize` stay a data table next to their code (`neutralize::MODULES`,
//! with its `FIRST`/`LAST` majors).

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

/// How `upgrade` sends the log of `odoo-bin -u` to its stderr whatever the
/// configuration file says (odoo-facts §9): 16 and 19 take `--logfile=`
/// (empty: stderr); 13 ignores an empty value and takes `--logfile
/// /dev/stderr`. 14 and 15 were not checked: they get 13's form, which names
/// a path and so does not depend on how an empty value is read.
pub fn odoo_logfile_args(major: u32) -> &'static [&'static str] {
    if major <= 15 {
        &["--logfile", "/dev/stderr"]
    } else {
        &["--logfile="]
    }
}

/// How `upgrade` lifts the address-space cap a configuration's
/// `limit_memory_hard` puts on a `--workers 0` run (odoo-facts §9): 16+
/// skip the limit when it is 0; 13 applies a 0 as it is (`setrlimit(AS,
/// 0)`: every run fails with MemoryError, seen on real 13.0), so it gets
/// the hard limit of the process that starts it (`hard`: None for none,
/// then -1, RLIM_INFINITY; a larger value than a finite hard limit fails
/// with "current limit exceeds maximum limit", seen on real 13.0). 14 and
/// 15 were not checked: they get 13's form.
pub fn odoo_memory_args(major: u32, hard: HardLimit) -> Vec<String> {
    let value = match hard {
        _ if major >= 16 => "0".to_string(),
        HardLimit::Known(h) => h.map_or_else(|| "-1".to_string(), |h| h.to_string()),
        HardLimit::Word(w) => w.to_string(),
    };
    vec!["--limit-memory-hard".into(), value]
}

/// The hard address-space limit of the process that starts Odoo.
#[derive(Debug, Clone, Copy)]
pub enum HardLimit {
    /// Known here (None: unlimited).
    Known(Option<u64>),
    /// Known only where Odoo runs: a word its runner replaces with it there.
    Word(&'static str),
}

/// Odoo 12–13 (odoo-facts §3): XML-RPC caches the credentials of clients
/// that already authenticated, ignores `res_users.active` and the cache
/// signal, so archiving a user or changing a password does not cut those
/// clients off until the workers restart (only blocking the database does).
pub fn xmlrpc_keeps_credentials(major: u32) -> bool {
    major <= 13
}

/// Odoo 14+ ship module auth_totp (`res_users.totp_secret`); 12–13 have no
/// second factor at all, so a missing column there means "does not apply"
/// rather than "off".
pub fn has_auth_totp(major: u32) -> bool {
    major >= 14
}

/// Odoo 12–15 hash with passlib's default rounds (`deprecated=['plaintext']`)
/// and never rewrite a hash at login; 16+ hash with max(`MIN_ROUNDS`, ICP
/// `password.hashing.rounds`) and rewrite a user's hash to those rounds at
/// each login (`deprecated=['auto']`). See `password::rounds_for`.
pub fn passlib_default_rounds(major: u32) -> bool {
    major <= 15
}

/// Odoo 16+ `MIN_ROUNDS` (res_users.py) of current builds; early 16.0
/// builds (up to early 2023) have 350000.
pub const MIN_ROUNDS: u32 = 600_000;
/// `MIN_ROUNDS` of early 16.0 builds.
pub const EARLY_16_MIN_ROUNDS: u32 = 350_000;
/// passlib 1.7's default for pbkdf2_sha512: what Odoo 12–15 write.
pub const PASSLIB_DEFAULT_ROUNDS: u32 = 25_000;

/// The rounds of the hash started before the copy exists: Odoo 16+'s
/// (600000), the most common. The copy's own rounds can only be read once
/// it exists (the template usually refuses connections); when they differ,
/// the password is hashed again with them.
pub const EARLY_ROUNDS: u32 = MIN_ROUNDS;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn memory_options_lift_the_cap_as_each_version_reads_them() {
        let m = |major, hard| odoo_memory_args(major, HardLimit::Known(hard)).join(" ");
        assert_eq!(m(16, Some(1 << 30)), "--limit-memory-hard 0");
        assert_eq!(m(19, None), "--limit-memory-hard 0");
        // 13 applies 0 as a limit, and a value above the hard limit fails.
        assert_eq!(m(13, None), "--limit-memory-hard -1");
        assert_eq!(
            m(13, Some(16_384_000_000)),
            "--limit-memory-hard 16384000000"
        );
        assert_eq!(m(15, None), "--limit-memory-hard -1");
        let there = odoo_memory_args(13, HardLimit::Word("@X@")).join(" ");
        assert_eq!(there, "--limit-memory-hard @X@");
        let there = odoo_memory_args(16, HardLimit::Word("@X@")).join(" ");
        assert_eq!(there, "--limit-memory-hard 0");
    }
    #[test]
    fn versions() {
        assert_eq!(major_from_version("16.0.1.3"), Some(16));
        assert_eq!(major_from_version("saas~17.2.1.0"), Some(17));
        assert_eq!(major_from_version(""), None);
        assert_eq!(series_from_version("12.0.1.3"), "12.0");
    }

    #[test]
    fn quirks() {
        assert!(xmlrpc_keeps_credentials(13) && !xmlrpc_keeps_credentials(14));
        assert!(!has_auth_totp(13) && has_auth_totp(14));
        assert!(passlib_default_rounds(15) && !passlib_default_rounds(16));
    }
}
