//! A multi-layer perceptron: dense layers with ReLU between them and softmax cross-entropy on
//! the last layer's output (the logits).
//!
//! ```text
//! x ─ Dense ─ ReLU ─ Dense ─ ReLU ─ ... ─ Dense ─ logits ─ softmax ─ p ─ cross-entropy ─ L
//! ```
//!
//! The forward pass keeps every layer's output in [`Activations`]; the backward pass walks the
//! layers in reverse and reads them. See `docs/05-dense-and-relu.md`. While training, dropout
//! may follow each hidden ReLU ([`Mlp::forward_loss_dropout`],
//! `docs/09-overfitting-and-regularisation.md`).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::Matrix;
use crate::dense::Dense;
use crate::dropout::{Dropout, dropout_backward, dropout_forward};
use crate::loss::{softmax_cross_entropy, softmax_cross_entropy_backward};
use crate::matmul::matmul_a_bt;
use crate::relu::{relu_backward, relu_forward};
use crate::softmax::{argmax, softmax_rows};

/// The network's parameters. Gradients and momentum buffers have the same shapes, so they are
/// an `Mlp` too (see [`Mlp::zeros_like`]). The shape of every matrix of a training step:
/// `docs/05-dense-and-relu.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MlpFields")]
pub struct Mlp {
    layers: Vec<Dense>,
}

/// What is on disk; it becomes an [`Mlp`] only if the layer shapes fit together.
#[derive(Deserialize)]
struct MlpFields {
    layers: Vec<Dense>,
}

impl TryFrom<MlpFields> for Mlp {
    type Error = String;

    fn try_from(m: MlpFields) -> Result<Mlp, String> {
        Mlp::from_layers(m.layers)
    }
}

impl Mlp {
    /// A network with layer widths `sizes`, e.g. `[784, 128, 10]`: 784 inputs, one hidden layer
    /// of 128 units, 10 classes. Weights are He-normal from a ChaCha8 generator seeded with
    /// `seed`, so the same seed gives the same network on every machine; biases are 0.
    /// See `docs/05-dense-and-relu.md` (He-normal) and
    /// `docs/appendix-b-runs-and-checkpoints.md` (seeds).
    pub fn new(sizes: &[usize], seed: u64) -> Mlp {
        assert!(
            sizes.len() >= 2 && sizes.iter().all(|&s| s > 0),
            "Mlp::new: need at least an input and an output size, all positive; got {sizes:?}"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let layers = sizes
            .windows(2)
            .map(|w| Dense::he_normal(w[0], w[1], &mut rng))
            .collect();
        Mlp { layers }
    }

    /// Checks that the layers fit together: every bias matches its layer's width and every
    /// layer's output width is the next layer's input width.
    pub fn from_layers(layers: Vec<Dense>) -> Result<Mlp, String> {
        if layers.is_empty() {
            return Err("a network needs at least one layer".into());
        }
        for (l, layer) in layers.iter().enumerate() {
            if layer.bias.len() != layer.fan_out() {
                return Err(format!(
                    "layer {l} has {} outputs but {} biases",
                    layer.fan_out(),
                    layer.bias.len()
                ));
            }
        }
        for (l, pair) in layers.windows(2).enumerate() {
            if pair[0].fan_out() != pair[1].fan_in() {
                return Err(format!(
                    "layer {l} has {} outputs but layer {} takes {} inputs",
                    pair[0].fan_out(),
                    l + 1,
                    pair[1].fan_in()
                ));
            }
        }
        Ok(Mlp { layers })
    }

    /// Same shapes, all zeros: the type of gradients and momentum buffers.
    pub fn zeros_like(&self) -> Mlp {
        let layers = self
            .layers
            .iter()
            .map(|l| Dense::zeros(l.fan_in(), l.fan_out()))
            .collect();
        Mlp { layers }
    }

    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    pub fn layers_mut(&mut self) -> &mut [Dense] {
        &mut self.layers
    }

    /// The layer widths, `[784, 128, 10]` for the default network.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.layers[0].fan_in()];
        sizes.extend(self.layers.iter().map(Dense::fan_out));
        sizes
    }

    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.as_slice().len() + l.bias.len())
            .sum()
    }

    /// Runs the batch `x` (one example per row) through every layer and returns the logits.
    /// Each layer's output stays in `acts` for [`Mlp::backward`]. See `docs/05-dense-and-relu.md`.
    pub fn forward<'a>(&self, x: &Matrix, acts: &'a mut Activations) -> &'a Matrix {
        self.forward_layers(x, acts, None);
        acts.logits()
    }

    /// Forward pass plus the mean cross-entropy against `labels`; leaves the softmax
    /// probabilities in `acts`, where [`Mlp::backward`] reads them. See
    /// `docs/03-cross-entropy.md`.
    pub fn forward_loss(&self, x: &Matrix, labels: &[usize], acts: &mut Activations) -> f32 {
        self.forward_layers(x, acts, None);
        let logits = acts.outputs.last().expect("at least one layer");
        softmax_cross_entropy(logits, labels, &mut acts.probs)
    }

    /// The training forward pass with dropout: [`Mlp::forward_loss`], but each hidden layer's
    /// output, after its ReLU, is multiplied by a fresh mask (`1/(1-p)` or 0 per unit) drawn
    /// from `rng`, one layer after the other. The masks stay in `acts`, and [`Mlp::backward`]
    /// sends the gradient through them. Evaluation uses [`Mlp::forward`] and
    /// [`Mlp::forward_loss`], which never drop anything. See
    /// `docs/09-overfitting-and-regularisation.md`.
    pub fn forward_loss_dropout(
        &self,
        x: &Matrix,
        labels: &[usize],
        dropout: Dropout,
        rng: &mut ChaCha8Rng,
        acts: &mut Activations,
    ) -> f32 {
        self.forward_layers(x, acts, Some((dropout, rng)));
        let logits = acts.outputs.last().expect("at least one layer");
        softmax_cross_entropy(logits, labels, &mut acts.probs)
    }

    /// Dense, then ReLU and (if given) dropout on every hidden layer.
    fn forward_layers(
        &self,
        x: &Matrix,
        acts: &mut Activations,
        mut dropout: Option<(Dropout, &mut ChaCha8Rng)>,
    ) {
        let last = self.layers.len() - 1;
        acts.fit(self.layers.len());
        acts.dropout = dropout.is_some();
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = acts.outputs.split_at_mut(l);
            let input = if l == 0 { x } else { &done[l - 1] };
            let output = &mut rest[0];
            layer.forward(input, output);
            if l < last {
                relu_forward(output);
                if let Some((dropout, rng)) = &mut dropout {
                    let mask = &mut acts.masks[l];
                    dropout.draw_mask(mask, output.rows(), output.cols(), rng);
                    dropout_forward(output, mask);
                }
            }
        }
    }

    /// Backpropagation: after [`Mlp::forward_loss`] on the same `x` and `labels`, writes
    /// `dL/dθ` for every parameter into `grads`. The gradient starts as `(p - y) / B` at the
    /// logits and flows down: through each dense layer (`dx = dy·Wᵀ`), each dropout mask if
    /// the forward pass dropped units, and each ReLU mask. The first layer's input gradient is
    /// never needed, so it is not computed.
    /// See `docs/04-softmax-cross-entropy-gradient.md` (the start),
    /// `docs/05-dense-and-relu.md` (the layers) and
    /// `docs/09-overfitting-and-regularisation.md` (dropout).
    pub fn backward(&self, x: &Matrix, labels: &[usize], acts: &mut Activations, grads: &mut Mlp) {
        let last = self.layers.len() - 1;
        let Activations {
            outputs,
            probs,
            deltas,
            masks,
            dropout,
        } = acts;
        softmax_cross_entropy_backward(probs, labels, &mut deltas[last]);
        for l in (0..=last).rev() {
            let input = if l == 0 { x } else { &outputs[l - 1] };
            let (below, this_and_above) = deltas.split_at_mut(l);
            let dy = &this_and_above[0];
            let dx = below.last_mut();
            self.layers[l].backward(input, dy, &mut grads.layers[l], dx);
            if l > 0 {
                if *dropout {
                    dropout_backward(&masks[l - 1], &mut below[l - 1]);
                }
                // `outputs` holds the activations after dropout, positive exactly where the
                // pre-activation was positive and the unit was kept: where it was dropped the
                // gradient is already 0, so this is still the ReLU mask `[z > 0]`.
                relu_backward(&outputs[l - 1], &mut below[l - 1]);
            }
        }
    }

    /// `dL/dx`, the gradient of the loss with respect to the input pixels, after
    /// [`Mlp::backward`]: which pixels would change the loss most. Training never needs it; the
    /// gradient check does (`docs/05-dense-and-relu.md`).
    pub fn input_gradient(&self, acts: &Activations, dx: &mut Matrix) {
        matmul_a_bt(&acts.deltas[0], &self.layers[0].weights, dx);
    }

    /// `∂(w·z)/∂x`: how each input moves a weighted sum of the logits, for the examples of the
    /// last [`Mlp::forward`] (without dropout); row `b` of `dlogits` holds the weights `w` for
    /// example `b`. The backward pass of [`Mlp::backward`] started from `dlogits` instead of the
    /// loss's `(p - y) / B`, through each dense layer (`dx = dy·Wᵀ`) and ReLU mask, and
    /// without the parameters' gradients. The saliency maps (`crate::saliency`,
    /// `docs/10-using-the-network.md`) are made of it.
    pub fn logits_input_gradient(&self, acts: &Activations, dlogits: &Matrix, dx: &mut Matrix) {
        let mut dy = dlogits.clone();
        for l in (1..self.layers.len()).rev() {
            let mut below = Matrix::default();
            matmul_a_bt(&dy, &self.layers[l].weights, &mut below);
            relu_backward(&acts.outputs[l - 1], &mut below);
            dy = below;
        }
        matmul_a_bt(&dy, &self.layers[0].weights, dx);
    }

    /// `p(class | x)` for every row of `x`: the softmax of the logits.
    pub fn probabilities<'a>(&self, x: &Matrix, acts: &'a mut Activations) -> &'a Matrix {
        self.forward(x, acts);
        let Activations { outputs, probs, .. } = acts;
        softmax_rows(outputs.last().expect("at least one layer"), probs);
        probs
    }

    /// The most likely class of every row of `x`.
    pub fn predict(&self, x: &Matrix, acts: &mut Activations) -> Vec<usize> {
        let logits = self.forward(x, acts);
        (0..logits.rows()).map(|r| argmax(logits.row(r))).collect()
    }
}

/// What the forward pass leaves for the backward pass, and the backward pass's own buffers.
/// Created empty; the buffers take their size on the first batch and are reused after that, so
/// a training step does not allocate. See `docs/05-dense-and-relu.md`.
#[derive(Debug, Default)]
pub struct Activations {
    /// `outputs[l]`: layer `l`'s output, after ReLU for hidden layers; the last is the logits.
    outputs: Vec<Matrix>,
    /// Softmax of the logits.
    probs: Matrix,
    /// `deltas[l]`: `dL/d(layer l's output before ReLU)`.
    deltas: Vec<Matrix>,
    /// `masks[l]`: the dropout mask of hidden layer `l` in the last training forward pass.
    masks: Vec<Matrix>,
    /// Whether the last forward pass dropped units (and `masks` is what it used).
    dropout: bool,
}

impl Activations {
    pub fn new() -> Activations {
        Activations::default()
    }

    /// The softmax probabilities of the last [`Mlp::forward_loss`] or [`Mlp::probabilities`].
    pub fn probabilities(&self) -> &Matrix {
        &self.probs
    }

    /// The logits of the last forward pass.
    pub fn logits(&self) -> &Matrix {
        self.outputs.last().expect("no forward pass has run yet")
    }

    /// The dropout mask of hidden layer `layer` in the last forward pass, if it dropped units:
    /// what the gradient check holds fixed.
    pub fn dropout_mask(&self, layer: usize) -> Option<&Matrix> {
        self.dropout.then(|| &self.masks[layer])
    }

    /// Layer `l`'s output in the last forward pass, one row per example: for a hidden layer,
    /// its units' activations after ReLU (what the next layer reads); for the last, the logits.
    pub fn layer_output(&self, l: usize) -> &Matrix {
        &self.outputs[l]
    }

    fn fit(&mut self, layers: usize) {
        self.outputs.resize_with(layers, Matrix::default);
        self.deltas.resize_with(layers, Matrix::default);
        self.masks.resize_with(layers, Matrix::default);
    }
}
