//! The SSO SDS registration of one connection profile: issuer, client id, scopes, redirect ports,
//! the SDS data endpoint and the roles allowed to use the profile. Nothing about the real SSO SDS is
//! built in: every value comes from the application's official registration (see the crate README).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::SsoError;

/// The roles accepted by [`crate::authorize_profile`] when a profile names none.
pub const DEFAULT_OPERATOR_ROLES: &[&str] = &["operator"];

/// How one profile signs in with SSO SDS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SsoConfig {
    /// The issuer URL, exactly as the provider's discovery document states it (no trailing slash
    /// unless the provider has one): endpoints are read from `<issuer>/.well-known/openid-configuration`
    /// and that document's `issuer` must equal this value character for character.
    pub issuer: String,
    /// The client id of the registration (a native, public client: no secret).
    pub client_id: String,
    /// Scopes to request besides `openid` (always sent), e.g. `["profile", "offline_access"]` plus the
    /// provider's scope for `npsn`/`peran`/`ptk_id`. With `offline_access`, `prompt=consent` is sent
    /// too (OpenID Connect Core §11).
    pub scopes: Vec<String>,
    /// Loopback ports the registration allows. Empty: a random free port (RFC 8252 §7.3, for
    /// providers that accept any port on 127.0.0.1). Otherwise the first free port of this list is used,
    /// for providers that only accept registered ports.
    pub redirect_ports: Vec<u16>,
    /// The path of the redirect URI on the loopback listener, default `/callback`.
    pub redirect_path: String,
    /// The SDS data endpoint that accepts the access token (for the worker's SDS source), if any.
    pub data_endpoint: Option<Url>,
    /// Roles (`peran`/`role` claim) allowed to use this profile; compared case-insensitively.
    /// Empty means [`DEFAULT_OPERATOR_ROLES`].
    pub operator_roles: Vec<String>,
}

impl Default for SsoConfig {
    fn default() -> Self {
        SsoConfig {
            issuer: String::new(),
            client_id: String::new(),
            scopes: Vec::new(),
            redirect_ports: Vec::new(),
            redirect_path: "/callback".to_string(),
            data_endpoint: None,
            operator_roles: Vec::new(),
        }
    }
}

impl SsoConfig {
    /// A configuration with the given issuer and client id and defaults for the rest.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        SsoConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            ..SsoConfig::default()
        }
    }

    /// Checks the configuration before anything is sent: the issuer is an absolute http(s) URL
    /// (https, except on a loopback address), the client id and redirect path are set.
    pub fn validate(&self) -> Result<(), SsoError> {
        let bad = |why: &str| Err(SsoError::Config(why.to_string()));
        let issuer = match Url::parse(&self.issuer) {
            Ok(u) => u,
            Err(_) => return bad("URL issuer SSO tidak sah."),
        };
        let loopback = matches!(
            issuer.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        );
        if issuer.scheme() != "https" && !(issuer.scheme() == "http" && loopback) {
            return bad("URL issuer SSO harus memakai https.");
        }
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return bad("URL issuer SSO tidak boleh memuat query atau fragment.");
        }
        if self.client_id.trim().is_empty() {
            return bad("Client ID SSO belum diisi.");
        }
        if !self.redirect_path.starts_with('/') || self.redirect_path.contains(['?', '#', ' ']) {
            return bad("Path redirect SSO harus diawali '/' tanpa query.");
        }
        if self.redirect_ports.contains(&0) {
            return bad("Port redirect SSO tidak boleh 0.");
        }
        Ok(())
    }

    /// The roles allowed to use the profile ([`DEFAULT_OPERATOR_ROLES`] when none are configured).
    pub fn allowed_roles(&self) -> Vec<String> {
        if self.operator_roles.is_empty() {
            DEFAULT_OPERATOR_ROLES
                .iter()
                .map(|r| r.to_string())
                .collect()
        } else {
            self.operator_roles.clone()
        }
    }

    /// Whether the scopes ask for a refresh token.
    pub fn wants_offline_access(&self) -> bool {
        self.scopes.iter().any(|s| s == "offline_access")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let ok = SsoConfig::new("https://sso.example.id/realms/sds", "app");
        assert!(ok.validate().is_ok());
        assert!(SsoConfig::new("http://127.0.0.1:8080", "app")
            .validate()
            .is_ok());
        for (issuer, client) in [
            ("http://sso.example.id", "app"),
            ("not a url", "app"),
            ("https://sso.example.id?x=1", "app"),
            ("https://sso.example.id", " "),
        ] {
            assert!(
                matches!(
                    SsoConfig::new(issuer, client).validate(),
                    Err(SsoError::Config(_))
                ),
                "{issuer} {client}"
            );
        }
        let mut c = ok.clone();
        c.redirect_path = "callback".into();
        assert!(c.validate().is_err());
        let mut c = ok;
        c.redirect_ports = vec![0];
        assert!(c.validate().is_err());
    }

    #[test]
    fn defaults_from_partial_json() {
        let c: SsoConfig =
            serde_json::from_str(r#"{"issuer":"https://sso.example.id","client_id":"x"}"#).unwrap();
        assert_eq!(c.redirect_path, "/callback");
        assert!(c.redirect_ports.is_empty());
        assert_eq!(c.allowed_roles(), vec!["operator".to_string()]);
    }
}
