#!/usr/bin/env bash
# Side-by-side engine benchmark: `promptune bench --json` and llama.cpp (llama-cpp-python, from PyPI)
# on the same GGUF files in the same run, then a dated table with ratios appended to bench/RESULTS.md.
#
# usage: bench/run-engine-bench.sh [--threads 2] [--batch 1,4,8,16] [--reps 3] MODEL.gguf...
#        (no files: the default model, ~/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf)
# Build first (mvn -q package -DskipTests). Runs take minutes per file; run on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 batch="1,4,8,16" reps=3 files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
[[ ${#files[@]} -gt 0 ]] || files=("$HOME/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf")
if ! python3 -c "import llama_cpp" 2>/dev/null; then
  echo "installing llama-cpp-python from PyPI (builds llama.cpp from source; takes a while)" >&2
  python3 -m pip install --quiet llama-cpp-python
fi
source "$here/scripts/java-env.sh"
out="$here/bench/RESULTS.md"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

bandwidth="$("$JAVA_HOME/bin/java" "$here/bench/tools/ReadBandwidth.java" "$threads" 512)"
rows=()
for f in "${files[@]}"; do
  name="$(basename "$f")"
  echo "== $name: promptune" >&2
  batch_args=()
  [[ -n "$batch" ]] && batch_args=(--batch "$batch")
  "$here/promptune" bench --model "$f" --threads "$threads" "${batch_args[@]}" --reps "$reps" --json > "$tmp/ours.json"
  echo "== $name: llama.cpp" >&2
  python3 "$here/bench/peers/llamacpp_bench.py" "$f" --threads "$threads" "${batch_args[@]}" --reps "$reps" > "$tmp/peer.json" 2>/dev/null
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
mem = f"{ours.get('peak_rss_bytes', 0) / 2**20:.0f} / {peer.get('peak_rss_bytes', 0) / 2**20:.0f} MiB (file {size / 2**20:.0f} MiB)"
print(f"| {name} | {cell('prefill_tps')} | {cell('decode_tps')} | {cpu('prefill_cpu_ms_per_token')} | {cpu('decode_cpu_ms_per_token')} "
      f"| {ours.get('decode_tps', 0) / bound:.0%} / {peer.get('decode_tps', 0) / bound:.0%} of {bound:.0f} | {agg or '-'} | {agg_cpu or '-'} | {mem} |")
PY
)")
done

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): promptune vs llama.cpp, $threads threads"
  echo
  echo "Command: \`bench/run-engine-bench.sh --threads $threads --batch $batch --reps $reps ${files[*]}\`"
  echo "(pp128 / tg64${batch:+, batches of $batch sequences with 128-token prompts and 32 new tokens each}; median of $reps runs after a warm-up)."
  echo "Each cell is promptune / llama.cpp (ratio, > 1 means promptune is better). CPU ms per token counts all threads"
  echo "(spinning included) and stays comparable when the machine is busy; tokens/s do not."
  echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg). Measured read bandwidth ($threads threads): ${bandwidth} GB/s;"
  echo "the decode bound is that bandwidth over the file size (every weight byte read once per token)."
  echo
  echo '```'
  lscpu | head -20 | grep -E 'Model name|^CPU\(s\)|Thread|L2|L3|Flags' | cut -c1-160
  echo '```'
  echo
  echo "| file | prompt tokens/s | decode tokens/s | prompt CPU ms/token | decode CPU ms/token | decode vs bandwidth bound (tokens/s) | batched decode, aggregate tokens/s | batched decode, CPU ms/token | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >> "$out"
echo "appended to $out" >&2
