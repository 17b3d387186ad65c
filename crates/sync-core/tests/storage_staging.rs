//! Staging a pull: one transaction, idempotent re-runs, first-pass reconciliation against the
//! register, and the staging screen's pages.

mod storage_support;

use dapodik_webservice::Entity;
use storage_support::*;
use sync_core::staging::{content_hash, REASON_CHANGED, REASON_DUPLICATE};
use sync_core::{
    BatchStatus, StageError, StagingQuery, StagingSort, StagingStatus, Store, StoreError,
};

fn small_pull() -> Pull {
    Pull::default()
        .with(Entity::Sekolah, vec![school()])
        .with(
            Entity::PesertaDidik,
            (0..10)
                .map(|i| student(i, &format!("SISWA {i:02}")))
                .collect(),
        )
        .with(
            Entity::Gtk,
            vec![teacher(1, "GURU SATU"), teacher(2, "GURU DUA")],
        )
        .with(Entity::RombonganBelajar, vec![class(1, "X TKJ 1")])
}

fn staging_count(store: &Store, batch_id: i64) -> u64 {
    store
        .staging_page(&StagingQuery {
            batch_id: Some(batch_id),
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .total
}

#[test]
fn staging_a_pull_fills_rows_and_succeeds_the_batch() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 100);
    let mut pull = small_pull();
    pull.incomplete = vec![Entity::Gtk];
    let done = store
        .stage_records(
            b.id,
            &mut |e, on| pull.stream(e, on),
            &["Catatan dari tarikan".to_string()],
            200,
        )
        .unwrap();
    assert_eq!(done.status, BatchStatus::Succeeded);
    assert_eq!(done.finished_at, Some(200));
    assert_eq!(done.semester_id.as_deref(), Some("20251"));
    assert_eq!(done.counts["peserta_didik"].new, 10);
    assert_eq!(done.counts["sekolah"].new, 1);
    assert_eq!(done.counts["gtk"].new, 2);
    assert_eq!(done.counts["rombongan_belajar"].new, 1);
    assert_eq!(done.notes[0], "Catatan dari tarikan");
    assert!(
        done.notes
            .iter()
            .any(|n| n.contains("gtk") && n.contains("tidak lengkap")),
        "{:?}",
        done.notes
    );
    assert_eq!(done.error, None);
    assert_eq!(
        store.batch(b.id).unwrap().unwrap(),
        done,
        "what is returned is what is stored"
    );
    assert_eq!(staging_count(&store, b.id), 14);
    assert_eq!(store.staging_latest_batch().unwrap(), Some(b.id));
    let attempts = store.attempts(b.id).unwrap();
    assert_eq!(attempts[0].finished_at, Some(200));
    assert_eq!(attempts[0].error, None);

    // A full row: record, lower-case id, label, hash of the canonical JSON.
    let page = store
        .staging_page(&StagingQuery {
            batch_id: Some(b.id),
            entity: Some(Entity::PesertaDidik),
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    let row = store.staging_row(page.rows[0].id).unwrap().unwrap();
    let expected = student(0, "SISWA 00");
    assert_eq!(row.record, expected);
    assert_eq!(row.content_hash, content_hash(&expected));
    assert_eq!(row.dapodik_id.as_deref(), Some(uuid(0).as_str()));
    assert_eq!(row.label, "SISWA 00");
    assert_eq!(row.status, StagingStatus::New);
    assert!(row.reasons.is_empty());
    assert!(store.staging_row(row.id + 10_000).unwrap().is_none());
}

#[test]
fn the_staged_wal_is_checkpointed_into_the_database_file() {
    let (dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    let pull = small_pull().with(
        Entity::PesertaDidik,
        (0..3000).map(|i| student(i, "SISWA")).collect(),
    );
    pull.stage(&store, b.id, 1).unwrap();
    let (log, done) = store.checkpoint().unwrap();
    assert_eq!(log, done, "every WAL frame copied into the database file");
    drop(store);
    // Everything is in the main file: a copy of it alone (no -wal) holds the staging.
    let path = dir.path().join("data").join("dapodik-sync.sqlite3");
    let copy = dir.path().join("copy.sqlite3");
    std::fs::copy(&path, &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM staging_row", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3004);
}

#[test]
fn an_error_mid_stream_leaves_nothing_staged_and_the_batch_running() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 100);
    let mut pull = small_pull();
    pull.fail_after = Some((Entity::PesertaDidik, 5));
    let err = pull.stage(&store, b.id, 200).unwrap_err();
    match &err {
        StageError::Ws(w) => assert_eq!(w.code.as_str(), "malformed_response"),
        other => panic!("expected the stream's error, got {other:?}"),
    }
    assert_eq!(err.code(), "malformed_response");
    assert_eq!(
        staging_count(&store, b.id),
        0,
        "sekolah and 5 students rolled back"
    );
    let after = store.batch(b.id).unwrap().unwrap();
    assert_eq!(after.status, BatchStatus::Running);
    assert_eq!(after.finished_at, None);
    assert_eq!(store.staging_latest_batch().unwrap(), None);
}

#[test]
fn a_failed_restage_keeps_the_previous_rows() {
    // Re-staging the same batch: the delete of its old rows is part of the transaction, so a failure
    // half-way leaves the old rows in place.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let b = running_batch(&store, "20212345", 0);
    small_pull().stage(&store, b.id, 1).unwrap();
    store
        .record_failure(
            b.id,
            &sync_core::BatchError::new("x", "y", false),
            2,
            &Default::default(),
        )
        .unwrap_err();
    // (A SUCCEEDED batch cannot fail.) Put it back to RUNNING as a re-run would find it.
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite3")).unwrap();
    conn.execute(
        "UPDATE sync_batch SET status = 'RUNNING', finished_at = NULL WHERE id = ?1",
        [b.id],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let mut failing = small_pull();
    failing.fail_after = Some((Entity::Gtk, 1));
    failing.stage(&store, b.id, 3).unwrap_err();
    assert_eq!(staging_count(&store, b.id), 14);
}

#[test]
fn staging_is_refused_unless_the_batch_is_running() {
    let (_dir, store) = new_store();
    // Cancelled while the pull was in flight: the late staging is refused and nothing is written.
    let running = running_batch(&store, "20200002", 0);
    let pending = store.enqueue(&new_batch("20200001"), 0).unwrap();
    let err = small_pull().stage(&store, pending.id, 1).unwrap_err();
    assert!(
        matches!(
            err,
            StageError::Store(StoreError::InvalidTransition {
                from: BatchStatus::Pending,
                ..
            })
        ),
        "{err:?}"
    );
    store.cancel(running.id, 1).unwrap();
    let err = small_pull().stage(&store, running.id, 2).unwrap_err();
    assert!(matches!(
        err,
        StageError::Store(StoreError::InvalidTransition {
            from: BatchStatus::Cancelled,
            ..
        })
    ));
    assert_eq!(staging_count(&store, running.id), 0);
    assert!(matches!(
        small_pull().stage(&store, 999, 2),
        Err(StageError::Store(StoreError::NotFound(_)))
    ));
}

#[test]
fn restaging_the_same_batch_replaces_its_rows() {
    let (dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    small_pull().stage(&store, b.id, 1).unwrap();
    drop(store);
    // Simulate a re-run of the same batch (e.g. after a crash right after commit was lost).
    let path = dir.path().join("data").join("dapodik-sync.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE sync_batch SET status = 'RUNNING', finished_at = NULL WHERE id = ?1",
        [b.id],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let again = small_pull().stage(&store, b.id, 2).unwrap();
    assert_eq!(again.counts["peserta_didik"].new, 10);
    assert_eq!(staging_count(&store, b.id), 14, "not 28");
}

#[test]
fn first_pass_reconciliation_against_the_register() {
    let (_dir, store) = new_store();
    // Pull 1: everything NEW, then applied to the register.
    let first = running_batch(&store, "20212345", 0);
    small_pull().stage(&store, first.id, 1).unwrap();
    assert_eq!(store.apply_batch(first.id, 2).unwrap(), 14);
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 10);
    assert_eq!(store.register_count(Entity::Sekolah).unwrap(), 1);

    // Pull 2: the same ten students, one renamed, one with its id in upper case (same content
    // otherwise), plus one new, one without id, one with a broken id and one duplicate.
    let mut students: Vec<_> = (0..10)
        .map(|i| student(i, &format!("SISWA {i:02}")))
        .collect();
    students[3] = student(3, "SISWA TIGA BERUBAH");
    students[4].insert("peserta_didik_id".into(), uuid(4).to_uppercase().into());
    students.push(student(100, "SISWA BARU"));
    let mut no_id = student(101, "TANPA ID");
    no_id.remove("peserta_didik_id");
    students.push(no_id);
    let mut bad_id = student(102, "ID RUSAK");
    bad_id.insert("peserta_didik_id".into(), "bukan-uuid".into());
    students.push(bad_id);
    students.push(student(7, "SISWA 07 KEMBAR"));
    let pull = small_pull().with(Entity::PesertaDidik, students);
    let second = running_batch(&store, "20212345", 10);
    let done = pull.stage(&store, second.id, 11).unwrap();
    let c = done.counts["peserta_didik"];
    assert_eq!((c.new, c.matched, c.conflict, c.rejected), (1, 10, 0, 3));
    assert_eq!(done.counts["gtk"].matched, 2);

    let rows = store
        .staging_page(&StagingQuery {
            batch_id: Some(second.id),
            entity: Some(Entity::PesertaDidik),
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .rows;
    let by_label = |l: &str| {
        rows.iter()
            .find(|r| r.label == l)
            .unwrap_or_else(|| panic!("no row {l}"))
    };
    assert_eq!(by_label("SISWA 00").status, StagingStatus::Matched);
    assert!(
        by_label("SISWA 00").reasons.is_empty(),
        "identical → no reason"
    );
    assert_eq!(
        by_label("SISWA TIGA BERUBAH").status,
        StagingStatus::Matched
    );
    assert_eq!(by_label("SISWA TIGA BERUBAH").reasons, [REASON_CHANGED]);
    // The upper-case UUID matched the lower-case one in the register and is stored lower-case.
    let four = by_label("SISWA 04");
    assert_eq!(four.status, StagingStatus::Matched);
    assert!(four.reasons.is_empty(), "the id's case is not a change");
    assert_eq!(four.dapodik_id.as_deref(), Some(uuid(4).as_str()));
    assert_eq!(by_label("SISWA BARU").status, StagingStatus::New);
    assert_eq!(by_label("TANPA ID").status, StagingStatus::Rejected);
    assert_eq!(
        by_label("TANPA ID").reasons,
        ["Tanpa identitas Dapodik (peserta_didik_id kosong)"]
    );
    assert_eq!(by_label("TANPA ID").dapodik_id, None);
    assert_eq!(by_label("ID RUSAK").status, StagingStatus::Rejected);
    assert_eq!(by_label("SISWA 07 KEMBAR").status, StagingStatus::Rejected);
    assert_eq!(by_label("SISWA 07 KEMBAR").reasons, [REASON_DUPLICATE]);
    assert_eq!(
        by_label("SISWA 07").status,
        StagingStatus::Matched,
        "the first occurrence stays"
    );

    // Apply pull 2: the renamed student and the new one change the register; rejected rows do not.
    assert_eq!(
        store.apply_batch(second.id, 12).unwrap(),
        2,
        "renamed + new; identical rows change nothing"
    );
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 11);
    // Pull 3 of the same data: all MATCHED without reasons.
    let third = running_batch(&store, "20212345", 20);
    let done = pull.stage(&store, third.id, 21).unwrap();
    let c = done.counts["peserta_didik"];
    assert_eq!((c.new, c.matched, c.rejected), (0, 11, 3));
    let changed = store
        .staging_page(&StagingQuery {
            batch_id: Some(third.id),
            search: Some("BERUBAH".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(changed.rows[0].reasons.is_empty());
}

#[test]
fn apply_batch_requires_a_succeeded_batch() {
    let (_dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    assert!(matches!(
        store.apply_batch(b.id, 1),
        Err(StoreError::InvalidTransition {
            from: BatchStatus::Running,
            ..
        })
    ));
    assert!(matches!(
        store.apply_batch(12345, 1),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn deleting_a_batch_cascades_to_its_staging_rows() {
    let (dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    small_pull().stage(&store, b.id, 1).unwrap();
    drop(store);
    let conn =
        rusqlite::Connection::open(dir.path().join("data").join("dapodik-sync.sqlite3")).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.execute("DELETE FROM sync_batch WHERE id = ?1", [b.id])
        .unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM staging_row", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

fn page_store() -> (tempfile::TempDir, Store, i64, i64) {
    let (dir, store) = new_store();
    let old = running_batch(&store, "20212345", 0);
    small_pull().stage(&store, old.id, 1).unwrap();
    let names = ["citra", "Budi", "ANI", "dewi", "Eko", "budiman"];
    let mut students: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| student(i as u64, n))
        .collect();
    let mut no_id = student(50, "Fajar");
    no_id.remove("peserta_didik_id");
    students.push(no_id);
    let pull = small_pull().with(Entity::PesertaDidik, students);
    let b = running_batch(&store, "20212345", 10);
    pull.stage(&store, b.id, 11).unwrap();
    (dir, store, old.id, b.id)
}

#[test]
fn staging_page_filters_sorts_and_pages() {
    let (_dir, store, old, b) = page_store();
    let q = |f: &dyn Fn(&mut StagingQuery)| {
        let mut q = StagingQuery {
            batch_id: Some(b),
            ..Default::default()
        };
        f(&mut q);
        store.staging_page(&q).unwrap()
    };
    // Batch filter: 1 + 7 + 2 + 1 rows of this batch only.
    assert_eq!(q(&|_| {}).total, 11);
    assert_eq!(staging_count(&store, old), 14);
    let all = store
        .staging_page(&StagingQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.total, 25);

    // Entity + sort by label (case-insensitive), paged.
    let labels =
        |p: &sync_core::StagingPage| p.rows.iter().map(|r| r.label.clone()).collect::<Vec<_>>();
    let sorted = q(&|q| {
        q.entity = Some(Entity::PesertaDidik);
        q.sort = StagingSort::Label;
    });
    assert_eq!(sorted.total, 7);
    assert_eq!(
        labels(&sorted),
        ["ANI", "Budi", "budiman", "citra", "dewi", "Eko", "Fajar"]
    );
    let page2 = q(&|q| {
        q.entity = Some(Entity::PesertaDidik);
        q.sort = StagingSort::Label;
        q.offset = 2;
        q.limit = 3;
    });
    assert_eq!(page2.total, 7, "total ignores paging");
    assert_eq!(labels(&page2), ["budiman", "citra", "dewi"]);
    let desc = q(&|q| {
        q.entity = Some(Entity::PesertaDidik);
        q.sort = StagingSort::Label;
        q.descending = true;
        q.limit = 2;
    });
    assert_eq!(labels(&desc), ["Fajar", "Eko"]);

    // Status filter.
    let rejected = q(&|q| q.status = Some(StagingStatus::Rejected));
    assert_eq!(rejected.total, 1);
    assert_eq!(rejected.rows[0].label, "Fajar");
    assert_eq!(q(&|q| q.status = Some(StagingStatus::New)).total, 10);
    assert_eq!(q(&|q| q.status = Some(StagingStatus::Matched)).total, 0);

    // Search: case-insensitive substring of the label, or of the Dapodik id; LIKE wildcards are literal.
    let budi = q(&|q| q.search = Some("BUDI".into()));
    assert_eq!(labels(&budi), ["Budi", "budiman"]);
    let by_id = q(&|q| q.search = Some(uuid(3)[24..].to_uppercase()));
    assert_eq!(labels(&by_id), ["dewi"]);
    // The total of a search counts every match, not the page.
    let one = q(&|q| {
        q.search = Some("budi".into());
        q.limit = 1;
    });
    assert_eq!((one.total, one.rows.len()), (2, 1));
    let past = q(&|q| {
        q.search = Some("budi".into());
        q.offset = 5;
    });
    assert_eq!((past.total, past.rows.len()), (2, 0));
    assert_eq!(q(&|q| q.search = Some("%".into())).total, 0);
    assert_eq!(q(&|q| q.search = Some("_".into())).total, 0);
    assert_eq!(
        q(&|q| q.search = Some("   ".into())).total,
        11,
        "blank search = no filter"
    );

    // Sort by status, then by entity.
    let by_status = q(&|q| {
        q.sort = StagingSort::Status;
        q.limit = 100;
    });
    assert_eq!(by_status.rows[0].status, StagingStatus::New);
    assert_eq!(
        by_status.rows.last().unwrap().status,
        StagingStatus::Rejected
    );
    let by_entity = q(&|q| {
        q.sort = StagingSort::Entity;
        q.descending = true;
        q.limit = 100;
    });
    let entities: Vec<&str> = by_entity.rows.iter().map(|r| r.entity.as_str()).collect();
    let mut expected = entities.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(entities, expected);
    // Ties broken by id: the default sort is arrival order.
    let ids: Vec<i64> = q(&|q| q.limit = 100).rows.iter().map(|r| r.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    // The limit is capped; an offset past the end gives an empty page with the total.
    let capped = store
        .staging_page(&StagingQuery {
            limit: 1_000_000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(capped.rows.len(), 25);
    let past = q(&|q| q.offset = 1000);
    assert_eq!((past.total, past.rows.len()), (11, 0));
}

#[test]
fn staging_page_json_shape_for_the_ui() {
    let (_dir, store, _old, b) = page_store();
    let page = store
        .staging_page(&StagingQuery {
            batch_id: Some(b),
            status: Some(StagingStatus::Rejected),
            ..Default::default()
        })
        .unwrap();
    let v = serde_json::to_value(&page).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["rows"][0]["status"], "REJECTED");
    assert_eq!(v["rows"][0]["entity"], "peserta_didik");
    assert!(
        v["rows"][0].get("record").is_none(),
        "the list carries no full record"
    );
}

#[test]
fn a_database_error_mid_stream_stops_the_stream_and_rolls_back() {
    let (dir, store) = new_store();
    let b = running_batch(&store, "20212345", 0);
    // A trigger makes the 1500th student's insert fail, after the decoding side has run far ahead.
    let conn =
        rusqlite::Connection::open(dir.path().join("data").join("dapodik-sync.sqlite3")).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER boom BEFORE INSERT ON staging_row WHEN NEW.entity = 'peserta_didik' AND NEW.seq = 1500 \
         BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
    )
    .unwrap();
    drop(conn);
    let streamed = std::sync::atomic::AtomicUsize::new(0);
    let students: Vec<_> = (0..5000).map(|i| student(i, "SISWA")).collect();
    let pull = small_pull().with(Entity::PesertaDidik, students);
    let err = store
        .stage_records(
            b.id,
            &mut |e, on| {
                pull.stream(e, &mut |r| {
                    streamed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    on(r)
                })
            },
            &[],
            1,
        )
        .unwrap_err();
    match &err {
        StageError::Store(StoreError::Sqlite(e)) => {
            assert!(e.to_string().contains("disk on fire"), "{e}")
        }
        other => panic!("expected the database error, got {other:?}"),
    }
    assert!(
        streamed.into_inner() < 5000,
        "the stream was stopped, not drained"
    );
    assert_eq!(staging_count(&store, b.id), 0);
    assert_eq!(
        store.batch(b.id).unwrap().unwrap().status,
        BatchStatus::Running
    );
}

#[test]
fn paging_through_any_filter_and_sort_gives_the_same_rows_as_one_page() {
    let (_dir, store) = new_store();
    // Two batches, duplicate labels (ties), several statuses.
    let first = running_batch(&store, "20212345", 0);
    let names = ["ANI", "budi", "Ani", "CITRA", "budi", "dewi", "ani"];
    let students: Vec<_> = (0..40)
        .map(|i| student(i, names[i as usize % names.len()]))
        .collect();
    small_pull()
        .with(Entity::PesertaDidik, students.clone())
        .stage(&store, first.id, 1)
        .unwrap();
    store.apply_batch(first.id, 2).unwrap();
    let second = running_batch(&store, "20212345", 3);
    let mut changed = students;
    changed[5] = student(5, "EKO");
    changed.push(student(3, "KEMBAR"));
    let mut no_id = student(99, "ani");
    no_id.remove("peserta_didik_id");
    changed.push(no_id);
    small_pull()
        .with(Entity::PesertaDidik, changed)
        .stage(&store, second.id, 4)
        .unwrap();

    for batch_id in [Some(second.id), None] {
        for sort in [
            StagingSort::Id,
            StagingSort::Label,
            StagingSort::Status,
            StagingSort::Entity,
        ] {
            for entity in [None, Some(Entity::PesertaDidik)] {
                for status in [None, Some(StagingStatus::Matched)] {
                    for descending in [false, true] {
                        let base = StagingQuery {
                            batch_id,
                            entity,
                            status,
                            sort,
                            descending,
                            ..Default::default()
                        };
                        let all = store
                            .staging_page(&StagingQuery {
                                limit: 1000,
                                ..base.clone()
                            })
                            .unwrap();
                        let mut paged = Vec::new();
                        let mut offset = 0;
                        loop {
                            let p = store
                                .staging_page(&StagingQuery {
                                    offset,
                                    limit: 3,
                                    ..base.clone()
                                })
                                .unwrap();
                            assert_eq!(p.total, all.total, "{base:?}");
                            if p.rows.is_empty() {
                                break;
                            }
                            offset += p.rows.len();
                            paged.extend(p.rows);
                        }
                        assert_eq!(paged, all.rows, "{base:?}");
                        assert_eq!(all.rows.len() as u64, all.total);
                        // The order asked for holds.
                        let key = |r: &sync_core::StagingRowSummary| match sort {
                            StagingSort::Id => (String::new(), r.id),
                            StagingSort::Label => (r.label.to_lowercase(), 0),
                            StagingSort::Status => (r.status.as_str().to_string(), r.id),
                            StagingSort::Entity => (r.entity.as_str().to_string(), r.id),
                        };
                        let mut expected = all.rows.clone();
                        expected.sort_by(|a, b| {
                            if descending {
                                key(b).cmp(&key(a))
                            } else {
                                key(a).cmp(&key(b))
                            }
                        });
                        let got: Vec<_> = all.rows.iter().map(key).collect();
                        let want: Vec<_> = expected.iter().map(key).collect();
                        assert_eq!(got, want, "{base:?}");
                    }
                }
            }
        }
    }
}
