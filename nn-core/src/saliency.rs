//! Which pixels pushed a prediction towards its answer.
//!
//! The natural question is the gradient of `log p_c`, the log-probability of the answer `c`,
//! with respect to the input pixels. Written out (`∂ log p_c/∂z_j = δ_cj - p_j`):
//!
//! ```text
//! ∇ log p_c = ∇z_c - Σ_j p_j ∇z_j = (1 - p_c) · ∇(z_c - Σ_{j≠c} q_j z_j),   q_j = p_j / (1 - p_c)
//! ```
//!
//! The factor `1 - p_c` only scales; the direction is the gradient of the answer's logit
//! against its rivals', each rival weighted by how likely it is (`q` is the softmax of the
//! other nine logits). That form stays exact when the network is sure: in `f32`, `p_c = 1.0`
//! leaves `(p - y)` with nothing but rounding in it, while `q` is still well defined.
//!
//! Two maps come out of it: the gradient itself (where more ink would raise the answer), and
//! the gradient times the input, pixel by pixel (what the ink that is there contributed). A
//! ReLU network is linear around any input, so the contributions add up to the margin
//! `z_c - Σ q_j z_j`, minus what the biases add. See `docs/10-using-the-network.md`.

use crate::softmax::softmax;
use crate::{Activations, Matrix, Mlp};

/// `w` with `w·z = z_class - Σ_{j≠class} q_j z_j`, `q` the softmax of the other logits: 1 for
/// the class, `-q_j` for each rival. See `docs/10-using-the-network.md`.
pub fn rival_weights(logits: &[f32], class: usize, weights: &mut [f32]) {
    assert!(class < logits.len() && logits.len() == weights.len() && logits.len() > 1);
    let others: Vec<f32> = (0..logits.len())
        .filter(|&j| j != class)
        .map(|j| logits[j])
        .collect();
    let mut q = vec![0.0; others.len()];
    softmax(&others, &mut q);
    let mut rivals = q.iter();
    for (j, w) in weights.iter_mut().enumerate() {
        *w = if j == class {
            1.0
        } else {
            -rivals.next().expect("one q per rival")
        };
    }
}

/// The two maps for one input and a class (usually the predicted one).
#[derive(Clone, Debug, PartialEq)]
pub struct Saliency {
    /// `∇(z_c - Σ q_j z_j)`: where more ink would push towards the class (positive) or away.
    pub gradient: Vec<f32>,
    /// `x ⊙ gradient`: what each pixel's ink contributed, towards (positive) or against.
    pub contribution: Vec<f32>,
}

/// The saliency of `class` for the single input `x` (one value per input of the network).
/// See `docs/10-using-the-network.md`.
pub fn saliency(model: &Mlp, x: &[f32], class: usize) -> Saliency {
    let x = Matrix::from_vec(1, x.len(), x.to_vec());
    let mut acts = Activations::new();
    model.forward(&x, &mut acts);
    saliency_after_forward(model, &acts, x.row(0), class)
}

/// [`saliency`] for a caller that has already run the network: `acts` is what
/// [`Mlp::forward`] left for the single input `x`.
pub fn saliency_after_forward(
    model: &Mlp,
    acts: &Activations,
    x: &[f32],
    class: usize,
) -> Saliency {
    let logits = acts.logits();
    assert_eq!(logits.rows(), 1, "the saliency of one input at a time");
    let mut weights = Matrix::zeros(1, logits.cols());
    rival_weights(logits.row(0), class, weights.row_mut(0));
    let mut gradient = Matrix::default();
    model.logits_input_gradient(acts, &weights, &mut gradient);
    let gradient = gradient.row(0).to_vec();
    let contribution = gradient.iter().zip(x).map(|(g, x)| g * x).collect();
    Saliency {
        gradient,
        contribution,
    }
}
