//! Odoo module manifests (`__manifest__.py`, or `__openerp__.py` which
//! Odoo 13–19 still read after it: `MANIFEST_NAMES`), read as Odoo reads
//! them, `ast.literal_eval` (never executed), and the versions they give:
//! for `upgrade -u outdated` and the check that a run left each module at
//! its manifest version (odoo-facts §9).

pub mod literal;
pub mod version;

use literal::Value;

/// The manifest file names, in the order Odoo tries them.
pub const MANIFEST_NAMES: [&str; 2] = ["__manifest__.py", "__openerp__.py"];

/// A module name tenantctl looks for in the addons paths: Odoo's module
/// names are Python package names (the names come from the tenant's
/// database: anything else, a `/` above all, is never made into a path).
pub fn is_module_name(n: &str) -> bool {
    !n.is_empty() && n.len() <= 128 && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The series-prefixed version (`adapt_version`) a manifest's text gives
/// on Odoo `major` of series `series`: its `version`, or Odoo's default
/// `1.0` when it has none. Why not, for anything but a literal dict whose
/// `version` is a string.
pub fn manifest_version(text: &str, series: &str, major: u32) -> Result<String, String> {
    let v = literal::parse(text).map_err(|m| format!("not read as a Python literal: {m}"))?;
    let Value::Dict(pairs) = v else {
        return Err("not a Python dict literal".into());
    };
    // A repeated key: the last one counts, as in a Python dict.
    let version = match pairs
        .iter()
        .rev()
        .find(|(k, _)| *k == Value::Str("version".into()))
    {
        None => version::DEFAULT_VERSION,
        Some((_, Value::Str(s))) => s.as_str(),
        Some(_) => return Err("its `version` is not a string".into()),
    };
    version::adapt_version(version, series, major)
}

#[cfg(test)]
mod tests {
    use super::manifest_version;

    #[test]
    fn the_version_is_series_prefixed_or_odoos_default() {
        let m = |t: &str| manifest_version(t, "16.0", 16);
        assert_eq!(m("{'name': 'x', 'version': '1.1'}").unwrap(), "16.0.1.1");
        assert_eq!(
            m("{'version': '1.0', 'version': '16.0.2.0'}").unwrap(),
            "16.0.2.0"
        );
        assert_eq!(m("{'name': 'x'}").unwrap(), "16.0.1.0");
        assert!(m("{'version': 1.1}").unwrap_err().contains("not a string"));
        assert!(m("['version']").unwrap_err().contains("not a Python dict"));
        assert!(m("{'version': open('/etc/passwd').read()}")
            .unwrap_err()
            .contains("(a call)"));
        assert!(manifest_version("{'version': '1'}", "18.0", 18)
            .unwrap_err()
            .contains("invalid version"));
    }
}
