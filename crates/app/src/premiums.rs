//! 標準報酬 and premium use cases: the society's rates (a TOML file), the employers' 報酬の届書
//! and the bank's payments read at the boundary and handed to the store, a month's premiums and
//! 納入告知, statements (入金消込), and 任意継続 non-payment turned into the loss events. The
//! papers are laid out in `render::premiums`.

use crate::AppError;
use crate::eligibility::member_ref;
use chrono::NaiveDate;
use kenpo_domain::Yen;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::premium::{RateSet, SideRates};
use kenpo_formats::nenkin_pay::{self, PayRecord};
use kenpo_formats::payments;
use kenpo_policy::AccessContext;
use kenpo_store::{
    Change, EventSummary, NewEvent, NewPayment, PayInput, PayLine, PaySummary, PaymentsSummary, PersonRef, Store,
};
use serde::Deserialize;

/// A rate as the society writes it: per mille with up to three decimals ("45.5" = 45.5/1000).
fn per_mille(field: &str, s: &str) -> Result<i64, AppError> {
    let bad = || AppError::Invalid(format!("料率ファイル: {field} は千分率（小数3桁まで、例 45.5）で書きます"));
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 3
        || frac.len() > 3
        || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().map_err(|_| bad())? };
    Ok(whole * 1000 + frac)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SideFile {
    member: String,
    employer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesFile {
    effective_from: String,
    voluntary_cap: Yen,
    #[serde(default)]
    care_for_specified: bool,
    basic: SideFile,
    specific: SideFile,
    adjustment: SideFile,
    care: SideFile,
    #[serde(default)]
    support: Option<SideFile>,
}

/// Reads a rates file (TOML; see README §保険料):
///
/// ```toml
/// effective_from = "2026-04"
/// voluntary_cap = 320000
/// care_for_specified = false
/// basic = { member = "20.0", employer = "25.0" }
/// specific = { member = "23.0", employer = "27.0" }
/// adjustment = { member = "0.65", employer = "0.65" }
/// care = { member = "9.0", employer = "9.0" }
/// support = { member = "1.15", employer = "1.15" }
/// ```
pub fn parse_rates(text: &str) -> Result<RateSet, AppError> {
    if text.len() > 16 * 1024 {
        return Err(AppError::Invalid("料率ファイルが大きすぎます".into()));
    }
    let f: RatesFile = toml::from_str(text).map_err(|e| {
        AppError::Invalid(format!("料率ファイル: {}", e.message().chars().take(200).collect::<String>()))
    })?;
    let side = |name: &str, s: &SideFile| -> Result<SideRates, AppError> {
        Ok(SideRates {
            member: per_mille(&format!("{name}.member"), &s.member)?,
            employer: per_mille(&format!("{name}.employer"), &s.employer)?,
        })
    };
    let rates = RateSet {
        effective_from: f
            .effective_from
            .parse()
            .map_err(|_| AppError::Invalid("料率ファイル: effective_from は YYYY-MM".into()))?,
        basic: side("basic", &f.basic)?,
        specific: side("specific", &f.specific)?,
        adjustment: side("adjustment", &f.adjustment)?,
        care: side("care", &f.care)?,
        support: match &f.support {
            Some(s) => side("support", s)?,
            None => SideRates::default(),
        },
        care_for_specified: f.care_for_specified,
        voluntary_cap: f.voluntary_cap,
    };
    rates.validate().map_err(|e| AppError::Invalid(format!("料率ファイル: {e}")))?;
    Ok(rates)
}

/// Reads and applies one file of 算定基礎届・月額変更届・賞与支払届, all or nothing. `employer`
/// overrides the file's 事業所番号 (an SHFD file carries the 年金事務所's). Lines filed for
/// 70歳以上被用者 only are not the health insurance's and are skipped.
pub async fn import_pay_filing_bytes(
    store: &Store,
    ctx: &AccessContext,
    file_name: &str,
    bytes: &[u8],
    employer: Option<&str>,
) -> Result<PaySummary, AppError> {
    let filing = nenkin_pay::read_pay_filing(file_name, bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    let employer = employer.map(str::to_string).unwrap_or_else(|| filing.office.number.clone());
    let mut lines = Vec::new();
    for r in &filing.records {
        if r.seventy_only() {
            continue;
        }
        let input = match r {
            PayRecord::Annual(a) => PayInput::Annual {
                who: member_ref(&a.person, &employer, a.society.card_number.as_ref()),
                year: a.applies_from.year(),
                months: a.months,
                worker: a.worker,
                // 年間平均: the employer's 修正平均額 is the 12-month average it asks the society to use.
                yearly_average: if a.yearly_average { a.corrected_average } else { None },
            },
            PayRecord::Interim(i) => PayInput::Interim {
                who: member_ref(&i.person, &employer, i.society.card_number.as_ref()),
                months: i.months,
                worker: i.worker,
                change: i.pay_change.map(|c| c.1),
            },
            PayRecord::Bonus(b) => PayInput::Bonus {
                who: member_ref(&b.person, &employer, b.society.card_number.as_ref()),
                paid_on: b.paid_on,
                amount: b.cash + b.in_kind,
            },
        };
        lines.push(PayLine { line: r.line(), input });
    }
    if lines.is_empty() {
        return Err(AppError::Invalid(format!("{file_name}: 健康保険の届出の行がありません（70歳以上被用者のみ）")));
    }
    let sha = crate::imports::sha256_hex(bytes);
    Ok(store.apply_pay_lines(ctx, "pay_filing", file_name, &sha, Some(&employer), &lines).await?)
}

/// Reads and books a bank statement (入金明細 CSV), all or nothing.
pub async fn import_payments_bytes(
    store: &Store,
    ctx: &AccessContext,
    file_name: &str,
    bytes: &[u8],
) -> Result<PaymentsSummary, AppError> {
    let rows = payments::read_payments(file_name, bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    let rows: Vec<NewPayment> = rows
        .into_iter()
        .map(|r| NewPayment { line: r.line, paid_on: r.paid_on, payer: r.payer, amount: r.amount })
        .collect();
    let sha = crate::imports::sha256_hex(bytes);
    Ok(store.import_payments(ctx, file_name, &sha, &rows).await?)
}

/// 任意継続 whose premium was not paid by its due day: each becomes a 資格喪失 (保険料未納) on the
/// day after the due day (38条3号), through the eligibility events (dependants follow).
pub async fn voluntary_non_payment(
    store: &Store,
    ctx: &AccessContext,
    today: NaiveDate,
) -> Result<EventSummary, AppError> {
    let unpaid = store.voluntary_unpaid(ctx, today).await?;
    let events: Vec<NewEvent> = unpaid
        .iter()
        .enumerate()
        .map(|(i, (person, _, due))| NewEvent {
            line: i as u64 + 1,
            received_on: today,
            change: Change::Lose { who: PersonRef::Id(*person), reason: LossReason::NonPayment, event_day: *due },
        })
        .collect();
    if events.is_empty() {
        return Ok(EventSummary::default());
    }
    let sha = crate::imports::sha256_hex(format!("non_payment|{today}|{}", events.len()).as_bytes());
    Ok(store.apply_events(ctx, "non_payment", &format!("任意継続 保険料未納 {today}"), &sha, &events).await?)
}

/// The members as their employers' payroll knows them, for the synthetic 報酬の届書 (the demo
/// and the benchmark); those without a 標準報酬 on file are left out.
pub fn payees(rows: Vec<kenpo_store::FilingMember>) -> Vec<kenpo_synth::Payee> {
    rows.into_iter()
        .filter_map(|m| {
            Some(kenpo_synth::Payee {
                person_id: m.person_id,
                employer: m.employer_code,
                card_number: m.card_number,
                kana: m.name_kana,
                kanji: m.name_kanji,
                birth: m.birth_date,
                standard: m.standard?,
            })
        })
        .collect()
}
