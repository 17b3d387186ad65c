//! One pull of a school: call the four functions, decode, normalise, check the NPSN, correct the
//! server's stale fields. The result is what gets staged.
//!
//! TODO(H1). Order: `getSekolah` first; its normalised `npsn` must equal the configured NPSN (else
//! `WrongSchool`, nothing else fetched). Then `getPesertaDidik`, `getGtk`, `getRombonganBelajar`.
//! Stale-field correction (shared doc "Server bugs"): a student's `rombongan_belajar_id`, `nama_rombel`,
//! `tingkat_pendidikan_id`, `anggota_rombel_id` are kept only when the (student, class) pair appears in
//! that class's `anggota_rombel[]`, else set to null; the "Belum masuk…" sentinel → null; a class's
//! `ptk_id_str` kept only with a non-null `ptk_id`; `pembelajaran` emptied for `jenis_rombel` 51.

use crate::source::{ProgressFn, Source};
use crate::{Entity, Function, Record, WsError};

/// Everything one pull brought, normalised and corrected.
#[derive(Debug, Clone, Default)]
pub struct SchoolPull {
    pub npsn: String,
    /// `semester_id` read back from the rows (the server picks it; `None` when no row carries it).
    pub semester_id: Option<String>,
    pub sekolah: Vec<Record>,
    pub peserta_didik: Vec<Record>,
    pub gtk: Vec<Record>,
    pub rombongan_belajar: Vec<Record>,
    /// Entities whose function reported an empty set as an error or was missing: their absence of rows
    /// says nothing about removals.
    pub incomplete: Vec<Entity>,
    /// Human-readable notes for the batch (e.g. "getGtk tidak tersedia di versi Dapodik ini").
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
}

/// Called as each function completes: (function, rows decoded).
pub type RowsFn = dyn Fn(Function, usize) + Send + Sync;

pub async fn pull_school(
    source: &Source,
    npsn: &str,
    bytes_progress: &ProgressFn,
    rows_progress: &RowsFn,
) -> Result<SchoolPull, WsError> {
    let _ = (source, npsn, bytes_progress, rows_progress);
    todo!("H1")
}

/// The pure part of [`pull_school`], for tests and benchmarks: decoded raw bodies in, corrected pull out.
pub fn assemble(npsn: &str, bodies: &[(Function, u16, &[u8])]) -> Result<SchoolPull, WsError> {
    let _ = (npsn, bodies);
    todo!("H1")
}
