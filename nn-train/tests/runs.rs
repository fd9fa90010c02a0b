//! `nn-train` as a student runs it, on a synthetic MNIST folder of the genuine sizes (a bar of
//! ink whose place is the label, so it is learned in an epoch): what a run prints, a run
//! stopped with Ctrl-C, `eval --split`, a run without a validation set, and what a damaged
//! data file is called.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use datasets::mnist::{FILES, IMAGE_PIXELS, IMAGE_SIDE, Kind, TRAIN_LABELS};
use nn_run::run_dir::{KeepCheckpoints, RunDir};

/// Writes the four files: image `i` has label `i % 10` and rows `2l + 4 .. 2l + 8` inked.
fn synthetic_mnist(dir: &Path) {
    for file in FILES {
        let count = file.count as usize;
        let mut fields = vec![file.kind.magic(), file.count];
        if file.kind == Kind::Images {
            fields.extend([IMAGE_SIDE, IMAGE_SIDE]);
        }
        let mut bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_be_bytes()).collect();
        match file.kind {
            Kind::Labels => bytes.extend((0..count).map(|i| (i % 10) as u8)),
            Kind::Images => {
                let start = bytes.len();
                bytes.resize(start + count * IMAGE_PIXELS, 0);
                let side = IMAGE_SIDE as usize;
                for (i, image) in bytes[start..].chunks_exact_mut(IMAGE_PIXELS).enumerate() {
                    let row = 2 * (i % 10) + 4;
                    image[row * side..(row + 4) * side].fill(200 + (i % 50) as u8);
                }
            }
        }
        fs::write(dir.join(file.name), bytes).unwrap();
    }
}

struct Fixture {
    _temp: tempfile::TempDir,
    data: PathBuf,
    runs: PathBuf,
}

fn fixture() -> Fixture {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("mnist");
    fs::create_dir(&data).unwrap();
    synthetic_mnist(&data);
    let runs = temp.path().join("runs");
    Fixture {
        _temp: temp,
        data,
        runs,
    }
}

impl Fixture {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nn-train"));
        command
            .args(args)
            .arg("--data-dir")
            .arg(&self.data)
            .env_remove("MNIST_DIR");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn out(&self, name: &str) -> String {
        self.runs.join(name).to_str().unwrap().to_string()
    }
}

/// A quick run: 500 images, a small network, 2 learning rates, 500 validation images (the
/// last two arguments).
const SMALL: [&str; 8] = [
    "--train-limit",
    "500",
    "--hidden",
    "8",
    "--lrs",
    "0.1,0.5",
    "--val-size",
    "500",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_run_says_what_it_trains_in_words_and_ends_with_the_report_command() {
    let f = fixture();
    let out = f.out("first");
    let output = f.run(
        &[
            &SMALL[..],
            &["--epochs", "1", "--threads", "1", "--out", &out],
        ]
        .concat(),
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("Training into {out}\n")),
        "{stderr}"
    );
    assert!(
        stderr.contains("network 784-8-10, batch 64, 1 epoch; 1 thread, ")
            && stderr.contains("\nlearning rates 0.1, 0.5\n"),
        "{stderr}"
    );
    assert!(stderr.contains("lr 0.1 epoch 1/1  train loss "), "{stderr}");
    assert!(
        stdout.contains("Best learning rate on validation: ")
            && stdout.contains("  chosen on validation\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "Run directory: {out}\nDraw it: cargo run --release -p nn-report -- {out}\n"
        )),
        "{stdout}"
    );
    // The default keeps the best and the last checkpoint only.
    let run = RunDir::open(Path::new(&out)).unwrap();
    assert_eq!(
        run.read_config().unwrap().keep_checkpoints,
        KeepCheckpoints::BestLast
    );
    assert!(run.last_checkpoint_path(0.1).is_file());
    assert!(!run.lr_dir(0.1).join("checkpoints").exists());
}

#[test]
fn without_a_validation_set_no_rate_is_said_to_be_chosen_on_validation() {
    let f = fixture();
    let out = f.out("noval");
    let args = [
        &SMALL[..6],
        &["--epochs", "2", "--val-size", "0", "--out", &out],
    ]
    .concat();
    let output = f.run(&args);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!stdout.contains("chosen on validation"), "{stdout}");
    assert!(
        !stdout.contains("Best learning rate on validation"),
        "{stdout}"
    );
    assert!(
        stdout.contains("No validation set (--val-size 0)"),
        "{stdout}"
    );
    assert!(!stdout.contains("-0.0"), "{stdout}");
}

/// With --out the folder is the one given; the name is recorded in config.json (folders under
/// runs/ carry it too: `nn-run/tests/run_dir.rs`).
#[test]
fn a_named_run_records_its_name() {
    let f = fixture();
    let output = f.run(
        &[
            &SMALL[..],
            &["--epochs", "1", "--name", "wide", "--out", &f.out("x")],
        ]
        .concat(),
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let config = fs::read_to_string(f.runs.join("x/config.json")).unwrap();
    assert!(config.contains("\"name\": \"wide\""), "{config}");
}

#[test]
fn eval_measures_the_test_set_or_the_run_s_validation_images() {
    let f = fixture();
    let out = f.out("eval");
    assert!(
        f.run(&[&SMALL[..], &["--epochs", "2", "--out", &out]].concat())
            .status
            .success()
    );
    let checkpoint = format!("{out}/lr-0.1/best.ckpt");
    let test = f.run(&["eval", "--checkpoint", &checkpoint]);
    let validation = f.run(&["eval", "--checkpoint", &checkpoint, "--split", "validation"]);
    let (test, validation) = (text(&test.stdout), text(&validation.stdout));
    assert!(
        test.contains("\ntest loss ") && test.contains("/10000)"),
        "{test}"
    );
    assert!(
        validation.contains("\nvalidation loss ") && validation.contains("/500)"),
        "{validation}"
    );

    let noval = f.out("noval");
    let args = [
        &SMALL[..6],
        &["--epochs", "1", "--val-size", "0", "--out", &noval],
    ]
    .concat();
    assert!(f.run(&args).status.success());
    let checkpoint = format!("{noval}/lr-0.1/best.ckpt");
    let output = f.run(&["eval", "--checkpoint", &checkpoint, "--split", "validation"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("held out no validation images (--val-size 0)"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_truncated_data_file_is_reported_by_its_size() {
    let f = fixture();
    let labels = f.data.join(TRAIN_LABELS.name);
    let bytes = fs::read(&labels).unwrap();
    fs::write(&labels, &bytes[..1000]).unwrap();
    let output = f.run(&[&SMALL[..], &["--epochs", "1"]].concat());
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} is 1000 bytes, but this MNIST file is exactly 60008 bytes (truncated",
            labels.display()
        )),
        "{stderr}"
    );
    // The command that mends it fetches into this folder, not the default one.
    assert!(
        stderr.contains(&format!("fetch --force --data-dir {}`", f.data.display())),
        "{stderr}"
    );
}

/// A run that fails before its first epoch ends (here a file stands where its learning rate's
/// folder goes) leaves no run behind: a folder `--out` named that existed before
/// keeps what was there, without the run's config.json.
#[test]
fn a_run_that_fails_before_its_first_epoch_leaves_no_run() {
    let f = fixture();
    let out = f.runs.join("taken");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("lr-0.1"), "in the way").unwrap();
    let args = [&SMALL[..4], &["--lrs", "0.1", "--epochs", "1"]].concat();
    let output = f.run(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: Not a directory",
            out.join("lr-0.1/metrics.csv").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "No epoch finished, so the run is removed from {}.",
            out.display()
        )),
        "{stderr}"
    );
    assert!(!out.join("config.json").exists());
    assert_eq!(
        fs::read_to_string(out.join("lr-0.1")).unwrap(),
        "in the way"
    );
}

/// Starts a run, waits for the line `ready` says to wait for on stderr, sends SIGINT, and
/// returns the exit code and everything the run wrote on stderr.
#[cfg(unix)]
fn interrupt(f: &Fixture, args: &[&str], ready: impl Fn(&str) -> bool) -> (Option<i32>, String) {
    let mut child = f
        .command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen += &line;
        seen.push('\n');
        if ready(&line) {
            break;
        }
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    for line in lines {
        seen += &line.unwrap();
        seen.push('\n');
    }
    (child.wait().unwrap().code(), seen)
}

/// Ctrl-C stops at a clean point, says how to resume, exits 130; resuming finishes the run
/// as if it had never stopped.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_says_how_to_resume() {
    let f = fixture();
    let out = f.out("stopped");
    // Long enough epochs that the signal lands inside the second one.
    let long = [
        "--train-limit",
        "20000",
        "--hidden",
        "32",
        "--epochs",
        "3",
        "--lrs",
        "0.1",
        "--threads",
        "1",
    ];
    let args = [&long[..], &["--out", &out]].concat();
    let (code, stderr) = interrupt(&f, &args, |line| line.starts_with("lr 0.1 epoch 1/3"));
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Continue with:\n  cargo run --release -p nn-train -- --resume {out}\n"
        )),
        "{stderr}"
    );
    let run = RunDir::open(Path::new(&out)).unwrap();
    let rows = run.read_metrics(0.1).unwrap().len();
    assert!((1..3).contains(&rows), "{rows} epochs logged");

    let resumed = f.run(&["--resume", &out]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    let straight = f.out("straight");
    assert!(
        f.run(&[&long[..], &["--out", &straight]].concat())
            .status
            .success()
    );
    let without_seconds = |path: &str| {
        let run = RunDir::open(Path::new(path)).unwrap();
        let mut rows = run.read_metrics(0.1).unwrap();
        rows.iter_mut().for_each(|r| r.seconds = 0.0);
        rows
    };
    assert_eq!(without_seconds(&out), without_seconds(&straight));
    assert_eq!(
        fs::read(run.last_checkpoint_path(0.1)).unwrap(),
        fs::read(Path::new(&straight).join("lr-0.1/last.ckpt")).unwrap()
    );
}

/// Stopped before its first epoch finished, a new run leaves nothing behind.
#[cfg(unix)]
#[test]
fn a_run_stopped_before_its_first_epoch_removes_its_folder() {
    let f = fixture();
    let out = f.out("early");
    let args = [
        "--train-limit",
        "50000",
        "--hidden",
        "64",
        "--lrs",
        "0.1",
        "--threads",
        "1",
        "--out",
        &out,
    ];
    let (code, stderr) = interrupt(&f, &args, |line| line.starts_with("Training into"));
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Stopped before the first epoch finished: nothing to keep, {out} is removed."
        )),
        "{stderr}"
    );
    assert!(!Path::new(&out).exists());
}
