#!/usr/bin/env bash
# What do data augmentation and dropout add to the epoch time of a wide network?
#
# Trains 784-800-10 (batch 64, momentum 0.9, learning rate 0.05) for a few epochs without
# either, with each kind of distortion, and with dropout, taking turns round after round, and
# prints the training seconds per epoch (the `seconds` column of metrics.csv, the median over
# every epoch of every round) and the ratio to the plain run. The target
# (docs/09-overfitting-and-regularisation.md): augmentation adds at most 25% to the epoch time,
# measured on an otherwise idle machine.
#
# Usage:  bash bench/augment.sh            (MNIST from $MNIST_DIR, else datasets/mnist)
#         EPOCHS=2 ROUNDS=5 bash bench/augment.sh
# Each training run is bounded (RUN_BOUND seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

EPOCHS="${EPOCHS:-2}"
ROUNDS="${ROUNDS:-3}"
RUN_BOUND="${RUN_BOUND:-600}"
export MNIST_DIR="${MNIST_DIR:-$(pwd)/datasets/mnist}"

source bench/common.sh

variants=("plain" "affine" "elastic" "affine,elastic" "dropout")
flags_of() {
  case "$1" in
    plain) ;;
    dropout) echo "--dropout 0.5" ;;
    *) echo "--augment $1" ;;
  esac
}

# Every epoch's training seconds of one run: `train_epoch_seconds NAME FLAGS...`.
train_epoch_seconds() {
  local out="$work/$1"
  shift
  if ! timeout "$RUN_BOUND" "$nn_train" --hidden 800 --lrs 0.05 --momentum 0.9 \
    --epochs "$EPOCHS" --val-size 0 --out "$out" "$@" > /dev/null 2>&1; then
    return
  fi
  epoch_seconds "$out" 0.05
}

declare -A seconds
for round in $(seq "$ROUNDS"); do
  for variant in "${variants[@]}"; do
    # shellcheck disable=SC2046 # the flags are words
    seconds[$variant]+=" $(train_epoch_seconds "$variant-$round" $(flags_of "$variant"))"
  done
done

printf 'nn-train --hidden 800 --lrs 0.05 --momentum 0.9 --epochs %s --val-size 0, %s rounds, %s cores, load %s\n' \
  "$EPOCHS" "$ROUNDS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %8s %6s\n' "" "s/epoch" "ratio"
plain=$(echo "${seconds[plain]}" | median)
for variant in "${variants[@]}"; do
  s=$(echo "${seconds[$variant]}" | median)
  ratio=$(awk -v s="$s" -v p="$plain" 'BEGIN { if (s + 0 > 0 && p + 0 > 0) printf "%.2f", s / p; else print "-" }')
  label=$(flags_of "$variant")
  printf '%-26s %8.3f %6s\n' "${label:-(neither)}" "$s" "$ratio"
done
