-- Dapodik Sync, schema 2: reconciliation an operator can trust (issue 4).
-- The register deepened (base vs local, provenance, match keys), staging rows with findings and how
-- they matched, the operator's resolutions, and the audit log of every applied change.

-- The register: `record` is the LOCAL record (base + local edits), `base` the Dapodik values last
-- applied; `content_hash` hashes `record`, `base_hash` hashes `base` (a pull is compared to it).
ALTER TABLE register ADD COLUMN base_hash TEXT;
ALTER TABLE register ADD COLUMN edited INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1));  -- record <> base
ALTER TABLE register ADD COLUMN label TEXT NOT NULL DEFAULT '' COLLATE NOCASE;                -- record.nama
-- Match keys of the local record as stored text (validated when loaded): NISN (students) or NUPTK
-- (staff), NIK, NIPD.
ALTER TABLE register ADD COLUMN key_national TEXT;
ALTER TABLE register ADD COLUMN key_nik TEXT;
ALTER TABLE register ADD COLUMN key_nipd TEXT;
-- Provenance: when the record came, from which batch and staging row it was last applied, and
-- the last local edit.
ALTER TABLE register ADD COLUMN created_at INTEGER;
ALTER TABLE register ADD COLUMN applied_at INTEGER;
ALTER TABLE register ADD COLUMN source_batch_id INTEGER;
ALTER TABLE register ADD COLUMN source_staging_id INTEGER;
ALTER TABLE register ADD COLUMN edited_at INTEGER;
ALTER TABLE register ADD COLUMN edited_by TEXT;

-- Schema 1 applied record = base.
UPDATE register SET
    base_hash = content_hash,
    edited = CASE WHEN record = base THEN 0 ELSE 1 END,
    label = coalesce(json_extract(record, '$.nama'), ''),
    key_national = CASE entity
        WHEN 'peserta_didik' THEN json_extract(record, '$.nisn')
        WHEN 'gtk' THEN json_extract(record, '$.nuptk') END,
    key_nik = json_extract(record, '$.nik'),
    key_nipd = json_extract(record, '$.nipd'),
    created_at = updated_at,
    applied_at = updated_at;

-- The register screen: per entity in label order.
CREATE INDEX register_label ON register (entity, label, dapodik_id);

-- Staging rows: data-quality findings, removal rows, and the register record a row matched.
ALTER TABLE staging_row ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';     -- [{code, severity, field, message}]
ALTER TABLE staging_row ADD COLUMN kind TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'removal'));
ALTER TABLE staging_row ADD COLUMN match_id TEXT;                            -- register dapodik_id matched
ALTER TABLE staging_row ADD COLUMN match_by TEXT CHECK (match_by IN ('uuid', 'nisn', 'nuptk', 'nik', 'nipd'));

-- The operator's decision on a staging row (none = pending).
CREATE TABLE staging_resolution (
    staging_id  INTEGER PRIMARY KEY REFERENCES staging_row (id) ON DELETE CASCADE,
    decision    TEXT    NOT NULL CHECK (decision IN ('ACCEPTED', 'REJECTED', 'APPLIED')),
    -- Per field: {"<field>": {"take": "dapodik"} | {"take": "local"} | {"take": "value", "value": …}}
    fields      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(fields)),
    decided_by  TEXT    NOT NULL,
    decided_at  INTEGER NOT NULL,
    applied_at  INTEGER
) STRICT;

-- Every change applied to the register, and every local edit. Values are JSON, stored as they are
-- in the register (this file is the school's own data; they are never written to logs).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,                 -- OS user name, or 'operator'
    action      TEXT    NOT NULL CHECK (action IN ('insert', 'update', 'remove', 'edit')),
    entity      TEXT    NOT NULL,
    dapodik_id  TEXT    NOT NULL,
    field       TEXT,                             -- NULL: the whole record (insert/remove)
    before      TEXT,                             -- JSON value; NULL when there was none
    after       TEXT,
    batch_id    INTEGER,                          -- no foreign key: the log outlives batches
    staging_id  INTEGER
) STRICT;
CREATE INDEX audit_log_record ON audit_log (entity, dapodik_id, id);
