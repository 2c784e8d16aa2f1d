//! 報酬の届書 (`kenpo_formats::nenkin_pay`: 算定基礎届 2225700, 月額変更届 2221700, 賞与支払届
//! 2265700) and the bank's 入金明細 CSV (`kenpo_formats::payments`), checked against the layout in
//! docs/research/remuneration-filings.md §1–§5, not against the reader's own constants.
//!
//! Files are laid out by hand: every data field is set by the number the research tables give it
//! (1-based; `Rec::set(25, …)` is research field 25, the reader's index 24), then the line is
//! encoded with `encoding_rs::SHIFT_JIS`. Round trips through `write_pay_filing` come last.

use chrono::NaiveDate;
use encoding_rs::SHIFT_JIS;
use kenpo_domain::Yen;
use kenpo_domain::date::YearMonth;
use kenpo_domain::remuneration::{PayChange, PayMonth, WorkerKind};
use kenpo_formats::nenkin::{FiledPerson, FilingError, Layout, Office, SocietyFields};
use kenpo_formats::nenkin_pay::{
    AnnualReport, BonusReport, InterimReport, PayFiling, PayRecord, read_pay_filing, write_pay_filing,
};
use kenpo_formats::payments::{PaymentCsvError, PaymentRow, read_payments};

const FILE: &str = "SHFD0006.CSV";
/// kirico's 賞与支払届 fixture line, verbatim from research §4 (21 fields).
const KIRICO_BONUS: &str =
    "2265700,21,14,ｸﾄﾜ,000002,ﾖｼﾀﾞ ﾀﾛｳ,吉田　太郎,5,590527,9,010901,444444,555555,999000,012345678901,0123,123456,,,,";
/// The same 01234567890 with the check digit the 個人番号 rule gives it: from the right
/// P = 0 9 8 7 6 5 4 3 2 1 0, Q = 2 3 4 5 6 7 2 3 4 5 6, Σ = 0+27+32+35+36+35+8+9+8+5+0 = 195,
/// 195 mod 11 = 8, check digit 11 − 8 = 3. kirico's `…901` is not a valid 個人番号.
const VALID_NUMBER: &str = "012345678903";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable, "test text not in Shift_JIS: {text}");
    bytes.into_owned()
}

/// One data record: `n` empty fields, set by their 1-based research number.
#[derive(Clone)]
struct Rec(Vec<Vec<u8>>);

impl Rec {
    fn new(n: usize) -> Self {
        Rec(vec![Vec::new(); n])
    }
    /// A line written out as text (split on its commas).
    fn from_line(line: &str) -> Self {
        Rec(line.split(',').map(sjis).collect())
    }
    fn set(self, no: usize, value: &str) -> Self {
        self.set_bytes(no, &sjis(value))
    }
    fn set_bytes(mut self, no: usize, bytes: &[u8]) -> Self {
        assert!(no >= 1 && no <= self.0.len(), "field {no} of {}", self.0.len());
        self.0[no - 1] = bytes.to_vec();
        self
    }
    /// The three 健保組合 fields a KPFD line ends in: 事業所番号（健保組合）, 被保険者証番号（健保組合）,
    /// 健保固有項目.
    fn society(mut self, office: &str, card: &str, own: &str) -> Self {
        self.0.extend([sjis(office), sjis(card), sjis(own)]);
        self
    }
    fn truncated(mut self) -> Self {
        self.0.pop();
        self
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn bytes(&self) -> Vec<u8> {
        self.0.join(&b","[..])
    }
}

/// SHFD0006 header: 媒体管理レコード, [kanri], the office count, the 12-field office line, [data].
fn shfd_header() -> Vec<Vec<u8>> {
    vec![
        sjis("21,14,ｸﾄﾜ,001,20260710,22223"),
        sjis("[kanri]"),
        sjis(",001"),
        sjis("21,14,ｸﾄﾜ,12345,100,0001,東京都千代田区霞が関一丁目,株式会社健保商事,山田　一郎,03,1234,5678"),
        sjis("[data]"),
    ]
}

/// KPFD0006 header: line 1 of 8 fields (健保組合の事業所番号, 媒体通番, 作成年月日, empty, 固有 ×4),
/// line 4 of 9 (事業所番号（健保組合）, 郵便番号 親・子, 所在地, 名称, 事業主氏名, 局番 ×3).
fn kpfd_header() -> Vec<Vec<u8>> {
    vec![
        sjis("K0012,001,20260710,,,,,"),
        sjis("[kanri]"),
        sjis(",001"),
        sjis("K0012,100,0001,東京都千代田区霞が関一丁目,株式会社健保商事,山田　一郎,03,1234,5678"),
        sjis("[data]"),
    ]
}

fn file_with(header: Vec<Vec<u8>>, records: &[Rec]) -> Vec<u8> {
    let mut lines = header;
    lines.extend(records.iter().map(Rec::bytes));
    let mut out = lines.join(&b"\r\n"[..]);
    out.extend_from_slice(b"\r\n");
    out
}

fn shfd(records: &[Rec]) -> Vec<u8> {
    file_with(shfd_header(), records)
}

fn kpfd(records: &[Rec]) -> Vec<u8> {
    file_with(kpfd_header(), records)
}

fn read(bytes: &[u8]) -> PayFiling {
    match read_pay_filing(FILE, bytes) {
        Ok(f) => f,
        Err(e) => panic!("refused: {e}"),
    }
}

fn refused(bytes: &[u8]) -> FilingError {
    match read_pay_filing(FILE, bytes) {
        Ok(f) => panic!("accepted a file that must be refused ({} records)", f.records.len()),
        Err(e) => e,
    }
}

/// The error names `line` and `column` (in the struct and its text), and none of `secrets`
/// appears in its text or Debug.
fn assert_names(e: &FilingError, line: u64, column: &str, secrets: &[&str]) {
    let shown = e.to_string();
    assert_eq!(e.line, line, "{shown}");
    assert_eq!(e.field, column, "{shown}");
    assert!(shown.contains(&format!("{FILE}:{line}:")), "{shown}");
    assert!(shown.contains(column), "{shown}");
    let debug = format!("{e:?}");
    for s in secrets {
        assert!(!shown.contains(s), "the error shows {s:?}: {shown}");
        assert!(!debug.contains(s), "the error's Debug shows {s:?}: {debug}");
    }
}

fn annual_of(filing: &PayFiling, k: usize) -> &AnnualReport {
    match &filing.records[k] {
        PayRecord::Annual(a) => a,
        other => panic!("record {k} is not a 算定基礎届: {other:?}"),
    }
}

fn interim_of(filing: &PayFiling, k: usize) -> &InterimReport {
    match &filing.records[k] {
        PayRecord::Interim(i) => i,
        other => panic!("record {k} is not a 月額変更届: {other:?}"),
    }
}

fn bonus_of(filing: &PayFiling, k: usize) -> &BonusReport {
    match &filing.records[k] {
        PayRecord::Bonus(b) => b,
        other => panic!("record {k} is not a 賞与支払届: {other:?}"),
    }
}

fn pm(month: YearMonth, base_days: u32, cash: Yen, in_kind: Yen) -> PayMonth {
    PayMonth { month, base_days, cash, in_kind }
}

// ---------------------------------------------------------------------------------------------
// 1. 算定基礎届 (research §2, §5).

/// 算定基礎届 `2225700`, 53 fields, kirico's fixture adapted (research §2): 従前 0410/0200 千円,
/// 従前改定月 平成27年7月, 3月 降給, 遡及 5月 344円, 基礎日数 03,24,17 (April does not count),
/// 適用年月 令和8年9月, 修正平均額 1000. May 611,721 + June 611,722 = 1,223,443; ÷ 2 = 611,721.5,
/// filed truncated as 611,721.
fn annual_rec() -> Rec {
    Rec::new(53)
        .set(1, "2225700")
        .set(2, "21")
        .set(3, "14")
        .set(4, "ｸﾄﾜ")
        .set(5, "000002")
        .set(6, "ﾖｼﾀﾞ ﾀﾛｳ")
        .set(7, "吉田　太郎")
        .set(8, "5")
        .set(9, "590527")
        .set(10, "9")
        .set(11, "08")
        .set(12, "09")
        .set(13, "0410")
        .set(14, "0200")
        .set(15, "7")
        .set(16, "27")
        .set(17, "07")
        .set(18, "03")
        .set(19, "2")
        .set(20, "05")
        .set(21, "0000344")
        .set(22, "04")
        .set(23, "05")
        .set(24, "06")
        .set(25, "03")
        .set(26, "24")
        .set(27, "17")
        .set(28, "0100000")
        .set(29, "0600000")
        .set(30, "0611722")
        .set(31, "0000000")
        .set(32, "0011721")
        .set(33, "0000000")
        .set(34, "0100000")
        .set(35, "0611721")
        .set(36, "0611722")
        .set(37, "1223443")
        .set(38, "0611721")
        .set(39, "0001000")
}

#[test]
fn hand_laid_annual_report_reads_months_average_and_september() {
    let rec = annual_rec();
    assert_eq!(rec.len(), 53);
    let filing = read(&shfd(&[rec]));
    assert_eq!(filing.layout, Layout::Pension);
    assert_eq!(filing.created_on, d(2026, 7, 10));
    assert_eq!(filing.office, Office { number: "12345".into(), name: "株式会社健保商事".into() });
    assert_eq!(filing.records.len(), 1);
    let a = annual_of(&filing, 0);
    assert_eq!(a.line, 6);
    assert_eq!(a.person.kana, "ヨシダ　タロウ");
    assert_eq!(a.person.kanji.as_deref(), Some("吉田　太郎"));
    assert_eq!(a.person.birth, d(1984, 5, 27));
    assert!(a.person.my_number.is_none());
    // 令和8年 = 2026; 9,08,09 is September.
    assert_eq!(a.applies_from, ym(2026, 9));
    // 千円: 0410 is 410,000 yen.
    assert_eq!(a.previous_standard, Some(410_000));
    assert_eq!(a.pay_change, Some((3, PayChange::Cut)));
    assert_eq!(a.retroactive, Some((5, 344)));
    assert_eq!(
        a.months,
        [pm(ym(2026, 4), 3, 100_000, 0), pm(ym(2026, 5), 24, 600_000, 11_721), pm(ym(2026, 6), 17, 611_722, 0),]
    );
    assert_eq!(a.total, 1_223_443);
    assert_eq!(a.average, 611_721);
    assert_eq!(a.corrected_average, Some(1000));
    assert_eq!(a.worker, WorkerKind::Regular);
    assert!(!a.yearly_average && !a.mid_year_join && !a.on_leave && !a.seventy_only);
    assert_eq!(a.society, SocietyFields::default());
    assert!(!filing.records[0].seventy_only());
    assert_eq!(filing.records[0].line(), 6);
}

#[test]
fn annual_amounts_without_zero_padding_read_the_same() {
    // Research §1: zero padding is optional; a reader must take `300000` and `0300000` alike.
    let padded = read(&shfd(&[annual_rec()]));
    let bare = read(&shfd(&[annual_rec()
        .set(21, "344")
        .set(28, "100000")
        .set(31, "0")
        .set(35, "611721")
        .set(38, "611721")
        .set(39, "1000")]));
    assert_eq!(padded, bare);
}

#[test]
fn annual_total_counting_the_short_april_or_a_rounded_average_is_refused() {
    // 総計 of all three months (April had 3 days): 1,323,443.
    let e = refused(&shfd(&[annual_rec().set(37, "1323443").set(38, "0441147")]));
    assert_names(&e, 6, "総計", &["1323443", "441147"]);
    // 平均 rounded up (611,722) instead of cut off below 1 yen.
    let e = refused(&shfd(&[annual_rec().set(38, "0611722")]));
    assert_names(&e, 6, "平均額", &["611722", "1223443"]);
    // 合計 that is not 通貨 + 現物.
    let e = refused(&shfd(&[annual_rec().set(35, "0611720")]));
    assert_names(&e, 6, "合計", &["611720", "600000"]);
}

#[test]
fn part_timer_with_no_17_day_month_counts_the_months_of_15_days_or_more() {
    // Field 50 = パート; days 16, 15, 14: no month reaches 17, so the 15-or-more months count
    // (April and May): 100,000 + 611,721 = 711,721, ÷ 2 = 355,860.5 → 355,860.
    let part =
        annual_rec().set(25, "16").set(26, "15").set(27, "14").set(37, "0711721").set(38, "0355860").set(50, "1");
    let filing = read(&shfd(std::slice::from_ref(&part)));
    let a = annual_of(&filing, 0);
    assert_eq!(a.worker, WorkerKind::PartTime);
    assert_eq!(a.total, 711_721);
    assert_eq!(a.average, 355_860);
    assert_eq!([a.months[0].base_days, a.months[1].base_days, a.months[2].base_days], [16, 15, 14]);
    // Counting June (14 days) too is refused.
    let e = refused(&shfd(&[part.clone().set(37, "1323443").set(38, "0441147")]));
    assert_names(&e, 6, "総計", &["1323443"]);
    // The same days for a regular worker: nothing counts, so 総計 must be 0.
    let e = refused(&shfd(&[part.clone().set(50, "")]));
    assert_names(&e, 6, "総計", &["711721"]);
    let regular = read(&shfd(&[part.clone().set(50, "").set(37, "0").set(38, "0")]));
    assert_eq!(annual_of(&regular, 0).total, 0);
    // With one month of 17 days, only that month counts for a パート (the 15-day rule is a fallback).
    let one = read(&shfd(&[part.set(25, "17").set(37, "0100000").set(38, "0100000")]));
    assert_eq!(annual_of(&one, 0).total, 100_000);
    assert_eq!(annual_of(&one, 0).average, 100_000);
}

#[test]
fn short_time_worker_counts_months_of_11_days_or_more() {
    // Field 49 = 短時間労働者; days 11, 10, 20: April and June count.
    // 100,000 + 611,722 = 711,722, ÷ 2 = 355,861.
    let short =
        annual_rec().set(25, "11").set(26, "10").set(27, "20").set(37, "0711722").set(38, "0355861").set(49, "1");
    let filing = read(&shfd(std::slice::from_ref(&short)));
    let a = annual_of(&filing, 0);
    assert_eq!(a.worker, WorkerKind::ShortTime);
    assert_eq!(a.total, 711_722);
    assert_eq!(a.average, 355_861);
    assert_eq!(a.months[0].base_days, 11);
    // Both 短時間労働者 and パート on one line is refused.
    let e = refused(&shfd(&[short.set(50, "1")]));
    assert_eq!(e.line, 6);
    assert!(e.field == "パート" || e.field == "短時間労働者", "{e}");
}

#[test]
fn annual_flags_for_yearly_average_mid_year_join_and_leave_read() {
    let filing = read(&shfd(&[annual_rec().set(47, "1").set(48, "1").set(51, "1").set(52, "5月入社")]));
    let a = annual_of(&filing, 0);
    assert!(a.mid_year_join);
    assert!(a.on_leave);
    assert!(a.yearly_average);
    // A flag is `1` or empty.
    let e = refused(&shfd(&[annual_rec().set(51, "2")]));
    assert_names(&e, 6, "年間平均", &[]);
}

#[test]
fn annual_seventy_only_line_is_kept_flagged_and_needs_remark_1() {
    let filing = read(&shfd(&[annual_rec().set(5, "").set(43, "1").set(53, "1")]));
    assert!(filing.records[0].seventy_only());
    assert!(annual_of(&filing, 0).seventy_only);
    let e = refused(&shfd(&[annual_rec().set(5, "").set(53, "1")]));
    assert_names(&e, 6, "70歳以上被用者届のみ提出", &[]);
}

#[test]
fn annual_applies_from_other_than_september_is_refused() {
    let e = refused(&shfd(&[annual_rec().set(12, "10")]));
    assert_names(&e, 6, "適用年月", &[]);
    // 元号 5 (昭和) is not an event era.
    let e = refused(&shfd(&[annual_rec().set(10, "5")]));
    assert_names(&e, 6, "適用年月", &[]);
    // 給与支給月 must be 04, 05, 06.
    let e = refused(&shfd(&[annual_rec().set(22, "03")]));
    assert_names(&e, 6, "給与支給月", &[]);
    // 遡及支払月 outside April–June.
    let e = refused(&shfd(&[annual_rec().set(20, "07")]));
    assert_names(&e, 6, "遡及支払月", &[]);
    // 従前 0000 千円 is refused.
    let e = refused(&shfd(&[annual_rec().set(13, "0000")]));
    assert_names(&e, 6, "従前の標準報酬月額（健保）", &[]);
    // 基礎日数 over 31.
    let e = refused(&shfd(&[annual_rec().set(26, "32")]));
    assert_names(&e, 6, "報酬支払基礎日数", &[]);
}

// ---------------------------------------------------------------------------------------------
// 2. 月額変更届 (research §3).

/// 月額変更届 `2221700`, 49 fields: 改定 令和8年12月, 従前 0260 千円, 9月 昇給, months 09, 10, 11
/// with 30, 31, 30 days. 300,000 + 325,000 + 325,000 = 950,000; ÷ 3 = 316,666.67 → 316,666.
/// Amounts unpadded, as kirico writes 月変 amounts.
fn interim_rec() -> Rec {
    Rec::new(49)
        .set(1, "2221700")
        .set(2, "21")
        .set(3, "14")
        .set(4, "ｸﾄﾜ")
        .set(5, "000003")
        .set(6, "ｻﾄｳ ﾊﾅｺ")
        .set(7, "佐藤　花子")
        .set(8, "7")
        .set(9, "020315")
        .set(10, "9")
        .set(11, "08")
        .set(12, "12")
        .set(13, "0260")
        .set(14, "0260")
        .set(15, "9")
        .set(16, "07")
        .set(17, "09")
        .set(18, "09")
        .set(19, "1")
        .set(22, "09")
        .set(23, "10")
        .set(24, "11")
        .set(25, "30")
        .set(26, "31")
        .set(27, "30")
        .set(28, "300000")
        .set(29, "320000")
        .set(30, "320000")
        .set(31, "0")
        .set(32, "5000")
        .set(33, "5000")
        .set(34, "300000")
        .set(35, "325000")
        .set(36, "325000")
        .set(37, "950000")
        .set(38, "316666")
        .set(46, "基本給の変更")
}

#[test]
fn hand_laid_interim_report_reads_the_three_months_before_the_revision() {
    let rec = interim_rec();
    assert_eq!(rec.len(), 49);
    let filing = read(&shfd(&[rec]));
    let i = interim_of(&filing, 0);
    assert_eq!(i.line, 6);
    assert_eq!(i.person.kana, "サトウ　ハナコ");
    assert_eq!(i.person.birth, d(1990, 3, 15));
    assert_eq!(i.revised_from, ym(2026, 12));
    assert_eq!(i.previous_standard, Some(260_000));
    assert_eq!(i.pay_change, Some((9, PayChange::Raise)));
    assert_eq!(
        i.months,
        [pm(ym(2026, 9), 30, 300_000, 0), pm(ym(2026, 10), 31, 320_000, 5000), pm(ym(2026, 11), 30, 320_000, 5000)]
    );
    assert_eq!(i.total, 950_000);
    assert_eq!(i.average, 316_666);
    assert_eq!(i.corrected_average, None);
    assert_eq!(i.worker, WorkerKind::Regular);
    assert!(!i.seventy_only);
}

#[test]
fn interim_revised_in_january_takes_october_to_december_of_the_year_before() {
    // 令和9年1月 = 2027-01: the months are 2026-10, 11, 12.
    let filing = read(&shfd(&[interim_rec().set(11, "09").set(12, "01").set(22, "10").set(23, "11").set(24, "12")]));
    let i = interim_of(&filing, 0);
    assert_eq!(i.revised_from, ym(2027, 1));
    assert_eq!([i.months[0].month, i.months[1].month, i.months[2].month], [ym(2026, 10), ym(2026, 11), ym(2026, 12)]);
}

#[test]
fn interim_months_other_than_the_three_before_the_revision_are_refused() {
    let e = refused(&shfd(&[interim_rec().set(22, "08").set(23, "09").set(24, "10")]));
    assert_names(&e, 6, "給与支給月", &[]);
    // The revision month itself as the last month.
    let e = refused(&shfd(&[interim_rec().set(22, "10").set(23, "11").set(24, "12")]));
    assert_names(&e, 6, "給与支給月", &[]);
}

#[test]
fn interim_month_of_16_days_is_refused_and_11_will_do_for_a_short_time_worker() {
    let e = refused(&shfd(&[interim_rec().set(26, "16")]));
    assert_names(&e, 6, "報酬支払基礎日数", &[]);
    // Field 45 = 短時間労働者: 11 days qualify, 10 do not.
    let filing = read(&shfd(&[interim_rec().set(26, "11").set(45, "1")]));
    let i = interim_of(&filing, 0);
    assert_eq!(i.worker, WorkerKind::ShortTime);
    assert_eq!(i.months[1].base_days, 11);
    let e = refused(&shfd(&[interim_rec().set(26, "10").set(45, "1")]));
    assert_names(&e, 6, "報酬支払基礎日数", &[]);
}

#[test]
fn interim_average_other_than_total_over_three_cut_off_is_refused() {
    // Rounded (316,667) instead of cut off.
    let e = refused(&shfd(&[interim_rec().set(38, "316667")]));
    assert_names(&e, 6, "平均額", &["316667", "950000"]);
    // 総計 that is not the three 合計.
    let e = refused(&shfd(&[interim_rec().set(37, "950001")]));
    assert_names(&e, 6, "総計", &["950001"]);
}

// ---------------------------------------------------------------------------------------------
// 3. 賞与支払届 (research §4).

/// kirico's line with the 個人番号 cleared (it may be filled only with 備考1 70歳以上被用者, §1).
fn bonus_rec() -> Rec {
    Rec::from_line(KIRICO_BONUS).set(15, "")
}

#[test]
fn kirico_bonus_sample_splits_into_21_fields_and_its_my_number_fails_the_check_digit() {
    let rec = Rec::from_line(KIRICO_BONUS);
    assert_eq!(rec.len(), 21);
    // Verbatim, the line is refused: 012345678901 is not a valid 個人番号 (see VALID_NUMBER), and
    // the error does not show it.
    let e = refused(&shfd(std::slice::from_ref(&rec)));
    assert_names(&e, 6, "個人番号", &["012345678901", "01234567890"]);
    // With a valid number and no 70歳以上 flag it is taken (the reader does not enforce R1's
    // "only with 備考1"), and the number is dropped.
    let filing = read(&shfd(&[rec.set(15, VALID_NUMBER)]));
    let b = bonus_of(&filing, 0);
    assert!(b.person.my_number.is_none());
    assert_eq!(b.total, 999_000);
}

#[test]
fn hand_laid_bonus_reads_date_amounts_and_total_truncated_to_1000() {
    let filing = read(&shfd(&[bonus_rec()]));
    let b = bonus_of(&filing, 0);
    assert_eq!(b.line, 6);
    assert_eq!(b.person.kana, "ヨシダ　タロウ");
    assert_eq!(b.person.kanji.as_deref(), Some("吉田　太郎"));
    assert_eq!(b.person.birth, d(1984, 5, 27));
    // 令和1年9月1日.
    assert_eq!(b.paid_on, d(2019, 9, 1));
    assert_eq!(b.cash, 444_444);
    assert_eq!(b.in_kind, 555_555);
    assert_eq!(b.total, 999_000);
    assert_eq!(b.first_payment_day, None);
    assert!(!b.seventy_only);
    assert!(b.person.my_number.is_none());
}

#[test]
fn bonus_total_not_truncated_or_under_1000_is_refused() {
    // 999,999 as filed, not cut to 999,000.
    let e = refused(&shfd(&[bonus_rec().set(14, "999999")]));
    assert_names(&e, 6, "賞与額（合計）", &["999999", "444444", "555555"]);
    // Rounded up to 1,000,000.
    let e = refused(&shfd(&[bonus_rec().set(14, "1000000")]));
    assert_names(&e, 6, "賞与額（合計）", &["1000000"]);
    // 500 + 400 = 900 → 0: a total under 1,000 yen is refused, filed as 0 or as 900.
    let e = refused(&shfd(&[bonus_rec().set(12, "500").set(13, "400").set(14, "0")]));
    assert_names(&e, 6, "賞与額（合計）", &[]);
    let e = refused(&shfd(&[bonus_rec().set(12, "500").set(13, "400").set(14, "900")]));
    assert_names(&e, 6, "賞与額（合計）", &[]);
    // Exactly 1,000 is taken.
    let ok = read(&shfd(&[bonus_rec().set(12, "1000").set(13, "0").set(14, "1000")]));
    assert_eq!(bonus_of(&ok, 0).total, 1000);
}

#[test]
fn bonus_over_ten_million_takes_either_cap() {
    // Research §8.1: over 9,999,999 R1 writes 9999999 and kirico 9999000; both are accepted.
    for cap in ["9999999", "9999000"] {
        let filing = read(&shfd(&[bonus_rec().set(12, "9000000").set(13, "2000000").set(14, cap)]));
        let b = bonus_of(&filing, 0);
        assert_eq!((b.cash, b.in_kind), (9_000_000, 2_000_000));
    }
    // 8 digits is beyond the field's width.
    let e = refused(&shfd(&[bonus_rec().set(12, "11000000").set(13, "0").set(14, "9999999")]));
    assert_names(&e, 6, "賞与額（通貨）", &["11000000"]);
}

#[test]
fn bonus_first_payment_day_must_come_before_the_payment_date() {
    // Paid 令和8年7月10日; the first payment of the month on the 5th.
    let base = bonus_rec().set(11, "080710");
    let filing = read(&shfd(&[base.clone().set(20, "05")]));
    let b = bonus_of(&filing, 0);
    assert_eq!(b.paid_on, d(2026, 7, 10));
    assert_eq!(b.first_payment_day, Some(5));
    for day in ["10", "15", "00"] {
        let e = refused(&shfd(&[base.clone().set(20, day)]));
        assert_names(&e, 6, "同一月内の賞与合算（初回支払日）", &[]);
    }
}

#[test]
fn bonus_date_with_era_3_or_an_impossible_day_is_refused() {
    // 元号 3 (大正) in an event date.
    let e = refused(&shfd(&[bonus_rec().set(10, "3")]));
    assert_names(&e, 6, "賞与支払年月日", &[]);
    // 元号 5 (昭和) neither.
    let e = refused(&shfd(&[bonus_rec().set(10, "5")]));
    assert_names(&e, 6, "賞与支払年月日", &[]);
    // 令和8年2月30日.
    let e = refused(&shfd(&[bonus_rec().set(11, "080230")]));
    assert_names(&e, 6, "賞与支払年月日", &[]);
}

// ---------------------------------------------------------------------------------------------
// 4. The frame.

#[test]
fn wrong_field_count_is_refused_naming_the_form_code() {
    let e = refused(&shfd(&[annual_rec().truncated()]));
    assert_names(&e, 6, "様式コード", &["吉田", "ﾖｼﾀﾞ"]);
    let e = refused(&shfd(&[interim_rec().truncated()]));
    assert_names(&e, 6, "様式コード", &["佐藤"]);
    let e = refused(&shfd(&[bonus_rec().truncated()]));
    assert_names(&e, 6, "様式コード", &["吉田"]);
    // One field too many in an SHFD file, on the second data line.
    let mut long = bonus_rec();
    long.0.push(Vec::new());
    let e = refused(&shfd(&[bonus_rec(), long]));
    assert_names(&e, 7, "様式コード", &["吉田"]);
}

#[test]
fn unknown_or_legacy_form_code_is_refused() {
    for code in ["2225701", "2200700", "22257041", ""] {
        let e = refused(&shfd(&[annual_rec().set(1, code)]));
        assert_names(&e, 6, "様式コード", &["吉田"]);
    }
}

#[test]
fn nec_special_character_in_the_kanji_name_is_refused_naming_its_column() {
    // ① is NEC row 13 (0x87 0x40), outside JIS X 0208. The 漢字 name is field 7 in all three.
    let mut name = sjis("吉田");
    name.extend_from_slice(&[0x87, 0x40]);
    let e = refused(&shfd(&[annual_rec().set_bytes(7, &name)]));
    assert_names(&e, 6, "項目7", &["吉田", "①"]);
    let e = refused(&shfd(&[bonus_rec(), bonus_rec().set_bytes(7, &name)]));
    assert_names(&e, 7, "項目7", &["吉田", "①"]);
}

#[test]
fn kana_name_and_office_fields_are_checked() {
    let e = refused(&shfd(&[annual_rec().set(6, "ヨシダ　タロウ")]));
    assert_names(&e, 6, "被保険者氏名（カナ）", &["ヨシダ", "ﾖｼﾀﾞ"]);
    let e = refused(&shfd(&[annual_rec().set(6, "")]));
    assert_names(&e, 6, "被保険者氏名（カナ）", &[]);
    let e = refused(&shfd(&[bonus_rec().set(2, "2A")]));
    assert_names(&e, 6, "都道府県コード", &[]);
    let e = refused(&shfd(&[bonus_rec().set(4, "ｸﾄ-")]));
    assert_names(&e, 6, "事業所記号", &[]);
    let e = refused(&shfd(&[bonus_rec().set(5, "1234567")]));
    assert_names(&e, 6, "被保険者整理番号", &["1234567"]);
}

#[test]
fn kpfd_file_reads_all_three_kinds_with_the_card_number_from_the_tail() {
    let records = [
        annual_rec().society("K0012", "00001234", ""),
        interim_rec().society("K0012", "00001235", "ｺﾕｳ"),
        bonus_rec().society("K0012", "1236", ""),
    ];
    assert_eq!([records[0].len(), records[1].len(), records[2].len()], [56, 52, 24]);
    let filing = read(&kpfd(&records));
    assert_eq!(filing.layout, Layout::Society);
    assert_eq!(filing.created_on, d(2026, 7, 10));
    assert_eq!(filing.office, Office { number: "K0012".into(), name: "株式会社健保商事".into() });
    assert_eq!(filing.records.len(), 3);
    let card = |s: &SocietyFields| (s.office.clone(), s.card_number.clone());
    assert_eq!(card(&annual_of(&filing, 0).society), (Some("K0012".into()), Some("00001234".into())));
    assert_eq!(card(&interim_of(&filing, 1).society), (Some("K0012".into()), Some("00001235".into())));
    assert_eq!(card(&bonus_of(&filing, 2).society), (Some("K0012".into()), Some("1236".into())));
    // The rest of each line reads as in SHFD.
    assert_eq!(annual_of(&filing, 0).average, 611_721);
    assert_eq!(interim_of(&filing, 1).average, 316_666);
    assert_eq!(bonus_of(&filing, 2).total, 999_000);
    assert_eq!(filing.records.iter().map(PayRecord::line).collect::<Vec<_>>(), [6, 7, 8]);
}

#[test]
fn kpfd_line_without_the_tail_and_shfd_line_with_one_are_refused() {
    let e = refused(&kpfd(&[annual_rec().society("K0012", "00001234", ""), annual_rec()]));
    assert_names(&e, 7, "様式コード", &["吉田"]);
    let e = refused(&shfd(&[bonus_rec().society("K0012", "00001234", "")]));
    assert_names(&e, 6, "様式コード", &["00001234"]);
    // A card number that is not digits.
    let e = refused(&kpfd(&[bonus_rec().society("K0012", "12AB", "")]));
    assert_names(&e, 6, "被保険者証番号（健保組合）", &["12AB"]);
}

#[test]
fn several_lines_read_in_order_with_their_line_numbers() {
    let filing = read(&shfd(&[annual_rec(), interim_rec(), bonus_rec(), annual_rec().set(50, "1")]));
    let kinds: Vec<&str> = filing
        .records
        .iter()
        .map(|r| match r {
            PayRecord::Annual(_) => "annual",
            PayRecord::Interim(_) => "interim",
            PayRecord::Bonus(_) => "bonus",
        })
        .collect();
    assert_eq!(kinds, ["annual", "interim", "bonus", "annual"]);
    assert_eq!(filing.records.iter().map(PayRecord::line).collect::<Vec<_>>(), [6, 7, 8, 9]);
    // A refusal on the fourth line names line 9.
    let e = refused(&shfd(&[annual_rec(), interim_rec(), bonus_rec(), annual_rec().set(12, "08")]));
    assert_names(&e, 9, "適用年月", &[]);
}

#[test]
fn fields_the_reader_does_not_keep_are_still_checked_for_class() {
    // Research §2: field 14 (従前 厚年) is 4 digits in 千円, not 0000; fields 41–42 (基礎年金番号)
    // are 4 + 6 digits. The module promises widths and character classes are refused.
    let e = refused(&shfd(&[annual_rec().set(14, "ABCD")]));
    assert_eq!(e.line, 6, "{e}");
    let e = refused(&shfd(&[annual_rec().set(41, "12AB").set(42, "123456")]));
    assert_eq!(e.line, 6, "{e}");
    let e = refused(&shfd(&[bonus_rec().set(16, "12AB")]));
    assert_eq!(e.line, 6, "{e}");
}

// ---------------------------------------------------------------------------------------------
// 5. Writer round trips.

fn person(kana: &str, kanji: Option<&str>, birth: NaiveDate) -> FiledPerson {
    FiledPerson { kana: kana.into(), kanji: kanji.map(Into::into), birth, my_number: None }
}

fn all_kinds(layout: Layout, office: &str) -> Vec<PayRecord> {
    let society = |card: &str| match layout {
        Layout::Pension => SocietyFields::default(),
        Layout::Society => SocietyFields { office: Some(office.into()), card_number: Some(card.into()) },
    };
    let annual =
        |line: u64, months: [PayMonth; 3], total: Yen, average: Yen, worker: WorkerKind, card: &str| AnnualReport {
            line,
            person: person("ヨシダ　タロウ", Some("吉田　太郎"), d(1984, 5, 27)),
            applies_from: ym(2026, 9),
            previous_standard: Some(410_000),
            pay_change: None,
            retroactive: None,
            months,
            total,
            average,
            corrected_average: None,
            worker,
            yearly_average: false,
            mid_year_join: false,
            on_leave: false,
            seventy_only: false,
            society: society(card),
        };
    let regular = AnnualReport {
        pay_change: Some((3, PayChange::Cut)),
        retroactive: Some((5, 344)),
        corrected_average: Some(1000),
        yearly_average: true,
        on_leave: true,
        ..annual(
            6,
            [pm(ym(2026, 4), 3, 100_000, 0), pm(ym(2026, 5), 24, 600_000, 11_721), pm(ym(2026, 6), 17, 611_722, 0)],
            1_223_443,
            611_721,
            WorkerKind::Regular,
            "00000001",
        )
    };
    let part = AnnualReport {
        mid_year_join: true,
        ..annual(
            7,
            [pm(ym(2026, 4), 16, 100_000, 0), pm(ym(2026, 5), 15, 611_721, 0), pm(ym(2026, 6), 14, 611_722, 0)],
            711_721,
            355_860,
            WorkerKind::PartTime,
            "00000002",
        )
    };
    let short = annual(
        8,
        [pm(ym(2026, 4), 11, 100_000, 0), pm(ym(2026, 5), 10, 611_721, 0), pm(ym(2026, 6), 20, 611_722, 0)],
        711_722,
        355_861,
        WorkerKind::ShortTime,
        "00000003",
    );
    let interim = |line: u64, revised: YearMonth, months: [PayMonth; 3], worker: WorkerKind, card: &str| {
        let total: Yen = months.iter().map(|m| m.cash + m.in_kind).sum();
        InterimReport {
            line,
            person: person("サトウ　ハナコ", Some("佐藤　花子"), d(1990, 3, 15)),
            revised_from: revised,
            previous_standard: Some(260_000),
            pay_change: Some((revised.prev().prev().prev().month(), PayChange::Raise)),
            months,
            total,
            average: total / 3,
            corrected_average: None,
            worker,
            seventy_only: false,
            society: society(card),
        }
    };
    let interim_jan = interim(
        9,
        ym(2027, 1),
        [pm(ym(2026, 10), 30, 300_000, 0), pm(ym(2026, 11), 31, 320_000, 5000), pm(ym(2026, 12), 30, 320_000, 5000)],
        WorkerKind::Regular,
        "00000004",
    );
    let interim_short = InterimReport {
        corrected_average: Some(200_000),
        ..interim(
            10,
            ym(2026, 12),
            [pm(ym(2026, 9), 11, 180_000, 0), pm(ym(2026, 10), 12, 190_001, 0), pm(ym(2026, 11), 13, 200_000, 0)],
            WorkerKind::ShortTime,
            "00000005",
        )
    };
    let bonus = |line: u64, paid_on: NaiveDate, cash: Yen, in_kind: Yen, first: Option<u32>, card: &str| BonusReport {
        line,
        person: person("ヨシダ　タロウ", None, d(1984, 5, 27)),
        paid_on,
        cash,
        in_kind,
        total: (cash + in_kind) / 1000 * 1000,
        first_payment_day: first,
        seventy_only: false,
        society: society(card),
    };
    vec![
        PayRecord::Annual(regular),
        PayRecord::Annual(part),
        PayRecord::Annual(short),
        PayRecord::Interim(interim_jan),
        PayRecord::Interim(interim_short),
        PayRecord::Bonus(bonus(11, d(2026, 7, 10), 444_444, 555_555, Some(5), "00000006")),
        PayRecord::Bonus(bonus(12, d(2026, 12, 4), 1_000_999, 0, None, "00000007")),
    ]
}

fn round_trip(layout: Layout, office: &str) {
    let filing = PayFiling {
        layout,
        created_on: d(2026, 7, 10),
        office: Office { number: office.into(), name: "株式会社健保商事".into() },
        records: all_kinds(layout, office),
    };
    let bytes = write_pay_filing(&filing).unwrap_or_else(|e| panic!("write: {e}"));
    let back = read_pay_filing(FILE, &bytes).unwrap_or_else(|e| panic!("read back: {e}"));
    assert_eq!(back.layout, filing.layout);
    assert_eq!(back.created_on, filing.created_on);
    assert_eq!(back.office, filing.office);
    assert_eq!(back.records.len(), filing.records.len());
    for (got, want) in back.records.iter().zip(&filing.records) {
        assert_eq!(got, want, "line {}", want.line());
    }
    assert_eq!(back, filing);
}

#[test]
fn shfd_round_trip_gives_back_every_record_kind() {
    round_trip(Layout::Pension, "12345");
}

#[test]
fn kpfd_round_trip_gives_back_every_record_kind_with_society_fields() {
    round_trip(Layout::Society, "K0012");
}

#[test]
fn written_lines_have_the_research_field_counts_and_positions() {
    let filing = PayFiling {
        layout: Layout::Pension,
        created_on: d(2026, 7, 10),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records: all_kinds(Layout::Pension, "12345"),
    };
    let bytes = write_pay_filing(&filing).unwrap();
    let (text, _, bad) = SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[1], "[kanri]");
    assert_eq!(lines[4], "[data]");
    let fields = |n: usize| lines[n].split(',').collect::<Vec<_>>();
    let annual = fields(5);
    assert_eq!(annual.len(), 53);
    assert_eq!(annual[0], "2225700");
    assert_eq!(&annual[9..12], ["9", "08", "09"]);
    assert_eq!(annual[12], "0410");
    assert_eq!(&annual[21..24], ["04", "05", "06"]);
    assert_eq!(&annual[24..27], ["03", "24", "17"]);
    assert_eq!(annual[36].trim_start_matches('0'), "1223443");
    assert_eq!(annual[37].trim_start_matches('0'), "611721");
    let interim = fields(8);
    assert_eq!(interim.len(), 49);
    assert_eq!(interim[0], "2221700");
    assert_eq!(&interim[9..12], ["9", "09", "01"]);
    assert_eq!(&interim[21..24], ["10", "11", "12"]);
    let bonus = fields(10);
    assert_eq!(bonus.len(), 21);
    assert_eq!(bonus[0], "2265700");
    assert_eq!(&bonus[9..11], ["9", "080710"]);
    assert_eq!(bonus[13].trim_start_matches('0'), "999000");
    assert_eq!(bonus[19], "05");
}

#[test]
fn written_seventy_only_line_reads_back_as_seventy_only() {
    // A line filed only for the 70歳以上被用者 must stay flagged, or the app books it for the
    // health insurance (crates/app skips lines with seventy_only()).
    let mut records = all_kinds(Layout::Pension, "12345");
    records.truncate(1);
    if let PayRecord::Annual(a) = &mut records[0] {
        a.seventy_only = true;
    }
    let filing = PayFiling {
        layout: Layout::Pension,
        created_on: d(2026, 7, 10),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records,
    };
    let bytes = write_pay_filing(&filing).unwrap_or_else(|e| panic!("write: {e}"));
    let back = read_pay_filing(FILE, &bytes).unwrap_or_else(|e| panic!("read back: {e}"));
    assert!(back.records[0].seventy_only(), "the writer dropped 70歳以上被用者届のみ提出");
}

#[test]
fn written_pay_of_ten_million_or_more_reads_back() {
    // Research §0/§1: amounts are at most 7 digits, 9999999 meaning 10,000,000円 or more. A month of
    // 12,000,000 and a bonus of 12,000,000 must still make a file the reader takes.
    let mut records = all_kinds(Layout::Pension, "12345");
    if let PayRecord::Annual(a) = &mut records[0] {
        a.months[2].cash = 12_000_000;
        a.months[2].in_kind = 0;
        a.total = 611_721 + 9_999_999;
        a.average = a.total / 2;
    }
    if let PayRecord::Bonus(b) = &mut records[6] {
        b.cash = 12_000_000;
        b.total = 12_000_000;
    }
    let filing = PayFiling {
        layout: Layout::Pension,
        created_on: d(2026, 7, 10),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records,
    };
    let bytes = write_pay_filing(&filing).unwrap_or_else(|e| panic!("write: {e}"));
    if let Err(e) = read_pay_filing(FILE, &bytes) {
        panic!("the writer's own file is refused: {e}");
    }
}

#[test]
fn writer_refuses_a_name_it_cannot_write_in_half_width_kana() {
    let mut records = all_kinds(Layout::Pension, "12345");
    if let PayRecord::Bonus(b) = &mut records[5] {
        b.person.kana = "吉田".into();
    }
    let filing = PayFiling {
        layout: Layout::Pension,
        created_on: d(2026, 7, 10),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records,
    };
    let e = write_pay_filing(&filing).unwrap_err();
    assert_eq!(e.line, 11);
    assert!(!e.to_string().contains("吉田"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// 6. 入金明細 CSV (crates/formats/src/payments.rs).

const PAY_FILE: &str = "nyukin.csv";
const PAY_HEADER: &str = "入金日,振込依頼人コード,振込依頼人名,金額";

fn pay_csv(rows: &[&str]) -> String {
    let mut s = format!("{PAY_HEADER}\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s
}

fn pay_refused(bytes: &[u8]) -> PaymentCsvError {
    match read_payments(PAY_FILE, bytes) {
        Ok(rows) => panic!("accepted a file that must be refused ({} rows)", rows.len()),
        Err(e) => e,
    }
}

/// The refusal names `file:line`, the column, and none of `secrets`.
fn assert_pay_names(e: &PaymentCsvError, line: u64, column: &str, secrets: &[&str]) {
    let shown = e.to_string();
    match e {
        PaymentCsvError::Field { file, line: l, column: c, .. } => {
            assert_eq!(file, PAY_FILE, "{shown}");
            assert_eq!(*l, line, "{shown}");
            assert_eq!(*c, column, "{shown}");
        }
        other => panic!("not a field error: {other}"),
    }
    assert!(shown.contains(&format!("{PAY_FILE}:{line}:")), "{shown}");
    assert!(shown.contains(column), "{shown}");
    let debug = format!("{e:?}");
    for s in secrets {
        assert!(!shown.contains(s), "the error shows {s:?}: {shown}");
        assert!(!debug.contains(s), "the error's Debug shows {s:?}: {debug}");
    }
}

#[test]
fn utf8_payments_with_a_bom_read_with_both_date_forms() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(
        pay_csv(&["2026-04-30,E0012345,ｶ)ｹﾝﾎﾟｼｮｳｼﾞ,1234567", "20260501,V00001234,ﾀﾅｶ ﾊﾅｺ,15000", "2026-05-07,K12,,1"])
            .as_bytes(),
    );
    let rows = read_payments(PAY_FILE, &bytes).unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(
        rows,
        [
            PaymentRow { line: 2, paid_on: d(2026, 4, 30), payer: "E0012345".into(), amount: 1_234_567 },
            PaymentRow { line: 3, paid_on: d(2026, 5, 1), payer: "V00001234".into(), amount: 15_000 },
            PaymentRow { line: 4, paid_on: d(2026, 5, 7), payer: "K12".into(), amount: 1 },
        ]
    );
}

#[test]
fn shift_jis_payments_read_and_the_upper_bound_is_taken() {
    let text =
        pay_csv(&["2026-04-30,E0012345,ｶ)ｹﾝﾎﾟｼｮｳｼﾞ,100000000000", "2026-04-30,ABCDEFGH12345678,健保商事株式会社,2"]);
    let bytes = sjis(&text);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file must not be UTF-8");
    let rows = read_payments(PAY_FILE, &bytes).unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].amount, 100_000_000_000);
    assert_eq!(rows[1].payer, "ABCDEFGH12345678");
    assert_eq!(rows[1].line, 3);
}

#[test]
fn payment_amount_refusals_name_the_line_and_column_not_the_value() {
    for (amount, secret) in [
        ("-12345", "12345"),
        ("\"12,345\"", "12,345"),
        ("00000", "00000"),
        ("100000000001", "100000000001"),
        ("1234.5", "1234.5"),
        ("", ""),
    ] {
        let text = pay_csv(&["2026-04-30,E0012345,ｹﾝﾎﾟ,1000", &format!("2026-04-30,E0012345,ｹﾝﾎﾟ,{amount}")]);
        let e = pay_refused(text.as_bytes());
        let secrets: Vec<&str> = if secret.is_empty() { vec![] } else { vec![secret] };
        assert_pay_names(&e, 3, "金額", &secrets);
    }
}

#[test]
fn payment_date_payer_and_name_refusals_name_the_line_and_column() {
    let e = pay_refused(pay_csv(&["2026-02-30,E0012345,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "入金日", &["2026-02-30"]);
    let e = pay_refused(pay_csv(&["2026/04/30,E0012345,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "入金日", &["2026/04/30"]);
    let e = pay_refused(pay_csv(&["20260431,E0012345,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "入金日", &["20260431"]);
    let e = pay_refused(pay_csv(&["2026-04-30,E0012345,ｹﾝﾎﾟ,1000", "2026-04-30,AB-1234,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 3, "振込依頼人コード", &["AB-1234"]);
    let e = pay_refused(pay_csv(&["2026-04-30,ABCDEFGHIJ1234567,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "振込依頼人コード", &["ABCDEFGHIJ1234567"]);
    let e = pay_refused(pay_csv(&["2026-04-30,,ｹﾝﾎﾟ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "振込依頼人コード", &[]);
    let e = pay_refused(pay_csv(&["2026-04-30,E0012345,ﾀﾅｶ\tｼｮｳｼﾞ,1000"]).as_bytes());
    assert_pay_names(&e, 2, "振込依頼人名", &["ﾀﾅｶ", "ｼｮｳｼﾞ"]);
    let e = pay_refused(pay_csv(&[&format!("2026-04-30,E0012345,{},1000", "ｱ".repeat(61))]).as_bytes());
    assert_pay_names(&e, 2, "振込依頼人名", &["ｱｱｱ"]);
}

#[test]
fn payment_file_shape_refusals() {
    // Extra column (an unquoted thousands separator makes one too).
    let e = pay_refused(pay_csv(&["2026-04-30,E0012345,ｹﾝﾎﾟ,1000,ﾒﾓ"]).as_bytes());
    assert_pay_names(&e, 2, "行", &["ﾒﾓ"]);
    let e = pay_refused(pay_csv(&["2026-04-30,E0012345,ｹﾝﾎﾟ,1000", "2026-04-30,E0012345,ｹﾝﾎﾟ,12,345"]).as_bytes());
    assert_pay_names(&e, 3, "行", &["12,345"]);
    // Wrong header: a file error naming the file, not the header it found.
    let e = pay_refused("日付,コード,名前,金額\r\n2026-04-30,E0012345,ｹﾝﾎﾟ,1000\r\n".as_bytes());
    match &e {
        PaymentCsvError::File { file, .. } => assert_eq!(file, PAY_FILE),
        other => panic!("not a file error: {other}"),
    }
    assert!(e.to_string().starts_with(&format!("{PAY_FILE}:")), "{e}");
    assert!(!e.to_string().contains("日付"), "{e}");
    // Header only: no payments.
    let e = pay_refused(pay_csv(&[]).as_bytes());
    assert!(matches!(&e, PaymentCsvError::File { file, .. } if file == PAY_FILE), "{e}");
    // Empty bytes.
    let e = pay_refused(b"");
    assert!(matches!(&e, PaymentCsvError::File { file, .. } if file == PAY_FILE), "{e}");
}

#[test]
fn payment_refusal_after_a_blank_line_names_the_physical_line() {
    // Line 1 header, line 2 a payment, line 3 blank, line 4 the bad amount.
    let text = format!("{PAY_HEADER}\r\n2026-04-30,E0012345,ｹﾝﾎﾟ,1000\r\n\r\n2026-04-30,E0012345,ｹﾝﾎﾟ,-5\r\n");
    let e = pay_refused(text.as_bytes());
    assert_pay_names(&e, 4, "金額", &[]);
}
