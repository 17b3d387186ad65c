//! Pengaturan → connection profiles: the commands behind the profile list, the write-only Web Service
//! key, port detection from `install.ini`, and "Uji koneksi" (the connection doctor) — plus which
//! connection "Sinkronkan sekarang" uses ([`current_profile`]).
//!
//! The key is write-only: [`save_profile_key`] hands it straight to the OS keychain
//! (`keychain::AsyncSecretStore`, account `webservice-key:<profile uid>`), and the window only ever
//! learns `has_key`. Without a keychain the keychain's own Indonesian message is returned; nothing is
//! written anywhere else. The worker reads the key when a batch runs ([`crate::sources`]).
//!
//! Which connection is used: the environment's real connection (`DAPODIK_SYNC_URL`, for scripts) if
//! set, else the active profile, else the demo.

use crate::error::CommandError;
use crate::state::{AppState, Mode, Profile, Ready};
use dapodik_webservice::client::WebServiceClient;
use dapodik_webservice::doctor::{self, StepName};
use dapodik_webservice::install_ini::{self, PortOrigin};
use keychain::{AsyncSecretStore, KeychainError, Secret, SecretStore};
use serde::Serialize;
use std::path::PathBuf;
use sync_core::storage::{ConnectionProfile, ProfileInput, ProfileKind};
use sync_core::{SourceKind, StoreError};
use tauri::State;

/// Overrides the keychain service name (tests and the end-to-end run use their own).
pub const ENV_KEYCHAIN_SERVICE: &str = "DAPODIK_SYNC_KEYCHAIN_SERVICE";

/// The app's keychain: [`keychain::SERVICE`] unless `DAPODIK_SYNC_KEYCHAIN_SERVICE` names another.
pub fn secret_store() -> SecretStore {
    match std::env::var(ENV_KEYCHAIN_SERVICE) {
        Ok(service) if !service.trim().is_empty() => SecretStore::with_service(service.trim()),
        _ => SecretStore::new(),
    }
}

fn secrets() -> AsyncSecretStore {
    secret_store().into()
}

pub(crate) use crate::state::{now_ms, on_store};

/// A keychain failure as the window sees it: its code and the keychain's Indonesian message.
pub fn keychain_error(e: &KeychainError) -> CommandError {
    if let Some(detail) = e.detail() {
        tracing::warn!(%detail, "keychain call failed");
    }
    let code = match e {
        KeychainError::Unavailable { .. } => "keychain_unavailable",
        KeychainError::Locked { .. } => "keychain_locked",
        KeychainError::TooLarge { .. } | KeychainError::EmptySecret => "invalid_secret",
        _ => "keychain",
    };
    CommandError::new(code, e.message())
}

/// A profile as the window sees it: never the key, only whether one is saved.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: ConnectionProfile,
    pub base_url: Option<String>,
    pub has_key: bool,
}

/// The Pengaturan profile list.
#[derive(Debug, Clone, Serialize)]
pub struct ProfilesView {
    pub profiles: Vec<ProfileView>,
    /// The connection comes from environment variables (`DAPODIK_SYNC_URL`, …): profiles are kept
    /// but not used until those are removed.
    pub env_override: bool,
    /// The keychain's message when it cannot be reached (keys can then be neither saved nor read).
    pub keychain_error: Option<String>,
}

async fn view(profile: ConnectionProfile) -> Result<ProfileView, KeychainError> {
    let has_key = match profile.kind {
        ProfileKind::Webservice => secrets().has_webservice_key(&profile.uid).await?,
        _ => false,
    };
    Ok(ProfileView {
        base_url: profile.base_url(),
        has_key,
        profile,
    })
}

async fn view_or_error(profile: ConnectionProfile) -> Result<ProfileView, CommandError> {
    view(profile).await.map_err(|e| keychain_error(&e))
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<ProfilesView, CommandError> {
    let ready = state.ready()?;
    let profiles = on_store(ready, |s| s.profiles()).await?;
    let mut out = Vec::with_capacity(profiles.len());
    let mut keychain_error = None;
    for profile in profiles {
        match view(profile.clone()).await {
            Ok(v) => out.push(v),
            Err(e) => {
                keychain_error.get_or_insert_with(|| crate::connection::keychain_error(&e).message);
                out.push(ProfileView {
                    base_url: profile.base_url(),
                    has_key: false,
                    profile,
                });
            }
        }
    }
    Ok(ProfilesView {
        profiles: out,
        env_override: ready.profile.mode == Mode::Real,
        keychain_error,
    })
}

#[tauri::command]
pub async fn create_profile(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<ProfileView, CommandError> {
    let profile = on_store(state.ready()?, move |s| s.create_profile(&input, now_ms())).await?;
    tracing::info!(
        profile = profile.id,
        kind = profile.kind.as_str(),
        "profile created"
    );
    view_or_error(profile).await
}

#[tauri::command]
pub async fn update_profile(
    state: State<'_, AppState>,
    id: i64,
    input: ProfileInput,
) -> Result<ProfileView, CommandError> {
    let profile = on_store(state.ready()?, move |s| {
        s.update_profile(id, &input, now_ms())
    })
    .await?;
    view_or_error(profile).await
}

/// Deletes a profile and its secrets in the keychain.
#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: i64) -> Result<(), CommandError> {
    let ready = state.ready()?;
    let profile = on_store(ready, move |s| {
        s.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))
    })
    .await?;
    let secrets = secrets();
    // Secrets first: a profile whose key could not be deleted stays listed, so it can be retried.
    if profile.kind == ProfileKind::Webservice {
        secrets
            .delete_webservice_key(&profile.uid)
            .await
            .map_err(|e| keychain_error(&e))?;
    }
    if profile.sso_configured() {
        secrets
            .delete_refresh_token(&profile.uid)
            .await
            .map_err(|e| keychain_error(&e))?;
    }
    on_store(ready, move |s| s.delete_profile(id)).await?;
    crate::sso::forget(&profile.uid).await;
    Ok(())
}

#[tauri::command]
pub async fn activate_profile(
    state: State<'_, AppState>,
    id: Option<i64>,
) -> Result<(), CommandError> {
    on_store(state.ready()?, move |s| s.activate_profile(id, now_ms())).await
}

/// Saves (or replaces) the Web Service key of a profile in the OS keychain. Returns the profile with
/// `has_key`, never the key.
#[tauri::command]
pub async fn save_profile_key(
    state: State<'_, AppState>,
    id: i64,
    key: String,
) -> Result<ProfileView, CommandError> {
    let key = Secret::new(key.trim());
    let profile = on_store(state.ready()?, move |s| {
        s.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))
    })
    .await?;
    if profile.kind != ProfileKind::Webservice {
        return Err(CommandError::new(
            "refused",
            "Kunci Web Service hanya untuk profil Web Service Dapodik.",
        ));
    }
    secrets()
        .save_webservice_key(&profile.uid, key)
        .await
        .map_err(|e| keychain_error(&e))?;
    tracing::info!(
        profile = profile.id,
        "Web Service key saved to the keychain"
    );
    view_or_error(profile).await
}

/// The port Dapodik's installer wrote in `config\install.ini`.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedPort {
    pub port: u16,
    #[serde(flatten)]
    pub origin: PortOrigin,
    /// The install folder looked in.
    pub install_dir: String,
}

/// "Deteksi otomatis": `WebPort=` from `<install_dir>\config\install.ini` (default folder when empty),
/// else 5774.
#[tauri::command]
pub async fn detect_port(install_dir: Option<String>) -> Result<DetectedPort, CommandError> {
    let dir = install_dir
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    tauri::async_runtime::spawn_blocking(move || {
        let (port, origin) = install_ini::discover_port(dir.as_deref());
        DetectedPort {
            port,
            origin,
            install_dir: dir
                .unwrap_or_else(|| PathBuf::from(install_ini::DEFAULT_INSTALL_DIR))
                .display()
                .to_string(),
        }
    })
    .await
    .map_err(CommandError::internal)
}

/// One step of "Uji koneksi".
#[derive(Debug, Clone, Serialize)]
pub struct CheckStep {
    pub name: StepName,
    pub label: &'static str,
    pub ok: bool,
    pub code: Option<&'static str>,
    /// What was found and, on failure, what to do (Indonesian).
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub steps: Vec<CheckStep>,
}

impl From<doctor::Report> for CheckReport {
    fn from(r: doctor::Report) -> Self {
        CheckReport {
            ok: r.ok,
            steps: r
                .steps
                .into_iter()
                .map(|s| CheckStep {
                    name: s.name,
                    label: s.name.label(),
                    ok: s.ok,
                    code: s.code.map(|c| c.as_str()),
                    message: s.message,
                })
                .collect(),
        }
    }
}

/// "Uji koneksi": runs the connection doctor against a profile (its key read from the keychain) and
/// records the outcome for Beranda.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    id: i64,
) -> Result<CheckReport, CommandError> {
    let ready = state.ready()?;
    let profile = on_store(ready, move |s| {
        s.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))
    })
    .await?;
    let (url, npsn, key) = match profile.kind {
        ProfileKind::Webservice => {
            let key = secrets()
                .webservice_key(&profile.uid)
                .await
                .map_err(|e| keychain_error(&e))?
                .ok_or_else(|| {
                    CommandError::new(
                        "not_configured",
                        "Kunci Web Service profil ini belum disimpan. Isi kunci lalu simpan.",
                    )
                })?;
            (
                profile.base_url().unwrap_or_default(),
                profile.npsn.clone(),
                key,
            )
        }
        ProfileKind::Demo => {
            let demo = ready.demo.as_ref().ok_or_else(|| {
                CommandError::new("not_configured", "Mode Demo tidak berjalan pada sesi ini.")
            })?;
            (
                demo.base_url().to_string(),
                demo.npsn().to_string(),
                Secret::new(demo.key()),
            )
        }
        ProfileKind::SsoSds => {
            check_can_sync(&profile).await?;
            let token = crate::sso::access_token(&profile)
                .await
                .map_err(|e| CommandError::new("sso_sign_in_required", e.message()))?;
            (
                sds_target(&profile).unwrap_or_default(),
                profile.npsn.clone(),
                token,
            )
        }
    };
    let client = WebServiceClient::new(
        &url,
        &npsn,
        key.expose(),
        ready.worker.settings().client_config(),
    )?;
    drop(key);
    let report = CheckReport::from(doctor::diagnose(&client).await);
    let code = report
        .steps
        .iter()
        .find(|s| !s.ok)
        .and_then(|s| s.code)
        .map(String::from);
    let ok = report.ok;
    on_store(ready, move |s| {
        s.record_profile_check(id, ok, code.as_deref(), now_ms())
    })
    .await?;
    Ok(report)
}

/// The connection "Sinkronkan sekarang" uses now: the environment's real connection, else the active
/// profile, else the demo. The profile record is returned too when one is used.
pub async fn current_profile(
    ready: &Ready,
) -> Result<(Profile, Option<ConnectionProfile>), CommandError> {
    if ready.profile.mode == Mode::Real {
        return Ok((ready.profile.clone(), None));
    }
    let Some(active) = on_store(ready, |s| s.active_profile()).await? else {
        return Ok((ready.profile.clone(), None));
    };
    let profile = match active.kind {
        ProfileKind::Demo => ready.profile.clone(),
        ProfileKind::Webservice => Profile {
            mode: Mode::Real,
            source: SourceKind::Webservice,
            target: active.base_url().unwrap_or_default(),
            npsn: active.npsn.clone(),
        },
        ProfileKind::SsoSds => Profile {
            mode: Mode::Real,
            source: SourceKind::Webservice,
            target: sds_target(&active).unwrap_or_default(),
            npsn: active.npsn.clone(),
        },
    };
    Ok((profile, Some(active)))
}

/// The batch target of an SSO SDS profile: its data endpoint without a trailing slash.
pub fn sds_target(profile: &ConnectionProfile) -> Option<String> {
    let endpoint = profile.sso_data_endpoint.trim().trim_end_matches('/');
    url::Url::parse(endpoint).ok().map(|_| endpoint.to_string())
}

/// Checks that the active profile can sync before a batch is queued: a saved key for a Web Service
/// profile, and a signed-in operator of this school when SSO SDS is configured.
pub async fn check_can_sync(active: &ConnectionProfile) -> Result<(), CommandError> {
    if active.kind == ProfileKind::SsoSds && sds_target(active).is_none() {
        return Err(CommandError::new(
            "not_configured",
            "Profil SSO SDS ini belum memiliki endpoint data SDS. Isi endpoint dari registrasi aplikasi \
             di Pengaturan.",
        ));
    }
    if active.sso_configured() {
        crate::sso::require_authorized(active).await?;
    }
    if active.kind == ProfileKind::Webservice
        && !secrets()
            .has_webservice_key(&active.uid)
            .await
            .map_err(|e| keychain_error(&e))?
    {
        return Err(CommandError::new(
            "not_configured",
            format!(
                "Kunci Web Service profil \"{}\" belum disimpan. Buka Pengaturan, isi kunci, lalu simpan.",
                active.name
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::ProfileKeys;
    use dapodik_webservice::ErrorCode;
    use sync_core::NewBatch;

    #[test]
    fn a_batch_without_a_matching_profile_is_not_configured_before_any_keychain_call() {
        let dir = tempfile::tempdir().unwrap();
        let store = sync_core::Store::open(&dir.path().join("k.sqlite3")).unwrap();
        store
            .create_profile(
                &ProfileInput {
                    name: "A".into(),
                    kind: Some(ProfileKind::Webservice),
                    host: "10.0.0.5".into(),
                    port: Some(5774),
                    npsn: "20212345".into(),
                    ..Default::default()
                },
                1,
            )
            .unwrap();
        let keys = ProfileKeys {
            store: store.clone(),
            // Never reached: no profile matches, so no keychain is needed for this test.
            secrets: SecretStore::with_service("id.dapodiksync.test-unit"),
        };
        for (target, npsn) in [
            ("http://10.0.0.6:5774", "20212345"),
            ("http://10.0.0.5:5774", "20299999"),
        ] {
            let batch = store
                .enqueue(
                    &NewBatch {
                        source: SourceKind::Webservice,
                        target: target.into(),
                        npsn: npsn.into(),
                        max_attempts: 1,
                    },
                    1,
                )
                .unwrap();
            let err = keys.key_for(&batch).unwrap_err();
            assert_eq!(err.code, ErrorCode::NotConfigured, "{target} {npsn}");
        }
    }

    #[test]
    fn keychain_errors_cross_with_their_indonesian_message() {
        let e = keychain_error(&KeychainError::Unavailable {
            detail: "no session bus".into(),
        });
        assert_eq!(e.code, "keychain_unavailable");
        assert!(e
            .message
            .contains("tidak pernah menyimpan rahasia ke berkas"));
        assert!(
            !e.message.contains("session bus"),
            "the detail stays in the log"
        );
    }
}
