//! CPU time of decode + normalise + correction per entity, from a capture folder (one thread, records
//! dropped): the share of the pull pipeline this crate owns.
//!
//! `cargo run --release -p dapodik-webservice --example pull_cpu -- DIR NPSN [ROUNDS]`
//! (`cargo bench -p dapodik-sync-cli --bench pipeline -- --generate 100000 DIR` writes such a folder).

use dapodik_webservice::capture::CaptureDir;
use dapodik_webservice::pull::from_capture;
use dapodik_webservice::Entity;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = CaptureDir::open(&args[0]).expect("capture folder");
    let npsn = args.get(1).map(String::as_str).unwrap_or("20212345");
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    for round in 0..rounds {
        let cpu0 = cpu_seconds();
        let t = Instant::now();
        let raw = from_capture(npsn, &dir).expect("pull");
        let mut line = format!("round {round}: open {:.3} s CPU", cpu_seconds() - cpu0);
        let mut total = 0usize;
        for entity in Entity::ALL {
            let cpu = cpu_seconds();
            let mut n = 0usize;
            raw.for_each_record(entity, &mut |r| {
                n += 1;
                drop(r);
                Ok(())
            })
            .expect("records");
            total += n;
            line += &format!(", {} {n} in {:.3} s", entity.as_str(), cpu_seconds() - cpu);
        }
        let cpu = cpu_seconds() - cpu0;
        println!(
            "{line}; total {total} records, {cpu:.3} s CPU, {:.3} s wall, {:.0} records/CPU-s",
            t.elapsed().as_secs_f64(),
            total as f64 / cpu
        );
    }
}

/// CPU seconds of this process (user + system; Linux), 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
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
