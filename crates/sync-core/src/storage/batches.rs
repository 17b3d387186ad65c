//! The `sync_batch` queue and its `sync_attempt` timeline.
//!
//! Every transition is one short IMMEDIATE transaction that checks the current status, so two
//! processes sharing the file cannot both move the same batch. The claim is one
//! `UPDATE … RETURNING` statement.

use super::{Store, StoreError};
use crate::queue::{
    empty_counts, Attempt, Backoff, Batch, BatchError, BatchStatus, Counts, NewBatch, SourceKind,
};
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

/// The columns [`batch_from_row`] reads, in order.
pub(super) const BATCH_COLUMNS: &str = "id, source, target, npsn, status, attempts, max_attempts, next_attempt_at, \
     error_code, error_message, error_retryable, created_at, started_at, finished_at, counts, notes, semester_id";

fn corrupt(column: usize, what: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        Box::new(StoreError::Corrupt(what.into())),
    )
}

pub(super) fn batch_from_row(r: &Row<'_>) -> rusqlite::Result<Batch> {
    let source: String = r.get(1)?;
    let status: String = r.get(4)?;
    let error_code: Option<String> = r.get(8)?;
    let error_message: Option<String> = r.get(9)?;
    let error_retryable: Option<bool> = r.get(10)?;
    let counts_json: String = r.get(14)?;
    let notes_json: String = r.get(15)?;
    let mut counts = empty_counts();
    let stored: Counts =
        serde_json::from_str(&counts_json).map_err(|e| corrupt(14, format!("counts: {e}")))?;
    counts.extend(stored);
    Ok(Batch {
        id: r.get(0)?,
        source: SourceKind::parse(&source)
            .ok_or_else(|| corrupt(1, format!("source {source:?}")))?,
        target: r.get(2)?,
        npsn: r.get(3)?,
        status: BatchStatus::parse(&status)
            .ok_or_else(|| corrupt(4, format!("status {status:?}")))?,
        attempts: r.get(5)?,
        max_attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        error: error_code.map(|code| BatchError {
            code,
            message: error_message.unwrap_or_default(),
            retryable: error_retryable.unwrap_or(false),
        }),
        created_at: r.get(11)?,
        started_at: r.get(12)?,
        finished_at: r.get(13)?,
        counts,
        notes: serde_json::from_str(&notes_json).map_err(|e| corrupt(15, format!("notes: {e}")))?,
        semester_id: r.get(16)?,
    })
}

/// Unwrap a row-conversion failure back into the [`StoreError::Corrupt`] it carries.
pub(super) fn store_error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::FromSqlConversionFailure(_, _, inner) => {
            match inner.downcast::<StoreError>() {
                Ok(se) => *se,
                Err(other) => StoreError::Corrupt(other.to_string()),
            }
        }
        other => StoreError::Sqlite(other),
    }
}

pub(super) fn load_batch(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<Option<Batch>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {BATCH_COLUMNS} FROM sync_batch WHERE id = ?1"
    ))?
    .query_row([id], batch_from_row)
    .optional()
    .map_err(store_error)
}

pub(super) fn require_batch(conn: &rusqlite::Connection, id: i64) -> Result<Batch, StoreError> {
    load_batch(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("batch {id}")))
}

fn pending_for(
    tx: &Transaction<'_>,
    source: SourceKind,
    target: &str,
    npsn: &str,
) -> Result<Option<Batch>, StoreError> {
    tx.prepare_cached(&format!(
        "SELECT {BATCH_COLUMNS} FROM sync_batch WHERE status = 'PENDING' AND source = ?1 AND target = ?2 AND npsn = ?3"
    ))?
    .query_row(params![source.as_str(), target, npsn], batch_from_row)
    .optional()
    .map_err(store_error)
}

/// Close the batch's open attempt (if any) with `error`.
pub(super) fn close_attempt(
    tx: &Transaction<'_>,
    batch_id: i64,
    now_ms: i64,
    error: Option<&BatchError>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE sync_attempt SET finished_at = ?2, error_code = ?3, error_message = ?4, error_retryable = ?5 \
         WHERE batch_id = ?1 AND finished_at IS NULL",
    )?
    .execute(params![
        batch_id,
        now_ms,
        error.map(|e| e.code.as_str()),
        error.map(|e| e.message.as_str()),
        error.map(|e| e.retryable)
    ])?;
    Ok(())
}

fn returning(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Batch, StoreError> {
    tx.prepare_cached(&format!("{sql} RETURNING {BATCH_COLUMNS}"))?
        .query_row(params, batch_from_row)
        .map_err(store_error)
}

impl Store {
    /// "Sinkronkan sekarang": add a batch, due now. Idempotent per (source, target, npsn): when a batch
    /// for the same school and source is already RUNNING, that batch is returned (its data are being
    /// pulled right now); when one is PENDING — possibly waiting out a backoff — it is made due now and
    /// returned. Nothing is added in either case.
    pub fn enqueue(&self, new: &NewBatch, now_ms: i64) -> Result<Batch, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open = tx
            .prepare_cached(&format!(
                "SELECT {BATCH_COLUMNS} FROM sync_batch WHERE status IN ('PENDING', 'RUNNING') \
                 AND source = ?1 AND target = ?2 AND npsn = ?3 ORDER BY status = 'RUNNING' DESC, id LIMIT 1"
            ))?
            .query_row(params![new.source.as_str(), new.target, new.npsn], batch_from_row)
            .optional()
            .map_err(store_error)?;
        let batch = match open {
            Some(b) if b.status == BatchStatus::Pending => returning(
                &tx,
                "UPDATE sync_batch SET next_attempt_at = MIN(COALESCE(next_attempt_at, ?2), ?2) WHERE id = ?1",
                params![b.id, now_ms],
            )?,
            Some(b) => b,
            None => {
                let counts = serde_json::to_string(&empty_counts()).expect("counts serialise");
                returning(
                    &tx,
                    "INSERT INTO sync_batch (source, target, npsn, status, attempts, max_attempts, next_attempt_at, \
                     created_at, counts, notes) VALUES (?1, ?2, ?3, 'PENDING', 0, ?4, ?5, ?5, ?6, '[]')",
                    params![new.source.as_str(), new.target, new.npsn, new.max_attempts.max(1), now_ms, counts],
                )?
            }
        };
        tx.commit()?;
        Ok(batch)
    }

    /// Claim the earliest due PENDING batch: it becomes RUNNING, uses one attempt, and a `sync_attempt`
    /// row opens. `None` when nothing is due.
    pub fn claim_next(&self, now_ms: i64) -> Result<Option<Batch>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claimed = tx
            .prepare_cached(&format!(
                "UPDATE sync_batch SET status = 'RUNNING', attempts = attempts + 1, started_at = ?1, \
                 next_attempt_at = NULL \
                 WHERE id = (SELECT id FROM sync_batch WHERE status = 'PENDING' AND next_attempt_at <= ?1 \
                             ORDER BY next_attempt_at, id LIMIT 1) \
                 RETURNING {BATCH_COLUMNS}"
            ))?
            .query_row([now_ms], batch_from_row)
            .optional()
            .map_err(store_error)?;
        if let Some(b) = &claimed {
            tx.prepare_cached(
                "INSERT INTO sync_attempt (batch_id, number, started_at) \
                 VALUES (?1, (SELECT COALESCE(MAX(number), 0) + 1 FROM sync_attempt WHERE batch_id = ?1), ?2)",
            )?
            .execute(params![b.id, now_ms])?;
        }
        tx.commit()?;
        Ok(claimed)
    }

    /// At start: batches left RUNNING by a process that died go back to PENDING, due now — or to FAILED
    /// when their attempts are used up, or when another PENDING batch for the same school already
    /// exists. Their open attempt is closed as `interrupted`. Returns the recovered batch ids.
    pub fn recover_interrupted(&self, now_ms: i64) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let running: Vec<Batch> = tx
            .prepare(&format!(
                "SELECT {BATCH_COLUMNS} FROM sync_batch WHERE status = 'RUNNING' ORDER BY id"
            ))?
            .query_map([], batch_from_row)?
            .collect::<Result<_, _>>()
            .map_err(store_error)?;
        let error = BatchError::interrupted();
        for b in &running {
            close_attempt(&tx, b.id, now_ms, Some(&error))?;
            let can_retry = b.attempts < b.max_attempts
                && pending_for(&tx, b.source, &b.target, &b.npsn)?.is_none();
            let sql = if can_retry {
                "UPDATE sync_batch SET status = 'PENDING', next_attempt_at = ?2, error_code = ?3, \
                 error_message = ?4, error_retryable = ?5 WHERE id = ?1"
            } else {
                "UPDATE sync_batch SET status = 'FAILED', finished_at = ?2, error_code = ?3, \
                 error_message = ?4, error_retryable = ?5 WHERE id = ?1"
            };
            tx.execute(
                sql,
                params![b.id, now_ms, error.code, error.message, error.retryable],
            )?;
        }
        tx.commit()?;
        Ok(running.into_iter().map(|b| b.id).collect())
    }

    /// Record that the RUNNING batch's attempt failed with `error`. Retryable with attempts left →
    /// PENDING, due `now + backoff.delay(attempts)`; otherwise (not retryable, attempts used up, or
    /// another PENDING batch for the same school exists) → FAILED. Not RUNNING → `InvalidTransition`
    /// (e.g. it was cancelled meanwhile).
    pub fn record_failure(
        &self,
        batch_id: i64,
        error: &BatchError,
        now_ms: i64,
        backoff: &Backoff,
    ) -> Result<Batch, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let b = require_batch(&tx, batch_id)?;
        if b.status != BatchStatus::Running {
            return Err(StoreError::InvalidTransition {
                batch_id,
                from: b.status,
                action: "record_failure",
            });
        }
        close_attempt(&tx, batch_id, now_ms, Some(error))?;
        let retry = error.retryable
            && b.attempts < b.max_attempts
            && pending_for(&tx, b.source, &b.target, &b.npsn)?.is_none();
        let batch = if retry {
            let due = now_ms.saturating_add(backoff.delay(b.attempts).min(i64::MAX as u64) as i64);
            returning(
                &tx,
                "UPDATE sync_batch SET status = 'PENDING', next_attempt_at = ?2, error_code = ?3, \
                 error_message = ?4, error_retryable = ?5 WHERE id = ?1",
                params![batch_id, due, error.code, error.message, error.retryable],
            )?
        } else {
            returning(
                &tx,
                "UPDATE sync_batch SET status = 'FAILED', finished_at = ?2, next_attempt_at = NULL, \
                 error_code = ?3, error_message = ?4, error_retryable = ?5 WHERE id = ?1",
                params![batch_id, now_ms, error.code, error.message, error.retryable],
            )?
        };
        tx.commit()?;
        Ok(batch)
    }

    /// PENDING or RUNNING → CANCELLED (an open attempt is closed as `cancelled`). The worker aborts an
    /// in-flight pull; its staging, if it gets that far, is refused because the batch is no longer RUNNING.
    pub fn cancel(&self, batch_id: i64, now_ms: i64) -> Result<Batch, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let b = require_batch(&tx, batch_id)?;
        if !matches!(b.status, BatchStatus::Pending | BatchStatus::Running) {
            return Err(StoreError::InvalidTransition {
                batch_id,
                from: b.status,
                action: "cancel",
            });
        }
        let cancelled = BatchError::new(
            crate::queue::CANCELLED,
            "Sinkronisasi dibatalkan oleh operator.",
            false,
        );
        close_attempt(&tx, batch_id, now_ms, Some(&cancelled))?;
        let batch = returning(
            &tx,
            "UPDATE sync_batch SET status = 'CANCELLED', finished_at = ?2, next_attempt_at = NULL WHERE id = ?1",
            params![batch_id, now_ms],
        )?;
        tx.commit()?;
        Ok(batch)
    }

    /// FAILED or CANCELLED → PENDING, due now, attempts reset to 0 (the timeline keeps the old attempts).
    /// When another PENDING batch for the same school exists, that batch is returned instead and this
    /// one stays as it is.
    pub fn retry(&self, batch_id: i64, now_ms: i64) -> Result<Batch, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let b = require_batch(&tx, batch_id)?;
        if !matches!(b.status, BatchStatus::Failed | BatchStatus::Cancelled) {
            return Err(StoreError::InvalidTransition {
                batch_id,
                from: b.status,
                action: "retry",
            });
        }
        let batch = match pending_for(&tx, b.source, &b.target, &b.npsn)? {
            Some(existing) => existing,
            None => returning(
                &tx,
                "UPDATE sync_batch SET status = 'PENDING', attempts = 0, next_attempt_at = ?2, finished_at = NULL \
                 WHERE id = ?1",
                params![batch_id, now_ms],
            )?,
        };
        tx.commit()?;
        Ok(batch)
    }

    pub fn batch(&self, id: i64) -> Result<Option<Batch>, StoreError> {
        load_batch(&self.conn(), id)
    }

    /// The newest `limit` batches, newest first.
    pub fn batches(&self, limit: usize) -> Result<Vec<Batch>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM sync_batch ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit.min(i64::MAX as usize) as i64], batch_from_row)?;
        rows.collect::<Result<_, _>>().map_err(store_error)
    }

    /// The attempts of a batch, oldest first.
    pub fn attempts(&self, batch_id: i64) -> Result<Vec<Attempt>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT number, started_at, finished_at, error_code, error_message, error_retryable \
             FROM sync_attempt WHERE batch_id = ?1 ORDER BY number",
        )?;
        let rows = stmt.query_map([batch_id], |r| {
            let code: Option<String> = r.get(3)?;
            let message: Option<String> = r.get(4)?;
            let retryable: Option<bool> = r.get(5)?;
            Ok(Attempt {
                number: r.get(0)?,
                started_at: r.get(1)?,
                finished_at: r.get(2)?,
                error: code.map(|code| BatchError {
                    code,
                    message: message.unwrap_or_default(),
                    retryable: retryable.unwrap_or(false),
                }),
            })
        })?;
        rows.collect::<Result<_, _>>().map_err(store_error)
    }

    /// When the earliest PENDING batch is due (it may be in the past), or `None` when nothing is pending.
    pub fn next_due_at(&self) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        let due = conn
            .prepare_cached("SELECT MIN(next_attempt_at) FROM sync_batch WHERE status = 'PENDING'")?
            .query_row([], |r| r.get(0))?;
        Ok(due)
    }
}
