//! The generated ssh_config.

use std::path::Path;

use crate::inventory::{HostKeyCheck, SshSettings};

use super::SERVER_ALIVE_INTERVAL;

/// The ssh_config given to ssh with `-F`. ssh passes `-F` on to the ssh it
/// runs for each jump host, and nothing else of our command line: this is how
/// BatchMode and the host-key policy reach jump hosts too. ssh keeps the
/// first value it reads for each option, so ours come first, then the user's
/// files (`config_file`, else `~/.ssh/config` and `/etc/ssh/ssh_config`, as
/// ssh reads them by default).
pub(super) fn ssh_config(s: &SshSettings) -> String {
    let q = |p: &Path| format!("\"{}\"", p.display());
    let mut c = String::from(match s.control_persist {
        None => "# Written by tenantctl for one run, removed at its end.\n",
        Some(_) => "# Written by tenantctl for a master kept between runs (control_persist).\n",
    });
    c.push_str(
        "Host *\n\
         \x20 # Never prompt: a refusal is reported, not asked about.\n\
         \x20 BatchMode yes\n",
    );
    c.push_str(&format!(
        "  StrictHostKeyChecking {}\n",
        match s.host_key_check {
            HostKeyCheck::Strict => "yes",
            HostKeyCheck::AcceptNew => "accept-new",
        }
    ));
    if let Some(k) = &s.known_hosts_file {
        c.push_str(&format!("  UserKnownHostsFile {}\n", q(k)));
    }
    if let Some(k) = &s.identity_file {
        c.push_str(&format!("  IdentityFile {}\n", q(k)));
    }
    c.push_str(&format!(
        "  ConnectTimeout {}\n",
        s.connect_timeout.as_secs().max(1)
    ));
    c.push_str(&format!(
        "  ServerAliveInterval {}\n  ServerAliveCountMax 3\n",
        SERVER_ALIVE_INTERVAL.as_secs()
    ));
    c.push_str(
        "  # Jump hosts must neither become nor use a shared master that would\n\
         \x20 # outlive the run (our own master gets -M/-S on the command line).\n\
         \x20 ControlMaster no\n\
         \x20 ControlPath none\n\
         \x20 # Only our forward; no forwards, commands or tty from ssh_config.\n\
         \x20 ClearAllForwardings yes\n\
         \x20 RemoteCommand none\n\
         \x20 RequestTTY no\n\
         \x20 PermitLocalCommand no\n\
         \x20 # The log must keep the reasons we report.\n\
         \x20 LogLevel INFO\n\
         Match all\n",
    );
    match &s.config_file {
        Some(f) => c.push_str(&format!("Include {}\n", q(f))),
        None => c.push_str("Include ~/.ssh/config\nMatch all\nInclude /etc/ssh/ssh_config\n"),
    }
    c
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

    #[test]
    fn generated_config_puts_our_values_first() {
        let mut s = settings();
        s.known_hosts_file = Some("/k/known hosts".into());
        s.host_key_check = HostKeyCheck::AcceptNew;
        let c = ssh_config(&s);
        let batch = c.find("BatchMode yes").unwrap();
        let include = c.find("Include ~/.ssh/config").unwrap();
        assert!(batch < include);
        assert!(c.contains("StrictHostKeyChecking accept-new"));
        assert!(c.contains("UserKnownHostsFile \"/k/known hosts\""));
        assert!(c.contains("Include /etc/ssh/ssh_config"));
        s.config_file = Some("/etc/fleet/ssh_config".into());
        let c = ssh_config(&s);
        assert!(c.contains("Include \"/etc/fleet/ssh_config\""));
        assert!(!c.contains("~/.ssh/config"));
    }
}
