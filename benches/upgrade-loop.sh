#!/usr/bin/env bash
# What an operator writes without tenantctl for one blue/green module
# upgrade (the competitor of the upgrade rows of benches/fleet/lifecycle.rs;
# odoo-facts §9): block, copy, run Odoo on the copy, check it, swap.
# PostgreSQL is reached through libpq's environment.
#
#   upgrade-loop.sh TENANT COPY PRE FILESTORE_ROOT LOG ODOO_COMMAND...
set -euo pipefail
t=$1 copy=$2 pre=$3 fs=$4 log=$5
shift 5
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "ALTER DATABASE \"$t\" ALLOW_CONNECTIONS false" \
    -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$t'" >/dev/null
q -d postgres -c "CREATE DATABASE \"$copy\" TEMPLATE \"$t\""
if [ -d "$fs/$t" ]; then cp -al "$fs/$t" "$fs/$copy"; fi
"$@" -d "$copy" -u base --stop-after-init --no-http --workers 0 --max-cron-threads 0 \
    --limit-memory-hard 0 --logfile= 2>"$log"
n=$(psql -X -At -d "$copy" -c "SELECT count(*) FROM ir_module_module WHERE state IN ('to upgrade', 'to install', 'to remove')")
if [ "$n" != 0 ] || grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log"; then
    echo "not verified" >&2
    exit 1
fi
q -d "$copy" -c "SELECT nextval('base_registry_signaling')" >/dev/null
q -d postgres -c "ALTER DATABASE \"$t\" RENAME TO \"$pre\"" \
    -c "ALTER DATABASE \"$copy\" RENAME TO \"$t\"" \
    -c "ALTER DATABASE \"$t\" ALLOW_CONNECTIONS true"
if [ -d "$fs/$t" ]; then mv "$fs/$t" "$fs/$pre"; fi
if [ -d "$fs/$copy" ]; then mv "$fs/$copy" "$fs/$t"; fi
