//! The one `--from` reader of every bulk write (`bulk suspend`,
//! `reactivate`, `passwd`, `create`, `drop`, `purge`): a file or stdin
//! (`-`), read as [`crate::targetfile`] says (CSV records, `#` comments,
//! `--header`, `--column`), a malformed file refused before anything runs
//! (exit 2, every problem with its line), a bad line a `failed` row of its
//! own while the others run.

use std::io::Read;
use std::path::Path;

use anyhow::anyhow;

use super::{Ctx, Job, Op, Outcome, Report};
use crate::error::{Error, Result};
use crate::targetfile::{self, BadLine, Layout, TargetFile};

/// Reads and parses `path` (`-`: stdin) as `layout` says; a malformed file
/// is refused (exit 2, nothing run).
pub(crate) fn read(ctx: &Ctx, path: &Path, layout: &Layout) -> Result<TargetFile> {
    let src = source_name(path);
    targetfile::parse(&bytes(path)?, layout).map_err(|e| refuse(ctx, &src, &e.problems))
}

/// The job of a line that cannot be used: a `failed` row naming
/// `FILE:LINE`, run by nobody.
pub(crate) fn bad_line(src: &str, bad: &BadLine, op: Op) -> Job {
    let mut r = Report::new(None, &bad.text, op)
        .fail(Outcome::Failed, format!("{src}:{}: {}", bad.no, bad.error));
    r.line = Some(bad.no);
    let mut j = Job::for_spec(bad.text.clone());
    j.line = Some(bad.no);
    j.early = Some(r);
    j
}

fn bytes(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::input(anyhow!("--from -: reading stdin: {e}")))?;
    } else {
        buf = std::fs::read(path)
            .map_err(|e| Error::input(anyhow!("--from {}: {e}", path.display())))?;
    }
    Ok(buf)
}

/// How the `--from` source is named in messages: the path, or `<stdin>`.
pub(crate) fn source_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".into()
    } else {
        crate::output::esc(&path.display().to_string()).into_owned()
    }
}

/// The usage error that ends the run before anything changed: one problem
/// is that one line; several are printed one per line, then a count.
pub(crate) fn refuse(ctx: &Ctx, src: &str, problems: &[(Option<usize>, String)]) -> Error {
    let at = |no: &Option<usize>, why: &str| match no {
        Some(n) => format!("{src}:{n}: {why}"),
        None => format!("{src}: {why}"),
    };
    if let [(no, why)] = problems {
        return Error::input(anyhow!("{}; nothing changed", at(no, why)));
    }
    for (no, why) in problems {
        ctx.printer.error(at(no, why));
    }
    Error::input(anyhow!(
        "--from {src}: {} problem{} above; nothing changed",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ))
}
