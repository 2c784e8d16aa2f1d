//! Decisions of the shipped catalogue's engine, derived by hand from the published notice
//! (docs/published-notice.ja.txt) and the law — not copied from the catalogue.
//!
//! Each case quotes the notice line it derives from and gives one reason. The purpose ids are the
//! catalogue's names for the notice's lines (the only catalogue fact used besides contract dates,
//! which the notice does not publish). The eight cases in `DISAGREEMENTS` first disagreed with
//! the engine; each was settled for the derivation (docs/policy-findings.md R-1…R-8) and now
//! runs as a `resolved_…` test.
//!
//! Unless a case says otherwise it is decided on 2026-11-25 (every shipped contract is then in
//! force) about the population (`subject: None`).

use chrono::NaiveDate;
use kenpo_domain::DataCategory::{self, *};
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::{
    AccessContext, AccessRequest, Action, Actor, CatalogueEngine, Decision, PersonId, PolicyEngine, PurposeId, Subject,
};
use std::collections::BTreeSet;
use std::sync::OnceLock;

use Action::{Export, Read, Write};

/// One decision derived by hand.
#[derive(Clone, Copy, Debug)]
struct Case {
    /// `staff:ROLE:USER`, `contractor:ID`, `member:PERSON`, `system:JOB`.
    actor: &'static str,
    /// The catalogue's id of the 別表2 line (or an id no line has).
    purpose: &'static str,
    category: DataCategory,
    action: Action,
    /// Whose data: one person, or `None` for many at once.
    subject: Option<i64>,
    /// The day, `YYYY-MM-DD`.
    on: &'static str,
    allowed: bool,
    /// The rule that must decide, where it matters. `a|b` accepts either when both reasons
    /// hold and only the engine's check order picks one (e.g. a use that neither needs nor may
    /// have 個人番号).
    rule: Option<&'static str>,
    /// The notice line, shown when the case fails.
    cite: &'static str,
}

const ON: &str = "2026-11-25";

/// Defaults for the fields most cases share.
const D: Case = Case {
    actor: "",
    purpose: "",
    category: Identity,
    action: Read,
    subject: None,
    on: ON,
    allowed: false,
    rule: None,
    cite: "",
};

const NOT_BANGOU: &str = "category_not_needed_by_use|my_number_only_for_bangouhou_affairs";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ───────────────────────── purposes the notice does not publish; the notice's date ─────────────────────────

    // 別表2 題「健康保険組合の通常業務で想定される主な利用目的」: no line for direct marketing.
    // A purpose the notice does not publish is no purpose at all (APPI Art. 18).
    Case { actor: "staff:eligibility:t", purpose: "marketing.direct_mail", category: Contact, allowed: false,
        rule: Some("purpose_not_in_catalogue"), cite: "別表2: no line for direct marketing", ..D },
    // 業務委託先 8 (株)スギ薬局「特定保健指導、個人向け健康レポート、花粉症薬スイッチOTC勧奨事業」: none is the shop's own sales.
    // A contractor's own sales promotion is outside every published use.
    Case { actor: "contractor:c08", purpose: "sales.own_promotion", category: Identity, allowed: false,
        rule: Some("purpose_not_in_catalogue"), cite: "業務委託先 8: no own-sales use", ..D },
    // 業務委託先 一覧「(2025年1月現在)」: the notice speaks from 2025-01.
    // Before the notice took effect nothing it publishes can be relied on.
    Case { actor: "staff:eligibility:t", purpose: "eligibility.management", category: Identity, on: "2024-12-31",
        allowed: false, rule: Some("catalogue_not_yet_in_force"), cite: "「(2025年1月現在)」", ..D },

    // ───────────────────────── staff: eligibility (適用) ─────────────────────────

    // 別表2 1.【内部】「被保険者資格の確認、被扶養者の認定並びに健康保険被保険者証の発行管理」; 別表1「生計維持関係を示す情報 (続柄・同居有無等)」.
    // 被扶養者の認定 is decided on the relationship and cohabitation.
    Case { actor: "staff:eligibility:t", purpose: "eligibility.management", category: Relation, subject: Some(7),
        allowed: true, rule: Some("role_acts_for_use"), cite: "別表2 1.【内部】被扶養者の認定", ..D },
    // 別表2 1.【内部】「被扶養者の認定」; 別表1「前年度収入額」.
    // The income test of 被扶養者認定 needs the income recorded.
    Case { actor: "staff:eligibility:t", purpose: "eligibility.management", category: Income, action: Write,
        subject: Some(7), allowed: true, cite: "別表2 1.【内部】被扶養者の認定 / 別表1 前年度収入額", ..D },
    // 別表2 2.【内部】「標準報酬月額及び標準賞与額の把握」; 別表1「報酬・賞与実績」.
    // Recording 算定基礎届 / 賞与支払届 is exactly this line.
    Case { actor: "staff:eligibility:t", purpose: "premiums.remuneration", category: Remuneration, action: Write,
        subject: Some(7), allowed: true, cite: "別表2 2.【内部】標準報酬月額及び標準賞与額の把握", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」; 別表1 保険給付関連 (現物)「傷病名」.
    // Deciding who is insured never needs a diagnosis.
    Case { actor: "staff:eligibility:t", purpose: "eligibility.management", category: ReceiptClinical,
        subject: Some(7), allowed: false, rule: Some("category_not_needed_by_use"),
        cite: "別表2 1.【内部】資格の確認 — no 傷病名", ..D },
    // 別表2 1.【内部】「番号法に定める利用事務」; 番号法 Art. 12 / PPC guideline: 事務取扱担当者の明確化.
    // 個人番号 is handled by the named 番号事務取扱担当者, not by the 適用 staff at large.
    Case { actor: "staff:eligibility:t", purpose: "mynumber.affairs", category: MyNumber, subject: Some(7),
        allowed: false, cite: "別表2 1.「番号法に定める利用事務」 — officer only", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」 is not 「番号法に定める利用事務」 (番号法 Art. 9: use only for the listed affairs).
    // A use that is not a 番号法 affair never reaches 個人番号.
    Case { actor: "staff:eligibility:t", purpose: "eligibility.management", category: MyNumber, subject: Some(7),
        allowed: false, rule: Some(NOT_BANGOU), cite: "別表2 1.【内部】資格の確認 is not a 番号法 affair", ..D },
    // 別表2 4.【審査支払機関への情報提供を伴う事例】「オンライン資格確認等システムを利用したレセプト振替のための加入者情報の提供」.
    // The 加入者情報 go to the 審査支払機関, so an export is what the line describes.
    Case { actor: "staff:eligibility:t", purpose: "receipts.online_transfer", category: Eligibility, action: Export,
        allowed: true, cite: "別表2 4. レセプト振替のための加入者情報の提供", ..D },

    // ───────────────────────── staff: benefits (給付) ─────────────────────────

    // 別表2 1.【内部】「保険給付及び付加給付の実施」; 別表1 傷病手当金関連「傷病名、…医師の 意見にかかる情報」.
    // 傷病手当金 is decided on the doctor's opinion of 労務不能.
    Case { actor: "staff:benefits:t", purpose: "benefits.payment", category: CashBenefitClinical, subject: Some(7),
        allowed: true, rule: Some("role_acts_for_use"), cite: "別表2 1.【内部】保険給付 / 傷病手当金「医師の意見」", ..D },
    // 別表2 1.【内部】「保険給付及び付加給付の実施」; 別表1「医療費等にかかる情報」.
    // 高額療養費 and 付加給付 are computed from the receipts' costs.
    Case { actor: "staff:benefits:t", purpose: "benefits.payment", category: ReceiptCost, subject: Some(7),
        allowed: true, cite: "別表2 1.【内部】保険給付及び付加給付の実施", ..D },
    // 別表2 1.【内部】「保険給付及び付加給付の実施」; 別表1 保健事業関連「健診・問診結果」.
    // No benefit is decided on a checkup result.
    Case { actor: "staff:benefits:t", purpose: "benefits.payment", category: CheckupResult, subject: Some(7),
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 1.【内部】保険給付 — no 健診結果", ..D },
    // 別表2 1.【他の事業者等】「高額療養費及び一部負担金還元金等の自動払いにおける給与口座（事業主）への支払い」.
    // The employer pays the amount with the salary, so the amount leaves the society.
    Case { actor: "staff:benefits:t", purpose: "benefits.payroll_payment", category: CashBenefit, action: Export,
        allowed: true, cite: "別表2 1. 給与口座（事業主）への支払い", ..D },
    // 別表2 1.【他の事業者等】「…給与口座（事業主）への支払い」.
    // To pay an amount the employer needs no diagnosis.
    Case { actor: "staff:benefits:t", purpose: "benefits.payroll_payment", category: ReceiptClinical, action: Export,
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 1. 給与口座への支払い — no 傷病名", ..D },
    // 別表2 1.【他の事業者等】「第三者行為に係る損保会社等への求償」 (健康保険法 Art. 57: the insurer is subrogated).
    // The claim against the insurer is for the treatment of the accident's injuries.
    Case { actor: "staff:benefits:t", purpose: "benefits.third_party_recovery", category: ReceiptClinical,
        action: Export, subject: Some(7), allowed: true, cite: "別表2 1.「第三者行為に係る損保会社等への求償」", ..D },
    // 別表2 3.【内部】「特定健診、保健指導の実施」 is 保健事業, not 保険給付.
    // 給付担当 does not act for 保健事業.
    Case { actor: "staff:benefits:t", purpose: "health.specific_checkup", category: CheckupResult, subject: Some(7),
        allowed: false, rule: Some("role_not_listed_for_use"), cite: "別表2 3.【内部】特定健診 — not 給付", ..D },

    // ───────────────────────── staff: health (保健事業) ─────────────────────────

    // 別表2 3.【内部】「特定健診、保健指導の実施」; 別表1「健診・問診結果」.
    // Results returned by the 健診機関 are recorded for 階層化.
    Case { actor: "staff:health:t", purpose: "health.specific_checkup", category: CheckupResult, action: Write,
        subject: Some(7), allowed: true, rule: Some("role_acts_for_use"), cite: "別表2 3.【内部】特定健診、保健指導の実施", ..D },
    // 別表2 3.【他の事業者等】「コラボヘルスの一環である健診結果の事業者への提供」.
    // The line provides 健診結果 to the employer.
    Case { actor: "staff:health:t", purpose: "health.collabo_provision", category: CheckupResult, action: Export,
        allowed: true, cite: "別表2 3.「コラボヘルスの一環である健診結果の事業者への提供」", ..D },
    // 別表2 3.「コラボヘルスの一環である健診結果の事業者への提供」: 健診結果 — not 「指導結果」 (別表1 lists them apart).
    // The employer gets the results, not the guidance record.
    Case { actor: "staff:health:t", purpose: "health.collabo_provision", category: GuidanceRecord, action: Export,
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 3. コラボヘルス: 健診結果 only", ..D },
    // 別表2 3.「コラボヘルスの一環である健診結果の事業者への提供」.
    // Receipts are not 健診結果; the employer must not learn who saw which doctor.
    Case { actor: "staff:health:t", purpose: "health.collabo_provision", category: ReceiptCost, action: Export,
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 3. コラボヘルス: no receipts", ..D },
    // 別表2 3.【他の事業者等】「特定健診、保健指導の実施状況管理及び国への報告」 (高齢者の医療の確保に関する法律).
    // The report to the state carries the checkup results.
    Case { actor: "staff:health:t", purpose: "health.state_report", category: CheckupResult, action: Export,
        allowed: true, cite: "別表2 3.「特定健診、保健指導の実施状況管理及び国への報告」", ..D },
    // 別表2 4.【内部】「診療報酬明細書（レセプト）等の内容点検・審査」 is the receipt reviewers' work.
    // 保健事業担当 does not review receipts.
    Case { actor: "staff:health:t", purpose: "receipts.review", category: ReceiptClinical, allowed: false,
        rule: Some("role_not_listed_for_use"), cite: "別表2 4.【内部】レセプトの内容点検 — not 保健事業", ..D },
    // 別表2 3.【他の事業者等】「被保険者等への医療費通知」; 医療費通知の記載事項 (氏名・診療年月・受診者・医療機関名・医療費・保険者名).
    // 医療費通知 reads cost, month and institution but not diagnoses.
    Case { actor: "staff:health:t", purpose: "health.medical_cost_notice", category: ReceiptClinical, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "別表2 3.「被保険者等への医療費通知」 — no 傷病名", ..D },
    // 別表2 3.【他の事業者等】「被保険者等への医療費通知」.
    // The notice sends the receipts' costs to the 被保険者.
    Case { actor: "staff:health:t", purpose: "health.medical_cost_notice", category: ReceiptCost, action: Export,
        allowed: true, cite: "別表2 3.「被保険者等への医療費通知」", ..D },
    // 別表2 3.【他の事業者等】「保健指導、健康相談に係る産業医への委託」.
    // 保健指導 and 健康相談 work from checkup results; the 産業医 (the employer's appointee) gets no receipts.
    Case { actor: "staff:health:t", purpose: "health.occupational_physician", category: ReceiptClinical,
        action: Export, allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 3. 産業医への委託 — no receipts", ..D },
    // 別表2 3.【内部】「健康の保持・増進のための健診、保健指導及び健康相談」.
    // An internal use: nothing leaves the society under it.
    Case { actor: "staff:health:t", purpose: "health.promotion", category: CheckupResult, action: Export,
        allowed: false, rule: Some("export_only_for_uses_that_leave_the_society"), cite: "別表2 3.【内部】健康の保持・増進", ..D },

    // ───────────────────────── staff: receipt_review (レセプト点検) ─────────────────────────

    // 別表2 4.【内部】「診療報酬明細書（レセプト）等の内容点検・審査」.
    // 内容点検 checks the diagnoses against the treatment.
    Case { actor: "staff:receipt_review:t", purpose: "receipts.review", category: ReceiptClinical, allowed: true,
        rule: Some("role_acts_for_use"), cite: "別表2 4.【内部】レセプトの内容点検・審査", ..D },
    // 別表2 4.【内部】「…内容点検・審査」: an internal use.
    // Review inside the society sends nothing out.
    Case { actor: "staff:receipt_review:t", purpose: "receipts.review", category: ReceiptClinical, action: Export,
        allowed: false, rule: Some("export_only_for_uses_that_leave_the_society"), cite: "別表2 4.【内部】内容点検", ..D },
    // 別表2 4.【他の事業者等】「レセプトデータの内容点検・審査の委託」.
    // Handing receipts to the review contractor is the line itself.
    Case { actor: "staff:receipt_review:t", purpose: "receipts.review_entrustment", category: ReceiptClinical,
        action: Export, allowed: true, cite: "別表2 4.「レセプトデータの内容点検・審査の委託」", ..D },
    // 別表2 4.【内部】「…内容点検・審査」 is not a 番号法 affair.
    // Receipt review never needs 個人番号.
    Case { actor: "staff:receipt_review:t", purpose: "receipts.review", category: MyNumber, allowed: false,
        rule: Some(NOT_BANGOU), cite: "別表2 4.【内部】内容点検 — not 番号法", ..D },
    // 別表2 4.【内部】「診療報酬明細書（レセプト）等の内容点検・審査」; 別表1 保健事業関連 is a separate row.
    // Checkup results play no part in reviewing a receipt.
    Case { actor: "staff:receipt_review:t", purpose: "receipts.review", category: CheckupResult, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "別表2 4.【内部】内容点検 — no 健診結果", ..D },

    // ───────────────────────── staff: mynumber_officer (番号事務取扱担当者) ─────────────────────────

    // 別表2 1.【内部】「番号法に定める利用事務」; 別表1「個人番号」.
    // Registering the 個人番号 of a 資格取得届 is the 利用事務, done by the officer.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.affairs", category: MyNumber, action: Write,
        subject: Some(7), allowed: true, rule: Some("role_acts_for_use"), cite: "別表2 1.「番号法に定める利用事務」", ..D },
    // 別表2 1.【他の事業者等】「番号法に定める情報連携」; 7.「番号法第19条第7号…との情報連携」; 業務委託先 18「中間サーバー連携検認システム」.
    // Registering members in the 中間サーバー (to obtain 機関別符号) sends the number out under 番号法.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.linkage", category: MyNumber, action: Export,
        allowed: true, cite: "別表2 1.「番号法に定める情報連携」", ..D },
    // 別表2 1.【内部】「番号法に定める利用事務」: internal.
    // The 利用事務 itself sends nothing out; linkage is its own line.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.affairs", category: MyNumber, action: Export,
        allowed: false, rule: Some("export_only_for_uses_that_leave_the_society"), cite: "別表2 1.【内部】番号法に定める利用事務", ..D },
    // 別表2 7.【他機関の事務執行の為、組合が情報を提供する場合】「高額療養費、出産、葬祭関連給付等…保険給付関連情報」.
    // 情報連携 exchanges data under 機関別符号; the number itself is not sent.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.provide_benefit_info", category: MyNumber,
        action: Export, allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 7. 給付情報の提供 — by 符号, not number", ..D },
    // 別表2 7.【組合の事務処理執行の為、他機関より情報を受ける場合】「高齢受給者負担区分判定等にかかる課税・非課税情報」.
    // The received 課税・非課税情報 is recorded for the 負担区分.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.receive_tax_info", category: Income, action: Write,
        subject: Some(7), allowed: true, cite: "別表2 7.「高齢受給者負担区分判定等にかかる課税・非課税情報」", ..D },
    // 別表2 3.【内部】「特定健診、保健指導の実施」.
    // The 番号事務取扱担当者 is named for 番号法 affairs, not 保健事業.
    Case { actor: "staff:mynumber_officer:t", purpose: "health.specific_checkup", category: CheckupResult,
        allowed: false, rule: Some("role_not_listed_for_use"), cite: "別表2 3.【内部】特定健診 — not 番号事務", ..D },

    // ───────────────────────── staff: privacy_officer (個人情報保護管理者) ─────────────────────────

    // 別表2 6.【内部】「健保組合の管理運営業務のうち、業務の維持・改善のための基礎資料」.
    // Membership statistics are 基礎資料.
    Case { actor: "staff:privacy_officer:t", purpose: "admin.basic_material", category: Eligibility, allowed: true,
        rule: Some("role_acts_for_use"), cite: "別表2 6.【内部】基礎資料", ..D },
    // 別表2 6.「…基礎資料」 vs 5.【内部】「医療費分析・疾病分析」: diagnoses are analysed under 5., not 6.
    // 基礎資料 for running the society needs no diagnoses.
    Case { actor: "staff:privacy_officer:t", purpose: "admin.basic_material", category: ReceiptClinical,
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 6. 基礎資料 — 疾病分析 is 5.", ..D },
    // 別表2 1.【内部】「番号法に定める利用事務」; 番号法 Art. 12 (事務取扱担当者).
    // The privacy officer is not the 番号事務取扱担当者.
    Case { actor: "staff:privacy_officer:t", purpose: "mynumber.affairs", category: MyNumber, subject: Some(7),
        allowed: false, cite: "別表2 1.「番号法に定める利用事務」 — officer only", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」.
    // Eligibility is the 適用 staff's work, not the privacy officer's.
    Case { actor: "staff:privacy_officer:t", purpose: "eligibility.management", category: Identity, subject: Some(7),
        allowed: false, rule: Some("role_not_listed_for_use"), cite: "別表2 1.【内部】資格の確認 — not 保護管理者", ..D },

    // ───────────────────────── staff: auditor (監査) ─────────────────────────

    // 別表2 6.【内部】「…業務の維持・改善のための基礎資料」; 別表1「報酬・賞与実績」.
    // The 標準報酬 distribution is basic material an auditor reviews.
    Case { actor: "staff:auditor:t", purpose: "admin.basic_material", category: Remuneration, allowed: true,
        rule: Some("role_acts_for_use"), cite: "別表2 6.【内部】基礎資料", ..D },
    // 別表2 6.【内部】「…基礎資料」: internal.
    // Basic material stays inside the society.
    Case { actor: "staff:auditor:t", purpose: "admin.basic_material", category: Remuneration, action: Export,
        allowed: false, rule: Some("export_only_for_uses_that_leave_the_society"), cite: "別表2 6.【内部】基礎資料", ..D },
    // 別表2 1.【内部】「番号法に定める利用事務」.
    // The auditor is not the 番号事務取扱担当者.
    Case { actor: "staff:auditor:t", purpose: "mynumber.affairs", category: MyNumber, subject: Some(7), allowed: false,
        cite: "別表2 1.「番号法に定める利用事務」 — officer only", ..D },
    // 別表2 1.【内部】「保険給付及び付加給付の実施」.
    // The auditor does not pay benefits; no published use lets it read a member's benefit file.
    Case { actor: "staff:auditor:t", purpose: "benefits.payment", category: CashBenefit, subject: Some(7),
        allowed: false, rule: Some("role_not_listed_for_use"), cite: "別表2 1.【内部】保険給付 — not 監査", ..D },

    // ───────────────────────── system jobs ─────────────────────────

    // 別表2 1.【内部】「被保険者資格の確認…」.
    // The roster import records who is insured.
    Case { actor: "system:import", purpose: "eligibility.management", category: Identity, action: Write, allowed: true,
        rule: Some("batch_acts_for_use"), cite: "別表2 1.【内部】資格の確認", ..D },
    // 別表2 3.「被保険者等への医療費通知」.
    // The monthly 医療費通知 run reads the receipts' costs.
    Case { actor: "system:monthly", purpose: "health.medical_cost_notice", category: ReceiptCost, allowed: true,
        rule: Some("batch_acts_for_use"), cite: "別表2 3.「被保険者等への医療費通知」", ..D },
    // 別表2 3.「被保険者等への医療費通知」.
    // 医療費通知 reads cost, month and institution but not diagnoses.
    Case { actor: "system:monthly", purpose: "health.medical_cost_notice", category: ReceiptClinical, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "別表2 3.「被保険者等への医療費通知」 — no 傷病名", ..D },
    // 別表2 6.【他の事業者等】「第三者求償事務において、保険会社・医療機関等への相談又は届出等」.
    // A 相談 about one accident is a person's act, not a batch run.
    Case { actor: "system:monthly", purpose: "admin.third_party_consultation", category: ReceiptClinical,
        action: Export, allowed: false, rule: Some("batch_not_listed_for_use"), cite: "別表2 6.「…相談又は届出等」", ..D },

    // ───────────────────────── members (本人) ─────────────────────────

    // 別表2 1.【内部】「被保険者資格の確認…」; APPI Art. 33 (開示).
    // A member sees their own 資格.
    Case { actor: "member:7", purpose: "eligibility.management", category: Identity, subject: Some(7), allowed: true,
        rule: Some("member_reads_own_data"), cite: "別表2 1.【内部】資格の確認 (本人)", ..D },
    // 別表2 3.「被保険者等への医療費通知」.
    // The notice is addressed to the member: they read their own costs.
    Case { actor: "member:7", purpose: "health.medical_cost_notice", category: ReceiptCost, subject: Some(7),
        allowed: true, rule: Some("member_reads_own_data"), cite: "別表2 3.「被保険者等への医療費通知」 (本人)", ..D },
    // 別表2 3.【内部】「健康の保持・増進のための健診、保健指導及び健康相談」.
    // A member reads their own checkup results.
    Case { actor: "member:7", purpose: "health.promotion", category: CheckupResult, subject: Some(7), allowed: true,
        rule: Some("member_reads_own_data"), cite: "別表2 3.【内部】健康の保持・増進 (本人)", ..D },
    // 別表2 3.「被保険者等への医療費通知」.
    // 医療費通知 reads cost, month and institution but not diagnoses — not even for the member.
    Case { actor: "member:7", purpose: "health.medical_cost_notice", category: ReceiptClinical, subject: Some(7),
        allowed: false, rule: Some("category_not_needed_by_use"), cite: "別表2 3. 医療費通知 — no 傷病名", ..D },
    // 別表2 1.【内部】「保険給付及び付加給付の実施」; APPI Art. 27 (another person's data is a provision).
    // Member 7 may not read member 8's benefits.
    Case { actor: "member:7", purpose: "benefits.payment", category: CashBenefit, subject: Some(8), allowed: false,
        rule: Some("member_only_own_data_read"), cite: "別表2 1.【内部】保険給付 — another member", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」.
    // A member acts for one person, never for the population.
    Case { actor: "member:7", purpose: "eligibility.management", category: Identity, subject: None, allowed: false,
        rule: Some("member_only_own_data_read"), cite: "別表2 1.【内部】資格の確認 — population", ..D },
    // 別表2 1.【内部】「番号法に定める利用事務」 is done by the 番号事務取扱担当者.
    // A member never gets 個人番号 through Kenpo, not even their own.
    Case { actor: "member:7", purpose: "mynumber.affairs", category: MyNumber, subject: Some(7), allowed: false,
        cite: "別表2 1.「番号法に定める利用事務」 — not 本人", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」 is not a 番号法 affair.
    // A member never gets 個人番号.
    Case { actor: "member:7", purpose: "eligibility.management", category: MyNumber, subject: Some(7), allowed: false,
        cite: "別表2 1.【内部】資格の確認 — no 個人番号", ..D },
    // 別表2 1.【内部】「被保険者資格の確認…」; changes come by 届出 through the employer (APPI Art. 34 is a request, not a write).
    // Members never write.
    Case { actor: "member:7", purpose: "eligibility.management", category: Contact, action: Write, subject: Some(7),
        allowed: false, rule: Some("member_only_own_data_read"), cite: "別表2 1.【内部】資格の確認 — no member writes", ..D },
    // 別表2 3.「被保険者等への医療費通知」.
    // The member receives the notice; they do not export the society's data.
    Case { actor: "member:7", purpose: "health.medical_cost_notice", category: ReceiptCost, action: Export,
        subject: Some(7), allowed: false, rule: Some("member_only_own_data_read"), cite: "別表2 3. 医療費通知 — no member export", ..D },
    // 別表2 4.【内部】「診療報酬明細書（レセプト）等の内容点検・審査」.
    // Members do not review receipts.
    Case { actor: "member:7", purpose: "receipts.review", category: ReceiptCost, subject: Some(7), allowed: false,
        rule: Some("member_self_not_for_use"), cite: "別表2 4.【内部】内容点検 — not 本人", ..D },

    // ───────────────────────── contractors: in force on 2026-11-25 ─────────────────────────

    // 業務委託先 1 (株)N T Tデータ「レセプト点検」; 別表2 4.「レセプトデータの内容点検・審査の委託」.
    // 内容点検 needs the diagnoses.
    Case { actor: "contractor:c01", purpose: "receipts.review_entrustment", category: ReceiptClinical, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 1「レセプト点検」", ..D },
    // 業務委託先 1「特定健康診査・特定保健指導の実績管理及び国への報告システム」; 別表2 3.「特定健診、保健指導の実施状況管理及び国への報告」.
    // The report contains the guidance records.
    Case { actor: "contractor:c01", purpose: "health.state_report", category: GuidanceRecord, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 1「…実績管理及び国への報告システム」", ..D },
    // 業務委託先 1「健保運営基幹システム」; 別表2 1.「被保険者等の資格等のデータ処理の外部委託」.
    // The core system processes eligibility.
    Case { actor: "contractor:c01", purpose: "eligibility.outsourced_processing", category: Eligibility, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 1「健保運営基幹システム」", ..D },
    // 業務委託先 1: no 医療費通知 (that is 業務委託先 2's work).
    // c01 is not entrusted with the notice.
    Case { actor: "contractor:c01", purpose: "health.medical_cost_notice", category: ReceiptCost, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 1 — no 医療費通知", ..D },
    // 別表2 1.「被保険者等の資格等のデータ処理の外部委託」 is not 「番号法に定める利用事務」; 業務委託先 1 lists no 番号法 work.
    // The core-system contract does not reach 個人番号.
    Case { actor: "contractor:c01", purpose: "eligibility.outsourced_processing", category: MyNumber, allowed: false,
        rule: Some(NOT_BANGOU), cite: "業務委託先 1 / 別表2 1. データ処理の外部委託 — not 番号法", ..D },
    // 業務委託先 1 lists no 番号法 work; 別表2 1.「番号法に定める利用事務」 is internal.
    // c01 does not do the 番号法 affairs.
    Case { actor: "contractor:c01", purpose: "mynumber.affairs", category: MyNumber, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 1 — no 番号法 work", ..D },

    // 業務委託先 2 (株)J M D C「医療費通知」; 別表2 3.「被保険者等への医療費通知」, 5.「医療費分析及び医療費通知に係るデータ処理等の外部委託」.
    // Producing the notice needs the costs.
    Case { actor: "contractor:c02", purpose: "health.medical_cost_notice", category: ReceiptCost, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 2「医療費通知」", ..D },
    // 業務委託先 2「レセプト分析」; 別表2 5.「医療費分析・疾病分析」「医療費分析及び医療費通知に係るデータ処理等の外部委託」.
    // 疾病分析 needs the diagnoses.
    Case { actor: "contractor:c02", purpose: "analysis.entrustment", category: ReceiptClinical, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 2「レセプト分析」", ..D },
    // 業務委託先 2「医療費通知」; 別表2 3.「被保険者等への医療費通知」.
    // 医療費通知 reads cost, month and institution but not diagnoses.
    Case { actor: "contractor:c02", purpose: "health.medical_cost_notice", category: ReceiptClinical, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "業務委託先 2「医療費通知」 — no 傷病名", ..D },
    // 業務委託先 2: no 特定保健指導 (that is 業務委託先 4–10's work).
    // JMDC is not entrusted with 特定保健指導.
    Case { actor: "contractor:c02", purpose: "health.specific_checkup", category: GuidanceRecord, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 2 — no 特定保健指導", ..D },

    // 業務委託先 3 (株)ケーシップ「レセプト点検」; 別表2 4.「レセプトデータの内容点検・審査の委託」.
    // 内容点検 needs the diagnoses.
    Case { actor: "contractor:c03", purpose: "receipts.review_entrustment", category: ReceiptClinical, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 3「レセプト点検」", ..D },
    // 業務委託先 3「柔道整復療養施術内容の点検」; 別表1 療養費関連「柔道整復師・あんま・はり・きゅう・マッサージ師等にかかる 情報」.
    // Checking 柔整 claims means reading what was done.
    Case { actor: "contractor:c03", purpose: "receipts.review_entrustment", category: CashBenefitClinical,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 3「柔道整復療養施術内容の点検」", ..D },
    // 業務委託先 3: review only; no 特定健診.
    // c03 is not entrusted with checkups.
    Case { actor: "contractor:c03", purpose: "health.specific_checkup", category: CheckupResult, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 3 — no 特定健診", ..D },

    // 業務委託先 4 (株)ベストライフ・プロモーション「特定保健指導」; 別表2 3.【内部】「特定健診、保健指導の実施」.
    // The contractor returns its 指導結果.
    Case { actor: "contractor:c04", purpose: "health.specific_checkup", category: GuidanceRecord, action: Write,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 4「特定保健指導」", ..D },
    // 業務委託先 4「特定保健指導」.
    // 特定保健指導 is chosen by checkup results (階層化), not by diagnoses.
    Case { actor: "contractor:c04", purpose: "health.specific_checkup", category: ReceiptClinical, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "業務委託先 4「特定保健指導」 — no receipts", ..D },
    // 業務委託先 4「特定保健指導」; 別表2 1.「番号法に定める情報連携」 is not their work.
    // A 保健指導 contractor never gets 個人番号.
    Case { actor: "contractor:c04", purpose: "mynumber.linkage", category: MyNumber, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 4 — no 番号法 work", ..D },

    // 業務委託先 5 日本生命保険(相)「特定保健指導」.
    // Guidance contractor reads the guidance plan.
    Case { actor: "contractor:c05", purpose: "health.specific_checkup", category: GuidanceRecord, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 5「特定保健指導」", ..D },
    // 業務委託先 5「生活習慣病高リスク者抽出」; 別表2 5.「健康診断の結果数値を、…生活習慣病予防教育の対象者抽出に利用」.
    // Extraction works on checkup values.
    Case { actor: "contractor:c05", purpose: "analysis.checkup_targeting", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 5「生活習慣病高リスク者抽出」", ..D },
    // 業務委託先 5; 別表2 5.「医療費分析及び医療費通知に係るデータ処理等の外部委託」: no cash benefits.
    // A life insurer doing analysis must not learn who drew 傷病手当金.
    Case { actor: "contractor:c05", purpose: "analysis.entrustment", category: CashBenefit, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "業務委託先 5 / 別表2 5. 外部委託 — no 現金給付", ..D },
    // 業務委託先 5「事業所別健康分析レポート」 vs 別表2 3.「コラボヘルスの一環である健診結果の事業者への提供」.
    // The insurer reports per workplace; it does not hand results to the employer.
    Case { actor: "contractor:c05", purpose: "health.collabo_provision", category: CheckupResult, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 5 — no コラボヘルス提供", ..D },

    // 業務委託先 6 (株)フィットプラス「特定保健指導」.
    // 階層化 needs the checkup result.
    Case { actor: "contractor:c06", purpose: "health.specific_checkup", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 6「特定保健指導」", ..D },
    // 業務委託先 6「特定保健指導」 vs 別表2 3.「健康の保持・増進のための健診、保健指導及び健康相談」.
    // 特定保健指導 only; general 健康相談 is not entrusted to them.
    Case { actor: "contractor:c06", purpose: "health.promotion", category: CheckupResult, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 6 — 特定保健指導 only", ..D },

    // 業務委託先 7 (株)Mealthy「特定保健指導」.
    // The contractor returns its 指導結果.
    Case { actor: "contractor:c07", purpose: "health.specific_checkup", category: GuidanceRecord, action: Write,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 7「特定保健指導」", ..D },
    // 業務委託先 7「特定保健指導」 vs 別表2 5.「医療費分析・疾病分析」.
    // Not entrusted with analysis.
    Case { actor: "contractor:c07", purpose: "analysis.cost", category: ReceiptCost, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 7 — no 医療費分析", ..D },

    // 業務委託先 8 (株)スギ薬局「特定保健指導」.
    // The contractor returns its 指導結果.
    Case { actor: "contractor:c08", purpose: "health.specific_checkup", category: GuidanceRecord, action: Write,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 8「特定保健指導」", ..D },
    // 業務委託先 8「個人向け健康レポート」; 別表2 3.【内部】「健康の保持・増進のための健診、保健指導及び健康相談」.
    // A personal health report is drawn from checkup results.
    Case { actor: "contractor:c08", purpose: "health.promotion", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 8「個人向け健康レポート」", ..D },
    // 業務委託先 8「花粉症薬スイッチOTC勧奨事業」; 別表2 5.【内部】「…当組合の医療費適正化対策に利用…」.
    // Switch-OTC promotion is a 医療費適正化 measure; the shop needs only whom to write to.
    Case { actor: "contractor:c08", purpose: "analysis.receipt_targeting", category: Identity, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 8「花粉症薬スイッチOTC勧奨事業」", ..D },
    // 業務委託先 8「花粉症薬スイッチOTC勧奨事業」; 別表2 5. receipts are used 【内部】 only.
    // A pharmacy chain selling the OTC drug must not get the prescriptions.
    Case { actor: "contractor:c08", purpose: "analysis.receipt_targeting", category: ReceiptClinical, allowed: false,
        rule: Some("category_not_in_contract"), cite: "業務委託先 8 OTC勧奨 — no prescriptions", ..D },

    // 業務委託先 9 (株)エス・エム・エス「特定保健指導」.
    // 階層化 needs the checkup result.
    Case { actor: "contractor:c09", purpose: "health.specific_checkup", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 9「特定保健指導」", ..D },
    // 業務委託先 9「特定保健指導」; 別表1 保険給付関連 (現金) is not 保健事業関連.
    // Guidance needs no cash-benefit data.
    Case { actor: "contractor:c09", purpose: "health.specific_checkup", category: CashBenefit, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "業務委託先 9「特定保健指導」 — no 現金給付", ..D },

    // 業務委託先 10 (株)バリューHR「特定保健指導」.
    // The contractor returns its 指導結果.
    Case { actor: "contractor:c10", purpose: "health.specific_checkup", category: GuidanceRecord, action: Write,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 10「特定保健指導」", ..D },
    // 業務委託先 10「特定保健指導」; 別表2 1.「番号法に定める情報連携」 is not their work.
    // Never 個人番号.
    Case { actor: "contractor:c10", purpose: "mynumber.linkage", category: MyNumber, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 10 — no 番号法 work", ..D },

    // 業務委託先 11 (株)カルナヘルスサポート「生活習慣病重症化予防事業」; 別表2 3.【内部】「…保健指導及び健康相談」.
    // 重症化予防 targets people with high checkup values.
    Case { actor: "contractor:c11", purpose: "health.promotion", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 11「生活習慣病重症化予防事業」", ..D },
    // 業務委託先 11「（健康保険組合連合会組合サポート事業）」 vs 別表2 5.「健康保険組合連合会本部における医療費分析事業への参画」.
    // Being a 健保連 support programme does not make them a party to the 健保連's analysis.
    Case { actor: "contractor:c11", purpose: "analysis.kenporen", category: ReceiptClinical, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 11 — not 健保連医療費分析", ..D },

    // 業務委託先 12 (株)CureApp「禁煙支援」; 別表2 3.【内部】「…保健指導及び健康相談」.
    // Support needs to know the participant is a member.
    Case { actor: "contractor:c12", purpose: "health.promotion", category: Identity, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 12「禁煙支援」", ..D },
    // 業務委託先 12「禁煙支援」 vs 別表2 5.【内部】「レセプトデータを…対象者抽出に利用」.
    // Receipts (e.g. 禁煙外来) are not handed to a 禁煙 app vendor.
    Case { actor: "contractor:c12", purpose: "analysis.receipt_targeting", category: ReceiptClinical, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 12 — no receipts", ..D },

    // 業務委託先 13 (一)京都工場保健会「特定健康診査」; 別表2 3.「医療機関への健診の委託」.
    // The 健診機関 returns the results.
    Case { actor: "contractor:c13", purpose: "health.checkup_entrustment", category: CheckupResult, action: Write,
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 13「特定健康診査」", ..D },
    // 業務委託先 13「特定健康診査」 — not 特定保健指導.
    // A 健診 contractor does not get guidance records.
    Case { actor: "contractor:c13", purpose: "health.specific_checkup", category: GuidanceRecord, allowed: false,
        rule: Some("category_not_in_contract"), cite: "業務委託先 13「特定健康診査」 — no 指導", ..D },

    // 業務委託先 14 (株)法研関西「被扶養者向け自己採血検査」; 別表2 3.【内部】「健康の保持・増進のための健診…」.
    // The lab returns the test result.
    Case { actor: "contractor:c14", purpose: "health.promotion", category: CheckupResult, action: Write, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 14「被扶養者向け自己採血検査」", ..D },
    // 業務委託先 14「自己採血検査」 vs 別表2 3.「特定健診、保健指導の実施」.
    // Self-sampling lacks the 特定健診 items (診察・身体計測・血圧), so it is no 特定健診.
    Case { actor: "contractor:c14", purpose: "health.specific_checkup", category: CheckupResult, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 14 — not 特定健診", ..D },

    // 業務委託先 15 (株)メスプ・コーポレーション「郵送検診」; 別表2 3.【内部】「健康の保持・増進のための健診…」.
    // The mail-in screening returns results.
    Case { actor: "contractor:c15", purpose: "health.promotion", category: CheckupResult, action: Write, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 15「郵送検診」", ..D },
    // 業務委託先 15「郵送検診」 vs 別表2 5.「医療費分析・疾病分析」.
    // Not entrusted with analysis.
    Case { actor: "contractor:c15", purpose: "analysis.cost", category: ReceiptCost, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 15 — no 医療費分析", ..D },

    // 業務委託先 16 (株)京阪ビジネスマネジメント「成人病検診」; 別表2 3.「医療機関への健診の委託」.
    // The screening agent passes the results on.
    Case { actor: "contractor:c16", purpose: "health.checkup_entrustment", category: CheckupResult, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 16「成人病検診」", ..D },
    // 業務委託先 16「成人病検診」 — a checkup, not guidance.
    // No guidance records.
    Case { actor: "contractor:c16", purpose: "health.promotion", category: GuidanceRecord, allowed: false,
        rule: Some("category_not_in_contract"), cite: "業務委託先 16「成人病検診」 — no 指導", ..D },

    // 業務委託先 17 白石薬品(株)「薬あっせん販売」.
    // A drug seller gets no checkup results.
    Case { actor: "contractor:c17", purpose: "health.promotion", category: CheckupResult, allowed: false,
        rule: Some("category_not_in_contract"), cite: "業務委託先 17「薬あっせん販売」 — no 健診結果", ..D },
    // 業務委託先 17「薬あっせん販売」 vs 別表2 5.【内部】「レセプトデータを…」.
    // What a member is prescribed is none of the drug seller's business.
    Case { actor: "contractor:c17", purpose: "analysis.receipt_targeting", category: ReceiptClinical, allowed: false,
        rule: Some("contract_does_not_cover_use"), cite: "業務委託先 17 — no prescriptions", ..D },

    // 業務委託先 18 日本システム技術(株)「中間サーバー連携検認システム」; 別表2 1.「番号法に定める情報連携」; 7.「番号法第19条第7号…情報連携」.
    // The 中間サーバー link registers members by 個人番号: a 番号法 Art. 10 entrustment.
    Case { actor: "contractor:c18", purpose: "mynumber.linkage", category: MyNumber, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 18「中間サーバー連携検認システム」", ..D },
    // 業務委託先 18「中間サーバー連携検認システム」; 別表2 1.「番号法に定める情報連携」.
    // Sending the registration to the 中間サーバー is the work.
    Case { actor: "contractor:c18", purpose: "mynumber.linkage", category: MyNumber, action: Export, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 18「中間サーバー連携検認システム」", ..D },
    // 業務委託先 18「レセプト点検」; 別表2 4.「レセプトデータの内容点検・審査の委託」.
    // 内容点検 needs the diagnoses.
    Case { actor: "contractor:c18", purpose: "receipts.review_entrustment", category: ReceiptClinical, allowed: true,
        rule: Some("contract_covers_use"), cite: "業務委託先 18「レセプト点検」", ..D },
    // 業務委託先 18「レセプト点検」: a 番号法 contractor, but receipt review is no 番号法 affair.
    // 個人番号 follows the affair, not the contractor.
    Case { actor: "contractor:c18", purpose: "receipts.review_entrustment", category: MyNumber, allowed: false,
        rule: Some(NOT_BANGOU), cite: "業務委託先 18「レセプト点検」 — not 番号法", ..D },
    // 業務委託先 18; 別表2 7.【組合の事務処理執行の為、他機関より情報を受ける場合】「…課税・非課税情報」.
    // 情報連携 runs on 機関別符号; the number itself does not travel.
    Case { actor: "contractor:c18", purpose: "mynumber.receive_tax_info", category: MyNumber, allowed: false,
        rule: Some("category_not_needed_by_use"), cite: "業務委託先 18 / 別表2 7. 課税情報 — by 符号", ..D },

    // ───────────────────────── contracts out of force; contractors not in the list ─────────────────────────

    // 業務委託先 4「特定保健指導」; contract_to 2027-03-31 in policy/contractors.toml: the last day is in force.
    // Still under contract.
    Case { actor: "contractor:c04", purpose: "health.specific_checkup", category: CheckupResult, on: "2027-03-31",
        allowed: true, rule: Some("contract_covers_use"), cite: "業務委託先 4 — last day of contract", ..D },
    // 業務委託先 4「特定保健指導」; contract_to 2027-03-31.
    // After the contract ends the contractor gets nothing (APPI Art. 25: 委託先の監督).
    Case { actor: "contractor:c04", purpose: "health.specific_checkup", category: CheckupResult, on: "2027-04-01",
        allowed: false, rule: Some("contract_not_in_force"), cite: "業務委託先 4 — contract ended", ..D },
    // 業務委託先 2「医療費通知」; contract_to 2027-03-31.
    // Expired.
    Case { actor: "contractor:c02", purpose: "health.medical_cost_notice", category: ReceiptCost, on: "2027-04-01",
        allowed: false, rule: Some("contract_not_in_force"), cite: "業務委託先 2 — contract ended", ..D },
    // 業務委託先 18「中間サーバー連携検認システム」; contract_to 2028-09-30.
    // A 番号法 entrustment ends with its contract too (番号法 Art. 11).
    Case { actor: "contractor:c18", purpose: "mynumber.linkage", category: MyNumber, on: "2028-10-01", allowed: false,
        rule: Some("contract_not_in_force"), cite: "業務委託先 18 — contract ended", ..D },
    // 業務委託先 一覧 has 18 entries (1–18).
    // A contractor not in the published list gets nothing.
    Case { actor: "contractor:c19", purpose: "receipts.review_entrustment", category: ReceiptCost, allowed: false,
        rule: Some("unknown_contractor"), cite: "業務委託先 一覧: 18 entries", ..D },
    // 個人情報保護法第33条 (開示請求), answered on the member portal: 33(1) lets the society answer
    // by electromagnetic means. The member reads their own record (their 現金給付 here) …
    Case { actor: "member:7", purpose: "appi.disclosure", category: CashBenefit, subject: Some(7), allowed: true,
        rule: Some("member_own_disclosure"), cite: "個人情報保護法第33条 — 本人の開示請求（電磁的方法）", ..D },
    // … but not 傷病名: 33(2)(i) (harm to the person) is why the society asks the 医療機関 first, so
    // diagnoses go through the written request the privacy officer answers.
    Case { actor: "member:7", purpose: "appi.disclosure", category: ReceiptClinical, subject: Some(7), allowed: false,
        rule: Some("member_diagnoses_via_disclosure_request"), cite: "個人情報保護法第33条2項1号; 診療報酬明細書等の開示通知", ..D },
    // … never 個人番号 (番号法 allows no use by Kenpo's portal), never another member's record, never a write.
    Case { actor: "member:7", purpose: "appi.disclosure", category: MyNumber, subject: Some(7), allowed: false,
        rule: Some("member_never_reads_my_number"), cite: "番号法第9条・第19条 — 利用・提供の制限", ..D },
    Case { actor: "member:7", purpose: "appi.disclosure", category: Identity, subject: Some(8), allowed: false,
        rule: Some("member_only_own_data_read"), cite: "個人情報保護法第33条 — 本人の保有個人データに限る", ..D },
    Case { actor: "member:7", purpose: "appi.disclosure", category: Contact, action: Write, subject: Some(7),
        allowed: false, rule: Some("member_only_own_data_read"), cite: "個人情報保護法第33条 — 開示（訂正は第34条の別手続）", ..D },
];

/// Cases where the hand derivation disagrees with the shipped catalogue. Each has its own ignored
/// test below with the reason; they also count towards coverage.
#[rustfmt::skip]
const DISAGREEMENTS: &[Case] = &[
    // [0] 業務委託先 17 白石薬品(株)「薬あっせん販売」 vs 別表2 3.【内部】「健康の保持・増進のための健診、保健指導及び健康相談」.
    // Drug sales are none of 健診・保健指導・健康相談, and no other 別表2 line covers them (APPI Art. 18); a purchaser can show
    // their card, so no data need go to the seller.
    Case { actor: "contractor:c17", purpose: "health.promotion", category: Identity, allowed: false,
        cite: "業務委託先 17「薬あっせん販売」 — no 別表2 line", ..D },
    // [1] 業務委託先 11「生活習慣病重症化予防事業」; 別表1 保健事業関連「指導結果」; 別表2 3.【内部】「…保健指導及び健康相談」.
    // 重症化予防 is 保健指導 of high-risk members; the contractor must return what guidance it gave.
    Case { actor: "contractor:c11", purpose: "health.promotion", category: GuidanceRecord, action: Write, allowed: true,
        cite: "業務委託先 11「生活習慣病重症化予防事業」 — returns 指導結果", ..D },
    // [2] 別表2 7.【組合の事務処理執行の為、他機関より情報を受ける場合】「傷病手当金、高額療養費等保険給付審査事務にかかる給付情報等」.
    // A "receive" line never sends our data out; our 給付情報 goes out only under 「他機関の事務執行の為、組合が情報を提供する場合」.
    Case { actor: "staff:mynumber_officer:t", purpose: "mynumber.receive_benefit_info", category: CashBenefit,
        action: Export, allowed: false, cite: "別表2 7.【…他機関より情報を受ける場合】", ..D },
    // [3] 別表2 8.【組合の事務処理執行の為、他機関より情報を受ける場合】「特定健診データ」.
    // Under a "receive" line the society receives; it does not export checkup results.
    Case { actor: "staff:health:t", purpose: "online.receive_checkups", category: CheckupResult, action: Export,
        allowed: false, cite: "別表2 8.【…他機関より情報を受ける場合】「特定健診データ」", ..D },
    // [4] 別表2 1.【内部】「番号法に定める利用事務」; 番号法 Art. 12 and the PPC guideline (事務取扱担当者の明確化, アクセス制御).
    // 個人番号 only by the 番号事務取扱担当者: a batch job names no officer, so it may not read the number on its own.
    Case { actor: "system:import", purpose: "mynumber.affairs", category: MyNumber, subject: Some(7), allowed: false,
        rule: Some("my_number_only_by_officer|batch_not_listed_for_use"), cite: "別表2 1.「番号法に定める利用事務」 — officer only", ..D },
    // [5] 別表2 1.【内部】「保険給付及び付加給付の実施」; 別表1「傷病名」; MHLW 通知「診療報酬明細書等の被保険者等への開示について」.
    // A receipt's diagnoses are disclosed to the member only through a 開示請求 after the 医療機関 is asked whether
    // disclosure would harm care (APPI Art. 33(2)(i)); no automatic self-read.
    Case { actor: "member:7", purpose: "benefits.payment", category: ReceiptClinical, subject: Some(7), allowed: false,
        cite: "別表2 1.【内部】保険給付 — 傷病名 via 開示請求 only", ..D },
    // [6] 業務委託先 2「医療費通知」; 別表2 3.「被保険者等への医療費通知」.
    // The notice is produced from the receipts; the contractor is not entrusted to change the society's receipt records.
    Case { actor: "contractor:c02", purpose: "health.medical_cost_notice", category: ReceiptCost, action: Write,
        allowed: false, cite: "業務委託先 2「医療費通知」 — read, not write", ..D },
    // [7] 別表2 6.【内部】「業務の維持・改善のための基礎資料」.
    // 基礎資料 are drawn from the records; an auditor changing a member's 報酬 is not making basic material (and audit is read-only).
    Case { actor: "staff:auditor:t", purpose: "admin.basic_material", category: Remuneration, action: Write,
        subject: Some(7), allowed: false, cite: "別表2 6.【内部】基礎資料 — no writes", ..D },
];

fn engine() -> &'static CatalogueEngine {
    static ENGINE: OnceLock<CatalogueEngine> = OnceLock::new();
    ENGINE.get_or_init(|| CatalogueEngine::default_engine().expect("the shipped catalogue loads"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("date {s:?}: {e}"))
}

fn decide_with(engine: &CatalogueEngine, case: &Case) -> Decision {
    let actor = Actor::parse(case.actor).unwrap_or_else(|e| panic!("{}: {e}", case.actor));
    let purpose = PurposeId::parse(case.purpose).unwrap_or_else(|e| panic!("{}: {e}", case.purpose));
    let context = AccessContext::new(actor, purpose);
    let subject = match case.subject {
        Some(p) => Subject::Person(PersonId(p)),
        None => Subject::Population,
    };
    engine.decide(&AccessRequest {
        context: &context,
        action: case.action,
        category: case.category,
        subject: &subject,
        on: date(case.on),
    })
}

/// Why the case fails, or `None` when the engine decides as derived.
fn mismatch(case: &Case, d: &Decision) -> Option<String> {
    let rule_ok = case.rule.is_none_or(|r| r.split('|').any(|r| r == d.rule()));
    (d.is_allowed() != case.allowed || !rule_ok).then(|| {
        format!(
            "{} {} {} {:?} on {} (subject {:?}): expected {}{}, engine says {} by {} — {}",
            case.actor,
            case.purpose,
            case.category.id(),
            case.action,
            case.on,
            case.subject,
            if case.allowed { "allowed" } else { "denied" },
            case.rule.map(|r| format!(" by {r}")).unwrap_or_default(),
            if d.is_allowed() { "allowed" } else { "denied" },
            d.rule(),
            case.cite
        )
    })
}

fn check(case: &Case) {
    let d = decide_with(engine(), case);
    if let Some(m) = mismatch(case, &d) {
        panic!("{m}");
    }
}

#[test]
fn hand_derived_decisions() {
    let failures: Vec<String> = CASES.iter().filter_map(|c| mismatch(c, &decide_with(engine(), c))).collect();
    assert!(failures.is_empty(), "{} of {} cases disagree:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn cases_are_well_formed_and_cover_the_notice() {
    let all: Vec<&Case> = CASES.iter().chain(DISAGREEMENTS).collect();
    assert!(CASES.len() >= 40, "at least 40 agreed cases, have {}", CASES.len());
    for c in &all {
        assert!(!c.cite.is_empty(), "{} {}: no citation", c.actor, c.purpose);
        Actor::parse(c.actor).unwrap_or_else(|e| panic!("{e}"));
        date(c.on);
    }
    // Every staff role, with an allow and a deny.
    for role in kenpo_policy::StaffRole::ALL {
        let prefix = format!("staff:{}:", role.id());
        let mine: Vec<&&Case> = all.iter().filter(|c| c.actor.starts_with(&prefix)).collect();
        assert!(mine.iter().any(|c| c.allowed), "role {} has no allowed case", role.id());
        assert!(mine.iter().any(|c| !c.allowed), "role {} has no denied case", role.id());
    }
    // Every contractor of the published list: a deny, and an allow of entrusted work (or a
    // disagreement about whether that work is entrusted at all: c17).
    let catalogue = Catalogue::default_catalogue().unwrap();
    assert_eq!(catalogue.contractors.len(), 18, "業務委託先 一覧 has 18 entries");
    for k in &catalogue.contractors {
        let actor = format!("contractor:{}", k.id);
        let agreed: Vec<&Case> = CASES.iter().filter(|c| c.actor == actor).collect();
        let disputed = DISAGREEMENTS.iter().any(|c| c.actor == actor);
        assert!(agreed.iter().any(|c| !c.allowed), "{actor} has no denied case");
        assert!(agreed.iter().any(|c| c.allowed) || disputed, "{actor} has no allowed (or disputed) case");
    }
    // The rules the brief names are each exercised by some agreed case.
    let rules: BTreeSet<&str> = CASES.iter().filter_map(|c| c.rule).flat_map(|r| r.split('|')).collect();
    for r in [
        "purpose_not_in_catalogue",
        "category_not_needed_by_use",
        "export_only_for_uses_that_leave_the_society",
        "contract_not_in_force",
        "member_only_own_data_read",
        "member_reads_own_data",
        "contract_covers_use",
    ] {
        assert!(rules.contains(r), "no case asserts rule {r}");
    }
}

/// The engine's decisions carry the obligations the notice implies.
#[test]
fn obligations_follow_the_notice() {
    let d = decide_with(
        engine(),
        &Case {
            actor: "staff:health:t",
            purpose: "health.state_report",
            category: CheckupResult,
            action: Export,
            allowed: true,
            ..D
        },
    );
    // 別表2 3.「…国への報告」: a provision to the state under law is recorded (APPI Art. 29 record kept anyway).
    let p = d.obligations().and_then(|o| o.provision.clone()).expect("an export that leaves the society is recorded");
    assert!(p.counterparty.contains('国'), "counterparty {:?}", p.counterparty);
    assert_eq!(p.basis.label(), "法令");

    // 別表2 1.「…給与口座（事業主）への支払い」: the employer receives; ガイダンス lists it as 包括同意.
    let d = decide_with(
        engine(),
        &Case {
            actor: "staff:benefits:t",
            purpose: "benefits.payroll_payment",
            category: CashBenefit,
            action: Export,
            ..D
        },
    );
    let p = d.obligations().and_then(|o| o.provision.clone()).expect("recorded");
    assert!(p.counterparty.contains("事業主"), "counterparty {:?}", p.counterparty);
    assert_eq!(p.use_id, "benefits.payroll_payment");

    // Reads inside the society leave no provision record.
    let d = decide_with(
        engine(),
        &Case { actor: "staff:benefits:t", purpose: "benefits.payment", category: CashBenefit, subject: Some(7), ..D },
    );
    assert!(d.is_allowed() && d.obligations().and_then(|o| o.provision.clone()).is_none());

    // 別表2 6.「…基礎資料」: statistics need no names, so the auditor sees them masked.
    let d = decide_with(
        engine(),
        &Case { actor: "staff:auditor:t", purpose: "admin.basic_material", category: Identity, ..D },
    );
    assert!(d.is_allowed());
    assert!(
        d.obligations().map(|o| o.mask.clone()).unwrap_or_default().contains(&kenpo_domain::Field::NameKanji),
        "mask {:?}",
        d.obligations().map(|o| o.mask.clone()).unwrap_or_default()
    );

    // An entrusted export names the contractor and the basis 委託 (APPI Art. 27(5)(i)).
    let d = decide_with(
        engine(),
        &Case { actor: "contractor:c02", purpose: "analysis.entrustment", category: ReceiptCost, action: Export, ..D },
    );
    let p = d.obligations().and_then(|o| o.provision.clone()).expect("recorded");
    assert_eq!((p.counterparty.as_str(), p.basis.label()), ("(株)J M D C", "委託"));
}

// ───────────────────────── the My Number rules behind lint: catalogues that break them ─────────────────────────

/// A catalogue that breaks 番号法 (lint K004/K005) still loads, so the engine itself must refuse.
fn broken_my_number_catalogue() -> Catalogue {
    let mut c = Catalogue::default_catalogue().unwrap();
    // K004: 別表2 1.「被保険者資格の確認…」 given 個人番号 without being a 番号法 affair.
    let u = c.uses.iter_mut().find(|u| u.id == "eligibility.management").unwrap();
    u.categories.push("my_number".into());
    // K005: 業務委託先 1 given 個人番号 for 「健保運営基幹システム」 without a 番号法 contract.
    let k = c.contractors.iter_mut().find(|k| k.id == "c01").unwrap();
    assert!(!k.my_number_affair);
    k.tasks[0].categories.push("my_number".into());
    k.tasks[0].uses.push("mynumber.affairs".into());
    c
}

#[test]
fn my_number_needs_a_bangou_affair_even_if_the_catalogue_says_otherwise() {
    let engine = CatalogueEngine::new(broken_my_number_catalogue());
    // 別表2 1.【内部】「被保険者資格の確認…」 is not 「番号法に定める利用事務」 (番号法 Art. 9).
    check_with(
        &engine,
        &Case {
            actor: "staff:eligibility:t",
            purpose: "eligibility.management",
            category: MyNumber,
            subject: Some(7),
            allowed: false,
            rule: Some("my_number_only_for_bangouhou_affairs"),
            cite: "別表2 1.【内部】資格の確認 — not 番号法",
            ..D
        },
    );
    // 業務委託先 1 (株)N T Tデータ: no 番号法 entrustment (番号法 Art. 10), so no 個人番号 even for a 番号法 use.
    check_with(
        &engine,
        &Case {
            actor: "contractor:c01",
            purpose: "mynumber.affairs",
            category: MyNumber,
            allowed: false,
            rule: Some("contractor_my_number_needs_bangou_contract"),
            cite: "業務委託先 1 — no 番号法 contract",
            ..D
        },
    );
}

fn check_with(engine: &CatalogueEngine, case: &Case) {
    if let Some(m) = mismatch(case, &decide_with(engine, case)) {
        panic!("{m}");
    }
}

// ───────────────────────── disagreements with the catalogue (the lead engineer decides) ─────────────────────────

#[test]
fn resolved_c17_drug_sales_has_no_published_use() {
    check(&DISAGREEMENTS[0]);
}

#[test]
fn resolved_c11_returns_guidance_records() {
    check(&DISAGREEMENTS[1]);
}

#[test]
fn resolved_receive_linkage_use_exports() {
    check(&DISAGREEMENTS[2]);
}

#[test]
fn resolved_receive_online_use_exports() {
    check(&DISAGREEMENTS[3]);
}

#[test]
fn resolved_batch_job_reads_my_number() {
    check(&DISAGREEMENTS[4]);
}

#[test]
fn resolved_member_reads_own_receipt_diagnoses() {
    check(&DISAGREEMENTS[5]);
}

#[test]
fn resolved_notice_contractor_writes_receipts() {
    check(&DISAGREEMENTS[6]);
}

#[test]
fn resolved_auditor_writes_basic_material() {
    check(&DISAGREEMENTS[7]);
}
