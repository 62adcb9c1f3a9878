//! `tenantctl show TENANT`: what an operator asks before acting on one tenant.

use std::time::SystemTime;

use serde::Serialize;

use super::Ctx;
use crate::config::Output;
use crate::error::{Error, Result, EXIT_OK};
use crate::odoo::details::{self, UserLine};
use crate::odoo::keys;
use crate::odoo::versions;
use crate::output::{csv_line, human_size, out, out_json, relative, Col};
use crate::transport::Via;

#[cfg(test)]
mod tests {
    #[test]
    fn created_at_is_rfc3339() {
        assert_eq!(
            super::rfc3339_utc("2024-01-05 10:00:00"),
            "2024-01-05T10:00:00Z"
        );
        assert_eq!(
            super::rfc3339_utc("2024-01-05 10:00:00.123456"),
            "2024-01-05T10:00:00Z"
        );
        assert_eq!(super::rfc3339_utc("junk"), "junk");
    }
}

#[derive(Serialize)]
struct Shown<'a> {
    node: &'a str,
    tenant: &'a str,
    via: Via,
    address: String,
    odoo_version: String,
    size_bytes: Option<i64>,
    company: Option<String>,
    /// RFC 3339 UTC (Odoo stores naive UTC `YYYY-MM-DD HH:MM:SS`).
    created_at: Option<String>,
    status: &'static str,
    suspended_at: Option<&'a str>,
    suspended_reason: Option<&'a str>,
    suspended_by: Option<&'a str>,
    recorded_users: Option<usize>,
    /// The suspension layers recorded (users, crons, mail, connections).
    #[serde(skip_serializing_if = "Option::is_none")]
    suspended_layers: Option<Vec<&'static str>>,
    reactivated_at: Option<&'a str>,
    reactivated_by: Option<&'a str>,
    users: &'a [UserLine],
    /// False where this Odoo has no two-factor authentication (12–13: no
    /// auth_totp, no `totp_secret` column): every `two_factor` is then
    /// false, shown as `n/a`.
    two_factor_supported: bool,
    /// The tenant's latest entries in the audit log this run would write
    /// (oldest first, at most [`RECENT`]).
    audit: Vec<&'a crate::audit::Entry>,
}

/// How many audit entries `show` lists.
const RECENT: usize = 10;

/// Odoo's naive UTC `YYYY-MM-DD HH:MM:SS[.ffffff]` as RFC 3339 UTC; other
/// text is kept as it is.
pub fn rfc3339_utc(v: &str) -> String {
    let v = v.trim();
    let base = v.split('.').next().unwrap_or(v);
    match humantime::parse_rfc3339_weak(base) {
        Ok(t) => humantime::format_rfc3339_seconds(t).to_string(),
        Err(_) => v.to_string(),
    }
}

/// A tenant that refuses connections: what the node's catalog tells, when
/// tenantctl blocked it (suspension layer `connections`).
async fn show_blocked(ctx: &Ctx, target: &crate::targets::Target, e: anyhow::Error) -> Result<u8> {
    let who = target.display();
    let fail = |e: anyhow::Error| Error::failed(e.context(format!("{who}: connect")));
    let Ok(m) = target
        .link
        .connect(&target.link.node.maintenance_db, &ctx.transport)
        .await
    else {
        return Err(fail(e));
    };
    let st = crate::odoo::layers::db_state(&m.client, &target.db, m.deadline).await;
    let Some(b) = st
        .ok()
        .filter(|s| !s.allow_connections)
        .and_then(|s| s.comment)
        .as_deref()
        .and_then(crate::odoo::layers::Blocked::parse)
    else {
        return Err(fail(e));
    };
    match ctx.printer.format {
        crate::config::Output::Json => crate::output::out_json(&serde_json::json!({
            "node": target.link.name(),
            "tenant": target.db,
            "via": target.link.via,
            "address": target.link.node.address(),
            "status": "suspended",
            "blocked": true,
            "suspended_at": b.at,
            "suspended_reason": b.reason,
            "suspended_by": b.by,
            "suspended_layers": ["users", "crons", "mail", "connections"],
        })),
        _ => out(&crate::output::esc_lines(&format!(
            "Tenant:      {}\nNode:        {} ({}, {})\nStatus:      suspended, blocked: the database accepts no connections\nSuspended:   {} by {}\nReason:      {}\nLayers:      connections (and what was recorded inside the tenant)",
            target.db,
            target.link.name(),
            target.link.node.address(),
            target.link.via,
            b.at.as_deref().unwrap_or("-"),
            b.by.as_deref().unwrap_or("-"),
            b.reason.as_deref().unwrap_or("-"),
        ))),
    }
    Ok(crate::error::EXIT_OK)
}

pub async fn run(ctx: &Ctx, spec: &str) -> Result<u8> {
    let target = ctx.resolve(spec).await?;
    let who = target.display();
    let conn = match target.link.connect(&target.db, &ctx.transport).await {
        Ok(c) => c,
        Err(e) => return show_blocked(ctx, &target, e).await,
    };
    let d = read_details(&conn, &who).await?;
    let two_factor_supported = two_factor_supported(&d);
    let get = |k: &str| d.params.get(k).map(String::as_str);
    let suspended = crate::odoo::probe::is_true(get(keys::SUSPENDED));
    let layer_state = crate::odoo::suspension::State {
        params: d.params.clone(),
        ..Default::default()
    };
    let recorded = get(keys::SUSPENDED_USER_IDS)
        .and_then(|v| serde_json::from_str::<Vec<i64>>(v).ok())
        .map(|v| v.len());
    let audit_path = ctx.audit_path();
    let log = read_audit(ctx, &audit_path);
    let s = Shown {
        node: target.link.name(),
        tenant: &target.db,
        via: target.link.via,
        address: target.link.node.address(),
        odoo_version: crate::odoo::series_from_version(&d.version),
        size_bytes: d.size_bytes,
        company: d.company.clone(),
        created_at: get("database.create_date").map(rfc3339_utc),
        status: if suspended { "suspended" } else { "active" },
        suspended_at: get(keys::SUSPENDED_AT).filter(|_| suspended),
        suspended_reason: get(keys::SUSPENDED_REASON).filter(|_| suspended),
        suspended_by: get(keys::SUSPENDED_BY).filter(|_| suspended),
        recorded_users: recorded.filter(|_| suspended),
        suspended_layers: suspended.then(|| layer_state.layers().names()),
        reactivated_at: get(keys::REACTIVATED_AT),
        reactivated_by: get(keys::REACTIVATED_BY),
        users: &d.users,
        two_factor_supported,
        audit: recent(&log, &target),
    };
    let p = &ctx.printer;
    match p.format {
        Output::Json => out_json(&s),
        Output::Csv => print_csv(p, &s),
        Output::Table => {
            let now = SystemTime::now();
            out(&crate::output::esc_lines(&header_text(&s, recorded, now)));
            let (builtin, people): (Vec<&UserLine>, Vec<&UserLine>) =
                d.users.iter().partition(|u| u.builtin.is_some());
            p.print_table(&user_table(p, &people, two_factor_supported, now));
            if !builtin.is_empty() {
                out("");
                out("Built-in users (Odoo's templates and the public user, not people):");
                p.print_table(&user_table(p, &builtin, two_factor_supported, now));
            }
            out("");
            print_audit(p, &s.audit, &audit_path);
        }
    }
    Ok(EXIT_OK)
}

/// The tenant's details; a database that is not Odoo's is a usage error.
async fn read_details(conn: &tokio_postgres::Client, who: &str) -> Result<details::Details> {
    details::details(conn).await.map_err(|e| {
        if crate::odoo::is_not_odoo(&e) {
            // A database the inventory does not exclude but that holds no
            // Odoo: the operator named the wrong thing (exit 2).
            Error::usage(anyhow::anyhow!(
                "{who}: {e:#}; show works on Odoo tenants only (list --all-databases shows the other databases)"
            ))
        } else {
            Error::failed(e.context(who.to_string()))
        }
    })
}

/// Odoo 12–13 have no auth_totp (no `totp_secret` column): 2FA does not
/// apply there. On 14+ a missing column means auth_totp is not installed:
/// nobody has a second factor (off).
fn two_factor_supported(d: &details::Details) -> bool {
    !(d.totp == crate::odoo::totp::Totp::Absent
        && crate::odoo::major_from_version(&d.version).is_some_and(|m| !versions::has_auth_totp(m)))
}

/// The audit log this run would write; unreadable, a warning and none.
fn read_audit(ctx: &Ctx, audit_path: &std::path::Path) -> crate::audit::Read {
    match crate::audit::read(audit_path) {
        Ok(r) => r,
        Err(e) => {
            ctx.printer.warn(format!("{e:#}; recent changes not shown"));
            crate::audit::Read::default()
        }
    }
}

/// The tenant's latest entries of `log` (oldest first, at most [`RECENT`]).
fn recent<'a>(
    log: &'a crate::audit::Read,
    target: &crate::targets::Target,
) -> Vec<&'a crate::audit::Entry> {
    let mut recent: Vec<&crate::audit::Entry> = log
        .entries
        .iter()
        .filter(|e| e.node == target.link.name() && e.tenant == target.db)
        .collect();
    recent.drain(..recent.len().saturating_sub(RECENT));
    recent
}

/// `--output csv`: the users.
fn print_csv(p: &crate::output::Printer, s: &Shown) {
    p.csv_header(&[
        "id",
        "login",
        "name",
        "type",
        "admin",
        "active",
        "two_factor",
        "last_login",
        "builtin",
    ]);
    for u in s.users {
        out(&csv_line(&[
            u.id.to_string(),
            u.login.clone(),
            u.name.clone(),
            u.kind.to_string(),
            u.admin.to_string(),
            u.active.to_string(),
            if s.two_factor_supported {
                u.two_factor.map(|v| v.to_string()).unwrap_or_default()
            } else {
                "n/a".to_string()
            },
            u.last_login.clone().unwrap_or_default(),
            u.builtin.unwrap_or_default().to_string(),
        ]));
    }
}

/// The tenant's lines above the users (not escaped yet).
fn header_text(s: &Shown, recorded: Option<usize>, now: SystemTime) -> String {
    // With its zone: Odoo and the old agent store naive UTC.
    let rel = |t: Option<&str>| {
        t.map(|t| {
            let t = rfc3339_utc(t);
            format!("{t} ({})", relative(&t, now))
        })
        .unwrap_or_else(|| "-".into())
    };
    let mut text = format!(
        "Tenant:      {}\nNode:        {} ({}, {})\nOdoo:        {}\nCompany:     {}\nSize:        {}\nCreated:     {}\nStatus:      {}\n",
        s.tenant,
        s.node,
        s.address,
        s.via,
        s.odoo_version,
        s.company.as_deref().unwrap_or("-"),
        s.size_bytes.map(human_size).unwrap_or_else(|| "-".into()),
        s.created_at.as_deref().unwrap_or("-"),
        s.status,
    );
    if s.status == "suspended" {
        text.push_str(&format!(
            "Suspended:   {}{}\nReason:      {}\nRecorded:    {}\n",
            match s.suspended_at {
                Some(_) => rel(s.suspended_at),
                None => "yes, no time recorded (old agent)".into(),
            },
            s.suspended_by
                .map(|b| format!(" by {b}"))
                .unwrap_or_default(),
            s.suspended_reason.unwrap_or("-"),
            recorded
                .map(|n| format!("{n} users to switch on at reactivation"))
                .unwrap_or_else(|| "no record of users (old agent)".into())
        ));
        if let Some(l) = &s.suspended_layers {
            text.push_str(&format!("Layers:      {}\n", l.join(", ")));
        }
    }
    if s.reactivated_at.is_some() {
        text.push_str(&format!(
            "Reactivated: {}{}\n",
            rel(s.reactivated_at),
            s.reactivated_by
                .map(|b| format!(" by {b}"))
                .unwrap_or_default()
        ));
    }
    text
}

/// One table of users.
fn user_table(
    p: &crate::output::Printer,
    users: &[&UserLine],
    two_factor_supported: bool,
    now: SystemTime,
) -> crate::output::Table {
    let mut t = p.table(&[
        Col::key("LOGIN"),
        Col::free("NAME"),
        Col::key("TYPE"),
        Col::key("ACTIVE"),
        Col::key("2FA"),
        Col::key("LAST LOGIN"),
        Col::key("ID").wide(),
    ]);
    for u in users {
        t.row([
            u.login.clone(),
            u.name.clone(),
            match (u.admin, u.builtin) {
                (true, _) => format!("{} (admin)", u.kind),
                (false, Some(b)) => b.to_string(),
                (false, None) => u.kind.to_string(),
            },
            if u.active { "yes" } else { "no" }.to_string(),
            match (two_factor_supported, u.two_factor) {
                (false, _) => "n/a",
                (true, Some(true)) => "on",
                (true, Some(false)) => "off",
                (true, None) => "?",
            }
            .to_string(),
            u.last_login
                .as_deref()
                .map(|t| relative(t, now))
                .unwrap_or_else(|| "never".into()),
            u.id.to_string(),
        ]);
    }
    t
}

/// The tenant's recent changes, or where none were found.
fn print_audit(p: &crate::output::Printer, audit: &[&crate::audit::Entry], path: &std::path::Path) {
    if audit.is_empty() {
        out(&crate::output::esc(&format!(
            "No changes recorded in {}",
            path.display()
        )));
    } else {
        out(&crate::output::esc(&format!(
            "Recent changes ({}):",
            path.display()
        )));
        p.print_table(&super::log::table(p, audit, false));
    }
}
