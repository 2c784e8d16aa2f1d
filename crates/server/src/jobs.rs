//! Import jobs: an upload is read in a background task whose progress the API (`GET
//! /api/v1/imports/{id}`) and the screens (`/imports/{id}`) report. Only the account that
//! started a job can see it; another account's job id answers "not found".

use crate::ServerState;
use crate::dto::ImportJob;
use kenpo_policy::AccessContext;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Starts importing one UKE file as `ctx`; returns the job as it stands (running).
pub(crate) fn start_receipt_import(
    state: &Arc<ServerState>,
    owner: i64,
    ctx: AccessContext,
    name: &str,
    bytes: Vec<u8>,
) -> ImportJob {
    let id = state.next_job.fetch_add(1, Ordering::Relaxed);
    let job = ImportJob {
        id,
        file_name: name.to_string(),
        state: "running".into(),
        receipts_read: 0,
        receipts: None,
        matched: None,
        unmatched: None,
        error: None,
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
        let result = task_state.app.import_receipt_bytes(&ctx, &name, bytes, &progress).await;
        let mut jobs = task_state.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, j)) = jobs.get_mut(&id) {
            match result {
                Ok(s) => {
                    j.state = "done".into();
                    j.receipts = Some(s.receipts);
                    j.matched = Some(s.matched);
                    j.unmatched = Some(s.unmatched);
                }
                Err(e) => {
                    j.state = "refused".into();
                    j.error = Some(match e {
                        kenpo_app::AppError::Internal(_) => {
                            "the import failed; nothing was stored (see the server log)".into()
                        }
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
