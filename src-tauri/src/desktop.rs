//! Desktop behaviour across the app: one instance per user (a second launch focuses the first window —
//! two processes must never share one queue), the window's size and position remembered between runs,
//! desktop notifications when a sync ends or needs decisions (quietly skipped where no notification
//! service runs), and the log file in the log folder.

use crate::state::AppState;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use sync_core::worker::WorkerEvent;
use sync_core::{Batch, BatchStatus};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_window_state::{StateFlags, WindowExt};
use tokio::sync::broadcast::error::RecvError;

/// The log file inside the log folder.
pub const LOG_FILE: &str = "dapodik-sync-desktop.log";

/// What the window state remembers: size, position, maximised — not visibility (the window is shown
/// once it is placed).
pub fn window_state_flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// The window-state plugin: restoring is done by [`restore_window`] so that a first run still gets
/// the fitted, centred placement.
pub fn window_state_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(window_state_flags())
        .skip_initial_state("main")
        .build()
}

/// The single-instance plugin: a second launch focuses the running window and exits.
pub fn single_instance_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::init(|app, _args, _cwd| {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        tracing::info!("second launch: focused the running window");
    })
}

/// Restores the remembered size and position; `false` on a first run (nothing remembered).
pub fn restore_window(window: &tauri::WebviewWindow) -> bool {
    let remembered = window
        .app_handle()
        .path()
        .app_config_dir()
        .map(|d| d.join(tauri_plugin_window_state::DEFAULT_FILENAME))
        .ok()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|v| {
            v.get("main")
                .and_then(|m| m.get("width"))
                .and_then(|w| w.as_u64())
                .unwrap_or(0)
                > 0
        });
    if !remembered {
        return false;
    }
    match window.restore_state(window_state_flags()) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "restoring the window state failed");
            false
        }
    }
}

/// What one finished batch tells the operator, if anything: (title, body), in Bahasa Indonesia or
/// (`english`) English. A failure's own message comes from the core and is Indonesian.
pub fn notification_for(batch: &Batch, english: bool) -> Option<(String, String)> {
    let pick = |id: String, en: String| if english { en } else { id };
    match batch.status {
        BatchStatus::Succeeded => {
            let conflicts: u64 = batch.counts.values().map(|c| c.conflict).sum();
            let new: u64 = batch.counts.values().map(|c| c.new).sum();
            let total: u64 = batch.counts.values().map(|c| c.total()).sum();
            if conflicts > 0 {
                Some((
                    pick(
                        "Sinkronisasi selesai — perlu keputusan".into(),
                        "Sync finished — decisions needed".into(),
                    ),
                    pick(
                        format!("{total} data ditarik, {new} baru. {conflicts} konflik menunggu keputusan Anda di Rekonsiliasi."),
                        format!("{total} records pulled, {new} new. {conflicts} conflicts wait for your decision in Reconciliation."),
                    ),
                ))
            } else {
                Some((
                    pick("Sinkronisasi selesai".into(), "Sync finished".into()),
                    pick(
                        format!("{total} data ditarik, {new} baru. Tidak ada konflik."),
                        format!("{total} records pulled, {new} new. No conflicts."),
                    ),
                ))
            }
        }
        BatchStatus::Failed => Some((
            pick("Sinkronisasi gagal".into(), "Sync failed".into()),
            batch
                .error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| {
                    pick(
                        "Buka Dapodik Sync untuk melihat penyebabnya.".into(),
                        "Open Dapodik Sync to see why.".into(),
                    )
                }),
        )),
        _ => None,
    }
}

/// Sends a desktop notification for every batch that ends (once per batch).
pub fn spawn_notifier(app: AppHandle) {
    let state = app.try_state::<AppState>();
    let Some(AppState::Ready(ready)) = state.as_deref() else {
        return;
    };
    let mut events = ready.worker.subscribe();
    let store = ready.store.clone();
    tauri::async_runtime::spawn(async move {
        let mut told = HashSet::new();
        loop {
            match events.recv().await {
                Ok(WorkerEvent::BatchChanged { batch }) => {
                    if !batch.status.is_terminal() || !told.insert(batch.id) {
                        continue;
                    }
                    let store = store.clone();
                    let english = tauri::async_runtime::spawn_blocking(move || {
                        store.preference(crate::preferences::LANGUAGE)
                    })
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten()
                    .is_some_and(|v| v == "en");
                    if let Some((title, body)) = notification_for(&batch, english) {
                        if let Err(e) = app.notification().builder().title(title).body(body).show()
                        {
                            tracing::debug!(error = %e, "no desktop notification");
                        }
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Everything after the state is managed: the stored schedule, the window, the notifier.
pub fn after_start(app: &tauri::App) {
    if let Some(AppState::Ready(ready)) = app.try_state::<AppState>().as_deref() {
        if let Err(e) = tauri::async_runtime::block_on(crate::preferences::apply_stored(ready)) {
            tracing::warn!(code = %e.code, "stored schedule not applied");
        }
    }
    spawn_notifier(app.handle().clone());
}

/// The log writer: stderr plus `<log folder>/dapodik-sync-desktop.log` (appended; created owner-only
/// on unix). Logs never hold a key, a token or personal data (see the crates' logging rules).
#[derive(Clone)]
pub struct LogWriter {
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl LogWriter {
    pub fn to_folder(dir: &std::path::Path) -> LogWriter {
        let file = std::fs::create_dir_all(dir).ok().and_then(|_| {
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            options.open(dir.join(LOG_FILE)).ok()
        });
        LogWriter {
            file: file.map(|f| Arc::new(Mutex::new(f))),
        }
    }

    pub fn path(dir: &std::path::Path) -> PathBuf {
        dir.join(LOG_FILE)
    }
}

pub struct LogLine {
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        if let Some(file) = &self.file {
            if let Ok(mut f) = file.lock() {
                let _ = f.write_all(buf);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogLine;

    fn make_writer(&'a self) -> LogLine {
        LogLine {
            file: self.file.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_core::{empty_counts, BatchError, SourceKind};

    fn batch(status: BatchStatus) -> Batch {
        let mut counts = empty_counts();
        counts.get_mut("peserta_didik").unwrap().new = 30;
        counts.get_mut("gtk").unwrap().conflict = 2;
        Batch {
            id: 1,
            source: SourceKind::Mock,
            target: "http://127.0.0.1:1".into(),
            npsn: "20212345".into(),
            status,
            attempts: 1,
            max_attempts: 3,
            next_attempt_at: None,
            error: (status == BatchStatus::Failed).then(|| {
                BatchError::new(
                    "dapodik_unreachable",
                    "PC Dapodik tidak dapat dihubungi.",
                    true,
                )
            }),
            created_at: 0,
            started_at: Some(0),
            finished_at: Some(1),
            counts,
            notes: vec![],
            semester_id: None,
        }
    }

    #[test]
    fn notifications_say_what_ended_and_what_waits() {
        let (title, body) = notification_for(&batch(BatchStatus::Succeeded), false).unwrap();
        assert!(title.contains("perlu keputusan"), "{title}");
        assert!(
            body.contains("2 konflik") && body.contains("30 baru"),
            "{body}"
        );
        let (title, body) = notification_for(&batch(BatchStatus::Succeeded), true).unwrap();
        assert_eq!(title, "Sync finished — decisions needed");
        assert!(body.contains("2 conflicts"), "{body}");
        let (title, body) = notification_for(&batch(BatchStatus::Failed), false).unwrap();
        assert_eq!(title, "Sinkronisasi gagal");
        assert!(body.contains("tidak dapat dihubungi"));
        assert!(notification_for(&batch(BatchStatus::Running), false).is_none());
        assert!(notification_for(&batch(BatchStatus::Cancelled), true).is_none());
    }

    #[test]
    fn the_log_writer_appends_to_the_log_file() {
        use tracing_subscriber::fmt::MakeWriter;
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let writer = LogWriter::to_folder(&logs);
        writer.make_writer().write_all(b"line one\n").unwrap();
        writer.make_writer().write_all(b"line two\n").unwrap();
        let text = std::fs::read_to_string(LogWriter::path(&logs)).unwrap();
        assert_eq!(text, "line one\nline two\n");
    }
}
