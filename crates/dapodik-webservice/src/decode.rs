//! Raw response (transport status + body bytes) → rows, or a precise [`WsError`].
//!
//! Every quirk of the shared doc's "Bodies that are not what they say" is survived here:
//! - a UTF-8 BOM and CRLF line ends anywhere outside strings;
//! - a status line and headers *inside* a 200 body (`HTTP/1.0 403 Forbidden\r\n…\r\n\r\n{json}`): the
//!   status is taken from that line (when the transport status is 2xx; a proxy's own error status
//!   is kept), and several such blocks are all stripped;
//! - PHP error text (HTML or plain) before the JSON: the envelope is the first `{` that opens a JSON
//!   object (a `{` followed by a quote, so `#0 {main}` in a stack trace is skipped) and it ends where
//!   the object ends (text after it is ignored); PHP text with no JSON at all → `ServerFault`
//!   (retryable), with an excerpt kept in `detail` (digit runs of 10+ masked);
//! - an envelope written with single-quoted keys or strings (re-quoted, then parsed);
//! - the plain-text `Access denied - …` refusal → `AccessDenied`;
//! - `{"success":false,"message":…}` bodies → their own codes (`NpsnMissing`, `SchoolNotFound`,
//!   `SemesterNotFound`, `KeyNotRegistered`, `IpMismatch`), and `Data … tidak ditemukan` → zero rows
//!   with [`DecodeSummary::empty_reported`];
//! - real HTTP statuses without such a body: 404 → `FunctionMissing`, 401/403 → `AccessDenied`,
//!   408 → `Timeout`, 5xx and anything else that is not 2xx → `ServerFault`;
//! - truncated or garbage JSON → `MalformedResponse` (also after some rows were already yielded: the
//!   caller's transaction rolls back).
//!
//! Contract: never panics on any input; yields rows only when the body holds a success envelope
//! (`{"results", "rows", …}`) under a 2xx status; hands rows to the callback ONE AT A TIME while
//! parsing (a `DeserializeSeed` over `rows`), so a 100,000-student body is never held as 100,000
//! parsed values at once. `getSekolah`'s object `rows` is one row; an object `rows` whose first key is
//! a number (`{"0": {…}, "1": {…}}`, PHP's encoding of a non-sequential array) is a list of rows.
//!
//! Numbers: serde_json parses integers up to 2^64-1 exactly as `u64`/`i64` (never through `f64`), so a
//! NIK such as `9171014202080001` sent as a JSON number survives exactly; no Dapodik identifier is
//! longer than 18 digits. (`arbitrary_precision` is deliberately not enabled: it is workspace-wide and
//! changes how every other crate, Tauri included, deserialises numbers.)

use crate::privacy::mask_digit_runs;
use crate::{ErrorCode, Function, WsError};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

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
    decode_inner::<RawRow>(function, http_status, body, Some(on_row))
}

/// [`decode_each`] with rows deserialised straight into `T` instead of a [`RawRow`] — for callers
/// that need a few fields of every row (fields `T` does not name are skipped without being built).
/// Same error handling; a row that does not fit `T` is `MalformedResponse`.
pub fn decode_each_as<T: serde::de::DeserializeOwned>(
    function: Function,
    http_status: u16,
    body: &[u8],
    on_row: &mut dyn FnMut(T) -> Result<(), WsError>,
) -> Result<DecodeSummary, WsError> {
    decode_inner::<T>(function, http_status, body, Some(on_row))
}

/// Convenience over [`decode_each`]: all rows collected.
pub fn decode_body(
    function: Function,
    http_status: u16,
    body: &[u8],
) -> Result<(Vec<RawRow>, DecodeSummary), WsError> {
    let mut rows = Vec::new();
    let summary = decode_each(function, http_status, body, &mut |r| {
        rows.push(r);
        Ok(())
    })?;
    Ok((rows, summary))
}

/// A cheap check of a body without reading its rows: the same error detection as [`decode_each`], but
/// parsing stops as soon as the envelope's `rows` key is reached. `Ok` means "a success envelope (or
/// an empty set reported as an error) begins here"; the summary's `rows` is always 0 and a body that
/// is truncated *inside* `rows` is only caught by [`decode_each`]. Used at fetch time so that an error
/// body fails the pull before anything is staged.
pub fn precheck(
    function: Function,
    http_status: u16,
    body: &[u8],
) -> Result<DecodeSummary, WsError> {
    decode_inner::<RawRow>(function, http_status, body, None)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn decode_inner<T: serde::de::DeserializeOwned>(
    function: Function,
    transport_status: u16,
    body: &[u8],
    on_row: Option<&mut dyn FnMut(T) -> Result<(), WsError>>,
) -> Result<DecodeSummary, WsError> {
    let (status, body) = effective_status(transport_status, body);
    let status_ok = (200..300).contains(&status);

    if starts_with_ignore_case(body, b"access denied") {
        return Err(WsError::new(
            ErrorCode::AccessDenied,
            format!(
                "{}: plain-text refusal: {}",
                function.name(),
                first_line_excerpt(body)
            ),
        ));
    }

    let Some(start) = find_envelope_start(body) else {
        return Err(no_json_error(function, status, body));
    };
    let json = &body[start..];

    // Rows are streamed only under a 2xx status; otherwise the body is read for its message only.
    let mut on_row = if status_ok { on_row } else { None };
    let mut parsed = parse_envelope(json, reborrow(&mut on_row));
    if let Err(ParseFailure::Syntax(_)) = &parsed {
        if parsed_nothing_yet(&parsed) && json.contains(&b'\'') {
            let requoted = requote_single_quoted(json);
            parsed = parse_envelope(&requoted, reborrow(&mut on_row));
        }
    }

    let envelope = match parsed {
        Ok(envelope) => envelope,
        Err(ParseFailure::Callback(e)) => return Err(e),
        Err(ParseFailure::Syntax(failure)) => {
            // A message seen before the syntax error still explains the body better than the error.
            if let Some(err) = failure.envelope.message_error(function) {
                return err;
            }
            if !status_ok {
                return Err(status_error(function, status, body));
            }
            return Err(WsError::new(
                ErrorCode::MalformedResponse,
                format!(
                    "{}: {} after {} rows",
                    function.name(),
                    failure.detail,
                    failure.envelope.rows
                ),
            ));
        }
    };

    if envelope.success == Some(false) || (envelope.message.is_some() && !envelope.rows_seen) {
        if let Some(result) = envelope.message_error(function) {
            return result;
        }
        if !status_ok {
            return Err(status_error(function, status, body));
        }
        return Err(WsError::new(
            ErrorCode::ServerFault,
            format!(
                "{}: unrecognised failure envelope (http_code {}): {}",
                function.name(),
                envelope
                    .http_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                excerpt(envelope.message.as_deref().unwrap_or("").as_bytes(), 200)
            ),
        ));
    }
    if !status_ok {
        return Err(status_error(function, status, body));
    }
    if !envelope.rows_seen {
        return Err(WsError::new(
            ErrorCode::MalformedResponse,
            format!(
                "{}: JSON object without `rows` (not a Web Service envelope)",
                function.name()
            ),
        ));
    }
    Ok(DecodeSummary {
        rows: envelope.rows,
        empty_reported: false,
        results: envelope.results,
    })
}

fn reborrow<'a, T>(
    sink: &'a mut Option<&mut dyn FnMut(T) -> Result<(), WsError>>,
) -> RowSink<'a, T> {
    match sink {
        Some(f) => Some(&mut **f),
        None => None,
    }
}

fn parsed_nothing_yet(parsed: &Result<Envelope, ParseFailure>) -> bool {
    match parsed {
        // No row has reached the callback yet, so parsing again cannot yield a row twice.
        Err(ParseFailure::Syntax(f)) => f.envelope.rows == 0,
        _ => false,
    }
}

fn skip_bom_and_space(mut b: &[u8]) -> &[u8] {
    loop {
        if let Some(rest) = b.strip_prefix(UTF8_BOM) {
            b = rest;
        } else if let Some((first, rest)) = b.split_first() {
            if first.is_ascii_whitespace() {
                b = rest;
            } else {
                return b;
            }
        } else {
            return b;
        }
    }
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The status that counts and the body after any status-line blocks printed into it. An in-body
/// status replaces a 2xx transport status; a non-2xx transport status (a proxy's) is kept. Several
/// blocks (`HTTP/1.1 100 Continue` then the real one) are all stripped; the last one counts.
fn effective_status(transport_status: u16, body: &[u8]) -> (u16, &[u8]) {
    let mut status = transport_status;
    let mut body = skip_bom_and_space(body);
    for _ in 0..4 {
        if !starts_with_ignore_case(body, b"HTTP/") {
            break;
        }
        let (in_body, rest) = split_status_in_body(status, body);
        if (200..300).contains(&transport_status) {
            status = in_body;
        }
        body = skip_bom_and_space(rest);
    }
    (status, body)
}

/// `HTTP/1.0 403 Forbidden\r\nHeader: …\r\n\r\n{json}` → (403, `{json}`). Bodies without such a
/// prefix are returned unchanged with the transport status.
fn split_status_in_body(transport_status: u16, body: &[u8]) -> (u16, &[u8]) {
    if !starts_with_ignore_case(body, b"HTTP/") {
        return (transport_status, body);
    }
    let line_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = &body[..line_end];
    let status = line
        .split(|&b| b == b' ')
        .filter(|part| !part.is_empty())
        .nth(1)
        .filter(|code| code.len() == 3 && code.iter().all(u8::is_ascii_digit))
        .and_then(|code| std::str::from_utf8(code).ok()?.parse::<u16>().ok())
        .unwrap_or(transport_status);
    // The header block ends at the first empty line (CRLF or bare LF).
    let mut pos = line_end;
    while pos < body.len() {
        let next_end = body[pos + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + 1 + i)
            .unwrap_or(body.len());
        let header_line = &body[(pos + 1).min(body.len())..next_end];
        let header_line = header_line.strip_suffix(b"\r").unwrap_or(header_line);
        if header_line.is_empty() {
            return (status, &body[(next_end + 1).min(body.len())..]);
        }
        pos = next_end;
    }
    (status, &[])
}

/// The first `{` that opens a JSON object: followed (after whitespace) by a quote or `}`.
fn find_envelope_start(body: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = body[from..].iter().position(|&b| b == b'{') {
        let at = from + i;
        let next = body[at + 1..].iter().find(|b| !b.is_ascii_whitespace());
        if matches!(next, Some(b'"') | Some(b'\'') | Some(b'}')) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A body with no JSON object in it.
fn no_json_error(function: Function, status: u16, body: &[u8]) -> WsError {
    if !(200..300).contains(&status) {
        return status_error(function, status, body);
    }
    if body.is_empty() {
        return WsError::new(
            ErrorCode::MalformedResponse,
            format!("{}: empty body", function.name()),
        );
    }
    let text = excerpt(body, 300);
    if text.to_ascii_lowercase().contains("access denied") {
        return WsError::new(
            ErrorCode::AccessDenied,
            format!("{}: refusal: {text}", function.name()),
        );
    }
    WsError::new(
        ErrorCode::ServerFault,
        format!(
            "{}: server error text instead of JSON: {text}",
            function.name()
        ),
    )
}

/// A non-2xx status whose body did not explain itself.
fn status_error(function: Function, status: u16, body: &[u8]) -> WsError {
    let name = function.name();
    let text = excerpt(body, 160);
    let (code, what) = match status {
        404 => (
            ErrorCode::FunctionMissing,
            "function not provided by this Dapodik build",
        ),
        401 | 403 => (ErrorCode::AccessDenied, "access refused"),
        408 => (ErrorCode::Timeout, "request timeout"),
        500..=599 => (ErrorCode::ServerFault, "server error"),
        _ => (ErrorCode::ServerFault, "unexpected HTTP status"),
    };
    if text.is_empty() {
        WsError::new(code, format!("{name}: HTTP {status} ({what})"))
    } else {
        WsError::new(code, format!("{name}: HTTP {status} ({what}): {text}"))
    }
}

/// A short, single-line, tag-free excerpt of server text for `detail`, with digit runs of 10+ masked.
fn excerpt(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max_chars * 8)]);
    let mut out = String::new();
    let mut in_tag = false;
    let mut last_space = true;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => {
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            }
            c => {
                out.push(c);
                last_space = false;
            }
        }
        if out.chars().count() >= max_chars {
            out.push('…');
            break;
        }
    }
    mask_digit_runs(out.trim())
}

fn first_line_excerpt(body: &[u8]) -> String {
    let end = body
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(body.len());
    excerpt(&body[..end], 120)
}

/// How a `success:false` message is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageClass {
    /// `Data … tidak ditemukan`: an empty set reported as an error.
    EmptySet,
    Error(ErrorCode),
}

/// Classify a Web Service failure message (case- and whitespace-insensitive).
pub fn classify_message(message: &str) -> Option<MessageClass> {
    let m = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if m.starts_with("data ") && m.contains("tidak ditemukan") {
        return Some(MessageClass::EmptySet);
    }
    let code = if m.contains("parameter npsn") {
        ErrorCode::NpsnMissing
    } else if m.contains("sekolah tidak ditemukan") {
        ErrorCode::SchoolNotFound
    } else if m.contains("semester tidak ditemukan") {
        ErrorCode::SemesterNotFound
    } else if m.contains("aplikasi tidak terdaftar") {
        ErrorCode::KeyNotRegistered
    } else if m.contains("ip address") && m.contains("berbeda") {
        ErrorCode::IpMismatch
    } else if m.contains("access denied") {
        ErrorCode::AccessDenied
    } else {
        return None;
    };
    Some(MessageClass::Error(code))
}

/// The envelope's fields other than rows, filled while parsing.
#[derive(Debug, Default)]
struct Envelope {
    results: Option<u64>,
    success: Option<bool>,
    message: Option<String>,
    http_code: Option<u64>,
    rows_seen: bool,
    rows: usize,
}

impl Envelope {
    /// The outcome a failure message dictates, if it is a known one.
    fn message_error(&self, function: Function) -> Option<Result<DecodeSummary, WsError>> {
        if self.success == Some(true) || self.rows_seen {
            return None;
        }
        let message = self.message.as_deref()?;
        let text = excerpt(message.as_bytes(), 200);
        match classify_message(message)? {
            MessageClass::EmptySet => Some(Ok(DecodeSummary {
                rows: 0,
                empty_reported: true,
                results: self.results,
            })),
            MessageClass::Error(code) => Some(Err(WsError::new(
                code,
                format!(
                    "{}: server said \"{text}\" (http_code {})",
                    function.name(),
                    self.http_code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into())
                ),
            ))),
        }
    }
}

struct SyntaxFailure {
    envelope: Envelope,
    detail: String,
}

enum ParseFailure {
    /// The row callback refused a row: its error, returned as is.
    Callback(WsError),
    /// The JSON could not be read (truncated, garbage, wrong shape).
    Syntax(SyntaxFailure),
}

/// Internal marker: in probe mode, parsing stops when `rows` is reached.
const PROBE_STOP: &str = "dapodik-webservice: probe reached rows";
/// Internal marker: the row callback returned an error (kept aside).
const CALLBACK_STOP: &str = "dapodik-webservice: row callback stopped";

type RowSink<'a, T> = Option<&'a mut dyn FnMut(T) -> Result<(), WsError>>;

struct State<'s, T> {
    sink: RowSink<'s, T>,
    envelope: Envelope,
    callback_error: Option<WsError>,
}

fn parse_envelope<T: serde::de::DeserializeOwned>(
    json: &[u8],
    sink: RowSink<'_, T>,
) -> Result<Envelope, ParseFailure> {
    let mut state = State {
        sink,
        envelope: Envelope::default(),
        callback_error: None,
    };
    let result = if state.sink.is_none() {
        // Probe: only the head is read; strings are validated as they are met.
        run_envelope(&mut serde_json::Deserializer::from_slice(json), &mut state)
    } else {
        // Stream: validate UTF-8 once for the whole body, so strings are not re-validated one by one.
        // A body with invalid bytes (a PHP build writing Latin-1) is read with U+FFFD in their place,
        // rather than failing every pull of the school forever; the validator flags such names.
        match std::str::from_utf8(json) {
            Ok(text) => run_envelope(&mut serde_json::Deserializer::from_str(text), &mut state),
            Err(_) => {
                tracing::warn!(
                    "Web Service body is not valid UTF-8; invalid bytes replaced by U+FFFD"
                );
                let text = String::from_utf8_lossy(json);
                run_envelope(&mut serde_json::Deserializer::from_str(&text), &mut state)
            }
        }
    };
    // Text after the envelope (PHP notices) is ignored on purpose: no `de.end()`.
    match result {
        Ok(()) => Ok(state.envelope),
        Err(e) => {
            if let Some(cb) = state.callback_error.take() {
                return Err(ParseFailure::Callback(cb));
            }
            if state.sink.is_none()
                && state.envelope.rows_seen
                && e.to_string().starts_with(PROBE_STOP)
            {
                return Ok(state.envelope);
            }
            let kind = match e.classify() {
                serde_json::error::Category::Eof => "truncated JSON",
                serde_json::error::Category::Syntax => "invalid JSON",
                serde_json::error::Category::Data => "unexpected JSON shape",
                serde_json::error::Category::Io => "read error",
            };
            let detail = format!("{kind} at line {} column {}", e.line(), e.column());
            Err(ParseFailure::Syntax(SyntaxFailure {
                envelope: state.envelope,
                detail,
            }))
        }
    }
}

fn run_envelope<'de, R: serde_json::de::Read<'de>, T: serde::de::DeserializeOwned>(
    de: &mut serde_json::Deserializer<R>,
    state: &mut State<'_, T>,
) -> Result<(), serde_json::Error> {
    EnvelopeSeed { state }.deserialize(de)
}

/// Envelope keys the decoder cares about; everything else is skipped.
enum EnvelopeKey {
    Results,
    Rows,
    Success,
    Message,
    HttpCode,
    Other,
}

impl<'de> Deserialize<'de> for EnvelopeKey {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = EnvelopeKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an envelope key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvelopeKey, E> {
                Ok(match v {
                    "results" => EnvelopeKey::Results,
                    "rows" => EnvelopeKey::Rows,
                    "success" => EnvelopeKey::Success,
                    "message" => EnvelopeKey::Message,
                    "http_code" => EnvelopeKey::HttpCode,
                    _ => EnvelopeKey::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

struct EnvelopeSeed<'x, 's, T> {
    state: &'x mut State<'s, T>,
}

impl<'de, T: serde::de::DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<'_, '_, T> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for EnvelopeSeed<'_, '_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Web Service envelope object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<EnvelopeKey>()? {
            match key {
                EnvelopeKey::Results => {
                    let v: serde_json::Value = map.next_value()?;
                    self.state.envelope.results = match &v {
                        serde_json::Value::Number(n) => n.as_u64(),
                        serde_json::Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                }
                EnvelopeKey::Success => {
                    let v: serde_json::Value = map.next_value()?;
                    self.state.envelope.success = match &v {
                        serde_json::Value::Bool(b) => Some(*b),
                        serde_json::Value::Number(n) => n.as_u64().map(|n| n != 0),
                        serde_json::Value::String(s) => {
                            match s.trim().to_ascii_lowercase().as_str() {
                                "true" | "1" => Some(true),
                                "false" | "0" => Some(false),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                }
                EnvelopeKey::Message => {
                    let v: serde_json::Value = map.next_value()?;
                    self.state.envelope.message = match v {
                        serde_json::Value::String(s) => Some(s),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    };
                }
                EnvelopeKey::HttpCode => {
                    let v: serde_json::Value = map.next_value()?;
                    self.state.envelope.http_code = match &v {
                        serde_json::Value::Number(n) => n.as_u64(),
                        serde_json::Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    };
                }
                EnvelopeKey::Rows => {
                    self.state.envelope.rows_seen = true;
                    if self.state.sink.is_none() {
                        return Err(de::Error::custom(PROBE_STOP));
                    }
                    map.next_value_seed(RowsSeed {
                        state: &mut *self.state,
                    })?;
                }
                EnvelopeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct RowsSeed<'x, 's, T> {
    state: &'x mut State<'s, T>,
}

impl<T> RowsSeed<'_, '_, T> {
    fn emit<E: de::Error>(&mut self, row: T) -> Result<(), E> {
        self.state.envelope.rows += 1;
        if let Some(sink) = self.state.sink.as_mut() {
            if let Err(e) = sink(row) {
                self.state.callback_error = Some(e);
                return Err(E::custom(CALLBACK_STOP));
            }
        }
        Ok(())
    }
}

impl<'de, T: serde::de::DeserializeOwned> DeserializeSeed<'de> for RowsSeed<'_, '_, T> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for RowsSeed<'_, '_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`rows`: an array of objects, an object, or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<T>()? {
            self.emit(row)?;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        // `getSekolah`: the object is the row. An object whose first key is a number is PHP's
        // encoding of a list (`{"0": {…}, "1": {…}}`): each value is a row.
        let Some(first_key) = map.next_key::<String>()? else {
            let row = object_row::<T, A::Error>(RawRow::new())?;
            return self.emit(row);
        };
        if !first_key.is_empty() && first_key.bytes().all(|b| b.is_ascii_digit()) {
            let row = map.next_value::<T>()?;
            self.emit(row)?;
            while let Some(_index) = map.next_key::<IgnoredAny>()? {
                let row = map.next_value::<T>()?;
                self.emit(row)?;
            }
            return Ok(());
        }
        let mut row = RawRow::new();
        row.insert(first_key, map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            row.insert(k, v);
        }
        let row = object_row::<T, A::Error>(row)?;
        self.emit(row)
    }
}

/// A row read as a map (its first key was already consumed) turned into `T`; the one `getSekolah`
/// row, so the round trip through a `Value` costs nothing that matters.
fn object_row<T: serde::de::DeserializeOwned, E: de::Error>(row: RawRow) -> Result<T, E> {
    T::deserialize(serde_json::Value::Object(row)).map_err(|e| {
        E::custom(match e.classify() {
            serde_json::error::Category::Data => "row of unexpected shape",
            _ => "row cannot be read",
        })
    })
}

/// Re-quote a JSON text written with single-quoted strings (`{'results': 1, …}`): single-quoted
/// strings outside double-quoted ones become double-quoted, with `"` inside escaped and `\'` unescaped.
fn requote_single_quoted(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + 16);
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'"' => {
                // Copy a double-quoted string verbatim.
                out.push(b'"');
                i += 1;
                while i < input.len() {
                    let b = input[i];
                    out.push(b);
                    i += 1;
                    if b == b'\\' && i < input.len() {
                        out.push(input[i]);
                        i += 1;
                    } else if b == b'"' {
                        break;
                    }
                }
            }
            b'\'' => {
                out.push(b'"');
                i += 1;
                while i < input.len() {
                    let b = input[i];
                    i += 1;
                    match b {
                        b'\\' if i < input.len() => {
                            if input[i] == b'\'' {
                                out.push(b'\'');
                            } else {
                                out.push(b'\\');
                                out.push(input[i]);
                            }
                            i += 1;
                        }
                        b'"' => out.extend_from_slice(b"\\\""),
                        b'\'' => {
                            out.push(b'"');
                            break;
                        }
                        other => out.push(other),
                    }
                }
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_in_body_is_split_off() {
        let body = b"HTTP/1.0 403 Forbidden\r\nA: b\r\n\r\n{\"x\":1}";
        assert_eq!(split_status_in_body(200, body), (403, &b"{\"x\":1}"[..]));
        let lf = b"HTTP/1.1 200 OK\nA: b\n\n{}";
        assert_eq!(split_status_in_body(200, lf), (200, &b"{}"[..]));
        let garbage = b"HTTP/1.1 abc\r\n";
        assert_eq!(split_status_in_body(200, garbage), (200, &b""[..]));
    }

    #[test]
    fn envelope_start_skips_braces_of_stack_traces() {
        let body = b"#0 {main}\n thrown {\"results\": 1}";
        assert_eq!(find_envelope_start(body), Some(body.len() - 14));
        assert_eq!(find_envelope_start(b"{main}"), None);
    }

    #[test]
    fn requote_turns_single_quotes_into_json() {
        let s = br#"{'results': 1, 'id': 'a"b', "rows": ["it's", 'don\'t']}"#;
        let v: serde_json::Value = serde_json::from_slice(&requote_single_quoted(s)).unwrap();
        assert_eq!(v["id"], "a\"b");
        assert_eq!(v["rows"][0], "it's");
        assert_eq!(v["rows"][1], "don't");
    }
}
