//! Dapodik Sync's core, without any Tauri: everything the CLI and the desktop shell share.
//!
//! - [`storage`]: the one SQLite file — opening it (pragmas, file mode, migrations), the `sync_batch`
//!   queue, staging rows and the register. All SQL of the product lives there.
//! - [`queue`]: batch types, statuses and the retry backoff (pure).
//! - [`staging`]: staging types and the first-pass reconciliation (pure).
//! - [`reconcile`]: matching cascade, three-way diff, data-quality findings (pure).
//! - [`worker`]: the background worker that claims batches, pulls and stages them.
//! - [`settings`]: settings from the environment.
//! - [`paths`]: default data and log folders.

pub mod paths;
pub mod queue;
pub mod reconcile;
pub mod settings;
pub mod staging;
pub mod storage;
pub mod worker;

pub use queue::{
    empty_counts, Attempt, Backoff, Batch, BatchError, BatchStatus, Counts, NewBatch, SourceKind,
    StatusCounts,
};
pub use staging::{
    StagingPage, StagingQuery, StagingRow, StagingRowSummary, StagingSort, StagingStatus,
};
pub use storage::{StageError, Store, StoreError};
