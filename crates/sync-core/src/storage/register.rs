//! The local register: the school's reconciled copy of each record, keyed by (entity, Dapodik id).
//!
//! Per record: `base` (the Dapodik values last applied), `record` (the local record = base + local
//! edits), hashes of both, the match keys of the local record (NISN/NUPTK, NIK, NIPD) and provenance
//! (created, last applied from which batch and staging row, last local edit by whom). Class membership
//! is derived from the `anggota_rombel` of rombongan belajar records ([`Store::class_members`]).
//!
//! Staging loads what reconciliation needs once per entity ([`load_reconciler`]): keys and hashes of
//! every record, full JSON only of the records with local edits.

use super::audit::{insert_audit, AuditAction};
use super::batches::require_batch;
use super::{Store, StoreError};
use crate::queue::BatchStatus;
use crate::reconcile::identity;
use crate::reconcile::matching::{Edited, MatchKeys, Reconciler, RegisterKeys};
use crate::reconcile::FieldChange;
use crate::staging::{label_of, parse_hex_digest, parse_uuid};
use dapodik_webservice::{Entity, Record};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// Everything the matching cascade needs of one entity's register: one query for keys and hashes,
/// one for the full records of those with local edits.
pub(super) fn load_reconciler(conn: &Connection, entity: Entity) -> Result<Reconciler, StoreError> {
    let mut keys = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT dapodik_id, coalesce(base_hash, content_hash), edited, key_national, key_nik, key_nipd \
             FROM register INDEXED BY register_match_keys WHERE entity = ?1",
        )?;
        let mut rows = stmt.query([entity.as_str()])?;
        while let Some(r) = rows.next()? {
            let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let hash = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let (Some(id), Some(base_hash)) = (parse_uuid(id), parse_hex_digest(hash)) else {
                continue;
            };
            let national: Option<String> = r.get(3)?;
            let nik: Option<String> = r.get(4)?;
            let nipd: Option<String> = r.get(5)?;
            keys.push(RegisterKeys {
                id,
                base_hash,
                edited: r.get(2)?,
                keys: stored_keys(entity, national.as_deref(), nik.as_deref(), nipd.as_deref()),
            });
        }
    }
    let mut edited = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT dapodik_id, base, record FROM register WHERE entity = ?1 AND edited = 1",
    )?;
    let mut rows = stmt.query([entity.as_str()])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let base: String = r.get(1)?;
        let record: String = r.get(2)?;
        if let (Some(k), Ok(base), Ok(local)) = (
            parse_uuid(&id),
            serde_json::from_str::<Record>(&base),
            serde_json::from_str::<Record>(&record),
        ) {
            edited.insert(k, Edited { base, local });
        }
    }
    Ok(Reconciler::new(entity, keys, edited))
}

fn trim(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn stored_keys(
    entity: Entity,
    national: Option<&str>,
    nik: Option<&str>,
    nipd: Option<&str>,
) -> MatchKeys {
    let nik = match identity::nik(trim(nik)) {
        identity::Nik::Valid(k) => Some(k),
        _ => None,
    };
    match entity {
        Entity::PesertaDidik => MatchKeys {
            national: identity::nisn(trim(national)),
            nik,
            nipd: identity::nipd(trim(nipd)),
        },
        Entity::Gtk => MatchKeys {
            national: identity::nuptk(trim(national)),
            nik,
            nipd: None,
        },
        _ => MatchKeys::default(),
    }
}

/// Where a register record came from and when it last changed (unix ms).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub created_at: Option<i64>,
    pub applied_at: Option<i64>,
    pub updated_at: i64,
    pub source_batch_id: Option<i64>,
    pub source_staging_id: Option<i64>,
    pub edited_at: Option<i64>,
    pub edited_by: Option<String>,
}

/// One register record in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterRecord {
    pub entity: Entity,
    pub dapodik_id: String,
    pub label: String,
    /// The local record (base + local edits), in the Web Service's field names.
    pub record: Record,
    /// The Dapodik values last applied.
    pub base: Record,
    /// The local record differs from the base.
    pub edited: bool,
    pub provenance: Provenance,
}

/// Sort order of the register list; ties by Dapodik id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterSort {
    #[default]
    Label,
    DapodikId,
    UpdatedAt,
}

/// A page of one entity's register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    pub entity: Entity,
    /// Case-insensitive substring of the label or the Dapodik id.
    pub search: Option<String>,
    pub sort: RegisterSort,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

impl Default for RegisterQuery {
    fn default() -> Self {
        RegisterQuery {
            entity: Entity::PesertaDidik,
            search: None,
            sort: RegisterSort::Label,
            descending: false,
            offset: 0,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterPage {
    pub total: u64,
    pub rows: Vec<RegisterRecord>,
}

const REGISTER_COLUMNS: &str = "entity, dapodik_id, label, record, base, edited, created_at, \
    applied_at, updated_at, source_batch_id, source_staging_id, edited_at, edited_by";

fn register_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegisterRecord> {
    let entity: String = r.get(0)?;
    let record: String = r.get(3)?;
    let base: String = r.get(4)?;
    let bad = |what: &str, e: String| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(StoreError::Corrupt(format!("register {what}: {e}"))),
        )
    };
    Ok(RegisterRecord {
        entity: Entity::parse(&entity).ok_or_else(|| bad("entity", entity.clone()))?,
        dapodik_id: r.get(1)?,
        label: r.get(2)?,
        record: serde_json::from_str(&record).map_err(|e| bad("record", e.to_string()))?,
        base: serde_json::from_str(&base).map_err(|e| bad("base", e.to_string()))?,
        edited: r.get(5)?,
        provenance: Provenance {
            created_at: r.get(6)?,
            applied_at: r.get(7)?,
            updated_at: r.get(8)?,
            source_batch_id: r.get(9)?,
            source_staging_id: r.get(10)?,
            edited_at: r.get(11)?,
            edited_by: r.get(12)?,
        },
    })
}

pub(super) fn load_register_record(
    conn: &Connection,
    entity: Entity,
    dapodik_id: &str,
) -> Result<Option<RegisterRecord>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {REGISTER_COLUMNS} FROM register WHERE entity = ?1 AND dapodik_id = ?2"
    ))?
    .query_row(params![entity.as_str(), dapodik_id], register_from_row)
    .optional()
    .map_err(super::batches::store_error)
}

/// Where a register write comes from.
pub(super) enum WriteSource {
    Apply { batch_id: i64, staging_id: i64 },
    Edit { actor: String },
}

/// Insert or replace one register record (base + local), with hashes, keys, label and provenance.
pub(super) fn write_register(
    conn: &Connection,
    entity: Entity,
    dapodik_id: &str,
    base: &Record,
    local: &Record,
    source: &WriteSource,
    now_ms: i64,
) -> Result<(), StoreError> {
    let base_json = serde_json::to_string(base).expect("records serialise");
    let local_json = if local == base {
        base_json.clone()
    } else {
        serde_json::to_string(local).expect("records serialise")
    };
    let base_hash = hash_text(&base_json);
    let local_hash = if local == base {
        base_hash.clone()
    } else {
        hash_text(&local_json)
    };
    write_register_text(
        conn,
        entity,
        dapodik_id,
        (&base_json, &base_hash),
        (&local_json, &local_hash),
        local,
        source,
        now_ms,
    )
}

/// sha256 hex of a record's canonical JSON text (the same as [`content_hash`] of the record).
fn hash_text(json: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest: [u8; 32] = Sha256::digest(json.as_bytes()).into();
    String::from_utf8(crate::staging::hex(&digest).to_vec()).expect("hex is ASCII")
}

/// [`write_register`] with the JSON texts and hashes already at hand (`local` is the parsed local
/// record, for its keys and label).
#[allow(clippy::too_many_arguments)]
pub(super) fn write_register_text(
    conn: &Connection,
    entity: Entity,
    dapodik_id: &str,
    (base_json, base_hash): (&str, &str),
    (local_json, local_hash): (&str, &str),
    local: &Record,
    source: &WriteSource,
    now_ms: i64,
) -> Result<(), StoreError> {
    let national = match entity {
        Entity::PesertaDidik => identity::text(local, "nisn"),
        Entity::Gtk => identity::text(local, "nuptk"),
        _ => None,
    };
    let (batch_id, staging_id, edited_by) = match source {
        WriteSource::Apply {
            batch_id,
            staging_id,
        } => (Some(*batch_id), Some(*staging_id), None),
        WriteSource::Edit { actor } => (None, None, Some(actor.as_str())),
    };
    let is_edit = edited_by.is_some();
    conn.prepare_cached(
        "INSERT INTO register (entity, dapodik_id, record, content_hash, base, base_hash, edited, label, \
            key_national, key_nik, key_nipd, created_at, applied_at, updated_at, source_batch_id, \
            source_staging_id, edited_at, edited_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?14, ?15, ?16, ?17) \
         ON CONFLICT (entity, dapodik_id) DO UPDATE SET record = excluded.record, \
            content_hash = excluded.content_hash, base = excluded.base, base_hash = excluded.base_hash, \
            edited = excluded.edited, label = excluded.label, key_national = excluded.key_national, \
            key_nik = excluded.key_nik, key_nipd = excluded.key_nipd, updated_at = excluded.updated_at, \
            applied_at = coalesce(excluded.applied_at, register.applied_at), \
            source_batch_id = coalesce(excluded.source_batch_id, register.source_batch_id), \
            source_staging_id = coalesce(excluded.source_staging_id, register.source_staging_id), \
            edited_at = coalesce(excluded.edited_at, register.edited_at), \
            edited_by = coalesce(excluded.edited_by, register.edited_by)",
    )?
    .execute(params![
        entity.as_str(),
        dapodik_id,
        local_json,
        local_hash,
        base_json,
        base_hash,
        local_hash != base_hash,
        label_of(local),
        national,
        identity::text(local, "nik"),
        identity::text(local, "nipd"),
        now_ms,
        (!is_edit).then_some(now_ms),
        batch_id,
        staging_id,
        is_edit.then_some(now_ms),
        edited_by,
    ])?;
    Ok(())
}

impl Store {
    /// Apply the SUCCEEDED batch `batch_id`: its NEW rows and its MATCHED rows without conflicts
    /// (three-way, against the register as it is now), in one transaction, each change audited as
    /// "operator" (see [`Store::apply`]). Returns how many register records were added or changed
    /// (identical MATCHED rows change nothing). Local edits are kept.
    pub fn apply_batch(&self, batch_id: i64, now_ms: i64) -> Result<usize, StoreError> {
        let report = self.apply(
            &super::resolution::ApplyRequest {
                batch_id: Some(batch_id),
                statuses: Some(vec![
                    crate::StagingStatus::New,
                    crate::StagingStatus::Matched,
                ]),
            },
            "operator",
            now_ms,
        )?;
        Ok(report.changed)
    }

    /// How many records of `entity` the register holds.
    pub fn register_count(&self, entity: Entity) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM register WHERE entity = ?1")?
            .query_row([entity.as_str()], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// One register record, or `None`.
    pub fn register_record(
        &self,
        entity: Entity,
        dapodik_id: &str,
    ) -> Result<Option<RegisterRecord>, StoreError> {
        load_register_record(&self.conn(), entity, &dapodik_id.trim().to_lowercase())
    }

    /// A page of one entity's register: search, sort, offset/limit in SQL, with the total.
    pub fn register_page(&self, q: &RegisterQuery) -> Result<RegisterPage, StoreError> {
        let conn = self.conn();
        let mut filter = String::from(" WHERE entity = ?1");
        let mut args: Vec<rusqlite::types::Value> = vec![q.entity.as_str().to_string().into()];
        if let Some(term) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            args.push(format!("%{}%", term.replace(['%', '_', '\\'], "")).into());
            filter.push_str(" AND (label LIKE ?2 OR dapodik_id LIKE lower(?2))");
        }
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort {
            RegisterSort::Label => format!("label {dir}, dapodik_id {dir}"),
            RegisterSort::DapodikId => format!("dapodik_id {dir}"),
            RegisterSort::UpdatedAt => format!("updated_at {dir}, dapodik_id {dir}"),
        };
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM register{filter}"))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        let n = args.len();
        args.push((q.limit.min(1000) as i64).into());
        args.push((q.offset.min(i64::MAX as usize) as i64).into());
        let rows = conn
            .prepare_cached(&format!(
                "SELECT {REGISTER_COLUMNS} FROM register{filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ))?
            .query_map(rusqlite::params_from_iter(args.iter()), register_from_row)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::batches::store_error)?;
        Ok(RegisterPage {
            total: total as u64,
            rows,
        })
    }

    /// A local edit of one field of a register record (`Value::Null` clears it), audited as `actor`.
    /// The record's id field cannot be edited. Returns the change (before = after when nothing
    /// changed, and then nothing is written).
    pub fn edit_register(
        &self,
        entity: Entity,
        dapodik_id: &str,
        field: &str,
        value: Value,
        actor: &str,
        now_ms: i64,
    ) -> Result<FieldChange, StoreError> {
        let field = field.trim();
        if field.is_empty() || field == entity.id_field() {
            return Err(StoreError::Refused(format!(
                "Kolom {field:?} tidak dapat diubah secara lokal."
            )));
        }
        let id = dapodik_id.trim().to_lowercase();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_register_record(&tx, entity, &id)?
            .ok_or_else(|| StoreError::NotFound(format!("{} {id} di register", entity.as_str())))?;
        let before = current.record.get(field).cloned().unwrap_or(Value::Null);
        let change = FieldChange {
            field: field.to_string(),
            before: before.clone(),
            after: value.clone(),
        };
        if before == value {
            return Ok(change);
        }
        let mut local = current.record.clone();
        if value.is_null() && !current.base.contains_key(field) {
            local.remove(field);
        } else {
            local.insert(field.to_string(), value);
        }
        write_register(
            &tx,
            entity,
            &id,
            &current.base,
            &local,
            &WriteSource::Edit {
                actor: actor.to_string(),
            },
            now_ms,
        )?;
        insert_audit(
            &tx,
            now_ms,
            actor,
            AuditAction::Edit,
            entity,
            &id,
            Some(field),
            Some(&change.before),
            Some(&change.after),
            None,
            None,
        )?;
        tx.commit()?;
        Ok(change)
    }

    /// Members of a class (lower-case `peserta_didik_id`s from the register's rombongan belajar
    /// record's `anggota_rombel`), in their listed order.
    pub fn class_members(&self, rombongan_belajar_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let ids = conn
            .prepare_cached(
                "SELECT lower(json_extract(m.value, '$.peserta_didik_id')) FROM register, \
                 json_each(register.record, '$.anggota_rombel') AS m \
                 WHERE register.entity = 'rombongan_belajar' AND register.dapodik_id = ?1 \
                 AND json_extract(m.value, '$.peserta_didik_id') IS NOT NULL ORDER BY m.key",
            )?
            .query_map([rombongan_belajar_id.trim().to_lowercase()], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }
}

impl Store {
    /// The classes (rombongan belajar ids, in id order) whose `anggota_rombel` in the register lists
    /// this student.
    pub fn student_classes(&self, peserta_didik_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let ids = conn
            .prepare_cached(
                "SELECT DISTINCT register.dapodik_id FROM register, \
                 json_each(register.record, '$.anggota_rombel') AS m \
                 WHERE register.entity = 'rombongan_belajar' \
                 AND lower(json_extract(m.value, '$.peserta_didik_id')) = ?1 ORDER BY 1",
            )?
            .query_map([peserta_didik_id.trim().to_lowercase()], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }
}

/// The batch must exist and have succeeded to be applied.
pub(super) fn require_succeeded(conn: &Connection, batch_id: i64) -> Result<(), StoreError> {
    let b = require_batch(conn, batch_id)?;
    if b.status != BatchStatus::Succeeded {
        return Err(StoreError::InvalidTransition {
            batch_id,
            from: b.status,
            action: "apply",
        });
    }
    Ok(())
}

/// The local record of a register record as a removal row shows it: (label, record JSON, hash).
pub(super) fn load_removal(
    conn: &Connection,
    entity: Entity,
    dapodik_id: &str,
) -> Result<Option<(String, String, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT label, record, content_hash FROM register WHERE entity = ?1 AND dapodik_id = ?2",
        )?
        .query_row(params![entity.as_str(), dapodik_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}
