#!/usr/bin/env bash
# Images/s of LeNet on the bundled digits: one process (1 and 2 threads) against Spark in local mode with 1 and 2
# partitions, in one run, and the overhead of a round without steps (broadcast, task set-up, aggregation).
# Usage, from the project root: benchmarks/spark/scaling.sh [EPOCHS] [LOCAL_STEPS]   (defaults 2 and 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q install -DskipTests -pl src >/dev/null
mvn -B -q test-compile dependency:build-classpath -pl spark -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/spark/target/test-classpath.txt" >/dev/null
options=$(sed -n '/<spark.jvm.options>/,/<\/spark.jvm.options>/p' spark/pom.xml | sed 's/<[^>]*>//g' | tr '\n' ' ')
# shellcheck disable=SC2086
java $options -cp "spark/target/test-classes:spark/target/classes:$(cat spark/target/test-classpath.txt)" \
    io.jcnn.spark.ScalingBenchmark "${1:-2}" "${2:-1}" 2> spark/target/scaling-benchmark.log
