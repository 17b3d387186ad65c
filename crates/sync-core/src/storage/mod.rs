//! The one SQLite file of Dapodik Sync and every SQL statement of the product.
//!
//! [`Store::open`] is the only place a connection is opened (WAL, foreign keys, busy timeout,
//! `synchronous=FULL`, owner-only file mode, migrations from `migrations/*.sql`). The store is shared
//! between threads as one connection behind a mutex: SQLite serialises writers anyway, and every
//! operation is short except [`Store::stage_pull`], which the worker runs on a blocking thread.
//!
//! - [`open`]: opening, pragmas, file mode, migrations, the newer-schema refusal;
//! - [`batches`]: the `sync_batch` queue and its `sync_attempt` timeline;
//! - [`staging`]: staging a pull in one transaction, paging staging rows;
//! - [`checkpoint`]: copying the WAL back into the database file after a staging, off the caller's
//!   path;
//! - [`register`]: the local register (base, local edits, provenance) that staging is reconciled against;
//! - [`resolution`]: the staging detail, the operator's decisions and the apply (one transaction);
//! - [`audit`]: the audit log of every applied change and local edit;
//! - [`profiles`]: connection profiles, app preferences and SSO access refusals (no secrets).

mod audit;
mod batches;
mod checkpoint;
mod open;
mod profiles;
mod register;
mod resolution;
mod review_pages;
mod staging;

use crate::queue::BatchStatus;
use dapodik_webservice::WsError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub use audit::{AuditAction, AuditEntry, AuditFilter, AuditPage};
pub use open::{schema_version, ConnectionSettings, BUSY_TIMEOUT};
pub use profiles::{
    base_url, AccessRefusal, ConnectionCheck, ConnectionProfile, DecisionsWaiting, ProfileInput,
    ProfileKind, DEFAULT_WEBSERVICE_PORT,
};
pub use register::{Provenance, RegisterPage, RegisterQuery, RegisterRecord, RegisterSort};
pub use resolution::{
    ApplyReport, ApplyRequest, Decision, Resolution, RowKind, Skipped, StagingDetail,
};
pub use review_pages::{AuditSearch, RegisterView, RelatedRecord};
pub use staging::EntityRecords;

/// The database. Cheap to clone; all clones share one connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// The background checkpoint after a staging commit, if one was started.
    checkpoint: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll back on
        // drop), so a poisoned lock is still safe to use.
        self.inner.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file was written by a newer Dapodik Sync; it is left untouched.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    NewerSchema { found: usize, supported: usize },
    #[error("not found: {0}")]
    NotFound(String),
    /// The batch is not in a state that allows the action.
    #[error("batch {batch_id} is {from}: cannot {action}")]
    InvalidTransition {
        batch_id: i64,
        from: BatchStatus,
        action: &'static str,
    },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("migration: {0}")]
    Migration(String),
    /// A stored value this build cannot read (e.g. an unknown status).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The operator asked for something the rules do not allow (the message, in Indonesian, says why).
    #[error("refused: {0}")]
    Refused(String),
}

impl StoreError {
    /// A stable code for the CLI and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NewerSchema { .. } => "database_newer",
            StoreError::NotFound(_) => "not_found",
            StoreError::InvalidTransition { .. } => "invalid_transition",
            StoreError::Sqlite(e) if is_busy(e) => "database_busy",
            StoreError::Sqlite(_) => "database",
            StoreError::Io(_) => "io",
            StoreError::Migration(_) => "migration",
            StoreError::Corrupt(_) => "database_corrupt",
            StoreError::Refused(_) => "refused",
        }
    }

    /// What happened and what to do, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            StoreError::NewerSchema { found, supported } => format!(
                "Basis data ini dibuat oleh versi Dapodik Sync yang lebih baru (skema {found}, versi ini \
                 mendukung sampai {supported}). Perbarui aplikasi; basis data tidak diubah."
            ),
            StoreError::NotFound(what) => format!("Data tidak ditemukan: {what}."),
            StoreError::Refused(why) => why.clone(),
            StoreError::InvalidTransition { batch_id, from, action } => format!(
                "Batch {batch_id} berstatus {} sehingga tidak dapat {}.",
                from.label_id(),
                action_id(action)
            ),
            StoreError::Sqlite(e) if is_busy(e) => {
                "Basis data sedang dipakai proses lain. Tutup aplikasi Dapodik Sync yang lain lalu coba lagi."
                    .to_string()
            }
            StoreError::Sqlite(_) | StoreError::Corrupt(_) => {
                "Galat pada basis data lokal. Coba lagi; jika terus terjadi, periksa ruang disk dan hubungi \
                 dukungan dengan berkas log."
                    .to_string()
            }
            StoreError::Io(_) => {
                "Berkas basis data tidak dapat dibuat atau dibaca. Periksa izin folder data dan ruang disk."
                    .to_string()
            }
            StoreError::Migration(_) => {
                "Struktur basis data tidak dapat diperbarui. Basis data tidak diubah; hubungi dukungan dengan \
                 berkas log."
                    .to_string()
            }
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn action_id(action: &str) -> &'static str {
    match action {
        "cancel" => "dibatalkan",
        "retry" => "dicoba lagi",
        "record_failure" => "dicatat gagal",
        "stage" => "disimpan ke staging",
        "apply" => "diterapkan ke register",
        _ => "diproses",
    }
}

/// Staging a pull failed: the pull's own error, or the database's. Nothing was staged.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error(transparent)]
    Ws(#[from] WsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl StageError {
    pub fn code(&self) -> &'static str {
        match self {
            StageError::Ws(e) => e.code.as_str(),
            StageError::Store(e) => e.code(),
        }
    }
}

impl From<rusqlite::Error> for StageError {
    fn from(e: rusqlite::Error) -> Self {
        StageError::Store(StoreError::Sqlite(e))
    }
}

impl From<&StageError> for crate::queue::BatchError {
    fn from(e: &StageError) -> Self {
        match e {
            StageError::Ws(w) => w.into(),
            // A database fault is not fixed by retrying the same batch on a timer; the operator retries.
            StageError::Store(s) => crate::queue::BatchError::new(s.code(), s.message_id(), false),
        }
    }
}
