#!/usr/bin/env python3
"""Writes the bit-exactness fixtures for io.promptune.localmodel.quant tests, using only the `gguf`
package from PyPI (its numpy reference in gguf/quants.py mirrors ggml-quants.c).

  quant_input.f32          float32 little-endian test vectors (N values, N a multiple of 256)
  quant_<TYPE>.bin         gguf.quants.quantize(input, TYPE)        for every type gguf can quantize
  dequant_<TYPE>.bin       random but valid blocks of TYPE
  dequant_<TYPE>.f32       gguf.quants.dequantize(blocks, TYPE)     for every type we read

Run from this directory:  python3 make_fixtures.py   (gguf version used is written to VERSION.txt)
"""
import importlib.metadata

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf import quants

rng = np.random.default_rng(20261124)


def test_vectors() -> np.ndarray:
    blocks = []
    # ordinary weights at several magnitudes
    for scale in (1.0, 0.02, 3e-4, 40.0):
        blocks.append(rng.normal(0, scale, 1024))
    blocks.append(rng.uniform(-1, 1, 1024))
    # edge cases, each 256 long so every block size sees them whole
    blocks.append(np.zeros(256))                              # all zero
    blocks.append(np.full(256, 0.75))                         # constant positive
    blocks.append(np.full(256, -2.5))                         # constant negative
    x = rng.normal(0, 0.01, 256); x[7] = -5.0; blocks.append(x)   # one negative outlier
    x = rng.normal(0, 0.01, 256); x[100] = 9.0; blocks.append(x)  # one positive outlier
    ties = np.tile(np.array([127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5] * 4, dtype=np.float64), 8)
    blocks.append(ties)                                       # exact halves after scaling (Q8_0: d = 1)
    blocks.append(np.abs(rng.normal(0, 1, 256)))              # all positive (min > 0)
    blocks.append(-np.abs(rng.normal(0, 1, 256)))             # all negative
    blocks.append(rng.normal(0, 1e-6, 256))                   # tiny: scales underflow in half
    blocks.append(rng.integers(-8, 8, 256).astype(np.float64))  # already on a grid
    data = np.concatenate(blocks).astype(np.float32)
    assert data.size % 256 == 0
    return data


def random_blocks(qtype: T, n_blocks: int) -> np.ndarray:
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    def halves(count):
        return rng.normal(0, 0.05, (n_blocks, count)).astype(np.float16).view(np.uint8)
    if qtype in (T.Q4_0, T.Q5_0, T.Q8_0):
        raw[:, 0:2] = halves(1)
    elif qtype in (T.Q4_1, T.Q5_1, T.Q4_K, T.Q5_K):
        raw[:, 0:4] = halves(2)
    elif qtype == T.Q6_K:
        raw[:, type_size - 2:] = halves(1)
    elif qtype == T.F16:
        raw = rng.normal(0, 1, (n_blocks, 1)).astype(np.float16).view(np.uint8)
    elif qtype == T.BF16:
        raw = (rng.normal(0, 1, (n_blocks, 1)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16).view(np.uint8)
    return raw


def main():
    data = test_vectors()
    data.tofile("quant_input.f32")
    can_quantize = [T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1]
    for qt in can_quantize:
        q = quants.quantize(data.reshape(-1, 256), qt)
        np.ascontiguousarray(q).view(np.uint8).tofile(f"quant_{qt.name}.bin")
    for qt in can_quantize + [T.Q4_K, T.Q5_K, T.Q6_K]:
        block_size = gguf.GGML_QUANT_SIZES[qt][0]
        n_blocks = 4096 // block_size if block_size > 1 else 1024
        blocks = random_blocks(qt, n_blocks)
        blocks.tofile(f"dequant_{qt.name}.bin")
        out = quants.dequantize(blocks.reshape(1, -1), qt).astype(np.float32)
        out.tofile(f"dequant_{qt.name}.f32")
    with open("VERSION.txt", "w") as f:
        f.write(f"gguf {importlib.metadata.version('gguf')}, numpy {np.__version__}\n")


if __name__ == "__main__":
    main()
