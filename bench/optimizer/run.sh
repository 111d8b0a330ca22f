#!/usr/bin/env bash
# Optimizer benchmark: our samplers (Java, in-process: bench main SamplerBenchmark) against
# Optuna's TPESampler and random search (Python, optuna from PyPI) on the same functions
# (Branin, Hartmann6, Rosenbrock-4, a mixed prompt-tuning surface), then a Markdown table.
#
#   bench/optimizer/run.sh [SEEDS] [TRIALS]      # defaults: 20 seeds x 100 trials
#   SAMPLERS=auto,tpe bench/optimizer/run.sh 5   # a reduced run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seeds="${1:-20}" trials="${2:-100}"
samplers="${SAMPLERS:-auto,tpe,tpe-univariate,sobol,random}"
peers="${PEERS:-optuna-tpe,optuna-random}"
out="$here/results"
mkdir -p "$out"
source "$root/scripts/java-env.sh"

echo "== building the optimizer module" >&2
(cd "$root" && mvn -q -pl optimizer -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2)
cp="$root/optimizer/target/classes:$(cat "$root/optimizer/target/classpath.txt")"

venv="${OPTUNA_VENV:-$root/bench/optimizer/.venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import optuna' 2>/dev/null; then
  echo "== installing optuna into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q optuna
fi

echo "== checking that the Java and Python functions agree" >&2
java -cp "$cp" io.promptune.optimizer.benchmark.SamplerBenchmark --check > "$out/check-java.jsonl"
(cd "$here" && "$venv/bin/python" run_peers.py --check > "$out/check-python.jsonl")
"$venv/bin/python" - "$out/check-java.jsonl" "$out/check-python.jsonl" <<'PY'
import json, sys
a = [json.loads(l)["value"] for l in open(sys.argv[1])]
b = [json.loads(l)["value"] for l in open(sys.argv[2])]
assert len(a) == len(b) and all(abs(x - y) <= 1e-9 * max(1, abs(y)) for x, y in zip(a, b)), (a, b)
print("functions agree on %d points" % len(a), file=sys.stderr)
PY

echo "== ours: $samplers ($seeds seeds x $trials trials)" >&2
java -cp "$cp" io.promptune.optimizer.benchmark.SamplerBenchmark --seeds "$seeds" --trials "$trials" --samplers "$samplers" > "$out/ours.jsonl"
echo "== peers: $peers" >&2
(cd "$here" && "$venv/bin/python" run_peers.py --seeds "$seeds" --trials "$trials" --samplers "$peers" --out "$out/peers.jsonl")
"$venv/bin/python" "$here/summarize.py" "$out/ours.jsonl" "$out/peers.jsonl" > "$out/table.md"
cat "$out/table.md"
