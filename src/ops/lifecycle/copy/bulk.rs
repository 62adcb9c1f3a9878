//! `bulk create`: the `--from` file read into one job per tenant, each run as `create` does
//! it, one at a time, by the runner; generated passwords go to the secrets file.

use super::*;

/// A `--from` line: its number, the node, the name, the admin login and
/// the company.
type Entry = (usize, Arc<NodeLink>, String, Option<String>, Option<String>);

/// The tenants of the `--from` file (or stdin for `-`); none is a usage
/// error.
fn read_entries(ctx: &Ctx, from: &std::path::Path) -> Result<Vec<Entry>> {
    let text = if from == std::path::Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|x| Error::usage(anyhow!("--from -: {x}")))?;
        s
    } else {
        std::fs::read_to_string(from)
            .map_err(|x| Error::usage(anyhow!("--from {}: {x}", from.display())))?
    };
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let f = parse_line(l);
        if i == 0 && f[0].eq_ignore_ascii_case("name") {
            continue;
        }
        let (link, name) =
            node_for(ctx, &f[0]).map_err(|x| x.context(format!("--from line {}", i + 1)))?;
        let opt = |k: usize| f.get(k).filter(|v| !v.is_empty()).cloned();
        entries.push((i + 1, link, name, opt(1), opt(2)));
    }
    if entries.is_empty() {
        return Err(Error::usage(anyhow!(
            "--from {}: no tenants",
            from.display()
        )));
    }
    Ok(entries)
}

/// The copy specs of `bulk create`, by line of the `--from` file.
type Specs = std::collections::HashMap<usize, (Arc<NodeLink>, CopySpec)>;

/// One job per entry and the copy spec of each, by line; an entry without
/// a template is refused in its job.
fn create_jobs(
    entries: Vec<Entry>,
    template: Option<&str>,
    length: usize,
    force: bool,
) -> (Vec<crate::ops::Job>, Specs) {
    let mut jobs = Vec::new();
    let mut specs = std::collections::HashMap::new();
    for (line, link, name, login, company) in entries {
        let mut job = crate::ops::Job::for_spec(name.clone());
        job.line = Some(line);
        let Some(tmpl) = template
            .map(str::to_string)
            .or_else(|| link.node.lifecycle.template.clone())
        else {
            let mut r = base(&link, &name, crate::ops::Op::Create).fail(
                Outcome::Refused,
                format!(
                    "{}/{name}: no template: pass --template or set `template` for the node",
                    link.name()
                ),
            );
            r.line = Some(line);
            job.early = Some(r);
            jobs.push(job);
            continue;
        };
        let spec = CopySpec {
            source: tmpl,
            base_url: pattern_url(&link, &name),
            new: name.clone(),
            force,
            admin_login: login,
            company,
            password: Some(Pw::Generate(length)),
            new_customer: true,
            neutralize: false,
        };
        specs.insert(line, (link, spec));
        jobs.push(job);
    }
    (jobs, specs)
}

pub(in crate::ops::lifecycle) async fn bulk_create(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    from: &std::path::Path,
    template: Option<&str>,
    length: usize,
    secrets_file: &std::path::Path,
    force: bool,
) -> Result<u8> {
    let entries = read_entries(ctx, from)?;
    let log = if o.dry_run {
        None
    } else {
        Some(Arc::new(ctx.audit_log()?))
    };
    let secrets = if o.dry_run {
        None
    } else {
        Some(crate::ops::passwd::Secrets::create(secrets_file)?)
    };
    if !o.dry_run && !o.yes && !confirm(&format!("Create {} tenants?", entries.len()))? {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let t0 = std::time::Instant::now();
    let (jobs, specs) = create_jobs(entries, template, length, force);
    let bulk = Arc::new(BulkCreate {
        ctx: ctx.clone(),
        opts: o.clone(),
        specs,
        secrets,
        log,
        guard: (!o.dry_run).then(run_guard),
    });
    let reports = crate::ops::run::run_all(ctx, jobs, bulk.clone(), false).await;
    let interrupted = bulk.guard.as_ref().is_some_and(|g| g.interrupted());
    Ok(report::bulk(
        ctx,
        "create",
        &reports,
        t0.elapsed().as_secs_f64(),
        interrupted,
        o.dry_run,
    ))
}

/// `bulk create` as an operation of the runner: each tenant as `create`
/// does it, one at a time in file order (each holds the node's maintenance
/// database while it opens the new one); generated passwords go to the
/// secrets file, not stdout.
struct BulkCreate {
    ctx: Arc<Ctx>,
    opts: LifecycleOpts,
    /// By line of the `--from` file.
    specs: std::collections::HashMap<usize, (Arc<NodeLink>, CopySpec)>,
    secrets: Option<crate::ops::passwd::Secrets>,
    log: Option<Arc<AuditLog>>,
    guard: Option<Guard>,
}

impl BulkCreate {
    async fn one(&self, line: usize) -> Report {
        let (link, spec) = &self.specs[&line];
        if self.guard.as_ref().is_some_and(|g| g.interrupted()) {
            let mut r = base(link, &spec.new, crate::ops::Op::Create)
                .ok(Outcome::Skipped, "not started (interrupted)");
            r.line = Some(line);
            return r;
        }
        let (mut r, _, generated) = copy_one(
            &self.ctx,
            &self.opts,
            link,
            spec,
            Op::Create,
            "template",
            false,
        )
        .await;
        r.line = Some(line);
        if let (Some(pw), Some(s)) = (&generated, &self.secrets) {
            let login = r.login.clone().unwrap_or_default();
            if let Err(x) = s.write_line(link.name(), &spec.new, &login, pw, "done") {
                r.warnings.push(format!("the secrets file could not be written ({x}); the tenant was created, set a password with `tenantctl passwd`"));
            }
        }
        r
    }
}

impl crate::ops::Operation for BulkCreate {
    fn op(&self) -> Op {
        Op::Create
    }
    fn dry_run(&self) -> bool {
        self.opts.dry_run
    }
    fn guard(&self) -> Option<&Guard> {
        self.guard.as_ref()
    }
    fn one_at_a_time(&self) -> bool {
        true
    }
    fn journaled(&self) -> bool {
        true
    }
    fn run_one(
        self: Arc<Self>,
        job: crate::ops::Job,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Report>> + Send>> {
        Box::pin(async move {
            let r = self.one(job.line.unwrap_or_default()).await;
            Some(self.audit(r))
        })
    }
    fn audit(&self, mut r: Report) -> Report {
        if r.dry_run != Some(true) && !self.opts.dry_run {
            audited(self.log.as_deref(), &mut r);
        }
        r
    }
}
