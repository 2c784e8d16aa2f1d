//! The member portal (本人): own coverage, own receipts by month (costs; 傷病名 never — the
//! policy keeps them for a written 開示請求), own checkups and guidance, and the disclosure
//! report. Each page acts for the one use of 別表2 it serves, named in the header; the person
//! is always the member's own — no id is taken from the address.

use super::pages::*;
use super::views;
use super::{Browser, WebError, page};
use crate::ServerState;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use kenpo_domain::DataCategory;
use kenpo_policy::{AccessContext, Action, Actor, PersonId};
use std::sync::Arc;

type St = State<Arc<ServerState>>;

pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/me", get(me))
        .route("/me/receipts", get(receipts))
        .route("/me/receipts/{rid}", get(receipt))
        .route("/me/checkups", get(checkups))
        .route("/me/disclosure", get(disclosure))
        .route("/me/explain", get(why))
}

/// The portal's "なぜ見られないのか" link: the same explanation as staff get, for the page's use.
fn explain(purpose: &'static str) -> impl Fn(DataCategory) -> String {
    move |c| format!("/me/explain?category={}&purpose={purpose}", c.id())
}

#[derive(serde::Deserialize)]
struct WhyQuery {
    category: String,
    purpose: String,
}

/// Why a page of the portal does not show a category (e.g. 傷病名 on a receipt).
async fn why(State(state): St, m: MemberPage, Query(q): Query<WhyQuery>) -> Result<Response, WebError> {
    let purpose = [COVERAGE_USE, RECEIPTS_USE, CHECKUPS_USE, kenpo_policy::engine::STATUTORY_DISCLOSURE]
        .into_iter()
        .find(|p| *p == q.purpose)
        .unwrap_or(COVERAGE_USE);
    let (chrome, ctx) = m.acting(&state, purpose, "/me/explain")?;
    let category =
        DataCategory::from_id(&q.category).ok_or_else(|| WebError::invalid(&chrome, "category: 情報の区分の id"))?;
    let (d, lines) = state.app.explain(&ctx, Action::Read, category, Some(m.person), chrono::Local::now().date_naive());
    Ok(page(
        StatusCode::OK,
        &ExplainPage {
            chrome: Some(chrome),
            categories: vec![(category.id().to_string(), category.label().to_string(), true)],
            actions: vec![("read".into(), "参照".into(), true)],
            person: None,
            member: true,
            asked: true,
            category: category.label().to_string(),
            action: "参照".into(),
            allowed: d.is_allowed(),
            rule: d.rule().to_string(),
            lines,
        },
    ))
}

/// The uses each portal page acts for (all `member_self` uses of the catalogue, but the
/// disclosure, a legal duty).
const COVERAGE_USE: &str = "eligibility.management";
const RECEIPTS_USE: &str = "health.medical_cost_notice";
const CHECKUPS_USE: &str = "health.specific_checkup";

const NAV: [(&str, &str); 4] = [
    ("/me", "資格・被扶養者"),
    ("/me/receipts", "医療費（レセプト）"),
    ("/me/checkups", "健診・保健指導"),
    ("/me/disclosure", "わたしの情報の利用状況"),
];

/// A logged-in member on one portal page.
struct MemberPage {
    person: PersonId,
    browser: Browser,
}

impl FromRequestParts<Arc<ServerState>> for MemberPage {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<ServerState>) -> Result<Self, WebError> {
        let browser = Browser::from_request_parts(parts, state).await?;
        match browser.session.principal.actor {
            Actor::Member { person } => Ok(MemberPage { person, browser }),
            _ => Err(WebError::Page {
                status: StatusCode::FORBIDDEN,
                title: "加入者本人用の画面です",
                message: "職員は「加入者検索」から参照してください".into(),
                chrome: None,
                explain: false,
            }),
        }
    }
}

impl MemberPage {
    /// The header and the context of a page acting for `purpose`.
    fn acting(&self, state: &ServerState, purpose: &str, path: &str) -> Result<(Chrome, AccessContext), WebError> {
        let label = if purpose == kenpo_policy::engine::STATUTORY_DISCLOSURE {
            "開示請求への対応（個人情報保護法第33条）".to_string()
        } else {
            state.app.catalogue().use_by_id(purpose).map(|u| u.text.clone()).unwrap_or_default()
        };
        let chrome = Chrome {
            user: self.browser.session.principal.display_name.clone(),
            who: "本人".into(),
            purpose: purpose.to_string(),
            purpose_label: label,
            choices: Vec::new(),
            csrf: self.browser.session.csrf.clone(),
            nav: NAV.iter().map(|(href, label)| NavItem { href, label, current: *href == path }).collect(),
            back: path.to_string(),
            member: true,
        };
        let ctx =
            state.app.context(&self.browser.session.principal, purpose).map_err(|e| WebError::from_app(e, &chrome))?;
        Ok((chrome, ctx))
    }
}

async fn me(State(state): St, m: MemberPage) -> Result<Response, WebError> {
    let (chrome, ctx) = m.acting(&state, COVERAGE_USE, "/me")?;
    let v = state.app.person(&ctx, m.person).await.map_err(|e| WebError::from_app(e, &chrome))?;
    // A member's view links to no other person (their dependants' records are theirs).
    let none = |_: i64| None;
    Ok(page(
        StatusCode::OK,
        &PersonPage {
            chrome: Some(chrome),
            title: format!("{} さんの資格", v.identity.name_kanji),
            identity: views::identity_fields(&v),
            masked: !v.masked.is_empty(),
            sections: views::person_sections(&v, &none),
            withheld: views::withheld_rows(&v.withheld, &explain(COVERAGE_USE)),
            links: Vec::new(),
        },
    ))
}

async fn receipts(State(state): St, m: MemberPage) -> Result<Response, WebError> {
    let (chrome, ctx) = m.acting(&state, RECEIPTS_USE, "/me/receipts")?;
    let r = state.app.person_receipts(&ctx, m.person).await.map_err(|e| WebError::from_app(e, &chrome))?;
    let href = |rid: i64| format!("/me/receipts/{rid}");
    Ok(page(
        StatusCode::OK,
        &ReceiptsPage {
            chrome: Some(chrome),
            title: "医療費のお知らせ（診療月別）".into(),
            months: views::receipt_months(&r, &href),
            clinical: false,
            withheld: views::withheld_rows(&r.withheld, &explain(RECEIPTS_USE)),
            back: Link { href: "/me".into(), label: "資格の画面へ".into() },
        },
    ))
}

async fn receipt(State(state): St, m: MemberPage, Path(rid): Path<i64>) -> Result<Response, WebError> {
    let (chrome, ctx) = m.acting(&state, RECEIPTS_USE, "/me/receipts")?;
    let v = state.app.person_receipt(&ctx, m.person, rid).await.map_err(|e| WebError::from_app(e, &chrome))?;
    let back = Link { href: "/me/receipts".into(), label: "診療月別の一覧へ戻る".into() };
    Ok(page(StatusCode::OK, &views::receipt_page(chrome, &v, back, &explain(RECEIPTS_USE))))
}

async fn checkups(State(state): St, m: MemberPage) -> Result<Response, WebError> {
    let (chrome, ctx) = m.acting(&state, CHECKUPS_USE, "/me/checkups")?;
    let c = state.app.person_checkups(&ctx, m.person).await.map_err(|e| WebError::from_app(e, &chrome))?;
    Ok(page(
        StatusCode::OK,
        &TablesPage {
            chrome: Some(chrome),
            title: "特定健診・特定保健指導".into(),
            intro: Vec::new(),
            month_form: None,
            tables: views::checkup_tables(&c),
            withheld: views::withheld_rows(&c.withheld, &explain(CHECKUPS_USE)),
            links: Vec::new(),
        },
    ))
}

async fn disclosure(State(state): St, m: MemberPage) -> Result<Response, WebError> {
    let (chrome, ctx) = m.acting(&state, kenpo_policy::engine::STATUTORY_DISCLOSURE, "/me/disclosure")?;
    let d = state.app.disclosure(&ctx, m.person).await.map_err(|e| WebError::from_app(e, &chrome))?;
    let (held, provisions, accesses) = views::disclosure_tables(&d);
    Ok(page(
        StatusCode::OK,
        &DisclosurePage {
            chrome: Some(chrome),
            title: "わたしの情報の利用状況".into(),
            identity: views::identity_fields(&d.person),
            held,
            provisions,
            accesses,
            note: Some(
                "組合が保有するあなたの情報、その利用目的、外部への提供の記録、だれがいつ何のために参照したかを示します（個人情報保護法第33条）。レセプトの傷病名・診療内容は、医療機関への確認が必要なため、書面による開示請求で承ります。個人番号は登録の有無のみを示します。"
                    .into(),
            ),
        },
    ))
}
