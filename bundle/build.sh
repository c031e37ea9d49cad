#!/usr/bin/env bash
# Builds the portable GPU bundle, bundle/target/jcnn-gpu-bundle-linux-x86_64.tar.gz: what bundle/install.sh
# installs (a jlink-trimmed Java runtime, jcnn's command-line jar with JCuda and its Linux x86-64 natives, the jcnn
# launcher), plus the test classes, the JUnit console, the benchmarks and their launchers. It runs on a Linux x86-64
# machine with only the NVIDIA driver: no Java, no Maven, no CUDA toolkit, no network.
#
#   tar xzf jcnn-gpu-bundle-linux-x86_64.tar.gz && cd jcnn-gpu-bundle
#   ./jcnn info                                    # what of the CUDA stack loads, and the devices
#   ./gpu-tests                                    # the CUDA test suite: kernels and every op against the CPU
#   ./jcnn train --device cuda --epochs 2          # a short LeNet training run on the GPU
#   ./gpu-benchmarks StepBenchmark -f 1 -wi 3 -i 5 # the JMH benchmarks (tiers that load here), JMH's options
#   python3 pytorch-reference.py                   # the same shapes timed in PyTorch, where it is installed
#   ./gpu-check [OUT]                              # all of the above in one go, every output kept under OUT
#
# Needs a JDK 17+ (its jlink; JAVA_HOME or the PATH's) and Maven, with network access to Maven Central the first
# time. The runtime is the building JDK's version.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
name=jcnn-gpu-bundle
target=$root/bundle/target
out=$target/$name
junit_console=org.junit.platform:junit-platform-console-standalone:1.10.2

mvn -B -q -DskipTests package -pl src,benchmarks
rm -rf "$out"
# The runtime, jcnn.jar and the jcnn launcher, as in the Docker image.
bundle/install.sh "$out"
for artifact in $junit_console org.openjdk.jmh:jmh-core:1.37 net.sf.jopt-simple:jopt-simple:5.0.4 \
        org.apache.commons:commons-math3:3.6.1 dev.ludovic.netlib:blas:3.0.3; do
    mvn -B -q dependency:copy -Dartifact=$artifact -DoutputDirectory="$out/lib" -Dmdep.stripVersion=true
done

cp src/target/jcnn-*-tests.jar "$out/lib/jcnn-tests.jar"
cp benchmarks/target/jcnn-benchmarks-*.jar "$out/lib/jcnn-benchmarks.jar"
cp benchmarks/pytorch/reference.py "$out/pytorch-reference.py"
cp bundle/gpu-check "$out/gpu-check"
cp bundle/wheel-libraries "$out/wheel-libraries"

cat > "$out/gpu-tests" <<'LAUNCHER'
#!/bin/sh
# The backend tests: the CUDA probe, our kernels on the device, every op of the CUDA backend against the CPU backend
# (with a LeNet training step), and the op contract tests, which run on the CUDA backend where a device is present.
# On a machine without a device the CUDA tests are skipped with the reason. The CPU kernels' own tests (package
# io.jcnn.backend.cpu) are left out: they start JVMs from the build tree and say nothing about the GPU.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/runtime/bin/java" --add-modules jdk.incubator.vector ${JCNN_JAVA_OPTS:-} \
    -jar "$here/lib/junit-platform-console-standalone.jar" execute --disable-banner --details=tree \
    --class-path "$here/lib/jcnn.jar:$here/lib/jcnn-tests.jar" \
    --select-package io.jcnn.backend --exclude-package io.jcnn.backend.cpu "$@"
LAUNCHER
cat > "$out/gpu-benchmarks" <<'LAUNCHER'
#!/bin/sh
# jcnn's JMH benchmarks (see benchmarks/ in the source): JMH's command line; backends and tiers that cannot run here
# are left out with the reason. Forks run on the bundled runtime with the same class path.
here=$(cd "$(dirname "$0")" && pwd)
cp=$here/lib/jcnn-benchmarks.jar:$here/lib/jcnn.jar:$here/lib/jmh-core.jar:$here/lib/jopt-simple.jar
cp=$cp:$here/lib/commons-math3.jar:$here/lib/blas.jar
exec "$here/runtime/bin/java" --add-modules jdk.incubator.vector ${JCNN_JAVA_OPTS:-} -cp "$cp" \
    io.jcnn.benchmarks.BenchmarkMain "$@"
LAUNCHER
chmod +x "$out/gpu-tests" "$out/gpu-benchmarks"

tar czf "$target/$name-linux-x86_64.tar.gz" -C "$target" "$name"
echo "bundle: $target/$name-linux-x86_64.tar.gz, $(du -h "$target/$name-linux-x86_64.tar.gz" | cut -f1) packed," \
    "$(du -sh "$out" | cut -f1) unpacked"
