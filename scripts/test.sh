#!/usr/bin/env bash
# The project's test command: installs what a fresh Debian machine lacks for the
# integration tests (PostgreSQL server binaries, OpenSSH server, PgBouncer, a Python venv with
# passlib as the password-hash oracle), then runs `cargo test --locked "$@"` and prints the
# slowest tests (TC_SLOWEST of them, default 15).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Same search order as tests/integration/harness.rs (pg_bindir).
have_initdb() {
    if command -v initdb >/dev/null 2>&1; then
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        local bindir
        bindir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$bindir" ] && [ -x "$bindir/initdb" ]; then
            return 0
        fi
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "scripts/test.sh: need root to run: $*" >&2
        return 1
    fi
}

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
have_initdb || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)   # promtool: health -o prometheus is checked with it
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "scripts/test.sh: installing ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! .venv/bin/python -c 'import passlib' >/dev/null 2>&1; then
    echo "scripts/test.sh: creating .venv with passlib" >&2
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check 'passlib==1.7.4'
fi

# Each test's wall time (recorded by tests/integration/timing.rs into this
# file); the slowest are printed at the end, pass or fail, so the next slow
# one is seen.
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
times="$(cd "$target" && pwd)/test-times.tsv"
: > "$times"
status=0
TC_TEST_TIMES="$times" cargo test --locked "$@" || status=$?
if [ -s "$times" ]; then
    echo
    echo "scripts/test.sh: slowest tests (seconds, wall time; tests run in parallel):"
    sort -t$'\t' -k1,1 -rn "$times" | head -n "${TC_SLOWEST:-15}" | awk -F'\t' '{ printf "%8s  %s\n", $1, $2 }'
fi
exit "$status"
