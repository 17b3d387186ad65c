//! Identifiers of the domain (NIK, NISN, NUPTK, NIP, NIPD) and dates: parsing, placeholder
//! detection and the facts encoded inside them (a NIK's birth date and sex, a NIP's birth date and
//! sex). Pure; see `../shared/docs/dapodik-domain.md`, "Identifiers and their rules".

use dapodik_webservice::Record;
use serde_json::Value;

/// A field as trimmed, non-empty text (`null`, missing and blank are `None`).
pub fn text<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    match record.get(field) {
        Some(Value::String(s)) => Some(s.trim()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// What a NIK field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nik {
    /// 16 digits, no placeholder run: usable as a match key.
    Valid(u64),
    Missing,
    /// `0`, all zeros, a `0000000` run, or fewer than 16 digits.
    Placeholder,
    /// Not digits, or more than 16 of them.
    Malformed,
}

/// Classify a NIK value. A placeholder or malformed NIK never matches anything.
pub fn nik(value: Option<&str>) -> Nik {
    let Some(s) = value else {
        return Nik::Missing;
    };
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Nik::Malformed;
    }
    if s.len() > 16 {
        return Nik::Malformed;
    }
    if s.len() < 16 || s.bytes().all(|b| b == b'0') || s.contains("0000000") {
        return Nik::Placeholder;
    }
    s.parse().map(Nik::Valid).unwrap_or(Nik::Malformed)
}

/// The birth facts inside a 16-digit NIK (`PPRRSSDDMMYYXXXX`): day (with the +40 for women removed),
/// month, two-digit year, and whether the +40 rule says female. `None` when DD/MM are not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NikBirth {
    pub day: u8,
    pub month: u8,
    pub yy: u8,
    pub female: bool,
}

pub fn nik_birth(nik: &str) -> Option<NikBirth> {
    let b = nik.as_bytes();
    if b.len() != 16 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    let (dd, mm, yy) = (two(6), two(8), two(10));
    let (day, female) = if dd > 40 {
        (dd - 40, true)
    } else {
        (dd, false)
    };
    if !(1..=31).contains(&day) || !(1..=12).contains(&mm) {
        return None;
    }
    Some(NikBirth {
        day,
        month: mm,
        yy,
        female,
    })
}

/// The region prefix of a NIK: province (2 digits) and regency/city (4 digits).
pub fn nik_region(nik: &str) -> Option<(&str, &str)> {
    (nik.len() >= 4 && nik.is_char_boundary(4)).then(|| (&nik[..2], &nik[..4]))
}

/// A NISN: exactly 10 digits (leading zeros kept) and not all zeros.
pub fn nisn(value: Option<&str>) -> Option<u64> {
    digits_key(value?, 10)
}

/// A NUPTK: exactly 16 digits and not all zeros.
pub fn nuptk(value: Option<&str>) -> Option<u64> {
    digits_key(value?, 16)
}

fn digits_key(s: &str, len: usize) -> Option<u64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) || s.bytes().all(|b| b == b'0') {
        return None;
    }
    s.parse().ok()
}

/// The NIPD (school's own number) as a match key: trimmed, lower-case; `None` when blank.
pub fn nipd(value: Option<&str>) -> Option<String> {
    value.map(|s| s.to_lowercase())
}

/// The birth date (`YYYYMMDD`) and sex (`1` man, `2` woman) inside an 18-digit NIP.
pub fn nip_birth(nip: &str) -> Option<(Date, bool)> {
    let b = nip.as_bytes();
    if b.len() != 18 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date = Date::parse(&format!("{}-{}-{}", &nip[0..4], &nip[4..6], &nip[6..8]))?;
    let female = match b[14] {
        b'1' => false,
        b'2' => true,
        _ => return None,
    };
    Some((date, female))
}

/// A calendar date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// `YYYY-MM-DD` (a time part after the date is ignored); `None` for anything that is not a date.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let s = s.get(..10)?;
        let b = s.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year: i32 = s[0..4].parse().ok()?;
        let month: u8 = s[5..7].parse().ok()?;
        let day: u8 = s[8..10].parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The UTC date of a unix time in milliseconds.
    pub fn from_unix_ms(ms: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let days = ms.div_euclid(86_400_000);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Whole months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Date) -> i32 {
        let mut m = (later.year - self.year) * 12 + later.month as i32 - self.month as i32;
        if later.day < self.day {
            m -= 1;
        }
        m
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `jenis_kelamin`: `L` → false, `P` → true; anything else `None`.
pub fn female(record: &Record) -> Option<bool> {
    match text(record, "jenis_kelamin")?.to_ascii_uppercase().as_str() {
        "L" => Some(false),
        "P" => Some(true),
        _ => None,
    }
}

/// Whether a staff record is a civil servant (PNS or CPNS): the only ones who hold a NIP.
pub fn is_pns(record: &Record) -> bool {
    if let Some(id) = text(record, "status_kepegawaian_id") {
        if matches!(id, "1" | "2" | "3" | "10") {
            return true;
        }
    }
    text(record, "status_kepegawaian_id_str").is_some_and(|s| {
        let s = s.to_ascii_uppercase();
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "PNS" || w == "CPNS")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_table() {
        let cases: &[(Option<&str>, Nik)] = &[
            (None, Nik::Missing),
            (Some("0"), Nik::Placeholder),
            (Some("0000000000000000"), Nik::Placeholder),
            (Some("3201010000000001"), Nik::Placeholder),
            (Some("320101010190"), Nik::Placeholder),
            (Some("32010101019000012"), Nik::Malformed),
            (Some("3201-10101900001"), Nik::Malformed),
            (Some("3201014205090001"), Nik::Valid(3_201_014_205_090_001)),
            // Above 2^53: exact.
            (Some("9171014205090001"), Nik::Valid(9_171_014_205_090_001)),
        ];
        for (input, expected) in cases {
            assert_eq!(nik(*input), *expected, "{input:?}");
        }
    }

    #[test]
    fn nik_birth_reads_the_plus_40_rule() {
        assert_eq!(
            nik_birth("3201014205090001"),
            Some(NikBirth {
                day: 2,
                month: 5,
                yy: 9,
                female: true
            })
        );
        assert!(!nik_birth("3201011205090001").unwrap().female);
        assert_eq!(nik_birth("3201017205090001"), None); // day 32
        assert_eq!(nik_birth("3201011213090001"), None); // month 13
    }

    #[test]
    fn other_identifiers() {
        assert_eq!(nisn(Some("0071234567")), Some(71_234_567));
        assert_eq!(nisn(Some("71234567")), None);
        assert_eq!(nisn(Some("0000000000")), None);
        assert_eq!(nuptk(Some("1953762664130142")), Some(1_953_762_664_130_142));
        assert_eq!(nuptk(Some("-")), None);
        assert_eq!(nipd(Some("2024.10.001")), Some("2024.10.001".into()));
        let (d, f) = nip_birth("198406212010011007").unwrap();
        assert_eq!((d, f), (Date::new(1984, 6, 21), false));
        assert_eq!(nip_birth("19840621201001"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2009-02-29"), None);
        assert_eq!(Date::parse("2008-02-29"), Some(Date::new(2008, 2, 29)));
        assert_eq!(Date::parse("2008-2-9"), None);
        assert_eq!(Date::from_unix_ms(0), Date::new(1970, 1, 1));
        // 2026-12-03T16:57:13Z
        assert_eq!(
            Date::from_unix_ms(1_796_317_033_000),
            Date::new(2026, 12, 3)
        );
        assert_eq!(
            Date::new(2009, 5, 1).months_until(Date::new(2026, 4, 30)),
            16 * 12 + 11
        );
    }
}
