#!/usr/bin/env bash
# End to end on built-in eval sets (issue 6): examples scored per second through Promptune's trial path
# (ConfigurationEvaluator -> LocalEngineModel: chat template, batches, prefix cache, metric scoring) vs a
# sequential llama.cpp loop (llama-cpp-python, one request at a time) on byte-identical prompts (the Java
# side writes the rendered prompt text and token ids; the peer checks its own tokenization against them),
# same max tokens, greedy, same threads, in the same run. Then the prefix-reuse saving with a few-shot
# template (prefix cache on vs off), and a tuning run: 8 trials (zero-shot and few-shot templates, temperature
# 0 / 0.7, top_p 1 / 0.9) over the same examples, ours in one engine vs the same requests one at a time through
# llama.cpp. Appends a dated table to bench/RESULTS.md.
#
# usage: bench/e2e/run.sh [--threads "1 2"] [--sets sentiment,extraction,arithmetic,summary] [--limit 32]
#                         [--batch 8] [--shots 0] [--prefix-set sentiment|none] [--few-shot 3]
#                         [--tuning-set sentiment|none] [--model FILE]
# Build first: mvn -q -o -pl cli -am package -DskipTests. Takes ~5-15 minutes per thread count on 2 busy cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
threads_list="1 2" sets="sentiment,extraction,arithmetic,summary" limit=32 batch=8 shots=0
prefix_set=sentiment tuning_set=sentiment few_shot=3 model="$HOME/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads_list="$2"; shift 2 ;;
    --sets) sets="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --shots) shots="$2"; shift 2 ;;
    --prefix-set) prefix_set="$2"; shift 2 ;;
    --few-shot) few_shot="$2"; shift 2 ;;
    --tuning-set) tuning_set="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
bash "$here/bench/peers/install-llamacpp.sh" "$model"
source "$here/scripts/java-env.sh"
jar="$here/cli/target/promptune-all.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -o -pl cli -am package -DskipTests" >&2; exit 3; }
bench() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:PerMethodTrapLimit=100000 -cp "$jar" \
            "$here/bench/e2e/E2eBench.java" "$@" 2> >(grep -v -e 'incubat' -e '^1 warning' >&2); }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for t in $threads_list; do
  for set in ${sets//,/ }; do
    d="$tmp/$set-$t"
    echo "== $set, $t thread(s): promptune" >&2
    bench e2e --out "$d" --set "$set" --limit "$limit" --threads "$t" --batch "$batch" --shots "$shots" --model "$model" >/dev/null
    echo "== $set, $t thread(s): llama.cpp" >&2
    python3 "$here/bench/e2e/llamacpp_peer.py" "$model" "$d/prompts.jsonl" "$d/peer.jsonl" --threads "$t" > "$d/peer-summary.json"
    rows+=("$(bench compare --out "$d" --set "$set")")
    echo "${rows[-1]}" >&2
  done
done
prefix_row=""
if [[ "$prefix_set" != none ]]; then
echo "== prefix reuse: $prefix_set, $few_shot-shot" >&2
pt="${threads_list%% *}"
bench prefix --out "$tmp/prefix" --set "$prefix_set" --limit "$limit" --threads "$pt" --batch "$batch" --few-shot "$few_shot" \
  --model "$model" >/dev/null
prefix_row="$(python3 - "$tmp/prefix/prefix-summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
w, wo, rep = s["with_reuse"], s["without_reuse"], s["repeat_trial"]
def computed(x): return x["local_prompt_tokens"] - x["local_prompt_tokens_reused"]
print(f"| {w['set']} | {w['shots']} | {w['threads']} | {w['examples']} | {w['local_prompt_tokens']} | {computed(w)} / {computed(wo)} "
      f"(**{1 - computed(w) / computed(wo):.0%} fewer**) | {w['wall_s']:.1f} / {wo['wall_s']:.1f} s | {w['cpu_s']:.1f} / {wo['cpu_s']:.1f} s "
      f"(**{1 - w['cpu_s'] / wo['cpu_s']:.0%} less**) | {computed(rep)} tokens, {rep['cpu_s']:.1f} CPU s | {s['same_outputs']} of {s['examples']} |")
PY
)"
echo "$prefix_row" >&2
fi
tuning_row=""
if [[ "$tuning_set" != none ]]; then
  pt="${threads_list%% *}"
  echo "== tuning run: $tuning_set, 8 trials: promptune" >&2
  bench tuning --out "$tmp/tuning" --set "$tuning_set" --limit "$limit" --threads "$pt" --batch "$batch" --few-shot "$few_shot" \
    --model "$model" >/dev/null
  echo "== tuning run: $tuning_set, 8 trials: llama.cpp" >&2
  python3 "$here/bench/e2e/llamacpp_peer.py" "$model" "$tmp/tuning/prompts.jsonl" "$tmp/tuning/peer.jsonl" --threads "$pt" \
    > "$tmp/tuning/peer-summary.json"
  tuning_row="$(python3 - "$tmp/tuning/tuning-summary.json" "$tmp/tuning/peer-summary.json" <<'PY'
import json, sys
o, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
computed = o["local_prompt_tokens"] - o["local_prompt_tokens_reused"]
print(f"| {o['set']} | {o['trials']} x {o['examples_per_trial']} | 0 / {o['few_shot']} | {o['threads']} | {o['examples_per_s']:.3f} / {p['examples_per_s']:.3f} "
      f"(**{o['examples_per_s'] / p['examples_per_s']:.2f}x**) | {o['examples_per_cpu_s']:.3f} / {p['examples_per_cpu_s']:.3f} "
      f"(**{o['examples_per_cpu_s'] / p['examples_per_cpu_s']:.2f}x**) | {o['local_generated_tokens']} / {p['output_tokens']} "
      f"| {computed} of {o['local_prompt_tokens']} | {min(o['trial_scores']):.3f}-{max(o['trial_scores']):.3f} |")
PY
)"
  echo "$tuning_row" >&2
fi
{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): end to end, examples scored per second (bench/e2e)"
  echo
  echo "Command: \`bench/e2e/run.sh --threads \"$threads_list\" --sets $sets --limit $limit --batch $batch --shots $shots --prefix-set $prefix_set --few-shot $few_shot --tuning-set $tuning_set\`"
  echo "Model: $(basename "$model"). Commit: $(git -C "$here" rev-parse --short HEAD). Load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Machine: $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(nproc) CPUs, shared with other work while measuring."
  echo "Each set: the built-in template, examples ${limit} after 8 untimed warm-up examples, greedy, the set's max tokens"
  echo "(sentiment 8, extraction 48, arithmetic 24, summary 48). Promptune = ConfigurationEvaluator (a trial's code path:"
  echo "render, completeBatch in batches of $batch, metric) over LocalEngineModel; llama.cpp = llama-cpp-python $(python3 -c 'import llama_cpp; print(llama_cpp.__version__)'),"
  echo "one create_completion at a time on the same token ids (its own tokenization of the text was checked equal), which"
  echo "reuses the previous prompt's KV prefix (one slot). Cells are promptune / llama.cpp; ratio > 1 means promptune is faster."
  echo "Examples per CPU-second counts all threads of the process (llama.cpp's spin-waiting included) and is the fair"
  echo "per-core figure on a busy machine; examples per second is wall clock."
  echo
  echo "\"Next trial\": ours only, the same examples again with the same template and other decoding parameters (top_p 0.9,"
  echo "inert at temperature 0), as the next trial of a tuning run sees them: the prompts are still in the prefix cache."
  echo "It is compared with the same llama.cpp loop (which keeps only the last prompt, so its next trial costs what the first did)."
  echo
  echo "| set | shots | threads | batch | examples/s | examples per CPU-s | generated tokens | same greedy output | mean score | prompt tokens reused (ours) | next trial: examples/s / per CPU-s (ratio to llama.cpp) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [[ -n "$prefix_row" ]]; then
  echo
  echo "Prefix reuse (promptune, the same evaluation with the prefix cache on / off; \"repeat trial\" = the same prompts again"
  echo "with the cache warm, as the next trial with the same template sees them):"
  echo
  echo "| set | shots | threads | examples | prompt tokens | tokens computed, reuse on / off | wall, on / off | CPU, on / off | repeat trial | same outputs on/off |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "$prefix_row"
  fi
  if [[ -n "$tuning_row" ]]; then
  echo
  echo "Tuning run (the end-to-end workload of issue 6: one study's trials over the same examples): 8 trials, zero-shot"
  echo "and $few_shot-shot templates interleaved, temperature 0 / 0.7, top_p 1 / 0.9, top_k 40, seed 1234, the set's max tokens;"
  echo "promptune = one engine evaluating the trials one after another (ConfigurationEvaluator, batches of $batch, prefix"
  echo "cache on, as \`promptune tune\` runs them); llama.cpp = the same requests (same token ids and sampling parameters)"
  echo "one at a time. Generated tokens differ where sampling does (different random streams)."
  echo
  echo "| set | trials x examples | shots | threads | examples scored/s | examples per CPU-s | generated tokens | prompt tokens computed (ours) | mean score per trial (ours) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "$tuning_row"
  fi
} >> "$here/bench/RESULTS.md"
echo "appended to $here/bench/RESULTS.md" >&2
