//! The gradient check: every derivative the backward pass computes by hand, compared with a
//! finite difference of the loss itself.
//!
//! `dL/dθ ≈ (L(θ + h) - L(θ - h)) / 2h`, for every weight, every bias and every input of a
//! random network with two hidden layers.
//!
//! The finite differences are taken on an independent f64 implementation of the same network
//! (plain loops below, which must first agree with the f32 forward). In f32 they would be
//! useless: the loss carries a rounding error of about 1e-7, so `2h` of 1e-3 leaves only ~3
//! correct digits. In f64 with h = 1e-6 the truncation error (about h²) and the rounding
//! error (about 1e-16 / h) are both below 1e-9, so what remains is the f32 rounding of the
//! backward pass itself: relative errors of ~1e-6. A wrong derivative (a missing transpose, a
//! mask on the wrong side, a factor of B) gives relative errors near 1.
//!
//! With dropout the loss is random, but for one fixed mask it is an ordinary function of the
//! parameters: the second test draws the masks once, reads them back from the activations and
//! applies the very same masks in the f64 network.

use nn_core::dropout::Dropout;
use nn_core::{Activations, Matrix, Mlp};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const H: f64 = 1e-6;
/// Above this size a gradient is compared relatively; below it, absolutely (a relative error
/// of a gradient that is 0 up to rounding means nothing).
const SMALL: f64 = 1e-3;
const MAX_RELATIVE_ERROR: f64 = 1e-4;
const MAX_ABSOLUTE_ERROR: f64 = 1e-7;

/// An f64 copy of the network's parameters: `(weights fan_in x fan_out row-major, bias)`.
type Layers64 = Vec<(Vec<f64>, Vec<f64>)>;

/// The dropout masks of the hidden layers, each `batch x width` row-major; empty without
/// dropout.
type Masks64 = Vec<Vec<f64>>;

/// Mean cross-entropy of the network in f64, written from the definitions with nothing shared
/// with the code under test: `h = relu(x·W + b) ⊙ mask` for hidden layers, then log-sum-exp.
fn loss_f64(
    sizes: &[usize],
    layers: &Layers64,
    masks: &Masks64,
    x: &[f64],
    labels: &[usize],
) -> f64 {
    let batch = labels.len();
    let mut total = 0.0;
    for b in 0..batch {
        let mut act: Vec<f64> = x[b * sizes[0]..(b + 1) * sizes[0]].to_vec();
        for (l, (w, bias)) in layers.iter().enumerate() {
            let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
            let mut out = bias.clone();
            for (i, a) in act.iter().enumerate() {
                for j in 0..fan_out {
                    out[j] += a * w[i * fan_out + j];
                }
            }
            assert_eq!(act.len(), fan_in);
            if l + 1 < layers.len() {
                out.iter_mut().for_each(|v| *v = v.max(0.0));
                if let Some(mask) = masks.get(l) {
                    let row = &mask[b * fan_out..(b + 1) * fan_out];
                    out.iter_mut().zip(row).for_each(|(v, m)| *v *= m);
                }
            }
            act = out;
        }
        let max = act.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + act.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
        total += lse - act[labels[b]];
    }
    total / batch as f64
}

fn hidden_pre_activations_f64(
    sizes: &[usize],
    layers: &Layers64,
    masks: &Masks64,
    x: &[f64],
) -> Vec<f64> {
    let mut all = Vec::new();
    for (b, row) in x.chunks(sizes[0]).enumerate() {
        let mut act = row.to_vec();
        for (l, (w, bias)) in layers.iter().enumerate().take(layers.len() - 1) {
            let fan_out = sizes[l + 1];
            let mut out = bias.clone();
            for (i, a) in act.iter().enumerate() {
                for j in 0..fan_out {
                    out[j] += a * w[i * fan_out + j];
                }
            }
            all.extend_from_slice(&out);
            act = out.iter().map(|v| v.max(0.0)).collect();
            if let Some(mask) = masks.get(l) {
                let row = &mask[b * fan_out..(b + 1) * fan_out];
                act.iter_mut().zip(row).for_each(|(v, m)| *v *= m);
            }
        }
    }
    all
}

fn to_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// Compares one analytic gradient with its finite difference; returns the relative error
/// (or 0 for gradients below `SMALL`, which are checked absolutely).
fn compare(what: &str, analytic: f32, numeric: f64) -> f64 {
    let analytic = f64::from(analytic);
    let diff = (analytic - numeric).abs();
    let scale = analytic.abs().max(numeric.abs());
    if scale < SMALL {
        assert!(
            diff < MAX_ABSOLUTE_ERROR,
            "{what}: backward {analytic:e}, finite difference {numeric:e}"
        );
        return 0.0;
    }
    let rel = diff / scale;
    assert!(
        rel < MAX_RELATIVE_ERROR,
        "{what}: backward {analytic:e}, finite difference {numeric:e}, relative error {rel:e}"
    );
    rel
}

/// A random batch for a network with `sizes`, from `seed`.
fn batch(sizes: &[usize], batch: usize, seed: u64) -> (Matrix, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Matrix::from_vec(
        batch,
        sizes[0],
        (0..batch * sizes[0])
            .map(|_| rng.random_range(-2.0..2.0))
            .collect(),
    );
    let classes = *sizes.last().unwrap();
    let labels: Vec<usize> = (0..batch).map(|_| rng.random_range(0..classes)).collect();
    (x, labels)
}

#[test]
fn backward_matches_finite_differences_for_every_parameter_and_input() {
    let sizes = [6, 8, 7, 4];
    let model = Mlp::new(&sizes, 7);
    let (x, labels) = batch(&sizes, 5, 11);

    // The hand-derived gradients, in f32.
    let mut acts = Activations::new();
    let loss32 = model.forward_loss(&x, &labels, &mut acts);
    assert!(acts.dropout_mask(0).is_none(), "no dropout without asking");
    check_gradients(&model, &x, &labels, &mut acts, loss32);
}

/// The same check through dropout layers, with the masks that the forward pass drew held
/// fixed: the gradient then flows only through the kept units, scaled by `1/(1-p)`.
#[test]
fn backward_through_dropout_matches_finite_differences_with_the_mask_fixed() {
    let sizes = [6, 8, 7, 4];
    let model = Mlp::new(&sizes, 7);
    let (x, labels) = batch(&sizes, 5, 11);
    let dropout = Dropout::new(0.4);

    let mut acts = Activations::new();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let loss32 = model.forward_loss_dropout(&x, &labels, dropout, &mut rng, &mut acts);
    for (l, width) in [(0, 8), (1, 7)] {
        let mask = acts.dropout_mask(l).expect("a mask per hidden layer");
        assert_eq!(mask.shape(), (5, width));
        let dropped = mask.as_slice().iter().filter(|&&m| m == 0.0).count();
        assert!(
            0 < dropped && dropped < mask.as_slice().len(),
            "layer {l}: the check needs both dropped and kept units, {dropped} dropped"
        );
    }
    check_gradients(&model, &x, &labels, &mut acts, loss32);

    // Evaluation never drops: the plain forward pass gives the loss without masks.
    let plain = model.forward_loss(&x, &labels, &mut acts);
    assert_ne!(plain, loss32);
    assert!(acts.dropout_mask(0).is_none());
}

/// Runs backward after the forward pass that left `acts` (and its loss `loss32`), and compares
/// every derivative with a central difference of the f64 network, using the same dropout
/// masks as the forward pass (if it drew any).
fn check_gradients(model: &Mlp, x: &Matrix, labels: &[usize], acts: &mut Activations, loss32: f32) {
    let sizes = model.sizes();
    let batch = labels.len();
    let masks: Masks64 = (0..sizes.len() - 2)
        .map_while(|l| acts.dropout_mask(l).map(|m| to_f64(m.as_slice())))
        .collect();
    let mut grads = model.zeros_like();
    model.backward(x, labels, acts, &mut grads);
    let mut dx = Matrix::default();
    model.input_gradient(acts, &mut dx);

    // The same network in f64.
    let layers: Layers64 = model
        .layers()
        .iter()
        .map(|l| (to_f64(l.weights.as_slice()), to_f64(&l.bias)))
        .collect();
    let x64 = to_f64(x.as_slice());
    let loss64 = loss_f64(&sizes, &layers, &masks, &x64, labels);
    assert!(
        (f64::from(loss32) - loss64).abs() < 1e-5,
        "f32 forward {loss32} vs f64 reference {loss64}"
    );

    // A finite difference is only valid where no ReLU switches inside [θ - h, θ + h]; with
    // inputs and weights of order 1, a step of h moves a pre-activation by about h.
    let nearest_kink = hidden_pre_activations_f64(&sizes, &layers, &masks, &x64)
        .iter()
        .map(|z| z.abs())
        .fold(f64::INFINITY, f64::min);
    assert!(
        nearest_kink > 1e3 * H,
        "a pre-activation is {nearest_kink:e} from the ReLU kink; choose another seed"
    );

    let mut worst = 0.0_f64;
    let mut checked = 0;
    let central_difference =
        |layers: &Layers64, x: &[f64], perturb: &dyn Fn(&mut Layers64, &mut Vec<f64>, f64)| {
            let (mut lp, mut xp) = (layers.clone(), x.to_vec());
            perturb(&mut lp, &mut xp, H);
            let (mut lm, mut xm) = (layers.clone(), x.to_vec());
            perturb(&mut lm, &mut xm, -H);
            let loss = |l: &Layers64, x: &[f64]| loss_f64(&sizes, l, &masks, x, labels);
            (loss(&lp, &xp) - loss(&lm, &xm)) / (2.0 * H)
        };

    for l in 0..layers.len() {
        let g = &grads.layers()[l];
        for i in 0..layers[l].0.len() {
            let numeric = central_difference(&layers, &x64, &|p, _, h| p[l].0[i] += h);
            worst = worst.max(compare(
                &format!("layer {l} weight {i}"),
                g.weights.as_slice()[i],
                numeric,
            ));
            checked += 1;
        }
        for j in 0..layers[l].1.len() {
            let numeric = central_difference(&layers, &x64, &|p, _, h| p[l].1[j] += h);
            worst = worst.max(compare(&format!("layer {l} bias {j}"), g.bias[j], numeric));
            checked += 1;
        }
    }
    for i in 0..x64.len() {
        let numeric = central_difference(&layers, &x64, &|_, x, h| x[i] += h);
        worst = worst.max(compare(&format!("input {i}"), dx.as_slice()[i], numeric));
        checked += 1;
    }
    assert_eq!(checked, model.parameter_count() + batch * sizes[0]);
    println!(
        "gradient check ({} dropout masks): {checked} derivatives, maximum relative error {worst:.3e}",
        masks.len()
    );

    // The check must be able to fail: a gradient off by a factor of 2 (a chain-rule factor
    // counted twice, say) is caught.
    let numeric = central_difference(&layers, &x64, &|p, _, h| p[2].1[0] += h);
    let doubled = 2.0 * grads.layers()[2].bias[0];
    let result = std::panic::catch_unwind(|| compare("doubled bias gradient", doubled, numeric));
    assert!(result.is_err(), "a doubled gradient passed the check");
}
