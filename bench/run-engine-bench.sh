#!/usr/bin/env bash
# Side-by-side engine benchmark: `promptune bench --json` and llama.cpp (llama-cpp-python, from PyPI)
# on the same GGUF files in the same run, then a dated table with ratios appended to bench/RESULTS.md.
#
# usage: bench/run-engine-bench.sh [--threads 2] [--batch 1,4,8,16] [--reps 3] [--rounds 2] MODEL.gguf...
#        (no files: the default model, ~/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf)
# Build first (mvn -q package -DskipTests). Runs take minutes per file; run on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 batch="1,4,8,16" reps=3 rounds=2 files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
[[ ${#files[@]} -gt 0 ]] || files=("$HOME/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf")
bash "$here/bench/peers/install-llamacpp.sh" "${files[0]}"
source "$here/scripts/java-env.sh"
out="$here/bench/RESULTS.md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

bandwidth="$("$JAVA_HOME/bin/java" "$here/bench/tools/ReadBandwidth.java" "$threads" 512)"
rows=()
for f in "${files[@]}"; do
  name="$(basename "$f")"
  batch_args=()
  [[ -n "$batch" ]] && batch_args=(--batch "$batch")
  # Rounds alternate the engines (ours, llama.cpp, ours, ...): this shared host has slow phases lasting minutes,
  # and each engine keeps its best round, so a slow phase cannot land on one engine only.
  for ((round = 1; round <= rounds; round++)); do
    echo "== $name: promptune (round $round/$rounds)" >&2
    "$here/promptune" bench --model "$f" --threads "$threads" "${batch_args[@]}" --reps "$reps" --json > "$tmp/ours.$round.json"
    # bench warns on stderr too; the table names the round (its figures are the JIT's bad luck, not the engine)
    if grep -q '"boxed_suspect":true' "$tmp/ours.$round.json"; then boxed="${boxed:-} $name round $round;"; fi
    echo "== $name: llama.cpp (round $round/$rounds)" >&2
    python3 "$here/bench/peers/llamacpp_bench.py" "$f" --threads "$threads" "${batch_args[@]}" --reps "$reps" > "$tmp/peer.$round.json" 2>/dev/null
  done
  for engine in ours peer; do
    python3 - "$tmp/$engine".*.json > "$tmp/$engine.json" <<'PY'
import json, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
def best(key, values):  # throughput: highest; CPU per token: lowest; memory: highest (the honest peak)
    if key.endswith("cpu_ms_per_token"): return min(values)
    return max(values)
out = dict(runs[0])
for key, v in runs[0].items():
    if isinstance(v, (int, float)) and not isinstance(v, bool) and key not in ("threads",):
        out[key] = best(key, [r[key] for r in runs if key in r])
    elif isinstance(v, dict):
        out[key] = {n: best(key, [r[key][n] for r in runs if n in r.get(key, {})]) for n in v}
print(json.dumps(out))
PY
  done
  rows+=("$(python3 - "$tmp/ours.json" "$tmp/peer.json" "$name" "$f" "$bandwidth" <<'PY'
import json, os, sys
ours, peer = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
name, path, bw = sys.argv[3], sys.argv[4], float(sys.argv[5])
def cell(key):
    a, b = ours.get(key), peer.get(key)
    return f"{a:.1f} / {b:.1f} (**{a / b:.2f}x**)" if a and b else "-"
def cpu(key):  # lower is better: ratio = llama.cpp cpu / ours
    a, b = ours.get(key), peer.get(key)
    return f"{a:.1f} / {b:.1f} (**{b / a:.2f}x**)" if a and b else "-"
agg = " · ".join(f"N={n}: {ours.get('aggregate_tps', {}).get(n, 0):.1f} / {v:.1f} (**{ours.get('aggregate_tps', {}).get(n, 0) / v:.2f}x**)"
                 for n, v in peer.get("aggregate_tps", {}).items())
def agg_cpu_cell(n, v):  # lower is better: ratio = llama.cpp cpu / ours
    a = ours.get("aggregate_cpu_ms_per_token", {}).get(n)
    return f"N={n}: {a:.1f} / {v:.1f} (**{v / a:.2f}x**)" if a and v else f"N={n}: -"
agg_cpu = " · ".join(agg_cpu_cell(n, v) for n, v in peer.get("aggregate_cpu_ms_per_token", {}).items())
size = os.path.getsize(path)
bound = bw * 1e9 / size  # tokens/s if every weight byte is read once per token at the measured bandwidth
kv = f", our KV at most {ours['kv_cache_bytes'] / 2**20:.0f} MiB" if ours.get('kv_cache_bytes') else ""
# many collections mean a kernel compile boxed its vectors (a slow round): docs/dev-notes/speed.md
gcs = f"; our GCs while measuring, most in a round: {ours['gc_collections']}" if 'gc_collections' in ours else ""
if 'alloc_bytes_per_token' in ours:  # bench's boxed-compile verdict, the worst round's heap bytes per token
    gcs += f", heap {ours['alloc_bytes_per_token'] / 1e6:.2f} MB/token"
mem = f"{ours.get('peak_rss_bytes', 0) / 2**20:.0f} / {peer.get('peak_rss_bytes', 0) / 2**20:.0f} MiB (file {size / 2**20:.0f} MiB{kv}{gcs})"
print(f"| {name} | {cell('prefill_tps')} | {cell('decode_tps')} | {cpu('prefill_cpu_ms_per_token')} | {cpu('decode_cpu_ms_per_token')} "
      f"| {ours.get('decode_tps', 0) / bound:.0%} / {peer.get('decode_tps', 0) / bound:.0%} of {bound:.0f} | {agg or '-'} | {agg_cpu or '-'} | {mem} |")
PY
)")
done

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): promptune vs llama.cpp, $threads threads"
  echo
  echo "Command: \`bench/run-engine-bench.sh --threads $threads --batch $batch --reps $reps --rounds $rounds ${files[*]}\`"
  echo "(pp128 / tg64${batch:+, batches of $batch sequences with 128-token prompts and 32 new tokens each}; median of $reps runs after a warm-up;"
  echo "$rounds rounds alternating the engines, each engine's best round per figure: highest tokens/s, lowest CPU ms, highest RSS)."
  echo "Each cell is promptune / llama.cpp (ratio, > 1 means promptune is better). CPU ms per token counts all threads"
  echo "(spinning included) and stays comparable when the machine is busy; tokens/s do not."
  echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg). Measured read bandwidth ($threads threads): ${bandwidth} GB/s;"
  echo "the decode bound is that bandwidth over the file size (every weight byte read once per token)."
  echo "llama.cpp: llama-cpp-python $(python3 -c 'import llama_cpp; print(llama_cpp.__version__)'), built with:"
  echo "\`$(python3 -c 'import llama_cpp; print(llama_cpp.llama_print_system_info().decode().strip())' 2>/dev/null)\`."
  echo "promptune's kernels: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("vector_bits", 256))' "$tmp/ours.1.json")-bit vectors."
  echo
  echo '```'
  lscpu | head -20 | grep -E 'Model name|^CPU\(s\)|Thread|L2|L3|Flags' | cut -c1-160
  echo '```'
  echo
  echo "| file | prompt tokens/s | decode tokens/s | prompt CPU ms/token | decode CPU ms/token | decode vs bandwidth bound (tokens/s) | batched decode, aggregate tokens/s | batched decode, CPU ms/token | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [[ -n "${boxed:-}" ]]; then
    echo
    echo "**WARNING: boxed vector compile suspected (bench's boxed_suspect) in:$boxed those rounds' figures are not the engine's speed; rerun.**"
  fi
} >> "$out"
if [[ -n "${boxed:-}" ]]; then echo "WARNING: boxed vector compile suspected in:$boxed" >&2; fi
echo "appended to $out" >&2
