//! The connection doctor: checks a Web Service configuration step by step, in the order the real server
//! checks a request, and stops at the first failing step with its cause and fix in Bahasa Indonesia.
//!
//! Steps: host reachable (TCP) → Dapodik answering (`GET /`) → NPSN known to this Dapodik → active
//! semester → key accepted → IP accepted → the data belong to this NPSN. One `getSekolah` call decides
//! the last five: the server's answer tells which check refused it.

use crate::client::WebServiceClient;
use crate::decode::decode_body;
use crate::normalise::normalise;
use crate::{Entity, ErrorCode, Function, WsError};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    HostReachable,
    DapodikAnswering,
    NpsnKnown,
    SemesterActive,
    KeyAccepted,
    IpAccepted,
    NpsnMatches,
}

impl StepName {
    pub const ALL: [StepName; 7] = [
        StepName::HostReachable,
        StepName::DapodikAnswering,
        StepName::NpsnKnown,
        StepName::SemesterActive,
        StepName::KeyAccepted,
        StepName::IpAccepted,
        StepName::NpsnMatches,
    ];

    /// A short Indonesian label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            StepName::HostReachable => "PC Dapodik dapat dihubungi",
            StepName::DapodikAnswering => "Aplikasi Dapodik menjawab",
            StepName::NpsnKnown => "NPSN dikenal Dapodik ini",
            StepName::SemesterActive => "Semester aktif tersedia",
            StepName::KeyAccepted => "Kunci Web Service diterima",
            StepName::IpAccepted => "Alamat IP PC ini diizinkan",
            StepName::NpsnMatches => "Data milik sekolah ini",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub name: StepName,
    pub ok: bool,
    /// `null` when the step passed; the error code otherwise.
    pub code: Option<ErrorCode>,
    /// What was found, and on failure what to do (Indonesian).
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub ok: bool,
    /// The steps checked, in order; checking stops at the first failure.
    pub steps: Vec<Step>,
}

impl Report {
    fn push_ok(&mut self, name: StepName, message: impl Into<String>) {
        self.steps.push(Step {
            name,
            ok: true,
            code: None,
            message: message.into(),
        });
    }

    fn fail(mut self, name: StepName, code: ErrorCode, message: impl Into<String>) -> Report {
        self.steps.push(Step {
            name,
            ok: false,
            code: Some(code),
            message: message.into(),
        });
        self.ok = false;
        self
    }
}

/// Which step an error from `getSekolah` belongs to, and which steps it proves passed.
fn step_of(code: ErrorCode) -> StepName {
    match code {
        ErrorCode::NpsnMissing | ErrorCode::SchoolNotFound => StepName::NpsnKnown,
        ErrorCode::SemesterNotFound => StepName::SemesterActive,
        ErrorCode::AccessDenied | ErrorCode::KeyNotRegistered => StepName::KeyAccepted,
        ErrorCode::IpMismatch => StepName::IpAccepted,
        ErrorCode::WrongSchool => StepName::NpsnMatches,
        ErrorCode::DapodikUnreachable => StepName::HostReachable,
        _ => StepName::DapodikAnswering,
    }
}

/// Run the doctor against a configured client.
pub async fn diagnose(client: &WebServiceClient) -> Report {
    let mut report = Report {
        ok: true,
        steps: Vec::new(),
    };

    // 1–2: reachable and answering, without the key.
    match client.probe_root().await {
        Ok(status) => {
            report.push_ok(
                StepName::HostReachable,
                format!("{} menjawab.", client.base_url()),
            );
            if !(200..400).contains(&status) {
                return report.fail(
                    StepName::DapodikAnswering,
                    ErrorCode::ServerFault,
                    format!(
                        "Alamat ini menjawab dengan status HTTP {status}, bukan halaman Dapodik. Periksa port \
                         Web Service (bawaan 5774; lihat WebPort= di config\\install.ini folder Dapodik)."
                    ),
                );
            }
            report.push_ok(StepName::DapodikAnswering, "Aplikasi Dapodik berjalan.");
        }
        Err(e) if e.code == ErrorCode::Timeout => {
            return report.fail(
                StepName::HostReachable,
                ErrorCode::Timeout,
                format!(
                    "{} tidak menjawab dalam batas waktu. Pastikan PC Dapodik menyala, tidak tertidur, dan \
                     firewall Windows mengizinkan port Web Service.",
                    client.base_url()
                ),
            );
        }
        Err(e) => {
            return report.fail(
                StepName::HostReachable,
                ErrorCode::DapodikUnreachable,
                format!(
                    "{} tidak dapat dihubungi. Pastikan aplikasi Dapodik sedang berjalan, alamat IP PC Dapodik \
                     dan port-nya benar (bawaan 5774; lihat WebPort= di config\\install.ini), dan firewall \
                     mengizinkan port tersebut. ({})",
                    client.base_url(),
                    e.code
                ),
            );
        }
    }

    // 3–7: one getSekolah call; the server's answer says which of its checks refused it.
    let result = match client.fetch(Function::GetSekolah, &|_, _| {}).await {
        Ok(raw) => decode_body(Function::GetSekolah, raw.http_status, &raw.body),
        Err(e) => Err(e),
    };
    let failed_at = |e: &WsError| step_of(e.code);
    match result {
        Ok((rows, _)) => {
            let npsn = rows
                .first()
                .map(|r| normalise(Entity::Sekolah, r))
                .and_then(|r| r.get("npsn").and_then(|v| v.as_str()).map(str::to_owned));
            for step in [
                StepName::NpsnKnown,
                StepName::SemesterActive,
                StepName::KeyAccepted,
                StepName::IpAccepted,
            ] {
                report.push_ok(step, step.label());
            }
            match npsn {
                Some(n) if n == client.npsn() => {
                    report.push_ok(StepName::NpsnMatches, format!("Data milik sekolah dengan NPSN {n}."));
                    report
                }
                Some(n) => report.fail(
                    StepName::NpsnMatches,
                    ErrorCode::WrongSchool,
                    format!(
                        "Kunci ini terdaftar untuk sekolah dengan NPSN {n}, bukan {}. Periksa NPSN di Pengaturan \
                         koneksi, atau daftarkan kunci Web Service untuk sekolah ini di Dapodik.",
                        client.npsn()
                    ),
                ),
                None => report.fail(StepName::NpsnMatches, ErrorCode::MalformedResponse, ErrorCode::MalformedResponse.message()),
            }
        }
        Err(e) => {
            let at = failed_at(&e);
            // A malformed Authorization header is refused before any other check: nothing else is known.
            if e.code != ErrorCode::AccessDenied {
                for step in StepName::ALL.into_iter().skip(2).take_while(|s| *s != at) {
                    report.push_ok(step, step.label());
                }
            }
            let message = match e.code {
                ErrorCode::IpMismatch => format!(
                    "{} Jika aplikasi ini berjalan di PC yang sama dengan Dapodik, gunakan alamat \
                     http://127.0.0.1:PORT, bukan alamat IP jaringan PC itu.",
                    e.message()
                ),
                _ => e.message().to_string(),
            };
            report.fail(at, e.code, message)
        }
    }
}
