#!/usr/bin/env python3
"""Writes llama.cpp's tokenization of a few hundred strings with a model's vocabulary, as a test
fixture for the Java tokenizer (local-model TokenizerReferenceTest). Uses llama-cpp-python
(Llama(vocab_only=True)); the strings are hand-picked edge cases plus seeded random mixes, so the
fixture is reproducible.

usage: make_tokenizer_reference.py MODEL.gguf OUT.json [--random 300] [--seed 7]
"""
import argparse
import json
import os
import random

import llama_cpp

HAND_PICKED = [
    "", " ", "  ", "\n", "\n\n\n", "\t", " \t\n ", "Hello world", " Hello world", "Hello  world",
    "Hello, world!", "I'm fine, you're great, he'll go, we've been, she'd say, it's OK",
    "I'M FINE, YOU'RE GREAT, IT'S", "'s 't 're 've 'm 'll 'd", "don't", "rock'n'roll",
    "3", "33", "333", "3333", "12345678901234567890", "3.14159", "1,000,000", "v1.2.3-beta",
    "x = a + b * (c - d) / e ** 2", "if (x <= 10 && y >= 20 || !z) { return; }",
    "def f(x):\n    return x * 2\n\n\nprint(f(3))", "    indented\n\tTabbed\n  \n",
    "The quick brown fox jumps over the lazy dog.", "naïve café résumé Ångström",
    "Привет, как дела?", "Γειά σου Κόσμε", "こんにちは世界", "你好，世界！我想在apple工作1314151天～",
    "안녕하세요", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "ກາຍ",
    "🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅", "🦙.cpp", "👍🏽", "a\u00a0b\u2009c\u3000d",
    "line1\r\nline2\rline3", "<|im_start|>user\nHi<|im_end|>", "<|endoftext|>", "<s></s>",
    "https://example.com/path?query=1&b=2#frag", "user@example.com", "#hashtag @mention $100 50% ^_^ ~tilde~",
    "```python\nimport os\n```", "<html><body class=\"x\">Hi</body></html>", '{"key": [1, 2, {"a": null}]}',
    "ℕ ⊆ ℤ ⊂ ℚ; ∀x ∈ ℝ: x² ≥ 0", "Ⅻ ½ ¾ ① ②", "ﬁ ﬂ ﬀ", "e\u0301 vs é", "\u200b\u200d\ufeff",
    "A" * 300, "ab" * 150, " " * 40 + "x", "\n" * 20, "9" * 50,
]

POOLS = [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " ", "  \t\n\r",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "éèêëàâäôöûüçñß", "привет", "日本語中文한국어", "😀🦙🚀✅🏽\u200d",
    "\u00a0\u2009\u3000\u0085", "ʼ’‘“”–—…", "'s'll're've", "<|im_start|><|im_end|>",
]


def random_string(rng):
    parts = []
    for _ in range(rng.randint(1, 12)):
        pool = rng.choice(POOLS)
        parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--random", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    llm = llama_cpp.Llama(model_path=args.model, vocab_only=True, verbose=False)
    rng = random.Random(args.seed)
    texts = HAND_PICKED + [random_string(rng) for _ in range(args.random)]
    cases = []
    for t in texts:
        b = t.encode("utf-8")
        cases.append({
            "text": t,
            "ids": llm.tokenize(b, add_bos=False, special=False),
            "ids_special": llm.tokenize(b, add_bos=True, special=True),
        })
    out = {
        "model": os.path.basename(args.model),
        "generator": "bench/peers/make_tokenizer_reference.py (llama-cpp-python %s)" % llama_cpp.__version__,
        "note": "ids: tokenize(add_bos=False, special=False); ids_special: tokenize(add_bos=True, special=True)",
        "cases": cases,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    print("wrote %d cases to %s" % (len(cases), args.out))


if __name__ == "__main__":
    main()
