//! `--failed-to FILE` of the bulk commands (`suspend`, `reactivate`,
//! `passwd`, and the lifecycle runs `create`, `drop`, `purge`, `upgrade`):
//! after the run, every target that did not get what was asked, as a
//! `--from` file that reruns exactly those. Made here, shown by
//! [`super::report::failed_to`] (this module prints nothing).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::{Job, Report};
use crate::error::{Error, Result};
use crate::targetfile;

/// `--failed-to PATH` of a run: its file, created before the first target
/// (see [`FailedTo::create`]), or None: no flag, or a dry run (nothing is
/// run, nothing written; said by the reporter).
pub(crate) fn open(ctx: &super::Ctx, path: Option<&Path>, dry_run: bool) -> Result<Option<Rerun>> {
    match path {
        Some(p) if !dry_run => Ok(Some(Rerun {
            file: FailedTo::create(p)?,
            src: String::new(),
            unreadable: HashSet::new(),
            with_reason: false,
            whole: Default::default(),
            inputs: Vec::new(),
        })),
        Some(_) => {
            super::report::failed_to_dry_run(ctx);
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The `--failed-to` file of a run and what it needs of the run's jobs.
pub(crate) struct Rerun {
    file: FailedTo,
    /// How the `--from` source is named (`<stdin>`, a path), for comments.
    src: String,
    /// The `--from` lines that could not be read: comments in the file.
    unreadable: HashSet<usize>,
    /// A reason column (suspend): each record gets its reason.
    with_reason: bool,
    /// By line number, the fields of a line written back whole instead of
    /// its target (`bulk create`: name, admin login, company).
    whole: std::collections::HashMap<usize, Vec<String>>,
    inputs: Vec<Input>,
}

impl Rerun {
    /// The `--from` source: its name and the lines that could not be read.
    pub(crate) fn source(mut self, src: &str, unreadable: HashSet<usize>) -> Rerun {
        self.src = src.to_string();
        self.unreadable = unreadable;
        self
    }

    /// Each record gets its reason column.
    pub(crate) fn with_reason(mut self, on: bool) -> Rerun {
        self.with_reason = on;
        self
    }

    /// The lines written back whole, by number (see [`Rerun::whole`]).
    pub(crate) fn whole_lines(
        mut self,
        lines: std::collections::HashMap<usize, Vec<String>>,
    ) -> Rerun {
        self.whole = lines;
        self
    }

    /// The run's jobs in the runner's order (a report's `job` is an index
    /// into them), before the runner takes them.
    pub(crate) fn jobs(&mut self, jobs: &[Job]) {
        self.inputs = jobs
            .iter()
            .map(|j| Input {
                target: j.target.as_ref().map(|t| t.display()),
                spec: j.spec.clone(),
                readable: match j.line {
                    Some(n) => !self.unreadable.contains(&n),
                    None => j.target.is_some(),
                },
                line: j.line,
                reason: j.reason.clone(),
                whole: j.line.and_then(|n| self.whole.get(&n).cloned()),
            })
            .collect();
    }

    pub(crate) fn path(&self) -> &Path {
        &self.file.path
    }

    /// The file's text for the run's `reports`.
    pub(crate) fn text(&self, action: &str, reports: &[Report]) -> FailedText {
        failed_text(action, &self.src, reports, &self.inputs, self.with_reason)
    }

    /// Writes `text` and renames it over the path.
    pub(crate) fn commit(self, text: &str) -> std::io::Result<()> {
        self.file.commit(text)
    }
}

/// The `--from` lines that could not be read (their numbers).
pub(crate) fn unreadable(lines: &[targetfile::Parsed]) -> HashSet<usize> {
    lines
        .iter()
        .filter_map(|l| l.as_ref().err().map(|b| b.no))
        .collect()
}

/// A job as the --failed-to file needs it.
struct Input {
    /// The resolved `NODE/TENANT`.
    target: Option<String>,
    /// What the line said.
    spec: String,
    /// Whether `spec` is a tenant field (not the text of a line that could
    /// not be read).
    readable: bool,
    line: Option<usize>,
    reason: Option<String>,
    /// The line's fields, written back as they were.
    whole: Option<Vec<String>>,
}

pub(crate) struct FailedText {
    pub text: String,
    /// How many targets the file names.
    pub targets: usize,
}

/// The --failed-to file: every target that did not get what was asked
/// (failed, refused, unknown, skipped, not-signalled, drift), resolved
/// `NODE/TENANT` (else the tenant field as the line gave it) and its reason,
/// as a `--from` file. Lines that could not be read at all become comments
/// (a rerun cannot run them either). Never a secret: targets and reasons
/// only.
fn failed_text(
    action: &str,
    src: &str,
    reports: &[Report],
    inputs: &[Input],
    with_reason: bool,
) -> FailedText {
    let mut body = String::new();
    let mut targets = 0;
    for r in reports.iter().filter(|r| !r.outcome.is_ok()) {
        let Some(inp) = r.job.and_then(|i| inputs.get(i)) else {
            continue;
        };
        let reason = if with_reason {
            Some(inp.reason.as_deref().unwrap_or(""))
        } else {
            None
        };
        let what = match (&inp.target, inp.readable) {
            (Some(t), _) => Some(t.as_str()),
            (None, true) => Some(inp.spec.as_str()),
            (None, false) => None,
        };
        match (what, &inp.whole) {
            (Some(_), Some(fields)) => {
                targets += 1;
                let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                body.push_str(&targetfile::record_of(&fields));
            }
            (Some(t), None) => {
                targets += 1;
                body.push_str(&targetfile::record(t, reason));
            }
            (None, _) => {
                let at = match inp.line {
                    Some(n) => format!("{src}:{n}"),
                    None => crate::output::esc(&inp.spec).into_owned(),
                };
                body.push_str(&format!(
                    "# {}: {}\n",
                    at.replace(['\n', '\r'], " "),
                    r.outcome.as_str()
                ));
            }
        }
    }
    FailedText {
        text: format!(
            "# tenantctl bulk {action}: {targets} target{} not done (failed, refused, unknown or skipped); rerun with --from this file\n{body}",
            if targets == 1 { "" } else { "s" }
        ),
        targets,
    }
}

/// The --failed-to file while the run goes on: a private temporary file in
/// the same directory, renamed over the path at the end (atomic: a reader
/// sees the old file or the whole new one), removed if the run ends early.
struct FailedTo {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::fs::File>,
}

impl FailedTo {
    /// Created before the first target (a private temporary file next to
    /// the path), so that a path that cannot be written stops the run
    /// before any change; after the confirmation, so that a Ctrl-C there
    /// leaves nothing.
    fn create(path: &Path) -> Result<FailedTo> {
        use std::os::unix::fs::OpenOptionsExt;
        let shown = crate::output::esc(&path.display().to_string()).into_owned();
        let name = path
            .file_name()
            .ok_or_else(|| Error::usage(anyhow!("--failed-to {shown}: not a file name")))?;
        if path.is_dir() {
            return Err(Error::usage(anyhow!(
                "--failed-to {shown}: is a directory (nothing changed)"
            )));
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| Error::usage(anyhow!("--failed-to {shown}: {e} (nothing changed)")))?;
        Ok(FailedTo {
            path: path.to_path_buf(),
            tmp,
            file: Some(file),
        })
    }

    fn commit(mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        let Some(mut f) = self.file.take() else {
            return Ok(());
        };
        let written = f
            .write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .and_then(|_| {
                drop(f);
                std::fs::rename(&self.tmp, &self.path)
            });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e);
        }
        if let Some(d) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // The rename itself on disk; a directory that cannot be opened
            // for that does not undo it.
            if let Ok(d) = std::fs::File::open(d) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for FailedTo {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
