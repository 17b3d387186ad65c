//! One raw row → a [`Record`](crate::Record).
//!
//! TODO(H1). Rules (see `../shared/docs/dapodik-webservice.md`, "Field types"):
//! - ids and codes arriving as number or string → string (`10` and `"10"` both become `"10"`), never
//!   through a float (NIK above 2^53 must survive exactly: parse with serde_json's arbitrary precision
//!   or keep the original text);
//! - `""`, `"0"` where it means "no value" in ids/codes/phones, and `"-"` → `null`;
//! - UUID fields (`*_id` holding 36-char UUIDs) → lower-case;
//! - `nik`, `nisn`, `nuptk`, `nip` always strings, leading zeros kept;
//! - `password` (getPengguna) dropped;
//! - nested arrays (`anggota_rombel`, `pembelajaran`, `rwy_*`) normalised element-wise.

use crate::{Entity, Record};

pub fn normalise(entity: Entity, raw: &serde_json::Map<String, serde_json::Value>) -> Record {
    let _ = (entity, raw);
    todo!("H1")
}
