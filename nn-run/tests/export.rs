//! The safetensors export: PyTorch's layout, a round trip that changes no bit, and a clear error
//! for every file that does not hold a network.

use std::collections::HashMap;

use nn_core::{Activations, Matrix, Mlp};
use nn_run::export::{ExportError, from_safetensors, to_safetensors};
use safetensors::{Dtype, SafeTensors};

fn model() -> Mlp {
    Mlp::new(&[784, 32, 16, 10], 11)
}

fn inputs() -> Matrix {
    let values = (0..5 * 784)
        .map(|i| ((i * 7919) % 256) as f32 / 255.0)
        .collect();
    Matrix::from_vec(5, 784, values)
}

#[test]
fn a_round_trip_gives_the_same_probabilities_bit_for_bit() {
    let model = model();
    let bytes = to_safetensors(
        &model,
        &[("epoch", "3".into()), ("learning_rate", "0.5".into())],
    );
    assert_eq!(
        to_safetensors(
            &model,
            &[("epoch", "3".into()), ("learning_rate", "0.5".into())]
        ),
        bytes,
        "the same network, the same bytes"
    );
    let back = from_safetensors(&bytes, "model.safetensors").unwrap();

    assert_eq!(back, model);
    let x = inputs();
    let expected = model.probabilities(&x, &mut Activations::new()).clone();
    let got = back.probabilities(&x, &mut Activations::new()).clone();
    let bits = |m: &Matrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&expected));
}

#[test]
fn the_tensors_are_laid_out_as_torch_linear() {
    let model = model();
    let bytes = to_safetensors(&model, &[("checkpoint", "runs/x/lr-0.5/best.ckpt".into())]);
    let file = SafeTensors::deserialize(&bytes).unwrap();

    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "layers.0.bias",
            "layers.0.weight",
            "layers.1.bias",
            "layers.1.weight",
            "layers.2.bias",
            "layers.2.weight"
        ]
    );
    for (l, layer) in model.layers().iter().enumerate() {
        let weight = file.tensor(&format!("layers.{l}.weight")).unwrap();
        assert_eq!(weight.dtype(), Dtype::F32);
        assert_eq!(
            weight.shape(),
            [layer.fan_out(), layer.fan_in()],
            "out x in"
        );
        // weight[j][i] is W[i][j]: the input weights of output unit j are row j.
        let (i, j) = (layer.fan_in() - 1, 3);
        let at = 4 * (j * layer.fan_in() + i);
        let stored = f32::from_le_bytes(weight.data()[at..at + 4].try_into().unwrap());
        assert_eq!(stored, layer.weights.get(i, j));
        let bias = file.tensor(&format!("layers.{l}.bias")).unwrap();
        assert_eq!(bias.shape(), [layer.fan_out()]);
    }

    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata: &HashMap<String, String> = header.metadata().as_ref().unwrap();
    assert_eq!(metadata["architecture"], "784-32-16-10");
    assert_eq!(metadata["layers"], "3");
    assert!(metadata["layout"].contains("y = x @ weight.T + bias"));
    assert!(metadata["input"].contains("pixel / 255"));
    assert_eq!(metadata["checkpoint"], "runs/x/lr-0.5/best.ckpt");
}

/// The safetensors bytes of these `(name, dtype, shape)` tensors, all zero.
fn file_with(tensors: &[(&str, Dtype, Vec<usize>)]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, dtype, shape)| vec![0; shape.iter().product::<usize>() * dtype.bitsize() / 8])
        .collect();
    let views = tensors
        .iter()
        .zip(&data)
        .map(|((name, dtype, shape), bytes)| {
            let view = safetensors::tensor::TensorView::new(*dtype, shape.clone(), bytes).unwrap();
            (*name, view)
        });
    safetensors::serialize(views, None).unwrap()
}

fn import_error(bytes: &[u8]) -> ExportError {
    let err = from_safetensors(bytes, "w.safetensors").unwrap_err();
    assert!(err.to_string().starts_with("w.safetensors"), "{err}");
    err
}

#[test]
fn a_file_that_does_not_hold_a_network_is_named_and_explained() {
    assert!(matches!(
        import_error(b"not a safetensors file at all"),
        ExportError::NotSafetensors { .. }
    ));
    let f32 = Dtype::F32;
    let err = import_error(&file_with(&[("embedding", f32, vec![3, 4])]));
    assert!(
        matches!(&err, ExportError::MissingTensor { name, .. } if name == "layers.0.weight"),
        "{err}"
    );
    let err = import_error(&file_with(&[("layers.0.weight", f32, vec![10, 784])]));
    assert!(
        matches!(&err, ExportError::MissingTensor { name, .. } if name == "layers.0.bias"),
        "{err}"
    );
    let err = import_error(&file_with(&[
        ("layers.0.weight", Dtype::F64, vec![10, 784]),
        ("layers.0.bias", f32, vec![10]),
    ]));
    assert!(matches!(err, ExportError::WrongDtype { .. }), "{err}");
    let err = import_error(&file_with(&[
        ("layers.0.weight", f32, vec![10, 784]),
        ("layers.0.bias", f32, vec![11]),
    ]));
    assert!(matches!(err, ExportError::WrongShape { .. }), "{err}");
    let err = import_error(&file_with(&[
        ("layers.0.weight", f32, vec![16, 784]),
        ("layers.0.bias", f32, vec![16]),
        ("layers.1.weight", f32, vec![10, 32]),
        ("layers.1.bias", f32, vec![10]),
    ]));
    assert!(
        err.to_string()
            .contains("layer 0 has 16 outputs but layer 1 takes 32 inputs"),
        "{err}"
    );
}
