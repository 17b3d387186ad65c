//! Beranda: what the first screen shows besides the batches the window already holds — the active
//! connection and its last check, the schedule, the next retry, and the decisions waiting in the
//! newest staged batch.

use crate::connection::{current_profile, on_store};
use crate::error::CommandError;
use crate::state::AppState;
use serde::Serialize;
use sync_core::storage::{ConnectionCheck, DecisionsWaiting, ProfileKind};
use tauri::State;

/// The active connection as Beranda shows it (never a key).
#[derive(Debug, Clone, Serialize)]
pub struct ActiveConnection {
    /// `"demo"` or `"real"`.
    pub mode: &'static str,
    /// The profile's name; `None` for the environment's connection or the built-in demo.
    pub profile_name: Option<String>,
    pub profile_id: Option<i64>,
    pub kind: Option<ProfileKind>,
    /// The Web Service address (no key).
    pub target: String,
    pub npsn: String,
    pub last_check: Option<ConnectionCheck>,
    /// From `DAPODIK_SYNC_URL` and friends.
    pub from_environment: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub connection: ActiveConnection,
    pub schedule_minutes: Option<u32>,
    /// Unix ms of the next automatic sync.
    pub next_scheduled_at: Option<i64>,
    /// Unix ms of the next automatic retry of a waiting batch.
    pub next_retry_at: Option<i64>,
    /// Of the newest staged batch.
    pub decisions: Option<DecisionsWaiting>,
}

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Result<Dashboard, CommandError> {
    let ready = state.ready()?;
    let (profile, active) = current_profile(ready).await?;
    let prefs = crate::preferences::read(ready).await?;
    let (next_retry_at, decisions) = on_store(ready, |s| {
        let decisions = match s.staging_latest_batch()? {
            Some(id) => Some(s.decisions_waiting(id)?),
            None => None,
        };
        Ok((s.next_due_at()?, decisions))
    })
    .await?;
    Ok(Dashboard {
        connection: ActiveConnection {
            mode: profile.mode.as_str(),
            profile_name: active.as_ref().map(|p| p.name.clone()),
            profile_id: active.as_ref().map(|p| p.id),
            kind: active.as_ref().map(|p| p.kind),
            target: profile.target.clone(),
            npsn: profile.npsn.clone(),
            last_check: active.and_then(|p| p.last_check),
            from_environment: ready.profile.mode == crate::state::Mode::Real,
        },
        schedule_minutes: prefs.schedule_minutes,
        next_scheduled_at: ready.worker.next_scheduled_at(),
        next_retry_at,
        decisions,
    })
}
