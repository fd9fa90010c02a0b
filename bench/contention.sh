#!/usr/bin/env bash
# Does the default thread count ever make training slower than one thread, on a busy machine?
#
# Trains the reference recipe (784-128-10, batch 64, learning rate 0.1) for a few epochs with
# 0, 1 and 3 CPU-bound competitor processes running, with the default thread count and with
# --threads 1, taking turns, and prints the training seconds per epoch (the `seconds` column of
# metrics.csv, the median over the rounds) and their ratio. The targets
# (docs/appendix-a-making-it-fast.md): default / one thread <= 0.70 with no competitor (on an otherwise
# idle machine), <= 1.10 with competitors.
#
# Usage:  bash bench/contention.sh            (MNIST from $MNIST_DIR, else datasets/mnist)
#         EPOCHS=3 ROUNDS=3 bash bench/contention.sh
# Every competitor is a shell busy loop bounded by `timeout`, and all are stopped when the script
# ends, however it ends. Each training run is bounded too (RUN_BOUND seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

EPOCHS="${EPOCHS:-3}"
ROUNDS="${ROUNDS:-3}"
RUN_BOUND="${RUN_BOUND:-300}"
export MNIST_DIR="${MNIST_DIR:-$(pwd)/datasets/mnist}"

source bench/common.sh
competitors=()

stop_competitors() {
  for pid in "${competitors[@]}"; do
    kill "$pid" 2> /dev/null || true
  done
  for pid in "${competitors[@]}"; do
    wait "$pid" 2> /dev/null || true
  done
  competitors=()
}
trap 'stop_competitors; rm -rf "$work"' EXIT

start_competitors() {
  for _ in $(seq "$1"); do
    # Bounded even if this script is killed with SIGKILL.
    timeout 3600 sh -c 'while :; do :; done' &
    competitors+=("$!")
  done
}

# Median training seconds per epoch of one run: `train_seconds_per_epoch NAME [FLAGS]`.
train_seconds_per_epoch() {
  local out="$work/$1"
  shift
  if ! timeout "$RUN_BOUND" "$nn_train" --lrs 0.1 --epochs "$EPOCHS" --val-size 0 \
    --out "$out" "$@" > /dev/null 2>&1; then
    echo "timeout"
    return
  fi
  epoch_seconds "$out" 0.1 | median
}

fmt() { awk -v x="$1" 'BEGIN { if (x + 0 > 0) printf "%.3f", x; else print x }'; }

printf 'nn-train --lrs 0.1 --epochs %s --val-size 0, %s rounds, %s cores\n' "$EPOCHS" "$ROUNDS" "$(nproc)"
printf '%-12s %16s %16s %8s %8s\n' competitors "default s/epoch" "1 thread s/epoch" ratio target
for count in 0 1 3; do
  start_competitors "$count"
  sleep 0.5 # let the competitors reach the cores
  default="" single=""
  for round in $(seq "$ROUNDS"); do
    default+=" $(train_seconds_per_epoch "c$count-default-$round")"
    single+=" $(train_seconds_per_epoch "c$count-single-$round" --threads 1)"
  done
  stop_competitors
  d=$(echo "$default" | median)
  s=$(echo "$single" | median)
  target=$([ "$count" -eq 0 ] && echo "<= 0.70" || echo "<= 1.10")
  ratio=$(awk -v d="$d" -v s="$s" 'BEGIN { if (d + 0 > 0 && s + 0 > 0) printf "%.2f", d / s; else print "-" }')
  printf '%-12s %16s %16s %8s %8s\n' "$count" "$(fmt "$d")" "$(fmt "$s")" "$ratio" "$target"
done
