//! The desktop review pages over a real register: a record's view (history, class members, a
//! student's classes) after staging and applying, and after a local edit.

#[path = "storage_support/mod.rs"]
mod support;

use dapodik_webservice::Entity;
use serde_json::json;
use support::*;
use sync_core::storage::{ApplyRequest, AuditAction, AuditSearch};

#[test]
fn register_view_has_history_and_class_links() {
    let (_d, store) = new_store();
    let mut c = class(1, "X TKJ 1");
    c.insert(
        "anggota_rombel".into(),
        json!([{"peserta_didik_id": uuid(2)}, {"peserta_didik_id": uuid(1)}, {"peserta_didik_id": uuid(77)}]),
    );
    let pull = Pull::default()
        .with(Entity::Sekolah, vec![school()])
        .with(
            Entity::PesertaDidik,
            vec![student(1, "SISWA SATU"), student(2, "SISWA DUA")],
        )
        .with(Entity::RombonganBelajar, vec![c]);
    let b = running_batch(&store, "20212345", 10);
    pull.stage(&store, b.id, 11).unwrap();
    store
        .apply(
            &ApplyRequest {
                batch_id: Some(b.id),
                statuses: None,
            },
            "tester",
            12,
        )
        .unwrap();

    let class_view = store
        .register_view(Entity::RombonganBelajar, &uuid(900_001))
        .unwrap()
        .expect("class in the register");
    let members: Vec<(String, Option<String>)> = class_view
        .related
        .iter()
        .map(|m| (m.dapodik_id.clone(), m.label.clone()))
        .collect();
    // Sorted by label, members missing from the register (no label) first.
    assert_eq!(
        members,
        vec![
            (uuid(77), None),
            (uuid(2), Some("SISWA DUA".into())),
            (uuid(1), Some("SISWA SATU".into())),
        ]
    );
    assert!(class_view
        .related
        .iter()
        .all(|m| m.entity == Entity::PesertaDidik));

    store
        .edit_register(
            Entity::PesertaDidik,
            &uuid(1),
            "nama",
            json!("SISWA SATU DIUBAH"),
            "op",
            20,
        )
        .unwrap();
    let student_view = store
        .register_view(Entity::PesertaDidik, &uuid(1).to_uppercase())
        .unwrap()
        .unwrap();
    assert_eq!(student_view.record.record["nama"], "SISWA SATU DIUBAH");
    let actions: Vec<AuditAction> = student_view.history.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![AuditAction::Insert, AuditAction::Edit]);
    assert_eq!(student_view.related.len(), 1);
    assert_eq!(student_view.related[0].entity, Entity::RombonganBelajar);
    assert_eq!(student_view.related[0].label.as_deref(), Some("X TKJ 1"));

    // The audit search finds the edit by field and record, and by its time.
    let page = store
        .audit_search(&AuditSearch {
            field: Some("nama".into()),
            dapodik_id: Some(uuid(1)),
            from_ms: Some(20),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].after, json!("SISWA SATU DIUBAH"));

    assert!(store
        .register_view(Entity::Gtk, &uuid(1))
        .unwrap()
        .is_none());
}
