#!/usr/bin/env python3
"""Writes llama.cpp's exact logits (float32 values, top N per position) for a token-id batch evaluated in one
llama_decode, as JSON, using llama-cpp-python from PyPI (flash attention on, as the engine emulates it).
The engine's KQuantParityTest compares its logits bit for bit with these. llama.cpp runs a batch's rows
in whole fours through its repacked GEMM and the rest through its GEMV, so with 14 ids positions 12-13 are
GEMV rows whose keys/values history came from GEMM rows.

usage: make_logits_reference.py MODEL.gguf OUT.json --ids 1,450,... [--positions 12,13] [--top 20]
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
    a = ap.parse_args()
    ids = [int(x) for x in a.ids.split(",")]
    positions = [int(x) for x in a.positions.split(",")] if a.positions else [len(ids) - 1]
    llm = Llama(a.model, n_ctx=256, n_threads=1, logits_all=True, verbose=False, seed=0, flash_attn=True)
    llm.reset()
    llm.eval(ids)
    with open(a.model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    out = {"model": os.path.basename(a.model), "sha256": sha, "ids": ids, "positions": []}
    for p in positions:
        logits = np.array(llm._scores[p], dtype=np.float32)
        order = np.argsort(-logits, kind="stable")[: a.top]
        out["positions"].append({"position": p, "top": [[int(i), float(logits[i])] for i in order]})
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
