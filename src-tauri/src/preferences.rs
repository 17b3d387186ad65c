//! Pengaturan → preferences kept in the database (`app_preference`): the language, the automatic
//! sync schedule (applied to the running worker at once), the maximum attempts of a batch, and the
//! data and log folders with "Buka folder" (opened from Rust by the opener plugin; the window itself
//! has no opener permission).
//!
//! A stored value wins over the environment's default (`DAPODIK_SYNC_SCHEDULE_MINUTES`,
//! `DAPODIK_SYNC_MAX_ATTEMPTS`); a schedule of 0 minutes means none.

use crate::connection::{now_ms, on_store};
use crate::error::CommandError;
use crate::state::{AppState, Ready};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

pub const LANGUAGE: &str = "language";
pub const SCHEDULE_MINUTES: &str = "schedule_minutes";
pub const MAX_ATTEMPTS: &str = "max_attempts";

/// Allowed maximum attempts per batch.
pub const MAX_ATTEMPTS_RANGE: std::ops::RangeInclusive<u32> = 1..=20;
/// Allowed schedule, in minutes (0 = none).
pub const SCHEDULE_RANGE: std::ops::RangeInclusive<u32> = 0..=1440;

#[derive(Debug, Clone, Serialize)]
pub struct Preferences {
    /// `"id"` or `"en"`.
    pub language: String,
    /// `None`: no automatic sync.
    pub schedule_minutes: Option<u32>,
    pub max_attempts: u32,
    pub data_dir: String,
    pub log_dir: String,
}

fn as_u32(v: Option<Value>) -> Option<u32> {
    v.and_then(|v| v.as_u64())
        .and_then(|n| u32::try_from(n).ok())
}

/// The log folder: `DAPODIK_SYNC_DATA_DIR`'s or the per-user default (`sync_core::paths`).
pub fn log_dir() -> PathBuf {
    sync_core::paths::default_log_dir()
        .unwrap_or_else(|_| std::env::temp_dir().join("dapodik-sync-logs"))
}

fn data_dir(ready: &Ready) -> PathBuf {
    ready
        .store
        .path()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub async fn read(ready: &Ready) -> Result<Preferences, CommandError> {
    let (language, schedule, attempts) = on_store(ready, |s| {
        Ok((
            s.preference(LANGUAGE)?,
            s.preference(SCHEDULE_MINUTES)?,
            s.preference(MAX_ATTEMPTS)?,
        ))
    })
    .await?;
    let settings = ready.worker.settings();
    Ok(Preferences {
        language: language
            .and_then(|v| v.as_str().map(String::from))
            .filter(|l| l == "id" || l == "en")
            .unwrap_or_else(|| "id".into()),
        schedule_minutes: match as_u32(schedule) {
            Some(0) => None,
            Some(n) => Some(n),
            None => settings.schedule_minutes,
        },
        max_attempts: as_u32(attempts).unwrap_or(settings.max_attempts),
        data_dir: data_dir(ready).display().to_string(),
        log_dir: log_dir().display().to_string(),
    })
}

/// Applies the stored schedule to the running worker (at start).
pub async fn apply_stored(ready: &Ready) -> Result<(), CommandError> {
    let prefs = read(ready).await?;
    ready.worker.set_schedule(
        prefs
            .schedule_minutes
            .map(|m| Duration::from_secs(u64::from(m) * 60)),
    );
    Ok(())
}

#[tauri::command]
pub async fn get_preferences(state: State<'_, AppState>) -> Result<Preferences, CommandError> {
    read(state.ready()?).await
}

/// What Pengaturan may change; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreferencesUpdate {
    pub language: Option<String>,
    /// 0: no automatic sync.
    pub schedule_minutes: Option<u32>,
    pub max_attempts: Option<u32>,
}

#[tauri::command]
pub async fn set_preferences(
    state: State<'_, AppState>,
    update: PreferencesUpdate,
) -> Result<Preferences, CommandError> {
    let ready = state.ready()?;
    if let Some(l) = &update.language {
        if l != "id" && l != "en" {
            return Err(CommandError::new("refused", "Bahasa harus id atau en."));
        }
    }
    if let Some(m) = update.schedule_minutes {
        if !SCHEDULE_RANGE.contains(&m) {
            return Err(CommandError::new(
                "refused",
                "Jadwal sinkronisasi otomatis harus 0 (mati) sampai 1440 menit.",
            ));
        }
    }
    if let Some(n) = update.max_attempts {
        if !MAX_ATTEMPTS_RANGE.contains(&n) {
            return Err(CommandError::new(
                "refused",
                "Jumlah percobaan maksimum harus 1 sampai 20.",
            ));
        }
    }
    let u = update.clone();
    on_store(ready, move |s| {
        let now = now_ms();
        if let Some(l) = u.language {
            s.set_preference(LANGUAGE, &Value::from(l), now)?;
        }
        if let Some(m) = u.schedule_minutes {
            s.set_preference(SCHEDULE_MINUTES, &Value::from(m), now)?;
        }
        if let Some(n) = u.max_attempts {
            s.set_preference(MAX_ATTEMPTS, &Value::from(n), now)?;
        }
        Ok(())
    })
    .await?;
    if update.schedule_minutes.is_some() {
        apply_stored(ready).await?;
    }
    read(ready).await
}

/// "Buka folder": the data (`"data"`) or log (`"logs"`) folder in the file manager.
#[tauri::command]
pub async fn open_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    which: String,
) -> Result<(), CommandError> {
    let ready = state.ready()?;
    let dir = match which.as_str() {
        "data" => data_dir(ready),
        "logs" => log_dir(),
        _ => return Err(CommandError::new("refused", "Folder tidak dikenal.")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| CommandError::from(sync_core::StoreError::Io(e)))?;
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(error = %e, "opening a folder failed");
            CommandError::new(
                "open_failed",
                format!(
                    "Folder tidak dapat dibuka oleh pengelola berkas. Lokasinya: {}",
                    dir.display()
                ),
            )
        })
}

/// The maximum attempts a new batch gets.
pub async fn max_attempts(ready: &Ready) -> Result<u32, CommandError> {
    Ok(read(ready).await?.max_attempts)
}
