//! The app's [`SourceResolver`]: how the worker turns a batch into a data source.
//!
//! - `mock` batches go to this run's simulated Dapodik (demo mode), whatever port an older run used.
//! - `webservice` batches go to the configured URL with the key read, at that moment, from the
//!   environment variable named by `DAPODIK_SYNC_KEY_ENV` (the keychain replaces this later).
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

pub struct AppSources {
    pub demo: Option<DemoEndpoint>,
    pub real: Option<RealConnection>,
    pub client: ClientConfig,
    /// Reads an environment variable (the process environment in the app; a map in tests).
    pub env: Box<dyn Fn(&str) -> Option<String> + Send + Sync>,
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
                let real = self.real.as_ref().ok_or_else(|| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        "no Web Service connection configured",
                    )
                })?;
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
