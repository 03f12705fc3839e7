-- The relapse-prevention plan (issue 12, item 6): one versioned row per patient. The
-- warning signs (the patient's words, the team's action and who per sign) are one JSON
-- list, read and written whole like the rest of the row; status and agreed_on are
-- columns because the caseload registry reads them for a page of patients at once.

CREATE TABLE relapse_plans (
    patient_id UUID PRIMARY KEY REFERENCES patients(id),
    signs TEXT NOT NULL,
    what_helps TEXT NOT NULL,
    contacts TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'agreed')),
    agreed_on DATE,
    updated_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);
