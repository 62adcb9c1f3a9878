//! Target lists for `bulk --from FILE`: CSV records (RFC 4180 quoting, read
//! by the `csv` crate: a quoted field may hold commas, quotes and newlines),
//! `#` comment lines, blank lines, CRLF line ends. The tenant is in column 1
//! (or `--column N|NAME`), the per-tenant value (the suspension reason) in
//! column 2 when there is one (or `--reason-column N|NAME`); `--header`
//! makes the first record a header, skipped.
//!
//! Two kinds of errors:
//! - a bad *line* (bad UTF-8, a NUL, an empty tenant field, too few or too
//!   many columns) is an error of that line only: it becomes a `failed` row
//!   and the other lines run;
//! - a malformed *file* (an unterminated quote: where records end is
//!   unknown from there on; a header name that does not exist) is a
//!   [`FileError`] listing every problem: the run stops before any change.
//!
//! Records are found here (a quote state machine over the bytes, the one the
//! `csv` crate applies), so that line numbers count physical lines (CRLF,
//! comments and blank lines included) and an unterminated quote is an error
//! instead of a record running silently to the end of the file; each record
//! is then read by the `csv` crate.

use crate::text::esc;

/// Which column: 1-based index or a header name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

impl Column {
    /// `3` → index 3 (1-based, at least 1); anything else is a header name.
    pub fn parse(s: &str) -> Result<Column, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty column".into());
        }
        match t.parse::<usize>() {
            Ok(0) => Err("columns count from 1".into()),
            Ok(n) => Ok(Column::Index(n)),
            Err(_)
                if t.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+') =>
            {
                Err(format!("{t:?} is not a column number"))
            }
            Err(_) => Ok(Column::Name(t.to_string())),
        }
    }
}

/// How to read a file: `--header`, `--column`, `--reason-column`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub header: bool,
    /// Default: column 1.
    pub column: Option<Column>,
    /// Default: column 2 when a record has one.
    pub reason_column: Option<Column>,
    /// What a record of the default layout is (without `--header`,
    /// `--column`, `--reason-column`): `TENANT[,REASON]`, or for `bulk
    /// create` `NAME[,ADMIN_LOGIN[,COMPANY]]`.
    pub shape: Option<Shape>,
}

/// The columns a record of the default layout may have, and how help and
/// errors write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub columns: usize,
    pub text: &'static str,
}

impl Shape {
    /// `TENANT[,REASON]`: every bulk command but `create`.
    pub const TENANT: Shape = Shape {
        columns: 2,
        text: "TENANT[,REASON]",
    };
    /// `bulk create`.
    pub const NEW_TENANT: Shape = Shape {
        columns: 3,
        text: "NAME[,ADMIN_LOGIN[,COMPANY]]",
    };

    fn columns_text(self) -> &'static str {
        match self.columns {
            2 => "two",
            3 => "three",
            _ => "too many",
        }
    }
}

impl Layout {
    /// Without `--header`/`--column`/`--reason-column` a file is
    /// `TENANT[,REASON]` and a third column is a line error (as before these
    /// flags); naming the layout lets a wide export through, the other
    /// columns ignored.
    fn strict(&self) -> bool {
        !self.header && self.column.is_none() && self.reason_column.is_none()
    }

    fn shape(&self) -> Shape {
        self.shape.unwrap_or(Shape::TENANT)
    }
}

/// One usable line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file where the record starts.
    pub no: usize,
    pub spec: String,
    pub extra: Option<String>,
    /// Every field of the record, trimmed (`bulk create`'s login and
    /// company columns).
    pub fields: Vec<String>,
}

/// A line that cannot be used, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub no: usize,
    pub text: String,
    pub error: String,
}

/// One parsed line of a target file.
pub type Parsed = Result<Line, BadLine>;

/// The file as a whole cannot be used: every problem, with its line when it
/// has one. Nothing may be run from such a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub problems: Vec<(Option<usize>, String)>,
}

/// A parsed file: its records in file order.
#[derive(Debug, Clone, Default)]
pub struct TargetFile {
    pub lines: Vec<Parsed>,
    /// Whether any usable record had a reason column.
    pub has_reasons: bool,
}

/// A record as found in the bytes: first line, last line, its bytes
/// (without the final line end).
struct Record<'a> {
    no: usize,
    bytes: &'a [u8],
}

/// Splits the bytes into records: a line end inside a quoted field belongs
/// to the field; `#` lines and blank lines outside a record are skipped.
/// Err: the line where an unterminated quoted field starts.
fn records(bytes: &[u8]) -> Result<Vec<Record<'_>>, usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut pos = 0usize;
    while pos < bytes.len() {
        // A record starts at `pos` on `line`: comment or blank?
        let eol = bytes[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| pos + i);
        let first = strip_cr(&bytes[pos..eol]);
        let t = first.trim_ascii();
        if t.is_empty() || t.starts_with(b"#") {
            pos = eol + 1;
            line += 1;
            continue;
        }
        let start_line = line;
        let mut quote_line = line;
        let mut s = S::Start;
        let mut i = pos;
        let end = loop {
            if i == bytes.len() {
                if s == S::Quoted {
                    return Err(quote_line);
                }
                break i;
            }
            let b = bytes[i];
            s = match (s, b) {
                (S::Quoted, b'"') => S::QuoteInQuoted,
                (S::Quoted, b'\n') => {
                    line += 1;
                    S::Quoted
                }
                (S::Quoted, _) => S::Quoted,
                (S::Start, b'"') => {
                    quote_line = line;
                    S::Quoted
                }
                (S::QuoteInQuoted, b'"') => S::Quoted,
                (_, b'\n') => break i,
                (_, b',') => S::Start,
                _ => S::Unquoted,
            };
            i += 1;
        };
        out.push(Record {
            no: start_line,
            bytes: strip_cr(&bytes[pos..end]),
        });
        line += 1;
        pos = end + 1;
    }
    Ok(out)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// The fields of one record, read by the `csv` crate (only `\n` ends a
/// record, so a lone `\r` stays in its field).
fn fields(rec: &[u8]) -> Vec<Vec<u8>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(rec);
    let mut out = Vec::new();
    let mut r = csv::ByteRecord::new();
    // One record by construction (no unquoted line end); a reader error on
    // a byte slice cannot happen, and would leave the fields read so far.
    while let Ok(true) = rdr.read_byte_record(&mut r) {
        out.extend(r.iter().map(|f| f.to_vec()));
    }
    out
}

/// What is wrong with the file as a whole: (record number, message).
type Problems = Vec<(Option<usize>, String)>;

/// Parses the whole file as `layout` says. Lines are returned in file order.
pub fn parse(bytes: &[u8], layout: &Layout) -> Result<TargetFile, FileError> {
    // A UTF-8 byte order mark (spreadsheet exports) is not part of the first
    // record.
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let recs = records(bytes).map_err(|no| FileError {
        problems: vec![(
            Some(no),
            "unterminated quoted field (it runs to the end of the file)".into(),
        )],
    })?;
    let mut recs = recs.into_iter();
    let mut problems = Vec::new();
    let headers = if layout.header {
        Some(header_names(recs.next(), &mut problems))
    } else {
        None
    };
    let (col, reason_col) = columns(layout, &headers, &mut problems);
    if !problems.is_empty() {
        return Err(FileError { problems });
    }
    let (col, reason_col) = (col.unwrap_or(0), reason_col);
    // Default layout: the reason column is column 2 unless it is the tenant
    // column (`--column 2` alone: no reason column).
    let reason_col = reason_col.filter(|r| *r != col);
    let strict = layout.strict();
    let recs: Vec<Record<'_>> = recs.collect();
    if strict {
        if let Some(e) = wide_export(&recs, layout.shape()) {
            return Err(e);
        }
    }
    let mut out = TargetFile::default();
    for rec in recs {
        let shape = strict.then(|| layout.shape());
        let line = read_line(&rec, col, reason_col, shape, &mut out.has_reasons);
        out.lines.push(line);
    }
    Ok(out)
}

/// The names of the header line (none in an empty file).
fn header_names(first: Option<Record<'_>>, problems: &mut Problems) -> Vec<String> {
    match first {
        Some(h) => {
            let mut names = Vec::new();
            for f in fields(h.bytes) {
                match String::from_utf8(f) {
                    Ok(s) => names.push(s.trim().to_string()),
                    Err(_) => {
                        problems.push((Some(h.no), "header is not valid UTF-8".into()));
                        break;
                    }
                }
            }
            names
        }
        None => vec![],
    }
}

/// The (0-based) tenant and reason columns of `layout`.
fn columns(
    layout: &Layout,
    headers: &Option<Vec<String>>,
    problems: &mut Problems,
) -> (Option<usize>, Option<usize>) {
    let col = index(
        headers,
        layout.column.as_ref().unwrap_or(&Column::Index(1)),
        "--column",
        problems,
    );
    let reason_col = match &layout.reason_column {
        Some(c) => index(headers, c, "--reason-column", problems),
        None => Some(1),
    };
    if let (Some(a), Some(b)) = (col, reason_col) {
        if a == b && layout.reason_column.is_some() {
            problems.push((
                None,
                "--column and --reason-column name the same column".into(),
            ));
        }
    }
    (col, reason_col)
}

/// The (0-based) index of a column given by number or by header name (exact,
/// else the one name equal but for ASCII case).
fn index(
    headers: &Option<Vec<String>>,
    c: &Column,
    what: &str,
    problems: &mut Problems,
) -> Option<usize> {
    match c {
        Column::Index(n) => Some(n - 1),
        Column::Name(name) => match headers {
            None => {
                problems.push((
                    None,
                    format!("{what} {name:?} is a header name: give --header (or a column number)"),
                ));
                None
            }
            Some(hs) => {
                let exact = hs.iter().position(|h| h == name);
                let folded = || {
                    let m: Vec<usize> = (0..hs.len())
                        .filter(|i| hs[*i].eq_ignore_ascii_case(name))
                        .collect();
                    (m.len() == 1).then(|| m[0])
                };
                match exact.or_else(folded) {
                    Some(i) => Some(i),
                    None => {
                        let list: Vec<String> =
                            hs.iter().map(|h| format!("{:?}", esc(h))).collect();
                        problems.push((
                            None,
                            format!(
                                "{what} {:?}: no such header; the headers are: {}",
                                esc(name),
                                if list.is_empty() {
                                    "(none)".to_string()
                                } else {
                                    list.join(", ")
                                }
                            ),
                        ));
                        None
                    }
                }
            }
        },
    }
}

/// One record as a target line, or why it is not one. `has_reasons` is set
/// when the record has the reason column.
fn read_line(
    rec: &Record<'_>,
    col: usize,
    reason_col: Option<usize>,
    strict: Option<Shape>,
    has_reasons: &mut bool,
) -> Parsed {
    let no = rec.no;
    let text = String::from_utf8_lossy(rec.bytes).into_owned();
    let bad = |error: String| BadLine {
        no,
        text: text.clone(),
        error,
    };
    // The csv crate drops a byte order mark at the start of what it
    // reads: here that would silently change the first field.
    if rec.bytes.starts_with(BOM) {
        return Err(bad("the line starts with a byte order mark (U+FEFF)".into()));
    }
    let Some(strs) = utf8_fields(rec.bytes) else {
        return Err(bad("not valid UTF-8".into()));
    };
    if let Some(shape) = strict.filter(|sh| strs.len() > sh.columns) {
        return Err(bad(format!(
            "more than {} columns (name them with --column/--reason-column or --header)",
            shape.columns_text()
        )));
    }
    let Some(spec) = strs.get(col).map(|s| s.trim().to_string()) else {
        return Err(bad(format!(
            "no column {} (the line has {})",
            col + 1,
            strs.len()
        )));
    };
    if let Err(e) = crate::targets::check_name(&spec) {
        return Err(bad(e.message()));
    }
    let extra = reason_col
        .and_then(|r| strs.get(r))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if reason_col.is_some_and(|r| r < strs.len()) {
        *has_reasons = true;
    }
    let fields = strs.iter().map(|f| f.trim().to_string()).collect();
    Ok(Line {
        no,
        spec,
        extra,
        fields,
    })
}

/// The fields of a record as text; None when one is not UTF-8.
fn utf8_fields(rec: &[u8]) -> Option<Vec<String>> {
    let fs = fields(rec);
    let mut strs = Vec::with_capacity(fs.len());
    for f in fs {
        match String::from_utf8(f) {
            // A line end inside a quoted field of a CRLF file is a
            // line end.
            Ok(s) => strs.push(if s.contains("\r\n") {
                s.replace("\r\n", "\n")
            } else {
                s
            }),
            Err(_) => return None,
        }
    }
    Some(strs)
}

/// Without `--header`/`--column`/`--reason-column`, a first record of more
/// than two fields is a wide export (a billing system's CSV, a header line):
/// every line would fail alike, so the file is refused as a whole (one
/// error, nothing run) with the flags that read it. A wide line further down
/// a `TENANT[,REASON]` file stays a bad line of its own.
fn wide_export(recs: &[Record<'_>], shape: Shape) -> Option<FileError> {
    let first = recs.first()?;
    let fs = fields(first.bytes);
    if fs.len() <= shape.columns {
        return None;
    }
    let wide = recs
        .iter()
        .filter(|r| fields(r.bytes).len() > shape.columns)
        .count();
    let names: Vec<String> = fs
        .iter()
        .take(8)
        .map(|f| {
            let s = String::from_utf8_lossy(f);
            let s = s.trim();
            let s: String = if s.chars().count() > 24 {
                s.chars().take(23).chain(['…']).collect()
            } else {
                s.to_string()
            };
            format!("{:?}", esc(&s))
        })
        .collect();
    Some(FileError {
        problems: vec![(
            Some(first.no),
            format!(
                "{} columns ({}{}), and {wide} of {} records have more than {}: without --header, --column or --reason-column a record is {}. For a wide export name its columns: --header --column NAME [--reason-column NAME] (NAME from the header line), or --column N",
                fs.len(),
                names.join(", "),
                if fs.len() > 8 { ", …" } else { "" },
                recs.len(),
                shape.columns_text(),
                shape.text
            ),
        )],
    })
}

/// Writes one record of a `--failed-to` file: the target and, when given,
/// its reason, quoted as the `csv` crate quotes (read back by [`parse`]).
pub fn record(target: &str, reason: Option<&str>) -> String {
    let mut fields = vec![target];
    if let Some(r) = reason {
        fields.push(r);
    }
    record_of(&fields)
}

/// Writes one record of a `--failed-to` file from its fields, the first
/// the target (a `bulk create` line: name, admin login, company).
pub fn record_of(fields: &[&str]) -> String {
    let target = fields.first().copied().unwrap_or_default();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    // A first field starting with `#` would read back as a comment line:
    // quote it (the csv crate does not).
    if target.trim_start().starts_with('#') {
        w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Vec::new());
    }
    // Writing to a Vec cannot fail.
    let _ = w.write_record(fields);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(bytes: &[u8]) -> Vec<Parsed> {
        parse(bytes, &Layout::default()).unwrap().lines
    }

    #[test]
    fn lines() {
        let text = b"# billing export\r\nacme\r\n\r\n  n2/globex , unpaid since May \n\"a,b\",\"say \"\"hi\"\"\"\n\xff\xfe\nx,y,z\n";
        let r = p(text);
        assert_eq!(
            r[0],
            Ok(Line {
                no: 2,
                spec: "acme".into(),
                extra: None,
                fields: vec!["acme".into()]
            })
        );
        assert_eq!(
            r[1],
            Ok(Line {
                no: 4,
                spec: "n2/globex".into(),
                extra: Some("unpaid since May".into()),
                fields: vec!["n2/globex".into(), "unpaid since May".into()]
            })
        );
        assert_eq!(
            r[2],
            Ok(Line {
                no: 5,
                spec: "a,b".into(),
                extra: Some("say \"hi\"".into()),
                fields: vec!["a,b".into(), "say \"hi\"".into()]
            })
        );
        assert_eq!(r[3].as_ref().unwrap_err().error, "not valid UTF-8");
        assert_eq!(r[4].as_ref().unwrap_err().no, 7);
        assert_eq!(r.len(), 5);
    }

    #[test]
    fn quoted_newlines_keep_line_numbers() {
        let r = p(b"acme,\"two\r\nlines\"\n# c\nglobex,x\n");
        assert_eq!(r[0].as_ref().unwrap().extra.as_deref(), Some("two\nlines"));
        assert_eq!(r[1].as_ref().unwrap().no, 4);
    }

    #[test]
    fn unterminated_quote_is_a_file_error() {
        let e = parse(b"acme\n\"open,x\nb\nc\n", &Layout::default()).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].0, Some(2));
    }

    #[test]
    fn header_and_columns() {
        let l = Layout {
            header: true,
            column: Some(Column::Name("Database".into())),
            reason_column: Some(Column::Name("why".into())),
            shape: None,
        };
        let f = parse(
            b"id,database,amount,Why\n1,acme,\"1,200.00\",\"unpaid, 2 months\"\n2,globex,3\n",
            &l,
        )
        .unwrap();
        assert_eq!(f.lines[0].as_ref().unwrap().spec, "acme");
        assert_eq!(
            f.lines[0].as_ref().unwrap().extra.as_deref(),
            Some("unpaid, 2 months")
        );
        assert_eq!(f.lines[1].as_ref().unwrap().extra, None);
        let l = Layout {
            header: true,
            column: Some(Column::Name("tenant".into())),
            reason_column: None,
            shape: None,
        };
        let e = parse(b"id,database\n1,acme\n", &l).unwrap_err();
        assert!(e.problems[0].1.contains("\"id\", \"database\""), "{e:?}");
        let l = Layout {
            column: Some(Column::Index(3)),
            ..Default::default()
        };
        let f = parse(b"a,b,c\nd,e\n", &l).unwrap();
        assert_eq!(f.lines[0].as_ref().unwrap().spec, "c");
        assert_eq!(f.lines[0].as_ref().unwrap().extra.as_deref(), Some("b"));
        assert!(f.lines[1]
            .as_ref()
            .unwrap_err()
            .error
            .contains("no column 3"));
    }

    #[test]
    fn a_wide_export_without_column_flags_is_one_file_error() {
        let text =
            b"id,tenant,customer,days,note\n1,acme,\"Globex, Corp.\",45,late\n2,initech,x,3,y\n";
        let e = parse(text, &Layout::default()).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e:?}");
        assert_eq!(e.problems[0].0, Some(1));
        assert!(e.problems[0].1.contains("--header --column"), "{e:?}");
        assert!(e.problems[0].1.contains("3 of 3 records"), "{e:?}");
        let l = Layout {
            header: true,
            column: Some(Column::Name("tenant".into())),
            reason_column: Some(Column::Name("note".into())),
            shape: None,
        };
        let f = parse(text, &l).unwrap();
        assert_eq!(f.lines[0].as_ref().unwrap().spec, "acme");
        assert_eq!(f.lines[0].as_ref().unwrap().extra.as_deref(), Some("late"));
    }

    #[test]
    fn column_values() {
        assert_eq!(Column::parse("2"), Ok(Column::Index(2)));
        assert!(Column::parse("0").is_err());
        assert!(Column::parse("-1").is_err());
        assert_eq!(Column::parse("tenant"), Ok(Column::Name("tenant".into())));
    }

    #[test]
    fn odd_names_are_line_errors() {
        let r = p(b"a\0b\n,reason only\n");
        assert!(r[0].is_err());
        assert!(r[1].is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Any bytes without quotes: no panic; one result per non-blank,
        /// non-comment line, in order, with the right line numbers.
        #[test]
        fn any_bytes(raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let bytes: Vec<u8> = raw.into_iter().filter(|b| *b != b'"').collect();
            // (`--column 1`: a wide first line is a file error without it.)
            let l = Layout { column: Some(Column::Index(1)), ..Default::default() };
            let r = parse(&bytes, &l).unwrap().lines;
            let expected: Vec<usize> = bytes
                .split(|b| *b == b'\n')
                .enumerate()
                .filter(|(_, l)| {
                    let l = l.strip_suffix(b"\r").unwrap_or(l).trim_ascii();
                    !(l.is_empty() || l.starts_with(b"#"))
                })
                .map(|(i, _)| i + 1)
                .collect();
            let got: Vec<usize> = r.iter().map(|x| match x { Ok(l) => l.no, Err(b) => b.no }).collect();
            proptest::prop_assert_eq!(got, expected);
        }

        /// Any bytes at all: no panic.
        #[test]
        fn any_bytes_no_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = parse(&bytes, &Layout::default());
        }

        /// Names and reasons written by [`record`] come back verbatim (a CR
        /// LF inside a field reads back as LF).
        #[test]
        fn csv_round_trip(name in "[^\\x00\"\r]{1,40}", reason in "[^\\x00\r]{0,60}") {
            let name = name.trim().to_string();
            proptest::prop_assume!(!name.is_empty() && !name.starts_with('\u{feff}'));
            let line = record(&name, Some(&reason));
            let r = parse(line.as_bytes(), &Layout::default()).unwrap().lines;
            proptest::prop_assert_eq!(r.len(), 1);
            let l = r[0].clone().unwrap();
            proptest::prop_assert_eq!(l.spec, name);
            let want = Some(reason.trim().to_string()).filter(|s| !s.is_empty());
            proptest::prop_assert_eq!(l.extra, want);
        }
    }
}
