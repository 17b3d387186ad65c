//! Shared by the `storage_*` tests: a store in a temp folder, batches in a given state, synthetic
//! records (invented, shaped like the Web Service's), and a record stream over them.
#![allow(dead_code)]

use dapodik_webservice::pull::EntitySummary;
use dapodik_webservice::{Entity, Record, WsError};
use serde_json::json;
use std::collections::BTreeMap;
use sync_core::{Batch, NewBatch, SourceKind, Store};
use tempfile::TempDir;

pub fn new_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data").join("dapodik-sync.sqlite3")).unwrap();
    (dir, store)
}

pub fn new_batch(npsn: &str) -> NewBatch {
    NewBatch {
        source: SourceKind::Mock,
        target: "http://127.0.0.1:5774".into(),
        npsn: npsn.into(),
        max_attempts: 3,
    }
}

/// A batch enqueued and claimed at `now`.
pub fn running_batch(store: &Store, npsn: &str, now: i64) -> Batch {
    let b = store.enqueue(&new_batch(npsn), now).unwrap();
    let claimed = store.claim_next(now).unwrap().expect("something to claim");
    assert_eq!(claimed.id, b.id);
    claimed
}

pub fn uuid(n: u64) -> String {
    format!("{:08x}-abcd-4ef0-8000-{:012x}", n >> 16, n)
}

pub fn student(n: u64, nama: &str) -> Record {
    json!({
        "peserta_didik_id": uuid(n),
        "nama": nama,
        "nisn": format!("00{:08}", n),
        "nik": format!("32010141{:08}", n),
        "jenis_kelamin": if n.is_multiple_of(2) { "L" } else { "P" },
        "tanggal_lahir": "2009-05-01",
        "nama_ibu": "IBU CONTOH",
        "semester_id": "20251",
        "rombongan_belajar_id": uuid(900_000 + n % 10),
        "nama_rombel": "X TKJ 1",
    })
    .as_object()
    .unwrap()
    .clone()
}

pub fn school() -> Record {
    json!({"sekolah_id": uuid(1), "nama": "SMK CONTOH 4", "npsn": "20212345"})
        .as_object()
        .unwrap()
        .clone()
}

pub fn teacher(n: u64, nama: &str) -> Record {
    json!({"ptk_id": uuid(500_000 + n), "nama": nama, "nuptk": null})
        .as_object()
        .unwrap()
        .clone()
}

pub fn class(n: u64, nama: &str) -> Record {
    json!({"rombongan_belajar_id": uuid(900_000 + n), "nama": nama, "semester_id": "20251", "anggota_rombel": []})
        .as_object()
        .unwrap()
        .clone()
}

/// Records of each entity, streamed like `RawPull::for_each_record`.
#[derive(Default, Clone)]
pub struct Pull {
    pub records: BTreeMap<Entity, Vec<Record>>,
    pub incomplete: Vec<Entity>,
    /// Fail the stream of this entity after this many records.
    pub fail_after: Option<(Entity, usize)>,
}

impl Pull {
    pub fn with(mut self, entity: Entity, records: Vec<Record>) -> Self {
        self.records.insert(entity, records);
        self
    }

    pub fn stream(
        &self,
        entity: Entity,
        on_record: &mut dyn FnMut(Record) -> Result<(), WsError>,
    ) -> Result<EntitySummary, WsError> {
        let rows = self.records.get(&entity).cloned().unwrap_or_default();
        let mut semester_id = None;
        for (i, r) in rows.into_iter().enumerate() {
            if let Some((e, n)) = self.fail_after {
                if e == entity && i == n {
                    return Err(WsError::new(
                        dapodik_webservice::ErrorCode::MalformedResponse,
                        "truncated body",
                    ));
                }
            }
            if semester_id.is_none() {
                semester_id = r
                    .get("semester_id")
                    .and_then(|v| v.as_str())
                    .map(String::from);
            }
            on_record(r)?;
        }
        Ok(EntitySummary {
            records: self.records.get(&entity).map_or(0, Vec::len),
            incomplete: self.incomplete.contains(&entity),
            semester_id,
        })
    }

    pub fn stage(
        &self,
        store: &Store,
        batch_id: i64,
        now: i64,
    ) -> Result<Batch, sync_core::StageError> {
        store.stage_records(batch_id, &mut |e, on| self.stream(e, on), &[], now)
    }
}
