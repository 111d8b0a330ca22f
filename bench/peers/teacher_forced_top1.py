#!/usr/bin/env python3
"""llama.cpp's teacher-forced top-1 tokens for a GGUF (llama-cpp-python from PyPI): feeds each F32
reference sequence from greedy-reference.json (prompt + llama.cpp's F32 continuation) and prints, per
prompt, llama.cpp's argmax and the gap to the runner-up (in logits) at every continuation step, as JSON.

usage: teacher_forced_top1.py MODEL.gguf greedy-reference.json > out.json
"""
import json
import sys

import numpy as np
from llama_cpp import Llama


def main():
    model, ref_path = sys.argv[1:3]
    refs = [e for e in json.load(open(ref_path)) if e["model"] == "stories260K-f32.gguf"]
    llm = Llama(model, n_ctx=512, n_threads=2, logits_all=True, verbose=False)
    out = []
    for e in refs:
        p, ids = e["prompt_ids"], e["ids"]
        seq = p + ids[:-1]
        llm.reset()
        llm.eval(seq)
        logits = np.array(llm.scores[: len(seq)])
        steps = logits[len(p) - 1:]
        top = np.argsort(-steps, axis=1)[:, :2]
        out.append({"prompt": e["prompt"], "argmax": top[:, 0].tolist(),
                    "gap": (steps[np.arange(len(steps)), top[:, 0]] - steps[np.arange(len(steps)), top[:, 1]]).tolist()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
