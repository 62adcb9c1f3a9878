#!/usr/bin/env bash
# Regenerates the issue-17 section of docs/performance.md from the fleet
# benchmark's own output: runs scripts/bench.sh with the arguments below (or
# those given) and puts its stdout (Markdown) between the markers
#   <!-- fleet-issue17:begin --> and <!-- fleet-issue17:end -->
# with the command that produced it. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "$#" -eq 0 ]; then
    set -- --nodes 2 --tenants 200 --runs 1 --no-breakdown --sized --latency 0,5,25 --latency-only
fi
out=$(mktemp)
trap 'rm -f "$out" "$out.doc"' EXIT
bash scripts/bench.sh "$@" >"$out"
python3 - "$out" "$*" <<'PY'
import sys
out, args = open(sys.argv[1]).read(), sys.argv[2]
p = 'docs/performance.md'
doc = open(p).read()
b, e = '<!-- fleet-issue17:begin -->', '<!-- fleet-issue17:end -->'
i, j = doc.index(b) + len(b), doc.index(e)
body = f"\n\nProduced by `bash scripts/perf-doc.sh` = `bash scripts/bench.sh {args}`\n(`cargo bench --bench fleet -- {args}`), its stdout verbatim:\n\n{out.rstrip()}\n\n"
open(p, 'w').write(doc[:i] + body + doc[j:])
PY
echo "scripts/perf-doc.sh: wrote $(pwd)/docs/performance.md (section fleet-issue17)" >&2
