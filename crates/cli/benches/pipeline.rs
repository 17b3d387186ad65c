//! Benchmark: the sync pipeline decode → normalise → stage → first-pass reconcile, at 1k, 10k and 100k
//! students, fed from bodies the simulator generated (so the client's own cost is measured, not the
//! network's), beside a raw SQLite bulk insert of the same rows in the same run.
//!
//! `cargo bench -p dapodik-sync-cli --bench pipeline` (add `-- 1000 10000` to choose sizes).
//! Each size runs in a child process of its own so that its peak RSS (VmHWM) is its own.
//! The pipeline reads the bodies from files, as a pull holds them (large HTTP bodies are spooled to a
//! file while they arrive): `pull::from_capture` + staging, timed together.
//! Besides wall time, the CPU seconds of the pipeline are printed (process total, and the share of
//! staging's decoding thread: decode + normalise + correct + serialise + hash + findings; the rest
//! is the writing thread: reconcile + SQLite), since wall time on a shared 2-core machine depends on
//! what else runs. `--generate N DIR` only writes the bodies; `--child DIR` runs one size on them.
//! Figures are recorded in docs/PERFORMANCE.md.

use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::pull;
use dapodik_webservice::{Entity, Function};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use sync_core::{NewBatch, SourceKind, Store};

const NPSN: &str = "20212345";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        let dir = PathBuf::from(&args[1]);
        child(&dir);
        return;
    }
    // `--generate N DIR`: only write the bodies (to profile `--child DIR` on its own).
    if args.first().map(String::as_str) == Some("--generate") {
        let n: usize = args[1].parse().expect("students");
        let dir = PathBuf::from(&args[2]);
        std::fs::create_dir_all(&dir).unwrap();
        generate(n, &dir);
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    println!("| students | rows staged | pipeline s | pipeline rows/s | raw insert rows/s | pipeline / raw | pipeline CPU s (decoding thread + writing thread) | peak RSS MB |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        generate(n, dir.path());
        let out = Command::new(std::env::current_exe().unwrap())
            .arg("--child")
            .arg(dir.path())
            .output()
            .expect("run child");
        if !out.status.success() {
            eprintln!(
                "child for {n} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::process::exit(1);
        }
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// Writes the simulator's bodies as a capture folder, then frees everything.
fn generate(students: usize, dir: &Path) {
    let school = dapodik_sim::SimSchool::generate(&dapodik_sim::SimSchoolConfig {
        npsn: NPSN.to_string(),
        seed: 7,
        students,
    });
    for f in Function::ALL {
        std::fs::write(
            dir.join(format!("{}.body", f.name())),
            school.body(f.name()),
        )
        .unwrap();
    }
}

fn child(dir: &Path) {
    let capture = CaptureDir::open(dir).unwrap();
    let db_dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_dir.path().join("bench.sqlite3")).unwrap();
    let batch = store
        .enqueue(
            &NewBatch {
                source: SourceKind::Replay,
                target: dir.display().to_string(),
                npsn: NPSN.into(),
                max_attempts: 1,
            },
            0,
        )
        .unwrap();
    let claimed = store.claim_next(0).unwrap().expect("claimed");
    assert_eq!(claimed.id, batch.id);

    // The bodies are files, as a pull holds them after receiving them (a large HTTP body is spooled
    // to a file while it arrives); the pipeline reads each when its entity is staged.
    let started = Instant::now();
    let cpu_started = cpu_seconds("/proc/self/stat");
    let raw_pull = pull::from_capture(NPSN, &capture).unwrap();
    // `stage_pull` is this call with the pull's records and notes; the stream runs on the staging's
    // decoding thread, whose CPU time is summed here.
    let mut stream_cpu = 0.0;
    let done = store
        .stage_records(
            batch.id,
            &mut |entity, on_record| {
                let cpu = cpu_seconds("/proc/thread-self/stat");
                let summary = raw_pull.for_each_record(entity, on_record);
                stream_cpu += cpu_seconds("/proc/thread-self/stat") - cpu;
                summary
            },
            &raw_pull.notes,
            1,
        )
        .unwrap();
    let pipeline_secs = started.elapsed().as_secs_f64();
    let pipeline_cpu = cpu_seconds("/proc/self/stat") - cpu_started;
    let rows: u64 = done
        .counts
        .values()
        .map(|c| c.new + c.matched + c.conflict + c.rejected)
        .sum();
    let students: u64 = done
        .counts
        .get(Entity::PesertaDidik.as_str())
        .map(|c| c.new + c.matched + c.conflict + c.rejected)
        .unwrap_or(0);
    drop(raw_pull);
    // Peak memory of the pipeline alone (the raw insert below holds every row at once).
    let pipeline_peak = peak_rss_mb();

    let responses: Vec<_> = Function::ALL
        .iter()
        .map(|&f| (f, capture.fetch(f).unwrap()))
        .collect();
    let raw_rate = raw_insert(&db_dir.path().join("raw.sqlite3"), &responses);
    let pipeline_rate = rows as f64 / pipeline_secs;
    println!(
        "| {students} | {rows} | {pipeline_secs:.3} | {pipeline_rate:.0} | {raw_rate:.0} | {:.2} | {pipeline_cpu:.2} ({stream_cpu:.2} + {:.2}) | {:.0} |",
        pipeline_rate / raw_rate,
        pipeline_cpu - stream_cpu,
        pipeline_peak
    );
}

/// The same rows (id + record JSON + hash-sized text) inserted into a bare table with a prepared
/// statement in one transaction, with the same pragmas: what SQLite alone costs.
fn raw_insert(
    path: &Path,
    responses: &[(Function, dapodik_webservice::source::RawResponse)],
) -> f64 {
    let mut prepared: Vec<(String, String)> = Vec::new();
    for (f, r) in responses {
        let (rows, _) =
            dapodik_webservice::decode::decode_body(*f, r.http_status, &r.body).unwrap();
        let id_field = f.entity().id_field();
        for row in rows {
            let id = row
                .get(id_field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_lowercase();
            prepared.push((id, serde_json::to_string(&row).unwrap()));
        }
    }
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
         CREATE TABLE raw (id INTEGER PRIMARY KEY, entity TEXT NOT NULL, dapodik_id TEXT, record TEXT NOT NULL, content_hash TEXT NOT NULL);",
    )
    .unwrap();
    let hash = "0".repeat(64);
    let started = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO raw (entity, dapodik_id, record, content_hash) VALUES ('peserta_didik', ?1, ?2, ?3)")
            .unwrap();
        for (id, record) in &prepared {
            stmt.execute(rusqlite::params![id, record, hash]).unwrap();
        }
    }
    tx.commit().unwrap();
    prepared.len() as f64 / started.elapsed().as_secs_f64()
}

/// User + system CPU seconds in a `/proc/…/stat` file (Linux; 0 elsewhere): the process's (all its
/// threads, ended ones included) or the calling thread's.
fn cpu_seconds(stat_file: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(stat_file) else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// Peak resident set size of this process (Linux: VmHWM); 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
