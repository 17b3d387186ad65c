//! The review commands end to end through real processes: a simulated Dapodik (`sim serve`, then
//! `sim serve --semesters 1` for the next semester's data), `sync`, then `apply`, `register`, `edit`,
//! `staging show`, `resolve`, `reject` and `audit` on the same SQLite file — with the simulator
//! stopped, since reviewing needs no network.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{Sim, BIN, KEY, NPSN};

fn cli(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).env("USER", "operator-test");
    c.env_remove("USERNAME");
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    cli(db).args(args).output().expect("run dapodik-sync")
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn sync(db: &Path, url: &str) -> Value {
    let out = cli(db)
        .args([
            "sync",
            "--url",
            url,
            "--npsn",
            NPSN,
            "--key-env",
            "TEST_KEY",
            "--json",
        ])
        .env("TEST_KEY", KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn register_ids(db: &Path, entity: &str) -> Vec<String> {
    ok_json(db, &["register", entity, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["dapodik_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn review_a_second_semester_offline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");

    // Semester 1: everything NEW, applied.
    {
        let sim = Sim::start(120, &["--semesters", "0"]);
        let b = sync(&db, &sim.url);
        assert_eq!(b["counts"]["peserta_didik"]["NEW"], 120);
    }
    let applied = ok_json(&db, &["apply", "--json"]);
    let staged: u64 = ok_json(&db, &["staging", "--json"])
        .as_array()
        .unwrap()
        .len() as u64;
    assert_eq!(applied["applied"].as_u64().unwrap(), staged);
    assert_eq!(applied["skipped"], 0);
    let register = ok_json(&db, &["register", "peserta_didik", "--json"]);
    let register = register.as_array().unwrap();
    assert_eq!(register.len(), 120);
    assert!(
        register[0]["record"]["nisn"].is_string(),
        "Web Service field names"
    );

    // Local edits: an address (kept by apply) and a Verval-protected name (a conflict).
    let ids = register_ids(&db, "peserta_didik");
    let (kept, renamed) = (&ids[0], &ids[1]);
    let edit = ok_json(
        &db,
        &[
            "edit",
            "peserta_didik",
            kept,
            "alamat_jalan=Jl. Lokal 7",
            "--json",
        ],
    );
    assert_eq!(edit["after"], "Jl. Lokal 7");
    let out = run(&db, &["edit", "peserta_didik", renamed, "nama=NAMA LOKAL"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("VervalPD"));

    // Semester 2: new students, moves, corrected names, leavers.
    let second = {
        let sim = Sim::start(120, &["--semesters", "1"]);
        sync(&db, &sim.url)
    };
    // The simulator is gone from here on: the review is offline.
    let batch = second["batch_id"].as_i64().unwrap();
    let students = second["counts"]["peserta_didik"].clone();
    assert!(students["NEW"].as_u64().unwrap() >= 3, "{students}");
    let conflicts = ok_json(
        &db,
        &[
            "staging",
            "--batch",
            &batch.to_string(),
            "--entity",
            "peserta_didik",
            "--status",
            "CONFLICT",
            "--json",
        ],
    );
    let conflicts = conflicts.as_array().unwrap();
    let removals: Vec<&Value> = conflicts
        .iter()
        .filter(|r| r["reasons"][0] == "Dihapus di Dapodik")
        .collect();
    assert!(
        removals.len() >= 2,
        "leavers become removal rows: {conflicts:?}"
    );
    let protected = conflicts
        .iter()
        .find(|r| r["dapodik_id"] == renamed.as_str())
        .expect("the local name edit is a conflict");

    // staging show: three columns per field, findings, Verval hint.
    let show = ok_json(
        &db,
        &["staging", "show", &protected["id"].to_string(), "--json"],
    );
    let nama = show["diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == "nama")
        .unwrap();
    assert_eq!(nama["local"], "NAMA LOKAL");
    assert_eq!(nama["conflict"], true);
    assert!(nama["base"].is_string() && nama["dapodik"].is_string());
    assert!(show["findings"].is_array());
    assert_eq!(show["unresolved"][0], "nama");

    // A typed value for a protected field is refused.
    let out = run(
        &db,
        &[
            "resolve",
            &protected["id"].to_string(),
            "--field",
            "nama",
            "--value",
            "X",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "refused");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("VervalPD"));

    // The row of the student with a local address: MATCHED, the local value shown.
    let kept_row = ok_json(
        &db,
        &[
            "staging",
            "--batch",
            &batch.to_string(),
            "--entity",
            "peserta_didik",
            "--json",
        ],
    )
    .as_array()
    .unwrap()
    .iter()
    .find(|r| r["dapodik_id"] == kept.as_str())
    .cloned()
    .expect("the edited student is still in Dapodik");
    let show = ok_json(
        &db,
        &["staging", "show", &kept_row["id"].to_string(), "--json"],
    );
    let alamat = show["diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == "alamat_jalan")
        .unwrap();
    assert_eq!(alamat["local"], "Jl. Lokal 7");
    assert_eq!(alamat["conflict"], false);

    // Apply: NEW and conflict-free MATCHED rows; conflicts and removals are skipped.
    let before = register_ids(&db, "peserta_didik").len();
    let applied = ok_json(&db, &["apply", "--json"]);
    let pending = ok_json(
        &db,
        &[
            "staging",
            "--batch",
            &batch.to_string(),
            "--status",
            "CONFLICT",
            "--json",
        ],
    )
    .as_array()
    .unwrap()
    .len()
        + ok_json(
            &db,
            &[
                "staging",
                "--batch",
                &batch.to_string(),
                "--status",
                "REJECTED",
                "--json",
            ],
        )
        .as_array()
        .unwrap()
        .len();
    assert!(pending >= conflicts.len());
    assert_eq!(
        applied["skipped"].as_u64().unwrap(),
        pending as u64,
        "{applied}"
    );
    let after = register_ids(&db, "peserta_didik");
    assert_eq!(
        after.len(),
        before + students["NEW"].as_u64().unwrap() as usize
    );
    let kept_now = ok_json(
        &db,
        &["register", "peserta_didik", "--search", kept, "--json"],
    );
    assert_eq!(kept_now[0]["record"]["alamat_jalan"], "Jl. Lokal 7");

    // Accept one removal, reject another, keep the local name: apply again.
    let gone = removals[0]["dapodik_id"].as_str().unwrap().to_string();
    ok_json(
        &db,
        &[
            "resolve",
            &removals[0]["id"].to_string(),
            "--take",
            "dapodik",
            "--json",
        ],
    );
    ok_json(&db, &["reject", &removals[1]["id"].to_string(), "--json"]);
    ok_json(
        &db,
        &[
            "resolve",
            &protected["id"].to_string(),
            "--field",
            "nama",
            "--take",
            "local",
            "--json",
        ],
    );
    let applied = ok_json(&db, &["apply", "--batch", &batch.to_string(), "--json"]);
    assert_eq!(applied["applied"], 2, "{applied}");
    let ids = register_ids(&db, "peserta_didik");
    assert!(!ids.contains(&gone));
    assert_eq!(ids.len(), after.len() - 1);
    let renamed_now = ok_json(
        &db,
        &["register", "peserta_didik", "--search", renamed, "--json"],
    );
    assert_eq!(renamed_now[0]["record"]["nama"], "NAMA LOKAL");

    // Reconciling the batch again: what is applied is unchanged, the resolved rows stay decided.
    let again = ok_json(&db, &["reconcile", "--batch", &batch.to_string(), "--json"]);
    assert_eq!(again["batch_id"], batch);
    assert_eq!(again["status"], "SUCCEEDED");

    // The audit log: who, when, what, before → after.
    let audit = ok_json(&db, &["audit", "--json"]);
    let audit = audit.as_array().unwrap();
    assert!(audit
        .iter()
        .all(|e| e["actor"] == "operator-test" && e["at"].is_i64()));
    let edit = audit
        .iter()
        .find(|e| e["action"] == "edit" && e["dapodik_id"] == kept.as_str())
        .unwrap();
    assert_eq!(edit["field"], "alamat_jalan");
    assert_eq!(edit["after"], "Jl. Lokal 7");
    let removed = audit.iter().find(|e| e["action"] == "remove").unwrap();
    assert_eq!(removed["dapodik_id"], gone.as_str());
    assert!(removed["before"]["nama"].is_string());
    let history = ok_json(
        &db,
        &["audit", "--entity", "peserta_didik", "--id", kept, "--json"],
    );
    assert!(history.as_array().unwrap().len() >= 2);
}

#[test]
fn staging_show_of_an_unknown_row_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sync.sqlite3");
    let out = run(&db, &["staging", "show", "999", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "not_found");
    // The list form still works on an empty database.
    assert_eq!(ok_json(&db, &["staging", "--json"]), serde_json::json!([]));
    assert_eq!(ok_json(&db, &["apply", "--json"])["applied"], 0);
}
