//! Pages the desktop review screens need beyond the core API: the audit log filtered by field and by
//! a date range (the "Log Aktivitas" screen). Read-only SQL over `audit_log`.

use super::audit::AUDIT_COLUMNS;
use super::{AuditEntry, AuditPage, Store, StoreError};
use dapodik_webservice::Entity;
use serde::{Deserialize, Serialize};

/// A filtered page of the audit log, newest first. Every filter is optional; times are unix ms,
/// `from_ms` inclusive, `to_ms` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSearch {
    pub entity: Option<Entity>,
    /// Exact field name (`nama`, `nisn`, …); whole-record entries have no field.
    pub field: Option<String>,
    pub dapodik_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

impl Store {
    /// A page of the audit log filtered by entity, field, record and date range, newest first.
    pub fn audit_search(&self, f: &AuditSearch) -> Result<AuditPage, StoreError> {
        let mut filter = String::new();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut and = |clause: &str, v: rusqlite::types::Value| {
            args.push(v);
            filter.push_str(if filter.is_empty() {
                " WHERE "
            } else {
                " AND "
            });
            filter.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(e) = f.entity {
            and("entity = ?", e.as_str().to_string().into());
        }
        if let Some(field) = f.field.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            and("field = ?", field.to_string().into());
        }
        if let Some(id) = f
            .dapodik_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            and("dapodik_id = ?", id.to_lowercase().into());
        }
        if let Some(from) = f.from_ms {
            and("at >= ?", from.into());
        }
        if let Some(to) = f.to_ms {
            and("at < ?", to.into());
        }
        let conn = self.conn();
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM audit_log{filter}"))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        let n = args.len();
        args.push((f.limit.clamp(1, 1000) as i64).into());
        args.push((f.offset.min(i64::MAX as usize) as i64).into());
        let rows = conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} \
                 FROM audit_log{filter} ORDER BY id DESC LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ))?
            .query_map(
                rusqlite::params_from_iter(args.iter()),
                super::audit::entry_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::batches::store_error)?;
        Ok(AuditPage {
            total: total as u64,
            rows,
        })
    }

    /// The distinct field names in the audit log (for the field filter), sorted.
    pub fn audit_fields(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let rows = conn
            .prepare_cached(
                "SELECT DISTINCT field FROM audit_log WHERE field IS NOT NULL ORDER BY field LIMIT 500",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }
}

/// A register record as the "Data Sekolah" detail shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterView {
    pub record: super::RegisterRecord,
    /// The record's audit history, oldest first.
    pub history: Vec<AuditEntry>,
    /// A class's members, or a student's classes (empty for other entities).
    pub related: Vec<RelatedRecord>,
}

/// Another register record linked to the one shown (a class member, a student's class).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedRecord {
    pub entity: Entity,
    pub dapodik_id: String,
    /// The label in the register; `None` when the record is not (or no longer) in the register.
    pub label: Option<String>,
}

impl Store {
    /// One register record with its history and its class members / classes.
    pub fn register_view(
        &self,
        entity: Entity,
        dapodik_id: &str,
    ) -> Result<Option<RegisterView>, StoreError> {
        let Some(record) = self.register_record(entity, dapodik_id)? else {
            return Ok(None);
        };
        let history = self.record_history(entity, &record.dapodik_id)?;
        let (other, ids) = match entity {
            Entity::RombonganBelajar => (
                Entity::PesertaDidik,
                self.class_members(&record.dapodik_id)?,
            ),
            Entity::PesertaDidik => (
                Entity::RombonganBelajar,
                self.student_classes(&record.dapodik_id)?,
            ),
            _ => (entity, Vec::new()),
        };
        let mut related = Vec::with_capacity(ids.len());
        for id in ids {
            let label = self.register_record(other, &id)?.map(|r| r.label);
            related.push(RelatedRecord {
                entity: other,
                dapodik_id: id,
                label,
            });
        }
        related.sort_by(|a, b| a.label.cmp(&b.label).then(a.dapodik_id.cmp(&b.dapodik_id)));
        Ok(Some(RegisterView {
            record,
            history,
            related,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{AuditAction, AuditFilter};
    use serde_json::Value;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        (dir, store)
    }

    fn log(store: &Store, at: i64, entity: Entity, id: &str, field: Option<&str>) {
        let conn = store.conn();
        super::super::audit::insert_audit(
            &conn,
            at,
            "tester",
            AuditAction::Update,
            entity,
            id,
            field,
            Some(&Value::from("a")),
            Some(&Value::from("b")),
            None,
            None,
        )
        .unwrap();
    }

    #[test]
    fn audit_search_filters_by_field_entity_and_date_range() {
        let (_d, store) = store();
        log(&store, 100, Entity::PesertaDidik, "x1", Some("nama"));
        log(&store, 200, Entity::PesertaDidik, "x1", Some("nisn"));
        log(&store, 300, Entity::Gtk, "g1", Some("nama"));
        log(&store, 400, Entity::PesertaDidik, "x2", None);
        let q = |f: AuditSearch| {
            let limit = if f.limit == 0 { 100 } else { f.limit };
            store.audit_search(&AuditSearch { limit, ..f }).unwrap()
        };
        let all = q(AuditSearch::default());
        assert_eq!(all.total, 4);
        assert_eq!(all.rows[0].at, 400, "newest first");
        let nama = q(AuditSearch {
            field: Some("nama".into()),
            ..Default::default()
        });
        assert_eq!(nama.total, 2);
        let pd_nama = q(AuditSearch {
            field: Some("nama".into()),
            entity: Some(Entity::PesertaDidik),
            ..Default::default()
        });
        assert_eq!(pd_nama.total, 1);
        assert_eq!(pd_nama.rows[0].dapodik_id, "x1");
        let range = q(AuditSearch {
            from_ms: Some(200),
            to_ms: Some(400),
            ..Default::default()
        });
        assert_eq!(
            range.rows.iter().map(|r| r.at).collect::<Vec<_>>(),
            vec![300, 200]
        );
        let paged = q(AuditSearch {
            offset: 1,
            limit: 2,
            ..Default::default()
        });
        assert_eq!(paged.total, 4);
        assert_eq!(
            paged.rows.iter().map(|r| r.at).collect::<Vec<_>>(),
            vec![300, 200]
        );
        assert_eq!(store.audit_fields().unwrap(), vec!["nama", "nisn"]);
        // Same rows as the core page where the filters overlap.
        let core = store
            .audit_page(&AuditFilter {
                entity: Some(Entity::Gtk),
                dapodik_id: None,
                actor: None,
                batch_id: None,
                offset: 0,
                limit: 10,
            })
            .unwrap();
        let mine = q(AuditSearch {
            entity: Some(Entity::Gtk),
            ..Default::default()
        });
        assert_eq!(core, mine);
    }
}
