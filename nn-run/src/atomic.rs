//! Files that are never seen half-written.
//!
//! A file is written under a temporary name in its own folder, flushed to disk, then renamed
//! over the real name. A rename within one folder is atomic, so a reader (or a crash, or
//! `kill -9`) sees either the old complete file or the new complete file, never a mix.
//! See `docs/appendix-b-runs-and-checkpoints.md`.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written to a temporary name next to `dest`. Dropping it without
/// [`PendingFile::commit`] deletes the temporary file and leaves `dest` untouched.
pub struct PendingFile {
    temp: NamedTempFile,
    dest: PathBuf,
}

impl PendingFile {
    pub fn new(dest: &Path) -> io::Result<PendingFile> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // A temporary file is private (0600) by default; the files we write are ordinary
        // results that a student may copy or serve, so they get the usual rw-r--r-- (0666
        // less the umask).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(dir)?;
        Ok(PendingFile {
            temp,
            dest: dest.to_path_buf(),
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Flushes the data to disk and renames the file to its real name.
    pub fn commit(mut self) -> io::Result<()> {
        self.temp.as_file_mut().flush()?;
        self.temp.as_file().sync_all()?;
        self.temp.persist(&self.dest).map_err(|e| e.error)?;
        Ok(())
    }

    /// Like [`PendingFile::commit`], but only if nothing exists under the real name yet
    /// (an `AlreadyExists` error otherwise, and the existing file is left alone). Atomic too:
    /// of two processes committing the same name, exactly one succeeds.
    pub fn commit_if_absent(mut self) -> io::Result<()> {
        self.temp.as_file_mut().flush()?;
        self.temp.as_file().sync_all()?;
        self.temp
            .persist_noclobber(&self.dest)
            .map_err(|e| e.error)?;
        Ok(())
    }
}

/// Writes `bytes` to `dest` atomically.
pub fn write_atomically(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut pending = PendingFile::new(dest)?;
    pending.file().write_all(bytes)?;
    pending.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncommitted_file_leaves_the_old_one_intact() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("summary.json");
        write_atomically(&dest, b"old").unwrap();
        let mut pending = PendingFile::new(&dest).unwrap();
        pending.file().write_all(b"new, but interrupted").unwrap();
        drop(pending);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "the temporary file was not removed");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others_like_any_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("report.md");
        write_atomically(&dest, b"# report").unwrap();
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o644, 0o644, "mode {mode:o}");
    }

    #[test]
    fn commit_if_absent_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("config.json");
        let mut first = PendingFile::new(&dest).unwrap();
        first.file().write_all(b"first").unwrap();
        first.commit_if_absent().unwrap();
        let mut second = PendingFile::new(&dest).unwrap();
        second.file().write_all(b"second").unwrap();
        let err = second.commit_if_absent().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&dest).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_committed_file_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("last.ckpt");
        write_atomically(&dest, b"one").unwrap();
        write_atomically(&dest, b"two").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"two");
    }
}
