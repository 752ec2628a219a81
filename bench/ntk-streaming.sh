#!/usr/bin/env bash
# The empirical NTK's trace for N = N2 = 50 000 inputs of a 2-256-256-1 ReLU network in F32 (a 10 GB
# output) through `tangent4j ntk --trace`, streamed tile by tile into the memory-mapped .npy, with the Java
# heap capped at 1 GB (-Xmx1g: the run fails if the heap is not bounded). Measures peak RSS and wall time
# with /usr/bin/time -v, then checks with NumPy that the file loads and that spot-checked entries equal the
# kernel computed in memory for those rows and columns. Issue 10. Needs python3 with numpy.
#   bench/ntk-streaming.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-50000}"
work="${TMPDIR:-/tmp}/tangent4j-ntk-streaming"
mkdir -p "$work"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" "$root/bench/wide_relu_data.py" "$work" "$n" 10 16
"$root/tangent4j" --version >/dev/null   # builds the jar if needed, outside the measurement
rm -f "$work/K.npy"
export TANGENT4J_JAVA_OPTS="-Xmx1g"
/usr/bin/time -v "$root/tangent4j" ntk --trace --dtype f32 --backend java --model "$work/m.npz" --x "$work/x.npy" \
    --out "$work/K.npy" 2> "$work/time.log"
"$root/tangent4j" ntk --trace --dtype f32 --backend java --model "$work/m.npz" --x "$work/xi.npy" \
    --x2 "$work/xj.npy" --out "$work/spot.npy"
grep -E 'Maximum resident|Elapsed \(wall' "$work/time.log"
"$py" - "$work" <<'PY'
import sys, numpy as np
d = sys.argv[1]
k = np.load(d + "/K.npy", mmap_mode="r")
idx, jdx = np.load(d + "/idx.npy"), np.load(d + "/jdx.npy")
spot = np.load(d + "/spot.npy")
got = np.asarray(k[np.ix_(idx, jdx)])
rel = np.max(np.abs(got - spot)) / np.max(np.abs(spot))
print(f"file: {k.shape} {k.dtype}, {k.nbytes / 1e9:.1f} GB; symmetric spot check: "
      f"{np.max(np.abs(np.asarray(k[np.ix_(idx, jdx)]) - np.asarray(k[np.ix_(jdx, idx)]).T))}; "
      f"spot entries vs in-memory: max rel diff {rel:.2e}")
assert rel < 1e-5, rel
PY
rm -f "$work/K.npy"
