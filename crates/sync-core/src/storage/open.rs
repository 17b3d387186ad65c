//! Opening the database: the one place a connection is made.
//!
//! Order matters: the schema version is read before anything is written (switching to WAL writes to
//! the file), so a database from a newer build is refused exactly as it was found.

use super::{Inner, Store, StoreError};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The migrations, in order; the schema version is their count.
const MIGRATIONS_SQL: &[&str] = &[
    include_str!("../../../../migrations/0001_queue_and_staging.sql"),
    include_str!("../../../../migrations/0002_register_and_audit.sql"),
    include_str!("../../../../migrations/0003_connection_profiles.sql"),
    include_str!("../../../../migrations/0004_register_match_keys.sql"),
];

/// The page size of a new database file.
pub const PAGE_SIZE: i64 = 16 * 1024;

/// The page cache, in KiB (as a negative `cache_size`).
pub const CACHE_SIZE_KIB: i64 = -16 * 1024;

/// How long a statement waits for another process's lock before failing with "busy".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS_SQL.len()
}

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect())
}

impl Store {
    /// Open (or create) the database at `path`: parent folder created, file readable by its owner only
    /// (unix), `journal_mode=WAL`, `foreign_keys=ON`, `busy_timeout`, `synchronous=FULL`, migrations
    /// applied. A database whose schema is newer than this build is refused with
    /// [`StoreError::NewerSchema`] and left untouched.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent)?;
        }
        create_private_file(path)?;
        restrict_file(path)?;

        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;

        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let supported = schema_version();
        if found < 0 || found as usize > supported {
            return Err(StoreError::NewerSchema {
                found: found.max(0) as usize,
                supported,
            });
        }

        // Before the first table exists: staged records are ~2 KB of JSON, which waste half of SQLite's
        // default 4 KiB pages; 16 KiB pages hold them densely (a smaller file, fewer WAL frames, and
        // staging about 1.7x faster). No effect on an existing database.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Migration(format!("journal_mode stayed {mode}")));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Staging 100,000 rows in one transaction touches the staging indexes all over; a page cache
        // that holds them avoids spilling dirty pages to the WAL mid-transaction. Allocated on use.
        conn.pragma_update(None, "cache_size", CACHE_SIZE_KIB)?;

        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::Sqlite(err),
            other => StoreError::Migration(other.to_string()),
        })?;

        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                conn: Mutex::new(conn),
                checkpoint: Mutex::new(None),
            }),
        })
    }
}

/// The connection's settings as SQLite reports them (for diagnostics and tests).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionSettings {
    pub journal_mode: String,
    pub foreign_keys: bool,
    /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    pub synchronous: i64,
    pub busy_timeout_ms: i64,
    pub user_version: i64,
    pub page_size: i64,
}

impl Store {
    /// Query the connection's pragmas back.
    pub fn connection_settings(&self) -> Result<ConnectionSettings, StoreError> {
        let conn = self.conn();
        let text = |name: &str| conn.pragma_query_value(None, name, |r| r.get::<_, String>(0));
        let int = |name: &str| conn.pragma_query_value(None, name, |r| r.get::<_, i64>(0));
        Ok(ConnectionSettings {
            journal_mode: text("journal_mode")?,
            foreign_keys: int("foreign_keys")? == 1,
            synchronous: int("synchronous")?,
            busy_timeout_ms: int("busy_timeout")?,
            user_version: int("user_version")?,
            page_size: int("page_size")?,
        })
    }
}

/// A second connection to an already opened database, for the background checkpoint: same busy
/// timeout; it only checkpoints, so no other pragma matters.
pub(super) fn open_checkpoint_connection(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// Create `dir` (and parents) if missing; a folder created here is owner-only on unix.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Create the database file empty with mode 0600 before SQLite touches it, so it is never
/// world-readable, not even for a moment.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Tighten an existing file that has a wider mode. SQLite gives the -wal and -shm files the database
/// file's mode.
fn restrict_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
        assert_eq!(schema_version(), 4);
    }
}
