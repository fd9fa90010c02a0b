//! `nn-train predict IMAGE...`: the trained network reads your own pictures of digits.
//!
//! Each picture is prepared as MNIST was (`datasets::handwriting`), run through the network,
//! and reported with its ten probabilities as bars and how unsure the network is. A file that
//! cannot be read is named with what is wrong with it, and the others are still read.
//! See `docs/10-using-the-network.md`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use datasets::handwriting::{Prepared, prepare, read_image, squash};
use datasets::mnist::{CLASSES, IMAGE_PIXELS};
use nn_core::softmax::argmax;
use nn_core::uncertainty::{entropy, margin, runner_up};
use nn_core::{Activations, Matrix, Mlp};
use nn_run::atomic::write_atomically;
use serde::Serialize;

/// What the network makes of one prepared picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reading {
    pub digit: usize,
    pub probabilities: [f32; CLASSES],
    /// The second most likely digit.
    pub runner_up: usize,
    /// Top probability minus the runner-up's (`nn_core::uncertainty::margin`).
    pub margin: f32,
    /// In nats: 0 is certain, ln 10 ≈ 2.30 is every digit alike
    /// (`nn_core::uncertainty::entropy`).
    pub entropy: f32,
}

/// Runs every prepared picture through `model` in one batch.
pub fn read_digits(model: &Mlp, prepared: &[Prepared]) -> Vec<Reading> {
    if prepared.is_empty() {
        return Vec::new();
    }
    let mut x = Matrix::zeros(prepared.len(), IMAGE_PIXELS);
    for (r, p) in prepared.iter().enumerate() {
        x.row_mut(r).copy_from_slice(&p.input());
    }
    let mut acts = Activations::new();
    let probs = model.probabilities(&x, &mut acts);
    (0..prepared.len())
        .map(|r| {
            let probabilities: [f32; CLASSES] =
                probs.row(r).try_into().expect("one probability per digit");
            Reading {
                digit: argmax(&probabilities),
                probabilities,
                runner_up: runner_up(&probabilities).expect("ten classes"),
                margin: margin(&probabilities),
                entropy: entropy(&probabilities),
            }
        })
        .collect()
}

/// Bars this many characters long at probability 1: with the digit and the value, a line is
/// 62 characters, well inside an 80-column terminal.
pub const BAR_WIDTH: usize = 50;

/// The ten probabilities as horizontal bars, one line per digit, in eighths of a character;
/// the predicted digit is marked.
pub fn bars(reading: &Reading) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let mut out = String::new();
    for (digit, &p) in reading.probabilities.iter().enumerate() {
        let eighths = (f64::from(p.clamp(0.0, 1.0)) * (BAR_WIDTH * 8) as f64).round() as usize;
        let bar = "█".repeat(eighths / 8) + EIGHTHS[eighths % 8];
        let mark = if digit == reading.digit { " ◀" } else { "" };
        let pad = BAR_WIDTH - bar.chars().count();
        writeln!(out, "  {digit} │{bar}{:pad$} {p:.3}{mark}", "").expect("writing to a String");
    }
    out
}

/// How unsure the network is, in one line of at most 80 columns.
pub fn uncertainty_line(reading: &Reading) -> String {
    format!(
        "  margin {:.3} over {} (the runner-up); entropy {:.2} nats of at most {:.2}",
        reading.margin,
        reading.runner_up,
        reading.entropy,
        (CLASSES as f32).ln()
    )
}

/// Where `--save-input` writes the picture the network saw: `DIR/<name>-28x28.png`, numbered if
/// two inputs of one call share a name (`a/7.png` and `b/7.png`).
pub struct InputSaver {
    dir: PathBuf,
    used: HashSet<PathBuf>,
}

impl InputSaver {
    /// Creates `dir` if needed; refuses a path that is a file.
    pub fn new(dir: &Path) -> Result<InputSaver> {
        fs::create_dir_all(dir).with_context(|| {
            format!("cannot create the --save-input directory {}", dir.display())
        })?;
        Ok(InputSaver {
            dir: dir.to_path_buf(),
            used: HashSet::new(),
        })
    }

    /// Writes `prepared` for the picture at `source` and returns where.
    pub fn save(&mut self, source: &Path, prepared: &Prepared) -> Result<PathBuf> {
        let stem = source
            .file_stem()
            .map_or("input".into(), |s| s.to_string_lossy().into_owned());
        let mut path = self.dir.join(format!("{stem}-28x28.png"));
        let mut n = 2;
        while self.used.contains(&path) {
            path = self.dir.join(format!("{stem}-{n}-28x28.png"));
            n += 1;
        }
        write_atomically(&path, &prepared.to_png())
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.used.insert(path.clone());
        Ok(path)
    }
}

/// One line of `--json`: a picture that was read.
#[derive(Serialize)]
pub struct JsonReading<'a> {
    pub file: &'a str,
    #[serde(flatten)]
    pub reading: &'a Reading,
    /// False for a blank picture: the prediction then says nothing about a digit.
    pub ink: bool,
    /// A light background was found and inverted.
    pub inverted: bool,
    /// `[x, y, width, height]` of the ink in the original picture.
    pub ink_box: Option<[u32; 4]>,
    /// Where `--save-input` wrote the 28 x 28 picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_png: Option<String>,
}

/// One line of `--json`: a file that could not be read.
#[derive(Serialize)]
pub struct JsonError<'a> {
    pub file: &'a str,
    pub error: &'a str,
}

/// What `nn-train predict` does, for the command line in `main.rs`.
pub struct PredictOptions<'a> {
    pub images: &'a [PathBuf],
    /// Skip MNIST's preparation (`datasets::handwriting::squash`), to see why it matters.
    pub raw: bool,
    pub save_input: Option<&'a Path>,
    pub json: bool,
}

/// Reads every picture, prints what the network makes of each on stdout (text, or one JSON
/// object per line) and every unreadable file on stderr; fails at the end, naming how many,
/// if any file could not be read.
pub fn predict(model: &Mlp, options: &PredictOptions) -> Result<()> {
    let mut saver = options.save_input.map(InputSaver::new).transpose()?;
    let prepare = if options.raw { squash } else { prepare };
    // Read and prepare everything first, so the network runs once over all pictures.
    let outcomes: Vec<(&PathBuf, Result<Prepared, String>)> = options
        .images
        .iter()
        .map(|path| {
            (
                path,
                read_image(path)
                    .map(|p| prepare(&p))
                    .map_err(|e| e.to_string()),
            )
        })
        .collect();
    let prepared: Vec<Prepared> = outcomes
        .iter()
        .filter_map(|(_, o)| o.as_ref().ok().cloned())
        .collect();
    let mut readings = read_digits(model, &prepared).into_iter();
    let mut failed = 0;
    for (path, outcome) in &outcomes {
        let file = path.display().to_string();
        let prepared = match outcome {
            Ok(prepared) => prepared,
            Err(message) => {
                failed += 1;
                eprintln!("error: {message}");
                if options.json {
                    println!(
                        "{}",
                        json_line(&JsonError {
                            file: &file,
                            error: message
                        })
                    );
                }
                continue;
            }
        };
        let reading = readings.next().expect("one reading per prepared picture");
        let saved = match &mut saver {
            Some(saver) => Some(saver.save(path, prepared)?),
            None => None,
        };
        if options.json {
            let line = JsonReading {
                file: &file,
                reading: &reading,
                ink: prepared.has_ink(),
                inverted: prepared.inverted,
                ink_box: prepared.ink_box.map(|b| [b.x, b.y, b.width, b.height]),
                input_png: saved.map(|p| p.display().to_string()),
            };
            println!("{}", json_line(&line));
        } else {
            print!(
                "{}",
                text_report(&file, prepared, options.raw, &reading, saved.as_deref())
            );
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} could not be read (see above); the others were predicted",
            nn_run::plural(outcomes.len(), "file")
        );
    }
    Ok(())
}

fn json_line(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain numbers and strings serialise")
}

/// The text report of one picture: the answer, how the picture was prepared, the bars, the
/// uncertainty, and where its input was saved.
pub fn text_report(
    file: &str,
    prepared: &Prepared,
    raw: bool,
    reading: &Reading,
    saved: Option<&Path>,
) -> String {
    let mut out = String::new();
    let p = reading.probabilities[reading.digit];
    match prepared.ink_box {
        Some(_) if raw => {
            let _ = writeln!(out, "\n{file}: {} (p = {p:.3})", reading.digit);
            let _ = writeln!(
                out,
                "  not prepared (--raw): only greyed and squashed to 28x28"
            );
        }
        Some(ink) => {
            let paper = if prepared.inverted {
                "dark ink on light paper, inverted"
            } else {
                "light ink on a dark background"
            };
            let _ = writeln!(out, "\n{file}: {} (p = {p:.3})", reading.digit);
            let _ = writeln!(
                out,
                "  {paper}; the ink: {}x{} pixels at ({}, {})",
                ink.width, ink.height, ink.x, ink.y
            );
        }
        None => {
            let _ = writeln!(out, "\n{file}: no ink found (the picture is blank)");
            let _ = writeln!(
                out,
                "  the network still answers {} (p = {p:.3}): it answers any input",
                reading.digit
            );
        }
    }
    out += &bars(reading);
    out += &uncertainty_line(reading);
    out.push('\n');
    if let Some(saved) = saved {
        let _ = writeln!(out, "  the network's input: {}", saved.display());
    }
    out
}
