//! Reads Odoo module manifests from the addons paths where Odoo runs (for
//! `upgrade -u outdated` and the manifest check, issue 27): on this machine
//! directly, or on the node's SSH host with one fixed shell script whose
//! paths and module names are positional arguments (never inside the
//! script). Each file is size-capped and sent hex-encoded (`od`), so its
//! content cannot forge the framing. Odoo's order: the first addons path
//! where `<module>/__manifest__.py`, `<module>/__openerp__.py` or
//! `<module>.zip` exists holds the module (`get_module_path`); its first
//! manifest name that is a file is read (`module_manifest`). Nothing read
//! here is executed or interpreted: the text goes to `odoo::manifest`.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use tokio::io::AsyncReadExt;

use super::odoo::Place;

/// The names Odoo looks for (`MANIFEST_NAMES`, in its order).
const NAMES: [&str; 2] = ["__manifest__.py", "__openerp__.py"];

/// Longest a read of the manifests over SSH may take.
const REMOTE_TIMEOUT: Duration = Duration::from_secs(120);

/// What the addons paths hold for one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// In no addons path.
    Missing,
    /// In `path` but without a manifest file (a `.zip` module).
    NoManifest { path: String },
    /// The manifest `file` (as a path, for messages) could not be read.
    Unreadable { file: String, why: String },
    /// The manifest's bytes; more than the cap when it is larger (only
    /// the cap + 1 bytes are read).
    Text { file: String, bytes: Vec<u8> },
}

/// `script $max $n path1..pathn module...`: per module a header line
/// `m NAME STATUS [K FILE]` (K: the path's index, FILE one of the fixed
/// manifest names), for `file` its first max+1 bytes in hex and a `.`
/// line. NAME is checked by the caller (letters, digits, `_`).
const SCRIPT: &str = r#"max=$1 n=$2
shift 2
i=0
for m do
  i=$((i+1))
  [ "$i" -le "$n" ] && continue
  k=0 dir=
  for p do
    k=$((k+1))
    [ "$k" -gt "$n" ] && break
    if [ -e "$p/$m/__manifest__.py" ] || [ -e "$p/$m/__openerp__.py" ] || [ -e "$p/$m.zip" ]; then
      dir=$p
      break
    fi
  done
  if [ -z "$dir" ]; then printf 'm %s missing\n' "$m"; continue; fi
  f=
  for x in __manifest__.py __openerp__.py; do
    if [ -f "$dir/$m/$x" ]; then f=$dir/$m/$x; break; fi
  done
  if [ -z "$f" ]; then printf 'm %s nomanifest %s\n' "$m" "$k"; continue; fi
  if [ ! -r "$f" ]; then printf 'm %s unreadable %s %s\n' "$m" "$k" "$x"; continue; fi
  printf 'm %s file %s %s\n' "$m" "$k" "$x"
  head -c "$((max + 1))" < "$f" | od -A n -v -t x1
  printf '.\n'
done
"#;

/// The manifests of `modules` (valid module names) in `paths`, each read
/// up to `max` + 1 bytes, in the order of `modules`.
pub async fn read(
    place: &Place,
    paths: &[String],
    modules: &[String],
    max: usize,
) -> anyhow::Result<Vec<(String, Found)>> {
    if let Some(m) = modules.iter().find(|m| !valid(m)) {
        bail!("not a module name: {}", crate::text::esc(m));
    }
    match place {
        Place::Local => {
            let (paths, modules) = (paths.to_vec(), modules.to_vec());
            tokio::task::spawn_blocking(move || {
                modules
                    .iter()
                    .map(|m| (m.clone(), local(&paths, m, max)))
                    .collect()
            })
            .await
            .map_err(|x| anyhow!("reading the manifests: {x}"))
        }
        there => {
            let max_s = max.to_string();
            let n = paths.len().to_string();
            let mut args: Vec<&str> = vec![&max_s, &n];
            args.extend(paths.iter().map(String::as_str));
            args.extend(modules.iter().map(String::as_str));
            let cmd = there.shell_command(SCRIPT, &args).await?;
            let out = remote(cmd, (max + 1) * 4 * modules.len().max(1) + 4096).await?;
            parse_output(&out, paths, modules)
        }
    }
}

fn valid(m: &str) -> bool {
    !m.is_empty() && m.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The file a module's manifest is in, for messages.
fn file_of(path: &str, m: &str, name: &str) -> String {
    Path::new(path).join(m).join(name).display().to_string()
}

/// One module on this machine (symbolic links followed, as Odoo does).
fn local(paths: &[String], m: &str, max: usize) -> Found {
    let exists = |p: &Path| std::fs::metadata(p).is_ok();
    let Some(dir) = paths.iter().find(|p| {
        let d = Path::new(p);
        NAMES.iter().any(|n| exists(&d.join(m).join(n))) || exists(&d.join(format!("{m}.zip")))
    }) else {
        return Found::Missing;
    };
    let Some(name) = NAMES
        .iter()
        .find(|n| std::fs::metadata(Path::new(dir).join(m).join(n)).is_ok_and(|x| x.is_file()))
    else {
        return Found::NoManifest { path: dir.clone() };
    };
    let file = file_of(dir, m, name);
    let read = || -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking: a file swapped for a FIFO meanwhile does not hang.
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&file)?;
        if !f.metadata()?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let mut bytes = Vec::new();
        f.take(max as u64 + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    match read() {
        Ok(bytes) => Found::Text { file, bytes },
        Err(x) => Found::Unreadable {
            file,
            why: x.to_string(),
        },
    }
}

/// Runs the script over SSH; its stdout, at most `limit` bytes.
async fn remote(cmd: std::process::Command, limit: usize) -> anyhow::Result<String> {
    let mut c = tokio::process::Command::from(cmd);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = c.spawn().context("reading the manifests on the SSH host")?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut stderr = child.stderr.take().context("no stderr")?;
    let work = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut so = (&mut stdout).take(limit as u64 + 1);
        let mut se = (&mut stderr).take(64 * 1024);
        let (a, b) = tokio::join!(so.read_to_end(&mut out), se.read_to_end(&mut err));
        a?;
        b?;
        if out.len() > limit {
            // Killed when dropped.
            bail!("reading the manifests on the SSH host: more output than expected");
        }
        let status = child.wait().await?;
        anyhow::Ok((out, err, status))
    };
    let (out, err, status) = tokio::time::timeout(REMOTE_TIMEOUT, work)
        .await
        .map_err(|_| {
            anyhow!(
                "reading the manifests on the SSH host took over {} s",
                REMOTE_TIMEOUT.as_secs()
            )
        })??;
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        bail!(
            "reading the manifests on the SSH host failed ({status}): {}",
            crate::text::esc(
                err.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
            )
        );
    }
    String::from_utf8(out)
        .map_err(|_| anyhow!("reading the manifests on the SSH host: unexpected output"))
}

/// The script's output: one entry per module, in the order asked.
fn parse_output(
    out: &str,
    paths: &[String],
    modules: &[String],
) -> anyhow::Result<Vec<(String, Found)>> {
    let bad = || anyhow!("reading the manifests on the SSH host: unexpected output");
    let mut lines = out.lines();
    let mut res = Vec::new();
    for m in modules {
        let head = lines.next().ok_or_else(bad)?;
        let w: Vec<&str> = head.split(' ').collect();
        if w.first() != Some(&"m") || w.get(1) != Some(&m.as_str()) {
            return Err(bad());
        }
        let path = |k: Option<&&str>| -> anyhow::Result<&String> {
            let k: usize = k.and_then(|k| k.parse().ok()).ok_or_else(bad)?;
            paths.get(k.wrapping_sub(1)).ok_or_else(bad)
        };
        let name = |x: Option<&&str>| -> anyhow::Result<&str> {
            NAMES.iter().copied().find(|n| Some(n) == x).ok_or_else(bad)
        };
        let found = match w.get(2).copied() {
            Some("missing") if w.len() == 3 => Found::Missing,
            Some("nomanifest") if w.len() == 4 => Found::NoManifest {
                path: path(w.get(3))?.clone(),
            },
            Some("unreadable") if w.len() == 5 => Found::Unreadable {
                file: file_of(path(w.get(3))?, m, name(w.get(4))?),
                why: "not readable".into(),
            },
            Some("file") if w.len() == 5 => {
                let file = file_of(path(w.get(3))?, m, name(w.get(4))?);
                let mut bytes = Vec::new();
                loop {
                    let l = lines.next().ok_or_else(bad)?;
                    if l == "." {
                        break;
                    }
                    for h in l.split_whitespace() {
                        let b = (h.len() == 2)
                            .then(|| u8::from_str_radix(h, 16).ok())
                            .flatten()
                            .ok_or_else(bad)?;
                        bytes.push(b);
                    }
                }
                Found::Text { file, bytes }
            }
            _ => return Err(bad()),
        };
        res.push((m.clone(), found));
    }
    if lines.next().is_some() {
        return Err(bad());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script run by `sh` here, as the SSH host runs it.
    fn run_script(paths: &[String], modules: &[String], max: usize) -> Vec<(String, Found)> {
        let mut c = std::process::Command::new("sh");
        c.arg("-c").arg(SCRIPT).arg("sh").arg(max.to_string());
        c.arg(paths.len().to_string()).args(paths).args(modules);
        let out = c.output().unwrap();
        assert!(out.status.success());
        parse_output(&String::from_utf8(out.stdout).unwrap(), paths, modules).unwrap()
    }

    #[test]
    fn the_script_and_the_local_read_find_what_odoo_finds() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a b"), d.path().join("-b"));
        for (dir, m, name, text) in [
            (&a, "web", "__manifest__.py", "{'version': '1.1'}\n"),
            (&b, "web", "__manifest__.py", "{'version': '9.9'}"),
            (
                &b,
                "old",
                "__openerp__.py",
                "m web file 1 __manifest__.py\n.\n",
            ),
            (&b, "big", "__manifest__.py", &"0123456789".repeat(5)),
        ] {
            std::fs::create_dir_all(dir.join(m)).unwrap();
            std::fs::write(dir.join(m).join(name), text).unwrap();
        }
        std::fs::write(a.join("zipped.zip"), "PK").unwrap();
        std::fs::create_dir_all(b.join("dironly")).unwrap();
        let paths = vec![a.display().to_string(), b.display().to_string()];
        let modules: Vec<String> = ["web", "old", "big", "zipped", "dironly", "none"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let remote = run_script(&paths, &modules, 40);
        let here: Vec<(String, Found)> = modules
            .iter()
            .map(|m| (m.clone(), local(&paths, m, 40)))
            .collect();
        assert_eq!(remote, here);
        let text = |i: usize| match &here[i].1 {
            Found::Text { file, bytes } => (file.clone(), bytes.clone()),
            f => panic!("{f:?}"),
        };
        assert_eq!(
            text(0),
            (
                format!("{}/web/__manifest__.py", paths[0]),
                b"{'version': '1.1'}\n".to_vec()
            )
        );
        // A manifest's content is data, whatever it says.
        assert_eq!(text(1).1, b"m web file 1 __manifest__.py\n.\n".to_vec());
        assert_eq!(text(2).1.len(), 41, "capped at max + 1");
        assert_eq!(
            here[3].1,
            Found::NoManifest {
                path: paths[0].clone()
            }
        );
        assert_eq!(here[4].1, Found::Missing);
        assert_eq!(here[5].1, Found::Missing);
        assert!(parse_output("m web missing\nm web missing\n", &paths, &modules[..1]).is_err());
        assert!(parse_output("m web file 3 __manifest__.py\n.\n", &paths, &modules[..1]).is_err());
        assert!(parse_output("m web file 1 x.py\n.\n", &paths, &modules[..1]).is_err());
    }
}
