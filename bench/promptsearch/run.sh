#!/usr/bin/env bash
# Prompt search vs choosing among the user's templates, at the same trial budget, with the default
# model (SmolLM2-135M-Instruct Q4_1 on the local engine). For each built-in set, two studies share
# the dataset split, the baseline, the decoding space and the budget:
#   templates: the user's templates (the built-in one and a plain one) + temperature
#   search:    the same + few-shot (0..3; random/nearest/bootstrapped), proposed instructions
#              (the same default model proposes: no other model is available offline), template parts
# Then compare.py pairs the two bests' held-out scores example by example.
# Usage: bench/promptsearch/run.sh [trials] [sets...]   (default: 10 trials, sentiment arithmetic;
#        sets: sentiment arithmetic extraction summary)
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
TRIALS=${1:-10}; shift || true
SETS=${*:-sentiment arithmetic}
source "$ROOT/scripts/java-env.sh"
JAR="$ROOT/cli/target/promptune-all.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/optimizer/src" "$ROOT/cli/src" -newer "$JAR" -name '*.java' | head -1)" ]; then
  (cd "$ROOT" && mvn -q -o -pl cli -am package -DskipTests)
fi
mkdir -p work
# Run a copy, so rebuilding the project while a measurement runs cannot swap the jar under the JVM.
cp "$JAR" work/promptune-all.jar
JAR="$HERE/work/promptune-all.jar"
for set in $SETS; do
  case $set in
    sentiment) metric="choice labels=positive,negative,neutral"; maxtok=8
      given='{system: "You classify the sentiment of reviews.", user: "Is the sentiment of this review positive, negative or neutral?\nReview: {{text}}\nAnswer with one word."}'
      plain='{user: "Review: {{text}}\nSentiment:"}'
      task="Classify the sentiment of a short product review as positive, negative or neutral." ;;
    arithmetic) metric="numeric"; maxtok=16
      given='{system: "You solve arithmetic word problems.", user: "{{question}}\nGive the final answer as a number."}'
      plain='{user: "{{question}}"}'
      task="Solve a one-step arithmetic word problem and give the whole-number answer." ;;
    extraction) metric="json_field_match"; maxtok=40
      given='{system: "You extract facts from text as JSON.", user: "Extract the person'"'"'s name, city and age from this sentence as a JSON object with keys name, city, age.\nSentence: {{text}}"}'
      plain='{user: "{{text}}\nJSON:"}'
      task="Extract the person's name, city and age from a sentence as a JSON object with keys name, city and age (age a number)." ;;
    summary) metric="rouge_l"; maxtok=48
      given='{system: "You write one-sentence summaries.", user: "Summarize this news item in one sentence.\n{{text}}"}'
      plain='{user: "{{text}}\nSummary:"}'
      task="Summarize a three-sentence news item in one sentence." ;;
    *) echo "unknown set $set"; exit 2 ;;
  esac
  for kind in templates search; do
    cfg="work/$set-$kind.yaml"
    { echo "study: $set-$kind"
      sed -e "s/@SET@/$set/; s/@MAXTOK@/$maxtok/; s/@METRIC@/$metric/; s/@TRIALS@/$TRIALS/" common.yaml.in
      echo "templates:"
      echo "  given: $given"
      echo "  plain: $plain"
      if [ $kind = search ]; then
        echo "task: \"$task\""
        echo "fewshot: {max: 3, strategies: [random, nearest, bootstrapped]}"
        echo "proposals: {every: 3, count: 2, rounds: 2}"
        echo "template_parts: {system_prompt: true, format_hint: true, answer_prefix: [\"Answer:\"], raw_completion: true}"
      fi
    } > "$cfg"
    rm -rf "work/out/$set-$kind"
    echo "== $set / $kind ($TRIALS trials)"
    /usr/bin/time -f "%e s wall" java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar "$JAR" \
      tune "$cfg" --no-progress --no-report 2>&1 | grep -v "WARNING: Using incubator" | tee "work/$set-$kind.log"
  done
done
python3 compare.py work/out $SETS | tee work/summary.md
