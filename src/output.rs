//! Presentation: tables, CSV, JSON, human sizes and times, colour, messages
//! on stderr. Results go to stdout; messages, warnings and errors to stderr.

use std::io::{IsTerminal, Write};
use std::time::SystemTime;

use comfy_table::{presets, Cell, Color as TColor, ContentArrangement, Table};

use crate::config::{Color, Global, Output};

/// How this run prints.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: Output,
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
}

impl Printer {
    pub fn new(g: &Global) -> Printer {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match g.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => !no_color && std::io::stdout().is_terminal(),
        } && g.format_is_table();
        Printer {
            format: g.output,
            color,
            verbose: g.verbose,
            quiet: g.quiet,
        }
    }

    /// A note for people (stderr), hidden by `-q`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Detail shown only with `-v`.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose {
            eprintln!("tenantctl: {}", msg.as_ref());
        }
    }

    /// A warning (stderr), hidden by `-q`.
    pub fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("tenantctl: warning: {}", msg.as_ref());
        }
    }

    /// An error line (stderr), never hidden.
    pub fn error(&self, msg: impl AsRef<str>) {
        eprintln!("tenantctl: {}", msg.as_ref());
    }

    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.iter().map(Cell::new));
        if self.color {
            t.enforce_styling();
        }
        t
    }

    /// A cell, coloured when colour is on.
    pub fn cell(&self, text: impl ToString, color: Option<TColor>) -> Cell {
        let c = Cell::new(text.to_string());
        match (self.color, color) {
            (true, Some(col)) => c.fg(col),
            _ => c,
        }
    }
}

impl Global {
    fn format_is_table(&self) -> bool {
        self.output == Output::Table
    }
}

/// A rendered table without the padding comfy-table leaves at line ends.
pub fn render(t: &comfy_table::Table) -> String {
    t.to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints a line on stdout; a closed pipe (`| head`) ends quietly.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{text}");
}

/// Pretty JSON on stdout.
pub fn out_json(v: &impl serde::Serialize) {
    out(&serde_json::to_string_pretty(v).expect("JSON output serialises"));
}

/// One CSV record (RFC 4180 quoting).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    fields
        .iter()
        .map(|f| {
            let f = f.as_ref();
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// 1536 → "1.5 KiB".
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

/// "2026-11-01T10:00:00Z" → "27d ago" (relative to `now`); unparsable text is
/// returned as it is.
pub fn relative(ts: &str, now: SystemTime) -> String {
    let Ok(t) = humantime::parse_rfc3339_weak(ts.trim_end_matches('Z')) else {
        return ts.to_string();
    };
    let (secs, future) = match now.duration_since(t) {
        Ok(d) => (d.as_secs(), false),
        Err(e) => (e.duration().as_secs(), true),
    };
    let s = match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        86_400..=2_591_999 => format!("{}d", secs / 86_400),
        2_592_000..=31_535_999 => format!("{}mo", secs / 2_592_000),
        _ => format!("{}y", secs / 31_536_000),
    };
    if future {
        format!("in {s}")
    } else {
        format!("{s} ago")
    }
}

/// Text for a table cell: control characters (newlines in a reason) shown as
/// spaces, cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        flat
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
    fn csv() {
        assert_eq!(csv_line(&["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"");
    }
}
