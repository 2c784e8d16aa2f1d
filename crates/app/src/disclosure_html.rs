//! The member's disclosure report (保有個人データ開示報告書) as a Japanese HTML page.

use kenpo_domain::DataCategory;
use kenpo_policy::catalogue::Catalogue;
use kenpo_store::Disclosure;

/// Category ids as Japanese labels, for the member.
fn categories_ja(ids: &str) -> String {
    ids.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| DataCategory::from_id(c).map(|c| c.label().to_string()).unwrap_or_else(|| c.to_string()))
        .collect::<Vec<_>>()
        .join("、")
}

/// An RFC 3339 time as Japan time, e.g. 2026-11-26 10:33.
fn when_ja(at: &str) -> String {
    let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&jst).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// A purpose id in words: the catalogue's text, or the statutory duty.
fn purpose_ja(catalogue: &Catalogue, id: &str) -> String {
    match id {
        kenpo_policy::engine::STATUTORY_DISCLOSURE => "保有個人データの開示（個人情報保護法第33条）".to_string(),
        kenpo_policy::engine::STATUTORY_SUPERVISION => "委託先の監督（個人情報保護法第25条）".to_string(),
        _ => catalogue.use_by_id(id).map(|u| u.text.clone()).unwrap_or_else(|| id.to_string()),
    }
}

/// Text for HTML (element content and quoted attributes alike), by the html-escape crate.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_quoted_attribute(s)
}

/// The categories this report shows data for (the purposes section lists only these).
fn held_categories(d: &Disclosure) -> Vec<DataCategory> {
    let p = &d.person;
    let mut held = vec![DataCategory::Identity];
    if p.eligibility.is_some() {
        held.push(DataCategory::Eligibility);
    }
    if p.remuneration.as_ref().is_some_and(|r| !r.monthly.is_empty() || !r.bonuses.is_empty()) {
        held.push(DataCategory::Remuneration);
    }
    if p.annual_income.is_some() {
        held.push(DataCategory::Income);
    }
    if p.relation.is_some() {
        held.push(DataCategory::Relation);
    }
    if p.contact.is_some() {
        held.push(DataCategory::Contact);
    }
    if p.cash_benefits.as_ref().is_some_and(|c| !c.is_empty()) {
        held.extend([DataCategory::CashBenefit, DataCategory::CashBenefitClinical]);
    }
    // Everything else the store holds (receipts, checkups, guidance, payments …).
    for r in &d.held {
        if let Some(c) = DataCategory::from_id(&r.category)
            && c != DataCategory::MyNumber
            && !held.contains(&c)
        {
            held.push(c);
        }
    }
    held
}

pub fn render(d: &Disclosure, catalogue: &Catalogue) -> String {
    let p = &d.person;
    let i = &p.identity;
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>保有個人データ開示報告書</title>\n\
         <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6}table{border-collapse:collapse;margin:.5em 0}\
         td,th{border:1px solid #888;padding:.2em .5em;text-align:left;vertical-align:top}td:first-child{white-space:nowrap}h2{border-bottom:2px solid #333}\
         @media print{@page{size:A4;margin:12mm}body{margin:0;max-width:none;font-size:9pt}h2{break-after:avoid}tr{break-inside:avoid}}</style>\n</head><body>\n",
    );
    h.push_str("<h1>保有個人データ開示報告書</h1>\n");
    h.push_str(&format!(
        "<p>個人情報の保護に関する法律第33条に基づき、当組合が保有する {} 様の個人データ、その利用目的、第三者提供等の記録および閲覧の記録を開示します。</p>\n",
        esc(&i.name_kanji)
    ));
    h.push_str("<h2>1. 保有している個人データ</h2>\n<table>\n");
    let mut row = |k: &str, v: String| h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(&v)));
    row("区分", i.kind.label().to_string());
    row(
        "保険者番号・記号・番号・枝番",
        format!("{} {} {} {:02}", i.insurer_number, i.card_symbol, i.card_number, i.card_branch),
    );
    row("氏名（カナ）", format!("{}（{}）", i.name_kanji, i.name_kana));
    row("生年月日・性別", format!("{} {}", i.birth_date, i.sex.label()));
    if let Some(e) = &p.eligibility {
        for period in &e.periods {
            row(
                "資格",
                format!(
                    "{} 取得（{}）{}",
                    period.acquired_on,
                    period.acquisition_reason,
                    period.lost_on.map(|l| format!(" — {l} 喪失")).unwrap_or_default()
                ),
            );
        }
        if let Some(emp) = &e.employer {
            row("事業所", emp.name.clone());
        }
        row(
            "個人番号",
            if e.my_number_on_file {
                "保有しています（番号そのものは番号法に基づく手続でのみ開示します）".into()
            } else {
                "保有していません".into()
            },
        );
    }
    if let Some(r) = &p.remuneration {
        for m in &r.monthly {
            row("標準報酬月額", format!("{} 円（{} 級, {} から）", m.monthly_amount, m.grade, m.effective_from));
        }
        for b in &r.bonuses {
            row("標準賞与額", format!("{} 円（{} 支給）", b.standard_amount, b.paid_on));
        }
    }
    if let Some(rel) = &p.relation {
        row("続柄・同居", format!("{} {}", rel.relationship.label(), if rel.cohabiting { "同居" } else { "別居" }));
    }
    if let Some(income) = p.annual_income {
        row("前年度収入", format!("{income} 円"));
    }
    if let Some(c) = &p.contact {
        row("連絡先", format!("〒{} {} {}", c.postal_code, c.address, c.phone));
    }
    if let Some(claims) = &p.cash_benefits {
        for c in claims {
            row(
                "現金給付",
                format!(
                    "{} {} 受付 {} 請求 {} 円 {}",
                    c.kind.label(),
                    c.status.label(),
                    c.received_on,
                    c.claimed_amount,
                    c.decided_amount.map(|d| format!("決定 {d} 円")).unwrap_or_default()
                ),
            );
        }
    }
    h.push_str("</table>\n");
    h.push_str(
        "<p>保有している記録の件数と期間（区分ごと）:</p>\n<table><tr><th>区分</th><th>記録</th><th>件数</th><th>期間</th></tr>\n",
    );
    for r in &d.held {
        let span = match (&r.first, &r.last) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} 〜 {b}"),
            _ => String::new(),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} 件</td><td>{}</td></tr>\n",
            esc(&r.label),
            esc(&r.what),
            kenpo_domain::kogaku::yen(r.records as i64),
            esc(&span)
        ));
    }
    h.push_str("</table>\n");

    h.push_str("<h2>2. 利用目的</h2>\n<p>上記の個人データの区分ごとに、公表している利用目的（別表2）のうち該当するものです。</p>\n<table><tr><th>区分</th><th>利用目的</th></tr>\n");
    for category in held_categories(d) {
        let uses: Vec<String> = catalogue
            .uses
            .iter()
            .filter(|u| u.categories.iter().any(|c| c == category.id()))
            .map(|u| format!("・{}", esc(&u.text)))
            .collect();
        if !uses.is_empty() {
            h.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>\n", esc(category.label()), uses.join("<br>")));
        }
    }
    h.push_str("</table>\n");

    h.push_str("<h2>3. 第三者提供・委託先への提供および受領の記録</h2>\n");
    if d.provisions.is_empty() {
        h.push_str("<p>記録はありません。</p>\n");
    } else {
        h.push_str(
            "<table><tr><th>日時</th><th>区分</th><th>相手方</th><th>根拠</th><th>利用目的</th><th>項目</th></tr>\n",
        );
        for pr in &d.provisions {
            let purpose = purpose_ja(catalogue, &pr.use_id);
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&when_ja(&pr.at)),
                if pr.direction == "provide" { "提供" } else { "受領" },
                esc(&pr.counterparty),
                esc(&pr.basis),
                esc(&purpose),
                esc(&categories_ja(&pr.categories))
            ));
        }
        h.push_str("</table>\n");
    }

    h.push_str("<h2>4. 閲覧・利用の記録</h2>\n<table><tr><th>日時</th><th>行為者</th><th>利用目的</th><th>操作</th><th>区分</th><th>結果</th></tr>\n");
    for a in &d.accesses {
        let purpose = purpose_ja(catalogue, &a.purpose);
        let op = match a.action.as_str() {
            "read" => "閲覧",
            "write" => "登録・更新",
            "export" => "出力・提供",
            other => other,
        };
        let batch = a.batch_size.map(|n| format!("（一括処理 {n} 人）")).unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&when_ja(&a.at)),
            esc(&a.who),
            esc(&batch),
            esc(&purpose),
            op,
            esc(&categories_ja(&a.categories)),
            if a.outcome == "allow" { "許可" } else { "拒否" }
        ));
    }
    h.push_str("</table>\n</body></html>\n");
    h
}
