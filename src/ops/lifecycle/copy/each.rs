//! One copy as a run's target, the same struct for `create`, `duplicate` and each line of
//! `bulk create`: the node and the copy by line, and where a generated password goes.

use super::*;

/// What `create` needs for each line of `bulk create` (a single command's:
/// line 0): the node and the copy.
pub(super) type Specs = std::collections::HashMap<usize, (Arc<NodeLink>, CopySpec)>;

/// One copy, of `create`, `duplicate` or a line of `bulk create`.
#[derive(Clone)]
pub(super) struct Copying {
    pub(super) ctx: Arc<Ctx>,
    pub(super) opts: LifecycleOpts,
    pub(super) action: Op,
    /// `template` or `tenant`, in messages about the source.
    pub(super) what: &'static str,
    /// By line of the `--from` file; a single command's at line 0.
    pub(super) specs: Specs,
    /// `bulk create`: the file generated passwords go to (None: a single
    /// command prints its own on stdout; a bulk dry run has none).
    pub(super) secrets: Option<Arc<crate::ops::passwd::Secrets>>,
    /// A single command (see [`copy_one`]), not a line of `bulk create`.
    pub(super) single: bool,
}

impl Copying {
    /// The copy of a single command (`create`, `duplicate`).
    pub(super) fn single(
        ctx: &Arc<Ctx>,
        o: &LifecycleOpts,
        action: Op,
        link: Arc<NodeLink>,
        spec: CopySpec,
    ) -> Copying {
        Copying {
            ctx: ctx.clone(),
            opts: o.clone(),
            action,
            what: if action == Op::Create {
                "template"
            } else {
                "tenant"
            },
            specs: [(0, (link, spec))].into_iter().collect(),
            secrets: None,
            single: true,
        }
    }
}

impl Each for Copying {
    fn one(self: Arc<Self>, job: crate::ops::Job, stopped: bool) -> Work {
        Box::pin(async move {
            let (link, spec) = &self.specs[&job.line.unwrap_or_default()];
            if stopped {
                let mut r = base(link, &spec.new, self.action)
                    .ok(Outcome::Skipped, "not started (interrupted)");
                r.line = job.line;
                return r;
            }
            let (ctx, o) = (&self.ctx, &self.opts);
            let (mut r, _, generated) =
                copy_one(ctx, o, link, spec, self.action, self.what, self.single).await;
            r.line = job.line;
            if let (Some(pw), Some(s)) = (&generated, &self.secrets) {
                let login = r.details.login().unwrap_or_default().to_string();
                if let Err(x) = s.write_line(link.name(), &spec.new, &login, pw, "done") {
                    r.warnings.push(format!("the secrets file could not be written ({x}); the tenant was created, set a password with `tenantctl passwd`"));
                }
            }
            r
        })
    }
}

impl Single for Copying {
    fn flags(&mut self) -> (&mut bool, bool) {
        (&mut self.opts.dry_run, self.opts.yes)
    }

    /// Not a dry run, and no `--yes` or an admin password to prompt for
    /// (asked once the checks pass, with `--yes` too).
    fn asks(&mut self) -> bool {
        let prompts = self
            .specs
            .values()
            .any(|(_, c)| matches!(&c.password, Some(Pw::Given(p)) if p.is_empty()));
        !self.opts.dry_run && (!self.opts.yes || prompts)
    }

    /// Without --yes the plan, confirmed; then the admin password prompted
    /// for when asked. A refusal is the command's result (audited).
    fn ask(&mut self, plan: &Report) -> Result<Asked> {
        let Some((link, c)) = self.specs.get_mut(&0) else {
            return Ok(Asked::Go);
        };
        let who = format!("{}/{}", link.name(), c.new);
        if !self.opts.yes {
            shown(&self.ctx, plan);
            match confirm(&format!("{} {who}?", self.action)) {
                Ok(true) => {}
                Ok(false) => return Ok(Asked::Refused(format!("{who}: aborted; nothing changed"))),
                Err(x) => return Ok(Asked::Refused(format!("{who}: {x:#}"))),
            }
        }
        if let Some(Pw::Given(p)) = &c.password {
            if p.is_empty() {
                let q = format!("New admin password for {who}: ");
                match crate::ops::prompt::new_password(&q, &|_| Ok(())) {
                    Ok(p) => c.password = Some(Pw::Given(p)),
                    Err(x) => return Ok(Asked::Refused(format!("{who}: {x:#}"))),
                }
            }
        }
        Ok(Asked::Go)
    }

    /// The plan's report as a real run's: no modules that would be
    /// neutralized (a real run names those it ran).
    fn as_run(&self, mut r: Report) -> Report {
        r.dry_run = None;
        r.plan = None;
        if let crate::ops::Details::Copy(d) = &mut r.details {
            d.neutralized_modules = None;
        }
        r
    }
}
