-- Care pathways and structured
-- hand-overs (issue 11): an administrator's own templates (the shipped ones live in
-- the binary), enrolments with the milestone occurrences completed so far, and
-- hand-overs whose sections are kept as one JSON document (each section is read under
-- its own consent category by the policy, never by the database).

CREATE TABLE pathway_templates (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    created_by_account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    template_key TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    anchor_date TEXT NOT NULL,
    enrolled_by_member_id TEXT NOT NULL REFERENCES team_members(id),
    ended_on TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX enrolments_patient ON enrolments(patient_id, created_at, id);

CREATE TABLE milestone_completions (
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    milestone TEXT NOT NULL,
    occurrence INTEGER NOT NULL,
    completed_on TEXT NOT NULL,
    by_kind TEXT NOT NULL CHECK (by_kind IN ('evidence', 'manual')),
    reference TEXT,
    member_id TEXT REFERENCES team_members(id),
    note TEXT,
    PRIMARY KEY (enrolment_id, milestone, occurrence),
    CHECK ((by_kind = 'evidence' AND reference IS NOT NULL)
        OR (by_kind = 'manual' AND member_id IS NOT NULL AND note IS NOT NULL))
);

CREATE TABLE handovers (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    sender_member_id TEXT NOT NULL REFERENCES team_members(id),
    receiver_member_id TEXT NOT NULL REFERENCES team_members(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged')),
    content TEXT NOT NULL,
    sent_at TEXT,
    ack_due TEXT,
    acknowledged_at TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX handovers_patient_page ON handovers(patient_id, created_at, id);
-- The escalation job reads the sent hand-overs past their acknowledgement date.
CREATE INDEX handovers_awaiting_ack ON handovers(ack_due) WHERE status = 'sent';
