//! The operator's review of staging rows and the apply: the staging detail (three-way diff computed
//! live against the register, findings, decision), accepting/rejecting a row, field-level
//! resolutions (take Dapodik, keep local, a typed value), bulk accepts, and [`Store::apply`] — one
//! transaction that writes the register and the audit log. Nothing here needs the network.

use super::audit::{insert_audit, AuditAction};
use super::batches::store_error;
use super::register::{
    load_register_record, require_succeeded, write_register, write_register_text, WriteSource,
};
use super::{Store, StoreError};
use crate::reconcile::diff::{self, merge, FieldChoice, FieldDiff, MergeError};
use crate::reconcile::{Finding, MatchKey};

use crate::staging::{StagingRow, StagingStatus};
use dapodik_webservice::Entity;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The operator's decision on a staging row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    Accepted,
    Rejected,
    Applied,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "ACCEPTED",
            Decision::Rejected => "REJECTED",
            Decision::Applied => "APPLIED",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Accepted, Decision::Rejected, Decision::Applied]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A staging row's decision and its field choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub decision: Decision,
    pub fields: BTreeMap<String, FieldChoice>,
    pub decided_by: String,
    pub decided_at: i64,
    pub applied_at: Option<i64>,
}

/// A staging row: a pulled record, or a removal ("Dihapus di Dapodik").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    Record,
    Removal,
}

/// Everything the staging detail screen shows: the row, the three columns per field (Data lokal |
/// Terakhir disinkronkan | Dapodik), findings and the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StagingDetail {
    pub row: StagingRow,
    pub kind: RowKind,
    pub match_by: Option<MatchKey>,
    /// The register record the row is applied to (its Dapodik id).
    pub match_id: Option<String>,
    /// Whether that register record exists now.
    pub in_register: bool,
    pub diff: Vec<FieldDiff>,
    pub findings: Vec<Finding>,
    pub resolution: Option<Resolution>,
    /// Conflicting fields without a choice yet (computed now): the row cannot be applied until empty.
    pub unresolved: Vec<String>,
}

/// What to apply. `statuses: None` applies what was accepted or resolved plus NEW and conflict-free
/// MATCHED rows (every other undecided row is counted as skipped, with its reason); `Some(list)`
/// applies the undecided or accepted rows of those statuses. `batch_id:
/// None` is the newest staged batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyRequest {
    pub batch_id: Option<i64>,
    pub statuses: Option<Vec<StagingStatus>>,
}

/// A row apply did not write, and why (Indonesian).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub staging_id: i64,
    pub reason: String,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub batch_id: Option<i64>,
    /// Rows applied (marked APPLIED), unchanged ones included.
    pub applied: usize,
    /// Candidate rows not applied (unresolved conflicts, removals not accepted, rejected rows).
    pub skipped: usize,
    /// Register records inserted, changed or removed.
    pub changed: usize,
    /// Audit entries written.
    pub audited: usize,
    pub skipped_rows: Vec<Skipped>,
}

/// A staging row as apply and the detail read it.
struct Staged {
    row: StagingRow,
    /// The record's JSON as stored (canonical; hashes to `row.content_hash`).
    record_json: String,
    kind: RowKind,
    findings: Vec<Finding>,
    match_id: Option<String>,
    match_by: Option<MatchKey>,
    resolution: Option<Resolution>,
}

const STAGED_COLUMNS: &str = "s.id, s.batch_id, s.entity, s.dapodik_id, s.status, s.reasons, s.label, s.record, \
    s.content_hash, s.kind, s.findings, s.match_id, s.match_by, r.decision, r.fields, r.decided_by, r.decided_at, r.applied_at";

fn corrupt(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(StoreError::Corrupt(what)),
    )
}

fn staged_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Staged> {
    let entity: String = r.get(2)?;
    let status: String = r.get(4)?;
    let reasons: String = r.get(5)?;
    let record: String = r.get(7)?;
    let kind: String = r.get(9)?;
    let findings: String = r.get(10)?;
    let match_by: Option<String> = r.get(12)?;
    let decision: Option<String> = r.get(13)?;
    let resolution = match decision {
        None => None,
        Some(d) => {
            let fields: String = r.get(14)?;
            Some(Resolution {
                decision: Decision::parse(&d).ok_or_else(|| corrupt(format!("decision {d:?}")))?,
                fields: serde_json::from_str(&fields)
                    .map_err(|e| corrupt(format!("fields: {e}")))?,
                decided_by: r.get(15)?,
                decided_at: r.get(16)?,
                applied_at: r.get(17)?,
            })
        }
    };
    Ok(Staged {
        row: StagingRow {
            id: r.get(0)?,
            batch_id: r.get(1)?,
            entity: Entity::parse(&entity).ok_or_else(|| corrupt(format!("entity {entity:?}")))?,
            dapodik_id: r.get(3)?,
            status: StagingStatus::parse(&status)
                .ok_or_else(|| corrupt(format!("status {status:?}")))?,
            reasons: serde_json::from_str(&reasons)
                .map_err(|e| corrupt(format!("reasons: {e}")))?,
            label: r.get(6)?,
            record: serde_json::from_str(&record).map_err(|e| corrupt(format!("record: {e}")))?,
            content_hash: r.get(8)?,
        },
        record_json: record,
        kind: if kind == "removal" {
            RowKind::Removal
        } else {
            RowKind::Record
        },
        findings: serde_json::from_str(&findings).map_err(|e| corrupt(format!("findings: {e}")))?,
        match_id: r.get(11)?,
        match_by: match_by.as_deref().and_then(MatchKey::parse),
        resolution,
    })
}

fn load_staged(conn: &Connection, id: i64) -> Result<Option<Staged>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {STAGED_COLUMNS} FROM staging_row s LEFT JOIN staging_resolution r ON r.staging_id = s.id \
         WHERE s.id = ?1"
    ))?
    .query_row([id], staged_from_row)
    .optional()
    .map_err(store_error)
}

fn require_staged(conn: &Connection, id: i64) -> Result<Staged, StoreError> {
    load_staged(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("baris staging {id}")))
}

impl Staged {
    /// The register record this row applies to.
    fn target(&self) -> Option<&str> {
        self.match_id.as_deref().or(self.row.dapodik_id.as_deref())
    }
}

/// The live three-way diff of a staged record against its register record.
fn live_diff(conn: &Connection, s: &Staged) -> Result<(bool, Vec<FieldDiff>), StoreError> {
    if s.kind == RowKind::Removal {
        return Ok((true, Vec::new()));
    }
    let reg = match s.target() {
        Some(t) => load_register_record(conn, s.row.entity, t)?,
        None => None,
    };
    let diff = diff::three_way(
        s.row.entity,
        reg.as_ref().map(|r| &r.base),
        reg.as_ref().map(|r| &r.record),
        &s.row.record,
    );
    Ok((reg.is_some(), diff))
}

fn detail(conn: &Connection, s: Staged) -> Result<StagingDetail, StoreError> {
    let (in_register, diff) = live_diff(conn, &s)?;
    let chosen = s.resolution.as_ref().map(|r| &r.fields);
    let unresolved = diff
        .iter()
        .filter(|d| d.conflict && !chosen.is_some_and(|c| c.contains_key(&d.field)))
        .map(|d| d.field.clone())
        .collect();
    Ok(StagingDetail {
        match_id: s.match_id.clone().or_else(|| s.row.dapodik_id.clone()),
        row: s.row,
        kind: s.kind,
        match_by: s.match_by,
        in_register,
        diff,
        findings: s.findings,
        resolution: s.resolution,
        unresolved,
    })
}

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(message.into())
}

/// Rows that can still be decided on: not REJECTED by the first pass, not applied yet.
fn check_open(s: &Staged) -> Result<(), StoreError> {
    if s.resolution
        .as_ref()
        .is_some_and(|r| r.decision == Decision::Applied)
    {
        return Err(refused(format!(
            "Baris staging {} sudah diterapkan.",
            s.row.id
        )));
    }
    if s.row.status == StagingStatus::Rejected {
        return Err(refused(format!(
            "Baris staging {} ditolak ({}); perbaiki datanya di Dapodik lalu sinkronkan lagi.",
            s.row.id,
            s.row.reasons.join("; ")
        )));
    }
    Ok(())
}

fn save_resolution(
    conn: &Connection,
    id: i64,
    decision: Decision,
    fields: &BTreeMap<String, FieldChoice>,
    actor: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO staging_resolution (staging_id, decision, fields, decided_by, decided_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (staging_id) DO UPDATE SET decision = excluded.decision, \
         fields = excluded.fields, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
    )?
    .execute(params![
        id,
        decision.as_str(),
        serde_json::to_string(fields).expect("choices serialise"),
        actor,
        now_ms
    ])?;
    Ok(())
}

impl Store {
    /// The staging detail: the row, the live three-way diff against the register, findings and the
    /// decision. `None` when there is no such row.
    pub fn staging_detail(&self, id: i64) -> Result<Option<StagingDetail>, StoreError> {
        let conn = self.conn();
        match load_staged(&conn, id)? {
            None => Ok(None),
            Some(s) => detail(&conn, s).map(Some),
        }
    }

    /// Accept a row as it is (a NEW record, a MATCHED one, or a removal: the register record will be
    /// removed). Field choices already made are kept.
    pub fn accept_row(
        &self,
        id: i64,
        actor: &str,
        now_ms: i64,
    ) -> Result<StagingDetail, StoreError> {
        self.decide_row(id, Decision::Accepted, actor, now_ms, check_open)
    }

    /// Reject a row: it is never applied (for a removal: the register record is kept).
    pub fn reject_row(
        &self,
        id: i64,
        actor: &str,
        now_ms: i64,
    ) -> Result<StagingDetail, StoreError> {
        self.decide_row(id, Decision::Rejected, actor, now_ms, |s| {
            if s.resolution
                .as_ref()
                .is_some_and(|r| r.decision == Decision::Applied)
            {
                return Err(refused(format!("Baris staging {id} sudah diterapkan.")));
            }
            Ok(())
        })
    }

    /// Record `decision` for a whole row, keeping the field choices already made, after `check`.
    fn decide_row(
        &self,
        id: i64,
        decision: Decision,
        actor: &str,
        now_ms: i64,
        check: impl FnOnce(&Staged) -> Result<(), StoreError>,
    ) -> Result<StagingDetail, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let s = require_staged(&tx, id)?;
        check(&s)?;
        let fields = s
            .resolution
            .as_ref()
            .map(|r| r.fields.clone())
            .unwrap_or_default();
        save_resolution(&tx, id, decision, &fields, actor, now_ms)?;
        let out = detail(&tx, require_staged(&tx, id)?)?;
        tx.commit()?;
        Ok(out)
    }

    /// Resolve a row and accept it. With `field`: that field takes `choice`. Without: every field that
    /// differs takes `choice` (`Dapodik`: Dapodik's record wins, local edits explicitly overridden;
    /// `Local`: the local record is kept). For a removal, `Dapodik` accepts the removal and `Local`
    /// keeps the record (the row is rejected). A typed value for a Verval-protected field is refused
    /// ("perbaiki lewat VervalPD/VervalPTK").
    pub fn resolve(
        &self,
        id: i64,
        field: Option<&str>,
        choice: FieldChoice,
        actor: &str,
        now_ms: i64,
    ) -> Result<StagingDetail, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let s = require_staged(&tx, id)?;
        check_open(&s)?;
        let entity = s.row.entity;
        if s.kind == RowKind::Removal {
            let decision = match (&choice, field) {
                (FieldChoice::Dapodik, None) => Decision::Accepted,
                (FieldChoice::Local, None) => Decision::Rejected,
                _ => {
                    return Err(refused(
                        "Data yang dihapus di Dapodik hanya dapat diterima (--take dapodik) atau dipertahankan (--take local).",
                    ))
                }
            };
            save_resolution(&tx, id, decision, &BTreeMap::new(), actor, now_ms)?;
            let out = detail(&tx, require_staged(&tx, id)?)?;
            tx.commit()?;
            return Ok(out);
        }
        let (in_register, diff) = live_diff(&tx, &s)?;
        let mut fields = s
            .resolution
            .as_ref()
            .map(|r| r.fields.clone())
            .unwrap_or_default();
        match field {
            Some(f) => {
                let f = f.trim();
                let known = diff.iter().any(|d| d.field == f) || s.row.record.contains_key(f);
                if !known {
                    return Err(refused(format!(
                        "Kolom {f:?} tidak ada pada baris staging {id}."
                    )));
                }
                if f == entity.id_field() {
                    return Err(refused(format!(
                        "Kolom {f} adalah identitas Dapodik dan tidak dapat diubah."
                    )));
                }
                if matches!(choice, FieldChoice::Value { .. }) && diff::is_protected(entity, f) {
                    return Err(refused(format!(
                        "Kolom {f} hanya dapat diperbaiki di Dapodik: {}.",
                        diff::verval_hint(entity)
                    )));
                }
                if !in_register && choice == FieldChoice::Local {
                    return Err(refused(
                        "Data baru belum punya data lokal untuk dipertahankan.",
                    ));
                }
                fields.insert(f.to_string(), choice);
            }
            None => {
                if matches!(choice, FieldChoice::Value { .. }) {
                    return Err(refused("Nilai ketikan memerlukan --field."));
                }
                if !in_register && choice == FieldChoice::Local {
                    return Err(refused(
                        "Data baru belum punya data lokal untuk dipertahankan.",
                    ));
                }
                for d in &diff {
                    fields.insert(d.field.clone(), choice.clone());
                }
            }
        }
        save_resolution(&tx, id, Decision::Accepted, &fields, actor, now_ms)?;
        let out = detail(&tx, require_staged(&tx, id)?)?;
        tx.commit()?;
        Ok(out)
    }

    /// Bulk accept the undecided rows of a batch with `status`: `New` (all NEW rows) or `Matched`
    /// (MATCHED rows, which have no conflicts by definition). Returns how many rows were accepted.
    pub fn bulk_accept(
        &self,
        batch_id: i64,
        status: StagingStatus,
        actor: &str,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        if !matches!(status, StagingStatus::New | StagingStatus::Matched) {
            return Err(refused(
                "Terima massal hanya untuk data BARU atau COCOK tanpa konflik.",
            ));
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "INSERT INTO staging_resolution (staging_id, decision, fields, decided_by, decided_at) \
             SELECT s.id, 'ACCEPTED', '{}', ?3, ?4 FROM staging_row s \
             WHERE s.batch_id = ?1 AND s.status = ?2 AND s.kind = 'record' \
             AND NOT EXISTS (SELECT 1 FROM staging_resolution r WHERE r.staging_id = s.id)",
            params![batch_id, status.as_str(), actor, now_ms],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Apply staging rows to the register in ONE transaction (see [`ApplyRequest`]). Each row is merged
    /// three-way against the register as it is now: local edits are kept unless a choice overrides
    /// them; a row with an unresolved conflict, a removal not accepted, or a REJECTED row is skipped.
    /// Every change is written to the audit log as `actor`. Applied rows are marked APPLIED.
    pub fn apply(
        &self,
        req: &ApplyRequest,
        actor: &str,
        now_ms: i64,
    ) -> Result<ApplyReport, StoreError> {
        let batch_id = match req.batch_id {
            Some(b) => b,
            None => match self.staging_latest_batch()? {
                Some(b) => b,
                None => return Ok(ApplyReport::default()),
            },
        };
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_succeeded(&tx, batch_id)?;
        // Never let an older pull overwrite what a newer one already put in the register.
        let newest: Option<i64> = tx
            .prepare_cached("SELECT max(source_batch_id) FROM register")?
            .query_row([], |r| r.get(0))?;
        if let Some(newest) = newest.filter(|n| *n > batch_id) {
            return Err(refused(format!(
                "Batch {batch_id} lebih lama dari batch {newest} yang sudah diterapkan; terapkan batch terbaru."
            )));
        }
        // The rows' heads first; each candidate is then read and parsed on its own, so memory stays
        // flat however large the batch.
        let heads: Vec<(i64, String, Option<String>)> = tx
            .prepare(
                "SELECT s.id, s.status, r.decision FROM staging_row s \
                 LEFT JOIN staging_resolution r ON r.staging_id = s.id WHERE s.batch_id = ?1 ORDER BY s.id",
            )?
            .query_map([batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut report = ApplyReport {
            batch_id: Some(batch_id),
            ..Default::default()
        };
        for (id, status, decision) in heads {
            let decision = decision.as_deref().and_then(Decision::parse);
            if matches!(decision, Some(Decision::Applied | Decision::Rejected)) {
                continue;
            }
            let candidate = match &req.statuses {
                Some(list) => StagingStatus::parse(&status).is_some_and(|st| list.contains(&st)),
                // Everything undecided is considered; what cannot be applied (a pending conflict or
                // removal, a rejected row) is reported as skipped with its reason.
                None => true,
            };
            if !candidate {
                continue;
            }
            let s = require_staged(&tx, id)?;
            match apply_one(&tx, &s, actor, now_ms)? {
                Ok((changed, audited)) => {
                    report.applied += 1;
                    report.changed += usize::from(changed);
                    report.audited += audited;
                    tx.prepare_cached(
                        "INSERT INTO staging_resolution (staging_id, decision, fields, decided_by, decided_at, applied_at) \
                         VALUES (?1, 'APPLIED', '{}', ?2, ?3, ?3) ON CONFLICT (staging_id) DO UPDATE SET \
                         decision = 'APPLIED', applied_at = excluded.applied_at",
                    )?
                    .execute(params![s.row.id, actor, now_ms])?;
                }
                Err(reason) => {
                    report.skipped += 1;
                    report.skipped_rows.push(Skipped {
                        staging_id: s.row.id,
                        reason,
                    });
                }
            }
        }
        // A big apply writes a lot of WAL: commit without the in-commit checkpoint and let a passive
        // checkpoint run in the background (as staging does).
        tx.pragma_update(None, "wal_autocheckpoint", 0)?;
        let committed = tx.commit();
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            super::checkpoint::AUTOCHECKPOINT_PAGES,
        )?;
        committed?;
        drop(conn);
        self.checkpoint_in_background();
        Ok(report)
    }
}

/// Apply one row. `Ok(Err(reason))`: skipped. `Ok(Ok((changed, audited)))`: applied.
fn apply_one(
    tx: &Connection,
    s: &Staged,
    actor: &str,
    now_ms: i64,
) -> Result<Result<(bool, usize), String>, StoreError> {
    let entity = s.row.entity;
    let accepted = s
        .resolution
        .as_ref()
        .is_some_and(|r| r.decision == Decision::Accepted);
    if s.row.status == StagingStatus::Rejected {
        return Ok(Err(format!("Ditolak: {}", s.row.reasons.join("; "))));
    }
    let Some(target) = s.target().map(str::to_string) else {
        return Ok(Err("Tanpa identitas Dapodik".into()));
    };
    let origin = (Some(s.row.batch_id), Some(s.row.id));
    if s.kind == RowKind::Removal {
        if !accepted {
            return Ok(Err(
                "Dihapus di Dapodik: tidak pernah diterapkan otomatis; terima dulu barisnya".into(),
            ));
        }
        let Some(current) = load_register_record(tx, entity, &target)? else {
            return Ok(Ok((false, 0)));
        };
        tx.prepare_cached("DELETE FROM register WHERE entity = ?1 AND dapodik_id = ?2")?
            .execute(params![entity.as_str(), target])?;
        insert_audit(
            tx,
            now_ms,
            actor,
            AuditAction::Remove,
            entity,
            &target,
            None,
            Some(&serde_json::Value::Object(current.record)),
            None,
            origin.0,
            origin.1,
        )?;
        return Ok(Ok((true, 1)));
    }
    if s.row.status == StagingStatus::Conflict && !accepted {
        return Ok(Err(format!(
            "Konflik belum diselesaikan: {}",
            s.row.reasons.join("; ")
        )));
    }
    let Some(own_id) = s.row.dapodik_id.clone() else {
        return Ok(Err("Tanpa identitas Dapodik".into()));
    };
    let choices_empty = s.resolution.as_ref().is_none_or(|r| r.fields.is_empty());
    // Fast paths without parsing the register record: a record the register does not have yet, and
    // a record identical to the base with no local edits.
    let state: Option<(String, bool)> = tx
        .prepare_cached("SELECT coalesce(base_hash, content_hash), edited FROM register WHERE entity = ?1 AND dapodik_id = ?2")?
        .query_row(params![entity.as_str(), target], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let source = WriteSource::Apply {
        batch_id: s.row.batch_id,
        staging_id: s.row.id,
    };
    match &state {
        None if target == own_id => {
            write_register_text(
                tx,
                entity,
                &own_id,
                (&s.record_json, &s.row.content_hash),
                (&s.record_json, &s.row.content_hash),
                &s.row.record,
                &source,
                now_ms,
            )?;
            tx.prepare_cached(
                "INSERT INTO audit_log (at, actor, action, entity, dapodik_id, field, before, after, batch_id, staging_id) \
                 VALUES (?1, ?2, 'insert', ?3, ?4, NULL, NULL, ?5, ?6, ?7)",
            )?
            .execute(params![now_ms, actor, entity.as_str(), own_id, s.record_json, origin.0, origin.1])?;
            return Ok(Ok((true, 1)));
        }
        Some((base_hash, false))
            if target == own_id && choices_empty && *base_hash == s.row.content_hash =>
        {
            return Ok(Ok((false, 0)));
        }
        _ => {}
    }
    let mut current = load_register_record(tx, entity, &target)?;
    if current.is_none() && target != own_id {
        // The record matched by NISN/NIK/NIPD is gone; fall back to its own id.
        current = load_register_record(tx, entity, &own_id)?;
    }
    let choices = s
        .resolution
        .as_ref()
        .map(|r| r.fields.clone())
        .unwrap_or_default();
    let merged = match merge(
        entity,
        current.as_ref().map(|r| &r.base),
        current.as_ref().map(|r| &r.record),
        &s.row.record,
        &choices,
    ) {
        Ok(m) => m,
        Err(MergeError::Unresolved(fields)) => {
            return Ok(Err(format!(
                "Konflik belum diselesaikan: {}",
                fields.join(", ")
            )));
        }
        Err(MergeError::Protected(field)) => {
            return Ok(Err(format!("Kolom {field}: {}", diff::verval_hint(entity))));
        }
    };
    let mut audited = 0;
    match &current {
        None => {
            write_register(
                tx,
                entity,
                &own_id,
                &merged.base,
                &merged.local,
                &source,
                now_ms,
            )?;
            insert_audit(
                tx,
                now_ms,
                actor,
                AuditAction::Insert,
                entity,
                &own_id,
                None,
                None,
                Some(&serde_json::Value::Object(merged.local.clone())),
                origin.0,
                origin.1,
            )?;
            Ok(Ok((true, 1)))
        }
        Some(reg) => {
            if reg.dapodik_id != own_id {
                // Matched by another key: the register record takes the Dapodik id it now has.
                let taken: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM register WHERE entity = ?1 AND dapodik_id = ?2)")?
                    .query_row(params![entity.as_str(), own_id], |r| r.get(0))?;
                if taken {
                    return Ok(Err("ID Dapodik baru sudah dipakai data lokal lain".into()));
                }
                tx.prepare_cached(
                    "UPDATE register SET dapodik_id = ?3 WHERE entity = ?1 AND dapodik_id = ?2",
                )?
                .execute(params![entity.as_str(), reg.dapodik_id, own_id])?;
                insert_audit(
                    tx,
                    now_ms,
                    actor,
                    AuditAction::Update,
                    entity,
                    &own_id,
                    Some(entity.id_field()),
                    Some(&serde_json::Value::String(reg.dapodik_id.clone())),
                    Some(&serde_json::Value::String(own_id.clone())),
                    origin.0,
                    origin.1,
                )?;
                audited += 1;
            }
            let unchanged = merged.base == reg.base && merged.local == reg.record;
            if unchanged && audited == 0 {
                return Ok(Ok((false, 0)));
            }
            write_register(
                tx,
                entity,
                &own_id,
                &merged.base,
                &merged.local,
                &source,
                now_ms,
            )?;
            for c in &merged.changes {
                insert_audit(
                    tx,
                    now_ms,
                    actor,
                    AuditAction::Update,
                    entity,
                    &own_id,
                    Some(&c.field),
                    Some(&c.before),
                    Some(&c.after),
                    origin.0,
                    origin.1,
                )?;
                audited += 1;
            }
            Ok(Ok((true, audited)))
        }
    }
}

impl Store {
    /// Reconcile the pulled records of a staged batch again against the register as it is now (after
    /// local edits or another apply): statuses, reasons, findings and matches of its record rows are
    /// recomputed exactly as staging computes them, in one transaction; row ids, decisions and removal
    /// rows are kept; the batch's counts are updated. Reconciling an unchanged register gives the
    /// result staging gave.
    pub fn reconcile_batch(&self, batch_id: i64, now_ms: i64) -> Result<crate::Batch, StoreError> {
        use crate::reconcile::identity::Date;
        use crate::reconcile::matching::match_keys;
        use crate::reconcile::Checker;
        use crate::staging::{format_uuid, key_of, parse_hex_digest};
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_succeeded(&tx, batch_id)?;
        let mut counts = crate::queue::empty_counts();
        for entity in Entity::ALL {
            let mut reconciler = super::register::load_reconciler(&tx, entity)?;
            let mut checker = Checker::new(Date::from_unix_ms(now_ms));
            type Stored = (i64, String, String, [Option<String>; 5]);
            let rows: Vec<Stored> = tx
                .prepare_cached(
                    "SELECT id, record, content_hash, status, reasons, findings, match_id, match_by \
                     FROM staging_row WHERE batch_id = ?1 AND entity = ?2 AND kind = 'record' ORDER BY seq",
                )?
                .query_map(params![batch_id, entity.as_str()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?],
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let tally = counts
                .get_mut(entity.as_str())
                .expect("every entity has counts");
            let mut secondary: Vec<(usize, i64, StagingStatus)> = Vec::new();
            for (position, (id, json, hash, stored)) in rows.into_iter().enumerate() {
                let record: dapodik_webservice::Record = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("staging record {id}: {e}")))?;
                let hash = parse_hex_digest(&hash)
                    .ok_or_else(|| StoreError::Corrupt(format!("staging hash {id}")))?;
                let findings = checker.check(entity, &record);
                let keys = match_keys(entity, &record);
                let v = reconciler.classify(key_of(entity, &record), &hash, &keys, &mut || {
                    Some(record.clone())
                });
                if let Some((_, how)) = v.matched {
                    if how != MatchKey::Uuid {
                        secondary.push((position, id, v.status));
                    }
                }
                let now: [Option<String>; 5] = [
                    Some(v.status.as_str().to_string()),
                    Some(serde_json::to_string(&v.reasons).expect("strings serialise")),
                    Some(serde_json::to_string(&findings).expect("findings serialise")),
                    v.matched
                        .map(|(k, _)| String::from_utf8(format_uuid(k).to_vec()).expect("ASCII")),
                    v.matched.map(|(_, how)| how.as_str().to_string()),
                ];
                // Rewrite only what changed (a row update rewrites the whole record).
                if now != stored {
                    tx.prepare_cached(
                        "UPDATE staging_row SET status = ?2, reasons = ?3, findings = ?4, match_id = ?5, \
                         match_by = ?6 WHERE id = ?1",
                    )?
                    .execute(params![id, now[0], now[1], now[2], now[3], now[4]])?;
                }
                match v.status {
                    StagingStatus::New => tally.new += 1,
                    StagingStatus::Matched => tally.matched += 1,
                    StagingStatus::Conflict => tally.conflict += 1,
                    StagingStatus::Rejected => tally.rejected += 1,
                }
            }
            for (position, reason) in reconciler.finish().ambiguous {
                if let Some((_, id, status)) = secondary.iter().find(|(p, _, _)| *p == position) {
                    tx.prepare_cached(
                        "UPDATE staging_row SET status = 'CONFLICT', reasons = ?2, match_id = NULL, \
                         match_by = NULL WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        serde_json::to_string(&[reason]).expect("strings serialise")
                    ])?;
                    if *status == StagingStatus::Matched {
                        tally.matched -= 1;
                        tally.conflict += 1;
                    }
                }
            }
            let removals: i64 = tx
                .prepare_cached(
                    "SELECT COUNT(*) FROM staging_row WHERE batch_id = ?1 AND entity = ?2 AND kind = 'removal'",
                )?
                .query_row(params![batch_id, entity.as_str()], |r| r.get(0))?;
            tally.conflict += removals as u64;
        }
        let batch = tx
            .prepare_cached(&format!(
                "UPDATE sync_batch SET counts = ?2 WHERE id = ?1 RETURNING {}",
                super::batches::BATCH_COLUMNS
            ))?
            .query_row(
                params![
                    batch_id,
                    serde_json::to_string(&counts).expect("counts serialise")
                ],
                super::batches::batch_from_row,
            )
            .map_err(store_error)?;
        tx.commit()?;
        Ok(batch)
    }
}

impl Store {
    /// The decisions on some staging rows (e.g. the rows of one staging page), by row id; undecided
    /// rows are absent.
    pub fn resolutions(
        &self,
        staging_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Resolution>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT decision, fields, decided_by, decided_at, applied_at FROM staging_resolution \
             WHERE staging_id = ?1",
        )?;
        let mut out = std::collections::HashMap::new();
        for &id in staging_ids {
            let found = stmt
                .query_row([id], |r| {
                    let d: String = r.get(0)?;
                    let fields: String = r.get(1)?;
                    Ok(Resolution {
                        decision: Decision::parse(&d)
                            .ok_or_else(|| corrupt(format!("decision {d:?}")))?,
                        fields: serde_json::from_str(&fields)
                            .map_err(|e| corrupt(format!("fields: {e}")))?,
                        decided_by: r.get(2)?,
                        decided_at: r.get(3)?,
                        applied_at: r.get(4)?,
                    })
                })
                .optional()
                .map_err(store_error)?;
            if let Some(res) = found {
                out.insert(id, res);
            }
        }
        Ok(out)
    }
}
