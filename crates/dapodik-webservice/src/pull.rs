//! One pull of a school: fetch the four functions' raw responses, check the NPSN, then stream the
//! normalised, corrected records of each entity to whoever stages them.
//!
//! [`fetch_school`]: `getSekolah` first; it is decoded and its normalised `npsn` must equal the
//! configured NPSN (else `WrongSchool`, and nothing else is fetched: the Web Service returns the data
//! of the school the key was registered for, whatever NPSN is sent). Then `getPesertaDidik`, `getGtk`
//! and `getRombonganBelajar` are fetched. Each body is checked right after it arrives with
//! [`decode::precheck`] (error envelopes, statuses, refusals; only the head of a large body is read
//! for that), so an error such as key-not-registered fails the pull before anything is staged; all
//! four functions are required, so a 404 on any of them is `FunctionMissing`. [`from_responses`]
//! does the same without I/O, from bodies in memory; [`from_capture`] from a capture folder.
//!
//! Memory: a large HTTP body is spooled to a file in a private temporary folder while it is received
//! (deleted when the [`RawPull`] is dropped: it holds children's data), and a capture's bodies stay
//! in their files. [`RawPull::for_each_record`] reads one body at a time and drops it after, so a
//! pull holds at most one large body (plus the class membership) in memory.
//!
//! [`RawPull::for_each_record`]: decode + normalise + correct, one record at a time.
//! Stale-field correction (shared doc "Server bugs"):
//! - a student's `rombongan_belajar_id`, `nama_rombel`, `tingkat_pendidikan_id` and
//!   `anggota_rombel_id` are kept only when the (student, class) pair appears in that class's
//!   `anggota_rombel[]` in `getRombonganBelajar`, else they become null; the `Belum masuk …` sentinel
//!   in `anggota_rombel_id` becomes null. Membership is read from `getRombonganBelajar` (decoded once
//!   per call, keeping only the pairs) before students are streamed.
//! - a class's `ptk_id_str` is kept only with a non-null `ptk_id`;
//! - an extracurricular class (`jenis_rombel` 51) gets an empty `pembelajaran`.
//!
//! An entity is *incomplete* (absence of a record says nothing about removals) when the server
//! reported its empty set as an error, or when the envelope's `results` is larger than the rows it
//! carried (a paging build: one request per function, never a paging loop).

use crate::decode::{self, DecodeSummary};
use crate::normalise::{normalise_owned, uuid_bits, NormalisedRow};
use crate::source::{HeldResponse, ProgressFn, RawResponse, Source};
use crate::{Entity, ErrorCode, Function, Record, WsError};
use serde_json::Value;
use std::collections::HashSet;

/// The raw responses of one pull, with the school profile already decoded and its NPSN checked.
#[derive(Debug, Clone)]
pub struct RawPull {
    pub npsn: String,
    /// The normalised school profile (`getSekolah`).
    pub sekolah: Record,
    /// Raw responses of every function fetched, in [`Function::ALL`] order, `getSekolah` included;
    /// bodies in memory or in files (see the module docs).
    pub responses: Vec<(Function, HeldResponse)>,
    /// Notes for the batch, in Indonesian (e.g. an optional function missing in this build).
    pub notes: Vec<String>,
    /// The private folder holding spooled bodies, deleted when the last clone of the pull is dropped.
    spool: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// What streaming one entity said besides its records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntitySummary {
    pub records: usize,
    /// No complete view of this entity (empty set reported as error, or function missing): absence of a
    /// record in this pull says nothing about removals.
    pub incomplete: bool,
    /// `semester_id` read back from the rows, when any row carries it.
    pub semester_id: Option<String>,
}

impl RawPull {
    /// Decode, normalise and correct the records of `entity`, one at a time.
    pub fn for_each_record(
        &self,
        entity: Entity,
        on_record: &mut dyn FnMut(Record) -> Result<(), WsError>,
    ) -> Result<EntitySummary, WsError> {
        match entity {
            Entity::Sekolah => {
                on_record(self.sekolah.clone())?;
                Ok(EntitySummary {
                    records: 1,
                    incomplete: false,
                    semester_id: None,
                })
            }
            Entity::PesertaDidik => {
                let membership = self.membership()?;
                self.stream(entity, &mut |record| {
                    let record = correct_student(record, &membership);
                    on_record(record)
                })
            }
            Entity::Gtk => self.stream(entity, on_record),
            Entity::RombonganBelajar => {
                self.stream(entity, &mut |record| on_record(correct_class(record)))
            }
        }
    }

    /// The private folder holding this pull's spooled bodies, if any (deleted on drop).
    pub fn spool_path(&self) -> Option<&std::path::Path> {
        self.spool.as_deref().map(tempfile::TempDir::path)
    }

    /// The raw response of `function`, if it was fetched.
    pub fn response(&self, function: Function) -> Option<&HeldResponse> {
        self.responses
            .iter()
            .find(|(f, _)| *f == function)
            .map(|(_, r)| r)
    }

    /// Decode and normalise one entity's rows, handing each record to `on_record`.
    fn stream(
        &self,
        entity: Entity,
        on_record: &mut dyn FnMut(Record) -> Result<(), WsError>,
    ) -> Result<EntitySummary, WsError> {
        let function = entity.function();
        let response = self.response(function).ok_or_else(|| {
            WsError::new(
                ErrorCode::FunctionMissing,
                format!("{}: not in this pull", function.name()),
            )
        })?;
        let mut semester_id: Option<String> = None;
        // Read now, dropped when this entity is done.
        let body = response.body.load()?;
        // Normalised while parsed: the rules of `normalise_owned`, without building a raw row first
        // (they are the same for every entity today).
        let _ = entity;
        let decoded = decode::decode_each_as::<NormalisedRow>(
            function,
            response.http_status,
            &body,
            &mut |NormalisedRow(record)| {
                if semester_id.is_none() {
                    if let Some(Value::String(s)) = record.get("semester_id") {
                        semester_id = Some(s.clone());
                    }
                }
                on_record(record)
            },
        )?;
        Ok(EntitySummary {
            records: decoded.rows,
            incomplete: is_incomplete(&decoded),
            semester_id,
        })
    }

    /// (student, class) pairs from `getRombonganBelajar`'s `anggota_rombel[]`.
    fn membership(&self) -> Result<Membership, WsError> {
        let mut membership = Membership::default();
        let Some(response) = self.response(Function::GetRombonganBelajar) else {
            return Ok(membership);
        };
        let body = response.body.load()?;
        // About one member per 500 bytes of pretty-printed body: grown at most once or twice.
        membership.pairs.reserve(body.len() / 1024);
        decode::decode_each_as::<ClassMembers>(
            Function::GetRombonganBelajar,
            response.http_status,
            &body,
            &mut |class| {
                if let Some(class_id) = class.rombongan_belajar_id.0 {
                    for student in class.anggota_rombel.0 {
                        membership.pairs.insert((student, class_id.clone()));
                    }
                }
                Ok(())
            },
        )?;
        Ok(membership)
    }

    /// Every entity collected (convenient for tests and small schools).
    pub fn collect(&self) -> Result<SchoolPull, WsError> {
        let mut pull = SchoolPull {
            npsn: self.npsn.clone(),
            ..Default::default()
        };
        for entity in Entity::ALL {
            let mut rows = Vec::new();
            let summary = self.for_each_record(entity, &mut |r| {
                rows.push(r);
                Ok(())
            })?;
            if summary.incomplete {
                pull.incomplete.push(entity);
            }
            if pull.semester_id.is_none() {
                pull.semester_id = summary.semester_id;
            }
            *pull.rows_mut(entity) = rows;
        }
        pull.notes = self.notes.clone();
        Ok(pull)
    }
}

/// Everything one pull brought, normalised and corrected, held in memory.
#[derive(Debug, Clone, Default)]
pub struct SchoolPull {
    pub npsn: String,
    pub semester_id: Option<String>,
    pub sekolah: Vec<Record>,
    pub peserta_didik: Vec<Record>,
    pub gtk: Vec<Record>,
    pub rombongan_belajar: Vec<Record>,
    pub incomplete: Vec<Entity>,
    pub notes: Vec<String>,
}

impl SchoolPull {
    pub fn rows(&self, entity: Entity) -> &[Record] {
        match entity {
            Entity::Sekolah => &self.sekolah,
            Entity::PesertaDidik => &self.peserta_didik,
            Entity::Gtk => &self.gtk,
            Entity::RombonganBelajar => &self.rombongan_belajar,
        }
    }

    pub fn rows_mut(&mut self, entity: Entity) -> &mut Vec<Record> {
        match entity {
            Entity::Sekolah => &mut self.sekolah,
            Entity::PesertaDidik => &mut self.peserta_didik,
            Entity::Gtk => &mut self.gtk,
            Entity::RombonganBelajar => &mut self.rombongan_belajar,
        }
    }
}

/// Fetch one school's raw responses from `source`; `progress` gets (function, bytes so far).
/// Large HTTP bodies are spooled to a private folder under the system's temporary folder.
pub async fn fetch_school(
    source: &Source,
    npsn: &str,
    progress: &ProgressFn,
) -> Result<RawPull, WsError> {
    fetch_school_in(source, npsn, progress, &std::env::temp_dir()).await
}

/// [`fetch_school`] with spooled bodies in a private folder created under `spool_parent`.
pub async fn fetch_school_in(
    source: &Source,
    npsn: &str,
    progress: &ProgressFn,
    spool_parent: &std::path::Path,
) -> Result<RawPull, WsError> {
    let npsn = configured_npsn(npsn)?;
    let spool = match source {
        Source::Http(_) => Some(std::sync::Arc::new(spool_folder(spool_parent)?)),
        Source::Capture(_) => None,
    };
    let spool_path = spool
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_default();
    let sekolah_response = source
        .fetch_held(Function::GetSekolah, progress, &spool_path)
        .await?;
    let mut pull = RawPull::begin(npsn, sekolah_response, spool)?;
    for function in after_sekolah() {
        let response = source.fetch_held(function, progress, &spool_path).await?;
        pull.add(function, response)?;
    }
    Ok(pull)
}

/// [`fetch_school`] from a capture folder, without async: bodies stay in their files.
pub fn from_capture(npsn: &str, capture: &crate::capture::CaptureDir) -> Result<RawPull, WsError> {
    assemble(npsn, |function| capture.fetch_held(function))
}

/// A new folder for spooled bodies, created readable by its owner only (0700 on unix; on Windows the
/// user's temporary folder is already private to the user).
fn spool_folder(parent: &std::path::Path) -> Result<tempfile::TempDir, WsError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("dapodik-sync-pull-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir_in(parent).map_err(|e| {
        WsError::new(
            ErrorCode::ServerFault,
            format!(
                "no temporary folder for the responses under {}: {e}",
                parent.display()
            ),
        )
    })
}

/// [`fetch_school`] without I/O, from bodies already in hand (capture files, benchmarks, tests).
/// A function missing from `responses` is treated as a 404 (`FunctionMissing`); duplicates keep the
/// first.
pub fn from_responses(
    npsn: &str,
    responses: Vec<(Function, RawResponse)>,
) -> Result<RawPull, WsError> {
    let mut by_function: Vec<(Function, RawResponse)> = Vec::with_capacity(Function::ALL.len());
    for (function, response) in responses {
        if !by_function.iter().any(|(f, _)| *f == function) {
            by_function.push((function, response));
        }
    }
    let mut take = |function: Function| -> HeldResponse {
        match by_function.iter().position(|(f, _)| *f == function) {
            Some(i) => by_function.swap_remove(i).1.into(),
            None => RawResponse {
                http_status: 404,
                body: bytes::Bytes::new(),
            }
            .into(),
        }
    };
    assemble(npsn, |function| Ok(take(function)))
}

/// The functions fetched after `getSekolah`, in order.
fn after_sekolah() -> impl Iterator<Item = Function> {
    Function::ALL
        .into_iter()
        .filter(|f| *f != Function::GetSekolah)
}

/// A pull from responses already at hand (no spool): `getSekolah` first, then the others.
fn assemble(
    npsn: &str,
    mut fetch: impl FnMut(Function) -> Result<HeldResponse, WsError>,
) -> Result<RawPull, WsError> {
    let npsn = configured_npsn(npsn)?;
    let mut pull = RawPull::begin(npsn, fetch(Function::GetSekolah)?, None)?;
    for function in after_sekolah() {
        pull.add(function, fetch(function)?)?;
    }
    Ok(pull)
}

impl RawPull {
    /// A pull begun with `getSekolah`'s response; refused (`wrong_school`, …) unless it is the
    /// configured school.
    fn begin(
        npsn: String,
        sekolah_response: HeldResponse,
        spool: Option<std::sync::Arc<tempfile::TempDir>>,
    ) -> Result<RawPull, WsError> {
        let sekolah = check_school(&npsn, &sekolah_response)?;
        Ok(RawPull {
            npsn,
            sekolah,
            responses: vec![(Function::GetSekolah, sekolah_response)],
            notes: Vec::new(),
            spool,
        })
    }

    /// Add another function's response; an error body fails the pull before anything is staged.
    fn add(&mut self, function: Function, response: HeldResponse) -> Result<(), WsError> {
        check_response(function, &response, &mut self.notes)?;
        self.responses.push((function, response));
        Ok(())
    }
}

fn configured_npsn(npsn: &str) -> Result<String, WsError> {
    let npsn = npsn.trim();
    if npsn.is_empty() {
        return Err(WsError::new(ErrorCode::NpsnMissing, "no NPSN configured"));
    }
    Ok(npsn.to_string())
}

/// Decode `getSekolah`, normalise it and check its NPSN against the configured one.
fn check_school(npsn: &str, response: &HeldResponse) -> Result<Record, WsError> {
    let function = Function::GetSekolah;
    let body = response.body.load()?;
    let (rows, summary) = decode::decode_body(function, response.http_status, &body)?;
    let mut rows = rows.into_iter();
    let (Some(raw), None) = (rows.next(), rows.next()) else {
        let code = if summary.rows == 0 {
            ErrorCode::SchoolNotFound
        } else {
            ErrorCode::MalformedResponse
        };
        return Err(WsError::new(
            code,
            format!(
                "getSekolah: expected one school profile, got {}",
                summary.rows
            ),
        ));
    };
    let sekolah = normalise_owned(Entity::Sekolah, raw);
    let got = match sekolah.get("npsn") {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    if !got.eq_ignore_ascii_case(npsn) {
        let got = if got.is_empty() { "(kosong)" } else { got };
        return Err(WsError::new(
            ErrorCode::WrongSchool,
            format!("getSekolah: NPSN {got} returned, {npsn} configured"),
        ));
    }
    Ok(sekolah)
}

/// Check one required function's body before it is kept; add a note for an empty set.
fn check_response(
    function: Function,
    response: &HeldResponse,
    notes: &mut Vec<String>,
) -> Result<(), WsError> {
    let summary = precheck_held(function, response)?;
    if summary.empty_reported {
        notes.push(format!(
            "Dapodik menjawab bahwa data {} kosong ({}: \"Data … tidak ditemukan\"). Hal ini wajar \
             sesaat setelah pergantian semester; periksa data di Dapodik bila tidak semestinya kosong.",
            entity_label(function.entity()),
            function.name()
        ));
    }
    Ok(())
}

/// How much of a body in a file [`precheck_held`] reads first.
const PRECHECK_HEAD: usize = 64 * 1024;

/// [`decode::precheck`] of a held body, reading only its head when that settles it: a precheck that
/// succeeds on the head reached `rows` within it, so it says what the whole body would; anything else
/// (an error, or a head cut before `rows`) is decided on the whole body.
fn precheck_held(function: Function, response: &HeldResponse) -> Result<DecodeSummary, WsError> {
    let head = response.body.head(PRECHECK_HEAD)?;
    if (head.len() as u64) < response.body.len() {
        if let Ok(summary) = decode::precheck(function, response.http_status, &head) {
            return Ok(summary);
        }
        let body = response.body.load()?;
        return decode::precheck(function, response.http_status, &body);
    }
    decode::precheck(function, response.http_status, &head)
}

fn entity_label(entity: Entity) -> &'static str {
    match entity {
        Entity::Sekolah => "sekolah",
        Entity::PesertaDidik => "peserta didik",
        Entity::Gtk => "GTK",
        Entity::RombonganBelajar => "rombongan belajar",
    }
}

fn is_incomplete(decoded: &DecodeSummary) -> bool {
    decoded.empty_reported || decoded.results.is_some_and(|r| r > decoded.rows as u64)
}

/// The text of an id value (normalised or raw): strings trimmed, numbers as their text.
fn id_text(value: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then_some(std::borrow::Cow::Borrowed(s))
        }
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// An id compared case-insensitively: a UUID as its 128 bits, anything else lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum IdKey {
    Uuid(u128),
    Text(String),
}

impl IdKey {
    fn new(text: &str) -> IdKey {
        if let Some(bits) = uuid_bits(text) {
            return IdKey::Uuid(bits);
        }
        IdKey::Text(text.to_lowercase())
    }
}

/// A small, fast hasher for membership pairs (the keys are not attacker-chosen in a way that matters:
/// a pull is bounded by the response size cap).
#[derive(Default, Clone, Copy)]
struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n as u64);
    }
}

/// The two things membership needs from a `getRombonganBelajar` row; every other field is skipped
/// while parsing, without being built.
#[derive(serde::Deserialize)]
struct ClassMembers {
    #[serde(default)]
    rombongan_belajar_id: LenientId,
    #[serde(default)]
    anggota_rombel: MemberIds,
}

/// An id that is a string or a number; anything else (null, object, …) is "no id".
#[derive(Default)]
struct LenientId(Option<IdKey>);

impl<'de> serde::Deserialize<'de> for LenientId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> serde::de::Visitor<'de> for IdVisitor {
            type Value = LenientId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LenientId, E> {
                let v = v.trim();
                Ok(LenientId((!v.is_empty()).then(|| IdKey::new(v))))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LenientId, E> {
                Ok(LenientId(Some(IdKey::new(&v.to_string()))))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<LenientId, E> {
                Ok(LenientId(Some(IdKey::new(&v.to_string()))))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<LenientId, E> {
                Ok(LenientId(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<LenientId, E> {
                Ok(LenientId(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<LenientId, E> {
                Ok(LenientId(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<LenientId, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(LenientId(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<LenientId, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LenientId(None))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// The `peserta_didik_id` of each member; a missing or non-array `anggota_rombel` is no members.
#[derive(Default)]
struct MemberIds(Vec<IdKey>);

impl<'de> serde::Deserialize<'de> for MemberIds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Member {
            #[serde(default)]
            peserta_didik_id: LenientId,
        }
        /// A member entry; one that is not an object is skipped.
        struct MaybeMember(Option<IdKey>);
        impl<'de> serde::Deserialize<'de> for MaybeMember {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = MaybeMember;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a member")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<MaybeMember, A::Error> {
                        let member: Member = serde::Deserialize::deserialize(
                            serde::de::value::MapAccessDeserializer::new(map),
                        )?;
                        Ok(MaybeMember(member.peserta_didik_id.0))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<MaybeMember, A::Error> {
                        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                        Ok(MaybeMember(None))
                    }
                    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                    fn visit_unit<E: serde::de::Error>(self) -> Result<MaybeMember, E> {
                        Ok(MaybeMember(None))
                    }
                }
                d.deserialize_any(V)
            }
        }
        struct ListVisitor;
        impl<'de> serde::de::Visitor<'de> for ListVisitor {
            type Value = MemberIds;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of members")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<MemberIds, A::Error> {
                let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(40));
                while let Some(member) = seq.next_element::<MaybeMember>()? {
                    ids.extend(member.0);
                }
                Ok(MemberIds(ids))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<MemberIds, A::Error> {
                // PHP's encoding of a non-sequential array: `{"0": {…}, "3": {…}}`.
                let mut ids = Vec::new();
                while let Some((_, member)) =
                    map.next_entry::<serde::de::IgnoredAny, MaybeMember>()?
                {
                    ids.extend(member.0);
                }
                Ok(MemberIds(ids))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<MemberIds, E> {
                Ok(MemberIds::default())
            }
        }
        d.deserialize_any(ListVisitor)
    }
}

#[derive(Debug, Default)]
struct Membership {
    pairs: HashSet<(IdKey, IdKey), std::hash::BuildHasherDefault<PairHasher>>,
}

/// The sentinel the server writes into `anggota_rombel_id` for a student in no class.
fn is_no_class_sentinel(value: &Value) -> bool {
    const SENTINEL: &[u8] = b"belum masuk";
    matches!(value, Value::String(s)
        if s.trim_start().as_bytes().get(..SENTINEL.len()).is_some_and(|p| p.eq_ignore_ascii_case(SENTINEL)))
}

const STUDENT_CLASS_FIELDS: [&str; 4] = [
    "rombongan_belajar_id",
    "nama_rombel",
    "tingkat_pendidikan_id",
    "anggota_rombel_id",
];

fn correct_student(mut record: Record, membership: &Membership) -> Record {
    if record
        .get("anggota_rombel_id")
        .is_some_and(is_no_class_sentinel)
    {
        record.insert("anggota_rombel_id".into(), Value::Null);
    }
    let student = record.get("peserta_didik_id").and_then(id_text);
    let class = record.get("rombongan_belajar_id").and_then(id_text);
    let member = match (student, class) {
        (Some(student), Some(class)) => membership
            .pairs
            .contains(&(IdKey::new(&student), IdKey::new(&class))),
        _ => false,
    };
    if !member {
        for field in STUDENT_CLASS_FIELDS {
            if let Some(value) = record.get_mut(field) {
                *value = Value::Null;
            }
        }
    }
    record
}

fn correct_class(mut record: Record) -> Record {
    if record.get("ptk_id").is_none_or(Value::is_null) {
        if let Some(value) = record.get_mut("ptk_id_str") {
            *value = Value::Null;
        }
    }
    if record.get("jenis_rombel").and_then(id_text).as_deref() == Some("51") {
        if let Some(value) = record.get_mut("pembelajaran") {
            *value = Value::Array(Vec::new());
        }
    }
    record
}
