//! One receipt (the paper view) and a person's checkups, as the screens read them, on both
//! backends: which person first (someone else's receipt is not found), then which categories
//! (傷病名 and lines only where the use allows), the use's masks on the receipt's copy of the
//! patient, and the member's own disclosure report without 傷病名.

mod common;

use common::*;
use kenpo_domain::{DataCategory, Field};
use kenpo_policy::PersonId;
use kenpo_store::{StoreError, VaultKeys};

#[tokio::test]
async fn one_receipt_is_read_for_its_person_with_what_the_use_allows() {
    for backend in BACKENDS {
        let db = fresh(backend, "records").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, people) = society(20);
        store.import_roster(&importer(), "roster.csv", "r", rows(&society, &people), &|_| {}).await.unwrap();
        let institutions = kenpo_synth::Institutions::new(&society);
        let month = kenpo_domain::YearMonth::new(2025, 10).unwrap();
        for (i, file) in kenpo_synth::month_receipts(&society, &institutions, month).iter().enumerate() {
            store.import_receipts(&reviewer(), "m.UKE", &format!("m{i}"), &file.receipts, &[]).await.unwrap();
        }
        let mut conn = raw(&db).await;
        // Two people with receipts: whose receipt is asked for, and someone else.
        let owners: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT person_id, MIN(id), MIN(total_points) FROM receipts WHERE person_id IS NOT NULL \
             GROUP BY person_id ORDER BY person_id LIMIT 2",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let [(me, my_receipt, _), (other, their_receipt, _)] = owners[..] else {
            panic!("{backend}: two people with receipts")
        };
        let (points, lines, diagnoses): (i64, i64, i64) = sqlx::query_as(
            "SELECT total_points, (SELECT COUNT(*) FROM receipt_lines WHERE receipt_id = $1), \
             (SELECT COUNT(*) FROM receipt_diagnoses WHERE receipt_id = $1) FROM receipts WHERE id = $1",
        )
        .bind(my_receipt)
        .fetch_one(&mut conn)
        .await
        .unwrap();

        // 保険給付 (benefits.payment) reads 傷病名 and the lines: all of them, as stored.
        let v = store.person_receipt(&benefits(), PersonId(me), my_receipt).await.unwrap();
        assert_eq!(v.header.total_points, points, "{backend}");
        assert_eq!(v.lines.as_ref().map(Vec::len), Some(lines as usize), "{backend}");
        assert_eq!(v.diagnoses.as_ref().map(Vec::len), Some(diagnoses as usize), "{backend}");
        assert!(v.withheld.is_empty() && v.masked.is_empty(), "{backend}");

        // Another person's receipt under this person's id: not found (and logged as a probe).
        let err = store.person_receipt(&benefits(), PersonId(me), their_receipt).await;
        assert!(matches!(err, Err(StoreError::NotFound(_))), "{backend}: {err:?}");

        // 医療費分析 (analysis.cost) masks names and card: the receipt's copy too.
        let v = store
            .person_receipt(&ctx("staff:receipt_review:t", "analysis.cost"), PersonId(me), my_receipt)
            .await
            .unwrap();
        assert_eq!(v.header.patient_name, kenpo_store::MASK, "{backend}");
        assert_eq!(v.header.card_number, kenpo_store::MASK, "{backend}");
        assert!(v.masked.contains(&Field::NameKanji) && v.masked.contains(&Field::CardNumber), "{backend}");

        // The member: their own receipt's costs, never 傷病名 or the lines; nobody else's.
        let member = ctx(&format!("member:{me}"), "health.medical_cost_notice");
        let v = store.person_receipt(&member, PersonId(me), my_receipt).await.unwrap();
        assert!(v.diagnoses.is_none() && v.lines.is_none(), "{backend}");
        assert_eq!(v.header.total_points, points, "{backend}");
        assert_eq!(v.withheld.len(), 1, "{backend}");
        assert_eq!(v.withheld[0].category, DataCategory::ReceiptClinical);
        // 医療費通知 (health.medical_cost_notice) lists identity, eligibility, contact and
        // receipt_cost only (policy/notice.toml): the use itself does not need 傷病名.
        assert_eq!(v.withheld[0].rule, "category_not_needed_by_use");
        let err = store.person_receipt(&member, PersonId(other), their_receipt).await;
        assert!(matches!(err, Err(StoreError::Denied { .. })), "{backend}: {err:?}");

        // Their checkups (none imported here): an empty answer, not a refusal.
        let c = store
            .person_checkups(&ctx(&format!("member:{me}"), "health.specific_checkup"), PersonId(me))
            .await
            .unwrap();
        assert!(c.checkups.is_empty(), "{backend}");

        // The disclosure report on the portal: answered, with 傷病名 counted but withheld; the
        // privacy officer's answer withholds nothing.
        let d = store
            .disclosure(&ctx(&format!("member:{me}"), "appi.disclosure"), PersonId(me), &|a: &str| a.to_string())
            .await
            .unwrap();
        let clinical = d.held.iter().find(|h| h.category == "receipt_clinical").expect("receipts are held");
        assert_eq!(clinical.withheld_rule.as_deref(), Some("member_diagnoses_via_disclosure_request"), "{backend}");
        let cost = d.held.iter().find(|h| h.category == "receipt_cost").expect("costs are held");
        assert_eq!(cost.withheld_rule, None, "{backend}");
        let officer = ctx("staff:privacy_officer:t", "appi.disclosure");
        let d = store.disclosure(&officer, PersonId(me), &|a: &str| a.to_string()).await.unwrap();
        assert!(d.held.iter().all(|h| h.withheld_rule.is_none()), "{backend}");
        let err = store
            .disclosure(&ctx(&format!("member:{me}"), "appi.disclosure"), PersonId(other), &|a: &str| a.to_string())
            .await;
        assert!(matches!(err, Err(StoreError::Denied { .. })), "{backend}: another member's report");
        store.close().await;
    }
}
