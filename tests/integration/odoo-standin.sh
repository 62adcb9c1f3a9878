#!/bin/sh
# A stand-in for `odoo-bin -u` (issue 27's tests): does to the database what
# `-u` does according to odoo-facts §9, or fails as Odoo can.
#   sh odoo-standin.sh PSQL SOCKET_DIR PORT FILESTORE_ROOT <odoo-bin arguments>
# Mode (environment TC_STANDIN_MODE):
#   ok           new versions, a schema change, a new attachment file, exit 0
#   fail         half the change applied, modules left `to upgrade`, an ERROR line, exit 1
#   exit0-pending  modules left `to upgrade` (module code missing), exit 0
#   exit0-error  the change applied, an ERROR line (a NOT NULL not applied), exit 0
#   hang         a long statement on the database, then sleeps (killed by the deadline)
# TC_STANDIN_PIDFILE: where to write its pid. TC_STANDIN_ARGS: where to
# write the arguments it got, one per line. TC_STANDIN_LISTDBS: where to
# write what the running Odoo's `list_dbs` (its cron workers, database
# selector and routing; odoo/service/db.py, 13 to 19) returns meanwhile.
# Like Odoo 13, it fails with MemoryError when given `--limit-memory-hard 0`
# on a 13 database (13 applies a 0 limit as it is; real 13.0 seen so).
# TC_STANDIN_VERSIONS: a file of
# `module version` lines: mode `ok` sets each upgraded module listed there to
# that version (its manifest's) and leaves the others as they were (a module
# whose code Odoo did not find), instead of appending `.1`.
psql=$1 sock=$2 port=$3 fsroot=$4
shift 4
[ -n "$TC_STANDIN_PIDFILE" ] && echo $$ > "$TC_STANDIN_PIDFILE"
[ -n "$TC_STANDIN_ARGS" ] && printf '%s\n' "$@" > "$TC_STANDIN_ARGS"
db= mods= stop= mem=
while [ $# -gt 0 ]; do
  case $1 in
    -d) db=$2; shift ;;
    -u) mods=$2; shift ;;
    --limit-memory-hard) mem=$2; shift ;;
    --stop-after-init) stop=1 ;;
  esac
  shift
done
[ -n "$db" ] && [ -n "$mods" ] && [ -n "$stop" ] || { echo "usage: -d DB -u MODS --stop-after-init" >&2; exit 2; }
# TC_STANDIN_FAIL_FOR=NAME: fail (mode `fail`) on the copy of tenant NAME only.
case $db in "$TC_STANDIN_FAIL_FOR".upgrading-*) [ -n "$TC_STANDIN_FAIL_FOR" ] && TC_STANDIN_MODE=fail ;; esac
log() { printf '%s 4242 %s %s %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S,000')" "$1" "$db" "$2" >&2; }
sql() { "$psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" -c "$1" >/dev/null; }
if [ "$mods" = all ]; then
  where="state = 'installed'"
else
  where="name = ANY(string_to_array('$mods', ','))"
fi
# TC_STANDIN_ALSO=a,b: modules upgraded too (they depend on a requested one).
[ -n "$TC_STANDIN_ALSO" ] && where="($where) OR name = ANY(string_to_array('$TC_STANDIN_ALSO', ','))"
q() { "$psql" -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres "$@"; }
if [ -n "$TC_STANDIN_LISTDBS" ]; then
  # psql interpolates variables in a script read from stdin.
  printf '%s\n' "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = :'db' \\gset" \
    'SET ROLE :"owner";' \
    "select datname from pg_database where datdba=(select usesysid from pg_user where usename=current_user) and not datistemplate and datallowconn and datname not in ('postgres', 'template0') order by datname;" |
    q -d postgres -v db="$db" > "$TC_STANDIN_LISTDBS"
fi
if [ "$mem" = 0 ] && [ "$(q -d "$db" -c "SELECT split_part(latest_version, '.', 1) FROM ir_module_module WHERE name = 'base'")" = 13 ]; then
  log CRITICAL "odoo.service.server: Failed to initialize database \`$db\`."
  echo "MemoryError" >&2
  exit 255
fi
# TC_STANDIN_MEET=DIR: each run marks itself running in DIR, waits up to
# 3 s for a second run to be there too, and appends how many it saw
# running to DIR/seen (how many Odoo runs tenantctl had going at once).
if [ -n "$TC_STANDIN_MEET" ]; then
  running() { ls "$TC_STANDIN_MEET" | grep -c '\.running$'; }
  touch "$TC_STANDIN_MEET/$db.running"
  i=0
  while [ $i -lt 30 ] && [ "$(running)" -lt 2 ]; do sleep 0.1; i=$((i+1)); done
  running >> "$TC_STANDIN_MEET/seen"
  rm "$TC_STANDIN_MEET/$db.running"
fi
log INFO "odoo.modules.loading: loading 1 modules..."
case ${TC_STANDIN_MODE:-ok} in
  ok|exit0-error)
    set_versions="UPDATE ir_module_module SET latest_version = latest_version || '.1' WHERE $where;"
    if [ -n "$TC_STANDIN_VERSIONS" ]; then
      set_versions=
      while read -r m v; do
        set_versions="$set_versions UPDATE ir_module_module SET latest_version = '$v' WHERE name = '$m' AND $where;"
      done < "$TC_STANDIN_VERSIONS"
    fi
    # Odoo processes every pending module as it starts (--continue).
    sql "UPDATE ir_module_module SET state = 'installed' WHERE state IN ('to upgrade', 'to install');
         DELETE FROM ir_config_parameter WHERE key = 'base.partially_updated_database'"
    sql "$set_versions
         CREATE TABLE standin_upgraded (id serial PRIMARY KEY, note text);
         INSERT INTO standin_upgraded (note) VALUES ('upgraded')"
    mkdir -p "$fsroot/$db/ff"
    printf 'new attachment\n' > "$fsroot/$db/ff/ff00000000000000000000000000000000000001"
    [ "${TC_STANDIN_MODE:-ok}" = exit0-error ] && log ERROR "odoo.schema: Table 'res_partner': unable to set NOT NULL on column 'x'"
    log INFO "odoo.modules.loading: Modules loaded."
    exit 0 ;;
  fail)
    sql "CREATE TABLE standin_half (id int); UPDATE ir_module_module SET state = 'to upgrade' WHERE $where"
    log ERROR "odoo.modules.registry: Failed to load registry"
    printf '%s\n' 'Traceback (most recent call last):' '  File "odoo/modules/migration.py", line 189, in migrate_module' 'Exception: standin: a migration raised' >&2
    log CRITICAL "odoo.service.server: Failed to initialize database \`$db\`."
    exit 1 ;;
  exit0-pending)
    sql "UPDATE ir_module_module SET state = 'to upgrade' WHERE $where"
    log WARNING "odoo.modules.loading: Some modules have inconsistent states"
    exit 0 ;;
  hang)
    log INFO "odoo.modules.migration: running a long migration"
    "$psql" -X -q -h "$sock" -p "$port" -U postgres -d "$db" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
    sleep 600
    exit 0 ;;
esac
echo "unknown TC_STANDIN_MODE" >&2
exit 2
