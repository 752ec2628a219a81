#!/usr/bin/env bash
# Issue 21's side-by-side check: the trace NTK of N = 20 000 inputs of a 2-256-256-1 ReLU network in f32
# (a 1.6 GB Zarr store in the default 2896 x 2896 chunks: 7 x 7 chunks, 28 tasks computed, 21 mirrored)
# written by the single-JVM command (`tangent4j ntk --out K.zarr`) and by the same tiles as a Spark job in
# local[2] (`tangent4j spark --master local[2] ntk --out K.zarr`), each timed wall clock from the command's
# start (JVM and, for Spark, SparkContext start-up included), ROUNDS times alternately; then checks that
# the two stores are identical, byte for byte. Prints the load average before and after (the machine is
# shared). Needs python3 with numpy.
#   bench/scaleout.sh [N] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-20000}"
rounds="${2:-2}"
work="${TMPDIR:-/tmp}/tangent4j-scaleout"
mkdir -p "$work"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" "$root/bench/wide_relu_data.py" "$work" "$n" 21
export SPARK_LOCAL_IP=127.0.0.1
args=(ntk --trace --dtype f32 --backend java --model "$work/m.npz" --x "$work/x.npy")
# Build both jars outside the measurement.
"$root/tangent4j" --version >/dev/null
rm -rf "$work/warm.zarr"
"$root/tangent4j" spark --master 'local[2]' forward --model "$work/m.npz" --x "$work/x.npy" --out "$work/warm.zarr" \
    >/dev/null 2>&1
echo "load before: $(uptime)"
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/err.log" || { cat "$work/err.log"; exit 1; }
    t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
for r in $(seq 1 "$rounds"); do
    rm -rf "$work/single.zarr" "$work/spark.zarr"
    single=$(seconds "$root/tangent4j" "${args[@]}" --out "$work/single.zarr")
    spark=$(seconds "$root/tangent4j" spark --master 'local[2]' "${args[@]}" --out "$work/spark.zarr")
    echo "round $r: single JVM ${single} s, Spark local[2] ${spark} s, ratio $(echo "scale=3; $spark / $single" | bc)"
done
echo "load after: $(uptime)"
diff -r "$work/single.zarr" "$work/spark.zarr" && echo "stores identical: $(ls "$work/spark.zarr" | wc -l) chunk files, $(du -sh "$work/spark.zarr" | cut -f1)"
