//! One raw row → a [`Record`]: the Web Service's own field names, values made uniform
//! so that the same data compare equal whichever Dapodik build sent them.
//!
//! Rules (shared doc, "Field types"), applied to every field, and element-wise inside nested arrays
//! and objects (`anggota_rombel`, `pembelajaran`, `rwy_*`):
//! - **numbers → strings**, in their exact decimal text (`10` and `"10"` both become `"10"`): Dapodik
//!   flips between number and string per column and build, so every number in a record is a string.
//!   Integers never pass through a float (see [`crate::decode`]); a NIK sent as the number
//!   `9171014202080001` becomes exactly `"9171014202080001"`. A `nisn` sent as a number lost its
//!   leading zeros on the way and gets them back (left-padded to 10 digits).
//! - **strings are trimmed** (Unicode whitespace at both ends); inner whitespace is left alone (a tab
//!   inside a name is a data-quality finding for the validator, not something to hide).
//! - **placeholders → `null`**: `""` and `"-"` in every field.
//! - **`"0"` → `null` only where it cannot be a value**: in phone/fax fields (`nomor_telepon*`,
//!   `nomor_fax`, `no_hp`, … — any run of zeros) and in fields that hold UUIDs (`ptk_id`,
//!   `induk_pembelajaran_id`, … see [`UUID_FIELDS`]). Elsewhere `"0"` is kept: for reference codes it
//!   is a real code (`kebutuhan_khusus_id` 0 = "Tidak ada", `pekerjaan_wali_id` 0 comes with its own
//!   `_str`), and for `nik` a `"0"` is a placeholder NIK the validator must be able to *see* and flag,
//!   not a missing value.
//! - **UUIDs lower-case**: any string value shaped like a 36-character hyphenated UUID.
//! - `nik`, `nisn`, `nuptk`, `nip`: always strings, leading zeros kept (strings are never re-parsed).
//! - `password` (getPengguna's hash) is **dropped**, at any depth.
//! - booleans and `null` are kept as they are.
//!
//! [`normalise_owned`] works in place on a row it owns (the fast path of a pull); [`normalise`] copies.

use crate::{Entity, Record};
use serde_json::Value;

/// Fields holding a Dapodik UUID (a reference or an identity), where `"0"` or `0` means "none".
pub const UUID_FIELDS: &[&str] = &[
    "sekolah_id",
    "peserta_didik_id",
    "registrasi_id",
    "anggota_rombel_id",
    "rombongan_belajar_id",
    "ptk_id",
    "ptk_terdaftar_id",
    "pembelajaran_id",
    "induk_pembelajaran_id",
    "id_ruang",
    "id_kelas_ekskul",
    "pengguna_id",
];

/// Fields that are dropped on arrival and never stored or logged.
pub const DROPPED_FIELDS: &[&str] = &["password"];

/// Normalise a borrowed raw row (copies it; see [`normalise_owned`] for the in-place variant).
pub fn normalise(entity: Entity, raw: &serde_json::Map<String, serde_json::Value>) -> Record {
    normalise_owned(entity, raw.clone())
}

/// Normalise a raw row in place and return it as a [`Record`].
pub fn normalise_owned(
    entity: Entity,
    mut raw: serde_json::Map<String, serde_json::Value>,
) -> Record {
    // The rules are the same for every entity today; the parameter keeps the door open for
    // entity-specific ones without changing callers.
    let _ = entity;
    normalise_object(&mut raw);
    raw
}

fn normalise_object(map: &mut serde_json::Map<String, Value>) {
    for dropped in DROPPED_FIELDS {
        map.remove(*dropped);
    }
    for (key, value) in map.iter_mut() {
        normalise_value(key, value);
    }
}

fn normalise_value(key: &str, value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(replacement) = normalise_string(key, s) {
                *value = replacement;
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            *value = normalise_number_text(key, text);
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                match item {
                    Value::Object(m) => normalise_object(m),
                    other => normalise_value(key, other),
                }
            }
        }
        Value::Object(m) => normalise_object(m),
        Value::Bool(_) | Value::Null => {}
    }
}

/// In-place string rules; `Some(v)` when the value must be replaced (by `null`).
fn normalise_string(key: &str, s: &mut String) -> Option<Value> {
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        *s = trimmed.to_string();
    }
    if s.is_empty() || s == "-" {
        return Some(Value::Null);
    }
    // "0" is "none" in UUID fields; any run of zeros is "none" in phone fields.
    if s.as_bytes()[0] == b'0'
        && s.bytes().all(|b| b == b'0')
        && ((s.len() == 1 && is_uuid_field(key)) || is_phone_field(key))
    {
        return Some(Value::Null);
    }
    if looks_like_uuid(s) {
        s.make_ascii_lowercase();
    }
    None
}

fn normalise_number_text(key: &str, text: String) -> Value {
    if text == "0" && (is_uuid_field(key) || is_phone_field(key)) {
        return Value::Null;
    }
    if key == "nisn" && text.len() < 10 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Value::String(format!("{text:0>10}"));
    }
    Value::String(text)
}

fn is_uuid_field(key: &str) -> bool {
    UUID_FIELDS.contains(&key)
}

/// Phone and fax fields, where `"0"` (or any run of zeros) is the "no number" placeholder.
pub fn is_phone_field(key: &str) -> bool {
    key.contains("telepon")
        || key.contains("fax")
        || matches!(key, "hp" | "no_hp" | "nomor_hp" | "handphone")
}

/// A 36-character hyphenated UUID (any case): `8-4-4-4-12` hex digits.
pub fn looks_like_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        assert!(looks_like_uuid("7E1F0A52-0003-4C3E-9D11-AA0000000003"));
        assert!(!looks_like_uuid("7E1F0A52-0003-4C3E-9D11-AA000000000"));
        assert!(!looks_like_uuid("7E1F0A52x0003-4C3E-9D11-AA0000000003"));
        assert!(!looks_like_uuid("ZE1F0A52-0003-4C3E-9D11-AA0000000003"));
    }
}
