//! One SGD step on a network small enough to do on paper. Every number below is worked out in
//! the comments; docs/06-sgd-and-learning-rate.md walks through the same step.

use nn_core::dense::Dense;
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp};

fn assert_close(what: &str, actual: &[f32], expected: &[f32]) {
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() < 1e-6,
            "{what}: {actual:?}, expected {expected:?}"
        );
    }
    assert_eq!(actual.len(), expected.len(), "{what}");
}

/// The 2-2-2 network of the worked example.
fn tiny_network() -> Mlp {
    Mlp::from_layers(vec![
        Dense {
            weights: Matrix::from_rows(&[[1.0, -1.0], [0.5, -0.5]]),
            bias: vec![0.0, 0.0],
        },
        Dense {
            weights: Matrix::from_rows(&[[1.0, 0.0], [3.0, -2.0]]),
            bias: vec![-1.0, 1.0],
        },
    ])
    .unwrap()
}

#[test]
fn one_sgd_step_by_hand() {
    let mut model = tiny_network();
    let x = Matrix::from_rows(&[[1.0, 2.0]]);
    let labels = [0];
    let mut acts = Activations::new();
    let mut grads = model.zeros_like();

    // Forward.
    //   z1 = x·W1 + b1 = [1·1 + 2·0.5, 1·(-1) + 2·(-0.5)] = [2, -2]
    //   h  = relu(z1)  = [2, 0]
    //   z2 = h·W2 + b2 = [2·1 + 0·3 - 1, 2·0 + 0·(-2) + 1] = [1, 1]
    //   p  = softmax(z2) = [0.5, 0.5]
    //   L  = -log p_0 = log 2 = 0.693147
    let loss = model.forward_loss(&x, &labels, &mut acts);
    assert_close("logits", acts.logits().as_slice(), &[1.0, 1.0]);
    assert_close(
        "probabilities",
        acts.probabilities().as_slice(),
        &[0.5, 0.5],
    );
    assert!((loss - std::f32::consts::LN_2).abs() < 1e-6, "{loss}");

    // Backward (B = 1).
    //   dz2 = p - y = [0.5 - 1, 0.5 - 0] = [-0.5, 0.5]
    //   dW2 = hᵀ·dz2 = [[2·(-0.5), 2·0.5], [0·(-0.5), 0·0.5]] = [[-1, 1], [0, 0]]
    //   db2 = dz2 = [-0.5, 0.5]
    //   dh  = dz2·W2ᵀ = [-0.5·1 + 0.5·0, -0.5·3 + 0.5·(-2)] = [-0.5, -2.5]
    //   dz1 = dh ⊙ [z1 > 0] = [-0.5, 0]       (the second unit was off: no gradient)
    //   dW1 = xᵀ·dz1 = [[1·(-0.5), 0], [2·(-0.5), 0]] = [[-0.5, 0], [-1, 0]]
    //   db1 = dz1 = [-0.5, 0]
    model.backward(&x, &labels, &mut acts, &mut grads);
    let [g1, g2] = grads.layers() else {
        panic!("two layers")
    };
    assert_close("dW2", g2.weights.as_slice(), &[-1.0, 1.0, 0.0, 0.0]);
    assert_close("db2", &g2.bias, &[-0.5, 0.5]);
    assert_close("dW1", g1.weights.as_slice(), &[-0.5, 0.0, -1.0, 0.0]);
    assert_close("db1", &g1.bias, &[-0.5, 0.0]);

    // Step with η = 0.1: θ ← θ - 0.1·g.
    //   W1 = [[1.05, -1], [0.6, -0.5]],  b1 = [0.05, 0]
    //   W2 = [[1.1, -0.1], [3, -2]],     b2 = [-0.95, 0.95]
    Sgd::new(0.1).step(&mut model, &grads);
    let [l1, l2] = model.layers() else {
        panic!("two layers")
    };
    assert_close("W1", l1.weights.as_slice(), &[1.05, -1.0, 0.6, -0.5]);
    assert_close("b1", &l1.bias, &[0.05, 0.0]);
    assert_close("W2", l2.weights.as_slice(), &[1.1, -0.1, 3.0, -2.0]);
    assert_close("b2", &l2.bias, &[-0.95, 0.95]);

    // The same example again: the loss went down.
    //   z1 = [1·1.05 + 2·0.6 + 0.05, -2] = [2.3, -2],  h = [2.3, 0]
    //   z2 = [2.3·1.1 - 0.95, 2.3·(-0.1) + 0.95] = [1.58, 0.72]
    //   L  = log(1 + e^-(1.58 - 0.72)) = log(1 + e^-0.86) = 0.352881
    let after = model.forward_loss(&x, &labels, &mut acts);
    assert_close(
        "logits after the step",
        acts.logits().as_slice(),
        &[1.58, 0.72],
    );
    assert!((after - 0.352881).abs() < 1e-6, "{after}");
}

/// Momentum and weight decay, two steps on one weight, by hand: g = 1 at every step,
/// η = 0.1, μ = 0.9, λ = 0.5, starting from w = 2 (and a bias of 0, which is not decayed).
#[test]
fn momentum_and_weight_decay_by_hand() {
    let mut model = Mlp::from_layers(vec![Dense {
        weights: Matrix::from_rows(&[[2.0]]),
        bias: vec![0.0],
    }])
    .unwrap();
    let grads = Mlp::from_layers(vec![Dense {
        weights: Matrix::from_rows(&[[1.0]]),
        bias: vec![1.0],
    }])
    .unwrap();
    let mut sgd = Sgd::new(0.1).with_momentum(0.9).with_weight_decay(0.5);

    // Step 1: g' = 1 + 0.5·2 = 2;  v = 0.9·0 + 2 = 2;  w = 2 - 0.1·2 = 1.8
    //         bias: v = 1;  b = 0 - 0.1·1 = -0.1
    sgd.step(&mut model, &grads);
    assert_close(
        "w after step 1",
        model.layers()[0].weights.as_slice(),
        &[1.8],
    );
    assert_close("b after step 1", &model.layers()[0].bias, &[-0.1]);

    // Step 2: g' = 1 + 0.5·1.8 = 1.9;  v = 0.9·2 + 1.9 = 3.7;  w = 1.8 - 0.1·3.7 = 1.43
    //         bias: v = 0.9·1 + 1 = 1.9;  b = -0.1 - 0.19 = -0.29
    sgd.step(&mut model, &grads);
    assert_close(
        "w after step 2",
        model.layers()[0].weights.as_slice(),
        &[1.43],
    );
    assert_close("b after step 2", &model.layers()[0].bias, &[-0.29]);
}
