//! The full SSO SDS sign-in against a real OpenID Connect provider (oidc-provider on 127.0.0.1),
//! through a scripted browser, then refresh and sign-out — with the log captured to show that no
//! token (and no operator name) is ever written to it. A binary of its own because it installs the
//! global tracing subscriber.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{open_with, param, Browser, Provider, CLIENT_ID};
use sso_sds::{authorize_profile, RefreshTokenStore};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn full_sign_in_through_the_browser_reads_claims_from_userinfo() {
    // Logs of the whole flow are captured to check that no token ever appears in them.
    let logs = LogCapture::default();
    // Global (this binary holds this one test): thread-local subscribers miss events that other
    // threads' callsite registrations have already filtered out.
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_env_filter("sso_sds=trace")
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish(),
    )
    .unwrap();

    let provider = Provider::start();
    let (client, store) = provider.client().await;
    assert!(client.revocation_supported());

    let seen = Arc::new(Mutex::new(None));
    let operator = client
        .sign_in(open_with(Browser::new("operator1"), seen.clone()), WAIT)
        .await
        .unwrap();

    // The authorization request: PKCE S256, state, nonce, loopback redirect on a random port.
    let (auth_url, page) = seen.lock().unwrap().clone().expect("browser ran");
    assert!(auth_url
        .as_str()
        .starts_with(&format!("{}/auth?", provider.issuer)));
    assert_eq!(
        param(&auth_url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&auth_url, "code_challenge").is_some_and(|c| c.len() >= 43));
    assert!(param(&auth_url, "state").is_some());
    assert!(param(&auth_url, "nonce").is_some());
    assert_eq!(param(&auth_url, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(param(&auth_url, "prompt").as_deref(), Some("consent"));
    let redirect = url::Url::parse(&param(&auth_url, "redirect_uri").unwrap()).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    assert_eq!(redirect.path(), "/callback");
    assert!(page.contains("kembali ke aplikasi Dapodik Sync"), "{page}");

    // The provider puts the SDS claims in userinfo only (conformIdTokenClaims).
    assert_eq!(operator.subject, "operator1");
    assert_eq!(operator.npsn.as_deref(), Some("20100001"));
    assert_eq!(operator.roles, vec!["operator".to_string()]);
    assert_eq!(operator.ptk_id.as_deref(), Some("ptk-0001"));
    assert_eq!(operator.name.as_deref(), Some("Siti Operator"));
    assert_eq!(client.operator().await, Some(operator.clone()));
    assert!(authorize_profile(&operator, "20100001", &client.config().allowed_roles()).is_ok());

    // Only the refresh token is stored; the access token works against the provider.
    assert_eq!(store.save_count(), 1);
    let refresh = store.load().unwrap().expect("refresh token stored");
    let access = client.access_token().await.unwrap();
    assert_eq!(provider.userinfo_status(access.expose()).await, 200);
    assert_eq!(
        format!("{access:?} {access}"),
        "Secret([redacted]) [redacted]"
    );

    client.refresh().await.unwrap();
    client.sign_out().await.unwrap();

    let logs = logs.text();
    assert!(logs.contains("SSO SDS sign-in done"), "{logs}");
    assert!(logs.contains("SSO SDS tokens refreshed"), "{logs}");
    assert!(!logs.contains(access.expose()), "access token in the log");
    assert!(!logs.contains(refresh.expose()), "refresh token in the log");
    assert!(!logs.contains("Siti"), "operator name in the log");
}

/// Captured log output.
#[derive(Clone, Default)]
struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
