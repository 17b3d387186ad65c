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
