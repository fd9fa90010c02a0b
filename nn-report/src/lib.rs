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

use crate::canvas::{Area, render_png};
use crate::evaluation::{BestModel, TestResults, TestSet};
use crate::page::Page;
use crate::picture::Picture;
use crate::run_data::RunData;

/// Why a report could not be written. What is merely missing from a run is not an error but
/// a [`Skip`].
#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("cannot create the report folder {path}: {reason}")]
    CreateDir { path: PathBuf, reason: io::Error },
    #[error("cannot draw {path}: {reason}")]
    Draw { path: PathBuf, reason: String },
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
    let mut pictures = Pictures::new(dir.to_path_buf(), skipped)?;
    draw_history(&mut pictures, &data)?;
    let best = BestModel::load(&data)
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
        data: &data,
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
        notes: data.summary_note.into_iter().collect(),
    })
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
        let path = self.dir.join(picture.file_name());
        let png = render_png(picture.size(), paint).map_err(|reason| ReportError::Draw {
            path: path.clone(),
            reason,
        })?;
        write_file(&path, &png)?;
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
