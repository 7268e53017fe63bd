#!/usr/bin/env bash
# Evaluates a change model on a labelled dataset (see README, "Model"):
#   bash ml-models/eval.sh --data DIR --dataset oscd|sztaki|levir [--model VERSION] [--mode shipped|loso|cross] [--json]
#   bash ml-models/eval.sh --dataset synthetic [--model VERSION] [--json]   (generated from seeds; --data is not read)
# Builds the trainer (Release) if needed, then runs its eval verb. Other options of the verb pass through.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/ml-models/ChangeWatch.Training/ChangeWatch.Training.csproj"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --json) args+=(--json true); shift ;;
    --data) args+=(--data "$(cd "$2" && pwd)"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >&2
dll="$root/ml-models/ChangeWatch.Training/bin/Release/net10.0/ChangeWatch.Training.dll"
cd "$root"
exec dotnet "$dll" eval "${args[@]}"
