//! The screens' defences on both backends, in process (tower's `oneshot` against the real
//! router, store and policy): no page without a session, CSRF token and same-origin check on
//! every form, a forged purpose cookie ignored, no open redirect, the screens' CSP, typed text
//! checked and never echoed in an error, a member held to their own record. What a person does
//! in a browser is `crates/kenpo/tests/screens.rs` (Chromium).

#[path = "../../store/tests/common.rs"]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{BACKENDS, ctx, fresh, open};
use kenpo_app::App;
use kenpo_server::{ServerState, router};
use kenpo_store::AccountKind;
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(r: &axum::Router, method: Method, uri: &str, headers: &[(&str, &str)], form: Option<&str>) -> Page {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match form {
        Some(f) => {
            req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(f.to_string()))
        }
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = r.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20).await.expect("body");
    Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn enc(s: &str) -> String {
    url_encode(s)
}

/// application/x-www-form-urlencoded for the test's own ASCII and Japanese strings.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An account made by the privacy officer, activated, logged in through the login form:
/// the cookie header to send and the page's CSRF token.
async fn login(app: &App, r: &axum::Router, login: &str, kind: AccountKind) -> (String, String) {
    let officer = ctx("staff:privacy_officer:test", "admin.basic_material");
    let issued = app.add_account(&officer, login, kind, "試験", chrono::Utc::now()).await.expect("add account");
    app.activate(login, &issued.onetime_code, PASSWORD, chrono::Utc::now()).await.expect("activate");
    let mut form = format!("login={}&password={}", enc(login), enc(PASSWORD));
    if let Some(secret) = &issued.totp_secret {
        let bytes = totp_rs::Secret::Encoded(secret.clone()).to_bytes().expect("base32");
        let code = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes)
            .expect("totp")
            .generate_current()
            .expect("clock");
        form.push_str(&format!("&totp={code}"));
    }
    let p = send(r, Method::POST, "/login", &[], Some(&form)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{login} logs in: {}", p.body);
    let cookie = p
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kenpo_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let home = send(r, Method::GET, "/menu", &[("cookie", &cookie)], None).await;
    let csrf = home
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    (cookie, csrf)
}

async fn people(store: &kenpo_store::Store) {
    let (society, people) = common::society(3);
    store
        .import_roster(&common::importer(), "roster.csv", "web-test", common::rows(&society, &people), &|_| {})
        .await
        .expect("roster");
}

#[tokio::test]
async fn the_screens_defend_themselves() {
    for backend in BACKENDS {
        let db = fresh(backend, "web").await;
        let store = open(&db, kenpo_store::VaultKeys::generate()).await;
        people(&store).await;
        let app = Arc::new(App::new(store).expect("app"));
        let r = router(ServerState::new(app.clone(), false));

        // 1. Without a session every screen sends the browser to the login screen.
        for path in ["/menu", "/members", "/members/1", "/review", "/audit", "/users", "/me", "/me/receipts"] {
            let p = send(&r, Method::GET, path, &[], None).await;
            assert_eq!(p.status, StatusCode::SEE_OTHER, "{backend}: {path}");
            assert_eq!(p.headers[header::LOCATION], "/login?why=login", "{backend}: {path}");
        }

        // 2. The screens' CSP: our stylesheet and script only, no inline script, no framing.
        let login_page = send(&r, Method::GET, "/login", &[], None).await;
        let csp = login_page.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"), "{csp}");
        assert!(!login_page.body.contains("<script>"), "no inline script");

        // 3. A failed login says so without repeating what was typed.
        let p = send(&r, Method::POST, "/login", &[], Some("login=nobody-%3Cb%3E&password=wrong-password-x")).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(p.body.contains("ログインID、パスワード又は確認コードが違います"), "{backend}");
        assert!(!p.body.contains("nobody") && !p.body.contains("wrong-password"), "{backend}: typed text echoed");

        let (cookie, csrf) = login(&app, &r, "web-benefits", AccountKind::Staff { role: "benefits".into() }).await;
        assert_eq!(csrf.len(), 64, "{backend}: a page carries the session's CSRF token (256 bits, hex)");
        let c = [("cookie", cookie.as_str())];

        // 4. Forms: no token, a wrong token, or a post another site made are refused.
        let back = "/members";
        for (form, extra) in [
            (format!("purpose=benefits.payroll_payment&back={back}"), None),
            (format!("_csrf=x{}&purpose=benefits.payroll_payment&back={back}", &csrf[1..]), None),
            (
                format!("_csrf={csrf}&purpose=benefits.payroll_payment&back={back}"),
                Some(("sec-fetch-site", "cross-site")),
            ),
        ] {
            let mut h = vec![("cookie", cookie.as_str())];
            h.extend(extra);
            let p = send(&r, Method::POST, "/purpose", &h, Some(&form)).await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}: {form} {extra:?}");
        }
        // With the token, from our page, the purpose changes; `back` goes only to our own paths.
        let ok = format!("_csrf={csrf}&purpose=benefits.payroll_payment&back=%2Fmembers");
        let p =
            send(&r, Method::POST, "/purpose", &[("cookie", &cookie), ("sec-fetch-site", "same-origin")], Some(&ok))
                .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{backend}: {}", p.body);
        assert_eq!(p.headers[header::LOCATION], "/members");
        for evil in ["%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example%2F", "%2F%5Cevil.example"] {
            let f = format!("_csrf={csrf}&purpose=benefits.payment&back={evil}");
            let p = send(&r, Method::POST, "/purpose", &c, Some(&f)).await;
            assert_eq!(p.headers[header::LOCATION], "/", "{backend}: back={evil}");
        }
        // A use the role does not act for is refused, not taken.
        let f = format!("_csrf={csrf}&purpose=mynumber.affairs&back=%2F");
        assert_eq!(send(&r, Method::POST, "/purpose", &c, Some(&f)).await.status, StatusCode::BAD_REQUEST);

        // 5. A purpose cookie set by hand to another role's use is ignored: the page acts for
        //    the role's first use and says so in the header.
        let forged = format!("{cookie}; kenpo_purpose=mynumber.affairs");
        let p = send(&r, Method::GET, "/members", &[("cookie", &forged)], None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("<strong id=\"current-purpose\">benefits.payment</strong>"), "{backend}");

        // 6. Typed search text: control characters refused naming the field, never the text.
        let p = send(&r, Method::GET, "/members?kana=%E3%82%A2%07secret", &c, None).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(p.body.contains("氏名カナ") && !p.body.contains("secret"), "{backend}: {}", p.body);

        // 7. A member is held to their own record, whatever the address says.
        let (member, _) = login(&app, &r, "web-member", AccountKind::Member { person_id: 1 }).await;
        let m = [("cookie", member.as_str())];
        for path in ["/members/2", "/members/1", "/members?kana=%E3%82%A2", "/review", "/audit", "/users"] {
            let p = send(&r, Method::GET, path, &m, None).await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}: a member at {path}");
        }
        let own = send(&r, Method::GET, "/me", &m, None).await;
        assert_eq!(own.status, StatusCode::OK, "{backend}: {}", own.body);
        assert!(
            own.body.contains("利用目的: <strong id=\"current-purpose\">"),
            "{backend}: the purpose in force is shown"
        );
        let theirs = send(&r, Method::GET, "/me/receipts/999999", &m, None).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{backend}: a receipt that is not theirs");

        // 8. Logging out needs the token too, then the cookie opens nothing.
        let p = send(&r, Method::POST, "/logout", &c, Some("_csrf=wrong")).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}");
        let p = send(&r, Method::POST, "/logout", &c, Some(&format!("_csrf={csrf}"))).await;
        assert_eq!(p.headers[header::LOCATION], "/login?why=logout", "{backend}");
        let p = send(&r, Method::GET, "/members", &c, None).await;
        assert_eq!(p.headers[header::LOCATION], "/login?why=ended", "{backend}");
    }
}
