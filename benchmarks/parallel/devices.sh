#!/usr/bin/env bash
# Data-parallel training on this machine's devices against one device, side by side: jcnn train with --device cpu
# (every core) and with --devices cpu,cpu (the cores split between two replicas), plus any other --devices lists
# given as arguments (cuda:0,cuda:1 on a machine with two GPUs). Each configuration trains ROUNDS times, interleaved,
# so that the machine's noise falls on all of them alike; the script prints each run's images/s over its last epoch
# (from metrics.csv) and, per configuration, the median and its ratio to the first configuration's.
#
#   benchmarks/parallel/devices.sh [DEVICE-LIST ...]     environment: ROUNDS (3), EPOCHS (6), MODEL (lenet), DATA
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-6}
model=${MODEL:-lenet}
data=${DATA:-sample}
configs=("--device cpu" "--devices cpu,cpu")
for list in "$@"; do
    configs+=("--devices $list")
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
declare -A speeds
for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
        # shellcheck disable=SC2086
        ./jcnn train $config --model "$model" --data "$data" --epochs "$epochs" --out "$scratch/run" \
            > "$scratch/log" 2>&1 || { cat "$scratch/log"; exit 1; }
        speed=$(tail -1 "$scratch/run/metrics.csv" | cut -d, -f6)
        printf 'round %d  %-28s %10.0f images/s\n' "$round" "$config" "$speed"
        speeds[$config]="${speeds[$config]:-} $speed"
        rm -rf "$scratch/run"
    done
done
median() {
    tr ' ' '\n' <<< "$1" | grep . | sort -g \
        | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
first=$(median "${speeds[${configs[0]}]}")
echo "median images/s over $rounds runs of $epochs epochs ($model on $data), and the ratio to ${configs[0]}:"
for config in "${configs[@]}"; do
    m=$(median "${speeds[$config]}")
    awk -v c="$config" -v m="$m" -v f="$first" 'BEGIN {printf "  %-28s %10.0f  %.2fx\n", c, m, m / f}'
done
