//! What the worker (and the Web Service client under it) writes to the log, captured at every level
//! while real batches run against the simulator: batch ids, codes and counts — never the key, never
//! a student's name, NIK, NISN or mother's name.
//!
//! A global subscriber is installed, so this file holds a single test.

use dapodik_sim::{Fault, SimConfig, SimServer};
use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::source::Source;
use dapodik_webservice::WsError;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use sync_core::settings::Settings;
use sync_core::worker::{spawn_worker, SourceResolver};
use sync_core::{Batch, BatchStatus, NewBatch, SourceKind, Store};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const NPSN: &str = "20254399";
const KEY: &str = "SECRETKEY9QX7ZW";

/// Writes every event and span, with all fields, into one string.
struct Capture {
    text: Arc<Mutex<String>>,
    next_span: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = self.text.lock().unwrap();
        let _ = write!(text, "\n[span {}]", span.metadata().name());
        span.record(&mut Fields(&mut text));
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.text.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.text.lock().unwrap();
        let _ = write!(
            text,
            "\n[{} {}]",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Fields(&mut text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

struct Sources;

impl SourceResolver for Sources {
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        Ok(Source::Http(WebServiceClient::new(
            &batch.target,
            &batch.npsn,
            KEY,
            ClientConfig::default(),
        )?))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_ids_and_codes_but_no_key_and_no_personal_data() {
    let text = Arc::new(Mutex::new(String::new()));
    tracing::subscriber::set_global_default(Capture {
        text: text.clone(),
        next_span: AtomicU64::new(0),
    })
    .expect("first subscriber in this test binary");

    let sim = SimServer::start(SimConfig {
        npsn: NPSN.into(),
        key: KEY.into(),
        students: 40,
        seed: 11,
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let map: HashMap<&str, &str> = [
        ("DAPODIK_SYNC_BACKOFF_BASE_MS", "10"),
        ("DAPODIK_SYNC_BACKOFF_CAP_MS", "20"),
    ]
    .into();
    let settings = Settings::from_lookup(|k| map.get(k).map(|v| v.to_string())).unwrap();
    let worker = spawn_worker(store.clone(), settings, Arc::new(Sources));
    let new = || NewBatch {
        source: SourceKind::Webservice,
        target: sim.base_url(),
        npsn: NPSN.into(),
        max_attempts: 2,
    };

    // A good pull, a refused key, a server fault retried then failed.
    let ok = worker.enqueue(new()).await.unwrap().id;
    let ok = tokio::time::timeout(Duration::from_secs(60), worker.wait_terminal(ok))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ok.status, BatchStatus::Succeeded);
    for fault in [
        Fault::KeyNotRegistered,
        Fault::ServerError { probability: 1.0 },
        Fault::PhpNoticeBeforeJson,
    ] {
        sim.set_fault(Some(fault));
        let id = worker.enqueue(new()).await.unwrap().id;
        tokio::time::timeout(Duration::from_secs(60), worker.wait_terminal(id))
            .await
            .unwrap()
            .unwrap();
    }
    worker.shutdown().await;

    let log = text.lock().unwrap().clone();
    // The log says what happened...
    assert!(log.contains("batch staged"), "{log}");
    assert!(log.contains(&format!("batch_id={}", ok.id)), "{log}");
    assert!(
        log.contains("key_not_registered") && log.contains("server_fault"),
        "{log}"
    );
    // ...and nothing it must not.
    assert!(
        !log.contains(KEY),
        "the Web Service key leaked into the log"
    );
    let school = sim.school();
    for pd in &school.peserta_didik {
        for (what, value) in [
            ("nama", &pd.nama),
            ("nik", &pd.nik),
            ("nisn", &pd.nisn),
            ("nama_ibu", &pd.nama_ibu),
        ] {
            // Placeholder NIKs ("0", zeros) are not personal data and would match any number.
            if value.len() >= 8 && !value.chars().all(|c| c == '0') {
                assert!(
                    !log.contains(value.as_str()),
                    "a student's {what} leaked into the log"
                );
            }
        }
    }
    for gtk in &school.gtk {
        assert!(
            !log.contains(gtk.nama.as_str()),
            "a teacher's name leaked into the log"
        );
    }
    sim.shutdown().await;
}
