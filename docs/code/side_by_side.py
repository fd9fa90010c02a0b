"""The math of chapters 2 to 8 in NumPy, checked against every number the chapters quote.

    python3 docs/code/side_by_side.py

needs only NumPy, and prints one line per check. The same functions in PyTorch are in the
comments. A batch is a (B, C) array, one example per row; labels are class indices (c), and
Y is their one-hot rows (y), as in docs/notation.md.
"""

import math

import numpy as np


def softmax(z):  # torch.softmax(z, dim=1)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):  # torch.log_softmax(z, dim=1)
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def cross_entropy(z, labels):  # torch.nn.functional.cross_entropy(z, labels): takes LOGITS
    return -log_softmax(z)[np.arange(len(labels)), labels].mean()


def cross_entropy_grad(z, labels):  # what loss.backward() leaves in z.grad
    y = np.eye(z.shape[1])[labels]
    return (softmax(z) - y) / len(labels)


def entropy(q):
    q = q[q > 0]
    return -(q * np.log(q)).sum()


def check(what, actual, expected, tol=5e-7):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape, (what, actual, expected)
    assert np.all(np.abs(actual - expected) <= tol), (what, actual, expected)
    print(f"ok  {what}: {np.array2string(actual, precision=6, floatmode='fixed')}")


# Chapter 2: softmax, shift invariance, log-sum-exp, temperature.
z = np.array([[1.0, 2.0, 3.0]])
check("softmax(1, 2, 3)", softmax(z)[0], [0.090031, 0.244728, 0.665241])
check("softmax(1000, 1001, 1002)", softmax(z + 999)[0], softmax(z)[0], 0)
check("log_softmax(1, 2, 3)", log_softmax(z)[0], [-2.407606, -1.407606, -0.407606])
check("log_softmax(0, 200)", log_softmax(np.array([[0.0, 200.0]]))[0], [-200.0, 0.0], 0)
for t, p, h in [
    (0.25, [0.000329, 0.017980, 0.981690], 0.093035),
    (0.5, [0.015876, 0.117310, 0.866813], 0.441057),
    (2.0, [0.186324, 0.307196, 0.506480], 1.020191),
    (4.0, [0.254275, 0.326496, 0.419229], 1.078100),
]:
    check(f"softmax((1, 2, 3) / {t})", softmax(z / t)[0], p)
    check(f"  its entropy", entropy(softmax(z / t)[0]), h)

# Chapter 3: cross-entropy, as a dissimilarity, against squared error, and its mistakes.
check("cross-entropy, true class 2", cross_entropy(z, [2]), 0.407606)
check("cross-entropy, true class 0", cross_entropy(z, [0]), 2.407606)
p = softmax(z)[0]
q = np.array([0.1, 0.2, 0.7])
h, ce, kl = entropy(q), -(q * np.log(p)).sum(), (q * np.log(q / p)).sum()
check("H(q), H(q, p), KL(q || p) for q = (0.1, 0.2, 0.7)", [h, ce, kl], [0.801819, 0.807606, 0.005787])
check("H(q, p) = H(q) + KL(q || p)", ce, h + kl, 1e-12)
check("epsilon trick at p_c = 0: -log(1e-7)", -math.log(1e-7), 16.118096)
# Softmax applied twice: PyTorch's CrossEntropyLoss given probabilities instead of logits.
check("cross-entropy of softmax(p), true class 2", cross_entropy(softmax(z), [2]), 0.797190)
check("its floor for 10 classes, p = one-hot", cross_entropy(np.eye(10)[:1], [0]), 1.461150)

# Two classes, the true one's logit d below the other: the gradient at the true logit.
def squared_error(zz, c):  # (1/2) sum_i (p_i - y_i)^2, the loss of one example
    return 0.5 * ((softmax(zz)[0] - np.eye(zz.shape[1])[c]) ** 2).sum()


for d, ce_grad, se_grad in [
    (0, -0.5, -0.25),
    (2, -0.880797, -0.184956),
    (5, -0.993307, -0.013207),
    (10, -0.999955, -0.0000908),
]:
    zz = np.array([[0.0, float(d)]])
    h_ = 1e-6
    up, down = zz.copy(), zz.copy()
    up[0, 0] += h_
    down[0, 0] -= h_
    fd = (squared_error(up, 0) - squared_error(down, 0)) / (2 * h_)
    check(f"gap {d:2}: d(cross-entropy)/dz_c, d(squared error)/dz_c",
          [cross_entropy_grad(zz, [0])[0, 0], fd], [ce_grad, se_grad], 1e-6)

# Chapter 4: the fused gradient, against finite differences of the mean loss.
check("p - y for (1, 2, 3), class 2", cross_entropy_grad(z, [2])[0], [0.090031, 0.244728, -0.334759])
rng = np.random.default_rng(0)
zb, labels = rng.normal(size=(5, 4)) * 3, np.array([0, 3, 1, 1, 2])
numeric = np.zeros_like(zb)
for n in range(5):
    for i in range(4):
        e = np.zeros_like(zb)
        e[n, i] = 1e-6
        numeric[n, i] = (cross_entropy(zb + e, labels) - cross_entropy(zb - e, labels)) / 2e-6
check("(P - Y) / B against central differences, B = 5", cross_entropy_grad(zb, labels), numeric, 1e-8)

# Chapters 5 and 6: the 2-2-2 network of one_sgd_step_by_hand, and what the step did to the
# logits. PyTorch's nn.Linear stores W transposed (out x in) and computes x @ W.T + b.
x, c = np.array([[1.0, 2.0]]), [0]
W1, b1 = np.array([[1.0, -1.0], [0.5, -0.5]]), np.zeros(2)
W2, b2 = np.array([[1.0, 0.0], [3.0, -2.0]]), np.array([-1.0, 1.0])


def forward(W1, b1, W2, b2):
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    return z1, a1, a1 @ W2 + b2


z1, a1, z2 = forward(W1, b1, W2, b2)
dz2 = cross_entropy_grad(z2, c)  # (p - y) / B
dW2, db2 = a1.T @ dz2, dz2.sum(axis=0)
dz1 = (dz2 @ W2.T) * (z1 > 0)  # the ReLU mask, from the forward pass
dW1, db1 = x.T @ dz1, dz1.sum(axis=0)
check("dW1, dW2", [dW1.ravel(), dW2.ravel()], [[-0.5, 0, -1, 0], [-1, 1, 0, 0]], 0)
eta = 0.1
step = [-eta * g for g in (dW1, db1, dW2, db2)]
params = (W1, b1, W2, b2)
after = forward(*(p_ + s for p_, s in zip(params, step)))[2]
check("logits after the step", after[0], [1.58, 0.72], 1e-12)
# z is quadratic along the step while no ReLU switches: the central difference over the
# whole step is exactly its first-order part, J·Δθ = -η J Jᵀ (p - y).
behind = forward(*(p_ - s for p_, s in zip(params, step)))[2]
first_order = (after - behind) / 2
check("first-order move of the logits", first_order[0], [0.55, -0.25], 1e-12)
check("second-order rest", (after - z2 - first_order)[0], [0.03, -0.03], 1e-12)
check("-η (p - y), for comparison", -eta * dz2[0], [0.05, -0.05], 1e-12)
# Chapter 8: margin and entropy can rank two answers of equal confidence either way.
for p_, margin, h in [((0.50, 0.45, 0.05), 0.05, 0.855689), ((0.50, 0.25, 0.25), 0.25, 1.039721)]:
    q_ = np.array(p_)
    check(f"margin and entropy of {p_}", [q_[0] - q_[1], entropy(q_)], [margin, h], 1e-6)
print("all checks passed")
