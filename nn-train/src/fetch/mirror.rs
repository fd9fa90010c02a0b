//! HTTPS mirrors of the gzipped files, downloaded with a progress bar.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use ureq::Agent;

use super::{MnistFile, SourceError, Target, gunzip};

/// An unreachable mirror fails within seconds and the next source is tried; a stalled
/// download fails too, instead of hanging a student's first run.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Downloads `<base_url>/<name>.gz` for each wanted file.
pub(super) fn fetch_into(base_url: &str, target: &mut Target) -> Result<(), SourceError> {
    let config = Agent::config_builder()
        .timeout_resolve(Some(CONNECT_TIMEOUT))
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(STALL_TIMEOUT))
        .timeout_per_read(Some(STALL_TIMEOUT))
        .build();
    let agent = Agent::new_with_config(config);
    for file in target.files() {
        let name = format!("{}.gz", file.name);
        let url = format!("{}/{name}", base_url.trim_end_matches('/'));
        download(&agent, &url, &file, target).map_err(|e| e.at(&name))?;
    }
    Ok(())
}

fn download(
    agent: &Agent,
    url: &str,
    file: &MnistFile,
    target: &mut Target,
) -> Result<(), SourceError> {
    // A status other than 2xx is an error here, so a 404 page is never read as data. The body
    // reader has no size cap (unlike `read_to_vec`'s 10 MiB): `receive` stops at the expected
    // length instead.
    let body = agent
        .get(url)
        .call()
        .map_err(|e| SourceError::Http(e.to_string()))?
        .into_body();
    let progress = progress_bar(file, body.content_length());
    let received = gunzip(progress.wrap_read(body.into_reader()))
        .and_then(|mut content| target.receive(file, &mut content));
    progress.finish_and_clear(); // before `install` reports on stderr
    target.install(received?)
}

/// A bar over the compressed bytes (a spinner if the server does not say how many) on stderr;
/// indicatif draws nothing when stderr is not a terminal.
fn progress_bar(file: &MnistFile, compressed_bytes: Option<u64>) -> ProgressBar {
    let bar = match compressed_bytes {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "  {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
            .map(|style| style.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.with_message(format!("{}.gz", file.name))
}
