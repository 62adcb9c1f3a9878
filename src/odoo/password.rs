//! Password hashing exactly as Odoo's passlib CryptContext stores it.
//!
//! Odoo 12–19 verify with `CryptContext(['pbkdf2_sha512', 'plaintext'], ...)`.
//! Anything but a well-formed `$pbkdf2-sha512$` string is a trap: passlib takes
//! an unknown string as a *plaintext* password (login fails) and a malformed
//! pbkdf2 string raises (the login answers a server error).

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use sha2::Sha512;

use crate::inventory::PasswordScheme;

pub use super::versions::MIN_ROUNDS;
use super::versions::{EARLY_16_MIN_ROUNDS, PASSLIB_DEFAULT_ROUNDS};
/// passlib's ab64 salt size for pbkdf2_sha512.
const SALT_LEN: usize = 16;
/// PBKDF2-HMAC-SHA512 output = the digest size.
const CHECKSUM_LEN: usize = 64;

/// passlib's "ab64": standard base64 with `.` instead of `+`, no padding.
fn ab64(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes).replace('+', ".")
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    b
}

/// `$pbkdf2-sha512$<rounds>$<ab64 salt>$<ab64 checksum>`, as passlib writes it.
pub fn pbkdf2_sha512(password: &str, rounds: u32) -> String {
    let salt: [u8; SALT_LEN] = random_bytes();
    pbkdf2_sha512_with_salt(password, rounds, &salt)
}

fn pbkdf2_sha512_with_salt(password: &str, rounds: u32, salt: &[u8]) -> String {
    let mut out = [0u8; CHECKSUM_LEN];
    pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, rounds, &mut out);
    format!("$pbkdf2-sha512${rounds}${}${}", ab64(salt), ab64(&out))
}

/// A PHC `$argon2id$...` string, for fleets whose Odoo was given an
/// argon2-capable CryptContext. Stock Odoo cannot verify it.
pub fn argon2id(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Hashes with the node's scheme. `rounds` only applies to pbkdf2.
pub fn hash(scheme: PasswordScheme, password: &str, rounds: u32) -> String {
    match scheme {
        PasswordScheme::Pbkdf2Sha512 => pbkdf2_sha512(password, rounds),
        PasswordScheme::Argon2id => argon2id(password),
    }
}

/// The rounds Odoo itself uses in a database, so that it neither rewrites
/// the hash at the next login nor pays for more rounds than its own
/// (odoo-facts §2):
/// - 12–15 (`deprecated=['plaintext']`, passlib's default rounds): the most
///   common rounds of the pbkdf2 hashes already there, within
///   25000..=600000; 25000 when there are none.
/// - 16+ (`deprecated=['auto']`, rounds = max(MIN_ROUNDS, ICP
///   `password.hashing.rounds`)): a build's MIN_ROUNDS (350000 early 16.0,
///   600000 later) cannot be read from SQL, but Odoo rewrites a user's hash to
///   the configured rounds at each login, so the hash of the user who logged
///   in last carries them; used when it is at least 350000 and at least the
///   ICP value, else max(600000, ICP).
pub fn rounds_for(
    major: Option<u32>,
    icp_rounds: Option<&str>,
    common_rounds: Option<&str>,
    last_login_rounds: Option<&str>,
) -> u32 {
    let num = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u32>().ok());
    if major.is_some_and(super::versions::passlib_default_rounds) {
        return num(common_rounds)
            .map(|r| r.clamp(PASSLIB_DEFAULT_ROUNDS, MIN_ROUNDS))
            .unwrap_or(PASSLIB_DEFAULT_ROUNDS);
    }
    let configured = num(icp_rounds).unwrap_or(0);
    match num(last_login_rounds) {
        Some(seen) if seen >= EARLY_16_MIN_ROUNDS && seen >= configured => seen,
        _ => configured.max(MIN_ROUNDS),
    }
}

/// A random password of `len` characters from the OS CSPRNG: letters and
/// digits (safe to paste into any shell or form), ~5.95 bits per character.
pub fn generate(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let limit = 256 - (256 % ALPHABET.len()); // rejection sampling: no modulo bias
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<64>() {
            if (b as usize) < limit && out.len() < len {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passlib_format() {
        // Vector from Python: hashlib.pbkdf2_hmac('sha512', b'secret',
        // bytes(range(16)), 1000), base64 with '.' for '+' and no padding.
        let h = pbkdf2_sha512_with_salt("secret", 1000, &(0u8..16).collect::<Vec<_>>());
        let parts: Vec<&str> = h.split('$').collect();
        assert_eq!(parts[1], "pbkdf2-sha512");
        assert_eq!(parts[2], "1000");
        assert_eq!(parts[3], "AAECAwQFBgcICQoLDA0ODw");
        assert_eq!(
            parts[4],
            "8ltlLe5cI6KNrWOmMFkTi2iE7fEXJKJJR9lhjd/xSn68.xOqzv2h20C4IDv/enqlx8f6AaRHE.6XnvHKXKhAjA"
        );
        assert!(!h.contains('+') && !h.contains('='));
        assert_eq!(
            pbkdf2_sha512("x", 1000).split('$').nth(3).unwrap().len(),
            22
        );
    }

    #[test]
    fn rounds() {
        // 16+: the ICP and the last login's hash.
        assert_eq!(rounds_for(Some(16), None, None, None), 600_000);
        assert_eq!(rounds_for(Some(17), Some("1000"), None, None), 600_000);
        assert_eq!(rounds_for(Some(19), Some("700000"), None, None), 700_000);
        assert_eq!(rounds_for(Some(16), Some("junk"), None, None), 600_000);
        assert_eq!(rounds_for(Some(16), None, None, Some("350000")), 350_000);
        assert_eq!(
            rounds_for(Some(16), Some("400000"), None, Some("400000")),
            400_000
        );
        assert_eq!(
            rounds_for(Some(16), Some("700000"), None, Some("600000")),
            700_000
        );
        assert_eq!(rounds_for(Some(16), None, None, Some("25000")), 600_000);
        // 12–15: Odoo's own hashes.
        assert_eq!(rounds_for(Some(12), None, None, None), 25_000);
        assert_eq!(rounds_for(Some(14), None, Some("30000"), None), 30_000);
        assert_eq!(rounds_for(Some(13), None, Some("19000"), None), 25_000);
        assert_eq!(rounds_for(Some(15), None, Some("9000000"), None), 600_000);
    }

    #[test]
    fn generated() {
        let p = generate(20);
        assert_eq!(p.len(), 20);
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(generate(20), p);
    }
}
