-- Samband schema, SQLite dialect. Same file name and meaning as the PostgreSQL tree.
-- Identifiers are UUID text, times are UTC RFC 3339 text with fixed width (so they sort),
-- dates are YYYY-MM-DD text, JSON is text.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE professionals (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    availability TEXT,
    version INTEGER NOT NULL
);

CREATE TABLE professional_organisations (
    professional_id TEXT NOT NULL REFERENCES professionals(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (professional_id, organisation_id)
);

CREATE TABLE patients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    national_id_kind TEXT,
    national_id TEXT,
    preferred_contact TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    version INTEGER NOT NULL
);

CREATE TABLE care_teams (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id),
    version INTEGER NOT NULL
);

CREATE TABLE team_members (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES care_teams(patient_id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    professional_id TEXT REFERENCES professionals(id),
    name TEXT,
    organisation_id TEXT REFERENCES organisations(id),
    role TEXT NOT NULL,
    responsibility TEXT NOT NULL,
    phone TEXT,
    is_coordinator INTEGER NOT NULL,
    active_from TEXT NOT NULL,
    active_to TEXT
);
CREATE INDEX team_members_patient ON team_members(patient_id, position);
CREATE INDEX team_members_professional ON team_members(professional_id, patient_id);

CREATE TABLE care_plans (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id),
    revision_date TEXT,
    version INTEGER NOT NULL
);

CREATE TABLE goals (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    author TEXT NOT NULL,
    owner_member_id TEXT REFERENCES team_members(id),
    text TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX goals_patient ON goals(patient_id, created_at);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    title TEXT NOT NULL,
    owner_member_id TEXT NOT NULL REFERENCES team_members(id),
    sector TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    goal_id TEXT REFERENCES goals(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX actions_patient ON actions(patient_id, due_date);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    what TEXT NOT NULL,
    provider TEXT NOT NULL,
    frequency TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX services_patient ON services(patient_id);

CREATE TABLE crisis_plans (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id),
    warning_signs TEXT NOT NULL,
    what_helps TEXT NOT NULL,
    contacts TEXT NOT NULL,
    updated_at TEXT,
    version INTEGER NOT NULL
);

CREATE TABLE history (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    actor_account_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT,
    old_value TEXT,
    new_value TEXT NOT NULL
);
CREATE INDEX history_patient ON history(patient_id, at);
CREATE INDEX history_object ON history(object_id, at);

-- Append-only: the triggers refuse updates and deletes from any client.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor_account_id TEXT,
    patient_id TEXT,
    object_type TEXT NOT NULL,
    object_id TEXT,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_patient ON audit_log(patient_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    professional_id TEXT REFERENCES professionals(id),
    patient_id TEXT REFERENCES patients(id),
    display_name TEXT NOT NULL,
    locale TEXT,
    disabled INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked INTEGER NOT NULL
);

CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
