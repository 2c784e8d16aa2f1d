//! What a change to the catalogue would tell members, in plain Japanese.

use crate::catalogue::Catalogue;
use kenpo_domain::DataCategory;
use std::collections::BTreeSet;

fn cat_labels(ids: &BTreeSet<&String>) -> String {
    ids.iter()
        .map(|id| DataCategory::from_id(id).map(|c| c.label().to_string()).unwrap_or_else(|| (*id).clone()))
        .collect::<Vec<_>>()
        .join("、")
}

/// Lines describing the changes from `old` to `new`; empty when members would see no change.
pub fn diff(old: &Catalogue, new: &Catalogue) -> Vec<String> {
    let mut out = Vec::new();
    for u in &new.uses {
        let group = new.placement(&u.id).map(|(g, _)| g.number).unwrap_or(0);
        match old.use_by_id(&u.id) {
            None => out.push(format!("利用目的を追加します（別表2の{group}）:「{}」", u.text)),
            Some(o) => {
                if o.text != u.text {
                    out.push(format!("利用目的の文言を変更します:「{}」→「{}」", o.text, u.text));
                }
                let before: BTreeSet<&String> = o.categories.iter().collect();
                let after: BTreeSet<&String> = u.categories.iter().collect();
                let added: BTreeSet<&String> = after.difference(&before).copied().collect();
                let removed: BTreeSet<&String> = before.difference(&after).copied().collect();
                if !added.is_empty() {
                    out.push(format!("「{}」に利用する情報に {} を加えます", u.text, cat_labels(&added)));
                }
                if !removed.is_empty() {
                    out.push(format!("「{}」に利用する情報から {} を除きます", u.text, cat_labels(&removed)));
                }
                if o.counterparty != u.counterparty && u.counterparty.is_some() {
                    out.push(format!(
                        "「{}」の提供先を {} とします",
                        u.text,
                        u.counterparty.clone().unwrap_or_default()
                    ));
                }
                if !o.my_number_affair && u.my_number_affair {
                    out.push(format!("「{}」を番号法に定める事務とし、個人番号を利用します", u.text));
                }
                if o.flow != u.flow {
                    out.push(format!("「{}」の取扱いを {} から {} に変えます", u.text, o.flow.label(), u.flow.label()));
                }
            }
        }
    }
    for o in &old.uses {
        if new.use_by_id(&o.id).is_none() {
            out.push(format!("利用目的を削除します:「{}」", o.text));
        }
    }
    for c in &new.contractors {
        match old.contractors.iter().find(|o| o.id == c.id || o.name == c.name) {
            None => out.push(format!("業務委託先を追加します: {}（{}）", c.name, c.work)),
            Some(o) => {
                if o.name != c.name {
                    out.push(format!("業務委託先の名称を変更します: {} → {}", o.name, c.name));
                }
                if o.work != c.work {
                    out.push(format!("{} への委託内容を変更します:「{}」→「{}」", c.name, o.work, c.work));
                }
                let before: BTreeSet<&String> = o.tasks.iter().flat_map(|t| t.categories.iter()).collect();
                let after: BTreeSet<&String> = c.tasks.iter().flat_map(|t| t.categories.iter()).collect();
                let added: BTreeSet<&String> = after.difference(&before).copied().collect();
                if !added.is_empty() {
                    out.push(format!("{} に新たに {} を預けます", c.name, cat_labels(&added)));
                }
                let removed: BTreeSet<&String> = before.difference(&after).copied().collect();
                if !removed.is_empty() {
                    out.push(format!("{} には今後 {} を預けません", c.name, cat_labels(&removed)));
                }
            }
        }
    }
    for o in &old.contractors {
        if !new.contractors.iter().any(|c| c.id == o.id || c.name == o.name) {
            out.push(format!("業務委託先から外します: {}", o.name));
        }
    }
    for row in &old.data_rows {
        let new_row = new.data_rows.iter().find(|r| r.label == row.label);
        for item in &row.items {
            if !new_row.is_some_and(|r| r.items.iter().any(|i| i.text == item.text)) {
                out.push(format!("保有する個人情報（{}）から「{}」を除きます", row.label, item.text));
            }
        }
    }
    for row in &new.data_rows {
        let old_row = old.data_rows.iter().find(|r| r.label == row.label);
        for item in &row.items {
            if !old_row.is_some_and(|r| r.items.iter().any(|i| i.text == item.text)) {
                out.push(format!("保有する個人情報（{}）に「{}」を加えます", row.label, item.text));
            }
        }
    }
    out
}
