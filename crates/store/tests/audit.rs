//! The audit log on both backends: every decision is an entry; tampering with the stored rows
//! (edit, delete, reorder, insert, payload edit, a full rewrite with recomputed hashes) is
//! named by `audit_verify`; erasure after retention; inclusion proofs; the member's disclosure
//! and the contractor supervision report.

mod common;

use common::*;
use kenpo_audit::{AuditSigningKey, EntryFields, InclusionProof, Subject as AuditSubject};
use kenpo_domain::person::{EligibilityPeriod, Person};
use kenpo_policy::catalogue::Catalogue;
use kenpo_store::{
    AccessContext, Actor, PersonId, PurposeId, Recipient, Selection, Store, StoreError, VaultKeys, VerifyReport,
};
use sqlx::{AnyConnection, Connection, Executor};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Operates the log (verify, checkpoint, prove, erase).
fn auditor() -> AccessContext {
    ctx("staff:auditor:t", "admin.basic_material")
}

fn privacy_officer(purpose: &str) -> AccessContext {
    ctx("staff:privacy_officer:x", purpose)
}

fn clerk() -> AccessContext {
    ctx("staff:eligibility:t", "eligibility.management")
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn c02_name() -> String {
    Catalogue::default_catalogue().expect("catalogue").contractor("c02").expect("c02 in the catalogue").name.clone()
}

/// A second connection to the same database, standing for someone with SQL access to it.
async fn raw(db: &TestDb) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&db.url).await.expect("raw connection")
}

async fn exec(conn: &mut AnyConnection, sql: &str) {
    conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(conn: &mut AnyConnection) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *conn).await.unwrap();
    n
}

/// One stored row of `audit_log`, all columns.
#[derive(sqlx::FromRow, Clone, Debug)]
struct Row {
    seq: i64,
    at: String,
    actor: String,
    purpose: String,
    action: String,
    categories: String,
    outcome: String,
    rule: String,
    policy_version: String,
    subject_kind: String,
    subject_tag: Option<Vec<u8>>,
    subject_set: Option<Vec<u8>>,
    payload_nonce: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    payload_digest: Vec<u8>,
    prev_hash: Vec<u8>,
    entry_hash: Vec<u8>,
}

const COLUMNS: &str = "seq, at, actor, purpose, action, categories, outcome, rule, policy_version, subject_kind, \
     subject_tag, subject_set, payload_nonce, payload, payload_digest, prev_hash, entry_hash";

async fn log_rows(conn: &mut AnyConnection) -> Vec<Row> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq")))
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

async fn last_rows(conn: &mut AnyConnection, n: i64) -> Vec<Row> {
    let mut r: Vec<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT {n}")))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    r.reverse();
    r
}

/// Overwrites every column of the row stored at `at_seq` with `r` (whose own seq is written too).
async fn overwrite(conn: &mut AnyConnection, at_seq: i64, r: &Row) {
    let done = sqlx::query(
        "UPDATE audit_log SET seq = $1, at = $2, actor = $3, purpose = $4, action = $5, categories = $6, \
         outcome = $7, rule = $8, policy_version = $9, subject_kind = $10, subject_tag = $11, subject_set = $12, \
         payload_nonce = $13, payload = $14, payload_digest = $15, prev_hash = $16, entry_hash = $17 WHERE seq = $18",
    )
    .bind(r.seq)
    .bind(r.at.clone())
    .bind(r.actor.clone())
    .bind(r.purpose.clone())
    .bind(r.action.clone())
    .bind(r.categories.clone())
    .bind(r.outcome.clone())
    .bind(r.rule.clone())
    .bind(r.policy_version.clone())
    .bind(r.subject_kind.clone())
    .bind(r.subject_tag.clone())
    .bind(r.subject_set.clone())
    .bind(r.payload_nonce.clone())
    .bind(r.payload.clone())
    .bind(r.payload_digest.clone())
    .bind(r.prev_hash.clone())
    .bind(r.entry_hash.clone())
    .bind(at_seq)
    .execute(&mut *conn)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1, "overwrite of seq {at_seq}");
}

async fn insert(conn: &mut AnyConnection, r: &Row) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17)"
    )))
    .bind(r.seq)
    .bind(r.at.clone())
    .bind(r.actor.clone())
    .bind(r.purpose.clone())
    .bind(r.action.clone())
    .bind(r.categories.clone())
    .bind(r.outcome.clone())
    .bind(r.rule.clone())
    .bind(r.policy_version.clone())
    .bind(r.subject_kind.clone())
    .bind(r.subject_tag.clone())
    .bind(r.subject_set.clone())
    .bind(r.payload_nonce.clone())
    .bind(r.payload.clone())
    .bind(r.payload_digest.clone())
    .bind(r.prev_hash.clone())
    .bind(r.entry_hash.clone())
    .execute(&mut *conn)
    .await
    .unwrap();
}

fn arr(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().expect("32 bytes")
}

/// The hashed fields of a stored row, rebuilt the way a verifier (or an attacker who read the
/// format in `kenpo_audit::entry`) would.
fn fields(r: &Row) -> EntryFields {
    let subject = match r.subject_kind.as_str() {
        "none" => AuditSubject::None,
        "population" => AuditSubject::Population,
        "person" => AuditSubject::Person { tag: r.subject_tag.clone().unwrap_or_default() },
        "set" => AuditSubject::Set { ranges: r.subject_set.clone().unwrap_or_default() },
        other => panic!("subject kind {other}"),
    };
    EntryFields {
        seq: r.seq as u64,
        at: r.at.clone(),
        actor: r.actor.clone(),
        purpose: r.purpose.clone(),
        action: r.action.clone(),
        categories: r.categories.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
        outcome: r.outcome.clone(),
        rule: r.rule.clone(),
        policy_version: r.policy_version.clone(),
        subject,
        payload_digest: arr(&r.payload_digest),
    }
}

fn hash_of(r: &Row) -> [u8; 32] {
    kenpo_audit::entry_hash(&arr(&r.prev_hash), &kenpo_audit::canonical(&fields(r)))
}

async fn tagged(conn: &mut AnyConnection, tag: Vec<u8>, extra: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM audit_log WHERE subject_tag = $1 {extra}");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(tag).fetch_one(&mut *conn).await.unwrap();
    n
}

async fn verify(store: &Store) -> VerifyReport {
    store.audit_verify(&auditor(), None).await.expect("audit_verify runs")
}

fn first_bad(report: &VerifyReport) -> (i64, String) {
    let bad = report.first_bad.as_ref().unwrap_or_else(|| panic!("tampering not detected: {report:?}"));
    (bad.seq, bad.problem.clone())
}

/// A store with a small society imported, and reads, denials and an export logged. Returns the
/// people (person id = index + 1).
async fn populated(backend: &'static str, tag: &str) -> (TestDb, Store, Vec<Person>) {
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    let (society, people) = society(15);
    store.import_roster(&importer(), "roster.csv", tag, rows(&society, &people), &|_| {}).await.expect("import");
    activity(&store, &people).await;
    (db, store, people)
}

async fn activity(store: &Store, people: &[Person]) {
    let clerk = clerk();
    for (i, p) in people.iter().enumerate().take(4) {
        let id = store.find_person(&clerk, p.insurer_number.as_str(), &p.card).await.expect("find");
        assert_eq!(id, PersonId(i as i64 + 1));
        store.person(&clerk, id).await.expect("read");
    }
    // Denied: a contractor not entrusted with the use, and a role not listed for it.
    assert!(store.person(&ctx("contractor:c17", "analysis.entrustment"), PersonId(2)).await.is_err());
    assert!(store.person(&ctx("staff:health:t", "eligibility.management"), PersonId(3)).await.is_err());
    store
        .export(
            &ctx("staff:health:x", "analysis.entrustment"),
            &Recipient::Contractor { id: "c02".into(), name: c02_name() },
            &[kenpo_domain::DataCategory::Identity, kenpo_domain::DataCategory::Eligibility],
            &Selection::People(vec![1, 2, 3]),
            "c02.csv",
        )
        .await
        .expect("export to c02");
    store.stats(&ctx("system:t", "admin.basic_material"), day(2026, 3, 31)).await.expect("stats");
}

// ---------------------------------------------------------------------------------------------
// Every decision is an entry
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_decision_allowed_or_denied_is_an_entry_and_the_log_verifies() {
    for backend in BACKENDS {
        let (db, store, people) = populated(backend, "every").await;
        let report = verify(&store).await;
        assert!(report.ok(), "{backend}: {report:?}");
        assert!(report.entries > 0, "{backend}");
        assert!(!report.signatures_checked, "{backend}");
        let mut conn = raw(&db).await;
        // The verification itself was appended (a sound log only).
        assert_eq!(count(&mut conn).await, report.entries as i64 + 1, "{backend}");
        let all = log_rows(&mut conn).await;
        assert!(all.iter().any(|r| r.outcome == "deny"), "{backend}: denials are logged");
        assert!(all.iter().any(|r| r.action == "export" && r.subject_kind == "set"), "{backend}: the export");
        assert!(all.iter().any(|r| r.action == "write" && r.subject_kind == "set"), "{backend}: the import");
        assert_eq!(all.last().unwrap().rule, "audit_verified", "{backend}");

        // A denied read: +1, a deny naming the rule.
        let before = count(&mut conn).await;
        let err = store.person(&ctx("contractor:c17", "analysis.entrustment"), PersonId(1)).await.unwrap_err();
        assert!(matches!(err, StoreError::Denied { rule: "contract_does_not_cover_use", .. }), "{backend}: {err}");
        assert_eq!(count(&mut conn).await, before + 1, "{backend}: a denied read is one entry");
        let last = &last_rows(&mut conn, 1).await[0];
        assert_eq!(
            (last.outcome.as_str(), last.rule.as_str(), last.actor.as_str(), last.subject_kind.as_str()),
            ("deny", "contract_does_not_cover_use", "contractor:c17", "person"),
            "{backend}"
        );
        assert!(last.payload.is_some(), "{backend}: the person is in the encrypted payload");

        // An allowed read of the population (a search): +1.
        let before = count(&mut conn).await;
        let p = &people[5];
        store.find_person(&clerk(), p.insurer_number.as_str(), &p.card).await.unwrap();
        assert_eq!(count(&mut conn).await, before + 1, "{backend}: an allowed read is one entry");
        let last = &last_rows(&mut conn, 1).await[0];
        assert_eq!((last.outcome.as_str(), last.rule.as_str()), ("allow", "allowed"), "{backend}");
        assert_eq!(last.categories, "identity", "{backend}");

        // A field-level read where some categories are withheld: an allow and a deny.
        let before = count(&mut conn).await;
        let view = store.person(&clerk(), PersonId(6)).await.unwrap();
        assert!(!view.withheld.is_empty(), "{backend}: the clerk does not see cash benefits");
        assert_eq!(count(&mut conn).await, before + 2, "{backend}: allow + deny for withheld categories");
        let two = last_rows(&mut conn, 2).await;
        assert_eq!((two[0].outcome.as_str(), two[1].outcome.as_str()), ("allow", "deny"), "{backend}");
        for w in &view.withheld {
            assert!(two[1].categories.split(',').any(|c| c == w.category.id()), "{backend}: {:?}", w.category);
            assert!(two[1].rule.contains(w.rule), "{backend}");
        }
        assert_eq!(two[0].subject_tag, two[1].subject_tag, "{backend}: same member tag");

        // A denied export (recipient not entrusted): +1, nothing handed out.
        let before = count(&mut conn).await;
        let err = store
            .export(
                &ctx("staff:health:x", "analysis.entrustment"),
                &Recipient::Contractor { id: "c17".into(), name: "c17".into() },
                &[kenpo_domain::DataCategory::Identity],
                &Selection::People(vec![1]),
                "x.csv",
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Denied { .. }), "{backend}: {err}");
        assert_eq!(count(&mut conn).await, before + 1, "{backend}");
        assert_eq!(last_rows(&mut conn, 1).await[0].outcome, "deny", "{backend}");

        // Only auditors, privacy officers and batch jobs operate the log.
        let err = store.audit_verify(&clerk(), None).await.unwrap_err();
        assert!(matches!(err, StoreError::Denied { .. }), "{backend}: {err}");

        let report = verify(&store).await;
        assert!(report.ok(), "{backend}: {report:?}");
        store.close().await;
    }
}

/// Exports go only to the recipient the use's flow names (issue 12): the review's case — any
/// name under a 委託 use — is refused and audited; a 第三者提供 goes to the catalogue's
/// counterparty only, and the provision record's 根拠 is the use's, not a literal.
#[tokio::test]
async fn an_export_goes_only_to_the_recipient_the_catalogue_names() {
    use kenpo_domain::DataCategory::{Eligibility, Identity};
    for backend in BACKENDS {
        let (db, store, _) = populated(backend, "recipient").await;
        let mut conn = raw(&db).await;
        let export = |who: &'static str, purpose: &'static str, to: Recipient| {
            let store = &store;
            async move {
                store
                    .export(&ctx(who, purpose), &to, &[Identity, Eligibility], &Selection::People(vec![1, 2]), "x.csv")
                    .await
            }
        };
        let provisions = "SELECT COUNT(*) FROM provisions";
        let before = count_sql(&mut conn, provisions).await;

        // 委託 (analysis.entrustment) to a name that is no contractor: refused, audited as a denial.
        let entries = count(&mut conn).await;
        let err = export("staff:health:x", "analysis.entrustment", Recipient::Body { name: "任意の会社".into() })
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::RecipientRefused { .. }), "{backend}: {err}");
        assert!(err.to_string().contains("委託先"), "{backend}: {err}");
        assert_eq!(count(&mut conn).await, entries + 1, "{backend}: the refusal is an entry");
        assert_eq!(last_rows(&mut conn, 1).await[0].outcome, "deny", "{backend}");

        // 第三者提供 (benefits.third_party_recovery, counterparty 損害保険会社等 in the catalogue).
        let err =
            export("staff:benefits:x", "benefits.third_party_recovery", Recipient::Body { name: "別の会社".into() })
                .await
                .unwrap_err();
        assert!(err.to_string().contains("損害保険会社等"), "{backend}: {err}");
        let err = export(
            "staff:benefits:x",
            "benefits.third_party_recovery",
            Recipient::Contractor { id: "c02".into(), name: c02_name() },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::RecipientRefused { .. }), "{backend}: {err}");
        assert_eq!(count_sql(&mut conn, provisions).await, before, "{backend}: nothing provided so far");

        let ok = export(
            "staff:benefits:x",
            "benefits.third_party_recovery",
            Recipient::Body { name: "損害保険会社等".into() },
        )
        .await
        .expect("to the named counterparty");
        assert_eq!((ok.basis.label(), ok.rows.len()), ("法令", 2), "{backend}");
        let (counterparty, basis): (String, String) =
            sqlx::query_as("SELECT counterparty, basis FROM provisions WHERE id = $1")
                .bind(ok.provision_id)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!((counterparty.as_str(), basis.as_str()), ("損害保険会社等", "法令"), "{backend}");
        store.close().await;
    }
}

/// A read of a person id that does not exist is still an access: logged (issue 12).
#[tokio::test]
async fn a_read_of_an_unknown_person_is_logged() {
    for backend in BACKENDS {
        let (db, store, _) = populated(backend, "unknownid").await;
        let mut conn = raw(&db).await;
        let before = count(&mut conn).await;
        let err = store.person(&clerk(), PersonId(999_999)).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{backend}: {err}");
        // The clerk's read is two entries, as for a person who exists: the categories withheld
        // from 適用 staff (a denial) and the read itself (allowed, touching no one).
        assert_eq!(count(&mut conn).await, before + 2, "{backend}: the probe is logged");
        let outcomes: Vec<String> = last_rows(&mut conn, 2).await.into_iter().map(|r| r.outcome).collect();
        assert!(outcomes.contains(&"allow".to_string()), "{backend}: {outcomes:?}");
        store.close().await;
    }
}

async fn count_sql(conn: &mut AnyConnection, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&mut *conn).await.unwrap();
    n
}

// ---------------------------------------------------------------------------------------------
// Tampering
// ---------------------------------------------------------------------------------------------

/// A fresh populated store, verified sound, with a raw connection and the rows as stored.
async fn victim(backend: &'static str, tag: &str) -> (TestDb, Store, AnyConnection, Vec<Row>) {
    let (db, store, _) = populated(backend, tag).await;
    assert!(verify(&store).await.ok(), "{backend}: sound before tampering");
    let mut conn = raw(&db).await;
    let all = log_rows(&mut conn).await;
    assert!(all.len() >= 12, "{backend}: enough entries to tamper with the middle ({})", all.len());
    (db, store, conn, all)
}

#[tokio::test]
async fn an_edited_field_names_its_entry() {
    for backend in BACKENDS {
        for column in ["rule", "purpose"] {
            let (_db, store, mut conn, all) = victim(backend, "edit").await;
            let k = all.len() as i64 / 2;
            exec(&mut conn, &format!("UPDATE audit_log SET {column} = 'tampered' WHERE seq = {k}")).await;
            let (seq, problem) = first_bad(&verify(&store).await);
            assert_eq!(seq, k, "{backend}/{column}: {problem}");
            assert!(problem.contains("edited"), "{backend}/{column}: {problem}");
            // A broken log is not sealed.
            assert!(store.audit_checkpoint(&auditor(), &AuditSigningKey::generate(), "t").await.is_err());
            store.close().await;
        }
    }
}

#[tokio::test]
async fn a_deleted_middle_entry_names_the_gap() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "delmid").await;
        let k = all.len() as i64 / 2;
        exec(&mut conn, &format!("DELETE FROM audit_log WHERE seq = {k}")).await;
        let report = verify(&store).await;
        let (seq, problem) = first_bad(&report);
        assert_eq!(seq, k, "{backend}: {problem}");
        assert!(problem.contains(&format!("{} found where {k} was expected", k + 1)), "{backend}: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_deleted_last_entry_is_detected_by_the_head() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "deltail").await;
        let n = all.len() as i64;
        exec(&mut conn, &format!("DELETE FROM audit_log WHERE seq = {}", n - 1)).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, n - 1, "{backend}: {problem}");
        assert!(problem.contains("deleted tail"), "{backend}: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_deleted_tail_with_the_head_rewound_is_caught_by_a_checkpoint() {
    for backend in BACKENDS {
        let (_db, store, mut conn, _) = victim(backend, "rewind").await;
        let key = AuditSigningKey::generate();
        let cp = store.audit_checkpoint(&auditor(), &key, "kenpo/test").await.unwrap();
        let all = log_rows(&mut conn).await;
        let n = all.len() as i64;
        assert_eq!(cp.checkpoint.size as i64, n, "{backend}");
        // The attacker drops the last two entries and rewinds the head to match.
        exec(&mut conn, &format!("DELETE FROM audit_log WHERE seq >= {}", n - 2)).await;
        sqlx::query("UPDATE audit_head SET next_seq = $1, last_hash = $2 WHERE id = 1")
            .bind(n - 2)
            .bind(all[(n - 3) as usize].entry_hash.clone())
            .execute(&mut conn)
            .await
            .unwrap();
        let report = store.audit_verify(&auditor(), Some(&key.verifying_key())).await.unwrap();
        let (seq, problem) = first_bad(&report);
        assert_eq!(seq, n - 1, "{backend}: the checkpoint's last entry: {problem}");
        assert!(problem.contains("missing"), "{backend}: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn reordered_entries_are_named_at_the_first_swapped_seq() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "swap").await;
        let a = all.len() / 2 - 1;
        let b = a + 2;
        // Swap the contents of rows a and b, each keeping its place's seq.
        let mut ra = all[b].clone();
        ra.seq = all[a].seq;
        let mut rb = all[a].clone();
        rb.seq = all[b].seq;
        overwrite(&mut conn, all[a].seq, &ra).await;
        overwrite(&mut conn, all[b].seq, &rb).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, all[a].seq, "{backend}: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_forged_entry_shifted_in_is_detected() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "forge").await;
        let k = all.len() as i64 / 2;
        // Make room: later rows move up by one (through a range no row uses, to keep seqs unique).
        exec(&mut conn, &format!("UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= {k}")).await;
        exec(&mut conn, "UPDATE audit_log SET seq = seq - 999999 WHERE seq >= 1000000").await;
        // A made-up entry at k that links correctly to k-1 and carries a correct hash.
        let mut forged = all[k as usize].clone();
        forged.actor = "staff:auditor:forger".into();
        forged.rule = "allowed".into();
        forged.outcome = "allow".into();
        forged.prev_hash = all[k as usize - 1].entry_hash.clone();
        forged.entry_hash = hash_of(&forged).to_vec();
        insert(&mut conn, &forged).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, k + 1, "{backend}: the first shifted entry no longer links: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_forged_entry_beyond_the_head_is_detected() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "beyond").await;
        // The verification appended one entry: the head is at all.len() + 1.
        let n = count(&mut conn).await;
        let mut forged = all[3].clone();
        forged.seq = n + 5;
        forged.prev_hash = log_rows(&mut conn).await.last().unwrap().entry_hash.clone();
        forged.entry_hash = hash_of(&forged).to_vec();
        insert(&mut conn, &forged).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, n, "{backend}: {problem}");

        // Appended exactly at the head, linked and hashed correctly, but the head not moved.
        let (_db, store, mut conn, _) = victim(backend, "athead").await;
        let all = log_rows(&mut conn).await;
        let n = all.len() as i64;
        let mut forged = all[3].clone();
        forged.seq = n;
        forged.prev_hash = all.last().unwrap().entry_hash.clone();
        forged.entry_hash = hash_of(&forged).to_vec();
        insert(&mut conn, &forged).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert!(seq == n || seq == n + 1, "{backend}: the head counts {n} entries: {seq} {problem}");
        store.close().await;
    }
}

/// An entry appended past the head (linked and hashed correctly, head not moved) is detected
/// above; this pins the diagnosis: the first bad entry is the extra one, and it is not a
/// "deleted tail".
#[tokio::test]
async fn an_entry_appended_past_the_head_is_named_as_extra() {
    for backend in BACKENDS {
        let (_db, store, mut conn, _) = victim(backend, "extra").await;
        let all = log_rows(&mut conn).await;
        let n = all.len() as i64;
        let mut forged = all[3].clone();
        forged.seq = n;
        forged.prev_hash = all.last().unwrap().entry_hash.clone();
        forged.entry_hash = hash_of(&forged).to_vec();
        insert(&mut conn, &forged).await;
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, n, "{backend}: the head counts {n} entries, so entry {n} is the extra one: {problem}");
        assert!(!problem.contains("deleted"), "{backend}: nothing was deleted: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn an_edited_encrypted_payload_is_detected() {
    for backend in BACKENDS {
        let (_db, store, mut conn, all) = victim(backend, "payload").await;
        let target = all.iter().filter(|r| r.payload.is_some()).nth(2).expect("person entries").clone();
        let mut payload = target.payload.clone().unwrap();
        payload[0] ^= 0x01;
        sqlx::query("UPDATE audit_log SET payload = $1 WHERE seq = $2")
            .bind(payload)
            .bind(target.seq)
            .execute(&mut conn)
            .await
            .unwrap();
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, target.seq, "{backend}: {problem}");
        assert!(problem.contains("payload"), "{backend}: {problem}");

        // The nonce is part of the digest too.
        let (_db, store, mut conn, all) = victim(backend, "nonce").await;
        let target = all.iter().find(|r| r.payload_nonce.is_some()).expect("person entries").clone();
        let mut nonce = target.payload_nonce.clone().unwrap();
        nonce[11] ^= 0x80;
        sqlx::query("UPDATE audit_log SET payload_nonce = $1 WHERE seq = $2")
            .bind(nonce)
            .bind(target.seq)
            .execute(&mut conn)
            .await
            .unwrap();
        let (seq, problem) = first_bad(&verify(&store).await);
        assert_eq!(seq, target.seq, "{backend}: {problem}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_rewritten_chain_verifies_but_an_earlier_signed_checkpoint_does_not() {
    for backend in BACKENDS {
        let (_db, store, mut conn, _) = victim(backend, "rewrite").await;
        let key = AuditSigningKey::generate();
        let cp = store.audit_checkpoint(&auditor(), &key, "kenpo/test").await.unwrap();
        let report = store.audit_verify(&auditor(), Some(&key.verifying_key())).await.unwrap();
        assert!(report.ok() && report.signatures_checked && report.checkpoints == 1, "{backend}: {report:?}");
        // More activity after the checkpoint.
        store.person(&clerk(), PersonId(7)).await.unwrap();

        // The attacker turns a denial under the checkpoint into an allowance and, knowing the
        // algorithm, recomputes that entry's hash, every later hash and the head.
        let mut all = log_rows(&mut conn).await;
        let k = all.iter().position(|r| r.outcome == "deny").expect("a denial");
        assert!((k as u64) < cp.checkpoint.size, "{backend}: the edit is under the checkpoint");
        all[k].outcome = "allow".into();
        all[k].rule = "allowed".into();
        for i in k..all.len() {
            if i > k {
                all[i].prev_hash = all[i - 1].entry_hash.clone();
            }
            all[i].entry_hash = hash_of(&all[i]).to_vec();
            let r = all[i].clone();
            overwrite(&mut conn, r.seq, &r).await;
        }
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
            .bind(all.last().unwrap().entry_hash.clone())
            .execute(&mut conn)
            .await
            .unwrap();

        let report = store.audit_verify(&auditor(), Some(&key.verifying_key())).await.unwrap();
        let (seq, problem) = first_bad(&report);
        assert_eq!(seq, cp.checkpoint.size as i64 - 1, "{backend}: {problem}");
        assert!(problem.contains("Merkle root differs"), "{backend}: {problem}");

        // The rewrite itself was consistent: without the checkpoint the chain verifies.
        exec(&mut conn, "DELETE FROM audit_checkpoints").await;
        let report = verify(&store).await;
        assert!(report.ok(), "{backend}: the recomputed chain verifies on its own: {report:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_checkpoint_signed_by_another_key_is_refused() {
    for backend in BACKENDS {
        let (_db, store, _conn, _) = victim(backend, "otherkey").await;
        let key = AuditSigningKey::generate();
        store.audit_checkpoint(&auditor(), &key, "kenpo/test").await.unwrap();
        let other = AuditSigningKey::generate();
        let report = store.audit_verify(&auditor(), Some(&other.verifying_key())).await.unwrap();
        let (_, problem) = first_bad(&report);
        assert!(problem.contains("signature"), "{backend}: {problem}");
        assert!(store.audit_verify(&auditor(), Some(&key.verifying_key())).await.unwrap().ok(), "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Erasure after the retention period
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn erasure_after_retention_keeps_the_chain_and_forgets_the_member() {
    for backend in BACKENDS {
        let db = fresh(backend, "erase").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, mut people) = society(15);
        // An insured person who left long ago.
        let gone = people.iter().position(|p| p.card.branch == 0).unwrap();
        people[gone].eligibility = vec![EligibilityPeriod {
            acquired_on: day(2005, 4, 1),
            acquisition_reason: "採用".into(),
            lost_on: Some(day(2015, 4, 1)),
            loss_reason: Some("退職".into()),
        }];
        let covered = people
            .iter()
            .position(|p| p.eligibility.iter().all(|e| e.lost_on.is_none()) && p.card.branch == 0)
            .unwrap();
        store.import_roster(&importer(), "roster.csv", "e", rows(&society, &people), &|_| {}).await.unwrap();
        let (gone_id, covered_id) = (PersonId(gone as i64 + 1), PersonId(covered as i64 + 1));
        let mut conn = raw(&db).await;

        // Accesses about both people (and an export naming the one who left).
        store.person(&clerk(), gone_id).await.unwrap();
        let tag = last_rows(&mut conn, 1).await[0].subject_tag.clone().expect("person entry has a tag");
        store.person(&clerk(), gone_id).await.unwrap();
        store.person(&clerk(), covered_id).await.unwrap();
        let covered_tag = last_rows(&mut conn, 1).await[0].subject_tag.clone().unwrap();
        assert_ne!(tag, covered_tag, "{backend}: tags are per member");
        let before = store.disclosure(&privacy_officer("appi.disclosure"), gone_id, &|a: &str| a.to_string()).await;
        let before = before.unwrap();
        assert!(
            before.accesses.iter().any(|a| a.batch_size.is_none() && a.purpose == "eligibility.management"),
            "{backend}: the clerk's reads are disclosed before erasure"
        );
        let about = tagged(&mut conn, tag.clone(), "").await;
        // The clerk's two reads are allow + deny each, and the disclosure read one more.
        assert_eq!(about, 5, "{backend}");
        assert_eq!(tagged(&mut conn, tag.clone(), "AND payload IS NOT NULL").await, about, "{backend}");

        let operator = privacy_officer("admin.basic_material");
        // Not an operator: refused.
        let err = store.audit_erase_member(&clerk(), gone_id, Some(day(2026, 4, 1))).await.unwrap_err();
        assert!(matches!(err, StoreError::Denied { .. }), "{backend}: {err}");
        // Within the retention period (5 years after 2015-04-01): refused.
        let err = store.audit_erase_member(&operator, gone_id, Some(day(2019, 4, 1))).await.unwrap_err();
        assert!(matches!(err, StoreError::Input(_)), "{backend}: {err}");
        // Still covered: refused.
        let err = store.audit_erase_member(&operator, covered_id, Some(day(2026, 4, 1))).await.unwrap_err();
        assert!(matches!(err, StoreError::Input(ref m) if m.contains("still covered")), "{backend}: {err}");
        // The review's case: a day after today (the store's day is 2026-04-01) is refused, for
        // the privacy officer too, and a batch job may not erase at all.
        let err = store.audit_erase_member(&operator, gone_id, Some(day(2100, 1, 1))).await.unwrap_err();
        assert!(matches!(err, StoreError::Input(ref m) if m.contains("lies after today")), "{backend}: {err}");
        let system =
            AccessContext::new(Actor::parse("system:x").unwrap(), PurposeId::parse("admin.basic_material").unwrap());
        let err = store.audit_erase_member(&system, gone_id, None).await.unwrap_err();
        assert!(matches!(err, StoreError::Denied { .. }), "{backend}: {err}");
        assert_eq!(tagged(&mut conn, tag.clone(), "AND payload IS NOT NULL").await, about, "{backend}: untouched");

        let erased = store.audit_erase_member(&operator, gone_id, Some(day(2026, 4, 1))).await.unwrap();
        assert_eq!(erased as i64, about, "{backend}");
        let report = verify(&store).await;
        assert!(report.ok(), "{backend}: the chain still verifies after erasure: {report:?}");
        assert_eq!(tagged(&mut conn, tag.clone(), "AND (payload IS NULL AND payload_nonce IS NULL)").await, about);
        assert_eq!(
            tagged(&mut conn, covered_tag.clone(), "AND payload IS NOT NULL").await,
            2,
            "{backend}: others keep theirs"
        );
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_keys WHERE person_id = $1")
            .bind(gone_id.0)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(keys, 0, "{backend}: the member key is gone");
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_keys WHERE person_id = $1")
            .bind(covered_id.0)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(keys, 1, "{backend}");
        let last = &last_rows(&mut conn, 2).await[0];
        assert_eq!((last.rule.as_str(), last.subject_kind.as_str()), ("retention_erasure", "none"), "{backend}");

        // A disclosure now shows no per-person access from before the erasure (at most its own
        // read, made after it; whether that one is under a new key is checked apart below).
        let after =
            store.disclosure(&privacy_officer("appi.disclosure"), gone_id, &|a: &str| a.to_string()).await.unwrap();
        let personal: Vec<_> = after.accesses.iter().filter(|a| a.batch_size.is_none()).collect();
        assert!(personal.len() <= 1, "{backend}: {personal:?}");
        assert!(personal.iter().all(|a| a.purpose == "appi.disclosure"), "{backend}: {personal:?}");
        assert!(after.accesses.iter().all(|a| a.purpose != "eligibility.management" || a.batch_size.is_some()));
        assert!(verify(&store).await.ok(), "{backend}");
        store.close().await;
    }
}

/// A store whose roster has, at index 0 (person 1), an insured person who left in 2015.
async fn with_leaver(db: &TestDb, keys: VaultKeys) -> Store {
    let store = open(db, keys).await;
    let (society, mut people) = society(8);
    assert_eq!(people[0].card.branch, 0);
    people[0].eligibility = vec![EligibilityPeriod {
        acquired_on: day(2005, 4, 1),
        acquisition_reason: "採用".into(),
        lost_on: Some(day(2015, 4, 1)),
        loss_reason: Some("退職".into()),
    }];
    store.import_roster(&importer(), "roster.csv", "k", rows(&society, &people), &|_| {}).await.unwrap();
    store
}

/// The tag of the newest entry about one person.
async fn newest_tag(conn: &mut AnyConnection) -> Vec<u8> {
    let r = log_rows(conn).await.into_iter().rev().find(|r| r.subject_kind == "person").unwrap();
    r.subject_tag.unwrap()
}

/// After erasure the old key must be gone everywhere, memory included: an access recorded
/// afterwards gets a new key (stored, so a disclosure can read it) and a new, unlinkable tag.
#[tokio::test]
async fn an_access_after_erasure_uses_a_new_member_key() {
    for backend in BACKENDS {
        let db = fresh(backend, "newkey").await;
        let store = with_leaver(&db, VaultKeys::generate()).await;
        let mut conn = raw(&db).await;
        let id = PersonId(1);
        store.person(&clerk(), id).await.unwrap();
        let old = newest_tag(&mut conn).await;
        store.audit_erase_member(&privacy_officer("admin.basic_material"), id, Some(day(2026, 4, 1))).await.unwrap();
        store.person(&clerk(), id).await.unwrap();
        assert_ne!(newest_tag(&mut conn).await, old, "{backend}: an access after erasure reuses the erased tag");
        let (keys,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM member_keys WHERE person_id = 1").fetch_one(&mut conn).await.unwrap();
        assert_eq!(keys, 1, "{backend}: the new key is stored");
        let d = store.disclosure(&privacy_officer("appi.disclosure"), id, &|a: &str| a.to_string()).await.unwrap();
        let personal: Vec<_> = d.accesses.iter().filter(|a| a.batch_size.is_none()).collect();
        // The clerk's read after erasure (allow + deny) and the disclosure's own read.
        assert_eq!(personal.len(), 3, "{backend}: {personal:?}");
        store.close().await;
    }
}

/// Two processes on one database (two stores here): one erases, the other keeps serving. The
/// other must not go on writing entries under the erased key.
#[tokio::test]
async fn an_erasure_by_another_process_is_honoured() {
    for backend in BACKENDS {
        let db = fresh(backend, "twoproc").await;
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("vault.key");
        VaultKeys::generate().write_new_file(&key_file).unwrap();
        let service = with_leaver(&db, VaultKeys::read_file(&key_file).unwrap()).await;
        let maintenance = open(&db, VaultKeys::read_file(&key_file).unwrap()).await;
        let mut conn = raw(&db).await;
        let id = PersonId(1);
        service.person(&clerk(), id).await.unwrap();
        let old = newest_tag(&mut conn).await;
        maintenance
            .audit_erase_member(&privacy_officer("admin.basic_material"), id, Some(day(2026, 4, 1)))
            .await
            .unwrap();
        service.person(&clerk(), id).await.unwrap();
        assert_ne!(newest_tag(&mut conn).await, old, "{backend}: the service still writes under the erased key");
        service.close().await;
        maintenance.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Inclusion proofs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn inclusion_proofs_check_offline_with_the_public_key_only() {
    for backend in BACKENDS {
        let (_db, store, _) = populated(backend, "proof").await;
        let key = AuditSigningKey::generate();
        let cp = store.audit_checkpoint(&auditor(), &key, "kenpo/test").await.unwrap();
        let size = cp.checkpoint.size as i64;
        assert!(size > 4, "{backend}");
        assert!(cp.verify(&key.verifying_key()).is_ok(), "{backend}");
        // Entries after the checkpoint are not covered yet.
        store.person(&clerk(), PersonId(2)).await.unwrap();
        let err = store.audit_prove(&auditor(), size).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{backend}: {err}");
        assert!(matches!(store.audit_prove(&clerk(), 0).await, Err(StoreError::Denied { .. })), "{backend}");

        let other = AuditSigningKey::generate();
        for seq in [0, 3, size / 2, size - 1] {
            let proof = store.audit_prove(&auditor(), seq).await.unwrap();
            assert_eq!((proof.index, proof.size), (seq as u64, size as u64), "{backend}");
            let json = serde_json::to_string(&proof).unwrap();
            let back: InclusionProof = serde_json::from_str(&json).unwrap();
            assert_eq!(back, proof, "{backend}: JSON round trip");
            kenpo_audit::check_proof(&back, &key.public_key_hex())
                .unwrap_or_else(|e| panic!("{backend}: proof of {seq} refused: {e}"));
            assert_eq!(
                kenpo_audit::check_proof(&back, &other.public_key_hex()),
                Err(kenpo_audit::ProofError::Signature),
                "{backend}: another key"
            );
            // An altered entry in the proof is refused.
            let mut altered = back.clone();
            altered.entry.outcome = if altered.entry.outcome == "allow" { "deny" } else { "allow" }.into();
            assert!(kenpo_audit::check_proof(&altered, &key.public_key_hex()).is_err(), "{backend}");
        }
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Disclosure (APPI Art. 33) and contractor supervision (Art. 25)
// ---------------------------------------------------------------------------------------------

/// A store with one export to c02 of person `id`; returns the provision id.
async fn exported(backend: &'static str, tag: &str) -> (TestDb, Store, PersonId, i64) {
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    let (society, people) = society(10);
    store.import_roster(&importer(), "roster.csv", tag, rows(&society, &people), &|_| {}).await.unwrap();
    let id = PersonId(2);
    store.person(&clerk(), id).await.unwrap();
    let out = store
        .export(
            &ctx("staff:health:x", "analysis.entrustment"),
            &Recipient::Contractor { id: "c02".into(), name: c02_name() },
            &[kenpo_domain::DataCategory::Identity, kenpo_domain::DataCategory::Eligibility],
            &Selection::People(vec![id.0]),
            "c02-analysis.csv",
        )
        .await
        .unwrap();
    assert_eq!(out.rows.len(), 1, "{backend}");
    assert_eq!(out.basis.label(), "委託", "{backend}");
    (db, store, id, out.provision_id)
}

#[tokio::test]
async fn disclosure_lists_provisions_and_accesses_for_the_privacy_officer_only() {
    for backend in BACKENDS {
        let (db, store, id, provision_id) = exported(backend, "disclose").await;
        let name = c02_name();
        let label = |a: &str| format!("label:{a}");
        let d = store.disclosure(&privacy_officer("appi.disclosure"), id, &label).await.unwrap();
        assert_eq!(d.person.id, id.0, "{backend}");
        // The roster import left a receive record (Art. 30) about everyone; the export a provide one.
        assert!(
            d.provisions.iter().any(|p| p.direction == "receive" && p.use_id == "mynumber.affairs"),
            "{backend}: {:?}",
            d.provisions
        );
        let provided: Vec<_> = d.provisions.iter().filter(|p| p.direction == "provide").collect();
        assert_eq!(provided.len(), 1, "{backend}: {:?}", d.provisions);
        let p = provided[0];
        assert_eq!(p.id, provision_id, "{backend}");
        assert_eq!(
            (p.counterparty.as_str(), p.basis.as_str(), p.direction.as_str(), p.use_id.as_str()),
            (name.as_str(), "委託", "provide", "analysis.entrustment"),
            "{backend}"
        );
        assert_eq!((p.categories.as_str(), p.subject_count), ("identity,eligibility", 1), "{backend}");
        // Access lines: the import (batch), the clerk's read, the export (batch), the disclosure.
        let has = |purpose: &str, action: &str, batch: bool| {
            d.accesses.iter().any(|a| a.purpose == purpose && a.action == action && a.batch_size.is_some() == batch)
        };
        assert!(has("mynumber.affairs", "write", true), "{backend}: the import: {:?}", d.accesses);
        assert!(has("eligibility.management", "read", false), "{backend}: the clerk's read");
        assert!(has("analysis.entrustment", "export", true), "{backend}: the export");
        assert!(has("appi.disclosure", "read", false), "{backend}: the disclosure itself");
        let export = d.accesses.iter().find(|a| a.action == "export").unwrap();
        assert_eq!(export.batch_size, Some(1), "{backend}");
        assert_eq!(export.who, "label:staff:health:x", "{backend}: actors go through the caller's labeller");
        // Another person's disclosure does not list this export.
        let other = store.disclosure(&privacy_officer("appi.disclosure"), PersonId(3), &label).await.unwrap();
        assert!(other.provisions.iter().all(|p| p.direction != "provide"), "{backend}");
        assert!(!other.accesses.iter().any(|a| a.action == "export"), "{backend}");
        // The disclosure shows whether a 個人番号 is held, never reads it.
        let mut conn = raw(&db).await;
        let all = log_rows(&mut conn).await;
        assert!(
            all.iter().filter(|r| r.purpose == "appi.disclosure").all(|r| !r.categories.contains("my_number")),
            "{backend}"
        );

        // Another actor, or another purpose, is refused (and the refusal logged).
        let before = count(&mut conn).await;
        let err = store.disclosure(&ctx("staff:eligibility:x", "appi.disclosure"), id, &label).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Denied { rule: "disclosure_by_privacy_officer_only", .. }),
            "{backend}: {err}"
        );
        assert_eq!(count(&mut conn).await, before + 1, "{backend}");
        assert!(store.disclosure(&ctx("contractor:c02", "appi.disclosure"), id, &label).await.is_err());
        store.close().await;
    }
}

#[tokio::test]
async fn contractor_report_lists_what_the_contractor_received_and_accessed() {
    for backend in BACKENDS {
        let (_db, store, id, provision_id) = exported(backend, "contractor").await;
        let name = c02_name();
        // The contractor's own access under its contract.
        let v = store.person(&ctx("contractor:c02", "analysis.entrustment"), id).await.unwrap();
        assert!(v.eligibility.is_some(), "{backend}");
        let today = chrono::Utc::now().date_naive();
        let (from, to) = (today - chrono::Days::new(1), today + chrono::Days::new(1));
        let supervisor = privacy_officer("appi.supervision");
        let r = store.contractor_report(&supervisor, "c02", &name, from, to).await.unwrap();
        assert_eq!(r.contractor, "c02", "{backend}");
        assert_eq!(r.received.len(), 1, "{backend}: {:?}", r.received);
        assert_eq!(r.received[0].id, provision_id, "{backend}");
        assert_eq!(r.received[0].file_name, "c02-analysis.csv", "{backend}");
        assert_eq!(r.received[0].counterparty, name, "{backend}");
        assert!(
            r.accesses
                .iter()
                .any(|(purpose, _, outcome, n)| purpose == "analysis.entrustment" && outcome == "allow" && *n == 1),
            "{backend}: {:?}",
            r.accesses
        );
        // Another contractor received nothing; a period before the export shows nothing.
        let other = store.contractor_report(&supervisor, "c17", "白石薬品", from, to).await.unwrap();
        assert!(other.received.is_empty() && other.accesses.is_empty(), "{backend}");
        let earlier = store.contractor_report(&supervisor, "c02", &name, day(2025, 1, 1), day(2025, 12, 31)).await;
        assert!(earlier.unwrap().received.is_empty(), "{backend}");
        // The auditor may supervise too; a staff member of another role may not.
        assert!(
            store.contractor_report(&ctx("staff:auditor:x", "appi.supervision"), "c02", &name, from, to).await.is_ok()
        );
        let err = store
            .contractor_report(&ctx("staff:health:x", "appi.supervision"), "c02", &name, from, to)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Denied { .. }), "{backend}: {err}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrency and what stays after erasure
// ---------------------------------------------------------------------------------------------

/// Many tasks appending at once (reads of people with and without a member key yet): every
/// decision is one entry, seqs stay dense and the chain verifies.
#[tokio::test]
async fn concurrent_appends_stay_one_dense_chain() {
    for backend in BACKENDS {
        let db = fresh(backend, "concurrent").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, people) = society(15);
        store.import_roster(&importer(), "roster.csv", "c", rows(&society, &people), &|_| {}).await.unwrap();
        let store = std::sync::Arc::new(store);
        let mut conn = raw(&db).await;
        let before = count(&mut conn).await;
        let (tasks, reads) = (8i64, 10i64);
        let mut handles = Vec::new();
        for t in 0..tasks {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..reads {
                    // Overlapping people, so first-use member keys are created under contention.
                    let id = PersonId((t + i) % 6 + 1);
                    store.person(&clerk(), id).await.map_err(|e| e.to_string())?;
                }
                Ok::<(), String>(())
            }));
        }
        for h in handles {
            h.await.unwrap().unwrap_or_else(|e| panic!("{backend}: a concurrent audited read failed: {e}"));
        }
        // Each clerk read is an allow and a deny (cash benefits withheld).
        assert_eq!(count(&mut conn).await, before + tasks * reads * 2, "{backend}");
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_keys").fetch_one(&mut conn).await.unwrap();
        assert_eq!(keys, 6, "{backend}: one key per member read");
        let report = verify(&store).await;
        assert!(report.ok(), "{backend}: {report:?}");
    }
}

/// Verifying (and sealing) a live log while others append must not report tampering.
#[tokio::test]
async fn verifying_a_live_log_does_not_report_tampering() {
    let mut failures = Vec::new();
    for backend in BACKENDS {
        let (_db, store, _) = populated(backend, "live").await;
        let store = std::sync::Arc::new(store);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                let card = kenpo_domain::CardId::new("1", "1", 0).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // A search that finds no one: one audited read of the population.
                    store.find_person(&clerk(), "00000000", &card).await.ok();
                    n += 1;
                }
                n
            })
        };
        let mut bad = Vec::new();
        for _ in 0..30 {
            if let Some(b) = verify(&store).await.first_bad {
                bad.push(b);
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let appended = writer.await.unwrap();
        assert!(appended > 0, "{backend}: the writer ran");
        assert!(verify(&store).await.ok(), "{backend}: sound once quiet");
        if !bad.is_empty() {
            failures.push(format!(
                "{backend}: {} of 30 verifications reported a sound log as tampered while {appended} entries were \
                 appended, e.g. {:?}",
                bad.len(),
                bad[0]
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The store keeps a person out of the hashed fields (a keyed tag, the id only in the erasable
/// payload). A member acting on their own data must not put their id in the chain either, or
/// erasure leaves them linkable forever.
#[tokio::test]
async fn a_member_reading_their_own_data_is_not_linkable_after_erasure() {
    for backend in BACKENDS {
        let db = fresh(backend, "selfread").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, mut people) = society(10);
        let gone = people.iter().position(|p| p.card.branch == 0).unwrap();
        people[gone].eligibility = vec![EligibilityPeriod {
            acquired_on: day(2005, 4, 1),
            acquisition_reason: "採用".into(),
            lost_on: Some(day(2015, 4, 1)),
            loss_reason: Some("退職".into()),
        }];
        store.import_roster(&importer(), "roster.csv", "s", rows(&society, &people), &|_| {}).await.unwrap();
        let id = PersonId(gone as i64 + 1);
        store.person(&ctx(&format!("member:{}", id.0), "eligibility.management"), id).await.unwrap();
        store.audit_erase_member(&privacy_officer("admin.basic_material"), id, Some(day(2026, 4, 1))).await.unwrap();
        assert!(verify(&store).await.ok(), "{backend}");
        let mut conn = raw(&db).await;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor = $1")
            .bind(format!("member:{}", id.0))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{backend}: after erasure the log still names member {} as an actor", id.0);
        store.close().await;
    }
}

/// A roster import whose actor may write the roster but not 個人番号: the refusal comes from
/// inside the import (asked at the first row carrying a number). It must come back as a denial,
/// promptly, and be in the log like every other denial.
#[tokio::test]
async fn a_my_number_refusal_inside_an_import_is_a_logged_denial() {
    for backend in BACKENDS {
        let db = fresh(backend, "importdeny").await;
        let store = open(&db, VaultKeys::generate()).await;
        let mut conn = raw(&db).await;
        let before = count(&mut conn).await;
        let (society, people) = society(5);
        assert!(people.iter().any(|p| p.my_number.is_some()));
        // The eligibility clerk may write roster data for eligibility management, but 個人番号
        // only in a 番号法 affair.
        let clerk = clerk();
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            store.import_roster(&clerk, "roster.csv", "d", rows(&society, &people), &|_| {}),
        )
        .await;
        let result = result.unwrap_or_else(|_| panic!("{backend}: the import hung for {:?}", started.elapsed()));
        let err = result.expect_err("refused");
        assert!(
            matches!(err, StoreError::Denied { category: kenpo_domain::DataCategory::MyNumber, .. }),
            "{backend}: {err}"
        );
        let after = count(&mut conn).await;
        assert_eq!(after, before + 1, "{backend}: the refusal is one entry (the rolled-back write none)");
        let last = &last_rows(&mut conn, 1).await[0];
        assert_eq!((last.outcome.as_str(), last.categories.as_str()), ("deny", "my_number"), "{backend}");
        let (persons,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons").fetch_one(&mut conn).await.unwrap();
        assert_eq!(persons, 0, "{backend}: nothing imported");
        store.close().await;
    }
}

/// Erasure is maintenance on a live system: other accesses keep being logged meanwhile, and
/// neither the erasures nor those accesses may fail for it.
#[tokio::test]
async fn erasure_while_others_append() {
    for backend in BACKENDS {
        let db = fresh(backend, "eraselive").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, mut people) = society(40);
        let gone: Vec<usize> =
            people.iter().enumerate().filter(|(_, p)| p.card.branch == 0).map(|(i, _)| i).take(20).collect();
        for &g in &gone {
            people[g].eligibility = vec![EligibilityPeriod {
                acquired_on: day(2005, 4, 1),
                acquisition_reason: "採用".into(),
                lost_on: Some(day(2015, 4, 1)),
                loss_reason: Some("退職".into()),
            }];
        }
        store.import_roster(&importer(), "roster.csv", "l", rows(&society, &people), &|_| {}).await.unwrap();
        for &g in &gone {
            store.person(&clerk(), PersonId(g as i64 + 1)).await.unwrap();
        }
        let store = std::sync::Arc::new(store);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..2 {
            let (store, stop) = (store.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut failures = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = if w == 0 {
                        store.stats(&ctx("system:t", "admin.basic_material"), day(2026, 3, 31)).await.map(|_| ())
                    } else {
                        store.person(&clerk(), PersonId(2)).await.map(|_| ())
                    };
                    if let Err(e) = r {
                        failures.push(e.to_string());
                    }
                }
                failures
            }));
        }
        let mut errors = Vec::new();
        for &g in &gone {
            let id = PersonId(g as i64 + 1);
            if let Err(e) =
                store.audit_erase_member(&privacy_officer("admin.basic_material"), id, Some(day(2026, 4, 1))).await
            {
                errors.push(e.to_string());
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut writer_failures = Vec::new();
        for w in writers {
            writer_failures.extend(w.await.unwrap());
        }
        assert!(
            errors.is_empty() && writer_failures.is_empty(),
            "{backend}: {} of {} erasures failed {:?}; {} logged accesses failed {:?}",
            errors.len(),
            gone.len(),
            errors.first(),
            writer_failures.len(),
            writer_failures.first()
        );
        assert!(verify(&store).await.ok(), "{backend}");
    }
}
