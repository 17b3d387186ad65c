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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use sync_core::{NewBatch, SourceKind};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("events.sqlite3")).unwrap();
        (dir, store)
    }

    fn new_batch(npsn: &str) -> NewBatch {
        NewBatch {
            source: SourceKind::Mock,
            target: "http://127.0.0.1:1".into(),
            npsn: npsn.into(),
            max_attempts: 3,
        }
    }

    fn progress(batch_id: i64, function: &str, bytes: u64) -> WorkerEvent {
        WorkerEvent::Progress {
            batch_id,
            function: function.into(),
            bytes,
            rows: 0,
        }
    }

    #[test]
    fn coalescer_keeps_the_latest_of_each_batch_and_function() {
        let (_dir, store) = store();
        let pending = store.enqueue(&new_batch("20212345"), 1_000).unwrap();
        let running = store.claim_next(1_000).unwrap().unwrap();
        let mut c = Coalescer::default();
        assert!(c.is_empty());
        c.push(WorkerEvent::BatchChanged {
            batch: pending.clone(),
        });
        c.push(progress(running.id, "getSekolah", 10));
        c.push(progress(running.id, "getPesertaDidik", 100));
        c.push(progress(running.id, "getPesertaDidik", 5_000));
        c.push(WorkerEvent::BatchChanged {
            batch: running.clone(),
        });
        let update = c.take(|| panic!("no lag, no re-read"));
        assert_eq!(update.batches, vec![running.clone()]);
        assert_eq!(
            update.progress,
            vec![
                Progress {
                    batch_id: running.id,
                    function: "getPesertaDidik".into(),
                    bytes: 5_000,
                    rows: 0
                },
                Progress {
                    batch_id: running.id,
                    function: "getSekolah".into(),
                    bytes: 10,
                    rows: 0
                },
            ]
        );
        assert!(c.is_empty());
    }

    #[tokio::test]
    async fn a_burst_of_events_becomes_few_updates_ending_in_the_latest_values() {
        let (_dir, store) = store();
        let batch = store.enqueue(&new_batch("20212345"), 1_000).unwrap();
        let (tx, rx) = broadcast::channel(10_000);
        let updates = Arc::new(Mutex::new(Vec::<SyncUpdate>::new()));
        let sink = updates.clone();
        let forwarder = tokio::spawn(forward(
            rx,
            store.clone(),
            Duration::from_millis(150),
            move |u| sink.lock().unwrap().push(u),
        ));
        let started = std::time::Instant::now();
        for i in 1..=2_000u64 {
            tx.send(progress(batch.id, "getPesertaDidik", i)).unwrap();
            if i % 200 == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        tx.send(WorkerEvent::BatchChanged {
            batch: batch.clone(),
        })
        .unwrap();
        let elapsed = started.elapsed();
        drop(tx);
        forwarder.await.unwrap();

        let updates = updates.lock().unwrap();
        // At most one update per 150 ms window (plus the first, which goes out at once).
        let max = (elapsed.as_millis() / 150) as usize + 2;
        assert!(
            updates.len() <= max,
            "{} updates in {elapsed:?}",
            updates.len()
        );
        assert!(!updates.is_empty());
        let last_progress = updates
            .iter()
            .rev()
            .find_map(|u| u.progress.last())
            .unwrap();
        assert_eq!(last_progress.bytes, 2_000);
        assert_eq!(updates.last().unwrap().batches, vec![batch]);
    }

    #[tokio::test]
    async fn after_a_lag_the_update_carries_the_batches_from_the_store() {
        let (_dir, store) = store();
        let a = store.enqueue(&new_batch("20212345"), 1_000).unwrap();
        let b = store.enqueue(&new_batch("20299999"), 1_000).unwrap();
        let (tx, rx) = broadcast::channel(4);
        // Overflow the channel before the forwarder reads anything: the receiver lags.
        for i in 0..10 {
            tx.send(progress(a.id, "getGtk", i)).unwrap();
        }
        drop(tx);
        let updates = Arc::new(Mutex::new(Vec::<SyncUpdate>::new()));
        let sink = updates.clone();
        forward(rx, store.clone(), Duration::from_millis(10), move |u| {
            sink.lock().unwrap().push(u)
        })
        .await;
        let updates = updates.lock().unwrap();
        let ids: Vec<i64> = updates
            .iter()
            .flat_map(|u| u.batches.iter().map(|b| b.id))
            .collect();
        assert!(
            ids.contains(&a.id) && ids.contains(&b.id),
            "re-read batches: {ids:?}"
        );
        let last = updates
            .iter()
            .rev()
            .find_map(|u| u.progress.last())
            .unwrap();
        assert_eq!(last.bytes, 9);
    }
}
