#!/usr/bin/env bash
# Runs every test of every module. Extra arguments go to Maven (e.g. -pl local-model).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/java-env.sh
exec mvn -q verify "$@"
