//! `nn-train predict`: every picture is prepared and read by the network exactly as the library
//! does it, every unreadable file is named for what it is while the others are still read, and
//! the text fits an 80-column terminal.

use std::path::{Path, PathBuf};

use datasets::handwriting::{prepare, read_image, squash};
use image::{GrayImage, Luma};
use nn_core::sgd::Sgd;
use nn_core::{Activations, Matrix, Mlp};
use nn_run::checkpoint::Checkpoint;
use nn_run::config::TrainConfig;
use serde_json::Value;

mod common;

/// An untrained 784-16-10 network: its answers are arbitrary but fixed, which is all the
/// plumbing needs.
fn model() -> Mlp {
    Mlp::new(&[784, 16, 10], 5)
}

struct Fixture {
    dir: tempfile::TempDir,
    checkpoint: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let checkpoint = dir.path().join("best.ckpt");
        Checkpoint {
            config: TrainConfig {
                hidden: vec![16],
                ..TrainConfig::default()
            },
            learning_rate: 0.1,
            epoch: 4,
            step: 100,
            model: model(),
            optimizer: Sgd::new(0.1),
        }
        .save(&checkpoint)
        .unwrap();
        Fixture { dir, checkpoint }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A dark stroke on white paper, saved as PNG.
    fn drawing(&self, name: &str, shape: impl Fn(u32, u32) -> bool) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        GrayImage::from_fn(90, 120, |x, y| Luma([if shape(x, y) { 20 } else { 245 }]))
            .save(&path)
            .unwrap();
        path
    }

    fn predict(&self, args: &[&str]) -> (i32, String, String) {
        common::nn_train_with(&["predict"], |command| {
            command.arg("--checkpoint").arg(&self.checkpoint).args(args);
        })
    }
}

fn seven(x: u32, y: u32) -> bool {
    (10..80).contains(&x) && (10..20).contains(&y)
        || (x as i32 - 70 + (y as i32 - 20) / 2).abs() < 6 && (20..110).contains(&y)
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The probabilities the network gives the picture at `path`, computed with the library.
fn library_probabilities(path: &Path, raw: bool) -> Vec<f32> {
    let picture = read_image(path).unwrap();
    let prepared = if raw {
        squash(&picture)
    } else {
        prepare(&picture)
    };
    let x = Matrix::from_vec(1, 784, prepared.input());
    model()
        .probabilities(&x, &mut Activations::new())
        .row(0)
        .to_vec()
}

#[test]
fn every_unreadable_file_gets_its_own_message_and_the_rest_are_predicted() {
    let f = Fixture::new();
    std::fs::write(f.path("notes.txt"), "not a picture\n").unwrap();
    std::fs::write(f.path("empty.png"), "").unwrap();
    std::fs::create_dir(f.path("folder")).unwrap();
    let good = f.drawing("seven.png", seven);
    let inputs = [
        "notes.txt",
        "empty.png",
        "folder",
        "missing.jpg",
        "seven.png",
    ]
    .map(|n| f.path(n));
    let args: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();

    for json in [false, true] {
        let mut with_mode = args.clone();
        if json {
            with_mode.push("--json");
        }
        let (code, stdout, stderr) = f.predict(&with_mode);

        assert_eq!(code, 1, "a file could not be read: exit code 1\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let expected = [
            "notes.txt is not an image",
            "empty.png is empty (0 bytes)",
            "folder is a directory, not an image",
            "missing.jpg: no such file",
        ];
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(errors.len(), 5, "{stderr}");
        for (line, expected) in errors.iter().zip(expected) {
            assert!(line.contains(expected), "{line} should say {expected}");
        }
        assert!(
            errors[4].contains("4 of 5 files could not be read"),
            "{}",
            errors[4]
        );
        if json {
            let lines = json_lines(&stdout);
            assert_eq!(lines.len(), 5, "one line per input, in order");
            for (line, input) in lines.iter().zip(&inputs) {
                assert_eq!(line["file"], input.display().to_string());
            }
            assert!(
                lines[..4]
                    .iter()
                    .all(|l| l["error"].is_string() && l.get("digit").is_none())
            );
            assert!(lines[4]["digit"].is_u64(), "{}", lines[4]);
        } else {
            assert!(
                stdout.contains(&format!("{}: ", good.display())),
                "{stdout}"
            );
        }
    }
}

#[test]
fn the_json_is_the_networks_answer_on_the_prepared_picture() {
    let f = Fixture::new();
    let seven = f.drawing("seven.png", seven);
    let blank = f.drawing("blank.png", |_, _| false);
    for raw in [false, true] {
        let mut args = vec![seven.to_str().unwrap(), blank.to_str().unwrap(), "--json"];
        if raw {
            args.push("--raw");
        }
        let (code, stdout, stderr) = f.predict(&args);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains(&f.checkpoint.display().to_string()),
            "the checkpoint is named: {stderr}"
        );
        let lines = json_lines(&stdout);
        for (line, path) in lines.iter().zip([&seven, &blank]) {
            let probabilities: Vec<f32> = line["probabilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let expected = library_probabilities(path, raw);
            assert_eq!(probabilities, expected, "{} raw={raw}", path.display());
            let digit = nn_core::softmax::argmax(&expected);
            assert_eq!(line["digit"], digit);
            let entropy = line["entropy"].as_f64().unwrap() as f32;
            assert_eq!(entropy, nn_core::uncertainty::entropy(&expected));
        }
        if !raw {
            assert_eq!(lines[0]["ink"], true);
            assert_eq!(lines[0]["inverted"], true);
            assert_eq!(lines[1]["ink"], false, "a blank picture is flagged");
            assert!(lines[1]["ink_box"].is_null());
        }
    }
}

#[test]
fn save_input_writes_the_picture_the_network_saw() {
    let f = Fixture::new();
    // Two inputs with the same name, in different folders.
    let a = f.drawing("a/digit.png", seven);
    let b = f.drawing("b/digit.png", |x, y| {
        (40..50).contains(&x) && (5..115).contains(&y)
    });
    let out = f.path("seen");
    let (code, stdout, stderr) = f.predict(&[
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--save-input",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    for (input, saved) in [(&a, "digit-28x28.png"), (&b, "digit-2-28x28.png")] {
        let saved = out.join(saved);
        assert!(stdout.contains(&saved.display().to_string()), "{stdout}");
        let picture = image::open(&saved).unwrap();
        assert_eq!((picture.width(), picture.height()), (28, 28));
        let expected = prepare(&read_image(input).unwrap());
        assert_eq!(picture.to_luma8().into_raw(), expected.pixels.to_vec());
    }
}

#[test]
fn the_text_report_fits_80_columns_and_flags_a_blank_picture() {
    let f = Fixture::new();
    let seven = f.drawing("seven.png", seven);
    let blank = f.drawing("blank.png", |_, _| false);
    let (code, stdout, stderr) = f.predict(&[seven.to_str().unwrap(), blank.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let said = format!(
        "checkpoint {}\n  784-16-10 network, lr 0.1, epoch 4\n",
        f.checkpoint.display()
    );
    assert!(stdout.starts_with(&said), "{stdout}");
    let tmp = f.dir.path().display().to_string();
    for line in stdout.lines().filter(|l| !l.contains(&tmp)) {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let bars = stdout.lines().filter(|l| l.contains(" │")).count();
    assert_eq!(bars, 20, "ten bars per picture:\n{stdout}");
    assert_eq!(
        stdout.matches(" ◀").count(),
        2,
        "the answer is marked once per picture"
    );
    assert!(stdout.contains("blank.png: no ink found"), "{stdout}");
    assert_eq!(stdout.matches("entropy").count(), 2);
}

#[test]
fn a_broken_checkpoint_stops_before_any_picture_is_read() {
    let f = Fixture::new();
    std::fs::write(&f.checkpoint, "not a checkpoint").unwrap();
    let seven = f.drawing("seven.png", seven);
    let (code, stdout, stderr) = f.predict(&[seven.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("is not an nn-train checkpoint"), "{stderr}");
}
