-- The administrator's lists are read a page at a time (issue 10: every list paged):
-- the open emergency grants newest first (reviewed ones leave the index), the
-- directory by name.
CREATE INDEX emergency_access_open ON emergency_access(started_at DESC, id DESC) WHERE reviewed_at IS NULL;
CREATE INDEX organisations_by_name ON organisations(name, id);
CREATE INDEX professionals_by_name ON professionals(name, id);
