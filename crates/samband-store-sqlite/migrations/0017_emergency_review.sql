-- The privacy officer's review list reads the open grants newest first, a page at a
-- time (issue 10: every list paged); reviewed grants leave the index.
CREATE INDEX emergency_access_open ON emergency_access(started_at DESC, id DESC) WHERE reviewed_at IS NULL;
