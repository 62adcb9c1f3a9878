//! Whether the connected role may do what a write does, without changing
//! anything: the write's own statements matching no row (`WHERE false`) in a
//! transaction that is rolled back. PostgreSQL checks table and column
//! privileges when a statement starts, whatever the rows, so a missing grant
//! fails here exactly as in the real run. Sequences are checked with
//! `has_sequence_privilege`: `nextval` is not transactional, and calling a
//! cache-signal sequence would signal Odoo's workers.

use tokio_postgres::Client;

use super::signal::Signals;
use crate::error::pg_error;

/// Which write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// suspend, reactivate: res_users.active and the ICP record.
    Suspension,
    /// passwd: res_users.password.
    Password,
}

fn layer_statements(t: &super::layers::Tables) -> String {
    let mut s = String::new();
    if t.ir_cron {
        s.push_str("UPDATE public.ir_cron SET active = active WHERE false; ");
    }
    if t.ir_mail_server {
        s.push_str(
            "UPDATE public.ir_mail_server SET active = active WHERE false; \
             INSERT INTO public.ir_mail_server SELECT * FROM public.ir_mail_server WHERE false; \
             DELETE FROM public.ir_mail_server WHERE false; ",
        );
    }
    if t.fetchmail_server {
        s.push_str("UPDATE public.fetchmail_server SET active = active WHERE false; ");
    }
    if t.mail_mail {
        s.push_str(
            "UPDATE public.mail_mail SET state = state, failure_reason = failure_reason WHERE false; ",
        );
    }
    s
}

fn statements(w: Write) -> &'static str {
    match w {
        Write::Suspension => {
            "UPDATE public.res_users SET active = active WHERE false; \
             INSERT INTO public.ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) \
               SELECT 'tenant.check', '', 1, now(), 1, now() WHERE false \
               ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date; \
             DELETE FROM public.ir_config_parameter WHERE false; "
        }
        Write::Password => "UPDATE public.res_users SET password = password WHERE false; ",
    }
}

fn sequences(w: Write, s: Signals) -> String {
    let mut checks = Vec::new();
    if w == Write::Suspension {
        checks.push(
            "has_sequence_privilege(pg_get_serial_sequence('public.ir_config_parameter', 'id'), 'USAGE')"
                .to_string(),
        );
    }
    if s.base_cache {
        checks
            .push("has_sequence_privilege('public.base_cache_signaling', 'USAGE, UPDATE')".into());
    } else if s.cache_default {
        checks.push(
            "has_sequence_privilege('public.base_cache_signaling_default', 'USAGE, UPDATE')".into(),
        );
    }
    for t in s.tables() {
        checks.push(format!(
            "(has_table_privilege('public.{t}', 'INSERT') AND \
              has_sequence_privilege(pg_get_serial_sequence('public.{t}', 'id'), 'USAGE'))"
        ));
    }
    if checks.is_empty() {
        return "SELECT true".into();
    }
    format!("SELECT {}", checks.join(" AND "))
}

/// `Ok(None)` when the real run would pass the privilege checks, else the
/// server's reason.
pub async fn probe(
    client: &Client,
    w: Write,
    signals: Signals,
    tables: Option<&super::layers::Tables>,
) -> anyhow::Result<Option<String>> {
    let layers = match (w, tables) {
        (Write::Suspension, Some(t)) => layer_statements(t),
        _ => String::new(),
    };
    let sql = format!(
        "BEGIN; {}{layers}{}; ROLLBACK",
        statements(w),
        sequences(w, signals)
    );
    match client.simple_query(&sql).await {
        Ok(msgs) => {
            let ok = msgs.iter().any(|m| {
                matches!(m, tokio_postgres::SimpleQueryMessage::Row(r) if r.get(0) == Some("t"))
            });
            Ok((!ok).then(|| {
                "no USAGE on a sequence the write needs (ir_config_parameter's id sequence or the cache-signal sequence/table)"
                    .to_string()
            }))
        }
        Err(e) if e.as_db_error().is_some() => {
            let _ = client.simple_query("ROLLBACK").await;
            Ok(Some(format!("{:#}", pg_error(&e))))
        }
        Err(e) => Err(pg_error(&e)),
    }
}
