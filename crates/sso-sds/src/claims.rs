//! Who signed in: the operator's claims (`npsn`, role as `peran` or `role`, `ptk_id`, name), read from
//! the verified ID token and from userinfo, wherever the provider puts them — and the access check
//! that binds a profile to one school ([`authorize_profile`]).

use std::fmt;

use openidconnect::AdditionalClaims;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The SSO SDS claims beyond the standard ones. Values are kept loose (a string, a number, a list),
/// because providers differ; [`Operator`] normalises them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SdsClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npsn: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peran: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptk_id: Option<Value>,
}

impl AdditionalClaims for SdsClaims {}

/// The signed-in operator. `Debug` masks the name and `ptk_id` (personal data stays out of logs);
/// `Serialize` gives the UI what it shows in the header.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The provider's subject identifier (`sub`).
    pub subject: String,
    /// The display name (`name`, else `preferred_username`).
    pub name: Option<String>,
    /// The school's NPSN.
    pub npsn: Option<String>,
    /// Roles from `peran`, `role` or `roles` (a string or a list), in that order, without duplicates.
    pub roles: Vec<String>,
    /// The PTK id of the operator, if the provider gives it.
    pub ptk_id: Option<String>,
}

impl fmt::Debug for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operator")
            .field("subject", &self.subject)
            .field("name", &self.name.as_ref().map(|_| "[masked]"))
            .field("npsn", &self.npsn)
            .field("roles", &self.roles)
            .field("ptk_id", &self.ptk_id.as_ref().map(|_| "[masked]"))
            .finish()
    }
}

impl Operator {
    /// Builds the operator from one source of claims.
    pub(crate) fn from_claims(subject: String, name: Option<String>, extra: &SdsClaims) -> Self {
        let mut roles = Vec::new();
        for value in [&extra.peran, &extra.role, &extra.roles]
            .into_iter()
            .flatten()
        {
            for role in strings(value) {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
        Operator {
            subject,
            name: name.filter(|n| !n.trim().is_empty()),
            npsn: extra.npsn.as_ref().and_then(scalar),
            roles,
            ptk_id: extra.ptk_id.as_ref().and_then(scalar),
        }
    }

    /// Fills what this operator lacks from `other` (the userinfo claims of the same subject).
    pub(crate) fn fill_from(&mut self, other: Operator) {
        if self.name.is_none() {
            self.name = other.name;
        }
        if self.npsn.is_none() {
            self.npsn = other.npsn;
        }
        if self.ptk_id.is_none() {
            self.ptk_id = other.ptk_id;
        }
        for role in other.roles {
            if !self.roles.contains(&role) {
                self.roles.push(role);
            }
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// Why an operator may not use a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenialReason {
    /// The sign-in carried no NPSN at all.
    NpsnMissing,
    /// The signed-in NPSN is another school's.
    NpsnMismatch,
    /// None of the operator's roles is an operator role of the profile.
    RoleNotOperator,
}

impl DenialReason {
    /// A stable id for the audit log: `npsn_missing`, `npsn_mismatch`, `role_not_operator`.
    pub fn id(self) -> &'static str {
        match self {
            DenialReason::NpsnMissing => "npsn_missing",
            DenialReason::NpsnMismatch => "npsn_mismatch",
            DenialReason::RoleNotOperator => "role_not_operator",
        }
    }
}

/// The refusal of [`authorize_profile`]: a stable `reason_id` for the audit log and an Indonesian
/// `message()` for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct AccessDenied {
    /// Why.
    pub reason_id: DenialReason,
    /// The NPSN the profile is bound to.
    pub profile_npsn: String,
    /// The NPSN of the signed-in operator, if any.
    pub operator_npsn: Option<String>,
}

impl AccessDenied {
    /// The explanation for the operator, in Bahasa Indonesia.
    pub fn message(&self) -> String {
        match self.reason_id {
            DenialReason::NpsnMissing => format!(
                "Akun SSO SDS Anda tidak memuat NPSN sekolah, sehingga tidak dapat memakai profil \
                 sekolah NPSN {}. Hubungi admin SSO SDS untuk melengkapi data akun.",
                self.profile_npsn
            ),
            DenialReason::NpsnMismatch => format!(
                "Akun SSO SDS Anda terdaftar untuk sekolah NPSN {}, bukan NPSN {} milik profil ini. \
                 Hanya operator sekolah ini yang dapat memakai profil ini.",
                self.operator_npsn.as_deref().unwrap_or("-"),
                self.profile_npsn
            ),
            DenialReason::RoleNotOperator => format!(
                "Peran akun SSO SDS Anda bukan operator sekolah, sehingga tidak dapat memakai \
                 profil sekolah NPSN {}. Masuk dengan akun operator sekolah.",
                self.profile_npsn
            ),
        }
    }
}

/// Whether `operator` may use the profile bound to `profile_npsn`: the NPSN must be the same (spaces
/// ignored) and one of the operator's roles must be in `allowed_roles` (case-insensitive). The
/// caller records a refusal in the audit log with its `reason_id`.
pub fn authorize_profile<S: AsRef<str>>(
    operator: &Operator,
    profile_npsn: &str,
    allowed_roles: &[S],
) -> Result<(), AccessDenied> {
    let deny = |reason_id| AccessDenied {
        reason_id,
        profile_npsn: profile_npsn.trim().to_string(),
        operator_npsn: operator.npsn.clone(),
    };
    let Some(npsn) = operator.npsn.as_deref().map(str::trim) else {
        return Err(deny(DenialReason::NpsnMissing));
    };
    if npsn.is_empty() {
        return Err(deny(DenialReason::NpsnMissing));
    }
    if npsn != profile_npsn.trim() {
        return Err(deny(DenialReason::NpsnMismatch));
    }
    let is_operator = operator.roles.iter().any(|role| {
        allowed_roles
            .iter()
            .any(|allowed| allowed.as_ref().trim().eq_ignore_ascii_case(role.trim()))
    });
    if !is_operator {
        return Err(deny(DenialReason::RoleNotOperator));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> SdsClaims {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn roles_from_peran_role_and_lists_numbers_as_npsn() {
        let op = Operator::from_claims(
            "s".into(),
            Some("Siti".into()),
            &claims(
                json!({"npsn": 20100001, "peran": "operator", "role": ["Operator", "operator"], "ptk_id": "p1"}),
            ),
        );
        assert_eq!(op.npsn.as_deref(), Some("20100001"));
        assert_eq!(op.roles, vec!["operator", "Operator"]);
        assert_eq!(op.ptk_id.as_deref(), Some("p1"));
        let dbg = format!("{op:?}");
        assert!(!dbg.contains("Siti") && !dbg.contains("p1"), "{dbg}");
    }

    #[test]
    fn fill_from_userinfo_keeps_id_token_values() {
        let mut a = Operator::from_claims("s".into(), None, &claims(json!({"npsn": "1"})));
        let b = Operator::from_claims(
            "s".into(),
            Some("Nama".into()),
            &claims(json!({"npsn": "2", "peran": "operator", "ptk_id": "p"})),
        );
        a.fill_from(b);
        assert_eq!(a.npsn.as_deref(), Some("1"));
        assert_eq!(a.name.as_deref(), Some("Nama"));
        assert_eq!(a.roles, vec!["operator"]);
    }

    #[test]
    fn authorize_profile_rules() {
        let op = |npsn: Option<&str>, role: &str| Operator {
            subject: "s".into(),
            name: None,
            npsn: npsn.map(String::from),
            roles: vec![role.into()],
            ptk_id: None,
        };
        let roles = ["operator", "Operator Sekolah"];
        assert!(authorize_profile(&op(Some("20100001"), "OPERATOR"), " 20100001", &roles).is_ok());
        assert!(authorize_profile(
            &op(Some("20100001"), "operator sekolah"),
            "20100001",
            &roles
        )
        .is_ok());

        let e =
            authorize_profile(&op(Some("20200002"), "operator"), "20100001", &roles).unwrap_err();
        assert_eq!(e.reason_id, DenialReason::NpsnMismatch);
        assert_eq!(e.reason_id.id(), "npsn_mismatch");
        assert!(e.message().contains("NPSN 20200002") && e.message().contains("NPSN 20100001"));

        let e = authorize_profile(&op(Some("20100001"), "guru"), "20100001", &roles).unwrap_err();
        assert_eq!(e.reason_id, DenialReason::RoleNotOperator);
        assert!(e.message().contains("bukan operator"));

        let e = authorize_profile(&op(None, "operator"), "20100001", &roles).unwrap_err();
        assert_eq!(e.reason_id, DenialReason::NpsnMissing);
        let e = authorize_profile(&op(Some(" "), "operator"), "20100001", &roles).unwrap_err();
        assert_eq!(e.reason_id, DenialReason::NpsnMissing);
    }
}
