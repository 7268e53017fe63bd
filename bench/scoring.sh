#!/usr/bin/env bash
# Scoring throughput of the change model on pipeline tiles (256 px cores + 16 px context) of the SZTAKI pairs in
# ../shared/data, on every core: the chain the pipeline runs (CascadeChangeScorer: preparation, gate, features, ensemble,
# smoothing, mask, type) with the time of each step, the pixel model at stride 1, and the CVA + Otsu peer in the same
# run (best of --repeat rounds each). Last line: one JSON object.
#   bash bench/scoring.sh [--model v2] [--stride 1-4] [--repeat 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/../shared/data/sztaki"
if [[ ! -d "$data" ]]; then
  echo "bench/scoring.sh needs the SZTAKI pairs in $data (see ../shared/data/SOURCES.md)" >&2
  exit 2
fi
project="$root/ml-models/ChangeWatch.Training/ChangeWatch.Training.csproj"
dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >&2
cd "$root"
exec dotnet "$root/ml-models/ChangeWatch.Training/bin/Release/net10.0/ChangeWatch.Training.dll" bench-scoring --data "$data" "$@"
