#!/usr/bin/env bash
# Builds the emulated CUDA driver (libcuda.so.1), cuBLAS (libcublas.so.12) and NCCL (libnccl.so.2) into OUT_DIR with the machine's g++.
# A JVM started with LD_LIBRARY_PATH=OUT_DIR runs jcnn's CUDA backend on them (see native-kernels/README.md).
# Without g++ it says so and exits 0, and the CUDA tests that need the emulator are skipped with that reason.
set -euo pipefail
out="${1:?usage: build.sh OUT_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
if ! command -v g++ >/dev/null 2>&1; then
  echo "g++ not found: the emulated CUDA driver was not built" > "$out/NOT-BUILT"
  cat "$out/NOT-BUILT"
  exit 0
fi
rm -f "$out/NOT-BUILT"
flags=(-std=c++20 -O2 -fPIC -shared -Wall -Wno-unused-function -Wno-sign-compare -I"$here" -I"$here/.." -I"$here/../..")
g++ "${flags[@]}" -Wl,-soname,libcuda.so.1 -o "$out/libcuda.so.1" "$here/driver.cpp" "$here/memory.cpp" "$here/streams.cpp" "$here/modules.cpp" "$here/kernels.cpp"
g++ "${flags[@]}" -Wl,-soname,libcublas.so.12 -Wl,--version-script="$here/libcublas.map" \
  -o "$out/libcublas.so.12" "$here/cublas.cpp" "$out/libcuda.so.1" -Wl,-rpath,'$ORIGIN'
g++ "${flags[@]}" -Wl,-soname,libnccl.so.2 -o "$out/libnccl.so.2" "$here/nccl.cpp" "$out/libcuda.so.1" \
  -Wl,-rpath,'$ORIGIN'
echo "emulated CUDA driver, cuBLAS and NCCL built in $out"
