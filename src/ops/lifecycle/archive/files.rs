//! The backup file itself (blocking work): writing Odoo's zip (`dump.sql`,
//! `filestore/`, `manifest.json`) or pg_dump's custom format, its SHA-256;
//! and reading one from outside, which is hostile until checked (issue 22).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use super::host::{stderr_tail, wait_ok};
use crate::config::BackupFormat;
use crate::ops::lifecycle::{e, Interrupted};
use crate::transport::host::pgtool::{self, PgTool};

/// The zip a backup is written into.
type Zip = zip::ZipWriter<BufWriter<File>>;

/// A written backup file.
pub(super) struct Made {
    pub(super) bytes: u64,
    pub(super) sha256: String,
    pub(super) files: u64,
    pub(super) warnings: Vec<String>,
}

fn create_private(path: &Path) -> anyhow::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// Writes the whole backup to `tmp` (blocking); its size and SHA-256.
pub(super) fn write_backup(
    tool: &PgTool,
    format: BackupFormat,
    tmp: &Path,
    fs_cmd: Option<Command>,
    manifest: &Value,
    interrupted: &dyn Fn() -> bool,
) -> anyhow::Result<Made> {
    let file = create_private(tmp)?;
    let mut made = Made {
        bytes: 0,
        sha256: String::new(),
        files: 0,
        warnings: vec![],
    };
    let mut dump = tool.command("pg_dump");
    dump.arg("--no-owner")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match format {
        BackupFormat::Dump => write_dump(dump, file)?,
        BackupFormat::Zip => write_zip(dump, file, fs_cmd, manifest, interrupted, &mut made)?,
    }
    let (bytes, sha) = sha256_of(tmp)?;
    made.bytes = bytes;
    made.sha256 = sha;
    Ok(made)
}

/// `pg_dump --format=custom` into `file`.
fn write_dump(mut dump: Command, file: File) -> anyhow::Result<()> {
    dump.arg("--format=custom");
    let mut child = dump.spawn().context("starting pg_dump")?;
    let err = stderr_tail(&mut child);
    let mut out = child.stdout.take().expect("piped");
    let mut w = BufWriter::new(file);
    std::io::copy(&mut out, &mut w).context("writing the dump")?;
    wait_ok(child, err, "pg_dump")?;
    w.into_inner()
        .map_err(|x| anyhow!("writing the dump: {}", x.error()))?
        .sync_all()?;
    Ok(())
}

/// Odoo's layout: `dump.sql` from `pg_dump --format=plain`, the filestore
/// (the tar of `fs_cmd`), then `manifest.json`.
fn write_zip(
    mut dump: Command,
    file: File,
    fs_cmd: Option<Command>,
    manifest: &Value,
    interrupted: &dyn Fn() -> bool,
    made: &mut Made,
) -> anyhow::Result<()> {
    // Deflate level 1: every level reads back the same (Odoo's
    // manager writes zlib's default, 6); compressing is what the zip
    // costs beyond pg_dump, and level 1 costs less CPU for a somewhat
    // larger file (67 vs 59 MB for the benchmark's 2.4 GB tenant,
    // docs/performance.md, lifecycle).
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true)
        .unix_permissions(0o644);
    let mut z = zip::ZipWriter::new(BufWriter::new(file));
    dump.arg("--format=plain");
    z.start_file("dump.sql", opts)?;
    let mut child = dump.spawn().context("starting pg_dump")?;
    let err = stderr_tail(&mut child);
    let mut out = child.stdout.take().expect("piped");
    std::io::copy(&mut out, &mut z).context("writing dump.sql")?;
    wait_ok(child, err, "pg_dump")?;
    if interrupted() {
        bail!(Interrupted);
    }
    if let Some(cmd) = fs_cmd {
        zip_filestore(&mut z, cmd, opts, made)?;
    }
    z.start_file("manifest.json", opts)?;
    serde_json::to_writer_pretty(&mut z, manifest)?;
    let w = z.finish().context("finishing the zip")?;
    w.into_inner()
        .map_err(|x| anyhow!("writing the zip: {}", x.error()))?
        .sync_all()?;
    Ok(())
}

/// The filestore's tar (`cmd`, run on the node's host) copied entry by
/// entry into `filestore/<path>` of the zip.
fn zip_filestore(
    z: &mut Zip,
    mut cmd: Command,
    opts: SimpleFileOptions,
    made: &mut Made,
) -> anyhow::Result<()> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().context("starting tar for the filestore")?;
    let err = stderr_tail(&mut child);
    let out = child.stdout.take().expect("piped");
    let mut ar = tar::Archive::new(out);
    let dir_opts = opts.unix_permissions(0o755);
    for entry in ar.entries().context("reading the filestore tar")? {
        let mut entry = entry.context("reading the filestore tar")?;
        let p = entry.path()?.to_string_lossy().into_owned();
        let rel = p.trim_start_matches("./").trim_end_matches('/');
        if rel.is_empty() || rel == "." {
            continue;
        }
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            made.warnings.push(format!("filestore: skipped {}", e(rel)));
            continue;
        }
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                z.add_directory(format!("filestore/{rel}/"), dir_opts)?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                z.start_file(format!("filestore/{rel}"), opts)?;
                std::io::copy(&mut entry, z).with_context(|| format!("copying filestore/{rel}"))?;
                made.files += 1;
            }
            _ => made.warnings.push(format!(
                "filestore: skipped {} (not a regular file)",
                e(rel)
            )),
        }
    }
    wait_ok(child, err, "tar (filestore)")?;
    Ok(())
}

pub(super) fn sha256_of(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, h.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

// ------------------------------------------------------------------ reading

/// What a backup file holds.
pub(super) enum Kind {
    /// A zip in Odoo's layout; `fs_bytes`: the declared uncompressed size
    /// of its filestore.
    Zip {
        files: u64,
        fs_bytes: u64,
        manifest: Option<Value>,
    },
    /// `pg_dump --format=custom`.
    Custom,
}

/// The largest `manifest.json` a restore reads.
const MANIFEST_MAX: u64 = 1 << 20;

/// A zip from outside is hostile until checked (issue 22): only regular
/// files and directories (no symlink or device in the external attributes),
/// `dump.sql` and `manifest.json` regular files, `manifest.json` at most
/// [`MANIFEST_MAX`], and an overall compression ratio of at most
/// `max_ratio` (the inventory's `restore_max_ratio`). The declared sizes
/// are checked here, the real ones while the entries stream
/// ([`Declared`]). The declared size of the filestore.
fn check_zip<R: Read + std::io::Seek>(
    z: &mut zip::ZipArchive<R>,
    max_ratio: u64,
) -> std::result::Result<u64, String> {
    let (mut packed, mut unpacked, mut fs_bytes) = (0u64, 0u64, 0u64);
    for i in 0..z.len() {
        let f = z.by_index_raw(i).map_err(|x| format!("entry {i}: {x}"))?;
        let name = f.name().to_string();
        let kind = f.unix_mode().map(|m| m & libc::S_IFMT);
        let plain = matches!(
            kind,
            None | Some(0) | Some(libc::S_IFREG) | Some(libc::S_IFDIR)
        );
        if f.is_symlink() || !plain {
            return Err(format!(
                "entry {name:?} is not a regular file or directory (mode {:o}); refusing the archive",
                f.unix_mode().unwrap_or(0)
            ));
        }
        if matches!(name.as_str(), "dump.sql" | "manifest.json")
            && (f.is_dir() || kind == Some(libc::S_IFDIR))
        {
            return Err(format!("entry {name:?} is not a regular file"));
        }
        if name == "manifest.json" && f.size() > MANIFEST_MAX {
            return Err(format!(
                "manifest.json declares {} bytes (at most {MANIFEST_MAX} are read); refusing the archive",
                f.size()
            ));
        }
        packed = packed.saturating_add(f.compressed_size());
        unpacked = unpacked.saturating_add(f.size());
        if name.starts_with("filestore/") {
            fs_bytes = fs_bytes.saturating_add(f.size());
        }
    }
    if unpacked > packed.max(1).saturating_mul(max_ratio) {
        return Err(format!(
            "the archive expands {unpacked} bytes from {packed} (more than {max_ratio}:1, the node's restore_max_ratio); \
             refusing what looks like a zip bomb"
        ));
    }
    Ok(fs_bytes)
}

/// An entry's reader that fails once it yields more than the entry's
/// declared size (a zip's sizes are the sender's word).
struct Declared<R> {
    inner: R,
    left: u64,
    name: String,
}

impl<R: Read> Read for Declared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte past the declared size is enough to know.
        let want = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "{}: expands beyond its declared size; aborted",
                self.name
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads a backup file's layout; a refusal when it is none we know.
pub(super) fn inspect(path: &Path, max_ratio: u64) -> std::result::Result<Kind, String> {
    let f = File::open(path).map_err(|x| format!("{}: {x}", path.display()))?;
    if pgtool::is_custom_dump(path).map_err(|x| format!("{}: {x}", path.display()))? {
        return Ok(Kind::Custom);
    }
    let mut z = zip::ZipArchive::new(f).map_err(|x| {
        format!(
            "{}: neither a zip nor a pg_dump custom archive ({x})",
            path.display()
        )
    })?;
    if z.index_for_name("dump.sql").is_none() {
        return Err(format!(
            "{}: a zip without dump.sql is not an Odoo backup (expected dump.sql, filestore/, manifest.json)",
            path.display()
        ));
    }
    let fs_bytes = check_zip(&mut z, max_ratio).map_err(|m| format!("{}: {m}", path.display()))?;
    let mut files = 0;
    for i in 0..z.len() {
        if let Some(n) = z.name_for_index(i) {
            if n.starts_with("filestore/") && !n.ends_with('/') {
                files += 1;
            }
        }
    }
    let manifest = match z.by_name("manifest.json") {
        Ok(m) => Some(
            serde_json::from_reader::<_, Value>(Declared {
                left: m.size().min(MANIFEST_MAX),
                inner: m,
                name: "manifest.json".into(),
            })
            .map_err(|x| format!("{}: manifest.json: {x}", path.display()))?,
        ),
        Err(_) => None,
    };
    Ok(Kind::Zip {
        files,
        fs_bytes,
        manifest,
    })
}

/// The zip's `filestore/` as a tar into `input` (blocking); each entry read
/// within its declared size.
pub(super) fn filestore_tar<W: Write>(file: &Path, input: W) -> anyhow::Result<()> {
    let mut z = zip::ZipArchive::new(File::open(file)?)?;
    let mut b = tar::Builder::new(input);
    for i in 0..z.len() {
        let mut entry = z.by_index(i)?;
        let Some(rel) = entry.name().strip_prefix("filestore/").map(str::to_string) else {
            continue;
        };
        if rel.is_empty() || entry.is_dir() {
            continue;
        }
        if rel.starts_with('/') || rel.split('/').any(|c| c == ".." || c.is_empty()) {
            bail!("filestore entry {:?}: not a relative path", rel);
        }
        if !entry.is_file() {
            bail!("filestore entry {:?}: not a regular file", rel);
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(entry.size());
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mtime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|x| x.as_secs())
                .unwrap_or(0),
        );
        let declared = entry.size();
        let mut body = Declared {
            inner: &mut entry,
            left: declared,
            name: format!("filestore/{rel}"),
        };
        b.append_data(&mut h, &rel, &mut body)
            .with_context(|| format!("filestore/{rel}"))?;
    }
    b.into_inner()?.flush()?;
    Ok(())
}
