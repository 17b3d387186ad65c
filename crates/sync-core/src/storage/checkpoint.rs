//! Checkpoints: copying the write-ahead log back into the database file.
//!
//! SQLite does this by itself when a commit leaves the WAL longer than 1000 pages — inside that commit.
//! Staging 100,000 rows writes ~150 MB of WAL, and checkpointing it inside `stage_pull` would add
//! about a fifth to the time the operator waits for the batch. So the staging commit is made with
//! the automatic checkpoint off, and a passive checkpoint then runs on a thread of its own, on its own
//! connection, while the batch is already visible. Readers and writers are not blocked by it; a later
//! commit checkpoints as usual if this one has not finished.

use super::open::open_checkpoint_connection;
use super::{Inner, Store, StoreError};

/// Pages of WAL after which a commit checkpoints by itself (SQLite's default).
pub(super) const AUTOCHECKPOINT_PAGES: i64 = 1000;

impl Store {
    /// Start a passive checkpoint in the background, unless one is still running.
    pub(super) fn checkpoint_in_background(&self) {
        let mut slot = self
            .inner
            .checkpoint
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let path = self.inner.path.clone();
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let result = open_checkpoint_connection(&path).and_then(|conn| {
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                        ))
                    })
                });
                match result {
                    Ok((busy, log, done)) => {
                        tracing::debug!(busy, log, done, "background checkpoint")
                    }
                    Err(e) => tracing::warn!(error = %e, "background checkpoint failed"),
                }
            });
        match spawned {
            Ok(handle) => *slot = Some(handle),
            Err(e) => tracing::warn!(error = %e, "could not start the background checkpoint"),
        }
    }

    /// Wait for a background checkpoint, then checkpoint whatever is left (passive: never blocks
    /// readers or writers). Returns `(WAL frames, frames checkpointed)`. For shutdown and tests.
    pub fn checkpoint(&self) -> Result<(i64, i64), StoreError> {
        let handle = self
            .inner
            .checkpoint
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
        let conn = self.conn();
        let (log, done) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
        Ok((log, done))
    }
}

impl Drop for Inner {
    /// The last clone of the store waits for its background checkpoint (an interrupted passive
    /// checkpoint is harmless, but a finished one leaves a short WAL for the next start).
    fn drop(&mut self) {
        if let Some(h) = self
            .checkpoint
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = h.join();
        }
    }
}
