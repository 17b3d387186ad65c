//! The CLI contract, end to end through real processes: a simulated Dapodik served over HTTP by
//! `dapodik-sync sim serve`, `dapodik-sync sync`/`replay` writing a real SQLite file, and the JSON
//! read back with `batches`/`staging`. Includes a sync process killed mid-batch and restarted.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{json_of, Sim, BIN, KEY, NPSN};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dapodik-webservice/tests/fixtures/ws")
}

fn cli(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db);
    // Fast retries for tests; the policy itself is tested in sync-core.
    c.env("DAPODIK_SYNC_BACKOFF_BASE_MS", "20")
        .env("DAPODIK_SYNC_BACKOFF_CAP_MS", "100");
    c.env("DAPODIK_SYNC_CONNECT_TIMEOUT_MS", "2000");
    c
}

fn sync(db: &Path, url: &str, extra: &[&str]) -> (Output, Value) {
    let out = cli(db)
        .args([
            "sync",
            "--url",
            url,
            "--npsn",
            NPSN,
            "--key-env",
            "TEST_DAPODIK_KEY",
            "--json",
        ])
        .args(extra)
        .env("TEST_DAPODIK_KEY", KEY)
        .output()
        .expect("run sync");
    let v = json_of(&out);
    (out, v)
}

fn staging(db: &Path, args: &[&str]) -> Vec<Value> {
    let out = cli(db)
        .arg("staging")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "staging failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out).as_array().expect("array").clone()
}

fn batches(db: &Path) -> Vec<Value> {
    let out = cli(db).args(["batches", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "batches failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out).as_array().expect("array").clone()
}

#[test]
fn sync_from_the_simulator_stages_every_entity() {
    let sim = Sim::start(150, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");

    let (out, v) = sync(&db, &sim.url, &[]);
    assert!(out.status.success(), "exit {:?}: {v}", out.status);
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["attempts"], 1);
    assert!(v["error"].is_null());
    assert_eq!(v["counts"]["sekolah"]["NEW"], 1);
    assert_eq!(v["counts"]["peserta_didik"]["NEW"], 150);
    assert_eq!(v["counts"]["peserta_didik"]["REJECTED"], 0);
    assert!(v["counts"]["gtk"]["NEW"].as_u64().unwrap() > 0);
    assert!(v["counts"]["rombongan_belajar"]["NEW"].as_u64().unwrap() > 0);

    let students = staging(&db, &["--entity", "peserta_didik"]);
    assert_eq!(students.len(), 150);
    for s in &students {
        assert_eq!(s["batch_id"], v["batch_id"]);
        assert_eq!(s["status"], "NEW");
        let id = s["dapodik_id"].as_str().unwrap();
        assert_eq!(id, id.to_lowercase(), "ids are stored lower-case");
        let nisn = s["record"]["nisn"].as_str().expect("nisn is a string");
        assert!(
            nisn.len() == 10 && nisn.bytes().all(|b| b.is_ascii_digit()),
            "nisn {nisn}"
        );
    }

    // The key is never printed and never stored.
    let all = [&out.stdout[..], &out.stderr[..]].concat();
    assert!(!String::from_utf8_lossy(&all).contains(KEY));
    let bytes = std::fs::read(&db).unwrap();
    assert!(
        !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
        "key found in the database file"
    );
}

#[test]
fn each_sync_run_ends_its_own_batch() {
    // Two syncs in a row for the same school: each run ends its batch, so there are two batches and
    // none is left open. (Idempotent enqueue while a batch is PENDING is tested in sync-core.)
    let sim = Sim::start(150, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let (_, a) = sync(&db, &sim.url, &[]);
    let (_, b) = sync(&db, &sim.url, &[]);
    assert_ne!(a["batch_id"], b["batch_id"]);
    let list = batches(&db);
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|b| b["status"] == "SUCCEEDED"));
}

#[test]
fn wrong_key_fails_at_once_with_key_not_registered() {
    let sim = Sim::start(150, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let out = cli(&db)
        .args([
            "sync",
            "--url",
            &sim.url,
            "--npsn",
            NPSN,
            "--key-env",
            "TEST_DAPODIK_KEY",
            "--json",
        ])
        .env("TEST_DAPODIK_KEY", "WRONGKEY0000000")
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["status"], "FAILED");
    assert_eq!(
        v["attempts"], 1,
        "configuration errors do not burn attempts"
    );
    assert_eq!(v["error"]["code"], "key_not_registered");
    assert_eq!(v["error"]["retryable"], false);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Pengaturan"));
}

#[test]
fn unreachable_dapodik_is_retried_then_fails() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let (out, v) = sync(
        &db,
        &format!("http://127.0.0.1:{port}"),
        &["--max-attempts", "3"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["attempts"], 3);
    assert_eq!(v["error"]["code"], "dapodik_unreachable");
    assert_eq!(v["error"]["retryable"], true);
    assert!(staging(&db, &[]).is_empty(), "nothing staged");
}

#[test]
fn missing_key_variable_is_a_configuration_error() {
    let sim = Sim::start(150, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let out = cli(&db)
        .args([
            "sync",
            "--url",
            &sim.url,
            "--npsn",
            NPSN,
            "--key-env",
            "UNSET_VAR_FOR_TEST",
            "--json",
        ])
        .env_remove("UNSET_VAR_FOR_TEST")
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"]["code"], "not_configured");
    assert_eq!(v["attempts"], 1);
}

#[test]
fn replay_of_the_handed_capture_stages_as_its_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let capture = fixtures().join("school-smk-4pd");
    let out = cli(&db)
        .arg("replay")
        .arg(&capture)
        .args(["--npsn", "20254301", "--json"])
        .output()
        .unwrap();
    let v = json_of(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["counts"]["sekolah"]["NEW"], 1);
    assert_eq!(
        v["counts"]["peserta_didik"]["NEW"], 4,
        "the non-active member …0099 creates no student"
    );

    let students = staging(&db, &["--entity", "peserta_didik"]);
    let putri = students
        .iter()
        .find(|s| s["record"]["nama"] == "Putri Ayu Lestari")
        .expect("Putri");
    let nik = putri["record"]["nik"].as_str().unwrap();
    assert!(
        nik.starts_with("91") && nik.len() == 16,
        "NIK above 2^53 survives exactly: {nik}"
    );
    let rizky = students
        .iter()
        .find(|s| s["record"]["nama"] == "Rizky Ramadhan")
        .expect("Rizky");
    assert!(
        rizky["record"]["rombongan_belajar_id"].is_null(),
        "Rizky is in no class"
    );
    let id = rizky["dapodik_id"].as_str().unwrap();
    assert_eq!(id, id.to_lowercase());
}

#[test]
fn replay_for_another_school_is_refused_as_wrong_school() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let capture = fixtures().join("school-smk-4pd");
    let out = cli(&db)
        .arg("replay")
        .arg(&capture)
        .args(["--npsn", "99999999", "--json"])
        .output()
        .unwrap();
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["error"]["code"], "wrong_school");
    assert!(staging(&db, &[]).is_empty());
}

#[test]
fn a_sync_killed_mid_batch_resumes_on_restart_without_duplicates() {
    let sim = Sim::start(150, &["--latency-ms", "700"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");

    let mut first = cli(&db)
        .args([
            "sync",
            "--url",
            &sim.url,
            "--npsn",
            NPSN,
            "--key-env",
            "TEST_DAPODIK_KEY",
            "--json",
        ])
        .env("TEST_DAPODIK_KEY", KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the batch is RUNNING, then kill the process without warning.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "batch never started");
        if db.exists() {
            let out = cli(&db).args(["batches", "--json"]).output().unwrap();
            if out.status.success() {
                if let Ok(Value::Array(list)) = serde_json::from_slice::<Value>(&out.stdout) {
                    if list.iter().any(|b| b["status"] == "RUNNING") {
                        break;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    first.kill().unwrap();
    first.wait().unwrap();

    let list = batches(&db);
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["status"], "RUNNING",
        "a killed worker leaves its batch RUNNING"
    );
    assert!(staging(&db, &[]).is_empty(), "nothing half-staged");

    let (out, v) = sync(&db, &sim.url, &[]);
    assert!(out.status.success(), "{v}");
    assert_eq!(
        v["batch_id"],
        list[0]["id"],
        "the interrupted batch is resumed, not duplicated: {:#}",
        Value::Array(batches(&db))
    );
    assert_eq!(v["attempts"], 2);
    assert_eq!(batches(&db).len(), 1);
    let students = staging(&db, &["--entity", "peserta_didik"]);
    assert_eq!(students.len(), 150);
    let mut ids: Vec<&str> = students
        .iter()
        .map(|s| s["dapodik_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 150, "no duplicate staging rows");
}
