"""Turns benchmark JSON lines (ours and peers) into the Markdown table of bench/RESULTS.md:
median [IQR] of regret after 10/25/50/100 trials per function and sampler, the ratio of each
sampler's median regret at 50 and 100 trials to Optuna TPE's, and sampler overhead per trial."""
import collections
import json
import statistics
import sys

CHECKPOINTS = [10, 25, 50, 100]
runs = collections.defaultdict(list)
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        runs[(r["function"], r["sampler"])].append(r)


def q(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fmt(x):
    return "%.3g" % x if x >= 1e-3 or x == 0 else "%.1e" % x


functions = []
for f, _ in runs:
    if f not in functions:
        functions.append(f)
for f in functions:
    samplers = [s for (g, s) in runs if g == f]
    ref = runs.get((f, "optuna-tpe"))
    ref_med = {c: statistics.median(r["regret"][c - 1] for r in ref) for c in CHECKPOINTS if ref and len(ref[0]["regret"]) >= c} if ref else {}
    print("\n**%s** (%d seeds)\n" % (f, len(runs[(f, samplers[0])])))
    print("| sampler | " + " | ".join("regret@%d median [IQR]" % c for c in CHECKPOINTS) + " | ratio vs Optuna TPE @50 / @100 | overhead ms/trial (CPU / wall) |")
    print("|---|" + "---|" * len(CHECKPOINTS) + "---|---|")
    for s in samplers:
        rs = runs[(f, s)]
        cells = []
        for c in CHECKPOINTS:
            if len(rs[0]["regret"]) < c:
                cells.append("-")
                continue
            v = [r["regret"][c - 1] for r in rs]
            cells.append("%s [%s, %s]" % (fmt(statistics.median(v)), fmt(q(v, 0.25)), fmt(q(v, 0.75))))
        ratios = []
        for c in (50, 100):
            if c in ref_med and len(rs[0]["regret"]) >= c and ref_med[c] > 0:
                ratios.append("%.2f" % (statistics.median(r["regret"][c - 1] for r in rs) / ref_med[c]))
            else:
                ratios.append("-")
        cpu = statistics.mean(r.get("overhead_cpu_ms_per_trial", float("nan")) for r in rs)
        wall = statistics.mean(r["overhead_ms_per_trial"] for r in rs)
        print("| %s | %s | %s | %.1f / %.1f |" % (s, " | ".join(cells), " / ".join(ratios), cpu, wall))
