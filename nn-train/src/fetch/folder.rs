//! A folder that already holds the files, gzipped or not: `--from DIR`. CI uses a shared copy.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{MnistFile, Target, gunzip};

/// Copies each wanted file from `folder`, preferring `<name>.gz` over `<name>`.
pub(super) fn fetch_into(folder: &Path, target: &mut Target) -> Result<(), String> {
    for file in target.files() {
        let gzipped = folder.join(format!("{}.gz", file.name));
        let raw = folder.join(file.name);
        let path = if gzipped.is_file() {
            gzipped
        } else if raw.is_file() {
            raw
        } else {
            return Err(format!(
                "neither {} nor {} is there",
                gzipped.display(),
                raw.display()
            ));
        };
        copy(&path, &file, target).map_err(|reason| format!("{}: {reason}", path.display()))?;
    }
    Ok(())
}

fn copy(path: &Path, file: &MnistFile, target: &mut Target) -> Result<(), String> {
    let opened = File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let mut content: Box<dyn Read> = if path.extension().is_some_and(|ext| ext == "gz") {
        Box::new(gunzip(opened)?)
    } else {
        Box::new(opened)
    };
    let received = target.receive(file, &mut content)?;
    target.install(received)
}
