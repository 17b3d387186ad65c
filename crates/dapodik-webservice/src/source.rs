//! Where responses come from: the live Web Service ([`crate::client::WebServiceClient`]) or a capture
//! folder ([`crate::capture::CaptureDir`]). Both hand back the raw response; decoding is the same.
//!
//! A pull holds its responses as [`HeldResponse`]s: a body is either in memory or in a file (a large
//! body spooled to a private temporary folder while it was received, or a capture folder's own file),
//! read back only when its entity is decoded. So a pull of a big school never holds every body at once.

use crate::{ErrorCode, Function, WsError};
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// A response body as a pull holds it.
#[derive(Clone)]
pub enum HeldBody {
    Memory(bytes::Bytes),
    /// A file holding the body byte for byte, `len` bytes long when it was written.
    File {
        path: PathBuf,
        len: u64,
    },
}

/// A response as a pull holds it: status and a body in memory or in a file.
#[derive(Clone)]
pub struct HeldResponse {
    pub http_status: u16,
    pub body: HeldBody,
}

/// Status, size and file only: a body holds personal data and must not reach a log through `{:?}`.
impl std::fmt::Debug for HeldResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("HeldResponse");
        d.field("http_status", &self.http_status)
            .field("body_bytes", &self.body.len());
        if let HeldBody::File { path, .. } = &self.body {
            d.field("file", path);
        }
        d.finish()
    }
}

/// Path and size only: a body holds personal data and must not reach a log through `{:?}`.
impl std::fmt::Debug for HeldBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeldBody::Memory(b) => f.debug_tuple("Memory").field(&b.len()).finish(),
            HeldBody::File { path, len } => f
                .debug_struct("File")
                .field("path", path)
                .field("len", len)
                .finish(),
        }
    }
}

impl HeldBody {
    /// Size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            HeldBody::Memory(b) => b.len() as u64,
            HeldBody::File { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body (a file is read now; the caller drops it when done).
    pub fn load(&self) -> Result<bytes::Bytes, WsError> {
        match self {
            HeldBody::Memory(b) => Ok(b.clone()),
            HeldBody::File { path, .. } => std::fs::read(path)
                .map(bytes::Bytes::from)
                .map_err(|e| read_back_error(path, &e)),
        }
    }

    /// At most the first `max` bytes (all of a body in memory).
    pub fn head(&self, max: usize) -> Result<bytes::Bytes, WsError> {
        match self {
            HeldBody::Memory(b) => Ok(b.clone()),
            HeldBody::File { path, .. } => {
                let mut head = Vec::with_capacity(max.min(1 << 20));
                std::fs::File::open(path)
                    .and_then(|f| f.take(max as u64).read_to_end(&mut head))
                    .map_err(|e| read_back_error(path, &e))?;
                Ok(bytes::Bytes::from(head))
            }
        }
    }
}

fn read_back_error(path: &Path, e: &std::io::Error) -> WsError {
    // Retryable: fetching again writes the body again.
    WsError::new(
        ErrorCode::MalformedResponse,
        format!("response body file {} cannot be read: {e}", path.display()),
    )
}

impl From<RawResponse> for HeldResponse {
    fn from(r: RawResponse) -> Self {
        HeldResponse {
            http_status: r.http_status,
            body: HeldBody::Memory(r.body),
        }
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

    /// Fetch one function's response for a pull: a large HTTP body is spooled to a file in `spool`
    /// (a private folder the caller owns and deletes); a capture's body stays in its own file.
    pub async fn fetch_held(
        &self,
        function: Function,
        progress: &ProgressFn,
        spool: &Path,
    ) -> Result<HeldResponse, WsError> {
        match self {
            Source::Http(c) => c.fetch_spooled(function, progress, spool).await,
            Source::Capture(d) => d.fetch_held(function),
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
