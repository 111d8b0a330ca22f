"""Runs Optuna's TPESampler (defaults) and random search on the benchmark functions and writes
best-so-far curves as JSON lines, the same format SamplerBenchmark (Java) writes for ours.

    python run_peers.py --seeds 20 --trials 100 --out results/peers.jsonl
    python run_peers.py --check  # prints function values at fixed points (compared with Java's --check)
"""
import argparse
import json
import sys
import time

import functions as F


def run(name, sampler_name, seed, trials):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fn, space, opt = F.SPACES[name]
    if sampler_name == "optuna-tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    elif sampler_name == "optuna-random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    elif sampler_name == "optuna-gp":
        sampler = optuna.samplers.GPSampler(seed=seed)
    else:
        raise SystemExit("unknown sampler " + sampler_name)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    fn_time = [0.0]

    def objective(trial):
        p = {}
        for e in space:
            if e["type"] == "float":
                p[e["name"]] = trial.suggest_float(e["name"], e["low"], e["high"], log=e.get("log", False))
            elif e["type"] == "int":
                p[e["name"]] = trial.suggest_int(e["name"], e["low"], e["high"], log=e.get("log", False))
            else:
                p[e["name"]] = trial.suggest_categorical(e["name"], e["choices"])
        t0 = time.perf_counter()
        v = fn(p)
        fn_time[0] += time.perf_counter() - t0
        return v

    t0, c0 = time.perf_counter(), time.process_time()
    study.optimize(objective, n_trials=trials)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    best, curve = float("inf"), []
    for t in study.trials:
        best = min(best, t.value)
        curve.append(best - opt)
    return {"function": name, "sampler": sampler_name, "seed": seed, "regret": curve,
            "overhead_ms_per_trial": 1000 * (total - fn_time[0]) / trials,
            "overhead_cpu_ms_per_trial": 1000 * (cpu - fn_time[0]) / trials}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--functions", default="branin,hartmann6,rosenbrock4,prompt")
    ap.add_argument("--samplers", default="optuna-tpe,optuna-random")
    ap.add_argument("--out", default="-")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check:
        for name, (fn, space, opt) in F.SPACES.items():
            for k in range(3):
                p = {}
                for i, e in enumerate(space):
                    u = ((k + 1) * 0.31 + i * 0.17) % 1.0
                    if e["type"] == "categorical":
                        p[e["name"]] = e["choices"][int(u * len(e["choices"]))]
                    elif e["type"] == "int":
                        p[e["name"]] = int(e["low"] + round(u * (e["high"] - e["low"])))
                    else:
                        p[e["name"]] = e["low"] + u * (e["high"] - e["low"])
                print(json.dumps({"function": name, "params": p, "value": fn(p)}))
        return
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    for name in a.functions.split(","):
        for s in a.samplers.split(","):
            for seed in range(a.seeds):
                out.write(json.dumps(run(name, s, seed, a.trials)) + "\n")
                out.flush()


if __name__ == "__main__":
    main()
