//! From the app's answers to display text, shared by the staff screens and the member portal:
//! a person's record, receipts by month, one receipt, checkups, the disclosure report.

use super::pages::{DiagnosisRow, Field, LineRow, MonthGroup, ReceiptPage, ReceiptRow, Section, WithheldRow, field};
use kenpo_domain::era::era_date;
use kenpo_domain::kogaku::yen;
use kenpo_domain::receipt::ReceiptKind;
use kenpo_domain::{DataCategory, Table};
use kenpo_store::{Disclosure, PersonCheckups, PersonReceipts, PersonView, ReceiptView, Withheld};

/// 点数 × 10 = 医療費 (円), checked: a receipt's points come from a file.
pub fn points_to_yen(points: i64) -> String {
    points.checked_mul(10).map(|v| format!("{}円", yen(v))).unwrap_or_else(|| "（桁あふれ）".into())
}

/// The withheld categories with their rule; `explain` gives each one's "なぜ見られないのか" link.
pub fn withheld_rows(withheld: &[Withheld], explain: &dyn Fn(DataCategory) -> String) -> Vec<WithheldRow> {
    withheld
        .iter()
        .map(|w| WithheldRow {
            label: w.category.label().to_string(),
            rule: w.rule.to_string(),
            explain: explain(w.category),
        })
        .collect()
}

/// The staff explanation link of a category (for one person where there is one).
pub fn staff_explain(person: Option<i64>) -> impl Fn(DataCategory) -> String {
    move |c| match person {
        Some(p) => format!("/explain?category={}&person={p}", c.id()),
        None => format!("/explain?category={}", c.id()),
    }
}

pub fn identity_fields(p: &PersonView) -> Vec<Field> {
    let i = &p.identity;
    vec![
        field("氏名", i.name_kanji.clone()),
        field("氏名カナ", i.name_kana.clone()),
        field("生年月日", era_date(i.birth_date)),
        field("性別", i.sex.label()),
        field("区分", i.kind.label()),
        field("保険者番号", i.insurer_number.clone()),
        field("記号・番号・枝番", format!("{}・{}・{:02}", i.card_symbol, i.card_number, i.card_branch)),
    ]
}

/// The sections of a person's record the policy allowed (withheld ones are listed apart).
/// `person_href` builds the link to another person (a dependant, the insured).
pub fn person_sections(p: &PersonView, person_href: &dyn Fn(i64) -> Option<String>) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(e) = &p.eligibility {
        let mut t = Table::new(["資格取得日", "取得事由", "資格喪失日", "喪失事由"]);
        for period in &e.periods {
            t.push(vec![
                era_date(period.acquired_on),
                period.acquisition_reason.clone(),
                period.lost_on.map(era_date).unwrap_or_else(|| "—".into()),
                period.loss_reason.clone().unwrap_or_default(),
            ]);
        }
        let mut fields = Vec::new();
        if let Some(emp) = &e.employer {
            fields.push(field("事業所", format!("{}（{}）", emp.name, emp.code)));
        }
        fields.push(field("個人番号", if e.my_number_on_file { "登録あり（番号は表示しません）" } else { "登録なし" }));
        if let Some(insured) = e.insured_id {
            let text = match person_href(insured) {
                Some(_) => format!("加入者ID {insured}"),
                None => "被保険者本人".to_string(),
            };
            fields.push(field("被保険者", text));
        }
        if !e.dependant_ids.is_empty() {
            // Staff get the ids (linked from the page); a member, whose view links to nobody,
            // the count: each dependant's record is that person's own (policy: own data only).
            let ids: Vec<String> =
                e.dependant_ids.iter().filter(|d| person_href(**d).is_some()).map(|d| format!("ID {d}")).collect();
            let text = if ids.is_empty() {
                format!("{}人", e.dependant_ids.len())
            } else {
                format!("{}人（{}）", e.dependant_ids.len(), ids.join("、"))
            };
            fields.push(field("被扶養者", text));
        }
        out.push(Section { title: "資格", fields, table: Some(t) });
    }
    if let Some(r) = &p.remuneration {
        let mut t = Table::new(["適用開始", "等級", "標準報酬月額"]);
        for m in &r.monthly {
            t.push(vec![era_date(m.effective_from), m.grade.to_string(), format!("{}円", yen(m.monthly_amount))]);
        }
        let mut fields = Vec::new();
        for b in &r.bonuses {
            fields.push(field("標準賞与額", format!("{} {}円", era_date(b.paid_on), yen(b.standard_amount))));
        }
        out.push(Section { title: "標準報酬", fields, table: Some(t) });
    }
    if let Some(income) = p.annual_income {
        out.push(Section {
            title: "収入",
            fields: vec![field("年間収入見込額", format!("{}円", yen(income)))],
            table: None,
        });
    }
    if let Some(rel) = &p.relation {
        out.push(Section {
            title: "続柄",
            fields: vec![
                field("続柄", rel.relationship.label()),
                field("同居・別居", if rel.cohabiting { "同居" } else { "別居" }),
            ],
            table: None,
        });
    }
    if let Some(c) = &p.contact {
        out.push(Section {
            title: "連絡先",
            fields: vec![
                field("郵便番号", c.postal_code.clone()),
                field("住所", c.address.clone()),
                field("電話番号", c.phone.clone()),
            ],
            table: None,
        });
    }
    if let Some(bs) = &p.cash_benefits {
        let mut t = Table::new(["受付日", "給付", "状態", "請求額", "決定額"]);
        for b in bs {
            t.push(vec![
                era_date(b.received_on),
                b.kind.label().to_string(),
                b.status.label().to_string(),
                format!("{}円", yen(b.claimed_amount)),
                b.decided_amount.map(|v| format!("{}円", yen(v))).unwrap_or_else(|| "—".into()),
            ]);
        }
        out.push(Section { title: "現金給付", fields: Vec::new(), table: Some(t) });
    }
    out
}

fn kind_label(kind: &str, setting: &str) -> String {
    let k = ReceiptKind::from_code(kind).map(|k| k.label()).unwrap_or("不明");
    let s = match setting {
        "inpatient" => "入院",
        "outpatient" => "入院外",
        _ => "",
    };
    format!("{k}{s}")
}

/// Receipts grouped by 診療年月 (newest first, as the store lists them).
pub fn receipt_months(r: &PersonReceipts, href: &dyn Fn(i64) -> String) -> Vec<MonthGroup> {
    let mut out: Vec<MonthGroup> = Vec::new();
    // Checked sums: `None` once a month's points would not fit (shown as such, never clamped).
    let mut sums: Vec<Option<i64>> = Vec::new();
    for x in &r.receipts {
        if out.last().map(|g| g.month != x.service_month).unwrap_or(true) {
            out.push(MonthGroup { month: x.service_month.clone(), rows: Vec::new(), points: String::new() });
            sums.push(Some(0));
        }
        let (Some(g), Some(sum)) = (out.last_mut(), sums.last_mut()) else { continue };
        *sum = sum.and_then(|s| s.checked_add(x.total_points));
        g.rows.push(ReceiptRow {
            href: href(x.id),
            kind: kind_label(&x.kind, &x.setting),
            institution: x.institution_name.clone(),
            days: x.days,
            points: yen(x.total_points),
            cost: points_to_yen(x.total_points),
            charge: x.patient_charge.map(|v| format!("{}円", yen(v))).unwrap_or_else(|| "—".into()),
            diagnoses: x.diagnoses.as_ref().map(|d| d.join("、")).unwrap_or_default(),
        });
    }
    for (g, s) in out.iter_mut().zip(sums) {
        g.points = s.map(yen).unwrap_or_else(|| "（桁あふれ）".into());
    }
    out
}

fn outcome_label(code: i64) -> &'static str {
    // 転帰区分 (電子レセプト SY): 1 継続 (or blank), 2 治ゆ, 3 死亡, 4 中止（転医）.
    match code {
        2 => "治ゆ",
        3 => "死亡",
        4 => "中止",
        _ => "継続",
    }
}

fn care_label(kind: &str) -> &'static str {
    match kind {
        "SI" => "診療行為",
        "IY" => "医薬品",
        "TO" => "特定器材",
        _ => "その他",
    }
}

fn iso_to_era(s: &str) -> String {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map(era_date).unwrap_or_else(|_| s.to_string())
}

/// One receipt laid out like the paper 診療報酬明細書.
pub fn receipt_page(
    chrome: super::pages::Chrome,
    v: &ReceiptView,
    back: super::pages::Link,
    explain: &dyn Fn(DataCategory) -> String,
) -> ReceiptPage {
    let h = &v.header;
    let sex = match h.patient_sex {
        1 => "男",
        2 => "女",
        _ => "—",
    };
    let mut header = vec![
        field("氏名", h.patient_name.clone()),
        field("性別", sex),
        field("生年月日", iso_to_era(&h.patient_birth_date)),
    ];
    if let Some(a) = &h.admission_date {
        header.push(field("入院年月日", iso_to_era(a)));
    }
    let insurer = vec![
        field("保険者番号", h.insurer_number.clone()),
        field(
            "記号・番号",
            format!(
                "{}・{}{}",
                h.card_symbol,
                h.card_number,
                h.card_branch.map(|b| format!("（枝番 {b:02}）")).unwrap_or_default()
            ),
        ),
        field("公費負担者番号", "記録なし（公費の取込は未対応）"),
    ];
    let institution = vec![
        field("医療機関コード", format!("{:02} {}", h.institution_prefecture, h.institution_code)),
        field("名称", h.institution_name.clone()),
        field("検索番号", h.search_number.clone().unwrap_or_else(|| "—".into())),
    ];
    let totals = vec![
        field("診療実日数", format!("{}日", h.days)),
        field("合計点数", format!("{}点", yen(h.total_points))),
        field("医療費（点数×10円）", points_to_yen(h.total_points)),
        field("一部負担金", h.patient_charge.map(|v| format!("{}円", yen(v))).unwrap_or_else(|| "—".into())),
        field("食事・生活療養", h.meal_amount.map(|v| format!("{}円", yen(v))).unwrap_or_else(|| "—".into())),
    ];
    ReceiptPage {
        chrome: Some(chrome),
        month: h.service_month.clone(),
        kind: kind_label(&h.kind, &h.setting),
        header,
        insurer,
        institution,
        diagnoses: v.diagnoses.as_ref().map(|ds| {
            ds.iter()
                .map(|d| DiagnosisRow {
                    name: d.name.clone().unwrap_or_else(|| format!("コード {}", d.code)),
                    start: iso_to_era(&d.start_date),
                    outcome: outcome_label(d.outcome).to_string(),
                    main: d.main,
                })
                .collect()
        }),
        lines: v.lines.as_ref().map(|ls| {
            ls.iter()
                .map(|l| LineRow {
                    care: l.care_category.clone(),
                    kind: care_label(&l.kind).to_string(),
                    code: l.code.clone(),
                    quantity: l.quantity.clone(),
                    points: l.points.map(|p| p.to_string()).unwrap_or_default(),
                    count: l.count,
                    days: l.service_days.clone(),
                })
                .collect()
        }),
        totals,
        withheld: withheld_rows(&v.withheld, explain),
        back,
    }
}

/// A person's checkups as tables: one line per checkup, then the guidance.
pub fn checkup_tables(c: &PersonCheckups) -> Vec<(String, Table)> {
    let level = |l: &str| match l {
        "intensive" => "積極的支援",
        "motivational" => "動機付け支援",
        "information" => "情報提供",
        "undeterminable" => "判定不能",
        _ => "—",
    };
    let mut out = Vec::new();
    let mut t = Table::new(["受診日", "健診機関", "検査項目数", "階層化", "メタボ判定", "受診勧奨"]);
    for x in &c.checkups {
        t.push(vec![
            iso_to_era(&x.exam_date),
            x.institution_name.clone(),
            x.results.len().to_string(),
            x.level.as_deref().map(level).unwrap_or("未判定").to_string(),
            match x.metabolic.as_deref() {
                Some("meets") => "基準該当",
                Some("prone") => "予備群該当",
                Some("no") => "非該当",
                Some(_) => "判定不能",
                None => "—",
            }
            .to_string(),
            match x.referral.as_deref() {
                Some("urgent") => "すぐに受診を",
                Some("recommend") => "受診をおすすめします",
                _ => "—",
            }
            .to_string(),
        ]);
    }
    out.push(("特定健診".to_string(), t));
    for x in c.checkups.iter().take(1) {
        let mut r = Table::new(["項目コード（JLAC10）", "結果", "単位"]);
        for (code, value, unit) in &x.results {
            r.push(vec![code.clone(), value.clone().unwrap_or_else(|| "—".into()), unit.clone().unwrap_or_default()]);
        }
        out.push((format!("直近の健診結果（{}）", iso_to_era(&x.exam_date)), r));
    }
    if let Some(g) = &c.guidance {
        let mut t = Table::new(["支援レベル", "開始日", "評価日", "結果"]);
        for x in g {
            t.push(vec![
                level(&x.level).to_string(),
                iso_to_era(&x.started_on),
                x.evaluated_on.as_deref().map(iso_to_era).unwrap_or_else(|| "—".into()),
                x.outcome.clone().unwrap_or_else(|| "—".into()),
            ]);
        }
        out.push(("特定保健指導".to_string(), t));
    }
    out
}

/// The disclosure report's tables: held data with purposes, provision records, accesses.
pub fn disclosure_tables(d: &Disclosure) -> (Table, Table, Table) {
    let mut held = Table::new(["区分（別表1）", "内容", "件数", "期間", "利用目的（別表2）"]);
    for h in &d.held {
        let span = match (&h.first, &h.last) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} 〜 {b}"),
            _ => "—".into(),
        };
        let what = match &h.withheld_rule {
            Some(_) => format!("{}（内容の開示は書面による開示請求で承ります）", h.what),
            None => h.what.clone(),
        };
        let purposes: Vec<&str> = h.purposes.iter().map(|(_, text)| text.as_str()).collect();
        held.push(vec![h.label.clone(), what, h.records.to_string(), span, purposes.join(" ／ ")]);
    }
    let mut provisions = Table::new(["日時", "提供先", "根拠", "区分", "人数"]);
    for p in &d.provisions {
        provisions.push(vec![
            p.at.clone(),
            p.counterparty.clone(),
            p.basis.clone(),
            p.categories.clone(),
            p.subject_count.to_string(),
        ]);
    }
    let mut accesses = Table::new(["日時", "だれが", "利用目的", "操作", "区分", "結果"]);
    for a in &d.accesses {
        let categories: Vec<&str> =
            a.categories.split(',').map(|c| DataCategory::from_id(c.trim()).map(|c| c.label()).unwrap_or(c)).collect();
        accesses.push(vec![
            a.at.clone(),
            a.who.clone(),
            a.purpose.clone(),
            a.action.clone(),
            categories.join("、"),
            if a.outcome == "allow" { "許可".into() } else { "拒否".into() },
        ]);
    }
    (held, provisions, accesses)
}

/// An actor as staff and auditors see it: the role and the login (the member-facing
/// [`kenpo_app::names::actor_label`] may hide staff names; the log viewer must not).
pub fn staff_actor(catalogue: &kenpo_policy::catalogue::Catalogue, actor: &str) -> String {
    match kenpo_policy::Actor::parse(actor) {
        Ok(kenpo_policy::Actor::Staff { role, user }) => format!("{} {}", role.label(), user),
        Ok(kenpo_policy::Actor::Member { person }) => format!("本人（加入者ID {person}）"),
        _ => kenpo_app::names::actor_label(catalogue, actor),
    }
}

fn iso_era(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").map(kenpo_domain::era::era_date).unwrap_or_default()
}

fn record_label(kind: &str) -> &'static str {
    match kind {
        "insured" => "被保険者",
        "voluntary" => "任意継続被保険者",
        "dependant" => "被扶養者",
        "acquire" => "資格取得",
        "lose" => "資格喪失",
        "name" => "氏名変更",
        "address" => "住所変更",
        "card" => "証番号変更",
        "employer" => "事業所変更",
        "elderly" => "高齢受給者",
        "correction" => "訂正",
        _ => "—",
    }
}

/// 資格期間: 取得日, 喪失日, kind, reasons.
pub fn periods_table(h: &kenpo_store::PersonHistory) -> Table {
    let mut t = Table::new(["資格取得日", "資格喪失日", "種別", "取得事由", "喪失事由"]);
    for p in &h.periods {
        let voided = p.1.as_deref() == Some(p.0.as_str());
        t.push(vec![
            iso_era(&p.0),
            if voided { "（取消）".into() } else { p.1.as_deref().map(iso_era).unwrap_or_default() },
            record_label(p.2.as_deref().unwrap_or("")).into(),
            p.3.clone(),
            p.4.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// The cards held, with their days.
pub fn cards_table(h: &kenpo_store::PersonHistory) -> Table {
    let mut t = Table::new(["記号", "番号", "枝番", "有効開始日", "使用終了日"]);
    for c in &h.cards {
        t.push(vec![
            c.0.clone(),
            c.1.clone(),
            format!("{:02}", c.2),
            iso_era(&c.3),
            c.4.as_deref().map(iso_era).unwrap_or_default(),
        ]);
    }
    t
}

/// Earlier 事業所 (転勤), each with the first day it no longer was theirs.
pub fn employers_table(h: &kenpo_store::PersonHistory) -> Table {
    let mut t = Table::new(["事業所番号", "この日から変更"]);
    for (code, until) in &h.employers {
        t.push(vec![code.clone().unwrap_or_default(), iso_era(until)]);
    }
    t
}

/// The events, each with its reasoning and any correction.
pub fn events_table(h: &kenpo_store::PersonHistory) -> Table {
    let mut t = Table::new(["事象", "種類", "効力発生日", "受付日", "入力者", "理由づけ", "訂正"]);
    for e in &h.events {
        let correction = match (e.corrects, e.corrected_by) {
            (Some(of), _) => format!("事象 {of} を訂正"),
            (None, Some(by)) => format!("事象 {by} で訂正済"),
            _ => String::new(),
        };
        t.push(vec![
            e.id.to_string(),
            record_label(&e.kind).into(),
            iso_era(&e.effective_on),
            iso_era(&e.received_on),
            e.actor.clone(),
            e.reasoning.join(" / "),
            correction,
        ]);
    }
    t
}
