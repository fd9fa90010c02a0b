#!/usr/bin/env python3
"""Comparison baseline: a ReLU MLP on MNIST (784-128-10 by default), hand-written NumPy
forward/backward, for side-by-side speed comparisons with nn-train (docs/appendix-a-making-it-fast.md).

Recipe: x = pixel/255 (float32), Dense 784->H1, ReLU, ..., Dense ->10, softmax cross-entropy
(mean over the batch), plain SGD lr=0.1, batch 64 (last partial batch kept: 938 steps per
epoch), He-normal weights (std = sqrt(2/fan_in)), zero biases, float32.
train_s times only the training loop (shuffle + forward/backward/update); data loading and the
per-epoch test evaluation are excluded.

Usage: pip install numpy threadpoolctl
       python3 bench/numpy_mlp.py --epochs 3 --data DIR   # DIR holds the four raw IDX files
       python3 bench/numpy_mlp.py --hidden 800,800 --epochs 1 --data DIR
"""
import argparse
import os

# These slow OpenBLAS down on this machine; OpenBLAS reads them when numpy is first imported.
for _v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_v, None)
import time

import numpy as np
from threadpoolctl import threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))


def load_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert data[0] == 0 and data[1] == 0 and data[2] == 0x08, "expected unsigned-byte IDX, magic=%#x" % magic
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    off = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.uint8, offset=off)
    assert arr.size == int(np.prod(dims)), (path, dims, arr.size)
    return arr.reshape(dims)


def load_mnist(d):
    xtr = load_idx(os.path.join(d, "train-images-idx3-ubyte"))
    ytr = load_idx(os.path.join(d, "train-labels-idx1-ubyte"))
    xte = load_idx(os.path.join(d, "t10k-images-idx3-ubyte"))
    yte = load_idx(os.path.join(d, "t10k-labels-idx1-ubyte"))
    assert xtr.shape == (60000, 28, 28) and ytr.shape == (60000,)
    assert xte.shape == (10000, 28, 28) and yte.shape == (10000,)
    f = lambda x: (x.reshape(x.shape[0], -1).astype(np.float32) / np.float32(255.0))
    return f(xtr), ytr.astype(np.int64), f(xte), yte.astype(np.int64)


def he_init(seed, sizes):
    rng = np.random.default_rng(seed)
    Ws, bs = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        Ws.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        bs.append(np.zeros(fan_out, dtype=np.float32))
    return Ws, bs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--data", default=os.path.join(HERE, "mnist"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads (threadpoolctl)")
    ap.add_argument("--hidden", default="128", help="hidden layer widths, e.g. 800,800")
    args = ap.parse_args()

    threadpool_limits(limits=args.threads, user_api="blas")
    from threadpoolctl import threadpool_info
    blas = [(i["internal_api"], i["version"], i.get("architecture"), i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]
    print("# numpy %s blas=%s" % (np.__version__, blas), flush=True)
    Xtr, ytr, Xte, yte = load_mnist(args.data)
    n = Xtr.shape[0]
    sizes = [784] + [int(w) for w in args.hidden.split(",")] + [10]
    Ws, bs = he_init(args.seed, sizes)
    last = len(Ws) - 1
    lr = np.float32(args.lr)
    eye = np.eye(10, dtype=np.float32)
    rs = np.random.RandomState(args.seed)
    order = np.arange(n)

    def logits(X):
        a = X
        for l, (W, b) in enumerate(zip(Ws, bs)):
            a = a @ W + b
            if l < last:
                a = np.maximum(a, 0)
        return a

    def accuracy(X, y):
        return float(np.mean(np.argmax(logits(X), axis=1) == y))

    print("# network %s, batch %d, lr %g" % ("-".join(map(str, sizes)), args.batch, args.lr), flush=True)
    train_s = 0.0
    loss = float("nan")
    for ep in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = np.arange(n)
        rs.shuffle(perm)
        order = order[perm]
        acc_loss = 0.0
        for s in range(0, n, args.batch):
            idx = order[s:s + args.batch]
            X = Xtr[idx]
            y = ytr[idx]
            B = X.shape[0]
            # forward: inputs[l] is layer l's input, pre[l] its output before ReLU
            inputs, pre = [X], []
            for l, (W, b) in enumerate(zip(Ws, bs)):
                h = inputs[-1] @ W
                h += b
                pre.append(h)
                if l < last:
                    inputs.append(np.maximum(h, 0))
            z = pre[-1]
            z -= z.max(axis=1, keepdims=True)
            ez = np.exp(z)
            sez = ez.sum(axis=1, keepdims=True)
            p = ez / sez
            # loss = mean(logsumexp - z_y), with z already max-shifted
            acc_loss += float(np.sum(np.log(sez[:, 0]) - z[np.arange(B), y]))
            # backward, then SGD, layer by layer from the top
            d = (p - eye[y]) / np.float32(B)
            for l in range(last, -1, -1):
                dW = inputs[l].T @ d
                db = d.sum(axis=0)
                if l > 0:
                    d = d @ Ws[l].T
                    d *= (pre[l - 1] > 0)
                Ws[l] -= lr * dW
                bs[l] -= lr * db
        ep_s = time.perf_counter() - t0
        train_s += ep_s
        loss = acc_loss / n
        test_acc = accuracy(Xte, yte)
        print("epoch %d train_loss=%.6f test_acc=%.4f epoch_train_s=%.3f" % (ep, loss, test_acc, ep_s), flush=True)

    assert all(W.dtype == np.float32 for W in Ws)
    print("RESULT impl=numpy epochs=%d train_s=%.3f s_per_epoch=%.3f test_acc=%.4f final_train_loss=%.6f"
          % (args.epochs, train_s, train_s / args.epochs, test_acc, loss), flush=True)


if __name__ == "__main__":
    main()
