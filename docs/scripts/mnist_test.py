"""MNIST's 10,000 test images and labels, read from the folder nn-train uses (raw or gzipped
IDX files), converted as nn-train converts them: one row of 784 float32 values per image,
pixel / 255."""

import gzip
import sys
from pathlib import Path

import numpy as np


def read_idx(folder, name, header_bytes):
    for path in (Path(folder) / name, Path(folder) / f"{name}.gz"):
        if path.exists():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            return np.frombuffer(data, dtype=np.uint8, offset=header_bytes)
    sys.exit(f"{folder} holds no {name}; get MNIST with `cargo run --release -p nn-train -- fetch`")


def load_test_set(folder):
    images = read_idx(folder, "t10k-images-idx3-ubyte", 16).reshape(-1, 784)
    labels = read_idx(folder, "t10k-labels-idx1-ubyte", 8).astype(np.int64)
    return images.astype(np.float32) / np.float32(255), labels


def report(name, metadata, loss, correct, total):
    """The two lines `nn-train eval` prints, so the two can be compared line by line."""
    print(f"{name}: {metadata['architecture']} network, lr {metadata['learning_rate']}, "
          f"epoch {metadata['epoch']}")
    print(f"test loss {loss:.4f}, accuracy {100 * correct / total:.2f}% ({correct}/{total})")
