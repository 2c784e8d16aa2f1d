//! # kenpo-app
//!
//! The use cases every interface stands on. The CLI (`kenpo`) and the HTTP API (`kenpo-server`)
//! are adapters: they parse what they are given into the types here, call one function, and
//! render its answer. This crate owns where the data lives ([`config`]), writing private files
//! ([`files`]), imports with a progress callback ([`imports`]), accounts and sessions
//! ([`auth`]), how actors are named to people ([`names`]), and the [`App`]: an open store with
//! the catalogue it decides by, the session table and the login rules.
//!
//! Must never: run SQL (the store does), render HTML or CSV for an interface, or print.

pub mod auth;
pub mod config;
pub mod disclosure_html;
pub mod eligibility;
pub mod exports;
pub mod files;
pub mod imports;
pub mod kenshin;
pub mod kogaku;
pub mod names;
pub mod premiums;
pub mod render;
pub mod synthetic;

use auth::{AuthError, AuthSettings, Principal, Sessions};
use chrono::{DateTime, Utc};
use kenpo_domain::{DataCategory, YearMonth};
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::{AccessContext, AccessRequest, Action, CatalogueEngine, Decision, PersonId, PurposeId, Subject};
use kenpo_store::{AccountKind, AccountRow, NewAccount, Store, StoreError};
use std::sync::Arc;

/// An error of a use case, sorted for the interfaces: each maps to one HTTP status and one exit.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The policy refused (the store's message names actor, purpose, category and rule).
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    NotFound(String),
    /// The request or a file was malformed (names the field, never the value).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Anything else: a database or internal failure. Its text is for the log, not for callers.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Denied { .. } | StoreError::RecipientRefused { .. } => AppError::Denied(e.to_string()),
            StoreError::NotFound(_) => AppError::NotFound(e.to_string()),
            StoreError::Input(_) => AppError::Invalid(e.to_string()),
            StoreError::AlreadyImported { .. } => AppError::Conflict(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// An open society: the store, the catalogue it decides by, and who is logged in.
pub struct App {
    store: Store,
    engine: CatalogueEngine,
    pub sessions: Sessions,
    pub auth: AuthSettings,
}

/// A new account's secrets, shown once to the person who creates it (printed on a notice).
#[derive(Debug, serde::Serialize)]
pub struct IssuedAccount {
    pub account: AccountRow,
    /// The one-time code that sets the first password (`POST /api/v1/activation`).
    pub onetime_code: String,
    pub onetime_expires: String,
    /// Base32 TOTP secret for an authenticator app, where the role needs a second factor.
    pub totp_secret: Option<String>,
}

impl App {
    pub fn new(store: Store) -> Result<Self, AppError> {
        let engine = CatalogueEngine::default_engine().map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Self { store, engine, sessions: Sessions::default(), auth: AuthSettings::default() })
    }

    pub fn with_auth(mut self, auth: AuthSettings) -> Self {
        self.auth = auth;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn catalogue(&self) -> &Catalogue {
        self.engine.catalogue()
    }

    pub async fn close(self) {
        self.store.close().await;
    }

    /// The context of a request: the principal's actor and the purpose it names, which must be
    /// a use of the catalogue (or a statutory duty the engine knows).
    pub fn context(&self, principal: &Principal, purpose: &str) -> Result<AccessContext, AppError> {
        let id = PurposeId::parse(purpose).map_err(|e| AppError::Invalid(e.to_string()))?;
        let known = self.catalogue().use_by_id(id.id()).is_some()
            || id.id() == kenpo_policy::engine::STATUTORY_DISCLOSURE
            || id.id() == kenpo_policy::engine::STATUTORY_SUPERVISION;
        if !known {
            return Err(AppError::Invalid("purpose: 別表2にない利用目的です（kenpo purposes で一覧）".into()));
        }
        Ok(AccessContext::new(principal.actor.clone(), id))
    }

    pub async fn login(
        &self,
        login: &str,
        password: &str,
        second_factor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Principal, AppError> {
        Ok(auth::login(&self.store, self.catalogue(), &self.auth, login, password, second_factor, now).await?)
    }

    pub async fn activate(&self, login: &str, code: &str, password: &str, now: DateTime<Utc>) -> Result<(), AppError> {
        Ok(auth::activate(&self.store, &self.auth, login, code, password, now).await?)
    }

    /// `kenpo user add`: an account with a one-time code for its first password, and a TOTP
    /// secret where the role needs a second factor.
    pub async fn add_account(
        &self,
        ctx: &AccessContext,
        login: &str,
        kind: AccountKind,
        display_name: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccount, AppError> {
        let code = auth::onetime_code();
        let expires = (now + self.auth.onetime_valid).to_rfc3339();
        let totp = match &kind {
            AccountKind::Staff { role } if auth::role_needs_second_factor(self.catalogue(), role) => {
                Some(auth::new_totp_secret())
            }
            _ => None,
        };
        let account = self
            .store
            .account_add(
                ctx,
                NewAccount {
                    login: login.to_string(),
                    kind,
                    display_name: display_name.to_string(),
                    password_hash: None,
                    totp_secret: totp.as_ref().map(|t| t.0.clone()),
                    onetime: Some((auth::onetime_hash(&code), expires.clone())),
                },
            )
            .await?;
        Ok(IssuedAccount { account, onetime_code: code, onetime_expires: expires, totp_secret: totp.map(|t| t.1) })
    }

    /// `kenpo user reset`: the password is cleared and a new one-time code (and TOTP secret,
    /// where needed) issued; the account's sessions end.
    pub async fn reset_account(
        &self,
        ctx: &AccessContext,
        login: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedAccount, AppError> {
        let existing = self.store.account_of(ctx, login).await?;
        let code = auth::onetime_code();
        let expires = (now + self.auth.onetime_valid).to_rfc3339();
        let totp = match &existing.kind {
            AccountKind::Staff { role } if auth::role_needs_second_factor(self.catalogue(), role) => {
                Some(auth::new_totp_secret())
            }
            _ => None,
        };
        let account = self
            .store
            .account_reset(
                ctx,
                login,
                None,
                totp.as_ref().map(|t| t.0.clone()),
                Some((auth::onetime_hash(&code), expires.clone())),
            )
            .await?;
        self.sessions.end_account(account.id);
        Ok(IssuedAccount { account, onetime_code: code, onetime_expires: expires, totp_secret: totp.map(|t| t.1) })
    }

    pub async fn set_account_disabled(
        &self,
        ctx: &AccessContext,
        login: &str,
        disabled: bool,
    ) -> Result<AccountRow, AppError> {
        let row = self.store.account_set_disabled(ctx, login, disabled).await?;
        if disabled {
            self.sessions.end_account(row.id);
        }
        Ok(row)
    }

    pub async fn list_accounts(&self, ctx: &AccessContext) -> Result<Vec<AccountRow>, AppError> {
        Ok(self.store.account_list(ctx).await?)
    }

    pub async fn search_people(
        &self,
        ctx: &AccessContext,
        q: &kenpo_store::PeopleQuery,
    ) -> Result<Vec<kenpo_store::PersonHit>, AppError> {
        Ok(self.store.search_people(ctx, q).await?)
    }

    pub async fn person(&self, ctx: &AccessContext, id: PersonId) -> Result<kenpo_store::PersonView, AppError> {
        Ok(self.store.person(ctx, id).await?)
    }

    pub async fn person_receipts(
        &self,
        ctx: &AccessContext,
        id: PersonId,
    ) -> Result<kenpo_store::PersonReceipts, AppError> {
        Ok(self.store.person_receipts(ctx, id).await?)
    }

    /// One receipt of a person, as the paper レセプト shows it.
    pub async fn person_receipt(
        &self,
        ctx: &AccessContext,
        id: PersonId,
        receipt: i64,
    ) -> Result<kenpo_store::ReceiptView, AppError> {
        Ok(self.store.person_receipt(ctx, id, receipt).await?)
    }

    /// A person's 特定健診 and 特定保健指導.
    pub async fn person_checkups(
        &self,
        ctx: &AccessContext,
        id: PersonId,
    ) -> Result<kenpo_store::PersonCheckups, AppError> {
        Ok(self.store.person_checkups(ctx, id).await?)
    }

    /// 受診勧奨 follow-up: the 医科 months seen after each flagged person's exam.
    pub async fn referral_follow_up(
        &self,
        ctx: &AccessContext,
        flagged: &[(i64, chrono::NaiveDate)],
        months: u32,
    ) -> Result<Vec<kenpo_store::FollowUp>, AppError> {
        Ok(self.store.referral_follow_up(ctx, flagged, months).await?)
    }

    /// The yearly 実施状況 figures.
    pub async fn state_report(
        &self,
        ctx: &AccessContext,
        fiscal_year: i32,
    ) -> Result<Vec<kenpo_store::StateReportRow>, AppError> {
        Ok(self.store.state_report(ctx, fiscal_year).await?)
    }

    pub async fn findings(
        &self,
        ctx: &AccessContext,
        month: Option<YearMonth>,
        rule: Option<&str>,
    ) -> Result<Vec<kenpo_store::FindingRow>, AppError> {
        Ok(self.store.review_findings(ctx, month, rule).await?)
    }

    pub async fn set_finding_status(
        &self,
        ctx: &AccessContext,
        id: i64,
        status: kenpo_store::FindingStatus,
        note: &str,
    ) -> Result<kenpo_store::FindingRow, AppError> {
        Ok(self.store.set_finding_status(ctx, id, status, note).await?)
    }

    /// レセプト点検 of one 診療年月 (a re-run replaces the month's findings; statuses survive).
    pub async fn run_review(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
    ) -> Result<kenpo_store::ReviewSummary, AppError> {
        Ok(self.store.run_review(ctx, month).await?)
    }

    /// 高額療養費・付加給付 of one 診療年月 with the default 付加給付 rules (README "付加給付").
    pub async fn run_kogaku(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
    ) -> Result<kenpo_store::KogakuRunSummary, AppError> {
        Ok(self.store.run_kogaku(ctx, month, &kenpo_domain::kogaku::AdditionRules::default()).await?)
    }

    /// The payroll files of a month for the employers (each leaves its provision record).
    pub async fn kogaku_payroll(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
    ) -> Result<kenpo_store::Payroll, AppError> {
        Ok(self.store.kogaku_payroll(ctx, month).await?)
    }

    /// What a contractor received and accessed between two days (委託先の監督, Art. 25).
    pub async fn contractor_report(
        &self,
        ctx: &AccessContext,
        contractor: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<(String, kenpo_store::ContractorReport), AppError> {
        let name = self
            .catalogue()
            .contractor(contractor)
            .map(|c| c.name.clone())
            .ok_or_else(|| AppError::NotFound("contractor: 業務委託先一覧にありません".into()))?;
        let report = self.store.contractor_report(ctx, contractor, &name, from, to).await?;
        Ok((name, report))
    }

    pub async fn receipt_months(&self, ctx: &AccessContext) -> Result<Vec<YearMonth>, AppError> {
        Ok(self.store.receipt_months(ctx).await?)
    }

    pub async fn kogaku_payments(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
    ) -> Result<Vec<kenpo_store::KogakuPaymentRow>, AppError> {
        Ok(self.store.kogaku_payments(ctx, month, None).await?)
    }

    pub async fn checkup_targets(
        &self,
        ctx: &AccessContext,
        fiscal_year: i32,
    ) -> Result<Vec<kenpo_store::TargetRow>, AppError> {
        Ok(self.store.checkup_targets(ctx, fiscal_year).await?)
    }

    /// An export to a named recipient (writes the provision record and the audit entry first);
    /// `to`, `categories` and `who` as the CLI's flags take them.
    pub async fn export(
        &self,
        ctx: &AccessContext,
        to: &str,
        categories: &str,
        who: &str,
        file_name: &str,
    ) -> Result<kenpo_store::ExportedRows, AppError> {
        let recipient = exports::recipient(self.catalogue(), to)?;
        let cats = exports::categories(categories)?;
        let selection = exports::selection(who, chrono::Local::now().date_naive())?;
        Ok(self.store.export(ctx, &recipient, &cats, &selection, file_name).await?)
    }

    /// A member's disclosure report (statutory; the 個人情報保護管理者 answers it).
    pub async fn disclosure(&self, ctx: &AccessContext, id: PersonId) -> Result<kenpo_store::Disclosure, AppError> {
        let catalogue = self.catalogue();
        let label = |a: &str| names::actor_label(catalogue, a);
        Ok(self.store.disclosure(ctx, id, &label).await?)
    }

    /// Why the policy would allow or refuse an access (no data is read; nothing to audit).
    pub fn explain(
        &self,
        ctx: &AccessContext,
        action: Action,
        category: DataCategory,
        subject: Option<PersonId>,
        on: chrono::NaiveDate,
    ) -> (Decision, Vec<String>) {
        let subject = subject.map(Subject::Person).unwrap_or(Subject::Population);
        self.engine.explain(&AccessRequest { context: ctx, action, category, subject: &subject, on })
    }

    pub async fn audit_verify(&self, ctx: &AccessContext) -> Result<kenpo_store::VerifyReport, AppError> {
        Ok(self.store.audit_verify(ctx, None).await?)
    }

    /// The audit-log viewer (operation `query`).
    pub async fn audit_entries(
        &self,
        ctx: &AccessContext,
        q: &kenpo_store::AuditQuery,
    ) -> Result<Vec<kenpo_store::AuditEntryView>, AppError> {
        Ok(self.store.audit_entries(ctx, q).await?)
    }

    pub async fn audit_prove(&self, ctx: &AccessContext, seq: i64) -> Result<kenpo_audit::InclusionProof, AppError> {
        Ok(self.store.audit_prove(ctx, seq).await?)
    }

    /// Imports one uploaded roster CSV (all or nothing), telling `progress` as rows are written.
    pub async fn import_roster_bytes(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: Vec<u8>,
        progress: imports::Progress<'_>,
    ) -> Result<kenpo_store::ImportSummary, AppError> {
        Ok(imports::import_roster_bytes(&self.store, ctx, name, bytes, progress).await?)
    }

    /// Imports one uploaded 特定健診 archive (all or nothing).
    pub async fn import_checkup_bytes(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<kenpo_store::CheckupImportSummary, AppError> {
        Ok(imports::import_checkup_bytes(&self.store, ctx, name, bytes).await?)
    }

    /// One person's eligibility history: events (with corrections), periods, cards.
    pub async fn person_history(
        &self,
        ctx: &AccessContext,
        id: PersonId,
    ) -> Result<kenpo_store::PersonHistory, AppError> {
        Ok(self.store.person_history(ctx, id.0).await?)
    }

    /// Who was covered on `day`, with which card, under which member (at most 1,000 people).
    pub async fn coverage_as_of(
        &self,
        ctx: &AccessContext,
        day: chrono::NaiveDate,
        ids: &[i64],
    ) -> Result<Vec<kenpo_store::CoverageAsOf>, AppError> {
        if ids.is_empty() || ids.len() > 1_000 {
            return Err(AppError::Invalid("ids: 1 to 1,000 person ids".into()));
        }
        Ok(self.store.coverage_as_of(ctx, day, ids).await?)
    }

    /// The オンライン資格確認 outbox (one status, or all; overdue only).
    pub async fn outbox(
        &self,
        ctx: &AccessContext,
        status: Option<&str>,
        overdue_only: bool,
        today: chrono::NaiveDate,
    ) -> Result<Vec<kenpo_store::OutboxRow>, AppError> {
        if let Some(s) = status
            && !matches!(s, "pending" | "sent" | "error" | "resend")
        {
            return Err(AppError::Invalid("status: pending, sent, error or resend".into()));
        }
        Ok(self.store.outbox(ctx, status, overdue_only, today).await?)
    }

    /// Takes what is to register (pending, resend) as the registration file, marked sent.
    pub async fn outbox_export(
        &self,
        ctx: &AccessContext,
        today: chrono::NaiveDate,
        encoding: kenpo_formats::csv_out::CsvEncoding,
    ) -> Result<(usize, Vec<u8>), AppError> {
        let name = format!("online-registration-{}.csv", today.format("%Y%m%d"));
        let rows = self.store.outbox_take(ctx, &name, today).await?;
        let bytes = kenpo_formats::csv_out::render(&render::online_registration_table(&rows), encoding)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((rows.len(), bytes))
    }

    /// Marks outbox rows after the 中間サーバー's answer: `error` (with its code) or `resend`.
    pub async fn outbox_mark(
        &self,
        ctx: &AccessContext,
        ids: &[i64],
        to: &str,
        code: Option<&str>,
    ) -> Result<u64, AppError> {
        let mark = match to {
            "error" => kenpo_store::OutboxMark::Error,
            "resend" => kenpo_store::OutboxMark::Resend,
            _ => return Err(AppError::Invalid("to: error or resend".into())),
        };
        if ids.is_empty() || ids.len() > 1_000 {
            return Err(AppError::Invalid("ids: 1 to 1,000 rows".into()));
        }
        Ok(self.store.outbox_mark(ctx, ids, mark, code).await?)
    }

    /// The 資格確認書 / お知らせ issued to one person, as PDF.
    pub async fn certificates_pdf(
        &self,
        ctx: &AccessContext,
        id: PersonId,
        paper: render::pdf::Paper,
    ) -> Result<Vec<u8>, AppError> {
        let rows = self.store.certificates(ctx, None, Some(id.0)).await?;
        if rows.is_empty() {
            return Err(AppError::NotFound("no 資格確認書 or お知らせ issued to this person".into()));
        }
        render::pdf::certificates_pdf(&rows, "Kenpo健康保険組合", paper).map_err(AppError::Internal)
    }

    /// A staff entry (a change or a correction) as an event received today.
    pub async fn apply_staff_entry(
        &self,
        ctx: &AccessContext,
        entry: &eligibility::StaffEntry,
        today: chrono::NaiveDate,
    ) -> Result<kenpo_store::EventSummary, AppError> {
        eligibility::apply_staff_entry(&self.store, ctx, entry, today).await
    }

    /// Receipts with service days outside coverage in the months `from..=to` (at most 24).
    pub async fn receipts_after_loss(
        &self,
        ctx: &AccessContext,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<kenpo_store::ReceiptAfterLoss>, AppError> {
        let mut months = 0;
        let mut m = from;
        while m <= to {
            months += 1;
            m = m.next();
        }
        if months == 0 || months > 24 {
            return Err(AppError::Invalid("from/to: 1 to 24 months, from not after to".into()));
        }
        Ok(self.store.receipts_after_loss(ctx, from, to).await?)
    }

    /// The daily batch for `day` (任意継続 two years, 75歳到達, 高齢受給者 starts).
    pub async fn age_batch(
        &self,
        ctx: &AccessContext,
        day: chrono::NaiveDate,
    ) -> Result<kenpo_store::EventSummary, AppError> {
        eligibility::age_batch(&self.store, ctx, day).await
    }

    /// The year's 検認 list as of a day (listing the dependants not listed yet).
    pub async fn kenin_list(
        &self,
        ctx: &AccessContext,
        year: i32,
        as_of: chrono::NaiveDate,
    ) -> Result<Vec<kenpo_store::DependantCheckRow>, AppError> {
        Ok(self.store.dependant_checks(ctx, year, as_of).await?)
    }

    /// An uploaded 検認 answer CSV (its 検認年 column names the year): the rule run on every
    /// answer, outcomes stored. Returns (answers, refused, documents needed).
    pub async fn kenin_answers(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: &[u8],
        today: chrono::NaiveDate,
    ) -> Result<(usize, usize, usize), AppError> {
        let (year, answers) = eligibility::read_kenin_answers(name, bytes)?;
        let year = year.ok_or_else(|| AppError::Invalid(format!("{name}:1: column 検認年: missing")))?;
        let results = eligibility::kenin_answers(&self.store, ctx, name, year, today, &answers).await?;
        let refused = results.iter().filter(|r| r.outcome == "refused").count();
        let documents = results.iter().filter(|r| r.outcome == "documents").count();
        Ok((results.len(), refused, documents))
    }

    /// Removes the dependants the year's 検認 refused, as events from `day`.
    pub async fn kenin_remove(
        &self,
        ctx: &AccessContext,
        year: i32,
        as_of: chrono::NaiveDate,
        day: chrono::NaiveDate,
    ) -> Result<kenpo_store::EventSummary, AppError> {
        eligibility::kenin_remove(&self.store, ctx, year, as_of, day).await
    }

    /// Records the society's rates from a month (the TOML of `premiums::parse_rates`).
    pub async fn set_premium_rates(
        &self,
        ctx: &AccessContext,
        toml: &str,
    ) -> Result<kenpo_domain::premium::RateSet, AppError> {
        let rates = premiums::parse_rates(toml)?;
        self.store.set_premium_rates(ctx, &rates).await?;
        Ok(rates)
    }

    pub async fn premium_rates(&self, ctx: &AccessContext) -> Result<Vec<kenpo_domain::premium::RateSet>, AppError> {
        Ok(self.store.premium_rates(ctx).await?)
    }

    /// Reads an employer's 算定基礎届・月額変更届・賞与支払届 and applies it, all or nothing.
    pub async fn import_pay_filing(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: &[u8],
        employer: Option<&str>,
    ) -> Result<kenpo_store::PaySummary, AppError> {
        premiums::import_pay_filing_bytes(&self.store, ctx, name, bytes, employer).await
    }

    /// A month's premiums and 納入告知 (once per month).
    pub async fn run_premium_month(
        &self,
        ctx: &AccessContext,
        month: kenpo_domain::YearMonth,
    ) -> Result<kenpo_store::MonthRun, AppError> {
        Ok(self.store.run_premium_month(ctx, month).await?)
    }

    pub async fn invoices(
        &self,
        ctx: &AccessContext,
        month: Option<kenpo_domain::YearMonth>,
    ) -> Result<Vec<kenpo_store::InvoiceRow>, AppError> {
        Ok(self.store.invoices(ctx, month).await?)
    }

    pub async fn invoice(&self, ctx: &AccessContext, id: i64) -> Result<kenpo_store::InvoiceRow, AppError> {
        self.store.invoice(ctx, id).await?.ok_or_else(|| AppError::NotFound(format!("納入告知 {id} はありません")))
    }

    pub async fn invoice_months(&self, ctx: &AccessContext) -> Result<Vec<kenpo_domain::YearMonth>, AppError> {
        Ok(self.store.invoice_months(ctx).await?)
    }

    pub async fn invoice_lines(
        &self,
        ctx: &AccessContext,
        invoice: i64,
    ) -> Result<Vec<kenpo_store::ChargeRow>, AppError> {
        let lines = self.store.invoice_lines(ctx, invoice).await?;
        if lines.is_empty() {
            return Err(AppError::NotFound(format!("納入告知 {invoice} はありません")));
        }
        Ok(lines)
    }

    /// Books an uploaded bank statement, all or nothing.
    pub async fn import_payments(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: &[u8],
    ) -> Result<kenpo_store::PaymentsSummary, AppError> {
        premiums::import_payments_bytes(&self.store, ctx, name, bytes).await
    }

    pub async fn premium_statements(
        &self,
        ctx: &AccessContext,
        payer: Option<&str>,
    ) -> Result<Vec<kenpo_store::PayerStatement>, AppError> {
        if let Some(p) = payer
            && (p.is_empty() || p.len() > 16 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(AppError::Invalid("payer: 16 文字以内の英数字".into()));
        }
        Ok(self.store.statements(ctx, payer).await?)
    }

    pub async fn determinations(
        &self,
        ctx: &AccessContext,
        employer: Option<&str>,
        month: Option<kenpo_domain::YearMonth>,
    ) -> Result<Vec<kenpo_store::DeterminationRow>, AppError> {
        if let Some(e) = employer
            && (e.is_empty() || e.len() > 10 || !e.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(AppError::Invalid("employer: 10 文字以内の英数字".into()));
        }
        Ok(self.store.determinations(ctx, employer, month).await?)
    }

    /// 任意継続 not paid by the due day lose their status the day after (38条3号).
    pub async fn voluntary_non_payment(
        &self,
        ctx: &AccessContext,
        on: chrono::NaiveDate,
    ) -> Result<kenpo_store::EventSummary, AppError> {
        premiums::voluntary_non_payment(&self.store, ctx, on).await
    }

    /// Reads an employer's filing and applies it as events, all or nothing.
    pub async fn import_filing(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: &[u8],
        employer: Option<&str>,
        received_on: chrono::NaiveDate,
    ) -> Result<kenpo_store::EventSummary, AppError> {
        eligibility::import_filing_bytes(&self.store, ctx, name, bytes, employer, received_on).await
    }

    /// Imports one uploaded UKE file (all or nothing), telling `progress` as receipts are read.
    pub async fn import_receipt_bytes(
        &self,
        ctx: &AccessContext,
        name: &str,
        bytes: Vec<u8>,
        progress: imports::Progress<'_>,
    ) -> Result<kenpo_store::ReceiptImportSummary, AppError> {
        Ok(imports::import_receipt_bytes(&self.store, ctx, name, bytes, progress).await?)
    }
}

/// The shared handle interfaces hold.
pub type SharedApp = Arc<App>;
