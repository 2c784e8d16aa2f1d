//! Exports (第三者提供 and 委託): the recipient, categories and selection as the CLI and the API
//! give them, parsed once here; the store decides, writes the provision record and the audit
//! entry, and returns the rows.

use crate::AppError;
use kenpo_domain::DataCategory;
use kenpo_policy::catalogue::Catalogue;
use kenpo_store::{Recipient, Selection};

/// `contractor:ID` (委託) or the name of another body (第三者提供).
pub fn recipient(catalogue: &Catalogue, to: &str) -> Result<Recipient, AppError> {
    let to = to.trim();
    if to.is_empty() || to.chars().count() > 100 || to.chars().any(char::is_control) {
        return Err(AppError::Invalid("to: 提供先を100文字以内で指定してください".into()));
    }
    Ok(match to.strip_prefix("contractor:") {
        Some(id) => {
            let c = catalogue
                .contractor(id)
                .ok_or_else(|| AppError::Invalid("to: 業務委託先一覧にない委託先です".into()))?;
            Recipient::Contractor { id: id.to_string(), name: c.name.clone() }
        }
        None => Recipient::Body { name: to.to_string() },
    })
}

/// Category ids, comma separated (identity is always included by the store).
pub fn categories(list: &str) -> Result<Vec<DataCategory>, AppError> {
    let mut out = Vec::new();
    for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        out.push(
            DataCategory::from_id(id)
                .ok_or_else(|| AppError::Invalid("categories: 情報区分の id ではありません".into()))?,
        );
    }
    if out.is_empty() {
        return Err(AppError::Invalid("categories: 情報区分を1つ以上指定してください".into()));
    }
    Ok(out)
}

/// `covered` (today), `covered:YYYY-MM-DD` or `ids:1,2,3` (at most 100,000 ids).
pub fn selection(who: &str, today: chrono::NaiveDate) -> Result<Selection, AppError> {
    let bad = || AppError::Invalid("who: covered、covered:YYYY-MM-DD または ids:1,2,3 で指定してください".into());
    match who.strip_prefix("ids:") {
        Some(list) => {
            let ids: Vec<i64> =
                list.split(',').map(|s| s.trim().parse::<i64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
            if ids.is_empty() || ids.len() > 100_000 {
                return Err(bad());
            }
            Ok(Selection::People(ids))
        }
        None if who == "covered" => Ok(Selection::CoveredOn(today)),
        None => match who.strip_prefix("covered:") {
            Some(day) => Ok(Selection::CoveredOn(day.parse().map_err(|_| bad())?)),
            None => Err(bad()),
        },
    }
}
