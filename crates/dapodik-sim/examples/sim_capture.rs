//! Writes a simulated school as a capture folder (`<function>.body` per function), the format the
//! product reads for replay: `cargo run -p dapodik-sim --example sim_capture -- OUT_DIR [STUDENTS] [SEED]`.

use dapodik_sim::{SimFunction, SimSchool, SimSchoolConfig};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: sim_capture OUT_DIR [STUDENTS] [SEED]");
    let students = args
        .next()
        .map(|s| s.parse().expect("STUDENTS"))
        .unwrap_or(1200);
    let seed = args.next().map(|s| s.parse().expect("SEED")).unwrap_or(1);
    let t = Instant::now();
    let school = SimSchool::generate(&SimSchoolConfig {
        students,
        seed,
        ..Default::default()
    });
    let generated = t.elapsed();
    std::fs::create_dir_all(&out).expect("create OUT_DIR");
    let mut total = 0;
    let t = Instant::now();
    for f in SimFunction::ALL {
        let body = school.body(f);
        total += body.len();
        std::fs::write(format!("{out}/{}.body", f.name()), body).expect("write body");
    }
    eprintln!(
        "{} students, {} staff, {} classes: generated in {generated:?}, rendered {total} bytes in {:?}",
        school.peserta_didik.len(),
        school.gtk.len(),
        school.rombongan_belajar.len(),
        t.elapsed()
    );
}
