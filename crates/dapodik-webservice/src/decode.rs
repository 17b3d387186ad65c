//! Raw response (transport status + body bytes) → rows, or a precise [`WsError`].
//!
//! TODO(H1): implement every quirk of `../shared/docs/dapodik-webservice.md` ("Bodies that are not what
//! they say"). Contract:
//! - never panics on any input;
//! - returns rows only when the body holds a success envelope (`{"results", "rows", …}`);
//! - `Data … tidak ditemukan` → `Ok(Decoded { rows: vec![], empty_reported: true })`;
//! - `getSekolah`'s object `rows` → one row.

use crate::{Function, WsError};

/// What a successful body holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Raw rows as JSON objects, in the order received (not yet normalised).
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The server reported an empty set as an error (`Data … tidak ditemukan`): zero rows, and not a
    /// complete view of the data (it must never be taken as "every record was removed").
    pub empty_reported: bool,
    /// The envelope's `results` count, when present.
    pub results: Option<u64>,
}

/// Decode one response of `function`.
pub fn decode_body(function: Function, http_status: u16, body: &[u8]) -> Result<Decoded, WsError> {
    let _ = (function, http_status, body);
    todo!("H1")
}
