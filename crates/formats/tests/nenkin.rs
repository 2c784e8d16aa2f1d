//! 日本年金機構 電子媒体届書 CSV (`kenpo_formats::nenkin`), checked against the layout in
//! docs/research/eligibility-filings.md §1–§2, not against the reader's own constants.
//!
//! Files are laid out by hand: every data field is set by the number the research table gives
//! it (1-based; `Rec::set(18, …)` is research field 18, the reader's index 17), then the line is
//! encoded with `encoding_rs::SHIFT_JIS`. Round trips through `write_filing` come last.

use chrono::NaiveDate;
use encoding_rs::SHIFT_JIS;
use kenpo_domain::MyNumber;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{Relationship, Sex};
use kenpo_formats::nenkin::{
    Acquisition, DependantChange, DependantFiling, FiledDependant, FiledPerson, Filing, FilingError, FilingRecord,
    Layout, Loss, MAX_FILE_BYTES, Office, SocietyFields, read_filing, write_filing,
};

const FILE: &str = "SHFD0006.CSV";
/// Valid 個人番号: the worked example of crates/domain/src/mynumber.rs (Σ = 212, 212 mod 11 = 3,
/// check digit 11 − 3 = 8).
const MEMBER_NUMBER: &str = "123456789018";
/// 2345678901 + check digit: from the right P = 2 1 0 9 8 7 6 5 4 3 2, Q = 2 3 4 5 6 7 2 3 4 5 6,
/// Σ = 4+3+0+45+48+49+12+15+16+15+12 = 219, 219 mod 11 = 10, check digit 11 − 10 = 1.
const SPOUSE_NUMBER: &str = "234567890121";
/// 0000000000 1 + check digit: Σ = 1·2 = 2, check digit 11 − 2 = 9.
const CHILD_NUMBER: &str = "000000000019";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
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
    fn set(self, no: usize, value: &str) -> Self {
        self.set_bytes(no, &sjis(value))
    }
    fn set_bytes(mut self, no: usize, bytes: &[u8]) -> Self {
        assert!(no >= 1 && no <= self.0.len(), "field {no} of {}", self.0.len());
        self.0[no - 1] = bytes.to_vec();
        self
    }
    /// The three 健保組合 fields a KPFD data line ends in (research §3): 事業所番号（健保組合）,
    /// 被保険者証番号（健保組合）, 健保固有項目.
    fn society(mut self, office: &str, card: &str, own: &str) -> Self {
        self.0.extend([sjis(office), sjis(card), sjis(own)]);
        self
    }
    /// Drops the last field (a line one field short).
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

/// SHFD0006 header (research §1): 媒体管理レコード with the spec's example codes, [kanri], the
/// office count, the 12-field office line, [data].
fn shfd_header() -> Vec<Vec<u8>> {
    vec![
        sjis("21,01,ｹｲﾄ,001,20260405,22223"),
        sjis("[kanri]"),
        sjis(",001"),
        sjis("21,01,ｹｲﾄ,12345,100,0001,東京都千代田区霞が関一丁目,株式会社健保商事,山田　一郎,03,1234,5678"),
        sjis("[data]"),
    ]
}

/// KPFD0006 header (research §3): line 1 = 健保組合の事業所番号, 媒体通番, 作成年月日, (empty),
/// 固有項目 ×4 (8 fields); line 4 = 事業所番号（健保組合）, 郵便番号 親・子, 所在地, 名称,
/// 事業主氏名, 局番1–3 (9 fields).
fn kpfd_header() -> Vec<Vec<u8>> {
    vec![
        sjis("K0012,001,20260405,,,,,"),
        sjis("[kanri]"),
        sjis(",001"),
        sjis("K0012,100,0001,東京都千代田区霞が関一丁目,株式会社健保商事,山田　一郎,03,1234,5678"),
        sjis("[data]"),
    ]
}

fn file_with(header: Vec<Vec<u8>>, records: &[Rec], eol: &[u8]) -> Vec<u8> {
    let mut lines = header;
    lines.extend(records.iter().map(Rec::bytes));
    let mut out = lines.join(eol);
    out.extend_from_slice(eol);
    out
}

fn shfd(records: &[Rec]) -> Vec<u8> {
    file_with(shfd_header(), records, b"\r\n")
}

fn read(bytes: &[u8]) -> Filing {
    match read_filing(FILE, bytes) {
        Ok(f) => f,
        Err(e) => panic!("refused: {e}"),
    }
}

fn refused(bytes: &[u8]) -> FilingError {
    match read_filing(FILE, bytes) {
        Ok(f) => panic!("accepted a file that must be refused ({} records)", f.records.len()),
        Err(e) => e,
    }
}

/// The error names `line` and `column` (both in the struct and in its text), and none of the
/// `secrets` appears in its text or its Debug.
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

/// 資格取得届 `2200700`, 34 fields (research §2.1), for 山田 太郎 born 昭和51年4月1日, acquiring
/// on 令和8年4月1日 at 300000 yen a month, with a 個人番号 (so no address) and 資格確認書 wanted.
fn acquisition_rec() -> Rec {
    Rec::new(34)
        .set(1, "2200700")
        .set(2, "21")
        .set(3, "01")
        .set(4, "ｹｲﾄ")
        .set(5, "12345")
        .set(7, "ﾔﾏﾀﾞ ﾀﾛｳ")
        .set(8, "山田　太郎")
        .set(9, "5")
        .set(10, "510401")
        .set(11, "1")
        .set(12, "1")
        .set(13, MEMBER_NUMBER)
        .set(18, "9")
        .set(19, "080401")
        .set(20, "0")
        .set(21, "300000")
        .set(22, "0")
        .set(23, "300000")
        .set(34, "1")
}

/// 資格喪失届 `2201700`, 27 fields (research §2.2): 4 退職等, 退職日 令和8年3月31日, 喪失日
/// 令和8年4月1日, one 資格確認書 returned.
fn loss_rec() -> Rec {
    Rec::new(27)
        .set(1, "2201700")
        .set(2, "21")
        .set(3, "01")
        .set(4, "ｹｲﾄ")
        .set(5, "12345")
        .set(7, "ﾔﾏﾀﾞ ﾀﾛｳ")
        .set(8, "山田　太郎")
        .set(9, "5")
        .set(10, "510401")
        .set(11, MEMBER_NUMBER)
        .set(14, "9")
        .set(15, "080401")
        .set(16, "4")
        .set(17, "9")
        .set(18, "080331")
        .set(22, "1")
}

/// 被扶養者（異動）届 `2202700`, 139 fields (research §2.3): 該当 (field 21 = 1) of a wife in the
/// spouse block (fields 22–69) and a son in その他の被扶養者1 (fields 70–102).
fn dependants_rec() -> Rec {
    Rec::new(139)
        .set(1, "2202700")
        .set(2, "21")
        .set(3, "01")
        .set(4, "ｹｲﾄ")
        .set(5, "1") // 事業主確認欄
        .set(9, "ﾔﾏﾀﾞ ﾀﾛｳ")
        .set(10, "山田　太郎")
        .set(11, "5")
        .set(12, "510401")
        .set(13, "1")
        .set(14, MEMBER_NUMBER)
        .set(21, "1") // 異動の別: 該当
        // Spouse block.
        .set(24, "ﾔﾏﾀﾞ ﾊﾅｺ")
        .set(25, "山田　花子")
        .set(26, "5")
        .set(27, "530710") // 昭和53年7月10日 = 1978-07-10
        .set(28, "2") // 続柄: 妻
        .set(29, SPOUSE_NUMBER)
        .set(35, "1") // 同居
        .set(37, "100")
        .set(38, "0001")
        .set(39, "東京都千代田区霞が関一丁目")
        .set(44, "9")
        .set(45, "080401") // 被扶養者になった日
        .set(46, "2") // 婚姻
        .set(48, "1") // 無職
        .set(49, "0") // 収入
        // その他の被扶養者1: field 70 = +0 (被扶養者番号, always empty).
        .set(71, "ﾔﾏﾀﾞ ｲﾁﾛｳ") // +1
        .set(72, "山田　一郎") // +2
        .set(73, "9") // +3
        .set(74, "060315") // +4: 令和6年3月15日 = 2024-03-15
        .set(75, "1") // +5 性別
        .set(76, "01") // +6 続柄コード: 実子・養子
        .set(78, CHILD_NUMBER) // +8
        .set(79, "1") // +9 同居
        .set(80, "100") // +10
        .set(81, "0001") // +11
        .set(82, "東京都千代田区霞が関一丁目") // +12
        .set(90, "9") // +20
        .set(91, "080401") // +21 被扶養者になった日
        .set(92, "4") // +22 職業: 小・中学生以下
        .set(94, "0") // +24 収入
        .set(95, "1") // +25 になった理由: 出生
        .set(137, "1") // 資格確認書発行要否（配偶者）
        .set(138, "1") // 資格確認書発行要否（その他1）
}

fn only(filing: &Filing) -> &FilingRecord {
    assert_eq!(filing.records.len(), 1);
    &filing.records[0]
}

// 1. 資格取得届, SHFD.

#[test]
fn hand_built_shfd_acquisition_reads_names_dates_pay_sex_and_certificate() {
    // Second person: a woman (種別 2) without a 個人番号, so 郵便番号 (29–30) and 住所（漢字）(32)
    // are given; no 資格確認書 (field 34 empty).
    let second = acquisition_rec()
        .set(7, "ｽｽﾞｷ ﾊﾅｺ")
        .set(8, "鈴木　花子")
        .set(9, "7")
        .set(10, "040229") // 平成4年2月29日 = 1992-02-29
        .set(11, "2")
        .set(13, "")
        .set(21, "250000")
        .set(22, "12000")
        .set(23, "262000")
        .set(29, "150")
        .set(30, "0001")
        .set(32, "東京都渋谷区神宮前一丁目")
        .set(34, "");
    let bytes = shfd(&[acquisition_rec(), second]);
    let filing = read(&bytes);
    assert_eq!(filing.layout, Layout::Pension);
    assert_eq!(filing.created_on, d(2026, 4, 5));
    assert_eq!(filing.office, Office { number: "12345".into(), name: "株式会社健保商事".into() });
    assert_eq!(filing.records.len(), 2);

    let FilingRecord::Acquisition(a) = &filing.records[0] else { panic!("not an acquisition") };
    assert_eq!(a.line, 6, "the first data line is line 6 of the file");
    assert_eq!(a.person.kana, "ヤマダ\u{3000}タロウ", "half-width kana stored full-width, space as U+3000");
    assert_eq!(a.person.kanji.as_deref(), Some("山田　太郎"));
    assert_eq!(a.person.birth, d(1976, 4, 1), "昭和51年4月1日 (元号 5, 510401)");
    assert_eq!(a.person.my_number.as_ref().map(MyNumber::expose_digits).as_deref(), Some(MEMBER_NUMBER));
    assert_eq!(a.acquired_on, d(2026, 4, 1), "令和8年4月1日 (元号 9, 080401)");
    assert_eq!(a.monthly_pay, 300_000, "報酬月額 合計 = 通貨 300000 + 現物 0");
    assert_eq!(a.sex, Sex::Male, "種別 1 男");
    assert!(!a.has_dependants, "被扶養者の有無 0");
    assert_eq!(a.postal_code, None);
    assert_eq!(a.address, None);
    assert!(a.certificate, "field 34 資格確認書発行要否 = 1");
    assert_eq!(a.society, SocietyFields::default(), "SHFD has no society fields");

    let FilingRecord::Acquisition(b) = &filing.records[1] else { panic!("not an acquisition") };
    assert_eq!(b.line, 7);
    assert_eq!(b.person.kana, "スズキ\u{3000}ハナコ");
    assert_eq!(b.person.birth, d(1992, 2, 29), "平成4年2月29日 (元号 7)");
    assert!(b.person.my_number.is_none());
    assert_eq!(b.sex, Sex::Female, "種別 2 女");
    assert_eq!(b.monthly_pay, 262_000, "合計 = 通貨 250000 + 現物 12000");
    assert_eq!(b.postal_code.as_deref(), Some("150-0001"));
    assert_eq!(b.address.as_deref(), Some("東京都渋谷区神宮前一丁目"));
    assert!(!b.certificate, "field 34 empty: no 資格確認書");
}

#[test]
fn acquisition_kind_codes_for_funds_and_mine_workers_read_as_sex() {
    // 5 男(基金), 6 女(基金), 3 坑内員, 7 坑内員(基金) (research §2.1 field 11).
    for (code, sex) in
        [("1", Sex::Male), ("2", Sex::Female), ("3", Sex::Male), ("5", Sex::Male), ("6", Sex::Female), ("7", Sex::Male)]
    {
        let filing = read(&shfd(&[acquisition_rec().set(11, code)]));
        let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
        assert_eq!(a.sex, sex, "種別 {code}");
    }
    let e = refused(&shfd(&[acquisition_rec().set(11, "4")]));
    assert_names(&e, 6, "種別", &[]);
}

#[test]
fn acquisition_without_my_number_needs_an_address() {
    // Research §2.1 fields 29–32: required if 13 (個人番号) is empty.
    let e = refused(&shfd(&[acquisition_rec().set(13, "")]));
    assert_eq!(e.line, 6);
    assert!(e.field.contains("住所") || e.field.contains("郵便番号"), "{e}");
}

// 2. KPFD.

#[test]
fn hand_built_kpfd_reads_the_society_tail_of_every_record_kind() {
    let acq = acquisition_rec().society("K0012", "1234", "");
    assert_eq!(acq.len(), 37, "34 + 3 society fields");
    let loss = loss_rec().society("K0012", "1235", "");
    assert_eq!(loss.len(), 30, "27 + 3");
    let deps = dependants_rec().society("K0012", "1234", "");
    assert_eq!(deps.len(), 142, "139 + 3");
    let bytes = file_with(kpfd_header(), &[acq, loss, deps], b"\r\n");
    let filing = read(&bytes);
    assert_eq!(filing.layout, Layout::Society);
    assert_eq!(filing.created_on, d(2026, 4, 5), "作成年月日 is field 3 of the KPFD line 1");
    assert_eq!(filing.office.number, "K0012", "事業所番号（健保組合）, field 1 of the KPFD office line");
    assert_eq!(filing.office.name, "株式会社健保商事", "事業所名称, field 5 of the KPFD office line");
    assert_eq!(filing.records.len(), 3);
    let tail = |r: &FilingRecord| match r {
        FilingRecord::Acquisition(a) => a.society.clone(),
        FilingRecord::Loss(l) => l.society.clone(),
        FilingRecord::Dependants(d) => d.society.clone(),
    };
    let want = |card: &str| SocietyFields { office: Some("K0012".into()), card_number: Some(card.into()) };
    assert_eq!(tail(&filing.records[0]), want("1234"));
    assert_eq!(tail(&filing.records[1]), want("1235"));
    assert_eq!(tail(&filing.records[2]), want("1234"));
    // The 年金 fields before the tail still read from their research positions.
    let FilingRecord::Acquisition(a) = &filing.records[0] else { panic!() };
    assert_eq!(a.acquired_on, d(2026, 4, 1));
    assert!(a.certificate, "field 34 is still 資格確認書発行要否 in KPFD");
    let FilingRecord::Loss(l) = &filing.records[1] else { panic!() };
    assert_eq!(l.lost_on, d(2026, 4, 1));
}

#[test]
fn kpfd_tail_fields_may_be_empty() {
    let bytes = file_with(kpfd_header(), &[acquisition_rec().society("", "", "")], b"\r\n");
    let filing = read(&bytes);
    let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
    assert_eq!(a.society, SocietyFields::default());
}

#[test]
fn shfd_line_in_a_kpfd_file_and_kpfd_line_in_a_shfd_file_are_refused_by_field_count() {
    let e = refused(&file_with(kpfd_header(), &[acquisition_rec()], b"\r\n"));
    assert_eq!(e.line, 6);
    assert!(e.problem.contains("34") && e.problem.contains("37"), "{e}");
    let e = refused(&shfd(&[acquisition_rec().society("K0012", "1234", "")]));
    assert_eq!(e.line, 6);
    assert!(e.problem.contains("37") && e.problem.contains("34"), "{e}");
}

// 3. 資格喪失届.

#[test]
fn loss_for_retirement_reads_with_the_day_after_as_loss_day() {
    let filing = read(&shfd(&[loss_rec()]));
    let FilingRecord::Loss(l) = only(&filing) else { panic!("not a loss") };
    assert_eq!(l.line, 6);
    assert_eq!(l.person.kana, "ヤマダ\u{3000}タロウ");
    assert_eq!(l.person.birth, d(1976, 4, 1));
    assert_eq!(l.reason, LossReason::Retirement, "喪失原因 4 退職等");
    assert_eq!(l.event_day, d(2026, 3, 31), "退職日 令和8年3月31日");
    assert_eq!(l.lost_on, d(2026, 4, 1), "喪失日 令和8年4月1日");
    assert_eq!(l.cards_returned, 1, "field 22 資格確認書回収（添付）");
    assert_eq!(l.cards_unreturnable, 0);
}

#[test]
fn loss_on_the_retirement_day_itself_is_refused_naming_the_loss_date() {
    let e = refused(&shfd(&[loss_rec().set(15, "080331")]));
    assert_names(&e, 6, "資格喪失年月日", &["080331"]);
}

#[test]
fn loss_for_death_needs_the_day_after_death() {
    let ok = loss_rec().set(16, "5").set(17, "9").set(18, "080410").set(14, "9").set(15, "080411");
    let filing = read(&shfd(&[ok]));
    let FilingRecord::Loss(l) = only(&filing) else { panic!() };
    assert_eq!((l.reason, l.event_day, l.lost_on), (LossReason::Death, d(2026, 4, 10), d(2026, 4, 11)));
    let e = refused(&shfd(&[loss_rec().set(16, "5").set(18, "080410").set(15, "080412")]));
    assert_names(&e, 6, "資格喪失年月日", &["080410", "080412"]);
}

#[test]
fn loss_for_retirement_without_the_retirement_day_is_refused() {
    let e = refused(&shfd(&[loss_rec().set(17, "").set(18, "")]));
    assert_names(&e, 6, "退職日死亡日", &[]);
}

#[test]
fn loss_at_75_reads_on_the_birthday_and_is_refused_the_day_before() {
    // 昭和26年5月1日 = 1951-05-01; the 75th birthday is 令和8年5月1日 (2026-05-01).
    let at75 = |day: &str| loss_rec().set(10, "260501").set(16, "7").set(17, "").set(18, "").set(15, day).set(22, "");
    let filing = read(&shfd(&[at75("080501")]));
    let FilingRecord::Loss(l) = only(&filing) else { panic!() };
    assert_eq!(l.person.birth, d(1951, 5, 1));
    assert_eq!(l.reason, LossReason::Age75);
    assert_eq!(l.lost_on, d(2026, 5, 1));
    assert_eq!(l.event_day, l.lost_on, "no 退職日死亡日 for 7: the event day is the 喪失日");

    let e = refused(&shfd(&[at75("080430")]));
    assert_names(&e, 6, "資格喪失年月日", &["080430", "260501"]);
}

#[test]
fn loss_reason_6_is_refused_naming_the_reason_column() {
    // Research §2.2 field 16: 4, 5, 7, 9, 11 only.
    let e = refused(&shfd(&[loss_rec().set(16, "6")]));
    assert_names(&e, 6, "喪失（不該当）原因", &[]);
    for code in ["9", "11"] {
        let filing = read(&shfd(&[loss_rec().set(16, code).set(17, "").set(18, "")]));
        let FilingRecord::Loss(l) = only(&filing) else { panic!() };
        assert_eq!(l.reason.filing_code(), Some(code));
        assert_eq!(l.event_day, l.lost_on);
    }
}

#[test]
fn loss_without_my_number_needs_the_basic_pension_number() {
    // Research §2.2 fields 12–13: required if 11 is empty.
    let e = refused(&shfd(&[loss_rec().set(11, "")]));
    assert_names(&e, 6, "基礎年金番号", &[]);
    let filing = read(&shfd(&[loss_rec().set(11, "").set(12, "1234").set(13, "567890")]));
    let FilingRecord::Loss(l) = only(&filing) else { panic!() };
    assert!(l.person.my_number.is_none());
}

// 4. 被扶養者（異動）届.

#[test]
fn dependants_line_reads_the_spouse_block_and_the_first_other_block() {
    let filing = read(&shfd(&[dependants_rec()]));
    let FilingRecord::Dependants(f) = only(&filing) else { panic!("not a dependants filing") };
    assert_eq!(f.line, 6);
    assert_eq!(f.member.kana, "ヤマダ\u{3000}タロウ");
    assert_eq!(f.member.birth, d(1976, 4, 1));
    assert_eq!(f.member_sex, Sex::Male);
    assert_eq!(f.change, DependantChange::Added);
    assert_eq!(f.dependants.len(), 2, "the spouse and one other; その他2 (103–135) is empty");

    let wife = &f.dependants[0];
    assert!(wife.spouse);
    assert_eq!(wife.relationship, Relationship::Spouse);
    assert_eq!(wife.sex, Some(Sex::Female), "field 28 = 2 妻");
    assert_eq!(wife.person.kana, "ヤマダ\u{3000}ハナコ");
    assert_eq!(wife.person.kanji.as_deref(), Some("山田　花子"));
    assert_eq!(wife.person.birth, d(1978, 7, 10));
    assert_eq!(wife.person.my_number.as_ref().map(MyNumber::expose_digits).as_deref(), Some(SPOUSE_NUMBER));
    assert_eq!(wife.cohabiting, Some(true), "field 35 = 1 同居");
    assert_eq!(wife.since, Some(d(2026, 4, 1)), "fields 44–45 被扶養者になった日");
    assert_eq!(wife.until, None);
    assert_eq!(wife.income, Some(0), "field 49");
    assert!(wife.certificate, "field 137");

    let son = &f.dependants[1];
    assert!(!son.spouse);
    assert_eq!(son.relationship, Relationship::Child, "続柄コード 01 実子・養子");
    assert_eq!(son.sex, Some(Sex::Male));
    assert_eq!(son.person.kana, "ヤマダ\u{3000}イチロウ");
    assert_eq!(son.person.birth, d(2024, 3, 15), "令和6年3月15日");
    assert_eq!(son.person.my_number.as_ref().map(MyNumber::expose_digits).as_deref(), Some(CHILD_NUMBER));
    assert_eq!(son.cohabiting, Some(true));
    assert_eq!(son.since, Some(d(2026, 4, 1)), "+20/+21 (fields 90–91)");
    assert_eq!(son.income, Some(0), "+24 (field 94)");
    assert!(son.certificate, "field 138");
}

#[test]
fn spouse_field_28_is_the_relationship_and_unregistered_marriage_is_still_a_spouse() {
    // 1 夫, 2 妻, 3 夫（未届）, 4 妻（未届）.
    for (code, sex) in [("1", Sex::Male), ("2", Sex::Female), ("3", Sex::Male), ("4", Sex::Female)] {
        let filing = read(&shfd(&[dependants_rec().set(28, code)]));
        let FilingRecord::Dependants(f) = only(&filing) else { panic!() };
        assert_eq!(f.dependants[0].relationship, Relationship::Spouse, "code {code}");
        assert_eq!(f.dependants[0].sex, Some(sex), "code {code}");
    }
    let e = refused(&shfd(&[dependants_rec().set(28, "5")]));
    assert_eq!(e.line, 6);
}

#[test]
fn other_dependant_relationship_codes_follow_the_research_table() {
    for (code, rel) in [
        ("01", Relationship::Child),
        ("02", Relationship::Child),
        ("03", Relationship::Parent),
        ("04", Relationship::Parent),
        ("05", Relationship::Sibling),
        ("06", Relationship::Sibling),
        ("07", Relationship::Grandparent),
        ("08", Relationship::Grandparent),
        ("09", Relationship::Grandchild),
        ("10", Relationship::Other),
    ] {
        let filing = read(&shfd(&[dependants_rec().set(76, code)]));
        let FilingRecord::Dependants(f) = only(&filing) else { panic!() };
        assert_eq!(f.dependants[1].relationship, rel, "続柄コード {code}");
    }
    for bad in ["1", "00", "11"] {
        let e = refused(&shfd(&[dependants_rec().set(76, bad)]));
        assert_eq!(e.line, 6);
        assert!(e.field.contains("続柄"), "{e}");
    }
}

#[test]
fn second_other_block_starts_at_field_103() {
    // その他2: +1 カナ = field 104, +6 続柄 = 109, +20/+21 = 123–124; 資格確認書 = field 139.
    let rec = dependants_rec()
        .set(104, "ﾔﾏﾀﾞ ｳﾒ")
        .set(106, "5")
        .set(107, "200101")
        .set(108, "2")
        .set(109, "03")
        .set(123, "9")
        .set(124, "080402")
        .set(139, "1");
    let filing = read(&shfd(&[rec]));
    let FilingRecord::Dependants(f) = only(&filing) else { panic!() };
    assert_eq!(f.dependants.len(), 3);
    let mother = &f.dependants[2];
    assert_eq!(mother.person.kana, "ヤマダ\u{3000}ウメ");
    assert_eq!(mother.person.birth, d(1945, 1, 1), "昭和20年1月1日");
    assert_eq!(mother.sex, Some(Sex::Female));
    assert_eq!(mother.relationship, Relationship::Parent);
    assert_eq!(mother.since, Some(d(2026, 4, 2)));
    assert!(mother.certificate);
    assert!(mother.person.my_number.is_none());
}

#[test]
fn added_dependant_without_the_day_they_became_one_is_refused() {
    // Research §2.3: 被扶養者になった日 required for 該当 (spouse 44–45, other +20/+21).
    let e = refused(&shfd(&[dependants_rec().set(90, "").set(91, "")]));
    assert_names(&e, 6, "被扶養者になった日", &[]);
    let e = refused(&shfd(&[dependants_rec().set(44, "").set(45, "")]));
    assert_names(&e, 6, "被扶養者になった日", &[]);
}

#[test]
fn removed_dependant_needs_the_day_they_stopped_being_one() {
    // 非該当 (field 21 = 2) of the son: +27/+28 (fields 97–98) 被扶養者でなくなった日, +29 理由.
    let base = Rec::new(139)
        .set(1, "2202700")
        .set(2, "21")
        .set(3, "01")
        .set(4, "ｹｲﾄ")
        .set(5, "1")
        .set(9, "ﾔﾏﾀﾞ ﾀﾛｳ")
        .set(11, "5")
        .set(12, "510401")
        .set(13, "1")
        .set(14, MEMBER_NUMBER)
        .set(21, "2")
        .set(71, "ﾔﾏﾀﾞ ｲﾁﾛｳ")
        .set(73, "9")
        .set(74, "060315")
        .set(76, "01")
        .set(80, "100")
        .set(81, "0001")
        .set(82, "東京都千代田区霞が関一丁目");
    let e = refused(&shfd(std::slice::from_ref(&base)));
    assert_names(&e, 6, "被扶養者でなくなった日", &[]);
    let filing = read(&shfd(&[base.set(97, "9").set(98, "080930").set(99, "2")]));
    let FilingRecord::Dependants(f) = only(&filing) else { panic!() };
    assert_eq!(f.change, DependantChange::Removed);
    assert_eq!(f.dependants.len(), 1);
    assert_eq!(f.dependants[0].until, Some(d(2026, 9, 30)));
    assert_eq!(f.dependants[0].removal_reason.as_deref(), Some("2"), "+29 でなくなった理由 2 就職");
    assert_eq!(f.dependants[0].since, None);
}

#[test]
fn dependants_line_naming_nobody_is_refused() {
    let mut rec = dependants_rec();
    for no in [24, 71] {
        rec = rec.set(no, "");
    }
    let e = refused(&shfd(&[rec]));
    assert_eq!(e.line, 6);
}

// 5. Refusals: line, column, and never the value.

#[test]
fn thirty_three_field_acquisition_is_refused_naming_the_line() {
    let e = refused(&shfd(&[acquisition_rec(), acquisition_rec().truncated()]));
    assert_names(&e, 7, "様式コード", &[]);
    assert!(e.problem.contains("33") && e.problem.contains("34"), "{e}");
}

#[test]
fn unknown_form_code_is_refused() {
    // 2225700 is the 算定基礎届: a real code this reader does not take.
    for code in ["2225700", "2200701", ""] {
        let e = refused(&shfd(&[acquisition_rec().set(1, code)]));
        let secrets: &[&str] = if code.is_empty() { &[] } else { &[code] };
        assert_names(&e, 6, "様式コード", secrets);
    }
}

#[test]
fn receipt_era_code_4_is_refused_in_a_filing() {
    // 4 is 平成 in 電子レセプト, not a 年金機構 code (research §1: 1/3/5/7/9).
    let e = refused(&shfd(&[acquisition_rec().set(9, "4").set(10, "080101")]));
    assert_names(&e, 6, "生年月日", &["080101"]);
    let e = refused(&shfd(&[acquisition_rec().set(18, "4")]));
    assert_names(&e, 6, "資格取得年月日", &["080401"]);
}

#[test]
fn event_dates_take_only_heisei_or_reiwa() {
    // Research §1: 取得・喪失 accept only 7 or 9. 昭和63年4月1日 is a real day, of the wrong era.
    let e = refused(&shfd(&[acquisition_rec().set(18, "5").set(19, "630401")]));
    assert_names(&e, 6, "資格取得年月日", &["630401"]);
    let filing = read(&shfd(&[acquisition_rec().set(18, "7").set(19, "310401")]));
    let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
    assert_eq!(a.acquired_on, d(2019, 4, 1), "平成31年4月1日");
}

#[test]
fn heisei_31_may_1_is_not_a_day() {
    // 令和 began on 2019-05-01, so 平成31年5月1日 does not exist; 平成31年4月30日 does.
    let e = refused(&shfd(&[acquisition_rec().set(18, "7").set(19, "310501")]));
    assert_names(&e, 6, "資格取得年月日", &["310501"]);
    let filing = read(&shfd(&[acquisition_rec().set(18, "7").set(19, "310430")]));
    let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
    assert_eq!(a.acquired_on, d(2019, 4, 30));
    let filing = read(&shfd(&[acquisition_rec().set(18, "9").set(19, "010501")]));
    let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
    assert_eq!(a.acquired_on, d(2019, 5, 1), "令和元年5月1日");
}

#[test]
fn impossible_days_are_refused() {
    for yymmdd in ["080431", "081301", "080400", "08041", "0804011", "08O401"] {
        let e = refused(&shfd(&[acquisition_rec().set(19, yymmdd)]));
        assert_names(&e, 6, "資格取得年月日", &[]);
    }
}

#[test]
fn nec_special_character_in_the_kanji_name_is_refused() {
    // ① is NEC row 13 (Shift_JIS 0x87 0x40), outside JIS X 0208 (research §1: cp932 extensions
    // are rejected). The name is field 8.
    let mut name = sjis("山田");
    name.extend_from_slice(&[0x87, 0x40]);
    let e = refused(&shfd(&[acquisition_rec().set_bytes(8, &name)]));
    assert_names(&e, 6, "項目8", &["山田", "①"]);
    // IBM extension (0xFA 0x40, ⅰ) and NEC-selected IBM extension (0xED 0x40) alike.
    for ext in [[0xFA, 0x40], [0xED, 0x40]] {
        let mut name = sjis("山田");
        name.extend_from_slice(&ext);
        let e = refused(&shfd(&[acquisition_rec().set_bytes(8, &name)]));
        assert_names(&e, 6, "項目8", &["山田"]);
    }
}

#[test]
fn half_width_digits_in_the_kana_name_are_refused() {
    let e = refused(&shfd(&[acquisition_rec().set(7, "ﾔﾏﾀﾞ 123")]));
    assert_names(&e, 6, "被保険者氏名（カナ）", &["ﾔﾏﾀﾞ", "ヤマダ", "123"]);
    // Full-width katakana is not what the layout holds either.
    let e = refused(&shfd(&[acquisition_rec().set(7, "ヤマダ　タロウ")]));
    assert_names(&e, 6, "被保険者氏名（カナ）", &["ヤマダ"]);
}

#[test]
fn kana_name_over_25_bytes_is_refused() {
    let e = refused(&shfd(&[acquisition_rec().set(7, &"ｱ".repeat(26))]));
    assert_names(&e, 6, "被保険者氏名（カナ）", &["ｱｱｱ"]);
    read(&shfd(&[acquisition_rec().set(7, &"ｱ".repeat(25))]));
}

#[test]
fn my_number_with_a_wrong_check_digit_is_refused_without_showing_it() {
    let wrong = "123456789017";
    assert!(MyNumber::parse(wrong).is_err());
    let e = refused(&shfd(&[acquisition_rec().set(13, wrong)]));
    assert_names(&e, 6, "個人番号", &[wrong, "12345678901"]);
    let e = refused(&shfd(&[loss_rec().set(11, wrong)]));
    assert_names(&e, 6, "個人番号", &[wrong, "12345678901"]);
    let e = refused(&shfd(&[dependants_rec().set(29, wrong)]));
    assert_names(&e, 6, "配偶者個人番号", &[wrong, "12345678901"]);
}

#[test]
fn pay_total_that_is_not_cash_plus_kind_is_refused() {
    let e = refused(&shfd(&[acquisition_rec().set(21, "300000").set(22, "5000").set(23, "310000")]));
    assert_names(&e, 6, "報酬月額（合計）", &["300000", "310000", "5000"]);
    let filing = read(&shfd(&[acquisition_rec().set(21, "300000").set(22, "5000").set(23, "305000")]));
    let FilingRecord::Acquisition(a) = only(&filing) else { panic!() };
    assert_eq!(a.monthly_pay, 305_000);
}

#[test]
fn pay_fields_are_required_and_at_most_seven_digits() {
    let e = refused(&shfd(&[acquisition_rec().set(22, "")]));
    assert_names(&e, 6, "報酬月額（現物）", &[]);
    let e = refused(&shfd(&[acquisition_rec().set(21, "12000000").set(23, "12000000")]));
    assert_names(&e, 6, "報酬月額（通貨）", &["12000000"]);
    // 合計 ≥ 1000 (research §2.1 fields 21–23).
    let e = refused(&shfd(&[acquisition_rec().set(21, "999").set(23, "999")]));
    assert_names(&e, 6, "報酬月額（合計）", &[]);
}

#[test]
fn file_without_kanri_or_data_markers_is_refused() {
    let mut header = shfd_header();
    header.remove(1);
    let e = refused(&file_with(header, &[acquisition_rec()], b"\r\n"));
    assert_names(&e, 2, "事業所識別符号", &[]);

    let mut header = shfd_header();
    header.remove(4);
    let e = refused(&file_with(header, &[acquisition_rec()], b"\r\n"));
    assert_names(&e, 5, "データ識別符号", &[]);
}

#[test]
fn file_with_an_empty_data_section_is_refused() {
    let e = refused(&shfd(&[]));
    assert_names(&e, 6, "データレコード", &[]);
    // Blank lines after [data] are no data either.
    let e = refused(&file_with(shfd_header(), &[Rec(vec![]), Rec(vec![])], b"\r\n"));
    assert_eq!(e.field, "データレコード", "{e}");
}

#[test]
fn file_over_16_mb_is_refused_before_reading() {
    let mut bytes = shfd(&[acquisition_rec()]);
    bytes.resize(MAX_FILE_BYTES + 1, b'\n');
    let e = refused(&bytes);
    assert_names(&e, 0, "ファイル", &[]);
}

#[test]
fn header_neither_shfd_nor_kpfd_is_refused() {
    let mut header = shfd_header();
    header[0] = sjis("21,01,ｹｲﾄ,001,20260405,22224");
    let e = refused(&file_with(header, &[acquisition_rec()], b"\r\n"));
    assert_names(&e, 1, "媒体管理レコード", &[]);
}

#[test]
fn older_five_field_media_line_is_read() {
    // kirico's 2017 fixture has no 都道府県コード on line 1 (research §1): 14,ｸﾄﾜ,005,20170117,22223.
    let mut header = shfd_header();
    header[0] = sjis("14,ｸﾄﾜ,005,20170117,22223");
    let filing = read(&file_with(header, &[acquisition_rec()], b"\r\n"));
    assert_eq!(filing.layout, Layout::Pension);
    assert_eq!(filing.created_on, d(2017, 1, 17));
}

// 6. Round trip.

fn person(kana: &str, kanji: Option<&str>, birth: NaiveDate, number: Option<&str>) -> FiledPerson {
    FiledPerson {
        kana: kana.into(),
        kanji: kanji.map(Into::into),
        birth,
        my_number: number.map(|n| MyNumber::parse(n).unwrap()),
    }
}

fn all_kinds(layout: Layout, office: &str) -> Vec<FilingRecord> {
    let society = |card: &str| match layout {
        Layout::Pension => SocietyFields::default(),
        Layout::Society => SocietyFields { office: Some(office.into()), card_number: Some(card.into()) },
    };
    let dep = |p: FiledPerson, sex: Option<Sex>, relationship: Relationship, spouse: bool| FiledDependant {
        person: p,
        sex,
        relationship,
        spouse,
        cohabiting: Some(true),
        since: Some(d(2026, 4, 1)),
        until: None,
        removal_reason: None,
        income: Some(0),
        certificate: false,
    };
    vec![
        FilingRecord::Acquisition(Acquisition {
            line: 6,
            person: person("ヤマダ\u{3000}タロウ", Some("山田　太郎"), d(1976, 4, 1), Some(MEMBER_NUMBER)),
            sex: Sex::Male,
            acquired_on: d(2026, 4, 1),
            monthly_pay: 300_000,
            has_dependants: true,
            postal_code: None,
            address: None,
            certificate: true,
            society: society("1"),
        }),
        FilingRecord::Acquisition(Acquisition {
            line: 7,
            person: person("スズキ\u{3000}パピコ", None, d(1925, 1, 1), None),
            sex: Sex::Female,
            acquired_on: d(2019, 4, 1),
            monthly_pay: 1000,
            has_dependants: false,
            postal_code: Some("150-0001".into()),
            address: Some("東京都渋谷区神宮前一丁目".into()),
            certificate: false,
            society: society("2"),
        }),
        FilingRecord::Loss(Loss {
            line: 8,
            person: person("ヤマダ\u{3000}タロウ", Some("山田　太郎"), d(1976, 4, 1), Some(MEMBER_NUMBER)),
            lost_on: d(2026, 4, 1),
            reason: LossReason::Retirement,
            event_day: d(2026, 3, 31),
            cards_returned: 1,
            cards_unreturnable: 0,
            society: society("1"),
        }),
        FilingRecord::Loss(Loss {
            line: 9,
            person: person("サトウ\u{3000}ジロウ", None, d(1960, 2, 29), None),
            lost_on: d(2026, 1, 1),
            reason: LossReason::Death,
            event_day: d(2025, 12, 31),
            cards_returned: 0,
            cards_unreturnable: 2,
            society: society("3"),
        }),
        FilingRecord::Loss(Loss {
            line: 10,
            person: person("タナカ\u{3000}ウメ", Some("田中　うめ"), d(1951, 5, 1), None),
            lost_on: d(2026, 5, 1),
            reason: LossReason::Age75,
            event_day: d(2026, 5, 1),
            cards_returned: 0,
            cards_unreturnable: 0,
            society: society("4"),
        }),
        FilingRecord::Dependants(DependantFiling {
            line: 11,
            member: person("ヤマダ\u{3000}タロウ", Some("山田　太郎"), d(1976, 4, 1), Some(MEMBER_NUMBER)),
            member_sex: Sex::Male,
            change: DependantChange::Added,
            dependants: vec![
                FiledDependant {
                    certificate: true,
                    income: Some(1_299_999),
                    cohabiting: Some(false),
                    ..dep(
                        person("ヤマダ\u{3000}ハナコ", Some("山田　花子"), d(1978, 7, 10), Some(SPOUSE_NUMBER)),
                        Some(Sex::Female),
                        Relationship::Spouse,
                        true,
                    )
                },
                dep(
                    person("ヤマダ\u{3000}イチロウ", None, d(2024, 3, 15), Some(CHILD_NUMBER)),
                    Some(Sex::Male),
                    Relationship::Child,
                    false,
                ),
                FiledDependant {
                    cohabiting: None,
                    income: None,
                    certificate: true,
                    ..dep(person("ヤマダ\u{3000}ウメ", None, d(1945, 1, 1), None), None, Relationship::Parent, false)
                },
            ],
            society: society("1"),
        }),
        FilingRecord::Dependants(DependantFiling {
            line: 12,
            member: person("スズキ\u{3000}パピコ", None, d(1990, 6, 15), None),
            member_sex: Sex::Female,
            change: DependantChange::Removed,
            dependants: vec![FiledDependant {
                since: None,
                until: Some(d(2026, 9, 30)),
                removal_reason: Some("2".into()),
                ..dep(
                    person("スズキ\u{3000}ジロウ", None, d(1988, 1, 2), None),
                    Some(Sex::Male),
                    Relationship::Spouse,
                    true,
                )
            }],
            society: society("2"),
        }),
        FilingRecord::Dependants(DependantFiling {
            line: 13,
            member: person("スズキ\u{3000}パピコ", None, d(1990, 6, 15), None),
            member_sex: Sex::Female,
            change: DependantChange::Changed,
            dependants: vec![dep(
                person("スズキ\u{3000}マゴ", None, d(2020, 8, 8), None),
                None,
                Relationship::Grandchild,
                false,
            )],
            society: society("2"),
        }),
    ]
}

fn round_trip(layout: Layout, office: &str) {
    let filing = Filing {
        layout,
        created_on: d(2026, 4, 5),
        office: Office { number: office.into(), name: "株式会社健保商事".into() },
        records: all_kinds(layout, office),
    };
    let bytes = write_filing(&filing).unwrap_or_else(|e| panic!("write: {e}"));
    let back = read(&bytes);
    assert_eq!(back.layout, filing.layout);
    assert_eq!(back.created_on, filing.created_on);
    assert_eq!(back.office, filing.office);
    assert_eq!(back.records.len(), filing.records.len());
    for (got, want) in back.records.iter().zip(&filing.records) {
        assert_eq!(got, want, "record on line {} differs", want.line());
    }
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
    let filing = Filing {
        layout: Layout::Pension,
        created_on: d(2026, 4, 5),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records: all_kinds(Layout::Pension, "12345"),
    };
    let bytes = write_filing(&filing).unwrap();
    let (text, _, bad) = SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(text.ends_with("\r\n"), "CR LF line ends (research §1)");
    assert!(!text.replace("\r\n", "").contains('\n'), "no lone LF");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0].split(',').next_back(), Some("22223"), "代表届書コード");
    assert_eq!(lines[1], "[kanri]");
    assert_eq!(lines[4], "[data]");
    let field = |line: usize, no: usize| lines[line - 1].split(',').nth(no - 1).unwrap().to_string();
    let count = |line: usize| lines[line - 1].split(',').count();
    // 資格取得届 on line 6.
    assert_eq!(count(6), 34);
    assert_eq!(field(6, 1), "2200700");
    assert_eq!(field(6, 7), "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!((field(6, 9), field(6, 10)), ("5".into(), "510401".into()));
    assert_eq!(field(6, 13), MEMBER_NUMBER);
    assert_eq!((field(6, 18), field(6, 19)), ("9".into(), "080401".into()));
    assert_eq!((field(6, 21), field(6, 22), field(6, 23)), ("300000".into(), "0".into(), "300000".into()));
    assert_eq!(field(6, 34), "1");
    // Second 資格取得届: no 個人番号, so 郵便番号 29–30 and 住所（漢字）32; 大正14年1月1日.
    assert_eq!((field(7, 9), field(7, 10)), ("3".into(), "140101".into()));
    assert_eq!((field(7, 18), field(7, 19)), ("7".into(), "310401".into()));
    assert_eq!(
        (field(7, 29), field(7, 30), field(7, 32)),
        ("150".into(), "0001".into(), "東京都渋谷区神宮前一丁目".into())
    );
    assert_eq!(field(7, 7), "ｽｽﾞｷ ﾊﾟﾋﾟｺ");
    // 資格喪失届 on line 8.
    assert_eq!(count(8), 27);
    assert_eq!(field(8, 1), "2201700");
    assert_eq!(field(8, 11), MEMBER_NUMBER);
    assert_eq!((field(8, 14), field(8, 15), field(8, 16)), ("9".into(), "080401".into(), "4".into()));
    assert_eq!((field(8, 17), field(8, 18)), ("9".into(), "080331".into()));
    assert_eq!(field(8, 22), "1");
    assert_eq!(field(9, 23), "2", "資格確認書回収（返不能）");
    assert_eq!(field(10, 16), "7");
    assert_eq!((field(10, 17), field(10, 18)), (String::new(), String::new()), "no 退職日 for 7");
    // 被扶養者（異動）届 on line 11.
    assert_eq!(count(11), 139);
    assert_eq!(field(11, 1), "2202700");
    assert_eq!(field(11, 21), "1");
    assert_eq!(field(11, 24), "ﾔﾏﾀﾞ ﾊﾅｺ");
    assert_eq!(field(11, 28), "2", "妻");
    assert_eq!(field(11, 29), SPOUSE_NUMBER);
    assert_eq!(field(11, 35), "2", "別居");
    assert_eq!((field(11, 44), field(11, 45)), ("9".into(), "080401".into()));
    assert_eq!(field(11, 49), "1299999");
    assert_eq!(field(11, 70), "", "被扶養者番号 always empty");
    assert_eq!(field(11, 71), "ﾔﾏﾀﾞ ｲﾁﾛｳ");
    assert_eq!(field(11, 76), "01");
    assert_eq!(field(11, 78), CHILD_NUMBER);
    assert_eq!((field(11, 90), field(11, 91)), ("9".into(), "080401".into()));
    assert_eq!(field(11, 104), "ﾔﾏﾀﾞ ｳﾒ");
    assert_eq!(field(11, 109), "03");
    assert_eq!(field(11, 136), "", "届出意思確認済 always empty");
    assert_eq!((field(11, 137), field(11, 138), field(11, 139)), ("1".into(), "".into(), "1".into()));
    assert_eq!(field(12, 21), "2");
    assert_eq!((field(12, 50), field(12, 51), field(12, 52)), ("9".into(), "080930".into(), "2".into()));
    assert_eq!(field(13, 21), "3");
    assert_eq!(field(13, 76), "09", "孫");
}

#[test]
fn written_kpfd_header_and_tail_match_the_research_layout() {
    let filing = Filing {
        layout: Layout::Society,
        created_on: d(2026, 4, 5),
        office: Office { number: "K0012".into(), name: "株式会社健保商事".into() },
        records: all_kinds(Layout::Society, "K0012"),
    };
    let bytes = write_filing(&filing).unwrap();
    let (text, _, _) = SHIFT_JIS.decode(&bytes);
    let lines: Vec<&str> = text.split("\r\n").collect();
    let l1: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(l1.len(), 8);
    assert_eq!((l1[0], l1[2]), ("K0012", "20260405"));
    let l4: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(l4.len(), 9);
    assert_eq!((l4[0], l4[4]), ("K0012", "株式会社健保商事"));
    for (line, n) in [(6, 37), (8, 30), (11, 142)] {
        let f: Vec<&str> = lines[line - 1].split(',').collect();
        assert_eq!(f.len(), n, "line {line}");
        assert_eq!(f[n - 3], "K0012", "事業所番号（健保組合） third from the end, line {line}");
        assert_eq!(f[n - 2], "1", "被保険者証番号（健保組合）, line {line}");
    }
}

#[test]
fn writer_refuses_a_name_it_cannot_write_in_half_width_kana() {
    let mut records = all_kinds(Layout::Pension, "12345");
    if let FilingRecord::Acquisition(a) = &mut records[0] {
        a.person.kana = "山田　太郎".into();
    }
    let filing = Filing {
        layout: Layout::Pension,
        created_on: d(2026, 4, 5),
        office: Office { number: "12345".into(), name: "株式会社健保商事".into() },
        records,
    };
    let e = write_filing(&filing).unwrap_err();
    assert_eq!(e.line, 6);
    assert!(!e.to_string().contains("山田"), "{e}");
}

// 7. Line ends.

#[test]
fn crlf_lone_lf_and_a_trailing_eof_mark_all_read_the_same() {
    let records = [acquisition_rec(), loss_rec(), dependants_rec()];
    let crlf = file_with(shfd_header(), &records, b"\r\n");
    let lf = file_with(shfd_header(), &records, b"\n");
    let mut eof = crlf.clone();
    eof.push(0x1A);
    let mut no_final_newline = lf.clone();
    no_final_newline.pop();
    let want = read(&crlf);
    assert_eq!(want.records.len(), 3);
    for (name, bytes) in [("LF", &lf), ("CR LF + 0x1A", &eof), ("no final line end", &no_final_newline)] {
        let got = read(bytes);
        assert_eq!(got.records, want.records, "{name}");
        assert_eq!(got.office, want.office, "{name}");
    }
    let mut lf_eof = lf.clone();
    lf_eof.push(0x1A);
    assert_eq!(read(&lf_eof).records, want.records, "LF + 0x1A");
}

#[test]
fn eof_mark_inside_the_file_is_refused() {
    // Only a trailing 0x1A is an EOF mark; elsewhere it is a control character.
    let mut bytes = shfd(&[acquisition_rec()]);
    bytes.extend_from_slice(&[0x1A]);
    bytes.extend_from_slice(&loss_rec().bytes());
    bytes.extend_from_slice(b"\r\n");
    let e = refused(&bytes);
    assert_eq!(e.line, 7);
}

#[test]
fn control_characters_in_a_field_are_refused() {
    let e = refused(&shfd(&[acquisition_rec().set(8, "山田\t太郎")]));
    assert_eq!(e.line, 6);
    assert!(!e.to_string().contains("山田"), "{e}");
}
