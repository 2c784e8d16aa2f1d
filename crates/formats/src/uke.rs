//! 電子レセプト (UKE): the レセプト電算処理システム CSV format, read and written.
//!
//! Three layers, each usable alone:
//! * [`RecordReader`] — bytes to decoded records, one line in memory: CP932, CR LF (a lone LF
//!   accepted), stops at 0x1A; strips the three prefix columns of an insurer-side delivery.
//! * [`ReceiptAssembler`] — records to one [`Receipt`] at a time, with inherited 診療識別
//!   resolved, 和暦 or 西暦 dates, 記号・番号 normalised; checks HO against the lines and GO
//!   against the receipts, reporting differences as [`UkeWarning`]s for the importer to judge.
//! * [`read_uke`] / [`write_uke`] — a whole file in memory, as [`UkeFile`].
//!
//! Record sets: 医科 (and DPC as 医科 出来高 records only) `IR, RE, HO, KO, SN, JD, MF, GR, SY,
//! SI, IY, TO, CO, SJ, TI/TR/TS, GO` are read (\[SPEC-M\], verified); 歯科 `UK, IR, RE, HO, KO, SN,
//! JD, MF, HS, SS, SI, IY, TO, CO, SJ, GO` (three public readers agree, spec not read); 調剤 `YK,
//! RE, HO, KO, SN, SH, CZ, IY, GO` with only a few positions known — see [`layout`] for every
//! position and its source. Records that hold nothing a [`Receipt`] keeps (KO beyond counting,
//! JD, MF, GR, CO, SJ, DPC 包括 records, 調剤 KI/TK/ST) are checked for their field count where
//! known and skipped. An insurer-side delivery (レセ電コード情報ファイル) is read one MN block
//! (one receipt) at a time with the 審査支払機関's JY 補正 applied; each receipt keeps its MN
//! 検索番号 and what each correction changed (see the `delivery` module).
//!
//! Errors name file, line, record and field, and quote a value only when it is a code or a
//! number, never a name, 記号・番号 or date.

mod assemble;
mod delivery;
mod error;
mod fields;
pub mod layout;
mod records;
mod write;

pub use assemble::{AssembledReceipt, ReceiptAssembler, UkeHeader, UkeTrailer};
pub use error::{Location, UkeError, UkeWarning, UkeWriteError};
pub use records::{DeliveryPrefix, RecordReader, UkeRecord};
pub use write::write_uke;

use kenpo_domain::YearMonth;
use kenpo_domain::receipt::{Institution, Receipt, ReceiptKind};

/// A whole UKE file: the header and its receipts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UkeFile {
    /// IR-2 審査支払機関: 1 支払基金, 2 国保連.
    pub review_body: u8,
    /// 医療機関 / 薬局: code (7), prefecture, name.
    pub institution: Institution,
    /// Medical / Dpc / Dental / Pharmacy: decides the 点数表 and the record set.
    pub kind: ReceiptKind,
    /// 請求年月.
    pub billing_month: YearMonth,
    /// 電話番号 (英数, up to 15).
    pub phone: String,
    pub receipts: Vec<Receipt>,
}

/// A file as read, with what its GO record declared and what the reader noticed.
#[derive(Clone, Debug)]
pub struct ParsedUke {
    /// Header and receipts.
    pub file: UkeFile,
    /// GO 総件数 (0 when omitted, as on a non-final volume).
    pub declared_count: u64,
    /// GO 総合計点数.
    pub declared_points: i64,
    /// What the file adds up to by the spec's GO rule (one case per 医療保険 and per 公費 on
    /// each receipt; for 公費単独 the first KO's points); checked against GO unless the file is
    /// one volume of several.
    pub counted_cases: u64,
    pub counted_points: i64,
    pub warnings: Vec<UkeWarning>,
}

/// Reads a whole UKE from bytes: a raw UKE (RECEIPTC.UKE) or an insurer-side delivery with
/// three prefix columns and MN records. `file_name` appears in errors and marks DPC files
/// (`RECEIPTD…`, `…DPC…`).
pub fn read_uke(bytes: &[u8], file_name: &str) -> Result<ParsedUke, UkeError> {
    let mut assembler = ReceiptAssembler::new(bytes, file_name)?;
    let header = assembler.header().clone();
    let mut receipts = Vec::new();
    let mut warnings = Vec::new();
    while let Some(next) = assembler.next_receipt() {
        let assembled = next?;
        warnings.extend(assembled.warnings);
        receipts.push(assembled.receipt);
    }
    let trailer = assembler.finish();
    warnings.extend(trailer.warnings);
    let kind = if header.kind == ReceiptKind::Medical && receipts.iter().any(|r| r.kind == ReceiptKind::Dpc) {
        ReceiptKind::Dpc
    } else {
        header.kind
    };
    Ok(ParsedUke {
        file: UkeFile {
            review_body: header.review_body,
            institution: header.institution,
            kind,
            billing_month: header.billing_month,
            phone: header.phone,
            receipts,
        },
        declared_count: trailer.declared_count,
        declared_points: trailer.declared_points,
        counted_cases: trailer.counted_cases,
        counted_points: trailer.counted_points,
        warnings,
    })
}
