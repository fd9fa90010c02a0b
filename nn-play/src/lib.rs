//! # nn-play: draw a digit, watch the network read it
//!
//! A page served on 127.0.0.1 where a student draws with mouse or finger and sees, live, what
//! the trained network makes of it: the 28 x 28 input it reads, its hidden layer, the ten
//! probabilities at a temperature of their choosing, and the pixels that pushed it towards its
//! answer. The page only draws; every number comes from `POST /api/predict`, computed in Rust
//! through nn-core from the same preparation as `nn-train predict` (`answer.rs`).
//!
//! - `answer.rs` ([`answer::answer`]): one drawing in, everything the page shows out.
//! - `page.rs`: the page's three files, embedded in the binary (it works offline).
//! - this file: the routes, the limits, and errors as JSON with a status and a message.
//!
//! See `docs/10-using-the-network.md`.

pub mod answer;
mod page;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use nn_core::Mlp;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::answer::{TEMPERATURES, answer};

/// The largest request body: a drawing of a few hundred pixels is a few kilobytes of PNG.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every request shares: the network, read-only, and a limit on how many drawings are
/// worked on at once.
pub struct Playground {
    model: Mlp,
    /// Said on the page: which network this is and where it came from.
    description: String,
    /// One permit per core: a burst of requests waits its turn instead of crowding the
    /// machine with threads.
    working: Semaphore,
}

impl Playground {
    pub fn new(model: Mlp, description: String) -> Playground {
        let cores = nn_core::threads::available_cores();
        Playground {
            model,
            description,
            working: Semaphore::new(cores),
        }
    }
}

/// The routes: the page and its two files, the network's description, and the prediction.
pub fn router(playground: Arc<Playground>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/play.js", get(page::script))
        .route("/play.css", get(page::style))
        .route("/api/model", get(model))
        .route("/api/predict", post(predict).fallback(post_only))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(playground)
}

/// Serves `router` on `listener` until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    playground: Arc<Playground>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(playground))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An error answer: a status and a message a person can act on, as JSON `{"error": ...}`.
#[derive(Debug)]
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: String,
        }
        (self.0, Json(Body { error: self.1 })).into_response()
    }
}

/// `GET /api/model`: the network's layer widths and where it came from.
#[derive(Serialize)]
struct ModelInfo {
    sizes: Vec<usize>,
    description: String,
}

async fn model(State(playground): State<Arc<Playground>>) -> Json<ModelInfo> {
    Json(ModelInfo {
        sizes: playground.model.sizes(),
        description: playground.description.clone(),
    })
}

#[derive(Deserialize)]
struct PredictQuery {
    temperature: Option<f32>,
}

/// `POST /api/predict[?temperature=T]` with the drawing as the body (PNG).
async fn predict(
    State(playground): State<Arc<Playground>>,
    query: Result<Query<PredictQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<answer::Answer>, ApiError> {
    let temperature = match query {
        Ok(Query(q)) => q.temperature.unwrap_or(1.0),
        Err(e) => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("bad query: {e}; expected ?temperature=T with T a number"),
            ));
        }
    };
    if !TEMPERATURES.contains(&temperature) {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!(
                "temperature must be between {} and {}, got {temperature}",
                TEMPERATURES.start(),
                TEMPERATURES.end()
            ),
        ));
    }
    let body = body.map_err(|e| {
        let status = e.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "the drawing is larger than {MAX_BODY_BYTES} bytes; send a PNG of a few hundred pixels"
            )
        } else {
            format!("cannot read the request body: {e}")
        };
        ApiError(status, message)
    })?;
    // The work is small (a few milliseconds) but CPU-bound: it runs on the blocking pool, one
    // drawing per core at a time, never on the threads that serve connections.
    let permit = playground
        .working
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let worker = Arc::clone(&playground);
    let result =
        tokio::task::spawn_blocking(move || answer(&worker.model, &body, temperature)).await;
    drop(permit);
    match result {
        Ok(Ok(answer)) => Ok(Json(answer)),
        Ok(Err(e)) => Err(ApiError(StatusCode::BAD_REQUEST, e.to_string())),
        Err(e) => Err(ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the prediction failed: {e}"),
        )),
    }
}

async fn post_only() -> ApiError {
    ApiError(
        StatusCode::METHOD_NOT_ALLOWED,
        "POST the drawing to /api/predict, as a PNG body".into(),
    )
}

async fn not_found() -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        "no such page: the playground is at /, the API at POST /api/predict".into(),
    )
}
