//! Invented Indonesian names: given names by gender and by naming tradition (Islamic/Arabic,
//! Javanese, Sundanese, Batak, Minang, Bugis, Balinese, eastern Christian, Chinese-Indonesian), family
//! names where the tradition has them (marga, fam, Chinese-Indonesian surnames), and the religion that
//! usually goes with each tradition.

use crate::prng::SplitMix64;

/// A naming tradition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tradisi {
    Islami,
    Jawa,
    Sunda,
    Batak,
    Minang,
    Bugis,
    Bali,
    Timur,
    Tionghoa,
}

/// Weights per tradition (sum 100), a rough mix for a school on Java.
const MIX: [(Tradisi, u32); 9] = [
    (Tradisi::Islami, 30),
    (Tradisi::Jawa, 24),
    (Tradisi::Sunda, 16),
    (Tradisi::Batak, 7),
    (Tradisi::Minang, 5),
    (Tradisi::Bugis, 5),
    (Tradisi::Bali, 4),
    (Tradisi::Timur, 5),
    (Tradisi::Tionghoa, 4),
];

/// Dapodik's `agama_id` and `agama_id_str`.
pub const AGAMA: [(i64, &str); 6] = [
    (1, "Islam"),
    (2, "Kristen"),
    (3, "Katholik"),
    (4, "Hindu"),
    (5, "Budha"),
    (6, "Khonghucu"),
];

const ISLAMI_L: &[&str] = &[
    "Muhammad",
    "Ahmad",
    "Abdul",
    "Fajar",
    "Rizky",
    "Ilham",
    "Hafiz",
    "Fikri",
    "Rafi",
    "Zaky",
    "Naufal",
    "Farhan",
    "Hidayat",
    "Ridwan",
    "Arif",
    "Faisal",
    "Yusuf",
    "Ibrahim",
    "Hasan",
    "Husein",
    "Iqbal",
    "Akbar",
    "Firmansyah",
    "Ramadhan",
    "Syahputra",
    "Alfarizi",
    "Nurhadi",
    "Zulfikar",
    "Habibi",
    "Rahman",
    "Maulana",
    "Fadli",
];
const ISLAMI_P: &[&str] = &[
    "Siti",
    "Nur",
    "Aisyah",
    "Fatimah",
    "Zahra",
    "Nabila",
    "Salsabila",
    "Khairunnisa",
    "Aulia",
    "Azzahra",
    "Syifa",
    "Nadia",
    "Annisa",
    "Rahmawati",
    "Hasanah",
    "Aminah",
    "Zulaikha",
    "Latifah",
    "Mutiara",
    "Husna",
    "Amalia",
    "Alya",
    "Fitri",
    "Nurul",
    "Safitri",
    "Maharani",
    "Kamila",
    "Azizah",
];
const JAWA_L: &[&str] = &[
    "Budi",
    "Agus",
    "Bambang",
    "Joko",
    "Slamet",
    "Sutrisno",
    "Wahyu",
    "Eko",
    "Dwi",
    "Tri",
    "Bayu",
    "Adi",
    "Prasetyo",
    "Nugroho",
    "Santoso",
    "Setiawan",
    "Wibowo",
    "Purnomo",
    "Hartono",
    "Susilo",
    "Aditya",
    "Pratama",
    "Yoga",
    "Dimas",
    "Galih",
    "Danang",
    "Surya",
    "Wisnu",
    "Kurniawan",
    "Saputra",
    "Cahyo",
    "Teguh",
];
const JAWA_P: &[&str] = &[
    "Sri",
    "Dewi",
    "Wulan",
    "Ayu",
    "Endang",
    "Sulastri",
    "Rini",
    "Puji",
    "Lestari",
    "Wahyuni",
    "Kartika",
    "Ratna",
    "Indah",
    "Sekar",
    "Ningsih",
    "Rahayu",
    "Utami",
    "Pertiwi",
    "Anggraini",
    "Puspita",
    "Larasati",
    "Kusuma",
    "Putri",
    "Handayani",
    "Setyowati",
    "Sulistyowati",
    "Dyah",
    "Retno",
];
const SUNDA_L: &[&str] = &[
    "Asep", "Ujang", "Dede", "Cecep", "Dadang", "Yayan", "Ade", "Iwan", "Dedi", "Engkos", "Jajang",
    "Kurnia", "Ridwan", "Gilang", "Rangga", "Dikdik", "Ruhiyat", "Sopian", "Hendra", "Gunawan",
    "Nugraha", "Permana", "Sudrajat", "Mulyana", "Hermawan", "Somantri",
];
const SUNDA_P: &[&str] = &[
    "Euis",
    "Neng",
    "Enok",
    "Iis",
    "Imas",
    "Cucu",
    "Elis",
    "Yuyun",
    "Tati",
    "Nining",
    "Ai",
    "Rina",
    "Lilis",
    "Nenden",
    "Siti",
    "Ratih",
    "Intan",
    "Sari",
    "Kurniasih",
    "Mulyani",
    "Yuliani",
    "Sumiati",
    "Nurhayati",
    "Rosita",
];
const BATAK_L: &[&str] = &[
    "Marihot", "Parulian", "Tigor", "Binsar", "Horas", "Togar", "Sahat", "Martua", "Daniel",
    "Samuel", "Jonathan", "Yosua", "Roy", "Frans", "Andreas", "Hotman", "Bonar", "Gomgom",
];
const BATAK_P: &[&str] = &[
    "Rotua", "Tiurma", "Lamria", "Romauli", "Dameria", "Sondang", "Maria", "Debora", "Ester",
    "Yohana", "Rut", "Lidia", "Melati", "Tiomina", "Rosdiana",
];
const BATAK_MARGA: &[&str] = &[
    "Siregar",
    "Simanjuntak",
    "Nainggolan",
    "Sitompul",
    "Hutapea",
    "Sinaga",
    "Pardede",
    "Manurung",
    "Situmorang",
    "Simatupang",
    "Hutagalung",
    "Nasution",
    "Lubis",
    "Harahap",
    "Tambunan",
    "Panjaitan",
    "Sitorus",
    "Silalahi",
];
const MINANG_L: &[&str] = &[
    "Rizal",
    "Afrizal",
    "Yulisman",
    "Syafri",
    "Erwin",
    "Zulkarnain",
    "Hendri",
    "Fauzan",
    "Arfan",
    "Irwan",
    "Datuak",
    "Yusrizal",
    "Alfian",
    "Rinaldi",
];
const MINANG_P: &[&str] = &[
    "Yusnidar",
    "Desmawati",
    "Rosmaniar",
    "Yulia",
    "Fitria",
    "Elvira",
    "Nelly",
    "Zuraida",
    "Yeni",
    "Rahmi",
    "Silvia",
    "Elfi",
];
const BUGIS_L: &[&str] = &[
    "Andi",
    "Muh.",
    "Baso",
    "Syamsul",
    "Amiruddin",
    "Jamaluddin",
    "Sudirman",
    "Arifin",
    "Muhlis",
    "Rusdi",
    "Takdir",
    "Syahrir",
    "Muhammad",
    "Iqra",
];
const BUGIS_P: &[&str] = &[
    "Andi",
    "Besse",
    "Sitti",
    "Hasnah",
    "Nurhayati",
    "Hasmawati",
    "Rosmini",
    "Irmawati",
    "Sumarni",
    "Jumriani",
    "Nurfadillah",
    "Rahmatia",
];
const BALI_L: &[&str] = &[
    "I Wayan",
    "I Made",
    "I Nyoman",
    "I Ketut",
    "I Putu",
    "I Gede",
    "I Komang",
    "Ida Bagus",
    "I Kadek",
];
const BALI_P: &[&str] = &[
    "Ni Wayan",
    "Ni Made",
    "Ni Nyoman",
    "Ni Ketut",
    "Ni Putu",
    "Ni Luh",
    "Ni Komang",
    "Ida Ayu",
    "Ni Kadek",
];
const BALI_NAMA: &[&str] = &[
    "Suarta",
    "Sudiarta",
    "Wirawan",
    "Arsana",
    "Dharma",
    "Mahendra",
    "Astawa",
    "Sukadana",
    "Ariani",
    "Sri Utami",
    "Puspitasari",
    "Dewi",
    "Sugiartini",
    "Wulandari",
    "Adnyana",
    "Yasa",
    "Suryawan",
    "Kartini",
];
const TIMUR_L: &[&str] = &[
    "Yohanes",
    "Petrus",
    "Paulus",
    "Markus",
    "Yakobus",
    "Fransiskus",
    "Agustinus",
    "Stefanus",
    "Kristian",
    "Natanael",
    "Alfons",
    "Gerson",
    "Jefri",
    "Marthen",
];
const TIMUR_P: &[&str] = &[
    "Maria",
    "Magdalena",
    "Theresia",
    "Yuliana",
    "Agustina",
    "Margaretha",
    "Elisabeth",
    "Veronika",
    "Priskila",
    "Kristina",
    "Febiola",
    "Anastasia",
];
const TIMUR_FAM: &[&str] = &[
    "Wenas",
    "Sondakh",
    "Mandagi",
    "Pangemanan",
    "Lumentut",
    "Rumbiak",
    "Kogoya",
    "Wonda",
    "Pattiasina",
    "Latuheru",
    "Fernandez",
    "Da Costa",
    "Ndun",
    "Manafe",
    "Bria",
];
const TIONGHOA_L: &[&str] = &[
    "Kevin", "Hendra", "Budi", "Steven", "Jonathan", "Felix", "Vincent", "William", "Ricky",
    "Anton", "Sugianto", "Hartono",
];
const TIONGHOA_P: &[&str] = &[
    "Lily", "Melinda", "Jessica", "Cindy", "Angeline", "Stefani", "Monica", "Veronica", "Lanny",
    "Susanti", "Meiliana", "Grace",
];
const TIONGHOA_FAM: &[&str] = &[
    "Wijaya",
    "Santoso",
    "Halim",
    "Tanuwijaya",
    "Gunawan",
    "Hartanto",
    "Susanto",
    "Salim",
    "Kusnadi",
    "Setiadi",
    "Lim",
    "Tan",
    "Liem",
];

impl Tradisi {
    pub fn pick(rng: &mut SplitMix64) -> Tradisi {
        let mut n = rng.below(100) as u32;
        for (t, w) in MIX {
            if n < w {
                return t;
            }
            n -= w;
        }
        Tradisi::Islami
    }

    fn given(self, laki: bool) -> &'static [&'static str] {
        use Tradisi::*;
        match (self, laki) {
            (Islami, true) => ISLAMI_L,
            (Islami, false) => ISLAMI_P,
            (Jawa, true) => JAWA_L,
            (Jawa, false) => JAWA_P,
            (Sunda, true) => SUNDA_L,
            (Sunda, false) => SUNDA_P,
            (Batak, true) => BATAK_L,
            (Batak, false) => BATAK_P,
            (Minang, true) => MINANG_L,
            (Minang, false) => MINANG_P,
            (Bugis, true) => BUGIS_L,
            (Bugis, false) => BUGIS_P,
            (Bali, true) => BALI_L,
            (Bali, false) => BALI_P,
            (Timur, true) => TIMUR_L,
            (Timur, false) => TIMUR_P,
            (Tionghoa, true) => TIONGHOA_L,
            (Tionghoa, false) => TIONGHOA_P,
        }
    }

    /// Family names, for traditions that pass one on.
    fn family(self) -> Option<&'static [&'static str]> {
        match self {
            Tradisi::Batak => Some(BATAK_MARGA),
            Tradisi::Timur => Some(TIMUR_FAM),
            Tradisi::Tionghoa => Some(TIONGHOA_FAM),
            _ => None,
        }
    }

    /// A religion usual for the tradition (index into [`AGAMA`]).
    pub fn agama(self, rng: &mut SplitMix64) -> usize {
        let r = rng.below(100);
        match self {
            Tradisi::Islami | Tradisi::Minang | Tradisi::Bugis | Tradisi::Sunda => 0,
            Tradisi::Jawa => match r {
                0..=91 => 0,
                92..=96 => 1,
                _ => 2,
            },
            Tradisi::Batak => match r {
                0..=64 => 1,
                65..=74 => 2,
                _ => 0,
            },
            Tradisi::Bali => 3,
            Tradisi::Timur => {
                if r < 55 {
                    1
                } else {
                    2
                }
            }
            Tradisi::Tionghoa => match r {
                0..=39 => 4,
                40..=69 => 1,
                70..=89 => 2,
                _ => 5,
            },
        }
    }
}

/// A family's names: the child's, the father's, the mother's (her own birth name).
#[derive(Debug, Clone)]
pub struct NamaKeluarga {
    pub anak: String,
    pub ayah: String,
    pub ibu: String,
}

fn parts(rng: &mut SplitMix64, pool: &[&str], n: usize) -> String {
    let mut out: Vec<&str> = Vec::with_capacity(n);
    while out.len() < n {
        let p = *rng.pick(pool);
        if !out.contains(&p) || out.len() + 1 >= pool.len() {
            out.push(p);
        }
    }
    out.join(" ")
}

/// A person's name in a tradition (1–3 words), with a family name where the tradition has one.
pub fn nama(rng: &mut SplitMix64, tradisi: Tradisi, laki: bool) -> String {
    let given = tradisi.given(laki);
    match tradisi {
        Tradisi::Bali => format!("{} {}", rng.pick(given), rng.pick(BALI_NAMA)),
        _ => {
            if let Some(fam) = tradisi.family() {
                let n = if rng.chance(0.35) { 2 } else { 1 };
                format!("{} {}", parts(rng, given, n), rng.pick(fam))
            } else {
                let n = match rng.below(10) {
                    0..=2 => 1,
                    3..=7 => 2,
                    _ => 3,
                };
                parts(rng, given, n)
            }
        }
    }
}

/// Names for a student and the student's parents. The father carries the family name; the mother
/// keeps her own.
pub fn keluarga(rng: &mut SplitMix64, tradisi: Tradisi, anak_laki: bool) -> NamaKeluarga {
    let given_l = tradisi.given(true);
    let given_p = tradisi.given(false);
    match tradisi.family() {
        Some(fam) => {
            let surname = *rng.pick(fam);
            let n = if rng.chance(0.4) { 2 } else { 1 };
            let anak = format!("{} {}", parts(rng, tradisi.given(anak_laki), n), surname);
            let ayah = format!("{} {}", rng.pick(given_l), surname);
            let ibu = format!("{} {}", rng.pick(given_p), rng.pick(fam));
            NamaKeluarga { anak, ayah, ibu }
        }
        None => {
            let anak = nama(rng, tradisi, anak_laki);
            let ayah = nama(rng, tradisi, true);
            let ibu = nama(rng, tradisi, false);
            NamaKeluarga { anak, ayah, ibu }
        }
    }
}

/// Names of schools a student may come from (`sekolah_asal`), before the regency.
pub const SEKOLAH_ASAL: &[&str] = &[
    "SMP NEGERI",
    "SMP NEGERI",
    "SMP NEGERI",
    "MTS NEGERI",
    "SMP IT",
    "SMP PGRI",
    "MTS SWASTA",
];

/// Village-ish street addresses.
pub const ALAMAT: &[&str] = &[
    "Kp. Sukamaju",
    "Kp. Cibodas",
    "Jl. Merdeka",
    "Jl. Diponegoro",
    "Dusun Krajan",
    "Kp. Babakan",
    "Jl. Kenanga",
    "Perum Griya Asri",
    "Jl. Pahlawan",
    "Kp. Cikaret",
    "Jl. Raya Tengah",
    "Dusun Wetan",
    "Jl. Melati",
    "Kp. Pasir Jaya",
    "Perum Bumi Indah",
    "Jl. Sudirman",
    "Kp. Rawa Bangke",
    "Jl. Veteran",
    "Dusun Kulon",
    "Jl. Anggrek",
];

/// Villages and districts for the school's address.
pub const DESA: &[&str] = &[
    "Cibodas",
    "Sukamaju",
    "Sindangsari",
    "Mekarsari",
    "Tanjungsari",
    "Sukajadi",
    "Karangsari",
    "Margamulya",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_ascii_words() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..2000 {
            let t = Tradisi::pick(&mut rng);
            let laki = rng.chance(0.5);
            let k = keluarga(&mut rng, t, laki);
            for n in [&k.anak, &k.ayah, &k.ibu] {
                assert!(!n.is_empty());
                assert!(
                    n.chars()
                        .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '.'),
                    "{n}"
                );
                assert!(!n.contains("  "));
            }
        }
    }
}
