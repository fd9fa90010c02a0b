//! What the report knows about a run: its configuration, its summary and every learning rate's
//! history, read through nn-train's run directory. A run that is still training, was killed or
//! diverged is read as far as its files go; each gap becomes a [`Skip`].

use nn_run::config::TrainConfig;
use nn_run::run_dir::{BatchLoss, EpochMetrics, LrSummary, RunConfig, RunDir, RunError, Summary};

use crate::Skip;

pub struct RunData {
    pub run: RunDir,
    /// `--name`, if the run was given one.
    pub name: Option<String>,
    pub config: TrainConfig,
    /// From `summary.json`, or computed from the metrics when that file is missing or damaged.
    pub summary: Summary,
    /// Why the summary was computed rather than read, if it was.
    pub summary_note: Option<String>,
    /// One per learning rate of the configuration, in its order.
    pub rates: Vec<RateHistory>,
}

/// One learning rate's logs.
pub struct RateHistory {
    pub lr: f32,
    /// Its position in the run's list: picks its colour in every picture.
    pub index: usize,
    pub epochs: Vec<EpochMetrics>,
    pub batches: Vec<BatchLoss>,
}

impl RateHistory {
    /// The epoch in which the loss left the finite range, if it did.
    pub fn diverged_at(&self) -> Option<usize> {
        self.epochs.iter().find(|m| m.diverged).map(|m| m.epoch)
    }

    /// How the learning rate is named in legends: `lr 0.1`, or `lr 5, diverged in epoch 1`.
    pub fn label(&self) -> String {
        match self.diverged_at() {
            Some(epoch) => format!("lr {}, diverged in epoch {epoch}", self.lr),
            None => format!("lr {}", self.lr),
        }
    }
}

impl RunData {
    /// Reads everything but the checkpoints. Only an unreadable `config.json` is an error:
    /// without it the learning rates are unknown. See `docs/08-reading-the-report.md`.
    pub fn read(run: &RunDir, skipped: &mut Vec<Skip>) -> Result<RunData, RunError> {
        let RunConfig {
            name,
            train: config,
            ..
        } = run.read_config()?;
        let rates = config
            .learning_rates
            .iter()
            .enumerate()
            .map(|(index, &lr)| read_rate(run, lr, index, skipped))
            .collect::<Vec<_>>();
        let computed = || Summary {
            learning_rates: rates
                .iter()
                .map(|r| LrSummary::from_run(&config, r.lr, &r.epochs))
                .collect(),
        };
        let (summary, summary_note) = if !run.summary_path().exists() {
            let note = "summary.json is not written yet, so this table is computed from each \
                        learning rate's metrics.csv";
            (computed(), Some(note.to_string()))
        } else {
            match run.read_summary() {
                Ok(summary) => (summary, None),
                Err(e) => {
                    let note = format!("{e}; this table is computed from metrics.csv instead");
                    (computed(), Some(note))
                }
            }
        };
        Ok(RunData {
            run: run.clone(),
            name,
            config,
            summary,
            summary_note,
            rates,
        })
    }

    /// The run's folder name, e.g. `2026-11-27T23-04-52Z`.
    pub fn folder_name(&self) -> String {
        self.run.folder_name()
    }

    /// What the run is called: its `--name`, else its folder's name.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.folder_name())
    }

    /// The learning rate chosen on validation, with its best epoch.
    pub fn best(&self) -> Option<&LrSummary> {
        self.summary.best()
    }

    /// [`RunData::best`] if the run held out a validation set to choose with; a run without
    /// one has a best rate only in the sense of the last epoch.
    pub fn chosen_on_validation(&self) -> Option<&LrSummary> {
        self.best().filter(|_| self.config.val_size > 0)
    }

    /// The learning rates that finished at least one epoch.
    pub fn with_epochs(&self) -> impl Iterator<Item = &RateHistory> {
        self.rates.iter().filter(|r| !r.epochs.is_empty())
    }

    /// The learning rates that logged at least one step.
    pub fn with_batches(&self) -> impl Iterator<Item = &RateHistory> {
        self.rates.iter().filter(|r| !r.batches.is_empty())
    }
}

/// A learning rate's two logs. A damaged log is left empty, and every gap says why.
fn read_rate(run: &RunDir, lr: f32, index: usize, skipped: &mut Vec<Skip>) -> RateHistory {
    let what = format!("lr {lr}");
    let epochs = logged(run.read_metrics(lr), &what, skipped);
    let batches = logged(run.read_batches(lr), &what, skipped);
    let gap = match (&epochs, &batches) {
        (Some(e), Some(b)) if e.is_empty() && b.is_empty() => {
            Some("nothing logged yet (training has not reached it), so it is in no picture")
        }
        (Some(e), _) if e.is_empty() => {
            Some("no epoch finished yet, so it is in no per-epoch curve")
        }
        (_, Some(b)) if b.is_empty() => {
            Some("batches.csv has no steps, so it is not in batch_loss.png")
        }
        _ => None,
    };
    if let Some(why) = gap {
        skipped.push(Skip::new(&what, why));
    }
    RateHistory {
        lr,
        index,
        epochs: epochs.unwrap_or_default(),
        batches: batches.unwrap_or_default(),
    }
}

/// The rows of a log, or `None` after noting why they could not be read.
fn logged<T>(
    rows: Result<Vec<T>, RunError>,
    what: &str,
    skipped: &mut Vec<Skip>,
) -> Option<Vec<T>> {
    rows.map_err(|e| skipped.push(Skip::new(what, e.to_string())))
        .ok()
}
