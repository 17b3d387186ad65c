//! Demo mode: a simulated Dapodik (`dapodik-sim`) on 127.0.0.1 with a random port and a random per-run
//! key, so the whole app — queue, worker, staging — runs for real without a school's Dapodik.

use crate::config;
use rand::Rng;

/// The running simulator of this app run. Dropping it does not stop the server; call [`Demo::shutdown`].
pub struct Demo {
    server: dapodik_sim::SimHandle,
    base_url: String,
    npsn: String,
    school_name: String,
    key: String,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("base_url", &self.base_url)
            .field("npsn", &self.npsn)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Demo {
    /// Starts the simulator (must run inside the tokio runtime).
    pub fn start(lookup: impl Fn(&str) -> Option<String>) -> Result<Demo, dapodik_sim::SimError> {
        let key = random_key();
        let mut sim = dapodik_sim::SimConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            key: key.clone(),
            ..Default::default()
        };
        if let Some(students) = config::demo_students(&lookup) {
            sim.students = students;
        }
        sim.fault = config::demo_fault(&lookup);
        if let Some(latency) = config::demo_latency(&lookup) {
            sim.latency = latency;
        }
        let server = dapodik_sim::SimServer::start(sim)?;
        let base_url = server.base_url();
        let npsn = server.npsn().to_string();
        let school_name = server.school().sekolah.nama.clone();
        tracing::info!(%base_url, "demo mode: simulated Dapodik started");
        Ok(Demo {
            server,
            base_url,
            npsn,
            school_name,
            key,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn npsn(&self) -> &str {
        &self.npsn
    }

    /// The simulated school's name (shown before the first sync has staged the real record).
    pub fn school_name(&self) -> &str {
        &self.school_name
    }

    /// The per-run key the simulator accepts (lives only in memory).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Advances the simulated school to the next semester (the next sync brings its changes).
    pub fn next_semester(&self) -> dapodik_sim::SemesterChanges {
        self.server.next_semester()
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// 32 random hex characters, fresh for every run.
fn random_key() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_hex() {
        let a = random_key();
        let b = random_key();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
