#!/usr/bin/env bash
# Builds the CPU emulation of the bound CUDA libraries into native/emu/build/ and tests it.
#
#   build/libt4j_emu.so     shared state + test hooks (t4j_emu.h)
#   build/libcudart.so.13   include/cuda_runtime_subset.h
#   build/libcuda.so.1      include/cuda_driver_subset.h, running native/kernels/*.cu compiled by gcc
#   build/libnvrtc.so.13    include/nvrtc_subset.h
#   build/libcublas.so.13   include/cublas_subset.h on CBLAS (OpenBLAS)
#   build/libcublasLt.so.13 include/cublaslt_subset.h on CBLAS, epilogues on the host
#
# Also checks that the kernels compile with nvcc (when present) and that each library exports
# exactly the functions its header declares. Skips (exit 0, with a message) when gcc or cblas.h is
# missing, unless T4J_EMU_REQUIRED=true (then exit 1). Idempotent: does nothing when no input changed since the last successful run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
include="$root/include"
kernels="$root/native/kernels"
out="$here/build"
CC="${CC:-gcc}"

say() { echo "[t4j-emu] $*"; }
# T4J_EMU_REQUIRED=true (Maven: -Dtangent4j.emu.required=true, as .ci/run does) turns a skip into a failure.
skip() {
    if [[ "${T4J_EMU_REQUIRED:-false}" == "true" ]]; then
        say "FAILED: $1 (the emulated device is required: T4J_EMU_REQUIRED=true)"
        exit 1
    fi
    say "SKIPPED: $1; the CUDA backend tests will not run against the emulation."
    exit 0
}

if ! command -v "$CC" >/dev/null 2>&1; then
    skip "no C compiler ($CC) on PATH"
fi
if ! echo '#include <cblas.h>' | "$CC" -E -x c - >/dev/null 2>&1; then
    skip "cblas.h not found (Debian: apt-get install libopenblas-dev)"
fi

inputs=("$here"/*.c "$here"/*.h "$here"/build.sh "$here"/test/*.c "$include"/*.h "$kernels"/*.cu)
stamp="$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1) $("$CC" -dumpfullversion 2>/dev/null || true) ${T4J_REAL_NVRTC:-} ${T4J_CUDA_INCLUDE:-}"
# One build at a time (two Maven runs may share this work tree); tests that already loaded the
# libraries keep their copies, because new files replace old ones by rename at the very end.
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then
    say "up to date ($out)"
    exit 0
fi
rm -f "$out/.stamp"
rm -rf "$out/obj"
lib="$out/obj/lib"
mkdir -p "$lib"

# --- 1. The kernels must be valid CUDA: compile them to PTX with nvcc when there is one. ---
if [[ -n "${T4J_SKIP_NVCC:-}" ]]; then
    say "T4J_SKIP_NVCC set: the CUDA syntax check of native/kernels is skipped"
elif command -v nvcc >/dev/null 2>&1; then
    nvcc --ptx -arch=compute_75 -Werror all-warnings -include "$include/tangent4j_kernels.h" \
        -o "$out/obj/tangent4j_kernels.ptx" "$kernels/tangent4j_kernels.cu"
    say "nvcc: kernels compile to PTX for compute_75"
else
    say "nvcc not found: the CUDA syntax check of native/kernels is skipped"
fi

# --- 2. Compile. ---
cflags=(-std=gnu11 -O2 -fPIC -pthread -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -I"$include" -I"$here")
compile() { "$CC" "${cflags[@]}" "$@"; }
compile -c "$here/emu_state.c" -o "$out/obj/emu_state.o"
compile -c "$here/cudart.c" -o "$out/obj/cudart.o"
compile -c "$here/cuda_driver.c" -o "$out/obj/cuda_driver.o"
compile -c "$here/cuda_launch.c" -o "$out/obj/cuda_launch.o"
# The .cu kernels as C: the compat header makes them C, the kernels header checks their signatures.
compile -Wno-missing-prototypes -x c -include "$here/t4j_cuda_compat.h" -include "$include/tangent4j_kernels.h" \
    -c "$kernels/tangent4j_kernels.cu" -o "$out/obj/tangent4j_kernels.o"
compile -c "$here/nvrtc.c" -o "$out/obj/nvrtc.o"
compile -c "$here/cublas.c" -o "$out/obj/cublas.o"
compile -c "$here/cublaslt.c" -o "$out/obj/cublaslt.o"

# --- 3. Link: each library exports exactly the names matching its pattern (a version script). ---
link() { # soname pattern objects... -- libs...
    local soname="$1" pattern="$2"
    shift 2
    printf '{ global: %s; local: *; };\n' "$pattern" >"$out/obj/$soname.map"
    "$CC" -shared -pthread -o "$lib/$soname" -Wl,-soname,"$soname" -Wl,--version-script="$out/obj/$soname.map" \
        -Wl,--no-undefined -Wl,-rpath,'$ORIGIN' "$@"
}
link libt4j_emu.so "t4j_emu_*; emu_*" "$out/obj/emu_state.o"
link libcudart.so.13 "cuda*" "$out/obj/cudart.o" -L"$lib" -lt4j_emu
link libcuda.so.1 "cu[A-Z]*" "$out/obj/cuda_driver.o" "$out/obj/cuda_launch.o" "$out/obj/tangent4j_kernels.o" \
    -L"$lib" -lt4j_emu -lm
link libnvrtc.so.13 "nvrtc*" "$out/obj/nvrtc.o" -L"$lib" -lt4j_emu
link libcublas.so.13 "cublas*" "$out/obj/cublas.o" -L"$lib" -lt4j_emu -lopenblas
link libcublasLt.so.13 "cublasLt*" "$out/obj/cublaslt.o" -L"$lib" -lt4j_emu -lopenblas -lm

# --- 4. Each library exports exactly the functions its headers declare; the kernels match too. ---
declared() { # header prefix-regex: the function names declared in the header
    "$CC" -E -P -x c -I"$include" -I"$here" "$1" | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' \
        | tr -d '( \t' | grep -E "$2" | sort -u
}
exported() { nm -D --defined-only "$1" | awk '{print $3}' | sort -u; }
same() { # what library expected actual
    if ! diff <(echo "$2") <(echo "$3") >/dev/null; then
        say "FAILED: $1 exports differ from its header (< header, > library):"
        diff <(echo "$2") <(echo "$3") || true
        exit 1
    fi
}
same libcudart.so.13 "$(declared "$include/cuda_runtime_subset.h" '^cuda')" "$(exported "$lib/libcudart.so.13")"
same libcuda.so.1 "$(declared "$include/cuda_driver_subset.h" '^cu[A-Z]')" "$(exported "$lib/libcuda.so.1")"
same libnvrtc.so.13 "$(declared "$include/nvrtc_subset.h" '^nvrtc')" "$(exported "$lib/libnvrtc.so.13")"
same libcublas.so.13 "$(declared "$include/cublas_subset.h" '^cublas')" "$(exported "$lib/libcublas.so.13")"
same libcublasLt.so.13 "$(declared "$include/cublaslt_subset.h" '^cublasLt')" "$(exported "$lib/libcublasLt.so.13")"
same libt4j_emu.so "$( (declared "$here/t4j_emu.h" '^t4j_emu_'; declared "$here/emu_state.h" '^emu_') | sort -u)" \
    "$(exported "$lib/libt4j_emu.so")"
kernel_names="$(declared "$include/tangent4j_kernels.h" '^t4j_')"
same "kernels (gcc)" "$kernel_names" "$(nm -g --defined-only "$out/obj/tangent4j_kernels.o" | awk '{print $3}' | sort -u)"
same "kernel_table.h" "$kernel_names" \
    "$(printf '#include "kernel_table.h"\n#define N(name, shape, type) name\nT4J_EMU_KERNELS(N)\n' \
        | "$CC" -E -P -x c -I"$here" - | tr ' ' '\n' | grep -E '^t4j_' | sort -u)"
if [[ -f "$out/obj/tangent4j_kernels.ptx" ]]; then
    same "kernels (nvcc)" "$kernel_names" \
        "$(grep -oE '\.entry[[:space:]]+[A-Za-z0-9_]+' "$out/obj/tangent4j_kernels.ptx" | awk '{print $2}' | sort -u)"
fi
say "exports match include/*.h and native/emu/t4j_emu.h"

# --- 4b. Against NVIDIA's own headers where installed (nvcc's include dir, or T4J_CUDA_INCLUDE=dir1:dir2):
#         every declared function must be a compatible redeclaration, every enum value must agree. ---
official_dirs=()
extra_dirs="${T4J_CUDA_INCLUDE:-}"
for dir in /usr/local/cuda/include ${extra_dirs//:/ }; do
    [[ -d "$dir" ]] && official_dirs+=(-I"$dir")
done
check_official() { # our-header official-header function-prefix-regex
    local ours="$include/$1" official="$2" prefix="$3" check="$out/obj/official_${1%.h}.c"
    if ! echo "#include <$official>" | "$CC" -E -x c "${official_dirs[@]}" - >/dev/null 2>&1; then
        say "$official not found: $1 not compared with NVIDIA's header"
        return 0
    fi
    {
        echo "#include <$official>"
        "$CC" -E -P -x c -I"$include" "$ours" | tr '\n' ' ' | sed 's/;/;\n/g' \
            | grep -E "^[[:space:]]*[A-Za-z_][A-Za-z0-9_ ]*[ *]+${prefix}[A-Za-z0-9_]*[[:space:]]*\(" || true
        grep -oE '^[[:space:]]+[A-Za-z_][A-Za-z0-9_]* = -?[0-9]+' "$ours" \
            | awk '{printf "_Static_assert(%s == %s, \"%s\");\n", $1, $3, $1}'
    } >"$check"
    "$CC" -fsyntax-only -x c "${official_dirs[@]}" "$check"
    say "$1 agrees with NVIDIA's $official"
}
check_official cuda_runtime_subset.h cuda_runtime_api.h cuda
check_official cuda_driver_subset.h cuda.h 'cu[A-Z]'
check_official nvrtc_subset.h nvrtc.h nvrtc
check_official cublas_subset.h cublas_v2.h cublas
check_official cublaslt_subset.h cublasLt.h cublasLt

# --- 5. Test the emulation. ---
compile -Wno-missing-prototypes -o "$out/obj/emu_test" "$here/test/emu_test.c" -L"$lib" -Wl,-rpath,"$lib" \
    -l:libcudart.so.13 -l:libcuda.so.1 -l:libnvrtc.so.13 -l:libcublas.so.13 -l:libcublasLt.so.13 -lt4j_emu -lm \
    -DKERNEL_SOURCE="\"$kernels/tangent4j_kernels.cu\""
T4J_EMU_MEMORY_BUDGET= "$out/obj/emu_test" 2>"$out/obj/emu_test.stderr" || {
    cat "$out/obj/emu_test.stderr"
    say "FAILED: emulation self-test"
    exit 1
}
compile -Wno-missing-prototypes -o "$out/obj/cublaslt_test" "$here/test/cublaslt_test.c" -L"$lib" -Wl,-rpath,"$lib" \
    -l:libcudart.so.13 -l:libcublasLt.so.13 -lt4j_emu -lm
T4J_EMU_MEMORY_BUDGET= "$out/obj/cublaslt_test" 2>"$out/obj/cublaslt_test.stderr" || {
    cat "$out/obj/cublaslt_test.stderr"
    say "FAILED: cuBLASLt emulation self-test"
    exit 1
}

# --- 6. Optionally, the real NVRTC (it needs no GPU): T4J_REAL_NVRTC=/path/to/libnvrtc.so.13 ---
if [[ -n "${T4J_REAL_NVRTC:-}" ]]; then
    compile -Wno-missing-prototypes -o "$out/obj/nvrtc_check" "$here/test/nvrtc_check.c" -ldl
    LD_LIBRARY_PATH="$(dirname "$T4J_REAL_NVRTC")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$out/obj/nvrtc_check" "$T4J_REAL_NVRTC" "$kernels/tangent4j_kernels.cu" $kernel_names \
        | sed 's/^/[t4j-emu] /'
else
    say "T4J_REAL_NVRTC not set: the check with a real NVRTC is skipped"
fi

for library in libt4j_emu.so libcudart.so.13 libcuda.so.1 libnvrtc.so.13 libcublas.so.13 libcublasLt.so.13; do
    mv -f "$lib/$library" "$out/$library"
done
echo "$stamp" >"$out/.stamp"
say "built and tested: $out"
