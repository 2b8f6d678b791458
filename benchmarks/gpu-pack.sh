#!/usr/bin/env bash
# Packs what a run on a bare GPU machine needs (see README "Running on a GPU"):
# ../shared/tools/gpu-pack.sh over a production-only install, because the dev tools
# (typescript, vitest, playwright) would push the pack past the 64 MiB a device run carries,
# and over only the part of the hub mirror that the GPU suite (benchmarks/gpu.json) reads.
#   bash benchmarks/gpu-pack.sh            -> .gpu-pack/ (git-ignored); prints its size
#   then, on the GPU machine: bash .gpu-pack/enter.sh bash benchmarks/gpu-run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
suite=${SUITE:-gpu}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The shared tool packs the hub beside it: give it a copy of itself beside the suite's part of the hub.
mkdir -p "$tmp/shared/tools" "$tmp/shared/hub" "$tmp/install"
cp "$shared/tools/gpu-pack.sh" "$tmp/shared/tools/"
(cd "$root" && JOULEBENCH_HUB="$shared/hub" npx --no-install tsx benchmarks/gpu-hub.ts "$suite") | while read -r folder; do
  mkdir -p "$tmp/shared/hub/$(dirname "$folder")"
  cp -r "$shared/hub/$folder" "$tmp/shared/hub/$folder"
done
cp "$shared/hub/models/PROVENANCE.md" "$tmp/shared/hub/models/" 2>/dev/null || true
cp "$shared/hub/datasets/PROVENANCE.md" "$tmp/shared/hub/datasets/" 2>/dev/null || true
cp "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$tmp/install/"
git -C "$tmp/install" init -q
(cd "$tmp/install" && npm ci --omit=dev --no-audit --no-fund >/dev/null 2>&1)
bash "$tmp/shared/tools/gpu-pack.sh" "$tmp/install"
rm -rf "$root/.gpu-pack"
mv "$tmp/install/.gpu-pack" "$root/.gpu-pack"
echo "packed $(du -sh "$root/.gpu-pack" | cut -f1) in $root/.gpu-pack (the limit is 64 MiB); hub: $(cd "$tmp/shared" && du -sh hub | cut -f1)"
