//! Opening the database: pragmas, file mode, migrations, and refusing a newer schema untouched.

mod storage_support;

use storage_support::*;
use sync_core::storage::schema_version;
use sync_core::{Store, StoreError};

#[test]
fn open_sets_the_pragmas() {
    let (_dir, store) = new_store();
    let s = store.connection_settings().unwrap();
    assert_eq!(s.journal_mode.to_lowercase(), "wal");
    assert!(s.foreign_keys);
    assert_eq!(s.synchronous, 2, "synchronous=FULL");
    assert_eq!(s.busy_timeout_ms, 5000);
    assert_eq!(s.user_version, schema_version() as i64);
    assert_eq!(s.page_size, 16 * 1024);
}

#[test]
fn open_creates_the_parent_folder_and_reopens_with_data_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("db.sqlite3");
    let id = {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.path(), path);
        store.enqueue(&new_batch("20212345"), 10).unwrap().id
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.batch(id).unwrap().unwrap().npsn, "20212345");
    assert_eq!(
        store.connection_settings().unwrap().user_version,
        schema_version() as i64
    );
}

#[cfg(unix)]
#[test]
fn database_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-folder").join("db.sqlite3");
    let store = Store::open(&path).unwrap();
    store.enqueue(&new_batch("20212345"), 1).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let wal = path.with_file_name("db.sqlite3-wal");
    if wal.exists() {
        assert_eq!(
            std::fs::metadata(&wal).unwrap().permissions().mode() & 0o077,
            0,
            "wal not private"
        );
    }
    let folder = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(folder, 0o700);

    // An existing file with a wider mode is tightened.
    let other = dir.path().join("old.sqlite3");
    std::fs::write(&other, b"").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(&other).unwrap();
    assert_eq!(
        std::fs::metadata(&other).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from a newer build'); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::NewerSchema { found, supported } => {
            assert_eq!(*found, 99);
            assert_eq!(*supported, schema_version());
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(err.code(), "database_newer");
    assert!(err.message_id().contains("lebih baru"));
    assert_eq!(std::fs::read(&path).unwrap(), before, "file bytes changed");
    assert!(
        !path.with_file_name("db.sqlite3-wal").exists(),
        "WAL switched on a refused database"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "delete");
}

#[test]
fn schema_enforces_the_terminal_finished_invariant() {
    let (dir, store) = new_store();
    let b = store.enqueue(&new_batch("20212345"), 1).unwrap();
    drop(store);
    let conn =
        rusqlite::Connection::open(dir.path().join("data").join("dapodik-sync.sqlite3")).unwrap();
    // Terminal without finished_at, and finished_at on a pending batch: both refused by CHECK.
    assert!(conn
        .execute(
            "UPDATE sync_batch SET status = 'FAILED' WHERE id = ?1",
            [b.id]
        )
        .is_err());
    assert!(conn
        .execute(
            "UPDATE sync_batch SET finished_at = 5 WHERE id = ?1",
            [b.id]
        )
        .is_err());
    assert!(conn
        .execute(
            "UPDATE sync_batch SET status = 'BOGUS' WHERE id = ?1",
            [b.id]
        )
        .is_err());
    assert!(conn
        .execute(
            "UPDATE sync_batch SET status = 'SUCCEEDED', finished_at = 5 WHERE id = ?1",
            [b.id]
        )
        .is_ok());
}
