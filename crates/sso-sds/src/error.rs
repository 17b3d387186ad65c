//! Errors of the SSO SDS sign-in. `Display` is the Indonesian text for the operator (the same as
//! [`SsoError::message`]); `detail()` is the technical cause for the log. No variant carries a token,
//! an authorization code or a secret.

use keychain::KeychainError;

/// What can go wrong signing in, refreshing or signing out.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The profile's SSO configuration is incomplete or invalid.
    #[error("{}", self.message())]
    Config(String),
    /// The discovery document could not be fetched or is not valid for the configured issuer
    /// (including an issuer that does not match exactly).
    #[error("{}", self.message())]
    Discovery(String),
    /// The loopback listener could not be set up.
    #[error("{}", self.message())]
    Loopback(String),
    /// None of the fixed redirect ports is free.
    #[error("{}", self.message())]
    NoFreePort { ports: Vec<u16> },
    /// The system browser could not be opened (the caller's `open_url` failed).
    #[error("{}", self.message())]
    Browser(String),
    /// No authorization response arrived in time.
    #[error("{}", self.message())]
    Timeout,
    /// The `state` of the authorization response is not the one sent: refused before redeeming.
    #[error("{}", self.message())]
    StateMismatch,
    /// The authorization response names another issuer (`iss`, RFC 9207): refused before redeeming.
    #[error("{}", self.message())]
    IssuerMismatch,
    /// The provider answered the authorization request with an error (the operator cancelled, ...).
    #[error("{}", self.message())]
    Authorization { error: String },
    /// The authorization response has no code.
    #[error("{}", self.message())]
    CallbackInvalid,
    /// The token endpoint refused or failed.
    #[error("{}", self.message())]
    Token(String),
    /// The ID token is missing or fails verification (signature, issuer, audience, nonce, expiry).
    #[error("{}", self.message())]
    IdToken(String),
    /// The userinfo endpoint failed.
    #[error("{}", self.message())]
    UserInfo(String),
    /// The operator must sign in again: no stored refresh token, or the provider answered
    /// `invalid_grant` (expired, revoked, or already rotated).
    #[error("{}", self.message())]
    SignInRequired,
    /// The keychain failed (see its own message).
    #[error("{}", self.message())]
    Keychain(#[from] KeychainError),
    /// Network failure talking to the provider.
    #[error("{}", self.message())]
    Network(String),
}

impl SsoError {
    /// The explanation for the operator, in Bahasa Indonesia.
    pub fn message(&self) -> String {
        match self {
            SsoError::Config(why) => format!("Konfigurasi SSO SDS profil ini belum benar: {why}"),
            SsoError::Discovery(_) => "Alamat SSO SDS tidak dapat dihubungi atau konfigurasinya \
                tidak cocok dengan issuer yang diatur. Periksa URL issuer pada profil."
                .to_string(),
            SsoError::Loopback(_) => "Aplikasi tidak dapat membuka penerima jawaban SSO di \
                komputer ini (127.0.0.1)."
                .to_string(),
            SsoError::NoFreePort { ports } => format!(
                "Semua port redirect SSO yang terdaftar sedang dipakai program lain: {}. \
                 Tutup program tersebut lalu coba lagi.",
                ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SsoError::Browser(_) => {
                "Peramban (browser) sistem tidak dapat dibuka untuk masuk SSO SDS.".to_string()
            }
            SsoError::Timeout => "Proses masuk SSO SDS tidak selesai dalam batas waktu. \
                Silakan coba lagi."
                .to_string(),
            SsoError::StateMismatch | SsoError::IssuerMismatch => {
                "Jawaban masuk SSO SDS tidak sah (tidak cocok dengan permintaan aplikasi) dan \
                 ditolak. Silakan coba masuk lagi."
                    .to_string()
            }
            SsoError::Authorization { error } if error == "access_denied" => {
                "Proses masuk SSO SDS dibatalkan atau ditolak.".to_string()
            }
            SsoError::Authorization { error } => {
                format!("SSO SDS menolak permintaan masuk ({error}).")
            }
            SsoError::CallbackInvalid => {
                "Jawaban masuk SSO SDS tidak lengkap. Silakan coba masuk lagi.".to_string()
            }
            SsoError::Token(_) => {
                "SSO SDS menolak penukaran kode masuk. Silakan coba lagi.".to_string()
            }
            SsoError::IdToken(_) => "Token identitas dari SSO SDS tidak lolos pemeriksaan \
                (tanda tangan, penerbit, penerima, nonce, atau masa berlaku)."
                .to_string(),
            SsoError::UserInfo(_) => "Data akun dari SSO SDS tidak dapat dibaca.".to_string(),
            SsoError::SignInRequired => {
                "Sesi SSO SDS sudah berakhir. Silakan masuk lagi dengan SSO SDS.".to_string()
            }
            SsoError::Keychain(e) => e.message(),
            SsoError::Network(_) => {
                "Tidak dapat terhubung ke SSO SDS. Periksa koneksi internet.".to_string()
            }
        }
    }

    /// The technical cause, for the log (never a token).
    pub fn detail(&self) -> Option<String> {
        match self {
            SsoError::Config(d)
            | SsoError::Discovery(d)
            | SsoError::Loopback(d)
            | SsoError::Browser(d)
            | SsoError::Token(d)
            | SsoError::IdToken(d)
            | SsoError::UserInfo(d)
            | SsoError::Network(d) => Some(d.clone()),
            SsoError::Authorization { error } => Some(error.clone()),
            SsoError::Keychain(e) => e.detail().map(String::from),
            _ => None,
        }
    }
}
