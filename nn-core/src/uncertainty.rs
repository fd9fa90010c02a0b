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
    probs[first] - second.map_or(0.0, |s| probs[s])
}

/// The class with the second largest probability: what the network would answer instead
/// (`None` for a single class). Ties go to the lower class, as in `argmax`.
pub fn runner_up(probs: &[f32]) -> Option<usize> {
    top_two(probs).1
}

/// The indices of the two largest values, largest first, the lower index first on ties
/// (`None` for the second of a single value).
fn top_two(values: &[f32]) -> (usize, Option<usize>) {
    assert!(!values.is_empty(), "no probabilities");
    let (mut first, mut second) = (0, None::<usize>);
    for (i, &v) in values.iter().enumerate().skip(1) {
        if v > values[first] {
            second = Some(first);
            first = i;
        } else if second.is_none_or(|s| v > values[s]) {
            second = Some(i);
        }
    }
    (first, second)
}
