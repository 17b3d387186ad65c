//! The HTTP client against a tiny real HTTP server on 127.0.0.1 (raw responses written by hand).

use dapodik_webservice::client::{ClientConfig, WebServiceClient};
use dapodik_webservice::decode::decode_body;
use dapodik_webservice::pull::fetch_school;
use dapodik_webservice::source::Source;
use dapodik_webservice::{ErrorCode, Function};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "Ab3dE5gH7jK9mN1";
const NPSN: &str = "20254301";

/// What the test server does with one request.
#[derive(Clone)]
enum Reply {
    /// Write these bytes and close.
    Raw(Vec<u8>),
    /// Write these bytes, then keep the connection open without a word more.
    ThenHang(Vec<u8>),
}

fn ok_with_length(body: &[u8]) -> Reply {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    Reply::Raw(r)
}

fn status_with_length(status: &str, body: &[u8]) -> Reply {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    Reply::Raw(r)
}

struct Server {
    base: String,
    /// Request heads received, in order.
    requests: Arc<Mutex<Vec<String>>>,
}

async fn serve(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            let reply = reply.clone();
            tokio::spawn(async move { handle(stream, &seen, &*reply).await });
        }
    });
    Server { base, requests }
}

async fn handle(
    mut stream: TcpStream,
    seen: &Mutex<Vec<String>>,
    reply: &(dyn Fn(&str) -> Reply + Send + Sync),
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 65536 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    seen.lock().unwrap().push(head.clone());
    match reply(&head) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::ThenHang(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    }
}

fn client(base: &str, config: ClientConfig) -> WebServiceClient {
    WebServiceClient::new(base, NPSN, KEY, config).unwrap()
}

fn quick() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(5),
        max_response_bytes: 1_000_000,
    }
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ws")
            .join(path),
    )
    .unwrap()
}

fn request_path(head: &str) -> String {
    head.lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .to_string()
}

fn header_values<'a>(head: &'a str, name: &str) -> Vec<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

#[tokio::test]
async fn sends_exactly_the_bearer_header_and_no_key_in_the_url() {
    let body = fixture("school-smk-4pd/getPesertaDidik.body");
    let served = body.clone();
    let server = serve(move |_| ok_with_length(&served)).await;
    let c = client(&format!("{}/", server.base), quick());
    let progress_seen = Arc::new(Mutex::new(Vec::new()));
    let sink = progress_seen.clone();
    let raw = c
        .fetch(Function::GetPesertaDidik, &move |f, bytes| {
            sink.lock().unwrap().push((f, bytes))
        })
        .await
        .unwrap();
    assert_eq!(raw.http_status, 200);
    assert_eq!(&raw.body[..], &body[..]);

    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 1);
    let head = &requests[0];
    assert!(
        head.starts_with("GET /WebService/getPesertaDidik?npsn=20254301 HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(
        header_values(head, "authorization"),
        vec![format!("Bearer {KEY}")]
    );
    assert_eq!(
        head.matches(KEY).count(),
        1,
        "the key appears once, in its header"
    );

    let progress = progress_seen.lock().unwrap();
    assert_eq!(progress.first(), Some(&(Function::GetPesertaDidik, 0)));
    assert_eq!(
        progress.last(),
        Some(&(Function::GetPesertaDidik, body.len() as u64))
    );
    assert!(
        progress.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress only grows"
    );

    let (rows, _) = decode_body(Function::GetPesertaDidik, raw.http_status, &raw.body).unwrap();
    assert_eq!(rows.len(), 4);
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let c = client("http://127.0.0.1:9", quick());
    assert!(!format!("{c:?}").contains(KEY));
    let err = c.fetch(Function::GetSekolah, &|_, _| {}).await.unwrap_err();
    assert!(
        !err.detail.contains(KEY) && !err.to_string().contains(KEY),
        "{err}"
    );
}

#[tokio::test]
async fn a_response_over_the_cap_is_refused_with_or_without_content_length() {
    let big = vec![b' '; 1_500_000];
    let declared = big.clone();
    let server = serve(move |_| ok_with_length(&declared)).await;
    let err = client(&server.base, quick())
        .fetch(Function::GetGtk, &|_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ResponseTooLarge, "{err}");

    // No Content-Length: the cap is enforced while streaming.
    let streamed = big.clone();
    let server = serve(move |_| {
        let mut r = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        r.extend_from_slice(&streamed);
        Reply::Raw(r)
    })
    .await;
    let progress_max = Arc::new(Mutex::new(0u64));
    let sink = progress_max.clone();
    let err = client(&server.base, quick())
        .fetch(Function::GetGtk, &move |_, b| *sink.lock().unwrap() = b)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ResponseTooLarge, "{err}");
    assert!(*progress_max.lock().unwrap() <= 1_000_000);

    // Exactly at the cap is fine.
    let exact = vec![b' '; 1_000_000];
    let server = serve(move |_| ok_with_length(&exact)).await;
    let raw = client(&server.base, quick())
        .fetch(Function::GetGtk, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(raw.body.len(), 1_000_000);
}

#[tokio::test]
async fn a_refused_connection_is_dapodik_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let c = client(&format!("http://127.0.0.1:{port}"), quick());
    let err = c.fetch(Function::GetSekolah, &|_, _| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::DapodikUnreachable, "{err}");
    assert!(err.retryable());
    assert_eq!(
        c.probe_root().await.unwrap_err().code,
        ErrorCode::DapodikUnreachable
    );
}

#[tokio::test]
async fn a_silent_server_is_a_timeout_before_or_during_the_body() {
    let config = ClientConfig {
        read_timeout: Duration::from_millis(300),
        ..quick()
    };
    let server = serve(|_| Reply::ThenHang(Vec::new())).await;
    let started = Instant::now();
    let err = client(&server.base, config.clone())
        .fetch(Function::GetSekolah, &|_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_secs(4));

    let server = serve(|_| {
        Reply::ThenHang(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"results\":".to_vec())
    })
    .await;
    let err = client(&server.base, config)
        .fetch(Function::GetSekolah, &|_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout, "{err}");
}

#[tokio::test]
async fn a_slow_but_alive_server_is_waited_for() {
    // Each read arrives within the read timeout, though the whole transfer takes longer than it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let body = br#"{"results": 0, "rows": []}"#;
        s.write_all(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
        )
        .await
        .unwrap();
        for b in body {
            tokio::time::sleep(Duration::from_millis(40)).await;
            s.write_all(&[*b]).await.unwrap();
        }
    });
    let config = ClientConfig {
        read_timeout: Duration::from_millis(400),
        ..quick()
    };
    let raw = client(&base, config)
        .fetch(Function::GetGtk, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(&raw.body[..], br#"{"results": 0, "rows": []}"#);
}

#[tokio::test]
async fn a_body_broken_off_is_malformed() {
    let server = serve(|_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"results\": 4".to_vec())
    })
    .await;
    let err = client(&server.base, quick())
        .fetch(Function::GetGtk, &|_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedResponse, "{err}");
}

#[tokio::test]
async fn statuses_are_returned_for_decoding() {
    let server = serve(|head| {
        if request_path(head).starts_with("/WebService/getGtk") {
            status_with_length("404 Not Found", b"<h1>404 Not Found</h1>")
        } else {
            status_with_length("502 Bad Gateway", b"bad gateway")
        }
    })
    .await;
    let c = client(&server.base, quick());
    let raw = c.fetch(Function::GetGtk, &|_, _| {}).await.unwrap();
    assert_eq!(raw.http_status, 404);
    assert_eq!(
        decode_body(Function::GetGtk, raw.http_status, &raw.body)
            .unwrap_err()
            .code,
        ErrorCode::FunctionMissing
    );
    let raw = c.fetch(Function::GetSekolah, &|_, _| {}).await.unwrap();
    assert_eq!(
        decode_body(Function::GetSekolah, raw.http_status, &raw.body)
            .unwrap_err()
            .code,
        ErrorCode::ServerFault
    );
}

#[tokio::test]
async fn probe_root_sends_no_key() {
    let server = serve(|_| status_with_length("200 OK", b"<html>Login Dapodik</html>")).await;
    let c = client(&server.base, quick());
    assert_eq!(c.probe_root().await.unwrap(), 200);
    let requests = server.requests.lock().unwrap();
    assert_eq!(request_path(&requests[0]), "/");
    assert!(header_values(&requests[0], "authorization").is_empty());
    assert!(!requests[0].contains(KEY));
}

#[test]
fn configuration_is_checked_before_any_request() {
    let new = |base: &str, npsn: &str, key: &str| {
        WebServiceClient::new(base, npsn, key, ClientConfig::default())
    };
    assert_eq!(
        new("", NPSN, KEY).unwrap_err().code,
        ErrorCode::NotConfigured
    );
    assert_eq!(
        new("ftp://x", NPSN, KEY).unwrap_err().code,
        ErrorCode::NotConfigured
    );
    assert_eq!(
        new("http://u:p@host:5774", NPSN, KEY).unwrap_err().code,
        ErrorCode::NotConfigured
    );
    assert_eq!(
        new("http://127.0.0.1:5774", "  ", KEY).unwrap_err().code,
        ErrorCode::NpsnMissing
    );
    assert_eq!(
        new("http://127.0.0.1:5774", NPSN, " ").unwrap_err().code,
        ErrorCode::NotConfigured
    );
    assert_eq!(
        new("http://127.0.0.1:5774", NPSN, "abc def")
            .unwrap_err()
            .code,
        ErrorCode::NotConfigured
    );
    let c = new("127.0.0.1:5774/", NPSN, &format!(" {KEY}\n")).unwrap();
    assert_eq!(c.base_url(), "http://127.0.0.1:5774");
    assert_eq!(
        c.function_url(Function::GetRombonganBelajar)
            .unwrap()
            .as_str(),
        "http://127.0.0.1:5774/WebService/getRombonganBelajar?npsn=20254301"
    );
}

/// Serves the `school-smk-4pd` capture, with optional per-function overrides.
async fn serve_school(overrides: Vec<(&'static str, Reply)>) -> Server {
    serve(move |head| {
        let path = request_path(head);
        for (name, reply) in &overrides {
            if path.starts_with(&format!("/WebService/{name}?")) {
                return reply.clone();
            }
        }
        let name = path
            .trim_start_matches("/WebService/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        match Function::from_name(&name) {
            Some(f) => ok_with_length(&fixture(&format!("school-smk-4pd/{}.body", f.name()))),
            None => status_with_length("404 Not Found", b""),
        }
    })
    .await
}

fn called(server: &Server) -> Vec<String> {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|h| request_path(h).split('?').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn fetch_school_over_http() {
    let server = serve_school(Vec::new()).await;
    let source = Source::Http(client(&server.base, quick()));
    let raw = fetch_school(&source, NPSN, &|_, _| {}).await.unwrap();
    assert_eq!(
        called(&server),
        [
            "/WebService/getSekolah",
            "/WebService/getPesertaDidik",
            "/WebService/getGtk",
            "/WebService/getRombonganBelajar"
        ]
    );
    let pull = raw.collect().unwrap();
    assert_eq!(
        (
            pull.peserta_didik.len(),
            pull.gtk.len(),
            pull.rombongan_belajar.len()
        ),
        (4, 2, 3)
    );
}

#[tokio::test]
async fn a_wrong_school_stops_after_get_sekolah() {
    let server = serve_school(Vec::new()).await;
    let c = WebServiceClient::new(&server.base, "99999999", KEY, quick()).unwrap();
    let err = fetch_school(&Source::Http(c), "99999999", &|_, _| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongSchool);
    assert_eq!(called(&server), ["/WebService/getSekolah"]);
}

#[tokio::test]
async fn an_error_body_stops_the_pull_at_that_function() {
    let server = serve_school(vec![(
        "getGtk",
        ok_with_length(&fixture("errors/ip-mismatch.body")),
    )])
    .await;
    let err = fetch_school(
        &Source::Http(client(&server.base, quick())),
        NPSN,
        &|_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::IpMismatch);
    assert_eq!(
        called(&server),
        [
            "/WebService/getSekolah",
            "/WebService/getPesertaDidik",
            "/WebService/getGtk"
        ]
    );
}
