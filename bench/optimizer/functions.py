"""Benchmark functions shared by the Optuna peer run (run_peers.py) and the objective-cmd runner.

The Java copies live in optimizer/src/main/java/io/promptune/optimizer/benchmark/TestFunctions.java;
run_peers.py --check compares both on fixed points.
Every function is minimised; `regret(value) = value - optimum`.
"""
import math

BRANIN_MIN = 0.397887357729738
HARTMANN6_MIN = -3.322368011391339

H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
H6_ALPHA = [1.0, 1.2, 3.0, 3.2]

TEMPLATES = ["plain", "role", "cot", "few_shot", "json"]
STOPS = ["none", "newline", "hash", "period"]


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def hartmann6(p):
    x = [p["x%d" % i] for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock4(p):
    x = [p["x%d" % i] for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


# A mixed surface that mimics prompt tuning: each template has its own accuracy ceiling and best
# temperature, needs a number of tokens (answers get truncated below it), and each stop sequence
# helps some templates and hurts others. Loss = 1 - accuracy, optimum 1 - 0.86 = 0.14.
TEMPLATE_CEILING = {"plain": 0.62, "role": 0.68, "cot": 0.86, "few_shot": 0.80, "json": 0.74}
TEMPLATE_BEST_T = {"plain": 0.2, "role": 0.5, "cot": 0.7, "few_shot": 0.3, "json": 0.0}
TEMPLATE_TOKENS = {"plain": 24, "role": 40, "cot": 180, "few_shot": 60, "json": 96}
STOP_EFFECT = {  # (template, stop) -> accuracy change
    ("plain", "newline"): 0.05, ("role", "newline"): 0.04, ("cot", "newline"): -0.30, ("few_shot", "newline"): 0.02,
    ("json", "newline"): -0.20, ("plain", "hash"): 0.0, ("cot", "hash"): 0.0, ("few_shot", "hash"): 0.04,
    ("json", "hash"): -0.05, ("plain", "period"): 0.03, ("role", "period"): -0.02, ("cot", "period"): -0.25,
    ("few_shot", "period"): -0.04, ("json", "period"): -0.35,
}
PROMPT_OPT = 1 - 0.86


def prompt_accuracy(p):
    t = p["template"]
    acc = TEMPLATE_CEILING[t]
    acc -= 0.35 * (p["temperature"] - TEMPLATE_BEST_T[t]) ** 2
    acc -= 0.25 * max(0.0, p["top_p"] - 0.9) ** 2 * 10 * p["temperature"]
    need = TEMPLATE_TOKENS[t]
    if p["max_tokens"] < need:
        acc *= (p["max_tokens"] / need) ** 2
    else:
        acc -= 0.0002 * (p["max_tokens"] - need) ** 0.5  # long budgets ramble a little
    acc += STOP_EFFECT.get((t, p["stop"]), 0.0)
    return max(0.0, acc)


def prompt_loss(p):
    return 1 - prompt_accuracy(p)


# name -> (function, space as promptune JSON, optimum)
SPACES = {
    "branin": (branin, [{"name": "x1", "type": "float", "low": -5, "high": 10},
                        {"name": "x2", "type": "float", "low": 0, "high": 15}], BRANIN_MIN),
    "hartmann6": (hartmann6, [{"name": "x%d" % i, "type": "float", "low": 0, "high": 1} for i in range(6)], HARTMANN6_MIN),
    "rosenbrock4": (rosenbrock4, [{"name": "x%d" % i, "type": "float", "low": -2.048, "high": 2.048} for i in range(4)], 0.0),
    "prompt": (prompt_loss, [{"name": "template", "type": "categorical", "choices": TEMPLATES},
                             {"name": "temperature", "type": "float", "low": 0.0, "high": 1.5},
                             {"name": "top_p", "type": "float", "low": 0.5, "high": 1.0},
                             {"name": "max_tokens", "type": "int", "low": 16, "high": 512, "log": True},
                             {"name": "stop", "type": "categorical", "choices": STOPS}], PROMPT_OPT),
}
