//! Presentation: tables, CSV, JSON, human sizes and times, colour, messages
//! on stderr. Results go to stdout; messages, warnings and errors to stderr.

use std::borrow::Cow;
use std::io::{ErrorKind, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use unicode_width::UnicodeWidthStr;

pub mod health;
pub mod prometheus;

pub use crate::text::{
    count, csv_line, duration, esc, esc_lines, human_size, one_line, relative, spaced_units,
    stderr_width,
};

/// `-o`: how results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Table,
    Json,
    Csv,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// How this run prints (made from the run's settings by `Printer::new` in
/// `config`).
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: Output,
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
    /// `-o wide`: tables with every column, nothing truncated.
    pub wide: bool,
    /// `--no-headers`: tables and CSV without their header line.
    pub no_headers: bool,
    /// The terminal's width when stdout is a terminal: tables fit it by
    /// shortening free text. `None` (a pipe, a file): nothing is truncated.
    pub width: Option<usize>,
}

/// Whether `--color` turns colour on: `auto` does when stdout is a
/// terminal and `$NO_COLOR` is not set.
pub(crate) fn color_on(color: Color) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => !no_color && std::io::stdout().is_terminal(),
    }
}

/// The terminal's width when stdout is a terminal, else None (a pipe, a
/// file: nothing is truncated).
pub(crate) fn stdout_width() -> Option<usize> {
    std::io::stdout().is_terminal().then(terminal_width)
}

impl Printer {
    /// A note for people (stderr), hidden by `-q`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", esc_lines(msg.as_ref()));
        }
    }

    /// Detail shown only with `-v`.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose {
            eprintln!("tenantctl: {}", esc_lines(msg.as_ref()));
        }
    }

    /// A warning (stderr), hidden by `-q`.
    pub fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("tenantctl: warning: {}", esc_lines(msg.as_ref()));
        }
    }

    /// A warning that explains a later failure (an ignored pass file):
    /// shown even with `-q`.
    pub fn warn_always(&self, msg: impl AsRef<str>) {
        eprintln!("tenantctl: warning: {}", esc_lines(msg.as_ref()));
    }

    /// An error line (stderr), never hidden.
    pub fn error(&self, msg: impl AsRef<str>) {
        eprintln!("tenantctl: {}", esc_lines(msg.as_ref()));
    }

    /// The header line of `-o csv` on stdout, unless `--no-headers`.
    pub fn csv_header(&self, names: &[&str]) {
        if !self.no_headers {
            out(&csv_line(names));
        }
    }

    /// A table with these columns, rendered by [`Printer::print_table`].
    pub fn table(&self, cols: &[Col]) -> Table {
        Table {
            cols: cols.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Prints a table on stdout (nothing when it has no rows).
    pub fn print_table(&self, t: &Table) {
        if !t.rows.is_empty() {
            out(&self.render(t));
        }
    }

    /// The table as text: columns that are empty in every row and
    /// `-o wide` columns (without `-o wide`) left out; on a terminal, free
    /// text shortened with `…` so that lines fit its width (names, nodes and
    /// statuses never are), and free columns left out, first one first,
    /// when even their headers do not fit.
    pub fn render(&self, t: &Table) -> String {
        let mut shown: Vec<usize> = (0..t.cols.len())
            .filter(|&i| self.wide || !t.cols[i].wide_only)
            .filter(|&i| t.rows.iter().any(|r| !r[i].0.is_empty()))
            .collect();
        let natural_of = |shown: &[usize]| -> Vec<usize> {
            shown
                .iter()
                .map(|&i| {
                    t.rows
                        .iter()
                        .map(|r| r[i].0.width())
                        .chain((!self.no_headers).then(|| t.cols[i].header.width()))
                        .max()
                        .unwrap_or(0)
                })
                .collect()
        };
        let widths = match self.width.filter(|_| !self.wide) {
            Some(limit) => loop {
                let widths = fit(
                    &natural_of(&shown),
                    &shown.iter().map(|&i| t.cols[i].kind).collect::<Vec<_>>(),
                    &shown
                        .iter()
                        .map(|&i| t.cols[i].header.width())
                        .collect::<Vec<_>>(),
                    limit,
                );
                // Still too wide with every free column at its header's
                // width (long names): the first free column goes (`-o wide`
                // shows it), then the next, rather than every row wrapping.
                let total = widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
                match shown.iter().position(|&i| t.cols[i].kind == Kind::Free) {
                    Some(k) if total > limit => {
                        shown.remove(k);
                    }
                    _ => break widths,
                }
            },
            None => natural_of(&shown),
        };
        let mut lines = Vec::with_capacity(t.rows.len() + 1);
        let mut line = |cells: Vec<(String, Option<Tint>)>| {
            let mut l = String::new();
            let last = cells.len().saturating_sub(1);
            for (k, (text, tint)) in cells.into_iter().enumerate() {
                let text = truncate(&text, widths[k]);
                let pad = widths[k].saturating_sub(text.width());
                match tint.filter(|_| self.color) {
                    Some(c) => l.push_str(&format!("\x1b[{}m{text}\x1b[0m", c.code())),
                    None => l.push_str(&text),
                }
                if k < last {
                    l.push_str(&" ".repeat(pad + GAP));
                }
            }
            lines.push(l.trim_end().to_string());
        };
        if !self.no_headers {
            line(
                shown
                    .iter()
                    .map(|&i| (t.cols[i].header.to_string(), None))
                    .collect(),
            );
        }
        for r in &t.rows {
            line(shown.iter().map(|&i| r[i].clone()).collect());
        }
        lines.join("\n")
    }
}

/// Spaces between two columns.
const GAP: usize = 2;

/// How a column behaves when a table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Names, nodes, statuses, numbers: never wrapped or truncated (copying
    /// a name must give the name).
    Key,
    /// Reasons, errors, versions: shortened with `…` to fit.
    Free,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    pub kind: Kind,
    /// Shown only with `-o wide`.
    pub wide_only: bool,
}

impl Col {
    pub const fn key(header: &'static str) -> Col {
        Col {
            header,
            kind: Kind::Key,
            wide_only: false,
        }
    }
    pub const fn free(header: &'static str) -> Col {
        Col {
            header,
            kind: Kind::Free,
            wide_only: false,
        }
    }
    /// The column only with `-o wide`.
    pub const fn wide(self) -> Col {
        Col {
            wide_only: true,
            ..self
        }
    }
}

/// A colour for a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tint {
    Red,
    Green,
    Grey,
}

impl Tint {
    fn code(self) -> &'static str {
        match self {
            Tint::Red => "31",
            Tint::Green => "32",
            Tint::Grey => "90",
        }
    }
}

/// Rows of cells under [`Col`]umns; text is escaped ([`esc`]) when added.
#[derive(Debug, Clone)]
pub struct Table {
    cols: Vec<Col>,
    rows: Vec<Vec<(String, Option<Tint>)>>,
}

impl Table {
    /// Adds a row of plain cells (one per column).
    pub fn row<S: ToString>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.row_tinted(cells.into_iter().map(|c| (c, None)));
    }

    /// Adds a row of cells with their colour.
    pub fn row_tinted<S: ToString>(&mut self, cells: impl IntoIterator<Item = (S, Option<Tint>)>) {
        let mut r: Vec<(String, Option<Tint>)> = cells
            .into_iter()
            .map(|(c, t)| (esc(&c.to_string()).into_owned(), t))
            .collect();
        r.resize(self.cols.len(), (String::new(), None));
        self.rows.push(r);
    }
}

/// Column widths that fit `limit` by narrowing the free columns (each to
/// at least its header); key columns keep their width even when the
/// table then stays wider than `limit`.
fn fit(natural: &[usize], kinds: &[Kind], headers: &[usize], limit: usize) -> Vec<usize> {
    let gaps = GAP * natural.len().saturating_sub(1);
    let total: usize = natural.iter().sum::<usize>() + gaps;
    if total <= limit {
        return natural.to_vec();
    }
    let fixed: usize = natural
        .iter()
        .zip(kinds)
        .filter(|(_, k)| **k == Kind::Key)
        .map(|(w, _)| w)
        .sum();
    let mut room = limit.saturating_sub(fixed + gaps);
    let mut widths = natural.to_vec();
    // Free columns narrower than an equal share keep their width; the others
    // share what is left.
    let mut open: Vec<usize> = (0..natural.len())
        .filter(|&i| kinds[i] == Kind::Free)
        .collect();
    loop {
        if open.is_empty() {
            break;
        }
        let share = room / open.len();
        let (small, big): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| natural[i] <= share);
        if small.is_empty() {
            let mut extra = room - share * big.len();
            for &i in &big {
                let add = usize::from(extra > 0);
                extra -= add;
                widths[i] = (share + add).max(headers[i].min(natural[i]));
            }
            break;
        }
        for &i in &small {
            room -= natural[i];
        }
        open = big;
    }
    widths
}

/// `s` cut to `width` columns, ending in `…` when cut.
fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    let mut o = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        w += cw;
        o.push(c);
    }
    o.push('…');
    Cow::Owned(o)
}

/// The terminal's columns: `$COLUMNS`, else the size of the terminal on
/// stdout, else 80.
fn terminal_width() -> usize {
    crate::text::width_of(libc::STDOUT_FILENO)
}

/// Set once stdout turned out to be a closed pipe: further output is
/// dropped quietly (as ripgrep does), the run goes on (transactions in
/// flight, signals and audit lines still finish) and the exit code still
/// comes from the outcomes.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// The first write error on stdout other than a closed pipe (`> /dev/full`):
/// the run then exits non-zero ([`take_stdout_error`]).
static STDOUT_ERROR: Mutex<Option<std::io::Error>> = Mutex::new(None);

/// Writes `text` and a newline to stdout and flushes. A closed pipe ends
/// output quietly; any other error is remembered for the exit code.
pub fn out(text: &str) {
    if let Err(e) = write_stdout(text) {
        if e.kind() == ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::SeqCst);
        } else {
            let mut slot = STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(e);
        }
    }
}

/// Writes a line that must reach its reader (a generated password) and
/// reports any failure, a closed pipe included: the caller then must not
/// commit the change the line describes.
pub fn out_checked(text: &str) -> std::io::Result<()> {
    if STDOUT_CLOSED.load(Ordering::SeqCst) {
        return Err(std::io::Error::new(
            ErrorKind::BrokenPipe,
            "standard output is closed",
        ));
    }
    write_stdout(text)
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    if STDOUT_CLOSED.load(Ordering::SeqCst) {
        return Ok(());
    }
    let mut o = std::io::stdout().lock();
    writeln!(o, "{text}")?;
    o.flush()
}

/// Raw bytes on stdout (completions, man page), with the same rules as [`out`].
pub fn out_bytes(bytes: &[u8]) {
    let r = (|| {
        let mut o = std::io::stdout().lock();
        o.write_all(bytes)?;
        o.flush()
    })();
    if let Err(e) = r {
        if e.kind() == ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::SeqCst);
        } else {
            let mut slot = STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(e);
        }
    }
}

/// The write error on stdout, if one happened (a closed pipe is none).
pub fn take_stdout_error() -> Option<std::io::Error> {
    STDOUT_ERROR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
}

/// Pretty JSON on stdout.
pub fn out_json(v: &impl serde::Serialize) {
    out(&serde_json::to_string_pretty(v).expect("JSON output serialises"));
}

#[cfg(test)]
mod duration_tests {
    use super::duration;
    use std::time::Duration;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(Duration::from_secs(30 * 86400)), "30 days");
        assert_eq!(duration(Duration::from_secs(86400 + 7200)), "1 day 2h");
        assert_eq!(duration(Duration::from_secs(303)), "5m 3s");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    #[test]
    fn sizes() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(8 * 1024 * 1024 * 1024), "8.0 GiB");
        assert_eq!(human_size(300 * 1024 * 1024), "300 MiB");
    }
    #[test]
    fn times() {
        let t = humantime::parse_rfc3339("2026-11-01T10:00:00Z").unwrap();
        assert_eq!(
            relative("2026-11-01T10:00:00Z", t + Duration::from_secs(3 * 86_400)),
            "3d ago"
        );
        assert_eq!(relative("junk", t), "junk");
    }
    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(esc("plain ünïcode\tok"), "plain ünïcode\tok");
        assert_eq!(esc("evil\x1b[31mred"), "evil\\x1b[31mred");
        assert_eq!(esc("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(esc("c1\u{9b}2J"), "c1\\x9b2J");
        assert_eq!(esc("\x1b]52;c;ZXZpbA==\x07"), "\\x1b]52;c;ZXZpbA==\\x07");
        assert_eq!(esc("fake\rline"), "fake\\x0dline");
        assert_eq!(esc("two\nlines"), "two\\x0alines");
        assert_eq!(esc_lines("plan:\n  - a\x1b"), "plan:\n  - a\\x1b");
        assert_eq!(esc("\u{feff}\u{200b}"), "\\u{feff}\\u{200b}");
    }
    #[test]
    fn tables_fit_by_shortening_free_text_only() {
        let p = Printer {
            format: Output::Table,
            color: false,
            verbose: false,
            quiet: false,
            wide: false,
            no_headers: false,
            width: Some(40),
        };
        let mut t = p.table(&[
            Col::key("NAME"),
            Col::free("REASON"),
            Col::key("EMPTY"),
            Col::key("X").wide(),
        ]);
        t.row(["trial-0001", &"r".repeat(60), "", "x"]);
        t.row(["b", "short", "", "x"]);
        let text = p.render(&t);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME        REASON");
        assert!(
            lines[1].starts_with("trial-0001  rrr") && lines[1].ends_with('…'),
            "{text}"
        );
        assert_eq!(lines[1].width(), 40, "{text}");
        assert_eq!(lines[2], "b           short");
        // Not a terminal: nothing truncated; wide: the extra column.
        let p = Printer {
            width: None,
            wide: true,
            no_headers: true,
            ..p
        };
        let text = p.render(&t);
        assert!(
            text.contains(&"r".repeat(60)) && !text.contains("NAME"),
            "{text}"
        );
        assert!(text.lines().next().unwrap().ends_with("  x"), "{text}");
    }
    #[test]
    fn csv() {
        assert_eq!(csv_line(&["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"");
    }
}
