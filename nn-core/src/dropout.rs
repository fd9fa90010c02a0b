//! Dropout: at every training step, each hidden unit is switched off with probability `p`.
//!
//! A network that can lose any unit at any step cannot lean on a few units that happen to fit
//! the training set together; each unit has to be useful on its own, among many random
//! partners. That is a regulariser: it narrows the gap between training and validation
//! accuracy (Srivastava et al. 2014). See `docs/09-overfitting-and-regularisation.md`.
//!
//! This is *inverted* dropout: the units that are kept are scaled by `1/(1-p)` while training,
//! so every activation keeps its expected value, `E[a·m] = a·(1-p)·1/(1-p) = a`, and at
//! evaluation the network is used as it is, with no dropout and no rescaling.
//!
//! ```text
//! forward:   a' = a ⊙ m        m_ij = 1/(1-p) with probability 1-p, else 0
//! backward:  da = da' ⊙ m      (a' is linear in a, with slope m)
//! ```
//!
//! The mask is drawn from a ChaCha8 generator the caller seeds, so the same seed and step give
//! the same mask on every machine and for any number of threads, and a resumed run draws
//! exactly what an uninterrupted one would have.

use rand::Rng;
use rand::rngs::ChaCha8Rng;

use crate::Matrix;

/// The dropout rate `p`: the probability that a hidden unit is dropped at a training step.
/// See `docs/09-overfitting-and-regularisation.md`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    rate: f32,
}

impl Dropout {
    /// Dropout with rate `p`, `0 <= p < 1` (0 drops nothing; 1 would drop everything).
    ///
    /// Panics outside that range: the command line refuses such values before they get here.
    pub fn new(rate: f32) -> Dropout {
        assert!(
            (0.0..1.0).contains(&rate),
            "Dropout::new: the rate must be in [0, 1), got {rate}"
        );
        Dropout { rate }
    }

    /// `1/(1-p)`: what a kept unit is multiplied by.
    pub fn keep_scale(&self) -> f32 {
        1.0 / (1.0 - self.rate)
    }

    /// Fills `mask` (reshaped to `rows x cols`) with `1/(1-p)` for kept units and `0` for
    /// dropped ones. Element `i`, in row-major order, is kept when the `i`-th 32-bit word of
    /// `rng` (little-endian) is below `(1-p)·2³²`: an exact integer comparison, the same on
    /// every machine. The words are taken 64 at a time, which lets ChaCha fill them with its
    /// vector code: five times faster here than one word at a time, with the same result.
    pub fn draw_mask(&self, mask: &mut Matrix, rows: usize, cols: usize, rng: &mut ChaCha8Rng) {
        mask.reshape(rows, cols);
        // (1-p)·2³², computed in f64 (exact for every f32 rate) and compared as u64 so that
        // p = 0 keeps every unit.
        let threshold = ((1.0 - f64::from(self.rate)) * 4_294_967_296.0) as u64;
        let scale = self.keep_scale();
        let mut words = [0u8; 4 * 64];
        for chunk in mask.as_mut_slice().chunks_mut(64) {
            let words = &mut words[..4 * chunk.len()];
            rng.fill_bytes(words);
            for (m, word) in chunk.iter_mut().zip(words.chunks_exact(4)) {
                let word = u32::from_le_bytes(word.try_into().expect("4 bytes"));
                *m = if u64::from(word) < threshold {
                    scale
                } else {
                    0.0
                };
            }
        }
    }
}

/// `a' = a ⊙ m`, in place on the layer's output. See `docs/09-overfitting-and-regularisation.md`.
pub fn dropout_forward(a: &mut Matrix, mask: &Matrix) {
    assert_eq!(
        a.shape(),
        mask.shape(),
        "dropout_forward: activations are {:?} but the mask is {:?}",
        a.shape(),
        mask.shape()
    );
    for (a, &m) in a.as_mut_slice().iter_mut().zip(mask.as_slice()) {
        *a *= m;
    }
}

/// `da = da' ⊙ m`, in place on the incoming gradient: a dropped unit passes no gradient back,
/// a kept one passes it on scaled by `1/(1-p)`, as it scaled the signal on the way forward.
/// See `docs/09-overfitting-and-regularisation.md`.
pub fn dropout_backward(mask: &Matrix, grad: &mut Matrix) {
    assert_eq!(
        mask.shape(),
        grad.shape(),
        "dropout_backward: the mask is {:?} but the gradient is {:?}",
        mask.shape(),
        grad.shape()
    );
    for (g, &m) in grad.as_mut_slice().iter_mut().zip(mask.as_slice()) {
        *g *= m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn mask(rate: f32, seed: u64) -> Matrix {
        let mut mask = Matrix::default();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Dropout::new(rate).draw_mask(&mut mask, 100, 300, &mut rng);
        mask
    }

    #[test]
    fn about_p_of_the_units_are_dropped_and_the_rest_scaled() {
        for rate in [0.1, 0.5, 0.8] {
            let m = mask(rate, 3);
            let dropped = m.as_slice().iter().filter(|&&v| v == 0.0).count();
            let share = dropped as f64 / m.as_slice().len() as f64;
            // 30,000 draws: the standard deviation of the share is below 0.003.
            assert!((share - f64::from(rate)).abs() < 0.015, "p {rate}: {share}");
            let scale = 1.0 / (1.0 - rate);
            assert!(m.as_slice().iter().all(|&v| v == 0.0 || v == scale));
            // Inverted dropout keeps the mean activation: the mask averages to about 1.
            let mean = m.as_slice().iter().map(|&v| f64::from(v)).sum::<f64>() / 30_000.0;
            assert!((mean - 1.0).abs() < 0.05, "p {rate}: mean mask {mean}");
        }
    }

    #[test]
    fn unit_i_is_kept_when_word_i_is_below_the_threshold() {
        let m = mask(0.25, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for (i, &v) in m.as_slice().iter().enumerate() {
            let kept = u64::from(rng.next_u32()) < 3 << 30;
            assert_eq!(v, if kept { 4.0 / 3.0 } else { 0.0 }, "unit {i}");
        }
    }

    #[test]
    fn rate_zero_keeps_everything_unscaled() {
        assert!(mask(0.0, 1).as_slice().iter().all(|&v| v == 1.0));
    }

    #[test]
    fn the_same_generator_draws_the_same_mask() {
        assert_eq!(mask(0.5, 9), mask(0.5, 9));
        assert_ne!(mask(0.5, 9), mask(0.5, 10));
    }

    #[test]
    fn forward_and_backward_multiply_by_the_mask() {
        let m = Matrix::from_rows(&[[2.0, 0.0], [0.0, 2.0]]);
        let mut a = Matrix::from_rows(&[[1.0, 3.0], [5.0, 7.0]]);
        dropout_forward(&mut a, &m);
        assert_eq!(a, Matrix::from_rows(&[[2.0, 0.0], [0.0, 14.0]]));
        let mut g = Matrix::from_rows(&[[0.5, 0.5], [0.25, 0.25]]);
        dropout_backward(&m, &mut g);
        assert_eq!(g, Matrix::from_rows(&[[1.0, 0.0], [0.0, 0.5]]));
    }

    #[test]
    #[should_panic(expected = "the rate must be in [0, 1), got 1")]
    fn a_rate_of_one_is_refused() {
        Dropout::new(1.0);
    }
}
