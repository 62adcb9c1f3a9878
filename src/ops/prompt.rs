//! The one place tenantctl asks the operator something: `[y/N]`
//! confirmations (on stdin, or on the controlling terminal when stdin is the
//! target list), typing a tenant's name before a purge, and new passwords
//! (typed twice on the terminal, or one line of stdin). Without a terminal
//! to ask on, the answer is a usage error (exit 2, nothing changed): scripts
//! say `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::anyhow;

use crate::error::{Error, Result};
use crate::text::esc;

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}

/// Asks `[y/N]` on the terminal. Without a terminal on stdin the answer is an
/// error: scripts must say `--yes`.
pub fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(anyhow!(
            "stdin is not a terminal, so I cannot ask for confirmation; pass --yes (nothing changed)"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::usage(anyhow!("reading the answer: {e}")))?;
    Ok(is_yes(&line))
}

/// Asks `[y/N]` when stdin is the target list (`--from -`): on the
/// controlling terminal, `/dev/tty`, as kubectl and apt do; without one the
/// usual refusal (exit 2, use --yes).
pub fn confirm_on_tty(question: &str) -> Result<bool> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty");
    let Ok(mut tty) = tty else {
        return Err(Error::usage(anyhow!(
            "stdin is the target list (--from -) and there is no terminal to ask on; pass --yes (nothing changed)"
        )));
    };
    let asked = write!(tty, "{question} [y/N] ").and_then(|_| tty.flush());
    asked.map_err(|e| Error::usage(anyhow!("/dev/tty: {e}")))?;
    let mut line = String::new();
    std::io::BufReader::new(tty)
        .read_line(&mut line)
        .map_err(|e| Error::usage(anyhow!("reading the answer from /dev/tty: {e}")))?;
    Ok(is_yes(&line))
}

/// On a terminal: the operator types `name` after `question`. Without one:
/// `yes` (`--yes`) is required.
pub fn type_name(question: &str, name: &str, yes: bool) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        if yes {
            return Ok(true);
        }
        return Err(Error::usage(anyhow!(
            "stdin is not a terminal, so I cannot ask you to type the tenant's name; pass --yes (nothing changed)"
        )));
    }
    let typed = answer(&format!(
        "{question} Type the tenant's name ({}) to confirm: ",
        esc(name)
    ))?;
    Ok(typed == name)
}

/// Asks `question` on the terminal (stderr, stdin) and reads the line typed,
/// without its line ending.
pub fn answer(question: &str) -> Result<String> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|x| Error::usage(anyhow!("reading the answer: {x}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// One line from stdin, without its line ending (`--password-stdin`).
pub fn stdin_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::usage(anyhow!("reading the password from stdin: {e}")))?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if pw.is_empty() {
        return Err(Error::usage(anyhow!(
            "--password-stdin: stdin gave an empty password; nothing changed"
        )));
    }
    Ok(pw.to_string())
}

/// How many times a mistyped repetition is asked again.
const PROMPT_ATTEMPTS: usize = 3;

/// A new password typed twice on the terminal after `question`; a
/// mistyped repetition, or a password `policy` refuses (its reason said),
/// is asked again, up to three times.
pub fn new_password(question: &str, policy: &dyn Fn(&str) -> Result<(), String>) -> Result<String> {
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|e| Error::usage(anyhow!("reading the password from the terminal: {e}")))
    };
    for attempt in 1..=PROMPT_ATTEMPTS {
        let a = read(question)?;
        let b = read("Repeat it: ")?;
        let why = if a != b {
            "the two passwords differ".to_string()
        } else {
            match policy(&a) {
                Ok(()) => return Ok(a),
                Err(m) => m,
            }
        };
        if attempt == PROMPT_ATTEMPTS {
            return Err(Error::usage(if a != b {
                anyhow!("the two passwords differ {PROMPT_ATTEMPTS} times; nothing changed")
            } else {
                anyhow!("{why} (the last of {PROMPT_ATTEMPTS} tries); nothing changed")
            }));
        }
        eprintln!(
            "tenantctl: {why}; try again ({} left)",
            PROMPT_ATTEMPTS - attempt
        );
    }
    unreachable!("the last attempt returns")
}
