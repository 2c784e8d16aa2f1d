//! The writer: a [`UkeFile`] out as a raw UKE, as a clinic or pharmacy writes RECEIPTC.UKE.
//!
//! CP932, CR LF after every record, one 0x1A at the end, 西暦 dates, 可変 numbers without
//! leading zeros, 保険者番号 right-aligned in 8 characters. Text that CP932 cannot encode is
//! an error naming the field (encoding_rs would otherwise write `&#NNNN;`).

use super::UkeFile;
use super::error::{Location, UkeWriteError};
use super::fields::is_decimal;
use super::layout::{LineLayout, ReceiptLayout, dental, medical, pharmacy};
use chrono::NaiveDate;
use encoding_rs::SHIFT_JIS;
use kenpo_domain::YearMonth;
use kenpo_domain::receipt::{CareSetting, Diagnosis, LineKind, Receipt, ReceiptKind, ReceiptLine};
use std::io::Write;

/// The spec allows at most 98 consecutive records with 診療識別 omitted.
const MAX_OMITTED_CATEGORIES: usize = 98;
/// 傷病名コード of 未コード化傷病名, the only diagnoses whose name is recorded.
const UNCODED_DIAGNOSIS: &str = "0000999";

/// One record being built: CP932 bytes per field, identifier first.
struct RecordOut {
    fields: Vec<Vec<u8>>,
}

impl RecordOut {
    fn new(id: &str, count: usize) -> Self {
        let mut fields = vec![Vec::new(); count.max(1)];
        fields[0] = id.as_bytes().to_vec();
        Self { fields }
    }

    /// An ASCII value this module produced itself (numbers, validated codes).
    fn set(&mut self, position: usize, value: impl AsRef<str>) {
        if let Some(f) = position.checked_sub(1).and_then(|i| self.fields.get_mut(i)) {
            *f = value.as_ref().as_bytes().to_vec();
        }
    }

    fn set_opt<T: ToString>(&mut self, position: usize, value: Option<T>) {
        if let Some(v) = value {
            self.set(position, v.to_string());
        }
    }

    /// Text from the caller: checked for characters the format cannot carry, encoded, and
    /// limited to `max_bytes` CP932 bytes.
    fn text(
        &mut self,
        position: usize,
        value: &str,
        field: &'static str,
        max_bytes: usize,
        at: Location,
    ) -> Result<(), UkeWriteError> {
        let bytes = encode_text(value, field, max_bytes, at)?;
        if let Some(f) = position.checked_sub(1).and_then(|i| self.fields.get_mut(i)) {
            *f = bytes;
        }
        Ok(())
    }

    fn write_to<W: Write>(&self, out: &mut W) -> Result<(), UkeWriteError> {
        let mut line = Vec::with_capacity(self.fields.iter().map(|f| f.len() + 1).sum::<usize>() + 2);
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(f);
        }
        line.extend_from_slice(b"\r\n");
        out.write_all(&line)?;
        Ok(())
    }
}

fn encode_text(value: &str, field: &'static str, max_bytes: usize, at: Location) -> Result<Vec<u8>, UkeWriteError> {
    if let Some(c) = value.chars().find(|c| matches!(c, ',' | '"') || c.is_control()) {
        let what = if c.is_control() { "a control character".to_string() } else { format!("{c:?}") };
        return Err(UkeWriteError::Invalid { at, field, problem: format!("contains {what}, which UKE cannot carry") });
    }
    let (bytes, _, unmappable) = SHIFT_JIS.encode(value);
    if unmappable {
        return Err(UkeWriteError::Unencodable { at, field });
    }
    if bytes.len() > max_bytes {
        return Err(UkeWriteError::Invalid {
            at,
            field,
            problem: format!("{} CP932 bytes, at most {max_bytes} allowed", bytes.len()),
        });
    }
    Ok(bytes.into_owned())
}

fn invalid(at: Location, field: &'static str, problem: impl Into<String>) -> UkeWriteError {
    UkeWriteError::Invalid { at, field, problem: problem.into() }
}

fn unsupported(at: Location, what: impl Into<String>) -> UkeWriteError {
    UkeWriteError::Unsupported { at, what: what.into() }
}

fn require_digits(value: &str, len: usize, at: Location, field: &'static str) -> Result<(), UkeWriteError> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(at, field, format!("must be {len} digits")))
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A decimal as the spec wants 可変 numbers: no leading zeros, no trailing decimal zeros.
fn is_canonical_decimal(q: &str) -> bool {
    if !is_decimal(q) {
        return false;
    }
    let (int, frac) = match q.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (q, None),
    };
    let int_ok = int == "0" || !int.starts_with('0');
    let frac_ok = frac.is_none_or(|f| !f.ends_with('0'));
    int_ok && frac_ok
}

/// Writes a raw UKE (as a clinic/pharmacy writes RECEIPTC.UKE): CP932, CRLF after every record,
/// one 0x1A byte at the end, 西暦 dates.
///
/// Records written: 医科 and DPC `IR, (RE, HO, [SN], SY…, SI/IY/TO…)…, GO` (DPC receipts as
/// 医科 出来高 records only: name a DPC file `RECEIPTD.UKE` for [`super::read_uke`] to give the
/// receipts back as DPC); 歯科 `UK, (IR, RE, HO, [SN], HS…, SS/IY/TO…)…, GO`; 調剤
/// `YK, (RE, HO, [SN], (SH, CZ, IY…)…)…, GO`. SN is written when the card has a 枝番.
///
/// What the layouts cannot hold is an error, not a silent loss: receipts without HO (公費単独;
/// KO is not modelled), receipts of another kind or institution than the file, names of coded
/// diagnoses, non-canonical quantities. Known, documented losses: `Institution::address` (raw UKE
/// has none), 調剤 カタカナ氏名 (no verified position). 点数 is written on each line as given
/// (the spec's rule is: only on the last line of a 算定単位 group). The output may be partial
/// when an error is returned.
pub fn write_uke<W: Write>(out: &mut W, file: &UkeFile) -> Result<(), UkeWriteError> {
    let at = Location::File;
    if !matches!(file.review_body, 1 | 2) {
        return Err(invalid(at, "審査支払機関", "must be 1 (支払基金) or 2 (国保連)"));
    }
    let inst = &file.institution;
    require_digits(&inst.code, 7, at, "医療機関コード")?;
    if !(1..=47).contains(&inst.prefecture) {
        return Err(invalid(at, "都道府県", "must be 1..=47"));
    }
    if !file.phone.is_ascii() {
        return Err(invalid(at, "電話番号", "must be half-width (英数)"));
    }
    let pref = format!("{:02}", inst.prefecture);
    let billing = file.billing_month.compact();
    match file.kind {
        ReceiptKind::Medical | ReceiptKind::Dpc => {
            let mut ir = RecordOut::new("IR", medical::IR_WRITTEN);
            ir.set(2, file.review_body.to_string());
            ir.set(3, &pref);
            ir.set(4, "1");
            ir.set(5, &inst.code);
            ir.text(7, &inst.name, "医療機関名称", 40, at)?;
            ir.set(8, &billing);
            ir.set(9, "00");
            ir.text(10, &file.phone, "電話番号", 15, at)?;
            ir.write_to(out)?;
        }
        ReceiptKind::Dental => {
            let mut uk = RecordOut::new("UK", dental::UK_WRITTEN);
            uk.set(2, file.review_body.to_string());
            uk.set(3, &pref);
            uk.set(4, "3");
            uk.set(5, &inst.code);
            uk.text(7, &inst.name, "医療機関名称", 40, at)?;
            uk.set(8, &billing);
            uk.set(10, "00");
            uk.write_to(out)?;
        }
        ReceiptKind::Pharmacy => {
            let mut yk = RecordOut::new("YK", pharmacy::YK_WRITTEN);
            yk.set(2, file.review_body.to_string());
            yk.set(3, &pref);
            yk.set(4, "4");
            yk.set(5, &inst.code);
            yk.text(6, &inst.name, "薬局名称", 40, at)?;
            yk.set(7, &billing);
            yk.set(8, "00");
            yk.text(9, &file.phone, "電話番号", 15, at)?;
            yk.write_to(out)?;
        }
    }
    let mut total_points: i64 = 0;
    for (i, r) in file.receipts.iter().enumerate() {
        let number = u32::try_from(i + 1).map_err(|_| invalid(Location::File, "総件数", "too many receipts"))?;
        write_receipt(out, file, r, number)?;
        total_points += r.total_points;
    }
    let mut go = RecordOut::new("GO", 4);
    go.set(2, file.receipts.len().to_string());
    go.set(3, total_points.to_string());
    go.set(4, "99");
    go.write_to(out)?;
    out.write_all(&[0x1A])?;
    Ok(())
}

fn write_receipt<W: Write>(out: &mut W, file: &UkeFile, r: &Receipt, number: u32) -> Result<(), UkeWriteError> {
    let at = Location::Receipt(number);
    if r.kind != file.kind {
        return Err(invalid(at, "kind", format!("a {} receipt in a {} file", r.kind.label(), file.kind.label())));
    }
    let (fi, ri) = (&file.institution, &r.institution);
    if (fi.code.as_str(), fi.prefecture, fi.name.as_str()) != (ri.code.as_str(), ri.prefecture, ri.name.as_str()) {
        return Err(invalid(at, "医療機関", "differs from the file's 医療機関 (one UKE file is one 医療機関)"));
    }
    require_digits(&r.receipt_type, 4, at, "レセプト種別")?;
    let first = match r.kind {
        ReceiptKind::Medical | ReceiptKind::Dpc => b'1',
        ReceiptKind::Dental => b'3',
        ReceiptKind::Pharmacy => b'4',
    };
    if r.receipt_type.as_bytes()[0] != first {
        return Err(invalid(
            at,
            "レセプト種別",
            format!("must start with {} for {}", char::from(first), r.kind.label()),
        ));
    }
    if CareSetting::from_receipt_type(&r.receipt_type) != Some(r.setting) {
        return Err(invalid(at, "レセプト種別", "its last digit disagrees with the 入院/入院外 setting"));
    }
    if r.insurer_number.is_empty() {
        return Err(unsupported(at, "a receipt without 保険者番号 (公費単独): KO records are not modelled"));
    }
    let layout = match r.kind {
        ReceiptKind::Medical | ReceiptKind::Dpc => medical::RECEIPT,
        ReceiptKind::Dental => dental::RECEIPT,
        ReceiptKind::Pharmacy => pharmacy::RECEIPT,
    };
    if r.kind == ReceiptKind::Dental {
        let mut ir = RecordOut::new("IR", dental::IR_WRITTEN);
        ir.set(2, file.review_body.to_string());
        ir.set(3, format!("{:02}", file.institution.prefecture));
        ir.set(4, "3");
        ir.set(5, &file.institution.code);
        ir.set(7, file.billing_month.compact());
        ir.text(8, &file.phone, "電話番号", 15, Location::File)?;
        ir.write_to(out)?;
    }
    write_re(out, r, number, &layout)?;
    write_ho(out, r, &layout, at)?;
    if let Some(branch) = r.card_branch {
        if branch > 99 {
            return Err(invalid(at, "枝番", "must be 00..=99"));
        }
        let mut sn = RecordOut::new("SN", super::layout::SN_WRITTEN);
        sn.set(2, "1");
        sn.set(3, "01");
        sn.set(super::layout::SN_BRANCH, format!("{branch:02}"));
        sn.write_to(out)?;
    }
    match r.kind {
        ReceiptKind::Medical | ReceiptKind::Dpc => {
            for d in &r.diagnoses {
                write_diagnosis(out, d, at, false)?;
            }
            write_lines(out, r, number, |k| match k {
                LineKind::Procedure => medical::SI,
                LineKind::Drug => medical::IY,
                LineKind::Material => medical::TO,
            })
        }
        ReceiptKind::Dental => {
            for d in &r.diagnoses {
                write_diagnosis(out, d, at, true)?;
            }
            write_lines(out, r, number, |k| match k {
                LineKind::Procedure => dental::SS,
                LineKind::Drug => dental::IY,
                LineKind::Material => dental::TO,
            })
        }
        ReceiptKind::Pharmacy => {
            if !r.diagnoses.is_empty() {
                return Err(unsupported(at, "diagnoses on a 調剤 receipt (the 調剤 record set has none)"));
            }
            write_pharmacy_lines(out, r, number)
        }
    }
}

fn write_re<W: Write>(out: &mut W, r: &Receipt, number: u32, layout: &ReceiptLayout) -> Result<(), UkeWriteError> {
    let at = Location::Receipt(number);
    let mut re = RecordOut::new("RE", layout.re_written);
    re.set(2, number.to_string());
    re.set(3, &r.receipt_type);
    re.set(4, r.service_month.compact());
    if r.patient_name.is_empty() {
        return Err(invalid(at, "氏名", "required"));
    }
    re.text(5, &r.patient_name, "氏名", 40, at)?;
    re.set(6, r.sex.code().to_string());
    re.set(7, ymd(r.birth_date));
    match (layout.prescriber, &r.prescriber) {
        (Some(p), Some(inst)) => {
            re.set(p, format!("{:02}", inst.prefecture));
            re.set(p + 1, "1");
            re.set(p + 2, &inst.code);
            re.text(p + 3, &inst.name, "医療機関名称（処方箋発行）", 40, at)?;
        }
        (None, Some(_)) => {
            return Err(unsupported(at, format!("a prescriber on a {} receipt", r.kind.label())));
        }
        _ => {}
    }
    match layout.admission {
        Some(p) => re.set_opt(p, r.admission_date.map(ymd)),
        None if r.admission_date.is_some() => {
            return Err(unsupported(at, format!("入院年月日 on a {} receipt", r.kind.label())));
        }
        None => {}
    }
    if let Some(p) = layout.re_start_date
        && r.setting == CareSetting::Outpatient
    {
        // 歯科 入院外: the receipt's 診療開始日 (the earliest diagnosis); HS repeats each one.
        re.set_opt(p, r.diagnoses.iter().map(|d| d.start_date).min().map(ymd));
    }
    match (layout.search_number, &r.search_number) {
        (Some(p), Some(s)) => {
            if s.is_empty() || s.len() > 30 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(at, "検索番号", "must be 1..=30 digits"));
            }
            re.set(p, s);
        }
        (None, Some(_)) => {
            return Err(unsupported(at, format!("検索番号 on a {} receipt (position unverified)", r.kind.label())));
        }
        (_, None) => {}
    }
    if let Some(p) = layout.kana {
        re.text(p, &r.patient_name_kana, "カタカナ（氏名）", 80, at)?;
    }
    re.write_to(out)
}

fn write_ho<W: Write>(out: &mut W, r: &Receipt, layout: &ReceiptLayout, at: Location) -> Result<(), UkeWriteError> {
    let insurer = &r.insurer_number;
    if insurer.is_empty() || insurer.len() > 8 || !insurer.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(at, "保険者番号", "must be up to 8 digits"));
    }
    if r.card_number.is_empty() {
        return Err(invalid(at, "被保険者証等の番号", "required"));
    }
    if r.total_points < 0 {
        return Err(invalid(at, "合計点数", "must not be negative"));
    }
    let mut ho = RecordOut::new("HO", layout.ho_written);
    ho.set(2, format!("{insurer:>8}"));
    ho.text(3, &r.card_symbol, "被保険者証等の記号", 38, at)?;
    ho.text(4, &r.card_number, "被保険者証等の番号", 38, at)?;
    ho.set(5, r.days.to_string());
    ho.set(6, r.total_points.to_string());
    for (position, value, field) in [
        (layout.meal_amount, r.meal_amount, "食事療養・生活療養 合計金額"),
        (layout.patient_charge, r.patient_charge, "負担金額（医療保険）"),
    ] {
        match (position, value) {
            (Some(p), Some(v)) if v >= 0 => ho.set(p, v.to_string()),
            (Some(_), Some(_)) => return Err(invalid(at, field, "must not be negative")),
            (None, Some(_)) => {
                return Err(unsupported(at, format!("{field} on a {} receipt (position unverified)", r.kind.label())));
            }
            (_, None) => {}
        }
    }
    ho.write_to(out)
}

fn write_diagnosis<W: Write>(out: &mut W, d: &Diagnosis, at: Location, dental: bool) -> Result<(), UkeWriteError> {
    require_digits(&d.code, 7, at, "傷病名コード")?;
    if !(1..=4).contains(&d.outcome) {
        return Err(invalid(at, "転帰区分", "must be 1..=4"));
    }
    let m = &d.modifiers;
    if !m.len().is_multiple_of(4) || m.len() > 80 || !m.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(at, "修飾語コード", "must be up to 20 four-character codes"));
    }
    if d.name.is_some() && d.code != UNCODED_DIAGNOSIS {
        return Err(invalid(at, "傷病名称", "is recorded only for 未コード化傷病名 (0000999)"));
    }
    // 医科 SY: 2 code, 3 start, 4 outcome, 5 modifiers, 6 name, 7 main.
    // 歯科 HS: 2 start, 3 outcome, 5 code, 6 modifiers, 7 name, 10 main.
    let (id, count, code, start, outcome, modifiers, name, main) = if dental {
        ("HS", dental::HS_WRITTEN, 5, 2, 3, 6, 7, 10)
    } else {
        ("SY", medical::SY_WRITTEN, 2, 3, 4, 5, 6, 7)
    };
    let mut rec = RecordOut::new(id, count);
    rec.set(code, &d.code);
    rec.set(start, ymd(d.start_date));
    rec.set(outcome, d.outcome.to_string());
    rec.set(modifiers, m);
    if let Some(n) = &d.name {
        rec.text(name, n, "傷病名称", 40, at)?;
    }
    if d.main {
        rec.set(main, "01");
    }
    rec.write_to(out)
}

/// Validates what every line shares: codes, quantity, 回数 and days.
fn check_line(l: &ReceiptLine, month: YearMonth, at: Location, layout: &LineLayout) -> Result<(), UkeWriteError> {
    if l.payer_code.len() != 1 || !l.payer_code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(at, "負担区分", "must be one character (別表21)"));
    }
    require_digits(&l.code, 9, at, layout.code_name)?;
    if !l.quantity.is_empty() && !is_canonical_decimal(&l.quantity) {
        return Err(invalid(
            at,
            layout.quantity_name,
            "must be a decimal without leading zeros or trailing decimal zeros",
        ));
    }
    if l.count > 999 {
        return Err(invalid(at, "回数", "must be at most 999"));
    }
    let last = u8::try_from(month.days_in_month()).unwrap_or(31);
    let ordered = l.service_days.windows(2).all(|w| w[0] < w[1]);
    if !ordered || l.service_days.iter().any(|&d| d == 0 || d > last) {
        return Err(invalid(at, "算定日情報", "service days must be increasing days of the 診療年月"));
    }
    Ok(())
}

/// Per-day 回数 adding up to `count`, spread as evenly as possible over the days.
fn day_counts(l: &ReceiptLine, at: Location) -> Result<Vec<(u8, u32)>, UkeWriteError> {
    let n = u32::try_from(l.service_days.len()).unwrap_or(u32::MAX);
    if n == 0 {
        return Ok(Vec::new());
    }
    if l.count < n {
        return Err(invalid(at, "回数", "smaller than the number of service days"));
    }
    let (base, extra) = (l.count / n, l.count % n);
    Ok(l.service_days.iter().enumerate().map(|(i, &d)| (d, base + u32::from((i as u32) < extra))).collect())
}

fn write_lines<W: Write>(
    out: &mut W,
    r: &Receipt,
    number: u32,
    layout_of: impl Fn(LineKind) -> LineLayout,
) -> Result<(), UkeWriteError> {
    let mut previous: Option<&str> = None;
    let mut omitted = 0usize;
    for (i, l) in r.lines.iter().enumerate() {
        let at = Location::Line { receipt: number, line: i };
        let layout = layout_of(l.kind);
        check_line(l, r.service_month, at, &layout)?;
        let c = l.care_category.as_str();
        if !c.is_empty() && (c.len() != 2 || !c.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid(at, "診療識別", "must be 2 digits or empty"));
        }
        let mut rec = RecordOut::new(layout.id, layout.written);
        if let Some(p) = layout.category {
            // Blank means "as the previous line": written only when it changes.
            if c.is_empty() {
                if previous.is_some_and(|p| !p.is_empty()) {
                    return Err(invalid(
                        at,
                        "診療識別",
                        "empty after a line that has one (it would read as inherited)",
                    ));
                }
            } else if previous == Some(c) && omitted < MAX_OMITTED_CATEGORIES {
                omitted += 1;
            } else {
                rec.set(p, c);
                omitted = 0;
            }
            previous = Some(c);
        }
        if let Some(p) = layout.payer {
            rec.set(p, &l.payer_code);
        }
        rec.set(layout.code, &l.code);
        rec.set(layout.quantity, &l.quantity);
        if let Some(p) = layout.points {
            rec.set_opt(p, l.points);
        }
        if let Some(p) = layout.times {
            rec.set(p, l.count.to_string());
        }
        if let Some(day1) = layout.day1 {
            for (day, n) in day_counts(l, at)? {
                if n > 999 {
                    return Err(invalid(at, "算定日情報", "more than 999 on one day"));
                }
                rec.set(day1 + usize::from(day) - 1, n.to_string());
            }
        }
        rec.write_to(out)?;
    }
    Ok(())
}

/// 調剤: each 調剤行為 (CZ) opens a 処方 (SH) and the drugs (IY) after it belong to it. The
/// minimal layout has no 診療識別, 回数 or per-drug 点数, so lines must not need them.
fn write_pharmacy_lines<W: Write>(out: &mut W, r: &Receipt, number: u32) -> Result<(), UkeWriteError> {
    let mut current: Option<&ReceiptLine> = None;
    let mut prescriptions = 0u32;
    for (i, l) in r.lines.iter().enumerate() {
        let at = Location::Line { receipt: number, line: i };
        if !l.care_category.is_empty() {
            return Err(unsupported(at, "診療識別 on a 調剤 line"));
        }
        if l.count != 1 {
            return Err(unsupported(at, "回数 other than 1 on a 調剤 line (no 回数 field)"));
        }
        match l.kind {
            LineKind::Procedure => {
                check_line(l, r.service_month, at, &pharmacy::CZ)?;
                if l.service_days.len() > 1 {
                    return Err(unsupported(at, "more than one 調剤月日 on one CZ"));
                }
                prescriptions += 1;
                let mut sh = RecordOut::new("SH", pharmacy::SH_WRITTEN);
                sh.set(2, prescriptions.to_string());
                sh.write_to(out)?;
                let cz_layout = pharmacy::CZ;
                let mut cz = RecordOut::new("CZ", cz_layout.written);
                if let Some(&day) = l.service_days.first() {
                    let date = NaiveDate::from_ymd_opt(r.service_month.year(), r.service_month.month(), u32::from(day))
                        .ok_or_else(|| invalid(at, "調剤月日", "not a day of the 調剤年月"))?;
                    cz.set(pharmacy::CZ_DISPENSED_ON, ymd(date));
                }
                cz.set(cz_layout.quantity, &l.quantity);
                if let Some(p) = cz_layout.payer {
                    cz.set(p, &l.payer_code);
                }
                cz.set(cz_layout.code, &l.code);
                if let Some(p) = cz_layout.points {
                    cz.set_opt(p, l.points);
                }
                cz.write_to(out)?;
                current = Some(l);
            }
            LineKind::Drug => {
                check_line(l, r.service_month, at, &pharmacy::IY)?;
                let Some(cz) = current else {
                    return Err(unsupported(at, "a 調剤 drug line before any 調剤行為 (CZ) line"));
                };
                if l.payer_code != cz.payer_code || l.service_days != cz.service_days {
                    return Err(unsupported(at, "a 調剤 drug line whose 負担区分 or day differs from its CZ"));
                }
                if l.points.is_some() {
                    return Err(unsupported(at, "点数 on a 調剤 drug line (no 点数 field in IY)"));
                }
                let iy_layout = pharmacy::IY;
                let mut iy = RecordOut::new("IY", iy_layout.written);
                iy.set(iy_layout.code, &l.code);
                iy.set(iy_layout.quantity, &l.quantity);
                iy.write_to(out)?;
            }
            LineKind::Material => {
                return Err(unsupported(at, "特定器材 on a 調剤 receipt (TO layout unverified)"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decimals() {
        for ok in ["0", "1", "12", "1.5", "0.25", "10.05"] {
            assert!(is_canonical_decimal(ok), "{ok}");
        }
        for bad in ["01", "1.0", "1.50", "0.00", ".5", "1.", "1,5", "-1", ""] {
            assert!(!is_canonical_decimal(bad), "{bad}");
        }
    }
}
