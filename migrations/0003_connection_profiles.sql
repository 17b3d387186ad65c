-- Dapodik Sync, schema 3: connection profiles, app preferences and SSO access refusals (issues 5 and 6).
-- No secret is ever stored here: the Web Service key and the SSO refresh token live in the OS keychain
-- under the profile's `uid` (see crates/keychain); this file only knows a profile's non-secret settings.

CREATE TABLE connection_profile (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stable random id: the keychain account suffix (a rename never orphans the stored key).
    uid                 TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    kind                TEXT    NOT NULL CHECK (kind IN ('webservice', 'sso_sds', 'demo')),
    host                TEXT    NOT NULL DEFAULT '',
    port                INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
    -- Dapodik's install folder for port detection (NULL: the default folder).
    install_dir         TEXT,
    npsn                TEXT    NOT NULL DEFAULT '',
    sso_issuer          TEXT    NOT NULL DEFAULT '',
    sso_client_id       TEXT    NOT NULL DEFAULT '',
    sso_scopes          TEXT    NOT NULL DEFAULT '',   -- space-separated, besides `openid`
    sso_data_endpoint   TEXT    NOT NULL DEFAULT '',
    active              INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    -- The last connection check ("Uji koneksi"): when, whether it passed, the failing code.
    checked_at          INTEGER,
    check_ok            INTEGER CHECK (check_ok IS NULL OR check_ok IN (0, 1)),
    check_code          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;
-- At most one active profile.
CREATE UNIQUE INDEX connection_profile_active ON connection_profile (active) WHERE active = 1;

-- Preferences set in Pengaturan (language, schedule, max attempts): key → JSON value.
CREATE TABLE app_preference (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL CHECK (json_valid(value)),
    updated_at  INTEGER NOT NULL
) STRICT;

-- SSO SDS access refusals (an operator of another school, or without an operator role).
CREATE TABLE access_refusal (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    profile_uid     TEXT    NOT NULL,
    profile_npsn    TEXT    NOT NULL,
    operator_npsn   TEXT,
    subject         TEXT    NOT NULL,                 -- the SSO subject id (no name)
    reason          TEXT    NOT NULL CHECK (reason IN ('npsn_missing', 'npsn_mismatch', 'role_not_operator'))
) STRICT;
