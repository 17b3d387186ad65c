//! Where the refresh token lives between runs: a [`RefreshTokenStore`] the caller supplies. The app
//! uses [`KeychainRefreshTokens`] (the OS keychain, per profile); tests use [`MemoryRefreshTokens`].
//!
//! The trait is blocking on purpose (keychain backends block on D-Bus); the SSO client always calls it
//! through `tokio::task::spawn_blocking`.

use std::sync::Mutex;

use keychain::{KeychainError, Secret, SecretStore, MAX_SECRET_BYTES};

/// Persists the current refresh token of one profile. Every rotation is written at once.
pub trait RefreshTokenStore: Send + Sync + 'static {
    /// The stored refresh token, if any.
    fn load(&self) -> Result<Option<Secret>, KeychainError>;
    /// Stores `token`, replacing the previous one.
    fn save(&self, token: &Secret) -> Result<(), KeychainError>;
    /// Forgets the stored token (no error when there is none).
    fn delete(&self) -> Result<(), KeychainError>;
}

/// The refresh token of one profile in the OS keychain (account `sso-refresh:<profile>`).
#[derive(Debug, Clone)]
pub struct KeychainRefreshTokens {
    store: SecretStore,
    profile: String,
}

impl KeychainRefreshTokens {
    /// The token of `profile` in `store` (normally `SecretStore::new()`).
    pub fn new(store: SecretStore, profile: impl Into<String>) -> Self {
        KeychainRefreshTokens {
            store,
            profile: profile.into(),
        }
    }
}

impl RefreshTokenStore for KeychainRefreshTokens {
    fn load(&self) -> Result<Option<Secret>, KeychainError> {
        self.store.refresh_token(&self.profile)
    }

    fn save(&self, token: &Secret) -> Result<(), KeychainError> {
        self.store.save_refresh_token(&self.profile, token)
    }

    fn delete(&self) -> Result<(), KeychainError> {
        self.store.delete_refresh_token(&self.profile).map(|_| ())
    }
}

/// A refresh token held in memory only (tests; a session that must not outlive the process). It
/// applies the same size limit as the keychain.
#[derive(Debug, Default)]
pub struct MemoryRefreshTokens {
    token: Mutex<Option<Secret>>,
    saves: Mutex<usize>,
}

impl MemoryRefreshTokens {
    /// An empty store.
    pub fn new() -> Self {
        MemoryRefreshTokens::default()
    }

    /// How many times a token was saved (tests check that every rotation is persisted).
    pub fn save_count(&self) -> usize {
        *self.saves.lock().unwrap()
    }
}

impl RefreshTokenStore for MemoryRefreshTokens {
    fn load(&self) -> Result<Option<Secret>, KeychainError> {
        Ok(self.token.lock().unwrap().clone())
    }

    fn save(&self, token: &Secret) -> Result<(), KeychainError> {
        if token.len() > MAX_SECRET_BYTES {
            return Err(KeychainError::TooLarge {
                bytes: token.len(),
                limit: MAX_SECRET_BYTES,
            });
        }
        *self.token.lock().unwrap() = Some(token.clone());
        *self.saves.lock().unwrap() += 1;
        Ok(())
    }

    fn delete(&self) -> Result<(), KeychainError> {
        *self.token.lock().unwrap() = None;
        Ok(())
    }
}
