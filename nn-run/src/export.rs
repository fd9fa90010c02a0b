//! A trained network's weights in safetensors, the format PyTorch, NumPy (through the
//! `safetensors` package), candle and burn read: `nn-train export`.
//!
//! The file holds one pair of tensors per dense layer, `f32`, little-endian, in PyTorch's
//! `torch.nn.Linear` layout so that a `state_dict` loads as it is:
//!
//! ```text
//! layers.0.weight  [128, 784]   out x in: y = x @ weight.T + bias
//! layers.0.bias    [128]
//! layers.1.weight  [10, 128]
//! layers.1.bias    [10]
//! ```
//!
//! nn-core stores `W` as `in x out` (`y = x·W + b`, `nn_core::dense::Dense`), so each weight
//! matrix is transposed on the way out and back on the way in: moving numbers, never changing
//! one, so a round trip gives the same network bit for bit. The metadata (`__metadata__`, a map
//! of strings) says the rest: the architecture, the layout and activations in words, what the
//! input is, and where the weights came from. See `docs/10-using-the-network.md`.

use std::collections::BTreeMap;

use nn_core::dense::Dense;
use nn_core::{Matrix, Mlp};
use safetensors::tensor::TensorInfo;
use safetensors::{Dtype, SafeTensors};
use serde::Serialize;
use thiserror::Error;

use crate::config::architecture;

/// What the `format` metadata entry says: this file is a network of this project.
pub const FORMAT: &str = "nn-from-scratch mlp";

/// How to compute with the tensors, in words, for whoever opens the file.
pub const LAYOUT: &str = "layers.{i}.weight is out x in and layers.{i}.bias has out entries, as in torch.nn.Linear: y = x @ weight.T + bias; ReLU after every layer but the last; the softmax of the last layer's output gives the probabilities of the digits 0 to 9";

/// What the network expects to read.
pub const INPUT: &str = "784 values: a 28 x 28 picture row by row, pixel / 255 (0 background, 1 ink), the digit prepared as MNIST's were (white on black, 20 x 20 box, centred by centre of mass)";

/// Why a file cannot be read back as a network, naming it.
#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{input} is not a safetensors file: {reason}")]
    NotSafetensors { input: String, reason: String },
    #[error("{input} has no tensor {name}; its tensors: {found}")]
    MissingTensor {
        input: String,
        name: String,
        found: String,
    },
    #[error("{input}: tensor {name} is {dtype}, not F32")]
    WrongDtype {
        input: String,
        name: String,
        dtype: String,
    },
    #[error("{input}: tensor {name} has shape {shape:?}, expected {expected}")]
    WrongShape {
        input: String,
        name: String,
        shape: Vec<usize>,
        expected: String,
    },
    #[error("{input} does not hold a network: {reason}")]
    Inconsistent { input: String, reason: String },
}

/// The safetensors bytes of `model`, with the layout described in the metadata plus
/// `extra` entries (e.g. where the weights came from).
///
/// The same network always gives the same bytes. That is why the header is put together here,
/// from the crate's own [`TensorInfo`], with its keys sorted: `safetensors::serialize` takes
/// the metadata as a `HashMap`, whose order changes from run to run. The format is the
/// crate's: an 8-byte little-endian header length, the JSON header padded with spaces to a
/// multiple of 8 bytes, then the tensors' bytes, here in the order of their names.
pub fn to_safetensors(model: &Mlp, extra: &[(&str, String)]) -> Vec<u8> {
    let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
    for (l, layer) in model.layers().iter().enumerate() {
        let (fan_in, fan_out) = (layer.fan_in(), layer.fan_out());
        // Transposed: row j holds the input weights of output unit j.
        let mut weight = Vec::with_capacity(4 * fan_in * fan_out);
        for j in 0..fan_out {
            for i in 0..fan_in {
                weight.extend_from_slice(&layer.weights.get(i, j).to_le_bytes());
            }
        }
        let bias = layer.bias.iter().flat_map(|b| b.to_le_bytes()).collect();
        tensors.insert(
            format!("layers.{l}.weight"),
            (vec![fan_out, fan_in], weight),
        );
        tensors.insert(format!("layers.{l}.bias"), (vec![fan_out], bias));
    }
    let mut metadata: BTreeMap<String, String> = [
        ("format", FORMAT.to_string()),
        ("architecture", architecture(&model.sizes())),
        ("layers", model.layers().len().to_string()),
        ("layout", LAYOUT.to_string()),
        ("input", INPUT.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    metadata.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));

    let mut header =
        BTreeMap::from([("__metadata__".to_string(), HeaderEntry::Metadata(metadata))]);
    let mut data = Vec::new();
    for (name, (shape, bytes)) in tensors {
        let start = data.len();
        data.extend_from_slice(&bytes);
        let info = TensorInfo {
            dtype: Dtype::F32,
            shape,
            data_offsets: (start, data.len()),
        };
        header.insert(name, HeaderEntry::Tensor(info));
    }
    let mut json = serde_json::to_vec(&header).expect("strings and numbers serialise");
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut file = Vec::with_capacity(8 + json.len() + data.len());
    file.extend_from_slice(&(json.len() as u64).to_le_bytes());
    file.extend_from_slice(&json);
    file.extend_from_slice(&data);
    file
}

/// One entry of a safetensors header: the metadata, or where a tensor is.
#[derive(Serialize)]
#[serde(untagged)]
enum HeaderEntry {
    Metadata(BTreeMap<String, String>),
    Tensor(TensorInfo),
}

/// Reads a network written by [`to_safetensors`] (or by anything that follows the same
/// layout, e.g. a PyTorch `state_dict` of `Linear` layers named `layers.{i}`); `input` names the
/// bytes in errors.
pub fn from_safetensors(bytes: &[u8], input: &str) -> Result<Mlp, ExportError> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| ExportError::NotSafetensors {
        input: input.into(),
        reason: e.to_string(),
    })?;
    let mut layers = Vec::new();
    while file
        .names()
        .contains(&format!("layers.{}.weight", layers.len()).as_str())
    {
        let l = layers.len();
        let weight = tensor(&file, input, &format!("layers.{l}.weight"), 2)?;
        let (fan_out, fan_in) = (weight.0[0], weight.0[1]);
        let bias = tensor(&file, input, &format!("layers.{l}.bias"), 1)?;
        if bias.0 != [fan_out] {
            return Err(ExportError::WrongShape {
                input: input.into(),
                name: format!("layers.{l}.bias"),
                shape: bias.0,
                expected: format!("[{fan_out}], one per row of layers.{l}.weight"),
            });
        }
        let mut weights = Matrix::zeros(fan_in, fan_out);
        for j in 0..fan_out {
            for i in 0..fan_in {
                weights.set(i, j, weight.1[j * fan_in + i]);
            }
        }
        layers.push(Dense {
            weights,
            bias: bias.1,
        });
    }
    if layers.is_empty() {
        return Err(ExportError::MissingTensor {
            input: input.into(),
            name: "layers.0.weight".into(),
            found: file.names().join(", "),
        });
    }
    Mlp::from_layers(layers).map_err(|reason| ExportError::Inconsistent {
        input: input.into(),
        reason,
    })
}

/// The shape and values of an `f32` tensor with `rank` dimensions.
fn tensor(
    file: &SafeTensors,
    input: &str,
    name: &str,
    rank: usize,
) -> Result<(Vec<usize>, Vec<f32>), ExportError> {
    let view = file.tensor(name).map_err(|_| ExportError::MissingTensor {
        input: input.into(),
        name: name.into(),
        found: file.names().join(", "),
    })?;
    if view.dtype() != Dtype::F32 {
        return Err(ExportError::WrongDtype {
            input: input.into(),
            name: name.into(),
            dtype: view.dtype().to_string(),
        });
    }
    if view.shape().len() != rank || view.shape().contains(&0) {
        return Err(ExportError::WrongShape {
            input: input.into(),
            name: name.into(),
            shape: view.shape().to_vec(),
            expected: format!("{rank} dimensions, none of them 0"),
        });
    }
    let values = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    Ok((view.shape().to_vec(), values))
}
