//! The Web Service key never leaves the keychain: after a full sync through a connection profile whose
//! key is in the OS keychain (a real Secret Service), neither the database files nor the log file
//! contain it. Needs a Secret Service, hence `#[ignore]`: run it with `scripts/test-keychain.sh`
//! (gnome-keyring unlocked in a private D-Bus session).

use dapodik_sync_desktop::desktop::{LogWriter, LOG_FILE};
use dapodik_sync_desktop::sources::{AppSources, ProfileKeys};
use std::sync::Arc;
use std::time::Duration;
use sync_core::settings::Settings;
use sync_core::storage::{ProfileInput, ProfileKind};
use sync_core::{BatchStatus, NewBatch, SourceKind, Store};

const KEY: &str = "PRIVACY-CHECK-KEY-5f3a9c1e77";

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
async fn after_a_full_sync_neither_the_database_nor_the_log_holds_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    // Everything at TRACE into the app's log file: the most a log could ever say.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(LogWriter::to_folder(&logs))
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let sim = dapodik_sim::SimServer::start(dapodik_sim::SimConfig {
        key: KEY.into(),
        students: 60,
        ..Default::default()
    })
    .unwrap();
    let url = url::Url::parse(&sim.base_url()).unwrap();

    let store = Store::open(&dir.path().join("dapodik-sync.sqlite3")).unwrap();
    let profile = store
        .create_profile(
            &ProfileInput {
                name: "Sekolah Privasi".into(),
                kind: Some(ProfileKind::Webservice),
                host: url.host_str().unwrap().into(),
                port: url.port(),
                npsn: sim.npsn().into(),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    let secrets = keychain::SecretStore::with_service("id.dapodiksync.test-key-privacy");
    secrets
        .save_webservice_key(&profile.uid, &keychain::Secret::new(KEY))
        .expect("a Secret Service answers (run under scripts/test-keychain.sh)");

    let resolver = AppSources {
        demo: None,
        real: None,
        client: Settings::default().client_config(),
        env: Box::new(|_| None),
        profile_keys: Some(ProfileKeys {
            store: store.clone(),
            secrets: secrets.clone(),
        }),
    };
    let worker =
        sync_core::worker::spawn_worker(store.clone(), Settings::default(), Arc::new(resolver));
    let batch = worker
        .enqueue(NewBatch {
            source: SourceKind::Webservice,
            target: profile.base_url().unwrap(),
            npsn: profile.npsn.clone(),
            max_attempts: 2,
        })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(60), worker.wait_terminal(batch.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    assert_eq!(done.counts["peserta_didik"].new, 60);
    worker.shutdown().await;
    sim.shutdown().await;
    store.checkpoint().unwrap();
    drop(store);

    // The key was really used from the keychain (and is still there), so its absence below means something.
    assert_eq!(
        secrets
            .webservice_key(&profile.uid)
            .unwrap()
            .unwrap()
            .expose(),
        KEY
    );
    let log = std::fs::read_to_string(logs.join(LOG_FILE)).unwrap();
    assert!(
        log.contains("batch staged"),
        "the log file captured the sync"
    );

    let files = files_under(dir.path());
    assert!(files
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "sqlite3")));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} contains the key",
            file.display()
        );
    }
    secrets.delete_webservice_key(&profile.uid).unwrap();
}
