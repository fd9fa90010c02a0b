//! What the network makes of one drawing: everything the page shows, computed here in Rust
//! through nn-core, from the same preparation as `nn-train predict`.

use datasets::handwriting::{ImageError, decode_image, prepare};
use datasets::mnist::{CLASSES, IMAGE_PIXELS};
use nn_core::saliency::{Saliency, saliency_after_forward};
use nn_core::softmax::{argmax, softmax_with_temperature};
use nn_core::uncertainty::{entropy, margin, runner_up};
use nn_core::{Activations, Matrix, Mlp};
use serde::Serialize;

/// A drawing wider or taller than this is refused before it is decoded: the page sends a few
/// hundred pixels, and a small PNG can claim to be enormous.
pub const MAX_SIDE: u32 = 2048;

/// The softmax temperatures the page may ask for: sharper than the network down to 0.01,
/// flatter up to 100.
pub const TEMPERATURES: std::ops::RangeInclusive<f32> = 0.01..=100.0;

/// The answer to `POST /api/predict`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// The most likely digit (the largest logit: the same at every temperature).
    pub digit: usize,
    /// Softmax of the logits at `temperature`.
    pub probabilities: [f32; CLASSES],
    pub temperature: f32,
    pub logits: [f32; CLASSES],
    /// The second most likely digit, and how far behind it is (at `temperature`).
    pub runner_up: usize,
    pub margin: f32,
    /// Entropy of `probabilities`, in nats (0 sure, ln 10 ≈ 2.30 every digit alike).
    pub entropy: f32,
    /// False for a blank drawing: the network answers anyway.
    pub ink: bool,
    /// The drawing was dark on light and was inverted, as MNIST is white on black.
    pub inverted: bool,
    /// The 784 inputs the network read, row by row, in [0, 1].
    pub input: Vec<f32>,
    /// Each hidden layer's activations (after ReLU), first layer first.
    pub hidden: Vec<Vec<f32>>,
    /// Which pixels pushed towards `digit` (at temperature 1, the network's own belief).
    pub saliency: SaliencyMaps,
}

/// `nn_core::saliency::Saliency`, as the page receives it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SaliencyMaps {
    /// Ink times gradient: what each pixel's ink contributed, towards (+) or against (-).
    pub contribution: Vec<f32>,
    /// Where more ink would push towards the digit (+) or away (-).
    pub gradient: Vec<f32>,
}

/// Decodes `picture` (PNG, or any format `datasets::handwriting` reads), prepares it as MNIST
/// was, and runs the network. `temperature` must lie in [`TEMPERATURES`] (the caller checks).
pub fn answer(model: &Mlp, picture: &[u8], temperature: f32) -> Result<Answer, ImageError> {
    let prepared = prepare(&decode_image(picture, "the request body", MAX_SIDE)?);
    let input = prepared.input();
    let x = Matrix::from_vec(1, IMAGE_PIXELS, input.clone());
    let mut acts = Activations::new();
    let logits: [f32; CLASSES] = model
        .forward(&x, &mut acts)
        .row(0)
        .try_into()
        .expect("the network has ten outputs");
    let hidden = (0..model.layers().len() - 1)
        .map(|l| acts.layer_output(l).row(0).to_vec())
        .collect();
    let mut probabilities = [0.0; CLASSES];
    softmax_with_temperature(&logits, temperature, &mut probabilities);
    let digit = argmax(&logits);
    let Saliency {
        gradient,
        contribution,
    } = saliency_after_forward(model, &acts, &input, digit);
    Ok(Answer {
        digit,
        probabilities,
        temperature,
        logits,
        runner_up: runner_up(&probabilities).expect("ten classes"),
        margin: margin(&probabilities),
        entropy: entropy(&probabilities),
        ink: prepared.has_ink(),
        inverted: prepared.inverted,
        input,
        hidden,
        saliency: SaliencyMaps {
            contribution,
            gradient,
        },
    })
}
