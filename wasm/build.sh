#!/usr/bin/env bash
# Builds the gateway's two libwebp WebAssembly modules from Debian's pinned
# source package with plain clang (wasm32-wasi, no imports) and the resampler's
# row filter (wasm/row_filter.c, WASM SIMD, no libc), and writes them to
# src/codecs/, where the Worker and Node import them. Run by `npm run build:codecs`.
#   WASM_SIMD=sse2   libwebp's SSE2 code on WASM SIMD, through Emscripten's SSE2 headers
#   WASM_SIMD=sse41  (default) the same with its SSE4.1 code too
#   WASM_SIMD=auto   -msimd128 only (the compiler's own vectorization of the C code)
#   WASM_SIMD=none   scalar WASM
#   (the README's "Codecs" section says why the default is what it is)
#   WASM_CFLAGS="..."  extra compiler flags, to measure a variant (e.g. "-O3 -mbulk-memory")
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
simd="${WASM_SIMD:-sse41}"
case "$simd" in
  none) ;;
  auto) cflags+=(-msimd128) ;;
  sse2 | sse41)
    # Debian's emscripten package ships <emmintrin.h> & co. implemented on <wasm_simd128.h>;
    # only those headers are used (clang compiles, no Emscripten runtime). libwebp's cpu.c reads
    # EMSCRIPTEN as "trust the compile flags for SIMD support", its documented WASM SIMD path.
    compat="$work/emscripten/usr/share/emscripten/system/include/compat"
    if [ ! -f "$compat/emmintrin.h" ]; then
      (cd "$work" && apt-get -o DPkg::Lock::Timeout=600 download emscripten >&2 &&
        dpkg-deb -x emscripten_*_all.deb "$work/emscripten")
    fi
    cflags+=(-msimd128 -DEMSCRIPTEN -D__SSE__ -D__SSE2__ -isystem "$compat")
    if [ "$simd" = sse41 ]; then cflags+=(-D__SSE3__ -D__SSSE3__ -D__SSE4_1__); fi
    ;;
  *) echo "unknown WASM_SIMD=$simd" >&2; exit 2 ;;
esac
# Memory never exceeds what a Worker isolate has: a larger request fails inside libwebp
# (an out-of-memory status), not in the runtime. The stack comes first, so an overflow traps.
ldflags=(--target=wasm32-wasi -nostdlib -nostartfiles -Wl,--no-entry -Wl,--stack-first -Wl,-z,stack-size=524288
  -Wl,--max-memory=134217728 -Wl,--gc-sections -Wl,--strip-all -L/usr/lib/wasm32-wasi
  "$(clang --print-resource-dir)/lib/wasi/libclang_rt.builtins-wasm32.a")

read -r -a extra <<<"${WASM_CFLAGS:-}"
cflags+=("${extra[@]}")
objs="$work/obj-$simd$(printf '%s' "${extra[*]}" | tr -c 'A-Za-z0-9\n' _ | sed 's/^./-&/')"
mkdir -p "$objs"
compile_list() { # prints object paths, compiling what is missing (or a shim, always) two at a time
  local files=("$@")
  printf '%s\n' "${files[@]}" | xargs -P 2 -I{} sh -c '
    o="$0/$(echo "{}" | tr / _).o"
    case "{}" in /*) rm -f "$o" ;; esac
    [ -f "$o" ] || clang "$@" -c "{}" -o "$o"' "$objs" "${cflags[@]}"
  for f in "${files[@]}"; do echo "$objs/$(echo "$f" | tr / _).o"; done
}
cd "$src"
shared=(src/dsp/*.c src/utils/*.c)
mapfile -t dec_objs < <(compile_list src/dec/*.c src/demux/demux.c "${shared[@]}" "$here/webp_dec.c")
mapfile -t enc_objs < <(compile_list src/enc/*.c sharpyuv/*.c "${shared[@]}" "$here/webp_enc.c")

mkdir -p "$out"
clang "${ldflags[@]}" "${dec_objs[@]}" -lc -o "$out/libwebp-dec.wasm"
# The encoder imports its memory (env.memory, 16 pages to start): the adapter gives each call a
# maximum from the memory budget, so libwebp's token buffer, which grows with the output, stops
# at it with an out-of-memory status (then the adapter encodes again with low_memory).
clang "${ldflags[@]}" -Wl,--import-memory -Wl,--initial-memory=1048576 "${enc_objs[@]}" -lc -o "$out/libwebp-enc.wasm"
# The row filter: per-sample loops on memory the caller lays out, so no libc and no allocator; always
# WASM SIMD (its whole point). The first 64 KiB page holds only its stack; the adapter grows
# the memory once per resampler for the rows.
clang --target=wasm32 -nostdlib -ffreestanding -O2 -msimd128 -mnontrapping-fptoint -Wl,--no-entry -Wl,--stack-first \
  -Wl,-z,stack-size=4096 -Wl,--initial-memory=65536 -Wl,--max-memory=67108864 -Wl,--strip-all \
  "$here/row_filter.c" -o "$out/row-filter.wasm"
chmod 644 "$out/libwebp-dec.wasm" "$out/libwebp-enc.wasm" "$out/row-filter.wasm"
ls -l "$out/libwebp-dec.wasm" "$out/libwebp-enc.wasm" "$out/row-filter.wasm" >&2
