//! What the app holds while it runs: the store, the worker, the active profile (demo or real) — or,
//! when starting failed (e.g. a database from a newer version), the error every command reports.

use crate::demo::Demo;
use crate::error::CommandError;
use dapodik_webservice::Entity;
use sync_core::settings::Settings;
use sync_core::worker::WorkerHandle;
use sync_core::{NewBatch, SourceKind, StagingQuery, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Demo,
    Real,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Demo => "demo",
            Mode::Real => "real",
        }
    }
}

/// The school this app syncs and where from. `target` never contains a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub mode: Mode,
    pub source: SourceKind,
    pub target: String,
    pub npsn: String,
}

impl Profile {
    /// The batch "Sinkronkan sekarang" enqueues.
    pub fn new_batch(&self, settings: &Settings) -> NewBatch {
        NewBatch {
            source: self.source,
            target: self.target.clone(),
            npsn: self.npsn.clone(),
            max_attempts: settings.max_attempts,
        }
    }
}

pub struct Ready {
    pub store: Store,
    pub worker: WorkerHandle,
    pub profile: Profile,
    pub demo: Option<Demo>,
}

pub enum AppState {
    Ready(Box<Ready>),
    Failed(CommandError),
}

impl AppState {
    pub fn ready(&self) -> Result<&Ready, CommandError> {
        match self {
            AppState::Ready(r) => Ok(r),
            AppState::Failed(e) => Err(e.clone()),
        }
    }
}

/// The school's name from the newest staged `sekolah` record.
pub fn latest_school_name(store: &Store) -> Result<Option<String>, StoreError> {
    let Some(batch_id) = store.staging_latest_batch()? else {
        return Ok(None);
    };
    let page = store.staging_page(&StagingQuery {
        batch_id: Some(batch_id),
        entity: Some(Entity::Sekolah),
        limit: 1,
        ..Default::default()
    })?;
    Ok(page
        .rows
        .into_iter()
        .next()
        .map(|r| r.label)
        .filter(|l| !l.trim().is_empty()))
}

/// Now, in Unix milliseconds (the database's time unit).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Runs `f` with the store on a blocking thread; a store error crosses as `{code, message}`.
pub(crate) async fn on_store<T: Send + 'static>(
    ready: &Ready,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, CommandError> {
    let store = ready.store.clone();
    tauri::async_runtime::spawn_blocking(move || f(&store))
        .await
        .map_err(CommandError::internal)?
        .map_err(CommandError::from)
}
