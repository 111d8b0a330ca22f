#!/usr/bin/env bash
# Runs every test of every module, then prints one summary line counted from Surefire's reports.
# Extra arguments go to Maven (e.g. -pl local-model -am).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/java-env.sh
find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null
pt_mvn verify "$@"
status=$?
scripts/test-summary.sh
exit $status
