//! The worker end to end: a real SQLite file in a temp folder, the simulated Dapodik over real HTTP on
//! 127.0.0.1, the real Web Service client. Backoff in milliseconds so retries are quick.

use dapodik_sim::{Fault, SimConfig, SimHandle, SimServer};
use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::source::Source;
use dapodik_webservice::{ErrorCode, WsError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_core::settings::Settings;
use sync_core::worker::{
    spawn_worker, spawn_worker_with_schedule, SourceResolver, WorkerEvent, WorkerHandle,
};
use sync_core::{Backoff, Batch, BatchStatus, NewBatch, SourceKind, StagingQuery, Store};

const NPSN: &str = "20254399";
const KEY: &str = "TESTKEY2026ABCD";
const LONG: Duration = Duration::from_secs(60);

/// Web Service batches go to the simulator with the test key; mock batches are "not configured".
struct TestSources {
    key: String,
}

impl SourceResolver for TestSources {
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        match batch.source {
            SourceKind::Webservice => Ok(Source::Http(WebServiceClient::new(
                &batch.target,
                &batch.npsn,
                &self.key,
                ClientConfig {
                    read_timeout: Duration::from_secs(30),
                    ..ClientConfig::default()
                },
            )?)),
            _ => Err(WsError::new(
                ErrorCode::NotConfigured,
                "test resolver: only webservice batches",
            )),
        }
    }
}

fn resolver() -> Arc<dyn SourceResolver> {
    Arc::new(TestSources {
        key: KEY.to_string(),
    })
}

fn settings(pairs: &[(&str, &str)]) -> Settings {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("valid test settings")
}

fn sim(students: usize, configure: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut config = SimConfig {
        npsn: NPSN.to_string(),
        key: KEY.to_string(),
        students,
        seed: 7,
        ..Default::default()
    };
    configure(&mut config);
    SimServer::start(config).expect("simulator starts")
}

fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("dapodik-sync.sqlite3")).expect("open store");
    (dir, store)
}

fn new_batch(sim: &SimHandle, max_attempts: u32) -> NewBatch {
    NewBatch {
        source: SourceKind::Webservice,
        target: sim.base_url(),
        npsn: NPSN.to_string(),
        max_attempts,
    }
}

fn staged_rows(store: &Store, batch_id: i64) -> u64 {
    let q = StagingQuery {
        batch_id: Some(batch_id),
        limit: 1,
        ..Default::default()
    };
    store.staging_page(&q).unwrap().total
}

fn total_counted(batch: &Batch) -> u64 {
    batch.counts.values().map(|c| c.total()).sum()
}

async fn terminal(worker: &WorkerHandle, id: i64) -> Batch {
    tokio::time::timeout(LONG, worker.wait_terminal(id))
        .await
        .expect("batch ends in time")
        .expect("batch")
}

/// Polls the store until `pred` holds for the batch.
async fn until(store: &Store, id: i64, what: &str, pred: impl Fn(&Batch) -> bool) -> Batch {
    let deadline = Instant::now() + LONG;
    loop {
        let b = store.batch(id).unwrap().expect("batch exists");
        if pred(&b) {
            return b;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Collects every event with the time it was received.
fn record_events(worker: &WorkerHandle) -> Arc<Mutex<Vec<(Instant, WorkerEvent)>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut rx = worker.subscribe();
    let sink = log.clone();
    tokio::spawn(async move {
        while let Ok(event) = rx.recv().await {
            sink.lock().unwrap().push((Instant::now(), event));
        }
    });
    log
}

fn statuses_of(log: &Mutex<Vec<(Instant, WorkerEvent)>>, id: i64) -> Vec<BatchStatus> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|(_, e)| match e {
            WorkerEvent::BatchChanged { batch } if batch.id == id => Some(batch.status),
            _ => None,
        })
        .collect()
}

fn progress_of(log: &Mutex<Vec<(Instant, WorkerEvent)>>, id: i64) -> Vec<(Instant, String, u64)> {
    log.lock()
        .unwrap()
        .iter()
        .filter_map(|(t, e)| match e {
            WorkerEvent::Progress {
                batch_id,
                function,
                bytes,
                ..
            } if *batch_id == id => Some((*t, function.clone(), *bytes)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_pulls_and_stages_the_school() {
    let sim = sim(60, |_| {});
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let events = record_events(&worker);

    let queued = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    assert_eq!(queued.status, BatchStatus::Pending);
    let done = terminal(&worker, queued.id).await;

    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    assert_eq!(done.attempts, 1);
    assert!(done.error.is_none());
    assert!(done.finished_at.is_some());
    let school = sim.school();
    assert_eq!(done.counts["sekolah"].total(), 1);
    assert_eq!(
        done.counts["peserta_didik"].total(),
        school.peserta_didik.len() as u64
    );
    assert!(done.counts["gtk"].total() > 0 && done.counts["rombongan_belajar"].total() > 0);
    assert_eq!(staged_rows(&store, done.id), total_counted(&done));
    assert_eq!(
        done.semester_id.as_deref(),
        Some(school.semester_id.as_str())
    );

    // Events: the batch's life in order, and progress from the download.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let statuses = statuses_of(&events, done.id);
    assert_eq!(
        statuses,
        [
            BatchStatus::Pending,
            BatchStatus::Running,
            BatchStatus::Succeeded
        ]
    );
    let progress = progress_of(&events, done.id);
    assert!(!progress.is_empty());
    let (_, function, bytes) = progress.last().unwrap();
    let body = school.body_named(function).expect("a Web Service function");
    assert_eq!(
        *bytes,
        body.len() as u64,
        "the final progress figure is the whole last body"
    );

    // Too late to cancel: refused, the batch stays SUCCEEDED with its rows.
    let err = worker
        .cancel(done.id)
        .await
        .expect_err("cancel of a finished batch");
    assert_eq!(err.code(), "invalid_transition");
    let after = store.batch(done.id).unwrap().unwrap();
    assert_eq!(after.status, BatchStatus::Succeeded);
    assert_eq!(staged_rows(&store, done.id), total_counted(&done));

    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_coalesced_and_ends_with_the_last_figure() {
    let sim = sim(3000, |_| {});
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let events = record_events(&worker);

    let started = Instant::now();
    let done = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 1)).await.unwrap().id,
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    tokio::time::sleep(Duration::from_millis(50)).await;

    let progress = progress_of(&events, done.id);
    let school = sim.school();
    let biggest = school.body_named("getPesertaDidik").unwrap().len() as u64;
    assert!(
        biggest > 1_000_000,
        "the body must arrive in many chunks ({biggest} bytes)"
    );
    // Hundreds of chunks arrive; at most one event per 100 ms passes, plus the final one.
    let allowed = (elapsed.as_millis() / 100) as usize + 2;
    assert!(!progress.is_empty());
    assert!(
        progress.len() <= allowed,
        "{} progress events in {elapsed:?}",
        progress.len()
    );
    let (_, function, bytes) = progress.last().unwrap();
    assert_eq!(*bytes, school.body_named(function).unwrap().len() as u64);

    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_twice_while_pending_is_one_batch_and_disabled_claims_nothing() {
    let sim = sim(10, |_| {});
    for (var, value) in [
        ("DAPODIK_SYNC_ENABLED", "false"),
        ("DAPODIK_SYNC_MODE", "disabled"),
    ] {
        let (_dir, store) = fresh_store();
        let worker = spawn_worker_with_schedule(
            store.clone(),
            settings(&[(var, value)]),
            resolver(),
            Some(Duration::from_millis(50)),
        );
        let a = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
        let b = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
        assert_eq!(
            a.id, b.id,
            "{var}={value}: a second 'sync now' joins the pending batch"
        );
        assert_eq!(store.batches(10).unwrap().len(), 1);

        // Nothing is claimed, nothing is requested, the schedule adds nothing.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let b = store.batch(a.id).unwrap().unwrap();
        assert_eq!(
            (b.status, b.attempts),
            (BatchStatus::Pending, 0),
            "{var}={value}"
        );
        assert!(store.attempts(a.id).unwrap().is_empty());
        assert_eq!(store.batches(10).unwrap().len(), 1);
        worker.shutdown().await;
    }
    assert_eq!(sim.request_count(), 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_while_the_same_school_syncs_joins_the_running_batch() {
    let sim = sim(10, |c| c.latency = Duration::from_millis(300));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let running = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    until(&store, running.id, "running", |b| {
        b.status == BatchStatus::Running
    })
    .await;

    let a = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    let b = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    assert_eq!(
        a.id, running.id,
        "'sync now' during a sync of the same school joins it"
    );
    assert_eq!(b.id, running.id);
    assert_eq!(store.batches(10).unwrap().len(), 1);

    assert_eq!(
        terminal(&worker, running.id).await.status,
        BatchStatus::Succeeded
    );
    // Once it has ended, "sync now" starts a new batch.
    let next = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    assert_ne!(next.id, running.id);
    assert_eq!(
        terminal(&worker, next.id).await.status,
        BatchStatus::Succeeded
    );
    assert_eq!(store.batches(10).unwrap().len(), 2);
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retryable_fault_is_retried_with_backoff_until_dapodik_is_back() {
    let sim = sim(20, |c| c.fault = Some(Fault::Down));
    let (_dir, store) = fresh_store();
    let s = settings(&[
        ("DAPODIK_SYNC_BACKOFF_BASE_MS", "100"),
        ("DAPODIK_SYNC_BACKOFF_CAP_MS", "400"),
        ("DAPODIK_SYNC_MAX_ATTEMPTS", "20"),
    ]);
    let backoff: Backoff = s.backoff();
    let worker = spawn_worker(store.clone(), s, resolver());
    let id = worker.enqueue(new_batch(&sim, 20)).await.unwrap().id;

    let waiting = until(&store, id, "three failed attempts", |b| {
        b.attempts >= 3 && b.status == BatchStatus::Pending
    })
    .await;
    let error = waiting.error.expect("the last failure is kept");
    assert_eq!(error.code, "dapodik_unreachable");
    assert!(error.retryable);
    assert!(waiting.next_attempt_at.is_some());

    sim.set_fault(None);
    let done = terminal(&worker, id).await;
    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    assert!(done.attempts > 3);
    assert!(staged_rows(&store, id) > 0);

    let attempts = store.attempts(id).unwrap();
    assert_eq!(attempts.len() as u32, done.attempts);
    assert!(attempts.last().unwrap().error.is_none());
    for pair in attempts.windows(2) {
        let (failed, next) = (&pair[0], &pair[1]);
        assert_eq!(failed.error.as_ref().unwrap().code, "dapodik_unreachable");
        let gap = (next.started_at - failed.finished_at.unwrap()) as u64;
        let (low, high) = backoff.bounds(failed.number);
        assert!(
            gap >= low,
            "attempt {} retried after {gap} ms, before its backoff {low} ms",
            failed.number
        );
        // Woken when due, not at the next idle poll.
        assert!(
            gap <= high + 1000,
            "attempt {} retried after {gap} ms (backoff at most {high})",
            failed.number
        );
    }
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_fail_at_once() {
    let sim = sim(10, |c| c.fault = Some(Fault::KeyNotRegistered));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(
        store.clone(),
        settings(&[("DAPODIK_SYNC_BACKOFF_BASE_MS", "10")]),
        resolver(),
    );

    let done = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 5)).await.unwrap().id,
    )
    .await;
    assert_eq!(done.status, BatchStatus::Failed);
    assert_eq!(done.attempts, 1);
    let error = done.error.expect("error");
    assert_eq!(error.code, "key_not_registered");
    assert!(!error.retryable);
    assert!(
        error.message.contains("Kunci"),
        "Indonesian guidance: {}",
        error.message
    );
    assert_eq!(store.attempts(done.id).unwrap().len(), 1);
    assert_eq!(staged_rows(&store, done.id), 0);

    // The host cannot build a source (no key, no URL): not configured, failed at once, no request.
    let requests = sim.request_count();
    let mock = NewBatch {
        source: SourceKind::Mock,
        target: "demo".into(),
        npsn: NPSN.into(),
        max_attempts: 5,
    };
    let done = terminal(&worker, worker.enqueue(mock).await.unwrap().id).await;
    assert_eq!((done.status, done.attempts), (BatchStatus::Failed, 1));
    assert_eq!(done.error.unwrap().code, "not_configured");
    assert_eq!(sim.request_count(), requests);

    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_attempts_fail_with_the_last_error() {
    let sim = sim(10, |c| {
        c.fault = Some(Fault::ServerError { probability: 1.0 })
    });
    let (_dir, store) = fresh_store();
    let s = settings(&[
        ("DAPODIK_SYNC_BACKOFF_BASE_MS", "20"),
        ("DAPODIK_SYNC_BACKOFF_CAP_MS", "50"),
    ]);
    let worker = spawn_worker(store.clone(), s, resolver());
    let events = record_events(&worker);

    let done = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 3)).await.unwrap().id,
    )
    .await;
    assert_eq!(done.status, BatchStatus::Failed);
    assert_eq!(done.attempts, 3);
    let error = done.error.clone().expect("error");
    assert_eq!(error.code, "server_fault");
    assert!(error.retryable, "retryable, but out of attempts");
    let attempts = store.attempts(done.id).unwrap();
    assert_eq!(attempts.len(), 3);
    assert!(attempts
        .iter()
        .all(|a| a.error.as_ref().map(|e| e.code.as_str()) == Some("server_fault")));
    assert_eq!(staged_rows(&store, done.id), 0);

    tokio::time::sleep(Duration::from_millis(50)).await;
    use BatchStatus::*;
    assert_eq!(
        statuses_of(&events, done.id),
        [Pending, Running, Pending, Running, Pending, Running, Failed]
    );

    // "Coba lagi" after the fault is gone: attempts start over and it succeeds.
    sim.set_fault(None);
    let retried = worker.retry(done.id).await.unwrap();
    assert_eq!((retried.status, retried.attempts), (Pending, 0));
    let done = terminal(&worker, done.id).await;
    assert_eq!((done.status, done.attempts), (Succeeded, 1));

    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_aborts_a_slow_pull_and_stages_nothing() {
    let sim = sim(20, |c| c.latency = Duration::from_secs(2));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let id = worker.enqueue(new_batch(&sim, 3)).await.unwrap().id;
    until(&store, id, "running", |b| b.status == BatchStatus::Running).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let asked = Instant::now();
    let cancelled = worker.cancel(id).await.unwrap();
    assert_eq!(cancelled.status, BatchStatus::Cancelled);
    let done = terminal(&worker, id).await;
    assert_eq!(done.status, BatchStatus::Cancelled);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "cancel did not wait for the slow answer"
    );
    assert_eq!(staged_rows(&store, id), 0);
    let attempts = store.attempts(id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].error.as_ref().unwrap().code, "cancelled");

    // The slow request was dropped, not waited out: the worker takes the next batch at once
    // (with the request still pending it would be busy for the rest of the 2 s answer).
    let next = worker.enqueue(new_batch(&sim, 3)).await.unwrap().id;
    let asked = Instant::now();
    until(&store, next, "next batch running", |b| {
        b.status == BatchStatus::Running
    })
    .await;
    assert!(
        asked.elapsed() < Duration::from_millis(1300),
        "worker still busy with the cancelled pull"
    );
    sim.set_latency(Duration::ZERO);
    let next = terminal(&worker, next).await;
    assert_eq!(next.status, BatchStatus::Succeeded, "{:?}", next.error);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = store.batch(id).unwrap().unwrap();
    assert_eq!(still.status, BatchStatus::Cancelled);
    assert_eq!(staged_rows(&store, id), 0);
    assert_eq!(total_counted(&still), 0);

    worker.shutdown().await;
    sim.shutdown().await;
}

/// A cancel racing the end of a pull: whatever the timing, the batch ends CANCELLED with no staging
/// rows (and the cancel succeeded) or SUCCEEDED with all of them (and the cancel was refused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_racing_staging_is_never_half() {
    // A little latency per request so the pull lasts long enough to be hit at several points;
    // the last steps land while or after staging commits.
    let sim = sim(400, |c| c.latency = Duration::from_millis(40));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let mut events = worker.subscribe();

    // One undisturbed run to learn how long a batch runs here.
    let id = worker.enqueue(new_batch(&sim, 1)).await.unwrap().id;
    let running_at = seen(&mut events, id, BatchStatus::Running).await;
    let reference = terminal(&worker, id).await;
    assert_eq!(reference.status, BatchStatus::Succeeded);
    let duration = running_at.elapsed();

    let mut outcomes = Vec::new();
    for step in 0..=10u32 {
        let id = worker.enqueue(new_batch(&sim, 1)).await.unwrap().id;
        let running_at = seen(&mut events, id, BatchStatus::Running).await;
        tokio::time::sleep_until((running_at + duration * step / 10).into()).await;
        let cancel = worker.cancel(id).await;
        let done = terminal(&worker, id).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = store.batch(id).unwrap().unwrap();
        assert_eq!(now.status, done.status, "step {step}: the outcome is final");
        let rows = staged_rows(&store, id);
        match done.status {
            BatchStatus::Cancelled => {
                assert!(cancel.is_ok());
                assert_eq!(rows, 0, "step {step}: cancelled yet staged");
                assert_eq!(total_counted(&done), 0);
            }
            BatchStatus::Succeeded => {
                assert_eq!(
                    cancel.unwrap_err().code(),
                    "invalid_transition",
                    "step {step}"
                );
                assert_eq!(
                    rows,
                    total_counted(&reference),
                    "step {step}: succeeded but not all rows"
                );
            }
            other => panic!("step {step}: unexpected {other}"),
        }
        outcomes.push(done.status);
    }
    eprintln!("cancel race over {duration:?}: {outcomes:?}");
    assert_eq!(outcomes[0], BatchStatus::Cancelled, "{outcomes:?}");
    worker.shutdown().await;
    sim.shutdown().await;
}

/// Waits for the event that batch `id` reached `status`; returns when it was received.
async fn seen(
    events: &mut tokio::sync::broadcast::Receiver<WorkerEvent>,
    id: i64,
    status: BatchStatus,
) -> Instant {
    let wait = async {
        loop {
            match events.recv().await.expect("event stream") {
                WorkerEvent::BatchChanged { batch } if batch.id == id && batch.status == status => {
                    return Instant::now();
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(LONG, wait)
        .await
        .expect("event in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_left_running_is_recovered_at_start() {
    let sim = sim(20, |_| {});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dapodik-sync.sqlite3");
    let id = {
        // A previous process claimed the batch and died.
        let store = Store::open(&path).unwrap();
        let id = store.enqueue(&new_batch(&sim, 3), 1_000).unwrap().id;
        let claimed = store.claim_next(1_000).unwrap().expect("claimed");
        assert_eq!((claimed.id, claimed.status), (id, BatchStatus::Running));
        id
    };

    let store = Store::open(&path).unwrap();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    // Recovery happens before spawn_worker returns: "sync now" right away joins the recovered
    // batch instead of queueing a second one beside it.
    let again = worker.enqueue(new_batch(&sim, 3)).await.unwrap();
    assert_eq!(again.id, id);
    let done = terminal(&worker, id).await;
    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    assert_eq!(done.attempts, 2);
    let attempts = store.attempts(id).unwrap();
    assert_eq!(attempts[0].error.as_ref().unwrap().code, "interrupted");
    assert!(attempts[1].error.is_none());
    assert_eq!(store.batches(10).unwrap().len(), 1);
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_mid_pull_leaves_the_batch_to_the_next_start() {
    let sim = sim(20, |c| c.latency = Duration::from_secs(3));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let id = worker.enqueue(new_batch(&sim, 3)).await.unwrap().id;
    until(&store, id, "running", |b| b.status == BatchStatus::Running).await;

    let asked = Instant::now();
    worker.shutdown().await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "shutdown waited for the slow answer"
    );
    assert_eq!(
        store.batch(id).unwrap().unwrap().status,
        BatchStatus::Running
    );
    assert_eq!(staged_rows(&store, id), 0);

    sim.set_latency(Duration::ZERO);
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let done = terminal(&worker, id).await;
    assert_eq!((done.status, done.attempts), (BatchStatus::Succeeded, 2));
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_repeats_the_last_sync() {
    let sim = sim(10, |_| {});
    let (_dir, store) = fresh_store();
    let worker = spawn_worker_with_schedule(
        store.clone(),
        settings(&[]),
        resolver(),
        Some(Duration::from_millis(300)),
    );
    let first = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 2)).await.unwrap().id,
    )
    .await;
    assert_eq!(first.status, BatchStatus::Succeeded);

    let deadline = Instant::now() + LONG;
    let second = loop {
        let newest = store.batches(1).unwrap().remove(0);
        if newest.id != first.id {
            break newest;
        }
        assert!(Instant::now() < deadline, "no scheduled batch");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        (second.source, &second.target, &second.npsn),
        (first.source, &first.target, &first.npsn)
    );
    let second = terminal(&worker, second.id).await;
    assert_eq!(second.status, BatchStatus::Succeeded);
    worker.shutdown().await;

    // Without a schedule nothing is added.
    let (_dir2, store2) = fresh_store();
    let worker = spawn_worker(store2.clone(), settings(&[]), resolver());
    let only = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 2)).await.unwrap().id,
    )
    .await;
    assert_eq!(only.status, BatchStatus::Succeeded);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(store2.batches(10).unwrap().len(), 1);
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_terminal_of_an_unknown_batch_is_not_found() {
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store, settings(&[]), resolver());
    let err = worker.wait_terminal(999).await.expect_err("no such batch");
    assert_eq!(err.code(), "not_found");
    worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_but_alive_dapodik_is_not_a_failure() {
    // Every answer takes 700 ms: the pull takes seconds, and that is fine.
    let sim = sim(20, |c| c.latency = Duration::from_millis(700));
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), resolver());
    let started = Instant::now();
    let done = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 3)).await.unwrap().id,
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(2000));
    assert_eq!(
        (done.status, done.attempts),
        (BatchStatus::Succeeded, 1),
        "{:?}",
        done.error
    );
    assert!(store.attempts(done.id).unwrap()[0].error.is_none());
    worker.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_cut_short_stages_nothing_and_is_retried() {
    let sim = sim(50, |c| c.fault = Some(Fault::Truncated));
    let (_dir, store) = fresh_store();
    let s = settings(&[
        ("DAPODIK_SYNC_BACKOFF_BASE_MS", "10"),
        ("DAPODIK_SYNC_BACKOFF_CAP_MS", "20"),
    ]);
    let worker = spawn_worker(store.clone(), s, resolver());
    let done = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 2)).await.unwrap().id,
    )
    .await;
    assert_eq!((done.status, done.attempts), (BatchStatus::Failed, 2));
    let error = done.error.clone().expect("error");
    assert_eq!(error.code, "malformed_response");
    assert!(error.retryable);
    assert_eq!(staged_rows(&store, done.id), 0);
    assert_eq!(total_counted(&done), 0);
    worker.shutdown().await;
    sim.shutdown().await;
}

/// A resolver that panics for capture batches: a bug in the host must not take the worker down.
struct PanickingForReplay;

impl SourceResolver for PanickingForReplay {
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        match batch.source {
            SourceKind::Replay => panic!("resolver bug"),
            _ => TestSources {
                key: KEY.to_string(),
            }
            .resolve(batch),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_resolver_fails_the_batch_not_the_worker() {
    let sim = sim(10, |_| {});
    let (_dir, store) = fresh_store();
    let worker = spawn_worker(store.clone(), settings(&[]), Arc::new(PanickingForReplay));
    let replay = NewBatch {
        source: SourceKind::Replay,
        target: "/nowhere".into(),
        npsn: NPSN.into(),
        max_attempts: 1,
    };
    let done = terminal(&worker, worker.enqueue(replay).await.unwrap().id).await;
    assert_eq!((done.status, done.attempts), (BatchStatus::Failed, 1));
    assert_eq!(done.error.unwrap().code, "internal_error");
    // Still alive.
    let next = terminal(
        &worker,
        worker.enqueue(new_batch(&sim, 1)).await.unwrap().id,
    )
    .await;
    assert_eq!(next.status, BatchStatus::Succeeded);
    worker.shutdown().await;
    sim.shutdown().await;
}
