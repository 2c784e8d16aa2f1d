//! The endpoints: parse, call one app function, convert to a DTO.

use crate::dto::{self, Problem};
use crate::session::{Acting, Authed, SESSION_COOKIE};
use crate::{ApiError, ServerState};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kenpo_domain::{DataCategory, YearMonth};
use kenpo_policy::{Action, PersonId};
use serde::de::DeserializeOwned;
use std::sync::Arc;

type St = State<Arc<ServerState>>;

pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/session", post(login).get(whoami).delete(logout))
        .route("/activation", post(activate))
        .route("/members", get(search))
        .route("/members/{id}", get(member))
        .route("/members/{id}/receipts", get(member_receipts))
        .route("/members/{id}/disclosure", get(disclosure))
        .route("/review/findings", get(findings))
        .route("/review/findings/{id}/status", put(set_finding_status))
        .route("/review/runs", post(review_run))
        .route("/kogaku/runs", post(kogaku_run))
        .route("/audit/contractors/{id}", get(contractor_report))
        .route("/exports", post(export))
        .route("/users", get(users).post(add_user))
        .route("/users/{login}/disable", post(disable_user))
        .route("/users/{login}/enable", post(enable_user))
        .route("/users/{login}/reset", post(reset_user))
        .route("/kogaku/{month}/payments", get(kogaku_payments))
        .route("/checkups/{fiscal_year}/targets", get(checkup_targets))
        .route("/policy/explain", get(explain))
        .route("/audit/verify", get(audit_verify))
        .route("/audit/entries", get(audit_entries))
        .route("/audit/proofs/{seq}", get(audit_proof))
        .route("/imports/{id}", get(import_job))
        .route("/members/{id}/history", get(member_history))
        .route("/members/{id}/certificates", get(member_certificates))
        .route("/eligibility/as-of", get(as_of))
        .route("/eligibility/outbox", get(outbox))
        .route("/eligibility/entries", post(entry))
        .route("/eligibility/after-loss", get(after_loss))
        .route("/eligibility/age-batch", post(age_batch))
        .route("/eligibility/kenin/{year}/list", post(kenin_list))
        .route("/eligibility/kenin/{year}/removals", post(kenin_removals))
        .route("/eligibility/recognise", post(recognise))
        .route("/eligibility/outbox/marks", post(outbox_marks))
        .route("/eligibility/outbox/exports", post(outbox_export))
        .route("/premiums/rates", get(rates).post(set_rates))
        .route("/premiums/months/{month}/run", post(premium_month))
        .route("/premiums/invoices", get(invoices))
        .route("/premiums/invoices/{id}/lines", get(invoice_lines))
        .route("/premiums/statements", get(statements))
        .route("/premiums/determinations", get(determinations))
        .route("/premiums/non-payment", post(non_payment))
}

pub fn upload_routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/imports/receipts", post(import_receipts))
        .route("/eligibility/filings", post(import_filing))
        .route("/eligibility/kenin/answers", post(kenin_answers))
        .route("/premiums/filings", post(import_pay_filing))
        .route("/premiums/payments", post(import_payments))
}

// Extractors whose refusals are problem details naming what was wrong, never echoing the value.

pub struct Q<T>(pub T);
impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|_| ApiError::invalid("query: the parameters do not match the API description"))
    }
}

pub struct P<T>(pub T);
impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|_| ApiError::invalid("path: a path parameter is not of its type"))
    }
}

pub struct J<T>(pub T);
impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for J<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state).await.map(|j| J(j.0)).map_err(|r| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                "入力に誤りがあります",
                format!("body: expected application/json matching the API description ({})", r.status().as_u16()),
            )
        })
    }
}

fn session_cookie(value: &str, state: &ServerState, max_age: i64) -> HeaderValue {
    crate::session::set_cookie(SESSION_COOKIE, value, state.tls, max_age)
}

fn info(
    state: &ServerState,
    authed_principal: &kenpo_app::auth::Principal,
    csrf: &str,
    token: Option<String>,
) -> dto::SessionInfo {
    dto::SessionInfo {
        login: authed_principal.login.clone(),
        display_name: authed_principal.display_name.clone(),
        actor: authed_principal.actor.to_string(),
        csrf_token: csrf.to_string(),
        token,
        idle_timeout_seconds: state.app.auth.idle.num_seconds(),
        absolute_timeout_seconds: state.app.auth.absolute.num_seconds(),
    }
}

/// Log in. Browsers get an HttpOnly cookie; contractors (API clients) the token in the body.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = dto::LoginRequest,
    responses((status = 200, body = dto::SessionInfo, description = "ログインしました"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "bad credentials or a second factor is needed"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "account disabled"),
        (status = 423, body = Problem, content_type = "application/problem+json", description = "locked after repeated failures")))]
async fn login(State(state): St, J(req): J<dto::LoginRequest>) -> Result<Response, ApiError> {
    let now = chrono::Utc::now();
    let principal = state.app.login(&req.login, &req.password, req.totp.as_deref(), now).await?;
    let contractor = matches!(principal.actor, kenpo_policy::Actor::Contractor { .. });
    let (token, csrf) = state.app.sessions.start(principal.clone(), now);
    let body = info(&state, &principal, &csrf, contractor.then(|| token.clone()));
    let mut response = Json(body).into_response();
    if !contractor {
        let cookie = session_cookie(&token, &state, state.app.auth.absolute.num_seconds());
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Who is logged in (and the CSRF token for this session).
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = dto::SessionInfo), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn whoami(State(state): St, authed: Authed) -> Json<dto::SessionInfo> {
    Json(info(&state, &authed.session.principal, &authed.session.csrf, None))
}

/// Log out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    params(("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 204, description = "ログアウトしました"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "CSRF token missing")))]
async fn logout(State(state): St, authed: Authed) -> Response {
    state.app.sessions.end(&authed.token);
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", &state, 0));
    response
}

/// Set the first password with the one-time code printed on the notice.
#[utoipa::path(post, path = "/api/v1/activation", tag = "session", request_body = dto::ActivationRequest,
    responses((status = 204, description = "パスワードを設定しました"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 423, body = Problem, content_type = "application/problem+json")))]
async fn activate(State(state): St, J(req): J<dto::ActivationRequest>) -> Result<StatusCode, ApiError> {
    state.app.activate(&req.login, &req.code, &req.password, chrono::Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 加入者検索 (カナ前方一致, 記号・番号, 生年月日): at most 100 hits, identity only.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(dto::SearchParams, Purpose),
    responses((status = 200, body = Vec<dto::PersonHit>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn search(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::SearchParams>,
) -> Result<Json<Vec<dto::PersonHit>>, ApiError> {
    let query = kenpo_store::PeopleQuery {
        kana_prefix: q.kana,
        card_symbol: q.symbol,
        card_number: q.number,
        birth_date: q.birth_date,
    };
    let hits = state.app.search_people(&acting.ctx, &query).await?;
    Ok(Json(hits.into_iter().map(Into::into).collect()))
}

/// The purpose header, documented once.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct Purpose {
    /// The use of 別表2 this request acts for (e.g. `benefits.payment`).
    #[param(rename = "Kenpo-Purpose")]
    kenpo_purpose: String,
}

/// 加入者詳細: every category the policy allows this actor for this purpose; refused ones are
/// listed as withheld with the rule.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path), Purpose),
    responses((status = 200, body = dto::Person),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn member(State(state): St, acting: Acting, P(id): P<i64>) -> Result<Json<dto::Person>, ApiError> {
    Ok(Json(state.app.person(&acting.ctx, PersonId(id)).await?.into()))
}

/// A member's receipts, newest month first (傷病名 only where the policy allows).
#[utoipa::path(get, path = "/api/v1/members/{id}/receipts", tag = "members", params(("id" = i64, Path), Purpose),
    responses((status = 200, body = dto::Receipts),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn member_receipts(State(state): St, acting: Acting, P(id): P<i64>) -> Result<Json<dto::Receipts>, ApiError> {
    Ok(Json(state.app.person_receipts(&acting.ctx, PersonId(id)).await?.into()))
}

/// 開示請求への回答 (purpose `appi.disclosure`, the 個人情報保護管理者).
#[utoipa::path(get, path = "/api/v1/members/{id}/disclosure", tag = "members", params(("id" = i64, Path), Purpose),
    responses((status = 200, body = dto::Disclosure),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn disclosure(State(state): St, acting: Acting, P(id): P<i64>) -> Result<Json<dto::Disclosure>, ApiError> {
    Ok(Json(state.app.disclosure(&acting.ctx, PersonId(id)).await?.into()))
}

fn month(s: &str) -> Result<YearMonth, ApiError> {
    s.parse::<YearMonth>().map_err(|_| ApiError::invalid("month: YYYY-MM で指定してください"))
}

/// 点検 findings, optionally of one 診療年月 and one rule, with their status.
#[utoipa::path(get, path = "/api/v1/review/findings", tag = "review", params(dto::FindingParams, Purpose),
    responses((status = 200, body = Vec<dto::Finding>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn findings(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::FindingParams>,
) -> Result<Json<Vec<dto::Finding>>, ApiError> {
    let m = q.month.as_deref().map(month).transpose()?;
    if let Some(rule) = &q.rule
        && (rule.len() > 64 || rule.chars().any(char::is_control))
    {
        return Err(ApiError::invalid("rule: 64文字以内で指定してください"));
    }
    let rows = state.app.findings(&acting.ctx, m, q.rule.as_deref()).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Sets a finding's status (再審査請求 / 問題なし) with a note; who and when are recorded.
#[utoipa::path(put, path = "/api/v1/review/findings/{id}/status", tag = "review",
    params(("id" = i64, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body = dto::FindingStatusRequest,
    responses((status = 200, body = dto::Finding),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn set_finding_status(
    State(state): St,
    acting: Acting,
    P(id): P<i64>,
    J(req): J<dto::FindingStatusRequest>,
) -> Result<Json<dto::Finding>, ApiError> {
    let status = kenpo_store::FindingStatus::from_id(&req.status)
        .ok_or_else(|| ApiError::invalid("status: rereview または no_problem を指定してください"))?;
    Ok(Json(state.app.set_finding_status(&acting.ctx, id, status, &req.note).await?.into()))
}

/// Runs レセプト点検 over one 診療年月 (a re-run replaces the month's findings; statuses survive).
#[utoipa::path(post, path = "/api/v1/review/runs", tag = "review",
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body = dto::MonthRequest,
    responses((status = 200, body = dto::ReviewRun),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn review_run(
    State(state): St,
    acting: Acting,
    J(req): J<dto::MonthRequest>,
) -> Result<Json<dto::ReviewRun>, ApiError> {
    Ok(Json(state.app.run_review(&acting.ctx, month(&req.month)?).await?.into()))
}

/// Runs 高額療養費・付加給付 for one 診療年月 (a re-run replaces the month's results).
#[utoipa::path(post, path = "/api/v1/kogaku/runs", tag = "benefits",
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body = dto::MonthRequest,
    responses((status = 200, body = dto::KogakuRun),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn kogaku_run(
    State(state): St,
    acting: Acting,
    J(req): J<dto::MonthRequest>,
) -> Result<Json<dto::KogakuRun>, ApiError> {
    Ok(Json(state.app.run_kogaku(&acting.ctx, month(&req.month)?).await?.into()))
}

/// 委託先の監督: what a contractor received and accessed between two days (purpose
/// `appi.supervision`: the 個人情報保護管理者 or 監査).
#[utoipa::path(get, path = "/api/v1/audit/contractors/{id}", tag = "audit", params(("id" = String, Path), dto::PeriodParams, Purpose),
    responses((status = 200, body = dto::ContractorReport),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn contractor_report(
    State(state): St,
    acting: Acting,
    P(id): P<String>,
    Q(q): Q<dto::PeriodParams>,
) -> Result<Json<dto::ContractorReport>, ApiError> {
    if q.to < q.from {
        return Err(ApiError::invalid("to: from より前の日です"));
    }
    let (name, report) = state.app.contractor_report(&acting.ctx, &id, q.from, q.to).await?;
    Ok(Json(dto::ContractorReport::of(name, report)))
}

/// Exports person data to the recipient the use names (委託先 or the catalogue's counterparty),
/// writing the APPI Art. 29 provision record and the audit entry first. The answer is the CSV
/// (UTF-8 with BOM, formula cells neutralised by the one CSV writer); `X-Provision-Id` names
/// the record.
#[utoipa::path(post, path = "/api/v1/exports", tag = "exports",
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body = dto::ExportRequest,
    responses((status = 200, body = String, content_type = "text/csv", description = "the exported rows",
            headers(("X-Provision-Id" = i64, description = "the provision record written"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn export(State(state): St, acting: Acting, J(req): J<dto::ExportRequest>) -> Result<Response, ApiError> {
    let file_name = format!("api-export-{}.csv", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let exported = state.app.export(&acting.ctx, &req.to, &req.categories, &req.who, &file_name).await?;
    let table = kenpo_domain::Table { headers: exported.headers, rows: exported.rows };
    let bytes = kenpo_formats::csv_out::render(&table, kenpo_formats::csv_out::CsvEncoding::Utf8Bom)
        .map_err(|e| kenpo_app::AppError::Internal(e.to_string()))?;
    let mut response = crate::session::attachment(bytes, "text/csv; charset=utf-8", &file_name);
    if let Ok(v) = HeaderValue::from_str(&exported.provision_id.to_string()) {
        response.headers_mut().insert("x-provision-id", v);
    }
    Ok(response)
}

/// Every account (the catalogue operation `accounts`: the 個人情報保護管理者).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(Purpose),
    responses((status = 200, body = Vec<dto::Account>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn users(State(state): St, acting: Acting) -> Result<Json<Vec<dto::Account>>, ApiError> {
    Ok(Json(state.app.list_accounts(&acting.ctx).await?.into_iter().map(Into::into).collect()))
}

/// A new account; its one-time code (and TOTP secret) are in the answer, once.
#[utoipa::path(post, path = "/api/v1/users", tag = "users",
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body = dto::NewAccountRequest,
    responses((status = 200, body = dto::IssuedAccount),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn add_user(
    State(state): St,
    acting: Acting,
    J(req): J<dto::NewAccountRequest>,
) -> Result<Json<dto::IssuedAccount>, ApiError> {
    let kind = match req.kind.as_str() {
        "staff" => kenpo_store::AccountKind::Staff { role: req.acts_as },
        "member" => kenpo_store::AccountKind::Member {
            person_id: req.acts_as.parse().map_err(|_| ApiError::invalid("acts_as: 加入者の番号（数字）"))?,
        },
        "contractor" => kenpo_store::AccountKind::Contractor { contractor_id: req.acts_as },
        _ => return Err(ApiError::invalid("kind: staff、member または contractor")),
    };
    let issued = state.app.add_account(&acting.ctx, &req.login, kind, &req.display_name, chrono::Utc::now()).await?;
    Ok(Json(issued.into()))
}

/// Disables an account (its sessions end).
#[utoipa::path(post, path = "/api/v1/users/{login}/disable", tag = "users",
    params(("login" = String, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::Account),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn disable_user(State(state): St, acting: Acting, P(login): P<String>) -> Result<Json<dto::Account>, ApiError> {
    Ok(Json(state.app.set_account_disabled(&acting.ctx, &login, true).await?.into()))
}

/// Enables an account again and clears its lock.
#[utoipa::path(post, path = "/api/v1/users/{login}/enable", tag = "users",
    params(("login" = String, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::Account),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn enable_user(State(state): St, acting: Acting, P(login): P<String>) -> Result<Json<dto::Account>, ApiError> {
    Ok(Json(state.app.set_account_disabled(&acting.ctx, &login, false).await?.into()))
}

/// Clears the password and issues a new one-time code (and TOTP secret); sessions end.
#[utoipa::path(post, path = "/api/v1/users/{login}/reset", tag = "users",
    params(("login" = String, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::IssuedAccount),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn reset_user(
    State(state): St,
    acting: Acting,
    P(login): P<String>,
) -> Result<Json<dto::IssuedAccount>, ApiError> {
    Ok(Json(state.app.reset_account(&acting.ctx, &login, chrono::Utc::now()).await?.into()))
}

/// 高額療養費・付加給付 payments of one 診療年月, each with its arithmetic.
#[utoipa::path(get, path = "/api/v1/kogaku/{month}/payments", tag = "benefits", params(("month" = String, Path, description = "YYYY-MM"), Purpose),
    responses((status = 200, body = Vec<dto::KogakuPayment>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn kogaku_payments(
    State(state): St,
    acting: Acting,
    P(m): P<String>,
) -> Result<Json<Vec<dto::KogakuPayment>>, ApiError> {
    let rows = state.app.kogaku_payments(&acting.ctx, month(&m)?).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// 特定保健指導 targets of a fiscal year.
#[utoipa::path(get, path = "/api/v1/checkups/{fiscal_year}/targets", tag = "checkups", params(("fiscal_year" = i32, Path), Purpose),
    responses((status = 200, body = Vec<dto::CheckupTarget>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn checkup_targets(
    State(state): St,
    acting: Acting,
    P(fy): P<i32>,
) -> Result<Json<Vec<dto::CheckupTarget>>, ApiError> {
    if !(2008..=2100).contains(&fy) {
        return Err(ApiError::invalid("fiscal_year: 2008〜2100"));
    }
    let rows = state.app.checkup_targets(&acting.ctx, fy).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Why the policy would allow or refuse this actor, for this purpose, an access (なぜ見られないのか).
#[utoipa::path(get, path = "/api/v1/policy/explain", tag = "policy", params(dto::ExplainParams, Purpose),
    responses((status = 200, body = dto::Explanation),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn explain(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::ExplainParams>,
) -> Result<Json<dto::Explanation>, ApiError> {
    let action = match q.action.as_str() {
        "read" => Action::Read,
        "write" => Action::Write,
        "export" => Action::Export,
        _ => return Err(ApiError::invalid("action: read, write または export")),
    };
    let category = DataCategory::from_id(&q.category).ok_or_else(|| ApiError::invalid("category: 情報区分の id"))?;
    let today = chrono::Local::now().date_naive();
    let (decision, lines) = state.app.explain(&acting.ctx, action, category, q.person.map(PersonId), today);
    Ok(Json(dto::Explanation { allowed: decision.is_allowed(), rule: decision.rule().to_string(), lines }))
}

/// Recomputes the audit chain and checkpoints (an operation the catalogue grants per role).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", params(Purpose),
    responses((status = 200, body = dto::Verification),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn audit_verify(State(state): St, acting: Acting) -> Result<Json<dto::Verification>, ApiError> {
    let r = state.app.audit_verify(&acting.ctx).await?;
    Ok(Json(dto::Verification {
        entries: r.entries,
        checkpoints: r.checkpoints,
        ok: r.first_bad.is_none(),
        first_bad_seq: r.first_bad.as_ref().map(|b| b.seq),
        problem: r.first_bad.map(|b| b.problem),
    }))
}

/// The audit-log viewer: entries by actor, purpose, outcome and person, newest first (the
/// catalogue operation `query`: the 個人情報保護管理者 and 監査). The query is itself logged.
#[utoipa::path(get, path = "/api/v1/audit/entries", tag = "audit", params(dto::AuditParams, Purpose),
    responses((status = 200, body = Vec<dto::AuditEntry>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn audit_entries(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::AuditParams>,
) -> Result<Json<Vec<dto::AuditEntry>>, ApiError> {
    let query = kenpo_store::AuditQuery {
        actor: q.actor,
        purpose: q.purpose,
        outcome: q.outcome,
        person: q.person.map(PersonId),
        limit: q.limit.unwrap_or(200),
    };
    let rows = state.app.audit_entries(&acting.ctx, &query).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// An inclusion proof of one audit entry, in the file format `kenpo audit verify-proof` checks
/// offline.
#[utoipa::path(get, path = "/api/v1/audit/proofs/{seq}", tag = "audit", params(("seq" = i64, Path), Purpose),
    responses((status = 200, body = Object, description = "the proof file (kenpo-audit InclusionProof)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn audit_proof(State(state): St, acting: Acting, P(seq): P<i64>) -> Result<Json<serde_json::Value>, ApiError> {
    if seq < 0 {
        return Err(ApiError::invalid("seq: 0 以上"));
    }
    let proof = state.app.audit_prove(&acting.ctx, seq).await?;
    serde_json::to_value(&proof).map(Json).map_err(|e| kenpo_app::AppError::Internal(e.to_string()).into())
}

/// Uploads one UKE file (the body, as received) and imports it in the background, all or
/// nothing; poll `GET /api/v1/imports/{id}` for progress and the outcome.
#[utoipa::path(post, path = "/api/v1/imports/receipts", tag = "imports",
    params(Purpose, ("X-File-Name" = String, Header, description = "the file's name, for errors and the import record"),
        ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 202, body = dto::ImportJob),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
async fn import_receipts(
    State(state): St,
    acting: Acting,
    headers: HeaderMap,
    body: Request,
) -> Result<Response, ApiError> {
    let (name, bytes) = upload(&headers, body).await?;
    let job = crate::jobs::start_import(
        &state,
        acting.authed.session.principal.account_id,
        acting.ctx.clone(),
        crate::jobs::ImportKind::Receipts,
        &name,
        bytes.to_vec(),
    );
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

/// An import's progress and outcome.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = u64, Path)),
    responses((status = 200, body = dto::ImportJob),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn import_job(State(state): St, authed: Authed, P(id): P<u64>) -> Result<Json<dto::ImportJob>, ApiError> {
    crate::jobs::job_of(&state, authed.session.principal.account_id, id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such import"))
}

fn day(field: &str, s: &str) -> Result<chrono::NaiveDate, ApiError> {
    if s.len() != 10 {
        return Err(ApiError::invalid(format!("{field}: YYYY-MM-DD で指定してください")));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(format!("{field}: YYYY-MM-DD で指定してください")))
}

/// A person's eligibility record: events (each with its reasoning and any correction), periods
/// and the cards held, oldest first.
#[utoipa::path(get, path = "/api/v1/members/{id}/history", tag = "eligibility", params(("id" = i64, Path), Purpose),
    responses((status = 200, body = dto::History),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn member_history(State(state): St, acting: Acting, P(id): P<i64>) -> Result<Json<dto::History>, ApiError> {
    Ok(Json(state.app.person_history(&acting.ctx, PersonId(id)).await?.into()))
}

/// The 資格確認書 and 資格情報のお知らせ issued to a person, as one PDF (A4 or card size).
#[utoipa::path(get, path = "/api/v1/members/{id}/certificates", tag = "eligibility", params(("id" = i64, Path), dto::PaperParams, Purpose),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn member_certificates(
    State(state): St,
    acting: Acting,
    P(id): P<i64>,
    Q(q): Q<dto::PaperParams>,
) -> Result<Response, ApiError> {
    let paper = match q.paper.as_deref() {
        None | Some("a4") => kenpo_app::render::pdf::Paper::A4,
        Some("card") => kenpo_app::render::pdf::Paper::Card,
        Some(_) => return Err(ApiError::invalid("paper: a4 または card")),
    };
    let pdf = state.app.certificates_pdf(&acting.ctx, PersonId(id), paper).await?;
    Ok(crate::session::attachment(pdf, "application/pdf", &format!("certificates-{id}.pdf")))
}

/// Who was covered on a day, with which card, under which member.
#[utoipa::path(get, path = "/api/v1/eligibility/as-of", tag = "eligibility", params(dto::AsOfParams, Purpose),
    responses((status = 200, body = Vec<dto::Coverage>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn as_of(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::AsOfParams>,
) -> Result<Json<Vec<dto::Coverage>>, ApiError> {
    let on = day("day", &q.day)?;
    let mut ids = Vec::new();
    for part in q.ids.split(',') {
        let id: i64 = part.trim().parse().map_err(|_| ApiError::invalid("ids: 加入者IDをカンマ区切りで"))?;
        ids.push(id);
        if ids.len() > 1_000 {
            return Err(ApiError::invalid("ids: 1,000 件まで"));
        }
    }
    let rows = state.app.coverage_as_of(&acting.ctx, on, &ids).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The オンライン資格確認 registration outbox, deadline first; `overdue` keeps the rows past
/// their deadline (5 days after the filing was received) and not registered.
#[utoipa::path(get, path = "/api/v1/eligibility/outbox", tag = "eligibility", params(dto::OutboxParams, Purpose),
    responses((status = 200, body = Vec<dto::OutboxEntry>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn outbox(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::OutboxParams>,
) -> Result<Json<Vec<dto::OutboxEntry>>, ApiError> {
    let today = chrono::Local::now().date_naive();
    let rows = state.app.outbox(&acting.ctx, q.status.as_deref(), q.overdue, today).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Uploads an employer's 資格取得届・資格喪失届・被扶養者（異動）届 file (日本年金機構 CSV, SHFD0006 or
/// KPFD0006) and applies it as events, all or nothing; errors name line and column, never a value.
#[utoipa::path(post, path = "/api/v1/eligibility/filings", tag = "eligibility",
    params(dto::FilingParams, Purpose, ("X-File-Name" = String, Header, description = "the file's name, for errors and the import record"),
        ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = dto::EventSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the same file was applied before"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
async fn import_filing(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::FilingParams>,
    headers: HeaderMap,
    body: Request,
) -> Result<Json<dto::EventSummary>, ApiError> {
    let received = match q.received.as_deref() {
        Some(s) => day("received", s)?,
        None => chrono::Local::now().date_naive(),
    };
    if let Some(e) = q.employer.as_deref()
        && (e.is_empty() || e.len() > 10 || !e.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(ApiError::invalid("employer: 10 文字以内の英数字"));
    }
    let (name, bytes) = upload(&headers, body).await?;
    let s = state.app.import_filing(&acting.ctx, &name, &bytes, q.employer.as_deref(), received).await?;
    Ok(Json(s.into()))
}

/// An uploaded file: its name from `X-File-Name` (a plain name: kept with the import and shown
/// back) and its bytes (within the upload limit, not empty).
async fn upload(headers: &HeaderMap, body: Request) -> Result<(String, axum::body::Bytes), ApiError> {
    let name = headers.get("x-file-name").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    let ok_name = !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if !ok_name {
        return Err(ApiError::invalid("X-File-Name: 128文字以内の英数字と . _ - で指定してください"));
    }
    let bytes = axum::body::Bytes::from_request(body, &()).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "ファイルが大きすぎます",
                format!("the limit is {} bytes", crate::UPLOAD_LIMIT),
            )
        } else {
            ApiError::invalid("body: the upload could not be read")
        }
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("body: the file is empty"));
    }
    Ok((name.to_string(), bytes))
}

fn opt_day(field: &str, s: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    s.map(|d| day(field, d)).transpose()
}

/// A staff entry — 資格喪失 (with its reason), 任意継続 申出, 氏名・住所変更, 転勤, card reissue, or
/// the correction of an earlier event — applied as an event received today.
#[utoipa::path(post, path = "/api/v1/eligibility/entries", tag = "eligibility", request_body = dto::EntryRequest,
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::EventSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn entry(
    State(state): St,
    acting: Acting,
    J(r): J<dto::EntryRequest>,
) -> Result<Json<dto::EventSummary>, ApiError> {
    let entry = kenpo_app::eligibility::StaffEntry {
        kind: r.kind,
        person: r.person,
        day: opt_day("day", r.day.as_deref())?,
        reason: r.reason,
        kanji: r.kanji,
        kana: r.kana,
        postal_code: r.postal_code,
        address: r.address,
        employer: r.employer,
        symbol: r.symbol,
        number: r.number,
        branch: r.branch,
        event: r.event,
    };
    let today = chrono::Local::now().date_naive();
    Ok(Json(state.app.apply_staff_entry(&acting.ctx, &entry, today).await?.into()))
}

/// Receipts with service days outside coverage (レセプト振替・返還請求), with what the society paid.
#[utoipa::path(get, path = "/api/v1/eligibility/after-loss", tag = "eligibility", params(dto::AfterLossParams, Purpose),
    responses((status = 200, body = Vec<dto::AfterLoss>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn after_loss(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::AfterLossParams>,
) -> Result<Json<Vec<dto::AfterLoss>>, ApiError> {
    let rows = state.app.receipts_after_loss(&acting.ctx, month(&q.from)?, month(&q.to)?).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The daily batch for a day: 任意継続 ended by its two years, 75歳到達 (with the dependants),
/// the 高齢受給者 starts of the month — as events registered for オンライン資格確認.
#[utoipa::path(post, path = "/api/v1/eligibility/age-batch", tag = "eligibility", request_body = dto::DayRequest,
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::EventSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "that day's batch already ran")))]
async fn age_batch(
    State(state): St,
    acting: Acting,
    J(r): J<dto::DayRequest>,
) -> Result<Json<dto::EventSummary>, ApiError> {
    let on = opt_day("day", r.day.as_deref())?.unwrap_or_else(|| chrono::Local::now().date_naive());
    Ok(Json(state.app.age_batch(&acting.ctx, on).await?.into()))
}

fn kenin_year(year: i32) -> Result<i32, ApiError> {
    if (2000..=2100).contains(&year) { Ok(year) } else { Err(ApiError::invalid("year: 2000–2100")) }
}

/// 検認: lists the dependants covered on the 基準日 for the year (adding those not listed yet)
/// and returns the whole list with any outcomes.
#[utoipa::path(post, path = "/api/v1/eligibility/kenin/{year}/list", tag = "eligibility", request_body = dto::KeninRequest,
    params(("year" = i32, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = Vec<dto::KeninRow>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn kenin_list(
    State(state): St,
    acting: Acting,
    P(year): P<i32>,
    J(r): J<dto::KeninRequest>,
) -> Result<Json<Vec<dto::KeninRow>>, ApiError> {
    let rows = state.app.kenin_list(&acting.ctx, kenin_year(year)?, day("as_of", &r.as_of)?).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// 検認: removes the dependants the year's answers refused, as events from `day`.
#[utoipa::path(post, path = "/api/v1/eligibility/kenin/{year}/removals", tag = "eligibility", request_body = dto::KeninRequest,
    params(("year" = i32, Path), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::EventSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn kenin_removals(
    State(state): St,
    acting: Acting,
    P(year): P<i32>,
    J(r): J<dto::KeninRequest>,
) -> Result<Json<dto::EventSummary>, ApiError> {
    let removal = day("day", r.day.as_deref().unwrap_or(""))?;
    let s = state.app.kenin_remove(&acting.ctx, kenin_year(year)?, day("as_of", &r.as_of)?, removal).await?;
    Ok(Json(s.into()))
}

/// 検認: uploads the answered list (CSV; its 検認年 column names the year) and runs the rule on
/// every answer, all or nothing.
#[utoipa::path(post, path = "/api/v1/eligibility/kenin/answers", tag = "eligibility",
    params(Purpose, ("X-File-Name" = String, Header, description = "the file's name, for errors"),
        ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = dto::KeninAnswers),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
async fn kenin_answers(
    State(state): St,
    acting: Acting,
    headers: HeaderMap,
    body: Request,
) -> Result<Json<dto::KeninAnswers>, ApiError> {
    let (name, bytes) = upload(&headers, body).await?;
    let today = chrono::Local::now().date_naive();
    let (answers, refused, documents) = state.app.kenin_answers(&acting.ctx, &name, &bytes, today).await?;
    Ok(Json(dto::KeninAnswers { answers, refused, documents }))
}

/// The 被扶養者 rule on given evidence: 認定 / 不認定 / 書類不足 with its reasoning (nothing is
/// stored or read).
#[utoipa::path(post, path = "/api/v1/eligibility/recognise", tag = "eligibility", request_body = dto::RecogniseRequest,
    params(("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::Recognition),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn recognise(_authed: Authed, J(r): J<dto::RecogniseRequest>) -> Result<Json<dto::Recognition>, ApiError> {
    use kenpo_domain::dependant::{Evidence, Outcome, recognise};
    let kinship = kenpo_app::eligibility::kinship(&r.kinship)
        .ok_or_else(|| ApiError::invalid("kinship: not one of the listed values"))?;
    let residence = kenpo_app::eligibility::residence(&r.residence)
        .ok_or_else(|| ApiError::invalid("residence: not one of the listed values"))?;
    for (v, field) in
        [(r.expected_income, "expected_income"), (r.member_income, "member_income"), (r.support_sent, "support_sent")]
    {
        if v.is_some_and(|n| !(0..=kenpo_formats::text::MAX_YEN).contains(&n)) {
            return Err(ApiError::invalid(format!("{field}: 0 to 9,999,999,999 yen")));
        }
    }
    let ruled = recognise(&Evidence {
        kinship,
        birth_date: day("birth_date", &r.birth_date)?,
        cohabiting: r.cohabiting,
        expected_income: r.expected_income,
        disabled: r.disabled,
        member_income: r.member_income,
        support_sent: r.support_sent,
        residence,
        exception_documents: r.exception_documents,
        recognition_day: day("recognition_day", &r.recognition_day)?,
    });
    let documents = match &ruled.outcome {
        Outcome::DocumentsNeeded(d) => d.iter().map(|x| x.label().to_string()).collect(),
        _ => Vec::new(),
    };
    Ok(Json(dto::Recognition {
        outcome: ruled.outcome.label().to_string(),
        documents,
        reasoning: ruled.reasoning,
        income_limit: ruled.income_limit,
    }))
}

/// Marks outbox rows after the 中間サーバー's answer: a sent row it refused becomes エラー (with
/// its code); an エラー row is queued again (再送).
#[utoipa::path(post, path = "/api/v1/eligibility/outbox/marks", tag = "eligibility", request_body = dto::OutboxMarkRequest,
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::Marked),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn outbox_marks(
    State(state): St,
    acting: Acting,
    J(r): J<dto::OutboxMarkRequest>,
) -> Result<Json<dto::Marked>, ApiError> {
    let changed = state.app.outbox_mark(&acting.ctx, &r.ids, &r.to, r.code.as_deref()).await?;
    Ok(Json(dto::Marked { changed }))
}

/// The registration file of everything pending or queued again (CSV, UTF-8 with BOM; the layout
/// is unverified: the 中間サーバー's specification is not public), marked sent, with the Art. 29
/// record.
#[utoipa::path(post, path = "/api/v1/eligibility/outbox/exports", tag = "eligibility",
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn outbox_export(State(state): St, acting: Acting) -> Result<Response, ApiError> {
    let today = chrono::Local::now().date_naive();
    let (_, bytes) = state.app.outbox_export(&acting.ctx, today, kenpo_formats::csv_out::CsvEncoding::Utf8Bom).await?;
    Ok(crate::session::attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("online-registration-{}.csv", today.format("%Y%m%d")),
    ))
}

// ── 標準報酬 and premiums ──

/// Records the society's rates from a month (TOML; validated: 一般 30–130/1000, no 子ども・子育て
/// 支援金 before 2026-04; a month already invoiced keeps its rates).
#[utoipa::path(post, path = "/api/v1/premiums/rates", tag = "premiums", request_body = dto::RatesRequest,
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::Rates),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn set_rates(
    State(state): St,
    acting: Acting,
    J(r): J<dto::RatesRequest>,
) -> Result<Json<dto::Rates>, ApiError> {
    Ok(Json(state.app.set_premium_rates(&acting.ctx, &r.toml).await?.into()))
}

/// The rates on file, oldest first.
#[utoipa::path(get, path = "/api/v1/premiums/rates", tag = "premiums", params(Purpose),
    responses((status = 200, body = Vec<dto::Rates>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn rates(State(state): St, acting: Acting) -> Result<Json<Vec<dto::Rates>>, ApiError> {
    Ok(Json(state.app.premium_rates(&acting.ctx).await?.into_iter().map(Into::into).collect()))
}

/// Uploads an employer's 算定基礎届・月額変更届・賞与支払届 (日本年金機構 CSV, SHFD0006 or
/// KPFD0006) and applies it, all or nothing; each line's outcome with its reasoning.
#[utoipa::path(post, path = "/api/v1/premiums/filings", tag = "premiums",
    params(dto::PayFilingParams, Purpose, ("X-File-Name" = String, Header, description = "the file's name, for errors and the import record"),
        ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = dto::PaySummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the same file was applied before"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn import_pay_filing(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::PayFilingParams>,
    headers: HeaderMap,
    body: Request,
) -> Result<Json<dto::PaySummary>, ApiError> {
    if let Some(e) = q.employer.as_deref()
        && (e.is_empty() || e.len() > 10 || !e.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(ApiError::invalid("employer: 10 文字以内の英数字"));
    }
    let (name, bytes) = upload(&headers, body).await?;
    Ok(Json(state.app.import_pay_filing(&acting.ctx, &name, &bytes, q.employer.as_deref()).await?.into()))
}

/// Computes a month's premiums and issues the 納入告知 (once per month).
#[utoipa::path(post, path = "/api/v1/premiums/months/{month}/run", tag = "premiums",
    params(("month" = String, Path, description = "YYYY-MM"), Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::MonthRun),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn premium_month(
    State(state): St,
    acting: Acting,
    P(m): P<String>,
) -> Result<Json<dto::MonthRun>, ApiError> {
    Ok(Json(state.app.run_premium_month(&acting.ctx, month(&m)?).await?.into()))
}

/// The 納入告知 of a month (or all).
#[utoipa::path(get, path = "/api/v1/premiums/invoices", tag = "premiums", params(dto::MonthParams, Purpose),
    responses((status = 200, body = Vec<dto::Invoice>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn invoices(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::MonthParams>,
) -> Result<Json<Vec<dto::Invoice>>, ApiError> {
    let m = q.month.as_deref().map(month).transpose()?;
    Ok(Json(state.app.invoices(&acting.ctx, m).await?.into_iter().map(Into::into).collect()))
}

/// One 納入告知's 明細: every member's shares per component, with the reasoning.
#[utoipa::path(get, path = "/api/v1/premiums/invoices/{id}/lines", tag = "premiums", params(("id" = i64, Path), Purpose),
    responses((status = 200, body = Vec<dto::Charge>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn invoice_lines(
    State(state): St,
    acting: Acting,
    P(id): P<i64>,
) -> Result<Json<Vec<dto::Charge>>, ApiError> {
    Ok(Json(state.app.invoice_lines(&acting.ctx, id).await?.into_iter().map(Into::into).collect()))
}

/// Uploads a bank statement (入金明細 CSV: 入金日,振込依頼人コード,振込依頼人名,金額), all or
/// nothing; a payment already booked is refused by content.
#[utoipa::path(post, path = "/api/v1/premiums/payments", tag = "premiums",
    params(Purpose, ("X-File-Name" = String, Header, description = "the file's name, for errors and the import record"),
        ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = dto::PaymentsSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the same file was booked before"),
        (status = 413, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn import_payments(
    State(state): St,
    acting: Acting,
    headers: HeaderMap,
    body: Request,
) -> Result<Json<dto::PaymentsSummary>, ApiError> {
    let (name, bytes) = upload(&headers, body).await?;
    Ok(Json(state.app.import_payments(&acting.ctx, &name, &bytes).await?.into()))
}

/// Every payer's account (入金消込): invoices settled oldest first, arrears on the day asked,
/// credit carried forward, and the lines that explain it.
#[utoipa::path(get, path = "/api/v1/premiums/statements", tag = "premiums", params(dto::StatementParams, Purpose),
    responses((status = 200, body = Vec<dto::PayerStatement>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn statements(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::StatementParams>,
) -> Result<Json<Vec<dto::PayerStatement>>, ApiError> {
    let on = opt_day("on", q.on.as_deref())?.unwrap_or_else(|| chrono::Local::now().date_naive());
    let rows = state.app.premium_statements(&acting.ctx, q.payer.as_deref()).await?;
    Ok(Json(rows.into_iter().map(|s| dto::PayerStatement::of(s, on)).collect()))
}

/// The filed lines and their determinations (標準報酬決定通知書), of a month and employer.
#[utoipa::path(get, path = "/api/v1/premiums/determinations", tag = "premiums", params(dto::DeterminationParams, Purpose),
    responses((status = 200, body = Vec<dto::Determination>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn determinations(
    State(state): St,
    acting: Acting,
    Q(q): Q<dto::DeterminationParams>,
) -> Result<Json<Vec<dto::Determination>>, ApiError> {
    let m = q.month.as_deref().map(month).transpose()?;
    let rows = state.app.determinations(&acting.ctx, q.employer.as_deref(), m).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// 任意継続 whose premium was not paid by its due day lose their status the day after
/// (38条3号), as eligibility events (their dependants with them).
#[utoipa::path(post, path = "/api/v1/premiums/non-payment", tag = "premiums", request_body = dto::DayRequest,
    params(Purpose, ("X-CSRF-Token" = Option<String>, Header, description = "required with the session cookie")),
    responses((status = 200, body = dto::EventSummary),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn non_payment(
    State(state): St,
    acting: Acting,
    J(r): J<dto::DayRequest>,
) -> Result<Json<dto::EventSummary>, ApiError> {
    let on = opt_day("day", r.day.as_deref())?.unwrap_or_else(|| chrono::Local::now().date_naive());
    Ok(Json(state.app.voluntary_non_payment(&acting.ctx, on).await?.into()))
}
