#!/usr/bin/env python3
"""Does the default model's score on the built-in sets move with the template and decoding?

A reference run with llama.cpp (llama-cpp-python) until Promptune's own engine is on main: for each
built-in set and a few configurations (good template, bare template, high temperature), it writes
the model's outputs as prediction JSONL that `promptune score` then scores with the set's metric.

Usage: python3 bench/evals/template_sensitivity.py OUT_DIR [--limit N] [--model PATH]
Then:  promptune score --metric ... --predictions OUT_DIR/<set>.<config>.jsonl
(run_template_sensitivity.sh does both).
"""
import argparse
import json
import re
import sys
from pathlib import Path

from llama_cpp import Llama

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "datasets/src/main/resources/io/promptune/datasets/builtin"

# The "good" templates are the ones BuiltinDatasets.info(name).template() ships; keep them in step.
GOOD = {
    "sentiment": ("You classify the sentiment of reviews.",
                  "Is the sentiment of this review positive, negative or neutral?\nReview: {{text}}\nAnswer with one word."),
    "extraction": ("You extract facts as JSON.",
                   "Extract the person's name, city and age from the sentence as JSON with keys \"name\", \"city\" and \"age\".\nSentence: {{text}}"),
    "arithmetic": ("You solve arithmetic word problems.", "{{question}}\nGive the final answer as a number."),
    "summary": ("You write one-sentence summaries.", "Summarize this news item in one sentence.\n{{text}}"),
}
# A bare prompt: the input alone, no instruction.
BARE = {"sentiment": (None, "{{text}}"), "extraction": (None, "{{text}}"), "arithmetic": (None, "{{question}}"), "summary": (None, "{{text}}")}
MAX_TOKENS = {"sentiment": 8, "extraction": 60, "arithmetic": 24, "summary": 48}
CONFIGS = {
    "good_greedy": (GOOD, 0.0),
    "bare_greedy": (BARE, 0.0),
    "good_t1.5": (GOOD, 1.5),
}


def fill(template, row):
    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*}}", lambda m: str(row[m.group(1)]), template)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--model", default=str(Path.home() / ".cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--sets", default="sentiment,extraction,arithmetic,summary")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    llm = Llama(model_path=a.model, n_ctx=1024, n_threads=1, seed=1234, verbose=False)
    for name in a.sets.split(","):
        rows = [json.loads(l) for l in (BUILTIN / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        if a.limit:
            rows = rows[: a.limit]
        for cfg, (templates, temp) in CONFIGS.items():
            system, user = templates[name]
            with (out / f"{name}.{cfg}.jsonl").open("w", encoding="utf-8", buffering=1) as f:
                for r in rows:
                    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": fill(user, r)}]
                    res = llm.create_chat_completion(messages=msgs, temperature=temp, top_k=0, top_p=1.0, min_p=0.0,
                                                     max_tokens=MAX_TOKENS[name], seed=1234)
                    text = res["choices"][0]["message"]["content"] or ""
                    f.write(json.dumps({"id": r["id"], "prediction": text, "reference": r["expected"]}, ensure_ascii=False) + "\n")
            print(f"{name}.{cfg}: {len(rows)} outputs", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
