//! He's argument, measured: through a stack of dense layers with ReLU between them, He-normal
//! weights (variance `2 / n_in`) keep the second moment `E[z²]` of the pre-activations from
//! layer to layer, and Glorot's (`2 / (n_in + n_out)`, `1 / n` for square layers) halve it at
//! every layer. The numbers of `docs/05-dense-and-relu.md`:
//! `cargo test -p nn-core --test initialisation -- --nocapture`.

use nn_core::Matrix;
use nn_core::dense::Dense;
use nn_core::relu::relu_forward;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const WIDTH: usize = 1024;
const LAYERS: usize = 10;
const BATCH: usize = 256;

/// `E[z²]` of every layer's pre-activation, for a batch of standard normal inputs (so
/// `E[x²] = 1`), with each layer's He-normal weights multiplied by `scale`.
fn second_moments(scale: f32) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x: Vec<f32> = (0..BATCH * WIDTH)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let mut input = Matrix::from_vec(BATCH, WIDTH, x);
    let mut moments = Vec::new();
    for _ in 0..LAYERS {
        let mut layer = Dense::he_normal(WIDTH, WIDTH, &mut rng);
        layer
            .weights
            .as_mut_slice()
            .iter_mut()
            .for_each(|w| *w *= scale);
        let mut z = Matrix::default();
        layer.forward(&input, &mut z);
        let values = z.as_slice();
        let moment =
            values.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / values.len() as f64;
        moments.push(moment);
        relu_forward(&mut z);
        input = z;
    }
    moments
}

#[test]
fn he_keeps_the_second_moment_through_relu_layers_and_glorot_halves_it() {
    let he = second_moments(1.0);
    // Glorot for square layers: variance 2 / (n + n) = 1 / n, half of He's 2 / n.
    let glorot = second_moments(std::f32::consts::FRAC_1_SQRT_2);
    println!("layer  E[z²] He  E[z²] Glorot");
    for (l, (h, g)) in he.iter().zip(&glorot).enumerate() {
        println!("{:5}  {h:8.3}  {g:12.5}", l + 1);
    }
    // Layer 1 sees E[x²] = 1, so E[z²] = n · (2/n) · 1 = 2 with He and n · (1/n) · 1 = 1 with
    // Glorot. After it, each ReLU halves the second moment: He's factor 2 gives it back, Glorot
    // keeps the half. One layer's gain scatters by a few percent (one draw of 1024 x 1024
    // weights); the geometric mean of nine gains by about a third of that.
    assert!((he[0] / 2.0 - 1.0).abs() < 0.05, "He, layer 1: {}", he[0]);
    assert!(
        (glorot[0] - 1.0).abs() < 0.05,
        "Glorot, layer 1: {}",
        glorot[0]
    );
    let mean_gain = |m: &[f64]| (m[LAYERS - 1] / m[0]).powf(1.0 / (LAYERS - 1) as f64);
    assert!((mean_gain(&he) - 1.0).abs() < 0.1, "He: {he:?}");
    assert!(
        (mean_gain(&glorot) - 0.5).abs() < 0.05,
        "Glorot: {glorot:?}"
    );
}
