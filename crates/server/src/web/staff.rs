//! The staff screens: login, the purpose choice, 加入者検索・詳細, receipts, 点検, 高額療養費,
//! 特定健診, imports, the audit log, accounts.

use super::pages::*;
use super::views;
use super::{Browser, PURPOSE_COOKIE, StaffPage, WebError, check_csrf, page};
use crate::ServerState;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::DefaultBodyLimit};
use kenpo_domain::kogaku::yen;
use kenpo_domain::{DataCategory, Table, YearMonth};
use kenpo_policy::{Action, Actor, PersonId};
use serde::Deserialize;
use std::sync::Arc;

type St = State<Arc<ServerState>>;

pub fn routes() -> Router<Arc<ServerState>> {
    let uploads = Router::new()
        .route("/imports", get(imports).post(import_upload))
        .layer(DefaultBodyLimit::max(crate::UPLOAD_LIMIT));
    Router::new()
        .route("/", get(home))
        .route("/menu", get(menu))
        .route("/login", get(login_form).post(login))
        .route("/activate", get(activate_form).post(activate))
        .route("/logout", post(logout))
        .route("/purpose", post(choose_purpose))
        .route("/members", get(search))
        .route("/members/{id}", get(person))
        .route("/members/{id}/receipts", get(receipts))
        .route("/members/{id}/receipts/{rid}", get(receipt))
        .route("/members/{id}/checkups", get(person_checkups))
        .route("/members/{id}/disclosure", get(disclosure))
        .route("/members/{id}/history", get(history))
        .route("/members/{id}/certificates.pdf", get(certificates_pdf))
        .route("/members/{id}/entry", get(entry_form).post(entry_post))
        .route("/eligibility/recognise", get(recognise_form).post(recognise_post))
        .route("/eligibility/after-loss", get(after_loss))
        .route("/eligibility/kenin", get(kenin_form).post(kenin_post))
        .route("/eligibility/outbox", get(outbox))
        .route("/eligibility/outbox/export", post(outbox_export))
        .route("/eligibility/outbox/mark", get(outbox_mark_form).post(outbox_mark_post))
        .route("/premiums", get(premiums))
        .route("/premiums/run", post(premiums_run))
        .route("/premiums/invoices/{id}", get(premium_invoice))
        .route("/explain", get(explain))
        .route("/review", get(review))
        .route("/review/run", post(review_run))
        .route("/review/findings/{id}", post(set_status))
        .route("/review/export", get(review_export))
        .route("/kogaku", get(kogaku))
        .route("/kogaku/run", post(kogaku_run))
        .route("/kogaku/payroll", post(kogaku_payroll))
        .route("/checkups", get(checkups))
        .route("/imports/{id}", get(import_job))
        .route("/audit", get(audit))
        .route("/audit/contractors", get(contractors))
        .route("/users", get(users).post(add_user))
        .route("/users/{login}/{action}", post(user_action))
        .merge(uploads)
}

/// Text typed into a form: trimmed, bounded, no control characters; the error names the field.
fn text(field: &'static str, value: &str, max: usize, chrome: &Chrome) -> Result<String, WebError> {
    let v = value.trim();
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(WebError::invalid(chrome, format!("{field}: {max}文字以内、制御文字なしで入力してください")));
    }
    Ok(v.to_string())
}

fn session_cookie(state: &ServerState, value: &str, max_age: i64) -> HeaderValue {
    crate::session::set_cookie(crate::SESSION_COOKIE, value, state.tls, max_age)
}

fn purpose_cookie(state: &ServerState, value: &str, max_age: i64) -> HeaderValue {
    crate::session::set_cookie(PURPOSE_COOKIE, value, state.tls, max_age)
}

// ---- Login, activation, logout, purpose ----

#[derive(Deserialize)]
struct LoginQuery {
    why: Option<String>,
}

async fn login_form(Query(q): Query<LoginQuery>) -> Response {
    let notice = match q.why.as_deref() {
        Some("idle") => Some("一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"),
        Some("absolute") => Some("ログインの有効時間が過ぎました。もう一度ログインしてください。"),
        Some("ended") => Some("ログインの有効期限が切れたか、ログアウトしました。"),
        Some("logout") => Some("ログアウトしました。"),
        _ => None,
    };
    page(StatusCode::OK, &LoginPage { chrome: None, notice, error: None, need_totp: false })
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    totp: String,
}

async fn login(State(state): St, headers: axum::http::HeaderMap, Form(f): Form<LoginForm>) -> Response {
    if !super::same_origin(&headers) {
        return page(
            StatusCode::FORBIDDEN,
            &LoginPage {
                chrome: None,
                notice: None,
                error: Some("他のサイトからの送信は受け付けません".into()),
                need_totp: false,
            },
        );
    }
    let now = chrono::Utc::now();
    let totp = f.totp.trim();
    match state.app.login(f.login.trim(), &f.password, (!totp.is_empty()).then_some(totp), now).await {
        Ok(principal) => {
            let member = matches!(principal.actor, Actor::Member { .. });
            if matches!(principal.actor, Actor::Contractor { .. }) {
                return page(
                    StatusCode::FORBIDDEN,
                    &LoginPage {
                        chrome: None,
                        notice: None,
                        error: Some("委託先のアカウントは API をご利用ください（画面はありません）".into()),
                        need_totp: false,
                    },
                );
            }
            let (token, _) = state.app.sessions.start(principal, now);
            let mut r = Redirect::to(if member { "/me" } else { "/" }).into_response();
            let h = r.headers_mut();
            h.append(header::SET_COOKIE, session_cookie(&state, &token, state.app.auth.absolute.num_seconds()));
            // A new login starts from the role's first use, not a purpose left by someone else.
            h.append(header::SET_COOKIE, purpose_cookie(&state, "", 0));
            r
        }
        Err(e) => {
            use kenpo_app::auth::AuthError;
            let (status, message, need_totp) = match &e {
                kenpo_app::AppError::Auth(AuthError::SecondFactorRequired) => (
                    StatusCode::UNAUTHORIZED,
                    "このロールは2段階認証が必要です。認証アプリの6桁の確認コードを入力してください。",
                    true,
                ),
                kenpo_app::AppError::Auth(AuthError::Locked) => (
                    StatusCode::LOCKED,
                    "続けて失敗したため、一時的にロックしています。しばらくしてから、又は管理者に連絡してください。",
                    false,
                ),
                kenpo_app::AppError::Auth(AuthError::Disabled) => {
                    (StatusCode::FORBIDDEN, "このアカウントは無効です。管理者に連絡してください。", false)
                }
                kenpo_app::AppError::Internal(d) => {
                    tracing::error!(error = %d, "login failed internally");
                    (StatusCode::INTERNAL_SERVER_ERROR, "処理に失敗しました。", false)
                }
                _ => (StatusCode::UNAUTHORIZED, "ログインID、パスワード又は確認コードが違います。", false),
            };
            page(status, &LoginPage { chrome: None, notice: None, error: Some(message.into()), need_totp })
        }
    }
}

async fn activate_form() -> Response {
    page(StatusCode::OK, &ActivatePage { chrome: None, error: None, done: false })
}

#[derive(Deserialize)]
struct ActivateForm {
    login: String,
    code: String,
    password: String,
    password2: String,
}

async fn activate(State(state): St, headers: axum::http::HeaderMap, Form(f): Form<ActivateForm>) -> Response {
    let refuse = |status, msg: &str| page(status, &ActivatePage { chrome: None, error: Some(msg.into()), done: false });
    if !super::same_origin(&headers) {
        return refuse(StatusCode::FORBIDDEN, "他のサイトからの送信は受け付けません");
    }
    if f.password != f.password2 {
        return refuse(StatusCode::BAD_REQUEST, "確認用のパスワードが一致しません。");
    }
    match state.app.activate(f.login.trim(), f.code.trim(), &f.password, chrono::Utc::now()).await {
        Ok(()) => page(StatusCode::OK, &ActivatePage { chrome: None, error: None, done: true }),
        Err(kenpo_app::AppError::Auth(kenpo_app::auth::AuthError::WeakPassword)) => {
            refuse(StatusCode::BAD_REQUEST, "パスワードは12〜128文字にしてください。")
        }
        Err(_) => refuse(StatusCode::UNAUTHORIZED, "ログインID又はワンタイムコードが違うか、期限が切れています。"),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    _csrf: String,
}

async fn logout(State(state): St, browser: Browser, Form(f): Form<CsrfForm>) -> Response {
    let plain = Chrome::default();
    if let Err(e) = check_csrf(&browser.session, &f._csrf, &plain) {
        return e.into_response();
    }
    state.app.sessions.end(&browser.token);
    let mut r = Redirect::to("/login?why=logout").into_response();
    r.headers_mut().append(header::SET_COOKIE, session_cookie(&state, "", 0));
    r.headers_mut().append(header::SET_COOKIE, purpose_cookie(&state, "", 0));
    r
}

#[derive(Deserialize)]
struct PurposeForm {
    #[serde(default)]
    _csrf: String,
    purpose: String,
    #[serde(default)]
    back: String,
}

async fn choose_purpose(State(state): St, p: StaffPage, Form(f): Form<PurposeForm>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    if !super::purposes_of(&state, p.role).iter().any(|(id, _)| *id == f.purpose) {
        return Err(WebError::invalid(&p.chrome, "purpose: このロールの利用目的から選んでください"));
    }
    // Only a path of ours: never an absolute or scheme-relative address.
    let back = if f.back.starts_with('/') && !f.back.starts_with("//") && !f.back.contains('\\') && f.back.len() <= 200
    {
        f.back.clone()
    } else {
        "/".to_string()
    };
    let mut r = Redirect::to(&back).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, purpose_cookie(&state, &f.purpose, state.app.auth.absolute.num_seconds()));
    Ok(r)
}

/// `/`: members to their portal, staff to the menu, anyone else to the login screen.
async fn home(browser: Result<Browser, WebError>) -> Response {
    let Ok(browser) = browser else { return Redirect::to("/login").into_response() };
    if matches!(browser.session.principal.actor, Actor::Member { .. }) {
        return Redirect::to("/me").into_response();
    }
    Redirect::to("/menu").into_response()
}

async fn menu(p: StaffPage) -> Response {
    page(StatusCode::OK, &HomePage { chrome: Some(p.chrome) })
}

// ---- 加入者 ----

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    kana: String,
    #[serde(default)]
    symbol: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    birth_date: String,
}

async fn search(State(state): St, p: StaffPage, Query(q): Query<SearchQuery>) -> Result<Response, WebError> {
    let kana = text("氏名カナ", &q.kana, 40, &p.chrome)?;
    let symbol = text("記号", &q.symbol, 40, &p.chrome)?;
    let number = text("番号", &q.number, 40, &p.chrome)?;
    let birth = if q.birth_date.trim().is_empty() {
        None
    } else {
        Some(
            chrono::NaiveDate::parse_from_str(q.birth_date.trim(), "%Y-%m-%d")
                .map_err(|_| WebError::invalid(&p.chrome, "生年月日: 年-月-日で入力してください"))?,
        )
    };
    let searched = !(kana.is_empty() && symbol.is_empty() && number.is_empty() && birth.is_none());
    let mut hits = Vec::new();
    if searched {
        let query = kenpo_store::PeopleQuery {
            kana_prefix: Some(kana.clone()),
            card_symbol: Some(symbol.clone()),
            card_number: Some(number.clone()),
            birth_date: birth,
        };
        for h in state.app.search_people(&p.ctx, &query).await.map_err(|e| WebError::from_app(e, &p.chrome))? {
            hits.push(HitRow {
                id: h.id,
                card: format!("{}・{}・{:02}", h.identity.card_symbol, h.identity.card_number, h.identity.card_branch),
                name: h.identity.name_kanji.clone(),
                kana: h.identity.name_kana.clone(),
                birth: kenpo_domain::era::era_date(h.identity.birth_date),
                kind: h.identity.kind.label().to_string(),
            });
        }
    }
    let full = hits.len() as i64 >= kenpo_store::SEARCH_LIMIT;
    Ok(page(
        StatusCode::OK,
        &SearchPage {
            chrome: Some(p.chrome),
            kana,
            symbol,
            number,
            birth_date: birth.map(|d| d.to_string()).unwrap_or_default(),
            searched,
            hits,
            limit: kenpo_store::SEARCH_LIMIT,
            full,
        },
    ))
}

async fn person(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let v = state.app.person(&p.ctx, PersonId(id)).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let href = |other: i64| Some(format!("/members/{other}"));
    let mut links = vec![
        Link { href: format!("/members/{id}/history"), label: "資格の履歴（異動・証・訂正）".into() },
        Link { href: format!("/members/{id}/entry"), label: "資格の異動・訂正を入力".into() },
        Link {
            href: format!("/members/{id}/certificates.pdf"), label: "資格確認書・資格情報のお知らせ（PDF）".into()
        },
        Link { href: format!("/members/{id}/receipts"), label: "レセプト（診療月別）".into() },
        Link { href: format!("/members/{id}/checkups"), label: "特定健診・保健指導".into() },
    ];
    if let Some(e) = &v.eligibility {
        if let Some(insured) = e.insured_id {
            links.push(Link { href: format!("/members/{insured}"), label: "被保険者本人".into() });
        }
        for d in &e.dependant_ids {
            links.push(Link { href: format!("/members/{d}"), label: format!("被扶養者 ID {d}") });
        }
    }
    if p.ctx.purpose().id() == kenpo_policy::engine::STATUTORY_DISCLOSURE {
        links.push(Link { href: format!("/members/{id}/disclosure"), label: "開示報告書".into() });
    }
    Ok(page(
        StatusCode::OK,
        &PersonPage {
            chrome: Some(p.chrome),
            title: format!("加入者詳細 — {}", v.identity.name_kanji),
            identity: views::identity_fields(&v),
            masked: !v.masked.is_empty(),
            sections: views::person_sections(&v, &href),
            withheld: views::withheld_rows(&v.withheld, &views::staff_explain(Some(id))),
            links,
        },
    ))
}

async fn receipts(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let r = state.app.person_receipts(&p.ctx, PersonId(id)).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let href = |rid: i64| format!("/members/{id}/receipts/{rid}");
    let clinical = r.receipts.iter().any(|x| x.diagnoses.is_some());
    Ok(page(
        StatusCode::OK,
        &ReceiptsPage {
            chrome: Some(p.chrome),
            title: format!("レセプト（加入者ID {id}）"),
            months: views::receipt_months(&r, &href),
            clinical,
            withheld: views::withheld_rows(&r.withheld, &views::staff_explain(Some(id))),
            back: Link { href: format!("/members/{id}"), label: "加入者詳細へ戻る".into() },
        },
    ))
}

async fn receipt(State(state): St, p: StaffPage, Path((id, rid)): Path<(i64, i64)>) -> Result<Response, WebError> {
    let v = state.app.person_receipt(&p.ctx, PersonId(id), rid).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let back = Link { href: format!("/members/{id}/receipts"), label: "診療月別の一覧へ戻る".into() };
    Ok(page(StatusCode::OK, &views::receipt_page(p.chrome, &v, back, &views::staff_explain(Some(id)))))
}

async fn person_checkups(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let c = state.app.person_checkups(&p.ctx, PersonId(id)).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: format!("特定健診・保健指導（加入者ID {id}）"),
            intro: Vec::new(),
            month_form: None,
            tables: views::checkup_tables(&c),
            withheld: views::withheld_rows(&c.withheld, &views::staff_explain(Some(id))),
            links: vec![Link { href: format!("/members/{id}"), label: "加入者詳細へ戻る".into() }],
        },
    ))
}

async fn disclosure(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = state.app.disclosure(&p.ctx, PersonId(id)).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let (held, provisions, accesses) = views::disclosure_tables(&d);
    Ok(page(
        StatusCode::OK,
        &DisclosurePage {
            chrome: Some(p.chrome),
            title: format!("開示報告書 — {}", d.person.identity.name_kanji),
            identity: views::identity_fields(&d.person),
            held,
            provisions,
            accesses,
            note: Some("個人情報保護法第33条による開示。個人番号は登録の有無のみを示します。".into()),
        },
    ))
}

#[derive(Deserialize)]
struct ExplainQuery {
    category: Option<String>,
    #[serde(default)]
    action: String,
    person: Option<i64>,
}

async fn explain(State(state): St, p: StaffPage, Query(q): Query<ExplainQuery>) -> Result<Response, WebError> {
    let category = match q.category.as_deref() {
        Some(c) => Some(
            DataCategory::from_id(c)
                .ok_or_else(|| WebError::invalid(&p.chrome, "category: 情報の区分から選んでください"))?,
        ),
        None => None,
    };
    let action = match q.action.as_str() {
        "" | "read" => Action::Read,
        "write" => Action::Write,
        "export" => Action::Export,
        _ => return Err(WebError::invalid(&p.chrome, "action: 参照・更新・提供から選んでください")),
    };
    let action_label = |a: Action| match a {
        Action::Read => "参照",
        Action::Write => "更新",
        Action::Export => "提供（出力）",
    };
    let (allowed, rule, lines) = match category {
        Some(c) => {
            let (d, lines) =
                state.app.explain(&p.ctx, action, c, q.person.map(PersonId), chrono::Local::now().date_naive());
            (d.is_allowed(), d.rule().to_string(), lines)
        }
        None => (false, String::new(), Vec::new()),
    };
    Ok(page(
        StatusCode::OK,
        &ExplainPage {
            chrome: Some(p.chrome),
            categories: DataCategory::ALL
                .iter()
                .map(|c| (c.id().to_string(), c.label().to_string(), Some(*c) == category))
                .collect(),
            actions: [Action::Read, Action::Write, Action::Export]
                .iter()
                .map(|a| {
                    let id = match a {
                        Action::Read => "read",
                        Action::Write => "write",
                        Action::Export => "export",
                    };
                    (id.to_string(), action_label(*a).to_string(), *a == action)
                })
                .collect(),
            person: q.person,
            member: false,
            asked: category.is_some(),
            category: category.map(|c| c.label().to_string()).unwrap_or_default(),
            action: action_label(action).to_string(),
            allowed,
            rule,
            lines,
        },
    ))
}

// ---- レセプト点検 ----

fn month_of(s: &str, chrome: &Chrome) -> Result<YearMonth, WebError> {
    s.trim().parse::<YearMonth>().map_err(|_| WebError::invalid(chrome, "month: 年-月（YYYY-MM）で指定してください"))
}

/// The months with receipts, newest first, and the chosen one (default: the newest).
async fn months(state: &ServerState, p: &StaffPage, wanted: Option<&str>) -> Result<(Vec<String>, String), WebError> {
    let mut all: Vec<String> = state
        .app
        .receipt_months(&p.ctx)
        .await
        .map_err(|e| WebError::from_app(e, &p.chrome))?
        .into_iter()
        .map(|m| m.to_string())
        .collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    let chosen = match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => month_of(w, &p.chrome)?.to_string(),
        None => all.first().cloned().unwrap_or_default(),
    };
    Ok((all, chosen))
}

#[derive(Deserialize)]
struct ReviewQuery {
    month: Option<String>,
    rule: Option<String>,
    done: Option<String>,
}

const STATUS_LABELS: [(&str, &str); 2] = [("rereview", "再審査請求"), ("no_problem", "問題なし")];

async fn review(State(state): St, p: StaffPage, Query(q): Query<ReviewQuery>) -> Result<Response, WebError> {
    let (all, month) = months(&state, &p, q.month.as_deref()).await?;
    let rule = q.rule.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    if let Some(r) = &rule {
        text("点検区分", r, 64, &p.chrome)?;
    }
    let m = if month.is_empty() { None } else { Some(month_of(&month, &p.chrome)?) };
    let rows = state.app.findings(&p.ctx, m, None).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let mut rules: Vec<(String, String, bool)> = Vec::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in &rows {
        if !rules.iter().any(|(id, _, _)| *id == r.rule) {
            rules.push((r.rule.clone(), kenpo_store::rule_label(&r.rule).to_string(), Some(&r.rule) == rule.as_ref()));
        }
        let label = match r.status.as_deref() {
            Some(s) => STATUS_LABELS.iter().find(|(id, _)| *id == s).map(|(_, l)| *l).unwrap_or("解決済み"),
            None => "未確認",
        };
        match counts.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label.to_string(), 1)),
        }
    }
    let findings = rows
        .iter()
        .filter(|r| rule.as_ref().is_none_or(|x| *x == r.rule))
        .map(|r| {
            let (status_id, status) = match r.status.as_deref() {
                Some(s) => (
                    s.to_string(),
                    STATUS_LABELS.iter().find(|(id, _)| *id == s).map(|(_, l)| *l).unwrap_or("解決済み").to_string(),
                ),
                None => ("open".to_string(), "未確認".to_string()),
            };
            FindingView {
                id: r.id,
                month: r.service_month.clone(),
                rule: kenpo_store::rule_label(&r.rule).to_string(),
                institution: r.institution_name.clone(),
                kind: kenpo_domain::receipt::ReceiptKind::from_code(&r.receipt_kind)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| r.receipt_kind.clone()),
                points: yen(r.total_points),
                detail: r.detail.clone(),
                status,
                status_id,
                by: r.resolved_by.as_deref().map(|a| views::staff_actor(state.app.catalogue(), a)).unwrap_or_default(),
                at: r.resolved_at.clone().unwrap_or_default(),
                note: r.resolution.clone().unwrap_or_default(),
                receipt_href: r.person_id.map(|person| format!("/members/{person}/receipts/{}", r.receipt_id)),
            }
        })
        .collect();
    let message = match q.done.as_deref() {
        Some("status") => Some("状態を設定しました（監査ログに記録しました）。".to_string()),
        Some("run") => Some("点検を実行しました。".to_string()),
        _ => None,
    };
    Ok(page(
        StatusCode::OK,
        &ReviewPage {
            chrome: Some(p.chrome),
            form: MonthForm {
                action: "/review",
                name: "month",
                label: "診療年月",
                options: all.iter().map(|m| (m.clone(), *m == month)).collect(),
                run: Vec::new(),
            },
            month,
            rules,
            findings,
            counts,
            message,
        },
    ))
}

#[derive(Deserialize)]
struct MonthPost {
    #[serde(default)]
    _csrf: String,
    month: String,
}

async fn review_run(State(state): St, p: StaffPage, Form(f): Form<MonthPost>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let m = month_of(&f.month, &p.chrome)?;
    state.app.run_review(&p.ctx, m).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(Redirect::to(&format!("/review?month={m}&done=run")).into_response())
}

#[derive(Deserialize)]
struct StatusPost {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    month: String,
    status: String,
    #[serde(default)]
    note: String,
}

async fn set_status(
    State(state): St,
    p: StaffPage,
    Path(id): Path<i64>,
    Form(f): Form<StatusPost>,
) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let status = match f.status.as_str() {
        "rereview" => kenpo_store::FindingStatus::Rereview,
        "no_problem" => kenpo_store::FindingStatus::NoProblem,
        _ => return Err(WebError::invalid(&p.chrome, "status: 再審査請求又は問題なしから選んでください")),
    };
    let note = text("メモ", &f.note, 200, &p.chrome)?;
    let row =
        state.app.set_finding_status(&p.ctx, id, status, &note).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let month =
        if f.month.trim().is_empty() { row.service_month.clone() } else { month_of(&f.month, &p.chrome)?.to_string() };
    Ok(Redirect::to(&format!("/review?month={month}&done=status#f{id}")).into_response())
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
    done: Option<String>,
}

/// The 再審査等請求 preparation file of a month, written by the one CSV writer.
async fn review_export(State(state): St, p: StaffPage, Query(q): Query<MonthQuery>) -> Result<Response, WebError> {
    let m = month_of(q.month.as_deref().unwrap_or(""), &p.chrome)?;
    let rows = state.app.findings(&p.ctx, Some(m), None).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let bytes = kenpo_formats::csv_out::render(
        &kenpo_app::render::rereview_table(&rows),
        kenpo_formats::csv_out::CsvEncoding::Utf8Bom,
    )
    .map_err(|e| WebError::from_app(kenpo_app::AppError::Internal(e.to_string()), &p.chrome))?;
    Ok(crate::session::attachment(bytes, "text/csv; charset=utf-8", &format!("saishinsa-{m}.csv")))
}

// ---- 高額療養費・付加給付 ----

async fn kogaku(State(state): St, p: StaffPage, Query(q): Query<MonthQuery>) -> Result<Response, WebError> {
    let (all, month) = months(&state, &p, q.month.as_deref()).await?;
    let mut tables = Vec::new();
    if !month.is_empty() {
        let rows = state
            .app
            .kogaku_payments(&p.ctx, month_of(&month, &p.chrome)?)
            .await
            .map_err(|e| WebError::from_app(e, &p.chrome))?;
        let mut t = Table::new(["事業所", "被保険者 記号・番号", "氏名", "給付", "支給額", "計算"]);
        // Money is summed checked: a total that would not fit is an error, never a clamp.
        let mut total: i64 = 0;
        for r in &rows {
            total = total.checked_add(r.amount).ok_or_else(|| {
                WebError::from_app(kenpo_app::AppError::Internal("kogaku total overflows i64".into()), &p.chrome)
            })?;
            t.push(vec![
                r.employer_code.clone(),
                r.member_card.clone(),
                r.member_name.clone(),
                r.kind_label.clone(),
                format!("{}円", yen(r.amount)),
                r.explanation.join(" → "),
            ]);
        }
        tables.push((format!("{month} の支給（{}件、計{}円）", rows.len(), yen(total)), t));
    }
    let mut intro = vec![
        "高額療養費と付加給付を、世帯・月ごとに計算した結果です。各金額の計算過程を「計算」欄に示します。".to_string(),
        format!(
            "「給与支払用ファイル」は事業所ごとのCSV（ZIP）で、利用目的「{}」（{PAYROLL_USE}）として作成し、事業主への提供の記録を残します。",
            state.app.catalogue().use_by_id(PAYROLL_USE).map(|u| u.text.as_str()).unwrap_or(PAYROLL_USE)
        ),
    ];
    if q.done.as_deref() == Some("run") {
        intro.push("計算を実行しました。".into());
    }
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "高額療養費・付加給付".into(),
            intro,
            month_form: Some(MonthForm {
                action: "/kogaku",
                name: "month",
                label: "診療年月",
                options: all.iter().map(|m| (m.clone(), *m == month)).collect(),
                run: vec![("/kogaku/run", "この月を計算する"), ("/kogaku/payroll", "給与支払用ファイル（ZIP）")],
            }),
            tables,
            withheld: Vec::new(),
            links: Vec::new(),
        },
    ))
}

/// The use the payroll files are made for (別表2 1.【他の事業者等への提供】給与口座への支払い).
const PAYROLL_USE: &str = "benefits.payroll_payment";

/// The payroll files of a month as one ZIP, made for [`PAYROLL_USE`] whatever the purpose in
/// force (each employer's file leaves its provision record, as `kenpo kogaku payroll` does).
async fn kogaku_payroll(State(state): St, p: StaffPage, Form(f): Form<MonthPost>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let m = month_of(&f.month, &p.chrome)?;
    // An action with a use of its own, named on its button: the files go to the employers.
    let ctx = p.for_use(PAYROLL_USE)?;
    let payroll = state.app.kogaku_payroll(&ctx, m).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let bytes = kenpo_app::render::payroll_zip(&payroll, kenpo_formats::csv_out::CsvEncoding::Utf8Bom)
        .map_err(|e| WebError::from_app(kenpo_app::AppError::Internal(e.to_string()), &p.chrome))?;
    Ok(crate::session::attachment(bytes, "application/zip", &format!("kyuyo-shiharai-{m}.zip")))
}

async fn kogaku_run(State(state): St, p: StaffPage, Form(f): Form<MonthPost>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let m = month_of(&f.month, &p.chrome)?;
    state.app.run_kogaku(&p.ctx, m).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(Redirect::to(&format!("/kogaku?month={m}&done=run")).into_response())
}

// ---- 特定健診 ----

#[derive(Deserialize)]
struct CheckupQuery {
    fy: Option<i32>,
    view: Option<String>,
}

/// The use the 受診勧奨 follow-up reads receipts for (別表2 5: 健診後の事後指導の対象者抽出).
const FOLLOW_UP_USE: &str = "analysis.receipt_targeting";

async fn checkups(State(state): St, p: StaffPage, Query(q): Query<CheckupQuery>) -> Result<Response, WebError> {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let this_fy = if today.month() >= 4 { today.year() } else { today.year() - 1 };
    let fy = q.fy.unwrap_or(this_fy);
    if !(2008..=this_fy + 1).contains(&fy) {
        return Err(WebError::invalid(&p.chrome, "fy: 2008年度以降の年度を指定してください"));
    }
    let view = q.view.as_deref().unwrap_or("targets");
    let mut tables = Vec::new();
    let mut intro = Vec::new();
    let mut links = vec![
        Link {
            href: format!("/checkups?fy={fy}&view=targets"), label: "対象者（階層化・受診勧奨・委託状況）".into()
        },
        Link { href: format!("/checkups?fy={fy}&view=followup"), label: "受診勧奨のフォローアップ".into() },
        Link { href: format!("/checkups?fy={fy}&view=report"), label: "実施状況報告".into() },
    ];
    match view {
        "report" => {
            let rows = state.app.state_report(&p.ctx, fy).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
            tables
                .push((format!("{fy}年度 特定健診・特定保健指導の実施状況"), kenpo_app::kenshin::report_table(&rows)));
        }
        "targets" | "followup" => {
            let rows = state.app.checkup_targets(&p.ctx, fy).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
            let mut follow = std::collections::HashMap::new();
            if view == "followup" {
                // A second use, named on the page: reading receipts to see who went to a doctor.
                let follow_ctx = p.for_use(FOLLOW_UP_USE)?;
                let flagged: Vec<(i64, chrono::NaiveDate)> =
                    rows.iter().filter(|r| r.referral.is_some()).map(|r| (r.person_id, r.exam_date)).collect();
                for f in state
                    .app
                    .referral_follow_up(&follow_ctx, &flagged, 3)
                    .await
                    .map_err(|e| WebError::from_app(e, &p.chrome))?
                {
                    follow.insert(f.person_id, f);
                }
                let label = state.app.catalogue().use_by_id(FOLLOW_UP_USE).map(|u| u.text.clone()).unwrap_or_default();
                intro.push(format!(
                    "受診の確認はレセプトを参照するため、利用目的「{label}」（{FOLLOW_UP_USE}）で行い、そのとおり監査ログに記録します。"
                ));
            }
            let counts = kenpo_app::kenshin::count(&rows, &follow);
            intro.push(format!(
                "{fy}年度 受診者 {}人: 積極的支援 {}人、動機付け支援 {}人（保健指導の委託済み {}人）、受診勧奨 {}人（うち至急 {}人）",
                counts.examined, counts.intensive, counts.motivational, counts.handed, counts.referral, counts.urgent
            ));
            if view == "followup" {
                intro.push(format!(
                    "受診勧奨のうち、健診後3か月以内に医科の受診が確認できない人: {}人（うち至急 {}人）",
                    counts.no_visit, counts.urgent_no_visit
                ));
            }
            tables.push((
                format!("{fy}年度 特定保健指導・受診勧奨の対象者"),
                kenpo_app::kenshin::targets_table(&rows, &follow),
            ));
        }
        _ => return Err(WebError::invalid(&p.chrome, "view: targets, followup 又は report")),
    }
    links.retain(|l| !l.href.ends_with(&format!("view={view}")));
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "特定健診・特定保健指導".into(),
            intro,
            month_form: Some(MonthForm {
                action: "/checkups",
                name: "fy",
                label: "年度",
                options: (2008..=this_fy).rev().map(|y| (y.to_string(), y == fy)).collect(),
                run: Vec::new(),
            }),
            tables,
            withheld: Vec::new(),
            links,
        },
    ))
}

// ---- 取込 ----

async fn imports(p: StaffPage) -> Response {
    page(StatusCode::OK, &ImportsPage { chrome: Some(p.chrome), limit_mb: crate::UPLOAD_LIMIT / (1024 * 1024) })
}

async fn import_upload(State(state): St, p: StaffPage, mut form: Multipart) -> Result<Response, WebError> {
    let mut csrf = String::new();
    let mut kind = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let unreadable = |chrome: &Chrome| WebError::invalid(chrome, "file: アップロードを読めませんでした");
    while let Some(field) = form.next_field().await.map_err(|_| unreadable(&p.chrome))? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(|_| unreadable(&p.chrome))?,
            Some("kind") => kind = field.text().await.map_err(|_| unreadable(&p.chrome))?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|_| unreadable(&p.chrome))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    check_csrf(&p.browser.session, &csrf, &p.chrome)?;
    let kind = crate::jobs::ImportKind::from_id(kind.trim())
        .ok_or_else(|| WebError::invalid(&p.chrome, "kind: ファイルの種類を選んでください"))?;
    let Some((name, bytes)) = file else {
        return Err(WebError::invalid(&p.chrome, "file: ファイルを選んでください"));
    };
    // The name is kept with the import and shown back: only a plain file name.
    let name = name.rsplit(['/', '\\']).next().unwrap_or("").to_string();
    let ok_name = !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if !ok_name {
        return Err(WebError::invalid(&p.chrome, "file: ファイル名は128文字以内の英数字と . _ - にしてください"));
    }
    if bytes.is_empty() {
        return Err(WebError::invalid(&p.chrome, "file: ファイルが空です"));
    }
    let owner = p.browser.session.principal.account_id;
    let job = crate::jobs::start_import(&state, owner, p.ctx.clone(), kind, &name, bytes);
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}

async fn import_job(State(state): St, p: StaffPage, Path(id): Path<u64>) -> Result<Response, WebError> {
    let Some(j) = crate::jobs::job_of(&state, p.browser.session.principal.account_id, id) else {
        return Err(WebError::from_app(kenpo_app::AppError::NotFound("その取込はありません".into()), &p.chrome));
    };
    Ok(page(
        StatusCode::OK,
        &ImportJobPage {
            chrome: Some(p.chrome),
            id,
            file_name: j.file_name,
            state: j.state,
            read: j.receipts_read,
            receipts: j.receipts,
            matched: j.matched,
            unmatched: j.unmatched,
            error: j.error,
            outcome: j.outcome,
            kind: match j.kind.as_str() {
                "roster" => "加入者名簿",
                "checkups" => "特定健診",
                "filing" => "資格の届書",
                "kenin" => "検認の回答",
                "pay_filing" => "報酬の届書",
                "payments" => "入金明細",
                _ => "電子レセプト",
            },
        },
    ))
}

// ---- 監査 ----

#[derive(Deserialize, Default)]
struct AuditQueryForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    outcome: String,
    verify: Option<String>,
}

async fn audit(State(state): St, p: StaffPage, Query(q): Query<AuditQueryForm>) -> Result<Response, WebError> {
    let actor = text("利用者", &q.actor, 100, &p.chrome)?;
    let purpose = text("利用目的", &q.purpose, 100, &p.chrome)?;
    let person_text = text("加入者ID", &q.person, 12, &p.chrome)?;
    let outcome = match q.outcome.trim() {
        "" => String::new(),
        o @ ("allow" | "deny") => o.to_string(),
        _ => return Err(WebError::invalid(&p.chrome, "outcome: 許可又は拒否から選んでください")),
    };
    let person = if person_text.is_empty() {
        None
    } else {
        Some(PersonId(
            person_text.parse().map_err(|_| WebError::invalid(&p.chrome, "加入者ID: 数字で入力してください"))?,
        ))
    };
    // Verifying recomputes the whole chain: run on request, not on every filter.
    let verify = if q.verify.as_deref() == Some("1") {
        let r = state.app.audit_verify(&p.ctx).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
        let result = if r.first_bad.is_none() {
            "正常（改ざんは検出されませんでした）"
        } else {
            "異常あり"
        };
        Some(vec![
            field("結果", result),
            field("記録件数", yen(r.entries as i64)),
            field("チェックポイント", r.checkpoints.to_string()),
            field("最初の異常", r.first_bad.as_ref().map(|b| format!("{b:?}")).unwrap_or_else(|| "なし".into())),
        ])
    } else {
        None
    };
    let query = kenpo_store::AuditQuery {
        actor: (!actor.is_empty()).then(|| actor.clone()),
        purpose: (!purpose.is_empty()).then(|| purpose.clone()),
        outcome: (!outcome.is_empty()).then(|| outcome.clone()),
        person,
        limit: 200,
    };
    let rows = state.app.audit_entries(&p.ctx, &query).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let mut table = Table::new(["番号", "日時", "だれが", "利用目的", "操作", "区分", "結果", "規則", "対象"]);
    for e in &rows {
        let categories: Vec<&str> =
            e.categories.split(',').map(|c| DataCategory::from_id(c.trim()).map(|c| c.label()).unwrap_or(c)).collect();
        table.push(vec![
            e.seq.to_string(),
            e.at.clone(),
            views::staff_actor(state.app.catalogue(), &e.actor),
            e.purpose.clone(),
            e.action.clone(),
            categories.join("、"),
            if e.outcome == "allow" { "許可".into() } else { "拒否".into() },
            e.rule.clone(),
            e.subject_kind.clone(),
        ]);
    }
    Ok(page(
        StatusCode::OK,
        &AuditPage {
            chrome: Some(p.chrome),
            actor,
            purpose,
            person: person_text,
            outcome,
            searched: true,
            table,
            verify,
        },
    ))
}

#[derive(Deserialize, Default)]
struct ContractorQuery {
    id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn contractors(State(state): St, p: StaffPage, Query(q): Query<ContractorQuery>) -> Result<Response, WebError> {
    let catalogue = state.app.catalogue();
    let mut tables = Vec::new();
    let mut list = Table::new(["ID", "委託先", "報告"]);
    for c in &catalogue.contractors {
        list.push(vec![c.id.clone(), c.name.clone(), format!("/audit/contractors?id={}", c.id)]);
    }
    let mut intro = vec!["委託先が受け取った個人データ（提供の記録）と、委託先による参照（監査ログ）を期間で集計します（個人情報保護法第25条 委託先の監督）。利用目的「委託先の監督」で表示します。".to_string()];
    if let Some(id) = q.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let day = |s: Option<&str>, default: chrono::NaiveDate| -> Result<chrono::NaiveDate, WebError> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| WebError::invalid(&p.chrome, "from/to: 年-月-日で指定してください")),
                None => Ok(default),
            }
        };
        let today = chrono::Local::now().date_naive();
        let from = day(q.from.as_deref(), today - chrono::Days::new(365))?;
        let to = day(q.to.as_deref(), today)?;
        let (name, report) =
            state.app.contractor_report(&p.ctx, id, from, to).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
        intro.push(format!("{name}（{id}）: {from} 〜 {to}"));
        let mut received = Table::new(["日時", "利用目的", "区分", "人数", "ファイル"]);
        for r in &report.received {
            received.push(vec![
                r.at.clone(),
                r.use_id.clone(),
                r.categories.clone(),
                r.subject_count.to_string(),
                r.file_name.clone(),
            ]);
        }
        let mut accessed = Table::new(["利用目的", "区分", "結果", "件数"]);
        for (purpose, cats, outcome, n) in &report.accesses {
            accessed.push(vec![
                purpose.clone(),
                cats.clone(),
                if outcome == "allow" { "許可".into() } else { "拒否".into() },
                n.to_string(),
            ]);
        }
        tables.push(("受け取った個人データ（提供の記録）".to_string(), received));
        tables.push(("委託先による参照（監査ログの集計）".to_string(), accessed));
    }
    tables.push(("業務委託先一覧".to_string(), list));
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "委託先報告".into(),
            intro,
            month_form: None,
            tables,
            withheld: Vec::new(),
            links: catalogue
                .contractors
                .iter()
                .map(|c| Link {
                    href: format!("/audit/contractors?id={}", c.id),
                    label: format!("{} {}", c.id, c.name),
                })
                .collect(),
        },
    ))
}

// ---- 利用者管理 ----

#[derive(Deserialize)]
struct UsersQuery {
    done: Option<String>,
}

async fn users_page(
    state: &ServerState,
    p: StaffPage,
    issued: Option<Vec<Field>>,
    message: Option<String>,
) -> Result<Response, WebError> {
    let rows = state.app.list_accounts(&p.ctx).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let catalogue = state.app.catalogue();
    let accounts = rows
        .iter()
        .map(|a| {
            let kind = match &a.kind {
                kenpo_store::AccountKind::Staff { role } => {
                    format!(
                        "職員: {}",
                        catalogue.roles.iter().find(|r| r.id == *role).map(|r| r.label.as_str()).unwrap_or(role)
                    )
                }
                kenpo_store::AccountKind::Member { person_id } => format!("加入者本人（ID {person_id}）"),
                kenpo_store::AccountKind::Contractor { contractor_id } => format!("委託先 {contractor_id}"),
            };
            let state_label = match a.state() {
                "disabled" => "無効",
                "locked" => "ロック中",
                "not_activated" => "初回設定待ち",
                _ => "有効",
            }
            .to_string();
            AccountView {
                login: a.login.clone(),
                kind,
                name: a.display_name.clone(),
                state: state_label,
                disabled: a.disabled,
            }
        })
        .collect();
    let roles = catalogue.roles.iter().map(|r| (r.id.clone(), r.label.clone())).collect();
    Ok(page(StatusCode::OK, &UsersPage { chrome: Some(p.chrome), accounts, roles, issued, message }))
}

async fn users(State(state): St, p: StaffPage, Query(q): Query<UsersQuery>) -> Result<Response, WebError> {
    let message = match q.done.as_deref() {
        Some("disable") => Some("無効にしました（ログイン中のセッションも終了しました）。".to_string()),
        Some("enable") => Some("有効にしました（ロックも解除しました）。".to_string()),
        _ => None,
    };
    users_page(&state, p, None, message).await
}

fn issued_fields(i: &kenpo_app::IssuedAccount) -> Vec<Field> {
    let mut f = vec![
        field("ログインID", i.account.login.clone()),
        field("ワンタイムコード", i.onetime_code.clone()),
        field("有効期限", i.onetime_expires.clone()),
    ];
    if let Some(s) = &i.totp_secret {
        f.push(field("認証アプリの登録キー（TOTP）", s.clone()));
    }
    f
}

#[derive(Deserialize)]
struct AddUser {
    #[serde(default)]
    _csrf: String,
    login: String,
    display_name: String,
    kind: String,
    #[serde(default)]
    person: String,
}

async fn add_user(State(state): St, p: StaffPage, Form(f): Form<AddUser>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let login = text("ログインID", &f.login, 64, &p.chrome)?;
    let name = text("表示名", &f.display_name, 100, &p.chrome)?;
    let kind = match f.kind.split_once(':') {
        Some(("staff", role)) => kenpo_store::AccountKind::Staff { role: role.to_string() },
        _ if f.kind == "member" => kenpo_store::AccountKind::Member {
            person_id: f
                .person
                .trim()
                .parse()
                .map_err(|_| WebError::invalid(&p.chrome, "加入者ID: 数字で入力してください"))?,
        },
        _ => return Err(WebError::invalid(&p.chrome, "kind: 種別を選んでください")),
    };
    let issued = state
        .app
        .add_account(&p.ctx, &login, kind, &name, chrono::Utc::now())
        .await
        .map_err(|e| WebError::from_app(e, &p.chrome))?;
    let fields = issued_fields(&issued);
    users_page(&state, p, Some(fields), Some("アカウントを追加しました。".into())).await
}

async fn user_action(
    State(state): St,
    p: StaffPage,
    Path((login, action)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let now = chrono::Utc::now();
    match action.as_str() {
        "disable" | "enable" => {
            state
                .app
                .set_account_disabled(&p.ctx, &login, action == "disable")
                .await
                .map_err(|e| WebError::from_app(e, &p.chrome))?;
            Ok(Redirect::to(&format!("/users?done={action}")).into_response())
        }
        "reset" => {
            let issued =
                state.app.reset_account(&p.ctx, &login, now).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
            let fields = issued_fields(&issued);
            users_page(
                &state,
                p,
                Some(fields),
                Some("パスワードを再発行しました（ログイン中のセッションは終了しました）。".into()),
            )
            .await
        }
        _ => Err(WebError::from_app(kenpo_app::AppError::NotFound("no such action".into()), &p.chrome)),
    }
}

// ---- 資格: history, certificates, the オンライン資格確認 outbox ----

async fn history(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let h = state.app.person_history(&p.ctx, PersonId(id)).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: format!("資格の履歴（加入者ID {id}）"),
            intro: vec![
                "資格は事象（届書・窓口の入力）でだけ変わります。訂正は元の事象を消さず、訂正の事象として残ります。"
                    .into(),
            ],
            month_form: None,
            tables: vec![
                ("資格期間".into(), views::periods_table(&h)),
                ("被保険者等記号・番号の履歴".into(), views::cards_table(&h)),
                ("事業所の履歴（転勤前）".into(), views::employers_table(&h)),
                ("事象（新しいものが下）".into(), views::events_table(&h)),
            ],
            withheld: Vec::new(),
            links: vec![Link { href: format!("/members/{id}"), label: "加入者詳細へ".into() }],
        },
    ))
}

#[derive(Deserialize)]
struct PaperQuery {
    paper: Option<String>,
}

async fn certificates_pdf(
    State(state): St,
    p: StaffPage,
    Path(id): Path<i64>,
    Query(q): Query<PaperQuery>,
) -> Result<Response, WebError> {
    let paper = match q.paper.as_deref() {
        None | Some("a4") => kenpo_app::render::pdf::Paper::A4,
        Some("card") => kenpo_app::render::pdf::Paper::Card,
        Some(_) => return Err(WebError::invalid(&p.chrome, "paper: a4 または card")),
    };
    let pdf =
        state.app.certificates_pdf(&p.ctx, PersonId(id), paper).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(crate::session::attachment(pdf, "application/pdf", &format!("shikaku-kakuninsho-{id}.pdf")))
}

/// The use the registration file is handed out for (別表2 8: オンライン資格確認等システムへの登録).
const ONLINE_USE: &str = "online.register";

#[derive(Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    done: Option<String>,
}

async fn outbox(State(state): St, p: StaffPage, Query(q): Query<OutboxQuery>) -> Result<Response, WebError> {
    let today = chrono::Local::now().date_naive();
    let status = match q.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(s @ ("pending" | "sent" | "error" | "resend")) => Some(s),
        Some(_) => return Err(WebError::invalid(&p.chrome, "status: 状態を一覧から選んでください")),
    };
    let ctx = p.for_use(ONLINE_USE)?;
    let rows = state.app.outbox(&ctx, status, false, today).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let overdue: Vec<_> = rows.iter().filter(|r| r.overdue).cloned().collect();
    let options = ["all", "pending", "sent", "error", "resend"]
        .iter()
        .map(|s| (s.to_string(), status.unwrap_or("all") == *s))
        .collect();
    let mut intro = vec![
        format!(
            "資格の異動はすべて、届書の受付日から5日以内にオンライン資格確認等システム（医療保険者等向け中間サーバー）へ登録します。\
             この画面の操作は利用目的「{ONLINE_USE}」で行います。"
        ),
        format!("本日 {} 時点: {} 件中 期限超過 {} 件。", kenpo_domain::era::era_date(today), rows.len(), overdue.len()),
        "登録ファイルの様式は中間サーバーの仕様書が公開されていないため未検証です（README 参照）。個人番号は含みません。".into(),
    ];
    if q.done.as_deref() == Some("export") {
        intro.push("登録ファイルを作成し、未送信・再送の行を送信済にしました。".into());
    }
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "オンライン資格確認 登録".into(),
            intro,
            month_form: Some(MonthForm {
                action: "/eligibility/outbox",
                name: "status",
                label: "状態（all / pending 未送信 / sent 送信済 / error エラー / resend 再送）",
                options,
                run: vec![("/eligibility/outbox/export", "登録ファイルを作る（未送信・再送を送信済にする）")],
            }),
            tables: vec![
                (
                    "期限超過（未送信・エラー・再送のまま5日を過ぎたもの）".into(),
                    kenpo_app::render::outbox_table(&overdue),
                ),
                ("登録の一覧（期限の早い順）".into(), kenpo_app::render::outbox_table(&rows)),
            ],
            withheld: Vec::new(),
            links: Vec::new(),
        },
    ))
}

async fn outbox_export(State(state): St, p: StaffPage, Form(f): Form<CsrfForm>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let today = chrono::Local::now().date_naive();
    let ctx = p.for_use(ONLINE_USE)?;
    let (_, bytes) = state
        .app
        .outbox_export(&ctx, today, kenpo_formats::csv_out::CsvEncoding::Utf8Bom)
        .await
        .map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(crate::session::attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("online-registration-{}.csv", today.format("%Y%m%d")),
    ))
}

// ---- 資格: staff entries, the 被扶養者 rule, receipts after a loss, 検認 ----

const ENTRY_KINDS: [(&str, &str); 7] = [
    ("lose", "資格喪失（被扶養者の削除を含む）"),
    ("voluntary", "任意継続の申出"),
    ("name", "氏名変更"),
    ("address", "住所変更"),
    ("employer", "事業所の変更（転勤）"),
    ("card", "記号・番号・枝番の変更"),
    ("correct", "事象の訂正"),
];

fn entry_fields() -> Vec<FormField> {
    let mut reasons: Vec<(&str, &str)> = vec![("", "—（資格喪失のとき選ぶ）")];
    reasons.extend(kenpo_domain::eligibility::LossReason::ALL.iter().map(|r| (r.code(), r.label())));
    vec![
        FormField::select("異動の種類", "kind", &ENTRY_KINDS),
        FormField::input("日付（退職日・死亡日・申出日・変更日）", "day", "date", false),
        FormField::select("喪失事由", "reason", &reasons),
        FormField::input("新しい氏名（漢字）", "kanji", "text", false),
        FormField::input("新しい氏名（カナ）", "kana", "text", false),
        FormField::input("郵便番号", "postal_code", "text", false),
        FormField::input("住所", "address", "text", false),
        FormField::input("事業所番号", "employer", "text", false),
        FormField::input("記号", "symbol", "text", false),
        FormField::input("番号", "number", "text", false),
        FormField::input("枝番", "branch", "number", false),
        FormField::input("訂正する事象の番号", "event", "number", false),
    ]
}

fn entry_page(chrome: Chrome, id: i64, result: Vec<String>) -> FormPage {
    FormPage {
        chrome: Some(chrome),
        title: format!("資格の異動・訂正の入力（加入者ID {id}）"),
        intro: vec![
            "入力は事象として記録され、元の値は履歴に残ります。日付から資格喪失日などは規則で決まります（例: 退職日の翌日）。".into(),
            "訂正は元の事象を消さず、訂正の事象を加えます。訂正する事象の番号は「資格の履歴」に出ています。".into(),
        ],
        action: format!("/members/{id}/entry"),
        fields: entry_fields(),
        button: "記録する",
        result_title: "入力できませんでした",
        result,
        links: vec![Link { href: format!("/members/{id}/history"), label: "資格の履歴へ".into() }],
    }
}

async fn entry_form(p: StaffPage, Path(id): Path<i64>) -> Response {
    page(StatusCode::OK, &entry_page(p.chrome, id, Vec::new()))
}

#[derive(Deserialize, Default)]
struct EntryForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    kanji: String,
    #[serde(default)]
    kana: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    symbol: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    event: String,
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

async fn entry_post(
    State(state): St,
    p: StaffPage,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let day = match opt(&f.day) {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| WebError::invalid(&p.chrome, "日付: 年-月-日で入力してください"))?,
        ),
        None => None,
    };
    let number = |v: &str, field: &'static str| -> Result<Option<i64>, WebError> {
        opt(v)
            .map(|v| {
                v.parse::<i64>().map_err(|_| WebError::invalid(&p.chrome, format!("{field}: 数字で入力してください")))
            })
            .transpose()
    };
    let branch = number(&f.branch, "枝番")?.map(|b| u8::try_from(b).unwrap_or(u8::MAX));
    let entry = kenpo_app::eligibility::StaffEntry {
        kind: f.kind.trim().to_string(),
        person: id,
        day,
        reason: opt(&f.reason),
        kanji: opt(&f.kanji),
        kana: opt(&f.kana),
        postal_code: opt(&f.postal_code),
        address: opt(&f.address),
        employer: opt(&f.employer),
        symbol: opt(&f.symbol),
        number: opt(&f.number),
        branch,
        event: number(&f.event, "訂正する事象の番号")?,
    };
    let today = chrono::Local::now().date_naive();
    match state.app.apply_staff_entry(&p.ctx, &entry, today).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}/history")).into_response()),
        // A refused entry is shown on the form with what the rule or the record said (field
        // names and rules, never a typed value).
        Err(kenpo_app::AppError::Invalid(message)) | Err(kenpo_app::AppError::Conflict(message)) => {
            Ok(page(StatusCode::BAD_REQUEST, &entry_page(p.chrome, id, vec![message])))
        }
        Err(e) => Err(WebError::from_app(e, &p.chrome)),
    }
}

fn recognise_page(chrome: Chrome, result_title: &'static str, result: Vec<String>) -> FormPage {
    FormPage {
        chrome: Some(chrome),
        title: "被扶養者の認定（規則の確認）".into(),
        intro: vec![
            "申請の内容から、認定・不認定・書類不足とその理由を示します。記録はしません（認定は届書や入力で記録します）。".into(),
        ],
        action: "/eligibility/recognise".into(),
        fields: vec![
            FormField::select(
                "続柄",
                "kinship",
                &[
                    ("spouse", "配偶者"),
                    ("common_law_spouse", "配偶者（内縁）"),
                    ("child", "子"),
                    ("grandchild", "孫"),
                    ("ascendant", "父母・祖父母等（直系尊属）"),
                    ("sibling", "兄弟姉妹"),
                    ("other_relative", "その他の三親等内の親族"),
                    ("common_law_relative", "内縁の配偶者の父母・子"),
                    ("unrelated", "親族外"),
                ],
            ),
            FormField::input("生年月日", "birth", "date", true),
            FormField::input("認定日", "day", "date", true),
            FormField::select("同居・別居", "apart", &[("0", "同居"), ("1", "別居")]),
            FormField::input("今後12か月の収入見込（円）", "income", "number", false),
            FormField::input("被保険者の年収（円、同居のとき）", "member_income", "number", false),
            FormField::input("仕送り額（年額・円、別居のとき）", "support", "number", false),
            FormField::select("障害", "disabled", &[("0", "なし"), ("1", "障害厚生年金を受けられる程度")]),
            FormField::select(
                "居住",
                "residence",
                &[
                    ("japan", "国内（住民票あり）"),
                    ("excluded_visa", "国内だが特定活動（医療滞在等）"),
                    ("student", "国外: 留学"),
                    ("accompanying", "国外: 海外赴任に同行"),
                    ("temporary", "国外: 一時的な渡航"),
                    ("formed_abroad", "国外: 赴任中の婚姻・出生"),
                    ("japan_based", "国外: 日本に生活の基礎"),
                    ("abroad", "国外: 例外に当たらない"),
                ],
            ),
            FormField::select("例外の証明書類", "exception_documents", &[("0", "なし"), ("1", "あり")]),
        ],
        button: "判定する",
        result_title,
        result,
        links: Vec::new(),
    }
}

async fn recognise_form(p: StaffPage) -> Response {
    page(StatusCode::OK, &recognise_page(p.chrome, "判定", Vec::new()))
}

#[derive(Deserialize, Default)]
struct RecogniseForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    kinship: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    apart: String,
    #[serde(default)]
    income: String,
    #[serde(default)]
    member_income: String,
    #[serde(default)]
    support: String,
    #[serde(default)]
    disabled: String,
    #[serde(default)]
    residence: String,
    #[serde(default)]
    exception_documents: String,
}

async fn recognise_post(p: StaffPage, Form(f): Form<RecogniseForm>) -> Result<Response, WebError> {
    use kenpo_domain::dependant::{Evidence, recognise};
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let date = |v: &str, field: &'static str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| WebError::invalid(&p.chrome, format!("{field}: 年-月-日で入力してください")))
    };
    let yen = |v: &str, field: &'static str| -> Result<Option<i64>, WebError> {
        match opt(v) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=kenpo_formats::text::MAX_YEN).contains(n))
                .map(Some)
                .ok_or_else(|| WebError::invalid(&p.chrome, format!("{field}: 0 以上の円の整数で入力してください"))),
        }
    };
    let kinship = kenpo_app::eligibility::kinship(f.kinship.trim())
        .ok_or_else(|| WebError::invalid(&p.chrome, "続柄: 一覧から選んでください"))?;
    let residence = kenpo_app::eligibility::residence(f.residence.trim())
        .ok_or_else(|| WebError::invalid(&p.chrome, "居住: 一覧から選んでください"))?;
    let ruled = recognise(&Evidence {
        kinship,
        birth_date: date(&f.birth, "生年月日")?,
        cohabiting: f.apart.trim() != "1",
        expected_income: yen(&f.income, "収入見込")?,
        disabled: f.disabled.trim() == "1",
        member_income: yen(&f.member_income, "被保険者の年収")?,
        support_sent: yen(&f.support, "仕送り額")?,
        residence,
        exception_documents: f.exception_documents.trim() == "1",
        recognition_day: date(&f.day, "認定日")?,
    });
    let mut lines = vec![format!("結果: {}", ruled.outcome.label())];
    lines.extend(ruled.reasoning);
    Ok(page(StatusCode::OK, &recognise_page(p.chrome, "判定", lines)))
}

/// The use receipts after a loss are read for (別表2: レセプト点検).
const REVIEW_USE: &str = "receipts.review";

#[derive(Deserialize)]
struct AfterLossQuery {
    month: Option<String>,
}

async fn after_loss(State(state): St, p: StaffPage, Query(q): Query<AfterLossQuery>) -> Result<Response, WebError> {
    let ctx = p.for_use(REVIEW_USE)?;
    let months = state.app.receipt_months(&ctx).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    let chosen = match q.month.as_deref() {
        Some(m) => Some(month_of(m, &p.chrome)?),
        None => months.last().copied(),
    };
    let mut tables = Vec::new();
    let mut intro = vec![format!(
        "資格のない日の診療があるレセプト（レセプト振替・返還請求の対象）。組合負担額 = 点数 × 10円 × (10 − 負担割合)/10。この画面は利用目的「{REVIEW_USE}」で読みます。"
    )];
    if let Some(m) = chosen {
        let rows = state.app.receipts_after_loss(&ctx, m, m).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
        let total = rows.iter().try_fold(0i64, |a, r| a.checked_add(r.society_paid));
        intro.push(match total {
            Some(t) => format!("{m}: {} 件、組合負担額 計 {} 円", rows.len(), yen(t)),
            None => format!("{m}: {} 件（合計は桁あふれのため表示できません）", rows.len()),
        });
        tables.push((format!("{m} の資格喪失後等のレセプト"), kenpo_app::render::receipts_after_loss_table(&rows)));
    }
    let options = months.iter().map(|m| (m.to_string(), Some(*m) == chosen)).collect();
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "資格喪失後の受診".into(),
            intro,
            month_form: Some(MonthForm {
                action: "/eligibility/after-loss",
                name: "month",
                label: "診療年月",
                options,
                run: Vec::new(),
            }),
            tables,
            withheld: Vec::new(),
            links: Vec::new(),
        },
    ))
}

fn kenin_page(chrome: Chrome, result: Vec<String>) -> FormPage {
    let this_year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let years: Vec<(String, String)> =
        [this_year, this_year - 1].iter().map(|y| (y.to_string(), format!("{y}年"))).collect();
    let mut year = FormField::select("検認の年", "year", &[]);
    year.value = this_year.to_string();
    year.options = years;
    FormPage {
        chrome: Some(chrome),
        title: "被扶養者の検認".into(),
        intro: vec![
            "1. 一覧: 基準日に資格のある被扶養者を事業所別に一覧にし、CSVで渡します（回答欄つき）。".into(),
            "2. 回答: 記入されたCSVを「取込」から種類「検認の回答」で取り込むと、規則で認定・不認定・書類不足を判定します。".into(),
            "3. 削除: 不認定の被扶養者を、指定日から資格喪失（被扶養者非該当）の事象として記録します。".into(),
        ],
        action: "/eligibility/kenin".into(),
        fields: vec![
            year,
            FormField::select("操作", "action", &[("list", "一覧のCSVを作る"), ("remove", "不認定の被扶養者を削除する")]),
            FormField::input("基準日", "as_of", "date", true),
            FormField::input("削除する日（削除のとき）", "day", "date", false),
        ],
        button: "実行する",
        result_title: "結果",
        result,
        links: vec![Link { href: "/imports".into(), label: "取込（検認の回答）へ".into() }],
    }
}

async fn kenin_form(p: StaffPage) -> Response {
    page(StatusCode::OK, &kenin_page(p.chrome, Vec::new()))
}

#[derive(Deserialize, Default)]
struct KeninForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    day: String,
}

async fn kenin_post(State(state): St, p: StaffPage, Form(f): Form<KeninForm>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let year: i32 = f
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| WebError::invalid(&p.chrome, "検認の年: 一覧から選んでください"))?;
    let date = |v: &str, field: &'static str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| WebError::invalid(&p.chrome, format!("{field}: 年-月-日で入力してください")))
    };
    let as_of = date(&f.as_of, "基準日")?;
    match f.action.trim() {
        "list" => {
            let rows = state.app.kenin_list(&p.ctx, year, as_of).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
            let bytes = kenpo_formats::csv_out::render(
                &kenpo_app::render::kenin_table(&rows),
                kenpo_formats::csv_out::CsvEncoding::Utf8Bom,
            )
            .map_err(|e| WebError::from_app(kenpo_app::AppError::Internal(e.to_string()), &p.chrome))?;
            Ok(crate::session::attachment(bytes, "text/csv; charset=utf-8", &format!("kenin-{year}.csv")))
        }
        "remove" => {
            let day = date(&f.day, "削除する日")?;
            let s =
                state.app.kenin_remove(&p.ctx, year, as_of, day).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
            let lines = vec![format!(
                "不認定の被扶養者 {} 人を {day} から削除しました（オンライン資格確認 登録待ち {} 件）",
                s.lost, s.outbox
            )];
            Ok(page(StatusCode::OK, &kenin_page(p.chrome, lines)))
        }
        _ => Err(WebError::invalid(&p.chrome, "操作: 一覧から選んでください")),
    }
}

fn outbox_mark_page(chrome: Chrome, result_title: &'static str, result: Vec<String>) -> FormPage {
    FormPage {
        chrome: Some(chrome),
        title: "中間サーバーの結果の記録".into(),
        intro: vec![format!(
            "送信済の行を中間サーバーが受け付けなかったときはエラーに、直したエラーの行は再送にします（利用目的「{ONLINE_USE}」）。"
        )],
        action: "/eligibility/outbox/mark".into(),
        fields: vec![
            FormField::input("送信ID（カンマ区切り）", "ids", "text", true),
            FormField::select(
                "記録",
                "to",
                &[("error", "エラー（送信済 → エラー）"), ("resend", "再送（エラー → 再送）")],
            ),
            FormField::input("エラーコード（エラーのとき）", "code", "text", false),
        ],
        button: "記録する",
        result_title,
        result,
        links: vec![Link { href: "/eligibility/outbox".into(), label: "オンライン資格確認 登録へ".into() }],
    }
}

async fn outbox_mark_form(p: StaffPage) -> Response {
    page(StatusCode::OK, &outbox_mark_page(p.chrome, "結果", Vec::new()))
}

#[derive(Deserialize, Default)]
struct MarkForm {
    #[serde(default)]
    _csrf: String,
    #[serde(default)]
    ids: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    code: String,
}

async fn outbox_mark_post(State(state): St, p: StaffPage, Form(f): Form<MarkForm>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let mut ids = Vec::new();
    for part in f.ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        ids.push(part.parse::<i64>().map_err(|_| WebError::invalid(&p.chrome, "送信ID: 数字をカンマ区切りで"))?);
    }
    let ctx = p.for_use(ONLINE_USE)?;
    let n = state
        .app
        .outbox_mark(&ctx, &ids, f.to.trim(), opt(&f.code).as_deref())
        .await
        .map_err(|e| WebError::from_app(e, &p.chrome))?;
    let label = kenpo_store::outbox_status_label(f.to.trim());
    Ok(page(StatusCode::OK, &outbox_mark_page(p.chrome, "結果", vec![format!("{n} 件を{label}にしました")])))
}

// ---- 保険料 ----

/// The use the premium screens read and run under (別表2 2. 保険料の徴収).
const COLLECTION_USE: &str = "premiums.collection";

#[derive(Deserialize)]
struct PremiumQuery {
    month: Option<String>,
    done: Option<String>,
}

async fn premiums(State(state): St, p: StaffPage, Query(q): Query<PremiumQuery>) -> Result<Response, WebError> {
    let ctx = p.for_use(COLLECTION_USE)?;
    let today = chrono::Local::now().date_naive();
    let err = |e| WebError::from_app(e, &p.chrome);
    let mut months: Vec<String> =
        state.app.invoice_months(&ctx).await.map_err(err)?.iter().map(ToString::to_string).collect();
    // The month after the last one invoiced (or this month) can be run next.
    let next = months
        .last()
        .and_then(|m| m.parse::<kenpo_domain::YearMonth>().ok())
        .map_or_else(|| kenpo_domain::YearMonth::of(today), |m| m.next())
        .to_string();
    if !months.contains(&next) {
        months.push(next.clone());
    }
    let chosen = match q.month.as_deref() {
        Some(m) => month_of(m, &p.chrome)?.to_string(),
        None => months.iter().rev().nth(1).cloned().unwrap_or(next),
    };
    let invoices = state.app.invoices(&ctx, Some(month_of(&chosen, &p.chrome)?)).await.map_err(err)?;
    let mut intro = vec![
        format!(
            "保険料は標準報酬月額・標準賞与額 × 料率（一般＝基本＋特定、調整、介護（40〜64歳）、子ども・子育て支援金）で、被保険者負担分は50銭以下切捨て・50銭超切上げ（給与控除）、事業主負担分はその残りです。この画面は利用目的「{COLLECTION_USE}」で読みます。"
        ),
        "各告知の明細に、一人ひとりの計算過程を示します。入金明細と報酬の届書は「取込」から。".to_string(),
    ];
    if q.done.as_deref() == Some("run") {
        intro.push(format!("{chosen} の保険料を計算し、納入告知を作成しました。"));
    }
    let total = invoices.iter().try_fold(0i64, |a, i| a.checked_add(i.total));
    let mut tables = Vec::new();
    if !invoices.is_empty() {
        tables.push((
            format!(
                "{chosen} の納入告知（{} 件、合計 {} 円）",
                invoices.len(),
                total.map_or_else(|| "桁あふれ".to_string(), yen)
            ),
            kenpo_app::render::premiums::invoices_table(&invoices),
        ));
    }
    let statements = state.app.premium_statements(&ctx, None).await.map_err(err)?;
    let open: Vec<_> =
        statements.into_iter().filter(|s| s.statement.outstanding() > 0 || s.statement.credit > 0).collect();
    tables.push((
        format!("未納・過納のある納付者（{} 件、{today} 現在）", open.len()),
        kenpo_app::render::premiums::statements_table(&open, today),
    ));
    let links = invoices
        .iter()
        .take(200)
        .map(|i| Link {
            href: format!("/premiums/invoices/{}", i.id),
            label: format!("明細: {} {}", i.payer, i.payer_name),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: "保険料".into(),
            intro,
            month_form: Some(MonthForm {
                action: "/premiums",
                name: "month",
                label: "対象月",
                options: months.iter().map(|m| (m.clone(), *m == chosen)).collect(),
                run: vec![("/premiums/run", "この月の保険料を計算して告知する")],
            }),
            tables,
            withheld: Vec::new(),
            links,
        },
    ))
}

async fn premiums_run(State(state): St, p: StaffPage, Form(f): Form<MonthPost>) -> Result<Response, WebError> {
    check_csrf(&p.browser.session, &f._csrf, &p.chrome)?;
    let ctx = p.for_use(COLLECTION_USE)?;
    let m = month_of(&f.month, &p.chrome)?;
    state.app.run_premium_month(&ctx, m).await.map_err(|e| WebError::from_app(e, &p.chrome))?;
    Ok(Redirect::to(&format!("/premiums?month={m}&done=run")).into_response())
}

async fn premium_invoice(State(state): St, p: StaffPage, Path(id): Path<i64>) -> Result<Response, WebError> {
    let ctx = p.for_use(COLLECTION_USE)?;
    let err = |e| WebError::from_app(e, &p.chrome);
    let invoice = state.app.invoice(&ctx, id).await.map_err(err)?;
    let lines = state.app.invoice_lines(&ctx, id).await.map_err(err)?;
    let intro = vec![
        format!(
            "{}（{}）{} 分、納期限 {}: 合計 {} 円（被保険者負担分 {} 円、事業主負担分 {} 円、{} 名）",
            invoice.payer_name,
            invoice.payer,
            invoice.month,
            invoice.due_on,
            yen(invoice.total),
            yen(invoice.member_total),
            yen(invoice.employer_total),
            invoice.members
        ),
        "合計は明細の各行（本人計＋事業主計）の和です。".into(),
    ];
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(p.chrome),
            title: format!("納入告知 {id} の明細"),
            intro,
            month_form: None,
            tables: vec![("明細".into(), kenpo_app::render::premiums::invoice_lines_table(&lines))],
            withheld: Vec::new(),
            links: vec![Link {
                href: format!("/premiums?month={}", invoice.month), label: "保険料に戻る".into()
            }],
        },
    ))
}
