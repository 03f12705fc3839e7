-- Successors (issue 11, part A): each ended membership and who took over, and the
-- items handed to the coordinator for want of a successor ("needs a new owner"). A
-- flag holds while the item is open and still with the member it was handed to, so
-- reassigning or closing the item clears it without another write.

CREATE TABLE successions (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    leaver_member_id TEXT NOT NULL REFERENCES team_members(id),
    successor_member_id TEXT NOT NULL REFERENCES team_members(id),
    last_day TEXT NOT NULL,
    needs_new_owner INTEGER NOT NULL,
    reason TEXT,
    by_account_id TEXT NOT NULL REFERENCES accounts(id),
    at TEXT NOT NULL
);
CREATE INDEX successions_patient ON successions(patient_id, at, id);

CREATE TABLE needs_new_owner (
    succession_id TEXT NOT NULL REFERENCES successions(id),
    patient_id TEXT NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    holder_member_id TEXT NOT NULL,
    leaver_member_id TEXT NOT NULL,
    PRIMARY KEY (succession_id, kind, item_id)
);
CREATE INDEX needs_new_owner_patient ON needs_new_owner(patient_id, kind, item_id);
CREATE INDEX actions_owner ON actions(patient_id, owner_member_id);
