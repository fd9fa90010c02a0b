#!/usr/bin/env bash
# One epoch of the same network in nn-train and in NumPy (bench/numpy_mlp.py, OpenBLAS),
# back to back, several rounds: training seconds per epoch of each and their ratio.
#
# Usage:  bash bench/vs_numpy.sh                  784-800-800-10, batch 64, SGD, one epoch
#         HIDDEN=128 bash bench/vs_numpy.sh       the reference recipe, 784-128-10
#         ROUNDS=5 EPOCHS=1 bash bench/vs_numpy.sh
# Needs `pip install numpy threadpoolctl`, and MNIST in $MNIST_DIR (else datasets/mnist). Both
# use every core; each epoch's time covers shuffling and the training steps, not evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."

HIDDEN="${HIDDEN:-800,800}"
ROUNDS="${ROUNDS:-3}"
EPOCHS="${EPOCHS:-1}"
export MNIST_DIR="${MNIST_DIR:-$(pwd)/datasets/mnist}"

source bench/common.sh

printf 'network 784-%s-10, batch 64, SGD lr 0.1, %s epoch(s), %s rounds, %s cores\n' \
  "${HIDDEN//,/-}" "$EPOCHS" "$ROUNDS" "$(nproc)"
ours="" numpy=""
for round in $(seq "$ROUNDS"); do
  "$nn_train" --hidden "$HIDDEN" --lrs 0.1 --epochs "$EPOCHS" --val-size 0 \
    --out "$work/run-$round" > /dev/null 2>&1
  o=$(epoch_seconds "$work/run-$round" 0.1 | median)
  p=$(python3 bench/numpy_mlp.py --hidden "$HIDDEN" --epochs "$EPOCHS" --threads "$(nproc)" \
    --data "$MNIST_DIR" | sed -n 's/^RESULT .*s_per_epoch=\([0-9.]*\).*/\1/p')
  printf 'round %s: nn-train %.3f s/epoch, NumPy %.3f s/epoch, NumPy / nn-train %.2f\n' \
    "$round" "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { print p / o }')"
  ours+=" $o" numpy+=" $p"
done
o=$(echo "$ours" | median) p=$(echo "$numpy" | median)
printf 'median: nn-train %.3f s/epoch, NumPy %.3f s/epoch: nn-train is %.2f times as fast\n' \
  "$o" "$p" "$(awk -v o="$o" -v p="$p" 'BEGIN { print p / o }')"
