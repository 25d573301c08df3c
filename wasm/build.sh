#!/usr/bin/env bash
# Builds the gateway's two libwebp WebAssembly modules from Debian's pinned
# source package with plain clang (wasm32-wasi, no imports) and writes them to
# src/codecs/, where the Worker and Node import them. Run by `npm run build:codecs`.
#   WASM_SIMD=1   add -msimd128 (see the README's codec section for why the default is what it is)
#   WORK_DIR=...  where sources and objects go (default: /tmp/webp-wasm-build)
#   OUT_DIR=...   where the .wasm files go (default: src/codecs)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="${WORK_DIR:-/tmp/webp-wasm-build}"
out="${OUT_DIR:-$repo/src/codecs}"
src="$("$here/fetch.sh" "$work" | tail -n 1)"

cflags=(--target=wasm32-wasi --sysroot=/ -isystem /usr/include/wasm32-wasi -O2 -DNDEBUG
  -ffunction-sections -fdata-sections -fno-exceptions -Wno-unused-command-line-argument -I"$src")
if [ "${WASM_SIMD:-0}" = 1 ]; then cflags+=(-msimd128); fi
# Memory never exceeds what a Worker isolate has: a larger request fails inside libwebp
# (an out-of-memory status), not in the runtime. The stack comes first, so an overflow traps.
ldflags=(--target=wasm32-wasi -nostdlib -nostartfiles -Wl,--no-entry -Wl,--stack-first -Wl,-z,stack-size=524288
  -Wl,--max-memory=134217728 -Wl,--gc-sections -Wl,--strip-all -L/usr/lib/wasm32-wasi
  "$(clang --print-resource-dir)/lib/wasi/libclang_rt.builtins-wasm32.a")

objs="$work/obj-simd${WASM_SIMD:-0}"
mkdir -p "$objs"
compile_list() { # prints object paths, compiling what is missing two at a time
  local files=("$@")
  printf '%s\n' "${files[@]}" | xargs -P 2 -I{} sh -c '
    o="$0/$(echo "{}" | tr / _).o"
    [ -f "$o" ] || clang "$@" -c "{}" -o "$o"' "$objs" "${cflags[@]}"
  for f in "${files[@]}"; do echo "$objs/$(echo "$f" | tr / _).o"; done
}
cd "$src"
shared=(src/dsp/*.c src/utils/*.c)
mapfile -t dec_objs < <(compile_list src/dec/*.c src/demux/demux.c "${shared[@]}" "$here/webp_dec.c")
mapfile -t enc_objs < <(compile_list src/enc/*.c sharpyuv/*.c "${shared[@]}" "$here/webp_enc.c")

mkdir -p "$out"
clang "${ldflags[@]}" "${dec_objs[@]}" -lc -o "$out/libwebp-dec.wasm"
clang "${ldflags[@]}" "${enc_objs[@]}" -lc -o "$out/libwebp-enc.wasm"
ls -l "$out/libwebp-dec.wasm" "$out/libwebp-enc.wasm" >&2
