-- Each agenda item's minutes (and decisions) carry an information category, read
-- under the patient's consent like pre-reads; existing minutes are plan and actions.
ALTER TABLE agenda_items ADD COLUMN minutes_category TEXT NOT NULL DEFAULT 'plan_and_actions';
