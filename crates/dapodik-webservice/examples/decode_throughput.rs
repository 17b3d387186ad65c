//! Throughput and peak memory of decode + normalise + correction on a synthetic big school.
//!
//! `cargo run --release -p dapodik-webservice --example decode_throughput -- [STUDENTS]`
//! (default 100,000 students, about 100 MB of pretty-printed JSON like Dapodik's).

use dapodik_webservice::pull::from_responses;
use dapodik_webservice::source::RawResponse;
use dapodik_webservice::{Entity, Function};
use std::fmt::Write;
use std::time::Instant;

fn main() {
    let students: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let per_class = 36;
    let classes = students.div_ceil(per_class);

    let started = Instant::now();
    let pd = students_body(students, per_class);
    let rb = classes_body(students, per_class, classes);
    let sekolah = br#"{"results":1,"id":"sekolah_id","start":0,"limit":20,"rows":{"sekolah_id":"6F1C2A9E-3B7D-4E21-9A55-0C8D7E4F1A20","npsn":"20254301","nama":"SMK CONTOH"}}"#.to_vec();
    let gtk = br#"{"results":0,"id":"ptk_terdaftar_id","start":0,"limit":20,"rows":[]}"#.to_vec();
    eprintln!(
        "generated {} students ({:.1} MB) and {} classes ({:.1} MB) in {:.2?}",
        students,
        pd.len() as f64 / 1e6,
        classes,
        rb.len() as f64 / 1e6,
        started.elapsed()
    );
    eprintln!("peak RSS after generating: {}", peak_rss());

    if std::env::var_os("BASELINE").is_some() {
        let cpu0 = cpu_seconds();
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_str(std::str::from_utf8(&pd).unwrap()).unwrap();
        let parsed = t.elapsed();
        drop(v);
        eprintln!("baseline: serde_json::Value of the whole body parsed in {parsed:.2?}, dropped after {:.2?}; {:.2} s CPU", t.elapsed(), cpu_seconds() - cpu0);
    }
    let responses = vec![
        (
            Function::GetSekolah,
            RawResponse {
                http_status: 200,
                body: sekolah.into(),
            },
        ),
        (
            Function::GetPesertaDidik,
            RawResponse {
                http_status: 200,
                body: pd.into(),
            },
        ),
        (
            Function::GetGtk,
            RawResponse {
                http_status: 200,
                body: gtk.into(),
            },
        ),
        (
            Function::GetRombonganBelajar,
            RawResponse {
                http_status: 200,
                body: rb.into(),
            },
        ),
    ];
    let started = Instant::now();
    let raw = from_responses("20254301", responses).unwrap();
    eprintln!(
        "from_responses (NPSN check + prechecks): {:.2?}",
        started.elapsed()
    );

    let pd_body = raw
        .response(Function::GetPesertaDidik)
        .unwrap()
        .body
        .load()
        .unwrap();
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let decoded = dapodik_webservice::decode::decode_each(
        Function::GetPesertaDidik,
        200,
        &pd_body,
        &mut |_| Ok(()),
    )
    .unwrap();
    eprintln!(
        "decode only (rows dropped): {} rows in {:.2?} wall, {:.2} s CPU",
        decoded.rows,
        t.elapsed(),
        cpu_seconds() - cpu0
    );
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    dapodik_webservice::decode::decode_each(Function::GetPesertaDidik, 200, &pd_body, &mut |r| {
        drop(dapodik_webservice::normalise::normalise_owned(
            Entity::PesertaDidik,
            r,
        ));
        Ok(())
    })
    .unwrap();
    eprintln!(
        "decode + normalise: {:.2?} wall, {:.2} s CPU",
        t.elapsed(),
        cpu_seconds() - cpu0
    );
    let rb_body = raw
        .response(Function::GetRombonganBelajar)
        .unwrap()
        .body
        .load()
        .unwrap();
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    dapodik_webservice::decode::decode_each(
        Function::GetRombonganBelajar,
        200,
        &rb_body,
        &mut |_| Ok(()),
    )
    .unwrap();
    eprintln!(
        "decode getRombonganBelajar only: {:.2?} wall, {:.2} s CPU",
        t.elapsed(),
        cpu_seconds() - cpu0
    );

    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut in_class = 0usize;
    let mut bytes = 0usize;
    let summary = raw
        .for_each_record(Entity::PesertaDidik, &mut |r| {
            if !r["rombongan_belajar_id"].is_null() {
                in_class += 1;
            }
            bytes += r.len();
            Ok(())
        })
        .unwrap();
    let elapsed = started.elapsed();
    let cpu = cpu_seconds() - cpu_started;
    assert_eq!(summary.records, students);
    eprintln!(
        "peserta_didik: {} records ({} in a class) in {:.2?} wall = {:.0} rows/s; {:.2} s CPU = {:.0} rows/s per CPU-second \
         (membership from getRombonganBelajar included)",
        summary.records,
        in_class,
        elapsed,
        summary.records as f64 / elapsed.as_secs_f64(),
        cpu,
        summary.records as f64 / cpu
    );

    let started = Instant::now();
    let summary = raw
        .for_each_record(Entity::RombonganBelajar, &mut |_| Ok(()))
        .unwrap();
    eprintln!(
        "rombongan_belajar: {} records in {:.2?}",
        summary.records,
        started.elapsed()
    );
    eprintln!("peak RSS: {}", peak_rss());
}

fn uuid(prefix: u32, n: usize) -> String {
    format!("{prefix:08x}-0000-4000-8000-{n:012x}")
}

fn students_body(students: usize, per_class: usize) -> Vec<u8> {
    let mut s = String::with_capacity(students * 1100 + 200);
    write!(s, "{{\n \"results\": {students},\n \"id\": \"registrasi_id\",\n \"start\": 0,\n \"limit\": 20,\n \"rows\": [\n").unwrap();
    for i in 0..students {
        if i > 0 {
            s.push_str(",\n");
        }
        let class = i / per_class;
        // Every 50th student is in no class, with the previous student's stale class fields.
        let (anggota, kelas) = if i % 50 == 49 {
            (
                "\"Belum masuk ke dalam rombongan belajar\"".to_string(),
                class,
            )
        } else {
            (format!("\"{}\"", uuid(0xae, i)), class)
        };
        let pd_id = if i % 7 == 0 {
            uuid(0x7e1f0a52, i).to_uppercase()
        } else {
            uuid(0x7e1f0a52, i)
        };
        write!(
            s,
            r#"  {{
   "registrasi_id": "{reg}",
   "jenis_pendaftaran_id": "1",
   "jenis_pendaftaran_id_str": "Siswa baru",
   "nipd": "{nipd}",
   "tanggal_masuk_sekolah": "2023-07-17",
   "sekolah_asal": "SMP NEGERI 4 CONTOH",
   "peserta_didik_id": "{pd_id}",
   "nama": "Siswa Nomor {i}",
   "nisn": "{nisn:010}",
   "jenis_kelamin": "L",
   "nik": {nik},
   "tempat_lahir": "Bogor",
   "tanggal_lahir": "2009-03-14",
   "agama_id": 1,
   "agama_id_str": "Islam",
   "alamat_jalan": "Kp. Sukamaju",
   "nomor_telepon_rumah": null,
   "nomor_telepon_seluler": "0",
   "nama_ayah": "Bapak {i}",
   "pekerjaan_ayah_id": 5,
   "pekerjaan_ayah_id_str": "Petani",
   "nama_ibu": "Ibu {i}",
   "pekerjaan_ibu_id": 1,
   "pekerjaan_ibu_id_str": "Tidak bekerja",
   "nama_wali": null,
   "pekerjaan_wali_id": 0,
   "pekerjaan_wali_id_str": "",
   "tinggi_badan": "160",
   "berat_badan": "50",
   "semester_id": "20251",
   "email": null,
   "anggota_rombel_id": {anggota},
   "rombongan_belajar_id": "{rb}",
   "tingkat_pendidikan_id": "10",
   "nama_rombel": "X {kelas}",
   "kurikulum_id": 301,
   "kurikulum_id_str": "Kurikulum Merdeka SMK"
  }}"#,
            reg = uuid(0xd0d0d0d0, i),
            nipd = 2324000 + i,
            nisn = 91234561 + i,
            nik = 9171024211080003u64 + i as u64,
            rb = uuid(0xb2a4c6e8, class),
        )
        .unwrap();
    }
    s.push_str("\n ]\n}");
    s.into_bytes()
}

fn classes_body(students: usize, per_class: usize, classes: usize) -> Vec<u8> {
    let mut s = String::with_capacity(classes * (per_class * 220 + 1200) + 200);
    write!(s, "{{\n \"results\": {classes},\n \"id\": \"rombongan_belajar_id\",\n \"start\": 0,\n \"limit\": 20,\n \"rows\": [\n").unwrap();
    for c in 0..classes {
        if c > 0 {
            s.push_str(",\n");
        }
        write!(
            s,
            r#"  {{"rombongan_belajar_id": "{}", "nama": "X {c}", "tingkat_pendidikan_id": "10", "semester_id": "20251", "jenis_rombel": "1", "ptk_id": "{}", "ptk_id_str": "Guru {c}", "anggota_rombel": ["#,
            uuid(0xb2a4c6e8, c).to_uppercase(),
            uuid(0xc0ffee00, c)
        )
        .unwrap();
        let members: Vec<usize> = (c * per_class..((c + 1) * per_class).min(students))
            .filter(|i| i % 50 != 49)
            .collect();
        for (k, i) in members.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            write!(
                s,
                r#"{{"anggota_rombel_id": "{}", "peserta_didik_id": "{}", "jenis_pendaftaran_id": "1", "jenis_pendaftaran_id_str": "Siswa baru"}}"#,
                uuid(0xae, *i),
                uuid(0x7e1f0a52, *i)
            )
            .unwrap();
        }
        s.push_str(r#"], "pembelajaran": [{"pembelajaran_id": "9a000000-0000-4000-8000-000000000001", "mata_pelajaran_id": 800001000, "ptk_id": "c0ffee00-aaaa-4bbb-8ccc-000000000001", "jam_mengajar_per_minggu": "3"}]}"#);
    }
    s.push_str("\n ]\n}");
    s.into_bytes()
}

/// CPU time of this process so far (user + system), in seconds; 0 where unknown.
fn cpu_seconds() -> f64 {
    #[cfg(target_os = "linux")]
    {
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
            // Fields after the command name (which is in parentheses): utime is the 14th field overall.
            if let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let ticks: f64 = fields
                    .get(11)
                    .and_then(|u| u.parse::<f64>().ok())
                    .unwrap_or(0.0)
                    + fields
                        .get(12)
                        .and_then(|s| s.parse::<f64>().ok())
                        .unwrap_or(0.0);
                return ticks / 100.0;
            }
        }
    }
    0.0
}

fn peak_rss() -> String {
    #[cfg(target_os = "linux")]
    {
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                return line.trim_start_matches("VmHWM:").trim().to_string();
            }
        }
    }
    "unknown".to_string()
}
