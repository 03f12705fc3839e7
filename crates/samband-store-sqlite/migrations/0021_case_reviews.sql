-- Systematic case review (issue 12, item 5): each recommendation recorded by the
-- consulting psychiatrist or specialist, who carries it out, by when, and the plan
-- action it became. The registry reads the latest per patient ("new" until one exists).

CREATE TABLE case_reviews (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    reviewer_member_id TEXT NOT NULL REFERENCES team_members(id),
    recommendation TEXT NOT NULL,
    to_member_id TEXT NOT NULL REFERENCES team_members(id),
    due_date TEXT NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_reviews_patient ON case_reviews(patient_id, created_at, id);
