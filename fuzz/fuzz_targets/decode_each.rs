//! Fuzz target: `decode_each` (and `precheck`, and normalisation of whatever rows come out) must never
//! panic, and must never yield a row from a body without a `rows` key.
#![no_main]

use dapodik_webservice::decode::{decode_each, precheck};
use dapodik_webservice::normalise::normalise_owned;
use dapodik_webservice::Function;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the function and the transport status; the rest is the body.
    let (function, status, body) = match data {
        [f, s, body @ ..] => {
            let function = Function::ALL[*f as usize % Function::ALL.len()];
            let status = [200u16, 403, 404, 500, 401, 302][*s as usize % 6];
            (function, status, body)
        }
        _ => (Function::GetPesertaDidik, 200, data),
    };
    let _ = precheck(function, status, body);
    let has_rows_key = body.windows(4).any(|w| w == b"rows");
    let mut rows = 0usize;
    let _ = decode_each(function, status, body, &mut |row| {
        rows += 1;
        let _ = normalise_owned(function.entity(), row);
        Ok(())
    });
    assert!(rows == 0 || has_rows_key, "rows from a body without an envelope");
});
