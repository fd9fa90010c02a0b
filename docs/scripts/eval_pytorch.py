"""An exported network loaded into PyTorch as a module of `torch.nn.Linear` layers and
measured on MNIST's test set: the same numbers as `nn-train eval`.

    cargo run --release -p nn-train -- export --checkpoint runs/<run>/lr-0.5/best.ckpt --out model.safetensors
    python3 docs/scripts/eval_pytorch.py model.safetensors datasets/mnist   # pip install torch safetensors numpy
"""

import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

from mnist_test import load_test_set, report


class Mlp(torch.nn.Module):
    """Dense layers with ReLU between them: the network nn-core trains."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])
        )

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x


def main(weights, mnist_dir):
    with safe_open(weights, framework="pt") as f:
        metadata = f.metadata()
    sizes = [int(s) for s in metadata["architecture"].split("-")]
    model = Mlp(sizes)
    model.load_state_dict(load_file(weights))  # the names and shapes are torch.nn.Linear's

    x, labels = load_test_set(mnist_dir)
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
    labels = torch.from_numpy(labels)
    loss = torch.nn.functional.cross_entropy(logits.double(), labels).item()
    correct = int((logits.argmax(dim=1) == labels).sum())
    report(weights, metadata, loss, correct, len(labels))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
