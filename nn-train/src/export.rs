//! `nn-train export`: a checkpoint's network as a safetensors file, for NumPy and PyTorch
//! (the layout: `nn_run::export`; scripts that load it: `docs/scripts/`). See
//! `docs/10-using-the-network.md`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use nn_run::atomic::write_atomically;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::architecture;
use nn_run::export::to_safetensors;

/// Writes the network of the checkpoint at `checkpoint` to `out`, refusing to replace an
/// existing file unless `force`; returns what to tell the user.
pub fn export(checkpoint: &Path, out: &Path, force: bool) -> Result<String> {
    let loaded = Checkpoint::load_mnist_classifier(checkpoint)?;
    if out.exists() && !force {
        bail!(
            "{} already exists; nothing was written (pass --force to replace it)",
            out.display()
        );
    }
    let model = &loaded.model;
    let bytes = to_safetensors(
        model,
        &[
            ("checkpoint", checkpoint.display().to_string()),
            ("learning_rate", loaded.learning_rate.to_string()),
            ("epoch", loaded.epoch.to_string()),
        ],
    );
    write_atomically(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let shapes: Vec<String> = model
        .layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| format!("layers.{l}.weight {}x{}", layer.fan_out(), layer.fan_in()))
        .collect();
    Ok(format!(
        "wrote {}: {} network, {} parameters ({} and their biases), {} bytes",
        out.display(),
        architecture(&model.sizes()),
        model.parameter_count(),
        shapes.join(", "),
        bytes.len()
    ))
}
