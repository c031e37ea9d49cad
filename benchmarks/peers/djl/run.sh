#!/usr/bin/env bash
# DJL 0.36.0 + PyTorch 2.7.1 (CPU) AlexNet-32 on the MNIST digits, Java 17: the peer of `jcnn train --model alexnet32`.
#
#   ./run.sh                   # build if needed (Maven Central only), then one run
#   BUILD_ONLY=1 ./run.sh      # just build target/classes and target/cp.txt (what ../compare-alexnet32.sh uses)
#   THREADS=1 ./run.sh         # PyTorch intra-op threads (default: nproc)
#   PERF_MALLOC=default ./run.sh   # glibc's malloc defaults instead of the tuned ones (see ../README.md)
#
# libtorch comes from the ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 jar and is extracted once into
# target/djl-cache (ENGINE_CACHE_DIR); -Dai.djl.offline=true forbids any download at run time.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
DATA=${DATA:-$HERE/../data/mnist10k}
THREADS=${THREADS:-$(nproc)}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JAVA=$JAVA_HOME/bin/java

if [ ! -f target/cp.txt ] || [ ! -f target/classes/peers/AlexNet32Bench.class ] \
   || [ -n "$(find pom.xml src -newer target/cp.txt -print -quit)" ]; then
  echo "[djl/run.sh] building (mvn package)"
  mvn -B -q package -DskipTests
  mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
fi
if [ -n "${BUILD_ONLY:-}" ]; then exit 0; fi

case ${PERF_MALLOC:-tuned} in
  tuned) MALLOC_ENV="MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456" ;;
  default) MALLOC_ENV="" ;;
  *) echo "PERF_MALLOC must be tuned or default"; exit 1 ;;
esac
mkdir -p target/djl-cache
# shellcheck disable=SC2086
exec env $MALLOC_ENV "$JAVA" -Xmx4g -Dai.djl.offline=true -DENGINE_CACHE_DIR="$HERE/target/djl-cache" \
  -Dai.djl.pytorch.num_threads="$THREADS" -cp "target/classes:$(cat target/cp.txt)" \
  peers.AlexNet32Bench "$DATA" 1 3 128 256
