//! The commands the window may invoke. Each is a one-liner into sync-core; database work runs on a
//! blocking thread so the UI's IPC never waits on SQLite in the async runtime.

use crate::error::CommandError;
use crate::state::{on_store, AppState};
use serde::Serialize;
use sync_core::{Attempt, Batch, StagingPage, StagingQuery, StagingRow};
use tauri::State;

/// What the header shows.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    /// `"demo"` (simulated Dapodik) or `"real"`.
    pub mode: &'static str,
    pub npsn: String,
    /// From the newest staged `sekolah` record; `null` before the first successful sync.
    pub school_name: Option<String>,
    pub db_path: String,
    pub version: &'static str,
    /// False when `DAPODIK_SYNC_ENABLED=false` or mode disabled: batches are recorded but not run.
    pub sync_enabled: bool,
}

/// Runs `f` with the store on a blocking thread.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    let ready = state.ready()?;
    let (profile, _) = crate::connection::current_profile(ready).await?;
    let school_name = on_store(ready, crate::state::latest_school_name).await?;
    let demo_school = ready
        .demo
        .as_ref()
        .filter(|_| profile.mode == crate::state::Mode::Demo)
        .map(|d| d.school_name().to_string());
    Ok(AppInfo {
        mode: profile.mode.as_str(),
        npsn: profile.npsn.clone(),
        school_name: school_name.or(demo_school),
        db_path: ready.store.path().display().to_string(),
        version: env!("CARGO_PKG_VERSION"),
        sync_enabled: ready.worker.settings().claims_batches(),
    })
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<Batch, CommandError> {
    let ready = state.ready()?;
    // The active connection (environment, else the active profile, else the demo) — checked first:
    // a saved key, and a signed-in operator of this school when SSO SDS is configured.
    let (profile, active) = crate::connection::current_profile(ready).await?;
    if let Some(active) = &active {
        crate::connection::check_can_sync(active).await?;
    }
    let mut batch = profile.new_batch(ready.worker.settings());
    batch.max_attempts = crate::preferences::max_attempts(ready).await?;
    Ok(ready.worker.enqueue(batch).await?)
}

#[tauri::command]
pub async fn cancel_batch(state: State<'_, AppState>, id: i64) -> Result<Batch, CommandError> {
    Ok(state.ready()?.worker.cancel(id).await?)
}

#[tauri::command]
pub async fn retry_batch(state: State<'_, AppState>, id: i64) -> Result<Batch, CommandError> {
    Ok(state.ready()?.worker.retry(id).await?)
}

#[tauri::command]
pub async fn list_batches(state: State<'_, AppState>) -> Result<Vec<Batch>, CommandError> {
    on_store(state.ready()?, |s| s.batches(200)).await
}

#[tauri::command]
pub async fn batch_attempts(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Vec<Attempt>, CommandError> {
    on_store(state.ready()?, move |s| s.attempts(id)).await
}

#[tauri::command]
pub async fn staging_page(
    state: State<'_, AppState>,
    query: StagingQuery,
) -> Result<StagingPage, CommandError> {
    on_store(state.ready()?, move |s| s.staging_page(&query)).await
}

#[tauri::command]
pub async fn staging_row(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Option<StagingRow>, CommandError> {
    on_store(state.ready()?, move |s| s.staging_row(id)).await
}
