//! Reconciliation benchmark (prints figures; not a timed test). Run:
//!
//! ```text
//! cargo bench -p sync-core --bench reconcile
//! ```
//!
//! 1. Pure reconciliation: 100,000 incoming students (the simulator's, decoded) against a
//!    100,000-record register (95% same content, 3% changed, 1% new UUID matched by NISN, 1% new):
//!    match keys, data-quality findings, the matching cascade and the status of each record.
//! 2. The same through the store: staging 100,000 students against a 100,000-record register
//!    (decode, findings, cascade, SQLite writes, removals) — end to end.
//! 3. Staging pages (filter + sort + 100 rows) over those 100,000+ rows.

use dapodik_webservice::pull::from_responses;
use dapodik_webservice::source::RawResponse;
use dapodik_webservice::{Entity, Function, Record};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Instant;
use sync_core::reconcile::identity::Date;
use sync_core::reconcile::matching::{match_keys, RegisterKeys};
use sync_core::reconcile::{Checker, Reconciler};
use sync_core::staging::key_of;
use sync_core::{NewBatch, SourceKind, StagingQuery, StagingSort, StagingStatus, Store};

const STUDENTS: usize = 100_000;

fn responses() -> Vec<(Function, RawResponse)> {
    let school = dapodik_sim::SimSchool::generate(&dapodik_sim::SimSchoolConfig {
        npsn: "20212345".into(),
        seed: 7,
        students: STUDENTS,
    });
    Function::ALL
        .iter()
        .map(|f| {
            (
                *f,
                RawResponse {
                    http_status: 200,
                    body: school.body_named(f.name()).unwrap().into(),
                },
            )
        })
        .collect()
}

fn hash(r: &Record) -> [u8; 32] {
    Sha256::digest(serde_json::to_vec(r).unwrap()).into()
}

fn pure_reconcile(students: &[Record]) {
    let e = Entity::PesertaDidik;
    // The register: every student as last synced.
    let register: Vec<RegisterKeys> = students
        .iter()
        .map(|r| RegisterKeys {
            id: key_of(e, r).unwrap(),
            base_hash: hash(r),
            edited: false,
            keys: match_keys(e, r),
        })
        .collect();
    // The incoming pull: 3% changed, 1% a new UUID with the same NISN, 1% new.
    let incoming: Vec<(Record, [u8; 32])> = students
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            match i % 100 {
                0..=2 => {
                    r.insert("alamat_jalan".into(), format!("Jl. Baru {i}").into());
                }
                3 => {
                    r.insert(
                        "peserta_didik_id".into(),
                        format!("{i:08x}-ffff-4fff-8fff-ffffffffffff").into(),
                    );
                }
                4 => {
                    r.insert(
                        "peserta_didik_id".into(),
                        format!("{i:08x}-eeee-4eee-8eee-eeeeeeeeeeee").into(),
                    );
                    r.insert("nisn".into(), serde_json::Value::Null);
                    r.insert("nik".into(), "0".into());
                    r.insert("nipd".into(), serde_json::Value::Null);
                }
                _ => {}
            }
            let h = hash(&r);
            (r, h)
        })
        .collect();

    let mut best = f64::MAX;
    let mut counts = HashMap::new();
    for _ in 0..3 {
        let register = register.clone();
        let t = Instant::now();
        let mut rc = Reconciler::new(e, register, HashMap::new());
        let mut checker = Checker::new(Date::new(2026, 12, 3));
        counts.clear();
        let mut findings = 0usize;
        for (r, h) in &incoming {
            let keys = match_keys(e, r);
            findings += checker.check(e, r).len();
            let v = rc.classify(key_of(e, r), h, &keys, &mut || None);
            *counts.entry(v.status).or_insert(0usize) += 1;
        }
        let finish = rc.finish();
        let secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
        counts.insert(StagingStatus::Conflict, finish.missing.len());
        std::hint::black_box(findings);
    }
    println!(
        "pure reconcile: {} incoming vs {} register in {:.3} s (best of 3) = {:.0} records/s; {:?}",
        incoming.len(),
        register.len(),
        best,
        incoming.len() as f64 / best,
        counts
    );
}

fn time_page(store: &Store, name: &str, q: StagingQuery) {
    store.staging_page(&q).unwrap();
    let mut best = f64::MAX;
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let p = store.staging_page(&q).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        total = p.total;
    }
    println!(
        "staging_page {name:<44} total {total:>7} {:>7.2} ms",
        best * 1e3
    );
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; figures are meaningful with `cargo bench` (release)");
    }
    let responses = responses();
    let pull = from_responses("20212345", responses.clone()).unwrap();
    let mut students = Vec::with_capacity(STUDENTS);
    pull.for_each_record(Entity::PesertaDidik, &mut |mut r| {
        sync_core::staging::canonicalise_id(Entity::PesertaDidik, &mut r);
        students.push(r);
        Ok(())
    })
    .unwrap();
    pure_reconcile(&students);
    drop(students);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let new_batch = |t: i64| {
        store
            .enqueue(
                &NewBatch {
                    source: SourceKind::Mock,
                    target: "bench".into(),
                    npsn: "20212345".into(),
                    max_attempts: 1,
                },
                t,
            )
            .unwrap();
        store.claim_next(t).unwrap().unwrap()
    };
    let b1 = new_batch(0);
    let t = Instant::now();
    let done = store.stage_pull(b1.id, &pull, 1).unwrap();
    let rows: u64 = done.counts.values().map(|c| c.total()).sum();
    println!(
        "stage into an empty register: {rows} rows in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let applied = store.apply_batch(b1.id, 2).unwrap();
    println!(
        "apply (one transaction, audited): {applied} records in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    // The apply's WAL is checkpointed in the background; wait for it so the next figure is staging's own.
    let t = Instant::now();
    let (log, done) = store.checkpoint().unwrap();
    println!(
        "checkpoint after the apply: {:.3} s ({done} of {log} WAL frames)",
        t.elapsed().as_secs_f64()
    );
    let b2 = new_batch(3);
    let t = Instant::now();
    let done = store.stage_pull(b2.id, &pull, 4).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "stage against a {}-student register (decode + findings + cascade + SQLite): {rows} rows in {secs:.3} s = {:.0} rows/s; students {:?}",
        store.register_count(Entity::PesertaDidik).unwrap(),
        rows as f64 / secs,
        done.counts["peserta_didik"]
    );

    let t = Instant::now();
    store.reconcile_batch(b2.id, 5).unwrap();
    println!(
        "reconcile_batch (re-read {rows} staged rows, cascade + findings + three-way, rows updated): {:.3} s",
        t.elapsed().as_secs_f64()
    );

    let batch = Some(b2.id);
    let q = |entity, status, search: Option<&str>, sort, descending, offset| StagingQuery {
        batch_id: batch,
        entity,
        status,
        search: search.map(String::from),
        sort,
        descending,
        offset,
        limit: 100,
    };
    time_page(
        &store,
        "first page, id order",
        q(None, None, None, StagingSort::Id, false, 0),
    );
    time_page(
        &store,
        "students, MATCHED, by name, offset 50,000",
        q(
            Some(Entity::PesertaDidik),
            Some(StagingStatus::Matched),
            None,
            StagingSort::Label,
            false,
            50_000,
        ),
    );
    time_page(
        &store,
        "students by name desc, offset 90,000",
        q(
            Some(Entity::PesertaDidik),
            None,
            None,
            StagingSort::Label,
            true,
            90_000,
        ),
    );
    time_page(
        &store,
        "search \"putri\", by name",
        q(None, None, Some("putri"), StagingSort::Label, false, 0),
    );
    let first = store
        .staging_page(&q(
            Some(Entity::PesertaDidik),
            None,
            None,
            StagingSort::Id,
            false,
            500,
        ))
        .unwrap();
    let id = first.rows[0].id;
    store.staging_detail(id).unwrap();
    let t = Instant::now();
    for r in &first.rows {
        store.staging_detail(r.id).unwrap();
    }
    println!(
        "staging_detail (live three-way diff): {:.3} ms per row",
        t.elapsed().as_secs_f64() * 1e3 / first.rows.len() as f64
    );
}
