//! Sync settings read from the environment (`DAPODIK_SYNC_*`), shared by the CLI and the desktop shell.
//!
//! | variable | accepted values | default |
//! |---|---|---|
//! | `DAPODIK_SYNC_ENABLED` | `true`/`false` (also `1`/`0`, `yes`/`no`, `ya`/`tidak`, `on`/`off`) | `true` |
//! | `DAPODIK_SYNC_MODE` | `disabled`, `mock`, `real` | `mock` (see below) |
//! | `DAPODIK_SYNC_MAX_ATTEMPTS` | 1 ..= 100 | 5 |
//! | `DAPODIK_SYNC_BACKOFF_BASE_MS` | 1 ..= 86 400 000 | 5 000 (5 s) |
//! | `DAPODIK_SYNC_BACKOFF_CAP_MS` | base ..= 86 400 000 | 600 000 (10 min) |
//! | `DAPODIK_SYNC_CONNECT_TIMEOUT_MS` | 1 ..= 3 600 000 | 5 000 (5 s) |
//! | `DAPODIK_SYNC_READ_TIMEOUT_MS` | 1 ..= 3 600 000 | 180 000 (180 s) |
//! | `DAPODIK_SYNC_MAX_RESPONSE_MB` | 1 ..= 65 536 | 512 |
//! | `DAPODIK_SYNC_SCHEDULE_MINUTES` | 1 ..= 10 080 (a week), or empty for none | none |
//!
//! An empty value counts as "not set". Anything else that does not parse is an error naming the
//! variable and the accepted values: a typo must not silently turn into a default.
//!
//! **Mode.** When `DAPODIK_SYNC_MODE` is not set, [`Settings::mode`] is [`SyncMode::Mock`] and
//! [`Settings::mode_explicit`] is `false`: the host then decides with [`Settings::effective_mode`]
//! — [`SyncMode::Real`] when a connection (URL + NPSN + key) is configured, otherwise Mock (the demo).
//! An explicit value always wins.
//!
//! **Disabled.** With `DAPODIK_SYNC_ENABLED=false` or `DAPODIK_SYNC_MODE=disabled` the worker claims
//! nothing ([`Settings::claims_batches`]); batches can still be enqueued and stay PENDING.

use crate::queue::Backoff;
use dapodik_webservice::client::ClientConfig;
use std::time::Duration;

pub const ENV_ENABLED: &str = "DAPODIK_SYNC_ENABLED";
pub const ENV_MODE: &str = "DAPODIK_SYNC_MODE";
pub const ENV_MAX_ATTEMPTS: &str = "DAPODIK_SYNC_MAX_ATTEMPTS";
pub const ENV_BACKOFF_BASE_MS: &str = "DAPODIK_SYNC_BACKOFF_BASE_MS";
pub const ENV_BACKOFF_CAP_MS: &str = "DAPODIK_SYNC_BACKOFF_CAP_MS";
pub const ENV_CONNECT_TIMEOUT_MS: &str = "DAPODIK_SYNC_CONNECT_TIMEOUT_MS";
pub const ENV_READ_TIMEOUT_MS: &str = "DAPODIK_SYNC_READ_TIMEOUT_MS";
pub const ENV_MAX_RESPONSE_MB: &str = "DAPODIK_SYNC_MAX_RESPONSE_MB";
pub const ENV_SCHEDULE_MINUTES: &str = "DAPODIK_SYNC_SCHEDULE_MINUTES";

/// Every variable this module reads, for `--help` texts and diagnostics.
pub const ALL_VARIABLES: [&str; 9] = [
    ENV_ENABLED,
    ENV_MODE,
    ENV_MAX_ATTEMPTS,
    ENV_BACKOFF_BASE_MS,
    ENV_BACKOFF_CAP_MS,
    ENV_CONNECT_TIMEOUT_MS,
    ENV_READ_TIMEOUT_MS,
    ENV_MAX_RESPONSE_MB,
    ENV_SCHEDULE_MINUTES,
];

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const HOUR_MS: u64 = 60 * 60 * 1000;

/// Where batches get their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// No sync at all: the worker claims nothing.
    Disabled,
    /// The demo: an in-process simulated Dapodik (or captures); no connection needed.
    Mock,
    /// The school's real Dapodik Web Service.
    Real,
}

impl SyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Disabled => "disabled",
            SyncMode::Mock => "mock",
            SyncMode::Real => "real",
        }
    }

    /// Parses `disabled`, `mock` or `real` (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<SyncMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "disabled" => Some(SyncMode::Disabled),
            "mock" => Some(SyncMode::Mock),
            "real" => Some(SyncMode::Real),
            _ => None,
        }
    }
}

impl std::fmt::Display for SyncMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sync settings. Build with [`Settings::from_env`], [`Settings::from_lookup`] or
/// [`Settings::default`] (the documented defaults).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// `DAPODIK_SYNC_ENABLED`; when false the worker claims nothing.
    pub enabled: bool,
    /// `DAPODIK_SYNC_MODE`; see [`Settings::effective_mode`].
    pub mode: SyncMode,
    /// Whether `DAPODIK_SYNC_MODE` was set (false: `mode` is the default and the host may choose).
    pub mode_explicit: bool,
    /// Attempts per batch before it is FAILED (retryable faults only).
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_cap_ms: u64,
    pub connect_timeout_ms: u64,
    /// How long a single response may take. Big schools are slow: a slow-but-alive request is not a failure.
    pub read_timeout_ms: u64,
    pub max_response_mb: u64,
    /// Enqueue a sync automatically every N minutes (same source/target/NPSN as the last batch).
    pub schedule_minutes: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            mode: SyncMode::Mock,
            mode_explicit: false,
            max_attempts: 5,
            backoff_base_ms: 5_000,
            backoff_cap_ms: 600_000,
            connect_timeout_ms: 5_000,
            read_timeout_ms: 180_000,
            max_response_mb: 512,
            schedule_minutes: None,
        }
    }
}

/// A setting that does not parse. Names the variable and what it accepts; the value is echoed
/// (these variables never hold secrets) but cut short.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {variable}={value:?}: expected {expected}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub value: String,
    /// The accepted values, in English (developer-facing).
    pub expected: String,
}

impl SettingsError {
    fn new(variable: &'static str, value: &str, expected: impl Into<String>) -> Self {
        let value: String = value.chars().take(40).collect();
        SettingsError {
            variable,
            value,
            expected: expected.into(),
        }
    }

    /// Stable code for the UI/CLI.
    pub fn code(&self) -> &'static str {
        "invalid_setting"
    }

    /// The operator-facing message (Indonesian).
    pub fn message(&self) -> String {
        format!(
            "Pengaturan {} tidak valid (nilai \"{}\"). Nilai yang diterima: {}. Perbaiki atau hapus variabel \
             lingkungan tersebut, lalu jalankan ulang aplikasi.",
            self.variable, self.value, self.expected
        )
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (a variable name → its value), so tests and hosts can supply
    /// their own source. Unset or empty values take the defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let defaults = Settings::default();

        let enabled = match get(ENV_ENABLED) {
            None => defaults.enabled,
            Some(v) => parse_bool(&v).ok_or_else(|| {
                SettingsError::new(
                    ENV_ENABLED,
                    &v,
                    "true or false (also 1/0, yes/no, ya/tidak, on/off)",
                )
            })?,
        };
        let (mode, mode_explicit) = match get(ENV_MODE) {
            None => (defaults.mode, false),
            Some(v) => (
                SyncMode::parse(&v)
                    .ok_or_else(|| SettingsError::new(ENV_MODE, &v, "disabled, mock or real"))?,
                true,
            ),
        };
        let max_attempts =
            number(&get, ENV_MAX_ATTEMPTS, 1, 100, defaults.max_attempts as u64)? as u32;
        let backoff_base_ms = number(
            &get,
            ENV_BACKOFF_BASE_MS,
            1,
            DAY_MS,
            defaults.backoff_base_ms,
        )?;
        let backoff_cap_ms = number(&get, ENV_BACKOFF_CAP_MS, 1, DAY_MS, defaults.backoff_cap_ms)?;
        if backoff_cap_ms < backoff_base_ms {
            // Blame the variable the operator set: the cap when set, else the base (above the default cap).
            return Err(match get(ENV_BACKOFF_CAP_MS) {
                Some(cap) => SettingsError::new(
                    ENV_BACKOFF_CAP_MS,
                    &cap,
                    format!("a whole number of milliseconds not below {ENV_BACKOFF_BASE_MS} ({backoff_base_ms}) and at most {DAY_MS}"),
                ),
                None => SettingsError::new(
                    ENV_BACKOFF_BASE_MS,
                    &backoff_base_ms.to_string(),
                    format!("a whole number of milliseconds not above {ENV_BACKOFF_CAP_MS} ({backoff_cap_ms}); raise the cap too"),
                ),
            });
        }
        let connect_timeout_ms = number(
            &get,
            ENV_CONNECT_TIMEOUT_MS,
            1,
            HOUR_MS,
            defaults.connect_timeout_ms,
        )?;
        let read_timeout_ms = number(
            &get,
            ENV_READ_TIMEOUT_MS,
            1,
            HOUR_MS,
            defaults.read_timeout_ms,
        )?;
        let max_response_mb = number(
            &get,
            ENV_MAX_RESPONSE_MB,
            1,
            65_536,
            defaults.max_response_mb,
        )?;
        let schedule_minutes = match get(ENV_SCHEDULE_MINUTES) {
            None => None,
            Some(_) => Some(number(&get, ENV_SCHEDULE_MINUTES, 1, 10_080, 0)? as u32),
        };

        Ok(Settings {
            enabled,
            mode,
            mode_explicit,
            max_attempts,
            backoff_base_ms,
            backoff_cap_ms,
            connect_timeout_ms,
            read_timeout_ms,
            max_response_mb,
            schedule_minutes,
        })
    }

    /// The retry delay policy for the queue.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            base_ms: self.backoff_base_ms,
            cap_ms: self.backoff_cap_ms,
        }
    }

    /// The mode to run in: an explicit `DAPODIK_SYNC_MODE` wins; otherwise Real when the host has a
    /// connection configured, else Mock.
    pub fn effective_mode(&self, connection_configured: bool) -> SyncMode {
        if self.mode_explicit {
            self.mode
        } else if connection_configured {
            SyncMode::Real
        } else {
            SyncMode::Mock
        }
    }

    /// Whether the worker claims batches at all (enabled and not mode Disabled).
    pub fn claims_batches(&self) -> bool {
        self.enabled && self.mode != SyncMode::Disabled
    }

    /// HTTP client limits for the Web Service.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            read_timeout: Duration::from_millis(self.read_timeout_ms),
            max_response_bytes: self.max_response_mb.saturating_mul(1024 * 1024),
        }
    }

    /// The automatic sync interval, if any.
    pub fn schedule_interval(&self) -> Option<Duration> {
        self.schedule_minutes
            .map(|m| Duration::from_secs(u64::from(m) * 60))
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "ya" | "on" => Some(true),
        "false" | "0" | "no" | "tidak" | "off" => Some(false),
        _ => None,
    }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    min: u64,
    max: u64,
    default: u64,
) -> Result<u64, SettingsError> {
    let Some(v) = get(variable) else {
        return Ok(default);
    };
    let unit = if variable.ends_with("_MS") {
        " of milliseconds"
    } else if variable.ends_with("_MB") {
        " of megabytes"
    } else if variable.ends_with("_MINUTES") {
        " of minutes"
    } else {
        ""
    };
    let expected = || format!("a whole number{unit} from {min} to {max}");
    let n: u64 = v
        .parse()
        .map_err(|_| SettingsError::new(variable, &v, expected()))?;
    if n < min || n > max {
        return Err(SettingsError::new(variable, &v, expected()));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_gives_the_documented_defaults() {
        let s = from(&[]).unwrap();
        assert_eq!(s, Settings::default());
        assert!(s.enabled);
        assert_eq!(s.mode, SyncMode::Mock);
        assert!(!s.mode_explicit);
        assert_eq!(s.max_attempts, 5);
        assert_eq!((s.backoff_base_ms, s.backoff_cap_ms), (5_000, 600_000));
        assert_eq!((s.connect_timeout_ms, s.read_timeout_ms), (5_000, 180_000));
        assert_eq!(s.max_response_mb, 512);
        assert_eq!(s.schedule_minutes, None);
        let c = s.client_config();
        assert_eq!(c.connect_timeout, Duration::from_secs(5));
        assert_eq!(c.read_timeout, Duration::from_secs(180));
        assert_eq!(c.max_response_bytes, 512 * 1024 * 1024);
        let b = s.backoff();
        assert_eq!((b.base_ms, b.cap_ms), (5_000, 600_000));
    }

    #[test]
    fn valid_values_are_read() {
        type Check = fn(&Settings) -> bool;
        let table: &[(&str, &str, Check)] = &[
            (ENV_ENABLED, "false", |s| !s.enabled),
            (ENV_ENABLED, "0", |s| !s.enabled),
            (ENV_ENABLED, "Tidak", |s| !s.enabled),
            (ENV_ENABLED, "OFF", |s| !s.enabled),
            (ENV_ENABLED, "true", |s| s.enabled),
            (ENV_ENABLED, "ya", |s| s.enabled),
            (ENV_MODE, "disabled", |s| {
                s.mode == SyncMode::Disabled && s.mode_explicit
            }),
            (ENV_MODE, " Real ", |s| {
                s.mode == SyncMode::Real && s.mode_explicit
            }),
            (ENV_MODE, "mock", |s| {
                s.mode == SyncMode::Mock && s.mode_explicit
            }),
            (ENV_MODE, "", |s| {
                s.mode == SyncMode::Mock && !s.mode_explicit
            }),
            (ENV_MAX_ATTEMPTS, "1", |s| s.max_attempts == 1),
            (ENV_MAX_ATTEMPTS, "100", |s| s.max_attempts == 100),
            (ENV_BACKOFF_BASE_MS, "10", |s| {
                s.backoff_base_ms == 10 && s.backoff().base_ms == 10
            }),
            (ENV_BACKOFF_CAP_MS, "5000", |s| s.backoff_cap_ms == 5000),
            (ENV_CONNECT_TIMEOUT_MS, "250", |s| {
                s.client_config().connect_timeout == Duration::from_millis(250)
            }),
            (ENV_READ_TIMEOUT_MS, "600000", |s| {
                s.client_config().read_timeout == Duration::from_secs(600)
            }),
            (ENV_MAX_RESPONSE_MB, "1", |s| {
                s.client_config().max_response_bytes == 1024 * 1024
            }),
            (ENV_SCHEDULE_MINUTES, "15", |s| {
                s.schedule_minutes == Some(15)
                    && s.schedule_interval() == Some(Duration::from_secs(900))
            }),
            (ENV_SCHEDULE_MINUTES, "", |s| {
                s.schedule_minutes.is_none() && s.schedule_interval().is_none()
            }),
        ];
        for (var, value, check) in table {
            let s = from(&[(var, value)]).unwrap_or_else(|e| panic!("{var}={value:?}: {e}"));
            assert!(check(&s), "{var}={value:?} gave {s:?}");
        }
    }

    #[test]
    fn invalid_values_are_refused_naming_the_variable_and_what_it_accepts() {
        // (variables set, variable blamed, part of the expected-values text)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let table: &[Case] = &[
            (&[(ENV_ENABLED, "maybe")], ENV_ENABLED, "true or false"),
            (&[(ENV_MODE, "foo")], ENV_MODE, "disabled, mock or real"),
            (
                &[(ENV_MAX_ATTEMPTS, "abc")],
                ENV_MAX_ATTEMPTS,
                "from 1 to 100",
            ),
            (
                &[(ENV_MAX_ATTEMPTS, "0")],
                ENV_MAX_ATTEMPTS,
                "from 1 to 100",
            ),
            (
                &[(ENV_MAX_ATTEMPTS, "-3")],
                ENV_MAX_ATTEMPTS,
                "from 1 to 100",
            ),
            (
                &[(ENV_MAX_ATTEMPTS, "101")],
                ENV_MAX_ATTEMPTS,
                "from 1 to 100",
            ),
            (
                &[(ENV_BACKOFF_BASE_MS, "5s")],
                ENV_BACKOFF_BASE_MS,
                "milliseconds",
            ),
            (
                &[(ENV_BACKOFF_BASE_MS, "0")],
                ENV_BACKOFF_BASE_MS,
                "milliseconds",
            ),
            (
                &[(ENV_BACKOFF_CAP_MS, "1.5")],
                ENV_BACKOFF_CAP_MS,
                "milliseconds",
            ),
            (
                &[(ENV_BACKOFF_BASE_MS, "1000"), (ENV_BACKOFF_CAP_MS, "999")],
                ENV_BACKOFF_CAP_MS,
                "not below",
            ),
            (
                &[(ENV_BACKOFF_BASE_MS, "700000")],
                ENV_BACKOFF_BASE_MS,
                "not above",
            ),
            (
                &[(ENV_CONNECT_TIMEOUT_MS, "0")],
                ENV_CONNECT_TIMEOUT_MS,
                "milliseconds",
            ),
            (
                &[(ENV_READ_TIMEOUT_MS, "forever")],
                ENV_READ_TIMEOUT_MS,
                "milliseconds",
            ),
            (
                &[(ENV_MAX_RESPONSE_MB, "99999999")],
                ENV_MAX_RESPONSE_MB,
                "megabytes",
            ),
            (
                &[(ENV_SCHEDULE_MINUTES, "0")],
                ENV_SCHEDULE_MINUTES,
                "minutes from 1",
            ),
            (
                &[(ENV_SCHEDULE_MINUTES, "hourly")],
                ENV_SCHEDULE_MINUTES,
                "minutes from 1",
            ),
        ];
        for (pairs, var, expected) in table {
            let err = from(pairs).expect_err(&format!("{pairs:?} must be refused"));
            assert_eq!(err.variable, *var, "{pairs:?}");
            let text = err.to_string();
            assert!(
                text.contains(var) && text.contains(expected),
                "{pairs:?}: {text}"
            );
            assert_eq!(err.code(), "invalid_setting");
            let msg = err.message();
            assert!(msg.contains(var) && msg.contains("tidak valid"), "{msg}");
        }
    }

    #[test]
    fn long_values_are_cut_in_errors() {
        let long = "x".repeat(500);
        let err = from(&[(ENV_MODE, &long)]).unwrap_err();
        assert_eq!(err.value.len(), 40);
    }

    #[test]
    fn effective_mode_lets_the_host_choose_only_when_not_explicit() {
        let implicit = from(&[]).unwrap();
        assert_eq!(implicit.effective_mode(false), SyncMode::Mock);
        assert_eq!(implicit.effective_mode(true), SyncMode::Real);
        let mock = from(&[(ENV_MODE, "mock")]).unwrap();
        assert_eq!(mock.effective_mode(true), SyncMode::Mock);
        let disabled = from(&[(ENV_MODE, "disabled")]).unwrap();
        assert_eq!(disabled.effective_mode(true), SyncMode::Disabled);
    }

    #[test]
    fn claims_batches_only_when_enabled_and_not_disabled() {
        let table: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[(ENV_MODE, "real")], true),
            (&[(ENV_ENABLED, "false")], false),
            (&[(ENV_MODE, "disabled")], false),
            (&[(ENV_ENABLED, "false"), (ENV_MODE, "real")], false),
        ];
        for (pairs, claims) in table {
            assert_eq!(from(pairs).unwrap().claims_batches(), *claims, "{pairs:?}");
        }
    }

    #[test]
    fn modes_round_trip() {
        for mode in [SyncMode::Disabled, SyncMode::Mock, SyncMode::Real] {
            assert_eq!(SyncMode::parse(mode.as_str()), Some(mode));
            assert_eq!(
                serde_json::to_value(mode).unwrap(),
                serde_json::json!(mode.as_str())
            );
        }
    }
}
