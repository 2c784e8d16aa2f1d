//! 標準報酬 and premiums over HTTP on both backends, in process (tower's `oneshot` against the
//! real router, store and policy), as 適用担当 (the role `eligibility`, which acts for
//! premiums.remuneration and premiums.collection in policy/notice.toml):
//! - the society's rates posted as TOML and read back in parts per million; a month's run issues
//!   the 納入告知, each equal to the sum of its 明細, and is refused the second time;
//! - a bank statement paying one invoice short leaves the shortfall outstanding and in arrears the
//!   day after the due day; a malformed statement is refused naming line and column, never the
//!   value, and books nothing;
//! - a KPFD 算定基礎届 decides the member's 標準報酬; a malformed one names line and column 合計;
//!   the same file twice is a conflict;
//! - the screens: 保険料 in the menu, the run only with the CSRF token, the invoice's 明細, and the
//!   取込 kinds 入金明細 and 報酬の届書;
//! - a role without the premium uses is refused, on the API and the screens.
//!
//! Every expected amount is worked by hand in the comments from the rates below (per mille):
//! 基本 20/25, 特定 23/27, 調整 0.65/0.65, 介護 9/9, 子ども・子育て支援金 1.15/1.15
//! (member/employer), so 一般 = 基本 + 特定 = 43/52 (whole 95/1000).

#[path = "../../store/tests/common.rs"]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;
use common::{BACKENDS, ctx, day, fresh, open};
use kenpo_app::App;
use kenpo_domain::YearMonth;
use kenpo_domain::kogaku::yen;
use kenpo_domain::person::{EligibilityPeriod, Person, PersonKind, StandardRemuneration};
use kenpo_domain::remuneration::{PayMonth, WorkerKind};
use kenpo_formats::nenkin::{FiledPerson, Layout, Office, SocietyFields};
use kenpo_formats::nenkin_pay::{AnnualReport, PayFiling, PayRecord, write_pay_filing};
use kenpo_server::{ServerState, router};
use kenpo_store::{AccountKind, VaultKeys};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
/// 標準報酬月額及び標準賞与額の把握: the rates, the 報酬の届書 and the determinations.
const REMUNERATION: &str = "premiums.remuneration";
/// 保険料の徴収: the month's run, the invoices, the payments and the statements.
const COLLECTION: &str = "premiums.collection";
/// The non-payment loss is an eligibility event (it writes income and relation too).
const MANAGEMENT: &str = "eligibility.management";

/// The society's rates from 2026-04 (README §保険料's layout).
const RATES: &str = r#"
effective_from = "2026-04"
voluntary_cap = 320000
care_for_specified = false
basic = { member = "20.0", employer = "25.0" }
specific = { member = "23.0", employer = "27.0" }
adjustment = { member = "0.65", employer = "0.65" }
care = { member = "9.0", employer = "9.0" }
support = { member = "1.15", employer = "1.15" }
"#;

// ---------------------------------------------------------------------------------------------
// HTTP helpers (as crates/server/tests/eligibility.rs)
// ---------------------------------------------------------------------------------------------

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    fn detail(&self) -> String {
        self.json()["detail"].as_str().unwrap_or("").to_string()
    }
    fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

async fn send(
    r: &axum::Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some((content_type, bytes)) => req.header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = r.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 << 20).await.expect("body").to_vec();
    Answer { status, headers, bytes }
}

/// A logged-in API client: its cookie header and CSRF token.
struct Client {
    cookie: String,
    csrf: String,
}

impl Client {
    async fn get(&self, r: &axum::Router, uri: &str, purpose: &str) -> Answer {
        send(r, Method::GET, uri, &[("cookie", &self.cookie), ("kenpo-purpose", purpose)], None).await
    }
    async fn post_json(&self, r: &axum::Router, uri: &str, purpose: &str, body: Value) -> Answer {
        let h = [("cookie", self.cookie.as_str()), ("x-csrf-token", self.csrf.as_str()), ("kenpo-purpose", purpose)];
        send(r, Method::POST, uri, &h, Some(("application/json", body.to_string().into_bytes()))).await
    }
    /// A POST without a body (the month's run).
    async fn post(&self, r: &axum::Router, uri: &str, purpose: &str) -> Answer {
        let h = [("cookie", self.cookie.as_str()), ("x-csrf-token", self.csrf.as_str()), ("kenpo-purpose", purpose)];
        send(r, Method::POST, uri, &h, None).await
    }
    /// POSTs a file as an upload (octet-stream body, the name in X-File-Name).
    async fn upload(&self, r: &axum::Router, uri: &str, purpose: &str, name: &str, bytes: Vec<u8>) -> Answer {
        let h = [
            ("cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("kenpo-purpose", purpose),
            ("x-file-name", name),
        ];
        send(r, Method::POST, uri, &h, Some(("application/octet-stream", bytes))).await
    }
    async fn invoices(&self, r: &axum::Router, month: &str) -> Vec<Value> {
        let a = self.get(r, &format!("/api/v1/premiums/invoices?month={month}"), COLLECTION).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json().as_array().cloned().expect("an array of invoices")
    }
}

fn totp_now(base32: &str) -> String {
    let secret = totp_rs::Secret::Encoded(base32.to_string()).to_bytes().expect("base32 secret");
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).expect("totp").generate_current().expect("clock")
}

/// An account made by the privacy officer and activated; its TOTP secret if the role has one.
async fn activated(app: &App, login: &str, role: &str) -> Option<String> {
    let officer = ctx("staff:privacy_officer:test", "admin.basic_material");
    let issued = app
        .add_account(&officer, login, AccountKind::Staff { role: role.into() }, "試験", chrono::Utc::now())
        .await
        .expect("add account");
    app.activate(login, &issued.onetime_code, PASSWORD, chrono::Utc::now()).await.expect("activate");
    issued.totp_secret
}

/// Logs in through the API (`POST /api/v1/session`).
async fn api_login(app: &App, r: &axum::Router, login: &str, role: &str) -> Client {
    let totp = activated(app, login, role).await;
    let body = json!({"login": login, "password": PASSWORD, "totp": totp.as_deref().map(totp_now)});
    let a =
        send(r, Method::POST, "/api/v1/session", &[], Some(("application/json", body.to_string().into_bytes()))).await;
    assert_eq!(a.status, StatusCode::OK, "{login} logs in: {}", a.text());
    let set = a.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().expect("ascii");
    let cookie = set.split(';').next().expect("name=value").to_string();
    Client { cookie, csrf: a.json()["csrf_token"].as_str().expect("csrf").to_string() }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Logs in through the login form: the session cookie and the CSRF token the menu's forms carry.
async fn web_login(app: &App, r: &axum::Router, login: &str, role: &str) -> (String, String) {
    let totp = activated(app, login, role).await;
    let mut form = format!("login={}&password={}", url_encode(login), url_encode(PASSWORD));
    if let Some(secret) = &totp {
        form.push_str(&format!("&totp={}", totp_now(secret)));
    }
    let p = send(r, Method::POST, "/login", &[], Some((FORM, form.into_bytes()))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{login} logs in: {}", p.text());
    let cookie = p
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kenpo_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let menu = send(r, Method::GET, "/menu", &[("cookie", &cookie)], None).await.text();
    let csrf = menu
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the menu carries the CSRF token")
        .to_string();
    (cookie, csrf)
}

/// Chooses the purpose in force through the header's form (`POST /purpose`): the session cookie
/// with the purpose cookie the answer sets.
async fn choose_purpose(r: &axum::Router, session: &str, csrf: &str, purpose: &str, back: &str) -> String {
    let body = format!("_csrf={csrf}&purpose={}&back={}", url_encode(purpose), url_encode(back));
    let p = send(r, Method::POST, "/purpose", &[("cookie", session)], Some((FORM, body.into_bytes()))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{purpose}: {}", p.text());
    assert_eq!(p.location(), back, "back to the page it was chosen on");
    let set = p
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kenpo_purpose="))
        .and_then(|v| v.split(';').next())
        .expect("a purpose cookie")
        .to_string();
    assert_eq!(set, format!("kenpo_purpose={purpose}"));
    format!("{session}; {set}")
}

/// Uploads a file through the 取込 screen (multipart: _csrf, kind, file) and waits for its job
/// to finish; the job page.
async fn screen_import(r: &axum::Router, cookie: &str, csrf: &str, kind: &str, name: &str, bytes: &[u8]) -> String {
    let b = "kenpoTESTboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={b}");
    let p = send(r, Method::POST, "/imports", &[("cookie", cookie)], Some((&content_type, body))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{kind}: {}", p.text());
    let job = p.location();
    assert!(job.starts_with("/imports/"), "{job}");
    for _ in 0..400 {
        let page = send(r, Method::GET, &job, &[("cookie", cookie)], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let text = page.text();
        if !text.contains("取込中です") {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the {kind} import did not finish");
}

// ---------------------------------------------------------------------------------------------
// The roster, the files
// ---------------------------------------------------------------------------------------------

/// A synthetic roster with one member made known.
struct Cast {
    society: kenpo_synth::Society,
    people: Vec<Person>,
    /// An employed member (本人), born 1975-06-01 (50 in 2026: 介護2号), covered from 2010-04-01,
    /// 標準報酬月額 27級 410,000 from 2025-09-01 and nothing after, no bonus on file.
    member: usize,
}

impl Cast {
    /// A roster person's id is its index + 1 (ids are allocated in file order on a fresh db).
    fn member_id(&self) -> i64 {
        self.member as i64 + 1
    }
    fn employer(&self) -> String {
        self.people[self.member].employer_code.clone().expect("the member has an employer")
    }
    /// The member's 番号 under the employer's 記号 (the KPFD 被保険者証番号).
    fn card_number(&self) -> String {
        self.people[self.member].card.number.clone()
    }
}

fn cast() -> Cast {
    let (society, mut people) = common::society(40);
    let member = people
        .iter()
        .position(|p| p.kind == PersonKind::Insured && p.employer_code.is_some())
        .expect("the synthetic roster has an employed member");
    let m = &mut people[member];
    m.birth_date = day(1975, 6, 1);
    m.eligibility = vec![EligibilityPeriod {
        acquired_on: day(2010, 4, 1),
        acquisition_reason: "採用".into(),
        lost_on: None,
        loss_reason: None,
    }];
    m.remuneration = vec![StandardRemuneration { effective_from: day(2025, 9, 1), grade: 27, monthly_amount: 410_000 }];
    m.bonuses = Vec::new();
    m.my_number = None;
    // A short name: the KPFD カナ field holds 25 half-width characters.
    m.name_kana = "ヤマダ\u{3000}タロウ".into();
    m.name_kanji = "山田\u{3000}太郎".into();
    Cast { society, people, member }
}

/// A fresh database of the backend with the roster, the app and the router.
async fn setup(backend: &'static str, tag: &str) -> (common::TestDb, Arc<App>, axum::Router, Cast) {
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    let cast = cast();
    store
        .import_roster(&common::importer(), "roster.csv", "roster", common::rows(&cast.society, &cast.people), &|_| {})
        .await
        .expect("roster");
    let app = Arc::new(App::new(store).expect("app"));
    let r = router(ServerState::new(app.clone(), false));
    (db, app, r, cast)
}

async fn close(r: axum::Router, app: Arc<App>) {
    drop(r);
    if let Ok(app) = Arc::try_unwrap(app) {
        app.close().await;
    }
}

/// Posts the rates (premiums.remuneration) and runs 2026-05 (premiums.collection); the run.
async fn rates_and_may(staff: &Client, r: &axum::Router, backend: &str) -> Value {
    let a = staff.post_json(r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": RATES})).await;
    assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
    let run = staff.post(r, "/api/v1/premiums/months/2026-05/run", COLLECTION).await;
    assert_eq!(run.status, StatusCode::OK, "{backend}: {}", run.text());
    run.json()
}

/// A bank statement (UTF-8) with the documented header.
fn bank(rows: &[String]) -> Vec<u8> {
    let mut text = String::from("入金日,振込依頼人コード,振込依頼人名,金額\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

fn pay_month(m: u32, days: u32, cash: i64) -> PayMonth {
    PayMonth { month: YearMonth::from_parts(2026, m), base_days: days, cash, in_kind: 0 }
}

/// The member's 2026 算定基礎届 as a KPFD (健保組合 copy) file from their employer: April, May
/// and June 20 days each, 300,000 each (no 現物).
fn santei(cast: &Cast, created_on: NaiveDate) -> Vec<u8> {
    let p = &cast.people[cast.member];
    let record = PayRecord::Annual(AnnualReport {
        line: 1,
        person: FiledPerson {
            kana: p.name_kana.clone(),
            kanji: Some(p.name_kanji.clone()),
            birth: p.birth_date,
            my_number: None,
        },
        applies_from: YearMonth::from_parts(2026, 9),
        previous_standard: Some(410_000),
        pay_change: None,
        retroactive: None,
        months: [pay_month(4, 20, 300_000), pay_month(5, 20, 300_000), pay_month(6, 20, 300_000)],
        // Every month has 17 days or more and counts: 900,000; ÷ 3 = 300,000.
        total: 900_000,
        average: 300_000,
        corrected_average: None,
        worker: WorkerKind::Regular,
        yearly_average: false,
        mid_year_join: false,
        on_leave: false,
        seventy_only: false,
        society: SocietyFields { office: None, card_number: Some(cast.card_number()) },
    });
    write_pay_filing(&PayFiling {
        layout: Layout::Society,
        created_on,
        office: Office { number: cast.employer(), name: "株式会社試験".into() },
        records: vec![record],
    })
    .expect("the test filing is writable")
}

/// Replaces field `field` (0-based) of file line `line` (1-based) in a written filing. The
/// filing is Shift_JIS, whose bytes never hold an ASCII comma or LF inside a character.
fn set_field(bytes: &[u8], line: usize, field: usize, value: &str) -> Vec<u8> {
    let lines: Vec<Vec<u8>> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| {
            if i + 1 != line {
                return l.to_vec();
            }
            let mut fields: Vec<Vec<u8>> = l.split(|b| *b == b',').map(<[u8]>::to_vec).collect();
            fields[field] = value.as_bytes().to_vec();
            fields.join(&b","[..])
        })
        .collect();
    lines.join(&b"\n"[..])
}

fn find_payer<'a>(invoices: &'a [Value], payer: &str) -> &'a Value {
    invoices.iter().find(|i| i["payer"] == payer).unwrap_or_else(|| panic!("an invoice to {payer}: {invoices:?}"))
}

// ---------------------------------------------------------------------------------------------
// 1. Rates, the month's run, invoices and their lines
// ---------------------------------------------------------------------------------------------

/// The TOML's per-mille rates come back in parts per million of the 標準報酬 ("20.0" → 20/1000 =
/// 20,000 ppm; "0.65" → 650; "1.15" → 1,150). 2026-05 for the member: 410,000 (27級), 50 years
/// old (介護2号), withheld from pay (50銭 or less dropped, more rounded up); the employer pays the
/// whole (円未満切捨て) less the member's share:
///   一般  whole 410,000 × 95/1000 = 38,950;  member × 43/1000 = 17,630;  employer 21,320
///   調整  whole 410,000 × 1.3/1000 = 533;    member × 0.65/1000 = 266.5 → 266; employer 267
///   介護  whole 410,000 × 18/1000 = 7,380;   member × 9/1000 = 3,690;   employer 3,690
///   支援金 whole 410,000 × 2.3/1000 = 943;    member × 1.15/1000 = 471.5 → 471; employer 472
///   member 17,630 + 266 + 3,690 + 471 = 22,057; employer 21,320 + 267 + 3,690 + 472 = 25,749.
/// The employer's invoice is due at the end of the next month (2026-06-30).
#[tokio::test]
async fn rates_month_run_and_invoice_lines_over_http() {
    for backend in BACKENDS {
        let (_db, app, r, cast) = setup(backend, "prem_api").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;

        // Rates below 160条's floor are refused: 基本 10 + 10, 特定 5 + 4 → 一般 29/1000 < 30/1000.
        let low = RATES
            .replace(
                r#"basic = { member = "20.0", employer = "25.0" }"#,
                r#"basic = { member = "10", employer = "10" }"#,
            )
            .replace(
                r#"specific = { member = "23.0", employer = "27.0" }"#,
                r#"specific = { member = "5", employer = "4" }"#,
            );
        let a = staff.post_json(&r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": low})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let a = staff.get(&r, "/api/v1/premiums/rates", REMUNERATION).await;
        assert_eq!((a.status, a.json()), (StatusCode::OK, json!([])), "{backend}: nothing recorded");

        let a = staff.post_json(&r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": RATES})).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let expected = json!({
            "effective_from": "2026-04",
            "basic": {"member": 20_000, "employer": 25_000},
            "specific": {"member": 23_000, "employer": 27_000},
            "adjustment": {"member": 650, "employer": 650},
            "care": {"member": 9_000, "employer": 9_000},
            "support": {"member": 1_150, "employer": 1_150},
            "care_for_specified": false,
            "voluntary_cap": 320_000,
        });
        assert_eq!(a.json(), expected, "{backend}");
        let a = staff.get(&r, "/api/v1/premiums/rates", REMUNERATION).await;
        assert_eq!((a.status, a.json()), (StatusCode::OK, json!([expected])), "{backend}");

        // The run.
        let run = staff.post(&r, "/api/v1/premiums/months/2026-05/run", COLLECTION).await;
        assert_eq!(run.status, StatusCode::OK, "{backend}: {}", run.text());
        let run = run.json();
        assert_eq!(run["month"], "2026-05", "{backend}");
        let n = run["invoices"].as_u64().expect("a count");
        assert!(n > 0, "{backend}: {run}");
        let invoices = staff.invoices(&r, "2026-05").await;
        assert_eq!(invoices.len() as u64, n, "{backend}: one invoice per payer as the run says");
        let sum = |k: &str| invoices.iter().map(|i| i[k].as_i64().expect("yen")).sum::<i64>();
        assert_eq!(
            (run["member_total"].as_i64(), run["employer_total"].as_i64(), run["total"].as_i64()),
            (Some(sum("member_total")), Some(sum("employer_total")), Some(sum("total"))),
            "{backend}"
        );

        // Each invoice is the sum of its lines; its members the distinct persons on it.
        for inv in &invoices {
            let id = inv["id"].as_i64().expect("id");
            let a = staff.get(&r, &format!("/api/v1/premiums/invoices/{id}/lines"), COLLECTION).await;
            assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
            let lines = a.json();
            let lines = lines.as_array().expect("lines");
            let side = |k: &str| lines.iter().map(|l| l[k].as_i64().expect("yen")).sum::<i64>();
            assert_eq!(inv["member_total"].as_i64(), Some(side("member_total")), "{backend}: {inv}");
            assert_eq!(inv["employer_total"].as_i64(), Some(side("employer_total")), "{backend}: {inv}");
            assert_eq!(inv["total"].as_i64(), Some(side("member_total") + side("employer_total")), "{backend}");
            let people: std::collections::BTreeSet<i64> =
                lines.iter().filter_map(|l| l["person_id"].as_i64()).collect();
            assert_eq!(inv["members"].as_i64(), Some(people.len() as i64), "{backend}: {inv}");
            for l in lines {
                let part = |k: &str, i: usize| l[k][i].as_i64().expect("yen");
                let m: i64 = ["general", "adjustment", "care", "support"].iter().map(|k| part(k, 0)).sum();
                let e: i64 = ["general", "adjustment", "care", "support"].iter().map(|k| part(k, 1)).sum();
                assert_eq!((l["member_total"].as_i64(), l["employer_total"].as_i64()), (Some(m), Some(e)), "{backend}");
            }
        }

        // The member's employer's invoice and the member's line, by hand (above).
        let a = find_payer(&invoices, &cast.employer());
        assert_eq!(
            (a["payer_kind"].clone(), a["due_on"].clone()),
            (json!("employer"), json!("2026-06-30")),
            "{backend}"
        );
        let lines = staff.get(&r, &format!("/api/v1/premiums/invoices/{}/lines", a["id"]), COLLECTION).await.json();
        let mine: Vec<&Value> =
            lines.as_array().expect("lines").iter().filter(|l| l["person_id"] == cast.member_id()).collect();
        assert_eq!(mine.len(), 1, "{backend}: one line (no bonus in May)");
        let l = mine[0];
        assert_eq!((l["source"].clone(), l["base"].clone()), (json!("monthly"), json!(410_000)), "{backend}");
        assert_eq!(l["card_number"], cast.card_number(), "{backend}");
        assert_eq!(l["general"], json!([17_630, 21_320]), "{backend}: 一般");
        assert_eq!(l["adjustment"], json!([266, 267]), "{backend}: 調整 (266.5 withheld → 266)");
        assert_eq!(l["care"], json!([3_690, 3_690]), "{backend}: 介護");
        assert_eq!(l["support"], json!([471, 472]), "{backend}: 支援金 (471.5 withheld → 471)");
        assert_eq!((l["member_total"].clone(), l["employer_total"].clone()), (json!(22_057), json!(25_749)));
        assert!(!l["reasoning"].as_array().expect("reasoning").is_empty(), "{backend}: the calculation is shown");
        let missing = staff.get(&r, "/api/v1/premiums/invoices/999999/lines", COLLECTION).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{backend}");

        // The same month again: refused, nothing added.
        let again = staff.post(&r, "/api/v1/premiums/months/2026-05/run", COLLECTION).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{backend}: {}", again.text());
        assert_eq!(again.headers[header::CONTENT_TYPE], "application/problem+json", "{backend}");
        assert!(again.detail().contains("告知済み"), "{backend}: {}", again.detail());
        assert_eq!(staff.invoices(&r, "2026-05").await.len() as u64, n, "{backend}: unchanged");
        // A malformed month names the parameter.
        let bad = staff.post(&r, "/api/v1/premiums/months/2026-13/run", COLLECTION).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(bad.detail().contains("month"), "{backend}: {}", bad.detail());
        // The invoiced month keeps its rates: a set from 2026-05 is refused, the rates unchanged.
        let may = RATES.replace("2026-04", "2026-05").replace(r#"member = "20.0""#, r#"member = "21.0""#);
        let a = staff.post_json(&r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": may})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        assert!(a.detail().contains("告知済み"), "{backend}: {}", a.detail());
        let a = staff.get(&r, "/api/v1/premiums/rates", REMUNERATION).await;
        assert_eq!(a.json(), json!([expected]), "{backend}");
        close(r, app).await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Payments and statements
// ---------------------------------------------------------------------------------------------

/// After 2026-05 is invoiced, the member's employer pays its total less 1,000 on 2026-06-25: it
/// owes 1,000, not late on the due day 2026-06-30, in arrears on the next day 2026-07-01. A bank
/// file with a bad amount on line 2 is refused naming line 2 and 金額 (not the value) and books
/// nothing: the received total stays total − 1,000. The good file again is a conflict.
#[tokio::test]
async fn payments_and_statements_over_http() {
    for backend in BACKENDS {
        let (_db, app, r, cast) = setup(backend, "prem_pay").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        rates_and_may(&staff, &r, backend).await;
        let payer = cast.employer();
        let invoices = staff.invoices(&r, "2026-05").await;
        let inv = find_payer(&invoices, &payer);
        let (id, total) = (inv["id"].as_i64().expect("id"), inv["total"].as_i64().expect("yen"));
        assert!(total > 1_000, "{backend}: {inv}");

        let good = bank(&[format!("2026-06-25,{payer},株式会社試験,{}", total - 1_000)]);
        let a = staff.upload(&r, "/api/v1/premiums/payments", COLLECTION, "bank-2026-06.csv", good.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!((a.json()["payments"].clone(), a.json()["amount"].clone()), (json!(1), json!(total - 1_000)));

        let statement = |on: &str| {
            let (staff, r, uri) = (&staff, &r, format!("/api/v1/premiums/statements?payer={payer}&on={on}"));
            async move {
                let a = staff.get(r, &uri, COLLECTION).await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.text());
                let rows = a.json();
                assert_eq!(rows.as_array().map(Vec::len), Some(1), "one payer: {rows}");
                rows[0].clone()
            }
        };
        // The day after the due day: 1,000 outstanding, in arrears.
        let s = statement("2026-07-01").await;
        assert_eq!(s["payer"], payer, "{backend}");
        assert_eq!(
            (s["billed"].clone(), s["received"].clone(), s["outstanding"].clone(), s["credit"].clone()),
            (json!(total), json!(total - 1_000), json!(1_000), json!(0)),
            "{backend}: {s}"
        );
        let row = s["invoices"].as_array().and_then(|v| v.iter().find(|i| i["invoice_id"] == id)).expect("the invoice");
        assert_eq!(
            (row["amount"].clone(), row["paid"].clone(), row["outstanding"].clone(), row["in_arrears"].clone()),
            (json!(total), json!(total - 1_000), json!(1_000), json!(true)),
            "{backend}: {row}"
        );
        assert_eq!(row["settled_on"], Value::Null, "{backend}: not settled");
        // On the due day itself it is owed but not yet in arrears.
        let s = statement("2026-06-30").await;
        assert_eq!(s["invoices"][0]["in_arrears"], false, "{backend}: {s}");
        assert_eq!(s["outstanding"], 1_000, "{backend}");

        // A bad amount on line 2 (the header is line 1).
        let secret = "98765x";
        let bad = bank(&[format!("2026-06-26,{payer},株式会社試験,{secret}")]);
        let a = staff.upload(&r, "/api/v1/premiums/payments", COLLECTION, "bank-bad.csv", bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{backend}");
        let detail = a.detail();
        assert!(detail.contains("bank-bad.csv:2:") && detail.contains("金額"), "{backend}: {detail}");
        assert!(!a.text().contains("98765"), "{backend}: the value is echoed: {}", a.text());
        let s = statement("2026-07-01").await;
        assert_eq!(
            (s["received"].clone(), s["outstanding"].clone()),
            (json!(total - 1_000), json!(1_000)),
            "{backend}"
        );

        // The same statement again is a conflict, whatever its name; nothing is booked.
        let a = staff.upload(&r, "/api/v1/premiums/payments", COLLECTION, "bank-copy.csv", good).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{backend}: {}", a.text());
        assert_eq!(statement("2026-07-01").await["received"], json!(total - 1_000), "{backend}");
        // Without a file name the upload is refused before it is read.
        let h =
            [("cookie", staff.cookie.as_str()), ("x-csrf-token", staff.csrf.as_str()), ("kenpo-purpose", COLLECTION)];
        let body = bank(&[format!("2026-06-27,{payer},株式会社試験,1000")]);
        let a = send(&r, Method::POST, "/api/v1/premiums/payments", &h, Some(("application/octet-stream", body))).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(a.detail().contains("X-File-Name"), "{backend}: {}", a.detail());
        // A malformed payer code is refused.
        let a = staff.get(&r, "/api/v1/premiums/statements?payer=a%20b", COLLECTION).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        assert_eq!(statement("2026-07-01").await["received"], json!(total - 1_000), "{backend}");
        close(r, app).await;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. 報酬の届書
// ---------------------------------------------------------------------------------------------

/// The member's 2026 算定基礎届 (KPFD, their employer's 事業所番号 and their 番号): April–June 20
/// days (≥ 17: all count) and 300,000 each → average 900,000 ÷ 3 = 300,000 → 22級 300,000
/// (290,000 ≤ 300,000 < 310,000) from 2026-09, the previous 410,000 (in force on 2026-08-31)
/// noted; filed for 2026-09 (適用年月). The same line with April's 合計 300,001 (≠ 300,000 + 0)
/// is refused naming line 6 (header, [kanri], count, office, [data], then the line) and 合計; the
/// good file again is a conflict.
#[tokio::test]
async fn pay_filing_determines_the_standard_over_http() {
    for backend in BACKENDS {
        let (_db, app, r, cast) = setup(backend, "prem_filing").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        let employer = cast.employer();
        let uri = format!("/api/v1/premiums/filings?employer={employer}");
        let file = santei(&cast, day(2026, 7, 5));

        let a = staff.upload(&r, &uri, REMUNERATION, "KPFD0006-santei.CSV", file.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let s = a.json();
        assert_eq!(
            (s["determinations"].clone(), s["not_revised"].clone(), s["excluded"].clone(), s["bonuses"].clone()),
            (json!(1), json!(0), json!(0), json!(0)),
            "{backend}: {s}"
        );
        assert_eq!(s["lines"].as_array().map(Vec::len), Some(1), "{backend}: {s}");
        assert_eq!(s["lines"][0]["line"], 6, "{backend}: the file's line");

        let uri_d = format!("/api/v1/premiums/determinations?month=2026-09&employer={employer}");
        let d = staff.get(&r, &uri_d, REMUNERATION).await;
        assert_eq!(d.status, StatusCode::OK, "{backend}: {}", d.text());
        let rows = d.json();
        let rows = rows.as_array().expect("rows").clone();
        assert_eq!(rows.len(), 1, "{backend}: {rows:?}");
        let d = &rows[0];
        assert_eq!(d["person_id"], cast.member_id(), "{backend}");
        assert_eq!(
            (d["kind"].clone(), d["filed_month"].clone(), d["decided"].clone()),
            (json!("annual"), json!("2026-09"), json!(true))
        );
        assert_eq!(
            (d["effective_from"].clone(), d["grade"].clone(), d["monthly_amount"].clone(), d["average"].clone()),
            (json!("2026-09"), json!(22), json!(300_000), json!(300_000)),
            "{backend}: {d}"
        );
        assert_eq!(d["previous_amount"], 410_000, "{backend}");
        assert_eq!(
            (d["employer_code"].clone(), d["card_number"].clone()),
            (json!(employer), json!(cast.card_number()))
        );
        // Other months have none.
        let other = staff
            .get(&r, &format!("/api/v1/premiums/determinations?month=2026-10&employer={employer}"), REMUNERATION)
            .await;
        assert_eq!(other.json(), json!([]), "{backend}");

        // 合計 (field 34, index 33) of April on the data line: 300,001 filed for 300,000 + 0.
        let bad = set_field(&santei(&cast, day(2026, 7, 6)), 6, 33, "300001");
        let a = staff.upload(&r, &uri, REMUNERATION, "santei-bad.CSV", bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{backend}");
        let detail = a.detail();
        assert!(detail.contains("santei-bad.CSV:6:") && detail.contains("column 合計"), "{backend}: {detail}");
        assert!(!a.text().contains("300001"), "{backend}: the value is echoed: {detail}");
        assert_eq!(staff.get(&r, &uri_d, REMUNERATION).await.json().as_array().map(Vec::len), Some(1), "{backend}");

        // The same file again, under another name: a conflict, nothing added.
        let a = staff.upload(&r, &uri, REMUNERATION, "KPFD0006-copy.CSV", file).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{backend}: {}", a.text());
        assert_eq!(a.json()["code"], "conflict", "{backend}");
        assert_eq!(staff.get(&r, &uri_d, REMUNERATION).await.json().as_array().map(Vec::len), Some(1), "{backend}");
        // A malformed employer code is refused before the file is read.
        let a = staff.upload(&r, "/api/v1/premiums/filings?employer=a-b", REMUNERATION, "x.CSV", b"x".to_vec()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(a.detail().contains("employer"), "{backend}: {}", a.detail());
        close(r, app).await;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Screens
// ---------------------------------------------------------------------------------------------

/// As 適用担当 at a browser with premiums.collection in force: 保険料 in the menu; the month's run
/// only with the CSRF token, then back to the month; the invoice's 明細 with the member's 番号 and
/// their shares (22,057 / 25,749, worked in the first test); then the 取込 kinds: a bank
/// statement settling the invoice exactly (入金明細), and, with premiums.remuneration in force,
/// the member's 算定基礎届 (報酬の届書: 1 決定).
#[tokio::test]
async fn premium_screens_run_show_the_invoice_and_take_the_files() {
    for backend in BACKENDS {
        let (_db, app, r, cast) = setup(backend, "prem_web").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        let a = staff.post_json(&r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": RATES})).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());

        let (session, csrf) = web_login(&app, &r, "tekiyo-web", "eligibility").await;
        let collecting = choose_purpose(&r, &session, &csrf, COLLECTION, "/premiums").await;
        let c = [("cookie", collecting.as_str())];
        let menu = send(&r, Method::GET, "/menu", &c, None).await;
        assert_eq!(menu.status, StatusCode::OK, "{backend}");
        assert!(menu.text().contains("<a href=\"/premiums\">保険料</a>"), "{backend}: 保険料 in the menu");

        // Before any run: the page, nothing invoiced.
        let p = send(&r, Method::GET, "/premiums", &c, None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        assert!(p.text().contains("<h1>保険料</h1>") && !p.text().contains("の納入告知（"), "{backend}");

        // The run: a form post, so only with the session's token.
        let no_token = send(&r, Method::POST, "/premiums/run", &c, Some((FORM, b"month=2026-05".to_vec()))).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{backend}: without _csrf");
        let wrong = send(&r, Method::POST, "/premiums/run", &c, Some((FORM, b"_csrf=00&month=2026-05".to_vec()))).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{backend}: a wrong _csrf");
        assert_eq!(staff.invoices(&r, "2026-05").await, Vec::<Value>::new(), "{backend}: nothing ran");
        let form = format!("_csrf={csrf}&month=2026-05").into_bytes();
        let run = send(&r, Method::POST, "/premiums/run", &c, Some((FORM, form))).await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{backend}: {}", run.text());
        assert_eq!(run.location(), "/premiums?month=2026-05&done=run", "{backend}");

        let invoices = staff.invoices(&r, "2026-05").await;
        assert!(!invoices.is_empty(), "{backend}");
        let total: i64 = invoices.iter().map(|i| i["total"].as_i64().expect("yen")).sum();
        let inv = find_payer(&invoices, &cast.employer()).clone();
        let id = inv["id"].as_i64().expect("id");
        let p = send(&r, Method::GET, &run.location(), &c, None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        let page = p.text();
        assert!(page.contains("<h1>保険料</h1>"), "{backend}");
        assert!(page.contains("2026-05 の保険料を計算し、納入告知を作成しました。"), "{backend}");
        let heading = format!("2026-05 の納入告知（{} 件、合計 {} 円）", invoices.len(), yen(total));
        assert!(page.contains(&heading), "{backend}: {heading}");
        assert!(page.contains(&format!("/premiums/invoices/{id}")), "{backend}: linked to its 明細");
        assert!(page.contains(&cast.employer()) && page.contains("2026-06-30"), "{backend}: payer and due day");
        // The same month again from the screen: refused, nothing added.
        let form = format!("_csrf={csrf}&month=2026-05").into_bytes();
        let again = send(&r, Method::POST, "/premiums/run", &c, Some((FORM, form))).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{backend}: {}", again.text());
        assert!(again.text().contains("告知済み"), "{backend}");
        assert_eq!(staff.invoices(&r, "2026-05").await.len(), invoices.len(), "{backend}");

        // The invoice's 明細.
        let p = send(&r, Method::GET, &format!("/premiums/invoices/{id}"), &c, None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        let page = p.text();
        assert!(page.contains(&format!("納入告知 {id} の明細")) && page.contains("明細"), "{backend}");
        assert!(page.contains(&cast.card_number()), "{backend}: the member's 番号");
        assert!(page.contains("22,057") && page.contains("25,749"), "{backend}: the member's shares");
        assert!(page.contains(&format!("合計 {} 円", yen(inv["total"].as_i64().expect("yen")))), "{backend}");
        let missing = send(&r, Method::GET, "/premiums/invoices/999999", &c, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{backend}");

        // 取込: the bank's statement, settling the invoice exactly, under premiums.collection.
        let t = inv["total"].as_i64().expect("yen");
        let statement = bank(&[format!("2026-06-20,{},株式会社試験,{t}", cast.employer())]);
        let job = screen_import(&r, &collecting, &csrf, "payments", "bank-2026-06.csv", &statement).await;
        assert!(job.contains("入金明細") && job.contains("取り込みました"), "{backend}: {job}");
        assert!(job.contains(&format!("入金 1 件、{} 円を記録しました", yen(t))), "{backend}: {job}");
        let s = staff
            .get(&r, &format!("/api/v1/premiums/statements?payer={}&on=2026-07-01", cast.employer()), COLLECTION)
            .await;
        assert_eq!(
            (s.json()[0]["outstanding"].clone(), s.json()[0]["received"].clone()),
            (json!(0), json!(t)),
            "{backend}"
        );
        // A malformed one is refused on the job page, naming line and column, not the value.
        let bad = bank(&[format!("2026-06-21,{},株式会社試験,12x45", cast.employer())]);
        let job = screen_import(&r, &collecting, &csrf, "payments", "bank-bad.csv", &bad).await;
        assert!(
            job.contains("取り込めませんでした") && job.contains("bank-bad.csv:2: column 金額"),
            "{backend}: {job}"
        );
        assert!(!job.contains("12x45"), "{backend}");

        // 取込: the 算定基礎届, under premiums.remuneration.
        let paying = choose_purpose(&r, &session, &csrf, REMUNERATION, "/imports").await;
        let job =
            screen_import(&r, &paying, &csrf, "pay_filing", "KPFD0006.CSV", &santei(&cast, day(2026, 7, 5))).await;
        assert!(job.contains("報酬の届書") && job.contains("取り込みました"), "{backend}: {job}");
        assert!(job.contains("決定・改定 1 件、改定なし 0 件、定時決定の対象外 0 件、賞与 0 件"), "{backend}: {job}");
        let d = staff.get(&r, "/api/v1/premiums/determinations?month=2026-09", REMUNERATION).await.json();
        let d = d.as_array().and_then(|v| v.iter().find(|x| x["person_id"] == cast.member_id()).cloned());
        assert_eq!(d.map(|d| d["monthly_amount"].clone()), Some(json!(300_000)), "{backend}");
        close(r, app).await;
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Access
// ---------------------------------------------------------------------------------------------

/// 給付担当 (benefits) acts for neither premium use: refused on the API under
/// premiums.collection and premiums.remuneration, no 保険料 in its menu, the screen refused. The
/// non-payment loss writes eligibility events: refused under premiums.collection, taken under
/// eligibility.management.
#[tokio::test]
async fn premiums_are_refused_outside_their_uses() {
    for backend in BACKENDS {
        let (_db, app, r, _cast) = setup(backend, "prem_access").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        rates_and_may(&staff, &r, backend).await;
        let n = staff.invoices(&r, "2026-05").await.len();

        let benefits = api_login(&app, &r, "kyufu", "benefits").await;
        let a = benefits.get(&r, "/api/v1/premiums/invoices", COLLECTION).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{backend}");
        let a = benefits.get(&r, "/api/v1/premiums/invoices?month=2026-05", COLLECTION).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = benefits.get(&r, "/api/v1/premiums/statements", COLLECTION).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = benefits.post(&r, "/api/v1/premiums/months/2026-06/run", COLLECTION).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = benefits.get(&r, "/api/v1/premiums/determinations", REMUNERATION).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        let a = benefits.post_json(&r, "/api/v1/premiums/rates", REMUNERATION, json!({"toml": RATES})).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(staff.invoices(&r, "2026-06").await.len(), 0, "{backend}: nothing ran for 給付担当");
        assert_eq!(staff.invoices(&r, "2026-05").await.len(), n, "{backend}");
        // Without a purpose header at all.
        let a = send(&r, Method::GET, "/api/v1/premiums/invoices", &[("cookie", &benefits.cookie)], None).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: the purpose is required");

        let (session, _) = web_login(&app, &r, "kyufu-web", "benefits").await;
        let menu = send(&r, Method::GET, "/menu", &[("cookie", &session)], None).await.text();
        assert!(!menu.contains("href=\"/premiums\""), "{backend}: no 保険料 for 給付担当");
        let p = send(&r, Method::GET, "/premiums", &[("cookie", &session)], None).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{backend}: {}", p.text());

        // 任意継続 non-payment on 2026-05-11 (the day after a 任意継続's due day 2026-05-10).
        let a = staff.post_json(&r, "/api/v1/premiums/non-payment", COLLECTION, json!({"day": "2026-05-11"})).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        let a = staff.post_json(&r, "/api/v1/premiums/non-payment", MANAGEMENT, json!({"day": "2026-05-11"})).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let a = staff.post_json(&r, "/api/v1/premiums/non-payment", MANAGEMENT, json!({"day": "11 May"})).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(a.detail().contains("day") && !a.text().contains("11 May"), "{backend}: {}", a.detail());
        close(r, app).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Two bugs these tests found (now fixed): payer codes cast for every row on PostgreSQL, and the
// premium reads ignoring the use's masks.
// ---------------------------------------------------------------------------------------------

/// An employer whose code has a letter after its first character ("KNPA1", a valid code: 10 or
/// fewer letters and digits) is invoiced like any other, and the invoices can be listed (the
/// join to a 任意継続's name must not cast an employer's code on PostgreSQL).
#[tokio::test]
async fn invoices_list_an_employer_whose_code_has_letters() {
    for backend in BACKENDS {
        let db = fresh(backend, "prem_code").await;
        let store = open(&db, VaultKeys::generate()).await;
        let mut cast = cast();
        let old = cast.employer();
        for p in cast.people.iter_mut().filter(|p| p.employer_code.as_deref() == Some(old.as_str())) {
            p.employer_code = Some("KNPA1".into());
        }
        for e in cast.society.employers.iter_mut().filter(|e| e.employer.code == old) {
            e.employer.code = "KNPA1".into();
        }
        store
            .import_roster(
                &common::importer(),
                "roster.csv",
                "roster",
                common::rows(&cast.society, &cast.people),
                &|_| {},
            )
            .await
            .expect("roster");
        let app = Arc::new(App::new(store).expect("app"));
        let r = router(ServerState::new(app.clone(), false));
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        rates_and_may(&staff, &r, backend).await;
        let a = staff.get(&r, "/api/v1/premiums/invoices?month=2026-05", COLLECTION).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert!(a.json().as_array().is_some_and(|v| v.iter().any(|i| i["payer"] == "KNPA1")), "{backend}");
        close(r, app).await;
    }
}

/// Under admin.basic_material (業務統計・監査) the catalogue masks NameKanji, NameKana,
/// CardSymbol and CardNumber, and the member view shows ＊＊＊ for them; an invoice's 明細 read
/// under the same use shows them masked too.
#[tokio::test]
async fn invoice_lines_are_masked_under_the_basic_material_use() {
    for backend in BACKENDS {
        let (_db, app, r, cast) = setup(backend, "prem_mask").await;
        let staff = api_login(&app, &r, "tekiyo", "eligibility").await;
        rates_and_may(&staff, &r, backend).await;
        let inv = find_payer(&staff.invoices(&r, "2026-05").await, &cast.employer()).clone();
        let auditor = api_login(&app, &r, "kansa", "auditor").await;
        let member = auditor.get(&r, &format!("/api/v1/members/{}", cast.member_id()), "admin.basic_material").await;
        assert_eq!(member.status, StatusCode::OK, "{backend}: {}", member.text());
        assert_eq!(member.json()["identity"]["name_kanji"], "＊＊＊", "{backend}: the member view masks");
        let a =
            auditor.get(&r, &format!("/api/v1/premiums/invoices/{}/lines", inv["id"]), "admin.basic_material").await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        for l in a.json().as_array().expect("lines") {
            assert_eq!(
                (l["name_kanji"].clone(), l["card_symbol"].clone(), l["card_number"].clone()),
                (json!("＊＊＊"), json!("＊＊＊"), json!("＊＊＊")),
                "{backend}: person {}",
                l["person_id"]
            );
        }
        close(r, app).await;
    }
}
