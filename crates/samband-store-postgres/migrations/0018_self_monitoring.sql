-- Self-monitoring (issue 12): check-in schedules and questionnaire responses. A
-- response keeps its answers and the scores computed when it was given (JSON), with
-- the total, band and PHQ-9 item 9 also as columns for lists and signals to read.

CREATE TABLE checkin_schedules (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    instrument TEXT NOT NULL,
    every_days INTEGER NOT NULL CHECK (every_days BETWEEN 1 AND 365),
    starts_on DATE NOT NULL,
    milestone TEXT,
    next_due DATE NOT NULL,
    last_answered_on DATE,
    pause_reason TEXT,
    paused_at TIMESTAMPTZ,
    paused_by_account_id UUID REFERENCES accounts(id),
    ended_on DATE,
    set_by_account_id UUID NOT NULL REFERENCES accounts(id),
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX checkin_schedules_patient ON checkin_schedules(patient_id, created_at, id);
CREATE INDEX checkin_schedules_due ON checkin_schedules(next_due, id)
    WHERE ended_on IS NULL AND paused_at IS NULL;

CREATE TABLE questionnaire_responses (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    schedule_id UUID REFERENCES checkin_schedules(id),
    instrument TEXT NOT NULL,
    instrument_version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    scores TEXT NOT NULL,
    total INTEGER,
    band INTEGER,
    item9 INTEGER,
    answered_at TIMESTAMPTZ NOT NULL,
    answered_by_account_id UUID NOT NULL REFERENCES accounts(id),
    by_proxy BOOLEAN NOT NULL
);
CREATE INDEX questionnaire_responses_patient
    ON questionnaire_responses(patient_id, answered_at, id);
CREATE INDEX questionnaire_responses_instrument
    ON questionnaire_responses(patient_id, instrument, answered_at, id);
