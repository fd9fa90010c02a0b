//! What the report says: the run's configuration, the learning-rate table, every picture with
//! how to read it, the most confused digits and per-digit precision and recall. Written as
//! `report.md` and as `index.html`, side by side with the pictures they show.

use std::path::{Path, PathBuf};

use datasets::mnist::CLASSES;
use nn_run::run_dir::LrSummary;

use crate::evaluation::{BestModel, TestResults};
use crate::markup::{self, Block};
use crate::picture::Picture;
use crate::run_data::RunData;
use crate::style::{percent, thousands};
use crate::{ReportError, Skip, write_file};

pub const MARKDOWN: &str = "report.md";
pub const HTML: &str = "index.html";

/// How many of the most confused pairs the page lists.
const CONFUSED_PAIRS: usize = 5;

/// Everything the page talks about.
pub struct Page<'a> {
    pub data: &'a RunData,
    pub best: Option<&'a BestModel>,
    pub results: Option<&'a TestResults>,
    pub drawn: &'a [Picture],
    pub skipped: &'a [Skip],
}

impl Page<'_> {
    /// Writes both files into `dir` and returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let title = format!("Training report: run {}", self.data.folder_name());
        let blocks = self.blocks();
        let files = [
            (MARKDOWN, markup::markdown(&title, &blocks)),
            (HTML, markup::html(&title, &blocks)),
        ];
        files
            .into_iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                write_file(&path, text.as_bytes())?;
                Ok(path)
            })
            .collect()
    }

    fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Paragraph(format!(
            "Run directory: {}. The pictures below are the PNG files beside this page.",
            self.data.run.path().display()
        ))];
        blocks.extend(self.config());
        blocks.extend(self.learning_rates());
        blocks.push(Block::Heading("Pictures".into()));
        for picture in Picture::ALL {
            blocks.extend(self.picture(picture));
        }
        if let Some(results) = self.results {
            blocks.extend(confused_pairs(results));
            blocks.extend(precision_recall(results));
        }
        if !self.skipped.is_empty() {
            blocks.push(Block::Heading("Left out".into()));
            blocks.push(Block::List(
                self.skipped.iter().map(Skip::to_string).collect(),
            ));
        }
        blocks
    }

    fn config(&self) -> Vec<Block> {
        let c = &self.data.config;
        let rates: Vec<String> = c.learning_rates.iter().map(f32::to_string).collect();
        let training = match c.train_limit {
            Some(n) => format!("the first {n} training images after the hold-out"),
            None => "every training image after the hold-out".into(),
        };
        vec![
            Block::Heading("The run".into()),
            Block::List(vec![
                format!(
                    "network: {} (input, hidden, output widths)",
                    c.architecture()
                ),
                format!("learning rates: {}", rates.join(", ")),
                format!("epochs: {}, batch size: {}", c.epochs, c.batch_size),
                format!("momentum: {}, weight decay: {}", c.momentum, c.weight_decay),
                format!("seed: {}", c.seed),
                format!("trained on: {training}"),
                format!(
                    "validation: the last {} training images",
                    thousands(c.val_size)
                ),
            ]),
        ]
    }

    fn learning_rates(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Heading("Learning rates".into())];
        if let Some(note) = &self.data.summary_note {
            blocks.push(Block::Paragraph(format!("Note: {note}.")));
        }
        let header = [
            "learning rate",
            "outcome",
            "best epoch",
            "best validation accuracy",
            "test accuracy then",
            "final training loss",
            "training time",
        ];
        let rows = self.data.summary.learning_rates.iter();
        blocks.push(Block::Table {
            header: header.map(String::from).to_vec(),
            rows: rows.map(|s| self.summary_row(s)).collect(),
            text_columns: 2,
        });
        blocks.push(Block::Paragraph(match (self.data.best(), self.best) {
            (Some(best), model) => format!(
                "Chosen on validation: learning rate {}{}. The test-set pictures below use {}.",
                best.lr,
                best.test_accuracy.map_or(String::new(), |a| format!(
                    ", whose best epoch scores {} on the test images",
                    percent(a, 2)
                )),
                model.map_or("its best checkpoint".into(), |m| format!(
                    "its best checkpoint ({})",
                    m.describe()
                )),
            ),
            (None, _) => "No learning rate has finished an epoch without diverging yet.".into(),
        }));
        blocks
    }

    fn summary_row(&self, s: &LrSummary) -> Vec<String> {
        let epochs = self.data.config.epochs;
        let outcome = match s.diverged_at_epoch {
            Some(epoch) => format!("diverged in epoch {epoch}"),
            None if s.epochs_completed >= epochs => format!("finished {epochs} epochs"),
            None => format!("{} of {epochs} epochs so far", s.epochs_completed),
        };
        let accuracy = |a: Option<f64>| a.map_or("-".into(), |a| percent(a, 2));
        vec![
            s.lr.to_string(),
            outcome,
            s.best_epoch.map_or("-".into(), |e| e.to_string()),
            accuracy(s.best_val_accuracy),
            accuracy(s.test_accuracy),
            s.final_train_loss.map_or("-".into(), |l| format!("{l:.4}")),
            format!("{:.1} s", s.train_seconds),
        ]
    }

    fn picture(&self, picture: Picture) -> Vec<Block> {
        let mut blocks = vec![Block::Subheading(picture.heading().into())];
        if self.drawn.contains(&picture) {
            blocks.push(Block::Image {
                src: picture.file_name().into(),
                alt: picture.heading().into(),
            });
            blocks.push(Block::Paragraph(picture.how_to_read().into()));
        } else {
            let why = self
                .skipped
                .iter()
                .find(|s| s.pictures.contains(&picture))
                .map_or("its data is missing", |s| s.why.as_str());
            blocks.push(Block::Paragraph(format!(
                "Not drawn ({}): {why}.",
                picture.file_name()
            )));
        }
        blocks
    }
}

fn confused_pairs(results: &TestResults) -> Vec<Block> {
    let m = &results.confusion;
    let pairs = m.most_confused(CONFUSED_PAIRS);
    let intro = format!(
        "Of the {} test images, {} were misread. The most frequent mistakes (true digit \
         predicted as another; ties in order of the true digit):",
        thousands(m.total()),
        thousands(m.total() - m.correct())
    );
    let items = pairs
        .iter()
        .map(|p| format!("{} predicted as {}: {}", p.true_class, p.predicted, p.count))
        .collect::<Vec<_>>();
    let mut blocks = vec![
        Block::Heading("Most confused digits".into()),
        Block::Paragraph(intro),
    ];
    if items.is_empty() {
        blocks.push(Block::Paragraph(
            "None: every test image was read correctly.".into(),
        ));
    } else {
        blocks.push(Block::List(items));
    }
    blocks
}

fn precision_recall(results: &TestResults) -> Vec<Block> {
    let m = &results.confusion;
    let share = |v: Option<f64>| v.map_or("-".into(), |v| percent(v, 1));
    let rows = (0..CLASSES)
        .map(|d| {
            vec![
                d.to_string(),
                m.row_total(d).to_string(),
                share(m.recall(d)),
                m.column_total(d).to_string(),
                share(m.precision(d)),
            ]
        })
        .collect();
    vec![
        Block::Heading("Precision and recall per digit".into()),
        Block::Paragraph(
            "Recall: of the test images of a digit, the share the network recognised. \
             Precision: of the network's answers naming a digit, the share that were right."
                .into(),
        ),
        Block::Table {
            header: [
                "digit",
                "test images",
                "recall",
                "answers naming it",
                "precision",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            text_columns: 1,
        },
    ]
}
