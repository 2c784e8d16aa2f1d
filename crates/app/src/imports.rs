//! Imports: files in, each all or nothing, through the store. Interfaces pass a progress
//! callback (`what`, done, total) — the CLI draws bars with it, the server reports a job's
//! progress — and get the totals and, per refused file, its reason (file, line, field).

use anyhow::{Context, Result};
use kenpo_store::{AccessContext, NewBenefitClaim, NewPerson};
use std::path::{Path, PathBuf};

/// Told (what, done, total) as an import goes.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// No progress wanted.
pub fn quiet(_: &str, _: u64, _: u64) {}

/// Hex SHA-256 of a file's bytes: identifies an import's content, so a re-import is refused.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

pub async fn import_roster(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    file: &Path,
    progress: Progress<'_>,
) -> Result<kenpo_store::ImportSummary> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
    Ok(import_roster_bytes(store, ctx, &name, bytes, progress).await?)
}

/// Imports one roster file held in memory (an upload): all or nothing, refused a second time.
pub async fn import_roster_bytes(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    name: &str,
    bytes: Vec<u8>,
    progress: Progress<'_>,
) -> Result<kenpo_store::ImportSummary, kenpo_store::StoreError> {
    let sha = sha256_hex(&bytes);
    let reader = kenpo_formats::roster::RosterReader::new(bytes.as_slice(), name)
        .map_err(|e| kenpo_store::StoreError::Input(e.to_string()))?;
    let rows = reader.map(|row| {
        row.map(|r| NewPerson { line: r.line, person: r.person, employer: r.employer }).map_err(|e| e.to_string())
    });
    let total = bytes.iter().filter(|b| **b == b'\n').count().saturating_sub(1) as u64;
    store.import_roster(ctx, name, &sha, rows, &|done| progress("import roster", done, total)).await
}

/// Imports one 特定健診 archive held in memory (an upload): all or nothing, refused a second
/// time; errors name the archive, the file in it and the element path.
pub async fn import_checkup_bytes(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    name: &str,
    bytes: Vec<u8>,
) -> Result<kenpo_store::CheckupImportSummary, kenpo_store::StoreError> {
    let sha = sha256_hex(&bytes);
    let archive = kenpo_formats::checkup_xml::read_checkup_archive(std::io::Cursor::new(bytes), name)
        .map_err(|e| kenpo_store::StoreError::Input(e.to_string()))?;
    let sender = format!("健診機関 {}", archive.header.sender_institution);
    let warnings: Vec<String> = archive.warnings.iter().map(|w| w.to_string()).collect();
    store.import_checkups(ctx, name, &sha, &sender, &archive.records, &warnings).await
}

/// Imports receipt files one by one (each all or nothing). Returns the totals and, per refused
/// file, the reason (file, line, record, field).
pub async fn import_receipts(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    files: &[PathBuf],
    progress: Progress<'_>,
) -> Result<(kenpo_store::ReceiptImportSummary, Vec<String>)> {
    let mut total = kenpo_store::ReceiptImportSummary::default();
    let mut failures = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let name = file.display().to_string();
        let sha = sha256_file(file).with_context(|| format!("reading {name}"))?;
        let open = std::fs::File::open(file).with_context(|| format!("reading {name}"))?;
        let assembler = match kenpo_formats::uke::ReceiptAssembler::new(std::io::BufReader::new(open), &name) {
            Ok(a) => a,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        let mut source =
            UkeSource { name: name.clone(), assembler: Some(assembler), warnings: Vec::new(), progress: None, read: 0 };
        match store.import_receipt_stream(ctx, &name, &sha, &mut source).await {
            Ok(s) => {
                total.files += s.files;
                total.receipts += s.receipts;
                total.lines += s.lines;
                total.points += s.points;
                total.matched += s.matched;
                total.unmatched += s.unmatched;
                total.warnings += s.warnings;
                total.corrections += s.corrections;
                total.import_id = s.import_id;
            }
            Err(e @ kenpo_store::StoreError::Denied { .. }) => return Err(e.into()),
            Err(e @ kenpo_store::StoreError::AlreadyImported { .. }) => failures.push(e.to_string()),
            // The reader's error already names the file, line, record and field.
            Err(kenpo_store::StoreError::Input(e)) => failures.push(e),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        progress("import receipts", i as u64 + 1, files.len() as u64);
    }
    Ok((total, failures))
}

/// Hex SHA-256 of a file, read in blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A UKE file read one receipt at a time for the store.
struct UkeSource<'p, R: std::io::BufRead> {
    name: String,
    assembler: Option<kenpo_formats::uke::ReceiptAssembler<R>>,
    warnings: Vec<String>,
    /// Told the receipts read so far (every 100), for an upload's progress.
    progress: Option<Progress<'p>>,
    read: u64,
}

impl<R: std::io::BufRead + Send> kenpo_store::ReceiptSource for UkeSource<'_, R> {
    fn next_receipt(&mut self) -> Option<Result<kenpo_domain::receipt::Receipt, String>> {
        let next = self.assembler.as_mut()?.next_receipt()?;
        self.read += 1;
        if let Some(progress) = self.progress
            && self.read.is_multiple_of(100)
        {
            progress("receipts read", self.read, 0);
        }
        Some(match next {
            Ok(a) => {
                self.warnings.extend(a.warnings.iter().map(|w| format!("{}: {w}", self.name)));
                Ok(a.receipt)
            }
            Err(e) => Err(e.to_string()),
        })
    }
    fn warnings(&mut self) -> Vec<String> {
        if let Some(a) = self.assembler.take() {
            let name = &self.name;
            self.warnings.extend(a.finish().warnings.iter().map(|w| format!("{name}: {w}")));
        }
        std::mem::take(&mut self.warnings)
    }
}

/// Imports one UKE file held in memory (an upload), all or nothing. The error of a refused
/// file names the file, line, record and field.
pub async fn import_receipt_bytes(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    name: &str,
    bytes: Vec<u8>,
    progress: Progress<'_>,
) -> Result<kenpo_store::ReceiptImportSummary, kenpo_store::StoreError> {
    let sha = sha256_hex(&bytes);
    let assembler = kenpo_formats::uke::ReceiptAssembler::new(std::io::Cursor::new(bytes), name)
        .map_err(|e| kenpo_store::StoreError::Input(e.to_string()))?;
    let mut source = UkeSource {
        name: name.to_string(),
        assembler: Some(assembler),
        warnings: Vec::new(),
        progress: Some(progress),
        read: 0,
    };
    let summary = store.import_receipt_stream(ctx, name, &sha, &mut source).await?;
    progress("receipts read", source.read, source.read);
    Ok(summary)
}

/// Imports 特定健診 archives one by one (each all or nothing). Returns the totals and, per
/// refused archive, the reason (archive, file, element path).
pub async fn import_checkups(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    archives: &[PathBuf],
) -> Result<(kenpo_store::CheckupImportSummary, Vec<String>)> {
    let mut total = kenpo_store::CheckupImportSummary::default();
    let mut failures = Vec::new();
    for path in archives {
        let name = path.display().to_string();
        let sha = sha256_file(path).with_context(|| format!("reading {name}"))?;
        let file = std::fs::File::open(path).with_context(|| format!("reading {name}"))?;
        let archive = match kenpo_formats::checkup_xml::read_checkup_archive(std::io::BufReader::new(file), &name) {
            Ok(a) => a,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        let sender = format!("健診機関 {}", archive.header.sender_institution);
        let warnings: Vec<String> = archive.warnings.iter().map(|w| w.to_string()).collect();
        match store.import_checkups(ctx, &name, &sha, &sender, &archive.records, &warnings).await {
            Ok(s) => {
                total.archives += s.archives;
                total.documents += s.documents;
                total.results += s.results;
                total.matched += s.matched;
                total.unmatched += s.unmatched;
                total.warnings += s.warnings;
                total.import_id = s.import_id;
            }
            Err(e @ kenpo_store::StoreError::Denied { .. }) => return Err(e.into()),
            Err(e @ kenpo_store::StoreError::AlreadyImported { .. }) => failures.push(e.to_string()),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    Ok((total, failures))
}

/// Every 特定健診 archive under a folder, in name order.
pub fn zip_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")))
        .collect();
    out.sort();
    Ok(out)
}

/// Every UKE file under a folder, in name order.
pub fn uke_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("uke")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub async fn import_benefits(store: &kenpo_store::Store, ctx: &AccessContext, file: &Path) -> Result<u64> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
    let sha = sha256_hex(&bytes);
    let rows = kenpo_formats::benefits::read_claims(bytes.as_slice(), &name)?;
    let rows = rows
        .into_iter()
        .map(|r| Ok(NewBenefitClaim { line: r.line, insurer_number: r.insurer_number, card: r.card, claim: r.claim }));
    Ok(store.import_benefits(ctx, &name, &sha, rows).await?)
}
