//! The UUIDs Odoo writes into a database's identity
//! (`ir.config_parameter`'s `_default_parameters`): `database.secret` is a
//! uuid4, `database.uuid` a uuid1.

/// A random (version 4) UUID, as Python's `uuid.uuid4()` prints it.
pub fn uuid4() -> String {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).expect("the OS random number generator failed");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A time-based (version 1) UUID, as Odoo writes `database.uuid`
/// (`ir.config_parameter`'s `_default_parameters`: `str(uuid.uuid1())`): the
/// time in 100 ns since 1582-10-15, a random clock sequence, and a random
/// node with the multicast bit set (RFC 4122 §4.5: what Python's `uuid1`
/// falls back to without a hardware address; the operator's MAC address
/// stays out of the customer's database).
pub fn uuid1() -> String {
    let since_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let ts = (since_unix.as_nanos() / 100) as u64 + 0x01B2_1DD2_1381_4000;
    let mut r = [0u8; 8];
    getrandom::getrandom(&mut r).expect("the OS random number generator failed");
    let clock_seq = u16::from_be_bytes([r[0], r[1]]) & 0x3fff;
    let mut node = [0u8; 6];
    node.copy_from_slice(&r[2..8]);
    node[0] |= 0x01;
    let node: String = node.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{node}",
        ts & 0xffff_ffff,
        (ts >> 32) & 0xffff,
        ((ts >> 48) & 0x0fff) | 0x1000,
        clock_seq | 0x8000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let u = uuid4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!("89ab".contains(&u[19..20]));
        assert_ne!(uuid4(), u);
    }

    #[test]
    fn database_uuids_are_version_1_of_now() {
        let u = uuid1();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "1");
        assert!("89ab".contains(&u[19..20]));
        // The node's multicast bit: no hardware address.
        assert_eq!(u8::from_str_radix(&u[24..26], 16).unwrap() & 1, 1);
        // Its time is now: 100 ns ticks since 1582-10-15.
        let hex = format!("{}{}{}", &u[15..18], &u[9..13], &u[0..8]);
        let ts = u64::from_str_radix(&hex, 16).unwrap();
        let unix = (ts - 0x01B2_1DD2_1381_4000) / 10_000_000;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(now.abs_diff(unix) < 60, "{u}: {unix} vs {now}");
        assert_ne!(uuid1(), u);
    }
}
