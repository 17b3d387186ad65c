//! Connection profiles, app preferences and SSO access refusals (schema 3).
//!
//! A profile says where a school's data come from: the Dapodik Web Service (host, port, install
//! folder for port detection, NPSN), SSO SDS (issuer, client id, scopes, data endpoint) or the demo.
//! At most one profile is active. **No secret is stored here**: the Web Service key and the SSO refresh
//! token live in the OS keychain under the profile's random `uid` (crates/keychain); the database only
//! learns the last connection check's outcome. Preferences are small JSON values by key (language,
//! schedule, max attempts). Refusals of `sso_sds::authorize_profile` are recorded without names.
//! [`Store::decisions_waiting`] counts what Beranda shows as "keputusan menunggu".

use super::{Store, StoreError};
use rand::Rng;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a profile's data come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The Dapodik Web Service on the school's Dapodik PC.
    Webservice,
    /// The SDS data endpoint, signed in with SSO SDS.
    SsoSds,
    /// The in-process simulated Dapodik.
    Demo,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Webservice => "webservice",
            ProfileKind::SsoSds => "sso_sds",
            ProfileKind::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<ProfileKind> {
        [
            ProfileKind::Webservice,
            ProfileKind::SsoSds,
            ProfileKind::Demo,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The outcome of the last "Uji koneksi" of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    /// Unix milliseconds.
    pub at: i64,
    pub ok: bool,
    /// The failing step's error code; `None` when it passed.
    pub code: Option<String>,
}

/// What the operator fills in for a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    pub kind: Option<ProfileKind>,
    pub host: String,
    pub port: Option<u16>,
    pub install_dir: Option<String>,
    pub npsn: String,
    pub sso_issuer: String,
    pub sso_client_id: String,
    /// Scopes besides `openid`.
    pub sso_scopes: Vec<String>,
    pub sso_data_endpoint: String,
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionProfile {
    pub id: i64,
    /// The keychain account suffix of this profile's secrets.
    pub uid: String,
    pub name: String,
    pub kind: ProfileKind,
    pub host: String,
    pub port: Option<u16>,
    pub install_dir: Option<String>,
    pub npsn: String,
    pub sso_issuer: String,
    pub sso_client_id: String,
    pub sso_scopes: Vec<String>,
    pub sso_data_endpoint: String,
    pub active: bool,
    pub last_check: Option<ConnectionCheck>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Dapodik's Web Service port when a profile names none.
pub const DEFAULT_WEBSERVICE_PORT: u16 = 5774;

impl ConnectionProfile {
    /// The Web Service base URL, `http://<host>:<port>` (a scheme or path typed into the host field is
    /// dropped); `None` for a profile without a host.
    pub fn base_url(&self) -> Option<String> {
        base_url(&self.host, self.port)
    }

    /// Whether SSO SDS sign-in is configured (issuer and client id set): the profile then requires a
    /// signed-in operator of its school.
    pub fn sso_configured(&self) -> bool {
        !self.sso_issuer.trim().is_empty() && !self.sso_client_id.trim().is_empty()
    }
}

/// `http://<host>:<port>` from what the operator typed.
pub fn base_url(host: &str, port: Option<u16>) -> Option<String> {
    let host = host.trim();
    let host = host
        .strip_prefix("http://")
        .or_else(|| host.strip_prefix("https://"))
        .unwrap_or(host);
    let host = host.split('/').next().unwrap_or("").trim();
    if host.is_empty() {
        return None;
    }
    // A port typed into the host field wins over none.
    if host.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty() && !h.ends_with(']') && p.parse::<u16>().is_ok() && !h.contains(':')
    }) {
        return Some(format!("http://{host}"));
    }
    Some(format!(
        "http://{host}:{}",
        port.unwrap_or(DEFAULT_WEBSERVICE_PORT)
    ))
}

/// A refused SSO SDS operator (recorded by the app; no name, only the subject id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRefusal {
    pub id: i64,
    pub at: i64,
    pub profile_uid: String,
    pub profile_npsn: String,
    pub operator_npsn: Option<String>,
    pub subject: String,
    /// `npsn_missing`, `npsn_mismatch` or `role_not_operator`.
    pub reason: String,
}

const PROFILE_COLUMNS: &str = "id, uid, name, kind, host, port, install_dir, npsn, sso_issuer, \
     sso_client_id, sso_scopes, sso_data_endpoint, active, checked_at, check_ok, check_code, created_at, updated_at";

fn profile_from_row(r: &Row<'_>) -> rusqlite::Result<ConnectionProfile> {
    let kind: String = r.get(3)?;
    let scopes: String = r.get(10)?;
    let checked_at: Option<i64> = r.get(13)?;
    let check_ok: Option<i64> = r.get(14)?;
    Ok(ConnectionProfile {
        id: r.get(0)?,
        uid: r.get(1)?,
        name: r.get(2)?,
        kind: ProfileKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("profile kind {kind:?}").into(),
            )
        })?,
        host: r.get(4)?,
        port: r
            .get::<_, Option<i64>>(5)?
            .and_then(|p| u16::try_from(p).ok()),
        install_dir: r.get(6)?,
        npsn: r.get(7)?,
        sso_issuer: r.get(8)?,
        sso_client_id: r.get(9)?,
        sso_scopes: scopes.split_whitespace().map(String::from).collect(),
        sso_data_endpoint: r.get(11)?,
        active: r.get::<_, i64>(12)? == 1,
        last_check: checked_at.map(|at| ConnectionCheck {
            at,
            ok: check_ok == Some(1),
            code: r.get(15).ok().flatten(),
        }),
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

fn refused(why: &str) -> StoreError {
    StoreError::Refused(why.to_string())
}

/// Checks what the operator typed; the messages are Indonesian.
fn validate(input: &ProfileInput) -> Result<ProfileKind, StoreError> {
    let kind = input
        .kind
        .ok_or_else(|| refused("Pilih jenis koneksi profil."))?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(refused("Nama profil tidak boleh kosong."));
    }
    if name.len() > 100 || name.chars().any(char::is_control) {
        return Err(refused(
            "Nama profil paling panjang 100 karakter, tanpa karakter kontrol.",
        ));
    }
    let npsn = input.npsn.trim();
    if kind != ProfileKind::Demo && (npsn.len() != 8 || !npsn.bytes().all(|b| b.is_ascii_digit())) {
        return Err(refused("NPSN harus 8 angka."));
    }
    if kind == ProfileKind::Webservice && base_url(&input.host, input.port).is_none() {
        return Err(refused(
            "Alamat PC Dapodik belum diisi (misalnya localhost atau 192.168.1.10).",
        ));
    }
    if input.port == Some(0) {
        return Err(refused("Port harus antara 1 dan 65535."));
    }
    if kind == ProfileKind::SsoSds
        && (input.sso_issuer.trim().is_empty() || input.sso_client_id.trim().is_empty())
    {
        return Err(refused(
            "Profil SSO SDS memerlukan URL issuer dan Client ID dari registrasi aplikasi.",
        ));
    }
    Ok(kind)
}

fn scopes_text(input: &ProfileInput) -> String {
    input
        .sso_scopes
        .iter()
        .flat_map(|s| s.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

fn unique_name_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && msg.contains("connection_profile.name") =>
        {
            refused("Nama profil sudah dipakai profil lain.")
        }
        _ => StoreError::Sqlite(e),
    }
}

fn random_uid() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Every profile, by name.
    pub fn profiles(&self) -> Result<Vec<ConnectionProfile>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PROFILE_COLUMNS} FROM connection_profile ORDER BY name, id"
        ))?;
        let rows = stmt.query_map([], profile_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One profile.
    pub fn profile(&self, id: i64) -> Result<Option<ConnectionProfile>, StoreError> {
        let conn = self.conn();
        let profile = conn
            .prepare_cached(&format!(
                "SELECT {PROFILE_COLUMNS} FROM connection_profile WHERE id = ?1"
            ))?
            .query_row([id], profile_from_row)
            .optional()?;
        Ok(profile)
    }

    /// The active profile, if one is.
    pub fn active_profile(&self) -> Result<Option<ConnectionProfile>, StoreError> {
        let conn = self.conn();
        let profile = conn
            .prepare_cached(&format!(
                "SELECT {PROFILE_COLUMNS} FROM connection_profile WHERE active = 1"
            ))?
            .query_row([], profile_from_row)
            .optional()?;
        Ok(profile)
    }

    /// The Web Service profile a batch was enqueued for: same base URL and NPSN (the batch holds no
    /// profile id, and never a key).
    pub fn profile_for_target(
        &self,
        target: &str,
        npsn: &str,
    ) -> Result<Option<ConnectionProfile>, StoreError> {
        let target = target.trim_end_matches('/');
        Ok(self.profiles()?.into_iter().find(|p| {
            p.kind == ProfileKind::Webservice
                && p.npsn == npsn
                && p.base_url().as_deref() == Some(target)
        }))
    }

    /// Creates a profile with a fresh random `uid`. The first profile becomes active.
    pub fn create_profile(
        &self,
        input: &ProfileInput,
        now_ms: i64,
    ) -> Result<ConnectionProfile, StoreError> {
        let kind = validate(input)?;
        let id = {
            let conn = self.conn();
            let any: i64 =
                conn.query_row("SELECT COUNT(*) FROM connection_profile", [], |r| r.get(0))?;
            conn.execute(
                "INSERT INTO connection_profile (uid, name, kind, host, port, install_dir, npsn, sso_issuer, \
                 sso_client_id, sso_scopes, sso_data_endpoint, active, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
                params![
                    random_uid(),
                    input.name.trim(),
                    kind.as_str(),
                    input.host.trim(),
                    input.port.map(i64::from),
                    input.install_dir.as_deref().map(str::trim).filter(|d| !d.is_empty()),
                    input.npsn.trim(),
                    input.sso_issuer.trim(),
                    input.sso_client_id.trim(),
                    scopes_text(input),
                    input.sso_data_endpoint.trim(),
                    i64::from(any == 0),
                    now_ms,
                ],
            )
            .map_err(unique_name_error)?;
            conn.last_insert_rowid()
        };
        self.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profile {id}")))
    }

    /// Replaces what the operator can edit (not the uid, not the active flag).
    pub fn update_profile(
        &self,
        id: i64,
        input: &ProfileInput,
        now_ms: i64,
    ) -> Result<ConnectionProfile, StoreError> {
        let kind = validate(input)?;
        let changed = self
            .conn()
            .execute(
                "UPDATE connection_profile SET name = ?2, kind = ?3, host = ?4, port = ?5, install_dir = ?6, \
                 npsn = ?7, sso_issuer = ?8, sso_client_id = ?9, sso_scopes = ?10, sso_data_endpoint = ?11, \
                 checked_at = NULL, check_ok = NULL, check_code = NULL, updated_at = ?12 WHERE id = ?1",
                params![
                    id,
                    input.name.trim(),
                    kind.as_str(),
                    input.host.trim(),
                    input.port.map(i64::from),
                    input.install_dir.as_deref().map(str::trim).filter(|d| !d.is_empty()),
                    input.npsn.trim(),
                    input.sso_issuer.trim(),
                    input.sso_client_id.trim(),
                    scopes_text(input),
                    input.sso_data_endpoint.trim(),
                    now_ms,
                ],
            )
            .map_err(unique_name_error)?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("profil {id}")));
        }
        self.profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))
    }

    /// Deletes a profile and returns it (the caller deletes its keychain secrets by `uid`).
    pub fn delete_profile(&self, id: i64) -> Result<ConnectionProfile, StoreError> {
        let profile = self
            .profile(id)?
            .ok_or_else(|| StoreError::NotFound(format!("profil {id}")))?;
        self.conn()
            .execute("DELETE FROM connection_profile WHERE id = ?1", [id])?;
        Ok(profile)
    }

    /// Makes `id` the only active profile (`None`: no profile is active).
    pub fn activate_profile(&self, id: Option<i64>, now_ms: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE connection_profile SET active = 0, updated_at = ?1 WHERE active = 1",
            [now_ms],
        )?;
        if let Some(id) = id {
            let n = tx.execute(
                "UPDATE connection_profile SET active = 1, updated_at = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("profil {id}")));
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records the outcome of a connection check of a profile.
    pub fn record_profile_check(
        &self,
        id: i64,
        ok: bool,
        code: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE connection_profile SET checked_at = ?2, check_ok = ?3, check_code = ?4 WHERE id = ?1",
            params![id, now_ms, i64::from(ok), code],
        )?;
        Ok(())
    }

    /// A preference's value, if set.
    pub fn preference(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<String> = self
            .conn()
            .prepare_cached("SELECT value FROM app_preference WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// Sets a preference (`Value::Null` removes it).
    pub fn set_preference(&self, key: &str, value: &Value, now_ms: i64) -> Result<(), StoreError> {
        let conn = self.conn();
        if value.is_null() {
            conn.execute("DELETE FROM app_preference WHERE key = ?1", [key])?;
        } else {
            conn.execute(
                "INSERT INTO app_preference (key, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![key, value.to_string(), now_ms],
            )?;
        }
        Ok(())
    }

    /// Records an SSO SDS refusal (`reason`: `npsn_missing`, `npsn_mismatch`, `role_not_operator`).
    pub fn record_access_refusal(
        &self,
        profile: &ConnectionProfile,
        operator_npsn: Option<&str>,
        subject: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<AccessRefusal, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO access_refusal (at, profile_uid, profile_npsn, operator_npsn, subject, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now_ms, profile.uid, profile.npsn, operator_npsn, subject, reason],
        )?;
        Ok(AccessRefusal {
            id: conn.last_insert_rowid(),
            at: now_ms,
            profile_uid: profile.uid.clone(),
            profile_npsn: profile.npsn.clone(),
            operator_npsn: operator_npsn.map(String::from),
            subject: subject.to_string(),
            reason: reason.to_string(),
        })
    }

    /// The newest access refusals first.
    pub fn access_refusals(&self, limit: usize) -> Result<Vec<AccessRefusal>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, profile_uid, profile_npsn, operator_npsn, subject, reason \
             FROM access_refusal ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AccessRefusal {
                id: r.get(0)?,
                at: r.get(1)?,
                profile_uid: r.get(2)?,
                profile_npsn: r.get(3)?,
                operator_npsn: r.get(4)?,
                subject: r.get(5)?,
                reason: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Staging rows of one batch still waiting for the operator (no decision recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionsWaiting {
    pub batch_id: i64,
    /// CONFLICT rows without a decision: nothing is applied for them until the operator decides.
    pub conflicts: u64,
    /// Rows of any status except REJECTED without a decision.
    pub undecided: u64,
}

impl Store {
    /// What still waits for a decision in staged batch `batch_id`.
    pub fn decisions_waiting(&self, batch_id: i64) -> Result<DecisionsWaiting, StoreError> {
        let conn = self.conn();
        let (conflicts, undecided): (i64, i64) = conn
            .prepare_cached(
                "SELECT COUNT(*) FILTER (WHERE s.status = 'CONFLICT'), COUNT(*) \
                 FROM staging_row s LEFT JOIN staging_resolution r ON r.staging_id = s.id \
                 WHERE s.batch_id = ?1 AND s.status <> 'REJECTED' AND r.staging_id IS NULL",
            )?
            .query_row([batch_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(DecisionsWaiting {
            batch_id,
            conflicts: conflicts as u64,
            undecided: undecided as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.sqlite3")).unwrap();
        (dir, store)
    }

    fn ws(name: &str, host: &str) -> ProfileInput {
        ProfileInput {
            name: name.into(),
            kind: Some(ProfileKind::Webservice),
            host: host.into(),
            port: Some(5775),
            npsn: "20212345".into(),
            ..Default::default()
        }
    }

    #[test]
    fn base_url_from_what_the_operator_typed() {
        assert_eq!(
            base_url("192.168.1.10", None).as_deref(),
            Some("http://192.168.1.10:5774")
        );
        assert_eq!(
            base_url(" http://localhost/ ", Some(5800)).as_deref(),
            Some("http://localhost:5800")
        );
        assert_eq!(
            base_url("127.0.0.1:6000", Some(5774)).as_deref(),
            Some("http://127.0.0.1:6000")
        );
        assert_eq!(base_url("  ", Some(1)), None);
    }

    #[test]
    fn create_update_activate_delete() {
        let (_dir, store) = store();
        let a = store
            .create_profile(&ws("Sekolah A", "localhost"), 1)
            .unwrap();
        assert!(a.active, "the first profile becomes active");
        assert_eq!(a.uid.len(), 32);
        assert_eq!(a.base_url().as_deref(), Some("http://localhost:5775"));
        let b = store
            .create_profile(&ws("Sekolah B", "10.0.0.2"), 2)
            .unwrap();
        assert!(!b.active);
        assert_ne!(a.uid, b.uid);

        store.activate_profile(Some(b.id), 3).unwrap();
        assert_eq!(store.active_profile().unwrap().unwrap().id, b.id);
        assert!(!store.profile(a.id).unwrap().unwrap().active);

        store
            .record_profile_check(b.id, false, Some("ip_mismatch"), 4)
            .unwrap();
        let check = store.profile(b.id).unwrap().unwrap().last_check.unwrap();
        assert_eq!(
            check,
            ConnectionCheck {
                at: 4,
                ok: false,
                code: Some("ip_mismatch".into())
            }
        );

        let mut edit = ws("Sekolah B2", "10.0.0.3");
        edit.sso_scopes = vec!["profile offline_access".into(), "sds".into()];
        let b2 = store.update_profile(b.id, &edit, 5).unwrap();
        assert_eq!(b2.uid, b.uid, "the keychain account survives a rename");
        assert_eq!(b2.sso_scopes, ["profile", "offline_access", "sds"]);
        assert!(
            b2.last_check.is_none(),
            "a changed profile must be checked again"
        );
        assert!(b2.active);

        assert_eq!(
            store
                .profile_for_target("http://10.0.0.3:5775/", "20212345")
                .unwrap()
                .map(|p| p.id),
            Some(b.id)
        );
        assert!(store
            .profile_for_target("http://10.0.0.3:5775", "20299999")
            .unwrap()
            .is_none());

        assert_eq!(store.delete_profile(a.id).unwrap().uid, a.uid);
        assert_eq!(store.profiles().unwrap().len(), 1);
        store.activate_profile(None, 6).unwrap();
        assert!(store.active_profile().unwrap().is_none());
    }

    #[test]
    fn invalid_input_is_refused_in_indonesian() {
        let (_dir, store) = store();
        let mut bad = ws("X", "localhost");
        bad.npsn = "123".into();
        let e = store.create_profile(&bad, 1).unwrap_err();
        assert_eq!(e.code(), "refused");
        assert!(e.message_id().contains("NPSN"), "{}", e.message_id());
        assert!(store.create_profile(&ws(" ", "localhost"), 1).is_err());
        assert!(store.create_profile(&ws("Y", ""), 1).is_err());
        let sso = ProfileInput {
            name: "SSO".into(),
            kind: Some(ProfileKind::SsoSds),
            npsn: "20212345".into(),
            ..Default::default()
        };
        assert!(store
            .create_profile(&sso, 1)
            .unwrap_err()
            .message_id()
            .contains("issuer"));
        store.create_profile(&ws("Sama", "localhost"), 1).unwrap();
        let dup = store
            .create_profile(&ws("sama", "localhost"), 2)
            .unwrap_err();
        assert!(dup.message_id().contains("sudah dipakai"), "{dup}");
        let demo = ProfileInput {
            name: "Demo".into(),
            kind: Some(ProfileKind::Demo),
            ..Default::default()
        };
        assert_eq!(
            store.create_profile(&demo, 3).unwrap().kind,
            ProfileKind::Demo
        );
    }

    #[test]
    fn preferences_and_refusals() {
        let (_dir, store) = store();
        assert_eq!(store.preference("language").unwrap(), None);
        store
            .set_preference("language", &Value::from("en"), 1)
            .unwrap();
        store
            .set_preference("language", &Value::from("id"), 2)
            .unwrap();
        assert_eq!(
            store.preference("language").unwrap(),
            Some(Value::from("id"))
        );
        store.set_preference("language", &Value::Null, 3).unwrap();
        assert_eq!(store.preference("language").unwrap(), None);

        let p = store.create_profile(&ws("A", "localhost"), 1).unwrap();
        let r = store
            .record_access_refusal(&p, Some("20299999"), "sub-1", "npsn_mismatch", 9)
            .unwrap();
        assert_eq!(store.access_refusals(10).unwrap(), vec![r]);
        assert!(store
            .record_access_refusal(&p, None, "sub-2", "anything", 10)
            .is_err());
        assert_eq!(
            store.decisions_waiting(42).unwrap(),
            DecisionsWaiting {
                batch_id: 42,
                conflicts: 0,
                undecided: 0
            }
        );
    }
}
