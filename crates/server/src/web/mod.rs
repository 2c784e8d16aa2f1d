//! The screens: Japanese, server-rendered HTML (askama templates under `templates/`, escaped by
//! the engine) over the same [`kenpo_app::App`] calls as the JSON API — an adapter like the API:
//! each handler names who asks (the session cookie) and for which use (the purpose in force),
//! calls one app function and renders its answer. Forms post; the one script shipped
//! (`static/import.js`, a few lines) updates the import page's progress from the API and is not
//! needed for anything else.
//!
//! Staff screens live in [`staff`], the member portal in [`member`]; what every page shares (the
//! header with who is logged in and the purpose in force, the purpose choice, CSRF on forms,
//! error pages) is here.
//!
//! Must never: decide access (the store does; a refusal is shown with its rule and a link to
//! why), put a personal value in a URL it builds other than an id, or log one.

mod member;
mod pages;
mod staff;
mod views;

use crate::ServerState;
use crate::session::cookie_value;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kenpo_app::AppError;
use kenpo_app::auth::{Session, SessionRefusal};
use kenpo_policy::{AccessContext, Actor, StaffRole};
use pages::{Chrome, ErrorPage, NavItem, PurposeChoice};
use std::sync::Arc;

/// The cookie holding the purpose in force (a use id of 別表2; decided on every read anyway).
pub const PURPOSE_COOKIE: &str = "kenpo_purpose";

/// What the screens send besides the API's hardening: pages may load our stylesheet and images
/// and post forms to us, nothing else (no script at all).
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn routes() -> Router<Arc<ServerState>> {
    staff::routes()
        .merge(member::routes())
        .route(
            "/static/style.css",
            axum::routing::get(|| asset(include_str!("../../static/style.css"), "text/css; charset=utf-8")),
        )
        .route(
            "/static/import.js",
            axum::routing::get(|| asset(include_str!("../../static/import.js"), "text/javascript; charset=utf-8")),
        )
}

/// A file compiled into the binary (nothing is read from disk at run time).
async fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Renders a template as a page with the screens' CSP.
pub(crate) fn page<T: askama::Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => {
            let mut r = (status, Html(body)).into_response();
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "内部エラー").into_response()
        }
    }
}

/// A refusal or failure, shown as a page (or a redirect to the login screen).
pub(crate) enum WebError {
    /// Not logged in, or the session ended: to the login screen with why.
    Login(&'static str),
    /// A page explaining what went wrong (never echoing what was typed).
    Page { status: StatusCode, title: &'static str, message: String, chrome: Option<Box<Chrome>>, explain: bool },
}

/// The header of an error page: the purpose form returns to the page without its query, so
/// nothing typed (a searched name, a refused value) is written back into the page.
fn error_chrome(chrome: &Chrome) -> Option<Box<Chrome>> {
    let mut c = chrome.clone();
    if let Some((path, _)) = c.back.split_once('?') {
        c.back = path.to_string();
    }
    Some(Box::new(c))
}

impl WebError {
    pub(crate) fn invalid(chrome: &Chrome, message: impl Into<String>) -> Self {
        WebError::Page {
            status: StatusCode::BAD_REQUEST,
            title: "入力に誤りがあります",
            message: message.into(),
            chrome: error_chrome(chrome),
            explain: false,
        }
    }

    pub(crate) fn from_app(e: AppError, chrome: &Chrome) -> Self {
        let (status, title, explain) = match &e {
            AppError::Denied(_) => (StatusCode::FORBIDDEN, "利用目的と権限により表示できません", true),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "見つかりません", false),
            AppError::Invalid(_) => (StatusCode::BAD_REQUEST, "入力に誤りがあります", false),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "既に登録されています", false),
            AppError::Auth(_) => (StatusCode::FORBIDDEN, "認証できません", false),
            AppError::Internal(d) => {
                tracing::error!(error = %d, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "内部エラー", false)
            }
        };
        let message = match e {
            AppError::Internal(_) => "処理に失敗しました。管理者にサーバーのログの確認を依頼してください。".to_string(),
            other => other.to_string(),
        };
        WebError::Page { status, title, message, chrome: error_chrome(chrome), explain }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Login(why) => Redirect::to(&format!("/login?why={why}")).into_response(),
            WebError::Page { status, title, message, chrome, explain } => {
                page(status, &ErrorPage { chrome: chrome.map(|c| *c), title, message, explain })
            }
        }
    }
}

/// A logged-in browser (cookie only: the screens never take a bearer token).
pub(crate) struct Browser {
    pub session: Session,
    pub token: String,
}

impl FromRequestParts<Arc<ServerState>> for Browser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<ServerState>) -> Result<Self, WebError> {
        let token = cookie_value(&parts.headers, crate::SESSION_COOKIE).ok_or(WebError::Login("login"))?;
        let session = state.app.sessions.get(&token, &state.app.auth, chrono::Utc::now()).map_err(|r| match r {
            SessionRefusal::Unknown => WebError::Login("ended"),
            SessionRefusal::Idle => WebError::Login("idle"),
            SessionRefusal::Absolute => WebError::Login("absolute"),
        })?;
        // A form posted from another site carries our cookie only if SameSite fails; refuse
        // anything the browser says came from elsewhere before even reading the form.
        if !parts.method.is_safe() && !same_origin(&parts.headers) {
            return Err(WebError::Page {
                status: StatusCode::FORBIDDEN,
                title: "他のサイトからの送信は受け付けません",
                message: "この画面から操作してください".into(),
                chrome: None,
                explain: false,
            });
        }
        Ok(Browser { session, token })
    }
}

/// Whether a state-changing request came from our own pages (`Sec-Fetch-Site`, else `Origin`
/// against `Host`). Requests without either (old browsers, curl) pass to the CSRF token check.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let host = host.to_str().unwrap_or("");
            origin.split_once("://").map(|(_, h)| h) == Some(host)
        }
        _ => true,
    }
}

/// The CSRF token every form carries (`_csrf`), compared in constant time.
pub(crate) fn check_csrf(session: &Session, given: &str, chrome: &Chrome) -> Result<(), WebError> {
    let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), session.csrf.as_bytes()).into();
    if same {
        Ok(())
    } else {
        Err(WebError::Page {
            status: StatusCode::FORBIDDEN,
            title: "画面の有効期限が切れています",
            message: "画面を開き直してから、もう一度操作してください（CSRF）".into(),
            chrome: error_chrome(chrome),
            explain: false,
        })
    }
}

/// A staff member at a screen: their session, the purpose in force and the context it makes.
pub(crate) struct StaffPage {
    pub browser: Browser,
    pub role: StaffRole,
    pub ctx: AccessContext,
    pub chrome: Chrome,
}

/// The uses a role may choose in the header: the catalogue's uses listing the role, then the
/// legal duties its role performs (開示請求: privacy officer; 委託先の監督: privacy officer, auditor).
pub(crate) fn purposes_of(state: &ServerState, role: StaffRole) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = state
        .app
        .catalogue()
        .uses
        .iter()
        .filter(|u| u.roles.iter().any(|r| r == role.id()))
        .map(|u| (u.id.clone(), u.text.clone()))
        .collect();
    if role == StaffRole::PrivacyOfficer {
        out.push((
            kenpo_policy::engine::STATUTORY_DISCLOSURE.into(),
            "開示請求への対応（個人情報保護法第33条）".into(),
        ));
    }
    if matches!(role, StaffRole::PrivacyOfficer | StaffRole::Auditor) {
        out.push((kenpo_policy::engine::STATUTORY_SUPERVISION.into(), "委託先の監督（個人情報保護法第25条）".into()));
    }
    out
}

/// The menu: a screen is listed when one of the uses it serves is the role's (or, for the log
/// and the accounts, when the catalogue gives the role that operation).
fn nav_for(state: &ServerState, role: StaffRole, uses: &[(String, String)], current: &str) -> Vec<NavItem> {
    let catalogue = state.app.catalogue();
    let has = |ids: &[&str]| ids.iter().any(|id| uses.iter().any(|(u, _)| u == id));
    let op = |o: &str| {
        kenpo_policy::engine::audit_operation(catalogue, &Actor::Staff { role, user: "-".into() }, o).is_allowed()
    };
    let mut items = vec![("/members", "加入者検索", true)];
    items.push(("/review", "レセプト点検", has(&["receipts.review"])));
    items.push(("/kogaku", "高額療養費・付加給付", has(&["benefits.payment"])));
    items.push(("/checkups", "特定健診", has(&["health.specific_checkup"])));
    items.push(("/eligibility/outbox", "オンライン資格確認", has(&["online.register", "eligibility.management"])));
    items.push(("/eligibility/kenin", "被扶養者の検認", has(&["eligibility.management"])));
    items.push(("/eligibility/recognise", "被扶養者の認定", has(&["eligibility.management"])));
    items.push(("/eligibility/after-loss", "資格喪失後の受診", has(&["receipts.review"])));
    items.push(("/premiums", "保険料", has(&["premiums.collection"])));
    // The uses the three uploads act for: receipts, the roster (番号法 when it carries 個人番号), checkups.
    items.push((
        "/imports",
        "取込",
        has(&[
            "receipts.review",
            "eligibility.management",
            "mynumber.affairs",
            "health.specific_checkup",
            "premiums.remuneration",
            "premiums.collection",
        ]),
    ));
    items.push(("/audit", "監査ログ", op("query")));
    items.push(("/audit/contractors", "委託先報告", has(&[kenpo_policy::engine::STATUTORY_SUPERVISION])));
    items.push(("/users", "利用者管理", op("accounts")));
    // The current item is the longest menu path the page is under (/audit/contractors, not /audit).
    let under = |href: &str| current == href || current.starts_with(&format!("{href}/"));
    let best = items.iter().filter(|(href, _, shown)| *shown && under(href)).map(|(href, _, _)| href.len()).max();
    items
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(href, label, _)| NavItem { href, label, current: under(href) && Some(href.len()) == best })
        .collect()
}

impl StaffPage {
    /// The context of an action that serves another use than the purpose in force, named on
    /// its page (the payroll files, the 受診勧奨 follow-up); the policy decides it as any other.
    pub(crate) fn for_use(&self, use_id: &str) -> Result<AccessContext, WebError> {
        let purpose =
            kenpo_policy::PurposeId::parse(use_id).map_err(|e| WebError::invalid(&self.chrome, e.to_string()))?;
        Ok(AccessContext::new(self.ctx.actor().clone(), purpose))
    }
}

impl FromRequestParts<Arc<ServerState>> for StaffPage {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<ServerState>) -> Result<Self, WebError> {
        let browser = Browser::from_request_parts(parts, state).await?;
        let role = match &browser.session.principal.actor {
            Actor::Staff { role, .. } => *role,
            Actor::Member { .. } => {
                return Err(WebError::Page {
                    status: StatusCode::FORBIDDEN,
                    title: "職員用の画面です",
                    message: "加入者の方は「わたしの情報」をご利用ください".into(),
                    chrome: None,
                    explain: false,
                });
            }
            _ => {
                return Err(WebError::Page {
                    status: StatusCode::FORBIDDEN,
                    title: "職員用の画面です",
                    message: "委託先は API をご利用ください".into(),
                    chrome: None,
                    explain: false,
                });
            }
        };
        let choices = purposes_of(state, role);
        let wanted = cookie_value(&parts.headers, PURPOSE_COOKIE);
        let purpose = wanted
            .filter(|w| choices.iter().any(|(id, _)| id == w))
            .or_else(|| choices.first().map(|(id, _)| id.clone()))
            .unwrap_or_default();
        let path = parts.uri.path().to_string();
        // Back here after the purpose changes: the page with its query (a chosen month, year).
        let back = parts.uri.path_and_query().map(|pq| pq.as_str().to_string()).unwrap_or_else(|| path.clone());
        let chrome = Chrome {
            user: browser.session.principal.display_name.clone(),
            who: role.label().to_string(),
            purpose: purpose.clone(),
            purpose_label: choices.iter().find(|(id, _)| *id == purpose).map(|(_, t)| t.clone()).unwrap_or_default(),
            choices: choices
                .iter()
                .map(|(id, text)| PurposeChoice { id: id.clone(), text: text.clone(), selected: *id == purpose })
                .collect(),
            csrf: browser.session.csrf.clone(),
            nav: nav_for(state, role, &choices, &path),
            back,
            member: false,
        };
        let ctx =
            state.app.context(&browser.session.principal, &purpose).map_err(|e| WebError::from_app(e, &chrome))?;
        Ok(StaffPage { browser, role, ctx, chrome })
    }
}
