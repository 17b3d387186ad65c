//! Dapodik reference values the simulator draws from: occupations, staff kinds and employment
//! statuses, SMK programmes (jurusan) and the subjects of Kurikulum Merdeka SMK.

/// `pekerjaan_*_id` (INTEGER) and `_str`.
pub const PEKERJAAN: &[(i64, &str)] = &[
    (1, "Tidak bekerja"),
    (2, "Nelayan"),
    (3, "Petani"),
    (4, "Peternak"),
    (5, "PNS/TNI/Polri"),
    (6, "Karyawan Swasta"),
    (7, "Pedagang Kecil"),
    (8, "Pedagang Besar"),
    (9, "Wiraswasta"),
    (10, "Wirausaha"),
    (11, "Buruh"),
    (12, "Pensiunan"),
    (98, "Sudah Meninggal"),
    (99, "Lainnya"),
];

/// Index into [`PEKERJAAN`] of "Tidak bekerja" and "Sudah Meninggal".
pub const PEKERJAAN_TIDAK_BEKERJA: usize = 0;
pub const PEKERJAAN_MENINGGAL: usize = 12;

/// `jenis_ptk_id` (DECIMAL, sent as a string) and `_str`.
pub const JENIS_PTK: &[(&str, &str)] = &[
    ("3", "Guru Mapel"),
    ("4", "Guru BK"),
    ("11", "Tenaga Administrasi Sekolah"),
    ("20", "Kepala Sekolah"),
    ("30", "Laboran"),
    ("40", "Tenaga Perpustakaan"),
    ("42", "Penjaga Sekolah"),
];
pub const PTK_GURU_MAPEL: usize = 0;
pub const PTK_GURU_BK: usize = 1;
pub const PTK_TAS: usize = 2;
pub const PTK_KEPALA_SEKOLAH: usize = 3;
pub const PTK_LABORAN: usize = 4;
pub const PTK_PUSTAKAWAN: usize = 5;
pub const PTK_PENJAGA: usize = 6;

/// `status_kepegawaian_id` (INTEGER) and `_str`.
pub const STATUS_KEPEGAWAIAN: &[(i64, &str)] = &[
    (1, "PNS"),
    (4, "GTY/PTY"),
    (8, "Guru Honor Sekolah"),
    (9, "Tenaga Honor Sekolah"),
];
pub const STATUS_PNS: usize = 0;
pub const STATUS_GTY: usize = 1;
pub const STATUS_GURU_HONOR: usize = 2;
pub const STATUS_TENAGA_HONOR: usize = 3;

/// SMK programmes: short name used in class names, `jurusan_id`, `jurusan_id_str`.
pub const JURUSAN: &[(&str, &str, &str)] = &[
    ("TKJ", "40100805", "Teknik Komputer dan Jaringan"),
    ("AKL", "60200201", "Akuntansi dan Keuangan Lembaga"),
    (
        "OTKP",
        "60200301",
        "Otomatisasi dan Tata Kelola Perkantoran",
    ),
    ("TBSM", "40100709", "Teknik dan Bisnis Sepeda Motor"),
    ("BDP", "60200401", "Bisnis Daring dan Pemasaran"),
    ("RPL", "40100806", "Rekayasa Perangkat Lunak"),
];

/// A subject of Kurikulum Merdeka SMK.
#[derive(Debug, Clone, Copy)]
pub struct Mapel {
    pub id: i64,
    pub nama_str: &'static str,
    /// `nama_mata_pelajaran`: the school's own, shorter name.
    pub nama: &'static str,
    pub jam: u8,
    /// Grades (10, 11, 12) that have the subject: bit 0 = X, bit 1 = XI, bit 2 = XII.
    pub tingkat: u8,
    /// The field of study a teacher of it has (`bidang_studi_terakhir`).
    pub bidang_studi: &'static str,
}

const X: u8 = 1;
const XI: u8 = 2;
const XII: u8 = 4;

/// Index into [`MAPEL`] of Pendidikan Agama Islam.
pub const MAPEL_PAI: usize = 0;

pub const MAPEL: &[Mapel] = &[
    Mapel {
        id: 800001000,
        nama_str: "Pendidikan Agama Islam dan Budi Pekerti",
        nama: "Pendidikan Agama Islam",
        jam: 3,
        tingkat: X | XI | XII,
        bidang_studi: "Pendidikan Agama Islam",
    },
    Mapel {
        id: 800006000,
        nama_str: "Pendidikan Pancasila",
        nama: "Pendidikan Pancasila",
        jam: 2,
        tingkat: X | XI | XII,
        bidang_studi: "Pendidikan Pancasila dan Kewarganegaraan",
    },
    Mapel {
        id: 800007000,
        nama_str: "Bahasa Indonesia",
        nama: "Bahasa Indonesia",
        jam: 3,
        tingkat: X | XI | XII,
        bidang_studi: "Pendidikan Bahasa dan Sastra Indonesia",
    },
    Mapel {
        id: 800008000,
        nama_str: "Pendidikan Jasmani, Olahraga, dan Kesehatan",
        nama: "PJOK",
        jam: 2,
        tingkat: X | XI,
        bidang_studi: "Pendidikan Jasmani Kesehatan dan Rekreasi",
    },
    Mapel {
        id: 800009000,
        nama_str: "Sejarah",
        nama: "Sejarah",
        jam: 2,
        tingkat: X | XI,
        bidang_studi: "Pendidikan Sejarah",
    },
    Mapel {
        id: 800010000,
        nama_str: "Seni Budaya",
        nama: "Seni Budaya",
        jam: 2,
        tingkat: X,
        bidang_studi: "Pendidikan Seni Rupa",
    },
    Mapel {
        id: 800011000,
        nama_str: "Matematika",
        nama: "Matematika",
        jam: 4,
        tingkat: X | XI | XII,
        bidang_studi: "Pendidikan Matematika",
    },
    Mapel {
        id: 800012000,
        nama_str: "Bahasa Inggris",
        nama: "Bahasa Inggris",
        jam: 3,
        tingkat: X | XI | XII,
        bidang_studi: "Pendidikan Bahasa Inggris",
    },
    Mapel {
        id: 800013000,
        nama_str: "Informatika",
        nama: "Informatika",
        jam: 4,
        tingkat: X,
        bidang_studi: "Pendidikan Teknik Informatika",
    },
    Mapel {
        id: 800014000,
        nama_str: "Projek Ilmu Pengetahuan Alam dan Sosial",
        nama: "Projek IPAS",
        jam: 6,
        tingkat: X,
        bidang_studi: "Pendidikan Fisika",
    },
    Mapel {
        id: 800015000,
        nama_str: "Dasar-dasar Program Keahlian",
        nama: "Dasar-dasar Program Keahlian",
        jam: 12,
        tingkat: X,
        bidang_studi: "Pendidikan Teknik",
    },
    Mapel {
        id: 800016000,
        nama_str: "Konsentrasi Keahlian",
        nama: "Konsentrasi Keahlian",
        jam: 18,
        tingkat: XI | XII,
        bidang_studi: "Pendidikan Teknik",
    },
    Mapel {
        id: 800017000,
        nama_str: "Projek Kreatif dan Kewirausahaan",
        nama: "PKK",
        jam: 5,
        tingkat: XI | XII,
        bidang_studi: "Pendidikan Ekonomi",
    },
    Mapel {
        id: 800018000,
        nama_str: "Praktik Kerja Lapangan",
        nama: "PKL",
        jam: 8,
        tingkat: XII,
        bidang_studi: "Pendidikan Teknik",
    },
    Mapel {
        id: 800019000,
        nama_str: "Muatan Lokal Bahasa Daerah",
        nama: "Bahasa Sunda",
        jam: 2,
        tingkat: X | XI,
        bidang_studi: "Pendidikan Bahasa Daerah",
    },
    Mapel {
        id: 800020000,
        nama_str: "Mata Pelajaran Pilihan",
        nama: "Mapel Pilihan",
        jam: 4,
        tingkat: XI | XII,
        bidang_studi: "Pendidikan Teknik",
    },
];

impl Mapel {
    /// Whether grade `tingkat` (10, 11, 12) has this subject.
    pub fn for_tingkat(&self, tingkat: u8) -> bool {
        let bit = match tingkat {
            10 => X,
            11 => XI,
            _ => XII,
        };
        self.tingkat & bit != 0
    }
}

/// `kurikulum_id` (INTEGER) and `_str` of every class.
pub const KURIKULUM: (i64, &str) = (301, "Kurikulum Merdeka SMK");

/// Dapodik account roles (`peran_id`, `peran_id_str`).
pub const PERAN_OPERATOR: (i64, &str) = (10, "Operator Sekolah");
pub const PERAN_KEPALA_SEKOLAH: (i64, &str) = (53, "Kepala Sekolah");
pub const PERAN_PTK: (i64, &str) = (54, "PTK");
