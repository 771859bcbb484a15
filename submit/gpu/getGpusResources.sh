#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript, spark.driver.resource.gpu.discoveryScript):
# prints the GPUs this executor may use as Spark's resource JSON, e.g. {"name": "gpu", "addresses": ["0", "1"]}.
#
# - With CUDA_VISIBLE_DEVICES set (a resource manager isolating GPUs), CUDA numbers the visible devices 0..n-1
#   inside the process, and those are the addresses dvgs-spark passes to PyTorch.
# - Otherwise every GPU nvidia-smi lists, by index.
# - No nvidia-smi or no GPU: no addresses; Spark then refuses to start an executor that asked for a GPU, with a
#   message naming the resource.
set -euo pipefail

addresses=()
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && [ "${CUDA_VISIBLE_DEVICES}" != "NoDevFiles" ]; then
  IFS=',' read -r -a visible <<< "$CUDA_VISIBLE_DEVICES"
  for i in "${!visible[@]}"; do
    [ -n "${visible[$i]// /}" ] && addresses+=("$i")
  done
elif command -v nvidia-smi > /dev/null 2>&1; then
  while read -r index; do
    index="${index// /}"
    [[ "$index" =~ ^[0-9]+$ ]] && addresses+=("$index")
  done < <(nvidia-smi --query-gpu=index --format=csv,noheader 2> /dev/null || true)
fi

json=""
for a in "${addresses[@]+"${addresses[@]}"}"; do
  json+="${json:+, }\"$a\""
done
echo "{\"name\": \"gpu\", \"addresses\": [${json}]}"
