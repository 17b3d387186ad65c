//! Capture folders: one `<function>.body` per function, optional `<function>.status` (format in
//! `../shared/fixtures/dapodik/ws/README.md`). A missing `.body` file reads as a 404 (function missing).
//!
//! TODO(H1): reading (here) and writing (`write_capture`, used by `dapodik-sync capture`).

use crate::source::RawResponse;
use crate::{Function, WsError};
use std::path::{Path, PathBuf};

pub struct CaptureDir {
    path: PathBuf,
}

impl CaptureDir {
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, WsError> {
        let _ = path.into();
        todo!("H1")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn fetch(&self, function: Function) -> Result<RawResponse, WsError> {
        let _ = function;
        todo!("H1")
    }
}
