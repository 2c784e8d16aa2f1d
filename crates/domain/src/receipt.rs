//! レセプト (診療報酬明細書) as the society holds it, independent of the file format.

use crate::{YearMonth, Yen};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 点数表 / kind of receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReceiptKind {
    /// 医科 (出来高).
    Medical,
    /// 医科 DPC (包括).
    Dpc,
    /// 歯科.
    Dental,
    /// 調剤.
    Pharmacy,
}

impl ReceiptKind {
    pub fn code(self) -> &'static str {
        match self {
            ReceiptKind::Medical => "medical",
            ReceiptKind::Dpc => "dpc",
            ReceiptKind::Dental => "dental",
            ReceiptKind::Pharmacy => "pharmacy",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Medical, Self::Dpc, Self::Dental, Self::Pharmacy].into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ReceiptKind::Medical => "医科",
            ReceiptKind::Dpc => "DPC",
            ReceiptKind::Dental => "歯科",
            ReceiptKind::Pharmacy => "調剤",
        }
    }
}

/// 入院 / 入院外.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CareSetting {
    Inpatient,
    Outpatient,
}

impl CareSetting {
    pub fn code(self) -> &'static str {
        match self {
            CareSetting::Inpatient => "inpatient",
            CareSetting::Outpatient => "outpatient",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "inpatient" => Some(CareSetting::Inpatient),
            "outpatient" => Some(CareSetting::Outpatient),
            _ => None,
        }
    }
    /// From the last digit of レセプト種別 (別表5): odd = 入院, even (incl. 0) = 入院外.
    pub fn from_receipt_type(code: &str) -> Option<Self> {
        let last = code.as_bytes().get(3)?;
        if !last.is_ascii_digit() {
            return None;
        }
        Some(if (last - b'0') % 2 == 1 { CareSetting::Inpatient } else { CareSetting::Outpatient })
    }
}

/// 医療機関 / 薬局 as named in the receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    /// 医療機関コード (7 digits).
    pub code: String,
    /// 都道府県番号 (2 digits).
    pub prefecture: u8,
    pub name: String,
    /// 所在地 (carried by the insurer-side delivery's MN record; absent in raw UKE).
    pub address: Option<String>,
}

/// 傷病名 (SY / HS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// 傷病名コード (7 digits, `0000999` = 未コード化).
    pub code: String,
    /// 傷病名称 (written only for 未コード化 in the file; may be filled from the master).
    pub name: Option<String>,
    pub start_date: NaiveDate,
    /// 転帰区分: 1 継続, 2 治ゆ, 3 死亡, 4 中止.
    pub outcome: u8,
    pub main: bool,
    /// 修飾語コード, concatenated 4-digit codes.
    pub modifiers: String,
}

/// Which record a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineKind {
    /// 診療行為 (SI; 歯科 SS; 調剤 CZ).
    Procedure,
    /// 医薬品 (IY).
    Drug,
    /// 特定器材 (TO).
    Material,
}

impl LineKind {
    pub fn code(self) -> &'static str {
        match self {
            LineKind::Procedure => "SI",
            LineKind::Drug => "IY",
            LineKind::Material => "TO",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "SI" => Some(LineKind::Procedure),
            "IY" => Some(LineKind::Drug),
            "TO" => Some(LineKind::Material),
            _ => None,
        }
    }
}

/// One 診療行為/医薬品/特定器材 line, with its 診療識別 resolved (inherited when blank).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub kind: LineKind,
    /// 診療識別 (別表20), two digits.
    pub care_category: String,
    /// 負担区分 (別表21).
    pub payer_code: String,
    /// 9-digit master code.
    pub code: String,
    /// 数量データ / 使用量 as written (decimal text, may be empty).
    pub quantity: String,
    /// 点数, written only on the last line of a 算定単位 group.
    pub points: Option<i64>,
    /// 回数.
    pub count: u32,
    /// Days of the month (1-31) on which it was given.
    pub service_days: Vec<u8>,
}

/// One receipt: header (RE/HO/IR) and its lines.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub kind: ReceiptKind,
    pub setting: CareSetting,
    /// レセプト種別 (別表5), 4 digits.
    pub receipt_type: String,
    pub service_month: YearMonth,
    pub institution: Institution,
    pub patient_name: String,
    pub patient_name_kana: String,
    pub sex: crate::person::Sex,
    pub birth_date: NaiveDate,
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<u8>,
    pub admission_date: Option<NaiveDate>,
    /// 診療実日数.
    pub days: u32,
    /// 合計点数 (医療保険).
    pub total_points: i64,
    /// 負担金額 (医療保険), yen; recorded only when needed (see the reference, §10).
    pub patient_charge: Option<Yen>,
    /// 食事療養・生活療養 合計金額, yen.
    pub meal_amount: Option<Yen>,
    /// 検索番号 assigned by 審査支払機関.
    pub search_number: Option<String>,
    /// 調剤: the institution that wrote the prescription (処方箋発行保険医療機関); its 高額療養費
    /// unit absorbs this receipt and 突合 looks for its 医科 receipt.
    pub prescriber: Option<Institution>,
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<ReceiptLine>,
    /// What the 審査支払機関's delivery adds (`None` for a receipt read from a raw UKE). The
    /// fields above hold the receipt as corrected; the corrections say what it was before.
    pub delivery: Option<DeliveryInfo>,
}

/// What an insurer-side delivery (レセ電コード情報ファイル) says of one receipt beyond the
/// claim: its identity at the 審査支払機関 and the corrections (補正) its review made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    /// MN レセプト管理番号.
    pub management_number: String,
    /// 処理年月: the month of the delivery (from the folder it was filed in), when known.
    pub processing_month: Option<YearMonth>,
    /// What the EX (審査運用) records say.
    pub review: ReviewOperation,
    /// RC 管理情報: the 審査支払機関's own identification of the receipt, as given.
    pub record_control: Vec<String>,
    /// The JY 補正 applied, in file order.
    pub corrections: Vec<Correction>,
}

/// The EX 審査運用 record of a delivery: how the 審査支払機関 handled the receipt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOperation {
    /// 振替先保険者番号: the receipt was re-routed to this insurer.
    pub transferred_to: Option<String>,
    /// 単独請求分レセプト区分: a combined claim whose 公費 came to nothing, billed to 医療保険 alone.
    pub sole_claim: bool,
    /// 医療費通知対象レセプト区分: the receipt is in scope of the 医療費通知.
    pub medical_notice: bool,
    /// Examined by the 特別審査委員会.
    pub special_committee: bool,
    /// 添付文書情報: the institution sent documents on paper.
    pub attachments: bool,
}

/// 補正区分 of a JY record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CorrectionKind {
    /// 1 追加: a record the claim did not have.
    Added,
    /// 2 修正: a claim record replaced by another.
    Modified,
    /// 3 削除: a claim record removed.
    Deleted,
}

impl CorrectionKind {
    /// The 補正区分 code (1, 2, 3).
    pub fn code(self) -> u8 {
        match self {
            CorrectionKind::Added => 1,
            CorrectionKind::Modified => 2,
            CorrectionKind::Deleted => 3,
        }
    }
    pub fn from_code(code: u8) -> Option<Self> {
        [Self::Added, Self::Modified, Self::Deleted].into_iter().find(|k| k.code() == code)
    }
    /// Japanese label for staff.
    pub fn label(self) -> &'static str {
        match self {
            CorrectionKind::Added => "追加",
            CorrectionKind::Modified => "修正",
            CorrectionKind::Deleted => "削除",
        }
    }
}

/// One JY 補正 as applied: which claim record, why, and what it changed in points and yen.
/// Holds no name, card or date, so its derived `Debug` is safe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub kind: CorrectionKind,
    /// Identifier of the record corrected (`HO`, `SI`, `IY`…).
    pub record: String,
    /// 行番号 and 枝番号 of the claim record (for 追加: of the record the new one follows).
    pub row: u32,
    pub branch: u32,
    /// 行番号 and 枝番号 of the record that replaces it or is added (修正, 追加).
    pub new_row: Option<u32>,
    pub new_branch: Option<u32>,
    /// 事由コード (A–D and others: why the 審査支払機関 changed it); empty when the change only
    /// follows from another (e.g. HO 合計点数 after a line was removed).
    pub reason: String,
    /// 事由対象項目番号 as written (positions of the fields concerned).
    pub fields: String,
    /// For a line record (SI, IY, TO…): its code (診療行為・医薬品・特定器材), before or, for
    /// 追加, after.
    pub code: Option<String>,
    /// Points the record stood for, before and after: a line's 点数 × 回数, HO's or KO's 合計点数.
    pub points_before: Option<i64>,
    pub points_after: Option<i64>,
    /// HO 負担金額（医療保険）, yen, before and after (HO corrections only).
    pub charge_before: Option<Yen>,
    pub charge_after: Option<Yen>,
}

impl Receipt {
    /// 総医療費 in yen at 10 円/点 (no 割引点数単価).
    pub fn total_cost(&self) -> Yen {
        self.total_points * 10
    }
    /// Sum of the points written on the lines (what HO 合計点数 should equal, 医科 出来高).
    pub fn line_points(&self) -> i64 {
        self.lines.iter().filter_map(|l| l.points.map(|p| p * l.count as i64)).sum()
    }
}

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No patient name, birth date or card number in debug output.
        write!(
            f,
            "Receipt {{ kind: {:?}, month: {}, institution: {}, points: {}, lines: {} }}",
            self.kind,
            self.service_month,
            self.institution.code,
            self.total_points,
            self.lines.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_from_receipt_type() {
        // 別表5: 1112 医科・医保・単独・本人入院外; 1111 本人入院; 1110 高齢7割 入院外.
        assert_eq!(CareSetting::from_receipt_type("1112"), Some(CareSetting::Outpatient));
        assert_eq!(CareSetting::from_receipt_type("1111"), Some(CareSetting::Inpatient));
        assert_eq!(CareSetting::from_receipt_type("1110"), Some(CareSetting::Outpatient));
        assert_eq!(CareSetting::from_receipt_type("11"), None);
    }
}
