"""Pairs the held-out scores of the best 'templates' and best 'search' configurations per set."""
import json, random, sys, pathlib

out = pathlib.Path(sys.argv[1])
print("| set | templates only: best held-out (95% CI) | + prompt search: best held-out (95% CI) | difference (paired 95% CI) | p (sign-flip) | trials | model calls (templates / search) |")
print("|---|---|---|---|---|---|---|")
for s in sys.argv[2:]:
    a = json.loads((out / f"{s}-templates" / "result.json").read_text())
    b = json.loads((out / f"{s}-search" / "result.json").read_text())
    metric = a["bestHeldOut"]["objectiveMetric"]
    sa = {e["exampleId"]: e["scores"][metric] for e in a["bestHeldOut"]["examples"]}
    sb = {e["exampleId"]: e["scores"][metric] for e in b["bestHeldOut"]["examples"]}
    ids = sorted(set(sa) & set(sb))
    d = [sb[i] - sa[i] for i in ids]
    rng = random.Random(7)
    boots = sorted(sum(rng.choice(d) for _ in d) / len(d) for _ in range(4000))
    mean = sum(d) / len(d)
    flips = 0
    for _ in range(10000):
        m = sum(x if rng.random() < 0.5 else -x for x in d) / len(d)
        flips += abs(m) >= abs(mean) - 1e-12
    def est(r):
        o = r["bestHeldOut"]["metrics"][metric]
        return f"{o['mean']:.3f} [{o['ciLow']:.3f}, {o['ciHigh']:.3f}] (n={o['n']})"
    print(f"| {s} | {est(a)} | {est(b)} | {mean:+.3f} [{boots[100]:+.3f}, {boots[3899]:+.3f}] | {flips / 10000:.3f} | {a['trials']} / {b['trials']} | {a['modelCalls']} / {b['modelCalls']} |")
    for name, r in (("templates", a), ("search", b)):
        print(f"\n{s} {name}: best trial #{r['bestTrial']} params {json.dumps(r['bestParams'])}")
        c = r["comparison"]
        print(f"  vs baseline on held-out: {c['difference']:+.3f} [{c['ciLow']:+.3f}, {c['ciHigh']:+.3f}]")
    props = out / f"{s}-search" / "proposals.jsonl"
    if props.exists():
        print(f"\n{s} proposals:")
        for line in props.read_text().splitlines():
            p = json.loads(line)
            print(f"  {p['id']} ({p['style']}, round {p['round']}, parent #{p['parentTrial']}, trial #{p['queuedTrial']}): {p['instruction'][:150]!r}")
    print()
