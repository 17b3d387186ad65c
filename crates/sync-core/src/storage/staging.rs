//! Staging a pull (one transaction) and reading staging rows back for the staging screen.

use super::batches::{require_batch, store_error, BATCH_COLUMNS};
use super::register::{load_reconciler, load_removal};
use super::{StageError, Store, StoreError};
use crate::queue::{empty_counts, Batch, BatchStatus, StatusCounts};
use crate::reconcile::identity::Date;
use crate::reconcile::matching::{key_text, match_keys, MatchKey, MatchKeys, REASON_REMOVED};
use crate::reconcile::Checker;
use crate::staging::{
    canonicalise_id, format_uuid, hex, key_of, label_of, Reason, StagingPage, StagingQuery,
    StagingRow, StagingRowSummary, StagingSort, StagingStatus,
};
use dapodik_webservice::pull::{EntitySummary, RawPull};
use dapodik_webservice::{Entity, ErrorCode, Record, WsError};
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

/// A stream of records per entity: called once per entity, it hands each record of that entity to the
/// callback and returns what the stream said besides (the shape of [`RawPull::for_each_record`]).
/// It runs on a thread of its own while the calling thread writes to the database, hence `Send`.
pub type EntityRecords<'a> = dyn FnMut(Entity, &mut dyn FnMut(Record) -> Result<(), WsError>) -> Result<EntitySummary, WsError>
    + Send
    + 'a;

/// Rows in flight between the thread that decodes and the one that writes.
const IN_FLIGHT: usize = 128;

/// One record made ready for the database by the decoding thread: its canonical JSON, its hash, its
/// key and its label. Recycled (buffers kept) once written, so staging allocates nothing per row here.
#[derive(Default)]
struct ReadyRow {
    json: Vec<u8>,
    hash: [u8; 32],
    key: Option<Result<crate::staging::DapodikKey, Reason>>,
    label: String,
    /// Data-quality findings as JSON (`[]` when none).
    findings: String,
    /// NISN/NUPTK, NIK, NIPD for the matching cascade.
    keys: MatchKeys,
}

/// What the decoding thread tells the writing thread.
enum Ready {
    Row(ReadyRow),
    /// The entity's stream ended (successfully or not).
    End(Entity, Result<EntitySummary, WsError>),
}

/// The order entities are staged in: the order of their names. So within a batch, id order is
/// (entity, id) order, which lets `staging_page` walk the entity and status indexes in id order.
const STAGE_ORDER: [Entity; 4] = [
    Entity::Gtk,
    Entity::PesertaDidik,
    Entity::RombonganBelajar,
    Entity::Sekolah,
];

const INSERT_ROW: &str = "INSERT INTO staging_row \
    (batch_id, entity, seq, dapodik_id, status, reasons, label, record, content_hash, findings, kind, \
    match_id, match_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/// The entity as the operator reads it (Indonesian).
pub(crate) fn entity_label_id(entity: Entity) -> &'static str {
    match entity {
        Entity::Sekolah => "Sekolah",
        Entity::PesertaDidik => "Peserta didik",
        Entity::Gtk => "GTK",
        Entity::RombonganBelajar => "Rombongan belajar",
    }
}

impl Store {
    /// Stage a pull: see [`Store::stage_records`]; the records come from `pull.for_each_record`
    /// (decoded, normalised and corrected as they stream) and the batch's notes start with `pull.notes`.
    pub fn stage_pull(
        &self,
        batch_id: i64,
        pull: &RawPull,
        now_ms: i64,
    ) -> Result<Batch, StageError> {
        self.stage_records(
            batch_id,
            &mut |entity, on_record| pull.for_each_record(entity, on_record),
            &pull.notes,
            now_ms,
        )
    }

    /// Stage the records of the RUNNING batch `batch_id`, in ONE transaction: delete the batch's old
    /// staging rows (so a re-run is idempotent), stream each entity's records, reconcile each against
    /// the register (first pass), insert the staging rows, and set the batch SUCCEEDED with its counts,
    /// notes, `semester_id` and `finished_at`. Any error — from the stream or from the database — rolls
    /// everything back: no staging row is left and the batch is untouched (the caller records the failure).
    pub fn stage_records(
        &self,
        batch_id: i64,
        records: &mut EntityRecords<'_>,
        notes: &[String],
        now_ms: i64,
    ) -> Result<Batch, StageError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let batch = require_batch(&tx, batch_id)?;
        if batch.status != BatchStatus::Running {
            return Err(StoreError::InvalidTransition {
                batch_id,
                from: batch.status,
                action: "stage",
            }
            .into());
        }
        tx.prepare_cached("DELETE FROM staging_row WHERE batch_id = ?1")?
            .execute([batch_id])?;

        let mut counts = empty_counts();
        let mut notes = notes.to_vec();
        let mut semester_id: Option<String> = None;
        let mut any_incomplete = false;
        let mut removals: Vec<Entity> = Vec::new();
        // Two threads: this one writes (the connection stays here); a scoped one runs the record
        // stream (decode, normalise) and prepares each row (canonical JSON, hash, key, label), then
        // frees the record on the thread that allocated it (the system allocator is slow at freeing
        // across threads, and serialising a record on another core than the one that built it costs
        // more than it saves). A bounded channel keeps memory flat; written rows come back to be reused.
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Ready>(IN_FLIGHT);
        let (spent_tx, spent_rx) = std::sync::mpsc::channel::<ReadyRow>();
        let written: Result<(), StageError> = std::thread::scope(|scope| {
            // Owned by this closure: an early return drops it, which stops the decoding thread.
            let ready_rx = ready_rx;
            scope.spawn(move || {
                for entity in STAGE_ORDER {
                    // Findings (and duplicates within the pull) are checked here, per entity, where
                    // the record is still parsed.
                    let mut checker = Checker::new(Date::from_unix_ms(now_ms));
                    let result = records(entity, &mut |mut record: Record| {
                        let mut row = spent_rx.try_recv().unwrap_or_default();
                        prepare_row(entity, &mut record, &mut row, &mut checker)?;
                        drop(record);
                        ready_tx.send(Ready::Row(row)).map_err(|_| writer_gone())
                    });
                    let failed = result.is_err();
                    if ready_tx.send(Ready::End(entity, result)).is_err() || failed {
                        return;
                    }
                }
            });
            let mut insert = tx.prepare_cached(INSERT_ROW)?;
            for entity in STAGE_ORDER {
                // The matching cascade and three-way status, from the register's keys loaded once.
                let mut reconciler = load_reconciler(&tx, entity)?;
                // Rows matched by NISN/NUPTK/NIK/NIPD: (position, row id, status).
                let mut secondary: Vec<(usize, i64, StagingStatus)> = Vec::new();
                let mut tally = StatusCounts::default();
                let mut seq: i64 = 0;
                let summary = loop {
                    let row = match ready_rx.recv() {
                        Ok(Ready::Row(row)) => row,
                        Ok(Ready::End(ended, result)) => {
                            debug_assert_eq!(ended, entity);
                            break result?;
                        }
                        Err(_) => return Err(StageError::Ws(writer_gone())),
                    };
                    let key = row.key.expect("prepared rows carry their key");
                    let json = &row.json;
                    let verdict = reconciler.classify(key, &row.hash, &row.keys, &mut || {
                        serde_json::from_slice(json).ok()
                    });
                    let hash = hex(&row.hash);
                    let id_text = verdict.key.map(format_uuid);
                    let reasons_text: std::borrow::Cow<'_, str> = if verdict.reasons.is_empty() {
                        "[]".into()
                    } else {
                        serde_json::to_string(&verdict.reasons)
                            .expect("strings serialise")
                            .into()
                    };
                    let match_id = verdict.matched.map(|(k, _)| format_uuid(k));
                    insert.execute(params![
                        batch_id,
                        entity.as_str(),
                        seq,
                        id_text.as_ref().map(|b| text(b)),
                        verdict.status.as_str(),
                        reasons_text.as_ref(),
                        row.label,
                        text(&row.json),
                        text(&hash),
                        row.findings,
                        "record",
                        match_id.as_ref().map(|b| text(b)),
                        verdict.matched.map(|(_, how)| how.as_str()),
                    ])?;
                    if let Some((_, how)) = verdict.matched {
                        if how != MatchKey::Uuid {
                            secondary.push((seq as usize, tx.last_insert_rowid(), verdict.status));
                        }
                    }
                    seq += 1;
                    match verdict.status {
                        StagingStatus::New => tally.new += 1,
                        StagingStatus::Matched => tally.matched += 1,
                        StagingStatus::Conflict => tally.conflict += 1,
                        StagingStatus::Rejected => tally.rejected += 1,
                    }
                    let _ = spent_tx.send(row);
                };
                let finish = reconciler.finish();
                // A register record claimed by two matches in this pull: no guess.
                for (position, reason) in &finish.ambiguous {
                    if let Some((_, row_id, status)) =
                        secondary.iter().find(|(p, _, _)| p == position)
                    {
                        tx.prepare_cached(
                            "UPDATE staging_row SET status = 'CONFLICT', reasons = ?2, match_id = NULL, \
                             match_by = NULL WHERE id = ?1",
                        )?
                        .execute(params![
                            row_id,
                            serde_json::to_string(&[reason]).expect("strings serialise")
                        ])?;
                        if *status == StagingStatus::Matched {
                            tally.matched -= 1;
                            tally.conflict += 1;
                        }
                    }
                }
                // Removals: only from a complete pull (an empty-set response or a paging build
                // makes it incomplete; see below for the other entities); never applied without the
                // operator.
                any_incomplete |= summary.incomplete;
                if !summary.incomplete {
                    let removed =
                        serde_json::to_string(&[REASON_REMOVED]).expect("strings serialise");
                    for key in &finish.missing {
                        let id = key_text(*key);
                        if let Some((label, record, hash)) = load_removal(&tx, entity, &id)? {
                            insert.execute(params![
                                batch_id,
                                entity.as_str(),
                                seq,
                                id,
                                StagingStatus::Conflict.as_str(),
                                removed,
                                label,
                                record,
                                hash,
                                "[]",
                                "removal",
                                id,
                                None::<&str>,
                            ])?;
                            seq += 1;
                            tally.conflict += 1;
                            removals.push(entity);
                        }
                    }
                }
                if summary.incomplete {
                    notes.push(format!(
                        "Data {} dari Dapodik tidak lengkap pada tarikan ini; karena itu tidak ada data yang dianggap dihapus di Dapodik.",
                        entity_label_id(entity).to_lowercase()
                    ));
                }
                if semester_id.is_none() {
                    semester_id = summary.semester_id;
                }
                counts.insert(entity.as_str().to_string(), tally);
            }
            Ok(())
        });
        written?;
        // An entity streamed after another one turned out incomplete: the pull as a whole is not a
        // complete view, so nothing is taken as removed (deleting keeps the batch's id order).
        if any_incomplete && !removals.is_empty() {
            tx.prepare_cached("DELETE FROM staging_row WHERE batch_id = ?1 AND kind = 'removal'")?
                .execute([batch_id])?;
            for entity in &removals {
                if let Some(c) = counts.get_mut(entity.as_str()) {
                    c.conflict -= 1;
                }
            }
        }

        super::batches::close_attempt(&tx, batch_id, now_ms, None)?;
        let batch = tx
            .prepare_cached(&format!(
                "UPDATE sync_batch SET status = 'SUCCEEDED', finished_at = ?2, next_attempt_at = NULL, \
                 error_code = NULL, error_message = NULL, error_retryable = NULL, counts = ?3, notes = ?4, \
                 semester_id = ?5 WHERE id = ?1 AND status = 'RUNNING' RETURNING {BATCH_COLUMNS}"
            ))?
            .query_row(
                params![
                    batch_id,
                    now_ms,
                    serde_json::to_string(&counts).expect("counts serialise"),
                    serde_json::to_string(&notes).expect("notes serialise"),
                    semester_id
                ],
                super::batches::batch_from_row,
            )
            .map_err(store_error)?;
        // The WAL now holds the whole staging; copying it into the database file is left to a
        // background checkpoint (see `checkpoint`), not done inside this commit.
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
        Ok(batch)
    }

    /// One page of staging rows: filters, sort, offset and limit all in SQL, with the total matching.
    pub fn staging_page(&self, q: &StagingQuery) -> Result<StagingPage, StoreError> {
        let sql = PageSql::new(q);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql.page)?;
        let mut counted: Option<i64> = None;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(sql.page_args.iter()), |r| {
                let entity: String = r.get(2)?;
                let status: String = r.get(4)?;
                let reasons: String = r.get(5)?;
                if let Some(n) = r.get::<_, Option<i64>>(7)? {
                    counted = Some(n);
                }
                Ok(StagingRowSummary {
                    id: r.get(0)?,
                    batch_id: r.get(1)?,
                    entity: parse_entity(&entity, 2)?,
                    dapodik_id: r.get(3)?,
                    status: parse_status(&status, 4)?,
                    reasons: parse_reasons(&reasons, 5)?,
                    label: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(store_error)?;
        // A short page that is not past the end tells the total by itself (the common case of a
        // search): no second scan.
        let limit = q.limit.min(StagingQuery::MAX_LIMIT);
        let total: i64 = if let Some(n) = counted {
            n
        } else if rows.len() < limit && (!rows.is_empty() || q.offset == 0) {
            (q.offset + rows.len()) as i64
        } else {
            conn.prepare_cached(&sql.count)?
                .query_row(rusqlite::params_from_iter(sql.filter_args.iter()), |r| {
                    r.get(0)
                })?
        };
        Ok(StagingPage {
            total: total as u64,
            rows,
        })
    }

    /// One staging row in full.
    pub fn staging_row(&self, id: i64) -> Result<Option<StagingRow>, StoreError> {
        let conn = self.conn();
        let row = conn.prepare_cached(
            "SELECT id, batch_id, entity, dapodik_id, status, reasons, label, record, content_hash \
             FROM staging_row WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let entity: String = r.get(2)?;
            let status: String = r.get(4)?;
            let reasons: String = r.get(5)?;
            let record: String = r.get(7)?;
            Ok(StagingRow {
                id: r.get(0)?,
                batch_id: r.get(1)?,
                entity: parse_entity(&entity, 2)?,
                dapodik_id: r.get(3)?,
                status: parse_status(&status, 4)?,
                reasons: parse_reasons(&reasons, 5)?,
                label: r.get(6)?,
                record: serde_json::from_str(&record).map_err(|e| corrupt(7, format!("record: {e}")))?,
                content_hash: r.get(8)?,
            })
        })
        .optional()
        .map_err(store_error);
        row
    }

    /// The newest SUCCEEDED batch that has staging rows.
    pub fn staging_latest_batch(&self) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        let id = conn
            .prepare_cached(
                "SELECT id FROM sync_batch WHERE status = 'SUCCEEDED' \
                 AND EXISTS (SELECT 1 FROM staging_row WHERE staging_row.batch_id = sync_batch.id) \
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(id)
    }
}

/// Sort keys per [`StagingSort`] (in declaration order) when searching: the covering label index is
/// scanned and the matches sorted.
const SORT_KEYS: [&[&str]; 4] = [
    &["id"],
    &["label", "id"],
    &["status", "id"],
    &["entity", "id"],
];

/// The two statements of a staging page: the count and the page itself.
///
/// Index choice is explicit (`INDEXED BY`, see the migration): the planner has no statistics, and a
/// wrong guess over 100,000 rows of ~1.5 KB records costs hundreds of milliseconds. The inner query
/// walks an index in the requested order (or, for a search, scans the covering label index) to pick
/// the page's ids; only the page's rows are then read in full.
struct PageSql {
    count: String,
    page: String,
    filter_args: Vec<Value>,
    page_args: Vec<Value>,
}

impl PageSql {
    fn new(q: &StagingQuery) -> PageSql {
        let mut filter = String::new();
        let mut args: Vec<Value> = Vec::new();
        let and = |filter: &mut String, clause: String| {
            filter.push_str(if filter.is_empty() {
                " WHERE "
            } else {
                " AND "
            });
            filter.push_str(&clause);
        };
        if let Some(b) = q.batch_id {
            args.push(Value::Integer(b));
            and(&mut filter, format!("batch_id = ?{}", args.len()));
        }
        if let Some(e) = q.entity {
            args.push(Value::Text(e.as_str().to_string()));
            and(&mut filter, format!("entity = ?{}", args.len()));
        }
        if let Some(s) = q.status {
            args.push(Value::Text(s.as_str().to_string()));
            and(&mut filter, format!("status = ?{}", args.len()));
        }
        let search = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if let Some(term) = search {
            args.push(Value::Text(format!("%{}%", escape_like(term))));
            let n = args.len();
            // A term that cannot be part of a UUID is looked for in the label only.
            let id_like = term.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            and(
                &mut filter,
                if id_like {
                    format!(
                        "(label LIKE ?{n} ESCAPE '\\' OR dapodik_id LIKE lower(?{n}) ESCAPE '\\')"
                    )
                } else {
                    format!("label LIKE ?{n} ESCAPE '\\'")
                },
            );
        }
        // Within a batch id order is (entity, id) order (see STAGE_ORDER), so each sort is expressed
        // as the order of the index that serves it, and SQLite walks that index without sorting.
        // `walk` is the ORDER BY of the index walk: SQLite takes an ORDER BY as satisfied by an index
        // only up to the first column pinned by an equality that is not part of the index's prefix, so
        // the walk's ORDER BY stops there — ties beyond it come in index order (reversed for DESC),
        // which is the full order `keys` (used to order the page itself). The walk's ORDER BY never
        // consists of pinned columns only (SQLite would then not reverse the walk for DESC).
        const LABEL_KEYS: [&str; 5] = ["label", "entity", "status", "dapodik_id", "id"];
        let (index, keys, walk): (&str, &[&str], &[&str]) = match q.sort {
            _ if search.is_some() => (
                "staging_row_label",
                SORT_KEYS[q.sort as usize],
                SORT_KEYS[q.sort as usize],
            ),
            // With one status, status order is id order.
            StagingSort::Id | StagingSort::Entity | StagingSort::Status if q.status.is_some() => {
                ("staging_row_status", &["entity", "id"], &["entity", "id"])
            }
            StagingSort::Id | StagingSort::Entity => {
                ("staging_row_entity", &["entity", "id"], &["entity", "id"])
            }
            StagingSort::Status if q.entity.is_some() => {
                ("staging_row_status", &["status", "id"], &["status"])
            }
            StagingSort::Status => (
                "staging_row_status",
                &["status", "entity", "id"],
                &["status", "entity", "id"],
            ),
            StagingSort::Label if q.entity.is_some() => {
                ("staging_row_label", &LABEL_KEYS, &LABEL_KEYS[..1])
            }
            StagingSort::Label if q.status.is_some() => {
                ("staging_row_label", &LABEL_KEYS, &LABEL_KEYS[..2])
            }
            StagingSort::Label => ("staging_row_label", &LABEL_KEYS, &LABEL_KEYS),
        };
        let count_index = match (search.is_some(), q.status.is_some()) {
            (true, _) => "staging_row_label",
            (false, true) => "staging_row_status",
            (false, false) => "staging_row_entity",
        };
        let (count_index, page_index) = match q.batch_id {
            Some(_) => (
                format!(" INDEXED BY {count_index}"),
                format!(" INDEXED BY {index}"),
            ),
            None => (String::new(), String::new()),
        };
        // Across batches (no batch filter) neither the (entity, id) trick nor the index walk holds:
        // plain ORDER BY on the full keys.
        let (keys, walk) = match q.batch_id {
            None if matches!(q.sort, StagingSort::Id) => (&["id"][..], &["id"][..]),
            None => (keys, keys),
            Some(_) => (keys, walk),
        };
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = |prefix: &str, keys: &[&str]| {
            keys.iter()
                .map(|k| format!("{prefix}{k} {dir}"))
                .collect::<Vec<_>>()
                .join(", ")
        };

        // A search scans its matches anyway: count them in the same scan.
        let total = if search.is_some() {
            "COUNT(*) OVER ()"
        } else {
            "NULL"
        };
        let filter_args = args.clone();
        let limit = q.limit.min(StagingQuery::MAX_LIMIT);
        args.push(Value::Integer(limit as i64));
        args.push(Value::Integer(q.offset.min(i64::MAX as usize) as i64));
        PageSql {
            count: format!("SELECT COUNT(*) FROM staging_row{count_index}{filter}"),
            page: format!(
                "SELECT s.id, s.batch_id, s.entity, s.dapodik_id, s.status, s.reasons, s.label, page.total \
                 FROM (SELECT id, {total} AS total FROM staging_row{page_index}{filter} \
                       ORDER BY {} LIMIT ?{} OFFSET ?{}) AS page \
                 CROSS JOIN staging_row AS s ON s.id = page.id ORDER BY {}",
                order("", walk),
                args.len() - 1,
                args.len(),
                order("s.", keys)
            ),
            filter_args,
            page_args: args,
        }
    }
}

/// Canonical id, canonical JSON, hash, key and label of one record, into a reused row.
fn prepare_row(
    entity: Entity,
    record: &mut Record,
    row: &mut ReadyRow,
    checker: &mut Checker,
) -> Result<(), WsError> {
    canonicalise_id(entity, record);
    row.json.clear();
    serde_json::to_writer(&mut row.json, &*record)
        .map_err(|e| WsError::new(ErrorCode::MalformedResponse, format!("record JSON: {e}")))?;
    row.hash = Sha256::digest(&row.json).into();
    row.key = Some(key_of(entity, record));
    row.label.clear();
    row.label.push_str(label_of(record));
    row.keys = match_keys(entity, record);
    let findings = checker.check(entity, record);
    row.findings.clear();
    if findings.is_empty() {
        row.findings.push_str("[]");
    } else {
        row.findings
            .push_str(&serde_json::to_string(&findings).expect("findings serialise"));
    }
    Ok(())
}

/// The writing side stopped (a database error, returned by the writer): the stream just stops.
fn writer_gone() -> WsError {
    WsError::new(ErrorCode::MalformedResponse, "staging stopped")
}

/// Bytes already known to be UTF-8 (serde_json's output, hex, UUID text) bound as TEXT without being
/// validated again.
fn text(bytes: &[u8]) -> rusqlite::types::ToSqlOutput<'_> {
    rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(bytes))
}

fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn corrupt(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        Box::new(StoreError::Corrupt(what)),
    )
}

fn parse_entity(s: &str, column: usize) -> rusqlite::Result<Entity> {
    Entity::parse(s).ok_or_else(|| corrupt(column, format!("entity {s:?}")))
}

fn parse_status(s: &str, column: usize) -> rusqlite::Result<StagingStatus> {
    StagingStatus::parse(s).ok_or_else(|| corrupt(column, format!("staging status {s:?}")))
}

fn parse_reasons(s: &str, column: usize) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| corrupt(column, format!("reasons: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of filters and sorts reads the records of the page only: the page's ids come
    /// from an index, walked in the requested order unless searching; the table is never scanned.
    #[test]
    fn every_staging_query_uses_an_index_and_reads_no_other_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let conn = store.conn();
        let sorts = [
            StagingSort::Id,
            StagingSort::Label,
            StagingSort::Status,
            StagingSort::Entity,
        ];
        for sort in sorts {
            for entity in [None, Some(Entity::Gtk)] {
                for status in [None, Some(StagingStatus::Rejected)] {
                    for search in [None, Some("ayu".to_string())] {
                        for descending in [false, true] {
                            let q = StagingQuery {
                                batch_id: Some(1),
                                entity,
                                status,
                                search: search.clone(),
                                sort,
                                descending,
                                offset: 50_000,
                                limit: 100,
                            };
                            let sql = PageSql::new(&q);
                            for (stmt, args) in
                                [(&sql.count, &sql.filter_args), (&sql.page, &sql.page_args)]
                            {
                                let plan: Vec<String> = conn
                                    .prepare(&format!("EXPLAIN QUERY PLAN {stmt}"))
                                    .unwrap()
                                    .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                                        r.get::<_, String>(3)
                                    })
                                    .unwrap()
                                    .collect::<Result<_, _>>()
                                    .unwrap();
                                let text = plan.join(" | ");
                                assert!(!text.contains("SCAN staging_row"), "{q:?}: {text}");
                                // The ids are picked from index entries alone.
                                assert!(text.contains("COVERING INDEX"), "{q:?}: {text}");
                                // Without a search, the index walk is already in the requested
                                // order (at most ties among equal labels are sorted): the only full
                                // sort is the outer one, of the page's own rows.
                                if stmt == &sql.page && search.is_none() {
                                    assert!(!text.contains("LAST"), "{q:?}: {text}");
                                    assert_eq!(
                                        text.matches("TEMP B-TREE FOR ORDER BY").count(),
                                        1,
                                        "{q:?}: {text}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
