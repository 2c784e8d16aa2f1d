//! `cargo run --release -p kenpo-cedar --example bench [ITERATIONS] [DIR]`: decision latency of
//! the decision table against Cedar (naive and partitioned), then where Cedar's time goes.
//! DIR is a catalogue folder (default: the shipped catalogue).

use kenpo_policy::Catalogue;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let iterations = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000usize);
    let catalogue = match args.next() {
        Some(dir) => Catalogue::load_dir(Path::new(&dir)),
        None => Catalogue::default_catalogue(),
    };
    let catalogue = match catalogue {
        Ok(c) => c,
        Err(e) => {
            eprintln!("catalogue: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(errors) = kenpo_cedar::validate(&catalogue) {
        for e in errors {
            eprintln!("cedar: {e}");
        }
        return ExitCode::FAILURE;
    }
    println!("{}", kenpo_cedar::bench_report(&catalogue, iterations));
    println!("{}", kenpo_cedar::investigation_report(&catalogue, iterations / 4));
    ExitCode::SUCCESS
}
