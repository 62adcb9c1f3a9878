#!/usr/bin/env bash
# Regenerates a section of docs/performance.md from the fleet benchmark's own
# output: runs scripts/bench.sh with the arguments below (or those given) and
# puts its stdout (Markdown) between the section's markers, with the command
# that produced it. Progress goes to stderr.
#   scripts/perf-doc.sh [ARGS]              <!-- fleet-issue17:begin/end -->
#   scripts/perf-doc.sh --lifecycle [ARGS]  <!-- fleet-lifecycle:begin/end -->
#     (create, duplicate, backup, bulk backup: benches/fleet/lifecycle.rs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
section=issue17
if [ "${1:-}" = --lifecycle ]; then
    section=lifecycle
elif [ "$#" -eq 0 ]; then
    set -- --nodes 2 --tenants 200 --runs 1 --no-breakdown --sized --latency 0,5,25 --latency-only
fi
out=$(mktemp)
trap 'rm -f "$out" "$out.doc"' EXIT
bash scripts/bench.sh "$@" >"$out"
python3 - "$out" "$*" "$section" <<'PY'
import sys
out, args, section = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
p = 'docs/performance.md'
doc = open(p).read()
b, e = f'<!-- fleet-{section}:begin -->', f'<!-- fleet-{section}:end -->'
if b not in doc:
    doc = doc.rstrip('\n') + f'\n\n{b}\n{e}\n'
i, j = doc.index(b) + len(b), doc.index(e)
body = f"\n\nProduced by `bash scripts/perf-doc.sh {args}` = `bash scripts/bench.sh {args}`\n(`cargo bench --bench fleet -- {args}`), its stdout verbatim:\n\n{out.rstrip()}\n\n"
open(p, 'w').write(doc[:i] + body + doc[j:])
PY
echo "scripts/perf-doc.sh: wrote $(pwd)/docs/performance.md (section fleet-$section)" >&2
