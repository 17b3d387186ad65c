//! Sign-in with SSO SDS (OpenID Connect). Work in progress.
