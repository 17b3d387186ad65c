//! The HTTP client for the live Web Service: `GET {base}/WebService/{function}?npsn={npsn}` with
//! exactly `Authorization: Bearer {key}`.
//!
//! - A short connect timeout (is Dapodik there at all?) and a long read timeout (a big school's server
//!   runs several queries per student before the first byte): a slow-but-alive request is not failed.
//!   There is no total timeout.
//! - The body is streamed with a size cap (`ResponseTooLarge`) and a progress callback (bytes so far),
//!   into memory ([`WebServiceClient::fetch`]) or, for a pull, into memory up to [`SPOOL_ABOVE`] bytes
//!   and then into a file in a folder the caller owns ([`WebServiceClient::fetch_spooled`]), so a pull
//!   of a big school does not keep every body in memory. Nothing is decoded here: see [`crate::decode`].
//! - Connection refused, DNS failure, unreachable host, connect timeout → `DapodikUnreachable`;
//!   a read timeout → `Timeout`; a connection that breaks mid-body → `MalformedResponse`.
//! - No proxy: Dapodik is on this PC or the school LAN, and a system proxy would only be in the way.
//! - The key is never logged, never in a URL, never in `Debug` or an error detail; the header value is
//!   marked sensitive.

use crate::source::{HeldBody, HeldResponse, ProgressFn, RawResponse};
use crate::{ErrorCode, Function, WsError};
use reqwest::header::{HeaderValue, AUTHORIZATION};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub max_response_bytes: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(180),
            max_response_bytes: 512 * 1024 * 1024,
        }
    }
}

/// A body larger than this is written to a file by [`WebServiceClient::fetch_spooled`].
pub const SPOOL_ABOVE: usize = 1 << 20;

pub struct WebServiceClient {
    base_url: String,
    npsn: String,
    /// `Bearer {key}`, marked sensitive. The key itself is not kept anywhere else.
    auth: HeaderValue,
    config: ClientConfig,
    http: reqwest::Client,
}

impl std::fmt::Debug for WebServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebServiceClient")
            .field("base_url", &self.base_url)
            .field("npsn", &self.npsn)
            .field("key", &"<redacted>")
            .field("config", &self.config)
            .finish()
    }
}

impl WebServiceClient {
    /// `base_url` like `http://127.0.0.1:5774` (a trailing slash is tolerated; `127.0.0.1:5774`
    /// without a scheme means `http://`). Errors: `NotConfigured` for an empty/invalid URL or key,
    /// `NpsnMissing` for an empty NPSN.
    pub fn new(
        base_url: &str,
        npsn: &str,
        key: &str,
        config: ClientConfig,
    ) -> Result<Self, WsError> {
        let base_url = normalise_base_url(base_url)?;
        let npsn = npsn.trim();
        if npsn.is_empty() {
            return Err(WsError::new(ErrorCode::NpsnMissing, "no NPSN configured"));
        }
        let key = key.trim();
        if key.is_empty() {
            return Err(WsError::new(
                ErrorCode::NotConfigured,
                "no Web Service key configured",
            ));
        }
        if key.chars().any(char::is_whitespace) {
            // The server takes the key up to the first whitespace: such a key can never work.
            return Err(WsError::new(
                ErrorCode::NotConfigured,
                "the Web Service key contains whitespace",
            ));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            WsError::new(
                ErrorCode::NotConfigured,
                "the Web Service key contains characters not allowed in a header",
            )
        })?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .no_proxy()
            .user_agent(concat!("dapodik-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                WsError::new(
                    ErrorCode::NotConfigured,
                    format!("HTTP client cannot be built: {e}"),
                )
            })?;
        Ok(WebServiceClient {
            base_url,
            npsn: npsn.to_string(),
            auth,
            config,
            http,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn npsn(&self) -> &str {
        &self.npsn
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The URL of one function (no key in it, ever).
    pub fn function_url(&self, function: Function) -> Result<reqwest::Url, WsError> {
        let mut url =
            reqwest::Url::parse(&format!("{}/WebService/{}", self.base_url, function.name()))
                .map_err(|e| {
                    WsError::new(
                        ErrorCode::NotConfigured,
                        format!("invalid Web Service URL: {e}"),
                    )
                })?;
        url.query_pairs_mut().append_pair("npsn", &self.npsn);
        Ok(url)
    }

    /// Fetch one function's raw response, whatever its status (decoding judges the status).
    pub async fn fetch(
        &self,
        function: Function,
        progress: &ProgressFn,
    ) -> Result<RawResponse, WsError> {
        let held = self.fetch_into(function, progress, None).await?;
        let body = match held.body {
            HeldBody::Memory(body) => body,
            HeldBody::File { .. } => unreachable!("no spool folder, no file"),
        };
        Ok(RawResponse {
            http_status: held.http_status,
            body,
        })
    }

    /// [`fetch`](Self::fetch), with a body over [`SPOOL_ABOVE`] bytes written to
    /// `spool/<function>.body` (created readable by its owner only; the caller deletes the folder).
    pub async fn fetch_spooled(
        &self,
        function: Function,
        progress: &ProgressFn,
        spool: &Path,
    ) -> Result<HeldResponse, WsError> {
        self.fetch_into(function, progress, Some(spool)).await
    }

    async fn fetch_into(
        &self,
        function: Function,
        progress: &ProgressFn,
        spool: Option<&Path>,
    ) -> Result<HeldResponse, WsError> {
        let url = self.function_url(function)?;
        let what = format!("{} {}", function.name(), self.base_url);
        tracing::debug!(function = function.name(), base_url = %self.base_url, "requesting Web Service function");
        let request = self.http.get(url).header(AUTHORIZATION, self.auth.clone());
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&what, &e))?;
        let http_status = response.status().as_u16();
        let spool_path = spool.map(|dir| dir.join(format!("{}.body", function.name())));
        let body = self
            .read_body(response, &what, spool_path.as_deref(), &mut |bytes| {
                progress(function, bytes)
            })
            .await?;
        tracing::debug!(
            function = function.name(),
            http_status,
            bytes = body.len(),
            spooled = matches!(body, HeldBody::File { .. }),
            "Web Service response received"
        );
        Ok(HeldResponse { http_status, body })
    }

    /// `GET {base}/` without a token — Dapodik's login page: "is Dapodik running there?".
    /// Returns the HTTP status (200 when Dapodik answers); transport failures are errors.
    pub async fn probe_root(&self) -> Result<u16, WsError> {
        let url = format!("{}/", self.base_url);
        let what = format!("probe {}", self.base_url);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| transport_error(&what, &e))?;
        let status = response.status().as_u16();
        // Read (and drop) a bounded body so the connection ends cleanly; its content does not matter.
        let _ = self.read_body(response, &what, None, &mut |_| {}).await;
        Ok(status)
    }

    /// Read the body with the size cap; past [`SPOOL_ABOVE`] bytes, into the file `spool_path`
    /// when one is given.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        what: &str,
        spool_path: Option<&Path>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<HeldBody, WsError> {
        let max = self.config.max_response_bytes;
        let too_large = || {
            WsError::new(
                ErrorCode::ResponseTooLarge,
                format!("{what}: response larger than the limit of {max} bytes"),
            )
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > max) {
            return Err(too_large());
        }
        // Pre-size from Content-Length (bounded), so a 100 MB body is not copied while growing.
        let memory_cap = if spool_path.is_some() {
            SPOOL_ABOVE as u64 + 64 * 1024
        } else {
            1 << 30
        };
        let initial = declared.unwrap_or(64 * 1024).min(max).min(memory_cap) as usize;
        let mut body: Vec<u8> = Vec::with_capacity(initial);
        let mut file: Option<(std::io::BufWriter<std::fs::File>, &Path)> = None;
        let mut received: u64 = 0;
        progress(0);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| body_error(what, received as usize, &e))?
        {
            if received + chunk.len() as u64 > max {
                return Err(too_large());
            }
            received += chunk.len() as u64;
            match (&mut file, spool_path) {
                (Some((out, path)), _) => out
                    .write_all(&chunk)
                    .map_err(|e| spool_error(what, path, &e))?,
                (None, Some(path)) if body.len() + chunk.len() > SPOOL_ABOVE => {
                    let mut out = std::io::BufWriter::with_capacity(
                        256 * 1024,
                        create_private_file(path).map_err(|e| spool_error(what, path, &e))?,
                    );
                    out.write_all(&body)
                        .and_then(|_| out.write_all(&chunk))
                        .map_err(|e| spool_error(what, path, &e))?;
                    body = Vec::new();
                    file = Some((out, path));
                }
                (None, _) => body.extend_from_slice(&chunk),
            }
            progress(received);
        }
        match file {
            Some((out, path)) => {
                out.into_inner()
                    .map_err(|e| spool_error(what, path, e.error()))?;
                Ok(HeldBody::File {
                    path: path.to_path_buf(),
                    len: received,
                })
            }
            None => Ok(HeldBody::Memory(bytes::Bytes::from(body))),
        }
    }
}

/// A new file readable and writable by its owner only (it holds personal data).
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// The spool file cannot be written (disk full, temporary folder gone): retryable, nothing was staged.
fn spool_error(what: &str, path: &Path, e: &std::io::Error) -> WsError {
    WsError::new(
        ErrorCode::ServerFault,
        format!(
            "{what}: response cannot be kept in the temporary file {}: {e}",
            path.display()
        ),
    )
}

fn normalise_base_url(base_url: &str) -> Result<String, WsError> {
    let trimmed = base_url.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(WsError::new(
            ErrorCode::NotConfigured,
            "no Web Service address configured",
        ));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let url = reqwest::Url::parse(&with_scheme).map_err(|e| {
        WsError::new(
            ErrorCode::NotConfigured,
            format!("invalid Web Service address: {e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(WsError::new(
            ErrorCode::NotConfigured,
            "the Web Service address must be http://HOST:PORT",
        ));
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(WsError::new(
            ErrorCode::NotConfigured,
            "the Web Service address must not carry a query, fragment or credentials",
        ));
    }
    Ok(with_scheme)
}

/// The error chain of a reqwest error, without the URL (which we describe ourselves).
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

fn transport_error(what: &str, e: &reqwest::Error) -> WsError {
    let chain = error_chain(e);
    if e.is_connect() {
        // Refused, DNS, unreachable network, or no answer to the connect within the connect timeout.
        WsError::new(
            ErrorCode::DapodikUnreachable,
            format!("{what}: cannot connect: {chain}"),
        )
    } else if e.is_timeout() {
        WsError::new(
            ErrorCode::Timeout,
            format!("{what}: no answer within the read timeout: {chain}"),
        )
    } else if e.is_builder() {
        WsError::new(ErrorCode::NotConfigured, format!("{what}: {chain}"))
    } else {
        // Connection reset before a status line, malformed HTTP, …
        WsError::new(
            ErrorCode::DapodikUnreachable,
            format!("{what}: request failed: {chain}"),
        )
    }
}

fn body_error(what: &str, received: usize, e: &reqwest::Error) -> WsError {
    let chain = error_chain(e);
    if e.is_timeout() {
        WsError::new(
            ErrorCode::Timeout,
            format!("{what}: body stalled after {received} bytes: {chain}"),
        )
    } else {
        WsError::new(
            ErrorCode::MalformedResponse,
            format!("{what}: body broken off after {received} bytes: {chain}"),
        )
    }
}
