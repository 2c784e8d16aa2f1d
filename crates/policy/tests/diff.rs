//! `diff` tells members, in plain Japanese, what a change to the catalogue changes for them.

use chrono::NaiveDate;
use kenpo_policy::catalogue::{Catalogue, Contractor, DEFAULT_SOURCES, DataItem, Direction, Flow, Task, Use};
use kenpo_policy::diff::diff;

fn shipped() -> Catalogue {
    Catalogue::default_catalogue().expect("the shipped catalogue loads")
}

fn use_mut<'a>(c: &'a mut Catalogue, id: &str) -> &'a mut Use {
    c.uses.iter_mut().find(|u| u.id == id).unwrap_or_else(|| panic!("use {id}"))
}

fn contractor_mut<'a>(c: &'a mut Catalogue, id: &str) -> &'a mut Contractor {
    c.contractors.iter_mut().find(|k| k.id == id).unwrap_or_else(|| panic!("contractor {id}"))
}

/// The one line of the diff, which must contain every phrase.
fn one_line(lines: &[String], phrases: &[&str]) -> String {
    assert_eq!(lines.len(), 1, "exactly one change expected, got:\n{}", lines.join("\n"));
    for p in phrases {
        assert!(lines[0].contains(p), "{:?} lacks {p:?}", lines[0]);
    }
    lines[0].clone()
}

/// Plain Japanese for members: no catalogue ids, no category ids.
fn assert_plain(line: &str) {
    for id in ["receipt_clinical", "receipt_cost", "checkup_result", "my_number", "health.", "analysis.", "c0", "c1"] {
        assert!(!line.contains(id), "{line:?} shows the id {id:?}");
    }
}

#[test]
fn identical_catalogues_differ_in_nothing() {
    let c = shipped();
    assert!(diff(&c, &c.clone()).is_empty());
    // Loaded twice from the same text, too.
    let again = Catalogue::from_sources(&DEFAULT_SOURCES).unwrap();
    assert!(diff(&c, &again).is_empty(), "{:?}", diff(&c, &again));
}

#[test]
fn a_new_use_is_announced_with_its_group() {
    let old = shipped();
    let mut new = old.clone();
    new.uses.push(Use {
        id: "health.drug_sales".into(),
        text: "常備薬等の斡旋".into(),
        flow: Flow::Internal,
        direction: Direction::Provide,
        basis: None,
        counterparty: None,
        my_number_affair: false,
        categories: vec!["identity".into(), "eligibility".into()],
        reason: "購入者が加入者であることの確認".into(),
        roles: vec!["health".into()],
        member_self: false,
        mask: vec![],
        ambiguity: None,
    });
    let g3 = new.groups.iter_mut().find(|g| g.number == 3).unwrap();
    g3.sections[0].uses.push("health.drug_sales".into());
    let line = one_line(&diff(&old, &new), &["利用目的を追加します", "別表2の3", "「常備薬等の斡旋」"]);
    assert_plain(&line);
    // The reverse change removes it.
    one_line(&diff(&new, &old), &["利用目的を削除します", "「常備薬等の斡旋」"]);
}

#[test]
fn a_changed_use_text_is_shown_before_and_after() {
    let old = shipped();
    let mut new = old.clone();
    use_mut(&mut new, "health.medical_cost_notice").text = "被保険者等への医療費のお知らせ".into();
    one_line(
        &diff(&old, &new),
        &["利用目的の文言を変更します", "「被保険者等への医療費通知」→「被保険者等への医療費のお知らせ」"],
    );
}

#[test]
fn a_category_added_to_or_removed_from_a_use_is_named_in_words() {
    let old = shipped();
    let mut new = old.clone();
    use_mut(&mut new, "health.medical_cost_notice").categories.push("receipt_clinical".into());
    let line = one_line(
        &diff(&old, &new),
        &["「被保険者等への医療費通知」に利用する情報に", "レセプト (傷病名、診療内容)", "を加えます"],
    );
    assert_plain(&line);

    let mut fewer = old.clone();
    use_mut(&mut fewer, "health.medical_cost_notice").categories.retain(|c| c != "contact");
    one_line(
        &diff(&old, &fewer),
        &["「被保険者等への医療費通知」に利用する情報から", "住所所在地等連絡先", "を除きます"],
    );
}

#[test]
fn a_new_counterparty_and_a_new_flow_are_reported() {
    let old = shipped();
    let mut new = old.clone();
    use_mut(&mut new, "health.collabo_provision").counterparty = Some("事業主及び産業医".into());
    one_line(
        &diff(&old, &new),
        &["「コラボヘルスの一環である健診結果の事業者への提供」の提供先を", "事業主及び産業医", "とします"],
    );

    let mut new = old.clone();
    use_mut(&mut new, "analysis.cost").flow = Flow::Entrustment;
    one_line(&diff(&old, &new), &["「医療費分析・疾病分析」の取扱いを", "内部利用 から 委託 に変えます"]);
}

#[test]
fn a_new_contractor_is_announced_with_its_work() {
    let old = shipped();
    let mut new = old.clone();
    new.contractors.push(Contractor {
        id: "c19".into(),
        name: "(株)テスト翻訳".into(),
        work: "海外療養費の翻訳".into(),
        contract_from: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        contract_to: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        my_number_affair: false,
        tasks: vec![Task {
            text: "海外療養費の翻訳".into(),
            uses: vec!["benefits.overseas_translation".into()],
            categories: vec!["cash_benefit".into(), "cash_benefit_clinical".into()],
            reason: "申請書類の翻訳".into(),
            write: false,
            ambiguity: None,
        }],
    });
    let line = one_line(&diff(&old, &new), &["業務委託先を追加します", "(株)テスト翻訳", "（海外療養費の翻訳）"]);
    assert_plain(&line);
}

#[test]
fn a_contractor_removed_is_reported_by_name() {
    let old = shipped();
    let mut new = old.clone();
    new.contractors.retain(|k| k.id != "c17");
    one_line(&diff(&old, &new), &["業務委託先から外します", "白石薬品(株)"]);
}

#[test]
fn a_contractor_given_new_work_or_new_data_is_reported() {
    let old = shipped();
    let mut new = old.clone();
    let k = contractor_mut(&mut new, "c04");
    k.work = "特定保健指導、禁煙支援".into();
    one_line(
        &diff(&old, &new),
        &["(株)ベストライフ・プロモーション への委託内容を変更します", "「特定保健指導」→「特定保健指導、禁煙支援」"],
    );

    let mut new = old.clone();
    contractor_mut(&mut new, "c08").tasks[2].categories.push("receipt_clinical".into());
    let line = one_line(&diff(&old, &new), &["(株)スギ薬局 に新たに", "レセプト (傷病名、診療内容)", "を預けます"]);
    assert_plain(&line);
}

#[test]
fn a_new_item_of_table_1_is_reported() {
    let old = shipped();
    let mut new = old.clone();
    let row = new.data_rows.iter_mut().find(|r| r.label == "適用関連").unwrap();
    row.items.push(DataItem { text: "住民票上の住所".into(), detail: None });
    one_line(&diff(&old, &new), &["保有する個人情報（適用関連）に「住民票上の住所」を加えます"]);
}

#[test]
fn edits_to_the_toml_text_are_reported_too() {
    let old = shipped();
    // A new contractor appended to contractors.toml, as an editor would.
    let contractors = format!(
        "{}\n[[contractors]]\nid = \"c19\"\nname = \"(株)テスト保養所\"\nwork = \"保養所の運営\"\n\
         contract_from = \"2026-04-01\"\ncontract_to = \"2027-03-31\"\n[[contractors.tasks]]\ntext = \"保養所の運営\"\n\
         uses = [\"health.facilities_entrustment\"]\ncategories = [\"identity\", \"eligibility\"]\nreason = \"利用資格の確認\"\n",
        DEFAULT_SOURCES[2].1
    );
    // A category added to a use in notice.toml.
    let notice = DEFAULT_SOURCES[0].1.replacen(
        "categories = [\"identity\", \"eligibility\"]\nreason = \"利用者が加入者であることの確認のみ\"",
        "categories = [\"identity\", \"eligibility\", \"contact\"]\nreason = \"利用者が加入者であることの確認のみ\"",
        1,
    );
    assert_ne!(notice, DEFAULT_SOURCES[0].1, "the edit must apply");
    let new = Catalogue::from_sources(&[
        ("notice.toml", &notice),
        ("roles.toml", DEFAULT_SOURCES[1].1),
        ("contractors.toml", &contractors),
    ])
    .unwrap();
    let lines = diff(&old, &new);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l
                .contains("「健康増進施設（保養所等）の運営の委託」に利用する情報に 住所所在地等連絡先 を加えます")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("業務委託先を追加します: (株)テスト保養所（保養所の運営）")), "{lines:#?}");
}

#[test]
fn a_renamed_contractor_is_reported() {
    let old = shipped();
    let mut new = old.clone();
    contractor_mut(&mut new, "c17").name = "白石ファーマ(株)".into();
    let lines = diff(&old, &new);
    assert!(lines.iter().any(|l| l.contains("白石ファーマ(株)")), "{lines:#?}");
}

#[test]
fn a_use_becoming_a_bangou_affair_is_reported() {
    let old = shipped();
    let mut new = old.clone();
    use_mut(&mut new, "eligibility.outsourced_processing").my_number_affair = true;
    assert!(!diff(&old, &new).is_empty());
}
