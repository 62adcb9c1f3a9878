#!/usr/bin/env bash
# What an operator writes without tenantctl: the competitors of the
# lifecycle benchmark (benches/fleet/lifecycle.rs). PostgreSQL is reached
# through libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD).
#
#   lifecycle-loop.sh create NEW TEMPLATE FILESTORE_ROOT
#       CREATE DATABASE NEW TEMPLATE TEMPLATE, then the filestore copied as
#       hard links (Odoo's duplicate without its regenerated keys).
#   lifecycle-loop.sh create-pw NEW TEMPLATE FILESTORE_ROOT PYTHON < PASSWORD
#       the same, plus the admin password hashed as Odoo 16+ does
#       (passlib pbkdf2_sha512, 600000 rounds) and written with an UPDATE.
#   lifecycle-loop.sh backup OUT_DIR FILESTORE_ROOT DB...
#       one Odoo-style zip per database, one after the other: pg_dump
#       --no-owner to dump.sql, the filestore (a link zip follows), a
#       manifest.json, then zip.
set -euo pipefail
cmd=$1
shift
case "$cmd" in
create | create-pw)
    new=$1 tmpl=$2 fs=$3
    psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "CREATE DATABASE \"$new\" ENCODING 'unicode' TEMPLATE \"$tmpl\""
    if [ -d "$fs/$tmpl" ]; then
        cp -al "$fs/$tmpl" "$fs/$new"
    fi
    if [ "$cmd" = create-pw ]; then
        python=$4
        hash=$("$python" -c "import sys
from passlib.hash import pbkdf2_sha512
print(pbkdf2_sha512.using(rounds=600000).hash(sys.stdin.readline().rstrip('\n')))")
        psql -X -q -v ON_ERROR_STOP=1 -d "$new" \
            -c "UPDATE res_users SET password = '$hash' WHERE id = 2"
    fi
    ;;
backup)
    out=$1 fs=$2
    shift 2
    for db in "$@"; do
        d=$(mktemp -d)
        pg_dump --no-owner -f "$d/dump.sql" "$db"
        if [ -d "$fs/$db" ]; then
            ln -s "$fs/$db" "$d/filestore" # zip follows the link
        fi
        printf '{"odoo_dump": "1", "db_name": "%s"}\n' "$db" >"$d/manifest.json"
        (cd "$d" && zip -q -r "$out/$db.zip" dump.sql manifest.json $([ -d filestore ] && echo filestore))
        rm -rf "$d"
    done
    ;;
*)
    echo "usage: $0 create|create-pw|backup ..." >&2
    exit 2
    ;;
esac
