"""An exported network measured on MNIST's test set with NumPy alone: the same numbers as
`nn-train eval`, computed outside Rust from nothing but the safetensors file.

    cargo run --release -p nn-train -- export --checkpoint runs/<run>/lr-0.5/best.ckpt --out model.safetensors
    python3 docs/scripts/eval_numpy.py model.safetensors datasets/mnist   # pip install numpy safetensors
"""

import sys

import numpy as np
from safetensors import safe_open

from mnist_test import load_test_set, report


def main(weights, mnist_dir):
    with safe_open(weights, framework="np") as f:
        metadata = f.metadata()
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    layers = int(metadata["layers"])
    x, labels = load_test_set(mnist_dir)

    # The forward pass, as the metadata's layout says: y = x @ W.T + b, ReLU between layers.
    for l in range(layers):
        x = x @ tensors[f"layers.{l}.weight"].T + tensors[f"layers.{l}.bias"]
        if l < layers - 1:
            x = np.maximum(x, 0)
    logits = x

    # Mean cross-entropy through log-sum-exp (docs/03-cross-entropy.md), and accuracy.
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(labels)), labels].mean()
    correct = int((logits.argmax(axis=1) == labels).sum())
    report(weights, metadata, loss, correct, len(labels))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
