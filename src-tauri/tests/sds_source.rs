//! The SDS data source: an SSO SDS profile syncs from its SDS data endpoint with the signed-in
//! operator's access token as the bearer (the endpoint speaks the Web Service's paths and entity
//! shapes; here a simulated Dapodik that accepts exactly that token), and an operator of another
//! school may not use the profile. Against a real OpenID Connect provider (`tests/oidc`, oidc-provider
//! on Node, installed by `npm ci` there) driven by the sso-sds crate's scripted browser.

#[path = "../../crates/sso-sds/tests/common/mod.rs"]
mod common;

use common::{open_with, Browser, Provider, CLIENT_ID};
use dapodik_sync_desktop::connection::{check_can_sync, sds_target};
use dapodik_sync_desktop::sources::{AppSources, ProfileKeys};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use sync_core::settings::Settings;
use sync_core::storage::{ProfileInput, ProfileKind};
use sync_core::{BatchStatus, NewBatch, SourceKind, Store};

const WAIT: Duration = Duration::from_secs(30);

async fn signed_in(provider: &Provider, login: &str) -> sso_sds::SsoClient {
    let (client, _tokens) = provider.client().await;
    client
        .sign_in(
            open_with(Browser::new(login), Arc::new(Mutex::new(None))),
            WAIT,
        )
        .await
        .unwrap();
    client
}

fn sds_profile(provider: &Provider, name: &str, npsn: &str, endpoint: &str) -> ProfileInput {
    ProfileInput {
        name: name.into(),
        kind: Some(ProfileKind::SsoSds),
        npsn: npsn.into(),
        sso_issuer: provider.issuer.clone(),
        sso_client_id: CLIENT_ID.into(),
        sso_scopes: vec!["profile".into(), "offline_access".into(), "sds".into()],
        sso_data_endpoint: endpoint.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_sds_profile_syncs_from_the_data_endpoint_with_the_access_token() {
    let provider = Provider::start();
    let client = signed_in(&provider, "operator1").await;
    let token = client.access_token().await.unwrap();
    // The SDS data endpoint of school 20100001 accepts this operator's access token and nothing else.
    let sds = dapodik_sim::SimServer::start(dapodik_sim::SimConfig {
        npsn: "20100001".into(),
        key: token.expose().to_string(),
        students: 20,
        ..Default::default()
    })
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sds.sqlite3")).unwrap();
    let profile = store
        .create_profile(
            &sds_profile(
                &provider,
                "Sekolah SDS",
                "20100001",
                &format!("{}/", sds.base_url()),
            ),
            1,
        )
        .unwrap();
    dapodik_sync_desktop::sso::keep_session(&profile.uid, Arc::new(client)).await;
    check_can_sync(&profile)
        .await
        .expect("the signed-in operator of this school may sync");

    let resolver = AppSources {
        demo: None,
        real: None,
        client: Settings::default().client_config(),
        env: Box::new(|_| None),
        profile_keys: Some(ProfileKeys {
            store: store.clone(),
            secrets: keychain::SecretStore::with_service("id.dapodiksync.test-sds-unused"),
        }),
    };
    let worker =
        sync_core::worker::spawn_worker(store.clone(), Settings::default(), Arc::new(resolver));
    let batch = worker
        .enqueue(NewBatch {
            source: SourceKind::Webservice,
            target: sds_target(&profile).unwrap(),
            npsn: profile.npsn.clone(),
            max_attempts: 1,
        })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(60), worker.wait_terminal(batch.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, BatchStatus::Succeeded, "{:?}", done.error);
    assert_eq!(done.counts["peserta_didik"].new, 20);
    worker.shutdown().await;
    sds.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_of_another_school_may_not_sync_the_profile() {
    let provider = Provider::start();
    let other = signed_in(&provider, "operator2").await; // NPSN 20200002
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sds.sqlite3")).unwrap();
    let profile = store
        .create_profile(
            &sds_profile(
                &provider,
                "Sekolah SDS",
                "20100001",
                "http://127.0.0.1:9/sds",
            ),
            1,
        )
        .unwrap();
    dapodik_sync_desktop::sso::keep_session(&profile.uid, Arc::new(other)).await;
    let refused = check_can_sync(&profile).await.unwrap_err();
    assert_eq!(refused.code, "access_denied");
    assert!(
        refused.message.contains("20200002") && refused.message.contains("20100001"),
        "{}",
        refused.message
    );
}
