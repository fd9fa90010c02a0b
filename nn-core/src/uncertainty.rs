//! How unsure a prediction is, read from its probabilities: two small numbers that say more
//! than the top probability alone.
//!
//! - [`entropy`]: `H(p) = -Σ_i p_i ln p_i`, in nats. 0 when all the probability is on one class,
//!   `ln C` when it is spread evenly (ln 10 ≈ 2.30 for the ten digits): how many classes the
//!   network is really choosing between is about `exp(H)`.
//! - [`margin`]: the top probability minus the runner-up's. Near 1, one answer; near 0, a
//!   coin toss between two (a "1" or a "7"), however many others are out of the running.
//!
//! Both measure what the network believes, not whether it is right: on a picture unlike
//! anything it was trained on, it can be certain and wrong. See `docs/10-using-the-network.md`.

/// `H(p) = -Σ_i p_i ln p_i` in nats, with `0 · ln 0 = 0` (the limit, and a class with no
/// probability adds no uncertainty). See `docs/10-using-the-network.md`.
pub fn entropy(probs: &[f32]) -> f32 {
    -probs
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| p * p.ln())
        .sum::<f32>()
}

/// The largest probability minus the second largest, in [0, 1]; 1 for a single class.
/// See `docs/10-using-the-network.md`.
pub fn margin(probs: &[f32]) -> f32 {
    let (first, second) = top_two(probs);
    first - second.unwrap_or(0.0)
}

/// The two largest values, largest first (`None` for the second of a single value).
fn top_two(values: &[f32]) -> (f32, Option<f32>) {
    assert!(!values.is_empty(), "no probabilities");
    let (mut first, mut second) = (values[0], None::<f32>);
    for &v in &values[1..] {
        if v > first {
            second = Some(first);
            first = v;
        } else if second.is_none_or(|s| v > s) {
            second = Some(v);
        }
    }
    (first, second)
}
