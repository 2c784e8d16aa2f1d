//! The API on both backends, in process (tower's `oneshot` against the real router, store and
//! policy): every endpoint refuses without a session; a member cannot reach another member by
//! editing ids; a contractor outside its contract is refused; CSRF, lockout and session expiry;
//! an API read leaves the same audit entry as the same read through the app (the CLI's path);
//! an upload shows its progress and a refused file names its line.

#[path = "../../store/tests/common.rs"]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{BACKENDS, ctx, fresh, open};
use kenpo_app::App;
use kenpo_app::auth::AuthSettings;
use kenpo_server::{ServerState, router};
use kenpo_store::{AccountKind, VaultKeys};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn call(app: &axum::Router, method: Method, uri: &str, headers: &[(&str, &str)], body: Option<Value>) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20).await.expect("body");
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    Answer { status, headers, body }
}

async fn upload(app: &axum::Router, cookie: &str, csrf: &str, name: &str, bytes: Vec<u8>) -> Answer {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/receipts")
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .header("kenpo-purpose", "receipts.review")
        .header("x-file-name", name)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

/// A logged-in browser: its cookie header and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

fn totp_now(base32: &str) -> String {
    let secret = totp_rs::Secret::Encoded(base32.to_string()).to_bytes().expect("base32 secret");
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).expect("totp");
    t.generate_current().expect("clock")
}

/// Creates an account as the privacy officer, activates it with its one-time code, logs in.
async fn account(app: &App, r: &axum::Router, login: &str, kind: AccountKind) -> (Answer, Option<String>) {
    let officer = ctx("staff:privacy_officer:test", "admin.basic_material");
    let issued = app.add_account(&officer, login, kind, "試験", chrono::Utc::now()).await.expect("add account");
    let a = call(
        r,
        Method::POST,
        "/api/v1/activation",
        &[],
        Some(json!({"login": login, "code": issued.onetime_code, "password": PASSWORD})),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{login} activates: {:?}", a.body);
    let totp = issued.totp_secret.clone();
    let login_answer = call(
        r,
        Method::POST,
        "/api/v1/session",
        &[],
        Some(json!({"login": login, "password": PASSWORD, "totp": totp.as_deref().map(totp_now)})),
    )
    .await;
    (login_answer, totp)
}

fn browser(a: &Answer) -> Browser {
    assert_eq!(a.status, StatusCode::OK, "login: {:?}", a.body);
    let set = a.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().expect("ascii");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(!set.contains("Secure"), "plain loopback HTTP: no Secure flag ({set})");
    let cookie = set.split(';').next().expect("name=value").to_string();
    Browser { cookie, csrf: a.body["csrf_token"].as_str().expect("csrf").to_string() }
}

/// A small society written by the generator, imported (all receipt files but one, kept for
/// the upload), reviewed.
async fn society(store: &kenpo_store::Store, dir: &Path) -> (Vec<std::path::PathBuf>, std::path::PathBuf) {
    let out = dir.join("synthetic");
    let outputs = kenpo_synth::Outputs { roster: true, benefits: false, receipts: true, checkups: false };
    kenpo_synth::write_society(kenpo_synth::SocietyConfig::new(30, 7), &out, outputs, &|_, _, _| {}).expect("generate");
    let officer = ctx("staff:mynumber_officer:test", "mynumber.affairs");
    kenpo_app::imports::import_roster(store, &officer, &out.join("roster.csv"), &kenpo_app::imports::quiet)
        .await
        .expect("roster");
    let mut files = kenpo_app::imports::uke_files(&out.join("receipts")).expect("receipt files");
    let kept = files.pop().expect("at least two receipt files");
    let importer = ctx("system:test-import", "receipts.review");
    let (_, failures) = kenpo_app::imports::import_receipts(store, &importer, &files, &kenpo_app::imports::quiet)
        .await
        .expect("receipts");
    assert!(failures.is_empty(), "{failures:?}");
    let reviewer = ctx("system:test-review", "receipts.review");
    for month in store.receipt_months(&reviewer).await.expect("months") {
        store.run_review(&reviewer, month).await.expect("review");
    }
    (files, kept)
}

type EntryFields = (String, String, String, String, String, String, String);

/// The decision fields (for whom, for what, which categories, outcome, rule, subject kind) of
/// the entries after `seq`, oldest first.
async fn entries_after(db: &common::TestDb, seq: i64) -> Vec<EntryFields> {
    let mut conn = common::raw(db).await;
    sqlx::query_as(
        "SELECT actor, purpose, action, categories, outcome, rule, subject_kind FROM audit_log WHERE seq > $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&mut conn)
    .await
    .expect("audit entries")
}

async fn last_seq(db: &common::TestDb) -> i64 {
    let mut conn = common::raw(db).await;
    common::count(&mut conn, "SELECT COALESCE(MAX(seq), -1) FROM audit_log").await
}

#[tokio::test]
async fn the_api_decides_and_audits_as_the_cli_does() {
    for backend in BACKENDS {
        let db = fresh(backend, "api").await;
        let dir = tempfile::tempdir().expect("temp dir");
        let keys_path = dir.path().join("vault.key");
        VaultKeys::generate().write_new_file(&keys_path).expect("key");
        let store = open(&db, VaultKeys::read_file(&keys_path).expect("key")).await;
        let (_, kept) = society(&store, dir.path()).await;
        let app = Arc::new(App::new(store).expect("app"));
        let r = router(ServerState::new(app.clone(), false));

        // 1. Every endpoint of the OpenAPI description refuses without a session (but login,
        //    activation and the description itself).
        let spec: Value = call(&r, Method::GET, "/api/openapi.json", &[], None).await.body;
        assert_eq!(spec["openapi"].as_str().map(|v| &v[..3]), Some("3.1"), "OpenAPI 3.1");
        let mut checked = 0;
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("methods").keys() {
                if path == "/api/v1/session" && method == "post" || path == "/api/v1/activation" {
                    continue;
                }
                let uri = path
                    .replace("{id}", "1")
                    .replace("{month}", "2026-05")
                    .replace("{fiscal_year}", "2026")
                    .replace("{seq}", "0");
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let a = call(&r, m, &uri, &[("kenpo-purpose", "benefits.payment")], None).await;
                assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{backend} {method} {path} without a session");
                assert_eq!(a.body["code"], "unauthenticated", "{backend} {method} {path}: problem details");
                assert_eq!(
                    a.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
                    Some("application/problem+json")
                );
                checked += 1;
            }
        }
        assert!(checked >= 15, "{backend}: {checked} operations checked");

        // 2. A member sees their own data and not another's, whatever id they type.
        let (a, _) = account(&app, &r, "member-one", AccountKind::Member { person_id: 1 }).await;
        let one = browser(&a);
        assert_eq!(a.body["actor"], "member:1");
        let (a, _) = account(&app, &r, "member-three", AccountKind::Member { person_id: 3 }).await;
        let three = browser(&a);
        let own = call(
            &r,
            Method::GET,
            "/api/v1/members/1",
            &[("cookie", &one.cookie), ("kenpo-purpose", "eligibility.management")],
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK, "{backend}: own record {:?}", own.body);
        assert_eq!(own.body["id"], 1);
        for other in ["/api/v1/members/3", "/api/v1/members/3/receipts", "/api/v1/members/2"] {
            let a = call(
                &r,
                Method::GET,
                other,
                &[("cookie", &one.cookie), ("kenpo-purpose", "eligibility.management")],
                None,
            )
            .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: member 1 reading {other}: {:?}", a.body);
            assert_eq!(a.body["code"], "denied");
        }
        let search = call(
            &r,
            Method::GET,
            "/api/v1/members?kana=%E3%82%A2",
            &[("cookie", &one.cookie), ("kenpo-purpose", "eligibility.management")],
            None,
        )
        .await;
        assert_eq!(search.status, StatusCode::FORBIDDEN, "{backend}: a member cannot search everyone");
        let theirs = call(
            &r,
            Method::GET,
            "/api/v1/members/3/receipts",
            &[("cookie", &three.cookie), ("kenpo-purpose", "benefits.payment")],
            None,
        )
        .await;
        assert_eq!(theirs.status, StatusCode::OK, "{backend}: member 3 reads their own receipts {:?}", theirs.body);

        // 3. A contractor (c03, レセプト点検の委託) within its contract and outside it.
        let (a, _) = account(&app, &r, "c03-client", AccountKind::Contractor { contractor_id: "c03".into() }).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.headers.get(header::SET_COOKIE).is_none(), "API clients get no cookie");
        let bearer = format!("Bearer {}", a.body["token"].as_str().expect("a bearer token"));
        let inside = call(
            &r,
            Method::GET,
            "/api/v1/review/findings",
            &[("authorization", &bearer), ("kenpo-purpose", "receipts.review_entrustment")],
            None,
        )
        .await;
        assert_eq!(inside.status, StatusCode::OK, "{backend}: c03 within its contract {:?}", inside.body);
        let outside = call(
            &r,
            Method::GET,
            "/api/v1/members/1",
            &[("authorization", &bearer), ("kenpo-purpose", "benefits.payment")],
            None,
        )
        .await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN, "{backend}: c03 outside its contract");
        let unlisted = call(
            &r,
            Method::GET,
            "/api/v1/members/1",
            &[("authorization", &bearer), ("kenpo-purpose", "marketing.sale")],
            None,
        )
        .await;
        assert_eq!(unlisted.status, StatusCode::BAD_REQUEST, "{backend}: a purpose not in 別表2");
        assert_eq!(unlisted.body["code"], "invalid");

        // 4. CSRF: a state change with the cookie needs the session's token.
        let (a, totp) = account(&app, &r, "tanaka", AccountKind::Staff { role: "receipt_review".into() }).await;
        assert!(totp.is_some(), "レセプト点検 reads 傷病名 (要配慮個人情報): a second factor is required");
        let mut tanaka = browser(&a);
        let list = call(
            &r,
            Method::GET,
            "/api/v1/review/findings",
            &[("cookie", &tanaka.cookie), ("kenpo-purpose", "receipts.review")],
            None,
        )
        .await;
        assert_eq!(list.status, StatusCode::OK);
        let finding = list.body.as_array().and_then(|l| l.first()).expect("the generated receipts give findings")["id"]
            .as_i64()
            .expect("id");
        let uri = format!("/api/v1/review/findings/{finding}/status");
        let body = json!({"status": "rereview", "note": "算定要件を確認するため"});
        for (label, token) in [("no token", None), ("another token", Some("0".repeat(64)))] {
            let mut h = vec![("cookie", tanaka.cookie.as_str()), ("kenpo-purpose", "receipts.review")];
            if let Some(t) = &token {
                h.push(("x-csrf-token", t.as_str()));
            }
            let a = call(&r, Method::PUT, &uri, &h, Some(body.clone())).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {label}");
            assert_eq!(a.body["code"], "csrf", "{backend}: {label}");
        }
        let set = call(
            &r,
            Method::PUT,
            &uri,
            &[("cookie", &tanaka.cookie), ("kenpo-purpose", "receipts.review"), ("x-csrf-token", &tanaka.csrf)],
            Some(body),
        )
        .await;
        assert_eq!(set.status, StatusCode::OK, "{backend}: {:?}", set.body);
        assert_eq!(set.body["status"], "rereview");
        assert_eq!(set.body["status_label"], "再審査請求");
        assert_eq!(set.body["status_by"], "staff:receipt_review:tanaka", "the logged-in account is the actor");
        // Without the second factor the same staff member cannot log in.
        let no_totp =
            call(&r, Method::POST, "/api/v1/session", &[], Some(json!({"login": "tanaka", "password": PASSWORD})))
                .await;
        assert_eq!(no_totp.status, StatusCode::UNAUTHORIZED);
        assert_eq!(no_totp.body["code"], "second_factor_required");

        // 5. The audit log: an API read leaves the entry the same read through the app leaves.
        let (a, sato_totp) = account(&app, &r, "sato", AccountKind::Staff { role: "benefits".into() }).await;
        let sato = browser(&a);
        let before = last_seq(&db).await;
        let read = call(
            &r,
            Method::GET,
            "/api/v1/members/3",
            &[("cookie", &sato.cookie), ("kenpo-purpose", "benefits.payment")],
            None,
        )
        .await;
        assert_eq!(read.status, StatusCode::OK);
        let api_entries = entries_after(&db, before).await;
        let middle = last_seq(&db).await;
        app.person(&ctx("staff:benefits:sato", "benefits.payment"), kenpo_store::PersonId(3)).await.expect("app read");
        let app_entries = entries_after(&db, middle).await;
        assert!(!api_entries.is_empty(), "{backend}: the API read is audited");
        assert_eq!(api_entries, app_entries, "{backend}: the same decisions recorded, entry for entry");
        assert_eq!(api_entries[0].0, "staff:benefits:sato", "the logged-in account is the actor");
        assert!(api_entries.iter().any(|e| e.4 == "allow" && e.6 == "person"), "{backend}: {api_entries:?}");
        // A probe for an id that does not exist is logged too, and answered 404.
        let before = last_seq(&db).await;
        let probe = call(
            &r,
            Method::GET,
            "/api/v1/members/999999",
            &[("cookie", &sato.cookie), ("kenpo-purpose", "benefits.payment")],
            None,
        )
        .await;
        assert_eq!(probe.status, StatusCode::NOT_FOUND);
        let logged = entries_after(&db, before).await;
        assert!(logged.iter().any(|e| e.4 == "allow" && e.6 == "none"), "{backend}: the probe is logged: {logged:?}");

        // 5b. Runs and supervision through the API, each as its role allows.
        let run = call(
            &r,
            Method::POST,
            "/api/v1/review/runs",
            &[("cookie", &tanaka.cookie), ("kenpo-purpose", "receipts.review"), ("x-csrf-token", &tanaka.csrf)],
            Some(json!({"month": "2026-05"})),
        )
        .await;
        assert_eq!(run.status, StatusCode::OK, "{backend}: {:?}", run.body);
        assert_eq!(run.body["month"], "2026-05");
        let refused = call(
            &r,
            Method::POST,
            "/api/v1/review/runs",
            &[("cookie", &sato.cookie), ("kenpo-purpose", "receipts.review"), ("x-csrf-token", &sato.csrf)],
            Some(json!({"month": "2026-05"})),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}: 給付 does not act for レセプト点検");
        let paid = call(
            &r,
            Method::POST,
            "/api/v1/kogaku/runs",
            &[("cookie", &sato.cookie), ("kenpo-purpose", "benefits.payment"), ("x-csrf-token", &sato.csrf)],
            Some(json!({"month": "2026-05"})),
        )
        .await;
        assert_eq!(paid.status, StatusCode::OK, "{backend}: {:?}", paid.body);
        assert_eq!(paid.body["ceilings_from"], "2018-08", "{backend}: May 2026 is under the table before 2026-08");
        let (a, _) = account(&app, &r, "ito", AccountKind::Staff { role: "privacy_officer".into() }).await;
        let ito = browser(&a);
        let report = "/api/v1/audit/contractors/c03?from=2026-01-01&to=2027-12-31";
        let supervised =
            call(&r, Method::GET, report, &[("cookie", &ito.cookie), ("kenpo-purpose", "appi.supervision")], None)
                .await;
        assert_eq!(supervised.status, StatusCode::OK, "{backend}: {:?}", supervised.body);
        assert_eq!(supervised.body["contractor"], "c03");
        assert!(
            supervised.body["accesses"].as_array().is_some_and(|a| !a.is_empty()),
            "{backend}: c03's reads above are in its report: {:?}",
            supervised.body
        );
        // The audit-log viewer: the privacy officer filters; 給付 may not look.
        let viewer = "/api/v1/audit/entries?actor=staff%3Areceipt_review%3Atanaka&purpose=auth.login";
        let seen =
            call(&r, Method::GET, viewer, &[("cookie", &ito.cookie), ("kenpo-purpose", "appi.supervision")], None)
                .await;
        assert_eq!(seen.status, StatusCode::OK, "{backend}: {:?}", seen.body);
        let rules: Vec<&str> =
            seen.body.as_array().expect("entries").iter().filter_map(|e| e["rule"].as_str()).collect();
        // tanaka: one login to use the API, one refused without the second factor (newest first).
        assert_eq!(rules, ["login:second_factor_missing", "login:ok"], "{backend}");
        let about = call(
            &r,
            Method::GET,
            "/api/v1/audit/entries?person=3&limit=1000",
            &[("cookie", &ito.cookie), ("kenpo-purpose", "appi.supervision")],
            None,
        )
        .await;
        assert_eq!(about.status, StatusCode::OK);
        assert!(
            about.body.as_array().is_some_and(|l| l
                .iter()
                .any(|e| e["actor"] == "staff:benefits:sato" && e["subject_kind"] == "person")),
            "{backend}: sato's read of person 3 is in the person's entries"
        );
        let denied =
            call(&r, Method::GET, viewer, &[("cookie", &sato.cookie), ("kenpo-purpose", "appi.supervision")], None)
                .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{backend}");
        let not_sato =
            call(&r, Method::GET, report, &[("cookie", &sato.cookie), ("kenpo-purpose", "appi.supervision")], None)
                .await;
        assert_eq!(
            not_sato.status,
            StatusCode::FORBIDDEN,
            "{backend}: supervision is the privacy officer's or the auditor's"
        );

        // 5c. An export to the body the use names (第三者提供): the CSV, and its provision record.
        let body = json!({"to": "損害保険会社等", "categories": "identity", "who": "ids:1"});
        let h = [
            ("cookie", sato.cookie.as_str()),
            ("kenpo-purpose", "benefits.third_party_recovery"),
            ("x-csrf-token", sato.csrf.as_str()),
        ];
        let req = Request::builder().method(Method::POST).uri("/api/v1/exports");
        let req = h.iter().fold(req, |r, (k, v)| r.header(*k, *v)).header(header::CONTENT_TYPE, "application/json");
        let res = r.clone().oneshot(req.body(Body::from(body.to_string())).expect("request")).await.expect("answer");
        assert_eq!(res.status(), StatusCode::OK, "{backend}");
        assert!(res.headers().get("x-provision-id").is_some(), "{backend}: the provision record is named");
        let csv = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        let csv = String::from_utf8(csv.to_vec()).expect("UTF-8");
        assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 2, "{backend}: header and person 1: {csv}");
        let wrong = call(
            &r,
            Method::POST,
            "/api/v1/exports",
            &h,
            Some(json!({"to": "contractor:c03", "categories": "identity", "who": "ids:1"})),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{backend}: not the recipient the use names: {:?}", wrong.body);

        // 5d. Accounts over HTTP: the privacy officer lists, adds and disables; 給付 may not.
        let officer_h = [
            ("cookie", ito.cookie.as_str()),
            ("kenpo-purpose", "admin.basic_material"),
            ("x-csrf-token", ito.csrf.as_str()),
        ];
        let listed = call(&r, Method::GET, "/api/v1/users", &officer_h, None).await;
        assert_eq!(listed.status, StatusCode::OK, "{backend}: {:?}", listed.body);
        assert!(
            listed.body.as_array().is_some_and(|l| l.iter().any(|a| a["login"] == "tanaka" && a["state"] == "active"))
        );
        let added = call(
            &r,
            Method::POST,
            "/api/v1/users",
            &officer_h,
            Some(json!({"login": "member-five", "kind": "member", "acts_as": "5", "display_name": "本人"})),
        )
        .await;
        assert_eq!(added.status, StatusCode::OK, "{backend}: {:?}", added.body);
        assert_eq!(added.body["account"]["state"], "not_activated");
        assert_eq!(added.body["onetime_code"].as_str().map(str::len), Some(19), "{backend}: XXXX-XXXX-XXXX-XXXX");
        let sato_h = [
            ("cookie", sato.cookie.as_str()),
            ("kenpo-purpose", "admin.basic_material"),
            ("x-csrf-token", sato.csrf.as_str()),
        ];
        let refused = call(&r, Method::POST, "/api/v1/users/tanaka/reset", &sato_h, None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}: 給付 manages no accounts");
        let refused = call(&r, Method::POST, "/api/v1/users/nobody-at-all/reset", &sato_h, None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}: nor learns which logins exist");
        let off = call(&r, Method::POST, "/api/v1/users/tanaka/disable", &officer_h, None).await;
        assert_eq!(off.status, StatusCode::OK);
        assert_eq!(off.body["state"], "disabled");
        let gone = call(&r, Method::GET, "/api/v1/session", &[("cookie", &tanaka.cookie)], None).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "{backend}: a disabled account's sessions end");
        let on = call(&r, Method::POST, "/api/v1/users/tanaka/enable", &officer_h, None).await;
        assert_eq!(on.body["state"], "active", "{backend}");
        let again = call(
            &r,
            Method::POST,
            "/api/v1/session",
            &[],
            Some(json!({"login": "tanaka", "password": PASSWORD, "totp": totp.as_deref().map(totp_now)})),
        )
        .await;
        tanaka = browser(&again);

        // 5c. Under TLS the session cookie carries Secure.
        let r_tls = router(ServerState::new(app.clone(), true));
        let again = call(
            &r_tls,
            Method::POST,
            "/api/v1/session",
            &[],
            Some(json!({"login": "sato", "password": PASSWORD, "totp": sato_totp.as_deref().map(totp_now)})),
        )
        .await;
        let set = again.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(set.contains("Secure") && set.contains("HttpOnly"), "{backend}: {set}");

        // 6. Lockout: five wrong passwords lock the account, and then the right one is refused.
        let (a, _) = account(&app, &r, "suzuki", AccountKind::Staff { role: "eligibility".into() }).await;
        assert_eq!(a.status, StatusCode::OK);
        let totp_code = None::<String>;
        for attempt in 1..=5 {
            let a = call(
                &r,
                Method::POST,
                "/api/v1/session",
                &[],
                Some(json!({"login": "suzuki", "password": "wrong password!!", "totp": totp_code})),
            )
            .await;
            let expected = if attempt < 5 { StatusCode::UNAUTHORIZED } else { StatusCode::LOCKED };
            assert_eq!(a.status, expected, "{backend}: attempt {attempt}");
        }
        let right =
            call(&r, Method::POST, "/api/v1/session", &[], Some(json!({"login": "suzuki", "password": PASSWORD})))
                .await;
        assert_eq!(right.status, StatusCode::LOCKED, "{backend}: locked even with the right password");
        assert_eq!(right.body["code"], "locked");
        // Each attempt on the account is an audit entry under its actor (none touches anyone's data).
        let mut conn = common::raw(&db).await;
        let logins: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT rule, outcome, subject_kind FROM audit_log \
             WHERE actor = 'staff:eligibility:suzuki' AND purpose = 'auth.login' ORDER BY seq",
        )
        .fetch_all(&mut conn)
        .await
        .expect("login entries");
        let rules: Vec<&str> = logins.iter().map(|l| l.0.as_str()).collect();
        let mut expected = vec!["login:ok"];
        expected.extend(["login:bad_password"; 5]);
        expected.push("login:locked");
        assert_eq!(rules, expected, "{backend}");
        assert!(logins.iter().all(|l| l.2 == "none"), "{backend}: {logins:?}");
        assert_eq!(logins.iter().filter(|l| l.1 == "allow").count(), 1, "{backend}: only the first login succeeded");
        let unknown =
            call(&r, Method::POST, "/api/v1/session", &[], Some(json!({"login": "nobody", "password": PASSWORD})))
                .await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.body["detail"], right_or_wrong_detail(), "an unknown login reads like a wrong password");

        // 7. Logout ends the session.
        let out = call(
            &r,
            Method::DELETE,
            "/api/v1/session",
            &[("cookie", &sato.cookie), ("x-csrf-token", &sato.csrf)],
            None,
        )
        .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let after = call(&r, Method::GET, "/api/v1/session", &[("cookie", &sato.cookie)], None).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);

        // 8. An upload: a refused file names its line; a good file is imported with progress.
        let good = std::fs::read(&kept).expect("kept file");
        let mut bad = good.clone();
        let second_line = bad.iter().position(|b| *b == b'\n').expect("lines") + 1;
        bad.splice(second_line..second_line, b"XX,1,2\r\n".iter().copied());
        let job = upload(&r, &tanaka.cookie, &tanaka.csrf, "bad.UKE", bad).await;
        assert_eq!(job.status, StatusCode::ACCEPTED, "{:?}", job.body);
        let done = poll(&r, &tanaka, job.body["id"].as_u64().expect("job id")).await;
        assert_eq!(done["state"], "refused", "{backend}: {done:?}");
        let error = done["error"].as_str().expect("an error");
        assert!(error.contains("bad.UKE") && error.contains('2'), "{backend}: names the file and line: {error}");
        let job = upload(&r, &tanaka.cookie, &tanaka.csrf, "good.UKE", good).await;
        let done = poll(&r, &tanaka, job.body["id"].as_u64().expect("job id")).await;
        assert_eq!(done["state"], "done", "{backend}: {done:?}");
        assert!(done["receipts"].as_u64().unwrap_or(0) > 0);
        assert_eq!(done["receipts_read"], done["receipts"], "progress reached the end");
        // Another account cannot see the job.
        let peek =
            call(&r, Method::GET, &format!("/api/v1/imports/{}", job.body["id"]), &[("cookie", &three.cookie)], None)
                .await;
        assert_eq!(peek.status, StatusCode::NOT_FOUND);

        drop(r);
        if let Ok(app) = Arc::try_unwrap(app) {
            app.close().await;
        }
    }
}

fn right_or_wrong_detail() -> &'static str {
    "ログイン名またはパスワードが違います"
}

async fn poll(r: &axum::Router, b: &Browser, id: u64) -> Value {
    for _ in 0..600 {
        let a = call(r, Method::GET, &format!("/api/v1/imports/{id}"), &[("cookie", &b.cookie)], None).await;
        assert_eq!(a.status, StatusCode::OK);
        if a.body["state"] != "running" {
            return a.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish in 30 s");
}

#[tokio::test]
async fn sessions_end_when_idle() {
    for backend in BACKENDS {
        let db = fresh(backend, "api_idle").await;
        let dir = tempfile::tempdir().expect("temp dir");
        let store = open(&db, VaultKeys::generate()).await;
        let settings = AuthSettings { idle: chrono::Duration::seconds(1), ..Default::default() };
        let app = Arc::new(App::new(store).expect("app").with_auth(settings));
        let r = router(ServerState::new(app.clone(), false));
        drop(dir);
        let (a, _) = account(&app, &r, "yamada", AccountKind::Staff { role: "privacy_officer".into() }).await;
        let b = browser(&a);
        let alive = call(&r, Method::GET, "/api/v1/session", &[("cookie", &b.cookie)], None).await;
        assert_eq!(alive.status, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
        let gone = call(&r, Method::GET, "/api/v1/session", &[("cookie", &b.cookie)], None).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(gone.body["code"], "session_expired", "{backend}");
        let again = call(&r, Method::GET, "/api/v1/session", &[("cookie", &b.cookie)], None).await;
        assert_eq!(again.body["code"], "unauthenticated", "{backend}: an expired session stays ended");
    }
}
