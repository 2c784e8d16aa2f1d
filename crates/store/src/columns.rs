//! Where each field of [`kenpo_domain::Field`] is stored. The category of a field is decided in
//! the domain crate alone; this table only says which columns hold it, so that export, erasure
//! and the disclosure report can find every stored value of a category. A test checks that
//! every field has a column and every listed column exists on both backends.

use kenpo_domain::Field;

/// (table, column) pairs holding the field.
pub fn columns_of(field: Field) -> &'static [(&'static str, &'static str)] {
    match field {
        Field::InsurerNumber => {
            &[("persons", "insurer_number"), ("receipts", "insurer_number"), ("checkups", "insurer_number")]
        }
        Field::CardSymbol => &[
            ("persons", "card_symbol"),
            ("receipts", "card_symbol"),
            ("checkups", "card_symbol"),
            ("card_history", "card_symbol"),
        ],
        Field::CardNumber => &[
            ("persons", "card_number"),
            ("receipts", "card_number"),
            ("checkups", "card_number"),
            ("card_history", "card_number"),
        ],
        Field::CardBranch => &[
            ("persons", "card_branch"),
            ("receipts", "card_branch"),
            ("checkups", "card_branch"),
            ("card_history", "card_branch"),
        ],
        Field::PersonKind => &[("persons", "kind"), ("eligibility_periods", "kind")],
        Field::NameKanji => &[("persons", "name_kanji"), ("receipts", "patient_name"), ("name_history", "name_kanji")],
        Field::NameKana => &[
            ("persons", "name_kana"),
            ("receipts", "patient_kana"),
            ("checkups", "name_kana"),
            ("name_history", "name_kana"),
        ],
        Field::BirthDate => {
            &[("persons", "birth_date"), ("receipts", "patient_birth_date"), ("checkups", "birth_date")]
        }
        Field::Sex => &[("persons", "sex"), ("receipts", "patient_sex"), ("checkups", "sex")],
        Field::MyNumber => &[("my_numbers", "ciphertext"), ("my_numbers", "blind_index")],
        Field::AcquiredOn => &[("eligibility_periods", "acquired_on")],
        Field::AcquisitionReason => &[("eligibility_periods", "acquisition_reason")],
        Field::LostOn => &[("eligibility_periods", "lost_on"), ("eligibility_events", "effective_on")],
        Field::LossReason => &[("eligibility_periods", "loss_reason"), ("eligibility_events", "reason")],
        Field::Employer => &[("persons", "employer_code"), ("employer_history", "employer_code")],
        Field::HasDependants => &[("persons", "insured_id"), ("dependency_history", "insured_id")],
        Field::StandardMonthlyRemuneration => &[
            ("standard_remuneration", "grade"),
            ("standard_remuneration", "monthly_amount"),
            ("remuneration_determinations", "monthly_amount"),
            ("remuneration_determinations", "average"),
            ("remuneration_determinations", "months"),
            ("premium_charges", "base"),
        ],
        Field::StandardBonus => &[("bonuses", "amount"), ("bonuses", "standard_amount")],
        Field::AnnualIncome => &[("dependants", "annual_income")],
        Field::Relationship => &[("dependants", "relationship"), ("dependency_history", "relationship")],
        Field::Cohabiting => &[("dependants", "cohabiting")],
        Field::PostalCode => {
            &[("contacts", "postal_code"), ("checkups", "postal_code"), ("address_history", "postal_code")]
        }
        Field::Address => &[("contacts", "address"), ("checkups", "address"), ("address_history", "address")],
        Field::Phone => &[("contacts", "phone")],
        Field::ReceiptServiceMonth => &[("receipts", "service_month")],
        Field::ReceiptServiceDays => &[("receipts", "days"), ("receipts", "admission_date")],
        Field::ReceiptInstitution => {
            &[("receipts", "institution_code"), ("receipts", "institution_name"), ("receipts", "institution_address")]
        }
        Field::ReceiptSetting => &[("receipts", "setting"), ("receipts", "kind"), ("receipts", "receipt_type")],
        Field::ReceiptPoints => &[("receipts", "total_points"), ("receipts", "meal_amount")],
        Field::ReceiptPatientCharge => &[
            ("receipts", "patient_charge"),
            ("receipt_corrections", "charge_before"),
            ("receipt_corrections", "charge_after"),
        ],
        Field::ReceiptDiagnosis => &[
            ("receipt_diagnoses", "code"),
            ("receipt_diagnoses", "name"),
            ("receipt_diagnoses", "start_date"),
            ("receipt_diagnoses", "outcome"),
        ],
        Field::ReceiptServiceLine => &[
            ("receipt_lines", "code"),
            ("receipt_lines", "points"),
            ("receipt_lines", "count"),
            ("receipt_lines", "service_days"),
            ("receipt_corrections", "code"),
            ("receipt_corrections", "points_before"),
            ("receipt_corrections", "points_after"),
        ],
        Field::BenefitKind => &[("cash_benefits", "kind")],
        Field::BenefitPeriod => &[("cash_benefits", "period_from"), ("cash_benefits", "period_to")],
        Field::BenefitStatus => &[("cash_benefits", "status"), ("cash_benefits", "received_on")],
        Field::BenefitAmounts => &[("cash_benefits", "claimed_amount"), ("cash_benefits", "decided_amount")],
        Field::BenefitPayDuringPeriod => &[("cash_benefits", "pay_during_period")],
        Field::BenefitPension => &[("cash_benefits", "pension_amount")],
        Field::BenefitDaysWorked => &[("cash_benefits", "days_worked")],
        Field::BenefitEventDate => &[("cash_benefits", "event_date")],
        Field::BenefitClaimant => &[("cash_benefits", "claimant")],
        Field::BenefitDiagnosis => &[("cash_benefits", "diagnosis")],
        Field::BenefitClinicalNote => &[("cash_benefits", "clinical_note")],
        Field::CheckupDate => &[("checkups", "exam_date")],
        Field::CheckupInstitution => {
            &[("checkups", "institution_code"), ("checkups", "institution_name"), ("checkups", "institution_address")]
        }
        Field::CheckupResultValue => {
            &[("checkup_results", "item_code"), ("checkup_results", "value"), ("checkup_results", "unit")]
        }
        Field::GuidanceLevel => &[("guidance", "level")],
        Field::GuidancePlan => &[("guidance", "plan"), ("guidance", "started_on")],
        Field::GuidanceOutcome => &[("guidance", "outcome"), ("guidance", "evaluated_on"), ("guidance", "contractor")],
    }
}
