//! The connection doctor, capture (plain and masked) and port discovery, through the real binary
//! against the simulated Dapodik over HTTP.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{Sim, BIN, KEY, NPSN};

fn doctor(url: &str, npsn: &str, key: &str) -> (Output, Value) {
    let out = Command::new(BIN)
        .args([
            "doctor",
            "--url",
            url,
            "--npsn",
            npsn,
            "--key-env",
            "TEST_DAPODIK_KEY",
            "--json",
        ])
        .env("TEST_DAPODIK_KEY", key)
        .env("DAPODIK_SYNC_CONNECT_TIMEOUT_MS", "2000")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, v)
}

/// The name and code of the failing (last) step, and the names of the steps that passed.
fn verdict(v: &Value) -> (String, String, Vec<String>) {
    let steps = v["steps"].as_array().expect("steps");
    let last = steps.last().expect("at least one step");
    let passed = steps
        .iter()
        .filter(|s| s["ok"] == true)
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    (
        last["name"].as_str().unwrap().to_string(),
        last["code"].as_str().unwrap_or("").to_string(),
        passed,
    )
}

#[test]
fn doctor_passes_every_step_on_a_healthy_dapodik() {
    let sim = Sim::start(60, &[]);
    let (out, v) = doctor(&sim.url, NPSN, KEY);
    assert!(out.status.success(), "{v:#}");
    assert_eq!(v["ok"], true);
    let names: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "host_reachable",
            "dapodik_answering",
            "npsn_known",
            "semester_active",
            "key_accepted",
            "ip_accepted",
            "npsn_matches"
        ]
    );
    assert!(v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["ok"] == true && s["code"].is_null()));
}

#[test]
fn doctor_names_the_failing_step_for_each_configuration_fault() {
    let cases: &[(&[&str], &str, &str, &str)] = &[
        (
            &["--fault", "key-not-registered"],
            NPSN,
            "key_accepted",
            "key_not_registered",
        ),
        (
            &["--fault", "ip-mismatch"],
            NPSN,
            "ip_accepted",
            "ip_mismatch",
        ),
        (
            &["--fault", "semester-not-found"],
            NPSN,
            "semester_active",
            "semester_not_found",
        ),
        (&[], "99999999", "npsn_known", "school_not_found"),
    ];
    for (fault, npsn, step, code) in cases {
        let sim = Sim::start(60, fault);
        let (out, v) = doctor(&sim.url, npsn, KEY);
        assert_eq!(out.status.code(), Some(1), "{fault:?}: {v:#}");
        assert_eq!(v["ok"], false);
        let (last, last_code, passed) = verdict(&v);
        assert_eq!(
            (last.as_str(), last_code.as_str()),
            (*step, *code),
            "{fault:?}"
        );
        assert!(passed.contains(&"dapodik_answering".to_string()));
        let message = v["steps"].as_array().unwrap().last().unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.len() > 40, "an explanation with a fix: {message}");
    }
    // A wrong key is refused at the key step and says where to register.
    let sim = Sim::start(60, &[]);
    let (_, v) = doctor(&sim.url, NPSN, "WRONGKEY0000000");
    let (last, code, _) = verdict(&v);
    assert_eq!(
        (last.as_str(), code.as_str()),
        ("key_accepted", "key_not_registered")
    );
    assert!(v["steps"].as_array().unwrap().last().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("Pengaturan"));
}

#[test]
fn doctor_tells_dapodik_not_running_from_a_wrong_key() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (out, v) = doctor(&format!("http://127.0.0.1:{port}"), NPSN, KEY);
    assert_eq!(out.status.code(), Some(1));
    let (last, code, passed) = verdict(&v);
    assert_eq!(
        (last.as_str(), code.as_str()),
        ("host_reachable", "dapodik_unreachable")
    );
    assert!(passed.is_empty());
}

fn run_capture(sim: &Sim, out_dir: &Path, mask: bool) {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "capture",
        "--url",
        &sim.url,
        "--npsn",
        NPSN,
        "--key-env",
        "TEST_DAPODIK_KEY",
        "--out",
    ])
    .arg(out_dir)
    .env("TEST_DAPODIK_KEY", KEY);
    if mask {
        cmd.arg("--mask");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn replay(capture: &Path, db: &Path) -> Value {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("replay")
        .arg(capture)
        .args(["--npsn", NPSN, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn staged_students(db: &Path) -> Vec<Value> {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["staging", "--entity", "peserta_didik", "--json"])
        .output()
        .unwrap();
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_masked_capture_hides_personal_data_and_replays_to_the_same_counts() {
    let sim = Sim::start(60, &[]);
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let masked = dir.path().join("masked");
    run_capture(&sim, &plain, false);
    run_capture(&sim, &masked, true);
    for f in [
        "getSekolah",
        "getPesertaDidik",
        "getGtk",
        "getRombonganBelajar",
    ] {
        assert!(masked.join(format!("{f}.body")).exists(), "{f}");
    }

    let a = replay(&plain, &dir.path().join("a.sqlite3"));
    let b = replay(&masked, &dir.path().join("b.sqlite3"));
    assert_eq!(
        a["counts"], b["counts"],
        "masking keeps what reconciliation sees"
    );

    let originals = staged_students(&dir.path().join("a.sqlite3"));
    let masked_body = std::fs::read_to_string(masked.join("getPesertaDidik.body")).unwrap();
    let masked_classes = std::fs::read_to_string(masked.join("getRombonganBelajar.body")).unwrap();
    let mut checked = 0;
    for s in &originals {
        let r = &s["record"];
        for field in ["nama", "nama_ibu"] {
            if let Some(v) = r[field].as_str() {
                assert!(
                    !masked_body.contains(&format!("\"{v}\"")),
                    "{field} {v} still in the masked capture"
                );
            }
        }
        for field in ["nik", "nisn", "nomor_telepon_seluler"] {
            if let Some(v) = r[field]
                .as_str()
                .filter(|v| v.len() >= 10 && v.bytes().any(|b| b != b'0'))
            {
                assert!(
                    !masked_body.contains(v),
                    "{field} still in the masked capture"
                );
                checked += 1;
            }
        }
        // The student's id (not personal) is unchanged, so relations survive.
        assert!(
            masked_body.contains(s["dapodik_id"].as_str().unwrap())
                || masked_body
                    .to_lowercase()
                    .contains(s["dapodik_id"].as_str().unwrap())
        );
    }
    assert!(
        checked > 50,
        "identifiers were actually checked ({checked})"
    );

    // Consistent fakes: a homeroom teacher's masked name in a class equals that teacher's masked name.
    let masked_db = dir.path().join("b.sqlite3");
    let teachers: Vec<Value> = {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&masked_db)
            .args(["staging", "--entity", "gtk", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let classes: Vec<Value> = {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&masked_db)
            .args(["staging", "--entity", "rombongan_belajar", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let mut related = 0;
    for c in &classes {
        if let (Some(ptk), Some(name)) = (
            c["record"]["ptk_id"].as_str(),
            c["record"]["ptk_id_str"].as_str(),
        ) {
            let t = teachers
                .iter()
                .find(|t| t["dapodik_id"] == ptk)
                .expect("homeroom teacher staged");
            assert_eq!(
                t["record"]["nama"].as_str(),
                Some(name),
                "same fake for the same name"
            );
            related += 1;
        }
    }
    assert!(related > 0);
    assert!(!masked_classes.is_empty());
}

#[test]
fn port_is_read_from_install_ini_or_defaults_to_5774() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["port", "--json", "--install-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["port"], 5774);
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config").join("install.ini"),
        "[Dapodik]\r\nWebPort=5776\r\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["port", "--json", "--install-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["port"], 5776);
    assert_eq!(v["origin"]["from"], "install_ini");
}
