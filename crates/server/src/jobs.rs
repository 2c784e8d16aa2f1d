//! Import jobs: an upload is read in a background task whose progress the API (`GET
//! /api/v1/imports/{id}`) and the screens (`/imports/{id}`) report. Only the account that
//! started a job can see it; another account's job id answers "not found".

use crate::ServerState;
use crate::dto::ImportJob;
use kenpo_app::AppError;
use kenpo_domain::kogaku::yen;
use kenpo_policy::AccessContext;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// What an upload holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImportKind {
    /// 電子レセプト (UKE).
    Receipts,
    /// 加入者名簿 (roster CSV, docs/roster-format.md).
    Roster,
    /// 特定健診 archive (ZIP of hc08 XML).
    Checkups,
    /// 資格取得届・資格喪失届・被扶養者（異動）届 (日本年金機構 CSV, SHFD0006 / KPFD0006), received today.
    Filing,
    /// 検認の回答: the year's list CSV with the answers filled (its 検認年 column names the year).
    Kenin,
    /// 算定基礎届・月額変更届・賞与支払届 (日本年金機構 CSV, SHFD0006 / KPFD0006).
    PayFiling,
    /// 入金明細 (the bank's CSV: 入金日,振込依頼人コード,振込依頼人名,金額).
    Payments,
}

impl ImportKind {
    pub(crate) fn id(self) -> &'static str {
        match self {
            ImportKind::Receipts => "receipts",
            ImportKind::Roster => "roster",
            ImportKind::Checkups => "checkups",
            ImportKind::Filing => "filing",
            ImportKind::Kenin => "kenin",
            ImportKind::PayFiling => "pay_filing",
            ImportKind::Payments => "payments",
        }
    }

    pub(crate) fn from_id(id: &str) -> Option<Self> {
        [
            ImportKind::Receipts,
            ImportKind::Roster,
            ImportKind::Checkups,
            ImportKind::Filing,
            ImportKind::Kenin,
            ImportKind::PayFiling,
            ImportKind::Payments,
        ]
        .into_iter()
        .find(|k| k.id() == id)
    }
}

/// A finished import: (receipts, matched, unmatched, the outcome line).
type Finished = (Option<u64>, Option<u64>, Option<u64>, String);

/// Starts importing one uploaded file as `ctx`; returns the job as it stands (running).
pub(crate) fn start_import(
    state: &Arc<ServerState>,
    owner: i64,
    ctx: AccessContext,
    kind: ImportKind,
    name: &str,
    bytes: Vec<u8>,
) -> ImportJob {
    let id = state.next_job.fetch_add(1, Ordering::Relaxed);
    let job = ImportJob {
        id,
        kind: kind.id().to_string(),
        file_name: name.to_string(),
        state: "running".into(),
        receipts_read: 0,
        receipts: None,
        matched: None,
        unmatched: None,
        error: None,
        outcome: None,
    };
    {
        let mut jobs = state.jobs.lock().unwrap_or_else(|p| p.into_inner());
        // Keep the newest finished jobs only: the table must not grow with every upload.
        if jobs.len() >= crate::JOBS_KEPT {
            let mut done: Vec<u64> = jobs.iter().filter(|(_, (_, j))| j.state != "running").map(|(k, _)| *k).collect();
            done.sort_unstable();
            for k in done.iter().take(jobs.len() + 1 - crate::JOBS_KEPT) {
                jobs.remove(k);
            }
        }
        jobs.insert(id, (owner, job.clone()));
    }
    let task_state = state.clone();
    let name = name.to_string();
    tokio::spawn(async move {
        let progress_state = task_state.clone();
        let progress = move |_: &str, done: u64, _: u64| {
            if let Some((_, j)) = progress_state.jobs.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&id) {
                j.receipts_read = done;
            }
        };
        let app = &task_state.app;
        let result: Result<Finished, AppError> = match kind {
            ImportKind::Receipts => app.import_receipt_bytes(&ctx, &name, bytes, &progress).await.map(|s| {
                let line = format!(
                    "レセプト {} 件（加入者と照合 {} 件 / 照合できず {} 件）",
                    yen(s.receipts as i64),
                    yen(s.matched as i64),
                    yen(s.unmatched as i64)
                );
                (Some(s.receipts), Some(s.matched), Some(s.unmatched), line)
            }),
            ImportKind::Roster => app.import_roster_bytes(&ctx, &name, bytes, &progress).await.map(|s| {
                let line = format!(
                    "加入者 {} 人（本人 {}、任意継続 {}、家族 {}）、新規事業所 {}、個人番号 {} 件（暗号化して保管）",
                    yen(s.people as i64),
                    yen(s.insured as i64),
                    yen(s.voluntary as i64),
                    yen(s.dependants as i64),
                    s.employers_added,
                    yen(s.my_numbers as i64)
                );
                (None, None, None, line)
            }),
            ImportKind::Checkups => app.import_checkup_bytes(&ctx, &name, bytes).await.map(|s| {
                let line = format!(
                    "特定健診 {} 件（{} 項目、加入者と照合 {} 件 / 照合できず {} 件）",
                    yen(s.documents as i64),
                    yen(s.results as i64),
                    yen(s.matched as i64),
                    yen(s.unmatched as i64)
                );
                (None, Some(s.matched), Some(s.unmatched), line)
            }),
            ImportKind::Filing => {
                let today = chrono::Local::now().date_naive();
                app.import_filing(&ctx, &name, &bytes, None, today).await.map(|s| {
                    let line = format!(
                        "届書の事象 {} 件（取得 {}・喪失 {}・被扶養者の連動喪失 {}）、オンライン資格確認 登録待ち {} 件、資格確認書・お知らせ {} 件",
                        yen(s.events as i64),
                        yen(s.acquired as i64),
                        yen(s.lost as i64),
                        yen(s.dependants_lost_with_member as i64),
                        yen(s.outbox as i64),
                        yen(s.certificates as i64)
                    );
                    (None, None, None, line)
                })
            }
            ImportKind::Kenin => {
                let today = chrono::Local::now().date_naive();
                app.kenin_answers(&ctx, &name, &bytes, today).await.map(|(answers, refused, documents)| {
                    let line = format!("検認の回答 {answers} 件: 不認定 {refused}・書類不足 {documents}（不認定の削除は検認の画面から）");
                    (None, None, None, line)
                })
            }
            ImportKind::PayFiling => app.import_pay_filing(&ctx, &name, &bytes, None).await.map(|s| {
                let line = format!(
                    "報酬の届書: 決定・改定 {} 件、改定なし {} 件、定時決定の対象外 {} 件、賞与 {} 件（各行の理由は標準報酬の決定通知書に）",
                    yen(s.determinations as i64),
                    yen(s.not_revised as i64),
                    yen(s.excluded as i64),
                    yen(s.bonuses as i64)
                );
                (None, None, None, line)
            }),
            ImportKind::Payments => app.import_payments(&ctx, &name, &bytes).await.map(|s| {
                let line = format!("入金 {} 件、{} 円を記録しました（消込は保険料の画面で）", yen(s.payments as i64), yen(s.amount));
                (None, None, None, line)
            }),
        };
        let mut jobs = task_state.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, j)) = jobs.get_mut(&id) {
            match result {
                Ok((receipts, matched, unmatched, outcome)) => {
                    j.state = "done".into();
                    j.receipts = receipts;
                    j.matched = matched;
                    j.unmatched = unmatched;
                    j.outcome = Some(outcome);
                }
                Err(e) => {
                    j.state = "refused".into();
                    j.error = Some(match e {
                        AppError::Internal(_) => "the import failed; nothing was stored (see the server log)".into(),
                        other => other.to_string(),
                    });
                }
            }
        }
    });
    job
}

/// A job, if `owner` started it.
pub(crate) fn job_of(state: &ServerState, owner: i64, id: u64) -> Option<ImportJob> {
    let jobs = state.jobs.lock().unwrap_or_else(|p| p.into_inner());
    jobs.get(&id).filter(|(o, _)| *o == owner).map(|(_, j)| j.clone())
}
