//! The screens in real headless Chromium (Debian's `chromium`, driven by playwright-core from
//! npm, pinned in `e2e/package-lock.json`): `e2e/screens.test.mjs` against the binary built
//! here, once on SQLite and once on PostgreSQL. The SQLite run writes its screenshots to
//! `docs/screens/` (linked from README); each page is checked by axe-core on the way.
//!
//! Needs Node.js 20+, `/usr/bin/chromium` (or `CHROMIUM`) and a Japanese font
//! (`fonts-ipafont-gothic`); `.ci/run` installs them. The npm packages are installed from the
//! lockfile (`npm ci`) when `e2e/node_modules` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

fn npm_ci(e2e: &Path) {
    if e2e.join("node_modules/playwright-core").exists() && e2e.join("node_modules/axe-core").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(e2e)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .status()
        .expect("npm (Node.js 20+) installs the e2e packages");
    assert!(status.success(), "npm ci in e2e/ failed");
}

fn run(backend: &str) {
    let root = repo();
    let e2e = root.join("e2e");
    npm_ci(&e2e);
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "the browser tests need Debian's chromium at {chromium} (apt-get install chromium fonts-ipafont-gothic; .ci/run does)"
    );
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-concurrency=1", "screens.test.mjs"])
        .current_dir(&e2e)
        .env("KENPO_BIN", env!("CARGO_BIN_EXE_kenpo"))
        .env("CHROMIUM", &chromium)
        .env_remove("KENPO_DATABASE_URL")
        .env_remove("KENPO_VAULT_KEY");
    let scratch = tempfile::tempdir().expect("temp dir");
    if backend == "postgres" {
        // The server of the store tests' database (KENPO_TEST_POSTGRES names a database on it);
        // the run makes and drops a database of its own there.
        let url =
            std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let server = url.rsplit_once('/').map(|(s, _)| s.to_string()).unwrap_or(url);
        cmd.env("KENPO_E2E_POSTGRES", server).env("SCREENS_DIR", scratch.path());
    } else {
        cmd.env("SCREENS_DIR", root.join("docs/screens"));
    }
    let out = cmd.output().expect("node runs the browser tests");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser tests on {backend} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}

/// One test, the backends in turn: two browsers and four servers at once would only make
/// the 2-core CI machine slower.
#[test]
fn screens_in_chromium_on_sqlite_and_postgres() {
    run("sqlite");
    run("postgres");
}
