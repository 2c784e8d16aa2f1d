//! # kenpo-server
//!
//! `kenpo serve`: the JSON API under `/api/v1` over [`kenpo_app::App`], with its OpenAPI 3.1
//! description at `/api/openapi.json`, and the staff screens and member portal at `/` (module
//! `web`: askama templates over the same app calls). An adapter only: each handler authenticates (session
//! cookie or bearer token), takes the purpose the request names (`Kenpo-Purpose` header, a use
//! of the catalogue), builds the same `AccessContext` the CLI builds from `--as`/`--purpose`,
//! calls one app function and converts its answer to a DTO. Decisions, masks, withheld
//! categories and audit entries are the store's — an API read leaves the same entries as the
//! CLI's.
//!
//! Must never: decide access itself, run SQL, log a personal value (the request log names the
//! route template, never the path or query), or answer with a store type.

pub mod dto;
mod handlers;
mod jobs;
mod openapi;
mod session;
pub mod tls;
mod web;

pub use openapi::ApiDoc;
pub use session::{CSRF_HEADER, PURPOSE_HEADER, SESSION_COOKIE};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use kenpo_app::{App, AppError};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// What every handler reaches: the app, whether cookies must be `Secure`, and import jobs.
pub struct ServerState {
    pub app: Arc<App>,
    /// Served over TLS: cookies carry `Secure`.
    pub tls: bool,
    /// Import jobs by id, with the account that started each (only it may look).
    jobs: Mutex<HashMap<u64, (i64, dto::ImportJob)>>,
    next_job: AtomicU64,
}

impl ServerState {
    pub fn new(app: Arc<App>, tls: bool) -> Arc<Self> {
        Arc::new(Self { app, tls, jobs: Mutex::new(HashMap::new()), next_job: AtomicU64::new(1) })
    }
}

/// How many import jobs the server remembers (the oldest finished ones are forgotten first).
pub const JOBS_KEPT: usize = 1_000;

/// The largest upload (one UKE file); other bodies are small JSON.
pub const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;
const JSON_LIMIT: usize = 64 * 1024;

/// The whole HTTP surface.
pub fn router(state: Arc<ServerState>) -> Router {
    let api = handlers::routes().layer(DefaultBodyLimit::max(JSON_LIMIT));
    let uploads = handlers::upload_routes().layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    Router::new()
        .nest("/api/v1", api.merge(uploads))
        .route("/api/openapi.json", axum::routing::get(openapi::spec))
        .merge(web::routes())
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .with_state(state)
        // A handler that panics answers 500 as problem details instead of dropping the
        // connection; the panic's message stays out of the answer (and holds no personal data).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send + 'static>| {
            tracing::error!("a request handler panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "内部エラー",
                "the request failed; see the server log",
            )
            .into_response()
        }))
        .layer(middleware::from_fn(hardening))
}

/// Security headers on every answer, and a request log without personal data: the route
/// template (`/api/v1/members/{id}`), never the path or query that would carry an id or a
/// searched name.
async fn hardening(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // The screens set their own (stylesheet and forms allowed); everything else gets none.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    tracing::info!(
        method = %method,
        route = route.as_deref().unwrap_or("(unmatched)"),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// An error answer: RFC 9457 problem details.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, title, detail: detail.into() }
    }
    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "ログインが必要です", detail)
    }
    pub fn not_found(detail: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "見つかりません", detail)
    }
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", "入力に誤りがあります", detail)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use kenpo_app::auth::AuthError;
        match e {
            AppError::Denied(d) => Self::new(StatusCode::FORBIDDEN, "denied", "利用目的と権限により拒否されました", d),
            AppError::NotFound(d) => Self::new(StatusCode::NOT_FOUND, "not_found", "見つかりません", d),
            AppError::Invalid(d) => Self::invalid(d),
            AppError::Conflict(d) => Self::new(StatusCode::CONFLICT, "conflict", "既に取り込まれています", d),
            AppError::Auth(a) => {
                let (status, code) = match a {
                    AuthError::Locked => (StatusCode::LOCKED, "locked"),
                    AuthError::Disabled => (StatusCode::FORBIDDEN, "disabled"),
                    AuthError::SecondFactorRequired => (StatusCode::UNAUTHORIZED, "second_factor_required"),
                    AuthError::WeakPassword => (StatusCode::BAD_REQUEST, "weak_password"),
                    AuthError::Store(s) => return AppError::from(s).into(),
                    _ => (StatusCode::UNAUTHORIZED, "bad_credentials"),
                };
                Self::new(status, code, "認証できません", a.to_string())
            }
            AppError::Internal(d) => {
                // The cause goes to the operator's log (it names tables and rules, never values);
                // the caller hears only that it failed.
                tracing::error!(error = %d, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "内部エラー",
                    "the request failed; see the server log",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = dto::Problem {
            kind: format!("urn:kenpo:problem:{}", self.code),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_string(),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}

/// Serves plain HTTP on a listener already bound (benchmarks and tests on loopback).
pub async fn serve_on(listener: tokio::net::TcpListener, router: Router) -> anyhow::Result<()> {
    axum::serve(listener, router).await?;
    Ok(())
}

/// Logs to stderr as structured lines (no personal data is ever a field).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KENPO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
