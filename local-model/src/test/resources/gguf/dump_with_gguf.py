#!/usr/bin/env python3
"""Prints a GGUF file's metadata and tensors as read by PyPI's gguf.GGUFReader, one line each:
  kv KEY TYPE VALUE            (arrays: TYPE is ARRAY/ELEMTYPE and VALUE is length:first,values,...)
  tensor NAME TYPE DIMS SHA256 (DIMS in ggml order, SHA256 of the tensor's bytes)
GgufWriterTest compares this with what it wrote. Usage: python3 dump_with_gguf.py FILE"""
import hashlib
import sys

from gguf import GGUFReader, GGUFValueType


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "float"  # compared by type only: float text differs between languages
    return str(v)


def main(path):
    r = GGUFReader(path)
    for key, field in r.fields.items():
        if key.startswith("GGUF."):
            continue
        t = field.types[0]
        if t == GGUFValueType.ARRAY:
            vals = field.contents()
            head = ",".join(fmt(v) for v in vals[:3])
            # the element type from the raw header (field.types omits it for empty arrays)
            elem = GGUFValueType(int(field.parts[3][0]))
            print(f"kv {key} ARRAY/{elem.name} {len(vals)}:{head}")
        else:
            print(f"kv {key} {t.name} {fmt(field.contents())}")
    for t in r.tensors:
        dims = ",".join(str(int(d)) for d in t.shape)
        print(f"tensor {t.name} {t.tensor_type.name} {dims} {hashlib.sha256(t.data.tobytes()).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv[1])
