#!/usr/bin/env bash
# Packs what a run on a bare GPU machine needs (see README "Running on a GPU"):
# ../shared/tools/gpu-pack.sh over a production-only install, because the dev tools
# (typescript, vitest, playwright) would push the pack past the 64 MiB a device run carries.
#   bash benchmarks/gpu-pack.sh            -> .gpu-pack/ (git-ignored)
#   then, on the GPU machine: bash .gpu-pack/enter.sh bash benchmarks/gpu-run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$tmp/"
git -C "$tmp" init -q
(cd "$tmp" && npm ci --omit=dev --no-audit --no-fund >/dev/null 2>&1)
bash "$shared/tools/gpu-pack.sh" "$tmp"
rm -rf "$root/.gpu-pack"
mv "$tmp/.gpu-pack" "$root/.gpu-pack"
