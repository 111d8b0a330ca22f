#!/usr/bin/env python3
"""Writes llama.cpp's greedy continuation (ids, text, top-5 log-probabilities per step) for a GGUF and
a few prompts, in the same shape as ../shared/models/stories260K/greedy-reference.json, using
llama-cpp-python from PyPI. The Java engine's parity tests read the output.

usage: make_reference.py MODEL.gguf OUT.json [--n-predict 32] PROMPT...
A prompt starting with "chat:" is rendered with the model's own chat template (llama.cpp's
built-in Jinja support) as a single user turn with the generation prompt.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
from llama_cpp import Llama


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--n-predict", type=int, default=32)
    # The engine copies ggml's CPU flash-attention arithmetic, which llama.cpp's low-level default turns on;
    # the Python Llama() wrapper defaults to off, and on SmolLM2 the two differ by up to ~0.8 nats.
    ap.add_argument("--no-flash-attn", action="store_true", help="reference without flash attention")
    ap.add_argument("prompts", nargs="+")
    a = ap.parse_args()
    llm = Llama(a.model, n_ctx=512, n_threads=2, logits_all=True, verbose=False, seed=0,
                flash_attn=not a.no_flash_attn)
    name = os.path.basename(a.model)
    cases = []
    for p in a.prompts:
        if p.startswith("chat:"):
            text = llm.metadata.get("tokenizer.chat_template")
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
            eos = llm._model.token_get_text(llm._model.token_eos())
            bos = llm._model.token_get_text(llm._model.token_bos())
            fmt = Jinja2ChatFormatter(template=text, eos_token=eos, bos_token=bos)
            rendered = fmt(messages=[{"role": "user", "content": p[5:]}]).prompt
            ids = llm.tokenize(rendered.encode(), add_bos=False, special=True)
        else:
            rendered = p
            ids = llm.tokenize(p.encode(), add_bos=True, special=False)
        llm.reset()
        llm.eval(ids)
        out_ids, tops = [], []
        for _ in range(a.n_predict):
            logits = np.array(llm._scores[llm.n_tokens - 1], dtype=np.float64)
            m = logits.max()
            logp = logits - (m + math.log(np.exp(logits - m).sum()))
            order = np.argsort(-logp, kind="stable")[:5]
            tops.append([[int(i), round(float(logp[i]), 6)] for i in order])
            nxt = int(order[0])
            out_ids.append(nxt)
            if llm._model.token_is_eog(nxt) if hasattr(llm._model, "token_is_eog") else nxt == llm.token_eos():
                break
            llm.eval([nxt])
        cases.append({"model": name, "prompt": p, "rendered": rendered, "prompt_ids": ids, "ids": out_ids,
                      "text": llm.detokenize(out_ids).decode("utf-8", "replace"), "top5_per_step": tops})
    with open(a.out, "w") as f:
        json.dump(cases, f, ensure_ascii=False)
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
