//! What the report says: the run's configuration, the learning-rate table, every picture with
//! how to read it, the most confused digits and per-digit precision and recall; and for a
//! comparison, the runs, every learning rate of every run, and the comparison's pictures.
//! Written as `report.md` and as `index.html`, side by side with the pictures they show.

use std::path::{Path, PathBuf};

use datasets::mnist::CLASSES;
use nn_run::config::TrainConfig;
use nn_run::plural;
use nn_run::run_dir::LrSummary;

use crate::evaluation::{BestModel, TestResults};
use crate::markup::{self, Block, Link};
use crate::picture::Picture;
use crate::run_data::RunData;
use crate::style::{percent, thousands};
use crate::{ReportError, Skip, write_file};

pub const MARKDOWN: &str = "report.md";
pub const HTML: &str = "index.html";

/// How many of the most confused pairs the page lists.
const CONFUSED_PAIRS: usize = 5;

/// Everything the page of one run talks about.
pub struct Page<'a> {
    pub data: &'a RunData,
    pub best: Option<&'a BestModel>,
    pub results: Option<&'a TestResults>,
    pub drawn: &'a [Picture],
    pub skipped: &'a [Skip],
}

/// Writes `report.md` and `index.html` into `dir` and returns their paths.
fn write_pages(dir: &Path, title: &str, blocks: &[Block]) -> Result<Vec<PathBuf>, ReportError> {
    let files = [
        (MARKDOWN, markup::markdown(title, blocks)),
        (HTML, markup::html(title, blocks)),
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

impl Page<'_> {
    /// Writes both files into `dir` and returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let title = match &self.data.name {
            Some(name) => format!("Training report: {name} ({})", self.data.folder_name()),
            None => format!("Training report: run {}", self.data.folder_name()),
        };
        write_pages(dir, &title, &self.blocks())
    }

    fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Paragraph(format!(
            "Run directory: {}. The pictures below are the PNG files beside this page; click \
             one to see it at full size.",
            self.data.run.path().display()
        ))];
        blocks.extend(self.config());
        blocks.extend(self.learning_rates());
        blocks.push(Block::Heading("Pictures".into()));
        let config = &self.data.config;
        for picture in Picture::ALL.into_iter().filter(|p| p.applies(config)) {
            blocks.extend(picture_blocks(picture, self.drawn, self.skipped));
        }
        if let Some(results) = self.results {
            blocks.extend(confused_pairs(results));
            blocks.extend(precision_recall(results));
        }
        blocks.extend(left_out(self.skipped));
        blocks
    }

    fn config(&self) -> Vec<Block> {
        let c = &self.data.config;
        let rates: Vec<String> = c.learning_rates.iter().map(f32::to_string).collect();
        let training = match c.train_limit {
            Some(n) => format!(
                "the first {} training images after the hold-out",
                thousands(n)
            ),
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
                format!("regularisation: {}", regularisation(c)),
                format!(
                    "learning-rate schedule: {}, warm-up of {}; early stopping: {}",
                    c.lr_schedule.describe(),
                    plural(c.warmup_epochs, "epoch"),
                    c.patience.map_or("off".into(), |p| format!(
                        "after {} without a better validation accuracy",
                        plural(p, "epoch")
                    ))
                ),
                format!("seed: {}", c.seed),
                format!("trained on: {training}"),
                format!("validation: {}", validation_set(c)),
            ]),
        ]
    }

    fn learning_rates(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Heading("Learning rates".into())];
        if let Some(note) = &self.data.summary_note {
            blocks.push(Block::Paragraph(format!("Note: {note}.")));
        }
        let rows = self.data.summary.learning_rates.iter();
        let epochs = self.data.config.epochs;
        blocks.push(Block::Table {
            header: SUMMARY_HEADER.map(String::from).to_vec(),
            rows: rows.map(|s| summary_cells(s, epochs)).collect(),
            text_columns: 2,
        });
        let validated = self.data.config.val_size > 0;
        let model = |m: Option<&BestModel>| {
            m.map_or("its best checkpoint".into(), |m| {
                format!("its best checkpoint ({})", m.describe())
            })
        };
        blocks.push(Block::Paragraph(match (self.data.best(), self.best) {
            (Some(best), best_model) if validated => format!(
                "Chosen on validation: learning rate {}{}. The test-set pictures below use {}.",
                best.lr,
                best.test_accuracy.map_or(String::new(), |a| format!(
                    ", whose best epoch scores {} on the test images",
                    percent(a, 2)
                )),
                model(best_model),
            ),
            (Some(best), best_model) => format!(
                "This run holds out no validation set, so no learning rate is chosen: the \
                 test-set pictures below use the last one that trained, learning rate {}, and \
                 {}.",
                best.lr,
                model(best_model),
            ),
            (None, _) => "No learning rate has finished an epoch without diverging yet.".into(),
        }));
        blocks
    }
}

/// The columns of [`summary_cells`].
const SUMMARY_HEADER: [&str; 7] = [
    "learning rate",
    "outcome",
    "best epoch",
    "best validation accuracy",
    "test accuracy then",
    "final training loss",
    "training time",
];

/// A learning rate's row of a table, for a run of `epochs` epochs.
fn summary_cells(s: &LrSummary, epochs: usize) -> Vec<String> {
    let outcome = match (s.diverged_at_epoch, s.stopped_early_at_epoch) {
        (Some(epoch), _) => format!("diverged in epoch {epoch}"),
        (None, Some(epoch)) => format!("stopped early after epoch {epoch}"),
        (None, None) if s.epochs_completed >= epochs => {
            format!("finished {}", plural(epochs, "epoch"))
        }
        (None, None) => format!("{} of {epochs} epochs so far", s.epochs_completed),
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

/// `dropout 0.5; augmentation elastic (α 34, σ 4)`, or `none`.
fn regularisation(c: &TrainConfig) -> String {
    let mut parts = Vec::new();
    if c.dropout > 0.0 {
        parts.push(format!("dropout {}", c.dropout));
    }
    if !c.augmentation.is_none() {
        parts.push(format!("augmentation {}", c.augmentation.describe()));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("; ")
    }
}

/// `the last 10,000 training images`, or that there is none.
fn validation_set(c: &TrainConfig) -> String {
    match c.val_size {
        0 => "none (--val-size 0)".into(),
        n => format!("the last {} training images", thousands(n)),
    }
}

/// A picture's heading, the picture and how to read it; or why it is not there.
fn picture_blocks(picture: Picture, drawn: &[Picture], skipped: &[Skip]) -> Vec<Block> {
    let mut blocks = vec![Block::Subheading(picture.heading().into())];
    if drawn.contains(&picture) {
        blocks.push(Block::Image {
            src: picture.file_name().into(),
            alt: picture.heading().into(),
        });
        blocks.push(Block::Paragraph(picture.how_to_read().into()));
    } else {
        let why = skipped
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

/// What the report left out, if anything.
fn left_out(skipped: &[Skip]) -> Vec<Block> {
    if skipped.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading("Left out".into()),
        Block::List(skipped.iter().map(Skip::to_string).collect()),
    ]
}

/// Everything the page of a comparison talks about.
pub struct ComparisonPage<'a> {
    /// Each run with its label, in the order given.
    pub runs: &'a [(String, &'a RunData)],
    /// The folder beside the page that holds each run's own report.
    pub folders: &'a [String],
    pub drawn: &'a [Picture],
    pub skipped: &'a [Skip],
}

impl ComparisonPage<'_> {
    /// Writes both files into `dir` and returns their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let labels: Vec<&str> = self.runs.iter().map(|(l, _)| l.as_str()).collect();
        let title = format!("Comparison: {}", labels.join(", "));
        write_pages(dir, &title, &self.blocks())
    }

    fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Paragraph(format!(
            "{} side by side. Each run's own report is in the folder named after it, linked \
             at the end; the pictures below are the PNG files beside this page.",
            plural(self.runs.len(), "run")
        ))];
        blocks.push(Block::Heading("The runs".into()));
        blocks.push(self.runs_table());
        blocks.push(Block::Heading("Learning rates".into()));
        blocks.push(self.rates_table());
        blocks.push(Block::Paragraph(self.best_overall()));
        blocks.push(Block::Heading("Pictures".into()));
        for picture in Picture::COMPARISON {
            blocks.extend(picture_blocks(picture, self.drawn, self.skipped));
        }
        blocks.push(Block::Heading("Each run's report".into()));
        let links = self.runs.iter().zip(self.folders);
        blocks.push(Block::Links(
            links
                .map(|((label, data), folder)| Link {
                    text: format!("{label}: {}", data.run.path().display()),
                    markdown: format!("{folder}/{MARKDOWN}"),
                    html: format!("{folder}/{HTML}"),
                })
                .collect(),
        ));
        blocks.extend(left_out(self.skipped));
        blocks
    }

    /// What each run is: the settings that make its numbers.
    fn runs_table(&self) -> Block {
        let header = [
            "run",
            "network",
            "learning rates",
            "epochs",
            "batch size",
            "momentum",
            "weight decay",
            "regularisation",
            "seed",
            "training images",
            "validation images",
        ];
        let rows = self.runs.iter().map(|(label, data)| {
            let c = &data.config;
            let rates: Vec<String> = c.learning_rates.iter().map(f32::to_string).collect();
            vec![
                label.clone(),
                c.architecture(),
                rates.join(", "),
                c.epochs.to_string(),
                c.batch_size.to_string(),
                c.momentum.to_string(),
                c.weight_decay.to_string(),
                regularisation(c),
                c.seed.to_string(),
                c.train_limit
                    .map_or("all after the hold-out".into(), thousands),
                thousands(c.val_size),
            ]
        });
        Block::Table {
            header: header.map(String::from).to_vec(),
            rows: rows.collect(),
            text_columns: 3,
        }
    }

    /// Every learning rate of every run, with the one each run chose marked.
    fn rates_table(&self) -> Block {
        let mut header: Vec<String> = vec!["run".into()];
        header.extend(SUMMARY_HEADER.map(String::from));
        header.insert(3, "note".into());
        let mut rows = Vec::new();
        for (label, data) in self.runs {
            let chosen = data.chosen_on_validation().map(|b| b.lr);
            for s in &data.summary.learning_rates {
                let mut row = vec![label.clone()];
                row.extend(summary_cells(s, data.config.epochs));
                let note = if chosen == Some(s.lr) {
                    "chosen on validation"
                } else {
                    ""
                };
                row.insert(3, note.into());
                rows.push(row);
            }
        }
        Block::Table {
            header,
            rows,
            text_columns: 4,
        }
    }

    /// The best learning rate of all runs on validation, and what it scores on test.
    fn best_overall(&self) -> String {
        let candidates = self.runs.iter().filter_map(|(label, data)| {
            let best = data.chosen_on_validation()?;
            Some((label, best, best.best_val_accuracy?))
        });
        let best = candidates.max_by(|a, b| a.2.total_cmp(&b.2));
        match best {
            Some((label, best, val)) => format!(
                "Best on validation over all runs: {label}, learning rate {}, with {} on the \
                 validation images{}. Runs are compared on validation, as each chose its \
                 learning rate there; the test accuracy is the measurement of the one chosen.",
                best.lr,
                percent(val, 2),
                best.test_accuracy.map_or(String::new(), |a| format!(
                    " and {} on the test images",
                    percent(a, 2)
                )),
            ),
            None => "No run has a learning rate chosen on validation yet.".into(),
        }
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
