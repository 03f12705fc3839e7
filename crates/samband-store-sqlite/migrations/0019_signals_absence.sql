-- Signals from self-monitoring and the absences they are routed around (issue 12,
-- item 4). Each row keeps its document as JSON (`content`) beside the columns that are
-- searched, filtered or constrained.

-- A professional's absence periods, with an optional deputy (another professional).
CREATE TABLE absences (
    id TEXT PRIMARY KEY,
    professional_id TEXT NOT NULL REFERENCES professionals(id),
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    deputy_professional_id TEXT REFERENCES professionals(id),
    content TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX absences_professional ON absences(professional_id, from_day, id);

-- Alerts: one open alert per patient and signal class at most (the dedupe the
-- signals rely on when two triggers race).
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    class TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_member_id TEXT NOT NULL REFERENCES team_members(id),
    deadline TEXT NOT NULL,
    content TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX alerts_one_open ON alerts(patient_id, class) WHERE status = 'open';
CREATE INDEX alerts_patient ON alerts(patient_id, deadline, id);
CREATE INDEX alerts_assignee ON alerts(assignee_member_id, deadline, id);

-- What happened to each alert: raised, occurrences, escalations, acknowledgement.
CREATE TABLE alert_events (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    patient_id TEXT NOT NULL REFERENCES patients(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    member_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX alert_events_alert ON alert_events(alert_id, at, id);

-- Per-patient thresholds of the detectors (defaults apply where there is no row),
-- versioned like every other document a professional changes.
CREATE TABLE signal_thresholds (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id),
    content TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
