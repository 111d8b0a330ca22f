#!/usr/bin/env python3
"""Sequential llama.cpp peer for bench/e2e: one request at a time, the prompts E2eBench wrote.

Reads PROMPTS (JSONL: id, warmup, prompt = the rendered chat text, tokens = the engine's token ids,
max_tokens), checks llama.cpp's own tokenization of the text equals the ids, then generates greedily
from the ids (same max tokens, no stop strings: end-of-generation tokens stop, as in the engine).
Warm-up rows run first, untimed. Writes one JSON line per measured prompt to OUT and prints a summary.
Rows may carry a trial's sampling parameters (temperature, top_p, top_k, min_p, seed: E2eBench's tuning mode); without
them the request is greedy.
llama-cpp-python keeps the previous prompt's KV cache and reuses the longest common prefix, so this
loop already has one-slot prefix reuse (as llama-server with one slot does).

usage: llamacpp_peer.py MODEL.gguf PROMPTS.jsonl OUT.jsonl [--threads 2]
"""
import argparse
import json
import sys
import time

from llama_cpp import Llama


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("prompts")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.prompts, encoding="utf-8") if line.strip()]
    llm = Llama(model_path=a.model, n_ctx=a.n_ctx, n_batch=512, n_threads=a.threads, n_threads_batch=a.threads,
                verbose=False)
    add_bos = llm.metadata.get("tokenizer.ggml.add_bos_token", "false") == "true"
    same_tokens = 0
    for r in rows:
        own = llm.tokenize(r["prompt"].encode("utf-8"), add_bos=add_bos, special=True)
        same_tokens += own == r["tokens"]

    def generate(r):
        temperature = r.get("temperature", 0.0)
        res = llm.create_completion(r["tokens"], max_tokens=r["max_tokens"], temperature=temperature,
                                    top_k=1 if temperature == 0 else r.get("top_k", 40), top_p=r.get("top_p", 1.0),
                                    min_p=r.get("min_p", 0.0),
                                    repeat_penalty=1.0, seed=r.get("seed"))
        return res["choices"][0]["text"], res["usage"], res["choices"][0]["finish_reason"]

    for r in rows:
        if r["warmup"]:
            generate(r)
    measured = [r for r in rows if not r["warmup"]]
    outs = []
    c0, w0 = time.process_time(), time.perf_counter()
    for r in measured:
        outs.append(generate(r))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    with open(a.out, "w", encoding="utf-8") as f:
        for r, (text, usage, finish) in zip(measured, outs):
            f.write(json.dumps({"id": r["id"], "output": text, "finish": finish,
                                "prompt_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"]}) + "\n")
    n = len(measured)
    print(json.dumps({"examples": n, "threads": a.threads, "wall_s": wall, "cpu_s": cpu, "examples_per_s": n / wall,
                      "examples_per_cpu_s": n / cpu, "tokenization_agrees": same_tokens, "prompts": len(rows),
                      "output_tokens": sum(o[1]["completion_tokens"] for o in outs)}))


if __name__ == "__main__":
    sys.exit(main())
