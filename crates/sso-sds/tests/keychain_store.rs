//! The refresh token in a real OS keychain: a sign-in against the real OIDC provider stores it in the
//! Secret Service through `KeychainRefreshTokens`, a refresh rotates it there, sign-out deletes it.
//! Needs a Secret Service: `#[ignore]`d here, run for real by `scripts/test-keychain.sh`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{open_with, Browser, Provider};
use keychain::SecretStore;
use sso_sds::{KeychainRefreshTokens, SsoClient};

#[tokio::test]
#[ignore = "needs a Secret Service: run scripts/test-keychain.sh"]
async fn refresh_token_lives_in_the_keychain() {
    let provider = Provider::start();
    let keychain =
        SecretStore::with_service(format!("id.dapodiksync.test.sso.{}", std::process::id()));
    let profile = "sekolah-a";
    let store = Arc::new(KeychainRefreshTokens::new(keychain.clone(), profile));
    let client = SsoClient::discover(provider.config(), store).await.unwrap();

    let seen = Arc::new(Mutex::new(None));
    client
        .sign_in(
            open_with(Browser::new("operator1"), seen),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    let first = keychain
        .refresh_token(profile)
        .unwrap()
        .expect("stored in the keychain");
    // Only the refresh token: the Web Service key entry of the profile is untouched.
    assert!(!keychain.has_webservice_key(profile).unwrap());

    client.refresh().await.unwrap();
    let second = keychain.refresh_token(profile).unwrap().unwrap();
    assert_ne!(
        first, second,
        "the rotated token replaced the old one in the keychain"
    );

    // A restarted app resumes from the keychain.
    let restarted = SsoClient::discover(
        provider.config(),
        Arc::new(KeychainRefreshTokens::new(keychain.clone(), profile)),
    )
    .await
    .unwrap();
    let operator = restarted.resume().await.unwrap().expect("resumed");
    assert_eq!(operator.npsn.as_deref(), Some("20100001"));

    let out = restarted.sign_out().await.unwrap();
    assert!(out.revoked);
    assert_eq!(keychain.refresh_token(profile).unwrap(), None);
}
