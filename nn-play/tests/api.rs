//! nn-play over real HTTP: the page and its files are served (and ask no other server), a
//! drawing comes back as the network's answer computed exactly as the library computes it, and
//! every bad request gets a status and a message instead of a crash. The binary says where it
//! listens and what to do when its port is taken.

use std::io::{BufRead, BufReader, Cursor};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;

use datasets::handwriting::{decode_image, prepare};
use image::{DynamicImage, GrayImage, ImageFormat, Luma};
use nn_core::softmax::softmax_with_temperature;
use nn_core::{Activations, Matrix, Mlp};
use nn_play::{MAX_BODY_BYTES, Playground};
use serde_json::Value;

/// An untrained 784-16-10 network: arbitrary but fixed answers.
fn model() -> Mlp {
    Mlp::new(&[784, 16, 10], 21)
}

/// A server on a free port of 127.0.0.1, stopped when dropped.
struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    fn start() -> Server {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let playground = Arc::new(Playground::new(model(), "a test network".into()));
        runtime.spawn(nn_play::serve(listener, playground, async {
            let _ = stopped.await;
        }));
        Server {
            url,
            stop: Some(stop),
            runtime: Some(runtime),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.runtime.take().unwrap().shutdown_background();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `(status, content type, body)`
fn get(url: &str) -> (u16, String, String) {
    let mut response = agent().get(url).call().unwrap();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        response.status().as_u16(),
        kind,
        response.body_mut().read_to_string().unwrap(),
    )
}

fn post(url: &str, body: &[u8]) -> (u16, Value) {
    let mut response = agent()
        .post(url)
        .header("Content-Type", "image/png")
        .send(body)
        .unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, json)
}

/// A dark stroke on white, as a PNG the page would send.
fn drawing_png(width: u32, height: u32) -> Vec<u8> {
    let picture = GrayImage::from_fn(width, height, |x, y| {
        let on_stroke = (x as i32 - width as i32 / 2 - (y as i32 - height as i32 / 2) / 3).abs()
            < 9
            && (20..height - 20).contains(&y);
        Luma([if on_stroke { 10 } else { 255 }])
    });
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(picture)
        .write_to(&mut png, ImageFormat::Png)
        .unwrap();
    png.into_inner()
}

fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn the_page_and_its_files_are_served_and_ask_no_other_server() {
    let server = Server::start();
    let (status, kind, page) = get(&format!("{}/", server.url));
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(
        page.contains(r#"<canvas id="pad""#)
            && page.contains("/play.js")
            && page.contains("/play.css")
    );
    for (path, expected_kind) in [("/play.js", "text/javascript"), ("/play.css", "text/css")] {
        let (status, kind, body) = get(&format!("{}{path}", server.url));
        assert_eq!(status, 200, "{path}");
        assert!(kind.starts_with(expected_kind), "{path}: {kind}");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} names another server"
        );
    }
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page names another server"
    );

    let (status, _, body) = get(&format!("{}/api/model", server.url));
    assert_eq!(status, 200);
    let info: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(info["sizes"], serde_json::json!([784, 16, 10]));
    assert_eq!(info["description"], "a test network");

    let (status, _, body) = get(&format!("{}/nothing-here", server.url));
    assert_eq!(status, 404);
    assert!(body.contains("the playground is at /"), "{body}");
    let (status, _, body) = get(&format!("{}/api/predict", server.url));
    assert_eq!(status, 405);
    assert!(body.contains("POST the drawing"), "{body}");
}

#[test]
fn a_drawing_comes_back_as_the_networks_answer() {
    let server = Server::start();
    let png = drawing_png(280, 280);

    // What the library computes for the same bytes.
    let prepared = prepare(&decode_image(&png, "test", 4096).unwrap());
    let x = Matrix::from_vec(1, 784, prepared.input());
    let mut acts = Activations::new();
    let logits = model().forward(&x, &mut acts).row(0).to_vec();
    let hidden = acts.layer_output(0).row(0).to_vec();

    for temperature in [1.0f32, 0.5, 4.0] {
        let (status, answer) = post(
            &format!("{}/api/predict?temperature={temperature}", server.url),
            &png,
        );
        assert_eq!(status, 200, "{answer}");
        let mut expected = vec![0.0; 10];
        softmax_with_temperature(&logits, temperature, &mut expected);
        assert_eq!(
            floats(&answer["probabilities"]),
            expected,
            "T = {temperature}"
        );
        assert_eq!(floats(&answer["logits"]), logits);
        assert_eq!(answer["digit"], nn_core::softmax::argmax(&logits));
        assert_eq!(answer["temperature"].as_f64().unwrap() as f32, temperature);
        assert_eq!(floats(&answer["input"]), prepared.input(), "the 784 inputs");
        assert_eq!(floats(&answer["hidden"][0]), hidden);
        assert_eq!(answer["ink"], true);
        assert_eq!(answer["inverted"], true);
        let saliency = nn_core::saliency::saliency(
            &model(),
            &prepared.input(),
            nn_core::softmax::argmax(&logits),
        );
        assert_eq!(floats(&answer["saliency"]["gradient"]), saliency.gradient);
        assert_eq!(
            floats(&answer["saliency"]["contribution"]),
            saliency.contribution
        );
    }
    // No temperature means 1.
    let (_, at_one) = post(&format!("{}/api/predict", server.url), &png);
    assert_eq!(at_one["temperature"], 1.0);
}

#[test]
fn a_blank_drawing_is_answered_and_flagged() {
    let server = Server::start();
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(GrayImage::from_pixel(280, 280, Luma([255])))
        .write_to(&mut png, ImageFormat::Png)
        .unwrap();
    let (status, answer) = post(&format!("{}/api/predict", server.url), png.get_ref());
    assert_eq!(status, 200);
    assert_eq!(answer["ink"], false);
    assert!(floats(&answer["input"]).iter().all(|&v| v == 0.0));
}

#[test]
fn every_bad_request_gets_a_status_and_a_message() {
    let server = Server::start();
    let predict = format!("{}/api/predict", server.url);
    let png = drawing_png(280, 280);
    let mut too_wide = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(GrayImage::from_pixel(3000, 2, Luma([255])))
        .write_to(&mut too_wide, ImageFormat::Png)
        .unwrap();

    let cases: Vec<(String, Vec<u8>, u16, &str)> = vec![
        (
            predict.clone(),
            b"these are not the pixels you are looking for".to_vec(),
            400,
            "is not an image",
        ),
        (
            predict.clone(),
            png[..png.len() / 2].to_vec(),
            400,
            "damaged or incomplete PNG",
        ),
        (predict.clone(), Vec::new(), 400, "empty"),
        (
            predict.clone(),
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            400,
            "is a GIF image",
        ),
        (
            predict.clone(),
            too_wide.into_inner(),
            400,
            "3000 x 2 pixels, too large to read here",
        ),
        (
            predict.clone(),
            vec![0x89; MAX_BODY_BYTES + 1],
            413,
            "larger than 1048576 bytes",
        ),
        (
            format!("{predict}?temperature=0"),
            png.clone(),
            400,
            "temperature must be between 0.01 and 100, got 0",
        ),
        (
            format!("{predict}?temperature=NaN"),
            png.clone(),
            400,
            "temperature must be between",
        ),
        (
            format!("{predict}?temperature=hot"),
            png.clone(),
            400,
            "expected ?temperature=T",
        ),
    ];
    for (url, body, expected_status, expected_message) in cases {
        let (status, answer) = post(&url, &body);
        assert_eq!(
            status,
            expected_status,
            "{url} ({} bytes): {answer}",
            body.len()
        );
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected_message), "{url}: {message}");
    }
    // And the server is still there.
    let (status, _) = post(&predict, &png);
    assert_eq!(status, 200);
}

#[test]
fn concurrent_drawings_each_get_their_own_answer() {
    let server = Server::start();
    let url = format!("{}/api/predict", server.url);
    let drawings: Vec<Vec<u8>> = (0..4).map(|i| drawing_png(200 + 40 * i, 280)).collect();
    let alone: Vec<Value> = drawings.iter().map(|png| post(&url, png).1).collect();
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let (url, png) = (&url, &drawings[i % 4]);
                scope.spawn(move || post(url, png))
            })
            .collect();
        for (i, thread) in threads.into_iter().enumerate() {
            let (status, answer) = thread.join().unwrap();
            assert_eq!(status, 200);
            assert_eq!(
                answer,
                alone[i % 4],
                "request {i} got another drawing's answer"
            );
        }
    });
}

/// A checkpoint file of [`model`], for the binary.
fn checkpoint(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("best.ckpt");
    nn_run::checkpoint::Checkpoint {
        config: nn_run::config::TrainConfig::default(),
        learning_rate: 0.5,
        epoch: 3,
        step: 1,
        model: model(),
        optimizer: nn_core::sgd::Sgd::new(0.5),
    }
    .save(&path)
    .unwrap();
    path
}

#[test]
fn the_binary_prints_its_address_and_serves_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nn-play"))
        .args(["--port", "0", "--checkpoint"])
        .arg(checkpoint(dir.path()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| {
            l.strip_prefix("nn-play is at ")
                .map(|rest| rest.split(' ').next().unwrap().to_string())
        })
        .expect("nn-play prints its address");
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    let (status, _, body) = get(&format!("{address}api/model"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
    assert!(
        body.contains("784-16-10 network, lr 0.5, epoch 3"),
        "{body}"
    );
}

#[test]
fn a_taken_port_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_nn-play"))
        .args(["--port", &port, "--checkpoint"])
        .arg(checkpoint(dir.path()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is taken")) && stderr.contains("--port"),
        "{stderr}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_nn-play"))
        .args(["--port", "eighty"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "bad usage exits 2");
}
