//! UKE (電子レセプト): the raw reader and the insurer-side delivery reader.
//!
//! The input is a whole file as bytes (CP932). It goes through both layers a caller may use
//! alone: `RecordReader` (bytes to records, iterated to the end) and `read_uke` (the whole
//! file: header, every receipt, the GO trailer; a delivery — detected from its content, three
//! prefix columns and MN blocks — has its JY corrections applied per block).
//!
//! The file name matters to the reader (DPC files are recognised by name, a delivery's 処理年月
//! comes from its folder), so it is derived from the bytes: a file that starts with a digit is
//! read under a delivery name, with or without the `YYYYMM/<保険者番号>/` folder; any other under
//! a raw name, 医科 or DPC. Errors are expected; only a panic, a hang or runaway memory is a bug.
//! Keep `file_name` in step with /tmp/fuzz_regressions.rs (crates/formats/tests).

#![no_main]

use kenpo_formats::uke::{RecordReader, read_uke};
use libfuzzer_sys::fuzz_target;

fn file_name(data: &[u8]) -> &'static str {
    let delivery = data.first().is_some_and(u8::is_ascii_digit);
    match (delivery, data.len() % 2 == 0) {
        (false, true) => "RECEIPTC.UKE",
        (false, false) => "RECEIPTD.UKE",
        (true, true) => "in/201805/06139999/0_COMMON001/11_RECODEINFO_MED.CSV",
        (true, false) => "11_RECODEINFO_MED.CSV",
    }
}

fuzz_target!(|data: &[u8]| {
    let name = file_name(data);
    // Layer 1: records only. The iterator yields nothing after an error, so this ends.
    for record in RecordReader::new(data, name) {
        if record.is_err() {
            break;
        }
    }
    // Layers 2 and 3: the whole file, every receipt.
    let _ = read_uke(data, name);
});
