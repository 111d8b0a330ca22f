#!/usr/bin/env python3
"""Writes llama.cpp's exact logits (float32 values, top N per position) for a token-id batch evaluated in one
llama_decode, as JSON, using llama-cpp-python from PyPI (flash attention on, as the engine emulates it).
The engine's KQuantParityTest compares its logits bit for bit with these. llama.cpp runs a batch's rows
in whole fours through its repacked GEMM and the rest through its GEMV, so with 14 ids positions 12-13 are
GEMV rows whose keys/values history came from GEMM rows.

With --per-prefix each position p is evaluated on its own: ids[:p+1] as one batch with the last row's logits
only (as the engine's KQuantParityTest feeds it): llama.cpp picks its matmul kernels by batch size (e.g. its tiled
K-quant matmul from 8 rows on) and, with logits for every row, runs the output matrix over the whole batch.

usage: make_logits_reference.py MODEL.gguf OUT.json --ids 1,450,... [--positions 12,13] [--top 20] [--per-prefix]
"""
import argparse
import hashlib
import json
import os

import numpy as np
from llama_cpp import Llama


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--positions", default="")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--per-prefix", action="store_true")
    a = ap.parse_args()
    ids = [int(x) for x in a.ids.split(",")]
    positions = [int(x) for x in a.positions.split(",")] if a.positions else [len(ids) - 1]
    scores = {}
    if a.per_prefix:
        for p in positions:
            llm = Llama(a.model, n_ctx=256, n_threads=1, logits_all=False, verbose=False, seed=0, flash_attn=True)
            llm.eval(ids[: p + 1])
            scores[p] = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).copy()
            llm.close()
    else:
        llm = Llama(a.model, n_ctx=256, n_threads=1, logits_all=True, verbose=False, seed=0, flash_attn=True)
        llm.reset()
        llm.eval(ids)
        for p in positions:
            scores[p] = np.array(llm._scores[p], dtype=np.float32)
    with open(a.model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    out = {"model": os.path.basename(a.model), "sha256": sha, "ids": ids, "per_prefix": a.per_prefix, "positions": []}
    for p in positions:
        logits = np.asarray(scores[p], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[: a.top]
        out["positions"].append({"position": p, "top": [[int(i), float(logits[i])] for i in order]})
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
