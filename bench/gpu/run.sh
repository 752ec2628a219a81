#!/usr/bin/env bash
# The GPU benchmark run, for a GPU machine with no JDK and no Maven: everything runs on the distribution's
# bundled runtime (its jlink image includes the modules JMH needs). About 7 minutes on an H200 (estimated
# from the step counts; not yet run on one).
#   1. the card (nvidia-smi), `tangent4j info` and `tangent4j selftest --backend cuda`
#   2. the PyTorch peer (bench/peers/torch_peer.py) on the same device, when python3 has torch with CUDA
#   3. JMH, impl=cuda and impl=java: GemmBench (4096^3, 8192^3, 262144x512x512), ForwardBench (N = 100 000
#      on the device and host to host), PatternsBench (packed to host, and its two hidden GEMMs);
#      impl=cuda (FAMILY_IMPLS=cuda,java adds java): JacobianBench, NtkBench, AnalyticKernelBench,
#      JacobianKernelBench. Short settings: one fork, 1 warm-up and 3 measured iterations of 0.5 s; each
#      step is stopped after STEP_TIMEOUT seconds (default 300), and JMH ends JMH_BUDGET seconds (default
#      480) after the start at the latest (the step then running is stopped, later ones are skipped), so
#      that the whole run fits in 10 minutes with the report.
#   4. bench/gpu/report.py: $OUT/gpu-table.md, the GPU rows for bench/RESULTS.md with the card's name and
#      the speed ratios tangent4j / PyTorch from this run; bench/families.py: $OUT/families-*.md (GEMM
#      efficiency of the Jacobian and NTK rows)
# Everything it writes goes to $OUT (default bench/target/gpu).
#
# Usage: bench/gpu/run.sh [--dist DIR|ARCHIVE] [--jar benchmarks.jar] [--quick]
#   --dist   the unpacked distribution, or its .tar.gz/.tar.xz (default: java/target/tangent4j-*-linux-x86_64.tar.*)
#   --jar    the JMH jar (default: bench/target/benchmarks.jar; build both with ./mvnw -Pdist package)
#   --quick  tiny sizes, impl=java unless CUDA loads, PyTorch on the CPU: a smoke test of the script itself
# Environment: OUT, PYTHON (default python3), FAMILY_IMPLS (default cuda), JMH_TIME (default 500ms),
# STEP_TIMEOUT (default 300), JMH_BUDGET (default 480).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT:-$root/bench/target/gpu}"
mkdir -p "$out"
dist=""
jar="$root/bench/target/benchmarks.jar"
quick=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dist) dist="$2"; shift 2 ;;
        --jar) jar="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        *) echo "bench/gpu/run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
log() { echo "[gpu-bench $(date -u +%T) +${SECONDS}s] $*" | tee -a "$out/run.log"; }

if [ -z "$dist" ]; then
    for f in "$root"/java/target/tangent4j-*-linux-x86_64.tar.*; do [ -f "$f" ] && dist="$f" && break; done
fi
[ -n "$dist" ] || { echo "bench/gpu/run.sh: no distribution: build it (./mvnw -Pdist package) or pass --dist" >&2; exit 2; }
if [ -f "$dist" ]; then   # an archive: unpack it outside $OUT
    unpacked="$(mktemp -d)"
    trap 'rm -rf "$unpacked"' EXIT
    tar -xf "$dist" -C "$unpacked"
    dist="$(echo "$unpacked"/tangent4j-*)"
fi
java="$dist/runtime/bin/java"
t4j="$dist/bin/tangent4j"
[ -x "$java" ] && [ -x "$t4j" ] || { echo "bench/gpu/run.sh: $dist has no runtime/bin/java or bin/tangent4j" >&2; exit 2; }
[ -f "$jar" ] || { echo "bench/gpu/run.sh: no $jar (./mvnw -Pdist package builds it)" >&2; exit 2; }
py="${PYTHON:-python3}"
t="${JMH_TIME:-500ms}"
step_timeout="${STEP_TIMEOUT:-300}"
budget="${JMH_BUDGET:-480}"

# 1. The machine, and the self-test.
log "distribution $dist, jar $jar, out $out"
gpu="none"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$out/gpu.txt" 2>&1 || true
    gpu="$(head -n 1 "$out/gpu.txt" | cut -d, -f1)"
fi
log "GPU: $gpu; $(nproc) CPU cores"
"$t4j" info >"$out/info.txt" 2>&1 || true
selftest_rc=0
timeout "$step_timeout" "$t4j" selftest --backend cuda $([ "$quick" = 1 ] && echo --quick) \
    >"$out/selftest.txt" 2>&1 || selftest_rc=$?
log "selftest --backend cuda: exit code $selftest_rc ($(tail -n 1 "$out/selftest.txt"))"

# 2. The PyTorch peer on the same device (before JMH, so that the ratios exist even when JMH runs short).
peer_args=(--out "$out/torch.json")
if [ "$quick" = 1 ]; then
    peer_args+=(--quick)
    "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null \
        || peer_args+=(--device cpu)
fi
if "$py" -c 'import torch' 2>/dev/null; then
    start=$SECONDS
    rc=0
    OMP_WAIT_POLICY=PASSIVE timeout "$step_timeout" "$py" "$root/bench/peers/torch_peer.py" "${peer_args[@]}" \
        >"$out/torch.log" 2>&1 || rc=$?
    log "PyTorch peer: exit code $rc, $((SECONDS - start)) s"
else
    log "PyTorch peer skipped: $py cannot import torch"
fi

# 3. JMH on the bundled runtime (its forks use the same runtime); the headline benchmarks first.
impls=java
if "$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp "$jar" \
        io.github.tangent4j.bench.BackendProbe cuda >"$out/cuda-probe.txt" 2>&1; then
    impls=cuda,java
fi
family_impls="${FAMILY_IMPLS:-cuda}"
[ "$impls" = java ] && family_impls=java
log "impls: $impls; families: $family_impls"
common=(-f 1 -wi 1 -w "$t" -i 3 -r "$t")
if [ "$quick" = 1 ]; then
    common=(-f 1 -wi 0 -i 1 -r 100ms)
fi
jmh() {   # tag regex [JMH arguments...]
    local tag=$1 regex=$2 start=$SECONDS rc=0 limit=$((budget - SECONDS))
    shift 2
    if [ "$limit" -lt 15 ]; then
        log "JMH $tag: skipped (JMH_BUDGET: JMH must end ${budget} s after the start)"
        return 0
    fi
    [ "$limit" -lt "$step_timeout" ] || limit=$step_timeout
    timeout "$limit" "$java" -jar "$jar" "$regex" "${common[@]}" "$@" -rf json -rff "$out/$tag.json" \
        >"$out/$tag.log" 2>&1 || rc=$?
    log "JMH $tag: exit code $rc, $((SECONDS - start)) s"
}
if [ "$quick" = 1 ]; then
    jmh gemm '\.GemmBench\.' -p shape=256x256x256 -p dtype=f32 -p impl="$impls" -p threads="$(nproc)"
    jmh forward '\.ForwardBench\.' -p n=2000 -p dtype=f32 -p impl="$impls"
    jmh patterns '\.PatternsBench\.(patterns|hiddenGemms)$' -p n=2000 -p impl="$impls"
    jmh jacobian '\.JacobianBench\.' -p n=16 -p dtype=f32 -p impl="$family_impls"
    jmh ntk '\.NtkBench\.' -p n=16 -p dtype=f32 -p kind=trace -p impl="$family_impls"
    jmh analytic '\.AnalyticKernelBench\.' -p n=256 -p dtype=f32 -p activation=relu -p x2=same -p impl="$family_impls"
    jmh jacobian-kernel '\.JacobianKernelBench\.' -p n=32 -p d=4 -p activation=relu -p kind=ntk -p impl="$family_impls"
else
    jmh gemm '\.GemmBench\.' -p shape=4096x4096x4096,8192x8192x8192,262144x512x512 -p dtype=f32,f64 \
        -p impl="$impls" -p threads="$(nproc)"
    jmh forward '\.ForwardBench\.' -p impl="$impls"
    jmh patterns '\.PatternsBench\.(patterns|hiddenGemms)$' -p impl="$impls"
    jmh jacobian '\.JacobianBench\.' -p impl="$family_impls"
    jmh ntk '\.NtkBench\.' -p impl="$family_impls"
    jmh analytic '\.AnalyticKernelBench\.' -p x2=same -p impl="$family_impls"
    jmh jacobian-kernel '\.JacobianKernelBench\.' -p impl="$family_impls"
fi

# 4. The tables.
report_py="$py"
command -v "$report_py" >/dev/null 2>&1 || report_py=python3
if command -v "$report_py" >/dev/null 2>&1; then
    "$report_py" "$root/bench/gpu/report.py" --dir "$out" --gpu "$gpu" --selftest-rc "$selftest_rc" \
        --jmh "${common[*]}" --out "$out/gpu-table.md" || log "report failed"
    for tag in jacobian ntk; do   # the families that print their FLOPs: efficiency against the same run's GEMM
        [ -s "$out/$tag.json" ] || continue
        case $tag in
            jacobian) label='input jacobian N={n} {dtype} {impl}' ;;
            ntk) label='{kind} ntk N={n} {dtype} {impl}' ;;
        esac
        "$report_py" "$root/bench/families.py" --log "$out/$tag.log" --json "$out/$tag.json" --label "$label" \
            >"$out/families-$tag.md" 2>&1 || true
    done
    log "wrote $out/gpu-table.md"
else
    log "no python3: the report step is skipped (the JSON files are in $out)"
fi
log "done"
