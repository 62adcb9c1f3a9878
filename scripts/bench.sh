#!/usr/bin/env bash
# The fleet benchmark (benches/fleet/) on a fresh machine: installs what it
# needs and the machine lacks (PostgreSQL server and client, OpenSSH server,
# a Python venv with passlib), then runs
#   cargo bench --bench fleet -- "$@"
# Without arguments: the run of docs/performance-summary.md (4 nodes, 1000 tenants, 3 runs, x1 x2 x4).
# Runs as root (CI does); PostgreSQL then runs as the `postgres` OS user.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "scripts/bench.sh: need root to run: $*" >&2
        return 1
    fi
}

have_initdb() {
    command -v initdb >/dev/null 2>&1 && return 0
    if command -v pg_config >/dev/null 2>&1; then
        local bindir
        bindir="$(pg_config --bindir 2>/dev/null || true)"
        [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && return 0
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
have_initdb || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "scripts/bench.sh: installing ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! .venv/bin/python -c 'import passlib' >/dev/null 2>&1; then
    echo "scripts/bench.sh: creating .venv with passlib" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check 'passlib==1.7.4'
fi

if [ "$#" -eq 0 ]; then
    set -- --nodes 4 --tenants 1000 --runs 3 --scale 1,2,4
fi
exec cargo bench --locked --bench fleet -- "$@"
