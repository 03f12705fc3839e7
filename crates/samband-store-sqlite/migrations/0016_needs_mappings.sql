-- The needs-mapping conversations of the cancer pathway at home (issue 11, part C):
-- each conversation as recorded (point, day, declined or not, the needs found and who
-- takes each on, notes) in one JSON document, read only through the app's policy.

CREATE TABLE needs_mappings (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    recorded_by_member_id TEXT NOT NULL REFERENCES team_members(id),
    point TEXT NOT NULL,
    held_on TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX needs_mappings_patient ON needs_mappings(patient_id, held_on, created_at, id);
