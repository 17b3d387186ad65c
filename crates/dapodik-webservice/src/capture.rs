//! Capture folders: the raw responses of one pull kept on disk, for replay (demo, tests, support).
//!
//! Format (`../shared/fixtures/dapodik/ws/README.md`): one `<function>.body` per function holding the
//! raw body byte for byte, and optionally `<function>.status` holding the transport HTTP status as
//! decimal text (200 when absent). A missing `.body` file reads as a 404 (function missing in that
//! build). [`CaptureDir`] reads a folder; [`write_capture`] writes one (`dapodik-sync capture`).

use crate::source::{HeldBody, HeldResponse, RawResponse};
use crate::{ErrorCode, Function, WsError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct CaptureDir {
    path: PathBuf,
}

impl CaptureDir {
    /// Open an existing capture folder (`NotConfigured` when it is not a readable folder).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, WsError> {
        let path = path.into();
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(CaptureDir { path }),
            Ok(_) => Err(WsError::new(
                ErrorCode::NotConfigured,
                format!("capture path is not a folder: {}", path.display()),
            )),
            Err(e) => Err(WsError::new(
                ErrorCode::NotConfigured,
                format!("capture folder {} cannot be opened: {e}", path.display()),
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The body file of `function` in this folder.
    pub fn body_path(&self, function: Function) -> PathBuf {
        self.path.join(format!("{}.body", function.name()))
    }

    /// The status file of `function` in this folder.
    pub fn status_path(&self, function: Function) -> PathBuf {
        self.path.join(format!("{}.status", function.name()))
    }

    /// The captured response of `function`: its body and status; a missing body is a 404.
    pub fn fetch(&self, function: Function) -> Result<RawResponse, WsError> {
        let body = match std::fs::read(self.body_path(function)) {
            Ok(body) => body,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(RawResponse {
                    http_status: 404,
                    body: bytes::Bytes::new(),
                });
            }
            Err(e) => {
                return Err(WsError::new(
                    ErrorCode::NotConfigured,
                    format!(
                        "capture file {} cannot be read: {e}",
                        self.body_path(function).display()
                    ),
                ))
            }
        };
        let http_status = self.status(function)?;
        Ok(RawResponse {
            http_status,
            body: bytes::Bytes::from(body),
        })
    }

    /// The captured response of `function` for a pull: the body stays in its file, read back when
    /// its entity is decoded; a missing body is a 404.
    pub fn fetch_held(&self, function: Function) -> Result<HeldResponse, WsError> {
        let path = self.body_path(function);
        let len = match std::fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(HeldResponse {
                    http_status: 404,
                    body: HeldBody::Memory(bytes::Bytes::new()),
                });
            }
            Err(e) => {
                return Err(WsError::new(
                    ErrorCode::NotConfigured,
                    format!("capture file {} cannot be read: {e}", path.display()),
                ))
            }
        };
        Ok(HeldResponse {
            http_status: self.status(function)?,
            body: HeldBody::File { path, len },
        })
    }

    /// The transport status of `function` (200 without a `.status` file).
    fn status(&self, function: Function) -> Result<u16, WsError> {
        match std::fs::read_to_string(self.status_path(function)) {
            Ok(text) => parse_status(text.trim()).ok_or_else(|| {
                WsError::new(
                    ErrorCode::MalformedResponse,
                    format!(
                        "capture file {} does not hold an HTTP status",
                        self.status_path(function).display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(200),
            Err(e) => Err(WsError::new(
                ErrorCode::NotConfigured,
                format!(
                    "capture file {} cannot be read: {e}",
                    self.status_path(function).display()
                ),
            )),
        }
    }
}

fn parse_status(text: &str) -> Option<u16> {
    let code: u16 = text.parse().ok()?;
    (100..=599).contains(&code).then_some(code)
}

/// Write `responses` as a capture folder at `dir` (created when missing). A 200 response gets no
/// `.status` file (and a stale one from an earlier capture is removed); any other status gets one.
pub fn write_capture(dir: &Path, responses: &[(Function, RawResponse)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (function, response) in responses {
        let body_path = dir.join(format!("{}.body", function.name()));
        let status_path = dir.join(format!("{}.status", function.name()));
        std::fs::write(&body_path, &response.body)?;
        if response.http_status == 200 {
            match std::fs::remove_file(&status_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        } else {
            std::fs::write(&status_path, format!("{}\n", response.http_status))?;
        }
    }
    Ok(())
}
