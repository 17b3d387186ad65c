//! The "no keychain" path: with the session D-Bus address pointing nowhere, every call fails with
//! `KeychainError::Unavailable` and its Indonesian message — and nothing is written anywhere else.
//!
//! A test binary of its own with a single test, because it changes this process's environment.

use keychain::{AsyncSecretStore, KeychainError, Secret, SecretStore};

#[test]
fn without_a_secret_service_every_call_is_unavailable() {
    // Before any D-Bus connection is made in this process.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/dapodik-sync-test/bus",
    );
    std::env::remove_var("DISPLAY"); // no X11 autolaunch of a bus

    let s = SecretStore::with_service("id.dapodiksync.test.nokeychain");
    let err = s.check_available().unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable { .. }), "{err:?}");
    let msg = err.message();
    assert!(msg.contains("keychain) tidak tersedia"), "{msg}");
    assert!(msg.contains("gnome-keyring"), "{msg}");
    assert_eq!(err.to_string(), msg);

    let err = s
        .save_webservice_key("p", &Secret::new("kunci-yang-tidak-boleh-bocor"))
        .unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable { .. }), "{err:?}");
    // The error (what gets logged) never carries the secret.
    assert!(!format!("{err:?} {err}").contains("kunci-yang-tidak-boleh-bocor"));
    assert!(matches!(
        s.has_webservice_key("p"),
        Err(KeychainError::Unavailable { .. })
    ));
    assert!(matches!(
        s.webservice_key("p"),
        Err(KeychainError::Unavailable { .. })
    ));
    assert!(matches!(
        s.save_refresh_token("p", &Secret::new("rt")),
        Err(KeychainError::Unavailable { .. })
    ));
    assert!(matches!(
        s.delete_refresh_token("p"),
        Err(KeychainError::Unavailable { .. })
    ));

    // The async face says the same.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let a: AsyncSecretStore = s.into();
    let err = rt.block_on(a.has_webservice_key("p")).unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable { .. }), "{err:?}");
}
