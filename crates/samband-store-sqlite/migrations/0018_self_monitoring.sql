-- Self-monitoring (issue 12): check-in schedules and questionnaire responses. A
-- response keeps its answers and the scores computed when it was given (JSON), with
-- the total, band and PHQ-9 item 9 also as columns for lists and signals to read.

CREATE TABLE checkin_schedules (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    instrument TEXT NOT NULL,
    every_days INTEGER NOT NULL CHECK (every_days BETWEEN 1 AND 365),
    starts_on TEXT NOT NULL,
    milestone TEXT,
    next_due TEXT NOT NULL,
    last_answered_on TEXT,
    pause_reason TEXT,
    paused_at TEXT,
    paused_by_account_id TEXT REFERENCES accounts(id),
    ended_on TEXT,
    set_by_account_id TEXT NOT NULL REFERENCES accounts(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX checkin_schedules_patient ON checkin_schedules(patient_id, created_at, id);
CREATE INDEX checkin_schedules_due ON checkin_schedules(next_due, id)
    WHERE ended_on IS NULL AND paused_at IS NULL;

CREATE TABLE questionnaire_responses (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    schedule_id TEXT REFERENCES checkin_schedules(id),
    instrument TEXT NOT NULL,
    instrument_version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    scores TEXT NOT NULL,
    total INTEGER,
    band INTEGER,
    item9 INTEGER,
    answered_at TEXT NOT NULL,
    answered_by_account_id TEXT NOT NULL REFERENCES accounts(id),
    by_proxy INTEGER NOT NULL
);
CREATE INDEX questionnaire_responses_patient
    ON questionnaire_responses(patient_id, answered_at, id);
CREATE INDEX questionnaire_responses_instrument
    ON questionnaire_responses(patient_id, instrument, answered_at, id);
