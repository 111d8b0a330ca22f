#!/usr/bin/env python3
"""Renders every chat template in a directory with Python's Jinja2 set up as Hugging Face transformers
does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, raise_exception, tojson with Python's
json.dumps layout, strftime_now), for a few conversations, and writes the outputs (or the exception
message) as a test fixture for the Java ChatTemplate (local-model ChatTemplateReferenceTest).
strftime_now is pinned to 2024-07-26 10:00 so the fixture does not depend on the day it was made.

usage: make_chat_template_reference.py TEMPLATE_DIR OUT.json [--model-template NAME=GGUF ...]
"""
import argparse
import datetime
import json
import os

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2024, 7, 26, 10, 0, 0)

CONVERSATIONS = {
    "system_user_assistant_user": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3? Answer with \"a number\"\n  please."},
    ],
    "user_assistant_user": [
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me a joke."},
    ],
    "user": [{"role": "user", "content": "Translate 'chat' to English."}],
}


class TemplateError(Exception):
    pass


class GenerationTag(jinja2.ext.Extension):
    """{% generation %}...{% endgeneration %}: transformers marks assistant text with it; renders the body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.Scope(body, lineno=lineno)


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_NOW.strftime(fmt)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, messages, add_generation_prompt):
    try:
        out = env.from_string(source).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                              bos_token="<s>", eos_token="</s>")
        return {"output": out}
    except Exception as e:  # the Java side must fail too, with a clear message
        return {"error": "%s: %s" % (type(e).__name__, e)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template_dir")
    ap.add_argument("out")
    args = ap.parse_args()
    env = environment()
    results = []
    for name in sorted(os.listdir(args.template_dir)):
        if not name.endswith(".jinja"):
            continue
        with open(os.path.join(args.template_dir, name), encoding="utf-8") as f:
            source = f.read()
        for conv_name, messages in CONVERSATIONS.items():
            for gen in (True, False):
                r = render(env, source, messages, gen)
                r.update({"template": name, "conversation": conv_name, "add_generation_prompt": gen})
                results.append(r)
    out = {
        "generator": "bench/peers/make_chat_template_reference.py (jinja2 %s)" % jinja2.__version__,
        "bos_token": "<s>", "eos_token": "</s>", "now": FIXED_NOW.isoformat(),
        "conversations": CONVERSATIONS, "results": results,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote %d renderings (%d errors) to %s" % (len(results), sum("error" in r for r in results), args.out))


if __name__ == "__main__":
    main()
