//! Every error body → its code, and each body quirk of the shared doc, table-driven.

use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::decode::{decode_body, decode_each, precheck, DecodeSummary};
use dapodik_webservice::normalise::normalise_owned;
use dapodik_webservice::pull::from_responses;
use dapodik_webservice::source::RawResponse;
use dapodik_webservice::{Entity, ErrorCode, Function, WsError};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ws")
        .join(path)
}

fn error_body(name: &str) -> RawResponse {
    let body = std::fs::read(fixture(&format!("errors/{name}.body"))).unwrap();
    let status = std::fs::read_to_string(fixture(&format!("errors/{name}.status")))
        .map(|s| s.trim().parse().unwrap())
        .unwrap_or(200);
    RawResponse {
        http_status: status,
        body: body.into(),
    }
}

#[test]
fn every_error_fixture_maps_to_its_code() {
    let cases: &[(&str, Option<ErrorCode>)] = &[
        ("access-denied", Some(ErrorCode::AccessDenied)),
        ("key-not-registered", Some(ErrorCode::KeyNotRegistered)),
        ("ip-mismatch", Some(ErrorCode::IpMismatch)),
        ("status-in-body-403", Some(ErrorCode::KeyNotRegistered)),
        ("not-found-404", Some(ErrorCode::FunctionMissing)),
        ("empty-peserta-didik", None),
        ("php-fatal-then-json", None),
    ];
    let mut dir_names: Vec<String> = std::fs::read_dir(fixture("errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".body").map(str::to_owned))
        .collect();
    dir_names.sort();
    let mut table_names: Vec<String> = cases.iter().map(|(n, _)| n.to_string()).collect();
    table_names.sort();
    assert_eq!(
        dir_names, table_names,
        "every fixture in errors/ has a row in this table"
    );

    for (name, expected) in cases {
        let r = error_body(name);
        let result = decode_body(Function::GetPesertaDidik, r.http_status, &r.body);
        let precheck = precheck(Function::GetPesertaDidik, r.http_status, &r.body);
        match expected {
            Some(code) => {
                let err = result.expect_err(name);
                assert_eq!(err.code, *code, "{name}: {}", err.detail);
                assert_eq!(precheck.expect_err(name).code, *code, "{name} (precheck)");
            }
            None => {
                result.unwrap_or_else(|e| panic!("{name}: {e}"));
                precheck.unwrap_or_else(|e| panic!("{name} (precheck): {e}"));
            }
        }
    }
}

#[test]
fn empty_set_reported_as_error_is_zero_rows_and_incomplete() {
    let r = error_body("empty-peserta-didik");
    let (rows, summary) = decode_body(Function::GetPesertaDidik, r.http_status, &r.body).unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        summary,
        DecodeSummary {
            rows: 0,
            empty_reported: true,
            results: None
        }
    );

    // In a pull: the entity is incomplete and a note (Indonesian) says so.
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let mut responses: Vec<_> = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    responses[1].1 = r;
    let raw = from_responses("20254301", responses).unwrap();
    assert_eq!(raw.notes.len(), 1);
    assert!(raw.notes[0].contains("peserta didik"), "{}", raw.notes[0]);
    let pull = raw.collect().unwrap();
    assert!(pull.peserta_didik.is_empty());
    assert_eq!(pull.incomplete, vec![Entity::PesertaDidik]);
}

#[test]
fn php_fatal_text_before_the_envelope_is_skipped() {
    let r = error_body("php-fatal-then-json");
    let (rows, summary) = decode_body(Function::GetGtk, r.http_status, &r.body).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(summary.results, Some(2));
    assert_eq!(rows[0]["nama"], "Hendra Gunawan");
}

#[test]
fn error_bodies_fail_a_pull_before_anything_is_staged() {
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    for (name, code) in [
        ("key-not-registered", ErrorCode::KeyNotRegistered),
        ("ip-mismatch", ErrorCode::IpMismatch),
        ("access-denied", ErrorCode::AccessDenied),
        ("not-found-404", ErrorCode::FunctionMissing),
    ] {
        for slot in 0..4 {
            let mut responses: Vec<_> = Function::ALL
                .iter()
                .map(|f| (*f, dir.fetch(*f).unwrap()))
                .collect();
            responses[slot].1 = error_body(name);
            let err = from_responses("20254301", responses).unwrap_err();
            assert_eq!(err.code, code, "{name} in slot {slot}");
        }
    }
    // A function absent from the responses is a missing function.
    let responses: Vec<_> = Function::ALL
        .iter()
        .filter(|f| **f != Function::GetGtk)
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    assert_eq!(
        from_responses("20254301", responses).unwrap_err().code,
        ErrorCode::FunctionMissing
    );
}

const ENVELOPE: &str = r#"{"results": 2, "id": "registrasi_id", "start": 0, "limit": 20, "rows": [{"nama": "A", "nik": "3201051403090007"}, {"nama": "B", "nik": "3201050101090002"}]}"#;

fn msg(message: &str) -> String {
    format!(
        r#"{{"success":false,"http_code":403,"status_code":"Forbidden","message":"{message}"}}"#
    )
}

/// What a body should decode to.
#[derive(Debug)]
enum Expect {
    Rows(usize),
    Empty,
    Error(ErrorCode),
}

#[test]
fn quirks_table() {
    let bom = |s: &str| [b"\xEF\xBB\xBF".as_slice(), s.as_bytes()].concat();
    let crlf = |s: &str| s.replace(", ", ",\r\n ").into_bytes();
    let cases: Vec<(&str, u16, Vec<u8>, Expect)> = vec![
        ("plain envelope", 200, ENVELOPE.into(), Expect::Rows(2)),
        ("UTF-8 BOM", 200, bom(ENVELOPE), Expect::Rows(2)),
        ("CRLF line ends", 200, crlf(ENVELOPE), Expect::Rows(2)),
        ("BOM + CRLF", 200, bom(&String::from_utf8(crlf(ENVELOPE)).unwrap()), Expect::Rows(2)),
        (
            "status line 200 inside body",
            200,
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{ENVELOPE}").into(),
            Expect::Rows(2),
        ),
        (
            "status line 403 inside body, no message",
            200,
            format!("HTTP/1.0 403 Forbidden\r\nX: y\r\n\r\n{ENVELOPE}").into(),
            Expect::Error(ErrorCode::AccessDenied),
        ),
        (
            "100 Continue block, then the real status line",
            200,
            format!("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 403 Forbidden\r\nX: y\r\n\r\n{}", msg("Semester tidak ditemukan")).into(),
            Expect::Error(ErrorCode::SemesterNotFound),
        ),
        (
            "in-body 200 does not override a proxy's 502",
            502,
            format!("HTTP/1.1 200 OK\r\n\r\n{ENVELOPE}").into(),
            Expect::Error(ErrorCode::ServerFault),
        ),
        (
            "status line without a header end",
            200,
            "HTTP/1.0 403 Forbidden\r\nX: y".into(),
            Expect::Error(ErrorCode::AccessDenied),
        ),
        (
            "status line 500 inside body, LF only",
            200,
            "HTTP/1.0 500 Internal Server Error\nX: y\n\nboom".into(),
            Expect::Error(ErrorCode::ServerFault),
        ),
        (
            "status line 403 inside body + IP message",
            200,
            format!("HTTP/1.0 403 Forbidden\r\n\r\n{}", msg("IP Address yang didaftarkan pada Web Service Dapodik berbeda"))
                .into(),
            Expect::Error(ErrorCode::IpMismatch),
        ),
        (
            "status line inside body, then empty set",
            200,
            format!("HTTP/1.0 403 Forbidden\r\n\r\n{}", msg("Data GTK tidak ditemukan")).into(),
            Expect::Empty,
        ),
        (
            "PHP warning before JSON",
            200,
            format!("<br />\n<b>Warning</b>: Undefined index: x in C:\\a.php on line 3<br />\n{ENVELOPE}").into(),
            Expect::Rows(2),
        ),
        ("PHP notice after JSON", 200, format!("{ENVELOPE}\n<b>Notice</b>: {{main}} x").into(), Expect::Rows(2)),
        (
            "PHP fatal error instead of JSON",
            200,
            "<br />\n<b>Fatal error</b>: Allowed memory size exhausted in C:\\x.php on line 9".into(),
            Expect::Error(ErrorCode::ServerFault),
        ),
        (
            "PHP stack trace with {main} and no JSON",
            200,
            "Fatal error: Uncaught Error\nStack trace:\n#0 {main}\n thrown".into(),
            Expect::Error(ErrorCode::ServerFault),
        ),
        (
            "single-quoted keys",
            200,
            "{'results': 1, 'id': 'registrasi_id', 'start': 0, 'limit': 20, 'rows': [{\"nama\": \"O'Neil\"}]}".into(),
            Expect::Rows(1),
        ),
        ("single-quoted everything", 200, "{'results': 1, 'rows': [{'nama': 'A \"B\"'}]}".into(), Expect::Rows(1)),
        ("single-quoted failure envelope", 200, "{'success': false, 'message': 'Sekolah tidak ditemukan'}".into(), Expect::Error(ErrorCode::SchoolNotFound)),
        ("plain-text access denied", 200, "Access denied - You are not authorized to access this page. #1".into(), Expect::Error(ErrorCode::AccessDenied)),
        ("access denied after BOM", 200, bom("Access denied - You are not authorized to access this page. #1"), Expect::Error(ErrorCode::AccessDenied)),
        ("NPSN missing", 200, msg("Parameter NPSN harap diisi").into(), Expect::Error(ErrorCode::NpsnMissing)),
        ("school not found", 200, msg("Sekolah tidak ditemukan").into(), Expect::Error(ErrorCode::SchoolNotFound)),
        ("semester not found", 200, msg("Semester tidak ditemukan").into(), Expect::Error(ErrorCode::SemesterNotFound)),
        ("key not registered", 200, msg("Aplikasi tidak terdaftar pada Web Service Dapodik").into(), Expect::Error(ErrorCode::KeyNotRegistered)),
        ("IP mismatch", 200, msg("IP Address yang didaftarkan pada Web Service Dapodik berbeda").into(), Expect::Error(ErrorCode::IpMismatch)),
        ("IP mismatch, other case and spacing", 200, msg("ip address  yang didaftarkan pada web service dapodik BERBEDA").into(), Expect::Error(ErrorCode::IpMismatch)),
        ("empty PD", 200, msg("Data Peserta Didik tidak ditemukan").into(), Expect::Empty),
        ("empty GTK", 200, msg("Data GTK tidak ditemukan").into(), Expect::Empty),
        ("empty rombel", 200, msg("Data Rombongan Belajar tidak ditemukan").into(), Expect::Empty),
        ("empty pengguna", 200, msg("Data Pengguna tidak ditemukan").into(), Expect::Empty),
        ("failure message under a real 403", 403, msg("Aplikasi tidak terdaftar pada Web Service Dapodik").into(), Expect::Error(ErrorCode::KeyNotRegistered)),
        ("unknown failure message", 200, msg("Terjadi kesalahan").into(), Expect::Error(ErrorCode::ServerFault)),
        ("success false without message", 200, r#"{"success": false}"#.into(), Expect::Error(ErrorCode::ServerFault)),
        ("real 404 HTML", 404, "<html><body><h1>404 Not Found</h1></body></html>".into(), Expect::Error(ErrorCode::FunctionMissing)),
        ("real 404 empty", 404, Vec::new(), Expect::Error(ErrorCode::FunctionMissing)),
        ("proxy 401", 401, "<h1>Unauthorized</h1>".into(), Expect::Error(ErrorCode::AccessDenied)),
        ("proxy 403", 403, "<h1>Forbidden</h1>".into(), Expect::Error(ErrorCode::AccessDenied)),
        ("proxy 403 with an envelope is still refused", 403, ENVELOPE.into(), Expect::Error(ErrorCode::AccessDenied)),
        ("proxy 500", 500, "Internal Server Error".into(), Expect::Error(ErrorCode::ServerFault)),
        ("proxy 502", 502, "<html>Bad Gateway</html>".into(), Expect::Error(ErrorCode::ServerFault)),
        ("proxy 503 with envelope", 503, ENVELOPE.into(), Expect::Error(ErrorCode::ServerFault)),
        ("408", 408, Vec::new(), Expect::Error(ErrorCode::Timeout)),
        ("empty body", 200, Vec::new(), Expect::Error(ErrorCode::MalformedResponse)),
        ("whitespace body", 200, "  \r\n ".into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("truncated envelope", 200, ENVELOPE[..ENVELOPE.len() - 30].into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("truncated after a row", 200, ENVELOPE[..ENVELOPE.find("}, {").unwrap() + 1].into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("garbage JSON", 200, r#"{"results": 2, "rows": [{"nama": tru}]}"#.into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("object without rows", 200, r#"{"results": 2, "id": "x"}"#.into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("bare array is not an envelope", 200, r#"[{"nama": "A"}]"#.into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("row that is not an object", 200, r#"{"results": 1, "rows": ["x"]}"#.into(), Expect::Error(ErrorCode::MalformedResponse)),
        ("rows null", 200, r#"{"results": 0, "rows": null}"#.into(), Expect::Rows(0)),
        ("rows empty", 200, r#"{"results": 0, "rows": []}"#.into(), Expect::Rows(0)),
        ("rows as PHP indexed object", 200, r#"{"results": 2, "rows": {"0": {"nama": "A"}, "1": {"nama": "B"}}}"#.into(), Expect::Rows(2)),
        ("results as a string", 200, r#"{"results": "1", "rows": [{"nama": "A"}]}"#.into(), Expect::Rows(1)),
        ("invalid UTF-8 outside JSON", 200, [b"\xFF\xFE junk ".as_slice(), ENVELOPE.as_bytes()].concat(), Expect::Rows(2)),
    ];
    for (name, status, body, expect) in cases {
        let result = decode_body(Function::GetPesertaDidik, status, &body);
        match (&expect, &result) {
            (Expect::Rows(n), Ok((rows, s)))
                if rows.len() == *n && s.rows == *n && !s.empty_reported => {}
            (Expect::Empty, Ok((rows, s))) if rows.is_empty() && s.empty_reported => {}
            (Expect::Error(code), Err(e)) if e.code == *code => {}
            _ => panic!("{name}: expected {expect:?}, got {result:?}"),
        }
        // The cheap check finds the same error, unless the fault lies inside `rows` (it stops there).
        if let Expect::Error(code) = &expect {
            match precheck(Function::GetPesertaDidik, status, &body) {
                Err(e) => assert_eq!(e.code, *code, "{name} (precheck)"),
                Ok(_) => assert!(
                    *code == ErrorCode::MalformedResponse
                        && body.windows(6).any(|w| w == b"\"rows\""),
                    "{name}: precheck accepted a body whose fault is outside the rows"
                ),
            }
        }
    }
}

#[test]
fn get_sekolah_object_rows_is_one_row() {
    let body = br#"{"results": 1, "rows": {"npsn": "20254301", "nama": "X"}}"#;
    let (rows, summary) = decode_body(Function::GetSekolah, 200, body).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["npsn"], "20254301");
    assert_eq!(summary.results, Some(1));
}

#[test]
fn a_nik_sent_as_a_json_number_survives_exactly() {
    // 9171014202080001 > 2^53: a float would turn it into 9171014202080000.
    let body = br#"{"results": 1, "rows": [{"nik": 9171014202080001, "nisn": 71234567, "nip": 198406212010011007, "agama_id": 1}]}"#;
    let (rows, _) = decode_body(Function::GetPesertaDidik, 200, body).unwrap();
    let record = normalise_owned(Entity::PesertaDidik, rows.into_iter().next().unwrap());
    assert_eq!(record["nik"], "9171014202080001");
    assert_eq!(
        record["nisn"], "0071234567",
        "a numeric NISN gets its leading zeros back"
    );
    assert_eq!(record["nip"], "198406212010011007");
    assert_eq!(record["agama_id"], "1");
    assert_ne!(
        9171014202080001u64 as f64 as u64, 9171014202080001,
        "the test number is beyond f64 precision"
    );
}

#[test]
fn rows_are_streamed_one_at_a_time_and_a_callback_error_stops_decoding() {
    let mut seen = Vec::new();
    let err = decode_each(
        Function::GetPesertaDidik,
        200,
        ENVELOPE.as_bytes(),
        &mut |row| {
            seen.push(row["nama"].clone());
            Err(WsError::new(ErrorCode::ServerFault, "consumer says stop"))
        },
    )
    .unwrap_err();
    assert_eq!(err.detail, "consumer says stop");
    assert_eq!(seen, vec![Value::from("A")]);

    // Rows arrive before the rest of the body is even valid: a truncated body yields rows, then fails.
    let truncated = &ENVELOPE[..ENVELOPE.len() - 40];
    let mut count = 0;
    let err = decode_each(
        Function::GetPesertaDidik,
        200,
        truncated.as_bytes(),
        &mut |_| {
            count += 1;
            Ok(())
        },
    )
    .unwrap_err();
    assert_eq!((err.code, count), (ErrorCode::MalformedResponse, 1));
}

#[test]
fn error_details_carry_no_personal_numbers() {
    let body = "<b>Fatal error</b>: bad NIK 3201051403090007 in query";
    let err = decode_body(Function::GetPesertaDidik, 200, body.as_bytes()).unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerFault);
    assert!(!err.detail.contains("3201051403090007"), "{}", err.detail);
    assert!(err.detail.contains("3201********0007"), "{}", err.detail);

    let garbage = r#"{"results": 1, "rows": [{"nik": "3201051403090007", "nama": Putri}]}"#;
    let err = decode_body(Function::GetPesertaDidik, 200, garbage.as_bytes()).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedResponse);
    assert!(
        !err.detail.contains("Putri") && !err.detail.contains("3201051403090007"),
        "{}",
        err.detail
    );
}

#[test]
fn a_paging_build_is_detected_by_its_counts_and_marked_incomplete() {
    // `results` says 3, but only 2 rows came: a newer build paging. One request, no loop; the entity
    // is incomplete so that missing students are not taken as removed.
    let dir = CaptureDir::open(fixture("school-smk-4pd")).unwrap();
    let mut responses: Vec<_> = Function::ALL
        .iter()
        .map(|f| (*f, dir.fetch(*f).unwrap()))
        .collect();
    let paged = r#"{"results": 3, "id": "ptk_terdaftar_id", "start": 0, "limit": 2, "rows": [{"ptk_id": "A", "nama": "X"}, {"ptk_id": "B", "nama": "Y"}]}"#;
    responses[2].1 = RawResponse {
        http_status: 200,
        body: paged.as_bytes().to_vec().into(),
    };
    let raw = from_responses("20254301", responses).unwrap();
    let summary = raw.for_each_record(Entity::Gtk, &mut |_| Ok(())).unwrap();
    assert_eq!((summary.records, summary.incomplete), (2, true));
    let summary = raw
        .for_each_record(Entity::PesertaDidik, &mut |_| Ok(()))
        .unwrap();
    assert_eq!(
        (summary.records, summary.incomplete),
        (4, false),
        "results == rows: complete"
    );
}

#[test]
fn invalid_utf8_inside_a_row_is_replaced_not_fatal() {
    // A build writing Latin-1: "Andr\xe9" is not UTF-8. The pull goes on; the name shows U+FFFD.
    let body =
        b"{\"results\": 1, \"rows\": [{\"nama\": \"Andr\xe9\", \"nik\": \"3201051403090007\"}]}";
    let (rows, _) = decode_body(Function::GetPesertaDidik, 200, body).unwrap();
    assert_eq!(rows[0]["nama"], "Andr\u{fffd}");
    assert_eq!(rows[0]["nik"], "3201051403090007");
}

#[test]
fn typed_rows_skip_what_they_do_not_name() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Name {
        nama: String,
    }
    let mut names = Vec::new();
    let summary = dapodik_webservice::decode::decode_each_as::<Name>(
        Function::GetPesertaDidik,
        200,
        ENVELOPE.as_bytes(),
        &mut |n| {
            names.push(n.nama);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        (names, summary.rows),
        (vec!["A".to_string(), "B".to_string()], 2)
    );

    let sekolah = br#"{"results": 1, "rows": {"nama": "SMK", "npsn": "20254301"}}"#;
    let mut one = Vec::new();
    dapodik_webservice::decode::decode_each_as::<Name>(
        Function::GetSekolah,
        200,
        sekolah,
        &mut |n| {
            one.push(n);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(one, vec![Name { nama: "SMK".into() }]);

    let unfit = br#"{"results": 1, "rows": [{"nik": "1"}]}"#;
    let err = dapodik_webservice::decode::decode_each_as::<Name>(
        Function::GetPesertaDidik,
        200,
        unfit,
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedResponse);
}
