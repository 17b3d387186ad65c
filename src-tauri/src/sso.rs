//! SSO SDS in the app: "Masuk dengan SSO SDS" (the system browser via the opener plugin — never the
//! app's webview), the signed-in operator for the header, "Keluar" (revoke + delete the stored
//! refresh token), and the access check that binds a profile to its school's NPSN.
//!
//! One [`SsoClient`] per profile lives in memory while the app runs; its refresh token sits in the OS
//! keychain (`sso-refresh:<profile uid>`), access and ID tokens only in memory. A refusal by
//! [`sso_sds::authorize_profile`] is shown in Bahasa Indonesia, recorded in the database
//! (`access_refusal`, subject id only), and the refused session is signed out.

use crate::connection::{keychain_error, now_ms, on_store, secret_store};
use crate::error::CommandError;
use crate::state::AppState;
use serde::Serialize;
use sso_sds::{authorize_profile, KeychainRefreshTokens, Operator, SsoClient, SsoConfig, SsoError};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use sync_core::storage::ConnectionProfile;
use sync_core::StoreError;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::Mutex;

/// How long the sign-in waits for the browser to come back.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// Signed-in clients by profile uid.
static SESSIONS: LazyLock<Mutex<HashMap<String, Arc<SsoClient>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Profiles whose stored refresh token was already tried this run (one resume attempt each).
static RESUMED: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// Restores the session of a profile from its stored refresh token (after a restart), once per run.
/// Failures are logged only: the operator then simply signs in again.
async fn resume(profile: &ConnectionProfile) {
    if !profile.sso_configured() || !RESUMED.lock().await.insert(profile.uid.clone()) {
        return;
    }
    let tokens = Arc::new(KeychainRefreshTokens::new(
        secret_store(),
        profile.uid.clone(),
    ));
    match keychain::AsyncSecretStore::from(secret_store())
        .refresh_token(&profile.uid)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return,
        Err(e) => {
            tracing::info!(
                detail = e.detail().unwrap_or(""),
                "no SSO session to resume"
            );
            return;
        }
    }
    let client = match SsoClient::discover(config_of(profile), tokens).await {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::info!(
                detail = e.detail().unwrap_or_default(),
                "SSO resume: discovery failed"
            );
            return;
        }
    };
    match client.resume().await {
        Ok(Some(operator)) => {
            if authorize_profile(&operator, &profile.npsn, &client.config().allowed_roles()).is_ok()
            {
                SESSIONS.lock().await.insert(profile.uid.clone(), client);
            }
        }
        Ok(None) => {}
        Err(e) => tracing::info!(detail = e.detail().unwrap_or_default(), "SSO resume failed"),
    }
}

fn sso_error(e: &SsoError) -> CommandError {
    if let Some(detail) = e.detail() {
        tracing::warn!(%detail, "SSO SDS failed");
    }
    match e {
        SsoError::Keychain(k) => keychain_error(k),
        SsoError::SignInRequired => CommandError::new("sso_sign_in_required", e.message()),
        _ => CommandError::new("sso_failed", e.message()),
    }
}

/// The profile's SSO registration.
pub fn config_of(profile: &ConnectionProfile) -> SsoConfig {
    let mut config = SsoConfig::new(profile.sso_issuer.trim(), profile.sso_client_id.trim());
    config.scopes = profile.sso_scopes.clone();
    config.data_endpoint = url::Url::parse(profile.sso_data_endpoint.trim()).ok();
    config
}

/// The signed-in operator as the header shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SsoStatus {
    pub configured: bool,
    pub operator: Option<Operator>,
}

async fn profile(state: &State<'_, AppState>, id: i64) -> Result<ConnectionProfile, CommandError> {
    on_store(state.ready()?, move |s| {
        s.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))
    })
    .await
}

#[tauri::command]
pub async fn sso_status(state: State<'_, AppState>, id: i64) -> Result<SsoStatus, CommandError> {
    let profile = profile(&state, id).await?;
    if !SESSIONS.lock().await.contains_key(&profile.uid) {
        resume(&profile).await;
    }
    let client = SESSIONS.lock().await.get(&profile.uid).cloned();
    let operator = match client {
        Some(c) => c.operator().await,
        None => None,
    };
    Ok(SsoStatus {
        configured: profile.sso_configured(),
        operator,
    })
}

/// "Masuk dengan SSO SDS": discovery, the system browser, the loopback redirect, then the access
/// check against the profile's NPSN.
#[tauri::command]
pub async fn sso_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> Result<SsoStatus, CommandError> {
    let profile = profile(&state, id).await?;
    if !profile.sso_configured() {
        return Err(CommandError::new(
            "not_configured",
            "Isi URL issuer dan Client ID SSO SDS pada profil ini terlebih dahulu.",
        ));
    }
    let config = config_of(&profile);
    let tokens = Arc::new(KeychainRefreshTokens::new(
        secret_store(),
        profile.uid.clone(),
    ));
    let client = Arc::new(
        SsoClient::discover(config, tokens)
            .await
            .map_err(|e| sso_error(&e))?,
    );
    let opener = app.clone();
    let operator = client
        .sign_in(
            Box::new(move |url| {
                opener
                    .opener()
                    .open_url(url.as_str(), None::<&str>)
                    .map_err(|e| e.to_string())
            }),
            SIGN_IN_TIMEOUT,
        )
        .await
        .map_err(|e| sso_error(&e))?;
    if let Err(denied) =
        authorize_profile(&operator, &profile.npsn, &client.config().allowed_roles())
    {
        let reason = denied.reason_id.id();
        let subject = operator.subject.clone();
        let operator_npsn = operator.npsn.clone();
        let refused = profile.clone();
        on_store(state.ready()?, move |s| {
            s.record_access_refusal(
                &refused,
                operator_npsn.as_deref(),
                &subject,
                reason,
                now_ms(),
            )
        })
        .await?;
        tracing::warn!(reason, "SSO SDS operator refused for this profile");
        let _ = client.sign_out().await;
        return Err(CommandError::new("access_denied", denied.message()));
    }
    SESSIONS
        .lock()
        .await
        .insert(profile.uid.clone(), client.clone());
    Ok(SsoStatus {
        configured: true,
        operator: Some(operator),
    })
}

/// "Keluar": revokes where the provider offers it and deletes the stored refresh token.
#[tauri::command]
pub async fn sso_sign_out(state: State<'_, AppState>, id: i64) -> Result<SsoStatus, CommandError> {
    let profile = profile(&state, id).await?;
    let client = SESSIONS.lock().await.remove(&profile.uid);
    match client {
        Some(client) => {
            let out = client.sign_out().await.map_err(|e| sso_error(&e))?;
            if let Some(note) = out.revocation_note {
                tracing::info!(%note, "SSO sign-out without revocation");
            }
        }
        None => {
            keychain::AsyncSecretStore::from(secret_store())
                .delete_refresh_token(&profile.uid)
                .await
                .map_err(|e| keychain_error(&e))?;
        }
    }
    Ok(SsoStatus {
        configured: profile.sso_configured(),
        operator: None,
    })
}

/// Keeps the signed-in client of a profile (what a sign-in produces; tests sign in directly).
pub async fn keep_session(uid: &str, client: Arc<SsoClient>) {
    SESSIONS.lock().await.insert(uid.to_string(), client);
}

/// A valid access token of the profile's signed-in operator (refreshed first when due), for the SDS
/// data source. [`SsoError::SignInRequired`] when nobody is signed in.
pub async fn access_token(profile: &ConnectionProfile) -> Result<keychain::Secret, SsoError> {
    if !SESSIONS.lock().await.contains_key(&profile.uid) {
        resume(profile).await;
    }
    let client = SESSIONS.lock().await.get(&profile.uid).cloned();
    match client {
        Some(c) => c.access_token().await,
        None => Err(SsoError::SignInRequired),
    }
}

/// Forgets the in-memory session of a deleted profile.
pub async fn forget(uid: &str) {
    SESSIONS.lock().await.remove(uid);
}

/// A profile with SSO configured may sync only for a signed-in operator of its school.
pub async fn require_authorized(profile: &ConnectionProfile) -> Result<(), CommandError> {
    if !SESSIONS.lock().await.contains_key(&profile.uid) {
        resume(profile).await;
    }
    let client = SESSIONS.lock().await.get(&profile.uid).cloned();
    let operator = match client {
        Some(c) => c.operator().await,
        None => None,
    };
    let Some(operator) = operator else {
        return Err(CommandError::new(
            "sso_sign_in_required",
            "Profil ini memakai SSO SDS: masuk dengan SSO SDS terlebih dahulu (Pengaturan → Masuk dengan SSO SDS).",
        ));
    };
    let roles = config_of(profile).allowed_roles();
    authorize_profile(&operator, &profile.npsn, &roles)
        .map_err(|denied| CommandError::new("access_denied", denied.message()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_core::storage::ProfileKind;

    fn profile(npsn: &str) -> ConnectionProfile {
        ConnectionProfile {
            id: 7,
            uid: "test-sso-uid".into(),
            name: "Sekolah SSO".into(),
            kind: ProfileKind::Webservice,
            host: "localhost".into(),
            port: None,
            install_dir: None,
            npsn: npsn.into(),
            sso_issuer: "https://sso.example.id/realms/sds".into(),
            sso_client_id: "dapodik-sync".into(),
            sso_scopes: vec!["profile".into(), "offline_access".into()],
            sso_data_endpoint: "https://sds.example.id/api".into(),
            active: true,
            last_check: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn the_profile_gives_the_sso_registration() {
        let c = config_of(&profile("20212345"));
        assert_eq!(c.issuer, "https://sso.example.id/realms/sds");
        assert_eq!(c.client_id, "dapodik-sync");
        assert!(c.wants_offline_access());
        assert!(c.validate().is_ok());
        assert_eq!(
            c.data_endpoint.unwrap().as_str(),
            "https://sds.example.id/api"
        );
    }

    #[tokio::test]
    async fn a_profile_with_sso_needs_a_signed_in_operator() {
        let e = require_authorized(&profile("20212345")).await.unwrap_err();
        assert_eq!(e.code, "sso_sign_in_required");
        assert!(e.message.contains("Masuk dengan SSO SDS"), "{}", e.message);
    }
}
