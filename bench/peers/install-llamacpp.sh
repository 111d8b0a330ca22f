#!/usr/bin/env bash
# Makes sure the peer, llama.cpp through llama-cpp-python (PyPI; pip builds llama.cpp from source for this CPU),
# is installed and runs on MODEL. Used by bench/run-engine-bench.sh and bench/e2e/run.sh.
#
# A native build turns on every instruction set the CPU advertises. On this workplace's Intel VMs (2026-11-25)
# that included AMX, and ggml's AMX matmul died with a general protection fault in `ldtilecfg` on the first
# prompt. So when a short run on MODEL fails, the build is redone without AMX, naming every other instruction set
# the CPU has (AVX-512, VNNI, ...), so the peer stays as fast as it can run here.
#
# usage: bench/peers/install-llamacpp.sh MODEL.gguf
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${1:?usage: install-llamacpp.sh MODEL.gguf}"
version="0.3.36" # the version every table in bench/RESULTS.md was measured with

runs() { python3 "$here/llamacpp_bench.py" "$model" --threads 2 --prompt-tokens 8 --gen-tokens 2 --reps 1 >/dev/null 2>&1; }

install() { # $1: CMAKE_ARGS for llama.cpp's build ("" = native)
  echo "installing llama-cpp-python $version from PyPI (builds llama.cpp from source; takes 5-15 minutes)${1:+ with $1}" >&2
  CMAKE_ARGS="$1" python3 -m pip install --quiet --force-reinstall --no-cache-dir --no-deps "llama-cpp-python==$version" >&2
  python3 -m pip install --quiet "llama-cpp-python==$version" >&2 # its Python dependencies, if missing
}

# ggml's CMake options for the instruction sets /proc/cpuinfo lists, AMX left out.
without_amx() {
  local flags args="-DGGML_NATIVE=OFF"
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  has() { local f; for f in "$@"; do [[ "$flags" == *" $f "* ]] || return 1; done; }
  has avx && args+=" -DGGML_AVX=ON"
  has avx2 && args+=" -DGGML_AVX2=ON"
  has fma && args+=" -DGGML_FMA=ON"
  has f16c && args+=" -DGGML_F16C=ON"
  has bmi2 && args+=" -DGGML_BMI2=ON"
  has avx_vnni && args+=" -DGGML_AVX_VNNI=ON"
  has avx512f avx512cd avx512vl avx512dq avx512bw && args+=" -DGGML_AVX512=ON"
  has avx512vbmi && args+=" -DGGML_AVX512_VBMI=ON"
  has avx512_vnni && args+=" -DGGML_AVX512_VNNI=ON"
  has avx512_bf16 && args+=" -DGGML_AVX512_BF16=ON"
  echo "$args"
}

if python3 -c "import llama_cpp" 2>/dev/null && runs; then exit 0; fi
python3 -c "import llama_cpp" 2>/dev/null || install ""
runs && exit 0
echo "llama.cpp failed a short run on $model; rebuilding it without AMX" >&2
install "$(without_amx)"
runs || { echo "llama.cpp (llama-cpp-python $version) still fails on $model: see python3 $here/llamacpp_bench.py $model" >&2; exit 1; }
