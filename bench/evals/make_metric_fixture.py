#!/usr/bin/env python3
"""Writes the reference numbers Promptune's BLEU and ROUGE-L tests compare against.

Needs: pip install sacrebleu rouge-score   (versions are recorded in the fixture)
Usage: python3 bench/evals/make_metric_fixture.py
Output: evaluators/src/test/resources/io/promptune/evaluators/bleu_rouge_fixture.json
"""
import json
import random
from importlib.metadata import version
from pathlib import Path

import sacrebleu
from rouge_score import rouge_scorer

OUT = Path(__file__).resolve().parents[2] / "evaluators/src/test/resources/io/promptune/evaluators/bleu_rouge_fixture.json"

HAND = [
    ("The cat sat on the mat.", ["The cat sat on the mat."]),
    ("The cat sat on the mat.", ["A cat was sitting on the mat."]),
    ("the cat", ["The cat sat on the mat."]),
    ("", ["The cat sat on the mat."]),
    ("Some output", [""]),
    ("", [""]),
    ("   leading and trailing spaces   ", ["leading and trailing spaces"]),
    ("Hello, world! It's 3.14 - or 2,000 people; 1999-2000.", ["Hello world, it is 3.14 or 2,000 people: 1999 - 2000"]),
    ("Price: $5.99 (tax incl.) & free shipping <today>", ["The price is $5.99 &amp; shipping is free &lt;today&gt;"]),
    ("Der Bär läuft über die Straße.", ["Der Bär rennt über die Straße."]),
    ("东京是日本的首都。", ["日本的首都是东京。"]),
    ("emoji 🙂 test 🙂 done", ["emoji test 🙂 done"]),
    ("tabs\tand\nnewlines\r\nmixed", ["tabs and newlines mixed"]),
    ("non\u00a0breaking\u2003space", ["non breaking space"]),
    ("hyphen-\nated word", ["hyphenated word"]),
    ("<skipped> text", ["text"]),
    ("A B C D E F G", ["A B C D E F G H I J"]),
    ("one two three four five six seven eight nine ten eleven", ["one two three"]),
    ("the the the the the the the", ["The cat is on the mat."]),
    ("Firefighters rescued a young seal from the harbour.", ["Firefighters in Lakeside rescued a young seal from the harbour.",
                                                           "A seal was rescued in Lakeside."]),
    ("The Hawks won 3 to 1.", ["The Hawks beat the Rovers 3 to 1 in Oakdale.", "Hawks 3, Rovers 1."]),
    ("U.S.A. vs. U.K.: e.g. 1.5x, i.e. 10,000.", ["USA versus UK, for example 1.5x, that is 10000."]),
    ("CamelCase and snake_case and kebab-case", ["camelcase and snake case and kebab case"]),
    ("x", ["x"]),
    ("x", ["y"]),
]

WORDS = ("the a of to and in is was for on with as by at from that this it be are an or not have has had but were "
         "cat dog bird mat house car city council vote library bus park team match score won lost price dollars "
         "announced rescued firefighters seal harbour summer spring morning evening quickly slowly new old big small "
         "Paris Tokyo Lisbon 2024 3 17 100 1,000 3.5 - , . ! ? ; : ( ) \" ' café naïve").split()


def random_sentence(rng, n):
    toks = [rng.choice(WORDS) for _ in range(n)]
    s = " ".join(toks)
    return s[0].upper() + s[1:] if s and rng.random() < 0.5 else s


def perturb(rng, ref):
    toks = ref.split()
    out = []
    for t in toks:
        r = rng.random()
        if r < 0.15:
            continue
        if r < 0.3:
            out.append(rng.choice(WORDS))
        else:
            out.append(t)
        if rng.random() < 0.1:
            out.append(rng.choice(WORDS))
    if rng.random() < 0.3 and len(out) > 3:
        i = rng.randrange(len(out) - 2)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


def main():
    rng = random.Random(20240601)
    cases = list(HAND)
    for _ in range(60):
        refs = [random_sentence(rng, rng.randint(3, 25)) for _ in range(rng.choice([1, 1, 2, 3]))]
        hyp = perturb(rng, refs[0]) if rng.random() < 0.8 else random_sentence(rng, rng.randint(1, 20))
        cases.append((hyp, refs))
    long_ref = " ".join(random_sentence(rng, 12) + "." for _ in range(40))
    cases.append((perturb(rng, long_ref), [long_ref]))

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    out_cases = []
    for hyp, refs in cases:
        sb = sacrebleu.sentence_bleu(hyp, refs)
        rl = [scorer.score(r, hyp)["rougeL"] for r in refs]
        best = max(rl, key=lambda s: s.fmeasure)
        out_cases.append({
            "hypothesis": hyp, "references": refs,
            "sentence_bleu": sb.score,
            "tokenized_13a": [sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(r.rstrip()) for r in [hyp] + refs],
            "rouge_l_f": [s.fmeasure for s in rl],
            "rouge_l_best": {"precision": best.precision, "recall": best.recall, "fmeasure": best.fmeasure},
        })
    # corpus BLEU over all cases whose references count is 1 (sacrebleu wants a fixed number of reference streams)
    single = [c for c in cases if len(c[1]) == 1]
    corpus = sacrebleu.corpus_bleu([h for h, _ in single], [[r[0] for _, r in single]])
    multi = [c for c in cases if len(c[1]) == 2]
    corpus2 = sacrebleu.corpus_bleu([h for h, _ in multi], [[r[0] for _, r in multi], [r[1] for _, r in multi]])
    fixture = {
        "generated_by": "bench/evals/make_metric_fixture.py",
        "versions": {"sacrebleu": version("sacrebleu"), "rouge-score": version("rouge-score")},
        "cases": out_cases,
        "corpus": [
            {"hypotheses": [h for h, _ in single], "references": [[r[0]] for _, r in single], "bleu": corpus.score},
            {"hypotheses": [h for h, _ in multi], "references": [r for _, r in multi], "bleu": corpus2.score},
        ],
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(out_cases)} cases, corpus BLEU {corpus.score:.4f} / {corpus2.score:.4f} -> {OUT}")


if __name__ == "__main__":
    main()
