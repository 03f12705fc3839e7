-- Every list is read a page at a time from just after the last row shown (keyset
-- paging). The caseload is ordered by the patient's name: each membership carries
-- that name (a patient's name never changes once registered), so one index on the
-- professional's memberships yields the caseload in order and counts it.

ALTER TABLE team_members ADD COLUMN patient_name TEXT NOT NULL DEFAULT '';
UPDATE team_members m SET patient_name = p.name FROM patients p WHERE p.id = m.patient_id;
CREATE INDEX team_members_caseload ON team_members(professional_id, patient_name, patient_id, active_from, active_to);

CREATE INDEX history_patient_page ON history(patient_id, at, id);
