//! `upgrade -u outdated` and the manifest check (issue 27, odoo-facts §9):
//! the manifests of the installed modules, read where Odoo runs from the
//! node's `odoo.addons_path` as Python literals (never executed), their
//! versions series-prefixed (`adapt_version`) and compared as Odoo compares
//! them (`parse_version`). 13 and 16 have no command that lists outdated
//! modules; this matched Odoo's own comparison on 13/16/19.

use std::collections::BTreeMap;

use super::*;
use crate::odoo::manifest::{self, version};
use crate::transport::host::manifests::{self as files, Found};
use crate::transport::host::odoo::Place;

/// What the addons paths say of a set of installed modules.
struct Versions {
    /// Module → its series-prefixed manifest version.
    manifest: BTreeMap<String, String>,
    /// Installed in the database, in no addons path (or only as a `.zip`).
    absent: Vec<String>,
}

/// The manifest versions of `modules` on a database whose `base` is at
/// `base_version`; the refusal text names the file that could not be read.
async fn versions(
    place: &Place,
    run: &OdooRun,
    modules: &[String],
    base_version: &str,
) -> std::result::Result<Versions, String> {
    let series = version::series_of(base_version);
    let major = crate::odoo::versions::major_from_version(base_version).unwrap_or(16);
    let names: Vec<String> = modules
        .iter()
        .filter(|m| manifest::is_module_name(m))
        .cloned()
        .collect();
    let found = files::read(
        place,
        &run.addons_path,
        &names,
        manifest::literal::MAX_BYTES,
    )
    .await
    .map_err(|x| format!("the module manifests could not be read: {x:#}"))?;
    let mut out = Versions {
        manifest: BTreeMap::new(),
        absent: modules
            .iter()
            .filter(|m| !manifest::is_module_name(m))
            .cloned()
            .collect(),
    };
    for (m, f) in found {
        match f {
            Found::Missing | Found::NoManifest { .. } => out.absent.push(m),
            Found::Unreadable { file, why } => {
                return Err(format!("{}: cannot be read: {}", e(&file), e(&why)))
            }
            Found::Text { file, bytes } => {
                let max = manifest::literal::MAX_BYTES;
                let v = (bytes.len() <= max)
                    .then_some(())
                    .ok_or_else(|| format!("larger than {max} bytes"))
                    .and_then(|()| {
                        std::str::from_utf8(&bytes).map_err(|_| "not UTF-8 text".to_string())
                    })
                    .and_then(|t| manifest::manifest_version(t, &series, major))
                    .map_err(|why| {
                        format!("{}: refused, {why} (it is never executed)", e(&file))
                    })?;
                out.manifest.insert(m, v);
            }
        }
    }
    Ok(out)
}

/// `-u outdated`: the installed modules whose manifest version is newer
/// than their `latest_version` (`ir.module.module.update_list`'s test),
/// as `-u a,b` for the rest of the run (its checks included). Resolved
/// before anything else, so that with none outdated the outcome is
/// `Unchanged` (with its message) and nothing is touched. Modules in no
/// addons path are warnings in `r`.
pub(super) async fn resolve(
    ctx: &Ctx,
    maint: &Conn,
    run: &OdooRun,
    u: &UpgradeOpts,
    t: &crate::targets::Target,
    r: &mut Report,
) -> std::result::Result<UpgradeOpts, (Outcome, String)> {
    if u.modules != Modules::Outdated {
        return Ok(u.clone());
    }
    let (link, db, who) = (&t.link, t.db.as_str(), t.display());
    let refused = |m: String| (Outcome::Refused, format!("{who}: {m}; nothing changed"));
    let failed = |x: anyhow::Error| (Outcome::Failed, format!("{who}: {x:#}; nothing changed"));
    if run.addons_path.is_empty() {
        return Err(refused(format!(
            "-u outdated needs odoo.addons_path (the addons paths of Odoo's configuration) in the `odoo` setting of node {}",
            link.name()
        )));
    }
    let info = lc::db_info(&maint.client, db, maint.deadline)
        .await
        .map_err(failed)?
        .ok_or_else(|| refused("gone meanwhile".into()))?;
    if !info.allow_connections {
        return Err(refused(
            "-u outdated reads the tenant's modules, and it does not allow connections (suspended, or being upgraded): name the modules with -u".into(),
        ));
    }
    let conn = link.connect(db, &ctx.transport).await.map_err(failed)?;
    let state = up::modules_state(&conn.client, None, conn.deadline).await;
    drop(conn);
    // A database without Odoo: refused, marked (a selector run leaves it
    // out).
    let state = match state {
        Ok(s) if s.base_version.is_some() => s,
        Ok(_) => {
            r.not_odoo = true;
            return Err(refused(
                "no installed `base` module: not an Odoo database".into(),
            ));
        }
        Err(x) if crate::odoo::is_not_odoo(&x) => {
            r.not_odoo = true;
            return Err(refused(format!("{x:#}")));
        }
        Err(x) => return Err(failed(x)),
    };
    let installed: Vec<&up::Module> = state
        .requested
        .iter()
        .filter(|m| m.state == "installed")
        .collect();
    let names: Vec<String> = installed.iter().map(|m| m.name.clone()).collect();
    let base = state.base_version.clone().unwrap_or_default();
    let place = ctx.odoo_place(link, run);
    let v = versions(&place, run, &names, &base)
        .await
        .map_err(refused)?;
    if !v.absent.is_empty() {
        r.warnings.push(format!(
            "installed but in no addons path (not upgraded): {}",
            v.absent
                .iter()
                .map(|m| e(m).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // `update_list`: parse_version(manifest) > parse_version(latest_version
    // or the default version).
    let default = version::adapt_version(version::DEFAULT_VERSION, &version::series_of(&base), 0)
        .unwrap_or_default();
    let outdated: Vec<String> = installed
        .iter()
        .filter(|m| {
            v.manifest
                .get(&m.name)
                .is_some_and(|new| version::newer(new, m.version.as_deref().unwrap_or(&default)))
        })
        .map(|m| m.name.clone())
        .collect();
    if outdated.is_empty() {
        return Err((
            Outcome::Unchanged,
            format!("{who}: nothing to upgrade: every installed module is at its manifest version"),
        ));
    }
    r.details.upgrade().modules = outdated.clone();
    Ok(UpgradeOpts {
        modules: Modules::Named(outdated),
        ..u.clone()
    })
}

/// After Odoo's run, with addons paths named: each module the run was
/// given that the paths hold must be at its manifest version (Odoo exits 0
/// when a module's code is missing or another one is found). The problems.
pub(super) async fn behind(place: &Place, run: &OdooRun, after: &up::ModulesState) -> Vec<String> {
    if run.addons_path.is_empty() {
        return Vec::new();
    }
    let installed: Vec<&up::Module> = after
        .requested
        .iter()
        .filter(|m| m.state == "installed")
        .collect();
    let names: Vec<String> = installed.iter().map(|m| m.name.clone()).collect();
    let base = after.base_version.clone().unwrap_or_default();
    let v = match versions(place, run, &names, &base).await {
        Ok(v) => v,
        Err(m) => return vec![m],
    };
    installed
        .iter()
        .filter_map(|m| {
            let want = v.manifest.get(&m.name)?;
            let at = m.version.as_deref().unwrap_or("no version");
            (at != want).then(|| {
                format!(
                    "module {} is at {} after the run, its manifest says {}",
                    e(&m.name),
                    e(at),
                    e(want)
                )
            })
        })
        .collect()
}
