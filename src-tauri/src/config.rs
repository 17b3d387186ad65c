//! How the app starts: which database file to open and which Dapodik to talk to.
//!
//! - Database: `--db FILE` on the command line, else `DAPODIK_SYNC_DB`, else the per-user default
//!   (`sync_core::paths`, which honours `DAPODIK_SYNC_DATA_DIR`).
//! - Connection (minimal until the settings screen and keychain arrive): `DAPODIK_SYNC_URL`,
//!   `DAPODIK_SYNC_NPSN` and `DAPODIK_SYNC_KEY_ENV` (the *name* of the variable holding the Web Service
//!   key — the key itself is read only when a batch runs). Without all three the app runs in demo mode
//!   against an in-process simulated Dapodik.
//! - Demo knobs (for trying the app and for tests): `DAPODIK_SYNC_DEMO_STUDENTS` (students of the demo
//!   school, default the simulator's), `DAPODIK_SYNC_DEMO_FAULT` (a simulator fault such as `down`,
//!   `slow`, `key-not-registered`, `server-error:0.5`) and `DAPODIK_SYNC_DEMO_LATENCY_MS`.

use std::path::PathBuf;

pub const ENV_DB: &str = "DAPODIK_SYNC_DB";
pub const ENV_URL: &str = "DAPODIK_SYNC_URL";
pub const ENV_NPSN: &str = "DAPODIK_SYNC_NPSN";
pub const ENV_KEY_ENV: &str = "DAPODIK_SYNC_KEY_ENV";
pub const ENV_DEMO_STUDENTS: &str = "DAPODIK_SYNC_DEMO_STUDENTS";
pub const ENV_DEMO_FAULT: &str = "DAPODIK_SYNC_DEMO_FAULT";
pub const ENV_DEMO_LATENCY_MS: &str = "DAPODIK_SYNC_DEMO_LATENCY_MS";

/// Options from the command line. Unknown arguments are ignored (WebDriver and desktop launchers may
/// add their own).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LaunchArgs {
    pub db: Option<PathBuf>,
}

impl LaunchArgs {
    /// Parses `--db FILE` or `--db=FILE` (the program name must not be included).
    pub fn parse(args: impl IntoIterator<Item = String>) -> LaunchArgs {
        let mut out = LaunchArgs::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--db" {
                out.db = args.next().filter(|v| !v.is_empty()).map(PathBuf::from);
            } else if let Some(v) = arg.strip_prefix("--db=") {
                out.db = Some(PathBuf::from(v)).filter(|p| !p.as_os_str().is_empty());
            }
        }
        out
    }
}

/// The database path: `--db`, then `DAPODIK_SYNC_DB`, then the per-user default.
pub fn database_path(
    args: &LaunchArgs,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<PathBuf, sync_core::paths::PathsError> {
    if let Some(db) = &args.db {
        return Ok(db.clone());
    }
    if let Some(db) = lookup(ENV_DB).filter(|v| !v.trim().is_empty()) {
        return Ok(PathBuf::from(db));
    }
    sync_core::paths::DataPaths::from_lookup(|name| lookup(name).map(PathBuf::from))
        .map(|p| p.database)
}

/// A configured real Web Service. Holds the key's variable *name*, not the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealConnection {
    pub url: String,
    pub npsn: String,
    pub key_env: String,
}

/// The real connection when URL, NPSN and key variable name are all set.
pub fn real_connection(lookup: impl Fn(&str) -> Option<String>) -> Option<RealConnection> {
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Some(RealConnection {
        url: get(ENV_URL)?,
        npsn: get(ENV_NPSN)?,
        key_env: get(ENV_KEY_ENV)?,
    })
}

/// The demo school's size override, if set and valid.
pub fn demo_students(lookup: impl Fn(&str) -> Option<String>) -> Option<usize> {
    lookup(ENV_DEMO_STUDENTS).and_then(|v| v.trim().parse().ok())
}

/// The demo simulator's fault, if set and valid (an invalid one is logged and ignored).
pub fn demo_fault(lookup: impl Fn(&str) -> Option<String>) -> Option<dapodik_sim::Fault> {
    let value = lookup(ENV_DEMO_FAULT).filter(|v| !v.trim().is_empty())?;
    match value.parse() {
        Ok(fault) => Some(fault),
        Err(e) => {
            tracing::warn!(error = %e, "ignoring {ENV_DEMO_FAULT}");
            None
        }
    }
}

/// The demo simulator's added latency, if set and valid.
pub fn demo_latency(lookup: impl Fn(&str) -> Option<String>) -> Option<std::time::Duration> {
    lookup(ENV_DEMO_LATENCY_MS)
        .and_then(|v| v.trim().parse().ok())
        .map(std::time::Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn args(list: &[&str]) -> LaunchArgs {
        LaunchArgs::parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn db_flag_in_both_spellings_and_unknown_arguments_ignored() {
        assert_eq!(
            args(&["--db", "/tmp/a.sqlite3"]).db,
            Some(PathBuf::from("/tmp/a.sqlite3"))
        );
        assert_eq!(
            args(&["--automation", "--db=/tmp/b.sqlite3", "x"]).db,
            Some(PathBuf::from("/tmp/b.sqlite3"))
        );
        assert_eq!(args(&["--db"]).db, None);
        assert_eq!(args(&[]).db, None);
    }

    #[test]
    fn database_path_prefers_flag_then_env_then_data_dir() {
        let e = env(&[
            (ENV_DB, "/env/db.sqlite3"),
            ("DAPODIK_SYNC_DATA_DIR", "/data"),
        ]);
        assert_eq!(
            database_path(&args(&["--db", "/flag.sqlite3"]), &e).unwrap(),
            PathBuf::from("/flag.sqlite3")
        );
        assert_eq!(
            database_path(&args(&[]), &e).unwrap(),
            PathBuf::from("/env/db.sqlite3")
        );
        let e = env(&[("DAPODIK_SYNC_DATA_DIR", "/data")]);
        assert_eq!(
            database_path(&args(&[]), e).unwrap(),
            PathBuf::from("/data").join(sync_core::paths::DATABASE_FILE)
        );
    }

    #[test]
    fn real_connection_needs_url_npsn_and_key_variable() {
        let full = [
            (ENV_URL, "http://10.0.0.5:5774"),
            (ENV_NPSN, "20212345"),
            (ENV_KEY_ENV, "DAPODIK_KEY"),
        ];
        assert_eq!(
            real_connection(env(&full)),
            Some(RealConnection {
                url: "http://10.0.0.5:5774".into(),
                npsn: "20212345".into(),
                key_env: "DAPODIK_KEY".into()
            })
        );
        for skip in 0..full.len() {
            let partial: Vec<_> = full
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, p)| *p)
                .collect();
            assert_eq!(
                real_connection(env(&partial)),
                None,
                "without {}",
                full[skip].0
            );
        }
        assert_eq!(
            real_connection(env(&[(ENV_URL, " "), (ENV_NPSN, "1"), (ENV_KEY_ENV, "K")])),
            None
        );
    }

    #[test]
    fn demo_students_parses_or_ignores() {
        assert_eq!(
            demo_students(env(&[(ENV_DEMO_STUDENTS, "10000")])),
            Some(10_000)
        );
        assert_eq!(demo_students(env(&[(ENV_DEMO_STUDENTS, "many")])), None);
        assert_eq!(demo_students(env(&[])), None);
    }

    #[test]
    fn demo_fault_and_latency_parse_or_are_ignored() {
        assert_eq!(
            demo_fault(env(&[(ENV_DEMO_FAULT, "down")])),
            Some(dapodik_sim::Fault::Down)
        );
        assert_eq!(demo_fault(env(&[(ENV_DEMO_FAULT, "no-such-fault")])), None);
        assert_eq!(demo_fault(env(&[])), None);
        assert_eq!(
            demo_latency(env(&[(ENV_DEMO_LATENCY_MS, "250")])),
            Some(std::time::Duration::from_millis(250))
        );
        assert_eq!(demo_latency(env(&[(ENV_DEMO_LATENCY_MS, "x")])), None);
    }
}
