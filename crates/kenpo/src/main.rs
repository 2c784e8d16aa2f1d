//! # kenpo (binary)
//!
//! The command line: `init`, `generate`, `import`, `member show`, `stats`, `demo`, `bench`.
//! It parses arguments and files (through `kenpo-formats`), builds the access context from
//! `--as` and `--purpose`, and calls the store. It owns presentation (Japanese text, `--json`)
//! and nothing else: no SQL, no policy, no domain rule lives here.

mod cli;
mod commands;
mod output;

use anyhow::Result;
use clap::Parser;
use kenpo_app::{config, files};

fn main() -> std::process::ExitCode {
    files::restrict_umask();
    quiet_broken_pipe();
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
            eprintln!("エラー: {}", output::plain(&format!("{e:#}")));
            std::process::ExitCode::FAILURE
        }
    }
}

/// `kenpo review list | head` closes the pipe early; `println!` then panics on EPIPE. That is
/// the reader's choice, not an error: end quietly with the shell's status for SIGPIPE (141)
/// instead of printing a panic. Every other panic keeps the default report.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") || message.contains("os error 32") {
            std::process::exit(141);
        }
        default(info);
    }));
}
