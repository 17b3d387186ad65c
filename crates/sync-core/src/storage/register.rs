//! The local register: records accepted from Dapodik, keyed by (entity, Dapodik id). Minimal for now:
//! staging reconciles against it and [`Store::apply_batch`] fills it; later issues add the three-way
//! merge on `base`.

use super::batches::require_batch;
use super::{Store, StoreError};
use crate::queue::BatchStatus;
use crate::staging::{parse_hex_digest, parse_uuid, DapodikKey};
use dapodik_webservice::Entity;
use rusqlite::{params, Connection, TransactionBehavior};
use std::collections::HashMap;

/// The register's `(key → content hash)` of one entity, loaded once per entity when staging.
pub(super) fn load_register_hashes(
    conn: &Connection,
    entity: Entity,
) -> Result<HashMap<DapodikKey, [u8; 32]>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT dapodik_id, content_hash FROM register WHERE entity = ?1")?;
    let mut rows = stmt.query([entity.as_str()])?;
    let mut map = HashMap::new();
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let hash = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        if let (Some(k), Some(h)) = (parse_uuid(id), parse_hex_digest(hash)) {
            map.insert(k, h);
        }
    }
    Ok(map)
}

impl Store {
    /// Copy the NEW and MATCHED rows of the SUCCEEDED batch `batch_id` into the register (record and
    /// base = the staged record), in one transaction. Returns how many register rows were added or
    /// changed (identical MATCHED rows change nothing).
    pub fn apply_batch(&self, batch_id: i64, now_ms: i64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let b = require_batch(&tx, batch_id)?;
        if b.status != BatchStatus::Succeeded {
            return Err(StoreError::InvalidTransition {
                batch_id,
                from: b.status,
                action: "apply",
            });
        }
        let changed = tx.execute(
            "INSERT INTO register (entity, dapodik_id, record, content_hash, base, updated_at) \
             SELECT entity, dapodik_id, record, content_hash, record, ?2 FROM staging_row \
             WHERE batch_id = ?1 AND status IN ('NEW', 'MATCHED') AND dapodik_id IS NOT NULL \
             ORDER BY id \
             ON CONFLICT (entity, dapodik_id) DO UPDATE SET record = excluded.record, \
                content_hash = excluded.content_hash, base = excluded.base, updated_at = excluded.updated_at \
             WHERE register.content_hash <> excluded.content_hash",
            params![batch_id, now_ms],
        )?;
        tx.commit()?;
        Ok(changed)
    }

    /// How many records of `entity` the register holds.
    pub fn register_count(&self, entity: Entity) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM register WHERE entity = ?1")?
            .query_row([entity.as_str()], |r| r.get(0))?;
        Ok(n as usize)
    }
}
