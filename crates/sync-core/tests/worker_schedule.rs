//! The automatic sync schedule set while the worker runs (Pengaturan → "Sinkronisasi otomatis").

use dapodik_sim::{SimConfig, SimServer};
use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::source::Source;
use dapodik_webservice::WsError;
use std::sync::Arc;
use std::time::{Duration, Instant};
use sync_core::settings::Settings;
use sync_core::worker::spawn_worker;
use sync_core::{Batch, BatchStatus, NewBatch, SourceKind, Store};

const KEY: &str = "SCHEDULEKEY2026";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_set_at_run_time_repeats_the_last_sync_and_can_be_switched_off() {
    let sim = SimServer::start(SimConfig {
        key: KEY.into(),
        students: 5,
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    let resolver = |b: &Batch| -> Result<Source, WsError> {
        Ok(Source::Http(WebServiceClient::new(
            &b.target,
            &b.npsn,
            KEY,
            ClientConfig::default(),
        )?))
    };
    let worker = spawn_worker(store.clone(), Settings::default(), Arc::new(resolver));
    assert_eq!(worker.schedule(), None);
    assert_eq!(worker.next_scheduled_at(), None);

    let first = worker
        .enqueue(NewBatch {
            source: SourceKind::Webservice,
            target: sim.base_url(),
            npsn: sim.npsn().to_string(),
            max_attempts: 2,
        })
        .await
        .unwrap();
    let first = worker.wait_terminal(first.id).await.unwrap();
    assert_eq!(first.status, BatchStatus::Succeeded);

    let before = now_ms();
    worker.set_schedule(Some(Duration::from_millis(400)));
    assert_eq!(worker.schedule(), Some(Duration::from_millis(400)));
    let deadline = Instant::now() + Duration::from_secs(30);
    let at = loop {
        if let Some(at) = worker.next_scheduled_at() {
            break at;
        }
        assert!(Instant::now() < deadline, "next scheduled time published");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        at >= before && at <= now_ms() + 400,
        "due within the interval: {at}"
    );

    let second = loop {
        let newest = store.batches(1).unwrap().remove(0);
        if newest.id != first.id {
            break newest;
        }
        assert!(Instant::now() < deadline, "no scheduled batch");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((&second.target, second.max_attempts), (&first.target, 2));
    assert_eq!(
        worker.wait_terminal(second.id).await.unwrap().status,
        BatchStatus::Succeeded
    );

    worker.set_schedule(None);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(worker.next_scheduled_at(), None);
    let count = store.batches(100).unwrap().len();
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        store.batches(100).unwrap().len(),
        count,
        "no schedule, no new batch"
    );
    worker.shutdown().await;
    sim.shutdown().await;
}
