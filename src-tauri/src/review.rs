//! Commands of the review screens: Rekonsiliasi (staging detail, decisions, apply), Data Sekolah (the
//! register and its history, local edits), Log Aktivitas (the audit log) and Export (xlsx/CSV with a
//! save dialog). One-liners into sync-core and register-export, run on a blocking thread.
//!
//! `DAPODIK_SYNC_EXPORT_DIR` (TEST-ONLY, used by the WebDriver e2e test): when set, exports are written
//! into that folder under their default file name without showing the save dialog.

use crate::error::CommandError;
use crate::state::{now_ms, on_store, AppState};
use dapodik_webservice::Entity;
use register_export::{ExportFormat, ExportReport, StagingExport};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use sync_core::reconcile::{current_actor, FieldChange, FieldChoice};
use sync_core::storage::{
    ApplyReport, ApplyRequest, AuditPage, AuditSearch, RegisterPage, RegisterQuery, RegisterView,
    StagingDetail,
};
use sync_core::StagingStatus;
use tauri::State;

#[tauri::command]
pub async fn staging_detail(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Option<StagingDetail>, CommandError> {
    on_store(state.ready()?, move |s| s.staging_detail(id)).await
}

#[tauri::command]
pub async fn accept_row(
    state: State<'_, AppState>,
    id: i64,
) -> Result<StagingDetail, CommandError> {
    on_store(state.ready()?, move |s| {
        s.accept_row(id, &current_actor(), now_ms())
    })
    .await
}

#[tauri::command]
pub async fn reject_row(
    state: State<'_, AppState>,
    id: i64,
) -> Result<StagingDetail, CommandError> {
    on_store(state.ready()?, move |s| {
        s.reject_row(id, &current_actor(), now_ms())
    })
    .await
}

/// `field` None: the choice applies to every differing field (or to a removal row).
#[tauri::command]
pub async fn resolve_row(
    state: State<'_, AppState>,
    id: i64,
    field: Option<String>,
    choice: FieldChoice,
) -> Result<StagingDetail, CommandError> {
    on_store(state.ready()?, move |s| {
        s.resolve(id, field.as_deref(), choice, &current_actor(), now_ms())
    })
    .await
}

/// Accepts every undecided row of `status` (NEW, or conflict-free MATCHED) in the batch.
#[tauri::command]
pub async fn bulk_accept(
    state: State<'_, AppState>,
    batch_id: i64,
    status: StagingStatus,
) -> Result<usize, CommandError> {
    on_store(state.ready()?, move |s| {
        s.bulk_accept(batch_id, status, &current_actor(), now_ms())
    })
    .await
}

/// Applies the accepted/resolved rows plus NEW and conflict-free MATCHED rows (no network needed).
#[tauri::command]
pub async fn apply_staging(
    state: State<'_, AppState>,
    batch_id: Option<i64>,
    statuses: Option<Vec<StagingStatus>>,
) -> Result<ApplyReport, CommandError> {
    on_store(state.ready()?, move |s| {
        s.apply(
            &ApplyRequest { batch_id, statuses },
            &current_actor(),
            now_ms(),
        )
    })
    .await
}

#[tauri::command]
pub async fn register_page(
    state: State<'_, AppState>,
    query: RegisterQuery,
) -> Result<RegisterPage, CommandError> {
    on_store(state.ready()?, move |s| s.register_page(&query)).await
}

#[tauri::command]
pub async fn register_view(
    state: State<'_, AppState>,
    entity: Entity,
    dapodik_id: String,
) -> Result<Option<RegisterView>, CommandError> {
    on_store(state.ready()?, move |s| {
        s.register_view(entity, &dapodik_id)
    })
    .await
}

/// A local edit of one field of a register record (audited as `edit`).
#[tauri::command]
pub async fn edit_register(
    state: State<'_, AppState>,
    entity: Entity,
    dapodik_id: String,
    field: String,
    value: serde_json::Value,
) -> Result<FieldChange, CommandError> {
    on_store(state.ready()?, move |s| {
        s.edit_register(
            entity,
            &dapodik_id,
            &field,
            value,
            &current_actor(),
            now_ms(),
        )
    })
    .await
}

#[tauri::command]
pub async fn audit_search(
    state: State<'_, AppState>,
    filter: AuditSearch,
) -> Result<AuditPage, CommandError> {
    on_store(state.ready()?, move |s| s.audit_search(&filter)).await
}

#[tauri::command]
pub async fn audit_fields(state: State<'_, AppState>) -> Result<Vec<String>, CommandError> {
    on_store(state.ready()?, |s| s.audit_fields()).await
}

/// What to export.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum ExportTarget {
    Register {
        entity: Entity,
        #[serde(default)]
        search: Option<String>,
    },
    Staging {
        #[serde(flatten)]
        filter: StagingExport,
    },
}

impl ExportTarget {
    fn file_stem(&self) -> String {
        match self {
            ExportTarget::Register { entity, .. } => {
                format!("data-sekolah-{}", entity.as_str().replace('_', "-"))
            }
            ExportTarget::Staging { filter } => match filter.batch_id {
                Some(b) => format!("rekonsiliasi-batch-{b}"),
                None => "rekonsiliasi".to_string(),
            },
        }
    }
}

/// The result of an export: `null` when the operator cancelled the save dialog.
#[derive(Debug, Clone, Serialize)]
pub struct ExportDone {
    pub path: String,
    pub rows: usize,
    pub format: ExportFormat,
}

/// Exports the register or staging to xlsx/CSV: asks where to save (or, test-only, writes into
/// `DAPODIK_SYNC_EXPORT_DIR`), then writes on a blocking thread.
#[tauri::command]
pub async fn export_data(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    target: ExportTarget,
    format: ExportFormat,
) -> Result<Option<ExportDone>, CommandError> {
    let ready = state.ready()?;
    let name = format!("{}.{}", target.file_stem(), format.extension());
    let path = match std::env::var_os("DAPODIK_SYNC_EXPORT_DIR") {
        Some(dir) => Some(PathBuf::from(dir).join(&name)),
        None => save_dialog(&app, &name, format).await?,
    };
    let Some(path) = path else {
        return Ok(None);
    };
    let store = ready.store.clone();
    let report: ExportReport = tauri::async_runtime::spawn_blocking(move || match target {
        ExportTarget::Register { entity, search } => {
            register_export::export_register(&store, entity, search.as_deref(), format, &path)
        }
        ExportTarget::Staging { filter } => {
            register_export::export_staging(&store, &filter, format, &path)
        }
    })
    .await
    .map_err(CommandError::internal)?
    .map_err(|e| {
        tracing::warn!(code = e.code(), "export failed");
        CommandError::new(e.code(), e.message_id())
    })?;
    Ok(Some(ExportDone {
        path: report.path.display().to_string(),
        rows: report.rows,
        format: report.format,
    }))
}

async fn save_dialog(
    app: &tauri::AppHandle,
    name: &str,
    format: ExportFormat,
) -> Result<Option<PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let filter = match format {
        ExportFormat::Xlsx => ("Excel", ["xlsx"]),
        ExportFormat::Csv => ("CSV", ["csv"]),
    };
    app.dialog()
        .file()
        .set_title("Simpan ekspor")
        .set_file_name(name)
        .add_filter(filter.0, &filter.1)
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let chosen = rx.await.map_err(CommandError::internal)?;
    match chosen {
        None => Ok(None),
        Some(p) => p.into_path().map(Some).map_err(|_| {
            CommandError::new(
                "export_failed",
                "Lokasi penyimpanan tidak dapat digunakan. Pilih folder lain.",
            )
        }),
    }
}

/// What the demo's "next semester" changed (ids only, no personal data).
#[derive(Debug, Clone, Serialize)]
pub struct DemoSemester {
    pub semester_id: String,
    pub new_students: Vec<String>,
    pub moved_students: Vec<String>,
    pub corrected_names: Vec<String>,
    pub leavers: Vec<String>,
    pub new_gtk: Vec<String>,
    pub gtk_leavers: Vec<String>,
}

/// Demo mode only: advances the simulated Dapodik to the next semester so the next sync brings
/// changes (transfers, class moves, corrected names, leavers).
#[tauri::command]
pub async fn demo_next_semester(state: State<'_, AppState>) -> Result<DemoSemester, CommandError> {
    let ready = state.ready()?;
    let Some(demo) = ready.demo.as_ref() else {
        return Err(CommandError::new(
            "demo_only",
            "Perintah ini hanya tersedia dalam Mode Demo.",
        ));
    };
    let c = demo.next_semester();
    Ok(DemoSemester {
        semester_id: c.semester_id,
        new_students: c.new_students,
        moved_students: c.moved_students,
        corrected_names: c.corrected_names,
        leavers: c.leavers,
        new_gtk: c.new_gtk,
        gtk_leavers: c.gtk_leavers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_targets_from_the_window_deserialise_with_their_file_names() {
        let register: ExportTarget = serde_json::from_value(serde_json::json!({
            "what": "register", "entity": "peserta_didik", "search": null
        }))
        .unwrap();
        assert_eq!(register.file_stem(), "data-sekolah-peserta-didik");
        let staging: ExportTarget = serde_json::from_value(serde_json::json!({
            "what": "staging", "batch_id": 7, "entity": null, "status": "CONFLICT", "search": "budi"
        }))
        .unwrap();
        let ExportTarget::Staging { filter } = &staging else {
            panic!("staging target");
        };
        assert_eq!(filter.batch_id, Some(7));
        assert_eq!(filter.status, Some(StagingStatus::Conflict));
        assert_eq!(filter.search.as_deref(), Some("budi"));
        assert_eq!(staging.file_stem(), "rekonsiliasi-batch-7");
        let latest: ExportTarget =
            serde_json::from_value(serde_json::json!({"what": "staging"})).unwrap();
        assert_eq!(latest.file_stem(), "rekonsiliasi");
        assert!(
            serde_json::from_value::<ExportTarget>(serde_json::json!({"what": "other"})).is_err()
        );
    }

    #[test]
    fn field_choices_from_the_window_deserialise() {
        let c: FieldChoice =
            serde_json::from_value(serde_json::json!({"take": "dapodik"})).unwrap();
        assert_eq!(c, FieldChoice::Dapodik);
        let c: FieldChoice =
            serde_json::from_value(serde_json::json!({"take": "value", "value": "JL. BARU"}))
                .unwrap();
        assert_eq!(
            c,
            FieldChoice::Value {
                value: serde_json::json!("JL. BARU")
            }
        );
    }
}
