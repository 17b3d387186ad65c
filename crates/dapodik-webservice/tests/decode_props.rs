//! Property tests: the decoder never panics, and rows come only from a success envelope.

use dapodik_webservice::decode::{decode_body, precheck};
use dapodik_webservice::normalise::normalise_owned;
use dapodik_webservice::{ErrorCode, Function};
use proptest::prelude::*;

const ENVELOPE: &str = r#"{"results": 3, "id": "registrasi_id", "start": 0, "limit": 20, "rows": [{"nama": "A", "nik": 9171014202080001, "x": [1, {"y": "-"}]}, {"nama": "B"}, {"nama": "C"}]}"#;

fn function() -> impl Strategy<Value = Function> {
    prop::sample::select(Function::ALL.to_vec())
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(403), Just(404), Just(500), 100u16..600]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Arbitrary bytes: no panic, and a body without a `rows` key never yields a row.
    #[test]
    fn arbitrary_bytes_never_panic(f in function(), s in status(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = precheck(f, s, &body);
        if let Ok((rows, _)) = decode_body(f, s, &body) {
            let has_rows_key = body.windows(4).any(|w| w == b"rows");
            prop_assert!(rows.is_empty() || has_rows_key, "rows from a body without an envelope");
            for row in rows {
                let _ = normalise_owned(f.entity(), row);
            }
        }
    }

    /// Text built from JSON-ish tokens reaches the deeper parts of the decoder.
    #[test]
    fn json_like_text_never_panics(f in function(), s in status(), parts in prop::collection::vec(
        prop::sample::select(vec!["{", "}", "[", "]", "\"rows\"", "'rows'", ":", ",", "\"results\"", "1",
            "9171014202080001", "null", "\"success\"", "false", "\"message\"", "\"Data GTK tidak ditemukan\"",
            "\"Aplikasi tidak terdaftar\"", "HTTP/1.0 403 Forbidden\r\n\r\n", "\u{feff}", "\r\n", "'", "\\",
            "\"a\"", "Access denied", "{\"0\":", "<b>", "#0 {main}"]),
        0..40)) {
        let body = parts.concat();
        let _ = precheck(f, s, body.as_bytes());
        if let Ok((rows, _)) = decode_body(f, s, body.as_bytes()) {
            prop_assert!(rows.is_empty() || body.contains("rows"));
            prop_assert!((200..300).contains(&s) || body.contains("HTTP/") || rows.is_empty());
        }
    }

    /// A cut or corrupted envelope gives all its rows or an error — never a silent partial set.
    #[test]
    fn damaged_envelopes_are_all_or_error(cut in 0usize..ENVELOPE.len(), flip in 0usize..ENVELOPE.len(), byte in any::<u8>()) {
        let truncated = &ENVELOPE.as_bytes()[..cut];
        match decode_body(Function::GetPesertaDidik, 200, truncated) {
            Ok((rows, _)) => prop_assert!(rows.is_empty() || rows.len() == 3),
            Err(e) => prop_assert!(e.code.retryable() || e.code == ErrorCode::AccessDenied, "{e}"),
        }
        let mut corrupted = ENVELOPE.as_bytes().to_vec();
        corrupted[flip] = byte;
        let _ = decode_body(Function::GetPesertaDidik, 200, &corrupted);
    }

    /// Deeply nested input is refused, not a stack overflow.
    #[test]
    fn deep_nesting_is_refused(depth in 100usize..5000) {
        let body = format!("{{\"rows\": [{{\"a\": {}{}}}]}}", "[".repeat(depth), "]".repeat(depth));
        let result = decode_body(Function::GetGtk, 200, body.as_bytes());
        if depth > 200 {
            prop_assert_eq!(result.unwrap_err().code, ErrorCode::MalformedResponse);
        }
    }
}

/// Keys that trigger every normalisation rule, and a few that trigger none.
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "peserta_didik_id",
        "ptk_id",
        "nisn",
        "nik",
        "nomor_telepon_seluler",
        "nomor_fax",
        "no_hp",
        "password",
        "nama",
        "anggota_rombel",
        "kebutuhan_khusus_id",
        "x",
    ])
    .prop_map(str::to_string)
}

fn scalar() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..1000).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            "",
            " ",
            "-",
            " - ",
            "0",
            "00",
            "000",
            " 0 ",
            "0.0",
            "10",
            "0091234561",
            "7E1F0A52-0003-4C3E-9D11-AA0000000003",
            " 7e1f0a52-0003-4c3e-9d11-aa0000000003\t",
            "7E1F0A52-0003-4C3E-9D11-AA000000000G",
            "Siti\u{a0}",
            "\u{3000}Putri",
            "a\tb",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = serde_json::Value> {
    scalar().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Normalising while parsing (`NormalisedRow`, the pull's fast path) yields exactly what parsing
    /// a raw row and then normalising it yields.
    #[test]
    fn normalising_while_parsing_equals_normalising_after(
        rows in prop::collection::vec(prop::collection::btree_map(key(), value(), 0..8), 0..4),
        pretty in any::<bool>(),
    ) {
        use dapodik_webservice::decode::{decode_each, decode_each_as};
        use dapodik_webservice::normalise::NormalisedRow;
        use dapodik_webservice::Entity;
        let rows: Vec<serde_json::Value> = rows
            .into_iter()
            .map(|m| serde_json::Value::Object(m.into_iter().collect()))
            .collect();
        let envelope = serde_json::json!({"results": rows.len(), "rows": rows});
        let body = if pretty {
            serde_json::to_vec_pretty(&envelope).unwrap()
        } else {
            serde_json::to_vec(&envelope).unwrap()
        };
        let mut after = Vec::new();
        decode_each(Function::GetPesertaDidik, 200, &body, &mut |raw| {
            after.push(normalise_owned(Entity::PesertaDidik, raw));
            Ok(())
        }).unwrap();
        let mut during = Vec::new();
        decode_each_as::<NormalisedRow>(Function::GetPesertaDidik, 200, &body, &mut |NormalisedRow(r)| {
            during.push(r);
            Ok(())
        }).unwrap();
        prop_assert_eq!(during, after);
    }
}

/// A repeated key: the last value wins, as with a raw row; `password` goes whatever its position.
#[test]
fn normalising_while_parsing_keeps_the_last_of_a_repeated_key() {
    use dapodik_webservice::decode::{decode_each, decode_each_as};
    use dapodik_webservice::normalise::NormalisedRow;
    use dapodik_webservice::Entity;
    let body = br#"{"results": 1, "rows": [{"nama": " A ", "password": "x", "nama": "B", "ptk_id": 0, "ptk_id": "0", "o": {"password": 1, "k": [" - ", {"nisn": 91234561}]}, "password": null}]}"#;
    let mut after = Vec::new();
    decode_each(Function::GetPesertaDidik, 200, body, &mut |raw| {
        after.push(normalise_owned(Entity::PesertaDidik, raw));
        Ok(())
    })
    .unwrap();
    let mut during = Vec::new();
    decode_each_as::<NormalisedRow>(
        Function::GetPesertaDidik,
        200,
        body,
        &mut |NormalisedRow(r)| {
            during.push(r);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(during, after);
    assert_eq!(
        serde_json::Value::Object(during[0].clone()),
        serde_json::json!({"nama": "B", "ptk_id": null, "o": {"k": [null, {"nisn": "0091234561"}]}})
    );
}
