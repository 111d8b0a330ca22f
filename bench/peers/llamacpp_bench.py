#!/usr/bin/env python3
"""llama.cpp side of the side-by-side engine benchmark, through llama-cpp-python (PyPI; it builds
llama.cpp from source on install). Prints one JSON object with the same fields as
`promptune bench --json`: prefill_tps (pp N), decode_tps (tg N), and aggregate_tps per batch size
(N independent sequences decoded together, one llama_decode per step, as llama-batched-bench does).

usage: llamacpp_bench.py MODEL.gguf [--threads 2] [--prompt-tokens 128] [--gen-tokens 64]
                          [--batch 1,4,8,16] [--batch-prompt 128] [--batch-gen 32] [--reps 3]
"""
import argparse
import ctypes
import json
import random
import sys
import time

import llama_cpp as L


def make_ctx(model, n_ctx, n_batch, n_seq, threads):
    p = L.llama_context_default_params()
    p.n_ctx = n_ctx
    p.n_batch = n_batch
    p.n_ubatch = min(n_batch, 512)
    p.n_seq_max = n_seq
    p.n_threads = threads
    p.n_threads_batch = threads
    ctx = L.llama_init_from_model(model, p)
    if not ctx:
        sys.exit("llama.cpp could not create a context")
    return ctx


def decode(ctx, batch, entries):
    """entries: list of (token, pos, seq_id, want_logits)"""
    batch.n_tokens = len(entries)
    for i, (tok, pos, seq, logits) in enumerate(entries):
        batch.token[i] = tok
        batch.pos[i] = pos
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq
        batch.logits[i] = 1 if logits else 0
    rc = L.llama_decode(ctx, batch)
    if rc != 0:
        sys.exit(f"llama_decode failed: {rc}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--gen-tokens", type=int, default=64)
    ap.add_argument("--batch", default="")
    ap.add_argument("--batch-prompt", type=int, default=128)
    ap.add_argument("--batch-gen", type=int, default=32)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()

    L.llama_backend_init()
    L.llama_log_set(ctypes.cast(None, L.llama_log_callback), ctypes.c_void_p())  # silence
    mp = L.llama_model_default_params()
    mp.use_mmap = True
    model = L.llama_model_load_from_file(a.model.encode(), mp)
    if not model:
        sys.exit(f"llama.cpp could not load {a.model}")
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)
    rng = random.Random(42)
    out = {"engine": "llama.cpp (llama-cpp-python %s)" % L.__version__, "model": a.model, "threads": a.threads}

    # pp / tg on one sequence, best of reps (like llama-bench's default of reporting the mean; we take the median)
    n_ctx = a.prompt_tokens + a.gen_tokens + 16
    ctx = make_ctx(model, n_ctx, max(a.prompt_tokens, 1), 1, a.threads)
    batch = L.llama_batch_init(max(a.prompt_tokens, 16), 0, 1)
    pp, tg, pp_cpu, tg_cpu = [], [], [], []
    for _ in range(a.reps + 1):  # first run warms up
        L.llama_memory_clear(L.llama_get_memory(ctx), True)
        toks = [rng.randrange(n_vocab) for _ in range(a.prompt_tokens)]
        t0, c0 = time.perf_counter(), time.process_time()
        decode(ctx, batch, [(t, i, 0, i == len(toks) - 1) for i, t in enumerate(toks)])
        t1, c1 = time.perf_counter(), time.process_time()
        pos = len(toks)
        for _ in range(a.gen_tokens):
            decode(ctx, batch, [(rng.randrange(n_vocab), pos, 0, True)])
            pos += 1
        t2, c2 = time.perf_counter(), time.process_time()
        pp.append(a.prompt_tokens / (t1 - t0))
        tg.append(a.gen_tokens / (t2 - t1))
        pp_cpu.append((c1 - c0) * 1e3 / a.prompt_tokens)
        tg_cpu.append((c2 - c1) * 1e3 / a.gen_tokens)
    med = lambda v: sorted(v[1:])[len(v[1:]) // 2]
    out["prefill_tps"] = med(pp)
    out["decode_tps"] = med(tg)
    # CPU time per token (all threads, spinning included): comparable across engines even on a busy machine
    out["prefill_cpu_ms_per_token"] = med(pp_cpu)
    out["decode_cpu_ms_per_token"] = med(tg_cpu)
    L.llama_batch_free(batch)
    L.llama_free(ctx)

    agg, agg_cpu = {}, {}
    for n in [int(x) for x in a.batch.split(",") if x.strip()]:
        n_ctx = n * (a.batch_prompt + a.batch_gen + 8)
        ctx = make_ctx(model, n_ctx, max(512, n), n, a.threads)
        batch = L.llama_batch_init(max(512, n * a.batch_prompt), 0, n)
        L.llama_memory_clear(L.llama_get_memory(ctx), True)
        # prompts (not timed: batched-bench's S_TG figure is the generation phase)
        for s in range(n):
            toks = [rng.randrange(n_vocab) for _ in range(a.batch_prompt)]
            decode(ctx, batch, [(t, i, s, i == len(toks) - 1) for i, t in enumerate(toks)])
        t0, c0 = time.perf_counter(), time.process_time()
        for step in range(a.batch_gen):
            decode(ctx, batch, [(rng.randrange(n_vocab), a.batch_prompt + step, s, True) for s in range(n)])
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        agg[str(n)] = n * a.batch_gen / dt
        agg_cpu[str(n)] = dc * 1e3 / (n * a.batch_gen)
        L.llama_batch_free(batch)
        L.llama_free(ctx)
    if agg:
        out["aggregate_tps"] = agg
        out["aggregate_cpu_ms_per_token"] = agg_cpu
    with open("/proc/self/status") as f:
        for line in f:
            k, v = line.split(":", 1)
            if k in ("VmRSS", "VmHWM"):
                out["rss_bytes" if k == "VmRSS" else "peak_rss_bytes"] = int(v.split()[0]) * 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
