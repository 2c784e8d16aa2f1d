//! Eligibility over HTTP on both backends, in process (tower's `oneshot` against the real router,
//! store and policy): an employer's KPFD filing posted as 適用担当 (eligibility.management)
//! becomes events as the rules count them; the lost member's history carries the rule's reasoning
//! and the as-of lookup turns on the 喪失日; the オンライン資格確認 outbox (online.register) holds
//! one row per event due 5 days after receipt, and lists the late ones as overdue; the new
//! member's 資格確認書 is a PDF with its font embedded, A4 or card-sized; a malformed filing is
//! refused naming line and column but never the value, and leaves nothing behind; the same file
//! twice is a conflict; the staff screens show the history and the outbox and hand out the
//! registration file only with the CSRF token.
//!
//! Every expected value is worked by hand from the rules in the comments, not read back from
//! the output.

#[path = "../../store/tests/common.rs"]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{Duration, NaiveDate};
use common::{BACKENDS, ctx, day, fresh, open};
use kenpo_app::App;
use kenpo_domain::MyNumber;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{EligibilityPeriod, Person, PersonKind, Sex};
use kenpo_formats::nenkin::{
    Acquisition, FiledPerson, Filing, FilingRecord, Layout, Loss, Office, SocietyFields, write_filing,
};
use kenpo_server::{ServerState, router};
use kenpo_store::{AccountKind, VaultKeys};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
/// 適用担当's use: events are written and the record read under it.
const MANAGEMENT: &str = "eligibility.management";
/// The outbox is read and handed out under this use (別表2: オンライン資格確認等システムへの登録).
const REGISTER: &str = "online.register";

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
    /// POSTs a filing as an upload (octet-stream body, the name in X-File-Name).
    async fn file(&self, r: &axum::Router, name: &str, received: NaiveDate, bytes: Vec<u8>) -> Answer {
        let uri = format!("/api/v1/eligibility/filings?received={received}");
        let h = [
            ("cookie", self.cookie.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
            ("kenpo-purpose", MANAGEMENT),
            ("x-file-name", name),
        ];
        send(r, Method::POST, &uri, &h, Some(("application/octet-stream", bytes))).await
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

/// Logs in through the login form (as crates/server/tests/web.rs does): the session cookie and
/// the CSRF token the menu's forms carry.
async fn web_login(app: &App, r: &axum::Router, login: &str, role: &str) -> (String, String) {
    let totp = activated(app, login, role).await;
    let mut form = format!("login={}&password={}", url_encode(login), url_encode(PASSWORD));
    if let Some(secret) = &totp {
        form.push_str(&format!("&totp={}", totp_now(secret)));
    }
    let form_type = "application/x-www-form-urlencoded";
    let p = send(r, Method::POST, "/login", &[], Some((form_type, form.into_bytes()))).await;
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

/// The people of interest: a member (本人) with exactly two dependants, all covered from
/// 2010-04-01 with no loss, born on chosen days. A roster person's id is its index + 1 (ids
/// are allocated from MAX(id) + 1 on a fresh database, in file order).
struct Cast {
    society: kenpo_synth::Society,
    people: Vec<Person>,
    member: usize,
}

impl Cast {
    fn member_id(&self) -> i64 {
        self.member as i64 + 1
    }
    fn dependant_ids(&self) -> [i64; 2] {
        [self.member as i64 + 2, self.member as i64 + 3]
    }
    /// The id the next person a filing adds gets: one after the roster's last.
    fn next_id(&self) -> i64 {
        self.people.len() as i64 + 1
    }
    fn employer(&self) -> String {
        self.people[self.member].employer_code.clone().expect("the member has an employer")
    }
}

fn covered_from_2010(reason: &str) -> Vec<EligibilityPeriod> {
    vec![EligibilityPeriod {
        acquired_on: day(2010, 4, 1),
        acquisition_reason: reason.into(),
        lost_on: None,
        loss_reason: None,
    }]
}

fn cast() -> Cast {
    let (society, mut people) = common::society(40);
    let is_dep = |p: &Person| p.kind == PersonKind::Dependant;
    let member = (0..people.len().saturating_sub(2))
        .find(|&i| {
            people[i].kind == PersonKind::Insured
                && people[i].employer_code.is_some()
                && is_dep(&people[i + 1])
                && is_dep(&people[i + 2])
                && people.get(i + 3).is_none_or(|p| !is_dep(p))
        })
        .expect("the synthetic roster has a member with exactly two dependants");
    let m = &mut people[member];
    m.birth_date = day(1975, 6, 1);
    m.eligibility = covered_from_2010("採用");
    // A short name: the KPFD カナ field holds 25 half-width characters.
    m.name_kana = "ヤマダ\u{3000}タロウ".into();
    m.name_kanji = "山田\u{3000}太郎".into();
    for (i, birth) in [(member + 1, day(1978, 8, 20)), (member + 2, day(2008, 5, 5))] {
        people[i].birth_date = birth;
        people[i].eligibility = covered_from_2010("被扶養者認定");
    }
    Cast { society, people, member }
}

/// A new hire as an employer files them: no 個人番号, so 郵便番号 and 住所 (the reader requires
/// them then).
fn hire(kana: &str, kanji: &str, birth: NaiveDate, acquired_on: NaiveDate) -> FilingRecord {
    FilingRecord::Acquisition(Acquisition {
        line: 0,
        person: FiledPerson { kana: kana.into(), kanji: Some(kanji.into()), birth, my_number: None },
        sex: Sex::Male,
        acquired_on,
        monthly_pay: 300_000,
        has_dependants: false,
        postal_code: Some("150-0001".into()),
        address: Some("東京都渋谷区神宮前一丁目1番1号".into()),
        certificate: false,
        society: SocietyFields::default(),
    })
}

/// 資格喪失届 4 退職等 naming the member by the KPFD tail's 被保険者証番号 (their 番号).
fn retirement(person: &Person, card_number: &str, last_day: NaiveDate) -> FilingRecord {
    FilingRecord::Loss(Loss {
        line: 0,
        person: FiledPerson {
            kana: person.name_kana.clone(),
            kanji: Some(person.name_kanji.clone()),
            birth: person.birth_date,
            my_number: None,
        },
        lost_on: last_day + Duration::days(1),
        reason: LossReason::Retirement,
        event_day: last_day,
        cards_returned: 1,
        cards_unreturnable: 0,
        society: SocietyFields { office: None, card_number: Some(card_number.into()) },
    })
}

fn kpfd(employer: &str, created_on: NaiveDate, records: Vec<FilingRecord>) -> Vec<u8> {
    let filing = Filing {
        layout: Layout::Society,
        created_on,
        office: Office { number: employer.into(), name: "株式会社試験".into() },
        records,
    };
    write_filing(&filing).expect("the test filing is writable")
}

/// Row counts of what applying a filing writes.
async fn written(db: &common::TestDb) -> [i64; 5] {
    let mut conn = common::raw(db).await;
    let mut out = [0; 5];
    for (i, table) in
        ["eligibility_events", "eligibility_periods", "online_outbox", "persons", "imports"].iter().enumerate()
    {
        out[i] = common::count(&mut conn, &format!("SELECT COUNT(*) FROM {table}")).await;
    }
    out
}

/// The numbers after `/MediaBox [` of the first page: width and height in points.
fn media_box(pdf: &[u8]) -> (f64, f64) {
    let text = String::from_utf8_lossy(pdf);
    let rest = text.split("/MediaBox").nth(1).expect("a page with a MediaBox");
    let inside = rest.trim_start().trim_start_matches('[');
    let inside = inside.split(']').next().expect("the box closes");
    let n: Vec<f64> = inside.split_whitespace().map(|v| v.parse().expect("a number")).collect();
    assert_eq!(n.len(), 4, "{inside}");
    (n[2] - n[0], n[3] - n[1])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn filings_history_outbox_and_certificates_over_http() {
    for backend in BACKENDS {
        let db = fresh(backend, "elig_api").await;
        let store = open(&db, VaultKeys::generate()).await;
        let cast = cast();
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
        let today = chrono::Local::now().date_naive();
        let employer = cast.employer();
        let member = &cast.people[cast.member];
        let (member_id, deps, new_id) = (cast.member_id(), cast.dependant_ids(), cast.next_id());

        // a. One 資格取得届 (a hire from 2026-07-01, no 個人番号) and one 資格喪失届 4 退職等 of the
        //    member, 退職日 2026-06-30, received today.
        let last_day = day(2026, 6, 30);
        let main = kpfd(
            &employer,
            today,
            vec![
                hire("シンニュウ\u{3000}イチロウ", "新入\u{3000}一郎", day(1990, 5, 10), day(2026, 7, 1)),
                retirement(member, &member.card.number, last_day),
            ],
        );
        let before = written(&db).await;
        let a = staff.file(&r, "KPFD0006.CSV", today, main.clone()).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let s = a.json();
        // By the rules: the hire is 1 acquisition event; the 退職 is 1 loss event, and both
        // dependants lose with the member (each is covered on the 喪失日 2026-07-01 and turns 75
        // long after it: 2053-08-20 and 2083-05-05), one event each: 1 + 1 + 2 = 4 events. Every
        // event queues one オンライン資格確認 row: 4. The hire filed no 個人番号, so no usable マイナ
        // 保険証: a 資格確認書 is issued (§10): 1 certificate, 0 numbers sealed.
        assert_eq!(s["events"], 4, "{backend}: {s}");
        assert_eq!(s["acquired"], 1, "{backend}: {s}");
        assert_eq!(s["lost"], 1, "{backend}: {s}");
        assert_eq!(s["dependants_lost_with_member"], 2, "{backend}: {s}");
        assert_eq!(s["outbox"], 4, "{backend}: {s}");
        assert_eq!(s["certificates"], 1, "{backend}: {s}");
        assert_eq!(s["my_numbers"], 0, "{backend}: {s}");
        assert_eq!(
            (s["voluntary"].clone(), s["changes"].clone(), s["corrections"].clone()),
            (json!(0), json!(0), json!(0))
        );
        let after = written(&db).await;
        // 4 events, 1 new period (the hire's; the losses close existing ones), 4 outbox rows,
        // 1 person, 1 import.
        let delta: Vec<i64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
        assert_eq!(delta, [4, 1, 4, 1, 1], "{backend}");

        // b. The member's history: the loss, reasoned from the 退職日 (令和 year = 2026 − 2019 + 1 = 8):
        //    退職日 令和8年6月30日 → 喪失日 its next day, 令和8年7月1日.
        let h = staff.get(&r, &format!("/api/v1/members/{member_id}/history"), MANAGEMENT).await;
        assert_eq!(h.status, StatusCode::OK, "{backend}: {}", h.text());
        let h = h.json();
        let lose: Vec<&Value> =
            h["events"].as_array().expect("events").iter().filter(|e| e["kind"] == "lose").collect();
        assert_eq!(lose.len(), 1, "{backend}: one loss of the member: {h}");
        assert_eq!(lose[0]["effective_on"], "2026-07-01", "{backend}");
        assert_eq!(lose[0]["received_on"], today.to_string(), "{backend}");
        assert_eq!(lose[0]["actor"], "staff:eligibility:tekiyo", "{backend}: the logged-in account is the actor");
        let reasoning: Vec<&str> =
            lose[0]["reasoning"].as_array().expect("reasoning").iter().filter_map(Value::as_str).collect();
        assert!(
            reasoning.iter().any(|l| l.contains("退職日 令和8年6月30日（2026年） の翌日 令和8年7月1日（2026年）")),
            "{backend}: {reasoning:?}"
        );
        assert!(reasoning.iter().any(|l| l.contains("被扶養者 2人")), "{backend}: {reasoning:?}");
        let periods = h["periods"].as_array().expect("periods");
        assert_eq!(periods.last().map(|p| p["lost_on"].clone()), Some(json!("2026-07-01")), "{backend}");
        // As of the 退職日 all three are covered (under the member's card); from the next day none.
        let ids = format!("{member_id},{},{}", deps[0], deps[1]);
        for (on, covered) in [("2026-06-30", true), ("2026-07-01", false)] {
            let a = staff.get(&r, &format!("/api/v1/eligibility/as-of?day={on}&ids={ids}"), MANAGEMENT).await;
            assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
            let rows = a.json();
            let rows = rows.as_array().expect("rows");
            assert_eq!(rows.len(), 3, "{backend}: {rows:?}");
            for row in rows {
                assert_eq!(row["covered"], covered, "{backend} on {on}: {row}");
            }
            let m = rows.iter().find(|r| r["person_id"] == member_id).expect("the member's row");
            if covered {
                assert_eq!(m["card_number"], member.card.number.as_str(), "{backend}");
                let d = rows.iter().find(|r| r["person_id"] == deps[0]).expect("a dependant's row");
                assert_eq!(d["insured_id"], member_id, "{backend}: {d}");
            }
        }

        // c. The outbox under online.register: one row per event, received today, due 5 days
        //    later (REGISTRATION_DAYS), not yet overdue.
        let due = (today + Duration::days(5)).to_string();
        let o = staff.get(&r, "/api/v1/eligibility/outbox", REGISTER).await;
        assert_eq!(o.status, StatusCode::OK, "{backend}: {}", o.text());
        let rows = o.json();
        let rows = rows.as_array().expect("rows").clone();
        assert_eq!(rows.len(), 4, "{backend}: {rows:?}");
        for row in &rows {
            assert_eq!(row["received_on"], today.to_string(), "{backend}: {row}");
            assert_eq!(row["deadline"], due, "{backend}: {row}");
            assert_eq!((row["status"].clone(), row["overdue"].clone()), (json!("pending"), json!(false)), "{backend}");
        }
        let mut people: Vec<(i64, String)> = rows
            .iter()
            .map(|r| (r["person_id"].as_i64().expect("id"), r["change"].as_str().expect("change").to_string()))
            .collect();
        people.sort();
        let mut expected = vec![
            (member_id, "lose".to_string()),
            (deps[0], "lose".into()),
            (deps[1], "lose".into()),
            (new_id, "acquire".into()),
        ];
        expected.sort();
        assert_eq!(people, expected, "{backend}");
        let late = staff.get(&r, "/api/v1/eligibility/outbox?overdue=true", REGISTER).await;
        assert_eq!(late.json(), json!([]), "{backend}: nothing is past its deadline yet");
        // A filing received far in the past (2024-01-09: due 2024-01-14) is overdue today.
        let old = kpfd(
            &employer,
            day(2024, 1, 8),
            vec![hire("フルイ\u{3000}ジロウ", "古井\u{3000}次郎", day(1992, 2, 3), day(2024, 1, 4))],
        );
        let a = staff.file(&r, "KPFD0006-old.CSV", day(2024, 1, 9), old).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!(a.json()["events"], 1, "{backend}");
        let late = staff.get(&r, "/api/v1/eligibility/outbox?overdue=true", REGISTER).await;
        assert_eq!(late.status, StatusCode::OK, "{backend}");
        let late = late.json();
        let late = late.as_array().expect("rows");
        assert_eq!(late.len(), 1, "{backend}: {late:?}");
        assert_eq!(late[0]["person_id"], new_id + 1, "{backend}");
        assert_eq!(late[0]["deadline"], "2024-01-14", "{backend}");
        assert_eq!(late[0]["overdue"], true, "{backend}");
        assert_eq!(late[0]["status_label"], "未送信", "{backend}");
        // The outbox is the registration's, not 適用's daily use: 給付 may not read it.
        let benefits = api_login(&app, &r, "kyufu", "benefits").await;
        let refused = benefits.get(&r, "/api/v1/eligibility/outbox", REGISTER).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}: {}", refused.text());

        // d. The hire's 資格確認書 (no 個人番号 filed), A4 and card-sized, with the font embedded.
        for (paper, size) in [("a4", (595.3, 841.9)), ("card", (242.6, 153.1))] {
            let uri = format!("/api/v1/members/{new_id}/certificates?paper={paper}");
            let pdf = staff.get(&r, &uri, MANAGEMENT).await;
            assert_eq!(pdf.status, StatusCode::OK, "{backend} {paper}: {}", pdf.text());
            assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf", "{backend}");
            assert!(pdf.bytes.starts_with(b"%PDF"), "{backend} {paper}");
            assert!(contains(&pdf.bytes, b"/FontFile2"), "{backend} {paper}: the TrueType font is embedded");
            // A4 is 210 × 297 mm, the card 85.6 × 54 mm; 1 mm = 72 / 25.4 pt: 85.6 × 2.8346 =
            // 242.65, 54 × 2.8346 = 153.07 (and 595.28 × 841.89 for A4).
            let (w, h) = media_box(&pdf.bytes);
            assert!((w - size.0).abs() < 0.1 && (h - size.1).abs() < 0.1, "{backend} {paper}: {w} × {h}");
        }
        let wrong = staff.get(&r, &format!("/api/v1/members/{new_id}/certificates?paper=b5"), MANAGEMENT).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{backend}");

        // e. Malformed filings change nothing and name line and column, never the value.
        let before = written(&db).await;
        //    A data line (line 6: 4 header lines, [data] on 5) one field too many, the extra
        //    field holding a value the error must not repeat.
        let secret = "ZQ9SECRET";
        let good = kpfd(
            &employer,
            today,
            vec![hire("ミギ\u{3000}サブロウ", "右\u{3000}三郎", day(1995, 9, 9), day(2026, 11, 1))],
        );
        let mut lines: Vec<Vec<u8>> = good.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        let data = &mut lines[5];
        assert!(data.ends_with(b"\r"), "CR LF lines");
        data.pop();
        data.extend_from_slice(format!(",{secret}\r").as_bytes());
        let bad = lines.join(&b'\n');
        let a = staff.file(&r, "bad-count.CSV", today, bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{backend}");
        let detail = a.json()["detail"].as_str().expect("a detail").to_string();
        // 資格取得届 has 34 fields + the 3 KPFD society fields = 37; this line has 38.
        assert!(detail.contains("bad-count.CSV:6:") && detail.contains("column 様式コード"), "{backend}: {detail}");
        assert!(detail.contains("38") && detail.contains("37"), "{backend}: {detail}");
        assert!(!detail.contains(secret), "{backend}: the value is echoed: {detail}");
        //    Two good hires, then on the 3rd data line (line 8) a 喪失届 naming a card nobody
        //    holds: the whole file is refused, the hires on lines 6 and 7 with it.
        let nobody = "87654321";
        let bad = kpfd(
            &employer,
            today,
            vec![
                hire("ヒダリ\u{3000}シロウ", "左\u{3000}四郎", day(1996, 1, 2), day(2026, 11, 1)),
                hire("ナカ\u{3000}ゴロウ", "中\u{3000}五郎", day(1997, 3, 4), day(2026, 11, 1)),
                retirement(member, nobody, day(2026, 10, 31)),
            ],
        );
        let a = staff.file(&r, "bad-card.CSV", today, bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let detail = a.json()["detail"].as_str().expect("a detail").to_string();
        assert!(
            detail.contains("bad-card.CSV:8:") && detail.contains("column 被保険者証番号（健保組合）"),
            "{backend}: {detail}"
        );
        assert!(!detail.contains(nobody) && !detail.contains("ヤマダ"), "{backend}: the value is echoed: {detail}");
        assert_eq!(written(&db).await, before, "{backend}: a refused file leaves nothing");
        // The API reads say the same: still the 5 rows of the two good filings.
        let o = staff.get(&r, "/api/v1/eligibility/outbox", REGISTER).await;
        assert_eq!(o.json().as_array().map(Vec::len), Some(5), "{backend}");

        // f. The same file again is a conflict, whatever its name; nothing is written.
        let again = staff.file(&r, "KPFD0006.CSV", today, main.clone()).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{backend}: {}", again.text());
        assert_eq!(again.json()["code"], "conflict", "{backend}");
        let renamed = staff.file(&r, "KPFD0006-copy.CSV", today, main).await;
        assert_eq!(renamed.status, StatusCode::CONFLICT, "{backend}");
        assert_eq!(written(&db).await, before, "{backend}");

        // g. The screens, as a 適用担当 at a browser.
        let (cookie, csrf) = web_login(&app, &r, "tekiyo-web", "eligibility").await;
        let with_use = |purpose: &str| format!("{cookie}; kenpo_purpose={purpose}");
        let managing = with_use(MANAGEMENT);
        let p = send(&r, Method::GET, &format!("/members/{member_id}/history"), &[("cookie", &managing)], None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        let page = p.text();
        assert!(page.contains("資格の履歴"), "{backend}");
        // The loss (資格喪失, effective 令和8年7月1日) with its reasoning, and the first period.
        assert!(page.contains("資格喪失") && page.contains("令和8年7月1日（2026年）"), "{backend}");
        assert!(page.contains("の翌日 令和8年7月1日（2026年） が資格喪失日"), "{backend}");
        assert!(page.contains("平成22年4月1日（2010年）"), "{backend}: 2010 = 平成22 (2010 − 1989 + 1)");
        let detail = send(&r, Method::GET, &format!("/members/{member_id}"), &[("cookie", &managing)], None).await;
        assert!(detail.text().contains(&format!("/members/{member_id}/history")), "{backend}: linked from 詳細");
        let p = send(&r, Method::GET, "/eligibility/outbox", &[("cookie", &managing)], None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        let page = p.text();
        assert!(page.contains("期限超過"), "{backend}");
        // 5 rows: the 4 of today's filing (due today + 5) and the one received 2024-01-09, overdue.
        assert!(page.contains("5 件中 期限超過 1 件"), "{backend}: {page}");
        assert!(page.contains(&due) && page.contains("2024-01-14"), "{backend}");
        assert!(page.contains("超過"), "{backend}");
        // The registration file: a form post, so only with the session's token.
        let form_type = "application/x-www-form-urlencoded";
        let c = [("cookie", managing.as_str())];
        let no_token = send(&r, Method::POST, "/eligibility/outbox/export", &c, Some((form_type, Vec::new()))).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{backend}: without _csrf");
        let wrong =
            send(&r, Method::POST, "/eligibility/outbox/export", &c, Some((form_type, b"_csrf=00".to_vec()))).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{backend}: a wrong _csrf");
        let form = format!("_csrf={csrf}").into_bytes();
        let file = send(&r, Method::POST, "/eligibility/outbox/export", &c, Some((form_type, form))).await;
        assert_eq!(file.status, StatusCode::OK, "{backend}: {}", file.text());
        let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().expect("ascii");
        assert!(disposition.starts_with("attachment"), "{backend}: {disposition}");
        assert!(file.bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{backend}: UTF-8 BOM first");
        let csv = String::from_utf8(file.bytes[3..].to_vec()).expect("UTF-8");
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("送信ID,"), "{backend}: {}", lines[0]);
        assert_eq!(lines.len(), 1 + 5, "{backend}: the header and the 5 rows to register");
        // Handed out means sent: nothing is pending or overdue any more.
        let o = staff.get(&r, "/api/v1/eligibility/outbox?status=pending", REGISTER).await;
        assert_eq!(o.json(), json!([]), "{backend}");
        let o = staff.get(&r, "/api/v1/eligibility/outbox?status=sent", REGISTER).await;
        assert_eq!(o.json().as_array().map(Vec::len), Some(5), "{backend}");

        // h. A filing that carries a 個人番号 is a 番号法 affair (mynumber.affairs, the
        //    mynumber_officer's use only): refused to 適用担当 with nothing written, applied for
        //    the officer.
        let with_number = {
            let mut rec = hire("バンゴウ\u{3000}アリ", "番号\u{3000}有", day(1988, 7, 7), day(2026, 12, 1));
            if let FilingRecord::Acquisition(a) = &mut rec {
                // The worked example of crates/domain/src/mynumber.rs (check digit 8).
                a.person.my_number = Some(MyNumber::parse("123456789018").expect("a valid number"));
            }
            kpfd(&employer, today, vec![rec])
        };
        let before = written(&db).await;
        let a = staff.file(&r, "KPFD0006-number.CSV", today, with_number.clone()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{backend}: {}", a.text());
        assert_eq!(a.json()["code"], "denied", "{backend}");
        assert_eq!(written(&db).await, before, "{backend}");
        let officer = api_login(&app, &r, "bango", "mynumber_officer").await;
        let uri = format!("/api/v1/eligibility/filings?received={today}");
        let h = [
            ("cookie", officer.cookie.as_str()),
            ("x-csrf-token", officer.csrf.as_str()),
            ("kenpo-purpose", "mynumber.affairs"),
            ("x-file-name", "KPFD0006-number.CSV"),
        ];
        let a = send(&r, Method::POST, &uri, &h, Some(("application/octet-stream", with_number))).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let s = a.json();
        // 1 hire: 1 event, 1 outbox row, the number sealed in the vault; with a number filed and
        // no 資格確認書 asked for, a 資格情報のお知らせ is issued (still 1 certificate row).
        assert_eq!((s["events"].clone(), s["outbox"].clone()), (json!(1), json!(1)), "{backend}: {s}");
        assert_eq!((s["my_numbers"].clone(), s["certificates"].clone()), (json!(1), json!(1)), "{backend}: {s}");

        drop(r);
        if let Ok(app) = Arc::try_unwrap(app) {
            app.close().await;
        }
    }
}

impl Client {
    async fn post_json(&self, r: &axum::Router, uri: &str, purpose: &str, body: Value) -> Answer {
        let h = [("cookie", self.cookie.as_str()), ("x-csrf-token", self.csrf.as_str()), ("kenpo-purpose", purpose)];
        send(r, Method::POST, uri, &h, Some(("application/json", body.to_string().into_bytes()))).await
    }
}

/// Staff entries and corrections, the 被扶養者 rule, 検認, the daily batch and the receipts after
/// a loss — over the API and on the screens, both backends. Expected values by the rules:
/// - 退職 2026-06-30 → 喪失日 2026-07-01, the two dependants with the member: 3 events;
/// - a child born 2005-06-01 is 20 at the end of 2025-12-31 (19–22): with a 認定日 from
///   2025-10-01 the limit is 1,500,000, so 1,499,999 is under it, and living together
///   2 × 1,499,999 = 2,999,998 < 6,000,000 (under half the member's income) → 認定; on 2025-09-30
///   the limit is 1,300,000 and 1,499,999 is over it → 不認定;
/// - a spouse answering an income of 2,000,000 (≥ 1,300,000) at the 検認 → 不認定, removed.
#[tokio::test]
async fn entries_rule_kenin_batch_and_after_loss_over_http_and_screens() {
    for backend in BACKENDS {
        let db = fresh(backend, "elig_entries").await;
        let store = open(&db, VaultKeys::generate()).await;
        let cast = cast();
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
        let staff = api_login(&app, &r, "tekiyo2", "eligibility").await;
        let (m, deps) = (cast.member_id(), cast.dependant_ids());

        // A 退職 entered by staff, then its correction.
        let lose = json!({"kind": "lose", "person": m, "day": "2026-06-30", "reason": "retirement"});
        let a = staff.post_json(&r, "/api/v1/eligibility/entries", MANAGEMENT, lose).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!((a.json()["events"].clone(), a.json()["dependants_lost_with_member"].clone()), (json!(3), json!(2)));
        let covered = |on: &str| {
            let uri = format!("/api/v1/eligibility/as-of?day={on}&ids={m}");
            let staff = &staff;
            let r = &r;
            async move { staff.get(r, &uri, MANAGEMENT).await.json()[0]["covered"].clone() }
        };
        assert_eq!(covered("2026-07-01").await, json!(false), "{backend}");
        let h = staff.get(&r, &format!("/api/v1/members/{m}/history"), MANAGEMENT).await.json();
        let id = h["events"].as_array().and_then(|e| e.iter().find(|x| x["kind"] == "lose")).map(|x| x["id"].clone());
        let fix = json!({"kind": "correct", "person": m, "event": id.expect("the loss event")});
        let a = staff.post_json(&r, "/api/v1/eligibility/entries", MANAGEMENT, fix).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!(covered("2026-07-01").await, json!(true), "{backend}: covered again");
        // Refused entries name the field, never echo the value.
        let bad = json!({"kind": "lose", "person": m, "day": "2026-06-30", "reason": "vanished"});
        let a = staff.post_json(&r, "/api/v1/eligibility/entries", MANAGEMENT, bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(a.json()["detail"].as_str().unwrap_or("").contains("reason") && !a.text().contains("vanished"));
        let bad = json!({"kind": "name", "person": m, "day": "2026-06-30", "kanji": "山田\u{1b}[2J", "kana": "ヤマダ"});
        let a = staff.post_json(&r, "/api/v1/eligibility/entries", MANAGEMENT, bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(a.json()["detail"].as_str().unwrap_or("").contains("kanji") && !a.text().contains("山田"));

        // The 被扶養者 rule (stores nothing).
        let evidence = |on: &str| {
            json!({"kinship": "child", "birth_date": "2005-06-01", "recognition_day": on, "cohabiting": true,
                   "expected_income": 1_499_999, "member_income": 6_000_000, "residence": "japan"})
        };
        let a = staff.post_json(&r, "/api/v1/eligibility/recognise", MANAGEMENT, evidence("2025-10-01")).await;
        assert_eq!((a.status, a.json()["outcome"].clone()), (StatusCode::OK, json!("認定")), "{backend}: {}", a.text());
        assert_eq!(a.json()["income_limit"], json!(1_500_000));
        let a = staff.post_json(&r, "/api/v1/eligibility/recognise", MANAGEMENT, evidence("2025-09-30")).await;
        assert_eq!(a.json()["outcome"], json!("不認定"), "{backend}");

        // 検認: the list, one answer, the removal.
        let a = staff
            .post_json(&r, "/api/v1/eligibility/kenin/2026/list", MANAGEMENT, json!({"as_of": "2026-06-01"}))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let listed: Vec<i64> = a.json().as_array().unwrap().iter().filter_map(|x| x["person_id"].as_i64()).collect();
        assert!(deps.iter().all(|d| listed.contains(d)), "{backend}: {listed:?}");
        let answers = format!(
            "検認年,加入者ID,回答日,同居,収入見込,被保険者収入,仕送り額,障害,居住,例外書類\n2026,{},2026-06-10,1,2000000,5000000,,0,japan,0\n",
            deps[0]
        );
        let h = [
            ("cookie", staff.cookie.as_str()),
            ("x-csrf-token", staff.csrf.as_str()),
            ("kenpo-purpose", MANAGEMENT),
            ("x-file-name", "kenin.csv"),
        ];
        let a = send(
            &r,
            Method::POST,
            "/api/v1/eligibility/kenin/answers",
            &h,
            Some(("application/octet-stream", answers.into_bytes())),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert_eq!((a.json()["answers"].clone(), a.json()["refused"].clone()), (json!(1), json!(1)), "{backend}");
        let removal = json!({"as_of": "2026-06-01", "day": "2026-07-01"});
        let a = staff.post_json(&r, "/api/v1/eligibility/kenin/2026/removals", MANAGEMENT, removal).await;
        assert_eq!((a.status, a.json()["lost"].clone()), (StatusCode::OK, json!(1)), "{backend}: {}", a.text());
        let uri = format!("/api/v1/eligibility/as-of?day=2026-07-01&ids={}", deps[0]);
        assert_eq!(staff.get(&r, &uri, MANAGEMENT).await.json()[0]["covered"], json!(false), "{backend}");

        // The registration file, then the 中間サーバー's answer: one row refused (エラー), queued
        // again (再送); a 再送 row cannot be marked 再送 again.
        let h = [("cookie", staff.cookie.as_str()), ("x-csrf-token", staff.csrf.as_str()), ("kenpo-purpose", REGISTER)];
        let a = send(&r, Method::POST, "/api/v1/eligibility/outbox/exports", &h, None).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        assert!(a.text().trim_start_matches('\u{feff}').starts_with("送信ID,"), "{backend}");
        let sent = staff.get(&r, "/api/v1/eligibility/outbox?status=sent", REGISTER).await.json();
        let first = sent[0]["id"].clone();
        let mark = |to: &str| json!({"ids": [first.clone()], "to": to, "code": "E001"});
        let a = staff.post_json(&r, "/api/v1/eligibility/outbox/marks", REGISTER, mark("error")).await;
        assert_eq!((a.status, a.json()["changed"].clone()), (StatusCode::OK, json!(1)), "{backend}: {}", a.text());
        let a = staff.post_json(&r, "/api/v1/eligibility/outbox/marks", REGISTER, mark("resend")).await;
        assert_eq!((a.status, a.json()["changed"].clone()), (StatusCode::OK, json!(1)), "{backend}");
        let a = staff.post_json(&r, "/api/v1/eligibility/outbox/marks", REGISTER, mark("resend")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: only an エラー row is queued again");

        // The daily batch runs; receipts after a loss are read under receipts.review.
        let a = staff.post_json(&r, "/api/v1/eligibility/age-batch", MANAGEMENT, json!({"day": "2026-08-01"})).await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let reviewer = api_login(&app, &r, "tenken", "receipt_review").await;
        let a = reviewer.get(&r, "/api/v1/eligibility/after-loss?from=2026-04&to=2026-05", "receipts.review").await;
        assert_eq!(a.status, StatusCode::OK, "{backend}: {}", a.text());
        let a = reviewer.get(&r, "/api/v1/eligibility/after-loss?from=2020-01&to=2026-05", "receipts.review").await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: more than 24 months");

        // Screens: the entry form, the rule, 検認, receipts after a loss.
        let (cookie, csrf) = web_login(&app, &r, "tekiyo3", "eligibility").await;
        let form = "application/x-www-form-urlencoded";
        let page = send(&r, Method::GET, &format!("/members/{m}/entry"), &[("cookie", &cookie)], None).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.text().contains("資格の異動・訂正の入力"), "{backend}");
        let body = format!(
            "_csrf={csrf}&kind=address&day=2026-09-01&postal_code=100-0001&address={}",
            url_encode("東京都千代田区1-1")
        );
        let p = send(
            &r,
            Method::POST,
            &format!("/members/{m}/entry"),
            &[("cookie", &cookie)],
            Some((form, body.into_bytes())),
        )
        .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{backend}: {}", p.text());
        let hist = send(&r, Method::GET, &format!("/members/{m}/history"), &[("cookie", &cookie)], None).await.text();
        assert!(hist.contains("住所変更"), "{backend}");
        let body = format!("_csrf={csrf}&kind=lose&day=2026-09-01&reason=vanished");
        let p = send(
            &r,
            Method::POST,
            &format!("/members/{m}/entry"),
            &[("cookie", &cookie)],
            Some((form, body.into_bytes())),
        )
        .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(p.text().contains("reason") && !p.text().contains("vanished"), "{backend}");
        let body = format!(
            "_csrf={csrf}&kinship=child&birth=2005-06-01&day=2025-10-01&apart=0&income=1499999&member_income=6000000&disabled=0&residence=japan&exception_documents=0"
        );
        let p =
            send(&r, Method::POST, "/eligibility/recognise", &[("cookie", &cookie)], Some((form, body.into_bytes())))
                .await;
        assert!(p.text().contains("結果: 認定"), "{backend}");
        let body = format!("_csrf={csrf}&year=2026&action=list&as_of=2026-06-01&day=");
        let p =
            send(&r, Method::POST, "/eligibility/kenin", &[("cookie", &cookie)], Some((form, body.into_bytes()))).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.text().trim_start_matches('\u{feff}').starts_with("検認年,加入者ID"), "{backend}");
        let (rcookie, _) = web_login(&app, &r, "tenken2", "receipt_review").await;
        let p = send(&r, Method::GET, "/eligibility/after-loss", &[("cookie", &rcookie)], None).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}: {}", p.text());
        assert!(p.text().contains("資格喪失後の受診"), "{backend}");
    }
}
