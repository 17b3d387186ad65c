//! What the CLI's integration tests share: the binary under test and a simulated Dapodik served by
//! `dapodik-sync sim serve` in a child process, killed on drop.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_dapodik-sync");
pub const NPSN: &str = "20212345";
/// The key the test simulators accept: a test value, not a secret.
pub const KEY: &str = "SIMKEY7Q2W9E4R1";

pub struct Sim {
    child: Child,
    pub url: String,
}

impl Sim {
    /// `sim serve` on a free port with `students` students and any further arguments (faults,
    /// latency, `--semesters N`); returns once the simulator printed its URL.
    pub fn start(students: u32, extra: &[&str]) -> Sim {
        let mut child = Command::new(BIN)
            .args([
                "sim",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--npsn",
                NPSN,
                "--key",
                KEY,
            ])
            .args(["--students", &students.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start simulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("simulator ready line");
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
        Sim {
            child,
            url: v["url"].as_str().expect("url").to_string(),
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// stdout parsed as JSON, or a panic that shows both streams.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
