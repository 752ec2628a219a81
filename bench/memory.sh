#!/usr/bin/env bash
# Peak memory (RSS) and wall time of `tangent4j forward` on the Java backend for N = 5,000,000 rows,
# D = 2, a 2-64-64-1 ReLU network (issue 14): 80 MB in, 40 MB out. Measured with /usr/bin/time -v, for
# the default working-set cap of the Java backend and for the values given as arguments (bytes; 0 means
# uncapped, i.e. "all free memory" as before the cap). Needs python3 with numpy to make the inputs.
#   bench/memory.sh [CAP_BYTES ...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/tangent4j-memory-bench"
mkdir -p "$work"
if [ ! -f "$work/x.npy" ]; then
    python3 - "$work" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(14)
np.save(d + "/x.npy", rng.standard_normal((5_000_000, 2)))
w = {}
for i, (o, n) in enumerate([(64, 2), (64, 64), (1, 64)]):
    w[f"{2*i}.weight"] = rng.uniform(-1, 1, (o, n)) / np.sqrt(n)
    w[f"{2*i}.bias"] = rng.uniform(-1, 1, (o,)) / np.sqrt(n)
np.savez(d + "/m.npz", **w)
PY
fi
"$root/tangent4j" --version >/dev/null   # builds the jar if needed, outside the measurement
printf '%-22s %10s %8s %8s\n' "working-set cap" "peak RSS MB" "wall s" "faults"
for cap in default "$@"; do
    opts=""
    if [ "$cap" != default ]; then
        [ "$cap" = 0 ] && opts="-Dtangent4j.java.workingSetBytes=$((1 << 62))" \
            || opts="-Dtangent4j.java.workingSetBytes=$cap"
    fi
    TANGENT4J_JAVA_OPTS="$opts" /usr/bin/time -v "$root/tangent4j" forward --backend java \
        --model "$work/m.npz" --x "$work/x.npy" --out "$work/y.npy" 2> "$work/time.txt"
    rss=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/time.txt")
    faults=$(awk -F': ' '/Minor \(reclaiming a frame\) page faults/ {print $2}' "$work/time.txt")
    printf '%-22s %10s %8s %8s\n' "$cap" "$rss" "$wall" "$faults"
done
python3 -c "import numpy as np; y = np.load('$work/y.npy'); print('output', y.shape, y.dtype)"
