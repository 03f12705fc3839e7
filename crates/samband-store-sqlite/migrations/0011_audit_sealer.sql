-- The audit chain is sealed off the request path: entries are inserted with no chain
-- fields and the sealer fills prev_hash and hash once, in sequence order. The guard
-- still refuses every other change: a sealed entry, or any field of the entry itself.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL OR OLD.prev_hash IS NOT NULL
  OR NEW.hash IS NULL OR NEW.prev_hash IS NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
  OR NEW.actor_account_id IS NOT OLD.actor_account_id OR NEW.patient_id IS NOT OLD.patient_id
  OR NEW.object_type IS NOT OLD.object_type OR NEW.object_id IS NOT OLD.object_id
  OR NEW.action IS NOT OLD.action OR NEW.purpose IS NOT OLD.purpose
  OR NEW.request_id IS NOT OLD.request_id
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
