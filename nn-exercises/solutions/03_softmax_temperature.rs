//! Exercise 3, solved: `softmax(z / T)`, shifted by the largest logit first
//! (`docs/02-softmax.md`).

pub fn softmax_with_temperature(logits: &[f32], temperature: f32) -> Vec<f32> {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let shifted: Vec<f32> = logits.iter().map(|z| (z - m) / temperature).collect();
    super::stable_softmax::softmax(&shifted)
}
