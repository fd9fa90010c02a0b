//! The network as a whole: initialisation, depth, shapes, serialisation, and that it learns.

use nn_core::dense::Dense;
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp, ThreadPool};

#[test]
fn the_same_seed_gives_the_same_network() {
    let a = Mlp::new(&[784, 128, 10], 42);
    assert_eq!(a, Mlp::new(&[784, 128, 10], 42));
    assert_ne!(a, Mlp::new(&[784, 128, 10], 43));
}

#[test]
fn he_initialisation_has_the_stated_scale() {
    let model = Mlp::new(&[784, 256, 10], 1);
    for layer in model.layers() {
        let w = layer.weights.as_slice();
        let n = w.len() as f64;
        let mean = w.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = w
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let expected = 2.0 / layer.fan_in() as f64;
        // With n samples the variance estimate has a relative standard error of sqrt(2/n):
        // under 0.7% for the smaller layer here; 5% is many standard errors away.
        assert!(
            (var / expected - 1.0).abs() < 0.05,
            "variance {var}, expected {expected}"
        );
        assert!(mean.abs() < 4.0 * (expected / n).sqrt(), "mean {mean}");
        assert!(layer.bias.iter().all(|&b| b == 0.0));
    }
}

#[test]
fn networks_of_any_depth_have_the_right_shapes() {
    for sizes in [
        vec![784, 10],
        vec![784, 128, 10],
        vec![784, 256, 128, 10],
        vec![5, 4, 3, 2, 3],
    ] {
        let model = Mlp::new(&sizes, 0);
        assert_eq!(model.sizes(), sizes);
        let x = Matrix::zeros(3, sizes[0]);
        let mut acts = Activations::new();
        let probs = model.probabilities(&x, &mut acts);
        assert_eq!(probs.shape(), (3, *sizes.last().unwrap()));
        let labels = vec![0; 3];
        let mut grads = model.zeros_like();
        model.forward_loss(&x, &labels, &mut acts);
        model.backward(&x, &labels, &mut acts, &mut grads);
        assert_eq!(grads.sizes(), sizes);
    }
}

#[test]
fn the_default_network_has_101770_parameters() {
    // 784·128 + 128 + 128·10 + 10
    assert_eq!(Mlp::new(&[784, 128, 10], 0).parameter_count(), 101_770);
}

#[test]
fn predict_agrees_with_probabilities() {
    let model = Mlp::new(&[6, 5, 4], 3);
    let x = Matrix::from_vec(4, 6, (0..24).map(|i| (i as f32 * 0.37).sin()).collect());
    let mut acts = Activations::new();
    let predicted = model.predict(&x, &mut acts);
    let probs = model.probabilities(&x, &mut acts).clone();
    for (r, &class) in predicted.iter().enumerate() {
        let row = probs.row(r);
        assert!(
            row.iter().all(|&p| p <= row[class]),
            "row {r}: {row:?}, predicted {class}"
        );
    }
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard()
}

#[test]
fn parameters_survive_a_serde_round_trip() {
    let model = Mlp::new(&[7, 5, 3], 9);
    let bytes = bincode::serde::encode_to_vec(&model, bincode_config()).unwrap();
    let (back, _): (Mlp, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode_config()).unwrap();
    assert_eq!(model, back);
}

#[test]
fn deserialising_layers_that_do_not_fit_together_is_an_error() {
    // Serialise a valid two-layer network, then a different second layer, and splice them:
    // layer 0 is 4 -> 3, the replacement layer 1 takes 2 inputs.
    let bad = vec![Dense::zeros(4, 3), Dense::zeros(2, 5)];
    #[derive(serde::Serialize)]
    struct Fields {
        layers: Vec<Dense>,
    }
    let bytes = bincode::serde::encode_to_vec(Fields { layers: bad }, bincode_config()).unwrap();
    let result: Result<(Mlp, usize), _> =
        bincode::serde::decode_from_slice(&bytes, bincode_config());
    let err = result.unwrap_err().to_string();
    assert!(
        err.contains("layer 0 has 3 outputs but layer 1 takes 2 inputs"),
        "{err}"
    );
}

#[test]
fn layers_that_do_not_fit_together_are_rejected() {
    let err = Mlp::from_layers(vec![Dense::zeros(4, 3), Dense::zeros(2, 5)]).unwrap_err();
    assert_eq!(err, "layer 0 has 3 outputs but layer 1 takes 2 inputs");
    let mut bad_bias = Dense::zeros(4, 3);
    bad_bias.bias.pop();
    let err = Mlp::from_layers(vec![bad_bias]).unwrap_err();
    assert_eq!(err, "layer 0 has 3 outputs but 2 biases");
}

#[test]
#[should_panic(expected = "A is 2x780 but B is 784x10")]
fn an_input_of_the_wrong_width_names_both_shapes() {
    let model = Mlp::new(&[784, 10], 0);
    model.forward(&Matrix::zeros(2, 780), &mut Activations::new());
}

/// Two well-separated clusters: a few hundred steps of SGD must separate them perfectly.
#[test]
fn it_learns_a_separable_problem() {
    let mut model = Mlp::new(&[2, 8, 2], 5);
    let labels: Vec<usize> = (0..40).map(|i| i % 2).collect();
    let mut x = Matrix::zeros(40, 2);
    for (i, &class) in labels.iter().enumerate() {
        let angle = i as f32 * 0.7;
        let centre = if class == 0 { -1.5 } else { 1.5 };
        x.set(i, 0, centre + 0.5 * angle.cos());
        x.set(i, 1, centre + 0.5 * angle.sin());
    }
    let mut acts = Activations::new();
    let mut grads = model.zeros_like();
    let mut sgd = Sgd::new(0.5);
    let first = model.forward_loss(&x, &labels, &mut acts);
    for _ in 0..200 {
        model.forward_loss(&x, &labels, &mut acts);
        model.backward(&x, &labels, &mut acts, &mut grads);
        sgd.step(&mut model, &grads);
    }
    let last = model.forward_loss(&x, &labels, &mut acts);
    assert!(last < first / 10.0, "loss went from {first} to {last}");
    assert_eq!(model.predict(&x, &mut acts), labels);
}

/// The whole training step (products, SGD with momentum and weight decay) gives the same bits
/// on 1, 2 or 3 threads.
#[test]
fn training_is_bit_identical_for_any_thread_count() {
    // The reference recipe; a wide network, whose products are split by columns into several
    // blocks per thread; and tiny layers (a 1-wide one) with a batch of one.
    for (sizes, batch) in [
        (&[784, 128, 10][..], 64),
        (&[784, 800, 10][..], 48),
        (&[5, 1, 4, 3][..], 1),
    ] {
        let train = |threads: usize| {
            let mut model = Mlp::new(sizes, 3);
            let inputs = sizes[0];
            let x = Matrix::from_vec(
                batch,
                inputs,
                (0..batch * inputs)
                    .map(|i| ((i * 7919) % 256) as f32 / 255.0)
                    .collect(),
            );
            let classes = *sizes.last().unwrap();
            let labels: Vec<usize> = (0..batch).map(|i| (i * 7) % classes).collect();
            let (mut acts, mut grads) = (Activations::new(), model.zeros_like());
            let mut sgd = Sgd::new(0.1).with_momentum(0.9).with_weight_decay(5e-4);
            ThreadPool::new(threads).install(|| {
                for _ in 0..5 {
                    model.forward_loss(&x, &labels, &mut acts);
                    model.backward(&x, &labels, &mut acts, &mut grads);
                    sgd.step(&mut model, &grads);
                }
            });
            model
        };
        let bits = |m: &Mlp| -> Vec<u32> {
            m.layers()
                .iter()
                .flat_map(|l| l.weights.as_slice().iter().chain(&l.bias))
                .map(|v| v.to_bits())
                .collect()
        };
        let one = bits(&train(1));
        for threads in [2, 3] {
            assert_eq!(
                one,
                bits(&train(threads)),
                "{sizes:?}: {threads} threads differ from 1"
            );
        }
    }
}

#[test]
fn layer_outputs_are_the_hidden_activations_after_relu_and_then_the_logits() {
    let model = Mlp::new(&[3, 4, 2], 7);
    let x = Matrix::from_rows(&[[0.5, -1.0, 2.0]]);
    let mut acts = Activations::new();
    model.forward(&x, &mut acts);

    let first = &model.layers()[0];
    let mut signs = [false; 2];
    for j in 0..4 {
        let z: f32 = (0..3)
            .map(|i| x.get(0, i) * first.weights.get(i, j))
            .sum::<f32>()
            + first.bias[j];
        signs[usize::from(z > 0.0)] = true;
        let hidden = acts.layer_output(0).get(0, j);
        assert!(
            (hidden - z.max(0.0)).abs() < 1e-6,
            "unit {j}: {hidden} vs relu({z})"
        );
    }
    assert_eq!(
        signs,
        [true, true],
        "some units active, some cut off by ReLU"
    );
    assert_eq!(acts.layer_output(1), acts.logits());
}
