//! Exercise 14, solved: `ECE = Σ_k (n_k / N)·|acc_k - conf_k|`
//! (`docs/08-reading-the-report.md`).

pub fn expected_calibration_error(confidences: &[f64], correct: &[bool], bins: usize) -> f64 {
    let mut count = vec![0usize; bins];
    let mut confidence = vec![0.0; bins];
    let mut right = vec![0usize; bins];
    for (&c, &ok) in confidences.iter().zip(correct) {
        // floor(c · bins), with 1.0 kept in the last bin.
        let k = ((c * bins as f64) as usize).min(bins - 1);
        count[k] += 1;
        confidence[k] += c;
        right[k] += usize::from(ok);
    }
    let n = confidences.len() as f64;
    let mut ece = 0.0;
    for k in 0..bins {
        if count[k] > 0 {
            let accuracy = right[k] as f64 / count[k] as f64;
            let mean_confidence = confidence[k] / count[k] as f64;
            ece += count[k] as f64 / n * (accuracy - mean_confidence).abs();
        }
    }
    ece
}
