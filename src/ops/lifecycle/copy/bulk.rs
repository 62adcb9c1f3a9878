//! `bulk create`: the `--from` file, read by the one `--from` reader, becomes one job per
//! tenant, each run as `create` does it, one at a time, by the runner; generated passwords
//! go to the secrets file.

use super::*;

/// A usable `--from` line: its number, the node, the name, the admin
/// login and the company.
type Entry = (usize, Arc<NodeLink>, String, Option<String>, Option<String>);

use super::each::{Copying, Specs};

pub(crate) async fn bulk_create(
    ctx: &Arc<Ctx>,
    o: &LifecycleOpts,
    m: CreateMany<'_>,
) -> Result<u8> {
    let (entries, bad, (unreadable, lines)) = read_entries(ctx, m.from, m.layout)?;
    let log = ctx.audit_log_unless(o.dry_run)?.map(Arc::new);
    let secrets = if o.dry_run {
        None
    } else {
        Some(Arc::new(crate::ops::passwd::Secrets::create(
            m.secrets_file,
        )?))
    };
    if !o.dry_run && !o.yes && !confirm(&format!("Create {} tenants?", entries.len()))? {
        ctx.printer.info("aborted; nothing changed");
        return Ok(EXIT_FAILED);
    }
    let src = crate::ops::from::source_name(m.from);
    let failed_to = crate::ops::failed_to::open(ctx, m.failed_to, o.dry_run)?
        .map(|f| f.source(&src, unreadable).whole_lines(lines));
    let (mut jobs, specs) = create_jobs(entries, &m);
    jobs.extend(bad);
    jobs.sort_by_key(|j| j.line);
    let each = Copying {
        ctx: ctx.clone(),
        opts: o.clone(),
        action: Op::Create,
        what: "template",
        specs,
        secrets,
        single: false,
    };
    Ok(one_by_one(ctx, Op::Create, o, log, jobs, each, failed_to).await)
}

/// The lines of the `--from` file for `--failed-to`: the numbers of those
/// that could not be read, and the fields of the others by number.
type Lines = (
    std::collections::HashSet<usize>,
    std::collections::HashMap<usize, Vec<String>>,
);

/// The `--from` file by the one reader: the usable lines, and the jobs of
/// the lines that cannot be used (a bad line, an unknown node), `failed`
/// rows of their own. A file with no tenant at all is refused.
fn read_entries(
    ctx: &Ctx,
    from: &std::path::Path,
    layout: &crate::targetfile::Layout,
) -> Result<(Vec<Entry>, Vec<crate::ops::Job>, Lines)> {
    let file = crate::ops::from::read(ctx, from, layout)?;
    let src = crate::ops::from::source_name(from);
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for l in &file.lines {
        let l = match l {
            Ok(l) => l,
            Err(b) => {
                bad.push(crate::ops::from::bad_line(&src, b, Op::Create));
                continue;
            }
        };
        match node_for(ctx, &l.spec) {
            Ok((link, name)) => {
                let opt = |k: usize| l.fields.get(k).filter(|v| !v.is_empty()).cloned();
                entries.push((l.no, link, name, opt(1), opt(2)));
            }
            Err(x) => {
                let b = crate::targetfile::BadLine {
                    no: l.no,
                    text: l.spec.clone(),
                    error: x.message(),
                };
                bad.push(crate::ops::from::bad_line(&src, &b, Op::Create));
            }
        }
    }
    if entries.is_empty() && bad.is_empty() {
        return Err(Error::input(anyhow!("--from {src}: no tenants")));
    }
    // A line written back as it was: its fields, the empty ones at the end
    // left out.
    let whole = file
        .lines
        .iter()
        .flatten()
        .map(|l| {
            let mut f = l.fields.clone();
            while f.len() > 1 && f.last().is_some_and(|v| v.is_empty()) {
                f.pop();
            }
            (l.no, f)
        })
        .collect();
    let unreadable = crate::ops::failed_to::unreadable(&file.lines);
    Ok((entries, bad, (unreadable, whole)))
}

/// One job per entry, and what `create` needs for it by line; an entry
/// without a template is refused at once (an early report).
fn create_jobs(entries: Vec<Entry>, m: &CreateMany<'_>) -> (Vec<crate::ops::Job>, Specs) {
    let mut jobs = Vec::new();
    let mut specs = std::collections::HashMap::new();
    for (line, link, name, login, company) in entries {
        let mut job = crate::ops::Job::for_spec(name.clone());
        job.line = Some(line);
        let Some(tmpl) = m
            .template
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
            force: m.force,
            admin_login: login,
            company,
            password: Some(Pw::Generate(m.length)),
            new_customer: true,
            neutralize: false,
        };
        specs.insert(line, (link, spec));
        jobs.push(job);
    }
    (jobs, specs)
}
