#!/usr/bin/env bash
# CI smoke check before a deploy: every node reachable, authenticated, and the
# role able to do what passwd/suspend/reactivate need. Changes nothing.
# Prints one line per problem; exit 0 all good, 3 some nodes bad, 1 all bad.
#
#   - name: fleet smoke check
#     run: examples/ci-smoke-check.sh
set -euo pipefail
tenantctl=${TENANTCTL:-tenantctl}
"$tenantctl" ${TENANTCTL_SELECT:-} check -q
