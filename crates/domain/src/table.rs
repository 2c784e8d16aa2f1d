//! A table of text cells: what a use case hands to a renderer (CSV, HTML) instead of a
//! rendered string, so that quoting, neutralisation and encoding live in one writer
//! (`kenpo_formats::csv_out`).

use serde::Serialize;

/// Headers and rows of text cells, as the staff-facing file will show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(headers: I) -> Self {
        Self { headers: headers.into_iter().map(Into::into).collect(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
