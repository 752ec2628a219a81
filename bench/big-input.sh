#!/usr/bin/env bash
# An 8 GiB input through `tangent4j forward` (issue 14): x is a sparse .npy of shape (1048576, 1024),
# float64 zeros, through a 1024-8-1 ReLU network on the Java backend; the (1048576, 1) output is
# streamed into a memory-mapped file. Reports peak RSS and wall time (/usr/bin/time -v). Needs python3
# with numpy; the sparse file takes no disk space.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${TMPDIR:-/tmp}/tangent4j-big-input"
mkdir -p "$work"
python3 - "$work" <<'PY'
import sys, numpy as np
d = sys.argv[1]
n, dim = 1 << 20, 1024
header = np.lib.format.header_data_from_array_1_0(np.zeros((0, dim)))
header["shape"] = (n, dim)
with open(d + "/x.npy", "wb") as f:
    np.lib.format.write_array_header_1_0(f, header)
    f.truncate(f.tell() + n * dim * 8)     # sparse: reads as zeros
rng = np.random.default_rng(8)
np.savez(d + "/m.npz", **{"0.weight": rng.standard_normal((8, dim)) / 32, "0.bias": rng.standard_normal(8),
                          "2.weight": rng.standard_normal((1, 8)), "2.bias": rng.standard_normal(1)})
PY
ls -ls "$work/x.npy"
"$root/tangent4j" --version >/dev/null
/usr/bin/time -v "$root/tangent4j" forward --backend java --model "$work/m.npz" --x "$work/x.npy" \
    --out "$work/y.npy" 2> "$work/time.txt" || { cat "$work/time.txt"; exit 1; }
grep -E "Maximum resident|Elapsed \(wall" "$work/time.txt"
python3 - "$work" <<'PY'
import sys, numpy as np
d = sys.argv[1]
m = np.load(d + "/m.npz")
y = np.load(d + "/y.npy", mmap_mode="r")
expected = m["2.weight"] @ np.maximum(m["0.bias"], 0) + m["2.bias"]   # f(0)
print("output", y.shape, y.dtype, "all equal f(0):", bool(np.allclose(y, expected[0], rtol=1e-12, atol=1e-12)))
PY
rm -f "$work/x.npy" "$work/y.npy"
