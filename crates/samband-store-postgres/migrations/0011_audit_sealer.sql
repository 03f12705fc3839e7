-- The audit chain is sealed off the request path: entries are inserted with no chain
-- fields (no head row is locked while a request runs) and one sealer fills prev_hash
-- and hash once, in sequence order. The guard still refuses every other change: a
-- sealed entry, any field of the entry itself, and every delete.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
     AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
     AND (NEW.seq, NEW.id, NEW.at, NEW.actor_account_id, NEW.patient_id, NEW.object_type,
          NEW.object_id, NEW.action, NEW.purpose, NEW.request_id)
         IS NOT DISTINCT FROM
         (OLD.seq, OLD.id, OLD.at, OLD.actor_account_id, OLD.patient_id, OLD.object_type,
          OLD.object_id, OLD.action, OLD.purpose, OLD.request_id)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
