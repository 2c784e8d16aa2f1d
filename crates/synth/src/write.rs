//! Writes a whole synthetic society to a folder, in the formats a society receives.

use crate::checkups::checkup_archives;
use crate::people::{Society, SocietyConfig, benefit_claims, family};
use crate::receipts::{Institutions, month_receipts};
use kenpo_domain::YearMonth;
use kenpo_domain::person::{Employer, Person};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Which parts to write.
#[derive(Clone, Copy, Debug)]
pub struct Outputs {
    pub roster: bool,
    pub benefits: bool,
    pub receipts: bool,
    pub checkups: bool,
}

impl Outputs {
    pub fn all() -> Self {
        Self { roster: true, benefits: true, receipts: true, checkups: true }
    }
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct GenerateSummary {
    pub members: u64,
    pub people: u64,
    pub dependants: u64,
    pub employers: u64,
    pub benefit_claims: u64,
    pub receipt_files: u64,
    pub receipts: u64,
    pub checkup_archives: u64,
    pub checkups: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> GenerateError + '_ {
    move |source| GenerateError::Io { path: path.display().to_string(), source }
}

/// Writes roster.csv, benefits.csv, receipts/YYYYMM/*.UKE and checkups/*.zip under `out`.
/// `progress(done, total, what)` is called as parts finish.
pub fn write_society(
    config: SocietyConfig,
    out: &Path,
    outputs: Outputs,
    progress: &dyn Fn(u64, u64, &str),
) -> Result<GenerateSummary, GenerateError> {
    fs::create_dir_all(out).map_err(io(out))?;
    let society = Society::new(config.clone());
    let mut summary =
        GenerateSummary { members: config.members, employers: society.employers.len() as u64, ..Default::default() };

    if outputs.roster {
        let path = out.join("roster.csv");
        let file = BufWriter::new(File::create(&path).map_err(io(&path))?);
        let mut writer = kenpo_formats::roster::RosterStreamWriter::new(file)
            .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
        let mut written_employers = HashSet::new();
        for index in 0..config.members {
            for person in family(&society, index) {
                let employer = employer_for(&society, &person, &mut written_employers);
                writer
                    .write(&person, employer.as_ref())
                    .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
                summary.people += 1;
                if person.card.branch > 0 {
                    summary.dependants += 1;
                }
            }
            if index % 10_000 == 0 {
                progress(index, config.members, "roster");
            }
        }
        writer
            .finish()
            .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
        progress(config.members, config.members, "roster");
    }

    if outputs.benefits {
        let path = out.join("benefits.csv");
        let claims = benefit_claims(&society);
        summary.benefit_claims = claims.len() as u64;
        let file = BufWriter::new(File::create(&path).map_err(io(&path))?);
        kenpo_formats::benefits::write_claims(file, &claims)
            .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
    }

    if outputs.receipts {
        let institutions = Institutions::new(&society);
        let mut month = YearMonth::of(config.fiscal_start());
        for step in 0..12u64 {
            let dir: PathBuf = out.join("receipts").join(month.compact());
            fs::create_dir_all(&dir).map_err(io(&dir))?;
            for file in month_receipts(&society, &institutions, month) {
                let path = dir.join(format!("{}_{}.UKE", file.kind.code(), file.institution.code));
                let mut w = BufWriter::new(File::create(&path).map_err(io(&path))?);
                kenpo_formats::uke::write_uke(&mut w, &file)
                    .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
                w.flush().map_err(io(&path))?;
                summary.receipt_files += 1;
                summary.receipts += file.receipts.len() as u64;
            }
            progress(step + 1, 12, "receipts");
            month = month.next();
        }
    }

    if outputs.checkups {
        let dir = out.join("checkups");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        for (header, records) in checkup_archives(&society) {
            let path = dir.join(format!("{}.zip", header.archive_name()));
            let file = File::create(&path).map_err(io(&path))?;
            kenpo_formats::checkup_xml::write_checkup_archive(BufWriter::new(file), &header, &records)
                .map_err(|e| GenerateError::Format { path: path.display().to_string(), message: e.to_string() })?;
            summary.checkup_archives += 1;
            summary.checkups += records.len() as u64;
        }
        progress(1, 1, "checkups");
    }
    Ok(summary)
}

/// The employer columns are filled on the first row that names an employer.
fn employer_for(society: &Society, person: &Person, written: &mut HashSet<String>) -> Option<Employer> {
    let code = person.employer_code.as_ref()?;
    if !written.insert(code.clone()) {
        return None;
    }
    society.employers.iter().find(|e| &e.employer.code == code).map(|e| e.employer.clone())
}
