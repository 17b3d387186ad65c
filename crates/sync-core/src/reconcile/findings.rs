//! Data-quality findings: the checks Dapodik's own validator makes, mirrored as warnings on staging
//! rows (`[{code, severity, field, message}]`). A finding never blocks a record; only a broken
//! identity does (that is a staging reason, not a finding).
//!
//! Messages are Indonesian and never quote a personal value (no NIK, NISN, name or date in them).
//! [`Checker`] holds the per-pull state (duplicates of NISN, NIK, NIPD, class names, members).

use super::identity::{self, Date, Nik};
use super::wilayah;
use dapodik_webservice::{Entity, Record};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How serious a finding is. None of them blocks a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    /// Dapodik's validator calls it an error (e.g. a duplicate NIPD); still not blocking here.
    Error,
}

/// One data-quality finding on one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub field: String,
    pub message: String,
}

fn finding(code: &str, severity: Severity, field: &str, message: impl Into<String>) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        field: field.to_string(),
        message: message.into(),
    }
}

/// The checks of one pull: per-record rules plus duplicates within the pull (per entity).
#[derive(Debug)]
pub struct Checker {
    today: Date,
    nisn: HashSet<u64>,
    nik: HashSet<u64>,
    nipd: HashSet<String>,
    nuptk: HashSet<u64>,
    class_names: HashSet<(String, String)>,
}

impl Checker {
    /// `today` is the reference for ages (the staging time).
    pub fn new(today: Date) -> Checker {
        Checker {
            today,
            nisn: HashSet::new(),
            nik: HashSet::new(),
            nipd: HashSet::new(),
            nuptk: HashSet::new(),
            class_names: HashSet::new(),
        }
    }

    /// Every finding of one record, in a stable order. Call in pull order: the duplicate checks flag
    /// the later records.
    pub fn check(&mut self, entity: Entity, record: &Record) -> Vec<Finding> {
        let mut out = Vec::new();
        match entity {
            Entity::PesertaDidik => self.student(record, &mut out),
            Entity::Gtk => self.staff(record, &mut out),
            Entity::RombonganBelajar => self.class(record, &mut out),
            Entity::Sekolah => {}
        }
        out
    }

    fn student(&mut self, r: &Record, out: &mut Vec<Finding>) {
        name_rules(r, "nama", true, out);
        name_rules(r, "nama_ibu", true, out);
        if let Some(ibu) = identity::text(r, "nama_ibu") {
            if ibu.chars().filter(|c| c.is_alphabetic()).count() == 1 {
                out.push(finding(
                    "nama_ibu_satu_huruf",
                    Severity::Warning,
                    "nama_ibu",
                    "Nama ibu kandung hanya satu huruf; isi nama lengkap sesuai akta/KK.",
                ));
            }
        }
        match identity::text(r, "nisn") {
            None => out.push(finding(
                "nisn_kosong",
                Severity::Info,
                "nisn",
                "NISN kosong (peserta didik belum memiliki NISN).",
            )),
            Some(s) => match identity::nisn(Some(s)) {
                None => out.push(finding(
                    "nisn_format",
                    Severity::Warning,
                    "nisn",
                    "NISN harus 10 angka (nol di depan tetap ditulis).",
                )),
                Some(k) => {
                    if !self.nisn.insert(k) {
                        out.push(finding(
                            "nisn_ganda",
                            Severity::Warning,
                            "nisn",
                            "NISN yang sama dipakai peserta didik lain dalam tarikan ini.",
                        ));
                    }
                }
            },
        }
        self.nik_rules(r, out);
        if let Some(nipd) = identity::nipd(identity::text(r, "nipd")) {
            if nipd.chars().count() > 18 {
                out.push(finding(
                    "nipd_format",
                    Severity::Warning,
                    "nipd",
                    "NIPD lebih dari 18 karakter.",
                ));
            }
            if !self.nipd.insert(nipd) {
                out.push(finding(
                    "nipd_ganda",
                    Severity::Error,
                    "nipd",
                    "NIPD yang sama dipakai peserta didik lain di sekolah ini.",
                ));
            }
        }
        if let Some(lahir) = birth_date(r, out) {
            let age_months = lahir.months_until(self.today);
            if age_months > 21 * 12 {
                out.push(finding(
                    "usia_tidak_wajar",
                    Severity::Warning,
                    "tanggal_lahir",
                    "Peserta didik berusia lebih dari 21 tahun; periksa tanggal lahir.",
                ));
            }
            let tingkat =
                identity::text(r, "tingkat_pendidikan_id").and_then(|t| t.parse::<u8>().ok());
            let masuk = identity::text(r, "tanggal_masuk_sekolah").and_then(Date::parse);
            if let (Some(1..=6), Some(masuk)) = (tingkat, masuk) {
                if lahir.months_until(masuk) < 66 {
                    out.push(finding(
                        "usia_masuk_sd",
                        Severity::Warning,
                        "tanggal_lahir",
                        "Usia saat masuk SD kurang dari 5,5 tahun; periksa tanggal lahir atau tanggal masuk.",
                    ));
                }
            }
        }
    }

    fn staff(&mut self, r: &Record, out: &mut Vec<Finding>) {
        name_rules(r, "nama", false, out);
        if r.contains_key("nama_ibu_kandung") {
            name_rules(r, "nama_ibu_kandung", true, out);
        }
        self.nik_rules(r, out);
        let pns = identity::is_pns(r);
        match identity::text(r, "nuptk") {
            None if pns => out.push(finding(
                "nuptk_kosong",
                Severity::Warning,
                "nuptk",
                "PNS belum memiliki NUPTK.",
            )),
            None => {}
            Some(s) => match identity::nuptk(Some(s)) {
                None => out.push(finding(
                    "nuptk_format",
                    Severity::Warning,
                    "nuptk",
                    "NUPTK harus 16 angka.",
                )),
                Some(k) => {
                    if !self.nuptk.insert(k) {
                        out.push(finding(
                            "nuptk_ganda",
                            Severity::Warning,
                            "nuptk",
                            "NUPTK yang sama dipakai GTK lain dalam tarikan ini.",
                        ));
                    }
                }
            },
        }
        let lahir = birth_date(r, out);
        match (identity::text(r, "nip"), pns) {
            (Some(_), false) => out.push(finding(
                "nip_bukan_pns",
                Severity::Warning,
                "nip",
                "NIP hanya untuk PNS; kosongkan NIP untuk status kepegawaian ini.",
            )),
            (None, true) => out.push(finding(
                "nip_kosong",
                Severity::Warning,
                "nip",
                "PNS tanpa NIP.",
            )),
            (Some(nip), true) => match identity::nip_birth(nip) {
                None => out.push(finding(
                    "nip_format",
                    Severity::Warning,
                    "nip",
                    "NIP harus 18 angka (tanggal lahir, TMT, jenis kelamin 1/2, nomor urut).",
                )),
                Some((nip_lahir, nip_female)) => {
                    if lahir.is_some_and(|d| d != nip_lahir) {
                        out.push(finding(
                            "nip_tanggal_lahir",
                            Severity::Warning,
                            "nip",
                            "Tanggal lahir di dalam NIP tidak sama dengan tanggal lahir.",
                        ));
                    }
                    if identity::female(r).is_some_and(|f| f != nip_female) {
                        out.push(finding(
                            "nip_jenis_kelamin",
                            Severity::Warning,
                            "nip",
                            "Kode jenis kelamin di dalam NIP tidak sesuai jenis kelamin.",
                        ));
                    }
                }
            },
            (None, false) => {}
        }
        if let Some(lahir) = lahir {
            let years = lahir.months_until(self.today) / 12;
            if !(15..=70).contains(&years) {
                out.push(finding(
                    "usia_tidak_wajar",
                    Severity::Warning,
                    "tanggal_lahir",
                    "Usia GTK di bawah 15 atau di atas 70 tahun; periksa tanggal lahir.",
                ));
            }
        }
    }

    fn class(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if let Some(nama) = identity::text(r, "nama") {
            let semester = identity::text(r, "semester_id").unwrap_or("").to_string();
            if !self.class_names.insert((semester, nama.to_lowercase())) {
                out.push(finding(
                    "rombel_nama_ganda",
                    Severity::Warning,
                    "nama",
                    "Nama rombongan belajar yang sama sudah ada pada semester ini.",
                ));
            }
        }
        if let Some(serde_json::Value::Array(members)) = r.get("anggota_rombel") {
            let mut seen = HashSet::with_capacity(members.len());
            let twice = members.iter().any(|m| {
                m.get("peserta_didik_id")
                    .and_then(|v| v.as_str())
                    .is_some_and(|id| !seen.insert(id.to_ascii_lowercase()))
            });
            if twice {
                out.push(finding(
                    "anggota_ganda",
                    Severity::Warning,
                    "anggota_rombel",
                    "Peserta didik yang sama tercatat dua kali di rombongan belajar ini.",
                ));
            }
        }
    }

    fn nik_rules(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let raw = identity::text(r, "nik");
        match identity::nik(raw) {
            Nik::Missing => out.push(finding(
                "nik_kosong",
                Severity::Warning,
                "nik",
                "NIK kosong.",
            )),
            Nik::Placeholder => out.push(finding(
                "nik_placeholder",
                Severity::Warning,
                "nik",
                "NIK berisi angka pengganti (0, deretan nol, atau kurang dari 16 angka); tidak dipakai untuk pencocokan.",
            )),
            Nik::Malformed => out.push(finding(
                "nik_format",
                Severity::Warning,
                "nik",
                "NIK harus 16 angka.",
            )),
            Nik::Valid(k) => {
                let nik = raw.unwrap_or_default();
                if !self.nik.insert(k) {
                    out.push(finding(
                        "nik_ganda",
                        Severity::Warning,
                        "nik",
                        "NIK yang sama dipakai data lain dalam tarikan ini.",
                    ));
                }
                if let Some((prov, kab)) = identity::nik_region(nik) {
                    if !wilayah::is_province(prov) {
                        out.push(finding(
                            "nik_wilayah",
                            Severity::Warning,
                            "nik",
                            "Kode provinsi di NIK tidak ada dalam daftar wilayah Kemendagri.",
                        ));
                    } else if !wilayah::is_regency(kab) {
                        out.push(finding(
                            "nik_wilayah",
                            Severity::Warning,
                            "nik",
                            "Kode kabupaten/kota di NIK tidak ada dalam daftar wilayah Kemendagri.",
                        ));
                    }
                }
                match identity::nik_birth(nik) {
                    None => out.push(finding(
                        "nik_tanggal_lahir",
                        Severity::Warning,
                        "nik",
                        "Bagian tanggal lahir di NIK bukan tanggal yang sah.",
                    )),
                    Some(b) => {
                        let lahir = identity::text(r, "tanggal_lahir").and_then(Date::parse);
                        if let Some(d) = lahir {
                            // The century is ambiguous: only the two-digit year is compared.
                            if d.day != b.day
                                || d.month != b.month
                                || (d.year.rem_euclid(100)) as u8 != b.yy
                            {
                                out.push(finding(
                                    "nik_tanggal_lahir",
                                    Severity::Warning,
                                    "nik",
                                    "Tanggal lahir di dalam NIK tidak sama dengan tanggal lahir.",
                                ));
                            }
                        }
                        if identity::female(r).is_some_and(|f| f != b.female) {
                            out.push(finding(
                                "nik_jenis_kelamin",
                                Severity::Warning,
                                "nik",
                                "NIK tidak sesuai jenis kelamin (tanggal lahir perempuan di NIK ditambah 40).",
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// `tanggal_lahir` as a date; a present but invalid one is a finding.
fn birth_date(r: &Record, out: &mut Vec<Finding>) -> Option<Date> {
    let raw = identity::text(r, "tanggal_lahir")?;
    let d = Date::parse(raw);
    if d.is_none() {
        out.push(finding(
            "tanggal_lahir_format",
            Severity::Warning,
            "tanggal_lahir",
            "Tanggal lahir bukan tanggal yang sah (format TTTT-BB-HH).",
        ));
    }
    d
}

/// Names: tabs/newlines, titles; for students' and mothers' names (`strict`) characters outside
/// `[A-Za-z ',.-]`.
fn name_rules(r: &Record, field: &str, strict: bool, out: &mut Vec<Finding>) {
    let Some(value) = r.get(field).and_then(|v| v.as_str()) else {
        return;
    };
    if value.trim().is_empty() {
        return;
    }
    if value.contains(['\t', '\n', '\r']) {
        out.push(finding(
            "nama_tab",
            Severity::Warning,
            field,
            "Nama berisi tab atau baris baru.",
        ));
    } else if strict
        && !value
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '\'' | ',' | '.' | '-'))
    {
        out.push(finding(
            "nama_karakter",
            Severity::Warning,
            field,
            "Nama berisi karakter selain huruf, spasi, petik, koma, titik atau tanda hubung.",
        ));
    }
    if has_title(value) {
        out.push(finding(
            "nama_gelar",
            Severity::Warning,
            field,
            "Nama memuat gelar atau sebutan (mis. Dr., Drs., S.Pd, H., Hj., Alm.); tulis nama tanpa gelar.",
        ));
    }
}

/// Academic or social titles written into a name.
pub fn has_title(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "dr.",
        "drs.",
        "dra.",
        "h.",
        "hj.",
        "alm.",
        "almh.",
        "almarhum",
        "almarhumah",
        "ir.",
        "prof.",
        "kh.",
    ];
    name.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .any(|token| {
            let t = token.to_ascii_lowercase();
            if PREFIXES.contains(&t.as_str()) {
                return true;
            }
            // Degrees: S.Pd, S.Pd.I, M.Pd, S.Kom, A.Md, S.E., S.H.
            let parts: Vec<&str> = t.trim_end_matches('.').split('.').collect();
            const DEGREES: &[&str] = &[
                "pd", "kom", "e", "h", "ag", "sos", "t", "si", "ip", "md", "kes", "kep", "ked",
                "psi", "hum", "ak", "i", "sy", "hi", "pdi", "th", "ars", "ikom", "mat", "tr", "sn",
                "ds", "farm", "gz", "ked", "kh",
            ];
            parts.len() >= 2
                && matches!(parts[0], "s" | "m" | "a" | "d")
                && parts[1..].iter().all(|p| DEGREES.contains(p))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: serde_json::Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn student(extra: serde_json::Value) -> Record {
        let mut r = rec(json!({
            "peserta_didik_id": "11111111-1111-4111-8111-111111111111",
            "nama": "Putri Ayu Lestari",
            "nisn": "0091234567",
            "nik": "3201014205090001",
            "jenis_kelamin": "P",
            "tanggal_lahir": "2009-05-02",
            "nama_ibu": "Siti Aminah",
            "nipd": "2425.10.001",
        }));
        for (k, v) in extra.as_object().unwrap() {
            r.insert(k.clone(), v.clone());
        }
        r
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    const TODAY: Date = Date {
        year: 2026,
        month: 12,
        day: 3,
    };

    #[test]
    fn a_clean_student_has_no_findings() {
        assert!(Checker::new(TODAY)
            .check(Entity::PesertaDidik, &student(json!({})))
            .is_empty());
    }

    #[test]
    fn student_rules_table() {
        let cases: Vec<(serde_json::Value, &[&str])> = vec![
            (json!({"nisn": null}), &["nisn_kosong"]),
            (json!({"nisn": "91234567"}), &["nisn_format"]),
            (json!({"nik": "0"}), &["nik_placeholder"]),
            (json!({"nik": "0000000000000000"}), &["nik_placeholder"]),
            (json!({"nik": "3201010000000001"}), &["nik_placeholder"]),
            (json!({"nik": "320101420509"}), &["nik_placeholder"]),
            (json!({"nik": "32010142O5090001"}), &["nik_format"]),
            (json!({"nik": null}), &["nik_kosong"]),
            // +40 rule: day 02 written for a woman.
            (json!({"nik": "3201010205090001"}), &["nik_jenis_kelamin"]),
            (json!({"jenis_kelamin": "L"}), &["nik_jenis_kelamin"]),
            (
                json!({"tanggal_lahir": "2009-05-03"}),
                &["nik_tanggal_lahir"],
            ),
            // Another century, same two digits: not a finding (ambiguous century).
            (
                json!({"tanggal_lahir": "1909-05-02"}),
                &["usia_tidak_wajar"],
            ),
            (
                json!({"tanggal_lahir": "2009-13-02"}),
                &["tanggal_lahir_format"],
            ),
            // Unknown province 99 / regency 3299.
            (json!({"nik": "9901014205090001"}), &["nik_wilayah"]),
            (json!({"nik": "3299014205090001"}), &["nik_wilayah"]),
            (json!({"nama": "Putri\tAyu"}), &["nama_tab"]),
            (json!({"nama": "Putri Ayu 2"}), &["nama_karakter"]),
            (json!({"nama": "Hj. Siti"}), &["nama_gelar"]),
            (json!({"nama_ibu": "Dra. Siti Aminah"}), &["nama_gelar"]),
            (json!({"nama_ibu": "Siti Aminah, S.Pd"}), &["nama_gelar"]),
            (json!({"nama_ibu": "S"}), &["nama_ibu_satu_huruf"]),
            (
                json!({"tingkat_pendidikan_id": "1", "tanggal_masuk_sekolah": "2014-07-14"}),
                &["usia_masuk_sd"],
            ),
            (
                json!({"tingkat_pendidikan_id": "1", "tanggal_masuk_sekolah": "2015-07-14"}),
                &[],
            ),
            (json!({"nama": "O'Neil Al-Farisi"}), &[]),
        ];
        for (extra, expected) in cases {
            let got = Checker::new(TODAY).check(Entity::PesertaDidik, &student(extra.clone()));
            assert_eq!(codes(&got), expected.to_vec(), "{extra}");
        }
    }

    #[test]
    fn duplicates_within_a_pull_flag_the_later_record() {
        let mut c = Checker::new(TODAY);
        assert!(c
            .check(Entity::PesertaDidik, &student(json!({})))
            .is_empty());
        let again = c.check(
            Entity::PesertaDidik,
            &student(json!({"peserta_didik_id": "22222222-2222-4222-8222-222222222222"})),
        );
        assert_eq!(codes(&again), ["nisn_ganda", "nik_ganda", "nipd_ganda"]);
        assert_eq!(again[2].severity, Severity::Error);
        // Placeholders are never duplicates of each other.
        let mut c = Checker::new(TODAY);
        for _ in 0..2 {
            let f = c.check(
                Entity::PesertaDidik,
                &student(json!({"nik": "0", "nisn": null, "nipd": null})),
            );
            assert_eq!(codes(&f), ["nisn_kosong", "nik_placeholder"]);
        }
    }

    #[test]
    fn staff_rules_table() {
        let pns = rec(json!({
            "ptk_id": "c0ffee00-aaaa-4bbb-8ccc-000000000001",
            "nama": "Hendra Gunawan",
            "jenis_kelamin": "L",
            "tanggal_lahir": "1984-06-21",
            "nuptk": "1953762664130142",
            "nik": "3273012106840004",
            "status_kepegawaian_id": "1",
            "status_kepegawaian_id_str": "PNS",
            "nip": "198406212010011007",
        }));
        assert!(Checker::new(TODAY).check(Entity::Gtk, &pns).is_empty());
        let with = |extra: serde_json::Value| {
            let mut r = pns.clone();
            for (k, v) in extra.as_object().unwrap() {
                r.insert(k.clone(), v.clone());
            }
            r
        };
        let cases: Vec<(serde_json::Value, &[&str])> = vec![
            (json!({"nip": null}), &["nip_kosong"]),
            (json!({"nuptk": null}), &["nuptk_kosong"]),
            (json!({"nuptk": "12345"}), &["nuptk_format"]),
            (json!({"nip": "19840621201001"}), &["nip_format"]),
            (json!({"nip": "198406222010011007"}), &["nip_tanggal_lahir"]),
            (json!({"nip": "198406212010012007"}), &["nip_jenis_kelamin"]),
            (
                json!({"status_kepegawaian_id": "4", "status_kepegawaian_id_str": "GTY/PTY"}),
                &["nip_bukan_pns"],
            ),
            (
                json!({"status_kepegawaian_id": "4", "status_kepegawaian_id_str": "GTY/PTY", "nip": null, "nuptk": null}),
                &[],
            ),
            (
                json!({"nama": "Drs. Hendra Gunawan, M.Pd"}),
                &["nama_gelar"],
            ),
            (
                json!({"tanggal_lahir": "1950-06-21", "nik": "3273012106500004", "nip": "195006212010011007"}),
                &["usia_tidak_wajar"],
            ),
        ];
        for (extra, expected) in cases {
            let got = Checker::new(TODAY).check(Entity::Gtk, &with(extra.clone()));
            assert_eq!(codes(&got), expected.to_vec(), "{extra}");
        }
    }

    #[test]
    fn class_rules() {
        let mut c = Checker::new(TODAY);
        let class = |id: &str, members: serde_json::Value| {
            rec(
                json!({"rombongan_belajar_id": id, "nama": "X TKJ 1", "semester_id": "20251", "anggota_rombel": members}),
            )
        };
        assert!(c
            .check(
                Entity::RombonganBelajar,
                &class(
                    "a",
                    json!([{"peserta_didik_id": "x"}, {"peserta_didik_id": "y"}])
                )
            )
            .is_empty());
        let f = c.check(
            Entity::RombonganBelajar,
            &class(
                "b",
                json!([{"peserta_didik_id": "x"}, {"peserta_didik_id": "X"}]),
            ),
        );
        assert_eq!(codes(&f), ["rombel_nama_ganda", "anggota_ganda"]);
    }

    #[test]
    fn messages_never_quote_personal_values() {
        let r =
            student(json!({"nik": "3201010205090001", "nama": "Hj. Siti\tAminah", "nisn": "123"}));
        let mut c = Checker::new(TODAY);
        c.check(Entity::PesertaDidik, &r);
        for f in c.check(Entity::PesertaDidik, &r) {
            for needle in ["3201010205090001", "Siti", "Aminah", "2009-05-02", "123"] {
                assert!(!f.message.contains(needle), "{f:?}");
            }
        }
    }
}
