-- Every list is read a page at a time from just after the last row shown (keyset
-- paging). The caseload is ordered by the patient's name: each membership carries
-- that name (a patient's name never changes once registered), so one index on the
-- professional's memberships yields the caseload in order and counts it.

ALTER TABLE team_members ADD COLUMN patient_name TEXT NOT NULL DEFAULT '';
UPDATE team_members m SET patient_name = p.name FROM patients p WHERE p.id = m.patient_id;
CREATE INDEX team_members_caseload ON team_members(professional_id, patient_name, patient_id, active_from, active_to);

CREATE INDEX history_patient_page ON history(patient_id, at, id);

-- The other lists' orders, each ending in the id that breaks ties, so a page is read
-- from the index in order from just after the cursor.
CREATE INDEX notifications_account_page ON notifications(account_id, created_at, id);
CREATE INDEX threads_patient_page ON threads(patient_id, last_message_at, id);
CREATE INDEX requests_patient_page ON requests(patient_id, created_at, id);
CREATE INDEX meetings_patient_page ON meetings(patient_id, starts_at, id);
