-- Samband schema, PostgreSQL dialect. Same file name and meaning as the SQLite tree.

CREATE TABLE organisations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE professionals (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    availability TEXT,
    version BIGINT NOT NULL
);

CREATE TABLE professional_organisations (
    professional_id UUID NOT NULL REFERENCES professionals(id),
    organisation_id UUID NOT NULL REFERENCES organisations(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (professional_id, organisation_id)
);

CREATE TABLE patients (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    national_id_kind TEXT,
    national_id TEXT,
    preferred_contact TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    version BIGINT NOT NULL
);

CREATE TABLE care_teams (
    patient_id UUID PRIMARY KEY REFERENCES patients(id),
    version BIGINT NOT NULL
);

CREATE TABLE team_members (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES care_teams(patient_id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    professional_id UUID REFERENCES professionals(id),
    name TEXT,
    organisation_id UUID REFERENCES organisations(id),
    role TEXT NOT NULL,
    responsibility TEXT NOT NULL,
    phone TEXT,
    is_coordinator BOOLEAN NOT NULL,
    active_from DATE NOT NULL,
    active_to DATE
);
CREATE INDEX team_members_patient ON team_members(patient_id, position);
CREATE INDEX team_members_professional ON team_members(professional_id, patient_id);

CREATE TABLE care_plans (
    patient_id UUID PRIMARY KEY REFERENCES patients(id),
    revision_date DATE,
    version BIGINT NOT NULL
);

CREATE TABLE goals (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    author TEXT NOT NULL,
    owner_member_id UUID REFERENCES team_members(id),
    text TEXT NOT NULL,
    achieved BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX goals_patient ON goals(patient_id, created_at);

CREATE TABLE actions (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    title TEXT NOT NULL,
    owner_member_id UUID NOT NULL REFERENCES team_members(id),
    sector TEXT NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL,
    goal_id UUID REFERENCES goals(id),
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX actions_patient ON actions(patient_id, due_date);

CREATE TABLE services (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    what TEXT NOT NULL,
    provider TEXT NOT NULL,
    frequency TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX services_patient ON services(patient_id);

CREATE TABLE crisis_plans (
    patient_id UUID PRIMARY KEY REFERENCES patients(id),
    warning_signs TEXT NOT NULL,
    what_helps TEXT NOT NULL,
    contacts TEXT NOT NULL,
    updated_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);

CREATE TABLE history (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    actor_account_id UUID NOT NULL,
    actor_name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    reason TEXT,
    old_value JSONB,
    new_value JSONB NOT NULL
);
CREATE INDEX history_patient ON history(patient_id, at);
CREATE INDEX history_object ON history(object_id, at);

-- Append-only: the triggers refuse updates and deletes from any client.
CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    id UUID NOT NULL UNIQUE,
    at TIMESTAMPTZ NOT NULL,
    actor_account_id UUID,
    patient_id UUID,
    object_type TEXT NOT NULL,
    object_id TEXT,
    action TEXT NOT NULL,
    purpose TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_patient ON audit_log(patient_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    professional_id UUID REFERENCES professionals(id),
    patient_id UUID REFERENCES patients(id),
    display_name TEXT NOT NULL,
    locale TEXT,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    revoked BOOLEAN NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked BOOLEAN NOT NULL
);

CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
