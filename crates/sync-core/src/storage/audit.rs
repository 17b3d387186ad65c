//! The audit log: every change applied to the register and every local edit — who (the OS user name
//! or "operator"), when, entity, Dapodik id, field, before → after. Values are stored as they are in
//! the register (the school's own data in the owner-only database file); they are never written to
//! logs or tracing.

use super::{Store, StoreError};
use dapodik_webservice::Entity;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    /// A new record entered the register (field `None`, `after` = the record).
    Insert,
    /// One field of a register record changed by an apply.
    Update,
    /// A record removed from the register (an accepted "Dihapus di Dapodik"; `before` = the record).
    Remove,
    /// A local edit of one field.
    Edit,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Insert => "insert",
            AuditAction::Update => "update",
            AuditAction::Remove => "remove",
            AuditAction::Edit => "edit",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        [
            AuditAction::Insert,
            AuditAction::Update,
            AuditAction::Remove,
            AuditAction::Edit,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: AuditAction,
    pub entity: Entity,
    pub dapodik_id: String,
    pub field: Option<String>,
    pub before: Value,
    pub after: Value,
    pub batch_id: Option<i64>,
    pub staging_id: Option<i64>,
}

/// Filters of the audit list (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub entity: Option<Entity>,
    pub dapodik_id: Option<String>,
    pub actor: Option<String>,
    pub batch_id: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for AuditFilter {
    fn default() -> Self {
        AuditFilter {
            entity: None,
            dapodik_id: None,
            actor: None,
            batch_id: None,
            offset: 0,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub total: u64,
    pub rows: Vec<AuditEntry>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn insert_audit(
    conn: &Connection,
    at: i64,
    actor: &str,
    action: AuditAction,
    entity: Entity,
    dapodik_id: &str,
    field: Option<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
    batch_id: Option<i64>,
    staging_id: Option<i64>,
) -> Result<(), StoreError> {
    let json = |v: Option<&Value>| {
        v.filter(|v| !v.is_null())
            .map(|v| serde_json::to_string(v).expect("values serialise"))
    };
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, dapodik_id, field, before, after, batch_id, staging_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        at,
        actor,
        action.as_str(),
        entity.as_str(),
        dapodik_id,
        field,
        json(before),
        json(after),
        batch_id,
        staging_id
    ])?;
    Ok(())
}

pub(super) fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let action: String = r.get(3)?;
    let entity: String = r.get(4)?;
    let value = |i: usize| -> rusqlite::Result<Value> {
        let s: Option<String> = r.get(i)?;
        Ok(s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null))
    };
    let corrupt = |what: String| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(StoreError::Corrupt(what)),
        )
    };
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: AuditAction::parse(&action)
            .ok_or_else(|| corrupt(format!("audit action {action:?}")))?,
        entity: Entity::parse(&entity)
            .ok_or_else(|| corrupt(format!("audit entity {entity:?}")))?,
        dapodik_id: r.get(5)?,
        field: r.get(6)?,
        before: value(7)?,
        after: value(8)?,
        batch_id: r.get(9)?,
        staging_id: r.get(10)?,
    })
}

pub(super) const AUDIT_COLUMNS: &str =
    "id, at, actor, action, entity, dapodik_id, field, before, after, batch_id, staging_id";

impl Store {
    /// A page of the audit log, newest first.
    pub fn audit_page(&self, f: &AuditFilter) -> Result<AuditPage, StoreError> {
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
        if let Some(id) = &f.dapodik_id {
            and("dapodik_id = ?", id.trim().to_lowercase().into());
        }
        if let Some(a) = &f.actor {
            and("actor = ?", a.clone().into());
        }
        if let Some(b) = f.batch_id {
            and("batch_id = ?", b.into());
        }
        let conn = self.conn();
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM audit_log{filter}"))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        let n = args.len();
        args.push((f.limit.min(10_000) as i64).into());
        args.push((f.offset.min(i64::MAX as usize) as i64).into());
        let rows = conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log{filter} ORDER BY id DESC LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ))?
            .query_map(rusqlite::params_from_iter(args.iter()), entry_from_row)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::batches::store_error)?;
        Ok(AuditPage {
            total: total as u64,
            rows,
        })
    }

    /// The history of one register record from the audit log, oldest first.
    pub fn record_history(
        &self,
        entity: Entity,
        dapodik_id: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.conn();
        let rows = conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = ?1 AND dapodik_id = ?2 ORDER BY id"
            ))?
            .query_map(
                params![entity.as_str(), dapodik_id.trim().to_lowercase()],
                entry_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::batches::store_error)?;
        Ok(rows)
    }
}
