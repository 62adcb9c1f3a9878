//! Statistics and the Markdown tables.

#![allow(unused_imports)]
use super::*;

pub(crate) fn ssh_note(s: &[Sample]) -> String {
    if s.is_empty() {
        return String::new();
    }
    format!(
        "client CPU includes the ssh masters (peak RSS {:.1} MB); sshd (the SSH host side) used {:.2} s CPU",
        s.iter().map(|x| x.orphan_rss_mb).fold(0.0, f64::max),
        median(s.iter().map(|x| x.sshd_cpu).collect())
    )
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub(crate) n: usize,
    pub(crate) wall: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) rss_mb: f64,
    pub(crate) client_cpu: f64,
    pub(crate) server_cpu: f64,
    pub(crate) sessions: f64,
    pub(crate) xacts: f64,
    pub(crate) sshd_cpu: f64,
}

pub(crate) fn stats(s: &[Sample]) -> Option<Stats> {
    if s.is_empty() {
        return None;
    }
    let m = |f: fn(&Sample) -> f64| median(s.iter().map(f).collect());
    Some(Stats {
        n: s.len(),
        wall: m(|x| x.wall),
        min: s.iter().map(|x| x.wall).fold(f64::INFINITY, f64::min),
        max: s.iter().map(|x| x.wall).fold(0.0, f64::max),
        rss_mb: s.iter().map(|x| x.rss_mb).fold(0.0, f64::max),
        client_cpu: m(|x| x.client_cpu),
        server_cpu: m(|x| x.server_cpu),
        sessions: m(|x| x.sessions as f64),
        xacts: m(|x| x.xacts as f64),
        sshd_cpu: m(|x| x.sshd_cpu),
    })
}

/// One line of the main table.
pub(crate) struct Line {
    pub(crate) op: String,
    pub(crate) tenants: usize,
    pub(crate) tc: Option<Stats>,
    /// The psql loop (or, for passwd, passlib) and how to label it.
    pub(crate) other: Option<Stats>,
    pub(crate) other_label: &'static str,
    pub(crate) floor: Option<Stats>,
    /// For the SSH row: the direct list it is compared with.
    pub(crate) vs_direct: Option<f64>,
    pub(crate) unavailable: Option<String>,
}

pub(crate) fn secs(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 0.1 {
        format!("{:.4}", v)
    } else {
        format!("{:.3}", v)
    }
}

pub(crate) fn print_main_table(lines: &[Line]) {
    println!("| operation | tenants | tenantctl s | psql loop s | floor s | vs floor | vs psql | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for l in lines {
        if let Some(why) = &l.unavailable {
            println!("| {} | {} | {why} | | | | | |", l.op, l.tenants);
            continue;
        }
        let tc = l.tc.as_ref();
        let tcw = tc.map(|s| s.wall).unwrap_or(f64::NAN);
        let other = match &l.other {
            Some(o) if !l.other_label.is_empty() => format!("{} ({})", secs(o.wall), l.other_label),
            Some(o) => secs(o.wall),
            None => "-".into(),
        };
        let floor = l.floor.as_ref().map(|f| secs(f.wall)).unwrap_or("-".into());
        let vs_floor = match (&l.floor, l.vs_direct) {
            (_, Some(d)) => format!("{:.2}x list direct", tcw / d),
            (Some(f), None) => format!("{:.2}x", tcw / f.wall),
            _ => "-".into(),
        };
        let vs_psql = match &l.other {
            Some(o) if l.other_label.is_empty() => format!("{:.1}x faster", o.wall / tcw),
            Some(o) => format!("{:.2}x {}", tcw / o.wall, l.other_label),
            None => "-".into(),
        };
        println!(
            "| {} | {} | {} | {other} | {floor} | {vs_floor} | {vs_psql} | {} |",
            l.op,
            l.tenants,
            secs(tcw),
            tc.map(|s| format!("{:.1}", s.rss_mb)).unwrap_or("-".into()),
        );
    }
}

/// Where the time goes: per tool, CPU on both sides and server work per tenant.
pub(crate) struct Breakdown {
    pub(crate) op: String,
    pub(crate) tool: &'static str,
    pub(crate) tenants: usize,
    pub(crate) s: Stats,
    pub(crate) extra: String,
}

pub(crate) fn print_breakdown(rows: &[Breakdown]) {
    println!("| operation | tool | tenants | wall s (min-max) | client CPU s | server CPU s | ms/tenant wall | client CPU ms/tenant | server CPU ms/tenant | sessions/tenant | xacts/tenant | peak RSS MB | notes |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for b in rows {
        let n = b.tenants.max(1) as f64;
        println!(
            "| {} | {} | {} | {} ({}-{}) | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
            b.op,
            b.tool,
            b.tenants,
            secs(b.s.wall),
            secs(b.s.min),
            secs(b.s.max),
            b.s.client_cpu,
            b.s.server_cpu,
            b.s.wall * 1000.0 / n,
            b.s.client_cpu * 1000.0 / n,
            b.s.server_cpu * 1000.0 / n,
            b.s.sessions / n,
            b.s.xacts / n,
            b.s.rss_mb,
            b.extra
        );
    }
}
