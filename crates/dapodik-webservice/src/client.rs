//! The HTTP client for the live Web Service: `GET {base}/WebService/{function}?npsn={npsn}` with
//! `Authorization: Bearer {key}`.
//!
//! TODO(H1): reqwest client with a short connect timeout and a long read timeout (≥120 s, configurable),
//! a response size cap (`ResponseTooLarge`), progress via the callback while streaming the body,
//! mapping of connect errors → `DapodikUnreachable`, timeouts → `Timeout`. The key is never logged.

use crate::source::{ProgressFn, RawResponse};
use crate::{Function, WsError};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub max_response_bytes: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(180),
            max_response_bytes: 512 * 1024 * 1024,
        }
    }
}

pub struct WebServiceClient {
    base_url: String,
    npsn: String,
    key: String,
    config: ClientConfig,
    http: reqwest::Client,
}

impl std::fmt::Debug for WebServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebServiceClient").field("base_url", &self.base_url).field("npsn", &self.npsn).field("key", &"<redacted>").finish()
    }
}

impl WebServiceClient {
    /// `base_url` like `http://127.0.0.1:5774` (a trailing slash is tolerated).
    pub fn new(base_url: &str, npsn: &str, key: &str, config: ClientConfig) -> Result<Self, WsError> {
        let _ = (base_url, npsn, key, config);
        todo!("H1")
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn npsn(&self) -> &str {
        &self.npsn
    }

    pub async fn fetch(&self, function: Function, progress: &ProgressFn) -> Result<RawResponse, WsError> {
        let _ = (function, progress, &self.key, &self.config, &self.http);
        todo!("H1")
    }
}
