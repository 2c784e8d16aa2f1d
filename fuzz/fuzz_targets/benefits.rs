//! Cash-benefit claims CSV (現金給付申請一覧): the whole file.
//! Errors are expected; only a panic, a hang or runaway memory is a bug.

#![no_main]

use kenpo_formats::benefits::read_claims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_claims(data, "benefits.csv");
});
