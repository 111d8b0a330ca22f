#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh machine (idempotent).
set -euo pipefail
need=()
command -v mvn >/dev/null || need+=(maven)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
