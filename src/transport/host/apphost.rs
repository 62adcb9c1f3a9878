//! Hosts reached over SSH for commands only: where Odoo runs when it is
//! neither this machine nor a node's SSH host (`odoo.host = { ssh table }`,
//! issue 27: the application servers). One ssh master per distinct ssh
//! table per run, opened by the first command and shared by every node
//! that names the same table; no forward, nothing else runs through it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::odoo::Place;

use crate::inventory::SshSettings;
use crate::transport::{ssh, Notices};

/// One such host.
pub struct CommandHost {
    tunnel: ssh::Tunnel,
}

impl CommandHost {
    /// `ssh ops@app1:22` (with the jump hosts), for plans and errors.
    pub fn describe(&self) -> String {
        format!("ssh {}", self.tunnel.route())
    }

    /// Why its master can no longer carry commands (it ended), if so.
    pub fn lost(&self) -> Option<String> {
        self.tunnel.lost()
    }

    /// A command running `sh -c script sh ARGS...` there, every word quoted
    /// for the remote shell (see [`super::remote_shell_line`]).
    pub async fn shell_command(
        &self,
        script: &str,
        args: &[&str],
    ) -> anyhow::Result<std::process::Command> {
        Ok(self
            .tunnel
            .remote_command(&super::remote_shell_line(script, args))
            .await?)
    }
}

/// The run's command hosts, by ssh table; and whether the Odoo command was
/// found at each place, looked up once per run.
#[derive(Default)]
pub struct CommandHosts {
    notices: Option<Notices>,
    hosts: Mutex<Vec<(SshSettings, Arc<CommandHost>)>>,
    found: tokio::sync::Mutex<HashMap<String, Result<bool, String>>>,
}

impl CommandHosts {
    /// Tunnel events go to `notices` (`--verbose`, warnings).
    pub fn new(notices: Notices) -> CommandHosts {
        CommandHosts {
            notices: Some(notices),
            hosts: Mutex::default(),
            found: Default::default(),
        }
    }

    /// [`super::odoo::program_found`], once per run for each place and
    /// program (a bulk upgrade asks for every tenant); an error as text.
    pub async fn program_found(&self, place: &Place, program: &str) -> Result<bool, String> {
        let mut found = self.found.lock().await;
        let key = format!("{}\0{program}", place.key());
        if let Some(r) = found.get(&key) {
            return r.clone();
        }
        let r = super::odoo::program_found(place, program)
            .await
            .map_err(|x| format!("{x:#}"));
        found.insert(key, r.clone());
        r
    }

    /// The host of `settings`: the run's one for that table (nothing is
    /// opened before its first command).
    pub fn get(&self, settings: &SshSettings) -> Arc<CommandHost> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, h)) = hosts.iter().find(|(s, _)| s == settings) {
            return h.clone();
        }
        let mut tunnel = ssh::Tunnel::for_commands(settings.clone());
        if let Some(n) = &self.notices {
            tunnel = tunnel.with_notices(n.clone());
        }
        let h = Arc::new(CommandHost { tunnel });
        hosts.push((settings.clone(), h.clone()));
        h
    }

    /// Closes every master opened (idempotent).
    pub async fn close(&self) {
        let hosts: Vec<Arc<CommandHost>> = self
            .hosts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(_, h)| h.clone())
            .collect();
        for h in hosts {
            h.tunnel.close().await;
        }
    }
}
