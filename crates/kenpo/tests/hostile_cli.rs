//! The binary against a careless or hostile user (issue 12): owner-only files, a key others can
//! read refused, formulas in names neutralised in the CSVs Kenpo writes, exports only to the
//! recipient the catalogue names, a closed pipe ends quietly.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn kenpo(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kenpo"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("KENPO_VAULT_KEY")
        .env_remove("KENPO_DATABASE_URL")
        .env_remove("KENPO_CSV_ENCODING")
        .output()
        .expect("run kenpo")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = kenpo(data, args);
    assert!(out.status.success(), "kenpo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(data: &Path, args: &[&str]) -> String {
    let out = kenpo(data, args);
    assert!(!out.status.success(), "kenpo {args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

/// A store with a 30-member roster whose first person's name is a spreadsheet formula.
fn store_with_formula_name(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    ok(&data, &["init"]);
    let gen_dir = dir.join("gen");
    ok(&data, &["generate", "--members", "30", "--seed", "3", "--out", gen_dir.to_str().unwrap(), "--roster-only"]);
    let roster = gen_dir.join("roster.csv");
    let text = std::fs::read_to_string(&roster).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let name_col = header.iter().position(|h| *h == "氏名").unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[name_col] = "=HYPERLINK(\"http://example.invalid\";\"x\")".replace('"', "\"\"");
    cells[name_col] = format!("\"{}\"", cells[name_col]);
    lines[1] = cells.join(",");
    std::fs::write(&roster, lines.join("\n") + "\n").unwrap();
    ok(
        &data,
        &[
            "import",
            "roster",
            roster.to_str().unwrap(),
            "--as",
            "staff:mynumber_officer:t",
            "--purpose",
            "mynumber.affairs",
        ],
    );
    data
}

#[test]
fn files_are_owner_only_and_csvs_neutralise_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let data = store_with_formula_name(dir.path());

    #[cfg(unix)]
    {
        // The review found 0755 and 0644: now the folder is 0700 and every file 0600.
        assert_eq!(mode(&data), 0o700, "data folder");
        for f in ["kenpo.db", "vault.key", "audit-signing.key"] {
            assert_eq!(mode(&data.join(f)), 0o600, "{f}");
        }
        for f in ["kenpo.db-wal", "kenpo.db-shm"] {
            if data.join(f).exists() {
                assert_eq!(mode(&data.join(f)), 0o600, "{f}");
            }
        }
    }

    // An export of the person named by a formula: the cell is neutralised, the file has a BOM.
    let out = dir.path().join("provided.csv");
    ok(
        &data,
        &[
            "export",
            "--to",
            "損害保険会社等",
            "--categories",
            "identity",
            "--who",
            "ids:1",
            "--out",
            out.to_str().unwrap(),
            "--as",
            "staff:benefits:t",
            "--purpose",
            "benefits.third_party_recovery",
        ],
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("'=HYPERLINK("), "neutralised: {text}");
    assert!(!text.contains(",=HYPERLINK(") && !text.contains(",\"=HYPERLINK("), "a live formula: {text}");
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600, "export file");

    // The review's case: any name under a 委託 use is refused, and says why.
    let err = fails(
        &data,
        &[
            "export",
            "--to",
            "任意の名前",
            "--categories",
            "identity",
            "--out",
            dir.path().join("x.csv").to_str().unwrap(),
            "--as",
            "staff:health:t",
            "--purpose",
            "analysis.entrustment",
        ],
    );
    assert!(err.contains("委託先") && err.starts_with("エラー"), "{err}");
    assert!(!dir.path().join("x.csv").exists(), "nothing written");

    // CP932 on request.
    let sjis = dir.path().join("sjis.csv");
    ok(
        &data,
        &[
            "--csv-encoding",
            "cp932",
            "export",
            "--to",
            "損害保険会社等",
            "--categories",
            "identity",
            "--who",
            "ids:2",
            "--out",
            sjis.to_str().unwrap(),
            "--as",
            "staff:benefits:t",
            "--purpose",
            "benefits.third_party_recovery",
        ],
    );
    let sjis_bytes = std::fs::read(&sjis).unwrap();
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis_bytes);
    assert!(!bad && decoded.starts_with("保険者番号,"), "{decoded}");
}

#[cfg(unix)]
#[test]
fn a_key_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    std::fs::set_permissions(data.join("vault.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = fails(&data, &["stats", "--as", "staff:privacy_officer:x", "--purpose", "admin.basic_material"]);
    assert!(err.contains("vault.key") && err.contains("group or others"), "{err}");
}

/// `kenpo … | head` closes the pipe early: no panic, the shell's status for SIGPIPE.
#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kenpo"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["policy", "matrix"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kenpo");
    drop(child.stdout.take()); // the reader goes away before the first line
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}

#[test]
fn numeric_arguments_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(
        dir.path(),
        &[
            "kenshin",
            "targets",
            "--fiscal-year",
            "2025",
            "--follow-up-months",
            "4294967295",
            "--as",
            "staff:health:t",
            "--purpose",
            "health.specific_checkup",
        ],
    );
    assert!(err.contains("--follow-up-months"), "{err}");
    let err = fails(dir.path(), &["generate", "--members", "99999999999", "--out", "x"]);
    assert!(err.contains("--members"), "{err}");
    // 高額療養費 年間上限 and 制度改正の比較: a year outside 2000–2100 and a day that is not one
    // are refused by the argument parser, before the store is opened.
    let who = ["--as", "staff:benefits:t", "--purpose", "benefits.payment"];
    let mut args = vec!["kogaku", "yearly", "--year", "99999"];
    args.extend(who);
    let err = fails(dir.path(), &args);
    assert!(err.contains("--year"), "{err}");
    let mut args = vec!["kogaku", "compare", "--month", "2026-10", "--rules-as-of", "2026-13-01"];
    args.extend(who);
    let err = fails(dir.path(), &args);
    assert!(err.contains("--rules-as-of"), "{err}");
    assert!(!dir.path().join("kenpo.db").exists(), "a refused argument opened the store");
}
