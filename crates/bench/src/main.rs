//! # kenpo-bench
//!
//! Benchmarks that print figures beside a baseline measured in the same run; not tests, and not
//! part of the shipped `kenpo` binary (they create and drop PostgreSQL databases and, as a
//! baseline, decide with an allow-all policy through the store's test-only `with_policy`).

mod bench;
mod bench_checkups;
mod bench_eligibility;
mod bench_http;
mod bench_premiums;
mod bench_receipts;

use anyhow::Result;
use clap::Parser;
use kenpo_app::imports::quiet;
use kenpo_store::AccessContext;
use std::path::{Path, PathBuf};

pub(crate) use kenpo_app::config;
pub(crate) use kenpo_app::imports::{uke_files, zip_files};

#[derive(Parser)]
#[command(name = "kenpo-bench", version, about = "Kenpo benchmarks (synthetic data only)")]
struct Cli {
    #[command(subcommand)]
    what: bench::BenchWhat,
}

fn main() -> std::process::ExitCode {
    kenpo_app::files::restrict_umask();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bench::run(cli.what)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("エラー: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Progress printed as one line per step (benchmarks run for minutes; no bars to redraw).
fn steps(what: &str, done: u64, total: u64) {
    if total > 0 && done == total {
        eprintln!("  {what}: {done}");
    }
}

pub(crate) fn generate(members: u64, seed: u64, out: &Path, roster_only: bool) -> Result<kenpo_synth::GenerateSummary> {
    kenpo_app::synthetic::generate(members, seed, out, roster_only, &steps)
}

pub(crate) async fn import_roster(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    file: &Path,
) -> Result<kenpo_store::ImportSummary> {
    kenpo_app::imports::import_roster(store, ctx, file, &quiet).await
}

pub(crate) async fn import_receipts(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    files: &[PathBuf],
) -> Result<(kenpo_store::ReceiptImportSummary, Vec<String>)> {
    kenpo_app::imports::import_receipts(store, ctx, files, &quiet).await
}

pub(crate) use kenpo_app::imports::import_checkups;
