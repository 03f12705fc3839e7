-- Consent per patient (one versioned document of rules), emergency access grants, and
-- the audit trail's hash chain (each entry commits to the previous one; the head row
-- anchors the newest, so truncation is detected too).

CREATE TABLE consents (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id),
    rules TEXT NOT NULL,
    updated_at TEXT,
    version INTEGER NOT NULL
);

CREATE TABLE emergency_access (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    reason_code TEXT NOT NULL,
    reason_text TEXT NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by TEXT
);
CREATE INDEX emergency_access_lookup ON emergency_access(account_id, patient_id, expires_at);
CREATE INDEX emergency_access_patient ON emergency_access(patient_id, started_at);

ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE INDEX patients_national_id ON patients(national_id);
