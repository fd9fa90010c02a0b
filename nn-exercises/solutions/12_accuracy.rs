//! Exercise 12, solved: the fraction of rows whose first largest logit is the label
//! (`docs/08-reading-the-report.md`).

use nn_core::Matrix;

pub fn accuracy(logits: &Matrix, labels: &[usize]) -> f64 {
    let mut right = 0;
    for (b, &y) in labels.iter().enumerate() {
        let row = logits.row(b);
        let mut best = 0;
        for i in 1..row.len() {
            if row[i] > row[best] {
                best = i;
            }
        }
        if best == y {
            right += 1;
        }
    }
    right as f64 / labels.len() as f64
}
