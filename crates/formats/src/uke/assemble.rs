//! The receipt layer: records in, one [`Receipt`] at a time out.
//!
//! The assembler reads the file header (IR; 歯科 UK; 調剤 YK) when it is created, then groups the
//! records that follow RE into a receipt, resolving inherited 診療識別 (a blank 診療識別 means
//! "as the previous SI/IY/TO/CO"), and checks the GO trailer against what it counted. Only one
//! receipt is held in memory at a time.

use super::delivery::{self, Block, DELIVERY_RECORDS, Figures, MAX_BLOCK_RECORDS};
use super::error::UkeError;
use super::error::UkeWarning;
use super::fields::At;
use super::layout::{
    self, Count, DPC_RECORDS, HEALTH_INSURANCE_PAYER_CODES, LineLayout, ReceiptLayout, dental, medical, pharmacy,
};
use super::records::{RecordReader, UkeRecord, display_id};
use chrono::{Datelike, NaiveDate};
use kenpo_domain::InsurerNumber;
use kenpo_domain::YearMonth;
use kenpo_domain::ids::{CardId, normalize_card_part};
use kenpo_domain::person::Sex;
use kenpo_domain::receipt::{CareSetting, Diagnosis, Institution, LineKind, Receipt, ReceiptKind, ReceiptLine};
use std::collections::VecDeque;
use std::io::BufRead;

/// The file-level facts from the header record(s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UkeHeader {
    /// 審査支払機関: 1 支払基金, 2 国保連.
    pub review_body: u8,
    pub institution: Institution,
    /// From the 点数表 code; `Dpc` when the file name says so (`RECEIPTD`, `DPC`). A 医科 file
    /// holding DPC records yields `Dpc` receipts even when this says `Medical`.
    pub kind: ReceiptKind,
    pub billing_month: YearMonth,
    /// 電話番号 (歯科: from the first IR).
    pub phone: String,
    /// マルチボリューム識別情報 of the header ("00" for the first or only volume).
    pub volume: String,
    /// Whether this is an insurer-side delivery (3 prefix columns).
    pub delivery: bool,
}

/// One receipt with what the assembler knows about its records.
#[derive(Clone, Debug)]
pub struct AssembledReceipt {
    pub receipt: Receipt,
    /// Line of its RE record.
    pub line: u64,
    /// RE レセプト番号.
    pub receipt_number: u32,
    /// Whether it had an HO record (false for 公費単独).
    pub has_health_insurance: bool,
    /// Number of KO records.
    pub public_payers: usize,
    /// 合計点数 of the first KO record.
    pub first_public_points: Option<i64>,
    /// Warnings about this receipt (also counted in the file's warnings by `read_uke`).
    pub warnings: Vec<UkeWarning>,
}

/// What the GO record(s) declared, and the file-level warnings.
#[derive(Clone, Debug, Default)]
pub struct UkeTrailer {
    /// GO 総件数 (summed over the GO records of a delivery).
    pub declared_count: u64,
    /// GO 総合計点数.
    pub declared_points: i64,
    /// What the records add up to by the spec's rule (記録条件仕様 医科 GO 注: one case per
    /// 医療保険 and per 公費 on each receipt; the main payer's points, for 公費単独 the first KO's).
    pub counted_cases: u64,
    pub counted_points: i64,
    /// RE records read.
    pub receipts: u64,
    pub warnings: Vec<UkeWarning>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    Medical,
    Dental,
    Pharmacy,
}

impl Table {
    fn label(self) -> &'static str {
        match self {
            Table::Medical => "医科",
            Table::Dental => "歯科",
            Table::Pharmacy => "調剤",
        }
    }
    fn receipt_layout(self) -> ReceiptLayout {
        match self {
            Table::Medical => medical::RECEIPT,
            Table::Dental => dental::RECEIPT,
            Table::Pharmacy => pharmacy::RECEIPT,
        }
    }
    fn skipped(self, id: &str) -> Option<Count> {
        let list = match self {
            Table::Medical => medical::SKIPPED,
            Table::Dental => dental::SKIPPED,
            Table::Pharmacy => pharmacy::SKIPPED,
        };
        list.iter().find(|(r, _)| *r == id).map(|(_, c)| *c)
    }
    /// The layout of a line record (診療行為・医薬品・特定器材) of this 点数表.
    fn line_layout(self, id: &str) -> Option<&'static LineLayout> {
        match (self, id) {
            (Table::Medical, "SI") => Some(&medical::SI),
            (Table::Medical, "IY") => Some(&medical::IY),
            (Table::Medical, "TO") => Some(&medical::TO),
            (Table::Dental, "SS") => Some(&dental::SS),
            (Table::Dental, "SI") => Some(&dental::SI),
            (Table::Dental, "IY") => Some(&dental::IY),
            (Table::Dental, "TO") => Some(&dental::TO),
            (Table::Pharmacy, "CZ") => Some(&pharmacy::CZ),
            (Table::Pharmacy, "IY") => Some(&pharmacy::IY),
            _ => None,
        }
    }
    /// The first digit of レセプト種別 for this 点数表 (別表5).
    fn type_digit(self) -> u8 {
        match self {
            Table::Medical => b'1',
            Table::Dental => b'3',
            Table::Pharmacy => b'4',
        }
    }
}

/// Totals since the last GO, to compare with it.
#[derive(Default)]
struct Totals {
    receipts: u64,
    cases: u64,
    points: i64,
}

/// Reads receipts one at a time from a [`RecordReader`].
pub struct ReceiptAssembler<R> {
    records: RecordReader<R>,
    file: String,
    header: UkeHeader,
    table: Table,
    institution: Institution,
    pending: Option<UkeRecord>,
    /// Delivery: records read ahead (the first block's MN, the next block's MN).
    ahead: VecDeque<UkeRecord>,
    /// Delivery: the current block's records as corrected, fed to the receipt builder.
    queue: VecDeque<UkeRecord>,
    block: Totals,
    /// Delivery: 処理年月 from the folder the file was filed in.
    processing_month: Option<YearMonth>,
    trailer: UkeTrailer,
    go_seen: bool,
    last_line: u64,
    failed: bool,
    finished: bool,
    /// Record kinds already warned about as short: a file written to an older layout has every
    /// RE short, and one warning per kind says it.
    short_warned: Vec<String>,
}

impl<R: BufRead> ReceiptAssembler<R> {
    /// Reads the header. `file_name` is used in messages and to recognise DPC files.
    pub fn new(input: R, file_name: &str) -> Result<Self, UkeError> {
        Self::from_records(RecordReader::new(input, file_name))
    }

    /// Builds on a record reader that has not yielded anything yet.
    pub fn from_records(mut records: RecordReader<R>) -> Result<Self, UkeError> {
        let file_name = records.file_name().to_string();
        let file = file_name.clone();
        // A delivery may start with the first receipt's MN (the 支払基金's files do): it is kept
        // for the first block, and so is the header record that follows it.
        let mut ahead = VecDeque::new();
        let first = loop {
            match records.read_record()? {
                None => {
                    return Err(UkeError::Structure {
                        file,
                        line: 0,
                        record: "(file)".into(),
                        problem: "no records".into(),
                    });
                }
                Some(r) if r.prefix.is_some() && DELIVERY_RECORDS.contains(&r.id()) => {
                    if ahead.len() >= MAX_BLOCK_RECORDS {
                        return Err(At { file: &file, rec: &r }.structure("no header record (IR, UK or YK)"));
                    }
                    ahead.push_back(r);
                }
                Some(r) => break r,
            }
        };
        let delivery = first.prefix.is_some();
        let at = At { file: &file, rec: &first };
        let upper = file_name.to_ascii_uppercase();
        let dpc_name = upper.contains("RECEIPTD") || upper.contains("DPC");
        let mut pending = None;
        let (table, header) = match first.id() {
            "IR" => {
                let tensu = at.text(4);
                match tensu {
                    "1" => (Table::Medical, medical_ir(&at, delivery, dpc_name)?),
                    "3" => {
                        // A dental file without UK: the IR is also the first receipt's IR.
                        let h = dental_ir_header(&at, delivery)?;
                        if !delivery {
                            pending = Some(first.clone());
                        }
                        (Table::Dental, h)
                    }
                    _ => {
                        return Err(at.error(4, "点数表", format!("expected 1 (医科) or 3 (歯科), found {tensu:?}")));
                    }
                }
            }
            "UK" => (Table::Dental, dental_uk(&at, delivery)?),
            "YK" => (Table::Pharmacy, pharmacy_yk(&at, delivery)?),
            _ => {
                return Err(at.structure("a UKE file must start with IR (医科/歯科), UK (歯科) or YK (調剤)"));
            }
        };
        let mut header = header;
        if delivery && first.id() == "IR" && (!ahead.is_empty() || table == Table::Dental) {
            // The header record belongs to the first block (or, for 歯科, to its receipt).
            ahead.push_back(first.clone());
        }
        if table == Table::Dental && pending.is_none() && !delivery {
            // The phone number lives in the IR that precedes each dental receipt.
            if let Some(next) = records.read_record()? {
                if next.id() == "IR" {
                    header.phone = At { file: &file, rec: &next }.text(8).to_string();
                }
                pending = Some(next);
            }
        }
        Ok(Self {
            institution: header.institution.clone(),
            last_line: first.line,
            records,
            file,
            header,
            table,
            pending,
            ahead,
            queue: VecDeque::new(),
            block: Totals::default(),
            processing_month: delivery::processing_month_of(&file_name),
            trailer: UkeTrailer::default(),
            go_seen: false,
            failed: false,
            finished: false,
            short_warned: Vec::new(),
        })
    }

    /// The file header.
    pub fn header(&self) -> &UkeHeader {
        &self.header
    }

    /// The next receipt; `None` after the last one (or after an error).
    pub fn next_receipt(&mut self) -> Option<Result<AssembledReceipt, UkeError>> {
        if self.failed || self.finished {
            return None;
        }
        let result = self.next_inner().transpose();
        if matches!(result, Some(Err(_))) {
            self.failed = true;
        }
        if result.is_none() {
            self.finished = true;
        }
        result
    }

    /// The declared totals and file-level warnings; call after the last receipt.
    pub fn finish(self) -> UkeTrailer {
        self.trailer
    }

    /// The next record of the receipt being built: from the file, or in a delivery from the
    /// current block as corrected.
    fn next_record(&mut self) -> Result<Option<UkeRecord>, UkeError> {
        let rec = match self.pending.take() {
            Some(r) => Some(r),
            None if self.header.delivery => self.queue.pop_front(),
            None => self.records.read_record()?,
        };
        if let Some(r) = &rec {
            self.last_line = r.line;
        }
        Ok(rec)
    }

    /// A delivery record read ahead, else the file's next record.
    fn next_raw(&mut self) -> Result<Option<UkeRecord>, UkeError> {
        match self.ahead.pop_front() {
            Some(r) => Ok(Some(r)),
            None => self.records.read_record(),
        }
    }

    /// The next MN block of a delivery: the MN and every record up to the next MN. Header
    /// records before the first MN (IR, UK, YK) are taken into the block; GO records are
    /// totals only.
    fn read_block(&mut self) -> Result<Option<Block>, UkeError> {
        let mut before = Vec::new();
        let mn = loop {
            let Some(rec) = self.next_raw()? else {
                if let Some(r) = before.first() {
                    return Err(At { file: &self.file, rec: r }.structure("records after the last receipt"));
                }
                return Ok(None);
            };
            self.last_line = rec.line;
            match rec.id() {
                "MN" => break rec,
                "GO" => self.go(&At { file: &self.file.clone(), rec: &rec })?,
                "IR" | "UK" | "YK" if before.len() < 2 => before.push(rec),
                _ => {
                    return Err(
                        At { file: &self.file, rec: &rec }.structure("a record outside a receipt (before its MN)")
                    );
                }
            }
        };
        let mut records = before;
        while let Some(rec) = self.next_raw()? {
            self.last_line = rec.line;
            match rec.id() {
                "MN" => {
                    self.ahead.push_front(rec);
                    break;
                }
                "GO" => self.go(&At { file: &self.file.clone(), rec: &rec })?,
                _ if records.len() >= MAX_BLOCK_RECORDS => {
                    return Err(At { file: &self.file, rec: &rec }
                        .structure(format!("more than {MAX_BLOCK_RECORDS} records in one receipt")));
                }
                _ => records.push(rec),
            }
        }
        Ok(Some(Block { mn, records }))
    }

    fn next_inner(&mut self) -> Result<Option<AssembledReceipt>, UkeError> {
        if !self.header.delivery {
            return self.next_claim();
        }
        let Some(block) = self.read_block()? else {
            self.at_end()?;
            return Ok(None);
        };
        let mn = block.mn.clone();
        let table = self.table;
        let line_layout = move |id: &str| table.line_layout(id);
        let figures = Figures { patient_charge: self.table.receipt_layout().patient_charge, line: &line_layout };
        let applied = delivery::apply(&self.file, block, &figures, self.processing_month)?;
        self.queue = applied.records.into();
        let Some(mut assembled) = self.next_claim()? else {
            return Err(At { file: &self.file, rec: &mn }.structure("a receipt block without an RE record"));
        };
        if let Some(extra) = self.pending.take().or_else(|| self.queue.pop_front()) {
            return Err(At { file: &self.file, rec: &extra }
                .structure("a second receipt in one MN block (each receipt has its own MN)"));
        }
        if assembled.receipt.search_number.is_none() {
            assembled.receipt.search_number = applied.search_number;
        }
        if assembled.receipt.institution.address.is_none() {
            assembled.receipt.institution.address = applied.address;
        }
        assembled.receipt.delivery = Some(applied.info);
        Ok(Some(assembled))
    }

    /// The next receipt's records, from RE to the record before the next RE (or, in a delivery,
    /// to the end of the block).
    fn next_claim(&mut self) -> Result<Option<AssembledReceipt>, UkeError> {
        let mut dental_ir_seen = false;
        let start = loop {
            let Some(rec) = self.next_record()? else {
                if !self.header.delivery {
                    self.at_end()?;
                }
                return Ok(None);
            };
            let file = self.file.clone();
            let at = At { file: &file, rec: &rec };
            if self.go_seen && !self.header.delivery {
                return Err(at.structure("record after GO"));
            }
            match rec.id() {
                "RE" => break rec,
                "IR" if self.table == Table::Dental => {
                    self.dental_receipt_ir(&at)?;
                    dental_ir_seen = true;
                }
                "IR" if self.header.delivery && self.table == Table::Medical => {
                    let h = medical_ir(&at, true, false)?;
                    self.institution = h.institution;
                }
                "IR" if self.table == Table::Medical => {
                    return Err(at.structure("a second IR record (one UKE file holds one 医療機関)"));
                }
                "GO" => self.go(&at)?,
                // A delivery repeats its header in each receipt block (the 医科 IR above); the
                // 歯科 UK and 調剤 YK were read as the file header.
                "UK" | "YK" if self.header.delivery => {}
                id if self.is_known(id) => {
                    return Err(at.structure("record outside a receipt (before its RE)"));
                }
                _ => return Err(self.unknown(&rec)),
            }
        };
        let file = self.file.clone();
        let at = At { file: &file, rec: &start };
        if self.table == Table::Dental && !dental_ir_seen && !self.header.delivery {
            return Err(at.structure("in a 歯科 file each RE must follow its IR"));
        }
        let mut b = Builder::start(self, &at)?;
        while let Some(rec) = self.next_record()? {
            let id = rec.id();
            if matches!(id, "RE" | "GO" | "IR") {
                self.pending = Some(rec);
                break;
            }
            if !self.is_known(id) {
                return Err(self.unknown(&rec));
            }
            b.add(self, &At { file: &file, rec: &rec })?;
        }
        let mut assembled = b.finish(self)?;
        let warned = &mut self.short_warned;
        assembled.warnings.retain(|w| match w {
            UkeWarning::ShortRecord { record, .. } if warned.contains(record) => false,
            UkeWarning::ShortRecord { record, .. } => {
                warned.push(record.clone());
                true
            }
            _ => true,
        });
        self.block.receipts += 1;
        self.block.cases += u64::from(assembled.has_health_insurance) + assembled.public_payers as u64;
        self.block.points += if assembled.has_health_insurance {
            assembled.receipt.total_points
        } else {
            assembled.first_public_points.unwrap_or(0)
        };
        Ok(Some(assembled))
    }

    fn is_known(&self, id: &str) -> bool {
        let common = matches!(id, "RE" | "HO" | "KO" | "SN" | "GO");
        let table = match self.table {
            Table::Medical => {
                matches!(id, "IR" | "SY" | "SI" | "IY" | "TO" | "TI" | "TR" | "TS") || DPC_RECORDS.contains(&id)
            }
            Table::Dental => matches!(id, "UK" | "IR" | "HS" | "SS" | "SI" | "IY" | "TO"),
            Table::Pharmacy => matches!(id, "YK" | "SH" | "CZ" | "IY" | "TO"),
        };
        common || table || self.table.skipped(id).is_some()
    }

    fn unknown(&self, rec: &UkeRecord) -> UkeError {
        UkeError::UnknownRecord {
            file: self.file.clone(),
            line: rec.line,
            record: display_id(rec.id()),
            kind: self.table.label(),
        }
    }

    fn dental_receipt_ir(&mut self, at: &At) -> Result<(), UkeError> {
        let h = dental_ir_header(at, self.header.delivery)?;
        if h.institution.code != self.header.institution.code
            || h.institution.prefecture != self.header.institution.prefecture
        {
            if !self.header.delivery {
                return Err(at.structure("IR names another 医療機関 than the file header"));
            }
            self.institution = h.institution;
        } else {
            self.institution = self.header.institution.clone();
        }
        Ok(())
    }

    fn go(&mut self, at: &At) -> Result<(), UkeError> {
        if self.go_seen && !self.header.delivery {
            return Err(at.structure("a second GO record"));
        }
        at.check_count(layout::GO)?;
        let count = at.opt_number(2, "総件数", layout::WIDTH_GO_COUNT)?;
        let points = at.opt_number(3, "総合計点数", layout::WIDTH_GO_POINTS)?;
        let volume = at.text(4);
        self.go_seen = true;
        let overflow = || at.structure("the GO totals add up beyond any real claim");
        // Each is at most 6 / 10 digits; only a file of billions of GO records could overflow.
        self.trailer.declared_count =
            self.trailer.declared_count.checked_add(count.unwrap_or(0).unsigned_abs()).ok_or_else(overflow)?;
        self.trailer.declared_points =
            self.trailer.declared_points.checked_add(points.unwrap_or(0)).ok_or_else(overflow)?;
        if self.header.delivery {
            // A delivery's receipts are counted as the 審査支払機関 corrected them, and it may
            // carry no GO at all: a GO there is informative only.
            return Ok(());
        }
        // Totals are only comparable for a file that is a whole claim: one volume, "00" in the
        // header and "99" in GO (multi-volume files carry the grand total on the last one).
        let single_volume = self.header.volume == "00" && volume == "99";
        self.trailer.counted_cases += self.block.cases;
        self.trailer.counted_points += self.block.points;
        self.trailer.receipts += self.block.receipts;
        if !single_volume {
            self.trailer
                .warnings
                .push(UkeWarning::TotalsNotCheckable { line: at.rec.line, volume: volume.to_string() });
        } else {
            let totals = |position, name, declared: i64, counted: i64| UkeError::Totals {
                file: self.file.clone(),
                line: at.rec.line,
                record: "GO".into(),
                position,
                name,
                declared,
                counted_as: "the receipts count (one per 医療保険 and per 公費, as the spec's GO note counts)",
                counted,
            };
            if let Some(declared) = count
                && declared.unsigned_abs() != self.block.cases
            {
                return Err(totals(2, "総件数", declared, i64::try_from(self.block.cases).unwrap_or(i64::MAX)));
            }
            if let Some(declared) = points
                && declared != self.block.points
            {
                return Err(totals(3, "総合計点数", declared, self.block.points));
            }
        }
        self.block = Totals::default();
        Ok(())
    }

    fn at_end(&mut self) -> Result<(), UkeError> {
        if self.header.delivery {
            // Deliveries carry no GO (the 支払基金's sample has none): nothing to warn about.
            self.trailer.counted_cases += self.block.cases;
            self.trailer.counted_points += self.block.points;
            self.trailer.receipts += self.block.receipts;
            self.block = Totals::default();
        } else {
            if !self.go_seen {
                return Err(UkeError::Structure {
                    file: self.file.clone(),
                    line: self.last_line,
                    record: "(end of file)".into(),
                    problem: "the file ends without a GO record".into(),
                });
            }
            if !self.records.saw_eof_marker() {
                self.trailer.warnings.push(UkeWarning::MissingEofMarker);
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Iterator for ReceiptAssembler<R> {
    type Item = Result<AssembledReceipt, UkeError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_receipt()
    }
}

fn review_body(at: &At) -> Result<u8, UkeError> {
    match at.text(2) {
        "1" => Ok(1),
        "2" => Ok(2),
        v => Err(at.error(2, "審査支払機関", format!("expected 1 or 2, found {v:?}"))),
    }
}

fn prefecture(at: &At, position: usize) -> Result<u8, UkeError> {
    let p = at.digits(position, "都道府県", 2)?;
    match p.parse::<u8>() {
        Ok(n) if (1..=47).contains(&n) => Ok(n),
        _ => Err(at.error(position, "都道府県", format!("expected 01..47, found {p:?}"))),
    }
}

fn institution(at: &At, pref: usize, code: usize, name: Option<usize>) -> Result<Institution, UkeError> {
    Ok(Institution {
        code: at.digits(code, "医療機関コード", 7)?,
        prefecture: prefecture(at, pref)?,
        name: name.map(|p| at.text(p).to_string()).unwrap_or_default(),
        address: None,
    })
}

fn medical_ir(at: &At, delivery: bool, dpc_name: bool) -> Result<UkeHeader, UkeError> {
    at.check_count(medical::IR)?;
    Ok(UkeHeader {
        review_body: review_body(at)?,
        institution: institution(at, 3, 5, Some(7))?,
        kind: if dpc_name { ReceiptKind::Dpc } else { ReceiptKind::Medical },
        billing_month: at.month(8, "請求年月")?,
        phone: at.text(10).to_string(),
        volume: at.text(9).to_string(),
        delivery,
    })
}

fn dental_uk(at: &At, delivery: bool) -> Result<UkeHeader, UkeError> {
    at.check_count(dental::UK)?;
    expect_tensu(at, "3")?;
    Ok(UkeHeader {
        review_body: review_body(at)?,
        institution: institution(at, 3, 5, Some(7))?,
        kind: ReceiptKind::Dental,
        billing_month: at.month(8, "請求年月")?,
        phone: String::new(),
        volume: at.text(10).to_string(),
        delivery,
    })
}

fn dental_ir_header(at: &At, delivery: bool) -> Result<UkeHeader, UkeError> {
    at.check_count(dental::IR)?;
    expect_tensu(at, "3")?;
    Ok(UkeHeader {
        review_body: review_body(at)?,
        institution: institution(at, 3, 5, None)?,
        kind: ReceiptKind::Dental,
        billing_month: at.month(7, "請求年月")?,
        phone: at.text(8).to_string(),
        volume: "00".into(),
        delivery,
    })
}

fn pharmacy_yk(at: &At, delivery: bool) -> Result<UkeHeader, UkeError> {
    at.check_count(pharmacy::YK)?;
    expect_tensu(at, "4")?;
    Ok(UkeHeader {
        review_body: review_body(at)?,
        institution: institution(at, 3, 5, Some(6))?,
        kind: ReceiptKind::Pharmacy,
        billing_month: at.month(7, "請求年月")?,
        phone: at.text(9).to_string(),
        volume: at.text(8).to_string(),
        delivery,
    })
}

fn expect_tensu(at: &At, code: &str) -> Result<(), UkeError> {
    let t = at.text(4);
    if t == code { Ok(()) } else { Err(at.error(4, "点数表", format!("expected {code}, found {t:?}"))) }
}

/// Collects one receipt's records.
struct Builder {
    table: Table,
    layout: ReceiptLayout,
    receipt: Receipt,
    line: u64,
    number: u32,
    ho_seen: bool,
    ho_line: u64,
    public_payers: usize,
    first_public_points: Option<i64>,
    branch_seen: bool,
    category: String,
    dpc: bool,
    donor_block: bool,
    pharmacy_current: Option<(String, Vec<u8>)>,
    receipt_start: Option<NaiveDate>,
    receipt_outcome: Option<u8>,
    warnings: Vec<UkeWarning>,
}

impl Builder {
    fn start<R: BufRead>(asm: &ReceiptAssembler<R>, at: &At) -> Result<Self, UkeError> {
        let table = asm.table;
        let layout = table.receipt_layout();
        at.check_count(layout.re)?;
        // A name longer than the spec's 20 漢字 is written by real software (the receiptisan
        // sample has 22); the receipt is still the person's, so it is kept with a warning.
        let long_name = at.max_bytes(5, "氏名", 40).err().map(|_| UkeWarning::FieldTooLong {
            line: at.rec.line,
            record: "RE".into(),
            position: 5,
            name: "氏名",
            max: 40,
            found: super::fields::cp932_len(at.text(5)),
        });
        let mut warnings: Vec<UkeWarning> = long_name.into_iter().collect();
        if table == Table::Medical && at.rec.len() < layout.re_written {
            warnings.push(short_record(at, layout.re_written));
        }
        let number = at.u32(2, "レセプト番号", 6)?;
        let prescriber = match layout.prescriber {
            Some(p) if !at.text(p + 2).is_empty() => {
                let prefecture = at.digits(p, "都道府県番号（処方箋発行）", 2)?;
                let code = at.digits(p + 2, "医療機関コード（処方箋発行）", 7)?;
                Some(Institution {
                    code,
                    prefecture: prefecture.parse().unwrap_or(0),
                    name: at.text(p + 3).to_string(),
                    address: None,
                })
            }
            _ => None,
        };
        let receipt_type = at.digits(3, "レセプト種別", 4)?;
        if receipt_type.as_bytes().first() != Some(&table.type_digit()) {
            return Err(at.error(
                3,
                "レセプト種別",
                format!(
                    "expected a {} code starting with {}, found {receipt_type:?}",
                    table.label(),
                    char::from(table.type_digit())
                ),
            ));
        }
        let setting = CareSetting::from_receipt_type(&receipt_type)
            .ok_or_else(|| at.error(3, "レセプト種別", format!("not a レセプト種別: {receipt_type:?}")))?;
        let service_month = at.month(4, "診療年月")?;
        let patient_name = at.required(5, "氏名")?.to_string();
        let sex = Sex::from_code(at.text(6)).ok_or_else(|| at.error(6, "男女区分", "expected 1 or 2".to_string()))?;
        let birth_date = at.date(7, "生年月日")?;
        let admission_date = match layout.admission {
            Some(p) => at.opt_date(p, "入院年月日")?,
            None => None,
        };
        let search_number = match layout.search_number {
            Some(p) => {
                let s = at.text(p);
                if !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(at.error(p, "検索番号", "expected digits".into()));
                }
                at.opt_text(p)
            }
            None => None,
        };
        let patient_name_kana = layout.kana.map(|p| at.text(p).to_string()).unwrap_or_default();
        let receipt_start = match layout.re_start_date {
            Some(p) => at.opt_date(p, "診療開始日")?,
            None => None,
        };
        let receipt_outcome = match layout.re_outcome {
            Some(p) => outcome(at, p, true)?,
            None => None,
        };
        let kind = match table {
            Table::Medical => asm.header.kind,
            Table::Dental => ReceiptKind::Dental,
            Table::Pharmacy => ReceiptKind::Pharmacy,
        };
        Ok(Self {
            table,
            layout,
            receipt: Receipt {
                kind,
                setting,
                receipt_type,
                service_month,
                institution: asm.institution.clone(),
                patient_name,
                patient_name_kana,
                sex,
                birth_date,
                insurer_number: String::new(),
                card_symbol: String::new(),
                card_number: String::new(),
                card_branch: None,
                admission_date,
                days: 0,
                total_points: 0,
                patient_charge: None,
                meal_amount: None,
                search_number,
                prescriber,
                diagnoses: Vec::new(),
                lines: Vec::new(),
                delivery: None,
            },
            line: at.rec.line,
            number,
            ho_seen: false,
            ho_line: 0,
            public_payers: 0,
            first_public_points: None,
            branch_seen: false,
            category: String::new(),
            dpc: false,
            donor_block: false,
            pharmacy_current: None,
            receipt_start,
            receipt_outcome,
            warnings,
        })
    }

    fn add<R: BufRead>(&mut self, asm: &ReceiptAssembler<R>, at: &At) -> Result<(), UkeError> {
        let id = at.rec.id();
        if self.table == Table::Medical && matches!(id, "TI" | "TR" | "TS") && !self.donor_block {
            // 臓器提供者レセプト情報 follows the recipient's SJ and runs to the next receipt.
            self.donor_block = true;
            self.warnings.push(UkeWarning::RecordsSkipped {
                line: at.rec.line,
                receipt_number: self.number,
                what: "臓器提供者レセプト情報 (TI/TR/TS block)",
            });
        }
        if self.donor_block {
            return Ok(());
        }
        if self.table == Table::Medical && DPC_RECORDS.contains(&id) {
            self.dpc = true;
            return Ok(());
        }
        match (self.table, id) {
            (_, "HO") => self.ho(at),
            (_, "KO") => {
                at.check_count(self.layout.ko)?;
                let points = at.number(6, "合計点数", layout::WIDTH_TOTAL_POINTS)?;
                if self.public_payers == 0 {
                    self.first_public_points = Some(points);
                }
                self.public_payers += 1;
                Ok(())
            }
            (_, "SN") => self.sn(at),
            (Table::Medical, "SY") => self.sy(at),
            (Table::Dental, "HS") => self.hs(at),
            (Table::Medical, "SI") => self.line(at, &medical::SI, LineKind::Procedure),
            (Table::Medical, "IY") => self.line(at, &medical::IY, LineKind::Drug),
            (Table::Medical, "TO") => self.line(at, &medical::TO, LineKind::Material),
            (Table::Dental, "SS") => self.line(at, &dental::SS, LineKind::Procedure),
            (Table::Dental, "SI") => self.line(at, &dental::SI, LineKind::Procedure),
            (Table::Dental, "IY") => self.line(at, &dental::IY, LineKind::Drug),
            (Table::Dental, "TO") => self.line(at, &dental::TO, LineKind::Material),
            (Table::Pharmacy, "SH") => at.check_count(pharmacy::SH),
            (Table::Pharmacy, "CZ") => self.cz(at),
            (Table::Pharmacy, "IY") => self.pharmacy_iy(at),
            (Table::Pharmacy, "TO") => {
                if !self
                    .warnings
                    .iter()
                    .any(|w| matches!(w, UkeWarning::RecordsSkipped { what, .. } if what.starts_with("調剤 TO")))
                {
                    self.warnings.push(UkeWarning::RecordsSkipped {
                        line: at.rec.line,
                        receipt_number: self.number,
                        what: "調剤 TO records (layout unverified)",
                    });
                }
                Ok(())
            }
            (Table::Medical | Table::Dental, "CO") => {
                at.check_count(asm.table.skipped("CO").unwrap_or(Count::at_least(2)))?;
                // A comment's 診療識別 carries over to the lines after it.
                self.take_category(at, 2)?;
                Ok(())
            }
            (table, other) => match table.skipped(other) {
                Some(count) => at.check_count(count),
                None => Err(at.structure("record not allowed inside a receipt")),
            },
        }
    }

    fn ho(&mut self, at: &At) -> Result<(), UkeError> {
        if self.ho_seen {
            return Err(at.structure("a second HO record in one receipt"));
        }
        at.check_count(self.layout.ho)?;
        if self.table == Table::Medical && at.rec.len() < self.layout.ho_written {
            self.warnings.push(short_record(at, self.layout.ho_written));
        }
        // 記録条件仕様 (医科) HO: 保険者番号 8 bytes, 記号 and 番号 up to 38 bytes each.
        at.max_bytes(2, "保険者番号", 8)?;
        at.max_bytes(3, "被保険者証等の記号", 38)?;
        at.max_bytes(4, "被保険者証等の番号", 38)?;
        at.max_bytes(6, "合計点数", 8)?;
        self.ho_line = at.rec.line;
        let raw = at.text(2);
        let insurer = InsurerNumber::parse(raw)
            .map_err(|_| at.error(2, "保険者番号", format!("expected 6 or 8 digits, found {raw:?}")))?;
        let number = normalize_card_part(at.text(4));
        if number.is_empty() {
            return Err(at.error(4, "被保険者証等の番号", "required, found nothing".into()));
        }
        let r = &mut self.receipt;
        r.insurer_number = insurer.as_str().to_string();
        r.card_symbol = normalize_card_part(at.text(3));
        r.card_number = number;
        r.days = at.opt_u32(5, "診療実日数", 2)?.unwrap_or(0);
        r.total_points = at.number(6, "合計点数", layout::WIDTH_TOTAL_POINTS)?;
        if let Some(p) = self.layout.meal_amount {
            r.meal_amount = at.opt_number(p, "食事療養・生活療養 合計金額", layout::WIDTH_MEAL_AMOUNT)?;
        }
        if let Some(p) = self.layout.patient_charge {
            r.patient_charge = at.opt_number(p, "負担金額（医療保険）", layout::WIDTH_PATIENT_CHARGE)?;
        }
        self.ho_seen = true;
        Ok(())
    }

    fn sn(&mut self, at: &At) -> Result<(), UkeError> {
        at.check_count(layout::SN)?;
        // 負担者種別 1 = 医療保険; its 枝番 completes the card. Later SN of the same kind are
        // history kept by the 審査支払機関 and do not override the first.
        if at.text(2) == "1" && !self.branch_seen {
            let raw = at.text(layout::SN_BRANCH);
            if !raw.is_empty() {
                let branch = CardId::parse_branch(raw).map_err(|_| {
                    at.error(layout::SN_BRANCH, "枝番", "expected 2 digits (value withheld: personal data)".into())
                })?;
                self.receipt.card_branch = Some(branch);
            }
            self.branch_seen = true;
        }
        Ok(())
    }

    fn sy(&mut self, at: &At) -> Result<(), UkeError> {
        at.check_count(medical::SY)?;
        let start_date = at.date(3, "診療開始日")?;
        let outcome = outcome(at, 4, false)?.unwrap_or(1);
        self.diagnosis(at, 2, start_date, outcome, 5, 6, 7)
    }

    fn hs(&mut self, at: &At) -> Result<(), UkeError> {
        at.check_count(dental::HS)?;
        // 入院外 receipts carry 診療開始日 and 転帰区分 on RE instead of each HS.
        let start_date = match at.opt_date(2, "診療開始日")? {
            Some(d) => d,
            None => self
                .receipt_start
                .ok_or_else(|| at.error(2, "診療開始日", "missing here and in RE 診療開始日".into()))?,
        };
        let outcome = outcome(at, 3, true)?.or(self.receipt_outcome).unwrap_or(1);
        self.diagnosis(at, 5, start_date, outcome, 6, 7, 10)
    }

    #[allow(clippy::too_many_arguments)]
    fn diagnosis(
        &mut self,
        at: &At,
        code_pos: usize,
        start_date: NaiveDate,
        outcome: u8,
        modifiers_pos: usize,
        name_pos: usize,
        main_pos: usize,
    ) -> Result<(), UkeError> {
        let code = at.digits(code_pos, "傷病名コード", 7)?;
        let modifiers = at.text(modifiers_pos);
        if !modifiers.len().is_multiple_of(4) || !modifiers.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(at.error(modifiers_pos, "修飾語コード", "expected 4-character codes".to_string()));
        }
        let main = match at.text(main_pos) {
            "" => false,
            "01" => true,
            _ => {
                return Err(at.error(main_pos, "主傷病", "expected 01 or nothing".to_string()));
            }
        };
        self.receipt.diagnoses.push(Diagnosis {
            code,
            name: at.opt_text(name_pos),
            start_date,
            outcome,
            main,
            modifiers: modifiers.to_string(),
        });
        Ok(())
    }

    /// Applies a record's 診療識別: a value replaces the current one, blank keeps it.
    fn take_category(&mut self, at: &At, position: usize) -> Result<(), UkeError> {
        let c = at.text(position);
        if !c.is_empty() {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(at.error(position, "診療識別", "expected 2 digits".to_string()));
            }
            self.category = c.to_string();
        }
        Ok(())
    }

    fn line(&mut self, at: &At, l: &LineLayout, kind: LineKind) -> Result<(), UkeError> {
        at.check_count(l.count)?;
        if let Some(p) = l.category {
            self.take_category(at, p)?;
        }
        let payer_code = match l.payer {
            Some(p) => payer(at, p)?,
            None => String::new(),
        };
        let code = at.digits(l.code, l.code_name, 9)?;
        let quantity = at.decimal(l.quantity, l.quantity_name)?;
        let points = match l.points {
            Some(p) => at.opt_signed(p, "点数", layout::WIDTH_LINE_POINTS)?,
            None => None,
        };
        let count = match l.times {
            Some(p) => at.u32(p, "回数", layout::WIDTH_TIMES)?,
            None => 1,
        };
        let mut service_days = Vec::new();
        if let Some(day1) = l.day1 {
            for day in 1..=31u8 {
                let position = day1 + usize::from(day) - 1;
                if at.opt_u32(position, "算定日情報", layout::WIDTH_TIMES)?.is_some_and(|n| n > 0) {
                    service_days.push(day);
                }
            }
        }
        self.receipt.lines.push(ReceiptLine {
            kind,
            care_category: if l.category.is_some() { self.category.clone() } else { String::new() },
            payer_code,
            code,
            quantity,
            points,
            count,
            service_days,
        });
        Ok(())
    }

    fn cz(&mut self, at: &At) -> Result<(), UkeError> {
        self.line(at, &pharmacy::CZ, LineKind::Procedure)?;
        let p = pharmacy::CZ_DISPENSED_ON;
        let day = dispensing_day(at, p, self.receipt.service_month)?;
        let days: Vec<u8> = day.into_iter().collect();
        if let Some(line) = self.receipt.lines.last_mut() {
            line.service_days = days.clone();
            self.pharmacy_current = Some((line.payer_code.clone(), days));
        }
        Ok(())
    }

    fn pharmacy_iy(&mut self, at: &At) -> Result<(), UkeError> {
        let Some((payer_code, days)) = self.pharmacy_current.clone() else {
            return Err(at.structure("調剤 IY before any CZ of its receipt"));
        };
        self.line(at, &pharmacy::IY, LineKind::Drug)?;
        if let Some(line) = self.receipt.lines.last_mut() {
            line.payer_code = payer_code;
            line.service_days = days;
        }
        Ok(())
    }

    fn finish<R: BufRead>(mut self, asm: &ReceiptAssembler<R>) -> Result<AssembledReceipt, UkeError> {
        if self.table == Table::Medical && (self.dpc || asm.header.kind == ReceiptKind::Dpc) {
            self.receipt.kind = ReceiptKind::Dpc;
        }
        if let Some(charge) = self.receipt.patient_charge {
            // 負担金額 is part of what the receipt costs: 合計点数 × 10 円 plus the 食事・生活療養
            // amount in yen (each bounded by its width, so this cannot overflow).
            let cost = self.receipt.total_points * 10 + self.receipt.meal_amount.unwrap_or(0);
            if charge > cost {
                return Err(UkeError::Structure {
                    file: asm.file.clone(),
                    line: self.ho_line,
                    record: "HO".into(),
                    problem: format!(
                        "負担金額（医療保険） (field {}) is larger than the receipt's cost (合計点数 × 10 円 + 食事・生活療養)",
                        self.layout.patient_charge.unwrap_or(0)
                    ),
                });
            }
        }
        if !self.ho_seen {
            self.warnings.push(UkeWarning::NoHealthInsurance { line: self.line, receipt_number: self.number });
        } else if matches!(self.receipt.kind, ReceiptKind::Medical | ReceiptKind::Dental) {
            // DPC receipts hold 包括 points outside the lines, and the 調剤 layout is too
            // partial here, so only 医科 出来高 and 歯科 are checked.
            let lines = health_insurance_line_points(&self.receipt).ok_or_else(|| UkeError::Structure {
                file: asm.file.clone(),
                line: self.ho_line,
                record: "HO".into(),
                problem: "the receipt's lines add up beyond any real receipt".into(),
            })?;
            if lines != self.receipt.total_points {
                return Err(UkeError::Totals {
                    file: asm.file.clone(),
                    line: self.ho_line,
                    record: "HO".into(),
                    position: 6,
                    name: "合計点数",
                    declared: self.receipt.total_points,
                    counted_as: "the receipt's lines add up to",
                    counted: lines,
                });
            }
        }
        Ok(AssembledReceipt {
            receipt: self.receipt,
            line: self.line,
            receipt_number: self.number,
            has_health_insurance: self.ho_seen,
            public_payers: self.public_payers,
            first_public_points: self.first_public_points,
            warnings: self.warnings,
        })
    }
}

/// The points HO 合計点数 should equal: lines whose 負担区分 includes 医療保険, excluding
/// 食事療養・生活療養 (診療識別 97, recorded in yen in HO 食事 合計金額).
/// `None` if the sum leaves i64 (it cannot within the spec's widths; checked all the same).
pub(crate) fn health_insurance_line_points(r: &Receipt) -> Option<i64> {
    r.lines
        .iter()
        .filter(|l| HEALTH_INSURANCE_PAYER_CODES.contains(&l.payer_code.as_str()) && l.care_category != "97")
        .filter_map(|l| l.points.map(|p| p.checked_mul(i64::from(l.count))))
        .try_fold(0i64, |sum, p| sum.checked_add(p?))
}

fn short_record(at: &At, current: usize) -> UkeWarning {
    UkeWarning::ShortRecord { line: at.rec.line, record: at.rec.id().to_string(), found: at.rec.len(), current }
}

fn payer(at: &At, position: usize) -> Result<String, UkeError> {
    let p = at.text(position);
    if p.len() == 1 && p.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(p.to_string())
    } else {
        Err(at.error(position, "負担区分", "expected one character (別表21)".to_string()))
    }
}

/// 転帰区分 1–4; blank allowed where `optional`.
fn outcome(at: &At, position: usize, optional: bool) -> Result<Option<u8>, UkeError> {
    match at.text(position) {
        "" if optional => Ok(None),
        v @ ("1" | "2" | "3" | "4") => Ok(v.parse().ok()),
        _ => Err(at.error(position, "転帰区分", "expected 1, 2, 3 or 4".to_string())),
    }
}

/// The day of 調剤月日: a full date (西暦 8 or 和暦 7 digits), `MMDD`, or `DD`.
fn dispensing_day(at: &At, position: usize, month: YearMonth) -> Result<Option<u8>, UkeError> {
    let t = at.text(position);
    let bad = || at.error(position, "調剤月日", "expected YYYYMMDD, MMDD or DD".into());
    let day = match t.len() {
        0 => return Ok(None),
        7 | 8 => at.date(position, "調剤月日")?.day(),
        1..=4 if t.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = t.parse().map_err(|_| bad())?;
            if t.len() > 2 { n % 100 } else { n }
        }
        _ => return Err(bad()),
    };
    if day == 0 || day > month.days_in_month() {
        return Err(bad());
    }
    u8::try_from(day).map(Some).map_err(|_| bad())
}
