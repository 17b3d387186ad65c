//! Faults the simulator can be told to show, one at a time: the ways the real Web Service fails in
//! the field (see `shared/docs/dapodik-webservice.md`), parsed from the CLI's `--fault` strings.

use std::fmt;
use std::str::FromStr;

/// A fault the simulated server shows until cleared.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Dapodik not running: the listening socket is closed, so connections are **refused**; when the
    /// fault is cleared the server listens on the same port again. (A connection accepted in the
    /// instant the fault is being applied is closed without an answer.)
    Down,
    /// Slow but alive: every Web Service answer waits the configured latency (see
    /// `SimHandle::set_latency`), or [`Fault::SLOW_DEFAULT`] when none is set.
    Slow,
    /// The key is unknown or deactivated: `Aplikasi tidak terdaftar pada Web Service Dapodik`.
    KeyNotRegistered,
    /// The key is registered for another IP: `IP Address yang didaftarkan pada Web Service Dapodik berbeda`.
    IpMismatch,
    /// With this probability per authorised request: a PHP fatal error page with HTTP 500 and no
    /// JSON. Drawn from a deterministic generator (seeded by the school's seed).
    ServerError { probability: f64 },
    /// No active semester: `Semester tidak ditemukan`.
    SemesterNotFound,
    /// `getPesertaDidik` answers `Data Peserta Didik tidak ditemukan` (an empty set, as the server
    /// reports it right after a semester switch).
    EmptyPesertaDidik,
    /// The status line and headers inside a 200 body, followed by the key-not-registered JSON, as in
    /// the capture `errors/status-in-body-403.body`. Error answers of the earlier checks get the
    /// same prefix.
    StatusInBody,
    /// A PHP notice (HTML) printed before the valid envelope.
    PhpNoticeBeforeJson,
    /// The success body cut in the middle: HTTP 200 with a `Content-Length` of the cut body, so the
    /// transfer completes but the JSON is incomplete.
    Truncated,
    /// One function answers Apache's 404 page (this build lacks it).
    MissingFunction(String),
}

impl Fault {
    /// Latency of [`Fault::Slow`] when no latency is configured.
    pub const SLOW_DEFAULT: std::time::Duration = std::time::Duration::from_secs(5);
}

/// A `--fault` string that names no fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault tidak dikenal: {0:?} (pilihan: down, slow, key-not-registered, ip-mismatch, server-error[:P], semester-not-found, empty-peserta-didik, status-in-body, php-notice, truncated, missing:FUNGSI)")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Fault, UnknownFault> {
        let t = s.trim();
        let (name, arg) = match t.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (t, None),
        };
        let err = || UnknownFault(s.to_string());
        let no_arg = |f: Fault| if arg.is_none() { Ok(f) } else { Err(err()) };
        match name.to_ascii_lowercase().as_str() {
            "down" => no_arg(Fault::Down),
            "slow" => no_arg(Fault::Slow),
            "key-not-registered" => no_arg(Fault::KeyNotRegistered),
            "ip-mismatch" => no_arg(Fault::IpMismatch),
            "semester-not-found" => no_arg(Fault::SemesterNotFound),
            "empty-peserta-didik" => no_arg(Fault::EmptyPesertaDidik),
            "status-in-body" => no_arg(Fault::StatusInBody),
            "php-notice" => no_arg(Fault::PhpNoticeBeforeJson),
            "truncated" => no_arg(Fault::Truncated),
            "server-error" => {
                let probability = match arg {
                    None => 1.0,
                    Some(a) => a.trim().parse::<f64>().map_err(|_| err())?,
                };
                if !(0.0..=1.0).contains(&probability) {
                    return Err(err());
                }
                Ok(Fault::ServerError { probability })
            }
            "missing" => match arg.map(str::trim) {
                Some(f) if !f.is_empty() => Ok(Fault::MissingFunction(f.to_string())),
                _ => Err(err()),
            },
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Down => f.write_str("down"),
            Fault::Slow => f.write_str("slow"),
            Fault::KeyNotRegistered => f.write_str("key-not-registered"),
            Fault::IpMismatch => f.write_str("ip-mismatch"),
            Fault::ServerError { probability } => write!(f, "server-error:{probability}"),
            Fault::SemesterNotFound => f.write_str("semester-not-found"),
            Fault::EmptyPesertaDidik => f.write_str("empty-peserta-didik"),
            Fault::StatusInBody => f.write_str("status-in-body"),
            Fault::PhpNoticeBeforeJson => f.write_str("php-notice"),
            Fault::Truncated => f.write_str("truncated"),
            Fault::MissingFunction(name) => write!(f, "missing:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_cli_name_and_round_trips() {
        let cases = [
            ("down", Fault::Down),
            ("slow", Fault::Slow),
            ("key-not-registered", Fault::KeyNotRegistered),
            ("ip-mismatch", Fault::IpMismatch),
            ("server-error", Fault::ServerError { probability: 1.0 }),
            (
                "server-error:0.25",
                Fault::ServerError { probability: 0.25 },
            ),
            ("semester-not-found", Fault::SemesterNotFound),
            ("empty-peserta-didik", Fault::EmptyPesertaDidik),
            ("status-in-body", Fault::StatusInBody),
            ("php-notice", Fault::PhpNoticeBeforeJson),
            ("truncated", Fault::Truncated),
            ("missing:getGtk", Fault::MissingFunction("getGtk".into())),
        ];
        for (s, want) in cases {
            let got: Fault = s.parse().unwrap();
            assert_eq!(got, want, "{s}");
            assert_eq!(got.to_string().parse::<Fault>().unwrap(), want);
        }
    }

    #[test]
    fn rejects_nonsense() {
        for s in [
            "",
            "nope",
            "server-error:2",
            "server-error:x",
            "missing",
            "missing:",
            "down:1",
        ] {
            assert!(s.parse::<Fault>().is_err(), "{s}");
        }
    }
}
