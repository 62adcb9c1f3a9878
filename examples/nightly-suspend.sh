#!/usr/bin/env bash
# Nightly cron job: suspend the tenants the billing system marks overdue, and
# mail the summary. The billing export is CSV: tenant,reason (one per line).
#
#   15 2 * * *  /opt/tenantctl/nightly-suspend.sh /srv/billing/overdue.csv ops@example.com
#
# Exit code: tenantctl's (0 all done, 3 some failed, 1 all failed, 2 bad input).
set -uo pipefail

export_csv=${1:?usage: nightly-suspend.sh OVERDUE.CSV [MAILTO]}
mailto=${2:-}
tenantctl=${TENANTCTL:-tenantctl}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# --yes: no terminal in cron; the second CSV column is the per-tenant reason;
# --reason covers lines without one.
"$tenantctl" bulk suspend --from "$export_csv" --reason "overdue invoice (nightly billing run)" \
    --yes -o json >"$out"
code=$?

summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(", ".join(f"{k}: {v}" for k, v in s.items()))' "$out" 2>/dev/null || echo "no summary (exit $code)")
# Every tenant not done: failed, refused (e.g. a name without its node while
# a node is down: see --skip-unreachable), skipped, unknown, ...
failed=$(python3 -c 'import json,sys; [print(r["tenant"], "-", r["outcome"] + ":", r["error"]) for r in json.load(open(sys.argv[1]))["results"] if r["outcome"] not in ("changed", "unchanged")]' "$out" 2>/dev/null)

report="tenantctl nightly suspension, $(date -u +%FT%TZ): $summary"
if [ -n "$failed" ]; then
    report+=$'\n\nNot done:\n'"$failed"
fi
echo "$report"
if [ -n "$mailto" ] && command -v mail >/dev/null 2>&1; then
    printf '%s\n' "$report" | mail -s "tenantctl nightly suspension: $summary" "$mailto"
fi
exit "$code"
