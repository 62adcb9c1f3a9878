//! Module versions as Odoo compares them: `odoo.tools.parse_version` (taken
//! by Odoo from setuptools 0.6c8; `ir.module.module.update_list` counts a
//! module as updatable when `parse_version(manifest version) >
//! parse_version(latest_version)`), and `adapt_version`
//! (odoo/modules/module.py: a manifest's `version` prefixed with the
//! series, `1.1` on 16 → `16.0.1.1`; 17+ refuse other forms than `x.y`,
//! `x.y.z`, `<series>.x.y`, `<series>.x.y.z`).

/// Odoo's default manifest version (`_DEFAULT_MANIFEST['version']`).
pub const DEFAULT_VERSION: &str = "1.0";

/// `parse_version(s)`: the sortable key (a list of strings, compared
/// element by element as Python compares tuples of str).
pub fn parse_version(s: &str) -> Vec<String> {
    let s = if s.is_empty() { "0.1" } else { s };
    let mut parts: Vec<String> = Vec::new();
    for part in version_parts(&s.to_lowercase()) {
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                // remove '-' before a prerelease tag
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            // remove trailing zeros from each series of numeric parts
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

/// `_parse_version_parts`: `re.split(r'(\d+ | [a-z]+ | \.| -)', s)` with
/// the replacements, numbers padded to 8, others prefixed `*`, then
/// `*final`. (`\d` is taken as ASCII digits; Python's also takes other
/// Unicode decimal digits, which no module version uses.)
fn version_parts(s: &str) -> Vec<String> {
    let mut pieces: Vec<&str> = Vec::new();
    let b = s.as_bytes();
    let (mut i, mut gap) = (0, 0);
    while i < b.len() {
        let run = |f: fn(&u8) -> bool| b[i..].iter().take_while(|c| f(c)).count();
        let n = match b[i] {
            b'0'..=b'9' => run(u8::is_ascii_digit),
            b'a'..=b'z' => run(u8::is_ascii_lowercase),
            b'.' | b'-' => 1,
            _ => 0,
        };
        if n == 0 {
            i += 1;
            continue;
        }
        // Both boundaries are ASCII: valid str slices.
        pieces.push(&s[gap..i]);
        pieces.push(&s[i..i + n]);
        i += n;
        gap = i;
    }
    pieces.push(&s[gap..]);
    let mut out = Vec::new();
    for p in pieces {
        let p = match p {
            "pre" | "preview" | "rc" => "c",
            "-" | "_" => "final-",
            "dev" => "@",
            "saas" | "~" => "",
            p => p,
        };
        if p.is_empty() || p == "." {
            continue;
        }
        if p.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(format!("{p:0>8}"));
        } else {
            out.push(format!("*{p}"));
        }
    }
    out.push("*final".into());
    out
}

/// Whether version `a` is newer than `b` as Odoo compares them.
pub fn newer(a: &str, b: &str) -> bool {
    parse_version(a) > parse_version(b)
}

/// `adapt_version(version)` on the series `series` (`release.major_version`:
/// `16.0`, `saas~17.2`) of Odoo `major`; on 17+ an error for a form Odoo
/// refuses to load.
pub fn adapt_version(version: &str, series: &str, major: u32) -> Result<String, String> {
    let (full, base) = match version
        .strip_prefix(series)
        .and_then(|r| r.strip_prefix('.'))
    {
        Some(rest) if version != series => (version.to_string(), rest),
        _ => (format!("{series}.{version}"), version),
    };
    if major >= 17 && !plain_version(base) {
        return Err(format!(
            "invalid version {}: Odoo {major} accepts `x.y`, `x.y.z`, `{series}.x.y` or `{series}.x.y.z`",
            crate::text::esc(version)
        ));
    }
    Ok(full)
}

/// `re.match(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$", v)` (`$` also matches
/// before a final newline).
fn plain_version(v: &str) -> bool {
    let v = v.strip_suffix('\n').unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

/// Odoo's series (`release.major_version`) from `base`'s `latest_version`
/// (`16.0.1.3` → `16.0`, `saas~17.2.1.3` → `saas~17.2`).
pub fn series_of(base_version: &str) -> String {
    let v = base_version.trim();
    let s = crate::odoo::versions::series_from_version(v);
    if v.starts_with("saas~") {
        format!("saas~{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `list(parse_version(v))` printed by Odoo 16's own
    /// odoo/tools/parse_version.py (python3).
    const PARSED: &[(&str, &[&str])] = &[
        ("", &["00000000", "00000001", "*final"]),
        ("0", &["*final"]),
        ("1.0", &["00000001", "*final"]),
        ("16.0.1.0", &["00000016", "00000000", "00000001", "*final"]),
        (
            "16.0.1.1",
            &["00000016", "00000000", "00000001", "00000001", "*final"],
        ),
        (
            "16.0.1.10",
            &["00000016", "00000000", "00000001", "00000010", "*final"],
        ),
        (
            "16.0.1.2",
            &["00000016", "00000000", "00000001", "00000002", "*final"],
        ),
        (
            "16.0.1.0.0",
            &["00000016", "00000000", "00000001", "*final"],
        ),
        ("16.0.1", &["00000016", "00000000", "00000001", "*final"]),
        ("16.0", &["00000016", "*final"]),
        (
            "saas~16.3.1.0",
            &["00000016", "00000003", "00000001", "*final"],
        ),
        (
            "saas~17.2.1.0",
            &["00000017", "00000002", "00000001", "*final"],
        ),
        ("17.0.1.0", &["00000017", "00000000", "00000001", "*final"]),
        ("1.0a1", &["00000001", "*a", "00000001", "*final"]),
        ("1.0rc1", &["00000001", "*c", "00000001", "*final"]),
        ("1.0-1", &["00000001", "*final-", "00000001", "*final"]),
        ("1.0_rc2", &["00000001", "*c", "00000002", "*final"]),
        ("1.0.dev1", &["00000001", "*@", "00000001", "*final"]),
        ("1.0pre", &["00000001", "*c", "*final"]),
        ("1.0preview", &["00000001", "*c", "*final"]),
        ("1.0-final", &["00000001", "*final-", "*final", "*final"]),
        (
            "2.4-1",
            &["00000002", "00000004", "*final-", "00000001", "*final"],
        ),
        ("2.4.1", &["00000002", "00000004", "00000001", "*final"]),
        ("V1.0", &["*v", "00000001", "*final"]),
        (
            "1.0.0.0.1",
            &[
                "00000001", "00000000", "00000000", "00000000", "00000001", "*final",
            ],
        ),
        ("00012.3", &["00000012", "00000003", "*final"]),
        ("1..2", &["00000001", "00000002", "*final"]),
        ("1.0~beta", &["00000001", "*beta", "*final"]),
        ("1.0 beta", &["00000001", "* ", "*beta", "*final"]),
        ("1.0+local", &["00000001", "*+", "*local", "*final"]),
        ("1.0alpha", &["00000001", "*alpha", "*final"]),
        ("1.0zeta", &["00000001", "*zeta", "*final"]),
        (
            "13.0.1.0.0",
            &["00000013", "00000000", "00000001", "*final"],
        ),
        ("1.0.0-0_rc3", &["00000001", "*c", "00000003", "*final"]),
        (
            "5.0.0-1dev",
            &["00000005", "*final-", "00000001", "*@", "*final"],
        ),
        ("1.0-", &["00000001", "*final-", "*final"]),
        ("-1", &["*final-", "00000001", "*final"]),
        ("1.\u{e9}", &["00000001", "*\u{e9}", "*final"]),
        (
            "16.0.1.0.1",
            &[
                "00000016", "00000000", "00000001", "00000000", "00000001", "*final",
            ],
        ),
    ];

    /// `parse_version(a)` against `parse_version(b)`, by Odoo 16's code.
    const ORDER: &[(&str, &str, char)] = &[
        ("16.0.1.0", "16.0.1.1", '<'),
        ("16.0.1.1", "16.0.1.10", '<'),
        ("16.0.1.2", "16.0.1.10", '<'),
        ("16.0.1.0", "16.0.1.0.0", '='),
        ("16.0.1.0", "16.0.1", '='),
        ("16.0.1.0a1", "16.0.1.0", '<'),
        ("16.0.1.0", "16.0.1.0-1", '<'),
        ("16.0.1.0-1", "16.0.1.0.1", '<'),
        ("16.0.2.0", "16.0.10.0", '<'),
        ("saas~16.3.1.0", "16.0.1.0", '>'),
        ("16.0.1.0rc1", "16.0.1.0", '<'),
        ("16.0.1.0.dev1", "16.0.1.0a1", '<'),
        ("", "0.1", '='),
        ("16.0.1.0", "17.0.1.0", '<'),
    ];

    #[test]
    fn parse_version_is_odoos() {
        for (v, want) in PARSED {
            assert_eq!(parse_version(v), *want, "{v:?}");
        }
        for (a, b, o) in ORDER {
            let got = match parse_version(a).cmp(&parse_version(b)) {
                std::cmp::Ordering::Less => '<',
                std::cmp::Ordering::Equal => '=',
                std::cmp::Ordering::Greater => '>',
            };
            assert_eq!(got, *o, "{a:?} {b:?}");
        }
        assert!(newer("16.0.1.10", "16.0.1.9"));
        assert!(!newer("16.0.1.0.0", "16.0.1.0"));
    }

    /// `adapt_version(v)` printed by Odoo 16 and 18's own
    /// odoo/modules/module.py (None: ValueError).
    const ADAPTED: &[(&str, Option<&str>, Option<&str>)] = &[
        ("1.0", Some("16.0.1.0"), Some("18.0.1.0")),
        ("1.1", Some("16.0.1.1"), Some("18.0.1.1")),
        ("16.0", Some("16.0.16.0"), Some("18.0.16.0")),
        ("16.0.1.1", Some("16.0.1.1"), None),
        ("16.0.1.2.3", Some("16.0.1.2.3"), None),
        ("17.0.1.1", Some("16.0.17.0.1.1"), None),
        ("1", Some("16.0.1"), None),
        ("16.01", Some("16.0.16.01"), Some("18.0.16.01")),
        ("16.0.", Some("16.0."), None),
        ("saas~16.3.1.0", Some("16.0.saas~16.3.1.0"), None),
        ("1.0.0.0", Some("16.0.1.0.0.0"), None),
        ("abc", Some("16.0.abc"), None),
        ("18.0", Some("16.0.18.0"), Some("18.0.18.0")),
        ("18.0.1.1", Some("16.0.18.0.1.1"), Some("18.0.1.1")),
        ("1.1.1", Some("16.0.1.1.1"), Some("18.0.1.1.1")),
        ("18.0.1", Some("16.0.18.0.1"), None),
    ];

    #[test]
    fn adapt_version_is_odoos() {
        for (v, on16, on18) in ADAPTED {
            assert_eq!(
                adapt_version(v, "16.0", 16).ok().as_deref(),
                *on16,
                "{v} on 16"
            );
            assert_eq!(
                adapt_version(v, "18.0", 18).ok().as_deref(),
                *on18,
                "{v} on 18"
            );
        }
        assert_eq!(series_of("16.0.1.3"), "16.0");
        assert_eq!(series_of("saas~17.2.1.3"), "saas~17.2");
        assert_eq!(
            adapt_version("1.1", "saas~17.2", 17).unwrap(),
            "saas~17.2.1.1"
        );
    }
}
