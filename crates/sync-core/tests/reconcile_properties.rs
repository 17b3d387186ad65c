//! Properties of reconciliation against a real SQLite register (proptest):
//! - reconciling the same pull twice gives the same result (statuses, reasons, findings, diffs);
//! - applying a pull and re-pulling the same data gives only unchanged MATCHED rows;
//! - no apply ever loses a local edit that was not explicitly overridden.

#[path = "storage_support/mod.rs"]
mod support;

use dapodik_webservice::{Entity, Record};
use proptest::prelude::*;
use serde_json::json;
use support::*;
use sync_core::storage::ApplyRequest;
use sync_core::{StagingQuery, StagingStatus, Store};

const NPSN: &str = "20212345";
/// Fields edited locally and changed in Dapodik (`nama` is Verval-protected).
const FIELDS: [&str; 4] = ["alamat_jalan", "rt", "email", "nama"];
const VALUES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
struct Student {
    local_edit: Option<(usize, usize)>,
    dapodik_change: Option<(usize, usize)>,
    left: bool,
}

fn arb_students() -> impl Strategy<Value = Vec<Student>> {
    prop::collection::vec(
        (
            prop::option::of((0..FIELDS.len(), 0..VALUES.len())),
            prop::option::of((0..FIELDS.len(), 0..VALUES.len())),
            prop::bool::weighted(0.15),
        )
            .prop_map(|(local_edit, dapodik_change, left)| Student {
                local_edit,
                dapodik_change,
                left,
            }),
        1..8,
    )
}

fn pull_of(students: Vec<Record>) -> Pull {
    Pull::default()
        .with(Entity::Sekolah, vec![school()])
        .with(Entity::PesertaDidik, students)
}

fn stage(store: &Store, pull: &Pull, t: i64) -> i64 {
    let b = running_batch(store, NPSN, t);
    pull.stage(store, b.id, t + 1).unwrap();
    b.id
}

fn apply(store: &Store, batch: i64, t: i64) {
    store
        .apply(
            &ApplyRequest {
                batch_id: Some(batch),
                statuses: None,
            },
            "tester",
            t,
        )
        .unwrap();
}

/// Everything reconciliation said about a batch, without row and batch ids.
fn outcome(store: &Store, batch: i64) -> Vec<(Option<String>, StagingStatus, Vec<String>, String)> {
    let page = store
        .staging_page(&StagingQuery {
            batch_id: Some(batch),
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    page.rows
        .iter()
        .map(|r| {
            let d = store.staging_detail(r.id).unwrap().unwrap();
            (
                r.dapodik_id.clone(),
                r.status,
                r.reasons.clone(),
                serde_json::to_string(&(&d.diff, &d.findings, d.kind)).unwrap(),
            )
        })
        .collect()
}

/// Register, local edits, then the second pull's records.
fn setup(students: &[Student]) -> (tempfile::TempDir, Store, Pull) {
    let (dir, store) = new_store();
    let base: Vec<Record> = (0..students.len() as u64)
        .map(|i| student(i, &format!("SISWA {i:02}")))
        .collect();
    let b1 = stage(&store, &pull_of(base.clone()), 0);
    apply(&store, b1, 1);
    let mut next = Vec::new();
    for (i, s) in students.iter().enumerate() {
        if let Some((f, v)) = s.local_edit {
            store
                .edit_register(
                    Entity::PesertaDidik,
                    &uuid(i as u64),
                    FIELDS[f],
                    json!(VALUES[v]),
                    "tester",
                    2,
                )
                .unwrap();
        }
        if s.left {
            continue;
        }
        let mut r = base[i].clone();
        if let Some((f, v)) = s.dapodik_change {
            r.insert(FIELDS[f].into(), json!(format!("D{}", VALUES[v])));
        }
        next.push(r);
    }
    (dir, store, pull_of(next))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn reconciling_twice_gives_the_same_result(students in arb_students()) {
        let (_dir, store, pull) = setup(&students);
        let a = stage(&store, &pull, 10);
        let b = stage(&store, &pull, 20);
        let first = outcome(&store, a);
        prop_assert_eq!(&first, &outcome(&store, b));
        // Reconciling the staged batch again against the same register changes nothing.
        let counts = store.batch(a).unwrap().unwrap().counts;
        let again = store.reconcile_batch(a, 30).unwrap();
        prop_assert_eq!(&first, &outcome(&store, a));
        prop_assert_eq!(counts, again.counts);
    }

    #[test]
    fn apply_then_repull_gives_only_unchanged_matched_rows(students in arb_students()) {
        // No local edits here: every row of the second pull can be applied.
        let students: Vec<Student> = students
            .into_iter()
            .map(|s| Student { local_edit: None, ..s })
            .collect();
        let (_dir, store, pull) = setup(&students);
        let b2 = stage(&store, &pull, 10);
        // Removals are accepted explicitly (never automatically).
        for (id, status, _, _) in outcome(&store, b2) {
            if status == StagingStatus::Conflict {
                let row = store
                    .staging_page(&StagingQuery { batch_id: Some(b2), search: id.clone(), ..Default::default() })
                    .unwrap()
                    .rows[0]
                    .id;
                store.accept_row(row, "tester", 11).unwrap();
            }
        }
        apply(&store, b2, 12);
        let b3 = stage(&store, &pull, 20);
        for (id, status, reasons, _) in outcome(&store, b3) {
            prop_assert_eq!(status, StagingStatus::Matched, "{:?}", id);
            prop_assert!(reasons.is_empty(), "{:?}: {:?}", id, reasons);
        }
    }

    #[test]
    fn no_apply_loses_a_local_edit_not_explicitly_overridden(students in arb_students()) {
        let (_dir, store, pull) = setup(&students);
        let b2 = stage(&store, &pull, 10);
        apply(&store, b2, 11);
        for (i, s) in students.iter().enumerate() {
            if let Some((f, v)) = s.local_edit {
                let reg = store
                    .register_record(Entity::PesertaDidik, &uuid(i as u64))
                    .unwrap()
                    .expect("never removed without the operator");
                prop_assert_eq!(&reg.record[FIELDS[f]], &json!(VALUES[v]), "student {}", i);
            }
        }
    }
}
