//! # nn-report: a training run turned into pictures and a page
//!
//! Reads a run directory written by `nn-train` and writes `<run>/report/`: one PNG per
//! question of the course (is it converging, which learning rate is right, which digits get
//! confused, how sure is the network and is that honest, what did the first layer learn), and
//! `report.md` and `index.html` tying them together.
//!
//! - `run_data.rs`: the run's logs, read as far as they go.
//! - `evaluation.rs`: the best checkpoint, measured on the test images with nn-train's
//!   evaluator (nn-core's forward pass).
//! - `metrics.rs`: the test predictions turned into numbers, as plain tested functions; the
//!   confusion matrix, precision and recall and the calibration themselves are
//!   `nn_core::metrics`.
//! - `plots/`: one module per family of pictures; `canvas.rs`, `style.rs` and `fonts.rs` are
//!   what they share.
//! - `picture.rs`, `page.rs` and `markup.rs`: the list of pictures and the page about them.
//!
//! A run that is still training, was killed or diverged still gets every picture its files
//! allow; each one left out is reported as a [`Skip`] with the reason.
//!
//! How to read each picture, on the report of the default run: chapter 8,
//! `docs/08-reading-the-report.md`.

pub mod canvas;
pub mod evaluation;
mod fonts;
pub mod markup;
pub mod metrics;
pub mod page;
pub mod picture;
pub mod plots;
pub mod run_data;
pub mod style;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nn_run::atomic::write_atomically;
use nn_run::run_dir::{RunDir, RunError};
use thiserror::Error;

use crate::canvas::{Area, RenderError, render_png};
use crate::evaluation::{BestModel, TestResults, TestSet};
use crate::page::{ComparisonPage, Page};
use crate::picture::Picture;
use crate::run_data::RunData;

/// Why a report could not be written. What is merely missing from a run is not an error but
/// a [`Skip`].
#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("cannot create the report folder {path}: {reason}; choose another with --out DIR")]
    CreateDir { path: PathBuf, reason: io::Error },
    #[error("cannot draw {path}: {reason}")]
    Draw { path: PathBuf, reason: RenderError },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: io::Error },
}

/// Writes `bytes` to `path` atomically, or says which file could not be written.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_atomically(path, bytes).map_err(|reason| ReportError::Write {
        path: path.into(),
        reason,
    })
}

/// Draws a picture of `size` pixels with `draw` and writes it to `path` as a PNG, atomically.
pub fn save_png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Area) -> plots::Result,
) -> Result<(), ReportError> {
    let png = render_png(size, draw).map_err(|reason| ReportError::Draw {
        path: path.into(),
        reason,
    })?;
    write_file(path, &png)
}

/// Something the report could not include, and why. See `docs/08-reading-the-report.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Skip {
    /// What is missing: the pictures' file names, or e.g. `lr 0.05`.
    pub what: String,
    pub why: String,
    /// The pictures left out, if it is pictures.
    pub pictures: Vec<Picture>,
}

impl Skip {
    pub fn new(what: impl Into<String>, why: impl Into<String>) -> Skip {
        Skip {
            what: what.into(),
            why: why.into(),
            pictures: Vec::new(),
        }
    }

    pub fn pictures(pictures: &[Picture], why: impl Into<String>) -> Skip {
        let names: Vec<&str> = pictures.iter().map(|p| p.file_name()).collect();
        Skip {
            what: names.join(", "),
            why: why.into(),
            pictures: pictures.to_vec(),
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// What [`write_report`] did.
#[derive(Debug)]
pub struct Outcome {
    /// Where the report went: `<run>/report` unless told otherwise.
    pub dir: PathBuf,
    /// Every file written, pictures first.
    pub written: Vec<PathBuf>,
    pub skipped: Vec<Skip>,
    /// Remarks that are not gaps, e.g. that the summary was computed from the metrics.
    pub notes: Vec<String>,
}

/// The pictures that need the model and the test images.
const TEST_PICTURES: [Picture; 4] = [
    Picture::ConfusionMatrix,
    Picture::ConfusionMatrixNormalized,
    Picture::Misclassified,
    Picture::Confidence,
];

/// Writes the report of `run` into `dir` (`<run>/report/` unless told otherwise), taking the
/// test images from `test_set` (read only if there is a model to measure). Errors only when
/// the run's configuration cannot be read or a file cannot be written; missing data becomes a
/// [`Skip`]. See `docs/08-reading-the-report.md`.
pub fn write_report(run: &RunDir, dir: &Path, test_set: TestSet) -> Result<Outcome, ReportError> {
    let mut skipped = Vec::new();
    let data = RunData::read(run, &mut skipped)?;
    // The picture of the distortions reads training images: read MNIST once for both.
    let test_set = if Picture::Augmented.applies(&data.config) {
        test_set.read_once()
    } else {
        test_set
    };
    report_of(&data, skipped, dir, test_set)
}

/// The report of a run already read, with what reading it left out.
fn report_of(
    data: &RunData,
    skipped: Vec<Skip>,
    dir: &Path,
    test_set: TestSet,
) -> Result<Outcome, ReportError> {
    let mut pictures = Pictures::new(dir.to_path_buf(), skipped)?;
    draw_history(&mut pictures, data)?;
    draw_regularisation(&mut pictures, data, &test_set)?;
    let best = BestModel::load(data)
        .map_err(|why| {
            let mut needing_a_model = TEST_PICTURES.to_vec();
            needing_a_model.push(Picture::Weights);
            pictures.skip(&needing_a_model, why.to_string());
        })
        .ok();
    let results = match &best {
        Some(best) => draw_model(&mut pictures, best, test_set)?,
        None => None,
    };

    let Pictures {
        dir,
        drawn,
        skipped,
    } = pictures;
    let page = Page {
        data,
        best: best.as_ref(),
        results: results.as_ref(),
        drawn: &drawn,
        skipped: &skipped,
    };
    let mut written: Vec<PathBuf> = drawn.iter().map(|p| dir.join(p.file_name())).collect();
    written.extend(page.write(&dir)?);
    Ok(Outcome {
        dir,
        written,
        skipped,
        notes: data.summary_note.iter().cloned().collect(),
    })
}

/// What [`write_comparison`] did.
#[derive(Debug)]
pub struct ComparisonOutcome {
    pub dir: PathBuf,
    /// Each run's label and its own report (in `dir/<folder>/`), in the order given.
    pub runs: Vec<(String, Outcome)>,
    /// The comparison's own files: its pictures, then `report.md` and `index.html`.
    pub written: Vec<PathBuf>,
    pub skipped: Vec<Skip>,
}

/// Writes a comparison of `runs` into `dir`: each run's own report in a folder of `dir` named
/// after the run, and beside them `compare_loss_curves.png`, `compare_accuracy.png` and a page
/// (`report.md`, `index.html`) with a table of the runs and of every learning rate of every run.
/// A run is called by its `--name`, else by its folder's name. See
/// `docs/08-reading-the-report.md`.
pub fn write_comparison(
    runs: &[RunDir],
    dir: &Path,
    test_set: TestSet,
) -> Result<ComparisonOutcome, ReportError> {
    let test_set = test_set.read_once();
    let mut read = Vec::new();
    for run in runs {
        let mut skipped = Vec::new();
        let data = RunData::read(run, &mut skipped)?;
        read.push((data, skipped));
    }
    let labels = distinct(read.iter().map(|(data, _)| data.label()).collect(), " ");
    let folders = distinct(labels.iter().map(|l| folder_name(l)).collect(), "-");
    let mut reports = Vec::new();
    let mut datas = Vec::new();
    for (((data, skipped), label), folder) in read.into_iter().zip(&labels).zip(&folders) {
        let outcome = report_of(&data, skipped, &dir.join(folder), test_set.clone())?;
        reports.push((label.clone(), outcome));
        datas.push(data);
    }
    let named: Vec<(String, &RunData)> = labels.iter().cloned().zip(&datas).collect();
    let mut pictures = Pictures::new(dir.to_path_buf(), Vec::new())?;
    if named
        .iter()
        .any(|(_, data)| data.with_epochs().next().is_some())
    {
        pictures.draw(Picture::CompareLossCurves, |area| {
            plots::curves::compare_loss_curves(area, &named)
        })?;
        pictures.draw(Picture::CompareAccuracy, |area| {
            plots::curves::compare_accuracy(area, &named)
        })?;
    } else {
        let why = "no run has finished an epoch yet";
        pictures.skip(&Picture::COMPARISON, why);
    }
    let Pictures {
        dir,
        drawn,
        skipped,
    } = pictures;
    let page = ComparisonPage {
        runs: &named,
        folders: &folders,
        drawn: &drawn,
        skipped: &skipped,
    };
    let mut written: Vec<PathBuf> = drawn.iter().map(|p| dir.join(p.file_name())).collect();
    written.extend(page.write(&dir)?);
    Ok(ComparisonOutcome {
        dir,
        runs: reports,
        written,
        skipped,
    })
}

/// `names` with each repeat made distinct by a number: `a`, `a 2`, `a 3` (with `separator`).
fn distinct(names: Vec<String>, separator: &str) -> Vec<String> {
    let mut taken: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{name}{separator}{n}");
            n += 1;
        }
        taken.push(candidate);
    }
    taken
}

/// A label as a folder name: letters, digits, `-`, `_` and `.`, anything else as `_`.
fn folder_name(label: &str) -> String {
    let name: String = label
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "run".to_string(),
        name => name.to_string(),
    }
}

/// The pictures drawn so far and what was left out, while a report is being written.
struct Pictures {
    dir: PathBuf,
    drawn: Vec<Picture>,
    skipped: Vec<Skip>,
}

impl Pictures {
    fn new(dir: PathBuf, skipped: Vec<Skip>) -> Result<Pictures, ReportError> {
        fs::create_dir_all(&dir).map_err(|reason| ReportError::CreateDir {
            path: dir.clone(),
            reason,
        })?;
        Ok(Pictures {
            dir,
            drawn: Vec::new(),
            skipped,
        })
    }

    fn draw(
        &mut self,
        picture: Picture,
        paint: impl FnOnce(&Area) -> plots::Result,
    ) -> Result<(), ReportError> {
        save_png(&self.dir.join(picture.file_name()), picture.size(), paint)?;
        self.drawn.push(picture);
        Ok(())
    }

    fn skip(&mut self, pictures: &[Picture], why: impl Into<String>) {
        self.skipped.push(Skip::pictures(pictures, why));
    }
}

/// The pictures of the logs: per-epoch curves and the loss of every step.
fn draw_history(pictures: &mut Pictures, data: &RunData) -> Result<(), ReportError> {
    if data.with_epochs().next().is_some() {
        pictures.draw(Picture::LossCurves, |area| {
            plots::curves::loss_curves(area, data)
        })?;
        pictures.draw(Picture::Accuracy, |area| {
            plots::curves::accuracy(area, data)
        })?;
    } else {
        let why = "no learning rate has finished an epoch yet";
        pictures.skip(&[Picture::LossCurves, Picture::Accuracy], why);
    }
    if data.with_batches().next().is_some() {
        pictures.draw(Picture::BatchLoss, |area| {
            plots::batch_loss::batch_loss(area, data)
        })
    } else {
        pictures.skip(&[Picture::BatchLoss], "no step has been logged yet");
        Ok(())
    }
}

/// What the run did about overfitting, and whether it worked: training against validation for
/// the chosen learning rate, the schedule of the rate, and the distorted training images.
fn draw_regularisation(
    pictures: &mut Pictures,
    data: &RunData,
    images: &TestSet,
) -> Result<(), ReportError> {
    let chosen = data
        .best()
        .and_then(|best| Some((best, data.rates.iter().find(|r| r.lr == best.lr)?)));
    match chosen {
        Some((best, rate)) if plots::generalisation::can_draw(&rate.epochs) => {
            pictures.draw(Picture::Generalisation, |area| {
                plots::generalisation::generalisation(area, data, best, &rate.epochs)
            })?;
        }
        _ => {
            let why = if data.config.val_size == 0 {
                "this run holds out no validation set to set against training"
            } else {
                "no learning rate has finished an epoch without diverging yet"
            };
            pictures.skip(&[Picture::Generalisation], why);
        }
    }
    if Picture::LearningRate.applies(&data.config) {
        if data.with_epochs().next().is_some() {
            pictures.draw(Picture::LearningRate, |area| {
                plots::schedule::learning_rate(area, data)
            })?;
        } else {
            let why = "no learning rate has finished an epoch yet";
            pictures.skip(&[Picture::LearningRate], why);
        }
    }
    if Picture::Augmented.applies(&data.config) {
        match images.training_images(plots::augmented::EXAMPLES) {
            Ok(training) if !training.is_empty() => {
                pictures.draw(Picture::Augmented, |area| {
                    plots::augmented::augmented(area, data, &training)
                })?;
            }
            Ok(_) => pictures.skip(&[Picture::Augmented], "there are no training images"),
            Err(e) => pictures.skip(&[Picture::Augmented], e.to_string()),
        }
    }
    Ok(())
}

/// The pictures of the best model: its weights, then what it does on the test images (if they
/// can be loaded), which it returns.
fn draw_model(
    pictures: &mut Pictures,
    best: &BestModel,
    test_set: TestSet,
) -> Result<Option<TestResults>, ReportError> {
    pictures.draw(Picture::Weights, |area| plots::weights::weights(area, best))?;
    let images = match test_set.load() {
        Ok(images) if !images.is_empty() => images,
        Ok(_) => {
            pictures.skip(&TEST_PICTURES, "the test set is empty");
            return Ok(None);
        }
        Err(e) => {
            pictures.skip(&TEST_PICTURES, e.to_string());
            return Ok(None);
        }
    };
    let results = TestResults::measure(best, images);
    let r = &results;
    pictures.draw(Picture::ConfusionMatrix, |area| {
        plots::confusion::counts(area, r, best)
    })?;
    pictures.draw(Picture::ConfusionMatrixNormalized, |area| {
        plots::confusion::normalized(area, r, best)
    })?;
    if r.confusion.correct() < r.confusion.total() {
        pictures.draw(Picture::Misclassified, |area| {
            plots::misclassified::misclassified(area, r, best)
        })?;
    } else {
        let why = "the model read every test image correctly";
        pictures.skip(&[Picture::Misclassified], why);
    }
    pictures.draw(Picture::Confidence, |area| {
        plots::confidence::confidence_picture(area, r, best)
    })?;
    Ok(Some(results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_labels_and_folders_are_made_distinct() {
        let names = ["a", "b", "a", "a"].map(String::from).to_vec();
        assert_eq!(distinct(names, " "), ["a", "b", "a 2", "a 3"]);
        assert_eq!(folder_name("2026-11-27T23-04-52Z"), "2026-11-27T23-04-52Z");
        assert_eq!(folder_name("my run/2"), "my_run_2");
        assert_eq!(folder_name(".."), "run");
    }
}
