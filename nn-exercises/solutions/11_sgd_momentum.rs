//! Exercise 11, solved: `g ← g + λ·θ; v ← μ·v + g; θ ← θ - η·v`
//! (`docs/06-sgd-and-learning-rate.md`).

pub fn sgd_step(
    weights: &mut [f32],
    grads: &[f32],
    velocity: &mut [f32],
    learning_rate: f32,
    momentum: f32,
    weight_decay: f32,
) {
    for i in 0..weights.len() {
        let g = grads[i] + weight_decay * weights[i];
        velocity[i] = momentum * velocity[i] + g;
        weights[i] -= learning_rate * velocity[i];
    }
}
