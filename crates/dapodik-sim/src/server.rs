//! The simulated Web Service over HTTP (axum on Tokio): `GET /` answers Dapodik's login page,
//! `GET /WebService/{function}?npsn=` answers like the real server — its checks in order, its
//! error bodies, its quirks — and [`Fault`]s can be switched on and off while it runs.
//!
//! Bodies are rendered once per semester and served as shared bytes, so serving a school of
//! 100,000 students costs a memcpy, not a serialisation.

use crate::body::{error_body, SimFunction, ACCESS_DENIED, NOT_FOUND_HTML};
use crate::fault::Fault;
use crate::prng::SplitMix64;
use crate::school::{SemesterChanges, SimSchool, SimSchoolConfig, DEFAULT_NPSN};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The key of the default simulated school's Web Service registration.
pub const DEFAULT_KEY: &str = "DEMOKEY2026SYNC";

/// How to run the simulated server. `SimConfig { npsn, key, ..Default::default() }`.
/// Its `Debug` output hides the key.
#[derive(Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port (read it back with [`SimHandle::addr`]).
    pub addr: SocketAddr,
    /// The school's NPSN.
    pub npsn: String,
    /// The registered Web Service key.
    pub key: String,
    /// Active students of the generated school.
    pub students: usize,
    /// Seed of the generated school (and of the `ServerError` draws).
    pub seed: u64,
    /// Added to every Web Service answer.
    pub latency: Duration,
    /// A fault shown from the start.
    pub fault: Option<Fault>,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("addr", &self.addr)
            .field("npsn", &self.npsn)
            .field("key", &"<redacted>")
            .field("students", &self.students)
            .field("seed", &self.seed)
            .field("latency", &self.latency)
            .field("fault", &self.fault)
            .finish()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            npsn: DEFAULT_NPSN.to_string(),
            key: DEFAULT_KEY.to_string(),
            students: 1200,
            seed: 1,
            latency: Duration::ZERO,
            fault: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("tidak dapat membuka port {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("SimServer::start harus dipanggil di dalam runtime Tokio")]
    NoRuntime,
}

/// Starts simulated servers.
pub struct SimServer;

impl SimServer {
    /// Generates the school (`students`, `seed`, `npsn`), binds `config.addr` and serves until
    /// [`SimHandle::shutdown`] (or until the handle is dropped). Must be called inside a Tokio
    /// runtime; it does not block on I/O (generating a very large school takes a moment).
    pub fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let school = SimSchool::generate(&SimSchoolConfig {
            npsn: config.npsn.clone(),
            seed: config.seed,
            students: config.students,
        });
        SimServer::start_with_school(config, school)
    }

    /// Like [`SimServer::start`], serving a school built elsewhere (e.g. with quirks off). The
    /// NPSN checked is the school's; `students` and `seed` of `config` only seed the fault draws.
    pub fn start_with_school(config: SimConfig, school: SimSchool) -> Result<SimHandle, SimError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SimError::NoRuntime)?;
        let std_listener =
            std::net::TcpListener::bind(config.addr).map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        std_listener
            .set_nonblocking(true)
            .map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = std_listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.addr,
            source,
        })?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener).map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?
        };

        let down = matches!(config.fault, Some(Fault::Down));
        let shared = Arc::new(Shared {
            npsn: school.sekolah.npsn.clone(),
            key: config.key.clone(),
            served: RwLock::new(Served::new(school)),
            update: Mutex::new(()),
            fault: Mutex::new(config.fault.clone()),
            latency: Mutex::new(config.latency),
            throughput: Mutex::new(None),
            requests: AtomicU64::new(0),
            server_error_rng: Mutex::new(SplitMix64::derive(
                config.seed,
                "dapodik-sim server errors",
            )),
            down: Arc::new(AtomicBool::new(down)),
        });
        let (control, control_rx) = watch::channel(Control {
            down,
            shutdown: false,
        });
        let sim_listener = SimListener {
            inner: Some(listener),
            addr,
            control: control_rx.clone(),
            down: shared.down.clone(),
        };
        let router = Router::new()
            .route("/", get(login_page))
            .route("/WebService/{function}", get(web_service))
            .fallback(not_found)
            .with_state(shared.clone());
        let mut shutdown_rx = control_rx;
        let task = runtime.spawn(async move {
            let serve = axum::serve(sim_listener, router).with_graceful_shutdown(async move {
                while !shutdown_rx.borrow_and_update().shutdown {
                    if shutdown_rx.changed().await.is_err() {
                        break;
                    }
                }
            });
            if let Err(e) = serve.await {
                tracing::warn!("simulated Dapodik stopped: {e}");
            }
        });
        tracing::info!("simulated Dapodik listening on http://{addr}");
        Ok(SimHandle {
            shared,
            addr,
            control,
            task: Some(task),
        })
    }
}

/// A running simulated server. Dropping it stops the server (without waiting).
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    control: watch::Sender<Control>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .field("npsn", &self.shared.npsn)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl SimHandle {
    /// The bound address (the real port when `addr` had port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash). When listening on every interface
    /// (`0.0.0.0` / `[::]`), the loopback address of the same family.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{addr}")
    }

    /// The NPSN the server accepts.
    pub fn npsn(&self) -> &str {
        &self.shared.npsn
    }

    /// Switches a fault on (replacing any other) or off. `Down` closes the listening socket
    /// within moments (connections are then refused) and makes open connections fail; clearing it
    /// listens on the same port again.
    pub fn set_fault(&self, fault: Option<Fault>) {
        let down = matches!(fault, Some(Fault::Down));
        *lock(&self.shared.fault) = fault;
        self.shared.down.store(down, Ordering::SeqCst);
        self.control.send_modify(|c| c.down = down);
    }

    /// The fault currently shown.
    pub fn fault(&self) -> Option<Fault> {
        lock(&self.shared.fault).clone()
    }

    /// Latency added to every Web Service answer (also the delay of [`Fault::Slow`]).
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Limits how fast Web Service bodies are sent (bytes per second, in 64 KiB chunks, with a
    /// `Content-Length`), so a client's download progress is visible; `None` removes the limit.
    pub fn set_throughput(&self, bytes_per_second: Option<u64>) {
        *lock(&self.shared.throughput) = bytes_per_second.filter(|&b| b > 0);
    }

    /// Advances the school to the next semester (see [`SimSchool::next_semester`]) and re-renders
    /// the bodies. Requests in flight finish with the old data.
    pub fn next_semester(&self) -> SemesterChanges {
        let _one_at_a_time = lock(&self.shared.update);
        let mut school = (*self.school()).clone();
        let changes = school.next_semester();
        let served = Served::new(school);
        *self
            .shared
            .served
            .write()
            .unwrap_or_else(|e| e.into_inner()) = served;
        changes
    }

    /// Turns the quirks of the served bodies on or off (see [`SimSchool::set_quirks`]).
    pub fn set_quirks(&self, on: bool) {
        let _one_at_a_time = lock(&self.shared.update);
        let mut school = (*self.school()).clone();
        school.set_quirks(on);
        *self
            .shared
            .served
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Served::new(school);
    }

    /// The school being served (a snapshot: a later `next_semester` does not change it).
    pub fn school(&self) -> Arc<SimSchool> {
        self.shared
            .served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .school
            .clone()
    }

    /// Requests received so far (every path, every outcome).
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Stops accepting, lets requests in flight finish (at most 2 s) and waits for the server task.
    pub async fn shutdown(mut self) {
        self.control.send_modify(|c| c.shutdown = true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.control.send_modify(|c| c.shutdown = true);
    }
}

#[derive(Debug, Clone, Copy)]
struct Control {
    down: bool,
    shutdown: bool,
}

struct Shared {
    npsn: String,
    key: String,
    served: RwLock<Served>,
    /// Serialises `next_semester` and `set_quirks`.
    update: Mutex<()>,
    fault: Mutex<Option<Fault>>,
    latency: Mutex<Duration>,
    /// Bytes per second for Web Service bodies; `None` sends them as fast as the socket takes them.
    throughput: Mutex<Option<u64>>,
    requests: AtomicU64,
    server_error_rng: Mutex<SplitMix64>,
    down: Arc<AtomicBool>,
}

/// One semester's school and its rendered bodies (in [`SimFunction::ALL`] order).
struct Served {
    school: Arc<SimSchool>,
    bodies: Vec<Bytes>,
}

impl Served {
    fn new(school: SimSchool) -> Served {
        let bodies = SimFunction::ALL
            .iter()
            .map(|&f| Bytes::from(school.body(f)))
            .collect();
        Served {
            school: Arc::new(school),
            bodies,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The listening socket, closed while the server is `Down` and reopened on the same port after.
struct SimListener {
    inner: Option<TcpListener>,
    addr: SocketAddr,
    control: watch::Receiver<Control>,
    down: Arc<AtomicBool>,
}

impl axum::serve::Listener for SimListener {
    type Io = SimIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (SimIo, SocketAddr) {
        loop {
            let c = *self.control.borrow_and_update();
            if c.shutdown {
                // The graceful-shutdown signal ends the server; accept nothing more.
                self.inner = None;
                std::future::pending::<()>().await;
            }
            if c.down {
                if self.inner.take().is_some() {
                    tracing::info!("simulated Dapodik down: port {} closed", self.addr.port());
                }
                let _ = self.control.changed().await;
                continue;
            }
            if self.inner.is_none() {
                match TcpListener::bind(self.addr).await {
                    Ok(l) => {
                        tracing::info!("simulated Dapodik up again on {}", self.addr);
                        self.inner = Some(l);
                    }
                    Err(e) => {
                        tracing::warn!(
                            "simulated Dapodik cannot listen again on {}: {e}",
                            self.addr
                        );
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                }
            }
            let Some(listener) = self.inner.as_ref() else {
                continue;
            };
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        if self.down.load(Ordering::SeqCst) {
                            drop(stream);
                            continue;
                        }
                        let _ = stream.set_nodelay(true);
                        return (SimIo { inner: stream, down: self.down.clone() }, peer);
                    }
                    Err(e) => {
                        tracing::debug!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                _ = self.control.changed() => {}
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// A connection that fails its next read once the server is `Down`, so kept-alive connections
/// die with the server as they would with the real one.
struct SimIo {
    inner: TcpStream,
    down: Arc<AtomicBool>,
}

impl AsyncRead for SimIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.down.load(Ordering::SeqCst) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "simulated Dapodik is down",
            )));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

const LOGIN_PAGE: &str = r#"<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Dapodik - Data Pokok Pendidikan</title>
</head>
<body>
<div class="login">
<h1>Aplikasi Dapodik</h1>
<p>Data Pokok Pendidikan Dasar dan Menengah</p>
<form method="post" action="/login">
<label>Username (email) <input type="text" name="username"></label>
<label>Password <input type="password" name="password"></label>
<label>Semester <select name="semester_id"><option value="20251">2025/2026 Ganjil</option></select></label>
<button type="submit">Masuk</button>
</form>
<p class="versi">Simulasi Dapodik (dapodik-sim)</p>
</div>
</body>
</html>
"#;

const HTML: &str = "text/html; charset=UTF-8";
const JSON: &str = "application/json";

/// The status line and headers the server sometimes prints into the body (capture
/// `errors/status-in-body-403.body`).
const STATUS_LINE_403: &str =
    "HTTP/1.0 403 Forbidden\r\nCache-Control: no-cache, private\r\nContent-Type: application/json\r\nDate: Mon, 06 Oct 2025 02:14:09 GMT\r\n\r\n";

const PHP_FATAL: &str = "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to a member function getNama() on null in C:\\Program Files (x86)\\Dapodik\\webapps\\WebService.php:412\nStack trace:\n#0 {main}\n  thrown in <b>C:\\Program Files (x86)\\Dapodik\\webapps\\WebService.php</b> on line <b>412</b><br />\n";

const PHP_NOTICE: &str = "<br />\n<b>Notice</b>:  Undefined index: kebutuhan_khusus in <b>C:\\Program Files (x86)\\Dapodik\\webapps\\WebService.php</b> on line <b>231</b><br />\n";

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = (status, body.into()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::SERVER,
        HeaderValue::from_static("Apache/2.4.41 (Win64) PHP/7.4.3"),
    );
    r
}

fn not_found_response() -> Response {
    respond(StatusCode::NOT_FOUND, HTML, NOT_FOUND_HTML)
}

async fn not_found(State(shared): State<Arc<Shared>>) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    not_found_response()
}

async fn login_page(State(shared): State<Arc<Shared>>) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    respond(StatusCode::OK, HTML, LOGIN_PAGE)
}

/// The key from `Authorization: Bearer <key>`: the word `Bearer` (case-sensitive), whitespace,
/// then the key up to the next whitespace.
fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = value.trim_start().strip_prefix("Bearer")?;
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    rest.split_whitespace().next()
}

/// The value of a query parameter (`+` and `%XX` decoded).
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    for pair in query?.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            return Some(percent_decode(v));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON error (checks 2–6, empty sets), transport status 200; with `StatusInBody` the status
/// line and headers come first, inside the body.
fn json_error(message: &str, status_in_body: bool) -> Response {
    if status_in_body {
        let body = format!(
            "{STATUS_LINE_403}{{\"success\": false, \"http_code\": 403, \"status_code\": \"Forbidden\", \"message\": \"{message}\"}}"
        );
        return respond(StatusCode::OK, HTML, body);
    }
    respond(StatusCode::OK, JSON, error_body(message))
}

async fn web_service(
    State(shared): State<Arc<Shared>>,
    Path(function): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let fault = lock(&shared.fault).clone();
    let mut latency = *lock(&shared.latency);
    if fault == Some(Fault::Slow) && latency.is_zero() {
        latency = Fault::SLOW_DEFAULT;
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    // A function this build does not have: Apache's 404, before any check.
    let Some(f) = SimFunction::from_name(&function) else {
        return not_found_response();
    };
    if matches!(&fault, Some(Fault::MissingFunction(name)) if *name == function) {
        return not_found_response();
    }
    let status_in_body = fault == Some(Fault::StatusInBody);

    // 1. Bearer header.
    let Some(key) = bearer_key(&headers) else {
        return respond(StatusCode::OK, HTML, ACCESS_DENIED);
    };
    // 2. NPSN present.
    let npsn = query_param(query.as_deref(), "npsn").unwrap_or_default();
    if npsn.trim().is_empty() {
        return json_error("Parameter NPSN harap diisi", status_in_body);
    }
    // 3. NPSN known to this install.
    if npsn.trim() != shared.npsn {
        return json_error("Sekolah tidak ditemukan", status_in_body);
    }
    // 4. Active semester.
    if fault == Some(Fault::SemesterNotFound) {
        return json_error("Semester tidak ditemukan", status_in_body);
    }
    // 5. Registered key.
    if key != shared.key
        || matches!(
            fault,
            Some(Fault::KeyNotRegistered) | Some(Fault::StatusInBody)
        )
    {
        return json_error(
            "Aplikasi tidak terdaftar pada Web Service Dapodik",
            status_in_body,
        );
    }
    // 6. Caller's IP.
    if fault == Some(Fault::IpMismatch) {
        return json_error(
            "IP Address yang didaftarkan pada Web Service Dapodik berbeda",
            status_in_body,
        );
    }

    if let Some(Fault::ServerError { probability }) = fault {
        if lock(&shared.server_error_rng).chance(probability) {
            return respond(StatusCode::INTERNAL_SERVER_ERROR, HTML, PHP_FATAL);
        }
    }
    if fault == Some(Fault::EmptyPesertaDidik) && f == SimFunction::GetPesertaDidik {
        return json_error(f.empty_message(), false);
    }

    let index = SimFunction::ALL.iter().position(|&x| x == f).unwrap_or(0);
    let body = shared
        .served
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .bodies[index]
        .clone();
    match fault {
        Some(Fault::Truncated) => respond(StatusCode::OK, JSON, body.slice(..body.len() / 2)),
        Some(Fault::PhpNoticeBeforeJson) => {
            let mut out = Vec::with_capacity(PHP_NOTICE.len() + body.len());
            out.extend_from_slice(PHP_NOTICE.as_bytes());
            out.extend_from_slice(&body);
            respond(StatusCode::OK, HTML, out)
        }
        _ => match *lock(&shared.throughput) {
            Some(rate) => throttled(body, rate),
            None => respond(StatusCode::OK, JSON, body),
        },
    }
}

/// A 200 JSON answer sent in 64 KiB chunks at `rate` bytes per second, with its `Content-Length`.
fn throttled(body: Bytes, rate: u64) -> Response {
    const CHUNK: usize = 64 * 1024;
    let len = body.len();
    let pause = Duration::from_secs_f64(CHUNK as f64 / rate as f64);
    let chunks = futures_util::stream::unfold((body, 0usize), move |(body, at)| async move {
        if at >= body.len() {
            return None;
        }
        if at > 0 {
            tokio::time::sleep(pause).await;
        }
        let end = (at + CHUNK).min(body.len());
        Some((Ok::<Bytes, io::Error>(body.slice(at..end)), (body, end)))
    });
    let mut r = respond(StatusCode::OK, JSON, Body::from_stream(chunks));
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing_follows_the_server() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(bearer_key(&h("Bearer ABC")), Some("ABC"));
        assert_eq!(bearer_key(&h("Bearer   ABC trailing")), Some("ABC"));
        assert_eq!(bearer_key(&h("bearer ABC")), None);
        assert_eq!(bearer_key(&h("BearerABC")), None);
        assert_eq!(bearer_key(&h("Bearer ")), None);
        assert_eq!(bearer_key(&h("Basic QUJD")), None);
        assert_eq!(bearer_key(&HeaderMap::new()), None);
    }

    #[test]
    fn debug_output_hides_the_key() {
        let c = SimConfig {
            key: "SECRETKEY123456".into(),
            ..Default::default()
        };
        assert!(!format!("{c:?}").contains("SECRETKEY123456"));
    }

    #[test]
    fn query_parameters() {
        assert_eq!(
            query_param(Some("npsn=20212345"), "npsn").as_deref(),
            Some("20212345")
        );
        assert_eq!(
            query_param(Some("a=1&npsn=%32%30"), "npsn").as_deref(),
            Some("20")
        );
        assert_eq!(query_param(Some("npsn="), "npsn").as_deref(), Some(""));
        assert_eq!(query_param(Some("x=1"), "npsn"), None);
        assert_eq!(query_param(None, "npsn"), None);
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
