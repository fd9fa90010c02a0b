//! ReLU, `a = max(z, 0)`: the non-linearity between dense layers.
//!
//! Without it two dense layers collapse into one, `(X·W1 + b1)·W2 + b2 = X·(W1·W2) + (b1·W2 + b2)`:
//! one weight matrix and one bias. With it the network can bend. Its derivative is 1 where
//! `z > 0` and 0 elsewhere, so backward lets the gradient through the units that were active
//! and stops it at the others.
//! See `docs/05-dense-and-relu.md`.

use crate::Matrix;

/// `a = max(z, 0)`, in place: the pre-activation is not needed again, because
/// `a > 0` exactly where `z > 0`, and that mask is all backward reads. A NaN stays NaN (where
/// `f32::max` would turn it into 0), so a diverging run shows up in the loss.
/// See `docs/05-dense-and-relu.md`.
pub fn relu_forward(z: &mut Matrix) {
    for v in z.as_mut_slice() {
        // A select rather than a conditional store, so the loop vectorises.
        *v = if *v < 0.0 { 0.0 } else { *v };
    }
}

/// `dz = da ⊙ [a > 0]`, in place on the incoming gradient. At `z = 0` we take the derivative
/// as 0, the usual convention. See `docs/05-dense-and-relu.md`.
pub fn relu_backward(a: &Matrix, grad: &mut Matrix) {
    assert_eq!(
        a.shape(),
        grad.shape(),
        "relu_backward: activations are {:?} but the gradient is {:?}",
        a.shape(),
        grad.shape()
    );
    for (g, &a) in grad.as_mut_slice().iter_mut().zip(a.as_slice()) {
        *g = if a > 0.0 { *g } else { 0.0 };
    }
}
