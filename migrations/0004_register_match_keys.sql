-- Dapodik Sync, schema 4: what staging reads of the register, in one covering index.
-- Reconciliation loads each entity's keys and base hashes once per staging; without this index that
-- scan reads every register row in full (the local and base JSON, ~3 KB per student).
CREATE INDEX register_match_keys ON register
    (entity, dapodik_id, base_hash, content_hash, edited, key_national, key_nik, key_nipd);
