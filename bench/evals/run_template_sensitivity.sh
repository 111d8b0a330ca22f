#!/usr/bin/env bash
# Generates outputs of the default model on every built-in set under three configurations with
# llama.cpp (template_sensitivity.py, needs `pip install llama-cpp-python`), then scores them with
# `promptune score` and each set's own metric. Prints one line per set and configuration.
# Usage: bench/evals/run_template_sensitivity.sh [OUT_DIR] [--limit N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$here/bench/evals/out}"; shift || true
python3 "$here/bench/evals/template_sensitivity.py" "$out" "$@"
declare -A metric=(
  [sentiment]="--metric choice --option labels=positive,negative,neutral"
  [extraction]="--metric json_field_match"
  [arithmetic]="--metric numeric"
  [summary]="--metric rouge_l")
for set in sentiment extraction arithmetic summary; do
  for cfg in good_greedy bare_greedy good_t1.5; do
    f="$out/$set.$cfg.jsonl"
    [[ -f "$f" ]] || continue
    # shellcheck disable=SC2086
    "$here/promptune" score ${metric[$set]} --no-details --predictions "$f" \
      | python3 -c "import json,sys; j=json.load(sys.stdin); print(f\"$set $cfg: mean {j['mean']:.3f} 95% CI [{j['ci95'][0]:.3f}, {j['ci95'][1]:.3f}] n={j['n']}\")"
  done
done
