#!/usr/bin/env bash
# Scoring throughput of the change model on pipeline tiles (256 px cores + 16 px context) of a labelled dataset in
# ../shared/data (default the SZTAKI pairs; --dataset oscd: the 8 OSCD city scenes, --dataset levir) or of the generated
# quiet set (--dataset quiet: 27 synthetic 1 m scenes, about one tile in twenty changed; needs no ../shared), on every core:
# the chain the pipeline runs (CascadeChangeScorer: preparation, gate, features, ensemble, smoothing, mask, type,
# objects) with the time of each step, the issue's measure (preparation + features + model), the pixel model alone and
# at stride 1, and the CVA + Otsu peer in the same run (best of --repeat rounds each). Last line: one JSON object.
#   bash bench/scoring.sh [--dataset sztaki|oscd|levir|quiet] [--model v2] [--stride 1-4] [--gate 0-1] [--repeat 3] [--profile]
# --profile: instead, one thread's CPU milliseconds per tile of each part (co-registration, cloud masks, features, model).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dataset=sztaki
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dataset) dataset="$2"; shift 2 ;;
    --profile) args+=(--profile true); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
data="$root/../shared/data/$dataset"
if [[ "$dataset" == quiet ]]; then
  data=()
elif [[ ! -d "$data" ]]; then
  echo "bench/scoring.sh needs the $dataset pairs in $data (see ../shared/data/SOURCES.md)" >&2
  exit 2
else
  data=(--data "$data")
fi
project="$root/ml-models/ChangeWatch.Training/ChangeWatch.Training.csproj"
dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >&2
cd "$root"
exec dotnet "$root/ml-models/ChangeWatch.Training/bin/Release/net10.0/ChangeWatch.Training.dll" bench-scoring "${data[@]}" --dataset "$dataset" "${args[@]}"
