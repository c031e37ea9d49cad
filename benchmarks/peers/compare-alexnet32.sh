#!/bin/bash
# Side-by-side CPU training throughput of AlexNet-32: jcnn against DJL + PyTorch, same machine, same run, interleaved.
#
#   benchmarks/peers/compare-alexnet32.sh [PROJECT_DIR]    # PROJECT_DIR: default, the repository this script is in
#   ROUNDS=1 benchmarks/peers/compare-alexnet32.sh .       # a smoke test
#
# The work, for both: jcnn's AlexNet-32 (io.jcnn.model.Models.alexnet32: conv 32/64/96/96/64 @3x3 pad 1 with ReLU and
# max pools 2/2 after conv1, conv2 and conv5; fc 256, 256 with ReLU and dropout 0.5; fc 10; softmax cross-entropy;
# 543,370 parameters) on the 8,000/2,000 real MNIST digits in DATA, each 28x28 digit framed by 2 black pixels to 32x32,
# then normalised with the padded training pixels' mean and standard deviation; batch 128, the last partial batch of
# every epoch dropped (62 steps, 7,936 images); SGD lr 0.01 momentum 0.9, no weight decay, no augmentation;
# 1 warm-up epoch + 3 timed epochs. train img/s = images of the 3 timed epochs / their summed training time;
# test accuracy after the 4 epochs.
#   djl-pytorch : benchmarks/peers/djl (DJL 0.36.0, PyTorch 2.7.1 CPU, intra-op threads = THREADS), peers.AlexNet32Bench:
#                 constant learning rate, heavy-ball momentum; each epoch's batches are built before its timer starts.
#   jcnn        : PROJECT_DIR/jcnn train --model alexnet32 --data DATA --epochs 4 --batch-size 128 --shift 0
#                 --rotate 0 --scale 0 --lr 0.01 --momentum 0.9 --weight-decay 0 --threads THREADS --device cpu
#                 --seed 1 (the CLI's recipe otherwise: the learning rate follows a cosine from 0.01 to 0 over the 4
#                 epochs); its per-epoch images/s (training only) come from metrics.csv. Its epoch time also holds the
#                 background data loader, the per-step read-back of the logits and loss and the training-accuracy
#                 count, which the DJL harness leaves out.
#   Inference (JCNN_INFER=1 only for jcnn; DJL always measures it): batch 256, median of 10 rounds. DJL: 8 batches of
#   test digits per round after 3 warm-up rounds; jcnn: its JMH StepBenchmark (benchmarks/target/benchmarks.jar,
#   -p workload=alexnet32-infer-256 -p backend=cpu, 5 x 2 s warm-up, 10 x 1 s iterations, median of the `images` rate;
#   one fixed batch of synthetic pixels).
#   Every run is a fresh JVM; the two systems take turns, and their order alternates from one round to the next.
#
# Builds what is missing: the project's jar (mvn -B -q -DskipTests package -pl src -am), with JCNN_INFER=1 its
# benchmarks jar (-pl benchmarks -am), and the DJL harness (Maven Central), which is copied to PEERS_WORK and built
# there so that this folder stays clean. Builds are not timed.
#
# Environment: ROUNDS (2), THREADS (`nproc`), DATA (benchmarks/peers/data/mnist10k next to this script),
#   PEERS_WORK (~/.cache/jcnn-peers-alexnet32), LOGDIR (a new temporary folder), JCNN_INFER (0),
#   PERF_MALLOC=tuned|default (tuned: both JVMs run with MALLOC_MMAP_THRESHOLD_=33554432
#   MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456, which keeps glibc from handing libtorch's freed
#   tensors back to the kernel and faulting them in again every step; jcnn allocates nothing per step; default:
#   glibc's own settings, i.e. DJL out of the box), JCNN_JAVA_OPTS (extra options for jcnn's JVM; diagnostics only),
#   JAVA_HOME (Java 17 by default).
#
# Output: one line per run, medians and ratios, and as the last line, e.g.
#   compare-alexnet32: jcnn 900 img/s train = 1.20x DJL-PyTorch (750); acc 97.9/97.5; PASS
# (acc: jcnn/DJL test accuracy in %, medians). A run whose training diverged (test accuracy below 50%) is printed as
# INVALID and left out of the medians. Exit 0 when jcnn/DJL-PyTorch >= 1.0 (training medians), else 1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "compare-alexnet32: FAIL: $*"; exit 1; }
PROJECT=${1:-$(cd "$HERE/../.." && pwd)}
[ -d "$PROJECT" ] && [ -x "$PROJECT/jcnn" ] || die "usage: compare-alexnet32.sh [PROJECT_DIR] (no ./jcnn in '$PROJECT')"
PROJECT=$(cd "$PROJECT" && pwd)
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-$(nproc)}
DATA=$(cd "${DATA:-$HERE/data/mnist10k}" 2>/dev/null && pwd) || die "no data directory ${DATA:-$HERE/data/mnist10k}"
PERF_MALLOC=${PERF_MALLOC:-tuned}
JCNN_INFER=${JCNN_INFER:-0}
BATCH=128
EPOCHS=4          # 1 warm-up + 3 timed, for both
INFER_BATCH=256
PEERS_WORK=${PEERS_WORK:-$HOME/.cache/jcnn-peers-alexnet32}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JAVA=$JAVA_HOME/bin/java
[ -x "$JAVA" ] || die "no JDK at JAVA_HOME=$JAVA_HOME"
export PATH=$JAVA_HOME/bin:$PATH
LOGDIR=${LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/perf-alexnet32.XXXXXX")}
mkdir -p "$LOGDIR" || die "cannot make $LOGDIR"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$DATA/$f" ] || die "missing $DATA/$f"
done
case $PERF_MALLOC in
  tuned) MALLOC_ENV="MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456" ;;
  default) MALLOC_ENV="" ;;
  *) die "PERF_MALLOC must be tuned or default, got '$PERF_MALLOC'" ;;
esac
T_START=$(date +%s)

echo "compare-alexnet32: project $PROJECT ($(git -C "$PROJECT" rev-parse --short HEAD 2>/dev/null || echo '?')), data $DATA, rounds $ROUNDS, threads $THREADS, malloc $PERF_MALLOC, logs $LOGDIR"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores; $("$JAVA" -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- builds (not timed)
build() { # build NAME LOG COMMAND...
  local name=$1 log=$2; shift 2
  echo "build: $name"
  if ! "$@" > "$log" 2>&1; then tail -20 "$log"; return 1; fi
}
newest_jar() { ls -t "$PROJECT"/src/target/jcnn-*-all.jar 2>/dev/null | head -1; }
JAR=$(newest_jar)
if [ -z "$JAR" ] || [ -n "$(find "$PROJECT/src/main" "$PROJECT/src/pom.xml" "$PROJECT/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  build "jcnn (mvn -B -q -DskipTests package -pl src -am)" "$LOGDIR/build-jcnn.log" \
    bash -c "cd '$PROJECT' && timeout 1800 mvn -B -q -DskipTests package -pl src -am" || die "jcnn does not build"
  JAR=$(newest_jar)
  [ -n "$JAR" ] || die "the build left no src/target/jcnn-*-all.jar"
fi
BENCH_JAR=$PROJECT/benchmarks/target/benchmarks.jar
if [ "$JCNN_INFER" = 1 ]; then
  if ! grep -q '"alexnet32"' "$PROJECT/benchmarks/src/main/java/io/jcnn/benchmarks/StepBenchmark.java" 2>/dev/null; then
    echo "note: StepBenchmark has no alexnet32 workload: jcnn inference skipped"; JCNN_INFER=0
  elif [ ! -f "$BENCH_JAR" ] || [ -n "$(find "$PROJECT/src/main" "$PROJECT/benchmarks/src" "$PROJECT/benchmarks/pom.xml" -newer "$BENCH_JAR" -print -quit 2>/dev/null)" ]; then
    build "jcnn benchmarks (mvn -B -q -DskipTests package -pl benchmarks -am)" "$LOGDIR/build-jcnn-benchmarks.log" \
      bash -c "cd '$PROJECT' && timeout 1800 mvn -B -q -DskipTests package -pl benchmarks -am" \
      || { echo "note: the benchmarks jar does not build: jcnn inference skipped"; JCNN_INFER=0; }
  fi
  [ -f "$BENCH_JAR" ] || JCNN_INFER=0
else
  echo "note: jcnn inference not measured (JCNN_INFER=1 measures it with StepBenchmark, workload alexnet32-infer-256)"
fi
DJL=$PEERS_WORK/djl
mkdir -p "$DJL" || die "cannot create $DJL"
# Copy the harness (not its target/) so that a newer source triggers a rebuild there.
(cd "$HERE/djl" && tar cf - --exclude=target .) | (cd "$DJL" && tar xf -) || die "cannot copy the DJL harness to $DJL"
chmod -R u+w "$DJL"
build "DJL harness in $DJL (if needed)" "$LOGDIR/build-djl.log" env BUILD_ONLY=1 bash "$DJL/run.sh" \
  || die "the DJL harness does not build"
mkdir -p "$DJL/target/djl-cache"
DJL_CP="$DJL/target/classes:$(cat "$DJL/target/cp.txt")"
T_BUILT=$(date +%s)

# ---------------------------------------------------------------- one run of each system
# Each prints one line and appends "system train acc infer" to $LOGDIR/results.txt (NA where missing).
result_line() { # SYSTEM ROUND TRAIN ACC INFER DETAIL LOG
  if [ "$4" != NA ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 0.5 else 1)' "$4"; then
    echo "$1 NA NA NA" >> "$LOGDIR/results.txt"
    set -- "$1" "$2" "$3" "$4" "$5" "INVALID (training diverged: test accuracy $4), not counted; $6" "$7"
  else
    echo "$1 $3 $4 $5" >> "$LOGDIR/results.txt"
  fi
  printf 'run %d/%d %-12s train %8s img/s  test_acc %-6s  infer@%d %8s img/s  %s  [%s]\n' \
    "$2" "$ROUNDS" "$1" "$3" "$4" "$INFER_BATCH" "$5" "$6" "$7"
}
noisy_note() { # "A/B/C" timed epoch seconds -> a warning when they spread by more than 25%
  python3 - "$1" <<'EOF2'
import sys
try:
    v = [float(x) for x in sys.argv[1].split("/") if x]
except ValueError:
    sys.exit()
if v and min(v) > 0 and max(v) / min(v) > 1.25:
    print("; NOISY: the timed epochs differ by %.1fx (a busy machine?)" % (max(v) / min(v)))
EOF2
}
run_djl() {
  local log=$LOGDIR/djl-pytorch_r$1.log line train acc infer epochs detail params
  # shellcheck disable=SC2086
  env $MALLOC_ENV "$JAVA" -Xmx4g -Dai.djl.offline=true -DENGINE_CACHE_DIR="$DJL/target/djl-cache" \
    -Dai.djl.pytorch.num_threads="$THREADS" -cp "$DJL_CP" peers.AlexNet32Bench "$DATA" 1 $((EPOCHS - 1)) \
    "$BATCH" "$INFER_BATCH" drop-last > "$log" 2>&1
  line=$(grep '^RESULT' "$log" | tail -1)
  if [ -z "$line" ]; then
    result_line djl-pytorch "$1" NA NA NA "no RESULT line: $(tail -1 "$log" | cut -c1-120)" "$log"; return
  fi
  train=$(sed -E 's/.*train_img_per_s=([0-9.]+).*/\1/' <<<"$line")
  acc=$(sed -E 's/.*test_acc=([0-9.]+).*/\1/' <<<"$line")
  infer=$(sed -E 's/.*infer_img_per_s=([0-9.]+).*/\1/' <<<"$line")
  epochs=$(sed -E 's/.*epoch_s=\[([^]]*)\].*/\1/' <<<"$line" | tr -d ' ' | tr ',' '/')
  detail="timed epochs $epochs s$(noisy_note "$epochs")"
  [ "$(grep -o -m1 'train=[0-9]* test=[0-9]*' "$log")" = "train=8000 test=2000" ] \
    || detail="$detail; DATA MISMATCH: $(grep -o -m1 'train=[0-9]* test=[0-9]*' "$log")"
  params=$(grep -o -m1 'numParams=[0-9]*' "$log" | cut -d= -f2)
  [ "$params" = 543370 ] || detail="$detail; PARAMETER COUNT $params, not 543370"
  result_line djl-pytorch "$1" "$train" "$acc" "$infer" "$detail" "$log"
  grep -q "pytorch threads: intra-op=$THREADS " "$log" || echo "  warning: PyTorch did not report $THREADS intra-op threads (see $log)"
}
run_jcnn() {
  local log=$LOGDIR/jcnn_r$1.log out=$LOGDIR/jcnn_r$1 parsed train acc infer=NA detail params
  rm -rf "$out"
  # shellcheck disable=SC2086
  env $MALLOC_ENV JCNN_JAVA_OPTS="${JCNN_JAVA_OPTS:-}" "$PROJECT/jcnn" train --model alexnet32 --data "$DATA" \
    --epochs "$EPOCHS" --batch-size "$BATCH" --shift 0 --rotate 0 --scale 0 --lr 0.01 --momentum 0.9 \
    --weight-decay 0 --threads "$THREADS" --device cpu --seed 1 --out "$out" > "$log" 2>&1
  # metrics.csv's images_per_second = images trained on / training seconds; jcnn drops the last partial batch.
  parsed=$(python3 - "$out/metrics.csv" "$EPOCHS" "$BATCH" <<'EOF'
import csv, sys
try:
    rows = list(csv.DictReader(open(sys.argv[1])))
except OSError:
    print("NA NA -"); sys.exit()
if len(rows) != int(sys.argv[2]):
    print("NA NA -"); sys.exit()
seen = (8000 // int(sys.argv[3])) * int(sys.argv[3])          # images per epoch
secs = [seen / float(r["images_per_second"]) for r in rows]   # training seconds per epoch
timed = secs[1:]
print("%.1f %.4f %s" % (seen * len(timed) / sum(timed), float(rows[-1]["test_accuracy"]),
                        "/".join("%.3f" % s for s in timed)))
EOF
)
  read -r train acc detail <<<"$parsed"
  detail="timed epochs $detail s$(noisy_note "$detail")"
  grep -q '8,000 train / 2,000 test images' "$log" || detail="$detail; DATA MISMATCH: $(grep -m1 -o 'data .*images' "$log")"
  params=$(grep -o -m1 'alexnet32 ([0-9,]* parameters)' "$log" | sed -E 's/.*\(([0-9,]+) parameters\)/\1/' | tr -d ,)
  [ "$params" = 543370 ] || detail="$detail; PARAMETER COUNT $params, not 543370"
  if [ "$JCNN_INFER" = 1 ]; then
    local json=$LOGDIR/jcnn-infer_r$1.json ilog=$LOGDIR/jcnn-infer_r$1.log jvm=()
    # a command-line -jvmArgsAppend replaces the benchmark's @Fork one, so repeat its --add-modules
    [ -n "${JCNN_JAVA_OPTS:-}" ] && jvm=(-jvmArgsAppend "--add-modules jdk.incubator.vector $JCNN_JAVA_OPTS")
    # shellcheck disable=SC2086
    env $MALLOC_ENV "$JAVA" -jar "$BENCH_JAR" StepBenchmark -p backend=cpu -p "workload=alexnet32-infer-$INFER_BATCH" \
      -f 1 -wi 5 -w 2 -i 10 -r 1 "${jvm[@]}" -rf json -rff "$json" > "$ilog" 2>&1
    infer=$(python3 - "$json" <<'EOF'
import json, statistics, sys
try:
    raw = json.load(open(sys.argv[1]))[0]["secondaryMetrics"]["images"]["rawData"][0]
    print("%.1f" % statistics.median(raw))
except Exception:
    print("NA")
EOF
)
    [ "$infer" = NA ] && detail="$detail; inference failed (see $ilog)"
  fi
  result_line jcnn "$1" "$train" "$acc" "$infer" "$detail" "$log"
}

# ---------------------------------------------------------------- interleaved rounds (order alternates every round)
: > "$LOGDIR/results.txt"
SYSTEMS=(djl jcnn)
for r in $(seq 1 "$ROUNDS"); do
  for k in 0 1; do
    "run_${SYSTEMS[$(( (k + r - 1) % 2 ))]}" "$r"
  done
done
T_END=$(date +%s)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); builds $((T_BUILT - T_START)) s, runs $((T_END - T_BUILT)) s"

# ---------------------------------------------------------------- summary
python3 - "$LOGDIR/results.txt" "$ROUNDS" "$INFER_BATCH" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def med(system, col):
    v = [float(r[col]) for r in rows if r[0] == system and r[col] != "NA"]
    return (statistics.median(v), v) if v else (None, [])
m = {}
print("summary (median of %s rounds):" % sys.argv[2])
for s in ("jcnn", "djl-pytorch"):
    tr, trs = med(s, 1); ac, _ = med(s, 2); inf, infs = med(s, 3)
    m[s] = (tr, ac, inf)
    f = lambda x, fmt: (fmt % x) if x is not None else "NA"
    print("  %-12s train %s img/s %s  test_acc %s  infer@%s %s img/s %s" % (
        s, f(tr, "%.1f"), trs, f(ac, "%.4f"), sys.argv[3], f(inf, "%.1f"), infs))
ratio = lambda a, b: a / b if a is not None and b else None
j, p = m["jcnn"], m["djl-pytorch"]
rt, ri = ratio(j[0], p[0]), ratio(j[2], p[2])
x = lambda v: ("%.2fx" % v) if v is not None else "NA"
print("  ratio train jcnn/DJL-PyTorch %s (goal >= 1.0); infer@%s %s" % (
    x(rt), sys.argv[3], x(ri) if ri is not None else "NA (jcnn inference not measured)" if j[2] is None else "NA"))
ok = rt is not None and rt >= 1.0
n = lambda v: ("%.0f" % v) if v is not None else "NA"
a = lambda v: ("%.1f" % (100 * v)) if v is not None else "NA"
print("compare-alexnet32: jcnn %s img/s train = %s DJL-PyTorch (%s); acc %s/%s; %s" % (
    n(j[0]), x(rt) if rt is not None else "NAx", n(p[0]), a(j[1]), a(p[1]), "PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
EOF
