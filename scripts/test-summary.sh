#!/usr/bin/env bash
# Prints "tests: N passed, N failed, N skipped" from every module's Surefire XML reports.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
total=0; failed=0; skipped=0
while IFS= read -r line; do
  t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$line")
  f=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$line")
  e=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$line")
  s=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$line")
  total=$((total + ${t:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
done < <(grep -h -o '<testsuite [^>]*>' */target/surefire-reports/TEST-*.xml 2>/dev/null)
echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
