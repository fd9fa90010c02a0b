//! A folder that already holds the files, gzipped or not: `--from DIR`. CI uses a shared copy.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{MnistFile, SourceError, Target, gunzip};

/// Copies each wanted file from `folder`, preferring `<name>.gz` over `<name>`.
pub(super) fn fetch_into(folder: &Path, target: &mut Target) -> Result<(), SourceError> {
    for file in target.files() {
        let gzipped = folder.join(format!("{}.gz", file.name));
        let raw = folder.join(file.name);
        let path = if gzipped.is_file() {
            gzipped
        } else if raw.is_file() {
            raw
        } else {
            return Err(SourceError::NotInFolder { gzipped, raw });
        };
        copy(&path, &file, target).map_err(|e| e.at(path.display()))?;
    }
    Ok(())
}

fn copy(path: &Path, file: &MnistFile, target: &mut Target) -> Result<(), SourceError> {
    let opened = File::open(path).map_err(SourceError::io("cannot open it"))?;
    let mut content: Box<dyn Read> = if path.extension().is_some_and(|ext| ext == "gz") {
        Box::new(gunzip(opened)?)
    } else {
        Box::new(opened)
    };
    let received = target.receive(file, &mut content)?;
    target.install(received)
}
