//! # kenpo (binary)
//!
//! The command line: `init`, `generate`, `import`, `member show`, `stats`, `demo`, `bench`.
//! It parses arguments and files (through `kenpo-formats`), builds the access context from
//! `--as` and `--purpose`, and calls the store. It owns presentation (Japanese text, `--json`)
//! and nothing else: no SQL, no policy, no domain rule lives here.

mod audit_cmd;
mod bench;
mod bench_checkups;
mod bench_receipts;
mod cli;
mod config;
mod disclosure_html;
mod kenshin_cmd;
mod output;
mod policy_cmd;
mod receipts_cmd;

use anyhow::Result;
use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result: Result<()> = runtime.block_on(cli::run(args));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the chain of causes on one line; none carries personal values.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
