#!/usr/bin/env bash
# Checks the quick start's promise on this machine: `./jcnn train` with the default recipe, seeds 1, 2 and 3, at
# every vector width the CPU has (256 bits, and 512 where it has AVX-512), ends at or above the promised test
# accuracy. Prints one row per run (final test accuracy, best epoch, wall time, images/s of the last epoch) and
# exits 1 if any run falls short.
#
# Usage: benchmarks/quickstart-check.sh [MIN_ACCURACY_PERCENT]   (default 98.7; takes about 4 minutes per width on
# two cores). Extra JVM options go in JCNN_JAVA_OPTS as for ./jcnn; extra train options in QUICKSTART_ARGS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minimum="${1:-98.7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build once, outside the timings.
"$root/jcnn" --version >/dev/null

widths="256"
if "$root/jcnn" info 2>/dev/null | grep -q '^cpu vectors: 512 bits'; then
  widths="256 512"
fi

failed=0
printf '%-6s %-5s %-10s %-14s %-8s %s\n' width seed accuracy "best (epoch)" seconds "images/s (last epoch)"
for bits in $widths; do
  for seed in 1 2 3; do
    out="$work/w$bits-s$seed"
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # QUICKSTART_ARGS holds several options
    JCNN_JAVA_OPTS="${JCNN_JAVA_OPTS:-} -Djcnn.cpu.vectorBits=$bits" \
      "$root/jcnn" train --seed "$seed" --out "$out" ${QUICKSTART_ARGS:-} >"$out.log" 2>&1 \
      || { echo "jcnn train failed at $bits bits, seed $seed:"; tail -5 "$out.log"; exit 1; }
    tenths=$(( ($(date +%s%N) - start) / 100000000 ))
    seconds="$((tenths / 10)).$((tenths % 10))"
    # metrics.csv: epoch,train_loss,train_accuracy,test_loss,test_accuracy,images_per_second,...
    read -r accuracy best rate < <(awk -F, 'NR > 1 { if ($5 > best) { best = $5; at = $1 }; last = $5; rate = $6 }
        END { printf "%.2f %.2f(%d) %.0f\n", 100 * last, 100 * best, at, rate }' "$out/metrics.csv")
    printf '%-6s %-5s %-10s %-14s %-8s %s\n' "$bits" "$seed" "$accuracy%" "$best%" "$seconds" "$rate"
    if awk -v a="$accuracy" -v m="$minimum" 'BEGIN { exit !(a < m) }'; then
      failed=1
    fi
  done
done
if [ "$failed" = 1 ]; then
  echo "FAIL: a run ended below $minimum% test accuracy"
  exit 1
fi
echo "ok: every run ended at or above $minimum% test accuracy"
