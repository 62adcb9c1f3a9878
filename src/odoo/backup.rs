//! What `backup` reads from a tenant for Odoo's `manifest.json`
//! (odoo-facts §7): the installed modules and their `latest_version`, the
//! server's version. Tables are `public.`-qualified (see `transport`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio_postgres::Client;

use super::{major_from_version, series_from_version, within, NotOdoo};

const MODULES_SQL: &str = "SELECT name::text, COALESCE(latest_version, '')::text \
     FROM public.ir_module_module WHERE state = 'installed' ORDER BY name";

const SERVER_SQL: &str = "SELECT pg_catalog.current_setting('server_version'), \
     pg_catalog.current_setting('server_version_num')::int";

/// The server's version: ("15.4", 15).
pub async fn server_version(client: &Client, deadline: Duration) -> anyhow::Result<(String, u32)> {
    let rows = within(deadline, client.query_typed(SERVER_SQL, &[])).await?;
    let r = rows
        .first()
        .ok_or_else(|| anyhow::anyhow!("no server version"))?;
    let text: String = r.get(0);
    let num: i32 = r.get(1);
    let short = text.split_whitespace().next().unwrap_or("").to_string();
    Ok((short, (num / 10000) as u32))
}

/// `manifest.json` as Odoo's database manager writes it
/// (`odoo/service/db.py` `dump_db_manifest`).
pub async fn manifest(client: &Client, db: &str, deadline: Duration) -> anyhow::Result<Value> {
    let rows = within(deadline, client.query_typed(MODULES_SQL, &[]))
        .await
        .map_err(|e| e.context("reading the installed modules (ir_module_module)"))?;
    let modules: BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let base = modules
        .get("base")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| anyhow::Error::new(NotOdoo("no installed `base` module")))?;
    let series = series_from_version(base);
    let major = major_from_version(base).unwrap_or(0);
    let minor: u32 = series
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let (pg_version, _) = server_version(client, deadline).await?;
    Ok(json!({
        "odoo_dump": "1",
        "db_name": db,
        "version": series,
        "version_info": [major, minor, 0, "final", 0, ""],
        "major_version": series,
        "pg_version": pg_version,
        "modules": modules,
    }))
}

/// An empty database for a restore, as Odoo's `_create_empty_database`:
/// `ENCODING 'unicode' TEMPLATE template0`, owned by `owner`: the loader
/// role whose session then creates every restored object (the dumps are
/// `--no-owner`), see [`super::loader`].
pub async fn create_empty(
    client: &Client,
    name: &str,
    owner: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    let sql = format!(
        "CREATE DATABASE {} ENCODING 'unicode' TEMPLATE template0 OWNER {}",
        postgres_protocol::escape::escape_identifier(name),
        postgres_protocol::escape::escape_identifier(owner)
    );
    within(deadline, client.batch_execute(&sql)).await
}

/// What `move` compares between the source and its restored copy: the
/// users (id, login, active), the installed modules and their versions,
/// the number of attachments (when the table exists).
pub async fn fingerprint(client: &Client, deadline: Duration) -> anyhow::Result<Value> {
    let users = within(
        deadline,
        client.query_typed(
            "SELECT id::int8, login::text, COALESCE(active, false) FROM public.res_users ORDER BY id",
            &[],
        ),
    )
    .await?;
    let users: Vec<Value> = users
        .iter()
        .map(|r| {
            json!([
                r.get::<_, i64>(0),
                r.get::<_, String>(1),
                r.get::<_, bool>(2)
            ])
        })
        .collect();
    let modules = within(deadline, client.query_typed(MODULES_SQL, &[])).await?;
    let modules: BTreeMap<String, String> = modules.iter().map(|r| (r.get(0), r.get(1))).collect();
    let has = within(
        deadline,
        client.query_typed(
            "SELECT pg_catalog.to_regclass('public.ir_attachment') IS NOT NULL",
            &[],
        ),
    )
    .await?;
    let attachments: Option<i64> = if has.first().is_some_and(|r| r.get::<_, bool>(0)) {
        let r = within(
            deadline,
            client.query_typed("SELECT count(*) FROM public.ir_attachment", &[]),
        )
        .await?;
        r.first().map(|r| r.get(0))
    } else {
        None
    };
    Ok(json!({"users": users, "modules": modules, "attachments": attachments}))
}

/// `pg_database_size` of a database.
pub async fn database_size(client: &Client, db: &str, deadline: Duration) -> anyhow::Result<i64> {
    let rows = within(
        deadline,
        client.query_typed(
            "SELECT pg_catalog.pg_database_size($1::text)",
            &[(&db, tokio_postgres::types::Type::TEXT)],
        ),
    )
    .await?;
    Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
}
