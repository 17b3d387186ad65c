//! Reconciliation against a real SQLite register: three-way statuses, local edits kept by apply,
//! field-level resolution, Verval-protected fields, removals only from complete pulls, the matching
//! cascade, findings stored per row, bulk accepts, the audit log.

#[path = "storage_support/mod.rs"]
mod support;

use dapodik_webservice::{Entity, Record};
use serde_json::{json, Value};
use support::*;
use sync_core::reconcile::{Change, FieldChoice};
use sync_core::storage::{ApplyRequest, AuditAction, AuditFilter, RegisterQuery, RowKind};
use sync_core::{StagingQuery, StagingStatus, Store};

const NPSN: &str = "20212345";

fn students(n: u64) -> Vec<Record> {
    (0..n)
        .map(|i| student(i, &format!("SISWA {i:02}")))
        .collect()
}

fn pull_of(students: Vec<Record>) -> Pull {
    Pull::default()
        .with(Entity::Sekolah, vec![school()])
        .with(Entity::PesertaDidik, students)
}

/// Stage `pull` as a new batch at time `t`; returns the batch id.
fn stage(store: &Store, pull: &Pull, t: i64) -> i64 {
    let b = running_batch(store, NPSN, t);
    pull.stage(store, b.id, t + 1).unwrap();
    b.id
}

fn apply_all(store: &Store, batch: i64, t: i64) -> sync_core::storage::ApplyReport {
    store
        .apply(
            &ApplyRequest {
                batch_id: Some(batch),
                statuses: None,
            },
            "tester",
            t,
        )
        .unwrap()
}

/// Staging rows of a batch for one entity: (id, dapodik_id, status, reasons).
fn rows(store: &Store, batch: i64, entity: Entity) -> Vec<sync_core::StagingRowSummary> {
    store
        .staging_page(&StagingQuery {
            batch_id: Some(batch),
            entity: Some(entity),
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
        .rows
}

fn row_of(store: &Store, batch: i64, id: &str) -> sync_core::StagingRowSummary {
    rows(store, batch, Entity::PesertaDidik)
        .into_iter()
        .find(|r| r.dapodik_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn local(store: &Store, id: &str) -> Record {
    store
        .register_record(Entity::PesertaDidik, id)
        .unwrap()
        .expect("in register")
        .record
}

#[test]
fn apply_keeps_local_edits_takes_dapodik_updates_and_audits_each_change() {
    let (_d, store) = new_store();
    let b1 = stage(&store, &pull_of(students(3)), 0);
    let r = apply_all(&store, b1, 2);
    assert_eq!((r.applied, r.skipped, r.changed), (4, 0, 4));
    let inserts = store.audit_page(&AuditFilter::default()).unwrap();
    assert_eq!(inserts.total, 4);
    assert!(inserts
        .rows
        .iter()
        .all(|e| e.action == AuditAction::Insert && e.actor == "tester"));

    // A local edit of student 1's address.
    let id1 = uuid(1);
    store
        .edit_register(
            Entity::PesertaDidik,
            &id1,
            "alamat_jalan",
            json!("Jl. Lokal 1"),
            "tester",
            3,
        )
        .unwrap();
    assert!(
        store
            .register_record(Entity::PesertaDidik, &id1)
            .unwrap()
            .unwrap()
            .edited
    );

    // Dapodik changes another field of student 1.
    let mut s = students(3);
    s[1].insert("nomor_telepon_seluler".into(), json!("081234567890"));
    let b2 = stage(&store, &pull_of(s), 10);
    let row = row_of(&store, b2, &id1);
    assert_eq!(row.status, StagingStatus::Matched);
    assert_eq!(
        row.reasons,
        [
            "Ada perubahan dari Dapodik",
            "Ada perubahan lokal (dipertahankan): alamat_jalan"
        ]
    );
    let detail = store.staging_detail(row.id).unwrap().unwrap();
    let by_field = |f: &str| detail.diff.iter().find(|d| d.field == f).unwrap().clone();
    assert_eq!(by_field("alamat_jalan").change, Change::Local);
    assert_eq!(by_field("alamat_jalan").local, json!("Jl. Lokal 1"));
    assert_eq!(by_field("nomor_telepon_seluler").change, Change::Dapodik);
    assert!(detail.unresolved.is_empty());

    let r = apply_all(&store, b2, 11);
    assert_eq!((r.skipped, r.changed), (0, 1));
    let rec = local(&store, &id1);
    assert_eq!(
        rec["alamat_jalan"], "Jl. Lokal 1",
        "the local edit survives"
    );
    assert_eq!(rec["nomor_telepon_seluler"], "081234567890");
    let history = store.record_history(Entity::PesertaDidik, &id1).unwrap();
    let actions: Vec<(AuditAction, Option<&str>)> = history
        .iter()
        .map(|e| (e.action, e.field.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            (AuditAction::Insert, None),
            (AuditAction::Edit, Some("alamat_jalan")),
            (AuditAction::Update, Some("nomor_telepon_seluler"))
        ]
    );
    assert_eq!(history[2].before, Value::Null);
    assert_eq!(history[2].after, json!("081234567890"));
    assert_eq!(history[2].batch_id, Some(b2));
}

#[test]
fn both_sides_changed_is_a_field_conflict_resolved_per_field() {
    let (_d, store) = new_store();
    let b1 = stage(&store, &pull_of(students(2)), 0);
    apply_all(&store, b1, 1);
    let id = uuid(0);
    store
        .edit_register(
            Entity::PesertaDidik,
            &id,
            "alamat_jalan",
            json!("Jl. Lokal"),
            "tester",
            2,
        )
        .unwrap();
    let mut s = students(2);
    s[0].insert("alamat_jalan".into(), json!("Jl. Dapodik"));
    s[0].insert("rt".into(), json!("7"));
    let b2 = stage(&store, &pull_of(s), 10);
    let row = row_of(&store, b2, &id);
    assert_eq!(row.status, StagingStatus::Conflict);
    assert_eq!(
        row.reasons[0],
        "Berubah di Dapodik dan di data lokal: alamat_jalan"
    );
    let d = store.staging_detail(row.id).unwrap().unwrap();
    assert_eq!(d.unresolved, ["alamat_jalan"]);
    let f = d.diff.iter().find(|f| f.field == "alamat_jalan").unwrap();
    assert!(f.conflict);
    assert_eq!(
        (&f.local, &f.base, &f.dapodik),
        (&json!("Jl. Lokal"), &Value::Null, &json!("Jl. Dapodik"))
    );

    // Not applied while unresolved; nothing lost.
    let r = apply_all(&store, b2, 11);
    assert_eq!(r.skipped, 1);
    assert_eq!(r.skipped_rows[0].staging_id, row.id);
    assert_eq!(local(&store, &id)["alamat_jalan"], "Jl. Lokal");

    // A typed value for the conflicting field, then apply: rt comes from Dapodik.
    let d = store
        .resolve(
            row.id,
            Some("alamat_jalan"),
            FieldChoice::Value {
                value: json!("Jl. Ketik"),
            },
            "tester",
            12,
        )
        .unwrap();
    assert!(d.unresolved.is_empty());
    let r = apply_all(&store, b2, 13);
    assert_eq!((r.applied, r.skipped), (1, 0));
    let rec = local(&store, &id);
    assert_eq!(rec["alamat_jalan"], "Jl. Ketik");
    assert_eq!(rec["rt"], "7");
    let reg = store
        .register_record(Entity::PesertaDidik, &id)
        .unwrap()
        .unwrap();
    assert_eq!(
        reg.base["alamat_jalan"], "Jl. Dapodik",
        "base = Dapodik's values"
    );
    assert!(reg.edited);
    // Applied rows are not applied twice.
    let again = apply_all(&store, b2, 14);
    assert_eq!((again.applied, again.skipped), (0, 0));
}

#[test]
fn take_local_or_dapodik_for_the_whole_row() {
    let (_d, store) = new_store();
    apply_all(&store, stage(&store, &pull_of(students(1)), 0), 1);
    let id = uuid(0);
    store
        .edit_register(
            Entity::PesertaDidik,
            &id,
            "alamat_jalan",
            json!("Jl. Lokal"),
            "tester",
            2,
        )
        .unwrap();
    let mut s = students(1);
    s[0].insert("alamat_jalan".into(), json!("Jl. Dapodik"));
    let b2 = stage(&store, &pull_of(s.clone()), 10);
    let row = row_of(&store, b2, &id);
    store
        .resolve(row.id, None, FieldChoice::Local, "tester", 11)
        .unwrap();
    apply_all(&store, b2, 12);
    assert_eq!(local(&store, &id)["alamat_jalan"], "Jl. Lokal");

    s[0].insert("alamat_jalan".into(), json!("Jl. Dapodik 2"));
    let b3 = stage(&store, &pull_of(s), 20);
    let row = row_of(&store, b3, &id);
    assert_eq!(row.status, StagingStatus::Conflict);
    store
        .resolve(row.id, None, FieldChoice::Dapodik, "tester", 21)
        .unwrap();
    apply_all(&store, b3, 22);
    let reg = store
        .register_record(Entity::PesertaDidik, &id)
        .unwrap()
        .unwrap();
    assert_eq!(reg.record["alamat_jalan"], "Jl. Dapodik 2");
    assert!(!reg.edited, "local = base again");
}

#[test]
fn a_local_edit_of_a_verval_protected_field_is_a_conflict_never_a_fix() {
    let (_d, store) = new_store();
    apply_all(&store, stage(&store, &pull_of(students(1)), 0), 1);
    let id = uuid(0);
    store
        .edit_register(
            Entity::PesertaDidik,
            &id,
            "nama",
            json!("SISWA NOL"),
            "tester",
            2,
        )
        .unwrap();
    // Dapodik unchanged: still a CONFLICT (a local edit of `nama` is not a fix).
    let b2 = stage(&store, &pull_of(students(1)), 10);
    let row = row_of(&store, b2, &id);
    assert_eq!(row.status, StagingStatus::Conflict);
    assert!(
        row.reasons[0].contains("perbaiki lewat VervalPD"),
        "{:?}",
        row.reasons
    );
    let d = store.staging_detail(row.id).unwrap().unwrap();
    let nama = d.diff.iter().find(|f| f.field == "nama").unwrap();
    assert!(nama.protected && nama.conflict);
    assert_eq!(nama.hint.as_deref(), Some("perbaiki lewat VervalPD"));
    // A typed value is refused with the Verval hint.
    let err = store
        .resolve(
            row.id,
            Some("nama"),
            FieldChoice::Value {
                value: json!("SISWA 0"),
            },
            "tester",
            11,
        )
        .unwrap_err();
    assert_eq!(err.code(), "refused");
    assert!(err.message_id().contains("VervalPD"));
    // Taking Dapodik's value drops the local edit (explicitly).
    store
        .resolve(row.id, Some("nama"), FieldChoice::Dapodik, "tester", 12)
        .unwrap();
    apply_all(&store, b2, 13);
    assert_eq!(local(&store, &id)["nama"], "SISWA 00");

    // A Verval correction arriving from Dapodik is a plain update.
    let mut s = students(1);
    s[0].insert("nama".into(), json!("SISWA NOL NOL"));
    let b3 = stage(&store, &pull_of(s), 20);
    let row = row_of(&store, b3, &id);
    assert_eq!(row.status, StagingStatus::Matched);
    apply_all(&store, b3, 21);
    assert_eq!(local(&store, &id)["nama"], "SISWA NOL NOL");
}

#[test]
fn removals_come_only_from_complete_pulls_and_are_never_applied_automatically() {
    let (_d, store) = new_store();
    apply_all(&store, stage(&store, &pull_of(students(3)), 0), 1);
    let gone = uuid(2);

    // Incomplete (empty set reported as an error): no removal.
    let mut incomplete = pull_of(Vec::new());
    incomplete.incomplete = vec![Entity::PesertaDidik];
    let b = stage(&store, &incomplete, 5);
    assert!(rows(&store, b, Entity::PesertaDidik).is_empty());

    // Complete without student 2: one removal row.
    let b2 = stage(&store, &pull_of(students(2)), 10);
    let row = row_of(&store, b2, &gone);
    assert_eq!(row.status, StagingStatus::Conflict);
    assert_eq!(row.reasons, ["Dihapus di Dapodik"]);
    let batch = store.batch(b2).unwrap().unwrap();
    assert_eq!(batch.counts["peserta_didik"].conflict, 1);
    let d = store.staging_detail(row.id).unwrap().unwrap();
    assert_eq!(d.kind, RowKind::Removal);
    assert_eq!(d.row.record["nama"], "SISWA 02");

    // Default apply and a status-filtered apply leave it alone.
    let r = apply_all(&store, b2, 11);
    assert_eq!(r.skipped, 1, "a pending removal is skipped");
    assert!(r.skipped_rows[0]
        .reason
        .contains("tidak pernah diterapkan otomatis"));
    store
        .apply(
            &ApplyRequest {
                batch_id: Some(b2),
                statuses: Some(vec![StagingStatus::Conflict]),
            },
            "tester",
            12,
        )
        .unwrap();
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 3);

    // Accepted, then applied: removed, audited with the record as it was.
    store.accept_row(row.id, "tester", 13).unwrap();
    let r = apply_all(&store, b2, 14);
    assert_eq!(r.changed, 1);
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 2);
    let h = store.record_history(Entity::PesertaDidik, &gone).unwrap();
    assert_eq!(h.last().unwrap().action, AuditAction::Remove);
    assert_eq!(h.last().unwrap().before["nama"], "SISWA 02");
}

#[test]
fn matching_cascade_by_nisn_rekeys_the_register_record() {
    let (_d, store) = new_store();
    apply_all(&store, stage(&store, &pull_of(students(2)), 0), 1);
    // Student 1 comes back with a new UUID but the same NISN.
    let mut s = students(2);
    s[1].insert("peserta_didik_id".into(), json!(uuid(77)));
    let b2 = stage(&store, &pull_of(s), 10);
    let all = rows(&store, b2, Entity::PesertaDidik);
    assert_eq!(
        all.len(),
        2,
        "no removal for the record matched by NISN: {all:?}"
    );
    let row = row_of(&store, b2, &uuid(77));
    assert_eq!(row.status, StagingStatus::Matched);
    assert!(
        row.reasons[0].starts_with("Cocok lewat NISN"),
        "{:?}",
        row.reasons
    );
    let d = store.staging_detail(row.id).unwrap().unwrap();
    assert_eq!(d.match_id.as_deref(), Some(uuid(1).as_str()));
    apply_all(&store, b2, 11);
    assert!(store
        .register_record(Entity::PesertaDidik, &uuid(1))
        .unwrap()
        .is_none());
    assert!(store
        .register_record(Entity::PesertaDidik, &uuid(77))
        .unwrap()
        .is_some());
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 2);
    let h = store
        .record_history(Entity::PesertaDidik, &uuid(77))
        .unwrap();
    assert_eq!(h[0].field.as_deref(), Some("peserta_didik_id"));
}

#[test]
fn two_candidates_are_an_ambiguous_conflict_never_a_guess() {
    let (_d, store) = new_store();
    let mut s = students(2);
    for r in &mut s {
        r.insert("nisn".into(), Value::Null);
        r.insert("nipd".into(), json!("0101"));
    }
    apply_all(&store, stage(&store, &pull_of(s.clone()), 0), 1);
    let mut next = s.clone();
    let mut newcomer = student(50, "SISWA BARU");
    newcomer.insert("nisn".into(), Value::Null);
    newcomer.insert("nipd".into(), json!("0101"));
    next.push(newcomer);
    let b2 = stage(&store, &pull_of(next), 10);
    let row = row_of(&store, b2, &uuid(50));
    assert_eq!(row.status, StagingStatus::Conflict);
    assert!(
        row.reasons[0].contains("2 data lokal lewat NIPD"),
        "{:?}",
        row.reasons
    );
    let r = apply_all(&store, b2, 11);
    assert_eq!(r.skipped, 1, "a pending CONFLICT is not applied by default");
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 2);
}

#[test]
fn findings_are_stored_per_row_without_personal_values() {
    let (_d, store) = new_store();
    let mut s = students(2);
    s[0].insert("nik".into(), json!("0"));
    s[1].insert("nama".into(), json!("Hj. SITI\tAMINAH"));
    s[1].insert("nik".into(), json!("3201014205090001"));
    s[1].insert("jenis_kelamin".into(), json!("L"));
    let b = stage(&store, &pull_of(s), 0);
    let d0 = store
        .staging_detail(row_of(&store, b, &uuid(0)).id)
        .unwrap()
        .unwrap();
    assert!(d0
        .findings
        .iter()
        .any(|f| f.code == "nik_placeholder" && f.field == "nik"));
    let d1 = store
        .staging_detail(row_of(&store, b, &uuid(1)).id)
        .unwrap()
        .unwrap();
    let codes: Vec<&str> = d1.findings.iter().map(|f| f.code.as_str()).collect();
    for c in [
        "nama_tab",
        "nama_gelar",
        "nik_jenis_kelamin",
        "nik_tanggal_lahir",
    ] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    for f in &d1.findings {
        assert!(!f.message.contains("3201014205090001") && !f.message.contains("SITI"));
    }
    // Findings never block: both rows are NEW.
    assert_eq!(d1.row.status, StagingStatus::New);
}

#[test]
fn bulk_accept_and_status_filtered_apply() {
    let (_d, store) = new_store();
    let b = stage(&store, &pull_of(students(5)), 0);
    assert_eq!(
        store
            .bulk_accept(b, StagingStatus::New, "tester", 1)
            .unwrap(),
        6
    );
    assert_eq!(
        store
            .bulk_accept(b, StagingStatus::Conflict, "tester", 1)
            .unwrap_err()
            .code(),
        "refused"
    );
    let one = row_of(&store, b, &uuid(3));
    store.reject_row(one.id, "tester", 2).unwrap();
    let decided = store.resolutions(&[one.id, one.id + 1, 99_999]).unwrap();
    assert_eq!(
        decided[&one.id].decision,
        sync_core::storage::Decision::Rejected
    );
    assert_eq!(
        decided[&(one.id + 1)].decision,
        sync_core::storage::Decision::Accepted
    );
    assert_eq!(decided.len(), 2);
    let r = apply_all(&store, b, 3);
    assert_eq!(r.applied, 5, "the rejected row stays out");
    assert_eq!(
        store.resolutions(&[one.id + 1]).unwrap()[&(one.id + 1)].decision,
        sync_core::storage::Decision::Applied
    );
    assert_eq!(store.register_count(Entity::PesertaDidik).unwrap(), 4);
    let page = store
        .register_page(&RegisterQuery {
            entity: Entity::PesertaDidik,
            search: Some("siswa 0".into()),
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.rows.len(), 2);
    assert_eq!(page.rows[0].label, "SISWA 00");
    assert_eq!(page.rows[0].provenance.source_batch_id, Some(b));
}

#[test]
fn class_membership_is_derived_from_the_class_records() {
    let (_d, store) = new_store();
    let mut c = class(1, "X TKJ 1");
    c.insert(
        "anggota_rombel".into(),
        json!([{"peserta_didik_id": uuid(2).to_uppercase()}, {"peserta_didik_id": uuid(1)}]),
    );
    let pull = pull_of(students(3)).with(Entity::RombonganBelajar, vec![c]);
    apply_all(&store, stage(&store, &pull, 0), 1);
    assert_eq!(
        store.class_members(&uuid(900_001)).unwrap(),
        [uuid(2), uuid(1)]
    );
    assert_eq!(
        store.student_classes(&uuid(2).to_uppercase()).unwrap(),
        [uuid(900_001)]
    );
    assert!(store.student_classes(&uuid(0)).unwrap().is_empty());
}

#[test]
fn an_older_batch_cannot_be_applied_over_a_newer_one() {
    let (_d, store) = new_store();
    let old = stage(&store, &pull_of(students(2)), 0);
    let mut s = students(2);
    s[0].insert("rt".into(), json!("9"));
    let new = stage(&store, &pull_of(s), 10);
    apply_all(&store, new, 11);
    let err = store
        .apply(
            &ApplyRequest {
                batch_id: Some(old),
                statuses: None,
            },
            "tester",
            12,
        )
        .unwrap_err();
    assert_eq!(err.code(), "refused");
    assert_eq!(local(&store, &uuid(0))["rt"], "9");
}

#[test]
fn a_schema_1_register_is_upgraded_and_reconciles_unchanged() {
    // A database written by the first slice: schema 1, register rows with record = base.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let rec = student(5, "SISWA 05");
    let json = serde_json::to_string(&rec).unwrap();
    let hash = sync_core::staging::content_hash(&rec);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!(
            "../../../migrations/0001_queue_and_staging.sql"
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO register (entity, dapodik_id, record, content_hash, base, updated_at) \
             VALUES ('peserta_didik', ?1, ?2, ?3, ?2, 42)",
            rusqlite::params![uuid(5), json, hash],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let reg = store
        .register_record(Entity::PesertaDidik, &uuid(5))
        .unwrap()
        .unwrap();
    assert_eq!(reg.label, "SISWA 05");
    assert!(!reg.edited);
    assert_eq!(reg.provenance.created_at, Some(42));
    // Same record again: unchanged MATCHED; a new UUID with its NISN: matched by NISN.
    let mut other = student(6, "SISWA 06");
    other.insert("nisn".into(), rec["nisn"].clone());
    let b = stage(&store, &pull_of(vec![rec.clone()]), 100);
    let row = row_of(&store, b, &uuid(5));
    assert_eq!((row.status, row.reasons.len()), (StagingStatus::Matched, 0));
    let b = stage(&store, &pull_of(vec![other]), 200);
    let d = store
        .staging_detail(row_of(&store, b, &uuid(6)).id)
        .unwrap()
        .unwrap();
    assert_eq!(d.match_by, Some(sync_core::reconcile::MatchKey::Nisn));
}

#[test]
fn reconcile_batch_sees_a_local_edit_made_after_staging() {
    let (_d, store) = new_store();
    apply_all(&store, stage(&store, &pull_of(students(2)), 0), 1);
    let mut s = students(2);
    s[0].insert("alamat_jalan".into(), json!("Jl. Dapodik"));
    let b2 = stage(&store, &pull_of(s), 10);
    let id = uuid(0);
    assert_eq!(row_of(&store, b2, &id).status, StagingStatus::Matched);
    store
        .edit_register(
            Entity::PesertaDidik,
            &id,
            "alamat_jalan",
            json!("Jl. Lokal"),
            "tester",
            11,
        )
        .unwrap();
    let batch = store.reconcile_batch(b2, 12).unwrap();
    assert_eq!(row_of(&store, b2, &id).status, StagingStatus::Conflict);
    assert_eq!(batch.counts["peserta_didik"].conflict, 1);
    assert_eq!(batch.counts["peserta_didik"].matched, 1);
}

#[test]
fn one_incomplete_entity_means_no_removals_at_all() {
    let (_d, store) = new_store();
    let staff = vec![teacher(1, "GURU SATU"), teacher(2, "GURU DUA")];
    let pull = pull_of(students(2)).with(Entity::Gtk, staff.clone());
    apply_all(&store, stage(&store, &pull, 0), 1);
    // Staff (staged first) lose one record, but students come back as an empty set: nothing removed.
    let mut next = pull_of(Vec::new()).with(Entity::Gtk, staff[..1].to_vec());
    next.incomplete = vec![Entity::PesertaDidik];
    let b = stage(&store, &next, 10);
    let batch = store.batch(b).unwrap().unwrap();
    assert_eq!(batch.counts["gtk"].conflict, 0);
    assert_eq!(batch.counts["gtk"].matched, 1);
    assert!(rows(&store, b, Entity::Gtk)
        .iter()
        .all(|r| r.status == StagingStatus::Matched));
    assert!(batch
        .notes
        .iter()
        .any(|n| n.contains("tidak ada data yang dianggap dihapus")));
    // Complete again: the staff member who left is a removal row.
    let b = stage(
        &store,
        &pull_of(students(2)).with(Entity::Gtk, staff[..1].to_vec()),
        20,
    );
    let batch = store.batch(b).unwrap().unwrap();
    assert_eq!(batch.counts["gtk"].conflict, 1);
}
