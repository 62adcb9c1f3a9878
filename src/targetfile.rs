//! Target lists for `bulk --from FILE`: one `TENANT` or `NODE/TENANT` per line,
//! `#` comment lines, blank lines, CRLF line ends; an optional second CSV
//! column (RFC 4180 quoting) carries a per-tenant value (the suspension reason).
//! A bad line is an error of that line only.

/// One usable line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file.
    pub no: usize,
    pub spec: String,
    pub extra: Option<String>,
}

/// A line that cannot be used, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub no: usize,
    pub text: String,
    pub error: String,
}

/// Parses the whole file. Lines are returned in file order.
/// One parsed line of a target file.
pub type Parsed = Result<Line, BadLine>;

pub fn parse(bytes: &[u8]) -> Vec<Parsed> {
    let mut out = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let no = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = match std::str::from_utf8(raw) {
            Ok(t) => t,
            Err(_) => {
                out.push(Err(BadLine {
                    no,
                    text: String::from_utf8_lossy(raw).into_owned(),
                    error: "not valid UTF-8".into(),
                }));
                continue;
            }
        };
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match split_csv(trimmed) {
            Ok(fields) => {
                let bad = |error: String| BadLine {
                    no,
                    text: text.to_string(),
                    error,
                };
                let mut it = fields.into_iter();
                let spec = it.next().unwrap_or_default().trim().to_string();
                let extra = it
                    .next()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                if it.next().is_some() {
                    out.push(Err(bad("more than two columns".into())));
                } else if let Err(e) = crate::targets::check_name(&spec) {
                    out.push(Err(bad(e.message())));
                } else {
                    out.push(Ok(Line { no, spec, extra }));
                }
            }
            Err(e) => out.push(Err(BadLine {
                no,
                text: text.to_string(),
                error: e,
            })),
        }
    }
    out
}

/// Splits one CSV record: `a,b`, `"a,b",c`, `"say ""hi""",x`.
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                cur.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    fields.push(cur);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = b"# billing export\r\nacme\r\n\r\n  n2/globex , unpaid since May \n\"a,b\",\"say \"\"hi\"\"\"\n\xff\xfe\nx,y,z\n\"open\n";
        let r = parse(text);
        assert_eq!(
            r[0],
            Ok(Line {
                no: 2,
                spec: "acme".into(),
                extra: None
            })
        );
        assert_eq!(
            r[1],
            Ok(Line {
                no: 4,
                spec: "n2/globex".into(),
                extra: Some("unpaid since May".into())
            })
        );
        assert_eq!(
            r[2],
            Ok(Line {
                no: 5,
                spec: "a,b".into(),
                extra: Some("say \"hi\"".into())
            })
        );
        assert_eq!(r[3].as_ref().unwrap_err().error, "not valid UTF-8");
        assert_eq!(r[4].as_ref().unwrap_err().no, 7);
        assert_eq!(r[5].as_ref().unwrap_err().error, "unterminated quote");
        assert_eq!(r.len(), 6);
    }

    #[test]
    fn odd_names_are_line_errors() {
        let r = parse(b"a\0b\n,reason only\n");
        assert!(r[0].is_err());
        assert!(r[1].is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Any bytes: no panic; one result per non-blank, non-comment line, in
        /// order, with the right line numbers.
        #[test]
        fn any_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let r = parse(&bytes);
            let expected: Vec<usize> = bytes
                .split(|b| *b == b'\n')
                .enumerate()
                .filter(|(_, l)| {
                    let l = l.strip_suffix(b"\r").unwrap_or(l);
                    match std::str::from_utf8(l) {
                        Ok(t) => !(t.trim().is_empty() || t.trim().starts_with('#')),
                        Err(_) => true,
                    }
                })
                .map(|(i, _)| i + 1)
                .collect();
            let got: Vec<usize> = r.iter().map(|x| match x { Ok(l) => l.no, Err(b) => b.no }).collect();
            proptest::prop_assert_eq!(got, expected);
        }

        /// Names written as CSV fields come back verbatim.
        #[test]
        fn csv_round_trip(name in "[^\\x00-\\x1f\"#]{1,40}", reason in "[^\\x00-\\x1f]{0,60}") {
            let name = name.trim().to_string();
            proptest::prop_assume!(!name.is_empty() && !name.starts_with('#'));
            let line = crate::output::csv_line(&[name.as_str(), reason.as_str()]);
            let r = parse(line.as_bytes());
            proptest::prop_assert_eq!(r.len(), 1);
            let l = r[0].clone().unwrap();
            proptest::prop_assert_eq!(l.spec, name);
            let want = Some(reason.trim().to_string()).filter(|s| !s.is_empty());
            proptest::prop_assert_eq!(l.extra, want);
        }
    }
}
