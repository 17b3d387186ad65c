//! The Dapodik Web Service, as a client meets it in the field.
//!
//! - [`Function`] and [`Entity`]: the Web Service functions this product calls and the entities they return.
//! - [`error`]: stable error codes (`dapodik_unreachable`, `key_not_registered`, …), whether each is
//!   retryable, and the Indonesian message that tells the operator what to do.
//! - [`decode`]: turns a raw response (transport status + body bytes) into rows or a precise error,
//!   surviving every quirk in `../shared/docs/dapodik-webservice.md`.
//! - [`normalise`]: one raw row → a [`Record`] in the Web Service's own field names with ids as strings,
//!   placeholders as `null`, UUIDs lower-case, NIK/NISN kept exactly as strings.
//! - [`source`]: where responses come from — the live Web Service over HTTP ([`client`]) or a capture
//!   folder ([`capture`]).
//! - [`doctor`]: checks a connection step by step (reachable, answering, NPSN, semester, key, IP).
//! - [`install_ini`]: finds Dapodik's Web Service port in its `config\install.ini`.
//! - [`masking`]: masks a capture's personal values so it can be shared for support.
//! - [`privacy`]: masking of identifiers and names in logs and error details.
//! - [`pull`]: fetches the four functions for one school, checks the NPSN and corrects stale fields,
//!   producing a [`pull::SchoolPull`] ready to stage.
//!
//! Nothing here knows about SQLite, the queue or Tauri.

pub mod capture;
pub mod client;
pub mod decode;
pub mod doctor;
pub mod error;
pub mod install_ini;
pub mod masking;
pub mod normalise;
pub mod privacy;
pub mod pull;
pub mod source;

pub use error::{ErrorCode, WsError};

/// A normalised record: the Web Service's field names, values normalised (see [`normalise`]).
/// Keys are sorted (serde_json's default map), so serialising a record is deterministic.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// The Web Service functions this product calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    GetSekolah,
    GetPesertaDidik,
    GetGtk,
    GetRombonganBelajar,
}

impl Function {
    /// All functions, in the order a pull calls them (`getSekolah` first: the NPSN check gates the rest).
    pub const ALL: [Function; 4] = [
        Function::GetSekolah,
        Function::GetPesertaDidik,
        Function::GetGtk,
        Function::GetRombonganBelajar,
    ];

    /// The name in the URL path and in capture file names (`getPesertaDidik`).
    pub fn name(self) -> &'static str {
        match self {
            Function::GetSekolah => "getSekolah",
            Function::GetPesertaDidik => "getPesertaDidik",
            Function::GetGtk => "getGtk",
            Function::GetRombonganBelajar => "getRombonganBelajar",
        }
    }

    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn entity(self) -> Entity {
        match self {
            Function::GetSekolah => Entity::Sekolah,
            Function::GetPesertaDidik => Entity::PesertaDidik,
            Function::GetGtk => Entity::Gtk,
            Function::GetRombonganBelajar => Entity::RombonganBelajar,
        }
    }
}

/// The entities staged and reconciled.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Sekolah,
    PesertaDidik,
    Gtk,
    RombonganBelajar,
}

impl Entity {
    pub const ALL: [Entity; 4] = [
        Entity::Sekolah,
        Entity::PesertaDidik,
        Entity::Gtk,
        Entity::RombonganBelajar,
    ];

    /// The stable name used in the database, the CLI and the UI (`peserta_didik`).
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Sekolah => "sekolah",
            Entity::PesertaDidik => "peserta_didik",
            Entity::Gtk => "gtk",
            Entity::RombonganBelajar => "rombongan_belajar",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The field holding the stable Dapodik identity (a UUID).
    pub fn id_field(self) -> &'static str {
        match self {
            Entity::Sekolah => "sekolah_id",
            Entity::PesertaDidik => "peserta_didik_id",
            Entity::Gtk => "ptk_id",
            Entity::RombonganBelajar => "rombongan_belajar_id",
        }
    }

    /// The function that returns this entity.
    pub fn function(self) -> Function {
        match self {
            Entity::Sekolah => Function::GetSekolah,
            Entity::PesertaDidik => Function::GetPesertaDidik,
            Entity::Gtk => Function::GetGtk,
            Entity::RombonganBelajar => Function::GetRombonganBelajar,
        }
    }
}
