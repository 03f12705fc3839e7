-- Systematic case review (issue 12, item 5): each recommendation recorded by the
-- consulting psychiatrist or specialist, who carries it out, by when, and the plan
-- action it became. The registry reads the latest per patient ("new" until one exists).

CREATE TABLE case_reviews (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    reviewer_member_id UUID NOT NULL REFERENCES team_members(id),
    recommendation TEXT NOT NULL,
    to_member_id UUID NOT NULL REFERENCES team_members(id),
    due_date DATE NOT NULL,
    action_id UUID NOT NULL REFERENCES actions(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_reviews_patient ON case_reviews(patient_id, created_at, id);
