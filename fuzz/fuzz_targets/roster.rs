//! Roster CSV (被保険者・被扶養者名簿): the header check and every row.
//! Errors are expected; only a panic, a hang or runaway memory is a bug.

#![no_main]

use kenpo_formats::roster::RosterReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(reader) = RosterReader::new(data, "roster.csv") {
        // A row error does not end the reader: read on to the end, as an importer that lists
        // every bad row would.
        for row in reader {
            let _ = row;
        }
    }
});
