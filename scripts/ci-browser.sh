#!/usr/bin/env bash
# Prepares the report's browser test (idempotent): Debian's chromium and the pinned playwright-core
# from npm (never a browser download). After this, reports' BrowserReportTest runs instead of
# skipping. Usage: bash scripts/ci-browser.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
dir=reports/src/test/browser
# npm ci only when the lock file changed since the last install
stamp="$dir/node_modules/.promptune-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
echo "browser test ready: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), playwright-core $(node -p "require('./$dir/node_modules/playwright-core/package.json').version")"
