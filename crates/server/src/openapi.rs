//! The OpenAPI 3.1 description, generated from the handlers and DTOs.

use crate::dto;
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kenpo API", description = "健康保険組合の基幹システム Kenpo の API。すべての要求は利用目的（Kenpo-Purpose）を名乗り、方針で判定され、監査ログに記録されます。"),
    paths(
        crate::handlers::login, crate::handlers::whoami, crate::handlers::logout, crate::handlers::activate,
        crate::handlers::search, crate::handlers::member, crate::handlers::member_receipts, crate::handlers::disclosure,
        crate::handlers::findings, crate::handlers::set_finding_status, crate::handlers::review_run,
        crate::handlers::kogaku_run, crate::handlers::contractor_report, crate::handlers::export,
        crate::handlers::users, crate::handlers::add_user, crate::handlers::disable_user,
        crate::handlers::enable_user, crate::handlers::reset_user, crate::handlers::kogaku_payments,
        crate::handlers::checkup_targets, crate::handlers::explain, crate::handlers::audit_verify,
        crate::handlers::audit_entries,
        crate::handlers::audit_proof, crate::handlers::import_receipts, crate::handlers::import_job,
        crate::handlers::member_history, crate::handlers::member_certificates, crate::handlers::as_of,
        crate::handlers::outbox, crate::handlers::import_filing, crate::handlers::entry,
        crate::handlers::after_loss, crate::handlers::age_batch, crate::handlers::kenin_list,
        crate::handlers::kenin_removals, crate::handlers::kenin_answers, crate::handlers::recognise,
        crate::handlers::outbox_marks, crate::handlers::outbox_export,
        crate::handlers::set_rates, crate::handlers::rates, crate::handlers::import_pay_filing,
        crate::handlers::premium_month, crate::handlers::invoices, crate::handlers::invoice_lines,
        crate::handlers::import_payments, crate::handlers::statements, crate::handlers::determinations,
        crate::handlers::non_payment,
    ),
    components(schemas(dto::Problem)),
    modifiers(&Security),
    security(("session_cookie" = []), ("bearer" = [])),
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::SESSION_COOKIE))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn spec() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
