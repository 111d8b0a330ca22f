#!/usr/bin/env python3
"""Compares `promptune quantize` with llama.cpp's own quantizer (llama_model_quantize through
llama-cpp-python from PyPI), tensor by tensor, byte for byte.

usage: quantize_parity.py MODEL-F32.gguf OURS_DIR [TYPE...]
  OURS_DIR holds our outputs named TYPE.gguf (e.g. made with `promptune quantize IN OURS_DIR/Q4_K.gguf Q4_K`).
  Plain types are compared with llama-quantize --pure (every weight in that type), Q4_K_M with the mix.
Prints one line per type: tensors compared, tensors whose type differs, tensors whose bytes differ.
"""
import os
import sys
import tempfile

import llama_cpp as L
import numpy as np
from gguf import GGUFReader

FTYPES = {"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9,
          "Q4_K": 15, "Q5_K": 17, "Q6_K": 18, "Q4_K_M": 15, "BF16": 32}


def llama_quantize(src, dst, name):
    p = L.llama_model_quantize_default_params()
    p.ftype = FTYPES[name]
    p.pure = name != "Q4_K_M"
    p.nthread = 2
    rc = L.llama_model_quantize(src.encode(), dst.encode(), p)
    if rc != 0:
        sys.exit(f"llama_model_quantize failed for {name}: {rc}")


def tensors(path):
    r = GGUFReader(path)
    return {t.name: (t.tensor_type.name, np.asarray(t.data).tobytes()) for t in r.tensors}


def main():
    src, ours_dir, *types = sys.argv[1:]
    types = types or ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "Q4_K_M", "F16", "BF16"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in types:
            ref_path = os.path.join(tmp, name + ".gguf")
            llama_quantize(src, ref_path, name)
            ref, ours = tensors(ref_path), tensors(os.path.join(ours_dir, name + ".gguf"))
            type_diff = [n for n in ref if n in ours and ref[n][0] != ours[n][0]]
            byte_diff = [n for n in ref if n in ours and ref[n][0] == ours[n][0] and ref[n][1] != ours[n][1]]
            missing = sorted(set(ref) ^ set(ours))
            worst = ""
            if byte_diff:
                a = np.frombuffer(ref[byte_diff[0]][1], np.uint8)
                b = np.frombuffer(ours[byte_diff[0]][1], np.uint8)
                worst = f" first: {byte_diff[0]} ({int((a != b).sum())} of {a.size} bytes differ)"
            print(f"{name}: {len(ref)} tensors, {len(type_diff)} of another type {type_diff[:3]}, "
                  f"{len(byte_diff)} with different bytes, {len(missing)} missing{worst}")


if __name__ == "__main__":
    main()
