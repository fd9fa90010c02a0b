//! Stochastic gradient descent: step every parameter a little way down its gradient.
//!
//! Each rule below is one line of the update; all of them together, for a parameter `θ` with
//! gradient `g = dL/dθ` from one mini-batch, learning rate `η`, momentum `μ` and weight decay
//! `λ`:
//!
//! ```text
//! g ← g + λ·θ          L2 weight decay, weights only: the gradient of (λ/2)·‖W‖²
//! v ← μ·v + g          momentum: a running sum of past gradients (v starts at 0)
//! θ ← θ - η·v          the step (with μ = 0 this is plain SGD, θ ← θ - η·g)
//! ```
//!
//! See `docs/06-sgd-and-learning-rate.md`.

use serde::{Deserialize, Serialize};

use crate::Mlp;
use crate::threads::{chunk_per_thread, for_each_chunk_mut, for_each_chunk_pair_mut};

/// The optimiser and its state. It is serialisable because the momentum buffers are part of
/// what a checkpoint must restore for training to resume exactly
/// (`docs/appendix-b-runs-and-checkpoints.md`). See `docs/06-sgd-and-learning-rate.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sgd {
    /// `η`: how far each step goes.
    pub learning_rate: f32,
    /// `μ`: 0 is plain SGD; 0.9 lets a step carry 90% of the previous one. Momentum averages
    /// out the noise of small batches and speeds up along directions that stay consistent.
    pub momentum: f32,
    /// `λ`: L2 penalty on the weights (not the biases). It pulls every weight towards 0 a
    /// little at each step, preferring many small weights to a few large ones, which
    /// generalises better.
    pub weight_decay: f32,
    /// `v`, one buffer per parameter; created on the first step that uses momentum.
    velocity: Option<Mlp>,
}

impl Sgd {
    /// Plain SGD: `θ ← θ - η·g`. See `docs/06-sgd-and-learning-rate.md`.
    pub fn new(learning_rate: f32) -> Sgd {
        Sgd {
            learning_rate,
            momentum: 0.0,
            weight_decay: 0.0,
            velocity: None,
        }
    }

    pub fn with_momentum(mut self, momentum: f32) -> Sgd {
        self.momentum = momentum;
        self
    }

    pub fn with_weight_decay(mut self, weight_decay: f32) -> Sgd {
        self.weight_decay = weight_decay;
        self
    }

    /// Applies one update to `model` from the gradients of one mini-batch: the rules of the
    /// module docs, worked by hand in `docs/06-sgd-and-learning-rate.md`.
    pub fn step(&mut self, model: &mut Mlp, grads: &Mlp) {
        let (lr, mu, wd) = (self.learning_rate, self.momentum, self.weight_decay);
        if mu == 0.0 {
            for (layer, grad) in model.layers_mut().iter_mut().zip(grads.layers()) {
                plain_update(
                    layer.weights.as_mut_slice(),
                    grad.weights.as_slice(),
                    lr,
                    wd,
                );
                plain_update(&mut layer.bias, &grad.bias, lr, 0.0);
            }
            return;
        }
        let velocity = self.velocity.get_or_insert_with(|| model.zeros_like());
        let params = model.layers_mut().iter_mut();
        for ((layer, grad), v) in params.zip(grads.layers()).zip(velocity.layers_mut()) {
            let (w, g, vw) = (
                layer.weights.as_mut_slice(),
                grad.weights.as_slice(),
                v.weights.as_mut_slice(),
            );
            momentum_update(w, g, vw, lr, mu, wd);
            momentum_update(&mut layer.bias, &grad.bias, &mut v.bias, lr, mu, 0.0);
        }
    }
}

/// Below this many parameters an update runs on one thread.
const MIN_PARAMETERS_PER_THREAD: usize = 16 * 1024;

/// `θ ← θ - η·(g + λ·θ)`. Each parameter's update is independent of the others, so the
/// threads of the current pool take a slice each.
fn plain_update(theta: &mut [f32], grad: &[f32], lr: f32, wd: f32) {
    let chunk = chunk_per_thread(theta.len(), MIN_PARAMETERS_PER_THREAD);
    for_each_chunk_mut(theta, chunk, |c, theta| {
        for (t, &g) in theta.iter_mut().zip(&grad[c * chunk..]) {
            *t -= lr * (g + wd * *t);
        }
    });
}

/// `v ← μ·v + (g + λ·θ)`, then `θ ← θ - η·v`
fn momentum_update(theta: &mut [f32], grad: &[f32], v: &mut [f32], lr: f32, mu: f32, wd: f32) {
    let chunk = chunk_per_thread(theta.len(), MIN_PARAMETERS_PER_THREAD);
    for_each_chunk_pair_mut(theta, v, chunk, |c, theta, v| {
        for ((t, &g), v) in theta.iter_mut().zip(&grad[c * chunk..]).zip(v) {
            *v = mu * *v + (g + wd * *t);
            *t -= lr * *v;
        }
    });
}
