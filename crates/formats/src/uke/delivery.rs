//! The insurer-side delivery (レセ電コード情報ファイル): what the 審査支払機関 sends a 保険者.
//!
//! Every record carries three prefix columns (データ識別, 行番号, 枝番号) and each receipt is one
//! block that starts with an MN record. Inside a block, the records of the claim as the
//! institution filed it have データ識別 1; the 審査支払機関's corrections follow with データ識別 2:
//! the replacement records themselves, one JY record per correction saying what it does (補正区分
//! 1 追加, 2 修正, 3 削除; which claim record by its 行番号・枝番号; 事由コード; the 行番号・枝番号
//! of the replacement), then EX (審査運用) and RC (レコード管理) records. See README "Receipts"
//! for the sources of this layout.
//!
//! [`apply`] turns one block into the records of the receipt as corrected, in claim order, and a
//! [`DeliveryInfo`] that keeps what each correction changed (the record, its reason, points and
//! 負担金額 before and after). Anything it cannot place — a JY naming a record that is not
//! there, a replacement no JY uses, a record corrected twice — refuses the file: a correction
//! applied to the wrong record would change money.

use super::error::UkeError;
use super::fields::At;
use super::layout::{self, LineLayout};
use super::records::UkeRecord;
use kenpo_domain::YearMonth;
use kenpo_domain::era::parse_receipt_month;
use kenpo_domain::receipt::{Correction, CorrectionKind, DeliveryInfo, ReviewOperation};
use std::collections::{HashMap, HashSet};

/// Records a block may hold: a bound on memory for a file without MN records (a receipt of a
/// long inpatient stay has a few thousand lines).
pub(crate) const MAX_BLOCK_RECORDS: usize = 100_000;

/// Record identifiers that belong to the delivery, not to the claim.
pub(crate) const DELIVERY_RECORDS: &[&str] = &["MN", "JY", "EX", "RC", "ON"];

/// One MN block as read: the MN record and everything up to the next MN.
pub(crate) struct Block {
    pub mn: UkeRecord,
    pub records: Vec<UkeRecord>,
}

/// A block with its corrections applied.
pub(crate) struct Applied {
    /// The claim's records as corrected (データ識別 1 records, with 修正 replacements in their
    /// place, 削除 ones gone, 追加 ones after the record they follow), in claim order.
    pub records: Vec<UkeRecord>,
    pub info: DeliveryInfo,
    /// MN 検索番号.
    pub search_number: Option<String>,
    /// MN 保険医療機関の所在地.
    pub address: Option<String>,
}

/// Where the figures of the records a correction may touch are.
pub(crate) struct Figures<'a> {
    /// HO 負担金額（医療保険） position.
    pub patient_charge: Option<usize>,
    /// The line layout of a record identifier (SI, IY, TO, SS, CZ…), if it is a line.
    pub line: &'a dyn Fn(&str) -> Option<&'static LineLayout>,
}

type Key = (u32, u32);

fn key(file: &str, rec: &UkeRecord) -> Result<Key, UkeError> {
    let at = At { file, rec };
    let prefix = rec.prefix.as_ref().ok_or_else(|| at.structure("a delivery record without its prefix columns"))?;
    let row = prefix.row.parse::<u32>().map_err(|_| at.structure("行番号 is not a number of up to 9 digits"))?;
    let branch = prefix.branch.parse::<u32>().map_err(|_| at.structure("枝番号 is not a number of up to 9 digits"))?;
    Ok((row, branch))
}

fn data_kind(rec: &UkeRecord) -> &str {
    rec.prefix.as_ref().map(|p| p.data_kind.as_str()).unwrap_or("")
}

/// 行番号・枝番号 in a JY field pair; both required.
fn jy_key(at: &At, row: usize, branch: usize, what: &'static str) -> Result<Key, UkeError> {
    let r = at.opt_u32(row, what, 9)?.ok_or_else(|| at.error(row, what, "required, found nothing".into()))?;
    let b = at.opt_u32(branch, "枝番号", 9)?.unwrap_or(0);
    Ok((r, b))
}

/// The MN record: 2 レセプト管理番号, 3 保険医療機関の所在地, 4 検索番号.
fn read_mn(at: &At) -> Result<(String, Option<String>), UkeError> {
    let number = at.text(2);
    if number.is_empty() || number.len() > 16 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(at.error(2, "レセプト管理番号", "expected 1 to 16 digits".into()));
    }
    let search = at.text(4);
    if search.len() > 30 || !search.bytes().all(|b| b.is_ascii_digit()) {
        return Err(at.error(4, "検索番号", "expected up to 30 digits".into()));
    }
    Ok((number.to_string(), (!search.is_empty()).then(|| search.to_string())))
}

/// What a record stood for in money: (line code, points, HO 負担金額).
type Money = (Option<String>, Option<i64>, Option<i64>);

fn figures(at: &At, f: &Figures) -> Result<Money, UkeError> {
    let id = at.rec.id();
    if id == "HO" {
        let points = at.opt_number(6, "合計点数", layout::WIDTH_TOTAL_POINTS)?;
        let charge = match f.patient_charge {
            Some(p) => at.opt_number(p, "負担金額（医療保険）", layout::WIDTH_PATIENT_CHARGE)?,
            None => None,
        };
        return Ok((None, points, charge));
    }
    if id == "KO" {
        return Ok((None, at.opt_number(6, "合計点数", layout::WIDTH_TOTAL_POINTS)?, None));
    }
    let Some(l) = (f.line)(id) else {
        return Ok((None, None, None));
    };
    let code = at.opt_text(l.code);
    let points = match l.points {
        Some(p) => at.opt_signed(p, "点数", layout::WIDTH_LINE_POINTS)?,
        None => None,
    };
    let times = match l.times {
        Some(p) => at.opt_u32(p, "回数", layout::WIDTH_TIMES)?.unwrap_or(1),
        None => 1,
    };
    let total = match points {
        Some(p) => Some(
            p.checked_mul(i64::from(times))
                .ok_or_else(|| at.error(l.points.unwrap_or(0), "点数", "点数 × 回数 is out of range".into()))?,
        ),
        None => None,
    };
    Ok((code, total, None))
}

/// 処理年月 from where the delivery was filed: the 支払基金's download puts each month's files
/// under `…/YYYYMM/<保険者番号 8 digits>/…` (neither MN nor EX carries it). `None` when the path
/// does not say.
pub(crate) fn processing_month_of(path: &str) -> Option<YearMonth> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    parts.windows(2).rev().find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(w[0], 6) && digits(w[1], 8)) {
            return None;
        }
        let (year, month) = parse_receipt_month(w[0]).ok()?;
        YearMonth::new(year, month)
    })
}

/// The EX record (審査運用): 2 振替先保険者番号, 3–6 振替先公費負担者番号, 7 高額療養費金額 (to
/// 2007-03 only), 8 単独請求分レセプト区分, 9 医療費通知対象レセプト区分, 10 特別審査委員会,
/// 11 its 処理年月, 12 添付文書情報, 13 審査支払機関使用欄 (opaque, not kept). Continuation
/// records carry only field 13.
fn review_operation(file: &str, ex: &[UkeRecord]) -> Result<ReviewOperation, UkeError> {
    let mut op = ReviewOperation::default();
    for rec in ex {
        let at = At { file, rec };
        let flag = |p: usize, name: &'static str| -> Result<bool, UkeError> {
            match at.text(p) {
                "" | "0" => Ok(false),
                "1" => Ok(true),
                _ => Err(at.error(p, name, "expected 1 or nothing".into())),
            }
        };
        let insurer = at.text(2);
        if !insurer.is_empty() {
            if insurer.len() > 8 || !insurer.bytes().all(|b| b.is_ascii_digit() || b == b' ') {
                return Err(at.error(2, "振替先保険者番号", "expected up to 8 digits".into()));
            }
            op.transferred_to = Some(insurer.trim().to_string());
        }
        op.sole_claim |= flag(8, "単独請求分レセプト区分")?;
        op.medical_notice |= flag(9, "医療費通知対象レセプト区分")?;
        op.special_committee |= flag(10, "特別審査委員会")?;
        op.attachments |= flag(12, "添付文書情報")?;
    }
    Ok(op)
}

/// Applies a block's JY records to its claim records. `processing_month` is the delivery's
/// (from its folder, [`processing_month_of`]).
pub(crate) fn apply(
    file: &str,
    block: Block,
    f: &Figures,
    processing_month: Option<YearMonth>,
) -> Result<Applied, UkeError> {
    let mn_at = At { file, rec: &block.mn };
    let (management_number, search_number) = read_mn(&mn_at)?;
    mn_at.max_bytes(3, "保険医療機関の所在地", 80)?;
    let address = mn_at.opt_text(3);

    // The claim's records in order, and the correction records by 行番号・枝番号.
    let mut claim: Vec<(Key, Option<UkeRecord>)> = Vec::new();
    let mut claim_index: HashMap<Key, usize> = HashMap::new();
    let mut replacements: HashMap<Key, UkeRecord> = HashMap::new();
    let mut jy: Vec<UkeRecord> = Vec::new();
    let mut ex: Vec<UkeRecord> = Vec::new();
    let mut record_control: Vec<String> = Vec::new();
    for rec in block.records {
        let at = At { file, rec: &rec };
        match rec.id() {
            "JY" => jy.push(rec),
            "EX" => ex.push(rec),
            "RC" => {
                // 管理情報 (A100): the 審査支払機関's identification of the receipt, kept as given.
                at.max_bytes(2, "管理情報", 100)?;
                let info = at.text(2);
                if !info.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(at.error(2, "管理情報", "expected letters and digits".into()));
                }
                record_control.push(info.to_string());
            }
            // 資格確認運用: no published layout was found; nothing of it is kept.
            "ON" => {}
            "MN" => return Err(at.structure("a second MN record in one receipt block")),
            _ => {
                let k = key(file, &rec)?;
                match data_kind(&rec) {
                    "1" => {
                        if claim_index.insert(k, claim.len()).is_some() {
                            return Err(at.structure("行番号・枝番号 repeated within the receipt"));
                        }
                        claim.push((k, Some(rec)));
                    }
                    "2" => {
                        if replacements.contains_key(&k) {
                            return Err(at.structure("行番号・枝番号 of another 補正 record of the receipt"));
                        }
                        replacements.insert(k, rec);
                    }
                    other => {
                        let shown = if other.len() <= 2 && other.bytes().all(|b| b.is_ascii_digit()) {
                            other.to_string()
                        } else {
                            "(not a code)".to_string()
                        };
                        return Err(
                            at.unsupported(format!("データ識別 {shown} on a claim record (read: 1 請求時, 2 補正)"))
                        );
                    }
                }
            }
        }
    }

    let mut corrections = Vec::with_capacity(jy.len());
    let mut touched: HashSet<usize> = HashSet::new();
    let mut added: HashMap<Key, Vec<UkeRecord>> = HashMap::new();
    for rec in &jy {
        let at = At { file, rec };
        let code = at.text(2);
        let kind = code
            .parse::<u8>()
            .ok()
            .and_then(CorrectionKind::from_code)
            .ok_or_else(|| at.error(2, "補正区分", format!("expected 1, 2 or 3, found {code:?}")))?;
        let target = jy_key(&at, 3, 4, "補正対象 行番号")?;
        let fields = at.text(5);
        if !fields.bytes().all(|b| b.is_ascii_digit() || b == b':') || fields.len() > 200 {
            return Err(at.error(5, "事由対象項目番号", "expected item numbers separated by ':'".into()));
        }
        // 事由コード: A20, several separated by ':' (別表8: A–D 査定, F–H 計算誤り, K その他).
        let reason = at.text(6);
        if reason.len() > 20 || !reason.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':') {
            return Err(at.error(6, "事由コード", "expected codes of letters or digits separated by ':'".into()));
        }
        let target_at = |k: Key| -> Result<usize, UkeError> {
            claim_index.get(&k).copied().ok_or_else(|| {
                at.structure(format!("補正対象 行番号 {} 枝番号 {} is not a claim record of this receipt", k.0, k.1))
            })
        };
        let mut take_replacement = |k: Key| -> Result<UkeRecord, UkeError> {
            replacements.remove(&k).ok_or_else(|| {
                at.structure(format!(
                    "補正後 行番号 {} 枝番号 {} is not an unused 補正 record of this receipt",
                    k.0, k.1
                ))
            })
        };
        let mut c = Correction {
            kind,
            record: String::new(),
            row: target.0,
            branch: target.1,
            new_row: None,
            new_branch: None,
            reason: reason.to_string(),
            fields: fields.to_string(),
            code: None,
            points_before: None,
            points_after: None,
            charge_before: None,
            charge_after: None,
        };
        match kind {
            CorrectionKind::Modified | CorrectionKind::Deleted => {
                let i = target_at(target)?;
                let original = match claim[i].1.take() {
                    Some(r) if touched.insert(i) => r,
                    _ => {
                        return Err(at.structure(format!(
                            "claim record 行番号 {} 枝番号 {} is corrected twice",
                            target.0, target.1
                        )));
                    }
                };
                let (code, points, charge) = figures(&At { file, rec: &original }, f)?;
                c.record = original.id().to_string();
                c.code = code;
                c.points_before = points;
                c.charge_before = charge;
                if kind == CorrectionKind::Modified {
                    let new = jy_key(&at, 7, 8, "補正後 行番号")?;
                    let replacement = take_replacement(new)?;
                    if replacement.id() != original.id() {
                        return Err(at.structure("a 修正 replaces a record with one of another kind"));
                    }
                    let (_, points, charge) = figures(&At { file, rec: &replacement }, f)?;
                    c.new_row = Some(new.0);
                    c.new_branch = Some(new.1);
                    c.points_after = points;
                    c.charge_after = charge;
                    claim[i].1 = Some(replacement);
                } else {
                    c.points_after = c.points_before.map(|_| 0);
                }
            }
            CorrectionKind::Added => {
                // The claim record the added one follows must exist (it may itself be corrected).
                target_at(target)?;
                let new = jy_key(&at, 7, 8, "補正後 行番号")?;
                let record = take_replacement(new)?;
                let (code, points, charge) = figures(&At { file, rec: &record }, f)?;
                c.record = record.id().to_string();
                c.new_row = Some(new.0);
                c.new_branch = Some(new.1);
                c.code = code;
                c.points_before = points.map(|_| 0);
                c.points_after = points;
                c.charge_after = charge;
                added.entry(target).or_default().push(record);
            }
        }
        corrections.push(c);
    }
    if let Some(unused) = replacements.values().min_by_key(|r| r.line) {
        return Err(At { file, rec: unused }.structure("a 補正 record (データ識別 2) that no JY record applies"));
    }

    let mut records = Vec::with_capacity(claim.len() + added.values().map(Vec::len).sum::<usize>());
    for (k, rec) in claim {
        if let Some(r) = rec {
            records.push(r);
        }
        if let Some(extra) = added.remove(&k) {
            records.extend(extra);
        }
    }
    let review = review_operation(file, &ex)?;
    Ok(Applied {
        records,
        info: DeliveryInfo { management_number, processing_month, review, record_control, corrections },
        search_number,
        address,
    })
}
