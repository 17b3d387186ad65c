//! The app's [`SourceResolver`]: how the worker turns a batch into a data source.
//!
//! - `mock` batches go to this run's simulated Dapodik (demo mode), whatever port an older run used.
//! - `webservice` batches go to the configured URL with the key read, at that moment, from the
//!   environment variable named by `DAPODIK_SYNC_KEY_ENV` when the environment configures the
//!   connection (scripts); otherwise from the OS keychain, for the profile with the batch's URL and
//!   NPSN ([`ProfileKeys`]). The worker calls the resolver on a blocking thread, as the keychain needs.
//!   A batch of an SSO SDS profile targets its SDS data endpoint and carries the signed-in operator's
//!   access token as the bearer (refreshed first when due).
//! - `replay` batches read a capture folder.

use crate::config::RealConnection;
use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::source::Source;
use dapodik_webservice::{ErrorCode, WsError};
use sync_core::worker::SourceResolver;
use sync_core::{Batch, SourceKind};

/// Where the demo simulator listens and its key.
#[derive(Clone)]
pub struct DemoEndpoint {
    pub base_url: String,
    pub key: String,
}

/// Reads an environment variable: the process environment in the app, a map in tests.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub struct AppSources {
    pub demo: Option<DemoEndpoint>,
    pub real: Option<RealConnection>,
    pub client: ClientConfig,
    pub env: EnvLookup,
    /// Keys of the connection profiles (used when `real` is not set).
    pub profile_keys: Option<ProfileKeys>,
}

/// Where a profile's Web Service key is found when its batch runs: the profile (by the batch's URL
/// and NPSN) in the store, its key in the keychain under the profile's uid.
pub struct ProfileKeys {
    pub store: sync_core::Store,
    pub secrets: keychain::SecretStore,
}

impl ProfileKeys {
    /// The key of the profile `batch` was queued for. Blocking (SQLite and the keychain); call it
    /// on a blocking thread of the runtime (the worker does).
    ///
    /// A batch for an SSO SDS profile (its target is the profile's SDS data endpoint) gets the
    /// signed-in operator's access token instead, refreshed first when it is about to expire; the SDS
    /// data endpoint answers the Web Service's paths and entity shapes with that bearer token.
    pub fn key_for(&self, batch: &Batch) -> Result<keychain::Secret, WsError> {
        let store_error = |e: sync_core::StoreError| {
            WsError::new(ErrorCode::NotConfigured, format!("profiles: {}", e.code()))
        };
        let Some(profile) = self
            .store
            .profile_for_target(&batch.target, &batch.npsn)
            .map_err(store_error)?
        else {
            let sds = self
                .store
                .profiles()
                .map_err(store_error)?
                .into_iter()
                .find(|p| {
                    p.kind == sync_core::storage::ProfileKind::SsoSds
                        && p.npsn == batch.npsn
                        && crate::connection::sds_target(p).as_deref()
                            == Some(batch.target.trim_end_matches('/'))
                })
                .ok_or_else(|| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        "no connection profile for this batch's address and NPSN",
                    )
                })?;
            let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                WsError::new(ErrorCode::NotConfigured, "SDS token outside the runtime")
            })?;
            return runtime
                .block_on(crate::sso::access_token(&sds))
                .map_err(|e| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        format!(
                            "SSO SDS: {}",
                            e.detail().unwrap_or_else(|| "sign-in required".into())
                        ),
                    )
                });
        };
        match self.secrets.webservice_key(&profile.uid) {
            Ok(Some(key)) => Ok(key),
            Ok(None) => Err(WsError::new(
                ErrorCode::NotConfigured,
                format!("no Web Service key saved for profile {}", profile.id),
            )),
            Err(e) => Err(WsError::new(
                ErrorCode::NotConfigured,
                format!("keychain: {}", e.detail().unwrap_or("unavailable")),
            )),
        }
    }
}

impl SourceResolver for AppSources {
    fn resolve(&self, batch: &Batch) -> Result<Source, WsError> {
        match batch.source {
            SourceKind::Mock => {
                let demo = self.demo.as_ref().ok_or_else(|| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        "demo batch while demo mode is off",
                    )
                })?;
                Ok(Source::Http(WebServiceClient::new(
                    &demo.base_url,
                    &batch.npsn,
                    &demo.key,
                    self.client.clone(),
                )?))
            }
            SourceKind::Webservice => {
                let Some(real) = self.real.as_ref() else {
                    let keys = self.profile_keys.as_ref().ok_or_else(|| {
                        WsError::new(
                            ErrorCode::NotConfigured,
                            "no Web Service connection configured",
                        )
                    })?;
                    let key = keys.key_for(batch)?;
                    return Ok(Source::Http(WebServiceClient::new(
                        &batch.target,
                        &batch.npsn,
                        key.expose(),
                        self.client.clone(),
                    )?));
                };
                let key = (self.env)(&real.key_env)
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        WsError::new(
                            ErrorCode::NotConfigured,
                            format!("environment variable {} is empty or unset", real.key_env),
                        )
                    })?;
                Ok(Source::Http(WebServiceClient::new(
                    &batch.target,
                    &batch.npsn,
                    &key,
                    self.client.clone(),
                )?))
            }
            SourceKind::Replay => Ok(Source::Capture(CaptureDir::open(&batch.target)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Demo;
    use std::collections::HashMap;
    use std::sync::Arc;
    use sync_core::settings::Settings;
    use sync_core::{BatchStatus, NewBatch, Store};

    fn batch(store: &Store, source: SourceKind, target: &str) -> Batch {
        store
            .enqueue(
                &NewBatch {
                    source,
                    target: target.into(),
                    npsn: "20212345".into(),
                    max_attempts: 3,
                },
                1_000,
            )
            .unwrap()
    }

    fn sources(
        demo: Option<DemoEndpoint>,
        real: Option<RealConnection>,
        env: &[(&str, &str)],
    ) -> AppSources {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AppSources {
            demo,
            real,
            client: ClientConfig::default(),
            env: Box::new(move |name| env.get(name).cloned()),
            profile_keys: None,
        }
    }

    fn code(r: Result<Source, WsError>) -> ErrorCode {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.code,
        }
    }

    #[test]
    fn unconfigured_sources_fail_as_not_configured_without_leaking_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let mock = batch(&store, SourceKind::Mock, "http://127.0.0.1:9");
        let ws = batch(&store, SourceKind::Webservice, "http://127.0.0.1:5774");

        assert_eq!(
            code(sources(None, None, &[]).resolve(&mock)),
            ErrorCode::NotConfigured
        );
        assert_eq!(
            code(sources(None, None, &[]).resolve(&ws)),
            ErrorCode::NotConfigured
        );

        let real = RealConnection {
            url: "http://127.0.0.1:5774".into(),
            npsn: "20212345".into(),
            key_env: "SCHOOL_KEY".into(),
        };
        let err = sources(None, Some(real.clone()), &[("SCHOOL_KEY", "  ")])
            .resolve(&ws)
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::NotConfigured);
        assert!(
            err.detail.contains("SCHOOL_KEY"),
            "names the variable: {}",
            err.detail
        );

        let ok = sources(None, Some(real), &[("SCHOOL_KEY", "SECRET-KEY-123")])
            .resolve(&ws)
            .unwrap();
        assert_eq!(ok.describe(), "http://127.0.0.1:5774");
        assert!(!ok.describe().contains("SECRET"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn demo_mode_pulls_the_simulated_school_into_staging() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("demo.sqlite3")).unwrap();
        let demo = Demo::start(|name| {
            (name == crate::config::ENV_DEMO_STUDENTS).then(|| "40".to_string())
        })
        .unwrap();
        let resolver = sources(
            Some(DemoEndpoint {
                base_url: demo.base_url().into(),
                key: demo.key().into(),
            }),
            None,
            &[],
        );
        let worker =
            sync_core::worker::spawn_worker(store.clone(), Settings::default(), Arc::new(resolver));
        // A mock batch left by an earlier run points at a port that is gone: it still reaches this run's simulator.
        let queued = worker
            .enqueue(NewBatch {
                source: SourceKind::Mock,
                target: "http://127.0.0.1:9".into(),
                npsn: demo.npsn().into(),
                max_attempts: 3,
            })
            .await
            .unwrap();
        let done = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            worker.wait_terminal(queued.id),
        )
        .await
        .expect("the demo batch finishes within a minute")
        .unwrap();
        assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
        assert_eq!(done.counts["peserta_didik"].new, 40);
        assert_eq!(
            crate::state::latest_school_name(&store).unwrap().as_deref(),
            Some(demo.school_name())
        );
        worker.shutdown().await;
        demo.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn real_mode_reads_the_key_from_the_named_variable_when_the_batch_runs() {
        let sim = dapodik_sim::SimServer::start(dapodik_sim::SimConfig {
            key: "REAL-KEY-42".into(),
            students: 25,
            ..Default::default()
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("real.sqlite3")).unwrap();
        let real = RealConnection {
            url: sim.base_url(),
            npsn: sim.npsn().to_string(),
            key_env: "SCHOOL_WS_KEY".into(),
        };
        let resolver = sources(
            None,
            Some(real.clone()),
            &[("SCHOOL_WS_KEY", "REAL-KEY-42")],
        );
        let worker =
            sync_core::worker::spawn_worker(store.clone(), Settings::default(), Arc::new(resolver));
        let queued = worker
            .enqueue(NewBatch {
                source: SourceKind::Webservice,
                target: real.url.clone(),
                npsn: real.npsn.clone(),
                max_attempts: 3,
            })
            .await
            .unwrap();
        assert!(
            !queued.target.contains("REAL-KEY"),
            "the batch never holds the key"
        );
        let done = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            worker.wait_terminal(queued.id),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
        assert_eq!(done.counts["peserta_didik"].new, 25);
        worker.shutdown().await;
        sim.shutdown().await;
    }
}
