//! Learning-rate schedules: the rate each epoch trains with, from the base rate `η` of the
//! sweep.
//!
//! A large rate makes fast progress early but, near a minimum, keeps jumping across it; a small
//! one settles but crawls. A schedule takes the large steps first and the small ones last.
//! Epochs are counted from 1; the first `W` (the warm-up) ramp the rate up linearly, which
//! keeps the first steps of a fresh network, whose gradients are largest, from throwing it far
//! off; the schedule proper runs over the `T = epochs - W` epochs after them, `t = 1..=T`:
//!
//! ```text
//! warm-up  (epoch e <= W)  η·e/W
//! constant                 η
//! step                     η·factor^⌊(t - 1)/every⌋        (e.g. halved every 10 epochs)
//! cosine                   η·(1 + cos(π·(t - 1)/T))/2      (from η down towards 0)
//! ```
//!
//! The rate changes between epochs, never within one, so every row of `metrics.csv` records the
//! one rate its epoch used. See `docs/09-overfitting-and-regularisation.md`.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

/// How the learning rate changes from epoch to epoch after the warm-up.
/// See `docs/09-overfitting-and-regularisation.md`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LrSchedule {
    /// The same rate every epoch.
    #[default]
    Constant,
    /// Multiplied by `factor` every `every` epochs.
    Step { every: usize, factor: f32 },
    /// Half a cosine wave from the base rate down towards 0 at the last epoch. It depends on
    /// the number of epochs, so a run with it cannot be extended.
    Cosine,
}

impl LrSchedule {
    /// The rate of `epoch` (from 1) of `epochs`, for the base rate `base` and `warmup_epochs`
    /// of linear warm-up. Computed in f64 and rounded once, so it is the same on every
    /// machine. See `docs/09-overfitting-and-regularisation.md`.
    pub fn learning_rate(
        &self,
        base: f32,
        epoch: usize,
        epochs: usize,
        warmup_epochs: usize,
    ) -> f32 {
        assert!(
            (1..=epochs).contains(&epoch),
            "epoch {epoch} is not one of the run's epochs 1 to {epochs}"
        );
        let base = f64::from(base);
        if epoch <= warmup_epochs {
            return (base * epoch as f64 / warmup_epochs as f64) as f32;
        }
        let t = (epoch - warmup_epochs) as f64; // 1 in the first epoch after the warm-up
        let rate = match *self {
            LrSchedule::Constant => base,
            LrSchedule::Step { every, factor } => {
                let drops = (t as usize - 1) / every.max(1);
                base * f64::from(factor).powi(drops as i32)
            }
            LrSchedule::Cosine => {
                let span = (epochs - warmup_epochs) as f64;
                base * (1.0 + (PI * (t - 1.0) / span).cos()) / 2.0
            }
        };
        rate as f32
    }

    /// `constant`, `step (×0.5 every 10 epochs)` or `cosine`.
    pub fn describe(&self) -> String {
        match self {
            LrSchedule::Constant => "constant".into(),
            LrSchedule::Step { every, factor } => format!("step (×{factor} every {every} epochs)"),
            LrSchedule::Cosine => "cosine".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(schedule: LrSchedule, epochs: usize, warmup: usize) -> Vec<f32> {
        (1..=epochs)
            .map(|e| schedule.learning_rate(0.1, e, epochs, warmup))
            .collect()
    }

    #[test]
    fn constant_is_the_base_rate_after_a_linear_warm_up() {
        assert_eq!(rates(LrSchedule::Constant, 3, 0), [0.1, 0.1, 0.1]);
        assert_eq!(
            rates(LrSchedule::Constant, 6, 4),
            [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
        );
    }

    #[test]
    fn step_multiplies_by_the_factor_every_few_epochs() {
        let step = LrSchedule::Step {
            every: 2,
            factor: 0.5,
        };
        assert_eq!(rates(step, 5, 0), [0.1, 0.1, 0.05, 0.05, 0.025]);
        // The steps count from the end of the warm-up.
        assert_eq!(rates(step, 5, 1), [0.1, 0.1, 0.1, 0.05, 0.05]);
    }

    #[test]
    fn cosine_falls_from_the_base_rate_towards_zero() {
        let r = rates(LrSchedule::Cosine, 5, 0);
        // (1 + cos(π·k/5))/2 for k = 0..5
        let expected = [1.0, 0.904_508_5, 0.654_508_5, 0.345_491_5, 0.095_491_5];
        for (r, e) in r.iter().zip(expected) {
            assert!((r - 0.1 * e).abs() < 1e-7, "{r} vs {}", 0.1 * e);
        }
        assert!(r.windows(2).all(|w| w[1] < w[0]));
        let warm = rates(LrSchedule::Cosine, 7, 2);
        assert_eq!(warm[..3], [0.05, 0.1, 0.1]);
        assert_eq!(warm[2..], r[..]);
    }

    #[test]
    #[should_panic(expected = "epoch 0 is not one of the run's epochs")]
    fn epochs_count_from_one() {
        LrSchedule::Constant.learning_rate(0.1, 0, 3, 0);
    }
}
