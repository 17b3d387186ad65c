//! Where Dapodik Sync keeps its files by default: the SQLite database and the log folder, in the
//! operator's per-user application data folder (via `directories`, so the same code is right on
//! Windows, macOS and Linux).
//!
//! | OS | data folder (database) | logs |
//! |---|---|---|
//! | Windows | `%LOCALAPPDATA%\DapodikSync\Dapodik Sync\data\` | `…\data\logs\` |
//! | macOS | `~/Library/Application Support/id.DapodikSync.Dapodik-Sync/` | `…/logs/` |
//! | Linux | `$XDG_DATA_HOME/dapodiksync/` (`~/.local/share/dapodiksync/`) | `…/logs/` |
//!
//! The *local* (non-roaming) data folder is used on Windows: a SQLite database in a roaming profile
//! would be copied around at every logon. `DAPODIK_SYNC_DATA_DIR` replaces the whole folder (portable
//! installs, tests); hosts with their own `--db` flag simply do not call this module.

use std::path::{Path, PathBuf};

/// The database file name inside the data folder.
pub const DATABASE_FILE: &str = "dapodik-sync.sqlite3";
/// The log folder name inside the data folder.
pub const LOG_DIR: &str = "logs";
/// Replaces the per-user data folder when set (absolute or relative path).
pub const ENV_DATA_DIR: &str = "DAPODIK_SYNC_DATA_DIR";

/// `directories::ProjectDirs` identity of the application.
pub const QUALIFIER: &str = "id";
pub const ORGANIZATION: &str = "DapodikSync";
pub const APPLICATION: &str = "Dapodik Sync";

/// The default files of one installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    /// The folder holding everything below.
    pub data_dir: PathBuf,
    /// The SQLite database (`dapodik-sync.sqlite3`).
    pub database: PathBuf,
    /// The log folder.
    pub logs: PathBuf,
}

/// No home folder could be determined (a service account without a profile, a broken environment).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no per-user data folder could be determined; set {ENV_DATA_DIR} or pass the database path explicitly")]
pub struct PathsError;

impl PathsError {
    pub fn code(&self) -> &'static str {
        "data_dir_unknown"
    }

    /// The operator-facing message (Indonesian).
    pub fn message(&self) -> String {
        format!(
            "Folder data pengguna tidak dapat ditentukan. Atur variabel lingkungan {ENV_DATA_DIR} ke folder \
             tempat menyimpan data Dapodik Sync, atau sebutkan lokasi berkas basis data secara langsung."
        )
    }
}

impl DataPaths {
    /// Everything under one folder: `<dir>/dapodik-sync.sqlite3` and `<dir>/logs`.
    pub fn under(dir: &Path) -> DataPaths {
        DataPaths {
            data_dir: dir.to_path_buf(),
            database: dir.join(DATABASE_FILE),
            logs: dir.join(LOG_DIR),
        }
    }

    /// The operator's per-user folder (see the module docs), or `DAPODIK_SYNC_DATA_DIR` when set.
    pub fn from_env() -> Result<DataPaths, PathsError> {
        DataPaths::from_lookup(|name| std::env::var_os(name).map(PathBuf::from))
    }

    /// As [`DataPaths::from_env`], reading variables through `lookup` (tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<PathBuf>) -> Result<DataPaths, PathsError> {
        match lookup(ENV_DATA_DIR).filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) => Ok(DataPaths::under(&dir)),
            None => DataPaths::per_user(),
        }
    }

    /// The per-user folder from `directories`, ignoring any override.
    pub fn per_user() -> Result<DataPaths, PathsError> {
        let dirs = directories::ProjectDirs::from(QUALIFIER, ORGANIZATION, APPLICATION)
            .ok_or(PathsError)?;
        Ok(DataPaths::under(dirs.data_local_dir()))
    }

    /// Creates the data and log folders (the database file itself is created by `Store::open`).
    pub fn create_dirs(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        std::fs::create_dir_all(&self.logs)
    }
}

/// The default database path (`DAPODIK_SYNC_DATA_DIR` honoured).
pub fn default_database_path() -> Result<PathBuf, PathsError> {
    DataPaths::from_env().map(|p| p.database)
}

/// The default log folder (`DAPODIK_SYNC_DATA_DIR` honoured).
pub fn default_log_dir() -> Result<PathBuf, PathsError> {
    DataPaths::from_env().map(|p| p.logs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_puts_database_and_logs_in_the_folder() {
        let dir = Path::new("some").join("folder");
        let p = DataPaths::under(&dir);
        assert_eq!(p.data_dir, dir);
        assert_eq!(p.database, dir.join("dapodik-sync.sqlite3"));
        assert_eq!(p.logs, dir.join("logs"));
    }

    #[test]
    fn override_replaces_the_per_user_folder() {
        let dir = PathBuf::from("portable-data");
        let p = DataPaths::from_lookup(|k| (k == ENV_DATA_DIR).then(|| dir.clone())).unwrap();
        assert_eq!(p, DataPaths::under(&dir));
        // An empty override counts as unset.
        let empty = DataPaths::from_lookup(|_| Some(PathBuf::new()));
        assert_eq!(empty, DataPaths::per_user());
    }

    #[test]
    fn per_user_folder_is_named_after_the_application() {
        // A test machine has a home folder; a missing one is the PathsError case.
        let p = DataPaths::per_user().expect("home folder");
        assert!(p.data_dir.is_absolute(), "{:?}", p.data_dir);
        let shown = p.data_dir.to_string_lossy().to_lowercase();
        assert!(shown.contains("dapodik"), "{shown}");
        assert_eq!(p.database.file_name().unwrap(), DATABASE_FILE);
        assert_eq!(p.database.parent().unwrap(), p.data_dir);
        assert_eq!(p.logs.parent().unwrap(), p.data_dir);
    }

    #[test]
    fn create_dirs_makes_data_and_log_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let p = DataPaths::under(&tmp.path().join("a").join("b"));
        p.create_dirs().unwrap();
        assert!(p.data_dir.is_dir() && p.logs.is_dir());
        assert!(!p.database.exists());
        assert!(PathsError.message().contains(ENV_DATA_DIR));
    }
}
