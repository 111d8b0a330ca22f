#!/usr/bin/env bash
# Installs the build tools a fresh machine may lack (Maven; python3 with pip for the default model).
# Idempotent: does nothing when they are present. Needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v mvn >/dev/null || need+=(maven)
command -v python3 >/dev/null || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if ((${#need[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  echo "Installing ${need[*]} with apt-get ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
