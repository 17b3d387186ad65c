//! Staging: what a pull brought, one row per record, each with a first-pass reconciliation status,
//! before anything reaches the register.
//!
//! Pure types and the first-pass reconciliation ([`FirstPass`]); the SQL that writes and pages staging
//! rows lives in [`crate::storage`].
//!
//! First pass (keyed by the Dapodik UUID of [`Entity::id_field`], compared case-insensitively):
//! - no id, or not a UUID → `REJECTED` ("Tanpa identitas Dapodik (… kosong)" / "Identitas Dapodik tidak
//!   valid (…)");
//! - an id already seen in this pull → the later record `REJECTED` ("Identitas ganda dalam satu tarikan");
//! - an id not in the register → `NEW`;
//! - in the register with the same content hash → `MATCHED`;
//! - in the register with another content hash → `MATCHED` with reason "Ada perubahan dari Dapodik".
//!
//! [`crate::storage`] stages with the full reconciliation of [`crate::reconcile`] (matching cascade,
//! three-way status per field, findings, removals), which gives the same verdicts as [`FirstPass`] for
//! everything above; [`FirstPass`] remains as the UUID-only classification.

use dapodik_webservice::{Entity, Record};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// First-pass status of a staging row. Stored as its upper-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StagingStatus {
    New,
    Matched,
    Conflict,
    Rejected,
}

impl StagingStatus {
    pub const ALL: [StagingStatus; 4] = [
        StagingStatus::New,
        StagingStatus::Matched,
        StagingStatus::Conflict,
        StagingStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StagingStatus::New => "NEW",
            StagingStatus::Matched => "MATCHED",
            StagingStatus::Conflict => "CONFLICT",
            StagingStatus::Rejected => "REJECTED",
        }
    }

    pub fn parse(s: &str) -> Option<StagingStatus> {
        StagingStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The status as the operator reads it (Indonesian).
    pub fn label_id(self) -> &'static str {
        match self {
            StagingStatus::New => "Baru",
            StagingStatus::Matched => "Cocok",
            StagingStatus::Conflict => "Konflik",
            StagingStatus::Rejected => "Ditolak",
        }
    }
}

/// Reason: the same identity appeared twice in one pull (the later record is rejected).
pub const REASON_DUPLICATE: &str = "Identitas ganda dalam satu tarikan";
/// Reason: the record is in the register but its content changed in Dapodik.
pub const REASON_CHANGED: &str = "Ada perubahan dari Dapodik";

/// Reason: the record carries no Dapodik identity.
pub fn reason_missing_id(entity: Entity) -> String {
    format!("Tanpa identitas Dapodik ({} kosong)", entity.id_field())
}

/// Reason: the record's Dapodik identity is not a UUID.
pub fn reason_invalid_id(entity: Entity) -> String {
    format!(
        "Identitas Dapodik tidak valid ({} bukan UUID)",
        entity.id_field()
    )
}

/// One staged record, in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StagingRow {
    pub id: i64,
    pub batch_id: i64,
    pub entity: Entity,
    /// Lower-case Dapodik UUID; `None` when the record had none (or an invalid one).
    pub dapodik_id: Option<String>,
    pub status: StagingStatus,
    /// Why the row has its status (Indonesian); empty for a plain NEW or an identical MATCHED.
    pub reasons: Vec<String>,
    /// Display name for lists (the record's `nama`).
    pub label: String,
    /// The normalised record, in the Web Service's field names.
    pub record: Record,
    /// sha256 hex of the record's canonical JSON ([`content_hash`]).
    pub content_hash: String,
}

/// One staged record as the staging list shows it: no full record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StagingRowSummary {
    pub id: i64,
    pub batch_id: i64,
    pub entity: Entity,
    pub dapodik_id: Option<String>,
    pub status: StagingStatus,
    pub reasons: Vec<String>,
    pub label: String,
}

/// Sort order of the staging list. Ties are broken by row id (for `Label`: by entity, status and
/// Dapodik id first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StagingSort {
    /// Arrival order.
    #[default]
    Id,
    /// Display name, case-insensitive.
    Label,
    Status,
    Entity,
}

/// A page of the staging list: filters, sort, paging. `limit` is capped at [`StagingQuery::MAX_LIMIT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StagingQuery {
    pub batch_id: Option<i64>,
    pub entity: Option<Entity>,
    pub status: Option<StagingStatus>,
    /// Case-insensitive substring of the label or of the Dapodik id.
    pub search: Option<String>,
    pub sort: StagingSort,
    pub descending: bool,
    pub offset: usize,
    pub limit: usize,
}

impl StagingQuery {
    pub const DEFAULT_LIMIT: usize = 100;
    pub const MAX_LIMIT: usize = 1000;
}

impl Default for StagingQuery {
    fn default() -> Self {
        StagingQuery {
            batch_id: None,
            entity: None,
            status: None,
            search: None,
            sort: StagingSort::Id,
            descending: false,
            offset: 0,
            limit: StagingQuery::DEFAULT_LIMIT,
        }
    }
}

/// One page of staging rows and the number of rows matching the filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StagingPage {
    pub total: u64,
    pub rows: Vec<StagingRowSummary>,
}

/// sha256 hex of the record's canonical JSON (keys sorted: serde_json's map is a BTreeMap).
pub fn content_hash(record: &Record) -> String {
    let bytes = serde_json::to_vec(record).expect("a JSON map always serialises");
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    String::from_utf8(hex(&digest).to_vec()).expect("hex is ASCII")
}

/// Lower-case hex of a sha256 digest, without allocating.
pub(crate) fn hex(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = DIGITS[(b >> 4) as usize];
        out[2 * i + 1] = DIGITS[(b & 0x0f) as usize];
    }
    out
}

/// Parses a 64-char hex digest (as stored) back to bytes.
pub(crate) fn parse_hex_digest(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for i in 0..32 {
        let hi = (b[2 * i] as char).to_digit(16)?;
        let lo = (b[2 * i + 1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// A Dapodik UUID as 128 bits: the comparison key (case-insensitive by construction).
pub type DapodikKey = u128;

/// Parses `8-4-4-4-12` hex (any case) into a key; `None` for anything else.
pub fn parse_uuid(s: &str) -> Option<DapodikKey> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | d as u128;
    }
    Some(v)
}

/// The canonical lower-case text of a key, without allocating.
pub fn format_uuid(key: DapodikKey) -> [u8; 36] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut nibble = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        let shift = 124 - 4 * nibble;
        *slot = DIGITS[((key >> shift) & 0xf) as usize];
        nibble += 1;
    }
    out
}

/// The display label of a record: its `nama`, or empty.
pub fn label_of(record: &Record) -> &str {
    record.get("nama").and_then(|v| v.as_str()).unwrap_or("")
}

/// Why a record got its first-pass status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    MissingId,
    InvalidId,
    Duplicate,
    Changed,
}

impl Reason {
    pub fn text(self, entity: Entity) -> String {
        match self {
            Reason::MissingId => reason_missing_id(entity),
            Reason::InvalidId => reason_invalid_id(entity),
            Reason::Duplicate => REASON_DUPLICATE.to_string(),
            Reason::Changed => REASON_CHANGED.to_string(),
        }
    }
}

/// The first-pass verdict on one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub status: StagingStatus,
    pub reason: Option<Reason>,
    /// The record's key when it has a valid one (also set for a rejected duplicate).
    pub key: Option<DapodikKey>,
}

/// First-pass reconciliation of one entity of one pull against the register.
///
/// Built once per entity from the register's `(key → content hash)`; then [`FirstPass::classify`] each
/// record in pull order. No allocation per record.
#[derive(Debug)]
pub struct FirstPass {
    entity: Entity,
    register: HashMap<DapodikKey, [u8; 32]>,
    seen: HashSet<DapodikKey>,
}

impl FirstPass {
    pub fn new(entity: Entity, register: HashMap<DapodikKey, [u8; 32]>) -> Self {
        FirstPass {
            entity,
            register,
            seen: HashSet::new(),
        }
    }

    /// With capacity for `expected` records.
    pub fn with_capacity(
        entity: Entity,
        register: HashMap<DapodikKey, [u8; 32]>,
        expected: usize,
    ) -> Self {
        FirstPass {
            entity,
            register,
            seen: HashSet::with_capacity(expected),
        }
    }

    pub fn entity(&self) -> Entity {
        self.entity
    }

    /// See [`canonicalise_id`].
    pub fn canonicalise_id(&self, record: &mut Record) {
        canonicalise_id(self.entity, record)
    }

    /// Classify one record whose canonical JSON hashes to `hash`.
    pub fn classify(&mut self, record: &Record, hash: &[u8; 32]) -> Verdict {
        self.classify_key(key_of(self.entity, record), hash)
    }

    /// Classify a record by its key as read by [`key_of`] (the record itself is not needed).
    pub fn classify_key(&mut self, key: Result<DapodikKey, Reason>, hash: &[u8; 32]) -> Verdict {
        let key = match key {
            Ok(k) => k,
            Err(reason) => {
                return Verdict {
                    status: StagingStatus::Rejected,
                    reason: Some(reason),
                    key: None,
                };
            }
        };
        if !self.seen.insert(key) {
            return Verdict {
                status: StagingStatus::Rejected,
                reason: Some(Reason::Duplicate),
                key: Some(key),
            };
        }
        match self.register.get(&key) {
            None => Verdict {
                status: StagingStatus::New,
                reason: None,
                key: Some(key),
            },
            Some(h) if h == hash => Verdict {
                status: StagingStatus::Matched,
                reason: None,
                key: Some(key),
            },
            Some(_) => Verdict {
                status: StagingStatus::Matched,
                reason: Some(Reason::Changed),
                key: Some(key),
            },
        }
    }
}

/// The record's Dapodik key, or why it has none (`MissingId`: absent, null, blank or the nil UUID;
/// `InvalidId`: not a UUID).
pub fn key_of(entity: Entity, record: &Record) -> Result<DapodikKey, Reason> {
    match record.get(entity.id_field()) {
        None | Some(serde_json::Value::Null) => Err(Reason::MissingId),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Err(Reason::MissingId),
        Some(serde_json::Value::String(s)) => match parse_uuid(s.trim()) {
            Some(0) => Err(Reason::MissingId),
            Some(k) => Ok(k),
            None => Err(Reason::InvalidId),
        },
        Some(_) => Err(Reason::InvalidId),
    }
}

/// Rewrite the record's id field to its canonical lower-case text when it is a UUID written
/// otherwise (upper case, surrounding spaces), so that the stored record and its content hash do not
/// depend on how the id was spelled. Allocates only when a rewrite is needed.
pub fn canonicalise_id(entity: Entity, record: &mut Record) {
    if let Some(serde_json::Value::String(s)) = record.get_mut(entity.id_field()) {
        let needs = s.len() != 36 || s.bytes().any(|b| b.is_ascii_uppercase());
        if needs {
            if let Some(k) = parse_uuid(s.trim()) {
                *s = String::from_utf8(format_uuid(k).to_vec()).expect("ASCII");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: serde_json::Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn digest(r: &Record) -> [u8; 32] {
        parse_hex_digest(&content_hash(r)).unwrap()
    }

    const A: &str = "0b6f3e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn uuid_parse_and_format_round_trip_case_insensitively() {
        let k = parse_uuid(A).unwrap();
        assert_eq!(parse_uuid(&A.to_uppercase()), Some(k));
        assert_eq!(std::str::from_utf8(&format_uuid(k)).unwrap(), A);
        assert_eq!(parse_uuid("0b6f3e0a1c2d4e5f8a9b0c1d2e3f4a5b"), None);
        assert_eq!(parse_uuid("0b6f3e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5g"), None);
        assert_eq!(parse_uuid(""), None);
    }

    #[test]
    fn content_hash_is_sha256_of_sorted_json() {
        let r1 = rec(json!({"b": 1, "a": "x"}));
        let r2 = rec(json!({"a": "x", "b": 1}));
        assert_eq!(content_hash(&r1), content_hash(&r2));
        // sha256('{"a":"x","b":1}')
        let expected: [u8; 32] = Sha256::digest(br#"{"a":"x","b":1}"#).into();
        assert_eq!(content_hash(&r1).as_bytes(), &hex(&expected));
        assert_eq!(parse_hex_digest(&content_hash(&r1)), Some(expected));
        assert_ne!(
            content_hash(&r1),
            content_hash(&rec(json!({"a": "y", "b": 1})))
        );
    }

    #[test]
    fn first_pass_table() {
        let e = Entity::PesertaDidik;
        let known_same =
            rec(json!({"peserta_didik_id": "11111111-1111-4111-8111-111111111111", "nama": "A"}));
        let known_changed =
            rec(json!({"peserta_didik_id": "22222222-2222-4222-8222-222222222222", "nama": "B2"}));
        let old_changed =
            rec(json!({"peserta_didik_id": "22222222-2222-4222-8222-222222222222", "nama": "B"}));
        let mut register = HashMap::new();
        register.insert(
            parse_uuid("11111111-1111-4111-8111-111111111111").unwrap(),
            digest(&known_same),
        );
        register.insert(
            parse_uuid("22222222-2222-4222-8222-222222222222").unwrap(),
            digest(&old_changed),
        );
        let mut fp = FirstPass::new(e, register);

        let cases: Vec<(Record, StagingStatus, Option<Reason>)> = vec![
            (
                rec(json!({"peserta_didik_id": A, "nama": "C"})),
                StagingStatus::New,
                None,
            ),
            (known_same.clone(), StagingStatus::Matched, None),
            (
                known_changed.clone(),
                StagingStatus::Matched,
                Some(Reason::Changed),
            ),
            (
                rec(json!({"nama": "D"})),
                StagingStatus::Rejected,
                Some(Reason::MissingId),
            ),
            (
                rec(json!({"peserta_didik_id": null})),
                StagingStatus::Rejected,
                Some(Reason::MissingId),
            ),
            (
                rec(json!({"peserta_didik_id": ""})),
                StagingStatus::Rejected,
                Some(Reason::MissingId),
            ),
            (
                rec(json!({"peserta_didik_id": "abc"})),
                StagingStatus::Rejected,
                Some(Reason::InvalidId),
            ),
            (
                rec(json!({"peserta_didik_id": 12})),
                StagingStatus::Rejected,
                Some(Reason::InvalidId),
            ),
            // The same id again, upper-case: a duplicate (UUIDs compare case-insensitively).
            (
                rec(json!({"peserta_didik_id": A.to_uppercase(), "nama": "C"})),
                StagingStatus::Rejected,
                Some(Reason::Duplicate),
            ),
        ];
        for (r, status, reason) in cases {
            let v = fp.classify(&r, &digest(&r));
            assert_eq!((v.status, v.reason), (status, reason), "record {r:?}");
        }
    }

    #[test]
    fn register_lookup_is_case_insensitive() {
        let e = Entity::Gtk;
        let lower = rec(json!({"ptk_id": A, "nama": "X"}));
        let mut register = HashMap::new();
        register.insert(parse_uuid(A).unwrap(), digest(&lower));
        let mut fp = FirstPass::new(e, register);
        let upper = rec(json!({"ptk_id": A.to_uppercase(), "nama": "X"}));
        let v = fp.classify(&upper, &digest(&upper));
        assert_eq!(v.status, StagingStatus::Matched);
        assert_eq!(v.key, parse_uuid(A));
    }

    #[test]
    fn canonicalise_id_lower_cases_and_trims_uuids_only() {
        let fp = FirstPass::new(Entity::PesertaDidik, HashMap::new());
        let mut r = rec(json!({"peserta_didik_id": format!(" {} ", A.to_uppercase())}));
        fp.canonicalise_id(&mut r);
        assert_eq!(r["peserta_didik_id"], A);
        let mut odd = rec(json!({"peserta_didik_id": "NOT-A-UUID"}));
        fp.canonicalise_id(&mut odd);
        assert_eq!(odd["peserta_didik_id"], "NOT-A-UUID");
    }

    #[test]
    fn reasons_name_the_id_field() {
        assert_eq!(
            Reason::MissingId.text(Entity::Gtk),
            "Tanpa identitas Dapodik (ptk_id kosong)"
        );
        assert_eq!(Reason::Duplicate.text(Entity::Gtk), REASON_DUPLICATE);
    }
}
