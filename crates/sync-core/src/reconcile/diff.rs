//! The three-way diff per field: base (the Dapodik values last applied) vs local (base + the school's
//! local edits) vs Dapodik (the incoming record), and the merge that apply performs.
//!
//! Per field (a missing field counts as `null`):
//! - local = Dapodik: nothing to decide;
//! - only Dapodik changed (local = base): update proposed;
//! - only local changed (Dapodik = base): local kept and shown;
//! - both changed to different values: CONFLICT on that field.
//!
//! Verval-protected fields (students: `nama`, `tanggal_lahir`, `nama_ibu`; staff: `nama`,
//! `tanggal_lahir`, `nama_ibu_kandung`) can only be corrected in Dapodik through VervalPD/VervalPTK:
//! a local value that differs from Dapodik's is a CONFLICT flagged "perbaiki lewat VervalPD/VervalPTK",
//! never a local fix (a typed value is refused; taking Dapodik's value or keeping the pending local
//! edit are the choices).

use dapodik_webservice::{Entity, Record};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Fields of `entity` that only VervalPD/VervalPTK may change.
pub fn protected_fields(entity: Entity) -> &'static [&'static str] {
    match entity {
        Entity::PesertaDidik => &["nama", "tanggal_lahir", "nama_ibu"],
        Entity::Gtk => &["nama", "tanggal_lahir", "nama_ibu_kandung"],
        _ => &[],
    }
}

pub fn is_protected(entity: Entity, field: &str) -> bool {
    protected_fields(entity).contains(&field)
}

/// Where a protected field is corrected (Indonesian).
pub fn verval_hint(entity: Entity) -> &'static str {
    match entity {
        Entity::Gtk => "perbaiki lewat VervalPTK",
        _ => "perbaiki lewat VervalPD",
    }
}

/// What happened to one field since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Local and Dapodik agree (possibly both changed the same way).
    Same,
    /// Only Dapodik changed: its value is proposed.
    Dapodik,
    /// Only the local record changed: the local value is kept.
    Local,
    /// Both changed to different values (or a protected field differs locally).
    Conflict,
}

/// One field of the three columns "Data lokal | Terakhir disinkronkan | Dapodik".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: String,
    pub base: Value,
    pub local: Value,
    pub dapodik: Value,
    pub change: Change,
    pub conflict: bool,
    /// A Verval-protected field.
    pub protected: bool,
    /// For a protected field that differs locally: "perbaiki lewat VervalPD/VervalPTK".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

fn get<'a>(r: Option<&'a Record>, field: &str) -> &'a Value {
    r.and_then(|r| r.get(field)).unwrap_or(&Value::Null)
}

/// Classify one field.
pub fn field_change(
    entity: Entity,
    field: &str,
    base: &Value,
    local: &Value,
    dapodik: &Value,
) -> Change {
    if local == dapodik {
        Change::Same
    } else if is_protected(entity, field) && local != base {
        Change::Conflict
    } else if local == base {
        Change::Dapodik
    } else if dapodik == base {
        Change::Local
    } else {
        Change::Conflict
    }
}

/// Every field where the three columns are not all equal, in field-name order. With no register
/// record (`base`/`local` `None`, a NEW row) every field of the Dapodik record is listed as
/// [`Change::Dapodik`].
pub fn three_way(
    entity: Entity,
    base: Option<&Record>,
    local: Option<&Record>,
    dapodik: &Record,
) -> Vec<FieldDiff> {
    let mut fields: BTreeSet<&str> = dapodik.keys().map(String::as_str).collect();
    for r in [base, local].into_iter().flatten() {
        fields.extend(r.keys().map(String::as_str));
    }
    let mut out = Vec::new();
    for field in fields {
        let (b, l, d) = (
            get(base, field),
            get(local, field),
            get(Some(dapodik), field),
        );
        if b == l && l == d {
            continue;
        }
        let change = field_change(entity, field, b, l, d);
        let protected = is_protected(entity, field);
        out.push(FieldDiff {
            field: field.to_string(),
            base: b.clone(),
            local: l.clone(),
            dapodik: d.clone(),
            change,
            conflict: change == Change::Conflict,
            protected,
            hint: (protected && change == Change::Conflict)
                .then(|| verval_hint(entity).to_string()),
        });
    }
    out
}

/// What the three-way diff means for a staging row's status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    pub dapodik_changed: Vec<String>,
    pub local_changed: Vec<String>,
    /// Both sides changed differently (not protected).
    pub conflicts: Vec<String>,
    /// Protected fields whose local value differs from Dapodik's.
    pub protected_conflicts: Vec<String>,
}

impl Assessment {
    pub fn has_conflict(&self) -> bool {
        !self.conflicts.is_empty() || !self.protected_conflicts.is_empty()
    }

    /// The staging reasons (Indonesian) this assessment gives, in a stable order.
    pub fn reasons(&self, entity: Entity) -> Vec<String> {
        let mut out = Vec::new();
        if !self.conflicts.is_empty() {
            out.push(format!(
                "Berubah di Dapodik dan di data lokal: {}",
                self.conflicts.join(", ")
            ));
        }
        if !self.protected_conflicts.is_empty() {
            out.push(format!(
                "Kolom yang dilindungi berbeda dari data lokal ({}): {}",
                self.protected_conflicts.join(", "),
                verval_hint(entity)
            ));
        }
        if !self.dapodik_changed.is_empty() {
            out.push(crate::staging::REASON_CHANGED.to_string());
        }
        if !self.local_changed.is_empty() {
            out.push(format!(
                "Ada perubahan lokal (dipertahankan): {}",
                self.local_changed.join(", ")
            ));
        }
        out
    }
}

/// Assess a matched record.
pub fn assess(entity: Entity, base: &Record, local: &Record, dapodik: &Record) -> Assessment {
    let mut a = Assessment::default();
    for d in three_way(entity, Some(base), Some(local), dapodik) {
        match d.change {
            Change::Same => {}
            Change::Dapodik => a.dapodik_changed.push(d.field),
            Change::Local => a.local_changed.push(d.field),
            Change::Conflict if d.protected => a.protected_conflicts.push(d.field),
            Change::Conflict => a.conflicts.push(d.field),
        }
    }
    a
}

/// How the operator resolved one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "take", rename_all = "snake_case")]
pub enum FieldChoice {
    Dapodik,
    Local,
    /// A value typed by the operator (refused for protected fields).
    Value {
        value: Value,
    },
}

/// A field-level resolution refused, or conflicts left unresolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("unresolved conflicts: {0:?}")]
    Unresolved(Vec<String>),
    #[error("protected field {0}: correct it through Verval")]
    Protected(String),
}

/// One field change of the local record made by an apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The register record after an apply: the new base (always Dapodik's record) and the new local
/// record, with the local changes for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub base: Record,
    pub local: Record,
    pub changes: Vec<FieldChange>,
}

/// Merge a matched record (`base`/`local` `None` for a NEW record). Fields follow the rules above;
/// a conflicting field needs an entry in `choices` (else [`MergeError::Unresolved`]); a choice for a
/// non-conflicting field overrides the default (an explicit override). Local edits are kept unless a
/// choice says otherwise: no apply loses one silently.
pub fn merge(
    entity: Entity,
    base: Option<&Record>,
    local: Option<&Record>,
    dapodik: &Record,
    choices: &BTreeMap<String, FieldChoice>,
) -> Result<Merged, MergeError> {
    let mut new_local = local.cloned().unwrap_or_default();
    let mut changes = Vec::new();
    let mut unresolved = Vec::new();
    for d in three_way(entity, base, local, dapodik) {
        let choice = choices.get(&d.field);
        if let (Some(FieldChoice::Value { .. }), true) = (choice, d.protected) {
            return Err(MergeError::Protected(d.field));
        }
        let value = match (choice, d.change) {
            (Some(FieldChoice::Dapodik), _) => d.dapodik.clone(),
            (Some(FieldChoice::Local), _) => d.local.clone(),
            (Some(FieldChoice::Value { value }), _) => value.clone(),
            (None, Change::Conflict) => {
                unresolved.push(d.field.clone());
                continue;
            }
            (None, Change::Local) => d.local.clone(),
            (None, Change::Same | Change::Dapodik) => d.dapodik.clone(),
        };
        if value != d.local {
            changes.push(FieldChange {
                field: d.field.clone(),
                before: d.local.clone(),
                after: value.clone(),
            });
        }
        if value.is_null() && !dapodik.contains_key(&d.field) {
            new_local.remove(&d.field);
        } else {
            new_local.insert(d.field, value);
        }
    }
    if !unresolved.is_empty() {
        return Err(MergeError::Unresolved(unresolved));
    }
    Ok(Merged {
        base: dapodik.clone(),
        local: new_local,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn field_change_table() {
        let e = Entity::PesertaDidik;
        let (a, b, c) = (json!("a"), json!("b"), json!("c"));
        let cases = [
            // field, base, local, dapodik, change
            ("alamat_jalan", &a, &a, &a, Change::Same),
            ("alamat_jalan", &a, &a, &b, Change::Dapodik),
            ("alamat_jalan", &a, &b, &a, Change::Local),
            ("alamat_jalan", &a, &b, &b, Change::Same),
            ("alamat_jalan", &a, &b, &c, Change::Conflict),
            // Protected: a Verval correction from Dapodik is an update...
            ("nama", &a, &a, &b, Change::Dapodik),
            // ...a local edit is never a fix.
            ("nama", &a, &b, &a, Change::Conflict),
            ("nama_ibu", &a, &b, &c, Change::Conflict),
            ("tanggal_lahir", &a, &b, &b, Change::Same),
            (
                "nama_ibu_kandung",
                &a,
                &b,
                &a,
                Change::Local, // not protected for students
            ),
        ];
        for (field, base, local, dapodik, expected) in cases {
            assert_eq!(
                field_change(e, field, base, local, dapodik),
                expected,
                "{field} {base} {local} {dapodik}"
            );
        }
        assert_eq!(
            field_change(Entity::Gtk, "nama_ibu_kandung", &a, &b, &a),
            Change::Conflict
        );
    }

    #[test]
    fn three_way_lists_differences_only() {
        let base = rec(json!({"nama": "A", "alamat_jalan": "x", "rt": "1"}));
        let local = rec(json!({"nama": "A", "alamat_jalan": "y", "rt": "1"}));
        let dapodik = rec(json!({"nama": "A", "alamat_jalan": "x", "rt": "2", "email": "e"}));
        let d = three_way(Entity::PesertaDidik, Some(&base), Some(&local), &dapodik);
        let got: Vec<(&str, Change)> = d.iter().map(|f| (f.field.as_str(), f.change)).collect();
        assert_eq!(
            got,
            [
                ("alamat_jalan", Change::Local),
                ("email", Change::Dapodik),
                ("rt", Change::Dapodik)
            ]
        );
        // A NEW row: every field proposed.
        let d = three_way(Entity::PesertaDidik, None, None, &dapodik);
        assert_eq!(d.len(), 4);
        assert!(d
            .iter()
            .all(|f| f.change == Change::Dapodik && f.base.is_null()));
    }

    #[test]
    fn protected_conflicts_carry_the_verval_hint() {
        let base = rec(json!({"nama": "Budi"}));
        let local = rec(json!({"nama": "Budi S"}));
        let d = three_way(Entity::PesertaDidik, Some(&base), Some(&local), &base);
        assert_eq!(d[0].hint.as_deref(), Some("perbaiki lewat VervalPD"));
        assert!(d[0].conflict && d[0].protected);
        let a = assess(Entity::Gtk, &base, &local, &base);
        assert_eq!(a.protected_conflicts, ["nama"]);
        assert!(a.reasons(Entity::Gtk)[0].contains("VervalPTK"));
    }

    #[test]
    fn merge_keeps_local_edits_and_takes_dapodik_updates() {
        let base = rec(json!({"nama": "A", "alamat_jalan": "x", "rt": "1"}));
        let local = rec(json!({"nama": "A", "alamat_jalan": "y", "rt": "1"}));
        let dapodik = rec(json!({"nama": "A", "alamat_jalan": "x", "rt": "2"}));
        let m = merge(
            Entity::PesertaDidik,
            Some(&base),
            Some(&local),
            &dapodik,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(m.base, dapodik);
        assert_eq!(m.local["alamat_jalan"], "y");
        assert_eq!(m.local["rt"], "2");
        assert_eq!(
            m.changes,
            [FieldChange {
                field: "rt".into(),
                before: json!("1"),
                after: json!("2")
            }]
        );
    }

    #[test]
    fn merge_needs_every_conflict_resolved() {
        let base = rec(json!({"nama": "A", "alamat_jalan": "x"}));
        let local = rec(json!({"nama": "B", "alamat_jalan": "y"}));
        let dapodik = rec(json!({"nama": "A", "alamat_jalan": "z"}));
        let e = Entity::PesertaDidik;
        assert_eq!(
            merge(e, Some(&base), Some(&local), &dapodik, &BTreeMap::new()),
            Err(MergeError::Unresolved(vec![
                "alamat_jalan".into(),
                "nama".into()
            ]))
        );
        let mut choices = BTreeMap::new();
        choices.insert(
            "alamat_jalan".to_string(),
            FieldChoice::Value { value: json!("w") },
        );
        choices.insert("nama".to_string(), FieldChoice::Dapodik);
        let m = merge(e, Some(&base), Some(&local), &dapodik, &choices).unwrap();
        assert_eq!(m.local, rec(json!({"nama": "A", "alamat_jalan": "w"})));
        choices.insert("nama".to_string(), FieldChoice::Local);
        let m = merge(e, Some(&base), Some(&local), &dapodik, &choices).unwrap();
        assert_eq!(m.local["nama"], "B");
        choices.insert("nama".to_string(), FieldChoice::Value { value: json!("C") });
        assert_eq!(
            merge(e, Some(&base), Some(&local), &dapodik, &choices),
            Err(MergeError::Protected("nama".into()))
        );
    }

    #[test]
    fn merge_of_a_new_record_is_the_record() {
        let dapodik = rec(json!({"nama": "A", "nisn": "0012345678"}));
        let m = merge(Entity::PesertaDidik, None, None, &dapodik, &BTreeMap::new()).unwrap();
        assert_eq!(m.local, dapodik);
        assert_eq!(m.changes.len(), 2);
        assert!(m.changes.iter().all(|c| c.before.is_null()));
    }
}
