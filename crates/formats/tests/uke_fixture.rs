//! Reading a UKE that another project wrote: receiptisan's synthetic 医科外来 sample
//! (MIT licence; vendored byte-for-byte from `shared/fixtures/external/receiptisan/` into
//! `tests/fixtures/receiptisan/` with its licence, so a clone tests without `shared/`).

use kenpo_domain::receipt::{CareSetting, LineKind, ReceiptKind};
use kenpo_formats::uke::{UkeWarning, read_uke};
use std::path::PathBuf;

fn fixture() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} not readable: {e}", path.display()));
    // Where the shared folder is present, the vendored copy must be the same file.
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/external/receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE");
    if let Ok(original) = std::fs::read(&shared) {
        assert_eq!(original, bytes, "vendored fixture differs from shared/");
    }
    bytes
}

// Figures derived by hand from the file, independently of this crate:
//
//   iconv -f CP932 -t UTF-8 RECEIPTC_GAIRAI_SAMPLE.UKE | tr -d '\r' | awk -F, \
//     '$1=="RE"{re++} $1=="HO"{ho++; pts+=$6} $1=="KO"{ko++} END{print re, ho, pts, ko}'
//   → 75 RE, 69 HO, HO 合計点数 sum 81880, 71 KO
//
// and the first KO 合計点数 of the six receipts without HO (公費単独, レセプト種別 1212, on
// lines 56, 62, 573, 579, 585, 591) adds up to 4512 (same pipeline, summing field 6 of the
// first KO after each HO-less RE).
const RECEIPTS: usize = 75;
const WITH_HO: usize = 69;
const HO_POINTS: i64 = 81_880;
const PUBLIC_ONLY_POINTS: i64 = 4_512;
const KO_RECORDS: u64 = 71;

#[test]
fn reads_the_receiptisan_sample() {
    let parsed = read_uke(&fixture(), "RECEIPTC_GAIRAI_SAMPLE.UKE").unwrap();
    let file = &parsed.file;
    assert_eq!(file.kind, ReceiptKind::Medical);
    assert_eq!(file.review_body, 1);
    assert_eq!(file.institution.prefecture, 12);
    assert_eq!(file.billing_month.to_string(), "2021-11");
    assert_eq!(file.phone, "05012345678");

    assert_eq!(file.receipts.len(), RECEIPTS);
    let with_ho: Vec<_> = file.receipts.iter().filter(|r| !r.insurer_number.is_empty()).collect();
    assert_eq!(with_ho.len(), WITH_HO);
    assert_eq!(with_ho.iter().map(|r| r.total_points).sum::<i64>(), HO_POINTS);
    assert!(file.receipts.iter().all(|r| r.setting == CareSetting::Outpatient));

    // The GO trailer claims 140 receipts and 86,392 points against 75 RE and 81,880 HO points:
    // read naively, a mismatch. The spec (医科 記録条件仕様 R4, GO 注 and its table) counts 件数
    // per payer (1 for HO plus 1 per KO) and adds the first KO's points for 公費単独 receipts:
    // 69 + 71 = 140 and 81,880 + 4,512 = 86,392. The reader reports both sides, and they agree.
    assert_ne!(parsed.declared_count, RECEIPTS as u64);
    assert_eq!(parsed.declared_count, WITH_HO as u64 + KO_RECORDS);
    assert_eq!(parsed.declared_points, HO_POINTS + PUBLIC_ONLY_POINTS);
    assert_eq!(parsed.counted_cases, parsed.declared_count);
    assert_eq!(parsed.counted_points, parsed.declared_points);
    // The 公費単独 receipts and the missing 0x1A are noted (HO 合計点数 would be an error).
    let public_only = parsed.warnings.iter().filter(|w| matches!(w, UkeWarning::NoHealthInsurance { .. })).count();
    assert_eq!(public_only, RECEIPTS - WITH_HO);
    assert!(parsed.warnings.contains(&UkeWarning::MissingEofMarker));
    // 28 RE records carry a 氏名 longer than the spec's 20 漢字 (40 bytes), e.g. line 101 with
    // 22 full-width characters. Counted by hand on the CP932 bytes:
    //   LC_ALL=C awk -F, '$1=="RE" && length($5)>40 {n++} END{print n}' → 28 (first: line 101, 44)
    // They are kept, each with a warning.
    let long: Vec<_> = parsed.warnings.iter().filter(|w| matches!(w, UkeWarning::FieldTooLong { .. })).collect();
    assert_eq!(long.len(), 28);
    assert!(matches!(long[0], UkeWarning::FieldTooLong { line: 101, position: 5, max: 40, found: 44, .. }));
}

/// The same file with its GO trailer altered by one: the reader rejects it, naming the line,
/// the field and both figures.
#[test]
fn an_altered_go_trailer_is_an_error() {
    let text = encoding_rs::SHIFT_JIS.decode(&fixture()).0.into_owned();
    for (from, to, field) in
        [("GO,140,86392,", "GO,141,86392,", "総件数"), ("GO,140,86392,", "GO,140,86391,", "総合計点数")]
    {
        assert!(text.contains(from));
        let altered = text.replace(from, to);
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&altered);
        let err = read_uke(&bytes, "RECEIPTC_GAIRAI_SAMPLE.UKE").unwrap_err().to_string();
        let go_line = text.lines().position(|l| l.starts_with("GO,")).unwrap() + 1;
        assert!(err.contains(&format!("line {go_line}: GO")), "{err}");
        assert!(err.contains(field), "{err}");
        assert!(err.contains("declared 14") || err.contains("declared 8639"), "{err}");
    }
}

#[test]
fn resolves_inheritance_and_normalises_cards() {
    let parsed = read_uke(&fixture(), "RECEIPTC_GAIRAI_SAMPLE.UKE").unwrap();
    let first = &parsed.file.receipts[0];
    // RE,1: the IY after "CO,22,…,疼痛時" has a blank 診療識別 and inherits 22 from the CO.
    let drugs: Vec<_> = first.lines.iter().filter(|l| l.kind == LineKind::Drug).collect();
    assert_eq!(drugs[0].code, "620098801");
    assert_eq!(drugs[0].care_category, "22");
    assert_eq!(drugs[1].care_category, "22");
    assert_eq!(drugs[2].care_category, "23");
    // The drugs after "SI,50,…" inherit 50.
    let surgery_drug = first.lines.iter().find(|l| l.code == "622478201").unwrap();
    assert_eq!(surgery_drug.care_category, "50");
    assert_eq!(surgery_drug.points, None);
    assert_eq!(first.diagnoses.len(), 3);
    assert!(first.diagnoses[0].main);
    assert_eq!(first.diagnoses[1].name.as_deref(), Some("テスト"));
    // The over-long 傷病名称 (beyond the spec's 40 bytes) is read as written.
    assert!(first.diagnoses[2].name.as_ref().unwrap().chars().count() > 20);

    // RE,6: HO carries full-width 記号・番号 「１９Ｄ０００１」「１１」.
    let sixth = &parsed.file.receipts[5];
    assert_eq!(sixth.insurer_number, "34130021");
    assert_eq!(sixth.card_symbol, "19D0001");
    assert_eq!(sixth.card_number, "11");
    // RE,2 has SN with 枝番 00.
    assert_eq!(parsed.file.receipts[1].card_branch, Some(0));
    assert_eq!(parsed.file.receipts[1].birth_date.to_string(), "1991-01-25");
}
