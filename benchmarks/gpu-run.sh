#!/usr/bin/env bash
# The measured GPU section of the leaderboard, prepared for a machine with an NVIDIA GPU: the
# GPU suite (benchmarks/gpu.json: classification, generation, summarization on the hub mirror's
# models), inference on the GPU (WebGPU) and on the CPU, --meter auto (NVML, plus RAPL where
# readable), records under results/published/<accelerator>/. It first prints `npm run meters`:
# the NVML counter's update period, persistence mode, the GPU's name and driver.
# On a bare GPU machine (no node, no registry), after `bash ../shared/tools/gpu-pack.sh` here:
#   bash .gpu-pack/enter.sh bash benchmarks/gpu-run.sh
# Records are committed as written; nothing in them is edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${SAMPLES:-200}
suite=${SUITE:-gpu}
name=$(nvidia-smi --query-gpu=name --format=csv,noheader,nounits | head -n1)
slug=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9]+/-/g; s/^-+|-+$//g')
out="${OUT:-results/published/$slug}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
echo "GPU: $name -> $out"
npm run --silent meters
status=0
for device in webgpu cpu; do
  npm run --silent bench -- --suite "$suite" --device "$device" --meter auto --samples "$samples" \
    --out "$out" --run-id "$stamp-$device" || status=$?
done
npm run --silent leaderboard -- --in "$out" --out "$out" --format md,csv,json >/dev/null || status=$?
exit "$status"
