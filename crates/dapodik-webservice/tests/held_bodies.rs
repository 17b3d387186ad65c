//! Bodies a pull holds outside memory: large HTTP bodies spooled to a private temporary folder (deleted
//! with the pull, also when the pull fails), capture bodies read from their files, and the fetch-time
//! precheck that reads only a body's head. Each pull must yield exactly the records of the same bodies
//! held in memory.

use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::client::{ClientConfig, WebServiceClient, SPOOL_ABOVE};
use dapodik_webservice::pull::{fetch_school_in, from_capture, from_responses, SchoolPull};
use dapodik_webservice::source::{HeldBody, RawResponse, Source};
use dapodik_webservice::{ErrorCode, Function};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "Ab3dE5gH7jK9mN1";
const NPSN: &str = "20254301";

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ws/school-smk-4pd")
}

/// The fixture school's bodies, with `getPesertaDidik` grown to `students` rows (copies of its rows
/// with new ids) so that it is larger than the spool threshold.
fn school_bodies(students: usize) -> Vec<(Function, Vec<u8>)> {
    let dir = fixture_dir();
    Function::ALL
        .iter()
        .map(|&f| {
            let body = std::fs::read(dir.join(format!("{}.body", f.name()))).unwrap();
            if f != Function::GetPesertaDidik {
                return (f, body);
            }
            let envelope: Value = serde_json::from_slice(&body).unwrap();
            let model = envelope["rows"].as_array().unwrap().clone();
            let rows: Vec<Value> = (0..students)
                .map(|i| {
                    let mut row = model[i % model.len()].clone();
                    if i >= model.len() {
                        row["peserta_didik_id"] =
                            json!(format!("7E1F0A52-0001-4C3E-9D11-{:012X}", 0x1000 + i));
                        row["registrasi_id"] =
                            json!(format!("D0D0D0D0-0000-4000-8000-{:012X}", 0x1000 + i));
                    }
                    row
                })
                .collect();
            let grown = json!({"results": students, "id": "registrasi_id", "start": 0, "limit": 20, "rows": rows});
            (f, serde_json::to_vec_pretty(&grown).unwrap())
        })
        .collect()
}

fn in_memory_pull(bodies: &[(Function, Vec<u8>)]) -> SchoolPull {
    let responses = bodies
        .iter()
        .map(|(f, b)| {
            (
                *f,
                RawResponse {
                    http_status: 200,
                    body: b.clone().into(),
                },
            )
        })
        .collect();
    from_responses(NPSN, responses).unwrap().collect().unwrap()
}

fn same_records(a: &SchoolPull, b: &SchoolPull) {
    assert_eq!(a.sekolah, b.sekolah);
    assert_eq!(a.peserta_didik, b.peserta_didik);
    assert_eq!(a.gtk, b.gtk);
    assert_eq!(a.rombongan_belajar, b.rombongan_belajar);
    assert_eq!(a.incomplete, b.incomplete);
    assert_eq!(a.semester_id, b.semester_id);
    assert_eq!(a.notes, b.notes);
}

/// A server answering each function with its body (200, Content-Length), or `override_for` with its
/// own reply.
async fn serve(
    bodies: Vec<(Function, Vec<u8>)>,
    override_for: Option<(Function, Vec<u8>)>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let bodies = Arc::new(bodies);
    let override_for = Arc::new(override_for);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let bodies = bodies.clone();
            let override_for = override_for.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let name = path
                    .trim_start_matches("/WebService/")
                    .split('?')
                    .next()
                    .unwrap_or("");
                let function = Function::from_name(name);
                let body = match (&*override_for, function) {
                    (Some((f, body)), Some(g)) if *f == g => body.clone(),
                    (_, Some(g)) => bodies.iter().find(|(f, _)| *f == g).unwrap().1.clone(),
                    _ => Vec::new(),
                };
                let mut reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                reply.extend_from_slice(&body);
                let _ = stream.write_all(&reply).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    base
}

fn source(base: &str) -> Source {
    Source::Http(
        WebServiceClient::new(
            base,
            NPSN,
            KEY,
            ClientConfig {
                connect_timeout: Duration::from_secs(2),
                read_timeout: Duration::from_secs(10),
                max_response_bytes: 64 * 1024 * 1024,
            },
        )
        .unwrap(),
    )
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[tokio::test]
async fn a_large_body_is_spooled_to_a_private_file_and_deleted_with_the_pull() {
    let bodies = school_bodies(6_000);
    let students_len = bodies[1].1.len();
    assert!(students_len > SPOOL_ABOVE, "{students_len}");
    let expected = in_memory_pull(&bodies);
    assert_eq!(expected.peserta_didik.len(), 6_000);

    let base = serve(bodies, None).await;
    let parent = tempfile::tempdir().unwrap();
    let raw = fetch_school_in(&source(&base), NPSN, &|_, _| {}, parent.path())
        .await
        .unwrap();
    let spool = raw.spool_path().expect("a spool folder").to_path_buf();
    assert_eq!(spool.parent(), Some(parent.path()));
    // Only the body over the threshold went to a file; the small ones stayed in memory.
    for (f, response) in &raw.responses {
        match (&response.body, *f == Function::GetPesertaDidik) {
            (HeldBody::File { path, len }, true) => {
                assert_eq!(*len as usize, students_len);
                assert_eq!(path, &spool.join("getPesertaDidik.body"));
                assert_eq!(
                    std::fs::metadata(path).unwrap().len() as usize,
                    students_len
                );
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode =
                        |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
                    assert_eq!(mode(path), 0o600);
                    assert_eq!(mode(&spool), 0o700);
                }
            }
            (HeldBody::Memory(_), false) => {}
            (body, _) => panic!("{f:?} held as {body:?}"),
        }
    }
    // Debug output names the file and the size, never a value.
    let debug = format!("{raw:?}");
    assert!(debug.contains("body_bytes") && !debug.contains("3201051403090007"));

    same_records(&raw.collect().unwrap(), &expected);
    // A clone shares the folder; it goes with the last one.
    let clone = raw.clone();
    drop(raw);
    assert!(spool.exists());
    same_records(&clone.collect().unwrap(), &expected);
    drop(clone);
    assert!(!spool.exists());
    assert!(entries(parent.path()).is_empty());
}

#[tokio::test]
async fn a_failed_pull_leaves_no_spooled_body_behind() {
    let bodies = school_bodies(6_000);
    let refusal = br#"{"success":false,"message":"Aplikasi tidak terdaftar","http_code":401}"#;
    let base = serve(
        bodies,
        Some((Function::GetRombonganBelajar, refusal.to_vec())),
    )
    .await;
    let parent = tempfile::tempdir().unwrap();
    let err = fetch_school_in(&source(&base), NPSN, &|_, _| {}, parent.path())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::KeyNotRegistered);
    assert!(entries(parent.path()).is_empty());
}

/// The worker cancels a pull by dropping its future: a body half spooled goes with it.
#[tokio::test]
async fn a_pull_dropped_mid_body_leaves_no_spooled_body_behind() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sekolah = std::fs::read(fixture_dir().join("getSekolah.body")).unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let sekolah = sekolah.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                if head.contains("/getSekolah") {
                    let mut reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                        sekolah.len()
                    )
                    .into_bytes();
                    reply.extend_from_slice(&sekolah);
                    let _ = stream.write_all(&reply).await;
                    return;
                }
                // 3 MiB announced, 2 MiB sent (past the spool threshold), then silence.
                let mut reply =
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 3 << 20).into_bytes();
                reply.extend_from_slice(br#"{"results": 1, "rows": [{"nama": ""#);
                reply.resize(reply.len() + (2 << 20), b'a');
                let _ = stream.write_all(&reply).await;
                let _ = stream.flush().await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    let parent = tempfile::tempdir().unwrap();
    let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let progress_seen = seen.clone();
    let progress = move |_f: Function, bytes: u64| {
        progress_seen.fetch_max(bytes, std::sync::atomic::Ordering::Relaxed);
    };
    let source = source(&base);
    let mut pull = Box::pin(fetch_school_in(&source, NPSN, &progress, parent.path()));
    // Wait until the body is past the threshold (so a file exists), then drop the pull.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        tokio::select! {
            r = &mut pull => panic!("the pull ended: {r:?}"),
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
        if seen.load(std::sync::atomic::Ordering::Relaxed) > (SPOOL_ABOVE as u64 + 4096) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "body never arrived");
    }
    let spooled: Vec<PathBuf> = entries(parent.path())
        .into_iter()
        .flat_map(|d| entries(&d))
        .collect();
    assert_eq!(spooled.len(), 1, "{spooled:?}");
    drop(pull);
    assert!(entries(parent.path()).is_empty());
}

#[test]
fn a_capture_pull_reads_its_files_and_yields_the_same_records() {
    let capture = CaptureDir::open(fixture_dir()).unwrap();
    let raw = from_capture(NPSN, &capture).unwrap();
    assert!(raw.spool_path().is_none());
    for (f, response) in &raw.responses {
        assert!(
            matches!(&response.body, HeldBody::File { path, .. } if *path == capture.body_path(*f)),
            "{f:?}: {:?}",
            response.body
        );
    }
    let bodies: Vec<_> = Function::ALL
        .iter()
        .map(|&f| (f, std::fs::read(capture.body_path(f)).unwrap()))
        .collect();
    same_records(&raw.collect().unwrap(), &in_memory_pull(&bodies));
}

/// A capture folder of the fixture school with `function`'s body replaced.
fn capture_with(function: Function, body: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in Function::ALL {
        let path = dir.path().join(format!("{}.body", f.name()));
        if f == function {
            std::fs::write(path, body).unwrap();
        } else {
            std::fs::copy(fixture_dir().join(format!("{}.body", f.name())), path).unwrap();
        }
    }
    dir
}

#[test]
fn the_fetch_time_check_reads_past_the_head_when_the_head_does_not_settle_it() {
    let padding = "x".repeat(100 * 1024);
    // An error whose message comes after 100 KiB: the head alone is cut short of it.
    let refusal = format!(
        r#"{{"success":false,"padding":"{padding}","message":"Aplikasi tidak terdaftar"}}"#
    );
    let dir = capture_with(Function::GetGtk, refusal.as_bytes());
    let err = from_capture(NPSN, &CaptureDir::open(dir.path()).unwrap()).unwrap_err();
    assert_eq!(err.code, ErrorCode::KeyNotRegistered);

    // A success envelope whose `rows` start after 100 KiB.
    let gtk = std::fs::read(fixture_dir().join("getGtk.body")).unwrap();
    let mut envelope: Value = serde_json::from_slice(&gtk).unwrap();
    let rows = envelope["rows"].take();
    let late_rows = format!(
        r#"{{"results":{},"padding":"{padding}","rows":{}}}"#,
        envelope["results"], rows
    );
    let dir = capture_with(Function::GetGtk, late_rows.as_bytes());
    let pull = from_capture(NPSN, &CaptureDir::open(dir.path()).unwrap())
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(pull.gtk.len(), rows.as_array().unwrap().len());
    assert!(pull.incomplete.is_empty());
}

#[test]
fn a_body_file_gone_before_staging_is_a_retryable_error() {
    let dir = capture_with(
        Function::GetGtk,
        &std::fs::read(fixture_dir().join("getGtk.body")).unwrap(),
    );
    let raw = from_capture(NPSN, &CaptureDir::open(dir.path()).unwrap()).unwrap();
    std::fs::remove_file(dir.path().join("getGtk.body")).unwrap();
    let err = raw
        .for_each_record(dapodik_webservice::Entity::Gtk, &mut |_| Ok(()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedResponse);
    assert!(err.code.retryable());
}
