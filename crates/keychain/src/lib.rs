//! Secrets of Dapodik Sync in the operating system's keychain, and nowhere else.
//!
//! Two secrets are kept per connection profile:
//! - the Dapodik **Web Service key** (account `webservice-key:<profile>`), written from the UI and read
//!   back only by the sync worker — the UI asks [`SecretStore::has_webservice_key`], never for the key;
//! - the **SSO SDS refresh token** (account `sso-refresh:<profile>`); access and ID tokens are never
//!   stored, they live in memory only.
//!
//! The backends come from the [`keyring`] crate: Windows Credential Manager, the Secret Service on Linux
//! (gnome-keyring, KWallet) over D-Bus, and the macOS Keychain. When there is no keychain (a bare Linux
//! session without a Secret Service on its D-Bus) every call fails with [`KeychainError::Unavailable`],
//! whose [`KeychainError::message`] tells the operator, in Bahasa Indonesia, how to fix it. There is no
//! fallback to a file, an environment variable or the database: without a keychain nothing is stored.
//!
//! Every secret is at most [`MAX_SECRET_BYTES`] bytes (UTF-8), the limit of a Windows credential blob,
//! and is checked on every platform so that a profile that works on Linux also works on Windows.
//!
//! Secrets travel in [`Secret`], whose `Debug` and `Display` print `[redacted]` and whose memory is
//! zeroed on drop. [`SecretStore`] is blocking (some backends block on D-Bus or panic inside a tokio
//! runtime); async code uses [`AsyncSecretStore`], which runs every call on `spawn_blocking`.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

/// The keychain service name every entry of Dapodik Sync is filed under.
pub const SERVICE: &str = "id.dapodiksync";

/// The largest secret accepted, in bytes of UTF-8: a Windows credential blob holds at most 2,560 bytes
/// (`CRED_MAX_CREDENTIAL_BLOB_SIZE`).
pub const MAX_SECRET_BYTES: usize = 2560;

/// The largest profile name accepted, in bytes (the account name holds a prefix plus the profile).
pub const MAX_PROFILE_BYTES: usize = 200;

/// A secret value (a Web Service key, a refresh token). `Debug` and `Display` never show it; the
/// memory holding it is zeroed when it is dropped. Read it with [`Secret::expose`] exactly where it is
/// sent (an HTTP header, a token request), nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself. Never log, format or persist the result outside the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its length in bytes of UTF-8 (what the size limit counts).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What can go wrong with the keychain. `Display` is the Indonesian text for the operator (the same as
/// [`KeychainError::message`]); no variant ever carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain can be reached: on Linux no Secret Service answers on the session D-Bus (or there is
    /// no session bus at all). `detail` is the backend's own error text, for the log.
    #[error("{}", self.message())]
    Unavailable { detail: String },
    /// The keychain is there but refused access: locked, or the unlock prompt was dismissed.
    #[error("{}", self.message())]
    Locked { detail: String },
    /// The secret is larger than [`MAX_SECRET_BYTES`].
    #[error("{}", self.message())]
    TooLarge { bytes: usize, limit: usize },
    /// An empty secret was given.
    #[error("{}", self.message())]
    EmptySecret,
    /// The profile name is empty, too long, or has control characters.
    #[error("{}", self.message())]
    InvalidProfile,
    /// The stored value is not UTF-8 text (written by something else).
    #[error("{}", self.message())]
    NotText,
    /// Any other backend failure.
    #[error("{}", self.message())]
    Backend { detail: String },
}

impl KeychainError {
    /// The operator-facing explanation, in Bahasa Indonesia, with what to do about it.
    pub fn message(&self) -> String {
        match self {
            KeychainError::Unavailable { .. } => {
                "Penyimpanan kunci sistem (keychain) tidak tersedia, \
                sehingga kunci Web Service dan token SSO tidak dapat disimpan dengan aman. \
                Di Windows, pastikan layanan Credential Manager berjalan. \
                Di Linux, jalankan aplikasi dari sesi desktop (GNOME, KDE, XFCE) yang menyediakan \
                Secret Service, atau pasang dan jalankan gnome-keyring \
                (misalnya: sudo apt install gnome-keyring, lalu masuk ulang ke sesi desktop). \
                Dapodik Sync tidak pernah menyimpan rahasia ke berkas biasa."
                    .to_string()
            }
            KeychainError::Locked { .. } => "Penyimpanan kunci sistem (keychain) terkunci atau \
                aksesnya ditolak. Buka kunci keychain (misalnya dengan masuk ke sesi desktop atau \
                lewat aplikasi Kata Sandi dan Kunci), lalu coba lagi."
                .to_string(),
            KeychainError::TooLarge { bytes, limit } => format!(
                "Rahasia terlalu besar untuk disimpan di keychain: {bytes} bajt, \
                 batasnya {limit} bajt."
            ),
            KeychainError::EmptySecret => "Rahasia tidak boleh kosong.".to_string(),
            KeychainError::InvalidProfile => "Nama profil koneksi tidak sah: tidak boleh kosong, \
                paling panjang 200 bajt, dan tanpa karakter kontrol."
                .to_string(),
            KeychainError::NotText => "Isi keychain untuk profil ini bukan teks yang sah; \
                hapus lalu simpan ulang rahasianya."
                .to_string(),
            KeychainError::Backend { .. } => {
                "Keychain sistem gagal menjalankan permintaan. Coba lagi; bila tetap gagal, \
                 periksa log aplikasi."
                    .to_string()
            }
        }
    }

    /// The backend's technical detail, for the log (never a secret).
    pub fn detail(&self) -> Option<&str> {
        match self {
            KeychainError::Unavailable { detail }
            | KeychainError::Locked { detail }
            | KeychainError::Backend { detail } => Some(detail),
            _ => None,
        }
    }

    fn from_keyring(err: keyring::Error) -> Self {
        match err {
            // On Linux every D-Bus failure (no session bus, no Secret Service owning its name) comes
            // back as a platform failure; Windows and macOS report a missing store the same way.
            keyring::Error::PlatformFailure(e) => KeychainError::Unavailable {
                detail: e.to_string(),
            },
            keyring::Error::NoStorageAccess(e) => KeychainError::Locked {
                detail: e.to_string(),
            },
            keyring::Error::TooLong(attr, limit) => KeychainError::TooLarge {
                bytes: 0,
                limit: if attr == "secret" {
                    limit as usize
                } else {
                    MAX_SECRET_BYTES
                },
            },
            keyring::Error::BadEncoding(_) => KeychainError::NotText,
            // NoEntry is handled by the callers; the rest (Invalid, Ambiguous, future variants).
            other => KeychainError::Backend {
                detail: other.to_string(),
            },
        }
    }
}

/// Which secret of a profile an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The Dapodik Web Service key.
    WebServiceKey,
    /// The SSO SDS refresh token.
    SsoRefreshToken,
}

impl SecretKind {
    /// The account-name prefix in the keychain.
    pub fn prefix(self) -> &'static str {
        match self {
            SecretKind::WebServiceKey => "webservice-key",
            SecretKind::SsoRefreshToken => "sso-refresh",
        }
    }

    /// The keychain account for `profile`: `<prefix>:<profile>`.
    pub fn account(self, profile: &str) -> String {
        format!("{}:{}", self.prefix(), profile)
    }
}

/// The blocking keychain store. Cheap to clone. In async code use [`AsyncSecretStore`].
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: String,
}

impl Default for SecretStore {
    fn default() -> Self {
        SecretStore::new()
    }
}

impl SecretStore {
    /// The store of the application, under [`SERVICE`].
    pub fn new() -> Self {
        SecretStore::with_service(SERVICE)
    }

    /// A store under another service name (tests use their own, so that they never touch real entries).
    pub fn with_service(service: impl Into<String>) -> Self {
        SecretStore {
            service: service.into(),
        }
    }

    /// The service name entries are filed under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Checks that a keychain answers, without storing anything: `Ok(())`, or
    /// [`KeychainError::Unavailable`] / [`KeychainError::Locked`] with their messages. Meant for a
    /// start-up check, so the operator learns about a missing keychain before typing a key.
    pub fn check_available(&self) -> Result<(), KeychainError> {
        self.get(SecretKind::WebServiceKey, "__probe__").map(|_| ())
    }

    /// Saves (or replaces) the Web Service key of `profile`.
    pub fn save_webservice_key(&self, profile: &str, key: &Secret) -> Result<(), KeychainError> {
        self.set(SecretKind::WebServiceKey, profile, key)
    }

    /// Whether a Web Service key is saved for `profile` — all the UI ever learns about the key.
    pub fn has_webservice_key(&self, profile: &str) -> Result<bool, KeychainError> {
        Ok(self.get(SecretKind::WebServiceKey, profile)?.is_some())
    }

    /// The Web Service key of `profile`, for the sync worker only; `None` when none is saved.
    pub fn webservice_key(&self, profile: &str) -> Result<Option<Secret>, KeychainError> {
        self.get(SecretKind::WebServiceKey, profile)
    }

    /// Deletes the Web Service key of `profile`; `Ok(false)` when there was none.
    pub fn delete_webservice_key(&self, profile: &str) -> Result<bool, KeychainError> {
        self.delete(SecretKind::WebServiceKey, profile)
    }

    /// Saves (or replaces) the SSO refresh token of `profile`; refuses one larger than
    /// [`MAX_SECRET_BYTES`] with [`KeychainError::TooLarge`].
    pub fn save_refresh_token(&self, profile: &str, token: &Secret) -> Result<(), KeychainError> {
        self.set(SecretKind::SsoRefreshToken, profile, token)
    }

    /// The SSO refresh token of `profile`; `None` when none is saved.
    pub fn refresh_token(&self, profile: &str) -> Result<Option<Secret>, KeychainError> {
        self.get(SecretKind::SsoRefreshToken, profile)
    }

    /// Deletes the SSO refresh token of `profile`; `Ok(false)` when there was none.
    pub fn delete_refresh_token(&self, profile: &str) -> Result<bool, KeychainError> {
        self.delete(SecretKind::SsoRefreshToken, profile)
    }

    /// Stores `secret` under `kind` for `profile`, replacing what was there.
    pub fn set(
        &self,
        kind: SecretKind,
        profile: &str,
        secret: &Secret,
    ) -> Result<(), KeychainError> {
        check_secret(secret)?;
        let entry = self.entry(kind, profile)?;
        entry
            .set_secret(secret.expose().as_bytes())
            .map_err(|e| match KeychainError::from_keyring(e) {
                KeychainError::TooLarge { limit, .. } => KeychainError::TooLarge {
                    bytes: secret.len(),
                    limit,
                },
                other => other,
            })
    }

    /// Reads the secret under `kind` for `profile`.
    pub fn get(&self, kind: SecretKind, profile: &str) -> Result<Option<Secret>, KeychainError> {
        let entry = self.entry(kind, profile)?;
        match entry.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let text = std::str::from_utf8(&bytes).map_err(|_| KeychainError::NotText)?;
                Ok(Some(Secret::new(text)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    /// Deletes the secret under `kind` for `profile`; `Ok(false)` when there was none.
    pub fn delete(&self, kind: SecretKind, profile: &str) -> Result<bool, KeychainError> {
        let entry = self.entry(kind, profile)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    fn entry(&self, kind: SecretKind, profile: &str) -> Result<keyring::Entry, KeychainError> {
        check_profile(profile)?;
        keyring::Entry::new(&self.service, &kind.account(profile))
            .map_err(KeychainError::from_keyring)
    }
}

fn check_profile(profile: &str) -> Result<(), KeychainError> {
    if profile.trim().is_empty()
        || profile.len() > MAX_PROFILE_BYTES
        || profile.chars().any(char::is_control)
    {
        return Err(KeychainError::InvalidProfile);
    }
    Ok(())
}

fn check_secret(secret: &Secret) -> Result<(), KeychainError> {
    if secret.is_empty() {
        return Err(KeychainError::EmptySecret);
    }
    if secret.len() > MAX_SECRET_BYTES {
        return Err(KeychainError::TooLarge {
            bytes: secret.len(),
            limit: MAX_SECRET_BYTES,
        });
    }
    Ok(())
}

/// The async face of [`SecretStore`]: every call runs on tokio's blocking pool
/// (`spawn_blocking`), never on a runtime thread. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct AsyncSecretStore {
    inner: Arc<SecretStore>,
}

impl From<SecretStore> for AsyncSecretStore {
    fn from(store: SecretStore) -> Self {
        AsyncSecretStore {
            inner: Arc::new(store),
        }
    }
}

impl AsyncSecretStore {
    /// The store of the application, under [`SERVICE`].
    pub fn new() -> Self {
        SecretStore::new().into()
    }

    /// The blocking store underneath.
    pub fn blocking(&self) -> &SecretStore {
        &self.inner
    }

    async fn run<T, F>(&self, call: F) -> Result<T, KeychainError>
    where
        T: Send + 'static,
        F: FnOnce(&SecretStore) -> Result<T, KeychainError> + Send + 'static,
    {
        let store = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || call(&store))
            .await
            .map_err(|e| KeychainError::Backend {
                detail: format!("keychain task failed: {e}"),
            })?
    }

    /// See [`SecretStore::check_available`].
    pub async fn check_available(&self) -> Result<(), KeychainError> {
        self.run(|s| s.check_available()).await
    }

    /// See [`SecretStore::save_webservice_key`].
    pub async fn save_webservice_key(
        &self,
        profile: &str,
        key: Secret,
    ) -> Result<(), KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.save_webservice_key(&profile, &key))
            .await
    }

    /// See [`SecretStore::has_webservice_key`].
    pub async fn has_webservice_key(&self, profile: &str) -> Result<bool, KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.has_webservice_key(&profile)).await
    }

    /// See [`SecretStore::webservice_key`].
    pub async fn webservice_key(&self, profile: &str) -> Result<Option<Secret>, KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.webservice_key(&profile)).await
    }

    /// See [`SecretStore::delete_webservice_key`].
    pub async fn delete_webservice_key(&self, profile: &str) -> Result<bool, KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.delete_webservice_key(&profile)).await
    }

    /// See [`SecretStore::save_refresh_token`].
    pub async fn save_refresh_token(
        &self,
        profile: &str,
        token: Secret,
    ) -> Result<(), KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.save_refresh_token(&profile, &token))
            .await
    }

    /// See [`SecretStore::refresh_token`].
    pub async fn refresh_token(&self, profile: &str) -> Result<Option<Secret>, KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.refresh_token(&profile)).await
    }

    /// See [`SecretStore::delete_refresh_token`].
    pub async fn delete_refresh_token(&self, profile: &str) -> Result<bool, KeychainError> {
        let profile = profile.to_string();
        self.run(move |s| s.delete_refresh_token(&profile)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("kunci-rahasia-123");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert!(!format!("{:?}", Some(&s)).contains("rahasia"));
        assert_eq!(s.expose(), "kunci-rahasia-123");
    }

    #[test]
    fn accounts_per_profile() {
        assert_eq!(
            SecretKind::WebServiceKey.account("sekolah-a"),
            "webservice-key:sekolah-a"
        );
        assert_eq!(
            SecretKind::SsoRefreshToken.account("sekolah-a"),
            "sso-refresh:sekolah-a"
        );
    }

    // Checks run before any backend is touched, so these need no keychain.
    #[test]
    fn oversized_secret_refused_before_the_backend() {
        let store = SecretStore::with_service("id.dapodiksync.test-unit");
        let big = Secret::new("x".repeat(MAX_SECRET_BYTES + 1));
        let err = store.save_refresh_token("p", &big).unwrap_err();
        assert!(matches!(
            err,
            KeychainError::TooLarge {
                bytes: 2561,
                limit: 2560
            }
        ));
        assert!(err.message().contains("2561"), "{}", err.message());
    }

    #[test]
    fn empty_secret_and_bad_profile_refused() {
        let store = SecretStore::with_service("id.dapodiksync.test-unit");
        assert!(matches!(
            store.save_webservice_key("p", &Secret::new("")),
            Err(KeychainError::EmptySecret)
        ));
        for bad in ["", "  ", "a\nb", &"p".repeat(MAX_PROFILE_BYTES + 1)] {
            assert!(
                matches!(
                    store.has_webservice_key(bad),
                    Err(KeychainError::InvalidProfile)
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unavailable_message_says_how_to_fix() {
        let msg = KeychainError::Unavailable { detail: "x".into() }.message();
        assert!(msg.contains("gnome-keyring"));
        assert!(msg.contains("sesi desktop"));
        assert!(msg.contains("tidak pernah menyimpan rahasia ke berkas"));
    }
}
