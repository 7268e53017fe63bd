#!/usr/bin/env bash
# Tiling benchmark (issue 4): ChangeWatch against gdal_retile.py on 4-band uint16 GeoTIFFs, tiled 256 px, Deflate.
#
#   bash bench/tiling.sh [size ...]        default sizes: 8000 20000 (pixels a side)
#
# For each size it generates a scene (smooth fields plus noise, written raw by the bench driver and turned into a
# tiled 256 px Deflate GeoTIFF, EPSG:32633, by gdal_translate; generation is not timed), then tiles it on a 256 px grid:
#   - ChangeWatch: bench/ChangeWatch.Bench.Tiling (Release), the pipeline's code path: RasterDecoder.ReadWindow per tile
#     window + GeoTiffTileCodec.Encode (float32, Deflate level 2, floating-point predictor, nodata nan) to local files,
#     one worker per core; peak RSS is the process's VmHWM;
#   - GDAL: gdal_retile.py -ps 256 256 -co COMPRESS=DEFLATE (uint16 tiles, its defaults otherwise).
# Prints wall time, megapixels per second, ratio ChangeWatch/GDAL and ChangeWatch's peak RSS per size, and ends with
# one JSON line. Needs gdal-bin and python3-gdal (not installed in CI) and about 10 GB free under $TMPDIR (or /tmp).
set -euo pipefail

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(8000 20000)
BANDS=4
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

for tool in dotnet gdal_translate gdal_retile.py; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/tiling.sh needs $tool (gdal-bin, python3-gdal and the .NET SDK); it is not on PATH." >&2
    exit 2
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cw-tiling.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FREE_KB=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
if [ "$FREE_KB" -lt $((10 * 1024 * 1024)) ]; then
  echo "bench/tiling.sh needs about 10 GB free under $WORK; $((FREE_KB / 1024)) MiB are." >&2
  exit 2
fi

echo "building bench/ChangeWatch.Bench.Tiling (Release)..." >&2
dotnet build "$ROOT/bench/ChangeWatch.Bench.Tiling/ChangeWatch.Bench.Tiling.csproj" -c Release -o "$WORK/bin" -v q -nologo >&2
DRIVER="$WORK/bin/ChangeWatch.Bench.Tiling"
CORES=$(nproc)

now() { date +%s.%N; }
RESULTS=()
printf '%-7s %-12s %9s %9s %9s %10s %9s %7s\n' size tool seconds MP/s s/MP rss_MiB tiles_MiB ratio
for SIZE in "${SIZES[@]}"; do
  SCENE="$WORK/scene_$SIZE"
  "$DRIVER" raw "$SCENE.raw" "$SIZE" "$BANDS"
  printf 'ENVI\nsamples = %d\nlines = %d\nbands = %d\nheader offset = 0\ndata type = 12\ninterleave = bip\nbyte order = 0\n' \
    "$SIZE" "$SIZE" "$BANDS" > "$SCENE.hdr"
  gdal_translate -q -of GTiff -a_srs EPSG:32633 -a_ullr 500000 4600000 $((500000 + SIZE * 10)) $((4600000 - SIZE * 10)) \
    -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256 -co COMPRESS=DEFLATE -co PREDICTOR=2 -co BIGTIFF=IF_SAFER \
    -co NUM_THREADS=ALL_CPUS "$SCENE.raw" "$SCENE.tif"
  rm -f "$SCENE.raw" "$SCENE.hdr"
  cat "$SCENE.tif" > /dev/null # both tools start from a warm page cache

  mkdir -p "$WORK/gdal_$SIZE"
  T0=$(now)
  gdal_retile.py -q -ps 256 256 -co COMPRESS=DEFLATE -targetDir "$WORK/gdal_$SIZE" "$SCENE.tif"
  GDAL_S=$(echo "$(now) - $T0" | bc -l)
  GDAL_MIB=$(du -sb "$WORK/gdal_$SIZE" | awk '{printf "%.1f", $1 / 1048576}')
  rm -rf "$WORK/gdal_$SIZE"

  T0=$(now)
  CW_JSON=$("$DRIVER" tile "$SCENE.tif" "$WORK/cw_$SIZE" "$CORES")
  CW_S=$(echo "$(now) - $T0" | bc -l)
  CW_TILES=$(ls "$WORK/cw_$SIZE" | wc -l)
  CW_MIB=$(du -sb "$WORK/cw_$SIZE" | awk '{printf "%.1f", $1 / 1048576}')
  rm -rf "$WORK/cw_$SIZE" "$SCENE.tif"
  RSS=$(sed -E 's/.*"peak_rss_mib":([0-9.]+).*/\1/' <<<"$CW_JSON")

  MP=$(echo "$SIZE * $SIZE / 1000000" | bc -l)
  read -r CW_MPS GDAL_MPS CW_SPMP GDAL_SPMP RATIO < <(awk -v mp="$MP" -v c="$CW_S" -v g="$GDAL_S" \
    'BEGIN { printf "%.2f %.2f %.5f %.5f %.3f\n", mp / c, mp / g, c / mp, g / mp, c / g }')
  printf '%-7s %-12s %9.2f %9.2f %9.5f %10s %9s %7s\n' "$SIZE" changewatch "$CW_S" "$CW_MPS" "$CW_SPMP" "$RSS" "$CW_MIB" "$RATIO"
  printf '%-7s %-12s %9.2f %9.2f %9.5f %10s %9s %7s\n' "$SIZE" gdal_retile "$GDAL_S" "$GDAL_MPS" "$GDAL_SPMP" - "$GDAL_MIB" -
  RESULTS+=("$(printf '{"size":%d,"megapixels":%.1f,"tiles":%d,"changewatch":{"seconds":%.3f,"mp_per_s":%.2f,"peak_rss_mib":%s,"tiles_mib":%s},"gdal":{"seconds":%.3f,"mp_per_s":%.2f,"tiles_mib":%s},"ratio_vs_gdal":%.3f}' \
    "$SIZE" "$MP" "$CW_TILES" "$CW_S" "$CW_MPS" "$RSS" "$CW_MIB" "$GDAL_S" "$GDAL_MPS" "$GDAL_MIB" "$RATIO")")
done

# Summary: worst ratio, peak RSS at the largest size, spread of ChangeWatch's seconds per megapixel across sizes.
JOINED=$(IFS=,; echo "${RESULTS[*]}")
python3 - "$JOINED" "$CORES" <<'PY'
import json, sys
runs = json.loads("[" + sys.argv[1] + "]")
per_mp = [r["changewatch"]["seconds"] / r["megapixels"] for r in runs]
spread = (max(per_mp) / min(per_mp) - 1) * 100
summary = {
    "bench": "tiling",
    "tile_size": 256, "bands": 4, "sample": "uint16", "compression": "deflate", "cores": int(sys.argv[2]),
    "sizes": [r["size"] for r in runs],
    "changewatch_seconds": [r["changewatch"]["seconds"] for r in runs],
    "changewatch_mp_per_s": [r["changewatch"]["mp_per_s"] for r in runs],
    "gdal_seconds": [r["gdal"]["seconds"] for r in runs],
    "gdal_mp_per_s": [r["gdal"]["mp_per_s"] for r in runs],
    "ratio_vs_gdal": max(r["ratio_vs_gdal"] for r in runs),
    "ratios_vs_gdal": [r["ratio_vs_gdal"] for r in runs],
    "peak_rss_mib": runs[-1]["changewatch"]["peak_rss_mib"],
    "seconds_per_mp_spread_pct": round(spread, 1),
    "runs": runs,
}
print(f"worst ratio ChangeWatch/GDAL {summary['ratio_vs_gdal']:.3f}; peak RSS at {runs[-1]['size']}^2 {summary['peak_rss_mib']} MiB; "
      f"ChangeWatch s/MP spread across sizes {spread:.1f} %", file=sys.stderr)
print(json.dumps(summary, separators=(",", ":")))
PY
