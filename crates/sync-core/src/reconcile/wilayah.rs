//! Kemendagri region codes (provinces and regencies/cities), from `data/wilayah-kemendagri.csv`
//! (copied from the shared data; columns `kode,kode_induk,nama,tingkat`). Used to check the region
//! prefix of a NIK; an unknown prefix is only ever a finding, never a rejection.

use std::collections::HashSet;
use std::sync::OnceLock;

const CSV: &str = include_str!("../../data/wilayah-kemendagri.csv");

struct Codes {
    provinces: HashSet<&'static str>,
    regencies: HashSet<&'static str>,
}

fn codes() -> &'static Codes {
    static CODES: OnceLock<Codes> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut c = Codes {
            provinces: HashSet::new(),
            regencies: HashSet::new(),
        };
        for line in CSV.lines().skip(1) {
            let code = line.split(',').next().unwrap_or("").trim();
            match code.len() {
                2 => {
                    c.provinces.insert(code);
                }
                4 => {
                    c.regencies.insert(code);
                }
                _ => {}
            }
        }
        c
    })
}

/// A two-digit Kemendagri province code (`32`).
pub fn is_province(code: &str) -> bool {
    codes().provinces.contains(code)
}

/// A four-digit Kemendagri regency/city code (`3201`).
pub fn is_regency(code: &str) -> bool {
    codes().regencies.contains(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes() {
        assert!(is_province("32"));
        assert!(is_regency("3201"));
        assert!(is_regency("9101"));
        assert!(!is_province("99"));
        assert!(!is_regency("3299"));
        assert!(codes().provinces.len() >= 33);
        assert!(codes().regencies.len() >= 490);
    }
}
