//! Entropy and margin against values worked by hand, and the properties that make them
//! measures of doubt.

use nn_core::uncertainty::{entropy, margin, runner_up};

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6
}

#[test]
fn certainty_has_no_entropy_and_a_full_margin() {
    let one_hot = [0.0, 0.0, 1.0, 0.0];
    assert_eq!(entropy(&one_hot), 0.0, "0 ln 0 counts as 0, not NaN");
    assert_eq!(margin(&one_hot), 1.0);
}

#[test]
fn an_even_spread_has_the_largest_entropy_and_no_margin() {
    let uniform = [0.1; 10];
    assert!(
        close(entropy(&uniform), 10f32.ln()),
        "{}",
        entropy(&uniform)
    );
    assert_eq!(margin(&uniform), 0.0);
}

#[test]
fn worked_example() {
    // -(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.249672 + 0.321888 + 0.230259 = 0.801819
    let p = [0.2, 0.7, 0.1];
    assert!(close(entropy(&p), 0.801_819), "{}", entropy(&p));
    assert!(close(margin(&p), 0.5), "{}", margin(&p));
}

#[test]
fn a_coin_toss_between_two_has_no_margin_whatever_the_others_do() {
    assert_eq!(margin(&[0.45, 0.1, 0.45]), 0.0);
    assert!(close(entropy(&[0.5, 0.5]), 2f32.ln()));
}

#[test]
fn the_order_of_the_classes_does_not_matter() {
    let p = [0.05, 0.6, 0.3, 0.05];
    let q = [0.3, 0.05, 0.05, 0.6];
    assert!(close(entropy(&p), entropy(&q)));
    assert_eq!(margin(&p), margin(&q));
    assert!(close(margin(&p), 0.3));
    // The runner-up found wherever it is, even first.
    assert!(close(margin(&[0.3, 0.6, 0.1]), 0.3));
    assert!(close(margin(&[0.6, 0.1, 0.3]), 0.3));
}

#[test]
fn a_single_class_is_certain() {
    assert_eq!(margin(&[1.0]), 1.0);
    assert_eq!(entropy(&[1.0]), 0.0);
}

#[test]
fn the_runner_up_is_the_second_most_likely_class() {
    assert_eq!(runner_up(&[0.1, 0.6, 0.3]), Some(2));
    assert_eq!(runner_up(&[0.3, 0.6, 0.1]), Some(0));
    assert_eq!(runner_up(&[0.6, 0.1, 0.3]), Some(2));
    assert_eq!(
        runner_up(&[0.2, 0.4, 0.4]),
        Some(2),
        "ties: the first of the two is the answer"
    );
    assert_eq!(runner_up(&[1.0]), None);
}
