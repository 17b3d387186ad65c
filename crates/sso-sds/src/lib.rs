//! Sign-in with **SSO SDS**, the ministry's OpenID Connect / OAuth 2 sign-in, for one connection
//! profile of Dapodik Sync — without any Tauri dependency, so the desktop shell and the headless
//! worker use the same code.
//!
//! - [`SsoConfig`]: the registration of a profile (issuer, client id, scopes, redirect ports, SDS data
//!   endpoint, operator roles). Nothing about the real SSO SDS is hard-coded; see the README.
//! - [`SsoClient`]: discovery (exact issuer match), sign-in with authorization code + PKCE S256 in the
//!   system browser and a one-shot loopback redirect on 127.0.0.1 (RFC 8252), `state`/`iss` checked
//!   before the code is redeemed, ID token verified (JWKS signature, issuer, audience, expiry, nonce),
//!   userinfo, refresh one at a time with rotation persisted at once, sign-out with revocation.
//! - [`Operator`] and [`authorize_profile`]: who signed in, and whether they may use a profile bound
//!   to a school's NPSN; [`AccessDenied`] explains a refusal in Bahasa Indonesia.
//! - [`RefreshTokenStore`]: where the refresh token lives — [`KeychainRefreshTokens`] in the app.
//!
//! Tokens are never logged: access and refresh tokens travel as [`Secret`] (redacting `Debug` and
//! `Display`), only the refresh token is stored (in the OS keychain), access and ID tokens stay in
//! memory.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sso_sds::SsoError> {
//! use std::{sync::Arc, time::Duration};
//! use sso_sds::{authorize_profile, KeychainRefreshTokens, SsoClient, SsoConfig};
//!
//! let mut config = SsoConfig::new("https://sso.example.id/realms/sds", "dapodik-sync");
//! config.scopes = vec!["profile".into(), "offline_access".into()];
//! let store = Arc::new(KeychainRefreshTokens::new(keychain::SecretStore::new(), "sekolah-a"));
//! let sso = SsoClient::discover(config, store).await?;
//! let operator = sso
//!     .sign_in(Box::new(|url| { println!("open {url}"); Ok(()) }), Duration::from_secs(300))
//!     .await?;
//! if let Err(denied) = authorize_profile(&operator, "20100001", &sso.config().allowed_roles()) {
//!     eprintln!("{} ({})", denied.message(), denied.reason_id.id());
//! }
//! let token = sso.access_token().await?; // refreshed when expired
//! # let _ = token; Ok(()) }
//! ```

mod claims;
mod client;
mod config;
mod error;
mod loopback;
mod store;

pub use claims::{authorize_profile, AccessDenied, DenialReason, Operator, SdsClaims};
pub use client::{OpenUrl, SignInAttempt, SignOut, SsoClient};
pub use config::{SsoConfig, DEFAULT_OPERATOR_ROLES};
pub use error::SsoError;
pub use keychain::{KeychainError, Secret};
pub use store::{KeychainRefreshTokens, MemoryRefreshTokens, RefreshTokenStore};

#[cfg(test)]
mod send_checks {
    use super::*;

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}

    /// Compile-time: the client can be shared and its futures run on a multi-threaded runtime
    /// (Tauri commands, the worker).
    #[allow(dead_code)]
    async fn futures_are_send(client: &SsoClient, open: OpenUrl, s: Secret) {
        send_sync::<SsoClient>();
        send_sync::<SignInAttempt>();
        send(&client.sign_in(open, std::time::Duration::from_secs(1)));
        send(&client.access_token());
        send(&client.refresh());
        send(&client.resume());
        send(&client.sign_out());
        send(&client.refresh_after_rejection(&s));
        send(&client.send_authorized(|_| reqwest::Client::new().get("http://127.0.0.1/")));
    }
}
