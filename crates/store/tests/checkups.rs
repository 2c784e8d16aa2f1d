//! 特定健診 import through the access layer, on SQLite and PostgreSQL: every document of an
//! archive stored with its results, matched to the roster, refused a second time and for an
//! actor without the purpose, and the Art. 30 record written.

mod common;

use common::*;
use kenpo_domain::checkup::ResultValue;
use kenpo_store::{StoreError, VaultKeys};

#[tokio::test]
async fn checkup_archives_import_once_matched_with_their_results() {
    for backend in BACKENDS {
        let db = fresh(backend, "checkups").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, people) = society(400);
        store.import_roster(&importer(), "roster.csv", "r", rows(&society, &people), &|_| {}).await.unwrap();
        let archives = kenpo_synth::checkup_archives(&society);
        assert!(!archives.is_empty(), "{backend}: the generator writes archives for 400 members");
        let health = ctx("staff:health:t", "health.specific_checkup");
        let (header, records) = &archives[0];
        // Through the writer and reader, as a file would arrive.
        let mut buf = std::io::Cursor::new(Vec::new());
        kenpo_formats::checkup_xml::write_checkup_archive(&mut buf, header, records).unwrap();
        buf.set_position(0);
        let name = format!("{}.zip", header.archive_name());
        let read = kenpo_formats::checkup_xml::read_checkup_archive(buf, &name).unwrap();
        assert_eq!(&read.records, records, "{backend}");
        // Independent of the importer: the results the documents hold, counted from the records.
        let results: usize = records.iter().map(|r| r.results.len()).sum();
        let quantities = records
            .iter()
            .flat_map(|r| r.results.iter())
            .filter(|r| matches!(r.value, ResultValue::Quantity { .. }))
            .count();

        let s = store.import_checkups(&health, &name, "c1", "健診機関 X", &read.records, &[]).await.unwrap();
        assert_eq!((s.documents, s.results), (records.len() as u64, results as u64), "{backend}");
        // Every document is of a roster member (the generator examines its own people).
        assert_eq!((s.matched, s.unmatched), (records.len() as u64, 0), "{backend}");
        let stats = store.stats(&ctx("system:t", "admin.basic_material"), society.config.as_of).await.unwrap();
        assert_eq!(stats.checkups, records.len() as i64, "{backend}");

        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        let (stored_q,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM checkup_results WHERE value_type = 'PQ' AND value IS NOT NULL AND unit IS NOT NULL",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(stored_q, quantities as i64, "{backend}: every quantity kept with its unit");
        let (received,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM provisions WHERE direction = 'receive' AND file_name = $1 AND counterparty = $2",
        )
        .bind(name.clone())
        .bind("健診機関 X")
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(received, 1, "{backend}: one Art. 30 record for the archive");

        // Again: refused by content hash, nothing written.
        let again = store.import_checkups(&health, &name, "c1", "健診機関 X", &read.records, &[]).await;
        assert!(matches!(again, Err(StoreError::AlreadyImported { .. })), "{backend}: {again:?}");
        // The review's case: the same documents re-zipped (another content hash) are refused by
        // their identity (person, exam day, 健診機関), and so is one document among new ones.
        let err = store.import_checkups(&health, "rezipped.zip", "c1-rezipped", "健診機関 X", &read.records, &[]).await;
        let msg = err.as_ref().map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(msg.contains("rezipped.zip") && msg.contains("already held"), "{backend}: {msg}");
        let mut later = read.records[0].clone();
        later.exam_date = later.exam_date + chrono::Days::new(200);
        let mixed = [later.clone(), read.records[1].clone()];
        let err = store.import_checkups(&health, "mixed.zip", "c1-mixed", "健診機関 X", &mixed, &[]).await.unwrap_err();
        assert!(err.to_string().contains("1 document(s) already held"), "{backend}: {err}");
        // Twice in one archive.
        let twice = [later.clone(), later.clone()];
        let err = store.import_checkups(&health, "twice.zip", "c1-twice", "健診機関 X", &twice, &[]).await.unwrap_err();
        assert!(err.to_string().contains("document 2 repeats"), "{backend}: {err}");
        // A later exam of the same person is a new document.
        store.import_checkups(&health, "later.zip", "c1-later", "健診機関 X", &[later], &[]).await.unwrap();
        let stats = store.stats(&ctx("system:t", "admin.basic_material"), society.config.as_of).await.unwrap();
        assert_eq!(stats.checkups, records.len() as i64 + 1, "{backend}: only the later exam added");
        // A contractor that is not entrusted with checkups: denied before any SQL.
        let denied = store
            .import_checkups(&ctx("contractor:c17", "health.specific_checkup"), &name, "c2", "x", &read.records, &[])
            .await;
        assert!(matches!(denied, Err(StoreError::Denied { .. })), "{backend}: {denied:?}");
        let stats = store.stats(&ctx("system:t", "admin.basic_material"), society.config.as_of).await.unwrap();
        assert_eq!(stats.checkups, records.len() as i64 + 1, "{backend}: unchanged");
        store.close().await;
    }
}
