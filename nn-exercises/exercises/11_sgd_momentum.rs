//! # Exercise 11: an SGD step with momentum and weight decay
//!
//! Read first: `docs/06-sgd-and-learning-rate.md`, "Momentum" and "L2 weight decay".
//!
//! Update `weights` in place from their gradients `grads`. `velocity` is yours to keep: it
//! starts at zeros and is passed back to you at every step, so a step can carry `momentum`
//! of the one before. Weight decay pulls every weight a little towards 0.
//!
//! ```text
//! g ← g + λ·θ;   v ← μ·v + g;   θ ← θ - η·v
//! ```
//!
//! with `θ` the weights, `η` the learning rate, `μ` the momentum, `λ` the weight decay.
//!
//! Check it: `cargo run -p nn-exercises -- sgd_momentum`

/// One step for every weight `i`, with `grads[i]` and `velocity[i]` (all three the same length).
pub fn sgd_step(
    weights: &mut [f32],
    grads: &[f32],
    velocity: &mut [f32],
    learning_rate: f32,
    momentum: f32,
    weight_decay: f32,
) {
    todo!()
}
