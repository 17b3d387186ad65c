//! Where responses come from: the live Web Service ([`crate::client::WebServiceClient`]) or a capture
//! folder ([`crate::capture::CaptureDir`]). Both hand back the raw response; decoding is the same.

use crate::{Function, WsError};

/// A raw response, before decoding.
#[derive(Clone)]
pub struct RawResponse {
    pub http_status: u16,
    pub body: bytes::Bytes,
}

/// Status and size only: a body holds personal data and must not reach a log through `{:?}`.
impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("http_status", &self.http_status)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// Progress while a response is received (for the progress bar): bytes so far for one function.
pub type ProgressFn = dyn Fn(Function, u64) + Send + Sync;

#[derive(Debug)]
pub enum Source {
    Http(crate::client::WebServiceClient),
    Capture(crate::capture::CaptureDir),
}

impl Source {
    /// Fetch one function's raw response.
    pub async fn fetch(
        &self,
        function: Function,
        progress: &ProgressFn,
    ) -> Result<RawResponse, WsError> {
        match self {
            Source::Http(c) => c.fetch(function, progress).await,
            Source::Capture(d) => d.fetch(function),
        }
    }

    /// A description safe to store and show (URL without key, or folder path).
    pub fn describe(&self) -> String {
        match self {
            Source::Http(c) => c.base_url().to_string(),
            Source::Capture(d) => d.path().display().to_string(),
        }
    }
}
