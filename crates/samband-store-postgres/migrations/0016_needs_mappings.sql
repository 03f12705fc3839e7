-- The needs-mapping conversations of the cancer pathway at home (issue 11, part C):
-- each conversation as recorded (point, day, declined or not, the needs found and who
-- takes each on, notes) in one JSON document, read only through the app's policy.

CREATE TABLE needs_mappings (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    recorded_by_member_id UUID NOT NULL REFERENCES team_members(id),
    point TEXT NOT NULL,
    held_on DATE NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX needs_mappings_patient ON needs_mappings(patient_id, held_on, created_at, id);
