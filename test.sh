#!/usr/bin/env bash
# Runs every test of every module, then prints one summary line counted from Surefire's reports.
# Extra arguments go to Maven (e.g. -pl local-model -am).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/java-env.sh
find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null
# (Maven 3.8 on JDK 25 prints stray colour-reset codes even in batch mode: strip them.)
mvn -q verify "$@" 2>&1 | sed -u -e 's/\x1b\[0m//g' -e '/^WARNING: Using incubator modules/d'
status=${PIPESTATUS[0]}
scripts/test-summary.sh
exit $status
