//! Softmax and cross-entropy: the properties that make them a probability and a loss, the
//! overflow that the stable forms avoid, and the fused gradient checked against the long way.

use nn_core::Matrix;
use nn_core::loss::{cross_entropy, softmax_cross_entropy, softmax_cross_entropy_backward};
use nn_core::softmax::{
    log_softmax, log_sum_exp, naive_softmax, softmax, softmax_with_temperature,
};
use proptest::prelude::*;

fn softmax_of(logits: &[f32]) -> Vec<f32> {
    let mut p = vec![0.0; logits.len()];
    softmax(logits, &mut p);
    p
}

fn assert_close(actual: &[f32], expected: &[f32], tol: f32) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= tol,
            "element {i}: {a} vs {e} (tolerance {tol})\n{actual:?}\n{expected:?}"
        );
    }
}

/// The 3-class example worked by hand in docs/02-softmax.md:
/// exp(1), exp(2), exp(3) = 2.71828, 7.38906, 20.08554; their sum is 30.19287.
#[test]
fn three_class_example_from_the_docs() {
    let p = softmax_of(&[1.0, 2.0, 3.0]);
    assert_close(&p, &[0.090031, 0.244728, 0.665241], 1e-6);
    // Its loss for target 2 (docs/03-cross-entropy.md): -ln(0.665241) = 0.407606.
    let loss = cross_entropy(&Matrix::from_rows(&[[1.0, 2.0, 3.0]]), &[2]);
    assert!((loss - 0.407606).abs() < 1e-6, "{loss}");
}

#[test]
fn naive_softmax_overflows_where_the_stable_one_does_not() {
    // exp(1000) is far above f32::MAX (about 3.4e38): it becomes inf, and inf / inf is NaN.
    assert!(1000.0_f32.exp().is_infinite());
    let mut naive = [0.0; 3];
    naive_softmax(&[1000.0, 1001.0, 1002.0], &mut naive);
    assert!(
        naive.iter().all(|p| p.is_nan()),
        "naive softmax gave {naive:?}"
    );

    // Subtracting the maximum turns the same logits into [-2, -1, 0]: nothing overflows.
    let stable = softmax_of(&[1000.0, 1001.0, 1002.0]);
    assert_close(&stable, &softmax_of(&[0.0, 1.0, 2.0]), 0.0);
    assert_close(&stable, &[0.090031, 0.244728, 0.665241], 1e-6);
}

#[test]
fn equal_logits_give_a_uniform_distribution() {
    for classes in [1, 2, 10, 1000] {
        for value in [-1e4, 0.0, 7.5, 1e4] {
            let p = softmax_of(&vec![value; classes]);
            assert_close(&p, &vec![1.0 / classes as f32; classes], 1e-7);
        }
    }
}

#[test]
fn log_softmax_is_exact_where_log_of_softmax_underflows() {
    let logits = [0.0, 200.0];
    // p_0 = exp(-200) is about 1.4e-87: no f32 can hold it, so log(p_0) = log(0) = -inf.
    assert_eq!(softmax_of(&logits)[0], 0.0);
    let mut logp = [0.0; 2];
    log_softmax(&logits, &mut logp);
    assert_eq!(logp, [-200.0, 0.0]);
    assert_eq!(log_sum_exp(&logits), 200.0);
}

fn tempered(logits: &[f32], temperature: f32) -> Vec<f32> {
    let mut p = vec![0.0; logits.len()];
    softmax_with_temperature(logits, temperature, &mut p);
    p
}

#[test]
fn temperature_one_is_softmax_bit_for_bit() {
    for logits in [
        vec![1.0, 2.0, 3.0],
        vec![-1000.0, 0.0, 1000.0],
        vec![0.3; 7],
        vec![1e30, -1e30, 5.0],
    ] {
        assert_eq!(tempered(&logits, 1.0), softmax_of(&logits), "{logits:?}");
    }
}

#[test]
fn temperature_divides_the_logits() {
    // softmax(z / T) by the definition, for logits small enough not to need the shift.
    let logits = [1.0f32, 2.0, 3.0];
    for temperature in [0.1f32, 0.5, 2.0, 10.0] {
        let scaled: Vec<f32> = logits.iter().map(|z| z / temperature).collect();
        // Computed as (z - m) / T rather than z / T - m / T: a few ulps apart.
        assert_close(&tempered(&logits, temperature), &softmax_of(&scaled), 1e-6);
    }
    // T = 2 on [0, ln 4]: exp(0) and exp(ln 2) = 2, so [1/3, 2/3].
    assert_close(
        &tempered(&[0.0, 4f32.ln()], 2.0),
        &[1.0 / 3.0, 2.0 / 3.0],
        1e-7,
    );
}

#[test]
fn low_temperature_sharpens_high_temperature_flattens() {
    let logits = [1.0f32, 2.0, 3.0];
    assert_close(&tempered(&logits, 1e-3), &[0.0, 0.0, 1.0], 0.0);
    assert_close(&tempered(&logits, 1e6), &[1.0 / 3.0; 3], 1e-6);
    assert_close(&tempered(&logits, f32::INFINITY), &[1.0 / 3.0; 3], 0.0);
    // In between, the top probability falls as T rises, and the order of classes stays.
    let tops: Vec<f32> = [0.25f32, 0.5, 1.0, 2.0, 4.0]
        .iter()
        .map(|&t| tempered(&logits, t)[2])
        .collect();
    assert!(tops.windows(2).all(|w| w[0] > w[1]), "{tops:?}");
}

#[test]
fn temperature_keeps_huge_and_tied_logits_finite() {
    // Divided first, 1e30 / 1e-10 overflows to inf, and inf - inf is NaN; shifted first, the
    // ties give 0 / T = 0 and the gap of -2e30 gives -inf, whose exp is 0.
    let p = tempered(&[1e30, -1e30, 1e30], 1e-10);
    assert_close(&p, &[0.5, 0.0, 0.5], 0.0);
    assert_close(&tempered(&[-1000.0; 4], 0.01), &[0.25; 4], 0.0);
    assert_close(&tempered(&[7.0], 0.5), &[1.0], 0.0);
}

#[test]
#[should_panic(expected = "the temperature must be positive, got 0")]
fn temperature_zero_is_refused() {
    tempered(&[1.0, 2.0], 0.0);
}

#[test]
#[should_panic(expected = "the temperature must be positive, got NaN")]
fn temperature_nan_is_refused() {
    tempered(&[1.0, 2.0], f32::NAN);
}

proptest! {
    #[test]
    fn softmax_is_a_distribution_for_any_logits(logits in prop::collection::vec(-1e4f32..1e4, 1..40)) {
        let p = softmax_of(&logits);
        prop_assert!(p.iter().all(|&v| v.is_finite() && (0.0..=1.0).contains(&v)), "{:?}", p);
        let sum: f32 = p.iter().sum();
        prop_assert!((sum - 1.0).abs() < 1e-5, "sum {}", sum);
    }

    #[test]
    fn softmax_ignores_a_constant_shift(
        logits in prop::collection::vec(-50f32..50.0, 1..20),
        shift in -1e3f32..1e3,
    ) {
        let shifted: Vec<f32> = logits.iter().map(|z| z + shift).collect();
        // The shift is exact in exact arithmetic; in f32, z + shift is rounded to a few ulps of
        // |shift| (about 1e-4 at 1e3), which moves the probabilities by about that much.
        let p = softmax_of(&logits);
        let q = softmax_of(&shifted);
        for (a, b) in p.iter().zip(&q) {
            prop_assert!((a - b).abs() < 5e-4, "{:?} vs {:?}", p, q);
        }
    }

    #[test]
    fn softmax_and_loss_stay_finite_for_huge_finite_logits(
        logits in prop::collection::vec(-1e30f32..1e30, 2..20),
        target in 0usize..2,
    ) {
        let p = softmax_of(&logits);
        prop_assert!(p.iter().all(|v| v.is_finite()), "{:?}", p);
        let loss = cross_entropy(&Matrix::from_vec(1, logits.len(), logits.clone()), &[target]);
        prop_assert!(loss.is_finite() && loss >= 0.0, "loss {}", loss);
    }
}

#[test]
fn cross_entropy_of_a_uniform_prediction_is_ln_c() {
    for classes in [2usize, 10, 100] {
        let logits = Matrix::zeros(4, classes);
        let loss = cross_entropy(&logits, &[0, 1, 1, classes - 1]);
        assert!(
            (loss - (classes as f32).ln()).abs() < 1e-6,
            "{classes} classes: {loss}"
        );
    }
}

#[test]
fn cross_entropy_of_a_confident_correct_prediction_is_near_zero() {
    let loss = cross_entropy(&Matrix::from_rows(&[[20.0, 0.0, 0.0]]), &[0]);
    // -log(e^20 / (e^20 + 2)) = log(1 + 2e^-20), about 4.1e-9. In f32, 1 + 4.1e-9 rounds to
    // exactly 1 (the spacing of f32 near 1 is 1.2e-7), so the loss comes out as 0.
    assert!((0.0..1e-8).contains(&loss), "{loss}");
    let wrong = cross_entropy(&Matrix::from_rows(&[[20.0, 0.0, 0.0]]), &[1]);
    assert!(
        (wrong - 20.0).abs() < 1e-5,
        "a confident wrong prediction costs about 20: {wrong}"
    );
}

#[test]
fn cross_entropy_is_exact_for_large_logits() {
    // log_sum_exp([-1000, 0, 1000]) = 1000 + log(1 + e^-1000 + e^-2000) = 1000 in f32, and the
    // loss of target 0 is 1000 - (-1000) = 2000: not inf (log of an underflowed 0), not NaN.
    let loss = cross_entropy(&Matrix::from_rows(&[[-1000.0, 0.0, 1000.0]]), &[0]);
    assert_eq!(loss, 2000.0);

    let big = Matrix::from_rows(&[[1000.0, 1001.0, 1002.0]]);
    let small = Matrix::from_rows(&[[0.0, 1.0, 2.0]]);
    for target in 0..3 {
        assert_eq!(
            cross_entropy(&big, &[target]),
            cross_entropy(&small, &[target])
        );
    }
}

#[test]
fn cross_entropy_is_the_mean_over_the_batch() {
    let logits = Matrix::from_rows(&[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]);
    let both = cross_entropy(&logits, &[2, 0]);
    let expected = (0.407606 + 3.0_f32.ln()) / 2.0;
    assert!((both - expected).abs() < 1e-6, "{both} vs {expected}");
}

/// The long way round: softmax's Jacobian `∂p_j/∂z_i = p_j([i = j] - p_i)` times the gradient
/// of `-log p_y` with respect to `p` (which is `-1/p_y` at `y`, 0 elsewhere), all in f64.
/// It must equal the fused `(p - y) / B` that training uses.
#[test]
fn fused_gradient_equals_the_chain_rule_through_the_jacobian() {
    let logits = Matrix::from_rows(&[[0.5, -1.0, 2.0, 0.0], [3.0, 3.0, -2.0, 1.0]]);
    let labels = [2, 1];
    let batch = labels.len() as f64;
    let mut probs = Matrix::default();
    softmax_cross_entropy(&logits, &labels, &mut probs);
    let mut fused = Matrix::default();
    softmax_cross_entropy_backward(&probs, &labels, &mut fused);

    for (b, &y) in labels.iter().enumerate() {
        let z: Vec<f64> = logits.row(b).iter().map(|&v| f64::from(v)).collect();
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
        let p: Vec<f64> = z.iter().map(|v| (v - max).exp() / sum).collect();
        let dloss_dp = |j: usize| if j == y { -1.0 / (p[j] * batch) } else { 0.0 };
        for i in 0..z.len() {
            let chain: f64 = (0..z.len())
                .map(|j| {
                    let dpj_dzi = p[j] * (if i == j { 1.0 } else { 0.0 } - p[i]);
                    dloss_dp(j) * dpj_dzi
                })
                .sum();
            let got = f64::from(fused.get(b, i));
            assert!(
                (got - chain).abs() < 1e-7,
                "row {b}, logit {i}: fused {got}, chain rule {chain}"
            );
        }
    }
}

#[test]
#[should_panic(expected = "label 3 is out of range for 3 classes")]
fn a_label_out_of_range_is_a_programmer_error() {
    cross_entropy(&Matrix::zeros(1, 3), &[3]);
}

/// The training loss computes softmax and cross-entropy in one pass; it must agree with the
/// two computed apart, including for the large-logit rows.
#[test]
fn the_fused_forward_agrees_with_softmax_and_cross_entropy() {
    let logits = Matrix::from_rows(&[
        [0.5, -1.0, 2.0],
        [-1000.0, 0.0, 1000.0],
        [1000.0, 1001.0, 1002.0],
        [3.0, 3.0, 3.0],
    ]);
    let labels = [2, 0, 1, 1];
    let mut probs = Matrix::default();
    let fused = softmax_cross_entropy(&logits, &labels, &mut probs);
    let apart = cross_entropy(&logits, &labels);
    assert!(
        (fused - apart).abs() <= 1e-6 * apart.abs(),
        "fused {fused}, apart {apart}"
    );
    for r in 0..logits.rows() {
        assert_eq!(
            probs.row(r),
            softmax_of(logits.row(r)).as_slice(),
            "row {r}"
        );
    }
}
