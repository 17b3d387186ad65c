//! The simulated server over real HTTP on 127.0.0.1: the login page, the server's checks in order,
//! every function, every fault, next semester, shutdown.

use dapodik_sim::{Fault, SimConfig, SimFunction, SimHandle, SimServer};
use serde_json::Value;
use std::time::{Duration, Instant};

const NPSN: &str = "20254301";
const KEY: &str = "TESTKEY123ABCDE";

fn config() -> SimConfig {
    SimConfig {
        npsn: NPSN.into(),
        key: KEY.into(),
        students: 200,
        seed: 5,
        ..Default::default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn message(&self) -> String {
        let v = self.json();
        assert_eq!(v["success"], false);
        assert_eq!(v["http_code"], 403);
        assert_eq!(v["status_code"], "Forbidden");
        v["message"].as_str().unwrap().to_string()
    }
}

async fn call(
    h: &SimHandle,
    function: &str,
    npsn: Option<&str>,
    auth: Option<&str>,
) -> Result<Answer, reqwest::Error> {
    let mut url = format!("{}/WebService/{function}", h.base_url());
    if let Some(n) = npsn {
        url.push_str(&format!("?npsn={n}"));
    }
    let mut req = client().get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await?.to_vec();
    Ok(Answer { status, body })
}

async fn get(h: &SimHandle, function: &str) -> Answer {
    call(h, function, Some(NPSN), Some(&format!("Bearer {KEY}")))
        .await
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_page_and_base_url() {
    let h = SimServer::start(config()).unwrap();
    assert!(h.addr().ip().is_loopback());
    assert_ne!(h.addr().port(), 0);
    assert_eq!(
        h.base_url(),
        format!("http://127.0.0.1:{}", h.addr().port())
    );
    let resp = client()
        .get(format!("{}/", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(resp.text().await.unwrap().contains("Dapodik"));
    assert_eq!(h.request_count(), 1);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listening_on_every_interface_gives_a_loopback_base_url() {
    let h = SimServer::start(SimConfig {
        addr: ([0, 0, 0, 0], 0).into(),
        ..config()
    })
    .unwrap();
    assert!(h.addr().ip().is_unspecified());
    assert_eq!(
        h.base_url(),
        format!("http://127.0.0.1:{}", h.addr().port())
    );
    assert_eq!(get(&h, "getSekolah").await.status, 200);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_answers_the_schools_bodies() {
    let h = SimServer::start(config()).unwrap();
    let school = h.school();
    for f in SimFunction::ALL {
        let a = get(&h, f.name()).await;
        assert_eq!(a.status, 200, "{f}");
        assert_eq!(a.body, school.body(f), "{f}");
    }
    let sekolah = get(&h, "getSekolah").await.json();
    assert_eq!(sekolah["rows"]["npsn"], NPSN);
    let pengguna = get(&h, "getPengguna").await.json();
    assert!(pengguna["rows"][0]["password"]
        .as_str()
        .unwrap()
        .starts_with("$2y$"));
    assert_eq!(h.request_count(), 7);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_checks_in_order() {
    let h = SimServer::start(config()).unwrap();
    let good = format!("Bearer {KEY}");
    let denied = "Access denied - You are not authorized to access this page. #1";

    // 1. Missing or malformed Bearer header: plain text, before anything else.
    for auth in [
        None,
        Some("bearer TESTKEY123ABCDE"),
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic abc"),
        Some("BearerTESTKEY123ABCDE"),
    ] {
        let a = call(&h, "getSekolah", None, auth).await.unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.text(), denied, "{auth:?}");
    }
    // The key ends at the first whitespace.
    let a = call(
        &h,
        "getSekolah",
        Some(NPSN),
        Some(&format!("Bearer {KEY} trailing words")),
    )
    .await
    .unwrap();
    assert_eq!(a.json()["rows"]["npsn"], NPSN);

    // 2. No NPSN (even with a wrong key).
    for npsn in [None, Some("")] {
        let a = call(&h, "getPesertaDidik", npsn, Some("Bearer WRONGKEY"))
            .await
            .unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.message(), "Parameter NPSN harap diisi");
    }
    // 3. Unknown NPSN (even with a wrong key).
    let a = call(
        &h,
        "getPesertaDidik",
        Some("99999999"),
        Some("Bearer WRONGKEY"),
    )
    .await
    .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.message(), "Sekolah tidak ditemukan");
    // 5. Wrong key.
    let a = call(&h, "getPesertaDidik", Some(NPSN), Some("Bearer WRONGKEY"))
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(
        a.message(),
        "Aplikasi tidak terdaftar pada Web Service Dapodik"
    );
    // Right key.
    let a = call(&h, "getPesertaDidik", Some(NPSN), Some(&good))
        .await
        .unwrap();
    assert_eq!(a.json()["results"], 200);

    // Functions this build lacks: a real 404, whatever the header.
    for f in ["getAnggotaRombel", "getPembelajaran", "postNilai"] {
        let a = call(&h, f, Some(NPSN), Some(&good)).await.unwrap();
        assert_eq!(a.status, 404, "{f}");
        assert!(a.text().contains("404 Not Found"));
    }
    let resp = client()
        .get(format!("{}/nowhere", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_that_answer_with_a_message() {
    let h = SimServer::start(config()).unwrap();
    let cases = [
        (
            Fault::KeyNotRegistered,
            "Aplikasi tidak terdaftar pada Web Service Dapodik",
        ),
        (
            Fault::IpMismatch,
            "IP Address yang didaftarkan pada Web Service Dapodik berbeda",
        ),
        (Fault::SemesterNotFound, "Semester tidak ditemukan"),
    ];
    for (fault, message) in cases {
        h.set_fault(Some(fault.clone()));
        assert_eq!(h.fault(), Some(fault.clone()));
        for f in SimFunction::ALL {
            let a = get(&h, f.name()).await;
            assert_eq!(a.status, 200);
            assert_eq!(a.message(), message, "{fault} {f}");
        }
        // Earlier checks still come first.
        let a = call(&h, "getGtk", None, Some(&format!("Bearer {KEY}")))
            .await
            .unwrap();
        assert_eq!(a.message(), "Parameter NPSN harap diisi");
    }
    // The semester check comes before the key check.
    h.set_fault(Some(Fault::SemesterNotFound));
    let a = call(&h, "getGtk", Some(NPSN), Some("Bearer WRONG"))
        .await
        .unwrap();
    assert_eq!(a.message(), "Semester tidak ditemukan");
    // The key check comes before the IP check.
    h.set_fault(Some(Fault::IpMismatch));
    let a = call(&h, "getGtk", Some(NPSN), Some("Bearer WRONG"))
        .await
        .unwrap();
    assert_eq!(
        a.message(),
        "Aplikasi tidak terdaftar pada Web Service Dapodik"
    );

    h.set_fault(None);
    assert_eq!(
        get(&h, "getGtk").await.body,
        h.school().body(SimFunction::GetGtk)
    );
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_peserta_didik_and_missing_function() {
    let h = SimServer::start(config()).unwrap();
    h.set_fault(Some(Fault::EmptyPesertaDidik));
    let a = get(&h, "getPesertaDidik").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.message(), "Data Peserta Didik tidak ditemukan");
    assert_eq!(get(&h, "getGtk").await.json()["id"], "ptk_terdaftar_id");

    h.set_fault(Some("missing:getGtk".parse().unwrap()));
    let a = get(&h, "getGtk").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.text(), "<html><body><h1>404 Not Found</h1></body></html>");
    assert_eq!(get(&h, "getSekolah").await.status, 200);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_what_they_say() {
    let h = SimServer::start(config()).unwrap();
    let full = h.school().body(SimFunction::GetRombonganBelajar);

    h.set_fault(Some(Fault::StatusInBody));
    let a = get(&h, "getRombonganBelajar").await;
    assert_eq!(a.status, 200);
    let capture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/status-in-body-403.body"
    ))
    .unwrap();
    assert_eq!(a.body, capture, "byte for byte as captured");

    h.set_fault(Some(Fault::PhpNoticeBeforeJson));
    let a = get(&h, "getRombonganBelajar").await;
    assert_eq!(a.status, 200);
    let text = a.text();
    assert!(text.starts_with("<br />\n<b>Notice</b>"), "{}", &text[..80]);
    assert!(serde_json::from_slice::<Value>(&a.body).is_err());
    let start = a.body.iter().position(|&b| b == b'{').unwrap();
    assert_eq!(
        &a.body[start..],
        &full[..],
        "the envelope after the notice is intact"
    );

    h.set_fault(Some(Fault::Truncated));
    let a = get(&h, "getRombonganBelajar").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body.len(), full.len() / 2);
    assert_eq!(&a.body[..], &full[..full.len() / 2]);
    assert!(serde_json::from_slice::<Value>(&a.body).is_err());
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_with_a_deterministic_probability() {
    let h = SimServer::start(config()).unwrap();
    h.set_fault(Some(Fault::ServerError { probability: 1.0 }));
    let a = get(&h, "getGtk").await;
    assert_eq!(a.status, 500);
    assert!(a.text().contains("<b>Fatal error</b>"));
    assert!(!a.text().contains('{') || serde_json::from_slice::<Value>(&a.body).is_err());

    async fn pattern(h: &SimHandle) -> Vec<u16> {
        h.set_fault(Some("server-error:0.5".parse().unwrap()));
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(get(h, "getSekolah").await.status);
        }
        out
    }
    let first = pattern(&h).await;
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
    // A fresh server with the same seed fails the same requests.
    let h2 = SimServer::start(config()).unwrap();
    h2.set_fault(Some(Fault::ServerError { probability: 1.0 }));
    get(&h2, "getGtk").await;
    assert_eq!(pattern(&h2).await, first);
    h.shutdown().await;
    h2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_latency() {
    let h = SimServer::start(config()).unwrap();
    h.set_latency(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(get(&h, "getSekolah").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    // Slow with no latency configured: long enough for a short client timeout to fire.
    h.set_latency(Duration::ZERO);
    h.set_fault(Some(Fault::Slow));
    let quick = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = quick
        .get(format!(
            "{}/WebService/getSekolah?npsn={NPSN}",
            h.base_url()
        ))
        .header("Authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    h.set_fault(None);
    let t = Instant::now();
    get(&h, "getSekolah").await;
    assert!(t.elapsed() < Duration::from_secs(2));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throughput_limit_streams_the_body_with_its_length() {
    let h = SimServer::start(config()).unwrap();
    let full = h.school().body(SimFunction::GetPesertaDidik);
    assert!(full.len() > 200_000, "{}", full.len());
    let rate = full.len() as u64 * 2; // about half a second
    h.set_throughput(Some(rate));
    let t = Instant::now();
    let mut resp = client()
        .get(format!(
            "{}/WebService/getPesertaDidik?npsn={NPSN}",
            h.base_url()
        ))
        .header("Authorization", format!("Bearer {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.content_length(), Some(full.len() as u64));
    let mut got = Vec::new();
    let mut chunks = 0;
    while let Some(c) = resp.chunk().await.unwrap() {
        got.extend_from_slice(&c);
        chunks += 1;
    }
    assert_eq!(got, full);
    assert!(chunks > 1);
    assert!(
        t.elapsed() >= Duration::from_millis(350),
        "{:?}",
        t.elapsed()
    );
    h.set_throughput(None);
    assert_eq!(get(&h, "getPesertaDidik").await.body, full);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_refuses_connections_and_comes_back_on_the_same_port() {
    let h = SimServer::start(config()).unwrap();
    let addr = h.addr();
    assert_eq!(get(&h, "getSekolah").await.status, 200);

    h.set_fault(Some(Fault::Down));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = call(&h, "getSekolah", Some(NPSN), Some(&format!("Bearer {KEY}")))
        .await
        .err()
        .expect("down");
    assert!(err.is_connect(), "connection refused, got {err}");
    let refused = tokio::net::TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);

    h.set_fault(None);
    let mut up = false;
    for _ in 0..50 {
        if let Ok(a) = call(&h, "getSekolah", Some(NPSN), Some(&format!("Bearer {KEY}"))).await {
            assert_eq!(a.status, 200);
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(up, "listening again");
    assert_eq!(h.addr(), addr);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_dies_with_the_server() {
    let h = SimServer::start(config()).unwrap();
    let c = client();
    let url = format!("{}/WebService/getSekolah?npsn={NPSN}", h.base_url());
    let auth = format!("Bearer {KEY}");
    assert_eq!(
        c.get(&url)
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    h.set_fault(Some(Fault::Down));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(c
        .get(&url)
        .header("Authorization", &auth)
        .send()
        .await
        .is_err());
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_down() {
    let h = SimServer::start(SimConfig {
        fault: Some(Fault::Down),
        ..config()
    })
    .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(tokio::net::TcpStream::connect(h.addr()).await.is_err());
    h.set_fault(None);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get(&h, "getSekolah").await.status, 200);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_semester_over_http() {
    let h = SimServer::start(config()).unwrap();
    let before = get(&h, "getPesertaDidik").await.json();
    assert_eq!(before["rows"][0]["semester_id"], "20251");
    let changes = h.next_semester();
    assert_eq!(changes.semester_id, "20252");
    let after = get(&h, "getPesertaDidik").await.json();
    assert_eq!(after["rows"][0]["semester_id"], "20252");
    let ids: Vec<&str> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["peserta_didik_id"].as_str().unwrap())
        .collect();
    for id in &changes.new_students {
        assert!(ids.iter().any(|x| x.eq_ignore_ascii_case(id)));
    }
    for id in &changes.leavers {
        assert!(!ids.iter().any(|x| x.eq_ignore_ascii_case(id)));
    }
    assert_eq!(h.school().semester_id, "20252");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quirks_can_be_switched_off() {
    let h = SimServer::start(config()).unwrap();
    h.set_quirks(false);
    let rb = get(&h, "getRombonganBelajar").await.json();
    let rows = rb["rows"].as_array().unwrap();
    assert_eq!(rows.last().unwrap()["pembelajaran"], serde_json::json!([]));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_the_port() {
    let h = SimServer::start(config()).unwrap();
    let addr = h.addr();
    get(&h, "getSekolah").await;
    h.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn start_outside_a_runtime_is_an_error() {
    assert!(matches!(
        SimServer::start(config()),
        Err(dapodik_sim::SimError::NoRuntime)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_port_is_a_bind_error() {
    let h = SimServer::start(config()).unwrap();
    let err = SimServer::start(SimConfig {
        addr: h.addr(),
        ..config()
    })
    .unwrap_err();
    assert!(matches!(err, dapodik_sim::SimError::Bind { .. }), "{err}");
    h.shutdown().await;
}
