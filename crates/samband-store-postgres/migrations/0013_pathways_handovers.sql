-- PostgreSQL dialect; same meaning as the SQLite tree. Care pathways and structured
-- hand-overs (issue 11): an administrator's own templates (the shipped ones live in
-- the binary), enrolments with the milestone occurrences completed so far, and
-- hand-overs whose sections are kept as one JSON document (each section is read under
-- its own consent category by the policy, never by the database).

CREATE TABLE pathway_templates (
    key TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_by_account_id UUID NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE enrolments (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    template_key TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    anchor_date DATE NOT NULL,
    enrolled_by_member_id UUID NOT NULL REFERENCES team_members(id),
    ended_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX enrolments_patient ON enrolments(patient_id, created_at, id);

CREATE TABLE milestone_completions (
    enrolment_id UUID NOT NULL REFERENCES enrolments(id),
    milestone TEXT NOT NULL,
    occurrence BIGINT NOT NULL,
    completed_on DATE NOT NULL,
    by_kind TEXT NOT NULL CHECK (by_kind IN ('evidence', 'manual')),
    reference TEXT,
    member_id UUID REFERENCES team_members(id),
    note TEXT,
    PRIMARY KEY (enrolment_id, milestone, occurrence),
    CHECK ((by_kind = 'evidence' AND reference IS NOT NULL)
        OR (by_kind = 'manual' AND member_id IS NOT NULL AND note IS NOT NULL))
);

CREATE TABLE handovers (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    sender_member_id UUID NOT NULL REFERENCES team_members(id),
    receiver_member_id UUID NOT NULL REFERENCES team_members(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged')),
    content TEXT NOT NULL,
    sent_at TIMESTAMPTZ,
    ack_due DATE,
    acknowledged_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX handovers_patient_page ON handovers(patient_id, created_at, id);
-- The escalation job reads the sent hand-overs past their acknowledgement date.
CREATE INDEX handovers_awaiting_ack ON handovers(ack_due) WHERE status = 'sent';
