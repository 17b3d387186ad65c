//! Reconciliation: what a pulled record means for the school's register, pure (no SQL).
//!
//! - [`identity`]: NIK/NISN/NUPTK/NIP/NIPD parsing, placeholders, the facts inside NIK and NIP, dates;
//! - [`wilayah`]: Kemendagri region codes (NIK prefixes);
//! - [`findings`]: data-quality findings per record and duplicates within a pull (warnings);
//! - [`matching`]: the matching cascade (UUID → NISN/NUPTK → valid NIK → NIPD) and the per-record
//!   verdict, built once per entity from the register's keys;
//! - [`diff`]: the three-way diff per field (base / local / Dapodik), Verval-protected fields, and the
//!   merge an apply performs.
//!
//! The SQL side (register, resolutions, apply, audit log) lives in [`crate::storage`].

pub mod diff;
pub mod findings;
pub mod identity;
pub mod matching;
pub mod wilayah;

pub use diff::{Change, FieldChange, FieldChoice, FieldDiff};
pub use findings::{Checker, Finding, Severity};
pub use matching::{MatchKey, MatchKeys, Reconciler, RegisterKeys, REASON_REMOVED};

/// Who is acting, for the audit log: the OS user name, or "operator" when it is unknown.
pub fn current_actor() -> String {
    ["USERNAME", "USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "operator".to_string())
}
