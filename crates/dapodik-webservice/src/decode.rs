//! Raw response (transport status + body bytes) → rows, or a precise [`WsError`].
//!
//! TODO(H1): implement every quirk of `../shared/docs/dapodik-webservice.md` ("Bodies that are not what
//! they say"). Contract:
//! - never panics on any input;
//! - yields rows only when the body holds a success envelope (`{"results", "rows", …}`);
//! - `Data … tidak ditemukan` → zero rows with `empty_reported: true`;
//! - `getSekolah`'s object `rows` → one row;
//! - rows are handed to the callback ONE AT A TIME while parsing (a DeserializeSeed over `rows`), so a
//!   100,000-student body is never held as 100,000 parsed values at once (peak-memory target: the whole
//!   pipeline stays under 200 MB RSS at 100k students). Malformed/truncated JSON → `MalformedResponse`
//!   even if some rows were already yielded (the caller's transaction rolls back).

use crate::{Function, WsError};

pub type RawRow = serde_json::Map<String, serde_json::Value>;

/// What a successful body said besides its rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodeSummary {
    /// Rows yielded.
    pub rows: usize,
    /// The server reported an empty set as an error (`Data … tidak ditemukan`): zero rows, and not a
    /// complete view of the data (it must never be taken as "every record was removed").
    pub empty_reported: bool,
    /// The envelope's `results` count, when present.
    pub results: Option<u64>,
}

/// Decode one response of `function`, handing each raw row to `on_row` as it is parsed.
/// An error returned by `on_row` aborts decoding and is returned as is.
pub fn decode_each(
    function: Function,
    http_status: u16,
    body: &[u8],
    on_row: &mut dyn FnMut(RawRow) -> Result<(), WsError>,
) -> Result<DecodeSummary, WsError> {
    let _ = (function, http_status, body, on_row);
    todo!("H1")
}

/// Convenience over [`decode_each`]: all rows collected.
pub fn decode_body(function: Function, http_status: u16, body: &[u8]) -> Result<(Vec<RawRow>, DecodeSummary), WsError> {
    let mut rows = Vec::new();
    let summary = decode_each(function, http_status, body, &mut |r| {
        rows.push(r);
        Ok(())
    })?;
    Ok((rows, summary))
}
