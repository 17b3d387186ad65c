//! Worker events → the window, coalesced. The worker may emit many progress events per second; the
//! window gets at most one `sync:update` every [`EMIT_INTERVAL`]: the latest state of every batch that
//! changed and the latest progress per (batch, function). If the forwarder falls behind the broadcast
//! channel (lag), it re-reads the recent batches from the store so the UI never misses a change.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use sync_core::worker::WorkerEvent;
use sync_core::{Batch, Store};
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::{self, error::RecvError};

pub const SYNC_UPDATE_EVENT: &str = "sync:update";
pub const EMIT_INTERVAL: Duration = Duration::from_millis(150);
/// Batches re-read after a lag.
const RESYNC_BATCHES: usize = 200;

/// Latest progress of one Web Service function of a running batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub batch_id: i64,
    pub function: String,
    pub bytes: u64,
    pub rows: u64,
}

/// The payload of one `sync:update` event.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncUpdate {
    pub batches: Vec<Batch>,
    pub progress: Vec<Progress>,
}

/// Accumulates worker events between two emits, keeping only the latest of each.
#[derive(Debug, Default)]
pub struct Coalescer {
    batches: BTreeMap<i64, Batch>,
    progress: BTreeMap<(i64, String), Progress>,
    lagged: bool,
}

impl Coalescer {
    pub fn push(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::BatchChanged { batch } => {
                self.batches.insert(batch.id, batch);
            }
            WorkerEvent::Progress {
                batch_id,
                function,
                bytes,
                rows,
            } => {
                self.progress.insert(
                    (batch_id, function.clone()),
                    Progress {
                        batch_id,
                        function,
                        bytes,
                        rows,
                    },
                );
            }
        }
    }

    /// Events were lost: the next update must carry the store's view of the batches.
    pub fn mark_lagged(&mut self) {
        self.lagged = true;
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty() && self.progress.is_empty() && !self.lagged
    }

    /// The update to emit; `reread` supplies the batches after a lag. Leaves the coalescer empty.
    pub fn take(&mut self, reread: impl FnOnce() -> Vec<Batch>) -> SyncUpdate {
        if std::mem::take(&mut self.lagged) {
            for batch in reread() {
                self.batches.insert(batch.id, batch);
            }
        }
        SyncUpdate {
            batches: std::mem::take(&mut self.batches).into_values().collect(),
            progress: std::mem::take(&mut self.progress).into_values().collect(),
        }
    }
}

/// Drains `events` until the channel closes, handing each coalesced update to `emit` at most every
/// `interval`.
pub async fn forward(
    mut events: broadcast::Receiver<WorkerEvent>,
    store: Store,
    interval: Duration,
    mut emit: impl FnMut(SyncUpdate),
) {
    let mut pending = Coalescer::default();
    let mut last_emit = tokio::time::Instant::now() - interval;
    loop {
        // Wait for something to say.
        match events.recv().await {
            Ok(event) => pending.push(event),
            Err(RecvError::Lagged(n)) => {
                tracing::debug!(skipped = n, "event forwarder lagged; re-reading batches");
                pending.mark_lagged();
            }
            Err(RecvError::Closed) => break,
        }
        // Gather more until the window is due.
        let due = last_emit + interval;
        let mut closed = false;
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(event) => pending.push(event),
                    Err(RecvError::Lagged(_)) => pending.mark_lagged(),
                    Err(RecvError::Closed) => { closed = true; break; }
                },
                _ = tokio::time::sleep_until(due) => break,
            }
        }
        if !pending.is_empty() {
            let store = store.clone();
            let update = pending.take(move || store.batches(RESYNC_BATCHES).unwrap_or_default());
            emit(update);
            last_emit = tokio::time::Instant::now();
        }
        if closed {
            break;
        }
    }
}

/// Starts forwarding the worker's events to the main window.
pub fn spawn_forwarder(app: AppHandle, events: broadcast::Receiver<WorkerEvent>, store: Store) {
    tauri::async_runtime::spawn(forward(events, store, EMIT_INTERVAL, move |update| {
        if let Err(e) = app.emit_to("main", SYNC_UPDATE_EVENT, update) {
            tracing::warn!(error = %e, "could not emit sync update");
        }
    }));
}
