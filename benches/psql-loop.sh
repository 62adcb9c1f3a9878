#!/usr/bin/env bash
# The psql loop that tenantctl replaces, as the old panel's automation scripts
# run it: one `psql -Atc` per node over pg_database, then one `psql` process per
# database, sequentially, running the same SQL as tenantctl (for suspend and
# reactivate: the same statements in one transaction, then the cache signal).
# Used by benches/fleet/ as the "psql loop" column; also runnable by hand:
#
#   PGPASSWORD=... PGUSER=postgres benches/psql-loop.sh list 127.0.0.1 5432 [PORT...]
#   PGPASSWORD=... PGUSER=postgres REASON='unpaid' BY='ops@host' \
#       benches/psql-loop.sh suspend|reactivate 127.0.0.1 5432 [PORT...]
#
# With PARALLEL=N (the loop an experienced operator writes): every node at
# once, and on each node `xargs -P N` running one psql per database.
#
# list prints one line per tenant (node port|datname|summary columns); suspend
# and reactivate print nothing and stop at the first error (exit != 0).
# The benchmark passes the library's own SQL where the script runs a statement
# of tenantctl's as it is: CANDIDATES_SQL and SUMMARY_SQL (src/odoo/probe.rs),
# LOCK_KEY (src/odoo/mod.rs) and SIGNAL_SQL (src/odoo/signal.rs; the
# benchmark's tenants are Odoo 16). The defaults below are copies for running
# it by hand. The writes are one-statement rewrites of suspension.rs's
# statements (which take bind parameters), as a psql script would have them.
set -euo pipefail

mode=${1:?usage: psql-loop.sh list|suspend|reactivate HOST PORT [PORT...]}
host=${2:?host}
shift 2
[ "$#" -gt 0 ] || { echo "psql-loop.sh: no ports" >&2; exit 2; }
: "${REASON:=psql loop}"
: "${BY:=psql-loop}"

PSQL=(psql -X -q -At -w -v ON_ERROR_STOP=1 -h "$host")
export PGSSLMODE=${PGSSLMODE:-disable} PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

DEFAULT_CANDIDATES_SQL="SELECT datname, CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid) END FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname"
CANDIDATES_SQL=${CANDIDATES_SQL:-$DEFAULT_CANDIDATES_SQL}
: "${LOCK_KEY:=127970544626804}"
: "${SIGNAL_SQL:=SELECT nextval('public.base_cache_signaling')}"

# tenantctl's list query; the benchmark passes the library's own in SUMMARY_SQL.
DEFAULT_SUMMARY_SQL="SELECT (SELECT latest_version FROM ir_module_module WHERE name = 'base'), u.internal, u.portal, (SELECT to_char(max(create_date), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM res_users_log), (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended'), (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_at'), (SELECT value FROM ir_config_parameter WHERE key = 'tenant.suspended_reason') FROM (SELECT count(*) FILTER (WHERE active AND NOT share AND id <> 1) AS internal, count(*) FILTER (WHERE active AND share AND id <> 1) AS portal FROM res_users) "
SUMMARY_SQL=${SUMMARY_SQL:-$DEFAULT_SUMMARY_SQL}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Suspend: lock, read the state, switch every active user but id 1 off and
# record their ids, commit, then the cache signal (as tenantctl does).
cat >"$tmp/suspend.sql" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(:lock_key) \g /dev/null
SELECT coalesce((SELECT value = 'true' FROM ir_config_parameter WHERE key = 'tenant.suspended'), false) AS suspended \gset
\if :suspended
ROLLBACK;
\else
WITH off AS (UPDATE res_users SET active = false WHERE active AND id <> 1 RETURNING id)
INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc'
FROM unnest(ARRAY['tenant.suspended', 'tenant.suspended_reason', 'tenant.suspended_at',
                  'tenant.suspended_by', 'tenant.suspended_user_ids'],
            ARRAY['true', :'reason', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                  :'by', (SELECT coalesce(json_agg(id ORDER BY id), '[]')::text FROM off)]) AS p(k, v)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date;
COMMIT;
\endif
SQL

# Reactivate: switch on exactly the recorded users, record the reactivation,
# drop the record, commit, signal.
cat >"$tmp/reactivate.sql" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(:lock_key) \g /dev/null
SELECT coalesce((SELECT value = 'true' FROM ir_config_parameter WHERE key = 'tenant.suspended'), false) AS suspended \gset
\if :suspended
WITH switched_on AS (
    UPDATE res_users SET active = true
    WHERE id IN (SELECT json_array_elements_text(value::json)::int FROM ir_config_parameter
                 WHERE key = 'tenant.suspended_user_ids') AND id <> 1
    RETURNING id)
INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
SELECT k, v, 1, now() AT TIME ZONE 'utc', 1, now() AT TIME ZONE 'utc'
FROM unnest(ARRAY['tenant.suspended', 'tenant.reactivated_at', 'tenant.reactivated_by'],
            ARRAY['false', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), :'by']) AS p(k, v)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date;
DELETE FROM ir_config_parameter WHERE key = 'tenant.suspended_user_ids';
COMMIT;
\else
ROLLBACK;
\endif
SQL

for f in suspend reactivate; do
    printf '%s \\g /dev/null\n' "$SIGNAL_SQL" >>"$tmp/$f.sql"
done

# One database: list prints its line in one write (lines of parallel psqls
# do not interleave).
one() {
    local port=$1 db=$2 line
    case $mode in
    list)
        line=$(PGDATABASE=$db "${PSQL[@]}" -p "$port" -F '|' -c "$SUMMARY_SQL") || return 1
        printf '%s|%s|%s\n' "$port" "$db" "$line"
        ;;
    suspend | reactivate)
        PGDATABASE=$db "${PSQL[@]}" -p "$port" -v reason="$REASON" -v by="$BY" -v lock_key="$LOCK_KEY" -f "$tmp/$mode.sql" >/dev/null
        ;;
    *)
        echo "psql-loop.sh: unknown mode $mode" >&2
        exit 2
        ;;
    esac
}

databases() {
    # PGDATABASE rather than -d: a name containing '=' would be read as a conninfo.
    PGDATABASE=postgres "${PSQL[@]}" -p "$1" -F '|' -c "$CANDIDATES_SQL" | cut -d'|' -f1 | grep -vx postgres || true
}

if [ -n "${PARALLEL:-}" ]; then
    export -f one
    export mode tmp SUMMARY_SQL REASON BY LOCK_KEY host PGSSLMODE PGCONNECT_TIMEOUT
    pids=()
    for port in "$@"; do
        databases "$port" | xargs -r -P "$PARALLEL" -n 1 bash -c 'PSQL=(psql -X -q -At -w -v ON_ERROR_STOP=1 -h "$host"); one "$0" "$1"' "$port" &
        pids+=($!)
    done
    rc=0
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    exit $rc
fi

for port in "$@"; do
    databases "$port" >"$tmp/dbs"
    while read -r db; do
        one "$port" "$db"
    done <"$tmp/dbs"
done
