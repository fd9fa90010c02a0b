//! Exercise 13, solved: `counts[t][p]` (`docs/08-reading-the-report.md`).

pub fn confusion_matrix(labels: &[usize], predicted: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; classes]; classes];
    for (&t, &p) in labels.iter().zip(predicted) {
        counts[t][p] += 1;
    }
    counts
}
