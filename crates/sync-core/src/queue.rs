//! The sync queue's vocabulary: a batch (one pull of one school), its status, the error it ended with,
//! its per-entity counts, its attempts, and the backoff policy between retries.
//!
//! Pure types: the SQL that moves batches between states lives in [`crate::storage`].
//!
//! A batch's life: `PENDING` → (claimed) `RUNNING` → `SUCCEEDED` | `FAILED` | `CANCELLED`, or back to
//! `PENDING` after a retryable failure (with a backoff delay) or after a crash (recovered at start).
//! `FAILED` and `CANCELLED` batches go back to `PENDING` only when the operator asks ("Coba lagi").
//! Terminal batches always carry `finished_at`; the database enforces it.

use dapodik_webservice::{Entity, WsError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a batch's responses come from. Stored as its lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The in-process simulated Dapodik (Mode Demo).
    Mock,
    /// The school's real Dapodik Web Service over HTTP.
    Webservice,
    /// A capture folder replayed from disk.
    Replay,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [SourceKind::Mock, SourceKind::Webservice, SourceKind::Replay];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Mock => "mock",
            SourceKind::Webservice => "webservice",
            SourceKind::Replay => "replay",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The state of a batch. Stored as its upper-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BatchStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl BatchStatus {
    pub const ALL: [BatchStatus; 5] = [
        BatchStatus::Pending,
        BatchStatus::Running,
        BatchStatus::Succeeded,
        BatchStatus::Failed,
        BatchStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Pending => "PENDING",
            BatchStatus::Running => "RUNNING",
            BatchStatus::Succeeded => "SUCCEEDED",
            BatchStatus::Failed => "FAILED",
            BatchStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<BatchStatus> {
        BatchStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Succeeded, failed or cancelled: nothing more happens without the operator.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            BatchStatus::Succeeded | BatchStatus::Failed | BatchStatus::Cancelled
        )
    }

    /// The status as the operator reads it (Indonesian).
    pub fn label_id(self) -> &'static str {
        match self {
            BatchStatus::Pending => "Menunggu",
            BatchStatus::Running => "Berjalan",
            BatchStatus::Succeeded => "Berhasil",
            BatchStatus::Failed => "Gagal",
            BatchStatus::Cancelled => "Dibatalkan",
        }
    }
}

impl std::fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to enqueue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBatch {
    pub source: SourceKind,
    /// The Web Service base URL, the capture folder or the simulator's address. NEVER a key.
    pub target: String,
    pub npsn: String,
    /// Attempts before a retryable failure becomes final (at least 1).
    pub max_attempts: u32,
}

/// Why a batch (or one attempt of it) failed: a stable code, the operator's message (Indonesian),
/// and whether retrying can help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl BatchError {
    pub fn new(code: impl Into<String>, message: impl Into<String>, retryable: bool) -> Self {
        BatchError {
            code: code.into(),
            message: message.into(),
            retryable,
        }
    }

    /// The batch was RUNNING when the program stopped (crash, power cut, killed).
    pub fn interrupted() -> Self {
        BatchError::new(
            INTERRUPTED,
            "Sinkronisasi terhenti karena aplikasi ditutup atau komputer mati saat sinkronisasi berjalan. \
             Tidak ada data setengah jadi yang disimpan.",
            true,
        )
    }
}

/// Error code of an attempt cut short by a crash or a kill.
pub const INTERRUPTED: &str = "interrupted";
/// Error code of an attempt the operator cancelled.
pub const CANCELLED: &str = "cancelled";

impl From<&WsError> for BatchError {
    fn from(e: &WsError) -> Self {
        BatchError {
            code: e.code.as_str().to_string(),
            message: e.message().to_string(),
            retryable: e.retryable(),
        }
    }
}

impl From<WsError> for BatchError {
    fn from(e: WsError) -> Self {
        BatchError::from(&e)
    }
}

/// Staging rows of one entity by first-pass status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    #[serde(rename = "NEW", default)]
    pub new: u64,
    #[serde(rename = "MATCHED", default)]
    pub matched: u64,
    #[serde(rename = "CONFLICT", default)]
    pub conflict: u64,
    #[serde(rename = "REJECTED", default)]
    pub rejected: u64,
}

impl StatusCounts {
    pub fn total(&self) -> u64 {
        self.new + self.matched + self.conflict + self.rejected
    }
}

/// Per-entity counts of a batch, keyed by [`Entity::as_str`]. JSON:
/// `{"peserta_didik": {"NEW": 3, "MATCHED": 0, "CONFLICT": 0, "REJECTED": 1}, ...}`.
pub type Counts = BTreeMap<String, StatusCounts>;

/// Counts with all four entities present and zero.
pub fn empty_counts() -> Counts {
    Entity::ALL
        .into_iter()
        .map(|e| (e.as_str().to_string(), StatusCounts::default()))
        .collect()
}

/// One batch of the queue. Times are unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: i64,
    pub source: SourceKind,
    pub target: String,
    pub npsn: String,
    pub status: BatchStatus,
    /// Attempts used so far (a claim uses one).
    pub attempts: u32,
    pub max_attempts: u32,
    /// When a PENDING batch becomes due; `None` for other statuses.
    pub next_attempt_at: Option<i64>,
    /// The last failure (kept on a retried batch until it succeeds).
    pub error: Option<BatchError>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// All four entities always present.
    pub counts: Counts,
    /// Notes from the pull (Indonesian), e.g. an entity incomplete.
    pub notes: Vec<String>,
    pub semester_id: Option<String>,
}

/// One attempt of a batch, for the timeline. `error` is set when the attempt failed, was interrupted
/// (`interrupted`) or cancelled (`cancelled`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<BatchError>,
}

/// Delay between retries: exponential from `base_ms`, capped at `cap_ms`, with jitter.
///
/// For attempt `n` (1-based) the ceiling is `min(cap, base * 2^(n-1))`; the delay is drawn uniformly
/// from the upper half of it ("equal jitter"), and never below `base` nor above `cap`. So both bounds
/// grow with `n` until the cap, and simultaneous failures do not retry in lock-step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    pub base_ms: u64,
    pub cap_ms: u64,
}

impl Backoff {
    pub fn new(base_ms: u64, cap_ms: u64) -> Self {
        Backoff { base_ms, cap_ms }
    }

    /// `(lowest, highest)` delay for attempt `n` (1-based; 0 is treated as 1).
    pub fn bounds(&self, attempt: u32) -> (u64, u64) {
        let floor = self.base_ms.min(self.cap_ms);
        let shift = attempt.max(1) - 1;
        let ceiling = if shift >= 63 {
            self.cap_ms
        } else {
            self.base_ms.saturating_mul(1u64 << shift).min(self.cap_ms)
        };
        ((ceiling / 2).max(floor).min(ceiling), ceiling)
    }

    /// The delay after failed attempt `n`, with `jitter` in `[0, 1]` choosing within [`Backoff::bounds`].
    pub fn delay_with_jitter(&self, attempt: u32, jitter: f64) -> u64 {
        let (low, high) = self.bounds(attempt);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let d = low + ((high - low) as f64 * jitter).round() as u64;
        d.clamp(low, high)
    }

    /// The delay after failed attempt `n`, with random jitter.
    pub fn delay(&self, attempt: u32) -> u64 {
        self.delay_with_jitter(attempt, rand::random::<f64>())
    }
}

impl Default for Backoff {
    /// 5 s base, 10 min cap (the settings' defaults).
    fn default() -> Self {
        Backoff {
            base_ms: 5_000,
            cap_ms: 600_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for s in BatchStatus::ALL {
            assert_eq!(BatchStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
    }

    #[test]
    fn counts_serialise_with_status_names_and_all_entities() {
        let mut c = empty_counts();
        c.get_mut("peserta_didik").unwrap().new = 3;
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v["peserta_didik"],
            serde_json::json!({"NEW": 3, "MATCHED": 0, "CONFLICT": 0, "REJECTED": 0})
        );
        assert_eq!(v.as_object().unwrap().len(), 4);
    }

    #[test]
    fn ws_error_becomes_batch_error_with_indonesian_message() {
        let e = WsError::new(dapodik_webservice::ErrorCode::KeyNotRegistered, "detail");
        let b = BatchError::from(&e);
        assert_eq!(b.code, "key_not_registered");
        assert!(!b.retryable);
        assert!(b.message.contains("Kunci"));
    }

    #[test]
    fn backoff_first_attempt_is_at_least_base() {
        let b = Backoff::new(1000, 60_000);
        assert_eq!(b.bounds(1), (1000, 1000));
        assert_eq!(b.bounds(2), (1000, 2000));
        assert_eq!(b.bounds(3), (2000, 4000));
        assert_eq!(b.bounds(100), (30_000, 60_000));
    }

    proptest! {
        #[test]
        fn backoff_never_above_cap_and_never_below_base(base in 0u64..1_000_000, cap in 0u64..10_000_000, n in 0u32..200, j in 0.0f64..=1.0) {
            let b = Backoff::new(base, cap);
            let d = b.delay_with_jitter(n, j);
            prop_assert!(d <= cap);
            prop_assert!(d >= base.min(cap));
        }

        #[test]
        fn backoff_grows_with_attempts(base in 1u64..100_000, cap in 1u64..10_000_000, n in 1u32..100, j in 0.0f64..=1.0) {
            let b = Backoff::new(base, cap);
            prop_assert!(b.delay_with_jitter(n + 1, j) >= b.delay_with_jitter(n, j));
            let (lo1, hi1) = b.bounds(n);
            let (lo2, hi2) = b.bounds(n + 1);
            prop_assert!(lo2 >= lo1 && hi2 >= hi1);
        }

        #[test]
        fn random_delay_within_bounds(base in 0u64..1_000_000, cap in 0u64..10_000_000, n in 0u32..70) {
            let b = Backoff::new(base, cap);
            let (lo, hi) = b.bounds(n);
            let d = b.delay(n);
            prop_assert!(lo <= d && d <= hi);
        }
    }
}
