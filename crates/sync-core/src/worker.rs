//! The background worker: takes batches off the queue one at a time, pulls the school from its source,
//! stages the pull, and retries or fails per the queue's rules. Hosts (CLI, desktop shell) talk to it
//! through a [`WorkerHandle`] and listen to [`WorkerEvent`]s.
//!
//! **When it wakes.** On [`WorkerHandle::enqueue`] ("Sinkronkan sekarang"), cancel and retry; when the
//! earliest retry falls due ([`Store::next_due_at`]); on the optional schedule; and every
//! [`IDLE_POLL`] anyway (another process, e.g. the CLI, may share the database).
//!
//! **One batch.** Claim ([`Store::claim_next`], RUNNING, one attempt used) → resolve its source with the
//! host's [`SourceResolver`] → [`fetch_school`] (progress events, coalesced to at most one per
//! [`PROGRESS_INTERVAL`] per batch plus the last value) → [`Store::stage_pull`] on a blocking thread
//! (one transaction: SUCCEEDED with counts, or nothing) → [`WorkerEvent::BatchChanged`]. Any error goes
//! through [`Store::record_failure`] with [`Settings::backoff`]: retryable faults come back PENDING after
//! a delay, configuration faults (key not registered, wrong school, not configured, …) fail at once.
//! The worker imposes no deadline of its own: a slow-but-alive request is the HTTP client's business
//! (its read timeout), never the worker's.
//!
//! **Cancel.** [`WorkerHandle::cancel`] first moves the batch to CANCELLED in the database, then aborts
//! its in-flight pull (the fetch future is dropped; nothing has been written). If the pull already
//! finished and staging is underway, staging is one transaction that only commits a RUNNING batch: the
//! cancel either lands first (staging is refused and rolled back: CANCELLED, no staging rows) or waits
//! for the commit and is refused as too late (SUCCEEDED, all rows). Never half.
//!
//! **Disabled.** With `DAPODIK_SYNC_ENABLED=false` or mode Disabled ([`Settings::claims_batches`]) the
//! worker claims nothing and runs no schedule; enqueue still records batches, which stay PENDING.
//!
//! **Start and stop.** At start, batches left RUNNING by a crash are recovered
//! ([`Store::recover_interrupted`]). [`WorkerHandle::shutdown`] drops an in-flight pull (the batch stays
//! RUNNING and is recovered at the next start) but lets a staging transaction finish.
//!
//! The worker never panics on an error and logs only batch ids, codes and counts — never personal
//! data, keys or response bodies.

use crate::queue::{Batch, BatchError, BatchStatus, NewBatch};
use crate::settings::Settings;
use crate::storage::{StageError, Store, StoreError};
use dapodik_webservice::pull::fetch_school;
use dapodik_webservice::source::Source;
use dapodik_webservice::{Function, WsError};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;

/// Progress events of one batch are at most this frequent (plus the last value).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);
/// The worker looks at the queue at least this often even without a wake-up.
pub const IDLE_POLL: Duration = Duration::from_secs(30);
/// Pause after a database error in the loop, so a broken database does not spin the CPU.
const STORE_ERROR_PAUSE: Duration = Duration::from_secs(1);
/// Events buffered per subscriber before it lags (a lagging subscriber re-reads the store).
const EVENT_CAPACITY: usize = 1024;

/// How the worker turns a batch into a data source. The host decides: the CLI reads the key from an
/// environment variable, the app from the OS keychain, the demo starts an in-process simulator.
/// Keys live only inside the returned [`Source`]; the batch holds none.
pub trait SourceResolver: Send + Sync + 'static {
    /// The source for `batch`, or an error such as `not_configured` (fails the batch at once).
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError>;
}

impl<F> SourceResolver for F
where
    F: Fn(&Batch) -> Result<Source, WsError> + Send + Sync + 'static,
{
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        self(batch)
    }
}

/// What the worker tells its hosts. JSON: `{"kind": "batch_changed", "batch": {…}}` or
/// `{"kind": "progress", "batch_id": 7, "function": "getPesertaDidik", "bytes": 123456, "rows": 0}`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // a handful of events per batch: plain `Batch` keeps matching simple
pub enum WorkerEvent {
    /// A batch was enqueued, claimed, succeeded, failed, rescheduled, cancelled, retried or recovered.
    BatchChanged { batch: Batch },
    /// Bytes received so far of one function's response (the Web Service has no row count until the
    /// body is decoded, so `rows` is 0 while downloading).
    Progress {
        batch_id: i64,
        function: String,
        bytes: u64,
        rows: u64,
    },
}

/// The host's side of the worker. Cheap to clone.
#[derive(Clone)]
pub struct WorkerHandle {
    shared: Arc<Shared>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

struct Shared {
    store: Store,
    settings: Settings,
    resolver: Arc<dyn SourceResolver>,
    events: broadcast::Sender<WorkerEvent>,
    wake: Notify,
    stop: watch::Sender<bool>,
    in_flight: Mutex<Option<InFlight>>,
    /// The automatic sync interval; the host may change it while the worker runs.
    schedule: watch::Sender<Option<Duration>>,
    /// When the next scheduled sync is due (unix ms), as the loop last computed it.
    next_scheduled_at: Mutex<Option<i64>>,
}

struct InFlight {
    batch_id: i64,
    cancel: watch::Sender<bool>,
}

/// Starts the worker on the current tokio runtime (must be called inside one). The schedule comes from
/// [`Settings::schedule_interval`]. Interrupted batches are recovered first.
pub fn spawn_worker(
    store: Store,
    settings: Settings,
    resolver: Arc<dyn SourceResolver>,
) -> WorkerHandle {
    let schedule = settings.schedule_interval();
    spawn_worker_with_schedule(store, settings, resolver, schedule)
}

/// As [`spawn_worker`] with an explicit schedule interval instead of `settings.schedule_minutes`
/// (sub-minute cadences for tests and demos; `None` for no schedule).
pub fn spawn_worker_with_schedule(
    store: Store,
    settings: Settings,
    resolver: Arc<dyn SourceResolver>,
    schedule: Option<Duration>,
) -> WorkerHandle {
    let recovered = recover(&store);
    let (events, _) = broadcast::channel(EVENT_CAPACITY);
    let (stop, _) = watch::channel(false);
    let (schedule, _) = watch::channel(schedule);
    let shared = Arc::new(Shared {
        store,
        settings,
        resolver,
        events,
        wake: Notify::new(),
        stop,
        in_flight: Mutex::new(None),
        schedule,
        next_scheduled_at: Mutex::new(None),
    });
    let task = tokio::spawn(run(shared.clone(), recovered));
    WorkerHandle {
        shared,
        task: Arc::new(Mutex::new(Some(task))),
    }
}

impl WorkerHandle {
    /// "Sinkronkan sekarang": enqueue (idempotent: a PENDING batch for the same source, target and NPSN
    /// is returned instead of a new one) and wake the worker.
    pub async fn enqueue(&self, new: NewBatch) -> Result<Batch, StoreError> {
        let batch = on_store(&self.shared.store, move |s| s.enqueue(&new, now_ms())).await?;
        tracing::info!(
            batch_id = batch.id,
            source = batch.source.as_str(),
            "batch enqueued"
        );
        self.shared.emit(WorkerEvent::BatchChanged {
            batch: batch.clone(),
        });
        self.shared.wake.notify_one();
        Ok(batch)
    }

    /// Cancels a PENDING or RUNNING batch; a RUNNING batch's pull is aborted and nothing is staged.
    /// Refused (with the store's error) when the batch is already terminal — including a cancel that
    /// arrives while staging commits (the batch is then SUCCEEDED).
    pub async fn cancel(&self, batch_id: i64) -> Result<Batch, StoreError> {
        let batch = on_store(&self.shared.store, move |s| s.cancel(batch_id, now_ms())).await?;
        if let Ok(guard) = self.shared.in_flight.lock() {
            if let Some(in_flight) = guard.as_ref().filter(|f| f.batch_id == batch_id) {
                let _ = in_flight.cancel.send(true);
            }
        }
        tracing::info!(batch_id, "batch cancelled");
        self.shared.emit(WorkerEvent::BatchChanged {
            batch: batch.clone(),
        });
        self.shared.wake.notify_one();
        Ok(batch)
    }

    /// "Coba lagi": a FAILED or CANCELLED batch becomes PENDING, due now, attempts reset.
    pub async fn retry(&self, batch_id: i64) -> Result<Batch, StoreError> {
        let batch = on_store(&self.shared.store, move |s| s.retry(batch_id, now_ms())).await?;
        tracing::info!(batch_id, "batch retried");
        self.shared.emit(WorkerEvent::BatchChanged {
            batch: batch.clone(),
        });
        self.shared.wake.notify_one();
        Ok(batch)
    }

    /// Events from now on. A subscriber that falls more than 1024 events behind gets
    /// `RecvError::Lagged` and should re-read the store.
    pub fn subscribe(&self) -> broadcast::Receiver<WorkerEvent> {
        self.shared.events.subscribe()
    }

    /// Resolves when the batch is SUCCEEDED, FAILED or CANCELLED (retries in between are waited out).
    /// `NotFound` when there is no such batch. A worker that claims nothing
    /// (see [`Settings::claims_batches`]) never ends a PENDING batch: check that first.
    pub async fn wait_terminal(&self, batch_id: i64) -> Result<Batch, StoreError> {
        let mut events = self.subscribe();
        loop {
            let batch = on_store(&self.shared.store, move |s| s.batch(batch_id))
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("batch {batch_id}")))?;
            if batch.status.is_terminal() {
                return Ok(batch);
            }
            // Wait for news of this batch; re-read the store on lag and every second regardless
            // (another process may move the batch).
            let tick = tokio::time::sleep(Duration::from_secs(1));
            tokio::pin!(tick);
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(WorkerEvent::BatchChanged { batch }) if batch.id == batch_id => {
                            if batch.status.is_terminal() {
                                return Ok(batch);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    },
                    _ = &mut tick => break,
                }
            }
        }
    }

    /// Wakes the worker (e.g. after the host changed the queue through the [`Store`] directly).
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    pub fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    /// Changes the automatic sync interval (`None`: no schedule); the next scheduled sync is due one
    /// interval from now.
    pub fn set_schedule(&self, every: Option<Duration>) {
        self.shared.schedule.send_replace(every);
    }

    /// The current automatic sync interval.
    pub fn schedule(&self) -> Option<Duration> {
        *self.shared.schedule.borrow()
    }

    /// When the next scheduled sync is due (unix ms); `None` without a schedule or when the worker
    /// claims nothing.
    pub fn next_scheduled_at(&self) -> Option<i64> {
        self.shared
            .next_scheduled_at
            .lock()
            .map(|g| *g)
            .unwrap_or(None)
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Stops the worker and waits for it. An in-flight pull is dropped (its batch stays RUNNING and is
    /// recovered at the next start); a staging transaction in progress is allowed to finish.
    pub async fn shutdown(self) {
        let _ = self.shared.stop.send(true);
        self.shared.wake.notify_one();
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "worker task ended abnormally");
            }
        }
    }
}

impl Shared {
    fn emit(&self, event: WorkerEvent) {
        // No subscriber is fine.
        let _ = self.events.send(event);
    }

    fn publish_next_scheduled(&self, at: Option<Instant>) {
        let at_ms =
            at.map(|at| now_ms() + at.saturating_duration_since(Instant::now()).as_millis() as i64);
        match self.next_scheduled_at.lock() {
            Ok(mut guard) => *guard = at_ms,
            Err(poisoned) => *poisoned.into_inner() = at_ms,
        }
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    fn set_in_flight(&self, in_flight: Option<InFlight>) {
        match self.in_flight.lock() {
            Ok(mut guard) => *guard = in_flight,
            Err(poisoned) => *poisoned.into_inner() = in_flight,
        }
    }
}

/// Clears the in-flight registration however `run_batch` returns.
struct InFlightGuard<'a>(&'a Shared);

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.set_in_flight(None);
    }
}

/// Runs `f` on a blocking thread: the store's mutex may be held by a long staging transaction and
/// must not stall the async runtime.
async fn on_store<T, F>(store: &Store, f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = store.clone();
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(result) => result,
        Err(e) => Err(StoreError::Io(std::io::Error::other(format!(
            "database task failed: {e}"
        )))),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn run(shared: Arc<Shared>, recovered: Vec<i64>) {
    let mut stop = shared.stop.subscribe();
    let mut schedule_changes = shared.schedule.subscribe();
    let mut schedule = *schedule_changes.borrow_and_update();
    let claims = shared.settings.claims_batches();
    tracing::info!(
        claims,
        mode = shared.settings.mode.as_str(),
        "sync worker started"
    );

    announce_recovered(&shared, recovered).await;

    let mut next_scheduled = schedule.map(|every| Instant::now() + every);
    loop {
        shared.publish_next_scheduled(next_scheduled.filter(|_| claims));
        if shared.stopping() {
            break;
        }
        if claims {
            match on_store(&shared.store, |s| s.claim_next(now_ms())).await {
                Ok(Some(batch)) => {
                    run_batch(&shared, batch, &mut stop).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(code = e.code(), "claiming a batch failed; will try again");
                    pause(STORE_ERROR_PAUSE, &mut stop).await;
                    continue;
                }
            }
        }

        let mut wait = IDLE_POLL;
        if claims {
            match on_store(&shared.store, |s| s.next_due_at()).await {
                Ok(Some(due)) => {
                    let until = due.saturating_sub(now_ms());
                    // Due already yet nothing claimed (another process got it, or clocks): look again soon.
                    let until = if until <= 0 { 50 } else { until as u64 };
                    wait = wait.min(Duration::from_millis(until));
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(code = e.code(), "reading the next due batch failed"),
            }
        }
        if let Some(at) = next_scheduled {
            wait = wait.min(at.saturating_duration_since(Instant::now()));
        }

        tokio::select! {
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => break,
            changed = schedule_changes.changed() => {
                if changed.is_ok() {
                    schedule = *schedule_changes.borrow_and_update();
                    next_scheduled = schedule.map(|every| Instant::now() + every);
                    tracing::info!(minutes = schedule.map(|d| d.as_secs() / 60), "sync schedule changed");
                    continue;
                }
            }
        }

        if let (Some(at), Some(every)) = (next_scheduled, schedule) {
            if Instant::now() >= at {
                if claims {
                    enqueue_scheduled(&shared).await;
                }
                next_scheduled = Some(Instant::now() + every);
            }
        }
    }
    tracing::info!("sync worker stopped");
}

/// Sleeps unless asked to stop.
async fn pause(duration: Duration, stop: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = stop.wait_for(|s| *s) => {}
    }
}

/// Recovers batches left RUNNING by a previous stop. Called synchronously before the worker task starts,
/// so that an `enqueue` right after [`spawn_worker`] finds the recovered PENDING batch (idempotent enqueue)
/// instead of queueing a duplicate next to it.
fn recover(store: &Store) -> Vec<i64> {
    match store.recover_interrupted(now_ms()) {
        Ok(ids) => {
            if !ids.is_empty() {
                tracing::info!(
                    count = ids.len(),
                    ?ids,
                    "recovered batches interrupted by a previous stop"
                );
            }
            ids
        }
        Err(e) => {
            tracing::error!(code = e.code(), "recovering interrupted batches failed");
            Vec::new()
        }
    }
}

async fn announce_recovered(shared: &Shared, ids: Vec<i64>) {
    for id in ids {
        if let Ok(Some(batch)) = on_store(&shared.store, move |s| s.batch(id)).await {
            shared.emit(WorkerEvent::BatchChanged { batch });
        }
    }
}

/// The schedule: sync the same school from the same source as the newest batch, unless one is
/// already waiting or running.
async fn enqueue_scheduled(shared: &Shared) {
    let newest = match on_store(&shared.store, |s| s.batches(1)).await {
        Ok(batches) => batches.into_iter().next(),
        Err(e) => {
            tracing::warn!(code = e.code(), "scheduled sync: reading the queue failed");
            return;
        }
    };
    let Some(last) = newest else {
        tracing::debug!("scheduled sync: no previous batch to repeat");
        return;
    };
    if matches!(last.status, BatchStatus::Pending | BatchStatus::Running) {
        tracing::debug!(
            batch_id = last.id,
            "scheduled sync: a batch is already queued"
        );
        return;
    }
    let new = NewBatch {
        source: last.source,
        target: last.target,
        npsn: last.npsn,
        // The operator's latest choice (the app passes its stored setting with every batch).
        max_attempts: last.max_attempts,
    };
    match on_store(&shared.store, move |s| s.enqueue(&new, now_ms())).await {
        Ok(batch) => {
            tracing::info!(batch_id = batch.id, "scheduled sync enqueued");
            shared.emit(WorkerEvent::BatchChanged { batch });
        }
        Err(e) => tracing::warn!(code = e.code(), "scheduled sync: enqueue failed"),
    }
}

enum Fetched {
    Done(Result<dapodik_webservice::pull::RawPull, WsError>),
    Cancelled,
    Stopping,
}

async fn run_batch(shared: &Arc<Shared>, batch: Batch, stop: &mut watch::Receiver<bool>) {
    let id = batch.id;
    tracing::info!(
        batch_id = id,
        attempt = batch.attempts,
        max_attempts = batch.max_attempts,
        "batch claimed"
    );
    shared.emit(WorkerEvent::BatchChanged {
        batch: batch.clone(),
    });

    let (cancel_tx, mut cancel_rx) = watch::channel(false);
    shared.set_in_flight(Some(InFlight {
        batch_id: id,
        cancel: cancel_tx,
    }));
    let _in_flight = InFlightGuard(shared);

    // A cancel between the claim and the registration above found nothing to abort: look again.
    match on_store(&shared.store, move |s| s.batch(id)).await {
        Ok(Some(current)) if current.status != BatchStatus::Running => {
            tracing::info!(
                batch_id = id,
                status = current.status.as_str(),
                "batch no longer running"
            );
            return;
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(
            batch_id = id,
            code = e.code(),
            "re-reading the claimed batch failed"
        ),
    }

    // On a blocking thread: a resolver may read the OS keychain (which can wait for the user).
    let resolved = {
        let resolver = shared.resolver.clone();
        let batch = batch.clone();
        tokio::task::spawn_blocking(move || resolver.resolve(&batch)).await
    };
    let source = match resolved {
        Ok(Ok(source)) => source,
        Ok(Err(e)) => {
            tracing::warn!(batch_id = id, code = e.code.as_str(), detail = %e.detail, "no source for the batch");
            fail(shared, id, BatchError::from(&e)).await;
            return;
        }
        Err(e) => {
            tracing::error!(batch_id = id, error = %e, "the source resolver failed");
            fail(shared, id, internal_error()).await;
            return;
        }
    };

    let coalescer = Arc::new(Mutex::new(ProgressCoalescer::new(PROGRESS_INTERVAL)));
    let progress = {
        let coalescer = coalescer.clone();
        let shared = shared.clone();
        move |function: Function, bytes: u64| {
            let out = coalescer
                .lock()
                .ok()
                .and_then(|mut c| c.offer(Instant::now(), function, bytes));
            if let Some((function, bytes)) = out {
                shared.emit(progress_event(id, function, bytes));
            }
        }
    };

    let fetched = tokio::select! {
        biased;
        _ = cancel_rx.wait_for(|c| *c) => Fetched::Cancelled,
        _ = stop.wait_for(|s| *s) => Fetched::Stopping,
        r = fetch_school(&source, &batch.npsn, &progress) => Fetched::Done(r),
    };
    drop(source);
    if let Some((function, bytes)) = coalescer.lock().ok().and_then(|mut c| c.finish()) {
        shared.emit(progress_event(id, function, bytes));
    }

    let pull = match fetched {
        Fetched::Cancelled => {
            tracing::info!(
                batch_id = id,
                "in-flight pull aborted by cancel; nothing staged"
            );
            return;
        }
        Fetched::Stopping => {
            tracing::info!(
                batch_id = id,
                "worker stopping: pull dropped; the batch is recovered at next start"
            );
            return;
        }
        Fetched::Done(Err(e)) => {
            // `detail` is technical context free of personal data and keys (dapodik-webservice's contract).
            tracing::warn!(batch_id = id, code = e.code.as_str(), detail = %e.detail, "pull failed");
            fail(shared, id, BatchError::from(&e)).await;
            return;
        }
        Fetched::Done(Ok(pull)) => pull,
    };
    if *cancel_rx.borrow() {
        tracing::info!(batch_id = id, "cancelled before staging; nothing staged");
        return;
    }

    let store = shared.store.clone();
    let staged = tokio::task::spawn_blocking(move || store.stage_pull(id, &pull, now_ms())).await;
    match staged {
        Ok(Ok(batch)) => {
            let rows: u64 = batch.counts.values().map(|c| c.total()).sum();
            tracing::info!(
                batch_id = id,
                rows,
                attempts = batch.attempts,
                "batch staged"
            );
            shared.emit(WorkerEvent::BatchChanged { batch });
        }
        Ok(Err(StageError::Ws(e))) => fail(shared, id, BatchError::from(&e)).await,
        Ok(Err(StageError::Store(e))) => {
            if *cancel_rx.borrow() {
                tracing::info!(
                    batch_id = id,
                    code = e.code(),
                    "staging refused after cancel; nothing staged"
                );
                return;
            }
            fail(shared, id, BatchError::new(e.code(), e.message_id(), true)).await;
        }
        Err(e) => {
            tracing::error!(batch_id = id, error = %e, "staging task failed");
            fail(shared, id, internal_error()).await;
        }
    }
}

/// A bug (a panic caught at a thread boundary) rather than a fault of Dapodik: retried like a fault.
fn internal_error() -> BatchError {
    BatchError::new(
        "internal_error",
        "Terjadi galat internal saat sinkronisasi. Tidak ada data setengah jadi yang disimpan. \
         Sinkronisasi akan dicoba lagi otomatis; jika terus terjadi, kirim berkas log ke tim dukungan.",
        true,
    )
}

/// Records a failed attempt: PENDING again after the backoff, or FAILED.
async fn fail(shared: &Shared, batch_id: i64, error: BatchError) {
    let code = error.code.clone();
    let backoff = shared.settings.backoff();
    match on_store(&shared.store, move |s| {
        s.record_failure(batch_id, &error, now_ms(), &backoff)
    })
    .await
    {
        Ok(batch) => {
            tracing::warn!(
                batch_id,
                code = code.as_str(),
                status = batch.status.as_str(),
                attempts = batch.attempts,
                next_attempt_at = batch.next_attempt_at,
                "batch attempt failed"
            );
            shared.emit(WorkerEvent::BatchChanged { batch });
        }
        Err(e) => {
            // Typically: cancelled meanwhile (no longer RUNNING). Report the batch as it is now.
            tracing::warn!(
                batch_id,
                code = code.as_str(),
                store_code = e.code(),
                "recording the failure was refused"
            );
            if let Ok(Some(batch)) = on_store(&shared.store, move |s| s.batch(batch_id)).await {
                shared.emit(WorkerEvent::BatchChanged { batch });
            }
        }
    }
}

fn progress_event(batch_id: i64, function: Function, bytes: u64) -> WorkerEvent {
    WorkerEvent::Progress {
        batch_id,
        function: function.name().to_string(),
        bytes,
        rows: 0,
    }
}

/// Rate-limits progress of one batch: a value is passed through when at least `interval` has passed
/// since the last one passed, otherwise held; [`ProgressCoalescer::finish`] releases the held value,
/// so the last figure is never lost.
#[derive(Debug)]
pub struct ProgressCoalescer {
    interval: Duration,
    last_emit: Option<Instant>,
    held: Option<(Function, u64)>,
}

impl ProgressCoalescer {
    pub fn new(interval: Duration) -> Self {
        ProgressCoalescer {
            interval,
            last_emit: None,
            held: None,
        }
    }

    /// A new figure at `now`: returns it when it should be emitted now.
    pub fn offer(
        &mut self,
        now: Instant,
        function: Function,
        bytes: u64,
    ) -> Option<(Function, u64)> {
        let due = self
            .last_emit
            .is_none_or(|last| now.saturating_duration_since(last) >= self.interval);
        if due {
            self.last_emit = Some(now);
            self.held = None;
            Some((function, bytes))
        } else {
            self.held = Some((function, bytes));
            None
        }
    }

    /// The held figure, if the last one offered was not emitted.
    pub fn finish(&mut self) -> Option<(Function, u64)> {
        self.held.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalescer_passes_at_most_one_per_interval_and_keeps_the_last() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut c = ProgressCoalescer::new(Duration::from_millis(100));
        assert_eq!(
            c.offer(ms(0), Function::GetSekolah, 10),
            Some((Function::GetSekolah, 10))
        );
        assert_eq!(c.offer(ms(30), Function::GetSekolah, 20), None);
        assert_eq!(c.offer(ms(99), Function::GetPesertaDidik, 5), None);
        assert_eq!(
            c.offer(ms(100), Function::GetPesertaDidik, 50),
            Some((Function::GetPesertaDidik, 50))
        );
        assert_eq!(c.finish(), None, "nothing held after an emitted figure");
        assert_eq!(c.offer(ms(150), Function::GetPesertaDidik, 70), None);
        assert_eq!(c.offer(ms(180), Function::GetGtk, 9), None);
        assert_eq!(
            c.finish(),
            Some((Function::GetGtk, 9)),
            "the last figure is released at the end"
        );
        assert_eq!(c.finish(), None);
    }

    #[test]
    fn coalescer_thins_a_burst() {
        let t0 = Instant::now();
        let mut c = ProgressCoalescer::new(Duration::from_millis(100));
        // 1000 figures over one second: about ten pass.
        let passed = (0..1000u64)
            .filter(|i| {
                c.offer(
                    t0 + Duration::from_millis(*i),
                    Function::GetPesertaDidik,
                    *i,
                )
                .is_some()
            })
            .count();
        assert_eq!(passed, 10);
        assert_eq!(c.finish(), Some((Function::GetPesertaDidik, 999)));
    }

    #[test]
    fn events_serialise_with_a_kind_tag() {
        let e = progress_event(7, Function::GetPesertaDidik, 1234);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "progress", "batch_id": 7, "function": "getPesertaDidik", "bytes": 1234, "rows": 0})
        );
    }
}
