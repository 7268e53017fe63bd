#!/usr/bin/env bash
# Scoring throughput of the change model on pipeline tiles (256 px cores + 16 px context) of the SZTAKI pairs in
# ../shared/data, on every core: pixel model on every tile (per-step breakdown), cascade (tile model gate, then the
# pixel model), and the CVA + Otsu peer in the same run. Last line: one JSON object.
#   bash bench/scoring.sh [--model v2] [--gate 0.5] [--repeat 2]
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
