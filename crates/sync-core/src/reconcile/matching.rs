//! The matching cascade and the per-record verdict of a pull against the register.
//!
//! Keys, strongest first: the Dapodik UUID; then NISN (students) or NUPTK (staff); then a valid NIK
//! (never a placeholder); then NIPD within the school (students). The first key with candidates
//! decides: one candidate matches, more than one is a CONFLICT (ambiguous: never a guess).
//!
//! [`Reconciler`] is built once per entity from the register's keys ([`RegisterKeys`], loaded in one
//! query, no record JSON) plus the full base/local records of the few register records that carry
//! local edits; then [`Reconciler::classify`] is called per record in pull order with no SQL and,
//! for a record without local edits, no JSON parsing. [`Reconciler::finish`] tells which register
//! records the pull lacks (removal candidates) and which secondary matches turned out ambiguous.

use super::diff;
use super::identity::{self, Nik};
use crate::staging::{format_uuid, DapodikKey, Reason, StagingStatus};
use dapodik_webservice::{Entity, Record};
use std::collections::{HashMap, HashSet};

/// How a record was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKey {
    Uuid,
    Nisn,
    Nuptk,
    Nik,
    Nipd,
}

impl MatchKey {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::Uuid => "uuid",
            MatchKey::Nisn => "nisn",
            MatchKey::Nuptk => "nuptk",
            MatchKey::Nik => "nik",
            MatchKey::Nipd => "nipd",
        }
    }

    pub fn parse(s: &str) -> Option<MatchKey> {
        [
            MatchKey::Uuid,
            MatchKey::Nisn,
            MatchKey::Nuptk,
            MatchKey::Nik,
            MatchKey::Nipd,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The identifier's name as the operator reads it.
    pub fn label(self) -> &'static str {
        match self {
            MatchKey::Uuid => "ID Dapodik",
            MatchKey::Nisn => "NISN",
            MatchKey::Nuptk => "NUPTK",
            MatchKey::Nik => "NIK",
            MatchKey::Nipd => "NIPD",
        }
    }
}

/// The secondary match keys of a record (the UUID is read separately).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// NISN (students) or NUPTK (staff).
    pub national: Option<u64>,
    pub nik: Option<u64>,
    pub nipd: Option<String>,
}

/// Read the secondary keys of a record. Placeholders and malformed identifiers give `None`.
pub fn match_keys(entity: Entity, record: &Record) -> MatchKeys {
    let nik = match identity::nik(identity::text(record, "nik")) {
        Nik::Valid(k) => Some(k),
        _ => None,
    };
    match entity {
        Entity::PesertaDidik => MatchKeys {
            national: identity::nisn(identity::text(record, "nisn")),
            nik,
            nipd: identity::nipd(identity::text(record, "nipd")),
        },
        Entity::Gtk => MatchKeys {
            national: identity::nuptk(identity::text(record, "nuptk")),
            nik,
            nipd: None,
        },
        _ => MatchKeys::default(),
    }
}

/// What the register knows of one record without its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterKeys {
    pub id: DapodikKey,
    pub base_hash: [u8; 32],
    /// The local record differs from the base (local edits).
    pub edited: bool,
    pub keys: MatchKeys,
}

/// The base and local records of a register record with local edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    pub base: Record,
    pub local: Record,
}

/// The verdict on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: StagingStatus,
    pub reasons: Vec<String>,
    /// The record's own Dapodik key when it has a valid one.
    pub key: Option<DapodikKey>,
    /// The register record it matched, and how.
    pub matched: Option<(DapodikKey, MatchKey)>,
}

/// One entity of one pull against the register. See the module docs.
#[derive(Debug)]
pub struct Reconciler {
    entity: Entity,
    by_id: HashMap<DapodikKey, (usize, [u8; 32], bool)>,
    national: HashMap<u64, Vec<DapodikKey>>,
    nik: HashMap<u64, Vec<DapodikKey>>,
    nipd: HashMap<String, Vec<DapodikKey>>,
    edited: HashMap<DapodikKey, Edited>,
    seen: HashSet<DapodikKey>,
    /// Register records matched so far, and by how many secondary matches.
    claimed_by_uuid: HashSet<DapodikKey>,
    secondary: Vec<(usize, DapodikKey)>,
    count: usize,
}

/// What the end of an entity's stream leaves to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finish {
    /// Register records this pull lacks (sorted): removal candidates when the pull is complete.
    pub missing: Vec<DapodikKey>,
    /// Records (by their position in the pull) whose secondary match collided with another match of
    /// the same register record: they become CONFLICT with this reason.
    pub ambiguous: Vec<(usize, String)>,
}

/// Reason of a removal row.
pub const REASON_REMOVED: &str = "Dihapus di Dapodik";

impl Reconciler {
    pub fn new(
        entity: Entity,
        register: Vec<RegisterKeys>,
        edited: HashMap<DapodikKey, Edited>,
    ) -> Self {
        let mut r = Reconciler {
            entity,
            by_id: HashMap::with_capacity(register.len()),
            national: HashMap::new(),
            nik: HashMap::new(),
            nipd: HashMap::new(),
            edited,
            seen: HashSet::with_capacity(register.len()),
            claimed_by_uuid: HashSet::with_capacity(register.len()),
            secondary: Vec::new(),
            count: 0,
        };
        for (i, k) in register.into_iter().enumerate() {
            if let Some(n) = k.keys.national {
                r.national.entry(n).or_default().push(k.id);
            }
            if let Some(n) = k.keys.nik {
                r.nik.entry(n).or_default().push(k.id);
            }
            if let Some(n) = k.keys.nipd {
                r.nipd.entry(n).or_default().push(k.id);
            }
            r.by_id.insert(k.id, (i, k.base_hash, k.edited));
        }
        r
    }

    pub fn entity(&self) -> Entity {
        self.entity
    }

    /// Classify the next record of the pull. `key` is the record's UUID as read by
    /// [`crate::staging::key_of`], `hash` its content hash, `keys` its secondary keys; `record` is
    /// asked for (parsed) only when a three-way diff is needed (a register record with local edits).
    pub fn classify(
        &mut self,
        key: Result<DapodikKey, Reason>,
        hash: &[u8; 32],
        keys: &MatchKeys,
        record: &mut dyn FnMut() -> Option<Record>,
    ) -> Verdict {
        let position = self.count;
        self.count += 1;
        let key = match key {
            Ok(k) => k,
            Err(reason) => return rejected(self.entity, reason, None),
        };
        if !self.seen.insert(key) {
            return rejected(self.entity, Reason::Duplicate, Some(key));
        }
        if self.by_id.contains_key(&key) {
            self.claimed_by_uuid.insert(key);
            return self.matched(key, key, MatchKey::Uuid, hash, record);
        }
        let cascade: [(MatchKey, Option<&Vec<DapodikKey>>); 3] = [
            (
                if self.entity == Entity::Gtk {
                    MatchKey::Nuptk
                } else {
                    MatchKey::Nisn
                },
                keys.national.and_then(|n| self.national.get(&n)),
            ),
            (MatchKey::Nik, keys.nik.and_then(|n| self.nik.get(&n))),
            (
                MatchKey::Nipd,
                keys.nipd.as_ref().and_then(|n| self.nipd.get(n)),
            ),
        ];
        for (how, candidates) in cascade {
            let Some(candidates) = candidates.filter(|c| !c.is_empty()) else {
                continue;
            };
            if candidates.len() > 1 {
                return Verdict {
                    status: StagingStatus::Conflict,
                    reasons: vec![ambiguous_reason(how, candidates.len())],
                    key: Some(key),
                    matched: None,
                };
            }
            let target = candidates[0];
            self.secondary.push((position, target));
            let mut v = self.matched(key, target, how, hash, record);
            v.reasons.insert(
                0,
                format!(
                    "Cocok lewat {} (ID Dapodik berbeda dari data lokal)",
                    how.label()
                ),
            );
            return v;
        }
        Verdict {
            status: StagingStatus::New,
            reasons: Vec::new(),
            key: Some(key),
            matched: None,
        }
    }

    fn matched(
        &self,
        key: DapodikKey,
        target: DapodikKey,
        how: MatchKey,
        hash: &[u8; 32],
        record: &mut dyn FnMut() -> Option<Record>,
    ) -> Verdict {
        let (_, base_hash, edited) = self.by_id[&target];
        let mut v = Verdict {
            status: StagingStatus::Matched,
            reasons: Vec::new(),
            key: Some(key),
            matched: Some((target, how)),
        };
        match (edited, self.edited.get(&target)) {
            (true, Some(e)) => {
                let Some(incoming) = record() else {
                    return v;
                };
                let a = diff::assess(self.entity, &e.base, &e.local, &incoming);
                if a.has_conflict() {
                    v.status = StagingStatus::Conflict;
                }
                v.reasons = a.reasons(self.entity);
            }
            _ => {
                if &base_hash != hash {
                    v.reasons.push(crate::staging::REASON_CHANGED.to_string());
                }
            }
        }
        v
    }

    /// End of the entity's stream.
    pub fn finish(&self) -> Finish {
        let mut missing: Vec<DapodikKey> = self
            .by_id
            .keys()
            .filter(|k| !self.seen.contains(k) && !self.claimed_by_uuid.contains(k))
            .filter(|k| !self.secondary.iter().any(|(_, t)| t == *k))
            .copied()
            .collect();
        missing.sort_unstable();
        let mut per_target: HashMap<DapodikKey, usize> = HashMap::new();
        for (_, t) in &self.secondary {
            *per_target.entry(*t).or_default() += 1;
        }
        let ambiguous = self
            .secondary
            .iter()
            .filter(|(_, t)| per_target[t] > 1 || self.claimed_by_uuid.contains(t) || self.seen.contains(t))
            .map(|(pos, _)| {
                (
                    *pos,
                    "Cocok dengan data lokal yang juga dicocokkan data lain dalam tarikan ini: tidak ditebak"
                        .to_string(),
                )
            })
            .collect();
        Finish { missing, ambiguous }
    }
}

fn rejected(entity: Entity, reason: Reason, key: Option<DapodikKey>) -> Verdict {
    Verdict {
        status: StagingStatus::Rejected,
        reasons: vec![reason.text(entity)],
        key,
        matched: None,
    }
}

fn ambiguous_reason(how: MatchKey, n: usize) -> String {
    format!(
        "Cocok dengan {n} data lokal lewat {}: pilih sendiri, tidak ditebak",
        how.label()
    )
}

/// The lower-case text of a key.
pub fn key_text(key: DapodikKey) -> String {
    String::from_utf8(format_uuid(key).to_vec()).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staging::{content_hash, key_of, parse_hex_digest, parse_uuid};
    use serde_json::json;

    fn rec(v: serde_json::Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn uuid(n: u32) -> String {
        format!("{n:08x}-0000-4000-8000-000000000000")
    }

    fn student(n: u32, nisn: &str, nik: &str, nipd: &str) -> Record {
        rec(
            json!({"peserta_didik_id": uuid(n), "nama": format!("Siswa {n}"), "nisn": nisn, "nik": nik, "nipd": nipd}),
        )
    }

    fn hash(r: &Record) -> [u8; 32] {
        parse_hex_digest(&content_hash(r)).unwrap()
    }

    fn reg(r: &Record, edited: bool) -> RegisterKeys {
        RegisterKeys {
            id: key_of(Entity::PesertaDidik, r).unwrap(),
            base_hash: hash(r),
            edited,
            keys: match_keys(Entity::PesertaDidik, r),
        }
    }

    fn classify(rc: &mut Reconciler, r: &Record) -> Verdict {
        let e = Entity::PesertaDidik;
        let owned = r.clone();
        rc.classify(key_of(e, r), &hash(r), &match_keys(e, r), &mut || {
            Some(owned.clone())
        })
    }

    #[test]
    fn cascade_table() {
        let e = Entity::PesertaDidik;
        let r1 = student(1, "0010000001", "3201014205090001", "A-1");
        let r2 = student(2, "0010000002", "3201014205090002", "A-2");
        // Two register records share a NIK (real data have this) and a NIPD.
        let r3 = student(3, "", "3201014205090003", "A-3");
        let r4 = student(4, "", "3201014205090003", "A-3");
        let register = vec![
            reg(&r1, false),
            reg(&r2, false),
            reg(&r3, false),
            reg(&r4, false),
        ];
        let mut rc = Reconciler::new(e, register, HashMap::new());

        type Case = (Record, StagingStatus, Option<(u32, MatchKey)>);
        let cases: Vec<Case> = vec![
            // Same UUID, same content.
            (
                r1.clone(),
                StagingStatus::Matched,
                Some((1, MatchKey::Uuid)),
            ),
            // New UUID, same NISN as r2.
            (
                student(12, "0010000002", "0", ""),
                StagingStatus::Matched,
                Some((2, MatchKey::Nisn)),
            ),
            // New UUID, NIK of r3 and r4: ambiguous.
            (
                student(13, "", "3201014205090003", ""),
                StagingStatus::Conflict,
                None,
            ),
            // Placeholder NIK, no NISN, no NIPD: NEW (a placeholder never matches).
            (
                student(14, "", "0000000000000000", ""),
                StagingStatus::New,
                None,
            ),
            (
                student(15, "0000000000", "3201010000000001", ""),
                StagingStatus::New,
                None,
            ),
            // NIPD shared by r3 and r4: ambiguous.
            (student(16, "", "", "a-3"), StagingStatus::Conflict, None),
            // Missing UUID: rejected.
            (
                rec(json!({"nama": "X", "nisn": "0010000001"})),
                StagingStatus::Rejected,
                None,
            ),
        ];
        for (r, status, matched) in cases {
            let v = classify(&mut rc, &r);
            assert_eq!(v.status, status, "{r:?}: {v:?}");
            assert_eq!(
                v.matched,
                matched.map(|(n, k)| (parse_uuid(&uuid(n)).unwrap(), k)),
                "{r:?}"
            );
        }
        let f = rc.finish();
        // r2 was matched by NISN; r3 and r4 were not matched: removal candidates.
        assert_eq!(
            f.missing,
            vec![parse_uuid(&uuid(3)).unwrap(), parse_uuid(&uuid(4)).unwrap()]
        );
        assert!(f.ambiguous.is_empty());
    }

    #[test]
    fn a_secondary_match_of_a_record_also_matched_by_uuid_is_ambiguous() {
        let e = Entity::PesertaDidik;
        let r1 = student(1, "0010000001", "", "");
        let mut rc = Reconciler::new(e, vec![reg(&r1, false)], HashMap::new());
        let other = student(9, "0010000001", "", "");
        assert_eq!(classify(&mut rc, &other).status, StagingStatus::Matched);
        assert_eq!(classify(&mut rc, &r1).status, StagingStatus::Matched);
        let f = rc.finish();
        assert_eq!(f.ambiguous.len(), 1);
        assert_eq!(f.ambiguous[0].0, 0);
        assert!(f.missing.is_empty());
    }

    #[test]
    fn changes_and_local_edits() {
        let e = Entity::PesertaDidik;
        let base = student(1, "0010000001", "", "");
        let mut local = base.clone();
        local.insert("alamat_jalan".into(), json!("Jl. Baru"));
        let mut edited = HashMap::new();
        let id = key_of(e, &base).unwrap();
        edited.insert(
            id,
            Edited {
                base: base.clone(),
                local: local.clone(),
            },
        );
        let mut rc = Reconciler::new(e, vec![reg(&base, true)], edited.clone());
        // Unchanged in Dapodik: MATCHED, the local edit shown.
        let v = classify(&mut rc, &base);
        assert_eq!(v.status, StagingStatus::Matched);
        assert_eq!(
            v.reasons,
            ["Ada perubahan lokal (dipertahankan): alamat_jalan"]
        );

        // Dapodik changed the same field differently: CONFLICT.
        let mut rc = Reconciler::new(e, vec![reg(&base, true)], edited.clone());
        let mut incoming = base.clone();
        incoming.insert("alamat_jalan".into(), json!("Jl. Lain"));
        let v = classify(&mut rc, &incoming);
        assert_eq!(v.status, StagingStatus::Conflict);

        // A protected field edited locally: CONFLICT with the Verval hint.
        let mut local = base.clone();
        local.insert("nama".into(), json!("Siswa Satu"));
        edited.insert(
            id,
            Edited {
                base: base.clone(),
                local,
            },
        );
        let mut rc = Reconciler::new(e, vec![reg(&base, true)], edited);
        let v = classify(&mut rc, &base);
        assert_eq!(v.status, StagingStatus::Conflict);
        assert!(v.reasons[0].contains("perbaiki lewat VervalPD"), "{v:?}");

        // No local edits, Dapodik changed: MATCHED with an update.
        let mut rc = Reconciler::new(e, vec![reg(&base, false)], HashMap::new());
        let v = classify(&mut rc, &incoming);
        assert_eq!(v.status, StagingStatus::Matched);
        assert_eq!(v.reasons, [crate::staging::REASON_CHANGED]);
    }

    #[test]
    fn staff_match_on_nuptk() {
        let e = Entity::Gtk;
        let g = rec(json!({"ptk_id": uuid(1), "nuptk": "1953762664130142", "nik": "0"}));
        let r = RegisterKeys {
            id: key_of(e, &g).unwrap(),
            base_hash: hash(&g),
            edited: false,
            keys: match_keys(e, &g),
        };
        let mut rc = Reconciler::new(e, vec![r], HashMap::new());
        let other = rec(json!({"ptk_id": uuid(2), "nuptk": "1953762664130142"}));
        let v = rc.classify(
            key_of(e, &other),
            &hash(&other),
            &match_keys(e, &other),
            &mut || None,
        );
        assert_eq!(v.matched.map(|m| m.1), Some(MatchKey::Nuptk));
    }
}
