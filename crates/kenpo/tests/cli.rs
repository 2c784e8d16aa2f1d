//! The binary end to end: the demo job, `member show`, denials, and that no 個人番号 appears
//! in any command output or in the database files — on SQLite and on PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

fn kenpo(data_dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kenpo"));
    cmd.arg("--data-dir").arg(data_dir).args(args).env_remove("KENPO_VAULT_KEY").env_remove("KENPO_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd.output().expect("run kenpo")
}

/// Every 個人番号 in the generated roster (column 個人番号), read independently of our reader.
fn roster_numbers(roster: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(roster).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "個人番号").unwrap();
    lines.filter_map(|l| l.split(',').nth(col).map(str::to_string)).filter(|n| n.len() == 12).collect()
}

fn assert_no_numbers(what: &str, bytes: &[u8], numbers: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    for n in numbers {
        assert!(!text.contains(n.as_str()), "a 個人番号 appears in {what}");
    }
}

fn pg_url(tag: &str) -> String {
    let server =
        std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("cli_{tag}_{}", std::process::id());
    let status = Command::new("psql")
        .args([&server, "-qc", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")])
        .status()
        .expect("psql must be installed");
    assert!(status.success(), "PostgreSQL must be running (see README)");
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-c%20search_path%3D{schema}")
}

fn run_demo_and_check(database: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = database.as_deref();
    let out = kenpo(&data, db, &["demo", "--members", "150", "--seed", "5"]);
    assert!(out.status.success(), "demo failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(stdout.contains("名簿を取り込みました"), "{stdout}");
    let numbers = roster_numbers(&data.join("synthetic/roster.csv"));
    assert!(numbers.len() > 150, "the roster carries numbers");
    let mut outputs = vec![out];

    // The monthly runs the demo did can be repeated: same results (idempotent).
    let kogaku = |args: &[&str]| {
        let mut all = vec!["--json", "kogaku"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--as", "staff:benefits:t", "--purpose", "benefits.payment"]);
        let o = kenpo(&data, db, &all);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON")
    };
    let first = kogaku(&["run", "--month", "2026-10"]);
    let again = kogaku(&["run", "--month", "2026-10"]);
    assert_eq!(first["runs"][0]["total"], again["runs"][0]["total"]);
    assert_eq!(first["runs"][0]["payments"], again["runs"][0]["payments"]);
    let list = kogaku(&["list", "--month", "2026-10"]);
    assert_eq!(list["payments"].as_array().map(Vec::len), first["runs"][0]["payments"].as_u64().map(|n| n as usize));
    // 2026-10 is computed with the 2026-08 ceilings; the same month under the table in force on
    // 2026-07-31 pays at least as much 高額療養費 to every household, since every old ceiling is
    // below its new one (e.g. ウ 80,100 + 1% over 267,000 < 85,800 + 1% over 286,000) and the
    // 多数回 amounts are unchanged.
    assert_eq!(first["runs"][0]["ceilings_from"], "2026-08");
    let compare = kogaku(&["compare", "--month", "2026-10", "--rules-as-of", "2026-07-31"]);
    let c = &compare["comparison"];
    assert_eq!((c["own_from"].as_str(), c["other_from"].as_str()), (Some("2026-08"), Some("2018-08")));
    let rows = c["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{c}");
    for r in rows {
        assert!(r["statutory_other"].as_i64() >= r["statutory_own"].as_i64(), "{r}");
    }
    // The 年間上限 of 2026-08 – 2027-07 needs every month run; the demo's year ends in 2027-03.
    let o = kenpo(
        &data,
        db,
        &["kogaku", "yearly", "--year", "2026", "--as", "staff:benefits:t", "--purpose", "benefits.payment"],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("未計算の月") && err.contains("2027-04") && err.contains("2027-07"), "{err}");
    outputs.push(o);
    let review = kenpo(
        &data,
        db,
        &["--json", "review", "list", "--as", "staff:receipt_review:t", "--purpose", "receipts.review"],
    );
    assert!(review.status.success(), "{}", String::from_utf8_lossy(&review.stderr));
    outputs.push(review);

    // member show by id and by card; JSON too.
    let show = kenpo(
        &data,
        db,
        &["member", "show", "--id", "1", "--as", "staff:eligibility:t", "--purpose", "eligibility.management"],
    );
    assert!(show.status.success(), "{}", String::from_utf8_lossy(&show.stderr));
    assert!(
        String::from_utf8_lossy(&show.stdout).contains("個人番号 登録済")
            || String::from_utf8_lossy(&show.stdout).contains("個人番号 未登録")
    );
    outputs.push(show);
    let json = kenpo(
        &data,
        db,
        &["--json", "member", "show", "--id", "2", "--as", "staff:benefits:t", "--purpose", "benefits.payment"],
    );
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    assert_eq!(v["id"], 2);
    outputs.push(json);

    // A contractor is refused, with the rule named, and the command fails.
    let denied = kenpo(
        &data,
        db,
        // 白石薬品 (c17) is not entrusted with cost analysis.
        &["member", "show", "--id", "1", "--as", "contractor:c17", "--purpose", "analysis.entrustment"],
    );
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("denied"), "{}", String::from_utf8_lossy(&denied.stderr));
    outputs.push(denied);
    // An unknown purpose is refused before anything is read.
    let bad = kenpo(&data, db, &["stats", "--as", "staff:eligibility:t", "--purpose", "marketing"]);
    assert!(!bad.status.success());
    outputs.push(bad);
    let stats = kenpo(
        &data,
        db,
        &["stats", "--as", "staff:eligibility:t", "--purpose", "admin.basic_material", "--as-of", "2027-03-31"],
    );
    assert!(stats.status.success());
    outputs.push(stats);

    // Eligibility: the demo applied a year of filings. Their 個人番号 (field 13 of a 資格取得届
    // line, 2200700) join the numbers no output or database file may hold.
    let mut numbers = numbers;
    for entry in std::fs::read_dir(data.join("synthetic/filings")).expect("the demo's filings") {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for line in bytes.split(|b| *b == b'\n') {
            let fields: Vec<&[u8]> = line.split(|b| *b == b',').collect();
            if fields.first() == Some(&&b"2200700"[..]) && fields.get(12).is_some_and(|f| f.len() == 12) {
                numbers.push(String::from_utf8_lossy(fields[12]).to_string());
            }
        }
    }
    let staff = ["--as", "staff:eligibility:t", "--purpose", "eligibility.management"];
    let run = |args: &[&str], access: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(access);
        kenpo(&data, db, &all)
    };
    let history = run(&["eligibility", "history", "--person", "1"], &staff);
    assert!(history.status.success(), "{}", String::from_utf8_lossy(&history.stderr));
    outputs.push(history);
    let as_of = run(&["--json", "eligibility", "as-of", "--day", "2026-10-01", "--person", "1", "2"], &staff);
    assert!(as_of.status.success(), "{}", String::from_utf8_lossy(&as_of.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&as_of.stdout).expect("JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
    outputs.push(as_of);
    let outbox = run(
        &["eligibility", "outbox", "list", "--overdue"],
        &["--as", "staff:eligibility:t", "--purpose", "online.register"],
    );
    assert!(outbox.status.success(), "{}", String::from_utf8_lossy(&outbox.stderr));
    outputs.push(outbox);
    let pdf = data.join("cards.pdf");
    let pdf_arg = pdf.to_str().unwrap();
    let certificates =
        run(&["eligibility", "certificates", "--since", "2026-04-01", "--paper", "card", "--out", pdf_arg], &staff);
    assert!(certificates.status.success(), "{}", String::from_utf8_lossy(&certificates.stderr));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    outputs.push(certificates);
    let after = run(
        &["eligibility", "after-loss", "--from", "2026-04", "--to", "2027-03"],
        &["--as", "staff:receipt_review:t", "--purpose", "receipts.review"],
    );
    assert!(after.status.success(), "{}", String::from_utf8_lossy(&after.stderr));
    outputs.push(after);
    // Premiums: the demo charged a year; October's invoices each equal their two shares, print
    // as PDF, as do September's 決定通知書 (the 定時決定); a bank file with a bad amount on line 2
    // is refused naming the line and column, never the value.
    let collect = ["--as", "staff:eligibility:t", "--purpose", "premiums.collection"];
    let invoices = run(&["--json", "premium", "invoices", "--month", "2026-10"], &collect);
    assert!(invoices.status.success(), "{}", String::from_utf8_lossy(&invoices.stderr));
    let list: serde_json::Value = serde_json::from_slice(&invoices.stdout).expect("JSON");
    let list = list.as_array().expect("a list");
    assert!(!list.is_empty(), "the demo invoiced October");
    for i in list {
        assert_eq!(
            i["total"].as_i64(),
            Some(i["member_total"].as_i64().unwrap() + i["employer_total"].as_i64().unwrap())
        );
    }
    outputs.push(invoices);
    let invoice_pdf = data.join("invoices.pdf");
    let out = run(
        &["premium", "invoices", "--month", "2026-10", "--format", "pdf", "--out", invoice_pdf.to_str().unwrap()],
        &collect,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&invoice_pdf).unwrap().starts_with(b"%PDF"));
    outputs.push(out);
    let notices_pdf = data.join("notices.pdf");
    let out = run(
        &["premium", "notices", "--month", "2026-09", "--format", "pdf", "--out", notices_pdf.to_str().unwrap()],
        &["--as", "staff:eligibility:t", "--purpose", "premiums.remuneration"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&notices_pdf).unwrap().starts_with(b"%PDF"));
    outputs.push(out);
    let statements = run(&["premium", "statements", "--on", "2027-03-31"], &collect);
    assert!(statements.status.success(), "{}", String::from_utf8_lossy(&statements.stderr));
    outputs.push(statements);
    let bank = data.join("bank.csv");
    std::fs::write(&bank, "入金日,振込依頼人コード,振込依頼人名,金額\n2026-11-30,E0001,,12x45\n").unwrap();
    let refused = run(&["premium", "payments", bank.to_str().unwrap()], &collect);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("bank.csv:2") && err.contains("金額") && !err.contains("12x45"), "{err}");
    outputs.push(refused);
    // A filing with a broken line 6 is refused whole, naming the file, line and column.
    let broken = data.join("KPFD0006.CSV");
    std::fs::write(
        &broken,
        b"E0001,001,20261201,,,,,\r\n[kanri]\r\n,001\r\nE0001,100,0001,x,x,x,03,1234,5678\r\n[data]\r\n2201700,1,2\r\n",
    )
    .unwrap();
    let refused = run(&["eligibility", "filing", broken.to_str().unwrap()], &staff);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("KPFD0006.CSV:6") && err.contains("column"), "{err}");
    outputs.push(refused);
    for f in ["online-registration.csv", "certificates.pdf"] {
        let bytes = std::fs::read(data.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_no_numbers(f, &bytes, &numbers);
    }

    for (i, o) in outputs.iter().enumerate() {
        assert_no_numbers(&format!("stdout of command {i}"), &o.stdout, &numbers);
        assert_no_numbers(&format!("stderr of command {i}"), &o.stderr, &numbers);
    }
    // The 特定健診 step ran: assessed, handed over, results back, report written; what left the
    // store for the contractor and the report hold no 個人番号.
    let demo_out = String::from_utf8_lossy(&outputs[0].stdout).to_string();
    assert!(demo_out.contains("特定健診 2026年度: 階層化"), "{demo_out}");
    for f in
        ["handoff/guidance-handoff-2026-c04.csv", "reports/jisshi-jokyo-2026.csv", "reports/jisshi-jokyo-2026.html"]
    {
        let bytes = std::fs::read(data.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_no_numbers(f, &bytes, &numbers);
    }
    // Re-assessing the year gives the same levels (idempotent).
    let assess = |what: &str| {
        let o = kenpo(
            &data,
            db,
            &[
                "--json",
                "kenshin",
                "assess",
                "--fiscal-year",
                "2026",
                "--as",
                "staff:health:t",
                "--purpose",
                "health.specific_checkup",
            ],
        );
        assert!(o.status.success(), "{what}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON")
    };
    let (a1, a2) = (assess("first"), assess("again"));
    assert_eq!(a1, a2);
    assert!(a1["documents"].as_u64().is_some_and(|n| n > 0));
    if database.is_none() {
        for f in ["kenpo.db", "kenpo.db-wal"] {
            if let Ok(bytes) = std::fs::read(data.join(f)) {
                assert_no_numbers(f, &bytes, &numbers);
            }
        }
    }
    // A second demo on the same folder is refused rather than mixing societies.
    if database.is_none() {
        let again = kenpo(&data, db, &["demo", "--members", "10"]);
        assert!(!again.status.success());
    }
}

#[test]
fn demo_on_sqlite() {
    run_demo_and_check(None);
}

#[test]
fn demo_on_postgres() {
    run_demo_and_check(Some(pg_url("demo")));
}

/// A malformed 電子レセプト file is refused with its file and line named, and nothing of it is
/// stored; a good file next to it still goes in.
#[test]
fn a_malformed_receipt_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kenpo(&data, None, &["demo", "--members", "40", "--seed", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let count = |data: &Path| -> i64 {
        let o =
            kenpo(data, None, &["--json", "stats", "--as", "staff:eligibility:t", "--purpose", "admin.basic_material"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["receipts"].as_i64().unwrap()
    };
    let before = count(&data);
    assert!(before > 0, "the demo imported its receipts");
    // An invalid CP932 byte pair (0x81 0x20) in a copy of the fixture's third line.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../formats/tests/fixtures/receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE");
    let mut bytes = std::fs::read(&fixture).unwrap();
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map(|(i, _)| i + 1).unwrap();
    bytes.splice(third + 3..third + 3, [0x81u8, 0x20]);
    let bad = dir.path().join("BAD.UKE");
    std::fs::write(&bad, &bytes).unwrap();
    let refused = kenpo(
        &data,
        None,
        &[
            "import",
            "receipts",
            bad.to_str().unwrap(),
            "--as",
            "staff:receipt_review:t",
            "--purpose",
            "receipts.review",
        ],
    );
    assert!(!refused.status.success());
    let text = String::from_utf8_lossy(&refused.stdout).to_string() + &String::from_utf8_lossy(&refused.stderr);
    assert!(text.contains("BAD.UKE") && text.contains('3'), "{text}");
    assert_eq!(count(&data), before, "a refused file changes nothing");
    let good = kenpo(
        &data,
        None,
        &[
            "--json",
            "import",
            "receipts",
            fixture.to_str().unwrap(),
            "--as",
            "staff:receipt_review:t",
            "--purpose",
            "receipts.review",
        ],
    );
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert_eq!(count(&data), before + 75, "the fixture's 75 receipts");
    // The counts, derived by hand from the file (see crates/formats/tests/uke_fixture.rs): 75 RE,
    // 81,880 HO points; no card of this society (unmatched); warnings: 6 公費単独 receipts,
    // 28 over-long names, no 0x1A at the end = 35.
    let v: serde_json::Value = serde_json::from_slice(&good.stdout).expect("JSON");
    let s = &v["summary"];
    assert_eq!(
        (&s["files"], &s["receipts"], &s["points"], &s["matched"], &s["unmatched"], &s["warnings"]),
        (&1.into(), &75.into(), &81_880.into(), &0.into(), &75.into(), &35.into()),
        "{v}"
    );
    let lines = s["lines"].as_u64().unwrap();
    assert!(lines > 75, "{v}");
}
