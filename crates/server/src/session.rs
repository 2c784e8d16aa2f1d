//! Who is asking: the session (cookie for browsers, bearer token for API clients), the CSRF
//! check on every state-changing request made with the cookie, and the purpose the request
//! names.

use crate::{ApiError, ServerState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use kenpo_app::auth::{Session, SessionRefusal};
use kenpo_policy::AccessContext;
use std::sync::Arc;

/// The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure under TLS.
pub const SESSION_COOKIE: &str = "kenpo_session";
/// The CSRF token a cookie-authenticated state-changing request must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The use of 別表2 a request acts for.
pub const PURPOSE_HEADER: &str = "kenpo-purpose";

/// An authenticated request.
pub struct Authed {
    pub session: Session,
    pub token: String,
}

/// A cookie's value from the request (the session cookie, the screens' purpose cookie).
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A cookie of ours: Path=/, HttpOnly, SameSite=Strict, Secure under TLS; `max_age` 0 clears it.
pub(crate) fn set_cookie(name: &'static str, value: &str, tls: bool, max_age: i64) -> HeaderValue {
    let c = cookie::Cookie::build((name, value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(tls)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    // A value that is not a header value (never ours: tokens and use ids are ASCII) clears it.
    HeaderValue::from_str(&c.to_string())
        .or_else(|_| HeaderValue::from_str(&format!("{name}=; Max-Age=0")))
        .unwrap_or_else(|_| HeaderValue::from_static("kenpo_session=; Max-Age=0"))
}

/// A file answered as a download (CSV, ZIP) under `file_name`.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

impl FromRequestParts<Arc<ServerState>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<ServerState>) -> Result<Self, Self::Rejection> {
        let (token, by_cookie) = match (bearer_token(&parts.headers), cookie_value(&parts.headers, SESSION_COOKIE)) {
            (Some(t), _) => (t, false),
            (None, Some(t)) => (t, true),
            (None, None) => return Err(ApiError::unauthenticated("no session: log in at POST /api/v1/session")),
        };
        let now = chrono::Utc::now();
        let session = state.app.sessions.get(&token, &state.app.auth, now).map_err(|r| match r {
            SessionRefusal::Unknown => ApiError::unauthenticated("the session is unknown or has ended"),
            SessionRefusal::Idle => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "一定時間操作がなかったためログアウトしました",
                "idle timeout",
            ),
            SessionRefusal::Absolute => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "ログインの有効時間が過ぎました",
                "absolute timeout",
            ),
        })?;
        // A browser sends the cookie with any request a page makes; only a page of ours knows the
        // CSRF token. Bearer clients send no cookie, so nothing can ride on them.
        if by_cookie && !parts.method.is_safe() {
            let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), session.csrf.as_bytes()).into();
            if !same {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "画面の有効期限が切れています（CSRF）",
                    "a state-changing request with the session cookie needs the X-CSRF-Token header of the session",
                ));
            }
        }
        Ok(Authed { session, token })
    }
}

/// An authenticated request and the access context it acts in.
pub struct Acting {
    pub authed: Authed,
    pub ctx: AccessContext,
}

impl FromRequestParts<Arc<ServerState>> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<ServerState>) -> Result<Self, Self::Rejection> {
        let authed = Authed::from_request_parts(parts, state).await?;
        let purpose = parts.headers.get(PURPOSE_HEADER).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "purpose_required",
                "利用目的の指定が必要です",
                "name the use of 別表2 this request acts for in the Kenpo-Purpose header",
            )
        })?;
        let ctx = state.app.context(&authed.session.principal, purpose.trim())?;
        Ok(Acting { authed, ctx })
    }
}
