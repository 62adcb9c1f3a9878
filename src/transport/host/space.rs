//! Free space on a node's host, for the checks before a command makes a
//! copy of a database (`upgrade`).

use anyhow::{anyhow, bail};

use crate::inventory::Host;
use crate::transport::NodeLink;

/// Whether the shell tenantctl runs for the node (`shell_command`) runs on
/// the machine PostgreSQL runs on: over the node's SSH master, or locally
/// for a node reached over a Unix socket or the loopback.
pub fn shell_on_database_host(link: &NodeLink) -> bool {
    if link.via == crate::transport::Via::Ssh {
        return true;
    }
    match &link.node.host {
        Host::Socket(_) => true,
        Host::Tcp(h) => {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// The bytes free to an unprivileged writer on the file system holding
/// `dir`, from `df -Pk` (POSIX output) on the node's host.
pub async fn free_bytes(link: &NodeLink, dir: &str) -> anyhow::Result<u64> {
    let mut cmd = link
        .shell_command(r#"df -Pk -- "$1" | tail -n 1"#, &[dir])
        .await?;
    let out = tokio::task::spawn_blocking(move || cmd.stdin(std::process::Stdio::null()).output())
        .await
        .map_err(|e| anyhow!("df: {e}"))?
        .map_err(|e| anyhow!("df: cannot run a shell: {e}"))?;
    if !out.status.success() {
        bail!(
            "df {}: {}",
            crate::text::esc(dir),
            crate::text::esc(String::from_utf8_lossy(&out.stderr).trim())
        );
    }
    parse_df(&String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| anyhow!("df {}: unexpected output", crate::text::esc(dir)))
}

/// The `Available` column (1024-byte blocks) of `df -P`'s last line.
fn parse_df(line: &str) -> Option<u64> {
    let w: Vec<&str> = line.split_whitespace().collect();
    // Filesystem 1024-blocks Used Available Capacity Mounted-on: the
    // mount point may hold spaces, the columns before it do not.
    let avail = w.get(3)?.parse::<u64>().ok()?;
    w.get(4)?.ends_with('%').then_some(avail * 1024)
}

#[cfg(test)]
mod tests {
    use super::parse_df;

    #[test]
    fn df_posix_lines() {
        assert_eq!(
            parse_df("tmpfs 8192 0 8192 0% /tmp/tmpfs test\n"),
            Some(8192 * 1024)
        );
        assert_eq!(parse_df("/dev/vda 263174212 36 59 38% /"), Some(59 * 1024));
        assert_eq!(parse_df("df: /x: No such file or directory"), None);
        assert_eq!(parse_df(""), None);
    }
}
