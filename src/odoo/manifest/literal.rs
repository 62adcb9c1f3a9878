//! A Python literal, read as `ast.literal_eval` reads it (Odoo loads each
//! `__manifest__.py` with `ast.literal_eval(f.read())`,
//! odoo/modules/module.py `load_manifest`), by hand and never executed:
//! dicts, lists, tuples, sets, strings (implicit concatenation, prefixes
//! `r` `u` `b`, triple quotes, escapes), numbers, `True` `False` `None`,
//! comments and trailing commas. Anything else (a name, a call, an
//! attribute, an operator, an f-string) is refused, as are nesting deeper
//! than [`MAX_DEPTH`] and input larger than [`MAX_BYTES`]. Never panics:
//! every index is checked and the recursion is bounded.
//!
//! Slightly more lenient than Python's grammar where that is harmless
//! (newlines between tokens outside brackets, leading zeros); never more
//! lenient about what runs code.

/// Largest manifest read (Odoo's own are a few kB; a long description
/// stays well below).
pub const MAX_BYTES: usize = 1024 * 1024;

/// Deepest nesting of containers (Odoo's manifests nest 3 or 4 deep).
pub const MAX_DEPTH: usize = 64;

/// A literal value. Numbers keep their text (only compared, never computed).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bytes(Vec<u8>),
    Num(String),
    Bool(bool),
    None,
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Set(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

/// Parses `text` as one Python literal; the refusal says why and where
/// (`line N`).
pub fn parse(text: &str) -> Result<Value, String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "larger than {} bytes ({} bytes)",
            MAX_BYTES,
            text.len()
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        s: text.as_bytes(),
        src: text,
        i: 0,
        depth: 0,
    };
    let v = p.expr_list(true)?;
    p.skip_space();
    if p.i < p.s.len() {
        return Err(p.unexpected("after the literal"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn line(&self) -> usize {
        1 + self.s[..self.i.min(self.s.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }

    fn err(&self, m: impl std::fmt::Display) -> String {
        format!("line {}: {m}", self.line())
    }

    /// What stands at the cursor, for a refusal.
    fn unexpected(&self, what: &str) -> String {
        let rest = self.src.get(self.i..).unwrap_or("");
        let shown: String = rest.chars().take(40).collect();
        let shown = shown.lines().next().unwrap_or("");
        match self.peek() {
            None => self.err(format!("unexpected end {what}")),
            Some(_) => self.err(format!("not a literal {what}: {}", crate::text::esc(shown))),
        }
    }

    /// Spaces, newlines, line continuations and comments.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => self.i += 1,
                b'\\' if matches!(self.at(1), Some(b'\n' | b'\r')) => self.i += 2,
                b'#' => {
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.i += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// `a` or `a, b, ...` (a tuple): at the top level and in parentheses.
    fn expr_list(&mut self, top: bool) -> Result<Value, String> {
        self.skip_space();
        if !top && self.peek() == Some(b')') {
            return Ok(Value::Tuple(Vec::new()));
        }
        let first = self.value()?;
        if !self.eat(b',') {
            return Ok(first);
        }
        let mut items = vec![first];
        loop {
            self.skip_space();
            match self.peek() {
                None => break,
                Some(b')') if !top => break,
                _ => {}
            }
            items.push(self.value()?);
            if !self.eat(b',') {
                break;
            }
        }
        Ok(Value::Tuple(items))
    }

    /// One value.
    fn value(&mut self) -> Result<Value, String> {
        self.skip_space();
        let Some(c) = self.peek() else {
            return Err(self.unexpected("where a value was expected"));
        };
        match c {
            b'{' | b'[' | b'(' => {
                self.deeper()?;
                self.i += 1;
                let v = match c {
                    b'{' => self.braces(),
                    b'[' => self.items(b']').map(Value::List),
                    _ => {
                        let v = self.expr_list(false)?;
                        if self.eat(b')') {
                            Ok(v)
                        } else {
                            Err(self.unexpected("where `)` was expected"))
                        }
                    }
                }?;
                self.depth -= 1;
                Ok(v)
            }
            b'\'' | b'"' => self.strings(),
            b'0'..=b'9' | b'.' => self.number(),
            b'-' | b'+' => {
                self.i += 1;
                self.skip_space();
                match self.peek() {
                    Some(b'0'..=b'9' | b'.') => match self.number()? {
                        Value::Num(n) => Ok(Value::Num(format!("{}{n}", c as char))),
                        v => Ok(v),
                    },
                    _ => Err(self.unexpected("(a sign applies to a number only)")),
                }
            }
            c if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => self.word(),
            _ => Err(self.unexpected("where a value was expected")),
        }
    }

    /// Items up to `close`, trailing comma allowed (after the opening one).
    fn items(&mut self, close: u8) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(out);
            }
            out.push(self.value()?);
            if !self.eat(b',') {
                if self.eat(close) {
                    return Ok(out);
                }
                return Err(
                    self.unexpected(&format!("where `,` or `{}` was expected", close as char))
                );
            }
        }
    }

    /// `{}`, `{k: v, ...}` or `{a, b}` (a set), after the `{`.
    fn braces(&mut self) -> Result<Value, String> {
        if self.eat(b'}') {
            return Ok(Value::Dict(Vec::new()));
        }
        let first = self.value()?;
        if !self.eat(b':') {
            let mut items = vec![first];
            if self.eat(b',') {
                items.append(&mut self.items(b'}')?);
            } else if !self.eat(b'}') {
                return Err(self.unexpected("where `,` or `}` was expected"));
            }
            return Ok(Value::Set(items));
        }
        let mut pairs = vec![(first, self.value()?)];
        loop {
            if self.eat(b'}') {
                return Ok(Value::Dict(pairs));
            }
            if !self.eat(b',') {
                return Err(self.unexpected("where `,` or `}` was expected"));
            }
            if self.eat(b'}') {
                return Ok(Value::Dict(pairs));
            }
            let k = self.value()?;
            if !self.eat(b':') {
                return Err(self.unexpected("where `:` was expected"));
            }
            pairs.push((k, self.value()?));
        }
    }

    /// `True`, `False`, `None`, or a string prefix; any other name is
    /// refused (a call, an attribute, a variable: code).
    fn word(&mut self) -> Result<Value, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 {
                self.i += 1;
            } else {
                break;
            }
        }
        let w = self.src.get(start..self.i).unwrap_or("");
        if matches!(self.peek(), Some(b'\'' | b'"'))
            && matches!(
                w.to_ascii_lowercase().as_str(),
                "r" | "u" | "b" | "br" | "rb"
            )
        {
            self.i = start;
            return self.strings();
        }
        match w {
            "True" => return Ok(Value::Bool(true)),
            "False" => return Ok(Value::Bool(false)),
            "None" => return Ok(Value::None),
            _ => {}
        }
        self.skip_space();
        let what = match self.peek() {
            Some(b'(') => "a call",
            Some(b'.') => "an attribute",
            Some(b'\'' | b'"') => "an f-string or unknown string prefix",
            _ => "a name",
        };
        self.i = start;
        Err(self.unexpected(&format!("({what})")))
    }

    /// One or more adjacent string literals, concatenated (str with str,
    /// bytes with bytes).
    fn strings(&mut self) -> Result<Value, String> {
        let mut text: Option<String> = None;
        let mut bytes: Option<Vec<u8>> = None;
        loop {
            self.skip_space();
            let start = self.i;
            let mut raw = false;
            let mut is_bytes = false;
            while let Some(c) = self.peek() {
                match c.to_ascii_lowercase() {
                    b'r' => raw = true,
                    b'b' => is_bytes = true,
                    b'u' => {}
                    _ => break,
                }
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'\'' | b'"')) {
                self.i = start;
                break;
            }
            let body = self.string_body(raw, is_bytes)?;
            let mixed = || self.err("bytes and str literals cannot be concatenated");
            if is_bytes {
                if text.is_some() {
                    return Err(mixed());
                }
                bytes.get_or_insert_with(Vec::new).extend(body);
            } else {
                if bytes.is_some() {
                    return Err(mixed());
                }
                // Built from a &str and escapes that produce chars: valid.
                let s = String::from_utf8(body).map_err(|_| self.err("invalid text"))?;
                text.get_or_insert_with(String::new).push_str(&s);
            }
        }
        match (text, bytes) {
            (Some(t), _) => Ok(Value::Str(t)),
            (None, Some(b)) => Ok(Value::Bytes(b)),
            (None, None) => Err(self.unexpected("where a string was expected")),
        }
    }

    /// The contents of one quoted literal, the cursor on its first quote.
    fn string_body(&mut self, raw: bool, is_bytes: bool) -> Result<Vec<u8>, String> {
        let q = self.peek().unwrap_or(b'\'');
        let triple = self.at(1) == Some(q) && self.at(2) == Some(q);
        self.i += if triple { 3 } else { 1 };
        let open_line = self.line();
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(format!("line {open_line}: unterminated string"));
            };
            if c == q && (!triple || (self.at(1) == Some(q) && self.at(2) == Some(q))) {
                self.i += if triple { 3 } else { 1 };
                return Ok(out);
            }
            if c == b'\n' && !triple {
                return Err(format!("line {open_line}: unterminated string"));
            }
            if is_bytes && c >= 0x80 {
                return Err(self.err("bytes can only contain ASCII characters"));
            }
            if c != b'\\' {
                out.push(c);
                self.i += 1;
                continue;
            }
            let Some(n) = self.at(1) else {
                return Err(format!("line {open_line}: unterminated string"));
            };
            if raw {
                // A backslash keeps the next character (a quote too).
                out.push(b'\\');
                out.push(n);
                self.i += 2;
                continue;
            }
            self.escape(&mut out, is_bytes)?;
        }
    }

    /// One escape sequence, the cursor on its backslash.
    fn escape(&mut self, out: &mut Vec<u8>, is_bytes: bool) -> Result<(), String> {
        let n = self.at(1).unwrap_or(b'\\');
        self.i += 2;
        let simple = match n {
            b'\n' => Some(None),
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.i += 1;
                }
                Some(None)
            }
            b'\\' | b'\'' | b'"' => Some(Some(n)),
            b'a' => Some(Some(7)),
            b'b' => Some(Some(8)),
            b'f' => Some(Some(12)),
            b'n' => Some(Some(b'\n')),
            b'r' => Some(Some(b'\r')),
            b't' => Some(Some(b'\t')),
            b'v' => Some(Some(11)),
            _ => None,
        };
        if let Some(b) = simple {
            out.extend(b);
            return Ok(());
        }
        let push = |out: &mut Vec<u8>, code: u32| -> Result<(), String> {
            if is_bytes {
                out.push(u8::try_from(code).map_err(|_| "escape out of range".to_string())?);
            } else {
                let ch = char::from_u32(code).ok_or("escape is not a character")?;
                out.extend(ch.to_string().as_bytes());
            }
            Ok(())
        };
        match n {
            b'0'..=b'7' => {
                let mut code = u32::from(n - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            code = code * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                push(out, code).map_err(|m| self.err(m))
            }
            b'x' => push(out, self.hex(2)?).map_err(|m| self.err(m)),
            b'u' if !is_bytes => push(out, self.hex(4)?).map_err(|m| self.err(m)),
            b'U' if !is_bytes => push(out, self.hex(8)?).map_err(|m| self.err(m)),
            b'N' if !is_bytes && self.peek() == Some(b'{') => {
                // A character by its Unicode name: the names are not known
                // here; the text is only compared, so a placeholder stands in.
                while !matches!(self.peek(), None | Some(b'}' | b'\n')) {
                    self.i += 1;
                }
                if self.peek() != Some(b'}') {
                    return Err(self.err("malformed \\N{...} escape"));
                }
                self.i += 1;
                out.extend("\u{fffd}".as_bytes());
                Ok(())
            }
            _ => {
                // An unknown escape keeps its backslash.
                out.push(b'\\');
                self.i -= 1;
                Ok(())
            }
        }
    }

    fn hex(&mut self, k: usize) -> Result<u32, String> {
        let digits = self
            .s
            .get(self.i..self.i + k)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| {
                self.err(format!(
                    "truncated \\x/\\u escape (expected {k} hex digits)"
                ))
            })?;
        self.i += k;
        let d = std::str::from_utf8(digits).unwrap_or("0");
        u32::from_str_radix(d, 16).map_err(|x| self.err(x))
    }

    /// An int, float or imaginary number (its text kept).
    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        while let Some(c) = self.peek() {
            let exp_sign = matches!(c, b'+' | b'-')
                && matches!(self.s.get(self.i.wrapping_sub(1)), Some(b'e' | b'E'))
                && !self.src[start..self.i].starts_with("0x")
                && !self.src[start..self.i].starts_with("0X");
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exp_sign {
                self.i += 1;
            } else {
                break;
            }
        }
        let t = &self.src[start..self.i];
        if number_ok(t) {
            Ok(Value::Num(t.to_string()))
        } else {
            self.i = start;
            Err(self.unexpected("(a malformed number)"))
        }
    }
}

/// Python's number forms: `0x..`/`0o..`/`0b..`, decimal ints and floats
/// with `_` between digits, exponents, a `j` suffix.
fn number_ok(t: &str) -> bool {
    let digits = |s: &str, ok: fn(char) -> bool| {
        !s.is_empty()
            && !s.starts_with('_')
            && !s.ends_with('_')
            && !s.contains("__")
            && s.chars().all(|c| c == '_' || ok(c))
    };
    let lower = t.to_ascii_lowercase();
    for (p, ok) in [
        ("0x", (|c: char| c.is_ascii_hexdigit()) as fn(char) -> bool),
        ("0o", |c: char| ('0'..='7').contains(&c)),
        ("0b", |c: char| c == '0' || c == '1'),
    ] {
        if let Some(rest) = lower.strip_prefix(p) {
            return digits(rest.strip_prefix('_').unwrap_or(rest), ok);
        }
    }
    let dec = |c: char| c.is_ascii_digit();
    let t = lower.strip_suffix('j').unwrap_or(&lower);
    let (mant, exp) = match t.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (t, None),
    };
    if let Some(e) = exp {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if !digits(e, dec) {
            return false;
        }
    }
    match mant.split_once('.') {
        Some((a, b)) => {
            (a.is_empty() || digits(a, dec))
                && (b.is_empty() || digits(b, dec))
                && !(a.is_empty() && b.is_empty())
        }
        None => digits(mant, dec),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, Value, MAX_BYTES, MAX_DEPTH};

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    #[test]
    fn a_manifest_reads_as_python_reads_it() {
        let text = r#"# -*- coding: utf-8 -*-
# Part of Odoo.
{
    'name': 'Discuss',
    "version" : '1.' '10',   # implicit concatenation
    'summary': u"Chat, mail gateway and private channels",
    'description': """
Multi-line \"quoted\" text\twith a tab \x41 \u00e9 \N{BULLET} \101
""",
    'raw': r'C:\new\'s',
    'bytes': b'\x00ab' rb"\d",
    'depends': ['base', 'base_setup', 'bus', 'web_tour',],
    'data': ('a.xml',),
    'one': ('a.xml'),
    'empty': (),
    'set': {1, 2,},
    'sequence': -5, 'ratio': 1.5e-3, 'hex': 0xFF, 'big': 1_000_000, 'c': 2j, 'dot': .5,
    'installable': True, 'auto_install': False, 'post_load': None,
    'license': 'LGPL-3',
}
"#;
        let Value::Dict(d) = parse(text).unwrap() else {
            panic!("not a dict")
        };
        let get = |k: &str| d.iter().rev().find(|(x, _)| *x == s(k)).unwrap().1.clone();
        assert_eq!(get("version"), s("1.10"));
        assert_eq!(
            get("description"),
            s("\nMulti-line \"quoted\" text\twith a tab A \u{e9} \u{fffd} A\n")
        );
        assert_eq!(get("raw"), s("C:\\new\\'s"));
        assert_eq!(get("bytes"), Value::Bytes(b"\x00ab\\d".to_vec()));
        assert_eq!(get("data"), Value::Tuple(vec![s("a.xml")]));
        assert_eq!(get("one"), s("a.xml"));
        assert_eq!(get("empty"), Value::Tuple(vec![]));
        assert_eq!(get("sequence"), Value::Num("-5".into()));
        assert_eq!(get("auto_install"), Value::Bool(false));
        assert_eq!(get("post_load"), Value::None);
        assert_eq!(
            get("set"),
            Value::Set(vec![Value::Num("1".into()), Value::Num("2".into())])
        );
    }

    #[test]
    fn code_is_refused_with_the_reason() {
        for (text, why) in [
            (
                "{'version': __import__('os').system('touch /tmp/pwned')}",
                "(a call)",
            ),
            ("{'a': os.environ}", "(an attribute)"),
            ("{'a': x}", "(a name)"),
            ("{'a': f'{x}'}", "f-string"),
            ("{'a': 1 + 1}", "where `,` or `}` was expected"),
            ("{'a': [x for x in y]}", "(a name)"),
            ("{**d}", "where a value was expected"),
            ("{'a': 'b' 'c\n}", "unterminated string"),
            ("{'a': b'x' 'y'}", "cannot be concatenated"),
            ("{'a': 1} + {}", "after the literal"),
            ("{'a': 1", "unexpected end"),
            ("{'a': -'x'}", "a sign applies to a number only"),
            ("{'a': 1x}", "malformed number"),
            ("{'a': '\\x4'}", "truncated"),
            ("", "unexpected end"),
            ("lambda: 0", "(a name)"),
        ] {
            let m = parse(text).unwrap_err();
            assert!(m.contains(why), "{text:?}: {m}");
            assert!(m.starts_with("line "), "{m}");
        }
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).unwrap_err().contains("nested deeper"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let very_deep = "(".repeat(MAX_BYTES / 2);
        assert!(parse(&very_deep).is_err());
        let big = format!("{{'a': '{}'}}", "x".repeat(MAX_BYTES));
        assert!(parse(&big).unwrap_err().contains("larger than"));
        // Truncations and odd bytes of a real manifest never panic.
        let text = "{'a': [1, (2, {3: b'\\x01'}), r'\\'', '''x\ny''', u\"\\u00e9\\N{X}\"]}";
        for i in 0..=text.len() {
            if let Some(t) = text.get(..i) {
                let _ = parse(t);
            }
        }
        for t in [
            "\\",
            "'\\",
            "b'\u{e9}'",
            "'\\777'",
            "b'\\777'",
            "'\\U0011ffff'",
            "0x",
            "1e",
            ".",
            "-",
            "{'a':}",
            "{:1}",
            "\u{feff}{}",
        ] {
            let _ = parse(t);
        }
    }
}
