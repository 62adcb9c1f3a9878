//! Text for people: escaping of tenant-controlled text, counts, durations,
//! sizes, and the width of the terminal. Pure functions with no imports
//! from the rest of tenantctl, so that every layer (the odoo layer, the
//! transport, the local files) escapes tenant text the same way; `output`
//! re-exports them for the commands.

use std::borrow::Cow;
use std::time::SystemTime;

/// Whether a character must not reach a terminal as it is: every control
/// character but tab and newline (C0, DEL, C1: cursor movement, OSC 52
/// clipboard writes, OSC 8 links, CR overwrites), and invisible or
/// reordering code points (zero-width, bidi overrides and isolates, BOM,
/// interlinear annotations, tag characters). After fd's `sanitize.rs`.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c,
            '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

fn escape_into(out: &mut String, c: char) {
    use std::fmt::Write as _;
    if (c as u32) < 0x100 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    }
}

/// Tenant-controlled text for a terminal, a table or a log line: control and
/// invisible characters written as `\xNN` / `\u{NNNN}` (newlines too: one
/// value, one line). JSON and CSV are escaped by their own formats instead.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\n' || needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\n' || needs_escape(c) {
            escape_into(&mut o, c);
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// Like [`esc`] for a message of several lines: each line is escaped, the
/// line breaks that tenantctl itself put there are kept.
pub fn esc_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(esc).collect::<Vec<_>>().join("\n"))
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
/// `1 user`, `2 users`, `0 users`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A duration as people write it: humantime's units, with a space before
/// the long ones (`30 days`, `1 day 2h`, `5m 3s`, not `30days`).
pub fn duration(d: std::time::Duration) -> String {
    spaced_units(&humantime::format_duration(d).to_string())
}

/// humantime's `30days 2h` as `30 days 2h` (JSON keeps humantime's form,
/// which the inventory parses back).
pub fn spaced_units(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let at = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
            let (n, unit) = w.split_at(at);
            if unit.len() > 2 {
                format!("{n} {unit}")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

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

/// Text for a table cell or a progress line: control characters escaped
/// ([`esc`]), cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let flat = esc(s).into_owned();
    if flat.chars().count() > max {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        flat
    }
}

/// The columns of the terminal that progress and notices go to (stderr):
/// `$COLUMNS`, else its size, else 80.
pub fn stderr_width() -> usize {
    width_of(libc::STDERR_FILENO)
}

pub(crate) fn width_of(fd: libc::c_int) -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    // SAFETY: TIOCGWINSZ writes a winsize into ws; fd is stdout or stderr.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    if rc == 0 && ws.ws_col > 0 {
        ws.ws_col as usize
    } else {
        80
    }
}
