-- Dapodik Sync, schema 1: the sync queue, its attempts, staging rows and the register.
-- Times are unix milliseconds. Statuses are upper-case names, sources and entities lower-case.

-- One pull of one school (the seed's DapodikSyncBatch).
CREATE TABLE sync_batch (
    id              INTEGER PRIMARY KEY,
    source          TEXT    NOT NULL CHECK (source IN ('mock', 'webservice', 'replay')),
    target          TEXT    NOT NULL,            -- URL or folder; never a key
    npsn            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    INTEGER NOT NULL CHECK (max_attempts >= 1),
    next_attempt_at INTEGER,
    error_code      TEXT,
    error_message   TEXT,
    error_retryable INTEGER CHECK (error_retryable IN (0, 1)),
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    counts          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(counts)),  -- {"peserta_didik": {"NEW": 3, ...}, ...}
    notes           TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(notes)),   -- ["...", ...] (Indonesian)
    semester_id     TEXT,
    -- Terminal status <=> finished.
    CHECK ((status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')) = (finished_at IS NOT NULL)),
    -- A pending batch knows when it is due.
    CHECK (status <> 'PENDING' OR next_attempt_at IS NOT NULL),
    CHECK ((error_code IS NULL) = (error_message IS NULL))
) STRICT;

-- Idempotent enqueue: at most one PENDING batch per (source, target, npsn).
CREATE UNIQUE INDEX sync_batch_one_pending ON sync_batch (source, target, npsn) WHERE status = 'PENDING';
-- The claim: the earliest due PENDING batch.
CREATE INDEX sync_batch_due ON sync_batch (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX sync_batch_running ON sync_batch (id) WHERE status = 'RUNNING';

-- The timeline of a batch: one row per claim.
CREATE TABLE sync_attempt (
    id              INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES sync_batch (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number >= 1),
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    error_code      TEXT,
    error_message   TEXT,
    error_retryable INTEGER CHECK (error_retryable IN (0, 1)),
    UNIQUE (batch_id, number)
) STRICT;

-- What a pull brought, one row per record (the seed's DapodikStagingRow).
CREATE TABLE staging_row (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES sync_batch (id) ON DELETE CASCADE,
    entity       TEXT    NOT NULL CHECK (entity IN ('sekolah', 'peserta_didik', 'gtk', 'rombongan_belajar')),
    seq          INTEGER NOT NULL,               -- position in the pull, per entity
    dapodik_id   TEXT    CHECK (dapodik_id = lower(dapodik_id)),
    status       TEXT    NOT NULL CHECK (status IN ('NEW', 'MATCHED', 'CONFLICT', 'REJECTED')),
    reasons      TEXT    NOT NULL DEFAULT '[]',  -- ["...", ...] (Indonesian)
    label        TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,  -- display name (record.nama)
    record       TEXT    NOT NULL,               -- the normalised record, Web Service field names
    content_hash TEXT    NOT NULL                -- sha256 hex of the record's canonical JSON
) STRICT;

-- The staging screen (see storage/staging.rs, `staging_page`, which names the index for each query):
-- every filter and sort walks an index in order, so a page at any offset reads only index entries and
-- then the page's own rows. Staging inserts a batch's rows entity by entity in the order of the
-- entity names, so within a batch id order IS (entity, id) order: the two indexes below give id order
-- under any entity/status filter, and grow at their ends while staging (cheap).
CREATE INDEX staging_row_entity ON staging_row (batch_id, entity);
CREATE INDEX staging_row_status ON staging_row (batch_id, status, entity);
-- Label order, and a covering scan for search (label, dapodik_id) under any filter. The only index
-- with random inserts.
CREATE INDEX staging_row_label ON staging_row (batch_id, label, entity, status, dapodik_id);

-- The local register: the records accepted from Dapodik (minimal; later issues deepen it).
CREATE TABLE register (
    entity       TEXT    NOT NULL CHECK (entity IN ('sekolah', 'peserta_didik', 'gtk', 'rombongan_belajar')),
    dapodik_id   TEXT    NOT NULL CHECK (dapodik_id = lower(dapodik_id)),
    record       TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    base         TEXT    NOT NULL,               -- the record as last synced (the three-way merge's base)
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (entity, dapodik_id)
) STRICT;
