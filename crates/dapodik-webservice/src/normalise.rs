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
//! [`normalise_owned`] works in place on a row it owns; [`normalise`] copies. [`NormalisedRow`] applies
//! the same rules while the row is parsed (the fast path of a pull: no raw row is built and walked a
//! second time, and the record's map is built in one go from its sorted fields).

use crate::{Entity, Record};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

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

/// A row normalised while it is parsed: exactly [`normalise_owned`] of the row serde_json would have
/// built (same numbers' text, same last-wins for a repeated key, `password` dropped at any depth).
#[derive(Debug, Clone, PartialEq)]
pub struct NormalisedRow(pub Record);

impl<'de> serde::Deserialize<'de> for NormalisedRow {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor).map(NormalisedRow)
    }
}

/// An object: fields collected, then the map built from them sorted (a repeated key: the last wins,
/// as with one insert per field).
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Record;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::new();
        while let Some(key) = map.next_key::<String>()? {
            if DROPPED_FIELDS.contains(&key.as_str()) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = map.next_value_seed(ValueSeed { key: &key })?;
            record.insert(key, value);
        }
        Ok(record)
    }
}

/// A value under `key` (for array items, the key of the array), normalised as it is parsed.
struct ValueSeed<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(normalise_number_text(self.key, v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(normalise_number_text(self.key, v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json's own text for the number (non-finite numbers cannot come from JSON text).
        Ok(match serde_json::Number::from_f64(v) {
            Some(n) => normalise_number_text(self.key, n.to_string()),
            None => Value::Null,
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(normalised_str(self.key, v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(normalised_str(self.key, &v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(ItemSeed { key: self.key })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        ObjectVisitor.visit_map(map).map(Value::Object)
    }
}

/// An array item: an object is normalised with its own keys, anything else under the array's key.
struct ItemSeed<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueSeed { key: self.key })
    }
}

/// The string rules on a borrowed string: the normalised value.
fn normalised_str(key: &str, s: &str) -> Value {
    let s = s.trim();
    if s.is_empty() || s == "-" {
        return Value::Null;
    }
    if s.as_bytes()[0] == b'0'
        && s.bytes().all(|b| b == b'0')
        && ((s.len() == 1 && is_uuid_field(key)) || is_phone_field(key))
    {
        return Value::Null;
    }
    let mut s = s.to_string();
    if looks_like_uuid(&s) {
        s.make_ascii_lowercase();
    }
    Value::String(s)
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
    uuid_bits(s).is_some()
}

/// The 128 bits of a 36-character hyphenated UUID (any case), or `None` when `s` is not one.
pub fn uuid_bits(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let mut bits: u128 = 0;
    let mut bad = 0u8;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        let v = HEX_VALUE[c as usize];
        bad |= v;
        bits = (bits << 4) | (v & 0x0f) as u128;
    }
    (bad & 0x80 == 0).then_some(bits)
}

/// Hex digit → its value; anything else → 0x80.
static HEX_VALUE: [u8; 256] = {
    let mut table = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        assert!(looks_like_uuid("7E1F0A52-0003-4C3E-9D11-AA0000000003"));
        assert!(!looks_like_uuid("7E1F0A52-0003-4C3E-9D11-AA000000000"));
        assert!(!looks_like_uuid("7E1F0A52x0003-4C3E-9D11-AA0000000003"));
        assert!(!looks_like_uuid("ZE1F0A52-0003-4C3E-9D11-AA0000000003"));
        assert!(!looks_like_uuid(
            "7E1F0A52-0003-4C3E-9D11-AA000000000\u{e9}"
        ));
        assert!(!looks_like_uuid("7e1f0a52-0003-4c3e-9d11-aa00000000g3"));
        assert_eq!(
            uuid_bits("7E1F0A52-0003-4C3E-9D11-AA0000000003"),
            Some(0x7e1f0a52_0003_4c3e_9d11_aa0000000003)
        );
        assert_eq!(
            uuid_bits("7e1f0a52-0003-4c3e-9d11-aa0000000003"),
            uuid_bits("7E1F0A52-0003-4C3E-9D11-AA0000000003")
        );
    }
}
