//! Against a real Secret Service: store, read, replace and delete secrets.
//!
//! These tests need a running, unlocked Secret Service on the session D-Bus. They are `#[ignore]`d
//! (cargo prints the reason) and `scripts/test-keychain.sh` runs them for real inside `dbus-run-session`
//! with an unlocked `gnome-keyring-daemon`.

use keychain::{AsyncSecretStore, KeychainError, Secret, SecretStore, MAX_SECRET_BYTES};

/// A service name of its own per test, so tests never see each other's (or the app's) entries.
fn store(test: &str) -> SecretStore {
    SecretStore::with_service(format!("id.dapodiksync.test.{test}.{}", std::process::id()))
}

#[test]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
fn webservice_key_store_read_replace_delete() {
    let s = store("ws");
    s.check_available().expect("keychain available");
    assert!(!s.has_webservice_key("sekolah-a").unwrap());
    assert_eq!(s.webservice_key("sekolah-a").unwrap(), None);

    s.save_webservice_key("sekolah-a", &Secret::new("kunci-pertama"))
        .unwrap();
    assert!(s.has_webservice_key("sekolah-a").unwrap());
    assert_eq!(
        s.webservice_key("sekolah-a").unwrap().unwrap().expose(),
        "kunci-pertama"
    );
    // Per profile: another profile has nothing.
    assert!(!s.has_webservice_key("sekolah-b").unwrap());

    s.save_webservice_key("sekolah-a", &Secret::new("kunci-kedua"))
        .unwrap();
    assert_eq!(
        s.webservice_key("sekolah-a").unwrap().unwrap().expose(),
        "kunci-kedua"
    );

    assert!(s.delete_webservice_key("sekolah-a").unwrap());
    assert!(!s.has_webservice_key("sekolah-a").unwrap());
    assert!(!s.delete_webservice_key("sekolah-a").unwrap());
}

#[test]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
fn refresh_token_size_limit_and_kinds_are_separate() {
    let s = store("rt");
    let at_limit = Secret::new("r".repeat(MAX_SECRET_BYTES));
    s.save_refresh_token("p", &at_limit).unwrap();
    assert_eq!(s.refresh_token("p").unwrap().unwrap(), at_limit);
    // The Web Service key of the same profile is another entry.
    assert!(!s.has_webservice_key("p").unwrap());

    let over = Secret::new("r".repeat(MAX_SECRET_BYTES + 1));
    let err = s.save_refresh_token("p", &over).unwrap_err();
    assert!(matches!(err, KeychainError::TooLarge { bytes: 2561, .. }));
    // The refused token did not replace the stored one.
    assert_eq!(s.refresh_token("p").unwrap().unwrap(), at_limit);

    // Non-ASCII text round-trips as UTF-8.
    s.save_refresh_token("p", &Secret::new("tökén-ü")).unwrap();
    assert_eq!(s.refresh_token("p").unwrap().unwrap().expose(), "tökén-ü");
    assert!(s.delete_refresh_token("p").unwrap());
    assert_eq!(s.refresh_token("p").unwrap(), None);
}

/// The secret is in the Secret Service, not in this process: a child process reads it back.
#[test]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
fn stored_secret_is_visible_to_another_process() {
    if let Ok(service) = std::env::var("KEYCHAIN_TEST_CHILD_SERVICE") {
        // Child side.
        let s = SecretStore::with_service(service);
        let key = s
            .webservice_key("lintas-proses")
            .unwrap()
            .expect("stored by the parent");
        assert_eq!(key.expose(), "dari-proses-induk");
        return;
    }
    let s = store("xproc");
    s.save_webservice_key("lintas-proses", &Secret::new("dari-proses-induk"))
        .unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stored_secret_is_visible_to_another_process",
            "--include-ignored",
            "--nocapture",
        ])
        .env("KEYCHAIN_TEST_CHILD_SERVICE", s.service())
        .output()
        .unwrap();
    s.delete_webservice_key("lintas-proses").unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}");
    assert!(stdout.contains("1 passed"), "child ran no test: {stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
async fn async_facade_from_a_runtime() {
    let s: AsyncSecretStore = store("async").into();
    s.check_available().await.unwrap();
    s.save_webservice_key("p", Secret::new("k1")).await.unwrap();
    assert!(s.has_webservice_key("p").await.unwrap());
    assert_eq!(s.webservice_key("p").await.unwrap().unwrap().expose(), "k1");
    s.save_refresh_token("p", Secret::new("rt1")).await.unwrap();
    assert_eq!(s.refresh_token("p").await.unwrap().unwrap().expose(), "rt1");
    assert!(s.delete_refresh_token("p").await.unwrap());
    assert!(s.delete_webservice_key("p").await.unwrap());
    assert!(!s.has_webservice_key("p").await.unwrap());
}
