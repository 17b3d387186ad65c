//! SSO SDS sign-in against a real OpenID Connect provider (oidc-provider on 127.0.0.1, started by
//! each test): full sign-in through a scripted browser, PKCE enforced by the server, wrong `state`
//! refused before redeeming, refresh rotation (the old token then refused), access control by NPSN and
//! role, sign-out with revocation.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{open_with, param, with_param, Browser, Provider, CLIENT_ID};
use sso_sds::{authorize_profile, DenialReason, RefreshTokenStore, SsoClient, SsoError};

const WAIT: Duration = Duration::from_secs(30);

/// Signs in `login` through the scripted browser; returns the operator.
async fn sign_in(client: &SsoClient, login: &str) -> sso_sds::Operator {
    let seen = Arc::new(Mutex::new(None));
    client
        .sign_in(open_with(Browser::new(login), seen), WAIT)
        .await
        .unwrap()
}

#[tokio::test]
async fn claims_read_from_the_id_token_when_there_is_no_userinfo() {
    let provider =
        Provider::start_with(&[("OIDC_CLAIMS_IN_ID_TOKEN", "1"), ("OIDC_NO_USERINFO", "1")]);
    assert!(provider.endpoint_missing("userinfo_endpoint").await);
    let (client, _store) = provider.client().await;
    let operator = sign_in(&client, "guru1").await;
    assert_eq!(operator.npsn.as_deref(), Some("20100001"));
    assert_eq!(operator.roles, vec!["guru".to_string()]);
    assert_eq!(operator.ptk_id.as_deref(), Some("ptk-0002"));
    assert_eq!(operator.name.as_deref(), Some("Budi Guru"));
}

#[tokio::test]
async fn pkce_is_enforced_by_the_server() {
    let provider = Provider::start();
    let (client, _store) = provider.client().await;

    // An authorization request without a code challenge is refused by the provider.
    let attempt = client.start_sign_in().await.unwrap();
    let no_challenge = with_param(
        &with_param(attempt.authorize_url(), "code_challenge", None),
        "code_challenge_method",
        None,
    );
    let response = Browser::new("operator1").authorize(&no_challenge).await;
    assert_eq!(
        param(&response, "error").as_deref(),
        Some("invalid_request")
    );
    assert!(param(&response, "code").is_none());
    assert!(
        param(&response, "error_description").is_some_and(|d| d.contains("PKCE")),
        "{response}"
    );

    // A code redeemed without its code_verifier is refused by the token endpoint.
    let attempt = client.start_sign_in().await.unwrap();
    let response = Browser::new("operator1")
        .authorize(attempt.authorize_url())
        .await;
    let code = param(&response, "code").expect("a code");
    let (status, body) = provider
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", attempt.redirect_uri().as_str()),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body["access_token"].is_null());

    // And with a wrong verifier as well.
    let attempt = client.start_sign_in().await.unwrap();
    let response = Browser::new("operator1")
        .authorize(attempt.authorize_url())
        .await;
    let code = param(&response, "code").unwrap();
    let (status, body) = provider
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", attempt.redirect_uri().as_str()),
            ("client_id", CLIENT_ID),
            ("code_verifier", &"x".repeat(43)),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn wrong_state_or_issuer_refused_before_redeeming() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    let attempt = client.start_sign_in().await.unwrap();
    let callback = Browser::new("operator1")
        .authorize(attempt.authorize_url())
        .await;
    assert!(param(&callback, "code").is_some());
    assert_eq!(
        param(&callback, "iss").as_deref(),
        Some(provider.issuer.as_str())
    );

    let forged = with_param(&callback, "state", Some("dipalsukan"));
    assert!(matches!(
        client.finish_sign_in(&attempt, &forged).await,
        Err(SsoError::StateMismatch)
    ));
    let no_state = with_param(&callback, "state", None);
    assert!(matches!(
        client.finish_sign_in(&attempt, &no_state).await,
        Err(SsoError::StateMismatch)
    ));
    let other_issuer = with_param(&callback, "iss", Some("https://penyerang.example"));
    assert!(matches!(
        client.finish_sign_in(&attempt, &other_issuer).await,
        Err(SsoError::IssuerMismatch)
    ));
    assert_eq!(store.save_count(), 0);
    assert_eq!(client.operator().await, None);

    // The code was never redeemed: codes are single-use, and the genuine response still works.
    let operator = client.finish_sign_in(&attempt, &callback).await.unwrap();
    assert_eq!(operator.subject, "operator1");
    assert_eq!(store.save_count(), 1);
    // Now it is spent.
    assert!(matches!(
        client.finish_sign_in(&attempt, &callback).await,
        Err(SsoError::Token(_))
    ));
}

#[tokio::test]
async fn an_error_response_from_the_provider_is_reported() {
    let provider = Provider::start();
    let (client, _store) = provider.client().await;
    let attempt = client.start_sign_in().await.unwrap();
    let state = param(attempt.authorize_url(), "state").unwrap();
    let mut cancelled = attempt.redirect_uri().clone();
    cancelled
        .query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("state", &state);
    let err = client
        .finish_sign_in(&attempt, &cancelled)
        .await
        .unwrap_err();
    assert!(matches!(&err, SsoError::Authorization { error } if error == "access_denied"));
    assert!(err.message().contains("dibatalkan"));
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_is_then_refused() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    sign_in(&client, "operator1").await;
    let old_refresh = store.load().unwrap().unwrap();
    let old_access = client.access_token().await.unwrap();

    let operator = client.refresh().await.unwrap();
    assert_eq!(operator.npsn.as_deref(), Some("20100001"));
    let new_refresh = store.load().unwrap().unwrap();
    assert_ne!(new_refresh, old_refresh, "refresh token rotated");
    assert_eq!(store.save_count(), 2, "rotation persisted at once");
    let new_access = client.access_token().await.unwrap();
    assert_ne!(new_access, old_access);
    assert_eq!(provider.userinfo_status(new_access.expose()).await, 200);

    // The rotated-out token is refused by the provider ...
    let (status, body) = provider
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh.expose()),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // ... and its reuse made the provider revoke the grant: our next refresh gets invalid_grant,
    // which means signing in again; the dead token is deleted.
    let err = client.refresh().await.unwrap_err();
    assert!(matches!(err, SsoError::SignInRequired), "{err:?}");
    assert!(err.message().contains("masuk lagi"));
    assert_eq!(store.load().unwrap(), None);
    assert_eq!(client.operator().await, None);
    assert!(matches!(
        client.access_token().await,
        Err(SsoError::SignInRequired)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_access_token_refreshed_once_for_concurrent_callers() {
    let provider = Provider::start_with(&[("OIDC_ACCESS_TOKEN_TTL", "8")]);
    let (client, store) = provider.client().await;
    let client = Arc::new(client);
    sign_in(&client, "operator1").await;
    let first = client.access_token().await.unwrap();
    assert_eq!(client.access_token().await.unwrap(), first, "still fresh");
    assert_eq!(store.save_count(), 1);

    // 8 s tokens are refreshed a quarter of their life early, at 6 s.
    tokio::time::sleep(Duration::from_millis(6300)).await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&client);
            tokio::spawn(async move { c.access_token().await.unwrap() })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "one refresh shared by all callers"
    );
    assert_ne!(tokens[0], first);
    assert_eq!(store.save_count(), 2, "exactly one refresh (one rotation)");
    assert_eq!(provider.userinfo_status(tokens[0].expose()).await, 200);
}

#[tokio::test]
async fn resume_from_the_stored_refresh_token() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    sign_in(&client, "operator1").await;
    // A new client (the app restarted) with the same store.
    let restarted = SsoClient::discover(provider.config(), store.clone())
        .await
        .unwrap();
    assert_eq!(restarted.operator().await, None);
    let operator = restarted.resume().await.unwrap().expect("a session");
    assert_eq!(operator.subject, "operator1");
    assert_eq!(operator.npsn.as_deref(), Some("20100001"));
    assert_eq!(operator.name.as_deref(), Some("Siti Operator"));

    let (empty, _) = provider.client().await;
    assert_eq!(empty.resume().await.unwrap(), None);
}

#[tokio::test]
async fn wrong_npsn_or_role_refused_for_the_profile() {
    let provider = Provider::start();
    let (client, _store) = provider.client().await;
    let roles = client.config().allowed_roles();

    let other_school = sign_in(&client, "operator2").await;
    let denied = authorize_profile(&other_school, "20100001", &roles).unwrap_err();
    assert_eq!(denied.reason_id, DenialReason::NpsnMismatch);
    assert_eq!(denied.reason_id.id(), "npsn_mismatch");
    assert!(
        denied.message().contains("NPSN 20200002"),
        "{}",
        denied.message()
    );
    assert!(authorize_profile(&other_school, "20200002", &roles).is_ok());

    let teacher = sign_in(&client, "guru1").await;
    let denied = authorize_profile(&teacher, "20100001", &roles).unwrap_err();
    assert_eq!(denied.reason_id, DenialReason::RoleNotOperator);
    assert!(denied.message().contains("bukan operator sekolah"));
}

#[tokio::test]
async fn sign_out_revokes_and_forgets_the_tokens() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    sign_in(&client, "operator1").await;
    let refresh = store.load().unwrap().unwrap();
    let access = client.access_token().await.unwrap();
    assert_eq!(provider.userinfo_status(access.expose()).await, 200);

    let out = client.sign_out().await.unwrap();
    assert!(out.revoked, "{out:?}");
    assert_eq!(store.load().unwrap(), None);
    assert_eq!(client.operator().await, None);
    // Both tokens are dead at the provider.
    assert_eq!(provider.userinfo_status(access.expose()).await, 401);
    let (status, body) = provider
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(matches!(
        client.access_token().await,
        Err(SsoError::SignInRequired)
    ));
}

#[tokio::test]
async fn sign_out_without_a_revocation_endpoint_still_forgets_locally() {
    let provider = Provider::start_with(&[("OIDC_NO_REVOCATION", "1")]);
    assert!(provider.endpoint_missing("revocation_endpoint").await);
    let (client, store) = provider.client().await;
    assert!(!client.revocation_supported());
    sign_in(&client, "operator1").await;
    assert!(store.load().unwrap().is_some());
    let out = client.sign_out().await.unwrap();
    assert!(!out.revoked);
    assert!(out.revocation_note.is_some());
    assert_eq!(store.load().unwrap(), None);
    assert_eq!(client.operator().await, None);
}

#[tokio::test]
async fn discovery_requires_the_exact_issuer() {
    let provider = Provider::start();
    let mut config = provider.config();
    config.issuer = format!("{}/", provider.issuer);
    let err = SsoClient::discover(config, Arc::new(sso_sds::MemoryRefreshTokens::new()))
        .await
        .unwrap_err();
    assert!(matches!(err, SsoError::Discovery(_)), "{err:?}");

    let mut config = provider.config();
    config.issuer = provider.issuer.replace("127.0.0.1", "localhost");
    let err = SsoClient::discover(config, Arc::new(sso_sds::MemoryRefreshTokens::new()))
        .await
        .unwrap_err();
    assert!(matches!(err, SsoError::Discovery(_)), "{err:?}");
}

#[tokio::test]
async fn an_unregistered_client_id_gets_no_code() {
    let provider = Provider::start();
    let mut config = provider.config();
    config.client_id = "aplikasi-lain".into();
    let (client, store) = provider.client_with(config).await;
    let attempt = client.start_sign_in().await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(attempt.authorize_url().clone())
        .send()
        .await
        .unwrap();
    // oidc-provider renders an error page (it cannot redirect to an unverified client).
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(store.save_count(), 0);
}

#[tokio::test]
async fn id_token_with_another_nonce_is_refused() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    let attempt = client.start_sign_in().await.unwrap();
    // The provider is asked for an ID token with a nonce this attempt did not make (an ID token
    // injected from another authorization request).
    let replayed = with_param(attempt.authorize_url(), "nonce", Some("nonce-lain"));
    let callback = Browser::new("operator1").authorize(&replayed).await;
    let err = client
        .finish_sign_in(&attempt, &callback)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SsoError::IdToken(d) if d.contains("nonce")),
        "{err:?}"
    );
    assert_eq!(
        store.save_count(),
        0,
        "nothing stored for a refused ID token"
    );
    assert_eq!(client.operator().await, None);
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_once_mid_sync() {
    let provider = Provider::start();
    let (client, store) = provider.client().await;
    sign_in(&client, "operator1").await;
    let userinfo = provider.endpoint("userinfo_endpoint").await;
    let http = reqwest::Client::new();

    let ok = client
        .send_authorized(|t| http.get(&userinfo).bearer_auth(t.expose()))
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(store.save_count(), 1, "no refresh needed");

    // The access token dies mid-sync at the provider (as if it expired early); the refresh token
    // stays valid.
    let dead = client.access_token().await.unwrap();
    let r = http
        .post(format!("{}/test/drop-access-token", provider.issuer))
        .header("x-token", dead.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(provider.userinfo_status(dead.expose()).await, 401);

    let calls = std::sync::atomic::AtomicUsize::new(0);
    let response = client
        .send_authorized(|t| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            http.get(&userinfo).bearer_auth(t.expose())
        })
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(calls.into_inner(), 2, "one retry after the refresh");
    assert_eq!(store.save_count(), 2, "one refresh, rotation persisted");
    assert_ne!(client.access_token().await.unwrap(), dead);

    // A second caller holding the dead token does not cause another refresh.
    let current = client.refresh_after_rejection(&dead).await.unwrap();
    assert_ne!(current, dead);
    assert_eq!(store.save_count(), 2);
}
