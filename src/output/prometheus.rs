//! Prometheus text exposition (format 0.0.4): metric families of gauges,
//! label values escaped as the format says, and the atomic file write that
//! node_exporter's textfile collector needs.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// A label value: backslash, double quote and line feed escaped; any other
/// UTF-8 stands as it is (the format allows it).
pub fn label_value(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o
}

/// A HELP text: backslash and line feed escaped.
fn help_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// The text of an exposition, family by family.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// One gauge family: its HELP and TYPE lines, then one line per sample
    /// (label pairs in the order given). A family with no sample is left
    /// out.
    pub fn gauge(&mut self, name: &str, help: &str, samples: &[(Vec<(&str, String)>, f64)]) {
        if samples.is_empty() {
            return;
        }
        let _ = writeln!(self.text, "# HELP {name} {}", help_text(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
        for (labels, v) in samples {
            self.text.push_str(name);
            if !labels.is_empty() {
                let l: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", label_value(v)))
                    .collect();
                let _ = write!(self.text, "{{{}}}", l.join(","));
            }
            let _ = writeln!(self.text, " {}", number(*v));
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A sample value as the format writes it.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Writes `text` to `path` so that a reader sees the old file or the new
/// one, never half of one: a temporary file in the same directory (its name
/// does not end in `.prom`, which the textfile collector skips), flushed to
/// disk, made readable by all (0644: node_exporter often runs as another
/// user), then renamed over `path`.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let r = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644))?;
        std::fs::rename(&tmp, path)
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_numbers_follow_the_format() {
        assert_eq!(label_value("a\"b\\c\nd é"), "a\\\"b\\\\c\\nd é");
        let mut e = Exposition::default();
        e.gauge(
            "x_seconds",
            "line\none",
            &[(vec![("t", "q\"".into())], 0.5)],
        );
        e.gauge("empty", "none", &[]);
        assert_eq!(
            e.text(),
            "# HELP x_seconds line\\none\n# TYPE x_seconds gauge\nx_seconds{t=\"q\\\"\"} 0.5\n"
        );
        assert_eq!(number(2.0), "2");
    }
}
