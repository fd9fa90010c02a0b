//! `nn-train export`: the checkpoint's network, read back unchanged; an existing file is never
//! replaced silently.

use nn_core::Mlp;
use nn_core::sgd::Sgd;
use nn_run::checkpoint::Checkpoint;
use nn_run::config::TrainConfig;
use nn_run::export::from_safetensors;

mod common;

fn nn_train(args: &[&str]) -> (i32, String, String) {
    common::nn_train_with(args, |_| {})
}

#[test]
fn export_writes_the_network_and_never_replaces_a_file_silently() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("best.ckpt");
    let model = Mlp::new(&[784, 24, 10], 9);
    Checkpoint {
        config: TrainConfig::default(),
        learning_rate: 0.5,
        epoch: 7,
        step: 1,
        model: model.clone(),
        optimizer: Sgd::new(0.5),
    }
    .save(&checkpoint)
    .unwrap();
    let out = dir.path().join("model.safetensors");
    let args = [
        "export",
        "--checkpoint",
        checkpoint.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];

    let (code, stdout, stderr) = nn_train(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("784-24-10 network, 19090 parameters"),
        "{stdout}"
    );
    let written = std::fs::read(&out).unwrap();
    assert_eq!(
        from_safetensors(&written, "model.safetensors").unwrap(),
        model
    );

    // A second export to the same place is refused and leaves the file alone...
    std::fs::write(&out, "precious").unwrap();
    let (code, _, stderr) = nn_train(&args);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("already exists; nothing was written (pass --force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    // ...unless asked.
    let (code, _, stderr) = nn_train(&[&args[..], &["--force"]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), written);
}

#[test]
fn export_of_a_missing_checkpoint_names_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.safetensors");
    let (code, _, stderr) = nn_train(&[
        "export",
        "--checkpoint",
        "/nonexistent/best.ckpt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("/nonexistent/best.ckpt"), "{stderr}");
    assert!(!out.exists());
}
