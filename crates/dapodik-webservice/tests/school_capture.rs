//! The capture `school-smk-4pd` must yield exactly what its README says.

use dapodik_webservice::capture::{write_capture, CaptureDir};
use dapodik_webservice::pull::{fetch_school, from_responses, SchoolPull};
use dapodik_webservice::source::Source;
use dapodik_webservice::{Entity, ErrorCode, Function, Record};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ws")
        .join(path)
}

fn school_pull() -> SchoolPull {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let responses = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    from_responses("20254301", responses)
        .unwrap()
        .collect()
        .unwrap()
}

fn by_name<'a>(rows: &'a [Record], name: &str) -> &'a Record {
    rows.iter()
        .find(|r| r["nama"] == name)
        .unwrap_or_else(|| panic!("no row named {name}"))
}

#[test]
fn school_profile_is_one_row_with_the_configured_npsn() {
    let pull = school_pull();
    assert_eq!(pull.npsn, "20254301");
    assert_eq!(pull.sekolah.len(), 1);
    let s = &pull.sekolah[0];
    assert_eq!(s["npsn"], "20254301");
    assert_eq!(s["sekolah_id"], "6f1c2a9e-3b7d-4e21-9a55-0c8d7e4f1a20");
    assert_eq!(
        s["bentuk_pendidikan_id"], "15",
        "an INTEGER column becomes a string"
    );
    assert_eq!(
        s["kode_wilayah"], "020507AB",
        "kode_wilayah keeps its letters and zeros"
    );
    assert_eq!(s["is_sks"], false);
    assert_eq!(s["nomor_fax"], Value::Null);
    assert_eq!(pull.semester_id.as_deref(), Some("20251"));
    assert!(pull.incomplete.is_empty());
}

#[test]
fn four_students_with_exact_identifiers() {
    let pull = school_pull();
    assert_eq!(pull.peserta_didik.len(), 4);

    let putri = by_name(&pull.peserta_didik, "Putri Ayu Lestari");
    assert_eq!(
        putri["nik"], "9171024211080003",
        "a NIK above 2^53 survives exactly"
    );
    assert_eq!(putri["nisn"], "0081234562");
    assert_eq!(putri["jenis_kelamin"], "P");
    assert_eq!(
        putri["nomor_telepon_seluler"],
        Value::Null,
        "\"0\" is a phone placeholder"
    );
    assert_eq!(
        putri["rombongan_belajar_id"], "b2a4c6e8-1111-4a2b-8c3d-5e6f7a8b9c01",
        "her class is confirmed"
    );
    assert_eq!(putri["nama_rombel"], "X TKJ 1");

    for s in &pull.peserta_didik {
        let nisn = s["nisn"].as_str().unwrap();
        assert!(
            nisn.starts_with("00") && nisn.len() == 10,
            "NISN keeps its leading zeros: {nisn}"
        );
        assert_eq!(s["agama_id"], "1");
        assert_eq!(s["pekerjaan_wali_id"], "0", "a reference code 0 is kept");
        assert_eq!(
            s["pekerjaan_wali_id_str"],
            Value::Null,
            "\"\" is a placeholder"
        );
        assert_eq!(
            s["tingkat_pendidikan_id"].is_null(),
            s["rombongan_belajar_id"].is_null()
        );
    }

    let aditya = by_name(&pull.peserta_didik, "Aditya Pratama Nugraha");
    assert_eq!(aditya["nomor_telepon_seluler"], "081200000001");
    assert_eq!(
        aditya["anggota_rombel_id"],
        "ae000000-0000-4000-8000-000000000001"
    );
    assert_eq!(aditya["tingkat_pendidikan_id"], "10");
    assert_eq!(aditya["kurikulum_id"], "301");

    let fajar = by_name(&pull.peserta_didik, "Muhammad Fajar Hidayat");
    assert_eq!(fajar["nama_rombel"], "X TKJ 2");
}

#[test]
fn rizky_is_in_no_class_and_his_id_is_lower_case() {
    let pull = school_pull();
    let rizky = by_name(&pull.peserta_didik, "Rizky Ramadhan");
    assert_eq!(
        rizky["peserta_didik_id"],
        "7e1f0a52-0003-4c3e-9d11-aa0000000003"
    );
    for field in [
        "anggota_rombel_id",
        "rombongan_belajar_id",
        "nama_rombel",
        "tingkat_pendidikan_id",
    ] {
        assert_eq!(
            rizky[field],
            Value::Null,
            "{field} is a stale value from the previous student"
        );
    }
}

#[test]
fn classes_are_corrected_and_members_normalised() {
    let pull = school_pull();
    assert_eq!(pull.rombongan_belajar.len(), 3);

    let tkj1 = by_name(&pull.rombongan_belajar, "X TKJ 1");
    let members = tkj1["anggota_rombel"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    let member_ids: Vec<&str> = members
        .iter()
        .map(|m| m["peserta_didik_id"].as_str().unwrap())
        .collect();
    assert!(
        member_ids.contains(&"7e1f0a52-0002-4c3e-9d11-aa0000000002"),
        "upper-case member id lower-cased"
    );
    assert!(
        member_ids.contains(&"7e1f0a52-0099-4c3e-9d11-aa0000000099"),
        "a non-active member stays a member"
    );
    assert_eq!(tkj1["ptk_id_str"], "Hendra Gunawan");
    assert_eq!(tkj1["pembelajaran"].as_array().unwrap().len(), 1);
    assert_eq!(tkj1["pembelajaran"][0]["mata_pelajaran_id"], "800001000");
    assert_eq!(
        tkj1["pembelajaran"][0]["induk_pembelajaran_id"],
        Value::Null
    );

    let tkj2 = by_name(&pull.rombongan_belajar, "X TKJ 2");
    assert_eq!(tkj2["ptk_id"], Value::Null);
    assert_eq!(
        tkj2["ptk_id_str"],
        Value::Null,
        "the homeroom name was X TKJ 1's"
    );

    let pramuka = by_name(&pull.rombongan_belajar, "Pramuka");
    assert_eq!(pramuka["jenis_rombel"], "51");
    assert_eq!(
        pramuka["pembelajaran"],
        json!([]),
        "an extracurricular class has no subjects"
    );
    assert_eq!(pramuka["ptk_id_str"], "Dewi Anggraini");
    assert_eq!(pramuka["nm_ekskul"], "Pramuka");
}

#[test]
fn member_0099_does_not_become_a_student() {
    let pull = school_pull();
    assert!(pull
        .peserta_didik
        .iter()
        .all(|s| s["peserta_didik_id"] != "7e1f0a52-0099-4c3e-9d11-aa0000000099"));
}

#[test]
fn staff_placeholders_are_null_and_identifiers_exact() {
    let pull = school_pull();
    assert_eq!(pull.gtk.len(), 2);
    let hendra = by_name(&pull.gtk, "Hendra Gunawan");
    assert_eq!(hendra["nip"], "198406212010011007");
    assert_eq!(hendra["nuptk"], "1953762664130142");
    assert_eq!(hendra["status_kepegawaian_id"], "1");
    assert_eq!(hendra["pangkat_golongan_terakhir"], "III/c");
    assert_eq!(hendra["rwy_pend_formal"], json!([]));

    let dewi = by_name(&pull.gtk, "Dewi Anggraini");
    assert_eq!(
        dewi["pangkat_golongan_terakhir"],
        Value::Null,
        "`-` means none"
    );
    assert_eq!(dewi["bidang_studi_terakhir"], Value::Null, "`-` means none");
    assert_eq!(dewi["nip"], Value::Null);
    assert_eq!(dewi["nuptk"], Value::Null);
    assert_eq!(dewi["status_kepegawaian_id_str"], "GTY/PTY");
}

#[test]
fn a_capture_for_another_npsn_is_the_wrong_school() {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let responses = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    let err = from_responses("20254399", responses).unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongSchool);
    assert!(
        err.detail.contains("20254301") && err.detail.contains("20254399"),
        "{}",
        err.detail
    );
}

#[tokio::test]
async fn fetch_school_from_a_capture_source_reports_progress_and_checks_npsn() {
    let source = Source::Capture(CaptureDir::open(fixture("school-smk-4pd")).unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let progress = move |f: Function, _bytes: u64| sink.lock().unwrap().push(f);
    let raw = fetch_school(&source, "20254301", &progress).await.unwrap();
    assert_eq!(raw.sekolah["npsn"], "20254301");
    assert_eq!(
        raw.responses.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        Function::ALL.to_vec()
    );
    let pull = raw.collect().unwrap();
    assert_eq!(pull.peserta_didik.len(), 4);
    assert!(
        seen.lock().unwrap().is_empty(),
        "a capture has no transfer to report"
    );

    let err = fetch_school(&source, "99999999", &progress)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongSchool);
}

#[test]
fn for_each_record_streams_with_summaries() {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let responses = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    let raw = from_responses("20254301", responses).unwrap();
    let mut names = Vec::new();
    let summary = raw
        .for_each_record(Entity::PesertaDidik, &mut |r| {
            names.push(r["nama"].as_str().unwrap().to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.records, 4);
    assert!(!summary.incomplete);
    assert_eq!(summary.semester_id.as_deref(), Some("20251"));
    assert_eq!(
        names[0], "Aditya Pratama Nugraha",
        "rows keep the server's order"
    );

    // An error from the consumer stops the stream and comes back as is.
    let mut count = 0;
    let err = raw
        .for_each_record(Entity::PesertaDidik, &mut |_| {
            count += 1;
            Err(dapodik_webservice::WsError::new(
                ErrorCode::ServerFault,
                "stop",
            ))
        })
        .unwrap_err();
    assert_eq!(
        (err.code, err.detail.as_str(), count),
        (ErrorCode::ServerFault, "stop", 1)
    );
}

#[test]
fn write_capture_round_trips() {
    let src = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let mut responses: Vec<_> = Function::ALL
        .iter()
        .map(|f| (*f, src.fetch(*f).unwrap()))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    // A stale .status from an earlier capture must not survive a 200.
    std::fs::write(tmp.path().join("getGtk.status"), "500").unwrap();
    responses[2].1.http_status = 200;
    write_capture(tmp.path(), &responses).unwrap();
    assert!(!tmp.path().join("getGtk.status").exists());
    let copy = CaptureDir::open(tmp.path()).unwrap();
    for (f, r) in &responses {
        let back = copy.fetch(*f).unwrap();
        assert_eq!((back.http_status, &back.body), (r.http_status, &r.body));
    }

    // Non-200 statuses get a .status file; a missing body reads as 404.
    let not_found = CaptureDir::open(fixture("errors")).unwrap();
    let mut r = not_found.fetch(Function::GetSekolah).unwrap();
    assert_eq!(r.http_status, 404, "no getSekolah.body in errors/");
    r.body = bytes::Bytes::from_static(b"<h1>404</h1>");
    let dir2 = tmp.path().join("nested/deeper");
    write_capture(&dir2, &[(Function::GetGtk, r)]).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir2.join("getGtk.status"))
            .unwrap()
            .trim(),
        "404"
    );
    let back = CaptureDir::open(&dir2)
        .unwrap()
        .fetch(Function::GetGtk)
        .unwrap();
    assert_eq!(
        (back.http_status, &back.body[..]),
        (404, &b"<h1>404</h1>"[..])
    );
}

#[test]
fn capture_dir_errors() {
    let err = CaptureDir::open(fixture("no-such-capture")).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotConfigured);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("getGtk.body"), "{}").unwrap();
    std::fs::write(tmp.path().join("getGtk.status"), "abc").unwrap();
    let err = CaptureDir::open(tmp.path())
        .unwrap()
        .fetch(Function::GetGtk)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedResponse);
}

#[test]
fn a_missing_school_profile_or_npsn_is_refused() {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let with_sekolah = |body: &str| -> Vec<(Function, dapodik_webservice::source::RawResponse)> {
        let mut responses: Vec<_> = Function::ALL
            .iter()
            .map(|f| (*f, dir.fetch(*f).unwrap()))
            .collect();
        responses[0].1.body = body.as_bytes().to_vec().into();
        responses
    };
    let empty =
        r#"{"success": false, "http_code": 403, "message": "Data Sekolah tidak ditemukan"}"#;
    assert_eq!(
        from_responses("20254301", with_sekolah(empty))
            .unwrap_err()
            .code,
        ErrorCode::SchoolNotFound
    );
    let no_npsn = r#"{"results": 1, "rows": {"sekolah_id": "6f1c2a9e-3b7d-4e21-9a55-0c8d7e4f1a20", "npsn": "-"}}"#;
    assert_eq!(
        from_responses("20254301", with_sekolah(no_npsn))
            .unwrap_err()
            .code,
        ErrorCode::WrongSchool
    );
    let as_number = r#"{"results": 1, "rows": {"npsn": 20254301}}"#;
    assert_eq!(
        from_responses(" 20254301 ", with_sekolah(as_number))
            .unwrap()
            .sekolah["npsn"],
        "20254301"
    );
    assert_eq!(
        from_responses("  ", with_sekolah(as_number))
            .unwrap_err()
            .code,
        ErrorCode::NpsnMissing
    );
}

#[test]
fn debug_output_never_carries_a_body() {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let responses: Vec<_> = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    let raw = from_responses("20254301", responses).unwrap();
    let debug = format!("{raw:?}");
    assert!(
        !debug.contains("9171024211080003") && !debug.contains("Putri"),
        "{debug}"
    );
    assert!(debug.contains("body_bytes"));
}

#[test]
fn pulls_can_move_between_threads_and_tasks() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync>() {}
    send_sync::<dapodik_webservice::pull::RawPull>();
    send_sync::<Source>();
    send_sync::<dapodik_webservice::client::WebServiceClient>();
    let source = Source::Capture(CaptureDir::open(fixture("school-smk-4pd")).unwrap());
    let future = fetch_school(&source, "20254301", &|_, _| {});
    send(&future); // so a worker can `tokio::spawn` a pull
}

#[test]
fn membership_tolerates_odd_class_rows() {
    // Class ids as numbers, members as a PHP-indexed object with junk entries, `null` member lists,
    // a class without an id: only well-formed (student, class) pairs confirm a student's class.
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let mut responses: Vec<_> = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    let pd = String::from_utf8(responses[1].1.body.to_vec())
        .unwrap()
        .replace("\"b2a4c6e8-1111-4a2b-8c3d-5e6f7a8b9c01\"", "501");
    responses[1].1.body = pd.into_bytes().into();
    let rombel = r#"{"results": 3, "rows": [
        {"rombongan_belajar_id": 501, "nama": "A", "anggota_rombel": {"0": {"peserta_didik_id": "7E1F0A52-0001-4C3E-9D11-AA0000000001"}, "3": "junk", "4": [1], "5": {"peserta_didik_id": {"x": 1}}}},
        {"rombongan_belajar_id": "b2a4c6e8-2222-4a2b-8c3d-5e6f7a8b9c02", "nama": "B", "anggota_rombel": null},
        {"rombongan_belajar_id": null, "nama": "C", "anggota_rombel": [{"peserta_didik_id": "7e1f0a52-0002-4c3e-9d11-aa0000000002"}]}
    ]}"#;
    responses[3].1.body = rombel.as_bytes().to_vec().into();
    let pull = from_responses("20254301", responses)
        .unwrap()
        .collect()
        .unwrap();
    let aditya = by_name(&pull.peserta_didik, "Aditya Pratama Nugraha");
    assert_eq!(
        aditya["rombongan_belajar_id"], "501",
        "numeric class id matched as text"
    );
    assert_eq!(aditya["nama_rombel"], "X TKJ 1");
    for name in [
        "Putri Ayu Lestari",
        "Muhammad Fajar Hidayat",
        "Rizky Ramadhan",
    ] {
        let s = by_name(&pull.peserta_didik, name);
        assert_eq!(
            s["rombongan_belajar_id"],
            Value::Null,
            "{name}: no confirmed membership"
        );
    }
    assert_eq!(pull.rombongan_belajar.len(), 3);
}
