//! The saliency maps: the gradient agrees with finite differences of the network itself and,
//! scaled by `1 - p_c`, with the loss's own input gradient; it stays meaningful when the network
//! is sure.

use nn_core::saliency::{rival_weights, saliency};
use nn_core::softmax::softmax;
use nn_core::{Activations, Matrix, Mlp};

fn input(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| (((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 1000) as f32 / 1000.0)
        .collect()
}

fn logits(model: &Mlp, x: &[f32]) -> Vec<f32> {
    let x = Matrix::from_vec(1, x.len(), x.to_vec());
    model.forward(&x, &mut Activations::new()).row(0).to_vec()
}

#[test]
fn rival_weights_are_one_for_the_class_and_minus_the_others_softmax() {
    let mut w = [0.0; 4];
    rival_weights(&[1.0, 3.0, 2.0, 2.0], 1, &mut w);
    // The rivals' logits 1, 2, 2: softmax e/(e + 2e²), e²/(e + 2e²) twice.
    let e = std::f32::consts::E;
    let q0 = e / (e + 2.0 * e * e);
    let q2 = e * e / (e + 2.0 * e * e);
    let expected = [-q0, 1.0, -q2, -q2];
    for (a, b) in w.iter().zip(expected) {
        assert!((a - b).abs() < 1e-6, "{w:?}");
    }
    assert!(
        (w.iter().sum::<f32>()).abs() < 1e-6,
        "the rivals' weights sum to -1"
    );
}

#[test]
fn the_gradient_matches_finite_differences_of_the_margin() {
    let model = Mlp::new(&[12, 9, 7, 4], 3);
    let x = input(12, 1);
    let z = logits(&model, &x);
    let class = nn_core::softmax::argmax(&z);
    let mut w = vec![0.0; 4];
    rival_weights(&z, class, &mut w);
    let margin = |x: &[f32]| -> f64 {
        logits(&model, x)
            .iter()
            .zip(&w)
            .map(|(&z, &w)| f64::from(z) * f64::from(w))
            .sum()
    };
    let s = saliency(&model, &x, class);
    for i in 0..12 {
        let h = 1e-2;
        let (mut up, mut down) = (x.clone(), x.clone());
        up[i] += h;
        down[i] -= h;
        // Piecewise linear: exact unless a ReLU flips within ±h, which these inputs avoid.
        let numeric = (margin(&up) - margin(&down)) / (2.0 * f64::from(h));
        assert!(
            (numeric - f64::from(s.gradient[i])).abs() < 1e-3,
            "input {i}: {numeric} vs {}",
            s.gradient[i]
        );
        assert_eq!(s.contribution[i], s.gradient[i] * x[i]);
    }
}

#[test]
fn scaled_by_one_minus_p_it_is_the_gradient_of_log_p() {
    let model = Mlp::new(&[20, 16, 10], 8);
    let x = input(20, 2);
    let xm = Matrix::from_vec(1, 20, x.clone());
    let mut acts = Activations::new();
    let z = logits(&model, &x);
    let class = nn_core::softmax::argmax(&z);
    let mut p = vec![0.0; 10];
    softmax(&z, &mut p);

    // dL/dx for L = -log p_class, the way training computes gradients.
    model.forward_loss(&xm, &[class], &mut acts);
    let mut grads = model.zeros_like();
    model.backward(&xm, &[class], &mut acts, &mut grads);
    let mut dloss_dx = Matrix::default();
    model.input_gradient(&acts, &mut dloss_dx);

    let s = saliency(&model, &x, class);
    for i in 0..20 {
        let expected = -dloss_dx.get(0, i);
        let got = (1.0 - p[class]) * s.gradient[i];
        assert!(
            (got - expected).abs() <= 1e-5 * (1.0 + expected.abs()),
            "input {i}: {got} vs {expected}"
        );
    }
}

#[test]
fn a_sure_network_still_has_a_saliency_map() {
    // Scaled-up weights make the network sure: p_class rounds to 1 in f32.
    let mut model = Mlp::new(&[20, 16, 10], 8);
    for layer in model.layers_mut() {
        for w in layer.weights.as_mut_slice() {
            *w *= 40.0;
        }
    }
    let x = input(20, 2);
    let z = logits(&model, &x);
    let class = nn_core::softmax::argmax(&z);
    let mut p = vec![0.0; 10];
    softmax(&z, &mut p);
    assert_eq!(p[class], 1.0, "the setting of this test: {z:?}");

    let s = saliency(&model, &x, class);
    let size: f32 = s.gradient.iter().map(|g| g.abs()).sum();
    assert!(size.is_finite() && size > 1.0, "{:?}", s.gradient);
}
