#!/usr/bin/env bash
# Installs the C toolchain from Debian by name and fetches the pinned libwebp source package.
# Usage: wasm/fetch.sh <work dir>   (prints the unpacked source dir on the last line)
set -euo pipefail

LIBWEBP_DEB_VERSION="1.5.0-0.1"   # trixie's source package
LIBWEBP_ORIG="libwebp_1.5.0.orig.tar.gz"
LIBWEBP_ORIG_SHA256="7d6fab70cf844bf6769077bd5d7a74893f8ffd4dfb42861745750c63c2a5c92c"
APT_OPTS=(-o DPkg::Lock::Timeout=600)
SRC_LIST=/etc/apt/sources.list.d/libwebp-trixie-src.sources

work="${1:?work dir}"
mkdir -p "$work"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
for p in clang lld wasi-libc libclang-rt-dev-wasm32; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$p")
done
if ! grep -rqs "trixie" /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null ||
   ! grep -rqs "deb-src" /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
  as_root tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  updated=0
else
  updated=1
fi
if [ ${#need_pkgs[@]} -gt 0 ] || [ "$updated" = 0 ] || [ ! -f "$work/$LIBWEBP_ORIG" ]; then
  # `apt-get update` does not wait for the lists lock like install does: retry while another apt holds it.
  for _ in $(seq 60); do as_root apt-get "${APT_OPTS[@]}" update -qq && break; sleep 10; done
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${need_pkgs[@]}"
fi
if [ ! -f "$work/$LIBWEBP_ORIG" ]; then
  (cd "$work" && apt-get "${APT_OPTS[@]}" source --download-only "libwebp=$LIBWEBP_DEB_VERSION")
fi
echo "$LIBWEBP_ORIG_SHA256  $work/$LIBWEBP_ORIG" | sha256sum -c - >&2
src="$work/libwebp-1.5.0"
if [ ! -d "$src/src/dec" ]; then
  tar -xzf "$work/$LIBWEBP_ORIG" -C "$work"
fi
echo "$src"
