//! Masking a capture so an operator can send it for support without exposing children's data.
//!
//! Personal values — NIK, NISN, NUPTK, NIP, names (students, parents, guardians, staff, homeroom
//! teachers), phone numbers, e-mails and street addresses — are replaced by consistent fakes: the same
//! value gets the same fake everywhere in the capture (relations survive: a homeroom teacher's
//! `ptk_id_str` still equals that teacher's masked `nama`). Replacement is textual, inside the raw body, so
//! structure, types (a NIK sent as a JSON number stays a number) and quirks (status lines inside the
//! body, PHP text, single-quoted keys) stay exactly as they were.
//!
//! Fakes keep the shape that validation and reconciliation look at: same length and digit-ness;
//! placeholders (`0`, `-`, all zeros, empty) are kept as they are; a NIK keeps its province, regency and
//! birth-date digits (the birth date is not masked) but gets a fake district and serial; a NIP keeps its
//! birth date and sex digit; a NISN keeps its first three digits. Fakes are keyed by a secret salt chosen
//! per capture, so they cannot be reversed by trying every NIK.

use crate::decode::decode_body;
use crate::source::RawResponse;
use crate::Function;
use serde_json::Value;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Fields holding personal values, by the kind of fake they get.
const NAME_FIELDS: &[&str] = &["nama", "nama_ayah", "nama_ibu", "nama_wali", "ptk_id_str"];
const PHONE_FIELDS: &[&str] = &[
    "nomor_telepon_rumah",
    "nomor_telepon_seluler",
    "nomor_hp",
    "no_hp",
];
const ADDRESS_FIELDS: &[&str] = &["alamat_jalan"];

const GIVEN: &[&str] = &[
    "Adi", "Bayu", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko", "Kartika",
    "Lestari", "Made", "Nanda", "Oki", "Putra", "Rahma", "Sari", "Tono", "Umi", "Wahyu", "Yuni",
    "Zaki", "Agus", "Budi", "Ratna",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lubis",
    "Siregar",
    "Hidayat",
    "Kusuma",
    "Nugroho",
    "Pratama",
    "Permana",
    "Setiawan",
    "Rahayu",
    "Utami",
    "Firmansyah",
    "Harahap",
    "Wibowo",
];
const TITLES: &[&str] = &[
    "dr.", "drs.", "dra.", "h.", "hj.", "alm.", "almh.", "ir.", "prof.",
];

/// Replaces personal values with consistent fakes across every response of one capture.
pub struct Masker {
    salt: u64,
    fakes: HashMap<(Kind, String), String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Nik,
    Nisn,
    Digits,
    Nip,
    Name,
    Phone,
    Email,
    Address,
}

impl Masker {
    /// A masker with a fresh random salt.
    pub fn new() -> Masker {
        let mut salt = 0u64;
        for b in std::collections::hash_map::RandomState::new()
            .hash_one(std::time::SystemTime::now())
            .to_le_bytes()
        {
            salt = salt.rotate_left(8) ^ u64::from(b);
        }
        Masker::with_salt(salt ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// A masker with a given salt (tests: deterministic fakes).
    pub fn with_salt(salt: u64) -> Masker {
        Masker {
            salt,
            fakes: HashMap::new(),
        }
    }

    /// Mask every response of a capture; responses that hold no rows (errors) pass unchanged.
    pub fn mask_capture(
        &mut self,
        responses: &[(Function, RawResponse)],
    ) -> Vec<(Function, RawResponse)> {
        // First collect every personal value of every response, so a value seen in one function (a
        // teacher's name in getGtk) gets the same fake where it appears in another (ptk_id_str).
        let mut found: Vec<(Kind, String, bool)> = Vec::new();
        for (f, r) in responses {
            if let Ok((rows, _)) = decode_body(*f, r.http_status, &r.body) {
                for row in &rows {
                    collect(&Value::Object(row.clone()), None, &mut found);
                }
            }
        }
        let real: std::collections::HashSet<String> =
            found.iter().map(|(_, s, _)| s.clone()).collect();
        let mut seen = std::collections::HashSet::new();
        found.retain(|(kind, s, as_number)| seen.insert((*kind, s.clone(), *as_number)));
        let mut replaced = std::collections::HashSet::new();
        let mut replacements: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for (kind, original, as_number) in found {
            let fake = self.fake_avoiding(kind, &original, &real);
            if fake == original {
                continue;
            }
            let (from, to) = if as_number {
                (original.into_bytes(), fake.into_bytes())
            } else {
                (
                    serde_json::to_string(&original)
                        .unwrap_or_default()
                        .into_bytes(),
                    serde_json::to_string(&fake)
                        .unwrap_or_default()
                        .into_bytes(),
                )
            };
            if replaced.insert(from.clone()) {
                replacements.push((from, to));
            }
        }
        responses
            .iter()
            .map(|(f, r)| {
                let body = replace_all(&r.body, &replacements);
                (
                    *f,
                    RawResponse {
                        http_status: r.http_status,
                        body: body.into(),
                    },
                )
            })
            .collect()
    }

    #[cfg(test)]
    fn fake(&mut self, kind: Kind, original: &str) -> String {
        self.fake_avoiding(kind, original, &std::collections::HashSet::new())
    }

    /// A fake for `original` that is none of the real values in `real` (so a fake can never be read as
    /// another person's real name or number). Rehashes until it is not; fakes are remembered.
    fn fake_avoiding(
        &mut self,
        kind: Kind,
        original: &str,
        real: &std::collections::HashSet<String>,
    ) -> String {
        if is_placeholder(original) {
            return original.to_string();
        }
        if let Some(f) = self.fakes.get(&(kind, original.to_string())) {
            return f.clone();
        }
        let mut h = self.hash(kind, original);
        let mut fake = self.derive(kind, original, h);
        for _ in 0..64 {
            if !real.contains(&fake) && fake != original {
                break;
            }
            h = h.rotate_left(13).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d_4c95_7f2d;
            fake = self.derive(kind, original, h);
        }
        self.fakes
            .insert((kind, original.to_string()), fake.clone());
        fake
    }

    fn derive(&self, kind: Kind, original: &str, h: u64) -> String {
        match kind {
            Kind::Nik if original.len() == 16 && all_digits(original) => {
                // PPRR kept, SS faked, DDMMYY kept, XXXX faked.
                format!(
                    "{}{}{}{}",
                    &original[..4],
                    digits(h, 2),
                    &original[6..12],
                    digits(h >> 16, 4)
                )
            }
            Kind::Nip if original.len() == 18 && all_digits(original) => {
                // Birth date kept, appointment faked, sex digit kept, serial faked.
                format!(
                    "{}{}{}{}",
                    &original[..8],
                    digits(h, 6),
                    &original[14..15],
                    digits(h >> 24, 3)
                )
            }
            Kind::Nisn if original.len() >= 4 && all_digits(original) => {
                format!("{}{}", &original[..3], digits(h, original.len() - 3))
            }
            Kind::Nik | Kind::Nip | Kind::Nisn | Kind::Digits => same_shape(original, h),
            Kind::Phone => {
                let keep = if original.starts_with("08") { 2 } else { 0 };
                format!("{}{}", &original[..keep], same_shape(&original[keep..], h))
            }
            Kind::Email => format!("pengguna{:05}@contoh.sch.id", h % 100_000),
            Kind::Address => format!("Jl. Contoh No. {}", h % 200 + 1),
            Kind::Name => fake_name(original, h),
        }
    }

    fn hash(&self, kind: Kind, s: &str) -> u64 {
        // FNV-1a over salt, kind and value, then a SplitMix64 finaliser.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ self.salt;
        for b in [kind as u8].iter().chain(s.as_bytes()) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= h >> 30;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 27;
        h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 31)
    }
}

impl Default for Masker {
    fn default() -> Self {
        Masker::new()
    }
}

fn kind_of(field: &str) -> Option<Kind> {
    match field {
        "nik" | "no_kk" => Some(Kind::Nik),
        "nisn" => Some(Kind::Nisn),
        "nuptk" => Some(Kind::Digits),
        "nip" => Some(Kind::Nip),
        "email" | "username" => Some(Kind::Email),
        f if NAME_FIELDS.contains(&f) => Some(Kind::Name),
        f if PHONE_FIELDS.contains(&f) => Some(Kind::Phone),
        f if ADDRESS_FIELDS.contains(&f) => Some(Kind::Address),
        _ => None,
    }
}

/// Walk a row (and nested arrays) collecting personal values. The school profile's own `nama`, address,
/// phone and e-mail are public and stay: `getSekolah` rows are recognised by `npsn` + `sekolah_id`.
fn collect(v: &Value, field: Option<&str>, out: &mut Vec<(Kind, String, bool)>) {
    match v {
        Value::Object(map) => {
            if map.contains_key("npsn")
                && map.contains_key("sekolah_id")
                && !map.contains_key("peserta_didik_id")
            {
                return;
            }
            for (k, v) in map {
                collect(v, Some(k), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, field, out);
            }
        }
        Value::String(s) => {
            if let Some(kind) = field.and_then(kind_of) {
                out.push((kind, s.clone(), false));
            }
        }
        Value::Number(n) => {
            if let Some(kind) = field.and_then(kind_of) {
                out.push((kind, n.to_string(), true));
            }
        }
        _ => {}
    }
}

fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "-" || t.bytes().all(|b| b == b'0')
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digits(mut h: u64, n: usize) -> String {
    let mut out = String::with_capacity(n);
    for _ in 0..n {
        out.push(char::from(b'0' + (h % 10) as u8));
        h = (h / 10) ^ h.rotate_left(17);
    }
    out
}

/// Digits replaced by digits, letters by letters, everything else kept.
fn same_shape(s: &str, h: u64) -> String {
    let mut x = h;
    s.chars()
        .map(|c| {
            x = x.rotate_left(7).wrapping_mul(0x2545_f491_4f6c_dd1d);
            if c.is_ascii_digit() {
                char::from(b'0' + (x % 10) as u8)
            } else if c.is_ascii_uppercase() {
                char::from(b'A' + (x % 26) as u8)
            } else if c.is_ascii_lowercase() {
                char::from(b'a' + (x % 26) as u8)
            } else {
                c
            }
        })
        .collect()
}

/// A fake name with as many words as the original; titles (`Hj.`, `Dr.`, `S.Pd`…) kept in place so the
/// data-quality findings about titles in names survive masking.
fn fake_name(original: &str, h: u64) -> String {
    let words: Vec<&str> = original.split(' ').collect();
    let mut x = h;
    let mut given_used = false;
    words
        .iter()
        .map(|w| {
            let lw = w.to_lowercase();
            if w.is_empty()
                || TITLES.contains(&lw.as_str())
                || (w.contains('.') && w.len() <= 6)
                || w.ends_with(',')
            {
                return (*w).to_string();
            }
            x = x.rotate_left(11).wrapping_mul(0x2545_f491_4f6c_dd1d);
            let pool = if given_used { FAMILY } else { GIVEN };
            given_used = true;
            pool[(x % pool.len() as u64) as usize].to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One pass over the body: every JSON string token (quotes included) and every bare digit run is
/// looked up whole in the replacement table. Linear in the body's size.
fn replace_all(body: &[u8], replacements: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let table: HashMap<&[u8], &[u8]> = replacements
        .iter()
        .map(|(f, t)| (f.as_slice(), t.as_slice()))
        .collect();
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        let end = if b == b'"' {
            // The end of this JSON string: the next unescaped quote.
            let mut j = i + 1;
            while j < body.len() && body[j] != b'"' {
                j += if body[j] == b'\\' { 2 } else { 1 };
            }
            (j < body.len()).then_some(j + 1)
        } else if b.is_ascii_digit()
            && !(i > 0 && (body[i - 1].is_ascii_digit() || body[i - 1] == b'.'))
        {
            let mut j = i;
            while j < body.len() && body[j].is_ascii_digit() {
                j += 1;
            }
            Some(j)
        } else {
            None
        };
        match end {
            Some(end) => {
                let token = &body[i..end];
                match table.get(token) {
                    Some(to) => out.extend_from_slice(to),
                    None => out.extend_from_slice(token),
                }
                i = end;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_tokens_only() {
        let reps = vec![
            (b"\"Sri\"".to_vec(), b"\"Ani\"".to_vec()),
            (b"123".to_vec(), b"456".to_vec()),
        ];
        let body = br#"{"a":"Sri","b":"Sri Wahyuni","c":123,"d":1234,"e":"x\"Sri\"y"}"#;
        let out = String::from_utf8(replace_all(body, &reps)).unwrap();
        assert_eq!(
            out,
            r#"{"a":"Ani","b":"Sri Wahyuni","c":456,"d":1234,"e":"x\"Sri\"y"}"#
        );
    }

    #[test]
    fn fakes_keep_shape_and_placeholders() {
        let mut m = Masker::with_salt(42);
        let nik = m.fake(Kind::Nik, "3201051403090007");
        assert_eq!(nik.len(), 16);
        assert_eq!(&nik[..4], "3201");
        assert_eq!(&nik[6..12], "140309");
        assert_ne!(nik, "3201051403090007");
        assert_eq!(m.fake(Kind::Nik, "3201051403090007"), nik, "consistent");
        assert_eq!(m.fake(Kind::Nik, "0"), "0");
        assert_eq!(m.fake(Kind::Nik, "0000000000000000"), "0000000000000000");
        let nisn = m.fake(Kind::Nisn, "0091234561");
        assert!(nisn.starts_with("009") && nisn.len() == 10);
        let nip = m.fake(Kind::Nip, "198406212010011007");
        assert_eq!(&nip[..8], "19840621");
        assert_eq!(&nip[14..15], "1");
        let name = m.fake(Kind::Name, "Hj. Siti Aminah");
        assert!(name.starts_with("Hj. "), "{name}");
        assert_eq!(name.split(' ').count(), 3);
        assert_ne!(name, "Hj. Siti Aminah");
        assert_eq!(m.fake(Kind::Phone, "0"), "0");
        let phone = m.fake(Kind::Phone, "081200000001");
        assert!(phone.starts_with("08") && phone.len() == 12);
    }
}
