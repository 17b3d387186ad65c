//! The SSO SDS client of one profile: discovery, sign-in (authorization code + PKCE S256 in the system
//! browser, loopback redirect), ID-token verification, userinfo, token refresh with rotation, sign-out.
//!
//! Flow of [`SsoClient::sign_in`]:
//! 1. [`SsoClient::start_sign_in`] binds the loopback listener and builds the authorization URL with a
//!    fresh `state`, `nonce` and PKCE challenge;
//! 2. the caller's `open_url` opens it in the system browser (never the app's webview);
//! 3. [`SignInAttempt::wait_for_callback`] receives the redirect;
//! 4. [`SsoClient::finish_sign_in`] checks `error`, `state` and `iss` **before** redeeming the code,
//!    redeems it with the PKCE verifier, verifies the ID token (signature from the discovered JWKS,
//!    issuer, audience, expiry, nonce), reads userinfo, stores the refresh token and keeps the access
//!    token in memory.
//!
//! Refreshes run one at a time (the session sits behind a tokio `Mutex`); a rotated refresh token is
//! saved to the [`RefreshTokenStore`] before the new access token is used; `invalid_grant` deletes the
//! stored token and returns [`SsoError::SignInRequired`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use keychain::{Secret, MAX_SECRET_BYTES};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreTokenResponse,
};
use openidconnect::{
    AccessToken, AdditionalProviderMetadata, AuthenticationFlow, AuthorizationCode, ClientId,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, StandardErrorResponse, SubjectIdentifier,
    TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use url::Url;

use crate::claims::{Operator, SdsClaims};
use crate::loopback::LoopbackListener;
use crate::{RefreshTokenStore, SsoConfig, SsoError};

/// Opens a URL in the system browser. The desktop passes the opener plugin; tests pass a scripted
/// HTTP "browser". An `Err` (with a reason for the log) aborts the sign-in with
/// [`SsoError::Browser`].
pub type OpenUrl = Box<dyn FnOnce(&Url) -> Result<(), String> + Send>;

/// An access token is refreshed this long before it expires (at most a quarter of its lifetime).
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// When an access token that lives `expires_in` should be refreshed.
fn refresh_due(expires_in: Option<Duration>) -> Option<Instant> {
    expires_in.map(|d| Instant::now() + d - EXPIRY_MARGIN.min(d / 4))
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct RevocationMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<String>,
}

impl AdditionalProviderMetadata for RevocationMetadata {}

type SdsProviderMetadata = ProviderMetadata<
    RevocationMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

type SdsIdToken =
    IdToken<SdsClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

type TokenError = RequestTokenError<
    openidconnect::HttpClientError<reqwest::Error>,
    StandardErrorResponse<CoreErrorResponseType>,
>;

/// The tokens of a signed-in operator, in memory only.
struct Session {
    access_token: Secret,
    /// When to refresh (shortly before expiry); `None` when the provider gave no lifetime.
    refresh_at: Option<Instant>,
    operator: Operator,
}

/// What [`SsoClient::sign_out`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOut {
    /// The provider was asked to revoke the refresh token (and the access token) and accepted.
    pub revoked: bool,
    /// Why revocation was skipped or failed (no endpoint advertised, network error), for the log.
    /// The local sign-out happened regardless.
    pub revocation_note: Option<String>,
}

/// One sign-in in progress: the loopback listener, the authorization URL, and the `state`, `nonce`
/// and PKCE verifier it was built with. Dropping it closes the listener.
pub struct SignInAttempt {
    listener: LoopbackListener,
    authorize_url: Url,
    state: CsrfToken,
    nonce: Nonce,
    pkce_verifier: Secret,
}

impl fmt::Debug for SignInAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInAttempt")
            .field("redirect_uri", self.listener.redirect_uri())
            .finish_non_exhaustive()
    }
}

impl SignInAttempt {
    /// The URL to open in the system browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The loopback redirect URI (`http://127.0.0.1:<port><redirect_path>`).
    pub fn redirect_uri(&self) -> &Url {
        self.listener.redirect_uri()
    }

    /// Waits for the browser to come back to the redirect URI; returns the full callback URL.
    pub async fn wait_for_callback(&self, timeout: Duration) -> Result<Url, SsoError> {
        self.listener.accept_callback(timeout).await
    }
}

/// The SSO SDS client of one profile. Create it with [`SsoClient::discover`]; share it (`Arc`)
/// between the UI commands and the worker.
pub struct SsoClient {
    config: SsoConfig,
    oidc: OidcClient,
    issuer: String,
    revocation_endpoint: Option<Url>,
    http: reqwest::Client,
    store: Arc<dyn RefreshTokenStore>,
    session: Mutex<Option<Session>>,
}

impl fmt::Debug for SsoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl SsoClient {
    /// Validates `config`, reads the provider's discovery document and keys (the document's `issuer`
    /// must equal `config.issuer` exactly) and prepares the client. `store` keeps the refresh token.
    pub async fn discover(
        config: SsoConfig,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Result<Self, SsoError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            // No redirects: a provider endpoint that redirects is refused rather than followed.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SsoError::Network(e.to_string()))?;
        let issuer_url = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| SsoError::Config(format!("issuer: {e}")))?;
        let metadata = SdsProviderMetadata::discover_async(issuer_url, &http)
            .await
            .map_err(|e| SsoError::Discovery(error_chain(&e)))?;
        // openidconnect checks this too; kept explicit because the whole trust model rests on it.
        if metadata.issuer().as_str() != config.issuer {
            return Err(SsoError::Discovery(format!(
                "issuer mismatch: configured {}, discovered {}",
                config.issuer,
                metadata.issuer().as_str()
            )));
        }
        if metadata.token_endpoint().is_none() {
            return Err(SsoError::Discovery("no token_endpoint".into()));
        }
        let revocation_endpoint = match &metadata.additional_metadata().revocation_endpoint {
            Some(u) => Some(
                Url::parse(u)
                    .map_err(|e| SsoError::Discovery(format!("revocation_endpoint: {e}")))?,
            ),
            None => None,
        };
        let issuer = metadata.issuer().as_str().to_string();
        let oidc = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            None,
        );
        tracing::info!(issuer = %issuer, revocation = revocation_endpoint.is_some(), "SSO SDS discovered");
        Ok(SsoClient {
            config,
            oidc,
            issuer,
            revocation_endpoint,
            http,
            store,
            session: Mutex::new(None),
        })
    }

    /// The profile's configuration.
    pub fn config(&self) -> &SsoConfig {
        &self.config
    }

    /// Whether the provider advertises a revocation endpoint.
    pub fn revocation_supported(&self) -> bool {
        self.revocation_endpoint.is_some()
    }

    /// The signed-in operator, if there is a session in memory.
    pub async fn operator(&self) -> Option<Operator> {
        self.session
            .lock()
            .await
            .as_ref()
            .map(|s| s.operator.clone())
    }

    /// The whole sign-in: opens the authorization URL with `open_url`, waits up to `timeout` for the
    /// browser to come back, then finishes as [`SsoClient::finish_sign_in`].
    pub async fn sign_in(
        &self,
        open_url: OpenUrl,
        timeout: Duration,
    ) -> Result<Operator, SsoError> {
        let attempt = self.start_sign_in().await?;
        open_url(attempt.authorize_url()).map_err(SsoError::Browser)?;
        let callback = attempt.wait_for_callback(timeout).await?;
        self.finish_sign_in(&attempt, &callback).await
    }

    /// Step 1 of a sign-in: binds the loopback listener and builds the authorization URL.
    pub async fn start_sign_in(&self) -> Result<SignInAttempt, SsoError> {
        let listener =
            LoopbackListener::bind(&self.config.redirect_ports, &self.config.redirect_path).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.client_for(listener.redirect_uri())?;
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_scopes(self.config.scopes.iter().map(|s| Scope::new(s.clone())));
        if self.config.wants_offline_access() {
            request = request.add_prompt(CoreAuthPrompt::Consent);
        }
        let (authorize_url, state, nonce) = request.url();
        Ok(SignInAttempt {
            listener,
            authorize_url,
            state,
            nonce,
            pkce_verifier: Secret::new(verifier.secret().clone()),
        })
    }

    /// Step 2 of a sign-in: checks the authorization response `callback` against `attempt` (an
    /// `error` parameter, the `state`, the `iss` parameter when present) before anything is redeemed,
    /// then redeems the code, verifies the ID token, reads userinfo and stores the refresh token.
    /// A refused callback leaves `attempt` usable.
    pub async fn finish_sign_in(
        &self,
        attempt: &SignInAttempt,
        callback: &Url,
    ) -> Result<Operator, SsoError> {
        let param = |name: &str| {
            callback
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let state_ok = param("state").is_some_and(|s| s == *attempt.state.secret());
        if !state_ok {
            tracing::warn!("SSO callback refused: state mismatch");
            return Err(SsoError::StateMismatch);
        }
        if let Some(error) = param("error") {
            return Err(SsoError::Authorization { error });
        }
        if let Some(iss) = param("iss") {
            if iss != self.issuer {
                tracing::warn!("SSO callback refused: iss mismatch");
                return Err(SsoError::IssuerMismatch);
            }
        }
        let code = param("code")
            .filter(|c| !c.is_empty())
            .ok_or(SsoError::CallbackInvalid)?;

        let mut session = self.session.lock().await;
        let client = self.client_for(attempt.redirect_uri())?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SsoError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(
                attempt.pkce_verifier.expose().to_string(),
            ))
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(&e))?;

        let id_token = response
            .id_token()
            .ok_or_else(|| SsoError::IdToken("no id_token in the token response".into()))?;
        let mut operator = self.verify_id_token(&id_token.to_string(), Some(&attempt.nonce))?;
        self.fill_from_userinfo(&mut operator, response.access_token())
            .await?;
        self.persist_refresh_token(&response, true).await?;
        *session = Some(Session {
            access_token: Secret::new(response.access_token().secret().clone()),
            refresh_at: refresh_due(response.expires_in()),
            operator: operator.clone(),
        });
        tracing::info!(subject = %operator.subject, "SSO SDS sign-in done");
        Ok(operator)
    }

    /// Restores a session from the stored refresh token (at start-up): `Ok(None)` when none is
    /// stored; [`SsoError::SignInRequired`] when the provider no longer accepts it.
    pub async fn resume(&self) -> Result<Option<Operator>, SsoError> {
        if self.load_refresh_token().await?.is_none() {
            return Ok(None);
        }
        self.refresh().await.map(Some)
    }

    /// A valid access token, refreshed first when it has expired (or is about to). For the worker:
    /// call it before each request, and [`SsoClient::refresh`] after a 401.
    pub async fn access_token(&self) -> Result<Secret, SsoError> {
        let mut session = self.session.lock().await;
        if let Some(s) = session.as_ref() {
            let fresh = s.refresh_at.is_none_or(|at| Instant::now() < at);
            if fresh {
                return Ok(s.access_token.clone());
            }
        }
        self.refresh_locked(&mut session).await?;
        Ok(session
            .as_ref()
            .expect("set by refresh")
            .access_token
            .clone())
    }

    /// Refreshes now (one refresh at a time); the rotated refresh token is stored before this returns.
    pub async fn refresh(&self) -> Result<Operator, SsoError> {
        let mut session = self.session.lock().await;
        self.refresh_locked(&mut session).await?;
        Ok(session.as_ref().expect("set by refresh").operator.clone())
    }

    /// Replaces an access token the server just refused (HTTP 401): refreshes, unless another caller
    /// already did since `refused` was handed out, and returns the current token. One refresh at a
    /// time, so parallel requests that all got 401 cause a single refresh.
    pub async fn refresh_after_rejection(&self, refused: &Secret) -> Result<Secret, SsoError> {
        let mut session = self.session.lock().await;
        if let Some(s) = session.as_ref() {
            if s.access_token != *refused {
                return Ok(s.access_token.clone());
            }
        }
        self.refresh_locked(&mut session).await?;
        Ok(session
            .as_ref()
            .expect("set by refresh")
            .access_token
            .clone())
    }

    /// Sends a request with the access token (for the SDS data source): `build` makes the request
    /// for a token (e.g. `|t| http.get(url).bearer_auth(t.expose())`); an expired token is refreshed
    /// first, and a 401 answer leads to one refresh and one retry. Other statuses are returned as
    /// they are. The token is never part of an error.
    pub async fn send_authorized<F>(&self, build: F) -> Result<reqwest::Response, SsoError>
    where
        F: Fn(&Secret) -> reqwest::RequestBuilder,
    {
        let token = self.access_token().await?;
        let response = build(&token)
            .send()
            .await
            .map_err(|e| SsoError::Network(e.without_url().to_string()))?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        tracing::info!("access token refused (401): refreshing once");
        let token = self.refresh_after_rejection(&token).await?;
        build(&token)
            .send()
            .await
            .map_err(|e| SsoError::Network(e.without_url().to_string()))
    }

    /// Signs out: revokes the refresh token and the access token where the provider advertises a
    /// revocation endpoint, then deletes the stored refresh token and forgets the session. The local
    /// part happens even when revocation fails; only a keychain failure is an error.
    pub async fn sign_out(&self) -> Result<SignOut, SsoError> {
        let mut session = self.session.lock().await;
        let refresh_token = self.load_refresh_token().await?;
        let access_token = session.take().map(|s| s.access_token);
        let mut result = SignOut {
            revoked: false,
            revocation_note: None,
        };
        match &self.revocation_endpoint {
            None => result.revocation_note = Some("no revocation_endpoint advertised".into()),
            Some(endpoint) => {
                let mut outcome = Ok(false);
                for (token, hint) in [
                    (refresh_token.as_ref(), "refresh_token"),
                    (access_token.as_ref(), "access_token"),
                ] {
                    if let Some(token) = token {
                        match self.revoke(endpoint, token, hint).await {
                            Ok(()) => outcome = outcome.map(|_| true),
                            Err(e) => {
                                outcome = Err(e);
                                break;
                            }
                        }
                    }
                }
                match outcome {
                    Ok(revoked) => result.revoked = revoked,
                    Err(note) => {
                        tracing::warn!(note = %note, "SSO token revocation failed");
                        result.revocation_note = Some(note);
                    }
                }
            }
        }
        let store = Arc::clone(&self.store);
        blocking(move || store.delete()).await?;
        tracing::info!(revoked = result.revoked, "SSO SDS signed out");
        Ok(result)
    }

    // -- internals -------------------------------------------------------------------------------

    fn client_for(&self, redirect_uri: &Url) -> Result<OidcClient, SsoError> {
        let redirect = RedirectUrl::from_url(redirect_uri.clone());
        Ok(self.oidc.clone().set_redirect_uri(redirect))
    }

    async fn refresh_locked(&self, session: &mut Option<Session>) -> Result<(), SsoError> {
        let Some(refresh_token) = self.load_refresh_token().await? else {
            *session = None;
            return Err(SsoError::SignInRequired);
        };
        let refresh_token = RefreshToken::new(refresh_token.expose().to_string());
        let request = self
            .oidc
            .exchange_refresh_token(&refresh_token)
            .map_err(|e| SsoError::Config(e.to_string()))?;
        let response = match request.request_async(&self.http).await {
            Ok(r) => r,
            Err(RequestTokenError::ServerResponse(r))
                if *r.error() == CoreErrorResponseType::InvalidGrant =>
            {
                tracing::info!("SSO refresh token refused (invalid_grant): sign-in required");
                *session = None;
                let store = Arc::clone(&self.store);
                blocking(move || store.delete()).await?;
                return Err(SsoError::SignInRequired);
            }
            Err(e) => return Err(token_error(&e)),
        };
        // Rotation: the new refresh token is persisted before anything else happens.
        self.persist_refresh_token(&response, false).await?;

        let previous = session.as_ref().map(|s| s.operator.clone());
        let mut operator = match response.id_token() {
            Some(id_token) => {
                let op = self.verify_id_token(&id_token.to_string(), None)?;
                if let Some(prev) = &previous {
                    if prev.subject != op.subject {
                        return Err(SsoError::IdToken("subject changed on refresh".into()));
                    }
                }
                Some(op)
            }
            None => previous.clone(),
        };
        match operator.as_mut() {
            Some(op) => self.fill_from_userinfo(op, response.access_token()).await?,
            None => {
                operator = Some(
                    self.userinfo_operator(response.access_token(), None)
                        .await?
                        .ok_or_else(|| {
                            SsoError::IdToken("neither an ID token nor userinfo on refresh".into())
                        })?,
                )
            }
        }
        *session = Some(Session {
            access_token: Secret::new(response.access_token().secret().clone()),
            refresh_at: refresh_due(response.expires_in()),
            operator: operator.expect("set above"),
        });
        tracing::info!("SSO SDS tokens refreshed");
        Ok(())
    }

    /// Verifies a raw ID token (signature, issuer, audience, expiry; the nonce when given) and reads
    /// its claims.
    fn verify_id_token(&self, raw: &str, nonce: Option<&Nonce>) -> Result<Operator, SsoError> {
        let token: SdsIdToken = raw
            .parse()
            .map_err(|e| SsoError::IdToken(format!("unreadable ID token: {e}")))?;
        let verifier = self.oidc.id_token_verifier();
        let claims = match nonce {
            Some(nonce) => token.claims(&verifier, nonce),
            // A refreshed ID token carries no new nonce to check.
            None => token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
        }
        .map_err(|e| SsoError::IdToken(error_chain(&e)))?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string())
            .or_else(|| claims.preferred_username().map(|u| u.to_string()));
        Ok(Operator::from_claims(
            claims.subject().to_string(),
            name,
            claims.additional_claims(),
        ))
    }

    async fn fill_from_userinfo(
        &self,
        operator: &mut Operator,
        access_token: &AccessToken,
    ) -> Result<(), SsoError> {
        if let Some(info) = self
            .userinfo_operator(access_token, Some(operator.subject.clone()))
            .await?
        {
            operator.fill_from(info);
        }
        Ok(())
    }

    /// The claims from userinfo (`None` when the provider has no userinfo endpoint). With
    /// `subject`, userinfo must be about that subject.
    async fn userinfo_operator(
        &self,
        access_token: &AccessToken,
        subject: Option<String>,
    ) -> Result<Option<Operator>, SsoError> {
        let request = match self
            .oidc
            .user_info(access_token.clone(), subject.map(SubjectIdentifier::new))
        {
            Ok(r) => r,
            Err(_) => return Ok(None),
        };
        let claims: UserInfoClaims<SdsClaims, CoreGenderClaim> = request
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::UserInfo(error_chain(&e)))?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string())
            .or_else(|| claims.preferred_username().map(|u| u.to_string()));
        Ok(Some(Operator::from_claims(
            claims.subject().to_string(),
            name,
            claims.additional_claims(),
        )))
    }

    /// Stores the refresh token of a token response. Without one: after a sign-in any older stored
    /// token is deleted (it belongs to a previous session); after a refresh the stored one is kept
    /// (the provider does not rotate).
    async fn persist_refresh_token(
        &self,
        response: &CoreTokenResponse,
        sign_in: bool,
    ) -> Result<(), SsoError> {
        let store = Arc::clone(&self.store);
        match response.refresh_token() {
            Some(token) => {
                let token = Secret::new(token.secret().clone());
                if token.len() > MAX_SECRET_BYTES {
                    return Err(SsoError::Keychain(keychain::KeychainError::TooLarge {
                        bytes: token.len(),
                        limit: MAX_SECRET_BYTES,
                    }));
                }
                blocking(move || store.save(&token)).await
            }
            None if sign_in => blocking(move || store.delete()).await,
            None => Ok(()),
        }
    }

    async fn load_refresh_token(&self) -> Result<Option<Secret>, SsoError> {
        let store = Arc::clone(&self.store);
        blocking(move || store.load()).await
    }

    /// RFC 7009 revocation as a public client.
    async fn revoke(&self, endpoint: &Url, token: &Secret, hint: &str) -> Result<(), String> {
        let response = self
            .http
            .post(endpoint.clone())
            .form(&[
                ("token", token.expose()),
                ("token_type_hint", hint),
                ("client_id", self.config.client_id.as_str()),
            ])
            .send()
            .await
            .map_err(|e| format!("revocation request failed: {}", e.without_url()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("revocation refused: HTTP {}", response.status()))
        }
    }
}

/// Runs a refresh-token store call on the blocking pool (keychain backends block).
async fn blocking<T, F>(call: F) -> Result<T, SsoError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, keychain::KeychainError> + Send + 'static,
{
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| {
            SsoError::Keychain(keychain::KeychainError::Backend {
                detail: format!("keychain task failed: {e}"),
            })
        })?
        .map_err(SsoError::Keychain)
}

/// A token-endpoint failure for the log: the error code and description, never a response body.
fn token_error(e: &TokenError) -> SsoError {
    match e {
        RequestTokenError::ServerResponse(r) => SsoError::Token(format!(
            "{}{}",
            r.error(),
            r.error_description()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )),
        RequestTokenError::Request(e) => SsoError::Network(error_chain(e)),
        RequestTokenError::Parse(_, _) => SsoError::Token("unreadable token response".into()),
        RequestTokenError::Other(o) => SsoError::Token(o.clone()),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
