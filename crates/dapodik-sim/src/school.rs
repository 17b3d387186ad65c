//! The synthetic school: [`SimSchool::generate`] builds an SMK deterministically from a seed
//! (students, staff, classes with members and subjects, a Pramuka extracurricular class, user
//! accounts), with the data-quality warts real schools have; [`SimSchool::next_semester`] changes it
//! the way a semester does, so a second sync has something to reconcile.
//!
//! Everything a client could see is here as plain data with public fields; the bytes the Web
//! Service would send are made by [`crate::body`].

use crate::names::{self, Tradisi};
use crate::prng::SplitMix64;
use crate::reference::*;
use crate::wilayah::{KabupatenKota, Wilayah};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSchoolConfig {
    /// The school's NPSN (8 characters).
    pub npsn: String,
    /// Same seed, same school, byte for byte.
    pub seed: u64,
    /// Number of active students. Classes (~33 students each) and staff (~1 per 17 students) scale with it.
    pub students: usize,
}

impl Default for SimSchoolConfig {
    fn default() -> Self {
        SimSchoolConfig {
            npsn: DEFAULT_NPSN.to_string(),
            seed: 1,
            students: 1200,
        }
    }
}

/// The NPSN of the default simulated school.
pub const DEFAULT_NPSN: &str = "20212345";

/// The anggota_rombel_id the server sends for a student without a class.
pub const BELUM_MASUK_ROMBEL: &str = "Belum masuk ke dalam rombongan belajar";

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tanggal {
    pub tahun: u16,
    pub bulan: u8,
    pub hari: u8,
}

impl Tanggal {
    pub fn new(tahun: u16, bulan: u8, hari: u8) -> Tanggal {
        Tanggal { tahun, bulan, hari }
    }

    // `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
    #[allow(clippy::manual_is_multiple_of)]
    pub fn days_in_month(tahun: u16, bulan: u8) -> u8 {
        match bulan {
            2 if (tahun % 4 == 0 && tahun % 100 != 0) || tahun % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn random_in_year(rng: &mut SplitMix64, tahun: u16) -> Tanggal {
        let bulan = rng.range(1, 12) as u8;
        let hari = rng.range(1, u32::from(Tanggal::days_in_month(tahun, bulan))) as u8;
        Tanggal { tahun, bulan, hari }
    }
}

impl fmt::Display for Tanggal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.tahun, self.bulan, self.hari)
    }
}

/// The school profile (`getSekolah`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sekolah {
    pub sekolah_id: String,
    pub nama: String,
    pub nss: String,
    pub npsn: String,
    pub alamat_jalan: String,
    pub rt: String,
    pub rw: String,
    pub kode_wilayah: String,
    pub kode_pos: String,
    pub nomor_telepon: String,
    pub email: String,
    pub lintang: String,
    pub bujur: String,
    pub dusun: String,
    pub desa_kelurahan: String,
    pub kecamatan: String,
    /// `Kab. Bogor`
    pub kabupaten_kota: String,
    /// `Prov. Jawa Barat`
    pub provinsi: String,
    /// Kemendagri code (4 digits) of the regency the school is in; most students' NIKs start with it.
    pub kode_kabupaten_kota: String,
}

/// Membership of a regular class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keanggotaan {
    /// Index into [`SimSchool::rombongan_belajar`].
    pub rombel: usize,
    pub anggota_rombel_id: String,
}

/// An active student (`getPesertaDidik`).
#[derive(Debug, Clone, PartialEq)]
pub struct PesertaDidik {
    pub registrasi_id: String,
    pub peserta_didik_id: String,
    /// "1" Siswa baru, "2" Pindahan.
    pub jenis_pendaftaran_id: &'static str,
    pub nipd: String,
    pub tanggal_masuk_sekolah: Tanggal,
    pub sekolah_asal: String,
    pub nama: String,
    /// 10 digits, leading zeros kept.
    pub nisn: String,
    /// 'L' or 'P'.
    pub jenis_kelamin: char,
    /// Usually `PPRRSSDDMMYYXXXX`; a few are placeholders (`0`, zeros, a zero run, too short).
    pub nik: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: Tanggal,
    /// Index into [`crate::names::AGAMA`].
    pub agama: usize,
    pub alamat_jalan: String,
    pub nomor_telepon_seluler: Option<String>,
    pub nama_ayah: String,
    /// Index into [`PEKERJAAN`].
    pub pekerjaan_ayah: usize,
    pub nama_ibu: String,
    pub pekerjaan_ibu: usize,
    pub nama_wali: Option<String>,
    pub pekerjaan_wali: Option<usize>,
    pub tinggi_badan: u16,
    pub berat_badan: u16,
    pub email: Option<String>,
    /// The regular class, or `None` ("Belum masuk ke dalam rombongan belajar").
    pub rombel: Option<Keanggotaan>,
    /// Membership id in the Pramuka class, if a member.
    pub ekskul_anggota_rombel_id: Option<String>,
    /// The server sends this student's id upper-case in `getPesertaDidik` (a quirk).
    pub id_upper_in_peserta_didik: bool,
    /// The server sends this student's id upper-case in `anggota_rombel[]` (a quirk).
    pub id_upper_in_anggota_rombel: bool,
}

impl PesertaDidik {
    pub fn jenis_pendaftaran_str(&self) -> &'static str {
        if self.jenis_pendaftaran_id == "2" {
            "Pindahan"
        } else {
            "Siswa baru"
        }
    }
}

/// A former member still listed in a class's `anggota_rombel[]` (graduated or moved out): not in
/// `getPesertaDidik`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MantanAnggota {
    pub anggota_rombel_id: String,
    pub peserta_didik_id: String,
    pub jenis_pendaftaran_id: &'static str,
}

/// A subject taught in a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pembelajaran {
    pub pembelajaran_id: String,
    /// Index into [`MAPEL`].
    pub mapel: usize,
    /// Index into [`SimSchool::gtk`].
    pub ptk: usize,
}

/// A regular class (`jenis_rombel` "1").
#[derive(Debug, Clone, PartialEq)]
pub struct RombonganBelajar {
    pub rombongan_belajar_id: String,
    /// `X TKJ 1`
    pub nama: String,
    /// 10, 11 or 12.
    pub tingkat: u8,
    /// Index into [`JURUSAN`].
    pub jurusan: usize,
    pub id_ruang: String,
    pub id_ruang_str: String,
    /// Homeroom teacher, index into [`SimSchool::gtk`]; `None` for a class without one.
    pub wali: Option<usize>,
    pub pembelajaran: Vec<Pembelajaran>,
    pub mantan_anggota: Vec<MantanAnggota>,
}

/// The Pramuka extracurricular class (`jenis_rombel` "51"), sorted after the regular classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Ekskul {
    pub rombongan_belajar_id: String,
    pub nama: String,
    pub id_ruang: String,
    pub id_ruang_str: String,
    pub pembina: usize,
    pub id_kelas_ekskul: String,
    pub id_ekskul: String,
    pub sk_ekskul: String,
}

/// A teacher or staff member (`getGtk`).
#[derive(Debug, Clone, PartialEq)]
pub struct Gtk {
    pub ptk_terdaftar_id: String,
    pub ptk_id: String,
    pub tanggal_surat_tugas: Tanggal,
    pub nama: String,
    pub jenis_kelamin: char,
    pub tempat_lahir: String,
    pub tanggal_lahir: Tanggal,
    pub agama: usize,
    pub nuptk: Option<String>,
    pub nik: String,
    /// Index into [`JENIS_PTK`].
    pub jenis_ptk: usize,
    /// Index into [`STATUS_KEPEGAWAIAN`].
    pub status_kepegawaian: usize,
    /// 18 digits for civil servants, `None` otherwise.
    pub nip: Option<String>,
    pub pendidikan_terakhir: &'static str,
    /// `-` when unknown.
    pub bidang_studi_terakhir: String,
    /// `-` when none.
    pub pangkat_golongan_terakhir: &'static str,
    /// The subject taught (index into [`MAPEL`]), for subject teachers.
    pub mapel: Option<usize>,
}

/// A Dapodik user account (`getPengguna`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pengguna {
    pub pengguna_id: String,
    pub username: String,
    pub nama: String,
    pub peran: (i64, &'static str),
    /// A bcrypt-shaped hash; the real server sends one.
    pub password: String,
    /// Index into [`SimSchool::gtk`].
    pub ptk: Option<usize>,
}

/// What [`SimSchool::next_semester`] changed, for tests and the demo's narration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SemesterChanges {
    pub semester_id: String,
    /// `peserta_didik_id`s of new students (transfers in and late enrolments).
    pub new_students: Vec<String>,
    /// Students moved to another class.
    pub moved_students: Vec<String>,
    /// Students whose name was corrected.
    pub corrected_names: Vec<String>,
    /// Students who left (no longer in `getPesertaDidik`, still in their class's `anggota_rombel[]`).
    pub leavers: Vec<String>,
    /// `ptk_id`s of staff who joined.
    pub new_gtk: Vec<String>,
    /// `ptk_id`s of staff who left.
    pub gtk_leavers: Vec<String>,
}

/// A simulated school.
#[derive(Debug, Clone)]
pub struct SimSchool {
    pub config: SimSchoolConfig,
    /// `YYYYS`: `20251` is 2025/2026 ganjil.
    pub semester_id: String,
    pub sekolah: Sekolah,
    pub peserta_didik: Vec<PesertaDidik>,
    pub gtk: Vec<Gtk>,
    pub rombongan_belajar: Vec<RombonganBelajar>,
    pub ekskul: Ekskul,
    pub pengguna: Vec<Pengguna>,
    /// Whether bodies reproduce the real server's quirks (on by default).
    pub quirks: bool,
    rng: SplitMix64,
    nipd_next: BTreeMap<String, u32>,
    nisn_next: u64,
    nisn_offset: u64,
}

/// The first semester of a generated school.
pub const FIRST_SEMESTER: &str = "20251";

const NIK_PLACEHOLDER_RATE: f64 = 0.004;
const TITLE_RATE: f64 = 0.01;
const UPPER_ID_RATE: f64 = 0.01;
const BELUM_MASUK_RATE: f64 = 0.005;
const STUDENTS_PER_CLASS: usize = 33;

impl SimSchool {
    /// Builds a school. Same config, same school.
    pub fn generate(config: &SimSchoolConfig) -> SimSchool {
        Generator::new(config).run()
    }

    /// Turns bodies' quirks on (default) or off. Off: lower-case UUIDs everywhere, no stale fields
    /// (a student without a class gets `null` class fields, the Pramuka class an empty
    /// `pembelajaran`, a class without a homeroom teacher a `null` `ptk_id_str`), no former members
    /// in `anggota_rombel[]`.
    pub fn set_quirks(&mut self, on: bool) {
        self.quirks = on;
    }

    /// `tahun_ajaran_id`: the first four characters of the semester.
    pub fn tahun_ajaran_id(&self) -> &str {
        &self.semester_id[..4]
    }

    /// Number of staff.
    pub fn gtk_count(&self) -> usize {
        self.gtk.len()
    }

    /// Students of one class (indices into `peserta_didik`).
    pub fn members_of(&self, rombel: usize) -> Vec<usize> {
        self.peserta_didik
            .iter()
            .enumerate()
            .filter(|(_, s)| s.rombel.as_ref().map(|k| k.rombel) == Some(rombel))
            .map(|(i, _)| i)
            .collect()
    }

    /// Advances to the next semester (`20251` → `20252` → `20261` …) and changes the data the way a
    /// semester does: transfers in (`jenis_pendaftaran_id` "2", placed in classes) and one late
    /// enrolment without a class, class moves within a grade (new `anggota_rombel_id`), corrected
    /// names (Verval-style spelling fixes), leavers (gone from `getPesertaDidik`, still listed as
    /// members of their class), one administrative staff member leaving and one teacher joining.
    /// Deterministic: the same school advanced the same number of times gives the same bytes.
    ///
    /// Classes keep their ids across semesters and a new school year does not promote grades: the
    /// point is a realistic second sync, not a model of the school year.
    pub fn next_semester(&mut self) -> SemesterChanges {
        let mut rng = self.rng.clone();
        let mut changes = SemesterChanges::default();
        let (tahun, s): (u16, u8) = (
            self.semester_id[..4].parse().unwrap_or(2025),
            self.semester_id[4..].parse().unwrap_or(1),
        );
        self.semester_id = if s == 1 {
            format!("{tahun}2")
        } else {
            format!("{}1", tahun + 1)
        };
        changes.semester_id = self.semester_id.clone();
        let n = self.peserta_didik.len();

        // Leavers: their membership stays in anggota_rombel[] (the server does not filter by status).
        let leavers = (n / 100).max(2).min(n.saturating_sub(1));
        for _ in 0..leavers {
            let i = rng.below(self.peserta_didik.len() as u64) as usize;
            let s = self.peserta_didik.remove(i);
            if let Some(k) = &s.rombel {
                self.rombongan_belajar[k.rombel]
                    .mantan_anggota
                    .push(MantanAnggota {
                        anggota_rombel_id: k.anggota_rombel_id.clone(),
                        peserta_didik_id: s.peserta_didik_id.clone(),
                        jenis_pendaftaran_id: s.jenis_pendaftaran_id,
                    });
            }
            changes.leavers.push(s.peserta_didik_id);
        }

        // Class moves within the same grade: a new membership record.
        let n = self.peserta_didik.len();
        let moves = (n / 100).max(2).min(n);
        let mut tries = 0;
        while changes.moved_students.len() < moves && tries < moves * 20 {
            tries += 1;
            let i = rng.below(n as u64) as usize;
            let Some(k) = self.peserta_didik[i].rombel.clone() else {
                continue;
            };
            if changes
                .moved_students
                .contains(&self.peserta_didik[i].peserta_didik_id)
            {
                continue;
            }
            let tingkat = self.rombongan_belajar[k.rombel].tingkat;
            let same: Vec<usize> = (0..self.rombongan_belajar.len())
                .filter(|&r| r != k.rombel && self.rombongan_belajar[r].tingkat == tingkat)
                .collect();
            if same.is_empty() {
                continue;
            }
            let to = *rng.pick(&same);
            self.peserta_didik[i].rombel = Some(Keanggotaan {
                rombel: to,
                anggota_rombel_id: rng.uuid(),
            });
            changes
                .moved_students
                .push(self.peserta_didik[i].peserta_didik_id.clone());
        }

        // Corrected names (through VervalPD): a misspelt word replaced.
        let corrections = (n / 200).max(2).min(n);
        let mut tries = 0;
        while changes.corrected_names.len() < corrections && tries < corrections * 20 {
            tries += 1;
            let i = rng.below(n as u64) as usize;
            let s = &mut self.peserta_didik[i];
            if changes.corrected_names.contains(&s.peserta_didik_id) {
                continue;
            }
            let corrected = correct_name(&s.nama);
            if corrected != s.nama {
                s.nama = corrected;
                changes.corrected_names.push(s.peserta_didik_id.clone());
            }
        }

        // Transfers in, and one late enrolment not yet placed in a class.
        let wilayah = Wilayah::get();
        let mut niks: HashSet<String> = self.peserta_didik.iter().map(|s| s.nik.clone()).collect();
        niks.extend(self.gtk.iter().map(|g| g.nik.clone()));
        let newcomers = (n / 50).max(3);
        let masuk = semester_start(&self.semester_id);
        for j in 0..newcomers {
            let rombel = if j + 1 == newcomers || self.rombongan_belajar.is_empty() {
                None
            } else {
                Some(rng.below(self.rombongan_belajar.len() as u64) as usize)
            };
            let tingkat = rombel
                .map(|r| self.rombongan_belajar[r].tingkat)
                .unwrap_or(10);
            let mut student = self.new_student(&mut rng, wilayah, &mut niks, tingkat, masuk, true);
            student.rombel = rombel.map(|r| Keanggotaan {
                rombel: r,
                anggota_rombel_id: rng.uuid(),
            });
            changes.new_students.push(student.peserta_didik_id.clone());
            self.peserta_didik.push(student);
        }

        // Staff: an administrative staff member leaves (their account goes too), a teacher joins.
        if let Some(i) = (1..self.gtk.len())
            .rev()
            .find(|&i| self.gtk[i].mapel.is_none() && self.gtk[i].jenis_ptk != PTK_KEPALA_SEKOLAH)
        {
            let left = self.gtk.remove(i);
            changes.gtk_leavers.push(left.ptk_id);
            self.pengguna.retain(|p| p.ptk != Some(i));
            for p in &mut self.pengguna {
                if let Some(k) = p.ptk {
                    if k > i {
                        p.ptk = Some(k - 1);
                    }
                }
            }
            for r in &mut self.rombongan_belajar {
                if let Some(w) = r.wali {
                    if w > i {
                        r.wali = Some(w - 1);
                    }
                }
                for p in &mut r.pembelajaran {
                    if p.ptk > i {
                        p.ptk -= 1;
                    }
                }
            }
            if self.ekskul.pembina > i {
                self.ekskul.pembina -= 1;
            }
        }
        let mapel = rng.below(MAPEL.len() as u64) as usize;
        let guru = new_gtk(
            &mut rng,
            wilayah,
            &mut niks,
            &self.sekolah,
            PTK_GURU_MAPEL,
            Some(mapel),
            Some(STATUS_GURU_HONOR),
            masuk,
        );
        changes.new_gtk.push(guru.ptk_id.clone());
        self.gtk.push(guru);

        self.rng = rng;
        changes
    }

    fn new_student(
        &mut self,
        rng: &mut SplitMix64,
        wilayah: &Wilayah,
        niks: &mut HashSet<String>,
        tingkat: u8,
        masuk: Tanggal,
        pindahan: bool,
    ) -> PesertaDidik {
        let tahun_masuk = masuk.tahun;
        let prefix = format!("{:02}{:02}", tahun_masuk % 100, (tahun_masuk + 1) % 100);
        let serial = self.nipd_next.entry(prefix.clone()).or_insert(1);
        let nipd = format!("{prefix}{:04}", *serial);
        *serial += 1;
        let nisn_index = self.nisn_next;
        self.nisn_next += 1;
        make_student(
            rng,
            wilayah,
            niks,
            &self.sekolah,
            tingkat,
            masuk,
            pindahan,
            nipd,
            nisn_index,
            self.nisn_offset,
            tahun_masuk_base(&self.semester_id),
        )
    }
}

/// The school year's first year for a semester id (`20252` → 2025).
fn tahun_masuk_base(semester_id: &str) -> u16 {
    semester_id[..4].parse().unwrap_or(2025)
}

/// The first school day of a semester.
fn semester_start(semester_id: &str) -> Tanggal {
    let tahun = tahun_masuk_base(semester_id);
    if semester_id.ends_with('2') {
        Tanggal::new(tahun + 1, 1, 5)
    } else {
        Tanggal::new(tahun, 7, 14)
    }
}

/// A plausible correction of a misspelt name: the first word with a known variant swapped.
fn correct_name(nama: &str) -> String {
    const FIXES: &[(&str, &str)] = &[
        ("Muhammad", "Muhamad"),
        ("Muhamad", "Muhammad"),
        ("Siti", "Sitti"),
        ("Sitti", "Siti"),
        ("Nur", "Nuur"),
        ("Rizky", "Rizki"),
        ("Rizki", "Rizky"),
        ("Fitri", "Fitriy"),
        ("Dewi", "Dewy"),
    ];
    let mut words: Vec<String> = nama.split(' ').map(str::to_string).collect();
    for w in words.iter_mut() {
        if let Some((_, to)) = FIXES.iter().find(|(from, _)| from == w) {
            *w = to.to_string();
            return words.join(" ");
        }
    }
    // No known misspelling: the last word gets a doubled final letter removed or added.
    if let Some(last) = words.last_mut() {
        let chars: Vec<char> = last.chars().collect();
        if chars.len() >= 2 && chars[chars.len() - 1] == chars[chars.len() - 2] {
            last.pop();
        } else if let Some(c) = chars.last() {
            last.push(*c);
        }
    }
    words.join(" ")
}

fn birth_year_for(rng: &mut SplitMix64, tahun_ajaran: u16, tingkat: u8) -> u16 {
    // Grade X in 2025/2026: mostly born in 2009.
    let base = tahun_ajaran - 16 - u16::from(tingkat - 10);
    match rng.below(100) {
        0..=69 => base,
        70..=94 => base + 1,
        _ => base - 1,
    }
}

/// A NIK for someone born in regency `kab`: `PPRRSS DDMMYY XXXX`, unique within `niks`.
fn make_nik(
    rng: &mut SplitMix64,
    niks: &mut HashSet<String>,
    kab: &str,
    lahir: Tanggal,
    perempuan: bool,
) -> String {
    let kecamatan = rng.range(1, 30);
    let hari = u32::from(lahir.hari) + if perempuan { 40 } else { 0 };
    let mut serial = rng.range(1, 9);
    loop {
        let nik = format!(
            "{kab}{kecamatan:02}{hari:02}{:02}{:02}{serial:04}",
            lahir.bulan,
            lahir.tahun % 100
        );
        if niks.insert(nik.clone()) {
            return nik;
        }
        serial += 1;
    }
}

fn pick_birth_regency<'a>(
    rng: &mut SplitMix64,
    wilayah: &'a Wilayah,
    sekolah: &Sekolah,
) -> &'a KabupatenKota {
    let r = rng.below(100);
    let home = wilayah.kabupaten_kota_of(&sekolah.kode_kabupaten_kota);
    match (r, home) {
        (0..=79, Some(h)) => h,
        (80..=89, Some(h)) => {
            let same: Vec<&KabupatenKota> = wilayah.in_provinsi(&h.kode_provinsi).collect();
            same[rng.below(same.len() as u64) as usize]
        }
        _ => rng.pick(&wilayah.kabupaten_kota),
    }
}

fn phone(rng: &mut SplitMix64) -> String {
    format!("08{}{:09}", rng.range(11, 59), rng.below(1_000_000_000))
}

/// NISN: `0` + the birth year's last two digits + 7 digits; the 7 digits come from a bijection of
/// a running index, so NISNs never collide.
fn make_nisn(lahir: u16, index: u64, offset: u64) -> String {
    let serial = (index.wrapping_mul(7_654_321).wrapping_add(offset)) % 10_000_000;
    format!("0{:02}{serial:07}", lahir % 100)
}

#[allow(clippy::too_many_arguments)]
fn make_student(
    rng: &mut SplitMix64,
    wilayah: &Wilayah,
    niks: &mut HashSet<String>,
    sekolah: &Sekolah,
    tingkat: u8,
    masuk: Tanggal,
    pindahan: bool,
    nipd: String,
    nisn_index: u64,
    nisn_offset: u64,
    tahun_ajaran: u16,
) -> PesertaDidik {
    let laki = rng.chance(0.52);
    let tradisi = Tradisi::pick(rng);
    let mut keluarga = names::keluarga(rng, tradisi, laki);
    let agama = tradisi.agama(rng);
    let tahun_lahir = birth_year_for(rng, tahun_ajaran, tingkat);
    let lahir = Tanggal::random_in_year(rng, tahun_lahir);
    let kab = pick_birth_regency(rng, wilayah, sekolah);
    let mut nik = make_nik(rng, niks, &kab.kode, lahir, !laki);
    if rng.chance(NIK_PLACEHOLDER_RATE) {
        nik = nik_placeholder(rng, &nik);
    }
    if agama == 0 && rng.chance(TITLE_RATE) {
        keluarga.ibu = format!("Hj. {}", keluarga.ibu);
    }
    let pekerjaan_ayah = if rng.chance(0.03) {
        PEKERJAAN_MENINGGAL
    } else {
        1 + rng.below(11) as usize
    };
    let pekerjaan_ibu = if rng.chance(0.45) {
        PEKERJAAN_TIDAK_BEKERJA
    } else {
        1 + rng.below(11) as usize
    };
    let (nama_wali, pekerjaan_wali) = if pekerjaan_ayah == PEKERJAAN_MENINGGAL && rng.chance(0.5) {
        (
            Some(names::nama(rng, tradisi, true)),
            Some(1 + rng.below(11) as usize),
        )
    } else {
        (None, None)
    };
    let sekolah_asal = if pindahan {
        format!("SMK NEGERI {} {}", rng.range(1, 12), kab.nama)
    } else {
        format!(
            "{} {} {}",
            rng.pick(names::SEKOLAH_ASAL),
            rng.range(1, 9),
            kab.nama
        )
    };
    let telepon = match rng.below(100) {
        0..=4 => Some("0".to_string()),
        5..=9 => None,
        _ => Some(phone(rng)),
    };
    let tinggi = rng.range(if laki { 152 } else { 145 }, if laki { 182 } else { 168 }) as u16;
    let berat = rng.range(38, 78) as u16;
    let masuk = if pindahan {
        // Transfers arrive during the semester's first weeks.
        let mut t = masuk;
        t.hari = t.hari.saturating_add(rng.range(0, 14) as u8).min(28);
        t
    } else {
        masuk
    };
    PesertaDidik {
        registrasi_id: rng.uuid(),
        peserta_didik_id: rng.uuid(),
        jenis_pendaftaran_id: if pindahan { "2" } else { "1" },
        nipd,
        tanggal_masuk_sekolah: masuk,
        sekolah_asal,
        nama: keluarga.anak,
        nisn: make_nisn(lahir.tahun, nisn_index, nisn_offset),
        jenis_kelamin: if laki { 'L' } else { 'P' },
        nik,
        tempat_lahir: kab.nama_title(),
        tanggal_lahir: lahir,
        agama,
        alamat_jalan: format!(
            "{} RT {:02}/RW {:02}",
            rng.pick(names::ALAMAT),
            rng.range(1, 12),
            rng.range(1, 9)
        ),
        nomor_telepon_seluler: telepon,
        nama_ayah: keluarga.ayah,
        pekerjaan_ayah,
        nama_ibu: keluarga.ibu,
        pekerjaan_ibu,
        nama_wali,
        pekerjaan_wali,
        tinggi_badan: tinggi,
        berat_badan: berat,
        email: None,
        rombel: None,
        ekskul_anggota_rombel_id: None,
        id_upper_in_peserta_didik: rng.chance(UPPER_ID_RATE),
        id_upper_in_anggota_rombel: rng.chance(UPPER_ID_RATE),
    }
}

/// One of the NIK placeholders seen in real data.
fn nik_placeholder(rng: &mut SplitMix64, nik: &str) -> String {
    match rng.below(4) {
        0 => "0".to_string(),
        1 => "0000000000000000".to_string(),
        2 => format!("{}0000000000", &nik[..6]),
        _ => nik[..12].to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn new_gtk(
    rng: &mut SplitMix64,
    wilayah: &Wilayah,
    niks: &mut HashSet<String>,
    sekolah: &Sekolah,
    jenis_ptk: usize,
    mapel: Option<usize>,
    status: Option<usize>,
    surat_tugas: Tanggal,
) -> Gtk {
    let laki = rng.chance(if jenis_ptk == PTK_PENJAGA { 0.95 } else { 0.45 });
    let (tradisi, agama) = loop {
        let tradisi = Tradisi::pick(rng);
        let agama = tradisi.agama(rng);
        // Religion teachers share the religion they teach (the only one offered here is Islam's).
        if mapel != Some(MAPEL_PAI) || agama == 0 {
            break (tradisi, agama);
        }
    };
    let mut nama = names::nama(rng, tradisi, laki);
    let guru = matches!(jenis_ptk, PTK_GURU_MAPEL | PTK_GURU_BK | PTK_KEPALA_SEKOLAH);
    let tahun_lahir = if jenis_ptk == PTK_KEPALA_SEKOLAH {
        rng.range(1968, 1978)
    } else {
        rng.range(1966, 2000)
    } as u16;
    let lahir = Tanggal::random_in_year(rng, tahun_lahir);
    let kab = pick_birth_regency(rng, wilayah, sekolah);
    let nik = make_nik(rng, niks, &kab.kode, lahir, !laki);
    let status = status.unwrap_or_else(|| {
        let r = rng.below(100);
        match (guru, r) {
            (_, _) if jenis_ptk == PTK_KEPALA_SEKOLAH => STATUS_PNS,
            (true, 0..=49) => STATUS_PNS,
            (true, 50..=64) => STATUS_GTY,
            (true, _) => STATUS_GURU_HONOR,
            (false, 0..=24) => STATUS_PNS,
            (false, 25..=39) => STATUS_GTY,
            (false, _) => STATUS_TENAGA_HONOR,
        }
    });
    let pns = status == STATUS_PNS;
    let nip = if pns {
        let tmt_tahun = (lahir.tahun + rng.range(23, 33) as u16).min(2024);
        let bulan = if rng.chance(0.7) { 1 } else { rng.range(2, 12) };
        Some(format!(
            "{:04}{:02}{:02}{tmt_tahun:04}{bulan:02}{}{:03}",
            lahir.tahun,
            lahir.bulan,
            lahir.hari,
            if laki { 1 } else { 2 },
            rng.range(1, 12)
        ))
    } else {
        None
    };
    let pangkat = if pns {
        let masa = 2025u16.saturating_sub(lahir.tahun + 28);
        match masa {
            0..=3 => "III/a",
            4..=7 => "III/b",
            8..=11 => "III/c",
            12..=15 => "III/d",
            16..=20 => "IV/a",
            _ => "IV/b",
        }
    } else {
        "-"
    };
    if lahir.tahun < 1975 && rng.chance(0.08) {
        nama = format!("{} {nama}", if laki { "Drs." } else { "Dra." });
    } else if agama == 0 && rng.chance(0.04) {
        nama = format!("{} {nama}", if laki { "H." } else { "Hj." });
    }
    let nuptk = if guru && rng.chance(if pns { 0.97 } else { 0.6 }) {
        Some(format!(
            "{:04}{:012}",
            rng.range(1000, 9999),
            rng.below(1_000_000_000_000)
        ))
    } else {
        None
    };
    let pendidikan = if guru {
        if rng.chance(0.15) {
            "S2"
        } else {
            "S1"
        }
    } else {
        *rng.pick(&["SMA", "SMK", "D3", "S1"])
    };
    let bidang = match mapel {
        Some(m) if status != STATUS_GTY || rng.chance(0.5) => MAPEL[m].bidang_studi.to_string(),
        Some(_) => "-".to_string(),
        None if jenis_ptk == PTK_GURU_BK => "Bimbingan dan Konseling".to_string(),
        None if jenis_ptk == PTK_KEPALA_SEKOLAH => "Pendidikan Teknik Mesin".to_string(),
        None => "-".to_string(),
    };
    let tugas = if surat_tugas.tahun > 2000 {
        surat_tugas
    } else {
        Tanggal::new(rng.range(2005, 2024) as u16, 1, 2)
    };
    Gtk {
        ptk_terdaftar_id: rng.uuid(),
        ptk_id: rng.uuid(),
        tanggal_surat_tugas: tugas,
        nama,
        jenis_kelamin: if laki { 'L' } else { 'P' },
        tempat_lahir: kab.nama_title(),
        tanggal_lahir: lahir,
        agama,
        nuptk,
        nik,
        jenis_ptk,
        status_kepegawaian: status,
        nip,
        pendidikan_terakhir: pendidikan,
        bidang_studi_terakhir: bidang,
        pangkat_golongan_terakhir: pangkat,
        mapel,
    }
}

fn password_hash(rng: &mut SplitMix64) -> String {
    const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::from("$2y$10$");
    for _ in 0..53 {
        s.push(ALPHABET[rng.below(64) as usize] as char);
    }
    s
}

fn username(nama: &str, k: usize) -> String {
    let words: Vec<String> = nama
        .split(' ')
        .filter(|w| !w.ends_with('.'))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().cloned().unwrap_or_else(|| "ptk".into());
    let last = words.last().cloned().unwrap_or_default();
    format!("{first}.{last}{k}@guru.example.belajar.id")
}

struct Generator<'c> {
    config: &'c SimSchoolConfig,
    rng: SplitMix64,
}

impl<'c> Generator<'c> {
    fn new(config: &'c SimSchoolConfig) -> Self {
        Generator {
            config,
            rng: SplitMix64::derive(config.seed, "dapodik-sim school"),
        }
    }

    fn run(mut self) -> SimSchool {
        let wilayah = Wilayah::get();
        let rng = &mut self.rng;
        let config = self.config;
        let sekolah = make_sekolah(rng, wilayah, &config.npsn);
        let semester_id = FIRST_SEMESTER.to_string();
        let tahun_ajaran = tahun_masuk_base(&semester_id);
        let mut niks = HashSet::with_capacity(config.students + config.students / 16 + 16);

        // Staff: one head, ~78% teachers (a few counsellors), the rest administrative staff.
        let n_staff = ((config.students * 70 + 600) / 1200).max(8);
        let n_bk = (n_staff / 30).max(1);
        let n_guru = (n_staff * 78 / 100).max(MAPEL.len().min(n_staff - 2 - n_bk));
        let mut gtk = Vec::with_capacity(n_staff + 4);
        gtk.push(new_gtk(
            rng,
            wilayah,
            &mut niks,
            &sekolah,
            PTK_KEPALA_SEKOLAH,
            None,
            None,
            Tanggal::new(2000, 1, 1),
        ));
        for i in 0..n_guru {
            // Every subject has at least one teacher; after that, the subjects with more hours get more.
            let mapel = if i < MAPEL.len() {
                i
            } else {
                weighted_mapel(rng)
            };
            gtk.push(new_gtk(
                rng,
                wilayah,
                &mut niks,
                &sekolah,
                PTK_GURU_MAPEL,
                Some(mapel),
                None,
                Tanggal::new(2000, 1, 1),
            ));
        }
        for _ in 0..n_bk {
            gtk.push(new_gtk(
                rng,
                wilayah,
                &mut niks,
                &sekolah,
                PTK_GURU_BK,
                None,
                None,
                Tanggal::new(2000, 1, 1),
            ));
        }
        while gtk.len() < n_staff {
            let jenis = match rng.below(10) {
                0..=5 => PTK_TAS,
                6 => PTK_LABORAN,
                7 => PTK_PUSTAKAWAN,
                _ => PTK_PENJAGA,
            };
            gtk.push(new_gtk(
                rng,
                wilayah,
                &mut niks,
                &sekolah,
                jenis,
                None,
                None,
                Tanggal::new(2000, 1, 1),
            ));
        }
        let guru_per_mapel: Vec<Vec<usize>> = (0..MAPEL.len())
            .map(|m| {
                (0..gtk.len())
                    .filter(|&g| gtk[g].mapel == Some(m))
                    .collect()
            })
            .collect();
        let guru: Vec<usize> = (0..gtk.len()).filter(|&g| gtk[g].mapel.is_some()).collect();

        // Classes: three grades, programmes in turn, ~33 students each.
        let per_tingkat =
            ((config.students + STUDENTS_PER_CLASS * 3 / 2) / (STUDENTS_PER_CLASS * 3)).max(1);
        let mut rombongan_belajar = Vec::with_capacity(per_tingkat * 3);
        let mut ruang = 101;
        for tingkat in [10u8, 11, 12] {
            for k in 0..per_tingkat {
                let jurusan = k % JURUSAN.len();
                let paralel = k / JURUSAN.len() + 1;
                let romawi = match tingkat {
                    10 => "X",
                    11 => "XI",
                    _ => "XII",
                };
                let idx = rombongan_belajar.len();
                let wali = Some(guru[idx % guru.len()]);
                let mut pembelajaran = Vec::new();
                for (m, mapel) in MAPEL.iter().enumerate() {
                    if !mapel.for_tingkat(tingkat) {
                        continue;
                    }
                    let pool = &guru_per_mapel[m];
                    let ptk = if pool.is_empty() {
                        guru[(idx + m) % guru.len()]
                    } else {
                        pool[(idx + m) % pool.len()]
                    };
                    pembelajaran.push(Pembelajaran {
                        pembelajaran_id: rng.uuid(),
                        mapel: m,
                        ptk,
                    });
                }
                rombongan_belajar.push(RombonganBelajar {
                    rombongan_belajar_id: rng.uuid(),
                    nama: format!("{romawi} {} {paralel}", JURUSAN[jurusan].0),
                    tingkat,
                    jurusan,
                    id_ruang: rng.uuid(),
                    id_ruang_str: format!("R. {ruang}"),
                    wali,
                    pembelajaran,
                    mantan_anggota: Vec::new(),
                });
                ruang += 1;
                if ruang % 100 == 41 {
                    ruang += 60;
                }
            }
        }
        let n_rombel = rombongan_belajar.len();
        // One class without a homeroom teacher (never the first, so the stale ptk_id_str shows).
        if n_rombel >= 2 {
            let i = 1 + rng.below(n_rombel as u64 - 1) as usize;
            rombongan_belajar[i].wali = None;
        }
        for (i, r) in rombongan_belajar.iter_mut().enumerate() {
            // Graduated or moved-out students still listed as members.
            if r.tingkat >= 11 && (i % 6 == 0 || rng.chance(0.1)) || i == 0 {
                r.mantan_anggota.push(MantanAnggota {
                    anggota_rombel_id: rng.uuid(),
                    peserta_didik_id: rng.uuid(),
                    jenis_pendaftaran_id: "1",
                });
            }
        }

        // Students, class by class.
        let mut school = SimSchool {
            config: config.clone(),
            semester_id,
            sekolah,
            peserta_didik: Vec::with_capacity(config.students),
            gtk,
            rombongan_belajar,
            ekskul: Ekskul {
                rombongan_belajar_id: String::new(),
                nama: "Pramuka".into(),
                id_ruang: String::new(),
                id_ruang_str: "Lapangan Upacara".into(),
                pembina: 0,
                id_kelas_ekskul: String::new(),
                id_ekskul: String::new(),
                sk_ekskul: String::new(),
            },
            pengguna: Vec::new(),
            quirks: true,
            rng: SplitMix64::derive(config.seed, "dapodik-sim semesters"),
            nipd_next: BTreeMap::new(),
            nisn_next: 0,
            nisn_offset: rng.below(10_000_000),
        };
        for i in 0..config.students {
            let rombel = i * n_rombel / config.students.max(1);
            let tingkat = school.rombongan_belajar[rombel].tingkat;
            let tahun_masuk = tahun_ajaran - u16::from(tingkat - 10);
            let pindahan = rng.chance(0.03);
            let masuk = if pindahan {
                Tanggal::new(tahun_masuk + 1, 1, 6)
            } else {
                Tanggal::new(tahun_masuk, 7, [17u8, 15, 14][usize::from(12 - tingkat)])
            };
            let mut s = school.new_student(rng, wilayah, &mut niks, tingkat, masuk, pindahan);
            if rng.chance(BELUM_MASUK_RATE) && i > 0 {
                s.rombel = None;
            } else {
                s.rombel = Some(Keanggotaan {
                    rombel,
                    anggota_rombel_id: rng.uuid(),
                });
            }
            school.peserta_didik.push(s);
        }

        // Every school shows each wart at least once, so tests and demos always meet them.
        let n = school.peserta_didik.len();
        if n >= 3 {
            if !school.peserta_didik.iter().any(|s| s.rombel.is_none()) {
                school.peserta_didik[n / 2].rombel = None;
            }
            if !school
                .peserta_didik
                .iter()
                .any(|s| s.nik.len() != 16 || s.nik.contains("0000000"))
            {
                let i = n / 3;
                let nik = school.peserta_didik[i].nik.clone();
                school.peserta_didik[i].nik = nik_placeholder(rng, &nik);
            }
            if !school
                .peserta_didik
                .iter()
                .any(|s| s.nama_ibu.starts_with("Hj."))
            {
                let i = n / 4;
                school.peserta_didik[i].nama_ibu =
                    format!("Hj. {}", school.peserta_didik[i].nama_ibu);
            }
            if !school
                .peserta_didik
                .iter()
                .any(|s| s.id_upper_in_peserta_didik)
            {
                school.peserta_didik[n / 5].id_upper_in_peserta_didik = true;
            }
            if !school
                .peserta_didik
                .iter()
                .any(|s| s.id_upper_in_anggota_rombel && s.rombel.is_some())
            {
                if let Some(s) = school.peserta_didik.iter_mut().find(|s| s.rombel.is_some()) {
                    s.id_upper_in_anggota_rombel = true;
                }
            }
        }

        // Pramuka: compulsory for grade X.
        let pembina = guru[rng.below(guru.len() as u64) as usize];
        school.ekskul = Ekskul {
            rombongan_belajar_id: rng.uuid(),
            nama: "Pramuka".into(),
            id_ruang: rng.uuid(),
            id_ruang_str: "Lapangan Upacara".into(),
            pembina,
            id_kelas_ekskul: rng.uuid(),
            id_ekskul: format!("ek{:06}", rng.below(1_000_000)),
            sk_ekskul: format!("421/{:03}/SMK/{}", rng.range(1, 400), tahun_ajaran),
        };
        for i in 0..school.peserta_didik.len() {
            let in_x = school.peserta_didik[i]
                .rombel
                .as_ref()
                .map(|k| school.rombongan_belajar[k.rombel].tingkat == 10);
            if in_x == Some(true) {
                school.peserta_didik[i].ekskul_anggota_rombel_id = Some(rng.uuid());
            }
        }

        // Accounts: the operator (an administrative staff member), the head, every teacher.
        let mut pengguna = Vec::new();
        for (g, p) in school.gtk.iter().enumerate() {
            let peran = match p.jenis_ptk {
                PTK_KEPALA_SEKOLAH => PERAN_KEPALA_SEKOLAH,
                PTK_TAS
                    if !pengguna
                        .iter()
                        .any(|u: &Pengguna| u.peran == PERAN_OPERATOR) =>
                {
                    PERAN_OPERATOR
                }
                PTK_GURU_MAPEL | PTK_GURU_BK => PERAN_PTK,
                _ => continue,
            };
            pengguna.push(Pengguna {
                pengguna_id: rng.uuid(),
                username: username(&p.nama, g),
                nama: p.nama.clone(),
                peran,
                password: password_hash(rng),
                ptk: Some(g),
            });
        }
        school.pengguna = pengguna;
        school
    }
}

fn weighted_mapel(rng: &mut SplitMix64) -> usize {
    let total: u32 = MAPEL.iter().map(|m| u32::from(m.jam)).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for (i, m) in MAPEL.iter().enumerate() {
        if r < u32::from(m.jam) {
            return i;
        }
        r -= u32::from(m.jam);
    }
    0
}

fn make_sekolah(rng: &mut SplitMix64, wilayah: &Wilayah, npsn: &str) -> Sekolah {
    // Schools on Java, Sumatra or Sulawesi: regencies (not cities) of a few populous provinces.
    let provinsi = *rng.pick(&["32", "33", "35", "36", "12", "73", "18", "16"]);
    let kabupaten: Vec<&KabupatenKota> = wilayah
        .in_provinsi(provinsi)
        .filter(|k| !k.is_kota())
        .collect();
    let kab = *rng.pick(&kabupaten);
    let prov = wilayah
        .provinsi_of(provinsi)
        .map(|p| p.nama.clone())
        .unwrap_or_default();
    let nomor = rng.range(1, 12);
    let desa = *rng.pick(names::DESA);
    let kecamatan = *rng.pick(names::DESA);
    let letters = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    Sekolah {
        sekolah_id: rng.uuid(),
        nama: format!("SMK NEGERI {nomor} {}", kab.nama),
        nss: format!(
            "3410{}{}{:02}{:02}",
            &kab.kode[..2],
            &kab.kode[2..],
            rng.range(1, 40),
            nomor
        ),
        npsn: npsn.to_string(),
        alamat_jalan: format!(
            "Jl. {} No. {}",
            rng.pick(&[
                "Raya Pendidikan",
                "Merdeka",
                "Veteran",
                "Pahlawan",
                "Siliwangi"
            ]),
            rng.range(1, 120)
        ),
        rt: rng.range(1, 9).to_string(),
        rw: rng.range(1, 12).to_string(),
        kode_wilayah: format!(
            "{:02}{:02}{:02}{}{}",
            rng.range(1, 30),
            rng.range(1, 30),
            rng.range(1, 40),
            letters[rng.below(letters.len() as u64) as usize] as char,
            letters[rng.below(letters.len() as u64) as usize] as char
        ),
        kode_pos: format!("{}{:03}", rng.range(10, 99), rng.below(1000)),
        nomor_telepon: format!("0{}-{}", rng.range(21, 299), rng.range(500_000, 899_999)),
        email: format!(
            "smkn{nomor}.{}@example.sch.id",
            kab.nama.to_lowercase().replace(' ', "")
        ),
        lintang: format!("-{}.{:04}", rng.range(5, 7), rng.below(10_000)),
        bujur: format!("{}.{:04}", rng.range(105, 112), rng.below(10_000)),
        dusun: desa.to_string(),
        desa_kelurahan: desa.to_string(),
        kecamatan: format!("Kec. {kecamatan}"),
        kabupaten_kota: kab.nama_dapodik(),
        provinsi: format!("Prov. {prov}"),
        kode_kabupaten_kota: kab.kode.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_correction_changes_the_name() {
        assert_eq!(correct_name("Muhammad Rizky"), "Muhamad Rizky");
        assert_eq!(correct_name("Budi Santoso"), "Budi Santosoo");
        assert_eq!(correct_name("Budi Santosoo"), "Budi Santoso");
    }

    #[test]
    fn nisn_never_collides() {
        let mut seen = HashSet::new();
        for i in 0..200_000 {
            assert!(seen.insert(make_nisn(2009, i, 12345)));
        }
    }
}
