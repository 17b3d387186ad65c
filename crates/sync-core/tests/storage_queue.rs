//! The sync_batch queue: every transition, crash recovery, and the attempt timeline.

mod storage_support;

use storage_support::*;
use sync_core::{Backoff, BatchError, BatchStatus, NewBatch, SourceKind, Store, StoreError};

fn retryable() -> BatchError {
    BatchError::new(
        "dapodik_unreachable",
        "Aplikasi Dapodik tidak dapat dihubungi.",
        true,
    )
}

fn config_error() -> BatchError {
    BatchError::new(
        "key_not_registered",
        "Kunci Web Service tidak terdaftar.",
        false,
    )
}

const BACKOFF: Backoff = Backoff {
    base_ms: 1_000,
    cap_ms: 60_000,
};

#[test]
fn enqueue_is_idempotent_per_source_target_npsn() {
    let (_dir, store) = new_store();
    let a = store.enqueue(&new_batch("20212345"), 100).unwrap();
    assert_eq!(a.status, BatchStatus::Pending);
    assert_eq!(a.attempts, 0);
    assert_eq!(a.next_attempt_at, Some(100));
    assert_eq!(a.created_at, 100);
    assert_eq!(a.counts.len(), 4, "all four entities present");
    let again = store.enqueue(&new_batch("20212345"), 200).unwrap();
    assert_eq!(again.id, a.id);
    assert_eq!(again.created_at, 100);
    // Another school, or another source, is another batch.
    let other = store.enqueue(&new_batch("20299999"), 300).unwrap();
    assert_ne!(other.id, a.id);
    let replay = store
        .enqueue(
            &NewBatch {
                source: SourceKind::Replay,
                target: "/tmp/cap".into(),
                npsn: "20212345".into(),
                max_attempts: 1,
            },
            300,
        )
        .unwrap();
    assert_ne!(replay.id, a.id);
    assert_eq!(store.batches(10).unwrap().len(), 3);
    // While the first is running, "sync now" for the same school returns the running batch.
    assert_eq!(store.claim_next(400).unwrap().unwrap().id, a.id);
    let during = store.enqueue(&new_batch("20212345"), 500).unwrap();
    assert_eq!(during.id, a.id);
    assert_eq!(during.status, BatchStatus::Running);
    assert_eq!(store.batches(10).unwrap().len(), 3);
}

#[test]
fn sync_now_makes_a_batch_waiting_out_its_backoff_due_now() {
    let (_dir, store) = new_store();
    let a = store.enqueue(&new_batch("20212345"), 100).unwrap();
    store.claim_next(100).unwrap().unwrap();
    let err = BatchError {
        code: "timeout".into(),
        message: "m".into(),
        retryable: true,
    };
    let backoff = Backoff {
        base_ms: 60_000,
        cap_ms: 600_000,
    };
    let waiting = store.record_failure(a.id, &err, 200, &backoff).unwrap();
    assert_eq!(waiting.status, BatchStatus::Pending);
    assert!(waiting.next_attempt_at.unwrap() > 1_000, "backing off");
    let now = store.enqueue(&new_batch("20212345"), 300).unwrap();
    assert_eq!(now.id, a.id, "no second batch");
    assert_eq!(now.next_attempt_at, Some(300), "due now");
    assert_eq!(store.claim_next(300).unwrap().unwrap().id, a.id);
}

#[test]
fn claim_takes_the_earliest_due_and_opens_an_attempt() {
    let (_dir, store) = new_store();
    assert!(store.claim_next(0).unwrap().is_none());
    let a = store.enqueue(&new_batch("20200001"), 10).unwrap();
    let b = store.enqueue(&new_batch("20200002"), 5).unwrap();
    let first = store.claim_next(20).unwrap().unwrap();
    assert_eq!(first.id, b.id, "earliest next_attempt_at first");
    assert_eq!(first.status, BatchStatus::Running);
    assert_eq!(first.attempts, 1);
    assert_eq!(first.started_at, Some(20));
    assert_eq!(first.next_attempt_at, None);
    let second = store.claim_next(20).unwrap().unwrap();
    assert_eq!(second.id, a.id);
    assert!(
        store.claim_next(20).unwrap().is_none(),
        "a RUNNING batch is never claimed twice"
    );
    let attempts = store.attempts(b.id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].number, 1);
    assert_eq!(attempts[0].started_at, 20);
    assert_eq!(attempts[0].finished_at, None);
}

#[test]
fn claim_respects_next_attempt_at() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 1_000);
    let failed = store
        .record_failure(b.id, &retryable(), 2_000, &BACKOFF)
        .unwrap();
    let due = failed.next_attempt_at.unwrap();
    assert!(due > 2_000);
    assert_eq!(store.next_due_at().unwrap(), Some(due));
    assert!(store.claim_next(due - 1).unwrap().is_none(), "not due yet");
    let again = store.claim_next(due).unwrap().unwrap();
    assert_eq!(again.id, b.id);
    assert_eq!(again.attempts, 2);
    assert_eq!(store.next_due_at().unwrap(), None);
}

#[test]
fn retryable_failure_goes_back_to_pending_with_backoff_within_bounds() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 1_000);
    let after = store
        .record_failure(b.id, &retryable(), 2_000, &BACKOFF)
        .unwrap();
    assert_eq!(after.status, BatchStatus::Pending);
    assert_eq!(after.finished_at, None);
    assert_eq!(after.error.as_ref().unwrap().code, "dapodik_unreachable");
    assert!(after.error.as_ref().unwrap().retryable);
    let delay = after.next_attempt_at.unwrap() - 2_000;
    assert!(
        (BACKOFF.base_ms as i64..=BACKOFF.cap_ms as i64).contains(&delay),
        "delay {delay}"
    );
    let (lo, hi) = BACKOFF.bounds(1);
    assert!((lo as i64..=hi as i64).contains(&delay));
    let attempts = store.attempts(b.id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].finished_at, Some(2_000));
    assert_eq!(
        attempts[0].error.as_ref().unwrap().code,
        "dapodik_unreachable"
    );

    // Second failure: the delay is drawn from attempt 2's bounds.
    let again = store
        .claim_next(after.next_attempt_at.unwrap())
        .unwrap()
        .unwrap();
    let t = again.started_at.unwrap() + 10;
    let after2 = store
        .record_failure(b.id, &retryable(), t, &BACKOFF)
        .unwrap();
    let delay2 = after2.next_attempt_at.unwrap() - t;
    let (lo2, hi2) = BACKOFF.bounds(2);
    assert!(
        (lo2 as i64..=hi2 as i64).contains(&delay2),
        "delay2 {delay2}"
    );
    assert_eq!(store.attempts(b.id).unwrap().len(), 2);
}

#[test]
fn non_retryable_failure_fails_at_once_using_only_one_attempt() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 1_000);
    assert_eq!(b.max_attempts, 3);
    let after = store
        .record_failure(b.id, &config_error(), 1_500, &BACKOFF)
        .unwrap();
    assert_eq!(after.status, BatchStatus::Failed);
    assert_eq!(after.attempts, 1);
    assert_eq!(after.finished_at, Some(1_500));
    assert_eq!(after.next_attempt_at, None);
    assert_eq!(after.error.unwrap().code, "key_not_registered");
    assert!(store.claim_next(i64::MAX / 2).unwrap().is_none());
}

#[test]
fn exhausted_attempts_fail() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    let mut now = 0;
    for attempt in 1..=3u32 {
        let after = store
            .record_failure(b.id, &retryable(), now + 1, &BACKOFF)
            .unwrap();
        if attempt < 3 {
            assert_eq!(after.status, BatchStatus::Pending, "attempt {attempt}");
            now = after.next_attempt_at.unwrap();
            let c = store.claim_next(now).unwrap().unwrap();
            assert_eq!(c.attempts, attempt + 1);
        } else {
            assert_eq!(after.status, BatchStatus::Failed);
            assert_eq!(after.attempts, 3);
            assert!(after.finished_at.is_some());
        }
    }
    assert_eq!(store.attempts(b.id).unwrap().len(), 3);
}

#[test]
fn failure_on_a_batch_that_is_not_running_is_refused() {
    let (_dir, store) = new_store();
    let b = store.enqueue(&new_batch("20212345"), 0).unwrap();
    let err = store
        .record_failure(b.id, &retryable(), 1, &BACKOFF)
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidTransition {
                from: BatchStatus::Pending,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "invalid_transition");
    assert!(matches!(
        store.record_failure(999, &retryable(), 1, &BACKOFF),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn cancel_pending_and_running() {
    let (_dir, store) = new_store();
    let p = store.enqueue(&new_batch("20200001"), 0).unwrap();
    let c = store.cancel(p.id, 5).unwrap();
    assert_eq!(c.status, BatchStatus::Cancelled);
    assert_eq!(c.finished_at, Some(5));
    assert_eq!(c.next_attempt_at, None);
    assert!(store.claim_next(10).unwrap().is_none());

    let r = running_batch(&store, "20200002", 20);
    let c = store.cancel(r.id, 30).unwrap();
    assert_eq!(c.status, BatchStatus::Cancelled);
    let attempts = store.attempts(r.id).unwrap();
    assert_eq!(attempts[0].finished_at, Some(30));
    assert_eq!(attempts[0].error.as_ref().unwrap().code, "cancelled");
    // A cancelled batch's late failure report is refused (the worker ignores it).
    assert!(matches!(
        store.record_failure(r.id, &retryable(), 40, &BACKOFF),
        Err(StoreError::InvalidTransition {
            from: BatchStatus::Cancelled,
            ..
        })
    ));
    // Cancelling twice is refused.
    let err = store.cancel(r.id, 50).unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition { .. }));
    assert!(err.message_id().contains("Dibatalkan"));
}

#[test]
fn retry_failed_or_cancelled_resets_attempts_and_keeps_the_timeline() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    store
        .record_failure(b.id, &config_error(), 10, &BACKOFF)
        .unwrap();
    let again = store.retry(b.id, 20).unwrap();
    assert_eq!(again.id, b.id);
    assert_eq!(again.status, BatchStatus::Pending);
    assert_eq!(again.attempts, 0);
    assert_eq!(again.next_attempt_at, Some(20));
    assert_eq!(again.finished_at, None);
    let claimed = store.claim_next(20).unwrap().unwrap();
    assert_eq!(claimed.attempts, 1);
    let timeline = store.attempts(b.id).unwrap();
    assert_eq!(
        timeline.iter().map(|a| a.number).collect::<Vec<_>>(),
        [1, 2]
    );

    // Cancelled → retry too.
    store.cancel(b.id, 30).unwrap();
    assert_eq!(store.retry(b.id, 40).unwrap().status, BatchStatus::Pending);

    // Pending, running and succeeded batches cannot be retried.
    assert!(matches!(
        store.retry(b.id, 50),
        Err(StoreError::InvalidTransition {
            from: BatchStatus::Pending,
            ..
        })
    ));
}

#[test]
fn retry_returns_the_existing_pending_batch_for_the_same_school() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    store
        .record_failure(b.id, &config_error(), 10, &BACKOFF)
        .unwrap();
    let newer = store.enqueue(&new_batch("20212345"), 15).unwrap();
    let r = store.retry(b.id, 20).unwrap();
    assert_eq!(r.id, newer.id);
    assert_eq!(
        store.batch(b.id).unwrap().unwrap().status,
        BatchStatus::Failed
    );
}

#[test]
fn running_batch_of_a_killed_process_is_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let (running, exhausted) = {
        // The "killed" process: claims, then vanishes without recording anything.
        let store = Store::open(&path).unwrap();
        let running = running_batch(&store, "20200001", 100);
        let one_shot = store
            .enqueue(
                &NewBatch {
                    source: SourceKind::Mock,
                    target: "x".into(),
                    npsn: "20200002".into(),
                    max_attempts: 1,
                },
                100,
            )
            .unwrap();
        assert_eq!(store.claim_next(100).unwrap().unwrap().id, one_shot.id);
        (running, one_shot)
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.batch(running.id).unwrap().unwrap().status,
        BatchStatus::Running
    );
    let recovered = store.recover_interrupted(1_000).unwrap();
    assert_eq!(recovered, vec![running.id, exhausted.id]);

    let r = store.batch(running.id).unwrap().unwrap();
    assert_eq!(r.status, BatchStatus::Pending);
    assert_eq!(r.next_attempt_at, Some(1_000), "due now");
    assert_eq!(r.error.as_ref().unwrap().code, "interrupted");
    let a = store.attempts(running.id).unwrap();
    assert_eq!(a[0].finished_at, Some(1_000));
    assert_eq!(a[0].error.as_ref().unwrap().code, "interrupted");

    let e = store.batch(exhausted.id).unwrap().unwrap();
    assert_eq!(e.status, BatchStatus::Failed);
    assert_eq!(e.finished_at, Some(1_000));

    // Nothing left RUNNING: a second recovery is a no-op; the recovered batch is claimable again.
    assert!(store.recover_interrupted(2_000).unwrap().is_empty());
    let again = store.claim_next(1_000).unwrap().unwrap();
    assert_eq!(again.id, running.id);
    assert_eq!(again.attempts, 2);
    assert_eq!(store.attempts(running.id).unwrap().len(), 2);
}

#[test]
fn batches_are_listed_newest_first_and_serialise_for_the_ui() {
    let (_dir, store) = new_store();
    let a = store.enqueue(&new_batch("20200001"), 0).unwrap();
    let b = store.enqueue(&new_batch("20200002"), 0).unwrap();
    let c = store.enqueue(&new_batch("20200003"), 0).unwrap();
    let ids: Vec<i64> = store.batches(2).unwrap().iter().map(|x| x.id).collect();
    assert_eq!(ids, [c.id, b.id]);
    assert!(store.batch(a.id + 100).unwrap().is_none());
    let v = serde_json::to_value(store.batch(a.id).unwrap().unwrap()).unwrap();
    assert_eq!(v["status"], "PENDING");
    assert_eq!(v["source"], "mock");
    assert_eq!(v["counts"]["peserta_didik"]["NEW"], 0);
}

#[test]
fn the_store_is_shared_between_threads() {
    let (_dir, store) = new_store();
    for i in 0..8 {
        store
            .enqueue(&new_batch(&format!("2020000{i}")), 0)
            .unwrap();
    }
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                while let Some(b) = s.claim_next(0).unwrap() {
                    got.push(b.id);
                }
                got
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 8, "each batch claimed exactly once");
}
