//! Field positions of the records this module reads and writes, per 点数表, with sources.
//!
//! Positions are 1-based as in the spec tables: position 1 is the record identifier.
//! `min..=max` is the field count accepted when reading: `max` is the count in the current spec
//! (a longer record is an error), `min` the last position the reader needs, so that a record
//! written under an older spec, before fields were added at the end, still reads.
//!
//! Sources (keys as in `shared/reference/uke-receipt-format.md`):
//! * **医科** — \[SPEC-M\] 記録条件仕様（医科用）令和4年4月版, 第1章 3(4), read from
//!   `shared/reference/specs/shinryo-kiroku-joken-ika-R4.txt`. Verified.
//! * **歯科** — the 歯科用 記録条件仕様 itself was not read. Three independent public readers
//!   agree on every position used here except TO:
//!   (a) a TypeScript record schema transcribed, with page numbers, from 「記録条件仕様（歯科用）
//!   令和8年6月版」 (`R08bt1_3_kiroku_dental.pdf`; repository not identified, found by code
//!   search); (b) a PHP importer of dental UKE files (和暦 era; repository not identified);
//!   (c) \[GOSM\] `okayu3/gosmartana` `pkg/rece/cst.go` (HS 2–7, 10; HO 7; KO 9; RE 14, 20;
//!   IR 7; IY day 1 at 9). They show that a dental file starts with **UK** (受付情報: name,
//!   請求年月, マルチボリューム) and carries an **IR without a name before every receipt**.
//!   Dental TO is taken from (a) alone; another file of the same origin disagrees (points at
//!   9, not 13), so TO is **unverified**. Dental SI is from (a) alone.
//! * **調剤** — the 調剤用 spec was not read and no complete public layout was found. YK 3–7
//!   and CZ 3 (処方月日), 6 (調剤数量), 11 (first 点数) and IY 3 (医薬品コード), 4 (使用量)
//!   are from \[GOSM\] and agree with a Python sample generator found by code search, which is
//!   also the only source for YK 8–9 and for CZ 4 (調剤月日), 7 (負担区分), 10 (code). The
//!   調剤 RE positions 2–7 follow \[GOSM\] (種別 3, 年月 4, 氏名 5, 男女 6, 生年月日 7). Everything
//!   else about 調剤 is **unverified**; the writer writes only these positions and the reader
//!   does not bound the field count. GO is taken to be the 4-field GO of 医科 in all three
//!   (for 歯科 sources (a) and (b) agree; for 調剤 it is an assumption).

/// Accepted field counts of a record when reading.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Count {
    pub min: usize,
    /// `None` where the layout is not verified well enough to know the full count.
    pub max: Option<usize>,
}

impl Count {
    pub const fn exact(n: usize) -> Self {
        Count { min: n, max: Some(n) }
    }
    pub const fn range(min: usize, max: usize) -> Self {
        Count { min, max: Some(max) }
    }
    pub const fn at_least(min: usize) -> Self {
        Count { min, max: None }
    }
    pub fn accepts(self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }
    pub fn describe(self) -> String {
        match self.max {
            Some(max) if max == self.min => max.to_string(),
            Some(max) => format!("{}..={}", self.min, max),
            None => format!("at least {}", self.min),
        }
    }
}

/// Where the parts of a 診療行為/医薬品/特定器材 line are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineLayout {
    pub id: &'static str,
    /// Field count written (and, for verified layouts, required when reading).
    pub count: Count,
    pub written: usize,
    pub category: Option<usize>,
    pub payer: Option<usize>,
    pub code: usize,
    pub code_name: &'static str,
    pub quantity: usize,
    pub quantity_name: &'static str,
    pub points: Option<usize>,
    pub times: Option<usize>,
    /// Position of 1日の情報; days 2–31 follow.
    pub day1: Option<usize>,
}

/// Field positions of RE/HO that differ between 点数表.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReceiptLayout {
    pub re: Count,
    pub re_written: usize,
    pub admission: Option<usize>,
    /// 歯科 入院外: 診療開始日 and 転帰区分 of the receipt (HS carries them for 入院).
    pub re_start_date: Option<usize>,
    pub re_outcome: Option<usize>,
    pub search_number: Option<usize>,
    pub kana: Option<usize>,
    pub ho: Count,
    pub ho_written: usize,
    pub meal_amount: Option<usize>,
    pub patient_charge: Option<usize>,
    pub ko: Count,
    /// 調剤 RE: first of 都道府県番号, 点数表, 医療機関コード, 医療機関名称 of the prescriber.
    pub prescriber: Option<usize>,
}

pub(crate) const SN: Count = Count::range(3, 9);
pub(crate) const SN_WRITTEN: usize = 9;
pub(crate) const SN_BRANCH: usize = 7;
pub(crate) const GO: Count = Count::range(3, 4);

// Widths of the numeric fields (記録条件仕様 医科 R4, 最大バイト; taken for 歯科 and 調剤 too,
// whose specs were not read): every amount is bounded at the boundary, so no sum over a file or
// a household can come near i64's range (10^9 yen × 10^6 receipts < 9.2 × 10^18).
/// HO / KO 合計点数 N8.
pub(crate) const WIDTH_TOTAL_POINTS: usize = 8;
/// HO 負担金額（医療保険）N9 (円).
pub(crate) const WIDTH_PATIENT_CHARGE: usize = 9;
/// HO 食事療養・生活療養 合計金額 N8 (円).
pub(crate) const WIDTH_MEAL_AMOUNT: usize = 8;
/// SI / IY / TO 点数 N7.
pub(crate) const WIDTH_LINE_POINTS: usize = 7;
/// SI / IY / TO 回数 N3, and each day's 算定回数 N3.
pub(crate) const WIDTH_TIMES: usize = 3;
/// GO 総件数 N6.
pub(crate) const WIDTH_GO_COUNT: usize = 6;
/// GO 総合計点数 N10.
pub(crate) const WIDTH_GO_POINTS: usize = 10;

pub(crate) mod medical {
    use super::*;

    /// IR: 2 審査支払機関, 3 都道府県, 4 点数表, 5 医療機関コード, 6 予備, 7 医療機関名称,
    /// 8 請求年月, 9 マルチボリューム識別情報, 10 電話番号.
    pub const IR: Count = Count::range(8, 10);
    pub const IR_WRITTEN: usize = 10;

    pub const RECEIPT: ReceiptLayout = ReceiptLayout {
        // RE: 2 番号, 3 種別, 4 診療年月, 5 氏名, 6 男女, 7 生年月日, 8 給付割合, 9 入院年月日,
        // …, 19 検索番号, …, 37 カタカナ（氏名）, 38 患者の状態.
        re: Count::range(7, 38),
        re_written: 38,
        admission: Some(9),
        re_start_date: None,
        re_outcome: None,
        search_number: Some(19),
        kana: Some(37),
        // HO: 2 保険者番号, 3 記号, 4 番号, 5 診療実日数, 6 合計点数, 7 予備, 8 食事回数,
        // 9 食事合計金額, 10 職務上の事由, 11 証明書番号, 12 負担金額, 13–15 減免.
        ho: Count::range(6, 15),
        ho_written: 15,
        meal_amount: Some(9),
        patient_charge: Some(12),
        // KO: 2 負担者番号, 3 受給者番号, 4 任意給付区分, 5 実日数, 6 合計点数, … 12.
        prescriber: None,
        ko: Count::range(6, 12),
    };

    /// SY: 2 傷病名コード, 3 診療開始日, 4 転帰区分, 5 修飾語コード, 6 傷病名称, 7 主傷病,
    /// 8 補足コメント.
    pub const SY: Count = Count::range(4, 8);
    pub const SY_WRITTEN: usize = 8;

    /// SI: 2 診療識別, 3 負担区分, 4 診療行為コード, 5 数量データ, 6 点数, 7 回数,
    /// 8–13 コメント×3, 14–44 1〜31日の情報.
    pub const SI: LineLayout = LineLayout {
        id: "SI",
        count: Count::exact(44),
        written: 44,
        category: Some(2),
        payer: Some(3),
        code: 4,
        code_name: "診療行為コード",
        quantity: 5,
        quantity_name: "数量データ",
        points: Some(6),
        times: Some(7),
        day1: Some(14),
    };
    /// IY: as SI with 4 医薬品コード, 5 使用量.
    pub const IY: LineLayout =
        LineLayout { id: "IY", code_name: "医薬品コード", quantity_name: "使用量", ..SI };
    /// TO: 4 特定器材コード, 5 使用量, 6 点数, 7 回数, 8 単位コード, 9 単価, 10 予備,
    /// 11 商品名, 12–17 コメント×3, 18–48 days.
    pub const TO: LineLayout = LineLayout {
        id: "TO",
        count: Count::exact(48),
        written: 48,
        code_name: "特定器材コード",
        quantity_name: "使用量",
        day1: Some(18),
        ..SI
    };

    /// Records of the spec that hold nothing this module keeps, with their field counts.
    pub const SKIPPED: &[(&str, Count)] = &[
        ("JD", Count::range(2, 33)),
        ("MF", Count::range(2, 33)),
        ("GR", Count::range(2, 3)),
        ("CO", Count::range(4, 5)),
        ("SJ", Count::range(2, 3)),
    ];
}

pub(crate) mod dental {
    use super::*;

    /// UK (受付情報, file head): 2 審査支払機関, 3 都道府県, 4 点数表, 5 医療機関コード, 6 予備,
    /// 7 医療機関名称, 8 請求年月, 9 届出, 10 マルチボリューム識別情報.
    pub const UK: Count = Count::range(8, 10);
    pub const UK_WRITTEN: usize = 10;
    /// IR (before every receipt): 2 審査支払機関, 3 都道府県, 4 点数表, 5 医療機関コード,
    /// 6 予備, 7 請求年月, 8 電話番号, 9 届出.
    pub const IR: Count = Count::range(7, 9);
    pub const IR_WRITTEN: usize = 9;

    pub const RECEIPT: ReceiptLayout = ReceiptLayout {
        // RE: 2 番号, 3 種別, 4 診療年月, 5 氏名, 6 男女, 7 生年月日, 8 給付割合, 9 入院年月日,
        // 10 診療開始日, 11 転帰区分, 12 病棟区分, 13 負担区分, 14 特記事項, 15 予備,
        // 16 カルテ番号, 17 請求情報1, 18 予備, 19 未来院請求, 20 検索番号, 21 予備,
        // 22 請求情報2, 23–25 予備, 26 カタカナ（氏名）, 27 患者の状態.
        re: Count::range(7, 27),
        re_written: 27,
        admission: Some(9),
        re_start_date: Some(10),
        re_outcome: Some(11),
        search_number: Some(20),
        kana: Some(26),
        // HO: as 医科 without the 予備 at 7: 7 食事回数, 8 食事合計金額, 9 職務上の事由,
        // 10 証明書番号, 11 負担金額, 12–14 減免.
        ho: Count::range(6, 14),
        ho_written: 14,
        meal_amount: Some(8),
        patient_charge: Some(11),
        prescriber: None,
        ko: Count::range(6, 10),
    };

    /// HS: 2 診療開始日, 3 転帰区分, 4 歯式コード, 5 傷病名コード, 6 修飾語コード, 7 傷病名称,
    /// 8 併存傷病名数, 9 病態移行, 10 主傷病, 11 コメントコード, 12 補足コメント,
    /// 13 歯式コード（補足コメント）.
    pub const HS: Count = Count::range(5, 13);
    pub const HS_WRITTEN: usize = 13;

    /// SS: 2 診療識別, 3 負担区分, 4 診療行為コード, 5 数量データ1, 6 数量データ2,
    /// 7–76 加算コード/加算数量データ ×35, 77 点数, 78 回数, 79–109 days.
    pub const SS: LineLayout = LineLayout {
        id: "SS",
        count: Count::exact(109),
        written: 109,
        category: Some(2),
        payer: Some(3),
        code: 4,
        code_name: "診療行為コード",
        quantity: 5,
        quantity_name: "数量データ1",
        points: Some(77),
        times: Some(78),
        day1: Some(79),
    };
    /// SI (医科診療行為 in a dental receipt): 5 数量データ, 6 点数, 7 回数, 8–38 days.
    pub const SI: LineLayout = LineLayout {
        id: "SI",
        count: Count::exact(38),
        written: 38,
        quantity_name: "数量データ",
        points: Some(6),
        times: Some(7),
        day1: Some(8),
        ..SS
    };
    /// IY: 4 医薬品コード, 5 使用量, 6 点数, 7 回数, 8 (医薬品区分 per source (a)), 9–39 days.
    pub const IY: LineLayout = LineLayout {
        id: "IY",
        count: Count::exact(39),
        written: 39,
        code_name: "医薬品コード",
        quantity_name: "使用量",
        points: Some(6),
        times: Some(7),
        day1: Some(9),
        ..SS
    };
    /// TO (unverified, see the module doc): 4 特定器材コード, 5 使用量, 6 単位コード, 7 単価,
    /// 8–11 特定器材加算等 ×2, 12 商品名, 13 点数, 14 回数, 15–45 days.
    pub const TO: LineLayout = LineLayout {
        id: "TO",
        count: Count::exact(45),
        written: 45,
        code_name: "特定器材コード",
        quantity_name: "使用量",
        points: Some(13),
        times: Some(14),
        day1: Some(15),
        ..SS
    };

    pub const SKIPPED: &[(&str, Count)] = &[
        ("JD", Count::range(2, 33)),
        ("MF", Count::range(2, 33)),
        ("CO", Count::range(4, 11)),
        ("SJ", Count::range(2, 3)),
    ];
}

pub(crate) mod pharmacy {
    use super::*;

    /// YK: 2 審査支払機関, 3 都道府県, 4 点数表 (4), 5 薬局コード, 6 薬局名称, 7 請求年月,
    /// 8 マルチボリューム識別情報, 9 電話番号 (8–9 from one source only).
    pub const YK: Count = Count::range(7, 9);
    pub const YK_WRITTEN: usize = 9;

    /// Only RE 2–7, RE 10–13 (the prescriber: 都道府県, 点数表, 医療機関コード, 名称 — from
    /// \[GOSM\] `RREprfPha`…`RREirnamePha` alone) and HO 2–6 are known; nothing else is read
    /// or written.
    pub const RECEIPT: ReceiptLayout = ReceiptLayout {
        re: Count::at_least(7),
        re_written: 13,
        admission: None,
        re_start_date: None,
        re_outcome: None,
        search_number: None,
        kana: None,
        ho: Count::at_least(6),
        ho_written: 6,
        meal_amount: None,
        patient_charge: None,
        prescriber: Some(10),
        ko: Count::at_least(6),
    };

    /// SH (処方基本): 2 処方番号 per \[GOSM\]; not interpreted.
    pub const SH: Count = Count::at_least(2);
    pub const SH_WRITTEN: usize = 2;

    /// CZ, minimal: 4 調剤月日, 6 調剤数量, 7 負担区分, 10 調剤行為コード, 11 点数.
    pub const CZ: LineLayout = LineLayout {
        id: "CZ",
        count: Count::at_least(11),
        written: 11,
        category: None,
        payer: Some(7),
        code: 10,
        code_name: "調剤行為コード",
        quantity: 6,
        quantity_name: "調剤数量",
        points: Some(11),
        times: None,
        day1: None,
    };
    pub const CZ_DISPENSED_ON: usize = 4;

    /// IY, minimal: 3 医薬品コード, 4 使用量.
    pub const IY: LineLayout = LineLayout {
        id: "IY",
        count: Count::at_least(4),
        written: 4,
        category: None,
        payer: None,
        code: 3,
        code_name: "医薬品コード",
        quantity: 4,
        quantity_name: "使用量",
        points: None,
        times: None,
        day1: None,
    };

    /// Records known from the reference's record list whose layout is unknown: skipped
    /// without a field-count check.
    pub const SKIPPED: &[(&str, Count)] = &[
        ("JD", Count::at_least(2)),
        ("MF", Count::at_least(2)),
        ("CO", Count::at_least(2)),
        ("TK", Count::at_least(2)),
        ("KI", Count::at_least(2)),
        ("ST", Count::at_least(2)),
    ];
}

/// DPC-only records (\[MEDD\] `include/rezept_dpc.hrl`): skipped, and mark the receipt as DPC.
pub(crate) const DPC_RECORDS: &[&str] = &["BU", "SB", "KK", "SK", "GA", "HH", "GT", "CD"];

/// 負担区分 codes (別表21) in which 医療保険 has points: the lines HO 合計点数 adds up.
pub(crate) const HEALTH_INSURANCE_PAYER_CODES: &[&str] =
    &["1", "2", "3", "E", "G", "4", "M", "N", "O", "P", "Q", "V", "W", "X", "Y", "9"];
